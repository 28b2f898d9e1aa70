/*
 * escalation_notify.c: notifications, stored first and sent once on disk,
 * on the PUB socket and through each contact's notify command.
 *
 * Socket: the PUB on endpoints.notifications. Each notification goes out
 * as two frames, the recipient's contact id (the topic) and the map of
 * docs/protocol.md:
 *
 *	{"type": "escalation", "escalation": ID, "incident": NUMBER, "kind",
 *	 "team", "district", "category", "severity", "summary", "step",
 *	 "attempt", "ack_by": RFC 3339, "contact", "at"}
 *
 * carrying the summary, never the details (which never leave intake).
 * A contact whose configuration names a notify channel also gets that
 * channel's command run with the same map as JSON (common/notify.h,
 * docs/notify.md), through common/proc.h, so the loop never waits for it.
 *
 * A notification is one row of notifications per channel, written in the
 * transaction of the change that caused it ('pending'). After each commit
 * the last id is remembered with the commit's sync generation; when that
 * generation is durable, the rows up to it go out: a PUB row is published
 * and marked 'sent' (a PUB frame may vanish, which is why re-notification
 * exists; the database may not); a command row is started ('running') and
 * its outcome recorded when it ends: 'sent', or 'failed' with retry_at.
 * A failed run is repeated at retry_at unless a newer notification of the
 * same contact and escalation exists or the escalation no longer waits for
 * an acknowledgement: then it is 'dropped'. Runs that were under way when
 * the daemon stopped count as failed and are retried.
 */
#include "escalation.h"
#include "audit.h"
#include "log.h"
#include "notify.h"
#include "proc.h"
#include "token.h"
#include "ts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define ESCALATION_NOTIFY_QUEUE 256     /* command runs waiting for a slot, at most */

/* The columns every sender needs, for the row n.id. */
#define NOTIFY_SELECT \
	"SELECT n.id, n.contact, e.id, e.incident, e.kind, e.team, e.district, e.category," \
	" e.severity, e.summary, n.step, n.attempt, n.ack_by, n.at, n.channel, n.tries" \
	" FROM notifications n JOIN escalations e ON e.id = n.escalation"

enum {
	N_ID, N_CONTACT, N_ESC, N_INCIDENT, N_KIND, N_TEAM, N_DISTRICT, N_CATEGORY,
	N_SEVERITY, N_SUMMARY, N_STEP, N_ATTEMPT, N_ACK_BY, N_AT, N_CHANNEL, N_TRIES,
};

static int
escalation_notify_insert(escalation_t *esc, int64_t id, int step, int attempt,
    const char *contact, const char *channel, int64_t now, int64_t ack_by)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "INSERT INTO notifications (escalation, step, attempt, contact, channel, at,"
	    " ack_by, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_int(st, 3, attempt);
	sqlite3_bind_text(st, 4, contact, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, ack_by);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
escalation_notify_queue(escalation_t *esc, int64_t id, int step, int attempt,
    const char *contact, int64_t now, int64_t ack_by)
{
	const cfg_contact_t *c = cfg_contact(esc->cfg, contact, strlen(contact));

	if (escalation_notify_insert(esc, id, step, attempt, contact, "pub", now, ack_by) < 0)
		return -1;
	if (c != NULL && c->channel != NULL &&
	    escalation_notify_insert(esc, id, step, attempt, contact, c->channel->id, now,
	    ack_by) < 0)
		return -1;
	return 0;
}

static int64_t
escalation_notify_last(escalation_t *esc)
{
	int64_t id = 0;

	db_int(esc->db, "SELECT max(id) FROM notifications", 0, &id);
	return id;
}

void
escalation_notify_committed(escalation_t *esc, uint64_t gen)
{
	durable_note(&esc->notes, gen, escalation_notify_last(esc));
}

void
escalation_notify_durable(escalation_t *esc, uint64_t done)
{
	int64_t upto = durable_done(&esc->notes, done);

	if (upto > esc->durable) {
		esc->durable = upto;
		escalation_notify_flush(esc);
	}
}

