/*
 * period.h: the report periods of docs/protocol.md, as local dates and as UTC
 * instants in a time zone.
 *
 *	2026-W47                 ISO 8601 week (Monday..Sunday; week 1 holds 4 January)
 *	2026-11                  month
 *	2026-Q4                  quarter
 *	2026-T3                  tertial (Jan-Apr, May-Aug, Sep-Dec)
 *	2026                     year
 *	2026-11-01..2026-11-30   range of local dates, both included
 *
 * A period is a run of whole local days. Its instants run from local
 * midnight of its first day to local midnight after its last (tz_utc), so
 * a day of a daylight saving change is 23 or 25 hours long and an
 * incident belongs to the day its wall clock showed. Years 1900..2199.
 */
#ifndef TRYGG_PERIOD_H
#define TRYGG_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "tz.h"

#define PERIOD_NAME_MAX   32            /* room for any name period_t holds */
#define PERIOD_RANGE_DAYS (10 * 366)    /* a range spans at most this many days */

typedef enum {
	PERIOD_WEEK = 1,
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_TERTIAL,
	PERIOD_YEAR,
	PERIOD_RANGE,
} period_kind_t;

typedef struct {
	period_kind_t kind;
	int32_t       first;                    /* civil day, included */
	int32_t       last;                     /* civil day, included */
	char          name[PERIOD_NAME_MAX];    /* canonical: "2026-W47" */
} period_t;

/* Parses a period; 0, or -1 with err filled (a message that quotes nothing). */
int period_parse(const char *s, size_t len, period_t *p, char *err, size_t errlen);
/*
 * The period just before p and of the same kind: the previous week, month,
 * quarter, tertial or year; for a range, as many days ending the day before.
 */
void period_previous(const period_t *p, period_t *prev);
/* The period of a kind (not PERIOD_RANGE) that holds civil day. */
void period_of_day(period_kind_t kind, int32_t day, period_t *p);
/* its length in days */
int32_t period_days(const period_t *p);
/* Its instants in tz: [*from, *to), ms since the epoch. */
void period_instants(const period_t *p, const tz_t *tz, int64_t *from, int64_t *to);
/* ISO week of a civil day: *year (the week's year, may differ from the date's) and week 1..53 */
void period_iso_week(int32_t day, int *year, int *week);
/* the number of ISO weeks in a year, 52 or 53 */
int period_iso_weeks(int year);

#endif
