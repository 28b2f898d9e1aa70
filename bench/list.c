/*
 * bench/list: every combination of list's filters against a real
 * trygg-intake holding a million incidents.
 *
 * trygg-intake is started once to create incidents.db with its real
 * schema and stopped; the incidents are then written straight into that
 * file in one transaction (an honest mix: three teams of very different
 * size, most incidents closed, the newest ones mostly open, one incident a
 * minute for almost two years), and the daemon is started again on it.
 * Each combination of team, status, since, before and limit is asked REPS
 * times on one REQ socket; p50 and max of the round trip are printed
 * beside the 10 ms target and beside a baseline measured in the same run
 * on the same file: the same page read without any index (newest first by
 * row, every filter tested row by row, as schema 1 did for team and
 * status), once, through SQLite directly: no daemon, no packing.
 *
 * Then the mixed run: 32 clients submit (tests/load.h) alone, and again
 * while one more client repeats the heaviest list (closed incidents, a
 * page of 1000) without pause; twice each, alternating. Reads run beside
 * the writer, so the submit rate with the lister should stay within 20 %
 * of the rate without it.
 *
 * Beside the lists, what a million incidents cost the daemon, next to the
 * same daemon on an empty file: the start-up (ping answered after the
 * start, quick_check of the whole file included), resident memory
 * (VmRSS after the start, VmHWM at the end, /proc), a get's p99 (by client
 * id, BENCH_GETS of them, spread over the file), and every list
 * combination's p99 (with REPS under 100 that is the slowest).
 *
 *   build/bench/list BINDIR [INCIDENTS] [REPS]
 */
#include "harness.h"
#include "load.h"
#include "mem.h"

#include <pthread.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define BENCH_INCIDENTS  1000000
#define BENCH_REPS       20
#define BENCH_GETS       2000           /* gets timed for the p99 */
#define BENCH_EMPTY_SUBMITS 20000       /* submits on the empty file, then gets of them */
#define BENCH_TARGET_MS  10.0
#define BENCH_NEWEST_OPEN 20000         /* the newest ones: half of them open */
#define BENCH_STEP_MS    60000          /* one incident a minute */
#define BENCH_T0_MS      1733011200000LL /* 2024-12-01T00:00:00Z */
#define BENCH_DAY_MS     86400000LL
#define BENCH_MIXED_TOTAL 20000         /* submits per mixed run */
#define BENCH_MIXED_CLIENTS 32
#define BENCH_MIXED_TARGET 0.8          /* rate with the lister / rate without */

static double
bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* a small deterministic generator, so every run lists the same data */
static uint64_t bench_seed = 88172645463325252ULL;

static uint32_t
bench_rand(void)
{
	bench_seed ^= bench_seed << 13;
	bench_seed ^= bench_seed >> 7;
	bench_seed ^= bench_seed << 17;
	return (uint32_t)(bench_seed >> 32);
}

static const struct {
	const char *team, *district;
	int         share;              /* per thousand */
} bench_teams[] = {
	{"omradesteam-1", "Skäggetorp", 600},
	{"omradesteam-2", "Ryd", 390},
	{"omradesteam-3", "Berga", 10},
};

static const char *const bench_categories[] = {
	"skadegorelse", "ordningsstorning", "buskorning", "nedskrapning", "otrygg_plats",
};

