/*
 * web_rpc.c: the gateway's ZeroMQ clients. A ZeroMQ socket belongs to one
 * thread, so each server thread makes its own pair of Lazy Pirate clients
 * (common/rpc.h) on first use; they are listed here so that the last
 * thread's sockets can be closed before the context ends.
 */
#include "web.h"
#include "auth.h"
#include "mem.h"
#include "msg.h"
#include "rpc.h"
#include "wire.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct web_clients {
	rpc_client_t       *c[WEB_NDAEMONS];
	rpc_client_t       *ping[WEB_NDAEMONS];
	struct web_clients *next;
} web_clients_t;

static pthread_mutex_t web_rpc_lock = PTHREAD_MUTEX_INITIALIZER;
static web_clients_t  *web_rpc_all;
static _Thread_local web_clients_t *web_rpc_mine;

void
web_rpc_fini(void)
{
	pthread_mutex_lock(&web_rpc_lock);
	while (web_rpc_all) {
		web_clients_t *c = web_rpc_all;

		web_rpc_all = c->next;
		for (int d = 0; d < WEB_NDAEMONS; d++) {
			rpc_client_destroy(&c->c[d]);
			rpc_client_destroy(&c->ping[d]);
		}
		free(c);
	}
	pthread_mutex_unlock(&web_rpc_lock);
}

/*
 * rpc.c's prepare hook: with keys (auth), each socket is a CurveZMQ client
 * with trygg-web's key pair (auth.web_key_file) and the daemon's public key.
 */
static int
web_rpc_prepare(void *arg, void *sock, const char *endpoint, char *err, size_t errlen)
{
	web_t *w = arg;
	auth_client_t k;
	int rc;

	if (!w->cfg->auth.on)
		return 0;
	if (auth_client_for(w->cfg, w->cfg->auth.web_key_file, endpoint, &k, err, errlen) < 0)
		return -1;
	rc = auth_client_socket(&k, sock);
	memset(&k, 0, sizeof(k));
	return rc;
}

int
web_rpc_keys_check(web_t *w, char *err, size_t errlen)
{
	auth_client_t k;

	if (!w->cfg->auth.on)
		return 0;
	if (w->cfg->auth.web_key_file == NULL) {
		snprintf(err, errlen, "auth.web_key_file: not given; with keys (auth) "
		    "trygg-web needs its own key pair");
		return -1;
	}
	if (auth_client_for(w->cfg, w->cfg->auth.web_key_file, w->cfg->endpoints.intake,
	    &k, err, errlen) < 0)
		return -1;
	memset(&k, 0, sizeof(k));
	return 0;
}

static web_clients_t *
web_rpc_clients(web_t *w)
{
	const char *ep[WEB_NDAEMONS] = {
		w->cfg->endpoints.intake, w->cfg->endpoints.escalation,
	};

	if (web_rpc_mine == NULL) {
		web_clients_t *c = xcalloc(1, sizeof(*c));

		for (int d = 0; d < WEB_NDAEMONS; d++) {
			c->c[d] = rpc_client_new(w->zctx, ep[d], WEB_RPC_TIMEOUT_MS,
			    WEB_RPC_ATTEMPTS);
			c->ping[d] = rpc_client_new(w->zctx, ep[d], WEB_PING_TIMEOUT_MS, 1);
			rpc_client_prepare(c->c[d], web_rpc_prepare, w);
			rpc_client_prepare(c->ping[d], web_rpc_prepare, w);
		}
		pthread_mutex_lock(&web_rpc_lock);
		c->next = web_rpc_all;
		web_rpc_all = c;
		pthread_mutex_unlock(&web_rpc_lock);
		web_rpc_mine = c;
	}
	return web_rpc_mine;
}

pack_t *
web_rpc_req(const char *op)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_int(p, "v", WIRE_VERSION);
	pack_kv_str(p, "op", op);
	return p;
}

static int
web_rpc_send(rpc_client_t *c, pack_t *req, web_reply_t *reply)
{
	char err[256];
	size_t len, off = 0;
	const void *data = pack_data(req, &len);
	const msgpack_object *e;

	memset(reply, 0, sizeof(*reply));
	msgpack_unpacked_init(&reply->u);
	if (rpc_client_call(c, data, len, &reply->bytes, &len, err, sizeof(err)) < 0) {
		snprintf(reply->code, sizeof(reply->code), "unavailable");
		snprintf(reply->message, sizeof(reply->message), "%s", err);
		return -1;
	}
	if (msgpack_unpack_next(&reply->u, reply->bytes, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    reply->u.data.type != MSGPACK_OBJECT_MAP) {
		snprintf(reply->code, sizeof(reply->code), "internal");
		snprintf(reply->message, sizeof(reply->message), "unreadable reply");
		return -1;
	}
	reply->root = &reply->u.data;
	reply->ok = web_bool(reply->root, "ok");
	if (!reply->ok && (e = msg_map_get(reply->root, "error")) != NULL) {
		web_str(e, "code", reply->code, sizeof(reply->code));
		web_str(e, "field", reply->field, sizeof(reply->field));
		web_str(e, "message", reply->message, sizeof(reply->message));
	}
	return 0;
}

int
web_rpc_call(web_t *w, web_daemon_t d, pack_t *req, web_reply_t *reply)
{
	return web_rpc_send(web_rpc_clients(w)->c[d], req, reply);
}

bool
web_rpc_ping(web_t *w, web_daemon_t d)
{
	pack_t *req = web_rpc_req("ping");
	web_reply_t r;
	bool ok;

	pack_map_close(req);
	ok = web_rpc_send(web_rpc_clients(w)->ping[d], req, &r) == 0 && r.ok;
	web_reply_free(&r);
	pack_destroy(&req);
	return ok;
}

void
web_reply_free(web_reply_t *reply)
{
	msgpack_unpacked_destroy(&reply->u);
	free(reply->bytes);
	reply->bytes = NULL;
	reply->root = NULL;
}

const char *
web_str(const msgpack_object *map, const char *key, char *out, size_t len)
{
	const msgpack_object *o = map ? msg_map_get(map, key) : NULL;

	out[0] = '\0';
	if (o && o->type == MSGPACK_OBJECT_STR) {
		size_t n = o->via.str.size < len - 1 ? o->via.str.size : len - 1;

		memcpy(out, o->via.str.ptr, n);
		out[n] = '\0';
	}
	return out;
}

int64_t
web_int(const msgpack_object *map, const char *key, int64_t dflt)
{
	const msgpack_object *o = map ? msg_map_get(map, key) : NULL;

	if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		return (int64_t)o->via.u64;
	if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return o->via.i64;
	return dflt;
}

bool
web_bool(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = map ? msg_map_get(map, key) : NULL;

	return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}
