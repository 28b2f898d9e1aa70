/*
 * link.h: the durable link between two daemons (the design's "Ownership and
 * links"), written once for every pair.
 *
 * Sender. The daemon writes each event into its own outbox table in the
 * same transaction as the change that caused it, under an ever-growing id.
 * A link_t sends the rows that are durable (link_durable) in order, in
 * batches, one batch in flight, to the receiver's ROUTER as the request
 *
 *	{"v":1, "op":"link.deliver", "link": NAME, "source": SERVICE,
 *	 "epoch": E, "messages": [{"id": N, "type": T, ...}, ...]}
 *
 * and resends it after LINK_TIMEOUT_MS, doubling up to LINK_TIMEOUT_MAX_MS,
 * on a fresh socket (the zguide's Lazy Pirate), until the receiver answers
 * {"ok":true, "applied": LAST_ID}. What was acknowledged is kept as a
 * watermark in the sender's own database (table link_out), so a restart
 * resends what was not. The epoch is drawn at random when the watermark row
 * is made: a sender whose database was replaced starts a new epoch, and the
 * receiver does not take its new ids for old ones.
 *
 * Receiver. Its "link.deliver" write handler calls link_deliver(), which
 * applies each message whose id is above the source's watermark (table
 * link_in) and moves the watermark in the same savepoint as the effects:
 * at-least-once delivery plus this gives exactly-once effect. The reply
 * leaves after the receiver's commit is durable (common/server.c), so an
 * acknowledged message is never lost by the receiver either.
 *
 * Ordering: one batch in flight and ids in order, so a receiver sees a
 * source's events in the order they were written.
 */
#ifndef TRYGG_LINK_H
#define TRYGG_LINK_H

#include <stdint.h>

#include "db.h"
#include "msg.h"
#include "pack.h"
#include "server.h"

#define LINK_TIMEOUT_MS      1000       /* first resend after this without an answer */
#define LINK_TIMEOUT_MAX_MS  4000       /* back-off stops growing here: a receiver back up is heard from within seconds */
#define LINK_BATCH_BYTES     (48 * 1024) /* a batch stays well under WIRE_MAX_FRAME */
#define LINK_BATCH_MAX       256        /* messages in one batch, at most */
#define LINK_STALE_MS        60000      /* a backlog older than this is warned about */
#define LINK_STALE_CHECK_MS  5000       /* the backlog's age is looked at this often, at most */
#define LINK_BACKLOG_COUNT_MAX 10000    /* a backlog is counted up to this; status says "more" */

typedef struct link link_t;

/*
 * Packs the outbox rows with after < id <= upto, in id order, each as a map
 * {"id": id, "type": ..., fields...} appended to the open array batch, until
 * LINK_BATCH_MAX rows or about budget bytes (at least one row when there
 * is one for this receiver in the range, whatever its size); sets *last to
 * the last id packed. Returns the number packed, or -1 on a database error.
 */
typedef int (*link_fetch_fn)(void *ctx, int64_t after, int64_t upto, pack_t *batch,
    size_t budget, int64_t *last);
/*
 * Counts the rows with after < id <= upto, the oldest first and no more
 * than LINK_BACKLOG_COUNT_MAX + 1 of them, and gives the time (ms) of the
 * oldest; 0 or -1. Its work must be bounded by that count, not by the
 * range: a receiver away for a day leaves millions of rows, and the count
 * runs on the daemon's main thread (status, and the stale check).
 */
typedef int (*link_backlog_fn)(void *ctx, int64_t after, int64_t upto, int64_t *count,
    int64_t *oldest_ms);

typedef struct {
	const char      *name;          /* "escalation": names the link and its receiver */
	const char      *endpoint;      /* the receiver's ROUTER */
	link_fetch_fn    fetch;
	link_backlog_fn  backlog;
	void            *ctx;
	int64_t          stale_ms;      /* warn about an older backlog; 0: LINK_STALE_MS */
} link_conf_t;

/*
 * A sender over srv's loop, keeping its watermark in db (srv's writer).
 * source names the sending daemon. NULL with err filled on failure.
 */
link_t *link_new(void *zctx, server_t *srv, db_t *db, const char *source,
    const link_conf_t *conf, char *err, size_t errlen);
void link_destroy(link_t **self_p);
/* Outbox rows up to id upto are on disk: they may be sent. */
void link_durable(link_t *l, int64_t upto);
/* Call from the daemon's tick hook: resends a batch that timed out. 0 or -1. */
int link_tick(link_t *l, int64_t now);
/*
 * Adds "NAME": {"backlog": N, "backlog_more": BOOL, "oldest_age_s": S,
 * "stale": BOOL, "acked": ID, "resends": N} to an open map; stale: the
 * oldest is older than stale_ms; backlog_more: there are more than N
 * (N is LINK_BACKLOG_COUNT_MAX then).
 */
void link_status(link_t *l, pack_t *map);

/*
 * Applies one message of a batch: type and the message map (with "id").
 * 0, 1 when the message is refused for good (logged, kept as applied so the
 * link moves on), or -1 when the store failed (the batch is rolled back).
 */
typedef int (*link_apply_fn)(void *ctx, const char *source, const char *type,
    size_t type_len, const msgpack_object *msg);

/*
 * The body of a receiver's "link.deliver" write handler: validates the
 * batch, applies what is new in order, moves the watermark, and writes the
 * reply. Returns 0, or -1 when the store failed (reply holds the error).
 */
int link_deliver(db_t *db, const msg_t *m, link_apply_fn apply, void *ctx, pack_t *reply);
/* Makes the receiver's watermark table; call once at start. 0 or -1. */
int link_receiver_init(db_t *db, char *err, size_t errlen);

#endif
