/*
 * test_officehours.c: office hours in Europe/Stockholm: the boundaries
 * 07:59, 08:00, 16:59, 17:00 local, weekends, holidays, configured closed
 * dates, shortened days, both sides of the daylight saving changes, and
 * oh_next_change(). Instants are written with their local offset, so the
 * expectations do not depend on tz.c.
 */
#include "officehours.h"
#include "test.h"
#include "ts.h"
#include "tz.h"

#include <stdio.h>

static int32_t
date(const char *s)
{
	int32_t d = 0;

	if (ts_parse_date(s, strlen(s), &d) == -1)
		test_fail(__FILE__, __LINE__, "bad date %s", s);
	return d;
}

static int64_t
at(const char *s)
{
	int64_t ms = 0;

	if (ts_parse_rfc3339(s, strlen(s), &ms) == -1)
		test_fail(__FILE__, __LINE__, "bad time %s", s);
	return ms;
}

/* the default office, plus closed dates and shortened-day rules */
static cfg_office_t
office_default(void)
{
	static cfg_closed_t closed[2];
	static cfg_short_t shortened[2];

	closed[0] = (cfg_closed_t){date("2026-11-27"), "personaldag"};
	closed[1] = (cfg_closed_t){date("2026-12-25"), "julstängt"};
	shortened[0] = (cfg_short_t){CFG_SHORT_DATE, date("2026-11-26"), 15 * 60,
	    "halvdag"};
	shortened[1] = (cfg_short_t){CFG_SHORT_BEFORE_HOLIDAY, 0, 13 * 60,
	    "dag före helgdag"};
	return (cfg_office_t){
		.weekdays = 0x1f, .open_min = 8 * 60, .close_min = 17 * 60,
		.closed = closed, .nclosed = 2,
		.shortened = shortened, .nshortened = 2,
	};
}

typedef struct {
	const char *at;
	int         office;         /* 1 office hours, 0 not */
	const char *reason;
} case_t;

static void
check_cases(const cfg_office_t *office, const case_t *cases, size_t n)
{
	char err[256];
	tz_t *tz = tz_open("Europe/Stockholm", err, sizeof(err));

	if (tz == NULL) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		oh_decision_t d;

		oh_decide(office, tz, at(cases[i].at), &d);
		if ((int)d.office_hours != cases[i].office ||
		    strcmp(d.reason, cases[i].reason) != 0)
			test_fail(__FILE__, __LINE__, "%s: %d \"%s\", expected %d \"%s\"",
			    cases[i].at, d.office_hours, d.reason, cases[i].office,
			    cases[i].reason);
	}
	tz_destroy(&tz);
}

#define CHECK_CASES(o, c) check_cases((o), (c), sizeof(c) / sizeof((c)[0]))

TEST(boundaries)
{
	static const case_t cases[] = {
		{"2026-11-24T07:59:00+01:00", 0, "outside office hours"},
		{"2026-11-24T07:59:59.999+01:00", 0, "outside office hours"},
		{"2026-11-24T08:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-24T12:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-24T16:59:00+01:00", 1, "weekday office hours"},
		{"2026-11-24T16:59:59.999+01:00", 1, "weekday office hours"},
		{"2026-11-24T17:00:00+01:00", 0, "outside office hours"},
		{"2026-11-24T23:59:00+01:00", 0, "outside office hours"},
		{"2026-11-24T00:00:00+01:00", 0, "outside office hours"},
		/* the same instants written in UTC */
		{"2026-11-24T06:59:00Z", 0, "outside office hours"},
		{"2026-11-24T07:00:00Z", 1, "weekday office hours"},
		{"2026-11-24T15:59:00Z", 1, "weekday office hours"},
		{"2026-11-24T16:00:00Z", 0, "outside office hours"},
		/* Monday and Friday are office days */
		{"2026-11-23T08:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-20T16:59:00+01:00", 1, "weekday office hours"},
	};
	cfg_office_t office = office_default();

	CHECK_CASES(&office, cases);
}

