/*
 * schedule.c: due times of scheduled jobs (schedule.h).
 *
 * The latest and next due times are found by walking local days from
 * today, back or forward, until one matches: at most a year and a day,
 * and a job is looked at once per run of the scheduler, so the walk
 * costs nothing worth a closed form, and it cannot get a month's length
 * or a daylight saving day wrong.
 */
#include "schedule.h"
#include "ts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SCHEDULE_WALK_DAYS 400   /* more than any schedule's gap between due days */

static int
schedule_fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int
schedule_parse(const char *s, size_t len, schedule_t *out, char *err, size_t errlen)
{
	static const char forms[] = "a schedule is 'daily HH:MM', 'weekly mon HH:MM', "
	    "'monthly D HH:MM', 'tertial D HH:MM' or 'yearly MM-DD HH:MM'";
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	char word[16], arg[16], hhmm[16], extra[2];
	int n;

	memset(out, 0, sizeof(out[0]));
	if (len >= 64)
		return schedule_fail(err, errlen, forms);
	{
		char buf[64];

		memcpy(buf, s, len);
		buf[len] = '\0';
		n = sscanf(buf, "%15s %15s %15s %1s", word, arg, hhmm, extra);
	}
	if (n == 2 && strcmp(word, "daily") == 0) {
		out->kind = SCHEDULE_DAILY;
		snprintf(hhmm, sizeof(hhmm), "%s", arg);
	} else if (n != 3) {
		return schedule_fail(err, errlen, forms);
	} else if (strcmp(word, "weekly") == 0) {
		out->kind = SCHEDULE_WEEKLY;
		for (int i = 0; i < 7; i++)
			if (strcmp(arg, days[i]) == 0)
				out->weekday = i + 1;
		if (out->weekday == 0)
			return schedule_fail(err, errlen, "a weekly schedule's day is mon..sun");
	} else if (strcmp(word, "monthly") == 0 || strcmp(word, "tertial") == 0) {
		out->kind = word[0] == 'm' ? SCHEDULE_MONTHLY : SCHEDULE_TERTIAL;
		if (strlen(arg) > 2 || sscanf(arg, "%d%1s", &out->mday, extra) != 1 ||
		    out->mday < 1 || out->mday > 28)
			return schedule_fail(err, errlen, "a monthly or tertial schedule's day is 1..28");
	} else if (strcmp(word, "yearly") == 0) {
		int32_t d;
		int y;
		char date[32];

		out->kind = SCHEDULE_YEARLY;
		snprintf(date, sizeof(date), "2001-%s", arg);   /* a year without 29 February */
		if (strlen(arg) != 5 || ts_parse_date(date, 10, &d) < 0)
			return schedule_fail(err, errlen, "a yearly schedule's date is MM-DD (not 02-29)");
		ts_civil_from_days(d, &y, &out->month, &out->mday);
	} else {
		return schedule_fail(err, errlen, forms);
	}
	if (ts_parse_hhmm(hhmm, strlen(hhmm), &out->minute) < 0 || out->minute >= 1440)
		return schedule_fail(err, errlen, "a schedule's time is HH:MM, 00:00..23:59");
	return 0;
}

static bool
schedule_day(const schedule_t *s, int32_t day)
{
	int y, m, d;

	ts_civil_from_days(day, &y, &m, &d);
	switch (s->kind) {
	case SCHEDULE_DAILY:
		return true;
	case SCHEDULE_WEEKLY:
		return ts_weekday(day) == s->weekday;
	case SCHEDULE_MONTHLY:
		return d == s->mday;
	case SCHEDULE_TERTIAL:
		return d == s->mday && (m == 1 || m == 5 || m == 9);
	case SCHEDULE_YEARLY:
		return d == s->mday && m == s->month;
	}
	return false;
}

int64_t
schedule_last(const schedule_t *s, const tz_t *tz, int64_t now)
{
	tz_local_t l;

	tz_local(tz, now, &l);
	for (int32_t day = l.civil_day; day > l.civil_day - SCHEDULE_WALK_DAYS; day--) {
		int64_t at = tz_utc(tz, day, s->minute);

		if (schedule_day(s, day) && at <= now)
			return at;
	}
	return INT64_MIN;
}

int64_t
schedule_next(const schedule_t *s, const tz_t *tz, int64_t now)
{
	tz_local_t l;

	tz_local(tz, now, &l);
	for (int32_t day = l.civil_day; day < l.civil_day + SCHEDULE_WALK_DAYS; day++) {
		int64_t at = tz_utc(tz, day, s->minute);

		if (schedule_day(s, day) && at > now)
			return at;
	}
	return INT64_MAX;
}
