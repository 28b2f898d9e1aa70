/*
 * test_escalation.c: from an incident beyond the team's scope to a person
 * who acknowledges, on the real trygg-intake and trygg-escalation linked
 * by the durable link, with short durations: who is notified in and
 * outside office hours and on a holiday (the daemons' clock is put there
 * with TRYGG_TEST_NOW), re-notification, the next step, unanswered, ack,
 * reinforcement, a team-scope incident, closing the incident, and SIGKILL
 * of either daemon while escalations are under way.
 *
 * No assertion is about durations (the machine is shared and noisy): each
 * waits generously for what must happen and checks its order and content.
 */
#include "harness.h"
#include "msg.h"
#include "test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define WAIT_MS 20000   /* for anything that must happen */

static const char config[] =
    "escalation:\n"
    "  ack_timeout: 2s\n"
    "  renotify_every: 1s\n";

/* A harness with intake and escalation started at the fake time now (NULL: real). */
static harness_t *
start(const char *now, const char *override)
{
	harness_t *h;

	if (now)
		setenv("TRYGG_TEST_NOW", now, 1);
	else
		unsetenv("TRYGG_TEST_NOW");
	h = harness_new(override ? override : config);
	if (harness_start(h, H_ESCALATION) < 0 || harness_start(h, H_INTAKE) < 0) {
		fprintf(stderr, "cannot start the daemons\n");
		exit(1);
	}
	unsetenv("TRYGG_TEST_NOW");
	return h;
}

static void *
subscribe(harness_t *h)
{
	void *sub = zmq_socket(h->zctx, ZMQ_SUB);
	int linger = 0;

	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_connect(sub, h->notifications);
	return sub;
}

typedef struct {
	char contact[64], incident[40], kind[20], summary[200];
	long long escalation, step, attempt;
	bool has_details;
} note_t;

static const char *
mstr(const msgpack_object *m, const char *key, char *buf, size_t len)
{
	const msgpack_object *o = msg_map_get(m, key);

	buf[0] = '\0';
	if (o && o->type == MSGPACK_OBJECT_STR && o->via.str.size < len) {
		memcpy(buf, o->via.str.ptr, o->via.str.size);
		buf[o->via.str.size] = '\0';
	}
	return buf;
}

static long long
mint(const msgpack_object *m, const char *key)
{
	const msgpack_object *o = msg_map_get(m, key);

	return o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (long long)o->via.u64 : -1;
}

/* The next notification about incident (NULL: any), within ms; false when none came. */
static bool
next_note(void *sub, const char *incident, int ms, note_t *n)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		char topic[64], body[4096];
		int tl, bl, left;
		msgpack_unpacked u;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || zmq_poll(&it, 1, left) <= 0)
			return false;
		if ((tl = zmq_recv(sub, topic, sizeof(topic) - 1, 0)) < 0 ||
		    (bl = zmq_recv(sub, body, sizeof(body), 0)) < 0)
			return false;
		topic[tl < (int)sizeof(topic) ? tl : (int)sizeof(topic) - 1] = '\0';
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, body, (size_t)bl, NULL) != MSGPACK_UNPACK_SUCCESS) {
			msgpack_unpacked_destroy(&u);
			continue;
		}
		memset(n, 0, sizeof(*n));
		snprintf(n->contact, sizeof(n->contact), "%s", topic);
		mstr(&u.data, "incident", n->incident, sizeof(n->incident));
		mstr(&u.data, "kind", n->kind, sizeof(n->kind));
		mstr(&u.data, "summary", n->summary, sizeof(n->summary));
		n->escalation = mint(&u.data, "escalation");
		n->step = mint(&u.data, "step");
		n->attempt = mint(&u.data, "attempt");
		n->has_details = msg_map_get(&u.data, "details") != NULL;
		msgpack_unpacked_destroy(&u);
		if (incident == NULL || strcmp(incident, n->incident) == 0)
			return true;
	}
}

