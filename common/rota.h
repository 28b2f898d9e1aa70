/*
 * rota.h: who has TiB duty at an instant.
 *
 * The rota of cfg_rota_t (cfg.h): its contacts take turns of period_days
 * days, the first turn starting on start_day at handover_min local time.
 * Handover is at local wall-clock time, so a turn that spans a daylight
 * saving change lasts an hour less or more (a week of 167 or 169 hours).
 * Overrides (local minutes from/to, a contact) take precedence over the
 * turn; they split a turn into stretches. rota.c documents the details.
 */
#ifndef TRYGG_ROTA_H
#define TRYGG_ROTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "tz.h"

/* One stretch of duty. The strings point into the cfg_rota_t. */
typedef struct {
	const char *contact;            /* who has duty */
	const char *regular;            /* whom the rota names for the turn */
	const char *deputy;             /* NULL when there is nobody else */
	bool        override;           /* contact comes from an override */
	const char *reason;             /* the override's reason, or NULL */
	int64_t     turn;               /* 0: the turn starting on start_day */
	int64_t     start, end;         /* this stretch, [start, end) instants */
	int64_t     turn_start, turn_end;   /* the whole turn */
} rota_duty_t;

/*
 * Fills out with the stretch of duty that holds at_ms. Returns 0, or -1
 * when the rota has no contacts or no period.
 */
int rota_on_duty(const cfg_rota_t *rota, const tz_t *tz, int64_t at_ms,
    rota_duty_t *out);

/*
 * Fills out[0..max) with the stretches of duty that overlap [from_ms,
 * to_ms), in time order (the first may start before from_ms). Returns how
 * many there are (which may exceed max), or -1 as rota_on_duty.
 */
int rota_list(const cfg_rota_t *rota, const tz_t *tz, int64_t from_ms,
    int64_t to_ms, rota_duty_t *out, size_t max);

#endif
