/*
 * intake_store.c: incidents.db, trygg-intake's own database.
 *
 * Tables:
 *   incidents   one row per incident; status is 'open' or 'closed',
 *               escalation 'none', 'reinforcement' or 'external'
 *   history     every change of an incident: action 'created', 'note',
 *               'closed' or 'reopened', who and when
 *   numbers     the last incident number given out per year
 *   outbox      events for the other daemons, written in the same
 *               transaction as the change: state 'pending' until the
 *               receiver acknowledges ('acked'); 'dead' rows are kept and
 *               reported, never dropped
 *
 * Every statement is a literal prepared once (db_stmt); all writes happen
 * inside the batch transaction that main.c opens and commits. CHECK
 * constraints are written as OR chains, not IN lists, and nothing uses
 * RETURNING: SQLite builds an ephemeral table for each of those on every
 * insert, which cost a third of a submit's time.
 */
#include "intake.h"
#include "log.h"
#include "mem.h"
#include "ts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const intake_schema[] = {
	/* version 1 */
	"CREATE TABLE incidents ("
	"  row          INTEGER PRIMARY KEY,"
	"  number       TEXT NOT NULL UNIQUE,"
	"  client_id    TEXT NOT NULL UNIQUE,"
	"  fingerprint  INTEGER NOT NULL,"
	"  team         TEXT NOT NULL,"
	"  district     TEXT NOT NULL,"
	"  category     TEXT NOT NULL,"
	"  severity     INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),"
	"  summary      TEXT NOT NULL,"
	"  reporter     TEXT NOT NULL,"
	"  details      TEXT,"
	"  location     TEXT,"
	"  occurred_at  INTEGER NOT NULL,"
	"  received_at  INTEGER NOT NULL,"
	"  updated_at   INTEGER NOT NULL,"
	"  level        TEXT CHECK (level = 'omrade' OR level = 'grupp' OR level = 'individ'),"
	"  needs_external      INTEGER,"
	"  needs_reinforcement INTEGER,"
	"  involves_minors     INTEGER,"
	"  police_report       INTEGER,"
	"  orosanmalan         INTEGER,"
	"  partners     BLOB,"
	"  escalation   TEXT NOT NULL CHECK (escalation = 'none' OR escalation = 'reinforcement'"
	"                 OR escalation = 'external'),"
	"  status       TEXT NOT NULL CHECK (status = 'open' OR status = 'closed')"
	");"
	"CREATE INDEX incidents_team ON incidents (team, row);"
	"CREATE INDEX incidents_status ON incidents (status, row);"
	"CREATE TABLE history ("
	"  incident     INTEGER NOT NULL REFERENCES incidents (row),"
	"  at           INTEGER NOT NULL,"
	"  by           TEXT NOT NULL,"
	"  action       TEXT NOT NULL CHECK (action = 'created' OR action = 'note'"
	"                 OR action = 'closed' OR action = 'reopened'),"
	"  note         TEXT"
	");"
	"CREATE INDEX history_incident ON history (incident);"
	"CREATE TABLE numbers ("
	"  year         INTEGER PRIMARY KEY,"
	"  last         INTEGER NOT NULL"
	");"
	"CREATE TABLE outbox ("
	"  seq          INTEGER PRIMARY KEY,"
	"  msg_id       TEXT NOT NULL,"
	"  dest         TEXT NOT NULL CHECK (dest = 'escalation' OR dest = 'reporting'),"
	"  type         TEXT NOT NULL,"
	"  body         BLOB NOT NULL,"
	"  created_at   INTEGER NOT NULL,"
	"  state        TEXT NOT NULL DEFAULT 'pending'"
	"                 CHECK (state = 'pending' OR state = 'acked' OR state = 'dead'),"
	"  attempts     INTEGER NOT NULL DEFAULT 0,"
	"  next_at      INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (dest, msg_id)"
	");"
	"CREATE INDEX outbox_pending ON outbox (dest, state, seq);",
};

static const char *const intake_to_both[] = {"escalation", "reporting", NULL};
static const char *const intake_to_reporting[] = {"reporting", NULL};

/* Creates dir and its parents like mkdir -p; 0 or -1. */
static int
intake_mkdirs(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -1;
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0750) < 0 && errno != EEXIST)
			return -1;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

db_t *
intake_store_open(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];

	if (intake_mkdirs(data_dir) < 0) {
		snprintf(err, errlen, "creating the data directory %s: %s", data_dir,
		    strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", data_dir, INTAKE_DB_FILE);
	return db_open(path, intake_schema, sizeof(intake_schema) / sizeof(intake_schema[0]),
	    err, errlen);
}

int64_t
intake_store_find_client(intake_t *in, const char *client_id, uint64_t *fingerprint)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "SELECT row, fingerprint FROM incidents WHERE client_id = ?1");
	int64_t row = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = sqlite3_column_int64(st, 0);
		*fingerprint = (uint64_t)sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		row = -1;
	}
	sqlite3_reset(st);
	return row;
}

int64_t
intake_store_find_number(intake_t *in, const char *number, size_t len)
{
	sqlite3_stmt *st = db_stmt(in->db, "SELECT row FROM incidents WHERE number = ?1");
	int64_t row = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, number, (int)len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		row = -1;
	sqlite3_reset(st);
	return row;
}

/* Takes the next number of year; -1 on error. */
static int64_t
intake_store_next_number(intake_t *in, int year)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "UPDATE numbers SET last = last + 1 WHERE year = ?1");
	int64_t n = -1;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(db_handle(in->db)) == 0) {
		if ((st = db_stmt(in->db, "INSERT INTO numbers (year, last) VALUES (?1, 1)")) == NULL)
			return -1;
		sqlite3_bind_int(st, 1, year);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 1 : -1;
	}
	if ((st = db_stmt(in->db, "SELECT last FROM numbers WHERE year = ?1")) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, year);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static int
