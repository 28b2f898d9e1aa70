/*
 * test_period.c: report periods (common/period.c), table-driven.
 *
 * Expected days are written out from a calendar, never computed by
 * period.c's own arithmetic; instants in Europe/Stockholm are the UTC
 * times of local midnight, checked against date(1) for the daylight
 * saving days of 2026 (29 March, 25 October).
 */
#include "../test.h"

#include <stdio.h>
#include <string.h>

#include "period.h"
#include "ts.h"

static const struct {
	const char *in, *name, *first, *last, *prev;
} parse_cases[] = {
	{"2026-W47", "2026-W47", "2026-11-16", "2026-11-22", "2026-W46"},
	{"2026-w01", "2026-W01", "2025-12-29", "2026-01-04", "2025-W52"},
	{"2026-W53", "2026-W53", "2026-12-28", "2027-01-03", "2026-W52"},
	{"2027-W01", "2027-W01", "2027-01-04", "2027-01-10", "2026-W53"},
	{"2020-W53", "2020-W53", "2020-12-28", "2021-01-03", "2020-W52"},
	{"2015-W53", "2015-W53", "2015-12-28", "2016-01-03", "2015-W52"},
	{"2021-W01", "2021-W01", "2021-01-04", "2021-01-10", "2020-W53"},
	{"2026-11", "2026-11", "2026-11-01", "2026-11-30", "2026-10"},
	{"2026-01", "2026-01", "2026-01-01", "2026-01-31", "2025-12"},
	{"2024-02", "2024-02", "2024-02-01", "2024-02-29", "2024-01"},
	{"2026-Q4", "2026-Q4", "2026-10-01", "2026-12-31", "2026-Q3"},
	{"2026-q1", "2026-Q1", "2026-01-01", "2026-03-31", "2025-Q4"},
	{"2026-T1", "2026-T1", "2026-01-01", "2026-04-30", "2025-T3"},
	{"2026-T2", "2026-T2", "2026-05-01", "2026-08-31", "2026-T1"},
	{"2026-T3", "2026-T3", "2026-09-01", "2026-12-31", "2026-T2"},
	{"2026", "2026", "2026-01-01", "2026-12-31", "2025"},
	{"2026-11-01..2026-11-30", "2026-11-01..2026-11-30", "2026-11-01", "2026-11-30",
	    "2026-10-02..2026-10-31"},
	{"2026-10-25..2026-10-25", "2026-10-25..2026-10-25", "2026-10-25", "2026-10-25",
	    "2026-10-24..2026-10-24"},
	{"2025-12-29..2026-01-04", "2025-12-29..2026-01-04", "2025-12-29", "2026-01-04",
	    "2025-12-22..2025-12-28"},
};

TEST(test_parse)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		period_t p, prev;
		char err[128], a[11], b[11];

		if (period_parse(parse_cases[i].in, strlen(parse_cases[i].in), &p, err,
		    sizeof(err)) < 0) {
			test_fail(__FILE__, __LINE__, "%s: %s", parse_cases[i].in, err);
			continue;
		}
		ts_format_date(p.first, a);
		ts_format_date(p.last, b);
		CHECK_STR(p.name, parse_cases[i].name);
		CHECK_STR(a, parse_cases[i].first);
		CHECK_STR(b, parse_cases[i].last);
		period_previous(&p, &prev);
		CHECK_STR(prev.name, parse_cases[i].prev);
		CHECK_INT(prev.kind, p.kind);
		CHECK_INT(prev.last, p.first - 1);
	}
}

static const char *const bad_cases[] = {
	"", "2026-", "26", "abcd", "2026-W54", "2027-W53", "2026-W00", "2026-W5",
	"2026-13", "2026-00", "2026-1", "2026-Q0", "2026-Q5", "2026-T0", "2026-T4",
	"2026-11 ", " 2026", "1899", "2200", "2026-11-31..2026-12-01",
	"2026-12-01..2026-11-01", "2026-11-01..2026-11-3", "2026-11-01...2026-11-30",
	"2000-01-01..2026-01-01", "2026/11", "2026-X1",
};

TEST(test_parse_bad)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		period_t p;
		char err[128] = "";

		if (period_parse(bad_cases[i], strlen(bad_cases[i]), &p, err, sizeof(err)) == 0)
			test_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad_cases[i]);
		else
			CHECK(err[0] != '\0');
	}
}

/* local midnight to local midnight, across the daylight saving changes of 2026 */
static const struct {
	const char *period, *from, *to;
} instant_cases[] = {
	{"2026-03", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"},
	{"2026-W13", "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z"},
	{"2026-03-29..2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"},
	{"2026-10-25..2026-10-25", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
	{"2026-W53", "2026-12-27T23:00:00Z", "2027-01-03T23:00:00Z"},
	{"2026", "2025-12-31T23:00:00Z", "2026-12-31T23:00:00Z"},
	{"2026-T2", "2026-04-30T22:00:00Z", "2026-08-31T22:00:00Z"},
};

TEST(test_instants)
{
	char err[128];
	tz_t *tz = tz_open("Europe/Stockholm", err, sizeof(err));

	CHECK(tz != NULL);
	if (tz == NULL)
		return;
	for (size_t i = 0; i < sizeof(instant_cases) / sizeof(instant_cases[0]); i++) {
		period_t p;
		int64_t from, to;
		char a[TS_RFC3339_MAX], b[TS_RFC3339_MAX];

		CHECK(period_parse(instant_cases[i].period, strlen(instant_cases[i].period), &p,
		    err, sizeof(err)) == 0);
		period_instants(&p, tz, &from, &to);
		ts_format_rfc3339(from, a);
		ts_format_rfc3339(to, b);
		CHECK_STR(a, instant_cases[i].from);
		CHECK_STR(b, instant_cases[i].to);
	}
	tz_destroy(&tz);
}

static const struct {
	const char *date;
	int year, week;
} week_cases[] = {
	{"2027-01-01", 2026, 53}, {"2027-01-03", 2026, 53}, {"2027-01-04", 2027, 1},
	{"2024-12-30", 2025, 1}, {"2026-01-01", 2026, 1}, {"2025-12-29", 2026, 1},
	{"2025-12-28", 2025, 52}, {"2021-01-03", 2020, 53}, {"2026-11-22", 2026, 47},
};

TEST(test_iso_week)
{
	static const struct { int year, weeks; } years[] = {
		{2015, 53}, {2016, 52}, {2020, 53}, {2021, 52}, {2025, 52}, {2026, 53},
		{2027, 52}, {2032, 53}, {2037, 53},
	};

	for (size_t i = 0; i < sizeof(week_cases) / sizeof(week_cases[0]); i++) {
		int32_t d;
		int y, w;

		CHECK(ts_parse_date(week_cases[i].date, 10, &d) == 0);
		period_iso_week(d, &y, &w);
		CHECK_INT(y, week_cases[i].year);
		CHECK_INT(w, week_cases[i].week);
	}
	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++)
		CHECK_INT(period_iso_weeks(years[i].year), years[i].weeks);
}

TEST_MAIN(test_parse, test_parse_bad, test_instants, test_iso_week)
