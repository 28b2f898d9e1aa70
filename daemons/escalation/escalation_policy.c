/*
 * escalation_policy.c: the escalation state machine.
 *
 * The policy is configured (escalation.policy, reinforcement_policy) and
 * decided when the escalation is made, then stored with it
 * (escalations.steps). By default, for an external incident, step 0 is
 * whoever is on call at that moment (common/oncall.h: the säkerhetschef in
 * office hours, the TiB on duty otherwise), step 1 that person's deputy
 * (the contact with role deputy, or the rota's deputy of the TiB), step 2
 * the beredskapssamordnare (role beredskap) when one is configured; for
 * reinforcement, step 0 is the other teams' coordinators, all at once.
 *
 *   from                 event                          to           function
 *   (none)               incident.created, beyond scope open, step 0   escalation_policy_create
 *   open, unanswered     renotify_every passed          same, attempt+1 escalation_fire
 *   open, not last step  ack_timeout passed             open, step+1  escalation_fire
 *   open, last step      ack_timeout passed             unanswered    escalation_fire
 *   open, unanswered     ack                            acked         escalation_policy_ack
 *   any but resolved     resolve, incident closed       resolved      escalation_policy_resolve
 *
 * Every notification is stored (escalation_notify.c) and leaves once
 * durable. The next deadline is escalations.next_at: the earlier of the
 * next re-notification and, while open, the step's ack deadline. Acked and
 * resolved escalations have none. The loop sleeps exactly until the
 * earliest (server_wake_at), with no polling tick; overdue deadlines after
 * a restart fire at once, once each.
 */
#include "escalation.h"
#include "log.h"
#include "oncall.h"
#include "ts.h"

#include <stdio.h>
#include <string.h>

/* One step's contacts, parsed from escalations.steps. */
typedef struct {
	char ids[ESCALATION_CONTACTS_MAX][64];
	int  n;
} step_t;

/* Reads step k of a steps string into out; returns the number of steps. */
static int
escalation_steps_parse(const char *steps, int k, step_t *out)
{
	int nsteps = 1, at = 0;

	out->n = 0;
	for (const char *p = steps; ; p++) {
		size_t len = strcspn(p, ",;");

		if (at == k && out->n < ESCALATION_CONTACTS_MAX && len > 0 &&
		    len < sizeof(out->ids[0])) {
			memcpy(out->ids[out->n], p, len);
			out->ids[out->n++][len] = '\0';
		}
		p += len;
		if (*p == '\0')
			break;
		if (*p == ';') {
			at++;
			nsteps++;
		}
	}
	return nsteps;
}

/* Appends one step (contacts joined by ',') to buf; steps are joined by ';'. */
static void
escalation_steps_add(char *buf, size_t len, const char *step)
{
	size_t used = strlen(buf);

	if (step[0] == '\0' || used + strlen(step) + 2 > len)
		return;
	snprintf(buf + used, len - used, "%s%s", used ? ";" : "", step);
}

/* The other teams' coordinators, joined by ',', into out. */
static void
escalation_coordinators(const cfg_t *cfg, const char *team, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < cfg->nteams; i++) {
		const cfg_team_t *t = &cfg->teams[i];

		if (strcmp(t->id, team) == 0 || t->coordinator == NULL || used >= len)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "," : "",
		    t->coordinator);
	}
}

/*
 * Decides the steps of a new escalation into buf from the configured
 * policy (cfg.h: escalation.policy, escalation.reinforcement_policy); a
 * step that names nobody (no deputy) is left out. 0, or -1 when nobody at
 * all can be named.
 */