TEST(weekends_and_holidays)
{
	static const case_t cases[] = {
		{"2026-11-21T12:00:00+01:00", 0, "weekend"},
		{"2026-11-22T12:00:00+01:00", 0, "weekend"},
		{"2026-11-21T00:00:00+01:00", 0, "weekend"},
		{"2026-11-22T23:59:00+01:00", 0, "weekend"},
		{"2026-12-24T10:00:00+01:00", 0, "holiday: Julafton"},
		{"2026-12-25T10:00:00+01:00", 0, "holiday: Juldagen"},
		{"2026-12-26T10:00:00+01:00", 0, "holiday: Annandag jul"},
		{"2026-12-31T10:00:00+01:00", 0, "holiday: Nyårsafton"},
		{"2027-01-01T10:00:00+01:00", 0, "holiday: Nyårsdagen"},
		{"2026-01-06T10:00:00+01:00", 0, "holiday: Trettondedag jul"},
		{"2026-04-03T10:00:00+02:00", 0, "holiday: Långfredagen"},
		{"2026-04-06T10:00:00+02:00", 0, "holiday: Annandag påsk"},
		{"2026-05-01T10:00:00+02:00", 0, "holiday: Första maj"},
		{"2026-05-14T10:00:00+02:00", 0, "holiday: Kristi himmelsfärdsdag"},
		{"2026-05-25T10:00:00+02:00", 1, "weekday office hours"},
		{"2026-06-06T10:00:00+02:00", 0, "holiday: Sveriges nationaldag"},
		{"2026-06-19T10:00:00+02:00", 0, "holiday: Midsommarafton"},
		/* a holiday's whole local day, not its UTC day */
		{"2026-12-24T00:00:00+01:00", 0, "holiday: Julafton"},
		{"2026-12-23T23:30:00Z", 0, "holiday: Julafton"},
		{"2026-12-24T23:30:00Z", 0, "holiday: Juldagen"},
		{"2027-01-07T08:00:00+01:00", 1, "weekday office hours"},
	};
	cfg_office_t office = office_default();

	CHECK_CASES(&office, cases);
}

TEST(closed_dates)
{
	static const case_t cases[] = {
		{"2026-11-27T10:00:00+01:00", 0, "closed: personaldag"},
		{"2026-11-27T07:00:00+01:00", 0, "closed: personaldag"},
		{"2026-11-28T10:00:00+01:00", 0, "weekend"},
		/* the law wins over a closure of the same day */
		{"2026-12-25T10:00:00+01:00", 0, "holiday: Juldagen"},
	};
	cfg_office_t office = office_default();

	CHECK_CASES(&office, cases);
}

TEST(shortened_days)
{
	static const case_t cases[] = {
		/* on a date: 26 November closes at 15:00 */
		{"2026-11-26T07:59:00+01:00", 0, "outside office hours"},
		{"2026-11-26T08:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-26T14:59:00+01:00", 1, "weekday office hours"},
		{"2026-11-26T15:00:00+01:00", 0, "outside office hours (shortened day: halvdag)"},
		{"2026-11-26T17:30:00+01:00", 0, "outside office hours (shortened day: halvdag)"},
		/* the day before a holiday closes at 13:00 */
		{"2026-12-23T12:59:00+01:00", 1, "weekday office hours"},
		{"2026-12-23T13:00:00+01:00", 0, "outside office hours (shortened day: dag före helgdag)"},
		{"2026-01-05T13:00:00+01:00", 0, "outside office hours (shortened day: dag före helgdag)"},
		{"2026-04-02T13:00:00+02:00", 0, "outside office hours (shortened day: dag före helgdag)"},
		{"2026-06-18T13:00:00+02:00", 0, "outside office hours (shortened day: dag före helgdag)"},
		{"2026-12-30T13:00:00+01:00", 0, "outside office hours (shortened day: dag före helgdag)"},
		/* a normal day, and a Friday before a weekend, are not shortened */
		{"2026-11-25T13:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-20T16:00:00+01:00", 1, "weekday office hours"},
		/* Friday 30 October 2026: next day is alla helgons dag */
		{"2026-10-30T13:00:00+01:00", 0, "outside office hours (shortened day: dag före helgdag)"},
	};
	cfg_office_t office = office_default();

	CHECK_CASES(&office, cases);
}

