/*
 * intake_view.c: an incident as the wire shows it.
 *
 * One packer, intake_view_pack_incident(), for an intake_incident_t that
 * comes either from a row of incidents.db or from a submit just stored, so
 * that a new incident is answered without reading it back. The same view,
 * without details and history (which never leave trygg-intake), is what
 * the links will send as an event's body, rebuilt from the outbox row.
 *
 * History on the wire starts with the "created" entry, which is derived
 * from the incident itself (received_at, reporter); the history table
 * holds the changes after it.
 *
 * Whatever can grow is answered in pages bounded by count and by bytes
 * (INTAKE_PAGE_BYTES), each with a cursor to the next one: a get's history
 * (intake_view_history, "history_next") and a list (intake_view_list,
 * "next"), so that no reply comes near the 1 MiB limit.
 */
#include "intake.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTAKE_COLUMNS \
	"number, client_id, team, district, category, severity, summary, reporter," \
	" details, location, occurred_at, received_at, updated_at, level," \
	" needs_external, needs_reinforcement, involves_minors, police_report," \
	" orosanmalan, partners, escalation, status, row"

enum {
	C_NUMBER, C_CLIENT_ID, C_TEAM, C_DISTRICT, C_CATEGORY, C_SEVERITY, C_SUMMARY,
	C_REPORTER, C_DETAILS, C_LOCATION, C_OCCURRED, C_RECEIVED, C_UPDATED, C_LEVEL,
	C_NEEDS_EXTERNAL, C_NEEDS_REINFORCEMENT, C_INVOLVES_MINORS, C_POLICE_REPORT,
	C_OROSANMALAN, C_PARTNERS, C_ESCALATION, C_STATUS, C_ROW,
};

static const char *
intake_col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);     /* NULL for NULL */
}

static int
intake_col_flag(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int(st, col);
}

/* Fills a record from the current row of a statement selecting INTAKE_COLUMNS. */
static void
intake_view_from_row(sqlite3_stmt *st, intake_incident_t *inc)
{
	inc->number = intake_col_text(st, C_NUMBER);
	inc->client_id = intake_col_text(st, C_CLIENT_ID);
	inc->team = intake_col_text(st, C_TEAM);
	inc->district = intake_col_text(st, C_DISTRICT);
	inc->category = intake_col_text(st, C_CATEGORY);
	inc->severity = sqlite3_column_int(st, C_SEVERITY);
	inc->summary = intake_col_text(st, C_SUMMARY);
	inc->reporter = intake_col_text(st, C_REPORTER);
	inc->details = intake_col_text(st, C_DETAILS);
	inc->location = intake_col_text(st, C_LOCATION);
	inc->occurred_at = sqlite3_column_int64(st, C_OCCURRED);
	inc->received_at = sqlite3_column_int64(st, C_RECEIVED);
	inc->updated_at = sqlite3_column_int64(st, C_UPDATED);
	inc->level = intake_col_text(st, C_LEVEL);
	inc->needs_external = intake_col_flag(st, C_NEEDS_EXTERNAL);
	inc->needs_reinforcement = intake_col_flag(st, C_NEEDS_REINFORCEMENT);
	inc->involves_minors = intake_col_flag(st, C_INVOLVES_MINORS);
	inc->police_report = intake_col_flag(st, C_POLICE_REPORT);
	inc->orosanmalan = intake_col_flag(st, C_OROSANMALAN);
	inc->partners = sqlite3_column_blob(st, C_PARTNERS);
	inc->partners_len = (size_t)sqlite3_column_bytes(st, C_PARTNERS);
	inc->escalation = intake_col_text(st, C_ESCALATION);
	inc->status = intake_col_text(st, C_STATUS);
}

static void
intake_kv_opt(pack_t *p, const char *key, const char *value)
{
	if (value)
		pack_kv_str(p, key, value);
}

static void
intake_kv_flag(pack_t *p, const char *key, int flag)
{
	if (flag >= 0)
		pack_kv_bool(p, key, flag != 0);
}

