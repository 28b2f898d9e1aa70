/*
 * oncall.h: who must act on an escalation at an instant.
 *
 * In office hours (officehours.h) the contact with the role säkerhetschef;
 * otherwise the TiB on duty (rota.h).
 */
#ifndef TRYGG_ONCALL_H
#define TRYGG_ONCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "officehours.h"
#include "rota.h"
#include "tz.h"

#define ONCALL_TARGET_SAKERHETSCHEF "sakerhetschef"
#define ONCALL_TARGET_TIB           "tib"

typedef struct {
	int64_t              at;            /* the instant decided on */
	bool                 office_hours;
	char                 reason[OH_REASON_MAX];
	const char          *target;        /* ONCALL_TARGET_* */
	const cfg_contact_t *contact;       /* who must act; points into the cfg */
	oh_decision_t        office;        /* the office-hours decision */
	bool                 has_duty;      /* duty is filled (outside office hours) */
	rota_duty_t          duty;          /* the TiB's stretch of duty */
} oncall_t;

/*
 * Decides for at_ms. Returns 0, or -1 with err filled when the
 * configuration names nobody (no säkerhetschef contact, an empty rota, a
 * rota contact that is not a configured contact).
 */
int oncall_decide(const cfg_t *cfg, const tz_t *tz, int64_t at_ms,
    oncall_t *out, char *err, size_t errlen);

#endif
