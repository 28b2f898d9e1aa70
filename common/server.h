/*
 * server.h: the skeleton every trygg daemon runs on.
 *
 * A daemon is its table of operations, its handlers and its own state; the
 * request ring, the group commit, the reader thread, release-after-sync
 * and the poll loop live here, once (Postfix's single_server.c):
 *
 *	static const server_op_t ops[] = {
 *		{"submit", SERVER_WRITE, op_submit},
 *		{"get",    SERVER_READ,  op_get},
 *	};
 *	server_conf_t c = {.service = "trygg-intake", .endpoint = ...,
 *	    .db = db, .read_db = rdb, .ops = ops, .nops = 2,
 *	    .ctx = &state, .read_ctx = &read_state};
 *	srv = server_new(zctx, &c, err, sizeof(err));
 *	server_run(srv, &quit);         // until *quit, then a last commit and sync
 *	server_destroy(&srv);
 *
 * Guarantees, for every daemon alike:
 *   - a write runs inside the batch's transaction, in a savepoint of its
 *     own: a handler that fails (returns -1) undoes only its own request;
 *   - a read runs on the reader thread, on its own connection, in a read
 *     transaction of its own, so a slow read never holds up the writer;
 *   - no reply leaves before the sync that covers everything it may speak
 *     of has returned: a write waits for the sync after its commit, a read
 *     for the sync after the last commit it could have seen;
 *   - a failed commit answers its batch "unavailable" with nothing stored;
 *     a failed sync answers everything waiting "unavailable" and the
 *     daemon exits 74, because what is on disk is then unknown.
 *
 * Besides requests, a daemon may do work of its own in the loop (timers,
 * links, child processes): it watches sockets or descriptors
 * (server_watch), asks to be woken at a time (server_wake_at), writes in
 * the open transaction after server_tx(), and learns from its hooks when a
 * commit happened and when it became durable, so that nothing leaves the
 * daemon (a link message, a notification) before it is on disk.
 */
#ifndef TRYGG_SERVER_H
#define TRYGG_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#include "auth.h"
#include "db.h"
#include "msg.h"
#include "pack.h"

#define SERVER_INFLIGHT    1024  /* requests taken but not yet answered, at most */
#define SERVER_BATCH_MAX   256   /* requests taken off the socket in one turn */
#define SERVER_POLL_MS     1000  /* wake at least this often to notice signals */
#define SERVER_IDLE_MS     20    /* this long without requests counts as idle */
#define SERVER_WATCH_MAX   8     /* sockets and descriptors a daemon may add */
#define SERVER_STATS_MS    10000 /* with -v, log throughput figures this often */
#define SERVER_MMAP_THRESHOLD (128 * 1024)  /* larger blocks go back to the system at free */
#define SERVER_TRIM_THRESHOLD (16 * 1024 * 1024)  /* free heap kept, not faulted in again per batch */
#define SERVER_READER_NICE 10   /* the reader thread's niceness: writes first */
#define SERVER_FAIL_FLUSH_MS 500 /* after a failed sync, time for the replies before exit 74 */

typedef enum {
	SERVER_WRITE,           /* in the writer's transaction, in a savepoint */
	SERVER_READ,            /* on the reader thread and connection */
	SERVER_MAIN,            /* on the main thread, touching no database */
} server_kind_t;

/*
 * A handler writes a whole reply (pack_reply_ok ... pack_map_close, or
 * pack_reply_error) and returns 0, or returns -1 when its store failed:
 * its savepoint is then rolled back and the reply it wrote is sent (write
 * "internal" into it first).
 */
typedef int (*server_fn)(void *ctx, const msg_t *m, pack_t *reply);

/*
 * roles: who may call the operation, a mask of role_t (principal.h).
 * Admins may call every operation; an entry that names no roles is for
 * admins only, so an operation added without thinking is closed, not open.
 * Anyone else is answered "unauthorized" by the skeleton before the
 * handler runs (server_refuse).
 */
typedef struct {
	const char   *name;     /* first member: rpc_reply_unknown_op reads it */
	server_kind_t kind;
	server_fn     fn;
	unsigned      roles;
} server_op_t;

/* who may ask for status (besides admins): the daemons watch each other */
#define SERVER_STATUS_ROLES ROLE_DAEMON

typedef struct server server_t;

typedef struct {
	const char        *service;     /* "trygg-intake": ping and logs */
	const char        *endpoint;    /* the ROUTER's */
	db_t              *db;          /* the writer's connection */
	db_t              *read_db;     /* the reader's; NULL runs reads on the writer */
	const server_op_t *ops;
	size_t             nops;
	void              *ctx;         /* handed to write and main handlers and hooks */
	void              *read_ctx;    /* handed to read handlers (on the reader thread) */
	int                verbose;     /* -v: log throughput figures */
	/*
	 * The daemon's keys and ZAP handler (auth_new); NULL or off: a plain
	 * socket that binds only local endpoints, every request PRINCIPAL_LOCAL.
	 * It must outlive the server: requests point at its principals.
	 */
	const auth_t      *auth;

	/* Hooks; each may be NULL. They run on the main thread. */
	/* A request's savepoint or the whole batch was rolled back: forget cached state. */
	void (*rolled_back)(void *ctx);
	/* The wake time came (server_wake_at); the transaction is open. 0 or -1. */
	int  (*tick)(void *ctx, int64_t now);
	/* A commit that changed something was made; it is durable once gen is. */
	void (*committed)(void *ctx, uint64_t gen);
	/* Everything up to gen is on disk. */
	void (*durable)(void *ctx, uint64_t gen);
	/*
	 * Fills status's open "links" map: for each outgoing durable link,
	 * its name and {"backlog": N, "oldest_age_s": S}.
	 */
	void (*links)(void *ctx, pack_t *map);
} server_conf_t;

/* Binds the ROUTER and starts the sync and reader threads; NULL with err filled. */
server_t *server_new(void *zctx, const server_conf_t *conf, char *err, size_t errlen);
/*
 * Serves until *quit is set (by a signal handler), then takes no more
 * requests, commits and syncs what is open and answers what waited. Exits
 * the program with 74 when a sync fails (see above).
 */
void server_run(server_t *s, volatile sig_atomic_t *quit);
void server_destroy(server_t **self_p);

/* Opens the batch's transaction if none is open; 0 or -1 (the batch then fails). */
int server_tx(server_t *s);
/* Marks the open transaction failed: it is rolled back, its requests answered unavailable. */
void server_tx_fail(server_t *s);
/* Calls the tick hook at ms (wall clock) or earlier; the earliest asked for wins. */
void server_wake_at(server_t *s, int64_t ms);
/*
 * Polls sock (a ZeroMQ socket) or, when sock is NULL, fd for events; calls
 * fn(arg, revents) on the main thread. 0, or -1 when SERVER_WATCH_MAX are taken.
 */
int server_watch(server_t *s, void *sock, int fd, short events,
    void (*fn)(void *arg, short revents), void *arg);
/* Stops watching sock or fd. */
void server_unwatch(server_t *s, void *sock, int fd);
/*
 * The last generation committed and the last known durable. Generation 1
 * is the sync at start that covers everything stored before it.
 */
uint64_t server_gen_committed(const server_t *s);
/* the auth the server was made with (server_conf_t.auth), for its links */
const auth_t *server_auth(const server_t *s);
uint64_t server_gen_durable(const server_t *s);

#endif
