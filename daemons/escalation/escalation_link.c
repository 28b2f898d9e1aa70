/*
 * escalation_link.c: the durable link from trygg-escalation to
 * trygg-reporting (common/link.h). Its outbox is the events table, each
 * escalation's history; each row becomes one message:
 *
 *	{"id": EVENT, "type": "escalation.changed", "at": RFC 3339,
 *	 "action": "created"|"step"|"unanswered"|"acked"|"resolved"|"note"|
 *	           "notify_failed", "by"?: CONTACT,
 *	 "escalation": {the short view of escalation_view.c, as it is now}}
 *
 * Notes are free text and stay here: reports count, they do not quote.
 * Only rows whose commit is durable are sent (common/durable.h).
 */
#include "escalation.h"
#include "link.h"
#include "wire.h"

static int
escalation_link_fetch(void *ctx, int64_t after, int64_t upto, pack_t *batch,
    size_t budget, int64_t *last)
{
	escalation_t *esc = ctx;
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT id, escalation, at, action, by FROM events"
	    " WHERE id > ?1 AND id <= ?2 ORDER BY id");
	size_t start = pack_size(batch);
	int n = 0, rc = SQLITE_DONE;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	while (n < LINK_BATCH_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		pack_map_open(batch);
		pack_kv_int(batch, "id", id);
		pack_kv_str(batch, "type", wire_msg_name(WMSG_ESCALATION_CHANGED));
		pack_kv_time(batch, "at", sqlite3_column_int64(st, 2));
		pack_kv_str(batch, "action", (const char *)sqlite3_column_text(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			pack_kv_str(batch, "by", (const char *)sqlite3_column_text(st, 4));
		pack_key(batch, "escalation");
		if (escalation_view_pack(esc, sqlite3_column_int64(st, 1), false, batch) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		pack_map_close(batch);
		*last = id;
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
escalation_link_backlog(void *ctx, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest)
{
	escalation_t *esc = ctx;
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT count(*), min(at) FROM (SELECT at FROM events WHERE id > ?1 AND id <= ?2"
	    " ORDER BY id LIMIT ?3)");
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

static int64_t
escalation_link_last(escalation_t *esc)
{
	int64_t id = 0;

	db_int(esc->db, "SELECT max(id) FROM events", 0, &id);
	return id;
}

int
escalation_link_open(escalation_t *esc, void *zctx, char *err, size_t errlen)
{
	link_conf_t c = {
		.name = "reporting",
		.endpoint = esc->cfg->endpoints.reporting,
		.fetch = escalation_link_fetch,
		.backlog = escalation_link_backlog,
		.ctx = esc,
		.stale_ms = esc->cfg->links.stale_after_ms,
	};

	if ((esc->link_reporting = link_new(zctx, esc->srv, esc->db, ESCALATION_SERVICE, &c,
	    err, errlen)) == NULL)
		return -1;
	/* what is stored now is sent once the sync at start (generation 1) is done */
	durable_note(&esc->events, 1, escalation_link_last(esc));
	return 0;
}

void
escalation_link_close(escalation_t *esc)
{
	link_destroy(&esc->link_reporting);
}

void
escalation_link_committed(escalation_t *esc, uint64_t gen)
{
	durable_note(&esc->events, gen, escalation_link_last(esc));
}

void
escalation_link_durable(escalation_t *esc, uint64_t done)
{
	link_durable(esc->link_reporting, durable_done(&esc->events, done));
}
