/*
 * test_backup.c: `trygg backup` of the running daemons under a submit
 * load, restored into a fresh data directory as README.md's "Backup and
 * restore" says: every incident acknowledged before the backup began is
 * there, every copy passes PRAGMA integrity_check, the daemons serve on it,
 * numbers go on without a gap or a reuse, and the links deliver what the
 * restored intake holds to reporting exactly once (the copies fit
 * together: cli/cmd_backup.c).
 */
#include "harness.h"
#include "json_in.h"
#include "load.h"
#include "mem.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define PRE_SUBMITS   600       /* acknowledged before the load and the backup */
#define BATCH         200       /* submits per batch of the load during the backup */
#define CLIENTS       8
#define SETTLE_MS     60000     /* the restored links drain within this, or the test fails */

static const char *const dbs[] = {"incidents.db", "escalations.db", "reporting.db"};
#define NDBS (sizeof(dbs) / sizeof(dbs[0]))

typedef struct {
	harness_t   *h;
	atomic_int   done;          /* batches acknowledged in full */
	atomic_bool  stop;
	atomic_int   failed;
} load_t;

static void *
load_thread(void *arg)
{
	load_t *l = arg;
	char prefix[32];

	for (int k = 0; !atomic_load(&l->stop); k++) {
		load_result_t r;

		snprintf(prefix, sizeof(prefix), "during-%d", k);
		if (load_submits(l->h, prefix, BATCH, CLIENTS, &r) < 0 || r.failed > 0) {
			atomic_fetch_add(&l->failed, 1);
			break;
		}
		atomic_store(&l->done, k + 1);
	}
	return NULL;
}

static void
sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

static int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n == 0 && fsync(out) < 0)
		n = -1;
	close(in);
	close(out);
	return n == 0 ? 0 : -1;
}

