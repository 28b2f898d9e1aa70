/*
 * escalation_oncall.c: the oncall operation: who must act at an instant.
 *
 *	{"v":1, "op":"oncall", "at"?: RFC 3339}
 *	→ {"ok":true, "at": RFC 3339 UTC, "office_hours": BOOL, "reason": STR,
 *	   "target": "sakerhetschef"|"tib", "contact": {"id", "name"},
 *	   "deputy": {"id", "name"} | nil, "until"?: RFC 3339 UTC}
 *
 * "deputy" stands in when the contact cannot: in office hours the contact
 * with role deputy, outside them the TiB rota's deputy for that stretch of
 * duty (nil when there is none). "reason" says why (office hours, weekend,
 * the holiday's name). "at" defaults to the time of receipt. "until" is
 * when the answer changes
 * next (office hours begin or end, or the TiB's stretch of duty ends), when
 * that is known. Reads the configuration only; no state.
 */
#include "escalation.h"
#include "log.h"
#include "oncall.h"
#include "ts.h"
#include "wire.h"

#include <string.h>

static const msg_field_t oncall_fields[] = {
	{.name = "at", .type = MF_TIME},
};

enum { ONCALL_NFIELDS = sizeof(oncall_fields) / sizeof(oncall_fields[0]) };

/* the deputy of whoever oc names, a contact id; NULL when none */
static const char *
oncall_deputy(const cfg_t *cfg, const oncall_t *oc)
{
	const cfg_contact_t *d;

	if (oc->office_hours)
		return (d = cfg_contact_by_role(cfg, CFG_ROLE_DEPUTY)) != NULL ? d->id : NULL;
	return oc->has_duty ? oc->duty.deputy : NULL;
}

int
escalation_oncall(void *ctx, const msg_t *m, pack_t *reply)
{
	escalation_t *esc = ctx;
	msg_val_t v[ONCALL_NFIELDS];
	wire_err_t err;
	oncall_t oc;
	const char *deputy;
	char why[256];
	int64_t at, until = -1;

	if (msg_fields(m, oncall_fields, ONCALL_NFIELDS, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	at = v[0].present ? v[0].ms : ts_now();
	if (oncall_decide(esc->cfg, esc->tz, at, &oc, why, sizeof(why)) < 0) {
		/* the configuration check should make this impossible */
		log_warn("escalation_oncall: %s", why);
		wire_err_set(&err, WERR_INTERNAL, NULL,
		    "nobody is on call: %s", why);
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (oh_next_change(&esc->cfg->office, esc->tz, at, &until) < 0)
		until = -1;
	if (oc.has_duty && (until < 0 || oc.duty.end < until))
		until = oc.duty.end;

	pack_reply_ok(reply, msg_req(m));
	pack_kv_time(reply, "at", at);
	pack_kv_bool(reply, "office_hours", oc.office_hours);
	pack_kv_str(reply, "reason", oc.reason);
	pack_kv_str(reply, "target", oc.target);
	pack_key(reply, "contact");
	pack_map_open(reply);
	pack_kv_str(reply, "id", oc.contact->id);
	pack_kv_str(reply, "name", oc.contact->name);
	pack_map_close(reply);
	pack_key(reply, "deputy");
	if ((deputy = oncall_deputy(esc->cfg, &oc)) != NULL) {
		const cfg_contact_t *c = cfg_contact(esc->cfg, deputy, strlen(deputy));

		pack_map_open(reply);
		pack_kv_str(reply, "id", deputy);
		pack_kv_str(reply, "name", c ? c->name : deputy);
		pack_map_close(reply);
	} else {
		pack_nil(reply);
	}
	if (until >= 0)
		pack_kv_time(reply, "until", until);
	pack_map_close(reply);
	return 0;
}
