/*
 * test_retention.c: retention (gallring) on real daemons, on crafted dates.
 *
 * The daemons run on the fake clock (TRYGG_TEST_NOW): incidents A and C
 * are written and closed on 2024-03-01 12:00Z, B on 2024-03-03 00:00:30Z;
 * then all three daemons start on 2026-03-02 00:00Z, so that with the
 * default 24 months A and C are 12 hours past their time and B is a day
 * inside it. A's and C's text is gone in trygg-intake and A's copy in
 * trygg-escalation, B keeps everything, every other field stays, the
 * report for 2024-03 is the same as before, and each erasure is an entry
 * of the audit chain. Then a backlog of 200,001 old incidents put into the
 * file directly is erased in slices while submits keep being answered:
 * the audit chain shows submits between the erasures.
 */
#include "harness.h"
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define WAIT_MS 30000
#define ERASED  "(gallrad)"
#define BACKLOG 200000

static const char *const order[] = {"escalation", "reporting", "intake"};
static const harness_daemon_t daemons[] = {H_ESCALATION, H_REPORTING, H_INTAKE};

static void
start_all(harness_t *h, const char *now)
{
	setenv("TRYGG_TEST_NOW", now, 1);
	for (int i = 0; i < 3; i++)
		if (harness_start(h, daemons[i]) < 0) {
			fprintf(stderr, "cannot start trygg-%s\n", order[i]);
			exit(1);
		}
	unsetenv("TRYGG_TEST_NOW");
}

static void
stop_all(harness_t *h)
{
	for (int i = 2; i >= 0; i--)
		CHECK(harness_kill(h, daemons[i], SIGTERM) == 0);
}

static const char *
submit(harness_t *h, const char *id, bool external)
{
	static char number[40];
	pack_t *p = harness_req("submit");
	const msgpack_object *r;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Skäggetorp");
	pack_kv_str(p, "category", "skadegorelse");
	pack_kv_int(p, "severity", 3);
	pack_kv_str(p, "summary", "Hot mot Anna Svensson vid entrén");
	pack_kv_str(p, "reporter", "fältsekreterare Bertil");
	pack_kv_str(p, "details", "Anna bor på Skäggetorpsvägen 3");
	pack_kv_str(p, "location", "Skäggetorpsvägen 3");
	pack_key(p, "partners");
	pack_array_open(p);
	pack_str(p, "polis");
	pack_str(p, "Annas skola");
	pack_array_close(p);
	if (external)
		pack_kv_bool(p, "needs_external", true);
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	snprintf(number, sizeof(number), "%s", r && h_ok(r) ? h_str(h_get(r, "incident"), "number") : "");
	return number;
}

static void
note(harness_t *h, const char *number, bool close)
{
	pack_t *p = harness_req("update");
	const msgpack_object *r;

	pack_kv_str(p, "number", number);
	pack_kv_str(p, "by", "samordnare Cecilia");
	pack_kv_str(p, "note", "Pratat med Annas mamma");
	if (close)
		pack_kv_str(p, "status", "closed");
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	CHECK(h_ok(r));
	pack_destroy(&p);
}

/* The incident as get shows it, as a JSON-ish string of the fields kept, and flags. */
typedef struct {
	char kept[512];         /* number, team, district, category, severity, status, times */
	char summary[128], reporter[128], by[128];
	bool details, location, partners, note;
} seen_t;

