/*
 * test_retention_pass.c: the retention pass (common/retention.c), driven tick by
 * tick without a server over a table of rows with crafted times: each turn
 * erases at most the batch and looks at most at the scan, a pass erases
 * exactly the expired rows and then waits every_ms, a failing erase undoes
 * its slice only and the pass is tried again after retry_ms, and rows that
 * come after a pass began wait for the next one.
 */
#include "../test.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "retention.h"

#define DAY (86400000LL)
#define NOW (1772409600000LL)   /* 2026-03-02T00:00:00Z */

typedef struct {
	char    dir[64];
	db_t   *db;
	int     erases;             /* erase calls in the current tick */
	int     max_erases;         /* the most in one tick */
	int64_t fail_at;            /* erase of this id fails; 0 none */
} fix_t;

static bool
fix_new(fix_t *f, int n, int old_every)
{
	char path[128], err[256];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/trygg-test-retention-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return false;
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	if ((f->db = db_open(path, NULL, 0, err, sizeof(err))) == NULL ||
	    db_exec(f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, text TEXT);"
	    "CREATE TABLE erased (id INTEGER PRIMARY KEY)") < 0) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return false;
	}
	/* every old_every-th row is 25 months old, the rest a day inside 24 months */
	CHECK(db_begin(f->db) == 0);
	for (int i = 1; i <= n; i++) {
		sqlite3_stmt *st = db_stmt(f->db, "INSERT INTO t VALUES (?1, ?2, 'secret')");

		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int64(st, 2, i % old_every == 0 ? NOW - 761 * DAY : NOW - 730 * DAY + DAY);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_reset(st);
	}
	CHECK(db_commit(f->db) == 0);
	return true;
}

static void
fix_destroy(fix_t *f)
{
	char p[256];

	db_close(&f->db);
	snprintf(p, sizeof(p), "rm -rf %s", f->dir);
	if (system(p) != 0)
		test_fail(__FILE__, __LINE__, "cannot remove %s", f->dir);
}

static int
t_last(void *ctx, int64_t *id)
{
	fix_t *f = ctx;

	return db_int(f->db, "SELECT max(id) FROM t", 0, id);
}