/* Submits an incident; returns its number (static buffer) or "" on failure. */
static const char *
submit(harness_t *h, const char *id, const char *district, const char *category,
    int severity, bool reinforcement)
{
	static char number[40];
	pack_t *p = harness_req("submit");
	const msgpack_object *r;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", district);
	pack_kv_str(p, "category", category);
	pack_kv_int(p, "severity", severity);
	pack_kv_str(p, "summary", "Brand i soprum, rök i trapphuset");
	pack_kv_str(p, "reporter", "fältsekreterare A");
	pack_kv_str(p, "details", "HEMLIGT: namn och adress");
	if (reinforcement)
		pack_kv_bool(p, "needs_reinforcement", true);
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	snprintf(number, sizeof(number), "%s", r && h_ok(r) ? h_str(h_get(r, "incident"), "number") : "");
	return number;
}

/* The escalations of an incident (list filtered by incident); -1 when the call failed. */
static int
count_escalations(harness_t *h, const char *number, long long *id)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r, *arr;

	pack_kv_str(p, "incident", number);
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	if (r == NULL || !h_ok(r) || (arr = h_get(r, "escalations")) == NULL ||
	    arr->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	if (arr->via.array.size > 0 && id)
		*id = h_int(&arr->via.array.ptr[0], "id");
	return (int)arr->via.array.size;
}

/* Waits until intake's link to escalation has nothing left to send. */
static bool
link_drained(harness_t *h)
{
	for (int i = 0; i < WAIT_MS / 50; i++) {
		pack_t *p = harness_req("status");
		const msgpack_object *r, *links, *l;

		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		pack_destroy(&p);
		if (r && (links = h_get(r, "links")) && (l = h_get(links, "escalation")) &&
		    h_int(l, "backlog") == 0)
			return true;
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}
	return false;
}

static const char *
esc_status(harness_t *h, long long id)
{
	static char status[32];
	pack_t *p = harness_req("get");
	const msgpack_object *r;

	pack_kv_int(p, "escalation", id);
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	snprintf(status, sizeof(status), "%s", r && h_ok(r) ? h_str(h_get(r, "escalation"), "status") : "");
	return status;
}

/* Who oncall names at the daemons' now. */
static const char *
oncall_contact(harness_t *h)
{
	static char id[64];
	pack_t *p = harness_req("oncall");
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	snprintf(id, sizeof(id), "%s", r && h_ok(r) ? h_str(h_get(r, "contact"), "id") : "");
	return id;
}

TEST(office_hours_reach_the_sakerhetschef_then_the_deputy_then_beredskap_then_unanswered)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00", NULL);        /* a Wednesday */
	void *sub = subscribe(h);
	const char *number;
	char num[40];
	note_t n;
	int deputy_seen = 0, step0 = 0;
	long long id = -1;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);   /* the subscription reaches the PUB */
	number = submit(h, "office-1", "Skäggetorp", "brand", 3, false);
	snprintf(num, sizeof(num), "%s", number);
	CHECK(num[0] != '\0');
	CHECK(next_note(sub, num, WAIT_MS, &n));
	CHECK_STR(n.contact, "sakerhetschef");
	CHECK_STR(n.kind, "external");
	CHECK_INT(n.step, 0);
	CHECK_INT(n.attempt, 1);
	CHECK_STR(n.summary, "Brand i soprum, rök i trapphuset");
	CHECK(!n.has_details);
	id = n.escalation;
	/* nobody acks: step 0 again, then the deputy */
	while (!deputy_seen && next_note(sub, num, WAIT_MS, &n)) {
		if (n.step == 0) {
			CHECK_STR(n.contact, "sakerhetschef");
			step0++;
		} else {
			CHECK_INT(n.step, 1);
			CHECK_STR(n.contact, "sakerhetschef-ersattare");
			deputy_seen = 1;
		}
	}
	CHECK(deputy_seen);
	CHECK(step0 >= 1);
	/* then the policy's last step, the beredskapssamordnare */
	while (next_note(sub, num, WAIT_MS, &n) && n.step == 1)
		CHECK_STR(n.contact, "sakerhetschef-ersattare");
	CHECK_INT(n.step, 2);
	CHECK_STR(n.contact, "beredskapssamordnare");
	/* the last step goes unanswered, and is notified again */
	for (int i = 0; i < WAIT_MS / 100 && strcmp(esc_status(h, id), "unanswered") != 0; i++) {
		struct timespec t = {0, 100 * 1000000};
		nanosleep(&t, NULL);
	}
	CHECK_STR(esc_status(h, id), "unanswered");
	CHECK(next_note(sub, num, WAIT_MS, &n));
	CHECK_STR(n.contact, "beredskapssamordnare");
	zmq_close(sub);
	harness_destroy(&h);
}

