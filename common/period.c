/*
 * period.c: report periods (period.h).
 *
 * Every period is kept as its first and last civil day; its name is made
 * again from those, so "2026-11" and a parse of it agree, and the
 * previous period is found by stepping back one day from the first and
 * asking which period of the same kind holds that day.
 *
 * ISO weeks: week 1 is the week with 4 January, weeks start on Monday; a
 * year has 53 weeks when 1 January is a Thursday, or a Wednesday in a
 * leap year (2020, 2026 are such years).
 */
#include "period.h"
#include "ts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PERIOD_YEAR_MIN 1900
#define PERIOD_YEAR_MAX 2199

/* reads exactly n digits at s; -1 when any is not a digit */
static int
period_digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* the Monday of ISO week 1 of year */
static int32_t
period_week1(int year)
{
	int32_t jan4 = ts_days_from_civil(year, 1, 4);

	return jan4 - (ts_weekday(jan4) - 1);
}

int
period_iso_weeks(int year)
{
	return (period_week1(year + 1) - period_week1(year)) / 7;
}

void
period_iso_week(int32_t day, int *year, int *week)
{
	int y, m, d;

	ts_civil_from_days(day, &y, &m, &d);
	if (day >= period_week1(y + 1))
		y++;
	else if (day < period_week1(y))
		y--;
	*year = y;
	*week = (day - period_week1(y)) / 7 + 1;
}

static void
period_name(period_t *p)
{
	int y, m, d, wy, w;
	char a[11], b[11];

	ts_civil_from_days(p->first, &y, &m, &d);
	switch (p->kind) {
	case PERIOD_WEEK:
		period_iso_week(p->first, &wy, &w);
		snprintf(p->name, sizeof(p->name), "%04d-W%02d", wy, w);
		break;
	case PERIOD_MONTH:
		snprintf(p->name, sizeof(p->name), "%04d-%02d", y, m);
		break;
	case PERIOD_QUARTER:
		snprintf(p->name, sizeof(p->name), "%04d-Q%d", y, (m - 1) / 3 + 1);
		break;
	case PERIOD_TERTIAL:
		snprintf(p->name, sizeof(p->name), "%04d-T%d", y, (m - 1) / 4 + 1);
		break;
	case PERIOD_YEAR:
		snprintf(p->name, sizeof(p->name), "%04d", y);
		break;
	case PERIOD_RANGE:
		ts_format_date(p->first, a);
		ts_format_date(p->last, b);
		snprintf(p->name, sizeof(p->name), "%s..%s", a, b);
		break;
	}
}

/* months [m0, m0 + n) of year y */
static void
period_months(period_t *p, period_kind_t kind, int y, int m0, int n)
{
	int ye = y, me = m0 + n - 1;

	p->kind = kind;
	p->first = ts_days_from_civil(y, m0, 1);
	p->last = ts_days_from_civil(ye, me, ts_days_in_month(ye, me));
	period_name(p);
}

void
period_of_day(period_kind_t kind, int32_t day, period_t *p)
{
	int y, m, d, w;

	ts_civil_from_days(day, &y, &m, &d);
	switch (kind) {
	case PERIOD_WEEK:
		period_iso_week(day, &y, &w);
		p->kind = kind;
		p->first = period_week1(y) + (w - 1) * 7;
		p->last = p->first + 6;
		period_name(p);
		break;
	case PERIOD_MONTH:
		period_months(p, kind, y, m, 1);
		break;
	case PERIOD_QUARTER:
		period_months(p, kind, y, (m - 1) / 3 * 3 + 1, 3);
		break;
	case PERIOD_TERTIAL:
		period_months(p, kind, y, (m - 1) / 4 * 4 + 1, 4);
		break;
	case PERIOD_YEAR:
	case PERIOD_RANGE:
		period_months(p, PERIOD_YEAR, y, 1, 12);
		break;
	}
}

void
period_previous(const period_t *p, period_t *prev)
{
	if (p->kind == PERIOD_RANGE) {
		int32_t n = period_days(p);

		prev->kind = PERIOD_RANGE;
		prev->last = p->first - 1;
		prev->first = p->first - n;
		period_name(prev);
		return;
	}
	period_of_day(p->kind, p->first - 1, prev);
}

int32_t
period_days(const period_t *p)
{
	return p->last - p->first + 1;
}

void
period_instants(const period_t *p, const tz_t *tz, int64_t *from, int64_t *to)
{
	*from = tz_utc(tz, p->first, 0);
	*to = tz_utc(tz, p->last + 1, 0);
}

static int
period_fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int
period_parse(const char *s, size_t len, period_t *p, char *err, size_t errlen)
{
	static const char forms[] = "a period is YYYY-Www, YYYY-MM, YYYY-Qn, YYYY-Tn, "
	    "YYYY or YYYY-MM-DD..YYYY-MM-DD";
	int y, n;

	memset(p, 0, sizeof(*p));
	if (len == 22 && s[10] == '.' && s[11] == '.') {
		int32_t a, b;

		if (ts_parse_date(s, 10, &a) < 0 || ts_parse_date(s + 12, 10, &b) < 0)
			return period_fail(err, errlen, forms);
		ts_civil_from_days(a, &y, &n, &n);
		if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX)
			return period_fail(err, errlen, "a period's year is 1900..2199");
		ts_civil_from_days(b, &y, &n, &n);
		if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX)
			return period_fail(err, errlen, "a period's year is 1900..2199");
		if (b < a)
			return period_fail(err, errlen, "a range ends on or after its first day");
		if (b - a + 1 > PERIOD_RANGE_DAYS)
			return period_fail(err, errlen, "a range spans at most ten years");
		p->kind = PERIOD_RANGE;
		p->first = a;
		p->last = b;
		period_name(p);
		return 0;
	}
	if (len < 4 || (y = period_digits(s, 4)) < 0)
		return period_fail(err, errlen, forms);
	if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX)
		return period_fail(err, errlen, "a period's year is 1900..2199");
	if (len == 4) {
		period_months(p, PERIOD_YEAR, y, 1, 12);
		return 0;
	}
	if (s[4] != '-')
		return period_fail(err, errlen, forms);
	if (len == 8 && (s[5] == 'W' || s[5] == 'w')) {
		if ((n = period_digits(s + 6, 2)) < 1 || n > period_iso_weeks(y))
			return period_fail(err, errlen, "no such ISO week in that year");
		period_of_day(PERIOD_WEEK, period_week1(y) + (n - 1) * 7, p);
		return 0;
	}
	if (len == 7 && (s[5] == 'Q' || s[5] == 'q')) {
		if ((n = period_digits(s + 6, 1)) < 1 || n > 4)
			return period_fail(err, errlen, "a quarter is Q1..Q4");
		period_months(p, PERIOD_QUARTER, y, (n - 1) * 3 + 1, 3);
		return 0;
	}
	if (len == 7 && (s[5] == 'T' || s[5] == 't')) {
		if ((n = period_digits(s + 6, 1)) < 1 || n > 3)
			return period_fail(err, errlen, "a tertial is T1..T3");
		period_months(p, PERIOD_TERTIAL, y, (n - 1) * 4 + 1, 4);
		return 0;
	}
	if (len == 7) {
		if ((n = period_digits(s + 5, 2)) < 1 || n > 12)
			return period_fail(err, errlen, "a month is 01..12");
		period_months(p, PERIOD_MONTH, y, n, 1);
		return 0;
	}
	return period_fail(err, errlen, forms);
}
