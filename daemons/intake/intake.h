/*
 * intake.h: trygg-intake's modules.
 *
 * trygg-intake owns incidents.db: incidents, their history, and the outbox
 * that the links to trygg-escalation and trygg-reporting drain.
 *
 *   main.c           options, configuration, the store, then common/server.c
 *   intake_ops.c     the operations: submit, get, list, update
 *   intake_submit.c  checking a submit: fields, district, category, scope,
 *                    masking, the content fingerprint
 *   intake_store.c   the schema and every SQL statement
 *   intake_view.c    an incident as the wire shows it
 *   intake_link.c    the outbox, sent to trygg-escalation (common/link.h)
 *   intake_retention.c  retention: free text erased past retention.incidents
 */
#ifndef TRYGG_INTAKE_H
#define TRYGG_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "durable.h"
#include "msg.h"
#include "pack.h"
#include "server.h"
#include "tz.h"
#include "wire.h"

#define INTAKE_SERVICE     "trygg-intake"
#define INTAKE_DB_FILE     "incidents.db"
#define INTAKE_LIST_DEFAULT 100
#define INTAKE_LIST_MAX    1000
/*
 * A list page and a get's history page stop before their entries pass
 * this many bytes (one entry always goes in). With the incident itself and
 * the envelope, a reply stays under 64 KiB plus one entry, far below the
 * 1 MiB limit; it is also what each of the ring's 1,024 reply slots can
 * hold on to until it is reused (64 MiB at most).
 */
#define INTAKE_PAGE_BYTES  (48 * 1024)
#define INTAKE_HISTORY_MAX 100          /* history entries in one reply, at most */
#define INTAKE_FUTURE_SLACK_MS (10 * 60 * 1000)  /* occurred_at may lead the clock by this */

/* retention (intake_retention.c) */
#define INTAKE_ERASED      "(gallrad)"  /* what erased text reads */
#define INTAKE_RETENTION_BATCH 200      /* incidents erased in one turn of the loop, at most */
#define INTAKE_RETENTION_SCAN  2000     /* rows looked at in one turn, at most */
#define INTAKE_RETENTION_EVERY_MS (60 * 60 * 1000LL)  /* a pass this long after the last */
#define INTAKE_RETENTION_RETRY_MS (60 * 1000LL)       /* after a failed slice */

/* incidents.status */
#define INTAKE_OPEN        "open"
#define INTAKE_CLOSED      "closed"

/* Where an incident's escalation goes (incidents.escalation). */
typedef enum {
	ESC_NONE = 0,
	ESC_REINFORCEMENT,
	ESC_EXTERNAL,
} intake_esc_t;

const char *intake_esc_name(intake_esc_t e);

/* A checked submit, with the text already masked; strings NUL-terminated. */
typedef struct {
	char         *client_id;
	const cfg_team_t *team;
	const char   *district;         /* the configured spelling */
	const cfg_category_t *category;
	int           severity;
	char         *summary;
	char         *reporter;
	char         *details;          /* NULL when absent */
	char         *location;         /* NULL when absent */
	int64_t       occurred_at;      /* valid when has_occurred */
	bool          has_occurred;     /* else the time of receipt */
	int           level;            /* -1 absent, else index of intake_levels */
	int           needs_external, needs_reinforcement, involves_minors,
	              police_report, orosanmalan;   /* -1 absent, 0, 1 */
	buf_t         partners;         /* msgpack array, or empty when absent */
	intake_esc_t  escalation;
	uint64_t      fingerprint;      /* of the content, for idempotency */
	int           masked;           /* identity numbers masked */
} intake_submit_t;

extern const char *const intake_levels[];   /* "omrade", "grupp", "individ", NULL */

/*
 * An incident as the wire shows it: filled from a row (intake_view.c) or
 * from a submit that was just stored, and packed by one function. Strings
 * are NUL-terminated or NULL when absent; flags are -1 when absent.
 */
typedef struct {
	const char *number, *client_id, *team, *district, *category, *summary,
	           *reporter, *details, *location, *level, *escalation, *status;
	int         severity;
	int64_t     occurred_at, received_at, updated_at;
	int         needs_external, needs_reinforcement, involves_minors,
	            police_report, orosanmalan;
	const void *partners;           /* a msgpack array, or NULL */
	size_t      partners_len;
} intake_incident_t;

struct link;

typedef struct {
	const cfg_t *cfg;
	tz_t        *tz;
	db_t        *db;
	struct link *link_escalation;           /* main.c's, not the reader's */
	struct link *link_reporting;
	durable_t    outbox;                    /* outbox rows on disk */
	const char  *fail_id;   /* test seam (TRYGG_TEST_FAIL_ID): a submit with this
	                           id fails after its insert, as a store failure would */
	int64_t      now;               /* the batch's time of receipt */
	int          number_year;       /* the year whose last number is cached; */
	int64_t      number_last;       /*   0 when the cache must be reloaded */
	bool         received_known;    /* the newest row is loaded: */
	int64_t      received_last;     /*   its received_at (or the newest stored since), */
	int          last_year;         /*   its number's year and sequence (0 when none) */
	int64_t      last_seq;
	struct retention *retention;    /* main.c's, not the reader's (common/retention.h) */
} intake_t;

