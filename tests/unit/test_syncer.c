/*
 * test_syncer.c: pipelined commits (syncer.c) and the deferred sync and
 * checkpoints of db.c.
 */
#include "db.h"
#include "syncer.h"
#include "test.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const schema[] = {
	"CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
};

static char dir[64];

static db_t *
open_deferred(void)
{
	char path[128], err[256];
	db_t *db;

	snprintf(dir, sizeof(dir), "/tmp/trygg-syncer-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if ((db = db_open(path, schema, 1, err, sizeof(err))) == NULL ||
	    db_defer_sync(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return db;
}

static void
cleanup(db_t **db)
{
	char cmd[128];

	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int
insert_rows(db_t *db, int n, int size)
{
	sqlite3_stmt *st;
	char *body = malloc((size_t)size + 1);

	memset(body, 'x', (size_t)size);
	body[size] = '\0';
	if (db_begin(db) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		st = db_stmt(db, "INSERT INTO t (body) VALUES (?1)");
		sqlite3_bind_text(st, 1, body, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	free(body);
	return db_commit(db);
}

/* Waits until the syncer reports gen durable; returns the generation seen. */
static int64_t
wait_done(syncer_t *s, uint64_t gen)
{
	int64_t done = 0;

	for (int i = 0; i < 500 && done >= 0 && (uint64_t)done < gen; i++) {
		struct pollfd pfd = {syncer_fd(s), POLLIN, 0};

		poll(&pfd, 1, 20);
		done = syncer_done(s);
	}
	return done;
}

TEST(deferred_sync_uses_normal_and_no_autocheckpoint)
{
	db_t *db = open_deferred();
	sqlite3_stmt *st;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	st = db_stmt(db, "PRAGMA synchronous");
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1);
	sqlite3_reset(st);
	st = db_stmt(db, "PRAGMA wal_autocheckpoint");
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0);
	sqlite3_reset(st);
	/* before any commit there is nothing to sync, and that is not an error */
	CHECK_INT(db_sync(db), 0);
	CHECK_INT(insert_rows(db, 10, 100), 0);
	CHECK_INT(db_sync(db), 0);
	cleanup(&db);
}

TEST(generations_are_reported_in_order)
{
	db_t *db = open_deferred();
	char err[256];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	uint64_t g1, g2, g3;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(syncer_done(s), 0);
	insert_rows(db, 5, 100);
	g1 = syncer_request(s);
	insert_rows(db, 5, 100);
	g2 = syncer_request(s);
	insert_rows(db, 5, 100);
	g3 = syncer_request(s);
	CHECK_INT(g1, 1);
	CHECK_INT(g2, 2);
	CHECK_INT(g3, 3);
	CHECK(wait_done(s, g3) >= (int64_t)g3);
	{
		uint64_t count, us, max_us;

		syncer_stats(s, &count, &us, &max_us);
		/* one sync may cover several requests, never more syncs than requests */
		CHECK(count >= 1 && count <= 3);
	}
	syncer_destroy(&s);
	CHECK(s == NULL);
	syncer_destroy(&s);     /* NULL is fine */
	cleanup(&db);
}

/*
 * Stopping syncs what was asked for before the thread ends: finish reports
 * the generation requested last, never one short of it (a sync thread that
 * quit on stop without its last sync would report 0 here).
 */
TEST(finish_syncs_what_was_requested)
{
	db_t *db = open_deferred();
	char err[256];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	uint64_t g;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_INT(insert_rows(db, 5, 100), 0);
	syncer_request(s);
	CHECK_INT(insert_rows(db, 5, 100), 0);
	g = syncer_request(s);
	CHECK_INT(syncer_finish(&s), g);
	CHECK(s == NULL);
	CHECK_INT(syncer_finish(&s), 0);        /* NULL is fine */
	cleanup(&db);
}

TEST(idle_checkpoint_lets_the_wal_start_afresh)
{
	db_t *db = open_deferred();
	char err[256], wal[128];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	struct stat st;
	int64_t before;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	/* more than DB_CHECKPOINT_PAGES pages of 4 KiB */
	for (int i = 0; i < 10; i++)
		CHECK_INT(insert_rows(db, 120, 4000), 0);
	CHECK(db_checkpoint_due(db));
	snprintf(wal, sizeof(wal), "%s/t.db-wal", dir);
	CHECK(stat(wal, &st) == 0);
	before = st.st_size;
	CHECK(before > (int64_t)DB_CHECKPOINT_PAGES * 4096);
	syncer_checkpoint(s);
	for (int i = 0; i < 200 && db_checkpoint_due(db); i++)
		usleep(10000);
	CHECK(!db_checkpoint_due(db));
	/* the next write starts at the WAL's beginning instead of growing it */
	CHECK_INT(insert_rows(db, 1, 10), 0);
	CHECK(stat(wal, &st) == 0 && st.st_size == before);
	{
		sqlite3_stmt *q = db_stmt(db, "SELECT count(*) FROM t");

		CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1201);
		sqlite3_reset(q);
	}
	syncer_destroy(&s);
	cleanup(&db);
}

/* The WAL file's size in bytes, -1 when it is missing. */
static int64_t
wal_size(void)
{
	char wal[128];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s/t.db-wal", dir);
	return stat(wal, &st) == 0 ? (int64_t)st.st_size : -1;
}

/*
 * A writer that never pauses, with a reader beside it: the checkpointer
 * (after each sync, never on the writer's thread) restarts the WAL once it
 * reaches DB_WAL_RESTART_PAGES, the file is cut back to DB_WAL_LIMIT_BYTES,
 * and the reader's snapshot, taken before, still reads every row it saw.
 */
TEST(wal_restarts_under_load_and_stays_capped)
{
	db_t *db = open_deferred();
	char err[256], path[128];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	db_t *reader = NULL;
	sqlite3_stmt *q;
	int64_t max_wal = 0, rows = 0, seen = -1, again = -1;
	int commits = 0;
	uint64_t restarts_at_release = 0;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	reader = db_open_reader(path, err, sizeof(err));
	CHECK(reader != NULL);
	/* the reader holds a snapshot of the first rows through the restarts */
	CHECK_INT(insert_rows(db, 100, 4000), 0);
	rows += 100;
	wait_done(s, syncer_request(s));
	q = db_stmt(reader, "SELECT count(*) FROM t");
	CHECK_INT(db_exec(reader, "BEGIN"), 0);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	seen = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	CHECK_INT(seen, 100);
	/* about 3 WAL pages a commit; each waits for its sync, as replies do */
	for (commits = 0; commits < 40 * DB_WAL_RESTART_PAGES / 3 &&
	    (again < 0 || db_wal_restarts(db) < restarts_at_release + 3);
	    commits++) {
		int64_t w;

		if (insert_rows(db, 3, 3000) < 0)
			break;
		rows += 3;
		wait_done(s, syncer_request(s));
		/* from the first restart after the reader let go, the WAL keeps its cap */
		if (again >= 0 && db_wal_restarts(db) > restarts_at_release &&
		    (w = wal_size()) > max_wal)
			max_wal = w;
		if (commits == DB_WAL_RESTART_PAGES / 2) {
			/* past the restart size: no restart while the snapshot needs the WAL */
			CHECK(wal_size() > (int64_t)DB_WAL_RESTART_PAGES * 4096);
			restarts_at_release = db_wal_restarts(db);
			/* the old snapshot is intact; then the reader lets go */
			CHECK(sqlite3_step(q) == SQLITE_ROW);
			again = sqlite3_column_int64(q, 0);
			sqlite3_reset(q);
			CHECK_INT(again, seen);
			CHECK_INT(db_exec(reader, "COMMIT"), 0);
		}
	}
	printf("  %d commits, %llu restarts, WAL at most %lld bytes\n", commits,
	    (unsigned long long)db_wal_restarts(db), (long long)max_wal);
	CHECK(db_wal_restarts(db) >= restarts_at_release + 3);
	/* a restart comes at DB_WAL_RESTART_PAGES and what grew while it was made */
	CHECK(max_wal > 0 && max_wal < (int64_t)2 * DB_WAL_RESTART_PAGES * 4096);
	q = db_stmt(db, "SELECT count(*) FROM t");
	CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) == rows);
	sqlite3_reset(q);
	db_close(&reader);
	syncer_destroy(&s);
	cleanup(&db);
}

