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
 * It runs by itself from the tick hook, on common/retention.h's pass: the
 * incidents by row, INTAKE_RETENTION_SCAN rows a turn of the loop and at
 * most INTAKE_RETENTION_BATCH erased, requests taken between turns; at
 * start-up and every INTAKE_RETENTION_EVERY_MS.
 */
#include "intake.h"
#include "audit.h"
#include "retention.h"

#include <stdio.h>

static const char *const intake_retention_schema =
	"CREATE TABLE IF NOT EXISTS erasures ("
	"  row      INTEGER PRIMARY KEY REFERENCES incidents (row),"
	"  number   TEXT NOT NULL,"
	"  at       INTEGER NOT NULL"
	");";

static int
intake_retention_last(void *ctx, int64_t *row)
{
	intake_t *in = ctx;

	return db_int(in->db, "SELECT max(row) FROM incidents", 0, row);
}

/* retention_conf_t.expired: incidents whose last change is older than cutoff */
static int
intake_retention_expired(void *ctx, int64_t from, int64_t to, int64_t cutoff, int64_t *rows,
    int max)
{
	intake_t *in = ctx;

	return retention_select(in->db, "SELECT i.row FROM incidents i"
	    " LEFT JOIN erasures e ON e.row = i.row"
	    " WHERE i.row > ?1 AND i.row <= ?2 AND i.updated_at < ?3 AND e.row IS NULL"
	    " ORDER BY i.row LIMIT ?4", from, to, cutoff, rows, max);
}

/* retention_conf_t.erase: one incident's text, and the record of it */
static int
intake_retention_erase(void *ctx, int64_t row, int64_t now)
{
	intake_t *in = ctx;
	char number[32] = "";
	audit_entry_t e = {now, INTAKE_SERVICE, "retention.erase", number, "ok", "incidents"};
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(in->db, "SELECT number FROM incidents WHERE row = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(number, sizeof(number), "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (retention_exec(in->db, "UPDATE incidents SET summary = '" INTAKE_ERASED "',"
	    " reporter = '" INTAKE_ERASED "', details = NULL, location = NULL, partners = NULL"
	    " WHERE row = ?1", row) < 0 ||
	    retention_exec(in->db, "UPDATE history SET by = '" INTAKE_ERASED "', note = NULL"
	    " WHERE incident = ?1", row) < 0)
		return -1;
	return retention_record(in->db, "INSERT INTO erasures (row, number, at)"
	    " SELECT row, number, ?2 FROM incidents WHERE row = ?1", row, now, &e);
}

int
intake_retention_open(intake_t *in, server_t *srv, char *err, size_t errlen)
{
	retention_conf_t c = {
		.what = "incidents",
		.keep = &in->cfg->retention.incidents,
		.db = in->db,
		.srv = srv,
		.batch = INTAKE_RETENTION_BATCH,
		.scan = INTAKE_RETENTION_SCAN,
		.every_ms = INTAKE_RETENTION_EVERY_MS,
		.retry_ms = INTAKE_RETENTION_RETRY_MS,
		.ctx = in,
		.last = intake_retention_last,
		.expired = intake_retention_expired,
		.erase = intake_retention_erase,
	};

	in->retention = retention_open(&c, intake_retention_schema, err, errlen);
	return in->retention != NULL ? 0 : -1;
}

void
intake_retention_close(intake_t *in)
{
	retention_destroy(&in->retention);
}

int
intake_retention_tick(intake_t *in, int64_t now)
{
	return retention_tick(in->retention, now);
}
