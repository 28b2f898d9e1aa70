/*
 * ts.h: instants, civil dates and durations.
 *
 * An instant is int64_t milliseconds since 1970-01-01T00:00:00Z (UTC). A
 * civil day is int32_t days since 1970-01-01 in the proleptic Gregorian
 * calendar, with no time zone attached. Time zone conversion is tz.h's.
 */
#ifndef TRYGG_TS_H
#define TRYGG_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_RFC3339_MAX 40       /* room for any string ts_format writes */

/* the current instant */
int64_t ts_now(void);

/*
 * Parses an RFC 3339 date-time ("2026-11-22T20:15:03Z", "...T21:15:03.5+01:00";
 * 't', ' ' and lower-case 'z' accepted). Returns 0, or -1 when malformed or
 * out of range (years 1900..2200).
 */
int ts_parse_rfc3339(const char *s, size_t len, int64_t *ms);
/* Writes "YYYY-MM-DDTHH:MM:SSZ": whole seconds, as the wire shows every time. */
void ts_format_rfc3339(int64_t ms, char out[TS_RFC3339_MAX]);

/* days since 1970-01-01 of y-m-d (m 1..12, d 1..31) */
int32_t ts_days_from_civil(int y, int m, int d);
void ts_civil_from_days(int32_t days, int *y, int *m, int *d);
/* ISO weekday of a civil day: 1 Monday .. 7 Sunday */
int ts_weekday(int32_t days);
bool ts_leap_year(int y);
int ts_days_in_month(int y, int m);
/* Parses "YYYY-MM-DD" (exactly); returns 0 or -1. */
int ts_parse_date(const char *s, size_t len, int32_t *days);
/* Writes "YYYY-MM-DD" (11 bytes with NUL). */
void ts_format_date(int32_t days, char out[11]);
/* Parses "HH:MM" (00:00..24:00) into minutes since midnight; returns 0 or -1. */
int ts_parse_hhmm(const char *s, size_t len, int *minutes);

/*
 * Parses a duration: a positive whole number with a unit, "500ms", "30s",
 * "15m", "2h", "1d", or several concatenated ("1h30m"). Returns 0, or -1.
 */
int ts_parse_duration(const char *s, size_t len, int64_t *ms);
/* Writes a duration in the largest exact units, e.g. "1h30m", "500ms". */
void ts_format_duration(int64_t ms, char out[32]);

#endif