/* the wall clock in ms, for "since" on the empty file */
static int64_t
ts_now_ms_bench(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The UTC year of ms (good enough for numbering test data). */
static int
bench_year(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

/* Writes n incidents into the daemon's file; returns seconds, or -1. */
static double
bench_fill(const char *path, int n, char mid_number[32], int64_t *last_ms)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0 = bench_now();
	int year = 0, seq = 0;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; BEGIN", NULL, NULL,
	    NULL);
	if (sqlite3_prepare_v2(db,
	    "INSERT INTO incidents (number, client_id, fingerprint, team, district, category,"
	    " severity, summary, reporter, details, occurred_at, received_at, updated_at, level,"
	    " escalation, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " 'Klotter på skolans vägg vid centrum', 'trygghetsvärd',"
	    " 'Upptäckt vid kvällsrundan; fastighetsägaren kontaktad.', ?8, ?8, ?8, 'omrade',"
	    " ?9, ?10)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int64_t at = BENCH_T0_MS + (int64_t)i * BENCH_STEP_MS;
		uint32_t r = bench_rand();
		int pick = (int)(r % 1000), t = 0, open;
		char number[32], id[32];

		while (pick >= bench_teams[t].share) {
			pick -= bench_teams[t].share;
			t++;
		}
		if (bench_year(at) != year) {
			year = bench_year(at);
			seq = 0;
		}
		snprintf(number, sizeof(number), "INC-%04d-%06d", year, ++seq);
		snprintf(id, sizeof(id), "bench-%d", i);
		if (i == n / 2)
			snprintf(mid_number, 32, "%s", number);
		open = i >= n - BENCH_NEWEST_OPEN ? (r >> 12) % 2 == 0 : (r >> 12) % 20 == 0;
		sqlite3_bind_text(st, 1, number, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, i);
		sqlite3_bind_text(st, 4, bench_teams[t].team, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, bench_teams[t].district, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, bench_categories[(r >> 20) % 5], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, 1 + (int)((r >> 24) % 3));
		sqlite3_bind_int64(st, 8, at);
		sqlite3_bind_text(st, 9, "none", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, open ? "open" : "closed", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench: insert: %s\n", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			sqlite3_close(db);
			return -1;
		}
		sqlite3_reset(st);
		*last_ms = at;
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "bench: commit: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_close(db);
	return bench_now() - t0;
}

/* One combination of list's fields; NULL or 0 when not given. */
typedef struct {
	const char *team, *status, *since_name, *before;
	int64_t     since;
	int         limit;
} bench_case_t;

static void
bench_rfc3339(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
bench_request(pack_t *p, const bench_case_t *c)
{
	char since[32];

	pack_reset(p);
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "list");
	if (c->team)
		pack_kv_str(p, "team", c->team);
	if (c->status)
		pack_kv_str(p, "status", c->status);
	if (c->since_name) {
		bench_rfc3339(c->since, since);
		pack_kv_str(p, "since", since);
	}
	if (c->before)
		pack_kv_str(p, "before", c->before);
	if (c->limit)
		pack_kv_int(p, "limit", c->limit);
	pack_map_close(p);
}

/*
 * Round trip of one list on sock, in ms; *items and *next tell what came
 * back. -1 when the reply is missing or not ok.
 */
static double
bench_list(void *sock, pack_t *p, int *items, bool *next)
{
	const void *data;
	size_t len, off = 0;
	zmq_msg_t msg;
	msgpack_unpacked u;
	double t0, ms = -1;
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};

	data = pack_data(p, &len);
	t0 = bench_now();
	if (zmq_send(sock, data, len, 0) < 0 || zmq_poll(&it, 1, 10000) <= 0)
		return -1;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, 0) < 0) {
		zmq_msg_close(&msg);
		return -1;
	}
	ms = (bench_now() - t0) * 1000.0;
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) !=
	    MSGPACK_UNPACK_SUCCESS || !h_ok(&u.data) || h_get(&u.data, "incidents") == NULL) {
		ms = -1;
	} else {
		*items = (int)h_get(&u.data, "incidents")->via.array.size;
		*next = h_get(&u.data, "next") != NULL;
	}
	msgpack_unpacked_destroy(&u);
	zmq_msg_close(&msg);
	return ms;
}

/* A /proc/PID/status figure in KiB ("VmRSS:", "VmHWM:"); 0 when missing. */
static long
bench_proc_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			kb = atol(line + strlen(key));
	fclose(f);
	return kb;
}

/* Starts trygg-intake and times it until it answers ping: ms, -1 when it did not start. */
static double
bench_start(harness_t *h)
{
	double t0 = bench_now();

	if (harness_start(h, H_INTAKE) < 0)
		return -1;
	return (bench_now() - t0) * 1000.0;
}

