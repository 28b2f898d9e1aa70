/*
 * retention.c: the retention pass in bounded slices (retention.h).
 *
 *   state       meaning                          next
 *   idle        no pass; next_at is the next     walking (retention_tick at next_at:
 *                                                the highest id read into end)
 *   walking     ids up to cursor are done        walking (a slice; woken at once)
 *                                                idle (cursor reached end, or a slice
 *                                                failed: next_at later)
 */
#include "retention.h"
#include "log.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>

struct retention {
	retention_conf_t c;
	int64_t          next_at;       /* the next slice or pass */
	int64_t          cursor;        /* ids up to here are done in this pass */
	int64_t          end;           /* the highest id when the pass began; 0: idle */
	int64_t          erased;        /* in this pass, for the log */
	int64_t         *ids;           /* c.batch of them */
};

/* Asks the loop for a tick at ms (no server: a unit test drives the ticks). */
static void
retention_wake(retention_t *r, int64_t ms)
{
	if (r->c.srv != NULL)
		server_wake_at(r->c.srv, ms);
}

retention_t *
retention_new(const retention_conf_t *conf)
{
	retention_t *r = xcalloc(1, sizeof(*r));

	r->c = *conf;
	if (r->c.batch < 1 || r->c.batch > RETENTION_BATCH_MAX)
		r->c.batch = RETENTION_BATCH_MAX;
	if (r->c.scan < r->c.batch)
		r->c.scan = r->c.batch;
	r->ids = xcalloc((size_t)r->c.batch, sizeof(*r->ids));
	retention_wake(r, 0);    /* a pass at start: catch up after downtime */
	return r;
}

retention_t *
retention_open(const retention_conf_t *conf, const char *schema, char *err, size_t errlen)
{
	if (db_exec(conf->db, schema) < 0) {
		snprintf(err, errlen, "retention: creating the %s erasures table: %s", conf->what,
		    db_errmsg(conf->db));
		return NULL;
	}
	return retention_new(conf);
}

void
retention_destroy(retention_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	free((*self_p)->ids);
	free(*self_p);
	*self_p = NULL;
}

/* One slice: ids (cursor, cursor + scan], at most batch erased. 0 or -1. */
static int
retention_slice(retention_t *r, int64_t now)
{
	int64_t cutoff = cfg_keep_cutoff(r->c.keep, now), upto = r->cursor + r->c.scan;
	int n;

	if ((n = r->c.expired(r->c.ctx, r->cursor, upto, cutoff, r->ids, r->c.batch)) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (r->c.erase(r->c.ctx, r->ids[i], now) < 0)
			return -1;
	r->erased += n;
	/* a full batch may have left expired ids in the slice: go on after the last */
	r->cursor = n == r->c.batch ? r->ids[n - 1] : upto;
	return 0;
}

/* The pass ends here; the next after delay_ms. */
static void
retention_idle(retention_t *r, int64_t now, int64_t delay_ms)
{
	r->end = 0;
	r->next_at = now + delay_ms;
	retention_wake(r, r->next_at);
}

int64_t
retention_next_at(const retention_t *r)
{
	return r->next_at;
}

int
retention_tick(retention_t *r, int64_t now)
{
	if (r == NULL)
		return 0;
	if (now < r->next_at) {
		retention_wake(r, r->next_at);   /* woken for another's sake */
		return 0;
	}
	if (r->end == 0) {
		if (r->c.last(r->c.ctx, &r->end) < 0) {
			log_warn("retention_tick: %s: %s", r->c.what, db_errmsg(r->c.db));
			retention_idle(r, now, r->c.retry_ms);
			return 0;
		}
		r->cursor = 0;
		r->erased = 0;
	}
	/* in a savepoint: a failed slice undoes itself, not the requests beside it */
	if (db_exec(r->c.db, "SAVEPOINT retention") < 0)
		return -1;
	if (r->end > 0 && retention_slice(r, now) < 0) {
		log_warn("retention_tick: %s: %s", r->c.what, db_errmsg(r->c.db));
		if (db_exec(r->c.db, "ROLLBACK TO retention") < 0 ||
		    db_exec(r->c.db, "RELEASE retention") < 0)
			return -1;
		retention_idle(r, now, r->c.retry_ms);
		return 0;
	}
	if (db_exec(r->c.db, "RELEASE retention") < 0)
		return -1;
	if (r->cursor < r->end) {
		r->next_at = now;       /* the next slice after the requests waiting */
		retention_wake(r, r->next_at);
		return 0;
	}
	if (r->erased > 0)
		log_info("retention: erased the text of %lld %s", (long long)r->erased, r->c.what);
	retention_idle(r, now, r->c.every_ms);
	return 0;
}

int
retention_select(db_t *db, const char *sql, int64_t from, int64_t to, int64_t cutoff,
    int64_t *ids, int max)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int n = 0, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, cutoff);
	sqlite3_bind_int(st, 4, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

int
retention_exec(db_t *db, const char *sql, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
retention_record(db_t *db, const char *sql, int64_t id, int64_t now, const audit_entry_t *e)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? audit_append(db, e) : -1;
}
