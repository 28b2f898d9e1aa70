/*
 * cmd_incident.c: trygg submit, get, list and update, against trygg-intake.
 */
#include "cli.h"
#include "log.h"
#include "mem.h"
#include "ts.h"
#include "utf8.h"
#include "wire.h"

#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLI_INDENT "                     "     /* under a value of cli_print_incident */
#define CLI_HIST_INDENT "      "                /* under a note in the history */

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

/* edit distance of two short byte strings (longer ones count as far apart) */
static size_t
cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

#define CLI_SUGGEST_MAX 3      /* edits at most between what was typed and a suggestion */
#define CLI_SUGGEST_LIST 40     /* names listed at most when none is close */

/* Says on stderr which of the names are closest to what was typed. */
static void
cli_suggest_from(const char *option, const char *what, const char *whats, const char *typed,
    const char *const *names, size_t n)
{
	buf_t t = BUF_INIT, f = BUF_INIT;
	size_t best = SIZE_MAX;

	utf8_fold(typed, strlen(typed), &t);
	for (size_t i = 0; i < n; i++) {
		size_t d;

		buf_reset(&f);
		utf8_fold(names[i], strlen(names[i]), &f);
		if ((d = cli_distance(buf_str(&t), buf_str(&f))) < best)
			best = d;
	}
	/* what was typed is not repeated (it may be anything); the closest names are */
	for (size_t i = 0, first = 1; best <= CLI_SUGGEST_MAX && i < n; i++) {
		buf_reset(&f);
		utf8_fold(names[i], strlen(names[i]), &f);
		if (cli_distance(buf_str(&t), buf_str(&f)) == best) {
			fprintf(stderr, "%s%s", first ? "trygg: " : " or ", names[i]);
			first = 0;
		}
	}
	if (best <= CLI_SUGGEST_MAX) {
		fprintf(stderr, " is the closest %s (%s)\n", what, option);
	} else {
		/* nothing close: all of them, when they are few enough to read */
		fprintf(stderr, "trygg: the configured %s (%s):", whats, option);
		for (size_t i = 0; i < n && i < CLI_SUGGEST_LIST; i++)
			fprintf(stderr, "%s %s", i ? "," : "", names[i]);
		fprintf(stderr, "%s\n", n > CLI_SUGGEST_LIST ? ", ..." : "");
	}
	buf_free(&t);
	buf_free(&f);
}

/* After a refused submit: the closest configured district or category. */
static void
cli_suggest(cli_t *cli, const char *district, const char *category)
{
	const cfg_t *cfg = cli->cfg;
	const char **names;
	size_t n = 0;

	if (cli->cfg_partial)
		return;
	if (district && cfg_team_by_district(cfg, district, strlen(district), NULL) == NULL) {
		for (size_t i = 0; i < cfg->nteams; i++)
			n += cfg->teams[i].ndistricts;
		names = xcalloc(n ? n : 1, sizeof(*names));
		n = 0;
		for (size_t i = 0; i < cfg->nteams; i++)
			for (size_t j = 0; j < cfg->teams[i].ndistricts; j++)
				names[n++] = cfg->teams[i].districts[j];
		cli_suggest_from("--district", "district", "districts", district, names, n);
		free(names);
	}
	if (category && cfg_category_as_typed(cfg, category, strlen(category)) == NULL) {
		names = xcalloc(cfg->ncategories ? cfg->ncategories : 1, sizeof(*names));
		for (n = 0; n < cfg->ncategories; n++)
			names[n] = cfg->categories[n].id;
		cli_suggest_from("--category", "category", "categories", category, names, n);
		free(names);
	}
}

