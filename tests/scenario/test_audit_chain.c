/*
 * test_audit_chain.c: the audit trail on real daemons (common/audit.h).
 *
 * What a client does is found in each daemon's chain: writes with their
 * actor and target, refusals (reads and unknown operations too) counted,
 * a failed write's change gone with its entry; the daemons' own work
 * (escalation made) under their own name. Then the database files are
 * tampered with through plain sqlite3 connections while the daemon is
 * stopped, as someone with the files would, and `trygg audit verify`
 * names the entry and how, offline (--db) and through the restarted
 * daemon. The head a daemon writes to its log matches what verify reads.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define WAIT_MS 20000

static const char config[] = "";

/* Submits an incident; its number (static) or "" on failure. */
static const char *
submit(harness_t *h, const char *id, bool external)
{
	static char number[40];
	pack_t *p = harness_req("submit");
	const msgpack_object *r;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "skadegorelse");
	pack_kv_int(p, "severity", 2);
	pack_kv_str(p, "summary", "Krossad ruta vid Anna Svenssons port");
	pack_kv_str(p, "reporter", "fältsekreterare Bertil");
	if (external)
		pack_kv_bool(p, "needs_external", true);
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	snprintf(number, sizeof(number), "%s", r && h_ok(r) ? h_str(h_get(r, "incident"), "number") : "");
	return number;
}

static void
dbpath(harness_t *h, const char *file, char out[512])
{
	snprintf(out, 512, "%s/data/%s", h->dir, file);
}

/* Runs SQL on a plain connection with the triggers dropped, as an intruder would. */
static void
tamper(const char *path, const char *sql)
{
	test_sql_exec(path, "DROP TRIGGER IF EXISTS audit_no_update;"
	    "DROP TRIGGER IF EXISTS audit_no_delete;");
	test_sql_exec(path, sql);
}

/* Copies a database (WAL included) with VACUUM INTO. */
static void
copy_db(const char *from, const char *to)
{
	char sql[1200];

	unlink(to);
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", to);
	tamper(from, sql);
}

/* A request with an unknown field, a bad read, an unknown op: refused, each kind. */
static void
refuse(harness_t *h, int times)
{
	for (int i = 0; i < times; i++) {
		pack_t *p = harness_req("get");
		const msgpack_object *r;

		pack_kv_str(p, "number", "INC-1999-000001");
		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		CHECK_STR(h_code(r), "not_found");
		pack_destroy(&p);
		p = harness_req("no.such.op");
		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		CHECK_STR(h_code(r), "unknown_op");
		pack_destroy(&p);
	}
}

static harness_t *hh;
static char number1[40], number2[40];

static void
cleanup(void)
{
	harness_destroy(&hh);
}

static harness_t *
h(void)
{
	if (hh == NULL) {
		hh = harness_new(config);
		atexit(cleanup);
		if (harness_start(hh, H_ESCALATION) < 0 || harness_start(hh, H_REPORTING) < 0 ||
		    harness_start(hh, H_INTAKE) < 0) {
			fprintf(stderr, "cannot start the daemons\n");
			exit(1);
		}
	}
	return hh;
}

TEST(writes_and_refusals_are_in_the_chain)
{
	char in[512], esc[512], sql[512];
	pack_t *p;
	const msgpack_object *r;
	long long before;

	dbpath(h(), "incidents.db", in);
	dbpath(h(), "escalations.db", esc);
	snprintf(number1, sizeof(number1), "%s", submit(h(), "audit-1", true));
	snprintf(number2, sizeof(number2), "%s", submit(h(), "audit-2", false));
	CHECK(number1[0] != '\0' && number2[0] != '\0');
	/* a retried submit changes nothing and adds no entry */
	before = test_sql_int(in, "SELECT count(*) FROM audit");
	CHECK_STR(submit(h(), "audit-2", false), number2);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit"), before);

	p = harness_req("update");
	pack_kv_str(p, "number", number2);
	pack_kv_str(p, "by", "samordnare Cecilia");
	pack_kv_str(p, "note", "Pratat med Anna Svensson");
	pack_kv_str(p, "status", "closed");
	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	CHECK(h_ok(r));

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE op = 'submit' AND "
	    "actor = 'local' AND outcome = 'ok' AND target = '%s'", number1);
	CHECK_INT(test_sql_int(in, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE op = 'update' AND "
	    "target = '%s' AND detail = 'status=closed note'", number2);
	CHECK_INT(test_sql_int(in, sql), 1);
	/* no free text anywhere in the chain */
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE actor || op || target || "
	    "outcome || detail LIKE '%Anna%' OR detail LIKE '%Cecilia%' OR "
	    "detail LIKE '%Bertil%'"), 0);

	/*
	 * Refusals: a flood of two kinds leaves at most two entries per kind
	 * and minute, and every refusal is counted. What is still counted is
	 * written when the daemon stops.
	 */
	before = test_sql_int(in, "SELECT count(*) FROM audit");
	refuse(h(), 100);
	/* answered before any dispatch: a frame that is no msgpack map */
	r = harness_call_raw(h(), H_INTAKE, "\xc1garbage", 8);
	CHECK_STR(h_code(r), "bad_request");
	CHECK(harness_kill(h(), H_INTAKE, SIGTERM) == 0);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = '?' AND outcome = "
	    "'bad_request' AND actor = 'unknown'"), 1);
	CHECK_INT(test_sql_int(in, "SELECT sum(CASE WHEN detail LIKE 'count=%' THEN "
	    "CAST(substr(detail, 7) AS INTEGER) ELSE 1 END) FROM audit WHERE op = 'get' AND "
	    "outcome = 'not_found' AND actor = 'local'"), 100);
	CHECK_INT(test_sql_int(in, "SELECT sum(CASE WHEN detail LIKE 'count=%' THEN "
	    "CAST(substr(detail, 7) AS INTEGER) ELSE 1 END) FROM audit WHERE op = '?' AND "
	    "outcome = 'unknown_op'"), 100);
	/* two kinds, each at most a first and a count per minute; a minute may turn */
	CHECK(test_sql_int(in, "SELECT count(*) FROM audit") - before <= 2 * 2 * 2 + 1);
	CHECK(harness_start(h(), H_INTAKE) == 0);

	/* the daemon's own work, under its own name */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE actor = "
	    "'trygg-escalation' AND op = 'escalation.created'");
	CHECK(test_sql_wait(esc, sql, 1, WAIT_MS) == 1);
	CHECK(test_sql_int(esc, "SELECT count(*) FROM audit WHERE op = 'link.deliver' AND "
	    "outcome = 'ok'") >= 1);
}

