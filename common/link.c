/*
 * link.c: the durable link's sender and receiver (link.h).
 *
 * Sender state, in memory and in link_out:
 *
 *   state     meaning                          next
 *   idle      nothing durable above acked      sending (link_durable -> link_pump)
 *   sending   one batch (acked, last] sent     idle, acked = last (link_on_reply)
 *                                              sending again on a fresh socket,
 *                                              timeout doubled (link_tick)
 *
 * Only link_out.acked is stored; everything else follows from the outbox.
 */
#include "link.h"
#include "log.h"
#include "mem.h"
#include "ts.h"
#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <zmq.h>

struct link {
	link_conf_t  c;
	char        *name, *endpoint, *source;
	char         epoch[17];
	void        *zctx;
	void        *sock;
	server_t    *srv;
	db_t        *db;
	pack_t      *batch;
	int64_t      acked;         /* stored: the receiver has applied up to here */
	int64_t      durable;       /* outbox rows up to here are on disk */
	bool         sending;
	int64_t      last;          /* the last id of the batch in flight */
	int64_t      sent_at;
	int64_t      timeout;       /* the current back-off */
	int64_t      warned_at;     /* the last stale-backlog warning */
	int64_t      checked_at;    /* the last look at the backlog's age */
	uint64_t     resends;
};

static const char *const link_out_sql =
    "CREATE TABLE IF NOT EXISTS link_out ("
    "  link   TEXT PRIMARY KEY,"
    "  epoch  TEXT NOT NULL,"
    "  acked  INTEGER NOT NULL"
    ")";

static void
link_epoch_new(char out[17])
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32);
	snprintf(out, 17, "%016" PRIx64, r);
}

