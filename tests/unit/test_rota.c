/*
 * test_rota.c: the TiB rota in Europe/Stockholm (handover at 08:00 local on
 * both sides of a daylight saving change: a 167-hour and a 169-hour week;
 * overrides that start and end mid-week, span a handover, overlap; the
 * deputy), and the on-call decision that combines it with office hours.
 */
#include "oncall.h"
#include "rota.h"
#include "test.h"
#include "ts.h"
#include "tz.h"

#include <stdio.h>

#define HOUR (3600 * 1000LL)

static int64_t
at(const char *s)
{
	int64_t ms = 0;

	if (ts_parse_rfc3339(s, strlen(s), &ms) == -1)
		test_fail(__FILE__, __LINE__, "bad time %s", s);
	return ms;
}

/* local minutes of a local "YYYY-MM-DD HH:MM" */
static int64_t
lmin(const char *s)
{
	int32_t d = 0;
	int m = 0;

	if (ts_parse_date(s, 10, &d) == -1 || ts_parse_hhmm(s + 11, 5, &m) == -1)
		test_fail(__FILE__, __LINE__, "bad local time %s", s);
	return (int64_t)d * 1440 + m;
}

static tz_t *
stockholm(void)
{
	char err[256];
	tz_t *tz = tz_open("Europe/Stockholm", err, sizeof(err));

	if (tz == NULL)
		test_fail(__FILE__, __LINE__, "%s", err);
	return tz;
}

static char *contacts4[] = {"tib-1", "tib-2", "tib-3", "tib-4"};

/* four TiBs, weekly from Monday 5 January 2026 08:00 */
static cfg_rota_t
rota_weekly(cfg_override_t *ov, size_t nov)
{
	int32_t start = 0;

	ts_parse_date("2026-01-05", 10, &start);
	return (cfg_rota_t){
		.contacts = contacts4, .ncontacts = 4, .period_days = 7,
		.start_day = start, .handover_min = 8 * 60, .deputy = NULL,
		.overrides = ov, .noverrides = nov,
	};
}

typedef struct {
	const char *at;
	const char *contact;
	const char *deputy;
	int         override;
	const char *start, *end;        /* the stretch */
} duty_case_t;

static void
check_duties(const cfg_rota_t *rota, const duty_case_t *cases, size_t n)
{
	tz_t *tz = stockholm();

	if (tz == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		rota_duty_t d;

		if (rota_on_duty(rota, tz, at(cases[i].at), &d) == -1) {
			test_fail(__FILE__, __LINE__, "%s: -1", cases[i].at);
			continue;
		}
		if (strcmp(d.contact, cases[i].contact) != 0 ||
		    (d.deputy == NULL) != (cases[i].deputy == NULL) ||
		    (d.deputy && strcmp(d.deputy, cases[i].deputy) != 0) ||
		    (int)d.override != cases[i].override ||
		    d.start != at(cases[i].start) || d.end != at(cases[i].end)) {
			char s[TS_RFC3339_MAX], e[TS_RFC3339_MAX];

			ts_format_rfc3339(d.start, s);
			ts_format_rfc3339(d.end, e);
			test_fail(__FILE__, __LINE__,
			    "%s: %s (deputy %s, override %d) %s..%s, expected %s (%s, %d) %s..%s",
			    cases[i].at, d.contact, d.deputy ? d.deputy : "-",
			    d.override, s, e, cases[i].contact,
			    cases[i].deputy ? cases[i].deputy : "-", cases[i].override,
			    cases[i].start, cases[i].end);
		}
	}
	tz_destroy(&tz);
}

#define CHECK_DUTIES(r, c) check_duties((r), (c), sizeof(c) / sizeof((c)[0]))

