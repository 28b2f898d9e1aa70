/*
 * test_intake.c: trygg-intake as a client sees it, on a real daemon:
 * routing, scope, idempotency, every error code, durability across SIGKILL.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

static harness_t *
h(void)
{
	return harness_shared(NULL, H_INTAKE);
}

/* A submit request with the required fields, open for more. */
static pack_t *
submit(const char *id, const char *district, const char *category, int severity)
{
	pack_t *p = harness_req("submit");

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", district);
	pack_kv_str(p, "category", category);
	pack_kv_int(p, "severity", severity);
	pack_kv_str(p, "summary", "Klotter på skolans vägg");
	pack_kv_str(p, "reporter", "fältsekreterare A");
	return p;
}

static const msgpack_object *
send_closed(pack_t *p)
{
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	return r;
}

TEST(ping_answers_service_and_version)
{
	pack_t *p = harness_req("ping");
	const msgpack_object *r = send_closed(p);

	CHECK(h_ok(r));
	CHECK_STR(h_str(r, "service"), "trygg-intake");
	CHECK_STR(h_str(r, "version"), WIRE_TRYGG_VERSION);
}

TEST(every_district_routes_to_its_team)
{
	static const struct { const char *district, *team; } cases[] = {
		{"Skäggetorp", "omradesteam-1"}, {"Ljungsbro", "omradesteam-1"},
		{"Linghem", "omradesteam-1"}, {"Bankekind", "omradesteam-1"},
		{"Askeby", "omradesteam-1"}, {"Stjärnorp", "omradesteam-1"},
		{"Ryd", "omradesteam-2"}, {"Vikingstad", "omradesteam-2"},
		{"Lambohov", "omradesteam-2"}, {"Malmslätt", "omradesteam-2"},
		{"Slaka", "omradesteam-2"}, {"Västerlösa", "omradesteam-2"},
		{"Nykil", "omradesteam-2"}, {"Ulrika", "omradesteam-2"},
		{"Berga", "omradesteam-3"}, {"City", "omradesteam-3"},
		{"Ekholmen", "omradesteam-3"}, {"Sturefors", "omradesteam-3"},
		{"Bestorp", "omradesteam-3"}, {"Brokind", "omradesteam-3"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[64];
		const msgpack_object *r, *inc;

		snprintf(id, sizeof(id), "route-%zu", i);
		r = send_closed(submit(id, cases[i].district, "nedskrapning", 1));
		inc = h_get(r, "incident");
		CHECK(h_ok(r));
		CHECK_STR(h_str(inc, "team"), cases[i].team);
		CHECK_STR(h_str(inc, "district"), cases[i].district);
	}
}

TEST(district_spellings_are_folded)
{
	static const struct { const char *typed, *district, *team_name; } cases[] = {
		{"skaggetorp", "Skäggetorp", "Områdesteam 1"},
		{"LAMBOHOV", "Lambohov", "Områdesteam 2"},
		{"  malmslatt ", "Malmslätt", "Områdesteam 2"},
		{"VÄSTERLÖSA", "Västerlösa", "Områdesteam 2"},
		{"stjarnorp", "Stjärnorp", "Områdesteam 1"},
		{"city", "City", "Områdesteam 3"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[64];
		const msgpack_object *inc;

		snprintf(id, sizeof(id), "fold-%zu", i);
		inc = h_get(send_closed(submit(id, cases[i].typed, "ovrigt", 1)), "incident");
		CHECK_STR(h_str(inc, "district"), cases[i].district);
		CHECK_STR(h_str(inc, "team_name"), cases[i].team_name);
	}
}

TEST(scope_rules_decide_the_escalation)
{
	static const struct {
		const char *category;
		int severity, external, reinforcement;
		const char *expect;
	} cases[] = {
		{"skadegorelse", 1, -1, -1, "none"},
		{"skadegorelse", 3, 0, 0, "none"},
		{"skadegorelse", 4, -1, -1, "external"},
		{"skadegorelse", 5, -1, -1, "external"},
		{"brand", 1, -1, -1, "external"},
		{"skadegorelse", 2, 1, -1, "external"},
		{"skadegorelse", 2, -1, 1, "reinforcement"},
		{"skadegorelse", 2, 1, 1, "external"},
		{"hot_och_vald", 3, 0, 1, "reinforcement"},
		{"brand", 2, 0, 1, "external"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[64];
		pack_t *p;
		const msgpack_object *r;

		snprintf(id, sizeof(id), "scope-%zu", i);
		p = submit(id, "Berga", cases[i].category, cases[i].severity);
		if (cases[i].external >= 0)
			pack_kv_bool(p, "needs_external", cases[i].external);
		if (cases[i].reinforcement >= 0)
			pack_kv_bool(p, "needs_reinforcement", cases[i].reinforcement);
		r = send_closed(p);
		CHECK(h_ok(r));
		if (strcmp(h_str(h_get(r, "incident"), "escalation"), cases[i].expect) != 0)
			test_fail(__FILE__, __LINE__, "case %zu: escalation %s, expected %s", i,
			    h_str(h_get(r, "incident"), "escalation"), cases[i].expect);
	}
}

TEST(submit_reply_has_the_protocol_fields)
{
	const msgpack_object *r = send_closed(submit("shape-1", "Ryd", "buskorning", 2));
	const msgpack_object *inc = h_get(r, "incident");
	const char *number = h_str(inc, "number");

	CHECK(h_ok(r));
	CHECK(h_get(r, "duplicate") != NULL && !h_bool(r, "duplicate"));
	CHECK_INT(strlen(number), strlen("INC-2026-000042"));
	CHECK(strncmp(number, "INC-", 4) == 0 && number[8] == '-');
	CHECK_STR(h_str(inc, "id"), "shape-1");
	CHECK_STR(h_str(inc, "team"), "omradesteam-2");
	CHECK_STR(h_str(inc, "team_name"), "Områdesteam 2");
	CHECK_STR(h_str(inc, "status"), "open");
	CHECK_STR(h_str(inc, "escalation"), "none");
	CHECK(strlen(h_str(inc, "received_at")) == 20 && h_str(inc, "received_at")[19] == 'Z');
}

TEST(numbers_run_in_sequence)
{
	char first[32], second[32];

	snprintf(first, sizeof(first), "%s",
	    h_str(h_get(send_closed(submit("seq-1", "Ryd", "ovrigt", 1)), "incident"), "number"));
	snprintf(second, sizeof(second), "%s",
	    h_str(h_get(send_closed(submit("seq-2", "Ryd", "ovrigt", 1)), "incident"), "number"));
	CHECK_INT(strtol(second + 9, NULL, 10), strtol(first + 9, NULL, 10) + 1);
	CHECK(strncmp(first, second, 9) == 0);
}

TEST(retried_submit_returns_the_same_incident)
{
	char number[32];
	const msgpack_object *r;

	r = send_closed(submit("retry-1", "Berga", "inbrott", 3));
	CHECK(h_ok(r));
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));
	r = send_closed(submit("retry-1", "Berga", "inbrott", 3));
	CHECK(h_ok(r));
	CHECK(h_bool(r, "duplicate"));
	CHECK_STR(h_str(h_get(r, "incident"), "number"), number);
	/* a folded spelling of the same district is the same content */
	r = send_closed(submit("retry-1", "berga", "inbrott", 3));
	CHECK(h_bool(r, "duplicate"));
}

TEST(same_id_different_content_is_a_conflict)
{
	const msgpack_object *r;

	CHECK(h_ok(send_closed(submit("conflict-1", "Berga", "inbrott", 3))));
	r = send_closed(submit("conflict-1", "Berga", "inbrott", 4));
	CHECK(!h_ok(r));
	CHECK_STR(h_code(r), "conflict");
	CHECK_STR(h_str(h_get(r, "error"), "field"), "id");
}

TEST(request_id_is_echoed)
{
	pack_t *p = submit("echo-1", "Ryd", "ovrigt", 1);
	const msgpack_object *r, *req;

	pack_kv_str(p, "req", "abc-123");
	r = send_closed(p);
	CHECK_STR(h_str(r, "req"), "abc-123");
	p = harness_req("nosuchop");
	pack_kv_int(p, "req", 77);
	r = send_closed(p);
	req = h_get(r, "req");
	CHECK(req && req->type == MSGPACK_OBJECT_POSITIVE_INTEGER && req->via.u64 == 77);
	CHECK_STR(h_code(r), "unknown_op");
	CHECK_HAS(h_str(h_get(r, "error"), "message"),
	    "trygg-intake knows ping, submit, get, list, update");
}

/* Sends raw bytes and checks the error code (and field when given). */
static void
expect_raw(const void *data, size_t len, const char *code, const char *field, int line)
{
	const msgpack_object *r = harness_call_raw(h(), H_INTAKE, data, len);

	if (r == NULL) {
		test_fail(__FILE__, line, "no reply");
		return;
	}
	if (h_ok(r) || strcmp(h_code(r), code) != 0)
		test_fail(__FILE__, line, "code %s, expected %s", h_code(r), code);
	if (strlen(h_str(h_get(r, "error"), "message")) < 10)
		test_fail(__FILE__, line, "message too short: '%s'",
		    h_str(h_get(r, "error"), "message"));
	if (field && strcmp(h_str(h_get(r, "error"), "field"), field) != 0)
		test_fail(__FILE__, line, "field '%s', expected '%s'",
		    h_str(h_get(r, "error"), "field"), field);
}

static void
expect(pack_t *p, const char *code, const char *field, int line)
{
	size_t len;
	const void *data;

	pack_map_close(p);
	data = pack_data(p, &len);
	expect_raw(data, len, code, field, line);
	pack_destroy(&p);
}

TEST(bad_frames_get_bad_request)
{
	static const unsigned char garbage[] = {0xc1, 0xff, 0x00, 0x12};
	static const unsigned char array[] = {0x92, 0x01, 0x02};
	static const unsigned char truncated[] = {0x82, 0xa1, 'v', 0x01, 0xa2, 'o'};
	static const unsigned char intkey[] = {0x81, 0x01, 0x01};

	expect_raw(garbage, sizeof(garbage), "bad_request", NULL, __LINE__);
	expect_raw(array, sizeof(array), "bad_request", NULL, __LINE__);
	expect_raw(truncated, sizeof(truncated), "bad_request", NULL, __LINE__);
	expect_raw(intkey, sizeof(intkey), "bad_request", NULL, __LINE__);
	expect_raw("", 0, "bad_request", NULL, __LINE__);
	expect_raw("hello", 5, "bad_request", NULL, __LINE__);
}

TEST(bad_headers)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_str(p, "op", "submit");
	expect(p, "bad_request", "v", __LINE__);

	p = pack_new();
	pack_map_open(p);
	pack_kv_str(p, "v", "1");
	pack_kv_str(p, "op", "submit");
	expect(p, "bad_request", "v", __LINE__);

	p = pack_new();
	pack_map_open(p);
	pack_kv_int(p, "v", 2);
	pack_kv_str(p, "op", "submit");
	expect(p, "unsupported_version", NULL, __LINE__);

	p = pack_new();
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	expect(p, "bad_request", "op", __LINE__);

	expect(harness_req("explode"), "unknown_op", NULL, __LINE__);
}

