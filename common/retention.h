/*
 * retention.h: the pass that erases what has passed its retention period
 * (gallring), in bounded slices, from a daemon's tick hook.
 *
 * A daemon says how to find its expired rows and how to erase one; the
 * pass walks the ids from 1 to the highest there was when it began,
 * conf.scan ids a turn of the loop and at most conf.batch erased, each
 * slice in a savepoint of the batch's transaction. While a pass lasts it
 * asks to be woken at once, so the loop commits and takes the requests
 * waiting before the next slice: a backlog of any size (after downtime,
 * or a shorter period configured) holds requests up for one slice at most.
 * A pass runs at start and every conf.every_ms after the last one ended;
 * a slice that fails undoes itself only, and the pass starts again after
 * conf.retry_ms.
 */
#ifndef TRYGG_RETENTION_H
#define TRYGG_RETENTION_H

#include <stdint.h>

#include "audit.h"
#include "cfg.h"
#include "db.h"
#include "server.h"

#define RETENTION_BATCH_MAX 1000        /* conf.batch, at most */

typedef struct {
	const char       *what;         /* "incidents": for the log */
	const cfg_keep_t *keep;         /* the period */
	db_t             *db;           /* the writer's connection */
	server_t         *srv;          /* woken through; NULL: the caller ticks */
	int               batch;        /* erased in one turn, at most */
	int               scan;         /* ids looked at in one turn, at most */
	int64_t           every_ms;     /* a pass this long after the last */
	int64_t           retry_ms;     /* after a failed slice */
	void             *ctx;          /* handed to the functions below */
	/* The highest id there is; 0 or -1. */
	int (*last)(void *ctx, int64_t *id);
	/*
	 * The ids in (from, to] whose data expired before cutoff and is not
	 * erased yet, ascending, at most max into ids; their count, or -1.
	 */
	int (*expired)(void *ctx, int64_t from, int64_t to, int64_t cutoff, int64_t *ids,
	    int max);
	/* Erases what id holds and records that it did (erasures, audit); 0 or -1. */
	int (*erase)(void *ctx, int64_t id, int64_t now);
} retention_conf_t;

typedef struct retention retention_t;

/* A pass is asked for at once. */
retention_t *retention_new(const retention_conf_t *conf);
/*
 * retention_new once schema (the daemon's own tables: its erasures) is
 * made; NULL with err.
 */
retention_t *retention_open(const retention_conf_t *conf, const char *schema, char *err,
    size_t errlen);
void retention_destroy(retention_t **self_p);
/*
 * The tick hook's part: a slice when one is due, in the open transaction.
 * 0, or -1 when the transaction must fail.
 */
int retention_tick(retention_t *r, int64_t now);
/* When the next slice or pass is due (now while a pass lasts). */
int64_t retention_next_at(const retention_t *r);


/*
 * For a daemon's expired: runs sql, a cached SELECT of one id column with
 * ?1 from, ?2 to, ?3 cutoff and ?4 max bound, into ids; their count, or -1.
 */
int retention_select(db_t *db, const char *sql, int64_t from, int64_t to, int64_t cutoff,
    int64_t *ids, int max);
/* For a daemon's erase: runs sql, a cached statement with ?1 id bound; 0 or -1. */
int retention_exec(db_t *db, const char *sql, int64_t id);
/*
 * For a daemon's erase, last: records the erasure of id, a row by sql
 * (?1 id, ?2 now bound) and the audit entry e; 0 or -1.
 */
int retention_record(db_t *db, const char *sql, int64_t id, int64_t now,
    const audit_entry_t *e);

#endif
