/*
 * test_durability.c: "answered only after the disk sync", proven with the
 * fault shim (tests/shim/faultsync.c) preloaded into trygg-intake.
 *
 *  - every sync of the WAL delayed by SLOW_SYNC_MS: no ok reply to a
 *    submit, an update or a get of fresh data arrives before a sync that
 *    began after the request was sent has returned (the shim logs when
 *    each sync began and returned, on the machine's one monotonic clock);
 *  - a sync that fails with EIO: every waiting request is answered
 *    unavailable, none ok, the daemon exits 74, and after a restart every
 *    incident answered ok before is there;
 *  - a commit that fails (the WAL cannot be written): that batch is
 *    answered unavailable, nothing of it is stored, and the daemon serves
 *    on.
 *
 * Only orderings are asserted, never durations: the delay makes a reply
 * released too early arrive long before the sync it should wait for, on a
 * machine however loaded.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define SLOW_SYNC_MS  "300"     /* long against any scheduling noise */
#define REPLY_MS      10000     /* how long a test waits for one reply */
#define FAIL_CLIENTS  8         /* requests waiting when a sync fails */

/* ---- an asynchronous client: DEALER sockets, replies with arrival times ---- */

typedef struct {
	msgpack_unpacked up;
	char     *bytes;
	long long at;               /* CLOCK_MONOTONIC ns when it arrived */
	bool      ok;               /* a reply came */
} reply_t;

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *
dealer(harness_t *h)
{
	void *s = zmq_socket(h->zctx, ZMQ_DEALER);
	int linger = 0;

	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(s, h->endpoint[H_INTAKE]);
	return s;
}

/* Sends a closed request map as REQ would (an empty delimiter first), frees it. */
static void
send_req(void *s, pack_t *p)
{
	size_t len;
	const void *data = pack_data(p, &len);

	zmq_send(s, "", 0, ZMQ_SNDMORE);
	zmq_send(s, data, len, 0);
	pack_destroy(&p);
}

/* Waits up to ms for one reply on s. */
static void
recv_reply(void *s, int ms, reply_t *r)
{
	zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
	char delim[8];
	zmq_msg_t m;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (zmq_poll(&item, 1, ms) <= 0 || zmq_recv(s, delim, sizeof(delim), 0) < 0)
		return;
	r->at = now_ns();
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) >= 0) {
		size_t n = zmq_msg_size(&m);

		r->bytes = malloc(n + 1);
		memcpy(r->bytes, zmq_msg_data(&m), n);
		msgpack_unpacked_init(&r->up);
		r->ok = msgpack_unpack_next(&r->up, r->bytes, n, &off) == MSGPACK_UNPACK_SUCCESS &&
		    r->up.data.type == MSGPACK_OBJECT_MAP;
		if (!r->ok)
			msgpack_unpacked_destroy(&r->up);
	}
	zmq_msg_close(&m);
}

static const msgpack_object *
reply_map(reply_t *r)
{
	return r->ok ? &r->up.data : NULL;
}

static void
reply_free(reply_t *r)
{
	if (r->ok)
		msgpack_unpacked_destroy(&r->up);
	free(r->bytes);
	memset(r, 0, sizeof(*r));
}

static pack_t *
submit(const char *id)
{
	pack_t *p = harness_req("submit");

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "brand");
	pack_kv_int(p, "severity", 2);
	pack_kv_str(p, "summary", "Brand i soprum");
	pack_kv_str(p, "reporter", "trygghetsvärd");
	pack_map_close(p);
	return p;
}

static pack_t *
get_by_id(const char *id)
{
	pack_t *p = harness_req("get");

	pack_kv_str(p, "id", id);
	pack_map_close(p);
	return p;
}

/* ---- the shim's log of syncs ---- */

typedef struct {
	long long start, end;
	int       rc;
} sync_t;

/* Reads the shim's log; returns how many syncs it holds (at most max). */
static int
read_syncs(const char *path, sync_t *out, int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fscanf(f, "%lld %lld %d", &out[n].start, &out[n].end, &out[n].rc) == 3)
		n++;
	fclose(f);
	return n;
}

