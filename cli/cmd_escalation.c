/*
 * cmd_escalation.c: the commands of the people on call, against
 * trygg-escalation: ack, resolve, escalations (a list), and an incident's
 * escalations beside it for get and submit. watch and status, which the
 * people on call use too, are cmd_watch.c and cmd_status.c.
 *
 * Times a person reads are in the configured zone ("2026-12-01 03:12 CET");
 * --json prints the daemons' replies with their RFC 3339 times unchanged.
 * Steps are counted from 1 for people ("step 1" is the policy's first
 * step), from 0 on the wire.
 */
#include "cli.h"
#include "log.h"
#include "ts.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ESC_ASIDE_TIMEOUT_MS  2000      /* escalation beside get/submit: one attempt */
#define ESC_SUBMIT_WAIT_MS    2000      /* submit waits this long for the escalation */
#define ESC_SUBMIT_POLL_MS    100       /* ... asking this often */
#define ESC_INCIDENT_MAX      8         /* escalations of one incident shown */
#define ESC_LIST_ROWS_MAX     1000      /* the daemon's own page limit */

static int
esc_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void
esc_pad(size_t have, size_t width)
{
	for (size_t i = have; i < width; i++)
		putchar(' ');
}

/* Sends req (map open) to trygg-escalation; prints the reply as JSON with --json. */
static int
esc_send(cli_t *cli, pack_t *req, msgpack_unpacked *reply)
{
	int rc;

	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.escalation, req, reply);
	pack_destroy(&req);
	if (rc == 0 && cli->json)
		cli_print_json(&reply->data);
	return rc;
}

/* ---- ack and resolve ---- */

static int
esc_change(cli_t *cli, int argc, char **argv, bool resolve)
{
	static const struct option opts[] = {
		{"by", required_argument, NULL, 'b'},
		{"note", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *usage = resolve ?
	    "usage: trygg resolve ESCALATION --by CONTACT [--note TEXT]" :
	    "usage: trygg ack ESCALATION --by CONTACT";
	const char *by = NULL, *note = NULL;
	const msgpack_object *e, *changed;
	msgpack_unpacked reply;
	char t[CLI_TIME_MAX];
	pack_t *req;
	long id;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case 'n':
			if (!resolve)
				return cli_usage("ack: --note belongs to resolve (trygg resolve "
				    "ESCALATION --by CONTACT --note TEXT)");
			note = optarg;
			break;
		default:
			return cli_usage("%s", usage);
		}
	}
	if (optind != argc - 1 || by == NULL)
		return cli_usage("%s", usage);
	if (esc_parse_int(argv[optind], 1, LONG_MAX, &id) < 0)
		return cli_usage("%s: ESCALATION is the escalation's number (see trygg "
		    "escalations), not '%s'", argv[0], argv[optind]);
	req = cli_op_new(resolve ? WIRE_OP_RESOLVE : WIRE_OP_ACK);
	pack_kv_int(req, "escalation", id);
	pack_kv_str(req, "by", by);
	if (note)
		pack_kv_str(req, "note", note);
	if ((rc = esc_send(cli, req, &reply)) != 0)
		return rc;
	if (cli->json)
		goto out;
	e = cli_get(&reply.data, "escalation");
	changed = cli_get(&reply.data, "changed");
	printf("escalation %ld (", id);
	cli_put(stdout, cli_get(e, "incident"));
	fputs(") ", stdout);
	if (changed && changed->type == MSGPACK_OBJECT_BOOLEAN && changed->via.boolean) {
		fputs(resolve ? "resolved" : "acknowledged", stdout);
		printf(" by ");
		cli_put_contact_id(cli, resolve ? cli_get(e, "resolved_by") : cli_get(e, "acked_by"));
		printf(" at %s\n", cli_local_time(cli, resolve ? cli_get(e, "resolved_at") :
		    cli_get(e, "acked_at"), t));
	} else if (cli_is(cli_get(e, "status"), "resolved")) {
		printf("was already resolved by ");
		cli_put_contact_id(cli, cli_get(e, "resolved_by"));
		printf(" at %s\n", cli_local_time(cli, cli_get(e, "resolved_at"), t));
	} else {
		printf("was already acknowledged by ");
		cli_put_contact_id(cli, cli_get(e, "acked_by"));
		printf(" at %s\n", cli_local_time(cli, cli_get(e, "acked_at"), t));
	}
out:
	msgpack_unpacked_destroy(&reply);
	return 0;
}

