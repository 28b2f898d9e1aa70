/*
 * reporting_store.c: reporting.db, trygg-reporting's own database, and
 * applying the messages of the links into it.
 *
 * Tables (what reports count, and nothing more: no summary, reporter,
 * location, notes or names of people; the design says reports carry no
 * personal data, so the copy holds none either):
 *   incidents    one row per incident number, the latest state intake
 *                sent: team, district, category, severity, prevention
 *                level, the reporter's flags, escalation level, status
 *                ('open' or 'closed'), occurred_at, received_at,
 *                updated_at, closed_at (ms, UTC), and partners: the
 *                collaboration partners as intake sent them (masked, NFC),
 *                ASCII letters in lower case, each once, separated by
 *                REPORTING_PARTNER_SEP; longer than an id, not kept. In the
 *                row, not a table of their own: the join cost an index
 *                lookup per incident, and a year's annual over a million
 *                incidents took 1.4-1.8 s with it, 0.7 s without
 *                (bench/reporting).
 *   escalations  one row per escalation id, the latest state escalation
 *                sent: kind, status ('open', 'acked', 'unanswered',
 *                'resolved'), target, team, district, category, severity,
 *                office_hours, step, created_at, acked_at, resolved_at;
 *                steps counts the "step" events applied and notify_failed
 *                the "notify_failed" ones, which is exact because
 *                link_deliver applies each message once.
 *   job_runs     per scheduled job (reporting_jobs.c): the due time it last
 *                ran for, when, and the file it wrote.
 *   refused      messages refused for good (unknown type, a field
 *                missing or malformed): source, message id, type and why,
 *                never the message itself. Kept, so nothing is dropped
 *                without a trace (the style guide, Errors).
 *   link_in      (common/link.c) each source's watermark.
 *
 * Incidents are counted by occurred_at: the table is kept in that order
 * (WITHOUT ROWID, keyed by occurred_at and number), so a period is one
 * run of pages read in order. With a separate index on occurred_at every
 * row cost a lookup in the table: a year's annual over 200,000 incidents
 * took 1.3 s, a third of it in pread of scattered pages; kept in order and
 * with the file mapped (REPORTING_PRAGMAS, both connections) it takes
 * 0.23 s. Escalations are few and counted by created_at through an
 * index. Every statement is a literal prepared once.
 */
#include "reporting.h"
#include "dir.h"
#include "link.h"
#include "log.h"
#include "ts.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const reporting_schema[] = {
	/* version 1 */
	"CREATE TABLE incidents ("
	"  number        TEXT NOT NULL UNIQUE,"
	"  team          TEXT NOT NULL,"
	"  district      TEXT NOT NULL,"
	"  category      TEXT NOT NULL,"
	"  severity      INTEGER NOT NULL,"
	"  level         TEXT,"
	"  needs_external      INTEGER NOT NULL,"
	"  needs_reinforcement INTEGER NOT NULL,"
	"  involves_minors     INTEGER NOT NULL,"
	"  police_report       INTEGER NOT NULL,"
	"  orosanmalan         INTEGER NOT NULL,"
	"  escalation    TEXT NOT NULL,"
	"  status        TEXT NOT NULL CHECK (status = 'open' OR status = 'closed'),"
	"  occurred_at   INTEGER NOT NULL,"
	"  received_at   INTEGER NOT NULL,"
	"  updated_at    INTEGER NOT NULL,"
	"  closed_at     INTEGER,"
	"  partners      TEXT,"
	"  PRIMARY KEY (occurred_at, number)"
	") WITHOUT ROWID;"
	"CREATE TABLE escalations ("
	"  id            INTEGER PRIMARY KEY,"
	"  incident      TEXT NOT NULL,"
	"  kind          TEXT NOT NULL,"
	"  status        TEXT NOT NULL,"
	"  target        TEXT NOT NULL,"
	"  team          TEXT NOT NULL,"
	"  district      TEXT NOT NULL,"
	"  category      TEXT NOT NULL,"
	"  severity      INTEGER NOT NULL,"
	"  office_hours  INTEGER NOT NULL,"
	"  step          INTEGER NOT NULL,"
	"  steps         INTEGER NOT NULL DEFAULT 0,"
	"  notify_failed INTEGER NOT NULL DEFAULT 0,"
	"  created_at    INTEGER NOT NULL,"
	"  acked_at      INTEGER,"
	"  resolved_at   INTEGER"
	");"
	"CREATE INDEX escalations_created ON escalations (created_at);"
	"CREATE TABLE job_runs ("
	"  job           TEXT PRIMARY KEY,"
	"  due           INTEGER NOT NULL,"
	"  ran_at        INTEGER NOT NULL,"
	"  file          TEXT NOT NULL"
	");"
	"CREATE TABLE refused ("
	"  id            INTEGER PRIMARY KEY,"
	"  source        TEXT NOT NULL,"
	"  msg_id        INTEGER,"
	"  type          TEXT NOT NULL,"
	"  reason        TEXT NOT NULL,"
	"  at            INTEGER NOT NULL"
	");",
};