/* Reads or makes this link's row of link_out; 0 or -1. */
static int
link_load(link_t *l, char *err, size_t errlen)
{
	sqlite3 *h = db_handle(l->db);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_exec(h, link_out_sql, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(h, "SELECT epoch, acked FROM link_out WHERE link = ?1", -1,
	    &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(l->epoch, sizeof(l->epoch), "%s", (const char *)sqlite3_column_text(st, 0));
		l->acked = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		goto fail;
	link_epoch_new(l->epoch);
	if (sqlite3_prepare_v2(h, "INSERT INTO link_out (link, epoch, acked) VALUES (?1, ?2, 0)",
	    -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->epoch, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	snprintf(err, errlen, "link %s: %s", l->name, sqlite3_errmsg(h));
	return -1;
}

static void link_on_reply(void *arg, short revents);

/*
 * A fresh DEALER to the receiver; a reply to an older socket is never read.
 * A batch sent before the connection is made waits in the socket's queue
 * (no ZMQ_IMMEDIATE: a fresh socket would otherwise refuse every first
 * send) and dies with the socket when it is replaced.
 */
static int
link_connect(link_t *l)
{
	int linger = 0, hwm = 4;
	int64_t maxsize = 1024 * 1024;

	if (l->sock != NULL) {
		server_unwatch(l->srv, l->sock, -1);
		zmq_close(l->sock);
	}
	if ((l->sock = zmq_socket(l->zctx, ZMQ_DEALER)) == NULL)
		return -1;
	zmq_setsockopt(l->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(l->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(l->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(l->sock, ZMQ_MAXMSGSIZE, &maxsize, sizeof(maxsize));
	/*
	 * With keys: a CurveZMQ client with this daemon's key. A receiver that
	 * does not list it refuses the handshake; the batch then times out and
	 * is resent on a fresh socket (link_tick) until the receiver's keys are
	 * right, and nothing is lost.
	 */
	if (auth_link_socket(server_auth(l->srv), l->sock, l->name) < 0) {
		log_warn("link_connect: %s: setting its CurveZMQ keys failed", l->name);
		return -1;
	}
	if (zmq_connect(l->sock, l->endpoint) != 0) {
		log_warn("link_connect: %s: %s", l->endpoint, zmq_strerror(errno));
		return -1;
	}
	return server_watch(l->srv, l->sock, -1, ZMQ_POLLIN, link_on_reply, l);
}

/* Sends the next batch of durable rows when none is in flight. */
static void
link_pump(link_t *l)
{
	const void *data;
	size_t len;
	int64_t last = l->acked;
	int n;

	if (l->sending || l->durable <= l->acked)
		return;
	pack_reset(l->batch);
	pack_map_open(l->batch);
	pack_kv_int(l->batch, "v", WIRE_VERSION);
	pack_kv_str(l->batch, "op", WIRE_OP_LINK_DELIVER);
	pack_kv_str(l->batch, "link", l->name);
	pack_kv_str(l->batch, "source", l->source);
	pack_kv_str(l->batch, "epoch", l->epoch);
	pack_key(l->batch, "messages");
	pack_array_open(l->batch);
	n = l->c.fetch(l->c.ctx, l->acked, l->durable, l->batch, LINK_BATCH_BYTES, &last);
	pack_array_close(l->batch);
	pack_map_close(l->batch);
	if (n < 0) {
		log_warn("link_pump: %s: reading the outbox failed; retried", l->name);
		server_wake_at(l->srv, ts_now() + l->timeout);
		return;
	}
	if (n == 0) {
		/* nothing for this receiver among them: skip over them for good */
		l->last = l->durable;
		goto acked;
	}
	l->last = last;
	l->sending = true;
	l->sent_at = ts_now();
	server_wake_at(l->srv, l->sent_at + l->timeout);
	data = pack_data(l->batch, &len);
	if (zmq_send(l->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(l->sock, data, len, ZMQ_DONTWAIT) < 0)
		log_debug("link_pump: %s: %s (resent later)", l->name, zmq_strerror(errno));
	return;
acked:
	{
		sqlite3_stmt *st;

		if (server_tx(l->srv) < 0 ||
		    (st = db_stmt(l->db, "UPDATE link_out SET acked = ?2 WHERE link = ?1")) == NULL)
			return;
		sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, l->last);
		if (sqlite3_step(st) != SQLITE_DONE)
			server_tx_fail(l->srv);
		sqlite3_reset(st);
		l->acked = l->last;
	}
}

/* Records that the receiver applied everything up to applied, then sends on. */
static void
link_acked(link_t *l, int64_t applied)
{
	sqlite3_stmt *st;

	l->sending = false;
	l->timeout = LINK_TIMEOUT_MS;
	if (applied <= l->acked)
		return;
	if (server_tx(l->srv) < 0 ||
	    (st = db_stmt(l->db, "UPDATE link_out SET acked = ?2 WHERE link = ?1")) == NULL) {
		server_tx_fail(l->srv);
		return;
	}
	sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, applied);
	if (sqlite3_step(st) != SQLITE_DONE)
		server_tx_fail(l->srv);
	sqlite3_reset(st);
	/* if this transaction fails, the receiver ignores the resent ids */
	l->acked = applied;
}

static void
link_on_reply(void *arg, short revents)
{
	link_t *l = arg;

	for (;;) {
		zmq_msg_t f;
		msgpack_unpacked u;
		const msgpack_object *ok, *applied;
		int more = 0;
		size_t more_len = sizeof(more);

		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, l->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			return;
		}
		zmq_getsockopt(l->sock, ZMQ_RCVMORE, &more, &more_len);
		if (more || zmq_msg_size(&f) == 0) {       /* the empty delimiter */
			zmq_msg_close(&f);
			continue;
		}
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, zmq_msg_data(&f), zmq_msg_size(&f), NULL) ==
		    MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP) {
			ok = msg_map_get(&u.data, "ok");
			applied = msg_map_get(&u.data, "applied");
			if (ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean &&
			    applied && applied->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
				if (l->sending)
					link_acked(l, (int64_t)applied->via.u64);
			} else {
				const msgpack_object *e = msg_map_get(&u.data, "error");
				const msgpack_object *msg = e ? msg_map_get(e, "message") : NULL;

				log_warn("link %s: %s refused a batch: %.*s; resent later", l->name,
				    l->endpoint, msg && msg->type == MSGPACK_OBJECT_STR ?
				    (int)msg->via.str.size : 7, msg && msg->type ==
				    MSGPACK_OBJECT_STR ? msg->via.str.ptr : "unknown");
			}
		}
		msgpack_unpacked_destroy(&u);
		zmq_msg_close(&f);
		link_pump(l);
	}
}

link_t *
link_new(void *zctx, server_t *srv, db_t *db, const char *source,
    const link_conf_t *conf, char *err, size_t errlen)
{
	link_t *l = xcalloc(1, sizeof(*l));

	l->c = *conf;
	l->name = xstrdup(conf->name);
	l->endpoint = xstrdup(conf->endpoint);
	l->source = xstrdup(source);
	l->zctx = zctx;
	l->srv = srv;
	l->db = db;
	l->batch = pack_new();
	l->timeout = LINK_TIMEOUT_MS;
	if (l->c.stale_ms == 0)
		l->c.stale_ms = LINK_STALE_MS;
	if (link_load(l, err, errlen) < 0)
		goto fail;
	if (link_connect(l) < 0) {
		snprintf(err, errlen, "link %s: connecting to %s failed", l->name, l->endpoint);
		goto fail;
	}
	return l;
fail:
	link_destroy(&l);
	return NULL;
}

void
link_destroy(link_t **self_p)
{
	link_t *l;

	if (self_p == NULL || (l = *self_p) == NULL)
		return;
	if (l->sock != NULL) {
		server_unwatch(l->srv, l->sock, -1);
		zmq_close(l->sock);
	}
	pack_destroy(&l->batch);
	free(l->name);
	free(l->endpoint);
	free(l->source);
	free(l);
	*self_p = NULL;
}

void
link_durable(link_t *l, int64_t upto)
{
	if (upto > l->durable)
		l->durable = upto;
	link_pump(l);
}

int
link_tick(link_t *l, int64_t now)
{
	/*
	 * The backlog's age at most every LINK_STALE_CHECK_MS, not at every
	 * tick of the daemon, and counted only up to LINK_BACKLOG_COUNT_MAX
	 * (link_backlog_fn): with 650,000 waiting, a whole count took 25 ms,
	 * with 4,000,000 some 200 ms, and it held every request.
	 */
	if (l->durable > l->acked && now - l->warned_at >= l->c.stale_ms &&
	    now - l->checked_at >= LINK_STALE_CHECK_MS) {
		int64_t count = 0, oldest = now;

		l->checked_at = now;

		if (l->c.backlog(l->c.ctx, l->acked, l->durable, &count, &oldest) == 0 &&
		    count > 0 && now - oldest >= l->c.stale_ms) {
			/* paced per link here: the log's own would let one link hide another */
			log_warn_paced("link %s: %s%lld messages not yet acknowledged by %s, the oldest "
			    "for %lld s", l->name, count > LINK_BACKLOG_COUNT_MAX ? "more than " : "",
			    (long long)(count > LINK_BACKLOG_COUNT_MAX ? LINK_BACKLOG_COUNT_MAX : count),
			    l->endpoint, (long long)((now - oldest) / 1000));
			l->warned_at = now;
		}
	}
	if (l->sending && now - l->sent_at >= l->timeout) {
		/* no answer: a fresh socket, and the same batch again, later each time */
		l->resends++;
		log_debug("link %s: no answer from %s in %lld ms; resending", l->name,
		    l->endpoint, (long long)l->timeout);
		l->timeout = l->timeout * 2 > LINK_TIMEOUT_MAX_MS ? LINK_TIMEOUT_MAX_MS : l->timeout * 2;
		l->sending = false;
		if (link_connect(l) < 0) {
			server_wake_at(l->srv, now + l->timeout);
			return 0;
		}
		link_pump(l);
	} else if (l->sending) {
		server_wake_at(l->srv, l->sent_at + l->timeout);
	}
	if (l->durable > l->acked)
		server_wake_at(l->srv, now + (l->sending ? l->timeout : LINK_TIMEOUT_MS));
	return 0;
}

void
link_status(link_t *l, pack_t *map)
{
	int64_t count = 0, oldest = ts_now(), now = oldest;

	if (l->durable > l->acked)
		l->c.backlog(l->c.ctx, l->acked, l->durable, &count, &oldest);
	pack_key(map, l->name);
	pack_map_open(map);
	pack_kv_int(map, "backlog", count > LINK_BACKLOG_COUNT_MAX ? LINK_BACKLOG_COUNT_MAX : count);
	pack_kv_bool(map, "backlog_more", count > LINK_BACKLOG_COUNT_MAX);
	pack_kv_int(map, "oldest_age_s", count > 0 ? (now - oldest) / 1000 : 0);
	pack_kv_bool(map, "stale", count > 0 && now - oldest >= l->c.stale_ms);
	pack_kv_int(map, "acked", l->acked);
	pack_kv_int(map, "resends", (int64_t)l->resends);
	pack_map_close(map);
}

/* ---- receiver ---- */

int
link_receiver_init(db_t *db, char *err, size_t errlen)
{
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS link_in ("
	    "  source  TEXT PRIMARY KEY,"
	    "  epoch   TEXT NOT NULL,"
	    "  applied INTEGER NOT NULL"
	    ")") < 0) {
		snprintf(err, errlen, "creating link_in: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static int
link_bad(pack_t *reply, const msg_t *m, const char *field, const char *text)
{
	wire_err_t err;

	wire_err_set(&err, WERR_INVALID_FIELD, field, "%s", text);
	pack_reply_error(reply, &err, msg_req(m));
	return 0;
}

static int
link_internal(db_t *db, pack_t *reply, const msg_t *m)
{
	wire_err_t err;

	log_warn("link_deliver: %s", db_errmsg(db));
	wire_err_set(&err, WERR_INTERNAL, NULL, "the store failed; resend later");
	pack_reset(reply);
	pack_reply_error(reply, &err, msg_req(m));
	return -1;
}

int
link_deliver(db_t *db, const msg_t *m, link_apply_fn apply, void *ctx, pack_t *reply)
{
	const msgpack_object *src = msg_get(m, "source"), *ep = msg_get(m, "epoch"),
	    *msgs = msg_get(m, "messages");
	char source[64], epoch[64];
	int64_t applied = 0, last = 0;
	bool known = false;     /* a row for this source and epoch exists */
	sqlite3_stmt *st;
	int rc;

	if (src == NULL || src->type != MSGPACK_OBJECT_STR || src->via.str.size == 0 ||
	    src->via.str.size >= sizeof(source))
		return link_bad(reply, m, "source", "'source' must name the sending daemon");
	if (ep == NULL || ep->type != MSGPACK_OBJECT_STR || ep->via.str.size == 0 ||
	    ep->via.str.size >= sizeof(epoch))
		return link_bad(reply, m, "epoch", "'epoch' must be the sender's epoch");
	if (msgs == NULL || msgs->type != MSGPACK_OBJECT_ARRAY)
		return link_bad(reply, m, "messages", "'messages' must be an array");
	memcpy(source, src->via.str.ptr, src->via.str.size);
	source[src->via.str.size] = '\0';
	/* with keys, a daemon delivers as itself: its key's name is its source */
	if (!(msg_principal(m)->role & ROLE_ADMIN) && strcmp(msg_principal(m)->name, source) != 0)
		return auth_refuse(m, reply, "source", "this key delivers as '%s' only",
		    msg_principal(m)->name);
	memcpy(epoch, ep->via.str.ptr, ep->via.str.size);
	epoch[ep->via.str.size] = '\0';

	if ((st = db_stmt(db, "SELECT epoch, applied FROM link_in WHERE source = ?1")) == NULL)
		return link_internal(db, reply, m);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 0), epoch) == 0) {
			applied = sqlite3_column_int64(st, 1);
			known = true;
		} else
			log_warn("link_deliver: %s starts a new epoch %s: its database was "
			    "replaced; its ids count afresh", source, epoch);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return link_internal(db, reply, m);

	last = applied;
	for (uint32_t i = 0; i < msgs->via.array.size; i++) {
		const msgpack_object *o = &msgs->via.array.ptr[i], *id, *type;

		if (o->type != MSGPACK_OBJECT_MAP ||
		    (id = msg_map_get(o, "id")) == NULL || id->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    (type = msg_map_get(o, "type")) == NULL || type->type != MSGPACK_OBJECT_STR)
			return link_bad(reply, m, "messages", "each message is a map with "
			    "an integer 'id' and a string 'type'");
		if ((int64_t)id->via.u64 <= last)
			continue;       /* applied before: at-most-once */
		rc = apply(ctx, source, type->via.str.ptr, type->via.str.size, o);
		if (rc < 0)
			return link_internal(db, reply, m);
		if (rc > 0)
			log_warn("link_deliver: %s message %" PRIu64 " (%.*s) refused; skipped",
			    source, id->via.u64, (int)type->via.str.size, type->via.str.ptr);
		last = (int64_t)id->via.u64;
	}
	if (last != applied || !known) {
		if ((st = db_stmt(db, "INSERT INTO link_in (source, epoch, applied) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (source) DO UPDATE SET "
		    "epoch = excluded.epoch, applied = excluded.applied")) == NULL)
			return link_internal(db, reply, m);
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, epoch, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, last);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return link_internal(db, reply, m);
	}
	pack_reply_ok(reply, msg_req(m));
	pack_kv_int(reply, "applied", last);
	pack_map_close(reply);
	return 0;
}
