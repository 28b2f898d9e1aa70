/*
 * schedule.h: when a scheduled job is due, in local wall-clock time.
 *
 *	daily 07:00
 *	weekly mon 07:00             (mon tue wed thu fri sat sun)
 *	monthly 1 07:00              (day 1..28, so every month has it)
 *	tertial 1 07:00              (that day of January, May and September)
 *	yearly 01-15 07:00           (a date every year has: no 02-29)
 *
 * A due time is a local date and time in a zone (tz.h): 07:00 stays
 * 07:00 across daylight saving changes; a time the spring change skips
 * is read as tz_utc() reads it (an hour later).
 */
#ifndef TRYGG_SCHEDULE_H
#define TRYGG_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "tz.h"

typedef enum {
	SCHEDULE_DAILY = 1,
	SCHEDULE_WEEKLY,
	SCHEDULE_MONTHLY,
	SCHEDULE_TERTIAL,
	SCHEDULE_YEARLY,
} schedule_kind_t;

typedef struct {
	schedule_kind_t kind;
	int             weekday;        /* WEEKLY: ISO 1 Monday .. 7 Sunday */
	int             month;          /* YEARLY: 1..12 */
	int             mday;           /* MONTHLY, TERTIAL, YEARLY */
	int             minute;         /* of the day, 0..1439 */
} schedule_t;

/* Parses a schedule; 0, or -1 with err filled. */
int schedule_parse(const char *s, size_t len, schedule_t *out, char *err, size_t errlen);
/* The latest due instant at or before now (ms), in tz. */
int64_t schedule_last(const schedule_t *s, const tz_t *tz, int64_t now);
/* The first due instant after now (ms), in tz. */
int64_t schedule_next(const schedule_t *s, const tz_t *tz, int64_t now);

#endif
