/*
 * escalation_ops.c: trygg-escalation's operations, as docs/protocol.md gives
 * them, and the link from trygg-intake.
 *
 *   link.deliver  a batch of trygg-intake's events (common/link.h)
 *   ack           {"escalation": ID, "by": CONTACT} or {"token": ACK_TOKEN}
 *   token         {"token": ACK_TOKEN}: what an ack link is for, unused
 *   resolve       {"escalation": ID, "by": CONTACT, "note"?}
 *   get           {"escalation": ID} with its notifications and history
 *   list          {"status"?, "limit"?, "before"?} newest first
 *   oncall        escalation_oncall.c
 *
 * Writes run in the batch's transaction, reads on the reader's connection
 * (common/server.h); nothing is answered before it is on disk.
 */
#include "escalation.h"
#include "link.h"
#include "log.h"
#include "pnr.h"
#include "token.h"
#include "ts.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const escalation_statuses[] = {
	ESC_OPEN, ESC_ACKED, ESC_UNANSWERED, ESC_RESOLVED, NULL
};

static int
escalation_internal(escalation_t *esc, pack_t *reply, const msg_t *m, const char *what)
{
	wire_err_t err;

	log_warn("escalation: %s: %s", what, db_errmsg(esc->db));
	wire_err_set(&err, WERR_INTERNAL, NULL, "the escalation store failed (%s)", what);
	pack_reset(reply);
	pack_reply_error(reply, &err, msg_req(m));
	return -1;
}

static int
escalation_error(pack_t *reply, const msg_t *m, wire_code_t code, const char *field,
    const char *text)
{
	wire_err_t err;

	wire_err_set(&err, code, field, "%s", text);
	pack_reply_error(reply, &err, msg_req(m));
	return 0;
}

/* link_apply_fn: one event of trygg-intake */
static int
escalation_apply(void *ctx, const char *source, const char *type, size_t type_len,
    const msgpack_object *msg)
{
	escalation_t *esc = ctx;
	const msgpack_object *inc = msg_map_get(msg, "incident"), *change, *o;
	wire_msg_t t = wire_msg_type(type, type_len);
	char number[40], action[16], by[256], note[8192];
	int64_t now = ts_now();

	if (inc == NULL || inc->type != MSGPACK_OBJECT_MAP)
		return 1;
	if (t == WMSG_INCIDENT_CREATED)
		return escalation_policy_create(esc, inc, now);
	if (t != WMSG_INCIDENT_UPDATED)
		return 1;
	change = msg_map_get(msg, "change");
	if ((o = msg_map_get(inc, "number")) == NULL || o->type != MSGPACK_OBJECT_STR ||
	    o->via.str.size >= sizeof(number) || change == NULL ||
	    change->type != MSGPACK_OBJECT_MAP)
		return 1;
	memcpy(number, o->via.str.ptr, o->via.str.size);
	number[o->via.str.size] = '\0';
#define COPY(key, buf) do { \
		const msgpack_object *v_ = msg_map_get(change, key); \
		buf[0] = '\0'; \
		if (v_ && v_->type == MSGPACK_OBJECT_STR && v_->via.str.size < sizeof(buf)) { \
			memcpy(buf, v_->via.str.ptr, v_->via.str.size); \
			buf[v_->via.str.size] = '\0'; \
		} \
	} while (0)
	COPY("action", action);
	COPY("by", by);
	COPY("note", note);
#undef COPY
	if (strcmp(action, "closed") == 0)
		return escalation_policy_incident_closed(esc, number, by, now);
	if (strcmp(action, "note") == 0)
		return escalation_policy_incident_note(esc, number, by, note, now);
	if (strcmp(action, "reopened") == 0)
		return escalation_policy_incident_note(esc, number, by,
		    "the incident was reopened in trygg-intake", now);
	(void)source;
	return 1;
}

static int
escalation_op_deliver(void *ctx, const msg_t *m, pack_t *reply)
{
	escalation_t *esc = ctx;

	return link_deliver(esc->db, m, escalation_apply, esc, reply);
}