intake_store_history(intake_t *in, int64_t row, const char *by, size_t by_len,
    const char *action, const char *note, size_t note_len)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "INSERT INTO history (incident, at, by, action, note) VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, in->now);
	sqlite3_bind_text(st, 3, by, (int)by_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(st, 5, note, (int)note_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Queues the incident's event for each destination in dests (NULL-ended).
 * The body is {"type", "id", "at", "incident": {...}} with the incident as
 * get shows it, without details and history (details never leave
 * trygg-intake); every destination gets the same id.
 */
static int
intake_store_event(intake_t *in, int64_t row, wire_msg_t type, const char *msg_id,
    const char *const *dests)
{
	sqlite3_stmt *st;
	pack_t *p = pack_new();
	const void *body;
	size_t len;
	int rc = -1;

	pack_map_open(p);
	pack_kv_str(p, "type", wire_msg_name(type));
	pack_kv_str(p, "id", msg_id);
	pack_kv_time(p, "at", in->now);
	pack_key(p, "incident");
	if (intake_view_pack(in, row, false, p) < 0)
		goto out;
	pack_map_close(p);
	body = pack_data(p, &len);
	for (; *dests; dests++) {
		if ((st = db_stmt(in->db,
		    "INSERT INTO outbox (msg_id, dest, type, body, created_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)")) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, *dests, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, wire_msg_name(type), -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, in->now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	pack_destroy(&p);
	return rc;
}

static void
intake_bind_tristate(sqlite3_stmt *st, int col, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int(st, col, v);
}

static void
intake_bind_opt_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

int64_t
intake_store_insert(intake_t *in, const intake_submit_t *s)
{
	sqlite3_stmt *st;
	tz_local_t local;
	char number[32], msg_id[64];
	int64_t seq, row;
	int rc;

	/* numbers run per year of receipt in the configured zone */
	tz_local(in->tz, in->now, &local);
	if ((seq = intake_store_next_number(in, local.year)) < 0)
		return -1;
	snprintf(number, sizeof(number), "INC-%04d-%06lld", local.year, (long long)seq);

	if ((st = db_stmt(in->db,
	    "INSERT INTO incidents (number, client_id, fingerprint, team, district,"
	    " category, severity, summary, reporter, details, location, occurred_at,"
	    " received_at, updated_at, level, needs_external, needs_reinforcement,"
	    " involves_minors, police_report, orosanmalan, partners, escalation, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, 'open')")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->client_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)s->fingerprint);
	sqlite3_bind_text(st, 4, s->team->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->district, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, s->category->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, s->severity);
	sqlite3_bind_text(st, 8, s->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, s->reporter, -1, SQLITE_STATIC);
	intake_bind_opt_text(st, 10, s->details);
	intake_bind_opt_text(st, 11, s->location);
	sqlite3_bind_int64(st, 12, s->has_occurred ? s->occurred_at : in->now);
	sqlite3_bind_int64(st, 13, in->now);
	intake_bind_opt_text(st, 14, s->level >= 0 ? intake_levels[s->level] : NULL);
	intake_bind_tristate(st, 15, s->needs_external);
	intake_bind_tristate(st, 16, s->needs_reinforcement);
	intake_bind_tristate(st, 17, s->involves_minors);
	intake_bind_tristate(st, 18, s->police_report);
	intake_bind_tristate(st, 19, s->orosanmalan);
	if (s->partners.len)
		sqlite3_bind_blob(st, 20, s->partners.data, (int)s->partners.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 21, intake_esc_name(s->escalation), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	row = sqlite3_last_insert_rowid(db_handle(in->db));

	if (intake_store_history(in, row, s->reporter, strlen(s->reporter), "created",
	    NULL, 0) < 0)
		return -1;
	snprintf(msg_id, sizeof(msg_id), "%s/created", number);
	if (intake_store_event(in, row, WMSG_INCIDENT_CREATED, msg_id,
	    s->escalation != ESC_NONE ? intake_to_both : intake_to_reporting) < 0)
		return -1;
	return row;
}

int
intake_store_update(intake_t *in, int64_t row, const char *by, size_t by_len,
    const char *note, size_t note_len, const char *status)
{
	sqlite3_stmt *st;
	char msg_id[96];
	int changes = 0, rc;

	if (status != NULL) {
		if ((st = db_stmt(in->db,
		    "UPDATE incidents SET status = ?2, updated_at = ?3"
		    " WHERE row = ?1 AND status <> ?2")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, row);
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, in->now);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
		if (sqlite3_changes(db_handle(in->db)) > 0) {
			changes++;
			if (intake_store_history(in, row, by, by_len,
			    strcmp(status, INTAKE_CLOSED) == 0 ? "closed" : "reopened",
			    NULL, 0) < 0)
				return -1;
		}
	}
	if (note != NULL) {
		if (intake_store_history(in, row, by, by_len, "note", note, note_len) < 0)
			return -1;
		if ((st = db_stmt(in->db,
		    "UPDATE incidents SET updated_at = ?2 WHERE row = ?1")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, row);
		sqlite3_bind_int64(st, 2, in->now);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
		changes++;
	}
	if (changes == 0)
		return 0;
	/* the history row's id makes the event's id unique */
	snprintf(msg_id, sizeof(msg_id), "incident-%lld/history-%lld", (long long)row,
	    (long long)sqlite3_last_insert_rowid(db_handle(in->db)));
	return intake_store_event(in, row, WMSG_INCIDENT_UPDATED, msg_id, intake_to_reporting);
}
