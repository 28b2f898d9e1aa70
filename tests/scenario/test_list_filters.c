/*
 * test_list_filters.c: list's escalation, severity_min and until, filtered
 * by trygg-intake, and its count (docs/protocol.md, "list").
 *
 * Every combination of the filters is paged through in small pages and
 * compared with what the submits answered: the same incidents, newest
 * first, each once, and "total" counting them. A filter that turns away
 * more than INTAKE_LIST_EXAMINE incidents ends its page early with a
 * "next" that goes on, and trygg list follows it and says "N of M" from
 * intake's count.
 */
#include "harness.h"
#include "mem.h"
#include "test.h"
#include "ts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define N_INC        60
#define PAGE         7
#define EXAMINE      5000       /* INTAKE_LIST_EXAMINE, docs/protocol.md */
#define WINDOW       64         /* pipelined submits in flight */

typedef struct {
	char    number[32];
	char    escalation[16];
	char    team[32];
	int     severity;
	bool    closed;
	int64_t received;
} inc_t;

static inc_t incs[N_INC];
static int nincs;

static harness_t *
h(void)
{
	return harness_shared(NULL, H_INTAKE);
}

static const char *const districts[] = {"Skäggetorp", "Ryd", "Berga"};

/* submits the N_INC incidents once, and closes every fourth */
static void
setup(void)
{
	if (nincs > 0)
		return;
	for (int i = 0; i < N_INC; i++) {
		pack_t *p = harness_req("submit");
		const msgpack_object *r, *inc;
		char id[32];

		snprintf(id, sizeof(id), "flt-%d", i);
		pack_kv_str(p, "id", id);
		pack_kv_str(p, "district", districts[i % 3]);
		pack_kv_str(p, "category", "skadegorelse");
		pack_kv_int(p, "severity", 1 + i % 5);
		pack_kv_str(p, "summary", "Klotter");
		pack_kv_str(p, "reporter", "A");
		if (i % 7 == 0)
			pack_kv_bool(p, "needs_reinforcement", true);
		pack_map_close(p);
		r = harness_call(h(), H_INTAKE, p);
		pack_destroy(&p);
		if (!h_ok(r)) {
			test_fail(__FILE__, __LINE__, "submit %d refused", i);
			return;
		}
		inc = h_get(r, "incident");
		snprintf(incs[i].number, sizeof(incs[i].number), "%s", h_str(inc, "number"));
		snprintf(incs[i].escalation, sizeof(incs[i].escalation), "%s",
		    h_str(inc, "escalation"));
		snprintf(incs[i].team, sizeof(incs[i].team), "%s", h_str(inc, "team"));
		incs[i].severity = 1 + i % 5;
		ts_parse_rfc3339(h_str(inc, "received_at"), strlen(h_str(inc, "received_at")),
		    &incs[i].received);
		nincs++;
	}
	for (int i = 0; i < N_INC; i += 4) {
		pack_t *p = harness_req("update");

		pack_kv_str(p, "number", incs[i].number);
		pack_kv_str(p, "by", "test");
		pack_kv_str(p, "status", "closed");
		pack_map_close(p);
		CHECK(h_ok(harness_call(h(), H_INTAKE, p)));
		pack_destroy(&p);
		incs[i].closed = true;
	}
}

typedef struct {
	const char *team, *status, *escalation;
	int severity_min;
	int until_at;           /* -1: none; else until = incs[until_at].received */
} filt_t;

static bool
matches(const filt_t *f, const inc_t *in)
{
	return (f->team == NULL || strcmp(f->team, in->team) == 0) &&
	    (f->status == NULL || strcmp(f->status, in->closed ? "closed" : "open") == 0) &&
	    (f->escalation == NULL || strcmp(f->escalation, in->escalation) == 0) &&
	    in->severity >= f->severity_min &&
	    (f->until_at < 0 || in->received < incs[f->until_at].received);
}

