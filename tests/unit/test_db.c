/*
 * test_db.c: the SQLite helper (common/db.c): what db_open() sets up, schema
 * migrations (in order, only the new ones, all or nothing, a newer file
 * refused), the statement cache, transactions and durability across a
 * close. Each case works in its own folder under /tmp and removes it.
 *
 * What db.c claims is checked through a second, plain sqlite3 connection
 * where it can be, so that the helper does not vouch for itself.
 */
#include "../test.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"

typedef struct {
	char dir[64];
	char path[128];
} tmp_t;

static bool
tmp_new(tmp_t *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/trygg-test-db-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		test_fail(__FILE__, __LINE__, "mkdtemp failed");
		return false;
	}
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
	return true;
}

/* Removes the folder and the files SQLite left in it (-wal, -shm). */
static void
tmp_destroy(tmp_t *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	char p[512];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	if (rmdir(t->dir) != 0)
		test_fail(__FILE__, __LINE__, "cannot remove %s", t->dir);
}

/* One integer from sql on a plain connection of its own; -99 on error. */
static int
raw_int(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int v = -99;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* One integer from sql (a literal) through db_int; -99 on error. */
static int
q_int(db_t *db, const char *sql)
{
	int64_t v = -99;

	return db_int(db, sql, -98, &v) < 0 ? -99 : (int)v;
}

/* Tries to start writing on a second connection without waiting: SQLite's code. */
static int
other_writer(const char *path)
{
	sqlite3 *h = NULL;
	int rc = SQLITE_CANTOPEN;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 0);
		rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_close(h);
	return rc;
}