/* Commits of about 120 pages, with no sync and so no checkpoint, until the WAL holds pages. */
static int
grow_wal(db_t *db, int pages)
{
	while (wal_size() < (int64_t)pages * 4096)
		if (insert_rows(db, 120, 4000) < 0)
			return -1;
	return 0;
}

/*
 * A checkpointer that fell behind for good (here: never asked while the WAL
 * grew past DB_WAL_HARD_PAGES) catches up when the writer waits for it, and
 * the writer's next transaction starts the WAL over.
 */
TEST(a_wal_past_its_hard_size_is_copied_before_the_next_write)
{
	db_t *db = open_deferred();
	char err[256];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	uint64_t restarts;
	int64_t size;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(!db_wal_over(db));
	CHECK_INT(grow_wal(db, DB_WAL_HARD_PAGES + 10), 0);
	CHECK(db_wal_over(db));
	restarts = db_wal_restarts(db);
	size = wal_size();
	CHECK_INT(syncer_catch_up(s, 10000), 0);
	CHECK(!db_wal_over(db));
	CHECK_INT(insert_rows(db, 1, 10), 0);
	CHECK(db_wal_restarts(db) == restarts + 1);
	CHECK(wal_size() <= size);
	syncer_destroy(&s);
	cleanup(&db);
}

