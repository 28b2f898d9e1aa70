/*
 * officehours.c: the office-hours decision.
 *
 * A decision looks at the local day and minute of the instant and takes the
 * first row of this table that applies (oh_decide):
 *
 *	the day is ...                        office  reason
 *	a holiday (holiday.h)                 no      "holiday: Juldagen"
 *	a configured closed date              no      "closed: <reason>"
 *	not a configured weekday, Sat/Sun     no      "weekend"
 *	not a configured weekday, Mon-Fri     no      "not an office day"
 *	a working day, before open_min        no      "outside office hours"
 *	a shortened day, at/after its close   no      "outside office hours (shortened day: <reason>)"
 *	a working day, at/after close_min     no      "outside office hours"
 *	a working day otherwise               yes     "weekday office hours"
 *
 * A holiday wins over a configured closure of the same day because the law
 * is the better explanation; both win over the weekend ("holiday:
 * Juldagen" on a Saturday says more than "weekend"). A shortened-day rule
 * applies to a working day only: CFG_SHORT_DATE on its date,
 * CFG_SHORT_BEFORE_HOLIDAY when the next day is a holiday. When several
 * apply, the earliest close wins; a rule closing at or after close_min
 * changes nothing.
 */
#include "officehours.h"
#include "holiday.h"
#include "ts.h"

#include <stdio.h>
#include <stdlib.h>

#define MIN_PER_DAY 1440

/* the shortened-day rule that applies to a working day, or NULL */
static const cfg_short_t *
oh_shortened(const cfg_office_t *office, int32_t day)
{
	const cfg_short_t *best = NULL;
	int before_holiday = -1;        /* not yet looked up */

	for (size_t i = 0; i < office->nshortened; i++) {
		const cfg_short_t *s = &office->shortened[i];
		bool applies = false;

		switch (s->kind) {
		case CFG_SHORT_DATE:
			applies = s->day == day;
			break;
		case CFG_SHORT_BEFORE_HOLIDAY:
			if (before_holiday == -1)
				before_holiday = holiday_find(day + 1, NULL);
			applies = before_holiday == 1;
			break;
		}
		if (applies && s->close_min < office->close_min &&
		    (best == NULL || s->close_min < best->close_min))
			best = s;
	}
	return best;
}

static const cfg_closed_t *
oh_closed(const cfg_office_t *office, int32_t day)
{
	for (size_t i = 0; i < office->nclosed; i++)
		if (office->closed[i].day == day)
			return &office->closed[i];
	return NULL;
}

void
oh_decide(const cfg_office_t *office, const tz_t *tz, int64_t at_ms,
    oh_decision_t *out)
{
	tz_local_t lt;
	holiday_t h;
	const cfg_closed_t *closed;
	const cfg_short_t *sh;

	tz_local(tz, at_ms, &lt);
	out->office_hours = false;
	out->day = lt.civil_day;
	out->minute = lt.minute_of_day;
	out->close_min = office->close_min;

	if (holiday_find(lt.civil_day, &h)) {
		out->kind = OH_HOLIDAY;
		snprintf(out->reason, sizeof(out->reason), "holiday: %s", h.name);
		return;
	}
	if ((closed = oh_closed(office, lt.civil_day)) != NULL) {
		out->kind = OH_CLOSED;
		if (closed->reason && closed->reason[0])
			snprintf(out->reason, sizeof(out->reason), "closed: %s",
			    closed->reason);
		else
			snprintf(out->reason, sizeof(out->reason), "closed");
		return;
	}
	if (!(office->weekdays & (1u << (lt.weekday - 1)))) {
		out->kind = lt.weekday >= 6 ? OH_WEEKEND : OH_NOT_OFFICE_DAY;
		snprintf(out->reason, sizeof(out->reason), "%s",
		    lt.weekday >= 6 ? "weekend" : "not an office day");
		return;
	}
	if ((sh = oh_shortened(office, lt.civil_day)) != NULL)
		out->close_min = sh->close_min;
	if (lt.minute_of_day < office->open_min) {
		out->kind = OH_OUTSIDE;
		snprintf(out->reason, sizeof(out->reason), "outside office hours");
	} else if (sh != NULL && lt.minute_of_day >= sh->close_min) {
		out->kind = OH_SHORTENED;
		snprintf(out->reason, sizeof(out->reason),
		    "outside office hours (shortened day: %s)",
		    sh->reason && sh->reason[0] ? sh->reason : "closes early");
	} else if (lt.minute_of_day >= office->close_min) {
		out->kind = OH_OUTSIDE;
		snprintf(out->reason, sizeof(out->reason), "outside office hours");
	} else {
		out->kind = OH_OPEN;
		out->office_hours = true;
		snprintf(out->reason, sizeof(out->reason), "weekday office hours");
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int
oh_next_change(const cfg_office_t *office, const tz_t *tz, int64_t at_ms,
    int64_t *next)
{
	oh_decision_t now, d;
	int mins[64];
	size_t n = 0;

	/* the decision can change only at these minutes of a local day */
	mins[n++] = office->open_min;
	mins[n++] = office->close_min;
	mins[n++] = MIN_PER_DAY;
	for (size_t i = 0; i < office->nshortened && n < 64; i++)
		mins[n++] = office->shortened[i].close_min;
	qsort(mins, n, sizeof(mins[0]), cmp_int);

	oh_decide(office, tz, at_ms, &now);
	for (int32_t day = now.day; day <= now.day + OH_NEXT_DAYS; day++) {
		for (size_t i = 0; i < n; i++) {
			int64_t t = tz_utc(tz, day, mins[i]);

			if (t <= at_ms || (i > 0 && mins[i] == mins[i - 1]))
				continue;
			oh_decide(office, tz, t, &d);
			if (d.office_hours != now.office_hours) {
				*next = t;
				return 0;
			}
		}
	}
	return -1;
}