/* the migrations applied so far, in the order they ran, e.g. "1,2,3" */
static void
applied(const char *path, char *out, size_t len)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	size_t off = 0;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT n FROM log ORDER BY rowid", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW && off < len)
			off += (size_t)snprintf(out + off, len - off, "%s%d", off ? "," : "",
			    sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* Each migration writes its number into log, so the order shows. */
static const char *const MIGRATIONS[] = {
	"CREATE TABLE log (n INTEGER NOT NULL);"
	"INSERT INTO log VALUES (1);",
	"CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO log VALUES (2);",
	/* needs the table of migration 2 */
	"ALTER TABLE item ADD COLUMN note TEXT;"
	"CREATE TABLE part (item INTEGER NOT NULL REFERENCES item(id));"
	"INSERT INTO log VALUES (3);",
	"INSERT INTO log VALUES (4);",
};

TEST(test_open_setup)
{
	char err[256] = "";
	struct stat st;
	tmp_t t;
	db_t *db;
	sqlite3_stmt *q = NULL;

	if (!tmp_new(&t))
		return;
	CHECK(stat(t.path, &st) != 0);
	db = db_open(t.path, MIGRATIONS, 1, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_STR(err, "");
	if (db == NULL)
		goto out;
	CHECK(stat(t.path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(sqlite3_prepare_v2(db_handle(db), "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(q) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	CHECK_INT(q_int(db, "PRAGMA synchronous"), 2);         /* FULL */
	CHECK_INT(q_int(db, "PRAGMA foreign_keys"), 1);
	CHECK(q_int(db, "PRAGMA busy_timeout") > 0);
	CHECK_INT(db_version(db), 1);
	/* WAL is recorded in the file: any other connection sees it */
	CHECK_INT(raw_int(t.path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 1);
	db_close(&db);
	CHECK(db == NULL);
	db_close(&db);
	db_close(NULL);
out:
	tmp_destroy(&t);
}

TEST(test_no_migrations)
{
	char err[256] = "";
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, NULL, 0, err, sizeof(err));
	CHECK(db != NULL);
	if (db != NULL)
		CHECK_INT(db_version(db), 0);
	db_close(&db);
	tmp_destroy(&t);
}

TEST(test_migrations_in_order)
{
	char err[256] = "", log[64];
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_STR(err, "");
	if (db != NULL)
		CHECK_INT(db_version(db), 4);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2,3,4");
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 4);
	CHECK_INT(raw_int(t.path, "SELECT count(*) FROM pragma_table_info('item') "
	    "WHERE name = 'note'"), 1);
	tmp_destroy(&t);
}

/* Reopening runs only what the file has not seen. */
TEST(test_reopen_applies_new)
{
	char err[256] = "", log[64];
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 2, err, sizeof(err));
	CHECK(db != NULL);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2");
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 2);

	db = db_open(t.path, MIGRATIONS, 2, err, sizeof(err));
	CHECK(db != NULL);
	if (db != NULL)
		CHECK_INT(db_version(db), 2);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2");

	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_STR(err, "");
	if (db != NULL)
		CHECK_INT(db_version(db), 4);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2,3,4");

	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2,3,4");
	tmp_destroy(&t);
}

/* A file written by a newer program is left alone. */
TEST(test_newer_file_refused)
{
	char err[256] = "", log[64];
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 3, err, sizeof(err));
	CHECK(db != NULL);
	db_close(&db);
	db = db_open(t.path, MIGRATIONS, 2, err, sizeof(err));
	CHECK(db == NULL);
	db_close(&db);
	CHECK_HAS(err, "schema version 3");
	CHECK_HAS(err, "newer than this program's 2");
	db = db_open(t.path, NULL, 0, err, sizeof(err));
	CHECK(db == NULL);
	db_close(&db);
	CHECK_HAS(err, "newer than this program's 0");
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 3);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2,3");
	tmp_destroy(&t);
}

/*
 * A migration that fails halfway leaves nothing of itself behind and the
 * version where it was; the next program that brings a good migration
 * finds the file usable.
 */
TEST(test_failing_migration)
{
	static const char *const bad[] = {
		MIGRATIONS[0],
		"CREATE TABLE half (x);"
		"INSERT INTO half VALUES (1);"
		"INSERT INTO log VALUES (2);"
		"INSERT INTO nosuch VALUES (1);",
	};
	static const char *const syntax[] = {
		MIGRATIONS[0],
		"CREATE TABLE half (x);"
		"CREATE TABEL oops (y);",
	};
	char err[256] = "", log[64];
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 1, err, sizeof(err));
	CHECK(db != NULL);
	db_close(&db);

	db = db_open(t.path, bad, 2, err, sizeof(err));
	CHECK(db == NULL);
	db_close(&db);
	CHECK_HAS(err, "migrating the schema to version 2");
	CHECK_HAS(err, "no such table: nosuch");
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 1);
	CHECK_INT(raw_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'half'"), 0);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1");

	err[0] = '\0';
	db = db_open(t.path, syntax, 2, err, sizeof(err));
	CHECK(db == NULL);
	db_close(&db);
	CHECK_HAS(err, "migrating the schema to version 2");
	CHECK_HAS(err, "syntax error");
	CHECK_INT(raw_int(t.path, "PRAGMA user_version"), 1);
	CHECK_INT(raw_int(t.path, "SELECT count(*) FROM sqlite_master WHERE name = 'half'"), 0);

	/* a fresh file: the first migration fails, the version stays 0 */
	err[0] = '\0';
	{
		tmp_t t2;

		if (tmp_new(&t2)) {
			db = db_open(t2.path, bad + 1, 1, err, sizeof(err));
			CHECK(db == NULL);
			db_close(&db);
			CHECK_HAS(err, "migrating the schema to version 1");
			CHECK_INT(raw_int(t2.path, "PRAGMA user_version"), 0);
			CHECK_INT(raw_int(t2.path, "SELECT count(*) FROM sqlite_master"), 0);
			tmp_destroy(&t2);
		}
	}

	/* nothing is left locked or half-open */
	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	if (db != NULL)
		CHECK_INT(db_version(db), 4);
	db_close(&db);
	applied(t.path, log, sizeof(log));
	CHECK_STR(log, "1,2,3,4");
	tmp_destroy(&t);
}