TEST(outside_office_hours_and_on_a_holiday_the_tib_on_duty)
{
	static const char *const times[] = {
		"2026-12-02T22:00:00+01:00",    /* a Wednesday night */
		"2026-12-25T10:00:00+01:00",    /* Juldagen, a Friday */
		"2026-12-05T12:00:00+01:00",    /* a Saturday */
	};

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		harness_t *h = start(times[i], NULL);
		void *sub = subscribe(h);
		char num[40], expect[64], id[32];
		note_t n;

		struct timespec ts = {0, 200 * 1000000};
		nanosleep(&ts, NULL);
		snprintf(expect, sizeof(expect), "%s", oncall_contact(h));
		CHECK(strncmp(expect, "tib-", 4) == 0);
		snprintf(id, sizeof(id), "tib-%zu", i);
		snprintf(num, sizeof(num), "%s", submit(h, id, "Ryd", "hot_och_vald", 5, false));
		CHECK(next_note(sub, num, WAIT_MS, &n));
		CHECK_STR(n.contact, expect);
		CHECK_INT(n.step, 0);
		zmq_close(sub);
		harness_destroy(&h);
	}
}

TEST(a_configured_policy_is_followed_step_by_step)
{
	harness_t *h = start("2026-12-02T22:00:00+01:00",     /* outside office hours */
	    "escalation:\n  ack_timeout: 1s\n  renotify_every: 1s\n"
	    "  policy: [oncall, sakerhetschef]\n");
	void *sub = subscribe(h);
	char num[40], tib[64];
	note_t n;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(tib, sizeof(tib), "%s", oncall_contact(h));
	snprintf(num, sizeof(num), "%s", submit(h, "policy-1", "City", "brand", 3, false));
	CHECK(next_note(sub, num, WAIT_MS, &n));
	CHECK_INT(n.step, 0);
	CHECK_STR(n.contact, tib);
	while (next_note(sub, num, WAIT_MS, &n) && n.step == 0)
		;
	CHECK_INT(n.step, 1);
	CHECK_STR(n.contact, "sakerhetschef");     /* no deputy step: as configured */
	zmq_close(sub);
	harness_destroy(&h);
}

TEST(ack_stops_notifications_and_acking_twice_is_fine)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00", NULL);
	void *sub = subscribe(h);
	char num[40];
	note_t n;
	pack_t *p;
	const msgpack_object *r;
	long long id;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(num, sizeof(num), "%s", submit(h, "ack-1", "Berga", "narkotika", 4, false));
	CHECK(next_note(sub, num, WAIT_MS, &n));
	id = n.escalation;
	for (int i = 0; i < 2; i++) {
		p = harness_req("ack");
		pack_kv_int(p, "escalation", id);
		pack_kv_str(p, "by", "sakerhetschef");
		pack_map_close(p);
		r = harness_call(h, H_ESCALATION, p);
		pack_destroy(&p);
		CHECK(h_ok(r));
		CHECK_STR(h_str(h_get(r, "escalation"), "status"), "acked");
		CHECK_STR(h_str(h_get(r, "escalation"), "acked_by"), "sakerhetschef");
	}
	/* a notification already on its way may still arrive; then nothing more */
	while (next_note(sub, num, 2500, &n))
		CHECK_INT(n.step, 0);
	CHECK_STR(esc_status(h, id), "acked");
	/* an unknown contact is refused, an unknown escalation is not_found */
	p = harness_req("ack");
	pack_kv_int(p, "escalation", id);
	pack_kv_str(p, "by", "nobody");
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	CHECK_STR(h_code(r), "invalid_field");
	p = harness_req("resolve");
	pack_kv_int(p, "escalation", 999999);
	pack_kv_str(p, "by", "sakerhetschef");
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	CHECK_STR(h_code(r), "not_found");
	/* resolving: the note is free text, its identity numbers masked */
	p = harness_req("resolve");
	pack_kv_int(p, "escalation", id);
	pack_kv_str(p, "by", "sakerhetschef");
	pack_kv_str(p, "note", "Pojken 811218-9876 hämtad av vårdnadshavare");
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	{
		const msgpack_object *e = h_get(r, "escalation"), *hist = h_get(e, "history");
		const msgpack_object *last;

		CHECK_STR(h_str(e, "status"), "resolved");
		CHECK(hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size > 0);
		if (hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size > 0) {
			last = &hist->via.array.ptr[hist->via.array.size - 1];
			CHECK_STR(h_str(last, "action"), "resolved");
			CHECK(strstr(h_str(last, "note"), "9876") == NULL);
			CHECK_HAS(h_str(last, "note"), "hämtad");
		}
	}
	zmq_close(sub);
	harness_destroy(&h);
}

