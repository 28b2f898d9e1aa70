/*
 * cmd_escalation.c: the commands of the people on call, against
 * trygg-escalation: ack, resolve, escalations (a list), watch (the
 * notifications as they arrive), status (every daemon at a glance), and an
 * incident's escalations beside it for get and submit.
 *
 * Sockets: a REQ per request (cli_call), and for watch one SUB on
 * endpoints.notifications with a monitor that tells the person whether it
 * is connected. ZeroMQ reconnects the SUB by itself when trygg-escalation
 * restarts; watch only has to keep polling.
 *
 * Times a person reads are in the configured zone ("2026-12-01 03:12 CET");
 * --json prints the daemons' replies with their RFC 3339 times unchanged.
 * Steps are counted from 1 for people ("step 1" is the policy's first
 * step), from 0 on the wire.
 */
#include "cli.h"
#include "json.h"
#include "log.h"
#include "ts.h"
#include "tz.h"
#include "utf8.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#define ESC_ASIDE_TIMEOUT_MS  2000      /* escalation beside get/submit: one attempt */
#define ESC_SUBMIT_WAIT_MS    2000      /* submit waits this long for the escalation */
#define ESC_SUBMIT_POLL_MS    100       /* ... asking this often */
#define ESC_STATUS_TIMEOUT_MS 2000      /* status: one attempt per daemon */
#define ESC_BACKLOG_WARN_S    60        /* a link backlog older than this is a warning */
#define ESC_INCIDENT_MAX      8         /* escalations of one incident shown */
#define ESC_LIST_ROWS_MAX     1000      /* the daemon's own page limit */
#define WATCH_RECONNECT_MS    100       /* SUB: first reconnect after a loss */
#define WATCH_RECONNECT_MAX_MS 2000     /* ... backing off to this */
#define WATCH_HEARTBEAT_MS    5000      /* a silent peer is noticed ... */
#define WATCH_HEARTBEAT_TIMEOUT_MS 15000 /* ... and dropped after this */
#define WATCH_MONITOR         "inproc://trygg-watch-monitor"

/* a string value as printf's "%.*s" arguments */
#define ESC_STR(o) (o) && (o)->type == MSGPACK_OBJECT_STR ? (int)(o)->via.str.size : 1, \
	(o) && (o)->type == MSGPACK_OBJECT_STR ? (o)->via.str.ptr : "-"

/* the daemons that status asks; trygg-reporting joins when it exists */
static const struct {
	const char *service;
	size_t      endpoint;   /* offset in cfg_endpoints_t */
} esc_daemons[] = {
	{"trygg-intake", offsetof(cfg_endpoints_t, intake)},
	{"trygg-escalation", offsetof(cfg_endpoints_t, escalation)},
};
#define ESC_NDAEMONS (sizeof(esc_daemons) / sizeof(esc_daemons[0]))

static const char *
esc_endpoint(const cfg_t *cfg, size_t i)
{
	return *(char *const *)((const char *)&cfg->endpoints + esc_daemons[i].endpoint);
}

static pack_t *
esc_request(const char *op)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_int(p, "v", WIRE_VERSION);
	pack_kv_str(p, "op", op);
	return p;
}

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

static long long
esc_int(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = cli_get(map, key);

	if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (long long)o->via.u64;
	if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return (long long)o->via.i64;
	return -1;
}

static bool
esc_is(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0;
}

/*
 * Writes text from the data so that it is safe to paste: control
 * characters (C0, DEL, C1) become \xNN; the rest as it is.
 */
static void
esc_put(FILE *f, const msgpack_object *o)
{
	const unsigned char *s;
	size_t len;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
		fputc('-', f);
		return;
	}
	s = (const unsigned char *)o->via.str.ptr;
	len = o->via.str.size;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\x%02x", s[i]);
		else if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] < 0xa0)
			fprintf(f, "\\x%02x", s[++i]);
		else
			fputc(s[i], f);
	}
}

