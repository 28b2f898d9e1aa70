/*
 * server.c: the request ring, group commit, reader thread and poll loop
 * that every trygg daemon runs on (server.h).
 *
 * Pipelined group commit. Each turn of the loop takes every request
 * waiting on the ROUTER (up to SERVER_BATCH_MAX). A write is handled at
 * once in the open transaction, inside a savepoint of its own; a read goes
 * to the reader thread. When the sync thread (syncer.h) is free, the
 * transaction is committed without waiting for the disk and a sync of the
 * WAL is asked for; while that sync runs, the loop takes requests into the
 * next transaction. A reply waits in the ring until the sync generation it
 * depends on is reported done, so no reply speaks of anything that is not
 * on disk, reads included.
 *
 * A slot of the ring, and the function that moves it on:
 *
 *   state  meaning                               next
 *   FREE   unused                                TX or READ or WAIT (server_take)
 *   TX     handled in the open transaction       WAIT, gen = the commit's (server_commit)
 *   READ   queued to or run by the reader        WAIT, gen = the last commit (server_reads_done)
 *   WAIT   answered, released at gen <= done     FREE (server_flush)
 *
 * Slots are released in any order (a slow read does not hold up the writes
 * behind it); the ring's head moves over the freed ones.
 *
 * Why a read waits for the last commit made when its answer is collected:
 * the main thread commits and asks for that commit's sync in one step, so
 * every commit the reader's snapshot may have included has its generation
 * asked for by then.
 *
 * Failures. A handler that fails rolls back its own savepoint. When SQLite
 * rolls back the whole transaction by itself (IOERR, FULL), or the commit
 * fails, every request of the batch is answered "unavailable" and nothing
 * of it is stored; clients resend with the same ids. When a sync fails,
 * durability is unknown: everything waiting is answered "unavailable" and
 * the daemon exits 74 (PostgreSQL's answer to a failed fsync).
 *
 * The audit trail (audit.h). A write that changed something appends its
 * entry (actor, operation, the target its reply names, outcome) inside its
 * own savepoint, so the entry and the change commit or roll back together;
 * an entry that cannot be appended fails the request. Every reply that
 * leaves with an error (server_flush), reads, unknown operations and
 * refusals before dispatch included, goes to audit_refused(), which counts
 * repeats. A refusal opens no transaction of its own: its entry joins one
 * that is open, or it is counted and written with the minute's count,
 * when another commit is made or the ring is empty, so that refusals add
 * no sync that replies would wait behind; what is counted at stop is
 * written before the last commit. A write
 * that changed nothing (a retried submit) and a successful read leave no
 * entry. "audit.verify" is answered here, on the reader thread.
 */
#include "server.h"
#include "audit.h"
#include "log.h"
#include "mem.h"
#include "rpc.h"
#include "syncer.h"
#include "ts.h"
#include "wire.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

typedef enum { SLOT_FREE = 0, SLOT_TX, SLOT_READ, SLOT_WAIT } slot_state_t;

typedef struct server_slot {
	rpc_request_t       req;
	pack_t             *reply;
	msg_t              *msg;        /* kept until answered: its "req" is echoed */
	msg_t              *parsed;     /* msg when set: the slot's, parsed into again */
	const server_op_t  *op;
	slot_state_t        state;
	uint64_t            gen;        /* WAIT: the sync generation it waits for */
	struct server_slot *next;       /* the reader's queues */
	char                audit_target[AUDIT_FIELD_MAX];  /* the handler's audit_hint */
	char                audit_detail[AUDIT_DETAIL_MAX];
	bool                audited;    /* its entry is written, or its refusal counted */
} server_slot_t;

typedef struct {
	void   *sock;
	int     fd;
	short   events;
	void  (*fn)(void *arg, short revents);
	void   *arg;
} server_watch_t;

struct server {
	server_op_t        *ops;        /* conf's and server_audit_op */
	size_t              nops;
	server_conf_t   c;
	void           *zctx;
	rpc_server_t   *rpc;
	syncer_t       *sync;
	server_slot_t   slots[SERVER_INFLIGHT];
	unsigned        head, tail;     /* counters; index modulo SERVER_INFLIGHT */
	uint64_t        requested;      /* the last sync generation asked for */
	uint64_t        done;           /* the last one reported durable */
	uint64_t        news_seen;      /* syncer_news when done was last read */
	bool            tx;             /* a transaction is open ... */
	bool            failed;         /* ... and must be rolled back */
	sqlite3_int64   tx_changes;     /* total changes when it began */
	int64_t         wake_at;        /* the tick hook's time, INT64_MAX for none */
	int64_t         started;
	server_watch_t  watch[SERVER_WATCH_MAX];
	int             nwatch;

