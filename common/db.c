/*
 * db.c: SQLite with WAL, synchronous=FULL, schema versions and a cache of
 * prepared statements keyed by their SQL text.
 *
 * In WAL mode with synchronous=FULL the WAL is synced at every commit, so a
 * transaction that db_commit() reported is on disk and survives a crash of
 * the process or the machine (sqlite.org/pragma.html#pragma_synchronous).
 * The folder is synced once the file and its WAL exist, and again when a
 * new WAL appears, so that their names survive a crash too (db_sync_dir).
 */
#include "db.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DB_BUSY_TIMEOUT_MS 5000
#define DB_STR_(x) #x
#define DB_STR(x)  DB_STR_(x)

struct db {
	sqlite3 *handle;
	struct db_cached {
		const char   *sql;      /* the caller's literal; compared by address */
		sqlite3_stmt *stmt;
	} *cache;
	int ncache;
	char *wal_path;             /* set by db_defer_sync */
	int   wal_fd;               /* -1 until the first db_sync */
	pthread_mutex_t wal_lock;   /* guards wal_fd */
	sqlite3 *ckpt;              /* the checkpointing thread's own connection */
	/* shared with the checkpointing thread, read and written atomically */
	int   wal_pages;            /* WAL frames after the last commit (wal hook) */
	int   wal_gen;              /* counts WAL restarts */
	int   backfilled;           /* frames of WAL generation wal_gen copied */
	/* a restart under way: db_begin holds the writer back (db.h) */
	int   restarting;           /* read atomically by db_begin, written under restart_lock */
	pthread_mutex_t restart_lock;
	pthread_cond_t  restart_done;   /* restarting, parked or gave_up changed */
	bool  parked;               /* the writer waits in db_begin */
	bool  gave_up;              /* ... and went on after DB_RESTART_WAIT_MS */
	int   retry_pages;          /* no new last pass below this size; atomic */
	int   hold_pages;           /* db_wal_over not below this size (db_wal_hold); atomic */
	uint64_t passes;            /* db_checkpoint_run calls ended; atomic */
	uint64_t restarts;          /* read and written atomically */
};

/*
 * Syncs the folder that holds path. A new file's name is an entry in its
 * folder, and POSIX does not promise that the entry survives a crash until
 * the folder itself is synced (fsync(2)); SQLite syncs the files it writes,
 * not the folder. 0, or -1 with errno set.
 */
static int
db_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc, error;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	error = errno;
	close(fd);
	errno = error;
	return rc;
}

/* SQLite calls this after every commit with the WAL's size in frames. */
static int
db_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	db_t *db = arg;

	if (pages < __atomic_load_n(&db->wal_pages, __ATOMIC_RELAXED)) {
		/* the WAL started again from its beginning */
		__atomic_add_fetch(&db->wal_gen, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&db->backfilled, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&db->restarts, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&db->retry_pages, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&db->hold_pages, 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&db->wal_pages, pages, __ATOMIC_RELAXED);
	return SQLITE_OK;
}

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

