/*
 * cmd_incident.c: trygg submit, get, list and update, against trygg-intake.
 */
#include "cli.h"
#include "log.h"
#include "ts.h"
#include "utf8.h"
#include "wire.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLI_INDENT "                     "     /* under a value of cli_print_incident */
#define CLI_HIST_INDENT "      "                /* under a note in the history */

/* Prints a string value padded with blanks to width characters (not bytes). */
static void
cli_column(const msgpack_object *o, size_t width)
{
	const char *s = cli_text_str(o);
	size_t chars = utf8_count(s, strlen(s));

	fputs(s, stdout);
	for (size_t i = chars; i < width; i++)
		putchar(' ');
	putchar(' ');
}

/* Sends to trygg-intake; returns the exit status. */
static int
cli_send_only(cli_t *cli, pack_t *req, msgpack_unpacked *reply)
{
	int rc;

	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.intake, req, reply);
	pack_destroy(&req);
	return rc;
}

/* Sends, prints the reply as JSON when asked, and returns the exit status. */
static int
cli_send(cli_t *cli, pack_t *req, msgpack_unpacked *reply, bool *printed)
{
	int rc = cli_send_only(cli, req, reply);

	*printed = false;
	if (rc == 0 && cli->json) {
		cli_print_json(&reply->data);
		*printed = true;
	}
	return rc;
}

static int
cli_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
cmd_submit(cli_t *cli, int argc, char **argv)
{
	enum { O_ID = 256, O_DISTRICT, O_CATEGORY, O_SEVERITY, O_SUMMARY, O_REPORTER,
	    O_DETAILS, O_OCCURRED, O_LEVEL, O_EXTERNAL, O_REINFORCEMENT, O_MINORS,
	    O_PARTNER, O_LOCATION, O_POLICE, O_OROSANMALAN };
	static const struct option opts[] = {
		{"id", required_argument, NULL, O_ID},
		{"district", required_argument, NULL, O_DISTRICT},
		{"category", required_argument, NULL, O_CATEGORY},
		{"severity", required_argument, NULL, O_SEVERITY},
		{"summary", required_argument, NULL, O_SUMMARY},
		{"reporter", required_argument, NULL, O_REPORTER},
		{"details", required_argument, NULL, O_DETAILS},
		{"occurred-at", required_argument, NULL, O_OCCURRED},
		{"level", required_argument, NULL, O_LEVEL},
		{"needs-external", no_argument, NULL, O_EXTERNAL},
		{"needs-reinforcement", no_argument, NULL, O_REINFORCEMENT},
		{"involves-minors", no_argument, NULL, O_MINORS},
		{"partner", required_argument, NULL, O_PARTNER},
		{"location", required_argument, NULL, O_LOCATION},
		{"police-report", no_argument, NULL, O_POLICE},
		{"orosanmalan", no_argument, NULL, O_OROSANMALAN},
		{NULL, 0, NULL, 0},
	};
	const char *partners[32];
	int npartners = 0, ch, rc;
	char generated[64];
	bool has_id = false, escalates;
	msgpack_unpacked reply;
	const msgpack_object *inc, *esc;
	pack_t *req = cli_op_new(WIRE_OP_SUBMIT);
	long sev;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case O_ID: key = "id"; has_id = true; break;
		case O_DISTRICT: key = "district"; break;
		case O_CATEGORY: key = "category"; break;
		case O_SUMMARY: key = "summary"; break;
		case O_REPORTER: key = "reporter"; break;
		case O_DETAILS: key = "details"; break;
		case O_OCCURRED: key = "occurred_at"; break;
		case O_LEVEL: key = "level"; break;
		case O_LOCATION: key = "location"; break;
		case O_SEVERITY:
			if (cli_parse_int(optarg, 1, 5, &sev) < 0) {
				pack_destroy(&req);
				return cli_usage("--severity takes a whole number from 1 to 5");
			}
			pack_kv_int(req, "severity", sev);
			continue;
		case O_EXTERNAL: pack_kv_bool(req, "needs_external", true); continue;
		case O_REINFORCEMENT: pack_kv_bool(req, "needs_reinforcement", true); continue;
		case O_MINORS: pack_kv_bool(req, "involves_minors", true); continue;
		case O_POLICE: pack_kv_bool(req, "police_report", true); continue;
		case O_OROSANMALAN: pack_kv_bool(req, "orosanmalan", true); continue;
		case O_PARTNER:
			if (npartners == 32) {
				pack_destroy(&req);
				return cli_usage("at most 32 partners");
			}
			partners[npartners++] = optarg;
			continue;
		default:
			pack_destroy(&req);
			return cli_usage("usage: trygg submit --id ID --district D --category C "
			    "--severity N --summary S --reporter R [...]");
		}
		pack_kv_str(req, key, optarg);
	}
	if (optind != argc) {
		pack_destroy(&req);
		return cli_usage("submit: unexpected argument '%s'", argv[optind]);
	}
	if (!has_id) {
		/* one id for this invocation, so that its own retries stay idempotent */
		snprintf(generated, sizeof(generated), "cli-%lld-%d",
		    (long long)ts_now(), (int)getpid());
		pack_kv_str(req, "id", generated);
	}
	if (npartners) {
		pack_key(req, "partners");
		pack_array_open(req);
		for (int i = 0; i < npartners; i++)
			pack_str(req, partners[i]);
		pack_array_close(req);
	}
	if ((rc = cli_send_only(cli, req, &reply)) != 0)
		return rc;
	inc = cli_get(&reply.data, "incident");
	esc = cli_get(inc, "escalation");
	/* an incident beyond the team's scope: say what became of its escalation */
	escalates = esc && esc->type == MSGPACK_OBJECT_STR &&
	    !(esc->via.str.size == 4 && memcmp(esc->via.str.ptr, "none", 4) == 0);
	if (cli->json && !escalates) {
		cli_print_json(&reply.data);
	} else if (!cli->json) {
		const msgpack_object *dup = cli_get(&reply.data, "duplicate");

		printf("%s  %s (%s)  escalation: %s  status: %s%s\n",
		    cli_text_str(cli_get(inc, "number")), cli_text_str(cli_get(inc, "team_name")),
		    cli_text_str(cli_get(inc, "district")), cli_text_str(cli_get(inc, "escalation")),
		    cli_text_str(cli_get(inc, "status")),
		    dup && dup->type == MSGPACK_OBJECT_BOOLEAN && dup->via.boolean ?
		    "  (already received: duplicate)" : "");
	}
	if (escalates)
		cli_incident_escalations(cli, &reply.data, true);
	msgpack_unpacked_destroy(&reply);
	return 0;
}