/* Reads "escalation" (an id) and "by" (a configured contact); 0 or -1 answered. */
static int
escalation_target(escalation_t *esc, const msg_t *m, const msg_field_t *fields, size_t n,
    msg_val_t *v, char by[72], pack_t *reply)
{
	wire_err_t err;

	if (msg_fields(m, fields, n, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return -1;
	}
	/* "by" is who the key belongs to: anyone but an admin acts as its own contact */
	if (!(msg_principal(m)->role & ROLE_ADMIN) &&
	    (strlen(auth_acts_as(msg_principal(m))) != v[1].len ||
	    memcmp(auth_acts_as(msg_principal(m)), v[1].str, v[1].len) != 0)) {
		auth_refuse(m, reply, "by", "'by' must be this key's own contact (%s)",
		    auth_acts_as(msg_principal(m)));
		return -1;
	}
	if (cfg_contact(esc->cfg, v[1].str, v[1].len) == NULL) {
		wire_err_set(&err, WERR_INVALID_FIELD, "by", "'by' must be a configured "
		    "contact id (see trygg.yaml, contacts)");
		pack_reply_error(reply, &err, msg_req(m));
		return -1;
	}
	memcpy(by, v[1].str, v[1].len);
	by[v[1].len] = '\0';
	return 0;
}

/* Answers the outcome of ack or resolve: the escalation, or the error. */
static int
escalation_answer(escalation_t *esc, const msg_t *m, int rc, int64_t id, pack_t *reply)
{
	if (rc < 0)
		return escalation_internal(esc, reply, m, "changing the escalation");
	if (rc == 2)
		return escalation_error(reply, m, WERR_NOT_FOUND, "escalation",
		    "no escalation has this id");
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "changed", rc == 0);
	pack_key(reply, "escalation");
	if (escalation_view_pack(esc, id, true, reply) != 0)
		return escalation_internal(esc, reply, m, "reading the escalation");
	pack_map_close(reply);
	return 0;
}

/* An ack link's token: what it is for and whether it still works. */
typedef struct {
	int64_t escalation;
	char    contact[72];
	char    status[16];         /* the escalation's */
	const char *state;          /* "valid", "used", "expired", "resolved" */
	char    hash[TOKEN_HASH_LEN + 1];
} token_info_t;

