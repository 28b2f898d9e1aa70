/*
 * cmd_backup.c: trygg backup DIR: a copy of every daemon's database in
 * data_dir, taken while the daemons run, that can be restored as a set.
 *
 * Each database is copied with SQLite's online backup API from a read
 * transaction held for the whole copy. In WAL mode a reader never blocks
 * the daemon's writer, and one snapshot for the whole copy means the copy
 * never starts over: a backup that takes its read lock step by step
 * restarts whenever another connection commits, which a busy daemon does
 * every few milliseconds. The cost is the daemon's WAL: its checkpoints
 * (passive, common/db.c) cannot reset it past the snapshot, so it grows by
 * what is written during the copy and is reset at the next idle checkpoint
 * after. Pages go BACKUP_STEP_PAGES at a time with a pause between, so the
 * read I/O does not come in one burst beside the syncs the daemon's replies
 * wait for.
 *
 * One set, one cut. A durable link keeps the sender's acknowledged
 * watermark (table link_out, per epoch) in the sender's database and the
 * receiver's applied one (link_in) in the receiver's (common/link.h).
 * Copies taken moments apart must still fit together once restored:
 *
 *   receiver copied after its sender: it may hold ids that the restored
 *     sender has not written yet; the sender writes new events under
 *     those ids and the receiver skips them as applied: lost. So every
 *     receiver is copied before its senders (backup_dbs: reporting,
 *     escalation, intake).
 *   sender copied after its receiver: it may hold acknowledgements of
 *     events the receiver's copy lacks, and would never send them again.
 *     So in the sender's copy each link's watermark is lowered to what the
 *     receiver's copy applied, of the same epoch (0 for another epoch or
 *     none): restored, the sender sends them again and the receiver
 *     applies each once (backup_links).
 *
 * Copies are written as NAME.partial in DIR (mode 0700, files 0600),
 * checked with PRAGMA integrity_check, synced, renamed into place, and the
 * folder synced. An existing copy is never overwritten.
 */
#include "cli.h"
#include "dir.h"
#include "log.h"
#include "ts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define BACKUP_STEP_PAGES   256     /* pages copied per step (1 MiB at 4 KiB pages) */
#define BACKUP_PAUSE_MS     2       /* between steps */
#define BACKUP_BUSY_MS      5000    /* wait for a lock on either file at most this long */

/* The daemons' databases, every receiver before its senders (see above). */
static const struct {
	const char *file;               /* in data_dir */
	const char *daemon;             /* whose it is */
} backup_dbs[] = {
	{"reporting.db", "trygg-reporting"},
	{"escalations.db", "trygg-escalation"},
	{"incidents.db", "trygg-intake"},
};
#define BACKUP_NDBS (sizeof(backup_dbs) / sizeof(backup_dbs[0]))

/* The durable links: the sender's link_out row and the receiver's link_in row. */
static const struct {
	const char *sender;             /* its database file */
	const char *link;               /* link_out.link */
	const char *receiver;           /* its database file */
	const char *source;             /* link_in.source: the sending daemon */
} backup_links[] = {
	{"incidents.db", "escalation", "escalations.db", "trygg-intake"},
	{"incidents.db", "reporting", "reporting.db", "trygg-intake"},
	{"escalations.db", "reporting", "reporting.db", "trygg-escalation"},
};

typedef struct {
	bool     copied, renamed;
	int64_t  pages, bytes, ms;
	char     partial[4096], final[4096];
} backup_copy_t;

static void
backup_sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* Removes a file and the journal files SQLite may have left beside it. */
static void
backup_unlink_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[4200];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

/* Copies src into dst from one read snapshot; 0, or -1 with err filled. */
static int
backup_copy(const char *src_path, backup_copy_t *c, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int64_t t0 = ts_now();
	int rc;

	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "opening %s: %s", src_path, sqlite3_errmsg(src));
		goto fail;
	}
	sqlite3_busy_timeout(src, BACKUP_BUSY_MS);
	/* the snapshot: the read transaction lasts until the copy is done */
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "reading %s: %s", src_path, sqlite3_errmsg(src));
		goto fail;
	}
	backup_unlink_db(c->partial);
	if (sqlite3_open_v2(c->partial, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "creating %s: %s", c->partial, sqlite3_errmsg(dst));
		goto fail;
	}
	sqlite3_busy_timeout(dst, BACKUP_BUSY_MS);
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errlen, "copying %s: %s", src_path, sqlite3_errmsg(dst));
		goto fail;
	}
	while ((rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) == SQLITE_OK ||
	    rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		backup_sleep_ms(BACKUP_PAUSE_MS);
	c->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copying %s into %s: %s", src_path, c->partial,
		    sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(src);
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(err, errlen, "closing %s: %s", c->partial, sqlite3_errmsg(dst));
		return -1;
	}
	c->ms = ts_now() - t0;
	c->copied = true;
	return 0;
