/*
 * escalation.h: trygg-escalation's modules.
 *
 * trygg-escalation turns incidents beyond a team's scope into escalations,
 * decides who must act (the säkerhetschef in office hours, the TiB on duty
 * otherwise: common/oncall.h; the other teams' coordinators for
 * reinforcement), notifies them, and keeps notifying and moving up the
 * policy's steps until someone acknowledges.
 *
 *   main.c                  options, configuration, then common/server.c
 *   escalation_store.c      escalations.db: the schema and its opening
 *   escalation_policy.c     the state machine: create, fire deadlines, ack, resolve
 *   escalation_notify.c     notifications: published once durable, notify commands
 *   escalation_link.c       the events, sent to trygg-reporting
 *   escalation_ops.c        the operations and the link from trygg-intake
 *   escalation_view.c       an escalation as the wire shows it
 *   escalation_oncall.c     the oncall operation
 *   escalation_retention.c  retention: its copies erased past retention.escalations
 */
#ifndef TRYGG_ESCALATION_H
#define TRYGG_ESCALATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "db.h"
#include "durable.h"
#include "msg.h"
#include "pack.h"
#include "server.h"
#include "tz.h"

#define ESCALATION_SERVICE  "trygg-escalation"
#define ESCALATION_DB_FILE  "escalations.db"
#define ESCALATION_LIST_DEFAULT 100
#define ESCALATION_LIST_MAX     1000
#define ESCALATION_FIRE_MAX     64      /* due escalations handled in one tick */
#define ESCALATION_STEPS_MAX    4       /* policy steps, at most */
#define ESCALATION_CONTACTS_MAX 8       /* contacts notified in one step, at most */
#define ESCALATION_TOKEN_TTL_MS (24 * 3600 * 1000LL)  /* an ack link dies after this */

/* retention (escalation_retention.c) */
#define ESCALATION_ERASED   "(gallrad)"         /* what erased text reads */
#define ESCALATION_RETENTION_BATCH 200          /* erased in one turn of the loop, at most */
#define ESCALATION_RETENTION_SCAN  2000         /* ids looked at in one turn, at most */
#define ESCALATION_RETENTION_EVERY_MS (60 * 60 * 1000LL)   /* a pass this long after the last */
#define ESCALATION_RETENTION_RETRY_MS (60 * 1000LL)        /* after a failed slice */

/* escalations.status */
#define ESC_OPEN        "open"
#define ESC_ACKED       "acked"
#define ESC_UNANSWERED  "unanswered"
#define ESC_RESOLVED    "resolved"

typedef struct {
	const cfg_t *cfg;
	tz_t        *tz;
	db_t        *db;
	server_t    *srv;           /* the writer's only; NULL in the reader's copy */
	void        *pub;           /* the PUB socket; the writer's only */
	durable_t    notes;         /* notifications on disk */
	int64_t      published;     /* notifications up to here were sent */
	int64_t      durable;       /* notifications up to here are on disk */
	struct proc *proc;          /* notify commands running; the writer's only */
	durable_t    events;        /* history rows on disk, for the link */
	struct link *link_reporting;
	struct retention *retention;   /* the writer's only (common/retention.h) */
} escalation_t;

/* escalation_store.c */
db_t *escalation_store_open(const char *data_dir, char *err, size_t errlen);
/* the reader thread's connection to the file escalation_store_open made */
db_t *escalation_store_open_reader(const char *data_dir, char *err, size_t errlen);
/* Appends an event to an escalation's history (and the outbox); 0 or -1. */
int escalation_store_event(escalation_t *esc, int64_t id, int64_t at, const char *action,
    const char *by, const char *note);

/* escalation_policy.c */
/*
 * Makes the escalation of an incident (a map as intake's link sends it),
 * unless the incident has one of its kind already; notifies step 0.
 * 0, or -1 on a store failure.
 */
int escalation_policy_create(escalation_t *esc, const msgpack_object *incident, int64_t now);
/* Fires every deadline due at now; asks to be woken at the next. 0 or -1. */
int escalation_policy_tick(escalation_t *esc, int64_t now);
/* The earliest deadline stored, or INT64_MAX; -1 on error. */
int64_t escalation_policy_next(escalation_t *esc);
/*
 * ack and resolve; by is a contact id. Return 0 done, 1 nothing to do
 * (already acked or resolved), 2 not found, -1 on a store failure.
 */
int escalation_policy_ack(escalation_t *esc, int64_t id, const char *by, int64_t now);
int escalation_policy_resolve(escalation_t *esc, int64_t id, const char *by,
    const char *note, int64_t now);
/* The open escalations of an incident number; resolves them ("closed" in intake). */
int escalation_policy_incident_closed(escalation_t *esc, const char *number,
    const char *by, int64_t now);
/* Adds a note to the escalations of an incident number. */
int escalation_policy_incident_note(escalation_t *esc, const char *number,
    const char *by, const char *note, int64_t now);

/* escalation_notify.c */
/* Stores one notification for a contact (sent once durable); 0 or -1. */
int escalation_notify_queue(escalation_t *esc, int64_t id, int step, int attempt,
    const char *contact, int64_t now, int64_t ack_by);
/* server.c hooks, passed on from main.c */
void escalation_notify_committed(escalation_t *esc, uint64_t gen);
void escalation_notify_durable(escalation_t *esc, uint64_t done);
/* Sends what is durable and not yet sent: publishes, starts commands. */
void escalation_notify_flush(escalation_t *esc);
/* Starts the notify command runner (after server_new); 0 or -1 with err. */
int escalation_notify_start(escalation_t *esc, char *err, size_t errlen);
void escalation_notify_stop(escalation_t *esc);
/* From the tick hook: command timeouts, and failed runs whose retry is due. 0 or -1. */
int escalation_notify_tick(escalation_t *esc, int64_t now);
int escalation_notify_retry(escalation_t *esc, int64_t now);
/* The earliest retry stored, or INT64_MAX; -1 on error. */
int64_t escalation_notify_next(escalation_t *esc);

/* escalation_link.c: the link to trygg-reporting, from the events table */
int escalation_link_open(escalation_t *esc, void *zctx, char *err, size_t errlen);
void escalation_link_close(escalation_t *esc);
void escalation_link_committed(escalation_t *esc, uint64_t gen);
void escalation_link_durable(escalation_t *esc, uint64_t done);

/*
 * escalation_retention.c: erases free text past retention.escalations from
 * the tick hook, in bounded slices. open (after esc->srv is set) makes its
 * table and asks for a pass at once; 0 or -1 with err.
 */
int escalation_retention_open(escalation_t *esc, char *err, size_t errlen);
void escalation_retention_close(escalation_t *esc);
/* the tick hook's part; 0, or -1 when the transaction must fail */
int escalation_retention_tick(escalation_t *esc, int64_t now);

/* escalation_ops.c: the operation table that common/server.c dispatches on */
extern const server_op_t escalation_ops[];
extern const size_t escalation_nops;

/* escalation_view.c: packs an escalation as get shows it; full adds notifications and history. 0, 1 not found, -1. */
int escalation_view_pack(escalation_t *esc, int64_t id, bool full, pack_t *p);

/* escalation_oncall.c: answers {"op":"oncall","at"?: RFC 3339} into reply */
int escalation_oncall(void *ctx, const msg_t *m, pack_t *reply);

#endif