/*
 * Did a sync begin after sent and return, successfully, before arrived?
 * Anything a request wrote is committed after it was sent, so only such a
 * sync can have made it durable.
 */
static bool
covered(const char *log, long long sent, long long arrived)
{
	static sync_t syncs[4096];
	int n = read_syncs(log, syncs, 4096);

	for (int i = 0; i < n; i++)
		if (syncs[i].rc == 0 && syncs[i].start >= sent && syncs[i].end <= arrived)
			return true;
	return false;
}

/* Has a sync begun at or after t, by the shim's TRYGG_FAULT_SYNC_BEGUN file? */
static bool
started_after(const char *begun, long long t)
{
	FILE *f = fopen(begun, "r");
	char line[128];
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		long long start;

		found = sscanf(line, "%lld", &start) == 1 && start >= t;
	}
	fclose(f);
	return found;
}

/* A harness whose intake runs with the shim and the given faults. */
static harness_t *
faulty(const char *const *env)
{
	harness_t *h = harness_new(NULL);

	CHECK_INT(harness_preload_shim(h), 0);
	for (int i = 0; env[i]; i += 2)
		harness_setenv(h, env[i], env[i + 1]);
	return h;
}

static void
path_in(harness_t *h, char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", h->dir, name);
}

static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

/* ---- the tests ---- */

TEST(no_ok_before_the_sync_that_covers_it)
{
	harness_t *h;
	char log[512], begun[512], number[40] = "";
	void *s, *s2;
	reply_t r, g;
	long long sent;

	{
		const char *env[] = {"TRYGG_FAULT_SYNC_DELAY_MS", SLOW_SYNC_MS, NULL};

		h = faulty(env);
	}
	path_in(h, log, sizeof(log), "syncs.log");
	harness_setenv(h, "TRYGG_FAULT_SYNC_LOG", log);
	path_in(h, begun, sizeof(begun), "begun.log");
	harness_setenv(h, "TRYGG_FAULT_SYNC_BEGUN", begun);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	s = dealer(h);

	/* submit */
	for (int round = 0; round < 3; round++) {
		char id[32];

		snprintf(id, sizeof(id), "slow-%d", round);
		sent = now_ns();
		send_req(s, submit(id));
		recv_reply(s, REPLY_MS, &r);
		CHECK(h_ok(reply_map(&r)));
		if (!covered(log, sent, r.at))
			test_fail(__FILE__, __LINE__, "submit %d answered ok before its sync returned", round);
		if (round == 0)
			snprintf(number, sizeof(number), "%s",
			    h_str(h_get(reply_map(&r), "incident"), "number"));
		reply_free(&r);
	}

	/* update */
	for (int round = 0; round < 3; round++) {
		pack_t *p = harness_req("update");

		pack_kv_str(p, "number", number);
		pack_kv_str(p, "by", "samordnare-ot2");
		pack_kv_str(p, "note", "Räddningstjänsten på plats");
		pack_map_close(p);
		sent = now_ns();
		send_req(s, p);
		recv_reply(s, REPLY_MS, &r);
		CHECK(h_ok(reply_map(&r)));
		if (!covered(log, sent, r.at))
			test_fail(__FILE__, __LINE__, "update %d answered ok before its sync returned", round);
		reply_free(&r);
	}

	/*
	 * A get sent right behind a submit on the same connection. Where the
	 * get reads the writer's transaction it sees the new incident, and its
	 * answer must wait for the sync as the submit's does; where reads are
	 * served from what is committed (a reader connection) it may answer
	 * not_found, which says nothing unsynced.
	 */
	for (int round = 0; round < 3; round++) {
		char id[32];

		snprintf(id, sizeof(id), "behind-%d", round);
		sent = now_ns();
		send_req(s, submit(id));
		send_req(s, get_by_id(id));
		recv_reply(s, REPLY_MS, &r);
		recv_reply(s, REPLY_MS, &g);
		CHECK(h_ok(reply_map(&r)));
		CHECK(g.ok);
		if (h_ok(reply_map(&g)) && !covered(log, sent, g.at))
			test_fail(__FILE__, __LINE__, "get %d right behind a submit answered before "
			    "its sync returned", round);
		else if (!h_ok(reply_map(&g)))
			CHECK_STR(h_code(reply_map(&g)), "not_found");
		reply_free(&r);
		reply_free(&g);
	}

	/*
	 * A get, from another client, of what a submit has just committed: it
	 * is sent once the sync of that commit has begun (the shim's log says
	 * so), so it reads data that is not on disk yet, and its answer must
	 * wait for that sync as the submit's does.
	 */
	s2 = dealer(h);
	for (int round = 0; round < 3; round++) {
		char id[32];

		snprintf(id, sizeof(id), "fresh-%d", round);
		sent = now_ns();
		send_req(s, submit(id));
		for (int tries = 0; tries < REPLY_MS / 5 && !started_after(begun, sent); tries++)
			usleep(5000);
		CHECK(started_after(begun, sent));
		send_req(s2, get_by_id(id));
		recv_reply(s2, REPLY_MS, &g);
		recv_reply(s, REPLY_MS, &r);
		CHECK(h_ok(reply_map(&r)));
		CHECK(h_ok(reply_map(&g)));
		CHECK_STR(h_str(h_get(reply_map(&g), "incident"), "id"), id);
		if (g.ok && !covered(log, sent, g.at))
			test_fail(__FILE__, __LINE__, "get %d of fresh data answered before its sync "
			    "returned", round);
		reply_free(&r);
		reply_free(&g);
	}
	zmq_close(s2);
	zmq_close(s);
	harness_destroy(&h);
}