fail:
	sqlite3_close(src);
	sqlite3_close(dst);
	return -1;
}

/* One integer column of the row where key = name in table, or -1 with *found false. */
static int
backup_row(sqlite3 *db, const char *sql, const char *name, char *epoch, size_t elen,
    int64_t *value, bool *found)
{
	sqlite3_stmt *st;
	int rc;

	*found = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return strstr(sqlite3_errmsg(db), "no such table") ? 0 : -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(epoch, elen, "%s", (const char *)sqlite3_column_text(st, 0));
		*value = sqlite3_column_int64(st, 1);
		*found = true;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Lowers a link's watermark in the sender's copy to what the receiver's
 * copy applied. Returns 0 (with *from, *to set when lowered; *to == *from
 * otherwise), or -1 with err filled.
 */
static int
backup_fit_link(const char *sender, const char *receiver, const char *link,
    const char *source, int64_t *from, int64_t *to, char *err, size_t errlen)
{
	sqlite3 *s = NULL, *r = NULL;
	char out_epoch[64] = "", in_epoch[64] = "";
	int64_t acked = 0, applied = 0;
	bool has_out, has_in;
	sqlite3_stmt *st;
	int rc = -1;

	*from = *to = 0;
	if (sqlite3_open_v2(receiver, &r, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(sender, &s, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto done;
	if (backup_row(r, "SELECT epoch, applied FROM link_in WHERE source = ?1", source,
	    in_epoch, sizeof(in_epoch), &applied, &has_in) < 0 ||
	    backup_row(s, "SELECT epoch, acked FROM link_out WHERE link = ?1", link,
	    out_epoch, sizeof(out_epoch), &acked, &has_out) < 0)
		goto done;
	if (!has_in || strcmp(in_epoch, out_epoch) != 0)
		applied = 0;    /* the receiver's copy has nothing of this epoch */
	*from = *to = acked;
	if (!has_out || acked <= applied) {
		rc = 0;
		goto done;
	}
	if (sqlite3_prepare_v2(s, "UPDATE link_out SET acked = ?1 WHERE link = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(st, 1, applied);
	sqlite3_bind_text(st, 2, link, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc == 0)
		*to = applied;
done:
	if (rc < 0)
		snprintf(err, errlen, "fitting link %s of %s to %s: %s", link, sender, receiver,
		    sqlite3_errmsg(s != NULL ? s : r));
	sqlite3_close(s);
	sqlite3_close(r);
	return rc;
}

/* PRAGMA integrity_check of a copy: 0 when "ok", else -1 with its first answer in err. */
static int
backup_check(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	} else if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	} else {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		snprintf(err, errlen, "%s", v ? v : "(null)");
		rc = v != NULL && strcmp(v, "ok") == 0 ? 0 : -1;
	}
	sqlite3_finalize(st);
	if (sqlite3_close(db) != SQLITE_OK)
		rc = -1;
	return rc;
}

static int
backup_fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void
backup_print(cli_t *cli, const char *dir, backup_copy_t *copies, const char *notes)
{
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_kv_str(p, "dir", dir);
		pack_key(p, "databases");
		pack_array_open(p);
		for (size_t i = 0; i < BACKUP_NDBS; i++) {
			if (!copies[i].copied)
				continue;
			pack_map_open(p);
			pack_kv_str(p, "file", backup_dbs[i].file);
			pack_kv_int(p, "pages", copies[i].pages);
			pack_kv_int(p, "bytes", copies[i].bytes);
			pack_kv_int(p, "ms", copies[i].ms);
			pack_kv_str(p, "integrity", "ok");
			pack_map_close(p);
		}
		pack_array_close(p);
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
		fputs(notes, stderr);
		return;
	}
	fputs(notes, stdout);
	for (size_t i = 0; i < BACKUP_NDBS; i++)
		if (copies[i].copied)
			printf("%-16s %8lld pages %10lld bytes %6lld ms  integrity ok\n",
			    backup_dbs[i].file, (long long)copies[i].pages,
			    (long long)copies[i].bytes, (long long)copies[i].ms);
	printf("backup in %s\n", dir);
}

int cmd_backup(cli_t *cli, int argc, char **argv);     /* main.c's table names it */

int
cmd_backup(cli_t *cli, int argc, char **argv)
{
	backup_copy_t copies[BACKUP_NDBS];
	buf_t notes = BUF_INIT;
	const char *dir;
	char err[10240];
	size_t ncopied = 0;
	int rc = EXIT_IOERR;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("usage: trygg backup DIR");
	dir = argv[1];
	memset(copies, 0, sizeof(copies));
	umask(077);
	if (dir_make(dir, 0700) < 0) {
		fprintf(stderr, "trygg: backup: creating %s: %s\n", dir, strerror(errno));
		return EXIT_IOERR;
	}
	for (size_t i = 0; i < BACKUP_NDBS; i++) {
		backup_copy_t *c = &copies[i];
		struct stat sb;

		snprintf(c->final, sizeof(c->final), "%s/%s", dir, backup_dbs[i].file);
		snprintf(c->partial, sizeof(c->partial), "%s/%s.partial", dir, backup_dbs[i].file);
		if (lstat(c->final, &sb) == 0) {
			fprintf(stderr, "trygg: backup: %s exists; a backup is never overwritten: "
			    "give a new folder\n", c->final);
			return EXIT_IOERR;
		}
	}

	for (size_t i = 0; i < BACKUP_NDBS; i++) {
		char src[4096];
		struct stat sb;

		snprintf(src, sizeof(src), "%s/%s", cli->cfg->data_dir, backup_dbs[i].file);
		if (stat(src, &sb) < 0 && errno == ENOENT) {
			buf_printf(&notes, "%s: no %s here (%s runs elsewhere or has not run): "
			    "not copied\n", backup_dbs[i].file, src, backup_dbs[i].daemon);
			continue;
		}
		if (backup_copy(src, &copies[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "trygg: backup: %s\n", err);
			goto out;
		}
		ncopied++;
	}
	if (ncopied == 0) {
		fprintf(stderr, "%strygg: backup: no database in %s: run the backup where the "
		    "daemons keep their data\n", buf_str(&notes), cli->cfg->data_dir);
		goto out;
	}

	for (size_t i = 0; i < sizeof(backup_links) / sizeof(backup_links[0]); i++) {
		backup_copy_t *s = NULL, *r = NULL;
		int64_t from, to;

		for (size_t j = 0; j < BACKUP_NDBS; j++) {
			if (strcmp(backup_dbs[j].file, backup_links[i].sender) == 0)
				s = &copies[j];
			if (strcmp(backup_dbs[j].file, backup_links[i].receiver) == 0)
				r = &copies[j];
		}
		if (!s->copied || !r->copied) {
			if (s->copied || r->copied)
				buf_printf(&notes, "link %s -> %s: only one end copied; restore it "
				    "with the other end's backup of the same time\n",
				    backup_links[i].sender, backup_links[i].receiver);
			continue;
		}
		if (backup_fit_link(s->partial, r->partial, backup_links[i].link,
		    backup_links[i].source, &from, &to, err, sizeof(err)) < 0) {
			fprintf(stderr, "trygg: backup: %s\n", err);
			goto out;
		}
		if (to != from)
			buf_printf(&notes, "%s: link %s acknowledged %lld, %s copied up to %lld: "
			    "after a restore the %lld between are sent again\n",
			    backup_links[i].sender, backup_links[i].link, (long long)from,
			    backup_links[i].receiver, (long long)to, (long long)(from - to));
	}

	for (size_t i = 0; i < BACKUP_NDBS; i++) {
		backup_copy_t *c = &copies[i];
		struct stat sb;

		if (!c->copied)
			continue;
		if (backup_check(c->partial, err, sizeof(err)) < 0) {
			fprintf(stderr, "trygg: backup: %s fails PRAGMA integrity_check: %s\n",
			    c->partial, err);
			goto out;
		}
		if (stat(c->partial, &sb) < 0 || backup_fsync_path(c->partial, O_RDONLY) < 0 ||
		    rename(c->partial, c->final) < 0) {
			fprintf(stderr, "trygg: backup: writing %s: %s\n", c->final, strerror(errno));
			goto out;
		}
		c->renamed = true;
		c->bytes = (int64_t)sb.st_size;
	}
	if (backup_fsync_path(dir, O_RDONLY | O_DIRECTORY) < 0) {
		fprintf(stderr, "trygg: backup: syncing %s: %s\n", dir, strerror(errno));
		goto out;
	}
	backup_print(cli, dir, copies, buf_str(&notes));
	rc = 0;
out:
	/* a failed run leaves nothing that could pass for a backup */
	for (size_t i = 0; rc != 0 && i < BACKUP_NDBS; i++) {
		backup_unlink_db(copies[i].partial);
		if (copies[i].renamed)
			unlink(copies[i].final);
	}
	buf_free(&notes);
	return rc;
}