/* 1 when the open database journals in WAL mode, 0 when not. */
static int
db_journal_mode_is_wal(db_t *db)
{
	sqlite3_stmt *st;
	int wal = 0;

	if (sqlite3_prepare_v2(db->handle, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		wal = sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

/*
 * PRAGMA quick_check: every page and b-tree reachable and well formed,
 * without the index-against-table comparison of integrity_check; a file
 * damaged in the middle is refused at start instead of failing requests
 * later. README.md says what it costs at a million incidents.
 */
static int
db_quick_check(db_t *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *first = NULL;
	char what[200] = "";
	int rc;

	if ((rc = sqlite3_prepare_v2(db->handle, "PRAGMA quick_check", -1, &st, NULL)) == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			first = (const char *)sqlite3_column_text(st, 0);
		if (first != NULL && strcmp(first, "ok") == 0) {
			sqlite3_finalize(st);
			return 0;
		}
		snprintf(what, sizeof(what), "%s", first ? first : sqlite3_errmsg(db->handle));
		sqlite3_finalize(st);
		/* its report comes in lines; the log wants one */
		for (char *nl = what; (nl = strchr(nl, '\n')) != NULL; )
			*nl = ' ';
	} else {
		snprintf(what, sizeof(what), "%s", sqlite3_errmsg(db->handle));
	}
	snprintf(err, errlen, "%s is damaged (quick_check: %s); it was not changed. "
	    "See \"Recovering a damaged database\" in README.md", path, what);
	return -1;
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

/*
 * Before SQLite's first use in the process. Memory statistics off: with
 * them on (Debian's default), every allocation SQLite makes takes a global
 * mutex and asks malloc for the block's size, and Debian's build has no
 * lookaside, so a submit makes a few hundred of them. Nothing in trygg
 * reads sqlite3_memory_used. Too late (SQLite already initialised by
 * someone else) is harmless: SQLITE_MISUSE, and the default stays.
 */
static void
db_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The writer's open (checked, migrated, its folder synced) or a reader's (writer false). */
static db_t *
db_open_as(const char *path, const char *const *migrations, size_t nmigrations,
    bool writer, char *err, size_t errlen)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	db_t *db = xcalloc(1, sizeof(*db));
	char *msg = NULL;

	pthread_once(&configured, db_configure);
	db->wal_fd = -1;
	pthread_mutex_init(&db->wal_lock, NULL);
	pthread_mutex_init(&db->restart_lock, NULL);
	pthread_cond_init(&db->restart_done, NULL);
	/* a reader opens read-write too: WAL readers write the -shm index */
	if (sqlite3_open_v2(path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (writer ? SQLITE_OPEN_CREATE : 0), NULL) != SQLITE_OK) {
		snprintf(err, errlen, "opening %s: %s", path,
		    db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
		db_close(&db);
		return NULL;
	}
	sqlite3_busy_timeout(db->handle, DB_BUSY_TIMEOUT_MS);
	if (sqlite3_db_readonly(db->handle, "main") == 1) {
		/* SQLite opens a file it cannot write read-only, without a word */
		snprintf(err, errlen, "%s cannot be written (check its owner and "
		    "permissions, and those of its folder)", path);
		db_close(&db);
		return NULL;
	}
	if (sqlite3_exec(db->handle,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA journal_size_limit = " DB_STR(DB_WAL_LIMIT_BYTES) ";",
	    NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(db->handle);

		snprintf(err, errlen, "setting up %s: %s%s", path, msg ? msg : "?",
		    code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? "; see \"Recovering a "
		    "damaged database\" in README.md" : "");
		sqlite3_free(msg);
		db_close(&db);
		return NULL;
	}
	if (!writer)
		return db;      /* the writer checked and migrated the file */
	if (db_quick_check(db, path, err, errlen) < 0) {
		db_close(&db);
		return NULL;
	}
	if (db_journal_mode_is_wal(db) == 0) {
		snprintf(err, errlen, "%s: the database cannot use WAL journaling "
		    "(is it on a network file system?)", path);
		db_close(&db);
		return NULL;
	}
	if (db_migrate(db, migrations, nmigrations, err, errlen) < 0) {
		db_close(&db);
		return NULL;
	}
	/* the file and its WAL exist now (the WAL from the first read on); their
	 * names must outlive a crash as their contents do */
	if (db_sync_dir(path) < 0) {
		snprintf(err, errlen, "syncing the folder of %s: %s", path, strerror(errno));
		db_close(&db);
		return NULL;
	}
	return db;
}

db_t *
db_open(const char *path, const char *const *migrations, size_t nmigrations,
    char *err, size_t errlen)
{
	return db_open_as(path, migrations, nmigrations, true, err, errlen);
}

db_t *
db_open_reader(const char *path, char *err, size_t errlen)
{
	return db_open_as(path, NULL, 0, false, err, errlen);
}

int
db_int(db_t *db, const char *sql, int64_t null_value, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_type(st, 0) == SQLITE_NULL ? null_value :
		    sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
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
	if (db->ckpt)
		sqlite3_close(db->ckpt);
	sqlite3_close(db->handle);
	if (db->wal_fd >= 0)
		close(db->wal_fd);
	free(db->wal_path);
	pthread_mutex_destroy(&db->wal_lock);
	pthread_mutex_destroy(&db->restart_lock);
	pthread_cond_destroy(&db->restart_done);
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

/* Runs a cached statement that returns no rows; 0 or -1. */
static int
db_step_done(db_t *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* now + ms on the clock pthread_cond_timedwait uses */
static void
db_deadline(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_nsec += ms * 1000000L;
	t->tv_sec += t->tv_nsec / 1000000000L;
	t->tv_nsec %= 1000000000L;
}

int
db_begin(db_t *db)
{
	if (__atomic_load_n(&db->restarting, __ATOMIC_ACQUIRE)) {
		struct timespec until;

		/* let the checkpointer's last pass catch up (db.h), a bounded while */
		db_deadline(&until, DB_RESTART_WAIT_MS);
		pthread_mutex_lock(&db->restart_lock);
		if (db->restarting) {
			db->parked = true;
			pthread_cond_broadcast(&db->restart_done);
		}
		while (db->restarting) {
			if (pthread_cond_timedwait(&db->restart_done, &db->restart_lock, &until) ==
			    ETIMEDOUT) {
				db->gave_up = db->restarting;
				break;
			}
		}
		db->parked = false;
		pthread_mutex_unlock(&db->restart_lock);
	}
	return db_step_done(db, "BEGIN IMMEDIATE");
}

int
db_commit(db_t *db)
{
	return db_step_done(db, "COMMIT");
}

int
db_rollback(db_t *db)
{
	return db_step_done(db, "ROLLBACK");
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

int
db_defer_sync(db_t *db, char *err, size_t errlen)
{
	const char *path = sqlite3_db_filename(db->handle, "main");
	size_t n;

	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "deferred sync needs a database file");
		return -1;
	}
	if (db_exec(db, "PRAGMA synchronous = NORMAL") < 0 ||
	    db_exec(db, "PRAGMA wal_autocheckpoint = 0") < 0) {
		snprintf(err, errlen, "deferring syncs: %s", db_errmsg(db));
		return -1;
	}
	if (sqlite3_open_v2(path, &db->ckpt, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(db->ckpt, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "opening a checkpoint connection to %s: %s", path,
		    db->ckpt ? sqlite3_errmsg(db->ckpt) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(db->ckpt, DB_BUSY_TIMEOUT_MS);
	sqlite3_wal_hook(db->handle, db_wal_hook, db);
	n = strlen(path) + 5;
	db->wal_path = xmalloc(n);
	snprintf(db->wal_path, n, "%s-wal", path);
	return 0;
}

int
db_sync(db_t *db)
{
	struct stat st;
	int rc;

	pthread_mutex_lock(&db->wal_lock);
	/* SQLite keeps its WAL file while the connection is open; if it was
	 * removed anyway (st_nlink 0), the next open finds the new one */
	if (db->wal_fd >= 0 && (fstat(db->wal_fd, &st) < 0 || st.st_nlink == 0)) {
		close(db->wal_fd);
		db->wal_fd = -1;
	}
	if (db->wal_fd < 0 && db->wal_path != NULL) {
		/* a WAL made since db_open synced the folder: its name too */
		if ((db->wal_fd = open(db->wal_path, O_RDONLY | O_CLOEXEC)) >= 0 &&
		    db_sync_dir(db->wal_path) < 0) {
			close(db->wal_fd);
			db->wal_fd = -1;
			pthread_mutex_unlock(&db->wal_lock);
			return -1;
		}
	}
	if (db->wal_fd < 0) {
		/* no WAL yet means nothing was committed through it */
		rc = errno == ENOENT ? 0 : -1;
	} else {
		rc = fdatasync(db->wal_fd);
	}
	pthread_mutex_unlock(&db->wal_lock);
	return rc;
}

/* Runs one checkpoint of mode on the checkpoint connection; SQLite's code. */
static int
db_checkpoint_run(db_t *db, int mode)
{
	int gen = __atomic_load_n(&db->wal_gen, __ATOMIC_RELAXED);
	int log = 0, done = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(db->ckpt, NULL, mode, &log, &done);
	/* a count from before a restart must not stand for the new WAL */
	if ((rc == SQLITE_OK || rc == SQLITE_BUSY) && done >= 0 &&
	    __atomic_load_n(&db->wal_gen, __ATOMIC_RELAXED) == gen)
		__atomic_store_n(&db->backfilled, done, __ATOMIC_RELAXED);
	__atomic_add_fetch(&db->passes, 1, __ATOMIC_RELEASE);
	return rc;
}

int
db_checkpoint(db_t *db)
{
	struct timespec until;
	int pages, rc;
	bool gave_up;

	if (!db_checkpoint_due(db))
		return 0;
	/* the bulk of the copying, beside the writer */
	if ((rc = db_checkpoint_run(db, SQLITE_CHECKPOINT_PASSIVE)) != SQLITE_OK)
		return rc == SQLITE_BUSY ? 0 : -1;
	pages = __atomic_load_n(&db->wal_pages, __ATOMIC_RELAXED);
	if (pages < DB_WAL_RESTART_PAGES ||
	    (pages < __atomic_load_n(&db->retry_pages, __ATOMIC_RELAXED) && !db_wal_over(db)) ||
	    pages - __atomic_load_n(&db->backfilled, __ATOMIC_RELAXED) >= DB_CHECKPOINT_PAGES)
		return 1;       /* not due, or too much left for a short last pass */

	/*
	 * The last pass: the writer waits at its next db_begin (or goes on
	 * after DB_RESTART_WAIT_MS) while the few pages written since are
	 * copied; its next transaction then finds the whole WAL copied and
	 * starts it afresh. No lock of SQLite's is held against it.
	 */
	db_deadline(&until, DB_RESTART_WAIT_MS);
	pthread_mutex_lock(&db->restart_lock);
	__atomic_store_n(&db->restarting, 1, __ATOMIC_RELEASE);
	db->gave_up = false;
	/* a writer that is idle, or inside a long transaction, is not waited for */
	while (!db->parked && pthread_cond_timedwait(&db->restart_done, &db->restart_lock,
	    &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&db->restart_lock);
	rc = db_checkpoint_run(db, SQLITE_CHECKPOINT_PASSIVE);
	pthread_mutex_lock(&db->restart_lock);
	__atomic_store_n(&db->restarting, 0, __ATOMIC_RELEASE);
	gave_up = db->gave_up;
	pthread_cond_broadcast(&db->restart_done);
	pthread_mutex_unlock(&db->restart_lock);
	/*
	 * Done: no new pass until the writer's next commit has started the WAL
	 * over (the wal hook clears retry_pages). The writer could not wait
	 * that long, or a reader holds old pages: not before the WAL has grown
	 * a quarter more.
	 */
	__atomic_store_n(&db->retry_pages, gave_up || __atomic_load_n(&db->backfilled,
	    __ATOMIC_RELAXED) < pages ? pages + DB_WAL_RESTART_PAGES / 4 : pages + 1,
	    __ATOMIC_RELAXED);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 1 : -1;
}

bool
db_checkpoint_due(db_t *db)
{
	int pages = __atomic_load_n(&db->wal_pages, __ATOMIC_RELAXED);

	return db->ckpt != NULL && (pages - __atomic_load_n(&db->backfilled,
	    __ATOMIC_RELAXED) >= DB_CHECKPOINT_PAGES || (pages >= DB_WAL_RESTART_PAGES &&
	    pages >= __atomic_load_n(&db->retry_pages, __ATOMIC_RELAXED)) || db_wal_over(db));
}

bool
db_wal_over(db_t *db)
{
	int pages = __atomic_load_n(&db->wal_pages, __ATOMIC_RELAXED);
	int hold = __atomic_load_n(&db->hold_pages, __ATOMIC_RELAXED);

	return db->ckpt != NULL && pages >= DB_WAL_HARD_PAGES && pages >= hold &&
	    __atomic_load_n(&db->backfilled, __ATOMIC_RELAXED) < pages;
}

uint64_t
db_checkpoint_passes(db_t *db)
{
	return __atomic_load_n(&db->passes, __ATOMIC_ACQUIRE);
}

void
db_wal_hold(db_t *db)
{
	__atomic_store_n(&db->hold_pages, __atomic_load_n(&db->wal_pages, __ATOMIC_RELAXED) +
	    DB_WAL_RESTART_PAGES / 4, __ATOMIC_RELAXED);
}

uint64_t
db_wal_restarts(db_t *db)
{
	return __atomic_load_n(&db->restarts, __ATOMIC_RELAXED);
}