TEST(a_failed_sync_answers_unavailable_and_exits_74)
{
	harness_t *h;
	char fail[512], hold[512], begun[512], number[2][40];
	void *socks[FAIL_CLIENTS];
	int unavailable = 0, oks = 0, status;
	long long sent;
	reply_t r;

	{
		const char *env[] = {NULL};

		h = faulty(env);
	}
	path_in(h, fail, sizeof(fail), "fail-sync");
	harness_setenv(h, "TRYGG_FAULT_SYNC_FAIL_FILE", fail);
	path_in(h, hold, sizeof(hold), "hold-sync");
	harness_setenv(h, "TRYGG_FAULT_SYNC_HOLD_FILE", hold);
	path_in(h, begun, sizeof(begun), "begun.log");
	harness_setenv(h, "TRYGG_FAULT_SYNC_BEGUN", begun);
	CHECK_INT(harness_start(h, H_INTAKE), 0);

	/* answered ok before the fault: must survive it */
	for (int i = 0; i < 2; i++) {
		char id[32];
		pack_t *p = submit((snprintf(id, sizeof(id), "before-%d", i), id));
		const msgpack_object *o = harness_call(h, H_INTAKE, p);

		pack_destroy(&p);
		CHECK(h_ok(o));
		snprintf(number[i], sizeof(number[i]), "%s", h_str(h_get(o, "incident"), "number"));
	}

	/*
	 * Syncs are held; the requests go out, and once a sync has begun after
	 * them (their commit's, or a later one they wait behind) it is made to
	 * fail and let go. No duration is assumed anywhere.
	 */
	touch(hold);
	sent = now_ns();
	for (int i = 0; i < FAIL_CLIENTS; i++) {
		char id[32];

		snprintf(id, sizeof(id), "during-%d", i);
		socks[i] = dealer(h);
		send_req(socks[i], submit(id));
	}
	for (int tries = 0; tries < REPLY_MS / 5 && !started_after(begun, sent); tries++)
		usleep(5000);
	CHECK(started_after(begun, sent));
	touch(fail);
	unlink(hold);
	/* every reply that comes is unavailable; the daemon may end before it
	 * has taken a late request, which then gets none */
	for (int i = 0; i < FAIL_CLIENTS; i++) {
		recv_reply(socks[i], REPLY_MS, &r);
		if (r.ok && h_ok(reply_map(&r)))
			oks++;
		else if (r.ok && strcmp(h_code(reply_map(&r)), "unavailable") == 0)
			unavailable++;
		reply_free(&r);
		zmq_close(socks[i]);
	}
	CHECK_INT(oks, 0);
	CHECK(unavailable >= 1);
	status = harness_wait(h, H_INTAKE, REPLY_MS);
	CHECK_INT(status, 74);
	{
		char *log = harness_log(h, H_INTAKE);

		CHECK_HAS(log, "Input/output error");
		free(log);
	}

	/* without the fault, everything answered ok is there */
	unlink(fail);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	for (int i = 0; i < 2; i++) {
		char id[32];
		pack_t *p = get_by_id((snprintf(id, sizeof(id), "before-%d", i), id));
		const msgpack_object *o = harness_call(h, H_INTAKE, p);

		pack_destroy(&p);
		CHECK(h_ok(o));
		CHECK_STR(h_str(h_get(o, "incident"), "number"), number[i]);
	}
	harness_destroy(&h);
}

