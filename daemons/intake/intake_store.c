/*
 * intake_store.c: incidents.db, trygg-intake's own database.
 *
 * Tables:
 *   incidents   one row per incident; status is 'open' or 'closed',
 *               escalation 'none', 'reinforcement' or 'external'. Numbers
 *               run per year of receipt; the last one given out is derived
 *               from this table and cached (intake_t.number_*)
 *   history     every change after creation: action 'note', 'closed' or
 *               'reopened', who and when ("created" is the row itself), and
 *               the client's update_id that makes a retried update harmless
 *   outbox      one row per event for the other daemons, written in the
 *               same transaction as the change: its type, the incident and
 *               the history entry it is about, and a state per receiver
 *               (escalation, reporting): NULL when not meant for it, else
 *               'pending' until the receiver acknowledges ('acked'); 'dead'
 *               rows are kept and reported, never dropped. The body is not
 *               stored: an incident's fields never change but for status
 *               and updated_at, which follow from its history, so the body
 *               of every event can be rebuilt exactly when it is sent
 *
 * Indexes on incidents cost pages written on every commit of the submit
 * path, so there are as few as list needs to answer every filter in
 * milliseconds (schema 2):
 *
 *   incidents_team_status (team, status) gives each (team, status) newest
 *     first (the row id ends every index entry), so list merges the few
 *     lists that its filters allow and reads about limit + 1 entries from
 *     each, whatever the mix: a small team, few open ones, a cursor deep
 *     in the past. New incidents are all 'open', so a commit touches at
 *     most one leaf page per team.
 *   no index on received_at: received_at is kept non-decreasing in row
 *     order (intake_store_received_at), so "since" ends a newest-first
 *     walk at the first older row. Schema 1's incidents_received is gone.
 *
 * outbox_escalation (schema 3) is partial: only the rows meant for
 * trygg-escalation (escalated incidents), so a submit that is not
 * escalated writes no entry, and the escalation link reads its own rows
 * in order without passing over everyone else's.
 *
 * What it costs and what it buys (2 shared cores, SQLite 3.40):
 *   WAL pages per commit, 200,000 incidents stored, then commits of 1, 8,
 *   32, 128 submits: schema 1 5.6 / 9.3 / 16.2 / 28.0, schema 2
 *   5.8 / 11.6 / 20.6 / 33.5 (the (team, status) keys are text and split
 *   pages more often than the integer received_at did).
 *   make bench (bench/intake, 32 clients, 40,000 submits), the binaries
 *   before and after run alternately, 10 runs each: median 21,600 and
 *   21,900 acknowledged submits/s (runs of 12,000 to 28,000: the shared
 *   machine's noise hides the cost).
 *   bench/list at 1,000,000 incidents, 108 combinations of team, status,
 *   since, before and limit: every p50 under 1.3 ms, the slowest single
 *   list 1.6 ms; without the index the same pages took up to 320 ms.
 *
 * A submit looks nothing up before its insert: the UNIQUE index on
 * client_id makes the check for a retried submit that a SELECT before it
 * would make again (intake_store_insert returns 0, and the caller reads the
 * stored row's fingerprint). A new incident costs the row, its three index
 * entries and its outbox row, and no other b-tree search.
 *
 * Every statement is a literal prepared once (db_stmt); all writes happen
 * inside the batch transaction that main.c opens and commits. CHECK
 * constraints are written as OR chains, not IN lists, and nothing uses
 * RETURNING: SQLite builds an ephemeral table for each of those on every
 * insert, which cost a third of a submit's time.
 */