/* pages through f, checking each page's incidents against the expected ones */
static void
check_filter(const filt_t *f)
{
	char before[32] = "", label[160];
	int expect[N_INC], nexp = 0, got = 0, pages = 0;

	snprintf(label, sizeof(label), "team=%s status=%s escalation=%s severity_min=%d until=%d",
	    f->team ? f->team : "-", f->status ? f->status : "-",
	    f->escalation ? f->escalation : "-", f->severity_min, f->until_at);
	for (int i = nincs - 1; i >= 0; i--)
		if (matches(f, &incs[i]))
			expect[nexp++] = i;
	do {
		pack_t *p = harness_req("list");
		const msgpack_object *r, *list, *next;

		if (f->team)
			pack_kv_str(p, "team", f->team);
		if (f->status)
			pack_kv_str(p, "status", f->status);
		if (f->escalation)
			pack_kv_str(p, "escalation", f->escalation);
		if (f->severity_min)
			pack_kv_int(p, "severity_min", f->severity_min);
		if (f->until_at >= 0)
			pack_kv_time(p, "until", incs[f->until_at].received);
		if (before[0])
			pack_kv_str(p, "before", before);
		pack_kv_int(p, "limit", PAGE);
		pack_kv_bool(p, "count", true);
		pack_map_close(p);
		r = harness_call(h(), H_INTAKE, p);
		pack_destroy(&p);
		if (!h_ok(r)) {
			test_fail(__FILE__, __LINE__, "%s: list refused: %s", label, h_code(r));
			return;
		}
		/* the count: what is left from this page on, whole */
		if (h_int(r, "total") != nexp - got || h_get(r, "total_more") != NULL)
			test_fail(__FILE__, __LINE__, "%s: total %lld, expected %d", label,
			    h_int(r, "total"), nexp - got);
		list = h_get(r, "incidents");
		for (uint32_t i = 0; list && i < list->via.array.size; i++) {
			const char *num = h_str(&list->via.array.ptr[i], "number");

			if (got >= nexp || strcmp(num, incs[expect[got]].number) != 0) {
				test_fail(__FILE__, __LINE__, "%s: item %d is %s, expected %s", label,
				    got, num, got < nexp ? incs[expect[got]].number : "none");
				return;
			}
			got++;
		}
		next = h_get(r, "next");
		before[0] = '\0';
		if (next && next->type == MSGPACK_OBJECT_STR)
			snprintf(before, sizeof(before), "%.*s", (int)next->via.str.size,
			    next->via.str.ptr);
		/* a page of fewer than PAGE ends the list here (nothing turned away 5,000) */
		if (list && list->via.array.size < PAGE && before[0])
			test_fail(__FILE__, __LINE__, "%s: a short page with next", label);
	} while (before[0] && ++pages < N_INC);
	if (got != nexp)
		test_fail(__FILE__, __LINE__, "%s: %d listed, expected %d", label, got, nexp);
}

TEST(every_combination_of_filters_pages_and_counts_exactly)
{
	static const char *const teams[] = {NULL, "omradesteam-1"};
	static const char *const statuses[] = {NULL, "open", "closed"};
	static const char *const escs[] = {NULL, "none", "reinforcement", "external"};
	static const int sevs[] = {0, 3};
	static const int untils[] = {-1, 40, 0};

	setup();
	CHECK_INT(nincs, N_INC);
	for (size_t a = 0; a < 2; a++)
		for (size_t b = 0; b < 3; b++)
			for (size_t c = 0; c < 4; c++)
				for (size_t d = 0; d < 2; d++)
					for (size_t e = 0; e < 3; e++) {
						filt_t f = {teams[a], statuses[b], escs[c],
						    sevs[d], untils[e]};

						check_filter(&f);
					}
}

TEST(bad_filters_are_refused_naming_the_field)
{
	static const struct { const char *key; int v; const char *s; } bad[] = {
		{"escalation", 0, "urgent"}, {"severity_min", 0, NULL}, {"severity_min", 6, NULL},
		{"until", 0, "tomorrow"}, {"count", 1, NULL},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pack_t *p = harness_req("list");
		const msgpack_object *r;

		if (bad[i].s)
			pack_kv_str(p, bad[i].key, bad[i].s);
		else
			pack_kv_int(p, bad[i].key, bad[i].v);
		pack_map_close(p);
		r = harness_call(h(), H_INTAKE, p);
		pack_destroy(&p);
		CHECK_STR(h_code(r), "invalid_field");
		CHECK_STR(h_str(h_get(r, "error"), "field"), bad[i].key);
	}
}

