/*
 * db.h: the SQLite helper every daemon uses for the one database it owns.
 *
 * db_open() sets WAL with synchronous=FULL (a commit is on disk when
 * db_commit() returns), a busy timeout, foreign keys, and brings the schema
 * up to date: migrations[i] takes the schema from version i to i+1, and
 * PRAGMA user_version records where a file stands. Statements are prepared
 * once and cached by their SQL text; nothing is ever formatted into SQL.
 */
#ifndef TRYGG_DB_H
#define TRYGG_DB_H

#include <stddef.h>

#include <sqlite3.h>

typedef struct db db_t;

db_t *db_open(const char *path, const char *const *migrations, size_t nmigrations,
    char *err, size_t errlen);
void db_close(db_t **self_p);
sqlite3 *db_handle(db_t *db);
/* The cached statement for sql (a string literal), reset and unbound; NULL on error. */
sqlite3_stmt *db_stmt(db_t *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -1 */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
/* Runs statements without results; 0 or -1. */
int db_exec(db_t *db, const char *sql);
const char *db_errmsg(db_t *db);
/* the schema version of the open file */
int db_version(db_t *db);

#endif