int
cmd_ack(cli_t *cli, int argc, char **argv)
{
	return esc_change(cli, argc, argv, false);
}

int
cmd_resolve(cli_t *cli, int argc, char **argv)
{
	return esc_change(cli, argc, argv, true);
}

/* ---- escalations: the list ---- */

enum { COL_ID, COL_INCIDENT, COL_KIND, COL_STATUS, COL_STEP, COL_CONTACT, COL_CREATED,
	COL_SEV, COL_DISTRICT, COL_SUMMARY, NCOLS };

static const char *const esc_headers[NCOLS] = {
	"ID", "INCIDENT", "KIND", "STATUS", "STEP", "CONTACT", "CREATED", "SEV",
	"DISTRICT", "SUMMARY",
};

/* One row's cells: strings the caller prints with cli_put, or text. */
typedef struct {
	char                  text[NCOLS][CLI_TIME_MAX];
	const msgpack_object *obj[NCOLS];       /* when set, printed from the data */
} esc_row_t;

static size_t
esc_cell_width(const esc_row_t *r, int c)
{
	return r->obj[c] ? cli_put_width(r->obj[c]) : utf8_count(r->text[c], strlen(r->text[c]));
}

static void
esc_row_fill(cli_t *cli, const msgpack_object *e, esc_row_t *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->text[COL_ID], sizeof(r->text[0]), "%lld", cli_int(e, "id"));
	r->obj[COL_INCIDENT] = cli_get(e, "incident");
	r->obj[COL_KIND] = cli_get(e, "kind");
	r->obj[COL_STATUS] = cli_get(e, "status");
	snprintf(r->text[COL_STEP], sizeof(r->text[0]), "%lld", cli_int(e, "step") + 1);
	r->obj[COL_CONTACT] = cli_get(cli_get(e, "contact"), "id");
	cli_local_time(cli, cli_get(e, "created_at"), r->text[COL_CREATED]);
	snprintf(r->text[COL_SEV], sizeof(r->text[0]), "%lld", cli_int(e, "severity"));
	r->obj[COL_DISTRICT] = cli_get(e, "district");
	r->obj[COL_SUMMARY] = cli_get(e, "summary");
}

int
cmd_escalations(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"status", required_argument, NULL, 's'},
		{"incident", required_argument, NULL, 'i'},
		{"limit", required_argument, NULL, 'l'},
		{"before", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	pack_t *req = cli_op_new(WIRE_OP_LIST);
	const msgpack_object *list, *next;
	msgpack_unpacked reply;
	esc_row_t *rows = NULL;
	size_t width[NCOLS];
	uint32_t n;
	long v;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': pack_kv_str(req, "status", optarg); break;
		case 'i': pack_kv_str(req, "incident", optarg); break;
		case 'l':
		case 'b':
			if (esc_parse_int(optarg, 1, ch == 'l' ? ESC_LIST_ROWS_MAX : LONG_MAX,
			    &v) < 0) {
				pack_destroy(&req);
				return ch == 'l' ?
				    cli_usage("escalations: --limit takes a whole number from 1 to %d",
				    ESC_LIST_ROWS_MAX) :
				    cli_usage("escalations: --before takes an escalation's number");
			}
			pack_kv_int(req, ch == 'l' ? "limit" : "before", v);
			break;
		default:
			pack_destroy(&req);
			return cli_usage("usage: trygg escalations [--status open|acked|unanswered|"
			    "resolved] [--incident NUMBER] [--limit N] [--before ID]");
		}
	}
	if (optind != argc) {
		pack_destroy(&req);
		return cli_usage("escalations: unexpected argument '%s'", argv[optind]);
	}
	if ((rc = esc_send(cli, req, &reply)) != 0)
		return rc;
	list = cli_get(&reply.data, "escalations");
	n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (cli->json)
		goto out;
	if (n == 0) {
		printf("no escalations\n");
		goto out;
	}
	rows = calloc(n, sizeof(*rows));
	if (rows == NULL) {
		msgpack_unpacked_destroy(&reply);
		fprintf(stderr, "trygg: out of memory\n");
		return EXIT_SOFTWARE;
	}
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(esc_headers[c]);
	for (uint32_t i = 0; i < n; i++) {
		esc_row_fill(cli, &list->via.array.ptr[i], &rows[i]);
		for (int c = 0; c < NCOLS; c++)
			if (esc_cell_width(&rows[i], c) > width[c])
				width[c] = esc_cell_width(&rows[i], c);
	}
	for (int c = 0; c < NCOLS; c++) {
		fputs(esc_headers[c], stdout);
		if (c < NCOLS - 1)
			esc_pad(strlen(esc_headers[c]), width[c] + 2);
	}
	putchar('\n');
	for (uint32_t i = 0; i < n; i++) {
		for (int c = 0; c < NCOLS; c++) {
			if (rows[i].obj[c])
				cli_put(stdout, rows[i].obj[c]);
			else
				fputs(rows[i].text[c], stdout);
			if (c < NCOLS - 1)
				esc_pad(esc_cell_width(&rows[i], c), width[c] + 2);
		}
		putchar('\n');
	}
	if ((next = cli_get(&reply.data, "next")) != NULL)
		printf("(more: trygg escalations --before %lld)\n", cli_int(&reply.data, "next"));
