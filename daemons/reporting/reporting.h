/*
 * reporting.h: trygg-reporting's modules.
 *
 * trygg-reporting keeps its own copy of what reports count, fed by the
 * durable links from trygg-intake (incidents) and trygg-escalation
 * (escalations), and answers the report operation from that copy alone,
 * so reports are answered while the other daemons are down.
 *
 *   main.c               options, configuration, then common/server.c
 *   reporting_store.c    reporting.db: the schema, and applying link messages
 *   reporting_ops.c      the operations: link.deliver, report
 *   reporting_build.c    a report's figures, kind by kind, from the database
 *   reporting_model.c    the figures as sections of cells; the small-count rule
 *   reporting_format.c   the sections as json, csv, md or html
 */
#ifndef TRYGG_REPORTING_H
#define TRYGG_REPORTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "msg.h"
#include "pack.h"
#include "period.h"
#include "server.h"
#include "tz.h"

#define REPORTING_SERVICE   "trygg-reporting"
#define REPORTING_DB_FILE   "reporting.db"
#define REPORTING_REPLY_MAX (1024 * 1024 - 4096)   /* content leaves room for the reply's envelope */
#define REPORTING_PARTNERS_MAX 40       /* partners shown by name; the rest are "ovriga" */
#define REPORTING_PARTNERS_SCAN 1000    /* distinct partners a scan tells apart, at most */
#define REPORTING_SMALL     5           /* counts 1..REPORTING_SMALL-1 are hidden when suppressing */
#define REPORTING_KEY_MAX   64          /* a stored id (team, partner, target), at most */
#define REPORTING_PARTNER_SEP "\x1f"    /* between stored partners: a control character no text holds */
/* each connection: the file mapped (256 MiB at most), 32 MiB of page cache */
#define REPORTING_PRAGMAS   "PRAGMA mmap_size = 268435456; PRAGMA cache_size = -32768"

#define REPORTING_JOB_RETRY_MS (10 * 60 * 1000)   /* a job whose file could not be written */

typedef struct {
	const cfg_t *cfg;
	tz_t        *tz;
	db_t        *db;
	server_t    *srv;           /* the writer's only; NULL in the reader's copy */
} reporting_t;

/* reporting_store.c */
db_t *reporting_store_open(const char *data_dir, char *err, size_t errlen);
/* The reader thread's connection to the file reporting_store_open made. */
db_t *reporting_store_open_reader(const char *data_dir, char *err, size_t errlen);
/* link_apply_fn: one message of trygg-intake or trygg-escalation. */
int reporting_store_apply(void *ctx, const char *source, const char *type,
    size_t type_len, const msgpack_object *msg);

/* reporting_model.c: a report as sections of counted cells */
enum {
	RS_SUMS    = 1 << 0,    /* the cells split the report's total: a total row, secondary rule */
	RS_CHART   = 1 << 1,    /* drawn as horizontal bars in html */
	RS_TREND   = 1 << 2,    /* a time series: vertical bars, no previous period */
	RS_MEASURE = 1 << 3,    /* seconds, not counts: never hidden, no total */
	RS_FLAT    = 1 << 4,    /* json: its cells are top-level keys */
};

typedef enum {
	RC_SHOWN = 0,
	RC_SMALL,               /* 1..4: "<5" */
	RC_SECONDARY,           /* would be revealed by a total: ".." */
	RC_NONE,                /* a measure with nothing to measure: null, "-" */
} rc_state_t;

typedef struct {
	char       key[REPORTING_KEY_MAX];
	char       label[128];
	int64_t    v[2];                /* [0] the period, [1] the previous period */
	rc_state_t st[2];
} rcell_t;

typedef struct {
	char     key[48];               /* "by_team" */
	char     group[32];             /* "" or e.g. "by_team_month": nested under it in json */
	char     title[96];             /* for people */
	int      flags;
	rcell_t *cells;
	size_t   n, cap;
	rcell_t  total;                 /* RS_SUMS: the sum of the cells */
} rsection_t;

typedef struct {
	const char *kind;
	period_t    period, prev;
	bool        has_prev;
	int64_t     from, to;           /* the period's instants */
	char        team[REPORTING_KEY_MAX];    /* "" for all teams */
	char        team_name[128];
	const char *timezone;
	bool        suppress;
	rsection_t **sections;          /* each its own allocation: pointers stay valid */
	size_t      n, cap;
	struct rconstraint *cons;       /* sums for the secondary rule (reporting_model.c) */
	size_t      ncons;
} report_t;

report_t *report_new(const char *kind, const period_t *p, const char *tz_name);
void report_destroy(report_t **self_p);
/* A new section, cells to be added. */
rsection_t *report_section(report_t *r, const char *key, const char *group,
    const char *title, int flags);
/* The cell under key, made (with label, NULL: the key) when absent. */
rcell_t *rsection_cell(rsection_t *s, const char *key, const char *label);
/* Sums RS_SUMS sections into their totals; then, when r->suppress, hides small counts. */
void report_finish(report_t *r);
/*
 * The secondary rule across sections: the cells parts[0..n) add up to the
 * cell whole (a team's districts to the team). Cells are held by address:
 * call once their sections have all their cells, before report_finish.
 */
void report_constrain(report_t *r, rcell_t *const *parts, size_t n, rcell_t *whole);
/* "12", "<5", ".." for a cell's value i (0 the period, 1 the previous) */
const char *rcell_text(const rcell_t *c, int i, char buf[24]);

/* reporting_build.c: 0, or -1 on a database error */
int reporting_build_lagesbild(reporting_t *rep, report_t *r);
int reporting_build_escalations(reporting_t *rep, report_t *r);
int reporting_build_annual(reporting_t *rep, report_t *r);

/* reporting_format.c: the report as text into out */
typedef enum { RF_JSON, RF_CSV, RF_MD, RF_HTML } rformat_t;
extern const char *const reporting_formats[];   /* by rformat_t, NULL-terminated */
void reporting_format(const report_t *r, rformat_t f, buf_t *out);

/* reporting_jobs.c: scheduled reports */
/* From the tick hook: runs every job due and not yet run for that due time; asks to be woken at the next. 0 or -1. */
int reporting_jobs_tick(reporting_t *rep, int64_t now);
/* the jobs operation: each job with its last and next run */
int reporting_jobs_op(void *ctx, const msg_t *m, pack_t *reply);

/*
 * reporting_ops.c: makes one report as text into out. 0, or -1 on a
 * database error. team is a configured team id or NULL.
 */
int reporting_make(reporting_t *rep, const char *kind, const period_t *p, const char *team,
    bool suppress, rformat_t f, buf_t *out);

/* reporting_ops.c: the operation table that common/server.c dispatches on */
extern const server_op_t reporting_ops[];
extern const size_t reporting_nops;

#endif