TEST(turns)
{
	static const duty_case_t cases[] = {
		{"2026-01-05T08:00:00+01:00", "tib-1", "tib-2", 0,
		    "2026-01-05T08:00:00+01:00", "2026-01-12T08:00:00+01:00"},
		{"2026-01-12T07:59:59.999+01:00", "tib-1", "tib-2", 0,
		    "2026-01-05T08:00:00+01:00", "2026-01-12T08:00:00+01:00"},
		{"2026-01-12T08:00:00+01:00", "tib-2", "tib-3", 0,
		    "2026-01-12T08:00:00+01:00", "2026-01-19T08:00:00+01:00"},
		{"2026-01-26T12:00:00+01:00", "tib-4", "tib-1", 0,
		    "2026-01-26T08:00:00+01:00", "2026-02-02T08:00:00+01:00"},
		{"2026-02-02T08:00:00+01:00", "tib-1", "tib-2", 0,
		    "2026-02-02T08:00:00+01:00", "2026-02-09T08:00:00+01:00"},
		/* before the start the turns run backwards */
		{"2026-01-05T07:59:00+01:00", "tib-4", "tib-1", 0,
		    "2025-12-29T08:00:00+01:00", "2026-01-05T08:00:00+01:00"},
		{"2025-12-24T20:00:00+01:00", "tib-3", "tib-4", 0,
		    "2025-12-22T08:00:00+01:00", "2025-12-29T08:00:00+01:00"},
	};
	cfg_rota_t rota = rota_weekly(NULL, 0);

	CHECK_DUTIES(&rota, cases);
}

/* handover at 08:00 local on both sides of the changes of 2026 */
TEST(daylight_saving)
{
	static const duty_case_t cases[] = {
		/* 23 March 08:00 CET to 30 March 08:00 CEST: 167 hours */
		{"2026-03-23T07:00:00Z", "tib-4", "tib-1", 0,
		    "2026-03-23T08:00:00+01:00", "2026-03-30T08:00:00+02:00"},
		{"2026-03-29T12:00:00+02:00", "tib-4", "tib-1", 0,
		    "2026-03-23T08:00:00+01:00", "2026-03-30T08:00:00+02:00"},
		{"2026-03-30T05:59:59Z", "tib-4", "tib-1", 0,
		    "2026-03-23T07:00:00Z", "2026-03-30T06:00:00Z"},
		{"2026-03-30T06:00:00Z", "tib-1", "tib-2", 0,
		    "2026-03-30T08:00:00+02:00", "2026-04-06T08:00:00+02:00"},
		/* 19 October 08:00 CEST to 26 October 08:00 CET: 169 hours */
		{"2026-10-19T06:00:00Z", "tib-2", "tib-3", 0,
		    "2026-10-19T08:00:00+02:00", "2026-10-26T08:00:00+01:00"},
		{"2026-10-26T06:59:59Z", "tib-2", "tib-3", 0,
		    "2026-10-19T06:00:00Z", "2026-10-26T07:00:00Z"},
		{"2026-10-26T07:00:00Z", "tib-3", "tib-4", 0,
		    "2026-10-26T08:00:00+01:00", "2026-11-02T08:00:00+01:00"},
		/* at 06:30Z on the Monday the turn has not changed yet: 07:30 CET */
		{"2026-10-26T06:30:00Z", "tib-2", "tib-3", 0,
		    "2026-10-19T06:00:00Z", "2026-10-26T07:00:00Z"},
	};
	cfg_rota_t rota = rota_weekly(NULL, 0);
	tz_t *tz = stockholm();
	rota_duty_t d;

	CHECK_DUTIES(&rota, cases);
	if (tz == NULL)
		return;
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-03-25T12:00:00Z"), &d), 0);
	CHECK_INT(d.turn_end - d.turn_start, 167 * HOUR);
	CHECK_INT(d.turn, 11);
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-10-22T12:00:00Z"), &d), 0);
	CHECK_INT(d.turn_end - d.turn_start, 169 * HOUR);
	CHECK_INT(d.turn, 41);
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-11-04T12:00:00Z"), &d), 0);
	CHECK_INT(d.turn_end - d.turn_start, 168 * HOUR);
	tz_destroy(&tz);
}

/* a handover in the skipped hour happens when the clock shows 03:30 */
TEST(handover_in_gap)
{
	int32_t start = 0;
	cfg_rota_t rota;
	tz_t *tz = stockholm();
	rota_duty_t d;

	ts_parse_date("2026-03-29", 10, &start);
	rota = (cfg_rota_t){.contacts = contacts4, .ncontacts = 2,
	    .period_days = 7, .start_day = start, .handover_min = 150};
	if (tz == NULL)
		return;
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-03-29T01:30:00Z"), &d), 0);
	CHECK_STR(d.contact, "tib-1");
	CHECK_INT(d.turn_start, at("2026-03-29T03:30:00+02:00"));
	CHECK_INT(d.turn_end, at("2026-04-05T02:30:00+02:00"));
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-03-29T01:29:59Z"), &d), 0);
	CHECK_STR(d.contact, "tib-2");
	CHECK_INT(d.turn_start, at("2026-03-22T02:30:00+01:00"));
	tz_destroy(&tz);
}