out:
	free(rows);
	msgpack_unpacked_destroy(&reply);
	return 0;
}

/* ---- an incident's escalations, for get and submit ---- */

/* Asks trygg-escalation for the ids of an incident's escalations; -1 with err when it failed. */
static int
esc_of_incident(cli_t *cli, const msgpack_object *number, int timeout_ms,
    long long ids[ESC_INCIDENT_MAX], char *err, size_t errlen)
{
	pack_t *req = cli_op_new(WIRE_OP_LIST);
	msgpack_unpacked reply;
	const msgpack_object *list;
	int n = 0, rc;

	pack_kv_strn(req, "incident", number->via.str.ptr, number->via.str.size);
	pack_kv_int(req, "limit", ESC_INCIDENT_MAX);
	pack_map_close(req);
	rc = cli_call_with(cli, cli->cfg->endpoints.escalation, req, &reply, timeout_ms, 1,
	    err, errlen);
	pack_destroy(&req);
	if (rc != 0)
		return -1;
	list = cli_get(&reply.data, "escalations");
	/* oldest first, as they happened */
	for (uint32_t i = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	    i > 0 && n < ESC_INCIDENT_MAX; i--)
		ids[n++] = cli_int(&list->via.array.ptr[i - 1], "id");
	msgpack_unpacked_destroy(&reply);
	return n;
}