static bool
get(harness_t *h, const char *number, seen_t *s)
{
	pack_t *p = harness_req("get");
	const msgpack_object *r, *inc, *hist;

	pack_kv_str(p, "number", number);
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	memset(s, 0, sizeof(*s));
	if (r == NULL || !h_ok(r) || (inc = h_get(r, "incident")) == NULL)
		return false;
	/* h_str's copies live for eight calls: two writes */
	snprintf(s->kept, sizeof(s->kept), "%s|%s|%s|%s|%lld|", h_str(inc, "number"),
	    h_str(inc, "team"), h_str(inc, "district"), h_str(inc, "category"),
	    h_int(inc, "severity"));
	snprintf(s->kept + strlen(s->kept), sizeof(s->kept) - strlen(s->kept),
	    "%s|%s|%s|%s|%s", h_str(inc, "status"), h_str(inc, "occurred_at"),
	    h_str(inc, "received_at"), h_str(inc, "updated_at"), h_str(inc, "escalation"));
	snprintf(s->summary, sizeof(s->summary), "%s", h_str(inc, "summary"));
	snprintf(s->reporter, sizeof(s->reporter), "%s", h_str(inc, "reporter"));
	s->details = h_get(inc, "details") != NULL;
	s->location = h_get(inc, "location") != NULL;
	s->partners = h_get(inc, "partners") != NULL;
	if ((hist = h_get(inc, "history")) != NULL && hist->type == MSGPACK_OBJECT_ARRAY) {
		for (uint32_t i = 0; i < hist->via.array.size; i++) {
			const msgpack_object *e = &hist->via.array.ptr[i];

			if (strcmp(h_str(e, "action"), "note") == 0 ||
			    strcmp(h_str(e, "action"), "closed") == 0) {
				snprintf(s->by, sizeof(s->by), "%s", h_str(e, "by"));
				s->note |= h_get(e, "note") != NULL;
			}
		}
	}
	return true;
}

/* The content of the lagesbild report for 2024-03, malloc'd. */
static char *
report(harness_t *h)
{
	pack_t *p = harness_req("report");
	const msgpack_object *r;
	char *out;

	pack_kv_str(p, "kind", "lagesbild");
	pack_kv_str(p, "period", "2024-03");
	pack_map_close(p);
	r = harness_call(h, H_REPORTING, p);
	pack_destroy(&p);
	out = strdup(r && h_ok(r) ? h_str(r, "content") : "");
	return out;
}