#include "intake.h"
#include "dir.h"
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
	"CREATE TABLE history ("
	"  id           INTEGER PRIMARY KEY,"
	"  incident     INTEGER NOT NULL REFERENCES incidents (row),"
	"  at           INTEGER NOT NULL,"
	"  by           TEXT NOT NULL,"
	"  action       TEXT NOT NULL CHECK (action = 'note' OR action = 'closed'"
	"                 OR action = 'reopened'),"
	"  note         TEXT,"
	"  update_id    TEXT"
	");"
	"CREATE INDEX history_incident ON history (incident, update_id);"
	"CREATE INDEX incidents_received ON incidents (received_at);"
	"CREATE TABLE outbox ("
	"  seq          INTEGER PRIMARY KEY,"
	"  type         TEXT NOT NULL,"
	"  incident     INTEGER NOT NULL REFERENCES incidents (row),"
	"  change       INTEGER REFERENCES history (id),"
	"  created_at   INTEGER NOT NULL,"
	"  escalation   TEXT CHECK (escalation = 'pending' OR escalation = 'acked'"
	"                 OR escalation = 'dead'),"
	"  reporting    TEXT CHECK (reporting = 'pending' OR reporting = 'acked'"
	"                 OR reporting = 'dead'),"
	"  attempts     INTEGER NOT NULL DEFAULT 0,"
	"  next_at      INTEGER NOT NULL DEFAULT 0"
	");",
	/* version 2: list pages by team and status; "since" needs no index */
	"DROP INDEX incidents_received;"
	"CREATE INDEX incidents_team_status ON incidents (team, status);",
	/*
	 * version 3: the escalation link's rows in order, so that its fetch and
	 * its backlog count read those rows only, not every row since its
	 * watermark (with escalation away, that was millions at every look)
	 */
	"CREATE INDEX outbox_escalation ON outbox (seq) WHERE escalation IS NOT NULL;",
};

