/*
 * test_ts.c: instants, civil dates and durations (common/ts.c).
 *
 * Expected instants come from an independent day count (a plain loop over
 * years and months, anchored on 1970-01-01) or from date(1), never from
 * ts.c's own arithmetic.
 */
#include "../test.h"

#include <stdio.h>
#include <string.h>

#include "ts.h"

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)

static bool
slow_leap(int y)
{
	if (y % 400 == 0)
		return true;
	if (y % 100 == 0)
		return false;
	return y % 4 == 0;
}

static int
slow_mdays(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && slow_leap(y) ? 29 : len[m - 1];
}

/* Days since 1970-01-01, counted month by month. */
static int64_t
slow_days(int y, int m, int d)
{
	int64_t n = 0;

	for (int yy = 1970; yy < y; yy++)
		n += slow_leap(yy) ? 366 : 365;
	for (int yy = y; yy < 1970; yy++)
		n -= slow_leap(yy) ? 366 : 365;
	for (int mm = 1; mm < m; mm++)
		n += slow_mdays(y, mm);
	return n + d - 1;
}

static int64_t
slow_ms(int y, int mo, int d, int h, int mi, int s, int ms)
{
	return slow_days(y, mo, d) * DAY + h * HOUR + mi * MIN + s * SEC + ms;
}