TEST(bad_fields_get_invalid_field)
{
	pack_t *p;
	char big[300];

	/* missing required fields, one at a time */
	p = harness_req("submit");
	pack_kv_str(p, "id", "x1");
	expect(p, "invalid_field", "district", __LINE__);

	p = submit("bad-1", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "bogus_field", "x");
	expect(p, "invalid_field", "bogus_field", __LINE__);

	p = harness_req("submit");
	pack_kv_str(p, "id", "bad-2");
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_str(p, "severity", "high");
	pack_kv_str(p, "summary", "s");
	pack_kv_str(p, "reporter", "r");
	expect(p, "invalid_field", "severity", __LINE__);

	expect(submit("bad-3", "Ryd", "ovrigt", 0), "invalid_field", "severity", __LINE__);
	expect(submit("bad-4", "Ryd", "ovrigt", 6), "invalid_field", "severity", __LINE__);
	expect(submit("has space", "Ryd", "ovrigt", 1), "invalid_field", "id", __LINE__);
	expect(submit("", "Ryd", "ovrigt", 1), "invalid_field", "id", __LINE__);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect(submit(big, "Ryd", "ovrigt", 1), "invalid_field", "id", __LINE__);
	p = submit("bad-5", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "location", big);
	expect(p, "invalid_field", "location", __LINE__);

	p = submit("bad-6", "Ryd", "ovrigt", 1);
	pack_kv_strn(p, "details", "bad \xc3\x28 utf8", 12);
	expect(p, "invalid_field", "details", __LINE__);

	p = submit("bad-6b", "Ryd", "ovrigt", 1);
	pack_kv_strn(p, "location", "Ryd\0centrum", 11);
	expect(p, "invalid_field", "location", __LINE__);

	p = submit("bad-7", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "occurred_at", "yesterday");
	expect(p, "invalid_field", "occurred_at", __LINE__);

	p = submit("bad-8", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "level", "national");
	expect(p, "invalid_field", "level", __LINE__);

	p = submit("bad-9", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "needs_external", "yes");
	expect(p, "invalid_field", "needs_external", __LINE__);

	p = submit("bad-10", "Ryd", "ovrigt", 1);
	pack_key(p, "partners");
	pack_array_open(p);
	pack_str(p, "polis");
	pack_int(p, 3);
	pack_array_close(p);
	expect(p, "invalid_field", "partners", __LINE__);

	p = submit("bad-11", "Ryd", "ovrigt", 1);
	pack_kv_str(p, "occurred_at", "2099-01-01T00:00:00Z");
	expect(p, "invalid_field", "occurred_at", __LINE__);
}

