/*
 * reporting_jobs.c: scheduled reports (configuration key "report_jobs").
 *
 * Each job has a schedule in local time (common/schedule.h). At every
 * tick the job's latest due time is compared with the one it last ran
 * for (table job_runs); when it is newer, the job runs once for it:
 *
 *   state            event                        to          function
 *   ran for due D    a due time D' > D passes     runs for D'  reporting_jobs_run
 *   (never ran)      start, or a tick             runs for the latest due time
 *   runs for D'      file written and renamed     ran for D'  (job_runs, same transaction)
 *   runs for D'      the file cannot be written   ran for D   retried after REPORTING_JOB_RETRY_MS
 *
 * Like anacron, a daemon that was down when a job fell due runs it at
 * start, once, for the latest due time it missed (not once per missed
 * time). The period is relative to the due time's local date: the
 * previous week, month, quarter, tertial or year before it.
 *
 * Once only: the file is written (to NAME.tmp, synced, renamed over NAME)
 * before the record of the run is committed. A crash between the rename
 * and the commit runs the job again at start, which writes the same file
 * under the same name from the same data, so no second file appears.
 * Names say kind, team and period: lagesbild-omradesteam-1-2026-W47.html,
 * annual-alla-2026.html.
 *
 * The report is built on the writer's connection, inside the tick's
 * transaction, so it sees every event committed before it.
 */
#include "reporting.h"
#include "audit.h"
#include "dir.h"
#include "log.h"
#include "schedule.h"
#include "ts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The period a job's run for due covers. */
static void
reporting_jobs_period(const reporting_t *rep, const cfg_job_t *job, int64_t due, period_t *p)
{
	static const struct { const char *name; period_kind_t kind; } rel[] = {
		{"previous_week", PERIOD_WEEK}, {"previous_month", PERIOD_MONTH},
		{"previous_quarter", PERIOD_QUARTER}, {"previous_tertial", PERIOD_TERTIAL},
		{"previous_year", PERIOD_YEAR},
	};
	period_kind_t kind = PERIOD_WEEK;
	period_t cur;
	tz_local_t l;

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if (strcmp(job->period, rel[i].name) == 0)
			kind = rel[i].kind;
	tz_local(rep->tz, due, &l);
	period_of_day(kind, l.civil_day, &cur);
	period_previous(&cur, p);
}

static rformat_t
reporting_jobs_format(const cfg_job_t *job)
{
	for (int f = 0; reporting_formats[f]; f++)
		if (strcmp(reporting_formats[f], job->format) == 0)
			return (rformat_t)f;
	return RF_HTML;
}