db_t *
reporting_store_open(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];
	db_t *db;

	if (dir_make(data_dir, 0750) < 0) {
		snprintf(err, errlen, "creating the data directory %s: %s", data_dir,
		    strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", data_dir, REPORTING_DB_FILE);
	if ((db = db_open(path, reporting_schema, sizeof(reporting_schema) /
	    sizeof(reporting_schema[0]), err, errlen)) == NULL)
		return NULL;
	if (link_receiver_init(db, err, errlen) < 0) {
		db_close(&db);
		return NULL;
	}
	if (db_exec(db, REPORTING_PRAGMAS) < 0)
		log_warn("reporting_store_open: %s (reports read without them)", db_errmsg(db));
	return db;
}

db_t *
reporting_store_open_reader(const char *data_dir, char *err, size_t errlen)
{
	char path[4096];
	db_t *db;

	snprintf(path, sizeof(path), "%s/%s", data_dir, REPORTING_DB_FILE);
	if ((db = db_open_reader(path, err, errlen)) != NULL && db_exec(db, REPORTING_PRAGMAS) < 0)
		log_warn("reporting_store_open_reader: %s (reports read without them)",
		    db_errmsg(db));
	return db;
}

/* A string field into buf (NUL-terminated); false when absent, no string or too long. */
static bool
reporting_str(const msgpack_object *map, const char *key, char *buf, size_t len)
{
	const msgpack_object *o = msg_map_get(map, key);

	buf[0] = '\0';
	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= len ||
	    (o->via.str.size > 0 && memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL))
		return false;
	if (o->via.str.size > 0)
		memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	return true;
}

static bool
reporting_int(const msgpack_object *map, const char *key, int64_t lo, int64_t hi, int64_t *v)
{
	const msgpack_object *o = msg_map_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > (uint64_t)hi ||
	    (int64_t)o->via.u64 < lo)
		return false;
	*v = (int64_t)o->via.u64;
	return true;
}

static bool
reporting_time(const msgpack_object *map, const char *key, int64_t *ms)
{
	const msgpack_object *o = msg_map_get(map, key);

	return o != NULL && o->type == MSGPACK_OBJECT_STR &&
	    ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, ms) == 0;
}

