/*
 * test_rpc.c: ZeroMQ request-reply (common/rpc.c) over ipc:// endpoints in
 * a temporary folder, one zmq context per case.
 *
 * Clients are plain REQ and DEALER sockets, so that what the server puts on
 * the wire is seen frame by frame, and rpc_client for the Lazy Pirate
 * retries. A server that must answer while the main thread waits for a
 * reply runs in a second thread; the socket is handed over before the
 * thread starts and used by that thread alone until it is joined.
 */
#include "../test.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>
#include <zmq.h>

#include "msg.h"
#include "pack.h"
#include "rpc.h"
#include "wire.h"

#define SERVICE   "svc-test"
#define WAIT_MS   3000          /* how long a test waits for a reply that must come */

typedef struct {
	char  dir[64];
	char  endpoint[128];
	void *zctx;
} env_t;

static bool
env_new(env_t *e)
{
	snprintf(e->dir, sizeof(e->dir), "/tmp/trygg-test-rpc-XXXXXX");
	if (mkdtemp(e->dir) == NULL) {
		test_fail(__FILE__, __LINE__, "mkdtemp failed");
		return false;
	}
	snprintf(e->endpoint, sizeof(e->endpoint), "ipc://%s/s.sock", e->dir);
	e->zctx = zmq_ctx_new();
	return true;
}

static void
env_destroy(env_t *e)
{
	DIR *d;
	struct dirent *de;
	char p[512];

	zmq_ctx_term(e->zctx);
	if ((d = opendir(e->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", e->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	if (rmdir(e->dir) != 0)
		test_fail(__FILE__, __LINE__, "cannot remove %s", e->dir);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rpc_server_t *
server(env_t *e)
{
	char err[256] = "";
	rpc_server_t *s = rpc_server_new(e->zctx, e->endpoint, err, sizeof(err));

	if (s == NULL)
		test_fail(__FILE__, __LINE__, "rpc_server_new: %s", err);
	return s;
}

static void *
client(env_t *e, int type)
{
	void *sock = zmq_socket(e->zctx, type);
	int linger = 0;

	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(sock, e->endpoint) != 0)
		test_fail(__FILE__, __LINE__, "connect %s: %s", e->endpoint,
		    zmq_strerror(errno));
	return sock;
}

/* {"v":1,"op":op,"req":req} (req omitted when NULL); the caller destroys. */
static pack_t *
request(const char *op, const char *req)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", op);
	if (req)
		pack_kv_str(p, "req", req);
	pack_map_close(p);
	return p;
}

static int
send_pack(void *sock, const pack_t *p, int flags)
{
	size_t len;
	const void *data = pack_data(p, &len);

	return zmq_send(sock, data, len, flags);
}

/* Renders a msgpack object as compact JSON-like text, for comparisons. */
static void
render_obj(const msgpack_object *o, char *out, size_t cap, size_t *off)
{
#define PUT(...) do { if (*off < cap) \
	*off += (size_t)snprintf(out + *off, cap - *off, __VA_ARGS__); } while (0)
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		PUT("nil");
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		PUT("%s", o->via.boolean ? "true" : "false");
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		PUT("%llu", (unsigned long long)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		PUT("%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_STR:
		PUT("\"%.*s\"", (int)o->via.str.size, o->via.str.ptr);
		break;
	case MSGPACK_OBJECT_MAP:
		PUT("{");
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			if (i)
				PUT(",");
			render_obj(&o->via.map.ptr[i].key, out, cap, off);
			PUT(":");
			render_obj(&o->via.map.ptr[i].val, out, cap, off);
		}
		PUT("}");
		break;
	case MSGPACK_OBJECT_ARRAY:
		PUT("[");
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				PUT(",");
			render_obj(&o->via.array.ptr[i], out, cap, off);
		}
		PUT("]");
		break;
	default:
		PUT("?");
		break;
	}
#undef PUT
}

static void
render(const void *data, size_t len, char *out, size_t cap)
{
	msgpack_unpacked up;
	size_t off = 0, used = 0;

	out[0] = '\0';
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, data, len, &used) != MSGPACK_UNPACK_SUCCESS)
		snprintf(out, cap, "(not msgpack)");
	else if (used != len)
		snprintf(out, cap, "(trailing bytes)");
	else
		render_obj(&up.data, out, cap, &off);
	msgpack_unpacked_destroy(&up);
}

/*
 * Receives one whole message from sock within WAIT_MS into frames:
 * the number of frames, 0 on timeout. The last frame is rendered into out.
 */