/* What happens next to a submitted incident, in plain words. */
static void
cli_submit_next(const msgpack_object *inc, bool duplicate)
{
	const msgpack_object *esc = cli_get(inc, "escalation");

	if (duplicate)
		printf("This report was received before (the same --id): nothing new was "
		    "stored.\n");
	if (cli_is(esc, "none"))
		printf("It stays with %s: within the team's scope, nobody else is "
		    "notified.\n", cli_text_str(cli_get(inc, "team_name")));
	else if (cli_is(esc, "reinforcement"))
		printf("It needs reinforcement: trygg-escalation notifies the other teams' "
		    "coordinators.\n");
	else if (cli_is(esc, "external"))
		printf("It is beyond the team's scope: trygg-escalation notifies whoever is "
		    "on call until someone acknowledges.\n");
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
	const char *partners[32], *district = NULL, *category = NULL, *id = NULL;
	int npartners = 0, ch, rc;
	char generated[64], when[TS_RFC3339_MAX];
	bool has_id = false, escalates;
	msgpack_unpacked reply;
	const msgpack_object *inc, *esc;
	pack_t *req = cli_op_new(WIRE_OP_SUBMIT);
	long sev;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case O_ID: key = "id"; has_id = true; id = optarg; break;
		case O_DISTRICT: key = "district"; district = optarg; break;
		case O_CATEGORY: key = "category"; category = optarg; break;
		case O_SUMMARY: key = "summary"; break;
		case O_REPORTER: key = "reporter"; break;
		case O_DETAILS: key = "details"; break;
		case O_OCCURRED:
			if ((rc = cli_time_option(cli, "--occurred-at", optarg, false, when)) != 0) {
				pack_destroy(&req);
				return rc;
			}
			pack_kv_str(req, "occurred_at", when);
			continue;
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
			return cli_usage("usage: trygg submit --district D --category C "
			    "--severity N --summary S --reporter R [OPTIONS] (trygg submit --help)");
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
		id = generated;
	}
	if (npartners) {
		pack_key(req, "partners");
		pack_array_open(req);
		for (int i = 0; i < npartners; i++)
			pack_str(req, partners[i]);
		pack_array_close(req);
	}
	if ((rc = cli_send_only(cli, req, &reply)) != 0) {
		if (rc == EXIT_USAGE && !cli->json)
			cli_suggest(cli, district, category);
		if (rc == EXIT_UNAVAIL && cli->sent)
			fprintf(stderr, "trygg: the report may or may not have reached "
			    "trygg-intake; sending it again with --id %s stores it once\n", id);
		return rc;
	}
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
		cli_submit_next(inc, dup && dup->type == MSGPACK_OBJECT_BOOLEAN &&
		    dup->via.boolean);
	}
	if (escalates)
		cli_incident_escalations(cli, &reply.data, true);
	if (!cli->json)
		printf("Follow it with: trygg get %s\n", cli_text_str(cli_get(inc, "number")));
	msgpack_unpacked_destroy(&reply);
	return 0;
}