/* Prints one line per scalar field of an incident map, then its history. */
static void
cli_print_incident(const msgpack_object *inc)
{
	const msgpack_object *hist = cli_get(inc, "history");

	for (uint32_t i = 0; inc && inc->type == MSGPACK_OBJECT_MAP && i < inc->via.map.size; i++) {
		const msgpack_object_kv *kv = &inc->via.map.ptr[i];

		const char *key;

		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		key = cli_text_str(&kv->key);
		switch (kv->val.type) {
		case MSGPACK_OBJECT_STR:
			/* details has lines: they go on under the value */
			printf("%-20s %s\n", key, cli_text_lines(&kv->val, CLI_INDENT));
			break;
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
			printf("%-20s %llu\n", key, (unsigned long long)kv->val.via.u64);
			break;
		case MSGPACK_OBJECT_BOOLEAN:
			printf("%-20s %s\n", key, kv->val.via.boolean ? "yes" : "no");
			break;
		case MSGPACK_OBJECT_ARRAY:
			if (hist == &kv->val)
				break;
			printf("%-20s", key);
			for (uint32_t j = 0; j < kv->val.via.array.size; j++) {
				const msgpack_object *e = &kv->val.via.array.ptr[j];

				if (e->type == MSGPACK_OBJECT_STR)
					printf("%s%s", j ? ", " : " ", cli_text_str(e));
			}
			putchar('\n');
			break;
		default:
			break;
		}
	}
	if (hist && hist->type == MSGPACK_OBJECT_ARRAY) {
		printf("history:\n");
		for (uint32_t j = 0; j < hist->via.array.size; j++) {
			const msgpack_object *h = &hist->via.array.ptr[j];
			const msgpack_object *note = cli_get(h, "note");

			printf("  %s  %-8s by %s", cli_text_str(cli_get(h, "at")),
			    cli_text_str(cli_get(h, "action")), cli_text_str(cli_get(h, "by")));
			if (note)
				printf(": %s", cli_text_lines(note, CLI_HIST_INDENT));
			putchar('\n');
		}
	}
}

int
cmd_get(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"id", required_argument, NULL, 'i'},
		{"history-before", required_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *id = NULL;
	msgpack_unpacked reply;
	long before = 0;
	pack_t *req;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'h') {
			if (cli_parse_int(optarg, 1, LONG_MAX, &before) < 0)
				return cli_usage("--history-before takes the history_next of an "
				    "earlier get");
			continue;
		}
		if (ch != 'i')
			return cli_usage("usage: trygg get NUMBER | trygg get --id CLIENT_ID"
			    " [--history-before N]");
		id = optarg;
	}
	if ((id == NULL) == (optind == argc - 1 ? false : true) || optind < argc - 1)
		return cli_usage("usage: trygg get NUMBER | trygg get --id CLIENT_ID");
	req = cli_op_new(WIRE_OP_GET);
	if (id)
		pack_kv_str(req, "id", id);
	else
		pack_kv_str(req, "number", argv[optind]);
	if (before > 0)
		pack_kv_int(req, "history_before", before);
	if ((rc = cli_send_only(cli, req, &reply)) != 0)
		return rc;
	if (!cli->json)
		cli_print_incident(cli_get(&reply.data, "incident"));
	/* the escalation beside the incident: who was notified, who acknowledged */
	cli_incident_escalations(cli, &reply.data, false);
	msgpack_unpacked_destroy(&reply);
	return 0;
}

