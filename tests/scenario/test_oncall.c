/*
 * test_oncall.c: trygg-escalation's oncall as a client sees it, on the real
 * daemon with its own configuration: a weekday, a weekend, a holiday, both
 * sides of both daylight saving changes, a closed date, a shortened day, an
 * override, bad times, and the trygg commands around it.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/*
 * Four TiBs weekly from Monday 5 January 2026 08:00, so turn k (k weeks
 * later) is tib-(k mod 4 + 1): 23 Mar tib-4 (the 167-hour week), 19 Oct
 * tib-2 (169 hours), 15 Jun tib-4, 16 Nov tib-2, 23 Nov tib-3,
 * 21 Dec tib-3.
 */
static const char config[] =
    "office_hours:\n"
    "  days: mon-fri\n"
    "  open: \"08:00\"\n"
    "  close: \"17:00\"\n"
    "  closed:\n"
    "    - {date: 2026-11-27, reason: Personaldag}\n"
    "  shortened:\n"
    "    - {before_holiday: true, close: \"13:00\", reason: Dag före helgdag}\n"
    "rota:\n"
    "  contacts: [tib-1, tib-2, tib-3, tib-4]\n"
    "  period: 7d\n"
    "  start: 2026-01-05\n"
    "  handover: \"08:00\"\n"
    "  overrides:\n"
    "    - {from: 2026-11-18 12:00, to: 2026-11-20 18:00, contact: tib-6, reason: Sjukdom}\n";

static harness_t *
h(void)
{
	return harness_shared(config, H_ESCALATION);
}

/* Asks oncall at a time (NULL: without "at"). */
static const msgpack_object *
oncall(const char *at)
{
	pack_t *p = harness_req("oncall");
	const msgpack_object *r;

	if (at)
		pack_kv_str(p, "at", at);
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	return r;
}

TEST(ping)
{
	pack_t *p = harness_req("ping");
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	CHECK_STR(h_str(r, "service"), "trygg-escalation");
	CHECK_STR(h_str(r, "version"), WIRE_TRYGG_VERSION);
}

