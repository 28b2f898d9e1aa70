/*
 * trygg: the command-line client for trygg's daemons.
 *
 *   trygg [-c CONFIG] [--json] COMMAND [ARGS...]
 *
 * Global options come before the command; --json may stand anywhere. The
 * command table below says which commands need the configuration loaded
 * (to find the daemons' endpoints); see cli.h for exit statuses.
 */
#include "cli.h"
#include "json.h"
#include "log.h"
#include "msg.h"
#include "rpc.h"
#include "tz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define CLI_TIMEOUT_MS 5000
#define CLI_ATTEMPTS   3

int cmd_report(cli_t *cli, int argc, char **argv);     /* cmd_report.c */
int cmd_jobs(cli_t *cli, int argc, char **argv);       /* cmd_report.c */
int cmd_backup(cli_t *cli, int argc, char **argv);     /* cmd_backup.c */

static const struct {
	const char *name;
	int       (*fn)(cli_t *, int, char **);
	bool        needs_cfg;
	const char *usage;
} cli_commands[] = {
	{"submit", cmd_submit, true, "submit --id ID --district D --category C --severity N "
	    "--summary S --reporter R [--details T] [--occurred-at T] [--level L] "
	    "[--needs-external] [--needs-reinforcement] [--involves-minors] "
	    "[--partner P]... [--location L] [--police-report] [--orosanmalan]"},
	{"get", cmd_get, true, "get NUMBER | get --id CLIENT_ID"},
	{"list", cmd_list, true, "list [--team T] [--status open|closed] [--since T] [--limit N]"},
	{"update", cmd_update, true, "update NUMBER --by WHO [--note TEXT] "
	    "[--status open|closed | --close | --reopen]"},
	{"escalations", cmd_escalations, true, "escalations [--status S] [--incident NUMBER] "
	    "[--limit N] [--before ID]"},
	{"ack", cmd_ack, true, "ack ESCALATION --by CONTACT"},
	{"resolve", cmd_resolve, true, "resolve ESCALATION --by CONTACT [--note TEXT]"},
	{"watch", cmd_watch, true, "watch [CONTACT]"},
	{"status", cmd_status, true, "status"},
	{"oncall", cmd_oncall, true, "oncall [--at RFC3339]"},
	{"rota", cmd_rota, true, "rota [--from YYYY-MM-DD] [--weeks N]"},
	{"ping", cmd_ping, true, "ping [intake|escalation|reporting]"},
	{"calendar", cmd_calendar, false, "calendar holidays YEAR"},
	{"config", cmd_config, false, "config check [FILE]"},
	{"report", cmd_report, true, "report KIND --period P [--team T] "
	    "[--format json|csv|md|html] [--suppress] [-o FILE]"},
	{"jobs", cmd_jobs, true, "jobs"},
	{"backup", cmd_backup, true, "backup DIR"},
	{"audit", cmd_audit, false, "audit verify [--db FILE]..."},
	{"keygen", cmd_keygen, false, "keygen [--out FILE]"},
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static void
cli_help(FILE *out)
{
	fprintf(out, "usage: trygg [-c CONFIG] [--json] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < CLI_NCOMMANDS; i++)
		fprintf(out, "  trygg %s\n", cli_commands[i].usage);
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("trygg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
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

/* Prints an error reply's code, message and field on stderr. */
static void
cli_print_error(const msgpack_object *reply)
{
	const msgpack_object *e = cli_get(reply, "error");
	const msgpack_object *code = cli_get(e, "code");
	const msgpack_object *msg = cli_get(e, "message");
	const msgpack_object *field = cli_get(e, "field");

	/* a reply is data like any other: printed through cli_text_str() */
	fprintf(stderr, "trygg: %s: %s",
	    code && code->type == MSGPACK_OBJECT_STR ? cli_text_str(code) : "error",
	    msg && msg->type == MSGPACK_OBJECT_STR ? cli_text_str(msg) : "");
	if (field && field->type == MSGPACK_OBJECT_STR)
		fprintf(stderr, " (field %s)", cli_text_str(field));
	fputc('\n', stderr);
}

int
cli_call(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply)
{
	return cli_call_with(cli, endpoint, req, reply, CLI_TIMEOUT_MS, CLI_ATTEMPTS, NULL, 0);
}

int
cli_call_with(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply,
    int timeout_ms, int attempts, char *errbuf, size_t errlen)
{
	rpc_client_t *c = rpc_client_new(cli->zctx, endpoint, timeout_ms, attempts);
	const void *data;
	char *raw = NULL, err[512];
	size_t len, raw_len;
	const msgpack_object *ok;
	msgpack_unpacker unp;
	msgpack_unpack_return urc;

	rpc_client_prepare(c, cli_auth_prepare, cli);
	data = pack_data(req, &len);
	if (rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err)) < 0) {
		rpc_client_destroy(&c);
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s", err);
		else
			fprintf(stderr, "trygg: %s (is the daemon running?)\n", err);
		return EXIT_UNAVAIL;
	}
	rpc_client_destroy(&c);
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
		if (errbuf != NULL)
			snprintf(errbuf, errlen, "%s sent a reply that is not a msgpack map",
			    endpoint);
		else
			fprintf(stderr, "trygg: %s sent a reply that is not a msgpack map\n",
			    endpoint);
		return EXIT_SOFTWARE;
	}
	ok = cli_get(&reply->data, "ok");
	if (ok == NULL || ok->type != MSGPACK_OBJECT_BOOLEAN || !ok->via.boolean) {
		if (errbuf != NULL) {
			cli_error_text(&reply->data, errbuf, errlen);
		} else {
			if (cli->json)
				cli_print_json(&reply->data);
			cli_print_error(&reply->data);
		}
		msgpack_unpacked_destroy(reply);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	cli_t cli = {.cfg_path = NULL, .cfg = NULL, .json = false, .zctx = NULL, .tz = NULL};
	char **args = argv + 1;         /* the arguments left, gathered in place */
	int nargs = 0, rc;

	log_init("trygg", 0);
	/* --json anywhere; -c FILE and --help before the command */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli.json = true;
		} else if (nargs == 0 && strcmp(argv[i], "-c") == 0) {
			if (++i == argc)
				return cli_usage("-c needs a configuration file");
			cli.cfg_path = argv[i];
			cli.cfg_given = true;
		} else if (nargs == 0 && (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0)) {
			cli_help(stdout);
			return 0;
		} else if (nargs == 0 && argv[i][0] == '-') {
			cli_help(stderr);
			return cli_usage("unknown option %s", argv[i]);
		} else {
			args[nargs++] = argv[i];
		}
	}
	args[nargs] = NULL;
	if (nargs == 0) {
		cli_help(stderr);
		return EXIT_USAGE;
	}
	if (cli.cfg_path == NULL)
		cli.cfg_path = getenv("TRYGG_CONFIG") ? getenv("TRYGG_CONFIG") : CFG_DEFAULT_PATH;
	for (size_t i = 0; i < CLI_NCOMMANDS; i++) {
		if (strcmp(args[0], cli_commands[i].name) != 0)
			continue;
		if (cli_commands[i].needs_cfg) {
			buf_t errors = BUF_INIT;

			if ((cli.cfg = cfg_load(cli.cfg_path, &errors)) == NULL) {
				fputs(buf_str(&errors), stderr);
				fprintf(stderr, "trygg: %s: invalid configuration\n", cli.cfg_path);
				buf_free(&errors);
				return EXIT_CONFIG;
			}
		}
		cli.zctx = zmq_ctx_new();
		rc = cli_commands[i].fn(&cli, nargs, args);
		zmq_ctx_term(cli.zctx);
		tz_destroy(&cli.tz);
		cfg_destroy(&cli.cfg);
		return rc;
	}
	cli_help(stderr);
	return cli_usage("unknown command '%s'", args[0]);
}