static int
escalation_steps_decide(escalation_t *esc, bool external, const char *team, int64_t now,
    char *buf, size_t len, const char **target, bool *office, char *reason, size_t rlen)
{
	const cfg_t *cfg = esc->cfg;
	char step[256];

	buf[0] = '\0';
	if (external) {
		oncall_t oc;
		const cfg_contact_t *deputy = NULL;
		char err[256];

		if (oncall_decide(cfg, esc->tz, now, &oc, err, sizeof(err)) < 0) {
			log_warn("escalation_steps_decide: %s", err);
			return -1;
		}
		*target = oc.target;
		*office = oc.office_hours;
		snprintf(reason, rlen, "%s", oc.reason);
		if (oc.office_hours)
			deputy = cfg_contact_by_role(cfg, CFG_ROLE_DEPUTY);
		else if (oc.has_duty && oc.duty.deputy)
			deputy = cfg_contact(cfg, oc.duty.deputy, strlen(oc.duty.deputy));
		for (size_t i = 0; i < cfg->escalation.npolicy; i++) {
			const char *w = cfg->escalation.policy[i];

			if (strcmp(w, "oncall") == 0)
				escalation_steps_add(buf, len, oc.contact->id);
			else if (strcmp(w, "deputy") == 0)
				escalation_steps_add(buf, len, deputy && strcmp(deputy->id,
				    oc.contact->id) != 0 ? deputy->id : "");
			else
				escalation_steps_add(buf, len, w);
		}
		return buf[0] ? 0 : -1;
	}
	*target = "coordinators";
	*office = false;
	snprintf(reason, rlen, "reinforcement from the other teams");
	for (size_t i = 0; i < cfg->escalation.nreinforcement_policy; i++) {
		const char *w = cfg->escalation.reinforcement_policy[i];

		if (strcmp(w, "coordinators") == 0) {
			escalation_coordinators(cfg, team, step, sizeof(step));
			escalation_steps_add(buf, len, step);
		} else {
			escalation_steps_add(buf, len, w);
		}
	}
	return buf[0] ? 0 : -1;
}

/* Stores a notification for each contact of the escalation's current step. */
static int
escalation_notify_step(escalation_t *esc, int64_t id, const char *steps, int step,
    int attempt, int64_t now, int64_t ack_by)
{
	step_t st;

	escalation_steps_parse(steps, step, &st);
	for (int i = 0; i < st.n; i++)
		if (escalation_notify_queue(esc, id, step, attempt, st.ids[i], now, ack_by) < 0)
			return -1;
	return 0;
}

static const char *
obj_str(const msgpack_object *map, const char *key, char *buf, size_t len)
{
	const msgpack_object *o = msg_map_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= len)
		return NULL;
	memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	return buf;
}

int
escalation_policy_create(escalation_t *esc, const msgpack_object *inc, int64_t now)
{
	char number[40], kind[20], team[64], district[128], category[64], status[16];
	char summary[1024], location[1024], steps[512], reason[256];
	const msgpack_object *sev = msg_map_get(inc, "severity");
	const char *target;
	bool office, external;
	sqlite3_stmt *st;
	int64_t id, ack_by = now + esc->cfg->escalation.ack_timeout_ms, next;
	int rc;

	if (!obj_str(inc, "number", number, sizeof(number)) ||
	    !obj_str(inc, "escalation", kind, sizeof(kind)) ||
	    !obj_str(inc, "team", team, sizeof(team)) ||
	    !obj_str(inc, "district", district, sizeof(district)) ||
	    !obj_str(inc, "category", category, sizeof(category)) ||
	    !obj_str(inc, "summary", summary, sizeof(summary)) ||
	    !obj_str(inc, "status", status, sizeof(status)) ||
	    sev == NULL || sev->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return 1;
	if (strcmp(kind, "external") != 0 && strcmp(kind, "reinforcement") != 0)
		return 0;       /* within the team's scope: nobody to tell */
	if (strcmp(status, "open") != 0)
		return 0;       /* closed before it reached us */
	external = strcmp(kind, "external") == 0;
	if (escalation_steps_decide(esc, external, team, now, steps, sizeof(steps), &target,
	    &office, reason, sizeof(reason)) < 0) {
		log_warn("escalation_policy_create: %s: nobody to notify", number);
		return 1;
	}
	next = now + (esc->cfg->escalation.renotify_every_ms < esc->cfg->escalation.ack_timeout_ms ?
	    esc->cfg->escalation.renotify_every_ms : esc->cfg->escalation.ack_timeout_ms);
	if ((st = db_stmt(esc->db,
	    "INSERT INTO escalations (incident, kind, status, team, district, category,"
	    " severity, summary, location, target, office_hours, reason, steps, step, attempt,"
	    " step_at, notified_at, next_at, created_at)"
	    " VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, 1,"
	    " ?13, ?13, ?14, ?13) ON CONFLICT (incident, kind) DO NOTHING")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, district, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)sev->via.u64);
	sqlite3_bind_text(st, 7, summary, -1, SQLITE_STATIC);
	if (obj_str(inc, "location", location, sizeof(location)))
		sqlite3_bind_text(st, 8, location, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, target, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, office);
	sqlite3_bind_text(st, 11, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, steps, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, now);
	sqlite3_bind_int64(st, 14, next);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(db_handle(esc->db)) == 0)
		return 0;       /* it has one already */
	id = sqlite3_last_insert_rowid(db_handle(esc->db));
	if (escalation_store_event(esc, id, now, "created", NULL, reason) < 0 ||
	    escalation_notify_step(esc, id, steps, 0, 1, now, ack_by) < 0)
		return -1;
	if (esc->srv)
		server_wake_at(esc->srv, next);
	return 0;
}

