/*
 * bench/curve: what CurveZMQ costs on intake's acknowledged submits.
 *
 * Two trygg-intakes on the same disk, one plain and one with keys (every
 * frame encrypted and authenticated, each request's User-Id looked up and
 * its role checked), take the same closed-loop load in turns, ROUNDS
 * times each, so that the disk's and the machine's drift falls on both
 * alike. The figure is the ratio of the medians; the target is a
 * CURVE run within 15 % of the plain one.
 *
 *   build/bench/curve BINDIR [TOTAL] [CLIENTS]
 */
#include "harness.h"
#include "load.h"

#include <stdio.h>
#include <stdlib.h>

#define BENCH_TOTAL   20000
#define BENCH_CLIENTS 32
#define BENCH_ROUNDS  3
#define BENCH_TARGET  0.85      /* CURVE's rate at least this share of plain's */

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int total = argc > 2 ? atoi(argv[2]) : BENCH_TOTAL;
	int clients = argc > 3 ? atoi(argv[3]) : BENCH_CLIENTS;
	double rate[2][BENCH_ROUNDS], p99[2][BENCH_ROUNDS], median[2];
	harness_t *h[2];
	int failed = 0;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	h[0] = harness_new(NULL);
	h[1] = harness_new_keyed(NULL);
	if (harness_start(h[0], H_INTAKE) < 0 || harness_start(h[1], H_INTAKE) < 0)
		return 1;
	for (int round = 0; round < BENCH_ROUNDS; round++) {
		for (int k = 0; k < 2; k++) {
			load_result_t r;
			char prefix[32];

			snprintf(prefix, sizeof(prefix), "curve-%d", round);
			if (load_submits(h[k], prefix, total, clients, &r) < 0)
				return 1;
			rate[k][round] = r.rate;
			p99[k][round] = r.p99_ms;
			failed += r.failed;
		}
	}
	printf("bench/curve: %d rounds of %d submits, %d clients, plain and CurveZMQ in turns, "
	    "%d failed\n", BENCH_ROUNDS, total, clients, failed);
	for (int round = 0; round < BENCH_ROUNDS; round++)
		printf("  round %d: plain %8.0f/s (p99 %.2f ms)   curve %8.0f/s (p99 %.2f ms)\n",
		    round + 1, rate[0][round], p99[0][round], rate[1][round], p99[1][round]);
	for (int k = 0; k < 2; k++) {
		qsort(rate[k], BENCH_ROUNDS, sizeof(double), bench_cmp);
		median[k] = rate[k][BENCH_ROUNDS / 2];
	}
	printf("  median: plain %.0f/s, curve %.0f/s: curve at %.1f %% of plain "
	    "(target >= %.0f %%): %s\n", median[0], median[1],
	    median[0] > 0 ? 100.0 * median[1] / median[0] : 0, 100.0 * BENCH_TARGET,
	    median[1] >= BENCH_TARGET * median[0] ? "meets the target" : "BELOW TARGET");
	harness_destroy(&h[0]);
	harness_destroy(&h[1]);
	return failed ? 1 : 0;
}
