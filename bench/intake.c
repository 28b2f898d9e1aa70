/*
 * bench/intake: trygg-intake against what this machine can do.
 *
 * The limit is a minimal group-commit server written here, honestly
 * minimal: a ROUTER that drains its queue (up to 256 requests), stores
 * each request's bytes in one SQLite transaction per batch (WAL,
 * synchronous=FULL, SQLite's own checkpoints), and answers {"ok": true}
 * after the commit. No validation, no indexes, no links, no reads. It runs
 * in a child process, as trygg-intake does, on the same disk.
 *
 * A third server marks what storing alone costs: the minimal server's
 * loop, but each request stored as trygg-intake stores a new incident,
 * with no parsing or checks (fixed field values of a typical submit):
 * the incident row in trygg-intake's own schema (read from the
 * incidents.db the daemon made, so the two never drift apart) with its
 * index entries, the outbox row for the links, and an audit entry through
 * common/audit.c with the head moved once per commit. Its share is the
 * most that any server storing the same can reach here; trygg-intake's
 * share of it says how lean the rest of the daemon is.
 *
 * All are loaded alternately in the same run, for SECONDS each, first by
 * 32 REQ clients (one submit in flight each), then by 4 pipelined DEALER
 * clients (128 in flight each, within trygg-intake's 1,024 slots). The
 * share is trygg-intake's acknowledged rate over the minimal server's.
 * Latency is from send to reply, every request of the run: p50, p99,
 * p99.9 and max (a checkpoint that stalls the writer shows in the last
 * two). The WAL file's size is sampled every 5 ms.
 *
 * Then: bytes on disk per incident (incidents.db after a clean stop,
 * divided by the incidents in it; the outbox and indexes included), and
 * the first submit after a restart on that file (the next number is one
 * lookup, not a scan of the year).
 *
 *   build/bench/intake BINDIR [SECONDS]     (default 10, or TRYGG_BENCH_SECONDS)
 *
 * The targets: share >= 0.8 with 32 clients, >= 0.5 pipelined,
 * p99 < 5 ms and p99.9 < 20 ms with 32 clients over a 60 s run, the WAL
 * never above its cap (common/db.h). The verdict line checks them, the
 * latency and WAL targets apart from the shares, and says when a share
 * target is above what minimal+store itself reaches.
 */
#include "audit.h"
#include "buf.h"
#include "db.h"
#include "harness.h"
#include "load.h"
#include "mem.h"
#include "ts.h"

#include <errno.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#define BENCH_SECONDS        10
#define BENCH_REQ_CLIENTS    32
#define BENCH_PIPE_CLIENTS   4
#define BENCH_PIPE_DEPTH     128
#define BENCH_MIN_BATCH      256
#define BENCH_TARGET_SHARE_REQ  0.8
#define BENCH_TARGET_SHARE_PIPE 0.5
#define BENCH_TARGET_P99_MS  5.0
#define BENCH_TARGET_P999_MS 20.0
#define BENCH_RESTART_MS     600000     /* the restart may take this long */
/* the cap: the writer waits past DB_WAL_HARD_PAGES; one batch of 256 adds under 2 MiB */
#define BENCH_WAL_CAP        ((DB_WAL_HARD_PAGES + 512LL) * 4096)

static volatile sig_atomic_t bench_min_quit;

static void
bench_min_signal(int sig)
{
	bench_min_quit = sig;
}

/*
 * The store server's database: trygg-intake's schema, read from the
 * incidents.db whose path comes on fd, plus the audit tables; NULL on error.
 */