TEST(unknown_district_and_category)
{
	expect(submit("u-1", "Narnia", "ovrigt", 1), "unknown_district", "district", __LINE__);
	expect(submit("u-2", "Ryd", "tidsresa", 1), "unknown_category", "category", __LINE__);
}

TEST(oversized_frame_is_too_large_and_daemon_serves_on)
{
	size_t len = WIRE_MAX_FRAME + 1;
	char *big = malloc(len);
	pack_t *p;

	memset(big, 0x90, len);
	expect_raw(big, len, "too_large", NULL, __LINE__);
	free(big);
	/* a large but legal summary is still judged on its fields */
	p = harness_req("ping");
	CHECK(h_ok(send_closed(p)));
}

TEST(personnummer_are_masked_before_storing)
{
	pack_t *p = harness_req("submit");
	const msgpack_object *r, *inc;
	char number[32];

	pack_kv_str(p, "id", "pnr-1");
	pack_kv_str(p, "district", "Ekholmen");
	pack_kv_str(p, "category", "oro_for_barn");
	pack_kv_int(p, "severity", 2);
	pack_kv_str(p, "summary", "Oro för barn 20121212-1212 vid skolan");
	pack_kv_str(p, "reporter", "skolkurator");
	pack_kv_str(p, "details", "Syskon 121212+1212 och 811228-9874 nämndes");
	pack_kv_str(p, "location", "Ekholmsskolan");
	r = send_closed(p);
	CHECK(h_ok(r));
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));

	p = harness_req("get");
	pack_kv_str(p, "number", number);
	inc = h_get(send_closed(p), "incident");
	CHECK(strstr(h_str(inc, "summary"), "1212") == NULL);
	CHECK_HAS(h_str(inc, "summary"), "XXXXXXXX-XXXX");
	CHECK(strstr(h_str(inc, "details"), "9874") == NULL);
	CHECK(strstr(h_str(inc, "details"), "121212+1212") == NULL);
}

