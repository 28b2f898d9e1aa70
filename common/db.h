/*
 * db.h: the SQLite helper every daemon uses for the one database it owns.
 *
 * db_open() sets WAL with synchronous=FULL (a commit is on disk when
 * db_commit() returns, unless db_defer_sync() below is used), a busy timeout, foreign keys, and brings the schema
 * up to date: migrations[i] takes the schema from version i to i+1, and
 * PRAGMA user_version records where a file stands. Statements are prepared
 * once and cached by their SQL text; nothing is ever formatted into SQL.
 */
#ifndef TRYGG_DB_H
#define TRYGG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

typedef struct db db_t;

#define DB_CHECKPOINT_PAGES 1000        /* checkpoint when idle past this many WAL pages */
/*
 * Checkpoints copy the WAL into the database and sync it; on a shared disk
 * that I/O slows the WAL syncs that replies wait for, so it happens when the
 * writer is idle. Under load that never pauses, the WAL grows to
 * DB_WAL_MAX_PAGES at most.
 */
#define DB_WAL_MAX_PAGES    65536       /* checkpoint at this size (256 MiB) in any case */

db_t *db_open(const char *path, const char *const *migrations, size_t nmigrations,
    char *err, size_t errlen);
/*
 * A second connection to a file db_open made, for a reader thread: no
 * check, no migration (the writer's open did both), no create.
 */
db_t *db_open_reader(const char *path, char *err, size_t errlen);
void db_close(db_t **self_p);
sqlite3 *db_handle(db_t *db);
/* The cached statement for sql (a string literal), reset and unbound; NULL on error. */
sqlite3_stmt *db_stmt(db_t *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -1 */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
/*
 * Runs a cached statement without parameters that answers one number
 * ("SELECT max(id) FROM t"): *out gets it, or null_value for NULL. 0 or -1.
 */
int db_int(db_t *db, const char *sql, int64_t null_value, int64_t *out);
/* Runs statements without results; 0 or -1. */
int db_exec(db_t *db, const char *sql);
const char *db_errmsg(db_t *db);
/* Commits stop syncing the WAL; the caller syncs with db_sync(). 0 or -1. */
int db_defer_sync(db_t *db, char *err, size_t errlen);
/*
 * Makes every transaction committed so far durable (fdatasync of the WAL).
 * Thread-safe against the connection's own use. 0, or -1 with errno set.
 */
int db_sync(db_t *db);
/*
 * From a checkpointing thread (syncer.c), when the writer is idle: copies
 * every WAL page into the database on a connection of its own. With no
 * write going on it copies all of it, and the writer's next transaction
 * starts the WAL afresh. Returns 1 when it ran, 0 when there was nothing to
 * do, -1 on an error (the next call tries again).
 */
int db_checkpoint(db_t *db);
/* true when the WAL holds DB_CHECKPOINT_PAGES not yet copied */
bool db_checkpoint_due(db_t *db);
/*
 * From the writer, between transactions: once the WAL reaches
 * DB_WAL_MAX_PAGES because the load never paused, runs a passive checkpoint
 * here and now (a stall of a database sync, to keep the WAL bounded; with
 * no other connection reading, it copies all of it). 0 or -1.
 */
int db_checkpoint_forced(db_t *db);

/* the schema version of the open file */
int db_version(db_t *db);

#endif