int
cmd_list(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"team", required_argument, NULL, 't'},
		{"status", required_argument, NULL, 's'},
		{"since", required_argument, NULL, 'S'},
		{"limit", required_argument, NULL, 'l'},
		{"before", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	pack_t *req = cli_op_new(WIRE_OP_LIST);
	msgpack_unpacked reply;
	const msgpack_object *list;
	bool printed;
	long limit;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': pack_kv_str(req, "team", optarg); break;
		case 's': pack_kv_str(req, "status", optarg); break;
		case 'S': pack_kv_str(req, "since", optarg); break;
		case 'b': pack_kv_str(req, "before", optarg); break;
		case 'l':
			if (cli_parse_int(optarg, 1, 1000, &limit) < 0) {
				pack_destroy(&req);
				return cli_usage("--limit takes a whole number from 1 to 1000");
			}
			pack_kv_int(req, "limit", limit);
			break;
		default:
			pack_destroy(&req);
			return cli_usage("usage: trygg list [--team T] [--status S] [--since T] "
			    "[--limit N] [--before NUMBER]");
		}
	}
	if (optind != argc) {
		pack_destroy(&req);
		return cli_usage("list: unexpected argument '%s'", argv[optind]);
	}
	if ((rc = cli_send(cli, req, &reply, &printed)) != 0)
		return rc;
	list = cli_get(&reply.data, "incidents");
	if (!printed && list && list->type == MSGPACK_OBJECT_ARRAY) {
		for (uint32_t i = 0; i < list->via.array.size; i++) {
			const msgpack_object *inc = &list->via.array.ptr[i];
			const msgpack_object *sev = cli_get(inc, "severity");

			cli_column(cli_get(inc, "number"), 15);
			cli_column(cli_get(inc, "received_at"), 20);
			cli_column(cli_get(inc, "team"), 13);
			cli_column(cli_get(inc, "district"), 12);
			cli_column(cli_get(inc, "category"), 16);
			printf("sev %llu  ", sev ? (unsigned long long)sev->via.u64 : 0ULL);
			cli_column(cli_get(inc, "escalation"), 13);
			cli_column(cli_get(inc, "status"), 6);
			printf("%s\n", cli_text_str(cli_get(inc, "summary")));
		}
		if (list->via.array.size == 0)
			printf("no incidents\n");
	}
	msgpack_unpacked_destroy(&reply);
	return 0;
}

int
cmd_update(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"by", required_argument, NULL, 'b'},
		{"note", required_argument, NULL, 'n'},
		{"status", required_argument, NULL, 's'},
		{"close", no_argument, NULL, 'C'},
		{"reopen", no_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	const char *by = NULL, *note = NULL, *status = NULL;
	char update_id[64];
	msgpack_unpacked reply;
	bool printed;
	pack_t *req;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'n': note = optarg; break;
		case 's': status = optarg; break;
		case 'C': status = "closed"; break;
		case 'R': status = "open"; break;
		default:
			return cli_usage("usage: trygg update NUMBER --by WHO [--note TEXT] "
			    "[--status open|closed | --close | --reopen]");
		}
	}
	if (optind != argc - 1 || by == NULL)
		return cli_usage("usage: trygg update NUMBER --by WHO [--note TEXT] "
		    "[--status open|closed | --close | --reopen]");
	req = cli_op_new(WIRE_OP_UPDATE);
	pack_kv_str(req, "number", argv[optind]);
	pack_kv_str(req, "by", by);
	/* one id for this invocation: its own retries then add the note once */
	snprintf(update_id, sizeof(update_id), "cli-%lld-%d", (long long)ts_now(), (int)getpid());
	pack_kv_str(req, "update_id", update_id);
	if (note)
		pack_kv_str(req, "note", note);
	if (status)
		pack_kv_str(req, "status", status);
	if ((rc = cli_send(cli, req, &reply, &printed)) != 0)
		return rc;
	if (!printed)
		cli_print_incident(cli_get(&reply.data, "incident"));
	msgpack_unpacked_destroy(&reply);
	return 0;
}
