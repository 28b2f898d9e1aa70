/*
 * bench/reporting: lagesbild and annual over generated incidents in a
 * real trygg-reporting, beside the same aggregate (incidents per team and
 * local month) run by the sqlite3 shell on the same file as the baseline.
 *
 * The incidents are written straight into reporting.db (the schema the
 * daemon made at its first start), spread over 2026 at random minutes,
 * teams, districts, categories, severities and levels, a fifth with a
 * partner; then the daemon is started again and asked. Each figure is the
 * best of RUNS requests.
 *
 *   build/bench/reporting BINDIR [INCIDENTS]
 */
#include "harness.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_INCIDENTS   1000000
#define BENCH_RUNS        3
#define BENCH_TARGET_S    1.0     /* a year's annual, at most */
#define BENCH_TARGET_RATIO 2.0    /* within this of the sqlite3 shell */

static double
bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* best seconds of RUNS report requests; -1 when one failed */
static double
bench_report(harness_t *h, const char *kind, const char *period, const char *format,
    size_t *bytes)
{
	double best = -1;

	for (int i = 0; i < BENCH_RUNS; i++) {
		pack_t *p = harness_req("report");
		const msgpack_object *r, *c;
		double t0 = bench_now(), t;

		pack_kv_str(p, "kind", kind);
		pack_kv_str(p, "period", period);
		pack_kv_str(p, "format", format);
		pack_map_close(p);
		r = harness_call(h, H_REPORTING, p);
		t = bench_now() - t0;
		pack_destroy(&p);
		if (r == NULL || !h_ok(r) || (c = h_get(r, "content")) == NULL)
			return -1;
		*bytes = c->via.str.size;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/* best seconds of the sqlite3 shell doing annual's main aggregate */
static double
bench_baseline(const char *db)
{
	char cmd[1024];
	double best = -1;

	snprintf(cmd, sizeof(cmd), "TZ=Europe/Stockholm sqlite3 '%s' \"SELECT team,"
	    " strftime('%%m', occurred_at / 1000, 'unixepoch', 'localtime') AS m, count(*)"
	    " FROM incidents WHERE occurred_at >= 1767222000000 AND occurred_at < 1798758000000"
	    " GROUP BY team, m\" > /dev/null", db);
	for (int i = 0; i < BENCH_RUNS; i++) {
		double t0 = bench_now(), t;

		if (system(cmd) != 0)
			return -1;
		t = bench_now() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

static int
bench_fill(const char *path, long n)
{
	static const char sql[] =
	    "BEGIN;"
	    "WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ?1)"
	    " INSERT INTO incidents (number, team, district, category, severity, level,"
	    "  needs_external, needs_reinforcement, involves_minors, police_report, orosanmalan,"
	    "  escalation, status, occurred_at, received_at, updated_at)"
	    " SELECT printf('INC-2026-%07d', k), 'omradesteam-' || (1 + abs(random()) % 3),"
	    "  'Skäggetorp', (SELECT value FROM json_each('[\"skadegorelse\",\"brand\","
	    "  \"hot_och_vald\",\"narkotika\",\"buskorning\",\"ovrigt\"]') LIMIT 1 OFFSET"
	    "  abs(random()) % 6), 1 + abs(random()) % 5,"
	    "  CASE abs(random()) % 4 WHEN 0 THEN 'omrade' WHEN 1 THEN 'grupp'"
	    "   WHEN 2 THEN 'individ' END, 0, 0, abs(random()) % 2, abs(random()) % 2, 0,"
	    "  'none', 'open', 1767222000000 + abs(random()) % 31536000000, 0, 0 FROM i;"
	    "UPDATE incidents SET partners = CASE abs(random()) % 2 WHEN 0 THEN 'polis'"
	    " ELSE 'polis' || char(31) || 'skola' END WHERE abs(random()) % 5 = 0;"
	    "COMMIT;";
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *tail = sql;
	int rc = 0;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	while (rc == 0 && *tail) {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
			fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
			rc = -1;
			break;
		}
		if (st == NULL)
			break;
		if (sqlite3_bind_parameter_count(st) > 0)
			sqlite3_bind_int64(st, 1, n);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db));
			rc = -1;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : BENCH_INCIDENTS;
	harness_t *h;
	char db[512];
	double annual, annual_html, week, year, base;
	size_t bytes[4] = {0, 0, 0, 0};
	int fail = 0;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	h = harness_new("report_jobs: []\n");
	snprintf(db, sizeof(db), "%s/data/reporting.db", h->dir);
	if (harness_start(h, H_REPORTING) < 0)
		return 1;
	harness_kill(h, H_REPORTING, SIGTERM);
	printf("reporting: filling %ld incidents ... ", n);
	fflush(stdout);
	if (bench_fill(db, n) < 0)
		return 1;
	printf("done\n");
	if (harness_start(h, H_REPORTING) < 0)
		return 1;
	annual = bench_report(h, "annual", "2026", "json", &bytes[0]);
	annual_html = bench_report(h, "annual", "2026", "html", &bytes[1]);
	week = bench_report(h, "lagesbild", "2026-W47", "json", &bytes[2]);
	year = bench_report(h, "lagesbild", "2026", "html", &bytes[3]);
	base = bench_baseline(db);
	printf("reporting: annual 2026 json   %.3f s (%zu bytes)\n", annual, bytes[0]);
	printf("reporting: annual 2026 html   %.3f s (%zu bytes)\n", annual_html, bytes[1]);
	printf("reporting: lagesbild 2026-W47 %.3f s (%zu bytes; with its previous week)\n", week,
	    bytes[2]);
	printf("reporting: lagesbild 2026 html %.3f s (%zu bytes; with 2025)\n", year, bytes[3]);
	printf("reporting: baseline, sqlite3 shell, team x month %.3f s; annual/baseline %.2f\n",
	    base, base > 0 ? annual / base : 0);
	if (annual < 0 || annual > BENCH_TARGET_S) {
		printf("reporting: annual over the target of %.1f s\n", BENCH_TARGET_S);
		fail = 1;
	}
	if (base > 0 && annual > BENCH_TARGET_RATIO * base) {
		printf("reporting: annual over %.1fx the baseline\n", BENCH_TARGET_RATIO);
		fail = 1;
	}
	harness_destroy(&h);
	return fail;
}
