/*
 * bench/web: submits through trygg-web beside direct ZeroMQ submits to
 * the same trygg-intake, and what the gateway adds to each.
 *
 * One client, one request at a time, for the latencies (p50, p99): direct
 * ZeroMQ submit (one REQ socket kept open, as the gateway keeps its own), the JSON
 * API, and the form (GET / for its key and CSRF token, untimed, then the
 * timed POST /incidents and its 303). Then BENCH_THREADS clients at once
 * for the rates of API posts and form posts per second. Every HTTP
 * request is a new TCP connection (Connection: close), as phones behind
 * a proxy mostly are. No target is asserted: the figures are printed.
 *
 * On the shared two-core build machine (data on /tmp), 2000 each: p50
 * direct 0.41 ms, API 0.43 ms, form 0.51 ms (p99 0.66 / 1.52 / 0.89 ms,
 * noisy); 8 clients at once: 9,400 direct submits/s, 4,400 API posts/s,
 * 4,100 form posts/s. The gateway's cost is the TCP connection and the
 * HTTP parse per request, not the ZeroMQ hop.
 *
 *   build/bench/web BINDIR [COUNT] [THREADS]
 */
#include "harness.h"
#include "buf.h"
#include "mem.h"
#include "rpc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_COUNT   1000      /* requests per latency run */
#define BENCH_THREADS 8

static harness_t *bench_h;
static int bench_count = BENCH_COUNT;
static int bench_threads = BENCH_THREADS;

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

static double
bench_pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp);
	return n ? v[(int)(p * (n - 1))] * 1000 : 0;
}

static const char bench_json_type[] = "Content-Type: application/json\r\n";
static const char bench_form_type[] = "Content-Type: application/x-www-form-urlencoded\r\n";

/* One API post with id; its latency in seconds, -1 on failure. */
static double
bench_api(const char *id)
{
	char body[512];
	harness_http_t r;
	double t0 = bench_now(), t;
	int st;

	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"district\":\"Skäggetorp\",\"category\":"
	    "\"skadegorelse\",\"severity\":2,\"summary\":\"Klotter på skolans vägg\","
	    "\"reporter\":\"bench\"}", id);
	st = harness_http(bench_h, "POST", "/api/v1/incidents", bench_json_type, body,
	    strlen(body), &r);
	t = bench_now() - t0;
	harness_http_free(&r);
	return st == 201 ? t : -1;
}

static void
bench_value(const char *html, const char *name, char *out, size_t len)
{
	char pat[64];
	const char *p, *e;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	if (html && (p = strstr(html, pat)) && (e = strchr(p + strlen(pat), '"')))
		snprintf(out, len, "%.*s", (int)(e - p - strlen(pat)), p + strlen(pat));
}

/* One form: GET / (untimed), then the POST; its latency, -1 on failure. */
static double
bench_form(void)
{
	harness_http_t r;
	char key[128], csrf[128], body[1024];
	double t0, t;
	int st;

	if (harness_http(bench_h, "GET", "/", NULL, NULL, 0, &r) != 200) {
		harness_http_free(&r);
		return -1;
	}
	bench_value(r.body, "id", key, sizeof(key));
	bench_value(r.body, "csrf", csrf, sizeof(csrf));
	harness_http_free(&r);
	snprintf(body, sizeof(body), "id=%s&csrf=%s&district=Ryd&category=skadegorelse&"
	    "severity=2&summary=Klotter+p%%C3%%A5+skolans+v%%C3%%A4gg&reporter=bench&"
	    "occurred_at=2026-06-01T12%%3A00", key, csrf);
	t0 = bench_now();
	st = harness_http(bench_h, "POST", "/incidents", bench_form_type, body, strlen(body), &r);
	t = bench_now() - t0;
	harness_http_free(&r);
	return st == 303 ? t : -1;
}

/* one REQ socket kept per client thread, as the gateway keeps its own */
static _Thread_local rpc_client_t *bench_rpc;