/* n gets by client id bench-I (I spread over 0..count-1) on sock: p99 in ms, -1 on a failure. */
static double
bench_gets(void *sock, const char *prefix, int count, int n)
{
	double *lat = xcalloc((size_t)n, sizeof(double)), p99;
	pack_t *p = pack_new();
	int failed = 0;

	for (int i = 0; i < n; i++) {
		char id[48];
		const void *data;
		size_t len, off = 0;
		zmq_msg_t msg;
		msgpack_unpacked u;
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		double t0;

		snprintf(id, sizeof(id), "%s-%d", prefix, (int)(bench_rand() % (uint32_t)count));
		pack_reset(p);
		pack_map_open(p);
		pack_kv_int(p, "v", 1);
		pack_kv_str(p, "op", "get");
		pack_kv_str(p, "id", id);
		pack_map_close(p);
		data = pack_data(p, &len);
		t0 = bench_now();
		if (zmq_send(sock, data, len, 0) < 0 || zmq_poll(&it, 1, 10000) <= 0) {
			failed++;
			break;
		}
		zmq_msg_init(&msg);
		zmq_msg_recv(&msg, sock, 0);
		lat[i] = (bench_now() - t0) * 1000.0;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) !=
		    MSGPACK_UNPACK_SUCCESS || !h_ok(&u.data))
			failed++;
		msgpack_unpacked_destroy(&u);
		zmq_msg_close(&msg);
	}
	qsort(lat, (size_t)n, sizeof(double), bench_cmp);
	p99 = failed ? -1 : lat[(size_t)(n * 0.99)];
	free(lat);
	pack_destroy(&p);
	return p99;
}

/* What the file's size costs: the figures printed side by side. */
typedef struct {
	double start_ms, get_p99, list_p99, submit_rate;
	long   rss_kb, hwm_kb;
} bench_cost_t;

static void
bench_cost_row(const char *what, const char *unit, double empty, double full)
{
	printf("  %-34s %12.2f %14.2f  %s\n", what, empty, full, unit);
}

/* One page without an index, straight through SQLite: ms. */
static double
bench_baseline(sqlite3 *db, const bench_case_t *c, int64_t before_row)
{
	sqlite3_stmt *st;
	double t0 = bench_now();
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT number, summary FROM incidents NOT INDEXED"
	    " WHERE (?1 IS NULL OR team = ?1) AND (?2 IS NULL OR status = ?2)"
	    " AND received_at >= ?3 AND row < ?4 ORDER BY row DESC LIMIT ?5", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (c->team)
		sqlite3_bind_text(st, 1, c->team, -1, SQLITE_STATIC);
	if (c->status)
		sqlite3_bind_text(st, 2, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->since_name ? c->since : INT64_MIN);
	sqlite3_bind_int64(st, 4, c->before ? before_row : INT64_MAX);
	sqlite3_bind_int(st, 5, c->limit ? c->limit : 100);
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return (bench_now() - t0) * 1000.0;
}

/* The lister of the mixed run: the heaviest list, again and again, until stop. */
typedef struct {
	harness_t     *h;
	volatile int   stop;
	int            lists, failed;
	double         ms;          /* in all */
} bench_lister_t;

static void *
bench_lister(void *arg)
{
	bench_lister_t *l = arg;
	bench_case_t c = {NULL, "closed", NULL, NULL, 0, 1000};
	void *sock = zmq_socket(l->h->zctx, ZMQ_REQ);
	pack_t *p = pack_new();
	int linger = 0, items = 0;
	bool next = false;

	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, l->h->endpoint[H_INTAKE]);
	bench_request(p, &c);
	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		double ms = bench_list(sock, p, &items, &next);

		if (ms < 0) {
			l->failed++;
			break;          /* a REQ socket without its reply cannot send again */
		}
		l->lists++;
		l->ms += ms;
	}
	zmq_close(sock);
	pack_destroy(&p);
	return NULL;
}

