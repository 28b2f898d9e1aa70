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

/*
 * Checkpoints copy the WAL into the database and sync it. They run on a
 * thread of their own (syncer.c) with a connection of their own, never on
 * the writer's: a passive checkpoint whenever DB_CHECKPOINT_PAGES wait to
 * be copied (after a sync, or when idle), which copies beside the writer
 * and blocks nobody. Under load that never pauses a passive checkpoint
 * never catches the writer, and the WAL would only grow: the writer can
 * start the WAL over only when its transaction begins with all of it
 * copied. So once the WAL holds DB_WAL_RESTART_PAGES and nearly all of it
 * is copied, the checkpointer makes a last pass while db_begin holds the
 * writer back, DB_RESTART_WAIT_MS at most (then the writer goes on and the
 * restart waits until the WAL has grown a quarter more). No SQLite lock is
 * taken against the writer, so nothing makes it wait longer. The restarted
 * WAL file is cut back to DB_WAL_LIMIT_BYTES (PRAGMA journal_size_limit).
 * A reader's old snapshot keeps the WAL from restarting, never loses pages.
 *
 * The one exception to "nobody waits": a checkpointer that keeps falling
 * behind a saturated writer makes every restart fail, and the WAL would
 * grow without end. Past DB_WAL_HARD_PAGES (db_wal_over) the writer stops
 * before its next transaction while the checkpointer copies the rest
 * (syncer_catch_up), DB_WAL_HARD_WAIT_MS at most, and its next transaction
 * starts the WAL over. When a reader's snapshot is what holds the copy
 * back, waiting cannot help: the writer goes on at once, and is not held
 * again before the WAL has grown a quarter of DB_WAL_RESTART_PAGES more.
 */
#define DB_CHECKPOINT_PAGES  1000       /* copy the WAL past this many pages not yet copied */
#define DB_WAL_RESTART_PAGES 2048       /* start the WAL afresh past this size (8 MiB) */
#define DB_WAL_LIMIT_BYTES   8388608    /* journal_size_limit: 8 MiB */
#define DB_RESTART_WAIT_MS   20         /* the writer waits this long for a last pass, at most */
#define DB_WAL_HARD_PAGES    (DB_WAL_RESTART_PAGES * 7 / 4)  /* past this (14 MiB) the writer waits */
#define DB_WAL_HARD_WAIT_MS  500        /* ... this long at most */

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
/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -1. db_begin first waits (at
 * most DB_RESTART_WAIT_MS) while the checkpointer makes its last pass.
 */
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
 * From the checkpointing thread (syncer.c): copies the WAL into the
 * database on a connection of its own (passive: nobody waits), and when
 * the WAL has reached DB_WAL_RESTART_PAGES, makes the last pass that lets
 * the writer start it over (see above). Returns 1 when it ran, 0 when
 * there was nothing to do or it was busy, -1 on an error (the next call
 * tries again).
 */
int db_checkpoint(db_t *db);
/* true when the WAL holds DB_CHECKPOINT_PAGES not yet copied, or is due a restart */
bool db_checkpoint_due(db_t *db);
/*
 * true when the WAL is past DB_WAL_HARD_PAGES (or the back-off db_wal_hold
 * set) and not all copied: the writer should let the checkpointer catch up.
 */
bool db_wal_over(db_t *db);
/* Copy passes made so far (each db_checkpoint run), for a waiter to count. */
uint64_t db_checkpoint_passes(db_t *db);
/* A wait could not help (a reader holds old pages): not again before the WAL grows more. */
void db_wal_hold(db_t *db);
/* How many times the writer started the WAL afresh (db_defer_sync connections). */
uint64_t db_wal_restarts(db_t *db);

/* the schema version of the open file */
int db_version(db_t *db);

#endif
