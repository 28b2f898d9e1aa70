/*
 * intake_ops.c: trygg-intake's operations, as docs/protocol.md gives them.
 *
 *   submit  check, route, decide the scope, store, answer
 *   get     one incident with its history, by number or client id
 *   list    incidents newest first, by team, status, time of receipt
 *   update  a note and/or a status change, by someone
 *
 * Each handler writes a whole reply. Writes run inside the batch's
 * transaction, reads on the reader's connection (common/server.h); nothing
 * is answered before what it speaks of is on disk.
 */
#include "intake.h"
#include "audit.h"
#include "log.h"
#include "rpc.h"
#include "ts.h"
#include "pnr.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const intake_statuses[] = {INTAKE_OPEN, INTAKE_CLOSED, NULL};

/* Answers internal for a store failure; returns -1 so the caller undoes the request. */
static int
intake_internal(pack_t *reply, const msg_t *m, const char *what, intake_t *in)
{
	wire_err_t err;

	log_warn("intake: %s: %s", what, db_errmsg(in->db));
	wire_err_set(&err, WERR_INTERNAL, NULL, "the incident store failed (%s)", what);
	pack_reset(reply);
	pack_reply_error(reply, &err, msg_req(m));
	return -1;
}

static int
intake_op_submit(void *ctx, const msg_t *m, pack_t *reply)
{
	intake_t *in = ctx;
	intake_submit_t s;
	intake_incident_t inc;
	wire_err_t err;
	char number[32];
	uint64_t fp = 0;
	int64_t row;
	bool duplicate = false;
	int rc = -1;

	in->now = ts_now();
	if (intake_submit_check(in, m, &s, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	/* the UNIQUE index on client_id tells a retry from a new incident */
	if ((row = intake_store_insert(in, &s, number, &inc)) < 0 ||
	    (row > 0 && in->fail_id != NULL && strcmp(s.client_id, in->fail_id) == 0)) {
		/* a store failure, or the test seam's stand-in for one after the insert */
		intake_internal(reply, m, "storing the incident", in);
		goto out;
	}
	if (row == 0) {
		if ((row = intake_store_find_client(in, s.client_id, &fp)) <= 0) {
			intake_internal(reply, m, "looking up the client id", in);
			goto out;
		}
		if (fp != s.fingerprint) {
			wire_err_set(&err, WERR_CONFLICT, "id", "the id was already "
			    "used for a different report");
			pack_reply_error(reply, &err, msg_req(m));
			rc = 0;
			goto out;
		}
		duplicate = true;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "duplicate", duplicate);
	pack_key(reply, "incident");
	if (!duplicate) {
		intake_view_pack_brief(in, &inc, reply);
		audit_hint(number, NULL);       /* the entry's target, as the reply names it */
	} else if (intake_view_pack_brief_row(in, row, reply) < 0) {
		intake_internal(reply, m, "reading the incident back", in);
		goto out;
	}
	if (s.masked)
		pack_kv_int(reply, "masked", s.masked);
	pack_map_close(reply);
	rc = 0;
out:
	intake_submit_free(&s);
	return rc;
}

/* Finds the incident that a request names by "number" or "id". */
static int64_t
intake_target(intake_t *in, const msg_val_t *number, const msg_val_t *id,
    wire_err_t *err)
{
	int64_t row;
	uint64_t fp;

	if (number->present == id->present) {
		wire_err_set(err, WERR_INVALID_FIELD, "number",
		    "give either 'number' or 'id', not %s",
		    number->present ? "both" : "neither");
		return -1;
	}
	if (number->present) {
		buf_t n = BUF_INIT;

		/* "inc-2026-000002", full-width or padded, is INC-2026-000002 */
		utf8_fold(number->str, number->len, &n);
		for (size_t i = 0; i < n.len; i++)
			if (n.data[i] >= 'a' && n.data[i] <= 'z')
				n.data[i] = (char)(n.data[i] - 'a' + 'A');
		row = intake_store_find_number(in, buf_str(&n), n.len);
		buf_free(&n);
	} else {
		char cid[65];

		memcpy(cid, id->str, id->len);
		cid[id->len] = '\0';
		row = intake_store_find_client(in, cid, &fp);
	}
	if (row < 0) {
		wire_err_set(err, WERR_INTERNAL, NULL, "the incident store failed");
		return -1;
	}
	if (row == 0) {
		wire_err_set(err, WERR_NOT_FOUND, number->present ? "number" : "id",
		    "no incident has this %s", number->present ? "number" : "client id");
		return -1;
	}
	return row;
}

/*
 * May the request's principal see or change the incident at row? An admin
 * any, a reporter the ones it reported, a coordinator its team's. 1 yes;
 * 0 no, answered unauthorized; -1 when the store failed.
 */
static int
intake_may(intake_t *in, const msg_t *m, int64_t row, pack_t *reply)
{
	const principal_t *who = msg_principal(m);
	char team[72], reporter[408];

	if (who->role & ROLE_ADMIN)
		return 1;
	if (intake_store_owner(in, row, team, reporter) < 0)
		return -1;
	if ((who->role & ROLE_REPORTER) && strcmp(reporter, who->name) == 0)
		return 1;
	if ((who->role & ROLE_COORDINATOR) && who->team != NULL && strcmp(team, who->team) == 0)
		return 1;
	return auth_refuse(m, reply, "number", "this incident is %s",
	    who->role & ROLE_COORDINATOR ? "another team's" : "not one this key reported");
}

static int
intake_op_get(void *ctx, const msg_t *m, pack_t *reply)
{
	intake_t *in = ctx;
	static const msg_field_t fields[] = {
		{"number", MF_STR, false, 1, 32, NULL, 0},
		{"id", MF_ID, false, 1, 64, NULL, 0},
		{"history_before", MF_INT, false, 1, INT64_MAX, NULL, 0},
	};
	msg_val_t v[3];
	wire_err_t err;
	int64_t row;
	int rc;

	if (msg_fields(m, fields, 3, v, &err) < 0 ||
	    (row = intake_target(in, &v[0], &v[1], &err)) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if ((rc = intake_may(in, m, row, reply)) <= 0)
		return rc < 0 ? intake_internal(reply, m, "reading the incident", in) : 0;
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "incident");
	if (intake_view_pack(in, row, true, v[2].present ? v[2].i : INT64_MAX, reply) < 0) {
		return intake_internal(reply, m, "reading the incident", in);
	}
	pack_map_close(reply);
	return 0;
}

static int
intake_op_list(void *ctx, const msg_t *m, pack_t *reply)
{
	intake_t *in = ctx;
	static const msg_field_t fields[] = {
		{"team", MF_STR, false, 1, 64, NULL, 0},
		{"status", MF_ENUM, false, 0, 0, intake_statuses, 0},
		{"since", MF_TIME, false, 0, 0, NULL, 0},
		{"limit", MF_INT, false, 1, INTAKE_LIST_MAX, NULL, 0},
		{"before", MF_STR, false, 1, 32, NULL, 0},
		{"escalation", MF_ENUM, false, 0, 0, intake_list_escalations, 0},
		{"severity_min", MF_INT, false, 1, 5, NULL, 0},
		{"until", MF_TIME, false, 0, 0, NULL, 0},
		{"count", MF_BOOL, false, 0, 0, NULL, 0},
	};
	msg_val_t v[9], none = {0};
	wire_err_t err;
	const cfg_team_t *team = NULL;
	intake_list_t q;
	char next[32];

	if (msg_fields(m, fields, 9, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (v[0].present) {
		buf_t t = BUF_INIT;

		utf8_fold(v[0].str, v[0].len, &t);     /* ids fold to themselves */
		team = cfg_team(in->cfg, buf_str(&t), t.len);
		buf_free(&t);
	}
	if (v[0].present && team == NULL) {
		wire_err_set(&err, WERR_INVALID_FIELD, "team", "unknown team; a team "
		    "is a configured id (e.g. %s)", in->cfg->nteams ?
		    in->cfg->teams[0].id : "none");
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	q.team = team ? team->id : NULL;
	q.reporter = NULL;
	/* a coordinator lists its team's incidents, a reporter its own */
	if (!(msg_principal(m)->role & ROLE_ADMIN)) {
		const principal_t *who = msg_principal(m);

		if (who->role & ROLE_COORDINATOR) {
			if (team != NULL && (who->team == NULL || strcmp(team->id, who->team) != 0))
				return auth_refuse(m, reply, "team", "a coordinator lists its own "
				    "team's incidents only");
			q.team = who->team;
		} else {
			q.reporter = who->name;
		}
	}
	q.status = v[1].present ? intake_statuses[v[1].i] : NULL;
	q.since = v[2].present ? v[2].ms : INT64_MIN;
	q.limit = v[3].present ? (int)v[3].i : INTAKE_LIST_DEFAULT;
	q.escalation = v[5].present ? intake_list_escalations[v[5].i] : NULL;
	q.severity_min = v[6].present ? (int)v[6].i : 0;
	q.until = v[7].present ? v[7].ms : INT64_MAX;
	q.before = INT64_MAX;
	/* the cursor is the number of the last incident of the previous page */
	if (v[4].present && (q.before = intake_target(in, &v[4], &none, &err)) < 0) {
		if (err.code == WERR_NOT_FOUND)
			snprintf(err.field, sizeof(err.field), "before");
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "incidents");
	pack_array_open(reply);
	if (intake_view_list(in, &q, reply, next) < 0)
		return intake_internal(reply, m, "listing incidents", in);
	pack_array_close(reply);
	if (next[0] != '\0')
		pack_kv_str(reply, "next", next);
	if (v[8].present && v[8].b && intake_list_total(in, &q, reply) < 0)
		return intake_internal(reply, m, "counting incidents", in);
	pack_map_close(reply);
	return 0;
}

static int
intake_op_update(void *ctx, const msg_t *m, pack_t *reply)
{
	intake_t *in = ctx;
	static const msg_field_t fields[] = {
		{"number", MF_STR, true, 1, 32, NULL, 0},
		{"by", MF_LINE, true, 1, 100, NULL, 0},
		{"note", MF_STR, false, 1, 8000, NULL, 0},
		{"status", MF_ENUM, false, 0, 0, intake_statuses, 0},
		{"update_id", MF_ID, false, 1, 64, NULL, 0},
	};
	msg_val_t v[5], none = {0};
	char update_id[65], *by, *note = NULL;
	wire_err_t err;
	int64_t row;
	int rc, masked = 0;

	in->now = ts_now();
	if (msg_fields(m, fields, 5, v, &err) < 0 ||
	    (row = intake_target(in, &v[0], &none, &err)) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (!v[2].present && !v[3].present) {
		wire_err_set(&err, WERR_INVALID_FIELD, "note",
		    "an update needs a 'note', a 'status' or both");
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	/* "by" is the key's own contact for anyone but an admin */
	if (!(msg_principal(m)->role & ROLE_ADMIN) &&
	    (strlen(auth_acts_as(msg_principal(m))) != v[1].len ||
	    memcmp(auth_acts_as(msg_principal(m)), v[1].str, v[1].len) != 0)) {
		return auth_refuse(m, reply, "by", "'by' must be this key's own contact (%s)",
		    auth_acts_as(msg_principal(m)));
	}
	if ((rc = intake_may(in, m, row, reply)) <= 0)
		return rc < 0 ? intake_internal(reply, m, "reading the incident", in) : 0;
	/* what the audit entry says the update did (no text of it) */
	audit_hint(NULL, v[3].present ? (v[2].present ? (v[3].i == 1 ? "status=closed note" :
	    "status=open note") : (v[3].i == 1 ? "status=closed" : "status=open")) : "note");
	if (v[4].present) {
		memcpy(update_id, v[4].str, v[4].len);
		update_id[v[4].len] = '\0';
	}
	/* the note and who wrote it are free text like the summary */
	by = pnr_text(v[1].str, v[1].len, &masked);
	if (v[2].present)
		note = pnr_text(v[2].str, v[2].len, &masked);
	rc = intake_store_update(in, row, by, strlen(by), note, note ? strlen(note) : 0,
	    v[3].present ? intake_statuses[v[3].i] : NULL, v[4].present ? update_id : NULL);
	free(by);
	free(note);
	if (rc < 0)
		return intake_internal(reply, m, "updating the incident", in);
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "duplicate", rc == 1);
	if (masked)
		pack_kv_int(reply, "masked", masked);
	pack_key(reply, "incident");
	if (intake_view_pack(in, row, true, INT64_MAX, reply) < 0) {
		return intake_internal(reply, m, "reading the incident", in);
	}
	pack_map_close(reply);
	return 0;
}

/*
 * The operations besides ping and status, which common/server.c answers,
 * and who may call them besides admins. Which incidents: a reporter its
 * own (reporter = the key's name), a coordinator its team's (intake_may).
 */
const server_op_t intake_ops[] = {
	{WIRE_OP_SUBMIT, SERVER_WRITE, intake_op_submit, ROLE_REPORTER | ROLE_COORDINATOR},
	{WIRE_OP_GET, SERVER_READ, intake_op_get, ROLE_REPORTER | ROLE_COORDINATOR},
	{WIRE_OP_LIST, SERVER_READ, intake_op_list, ROLE_REPORTER | ROLE_COORDINATOR},
	{WIRE_OP_UPDATE, SERVER_WRITE, intake_op_update, ROLE_COORDINATOR},
};
const size_t intake_nops = sizeof(intake_ops) / sizeof(intake_ops[0]);