TEST(overrides_mid_week)
{
	/* tib-2's turn 16-23 November; tib-3 covers Wednesday noon to Friday 18:00 */
	cfg_override_t ov[] = {
		{lmin("2026-11-18 12:00"), lmin("2026-11-20 18:00"), "tib-3", "sjuk"},
	};
	static const duty_case_t cases[] = {
		{"2026-11-18T11:59:00+01:00", "tib-2", "tib-3", 0,
		    "2026-11-16T08:00:00+01:00", "2026-11-18T12:00:00+01:00"},
		{"2026-11-18T12:00:00+01:00", "tib-3", "tib-4", 1,
		    "2026-11-18T12:00:00+01:00", "2026-11-20T18:00:00+01:00"},
		{"2026-11-20T17:59:00+01:00", "tib-3", "tib-4", 1,
		    "2026-11-18T12:00:00+01:00", "2026-11-20T18:00:00+01:00"},
		{"2026-11-20T18:00:00+01:00", "tib-2", "tib-3", 0,
		    "2026-11-20T18:00:00+01:00", "2026-11-23T08:00:00+01:00"},
		{"2026-11-23T08:00:00+01:00", "tib-3", "tib-4", 0,
		    "2026-11-23T08:00:00+01:00", "2026-11-30T08:00:00+01:00"},
	};
	cfg_rota_t rota = rota_weekly(ov, 1);
	tz_t *tz = stockholm();
	rota_duty_t d;

	CHECK_DUTIES(&rota, cases);
	if (tz == NULL)
		return;
	rota_on_duty(&rota, tz, at("2026-11-19T03:00:00+01:00"), &d);
	CHECK(d.override);
	CHECK_STR(d.reason, "sjuk");
	CHECK_STR(d.regular, "tib-2");
	CHECK_INT(d.turn_start, at("2026-11-16T08:00:00+01:00"));
	CHECK_INT(d.turn_end, at("2026-11-23T08:00:00+01:00"));
	tz_destroy(&tz);
}

/* an override across a handover, overlapping ones (the last listed wins),
 * and one across the spring change (23 hours long) */
TEST(overrides_across)
{
	cfg_override_t ov[] = {
		{lmin("2026-11-29 20:00"), lmin("2026-12-01 08:00"), "tib-1", "byte"},
		{lmin("2026-11-02 00:00"), lmin("2026-11-07 00:00"), "tib-1", NULL},
		{lmin("2026-11-04 00:00"), lmin("2026-11-05 00:00"), "tib-4", "kurs"},
		{lmin("2026-03-28 12:00"), lmin("2026-03-29 12:00"), "tib-2", NULL},
	};
	static const duty_case_t cases[] = {
		{"2026-11-29T19:00:00+01:00", "tib-3", "tib-4", 0,
		    "2026-11-23T08:00:00+01:00", "2026-11-29T20:00:00+01:00"},
		{"2026-11-30T07:00:00+01:00", "tib-1", "tib-4", 1,
		    "2026-11-29T20:00:00+01:00", "2026-11-30T08:00:00+01:00"},
		{"2026-11-30T09:00:00+01:00", "tib-1", "tib-2", 1,
		    "2026-11-30T08:00:00+01:00", "2026-12-01T08:00:00+01:00"},
		{"2026-12-01T08:00:00+01:00", "tib-4", "tib-1", 0,
		    "2026-12-01T08:00:00+01:00", "2026-12-07T08:00:00+01:00"},
		/* tib-4's turn (2-9 Nov) with overrides inside */
		{"2026-11-03T12:00:00+01:00", "tib-1", "tib-2", 1,
		    "2026-11-02T08:00:00+01:00", "2026-11-04T00:00:00+01:00"},
		{"2026-11-04T12:00:00+01:00", "tib-4", "tib-1", 1,
		    "2026-11-04T00:00:00+01:00", "2026-11-05T00:00:00+01:00"},
		{"2026-11-05T12:00:00+01:00", "tib-1", "tib-2", 1,
		    "2026-11-05T00:00:00+01:00", "2026-11-07T00:00:00+01:00"},
		{"2026-11-07T12:00:00+01:00", "tib-4", "tib-1", 0,
		    "2026-11-07T00:00:00+01:00", "2026-11-09T08:00:00+01:00"},
		{"2026-11-02T07:00:00+01:00", "tib-1", "tib-4", 1,
		    "2026-11-02T00:00:00+01:00", "2026-11-02T08:00:00+01:00"},
		/* across the spring change */
		{"2026-03-29T02:00:00Z", "tib-2", "tib-1", 1,
		    "2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00"},
	};
	cfg_rota_t rota = rota_weekly(ov, 4);
	tz_t *tz = stockholm();
	rota_duty_t d;

	CHECK_DUTIES(&rota, cases);
	if (tz == NULL)
		return;
	rota_on_duty(&rota, tz, at("2026-03-29T02:00:00Z"), &d);
	CHECK_INT(d.end - d.start, 23 * HOUR);
	rota_on_duty(&rota, tz, at("2026-11-04T12:00:00Z"), &d);
	CHECK_STR(d.reason, "kurs");
	tz_destroy(&tz);
}