/* PRAGMA integrity_check of a file; "ok" or what it found (static) */
static const char *
integrity(const char *path)
{
	static char answer[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(answer, sizeof(answer), "cannot open");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(answer, sizeof(answer), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return answer;
}

/* one integer from a query with one text parameter, or -1 */
static long long
query_int(const char *path, const char *sql, const char *param)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* true when intake knows the client id */
static bool
has_incident(harness_t *h, const char *id)
{
	pack_t *req = harness_req("get");
	const msgpack_object *r;

	pack_kv_str(req, "id", id);
	pack_map_close(req);
	r = harness_call(h, H_INTAKE, req);
	pack_destroy(&req);
	return r != NULL && h_ok(r);
}

/* the serial of the newest incident (INC-YYYY-NNNNNN), 0 when none, -1 on no answer */
static long
newest_serial(harness_t *h)
{
	pack_t *req = harness_req("list");
	const msgpack_object *r, *list;
	const char *number;

	pack_kv_int(req, "limit", 1);
	pack_map_close(req);
	r = harness_call(h, H_INTAKE, req);
	pack_destroy(&req);
	if (r == NULL || !h_ok(r) || (list = h_get(r, "incidents")) == NULL ||
	    list->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	if (list->via.array.size == 0)
		return 0;
	number = h_str(&list->via.array.ptr[0], "number");
	return strlen(number) > 6 ? strtol(number + strlen(number) - 6, NULL, 10) : -1;
}

/* the backlog of a daemon's link, -1 when it does not answer */
static long long
backlog(harness_t *h, harness_daemon_t d, const char *link)
{
	pack_t *req = harness_req("status");
	const msgpack_object *r;

	pack_map_close(req);
	r = harness_call(h, d, req);
	pack_destroy(&req);
	if (r == NULL || !h_ok(r))
		return -1;
	return h_int(h_get(h_get(r, "links"), link), "backlog");
}

/* lagesbild of yesterday..tomorrow (UTC dates): "incidents" and "escalations", -1 when none */
static void
report_counts(harness_t *h, long long *incidents, long long *escalations)
{
	char period[64], d0[16], d1[16];
	time_t now = time(NULL), a = now - 86400, b = now + 86400;
	struct tm tm;
	pack_t *req = harness_req("report");
	const msgpack_object *r, *j, *c;
	char *content;

	strftime(d0, sizeof(d0), "%Y-%m-%d", gmtime_r(&a, &tm));
	strftime(d1, sizeof(d1), "%Y-%m-%d", gmtime_r(&b, &tm));
	snprintf(period, sizeof(period), "%s..%s", d0, d1);
	pack_kv_str(req, "kind", "lagesbild");
	pack_kv_str(req, "period", period);
	pack_map_close(req);
	r = harness_call(h, H_REPORTING, req);
	pack_destroy(&req);
	*incidents = *escalations = -1;
	if (r == NULL || !h_ok(r) || (c = h_get(r, "content")) == NULL ||
	    c->type != MSGPACK_OBJECT_STR)
		return;
	content = xstrndup(c->via.str.ptr, c->via.str.size);    /* h_str keeps 1 KiB */
	j = json_parse(content);
	free(content);
	if (j == NULL)
		return;
	*incidents = h_int(j, "incidents");
	*escalations = h_int(j, "escalations");
	/* every escalated incident has its escalation: external + reinforcement */
	if (*escalations != h_int(h_get(j, "by_escalation"), "external") +
	    h_int(h_get(j, "by_escalation"), "reinforcement"))
		*escalations = -2;
	json_free();
}

TEST(backup_under_load_and_restore)
{
	harness_t *h = harness_new(NULL), *h2;
	const harness_daemon_t ds[] = {H_INTAKE, H_ESCALATION, H_REPORTING};
	char dir[512], from[700], to[700], id[64], *out = NULL;
	load_t l = {.h = h};
	load_result_t r;
	pthread_t t;
	int before, after, missing = 0;
	long last, next;
	long long inc = -1, esc = -1;

	for (size_t i = 0; i < 3; i++)
		CHECK_INT(harness_start(h, ds[i]), 0);
	CHECK_INT(load_submits(h, "pre", PRE_SUBMITS, CLIENTS, &r), 0);
	CHECK_INT(r.failed, 0);

	/* the backup, taken while a load goes on */
	atomic_init(&l.done, 0);
	atomic_init(&l.stop, false);
	atomic_init(&l.failed, 0);
	CHECK_INT(pthread_create(&t, NULL, load_thread, &l), 0);
	while (atomic_load(&l.done) < 1 && atomic_load(&l.failed) == 0)
		sleep_ms(5);
	before = atomic_load(&l.done);          /* acknowledged in full before it began */
	snprintf(dir, sizeof(dir), "%s/backup-1", h->dir);
	CHECK_INT(harness_cli(h, &out, (const char *const[]){"backup", dir, NULL}), 0);
	after = atomic_load(&l.done);
	atomic_store(&l.stop, true);
	pthread_join(t, NULL);
	CHECK_INT(atomic_load(&l.failed), 0);
	printf("# backup: %d batches of %d acknowledged before it, taken while the next "
	    "was in flight, %d more finished during it\n%s", before, BATCH, after - before, out);
	for (size_t i = 0; i < NDBS; i++)
		CHECK_HAS(out, dbs[i]);
	free(out);

	/* private: the folder and every copy for the owner only */
	{
		struct stat sb;

		CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 077) == 0);
		for (size_t i = 0; i < NDBS; i++) {
			snprintf(from, sizeof(from), "%s/%s", dir, dbs[i]);
			CHECK(stat(from, &sb) == 0 && (sb.st_mode & 077) == 0);
		}
	}
	/* the copies fit: no sender acknowledged more than its receiver's copy applied */
	{
		static const char *const links[][4] = {
			{"incidents.db", "escalation", "escalations.db", "trygg-intake"},
			{"incidents.db", "reporting", "reporting.db", "trygg-intake"},
			{"escalations.db", "reporting", "reporting.db", "trygg-escalation"},
		};

		for (size_t i = 0; i < 3; i++) {
			char s[700], rcv[700];
			long long acked, applied;

			snprintf(s, sizeof(s), "%s/%s", dir, links[i][0]);
			snprintf(rcv, sizeof(rcv), "%s/%s", dir, links[i][2]);
			acked = query_int(s, "SELECT acked FROM link_out WHERE link = ?1", links[i][1]);
			applied = query_int(rcv, "SELECT applied FROM link_in WHERE source = ?1",
			    links[i][3]);
			if (acked > (applied < 0 ? 0 : applied))
				test_fail(__FILE__, __LINE__, "%s's link %s acknowledged %lld, but %s "
				    "applied %lld", links[i][0], links[i][1], acked, links[i][2], applied);
		}
	}
	for (size_t i = 0; i < 3; i++)
		CHECK_INT(harness_kill(h, ds[i], SIGTERM) >> 8, 0);

	/* restore: into a fresh data directory, the copies only (no -wal, no -shm) */
	h2 = harness_new(NULL);
	snprintf(to, sizeof(to), "%s/data", h2->dir);
	CHECK(mkdir(to, 0750) == 0 || errno == EEXIST);
	for (size_t i = 0; i < NDBS; i++) {
		snprintf(from, sizeof(from), "%s/%s", dir, dbs[i]);
		snprintf(to, sizeof(to), "%s/data/%s", h2->dir, dbs[i]);
		CHECK_INT(copy_file(from, to), 0);
		CHECK_STR(integrity(to), "ok");
	}
	harness_destroy(&h);
	for (size_t i = 0; i < 3; i++)
		CHECK_INT(harness_start(h2, ds[i]), 0);

	/* every incident acknowledged before the backup began */
	for (int n = 0; n < PRE_SUBMITS; n++) {
		snprintf(id, sizeof(id), "pre-%d", n);
		missing += !has_incident(h2, id);
	}
	for (int k = 0; k < before; k++)
		for (int n = 0; n < BATCH; n++) {
			snprintf(id, sizeof(id), "during-%d-%d", k, n);
			missing += !has_incident(h2, id);
		}
	CHECK_INT(missing, 0);

	/* it serves, and the numbers go on from the restored ones */
	last = newest_serial(h2);
	CHECK(last >= PRE_SUBMITS + before * BATCH);
	CHECK_INT(load_submits(h2, "after", 20, 4, &r), 0);
	CHECK_INT(r.failed, 0);
	next = newest_serial(h2);
	CHECK_INT(next, last + 20);

	/* the links deliver what the restored intake holds, each once */
	for (int waited = 0; waited < SETTLE_MS; waited += 200) {
		report_counts(h2, &inc, &esc);
		if (inc == next && esc >= 0 && backlog(h2, H_INTAKE, "escalation") == 0 &&
		    backlog(h2, H_INTAKE, "reporting") == 0 &&
		    backlog(h2, H_ESCALATION, "reporting") == 0)
			break;
		sleep_ms(200);
	}
	CHECK_INT(inc, next);
	CHECK(esc >= 0);
	harness_destroy(&h2);
}

/* a stopped set is copied too; a backup is never overwritten; usage */
TEST(backup_stopped_and_refusals)
{
	harness_t *h = harness_new(NULL);
	char dir[512], path[700], *out = NULL;
	load_result_t r;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_start(h, H_REPORTING), 0);
	CHECK_INT(load_submits(h, "s", 50, 2, &r), 0);
	CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
	CHECK_INT(harness_kill(h, H_REPORTING, SIGTERM) >> 8, 0);

	/* escalation never ran here: its database is said to be missing, the rest copied */
	snprintf(dir, sizeof(dir), "%s/b", h->dir);
	CHECK_INT(harness_cli(h, &out, (const char *const[]){"backup", dir, NULL}), 0);
	CHECK_HAS(out, "escalations.db: no ");
	CHECK_HAS(out, "incidents.db");
	free(out);
	snprintf(path, sizeof(path), "%s/incidents.db-wal", dir);
	CHECK(access(path, F_OK) != 0);         /* the copy is whole without it */
	snprintf(path, sizeof(path), "%s/incidents.db", dir);
	CHECK_STR(integrity(path), "ok");
	CHECK_INT(query_int(path, "SELECT count(*) FROM incidents WHERE client_id LIKE ?1", "s-%"), 50);

	CHECK_INT(harness_cli(h, &out, (const char *const[]){"backup", dir, NULL}), 74);
	CHECK_HAS(out, "never overwritten");
	free(out);
	CHECK_INT(harness_cli(h, &out, (const char *const[]){"backup", NULL}), 64);
	free(out);
	CHECK_INT(harness_cli(h, &out, (const char *const[]){"--json", "backup",
	    "/proc/no-such/dir", NULL}), 74);
	free(out);
	harness_destroy(&h);
}

TEST_MAIN(backup_under_load_and_restore, backup_stopped_and_refusals)