db_t *
intake_store_open(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];

	if (dir_make(data_dir, 0750) < 0) {
		snprintf(err, errlen, "creating the data directory %s: %s", data_dir,
		    strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", data_dir, INTAKE_DB_FILE);
	return db_open(path, intake_schema, sizeof(intake_schema) / sizeof(intake_schema[0]),
	    err, errlen);
}

db_t *
intake_store_open_reader(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", data_dir, INTAKE_DB_FILE);
	return db_open_reader(path, err, errlen);
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

int
intake_store_owner(intake_t *in, int64_t row, char team[72], char reporter[408])
{
	sqlite3_stmt *st = db_stmt(in->db, "SELECT team, reporter FROM incidents WHERE row = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(team, 72, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(reporter, 408, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Reads "INC-YYYY-N..." into its year and sequence; both 0 when it is not one. */
static void
intake_number_parse(const char *number, int *year, int64_t *seq)
{
	int64_t n = 0;
	int y = 0, i;

	*year = 0;
	*seq = 0;
	if (strncmp(number, "INC-", 4) != 0)
		return;
	for (i = 4; i < 8; i++) {
		if (number[i] < '0' || number[i] > '9')
			return;
		y = y * 10 + (number[i] - '0');
	}
	if (number[i++] != '-' || number[i] == '\0')
		return;
	for (; number[i] != '\0'; i++) {
		if (number[i] < '0' || number[i] > '9' || n > INT64_MAX / 10 - 9)
			return;
		n = n * 10 + (number[i] - '0');
	}
	*year = y;
	*seq = n;
}

/*
 * Loads what the next submit continues from: the newest row's time of
 * receipt and number. One lookup at the end of the table's b-tree, however
 * many rows there are (the plan is "SCAN incidents", stopped at the first
 * row). -1 on error.
 */
static int
intake_store_last(intake_t *in)
{
	sqlite3_stmt *st;
	const char *number;
	int rc;

	if ((st = db_stmt(in->db,
	    "SELECT received_at, number FROM incidents ORDER BY row DESC LIMIT 1")) == NULL)
		return -1;
	rc = sqlite3_step(st);
	in->received_last = INT64_MIN;
	in->last_year = 0;
	in->last_seq = 0;
	if (rc == SQLITE_ROW) {
		in->received_last = sqlite3_column_int64(st, 0);
		if ((number = (const char *)sqlite3_column_text(st, 1)) != NULL)
			intake_number_parse(number, &in->last_year, &in->last_seq);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	in->received_known = true;
	return 0;
}

/*
 * Takes the next number of year; -1 on error. The last number is known
 * from the newest row (intake_store_last): numbers of a year grow with the
 * row, since received_at, and with it the year of receipt, never
 * decreases in row order. Only when the newest row is of another year (the
 * first submit of a year, or a clock or zone set back across New Year) is
 * the year's range of the number index read, which is then empty or all
 * but. After that the number is counted in memory: trygg-intake is the
 * table's only writer; a rollback makes it load again.
 */
static int64_t
intake_store_next_number(intake_t *in, int year)
{
	char from[16], to[16];
	sqlite3_stmt *st;

	if (in->number_year == year)
		return ++in->number_last;
	if (!in->received_known && intake_store_last(in) < 0)
		return -1;
	if (in->last_year == year) {
		in->number_last = in->last_seq;
	} else {
		if ((st = db_stmt(in->db,
		    "SELECT max(CAST(substr(number, 10) AS INTEGER)) FROM incidents"
		    " WHERE number >= ?1 AND number < ?2")) == NULL)
			return -1;
		snprintf(from, sizeof(from), "INC-%04d-", year);
		snprintf(to, sizeof(to), "INC-%04d.", year);       /* '.' follows '-' */
		sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return -1;
		}
		in->number_last = sqlite3_column_int64(st, 0);     /* 0 when none */
		sqlite3_reset(st);
	}
	in->number_year = year;
	return ++in->number_last;
}

void
intake_store_rolled_back(intake_t *in)
{
	in->number_year = 0;
	in->received_known = false;
}

/*
 * The time of receipt for a new incident: now, or the newest one stored if
 * the clock went back, so that received_at never decreases in row order
 * (list's "since" relies on it). -1 on error.
 */
static int
intake_store_received_at(intake_t *in, int64_t *at)
{
	if (!in->received_known && intake_store_last(in) < 0)
		return -1;
	*at = in->now > in->received_last ? in->now : in->received_last;
	return 0;
}

static int
intake_store_history(intake_t *in, int64_t row, const char *by, size_t by_len,
    const char *action, const char *note, size_t note_len, const char *update_id)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "INSERT INTO history (incident, at, by, action, note, update_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	sqlite3_bind_int64(st, 2, in->now);
	sqlite3_bind_text(st, 3, by, (int)by_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(st, 5, note, (int)note_len, SQLITE_STATIC);
	if (update_id)
		sqlite3_bind_text(st, 6, update_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Queues an event about incident row (and its history entry change, 0 for
 * none) for trygg-reporting, and for trygg-escalation too when
 * to_escalation is set.
 */
static int
intake_store_event(intake_t *in, wire_msg_t type, int64_t row, int64_t change,
    bool to_escalation)
{
	sqlite3_stmt *st = db_stmt(in->db,
	    "INSERT INTO outbox (type, incident, change, created_at, escalation, reporting)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'pending')");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, wire_msg_name(type), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row);
	if (change > 0)
		sqlite3_bind_int64(st, 3, change);
	sqlite3_bind_int64(st, 4, in->now);
	if (to_escalation)
		sqlite3_bind_text(st, 5, "pending", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
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

static int
intake_flag(int v)
{
	return v < 0 ? -1 : v != 0;
}

int64_t
intake_store_insert(intake_t *in, const intake_submit_t *s, char number[32],
    intake_incident_t *inc)
{
	sqlite3_stmt *st;
	tz_local_t local;
	int64_t seq, row, received;
	int rc;

	/* numbers run per year of receipt in the configured zone */
	tz_local(in->tz, in->now, &local);
	if ((seq = intake_store_next_number(in, local.year)) < 0 ||
	    intake_store_received_at(in, &received) < 0)
		return -1;
	snprintf(number, 32, "INC-%04d-%06lld", local.year, (long long)seq);

	memset(inc, 0, sizeof(*inc));
	inc->number = number;
	inc->client_id = s->client_id;
	inc->team = s->team->id;
	inc->district = s->district;
	inc->category = s->category->id;
	inc->severity = s->severity;
	inc->summary = s->summary;
	inc->reporter = s->reporter;
	inc->details = s->details;
	inc->location = s->location;
	inc->occurred_at = s->has_occurred ? s->occurred_at : in->now;
	inc->received_at = inc->updated_at = received;
	inc->level = s->level >= 0 ? intake_levels[s->level] : NULL;
	inc->needs_external = intake_flag(s->needs_external);
	inc->needs_reinforcement = intake_flag(s->needs_reinforcement);
	inc->involves_minors = intake_flag(s->involves_minors);
	inc->police_report = intake_flag(s->police_report);
	inc->orosanmalan = intake_flag(s->orosanmalan);
	inc->partners = s->partners.len ? s->partners.data : NULL;
	inc->partners_len = s->partners.len;
	inc->escalation = intake_esc_name(s->escalation);
	inc->status = INTAKE_OPEN;

	if ((st = db_stmt(in->db,
	    "INSERT INTO incidents (number, client_id, fingerprint, team, district,"
	    " category, severity, summary, reporter, details, location, occurred_at,"
	    " received_at, updated_at, level, needs_external, needs_reinforcement,"
	    " involves_minors, police_report, orosanmalan, partners, escalation, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, inc->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inc->client_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)s->fingerprint);
	sqlite3_bind_text(st, 4, inc->team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, inc->district, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, inc->category, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, inc->severity);
	sqlite3_bind_text(st, 8, inc->summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, inc->reporter, -1, SQLITE_STATIC);
	intake_bind_opt_text(st, 10, inc->details);
	intake_bind_opt_text(st, 11, inc->location);
	sqlite3_bind_int64(st, 12, inc->occurred_at);
	sqlite3_bind_int64(st, 13, inc->received_at);
	intake_bind_opt_text(st, 14, inc->level);
	intake_bind_tristate(st, 15, inc->needs_external);
	intake_bind_tristate(st, 16, inc->needs_reinforcement);
	intake_bind_tristate(st, 17, inc->involves_minors);
	intake_bind_tristate(st, 18, inc->police_report);
	intake_bind_tristate(st, 19, inc->orosanmalan);
	if (inc->partners)
		sqlite3_bind_blob(st, 20, inc->partners, (int)inc->partners_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 21, inc->escalation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 22, inc->status, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT && sqlite3_extended_errcode(db_handle(in->db)) ==
	    SQLITE_CONSTRAINT_UNIQUE) {
		uint64_t fp;

		/* the number was not used; a client id already stored is a retry */
		in->number_last--;
		return intake_store_find_client(in, s->client_id, &fp) > 0 ? 0 : -1;
	}
	if (rc != SQLITE_DONE)
		return -1;
	row = sqlite3_last_insert_rowid(db_handle(in->db));
	in->received_last = received;

	if (intake_store_event(in, WMSG_INCIDENT_CREATED, row, 0,
	    s->escalation != ESC_NONE) < 0)
		return -1;
	return row;
}

int
intake_store_update(intake_t *in, int64_t row, const char *by, size_t by_len,
    const char *note, size_t note_len, const char *status, const char *update_id)
{
	sqlite3_stmt *st;
	int changes = 0, rc;
	bool escalated;

	/* each history entry is an event; escalation hears about escalated incidents */
	if ((st = db_stmt(in->db, "SELECT escalation <> 'none' FROM incidents WHERE row = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row);
	rc = sqlite3_step(st);
	escalated = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return -1;

	if (update_id != NULL) {
		if ((st = db_stmt(in->db, "SELECT 1 FROM history"
		    " WHERE incident = ?1 AND update_id = ?2")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, row);
		sqlite3_bind_text(st, 2, update_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			return 1;       /* applied before: a retry */
		if (rc != SQLITE_DONE)
			return -1;
	}

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
			    NULL, 0, update_id) < 0 ||
			    intake_store_event(in, WMSG_INCIDENT_UPDATED, row,
			    sqlite3_last_insert_rowid(db_handle(in->db)), escalated) < 0)
				return -1;
		}
	}
	if (note != NULL) {
		if (intake_store_history(in, row, by, by_len, "note", note, note_len,
		    update_id) < 0 ||
		    intake_store_event(in, WMSG_INCIDENT_UPDATED, row,
		    sqlite3_last_insert_rowid(db_handle(in->db)), escalated) < 0)
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
	return 0;
}