/* a boolean field; absent or not a boolean counts as false */
static int
reporting_flag(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = msg_map_get(map, key);

	return o != NULL && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

/* Records a refused message; 1 (refused for good), or -1 when the store failed. */
static int
reporting_refuse(reporting_t *rep, const char *source, const msgpack_object *msg,
    const char *type, size_t type_len, const char *why)
{
	sqlite3_stmt *st = db_stmt(rep->db,
	    "INSERT INTO refused (source, msg_id, type, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)");
	int64_t id;
	int rc;

	log_warn("reporting_store_apply: a message from %s refused: %s", source, why);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	if (reporting_int(msg, "id", 0, INT64_MAX, &id))
		sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, type, (int)(type_len < 64 ? type_len : 64), SQLITE_STATIC);
	sqlite3_bind_text(st, 4, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ts_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 1 : -1;
}

static bool
reporting_one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* The incident's partners as stored: lower-case ASCII, each once, separated. */
static void
reporting_partners(const msgpack_object *inc, buf_t *out)
{
	const msgpack_object *list = msg_map_get(inc, "partners");

	if (list == NULL || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < list->via.array.size; i++) {
		const msgpack_object *o = &list->via.array.ptr[i];
		char name[REPORTING_KEY_MAX];
		size_t n;
		bool seen = false;

		/* an id-like name, not a sentence: longer ones are not counted */
		if (o->type != MSGPACK_OBJECT_STR || (n = o->via.str.size) == 0 ||
		    n >= sizeof(name) || memchr(o->via.str.ptr, REPORTING_PARTNER_SEP[0], n) ||
		    memchr(o->via.str.ptr, '\0', n))
			continue;
		for (size_t k = 0; k < n; k++) {
			char c = o->via.str.ptr[k];

			name[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		name[n] = '\0';
		for (const char *p = buf_str(out); *p && !seen; ) {
			size_t m = strcspn(p, REPORTING_PARTNER_SEP);

			seen = m == n && memcmp(p, name, n) == 0;
			p += m;
			if (*p)
				p++;
		}
		if (seen)
			continue;
		if (out->len > 0)
			buf_puts(out, REPORTING_PARTNER_SEP);
		buf_append(out, name, n);
	}
}

/* incident.created and incident.updated: the incident's latest state. 0, 1 or -1. */
static int
reporting_apply_incident(reporting_t *rep, const char *source, const msgpack_object *msg,
    const char *type, size_t type_len)
{
	static const char *const escalations[] = {"none", "reinforcement", "external", NULL};
	static const char *const statuses[] = {"open", "closed", NULL};
	static const char *const levels[] = {"omrade", "grupp", "individ", NULL};
	const msgpack_object *inc = msg_map_get(msg, "incident");
	buf_t partners = BUF_INIT;
	char number[40], team[REPORTING_KEY_MAX], district[128], category[REPORTING_KEY_MAX];
	char level[16], escalation[16], status[16];
	int64_t severity, occurred, received, updated, closed_at = 0;
	sqlite3_stmt *st;
	int rc;

	if (inc == NULL || inc->type != MSGPACK_OBJECT_MAP)
		return reporting_refuse(rep, source, msg, type, type_len, "no incident map");
	if (!reporting_str(inc, "number", number, sizeof(number)) || number[0] == '\0' ||
	    !reporting_str(inc, "team", team, sizeof(team)) ||
	    !reporting_str(inc, "district", district, sizeof(district)) ||
	    !reporting_str(inc, "category", category, sizeof(category)) ||
	    !reporting_int(inc, "severity", 1, 5, &severity) ||
	    !reporting_str(inc, "escalation", escalation, sizeof(escalation)) ||
	    !reporting_one_of(escalation, escalations) ||
	    !reporting_str(inc, "status", status, sizeof(status)) ||
	    !reporting_one_of(status, statuses) ||
	    !reporting_time(inc, "occurred_at", &occurred) ||
	    !reporting_time(inc, "received_at", &received))
		return reporting_refuse(rep, source, msg, type, type_len,
		    "an incident field is missing or malformed");
	if (!reporting_time(inc, "updated_at", &updated))
		updated = received;
	if (reporting_str(inc, "level", level, sizeof(level)) && !reporting_one_of(level, levels))
		level[0] = '\0';
	if (strcmp(status, "closed") == 0) {
		const msgpack_object *change = msg_map_get(msg, "change");

		if (change == NULL || !reporting_time(change, "at", &closed_at))
			closed_at = updated;
	}
	if ((st = db_stmt(rep->db,
	    "INSERT INTO incidents (number, team, district, category, severity, level,"
	    " needs_external, needs_reinforcement, involves_minors, police_report, orosanmalan,"
	    " escalation, status, occurred_at, received_at, updated_at, closed_at, partners)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	    " ?18)"
	    " ON CONFLICT (number) DO UPDATE SET team = ?2, district = ?3, category = ?4,"
	    " severity = ?5, level = ?6, needs_external = ?7, needs_reinforcement = ?8,"
	    " involves_minors = ?9, police_report = ?10, orosanmalan = ?11, escalation = ?12,"
	    " status = ?13, occurred_at = ?14, received_at = ?15, updated_at = ?16, partners = ?18,"
	    " closed_at = CASE WHEN ?13 = 'open' THEN NULL"
	    "   ELSE coalesce(incidents.closed_at, ?17) END")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, district, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, severity);
	if (level[0])
		sqlite3_bind_text(st, 6, level, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, reporting_flag(inc, "needs_external"));
	sqlite3_bind_int(st, 8, reporting_flag(inc, "needs_reinforcement"));
	sqlite3_bind_int(st, 9, reporting_flag(inc, "involves_minors"));
	sqlite3_bind_int(st, 10, reporting_flag(inc, "police_report"));
	sqlite3_bind_int(st, 11, reporting_flag(inc, "orosanmalan"));
	sqlite3_bind_text(st, 12, escalation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, occurred);
	sqlite3_bind_int64(st, 15, received);
	sqlite3_bind_int64(st, 16, updated);
	if (closed_at)
		sqlite3_bind_int64(st, 17, closed_at);
	reporting_partners(inc, &partners);
	if (partners.len > 0)
		sqlite3_bind_text(st, 18, partners.data, (int)partners.len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	buf_free(&partners);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* escalation.changed: the escalation's latest state, and the events counted. 0, 1 or -1. */
static int
reporting_apply_escalation(reporting_t *rep, const char *source, const msgpack_object *msg,
    const char *type, size_t type_len)
{
	static const char *const actions[] = {"created", "step", "unanswered", "acked",
	    "resolved", "note", "notify_failed", NULL};
	const msgpack_object *esc = msg_map_get(msg, "escalation"), *oh;
	char action[16], incident[40], kind[16], status[16], target[REPORTING_KEY_MAX];
	char team[REPORTING_KEY_MAX], district[128], category[REPORTING_KEY_MAX];
	int64_t id, severity, step, created, acked = 0, resolved = 0;
	sqlite3_stmt *st;
	int rc;

	if (!reporting_str(msg, "action", action, sizeof(action)) ||
	    !reporting_one_of(action, actions))
		return reporting_refuse(rep, source, msg, type, type_len, "unknown action");
	if (esc == NULL || esc->type != MSGPACK_OBJECT_MAP ||
	    !reporting_int(esc, "id", 1, INT64_MAX, &id) ||
	    !reporting_str(esc, "incident", incident, sizeof(incident)) ||
	    !reporting_str(esc, "kind", kind, sizeof(kind)) ||
	    !reporting_str(esc, "status", status, sizeof(status)) ||
	    !reporting_str(esc, "target", target, sizeof(target)) ||
	    !reporting_str(esc, "team", team, sizeof(team)) ||
	    !reporting_str(esc, "district", district, sizeof(district)) ||
	    !reporting_str(esc, "category", category, sizeof(category)) ||
	    !reporting_int(esc, "severity", 1, 5, &severity) ||
	    !reporting_int(esc, "step", 0, 1000, &step) ||
	    !reporting_time(esc, "created_at", &created) ||
	    (oh = msg_map_get(esc, "office_hours")) == NULL ||
	    oh->type != MSGPACK_OBJECT_BOOLEAN)
		return reporting_refuse(rep, source, msg, type, type_len,
		    "an escalation field is missing or malformed");
	(void)reporting_time(esc, "acked_at", &acked);
	(void)reporting_time(esc, "resolved_at", &resolved);
	if ((st = db_stmt(rep->db,
	    "INSERT INTO escalations (id, incident, kind, status, target, team, district,"
	    " category, severity, office_hours, step, steps, notify_failed, created_at,"
	    " acked_at, resolved_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
	    " ON CONFLICT (id) DO UPDATE SET incident = ?2, kind = ?3, status = ?4,"
	    " target = ?5, team = ?6, district = ?7, category = ?8, severity = ?9,"
	    " office_hours = ?10, step = ?11, steps = escalations.steps + ?12,"
	    " notify_failed = escalations.notify_failed + ?13, created_at = ?14,"
	    " acked_at = ?15, resolved_at = ?16")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, incident, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, district, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, severity);
	sqlite3_bind_int(st, 10, oh->via.boolean);
	sqlite3_bind_int64(st, 11, step);
	sqlite3_bind_int(st, 12, strcmp(action, "step") == 0);
	sqlite3_bind_int(st, 13, strcmp(action, "notify_failed") == 0);
	sqlite3_bind_int64(st, 14, created);
	if (acked)
		sqlite3_bind_int64(st, 15, acked);
	if (resolved)
		sqlite3_bind_int64(st, 16, resolved);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
reporting_store_apply(void *ctx, const char *source, const char *type, size_t type_len,
    const msgpack_object *msg)
{
	reporting_t *rep = ctx;

	switch (wire_msg_type(type, type_len)) {
	case WMSG_INCIDENT_CREATED:
	case WMSG_INCIDENT_UPDATED:
		return reporting_apply_incident(rep, source, msg, type, type_len);
	case WMSG_ESCALATION_CHANGED:
		return reporting_apply_escalation(rep, source, msg, type, type_len);
	default:
		return reporting_refuse(rep, source, msg, type, type_len, "unknown message type");
	}
}
