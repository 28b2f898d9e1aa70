/*
 * test_tz.c: time zones: both daylight saving changes of several years in
 * Europe/Stockholm (inside the file's table and past it, where the footer
 * rule takes over), local-to-UTC in the skipped and the repeated hour,
 * agreement with the C library's localtime_r over 1900-2200 for zones with
 * odd rules, and bad names.
 */
#include "test.h"
#include "ts.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define H (3600 * 1000LL)

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	return ((int64_t)ts_days_from_civil(y, mo, d) * 1440 + h * 60 + mi) * 60000;
}

static tz_t *
open_zone(const char *name)
{
	char err[256];
	tz_t *tz = tz_open(name, err, sizeof(err));

	if (tz == NULL)
		test_fail(__FILE__, __LINE__, "tz_open(%s): %s", name, err);
	return tz;
}

/*
 * The changes in Sweden since 1996 (EU rules): summer time from the last
 * Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC. The
 * fat file's table ends in 2037; later years come from the footer rule.
 */
static const struct { int y, march, october; } stockholm_changes[] = {
	{1996, 31, 27}, {2000, 26, 29}, {2024, 31, 27}, {2025, 30, 26},
	{2026, 29, 25}, {2027, 28, 31}, {2037, 29, 25}, {2038, 28, 31},
	{2039, 27, 30}, {2050, 27, 30}, {2100, 28, 31}, {2200, 30, 26},
};

TEST(stockholm_changes_utc_to_local)
{
	tz_t *tz = open_zone("Europe/Stockholm");
	tz_local_t lt;

	if (tz == NULL)
		return;
	for (size_t i = 0; i < sizeof(stockholm_changes) / sizeof(stockholm_changes[0]); i++) {
		int y = stockholm_changes[i].y;
		int64_t spring = utc(y, 3, stockholm_changes[i].march, 1, 0);
		int64_t autumn = utc(y, 10, stockholm_changes[i].october, 1, 0);

		/* spring: 01:59:59.999 CET, then 03:00 CEST */
		tz_local(tz, spring - 1, &lt);
		if (lt.utc_offset != 3600 || lt.hour != 1 || lt.minute != 59 ||
		    lt.second != 59 || lt.ms != 999 || lt.dst || strcmp(lt.abbr, "CET"))
			test_fail(__FILE__, __LINE__, "%d spring -1ms: %02d:%02d %s %d",
			    y, lt.hour, lt.minute, lt.abbr, lt.utc_offset);
		tz_local(tz, spring, &lt);
		if (lt.utc_offset != 7200 || lt.hour != 3 || lt.minute != 0 ||
		    !lt.dst || strcmp(lt.abbr, "CEST") || lt.weekday != 7 ||
		    lt.day != stockholm_changes[i].march)
			test_fail(__FILE__, __LINE__, "%d spring: %02d:%02d %s %d",
			    y, lt.hour, lt.minute, lt.abbr, lt.utc_offset);
		/* autumn: 02:59:59.999 CEST, then 02:00 CET */
		tz_local(tz, autumn - 1, &lt);
		if (lt.utc_offset != 7200 || lt.hour != 2 || lt.minute != 59 ||
		    strcmp(lt.abbr, "CEST"))
			test_fail(__FILE__, __LINE__, "%d autumn -1ms: %02d:%02d %s",
			    y, lt.hour, lt.minute, lt.abbr);
		tz_local(tz, autumn, &lt);
		if (lt.utc_offset != 3600 || lt.hour != 2 || lt.minute != 0 ||
		    lt.dst || strcmp(lt.abbr, "CET") || lt.weekday != 7)
			test_fail(__FILE__, __LINE__, "%d autumn: %02d:%02d %s",
			    y, lt.hour, lt.minute, lt.abbr);
		/* a day that is 23 hours long, and one that is 25 */
		CHECK_INT(tz_utc(tz, ts_days_from_civil(y, 3, stockholm_changes[i].march) + 1, 0) -
		    tz_utc(tz, ts_days_from_civil(y, 3, stockholm_changes[i].march), 0), 23 * H);
		CHECK_INT(tz_utc(tz, ts_days_from_civil(y, 10, stockholm_changes[i].october) + 1, 0) -
		    tz_utc(tz, ts_days_from_civil(y, 10, stockholm_changes[i].october), 0), 25 * H);
	}
	tz_destroy(&tz);
	CHECK(tz == NULL);
}

