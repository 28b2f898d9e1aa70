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

static double
bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

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
	t0 = bench_now();
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
	t1 = bench_now();
	sqlite3_finalize(st);
	sqlite3_close(db);
	return BENCH_BASELINE_N / (t1 - t0);
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *const bench_districts[] = {
	"Skäggetorp", "Ryd", "Berga", "lambohov", "City", "Ljungsbro", "Malmslätt", "Ekholmen",
};

static void
bench_submit(pack_t *p, int n)
{
	char id[48];

	snprintf(id, sizeof(id), "bench-%d", n);
	pack_reset(p);
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", bench_districts[n % 8]);
	pack_kv_str(p, "category", n % 3 ? "skadegorelse" : "ordningsstorning");
	pack_kv_int(p, "severity", 1 + n % 5);
	pack_kv_str(p, "summary", "Klotter på skolans vägg, 811228-9874 nämnd");
	pack_kv_str(p, "reporter", "trygghetsvärd");
	pack_kv_str(p, "details", "Upptäckt vid kvällsrundan; fastighetsägaren kontaktad.");
	pack_kv_str(p, "level", "omrade");
	pack_map_close(p);
}

int
main(int argc, char **argv)
{
	int total = argc > 2 ? atoi(argv[2]) : BENCH_TOTAL;
	int clients = argc > 3 ? atoi(argv[3]) : BENCH_CLIENTS;
	double *lat = xcalloc((size_t)total, sizeof(double));
	double *sent_at = xcalloc((size_t)clients, sizeof(double));
	zmq_pollitem_t *items = xcalloc((size_t)clients, sizeof(*items));
	pack_t *p = pack_new();
	harness_t *h;
	double t0, t1, base, rate, p50, p99;
	int next = 0, done = 0, failed = 0;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	h = harness_new(NULL);
	if (harness_start(h, H_INTAKE) < 0)
		return 1;
	base = bench_baseline(h->dir);

	for (int c = 0; c < clients; c++) {
		int linger = 0;

		items[c].socket = zmq_socket(h->zctx, ZMQ_DEALER);
		items[c].events = ZMQ_POLLIN;
		zmq_setsockopt(items[c].socket, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_connect(items[c].socket, h->endpoint[H_INTAKE]);
	}
	t0 = bench_now();
	for (int c = 0; c < clients && next < total; c++) {
		size_t len;
		const void *data;

		bench_submit(p, next++);
		data = pack_data(p, &len);
		sent_at[c] = bench_now();
		zmq_send(items[c].socket, "", 0, ZMQ_SNDMORE);
		zmq_send(items[c].socket, data, len, 0);
	}
	while (done < total) {
		if (zmq_poll(items, clients, 10000) <= 0) {
			fprintf(stderr, "bench: no reply for 10 s\n");
			return 1;
		}
		for (int c = 0; c < clients; c++) {
			zmq_msg_t msg;
			msgpack_unpacked u;
			size_t off = 0;

			if (!(items[c].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_init(&msg);
			zmq_msg_recv(&msg, items[c].socket, 0);    /* delimiter */
			zmq_msg_recv(&msg, items[c].socket, 0);
			msgpack_unpacked_init(&u);
			if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) !=
			    MSGPACK_UNPACK_SUCCESS || !h_ok(&u.data))
				failed++;
			msgpack_unpacked_destroy(&u);
			zmq_msg_close(&msg);
			lat[done++] = (bench_now() - sent_at[c]) * 1000.0;
			if (next < total) {
				size_t len;
				const void *data;

				bench_submit(p, next++);
				data = pack_data(p, &len);
				sent_at[c] = bench_now();
				zmq_send(items[c].socket, "", 0, ZMQ_SNDMORE);
				zmq_send(items[c].socket, data, len, 0);
			}
		}
	}
	t1 = bench_now();
	for (int c = 0; c < clients; c++)
		zmq_close(items[c].socket);
	qsort(lat, (size_t)total, sizeof(double), bench_cmp);
	rate = total / (t1 - t0);
	p50 = lat[total / 2];
	p99 = lat[(size_t)(total * 0.99)];

	printf("bench/intake: %d submits, %d clients, %d failed\n", total, clients, failed);
	printf("  acknowledged submits/s   %10.0f   (target >= %.0f and >= %.1fx baseline)\n",
	    rate, BENCH_TARGET_RATE, BENCH_TARGET_RATIO);
	printf("  baseline commits/s       %10.0f   (one SQLite commit per insert, synchronous=FULL)\n",
	    base);
	printf("  ratio to baseline        %10.2fx\n", base > 0 ? rate / base : 0);
	printf("  latency p50 / p99 / max  %6.2f / %.2f / %.2f ms   (target p99 < %.0f ms)\n",
	    p50, p99, lat[total - 1], BENCH_TARGET_P99_MS);
	printf("  verdict: %s\n", failed == 0 && rate >= BENCH_TARGET_RATE &&
	    rate >= BENCH_TARGET_RATIO * base && p99 < BENCH_TARGET_P99_MS ?
	    "meets the targets" : "BELOW TARGET");
	pack_destroy(&p);
	harness_destroy(&h);
	free(lat);
	free(sent_at);
	free(items);
	return failed ? 1 : 0;
}