/*
 * Makes an ack token for the row st is on and packs its link as "ack_url";
 * nothing when web.base_url is not set. The token exists only in this
 * notification; its hash is stored.
 */
static void
escalation_notify_ack_url(escalation_t *esc, sqlite3_stmt *st, pack_t *p)
{
	const char *base = esc->cfg->web.base_url;
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1], url[1024];
	sqlite3_stmt *ins;
	size_t blen;
	int rc;

	if (base == NULL || esc->srv == NULL)
		return;
	if (token_new(token) < 0 || server_tx(esc->srv) < 0 || (ins = db_stmt(esc->db,
	    "INSERT INTO ack_tokens (hash, escalation, contact, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)")) == NULL) {
		log_warn("escalation_notify_ack_url: no ack link for this notification");
		return;
	}
	token_hash(token, TOKEN_LEN, hash);
	sqlite3_bind_text(ins, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 2, sqlite3_column_int64(st, N_ESC));
	sqlite3_bind_text(ins, 3, (const char *)sqlite3_column_text(st, N_CONTACT), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 4, ts_now());
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	if (rc != SQLITE_DONE) {
		server_tx_fail(esc->srv);
		return;
	}
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	snprintf(url, sizeof(url), "%.*s/ack/%s", (int)blen, base, token);
	pack_kv_str(p, "ack_url", url);
}

/* The notification map of the row st is on. */
static void
escalation_notify_pack(escalation_t *esc, sqlite3_stmt *st, pack_t *p)
{
	pack_map_open(p);
	pack_kv_str(p, "type", "escalation");
	pack_kv_int(p, "escalation", sqlite3_column_int64(st, N_ESC));
	pack_kv_str(p, "incident", (const char *)sqlite3_column_text(st, N_INCIDENT));
	pack_kv_str(p, "kind", (const char *)sqlite3_column_text(st, N_KIND));
	pack_kv_str(p, "team", (const char *)sqlite3_column_text(st, N_TEAM));
	pack_kv_str(p, "district", (const char *)sqlite3_column_text(st, N_DISTRICT));
	pack_kv_str(p, "category", (const char *)sqlite3_column_text(st, N_CATEGORY));
	pack_kv_int(p, "severity", sqlite3_column_int64(st, N_SEVERITY));
	pack_kv_str(p, "summary", (const char *)sqlite3_column_text(st, N_SUMMARY));
	pack_kv_int(p, "step", sqlite3_column_int64(st, N_STEP));
	pack_kv_int(p, "attempt", sqlite3_column_int64(st, N_ATTEMPT));
	pack_kv_time(p, "ack_by", sqlite3_column_int64(st, N_ACK_BY));
	pack_kv_str(p, "contact", (const char *)sqlite3_column_text(st, N_CONTACT));
	pack_kv_time(p, "at", sqlite3_column_int64(st, N_AT));
	escalation_notify_ack_url(esc, st, p);
	pack_map_close(p);
}

/* Records a row's new state; 0 or -1 (the transaction then fails). */
static int
escalation_notify_mark(escalation_t *esc, int64_t row, const char *state,
    const char *outcome, int tries, int64_t retry_at)
{
	sqlite3_stmt *st;
	int rc;

	if (server_tx(esc->srv) < 0 || (st = db_stmt(esc->db,
	    "UPDATE notifications SET state = ?2, outcome = ?3, tries = ?4, retry_at = ?5"
	    " WHERE id = ?1")) == NULL) {
		server_tx_fail(esc->srv);
		return -1;
	}
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (outcome)
		sqlite3_bind_text(st, 3, outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, tries);
	if (retry_at > 0)
		sqlite3_bind_int64(st, 5, retry_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		server_tx_fail(esc->srv);
		return -1;
	}
	return 0;
}

