/*
 * trygg-intake: takes incident reports, routes them to their area team,
 * decides their scope, stores them durably and answers.
 *
 * Sockets: one ROUTER on endpoints.intake (requests from reporters).
 * State:   <data_dir>/incidents.db (intake_store.c), nothing else.
 *
 * Pipelined group commit. Each turn of the loop takes every request
 * waiting on the socket (up to INTAKE_BATCH_MAX) and handles it in the open
 * transaction (intake_take). When the sync thread (syncer.h) is free, the
 * transaction is committed without waiting for the disk and a sync of the
 * WAL is asked for (intake_commit); while that sync runs, the loop goes on
 * taking requests into the next transaction. A request's reply waits in the
 * ring of in-flight requests until the sync generation it depends on is
 * reported done, so no reply ever speaks of anything that is not on disk,
 * reads included.
 *
 *   slot: free -> taken and handled (intake_take), gen unknown
 *         -> committed, waiting for gen g (intake_commit)
 *         -> answered when syncer_done() >= g (intake_flush) -> free
 *
 * If the store fails during a batch or at its commit, the transaction is
 * rolled back and every request of the batch is answered "unavailable";
 * clients retry with the same ids. If a sync fails, durability is unknown:
 * every waiting request is answered "unavailable" and the daemon exits 74.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration,
 * 69 when the socket cannot be bound, 70 for internal failures (threads,
 * polling), 74 for database and disk failures.
 */
#include "intake.h"
#include "daemon.h"
#include "log.h"
#include "mem.h"
#include "rpc.h"
#include "syncer.h"
#include "ts.h"

#include <errno.h>
#include <signal.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define INTAKE_POLL_MS   1000   /* wake at least this often to notice signals */
#define INTAKE_IDLE_MS   20     /* this long without requests counts as idle */
#define INTAKE_INFLIGHT  1024   /* requests handled but not yet answered, at most */
#ifndef INTAKE_STATS_MS
#define INTAKE_STATS_MS  10000 /* with -v, log throughput figures this often */
#endif

static volatile sig_atomic_t intake_quit;

static void
intake_on_signal(int sig)
{
	intake_quit = sig;
}

typedef struct {
	rpc_request_t req;
	pack_t       *reply;
	msg_t        *msg;      /* kept until the batch is decided: its "req" is echoed */
	uint64_t      gen;      /* the sync generation the reply waits for */
} intake_slot_t;

/* The ring of in-flight requests: [head, tail) are waiting, oldest first. */
typedef struct {
	intake_slot_t slots[INTAKE_INFLIGHT];
	unsigned      head, tail;       /* counters; index modulo INTAKE_INFLIGHT */
	uint64_t      requested;        /* the last sync generation asked for */
	uint64_t      done;             /* the last one reported durable */
	bool          tx;               /* a transaction is open ... */
	bool          failed;           /* ... and must be rolled back */
	unsigned      tx_first;         /* the first request in it */
	sqlite3_int64 tx_changes;       /* total changes when it began */
	uint64_t      batches, requests, commits;   /* statistics */
	uint64_t      ckpt_errors;                  /* failed checkpoints logged */
} intake_ring_t;

static intake_slot_t *
intake_slot(intake_ring_t *r, unsigned i)
{
	return &r->slots[i % INTAKE_INFLIGHT];
}

/* Answers every request of [from, to) with the same error. */
static void
intake_fail_range(intake_ring_t *r, unsigned from, unsigned to, const char *text)
{
	wire_err_t err;

	wire_err_set(&err, WERR_UNAVAILABLE, NULL, "%s", text);
	for (unsigned i = from; i != to; i++) {
		intake_slot_t *s = intake_slot(r, i);

		if (s->msg == NULL)
			continue;
		pack_reset(s->reply);
		pack_reply_error(s->reply, &err, msg_req(s->msg));
	}
}

/*
 * A sync failed: what is on disk is unknown. Every waiting request is
 * answered unavailable (clients resend, idempotently), the replies get
 * their time to leave, and the daemon exits 74.
 */
static void intake_flush(intake_ring_t *r, rpc_server_t *srv);

static noreturn void
intake_sync_failed(intake_ring_t *r, rpc_server_t **srv, void *zctx)
{
	int error = errno;

	intake_fail_range(r, r->head, r->tail, "the incident store could not sync "
	    "to disk; the daemon stops, try again");
	r->done = UINT64_MAX;
	intake_flush(r, *srv);
	rpc_server_destroy(srv);
	zmq_ctx_term(zctx);
	fatal(EXIT_IOERR, "syncing %s: %s", INTAKE_DB_FILE, strerror(error));
}