static db_t *
bench_store_open(const char *dir, int fd)
{
	char ref[600], path[600], err[256];
	ssize_t n = read(fd, ref, sizeof(ref) - 1);
	buf_t schema = BUF_INIT;
	const char *mig[1];
	sqlite3 *r;
	sqlite3_stmt *st;
	db_t *db;

	if (n <= 0)
		return NULL;
	ref[n] = '\0';
	if (sqlite3_open_v2(ref, &r, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
	    " AND name NOT LIKE 'audit%' ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench store: %s: %s\n", ref, sqlite3_errmsg(r));
		sqlite3_close(r);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_puts(&schema, (const char *)sqlite3_column_text(st, 0));
		buf_puts(&schema, ";");
	}
	sqlite3_finalize(st);
	sqlite3_close(r);
	mig[0] = buf_str(&schema);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	db = db_open(path, mig, 1, err, sizeof(err));
	buf_free(&schema);
	if (db == NULL || audit_init(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench store: %s\n", err);
		db_close(&db);
		return NULL;
	}
	return db;
}

/* Stores request n as trygg-intake stores a new incident; 0 or -1. */
static int
bench_store_one(db_t *db, long n, int64_t now)
{
	static const char *const teams[] = {"vasastaden", "ryd", "skaggetorp"};
	sqlite3_stmt *inc = db_stmt(db, "INSERT INTO incidents (number, client_id, fingerprint,"
	    " team, district, category, severity, summary, reporter, details, location,"
	    " occurred_at, received_at, updated_at, level, escalation, status) VALUES (?1, ?2,"
	    " ?3, ?4, 'Ryd', 'skadegorelse', 3, 'Klotter på skolans vägg, ******-**** nämnd',"
	    " 'trygghetsvärd', 'Upptäckt vid kvällsrundan; fastighetsägaren kontaktad.', NULL,"
	    " ?5, ?5, ?5, 'omrade', 'none', 'open')");
	sqlite3_stmt *out = db_stmt(db, "INSERT INTO outbox (type, incident, created_at,"
	    " reporting) VALUES ('incident.created', ?1, ?2, 'pending')");
	char number[32], id[32];
	audit_entry_t e = {.at = now, .actor = "local", .op = "submit", .target = number,
	    .outcome = "ok", .detail = ""};
	int rc;

	if (inc == NULL || out == NULL)
		return -1;
	snprintf(number, sizeof(number), "INC-2026-%06ld", n);
	snprintf(id, sizeof(id), "store-%ld", n);
	sqlite3_bind_text(inc, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(inc, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(inc, 3, n);
	sqlite3_bind_text(inc, 4, teams[n % 3], -1, SQLITE_STATIC);
	sqlite3_bind_int64(inc, 5, now);
	rc = sqlite3_step(inc);
	sqlite3_reset(inc);
	if (rc != SQLITE_DONE)
		return -1;
	sqlite3_bind_int64(out, 1, sqlite3_last_insert_rowid(db_handle(db)));
	sqlite3_bind_int64(out, 2, now);
	rc = sqlite3_step(out);
	sqlite3_reset(out);
	return rc == SQLITE_DONE ? audit_append(db, &e) : -1;
}

/*
 * The minimal server, in the child; never returns. With store_fd >= 0, the
 * store server: each request stored as an incident (bench_store_one).
 */
static noreturn void
bench_minimal(const char *dir, int store_fd)
{
	static const unsigned char ok[] = {0x81, 0xa2, 'o', 'k', 0xc3};   /* {"ok": true} */
	static zmq_msg_t ids[BENCH_MIN_BATCH], bodies[BENCH_MIN_BATCH];
	const char *name = store_fd >= 0 ? "store" : "minimal";
	char path[512], endpoint[600];
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	db_t *sdb = NULL;
	void *zctx, *router;
	long stored = 0;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, bench_min_signal);
	if (store_fd >= 0) {
		if ((sdb = bench_store_open(dir, store_fd)) == NULL)
			_exit(1);
	} else {
		snprintf(path, sizeof(path), "%s/minimal.db", dir);
		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)",
		    NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "INSERT INTO t (body) VALUES (?1)", -1, &st, NULL) !=
		    SQLITE_OK) {
			fprintf(stderr, "bench minimal: %s\n", sqlite3_errmsg(db));
			_exit(1);
		}
	}
	zctx = zmq_ctx_new();
	router = zmq_socket(zctx, ZMQ_ROUTER);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/%s.sock", dir, name);
	if (zmq_bind(router, endpoint) < 0) {
		fprintf(stderr, "bench %s: bind %s: %s\n", name, endpoint, zmq_strerror(errno));
		_exit(1);
	}
	while (!bench_min_quit) {
		zmq_pollitem_t it = {router, 0, ZMQ_POLLIN, 0};
		int64_t now = ts_now();
		int n = 0, rc = 0;

		if (zmq_poll(&it, 1, 1000) <= 0)
			continue;
		/* [identity][empty][body], as REQ and DEALER clients send it */
		while (n < BENCH_MIN_BATCH) {
			zmq_msg_t empty;

			zmq_msg_init(&ids[n]);
			if (zmq_msg_recv(&ids[n], router, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&ids[n]);
				break;
			}
			zmq_msg_init(&empty);
			zmq_msg_recv(&empty, router, 0);
			zmq_msg_close(&empty);
			zmq_msg_init(&bodies[n]);
			zmq_msg_recv(&bodies[n], router, 0);
			n++;
		}
		if (sdb != NULL) {
			/* commits and syncs in place (no deferred sync), as the minimal one */
			rc = db_begin(sdb);
			for (int i = 0; i < n && rc == 0; i++)
				rc = bench_store_one(sdb, ++stored, now);
			if (rc < 0 || audit_seal(sdb) < 0 || db_commit(sdb) < 0) {
				fprintf(stderr, "bench store: %s\n", db_errmsg(sdb));
				_exit(1);
			}
		} else {
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
			for (int i = 0; i < n; i++) {
				sqlite3_bind_blob(st, 1, zmq_msg_data(&bodies[i]),
				    (int)zmq_msg_size(&bodies[i]), SQLITE_STATIC);
				sqlite3_step(st);
				sqlite3_reset(st);
			}
			if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
				fprintf(stderr, "bench minimal: commit: %s\n", sqlite3_errmsg(db));
				_exit(1);
			}
		}
		for (int i = 0; i < n; i++) {
			zmq_msg_send(&ids[i], router, ZMQ_SNDMORE);
			zmq_send(router, "", 0, ZMQ_SNDMORE);
			zmq_send(router, ok, sizeof(ok), 0);
			zmq_msg_close(&bodies[i]);
		}
	}
	zmq_close(router);
	zmq_ctx_term(zctx);
	sqlite3_finalize(st);
	sqlite3_close(db);
	db_close(&sdb);
	_exit(0);
}

