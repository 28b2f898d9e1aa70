/*
 * db.c: SQLite with WAL, synchronous=FULL, schema versions and a cache of
 * prepared statements keyed by their SQL text.
 *
 * In WAL mode with synchronous=FULL the WAL is synced at every commit, so a
 * transaction that db_commit() reported is on disk and survives a crash of
 * the process or the machine (sqlite.org/pragma.html#pragma_synchronous).
 */
#include "db.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_BUSY_TIMEOUT_MS 5000

struct db {
	sqlite3 *handle;
	struct db_cached {
		const char   *sql;      /* the caller's literal; compared by address */
		sqlite3_stmt *stmt;
	} *cache;
	int ncache;
};

static int
db_pragma_int(sqlite3 *h, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Applies migrations from the file's version up, each in its own transaction. */
static int
db_migrate(db_t *db, const char *const *migrations, size_t n, char *err, size_t errlen)
{
	int version = 0;
	char *msg = NULL;

	if (db_pragma_int(db->handle, "PRAGMA user_version", &version) < 0) {
		snprintf(err, errlen, "reading the schema version: %s",
		    sqlite3_errmsg(db->handle));
		return -1;
	}
	if (version > (int)n) {
		snprintf(err, errlen, "the database has schema version %d, newer than "
		    "this program's %zu", version, n);
		return -1;
	}
	for (size_t v = (size_t)version; v < n; v++) {
		char set[64];

		snprintf(set, sizeof(set), "PRAGMA user_version = %zu", v + 1);
		if (sqlite3_exec(db->handle, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->handle, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->handle, set, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->handle, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migrating the schema to version %zu: %s",
			    v + 1, msg ? msg : sqlite3_errmsg(db->handle));
			sqlite3_free(msg);
			sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

db_t *
db_open(const char *path, const char *const *migrations, size_t nmigrations,
    char *err, size_t errlen)
{
	db_t *db = xcalloc(1, sizeof(*db));
	char *msg = NULL;

	if (sqlite3_open_v2(path, &db->handle,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "opening %s: %s", path,
		    db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
		db_close(&db);
		return NULL;
	}
	sqlite3_busy_timeout(db->handle, DB_BUSY_TIMEOUT_MS);
	if (sqlite3_exec(db->handle,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "setting up %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		db_close(&db);
		return NULL;
	}
	if (db_migrate(db, migrations, nmigrations, err, errlen) < 0) {
		db_close(&db);
		return NULL;
	}
	return db;
}

void
db_close(db_t **self_p)
{
	db_t *db;

	if (self_p == NULL || (db = *self_p) == NULL)
		return;
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	free(db->cache);
	sqlite3_close(db->handle);
	free(db);
	*self_p = NULL;
}

sqlite3 *
db_handle(db_t *db)
{
	return db->handle;
}

sqlite3_stmt *
db_stmt(db_t *db, const char *sql)
{
	sqlite3_stmt *st;

	for (int i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			st = db->cache[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK)
		return NULL;
	db->cache = xrealloc(db->cache, (size_t)(db->ncache + 1) * sizeof(*db->cache));
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].stmt = st;
	db->ncache++;
	return st;
}

int
db_exec(db_t *db, const char *sql)
{
	return sqlite3_exec(db->handle, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
db_begin(db_t *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(db_t *db)
{
	return db_exec(db, "COMMIT");
}

int
db_rollback(db_t *db)
{
	return db_exec(db, "ROLLBACK");
}

const char *
db_errmsg(db_t *db)
{
	return sqlite3_errmsg(db->handle);
}

int
db_version(db_t *db)
{
	int v = -1;

	db_pragma_int(db->handle, "PRAGMA user_version", &v);
	return v;
}