TEST(reinforcement_reaches_the_other_two_coordinators_and_team_scope_nobody)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00", NULL);
	void *sub = subscribe(h);
	char num[40], none[40];
	note_t n;
	bool ot2 = false, ot3 = false;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(num, sizeof(num), "%s", submit(h, "reinf-1", "Skäggetorp", "ordningsstorning", 2, true));
	snprintf(none, sizeof(none), "%s", submit(h, "scope-1", "Skäggetorp", "nedskrapning", 1, false));
	for (int i = 0; i < 2 && next_note(sub, num, WAIT_MS, &n); i++) {
		CHECK_STR(n.kind, "reinforcement");
		CHECK_INT(n.step, 0);
		ot2 |= strcmp(n.contact, "samordnare-ot2") == 0;
		ot3 |= strcmp(n.contact, "samordnare-ot3") == 0;
		CHECK(strcmp(n.contact, "samordnare-ot1") != 0);
	}
	CHECK(ot2 && ot3);
	CHECK(link_drained(h));
	CHECK_INT(count_escalations(h, none, NULL), 0);
	{
		long long id = -1;
		pack_t *p;
		const msgpack_object *r, *cs;

		CHECK_INT(count_escalations(h, num, &id), 1);
		p = harness_req("get");
		pack_kv_int(p, "escalation", id);
		pack_map_close(p);
		r = harness_call(h, H_ESCALATION, p);
		pack_destroy(&p);
		cs = h_get(h_get(r, "escalation"), "contacts");
		CHECK(cs && cs->type == MSGPACK_OBJECT_ARRAY && cs->via.array.size == 2);
		CHECK_STR(h_str(h_get(r, "escalation"), "target"), "coordinators");
	}
	zmq_close(sub);
	harness_destroy(&h);
}

TEST(closing_the_incident_resolves_its_escalation)
{
	harness_t *h = start(NULL, NULL);
	char num[40];
	long long id = -1;
	pack_t *p;
	const msgpack_object *r;

	snprintf(num, sizeof(num), "%s", submit(h, "close-1", "Ryd", "brand", 3, false));
	CHECK(link_drained(h));
	CHECK_INT(count_escalations(h, num, &id), 1);
	p = harness_req("update");
	pack_kv_str(p, "number", num);
	pack_kv_str(p, "by", "samordnare-ot2");
	pack_kv_str(p, "status", "closed");
	pack_kv_str(p, "note", "Släckt av räddningstjänsten");
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	CHECK(link_drained(h));
	CHECK_STR(esc_status(h, id), "resolved");
	harness_destroy(&h);
}

TEST(sigkill_of_either_daemon_makes_exactly_one_escalation_each)
{
	harness_t *h = start(NULL, NULL);
	char nums[30][40];
	int n = 0;

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++, n++) {
			char id[32];

			snprintf(id, sizeof(id), "crash-%d", n);
			snprintf(nums[n], sizeof(nums[n]), "%s", submit(h, id, "Berga", "brand", 5, false));
			CHECK(nums[n][0] != '\0');
		}
		/* kill one side while the link and the timers are busy, and restart it */
		harness_daemon_t d = round % 2 ? H_INTAKE : H_ESCALATION;

		harness_kill(h, d, SIGKILL);
		CHECK(harness_start(h, d) == 0);
	}
	if (!link_drained(h)) {
		fprintf(stderr, "# the link did not drain (%s)\n", h->dir);
		CHECK(0);
	}
	for (int i = 0; i < n; i++) {
		int c = count_escalations(h, nums[i], NULL);

		if (c != 1)
			fprintf(stderr, "# %s (submit %d of %d) has %d escalations (%s)\n", nums[i], i, n, c, h->dir);
		CHECK_INT(c, 1);
	}
	/* deadlines survived: an escalation made before the kills is still notified */
	{
		void *sub = subscribe(h);
		note_t note;

		CHECK(next_note(sub, nums[0], WAIT_MS, &note));
		zmq_close(sub);
	}
	harness_destroy(&h);
}