static int
recv_frames(void *sock, int timeout_ms, size_t *lens, int max, char *out, size_t cap)
{
	zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
	int n = 0, more = 1;
	size_t more_len = sizeof(more);

	out[0] = '\0';
	if (zmq_poll(&item, 1, timeout_ms) <= 0)
		return 0;
	while (more) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			return -1;
		}
		if (n < max)
			lens[n] = zmq_msg_size(&m);
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
		if (!more)
			render(zmq_msg_data(&m), zmq_msg_size(&m), out, cap);
		zmq_msg_close(&m);
		n++;
	}
	return n;
}

/* ---- a server thread that drains with a handler ---- */

typedef struct {
	rpc_server_t *s;
	atomic_int    stop;
	atomic_int    handled;      /* calls of the handler */
	atomic_int    answered;     /* what rpc_server_drain counted */
	int           ignore_first; /* take this many requests and never answer */
	bool          stale_first;  /* answer the first request only after the second */
	pthread_t     tid;
} srv_t;

/* "echo" answers {"ok":true,"req":..,"op":"echo","n":N}; other ops unknown_op. */
static void
handler(void *ctx, const msg_t *m, const char *op, size_t op_len, pack_t *reply)
{
	srv_t *srv = ctx;
	int n = atomic_fetch_add(&srv->handled, 1) + 1;

	if (msg_op_is(op, op_len, "echo")) {
		pack_reply_ok(reply, msg_req(m));
		pack_kv_strn(reply, "op", op, op_len);
		pack_kv_int(reply, "n", n);
		pack_map_close(reply);
	} else {
		wire_err_t err;

		wire_err_set(&err, WERR_UNKNOWN_OP, NULL, "unknown op '%.*s'", (int)op_len, op);
		pack_reply_error(reply, &err, msg_req(m));
	}
}

static bool
srv_wait(srv_t *srv, int ms)
{
	zmq_pollitem_t item = {rpc_server_socket(srv->s), 0, ZMQ_POLLIN, 0};

	return zmq_poll(&item, 1, ms) > 0;
}

static void *
srv_main(void *arg)
{
	srv_t *srv = arg;
	rpc_request_t held[2];
	int nheld = 0;

	while (!atomic_load(&srv->stop)) {
		int n;

		if (!srv_wait(srv, 20))
			continue;
		if (srv->ignore_first > 0) {
			rpc_request_t req;

			if (rpc_server_recv(srv->s, &req) == 1) {
				rpc_request_release(&req);
				srv->ignore_first--;
			}
			continue;
		}
		if (srv->stale_first && nheld < 2) {
			if (rpc_server_recv(srv->s, &held[nheld]) == 1)
				nheld++;
			if (nheld == 2) {
				/* the first asker has given up: its reply goes nowhere */
				static const char stale[] = "\x81\xa5stale\xc3";

				rpc_server_reply(srv->s, &held[0], stale, sizeof(stale) - 1);
				pack_t *p = pack_new();
				size_t len;
				const void *data;

				pack_reply_ok(p, NULL);
				pack_kv_str(p, "answer", "second");
				pack_map_close(p);
				data = pack_data(p, &len);
				rpc_server_reply(srv->s, &held[1], data, len);
				pack_destroy(&p);
				rpc_request_release(&held[0]);
				rpc_request_release(&held[1]);
				srv->stale_first = false;
			}
			continue;
		}
		if ((n = rpc_server_drain(srv->s, SERVICE, handler, srv)) > 0)
			atomic_fetch_add(&srv->answered, n);
	}
	for (int i = 0; i < nheld && srv->stale_first; i++)
		rpc_request_release(&held[i]);
	return NULL;
}

static bool
srv_start(srv_t *srv, env_t *e)
{
	memset(srv, 0, sizeof(*srv));
	if ((srv->s = server(e)) == NULL)
		return false;
	atomic_init(&srv->stop, 0);
	atomic_init(&srv->handled, 0);
	atomic_init(&srv->answered, 0);
	return true;
}

static void
srv_run(srv_t *srv)
{
	if (pthread_create(&srv->tid, NULL, srv_main, srv) != 0)
		test_fail(__FILE__, __LINE__, "pthread_create");
}

static void
srv_stop(srv_t *srv)
{
	atomic_store(&srv->stop, 1);
	pthread_join(srv->tid, NULL);
	rpc_server_destroy(&srv->s);
	CHECK(srv->s == NULL);
}

/* ---- cases ---- */