static int
t_expired(void *ctx, int64_t from, int64_t to, int64_t cutoff, int64_t *ids, int max)
{
	fix_t *f = ctx;
	sqlite3_stmt *st = db_stmt(f->db, "SELECT t.id FROM t LEFT JOIN erased e ON e.id = t.id"
	    " WHERE t.id > ?1 AND t.id <= ?2 AND t.at < ?3 AND e.id IS NULL ORDER BY t.id LIMIT ?4");
	int n = 0;

	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, cutoff);
	sqlite3_bind_int(st, 4, max);
	while (sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static int
t_erase(void *ctx, int64_t id, int64_t now)
{
	fix_t *f = ctx;
	sqlite3_stmt *st;
	int rc;

	if (id == f->fail_at)
		return -1;
	if (++f->erases > f->max_erases)
		f->max_erases = f->erases;
	st = db_stmt(f->db, "UPDATE t SET text = NULL WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	st = db_stmt(f->db, "INSERT INTO erased VALUES (?1)");
	sqlite3_bind_int64(st, 1, id);
	rc = rc == SQLITE_DONE ? sqlite3_step(st) : rc;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static retention_t *
pass_new(fix_t *f, const cfg_keep_t *keep, int batch, int scan)
{
	retention_conf_t c = {"rows", keep, f->db, NULL, batch, scan, 3600000, 60000, f,
	    t_last, t_expired, t_erase};

	return retention_new(&c);
}

/* One tick in a transaction of its own, as the server's loop would; its result. */
static int
tick(fix_t *f, retention_t *r, int64_t now)
{
	int rc;

	f->erases = 0;
	CHECK(db_begin(f->db) == 0);
	rc = retention_tick(r, now);
	CHECK(db_commit(f->db) == 0);
	return rc;
}

static long long
count(fix_t *f, const char *sql)
{
	int64_t n = -1;

	db_int(f->db, sql, -1, &n);
	return n;
}

TEST(a_pass_erases_exactly_the_expired_in_bounded_turns)
{
	fix_t f;
	cfg_keep_t keep = {24, 0};
	retention_t *r;
	int turns = 0;

	if (!fix_new(&f, 5000, 3))
		return;
	r = pass_new(&f, &keep, 100, 400);
	while (turns < 1000) {
		CHECK_INT(tick(&f, r, NOW), 0);
		turns++;
		if (retention_next_at(r) > NOW)
			break;
		CHECK_INT(retention_next_at(r), NOW);   /* at once: the next slice */
	}
	CHECK_INT(count(&f, "SELECT count(*) FROM erased"), 5000 / 3);
	CHECK_INT(count(&f, "SELECT count(*) FROM t WHERE text IS NULL AND id % 3 != 0"), 0);
	CHECK_INT(count(&f, "SELECT count(*) FROM t WHERE text IS NOT NULL AND id % 3 = 0"), 0);
	CHECK(f.max_erases <= 100);
	/* 5000 ids in slices of 400, or fewer where a batch filled first */
	CHECK(turns >= 5000 / 400);
	CHECK_INT(retention_next_at(r), NOW + 3600000);
	/* woken early for another's sake: nothing done */
	CHECK_INT(tick(&f, r, NOW + 1000), 0);
	CHECK_INT(f.erases, 0);
	retention_destroy(&r);
	fix_destroy(&f);
}

TEST(a_full_batch_goes_on_within_its_slice)
{
	fix_t f;
	cfg_keep_t keep = {24, 0};
	retention_t *r;

	if (!fix_new(&f, 1000, 1))      /* every row expired */
		return;
	r = pass_new(&f, &keep, 10, 1000);
	for (int i = 0; i < 100; i++)
		CHECK_INT(tick(&f, r, NOW), 0);
	CHECK_INT(count(&f, "SELECT count(*) FROM erased"), 1000);
	CHECK_INT(f.max_erases, 10);
	retention_destroy(&r);
	fix_destroy(&f);
}

TEST(a_failing_erase_undoes_its_slice_only)
{
	fix_t f;
	cfg_keep_t keep = {24, 0};
	retention_t *r;

	if (!fix_new(&f, 100, 1))
		return;
	r = pass_new(&f, &keep, 50, 100);
	f.fail_at = 30;
	CHECK(db_begin(f.db) == 0);
	CHECK(db_exec(f.db, "INSERT INTO erased VALUES (1000)") == 0);     /* the batch's other work */
	f.erases = 0;
	CHECK_INT(retention_tick(r, NOW), 0);
	CHECK(db_commit(f.db) == 0);
	CHECK_INT(count(&f, "SELECT count(*) FROM erased"), 1);             /* only the other work */
	CHECK_INT(retention_next_at(r), NOW + 60000);
	f.fail_at = 0;
	while (retention_next_at(r) <= NOW + 60000)
		CHECK_INT(tick(&f, r, NOW + 60000), 0);
	CHECK_INT(count(&f, "SELECT count(*) FROM erased WHERE id <= 100"), 100);
	retention_destroy(&r);
	fix_destroy(&f);
}

TEST(nothing_inside_the_period_is_touched)
{
	fix_t f;
	cfg_keep_t keep = {24, 0};
	retention_t *r;

	if (!fix_new(&f, 200, 1000))    /* no row is old */
		return;
	r = pass_new(&f, &keep, 100, 1000);
	CHECK_INT(tick(&f, r, NOW), 0);
	CHECK_INT(count(&f, "SELECT count(*) FROM erased"), 0);
	/* a day later the same rows have passed their time */
	do
		CHECK_INT(tick(&f, r, NOW + DAY + 3600000), 0);
	while (retention_next_at(r) <= NOW + DAY + 3600000);
	CHECK_INT(count(&f, "SELECT count(*) FROM erased"), 200);
	retention_destroy(&r);
	fix_destroy(&f);
}

TEST_MAIN(a_pass_erases_exactly_the_expired_in_bounded_turns,
    a_full_batch_goes_on_within_its_slice, a_failing_erase_undoes_its_slice_only,
    nothing_inside_the_period_is_touched)
