/*
 * rpc.c: ZeroMQ request-reply: a ROUTER server that keeps each request's
 * routing envelope until its reply is ready, and a REQ client with a
 * timeout that reconnects and resends (the zguide's Lazy Pirate).
 */
#include "rpc.h"
#include "mem.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

/* A peer that sends more than this in one frame is disconnected by libzmq;
 * between WIRE_MAX_FRAME and this it gets a too_large reply. The bound keeps
 * what a flooding client can make libzmq queue within reason. */
#define RPC_HARD_MAX_FRAME   (1024 * 1024)
#define RPC_FRAMES_MAX       (RPC_ENVELOPE_MAX + 4)

struct rpc_server {
	void *sock;
};

rpc_server_t *
rpc_server_new(void *zctx, const char *endpoint, char *err, size_t errlen)
{
	return rpc_server_new_with(zctx, endpoint, NULL, NULL, err, errlen);
}

rpc_server_t *
rpc_server_new_with(void *zctx, const char *endpoint, rpc_prepare_fn prepare,
    void *arg, char *err, size_t errlen)
{
	rpc_server_t *s;
	int64_t maxsize = RPC_HARD_MAX_FRAME;
	int linger = 0, sndhwm = RPC_SNDHWM, rcvhwm = RPC_RCVHWM;
	void *sock = zmq_socket(zctx, ZMQ_ROUTER);

	if (sock == NULL) {
		snprintf(err, errlen, "creating a ROUTER socket: %s", zmq_strerror(errno));
		return NULL;
	}
	zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_SNDHWM, &sndhwm, sizeof(sndhwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &rcvhwm, sizeof(rcvhwm));
	if (prepare != NULL && prepare(arg, sock, endpoint, err, errlen) < 0) {
		zmq_close(sock);
		return NULL;
	}
	if (zmq_bind(sock, endpoint) != 0) {
		snprintf(err, errlen, "binding %s: %s", endpoint, zmq_strerror(errno));
		zmq_close(sock);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->sock = sock;
	return s;
}

void
rpc_server_destroy(rpc_server_t **self_p)
{
	int linger = RPC_CLOSE_LINGER_MS;

	if (self_p == NULL || *self_p == NULL)
		return;
	/* replies queued last (at shutdown) still get RPC_CLOSE_LINGER_MS to leave */
	zmq_setsockopt((*self_p)->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close((*self_p)->sock);
	free(*self_p);
	*self_p = NULL;
}

void *
rpc_server_socket(rpc_server_t *s)
{
	return s->sock;
}

void
rpc_request_release(rpc_request_t *req)
{
	if (req->frames_own)
		for (int i = 0; i < req->nframes; i++)
			free(req->frames[i]);
	if (req->held)
		zmq_msg_close(&req->body_msg);
	req->nframes = 0;
	req->body = NULL;
	req->len = 0;
	req->held = req->frames_own = req->too_large = req->malformed = false;
	req->user_id[0] = '\0';
}

/* Keeps the envelope's frames: in req->envelope when they fit, else allocated. */
static void
rpc_keep_envelope(rpc_request_t *req, zmq_msg_t *frames)
{
	size_t total = 0, off = 0;

	for (int i = 0; i < req->nframes; i++) {
		req->lens[i] = zmq_msg_size(&frames[i]);
		total += req->lens[i];
	}
	req->frames_own = total > sizeof(req->envelope);
	for (int i = 0; i < req->nframes; i++) {
		if (req->frames_own) {
			req->frames[i] = xmalloc(req->lens[i] ? req->lens[i] : 1);
		} else {
			req->frames[i] = req->envelope + off;
			off += req->lens[i];
		}
		if (req->lens[i])
			memcpy(req->frames[i], zmq_msg_data(&frames[i]), req->lens[i]);
	}
}

int
rpc_server_recv(rpc_server_t *s, rpc_request_t *req)
{
	zmq_msg_t frames[RPC_FRAMES_MAX];
	int n = 0, more, delim = -1, extra = 0;
	size_t more_len = sizeof(more);

	req->nframes = 0;
	req->body = NULL;
	req->len = 0;
	req->held = req->frames_own = req->too_large = req->malformed = false;
	req->user_id[0] = '\0';
	for (;;) {
		zmq_msg_t scratch, *f = n < RPC_FRAMES_MAX ? &frames[n] : &scratch;

		zmq_msg_init(f);
		if (zmq_msg_recv(f, s->sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			int e = errno;

			zmq_msg_close(f);
			for (int i = 0; i < n && i < RPC_FRAMES_MAX; i++)
				zmq_msg_close(&frames[i]);
			if (n == 0 && e == EAGAIN)
				return 0;
			errno = e;
			return n == 0 && e == EINTR ? 0 : -1;
		}
		zmq_getsockopt(s->sock, ZMQ_RCVMORE, &more, &more_len);
		if (f == &scratch) {
			zmq_msg_close(f);
			extra++;
		} else {
			if (delim < 0 && zmq_msg_size(f) == 0)
				delim = n;
			n++;
		}
		if (!more)
			break;
	}
	/*
	 * [identity ...][empty][body] as REQ and well-behaved DEALER peers send;
	 * [identity][body] from a DEALER that skipped the delimiter is answered
	 * the same way it came.
	 */
	if (delim < 0)
		delim = 0;
	if (extra || delim + 1 > RPC_ENVELOPE_MAX || n != delim + 2) {
		req->malformed = true;
		if (delim + 1 > RPC_ENVELOPE_MAX || n < 1)
			delim = 0;
	}
	req->nframes = delim + 1 < n ? delim + 1 : n;
	if (req->nframes > RPC_ENVELOPE_MAX)
		req->nframes = RPC_ENVELOPE_MAX;
	rpc_keep_envelope(req, frames);
	if (!req->malformed) {
		zmq_msg_t *b = &frames[delim + 1];
		/* set by libzmq from the ZAP handler's answer; absent without one */
		const char *user = zmq_msg_gets(b, "User-Id");

		if (user != NULL)
			snprintf(req->user_id, sizeof(req->user_id), "%s", user);
		req->len = zmq_msg_size(b);
		if (req->len > WIRE_MAX_FRAME) {
			req->too_large = true;
		} else {
			/* kept, not copied; a small body's bytes live in the zmq_msg_t itself */
			zmq_msg_init(&req->body_msg);
			zmq_msg_move(&req->body_msg, b);
			req->held = true;
			req->body = zmq_msg_data(&req->body_msg);
		}
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&frames[i]);
	return 1;
}

int
rpc_server_reply(rpc_server_t *s, const rpc_request_t *req, const void *data, size_t len)
{
	for (int i = 0; i < req->nframes; i++)
		if (zmq_send(s->sock, req->frames[i], req->lens[i], ZMQ_SNDMORE) < 0)
			return -1;
	return zmq_send(s->sock, data, len, 0) < 0 ? -1 : 0;
}

int
rpc_server_prepare_into(const rpc_request_t *req, const char *service, msg_t *m,
    const char **op, size_t *op_len, pack_t *reply)
{
	wire_err_t err;

	pack_reset(reply);
	if (req->too_large) {
		wire_err_set(&err, WERR_TOO_LARGE, NULL,
		    "request is %zu bytes; the limit is %d", req->len, WIRE_MAX_FRAME);
		pack_reply_error(reply, &err, NULL);
		return -1;
	}
	if (req->malformed) {
		wire_err_set(&err, WERR_BAD_REQUEST, NULL,
		    "a request is one frame after an empty delimiter frame");
		pack_reply_error(reply, &err, NULL);
		return -1;
	}
	if (msg_parse_into(m, req->body, req->len, &err) < 0) {
		pack_reply_error(reply, &err, NULL);
		return -1;
	}
	if (msg_header(m, op, op_len, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return -1;
	}
	if (msg_op_is(*op, *op_len, WIRE_OP_PING)) {
		pack_reply_ok(reply, msg_req(m));
		pack_kv_str(reply, "service", service);
		pack_kv_str(reply, "version", WIRE_TRYGG_VERSION);
		pack_map_close(reply);
		return -1;
	}
	return 0;
}

msg_t *
rpc_server_prepare(const rpc_request_t *req, const char *service,
    const char **op, size_t *op_len, pack_t *reply)
{
	msg_t *m = msg_new();

	if (rpc_server_prepare_into(req, service, m, op, op_len, reply) < 0)
		msg_destroy(&m);
	return m;
}

void
rpc_reply_unknown_op(pack_t *reply, const msg_t *m, const char *service,
    const char *op, size_t op_len, const void *table, size_t n, size_t stride)
{
	char known[200] = WIRE_OP_PING;
	size_t used = strlen(known);
	wire_err_t err;

	for (size_t i = 0; i < n && used < sizeof(known); i++) {
		const char *name = *(const char *const *)(const void *)
		    ((const char *)table + i * stride);

		used += (size_t)snprintf(known + used, sizeof(known) - used, ", %s", name);
	}
	wire_err_set(&err, WERR_UNKNOWN_OP, "op", "unknown operation '%.*s'; %s knows %s",
	    (int)(op_len > 64 ? 64 : op_len), op, service, known);
	pack_reply_error(reply, &err, msg_req(m));
}

int
rpc_server_drain(rpc_server_t *s, const char *service, rpc_handler_fn fn, void *ctx)
{
	pack_t *reply = pack_new();
	rpc_request_t req;
	int n = 0, rc;

	while ((rc = rpc_server_recv(s, &req)) > 0) {
		const char *op;
		size_t op_len;
		msg_t *m = rpc_server_prepare(&req, service, &op, &op_len, reply);
		const void *data;
		size_t len;

		if (m != NULL) {
			pack_reset(reply);
			fn(ctx, m, op, op_len, reply);
			msg_destroy(&m);
		}
		data = pack_data(reply, &len);
		rpc_server_reply(s, &req, data, len);
		rpc_request_release(&req);
		n++;
	}
	pack_destroy(&reply);
	return rc < 0 ? -1 : n;
}

struct rpc_client {
	void          *zctx;
	char          *endpoint;
	void          *sock;
	int            timeout_ms;
	int            attempts;
	rpc_prepare_fn prepare;
	void          *prepare_arg;
	char           prepare_err[256];    /* why prepare refused the last socket */
	void          *mon;                 /* PAIR: the socket's handshake failures */
	unsigned       nsock;               /* sockets opened, for the monitor's name */
	bool           refused;             /* the last call failed for good: key or prepare */
};

/* the handshake failures that a resend cannot mend */
#define RPC_HANDSHAKE_EVENTS (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | \
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)

/* Closes the client's socket and its monitor. */
static void
rpc_client_close(rpc_client_t *c)
{
	if (c->sock != NULL) {
		zmq_socket_monitor(c->sock, NULL, 0);
		zmq_close(c->sock);
		c->sock = NULL;
	}
	if (c->mon != NULL) {
		zmq_close(c->mon);
		c->mon = NULL;
	}
}

/*
 * Watches the fresh socket's handshakes: a daemon that refuses the key (or
 * its absence) answers nothing ever, and the client should say so at once
 * rather than time out three times. Best effort: without the monitor the
 * client only waits.
 */
static void
rpc_client_monitor(rpc_client_t *c, void *sock)
{
	char ep[64];
	int linger = 0;

	snprintf(ep, sizeof(ep), "inproc://rpc-client-%p-%u", (void *)c, c->nsock++);
	if (zmq_socket_monitor(sock, ep, RPC_HANDSHAKE_EVENTS) != 0 ||
	    (c->mon = zmq_socket(c->zctx, ZMQ_PAIR)) == NULL)
		return;
	zmq_setsockopt(c->mon, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(c->mon, ep) != 0) {
		zmq_close(c->mon);
		c->mon = NULL;
	}
}

/* Reads a monitor event; the handshake failure's text into err, or 0 for none. */
static int
rpc_client_event(rpc_client_t *c, char *err, size_t errlen)
{
	zmq_msg_t f;
	uint16_t event = 0;
	uint32_t value = 0;
	int more = 0;
	size_t more_len = sizeof(more);

	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, c->mon, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&f);
		return 0;
	}
	if (zmq_msg_size(&f) >= 6) {
		memcpy(&event, zmq_msg_data(&f), 2);
		memcpy(&value, (const char *)zmq_msg_data(&f) + 2, 4);
	}
	zmq_getsockopt(c->mon, ZMQ_RCVMORE, &more, &more_len);
	zmq_msg_close(&f);
	while (more) {          /* the endpoint frame */
		zmq_msg_init(&f);
		zmq_msg_recv(&f, c->mon, 0);
		zmq_getsockopt(c->mon, ZMQ_RCVMORE, &more, &more_len);
		zmq_msg_close(&f);
	}
	if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
		snprintf(err, errlen, "%s refused this client's key (status %u): is its public "
		    "key listed in the daemon's configuration (auth.clients)?", c->endpoint,
		    (unsigned)value);
		return 1;
	}
	if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
		snprintf(err, errlen, "the security handshake with %s failed: the daemon and "
		    "this client disagree about keys (auth in the configuration)", c->endpoint);
		return 1;
	}
	return 0;
}