/* Packs the fields of an incident into an open map. */
static void
intake_view_fields(intake_t *in, const intake_incident_t *inc, bool details, pack_t *p)
{
	const cfg_team_t *team = cfg_team(in->cfg, inc->team, strlen(inc->team));
	const cfg_category_t *cat = cfg_category(in->cfg, inc->category, strlen(inc->category));

	pack_kv_str(p, "number", inc->number);
	pack_kv_str(p, "id", inc->client_id);
	pack_kv_str(p, "team", inc->team);
	if (team)
		pack_kv_str(p, "team_name", team->name);
	pack_kv_str(p, "district", inc->district);
	pack_kv_str(p, "category", inc->category);
	if (cat)
		pack_kv_str(p, "category_name", cat->name);
	pack_kv_int(p, "severity", inc->severity);
	pack_kv_str(p, "summary", inc->summary);
	pack_kv_str(p, "reporter", inc->reporter);
	if (details)
		intake_kv_opt(p, "details", inc->details);
	intake_kv_opt(p, "location", inc->location);
	pack_kv_time(p, "occurred_at", inc->occurred_at);
	pack_kv_time(p, "received_at", inc->received_at);
	pack_kv_time(p, "updated_at", inc->updated_at);
	intake_kv_opt(p, "level", inc->level);
	intake_kv_flag(p, "needs_external", inc->needs_external);
	intake_kv_flag(p, "needs_reinforcement", inc->needs_reinforcement);
	intake_kv_flag(p, "involves_minors", inc->involves_minors);
	intake_kv_flag(p, "police_report", inc->police_report);
	intake_kv_flag(p, "orosanmalan", inc->orosanmalan);
	if (inc->partners) {
		pack_key(p, "partners");
		pack_raw(p, inc->partners, inc->partners_len);
	}
	pack_kv_str(p, "escalation", inc->escalation);
	pack_kv_str(p, "status", inc->status);
}

static void
intake_view_pack_incident(intake_t *in, const intake_incident_t *inc, bool details,
    pack_t *p)
{
	pack_map_open(p);
	intake_view_fields(in, inc, details, p);
	pack_map_close(p);
}

/*
 * Packs one page of the history array, oldest first: the newest entries
 * with an id below before that fit INTAKE_HISTORY_MAX and
 * INTAKE_PAGE_BYTES, and the derived "created" entry when the page reaches
 * the start. When older entries are left out, "history_next" (the oldest
 * id shown) follows the array. The ids are read from the history_incident
 * index alone and sorted; only the rows shown are read.
 */
static int
intake_view_history(intake_t *in, int64_t row, const intake_incident_t *inc,
    int64_t before, pack_t *p)
{
	sqlite3_stmt *st;
	int64_t ids[INTAKE_HISTORY_MAX + 1];
	size_t at[INTAKE_HISTORY_MAX + 1];
	pack_t *page;
	const char *data;
	size_t len;
	int n = 0, taken = 0, rc;
	bool more;

	if ((st = db_stmt(in->db, "SELECT id FROM history WHERE incident = ?1 AND id < ?2"
	    " ORDER BY id DESC LIMIT ?3")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int(st, 3, INTAKE_HISTORY_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;

	/* newest first into a page of their own, until the budget is reached */
	page = pack_new();
	more = n > INTAKE_HISTORY_MAX;
	for (; taken < n && taken < INTAKE_HISTORY_MAX; taken++) {
		if ((st = db_stmt(in->db, "SELECT at, by, action, note FROM history"
		    " WHERE id = ?1")) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, ids[taken]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			goto fail;
		}
		at[taken] = pack_size(page);
		pack_map_open(page);
		pack_kv_time(page, "at", sqlite3_column_int64(st, 0));
		pack_kv_str(page, "by", intake_col_text(st, 1));
		pack_kv_str(page, "action", intake_col_text(st, 2));
		intake_kv_opt(page, "note", intake_col_text(st, 3));
		pack_map_close(page);
		sqlite3_reset(st);
		if (taken > 0 && pack_size(page) > INTAKE_PAGE_BYTES) {
			pack_truncate(page, at[taken]);
			more = true;
			break;
		}
	}
	if (taken < n)
		more = true;

	pack_key(p, "history");
	pack_array_open(p);
	if (!more) {
		pack_map_open(p);
		pack_kv_time(p, "at", inc->received_at);
		pack_kv_str(p, "by", inc->reporter);
		pack_kv_str(p, "action", "created");
		pack_map_close(p);
	}
	data = pack_data(page, &len);
	for (int i = taken - 1; i >= 0; i--)
		pack_raw(p, data + at[i], (i + 1 < taken ? at[i + 1] : len) - at[i]);
	pack_array_close(p);
	if (more)
		pack_kv_int(p, "history_next", taken > 0 ? ids[taken - 1] : before);
	pack_destroy(&page);
	return 0;
fail:
	pack_destroy(&page);
	return -1;
}

/* Reads the incident at row into inc; the statement stays on the row until reset. */
static sqlite3_stmt *
intake_view_fetch(intake_t *in, int64_t row, intake_incident_t *inc)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT " INTAKE_COLUMNS " FROM incidents WHERE row = ?1");

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return NULL;
	}
	intake_view_from_row(st, inc);
	return st;
}

int
intake_view_pack(intake_t *in, int64_t row, bool full, int64_t history_before, pack_t *p)
{
	intake_incident_t inc;
	sqlite3_stmt *st = intake_view_fetch(in, row, &inc);
	int rc;

	if (st == NULL)
		return -1;
	pack_map_open(p);
	intake_view_fields(in, &inc, full, p);
	rc = full ? intake_view_history(in, row, &inc, history_before, p) : 0;
	pack_map_close(p);
	sqlite3_reset(st);
	return rc;
}

void
intake_view_pack_brief(intake_t *in, const intake_incident_t *inc, pack_t *p)
{
	const cfg_team_t *team = cfg_team(in->cfg, inc->team, strlen(inc->team));

	pack_map_open(p);
	pack_kv_str(p, "number", inc->number);
	pack_kv_str(p, "id", inc->client_id);
	pack_kv_str(p, "team", inc->team);
	if (team)
		pack_kv_str(p, "team_name", team->name);
	pack_kv_str(p, "district", inc->district);
	pack_kv_str(p, "escalation", inc->escalation);
	pack_kv_str(p, "status", inc->status);
	pack_kv_time(p, "received_at", inc->received_at);
	pack_map_close(p);
}

int
intake_view_pack_brief_row(intake_t *in, int64_t row, pack_t *p)
{
	intake_incident_t inc;
	sqlite3_stmt *st = intake_view_fetch(in, row, &inc);

	if (st == NULL)
		return -1;
	intake_view_pack_brief(in, &inc, p);
	sqlite3_reset(st);
	return 0;
}

/* Row ids, newest first: the candidates for a list page. */
typedef struct {
	int64_t *rows;
	size_t   n, cap;
} intake_rows_t;

static void
intake_rows_add(intake_rows_t *r, int64_t row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->rows = xrealloc(r->rows, r->cap * sizeof(*r->rows));
	}
	r->rows[r->n++] = row;
}