	/* the reader thread: slots in, slots out (linked by next) */
	pthread_t       reader;
	bool            has_reader;
	pthread_mutex_t rlock;
	pthread_cond_t  rwake;
	server_slot_t  *rq_head, *rq_tail;     /* to read */
	server_slot_t  *rd_head;               /* read, for the main thread */
	bool            rstop;
	int             refd;                  /* readable when rd_head has news */
	unsigned        reading;               /* slots in READ */

	audit_refusals_t *refusals;     /* refused requests, counted (audit.h) */
	int64_t         audit_logged_at;        /* the head went to the log then */
	int64_t         audit_logged_seq;       /* ... at this seq */

	/* statistics for -v */
	uint64_t        batches, requests, commits, ckpt_errors;
	int64_t         stats_at;
	uint64_t        last_batches, last_requests, last_commits, last_syncs, last_us;
};

static server_slot_t *
server_slot(server_t *s, unsigned i)
{
	return &s->slots[i % SERVER_INFLIGHT];
}

static void
server_reply_unavailable(server_slot_t *slot, const char *text)
{
	wire_err_t err;

	wire_err_set(&err, WERR_UNAVAILABLE, NULL, "%s", text);
	pack_reset(slot->reply);
	pack_reply_error(slot->reply, &err, slot->msg ? msg_req(slot->msg) : NULL);
}

