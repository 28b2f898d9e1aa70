/*
 * tz.c: time zones from TZif files (RFC 8536), without the C library's
 * global TZ state.
 *
 * The 64-bit (version 2+) data block gives the transitions; the POSIX TZ
 * string in the file's footer ("CET-1CEST,M3.5.0,M10.5.0/3") gives the rule
 * for instants past the last transition (slim files stop in 2037 or
 * earlier). Version 1 files are read from their 32-bit block. Files with
 * leap-second records (the "right/" zones) are refused: trygg's instants
 * are POSIX time.
 */
#include "tz.h"
#include "mem.h"
#include "ts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_DEFAULT_DIR  "/usr/share/zoneinfo"
#define TZ_FILE_MAX     (1024 * 1024)   /* real files are a few KiB */
#define TZ_ABBR_MAX     8

#define SEC_PER_DAY     86400
#define MS_PER_SEC      1000
#define MS_PER_MIN      60000

typedef struct {
	int32_t off;                    /* seconds east of UTC */
	bool    dst;
	char    abbr[TZ_ABBR_MAX];
} tz_type_t;

/* A POSIX TZ rule date: Jn, n or Mm.w.d. */
typedef struct {
	char kind;                      /* 'J', 'n' or 'M' */
	int  n;                         /* J: 1..365; n: 0..365 */
	int  m, w, d;                   /* M: month 1..12, week 1..5, weekday 0..6 (Sunday 0) */
	int32_t time;                   /* seconds after local midnight, may be <0 or >24h */
} tz_rdate_t;

typedef struct {
	tz_type_t  std;
	tz_type_t  dst;
	bool       has_dst;
	tz_rdate_t start, end;          /* daylight saving starts, ends */
} tz_rule_t;

struct tz {
	char       name[TZ_NAME_MAX];
	int64_t   *times;               /* transitions, seconds, ascending */
	uint8_t   *idx;                 /* the type in force from times[i] */
	size_t     ntimes;
	tz_type_t *types;
	size_t     ntypes;
	bool       has_rule;            /* a footer rule for after the table */
	tz_rule_t  rule;
};

static void
tz_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* ---- the POSIX TZ rule string ---- */

static const char *
rule_name(const char *p, char abbr[TZ_ABBR_MAX])
{
	const char *s = p, *e;
	size_t n;

	if (*p == '<') {
		s = ++p;
		while (*p && *p != '>')
			p++;
		if (*p != '>')
			return NULL;
		e = p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			p++;
		e = p;
	}
	n = (size_t)(e - s);
	if (n < 3)
		return NULL;
	if (n >= TZ_ABBR_MAX)
		n = TZ_ABBR_MAX - 1;
	memcpy(abbr, s, n);
	abbr[n] = '\0';
	return p;
}

static const char *
rule_uint(const char *p, int max, int *out)
{
	int v = 0, digits = 0;

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (++digits > 3 || v > max)
			return NULL;
	}
	if (digits == 0)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h; seconds into *out. */