/* the width in characters of what esc_put writes */
static size_t
esc_width(const msgpack_object *o)
{
	size_t w = 0;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return 1;
	for (size_t i = 0; i < o->via.str.size; i++) {
		unsigned char c = (unsigned char)o->via.str.ptr[i];

		if (c < 0x20 || c == 0x7f)
			w += 4;
		else if (c == 0xc2 && i + 1 < o->via.str.size &&
		    (unsigned char)o->via.str.ptr[i + 1] >= 0x80 &&
		    (unsigned char)o->via.str.ptr[i + 1] < 0xa0) {
			w += 4;
			i++;
		} else if ((c & 0xc0) != 0x80)
			w++;
	}
	return w;
}

static void
esc_pad(size_t have, size_t width)
{
	for (size_t i = have; i < width; i++)
		putchar(' ');
}

static tz_t *
esc_tz(cli_t *cli)
{
	char err[256];

	if (cli->tz == NULL && cli->cfg != NULL)
		cli->tz = tz_open(cli->cfg->timezone, err, sizeof(err));
	return cli->tz;
}

const char *
cli_local_time(cli_t *cli, const msgpack_object *o, char out[TZ_FORMAT_MAX + 40])
{
	tz_t *tz = esc_tz(cli);
	int64_t ms;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
		snprintf(out, TZ_FORMAT_MAX + 40, "-");
		return out;
	}
	if (tz == NULL || ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, &ms) < 0) {
		snprintf(out, TZ_FORMAT_MAX + 40, "%.*s",
		    o->via.str.size < TZ_FORMAT_MAX + 39 ? (int)o->via.str.size : TZ_FORMAT_MAX + 39,
		    o->via.str.ptr);
		return out;
	}
	tz_format(tz, ms, out);
	return out;
}

/*
 * A local time shown short beside another: "HH:MM ABBR" when it falls on
 * the same local day as ref (an RFC 3339 value or NULL for now), else the
 * whole "YYYY-MM-DD HH:MM ABBR".
 */
static const char *
esc_short_time(cli_t *cli, const msgpack_object *o, const msgpack_object *ref,
    char out[TZ_FORMAT_MAX + 40])
{
	tz_t *tz = esc_tz(cli);
	tz_local_t a, b;
	int64_t ms, rms = ts_now();

	cli_local_time(cli, o, out);
	if (tz == NULL || o == NULL || o->type != MSGPACK_OBJECT_STR ||
	    ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, &ms) < 0)
		return out;
	if (ref && ref->type == MSGPACK_OBJECT_STR &&
	    ts_parse_rfc3339(ref->via.str.ptr, ref->via.str.size, &rms) < 0)
		rms = ts_now();
	tz_local(tz, ms, &a);
	tz_local(tz, rms, &b);
	if (a.civil_day == b.civil_day && strlen(out) > 11)
		memmove(out, out + 11, strlen(out + 11) + 1);
	return out;
}

/* Prints what p holds (one msgpack object) as JSON. */
static void
esc_print_packed(pack_t *p)
{
	msgpack_unpacked u;
	size_t len, off = 0;
	const char *data = pack_data(p, &len);

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS)
		cli_print_json(&u.data);
	msgpack_unpacked_destroy(&u);
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

/* a contact as "Name (id)", or the id when the name is the id */
static void
esc_put_contact(const msgpack_object *contact)
{
	const msgpack_object *id = cli_get(contact, "id"), *name = cli_get(contact, "name");

	if (name && id && name->type == MSGPACK_OBJECT_STR && id->type == MSGPACK_OBJECT_STR &&
	    !(name->via.str.size == id->via.str.size &&
	    memcmp(name->via.str.ptr, id->via.str.ptr, id->via.str.size) == 0)) {
		esc_put(stdout, name);
		fputs(" (", stdout);
		esc_put(stdout, id);
		putchar(')');
	} else {
		esc_put(stdout, id);
	}
}