static double
bench_direct(const char *id)
{
	pack_t *p = harness_req("submit");
	double t0 = bench_now(), t;
	char *reply = NULL, err[256];
	size_t len;
	const void *data;
	int rc;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Skäggetorp");
	pack_kv_str(p, "category", "skadegorelse");
	pack_kv_int(p, "severity", 2);
	pack_kv_str(p, "summary", "Klotter på skolans vägg");
	pack_kv_str(p, "reporter", "bench");
	pack_map_close(p);
	data = pack_data(p, &len);
	rc = rpc_client_call(bench_rpc, data, len, &reply, &len, err, sizeof(err));
	t = bench_now() - t0;
	if (rc == 0) {
		msgpack_unpacked u;

		msgpack_unpacked_init(&u);
		rc = msgpack_unpack_next(&u, reply, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
		    h_ok(&u.data) ? 0 : -1;
		msgpack_unpacked_destroy(&u);
	}
	free(reply);
	pack_destroy(&p);
	return rc == 0 ? t : -1;
}

typedef enum { BENCH_DIRECT, BENCH_API, BENCH_FORM } bench_kind_t;

typedef struct {
	int          thread;
	bench_kind_t kind;
	int          failed;
} bench_job_t;

static void *
bench_worker(void *arg)
{
	bench_job_t *j = arg;

	if (j->kind == BENCH_DIRECT)
		bench_rpc = rpc_client_new(bench_h->zctx, bench_h->endpoint[H_INTAKE], 5000, 1);
	for (int i = 0; i < bench_count / bench_threads; i++) {
		char id[64];
		double t;

		snprintf(id, sizeof(id), "par-%d-%d-%d", (int)j->kind, j->thread, i);
		t = j->kind == BENCH_DIRECT ? bench_direct(id) : j->kind == BENCH_API ?
		    bench_api(id) : bench_form();
		if (t < 0)
			j->failed++;
	}
	rpc_client_destroy(&bench_rpc);
	return NULL;
}

static double
bench_parallel(bench_kind_t kind, int threads, int *failed)
{
	pthread_t t[64];
	bench_job_t jobs[64];
	double t0 = bench_now();

	*failed = 0;
	for (int i = 0; i < threads; i++) {
		jobs[i] = (bench_job_t){i, kind, 0};
		pthread_create(&t[i], NULL, bench_worker, &jobs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		*failed += jobs[i].failed;
	}
	return threads * (bench_count / threads) / (bench_now() - t0);
}

int
main(int argc, char **argv)
{
	double *lat[3];
	const char *names[3] = {"direct ZeroMQ submit", "API POST /api/v1/incidents",
	    "form POST /incidents"};
	double p50[3], p99[3];
	int failed = 0, f;
	double direct_rate, api_rate, form_rate;

	if (argc > 1)
		setenv("TRYGG_BIN", argv[1], 1);
	if (argc > 2)
		bench_count = atoi(argv[2]) > 0 ? atoi(argv[2]) : BENCH_COUNT;
	if (argc > 3)
		bench_threads = atoi(argv[3]) > 0 && atoi(argv[3]) <= 64 ? atoi(argv[3]) : BENCH_THREADS;
	bench_h = harness_new(NULL);
	if (harness_start(bench_h, H_ESCALATION) < 0 || harness_start(bench_h, H_INTAKE) < 0 ||
	    harness_start(bench_h, H_WEB) < 0) {
		fprintf(stderr, "bench/web: cannot start the daemons\n");
		return 1;
	}
	bench_rpc = rpc_client_new(bench_h->zctx, bench_h->endpoint[H_INTAKE], 5000, 1);
	for (int k = 0; k < 3; k++) {
		lat[k] = xcalloc((size_t)bench_count, sizeof(double));
		for (int i = 0; i < bench_count; i++) {
			char id[64];
			double t;

			snprintf(id, sizeof(id), "seq-%d-%d", k, i);
			t = k == 0 ? bench_direct(id) : k == 1 ? bench_api(id) : bench_form();
			if (t < 0) {
				failed++;
				t = 0;
			}
			lat[k][i] = t;
		}
		p50[k] = bench_pct(lat[k], bench_count, 0.50);
		p99[k] = bench_pct(lat[k], bench_count, 0.99);
	}
	direct_rate = bench_parallel(BENCH_DIRECT, bench_threads, &f);
	failed += f;
	api_rate = bench_parallel(BENCH_API, bench_threads, &f);
	failed += f;
	form_rate = bench_parallel(BENCH_FORM, bench_threads, &f);
	failed += f;

	printf("bench/web: %d requests each, one at a time; then %d clients at once\n",
	    bench_count, bench_threads);
	for (int k = 0; k < 3; k++)
		printf("  %-28s p50 %6.2f ms   p99 %6.2f ms\n", names[k], p50[k], p99[k]);
	printf("  added by the gateway        p50 %6.2f ms   p99 %6.2f ms  (API against direct)\n",
	    p50[1] - p50[0], p99[1] - p99[0]);
	printf("  direct submits/s (%d clients) %6.0f\n", bench_threads, direct_rate);
	printf("  API posts/s  (%d clients)   %8.0f\n", bench_threads, api_rate);
	printf("  form posts/s (%d clients)   %8.0f  (each after its GET /)\n", bench_threads,
	    form_rate);
	printf("  failed requests             %8d\n", failed);
	for (int k = 0; k < 3; k++)
		free(lat[k]);
	rpc_client_destroy(&bench_rpc);
	harness_destroy(&bench_h);
	return failed ? 1 : 0;
}