TEST(get_list_update_and_history)
{
	const msgpack_object *r, *inc, *hist, *list;
	char number[32];
	pack_t *p;

	p = submit("life-1", "Lambohov", "ordningsstorning", 2);
	pack_kv_str(p, "level", "grupp");
	pack_key(p, "partners");
	pack_array_open(p);
	pack_str(p, "polis");
	pack_str(p, "bostadsbolag");
	pack_array_close(p);
	r = send_closed(p);
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));

	p = harness_req("get");
	pack_kv_str(p, "id", "life-1");
	inc = h_get(send_closed(p), "incident");
	CHECK_STR(h_str(inc, "number"), number);
	CHECK_STR(h_str(inc, "level"), "grupp");
	CHECK_INT(h_get(inc, "partners")->via.array.size, 2);

	p = harness_req("update");
	pack_kv_str(p, "number", number);
	pack_kv_str(p, "by", "samordnare-ot2");
	pack_kv_str(p, "note", "Polisen informerad");
	r = send_closed(p);
	CHECK(h_ok(r));
	p = harness_req("update");
	pack_kv_str(p, "number", number);
	pack_kv_str(p, "by", "samordnare-ot2");
	pack_kv_str(p, "status", "closed");
	r = send_closed(p);
	inc = h_get(r, "incident");
	CHECK_STR(h_str(inc, "status"), "closed");
	hist = h_get(inc, "history");
	CHECK(hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size == 3);
	if (hist && hist->via.array.size == 3) {
		CHECK_STR(h_str(&hist->via.array.ptr[0], "action"), "created");
		CHECK_STR(h_str(&hist->via.array.ptr[1], "action"), "note");
		CHECK_STR(h_str(&hist->via.array.ptr[1], "note"), "Polisen informerad");
		CHECK_STR(h_str(&hist->via.array.ptr[2], "action"), "closed");
	}

	p = harness_req("list");
	pack_kv_str(p, "team", "omradesteam-2");
	pack_kv_str(p, "status", "closed");
	r = send_closed(p);
	list = h_get(r, "incidents");
	CHECK(list && list->via.array.size >= 1);
	if (list && list->via.array.size >= 1)
		CHECK_STR(h_str(&list->via.array.ptr[0], "number"), number);

	p = harness_req("list");
	pack_kv_int(p, "limit", 2);
	list = h_get(send_closed(p), "incidents");
	CHECK(list && list->via.array.size == 2);

	p = harness_req("list");
	pack_kv_int(p, "limit", 5000);
	expect(p, "invalid_field", "limit", __LINE__);
	p = harness_req("list");
	pack_kv_str(p, "team", "omradesteam-9");
	expect(p, "invalid_field", "team", __LINE__);
	p = harness_req("get");
	pack_kv_str(p, "number", "INC-1999-000001");
	expect(p, "not_found", "number", __LINE__);
	p = harness_req("update");
	pack_kv_str(p, "number", number);
	pack_kv_str(p, "by", "x");
	expect(p, "invalid_field", NULL, __LINE__);
}

