/*
 * intake_ops.c: trygg-intake's operations, as docs/protocol.md gives them.
 *
 *   submit  check, route, decide the scope, store, answer
 *   get     one incident with its history, by number or client id
 *   list    incidents newest first, by team, status, time of receipt
 *   update  a note and/or a status change, by someone
 *
 * Each handler writes a whole reply. Writes happen inside the transaction
 * that main.c opened for the batch; nothing is answered before it commits.
 */
#include "intake.h"
#include "log.h"
#include "rpc.h"
#include "pnr.h"

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
intake_op_submit(intake_t *in, const msg_t *m, pack_t *reply)
{
	intake_submit_t s;
	intake_incident_t inc;
	wire_err_t err;
	char number[32];
	uint64_t fp = 0;
	int64_t row;
	bool duplicate = false;
	int rc = -1;

	if (intake_submit_check(in, m, &s, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if ((row = intake_store_find_client(in, s.client_id, &fp)) < 0) {
		intake_internal(reply, m, "looking up the client id", in);
		goto out;
	}
	if (row > 0) {
		if (fp != s.fingerprint) {
			wire_err_set(&err, WERR_CONFLICT, "id", "the id '%s' was already "
			    "used for a different report", s.client_id);
			pack_reply_error(reply, &err, msg_req(m));
			rc = 0;
			goto out;
		}
		duplicate = true;
	} else if ((row = intake_store_insert(in, &s, number, &inc)) < 0) {
		intake_internal(reply, m, "storing the incident", in);
		goto out;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "duplicate", duplicate);
	pack_key(reply, "incident");
	if (!duplicate) {
		intake_view_pack_brief(in, &inc, reply);
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
		row = intake_store_find_number(in, number->str, number->len);
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
		    "no incident %.*s", (int)(number->present ? number->len : id->len),
		    number->present ? number->str : id->str);
		return -1;
	}
	return row;
}

static int
intake_op_get(intake_t *in, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"number", MF_STR, false, 1, 32, NULL, 0},
		{"id", MF_ID, false, 1, 64, NULL, 0},
	};
	msg_val_t v[2];
	wire_err_t err;
	int64_t row;

	if (msg_fields(m, fields, 2, v, &err) < 0 ||
	    (row = intake_target(in, &v[0], &v[1], &err)) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "incident");
	if (intake_view_pack(in, row, true, reply) < 0) {
		return intake_internal(reply, m, "reading the incident", in);
	}
	pack_map_close(reply);
	return 0;
}

static int
intake_op_list(intake_t *in, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"team", MF_STR, false, 1, 64, NULL, 0},
		{"status", MF_ENUM, false, 0, 0, intake_statuses, 0},
		{"since", MF_TIME, false, 0, 0, NULL, 0},
		{"limit", MF_INT, false, 1, INTAKE_LIST_MAX, NULL, 0},
	};
	msg_val_t v[4];
	wire_err_t err;
	const cfg_team_t *team = NULL;

	if (msg_fields(m, fields, 4, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (v[0].present && (team = cfg_team(in->cfg, v[0].str, v[0].len)) == NULL) {
		wire_err_set(&err, WERR_INVALID_FIELD, "team", "unknown team '%.*s'",
		    (int)v[0].len, v[0].str);
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "incidents");
	pack_array_open(reply);
	if (intake_view_list(in, team ? team->id : NULL,
	    v[1].present ? intake_statuses[v[1].i] : NULL,
	    v[2].present ? v[2].ms : INT64_MIN,
	    v[3].present ? (int)v[3].i : INTAKE_LIST_DEFAULT, reply) < 0) {
		return intake_internal(reply, m, "listing incidents", in);
	}
	pack_array_close(reply);
	pack_map_close(reply);
	return 0;
}

static int
intake_op_update(intake_t *in, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"number", MF_STR, true, 1, 32, NULL, 0},
		{"by", MF_STR, true, 1, 100, NULL, 0},
		{"note", MF_STR, false, 1, 8000, NULL, 0},
		{"status", MF_ENUM, false, 0, 0, intake_statuses, 0},
		{"update_id", MF_ID, false, 1, 64, NULL, 0},
	};
	msg_val_t v[5], none = {0};
	buf_t note = BUF_INIT;
	char update_id[65];
	wire_err_t err;
	int64_t row;
	int rc;

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
	if (v[4].present) {
		memcpy(update_id, v[4].str, v[4].len);
		update_id[v[4].len] = '\0';
	}
	/* notes are free text like the summary: identity numbers are masked */
	if (v[2].present)
		pnr_mask(v[2].str, v[2].len, &note);
	rc = intake_store_update(in, row, v[1].str, v[1].len,
	    v[2].present ? buf_str(&note) : NULL, note.len,
	    v[3].present ? intake_statuses[v[3].i] : NULL, v[4].present ? update_id : NULL);
	buf_free(&note);
	if (rc < 0)
		return intake_internal(reply, m, "updating the incident", in);
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "duplicate", rc == 1);
	pack_key(reply, "incident");
	if (intake_view_pack(in, row, true, reply) < 0) {
		return intake_internal(reply, m, "reading the incident", in);
	}
	pack_map_close(reply);
	return 0;
}

static const struct {
	const char *name;
	int       (*fn)(intake_t *, const msg_t *, pack_t *);
} intake_ops[] = {
	{"submit", intake_op_submit},
	{"get", intake_op_get},
	{"list", intake_op_list},
	{"update", intake_op_update},
};

int
intake_handle(intake_t *in, const msg_t *m, const char *op, size_t op_len,
    pack_t *reply)
{
	size_t n = sizeof(intake_ops) / sizeof(intake_ops[0]);

	for (size_t i = 0; i < n; i++)
		if (msg_op_is(op, op_len, intake_ops[i].name))
			return intake_ops[i].fn(in, m, reply);
	rpc_reply_unknown_op(reply, m, INTAKE_SERVICE, op, op_len, intake_ops, n,
	    sizeof(intake_ops[0]));
	return 0;
}
