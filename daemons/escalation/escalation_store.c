/*
 * escalation_store.c: escalations.db, trygg-escalation's own database.
 *
 * Tables:
 *   escalations    one row per escalation; at most one per incident and
 *                  kind (UNIQUE), so a message applied twice cannot make a
 *                  second. status is 'open', 'acked', 'unanswered' or
 *                  'resolved' (escalation_policy.c has the diagram). The
 *                  next deadline (a re-notification or the policy's next
 *                  step) is stored in next_at, never held in memory only:
 *                  after a restart it fires on time. steps holds the
 *                  policy decided at creation: the contacts of each step,
 *                  steps separated by ';', contacts by ',' (ids never hold
 *                  either), so a restart or a new rota changes no
 *                  escalation under way.
 *   notifications  every attempt to reach a contact: step, attempt, channel
 *                  ('pub', or a notify channel's id), and state:
 *                    pending  stored, not yet out (waits for its sync)
 *                    running  its notify command runs
 *                    sent     published, or the command exited 0
 *                    failed   the command failed; run again at retry_at
 *                    dropped  a failed run not repeated: a newer
 *                             notification or an acknowledgement made it moot
 *                  with the outcome of the last run and how many runs.
 *   events         each escalation's history (created, notified step,
 *                  acked, unanswered, resolved, notes from intake), in id
 *                  order: the outbox that trygg-reporting's link will read.
 *   ack_tokens     the ack links in notifications (when web.base_url is set):
 *                  the hash of each token (common/token.h), never the token,
 *                  for one contact and one escalation, used once, dead
 *                  after ESCALATION_TOKEN_TTL_MS or once resolved.
 *   link_in        (common/link.c) what trygg-intake's link has applied.
 *
 * Every statement is a literal prepared once (db_stmt); writes happen in the
 * batch transaction that common/server.c opens and commits.
 */
#include "escalation.h"
#include "audit.h"
#include "dir.h"
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const escalation_schema[] = {
	/* version 1 */
	"CREATE TABLE escalations ("
	"  id           INTEGER PRIMARY KEY,"
	"  incident     TEXT NOT NULL,"
	"  kind         TEXT NOT NULL CHECK (kind = 'external' OR kind = 'reinforcement'),"
	"  status       TEXT NOT NULL CHECK (status = 'open' OR status = 'acked'"
	"                 OR status = 'unanswered' OR status = 'resolved'),"
	"  team         TEXT NOT NULL,"
	"  district     TEXT NOT NULL,"
	"  category     TEXT NOT NULL,"
	"  severity     INTEGER NOT NULL,"
	"  summary      TEXT NOT NULL,"
	"  location     TEXT,"
	"  target       TEXT NOT NULL,"
	"  office_hours INTEGER NOT NULL,"
	"  reason       TEXT NOT NULL,"
	"  steps        TEXT NOT NULL,"
	"  step         INTEGER NOT NULL DEFAULT 0,"
	"  attempt      INTEGER NOT NULL DEFAULT 0,"
	"  step_at      INTEGER NOT NULL,"
	"  notified_at  INTEGER,"
	"  next_at      INTEGER,"
	"  created_at   INTEGER NOT NULL,"
	"  acked_at     INTEGER,"
	"  acked_by     TEXT,"
	"  acked_notified INTEGER,"
	"  resolved_at  INTEGER,"
	"  resolved_by  TEXT,"
	"  UNIQUE (incident, kind)"
	");"
	"CREATE INDEX escalations_next ON escalations (next_at) WHERE next_at IS NOT NULL;"
	"CREATE TABLE notifications ("
	"  id           INTEGER PRIMARY KEY,"
	"  escalation   INTEGER NOT NULL REFERENCES escalations (id),"
	"  step         INTEGER NOT NULL,"
	"  attempt      INTEGER NOT NULL,"
	"  contact      TEXT NOT NULL,"
	"  channel      TEXT NOT NULL,"
	"  at           INTEGER NOT NULL,"
	"  ack_by       INTEGER NOT NULL,"
	"  state        TEXT NOT NULL CHECK (state = 'pending' OR state = 'running'"
	"                 OR state = 'sent' OR state = 'failed' OR state = 'dropped'),"
	"  outcome      TEXT,"
	"  tries        INTEGER NOT NULL DEFAULT 0,"
	"  retry_at     INTEGER"
	");"
	"CREATE INDEX notifications_escalation ON notifications (escalation);"
	"CREATE INDEX notifications_retry ON notifications (retry_at) WHERE state = 'failed';"
	"CREATE TABLE events ("
	"  id           INTEGER PRIMARY KEY,"
	"  escalation   INTEGER NOT NULL REFERENCES escalations (id),"
	"  at           INTEGER NOT NULL,"
	"  action       TEXT NOT NULL,"
	"  by           TEXT,"
	"  note         TEXT"
	");"
	"CREATE INDEX events_escalation ON events (escalation);"
	"CREATE TABLE ack_tokens ("
	"  hash         TEXT PRIMARY KEY,"
	"  escalation   INTEGER NOT NULL REFERENCES escalations (id),"
	"  contact      TEXT NOT NULL,"
	"  created_at   INTEGER NOT NULL,"
	"  used_at      INTEGER"
	") WITHOUT ROWID;",
};

db_t *
escalation_store_open(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];
	db_t *db;

	if (dir_make(data_dir, 0750) < 0) {
		snprintf(err, errlen, "creating the data directory %s: %s", data_dir,
		    strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", data_dir, ESCALATION_DB_FILE);
	if ((db = db_open(path, escalation_schema, sizeof(escalation_schema) /
	    sizeof(escalation_schema[0]), err, errlen)) == NULL)
		return NULL;
	if (link_receiver_init(db, err, errlen) < 0)
		db_close(&db);
	return db;
}

db_t *
escalation_store_open_reader(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", data_dir, ESCALATION_DB_FILE);
	return db_open_reader(path, err, errlen);
}

int
escalation_store_event(escalation_t *esc, int64_t id, int64_t at, const char *action,
    const char *by, const char *note)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "INSERT INTO events (escalation, at, action, by, note) VALUES (?1, ?2, ?3, ?4, ?5)");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	if (by)
		sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* every change of an escalation is in the audit trail, by the daemon */
	{
		char op[48], target[32];
		audit_entry_t e = {at, ESCALATION_SERVICE, op, target, "ok", NULL};

		snprintf(op, sizeof(op), "escalation.%s", action);
		snprintf(target, sizeof(target), "%lld", (long long)id);
		return audit_append(esc->db, &e);
	}
}