/* The audit entry of a notification that went out (0: a batch published). */
static void
escalation_notify_audit(escalation_t *esc, int64_t escalation, const char *op,
    const char *channel, int64_t now)
{
	char target[32] = "";
	audit_entry_t e = {now, ESCALATION_SERVICE, op, target, "ok", channel};

	if (escalation > 0)
		snprintf(target, sizeof(target), "%lld", (long long)escalation);
	if (server_tx(esc->srv) < 0 || audit_append(esc->db, &e) < 0)
		server_tx_fail(esc->srv);
}

/* Publishes the row st is on; 0 or -1 when the PUB refused it. */
static int
escalation_notify_publish(escalation_t *esc, sqlite3_stmt *st, pack_t *p)
{
	const char *contact = (const char *)sqlite3_column_text(st, N_CONTACT);
	const void *data;
	size_t len;

	data = pack_data(p, &len);
	if (zmq_send(esc->pub, contact, strlen(contact), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(esc->pub, data, len, ZMQ_DONTWAIT) < 0)
		return -1;
	return 0;
}

/* Starts the notify command of the row st is on; marks it running or failed. */
static void
escalation_notify_run(escalation_t *esc, sqlite3_stmt *st, pack_t *p, int64_t now)
{
	const char *contact = (const char *)sqlite3_column_text(st, N_CONTACT);
	const cfg_contact_t *c = cfg_contact(esc->cfg, contact, strlen(contact));
	int64_t row = sqlite3_column_int64(st, N_ID);
	int tries = sqlite3_column_int(st, N_TRIES) + 1;
	msgpack_unpacked u;
	notify_run_t *run = NULL;
	char err[256];
	const void *data;
	size_t len;

	data = pack_data(p, &len);
	msgpack_unpacked_init(&u);
	if (c == NULL || c->channel == NULL) {
		/* the configuration changed since: nobody to run it for */
		escalation_notify_mark(esc, row, "dropped", "the contact has no notify channel now",
		    tries - 1, 0);
	} else if (msgpack_unpack_next(&u, data, len, NULL) != MSGPACK_UNPACK_SUCCESS ||
	    (run = notify_run_new(c, &u.data, tries, (void *)(intptr_t)row, err,
	    sizeof(err))) == NULL) {
		log_warn("escalation_notify_run: %s", err);
		escalation_notify_mark(esc, row, "failed", err, tries,
		    now + esc->cfg->escalation.notify_retry_ms);
	} else if (proc_start(esc->proc, notify_run_spec(run), err, sizeof(err)) < 0) {
		/* the queue is full: counts as a failed run, retried like one */
		escalation_notify_mark(esc, row, "failed", errno == EAGAIN ? "queue full" : err,
		    tries, now + esc->cfg->escalation.notify_retry_ms);
	} else {
		escalation_notify_mark(esc, row, "running", NULL, tries, 0);
	}
	notify_run_destroy(&run);
	msgpack_unpacked_destroy(&u);
	if (esc->srv)
		server_wake_at(esc->srv, now + esc->cfg->escalation.notify_retry_ms);
}

/* proc_done_fn: a notify command ended */
static void
escalation_notify_done(const proc_result_t *r, void *arg)
{
	escalation_t *esc = arg;
	int64_t row = (int64_t)(intptr_t)r->arg, now = ts_now();
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT tries, contact, escalation, channel FROM notifications WHERE id = ?1");
	char outcome[PROC_CAPTURE_MAX + 200], contact[64] = "", channel[64] = "";
	int64_t escalation = 0;
	int tries = 1;

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) == SQLITE_ROW) {
		tries = sqlite3_column_int(st, 0);
		snprintf(contact, sizeof(contact), "%s", (const char *)sqlite3_column_text(st, 1));
		escalation = sqlite3_column_int64(st, 2);
		snprintf(channel, sizeof(channel), "%s", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	if (r->ok) {
		if (escalation_notify_mark(esc, row, "sent", r->what, tries, 0) == 0)
			escalation_notify_audit(esc, escalation, "notify.sent", channel, now);
		return;
	}
	/* the program's own words, made printable, after ours */
	snprintf(outcome, sizeof(outcome), "%s", r->what);
	if (r->output_len > 0) {
		size_t used = strlen(outcome);

		used += (size_t)snprintf(outcome + used, sizeof(outcome) - used, ": ");
		for (size_t i = 0; i < r->output_len && used + 1 < sizeof(outcome); i++) {
			unsigned char ch = (unsigned char)r->output[i];

			outcome[used++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
		outcome[used] = '\0';
	}
	log_warn("notify command of %s for %s failed (try %d): %s", channel, contact, tries,
	    r->what);
	/* the row keeps the last outcome; the history keeps every failed try */
	escalation_notify_mark(esc, row, "failed", outcome, tries,
	    now + esc->cfg->escalation.notify_retry_ms);
	if (server_tx(esc->srv) == 0 && escalation > 0 &&
	    escalation_store_event(esc, escalation, now, "notify_failed", contact, outcome) < 0)
		server_tx_fail(esc->srv);
	server_wake_at(esc->srv, now + esc->cfg->escalation.notify_retry_ms);
}

static void
escalation_notify_on_proc(void *arg, short revents)
{
	escalation_t *esc = arg;
	char err[256];
	int next;

	if (proc_dispatch(esc->proc, err, sizeof(err)) < 0)
		log_warn("escalation_notify: %s", err);
	if ((next = proc_next_deadline(esc->proc)) >= 0)
		server_wake_at(esc->srv, ts_now() + next);
}

void
escalation_notify_flush(escalation_t *esc)
{
	sqlite3_stmt *st, *up;
	pack_t *p;
	int64_t now = ts_now();
	int rc;

	if (esc->durable <= esc->published)
		return;
	if ((st = db_stmt(esc->db, NOTIFY_SELECT
	    " WHERE n.id > ?1 AND n.id <= ?2 AND n.state = 'pending' ORDER BY n.id")) == NULL)
		return;
	p = pack_new();
	sqlite3_bind_int64(st, 1, esc->published);
	sqlite3_bind_int64(st, 2, esc->durable);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pack_reset(p);
		escalation_notify_pack(esc, st, p);
		if (strcmp((const char *)sqlite3_column_text(st, N_CHANNEL), "pub") != 0)
			escalation_notify_run(esc, st, p, now);
		else if (escalation_notify_publish(esc, st, p) < 0)
			log_warn("escalation_notify_flush: publishing: %s", zmq_strerror(errno));
	}
	sqlite3_reset(st);
	pack_destroy(&p);
	if (rc != SQLITE_DONE) {
		log_warn("escalation_notify_flush: %s", db_errmsg(esc->db));
		return;
	}
	/* marked sent in the next commit; if that is lost, they go out again */
	if (server_tx(esc->srv) < 0 || (up = db_stmt(esc->db,
	    "UPDATE notifications SET state = 'sent', outcome = 'published', tries = 1"
	    " WHERE id > ?1 AND id <= ?2 AND state = 'pending' AND channel = 'pub'")) == NULL) {
		server_tx_fail(esc->srv);
		return;
	}
	sqlite3_bind_int64(up, 1, esc->published);
	sqlite3_bind_int64(up, 2, esc->durable);
	if (sqlite3_step(up) != SQLITE_DONE)
		server_tx_fail(esc->srv);
	sqlite3_reset(up);
	if (sqlite3_changes(db_handle(esc->db)) > 0)
		escalation_notify_audit(esc, 0, "notify.published", "pub", now);
	esc->published = esc->durable;
}

int
escalation_notify_retry(escalation_t *esc, int64_t now)
{
	sqlite3_stmt *st = db_stmt(esc->db, NOTIFY_SELECT
	    " WHERE n.state = 'failed' AND n.retry_at <= ?1 ORDER BY n.retry_at LIMIT 32");
	sqlite3_stmt *newer = db_stmt(esc->db,
	    "SELECT (SELECT status FROM escalations WHERE id = ?2),"
	    " EXISTS (SELECT 1 FROM notifications WHERE escalation = ?2 AND contact = ?3"
	    "  AND channel = ?4 AND id > ?1)");
	int64_t rows[32];
	int n = 0, rc;
	pack_t *p;

	if (st == NULL || newer == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 32)
		rows[n++] = sqlite3_column_int64(st, N_ID);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -1;
	p = pack_new();
	for (int i = 0; i < n; i++) {
		char status[16] = "", channel[64];
		int superseded = 0;

		if ((st = db_stmt(esc->db, NOTIFY_SELECT " WHERE n.id = ?1")) == NULL)
			break;
		sqlite3_bind_int64(st, 1, rows[i]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			continue;
		}
		snprintf(channel, sizeof(channel), "%s", (const char *)sqlite3_column_text(st, N_CHANNEL));
		sqlite3_bind_int64(newer, 1, rows[i]);
		sqlite3_bind_int64(newer, 2, sqlite3_column_int64(st, N_ESC));
		sqlite3_bind_text(newer, 3, (const char *)sqlite3_column_text(st, N_CONTACT), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(newer, 4, channel, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(newer) == SQLITE_ROW) {
			snprintf(status, sizeof(status), "%s", (const char *)sqlite3_column_text(newer, 0));
			superseded = sqlite3_column_int(newer, 1);
		}
		sqlite3_reset(newer);
		if (strcmp(status, ESC_OPEN) != 0 && strcmp(status, ESC_UNANSWERED) != 0)
			escalation_notify_mark(esc, rows[i], "dropped",
			    "not repeated: the escalation no longer waits for an acknowledgement",
			    sqlite3_column_int(st, N_TRIES), 0);
		else if (superseded)
			escalation_notify_mark(esc, rows[i], "dropped",
			    "not repeated: a newer notification went out", sqlite3_column_int(st, N_TRIES), 0);
		else {
			pack_reset(p);
			escalation_notify_pack(esc, st, p);
			escalation_notify_run(esc, st, p, now);
		}
		sqlite3_reset(st);
	}
	pack_destroy(&p);
	return 0;
}

int64_t
escalation_notify_next(escalation_t *esc)
{
	int64_t next;

	return db_int(esc->db, "SELECT min(retry_at) FROM notifications WHERE state = 'failed'",
	    INT64_MAX, &next) < 0 ? -1 : next;
}

int
escalation_notify_start(escalation_t *esc, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	buf_t problems = BUF_INIT;

	if (notify_check_commands(esc->cfg, &problems) > 0)
		log_warn("notify commands: %s", buf_str(&problems));
	buf_free(&problems);
	if ((esc->proc = proc_new(esc->cfg->escalation.notify_parallel > 0 ?
	    esc->cfg->escalation.notify_parallel : 1, ESCALATION_NOTIFY_QUEUE,
	    escalation_notify_done, esc, err, errlen)) == NULL)
		return -1;
	if (server_watch(esc->srv, NULL, proc_fd(esc->proc), ZMQ_POLLIN,
	    escalation_notify_on_proc, esc) < 0) {
		snprintf(err, errlen, "no room to watch the notify commands");
		return -1;
	}
	/* runs under way when the last run of the daemon ended: retried now */
	if ((st = db_stmt(esc->db, "UPDATE notifications SET state = 'failed', retry_at = ?1,"
	    " outcome = 'the daemon stopped while it ran' WHERE state = 'running'")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts_now());
	sqlite3_step(st);
	sqlite3_reset(st);
	return 0;
}

void
escalation_notify_stop(escalation_t *esc)
{
	proc_destroy(&esc->proc);
}

int
escalation_notify_tick(escalation_t *esc, int64_t now)
{
	char err[256];
	int next;

	if (esc->proc && proc_dispatch(esc->proc, err, sizeof(err)) < 0)
		log_warn("escalation_notify_tick: %s", err);
	if (esc->proc && (next = proc_next_deadline(esc->proc)) >= 0)
		server_wake_at(esc->srv, now + next);
	return escalation_notify_retry(esc, now);
}