static const char *
rule_hms(const char *p, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if ((p = rule_uint(p, max_h, &h)) == NULL)
		return NULL;
	if (*p == ':') {
		if ((p = rule_uint(p + 1, 59, &m)) == NULL)
			return NULL;
		if (*p == ':' && (p = rule_uint(p + 1, 59, &s)) == NULL)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
rule_date(const char *p, tz_rdate_t *d)
{
	memset(d, 0, sizeof(*d));
	if (*p == 'J') {
		d->kind = 'J';
		if ((p = rule_uint(p + 1, 365, &d->n)) == NULL || d->n < 1)
			return NULL;
	} else if (*p == 'M') {
		d->kind = 'M';
		if ((p = rule_uint(p + 1, 12, &d->m)) == NULL || d->m < 1 ||
		    *p != '.' || (p = rule_uint(p + 1, 5, &d->w)) == NULL ||
		    d->w < 1 || *p != '.' || (p = rule_uint(p + 1, 6, &d->d)) == NULL)
			return NULL;
	} else {
		d->kind = 'n';
		if ((p = rule_uint(p, 365, &d->n)) == NULL)
			return NULL;
	}
	d->time = 2 * 3600;
	if (*p == '/' && (p = rule_hms(p + 1, 167, &d->time)) == NULL)
		return NULL;
	return p;
}

/* Parses a POSIX TZ string (RFC 8536 section 3.3). Returns 0 or -1. */
static int
rule_parse(const char *s, tz_rule_t *r)
{
	const char *p = s;
	int32_t v;

	memset(r, 0, sizeof(*r));
	if ((p = rule_name(p, r->std.abbr)) == NULL ||
	    (p = rule_hms(p, 24, &v)) == NULL)
		return -1;
	r->std.off = -v;                /* POSIX counts west of Greenwich */
	if (*p == '\0')
		return 0;
	if ((p = rule_name(p, r->dst.abbr)) == NULL)
		return -1;
	r->has_dst = true;
	r->dst.dst = true;
	r->dst.off = r->std.off + 3600;
	if (*p && *p != ',') {
		if ((p = rule_hms(p, 24, &v)) == NULL)
			return -1;
		r->dst.off = -v;
	}
	if (*p == '\0') {
		/* no rule: POSIX leaves it to the implementation; glibc's default */
		r->start = (tz_rdate_t){'M', 0, 3, 2, 0, 2 * 3600};
		r->end = (tz_rdate_t){'M', 0, 11, 1, 0, 2 * 3600};
		return 0;
	}
	if (*p != ',' || (p = rule_date(p + 1, &r->start)) == NULL ||
	    *p != ',' || (p = rule_date(p + 1, &r->end)) == NULL || *p != '\0')
		return -1;
	return 0;
}

/* the civil day on which a rule date falls in year y */
static int32_t
rule_day(const tz_rdate_t *d, int y)
{
	int32_t jan1 = ts_days_from_civil(y, 1, 1), first, day;
	int wd;

	switch (d->kind) {
	case 'J':                       /* 1..365, 29 February never counted */
		day = jan1 + d->n - 1;
		if (ts_leap_year(y) && d->n >= 60)
			day++;
		return day;
	case 'n':                       /* 0..365, 29 February counted */
		return jan1 + d->n;
	default:                        /* the d'th weekday of week w (5: last) */
		first = ts_days_from_civil(y, d->m, 1);
		wd = ts_weekday(first) % 7;     /* Sunday 0 */
		day = first + (d->d - wd + 7) % 7 + (d->w - 1) * 7;
		while (day >= first + ts_days_in_month(y, d->m))
			day -= 7;
		return day;
	}
}

/* the type the footer rule gives at an instant (seconds) */
static const tz_type_t *
rule_type(const tz_rule_t *r, int64_t sec)
{
	int64_t start, end;
	int y, m, d;
	bool dst;

	if (!r->has_dst)
		return &r->std;
	ts_civil_from_days((int32_t)floor_div(sec + r->std.off, SEC_PER_DAY),
	    &y, &m, &d);
	start = (int64_t)rule_day(&r->start, y) * SEC_PER_DAY + r->start.time -
	    r->std.off;
	end = (int64_t)rule_day(&r->end, y) * SEC_PER_DAY + r->end.time -
	    r->dst.off;
	if (start < end)                /* northern hemisphere */
		dst = sec >= start && sec < end;
	else                            /* southern: standard time mid-year */
		dst = !(sec >= end && sec < start);
	return dst ? &r->dst : &r->std;
}

/* ---- the TZif file ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct {
	uint32_t isut, isstd, leap, time, type, chr;
} tzif_counts_t;

/* Reads a 44-byte header at p; returns the data block's size, or 0. */
static size_t
tzif_header(const unsigned char *p, size_t len, int tsize, tzif_counts_t *c)
{
	uint64_t need;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return 0;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	need = (uint64_t)c->time * (uint64_t)(tsize + 1) + (uint64_t)c->type * 6 +
	    c->chr + (uint64_t)c->leap * (uint64_t)(tsize + 4) + c->isstd + c->isut;
	if (need > len - 44 || c->type == 0 || c->type > 256 || c->chr == 0 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return 0;
	return (size_t)need;
}

/* Fills tz from one data block with tsize-byte times. Returns 0 or -1. */
static int
tzif_block(tz_t *tz, const unsigned char *p, const tzif_counts_t *c, int tsize,
    char *err, size_t errlen)
{
	const unsigned char *tp = p, *ip = tp + (size_t)c->time * tsize;
	const unsigned char *yp = ip + c->time, *cp = yp + (size_t)c->type * 6;

	if (c->leap != 0) {
		tz_err(err, errlen, "leap-second zone files are not supported");
		return -1;
	}
	tz->ntimes = c->time;
	tz->times = xcalloc(c->time ? c->time : 1, sizeof(*tz->times));
	tz->idx = xcalloc(c->time ? c->time : 1, 1);
	for (size_t i = 0; i < c->time; i++) {
		tz->times[i] = tsize == 8 ? be64(tp + 8 * i) :
		    (int64_t)(int32_t)be32(tp + 4 * i);
		tz->idx[i] = ip[i];
		if (ip[i] >= c->type || (i > 0 && tz->times[i] <= tz->times[i - 1])) {
			tz_err(err, errlen, "malformed transition table");
			return -1;
		}
	}
	tz->ntypes = c->type;
	tz->types = xcalloc(c->type, sizeof(*tz->types));
	for (size_t i = 0; i < c->type; i++) {
		const unsigned char *t = yp + 6 * i;
		tz_type_t *ty = &tz->types[i];
		size_t ai = t[5], n = 0;
		int32_t off = (int32_t)be32(t);

		if (ai >= c->chr || off < -25 * 3600 || off > 26 * 3600) {
			tz_err(err, errlen, "malformed local time type");
			return -1;
		}
		ty->off = off;
		ty->dst = t[4] != 0;
		while (ai + n < c->chr && cp[ai + n] && n < TZ_ABBR_MAX - 1)
			n++;
		memcpy(ty->abbr, cp + ai, n);
		ty->abbr[n] = '\0';
	}
	return 0;
}

static int
tzif_parse(tz_t *tz, const unsigned char *p, size_t len, char *err,
    size_t errlen)
{
	tzif_counts_t c;
	size_t need, v1;
	char footer[128];
	const unsigned char *f, *e;

	if ((need = tzif_header(p, len, 4, &c)) == 0) {
		tz_err(err, errlen, "not a TZif file or truncated");
		return -1;
	}
	if (p[4] == '\0')               /* version 1: 32-bit times, no footer */
		return tzif_block(tz, p + 44, &c, 4, err, errlen);
	v1 = 44 + need;
	if ((need = tzif_header(p + v1, len - v1, 8, &c)) == 0) {
		tz_err(err, errlen, "truncated version 2 data");
		return -1;
	}
	if (tzif_block(tz, p + v1 + 44, &c, 8, err, errlen) == -1)
		return -1;
	f = p + v1 + 44 + need;
	if (f >= p + len || *f != '\n' ||
	    (e = memchr(f + 1, '\n', (size_t)(p + len - f - 1))) == NULL ||
	    (size_t)(e - f - 1) >= sizeof(footer)) {
		tz_err(err, errlen, "malformed footer");
		return -1;
	}
	memcpy(footer, f + 1, (size_t)(e - f - 1));
	footer[e - f - 1] = '\0';
	if (footer[0] == '\0')
		return 0;               /* the last type holds for ever */
	if (rule_parse(footer, &tz->rule) == -1) {
		tz_err(err, errlen, "unsupported TZ rule \"%s\"", footer);
		return -1;
	}
	tz->has_rule = true;
	return 0;
}

/* A database name: relative, no "..", no odd characters. */
static bool
tz_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_+-.", *p)))
			return false;
		if (*p == '.' && (p == name || p[-1] == '/'))
			return false;   /* no ".", "..", hidden files */
	}
	return true;
}

static unsigned char *
tz_read(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f;
	unsigned char *data;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;            /* errno tells the caller */
	data = xmalloc(TZ_FILE_MAX);
	n = fread(data, 1, TZ_FILE_MAX, f);
	if (ferror(f) || n == TZ_FILE_MAX) {
		tz_err(err, errlen, "%s: %s", path, ferror(f) ? "read error" :
		    "too large");
		fclose(f);
		free(data);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = n;
	return data;
}

tz_t *
tz_open(const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char path[4096], sub[256];
	unsigned char *data;
	size_t len = 0;
	tz_t *tz;

	if (name == NULL || !tz_name_ok(name)) {
		tz_err(err, errlen, "invalid time zone name \"%s\"",
		    name ? name : "(null)");
		return NULL;
	}
	if (dir == NULL || dir[0] == '\0')
		dir = TZ_DEFAULT_DIR;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	sub[0] = '\0';
	tz = xcalloc(1, sizeof(*tz));
	snprintf(tz->name, sizeof(tz->name), "%s", name);
	if ((data = tz_read(path, &len, sub, sizeof(sub))) == NULL) {
		if (errno == ENOENT && (strcmp(name, "UTC") == 0 ||
		    strcmp(name, "Etc/UTC") == 0)) {
			/* a system without tzdata still knows UTC */
			tz->ntypes = 1;
			tz->types = xcalloc(1, sizeof(*tz->types));
			snprintf(tz->types[0].abbr, TZ_ABBR_MAX, "UTC");
			return tz;
		}
		if (sub[0])
			tz_err(err, errlen, "time zone %s: %s", name, sub);
		else if (errno == ENOENT)
			tz_err(err, errlen, "unknown time zone \"%s\" (no %s)",
			    name, path);
		else
			tz_err(err, errlen, "time zone %s: %s: %s", name, path,
			    strerror(errno));
		tz_destroy(&tz);
		return NULL;
	}
	if (tzif_parse(tz, data, len, sub, sizeof(sub)) == -1) {
		tz_err(err, errlen, "time zone %s: %s: %s", name, path, sub);
		free(data);
		tz_destroy(&tz);
		return NULL;
	}
	free(data);
	return tz;
}

void
tz_destroy(tz_t **self_p)
{
	tz_t *tz;

	if (self_p == NULL || (tz = *self_p) == NULL)
		return;
	free(tz->times);
	free(tz->idx);
	free(tz->types);
	free(tz);
	*self_p = NULL;
}

const char *
tz_name(const tz_t *tz)
{
	return tz->name;
}

/* the local time type in force at an instant (seconds) */
static const tz_type_t *
tz_type_at(const tz_t *tz, int64_t sec)
{
	size_t lo, hi;

	if (tz->ntimes == 0)
		return tz->has_rule ? rule_type(&tz->rule, sec) : &tz->types[0];
	if (sec < tz->times[0])
		return &tz->types[0];   /* RFC 8536: type 0 before the first */
	if (sec >= tz->times[tz->ntimes - 1] && tz->has_rule)
		return rule_type(&tz->rule, sec);
	lo = 0;
	hi = tz->ntimes;                /* times[lo] <= sec < times[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->times[mid] <= sec)
			lo = mid;
		else
			hi = mid;
	}
	return &tz->types[tz->idx[lo]];
}

int32_t
tz_offset(const tz_t *tz, int64_t utc_ms)
{
	return tz_type_at(tz, floor_div(utc_ms, MS_PER_SEC))->off;
}

void
tz_local(const tz_t *tz, int64_t utc_ms, tz_local_t *out)
{
	const tz_type_t *ty = tz_type_at(tz, floor_div(utc_ms, MS_PER_SEC));
	int64_t local = utc_ms + (int64_t)ty->off * MS_PER_SEC;
	int64_t days = floor_div(local, (int64_t)SEC_PER_DAY * MS_PER_SEC);
	int64_t rem = local - days * SEC_PER_DAY * MS_PER_SEC;

	memset(out, 0, sizeof(*out));
	out->civil_day = (int32_t)days;
	ts_civil_from_days(out->civil_day, &out->year, &out->month, &out->day);
	out->weekday = ts_weekday(out->civil_day);
	out->ms = (int)(rem % MS_PER_SEC);
	rem /= MS_PER_SEC;
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem / 60 % 60);
	out->second = (int)(rem % 60);
	out->minute_of_day = out->hour * 60 + out->minute;
	out->utc_offset = ty->off;
	out->dst = ty->dst;
	memcpy(out->abbr, ty->abbr, sizeof(out->abbr));
}

int64_t
tz_local_minute(const tz_t *tz, int64_t utc_ms)
{
	int64_t local = utc_ms + (int64_t)tz_offset(tz, utc_ms) * MS_PER_SEC;

	return floor_div(local, MS_PER_MIN);
}

int64_t
tz_utc_minute(const tz_t *tz, int64_t local_minute)
{
	/* Offsets change at most once within a day on either side (true
	 * of every real zone): an instant t is a reading of the local time
	 * when the offset in force at t is the one it was read with. */
	int64_t lsec = local_minute * 60;
	int32_t offs[3];
	int64_t best = INT64_MAX;

	offs[0] = tz_type_at(tz, lsec - SEC_PER_DAY)->off;
	offs[1] = tz_type_at(tz, lsec)->off;
	offs[2] = tz_type_at(tz, lsec + SEC_PER_DAY)->off;
	for (int i = 0; i < 3; i++) {
		int64_t t = lsec - offs[i];

		if (tz_type_at(tz, t)->off == offs[i] && t < best)
			best = t;       /* the earlier of two readings */
	}
	if (best == INT64_MAX)          /* in a gap: the offset before it */
		best = lsec - offs[0];
	return best * MS_PER_SEC;
}

int64_t
tz_utc(const tz_t *tz, int32_t civil_day, int minute_of_day)
{
	return tz_utc_minute(tz, (int64_t)civil_day * 1440 + minute_of_day);
}

void
tz_format(const tz_t *tz, int64_t utc_ms, char out[TZ_FORMAT_MAX])
{
	tz_local_t lt;

	tz_local(tz, utc_ms, &lt);
	snprintf(out, TZ_FORMAT_MAX, "%04d-%02d-%02d %02d:%02d%s%s", lt.year,
	    lt.month, lt.day, lt.hour, lt.minute, lt.abbr[0] ? " " : "", lt.abbr);
}
