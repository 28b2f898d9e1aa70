/*
 * trygg: the command-line client for trygg's daemons.
 *
 *   trygg [GLOBAL OPTIONS] COMMAND [ARGS...]
 *
 * Global options come before the command; --json may stand anywhere, and
 * --help (or -h) after a command prints that command's help. The command
 * table below is the one list of commands: the help, the bash completion's
 * list (trygg help --commands) and the test that trygg(1) documents each
 * come from it. Its fields: name, function, whether the command talks to
 * the daemons (needs their endpoints), and usage; what each does, its
 * options and an example are in cli_help.c. See cli.h for the exit
 * statuses.
 */
#include "cli.h"
#include "json.h"
#include "log.h"
#include "msg.h"
#include "rpc.h"
#include "tz.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

int cmd_report(cli_t *cli, int argc, char **argv);     /* cmd_report.c */
int cmd_jobs(cli_t *cli, int argc, char **argv);       /* cmd_report.c */
int cmd_backup(cli_t *cli, int argc, char **argv);     /* cmd_backup.c */
static int cmd_help(cli_t *cli, int argc, char **argv);
static int cmd_version(cli_t *cli, int argc, char **argv);

static const struct {
	const char *name;
	int       (*fn)(cli_t *, int, char **);
	bool        needs_cfg;
	const char *usage;
} cli_commands[] = {
	{"submit", cmd_submit, true, "submit --district D --category C --severity N "
	    "--summary S --reporter R [OPTIONS]"},
	{"get", cmd_get, true, "get NUMBER | get --id CLIENT_ID"},
	{"list", cmd_list, true, "list [--team T] [--status open|closed] [--escalation E] "
	    "[--severity N] [--since T] [--until T] [--limit N] [--before NUMBER]"},
	{"update", cmd_update, true, "update NUMBER --by WHO [--note TEXT] "
	    "[--status open|closed | --close | --reopen]"},
	{"escalations", cmd_escalations, true, "escalations [--status S] [--incident NUMBER] "
	    "[--limit N] [--before ID]"},
	{"ack", cmd_ack, true, "ack ESCALATION --by CONTACT"},
	{"resolve", cmd_resolve, true, "resolve ESCALATION --by CONTACT [--note TEXT]"},
	{"watch", cmd_watch, true, "watch [CONTACT]"},
	{"status", cmd_status, true, "status"},
	{"oncall", cmd_oncall, true, "oncall [--at TIME] [--config FILE]"},
	{"rota", cmd_rota, true, "rota [--from DATE] [--weeks N]"},
	{"ping", cmd_ping, true, "ping [--wait] [intake|escalation|reporting]"},
	{"calendar", cmd_calendar, false, "calendar holidays YEAR"},
	{"config", cmd_config, false, "config check [FILE]"},
	{"help", cmd_help, false, "help [COMMAND]"},
	{"version", cmd_version, false, "version"},
	{"report", cmd_report, true, "report KIND --period P [--team T] "
	    "[--format json|csv|md|html] [--suppress] [-o FILE]"},
	{"jobs", cmd_jobs, true, "jobs"},
	{"backup", cmd_backup, true, "backup DIR"},
	{"audit", cmd_audit, false, "audit verify [--db FILE]..."},
	{"keygen", cmd_keygen, false, "keygen [--out FILE]"},
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static const char cli_global_help[] =
    "global options (before the command; --json anywhere):\n"
    "  -c, --config FILE        the configuration (default $TRYGG_CONFIG, else\n"
    "                           " CLI_CONFIG_DEFAULT ", else, run from a\n"
    "                           tree's build/bin, its config/trygg.yaml)\n"
    "  --endpoint NAME=URL      a daemon's endpoint (intake, escalation,\n"
    "                           notifications, reporting); repeatable; also\n"
    "                           TRYGG_INTAKE, TRYGG_ESCALATION, ... in the environment\n"
    "  --timeout SECONDS        how long to wait for a running daemon's answer\n"
    "                           (default 10); one that is not running is said at once\n"
    "  --json                   answers as one JSON object with \"ok\"\n"
    "  -h, --help               this help; trygg COMMAND --help for a command's\n"
    "  -V, --version            the versions of trygg and of the daemons\n";

static bool cli_json_errors;    /* --json: errors go to stdout as JSON too */

static int
cli_find(const char *name)
{
	for (size_t i = 0; i < CLI_NCOMMANDS; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* the first line of a command's help: its summary */
static void
cli_summary(FILE *out, size_t i)
{
	const char *h = cli_help_text(cli_commands[i].name);
	const char *end = h ? strchr(h, '\n') : NULL;

	if (h == NULL || end == NULL)
		fprintf(out, "  %-12s trygg %s\n", cli_commands[i].name, cli_commands[i].usage);
	else
		fprintf(out, "  %-12s %.*s\n", cli_commands[i].name,
		    (int)(end - h) - (end > h && end[-1] == '.'), h);
}

static void
cli_help(FILE *out)
{
	fprintf(out, "usage: trygg [GLOBAL OPTIONS] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < CLI_NCOMMANDS; i++)
		cli_summary(out, i);
	fprintf(out, "\n%s\nThe options of a command: trygg help COMMAND (or trygg COMMAND --help).\n"
	    "Manual: man trygg\n", cli_global_help);
}

/* one command's name, usage and help into p (a map's contents) */
static void
cli_pack_command(pack_t *p, size_t i)
{
	pack_kv_str(p, "name", cli_commands[i].name);
	pack_kv_str(p, "usage", cli_commands[i].usage);
	if (cli_help_text(cli_commands[i].name))
		pack_kv_str(p, "help", cli_help_text(cli_commands[i].name));
}

static void
cli_command_help(FILE *out, size_t i)
{
	if (cli_json_errors) {          /* --json */
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		cli_pack_command(p, i);
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
		return;
	}
	fprintf(out, "usage: trygg %s\n\n", cli_commands[i].usage);
	if (cli_help_text(cli_commands[i].name))
		fputs(cli_help_text(cli_commands[i].name), out);
}

/* trygg help [COMMAND], and help --commands: the names, one a line */
static int
cmd_help(cli_t *cli, int argc, char **argv)
{
	int i;

	if (argc == 1 && cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_key(p, "commands");
		pack_array_open(p);
		for (size_t k = 0; k < CLI_NCOMMANDS; k++) {
			pack_map_open(p);
			cli_pack_command(p, k);
			pack_map_close(p);
		}
		pack_array_close(p);
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
		return 0;
	}
	if (argc == 1) {
		cli_help(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--commands") == 0) {
		for (size_t k = 0; k < CLI_NCOMMANDS; k++)
			printf("%s\n", cli_commands[k].name);
		return 0;
	}
	if (argc != 2)
		return cli_usage("usage: trygg help [COMMAND]");
	if ((i = cli_find(argv[1])) < 0)
		return cli_usage("help: no command '%s' (trygg help lists them)", argv[1]);
	cli_command_help(stdout, (size_t)i);
	return 0;
}

/* ---- errors ---- */

static void
cli_json_error(int status, const char *code, const char *message)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_bool(p, "ok", false);
	pack_key(p, "error");
	pack_map_open(p);
	pack_kv_str(p, "code", code);
	pack_kv_str(p, "message", message);
	pack_kv_int(p, "exit", status);
	pack_map_close(p);
	pack_map_close(p);
	cli_print_packed(p);
	pack_destroy(&p);
}

int
cli_fail(int status, const char *code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "trygg: %s\n", msg);
	if (cli_json_errors)
		cli_json_error(status, code, msg);
	fflush(stdout);
	return status;
}

int
cli_usage(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cli_fail(EXIT_USAGE, "usage", "%s", msg);
}

const msgpack_object *
cli_get(const msgpack_object *map, const char *key)
{
	return msg_map_get(map, key);
}

void
cli_print_json(const msgpack_object *o)
{
	buf_t out = BUF_INIT;

	json_from_msgpack(o, &out, true);
	puts(buf_str(&out));
	buf_free(&out);
}

/* Writes an error reply's "code: message" into buf. */
static void
cli_error_text(const msgpack_object *reply, char *buf, size_t len)
{
	const msgpack_object *e = cli_get(reply, "error");
	const msgpack_object *code = cli_get(e, "code");
	const msgpack_object *msg = cli_get(e, "message");

	snprintf(buf, len, "%.*s: %.*s",
	    code && code->type == MSGPACK_OBJECT_STR ? (int)code->via.str.size : 5,
	    code && code->type == MSGPACK_OBJECT_STR ? code->via.str.ptr : "error",
	    msg && msg->type == MSGPACK_OBJECT_STR ? (int)msg->via.str.size : 0,
	    msg && msg->type == MSGPACK_OBJECT_STR ? msg->via.str.ptr : "");
}

/*
 * A wire field as the option a person typed: "occurred_at" is
 * --occurred-at. Fields with no option of their own keep their name.
 */
static const char *
cli_field_option(const msgpack_object *field, char out[80])
{
	static const char *const no_option[] = {"v", "op", "req", "number", "escalation"};
	const char *f = cli_text_str(field);

	for (size_t i = 0; i < sizeof(no_option) / sizeof(no_option[0]); i++)
		if (strcmp(f, no_option[i]) == 0)
			return f;
	snprintf(out, 80, "--%s", f);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = '-';
	return out;
}

/* Prints an error reply's code, message and option on stderr. */
static void
cli_print_error(const msgpack_object *reply)
{
	const msgpack_object *e = cli_get(reply, "error");
	const msgpack_object *code = cli_get(e, "code");
	const msgpack_object *msg = cli_get(e, "message");
	const msgpack_object *field = cli_get(e, "field");
	char opt[80];

	/* a reply is data like any other: printed through cli_text_str() */
	fputs("trygg: ", stderr);
	if (field && field->type == MSGPACK_OBJECT_STR)
		fprintf(stderr, "%s: ", cli_field_option(field, opt));
	fprintf(stderr, "%s (%s)\n", msg && msg->type == MSGPACK_OBJECT_STR ?
	    cli_text_str(msg) : "", code && code->type == MSGPACK_OBJECT_STR ?
	    cli_text_str(code) : "error");
}

/* ---- calling a daemon ---- */

static const struct {
	const char *name;       /* --endpoint NAME=, and TRYGG_NAME upper-cased */
	const char *env;
	const char *service;
	size_t      off;        /* in cfg_endpoints_t */
} cli_endpoints[] = {
	{"intake", "TRYGG_INTAKE", "trygg-intake", offsetof(cfg_endpoints_t, intake)},
	{"escalation", "TRYGG_ESCALATION", "trygg-escalation",
	    offsetof(cfg_endpoints_t, escalation)},
	{"notifications", "TRYGG_NOTIFICATIONS", "trygg-escalation",
	    offsetof(cfg_endpoints_t, notifications)},
	{"reporting", "TRYGG_REPORTING", "trygg-reporting", offsetof(cfg_endpoints_t, reporting)},
};
#define CLI_NENDPOINTS (sizeof(cli_endpoints) / sizeof(cli_endpoints[0]))

static char **
cli_endpoint_slot(cli_t *cli, size_t i)
{
	return (char **)((char *)&cli->cfg->endpoints + cli_endpoints[i].off);
}

/* which of cli_endpoints an endpoint string is (by the pointer, then the text); -1 */
static int
cli_endpoint_index(cli_t *cli, const char *endpoint)
{
	for (size_t i = 0; cli->cfg && i < CLI_NENDPOINTS; i++)
		if (*cli_endpoint_slot(cli, i) == endpoint)
			return (int)i;
	for (size_t i = 0; cli->cfg && endpoint && i < CLI_NENDPOINTS; i++)
		if (*cli_endpoint_slot(cli, i) && strcmp(*cli_endpoint_slot(cli, i), endpoint) == 0)
			return (int)i;
	return -1;
}

const char *
cli_service(cli_t *cli, const char *endpoint)
{
	int i = cli_endpoint_index(cli, endpoint);

	return i < 0 ? "the daemon" : cli_endpoints[i].service;
}

int
cli_call(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply)
{
	return cli_call_with(cli, endpoint, req, reply, cli->timeout_ms, 0, NULL, 0);
}

/* Says that an endpoint is not known, and where it may be given. */
static int
cli_no_endpoint(cli_t *cli, int i, char *errbuf, size_t errlen)
{
	const char *name = i < 0 ? "NAME" : cli_endpoints[i].name;
	const char *env = i < 0 ? "TRYGG_NAME" : cli_endpoints[i].env;
	char msg[1024];

	snprintf(msg, sizeof(msg), "no endpoint for %s: %s %s; give --endpoint %s=URL, "
	    "set %s, or name a configuration with -c FILE",
	    i < 0 ? "the daemon" : cli_endpoints[i].service, cli->cfg_path,
	    cli->cfg_missing ? "not found" : "gives none", name, env);
	if (errbuf != NULL) {
		snprintf(errbuf, errlen, "%s", msg);
		return cli->cfg_missing ? EXIT_NOINPUT : EXIT_CONFIG;
	}
	if (cli->cfg_missing)
		return cli_fail(EXIT_NOINPUT, "not_found", "%s", msg);
	return cli_fail(EXIT_CONFIG, "config", "%s", msg);
}

int
cli_call_with(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply,
    int timeout_ms, int attempts, char *errbuf, size_t errlen)
{
	rpc_client_t *c;
	const void *data;
	const char *svc;
	char *raw = NULL, err[512];
	size_t len, raw_len;
	const msgpack_object *ok, *code;
	msgpack_unpacker unp;
	msgpack_unpack_return urc;
	long waited;
	int rc;
	bool refused = false;

	if (endpoint == NULL || endpoint[0] == '\0')
		return cli_no_endpoint(cli, cli_endpoint_index(cli, endpoint), errbuf, errlen);
	svc = cli_service(cli, endpoint);
	cli->sent = false;
	/* nobody listening: said at once, not after the whole wait */
	if (cli_probe(endpoint, CLI_PROBE_MS, err, sizeof(err)) < 0) {
		if (errbuf != NULL) {
			snprintf(errbuf, errlen, "not running: %s", err);
			return EXIT_UNAVAIL;
		}
		return cli_fail(EXIT_UNAVAIL, "unavailable", "%s does not answer: nothing "
		    "listens at %s (%s); is %s running? Check with: systemctl status %s", svc,
		    endpoint, err + (strncmp(err, endpoint, strlen(endpoint)) == 0 ?
		    strlen(endpoint) + 2 : 0), svc, svc);
	}
	cli->sent = true;
	data = pack_data(req, &len);
	if (attempts > 0) {
		/* a side question: its own wait, nothing printed */
		c = rpc_client_new(cli->zctx, endpoint, timeout_ms, attempts);
		rpc_client_prepare(c, cli_auth_prepare, cli);
		rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
		refused = rc < 0 && rpc_client_refused(c);
		rpc_client_destroy(&c);
		waited = (long)timeout_ms * attempts;
	} else {
		/*
		 * The command's own request: a first attempt of CLI_SLOW_NOTE_MS,
		 * then, said on stderr, the rest of --timeout in two more (a
		 * resend is harmless: see rpc.h).
		 */
		int first = timeout_ms < CLI_SLOW_NOTE_MS ? timeout_ms : CLI_SLOW_NOTE_MS;

		c = rpc_client_new(cli->zctx, endpoint, first, 1);
		rpc_client_prepare(c, cli_auth_prepare, cli);
		rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
		refused = rc < 0 && rpc_client_refused(c);
		rpc_client_destroy(&c);
		waited = first;
		/* gone meanwhile: no use waiting for it */
		if (rc < 0 && !refused && cli_probe(endpoint, CLI_PROBE_MS, err, sizeof(err)) < 0)
			return cli_fail(EXIT_UNAVAIL, "unavailable", "%s stopped while trygg "
			    "waited for its answer: nothing listens at %s now; is %s running? "
			    "Check with: systemctl status %s", svc, endpoint, svc, svc);
		if (rc < 0 && !refused && timeout_ms - first >= CLI_RETRY_MIN_MS) {
			int rest = timeout_ms - first;

			fprintf(stderr, "trygg: %s at %s has not answered in %d.%d s; waiting "
			    "up to %d.%d s more (--timeout)\n", svc, endpoint, first / 1000,
			    first % 1000 / 100, rest / 1000, rest % 1000 / 100);
			c = rpc_client_new(cli->zctx, endpoint, rest / 2, 2);
			rpc_client_prepare(c, cli_auth_prepare, cli);
			rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
			refused = rc < 0 && rpc_client_refused(c);
			rpc_client_destroy(&c);
			waited = timeout_ms;
		}
	}
	/* a key the daemon refused, or our own that could not be loaded: no use waiting */
	if (rc < 0 && refused) {
		char hint[1024];

		if (errbuf != NULL) {
			snprintf(errbuf, errlen, "%s", err);
			return EXIT_NOPERM;
		}
		cli_auth_refused_hint(cli, endpoint, svc, hint, sizeof(hint));
		return cli_fail(EXIT_NOPERM, "unauthorized", "%s%s%s", err, hint[0] ? "\n  " : "",
		    hint);
	}
	if (rc < 0) {
		if (errbuf != NULL) {
			snprintf(errbuf, errlen, "no answer from %s within %ld.%ld s",
			    endpoint, waited / 1000, waited % 1000 / 100);
			return EXIT_UNAVAIL;
		}
		return cli_fail(EXIT_UNAVAIL, "unavailable", "%s does not answer at %s "
		    "(waited %ld.%ld s; it accepts connections but is stuck or overloaded). "
		    "Check with: systemctl status %s (or wait longer: --timeout SECONDS)", svc,
		    endpoint, waited / 1000, waited % 1000 / 100, svc);
	}
	/* the unpacker keeps its own copy of the bytes that reply points into */
	msgpack_unpacked_init(reply);
	msgpack_unpacker_init(&unp, raw_len + 1);
	msgpack_unpacker_reserve_buffer(&unp, raw_len);
	memcpy(msgpack_unpacker_buffer(&unp), raw, raw_len);
	msgpack_unpacker_buffer_consumed(&unp, raw_len);
	free(raw);
	urc = msgpack_unpacker_next(&unp, reply);
	msgpack_unpacker_destroy(&unp);
	if (urc != MSGPACK_UNPACK_SUCCESS || reply->data.type != MSGPACK_OBJECT_MAP) {
		msgpack_unpacked_destroy(reply);
		if (errbuf != NULL) {
			snprintf(errbuf, errlen, "%s sent a reply that is not a msgpack map",
			    endpoint);
			return EXIT_SOFTWARE;
		}
		return cli_fail(EXIT_SOFTWARE, "bad_reply", "%s sent a reply that is not a "
		    "msgpack map", endpoint);
	}
	ok = cli_get(&reply->data, "ok");
	if (ok == NULL || ok->type != MSGPACK_OBJECT_BOOLEAN || !ok->via.boolean) {
		code = cli_get(cli_get(&reply->data, "error"), "code");
		/* what a person typed was refused: a usage error, naming the option */
		rc = cli_is(code, "invalid_field") || cli_is(code, "unknown_district") ||
		    cli_is(code, "unknown_category") ? EXIT_USAGE : 1;
		if (errbuf != NULL) {
			cli_error_text(&reply->data, errbuf, errlen);
		} else {
			if (cli->json)
				cli_print_json(&reply->data);
			cli_print_error(&reply->data);
		}
		msgpack_unpacked_destroy(reply);
		return rc;
	}
	return 0;
}

/* ---- version ---- */

static int
cmd_version(cli_t *cli, int argc, char **argv)
{
	static const size_t asked[] = {0, 1, 3};        /* intake, escalation, reporting */
	pack_t *out = pack_new();

	if (argc != 1) {
		pack_destroy(&out);
		return cli_usage("usage: trygg version");
	}
	if (!cli->json)
		printf("trygg %s (wire protocol %d)\n", WIRE_TRYGG_VERSION, WIRE_VERSION);
	pack_map_open(out);
	pack_kv_bool(out, "ok", true);
	pack_kv_str(out, "version", WIRE_TRYGG_VERSION);
	pack_kv_int(out, "protocol", WIRE_VERSION);
	pack_key(out, "daemons");
	pack_map_open(out);
	for (size_t k = 0; k < sizeof(asked) / sizeof(asked[0]); k++) {
		size_t i = asked[k];
		const char *ep = cli->cfg ? *cli_endpoint_slot(cli, i) : NULL;
		msgpack_unpacked reply;
		char err[512];
		pack_t *req;

		pack_key(out, cli_endpoints[i].service);
		pack_map_open(out);
		if (ep == NULL || ep[0] == '\0') {
			pack_kv_bool(out, "up", false);
			pack_kv_str(out, "error", "no endpoint known");
			pack_map_close(out);
			if (!cli->json)
				printf("%-17s no endpoint known (-c FILE, --endpoint %s=URL or %s)\n",
				    cli_endpoints[i].service, cli_endpoints[i].name,
				    cli_endpoints[i].env);
			continue;
		}
		pack_kv_str(out, "endpoint", ep);
		req = cli_op_new(WIRE_OP_STATUS);
		pack_map_close(req);
		if (cli_call_with(cli, ep, req, &reply, cli->timeout_given ? cli->timeout_ms :
		    CLI_SLOW_NOTE_MS, 1, err, sizeof(err)) == 0) {
			pack_kv_bool(out, "up", true);
			pack_key(out, "version");
			pack_obj(out, cli_get(&reply.data, "version") ?
			    cli_get(&reply.data, "version") : &(msgpack_object){.type = MSGPACK_OBJECT_NIL});
			if (!cli->json)
				printf("%-17s %s at %s\n", cli_endpoints[i].service,
				    cli_text_str(cli_get(&reply.data, "version")), ep);
			msgpack_unpacked_destroy(&reply);
		} else {
			pack_kv_bool(out, "up", false);
			pack_kv_str(out, "error", err);
			if (!cli->json)
				printf("%-17s not reachable: %s\n", cli_endpoints[i].service, err);
		}
		pack_destroy(&req);
		pack_map_close(out);
	}
	pack_map_close(out);
	pack_map_close(out);
	if (cli->json)
		cli_print_packed(out);
	pack_destroy(&out);
	return 0;
}

/* ---- main ---- */

/* --timeout SECONDS: a positive number, tenths allowed; 0 or -1 */
static int
cli_parse_timeout(const char *s, int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v >= 0.1) || v > 3600)
		return -1;
	*ms = (int)(v * 1000 + 0.5);
	return 0;
}

int
main(int argc, char **argv)
{
	cli_t cli = {.timeout_ms = CLI_TIMEOUT_MS};
	const char *endpoints[16];
	char **args = argv + 1;         /* the arguments left, gathered in place */
	int nargs = 0, nendpoints = 0, rc, cmd, want_help = 0;
	bool version = false;

	log_init("trygg", 0);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli.json = cli_json_errors = true;
	/* global options before the command; --json anywhere */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			continue;
		if (nargs > 0) {
			if (strcmp(a, "--") == 0)
				want_help = -1;         /* what follows is an argument */
			else if (want_help == 0 && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
				want_help = 1;
			args[nargs++] = argv[i];
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
		    strcmp(a, "--endpoint") == 0 || strcmp(a, "--timeout") == 0) {
			if (++i == argc)
				return cli_usage("%s needs a value (trygg --help)", a);
			if (a[2] == 'e') {
				if (nendpoints == 16)
					return cli_usage("--endpoint: at most 16");
				endpoints[nendpoints++] = argv[i];
			} else if (a[2] == 't') {
				if (cli_parse_timeout(argv[i], &cli.timeout_ms) < 0)
					return cli_usage("--timeout takes seconds from 0.1 to 3600, "
					    "not '%s'", argv[i]);
				cli.timeout_given = true;
			} else {
				cli.cfg_path = argv[i];
				cli.cfg_given = true;
			}
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			char *none[] = {"help", NULL};

			return cmd_help(&cli, 1, none);
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			version = true;
		} else if (a[0] == '-') {
			cli_help(stderr);
			return cli_usage("unknown option %s (trygg --help lists them)", a);
		} else {
			args[nargs++] = argv[i];
		}
	}
	if (version && nargs == 0)
		args[nargs++] = "version";
	args[nargs] = NULL;
	if (nargs == 0) {
		cli_help(stderr);
		return cli_usage("no command given");
	}
	if ((cmd = cli_find(args[0])) < 0) {
		cli_help(stderr);
		return cli_usage("unknown command '%s' (trygg --help lists them)", args[0]);
	}
	if (want_help == 1) {
		cli_command_help(stdout, (size_t)cmd);
		return 0;
	}
	if (cli.cfg_path == NULL && getenv("TRYGG_CONFIG") && *getenv("TRYGG_CONFIG")) {
		cli.cfg_path = getenv("TRYGG_CONFIG");
		cli.cfg_given = true;
	}
	if (cli.cfg_path == NULL)
		cli.cfg_path = cli_config_default();
	if (cli_commands[cmd].needs_cfg || cli_commands[cmd].fn == cmd_version) {
		if ((rc = cli_config_load(&cli, endpoints, nendpoints,
		    cli_commands[cmd].fn == cmd_version)) != 0) {
			cfg_destroy(&cli.cfg);
			return rc;
		}
	}
	cli.zctx = zmq_ctx_new();
	rc = cli_commands[cmd].fn(&cli, nargs, args);
	zmq_ctx_term(cli.zctx);
	tz_destroy(&cli.tz);
	cfg_destroy(&cli.cfg);
	return rc;
}
