/*
 * escalation_notify.c: notifications, stored first and published once on
 * disk.
 *
 * Socket: the PUB on endpoints.notifications. Each notification goes out
 * as two frames, the recipient's contact id (the topic) and the map of
 * PROTOCOL.md:
 *
 *	{"type": "escalation", "escalation": ID, "incident": NUMBER, "kind",
 *	 "team", "district", "category", "severity", "summary", "step",
 *	 "attempt", "ack_by": RFC 3339}
 *
 * carrying the summary, never the details (which never leave intake).
 *
 * A notification is a row of notifications, written in the transaction of
 * the change that caused it ('pending'). After each commit the last id is
 * remembered with the commit's sync generation; when that generation is
 * durable, the rows up to it are published and marked 'sent'. A PUB frame
 * may vanish (a subscriber that is not connected hears nothing), which is
 * why re-notification exists; the database may not.
 */
#include "escalation.h"
#include "log.h"
#include "ts.h"

#include <errno.h>
#include <string.h>

#include <zmq.h>

int
escalation_notify_queue(escalation_t *esc, int64_t id, int step, int attempt,
    const char *contact, int64_t now, int64_t ack_by)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "INSERT INTO notifications (escalation, step, attempt, contact, channel, at,"
	    " ack_by, state) VALUES (?1, ?2, ?3, ?4, 'pub', ?5, ?6, 'pending')");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_int(st, 3, attempt);
	sqlite3_bind_text(st, 4, contact, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, ack_by);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int64_t
escalation_notify_last(escalation_t *esc)
{
	sqlite3_stmt *st = db_stmt(esc->db, "SELECT max(id) FROM notifications");
	int64_t id = 0;

	if (st == NULL)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

void
escalation_notify_committed(escalation_t *esc, uint64_t gen)
{
	int64_t id = escalation_notify_last(esc);
	int k = esc->npending;

	if (k > 0 && esc->pending[k - 1].id == id)
		return;         /* nothing new to publish from this commit */
	if (k == ESCALATION_PENDING_MAX)
		k--;            /* the newest takes the later generation: only a delay */
	esc->pending[k].gen = gen;
	esc->pending[k].id = id;
	esc->npending = k + 1;
}

void
escalation_notify_durable(escalation_t *esc, uint64_t done)
{
	int k = 0;

	while (k < esc->npending && esc->pending[k].gen <= done) {
		if (esc->pending[k].id > esc->durable)
			esc->durable = esc->pending[k].id;
		k++;
	}
	if (k == 0)
		return;
	memmove(esc->pending, esc->pending + k, (size_t)(esc->npending - k) * sizeof(esc->pending[0]));
	esc->npending -= k;
	escalation_notify_flush(esc);
}

/* Sends one notification row (st is on it); 0 or -1 when the PUB refused it. */
static int
escalation_notify_publish(escalation_t *esc, sqlite3_stmt *st)
{
	pack_t *p = pack_new();
	const char *contact = (const char *)sqlite3_column_text(st, 1);
	const void *data;
	size_t len;
	int rc = 0;

	pack_map_open(p);
	pack_kv_str(p, "type", "escalation");
	pack_kv_int(p, "escalation", sqlite3_column_int64(st, 2));
	pack_kv_str(p, "incident", (const char *)sqlite3_column_text(st, 3));
	pack_kv_str(p, "kind", (const char *)sqlite3_column_text(st, 4));
	pack_kv_str(p, "team", (const char *)sqlite3_column_text(st, 5));
	pack_kv_str(p, "district", (const char *)sqlite3_column_text(st, 6));
	pack_kv_str(p, "category", (const char *)sqlite3_column_text(st, 7));
	pack_kv_int(p, "severity", sqlite3_column_int64(st, 8));
	pack_kv_str(p, "summary", (const char *)sqlite3_column_text(st, 9));
	pack_kv_int(p, "step", sqlite3_column_int64(st, 10));
	pack_kv_int(p, "attempt", sqlite3_column_int64(st, 11));
	pack_kv_time(p, "ack_by", sqlite3_column_int64(st, 12));
	pack_kv_str(p, "contact", contact);
	pack_kv_time(p, "at", sqlite3_column_int64(st, 13));
	pack_map_close(p);
	data = pack_data(p, &len);
	if (zmq_send(esc->pub, contact, strlen(contact), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(esc->pub, data, len, ZMQ_DONTWAIT) < 0)
		rc = -1;
	pack_destroy(&p);
	return rc;
}

void
escalation_notify_flush(escalation_t *esc)
{
	sqlite3_stmt *st, *up;
	int rc;

	if (esc->durable <= esc->published)
		return;
	if ((st = db_stmt(esc->db,
	    "SELECT n.id, n.contact, e.id, e.incident, e.kind, e.team, e.district, e.category,"
	    " e.severity, e.summary, n.step, n.attempt, n.ack_by, n.at"
	    " FROM notifications n JOIN escalations e ON e.id = n.escalation"
	    " WHERE n.id > ?1 AND n.id <= ?2 AND n.state = 'pending' ORDER BY n.id")) == NULL)
		return;
	sqlite3_bind_int64(st, 1, esc->published);
	sqlite3_bind_int64(st, 2, esc->durable);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (escalation_notify_publish(esc, st) < 0)
			log_warn("escalation_notify_flush: publishing: %s", zmq_strerror(errno));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warn("escalation_notify_flush: %s", db_errmsg(esc->db));
		return;
	}
	/* marked sent in the next commit; if that is lost, they go out again */
	if (server_tx(esc->srv) < 0 || (up = db_stmt(esc->db,
	    "UPDATE notifications SET state = 'sent', outcome = 'published'"
	    " WHERE id > ?1 AND id <= ?2 AND state = 'pending' AND channel = 'pub'")) == NULL) {
		server_tx_fail(esc->srv);
		return;
	}
	sqlite3_bind_int64(up, 1, esc->published);
	sqlite3_bind_int64(up, 2, esc->durable);
	if (sqlite3_step(up) != SQLITE_DONE)
		server_tx_fail(esc->srv);
	sqlite3_reset(up);
	esc->published = esc->durable;
}