/* Sends the replies whose generation is durable, oldest first. */
static void
intake_flush(intake_ring_t *r, rpc_server_t *srv)
{
	while (r->head != r->tail && intake_slot(r, r->head)->gen <= r->done) {
		intake_slot_t *s = intake_slot(r, r->head);
		const void *data;
		size_t len;

		data = pack_data(s->reply, &len);
		if (rpc_server_reply(srv, &s->req, data, len) < 0)
			log_debug("intake_flush: reply: %s", zmq_strerror(errno));
		msg_destroy(&s->msg);
		rpc_request_release(&s->req);
		r->head++;
	}
}

/* Ends the open transaction: commit, or roll back and fail its requests. */
static void
intake_commit(intake_t *in, intake_ring_t *r, syncer_t *sync)
{
	sqlite3_int64 changes = sqlite3_total_changes64(db_handle(in->db));

	if (!r->failed && db_commit(in->db) < 0)
		r->failed = true;
	if (r->failed) {
		log_warn("intake_commit: rolling back %u requests: %s", r->tail - r->tx_first,
		    db_errmsg(in->db));
		/* SQLite may have rolled back already (IOERR, FULL); else it must now */
		if (!sqlite3_get_autocommit(db_handle(in->db)) && db_rollback(in->db) < 0)
			fatal(EXIT_IOERR, "intake_commit: rollback failed: %s", db_errmsg(in->db));
		intake_store_rolled_back(in);
		intake_fail_range(r, r->tx_first, r->tail, "the incident store could not "
		    "commit; nothing was stored, try again");
	} else if (changes != r->tx_changes) {
		r->requested = syncer_request(sync);
		if (db_checkpoint_forced(in->db) < 0)
			log_warn("intake_commit: checkpoint: %s", db_errmsg(in->db));
	}
	/* replies wait for this commit's sync, or for earlier ones they may have read */
	for (unsigned i = r->tx_first; i != r->tail; i++)
		intake_slot(r, i)->gen = r->requested;
	r->tx = r->failed = false;
	r->commits++;
}

/*
 * Takes every waiting request and handles it in the open transaction (one
 * is begun if none is). The transaction stays open while a sync is under
 * way and is committed when the sync thread is free: one commit per sync,
 * as large as the load makes it.
 */
static void
intake_take(intake_t *in, intake_ring_t *r, rpc_server_t *srv)
{
	unsigned first = r->tail, room = INTAKE_INFLIGHT - (r->tail - r->head);

	if (room > INTAKE_BATCH_MAX)
		room = INTAKE_BATCH_MAX;
	while (r->tail - first < room && rpc_server_recv(srv, &intake_slot(r, r->tail)->req) > 0) {
		intake_slot(r, r->tail)->gen = UINT64_MAX;      /* until its commit */
		r->tail++;
	}
	if (r->tail == first)
		return;
	if (!r->tx) {
		r->tx = true;
		r->tx_first = first;
		r->tx_changes = sqlite3_total_changes64(db_handle(in->db));
		if (db_begin(in->db) < 0) {
			log_warn("intake_take: begin: %s", db_errmsg(in->db));
			r->failed = true;
		}
	}
	in->now = ts_now();
	for (unsigned i = first; i != r->tail; i++) {
		intake_slot_t *s = intake_slot(r, i);
		const char *op;
		size_t op_len;

		s->msg = rpc_server_prepare(&s->req, INTAKE_SERVICE, &op, &op_len, s->reply);
		if (s->msg == NULL)
			continue;
		pack_reset(s->reply);
		if (r->failed || intake_handle(in, s->msg, op, op_len, s->reply) < 0)
			r->failed = true;
		/* an error that made SQLite roll back by itself fails the batch too */
		if (sqlite3_get_autocommit(db_handle(in->db)))
			r->failed = true;
	}
	r->batches++;
	r->requests += r->tail - first;
}