TEST(test_rfc3339_parse)
{
	static const struct {
		const char *s;
		bool        ok;
		int         y, mo, d, h, mi, sec, ms;   /* expected, in UTC */
	} cases[] = {
		{"2026-11-22T20:15:03Z", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22t20:15:03z", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22 20:15:03Z", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22T21:15:03+01:00", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22T14:45:03-05:30", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22T20:15:03+00:00", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22T20:15:03-00:00", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-23T20:14:03+23:59", true, 2026, 11, 22, 20, 15, 3, 0},
		{"2026-11-22T21:15:03.5+01:00", true, 2026, 11, 22, 20, 15, 3, 500},
		{"2026-11-22T20:15:03.123456789Z", true, 2026, 11, 22, 20, 15, 3, 123},
		{"2026-11-22T20:15:03.1Z", true, 2026, 11, 22, 20, 15, 3, 100},
		{"2026-11-22T20:15:03.12Z", true, 2026, 11, 22, 20, 15, 3, 120},
		{"2026-11-22T20:15:03.999Z", true, 2026, 11, 22, 20, 15, 3, 999},
		{"2026-11-22T20:15:03.9999Z", true, 2026, 11, 22, 20, 15, 3, 999},
		{"2026-11-22T20:15:03.000000001Z", true, 2026, 11, 22, 20, 15, 3, 0},
		/* leap second: folded into the next second */
		{"2016-12-31T23:59:60Z", true, 2017, 1, 1, 0, 0, 0, 0},
		{"2017-01-01T00:59:60+01:00", true, 2017, 1, 1, 0, 0, 0, 0},
		/* the offset moves the day, the month and the year */
		{"2026-01-01T00:30:00+01:00", true, 2025, 12, 31, 23, 30, 0, 0},
		{"2025-12-31T20:00:00-05:30", true, 2026, 1, 1, 1, 30, 0, 0},
		{"2024-03-01T00:00:00+00:01", true, 2024, 2, 29, 23, 59, 0, 0},
		{"2024-02-29T12:00:00Z", true, 2024, 2, 29, 12, 0, 0, 0},
		{"2000-02-29T12:00:00Z", true, 2000, 2, 29, 12, 0, 0, 0},
		{"1900-01-01T00:00:00Z", true, 1900, 1, 1, 0, 0, 0, 0},
		{"1969-12-31T23:59:59.999Z", true, 1969, 12, 31, 23, 59, 59, 999},
		{"1970-01-01T00:00:00Z", true, 1970, 1, 1, 0, 0, 0, 0},
		{"2200-12-31T23:59:59Z", true, 2200, 12, 31, 23, 59, 59, 0},
		/* missing or bad offset */
		{"2026-11-22T20:15:03", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03.5", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+0100", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+01", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+1:00", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+01:0", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+24:00", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+01:60", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03 01:00", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03UTC", false, 0, 0, 0, 0, 0, 0, 0},
		/* bad dates */
		{"2026-02-29T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"1900-02-29T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2100-02-29T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-13-01T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-00-10T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-04-31T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-01-00T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-01-32T12:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"1899-12-31T23:59:59Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2201-01-01T00:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"0000-01-01T00:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"9999-12-31T23:59:59Z", false, 0, 0, 0, 0, 0, 0, 0},
		/* bad times */
		{"2026-11-22T24:00:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T23:60:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T23:59:61Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T2a:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20-15-03Z", false, 0, 0, 0, 0, 0, 0, 0},
		/* separators and shapes */
		{"2026-11-22X20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22_20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026/11/22T20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-1-22T20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"26-11-22T20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{" 2026-11-22T20:15:03Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22", false, 0, 0, 0, 0, 0, 0, 0},
		{"", false, 0, 0, 0, 0, 0, 0, 0},
		/* trailing garbage */
		{"2026-11-22T20:15:03Zx", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03Z ", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03ZZ", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+01:00x", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03+01:00Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03.5xZ", false, 0, 0, 0, 0, 0, 0, 0},
		/* fractions */
		{"2026-11-22T20:15:03.1234567890Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03.Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03,5Z", false, 0, 0, 0, 0, 0, 0, 0},
		{"2026-11-22T20:15:03.-5Z", false, 0, 0, 0, 0, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = -42;
		int rc = ts_parse_rfc3339(cases[i].s, strlen(cases[i].s), &got);

		if (!cases[i].ok) {
			if (rc != -1)
				test_fail(__FILE__, __LINE__, "\"%s\" accepted as %lld",
				    cases[i].s, (long long)got);
			if (got != -42)
				test_fail(__FILE__, __LINE__, "\"%s\": *ms written on failure",
				    cases[i].s);
			continue;
		}
		int64_t want = slow_ms(cases[i].y, cases[i].mo, cases[i].d, cases[i].h,
		    cases[i].mi, cases[i].sec, cases[i].ms);
		if (rc != 0 || got != want)
			test_fail(__FILE__, __LINE__, "\"%s\": rc %d, %lld, expected %lld",
			    cases[i].s, rc, (long long)got, (long long)want);
	}
}

/* Instants that date(1) computed; the parser reads only len bytes. */
TEST(test_rfc3339_known)
{
	int64_t ms = 0;

	CHECK_INT(ts_parse_rfc3339("2026-11-22T20:15:03Z", 20, &ms), 0);
	CHECK_INT(ms, 1795378503000LL);
	CHECK_INT(ts_parse_rfc3339("1900-01-01T00:00:00Z", 20, &ms), 0);
	CHECK_INT(ms, -2208988800000LL);
	CHECK_INT(ts_parse_rfc3339("2200-12-31T23:59:59Z", 20, &ms), 0);
	CHECK_INT(ms, 7289654399000LL);
	CHECK_INT(ts_parse_rfc3339("2000-02-29T12:00:00Z", 20, &ms), 0);
	CHECK_INT(ms, 951825600000LL);
	CHECK_INT(ts_parse_rfc3339("2026-11-22T20:15:03Zjunk", 20, &ms), 0);
	CHECK_INT(ms, 1795378503000LL);
	CHECK_INT(ts_parse_rfc3339("2026-11-22T20:15:03Z", 19, &ms), -1);
	CHECK_INT(ts_parse_rfc3339("2026-11-22T20:15:03+01:00", 24, &ms), -1);
}

TEST(test_rfc3339_format)
{
	static const struct {
		int64_t     ms;
		const char *s;
	} cases[] = {
		{0, "1970-01-01T00:00:00Z"},
		{999, "1970-01-01T00:00:00Z"},             /* whole seconds */
		{1000, "1970-01-01T00:00:01Z"},
		{1795378503000LL, "2026-11-22T20:15:03Z"},
		{1795378503999LL, "2026-11-22T20:15:03Z"},
		{951825600000LL, "2000-02-29T12:00:00Z"},
		{7289654399000LL, "2200-12-31T23:59:59Z"},
		{7289654399999LL, "2200-12-31T23:59:59Z"},
		/* before 1970: the second that contains the instant */
		{-1, "1969-12-31T23:59:59Z"},
		{-999, "1969-12-31T23:59:59Z"},
		{-1000, "1969-12-31T23:59:59Z"},
		{-1001, "1969-12-31T23:59:58Z"},
		{-86400000LL, "1969-12-31T00:00:00Z"},
		{-86400001LL, "1969-12-30T23:59:59Z"},
		{-2208988800000LL, "1900-01-01T00:00:00Z"},
		{-2208988799500LL, "1900-01-01T00:00:00Z"},
		{-2208988800001LL, "1899-12-31T23:59:59Z"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[TS_RFC3339_MAX];

		memset(out, 'x', sizeof(out));
		ts_format_rfc3339(cases[i].ms, out);
		if (strcmp(out, cases[i].s) != 0)
			test_fail(__FILE__, __LINE__, "%lld: \"%s\", expected \"%s\"",
			    (long long)cases[i].ms, out, cases[i].s);
	}
}

/*
 * Every day of 1900..2200: the day number agrees with a running count that
 * starts at 1900-01-01 (a Monday) and passes 0 on 1970-01-01, and dates,
 * instants and weekdays go through their parsers and formatters unchanged.
 */
TEST(test_civil_every_day)
{
	int64_t count = -25567;         /* 1900-01-01: 70 years, 17 leap days */
	int weekday = 1;
	int bad = 0;
	bool saw_epoch = false;

	for (int y = 1900; y <= 2200; y++) {
		for (int m = 1; m <= 12; m++) {
			if (ts_days_in_month(y, m) != slow_mdays(y, m) && bad++ < 10)
				test_fail(__FILE__, __LINE__, "ts_days_in_month(%d, %d) == %d",
				    y, m, ts_days_in_month(y, m));
			for (int d = 1; d <= slow_mdays(y, m); d++, count++,
			    weekday = weekday % 7 + 1) {
				char date[11], inst[TS_RFC3339_MAX], want[TS_RFC3339_MAX];
				int32_t days = ts_days_from_civil(y, m, d), parsed = -1;
				int64_t ms = 0, at = count * DAY + 12 * HOUR + 34 * MIN + 56 * SEC;
				int yy, mm, dd;

				if (y == 1970 && m == 1 && d == 1)
					saw_epoch = count == 0;
				ts_civil_from_days((int32_t)count, &yy, &mm, &dd);
				ts_format_date((int32_t)count, date);
				snprintf(want, sizeof(want), "%04d-%02d-%02dT12:34:56Z", y, m, d);
				ts_format_rfc3339(at, inst);
				if ((days != count || yy != y || mm != m || dd != d ||
				    ts_weekday(days) != weekday ||
				    ts_parse_date(date, 10, &parsed) != 0 || parsed != days ||
				    strncmp(date, want, 10) != 0 || strcmp(inst, want) != 0 ||
				    ts_parse_rfc3339(want, strlen(want), &ms) != 0 || ms != at) &&
				    bad++ < 10)
					test_fail(__FILE__, __LINE__, "%04d-%02d-%02d (day %lld): "
					    "days %d, civil %d-%d-%d, weekday %d (want %d), date "
					    "\"%s\" -> %d, instant \"%s\" -> %lld",
					    y, m, d, (long long)count, days, yy, mm, dd,
					    ts_weekday(days), weekday, date, parsed, inst,
					    (long long)ms);
			}
		}
	}
	CHECK(saw_epoch);
	CHECK_INT(count, slow_days(2201, 1, 1));
	CHECK_INT(bad, 0);
}

TEST(test_weekday)
{
	static const struct {
		int y, m, d, wd;
	} cases[] = {
		{1970, 1, 1, 4},        /* Thursday */
		{1969, 12, 31, 3},
		{1969, 12, 29, 1},
		{1900, 1, 1, 1},
		{2000, 1, 1, 6},
		{2000, 2, 29, 2},
		{2026, 1, 5, 1},
		{2026, 11, 22, 7},
		{2200, 12, 31, 3},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int wd = ts_weekday(ts_days_from_civil(cases[i].y, cases[i].m, cases[i].d));

		if (wd != cases[i].wd)
			test_fail(__FILE__, __LINE__, "%04d-%02d-%02d: weekday %d, expected %d",
			    cases[i].y, cases[i].m, cases[i].d, wd, cases[i].wd);
	}
}

TEST(test_leap_year)
{
	static const struct {
		int  y;
		bool leap;
	} cases[] = {
		{1900, false}, {2000, true}, {2100, false}, {2200, false},
		{2400, true}, {1904, true}, {1996, true}, {2024, true},
		{2026, false}, {2023, false}, {2028, true}, {1901, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ts_leap_year(cases[i].y) != cases[i].leap)
			test_fail(__FILE__, __LINE__, "ts_leap_year(%d) should be %s",
			    cases[i].y, cases[i].leap ? "true" : "false");
		CHECK_INT(ts_days_in_month(cases[i].y, 2), cases[i].leap ? 29 : 28);
	}
	CHECK_INT(ts_days_in_month(2026, 0), 0);
	CHECK_INT(ts_days_in_month(2026, 13), 0);
	CHECK_INT(ts_days_in_month(2026, 4), 30);
	CHECK_INT(ts_days_in_month(2026, 12), 31);
}

TEST(test_parse_date)
{
	static const struct {
		const char *s;
		bool        ok;
		int         y, m, d;
	} cases[] = {
		{"2026-11-22", true, 2026, 11, 22},
		{"2024-02-29", true, 2024, 2, 29},
		{"2000-02-29", true, 2000, 2, 29},
		{"1900-01-01", true, 1900, 1, 1},
		{"1970-01-01", true, 1970, 1, 1},
		{"2200-12-31", true, 2200, 12, 31},
		{"2026-02-29", false, 0, 0, 0},
		{"1900-02-29", false, 0, 0, 0},
		{"2026-04-31", false, 0, 0, 0},
		{"2026-00-01", false, 0, 0, 0},
		{"2026-13-01", false, 0, 0, 0},
		{"2026-01-00", false, 0, 0, 0},
		{"2026-01-32", false, 0, 0, 0},
		{"1899-12-31", false, 0, 0, 0},
		{"2201-01-01", false, 0, 0, 0},
		{"2026-1-22", false, 0, 0, 0},
		{"2026-11-2", false, 0, 0, 0},
		{"2026-11-22T", false, 0, 0, 0},
		{"2026-11-22 ", false, 0, 0, 0},
		{"20261122", false, 0, 0, 0},
		{"2026/11/22", false, 0, 0, 0},
		{"2026-11-2a", false, 0, 0, 0},
		{"+026-11-22", false, 0, 0, 0},
		{" 026-11-22", false, 0, 0, 0},
		{"2026-+1-22", false, 0, 0, 0},
		{"", false, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t days = -42;
		int rc = ts_parse_date(cases[i].s, strlen(cases[i].s), &days);

		if (rc != (cases[i].ok ? 0 : -1) ||
		    (cases[i].ok && days != slow_days(cases[i].y, cases[i].m, cases[i].d)) ||
		    (!cases[i].ok && days != -42))
			test_fail(__FILE__, __LINE__, "ts_parse_date(\"%s\"): rc %d, %d",
			    cases[i].s, rc, days);
	}
}

TEST(test_format_date)
{
	char out[11];

	ts_format_date(0, out);
	CHECK_STR(out, "1970-01-01");
	ts_format_date(-1, out);
	CHECK_STR(out, "1969-12-31");
	ts_format_date(-25567, out);
	CHECK_STR(out, "1900-01-01");
	ts_format_date(20779, out);
	CHECK_STR(out, "2026-11-22");
}

TEST(test_parse_hhmm)
{
	static const struct {
		const char *s;
		int         min;        /* -1: refused */
	} cases[] = {
		{"00:00", 0},
		{"08:30", 510},
		{"17:00", 1020},
		{"23:59", 1439},
		{"24:00", 1440},
		{"24:01", -1},
		{"25:00", -1},
		{"99:00", -1},
		{"07:60", -1},
		{"7:30", -1},
		{"07:3", -1},
		{" 7:30", -1},
		{"0730", -1},
		{"07-30", -1},
		{"07:30:00", -1},
		{"07:30 ", -1},
		{"ab:cd", -1},
		{"-1:00", -1},
		{"", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int min = -42;
		int rc = ts_parse_hhmm(cases[i].s, strlen(cases[i].s), &min);

		if (cases[i].min < 0 ? (rc != -1 || min != -42) :
		    (rc != 0 || min != cases[i].min))
			test_fail(__FILE__, __LINE__, "ts_parse_hhmm(\"%s\"): rc %d, %d",
			    cases[i].s, rc, min);
	}
}

TEST(test_parse_duration)
{
	static const struct {
		const char *s;
		int64_t     ms;         /* -1: refused */
	} cases[] = {
		{"500ms", 500},
		{"1ms", 1},
		{"30s", 30 * SEC},
		{"15m", 15 * MIN},
		{"2h", 2 * HOUR},
		{"1d", DAY},
		{"1h30m", HOUR + 30 * MIN},
		{"90m", 90 * MIN},
		{"1d2h3m4s5ms", DAY + 2 * HOUR + 3 * MIN + 4 * SEC + 5},
		{"1m1ms", MIN + 1},             /* "m" followed by a digit, not "ms" */
		{"1s500ms", 1500},
		{"007s", 7 * SEC},
		{"36500d", 36500 * DAY},        /* a century: the limit */
		/* refused */
		{"0s", -1},
		{"0ms", -1},
		{"-5s", -1},
		{"+5s", -1},
		{"5", -1},
		{"1h30", -1},
		{"m", -1},
		{"h1", -1},
		{"5x", -1},
		{"5S", -1},
		{"5sec", -1},
		{"5mss", -1},
		{"5 s", -1},
		{"1h 30m", -1},
		{" 5s", -1},
		{"5s ", -1},
		{"1.5h", -1},
		{"", -1},
		{"36501d", -1},
		{"876001h", -1},
		{"99999999999999999999d", -1},
		{"9223372036854775807ms", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -42;
		int rc = ts_parse_duration(cases[i].s, strlen(cases[i].s), &ms);

		if (cases[i].ms < 0 ? (rc != -1 || ms != -42) :
		    (rc != 0 || ms != cases[i].ms))
			test_fail(__FILE__, __LINE__, "ts_parse_duration(\"%s\"): rc %d, %lld",
			    cases[i].s, rc, (long long)ms);
	}
}

TEST(test_format_duration)
{
	static const struct {
		int64_t     ms;
		const char *s;
	} cases[] = {
		{500, "500ms"},
		{1, "1ms"},
		{30 * SEC, "30s"},
		{15 * MIN, "15m"},
		{2 * HOUR, "2h"},
		{DAY, "1d"},
		{HOUR + 30 * MIN, "1h30m"},
		{1500, "1s500ms"},
		{DAY + HOUR + MIN + SEC + 1, "1d1h1m1s1ms"},
		{DAY + 1, "1d1ms"},
		{36500 * DAY, "36500d"},
		{36500 * DAY - 1, "36499d23h59m59s999ms"},
		{0, "0s"},
		{-5, "0s"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[32];
		int64_t back = -42;

		ts_format_duration(cases[i].ms, out);
		if (strcmp(out, cases[i].s) != 0)
			test_fail(__FILE__, __LINE__, "%lld: \"%s\", expected \"%s\"",
			    (long long)cases[i].ms, out, cases[i].s);
		if (cases[i].ms > 0 &&
		    (ts_parse_duration(out, strlen(out), &back) != 0 || back != cases[i].ms))
			test_fail(__FILE__, __LINE__, "\"%s\" parses back as %lld, not %lld",
			    out, (long long)back, (long long)cases[i].ms);
	}
}

/* format then parse gives the same duration, over the whole range */
TEST(test_duration_round_trip)
{
	int bad = 0;

	for (int64_t ms = 1; ms <= 36500 * DAY; ms = ms * 3 + 7) {
		for (int64_t d = 0; d < 3; d++) {
			int64_t v = ms + d, back = -42;
			char out[32];

			if (v > 36500 * DAY)
				continue;
			ts_format_duration(v, out);
			if ((ts_parse_duration(out, strlen(out), &back) != 0 || back != v) &&
			    bad++ < 10)
				test_fail(__FILE__, __LINE__, "%lld -> \"%s\" -> %lld",
				    (long long)v, out, (long long)back);
		}
	}
	CHECK_INT(bad, 0);
}

/*
 * A count of days so large that count * 86400000 overflows int64_t must be
 * refused, not wrapped: 213503982335 days wrap to 34448384 ms (about 9.5
 * hours). Under UBSan the overflow itself stops the program.
 */
TEST(test_duration_overflow)
{
	static const char *const cases[] = {
		"213503982335d", "427007964670d", "200000000000d", "999999999999d",
		"1000000000000d", "999999999999h1000000000000d",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -42;
		int rc = ts_parse_duration(cases[i], strlen(cases[i]), &ms);

		if (rc != -1)
			test_fail(__FILE__, __LINE__, "ts_parse_duration(\"%s\"): rc %d, %lld",
			    cases[i], rc, (long long)ms);
	}
}

TEST(test_now)
{
	int64_t a = ts_now(), b = ts_now();

	/* after 2020-01-01 and before 2200 */
	CHECK(a > 1577836800000LL);
	CHECK(a < 7258118400000LL);
	CHECK(b >= a);
}

TEST_MAIN(test_rfc3339_parse, test_rfc3339_known, test_rfc3339_format,
    test_civil_every_day, test_weekday, test_leap_year, test_parse_date,
    test_format_date, test_parse_hhmm, test_parse_duration, test_format_duration,
    test_duration_round_trip, test_duration_overflow, test_now)
