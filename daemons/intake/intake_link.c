/*
 * intake_link.c: the durable link from trygg-intake's outbox to
 * trygg-escalation (common/link.h).
 *
 * Each outbox row becomes one message, its body rebuilt from the incident
 * row and the history entry it names (the outbox stores no copy):
 *
 *	{"id": SEQ, "type": "incident.created" | "incident.updated",
 *	 "at": RFC 3339, "incident": {the short view, never details},
 *	 "change"?: {"at", "by", "action": "note"|"closed"|"reopened", "note"?}}
 *
 * Only rows whose commit is durable are sent: after each commit the last
 * outbox seq is remembered with the commit's sync generation, and handed
 * to the link when that generation is reported done.
 */
#include "intake.h"
#include "link.h"
#include "log.h"
#include "ts.h"

#include <string.h>

/* Packs the history entry change as "change": {...}; 0 or -1. */
static int
intake_link_change(intake_t *in, int64_t change, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT at, by, action, note FROM history WHERE id = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, change);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pack_key(p, "change");
		pack_map_open(p);
		pack_kv_time(p, "at", sqlite3_column_int64(st, 0));
		pack_kv_str(p, "by", (const char *)sqlite3_column_text(st, 1));
		pack_kv_str(p, "action", (const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			pack_kv_str(p, "note", (const char *)sqlite3_column_text(st, 3));
		pack_map_close(p);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* link_fetch_fn for the link to trygg-escalation */
static int
intake_link_fetch_escalation(void *ctx, int64_t after, int64_t upto, pack_t *batch,
    size_t budget, int64_t *last)
{
	intake_t *in = ctx;
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT seq, type, incident, change, created_at FROM outbox"
	    " WHERE seq > ?1 AND seq <= ?2 AND escalation IS NOT NULL ORDER BY seq");
	size_t start;
	int n = 0, rc;

	if (st == NULL)
		return -1;
	start = pack_size(batch);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	while (n < LINK_BATCH_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);

		pack_map_open(batch);
		pack_kv_int(batch, "id", seq);
		pack_kv_str(batch, "type", (const char *)sqlite3_column_text(st, 1));
		pack_kv_time(batch, "at", sqlite3_column_int64(st, 4));
		pack_key(batch, "incident");
		if (intake_view_pack(in, sqlite3_column_int64(st, 2), false, INT64_MAX, batch) < 0 ||
		    (sqlite3_column_type(st, 3) != SQLITE_NULL &&
		    intake_link_change(in, sqlite3_column_int64(st, 3), batch) < 0)) {
			sqlite3_reset(st);
			return -1;
		}
		pack_map_close(batch);
		*last = seq;
		n++;
		if (pack_size(batch) - start >= budget)
			break;
	}
	if (n < LINK_BATCH_MAX && rc != SQLITE_ROW && rc != SQLITE_DONE)
		n = -1;
	sqlite3_reset(st);
	return n;
}

/* link_backlog_fn for the link to trygg-escalation */
static int
intake_link_backlog_escalation(void *ctx, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest)
{
	intake_t *in = ctx;
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT count(*), min(created_at) FROM outbox"
	    " WHERE seq > ?1 AND seq <= ?2 AND escalation IS NOT NULL");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*oldest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
intake_links_open(intake_t *in, void *zctx, server_t *srv, char *err, size_t errlen)
{
	link_conf_t c = {
		.name = "escalation",
		.endpoint = in->cfg->endpoints.escalation,
		.fetch = intake_link_fetch_escalation,
		.backlog = intake_link_backlog_escalation,
		.ctx = in,
	};

	if ((in->link_escalation = link_new(zctx, srv, in->db, INTAKE_SERVICE, &c,
	    err, errlen)) == NULL)
		return -1;
	/* what is stored now is sent once the sync at start (generation 1) is done */
	in->outbox_pending[0].gen = 1;
	in->outbox_pending[0].seq = intake_link_last_seq(in);
	in->npending = 1;
	return 0;
}

int64_t
intake_link_last_seq(intake_t *in)
{
	sqlite3_stmt *st = db_stmt(in->db, "SELECT max(seq) FROM outbox");
	int64_t seq = 0;

	if (st == NULL)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return seq;
}

void
intake_link_committed(intake_t *in, uint64_t gen)
{
	int64_t seq = intake_link_last_seq(in);

	/* full: the newest entry takes the later generation, which only delays */
	if (in->npending == INTAKE_PENDING_MAX) {
		in->outbox_pending[INTAKE_PENDING_MAX - 1] = (intake_pending_t){gen, seq};
		return;
	}
	in->outbox_pending[in->npending++] = (intake_pending_t){gen, seq};
}

void
intake_link_durable(intake_t *in, uint64_t done)
{
	int64_t upto = -1;
	int k = 0;

	while (k < in->npending && in->outbox_pending[k].gen <= done)
		upto = in->outbox_pending[k++].seq;
	if (k == 0)
		return;
	memmove(in->outbox_pending, in->outbox_pending + k,
	    (size_t)(in->npending - k) * sizeof(in->outbox_pending[0]));
	in->npending -= k;
	link_durable(in->link_escalation, upto);
}
