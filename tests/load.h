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
/*
 * A sustained load, open in its shape: clients sockets (REQ, one request in
 * flight each, or DEALER, depth in flight each) send requests built by
 * build (a submit with ids PREFIX-N when NULL) for seconds, each reply
 * checked to be "ok". While it runs, the size of the file wal (may be
 * NULL) is sampled every LOAD_SAMPLE_MS.
 */
#define LOAD_SAMPLE_MS 5
typedef struct {
	const char *endpoint;
	int         clients;
	int         depth;              /* 0 or 1: REQ sockets; more: DEALER, pipelined */
	double      seconds;
	const char *prefix;
	const char *wal;                /* a file whose size is watched, or NULL */
	void      (*build)(pack_t *p, void *arg, long n);   /* a whole request map */
	void       *arg;
} load_opts_t;

typedef struct {
	long    acked, failed;
	double  seconds, rate;
	double  p50_ms, p99_ms, p999_ms, max_ms;
	long long wal_max;              /* bytes, 0 when not watched */
} load_sustained_t;

/* 0, or -1 when a reply did not come within 10 s (the figures then cover what came). */
int load_sustained(void *zctx, const load_opts_t *o, load_sustained_t *out);
/* The submit load_submits sends: ids PREFIX-N (arg is the prefix). */
void load_build_submit(pack_t *p, void *arg, long n);

/* seconds on the monotonic clock */
double load_now(void);

#endif
