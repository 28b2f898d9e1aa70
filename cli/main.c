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
 * the daemons (needs their endpoints), usage, and help (what it does, its
 * options, one example). See cli.h for the exit statuses.
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
static int cmd_help(cli_t *cli, int argc, char **argv);
static int cmd_version(cli_t *cli, int argc, char **argv);

static const struct {
	const char *name;
	int       (*fn)(cli_t *, int, char **);
	bool        needs_cfg;
	const char *usage;
	const char *help;       /* what it does, its options, an example; may be NULL */
} cli_commands[] = {
	{"submit", cmd_submit, true, "submit --district D --category C --severity N "
	    "--summary S --reporter R [OPTIONS]",
	    "Reports an incident, and says what happens next\n"
	    "\n"
	    "Sends the report to trygg-intake and prints its number and team, then in\n"
	    "plain words what happens next: for an incident beyond the team's scope, who\n"
	    "is on call now and whether trygg-escalation has notified them yet.\n"
	    "\n"
	    "  --district D           where it happened (a configured district)\n"
	    "  --category C           what happened (a configured category)\n"
	    "  --severity N           1 (minor) to 5 (most severe)\n"
	    "  --summary S            one line\n"
	    "  --reporter R           who reports\n"
	    "  --details T            more text, may have several lines\n"
	    "  --occurred-at T        when it happened (default: now); local time\n"
	    "                         \"2026-12-02 10:00\", \"2026-12-02T10:00\" or RFC 3339\n"
	    "  --level L              the reporter's own judgement of the level\n"
	    "  --needs-external       needs help from outside the team (escalates)\n"
	    "  --needs-reinforcement  needs another team's help\n"
	    "  --involves-minors      minors are involved\n"
	    "  --partner P            a partner organisation involved (repeatable)\n"
	    "  --location L           where, more precisely\n"
	    "  --police-report        a police report was made\n"
	    "  --orosanmalan          an orosanmälan was made\n"
	    "  --id ID                the report's own id; sending it again with the same\n"
	    "                         id stores it once (default: one made per run)\n"
	    "\n"
	    "example:\n"
	    "  trygg submit --district Skäggetorp --category skadegorelse --severity 2 \\\n"
	    "      --summary \"Klotter på skolans vägg\" --reporter \"Fältsekreterare A\"\n"},
	{"get", cmd_get, true, "get NUMBER | get --id CLIENT_ID",
	    "Shows one incident with its history, and its escalations beside it\n"
	    "\n"
	    "  NUMBER                 the incident's number (INC-2026-000001)\n"
	    "  --id CLIENT_ID         the id it was submitted with\n"
	    "  --history-before N     older history: the history_next of an earlier get\n"
	    "\n"
	    "example:\n"
	    "  trygg get INC-2026-000001\n"},
	{"list", cmd_list, true, "list [--team T] [--status open|closed] [--escalation E] "
	    "[--severity N] [--since T] [--until T] [--limit N] [--before NUMBER]",
	    "Lists incidents, the last received first\n"
	    "\n"
	    "One a line under a header. When more match than are shown it says so (\"20 shown, more match\") with the\n"
	    "command for the next page.\n"
	    "\n"
	    "  --team T               a configured team id\n"
	    "  --status S             open or closed\n"
	    "  --escalation E         none, external or reinforcement\n"
	    "  --severity N           severity N or higher (1-5)\n"
	    "  --since T              received at or after T (local time or RFC 3339;\n"
	    "                         a date alone is the start of that day)\n"
	    "  --until T              received before T (a date alone: before that day)\n"
	    "  --limit N              at most N incidents (1-1000, default 100)\n"
	    "  --before NUMBER        the next page: incidents received before NUMBER\n"
	    "\n"
	    "example:\n"
	    "  trygg list --team omradesteam-1 --status open --since 2026-12-01\n"},
	{"update", cmd_update, true, "update NUMBER --by WHO [--note TEXT] "
	    "[--status open|closed | --close | --reopen]",
	    "Adds a note to an incident, or closes or reopens it.\n"
	    "\n"
	    "  --by WHO               who makes the change (required)\n"
	    "  --note TEXT            a note for the history\n"
	    "  --close                close it (the same as --status closed)\n"
	    "  --reopen               reopen it (the same as --status open)\n"
	    "  --status S             open or closed; only one of --status, --close and\n"
	    "                         --reopen may be given\n"
	    "\n"
	    "example:\n"
	    "  trygg update INC-2026-000001 --by samordnare --note \"Sanerat\" --close\n"},
	{"escalations", cmd_escalations, true, "escalations [--status S] [--incident NUMBER] "
	    "[--limit N] [--before ID]",
	    "Lists escalations, the newest first, from trygg-escalation.\n"
	    "\n"
	    "  --status S             open, acked, unanswered or resolved\n"
	    "  --incident NUMBER      only this incident's\n"
	    "  --limit N              at most N (1-1000)\n"
	    "  --before ID            the next page: escalations before ID\n"
	    "\n"
	    "example:\n"
	    "  trygg escalations --status open\n"},
	{"ack", cmd_ack, true, "ack ESCALATION --by CONTACT",
	    "Acknowledges an escalation\n"
	    "\n"
	    "The person on call has taken it: the reminders and the next steps stop.\n"
	    "\n"
	    "  ESCALATION             the escalation's number (trygg escalations)\n"
	    "  --by CONTACT           the contact id of who acknowledges (required)\n"
	    "\n"
	    "example:\n"
	    "  trygg ack 12 --by tib-1\n"},
	{"resolve", cmd_resolve, true, "resolve ESCALATION --by CONTACT [--note TEXT]",
	    "Marks an escalation as resolved.\n"
	    "\n"
	    "  ESCALATION             the escalation's number\n"
	    "  --by CONTACT           the contact id of who resolves it (required)\n"
	    "  --note TEXT            what was done\n"
	    "\n"
	    "example:\n"
	    "  trygg resolve 12 --by tib-1 --note \"Räddningstjänsten på plats\"\n"},
	{"watch", cmd_watch, true, "watch [CONTACT]",
	    "Prints the notifications as they are sent\n"
	    "\n"
	    "Each notification from trygg-escalation with the ack command to run, until\n"
	    "Ctrl-C. With --json, one JSON object a line.\n"
	    "\n"
	    "  CONTACT                only this contact's notifications\n"
	    "\n"
	    "example:\n"
	    "  trygg watch tib-1\n"},
	{"status", cmd_status, true, "status",
	    "Every daemon at a glance\n"
	    "\n"
	    "Up or down, version, uptime, database size and the backlog of each link\n"
	    "between them. Exits 69 when one is down.\n"
	    "\n"
	    "example:\n"
	    "  trygg status\n"},
	{"oncall", cmd_oncall, true, "oncall [--at TIME] [--config FILE]",
	    "Who is on call now, or at another time\n"
	    "\n"
	    "The contact, their deputy, why (office hours, weekend, the holiday's name)\n"
	    "and until when. Asks trygg-escalation, which decides, unless --config is\n"
	    "given.\n"
	    "\n"
	    "  --at TIME              at another time (local time or RFC 3339)\n"
	    "  --config FILE          decide here from FILE instead of asking the daemon\n"
	    "                         (to check a configuration before it is deployed)\n"
	    "\n"
	    "example:\n"
	    "  trygg oncall --at \"2026-12-24 22:00\"\n"},
	{"rota", cmd_rota, true, "rota [--from DATE] [--weeks N]",
	    "The TiB rota for the coming weeks\n"
	    "\n"
	    "Computed from the configuration: each stretch of duty with its deputy and\n"
	    "overrides; the current one is marked with *.\n"
	    "\n"
	    "  --from DATE            from this date (YYYY-MM-DD; default today)\n"
	    "  --weeks N              this many weeks (1-520, default 4)\n"
	    "\n"
	    "example:\n"
	    "  trygg rota --from 2026-12-01 --weeks 8\n"},
	{"ping", cmd_ping, true, "ping [--wait] [intake|escalation|reporting]",
	    "Asks one daemon whether it answers (default intake).\n"
	    "\n"
	    "  --wait                 a daemon that is not listening yet (starting) is\n"
	    "                         waited for, up to --timeout\n"
	    "\n"
	    "example:\n"
	    "  trygg ping escalation\n"},
	{"calendar", cmd_calendar, false, "calendar holidays YEAR",
	    "The Swedish public holidays and eves of a year, as office hours use them.\n"
	    "\n"
	    "example:\n"
	    "  trygg calendar holidays 2026\n"},
	{"config", cmd_config, false, "config check [FILE]",
	    "Checks a configuration file\n"
	    "\n"
	    "Loads it the way the daemons do and reports every problem with its line\n"
	    "and column. FILE defaults to the one -c names.\n"
	    "\n"
	    "example:\n"
	    "  trygg config check /etc/trygg/trygg.yaml\n"},
	{"report", cmd_report, true, "report KIND --period P [--team T] "
	    "[--format json|csv|md|html] [--suppress] [-o FILE]",
	    "A report from trygg-reporting: lagesbild, escalations or annual.\n"
	    "\n"
	    "  --period P             2026-W48, 2026-11, 2026-Q4, 2026-T3 or 2026\n"
	    "  --team T               one team (default all)\n"
	    "  --format F             json (default), csv, md or html\n"
	    "  --suppress             hide counts under the small-count limit\n"
	    "  -o, --output FILE      write it to FILE (whole or not at all)\n"
	    "\n"
	    "example:\n"
	    "  trygg report lagesbild --period 2026-W48 --format md\n"},
	{"jobs", cmd_jobs, true, "jobs",
	    "The scheduled reports with their last and next run.\n"
	    "\n"
	    "example:\n"
	    "  trygg jobs\n"},
	{"help", cmd_help, false, "help [COMMAND]",
	    "The commands, or one command's options and an example.\n"
	    "\n"
	    "example:\n"
	    "  trygg help submit\n"},
	{"version", cmd_version, false, "version",
	    "This client's version and, for each daemon that answers, its version.\n"
	    "\n"
	    "example:\n"
	    "  trygg version\n"},
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static const char cli_global_help[] =
    "global options (before the command; --json anywhere):\n"
    "  -c, --config FILE        the configuration (default $TRYGG_CONFIG, else\n"
    "                           " CLI_CONFIG_DEFAULT ")\n"
    "  --endpoint NAME=URL      a daemon's endpoint (intake, escalation,\n"
    "                           notifications, reporting); repeatable; also\n"
    "                           TRYGG_INTAKE, TRYGG_ESCALATION, ... in the environment\n"
    "  --timeout SECONDS        how long to wait for a daemon (default 2)\n"
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
	const char *h = cli_commands[i].help;
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
	if (cli_commands[i].help)
		pack_kv_str(p, "help", cli_commands[i].help);
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
	if (cli_commands[i].help)
		fputs(cli_commands[i].help, out);
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
		rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
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
		rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
		rpc_client_destroy(&c);
		waited = first;
		/* gone meanwhile: no use waiting for it */
		if (rc < 0 && cli_probe(endpoint, CLI_PROBE_MS, err, sizeof(err)) < 0)
			return cli_fail(EXIT_UNAVAIL, "unavailable", "%s stopped while trygg "
			    "waited for its answer: nothing listens at %s now; is %s running? "
			    "Check with: systemctl status %s", svc, endpoint, svc, svc);
		if (rc < 0 && timeout_ms - first >= CLI_RETRY_MIN_MS) {
			int rest = timeout_ms - first;

			fprintf(stderr, "trygg: %s at %s has not answered in %d.%d s; waiting "
			    "up to %d.%d s more (--timeout)\n", svc, endpoint, first / 1000,
			    first % 1000 / 100, rest / 1000, rest % 1000 / 100);
			c = rpc_client_new(cli->zctx, endpoint, rest / 2, 2);
			rc = rpc_client_call(c, data, len, &raw, &raw_len, err, sizeof(err));
			rpc_client_destroy(&c);
			waited = timeout_ms;
		}
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
		cli.cfg_path = CLI_CONFIG_DEFAULT;
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