TEST(a_deadline_that_passed_while_escalation_was_down_fires_at_restart)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00", NULL);
	void *sub = subscribe(h);
	char num[40];
	note_t n;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(num, sizeof(num), "%s", submit(h, "restart-1", "Lambohov", "brand", 3, false));
	CHECK(next_note(sub, num, WAIT_MS, &n));
	CHECK_INT(n.step, 0);
	/* down past the step's ack_timeout (2 s): nothing in memory survives */
	harness_kill(h, H_ESCALATION, SIGKILL);
	ts.tv_sec = 3;
	ts.tv_nsec = 0;
	nanosleep(&ts, NULL);
	setenv("TRYGG_TEST_NOW", "2026-12-02T10:00:03+01:00", 1);
	CHECK(harness_start(h, H_ESCALATION) == 0);
	unsetenv("TRYGG_TEST_NOW");
	/* the stored deadline fires at once: the deputy, step 1 */
	CHECK(next_note(sub, num, WAIT_MS, &n));
	CHECK_INT(n.step, 1);
	CHECK_STR(n.contact, "sakerhetschef-ersattare");
	zmq_close(sub);
	harness_destroy(&h);
}

/* The ack_url of the next notification about incident, or "" */
static const char *
next_ack_url(void *sub, const char *incident)
{
	static char url[512];

	url[0] = '\0';
	for (int tries = 0; tries < 3 && url[0] == '\0'; tries++) {
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		char topic[64], body[4096], inc[40];
		int bl;
		msgpack_unpacked u;

		if (zmq_poll(&it, 1, WAIT_MS) <= 0 || zmq_recv(sub, topic, sizeof(topic), 0) < 0 ||
		    (bl = zmq_recv(sub, body, sizeof(body), 0)) < 0)
			break;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, body, (size_t)bl, NULL) == MSGPACK_UNPACK_SUCCESS &&
		    strcmp(mstr(&u.data, "incident", inc, sizeof(inc)), incident) == 0)
			mstr(&u.data, "ack_url", url, sizeof(url));
		msgpack_unpacked_destroy(&u);
	}
	return url;
}

static const msgpack_object *
token_call(harness_t *h, const char *op, const char *token)
{
	pack_t *p = harness_req(op);
	const msgpack_object *r;

	pack_kv_str(p, "token", token);
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	return r;
}

TEST(an_ack_link_acknowledges_once_as_its_contact)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00",
	    "escalation:\n  ack_timeout: 1h\n  renotify_every: 1h\n"
	    "web:\n  base_url: https://trygg.example.se/\n");
	void *sub = subscribe(h);
	char num[40], token[64];
	const char *url;
	const msgpack_object *r;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(num, sizeof(num), "%s", submit(h, "token-1", "Ryd", "brand", 3, false));
	url = next_ack_url(sub, num);
	CHECK(strncmp(url, "https://trygg.example.se/ack/", 29) == 0);
	snprintf(token, sizeof(token), "%s", strlen(url) > 29 ? url + 29 : "");
	CHECK_INT(strlen(token), 43);
	/* looking does not acknowledge */
	r = token_call(h, "token", token);
	CHECK(h_ok(r));
	CHECK_STR(h_str(r, "state"), "valid");
	CHECK_STR(h_str(h_get(r, "contact"), "id"), "sakerhetschef");
	CHECK_STR(h_str(h_get(r, "escalation"), "status"), "open");
	/* using it acknowledges as its contact; again is harmless */
	r = token_call(h, "ack", token);
	CHECK(h_ok(r));
	CHECK(h_bool(r, "changed"));
	CHECK_STR(h_str(h_get(r, "escalation"), "status"), "acked");
	CHECK_STR(h_str(h_get(r, "escalation"), "acked_by"), "sakerhetschef");
	r = token_call(h, "ack", token);
	CHECK(h_ok(r));
	CHECK(!h_bool(r, "changed"));
	r = token_call(h, "token", token);
	CHECK_STR(h_str(r, "state"), "used");
	/* unknown and malformed tokens */
	token[0] = token[0] == 'A' ? 'B' : 'A';
	CHECK_STR(h_code(token_call(h, "ack", token)), "not_found");
	CHECK_STR(h_code(token_call(h, "ack", "x")), "not_found");
	/* only the hash is stored */
	{
		char path[400], sql[200];
		sqlite3 *db;
		sqlite3_stmt *st;
		int found = 0;

		token[0] = token[0] == 'A' ? 'B' : 'A';
		snprintf(path, sizeof(path), "%s/data/escalations.db", h->dir);
		CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM ack_tokens WHERE hash LIKE '%%%.10s%%'", token);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			found = sqlite3_column_int(st, 0) + 1;
		sqlite3_finalize(st);
		sqlite3_close(db);
		CHECK_INT(found, 1);    /* the query ran, and matched nothing */
	}
	zmq_close(sub);
	harness_destroy(&h);
}

