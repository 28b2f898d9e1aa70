/*
 * intake_retention.c: retention (gallring) in incidents.db.
 *
 * Once an incident's last change (updated_at: its closing, a later note,
 * or its receipt when nothing followed) is older than retention.incidents,
 * its free text, location, reporter and partners, and the text and author
 * of each history entry, are erased: summary and reporter and each entry's
 * "by" become INTAKE_ERASED, the rest NULL. The row, its number, team,
 * district, category, severity, flags, status and times stay, so reports
 * stay right. Why the last change and not the receipt: the text is needed
 * while the case is worked on, and a case that is still being written in
 * is not done with; an open case that nobody touched for the whole period
 * is treated as done.
 *
 * Each erasure is recorded twice in the same transaction: a row of
 * erasures (row, number, when), made here and not by intake_store.c's
 * migrations, and an entry of the audit chain (common/audit.h) with the
 * daemon as actor, operation "retention.erase" and the number as target.
 *
 * It runs by itself from the tick hook: a pass walks the incidents by row,
 * INTAKE_RETENTION_SCAN rows a turn, erasing at most INTAKE_RETENTION_BATCH
 * of them, then asks to be woken at once: the loop commits and takes the
 * waiting requests before the next slice, so a backlog of any size (after
 * downtime, or a shorter period configured) never holds requests up for
 * more than one slice. A pass starts at start-up and every
 * INTAKE_RETENTION_EVERY_MS after the last one ended.
 */
#include "intake.h"
#include "audit.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct intake_retention {
	server_t *srv;
	int64_t   next_at;      /* the next slice or pass */
	int64_t   cursor;       /* rows up to here are done in this pass */
	int64_t   end;          /* the last row when the pass began; 0: no pass */
	int64_t   erased;       /* in this pass, for the log */
};

static const char *const intake_retention_schema =
	"CREATE TABLE IF NOT EXISTS erasures ("
	"  row      INTEGER PRIMARY KEY REFERENCES incidents (row),"
	"  number   TEXT NOT NULL,"
	"  at       INTEGER NOT NULL"
	");";

int
intake_retention_open(intake_t *in, server_t *srv, char *err, size_t errlen)
{
	if (db_exec(in->db, intake_retention_schema) < 0) {
		snprintf(err, errlen, "intake: creating the erasures table: %s", db_errmsg(in->db));
		return -1;
	}
	in->retention = xcalloc(1, sizeof(*in->retention));
	in->retention->srv = srv;
	server_wake_at(srv, 0);         /* a pass at start: catch up after downtime */
	return 0;
}

void
intake_retention_close(intake_t *in)
{
	free(in->retention);
	in->retention = NULL;
}

/* Erases one incident's text and records it; 0 or -1. */
static int
intake_retention_erase(intake_t *in, int64_t row, const char *number, int64_t now)
{
	audit_entry_t e = {now, INTAKE_SERVICE, "retention.erase", number, "ok", "incidents"};
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(in->db, "UPDATE incidents SET summary = '" INTAKE_ERASED "',"
	    " reporter = '" INTAKE_ERASED "', details = NULL, location = NULL, partners = NULL"
	    " WHERE row = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(in->db, "UPDATE history SET by = '"
	    INTAKE_ERASED "', note = NULL WHERE incident = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || (st = db_stmt(in->db,
	    "INSERT INTO erasures (row, number, at) VALUES (?1, ?2, ?3)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return audit_append(in->db, &e);
}

/* One slice of the pass: rows (cursor, cursor + SCAN], at most BATCH erased. 0 or -1. */
static int
intake_retention_slice(intake_t *in, int64_t now)
{
	struct intake_retention *r = in->retention;
	int64_t cutoff = cfg_keep_cutoff(&in->cfg->retention.incidents, now);
	int64_t rows[INTAKE_RETENTION_BATCH], upto = r->cursor + INTAKE_RETENTION_SCAN;
	char numbers[INTAKE_RETENTION_BATCH][32];
	sqlite3_stmt *st;
	int n = 0, rc;

	if ((st = db_stmt(in->db, "SELECT i.row, i.number FROM incidents i"
	    " LEFT JOIN erasures e ON e.row = i.row"
	    " WHERE i.row > ?1 AND i.row <= ?2 AND i.updated_at < ?3 AND e.row IS NULL"
	    " ORDER BY i.row LIMIT ?4")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->cursor);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_int64(st, 3, cutoff);
	sqlite3_bind_int(st, 4, INTAKE_RETENTION_BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rows[n] = sqlite3_column_int64(st, 0);
		snprintf(numbers[n], sizeof(numbers[n]), "%s", sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (int i = 0; i < n; i++)
		if (intake_retention_erase(in, rows[i], numbers[i], now) < 0)
			return -1;
	r->erased += n;
	/* a full batch may have left candidates in the slice: go on after the last */
	r->cursor = n == INTAKE_RETENTION_BATCH ? rows[n - 1] : upto;
	return 0;
}

int
intake_retention_tick(intake_t *in, int64_t now)
{
	struct intake_retention *r = in->retention;

	if (r == NULL)
		return 0;
	if (now < r->next_at) {
		server_wake_at(r->srv, r->next_at);     /* woken for another's sake */
		return 0;
	}
	if (r->end == 0) {
		if (db_int(in->db, "SELECT max(row) FROM incidents", 0, &r->end) < 0) {
			log_warn("intake_retention_tick: %s", db_errmsg(in->db));
			r->next_at = now + INTAKE_RETENTION_RETRY_MS;
			server_wake_at(r->srv, r->next_at);
			return 0;
		}
		r->cursor = 0;
		r->erased = 0;
	}
	/* in a savepoint: a failed slice undoes itself, not the requests beside it */
	if (db_exec(in->db, "SAVEPOINT retention") < 0)
		return -1;
	if (r->end > 0 && intake_retention_slice(in, now) < 0) {
		log_warn("intake_retention_tick: %s", db_errmsg(in->db));
		if (db_exec(in->db, "ROLLBACK TO retention") < 0 ||
		    db_exec(in->db, "RELEASE retention") < 0)
			return -1;
		r->end = 0;
		r->next_at = now + INTAKE_RETENTION_RETRY_MS;
		server_wake_at(r->srv, r->next_at);
		return 0;
	}
	if (db_exec(in->db, "RELEASE retention") < 0)
		return -1;
	if (r->cursor >= r->end) {
		if (r->erased > 0)
			log_info("retention: erased the text of %lld incident%s",
			    (long long)r->erased, r->erased == 1 ? "" : "s");
		r->end = 0;
		r->next_at = now + INTAKE_RETENTION_EVERY_MS;
	} else {
		r->next_at = now;       /* the next slice after the requests waiting */
	}
	server_wake_at(r->srv, r->next_at);
	return 0;
}