static void
esc_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t
esc_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Prints a full escalation (get's view) under the incident. */
static void
esc_print_full(cli_t *cli, const msgpack_object *e)
{
	const msgpack_object *notes = cli_get(e, "notifications");
	const msgpack_object *hist = cli_get(e, "history");
	char t[CLI_TIME_MAX], t2[CLI_TIME_MAX];
	uint32_t nn = notes && notes->type == MSGPACK_OBJECT_ARRAY ? notes->via.array.size : 0;
	long long total = cli_int(e, "notifications_total");

	printf("escalation %lld: ", cli_int(e, "id"));
	cli_put(stdout, cli_get(e, "kind"));
	fputs(", ", stdout);
	cli_put(stdout, cli_get(e, "status"));
	printf(" (step %lld, attempt %lld)\n", cli_int(e, "step") + 1, cli_int(e, "attempt"));
	printf("  %-14s ", "target");
	cli_put(stdout, cli_get(e, "target"));
	fputs(": ", stdout);
	cli_put_contact(cli_get(e, "contact"));
	fputs(", ", stdout);
	cli_put(stdout, cli_get(e, "reason"));
	putchar('\n');
	printf("  %-14s %s\n", "created", cli_local_time(cli, cli_get(e, "created_at"), t));
	if (cli_get(e, "acked_at")) {
		printf("  %-14s %s by ", "acknowledged", cli_local_time(cli, cli_get(e, "acked_at"), t));
		cli_put_contact_id(cli, cli_get(e, "acked_by"));
		putchar('\n');
	} else if (!cli_is(cli_get(e, "status"), "resolved")) {
		printf("  %-14s not yet\n", "acknowledged");
	}
	if (cli_get(e, "resolved_at")) {
		printf("  %-14s %s by ", "resolved", cli_local_time(cli, cli_get(e, "resolved_at"), t));
		cli_put_contact_id(cli, cli_get(e, "resolved_by"));
		putchar('\n');
	}
	if (cli_get(e, "next_at"))
		printf("  %-14s %s\n", "next deadline", cli_local_time(cli, cli_get(e, "next_at"), t));
	printf("  notified:%s\n", nn ? "" : " nobody yet");
	if (total > (long long)nn)
		printf("    (the last %u of %lld)\n", nn, total);
	for (uint32_t i = 0; i < nn; i++) {
		const msgpack_object *x = &notes->via.array.ptr[i];

		printf("    %s  ", cli_local_time(cli, cli_get(x, "at"), t));
		cli_put_contact_id(cli, cli_get(x, "contact"));
		printf("  step %lld, attempt %lld  ", cli_int(x, "step") + 1, cli_int(x, "attempt"));
		cli_put(stdout, cli_get(x, "channel"));
		fputs(": ", stdout);
		cli_put(stdout, cli_get(x, "state"));
		if (cli_get(x, "outcome")) {
			fputs(" (", stdout);
			cli_put(stdout, cli_get(x, "outcome"));
			putchar(')');
		}
		printf("  ack by %s\n", cli_short_time(cli, cli_get(x, "ack_by"), cli_get(x, "at"), t2));
	}
	if (hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size > 0) {
		printf("  history:\n");
		for (uint32_t i = 0; i < hist->via.array.size; i++) {
			const msgpack_object *x = &hist->via.array.ptr[i];

			printf("    %s  ", cli_local_time(cli, cli_get(x, "at"), t));
			cli_put(stdout, cli_get(x, "action"));
			if (cli_get(x, "by")) {
				fputs(" by ", stdout);
				cli_put(stdout, cli_get(x, "by"));
			}
			if (cli_get(x, "note")) {
				fputs(": ", stdout);
				cli_put(stdout, cli_get(x, "note"));
			}
			putchar('\n');
		}
	}
}

/* What submit says of a new escalation: who was notified, and until when to ack. */
static void
esc_print_brief(cli_t *cli, const msgpack_object *e)
{
	const msgpack_object *notes = cli_get(e, "notifications");
	uint32_t nn = notes && notes->type == MSGPACK_OBJECT_ARRAY ? notes->via.array.size : 0;
	char t[CLI_TIME_MAX], t2[CLI_TIME_MAX];
	long long id = cli_int(e, "id");

	printf("escalation %lld (", id);
	cli_put(stdout, cli_get(e, "kind"));
	fputs(", ", stdout);
	cli_put(stdout, cli_get(e, "status"));
	fputs("): ", stdout);
	if (nn == 0) {
		fputs("notifying ", stdout);
		cli_put_contact(cli_get(e, "contact"));
		putchar('\n');
		return;
	}
	for (uint32_t i = 0; i < nn; i++) {
		const msgpack_object *x = &notes->via.array.ptr[i];

		if (i > 0)
			fputs("; ", stdout);
		fputs("notified ", stdout);
		cli_put_contact_id(cli, cli_get(x, "contact"));
		printf(" at %s, ack by %s", cli_local_time(cli, cli_get(x, "at"), t),
		    cli_short_time(cli, cli_get(x, "ack_by"), cli_get(x, "at"), t2));
	}
	putchar('\n');
}

/* The full views of the escalations in ids, packed into p as an array; -1 with err. */
static int
esc_pack_full(cli_t *cli, const long long *ids, int n, pack_t *p, msgpack_unpacked *views,
    char *err, size_t errlen)
{
	int got = 0;

	for (int i = 0; i < n; i++) {
		pack_t *req = cli_op_new(WIRE_OP_GET);
		int rc;

		pack_kv_int(req, "escalation", ids[i]);
		pack_map_close(req);
		rc = cli_call_with(cli, cli->cfg->endpoints.escalation, req, &views[got],
		    ESC_ASIDE_TIMEOUT_MS, 1, err, errlen);
		pack_destroy(&req);
		if (rc != 0)
			break;
		got++;
	}
	pack_array_open(p);
	for (int i = 0; i < got; i++)
		pack_obj(p, cli_get(&views[i].data, "escalation"));
	pack_array_close(p);
	return got == n ? got : -got - 1;
}

/* Asks who is on call now; prints it after "On call now:" or packs it under "oncall". */
static void
esc_oncall_now(cli_t *cli, pack_t *json)
{
	pack_t *req = cli_op_new(WIRE_OP_ONCALL);
	msgpack_unpacked reply;
	char err[512];

	pack_map_close(req);
	if (cli_call_with(cli, cli->cfg->endpoints.escalation, req, &reply,
	    ESC_ASIDE_TIMEOUT_MS, 1, err, sizeof(err)) != 0) {
		pack_destroy(&req);
		if (json == NULL)
			printf("  who is on call now: unknown (trygg-escalation: %s)\n", err);
		return;
	}
	pack_destroy(&req);
	if (json != NULL) {
		const msgpack_object *m = &reply.data;

		pack_key(json, "oncall");
		pack_map_open(json);
		for (uint32_t i = 0; i < m->via.map.size; i++) {
			if (cli_is(&m->via.map.ptr[i].key, "ok") || cli_is(&m->via.map.ptr[i].key, "req"))
				continue;
			pack_obj(json, &m->via.map.ptr[i].key);
			pack_obj(json, &m->via.map.ptr[i].val);
		}
		pack_map_close(json);
	} else {
		printf("  on call now: ");
		cli_put(stdout, cli_get(&reply.data, "target"));
		putchar(' ');
		cli_put_contact(cli_get(&reply.data, "contact"));
		fputs(", ", stdout);
		cli_put(stdout, cli_get(&reply.data, "reason"));
		putchar('\n');
	}
	msgpack_unpacked_destroy(&reply);
}

void
cli_incident_escalations(cli_t *cli, const msgpack_object *reply, bool wait)
{
	const msgpack_object *inc = cli_get(reply, "incident");
	const msgpack_object *number = cli_get(inc, "number");
	const msgpack_object *kind = cli_get(inc, "escalation");
	msgpack_unpacked views[ESC_INCIDENT_MAX];
	long long ids[ESC_INCIDENT_MAX];
	char err[512] = "";
	pack_t *out = NULL, *arr = pack_new();
	int64_t deadline = esc_mono_ms() + ESC_SUBMIT_WAIT_MS;
	int n, got = 0;

	if (number == NULL || number->type != MSGPACK_OBJECT_STR) {
		if (cli->json)
			cli_print_json(reply);
		pack_destroy(&arr);
		return;
	}
	/*
	 * A team-scope incident never has one (the level is decided at submit):
	 * nothing to ask. submit: the link carries it within moments; ask until then.
	 */
	n = 0;
	while (!cli_is(kind, "none")) {
		int64_t left = deadline - esc_mono_ms();

		n = esc_of_incident(cli, number, wait && left < ESC_ASIDE_TIMEOUT_MS && left > 0 ?
		    (int)left : ESC_ASIDE_TIMEOUT_MS, ids, err, sizeof(err));
		if (n != 0 || !wait || esc_mono_ms() + ESC_SUBMIT_POLL_MS > deadline)
			break;
		esc_sleep_ms(ESC_SUBMIT_POLL_MS);
	}
	if (n > 0) {
		got = esc_pack_full(cli, ids, n, arr, views, err, sizeof(err));
		if (got < 0)
			got = -got - 1;
		else
			err[0] = '\0';
	}
	if (cli->json) {
		size_t len;
		const void *data;

		out = pack_new();
		pack_map_open(out);
		for (uint32_t i = 0; i < reply->via.map.size; i++) {
			pack_obj(out, &reply->via.map.ptr[i].key);
			pack_obj(out, &reply->via.map.ptr[i].val);
		}
		if (n == 0) {
			pack_array_open(arr);
			pack_array_close(arr);
		}
		if (n >= 0) {
			data = pack_data(arr, &len);
			pack_key(out, "escalations");
			pack_raw(out, data, len);
		}
		if (err[0] != '\0')
			pack_kv_str(out, "escalation_error", err);
		if (wait && n == 0 && cli_is(kind, "external"))
			esc_oncall_now(cli, out);
		pack_map_close(out);
		cli_print_packed(out);
		pack_destroy(&out);
	} else if (n < 0 || (got < n && got == 0)) {
		printf("escalation: unknown, trygg-escalation does not answer (%s)%s\n", err,
		    wait ? "; the incident is stored and will reach it when it is back" : "");
	} else if (n == 0) {
		if (wait) {
			printf("escalation: queued, not yet taken up by trygg-escalation; it "
			    "notifies %s as soon as it is\n", cli_is(kind, "reinforcement") ?
			    "the other teams' coordinators" : "whoever is on call");
			if (cli_is(kind, "external"))
				esc_oncall_now(cli, NULL);
		} else if (!cli_is(kind, "none")) {
			printf("escalation: not yet taken up by trygg-escalation\n");
		}
	} else {
		for (int i = 0; i < got; i++) {
			const msgpack_object *e = cli_get(&views[i].data, "escalation");

			if (wait) {
				esc_print_brief(cli, e);
			} else {
				putchar('\n');
				esc_print_full(cli, e);
			}
		}
		if (got < n)
			printf("escalation: %d more not shown: %s\n", n - got, err);
	}
	for (int i = 0; i < got; i++)
		msgpack_unpacked_destroy(&views[i]);
	pack_destroy(&arr);
}