TEST(an_ack_link_dies_with_its_resolved_escalation)
{
	harness_t *h = start("2026-12-02T10:00:00+01:00",
	    "escalation:\n  ack_timeout: 1h\n  renotify_every: 1h\n"
	    "web:\n  base_url: https://trygg.example.se\n");
	void *sub = subscribe(h);
	char num[40], token[64];
	const char *url;
	long long id = -1;
	pack_t *p;
	const msgpack_object *r;

	struct timespec ts = {0, 200 * 1000000};
	nanosleep(&ts, NULL);
	snprintf(num, sizeof(num), "%s", submit(h, "token-2", "Ryd", "brand", 3, false));
	url = next_ack_url(sub, num);
	snprintf(token, sizeof(token), "%s", strlen(url) > 29 ? url + 29 : "");
	CHECK_INT(count_escalations(h, num, &id), 1);
	p = harness_req("resolve");
	pack_kv_int(p, "escalation", id);
	pack_kv_str(p, "by", "samordnare-ot2");
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	r = token_call(h, "ack", token);
	CHECK_STR(h_code(r), "conflict");
	CHECK_STR(h_str(token_call(h, "token", token), "state"), "resolved");
	zmq_close(sub);
	harness_destroy(&h);
}

/*
 * A notify channel whose command records its input and environment in
 * $TRYGG_TEST_OUT, and fails its first try for the deputy.
 */
static const char notify_config[] =
    "escalation:\n"
    "  ack_timeout: 1h\n"
    "  renotify_every: 1h\n"
    "  notify_retry: 1s\n"
    "notify:\n"
    "  - id: rec\n"
    "    command: [/bin/sh, -c, 'if [ \"$TRYGG_CONTACT_ID\" = sakerhetschef ] && [ \"$TRYGG_TRY\" = 1 ]; then echo gateway down >&2; exit 3; fi;"
    " { cat; echo; env | grep ^TRYGG_ | sort; } > \"$TRYGG_TEST_OUT/$TRYGG_CONTACT_ID.$TRYGG_TRY\"']\n"
    "contacts:\n"
    "  - {id: sakerhetschef, name: Säkerhetschef, role: sakerhetschef, notify: rec, address: sak@example.org}\n"
    "  - {id: sakerhetschef-ersattare, name: Biträdande säkerhetschef, role: deputy}\n"
    "  - {id: tib-1, name: TiB 1, role: tib, notify: rec, address: '+46700000001'}\n"
    "  - {id: tib-2, name: TiB 2, role: tib}\n"
    "  - {id: tib-3, name: TiB 3, role: tib}\n"
    "  - {id: tib-4, name: TiB 4, role: tib}\n"
    "  - {id: tib-5, name: TiB 5, role: tib}\n"
    "  - {id: tib-6, name: TiB 6, role: tib}\n"
    "  - {id: samordnare-ot1, name: Samordnare 1, role: coordinator, team: omradesteam-1}\n"
    "  - {id: samordnare-ot2, name: Samordnare 2, role: coordinator, team: omradesteam-2, notify: rec, address: ot2@example.org}\n"
    "  - {id: samordnare-ot3, name: Samordnare 3, role: coordinator, team: omradesteam-3}\n";