/* Waits until the server at endpoint answers; 0 or -1. */
static int
bench_wait_up(void *zctx, const char *endpoint)
{
	pack_t *p = harness_req("ping");
	const void *data;
	size_t len;
	int rc = -1;

	pack_map_close(p);
	data = pack_data(p, &len);
	for (int tries = 0; tries < 50 && rc < 0; tries++) {
		void *s = zmq_socket(zctx, ZMQ_REQ);
		int linger = 0;
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};

		zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_connect(s, endpoint);
		zmq_send(s, data, len, 0);
		if (zmq_poll(&it, 1, 200) == 1)
			rc = 0;
		zmq_close(s);
	}
	pack_destroy(&p);
	return rc;
}

static void
bench_row(const char *clients, const char *server, const load_sustained_t *r)
{
	printf("  %-16s %-13s %9.0f %7.2f %7.2f %7.2f %8.2f %8.1f %7ld\n", clients, server,
	    r->rate, r->p50_ms, r->p99_ms, r->p999_ms, r->max_ms, (double)r->wal_max / 1048576.0,
	    r->failed);
}

static long long
bench_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* One submit on a fresh REQ socket: its round trip in ms, -1 when it failed. */
static double
bench_one_submit(harness_t *h, const char *id)
{
	pack_t *p = pack_new();
	double t0, ms;

	load_build_submit(p, (void *)id, 0);
	t0 = load_now();
	ms = h_ok(harness_call(h, H_INTAKE, p)) ? (load_now() - t0) * 1000.0 : -1;
	pack_destroy(&p);
	return ms;
}