/* Looks up the token of field "token"; 0 found, 1 answered (not found, bad), -1 store. */
static int
escalation_token(escalation_t *esc, const msg_t *m, token_info_t *t, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"token", MF_ID, true, 1, 64, NULL, 0},
	};
	msg_val_t v[1];
	wire_err_t err;
	sqlite3_stmt *st;
	int64_t created = 0;
	bool used = false;
	int rc;

	if (msg_fields(m, fields, 1, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 1;
	}
	if (!token_valid(v[0].str, v[0].len)) {
		escalation_error(reply, m, WERR_NOT_FOUND, "token", "this ack link is not known");
		return 1;
	}
	token_hash(v[0].str, v[0].len, t->hash);
	if ((st = db_stmt(esc->db,
	    "SELECT t.escalation, t.contact, t.created_at, t.used_at IS NOT NULL, e.status"
	    " FROM ack_tokens t JOIN escalations e ON e.id = t.escalation WHERE t.hash = ?1")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, t->hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->escalation = sqlite3_column_int64(st, 0);
		snprintf(t->contact, sizeof(t->contact), "%s", (const char *)sqlite3_column_text(st, 1));
		created = sqlite3_column_int64(st, 2);
		used = sqlite3_column_int(st, 3) != 0;
		snprintf(t->status, sizeof(t->status), "%s", (const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		escalation_error(reply, m, WERR_NOT_FOUND, "token", "this ack link is not known");
		return 1;
	}
	if (rc != SQLITE_ROW)
		return -1;
	t->state = strcmp(t->status, ESC_RESOLVED) == 0 ? "resolved" : used ? "used" :
	    ts_now() - created > ESCALATION_TOKEN_TTL_MS ? "expired" : "valid";
	return 0;
}

/* {"token": T}: what an ack link is for, without using it (trygg-web's confirmation page) */
static int
escalation_op_token(void *ctx, const msg_t *m, pack_t *reply)
{
	escalation_t *esc = ctx;
	const cfg_contact_t *c;
	token_info_t t;
	int rc;

	if ((rc = escalation_token(esc, m, &t, reply)) != 0)
		return rc < 0 ? escalation_internal(esc, reply, m, "reading the token") : 0;
	c = cfg_contact(esc->cfg, t.contact, strlen(t.contact));
	pack_reply_ok(reply, msg_req(m));
	pack_kv_str(reply, "state", t.state);
	pack_key(reply, "contact");
	pack_map_open(reply);
	pack_kv_str(reply, "id", t.contact);
	pack_kv_str(reply, "name", c ? c->name : t.contact);
	pack_map_close(reply);
	pack_key(reply, "escalation");
	if (escalation_view_pack(esc, t.escalation, false, reply) != 0)
		return escalation_internal(esc, reply, m, "reading the escalation");
	pack_map_close(reply);
	return 0;
}

/*
 * {"token": T}: acknowledges as the contact the link was made for, once.
 * The same link again, once acknowledged, answers changed: false (a double
 * tap); an expired link or a resolved escalation is a conflict.
 */
static int
escalation_ack_token(escalation_t *esc, const msg_t *m, pack_t *reply)
{
	token_info_t t;
	sqlite3_stmt *st;
	int rc;

	if ((rc = escalation_token(esc, m, &t, reply)) != 0)
		return rc < 0 ? escalation_internal(esc, reply, m, "reading the token") : 0;
	/* a link is its contact's: another person's key may not use it */
	if (!(msg_principal(m)->role & ROLE_ADMIN) &&
	    strcmp(t.contact, auth_acts_as(msg_principal(m))) != 0)
		return auth_refuse(m, reply, "token", "this ack link was made for another contact");
	if (strcmp(t.state, "resolved") == 0)
		return escalation_error(reply, m, WERR_CONFLICT, "token",
		    "the escalation is resolved; this ack link no longer works");
	if (strcmp(t.state, "expired") == 0)
		return escalation_error(reply, m, WERR_CONFLICT, "token",
		    "this ack link has expired (24 hours); acknowledge with trygg ack");
	if (strcmp(t.state, "used") == 0)
		return escalation_answer(esc, m, 1, t.escalation, reply);
	if ((st = db_stmt(esc->db, "UPDATE ack_tokens SET used_at = ?2 WHERE hash = ?1")) == NULL)
		return escalation_internal(esc, reply, m, "using the token");
	sqlite3_bind_text(st, 1, t.hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ts_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return escalation_internal(esc, reply, m, "using the token");
	return escalation_answer(esc, m, escalation_policy_ack(esc, t.escalation, t.contact,
	    ts_now()), t.escalation, reply);
}

static int
escalation_op_ack(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"escalation", MF_INT, true, 1, INT64_MAX, NULL, 0},
		{"by", MF_ID, true, 1, 64, NULL, 0},
	};
	escalation_t *esc = ctx;
	msg_val_t v[2];
	char by[72];

	if (msg_get(m, "token") != NULL)
		return escalation_ack_token(esc, m, reply);
	if (escalation_target(esc, m, fields, 2, v, by, reply) < 0)
		return 0;
	return escalation_answer(esc, m, escalation_policy_ack(esc, v[0].i, by, ts_now()),
	    v[0].i, reply);
}

static int
escalation_op_resolve(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"escalation", MF_INT, true, 1, INT64_MAX, NULL, 0},
		{"by", MF_ID, true, 1, 64, NULL, 0},
		{"note", MF_STR, false, 1, 2000, NULL, 0},
	};
	escalation_t *esc = ctx;
	msg_val_t v[3];
	char by[72], *note = NULL;
	int masked = 0, rc;

	if (escalation_target(esc, m, fields, 3, v, by, reply) < 0)
		return 0;
	/* free text like intake's notes: identity numbers masked, NFC */
	if (v[2].present)
		note = pnr_text(v[2].str, v[2].len, &masked);
	rc = escalation_answer(esc, m, escalation_policy_resolve(esc, v[0].i, by, note,
	    ts_now()), v[0].i, reply);
	free(note);
	return rc;
}

