/*
 * bench/curve: what CurveZMQ costs on intake's acknowledged submits.
 *
 * Two trygg-intakes on the same disk, one plain and one with keys (every
 * frame encrypted and authenticated, each request's User-Id looked up and
 * its role checked), take the same closed-loop load in turns, ROUNDS
 * times each, so that the disk's and the machine's drift falls on both
 * alike. The figure is the ratio of the medians; the target is a
 * CURVE run within 15 % of the plain one. The clients run on the same
 * machine and encrypt too, so on a small machine the ratio also holds
 * their share; the daemon's own processor time per submit (from
 * /proc/PID/stat) is printed beside it, the cost a server really pays.
 *
 *   build/bench/curve BINDIR [TOTAL] [CLIENTS]
 */
#include "harness.h"
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_TOTAL   40000
#define BENCH_CLIENTS 32
#define BENCH_ROUNDS  3
#define BENCH_TARGET  0.85      /* CURVE's rate at least this share of plain's */

/* a process's user + system time in seconds, -1 when unknown */
static double
bench_cpu(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* after the command's closing parenthesis: state is field 3, utime 14, stime 15 */
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

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
	double rate[2][BENCH_ROUNDS], p99[2][BENCH_ROUNDS], median[2], cpu[2] = {0, 0};
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
			double before = bench_cpu(h[k]->pid[H_INTAKE]);

			snprintf(prefix, sizeof(prefix), "curve-%d", round);
			if (load_submits(h[k], prefix, total, clients, &r) < 0)
				return 1;
			cpu[k] += bench_cpu(h[k]->pid[H_INTAKE]) - before;
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
	printf("  trygg-intake's processor time per submit: plain %.1f us, curve %.1f us "
	    "(+%.0f %%)\n", 1e6 * cpu[0] / (BENCH_ROUNDS * (double)total),
	    1e6 * cpu[1] / (BENCH_ROUNDS * (double)total),
	    cpu[0] > 0 ? 100.0 * (cpu[1] - cpu[0]) / cpu[0] : 0);
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