TEST(exactly_the_expired_text_is_erased_everywhere)
{
	harness_t *h = harness_new(NULL);
	char in[512], esc[512], rep[512], a[40], b[40], c[40], sql[512], *before, *after;
	seen_t sa, sb, sc, now_a, now_b, now_c;
	char *out = NULL;
	const char *verify[] = {"audit", "verify", NULL};

	snprintf(in, sizeof(in), "%s/data/incidents.db", h->dir);
	snprintf(esc, sizeof(esc), "%s/data/escalations.db", h->dir);
	snprintf(rep, sizeof(rep), "%s/data/reporting.db", h->dir);

	/* A and C: written and closed on 2024-03-01 */
	start_all(h, "2024-03-01T12:00:00Z");
	snprintf(a, sizeof(a), "%s", submit(h, "ret-a", true));
	snprintf(c, sizeof(c), "%s", submit(h, "ret-c", false));
	CHECK(a[0] && c[0]);
	note(h, a, true);
	note(h, c, true);
	CHECK_INT(test_sql_wait(esc, "SELECT count(*) FROM events WHERE action = 'note'", 1,
	    WAIT_MS), 1);
	CHECK_INT(test_sql_wait(rep, "SELECT count(*) FROM incidents WHERE status = 'closed'", 2,
	    WAIT_MS), 2);
	stop_all(h);

	/* B: a day and a half later, still open */
	start_all(h, "2024-03-03T00:00:30Z");
	snprintf(b, sizeof(b), "%s", submit(h, "ret-b", true));
	CHECK(b[0]);
	note(h, b, false);
	CHECK_INT(test_sql_wait(esc, "SELECT count(*) FROM events WHERE action = 'note'", 2,
	    WAIT_MS), 2);
	CHECK_INT(test_sql_wait(rep, "SELECT count(*) FROM incidents", 3, WAIT_MS), 3);
	CHECK(get(h, a, &sa) && get(h, b, &sb) && get(h, c, &sc));
	CHECK(sa.details && sa.location && sa.partners && sa.note);
	before = report(h);
	CHECK(strstr(before, "\"incidents\"") != NULL);
	stop_all(h);

	/* two years on: cutoff 2024-03-02 00:00Z */
	start_all(h, "2026-03-02T00:00:00Z");
	CHECK_INT(test_sql_wait(in, "SELECT count(*) FROM erasures", 2, WAIT_MS), 2);
	CHECK_INT(test_sql_wait(esc, "SELECT count(*) FROM erasures", 1, WAIT_MS), 1);
	/* recorded at the daemons' time (2026-03-02T00:00:00Z and on) */
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM erasures WHERE at >= 1772409600000"), 2);
	CHECK_INT(test_sql_int(esc, "SELECT count(*) FROM erasures WHERE at >= 1772409600000"), 1);
	CHECK(get(h, a, &now_a) && get(h, b, &now_b) && get(h, c, &now_c));

	/* A and C: the text is gone, everything else is as it was */
	CHECK_STR(now_a.kept, sa.kept);
	CHECK_STR(now_c.kept, sc.kept);
	CHECK_STR(now_a.summary, ERASED);
	CHECK_STR(now_a.reporter, ERASED);
	CHECK_STR(now_a.by, ERASED);
	CHECK(!now_a.details && !now_a.location && !now_a.partners && !now_a.note);
	CHECK_STR(now_c.summary, ERASED);
	CHECK(!now_c.details && !now_c.note);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM incidents WHERE summary LIKE '%Anna%' OR "
	    "details IS NOT NULL OR location IS NOT NULL"), 1);  /* B's */
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM history WHERE note LIKE '%Anna%'"), 1);

	/* B, a day inside its time: untouched */
	CHECK_STR(now_b.kept, sb.kept);
	CHECK_STR(now_b.summary, sb.summary);
	CHECK_STR(now_b.reporter, sb.reporter);
	CHECK_STR(now_b.by, "samordnare Cecilia");
	CHECK(now_b.details && now_b.location && now_b.partners && now_b.note);

	/* trygg-escalation: A's copy erased, B's kept */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM escalations WHERE incident = '%s' AND "
	    "summary = '" ERASED "' AND location IS NULL", a);
	CHECK_INT(test_sql_int(esc, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events v JOIN escalations e ON "
	    "e.id = v.escalation WHERE e.incident = '%s' AND (v.note IS NOT NULL OR "
	    "(v.action = 'note' AND v.by IS NOT NULL))", a);
	CHECK_INT(test_sql_int(esc, sql), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM escalations WHERE incident = '%s' AND "
	    "summary LIKE '%%Anna%%' AND location IS NOT NULL", b);
	CHECK_INT(test_sql_int(esc, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events v JOIN escalations e ON "
	    "e.id = v.escalation WHERE e.incident = '%s' AND v.note LIKE '%%Anna%%'", b);
	CHECK_INT(test_sql_int(esc, sql), 1);

	/* the report counts what it counted */
	after = report(h);
	CHECK_STR(after, before);

	/* each erasure in the chain, by the daemon, and nothing for B */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE op = 'retention.erase' "
	    "AND actor = 'trygg-intake' AND (target = '%s' OR target = '%s')", a, c);
	CHECK_INT(test_sql_int(in, sql), 2);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE op = 'retention.erase' "
	    "AND target = '%s'", b);
	CHECK_INT(test_sql_int(in, sql), 0);
	CHECK_INT(test_sql_int(esc, "SELECT count(*) FROM audit WHERE op = 'retention.erase' AND "
	    "actor = 'trygg-escalation' AND target = (SELECT id FROM erasures)"), 1);
	CHECK_INT(harness_cli(h, &out, verify), 0);
	free(out);
	free(before);
	free(after);
	harness_destroy(&h);
}