static int
intake_rows_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Adds the newest want rows of one (team, status) below before; 0 or -1. */
static int
intake_view_segment(intake_t *in, const char *team, const char *status, int64_t before,
    int want, intake_rows_t *r)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT row FROM incidents INDEXED BY incidents_team_status"
	    " WHERE team = ?1 AND status = ?2 AND row < ?3 ORDER BY row DESC LIMIT ?4");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, before);
	sqlite3_bind_int(st, 4, want);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		intake_rows_add(r, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The team after *team in the index (the first when *team is empty), into
 * *team: one seek per team, not a scan. 1, 0 when there is none after it,
 * -1 on error.
 */
static int
intake_view_next_team(intake_t *in, buf_t *team)
{
	sqlite3_stmt *st = db_stmt(in->db, "SELECT team FROM incidents INDEXED BY"
	    " incidents_team_status WHERE team > ?1 ORDER BY team LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, buf_str(team), (int)team->len, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(team);
		buf_append(team, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The same for every team stored (not only the configured ones); 0 or -1. */
static int
intake_view_segments(intake_t *in, const char *status, int64_t before, int want,
    intake_rows_t *r)
{
	buf_t team = BUF_INIT;
	int rc;

	while ((rc = intake_view_next_team(in, &team)) > 0)
		if (intake_view_segment(in, buf_str(&team), status, before, want, r) < 0) {
			rc = -1;
			break;
		}
	buf_free(&team);
	return rc;
}

/*
 * The first row received at or after ms (one past the newest when none):
 * received_at never decreases in row order, so a binary search over the
 * row ids, each probe one seek of the primary key, finds it without an
 * index on received_at. INT64_MAX on error.
 */
static int64_t
intake_view_row_at(intake_t *in, int64_t ms)
{
	sqlite3_stmt *st = db_stmt(in->db, "SELECT row, received_at FROM incidents"
	    " WHERE row >= ?1 ORDER BY row LIMIT 1");
	sqlite3_stmt *top = db_stmt(in->db, "SELECT coalesce(max(row), 0) FROM incidents");
	int64_t lo = 0, hi;

	if (st == NULL || top == NULL || sqlite3_step(top) != SQLITE_ROW) {
		if (top)
			sqlite3_reset(top);
		return INT64_MAX;
	}
	hi = sqlite3_column_int64(top, 0) + 1;
	sqlite3_reset(top);
	/* invariant: rows below lo were received before ms, rows from hi on not */
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2, row, at;
		int rc;

		sqlite3_bind_int64(st, 1, mid);
		rc = sqlite3_step(st);
		row = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		at = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return INT64_MAX;
		if (rc == SQLITE_DONE || at >= ms)
			hi = mid;
		else
			lo = row + 1;
	}
	return hi;
}

/* The newest want candidate rows below before for q's team, status, reporter. */
static int
intake_view_candidates(intake_t *in, const intake_list_t *q, int64_t before, int want,
    intake_rows_t *r)
{
	static const char *const statuses[] = {INTAKE_OPEN, INTAKE_CLOSED};
	sqlite3_stmt *st;
	int rc;

	r->n = 0;
	if (q->reporter != NULL) {
		/* a reporter key's own: no index on reporter, a walk down the rows */
		if ((st = db_stmt(in->db, "SELECT row FROM incidents WHERE reporter = ?1"
		    " AND row < ?2 AND (?3 IS NULL OR team = ?3) AND (?4 IS NULL OR status = ?4)"
		    " ORDER BY row DESC LIMIT ?5")) == NULL)
			return -1;
		sqlite3_bind_text(st, 1, q->reporter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, before);
		sqlite3_bind_text(st, 3, q->team, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, q->status, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, want);
	} else if (q->team == NULL && q->status == NULL) {
		if ((st = db_stmt(in->db, "SELECT row FROM incidents WHERE row < ?1"
		    " ORDER BY row DESC LIMIT ?2")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, before);
		sqlite3_bind_int(st, 2, want);
	} else {
		for (int i = 0; i < 2; i++) {
			if (q->status && strcmp(q->status, statuses[i]) != 0)
				continue;
			if ((q->team ? intake_view_segment(in, q->team, statuses[i], before,
			    want, r) : intake_view_segments(in, statuses[i], before, want, r)) < 0)
				return -1;
		}
		if (r->n > 1)   /* r->rows is NULL when nothing matched */
			qsort(r->rows, r->n, sizeof(*r->rows), intake_rows_desc);
		if (r->n > (size_t)want)
			r->n = (size_t)want;
		return 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		intake_rows_add(r, sqlite3_column_int64(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* the filters no index serves */
static bool
intake_view_match(const intake_list_t *q, const intake_incident_t *inc)
{
	return (q->escalation == NULL || strcmp(inc->escalation, q->escalation) == 0) &&
	    inc->severity >= q->severity_min;
}

/* where q's rows end: below its cursor and, with until, below the first row received then */
static int64_t
intake_view_top(intake_t *in, const intake_list_t *q)
{
	int64_t top = q->before;

	if (q->until != INT64_MAX) {
		int64_t u = intake_view_row_at(in, q->until);

		if (u == INT64_MAX)
			return -1;
		if (u < top)
			top = u;
	}
	return top;
}

/*
 * Lists a page of incidents, newest first (in row order, which is the order
 * of receipt). The candidates are the newest rows below the cursor (and
 * below "until", found by intake_view_row_at) of each (team, status) that
 * the filters allow, read from the incidents_team_status index alone,
 * merged: limit + 1 of them, or batches of INTAKE_LIST_BATCH when the
 * escalation and severity filters, which no index serves, turn some away;
 * the rows themselves are read only to filter and show. After
 * INTAKE_LIST_EXAMINE rows turned away the page ends where it got to, with
 * "next". received_at never decreases in row order, so the first row
 * received before "since" ends the list.
 */
#define INTAKE_LIST_BATCH 500

int
intake_view_list(intake_t *in, const intake_list_t *q, pack_t *p, char next[32])
{
	intake_rows_t r = {NULL, 0, 0};
	intake_incident_t inc;
	sqlite3_stmt *st;
	pack_t *item = NULL;
	size_t bytes = 0, len;
	const void *data;
	char last[32] = "";
	bool filtered = q->escalation != NULL || q->severity_min > 1, done = false;
	int want = filtered ? INTAKE_LIST_BATCH : q->limit + 1, n = 0, turned = 0;
	int64_t cur = intake_view_top(in, q);

	next[0] = '\0';
	if (cur < 0)
		return -1;
	item = pack_new();
	while (!done) {
		size_t i;

		if (intake_view_candidates(in, q, cur, want, &r) < 0) {
			n = -1;
			break;
		}
		for (i = 0; i < r.n && !done; i++) {
			if ((st = intake_view_fetch(in, r.rows[i], &inc)) == NULL) {
				n = -1;
				done = true;
				break;
			}
			if (inc.received_at < q->since) {
				done = true;
			} else if (!intake_view_match(q, &inc)) {
				/* enough turned away: the page ends here, the next goes on */
				if (++turned >= INTAKE_LIST_EXAMINE) {
					snprintf(next, 32, "%s", inc.number);
					done = true;
				}
			} else {
				pack_reset(item);
				intake_view_pack_incident(in, &inc, false, item);
				/* a full page by count or by bytes, and something after it */
				if (n == q->limit ||
				    (n > 0 && bytes + pack_size(item) > INTAKE_PAGE_BYTES)) {
					memcpy(next, last, sizeof(last));
					done = true;
				} else {
					snprintf(last, sizeof(last), "%s", inc.number);
					data = pack_data(item, &len);
					pack_raw(p, data, len);
					bytes += len;
					n++;
				}
			}
			sqlite3_reset(st);
		}
		/* fewer candidates than asked for: there are no more */
		if (r.n < (size_t)want)
			break;
		cur = r.rows[r.n - 1];
	}
	pack_destroy(&item);
	free(r.rows);
	return n;
}

/* Counts over one (team, status), or all rows when team is NULL; adds to *total. */
static int
intake_view_count_range(intake_t *in, const intake_list_t *q, const char *team,
    const char *status, int64_t hi, int64_t lo, int64_t *budget, int64_t *total)
{
	/* the inner LIMIT bounds the rows examined; the outer filters count */
	sqlite3_stmt *st = db_stmt(in->db, team ?
	    "SELECT count(*), coalesce(sum((?6 IS NULL OR escalation = ?6) AND severity >= ?7"
	    " AND (?8 IS NULL OR reporter = ?8)), 0) FROM (SELECT escalation, severity, reporter"
	    " FROM incidents INDEXED BY incidents_team_status WHERE team = ?1 AND status = ?2"
	    " AND row < ?3 AND row >= ?4 ORDER BY row DESC LIMIT ?5)" :
	    "SELECT count(*), coalesce(sum((?6 IS NULL OR escalation = ?6) AND severity >= ?7"
	    " AND (?8 IS NULL OR reporter = ?8) AND (?2 IS NULL OR status = ?2)), 0)"
	    " FROM (SELECT escalation, severity, reporter, status FROM incidents"
	    " WHERE row < ?3 AND row >= ?4 ORDER BY row DESC LIMIT ?5)");

	if (st == NULL)
		return -1;
	if (team)
		sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int64(st, 4, lo);
	sqlite3_bind_int64(st, 5, *budget);
	sqlite3_bind_text(st, 6, q->escalation, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, q->severity_min);
	sqlite3_bind_text(st, 8, q->reporter, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*budget -= sqlite3_column_int64(st, 0);
	*total += sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

int
intake_view_list_count(intake_t *in, const intake_list_t *q, int64_t *total, bool *more)
{
	static const char *const statuses[] = {INTAKE_OPEN, INTAKE_CLOSED};
	int64_t hi = intake_view_top(in, q), lo = 0, budget = INTAKE_COUNT_EXAMINE;
	buf_t team = BUF_INIT;
	int rc = 0;

	*total = 0;
	*more = false;
	if (hi < 0 || (q->since != INT64_MIN && (lo = intake_view_row_at(in, q->since)) == INT64_MAX))
		return -1;
	if (q->team == NULL && (q->status == NULL || q->reporter != NULL)) {
		/* down the rows: the reporter's own have no index */
		rc = intake_view_count_range(in, q, NULL, q->status, hi, lo, &budget, total);
		*more = rc == 0 && budget <= 0 && hi > lo;
		return rc;
	}
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (q->status && strcmp(q->status, statuses[i]) != 0)
			continue;
		if (q->team) {
			rc = intake_view_count_range(in, q, q->team, statuses[i], hi, lo, &budget,
			    total);
			continue;
		}
		/* every team stored, as intake_view_segments goes through them */
		buf_reset(&team);
		while ((rc = intake_view_next_team(in, &team)) > 0)
			if ((rc = intake_view_count_range(in, q, buf_str(&team), statuses[i], hi, lo,
			    &budget, total)) < 0 || budget <= 0)
				break;
	}
	buf_free(&team);
	*more = rc == 0 && budget <= 0;
	return rc;
}

const char *const intake_list_escalations[] = {"none", "reinforcement", "external", NULL};

int
intake_list_total(intake_t *in, const intake_list_t *q, pack_t *reply)
{
	int64_t total;
	bool more;

	if (intake_view_list_count(in, q, &total, &more) < 0)
		return -1;
	pack_kv_int(reply, "total", total);
	if (more)
		pack_kv_bool(reply, "total_more", true);
	return 0;
}
