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

/* The same for every team stored (not only the configured ones); 0 or -1. */
static int
intake_view_segments(intake_t *in, const char *status, int64_t before, int want,
    intake_rows_t *r)
{
	sqlite3_stmt *st;
	buf_t team = BUF_INIT;
	int rc;

	for (;;) {
		/* the next team in the index: one seek per team, not a scan */
		if ((st = db_stmt(in->db, "SELECT team FROM incidents INDEXED BY"
		    " incidents_team_status WHERE team > ?1 ORDER BY team LIMIT 1")) == NULL)
			break;
		sqlite3_bind_text(st, 1, buf_str(&team), (int)team.len, SQLITE_TRANSIENT);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			buf_reset(&team);
			buf_append(&team, sqlite3_column_blob(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0));
		}
		sqlite3_reset(st);
		if (rc == SQLITE_DONE) {
			buf_free(&team);
			return 0;
		}
		if (rc != SQLITE_ROW ||
		    intake_view_segment(in, buf_str(&team), status, before, want, r) < 0)
			break;
	}
	buf_free(&team);
	return -1;
}

/*
 * Lists a page of incidents, newest first (in row order, which is the order
 * of receipt). The candidates are the newest limit + 1 rows below the
 * cursor of each (team, status) that the filters allow, read from the
 * incidents_team_status index alone, merged; the rows themselves are read
 * only for what the page shows. received_at never decreases in row order,
 * so the first row received before "since" ends the list.
 */
int
intake_view_list(intake_t *in, const intake_list_t *q, pack_t *p, char next[32])
{
	static const char *const statuses[] = {INTAKE_OPEN, INTAKE_CLOSED};
	intake_rows_t r = {NULL, 0, 0};
	intake_incident_t inc;
	sqlite3_stmt *st;
	pack_t *item = NULL;
	size_t bytes = 0, len;
	const void *data;
	char last[32] = "";
	int want = q->limit + 1, n = -1, rc = 0;

	next[0] = '\0';
	if (q->reporter != NULL) {
		/* a reporter key's own: no index on reporter, a walk down the rows */
		if ((st = db_stmt(in->db, "SELECT row FROM incidents WHERE reporter = ?1"
		    " AND row < ?2 AND (?3 IS NULL OR team = ?3) AND (?4 IS NULL OR status = ?4)"
		    " ORDER BY row DESC LIMIT ?5")) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, q->reporter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, q->before);
		sqlite3_bind_text(st, 3, q->team, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, q->status, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, want);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			intake_rows_add(&r, sqlite3_column_int64(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto out;
	} else if (q->team == NULL && q->status == NULL) {
		if ((st = db_stmt(in->db, "SELECT row FROM incidents WHERE row < ?1"
		    " ORDER BY row DESC LIMIT ?2")) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, q->before);
		sqlite3_bind_int(st, 2, want);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			intake_rows_add(&r, sqlite3_column_int64(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto out;
	} else {
		for (int i = 0; i < 2; i++) {
			if (q->status && strcmp(q->status, statuses[i]) != 0)
				continue;
			if ((q->team ? intake_view_segment(in, q->team, statuses[i], q->before,
			    want, &r) : intake_view_segments(in, statuses[i], q->before,
			    want, &r)) < 0)
				goto out;
		}
		if (r.n > 1)    /* r.rows is NULL when nothing matched */
			qsort(r.rows, r.n, sizeof(*r.rows), intake_rows_desc);
		if (r.n > (size_t)want)
			r.n = (size_t)want;
	}

	item = pack_new();
	for (n = 0; (size_t)n < r.n; n++) {
		if ((st = intake_view_fetch(in, r.rows[n], &inc)) == NULL) {
			n = -1;
			goto out;
		}
		if (inc.received_at < q->since) {
			sqlite3_reset(st);
			break;
		}
		pack_reset(item);
		intake_view_pack_incident(in, &inc, false, item);
		/* a full page by count or by bytes, and something after it */
		if (n == q->limit || (n > 0 && bytes + pack_size(item) > INTAKE_PAGE_BYTES)) {
			sqlite3_reset(st);
			memcpy(next, last, sizeof(last));
			break;
		}
		snprintf(last, sizeof(last), "%s", inc.number);
		sqlite3_reset(st);
		data = pack_data(item, &len);
		pack_raw(p, data, len);
		bytes += len;
	}
out:
	pack_destroy(&item);
	free(r.rows);
	return n;
}