static int
escalation_op_get(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"escalation", MF_INT, true, 1, INT64_MAX, NULL, 0},
	};
	escalation_t *esc = ctx;
	msg_val_t v[1];
	wire_err_t err;
	int rc;

	if (msg_fields(m, fields, 1, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "escalation");
	if ((rc = escalation_view_pack(esc, v[0].i, true, reply)) < 0)
		return escalation_internal(esc, reply, m, "reading the escalation");
	if (rc == 1) {
		pack_reset(reply);
		return escalation_error(reply, m, WERR_NOT_FOUND, "escalation",
		    "no escalation has this id");
	}
	pack_map_close(reply);
	return 0;
}

static int
escalation_op_list(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t fields[] = {
		{"status", MF_ENUM, false, 0, 0, escalation_statuses, 0},
		{"limit", MF_INT, false, 1, ESCALATION_LIST_MAX, NULL, 0},
		{"before", MF_INT, false, 1, INT64_MAX, NULL, 0},
		{"incident", MF_STR, false, 1, 32, NULL, 0},
	};
	escalation_t *esc = ctx;
	msg_val_t v[4];
	wire_err_t err;
	sqlite3_stmt *st;
	int64_t limit, last = 0;
	int n = 0, rc;

	if (msg_fields(m, fields, 4, v, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	limit = v[1].present ? v[1].i : ESCALATION_LIST_DEFAULT;
	if ((st = db_stmt(esc->db,
	    "SELECT id FROM escalations WHERE id < ?1 AND (?2 IS NULL OR status = ?2)"
	    " AND (?3 IS NULL OR incident = upper(?3)) ORDER BY id DESC LIMIT ?4")) == NULL)
		return escalation_internal(esc, reply, m, "listing");
	sqlite3_bind_int64(st, 1, v[2].present ? v[2].i : INT64_MAX);
	if (v[0].present)
		sqlite3_bind_text(st, 2, escalation_statuses[v[0].i], -1, SQLITE_STATIC);
	if (v[3].present)
		sqlite3_bind_text(st, 3, v[3].str, (int)v[3].len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, limit + 1);
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "escalations");
	pack_array_open(reply);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
		last = sqlite3_column_int64(st, 0);
		if (escalation_view_pack(esc, last, false, reply) != 0) {
			sqlite3_reset(st);
			return escalation_internal(esc, reply, m, "listing");
		}
		n++;
	}
	pack_array_close(reply);
	if (rc == SQLITE_ROW)
		pack_kv_int(reply, "next", last);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return escalation_internal(esc, reply, m, "listing");
	pack_map_close(reply);
	return 0;
}

/*
 * The operations besides ping and status, which common/server.c answers,
 * and who may call them besides admins: the people escalations go to
 * (responders; coordinators for reinforcement), and the links' daemons.
 */
#define ESCALATION_ACTORS (ROLE_RESPONDER | ROLE_COORDINATOR)
const server_op_t escalation_ops[] = {
	{WIRE_OP_LINK_DELIVER, SERVER_WRITE, escalation_op_deliver, ROLE_DAEMON},
	{WIRE_OP_ACK, SERVER_WRITE, escalation_op_ack, ESCALATION_ACTORS},
	{WIRE_OP_RESOLVE, SERVER_WRITE, escalation_op_resolve, ESCALATION_ACTORS},
	{WIRE_OP_GET, SERVER_READ, escalation_op_get, ESCALATION_ACTORS},
	{WIRE_OP_TOKEN, SERVER_READ, escalation_op_token, ESCALATION_ACTORS},
	{WIRE_OP_LIST, SERVER_READ, escalation_op_list, ESCALATION_ACTORS},
	{WIRE_OP_ONCALL, SERVER_MAIN, escalation_oncall, ESCALATION_ACTORS},
};
const size_t escalation_nops = sizeof(escalation_ops) / sizeof(escalation_ops[0]);