/* a contact id as "Name (id)" from the configuration */
static void
esc_put_contact_id(cli_t *cli, const msgpack_object *id)
{
	const cfg_contact_t *c = id && id->type == MSGPACK_OBJECT_STR ?
	    cfg_contact(cli->cfg, id->via.str.ptr, id->via.str.size) : NULL;

	if (c && strcmp(c->name, c->id) != 0)
		printf("%s (", c->name);
	esc_put(stdout, id);
	if (c && strcmp(c->name, c->id) != 0)
		putchar(')');
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
	char t[TZ_FORMAT_MAX + 40];
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
	req = esc_request(resolve ? "resolve" : "ack");
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
	esc_put(stdout, cli_get(e, "incident"));
	fputs(") ", stdout);
	if (changed && changed->type == MSGPACK_OBJECT_BOOLEAN && changed->via.boolean) {
		fputs(resolve ? "resolved" : "acknowledged", stdout);
		printf(" by ");
		esc_put_contact_id(cli, resolve ? cli_get(e, "resolved_by") : cli_get(e, "acked_by"));
		printf(" at %s\n", cli_local_time(cli, resolve ? cli_get(e, "resolved_at") :
		    cli_get(e, "acked_at"), t));
	} else if (esc_is(cli_get(e, "status"), "resolved")) {
		printf("was already resolved by ");
		esc_put_contact_id(cli, cli_get(e, "resolved_by"));
		printf(" at %s\n", cli_local_time(cli, cli_get(e, "resolved_at"), t));
	} else {
		printf("was already acknowledged by ");
		esc_put_contact_id(cli, cli_get(e, "acked_by"));
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

/* One row's cells: strings the caller prints with esc_put, or text. */
typedef struct {
	char                  text[NCOLS][TZ_FORMAT_MAX + 40];
	const msgpack_object *obj[NCOLS];       /* when set, printed from the data */
} esc_row_t;

static size_t
esc_cell_width(const esc_row_t *r, int c)
{
	return r->obj[c] ? esc_width(r->obj[c]) : utf8_count(r->text[c], strlen(r->text[c]));
}

static void
esc_row_fill(cli_t *cli, const msgpack_object *e, esc_row_t *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->text[COL_ID], sizeof(r->text[0]), "%lld", esc_int(e, "id"));
	r->obj[COL_INCIDENT] = cli_get(e, "incident");
	r->obj[COL_KIND] = cli_get(e, "kind");
	r->obj[COL_STATUS] = cli_get(e, "status");
	snprintf(r->text[COL_STEP], sizeof(r->text[0]), "%lld", esc_int(e, "step") + 1);
	r->obj[COL_CONTACT] = cli_get(cli_get(e, "contact"), "id");
	cli_local_time(cli, cli_get(e, "created_at"), r->text[COL_CREATED]);
	snprintf(r->text[COL_SEV], sizeof(r->text[0]), "%lld", esc_int(e, "severity"));
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
	pack_t *req = esc_request("list");
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
				esc_put(stdout, rows[i].obj[c]);
			else
				fputs(rows[i].text[c], stdout);
			if (c < NCOLS - 1)
				esc_pad(esc_cell_width(&rows[i], c), width[c] + 2);
		}
		putchar('\n');
	}
	if ((next = cli_get(&reply.data, "next")) != NULL)
		printf("(more: trygg escalations --before %lld)\n", esc_int(&reply.data, "next"));
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
	pack_t *req = esc_request("list");
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
		ids[n++] = esc_int(&list->via.array.ptr[i - 1], "id");
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
	char t[TZ_FORMAT_MAX + 40], t2[TZ_FORMAT_MAX + 40];
	uint32_t nn = notes && notes->type == MSGPACK_OBJECT_ARRAY ? notes->via.array.size : 0;
	long long total = esc_int(e, "notifications_total");

	printf("escalation %lld: ", esc_int(e, "id"));
	esc_put(stdout, cli_get(e, "kind"));
	fputs(", ", stdout);
	esc_put(stdout, cli_get(e, "status"));
	printf(" (step %lld, attempt %lld)\n", esc_int(e, "step") + 1, esc_int(e, "attempt"));
	printf("  %-14s ", "target");
	esc_put(stdout, cli_get(e, "target"));
	fputs(": ", stdout);
	esc_put_contact(cli_get(e, "contact"));
	fputs(", ", stdout);
	esc_put(stdout, cli_get(e, "reason"));
	putchar('\n');
	printf("  %-14s %s\n", "created", cli_local_time(cli, cli_get(e, "created_at"), t));
	if (cli_get(e, "acked_at")) {
		printf("  %-14s %s by ", "acknowledged", cli_local_time(cli, cli_get(e, "acked_at"), t));
		esc_put_contact_id(cli, cli_get(e, "acked_by"));
		putchar('\n');
	} else if (!esc_is(cli_get(e, "status"), "resolved")) {
		printf("  %-14s not yet\n", "acknowledged");
	}
	if (cli_get(e, "resolved_at")) {
		printf("  %-14s %s by ", "resolved", cli_local_time(cli, cli_get(e, "resolved_at"), t));
		esc_put_contact_id(cli, cli_get(e, "resolved_by"));
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
		esc_put_contact_id(cli, cli_get(x, "contact"));
		printf("  step %lld, attempt %lld  ", esc_int(x, "step") + 1, esc_int(x, "attempt"));
		esc_put(stdout, cli_get(x, "channel"));
		fputs(": ", stdout);
		esc_put(stdout, cli_get(x, "state"));
		if (cli_get(x, "outcome")) {
			fputs(" (", stdout);
			esc_put(stdout, cli_get(x, "outcome"));
			putchar(')');
		}
		printf("  ack by %s\n", esc_short_time(cli, cli_get(x, "ack_by"), cli_get(x, "at"), t2));
	}
	if (hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size > 0) {
		printf("  history:\n");
		for (uint32_t i = 0; i < hist->via.array.size; i++) {
			const msgpack_object *x = &hist->via.array.ptr[i];

			printf("    %s  ", cli_local_time(cli, cli_get(x, "at"), t));
			esc_put(stdout, cli_get(x, "action"));
			if (cli_get(x, "by")) {
				fputs(" by ", stdout);
				esc_put(stdout, cli_get(x, "by"));
			}
			if (cli_get(x, "note")) {
				fputs(": ", stdout);
				esc_put(stdout, cli_get(x, "note"));
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
	char t[TZ_FORMAT_MAX + 40], t2[TZ_FORMAT_MAX + 40];
	long long id = esc_int(e, "id");

	printf("escalation %lld (", id);
	esc_put(stdout, cli_get(e, "kind"));
	fputs(", ", stdout);
	esc_put(stdout, cli_get(e, "status"));
	fputs("): ", stdout);
	if (nn == 0) {
		fputs("notifying ", stdout);
		esc_put_contact(cli_get(e, "contact"));
		putchar('\n');
		return;
	}
	for (uint32_t i = 0; i < nn; i++) {
		const msgpack_object *x = &notes->via.array.ptr[i];

		if (i > 0)
			fputs("; ", stdout);
		fputs("notified ", stdout);
		esc_put_contact_id(cli, cli_get(x, "contact"));
		printf(" at %s, ack by %s", cli_local_time(cli, cli_get(x, "at"), t),
		    esc_short_time(cli, cli_get(x, "ack_by"), cli_get(x, "at"), t2));
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
		pack_t *req = esc_request("get");
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
	pack_t *req = esc_request("oncall");
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
			if (esc_is(&m->via.map.ptr[i].key, "ok") || esc_is(&m->via.map.ptr[i].key, "req"))
				continue;
			pack_obj(json, &m->via.map.ptr[i].key);
			pack_obj(json, &m->via.map.ptr[i].val);
		}
		pack_map_close(json);
	} else {
		printf("  on call now: ");
		esc_put(stdout, cli_get(&reply.data, "target"));
		putchar(' ');
		esc_put_contact(cli_get(&reply.data, "contact"));
		fputs(", ", stdout);
		esc_put(stdout, cli_get(&reply.data, "reason"));
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
	/* submit: the link carries it within moments; ask until then */
	for (;;) {
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
		if (wait && n == 0 && esc_is(kind, "external"))
			esc_oncall_now(cli, out);
		pack_map_close(out);
		esc_print_packed(out);
		pack_destroy(&out);
	} else if (n < 0 || (got < n && got == 0)) {
		printf("escalation: unknown, trygg-escalation does not answer (%s)%s\n", err,
		    wait ? "; the incident is stored and will reach it when it is back" : "");
	} else if (n == 0) {
		if (wait) {
			printf("escalation: queued, not yet taken up by trygg-escalation; it "
			    "notifies %s as soon as it is\n", esc_is(kind, "reinforcement") ?
			    "the other teams' coordinators" : "whoever is on call");
			if (esc_is(kind, "external"))
				esc_oncall_now(cli, NULL);
		} else if (!esc_is(kind, "none")) {
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

/* ---- status: every daemon at a glance ---- */

static void
esc_bytes(long long b, char out[32])
{
	if (b < 0)
		snprintf(out, 32, "-");
	else if (b < 1024)
		snprintf(out, 32, "%lld B", b);
	else if (b < 1024 * 1024)
		snprintf(out, 32, "%.1f KiB", (double)b / 1024);
	else if (b < 1024LL * 1024 * 1024)
		snprintf(out, 32, "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(out, 32, "%.1f GiB", (double)b / (1024 * 1024 * 1024));
}

static void
esc_seconds(long long s, char out[32])
{
	if (s < 0)
		snprintf(out, 32, "-");
	else if (s < 60)
		snprintf(out, 32, "%llds", s);
	else if (s < 3600)
		snprintf(out, 32, "%lldm %llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, 32, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, 32, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

int
cmd_status(cli_t *cli, int argc, char **argv)
{
	msgpack_unpacked replies[ESC_NDAEMONS];
	char errs[ESC_NDAEMONS][512];
	bool up[ESC_NDAEMONS];
	int down = 0, warnings = 0;

	if (argc != 1)
		return cli_usage("usage: trygg status");
	for (size_t i = 0; i < ESC_NDAEMONS; i++) {
		pack_t *req = esc_request("status");

		pack_map_close(req);
		up[i] = cli_call_with(cli, esc_endpoint(cli->cfg, i), req, &replies[i],
		    ESC_STATUS_TIMEOUT_MS, 1, errs[i], sizeof(errs[i])) == 0;
		pack_destroy(&req);
		down += !up[i];
	}
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", down == 0);
		pack_key(p, "daemons");
		pack_map_open(p);
		for (size_t i = 0; i < ESC_NDAEMONS; i++) {
			const msgpack_object *m = &replies[i].data;

			pack_key(p, esc_daemons[i].service);
			pack_map_open(p);
			pack_kv_bool(p, "up", up[i]);
			pack_kv_str(p, "endpoint", esc_endpoint(cli->cfg, i));
			if (!up[i])
				pack_kv_str(p, "error", errs[i]);
			for (uint32_t k = 0; up[i] && k < m->via.map.size; k++) {
				if (esc_is(&m->via.map.ptr[k].key, "ok"))
					continue;
				pack_obj(p, &m->via.map.ptr[k].key);
				pack_obj(p, &m->via.map.ptr[k].val);
			}
			pack_map_close(p);
		}
		pack_map_close(p);
		pack_map_close(p);
		esc_print_packed(p);
		pack_destroy(&p);
	} else {
		size_t w = 0;

		for (size_t i = 0; i < ESC_NDAEMONS; i++)
			if (strlen(esc_daemons[i].service) > w)
				w = strlen(esc_daemons[i].service);
		for (size_t i = 0; i < ESC_NDAEMONS; i++) {
			const msgpack_object *m = &replies[i].data, *links;
			char a[32], b[32];

			printf("%-*s  ", (int)w, esc_daemons[i].service);
			if (!up[i]) {
				printf("DOWN  %s (is %s running? systemctl status %s)\n",
				    errs[i], esc_daemons[i].service, esc_daemons[i].service);
				continue;
			}
			esc_seconds(esc_int(m, "uptime_s"), a);
			esc_bytes(esc_int(m, "db_bytes"), b);
			printf("up    version %.*s  uptime %s  db %s  %s\n",
			    ESC_STR(cli_get(m, "version")), a, b, esc_endpoint(cli->cfg, i));
			links = cli_get(m, "links");
			for (uint32_t k = 0; links && links->type == MSGPACK_OBJECT_MAP &&
			    k < links->via.map.size; k++) {
				const msgpack_object *l = &links->via.map.ptr[k].val;
				long long backlog = esc_int(l, "backlog"), age = esc_int(l, "oldest_age_s");

				printf("%-*s    link → ", (int)w, "");
				esc_put(stdout, &links->via.map.ptr[k].key);
				printf(": backlog %lld", backlog);
				if (backlog > 0) {
					esc_seconds(age, a);
					printf(", oldest %s", a);
				}
				if (esc_int(l, "acked") >= 0)
					printf(", acked %lld", esc_int(l, "acked"));
				if (esc_int(l, "resends") >= 0)
					printf(", resends %lld", esc_int(l, "resends"));
				putchar('\n');
				if (backlog > 0 && age > ESC_BACKLOG_WARN_S) {
					printf("WARNING: %s → ", esc_daemons[i].service);
					esc_put(stdout, &links->via.map.ptr[k].key);
					printf(": %lld message%s waiting, the oldest for %s (over %d s); "
					    "is its receiver running?\n", backlog, backlog == 1 ? "" : "s",
					    a, ESC_BACKLOG_WARN_S);
					warnings++;
				}
			}
		}
	}
	for (size_t i = 0; i < ESC_NDAEMONS; i++)
		if (up[i])
			msgpack_unpacked_destroy(&replies[i]);
	if (down) {
		fprintf(stderr, "trygg: %d of %zu daemons %s down\n", down, ESC_NDAEMONS,
		    down == 1 ? "is" : "are");
		return EXIT_UNAVAIL;
	}
	(void)warnings;
	return 0;
}

/* ---- watch: the notifications as they arrive ---- */

static volatile sig_atomic_t watch_stop;

static void
watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* Writes s for a shell: as it is when it is plain, else in single quotes. */
static void
watch_shell_word(const char *s)
{
	if (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_./:=+,@") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/* Prints one notification (topic, then the map) for a person on call. */
static void
watch_print(cli_t *cli, const char *topic, size_t topic_len, const msgpack_object *m)
{
	char t[TZ_FORMAT_MAX + 40], t2[TZ_FORMAT_MAX + 40];
	const msgpack_object *contact = cli_get(m, "contact");
	long long id = esc_int(m, "escalation");

	if (cli->json) {
		buf_t out = BUF_INIT;

		json_from_msgpack(m, &out, false);
		puts(buf_str(&out));
		buf_free(&out);
		fflush(stdout);
		return;
	}
	printf("%s  ", cli_local_time(cli, cli_get(m, "at"), t));
	printf("ESCALATION %lld  ", id);
	esc_put(stdout, cli_get(m, "incident"));
	fputs("  ", stdout);
	esc_put(stdout, cli_get(m, "kind"));
	fputs("  to ", stdout);
	if (contact)
		esc_put_contact_id(cli, contact);
	else
		printf("%.*s", (int)topic_len, topic);
	printf("  step %lld, attempt %lld\n", esc_int(m, "step") + 1, esc_int(m, "attempt"));
	fputs("  ", stdout);
	esc_put(stdout, cli_get(m, "district"));
	fputs(" (", stdout);
	esc_put(stdout, cli_get(m, "team"));
	fputs(")  ", stdout);
	esc_put(stdout, cli_get(m, "category"));
	printf("  severity %lld\n  \"", esc_int(m, "severity"));
	esc_put(stdout, cli_get(m, "summary"));
	printf("\"\n  kvittera senast %s:  trygg ",
	    esc_short_time(cli, cli_get(m, "ack_by"), cli_get(m, "at"), t2));
	if (cli->cfg_given) {
		fputs("-c ", stdout);
		watch_shell_word(cli->cfg_path);
		putchar(' ');
	}
	printf("ack %lld --by ", id);
	if (contact && contact->type == MSGPACK_OBJECT_STR) {
		char c[128];

		snprintf(c, sizeof(c), "%.*s", (int)contact->via.str.size, contact->via.str.ptr);
		watch_shell_word(c);
	} else {
		printf("%.*s", (int)topic_len, topic);
	}
	printf("\n\n");
	fflush(stdout);
}

/* Reports the SUB's connection events (the monitor's two frames) on stderr. */
static void
watch_event(void *mon, const char *endpoint)
{
	uint8_t ev[6];
	char addr[512];
	int n;
	uint16_t event;

	if ((n = zmq_recv(mon, ev, sizeof(ev), 0)) < 0)
		return;
	if (zmq_recv(mon, addr, sizeof(addr) - 1, 0) < 0)
		return;
	memcpy(&event, ev, sizeof(event));
	if (event == ZMQ_EVENT_CONNECTED)
		fprintf(stderr, "trygg: watch: connected to %s\n", endpoint);
	else if (event == ZMQ_EVENT_DISCONNECTED)
		fprintf(stderr, "trygg: watch: lost %s; reconnecting (notifications sent "
		    "meanwhile come again when the contact is notified again)\n", endpoint);
}

int
cmd_watch(cli_t *cli, int argc, char **argv)
{
	const char *contact = NULL, *endpoint = cli->cfg->endpoints.notifications;
	int ivl = WATCH_RECONNECT_MS, ivl_max = WATCH_RECONNECT_MAX_MS;
	int hb = WATCH_HEARTBEAT_MS, hb_timeout = WATCH_HEARTBEAT_TIMEOUT_MS, linger = 0;
	struct sigaction sa;
	void *sub, *mon;
	int rc = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cli_usage("usage: trygg watch [CONTACT]");
	if (argc == 2) {
		contact = argv[1];
		if (cfg_contact(cli->cfg, contact, strlen(contact)) == NULL)
			return cli_usage("watch: '%s' is not a configured contact (see %s, "
			    "contacts)", contact, cli->cfg_path);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sub = zmq_socket(cli->zctx, ZMQ_SUB);
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(sub, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max));
	zmq_setsockopt(sub, ZMQ_HEARTBEAT_IVL, &hb, sizeof(hb));
	zmq_setsockopt(sub, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout));
	/* a topic is a prefix: tib-1 hears tib-10 too, so the topic is checked again below */
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, contact ? contact : "", contact ? strlen(contact) : 0);
	if (zmq_socket_monitor(sub, WATCH_MONITOR, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) < 0 ||
	    (mon = zmq_socket(cli->zctx, ZMQ_PAIR)) == NULL) {
		fprintf(stderr, "trygg: watch: %s\n", zmq_strerror(errno));
		zmq_close(sub);
		return EXIT_SOFTWARE;
	}
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(mon, WATCH_MONITOR);
	if (zmq_connect(sub, endpoint) < 0) {
		fprintf(stderr, "trygg: watch: %s: %s\n", endpoint, zmq_strerror(errno));
		zmq_close(mon);
		zmq_close(sub);
		return EXIT_CONFIG;
	}
	fprintf(stderr, "trygg: watching the notifications %s%s on %s (Ctrl-C stops)\n",
	    contact ? "for " : "for every contact", contact ? contact : "", endpoint);
	while (!watch_stop) {
		zmq_pollitem_t items[2] = {{sub, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
		msgpack_unpacked u;
		zmq_msg_t topic, body;
		int more;
		size_t more_len = sizeof(more);

		if (zmq_poll(items, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "trygg: watch: %s\n", zmq_strerror(errno));
			rc = EXIT_SOFTWARE;
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			watch_event(mon, endpoint);
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&topic, sub, 0) < 0) {
			zmq_msg_close(&topic);
			zmq_msg_close(&body);
			continue;
		}
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		if (!more || zmq_msg_recv(&body, sub, 0) < 0) {
			zmq_msg_close(&topic);
			zmq_msg_close(&body);
			continue;
		}
		/* drop anything after the two frames */
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		while (more) {
			zmq_msg_t extra;

			zmq_msg_init(&extra);
			zmq_msg_recv(&extra, sub, 0);
			zmq_msg_close(&extra);
			zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		}
		msgpack_unpacked_init(&u);
		if ((contact == NULL || (zmq_msg_size(&topic) == strlen(contact) &&
		    memcmp(zmq_msg_data(&topic), contact, strlen(contact)) == 0)) &&
		    msgpack_unpack_next(&u, zmq_msg_data(&body), zmq_msg_size(&body), NULL) ==
		    MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP)
			watch_print(cli, zmq_msg_data(&topic), zmq_msg_size(&topic), &u.data);
		msgpack_unpacked_destroy(&u);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
	}
	zmq_socket_monitor(sub, NULL, 0);
	zmq_close(mon);
	zmq_close(sub);
	return rc;
}
