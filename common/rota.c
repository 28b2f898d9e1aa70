/*
 * rota.c: the TiB rota.
 *
 * Turn k (k = 0 starts on start_day; turns before it are extrapolated, so
 * that someone is always on duty) runs from the local time handover_min on
 * day start_day + k * period_days to the same local time period_days later,
 * each converted with tz_utc(): across a daylight saving change the turn is
 * an hour shorter or longer, and a handover in the skipped or repeated hour
 * follows tz.h's rules. The rota names contacts[k mod ncontacts].
 *
 * An override holds from its local minute "from" (inclusive) to "to"
 * (exclusive). Where overrides overlap, the one listed last wins (a later
 * entry refines an earlier one). A stretch is a maximal part of a turn in
 * which the same override, or none, applies.
 *
 * The deputy is the configured deputy, or when none is configured (or the
 * deputy is the one on duty) the next contact in turn order who is not
 * the one on duty.
 */
#include "rota.h"

#include <string.h>

#define MIN_PER_DAY 1440

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
rota_turn_start(const cfg_rota_t *rota, const tz_t *tz, int64_t k)
{
	int64_t lm = ((int64_t)rota->start_day + k * rota->period_days) *
	    MIN_PER_DAY + rota->handover_min;

	return tz_utc_minute(tz, lm);
}

static const char *
rota_contact(const cfg_rota_t *rota, int64_t k)
{
	int64_t n = (int64_t)rota->ncontacts;

	return rota->contacts[((k % n) + n) % n];
}

static const char *
rota_deputy(const cfg_rota_t *rota, int64_t k, const char *on_duty)
{
	if (rota->deputy && strcmp(rota->deputy, on_duty) != 0)
		return rota->deputy;
	for (size_t j = 1; j < rota->ncontacts; j++) {
		const char *c = rota_contact(rota, k + (int64_t)j);

		if (strcmp(c, on_duty) != 0)
			return c;
	}
	return NULL;
}

int
rota_on_duty(const cfg_rota_t *rota, const tz_t *tz, int64_t at_ms,
    rota_duty_t *out)
{
	int64_t first, k;
	const cfg_override_t *ov = NULL;

	if (rota->ncontacts == 0 || rota->period_days < 1)
		return -1;
	/* a first guess from local minutes, then exact on instants */
	first = (int64_t)rota->start_day * MIN_PER_DAY + rota->handover_min;
	k = floor_div(tz_local_minute(tz, at_ms) - first,
	    (int64_t)rota->period_days * MIN_PER_DAY);
	while (at_ms < rota_turn_start(rota, tz, k))
		k--;
	while (at_ms >= rota_turn_start(rota, tz, k + 1))
		k++;

	memset(out, 0, sizeof(*out));
	out->turn = k;
	out->turn_start = out->start = rota_turn_start(rota, tz, k);
	out->turn_end = out->end = rota_turn_start(rota, tz, k + 1);
	out->regular = out->contact = rota_contact(rota, k);
	for (size_t i = 0; i < rota->noverrides; i++) {
		const cfg_override_t *o = &rota->overrides[i];
		int64_t from = tz_utc_minute(tz, o->from);
		int64_t to = tz_utc_minute(tz, o->to);

		if (from <= at_ms && at_ms < to)
			ov = o;
		/* every override boundary inside the turn ends a stretch */
		if (from <= at_ms && from > out->start)
			out->start = from;
		if (from > at_ms && from < out->end)
			out->end = from;
		if (to <= at_ms && to > out->start)
			out->start = to;
		if (to > at_ms && to < out->end)
			out->end = to;
	}
	if (ov != NULL) {
		out->override = true;
		out->contact = ov->contact;
		out->reason = ov->reason;
	}
	out->deputy = rota_deputy(rota, k, out->contact);
	return 0;
}

int
rota_list(const cfg_rota_t *rota, const tz_t *tz, int64_t from_ms,
    int64_t to_ms, rota_duty_t *out, size_t max)
{
	rota_duty_t d;
	int64_t at = from_ms;
	int n = 0;

	if (rota->ncontacts == 0 || rota->period_days < 1)
		return -1;
	while (at < to_ms) {
		if (rota_on_duty(rota, tz, at, &d) == -1)
			return -1;
		if ((size_t)n < max)
			out[n] = d;
		n++;
		at = d.end;
	}
	return n;
}
