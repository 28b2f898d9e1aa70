/*
 * intake_view.c: an incident as the wire shows it, read from incidents.db.
 * The same view is the body of the events the outbox carries (without
 * details and history, which never leave trygg-intake).
 */
#include "intake.h"

#include <string.h>

#define INTAKE_COLUMNS \
	"number, client_id, team, district, category, severity, summary, reporter," \
	" details, location, occurred_at, received_at, updated_at, level," \
	" needs_external, needs_reinforcement, involves_minors, police_report," \
	" orosanmalan, partners, escalation, status"

enum {
	C_NUMBER, C_CLIENT_ID, C_TEAM, C_DISTRICT, C_CATEGORY, C_SEVERITY, C_SUMMARY,
	C_REPORTER, C_DETAILS, C_LOCATION, C_OCCURRED, C_RECEIVED, C_UPDATED, C_LEVEL,
	C_NEEDS_EXTERNAL, C_NEEDS_REINFORCEMENT, C_INVOLVES_MINORS, C_POLICE_REPORT,
	C_OROSANMALAN, C_PARTNERS, C_ESCALATION, C_STATUS,
};

static void
intake_view_text(pack_t *p, sqlite3_stmt *st, const char *key, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	pack_kv_strn(p, key, (const char *)sqlite3_column_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
}

static void
intake_view_flag(pack_t *p, sqlite3_stmt *st, const char *key, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		pack_kv_bool(p, key, sqlite3_column_int(st, col) != 0);
}

/* The team's display name for an id read from the database. */
static const char *
intake_view_team_name(intake_t *in, sqlite3_stmt *st)
{
	const cfg_team_t *t = cfg_team(in->cfg, (const char *)sqlite3_column_text(st, C_TEAM),
	    (size_t)sqlite3_column_bytes(st, C_TEAM));

	return t ? t->name : NULL;
}

/* Packs the current row of st; full adds details and history. */
static int
intake_view_row(intake_t *in, sqlite3_stmt *st, int64_t row, bool full, pack_t *p)
{
	const cfg_category_t *cat;
	const char *team_name;

	pack_map_open(p);
	intake_view_text(p, st, "number", C_NUMBER);
	intake_view_text(p, st, "id", C_CLIENT_ID);
	intake_view_text(p, st, "team", C_TEAM);
	if ((team_name = intake_view_team_name(in, st)) != NULL)
		pack_kv_str(p, "team_name", team_name);
	intake_view_text(p, st, "district", C_DISTRICT);
	intake_view_text(p, st, "category", C_CATEGORY);
	cat = cfg_category(in->cfg, (const char *)sqlite3_column_text(st, C_CATEGORY),
	    (size_t)sqlite3_column_bytes(st, C_CATEGORY));
	if (cat)
		pack_kv_str(p, "category_name", cat->name);
	pack_kv_int(p, "severity", sqlite3_column_int(st, C_SEVERITY));
	intake_view_text(p, st, "summary", C_SUMMARY);
	intake_view_text(p, st, "reporter", C_REPORTER);
	if (full)
		intake_view_text(p, st, "details", C_DETAILS);
	intake_view_text(p, st, "location", C_LOCATION);
	pack_kv_time(p, "occurred_at", sqlite3_column_int64(st, C_OCCURRED));
	pack_kv_time(p, "received_at", sqlite3_column_int64(st, C_RECEIVED));
	pack_kv_time(p, "updated_at", sqlite3_column_int64(st, C_UPDATED));
	intake_view_text(p, st, "level", C_LEVEL);
	intake_view_flag(p, st, "needs_external", C_NEEDS_EXTERNAL);
	intake_view_flag(p, st, "needs_reinforcement", C_NEEDS_REINFORCEMENT);
	intake_view_flag(p, st, "involves_minors", C_INVOLVES_MINORS);
	intake_view_flag(p, st, "police_report", C_POLICE_REPORT);
	intake_view_flag(p, st, "orosanmalan", C_OROSANMALAN);
	if (sqlite3_column_type(st, C_PARTNERS) != SQLITE_NULL) {
		pack_key(p, "partners");
		pack_raw(p, sqlite3_column_blob(st, C_PARTNERS),
		    (size_t)sqlite3_column_bytes(st, C_PARTNERS));
	}
	intake_view_text(p, st, "escalation", C_ESCALATION);
	intake_view_text(p, st, "status", C_STATUS);
	if (full) {
		sqlite3_stmt *h = db_stmt(in->db,
		    "SELECT at, by, action, note FROM history WHERE incident = ?1 ORDER BY rowid");

		if (h == NULL)
			return -1;
		sqlite3_bind_int64(h, 1, row);
		pack_key(p, "history");
		pack_array_open(p);
		while (sqlite3_step(h) == SQLITE_ROW) {
			pack_map_open(p);
			pack_kv_time(p, "at", sqlite3_column_int64(h, 0));
			intake_view_text(p, h, "by", 1);
			intake_view_text(p, h, "action", 2);
			intake_view_text(p, h, "note", 3);
			pack_map_close(p);
		}
		sqlite3_reset(h);
		pack_array_close(p);
	}
	pack_map_close(p);
	return 0;
}

int
intake_view_pack(intake_t *in, int64_t row, bool full, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT " INTAKE_COLUMNS " FROM incidents WHERE row = ?1");
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = intake_view_row(in, st, row, full, p);
	sqlite3_reset(st);
	return rc;
}

int
intake_view_pack_brief(intake_t *in, int64_t row, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT number, client_id, team, district, escalation, status, received_at"
	    " FROM incidents WHERE row = ?1");
	const cfg_team_t *team;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	pack_map_open(p);
	intake_view_text(p, st, "number", 0);
	intake_view_text(p, st, "id", 1);
	intake_view_text(p, st, "team", 2);
	team = cfg_team(in->cfg, (const char *)sqlite3_column_text(st, 2),
	    (size_t)sqlite3_column_bytes(st, 2));
	if (team)
		pack_kv_str(p, "team_name", team->name);
	intake_view_text(p, st, "district", 3);
	intake_view_text(p, st, "escalation", 4);
	intake_view_text(p, st, "status", 5);
	pack_kv_time(p, "received_at", sqlite3_column_int64(st, 6));
	pack_map_close(p);
	sqlite3_reset(st);
	return 0;
}

int
intake_view_list(intake_t *in, const char *team, const char *status,
    int64_t since, int limit, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT " INTAKE_COLUMNS ", row FROM incidents"
	    " WHERE (?1 IS NULL OR team = ?1) AND (?2 IS NULL OR status = ?2)"
	    "   AND received_at >= ?3"
	    " ORDER BY row DESC LIMIT ?4");
	int n = 0, rc;

	if (st == NULL)
		return -1;
	if (team)
		sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (intake_view_row(in, st, sqlite3_column_int64(st, C_STATUS + 1), false, p) < 0)
			break;
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -1;
}
