/*
 * load.h: a closed-loop submit load on a real trygg-intake, for the
 * benchmarks: CLIENTS DEALER sockets in this process keep one submit each
 * in flight until TOTAL are acknowledged; every reply is checked "ok".
 */
#ifndef TRYGG_LOAD_H
#define TRYGG_LOAD_H

#include "harness.h"

typedef struct {
	int    total, clients;
	int    failed;          /* replies that were not ok */
	double seconds;
	double rate;            /* acknowledged submits per second */
	double p50_ms, p99_ms, max_ms;
} load_result_t;

/*
 * Submits total incidents with ids PREFIX-N; 0, or -1 when a reply did not
 * come within 10 s.
 */
int load_submits(harness_t *h, const char *prefix, int total, int clients,
    load_result_t *out);
/* seconds on the monotonic clock */
double load_now(void);

#endif
