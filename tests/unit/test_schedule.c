/*
 * test_schedule.c: due times of scheduled jobs (common/schedule.c),
 * table-driven; instants in Europe/Stockholm written out by hand (CET is
 * UTC+1, CEST UTC+2; 2026's changes are on 29 March and 25 October).
 */
#include "../test.h"

#include <stdio.h>
#include <string.h>

#include "schedule.h"
#include "ts.h"

static const struct {
	const char *schedule, *now, *last, *next;
} cases[] = {
	{"weekly mon 07:00", "2026-11-25T12:00:00Z", "2026-11-23T06:00:00Z", "2026-11-30T06:00:00Z"},
	/* exactly at the due time: it is the last, the next is a week on */
	{"weekly mon 07:00", "2026-11-23T06:00:00Z", "2026-11-23T06:00:00Z", "2026-11-30T06:00:00Z"},
	{"weekly mon 07:00", "2026-11-23T05:59:59Z", "2026-11-16T06:00:00Z", "2026-11-23T06:00:00Z"},
	/* across the spring change: 07:00 CET, then 07:00 CEST */
	{"weekly mon 07:00", "2026-03-25T12:00:00Z", "2026-03-23T06:00:00Z", "2026-03-30T05:00:00Z"},
	{"daily 00:30", "2026-10-25T12:00:00Z", "2026-10-24T22:30:00Z", "2026-10-25T23:30:00Z"},
	{"monthly 1 07:00", "2026-11-25T12:00:00Z", "2026-11-01T06:00:00Z", "2026-12-01T06:00:00Z"},
	{"monthly 28 23:59", "2026-03-01T00:00:00Z", "2026-02-28T22:59:00Z", "2026-03-28T22:59:00Z"},
	{"tertial 1 07:00", "2026-11-25T12:00:00Z", "2026-09-01T05:00:00Z", "2027-01-01T06:00:00Z"},
	{"tertial 1 07:00", "2026-02-01T12:00:00Z", "2026-01-01T06:00:00Z", "2026-05-01T05:00:00Z"},
	{"yearly 01-15 07:00", "2026-11-25T12:00:00Z", "2026-01-15T06:00:00Z", "2027-01-15T06:00:00Z"},
	/* the skipped hour: 02:30 on 29 March is read as 03:30 CEST */
	{"yearly 03-29 02:30", "2026-06-01T00:00:00Z", "2026-03-29T01:30:00Z", "2027-03-29T00:30:00Z"},
};

TEST(test_due)
{
	char err[128];
	tz_t *tz = tz_open("Europe/Stockholm", err, sizeof(err));

	CHECK(tz != NULL);
	for (size_t i = 0; tz && i < sizeof(cases) / sizeof(cases[0]); i++) {
		schedule_t s;
		int64_t now;
		char a[TS_RFC3339_MAX], b[TS_RFC3339_MAX];

		if (schedule_parse(cases[i].schedule, strlen(cases[i].schedule), &s, err,
		    sizeof(err)) < 0) {
			test_fail(__FILE__, __LINE__, "%s: %s", cases[i].schedule, err);
			continue;
		}
		CHECK(ts_parse_rfc3339(cases[i].now, strlen(cases[i].now), &now) == 0);
		ts_format_rfc3339(schedule_last(&s, tz, now), a);
		ts_format_rfc3339(schedule_next(&s, tz, now), b);
		if (strcmp(a, cases[i].last) != 0 || strcmp(b, cases[i].next) != 0)
			test_fail(__FILE__, __LINE__, "%s at %s: last %s next %s, expected %s %s",
			    cases[i].schedule, cases[i].now, a, b, cases[i].last, cases[i].next);
	}
	tz_destroy(&tz);
}

TEST(test_bad)
{
	static const char *const bad[] = {
		"", "daily", "daily 7:00", "daily 24:00", "weekly 07:00", "weekly monday 07:00",
		"monthly 29 07:00", "monthly 0 07:00", "monthly x 07:00", "tertial 31 07:00",
		"yearly 02-29 07:00", "yearly 13-01 07:00", "yearly 1-15 07:00",
		"hourly 07:00", "weekly mon 07:00 extra", "daily 07:00 x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		schedule_t s;
		char err[128] = "";

		if (schedule_parse(bad[i], strlen(bad[i]), &s, err, sizeof(err)) == 0)
			test_fail(__FILE__, __LINE__, "\"%s\" was accepted", bad[i]);
		else
			CHECK(err[0] != '\0');
	}
}

TEST_MAIN(test_due, test_bad)
