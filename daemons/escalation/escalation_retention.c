/*
 * escalation_retention.c: retention (gallring) in escalations.db.
 *
 * trygg-escalation keeps copies of an incident's free text: the summary
 * and location in escalations, the notes (intake's notes and their
 * authors, resolve notes, the notify commands' words) in events, and the
 * last output of a notify command in notifications.outcome. Once an
 * escalation's last activity (its newest event, acknowledgement or
 * resolution) is older than retention.escalations, these are erased:
 * summary and outcomes read ESCALATION_ERASED, location, notes and the
 * authors of notes become NULL. What reports and the state machine need
 * stays: incident number, kind, status, team, district, category,
 * severity, the steps, the contacts who acked or resolved, and every time.
 * The same clock as trygg-intake's (its last change), so both copies of a
 * case go at about the same time.
 *
 * Each erasure is recorded in the same transaction: a row of erasures (id,
 * incident, when), made here and not by escalation_store.c's schema, and
 * an audit entry (common/audit.h): actor the daemon, "retention.erase",
 * the escalation id as target.
 *
 * It runs from the tick hook in slices of ESCALATION_RETENTION_SCAN ids,
 * at most ESCALATION_RETENTION_BATCH erased each, waking itself at once
 * while a pass lasts, so requests are taken between slices; a pass at
 * start-up and every ESCALATION_RETENTION_EVERY_MS after the last ended.
 */
#include "escalation.h"
#include "audit.h"
#include "log.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct escalation_retention {
	int64_t next_at;        /* the next slice or pass */
	int64_t cursor;         /* ids up to here are done in this pass */
	int64_t end;            /* the last id when the pass began; 0: no pass */
	int64_t erased;         /* in this pass, for the log */
};

static const char *const escalation_retention_schema =
	"CREATE TABLE IF NOT EXISTS erasures ("
	"  id       INTEGER PRIMARY KEY REFERENCES escalations (id),"
	"  incident TEXT NOT NULL,"
	"  at       INTEGER NOT NULL"
	");";

int
escalation_retention_open(escalation_t *esc, char *err, size_t errlen)
{
	if (db_exec(esc->db, escalation_retention_schema) < 0) {
		snprintf(err, errlen, "escalation: creating the erasures table: %s",
		    db_errmsg(esc->db));
		return -1;
	}
	esc->retention = xcalloc(1, sizeof(*esc->retention));
	server_wake_at(esc->srv, 0);    /* a pass at start: catch up after downtime */
	return 0;
}

void
escalation_retention_close(escalation_t *esc)
{
	free(esc->retention);
	esc->retention = NULL;
}

/* Runs a cached statement bound to one id; 0 or -1. */
static int
escalation_retention_run(escalation_t *esc, const char *sql, int64_t id)
{
	sqlite3_stmt *st = db_stmt(esc->db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Erases one escalation's text and records it; 0 or -1. */
static int
escalation_retention_erase(escalation_t *esc, int64_t id, const char *incident, int64_t now)
{
	char target[32];
	audit_entry_t e = {now, ESCALATION_SERVICE, "retention.erase", target, "ok",
	    "escalations"};
	sqlite3_stmt *st;
	int rc;

	snprintf(target, sizeof(target), "%" PRId64, id);
	if (escalation_retention_run(esc, "UPDATE escalations SET summary = '"
	    ESCALATION_ERASED "', location = NULL WHERE id = ?1", id) < 0 ||
	    escalation_retention_run(esc, "UPDATE events SET note = NULL,"
	    " by = CASE WHEN action = 'note' THEN NULL ELSE by END WHERE escalation = ?1", id) < 0 ||
	    escalation_retention_run(esc, "UPDATE notifications SET outcome = '"
	    ESCALATION_ERASED "' WHERE escalation = ?1 AND outcome IS NOT NULL", id) < 0)
		return -1;
	if ((st = db_stmt(esc->db,
	    "INSERT INTO erasures (id, incident, at) VALUES (?1, ?2, ?3)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, incident, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? audit_append(esc->db, &e) : -1;
}

/* One slice: ids (cursor, cursor + SCAN], at most BATCH erased. 0 or -1. */
static int
escalation_retention_slice(escalation_t *esc, int64_t now)
{
	struct escalation_retention *r = esc->retention;
	int64_t cutoff = cfg_keep_cutoff(&esc->cfg->retention.escalations, now);
	int64_t ids[ESCALATION_RETENTION_BATCH], upto = r->cursor + ESCALATION_RETENTION_SCAN;
	char incidents[ESCALATION_RETENTION_BATCH][40];
	sqlite3_stmt *st;
	int n = 0, rc;

	/* the last activity: the newest of creation, ack, resolution and events */
	if ((st = db_stmt(esc->db, "SELECT e.id, e.incident FROM escalations e"
	    " LEFT JOIN erasures x ON x.id = e.id"
	    " WHERE e.id > ?1 AND e.id <= ?2 AND x.id IS NULL"
	    " AND max(e.created_at, coalesce(e.acked_at, 0), coalesce(e.resolved_at, 0),"
	    "   coalesce((SELECT max(v.at) FROM events v WHERE v.escalation = e.id), 0)) < ?3"
	    " ORDER BY e.id LIMIT ?4")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->cursor);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_int64(st, 3, cutoff);
	sqlite3_bind_int(st, 4, ESCALATION_RETENTION_BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		snprintf(incidents[n], sizeof(incidents[n]), "%s", sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (int i = 0; i < n; i++)
		if (escalation_retention_erase(esc, ids[i], incidents[i], now) < 0)
			return -1;
	r->erased += n;
	r->cursor = n == ESCALATION_RETENTION_BATCH ? ids[n - 1] : upto;
	return 0;
}

/* After a failure: the pass ends, another later. */
static int
escalation_retention_retry(escalation_t *esc, int64_t now)
{
	log_warn("escalation_retention_tick: %s", db_errmsg(esc->db));
	esc->retention->end = 0;
	esc->retention->next_at = now + ESCALATION_RETENTION_RETRY_MS;
	server_wake_at(esc->srv, esc->retention->next_at);
	return 0;
}

int
escalation_retention_tick(escalation_t *esc, int64_t now)
{
	struct escalation_retention *r = esc->retention;

	if (r == NULL)
		return 0;
	if (now < r->next_at) {
		server_wake_at(esc->srv, r->next_at);   /* woken for another's sake */
		return 0;
	}
	if (r->end == 0) {
		if (db_int(esc->db, "SELECT max(id) FROM escalations", 0, &r->end) < 0)
			return escalation_retention_retry(esc, now);
		r->cursor = 0;
		r->erased = 0;
	}
	/* in a savepoint: a failed slice undoes itself, not the requests beside it */
	if (db_exec(esc->db, "SAVEPOINT retention") < 0)
		return -1;
	if (r->end > 0 && escalation_retention_slice(esc, now) < 0) {
		if (db_exec(esc->db, "ROLLBACK TO retention") < 0 ||
		    db_exec(esc->db, "RELEASE retention") < 0)
			return -1;
		return escalation_retention_retry(esc, now);
	}
	if (db_exec(esc->db, "RELEASE retention") < 0)
		return -1;
	if (r->cursor >= r->end) {
		if (r->erased > 0)
			log_info("retention: erased the text of %lld escalation%s",
			    (long long)r->erased, r->erased == 1 ? "" : "s");
		r->end = 0;
		r->next_at = now + ESCALATION_RETENTION_EVERY_MS;
	} else {
		r->next_at = now;       /* the next slice after the requests waiting */
	}
	server_wake_at(esc->srv, r->next_at);
	return 0;
}