/* Prints one line per scalar field of an incident map, then its history. */
static void
cli_print_incident(cli_t *cli, const msgpack_object *inc)
{
	char t[CLI_TIME_MAX];

	const msgpack_object *hist = cli_get(inc, "history");

	for (uint32_t i = 0; inc && inc->type == MSGPACK_OBJECT_MAP && i < inc->via.map.size; i++) {
		const msgpack_object_kv *kv = &inc->via.map.ptr[i];

		const char *key;

		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		key = cli_text_str(&kv->key);
		switch (kv->val.type) {
		case MSGPACK_OBJECT_STR:
			/* times in the configured zone; details has lines under the value */
			if (strlen(key) > 3 && strcmp(key + strlen(key) - 3, "_at") == 0)
				printf("%-20s %s\n", key, cli_local_time(cli, &kv->val, t));
			else
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

			printf("  %s  %-8s by %s", cli_local_time(cli, cli_get(h, "at"), t),
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
		cli_print_incident(cli, cli_get(&reply.data, "incident"));
	/* the escalation beside the incident: who was notified, who acknowledged */
	cli_incident_escalations(cli, &reply.data, false);
	msgpack_unpacked_destroy(&reply);
	return 0;
}


#define LIST_PAGE_MAX     1000     /* intake's own limit on a page */
#define LIST_REQUESTS_MAX 20       /* pages asked for at most to fill one */

enum { LC_NUMBER, LC_RECEIVED, LC_TEAM, LC_DISTRICT, LC_CATEGORY, LC_SEV, LC_ESC,
	LC_STATUS, LC_SUMMARY, LC_N };

static const char *const list_headers[LC_N] = {
	"NUMBER", "RECEIVED", "TEAM", "DISTRICT", "CATEGORY", "SEV", "ESCALATION", "STATUS",
	"SUMMARY",
};

typedef struct {
	const char *team, *status, *since, *until, *before, *escalation;
	char        since_buf[TS_RFC3339_MAX], until_buf[TS_RFC3339_MAX];
	long        severity;           /* at least this; 0: any */
	long        limit;
} list_query_t;

/* One page from intake, the next one after before (NULL: the first). */
static int
list_page(cli_t *cli, const list_query_t *q, const char *before, size_t before_len, long limit,
    msgpack_unpacked *reply)
{
	pack_t *req = cli_op_new(WIRE_OP_LIST);

	if (q->team)
		pack_kv_str(req, "team", q->team);
	if (q->status)
		pack_kv_str(req, "status", q->status);
	if (q->since)
		pack_kv_str(req, "since", q->since);
	if (q->until)
		pack_kv_str(req, "until", q->until);
	if (q->escalation)
		pack_kv_str(req, "escalation", q->escalation);
	if (q->severity > 0)
		pack_kv_int(req, "severity_min", q->severity);
	if (before)
		pack_kv_strn(req, "before", before, before_len);
	pack_kv_int(req, "limit", limit);
	/* the first page counts them all: "20 of 143" */
	if (before == q->before)
		pack_kv_bool(req, "count", true);
	return cli_send_only(cli, req, reply);
}

static void
list_cell(cli_t *cli, const msgpack_object *inc, int c, char out[CLI_TIME_MAX],
    const msgpack_object **obj)
{
	static const char *const keys[LC_N] = {"number", NULL, "team", "district", "category",
	    NULL, "escalation", "status", "summary"};

	*obj = NULL;
	out[0] = '\0';
	if (c == LC_RECEIVED)
		cli_local_time(cli, cli_get(inc, "received_at"), out);
	else if (c == LC_SEV)
		snprintf(out, CLI_TIME_MAX, "%lld", cli_int(inc, "severity"));
	else
		*obj = cli_get(inc, keys[c]);
}

static size_t
list_width(const char *text, const msgpack_object *obj)
{
	return obj ? cli_put_width(obj) : utf8_count(text, strlen(text));
}

static void
list_print(cli_t *cli, const msgpack_object **rows, size_t n)
{
	size_t width[LC_N];
	char text[CLI_TIME_MAX];
	const msgpack_object *obj;

	for (int c = 0; c < LC_N; c++)
		width[c] = strlen(list_headers[c]);
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < LC_N; c++) {
			list_cell(cli, rows[i], c, text, &obj);
			if (list_width(text, obj) > width[c])
				width[c] = list_width(text, obj);
		}
	for (int c = 0; c < LC_N; c++)
		printf("%s%*s", list_headers[c], c < LC_N - 1 ?
		    (int)(width[c] + 2 - strlen(list_headers[c])) : 0, "");
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < LC_N; c++) {
			list_cell(cli, rows[i], c, text, &obj);
			if (obj)
				cli_put(stdout, obj);
			else
				fputs(text, stdout);
			if (c < LC_N - 1)
				printf("%*s", (int)(width[c] + 2 - list_width(text, obj)), "");
		}
		putchar('\n');
	}
}

