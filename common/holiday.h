/*
 * holiday.h: the Swedish public holiday calendar, 1900 to 2200.
 *
 * The allmänna helgdagar by the rules in force in each year, and the eves
 * that are treated as holidays (midsommarafton, julafton, nyårsafton: the
 * semesterlag counts them as Sundays). Sundays as such are not listed; a
 * named holiday that falls on a Sunday is. Names are the Swedish ones, in
 * UTF-8, e.g. "Juldagen", "Midsommarafton". holiday.c documents the rules
 * and their sources.
 */
#ifndef TRYGG_HOLIDAY_H
#define TRYGG_HOLIDAY_H

#include <stddef.h>
#include <stdint.h>

#define HOLIDAY_YEAR_MIN 1900
#define HOLIDAY_YEAR_MAX 2200
#define HOLIDAY_MAX      24     /* more than any year has */

typedef enum {
	HOLIDAY_PUBLIC = 1,     /* allmän helgdag by law */
	HOLIDAY_EVE,            /* an eve treated as a holiday */
} holiday_kind_t;

/*
 * One day. When two holidays fall on the same day (Första maj and Kristi
 * himmelsfärdsdag in 2008) the day is listed once: name is the first,
 * also the second (NULL when there is none).
 */
typedef struct {
	int32_t         day;    /* civil day (ts.h) */
	const char     *name;
	const char     *also;
	holiday_kind_t  kind;   /* of name */
} holiday_t;

/* Easter Sunday of a Gregorian year as a civil day (any year >= 1583). */
int32_t holiday_easter(int year);

/*
 * Fills out[0..max) with the holidays of year, sorted by date. Returns how
 * many the year has (which may exceed max), or -1 when the year is outside
 * HOLIDAY_YEAR_MIN..HOLIDAY_YEAR_MAX.
 */
int holiday_list(int year, holiday_t *out, size_t max);

/* The name of the holiday on a civil day, or NULL when it is none. */
const char *holiday_name(int32_t day);
/* The same with both names and kind; 1 when day is a holiday, else 0. */
int holiday_find(int32_t day, holiday_t *out);

#endif