TEST(test_open_errors)
{
	char err[256] = "", path[192];
	tmp_t t;
	FILE *f;
	db_t *db;

	db = db_open("/nonexistent-trygg-dir/x/t.db", MIGRATIONS, 1, err, sizeof(err));
	CHECK(db == NULL);
	CHECK_HAS(err, "/nonexistent-trygg-dir/x/t.db");
	if (!tmp_new(&t))
		return;
	/* not a database */
	snprintf(path, sizeof(path), "%s/junk.db", t.dir);
	if ((f = fopen(path, "w")) != NULL) {
		for (int i = 0; i < 200; i++)
			fputs("this is not an SQLite database file\n", f);
		fclose(f);
	}
	err[0] = '\0';
	db = db_open(path, MIGRATIONS, 1, err, sizeof(err));
	CHECK(db == NULL);
	CHECK_HAS(err, path);
	CHECK_HAS(err, "not a database");
	tmp_destroy(&t);
}

static const char SQL_INSERT[] = "INSERT INTO item (name) VALUES (?1)";
static const char SQL_COUNT[] = "SELECT count(*) FROM item";
static const char SQL_NAMES[] = "SELECT name FROM item ORDER BY id";
static const char SQL_ECHO[] = "SELECT ?1";

TEST(test_stmt_cache)
{
	char err[256] = "";
	sqlite3_stmt *a, *b, *c, *e;
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		goto out;

	/* the same literal gives the same statement; others their own */
	a = db_stmt(db, SQL_INSERT);
	CHECK(a != NULL);
	CHECK(db_stmt(db, SQL_INSERT) == a);
	b = db_stmt(db, SQL_NAMES);
	CHECK(b != NULL && b != a);
	CHECK(db_stmt(db, SQL_INSERT) == a);
	CHECK(db_stmt(db, SQL_NAMES) == b);

	for (int i = 0; i < 3; i++) {
		static const char *const names[] = {"one", "two", "three"};

		a = db_stmt(db, SQL_INSERT);
		CHECK(sqlite3_bind_text(a, 1, names[i], -1, SQLITE_STATIC) == SQLITE_OK);
		CHECK_INT(sqlite3_step(a), SQLITE_DONE);
	}
	c = db_stmt(db, SQL_COUNT);
	CHECK_INT(sqlite3_step(c), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(c, 0), 3);

	/* reset: a statement left mid-way starts again from the first row */
	b = db_stmt(db, SQL_NAMES);
	CHECK_INT(sqlite3_step(b), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(b, 0), "one");
	CHECK_INT(sqlite3_step(b), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(b, 0), "two");
	CHECK(sqlite3_stmt_busy(b));
	b = db_stmt(db, SQL_NAMES);
	CHECK(!sqlite3_stmt_busy(b));
	CHECK_INT(sqlite3_step(b), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(b, 0), "one");

	/* unbound: a value bound last time is gone */
	e = db_stmt(db, SQL_ECHO);
	CHECK(sqlite3_bind_int(e, 1, 42) == SQLITE_OK);
	CHECK_INT(sqlite3_step(e), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(e, 0), 42);
	e = db_stmt(db, SQL_ECHO);
	CHECK_INT(sqlite3_step(e), SQLITE_ROW);
	CHECK_INT(sqlite3_column_type(e, 0), SQLITE_NULL);

	/* a failed insert leaves the statement usable for the next one */
	a = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(a, 1, "one", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(a), SQLITE_CONSTRAINT);
	CHECK_HAS(db_errmsg(db), "UNIQUE constraint failed: item.name");
	a = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(a, 1, "four", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(a), SQLITE_DONE);

	/* SQL that does not prepare: NULL, the reason in db_errmsg, not cached */
	CHECK(db_stmt(db, "SELECT * FROM nosuch") == NULL);
	CHECK_HAS(db_errmsg(db), "no such table: nosuch");
	CHECK(db_stmt(db, "SELEC 1") == NULL);
	CHECK_HAS(db_errmsg(db), "syntax error");
	c = db_stmt(db, SQL_COUNT);
	CHECK_INT(sqlite3_step(c), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(c, 0), 4);

	/* db_close finalizes every cached statement: nothing is left */
	CHECK(sqlite3_next_stmt(db_handle(db), NULL) != NULL);
	db_close(&db);
out:
	tmp_destroy(&t);
}