TEST(a_backlog_is_erased_in_slices_between_submits)
{
	harness_t *h = harness_new(NULL);
	char in[512], sql[1024], id[32];
	long long erased = 0, answered = 0, refused = 0;

	snprintf(in, sizeof(in), "%s/data/incidents.db", h->dir);
	setenv("TRYGG_TEST_NOW", "2020-01-15T10:00:00Z", 1);
	CHECK(harness_start(h, H_INTAKE) == 0);
	unsetenv("TRYGG_TEST_NOW");
	CHECK(submit(h, "old-0", false)[0] != '\0');
	CHECK(harness_kill(h, H_INTAKE, SIGTERM) == 0);
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
	    "FROM n WHERE x < %d) INSERT INTO incidents (number, client_id, fingerprint, team,"
	    " district, category, severity, summary, reporter, details, location, occurred_at,"
	    " received_at, updated_at, escalation, status) SELECT printf('INC-2020-%%06d', x + 1),"
	    " 'old-' || x, fingerprint, team, district, category, severity, summary, reporter,"
	    " details, location, occurred_at, received_at, updated_at, escalation, status"
	    " FROM n, incidents WHERE incidents.row = 1", BACKLOG);
	test_sql_exec(in, sql);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM incidents"), BACKLOG + 1);

	/* now, on the real clock: the backlog is years old */
	CHECK(harness_start(h, H_INTAKE) == 0);
	for (int i = 0; erased < BACKLOG + 1 && i < 100000; i++) {
		snprintf(id, sizeof(id), "live-%d", i);
		if (submit(h, id, false)[0] != '\0')
			answered++;
		else
			refused++;
		if (i % 10 == 0)
			erased = test_sql_int(in, "SELECT count(*) FROM erasures");
	}
	erased = test_sql_wait(in, "SELECT count(*) FROM erasures", BACKLOG + 1, WAIT_MS);
	CHECK_INT(erased, BACKLOG + 1);
	CHECK_INT(refused, 0);
	CHECK(answered > 0);
	/* nothing new was erased */
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM erasures JOIN incidents USING (row) "
	    "WHERE client_id LIKE 'live-%'"), 0);
	/* submits were answered between the slices: their entries lie among the erasures' */
	CHECK(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'submit' AND seq > (SELECT "
	    "min(seq) FROM audit WHERE op = 'retention.erase') AND seq < (SELECT max(seq) "
	    "FROM audit WHERE op = 'retention.erase')") > 0);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'retention.erase'"),
	    BACKLOG + 1);
	/* a figure, not a check: how long the backlog took, and how many submits beside it */
	printf("# %d incidents erased in %lld ms, %lld submits answered meanwhile\n",
	    BACKLOG + 1, test_sql_int(in, "SELECT max(at) - min(at) FROM audit WHERE op = "
	    "'retention.erase'"), test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'submit' "
	    "AND seq > (SELECT min(seq) FROM audit WHERE op = 'retention.erase') AND seq < "
	    "(SELECT max(seq) FROM audit WHERE op = 'retention.erase')"));
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM incidents WHERE summary = '" ERASED "'"),
	    BACKLOG + 1);
	harness_destroy(&h);
}

TEST(a_shorter_period_is_configured_in_days)
{
	/* the configuration takes "N months" and durations; a bad one stops the daemon */
	harness_t *h = harness_new("retention:\n  incidents: 30d\n  escalations: 2 months\n");
	harness_t *bad = harness_new("retention:\n  incidents: soon\n");
	const char *const check[] = {"-n", NULL};
	char *out = NULL;

	CHECK_INT(harness_run(h, H_INTAKE, check, &out), 0);
	free(out);
	CHECK_INT(harness_run(bad, H_INTAKE, check, &out), 78);
	CHECK_HAS(out, "'incidents': expected a period such as 24 months or 90d");
	free(out);
	harness_destroy(&h);
	harness_destroy(&bad);
}

TEST_MAIN(exactly_the_expired_text_is_erased_everywhere,
    a_backlog_is_erased_in_slices_between_submits, a_shorter_period_is_configured_in_days)