/* local → UTC around the changes of 2026 (29 March, 25 October) */
TEST(stockholm_local_to_utc)
{
	static const struct {
		int mo, d, minute;      /* local */
		int64_t want_h, want_m; /* UTC on the same date (hour may be <0) */
	} cases[] = {
		{3, 29, 1 * 60 + 59, 0, 59},
		{3, 29, 2 * 60, 1, 0},          /* skipped: forward, 03:00 CEST */
		{3, 29, 2 * 60 + 30, 1, 30},    /* skipped: 03:30 CEST */
		{3, 29, 3 * 60, 1, 0},
		{3, 29, 8 * 60, 6, 0},
		{3, 28, 8 * 60, 7, 0},
		{10, 25, 1 * 60 + 59, -1, 59},  /* 23:59Z the day before */
		{10, 25, 2 * 60, 0, 0},         /* repeated: the first, CEST */
		{10, 25, 2 * 60 + 30, 0, 30},
		{10, 25, 2 * 60 + 59, 0, 59},
		{10, 25, 3 * 60, 2, 0},
		{10, 25, 8 * 60, 7, 0},
		{10, 24, 8 * 60, 6, 0},
		{10, 24, 24 * 60, 22, 0},       /* 24:00 = the next 00:00 CEST */
	};
	tz_t *tz = open_zone("Europe/Stockholm");

	if (tz == NULL)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t day = ts_days_from_civil(2026, cases[i].mo, cases[i].d);
		int64_t want = ((int64_t)day * 1440 + cases[i].want_h * 60 +
		    cases[i].want_m) * 60000;
		int64_t got = tz_utc(tz, day, cases[i].minute);

		if (got != want) {
			char g[TS_RFC3339_MAX], w[TS_RFC3339_MAX];

			ts_format_rfc3339(got, g);
			ts_format_rfc3339(want, w);
			test_fail(__FILE__, __LINE__, "case %zu: %s, expected %s", i, g, w);
		}
	}
	tz_destroy(&tz);
}

/* every quarter hour of two years: local → UTC → local is the identity
 * except in the skipped hour, which moves forward by an hour */
TEST(stockholm_round_trip)
{
	tz_t *tz = open_zone("Europe/Stockholm");
	int64_t from = (int64_t)ts_days_from_civil(2025, 1, 1) * 1440;
	int64_t to = (int64_t)ts_days_from_civil(2027, 1, 1) * 1440;
	int gaps = 0;

	if (tz == NULL)
		return;
	for (int64_t lm = from; lm < to; lm += 15) {
		int64_t back = tz_local_minute(tz, tz_utc_minute(tz, lm));

		if (back == lm)
			continue;
		if (back == lm + 60 && (lm % 1440) / 60 == 2)
			gaps++;
		else
			test_fail(__FILE__, __LINE__, "local minute %lld came back %lld",
			    (long long)lm, (long long)back);
	}
	CHECK_INT(gaps, 2 * 4);         /* 02:00..02:45 on two spring days */
	tz_destroy(&tz);
}

TEST(fields)
{
	tz_t *tz = open_zone("Europe/Stockholm");
	tz_local_t lt;
	char s[TZ_FORMAT_MAX];

	if (tz == NULL)
		return;
	CHECK_STR(tz_name(tz), "Europe/Stockholm");
	tz_local(tz, utc(2026, 11, 22, 20, 15) + 3500, &lt);
	CHECK_INT(lt.year, 2026);
	CHECK_INT(lt.month, 11);
	CHECK_INT(lt.day, 22);
	CHECK_INT(lt.hour, 21);
	CHECK_INT(lt.minute, 15);
	CHECK_INT(lt.second, 3);
	CHECK_INT(lt.ms, 500);
	CHECK_INT(lt.weekday, 7);
	CHECK_INT(lt.civil_day, ts_days_from_civil(2026, 11, 22));
	CHECK_INT(lt.minute_of_day, 21 * 60 + 15);
	CHECK_INT(lt.utc_offset, 3600);
	CHECK_INT(tz_offset(tz, utc(2026, 7, 1, 12, 0)), 7200);
	/* local midnight crossing: 23:30Z on 31 Dec is 00:30 on 1 Jan */
	tz_local(tz, utc(2025, 12, 31, 23, 30), &lt);
	CHECK_INT(lt.year, 2026);
	CHECK_INT(lt.civil_day, ts_days_from_civil(2026, 1, 1));
	CHECK_INT(lt.minute_of_day, 30);
	/* before 1970 */
	tz_local(tz, utc(1950, 1, 1, 0, 0) - 1, &lt);
	CHECK_INT(lt.year, 1950);
	CHECK_INT(lt.hour, 0);
	CHECK_INT(lt.minute, 59);
	CHECK_INT(lt.ms, 999);
	tz_format(tz, utc(2026, 3, 29, 1, 0), s);
	CHECK_STR(s, "2026-03-29 03:00 CEST");
	tz_format(tz, utc(2026, 10, 25, 1, 0), s);
	CHECK_STR(s, "2026-10-25 02:00 CET");
	tz_destroy(&tz);
}

/*
 * The C library as a second opinion: the same file read by glibc. The
 * zones cover southern summer time, negative DST in the rule (Dublin),
 * half- and quarter-hour offsets, zones that dropped DST and ones with
 * transitions in the table far into the future.
 */