/* submits n incidents of category at severity, WINDOW in flight at a time */
static int
pipeline_submit(const char *prefix, int n, const char *category, int severity)
{
	void *sock = zmq_socket(h()->zctx, ZMQ_DEALER);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	int sent = 0, ok = 0, got = 0, linger = 0;

	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, h()->endpoint[H_INTAKE]);
	while (got < n) {
		while (sent < n && sent - got < WINDOW) {
			pack_t *p = harness_req("submit");
			const void *data;
			size_t len;
			char id[48];

			snprintf(id, sizeof(id), "%s-%d", prefix, sent++);
			pack_kv_str(p, "id", id);
			pack_kv_str(p, "district", "Ryd");
			pack_kv_str(p, "category", category);
			pack_kv_int(p, "severity", severity);
			pack_kv_str(p, "summary", "Klotter");
			pack_kv_str(p, "reporter", "B");
			pack_map_close(p);
			data = pack_data(p, &len);
			zmq_send(sock, "", 0, ZMQ_SNDMORE);
			zmq_send(sock, data, len, 0);
			pack_destroy(&p);
		}
		if (zmq_poll(&it, 1, 30000) <= 0)
			break;
		for (;;) {
			zmq_msg_t msg;
			msgpack_unpacked u;

			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&msg);
				break;
			}
			if (zmq_msg_size(&msg) > 0) {
				msgpack_unpacked_init(&u);
				if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg),
				    NULL) == MSGPACK_UNPACK_SUCCESS && h_ok(&u.data))
					ok++;
				msgpack_unpacked_destroy(&u);
				got++;
			}
			zmq_msg_close(&msg);
		}
	}
	zmq_close(sock);
	return ok;
}

TEST(a_rare_match_ends_pages_early_and_the_cli_follows_them)
{
	const msgpack_object *r, *list;
	char first[32], *out = NULL;
	pack_t *p;

	setup();
	/* one external (brand) below EXAMINE + 100 that are not */
	CHECK_INT(pipeline_submit("rare", 1, "brand", 2), 1);
	CHECK_INT(pipeline_submit("many", EXAMINE + 100, "nedskrapning", 1), EXAMINE + 100);
	p = harness_req("list");
	pack_kv_str(p, "team", "omradesteam-2");
	pack_kv_str(p, "escalation", "external");
	pack_kv_int(p, "severity_min", 2);
	pack_kv_bool(p, "count", true);
	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	list = h_get(r, "incidents");
	/* EXAMINE turned away: an empty page that says where to go on */
	CHECK(list != NULL && list->via.array.size == 0);
	CHECK(h_get(r, "next") != NULL);
	CHECK(h_get(r, "total_more") == NULL);
	{
		filt_t f = {"omradesteam-2", NULL, "external", 2, -1};
		int want = 1;

		for (int i = 0; i < nincs; i++)
			want += matches(&f, &incs[i]);
		CHECK_INT(h_int(r, "total"), want);
	}
	snprintf(first, sizeof(first), "%s", h_str(r, "next") ? h_str(r, "next") : "");
	p = harness_req("list");
	pack_kv_str(p, "team", "omradesteam-2");
	pack_kv_str(p, "escalation", "external");
	pack_kv_int(p, "severity_min", 2);
	pack_kv_str(p, "before", first);
	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	list = h_get(r, "incidents");
	CHECK(list != NULL && list->via.array.size >= 1);
	if (list == NULL || list->via.array.size == 0)
		return;
	snprintf(first, sizeof(first), "%s", h_str(&list->via.array.ptr[0], "number"));
	/* trygg list follows the early end and says the count */
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"list", "--team",
	    "omradesteam-2", "--escalation", "external", "--severity", "2", NULL}), 0);
	CHECK_HAS(out, first);       /* the rare one, past the early end */
	CHECK_HAS(out, "NUMBER");
	free(out);
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"list", "--escalation", "none",
	    "--limit", "3", NULL}), 0);
	CHECK_HAS(out, "3 of ");
	free(out);
}

TEST_MAIN(every_combination_of_filters_pages_and_counts_exactly,
    bad_filters_are_refused_naming_the_field,
    a_rare_match_ends_pages_early_and_the_cli_follows_them)
