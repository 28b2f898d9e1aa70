/*
 * oncall.c: the escalation target: säkerhetschef in office hours, the TiB
 * on duty otherwise. The contacts are looked up in cfg->contacts directly
 * so that a hand-built cfg_t (in the tests) needs no index.
 */
#include "oncall.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
oncall_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const cfg_contact_t *
oncall_contact(const cfg_t *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ncontacts; i++)
		if (strcmp(cfg->contacts[i].id, id) == 0)
			return &cfg->contacts[i];
	return NULL;
}

static const cfg_contact_t *
oncall_role(const cfg_t *cfg, cfg_role_t role)
{
	for (size_t i = 0; i < cfg->ncontacts; i++)
		if (cfg->contacts[i].role == role)
			return &cfg->contacts[i];
	return NULL;
}

int
oncall_decide(const cfg_t *cfg, const tz_t *tz, int64_t at_ms, oncall_t *out,
    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->at = at_ms;
	oh_decide(&cfg->office, tz, at_ms, &out->office);
	out->office_hours = out->office.office_hours;
	memcpy(out->reason, out->office.reason, sizeof(out->reason));
	if (out->office_hours) {
		out->target = ONCALL_TARGET_SAKERHETSCHEF;
		if ((out->contact = oncall_role(cfg, CFG_ROLE_SAKERHETSCHEF)) == NULL) {
			oncall_err(err, errlen, "no contact has the role sakerhetschef");
			return -1;
		}
		return 0;
	}
	out->target = ONCALL_TARGET_TIB;
	if (rota_on_duty(&cfg->rota, tz, at_ms, &out->duty) == -1) {
		oncall_err(err, errlen, "the TiB rota is empty");
		return -1;
	}
	out->has_duty = true;
	if ((out->contact = oncall_contact(cfg, out->duty.contact)) == NULL) {
		oncall_err(err, errlen, "the rota names unknown contact \"%s\"",
		    out->duty.contact);
		return -1;
	}
	return 0;
}