TEST(test_bind)
{
	char err[256] = "";
	env_t e;
	rpc_server_t *a, *b;

	if (!env_new(&e))
		return;
	a = rpc_server_new(e.zctx, e.endpoint, err, sizeof(err));
	CHECK(a != NULL);
	CHECK(a != NULL && rpc_server_socket(a) != NULL);
	rpc_server_destroy(&a);
	CHECK(a == NULL);
	rpc_server_destroy(&a);
	rpc_server_destroy(NULL);

	/* (ipc:// lets a second bind take the path over, so inproc:// here) */
	a = rpc_server_new(e.zctx, "inproc://test-bind", err, sizeof(err));
	CHECK(a != NULL);
	b = rpc_server_new(e.zctx, "inproc://test-bind", err, sizeof(err));
	CHECK(b == NULL);
	CHECK_HAS(err, "binding inproc://test-bind: Address already in use");
	rpc_server_destroy(&b);
	err[0] = '\0';
	b = rpc_server_new(e.zctx, "bogus://nowhere", err, sizeof(err));
	CHECK(b == NULL);
	CHECK_HAS(err, "binding bogus://nowhere");
	rpc_server_destroy(&b);
	rpc_server_destroy(&a);
	env_destroy(&e);
}

/* Nothing waiting: 0 at once, with the request cleared. */
TEST(test_recv_nothing)
{
	env_t e;
	rpc_server_t *s;
	rpc_request_t req;
	int64_t t0;
	void *c;

	if (!env_new(&e))
		return;
	if ((s = server(&e)) == NULL)
		goto out;
	memset(&req, 0xa5, sizeof(req));
	t0 = now_ms();
	CHECK_INT(rpc_server_recv(s, &req), 0);
	CHECK(now_ms() - t0 < 500);
	CHECK_INT(req.nframes, 0);
	CHECK(req.body == NULL);
	CHECK_INT(rpc_server_drain(s, SERVICE, handler, NULL), 0);
	/* a connected client that has sent nothing changes nothing */
	c = client(&e, ZMQ_REQ);
	usleep(50 * 1000);
	CHECK_INT(rpc_server_recv(s, &req), 0);
	CHECK_INT(rpc_server_drain(s, SERVICE, handler, NULL), 0);
	zmq_close(c);
	rpc_server_destroy(&s);
out:
	env_destroy(&e);
}

/*
 * What rpc_server_recv makes of the frames a DEALER sends: the envelope it
 * keeps, the body, and the flags. A body over WIRE_MAX_FRAME is not kept.
 */
TEST(test_recv_frames)
{
	static const struct {
		int         delim;      /* send the empty delimiter first */
		size_t      body[2];    /* body frame sizes; 0 in [1]: one frame */
		int         nframes;    /* envelope kept: identity (+ delimiter) */
		bool        too_large, malformed;
	} cases[] = {
		{1, {5, 0}, 2, false, false},
		{1, {WIRE_MAX_FRAME, 0}, 2, false, false},
		{1, {WIRE_MAX_FRAME + 1, 0}, 2, true, false},
		{1, {1024 * 1024, 0}, 2, true, false},
		{0, {5, 0}, 1, false, false},
		{0, {WIRE_MAX_FRAME + 1, 0}, 1, true, false},
		{1, {5, 7}, 2, false, true},
		{0, {5, 7}, 1, false, true},
	};
	char *big = malloc(1024 * 1024);
	env_t e;
	rpc_server_t *s;
	void *d;

	if (big == NULL || !env_new(&e)) {
		free(big);
		return;
	}
	for (size_t i = 0; i < 1024 * 1024; i++)
		big[i] = (char)('a' + i % 26);
	if ((s = server(&e)) == NULL)
		goto out;
	d = client(&e, ZMQ_DEALER);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		zmq_pollitem_t item = {rpc_server_socket(s), 0, ZMQ_POLLIN, 0};
		rpc_request_t req;
		int rc;

		if (cases[i].delim)
			zmq_send(d, "", 0, ZMQ_SNDMORE);
		zmq_send(d, big, cases[i].body[0], cases[i].body[1] ? ZMQ_SNDMORE : 0);
		if (cases[i].body[1])
			zmq_send(d, big, cases[i].body[1], 0);
		zmq_poll(&item, 1, WAIT_MS);
		rc = rpc_server_recv(s, &req);
		CHECK_INT(rc, 1);
		if (rc != 1)
			continue;
		if (req.nframes != cases[i].nframes || req.too_large != cases[i].too_large ||
		    req.malformed != cases[i].malformed)
			test_fail(__FILE__, __LINE__, "case %zu: %d frames, too_large %d, "
			    "malformed %d", i, req.nframes, req.too_large, req.malformed);
		if (req.nframes >= 1)
			CHECK(req.lens[0] > 0);                 /* the identity */
		if (cases[i].delim && req.nframes >= 2)
			CHECK_INT(req.lens[1], 0);
		if (cases[i].malformed || cases[i].too_large)
			CHECK(req.body == NULL);
		else if (req.len != cases[i].body[0] || req.body == NULL ||
		    memcmp(req.body, big, req.len) != 0)
			test_fail(__FILE__, __LINE__, "case %zu: body of %zu bytes", i, req.len);
		if (cases[i].too_large)
			CHECK_INT(req.len, cases[i].body[0]);
		rpc_request_release(&req);
		CHECK(req.body == NULL && req.nframes == 0);
	}
	zmq_close(d);
	rpc_server_destroy(&s);