static void *
rpc_client_connect(rpc_client_t *c)
{
	void *sock = zmq_socket(c->zctx, ZMQ_REQ);
	int linger = 0;

	if (sock == NULL)
		return NULL;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (c->prepare != NULL && c->prepare(c->prepare_arg, sock, c->endpoint,
	    c->prepare_err, sizeof(c->prepare_err)) < 0) {
		zmq_close(sock);
		errno = EACCES;
		return NULL;
	}
	rpc_client_monitor(c, sock);
	if (zmq_connect(sock, c->endpoint) != 0) {
		int e = errno;

		zmq_socket_monitor(sock, NULL, 0);
		zmq_close(sock);
		if (c->mon != NULL)
			zmq_close(c->mon);
		c->mon = NULL;
		errno = e;
		return NULL;
	}
	return sock;
}

rpc_client_t *
rpc_client_new(void *zctx, const char *endpoint, int timeout_ms, int attempts)
{
	rpc_client_t *c = xcalloc(1, sizeof(*c));

	c->zctx = zctx;
	c->endpoint = xstrdup(endpoint);
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : RPC_TIMEOUT_MS;
	c->attempts = attempts > 0 ? attempts : RPC_RETRIES;
	return c;
}

bool
rpc_client_refused(const rpc_client_t *c)
{
	return c->refused;
}

