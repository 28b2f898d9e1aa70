/*
 * ts.c: instants, civil dates (Howard Hinnant's days_from_civil algorithms)
 * and durations. No time zones here: see tz.c.
 */
#include "ts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TS_YEAR_MIN 1900
#define TS_YEAR_MAX 2200
#define TS_DURATION_MAX (100LL * 365 * 86400000)  /* a century is plenty */

/*
 * A test seam: with TRYGG_TEST_NOW set to an RFC 3339 time, the clock
 * starts there when first read and runs on at the real pace, so scenario
 * tests can put the daemons in office hours, a weekend or Juldagen. Read
 * once; nothing in production sets it.
 */
static int64_t ts_offset_ms;
static pthread_once_t ts_offset_once = PTHREAD_ONCE_INIT;

static int64_t
ts_real_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void
ts_offset_init(void)
{
	const char *fake = getenv("TRYGG_TEST_NOW");
	int64_t at;

	if (fake != NULL && ts_parse_rfc3339(fake, strlen(fake), &at) == 0)
		ts_offset_ms = at - ts_real_now();
}

int64_t
ts_now(void)
{
	pthread_once(&ts_offset_once, ts_offset_init);
	return ts_real_now() + ts_offset_ms;
}

bool
ts_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
ts_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && ts_leap_year(y) ? 29 : days[m - 1];
}

int32_t
ts_days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
ts_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int
ts_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (4) */
	int w = (int)(((int64_t)days % 7 + 7 + 3) % 7);

	return w + 1;
}

/* Reads exactly n digits; -1 when any is not a digit. */
static int
ts_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
ts_parse_date(const char *s, size_t len, int32_t *days)
{
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = ts_digits(s, 4)) < 0 || (m = ts_digits(s + 5, 2)) < 0 ||
	    (d = ts_digits(s + 8, 2)) < 0)
		return -1;
	if (y < TS_YEAR_MIN || y > TS_YEAR_MAX || m < 1 || m > 12 ||
	    d < 1 || d > ts_days_in_month(y, m))
		return -1;
	*days = ts_days_from_civil(y, m, d);
	return 0;
}

void
ts_format_date(int32_t days, char out[11])
{
	int y, m, d;

	ts_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	    (unsigned)d % 100u);
}

int
ts_parse_hhmm(const char *s, size_t len, int *minutes)
{
	int h, m;

	if (len != 5 || s[2] != ':' || (h = ts_digits(s, 2)) < 0 ||
	    (m = ts_digits(s + 3, 2)) < 0)
		return -1;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int
ts_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	int32_t days;
	int h, mi, sec, frac_ms = 0, off = 0;
	size_t i;

	if (len < 20 || ts_parse_date(s, 10, &days) < 0)
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	if (s[13] != ':' || s[16] != ':' || (h = ts_digits(s + 11, 2)) < 0 ||
	    (mi = ts_digits(s + 14, 2)) < 0 || (sec = ts_digits(s + 17, 2)) < 0)
		return -1;
	/* 60 is allowed for a leap second and folded into the next second */
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	i = 19;
	if (i < len && s[i] == '.') {
		int scale = 100, n = 0;

		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++) {
			frac_ms += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (n == 0 || n > 9)
			return -1;
	}
	if (i >= len)
		return -1;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
		off = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
		int oh = ts_digits(s + i + 1, 2), om = ts_digits(s + i + 4, 2);

		if (oh < 0 || om < 0 || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*ms = (((int64_t)days * 86400 + h * 3600 + mi * 60 + sec) - off * 60) * 1000
	    + frac_ms;
	return 0;
}

/* Writes n digits of v at p (no snprintf: this runs for every time on the wire). */
static char *
ts_put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

void
ts_format_rfc3339(int64_t ms, char out[TS_RFC3339_MAX])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int32_t days = (int32_t)(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
	int rem = (int)(secs - (int64_t)days * 86400);
	int y, m, d;
	char *p = out;

	ts_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	p = ts_put_digits(p, y, 4);
	*p++ = '-';
	p = ts_put_digits(p, m, 2);
	*p++ = '-';
	p = ts_put_digits(p, d, 2);
	*p++ = 'T';
	p = ts_put_digits(p, rem / 3600, 2);
	*p++ = ':';
	p = ts_put_digits(p, rem / 60 % 60, 2);
	*p++ = ':';
	p = ts_put_digits(p, rem % 60, 2);
	*p++ = 'Z';
	*p = '\0';
}

static const struct {
	const char *unit;
	int64_t     ms;
} ts_units[] = {
	{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
};

int
ts_parse_duration(const char *s, size_t len, int64_t *ms)
{
	size_t i = 0;
	int64_t total = 0;

	if (len == 0)
		return -1;
	while (i < len) {
		int64_t n = 0, unit = 0;
		size_t start = i, best = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (n > 100000000000LL)
				return -1;
			n = n * 10 + (s[i++] - '0');
		}
		if (i == start || i == len)
			return -1;
		for (size_t u = 0; u < sizeof(ts_units) / sizeof(ts_units[0]); u++) {
			size_t ul = strlen(ts_units[u].unit);

			if (ul > best && i + ul <= len &&
			    memcmp(s + i, ts_units[u].unit, ul) == 0 &&
			    (i + ul == len || (s[i + ul] >= '0' && s[i + ul] <= '9'))) {
				best = ul;
				unit = ts_units[u].ms;
			}
		}
		if (best == 0)
			return -1;
		i += best;
		if (n > TS_DURATION_MAX / unit || (total += n * unit) > TS_DURATION_MAX)
			return -1;
	}
	if (total <= 0)
		return -1;
	*ms = total;
	return 0;
}

void
ts_format_duration(int64_t ms, char out[32])
{
	size_t off = 0;

	out[0] = '\0';
	if (ms <= 0) {
		snprintf(out, 32, "0s");
		return;
	}
	for (int u = 4; u >= 0 && off < 31; u--) {
		int64_t n = ms / ts_units[u].ms;

		if (n == 0)
			continue;
		off += (size_t)snprintf(out + off, 32 - off, "%lld%s", (long long)n,
		    ts_units[u].unit);
		ms -= n * ts_units[u].ms;
	}
}