out:
	free(big);
	env_destroy(&e);
}

/* REQ and DEALER peers get their replies, each in the envelope it used. */
TEST(test_req_and_dealer)
{
	static const struct {
		const char *op, *req;
		int         v;
		const char *want;       /* the reply, exactly */
	} cases[] = {
		{"ping", "r1", 1, "{\"ok\":true,\"req\":\"r1\",\"service\":\"" SERVICE
		    "\",\"version\":\"" WIRE_TRYGG_VERSION "\"}"},
		{"ping", NULL, 1, "{\"ok\":true,\"service\":\"" SERVICE
		    "\",\"version\":\"" WIRE_TRYGG_VERSION "\"}"},
		{"echo", "r2", 1, "{\"ok\":true,\"req\":\"r2\",\"op\":\"echo\",\"n\":"},
		{"nosuch", "r3", 1, "\"code\":\"unknown_op\""},
		{"ping", "r4", 2, "\"code\":\"unsupported_version\""},
	};
	srv_t srv;
	env_t e;
	void *req_sock, *dealer, *bare;
	char out[512];
	size_t lens[8];

	if (!env_new(&e))
		return;
	if (!srv_start(&srv, &e))
		goto out;
	srv_run(&srv);
	req_sock = client(&e, ZMQ_REQ);
	dealer = client(&e, ZMQ_DEALER);
	bare = client(&e, ZMQ_DEALER);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pack_t *p = pack_new();
		int n;

		pack_map_open(p);
		pack_kv_int(p, "v", cases[i].v);
		pack_kv_str(p, "op", cases[i].op);
		if (cases[i].req)
			pack_kv_str(p, "req", cases[i].req);
		pack_map_close(p);

		/* REQ: one frame back */
		CHECK(send_pack(req_sock, p, 0) >= 0);
		n = recv_frames(req_sock, WAIT_MS, lens, 8, out, sizeof(out));
		if (n != 1 || strstr(out, cases[i].want) == NULL)
			test_fail(__FILE__, __LINE__, "REQ case %zu: %d frames, \"%s\", "
			    "expected \"%s\"", i, n, out, cases[i].want);
		if (cases[i].req) {     /* echoed, in errors too */
			char req[32];

			snprintf(req, sizeof(req), "\"req\":\"%s\"", cases[i].req);
			CHECK_HAS(out, req);
		}

		/* DEALER with the delimiter: [empty][reply] */
		CHECK(zmq_send(dealer, "", 0, ZMQ_SNDMORE) == 0);
		CHECK(send_pack(dealer, p, 0) >= 0);
		n = recv_frames(dealer, WAIT_MS, lens, 8, out, sizeof(out));
		if (n != 2 || lens[0] != 0 || strstr(out, cases[i].want) == NULL)
			test_fail(__FILE__, __LINE__, "DEALER case %zu: %d frames, \"%s\", "
			    "expected \"%s\"", i, n, out, cases[i].want);

		/* DEALER without it: answered the way it came, [reply] */
		CHECK(send_pack(bare, p, 0) >= 0);
		n = recv_frames(bare, WAIT_MS, lens, 8, out, sizeof(out));
		if (n != 1 || strstr(out, cases[i].want) == NULL)
			test_fail(__FILE__, __LINE__, "bare DEALER case %zu: %d frames, "
			    "\"%s\", expected \"%s\"", i, n, out, cases[i].want);
		pack_destroy(&p);
	}
	zmq_close(req_sock);
	zmq_close(dealer);
	zmq_close(bare);
	srv_stop(&srv);
	CHECK_INT(atomic_load(&srv.answered), 15);
	CHECK_INT(atomic_load(&srv.handled), 6);        /* echo and nosuch, 3 ways */
out:
	env_destroy(&e);
}