TEST(test_transactions)
{
	char err[256] = "";
	sqlite3_stmt *st;
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		goto out;

	CHECK_INT(db_begin(db), 0);
	CHECK(!sqlite3_get_autocommit(db_handle(db)));
	CHECK_INT(other_writer(t.path), SQLITE_BUSY);
	st = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(st, 1, "rolled back", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	/* BEGIN IMMEDIATE: the write lock is taken at once */
	CHECK_INT(raw_int(t.path, SQL_COUNT), 0);
	CHECK_INT(db_rollback(db), 0);
	CHECK(sqlite3_get_autocommit(db_handle(db)));
	CHECK_INT(q_int(db, SQL_COUNT), 0);

	CHECK_INT(db_begin(db), 0);
	st = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(st, 1, "kept", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	CHECK_INT(raw_int(t.path, SQL_COUNT), 0);       /* not yet visible */
	CHECK_INT(db_commit(db), 0);
	CHECK_INT(raw_int(t.path, SQL_COUNT), 1);       /* visible to others */

	/* misuse: -1 with SQLite's reason */
	CHECK_INT(db_commit(db), -1);
	CHECK_HAS(db_errmsg(db), "no transaction is active");
	CHECK_INT(db_rollback(db), -1);
	CHECK_HAS(db_errmsg(db), "no transaction is active");
	CHECK_INT(db_begin(db), 0);
	CHECK_INT(db_begin(db), -1);
	CHECK_HAS(db_errmsg(db), "within a transaction");
	CHECK_INT(db_rollback(db), 0);

	/* db_exec: several statements, or -1 with the reason */
	CHECK_INT(db_exec(db, "INSERT INTO item (name) VALUES ('a');"
	    "INSERT INTO item (name) VALUES ('b');"), 0);
	CHECK_INT(q_int(db, SQL_COUNT), 3);
	CHECK_INT(db_exec(db, "INSERT INTO nosuch VALUES (1)"), -1);
	CHECK_HAS(db_errmsg(db), "no such table: nosuch");
	/* foreign keys are enforced */
	CHECK_INT(db_exec(db, "INSERT INTO part VALUES (999)"), -1);
	CHECK_HAS(db_errmsg(db), "FOREIGN KEY constraint failed");
	db_close(&db);
out:
	tmp_destroy(&t);
}

/* A committed row is in the file: a new connection after close finds it. */
TEST(test_commit_survives_reopen)
{
	char err[256] = "";
	sqlite3_stmt *st;
	tmp_t t;
	db_t *db;

	if (!tmp_new(&t))
		return;
	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		goto out;
	CHECK_INT(db_begin(db), 0);
	st = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(st, 1, "durable", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	CHECK_INT(db_commit(db), 0);
	CHECK_INT(db_begin(db), 0);
	st = db_stmt(db, SQL_INSERT);
	sqlite3_bind_text(st, 1, "never committed", -1, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	db_close(&db);          /* with the transaction open */

	db = db_open(t.path, MIGRATIONS, 4, err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		goto out;
	st = db_stmt(db, SQL_NAMES);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "durable");
	CHECK_INT(sqlite3_step(st), SQLITE_DONE);
	CHECK_INT(db_version(db), 4);
	db_close(&db);
	CHECK_INT(raw_int(t.path, SQL_COUNT), 1);
out:
	tmp_destroy(&t);
}

TEST_MAIN(test_open_setup, test_no_migrations, test_migrations_in_order,
    test_reopen_applies_new, test_newer_file_refused, test_failing_migration,
    test_open_errors, test_stmt_cache, test_transactions,
    test_commit_survives_reopen)
