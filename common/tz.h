/*
 * tz.h: instants and local wall-clock time in a named time zone.
 *
 * tz_open() reads the zone's TZif file from the system's time zone
 * database (/usr/share/zoneinfo, or $TZDIR) and keeps its transitions and
 * its POSIX TZ rule for times past the table, so conversions touch no
 * global state (no TZ variable, no tzset()) and a daemon can hold several
 * zones at once.
 *
 * Local to UTC is not one-to-one around daylight saving changes; tz_utc()
 * resolves it this way:
 *  - a local time that does not exist (the skipped hour in spring) is read
 *    with the offset in force before the change, so it maps forward by the
 *    length of the gap: 02:30 on the spring change in Europe/Stockholm is
 *    01:30Z, shown as 03:30 CEST;
 *  - a local time that exists twice (the repeated hour in autumn) maps to
 *    its first, earlier occurrence: 02:30 on the autumn change is 00:30Z
 *    (02:30 CEST), not 01:30Z (02:30 CET).
 */
#ifndef TRYGG_TZ_H
#define TRYGG_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_NAME_MAX   256
#define TZ_FORMAT_MAX 32        /* room for any string tz_format writes */

typedef struct tz tz_t;

/* An instant as seen on a wall clock in one zone. */
typedef struct {
	int      year, month, day;      /* month 1..12, day 1..31 */
	int      hour, minute, second;
	int      ms;                    /* 0..999 */
	int      weekday;               /* ISO: 1 Monday .. 7 Sunday */
	int32_t  civil_day;             /* local date as days since 1970-01-01 */
	int      minute_of_day;         /* 0..1439 */
	int32_t  utc_offset;            /* seconds east of UTC: local = UTC + this */
	bool     dst;                   /* daylight saving time in force */
	char     abbr[8];               /* "CET", "CEST"; "" when unknown */
} tz_local_t;

/*
 * Opens a zone by its database name ("Europe/Stockholm", "UTC"). Returns a
 * tz_t the caller destroys, or NULL with err filled (unknown zone, bad name,
 * unreadable or malformed file).
 */
tz_t *tz_open(const char *name, char *err, size_t errlen);
void tz_destroy(tz_t **self_p);
/* the name it was opened with */
const char *tz_name(const tz_t *tz);

/* Converts an instant (ms since the epoch, UTC) to local time. */
void tz_local(const tz_t *tz, int64_t utc_ms, tz_local_t *out);
/* the UTC offset in seconds in force at an instant */
int32_t tz_offset(const tz_t *tz, int64_t utc_ms);
/* the local minute (minutes since 1970-01-01T00:00 local) of an instant */
int64_t tz_local_minute(const tz_t *tz, int64_t utc_ms);

/*
 * The instant of a local date and minute of day (any value; 1440 is the
 * next day's 00:00), resolved as the header says.
 */
int64_t tz_utc(const tz_t *tz, int32_t civil_day, int minute_of_day);
/* the same for a local minute (minutes since 1970-01-01T00:00 local) */
int64_t tz_utc_minute(const tz_t *tz, int64_t local_minute);

/* Writes "YYYY-MM-DD HH:MM ABBR" (e.g. "2026-03-29 03:00 CEST"). */
void tz_format(const tz_t *tz, int64_t utc_ms, char out[TZ_FORMAT_MAX]);

#endif