int
cmd_list(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"team", required_argument, NULL, 't'},
		{"status", required_argument, NULL, 's'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"limit", required_argument, NULL, 'l'},
		{"before", required_argument, NULL, 'b'},
		{"severity", required_argument, NULL, 'v'},
		{"escalation", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	list_query_t q = {.limit = 100};
	msgpack_unpacked *pages = NULL;
	const msgpack_object **rows = NULL;
	size_t npages = 0, nrows = 0;
	int64_t matched = 0;
	bool complete = true, more = false;
	char cursor[80] = "";
	int ch, rc = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': q.team = optarg; break;
		case 'b': q.before = optarg; break;
		case 's':
			if (strcmp(optarg, "open") != 0 && strcmp(optarg, "closed") != 0)
				return cli_usage("--status takes open or closed, not '%s'", optarg);
			q.status = optarg;
			break;
		case 'e':
			if (strcmp(optarg, "none") != 0 && strcmp(optarg, "external") != 0 &&
			    strcmp(optarg, "reinforcement") != 0)
				return cli_usage("--escalation takes none, external or reinforcement, "
				    "not '%s'", optarg);
			q.escalation = optarg;
			break;
		case 'S':
			if ((rc = cli_time_option(cli, "--since", optarg, false, q.since_buf)) != 0)
				return rc;
			q.since = q.since_buf;
			break;
		case 'U':
			if ((rc = cli_time_option(cli, "--until", optarg, false, q.until_buf)) != 0)
				return rc;
			q.until = q.until_buf;
			break;
		case 'v':
			if (cli_parse_int(optarg, 1, 5, &q.severity) < 0)
				return cli_usage("--severity takes a whole number from 1 to 5");
			break;
		case 'l':
			if (cli_parse_int(optarg, 1, LIST_PAGE_MAX, &q.limit) < 0)
				return cli_usage("--limit takes a whole number from 1 to %d",
				    LIST_PAGE_MAX);
			break;
		default:
			return cli_usage("usage: trygg list [--team T] [--status S] [--escalation E] "
			    "[--severity N] [--since T] [--until T] [--limit N] [--before NUMBER]");
		}
	}
	if (optind != argc)
		return cli_usage("list: unexpected argument '%s'", argv[optind]);
	rows = xcalloc((size_t)q.limit, sizeof(*rows));
	pages = xcalloc(LIST_REQUESTS_MAX, sizeof(*pages));
	/*
	 * intake filters and counts; a page it ends early (its escalation and
	 * severity filters turned many away) is followed by the next, so that
	 * limit incidents are shown when there are as many.
	 */
	for (int k = 0; k < LIST_REQUESTS_MAX && nrows < (size_t)q.limit; k++) {
		msgpack_unpacked *pg = &pages[npages];
		const msgpack_object *list, *nx, *total;
		const char *before = cursor[0] ? cursor : q.before;
		uint32_t size;

		if ((rc = list_page(cli, &q, before, before ? strlen(before) : 0,
		    q.limit - (long)nrows, pg)) != 0)
			break;
		npages++;
		if (k == 0 && (total = cli_get(&pg->data, "total")) != NULL) {
			matched = cli_int(&pg->data, "total");
			const msgpack_object *tm = cli_get(&pg->data, "total_more");

			complete = !(tm && tm->type == MSGPACK_OBJECT_BOOLEAN && tm->via.boolean);
		}
		list = cli_get(&pg->data, "incidents");
		size = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
		for (uint32_t i = 0; i < size && nrows < (size_t)q.limit; i++)
			rows[nrows++] = &list->via.array.ptr[i];
		nx = cli_get(&pg->data, "next");
		more = nx && nx->type == MSGPACK_OBJECT_STR && nx->via.str.size < sizeof(cursor);
		if (!more)
			break;
		snprintf(cursor, sizeof(cursor), "%.*s", (int)nx->via.str.size, nx->via.str.ptr);
	}
	if (matched < (int64_t)nrows)
		matched = (int64_t)nrows;
	if (rc != 0)
		goto out;
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_key(p, "incidents");
		pack_array_open(p);
		for (size_t i = 0; i < nrows; i++)
			pack_obj(p, rows[i]);
		pack_array_close(p);
		pack_kv_int(p, "shown", (int64_t)nrows);
		pack_kv_int(p, "matched", matched);
		pack_kv_bool(p, "matched_complete", complete);
		if (more)
			pack_kv_strn(p, "next", cursor, strlen(cursor));
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
	} else if (nrows == 0) {
		if (more)
			printf("no incidents among the newest read; older ones may match: "
			    "trygg list ... --before %s\n", cursor);
		else
			printf("no incidents\n");
	} else {
		list_print(cli, rows, nrows);
		if (more)
			printf("%zu of %s%lld shown; the next page: trygg list ... --before %s\n",
			    nrows, complete ? "" : "at least ", (long long)matched, cursor);
		else if (nrows > 1)
			printf("%zu incidents\n", nrows);
	}
out:
	for (size_t i = 0; i < npages; i++)
		msgpack_unpacked_destroy(&pages[i]);
	free(pages);
	free(rows);
	return rc;
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
	const char *by = NULL, *note = NULL, *status = NULL, *status_opt = NULL;
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
		case 's':
		case 'C':
		case 'R':
			if (status_opt != NULL)
				return cli_usage("update: %s and %s cannot both be given (one status "
				    "change at a time)", status_opt, ch == 's' ? "--status" :
				    ch == 'C' ? "--close" : "--reopen");
			status_opt = ch == 's' ? "--status" : ch == 'C' ? "--close" : "--reopen";
			status = ch == 's' ? optarg : ch == 'C' ? "closed" : "open";
			if (strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
				return cli_usage("--status takes open or closed, not '%s'", status);
			break;
		default:
			return cli_usage("usage: trygg update NUMBER --by WHO [--note TEXT] "
			    "[--status open|closed | --close | --reopen]");
		}
	}
	if (optind != argc - 1)
		return cli_usage("usage: trygg update NUMBER --by WHO [--note TEXT] "
		    "[--status open|closed | --close | --reopen]");
	if (by == NULL)
		return cli_usage("update: --by WHO is required (who makes the change)");
	if (note == NULL && status == NULL)
		return cli_usage("update: nothing to change: give --note, --close, --reopen "
		    "or --status");
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
		cli_print_incident(cli, cli_get(&reply.data, "incident"));
	msgpack_unpacked_destroy(&reply);
	return 0;
}