/* Over 64 KiB: too_large without parsing; exactly 64 KiB is a request. */
TEST(test_too_large)
{
	static const size_t sizes[] = {WIRE_MAX_FRAME, WIRE_MAX_FRAME + 1, 1024 * 1024};
	char *pad = malloc(2 * 1024 * 1024);
	srv_t srv;
	env_t e;
	void *c, *d;
	char out[512];
	size_t lens[8];

	if (pad == NULL || !env_new(&e)) {
		free(pad);
		return;
	}
	memset(pad, 'a', 2 * 1024 * 1024);
	if (!srv_start(&srv, &e))
		goto out;
	srv_run(&srv);
	c = client(&e, ZMQ_REQ);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pack_t *p = NULL;
		size_t len = 0, padlen = sizes[i] - 64;

		/* a ping padded to exactly sizes[i] bytes */
		for (int tries = 0; tries < 3 && len != sizes[i]; tries++) {
			pack_destroy(&p);
			p = pack_new();
			pack_map_open(p);
			pack_kv_int(p, "v", 1);
			pack_kv_str(p, "op", "ping");
			pack_kv_strn(p, "pad", pad, padlen);
			pack_map_close(p);
			pack_data(p, &len);
			padlen += sizes[i] - len;
		}
		CHECK_INT(len, sizes[i]);
		CHECK(send_pack(c, p, 0) >= 0);
		CHECK_INT(recv_frames(c, WAIT_MS, lens, 8, out, sizeof(out)), 1);
		if (sizes[i] <= WIRE_MAX_FRAME)
			CHECK_HAS(out, "\"ok\":true,\"service\":\"" SERVICE "\"");
		else
			CHECK_HAS(out, "\"code\":\"too_large\"");
		pack_destroy(&p);
	}
	/* garbage over the limit is too_large too: it is never parsed */
	CHECK(zmq_send(c, pad, WIRE_MAX_FRAME + 1, 0) >= 0);
	CHECK_INT(recv_frames(c, WAIT_MS, lens, 8, out, sizeof(out)), 1);
	CHECK_HAS(out, "\"ok\":false");
	CHECK_HAS(out, "\"code\":\"too_large\"");
	CHECK_HAS(out, "65536");

	/* past the hard limit libzmq drops the peer; others are still served */
	d = client(&e, ZMQ_DEALER);
	CHECK(zmq_send(d, "", 0, ZMQ_SNDMORE) == 0);
	{
		char *big = malloc(5 * 1024 * 1024);

		if (big != NULL) {
			memset(big, 'b', 5 * 1024 * 1024);
			CHECK(zmq_send(d, big, 5 * 1024 * 1024, 0) >= 0);
			free(big);
		}
	}
	CHECK_INT(recv_frames(d, 300, lens, 8, out, sizeof(out)), 0);
	{
		pack_t *p = request("ping", "after");

		CHECK(send_pack(c, p, 0) >= 0);
		CHECK_INT(recv_frames(c, WAIT_MS, lens, 8, out, sizeof(out)), 1);
		CHECK_HAS(out, "\"req\":\"after\",\"service\"");
		pack_destroy(&p);
	}
	zmq_close(c);
	zmq_close(d);
	srv_stop(&srv);
out:
	free(pad);
	env_destroy(&e);
}

/* What cannot be a request gets bad_request, addressed back to its sender. */
TEST(test_bad_request)
{
	static const struct {
		const char *bytes;
		size_t      len;
	} frames[] = {
		{"hello", 5},
		{"", 0},
		{"\x93\x01\x02\x03", 4},                 /* an array */
		{"\x81\xa1v\x01", 4},                    /* no op */
		{"\x82\xa1v\x01\xa2op\x01", 8},          /* op not a string */
		{"\x82\xa1v\x01\xa2op\xa4pi", 8},        /* truncated */
		{"\x82\xa1v\x01\xa2op\xa4ping\xc0", 13}, /* trailing bytes */
	};
	srv_t srv;
	env_t e;
	void *c, *d;
	char out[512];
	size_t lens[8];
	pack_t *p = request("ping", "r9");

	if (!env_new(&e))
		goto done;
	if (!srv_start(&srv, &e))
		goto out;
	srv_run(&srv);
	c = client(&e, ZMQ_REQ);
	d = client(&e, ZMQ_DEALER);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		int n;

		CHECK(zmq_send(c, frames[i].bytes, frames[i].len, 0) >= 0);
		n = recv_frames(c, WAIT_MS, lens, 8, out, sizeof(out));
		if (n != 1 || strstr(out, "\"code\":\"bad_request\"") == NULL)
			test_fail(__FILE__, __LINE__, "frame %zu: %d frames, \"%s\"", i, n, out);
	}

	/* DEALER: two body frames after the delimiter */
	CHECK(zmq_send(d, "", 0, ZMQ_SNDMORE) == 0);
	CHECK(send_pack(d, p, ZMQ_SNDMORE) >= 0);
	CHECK(send_pack(d, p, 0) >= 0);
	CHECK_INT(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK_INT(lens[0], 0);
	CHECK_HAS(out, "\"code\":\"bad_request\"");
	CHECK_HAS(out, "one frame after an empty delimiter");

	/* DEALER: a delimiter and nothing after it */
	CHECK(zmq_send(d, "", 0, 0) == 0);
	CHECK_INT(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK_HAS(out, "\"code\":\"bad_request\"");

	/* DEALER: many frames, more than an envelope holds */
	for (int i = 0; i < 20; i++)
		CHECK(zmq_send(d, "", 0, ZMQ_SNDMORE) == 0);
	CHECK(send_pack(d, p, 0) >= 0);
	CHECK(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)) >= 1);
	CHECK_HAS(out, "\"code\":\"bad_request\"");

	/* and the same socket is still answered properly afterwards */
	CHECK(zmq_send(d, "", 0, ZMQ_SNDMORE) == 0);
	CHECK(send_pack(d, p, 0) >= 0);
	CHECK_INT(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK_HAS(out, "{\"ok\":true,\"req\":\"r9\",\"service\":\"" SERVICE "\"");
	zmq_close(c);
	zmq_close(d);
	srv_stop(&srv);
	CHECK_INT(atomic_load(&srv.handled), 0);
out:
	env_destroy(&e);
done:
	pack_destroy(&p);
}

