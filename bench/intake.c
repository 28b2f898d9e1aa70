/*
 * bench/intake: acknowledged submits per second through a real trygg-intake.
 *
 * CLIENTS DEALER sockets in this process keep one submit each in flight
 * until TOTAL are acknowledged; every reply is checked to be "ok". The
 * figure is printed beside a baseline measured in the same run on the same
 * disk: one SQLite transaction per insert with synchronous=FULL (WAL), no
 * network, no validation — what a daemon without group commit would reach.
 *
 *   build/bench/intake BINDIR [TOTAL] [CLIENTS]
 */
#include "harness.h"
#include "load.h"
#include "mem.h"
#include "ts.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#define BENCH_TOTAL      40000
#define BENCH_CLIENTS    32
#define BENCH_BASELINE_N 2000
#define BENCH_TARGET_RATIO 3.5
#define BENCH_TARGET_RATE  15000.0
#define BENCH_TARGET_P99_MS 5.0

/* One commit per insert, synchronous=FULL: inserts per second. */
static double
bench_baseline(const char *dir)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0, t1;

	snprintf(path, sizeof(path), "%s/baseline.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 0;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, body TEXT)",
	    NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t (client_id, body) VALUES (?1, ?2)", -1, &st, NULL);
	t0 = load_now();
	for (int i = 0; i < BENCH_BASELINE_N; i++) {
		char id[32];

		snprintf(id, sizeof(id), "base-%d", i);
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, "Klotter på skolans vägg vid Skäggetorps centrum", -1,
		    SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t1 = load_now();
	sqlite3_finalize(st);
	sqlite3_close(db);
	return BENCH_BASELINE_N / (t1 - t0);
}

int
main(int argc, char **argv)
{
	int total = argc > 2 ? atoi(argv[2]) : BENCH_TOTAL;
	int clients = argc > 3 ? atoi(argv[3]) : BENCH_CLIENTS;
	load_result_t r;
	harness_t *h;
	double base;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	h = harness_new(NULL);
	if (harness_start(h, H_INTAKE) < 0)
		return 1;
	base = bench_baseline(h->dir);
	if (load_submits(h, "bench", total, clients, &r) < 0)
		return 1;

	printf("bench/intake: %d submits, %d clients, %d failed\n", total, clients, r.failed);
	printf("  acknowledged submits/s   %10.0f   (target >= %.0f and >= %.1fx baseline)\n",
	    r.rate, BENCH_TARGET_RATE, BENCH_TARGET_RATIO);
	printf("  baseline commits/s       %10.0f   (one SQLite commit per insert, synchronous=FULL)\n",
	    base);
	printf("  ratio to baseline        %10.2fx\n", base > 0 ? r.rate / base : 0);
	printf("  latency p50 / p99 / max  %6.2f / %.2f / %.2f ms   (target p99 < %.0f ms)\n",
	    r.p50_ms, r.p99_ms, r.max_ms, BENCH_TARGET_P99_MS);
	printf("  verdict: %s\n", r.failed == 0 && r.rate >= BENCH_TARGET_RATE &&
	    r.rate >= BENCH_TARGET_RATIO * base && r.p99_ms < BENCH_TARGET_P99_MS ?
	    "meets the targets" : "BELOW TARGET");
	harness_destroy(&h);
	return r.failed ? 1 : 0;
}