TEST(a_failed_commit_fails_its_batch_and_the_daemon_serves_on)
{
	harness_t *h;
	char fail[512];
	const msgpack_object *o;
	pack_t *p;

	{
		const char *env[] = {NULL};

		h = faulty(env);
	}
	path_in(h, fail, sizeof(fail), "fail-write");
	harness_setenv(h, "TRYGG_FAULT_WRITE_FAIL_FILE", fail);
	CHECK_INT(harness_start(h, H_INTAKE), 0);

	p = submit("commit-before");
	CHECK(h_ok(harness_call(h, H_INTAKE, p)));
	pack_destroy(&p);

	touch(fail);
	p = submit("commit-failed");
	o = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	CHECK(o != NULL && !h_ok(o));
	CHECK_STR(h_code(o), "unavailable");
	unlink(fail);

	/* the daemon serves on, and only that batch was lost */
	p = submit("commit-after");
	CHECK(h_ok(harness_call(h, H_INTAKE, p)));
	pack_destroy(&p);
	CHECK_INT(harness_wait(h, H_INTAKE, 0), -1);
	for (int restart = 0; restart < 2; restart++) {
		p = get_by_id("commit-failed");
		CHECK_STR(h_code(harness_call(h, H_INTAKE, p)), "not_found");
		pack_destroy(&p);
		p = get_by_id("commit-before");
		CHECK(h_ok(harness_call(h, H_INTAKE, p)));
		pack_destroy(&p);
		p = get_by_id("commit-after");
		CHECK(h_ok(harness_call(h, H_INTAKE, p)));
		pack_destroy(&p);
		/* and the same from the disk */
		if (restart == 0) {
			CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
			CHECK_INT(harness_start(h, H_INTAKE), 0);
		}
	}
	harness_destroy(&h);
}

/*
 * A new WAL's name is durable once the folder is synced. SQLite syncs the
 * folder at its own first sync of a WAL, but with syncs deferred to
 * db_sync it never makes one: after a clean stop (which removes the WAL)
 * the next start writes a new WAL, and the folder must be synced before the
 * first reply that depends on it.
 */
TEST(the_data_folder_is_synced_before_a_new_wal_is_relied_on)
{
	harness_t *h;
	char log[512];
	sync_t syncs[64];
	reply_t r;
	int n, before = 0;
	void *s;

	{
		const char *env[] = {"TRYGG_FAULT_PATH", "/data", NULL};

		h = faulty(env);
	}
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
	path_in(h, log, sizeof(log), "syncs.log");
	harness_setenv(h, "TRYGG_FAULT_SYNC_LOG", log);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	s = dealer(h);
	send_req(s, submit("new-wal"));
	recv_reply(s, REPLY_MS, &r);
	CHECK(h_ok(reply_map(&r)));
	n = read_syncs(log, syncs, 64);
	for (int i = 0; i < n; i++)
		before += syncs[i].rc == 0 && syncs[i].end <= r.at;
	CHECK(before >= 1);
	reply_free(&r);
	zmq_close(s);
	harness_destroy(&h);
}

TEST_MAIN(no_ok_before_the_sync_that_covers_it, a_failed_sync_answers_unavailable_and_exits_74,
    a_failed_commit_fails_its_batch_and_the_daemon_serves_on,
    the_data_folder_is_synced_before_a_new_wal_is_relied_on)