TEST(answered_incident_survives_sigkill)
{
	char numbers[20][32];
	pack_t *p;

	for (int i = 0; i < 20; i++) {
		char id[32];
		const msgpack_object *r;

		snprintf(id, sizeof(id), "durable-%d", i);
		r = send_closed(submit(id, "Brokind", "skadegorelse", 1 + i % 5));
		CHECK(h_ok(r));
		snprintf(numbers[i], sizeof(numbers[i]), "%s", h_str(h_get(r, "incident"), "number"));
	}
	CHECK_INT(WTERMSIG(harness_kill(h(), H_INTAKE, SIGKILL)), SIGKILL);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	for (int i = 0; i < 20; i++) {
		char id[32];
		const msgpack_object *r;

		snprintf(id, sizeof(id), "durable-%d", i);
		p = harness_req("get");
		pack_kv_str(p, "id", id);
		r = send_closed(p);
		CHECK(h_ok(r));
		CHECK_STR(h_str(h_get(r, "incident"), "number"), numbers[i]);
	}
	/* and numbering goes on after the last one given out */
	CHECK(h_ok(send_closed(submit("durable-next", "Brokind", "ovrigt", 1))));
}

TEST(retried_update_is_applied_once_and_notes_are_masked)
{
	const msgpack_object *r, *hist;
	char number[32];
	pack_t *p;

	r = send_closed(submit("upd-1", "Ryd", "ovrigt", 1));
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));
	for (int i = 0; i < 3; i++) {
		p = harness_req("update");
		pack_kv_str(p, "number", number);
		pack_kv_str(p, "by", "tib-1");
		pack_kv_str(p, "note", "Samtal med vårdnadshavare till 201212121212");
		pack_kv_str(p, "update_id", "once-1");
		r = send_closed(p);
		CHECK(h_ok(r));
		CHECK(h_get(r, "duplicate") != NULL && h_bool(r, "duplicate") == (i > 0));
	}
	hist = h_get(h_get(r, "incident"), "history");
	CHECK(hist && hist->via.array.size == 2);
	if (hist && hist->via.array.size == 2) {
		CHECK_STR(h_str(&hist->via.array.ptr[1], "action"), "note");
		CHECK_HAS(h_str(&hist->via.array.ptr[1], "note"), "XXXXXXXXXXXX");
		CHECK(strstr(h_str(&hist->via.array.ptr[1], "note"), "1212") == NULL);
	}
}