/* With -v, logs batches and syncs since the last time. */
static void
intake_stats(intake_ring_t *r, syncer_t *sync, int64_t now)
{
	static int64_t last_at;
	static uint64_t last_batches, last_requests, last_commits, last_syncs, last_us;
	uint64_t syncs, us, max_us;

	if (now - last_at < INTAKE_STATS_MS)
		return;
	syncer_stats(sync, &syncs, &us, &max_us);
	if (r->batches > last_batches)
		log_debug("%llu requests in %llu batches (%.1f each), %llu commits, %llu syncs "
		    "of %.2f ms on average, %.2f ms at most",
		    (unsigned long long)(r->requests - last_requests),
		    (unsigned long long)(r->batches - last_batches),
		    (double)(r->requests - last_requests) / (double)(r->batches - last_batches),
		    (unsigned long long)(r->commits - last_commits),
		    (unsigned long long)(syncs - last_syncs),
		    syncs > last_syncs ? (double)(us - last_us) / 1000.0 / (double)(syncs - last_syncs) : 0.0,
		    (double)max_us / 1000.0);
	last_at = now;
	last_batches = r->batches;
	last_requests = r->requests;
	last_commits = r->commits;
	last_syncs = syncs;
	last_us = us;
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	intake_ring_t *ring;
	int64_t done;
	rpc_server_t *srv;
	syncer_t *sync;
	cfg_t *cfg;
	char err[512];
	intake_t in;
	void *zctx;

	daemon_start(argc, argv, INTAKE_SERVICE, &args);
	cfg = args.cfg;
	memset(&in, 0, sizeof(in));
	in.cfg = cfg;
	if ((in.tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&in.tz);
		cfg_destroy(&cfg);
		return 0;
	}
	if ((in.db = intake_store_open(cfg->data_dir, err, sizeof(err))) == NULL ||
	    db_defer_sync(in.db, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	if ((sync = syncer_new(in.db, err, sizeof(err))) == NULL)
		fatal(EXIT_SOFTWARE, "%s", err);

	zctx = daemon_zmq_ctx();
	if ((srv = rpc_server_new(zctx, cfg->endpoints.intake, err, sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);
	daemon_signals(intake_on_signal);

	ring = xcalloc(1, sizeof(*ring));
	for (int i = 0; i < INTAKE_INFLIGHT; i++)
		ring->slots[i].reply = pack_new();
	log_info("listening on %s, incidents in %s/%s", cfg->endpoints.intake,
	    cfg->data_dir, INTAKE_DB_FILE);

	while (!intake_quit) {
		zmq_pollitem_t items[2] = {
			{NULL, syncer_fd(sync), ZMQ_POLLIN, 0},
			{rpc_server_socket(srv), 0, ZMQ_POLLIN, 0},
		};
		/* with the ring full, take no more requests until syncs free it */
		int nitems = ring->tail - ring->head < INTAKE_INFLIGHT ? 2 : 1;
		bool due = db_checkpoint_due(in.db);
		uint64_t ckpt_errors;
		int n;

		if ((n = zmq_poll(items, nitems, due ? INTAKE_IDLE_MS : INTAKE_POLL_MS)) < 0) {
			if (errno == EINTR)
				continue;
			fatal(EXIT_SOFTWARE, "zmq_poll: %s", zmq_strerror(errno));
		}
		/* idle, nothing open or syncing: the moment to copy the WAL */
		if (n == 0 && due && !ring->tx && ring->done == ring->requested)
			syncer_checkpoint(sync);
		if (items[0].revents & ZMQ_POLLIN) {
			if ((done = syncer_done(sync)) < 0)
				intake_sync_failed(ring, &srv, zctx);
			ring->done = (uint64_t)done;
		}
		if (nitems > 1 && (items[1].revents & ZMQ_POLLIN))
			intake_take(&in, ring, srv);
		/* commit when the sync thread is free, or when the ring is full */
		if (ring->tx && (ring->done == ring->requested ||
		    ring->tail - ring->head == INTAKE_INFLIGHT))
			intake_commit(&in, ring, sync);
		intake_flush(ring, srv);
		if (args.verbose)
			intake_stats(ring, sync, ts_now());
		if ((ckpt_errors = syncer_checkpoint_errors(sync)) != ring->ckpt_errors) {
			log_warn("checkpoint failed (%llu so far); retried when next idle",
			    (unsigned long long)ckpt_errors);
			ring->ckpt_errors = ckpt_errors;
		}
	}
	log_info("stopping on signal %d", (int)intake_quit);

	/* the last commit and sync, then the replies that waited for them */
	if (ring->tx)
		intake_commit(&in, ring, sync);
	if ((done = syncer_finish(&sync)) < 0)
		intake_sync_failed(ring, &srv, zctx);
	ring->done = (uint64_t)done;
	intake_flush(ring, srv);
	for (int i = 0; i < INTAKE_INFLIGHT; i++)
		pack_destroy(&ring->slots[i].reply);
	free(ring);
	rpc_server_destroy(&srv);
	zmq_ctx_term(zctx);
	db_close(&in.db);
	tz_destroy(&in.tz);
	cfg_destroy(&cfg);
	return 0;
}
