/*
 * test_jobs.c: trygg-reporting's scheduled reports, with the daemon's
 * clock put at chosen times (TRYGG_TEST_NOW): a job runs once for its
 * due time, not again across a restart, and a due time missed while the
 * daemon was down is caught up at start, once. The file written is the
 * report the report operation gives for the same period.
 *
 * No timing thresholds: each wait is generous and checks only what must
 * have happened.
 */
#include "harness.h"
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 20000

static const char config[] =
    "report_jobs:\n"
    "  - {id: vecka, kind: lagesbild, period: previous_week, format: csv,\n"
    "     schedule: \"weekly mon 07:00\", suppress: false}\n"
    "  - {id: ar, kind: annual, team: omradesteam-2, period: previous_year, format: json,\n"
    "     schedule: \"yearly 01-15 07:00\", output: arsrapporter}\n";

static harness_t *h;

static int
start_at(const char *now)
{
	int rc;

	setenv("TRYGG_TEST_NOW", now, 1);
	rc = harness_start(h, H_REPORTING);
	unsetenv("TRYGG_TEST_NOW");
	return rc;
}

/* the job's entry of the jobs operation, as "last_period" (or "" when it has not run) */
static const char *
job_field(const char *id, const char *key)
{
	static char out[256];
	pack_t *p = harness_req("jobs");
	const msgpack_object *r, *jobs;

	out[0] = '\0';
	pack_map_close(p);
	r = harness_call(h, H_REPORTING, p);
	pack_destroy(&p);
	if (r == NULL || (jobs = h_get(r, "jobs")) == NULL || jobs->type != MSGPACK_OBJECT_ARRAY)
		return out;
	for (uint32_t i = 0; i < jobs->via.array.size; i++)
		if (strcmp(h_str(&jobs->via.array.ptr[i], "id"), id) == 0)
			snprintf(out, sizeof(out), "%s", h_str(&jobs->via.array.ptr[i], key));
	return out;
}

/* Waits until the job has run for period; false if it did not within WAIT_MS. */
static bool
wait_period(const char *id, const char *period)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (strcmp(job_field(id, "last_period"), period) == 0)
			return true;
		usleep(100 * 1000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < WAIT_MS);
	return false;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static ino_t
inode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* the content of a report the daemon gives on request */
static char *
report(const char *kind, const char *period, const char *team, const char *format,
    bool suppress)
{
	pack_t *p = harness_req("report");
	const msgpack_object *r, *c;

	pack_kv_str(p, "kind", kind);
	pack_kv_str(p, "period", period);
	if (team)
		pack_kv_str(p, "team", team);
	pack_kv_str(p, "format", format);
	pack_kv_bool(p, "suppress", suppress);
	pack_map_close(p);
	r = harness_call(h, H_REPORTING, p);
	pack_destroy(&p);
	if (r == NULL || (c = h_get(r, "content")) == NULL || c->type != MSGPACK_OBJECT_STR)
		return NULL;
	return strndup(c->via.str.ptr, c->via.str.size);
}

TEST(test_once_and_catch_up)
{
	char week47[512], week48[512], year[512], *file, *want;
	ino_t ino47, ino_year;

	h = harness_new(config);
	snprintf(week47, sizeof(week47), "%s/data/reports/lagesbild-alla-2026-W47.csv", h->dir);
	snprintf(week48, sizeof(week48), "%s/data/reports/lagesbild-alla-2026-W48.csv", h->dir);
	snprintf(year, sizeof(year), "%s/data/arsrapporter/annual-omradesteam-2-2025.json", h->dir);

	/* Wednesday 25 November: the weekly job's last due time was Monday 07:00, for W47 */
	CHECK_INT(start_at("2026-11-25T12:00:00Z"), 0);
	CHECK(wait_period("vecka", "2026-W47"));
	CHECK(wait_period("ar", "2025"));
	CHECK_STR(job_field("vecka", "last_due"), "2026-11-23T06:00:00Z");
	CHECK_STR(job_field("vecka", "next_run"), "2026-11-30T06:00:00Z");
	CHECK_STR(job_field("ar", "next_run"), "2027-01-15T06:00:00Z");
	file = slurp(week47);
	want = report("lagesbild", "2026-W47", NULL, "csv", false);
	CHECK(file != NULL && want != NULL);
	if (file && want)
		CHECK_STR(file, want);
	free(file);
	free(want);
	file = slurp(year);
	/* the small-count rule is on by default for jobs */
	want = report("annual", "2025", "omradesteam-2", "json", true);
	CHECK(file != NULL && want != NULL);
	if (file && want)
		CHECK_STR(file, want);
	free(file);
	free(want);
	/* trygg jobs says the same */
	{
		char *out = NULL;

		CHECK_INT(harness_cli(h, &out, (const char *const[]){"jobs", NULL}), 0);
		CHECK_HAS(out, "vecka\tlagesbild alla previous_week csv, weekly mon 07:00\n"
		    "\tlast: 2026-11-23 07:00 CET for 2026-W47 at ");     /* local times */
		CHECK_HAS(out, "ar\tannual omradesteam-2 previous_year json, yearly 01-15 07:00\n");
		CHECK_HAS(out, "\tnext: 2027-01-15 07:00 CET\n");
		free(out);
	}
	ino47 = inode(week47);
	ino_year = inode(year);
	CHECK(ino47 != 0 && ino_year != 0);

	/* a restart at the same time: nothing is due that has not run */
	harness_kill(h, H_REPORTING, SIGTERM);
	CHECK_INT(start_at("2026-11-25T12:00:05Z"), 0);
	CHECK_STR(job_field("vecka", "last_period"), "2026-W47");
	CHECK_INT(inode(week47), ino47);
	CHECK_INT(inode(year), ino_year);

	/* down over Monday 30 November: caught up at start, for W48 only, once */
	harness_kill(h, H_REPORTING, SIGKILL);
	CHECK_INT(start_at("2026-12-09T12:00:00Z"), 0);
	/* the latest due time is 7 December (for W49): one run, not one per missed Monday */
	CHECK(wait_period("vecka", "2026-W49"));
	CHECK_INT(access(week48, F_OK), -1);
	CHECK_INT(inode(week47), ino47);
	CHECK_INT(inode(year), ino_year);
	CHECK_STR(job_field("vecka", "next_run"), "2026-12-14T06:00:00Z");
	harness_destroy(&h);
}

TEST(test_bad_job)
{
	harness_t *bad = harness_new("report_jobs:\n"
	    "  - {id: x, kind: weekly, team: omradesteam-9, period: last_week,\n"
	    "     schedule: \"weekly monday 07:00\"}\n");
	char *out = NULL;
	int rc = harness_cli(bad, &out, (const char *const[]){"config", "check", bad->config, NULL});

	CHECK_INT(rc, 78);
	CHECK_HAS(out, "'kind' must be one of: lagesbild, escalations, annual");
	CHECK_HAS(out, "'period' must be one of");
	CHECK_HAS(out, "'schedule': a weekly schedule's day is mon..sun");
	CHECK_HAS(out, "'team': no team has the id 'omradesteam-9'");
	free(out);
	harness_destroy(&bad);
}

TEST_MAIN(test_once_and_catch_up, test_bad_job)
