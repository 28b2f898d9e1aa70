/*
 * intake_link.c: the durable links from trygg-intake's outbox to
 * trygg-escalation (the rows marked for it: escalated incidents) and to
 * trygg-reporting (every row), common/link.h.
 *
 * Each outbox row becomes one message, its body rebuilt from the incident
 * row and the history entry it names (the outbox stores no copy):
 *
 *	{"id": SEQ, "type": "incident.created" | "incident.updated",
 *	 "at": RFC 3339, "incident": {the short view, never details},
 *	 "change"?: {"at", "by", "action": "note"|"closed"|"reopened", "note"?}}
 *
 * Only rows whose commit is durable are sent: after each commit the last
 * outbox seq is noted with the commit's sync generation (common/durable.h)
 * and handed to the links when that generation is reported done.
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

/* The rows one link sends: all of them, or those marked for escalation. */
#define INTAKE_LINK_ROWS(extra) \
	"SELECT seq, type, incident, change, created_at FROM outbox" \
	" WHERE seq > ?1 AND seq <= ?2" extra " ORDER BY seq"
/* the first LINK_BACKLOG_COUNT_MAX + 1: escalation's through its partial index */
#define INTAKE_LINK_COUNT(extra) \
	"SELECT count(*), min(created_at) FROM (SELECT created_at FROM outbox" \
	" WHERE seq > ?1 AND seq <= ?2" extra " ORDER BY seq LIMIT ?3)"

/* Packs the rows of st (bound, not yet stepped) as link messages. */
static int
intake_link_fetch(intake_t *in, sqlite3_stmt *st, int64_t after, int64_t upto,
    pack_t *batch, size_t budget, int64_t *last)
{
	size_t start = pack_size(batch);
	int n = 0, rc = SQLITE_DONE;

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

static int
intake_link_count(sqlite3_stmt *st, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest)
{
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_int64(st, 3, LINK_BACKLOG_COUNT_MAX + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*oldest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* link_fetch_fn and link_backlog_fn of the two links */
static int
intake_link_fetch_escalation(void *ctx, int64_t after, int64_t upto, pack_t *batch,
    size_t budget, int64_t *last)
{
	intake_t *in = ctx;
	sqlite3_stmt *st = db_stmt(in->db, INTAKE_LINK_ROWS(" AND escalation IS NOT NULL"));

	return st ? intake_link_fetch(in, st, after, upto, batch, budget, last) : -1;
}

static int
intake_link_fetch_reporting(void *ctx, int64_t after, int64_t upto, pack_t *batch,
    size_t budget, int64_t *last)
{
	intake_t *in = ctx;
	sqlite3_stmt *st = db_stmt(in->db, INTAKE_LINK_ROWS(""));

	return st ? intake_link_fetch(in, st, after, upto, batch, budget, last) : -1;
}

static int
intake_link_backlog_escalation(void *ctx, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest)
{
	intake_t *in = ctx;

	return intake_link_count(db_stmt(in->db, INTAKE_LINK_COUNT(" AND escalation IS NOT NULL")),
	    after, upto, count, oldest);
}

static int
intake_link_backlog_reporting(void *ctx, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest)
{
	intake_t *in = ctx;

	return intake_link_count(db_stmt(in->db, INTAKE_LINK_COUNT("")), after, upto, count,
	    oldest);
}

/* the last outbox seq, 0 when none (or unreadable: then nothing is sent yet) */
static int64_t
intake_link_last_seq(intake_t *in)
{
	int64_t seq = 0;

	db_int(in->db, "SELECT max(seq) FROM outbox", 0, &seq);
	return seq;
}

int
intake_links_open(intake_t *in, void *zctx, server_t *srv, char *err, size_t errlen)
{
	link_conf_t esc = {
		.name = "escalation",
		.endpoint = in->cfg->endpoints.escalation,
		.fetch = intake_link_fetch_escalation,
		.backlog = intake_link_backlog_escalation,
		.ctx = in,
		.stale_ms = in->cfg->links.stale_after_ms,
	}, rep = {
		.name = "reporting",
		.endpoint = in->cfg->endpoints.reporting,
		.fetch = intake_link_fetch_reporting,
		.backlog = intake_link_backlog_reporting,
		.ctx = in,
		.stale_ms = in->cfg->links.stale_after_ms,
	};

	if ((in->link_escalation = link_new(zctx, srv, in->db, INTAKE_SERVICE, &esc,
	    err, errlen)) == NULL ||
	    (in->link_reporting = link_new(zctx, srv, in->db, INTAKE_SERVICE, &rep,
	    err, errlen)) == NULL)
		return -1;
	/* what is stored now is sent once the sync at start (generation 1) is done */
	durable_note(&in->outbox, 1, intake_link_last_seq(in));
	return 0;
}

void
intake_links_close(intake_t *in)
{
	link_destroy(&in->link_escalation);
	link_destroy(&in->link_reporting);
}

void
intake_link_committed(intake_t *in, uint64_t gen)
{
	durable_note(&in->outbox, gen, intake_link_last_seq(in));
}

void
intake_link_durable(intake_t *in, uint64_t done)
{
	int64_t upto = durable_done(&in->outbox, done);

	link_durable(in->link_escalation, upto);
	link_durable(in->link_reporting, upto);
}

int
intake_links_tick(intake_t *in, int64_t now)
{
	return link_tick(in->link_escalation, now) < 0 || link_tick(in->link_reporting, now) < 0 ?
	    -1 : 0;
}

void
intake_links_status(intake_t *in, pack_t *map)
{
	link_status(in->link_escalation, map);
	link_status(in->link_reporting, map);
}
