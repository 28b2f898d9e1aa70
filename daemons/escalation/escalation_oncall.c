/*
 * escalation_oncall.c: the oncall operation: who must act at an instant.
 *
 *	{"v":1, "op":"oncall", "at"?: RFC 3339}
 *	→ {"ok":true, "at": RFC 3339 UTC, "office_hours": BOOL, "reason": STR,
 *	   "target": "sakerhetschef"|"tib", "contact": {"id", "name"},
 *	   "until"?: RFC 3339 UTC}
 *
 * "at" defaults to the time of receipt. "until" is when the answer changes
 * next (office hours begin or end, or the TiB's stretch of duty ends), when
 * that is known. Reads the configuration only; no state.
 */
#include "escalation.h"
#include "log.h"
#include "oncall.h"
#include "ts.h"
#include "wire.h"

static const msg_field_t oncall_fields[] = {
	{.name = "at", .type = MF_TIME},
};

enum { ONCALL_NFIELDS = sizeof(oncall_fields) / sizeof(oncall_fields[0]) };

int
escalation_oncall(void *ctx, const msg_t *m, pack_t *reply)
{
	escalation_t *esc = ctx;
	msg_val_t v[ONCALL_NFIELDS];
	wire_err_t err;
	oncall_t oc;
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
	if (until >= 0)
		pack_kv_time(reply, "until", until);
	pack_map_close(reply);
	return 0;
}