/* Writes data to path through path.tmp, synced and renamed; 0, or -1 with errno. */
static int
reporting_jobs_write(const char *dir, const char *path, const char *data, size_t len)
{
	char tmp[4300];
	int fd, dfd, saved;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	/* the rename itself is on disk once the folder is synced */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

/* The due time job last ran for, or INT64_MIN; -1 on error (with *due untouched). */
static int
reporting_jobs_last(reporting_t *rep, const char *id, int64_t *due, int64_t *ran_at,
    char *file, size_t filelen)
{
	sqlite3_stmt *st = db_stmt(rep->db, "SELECT due, ran_at, file FROM job_runs WHERE job = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	*due = INT64_MIN;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*due = sqlite3_column_int64(st, 0);
		if (ran_at)
			*ran_at = sqlite3_column_int64(st, 1);
		if (file)
			snprintf(file, filelen, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Runs one job for due. 0 done, 1 the file could not be written (retry), -1 store failure. */
static int
reporting_jobs_run(reporting_t *rep, const cfg_job_t *job, int64_t due, int64_t now)
{
	rformat_t f = reporting_jobs_format(job);
	buf_t out = BUF_INIT;
	period_t p;
	char dir[4096], path[4200];
	sqlite3_stmt *st;
	int rc;

	reporting_jobs_period(rep, job, due, &p);
	if (reporting_make(rep, job->kind, &p, job->team, job->suppress, f, &out) < 0) {
		buf_free(&out);
		return -1;
	}
	if (job->output[0] == '/')
		snprintf(dir, sizeof(dir), "%s", job->output);
	else
		snprintf(dir, sizeof(dir), "%s/%s", rep->cfg->data_dir, job->output);
	snprintf(path, sizeof(path), "%s/%s-%s-%s.%s", dir, job->kind,
	    job->team ? job->team : "alla", p.name, reporting_formats[f]);
	if (dir_make(dir, 0750) < 0 ||
	    reporting_jobs_write(dir, path, buf_str(&out), out.len) < 0) {
		log_warn("reporting_jobs_run: job %s: writing %s: %s; retried in %d min", job->id,
		    path, strerror(errno), REPORTING_JOB_RETRY_MS / 60000);
		buf_free(&out);
		return 1;
	}
	buf_free(&out);
	if ((st = db_stmt(rep->db,
	    "INSERT INTO job_runs (job, due, ran_at, file) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (job) DO UPDATE SET due = ?2, ran_at = ?3, file = ?4")) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, job->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, due);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	/* the run in the audit trail, with the job's id (configuration, no personal data) */
	{
		audit_entry_t e = {now, REPORTING_SERVICE, "job.run", job->id, "ok", p.name};

		if (audit_append(rep->db, &e) < 0)
			return -1;
	}
	log_info("job %s: wrote %s", job->id, path);
	return 0;
}

int
reporting_jobs_tick(reporting_t *rep, int64_t now)
{
	int64_t wake = INT64_MAX;

	for (size_t i = 0; i < rep->cfg->njobs; i++) {
		const cfg_job_t *job = &rep->cfg->jobs[i];
		int64_t due = schedule_last(&job->schedule, rep->tz, now), last, next;
		int rc = 0;

		if (reporting_jobs_last(rep, job->id, &last, NULL, NULL, 0) < 0)
			return -1;
		if (due != INT64_MIN && due > last &&
		    (rc = reporting_jobs_run(rep, job, due, now)) < 0)
			return -1;
		next = rc == 1 ? now + REPORTING_JOB_RETRY_MS :
		    schedule_next(&job->schedule, rep->tz, now);
		if (next < wake)
			wake = next;
	}
	if (wake != INT64_MAX)
		server_wake_at(rep->srv, wake);
	return 0;
}

int
reporting_jobs_op(void *ctx, const msg_t *m, pack_t *reply)
{
	reporting_t *rep = ctx;
	wire_err_t err;
	int64_t now = ts_now();

	if (msg_fields(m, NULL, 0, NULL, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_key(reply, "jobs");
	pack_array_open(reply);
	for (size_t i = 0; i < rep->cfg->njobs; i++) {
		const cfg_job_t *job = &rep->cfg->jobs[i];
		int64_t last, ran_at = 0, due = schedule_last(&job->schedule, rep->tz, now);
		char file[4096] = "";
		period_t p;

		if (reporting_jobs_last(rep, job->id, &last, &ran_at, file, sizeof(file)) < 0) {
			pack_reset(reply);
			wire_err_set(&err, WERR_INTERNAL, NULL, "the reporting store failed");
			pack_reply_error(reply, &err, msg_req(m));
			return 0;
		}
		pack_map_open(reply);
		pack_kv_str(reply, "id", job->id);
		pack_kv_str(reply, "kind", job->kind);
		pack_key(reply, "team");
		pack_str(reply, job->team);
		pack_kv_str(reply, "period", job->period);
		pack_kv_str(reply, "format", job->format);
		pack_kv_bool(reply, "suppress", job->suppress);
		pack_kv_str(reply, "schedule", job->schedule_text);
		pack_kv_str(reply, "output", job->output);
		if (last != INT64_MIN) {
			reporting_jobs_period(rep, job, last, &p);
			pack_kv_time(reply, "last_due", last);
			pack_kv_time(reply, "last_run", ran_at);
			pack_kv_str(reply, "last_period", p.name);
			pack_kv_str(reply, "last_file", file);
		}
		/* a due time not yet run for (the daemon is catching up) is the next */
		pack_kv_time(reply, "next_run", due != INT64_MIN && due > last ? due :
		    schedule_next(&job->schedule, rep->tz, now));
		pack_map_close(reply);
	}
	pack_array_close(reply);
	pack_map_close(reply);
	return 0;
}