/*
 * A list page stops after examining this many incidents that its
 * escalation and severity_min filters (which no index serves) turn away,
 * with a "next" to go on from; the count ("total") examines this many at
 * most and says "total_more" when it stopped there.
 */
#define INTAKE_LIST_EXAMINE 5000
#define INTAKE_COUNT_EXAMINE 20000

/* What a list asks for; NULL, 0, INT64_MIN and INT64_MAX when not given. */
typedef struct {
	const char *team;
	const char *status;
	const char *reporter;           /* a reporter key's own incidents only */
	const char *escalation;         /* "none", "reinforcement", "external" */
	int         severity_min;       /* severity at least this; 0: any */
	int64_t     since;              /* received_at at or after */
	int64_t     until;              /* received_at before */
	int64_t     before;             /* rows below this one */
	int         limit;
} intake_list_t;

/* intake_submit.c */
int intake_submit_check(intake_t *in, const msg_t *m, intake_submit_t *s, wire_err_t *err);
void intake_submit_free(intake_submit_t *s);

/*
 * intake_ops.c: the operation table that common/server.c dispatches on;
 * a handler returns -1 when the store failed (its request is rolled back).
 */
extern const server_op_t intake_ops[];
extern const size_t intake_nops;

/* intake_link.c: the links to trygg-escalation and trygg-reporting over srv's loop; 0 or -1 */
int intake_links_open(intake_t *in, void *zctx, server_t *srv, char *err, size_t errlen);
void intake_links_close(intake_t *in);
/* server.c hooks, passed on: resends, and the links' part of status */
int intake_links_tick(intake_t *in, int64_t now);
void intake_links_status(intake_t *in, pack_t *map);
/* server.c hooks: a commit was made at gen; gen is durable */
void intake_link_committed(intake_t *in, uint64_t gen);
void intake_link_durable(intake_t *in, uint64_t done);

/*
 * intake_retention.c: erases free text past retention.incidents, from the
 * tick hook, in bounded slices. open makes its table and asks for a pass
 * at once; 0 or -1 with err.
 */
int intake_retention_open(intake_t *in, server_t *srv, char *err, size_t errlen);
void intake_retention_close(intake_t *in);
/* the tick hook's part; 0, or -1 when the transaction must fail */
int intake_retention_tick(intake_t *in, int64_t now);

/* intake_store.c */
db_t *intake_store_open(const char *data_dir, char *err, size_t errlen);
/* the reader thread's connection to the file intake_store_open made */
db_t *intake_store_open_reader(const char *data_dir, char *err, size_t errlen);
/* Looks up an incident's row id by client id or number; 0 none, -1 error. */
int64_t intake_store_find_client(intake_t *in, const char *client_id, uint64_t *fingerprint);
int64_t intake_store_find_number(intake_t *in, const char *number, size_t len);
/* The team and reporter of the incident at row, into team and reporter; 0 or -1. */
int intake_store_owner(intake_t *in, int64_t row, char team[72], char reporter[408]);
/*
 * Stores a new incident and its outbox rows; returns its row id, 0 when
 * its client id is stored already (nothing was written), or -1. The stored
 * incident is left in *inc (its strings valid while s and number are).
 */
int64_t intake_store_insert(intake_t *in, const intake_submit_t *s, char number[32],
    intake_incident_t *inc);
/* Forgets cached state after a rollback. */
void intake_store_rolled_back(intake_t *in);
/*
 * Adds a note and/or a status change; 0, 1 when update_id (may be NULL) was
 * applied before, or -1 on a database error.
 */
int intake_store_update(intake_t *in, int64_t row, const char *by, size_t by_len,
    const char *note, size_t note_len, const char *status, const char *update_id);

/*
 * intake_view.c: packs the incident at row as a map; full adds details and
 * one page of history: the newest entries older than history_before
 * (INT64_MAX for the newest of all), with "history_next" when older ones
 * are left out.
 */
int intake_view_pack(intake_t *in, int64_t row, bool full, int64_t history_before,
    pack_t *p);
/* the short form of the submit reply */
void intake_view_pack_brief(intake_t *in, const intake_incident_t *inc, pack_t *p);
/* the short form for the incident at row; 0 or -1 */
int intake_view_pack_brief_row(intake_t *in, int64_t row, pack_t *p);
/*
 * Lists incidents newest first into an open array, one page by count and
 * by bytes; next gets the number to page on from, or "" at the end.
 * Returns the count or -1.
 */
int intake_view_list(intake_t *in, const intake_list_t *q, pack_t *p, char next[32]);
/*
 * Counts the incidents q matches from its cursor on (this page and the
 * ones after it), examining INTAKE_COUNT_EXAMINE of them at most; *more is
 * true when it stopped there (then at least *total match). 0 or -1.
 */
int intake_view_list_count(intake_t *in, const intake_list_t *q, int64_t *total, bool *more);
/* the same into the list reply: "total" and, when it stopped, "total_more"; 0 or -1 */
int intake_list_total(intake_t *in, const intake_list_t *q, pack_t *reply);
/* list's escalation choices, NULL-terminated */
extern const char *const intake_list_escalations[];

#endif
