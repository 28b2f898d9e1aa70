/*
 * test_chaos.c: all three daemons, a reporter submitting incidents while
 * random daemons are killed with SIGKILL and started again. At the end
 * every answered incident exists once in trygg-intake, every external one
 * has exactly one escalation, and trygg-reporting counts each exactly once.
 *
 * The reporter is a child process with its own ZeroMQ context: it submits
 * SUBMITS incidents, each retried under the same client id until it is
 * answered "ok" (a retry of a stored one is answered as a duplicate), and
 * writes each answered id to a file. Meanwhile the parent kills one daemon
 * at random every KILL_MIN_MS..KILL_MAX_MS (seeded, so a failure can be
 * replayed with the seed printed) and starts it again at once.
 *
 * No timing thresholds: the end state is waited for generously.
 */
#include "harness.h"
#include "msg.h"
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define SUBMITS      150
#define PACE_MS      30         /* between submits: the run spans several kills */
#define EXTERNAL_1_IN 3         /* every third is severity 5: external */
#define KILL_MIN_MS  300
#define KILL_MAX_MS  900
#define RETRY_MS     200
#define SETTLE_MS    90000      /* for the links to drain after the last kill */

static void
reporter(harness_t *h, const char *path)
{
	FILE *f = fopen(path, "w");

	h->zctx = zmq_ctx_new();        /* the parent's is not ours to use */
	h->has_reply = false;
	h->reply_bytes = NULL;
	for (int i = 0; i < SUBMITS && f; i++) {
		char id[32];

		snprintf(id, sizeof(id), "chaos-%d", i);
		for (int attempt = 0; attempt < 600; attempt++) {
			pack_t *p = harness_req("submit");
			const msgpack_object *r;

			pack_kv_str(p, "id", id);
			pack_kv_str(p, "district", i % 2 ? "Ryd" : "Berga");
			pack_kv_str(p, "category", "skadegorelse");
			pack_kv_int(p, "severity", i % EXTERNAL_1_IN == 0 ? 5 : 2);
			pack_kv_str(p, "summary", "Kaos");
			pack_kv_str(p, "reporter", "test");
			pack_kv_str(p, "occurred_at", "2026-11-18T10:00:00Z");
			pack_map_close(p);
			r = harness_call(h, H_INTAKE, p);
			pack_destroy(&p);
			if (r != NULL && h_ok(r)) {
				fprintf(f, "%s\n", id);
				fflush(f);
				usleep(PACE_MS * 1000);
				break;
			}
			usleep(RETRY_MS * 1000);
		}
	}
	if (f)
		fclose(f);
	_exit(0);
}

static long long
count_report(harness_t *h, const char *kind, const char *section, const char *key)
{
	pack_t *p = harness_req("report");
	const msgpack_object *r, *c;
	long long v = -1;

	pack_kv_str(p, "kind", kind);
	pack_kv_str(p, "period", "2020-01-01..2029-12-31");
	pack_map_close(p);
	r = harness_call(h, H_REPORTING, p);
	pack_destroy(&p);
	if (r != NULL && (c = h_get(r, "content")) != NULL && c->type == MSGPACK_OBJECT_STR) {
		char *t = strndup(c->via.str.ptr, c->via.str.size), pat[96], *at = t;

		if (section) {
			snprintf(pat, sizeof(pat), "\"%s\": {", section);
			at = strstr(t, pat);
		}
		snprintf(pat, sizeof(pat), "\n%s\"%s\": ", section ? "    " : "  ", key);
		if (at && (at = strstr(at, pat)) != NULL)
			v = atoll(at + strlen(pat));
		free(t);
	}
	return v;
}

/* the number of items a list operation answers (up to 1000) */
static long long
count_list(harness_t *h, harness_daemon_t d, const char *key)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r, *a;

	pack_kv_int(p, "limit", 1000);
	pack_map_close(p);
	r = harness_call(h, d, p);
	pack_destroy(&p);
	if (r == NULL || (a = h_get(r, key)) == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	return a->via.array.size;
}

static bool
settle(harness_t *h, long long incidents, long long external)
{
	for (int waited = 0; waited < SETTLE_MS; waited += 250) {
		if (count_list(h, H_INTAKE, "incidents") == incidents &&
		    count_list(h, H_ESCALATION, "escalations") == external &&
		    count_report(h, "lagesbild", NULL, "incidents") == incidents &&
		    count_report(h, "lagesbild", "by_escalation", "external") == external &&
		    count_report(h, "escalations", NULL, "escalations") == external)
			return true;
		usleep(250 * 1000);
	}
	return false;
}

TEST(test_kill_anything)
{
	harness_t *h = harness_new(NULL);
	unsigned seed = (unsigned)time(NULL);
	char path[400], line[64];
	long long answered = 0, external = 0;
	int kills = 0, status;
	pid_t child;
	FILE *f;

	printf("# test_chaos: seed %u\n", seed);
	srand(seed);
	snprintf(path, sizeof(path), "%s/answered", h->dir);
	CHECK_INT(harness_start(h, H_REPORTING), 0);
	CHECK_INT(harness_start(h, H_ESCALATION), 0);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	fflush(NULL);
	if ((child = fork()) == 0)
		reporter(h, path);
	CHECK(child > 0);
	while (child > 0 && waitpid(child, &status, WNOHANG) == 0) {
		harness_daemon_t d = (harness_daemon_t)(rand() % H_NDAEMONS);

		usleep((unsigned)(KILL_MIN_MS + rand() % (KILL_MAX_MS - KILL_MIN_MS)) * 1000);
		harness_kill(h, d, SIGKILL);
		kills++;
		if (harness_start(h, d) < 0) {
			test_fail(__FILE__, __LINE__, "daemon %d did not start again", d);
			break;
		}
	}
	printf("# test_chaos: %d kills\n", kills);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			answered++;
			external += atoi(line + 6) % EXTERNAL_1_IN == 0;
		}
		fclose(f);
	}
	CHECK_INT(answered, SUBMITS);
	CHECK(kills >= 3);
	CHECK(settle(h, answered, external));
	CHECK_INT(count_list(h, H_INTAKE, "incidents"), answered);
	CHECK_INT(count_list(h, H_ESCALATION, "escalations"), external);
	CHECK_INT(count_report(h, "lagesbild", NULL, "incidents"), answered);
	CHECK_INT(count_report(h, "lagesbild", "by_escalation", "external"), external);
	CHECK_INT(count_report(h, "escalations", NULL, "escalations"), external);
	harness_destroy(&h);
}

TEST_MAIN(test_kill_anything)