/* Runs one cached statement without results (SAVEPOINT and friends); 0 or -1. */
static int
server_sql(db_t *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the audit trail ---- */

/*
 * answered by every daemon, on the reader's connection; admins only (no
 * roles named): one call walks the whole chain
 */
static const server_op_t server_audit_op = {
	WIRE_OP_AUDIT_VERIFY, SERVER_READ, audit_op_verify, 0,
};

/* The operation named op, the daemon's own or one every daemon has; NULL when unknown. */
static const server_op_t *
server_op(server_t *s, const char *op, size_t op_len)
{
	for (size_t i = 0; i < s->nops; i++)
		if (msg_op_is(op, op_len, s->ops[i].name))
			return &s->ops[i];
	return NULL;
}

/* What an operation's handler gets: the daemon's context, or the connection. */
static void *
server_op_ctx(server_t *s, const server_op_t *op, bool reader)
{
	if (op->fn == server_audit_op.fn)
		return reader ? s->c.read_db : s->c.db;
	return reader ? s->c.read_ctx : s->c.ctx;
}

static const char *
server_actor(const server_slot_t *slot)
{
	/* a frame that could not be parsed names nobody */
	return slot->msg ? msg_principal(slot->msg)->name : "unknown";
}

/* A request answered with an error: into the open transaction, or counted. */
static void
server_audit_refused(server_t *s, server_slot_t *slot, const char *outcome,
    const char *target, const char *detail)
{
	audit_entry_t e = {ts_now(), server_actor(slot), slot->op ? slot->op->name : "?",
	    target, outcome, detail};

	/* a count that must go out first needs a transaction after all (rare) */
	if (!s->tx && audit_refusals_must_write(s->refusals, &e) && server_tx(s) < 0)
		return;
	if (audit_refused(s->refusals, s->c.db, &e, s->tx && !s->failed) < 0) {
		log_warn("server_audit_refused: %s", db_errmsg(s->c.db));
		s->failed = true;
	}
}

/*
 * A reply about to leave (server_flush, and the last ones at stop): a
 * refusal is recorded, once. Every way of answering passes here, refusals
 * made before dispatch included, so none is missed.
 */
static void
server_audit_answered(server_t *s, server_slot_t *slot)
{
	char outcome[AUDIT_FIELD_MAX];
	const void *data;
	size_t len;

	if (slot->audited)
		return;
	slot->audited = true;
	data = pack_data(slot->reply, &len);
	if (audit_reply_outcome(data, len, outcome, NULL) == 0 && strcmp(outcome, "ok") == 0)
		return;
	server_audit_refused(s, slot, outcome[0] ? outcome : "error", slot->audit_target,
	    slot->audit_detail);
}

/*
 * After a write's handler, in its savepoint: appends the entry of a change,
 * or records a refusal. -1 when the entry could not be appended: the
 * reply then says internal and the request must be undone.
 */
static int
server_audit_write(server_t *s, server_slot_t *slot, sqlite3_int64 changes_before)
{
	char outcome[AUDIT_FIELD_MAX], target[AUDIT_FIELD_MAX];
	audit_entry_t e;
	const void *data;
	size_t len;

	audit_hint_take(slot->audit_target, slot->audit_detail);
	if (sqlite3_total_changes64(db_handle(s->c.db)) == changes_before)
		return 0;       /* nothing changed: a refusal is recorded when it leaves */
	data = pack_data(slot->reply, &len);
	/* a target the handler named needs no unpacking of a successful reply */
	if (audit_reply_outcome(data, len, outcome, slot->audit_target[0] ? NULL : target) < 0)
		snprintf(outcome, sizeof(outcome), "error");
	e = (audit_entry_t){ts_now(), server_actor(slot), slot->op->name,
	    slot->audit_target[0] ? slot->audit_target : target, outcome, slot->audit_detail};
	if (audit_append(s->c.db, &e) == 0) {
		slot->audited = true;
		return 0;
	}
	log_warn("server_audit_write: %s", db_errmsg(s->c.db));
	server_reply_unavailable(slot, "the audit trail could not be written; nothing "
	    "was stored, try again");
	return -1;
}

/* Writes the audit head to the log when it moved, at most every AUDIT_LOG_HEAD_MS. */
static void
server_audit_log_head(server_t *s, bool now_anyway)
{
	int64_t now = ts_now(), seq;
	char hash[AUDIT_HASH_HEX + 1];

	if (!now_anyway && now - s->audit_logged_at < AUDIT_LOG_HEAD_MS)
		return;
	s->audit_logged_at = now;
	if (audit_head(s->c.db, &seq, hash) < 0 || seq == s->audit_logged_seq)
		return;
	s->audit_logged_seq = seq;
	log_info("audit head: entry %lld, hash %s", (long long)seq, hash);
}

/* ---- the reader thread ---- */

static void *
server_reader_main(void *arg)
{
	server_t *s = arg;
	db_t *db = s->c.read_db;
	uint64_t one = 1;

	/* reads yield the processor to the writer when both want it */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), SERVER_READER_NICE) < 0)
		log_debug("server_reader: setpriority: %s", strerror(errno));
	pthread_mutex_lock(&s->rlock);
	for (;;) {
		server_slot_t *slot;

		while (s->rq_head == NULL && !s->rstop)
			pthread_cond_wait(&s->rwake, &s->rlock);
		if ((slot = s->rq_head) == NULL)
			break;
		if ((s->rq_head = slot->next) == NULL)
			s->rq_tail = NULL;
		pthread_mutex_unlock(&s->rlock);

		/* one snapshot for the whole request */
		pack_reset(slot->reply);
		if (server_sql(db, "BEGIN") < 0) {
			log_warn("server_reader: begin: %s", db_errmsg(db));
			server_reply_unavailable(slot, "the store cannot be read now; try again");
		} else {
			slot->op->fn(server_op_ctx(s, slot->op, true), slot->msg, slot->reply);
			audit_hint_take(slot->audit_target, slot->audit_detail);
			if (!sqlite3_get_autocommit(db_handle(db)) && server_sql(db, "COMMIT") < 0)
				server_sql(db, "ROLLBACK");
		}

		pthread_mutex_lock(&s->rlock);
		slot->next = s->rd_head;
		s->rd_head = slot;
		if (write(s->refd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("server_reader: eventfd: %s", strerror(errno));
	}
	pthread_mutex_unlock(&s->rlock);
	return NULL;
}

static void
server_read_queue(server_t *s, server_slot_t *slot)
{
	slot->state = SLOT_READ;
	slot->next = NULL;
	s->reading++;
	pthread_mutex_lock(&s->rlock);
	if (s->rq_tail)
		s->rq_tail->next = slot;
	else
		s->rq_head = slot;
	s->rq_tail = slot;
	pthread_cond_signal(&s->rwake);
	pthread_mutex_unlock(&s->rlock);
}

/* Collects what the reader answered; each waits for the last commit made. */
static void
server_reads_done(server_t *s)
{
	server_slot_t *slot;
	uint64_t n;

	if (read(s->refd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("server_reads_done: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&s->rlock);
	slot = s->rd_head;
	s->rd_head = NULL;
	pthread_mutex_unlock(&s->rlock);
	for (; slot != NULL; slot = slot->next) {
		slot->state = SLOT_WAIT;
		slot->gen = s->requested;
		s->reading--;
	}
}

/* Lets the reader finish its queue and end; collects its answers. */
static void
server_reader_stop(server_t *s)
{
	if (!s->has_reader)
		return;
	pthread_mutex_lock(&s->rlock);
	s->rstop = true;
	pthread_cond_signal(&s->rwake);
	pthread_mutex_unlock(&s->rlock);
	pthread_join(s->reader, NULL);
	s->has_reader = false;
	server_reads_done(s);
}

/* ---- the ring ---- */

/* Sends the replies whose generation is durable; frees their slots. */
static void
server_flush(server_t *s)
{
	for (unsigned i = s->head; i != s->tail; i++) {
		server_slot_t *slot = server_slot(s, i);
		const void *data;
		size_t len;

		if (slot->state != SLOT_WAIT || slot->gen > s->done)
			continue;
		server_audit_answered(s, slot);
		data = pack_data(slot->reply, &len);
		if (rpc_server_reply(s->rpc, &slot->req, data, len) < 0)
			log_debug("server_flush: reply: %s", zmq_strerror(errno));
		slot->msg = NULL;               /* slot->parsed, kept for the next request */
		rpc_request_release(&slot->req);
		pack_reset(slot->reply);        /* a large reply's memory is not kept */
		slot->state = SLOT_FREE;
		slot->op = NULL;
	}
	while (s->head != s->tail && server_slot(s, s->head)->state == SLOT_FREE)
		s->head++;
}

/* Answers every slot in the open transaction unavailable, to leave now. */
static void
server_fail_tx_slots(server_t *s, const char *text)
{
	for (unsigned i = s->head; i != s->tail; i++) {
		server_slot_t *slot = server_slot(s, i);

		if (slot->state != SLOT_TX)
			continue;
		server_reply_unavailable(slot, text);
		slot->state = SLOT_WAIT;
		slot->gen = 0;
	}
}

int
server_tx(server_t *s)
{
	if (s->tx)
		return s->failed ? -1 : 0;
	/* the checkpointer fell behind for good: it catches up before this transaction (db.h) */
	if (db_wal_over(s->c.db) && syncer_catch_up(s->sync, DB_WAL_HARD_WAIT_MS) != 0)
		log_warn("the WAL is past %d MiB and cannot be copied now (a reader's old "
		    "snapshot, or a slow disk); writes go on", DB_WAL_HARD_PAGES / 256);
	s->tx = true;
	s->tx_changes = sqlite3_total_changes64(db_handle(s->c.db));
	if (db_begin(s->c.db) < 0) {
		log_warn("server_tx: begin: %s", db_errmsg(s->c.db));
		s->failed = true;
		return -1;
	}
	return 0;
}

void
server_tx_fail(server_t *s)
{
	if (s->tx)
		s->failed = true;
}

/* Ends the open transaction: commit, or roll back and fail its requests. */
static void
server_commit(server_t *s)
{
	sqlite3 *h = db_handle(s->c.db);
	sqlite3_int64 changes = sqlite3_total_changes64(h);

	if (!s->tx)
		return;
	if (!s->failed && (audit_seal(s->c.db) < 0 || db_commit(s->c.db) < 0))
		s->failed = true;
	if (s->failed) {
		audit_forget(s->c.db);
		log_warn("server_commit: rolling back the batch: %s", db_errmsg(s->c.db));
		/* SQLite may have rolled back already (IOERR, FULL); else it must now */
		if (!sqlite3_get_autocommit(h) && db_rollback(s->c.db) < 0)
			fatal(EXIT_IOERR, "server_commit: rollback failed: %s", db_errmsg(s->c.db));
		if (s->c.rolled_back)
			s->c.rolled_back(s->c.ctx);
		audit_refusals_rolled_back(s->refusals);
		server_fail_tx_slots(s, "the store could not commit; nothing was stored, try again");
	} else if (changes != s->tx_changes) {
		audit_refusals_committed(s->refusals);
		server_audit_log_head(s, false);
		s->requested = syncer_request(s->sync);
		if (s->c.committed)
			s->c.committed(s->c.ctx, s->requested);
	}
	/* replies wait for this commit's sync, or for earlier ones they may have read */
	for (unsigned i = s->head; i != s->tail; i++) {
		server_slot_t *slot = server_slot(s, i);

		if (slot->state == SLOT_TX) {
			slot->state = SLOT_WAIT;
			slot->gen = s->requested;
		}
	}
	s->tx = s->failed = false;
	s->commits++;
}

/*
 * A sync failed: what is on disk is unknown. Every waiting request is
 * answered unavailable (clients resend, idempotently), the replies get
 * their time to leave, and the daemon exits 74.
 */
static noreturn void
server_sync_failed(server_t *s)
{
	int error = errno;

	server_reader_stop(s);
	for (unsigned i = s->head; i != s->tail; i++) {
		server_slot_t *slot = server_slot(s, i);

		if (slot->state == SLOT_FREE)
			continue;
		server_reply_unavailable(slot, "the store could not sync to disk; the "
		    "daemon stops, try again");
		slot->state = SLOT_WAIT;
		slot->gen = 0;
	}
	server_flush(s);
	rpc_server_destroy(&s->rpc);
	/*
	 * ZeroMQ's I/O thread sends what was queued; exit() would drop it, and
	 * zmq_ctx_term would wait for the daemon's other sockets too. The
	 * replies get this long to leave.
	 */
	{
		struct timespec t = {SERVER_FAIL_FLUSH_MS / 1000,
		    (SERVER_FAIL_FLUSH_MS % 1000) * 1000000L};

		while (nanosleep(&t, &t) < 0 && errno == EINTR)
			;
	}
	fatal(EXIT_IOERR, "%s: syncing the database: %s", s->c.service, strerror(error));
}

/* Requests taken and not yet answered (slots are freed in any order). */
static int64_t
server_inflight(server_t *s)
{
	int64_t n = 0;

	for (unsigned i = s->head; i != s->tail; i++)
		n += server_slot(s, i)->state != SLOT_FREE;
	return n;
}

static void
server_status(server_t *s, const msg_t *m, pack_t *reply)
{
	const char *path = sqlite3_db_filename(db_handle(s->c.db), "main");
	char wal[4096];
	struct stat st;
	int64_t bytes = 0;

	if (path != NULL && path[0] != '\0') {
		if (stat(path, &st) == 0)
			bytes += st.st_size;
		snprintf(wal, sizeof(wal), "%s-wal", path);
		if (stat(wal, &st) == 0)
			bytes += st.st_size;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_kv_str(reply, "service", s->c.service);
	pack_kv_str(reply, "version", WIRE_TRYGG_VERSION);
	pack_kv_int(reply, "uptime_s", (ts_now() - s->started) / 1000);
	pack_kv_int(reply, "db_bytes", bytes);
	pack_kv_int(reply, "inflight", server_inflight(s) - 1);     /* besides this one */
	pack_key(reply, "links");
	pack_map_open(reply);
	if (s->c.links)
		s->c.links(s->c.ctx, reply);
	pack_map_close(reply);
	pack_map_close(reply);
}

/*
 * Answers a request that its principal may not make "unauthorized"; who is
 * NULL when the ZAP handler's User-Id names no key (the table changed
 * under a live connection: never, as it is read-only). Every refusal of
 * every daemon passes here.
 */
static void
server_refuse(server_t *s, server_slot_t *slot, const char *op, size_t op_len,
    const principal_t *who)
{
	wire_err_t err;

	if (who != NULL) {
		auth_refuse(slot->msg, slot->reply, "op", "a %s key may not call '%.*s'",
		    auth_role_name(who->role), (int)(op_len > 64 ? 64 : op_len), op);
		return;
	}
	log_warn("%s: refused '%.*s': the ZAP handler's User-Id '%s' names no key",
	    s->c.service, (int)(op_len > 64 ? 64 : op_len), op, slot->req.user_id);
	wire_err_set(&err, WERR_UNAUTHORIZED, NULL, "this key is not known");
	pack_reset(slot->reply);
	pack_reply_error(slot->reply, &err, msg_req(slot->msg));
}

/* A write request, in a savepoint of its own inside the open transaction. */
static void
server_write(server_t *s, server_slot_t *slot)
{
	sqlite3 *h = db_handle(s->c.db);
	sqlite3_int64 before;
	int rc;

	slot->state = SLOT_TX;
	if (server_tx(s) < 0)
		return;         /* answered unavailable with the batch */
	if (server_sql(s->c.db, "SAVEPOINT request") < 0) {
		log_warn("server_write: savepoint: %s", db_errmsg(s->c.db));
		s->failed = true;
		return;
	}
	before = sqlite3_total_changes64(h);
	rc = slot->op->fn(server_op_ctx(s, slot->op, false), slot->msg, slot->reply);
	if (sqlite3_get_autocommit(h)) {
		/* SQLite rolled the whole transaction back by itself */
		s->failed = true;
		return;
	}
	if (rc == 0)
		rc = server_audit_write(s, slot, before);
	else
		audit_hint_take(slot->audit_target, slot->audit_detail);
	if (rc < 0) {
		if (server_sql(s->c.db, "ROLLBACK TO request") < 0)
			s->failed = true;
		if (s->c.rolled_back)
			s->c.rolled_back(s->c.ctx);
	}
	if (server_sql(s->c.db, "RELEASE request") < 0)
		s->failed = true;
}

static void server_durable(server_t *s);

/*
 * Between two requests of a batch: when a sync ended since the last look,
 * the replies it made durable leave now, not after the rest of the batch,
 * so that their clients send again while this batch is handled.
 */
static void
server_between(server_t *s)
{
	if (syncer_news(s->sync) == s->news_seen)
		return;
	server_durable(s);
	server_flush(s);
}

/* Takes every waiting request (as many as the ring has room for) and handles it. */
static void
server_take(server_t *s)
{
	unsigned room = SERVER_INFLIGHT - (s->tail - s->head), taken = 0;

	if (room > SERVER_BATCH_MAX)
		room = SERVER_BATCH_MAX;
	while (taken < room) {
		server_slot_t *slot = server_slot(s, s->tail);
		const char *op;
		size_t op_len;
		const principal_t *who;

		if (taken > 0)
			server_between(s);
		if (rpc_server_recv(s->rpc, &slot->req) <= 0)
			break;
		s->tail++;
		taken++;
		slot->state = SLOT_WAIT;
		slot->gen = 0;
		slot->audit_target[0] = slot->audit_detail[0] = '\0';
		slot->audited = false;
		if (slot->parsed == NULL)
			slot->parsed = msg_new();
		slot->msg = NULL;
		if (rpc_server_prepare_into(&slot->req, s->c.service, slot->parsed, &op, &op_len,
		    slot->reply) < 0)
			continue;       /* answered: too large, malformed, ping */
		slot->msg = slot->parsed;
		pack_reset(slot->reply);
		/* who sent it: the ZAP handler's name for the key, never the request's */
		if ((who = auth_principal(s->c.auth, slot->req.user_id)) == NULL) {
			server_refuse(s, slot, op, op_len, NULL);
			continue;
		}
		msg_set_principal(slot->msg, who);
		if (msg_op_is(op, op_len, WIRE_OP_STATUS)) {
			if (!auth_allows(SERVER_STATUS_ROLES, who))
				server_refuse(s, slot, op, op_len, who);
			else
				server_status(s, slot->msg, slot->reply);
			continue;
		}
		if ((slot->op = server_op(s, op, op_len)) == NULL) {
			rpc_reply_unknown_op(slot->reply, slot->msg, s->c.service, op, op_len,
			    s->ops, s->nops, sizeof(s->ops[0]));
			continue;
		}
		if (!auth_allows(slot->op->roles, who)) {
			server_refuse(s, slot, op, op_len, who);
			continue;
		}
		switch (slot->op->kind) {
		case SERVER_WRITE:
			server_write(s, slot);
			break;
		case SERVER_READ:
			if (s->has_reader) {
				server_read_queue(s, slot);
				break;
			}
			server_write(s, slot);
			break;
		case SERVER_MAIN:
			slot->op->fn(s->c.ctx, slot->msg, slot->reply);
			audit_hint_take(slot->audit_target, slot->audit_detail);
			slot->gen = s->requested;
			break;
		}
	}
	if (taken) {
		s->batches++;
		s->requests += taken;
	}
}

/* With -v, logs batches and syncs since the last time. */
static void
server_stats(server_t *s, int64_t now)
{
	uint64_t syncs, us, max_us;

	if (now - s->stats_at < SERVER_STATS_MS)
		return;
	syncer_stats(s->sync, &syncs, &us, &max_us);
	if (s->batches > s->last_batches)
		log_debug("%llu requests in %llu batches (%.1f each), %llu commits, %llu syncs "
		    "of %.2f ms on average, %.2f ms at most",
		    (unsigned long long)(s->requests - s->last_requests),
		    (unsigned long long)(s->batches - s->last_batches),
		    (double)(s->requests - s->last_requests) / (double)(s->batches - s->last_batches),
		    (unsigned long long)(s->commits - s->last_commits),
		    (unsigned long long)(syncs - s->last_syncs),
		    syncs > s->last_syncs ? (double)(us - s->last_us) / 1000.0 /
		    (double)(syncs - s->last_syncs) : 0.0, (double)max_us / 1000.0);
	s->stats_at = now;
	s->last_batches = s->batches;
	s->last_requests = s->requests;
	s->last_commits = s->commits;
	s->last_syncs = syncs;
	s->last_us = us;
}

/* rpc.c's prepare hook: a CurveZMQ server with keys, a local endpoint without */
static int
server_prepare(void *arg, void *sock, const char *endpoint, char *err, size_t errlen)
{
	server_t *s = arg;

	return auth_server_socket(s->c.auth, sock, endpoint, AUTH_DOMAIN_RPC, err, errlen);
}

server_t *
server_new(void *zctx, const server_conf_t *conf, char *err, size_t errlen)
{
	server_t *s = xcalloc(1, sizeof(*s));

	/* large replies and frames go back to the system when freed */
	mallopt(M_MMAP_THRESHOLD, SERVER_MMAP_THRESHOLD);
	/* the small blocks a batch frees are wanted again by the next one */
	mallopt(M_TRIM_THRESHOLD, SERVER_TRIM_THRESHOLD);
	s->c = *conf;
	/* the daemon's operations and those every daemon has, in one table */
	s->nops = conf->nops + 1;
	s->ops = xcalloc(s->nops, sizeof(*s->ops));
	memcpy(s->ops, conf->ops, conf->nops * sizeof(*s->ops));
	s->ops[conf->nops] = server_audit_op;
	s->zctx = zctx;
	s->wake_at = INT64_MAX;
	s->started = ts_now();
	s->refd = -1;
	s->refusals = audit_refusals_new();
	pthread_mutex_init(&s->rlock, NULL);
	pthread_cond_init(&s->rwake, NULL);
	for (int i = 0; i < SERVER_INFLIGHT; i++)
		s->slots[i].reply = pack_new();
	if (s->refusals == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (audit_init(conf->db, err, errlen) < 0)
		goto fail;
	if ((s->sync = syncer_new(conf->db, err, errlen)) == NULL)
		goto fail;
	/*
	 * Generation 1 is a sync of what the file holds at start: a predecessor
	 * killed after a commit but before its sync left that commit in the
	 * page cache only. Links send what was stored before the start once
	 * generation 1 is done.
	 */
	s->requested = syncer_request(s->sync);
	if (conf->read_db != NULL) {
		if ((s->refd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
			snprintf(err, errlen, "eventfd: %s", strerror(errno));
			goto fail;
		}
		if ((errno = pthread_create(&s->reader, NULL, server_reader_main, s)) != 0) {
			snprintf(err, errlen, "starting the reader thread: %s", strerror(errno));
			goto fail;
		}
		s->has_reader = true;
	}
	if ((s->rpc = rpc_server_new_with(zctx, conf->endpoint, server_prepare, s,
	    err, errlen)) == NULL)
		goto fail;
	return s;
fail:
	server_destroy(&s);
	return NULL;
}

void
server_destroy(server_t **self_p)
{
	server_t *s;

	if (self_p == NULL || (s = *self_p) == NULL)
		return;
	server_reader_stop(s);
	syncer_destroy(&s->sync);
	for (unsigned i = s->head; i != s->tail; i++) {
		server_slot_t *slot = server_slot(s, i);

		slot->msg = NULL;
		rpc_request_release(&slot->req);
	}
	for (int i = 0; i < SERVER_INFLIGHT; i++) {
		pack_destroy(&s->slots[i].reply);
		msg_destroy(&s->slots[i].parsed);
	}
	rpc_server_destroy(&s->rpc);
	if (s->refd >= 0)
		close(s->refd);
	pthread_mutex_destroy(&s->rlock);
	pthread_cond_destroy(&s->rwake);
	audit_refusals_destroy(&s->refusals);
	free(s->ops);
	free(s);
	*self_p = NULL;
}

void
server_wake_at(server_t *s, int64_t ms)
{
	if (ms < s->wake_at)
		s->wake_at = ms;
}

int
server_watch(server_t *s, void *sock, int fd, short events,
    void (*fn)(void *arg, short revents), void *arg)
{
	if (s->nwatch == SERVER_WATCH_MAX)
		return -1;
	s->watch[s->nwatch++] = (server_watch_t){sock, fd, events, fn, arg};
	return 0;
}

void
server_unwatch(server_t *s, void *sock, int fd)
{
	for (int i = 0; i < s->nwatch; i++) {
		if (s->watch[i].sock == sock && (sock != NULL || s->watch[i].fd == fd)) {
			s->watch[i] = s->watch[--s->nwatch];
			return;
		}
	}
}

uint64_t
server_gen_committed(const server_t *s)
{
	return s->requested;
}

const auth_t *
server_auth(const server_t *s)
{
	return s->c.auth;
}

uint64_t
server_gen_durable(const server_t *s)
{
	return s->done;
}

/* How long the next poll may sleep: until the wake time, an idle checkpoint, or a while. */
static long
server_timeout(server_t *s, int64_t now, bool ckpt_due)
{
	int64_t t = ckpt_due ? SERVER_IDLE_MS : SERVER_POLL_MS;

	if (s->wake_at != INT64_MAX) {
		if (s->wake_at <= now)
			return 0;
		if (s->wake_at - now < t)
			t = s->wake_at - now;
	}
	return (long)t;
}

static void
server_durable(server_t *s)
{
	int64_t done;

	s->news_seen = syncer_news(s->sync);        /* first: no news is missed */
	done = syncer_done(s->sync);

	if (done < 0)
		server_sync_failed(s);
	if ((uint64_t)done != s->done) {
		s->done = (uint64_t)done;
		if (s->c.durable)
			s->c.durable(s->c.ctx, s->done);
	}
}

void
server_run(server_t *s, volatile sig_atomic_t *quit)
{
	enum { P_SYNC, P_READS, P_RPC, P_FIXED };

	while (!*quit) {
		zmq_pollitem_t items[P_FIXED + SERVER_WATCH_MAX];
		/* with the ring full, take no more requests until syncs free it */
		bool room = s->tail - s->head < SERVER_INFLIGHT;
		bool due = db_checkpoint_due(s->c.db);
		int64_t now = ts_now();
		int nwatch = s->nwatch, n;
		uint64_t ckpt_errors;

		items[P_SYNC] = (zmq_pollitem_t){NULL, syncer_fd(s->sync), ZMQ_POLLIN, 0};
		items[P_READS] = (zmq_pollitem_t){NULL, s->refd, s->refd >= 0 ? ZMQ_POLLIN : 0, 0};
		items[P_RPC] = (zmq_pollitem_t){rpc_server_socket(s->rpc), 0, room ? ZMQ_POLLIN : 0, 0};
		for (int i = 0; i < nwatch; i++)
			items[P_FIXED + i] = (zmq_pollitem_t){s->watch[i].sock, s->watch[i].fd,
			    s->watch[i].events, 0};
		if (s->refd < 0)
			items[P_READS].fd = syncer_fd(s->sync);     /* a harmless stand-in */
		if ((n = zmq_poll(items, P_FIXED + nwatch, server_timeout(s, now, due))) < 0) {
			if (errno == EINTR)
				continue;
			fatal(EXIT_SOFTWARE, "zmq_poll: %s", zmq_strerror(errno));
		}
		/* idle, nothing open or syncing: the moment to copy the WAL */
		if (n == 0 && due && !s->tx && s->done == s->requested && s->reading == 0)
			syncer_checkpoint(s->sync);
		if (items[P_SYNC].revents & ZMQ_POLLIN)
			server_durable(s);
		if (s->refd >= 0 && (items[P_READS].revents & ZMQ_POLLIN))
			server_reads_done(s);
		for (int i = 0; i < nwatch; i++)
			if (items[P_FIXED + i].revents)
				s->watch[i].fn(s->watch[i].arg, items[P_FIXED + i].revents);
		if (room && (items[P_RPC].revents & ZMQ_POLLIN))
			server_take(s);
		/* refusals counted in a window that has passed are written out, with
		 * a commit about to be made or when nothing waits for a sync */
		if (audit_refusals_due(s->refusals, now) && (s->tx || s->head == s->tail) &&
		    server_tx(s) == 0 &&
		    audit_refusals_flush(s->refusals, s->c.db, now, false) < 0) {
			log_warn("server_run: audit: %s", db_errmsg(s->c.db));
			s->failed = true;
		}
		if (s->wake_at <= (now = ts_now()) && s->c.tick) {
			s->wake_at = INT64_MAX;
			if (server_tx(s) == 0 && s->c.tick(s->c.ctx, now) < 0)
				s->failed = true;
		}
		/* commit when the sync thread is free, or when the ring is full */
		if (s->tx && (s->done == s->requested || s->tail - s->head == SERVER_INFLIGHT))
			server_commit(s);
		server_flush(s);
		if (s->c.verbose)
			server_stats(s, now);
		if ((ckpt_errors = syncer_checkpoint_errors(s->sync)) != s->ckpt_errors) {
			log_warn("checkpoint failed (%llu so far); retried when next idle",
			    (unsigned long long)ckpt_errors);
			s->ckpt_errors = ckpt_errors;
		}
	}
	log_info("stopping on signal %d", (int)*quit);

	/* the reads under way, the last commit and sync, then the replies that waited */
	server_reader_stop(s);
	for (unsigned i = s->head; i != s->tail; i++)
		if (server_slot(s, i)->state != SLOT_FREE)
			server_audit_answered(s, server_slot(s, i));
	if (server_tx(s) == 0 && audit_refusals_flush(s->refusals, s->c.db, ts_now(), true) < 0)
		s->failed = true;
	server_commit(s);
	server_audit_log_head(s, true);
	{
		int64_t done = syncer_finish(&s->sync);

		if (done < 0)
			server_sync_failed(s);
		s->done = (uint64_t)done;
	}
	server_flush(s);
}
