/*
 * test_numbering.c: incident numbers as the lean write path gives them out.
 *
 * A submit looks nothing up before its insert (the UNIQUE index on the
 * client id tells a retry), and after a start the next number comes from
 * the newest row, not from a scan of the year. Both must leave the
 * numbers of a year gapless and never given twice.
 */
#include "harness.h"
#include "test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static harness_t *
h(void)
{
	return harness_shared(NULL, H_INTAKE);
}

/* Submits id with severity; returns the incident's sequence number within its year, -1 when not ok. */
static long
submit(const char *id, int severity, const char **code, char year[5])
{
	pack_t *p = harness_req("submit");
	const msgpack_object *r;
	const char *number;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", severity);
	pack_kv_str(p, "summary", "Numrering");
	pack_kv_str(p, "reporter", "testare");
	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	if (code)
		*code = h_code(r);
	if (!h_ok(r))
		return -1;
	number = h_str(h_get(r, "incident"), "number");
	if (year) {
		memcpy(year, number + 4, 4);
		year[4] = '\0';
	}
	return strtol(number + 9, NULL, 10);
}

TEST(a_retry_and_a_conflict_take_no_number)
{
	const char *code;
	long a, again, b;

	a = submit("num-a", 2, NULL, NULL);
	CHECK(a > 0);
	again = submit("num-a", 2, NULL, NULL);            /* a retry: the same incident */
	CHECK_INT(again, a);
	CHECK_INT(submit("num-a", 3, &code, NULL), -1);    /* other content: a conflict */
	CHECK_STR(code, "conflict");
	b = submit("num-b", 2, NULL, NULL);
	CHECK_INT(b, a + 1);
}

/* Runs sql on the daemon's file (stopped); 0 or -1. */
static int
on_file(const char *sql)
{
	char path[600];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof(path), "%s/data/incidents.db", h()->dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "on_file: %s\n", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* A row that an earlier program wrote: number and received_at as given. */
static int
insert_row(const char *number, const char *client_id, long long received_at)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
	    "INSERT INTO incidents (number, client_id, fingerprint, team, district, category,"
	    " severity, summary, reporter, occurred_at, received_at, updated_at, escalation,"
	    " status) VALUES ('%s', '%s', 1, 'omradesteam-2', 'Ryd', 'ovrigt', 1, 's', 'r',"
	    " %lld, %lld, %lld, 'none', 'open')", number, client_id, received_at, received_at,
	    received_at);
	return on_file(sql);
}

TEST(numbers_go_on_from_the_newest_row_after_a_start)
{
	char year[5], number[32];
	long last;

	last = submit("num-restart-1", 1, NULL, year);
	CHECK(last > 0);
	/* after SIGKILL: the next number is the one after the last answered */
	CHECK_INT(WTERMSIG(harness_kill(h(), H_INTAKE, SIGKILL)), SIGKILL);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	CHECK_INT(submit("num-restart-2", 1, NULL, NULL), last + 1);

	/* the newest row decides, whatever number it has (not a count of rows) */
	harness_kill(h(), H_INTAKE, SIGTERM);
	snprintf(number, sizeof(number), "INC-%s-000500", year);
	CHECK_INT(insert_row(number, "num-planted-500", (long long)time(NULL) * 1000), 0);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	CHECK_INT(submit("num-restart-3", 1, NULL, NULL), 501);

	/* a newest row of another year (a clock set back): the year's own range decides */
	harness_kill(h(), H_INTAKE, SIGTERM);
	CHECK_INT(insert_row("INC-1999-000042", "num-planted-1999", (long long)time(NULL) * 1000),
	    0);
	CHECK_INT(harness_start(h(), H_INTAKE), 0);
	CHECK_INT(submit("num-restart-4", 1, NULL, NULL), 502);
}

TEST_MAIN(a_retry_and_a_conflict_take_no_number, numbers_go_on_from_the_newest_row_after_a_start)
