/*
 * test_batch.c: requests of one batch are isolated from each other. A
 * submit whose store fails after its insert (the TRYGG_TEST_FAIL_ID seam of
 * trygg-intake) is answered "internal" and leaves nothing behind, while
 * the other requests taken in the same batch are stored and answered ok,
 * and the numbering has no gap.
 */
#include "harness.h"
#include "msg.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define N 20
#define BAD 7

TEST(one_failing_request_fails_only_itself)
{
	harness_t *h;
	void *sock;
	int linger = 0, ok = 0, internal = 0;
	bool seen[N + 1] = {false};
	char bad[32];

	snprintf(bad, sizeof(bad), "batch-%d", BAD);
	setenv("TRYGG_TEST_FAIL_ID", bad, 1);
	h = harness_new(NULL);
	CHECK(harness_start(h, H_INTAKE) == 0);
	unsetenv("TRYGG_TEST_FAIL_ID");
	sock = zmq_socket(h->zctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, h->endpoint[H_INTAKE]);
	/* all at once, so that the daemon takes them in one batch */
	for (int i = 0; i < N; i++) {
		pack_t *p = harness_req("submit");
		const void *data;
		size_t len;
		char id[32];

		snprintf(id, sizeof(id), "batch-%d", i);
		pack_kv_str(p, "id", id);
		pack_kv_str(p, "district", "Berga");
		pack_kv_str(p, "category", "nedskrapning");
		pack_kv_int(p, "severity", 1);
		pack_kv_str(p, "summary", "Skräp vid återvinningen");
		pack_kv_str(p, "reporter", "trygghetsvärd");
		pack_kv_int(p, "req", i);
		pack_map_close(p);
		data = pack_data(p, &len);
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
		zmq_send(sock, data, len, 0);
		pack_destroy(&p);
	}
	for (int got = 0; got < N; got++) {
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		char body[4096];
		int len;
		msgpack_unpacked u;

		if (zmq_poll(&it, 1, 20000) <= 0)
			break;
		zmq_recv(sock, body, sizeof(body), 0);          /* the delimiter */
		if ((len = zmq_recv(sock, body, sizeof(body), 0)) < 0)
			break;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, body, (size_t)len, NULL) == MSGPACK_UNPACK_SUCCESS) {
			long long req = h_int(&u.data, "req");
			const char *number = h_str(h_get(&u.data, "incident"), "number");

			if (req == BAD) {
				CHECK_STR(h_code(&u.data), "internal");
				internal++;
			} else if (h_ok(&u.data)) {
				int seq = strlen(number) > 9 ? atoi(number + 9) : 0;

				ok++;
				CHECK(seq >= 1 && seq <= N - 1);
				if (seq >= 1 && seq <= N) {
					CHECK(!seen[seq]);
					seen[seq] = true;
				}
			} else {
				test_fail(__FILE__, __LINE__, "request %lld: %s", req, h_code(&u.data));
			}
		}
		msgpack_unpacked_destroy(&u);
	}
	CHECK_INT(ok, N - 1);
	CHECK_INT(internal, 1);
	/* the failed one left nothing; the others are there */
	{
		pack_t *p = harness_req("get");
		const msgpack_object *r;

		pack_kv_str(p, "id", bad);
		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		pack_destroy(&p);
		CHECK_STR(h_code(r), "not_found");
		p = harness_req("get");
		pack_kv_str(p, "id", "batch-8");
		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		pack_destroy(&p);
		CHECK(h_ok(r));
	}
	zmq_close(sock);
	harness_destroy(&h);
}

TEST_MAIN(one_failing_request_fails_only_itself)
