/*
 * escalation_retention.c: retention (gallring) in escalations.db.
 *
 * trygg-escalation keeps copies of an incident's free text: the summary
 * and location in escalations, the notes (intake's notes and their
 * authors, resolve notes, the notify commands' words) in events, and the
 * last output of a notify command in notifications.outcome. Once an
 * escalation's last activity (its newest event, acknowledgement or
 * resolution) is older than retention.escalations, these are erased:
 * summary and outcomes read ESCALATION_ERASED, location, notes and the
 * authors of notes become NULL. What reports and the state machine need
 * stays: incident number, kind, status, team, district, category,
 * severity, the steps, the contacts who acked or resolved, and every time.
 * The same clock as trygg-intake's (its last change), so both copies of a
 * case go at about the same time.
 *
 * Each erasure is recorded in the same transaction: a row of erasures (id,
 * incident, when), made here and not by escalation_store.c's schema, and
 * an audit entry (common/audit.h): actor the daemon, "retention.erase",
 * the escalation id as target.
 *
 * It runs from the tick hook on common/retention.h's pass, in slices of
 * ESCALATION_RETENTION_SCAN ids, at most ESCALATION_RETENTION_BATCH erased
 * each, requests taken between slices; at start-up and every
 * ESCALATION_RETENTION_EVERY_MS.
 */
#include "escalation.h"
#include "audit.h"
#include "retention.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const escalation_retention_schema =
	"CREATE TABLE IF NOT EXISTS erasures ("
	"  id       INTEGER PRIMARY KEY REFERENCES escalations (id),"
	"  incident TEXT NOT NULL,"
	"  at       INTEGER NOT NULL"
	");";

static int
escalation_retention_last(void *ctx, int64_t *id)
{
	escalation_t *esc = ctx;

	return db_int(esc->db, "SELECT max(id) FROM escalations", 0, id);
}

/*
 * retention_conf_t.expired: escalations whose last activity (the newest of
 * creation, ack, resolution and events) is older than cutoff
 */
static int
escalation_retention_expired(void *ctx, int64_t from, int64_t to, int64_t cutoff,
    int64_t *ids, int max)
{
	escalation_t *esc = ctx;

	return retention_select(esc->db, "SELECT e.id FROM escalations e"
	    " LEFT JOIN erasures x ON x.id = e.id"
	    " WHERE e.id > ?1 AND e.id <= ?2 AND x.id IS NULL"
	    " AND max(e.created_at, coalesce(e.acked_at, 0), coalesce(e.resolved_at, 0),"
	    "   coalesce((SELECT max(v.at) FROM events v WHERE v.escalation = e.id), 0)) < ?3"
	    " ORDER BY e.id LIMIT ?4", from, to, cutoff, ids, max);
}

/* retention_conf_t.erase: one escalation's text, and the record of it */
static int
escalation_retention_erase(void *ctx, int64_t id, int64_t now)
{
	escalation_t *esc = ctx;
	char target[32];
	audit_entry_t e = {now, ESCALATION_SERVICE, "retention.erase", target, "ok",
	    "escalations"};

	snprintf(target, sizeof(target), "%" PRId64, id);
	if (retention_exec(esc->db, "UPDATE escalations SET summary = '"
	    ESCALATION_ERASED "', location = NULL WHERE id = ?1", id) < 0 ||
	    retention_exec(esc->db, "UPDATE events SET note = NULL,"
	    " by = CASE WHEN action = 'note' THEN NULL ELSE by END WHERE escalation = ?1", id) < 0 ||
	    retention_exec(esc->db, "UPDATE notifications SET outcome = '"
	    ESCALATION_ERASED "' WHERE escalation = ?1 AND outcome IS NOT NULL", id) < 0)
		return -1;
	return retention_record(esc->db, "INSERT INTO erasures (id, incident, at)"
	    " SELECT id, incident, ?2 FROM escalations WHERE id = ?1", id, now, &e);
}

int
escalation_retention_open(escalation_t *esc, char *err, size_t errlen)
{
	retention_conf_t c = {
		.what = "escalations",
		.keep = &esc->cfg->retention.escalations,
		.db = esc->db,
		.srv = esc->srv,
		.batch = ESCALATION_RETENTION_BATCH,
		.scan = ESCALATION_RETENTION_SCAN,
		.every_ms = ESCALATION_RETENTION_EVERY_MS,
		.retry_ms = ESCALATION_RETENTION_RETRY_MS,
		.ctx = esc,
		.last = escalation_retention_last,
		.expired = escalation_retention_expired,
		.erase = escalation_retention_erase,
	};

	esc->retention = retention_open(&c, escalation_retention_schema, err, errlen);
	return esc->retention != NULL ? 0 : -1;
}

void
escalation_retention_close(escalation_t *esc)
{
	retention_destroy(&esc->retention);
}

int
escalation_retention_tick(escalation_t *esc, int64_t now)
{
	return retention_tick(esc->retention, now);
}