TEST(a_failed_write_leaves_neither_change_nor_entry)
{
	harness_t *f;
	char in[512];
	const char *number;

	f = harness_new(config);
	harness_setenv(f, "TRYGG_TEST_FAIL_ID", "audit-fails");
	CHECK(harness_start(f, H_INTAKE) == 0);
	dbpath(f, "incidents.db", in);
	number = submit(f, "audit-fails", false);
	CHECK_STR(number, "");
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM incidents"), 0);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'submit'"
	    " AND outcome = 'ok'"), 0);
	CHECK(submit(f, "audit-works", false)[0] != '\0');
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'submit'"
	    " AND outcome = 'ok'"), 1);
	/* the refusal itself is recorded, at the latest when the daemon stops */
	CHECK(harness_kill(f, H_INTAKE, SIGTERM) == 0);
	CHECK_INT(test_sql_int(in, "SELECT count(*) FROM audit WHERE op = 'submit' AND "
	    "outcome = 'internal'"), 1);
	harness_destroy(&f);
}

TEST(verify_says_intact_for_every_daemon)
{
	char *out = NULL;
	const char *args[] = {"audit", "verify", NULL};
	int rc = harness_cli(h(), &out, args);

	CHECK_INT(rc, 0);
	CHECK_HAS(out, "trygg-intake: intact");
	CHECK_HAS(out, "trygg-escalation: intact");
	CHECK_HAS(out, "trygg-reporting: intact");
	free(out);
}

/* One tampering of a copy of incidents.db, and what verify --db must say. */
static const struct {
	const char *sql;
	const char *expect;
} tamperings[] = {
	{"UPDATE audit SET target = 'INC-2026-999999' WHERE seq = 2",
	    "changed at entry 2: entry 2 was changed"},
	{"INSERT INTO audit SELECT seq + 1, at, actor, op, target, outcome, detail, hash, hash"
	    " FROM audit WHERE seq = (SELECT max(seq) FROM audit)", "inserted at entry"},
	{"DELETE FROM audit WHERE seq = 3", "removed at entry 3: entry 3 is missing"},
	{"DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)", "removed from the end"},
};

TEST(verify_names_what_was_tampered_with)
{
	char in[512], copy[600], *out = NULL;
	long long last;

	dbpath(h(), "incidents.db", in);
	CHECK(harness_kill(h(), H_INTAKE, SIGTERM) == 0);
	last = test_sql_int(in, "SELECT max(seq) FROM audit");
	CHECK(last > 3);
	for (size_t i = 0; i < sizeof(tamperings) / sizeof(tamperings[0]); i++) {
		const char *args[] = {"audit", "verify", "--db", copy, NULL};
		int rc;

		snprintf(copy, sizeof(copy), "%s/copy-%zu.db", h()->dir, i);
		copy_db(in, copy);
		rc = harness_cli(h(), &out, args);
		CHECK_INT(rc, 0);               /* the copy is intact before */
		free(out);
		tamper(copy, tamperings[i].sql);
		rc = harness_cli(h(), &out, args);
		CHECK_INT(rc, 1);
		if (strstr(out, tamperings[i].expect) == NULL)
			test_fail(__FILE__, __LINE__, "%s: got \"%s\", expected \"%s\"",
			    tamperings[i].sql, out, tamperings[i].expect);
		free(out);
	}
	/* the live file, and the restarted daemon says so itself */
	tamper(in, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)");
	CHECK(harness_start(h(), H_INTAKE) == 0);
	{
		const char *args[] = {"audit", "verify", NULL};
		char want[128];
		int rc = harness_cli(h(), &out, args);

		snprintf(want, sizeof(want), "trygg-intake: NOT INTACT: removed at entry %lld", last);
		CHECK_INT(rc, 1);
		CHECK_HAS(out, want);
		CHECK_HAS(out, "trygg-escalation: intact");
		free(out);
	}
}

TEST(the_head_goes_to_the_log)
{
	char esc[512], want[200], hash[80] = "";
	char *log;
	sqlite3 *c;
	sqlite3_stmt *st;
	long long seq = -1;

	dbpath(h(), "escalations.db", esc);
	CHECK(harness_kill(h(), H_ESCALATION, SIGTERM) == 0);
	CHECK(sqlite3_open_v2(esc, &c, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	if (sqlite3_prepare_v2(c, "SELECT seq, hash FROM audit_head", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			seq = sqlite3_column_int64(st, 0);
			snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(c);
	CHECK(seq > 0);
	snprintf(want, sizeof(want), "audit head: entry %lld, hash %s", seq, hash);
	log = harness_log(h(), H_ESCALATION);
	CHECK_HAS(log, want);
	free(log);
}

TEST_MAIN(writes_and_refusals_are_in_the_chain, a_failed_write_leaves_neither_change_nor_entry,
    verify_says_intact_for_every_daemon, verify_names_what_was_tampered_with,
    the_head_goes_to_the_log)
