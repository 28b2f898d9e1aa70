/*
 * officehours.h: is the office open at an instant, and why (or why not).
 *
 * The office of cfg_office_t (cfg.h) in the configured zone: open on the
 * configured weekdays from open_min (inclusive) to close_min (exclusive)
 * local time, closed on the holidays of holiday.h and on the configured
 * closed dates, closing early on shortened days. Every decision carries a
 * reason a person can read; officehours.c lists them.
 */
#ifndef TRYGG_OFFICEHOURS_H
#define TRYGG_OFFICEHOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "tz.h"

#define OH_REASON_MAX 192

typedef enum {
	OH_OPEN = 1,            /* "weekday office hours" */
	OH_OUTSIDE,             /* "outside office hours", before opening or after closing */
	OH_SHORTENED,           /* "outside office hours (shortened day: R)", after an early close */
	OH_WEEKEND,             /* "weekend": Saturday or Sunday, not an office day */
	OH_NOT_OFFICE_DAY,      /* "not an office day": a weekday the office does not work */
	OH_HOLIDAY,             /* "holiday: Juldagen" */
	OH_CLOSED,              /* "closed: R", a configured closed date */
} oh_kind_t;

typedef struct {
	bool       office_hours;
	oh_kind_t  kind;
	int32_t    day;                 /* the local civil day decided on */
	int        minute;              /* the local minute of the day */
	int        close_min;           /* the day's closing minute (shortened or not) */
	char       reason[OH_REASON_MAX];
} oh_decision_t;

/* Decides for the instant at_ms. */
void oh_decide(const cfg_office_t *office, const tz_t *tz, int64_t at_ms,
    oh_decision_t *out);

/*
 * The first instant after at_ms at which office_hours flips, looking at
 * most OH_NEXT_DAYS days ahead. Returns 0 with *next set, or -1 when it
 * does not flip in that time (an office with no working days).
 */
#define OH_NEXT_DAYS 400
int oh_next_change(const cfg_office_t *office, const tz_t *tz, int64_t at_ms,
    int64_t *next);

#endif
