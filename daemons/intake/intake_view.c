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
 */
#include "intake.h"

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

/* Packs the history array: the derived "created" entry, then the changes. */
static int
intake_view_history(intake_t *in, int64_t row, const intake_incident_t *inc, pack_t *p)
{
	sqlite3_stmt *h = db_stmt(in->db,
	    "SELECT at, by, action, note FROM history WHERE incident = ?1 ORDER BY rowid");
	int rc;

	if (h == NULL)
		return -1;
	pack_key(p, "history");
	pack_array_open(p);
	pack_map_open(p);
	pack_kv_time(p, "at", inc->received_at);
	pack_kv_str(p, "by", inc->reporter);
	pack_kv_str(p, "action", "created");
	pack_map_close(p);
	sqlite3_bind_int64(h, 1, row);
	while ((rc = sqlite3_step(h)) == SQLITE_ROW) {
		pack_map_open(p);
		pack_kv_time(p, "at", sqlite3_column_int64(h, 0));
		pack_kv_str(p, "by", intake_col_text(h, 1));
		pack_kv_str(p, "action", intake_col_text(h, 2));
		intake_kv_opt(p, "note", intake_col_text(h, 3));
		pack_map_close(p);
	}
	sqlite3_reset(h);
	pack_array_close(p);
	return rc == SQLITE_DONE ? 0 : -1;
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
intake_view_pack(intake_t *in, int64_t row, bool full, pack_t *p)
{
	intake_incident_t inc;
	sqlite3_stmt *st = intake_view_fetch(in, row, &inc);
	int rc;

	if (st == NULL)
		return -1;
	pack_map_open(p);
	intake_view_fields(in, &inc, full, p);
	rc = full ? intake_view_history(in, row, &inc, p) : 0;
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

int
intake_view_list(intake_t *in, const char *team, const char *status,
    int64_t since, int limit, pack_t *p)
{
	/* newest first; with "since", the received_at index bounds the scan */
	sqlite3_stmt *st = since == INT64_MIN ? db_stmt(in->db,
	    "SELECT " INTAKE_COLUMNS " FROM incidents"
	    " WHERE (?1 IS NULL OR team = ?1) AND (?2 IS NULL OR status = ?2)"
	    " ORDER BY row DESC LIMIT ?4") : db_stmt(in->db,
	    "SELECT " INTAKE_COLUMNS " FROM incidents INDEXED BY incidents_received"
	    " WHERE (?1 IS NULL OR team = ?1) AND (?2 IS NULL OR status = ?2)"
	    "   AND received_at >= ?3"
	    " ORDER BY received_at DESC, row DESC LIMIT ?4");
	intake_incident_t inc;
	int n = 0, rc;

	if (st == NULL)
		return -1;
	if (team)
		sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (since != INT64_MIN)
		sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		intake_view_from_row(st, &inc);
		intake_view_pack_incident(in, &inc, false, p);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -1;
}