/*
 * When a reader's snapshot holds the copy back, waiting cannot help: the
 * writer is let go at once, and not held again before the WAL has grown a
 * quarter of DB_WAL_RESTART_PAGES more.
 */
TEST(a_reader_that_holds_the_wal_does_not_hold_the_writer)
{
	db_t *db = open_deferred();
	char err[256], path[128];
	syncer_t *s = db ? syncer_new(db, err, sizeof(err)) : NULL;
	db_t *reader;
	sqlite3_stmt *q;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	reader = db_open_reader(path, err, sizeof(err));
	CHECK(reader != NULL);
	if (reader == NULL)
		goto out;
	CHECK_INT(insert_rows(db, 10, 100), 0);
	q = db_stmt(reader, "SELECT count(*) FROM t");
	CHECK_INT(db_exec(reader, "BEGIN"), 0);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	sqlite3_reset(q);
	CHECK_INT(grow_wal(db, DB_WAL_HARD_PAGES + 10), 0);
	CHECK(db_wal_over(db));
	CHECK_INT(syncer_catch_up(s, 10000), 1);      /* given up, not timed out */
	CHECK(!db_wal_over(db));
	CHECK_INT(grow_wal(db, DB_WAL_HARD_PAGES + 10 + DB_WAL_RESTART_PAGES / 8), 0);
	CHECK(!db_wal_over(db));
	CHECK_INT(grow_wal(db, DB_WAL_HARD_PAGES + 10 + DB_WAL_RESTART_PAGES / 4 + 130), 0);
	CHECK(db_wal_over(db));
	CHECK_INT(db_exec(reader, "COMMIT"), 0);
	CHECK_INT(syncer_catch_up(s, 10000), 0);
	CHECK(!db_wal_over(db));
	db_close(&reader);
out:
	syncer_destroy(&s);
	cleanup(&db);
}

TEST_MAIN(deferred_sync_uses_normal_and_no_autocheckpoint, generations_are_reported_in_order,
    finish_syncs_what_was_requested, idle_checkpoint_lets_the_wal_start_afresh,
    wal_restarts_under_load_and_stays_capped,
    a_wal_past_its_hard_size_is_copied_before_the_next_write,
    a_reader_that_holds_the_wal_does_not_hold_the_writer)