TEST(agrees_with_libc)
{
	static const char *const zones[] = {
		"Europe/Stockholm", "America/New_York", "Australia/Sydney",
		"Europe/Dublin", "Asia/Kolkata", "America/St_Johns",
		"Pacific/Chatham", "America/Sao_Paulo", "Africa/Casablanca",
		"Pacific/Apia", "UTC",
	};
	const int64_t step = 7 * 3600 + 13 * 60 + 17;   /* seconds; odd, to drift */
	const int64_t from = utc(1900, 1, 2, 0, 0) / 1000;
	const int64_t to = utc(2200, 12, 30, 0, 0) / 1000;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		char env[128];
		tz_t *tz = open_zone(zones[z]);
		int bad = 0;

		if (tz == NULL)
			continue;
		snprintf(env, sizeof(env), ":%s", zones[z]);
		setenv("TZ", env, 1);
		tzset();
		for (int64_t t = from; t < to && bad < 5; t += step) {
			time_t tt = (time_t)t;
			struct tm tm;
			tz_local_t lt;

			localtime_r(&tt, &tm);
			tz_local(tz, t * 1000, &lt);
			if (lt.year != tm.tm_year + 1900 || lt.month != tm.tm_mon + 1 ||
			    lt.day != tm.tm_mday || lt.hour != tm.tm_hour ||
			    lt.minute != tm.tm_min || lt.second != tm.tm_sec ||
			    lt.utc_offset != tm.tm_gmtoff ||
			    (lt.weekday % 7) != tm.tm_wday) {
				test_fail(__FILE__, __LINE__,
				    "%s at %lld: %04d-%02d-%02d %02d:%02d %+d, libc "
				    "%04d-%02d-%02d %02d:%02d %+ld", zones[z], (long long)t,
				    lt.year, lt.month, lt.day, lt.hour, lt.minute,
				    lt.utc_offset, tm.tm_year + 1900, tm.tm_mon + 1,
				    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_gmtoff);
				bad++;
			}
		}
		tz_destroy(&tz);
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

TEST(bad_names)
{
	static const char *const names[] = {
		"", "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd",
		"Europe/", ".hidden", "Europe/Stock holm", "Europe/Stockholm\n",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err[0] = '\0';
		if (tz_open(names[i], err, sizeof(err)) != NULL)
			test_fail(__FILE__, __LINE__, "opened \"%s\"", names[i]);
		CHECK_HAS(err, "invalid time zone name");
	}
	CHECK(tz_open(NULL, err, sizeof(err)) == NULL);
	CHECK(tz_open("Europe/Linkoping", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "unknown time zone \"Europe/Linkoping\"");
	/* no error buffer is fine */
	CHECK(tz_open("Europe/Linkoping", NULL, 0) == NULL);
}

/* $TZDIR is where zones are looked up; files that are not TZif are refused */
TEST(tzdir)
{
	char dir[] = "/tmp/trygg-tz-XXXXXX", path[512], err[256];
	char *old = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
	FILE *f;
	tz_t *tz;

	if (mkdtemp(dir) == NULL) {
		test_fail(__FILE__, __LINE__, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/Test", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	CHECK_INT(symlink("/usr/share/zoneinfo/Europe/Stockholm", path), 0);
	snprintf(path, sizeof(path), "%s/Test/Junk", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("TZif2 but not really\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/Test/Short", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite("TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\1", 1, 28, f);
		fclose(f);
	}

	setenv("TZDIR", dir, 1);
	tz = tz_open("Test/Zone", err, sizeof(err));
	CHECK(tz != NULL);
	if (tz)
		CHECK_INT(tz_offset(tz, utc(2026, 7, 1, 0, 0)), 7200);
	tz_destroy(&tz);
	CHECK(tz_open("Europe/Stockholm", err, sizeof(err)) == NULL);
	CHECK(tz_open("Test/Junk", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "not a TZif file");
	CHECK(tz_open("Test/Short", err, sizeof(err)) == NULL);
	CHECK_HAS(err, "Test/Short");
	CHECK(tz_open("Test", err, sizeof(err)) == NULL);   /* a directory */
	if (old) {
		setenv("TZDIR", old, 1);
		free(old);
	} else {
		unsetenv("TZDIR");
	}
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test/Junk", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test/Short", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(utc_zone)
{
	tz_t *tz = open_zone("UTC");
	tz_local_t lt;

	if (tz == NULL)
		return;
	tz_local(tz, utc(2026, 3, 29, 1, 30), &lt);
	CHECK_INT(lt.utc_offset, 0);
	CHECK_INT(lt.hour, 1);
	CHECK_INT(tz_utc(tz, ts_days_from_civil(2026, 3, 29), 150),
	    utc(2026, 3, 29, 2, 30));
	tz_destroy(&tz);
	tz_destroy(&tz);                /* NULL is fine */
	tz_destroy(NULL);
}

TEST_MAIN(stockholm_changes_utc_to_local, stockholm_local_to_utc,
    stockholm_round_trip, fields, agrees_with_libc, bad_names, tzdir, utc_zone)