/* Submit rates alone and beside the lister, alternating; prints and returns the verdict. */
static bool
bench_mixed(harness_t *h, double *rate_alone)
{
	double alone = 0, with = 0;
	int failed = 0, lists = 0;
	double list_ms = 0;

	for (int round = 0; round < 2; round++) {
		load_result_t r;
		bench_lister_t l = {.h = h};
		pthread_t t;
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "alone-%d", round);
		if (load_submits(h, prefix, BENCH_MIXED_TOTAL, BENCH_MIXED_CLIENTS, &r) < 0)
			return false;
		alone += r.rate;
		failed += r.failed;
		pthread_create(&t, NULL, bench_lister, &l);
		snprintf(prefix, sizeof(prefix), "mixed-%d", round);
		if (load_submits(h, prefix, BENCH_MIXED_TOTAL, BENCH_MIXED_CLIENTS, &r) < 0)
			failed++;
		__atomic_store_n(&l.stop, 1, __ATOMIC_RELAXED);
		pthread_join(t, NULL);
		with += r.rate;
		failed += r.failed + l.failed;
		lists += l.lists;
		list_ms += l.ms;
	}
	printf("bench/list mixed: %d clients submitting, %d submits a run, two runs each\n",
	    BENCH_MIXED_CLIENTS, BENCH_MIXED_TOTAL);
	printf("  submits/s alone                 %8.0f\n", alone / 2);
	printf("  submits/s beside the lister     %8.0f   (%d lists of 1000 closed, %.2f ms each)\n",
	    with / 2, lists, lists ? list_ms / lists : 0);
	printf("  ratio                           %8.2f   (target >= %.2f)\n",
	    alone > 0 ? with / alone : 0, BENCH_MIXED_TARGET);
	printf("  verdict: %s\n", failed == 0 && alone > 0 && with / alone >= BENCH_MIXED_TARGET ?
	    "meets the target" : "BELOW TARGET");
	*rate_alone = alone / 2;
	return failed == 0;
}

/*
 * Every combination of list's fields, reps times each, on sock; prints a
 * line each when ro (the file, for the baseline) is given. Returns the
 * slowest p99; *over counts the p50s past the target, *failed the lists
 * that failed.
 */
static double
bench_lists(void *sock, int reps, const char *mid, int64_t last_ms, sqlite3 *ro,
    int64_t mid_row, int *over, int *failed)
{
	static const char *const teams[] = {NULL, "omradesteam-1", "omradesteam-3"};
	static const char *const statuses[] = {NULL, "open", "closed"};
	static const char *const sinces[] = {NULL, "1 day", "future"};
	static const int limits[] = {0, 1000};
	double *lat = xcalloc((size_t)reps, sizeof(double)), worst = 0;
	pack_t *p = pack_new();
	char label[128];

	for (size_t ti = 0; ti < 3; ti++)
	for (size_t si = 0; si < 3; si++)
	for (size_t ci = 0; ci < 3; ci++)
	for (int bi = 0; bi < 2; bi++)
	for (size_t li = 0; li < 2; li++) {
		bench_case_t c = {teams[ti], statuses[si], sinces[ci], bi && mid[0] ? mid : NULL,
		    ci == 1 ? last_ms - BENCH_DAY_MS : last_ms + BENCH_DAY_MS, limits[li]};
		int items = 0;
		bool next = false;
		double p99;

		if (bi && !mid[0])
			continue;
		bench_request(p, &c);
		for (int r = 0; r < reps; r++) {
			if ((lat[r] = bench_list(sock, p, &items, &next)) < 0) {
				fprintf(stderr, "bench: list failed or timed out\n");
				(*failed)++;
				lat[r] = 0;
			}
		}
		qsort(lat, (size_t)reps, sizeof(double), bench_cmp);
		p99 = lat[(size_t)(reps * 0.99)];
		if (p99 > worst)
			worst = p99;
		if (lat[reps / 2] >= BENCH_TARGET_MS)
			(*over)++;
		if (ro == NULL)
			continue;
		snprintf(label, sizeof(label), "%s / %s / %s / %s / %d",
		    c.team ? c.team : "-", c.status ? c.status : "-",
		    c.since_name ? c.since_name : "-", c.before ? "middle" : "-",
		    c.limit ? c.limit : 100);
		printf("  %-48s %5d %4s %8.2f %8.2f %8.0f  %8.2f\n", label, items,
		    next ? "yes" : "no", lat[reps / 2], p99, BENCH_TARGET_MS,
		    bench_baseline(ro, &c, mid_row));
	}
	pack_destroy(&p);
	free(lat);
	return worst;
}

/* A REQ socket to trygg-intake. */
static void *
bench_socket(harness_t *h)
{
	void *sock = zmq_socket(h->zctx, ZMQ_REQ);
	int linger = 0;

	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, h->endpoint[H_INTAKE]);
	return sock;
}

/* Removes the daemon's file and has it made again, empty; 0 or -1. */
static int
bench_fresh_file(harness_t *h, const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char f[700];

	for (size_t i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
		unlink(f);
	}
	if (harness_start(h, H_INTAKE) < 0)
		return -1;
	harness_kill(h, H_INTAKE, SIGTERM);
	return 0;
}