TEST(list)
{
	cfg_override_t ov[] = {
		{lmin("2026-11-18 12:00"), lmin("2026-11-20 18:00"), "tib-3", "sjuk"},
	};
	static const struct {
		const char *contact;
		int override;
		const char *start, *end;
	} want[] = {
		{"tib-2", 0, "2026-11-16T08:00:00+01:00", "2026-11-18T12:00:00+01:00"},
		{"tib-3", 1, "2026-11-18T12:00:00+01:00", "2026-11-20T18:00:00+01:00"},
		{"tib-2", 0, "2026-11-20T18:00:00+01:00", "2026-11-23T08:00:00+01:00"},
		{"tib-3", 0, "2026-11-23T08:00:00+01:00", "2026-11-30T08:00:00+01:00"},
		{"tib-4", 0, "2026-11-30T08:00:00+01:00", "2026-12-07T08:00:00+01:00"},
	};
	cfg_rota_t rota = rota_weekly(ov, 1);
	tz_t *tz = stockholm();
	rota_duty_t d[8];
	int n;

	if (tz == NULL)
		return;
	/* from Tuesday: the first stretch began on Monday */
	n = rota_list(&rota, tz, at("2026-11-17T00:00:00+01:00"),
	    at("2026-12-01T00:00:00+01:00"), d, 8);
	CHECK_INT(n, 5);
	for (int i = 0; i < n && i < 5; i++) {
		CHECK_STR(d[i].contact, want[i].contact);
		CHECK_INT(d[i].override, want[i].override);
		CHECK_INT(d[i].start, at(want[i].start));
		CHECK_INT(d[i].end, at(want[i].end));
	}
	CHECK_INT(rota_list(&rota, tz, at("2026-11-17T00:00:00+01:00"),
	    at("2026-12-01T00:00:00+01:00"), d, 2), 5);
	CHECK_INT(rota_list(&rota, tz, at("2026-11-17T00:00:00+01:00"),
	    at("2026-11-17T00:00:00+01:00"), d, 8), 0);
	/* a year of weeks, with both changes: contiguous, no gaps */
	{
		rota_duty_t y[64];
		int64_t from = at("2026-01-05T08:00:00+01:00");

		n = rota_list(&rota, tz, from, at("2027-01-04T08:00:00+01:00"), y, 64);
		CHECK_INT(n, 52 + 2);
		for (int i = 1; i < n && i < 64; i++)
			CHECK_INT(y[i].start, y[i - 1].end);
	}
	tz_destroy(&tz);
}

TEST(deputy)
{
	static char *one[] = {"tib-1"};
	cfg_rota_t rota = rota_weekly(NULL, 0);
	tz_t *tz = stockholm();
	rota_duty_t d;

	if (tz == NULL)
		return;
	rota.deputy = "reserv";
	rota_on_duty(&rota, tz, at("2026-01-06T12:00:00Z"), &d);
	CHECK_STR(d.contact, "tib-1");
	CHECK_STR(d.deputy, "reserv");
	/* the deputy on duty: then the next in turn */
	rota.deputy = "tib-1";
	rota_on_duty(&rota, tz, at("2026-01-06T12:00:00Z"), &d);
	CHECK_STR(d.deputy, "tib-2");
	/* one contact and no deputy: nobody */
	rota.deputy = NULL;
	rota.contacts = one;
	rota.ncontacts = 1;
	rota_on_duty(&rota, tz, at("2026-01-06T12:00:00Z"), &d);
	CHECK_STR(d.contact, "tib-1");
	CHECK(d.deputy == NULL);
	/* an empty rota names nobody */
	rota.ncontacts = 0;
	CHECK_INT(rota_on_duty(&rota, tz, at("2026-01-06T12:00:00Z"), &d), -1);
	CHECK_INT(rota_list(&rota, tz, 0, 1, &d, 1), -1);
	tz_destroy(&tz);
}

