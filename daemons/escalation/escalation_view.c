/*
 * escalation_view.c: an escalation as the wire shows it.
 *
 *	{"id", "incident", "kind", "status", "target", "contact": {"id","name"},
 *	 "contacts": [the ids the current step notifies],
 *	 "team", "district", "category", "severity", "summary", "office_hours",
 *	 "reason", "step", "attempt", "created_at", "next_at"?, "acked_at"?,
 *	 "acked_by"?, "resolved_at"?, "resolved_by"?,
 *	 full: "notifications": [the newest ESCALATION_VIEW_NOTIFY_MAX, oldest first],
 *	       "notifications_total", "history": [...]}
 *
 * An escalation that is never acknowledged is notified again for as long
 * as it lasts, so get shows a bounded window of its notifications.
 */
#include "escalation.h"

#include <string.h>

#define ESCALATION_VIEW_NOTIFY_MAX 100
#define ESCALATION_VIEW_HISTORY_MAX 200

static void
kv_opt_time(pack_t *p, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		pack_kv_time(p, key, sqlite3_column_int64(st, col));
}

static void
kv_opt_str(pack_t *p, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_NULL)
		pack_kv_str(p, key, (const char *)sqlite3_column_text(st, col));
}

static void
escalation_view_contact(escalation_t *esc, pack_t *p, const char *key, const char *id)
{
	const cfg_contact_t *c = cfg_contact(esc->cfg, id, strlen(id));

	pack_key(p, key);
	pack_map_open(p);
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "name", c ? c->name : id);
	pack_map_close(p);
}

static int
escalation_view_notifications(escalation_t *esc, int64_t id, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT contact, step, attempt, channel, at, ack_by, state, outcome,"
	    " (SELECT count(*) FROM notifications WHERE escalation = ?1) FROM"
	    " (SELECT * FROM notifications WHERE escalation = ?1 ORDER BY id DESC LIMIT ?2)"
	    " ORDER BY id");
	int64_t total = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, ESCALATION_VIEW_NOTIFY_MAX);
	pack_key(p, "notifications");
	pack_array_open(p);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pack_map_open(p);
		pack_kv_str(p, "contact", (const char *)sqlite3_column_text(st, 0));
		pack_kv_int(p, "step", sqlite3_column_int64(st, 1));
		pack_kv_int(p, "attempt", sqlite3_column_int64(st, 2));
		pack_kv_str(p, "channel", (const char *)sqlite3_column_text(st, 3));
		pack_kv_time(p, "at", sqlite3_column_int64(st, 4));
		pack_kv_time(p, "ack_by", sqlite3_column_int64(st, 5));
		pack_kv_str(p, "state", (const char *)sqlite3_column_text(st, 6));
		kv_opt_str(p, "outcome", st, 7);
		pack_map_close(p);
		total = sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	pack_array_close(p);
	pack_kv_int(p, "notifications_total", total);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
escalation_view_history(escalation_t *esc, int64_t id, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT at, action, by, note FROM events WHERE escalation = ?1 ORDER BY id LIMIT ?2");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, ESCALATION_VIEW_HISTORY_MAX);
	pack_key(p, "history");
	pack_array_open(p);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pack_map_open(p);
		pack_kv_time(p, "at", sqlite3_column_int64(st, 0));
		pack_kv_str(p, "action", (const char *)sqlite3_column_text(st, 1));
		kv_opt_str(p, "by", st, 2);
		kv_opt_str(p, "note", st, 3);
		pack_map_close(p);
	}
	sqlite3_reset(st);
	pack_array_close(p);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
escalation_view_pack(escalation_t *esc, int64_t id, bool full, pack_t *p)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT incident, kind, status, target, steps, team, district, category,"
	    " severity, summary, office_hours, reason, step, attempt, created_at, next_at,"
	    " acked_at, acked_by, resolved_at, resolved_by FROM escalations WHERE id = ?1");
	char first[64];
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 1 : -1;
	}
	pack_map_open(p);
	pack_kv_int(p, "id", id);
	pack_kv_str(p, "incident", (const char *)sqlite3_column_text(st, 0));
	pack_kv_str(p, "kind", (const char *)sqlite3_column_text(st, 1));
	pack_kv_str(p, "status", (const char *)sqlite3_column_text(st, 2));
	pack_kv_str(p, "target", (const char *)sqlite3_column_text(st, 3));
	{
		const char *steps = (const char *)sqlite3_column_text(st, 4), *q;
		size_t len = strcspn(steps, ",;");
		int step = sqlite3_column_int(st, 12);

		if (len >= sizeof(first))
			len = sizeof(first) - 1;
		memcpy(first, steps, len);
		first[len] = '\0';
		escalation_view_contact(esc, p, "contact", first);
		/* everyone the current step notifies (reinforcement: two coordinators) */
		for (q = steps; step > 0 && (q = strchr(q, ';')) != NULL; step--)
			q++;
		pack_key(p, "contacts");
		pack_array_open(p);
		while (q != NULL && *q != '\0' && *q != ';') {
			len = strcspn(q, ",;");
			pack_strn(p, q, len);
			q += len;
			if (*q == ',')
				q++;
		}
		pack_array_close(p);
	}
	pack_kv_str(p, "team", (const char *)sqlite3_column_text(st, 5));
	pack_kv_str(p, "district", (const char *)sqlite3_column_text(st, 6));
	pack_kv_str(p, "category", (const char *)sqlite3_column_text(st, 7));
	pack_kv_int(p, "severity", sqlite3_column_int64(st, 8));
	pack_kv_str(p, "summary", (const char *)sqlite3_column_text(st, 9));
	pack_kv_bool(p, "office_hours", sqlite3_column_int(st, 10) != 0);
	pack_kv_str(p, "reason", (const char *)sqlite3_column_text(st, 11));
	pack_kv_int(p, "step", sqlite3_column_int64(st, 12));
	pack_kv_int(p, "attempt", sqlite3_column_int64(st, 13));
	pack_kv_time(p, "created_at", sqlite3_column_int64(st, 14));
	kv_opt_time(p, "next_at", st, 15);
	kv_opt_time(p, "acked_at", st, 16);
	kv_opt_str(p, "acked_by", st, 17);
	kv_opt_time(p, "resolved_at", st, 18);
	kv_opt_str(p, "resolved_by", st, 19);
	sqlite3_reset(st);
	rc = 0;
	if (full && (escalation_view_notifications(esc, id, p) < 0 ||
	    escalation_view_history(esc, id, p) < 0))
		rc = -1;
	pack_map_close(p);
	return rc;
}