void
rpc_client_prepare(rpc_client_t *c, rpc_prepare_fn prepare, void *arg)
{
	c->prepare = prepare;
	c->prepare_arg = arg;
}

void
rpc_client_destroy(rpc_client_t **self_p)
{
	rpc_client_t *c;

	if (self_p == NULL || (c = *self_p) == NULL)
		return;
	rpc_client_close(c);
	free(c->endpoint);
	free(c);
	*self_p = NULL;
}

int
rpc_client_call(rpc_client_t *c, const void *req, size_t len,
    char **reply, size_t *reply_len, char *err, size_t errlen)
{
	for (int attempt = 0; attempt < c->attempts; attempt++) {
		zmq_pollitem_t items[2];
		zmq_msg_t msg;
		int rc, n;
		long waited = 0;
		struct timespec t0, t1;

		c->refused = false;
		if (c->sock == NULL && (c->sock = rpc_client_connect(c)) == NULL) {
			snprintf(err, errlen, "cannot connect to %s: %s", c->endpoint,
			    c->prepare_err[0] ? c->prepare_err : zmq_strerror(errno));
			c->refused = c->prepare_err[0] != '\0';
			return -1;
		}
		if (zmq_send(c->sock, req, len, 0) < 0) {
			snprintf(err, errlen, "sending to %s: %s", c->endpoint,
			    zmq_strerror(errno));
			return -1;
		}
		items[0] = (zmq_pollitem_t){c->sock, 0, ZMQ_POLLIN, 0};
		items[1] = (zmq_pollitem_t){c->mon, 0, ZMQ_POLLIN, 0};
		n = c->mon != NULL ? 2 : 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			rc = zmq_poll(items, n, c->timeout_ms - waited);
			if (rc > 0 && n == 2 && (items[1].revents & ZMQ_POLLIN) &&
			    rpc_client_event(c, err, errlen)) {
				/* a refused key stays refused: no resend */
				rpc_client_close(c);
				c->refused = true;
				return -1;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if ((rc > 0 && (items[0].revents & ZMQ_POLLIN)) || waited >= c->timeout_ms ||
			    (rc < 0 && errno != EINTR))
				break;
		}
		if (rc > 0 && (items[0].revents & ZMQ_POLLIN)) {
			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, c->sock, 0) >= 0) {
				*reply_len = zmq_msg_size(&msg);
				*reply = xmalloc(*reply_len + 1);
				memcpy(*reply, zmq_msg_data(&msg), *reply_len);
				(*reply)[*reply_len] = '\0';
				zmq_msg_close(&msg);
				return 0;
			}
			zmq_msg_close(&msg);
		}
		/* no reply: the REQ socket is stuck mid-exchange; start afresh */
		rpc_client_close(c);
	}
	snprintf(err, errlen, "no reply from %s after %d attempts of %d ms",
	    c->endpoint, c->attempts, c->timeout_ms);
	return -1;
}