static const struct {
	const char *at;
	int         office;
	const char *reason, *target, *contact, *name;
	const char *at_utc;
} cases[] = {
	/* a weekday: 08:00 and 17:00 local are the edges */
	{"2026-11-24T10:00:00+01:00", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-11-24T09:00:00Z"},
	{"2026-11-24T07:59:00+01:00", 0, "outside office hours", "tib",
	    "tib-3", "TiB 3", "2026-11-24T06:59:00Z"},
	{"2026-11-24T08:00:00+01:00", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-11-24T07:00:00Z"},
	{"2026-11-24T16:59:00+01:00", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-11-24T15:59:00Z"},
	{"2026-11-24T17:00:00+01:00", 0, "outside office hours", "tib",
	    "tib-3", "TiB 3", "2026-11-24T16:00:00Z"},
	/* a weekend */
	{"2026-11-22T12:00:00+01:00", 0, "weekend", "tib", "tib-2", "TiB 2",
	    "2026-11-22T11:00:00Z"},
	/* holidays */
	{"2026-12-25T10:00:00+01:00", 0, "holiday: Juldagen", "tib", "tib-3",
	    "TiB 3", "2026-12-25T09:00:00Z"},
	{"2026-06-19T10:00:00+02:00", 0, "holiday: Midsommarafton", "tib",
	    "tib-4", "TiB 4", "2026-06-19T08:00:00Z"},
	/* spring change, Sunday 29 March: Friday in CET, Monday in CEST */
	{"2026-03-27T07:30:00Z", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-03-27T07:30:00Z"},
	{"2026-03-27T16:30:00Z", 0, "outside office hours", "tib", "tib-4",
	    "TiB 4", "2026-03-27T16:30:00Z"},
	{"2026-03-29T01:30:00Z", 0, "weekend", "tib", "tib-4", "TiB 4",
	    "2026-03-29T01:30:00Z"},
	{"2026-03-30T05:30:00Z", 0, "outside office hours", "tib", "tib-4",
	    "TiB 4", "2026-03-30T05:30:00Z"},
	{"2026-03-30T06:00:00Z", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-03-30T06:00:00Z"},
	{"2026-03-30T15:00:00Z", 0, "outside office hours", "tib", "tib-1",
	    "TiB 1", "2026-03-30T15:00:00Z"},
	/* autumn change, Sunday 25 October: Friday in CEST, Monday in CET */
	{"2026-10-23T14:30:00Z", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-10-23T14:30:00Z"},
	{"2026-10-23T15:00:00Z", 0, "outside office hours", "tib", "tib-2",
	    "TiB 2", "2026-10-23T15:00:00Z"},
	{"2026-10-25T01:30:00Z", 0, "weekend", "tib", "tib-2", "TiB 2",
	    "2026-10-25T01:30:00Z"},
	{"2026-10-26T06:30:00Z", 0, "outside office hours", "tib", "tib-2",
	    "TiB 2", "2026-10-26T06:30:00Z"},
	{"2026-10-26T07:00:00Z", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-10-26T07:00:00Z"},
	{"2026-10-26T16:00:00Z", 0, "outside office hours", "tib", "tib-3",
	    "TiB 3", "2026-10-26T16:00:00Z"},
	/* configured closure, shortened day, override */
	{"2026-11-27T10:00:00+01:00", 0, "closed: Personaldag", "tib", "tib-3",
	    "TiB 3", "2026-11-27T09:00:00Z"},
	{"2026-12-23T12:59:00+01:00", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-12-23T11:59:00Z"},
	{"2026-12-23T13:00:00+01:00", 0,
	    "outside office hours (shortened day: Dag före helgdag)", "tib",
	    "tib-3", "TiB 3", "2026-12-23T12:00:00Z"},
	{"2026-11-19T03:00:00+01:00", 0, "outside office hours", "tib", "tib-6",
	    "TiB 6", "2026-11-19T02:00:00Z"},
	{"2026-11-20T18:00:00+01:00", 0, "outside office hours", "tib", "tib-2",
	    "TiB 2", "2026-11-20T17:00:00Z"},
	/* any offset, lower-case letters */
	{"2026-11-24t04:30:00-05:00", 1, "weekday office hours", "sakerhetschef",
	    "sakerhetschef", "Säkerhetschef", "2026-11-24T09:30:00Z"},
};

TEST(oncall_over_the_wire)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const msgpack_object *r = oncall(cases[i].at);
		const msgpack_object *c = h_get(r, "contact");

		if (!h_ok(r)) {
			test_fail(__FILE__, __LINE__, "%s: %s", cases[i].at, h_code(r));
			continue;
		}
		if ((int)h_bool(r, "office_hours") != cases[i].office ||
		    strcmp(h_str(r, "reason"), cases[i].reason) != 0 ||
		    strcmp(h_str(r, "target"), cases[i].target) != 0 ||
		    strcmp(h_str(c, "id"), cases[i].contact) != 0 ||
		    strcmp(h_str(c, "name"), cases[i].name) != 0 ||
		    strcmp(h_str(r, "at"), cases[i].at_utc) != 0)
			test_fail(__FILE__, __LINE__,
			    "%s: %d \"%s\" %s %s (%s) at %s", cases[i].at,
			    h_bool(r, "office_hours"), h_str(r, "reason"),
			    h_str(r, "target"), h_str(c, "id"), h_str(c, "name"),
			    h_str(r, "at"));
	}
}

/* "until": when the answer changes next */
TEST(until)
{
	const msgpack_object *r = oncall("2026-11-24T10:00:00+01:00");

	CHECK_STR(h_str(r, "until"), "2026-11-24T16:00:00Z");
	r = oncall("2026-11-20T17:30:00+01:00");        /* Friday, override ends 18:00 */
	CHECK_STR(h_str(r, "until"), "2026-11-20T17:00:00Z");
	r = oncall("2026-03-27T17:00:00+01:00");        /* to Monday 08:00 CEST */
	CHECK_STR(h_str(r, "until"), "2026-03-30T06:00:00Z");
}

TEST(at_defaults_to_now)
{
	const msgpack_object *r = oncall(NULL);

	CHECK(h_ok(r));
	CHECK(strlen(h_str(r, "at")) >= 20);
	CHECK(strchr(h_str(r, "at"), 'Z') != NULL);
	CHECK(strcmp(h_str(r, "target"), "tib") == 0 ||
	    strcmp(h_str(r, "target"), "sakerhetschef") == 0);
}

TEST(bad_at)
{
	static const char *const bad[] = {
		"2026-13-01T00:00:00Z", "2026-02-30T10:00:00Z", "yesterday", "",
		"2026-11-24", "2026-11-24T10:00:00", "2026-11-24T25:00:00Z",
		"1850-01-01T00:00:00Z",
	};
	pack_t *p;
	const msgpack_object *r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = oncall(bad[i]);
		if (strcmp(h_code(r), "invalid_field") != 0 ||
		    strcmp(h_str(h_get(r, "error"), "field"), "at") != 0)
			test_fail(__FILE__, __LINE__, "\"%s\": %s", bad[i], h_code(r));
	}
	/* not a string */
	p = harness_req("oncall");
	pack_kv_int(p, "at", 1764000000);
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	CHECK_STR(h_code(r), "invalid_field");
	/* a field oncall does not know */
	p = harness_req("oncall");
	pack_kv_str(p, "when", "2026-11-24T10:00:00Z");
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(!h_ok(r));
	/* and the daemon keeps serving */
	CHECK(h_ok(oncall("2026-11-24T10:00:00Z")));
}

TEST(unknown_op_and_req_echo)
{
	pack_t *p = harness_req("escalate-everything");
	const msgpack_object *r;

	pack_kv_str(p, "req", "abc-1");
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	CHECK_STR(h_code(r), "unknown_op");
	CHECK_STR(h_str(r, "req"), "abc-1");

	p = harness_req("oncall");
	pack_kv_int(p, "req", 42);
	pack_kv_str(p, "at", "2026-12-25T10:00:00+01:00");
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	CHECK(h_ok(r));
	CHECK_INT(h_int(r, "req"), 42);
}

TEST(cli)
{
	static const char *const oncall_args[] = {"oncall", "--at",
	    "2026-12-25T10:00:00+01:00", NULL};
	static const char *const oncall_office[] = {"oncall", "--at",
	    "2026-11-24T10:00:00+01:00", NULL};
	static const char *const oncall_bad[] = {"oncall", "--at", "tomorrow", NULL};
	static const char *const holidays[] = {"calendar", "holidays", "2026", NULL};
	static const char *const rota[] = {"rota", "--from", "2026-11-16",
	    "--weeks", "2", NULL};
	char *out = NULL;

	CHECK_INT(harness_cli(h(), &out, oncall_args), 0);
	CHECK_HAS(out, "on call:  TiB 3 (tib-3), TiB on duty\n");
	CHECK_HAS(out, "why:      holiday: Juldagen\n");
	free(out);
	CHECK_INT(harness_cli(h(), &out, oncall_office), 0);
	CHECK_HAS(out, "on call:  Säkerhetschef (sakerhetschef), säkerhetschef\n");
	CHECK_HAS(out, "why:      weekday office hours\n");
	free(out);
	/* a time the client cannot read is refused before anything is sent */
	CHECK_INT(harness_cli(h(), &out, oncall_bad), 64);
	CHECK_HAS(out, "--at");
	free(out);
	CHECK_INT(harness_cli(h(), &out, holidays), 0);
	CHECK_HAS(out, "2026-12-25\tJuldagen\n");
	CHECK_HAS(out, "2026-06-19\tMidsommarafton\n");
	free(out);
	CHECK_INT(harness_cli(h(), &out, rota), 0);
	CHECK_HAS(out, "2026-11-16 08:00 CET – 2026-11-18 12:00 CET  tib-2 (TiB 2)");
	CHECK_HAS(out, "tib-6 (TiB 6), deputy tib-3 (TiB 3)  [override: Sjukdom, instead of tib-2]");
	CHECK_HAS(out, "2026-11-23 08:00 CET – 2026-11-30 08:00 CET  tib-3 (TiB 3)");
	free(out);
}

/* last: SIGTERM ends the daemon cleanly */
TEST(sigterm)
{
	int status = harness_kill(h(), H_ESCALATION, SIGTERM);

	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
}

TEST_MAIN(ping, oncall_over_the_wire, until, at_defaults_to_now, bad_at,
    unknown_op_and_req_echo, cli, sigterm)