/* One escalation whose deadline has come. */
static int
escalation_fire(escalation_t *esc, int64_t id, int64_t now)
{
	const cfg_escalation_t *pol = &esc->cfg->escalation;
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT status, steps, step, attempt, step_at, notified_at FROM escalations WHERE id = ?1");
	char status[16], steps[512];
	int step, attempt, nsteps;
	int64_t step_at, notified_at, next, ack_by;
	step_t unused;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	snprintf(status, sizeof(status), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(steps, sizeof(steps), "%s", (const char *)sqlite3_column_text(st, 1));
	step = sqlite3_column_int(st, 2);
	attempt = sqlite3_column_int(st, 3);
	step_at = sqlite3_column_int64(st, 4);
	notified_at = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	nsteps = escalation_steps_parse(steps, 0, &unused);

	if (strcmp(status, ESC_OPEN) == 0 && now >= step_at + pol->ack_timeout_ms) {
		if (step + 1 < nsteps) {
			/* nobody acknowledged: the policy's next step */
			step++;
			attempt = 1;
			step_at = now;
			if (escalation_store_event(esc, id, now, "step", NULL, NULL) < 0)
				return -1;
		} else {
			/* the last step went unanswered: keep notifying it */
			snprintf(status, sizeof(status), "%s", ESC_UNANSWERED);
			attempt++;
			if (escalation_store_event(esc, id, now, "unanswered", NULL, NULL) < 0)
				return -1;
		}
	} else if (now >= notified_at + pol->renotify_every_ms) {
		attempt++;
	} else {
		/* not yet due (a deadline stored from an earlier configuration) */
		goto schedule;
	}
	notified_at = now;
	ack_by = strcmp(status, ESC_OPEN) == 0 ? step_at + pol->ack_timeout_ms :
	    now + pol->renotify_every_ms;
	if (escalation_notify_step(esc, id, steps, step, attempt, now, ack_by) < 0)
		return -1;
schedule:
	next = notified_at + pol->renotify_every_ms;
	if (strcmp(status, ESC_OPEN) == 0 && step_at + pol->ack_timeout_ms < next)
		next = step_at + pol->ack_timeout_ms;
	if (next <= now)
		next = now + 1;
	if ((st = db_stmt(esc->db,
	    "UPDATE escalations SET status = ?2, step = ?3, attempt = ?4, step_at = ?5,"
	    " notified_at = ?6, next_at = ?7 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, step);
	sqlite3_bind_int(st, 4, attempt);
	sqlite3_bind_int64(st, 5, step_at);
	sqlite3_bind_int64(st, 6, notified_at);
	sqlite3_bind_int64(st, 7, next);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t
escalation_policy_next(escalation_t *esc)
{
	int64_t next;

	return db_int(esc->db, "SELECT min(next_at) FROM escalations WHERE next_at IS NOT NULL",
	    INT64_MAX, &next) < 0 ? -1 : next;
}

int
escalation_policy_tick(escalation_t *esc, int64_t now)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT id FROM escalations WHERE next_at IS NOT NULL AND next_at <= ?1"
	    " ORDER BY next_at LIMIT ?2");
	int64_t due[ESCALATION_FIRE_MAX], next;
	int n = 0, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, ESCALATION_FIRE_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		due[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (int i = 0; i < n; i++)
		if (escalation_fire(esc, due[i], now) < 0)
			return -1;
	if ((next = escalation_policy_next(esc)) < 0)
		return -1;
	if (next != INT64_MAX)
		server_wake_at(esc->srv, next);
	return 0;
}

/* The status of an escalation into status; 0, 2 not found, -1. */
static int
escalation_status(escalation_t *esc, int64_t id, char *status, size_t len)
{
	sqlite3_stmt *st = db_stmt(esc->db, "SELECT status FROM escalations WHERE id = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(status, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 2 : -1;
}

/* Was contact ever notified of escalation id? 1, 0, -1. */
static int
escalation_was_notified(escalation_t *esc, int64_t id, const char *contact)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT 1 FROM notifications WHERE escalation = ?1 AND contact = ?2 LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, contact, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
escalation_policy_ack(escalation_t *esc, int64_t id, const char *by, int64_t now)
{
	char status[16];
	sqlite3_stmt *st;
	int rc, notified;

	if ((rc = escalation_status(esc, id, status, sizeof(status))) != 0)
		return rc;
	if (strcmp(status, ESC_OPEN) != 0 && strcmp(status, ESC_UNANSWERED) != 0)
		return 1;       /* acking twice is not an error */
	if ((notified = escalation_was_notified(esc, id, by)) < 0)
		return -1;
	if ((st = db_stmt(esc->db,
	    "UPDATE escalations SET status = 'acked', acked_at = ?2, acked_by = ?3,"
	    " acked_notified = ?4, next_at = NULL WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, notified);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* accepted from anyone who may act, but recorded when they were not asked */
	return escalation_store_event(esc, id, now, "acked", by,
	    notified ? NULL : "acknowledged by a contact who was not notified");
}

int
escalation_policy_resolve(escalation_t *esc, int64_t id, const char *by,
    const char *note, int64_t now)
{
	char status[16];
	sqlite3_stmt *st;
	int rc;

	if ((rc = escalation_status(esc, id, status, sizeof(status))) != 0)
		return rc;
	if (strcmp(status, ESC_RESOLVED) == 0)
		return 1;
	if ((st = db_stmt(esc->db,
	    "UPDATE escalations SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,"
	    " next_at = NULL WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return escalation_store_event(esc, id, now, "resolved", by, note);
}

/* The escalations of an incident (one per kind, so two at most) into ids; 0 or -1. */
static int
escalation_each_of_incident(escalation_t *esc, const char *number, int64_t ids[2], int *n)
{
	sqlite3_stmt *st = db_stmt(esc->db, "SELECT id FROM escalations WHERE incident = ?1");
	int rc;

	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < 2)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
escalation_policy_incident_closed(escalation_t *esc, const char *number,
    const char *by, int64_t now)
{
	int64_t ids[2];
	char note[160];
	int n;

	if (escalation_each_of_incident(esc, number, ids, &n) < 0)
		return -1;
	snprintf(note, sizeof(note), "the incident was closed in trygg-intake by %s", by);
	for (int i = 0; i < n; i++)
		if (escalation_policy_resolve(esc, ids[i], "incident-closed", note, now) < 0)
			return -1;
	return 0;
}

int
escalation_policy_incident_note(escalation_t *esc, const char *number,
    const char *by, const char *note, int64_t now)
{
	int64_t ids[2];
	int n;

	if (escalation_each_of_incident(esc, number, ids, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (escalation_store_event(esc, ids[i], now, "note", by, note) < 0)
			return -1;
	return 0;
}