/*
 * Group commit: take every waiting request first, answer later in any
 * order. Three REQ peers and a DEALER with two requests in flight; the
 * replies go out in reverse order of arrival and each reaches its asker.
 */
TEST(test_deferred_reverse)
{
	enum { NREQ = 3, NALL = NREQ + 2 };
	env_t e;
	rpc_server_t *s;
	rpc_request_t reqs[NALL];
	void *socks[NREQ], *d;
	char out[512], name[16];
	size_t lens[8];
	int taken = 0;
	int64_t deadline;

	if (!env_new(&e))
		return;
	if ((s = server(&e)) == NULL)
		goto out;
	for (int i = 0; i < NREQ; i++) {
		pack_t *p;

		snprintf(name, sizeof(name), "q%d", i);
		p = request("echo", name);
		socks[i] = client(&e, ZMQ_REQ);
		CHECK(send_pack(socks[i], p, 0) >= 0);
		pack_destroy(&p);
	}
	d = client(&e, ZMQ_DEALER);
	for (int i = 0; i < 2; i++) {
		pack_t *p;

		snprintf(name, sizeof(name), "d%d", i);
		p = request("echo", name);
		CHECK(zmq_send(d, "", 0, ZMQ_SNDMORE) == 0);
		CHECK(send_pack(d, p, 0) >= 0);
		pack_destroy(&p);
	}

	deadline = now_ms() + WAIT_MS;
	while (taken < NALL && now_ms() < deadline) {
		zmq_pollitem_t item = {rpc_server_socket(s), 0, ZMQ_POLLIN, 0};
		int rc;

		zmq_poll(&item, 1, 50);
		while (taken < NALL && (rc = rpc_server_recv(s, &reqs[taken])) == 1)
			taken++;
	}
	CHECK_INT(taken, NALL);
	CHECK_INT(rpc_server_recv(s, &(rpc_request_t){0}), 0);
	/* nothing is answered yet */
	for (int i = 0; i < NREQ; i++)
		CHECK_INT(recv_frames(socks[i], 0, lens, 8, out, sizeof(out)), 0);

	for (int i = taken - 1; i >= 0; i--) {
		pack_t *reply = pack_new();
		const char *op;
		size_t op_len, len;
		msg_t *m = rpc_server_prepare(&reqs[i], SERVICE, &op, &op_len, reply);
		const void *data;

		CHECK(m != NULL);
		CHECK(!reqs[i].too_large && !reqs[i].malformed);
		if (m != NULL) {
			const msgpack_object *r = msg_req(m);

			pack_reset(reply);
			pack_reply_ok(reply, r);
			pack_kv_int(reply, "order", taken - i);
			pack_map_close(reply);
			msg_destroy(&m);
		}
		data = pack_data(reply, &len);
		CHECK_INT(rpc_server_reply(s, &reqs[i], data, len), 0);
		pack_destroy(&reply);
	}
	for (int i = 0; i < taken; i++)
		rpc_request_release(&reqs[i]);
	CHECK(reqs[0].body == NULL && reqs[0].nframes == 0);

	/* every REQ peer gets the reply to its own request */
	for (int i = 0; i < NREQ; i++) {
		char want[32];

		snprintf(want, sizeof(want), "\"req\":\"q%d\"", i);
		CHECK_INT(recv_frames(socks[i], WAIT_MS, lens, 8, out, sizeof(out)), 1);
		CHECK_HAS(out, want);
		zmq_close(socks[i]);
	}
	/* the DEALER's two come back in the order they were answered */
	CHECK_INT(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK_HAS(out, "\"req\":\"d1\"");
	CHECK_INT(recv_frames(d, WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK_HAS(out, "\"req\":\"d0\"");
	zmq_close(d);
	rpc_server_destroy(&s);
out:
	env_destroy(&e);
}

static int
call(rpc_client_t *c, const char *op, const char *req, char *out, size_t cap,
    char *err, size_t errlen)
{
	pack_t *p = request(op, req);
	const void *data;
	char *reply = NULL;
	size_t len, rlen = 0;
	int rc;

	data = pack_data(p, &len);
	rc = rpc_client_call(c, data, len, &reply, &rlen, err, errlen);
	if (rc == 0) {
		render(reply, rlen, out, cap);
		CHECK(reply[rlen] == '\0');
		free(reply);
	}
	pack_destroy(&p);
	return rc;
}

TEST(test_client_call)
{
	char out[512], err[256];
	srv_t srv;
	env_t e;
	rpc_client_t *c;

	if (!env_new(&e))
		return;
	if (!srv_start(&srv, &e))
		goto out;
	srv_run(&srv);
	c = rpc_client_new(e.zctx, e.endpoint, 1000, 3);
	for (int i = 0; i < 3; i++) {
		char req[16], want[64];

		snprintf(req, sizeof(req), "c%d", i);
		snprintf(want, sizeof(want), "{\"ok\":true,\"req\":\"%s\",\"op\":\"echo\"", req);
		err[0] = '\0';
		CHECK_INT(call(c, "echo", req, out, sizeof(out), err, sizeof(err)), 0);
		CHECK_HAS(out, want);
		CHECK_STR(err, "");
	}
	CHECK_INT(call(c, "ping", "p", out, sizeof(out), err, sizeof(err)), 0);
	CHECK_HAS(out, "\"service\":\"" SERVICE "\"");
	rpc_client_destroy(&c);
	CHECK(c == NULL);
	rpc_client_destroy(&c);
	rpc_client_destroy(NULL);
	srv_stop(&srv);
	CHECK_INT(atomic_load(&srv.handled), 3);
out:
	env_destroy(&e);
}

/* Nobody answers: every attempt waits its timeout, then a clear error. */
TEST(test_client_gives_up)
{
	char out[512], err[256] = "", want[256];
	env_t e;
	rpc_client_t *c;
	rpc_server_t *mute;
	int64_t t0, took;

	if (!env_new(&e))
		return;
	/* nothing bound at all */
	c = rpc_client_new(e.zctx, e.endpoint, 100, 3);
	t0 = now_ms();
	CHECK_INT(call(c, "ping", NULL, out, sizeof(out), err, sizeof(err)), -1);
	took = now_ms() - t0;
	CHECK(took >= 290);
	CHECK(took < 2000);
	snprintf(want, sizeof(want), "no reply from %s after 3 attempts of 100 ms", e.endpoint);
	CHECK_STR(err, want);
	rpc_client_destroy(&c);

	/* a server that takes requests and never answers */
	if ((mute = server(&e)) != NULL) {
		rpc_request_t req;
		int got = 0;

		c = rpc_client_new(e.zctx, e.endpoint, 150, 2);
		err[0] = '\0';
		t0 = now_ms();
		CHECK_INT(call(c, "ping", NULL, out, sizeof(out), err, sizeof(err)), -1);
		took = now_ms() - t0;
		CHECK(took >= 290);
		CHECK_HAS(err, "after 2 attempts of 150 ms");
		while (rpc_server_recv(mute, &req) == 1) {
			got++;
			rpc_request_release(&req);
		}
		CHECK_INT(got, 2);      /* it did send, twice */
		rpc_client_destroy(&c);
		rpc_server_destroy(&mute);
	}
	env_destroy(&e);
}

/*
 * Lazy Pirate: the server loses the first request; the client resends on a
 * new socket and gets its answer. A late answer to the lost request goes
 * to the closed socket, never to the new one.
 */
TEST(test_client_retries)
{
	char out[512], err[256] = "";
	srv_t srv;
	env_t e;
	rpc_client_t *c;
	int64_t t0, took;

	if (!env_new(&e))
		return;
	if (!srv_start(&srv, &e))
		goto out;
	srv.ignore_first = 1;
	srv_run(&srv);
	c = rpc_client_new(e.zctx, e.endpoint, 200, 3);
	t0 = now_ms();
	CHECK_INT(call(c, "echo", "lp", out, sizeof(out), err, sizeof(err)), 0);
	took = now_ms() - t0;
	CHECK_HAS(out, "{\"ok\":true,\"req\":\"lp\",\"op\":\"echo\",\"n\":1}");
	CHECK(took >= 190);
	CHECK_STR(err, "");
	/* and the next call goes through at once */
	t0 = now_ms();
	CHECK_INT(call(c, "echo", "lp2", out, sizeof(out), err, sizeof(err)), 0);
	CHECK(now_ms() - t0 < 190);
	CHECK_HAS(out, "\"req\":\"lp2\"");
	rpc_client_destroy(&c);
	srv_stop(&srv);
	CHECK_INT(atomic_load(&srv.handled), 2);

	/* a fresh endpoint: the old one may still be unbinding */
	snprintf(e.endpoint, sizeof(e.endpoint), "ipc://%s/s2.sock", e.dir);
	if (!srv_start(&srv, &e))
		goto out;
	srv.stale_first = true;
	srv_run(&srv);
	c = rpc_client_new(e.zctx, e.endpoint, 200, 3);
	CHECK_INT(call(c, "ping", "late", out, sizeof(out), err, sizeof(err)), 0);
	CHECK_STR(out, "{\"ok\":true,\"answer\":\"second\"}");
	rpc_client_destroy(&c);
	srv_stop(&srv);
out:
	env_destroy(&e);
}

/*
 * An envelope too long to be kept inside the request (a 200-byte routing
 * id and a 100-byte hop) and a short one, each parsed into the same msg_t
 * (rpc_server_prepare_into), answered in reverse: every reply reaches its
 * asker with its own envelope, and the reused msg_t holds each request.
 */
TEST(test_long_envelope_and_reused_msg)
{
	env_t e;
	rpc_server_t *s;
	rpc_request_t reqs[2];
	void *socks[2];
	char id[200], hop[100], out[512];
	size_t lens[8];
	msg_t *m = msg_new();
	int taken = 0;
	int64_t deadline;

	memset(id, 'i', sizeof(id));
	memset(hop, 'h', sizeof(hop));
	if (!env_new(&e)) {
		msg_destroy(&m);
		return;
	}
	if ((s = server(&e)) == NULL)
		goto out;
	for (int i = 0; i < 2; i++) {
		pack_t *p = request("echo", i ? "short" : "long");

		socks[i] = zmq_socket(e.zctx, ZMQ_DEALER);
		if (i == 0)
			zmq_setsockopt(socks[i], ZMQ_ROUTING_ID, id, sizeof(id));
		zmq_setsockopt(socks[i], ZMQ_LINGER, &(int){0}, sizeof(int));
		CHECK(zmq_connect(socks[i], e.endpoint) == 0);
		if (i == 0)
			CHECK(zmq_send(socks[i], hop, sizeof(hop), ZMQ_SNDMORE) == (int)sizeof(hop));
		CHECK(zmq_send(socks[i], "", 0, ZMQ_SNDMORE) == 0);
		CHECK(send_pack(socks[i], p, 0) >= 0);
		pack_destroy(&p);
		/* in this order: the long one first */
		deadline = now_ms() + WAIT_MS;
		while (taken <= i && now_ms() < deadline) {
			zmq_pollitem_t item = {rpc_server_socket(s), 0, ZMQ_POLLIN, 0};

			zmq_poll(&item, 1, 50);
			if (rpc_server_recv(s, &reqs[taken]) == 1)
				taken++;
		}
	}
	CHECK_INT(taken, 2);
	if (taken != 2)
		goto close;
	CHECK_INT(reqs[0].nframes, 3);
	CHECK_INT(reqs[0].lens[0], sizeof(id));
	CHECK_INT(reqs[0].lens[1], sizeof(hop));
	CHECK(memcmp(reqs[0].frames[1], hop, sizeof(hop)) == 0);
	CHECK_INT(reqs[1].nframes, 2);
	for (int i = 1; i >= 0; i--) {
		pack_t *reply = pack_new();
		const char *op, *req;
		size_t op_len, len;
		const void *data;

		CHECK_INT(rpc_server_prepare_into(&reqs[i], SERVICE, m, &op, &op_len, reply), 0);
		req = NULL;
		if (msg_get(m, "req") != NULL)
			req = msg_get(m, "req")->via.str.ptr;
		CHECK(req != NULL && strncmp(req, i ? "short" : "long", i ? 5 : 4) == 0);
		pack_reply_ok(reply, msg_req(m));
		pack_map_close(reply);
		data = pack_data(reply, &len);
		CHECK_INT(rpc_server_reply(s, &reqs[i], data, len), 0);
		rpc_request_release(&reqs[i]);
		pack_destroy(&reply);
	}
	CHECK_INT(recv_frames(socks[0], WAIT_MS, lens, 8, out, sizeof(out)), 3);
	CHECK_INT(lens[0], sizeof(hop));
	CHECK(strstr(out, "long") != NULL);
	CHECK_INT(recv_frames(socks[1], WAIT_MS, lens, 8, out, sizeof(out)), 2);
	CHECK(strstr(out, "short") != NULL);
close:
	for (int i = 0; i < 2; i++)
		zmq_close(socks[i]);
	rpc_server_destroy(&s);
out:
	msg_destroy(&m);
	env_destroy(&e);
}

TEST_MAIN(test_bind, test_recv_nothing, test_recv_frames, test_req_and_dealer, test_too_large,
    test_bad_request, test_deferred_reverse, test_client_call,
    test_client_gives_up, test_client_retries, test_long_envelope_and_reused_msg)