int
main(int argc, char **argv)
{
	const char *env = getenv("TRYGG_BENCH_SECONDS");
	double seconds = argc > 2 ? atof(argv[2]) : env ? atof(env) : BENCH_SECONDS;
	char mdir[] = "/tmp/trygg-bench-minimal-XXXXXX", mend[600], mwal[600];
	char send_[600], swal[600];
	char wal[700], dbpath[600], cmd[700];
	static const char *const names[3] = {"trygg-intake", "minimal", "minimal+store"};
	load_sustained_t r[2][3];       /* [REQ, pipelined][intake, minimal, minimal+store] */
	long long incidents = 0, bytes;
	double first_ms, share[2], share_store[2];
	bool ok = true;
	harness_t *h;
	pid_t child, store;
	int sp[2];
	sqlite3 *db;

	if (seconds <= 0) {
		fprintf(stderr, "usage: bench/intake BINDIR [SECONDS]\n");
		return 64;
	}
	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	if (mkdtemp(mdir) == NULL)
		return 1;
	/* before any ZeroMQ context exists in this process */
	if (pipe(sp) < 0)
		return 1;
	if ((child = fork()) == 0) {
		close(sp[0]);
		close(sp[1]);
		bench_minimal(mdir, -1);
	}
	if ((store = fork()) == 0) {
		close(sp[1]);
		bench_minimal(mdir, sp[0]);
	}
	close(sp[0]);
	snprintf(mend, sizeof(mend), "ipc://%s/minimal.sock", mdir);
	snprintf(mwal, sizeof(mwal), "%s/minimal.db-wal", mdir);
	snprintf(send_, sizeof(send_), "ipc://%s/store.sock", mdir);
	snprintf(swal, sizeof(swal), "%s/store.db-wal", mdir);

	h = harness_new(NULL);
	snprintf(dbpath, sizeof(dbpath), "%s/data/incidents.db", h->dir);
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	/* the store server takes trygg-intake's schema from the file it made */
	if (harness_start(h, H_INTAKE) < 0 ||
	    write(sp[1], dbpath, strlen(dbpath)) != (ssize_t)strlen(dbpath) ||
	    bench_wait_up(h->zctx, mend) < 0 || bench_wait_up(h->zctx, send_) < 0) {
		fprintf(stderr, "bench/intake: a server did not start\n");
		kill(child, SIGTERM);
		kill(store, SIGTERM);
		return 1;
	}
	close(sp[1]);

	printf("bench/intake: trygg-intake and a minimal group-commit server, alternately, "
	    "%.0f s each\n", seconds);
	printf("  %-16s %-13s %9s %7s %7s %7s %8s %8s %7s\n", "clients", "server", "acked/s",
	    "p50 ms", "p99", "p99.9", "max", "WAL MiB", "failed");
	for (int mode = 0; mode < 2; mode++) {
		load_opts_t o = {
			.clients = mode ? BENCH_PIPE_CLIENTS : BENCH_REQ_CLIENTS,
			.depth = mode ? BENCH_PIPE_DEPTH : 1,
			.seconds = seconds,
		};
		char label[32];

		snprintf(label, sizeof(label), mode ? "%d DEALER x %d" : "%d REQ", o.clients,
		    o.depth);
		/* the order turns between the modes, so that none always goes first */
		for (int k = 0; k < 3; k++) {
			int server = (k + mode) % 3;
			char prefix[32];

			snprintf(prefix, sizeof(prefix), "bench-%d", mode);
			o.endpoint = server == 2 ? send_ : server ? mend : h->endpoint[H_INTAKE];
			o.wal = server == 2 ? swal : server ? mwal : wal;
			o.prefix = prefix;
			if (load_sustained(h->zctx, &o, &r[mode][server]) < 0)
				ok = false;
			ok = ok && r[mode][server].failed == 0;
		}
		for (int server = 0; server < 3; server++)
			bench_row(label, names[server], &r[mode][server]);
		share[mode] = r[mode][1].rate > 0 ? r[mode][0].rate / r[mode][1].rate : 0;
		share_store[mode] = r[mode][1].rate > 0 ? r[mode][2].rate / r[mode][1].rate : 0;
	}
	printf("  share of the minimal server: %.2f with %d REQ clients (target >= %.1f), "
	    "%.2f pipelined (target >= %.1f)\n", share[0], BENCH_REQ_CLIENTS,
	    BENCH_TARGET_SHARE_REQ, share[1], BENCH_TARGET_SHARE_PIPE);
	printf("  storing alone (minimal+store) reaches %.2f and %.2f of it; trygg-intake "
	    "reaches %.2f and %.2f of minimal+store\n", share_store[0], share_store[1],
	    r[0][2].rate > 0 ? r[0][0].rate / r[0][2].rate : 0,
	    r[1][2].rate > 0 ? r[1][0].rate / r[1][2].rate : 0);

	/* bytes per incident, after a clean stop; then the first submit after the restart */
	harness_kill(h, H_INTAKE, SIGTERM);
	bytes = bench_file_size(dbpath) + bench_file_size(wal);
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM incidents", -1, &st, NULL) ==
		    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			incidents = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	printf("  bytes on disk per incident   %8.0f   (%lld incidents, %.1f MiB, "
	    "indexes and outbox included)\n", incidents ? (double)bytes / (double)incidents : 0,
	    incidents, (double)bytes / 1048576.0);
	/* a long run leaves gigabytes, which the start's integrity check reads */
	h->start_ms = BENCH_RESTART_MS;
	{
		double t0 = load_now();

		if (harness_start(h, H_INTAKE) < 0)
			return 1;
		printf("  restart to the first ping   %8.2f s  (with quick_check of %.0f MiB)\n",
		    load_now() - t0, (double)bytes / 1048576.0);
	}
	first_ms = bench_one_submit(h, "bench-after-restart");
	printf("  first submit after a restart %8.2f ms (then %.2f ms)\n", first_ms,
	    bench_one_submit(h, "bench-after-restart-2"));
	ok = ok && first_ms >= 0;
	{
		bool lat = ok && r[0][0].p99_ms < BENCH_TARGET_P99_MS &&
		    r[0][0].p999_ms < BENCH_TARGET_P999_MS && r[0][0].wal_max <= BENCH_WAL_CAP &&
		    r[1][0].wal_max <= BENCH_WAL_CAP;
		bool shares = share[0] >= BENCH_TARGET_SHARE_REQ &&
		    share[1] >= BENCH_TARGET_SHARE_PIPE;

		printf("  verdict: %s (latency and WAL: %s; shares: %s)\n",
		    lat && shares ? "meets the targets" : "BELOW TARGET",
		    lat ? "met" : "NOT MET", shares ? "met" : "NOT MET");
		if (!shares && (share_store[0] < BENCH_TARGET_SHARE_REQ ||
		    share_store[1] < BENCH_TARGET_SHARE_PIPE))
			printf("  (storing alone reaches %.2f and %.2f here: a share target above "
			    "that is out of reach for any server that stores the same)\n",
			    share_store[0], share_store[1]);
	}

	kill(child, SIGTERM);
	kill(store, SIGTERM);
	waitpid(child, NULL, 0);
	waitpid(store, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", mdir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench/intake: cannot remove %s\n", mdir);
	harness_destroy(&h);
	return ok ? 0 : 1;
}