/* ---- oncall: office hours and the rota together ---- */

static cfg_contact_t test_contacts[] = {
	{.id = "sakerhetschef", .name = "Säkerhetschefen",
	    .role = CFG_ROLE_SAKERHETSCHEF},
	{.id = "tib-1", .name = "TiB 1", .role = CFG_ROLE_TIB},
	{.id = "tib-2", .name = "TiB 2", .role = CFG_ROLE_TIB},
	{.id = "tib-3", .name = "TiB 3", .role = CFG_ROLE_TIB},
	{.id = "tib-4", .name = "TiB 4", .role = CFG_ROLE_TIB},
};

TEST(oncall)
{
	static const struct {
		const char *at;
		int office;
		const char *reason, *target, *contact;
	} cases[] = {
		{"2026-11-24T10:00:00+01:00", 1, "weekday office hours", "sakerhetschef", "sakerhetschef"},
		{"2026-11-24T17:00:00+01:00", 0, "outside office hours", "tib", "tib-3"},
		{"2026-11-22T12:00:00+01:00", 0, "weekend", "tib", "tib-2"},
		{"2026-12-25T10:00:00+01:00", 0, "holiday: Juldagen", "tib", "tib-3"},
		{"2026-03-27T07:30:00Z", 1, "weekday office hours", "sakerhetschef", "sakerhetschef"},
		{"2026-03-30T06:30:00Z", 1, "weekday office hours", "sakerhetschef", "sakerhetschef"},
		{"2026-03-30T05:30:00Z", 0, "outside office hours", "tib", "tib-4"},
		{"2026-10-26T06:30:00Z", 0, "outside office hours", "tib", "tib-2"},
		{"2026-10-26T07:00:00Z", 1, "weekday office hours", "sakerhetschef", "sakerhetschef"},
	};
	cfg_t cfg;
	tz_t *tz = stockholm();
	oncall_t oc;
	char err[256];

	if (tz == NULL)
		return;
	memset(&cfg, 0, sizeof(cfg));
	cfg.contacts = test_contacts;
	cfg.ncontacts = 5;
	cfg.office = (cfg_office_t){.weekdays = 0x1f, .open_min = 480, .close_min = 1020};
	cfg.rota = rota_weekly(NULL, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (oncall_decide(&cfg, tz, at(cases[i].at), &oc, err, sizeof(err)) == -1) {
			test_fail(__FILE__, __LINE__, "%s: %s", cases[i].at, err);
			continue;
		}
		if ((int)oc.office_hours != cases[i].office ||
		    strcmp(oc.reason, cases[i].reason) != 0 ||
		    strcmp(oc.target, cases[i].target) != 0 ||
		    strcmp(oc.contact->id, cases[i].contact) != 0)
			test_fail(__FILE__, __LINE__, "%s: %d %s %s %s, expected %d %s %s %s",
			    cases[i].at, oc.office_hours, oc.reason, oc.target,
			    oc.contact->id, cases[i].office, cases[i].reason,
			    cases[i].target, cases[i].contact);
	}
	CHECK_INT(oncall_decide(&cfg, tz, at("2026-11-22T12:00:00Z"), &oc, err, sizeof(err)), 0);
	CHECK_STR(oc.contact->name, "TiB 2");
	CHECK(oc.has_duty);

	/* what the configuration check should have caught */
	cfg.ncontacts = 4;              /* without tib-4, on duty from 28 December */
	CHECK_INT(oncall_decide(&cfg, tz, at("2026-12-28T20:00:00Z"), &oc, err, sizeof(err)), -1);
	CHECK_HAS(err, "tib-4");
	cfg.contacts = test_contacts + 1;       /* without the säkerhetschef */
	CHECK_INT(oncall_decide(&cfg, tz, at("2026-11-24T10:00:00Z"), &oc, err, sizeof(err)), -1);
	CHECK_HAS(err, "sakerhetschef");
	cfg.rota.ncontacts = 0;
	CHECK_INT(oncall_decide(&cfg, tz, at("2026-11-24T20:00:00Z"), &oc, err, sizeof(err)), -1);
	CHECK_HAS(err, "empty");
	tz_destroy(&tz);
}

TEST_MAIN(turns, daylight_saving, handover_in_gap, overrides_mid_week,
    overrides_across, list, deputy, oncall)
