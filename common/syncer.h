/*
 * syncer.h: pipelined group commit.
 *
 * A daemon commits a batch without waiting for the disk (db_defer_sync),
 * asks the syncer for a sync, goes on with the next batch, and sends the
 * first batch's replies only when the syncer reports that generation
 * durable. One fdatasync covers every commit made before it started, so the
 * disk and the CPU work at the same time and batches grow with the load.
 *
 *	gen = syncer_request(s);        after each commit
 *	zmq_poll on syncer_fd(s)        becomes readable when a sync ends
 *	done = syncer_done(s);          everything <= done is on disk
 *	syncer_checkpoint(s);           when idle: copy the WAL into the database
 *
 * The checkpoint thread also runs after each sync that leaves
 * DB_CHECKPOINT_PAGES to copy, so the WAL stays bounded under load (db.h).
 */
#ifndef TRYGG_SYNCER_H
#define TRYGG_SYNCER_H

#include <stdint.h>

#include "db.h"

typedef struct syncer syncer_t;

/* Starts the sync and checkpoint threads for db; NULL with err filled on failure. */
syncer_t *syncer_new(db_t *db, char *err, size_t errlen);
/*
 * Stops the threads after a last sync of what was requested. Returns the
 * last generation made durable, or -1 when a sync failed (errno set): then
 * nothing after the last reported generation may be acknowledged.
 */
int64_t syncer_finish(syncer_t **self_p);
/* The same without the answer, for error paths; NULL is fine. */
void syncer_destroy(syncer_t **self_p);
/* Asks for everything committed so far to be synced; returns its generation (1, 2, ...). */
uint64_t syncer_request(syncer_t *s);
/* a file descriptor that is readable when syncer_done has news */
int syncer_fd(syncer_t *s);
/*
 * The highest generation known durable (0 before the first). Returns -1 when
 * a sync failed (errno set to its error): durability is unknown from then on
 * and the daemon must stop acknowledging (and exit, as PostgreSQL does after
 * a failed fsync).
 */
int64_t syncer_done(syncer_t *s);
/*
 * A counter that moves whenever a sync ends, read without a lock or a
 * system call: the writer looks at it between requests of a long batch
 * and calls syncer_done only when it moved, so that replies leave as soon
 * as their sync is done rather than at the end of the batch.
 */
uint64_t syncer_news(syncer_t *s);

/* Asks the checkpoint thread to copy the WAL into the database now (when idle). */
void syncer_checkpoint(syncer_t *s);
/*
 * The WAL is past its hard size (db_wal_over, db.h): the writer calls this
 * with no transaction open, and it asks for copy passes until the WAL is
 * all copied (0: the writer's next transaction starts it over). It gives up
 * (1) when a pass begun after the call still left it short, which only a
 * reader's snapshot does, or after max_ms; then db_wal_hold keeps the
 * writer from waiting again before the WAL has grown more.
 */
int syncer_catch_up(syncer_t *s, int max_ms);

/* How many syncs ran and how long they took in all, in microseconds. */
void syncer_stats(syncer_t *s, uint64_t *count, uint64_t *total_us, uint64_t *max_us);
/* How many checkpoints failed so far (each is tried again when next idle). */
uint64_t syncer_checkpoint_errors(syncer_t *s);

#endif
