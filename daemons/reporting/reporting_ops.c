/*
 * reporting_ops.c: trygg-reporting's operations.
 *
 *   link.deliver  a batch of trygg-intake's or trygg-escalation's events
 *                 (common/link.h; reporting_store_apply applies each)
 *   report        {"kind", "period", "team"?, "format"?, "suppress"?}
 *                 → {"kind", "period", "format", "content": STRING}
 *   jobs          the scheduled jobs with their last and next run (reporting_jobs.c)
 *
 * link.deliver writes in the batch's transaction; report reads on the
 * reader's connection (common/server.h). A report whose content would
 * pass REPORTING_REPLY_MAX is answered too_large, never cut short.
 */
#include "reporting.h"
#include "link.h"
#include "log.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

static const char *const reporting_kinds[] = {"lagesbild", "escalations", "annual", NULL};

static int
reporting_op_deliver(void *ctx, const msg_t *m, pack_t *reply)
{
	reporting_t *rep = ctx;

	return link_deliver(rep->db, m, reporting_store_apply, rep, reply);
}

static int
reporting_error(pack_t *reply, const msg_t *m, wire_code_t code, const char *field,
    const char *text)
{
	wire_err_t err;

	wire_err_set(&err, code, field, "%s", text);
	pack_reply_error(reply, &err, msg_req(m));
	return 0;
}

int
reporting_make(reporting_t *rep, const char *kind, const period_t *p, const char *team,
    bool suppress, rformat_t f, buf_t *out)
{
	report_t *r = report_new(kind, p, rep->cfg->timezone);
	const cfg_team_t *t = team ? cfg_team(rep->cfg, team, strlen(team)) : NULL;
	int rc;

	if (t) {
		snprintf(r->team, sizeof(r->team), "%s", t->id);
		snprintf(r->team_name, sizeof(r->team_name), "%s", t->name);
	}
	r->suppress = suppress;
	period_instants(p, rep->tz, &r->from, &r->to);
	if (strcmp(kind, "lagesbild") == 0)
		rc = reporting_build_lagesbild(rep, r);
	else if (strcmp(kind, "escalations") == 0)
		rc = reporting_build_escalations(rep, r);
	else
		rc = reporting_build_annual(rep, r);
	if (rc == 0) {
		report_finish(r);
		reporting_format(r, f, out);
	}
	report_destroy(&r);
	return rc;
}

static int
reporting_op_report(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"kind", MF_ENUM, true, 0, 0, reporting_kinds, 0},
		{"period", MF_STR, true, 1, 40, NULL, 0},
		{"team", MF_ID, false, 1, REPORTING_KEY_MAX - 1, NULL, 0},
		{"format", MF_ENUM, false, 0, 0, reporting_formats, 0},
		{"suppress", MF_BOOL, false, 0, 0, NULL, 0},
	};
	reporting_t *rep = ctx;
	const principal_t *who = msg_principal(m);
	msg_val_t v[5];
	wire_err_t err;
	period_t period;
	const cfg_team_t *team = NULL;
	rformat_t format;
	buf_t out = BUF_INIT;
	char perr[128];

	if (msg_fields(m, fields, 5, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	format = v[3].present ? (rformat_t)v[3].i : RF_JSON;
	if (period_parse(v[1].str, v[1].len, &period, perr, sizeof(perr)) < 0)
		return reporting_error(reply, m, WERR_INVALID_FIELD, "period", perr);
	if (v[2].present && (team = cfg_team(rep->cfg, v[2].str, v[2].len)) == NULL)
		return reporting_error(reply, m, WERR_INVALID_FIELD, "team",
		    "'team' must be a configured team id (see trygg.yaml, teams)");
	/* a coordinator's reports are of its own team, whatever it asks */
	if (!(who->role & ROLE_ADMIN)) {
		if (team != NULL && strcmp(team->id, who->team ? who->team : "") != 0)
			return auth_refuse(m, reply, "team", "a coordinator reports on its own "
			    "team only");
		if ((team = cfg_team(rep->cfg, who->team ? who->team : "",
		    who->team ? strlen(who->team) : 0)) == NULL)
			return auth_refuse(m, reply, "team", "this key belongs to no team");
	}
	if (reporting_make(rep, reporting_kinds[v[0].i], &period, team ? team->id : NULL,
	    v[4].present && v[4].b, format, &out) < 0) {
		log_warn("reporting_op_report: %s", db_errmsg(rep->db));
		buf_free(&out);
		wire_err_set(&err, WERR_INTERNAL, NULL, "the reporting store failed");
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (out.len > REPORTING_REPLY_MAX) {
		reporting_error(reply, m, WERR_TOO_LARGE, "period",
		    "the report would pass 1 MiB; ask for a shorter period or another format");
	} else {
		pack_reply_ok(reply, msg_req(m));
		pack_kv_str(reply, "kind", reporting_kinds[v[0].i]);
		pack_kv_str(reply, "period", period.name);
		pack_kv_str(reply, "format", reporting_formats[format]);
		pack_kv_strn(reply, "content", buf_str(&out), out.len);
		pack_map_close(reply);
	}
	buf_free(&out);
	return 0;
}

/*
 * The operations besides ping and status, which common/server.c answers,
 * and who may call them besides admins (docs/protocol.md, "Keys and roles").
 */
const server_op_t reporting_ops[] = {
	{"link.deliver", SERVER_WRITE, reporting_op_deliver, ROLE_DAEMON},
	{"report", SERVER_READ, reporting_op_report, ROLE_COORDINATOR},
	{"jobs", SERVER_READ, reporting_jobs_op, ROLE_COORDINATOR},
};
const size_t reporting_nops = sizeof(reporting_ops) / sizeof(reporting_ops[0]);