/* Reads a file the notify command wrote, waiting for it; malloc'd or NULL. */
static char *
wait_file(const char *path)
{
	for (int i = 0; i < WAIT_MS / 50; i++) {
		FILE *f = fopen(path, "r");

		if (f != NULL) {
			static char buf[8192];
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);

			fclose(f);
			buf[n] = '\0';
			if (strstr(buf, "TRYGG_TRY="))      /* written whole */
				return strdup(buf);
		}
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

TEST(the_notify_command_runs_with_the_notification_and_a_failure_is_retried)
{
	harness_t *h;
	char out[300], path[400], num[40];
	char *got;
	long long id = -1;
	pack_t *p;
	const msgpack_object *r, *notes;
	int sent = 0, failed = 0;

	snprintf(out, sizeof(out), "/tmp/trygg-notify-XXXXXX");
	CHECK(mkdtemp(out) != NULL);
	setenv("TRYGG_TEST_OUT", out, 1);
	h = start("2026-12-02T10:00:00+01:00", notify_config);
	unsetenv("TRYGG_TEST_OUT");
	snprintf(num, sizeof(num), "%s", submit(h, "notify-1", "Ryd", "brand", 3, false));
	/* the first try fails; the second, a second later, is recorded */
	snprintf(path, sizeof(path), "%s/sakerhetschef.2", out);
	got = wait_file(path);
	CHECK(got != NULL);
	if (got) {
		CHECK_HAS(got, "\"incident\":\"");
		CHECK_HAS(got, num);
		CHECK_HAS(got, "\"summary\":\"Brand i soprum, rök i trapphuset\"");
		CHECK(strstr(got, "HEMLIGT") == NULL);         /* never the details */
		CHECK_HAS(got, "TRYGG_CONTACT_ADDRESS=sak@example.org");
		CHECK_HAS(got, "TRYGG_CONTACT_ID=sakerhetschef");
		CHECK_HAS(got, "TRYGG_CHANNEL=rec");
		CHECK_HAS(got, "TRYGG_INCIDENT=");
		CHECK_HAS(got, "TRYGG_TRY=2");
		free(got);
	}
	snprintf(path, sizeof(path), "%s/sakerhetschef.1", out);
	CHECK(access(path, F_OK) != 0);         /* the failed try wrote nothing */
	/* every run is recorded with its channel and outcome */
	CHECK_INT(count_escalations(h, num, &id), 1);
	p = harness_req("get");
	pack_kv_int(p, "escalation", id);
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	notes = h_get(h_get(r, "escalation"), "notifications");
	CHECK(notes && notes->type == MSGPACK_OBJECT_ARRAY);
	for (uint32_t i = 0; notes && notes->type == MSGPACK_OBJECT_ARRAY && i < notes->via.array.size; i++) {
		const msgpack_object *n = &notes->via.array.ptr[i];

		if (strcmp(h_str(n, "channel"), "rec") == 0) {
			CHECK_STR(h_str(n, "state"), "sent");
			sent++;
		} else {
			CHECK_STR(h_str(n, "channel"), "pub");
		}
	}
	CHECK_INT(sent, 1);
	/* the failed try is in the history, with the program's own words */
	notes = h_get(h_get(r, "escalation"), "history");
	for (uint32_t i = 0; notes && notes->type == MSGPACK_OBJECT_ARRAY && i < notes->via.array.size; i++) {
		const msgpack_object *e = &notes->via.array.ptr[i];

		if (strcmp(h_str(e, "action"), "notify_failed") == 0) {
			CHECK_HAS(h_str(e, "note"), "exited with status 3");
			CHECK_HAS(h_str(e, "note"), "gateway down");
			CHECK_STR(h_str(e, "by"), "sakerhetschef");
			failed++;
		}
	}
	CHECK_INT(failed, 1);
	harness_destroy(&h);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", out);
		CHECK(system(cmd) == 0);
	}
}

TEST_MAIN(office_hours_reach_the_sakerhetschef_then_the_deputy_then_beredskap_then_unanswered,
    outside_office_hours_and_on_a_holiday_the_tib_on_duty,
    a_configured_policy_is_followed_step_by_step,
    ack_stops_notifications_and_acking_twice_is_fine,
    reinforcement_reaches_the_other_two_coordinators_and_team_scope_nobody,
    closing_the_incident_resolves_its_escalation,
    sigkill_of_either_daemon_makes_exactly_one_escalation_each,
    a_deadline_that_passed_while_escalation_was_down_fires_at_restart,
    an_ack_link_acknowledges_once_as_its_contact,
    an_ack_link_dies_with_its_resolved_escalation,
    the_notify_command_runs_with_the_notification_and_a_failure_is_retried)