int
main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : BENCH_INCIDENTS;
	int reps = argc > 3 ? atoi(argv[3]) : BENCH_REPS;
	char path[600], mid[32] = "";
	double fill_s, worst;
	int64_t last_ms = 0, mid_row = n / 2 + 1;
	int failed = 0, over = 0, over_empty = 0;
	bench_cost_t empty = {0}, full = {0};
	load_result_t lr;
	sqlite3 *ro;
	harness_t *h;
	void *sock;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	if (n < 2 || reps < 1) {
		fprintf(stderr, "usage: bench/list BINDIR [INCIDENTS] [REPS]\n");
		return 64;
	}
	h = harness_new(NULL);
	snprintf(path, sizeof(path), "%s/data/incidents.db", h->dir);
	if (bench_fresh_file(h, path) < 0)
		return 1;

	/* the same figures on an empty file first */
	if ((empty.start_ms = bench_start(h)) < 0)
		return 1;
	empty.rss_kb = bench_proc_kb(h->pid[H_INTAKE], "VmRSS:");
	if (load_submits(h, "empty", BENCH_EMPTY_SUBMITS, BENCH_MIXED_CLIENTS, &lr) < 0)
		return 1;
	empty.submit_rate = lr.rate;
	sock = bench_socket(h);
	empty.get_p99 = bench_gets(sock, "empty", BENCH_EMPTY_SUBMITS, BENCH_GETS);
	empty.list_p99 = bench_lists(sock, reps, "", ts_now_ms_bench(), NULL, 0, &over_empty,
	    &failed);
	empty.hwm_kb = bench_proc_kb(h->pid[H_INTAKE], "VmHWM:");
	zmq_close(sock);
	harness_kill(h, H_INTAKE, SIGTERM);

	/* a million, written straight into a fresh file of the daemon's schema */
	if (bench_fresh_file(h, path) < 0 || (fill_s = bench_fill(path, n, mid, &last_ms)) < 0)
		return 1;
	if ((full.start_ms = bench_start(h)) < 0)
		return 1;
	full.rss_kb = bench_proc_kb(h->pid[H_INTAKE], "VmRSS:");
	if (sqlite3_open_v2(path, &ro, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 1;
	sock = bench_socket(h);

	printf("bench/list: %d incidents written in %.1f s; %d requests per combination\n",
	    n, fill_s, reps);
	printf("  %-48s %5s %4s %8s %8s %8s  %s\n", "team / status / since / before / limit",
	    "items", "next", "p50 ms", "p99 ms", "target", "baseline: no index, rows newest first, filters row by row (SQLite alone)");
	worst = bench_lists(sock, reps, mid, last_ms, ro, mid_row, &over, &failed);
	printf("  with p50 over %.0f ms: %d; slowest p99 %.2f ms\n", BENCH_TARGET_MS, over, worst);
	printf("  verdict: %s\n", failed == 0 && over == 0 ? "meets the target" : "BELOW TARGET");
	full.list_p99 = worst;
	full.get_p99 = bench_gets(sock, "bench", n, BENCH_GETS);
	if (!bench_mixed(h, &full.submit_rate))
		failed++;
	full.hwm_kb = bench_proc_kb(h->pid[H_INTAKE], "VmHWM:");

	printf("bench/list: what the file's size costs trygg-intake\n");
	printf("  %-34s %12s %14s\n", "", "empty file", "with the fill");
	bench_cost_row("start-up to first ping (quick_check)", "ms", empty.start_ms, full.start_ms);
	bench_cost_row("VmRSS after start", "MiB", empty.rss_kb / 1024.0, full.rss_kb / 1024.0);
	bench_cost_row("VmHWM at the end", "MiB", empty.hwm_kb / 1024.0, full.hwm_kb / 1024.0);
	bench_cost_row("submits/s, 32 clients", "/s", empty.submit_rate, full.submit_rate);
	bench_cost_row("get p99 (by id)", "ms", empty.get_p99, full.get_p99);
	bench_cost_row("slowest list combination's p99", "ms", empty.list_p99, full.list_p99);
	printf("  (the empty column's gets and lists run over the %d incidents its submits made)\n",
	    BENCH_EMPTY_SUBMITS);
	if (empty.get_p99 < 0 || full.get_p99 < 0)
		failed++;
	zmq_close(sock);
	sqlite3_close(ro);
	harness_destroy(&h);
	return failed ? 1 : 0;
}