/*
 * Many clients at once: each DEALER keeps one submit in flight; every one is
 * acknowledged (group commit takes them in batches), and after SIGKILL right
 * after the last reply every acknowledged incident is still there.
 */
/* Sends client c's next submit on its DEALER socket. */
static void
send_many(void *sock, int c, int i, pack_t *p)
{
	char id[32];
	size_t len;
	const void *data;

	snprintf(id, sizeof(id), "many-%d-%d", c, i);
	pack_reset(p);
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Lambohov");
	pack_kv_str(p, "category", "buskorning");
	pack_kv_int(p, "severity", 1 + c % 5);
	pack_kv_str(p, "summary", "Mopeder på gångvägen");
	pack_kv_str(p, "reporter", "trygghetsvärd");
	pack_map_close(p);
	data = pack_data(p, &len);
	zmq_send(sock, "", 0, ZMQ_SNDMORE);
	zmq_send(sock, data, len, 0);
}

/*
 * Many clients at once: each DEALER keeps one submit in flight; every one is
 * acknowledged (group commit takes them in batches), and after SIGKILL right
 * after the last reply every acknowledged incident is still there.
 */
TEST(concurrent_clients_are_all_acknowledged_and_durable)
{
	enum { CLIENTS = 16, EACH = 25 };
	zmq_pollitem_t items[CLIENTS];
	int sent[CLIENTS], acked = 0, ok = 0;
	pack_t *p = pack_new();

	for (int c = 0; c < CLIENTS; c++) {
		int linger = 0;

		items[c].socket = zmq_socket(h()->zctx, ZMQ_DEALER);
		items[c].events = ZMQ_POLLIN;
		zmq_setsockopt(items[c].socket, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_connect(items[c].socket, h()->endpoint[H_INTAKE]);
		send_many(items[c].socket, c, 0, p);
		sent[c] = 1;
	}
	while (acked < CLIENTS * EACH) {
		if (zmq_poll(items, CLIENTS, 10000) <= 0) {
			test_fail(__FILE__, __LINE__, "no reply within 10 s");
			break;
		}
		for (int c = 0; c < CLIENTS; c++) {
			zmq_msg_t msg;
			msgpack_unpacked u;
			size_t off = 0;

			if (!(items[c].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_init(&msg);
			zmq_msg_recv(&msg, items[c].socket, 0);    /* the empty delimiter */
			zmq_msg_recv(&msg, items[c].socket, 0);
			msgpack_unpacked_init(&u);
			if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) ==
			    MSGPACK_UNPACK_SUCCESS && h_ok(&u.data))
				ok++;
			msgpack_unpacked_destroy(&u);
			zmq_msg_close(&msg);
			acked++;
			if (sent[c] < EACH)
				send_many(items[c].socket, c, sent[c]++, p);
		}
	}
	CHECK_INT(ok, CLIENTS * EACH);
	for (int c = 0; c < CLIENTS; c++)
		zmq_close(items[c].socket);
	pack_destroy(&p);

	CHECK_INT(WTERMSIG(harness_kill(h(), H_INTAKE, SIGKILL)), SIGKILL);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	for (int c = 0; c < CLIENTS; c++) {
		for (int i = 0; i < EACH; i++) {
			char id[32];
			pack_t *g = harness_req("get");

			snprintf(id, sizeof(id), "many-%d-%d", c, i);
			pack_kv_str(g, "id", id);
			if (!h_ok(send_closed(g)))
				test_fail(__FILE__, __LINE__, "%s lost after SIGKILL", id);
		}
	}
}

/*
 * SIGTERM with requests in flight: the daemon commits and syncs what it
 * took, and those replies still leave before it exits; every "ok" among
 * them is on disk when the daemon comes back.
 */
TEST(sigterm_answers_what_it_took_and_keeps_it)
{
	enum { CLIENTS = 40 };
	zmq_pollitem_t items[CLIENTS];
	int replies = 0, oks = 0, okd[CLIENTS] = {0};
	pack_t *p = pack_new();

	for (int c = 0; c < CLIENTS; c++) {
		int linger = 0;

		items[c].socket = zmq_socket(h()->zctx, ZMQ_DEALER);
		items[c].events = ZMQ_POLLIN;
		zmq_setsockopt(items[c].socket, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_connect(items[c].socket, h()->endpoint[H_INTAKE]);
	}
	usleep(100000);         /* let the connections come up first */
	for (int c = 0; c < CLIENTS; c++)
		send_many(items[c].socket, 1000 + c, 0, p);
	/* stop it while it works: once the first reply is on its way back */
	zmq_poll(items, CLIENTS, 10000);
	CHECK_INT(WEXITSTATUS(harness_kill(h(), H_INTAKE, SIGTERM)), 0);
	while (zmq_poll(items, CLIENTS, 200) > 0) {
		for (int c = 0; c < CLIENTS; c++) {
			zmq_msg_t msg;
			msgpack_unpacked u;
			size_t off = 0;

			if (!(items[c].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_init(&msg);
			zmq_msg_recv(&msg, items[c].socket, 0);
			zmq_msg_recv(&msg, items[c].socket, 0);
			msgpack_unpacked_init(&u);
			if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) ==
			    MSGPACK_UNPACK_SUCCESS && h_ok(&u.data)) {
				okd[c] = 1;
				oks++;
			}
			msgpack_unpacked_destroy(&u);
			zmq_msg_close(&msg);
			replies++;
		}
	}
	/* it answers those it took, at least the first */
	CHECK(replies > 0);
	CHECK_INT(oks, replies);
	for (int c = 0; c < CLIENTS; c++)
		zmq_close(items[c].socket);
	pack_destroy(&p);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	for (int c = 0; c < CLIENTS; c++) {
		char id[32];
		pack_t *g;

		if (!okd[c])
			continue;
		g = harness_req("get");
		snprintf(id, sizeof(id), "many-%d-0", 1000 + c);
		pack_kv_str(g, "id", id);
		if (!h_ok(send_closed(g)))
			test_fail(__FILE__, __LINE__, "%s was answered ok but is gone", id);
	}
}

TEST_MAIN(ping_answers_service_and_version, every_district_routes_to_its_team,
    district_spellings_are_folded, scope_rules_decide_the_escalation,
    submit_reply_has_the_protocol_fields, numbers_run_in_sequence,
    retried_submit_returns_the_same_incident, same_id_different_content_is_a_conflict,
    request_id_is_echoed, bad_frames_get_bad_request, bad_headers,
    bad_fields_get_invalid_field, unknown_district_and_category,
    oversized_frame_is_too_large_and_daemon_serves_on,
    personnummer_are_masked_before_storing, get_list_update_and_history,
    answered_incident_survives_sigkill,
    retried_update_is_applied_once_and_notes_are_masked,
    concurrent_clients_are_all_acknowledged_and_durable,
    sigterm_answers_what_it_took_and_keeps_it)