/* both sides of the changes: 08:00 and 17:00 stay local times */
TEST(daylight_saving)
{
	static const case_t cases[] = {
		/* Friday 27 March 2026, CET */
		{"2026-03-27T06:59:00Z", 0, "outside office hours"},
		{"2026-03-27T07:00:00Z", 1, "weekday office hours"},
		{"2026-03-27T15:59:00Z", 1, "weekday office hours"},
		{"2026-03-27T16:00:00Z", 0, "outside office hours"},
		/* Sunday 29 March: the change itself */
		{"2026-03-29T00:59:00Z", 0, "weekend"},
		{"2026-03-29T01:00:00Z", 0, "weekend"},
		/* Monday 30 March, CEST: an hour earlier in UTC */
		{"2026-03-30T05:59:00Z", 0, "outside office hours"},
		{"2026-03-30T06:00:00Z", 1, "weekday office hours"},
		{"2026-03-30T14:59:00Z", 1, "weekday office hours"},
		{"2026-03-30T15:00:00Z", 0, "outside office hours"},
		{"2026-03-30T07:59:00+02:00", 0, "outside office hours"},
		{"2026-03-30T08:00:00+02:00", 1, "weekday office hours"},
		{"2026-03-30T16:59:00+02:00", 1, "weekday office hours"},
		{"2026-03-30T17:00:00+02:00", 0, "outside office hours"},
		/* Friday 23 October 2026, CEST */
		{"2026-10-23T05:59:00Z", 0, "outside office hours"},
		{"2026-10-23T06:00:00Z", 1, "weekday office hours"},
		{"2026-10-23T14:59:00Z", 1, "weekday office hours"},
		{"2026-10-23T15:00:00Z", 0, "outside office hours"},
		/* Monday 26 October, CET */
		{"2026-10-26T06:59:00Z", 0, "outside office hours"},
		{"2026-10-26T07:00:00Z", 1, "weekday office hours"},
		{"2026-10-26T15:59:00Z", 1, "weekday office hours"},
		{"2026-10-26T16:00:00Z", 0, "outside office hours"},
		/* 2025: 30 March and 26 October */
		{"2025-03-28T16:30:00Z", 0, "outside office hours"},
		{"2025-03-31T14:30:00Z", 1, "weekday office hours"},
		{"2025-10-24T15:30:00Z", 0, "outside office hours"},
		{"2025-10-27T15:30:00Z", 1, "weekday office hours"},
	};
	cfg_office_t office = office_default();

	CHECK_CASES(&office, cases);
}

TEST(configured_weekdays)
{
	static const case_t cases[] = {
		{"2026-11-20T10:00:00+01:00", 0, "not an office day"},  /* Friday */
		{"2026-11-19T09:59:00+01:00", 0, "outside office hours"},
		{"2026-11-19T10:00:00+01:00", 1, "weekday office hours"},
		{"2026-11-19T13:59:00+01:00", 1, "weekday office hours"},
		{"2026-11-19T14:00:00+01:00", 0, "outside office hours"},
		{"2026-11-21T10:00:00+01:00", 1, "weekday office hours"}, /* Saturday */
		{"2026-11-22T10:00:00+01:00", 0, "weekend"},
	};
	/* Monday to Thursday and Saturday, 10:00 to 14:00 */
	cfg_office_t office = {
		.weekdays = 0x0f | 0x20, .open_min = 10 * 60, .close_min = 14 * 60,
	};

	CHECK_CASES(&office, cases);
}

TEST(next_change)
{
	static const struct {
		const char *from, *next;
	} cases[] = {
		{"2026-11-24T12:00:00+01:00", "2026-11-24T17:00:00+01:00"},
		{"2026-11-24T17:00:00+01:00", "2026-11-25T08:00:00+01:00"},
		{"2026-11-24T07:00:00+01:00", "2026-11-24T08:00:00+01:00"},
		/* Friday evening to Monday morning */
		{"2026-11-20T17:00:00+01:00", "2026-11-23T08:00:00+01:00"},
		/* a shortened day closes early */
		{"2026-11-26T10:00:00+01:00", "2026-11-26T15:00:00+01:00"},
		{"2026-12-23T10:00:00+01:00", "2026-12-23T13:00:00+01:00"},
		/* over Christmas: 24-27 December, then Monday */
		{"2026-12-23T13:00:00+01:00", "2026-12-28T08:00:00+01:00"},
		/* over the changes: Monday 08:00 in the new offset */
		{"2026-03-27T17:00:00+01:00", "2026-03-30T08:00:00+02:00"},
		{"2026-10-23T17:00:00+02:00", "2026-10-26T08:00:00+01:00"},
	};
	cfg_office_t office = office_default();
	cfg_office_t never = {.weekdays = 0, .open_min = 480, .close_min = 1020};
	char err[256];
	tz_t *tz = tz_open("Europe/Stockholm", err, sizeof(err));
	int64_t next;

	if (tz == NULL) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		next = 0;
		if (oh_next_change(&office, tz, at(cases[i].from), &next) == -1 ||
		    next != at(cases[i].next)) {
			char got[TS_RFC3339_MAX];

			ts_format_rfc3339(next, got);
			test_fail(__FILE__, __LINE__, "from %s: %s, expected %s",
			    cases[i].from, got, cases[i].next);
		}
	}
	CHECK_INT(oh_next_change(&never, tz, at("2026-11-24T12:00:00Z"), &next), -1);
	tz_destroy(&tz);
}

TEST_MAIN(boundaries, weekends_and_holidays, closed_dates, shortened_days,
    daylight_saving, configured_weekdays, next_change)
