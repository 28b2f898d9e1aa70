/*
 * test_cli_escalation.c: the trygg commands of the people on call (ack,
 * resolve, escalations, watch, status, and the escalation that get and
 * submit show), against a real trygg-intake and trygg-escalation: what
 * they print on stdout and stderr, their exit status, and their --json
 * output read back as JSON.
 *
 * The daemons' clock (and the client's) stands on a Wednesday in office
 * hours (TRYGG_TEST_NOW), so the säkerhetschef is the one notified and the
 * local times are CET. ack_timeout and renotify_every are long: nothing
 * moves unless a test moves it. No assertion is about durations; each wait
 * is bounded and generous.
 */
#include "buf.h"
#include "harness.h"
#include "json_in.h"
#include "mem.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOW       "2026-12-02T10:00:00+01:00"   /* a Wednesday, office hours */
#define WAIT_MS   20000                         /* for anything that must happen */
#define HANG_MS   60000                         /* no run of the client takes longer */

static const char config[] =
    "escalation:\n"
    "  ack_timeout: 1h\n"
    "  renotify_every: 30m\n";

typedef struct {
	int   status;
	char *out, *err;
} run_t;

static harness_t *H;
static run_t R;                 /* the last run of the client */

static void
stop(void)
{
	harness_destroy(&H);
	json_free();
	free(R.out);
	free(R.err);
}

static harness_t *
start(const char *now)
{
	harness_t *h;

	setenv("TRYGG_TEST_NOW", now, 1);
	h = harness_new(config);
	if (harness_start(h, H_INTAKE) < 0 || harness_start(h, H_ESCALATION) < 0 ||
	    harness_start(h, H_REPORTING) < 0) {
		fprintf(stderr, "cannot start trygg-intake, trygg-escalation and trygg-reporting\n");
		exit(1);
	}
	return h;
}

static harness_t *
h(void)
{
	if (H == NULL) {
		H = start(NOW);
		atexit(stop);
	}
	return H;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* ---- running the client ---- */

static int
run_on(harness_t *hh, const char *const *args)
{
	char out_path[320], err_path[320];
	int fd;
	pid_t pid;

	snprintf(out_path, sizeof(out_path), "%s/run.out", hh->dir);
	snprintf(err_path, sizeof(err_path), "%s/run.err", hh->dir);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid = harness_cli_spawn(hh, args, fd, err_path);
	close(fd);
	R.status = harness_cli_wait(pid, HANG_MS);
	free(R.out);
	free(R.err);
	R.out = harness_slurp(out_path);
	R.err = harness_slurp(err_path);
	return R.status;
}

#define RUN(...) run_on(h(), (const char *const[]){__VA_ARGS__, NULL})

#define CHECK_RUN(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, \
    "CHECK(%s); exit %d\n      stdout: %s\n      stderr: %s", #cond, R.status, \
    R.out, R.err); } while (0)

/* Submits with the required options and any extra; returns the number (static ring). */
#define SUBMIT(id, district, category, severity, ...) \
	submit_(h(), (const char *const[]){"submit", "--id", id, "--district", district, \
	    "--category", category, "--severity", severity, "--summary", \
	    "Brand i soprum, rök i trapphuset", "--reporter", "fältsekreterare A", \
	    __VA_ARGS__ NULL}, __LINE__)

static const char *
submit_(harness_t *hh, const char *const *args, int line)
{
	static char number[8][16];
	static int next;
	char *n = number[next++ % 8];

	run_on(hh, args);
	snprintf(n, 16, "%.15s", R.out);
	if (R.status != 0 || strncmp(n, "INC-", 4) != 0)
		test_fail(__FILE__, line, "submit: exit %d\n      stdout: %s\n      stderr: %s",
		    R.status, R.out, R.err);
	return n;
}

/* The escalation id in "escalation N" of the last run's stdout, or -1. */
static long
out_escalation(void)
{
	const char *p = strstr(R.out, "escalation ");

	while (p && (p[11] < '0' || p[11] > '9'))
		p = strstr(p + 1, "escalation ");
	return p ? strtol(p + 11, NULL, 10) : -1;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* the line of s that contains needle, as a copy in a static buffer, or "" */
static const char *
line_with(const char *s, const char *needle)
{
	static char line[1024];
	const char *p = strstr(s, needle), *b, *e;

	line[0] = '\0';
	if (p == NULL)
		return line;
	for (b = p; b > s && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e ? e - b : (long)strlen(b)), b);
	return line;
}

/* ---- submit and get ---- */

TEST(submit_reports_the_escalation_or_nothing_for_team_scope)
{
	char num[16];
	const char *l;

	snprintf(num, sizeof(num), "%s", SUBMIT("sub-ext", "Skäggetorp", "brand", "5",));
	CHECK_RUN(strstr(R.out, "escalation: external") != NULL);
	l = line_with(R.out, "notified");
	CHECK_RUN(*l != '\0');
	CHECK_HAS(l, "(external, open)");
	CHECK_HAS(l, "Säkerhetschef (sakerhetschef)");
	CHECK_HAS(l, "at 2026-12-02 10:");
	CHECK_HAS(l, "CET");
	CHECK_HAS(l, "ack by 11:");
	CHECK_RUN(out_escalation() > 0);
	CHECK_STR(R.err, "");

	/* reinforcement: the other two teams' coordinators */
	SUBMIT("sub-reinf", "Berga", "ordningsstorning", "2", "--needs-reinforcement",);
	l = line_with(R.out, "notified");
	CHECK_HAS(l, "(reinforcement, open)");
	CHECK_HAS(l, "samordnare-ot1");
	CHECK_HAS(l, "samordnare-ot2");
	CHECK_RUN(strstr(l, "samordnare-ot3") == NULL);

	/* team scope: nothing about an escalation but that there is none */
	SUBMIT("sub-none", "Ryd", "nedskrapning", "1",);
	CHECK_INT(count_lines(R.out), 3);
	CHECK_RUN(strstr(R.out, "escalation: none") != NULL);
	CHECK_RUN(strstr(R.out, "nobody else is notified") != NULL);
	CHECK_RUN(strstr(R.out, "notif") == strstr(R.out, "nobody else is notified") + 15);

	/* --json: the reply with the escalation beside it, times in RFC 3339 */
	CHECK_INT(RUN("--json", "submit", "--id", "sub-json", "--district", "Ryd", "--category",
	    "hot_och_vald", "--severity", "5", "--summary", "Hot mot personal",
	    "--reporter", "trygghetsvärd C"), 0);
	{
		const msgpack_object *doc = json_parse(R.out), *e;

		CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
		CHECK_STR(h_str(h_get(doc, "incident"), "escalation"), "external");
		CHECK_INT(arr_len(h_get(doc, "escalations")), 1);
		e = arr_at(h_get(doc, "escalations"), 0);
		CHECK_STR(h_str(e, "kind"), "external");
		CHECK_STR(h_str(h_get(e, "contact"), "id"), "sakerhetschef");
		CHECK_INT(arr_len(h_get(e, "notifications")), 1);
		CHECK_STR(h_str(arr_at(h_get(e, "notifications"), 0), "contact"), "sakerhetschef");
		CHECK(strlen(h_str(e, "created_at")) == 20 && h_str(e, "created_at")[19] == 'Z');
		CHECK(h_get(doc, "escalation_error") == NULL);
	}
	/* a team-scope incident's --json is intake's reply, as before */
	CHECK_INT(RUN("--json", "submit", "--id", "sub-none", "--district", "Ryd", "--category",
	    "nedskrapning", "--severity", "1", "--summary", "Brand i soprum, rök i trapphuset",
	    "--reporter", "fältsekreterare A"), 0);
	CHECK_RUN(h_bool(json_parse(R.out), "duplicate"));
	CHECK(h_get(json_parse(R.out), "escalations") == NULL);
}

TEST(get_shows_the_escalation_beside_the_incident)
{
	char num[16], id[24];
	const msgpack_object *doc, *e;

	snprintf(num, sizeof(num), "%s", SUBMIT("get-ext", "Lambohov", "brand", "4",));
	snprintf(id, sizeof(id), "%ld", out_escalation());
	CHECK_INT(RUN("get", num), 0);
	CHECK_STR(R.err, "");
	CHECK_RUN(strstr(R.out, "Lambohov") != NULL);               /* the incident ... */
	CHECK_RUN(strstr(R.out, "history:") != NULL);
	CHECK_HAS(R.out, ": external, open (step 1, attempt 1)");       /* ... and beside it */
	CHECK_HAS(line_with(R.out, "target"), "sakerhetschef: Säkerhetschef (sakerhetschef)");
	CHECK_HAS(line_with(R.out, "acknowledged"), "not yet");
	CHECK_HAS(R.out, "notified:");
	CHECK_HAS(line_with(R.out, "step 1, attempt 1  pub"), "2026-12-02 10:");
	CHECK_HAS(line_with(R.out, "step 1, attempt 1  pub"), "Säkerhetschef (sakerhetschef)");
	CHECK_HAS(line_with(R.out, "step 1, attempt 1  pub"), "ack by 11:");

	CHECK_INT(RUN("ack", id, "--by", "sakerhetschef"), 0);
	CHECK_INT(RUN("get", num), 0);
	CHECK_HAS(R.out, ": external, acked (step 1, attempt 1)");
	CHECK_HAS(line_with(R.out, "acknowledged"), "by Säkerhetschef (sakerhetschef)");
	CHECK_HAS(line_with(R.out, "acknowledged"), "2026-12-02 10:");

	CHECK_INT(RUN("get", num, "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	CHECK_STR(h_str(h_get(doc, "incident"), "number"), num);
	CHECK_INT(arr_len(h_get(doc, "escalations")), 1);
	e = arr_at(h_get(doc, "escalations"), 0);
	CHECK_STR(h_str(e, "status"), "acked");
	CHECK_STR(h_str(e, "acked_by"), "sakerhetschef");
	CHECK(arr_len(h_get(e, "history")) >= 2);

	/* a team-scope incident shows no escalation */
	snprintf(num, sizeof(num), "%s", SUBMIT("get-none", "Ryd", "nedskrapning", "1",));
	CHECK_INT(RUN("get", num), 0);
	CHECK_RUN(strstr(R.out, "notified") == NULL);
	CHECK_INT(RUN("get", num, "--json"), 0);
	CHECK_INT(arr_len(h_get(json_parse(R.out), "escalations")), 0);
}

/* ---- ack and resolve ---- */

TEST(ack_and_resolve_say_who_and_when)
{
	char id[24];
	const msgpack_object *doc;

	SUBMIT("ack-1", "Berga", "narkotika", "4",);
	snprintf(id, sizeof(id), "%ld", out_escalation());
	CHECK_INT(RUN("ack", id, "--by", "sakerhetschef"), 0);
	CHECK_STR(R.err, "");
	CHECK_HAS(R.out, "acknowledged by Säkerhetschef (sakerhetschef) at 2026-12-02 10:");
	CHECK_HAS(R.out, "CET");
	CHECK_INT(count_lines(R.out), 1);
	/* twice is not an error */
	CHECK_INT(RUN("ack", id, "--by", "sakerhetschef"), 0);
	CHECK_HAS(R.out, "already acknowledged by Säkerhetschef (sakerhetschef)");
	CHECK_INT(RUN("--json", "ack", id, "--by", "sakerhetschef"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	CHECK(h_get(doc, "changed") && !h_bool(doc, "changed"));
	CHECK_STR(h_str(h_get(doc, "escalation"), "status"), "acked");

	CHECK_INT(RUN("resolve", id, "--by", "sakerhetschef", "--note", "Polisen på plats"), 0);
	CHECK_HAS(R.out, "resolved by Säkerhetschef (sakerhetschef) at 2026-12-02 10:");
	CHECK_INT(RUN("resolve", id, "--by", "sakerhetschef", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL);
	CHECK_STR(h_str(h_get(doc, "escalation"), "status"), "resolved");
	CHECK_STR(h_str(h_get(doc, "escalation"), "resolved_by"), "sakerhetschef");
	CHECK_INT(RUN("ack", id, "--by", "sakerhetschef"), 0);
	CHECK_HAS(R.out, "already resolved");
	/* the note reached the history */
	CHECK_INT(RUN("escalations", "--json", "--status", "resolved"), 0);
	CHECK(arr_len(h_get(json_parse(R.out), "escalations")) >= 1);
}

TEST(ack_and_resolve_errors)
{
	char id[24];

	SUBMIT("ack-err", "Ryd", "brand", "3",);
	snprintf(id, sizeof(id), "%ld", out_escalation());
	/* unknown escalation: not found */
	CHECK_INT(RUN("ack", "999999", "--by", "sakerhetschef"), 1);
	CHECK_HAS(R.err, "not_found");
	CHECK_STR(R.out, "");
	CHECK_INT(RUN("resolve", "999999", "--by", "sakerhetschef"), 1);
	CHECK_HAS(R.err, "not_found");
	/* --json: the error reply on stdout, its message on stderr too */
	CHECK_INT(RUN("--json", "ack", "999999", "--by", "sakerhetschef"), 1);
	CHECK_STR(h_str(h_get(json_parse(R.out), "error"), "code"), "not_found");
	CHECK_HAS(R.err, "not_found");
	/* a contact that is not configured */
	CHECK_INT(RUN("ack", id, "--by", "nobody"), 64);
	CHECK_HAS(R.err, "invalid_field");
	CHECK_HAS(R.err, "--by");
	/* usage */
	CHECK_INT(RUN("ack", id), 64);
	CHECK_HAS(R.err, "usage: trygg ack");
	CHECK_INT(RUN("ack", "--by", "sakerhetschef"), 64);
	CHECK_INT(RUN("ack", "sjutton", "--by", "sakerhetschef"), 64);
	CHECK_HAS(R.err, "sjutton");
	CHECK_INT(RUN("ack", "0", "--by", "sakerhetschef"), 64);
	CHECK_INT(RUN("ack", id, "--by", "sakerhetschef", "--note", "x"), 64);
	CHECK_HAS(R.err, "--note");
	CHECK_INT(RUN("resolve", id, id, "--by", "sakerhetschef"), 64);
	CHECK_INT(RUN("resolve", id, "--by", "sakerhetschef", "--frobnicate"), 64);
}

/* ---- escalations ---- */

TEST(escalations_list_has_a_header_and_aligned_columns)
{
	char num[16];
	const msgpack_object *doc;
	const char *line, *hdr;
	size_t col_status, col_created;
	int rows = 0;

	snprintf(num, sizeof(num), "%s", SUBMIT("list-1", "Malmslätt", "brand", "4",));
	SUBMIT("list-2", "Skäggetorp", "hot_och_vald", "5",);
	CHECK_INT(RUN("escalations"), 0);
	CHECK_STR(R.err, "");
	hdr = R.out;
	CHECK_RUN(strncmp(hdr, "ID ", 3) == 0);
	line = line_with(R.out, "ID ");
	CHECK_HAS(line, "INCIDENT");
	CHECK_HAS(line, "SUMMARY");
	col_status = (size_t)(strstr(line, "STATUS") - line);
	col_created = (size_t)(strstr(line, "CREATED") - line);
	/* every row has its status and its local time under the headers */
	for (const char *p = strchr(R.out, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		char row[1024];
		const char *e = strchr(p + 1, '\n');

		snprintf(row, sizeof(row), "%.*s", (int)(e ? e - p - 1 : (long)strlen(p + 1)), p + 1);
		if (strncmp(row, "(more", 5) == 0)
			continue;
		rows++;
		CHECK(strlen(row) > col_created);
		CHECK(strncmp(row + col_status, "open", 4) == 0 ||
		    strncmp(row + col_status, "acked", 5) == 0 ||
		    strncmp(row + col_status, "resolved", 8) == 0 ||
		    strncmp(row + col_status, "unanswered", 10) == 0);
		CHECK(strncmp(row + col_created, "2026-12-02 1", 12) == 0);
	}
	CHECK(rows >= 2);

	/* one incident's */
	CHECK_INT(RUN("escalations", "--incident", num), 0);
	CHECK_INT(count_lines(R.out), 2);
	CHECK_HAS(R.out, num);
	CHECK_HAS(R.out, "Malmslätt");
	/* by status */
	CHECK_INT(RUN("escalations", "--status", "open", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	for (uint32_t i = 0; i < arr_len(h_get(doc, "escalations")); i++)
		CHECK_STR(h_str(arr_at(h_get(doc, "escalations"), i), "status"), "open");
	CHECK(arr_len(h_get(doc, "escalations")) >= 2);
	/* pages */
	CHECK_INT(RUN("escalations", "--limit", "1"), 0);
	CHECK_INT(count_lines(R.out), 3);
	CHECK_HAS(R.out, "(more: trygg escalations --before ");
	CHECK_INT(RUN("escalations", "--limit", "1", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_INT(arr_len(h_get(doc, "escalations")), 1);
	CHECK(h_int(doc, "next") > 0);
	{
		char before[24];

		snprintf(before, sizeof(before), "%lld", h_int(doc, "next"));
		CHECK_INT(RUN("escalations", "--before", before, "--json"), 0);
		doc = json_parse(R.out);
		CHECK(h_int(arr_at(h_get(doc, "escalations"), 0), "id") < atoll(before));
	}
	/* nothing */
	CHECK_INT(RUN("escalations", "--incident", "INC-1999-000001"), 0);
	CHECK_STR(R.out, "no escalations\n");
	/* errors */
	CHECK_INT(RUN("escalations", "--status", "sleeping"), 64);
	CHECK_HAS(R.err, "invalid_field");
	CHECK_HAS(R.err, "--status");
	CHECK_INT(RUN("escalations", "--limit", "0"), 64);
	CHECK_INT(RUN("escalations", "--before", "x"), 64);
	CHECK_INT(RUN("escalations", "extra"), 64);
}

/* ---- status ---- */

TEST(status_shows_every_daemon_and_its_links)
{
	const msgpack_object *doc, *d;

	CHECK_INT(RUN("status"), 0);
	CHECK_STR(R.err, "");
	CHECK_HAS(line_with(R.out, "trygg-intake"), "up");
	CHECK_HAS(line_with(R.out, "trygg-intake"), "version 0.1.0");
	CHECK_HAS(line_with(R.out, "trygg-escalation"), "up");
	CHECK_HAS(line_with(R.out, "trygg-reporting"), "up");
	CHECK_HAS(R.out, "link → escalation: backlog");
	CHECK_RUN(strstr(R.out, "WARNING") == NULL);
	CHECK_INT(RUN("status", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	d = h_get(h_get(doc, "daemons"), "trygg-intake");
	CHECK(h_bool(d, "up"));
	CHECK_STR(h_str(d, "service"), "trygg-intake");
	CHECK(h_int(d, "uptime_s") >= 0);
	CHECK(h_int(d, "db_bytes") > 0);
	CHECK(h_get(h_get(h_get(d, "links"), "escalation"), "backlog") != NULL);
	CHECK(h_bool(h_get(h_get(doc, "daemons"), "trygg-escalation"), "up"));
	CHECK(h_bool(h_get(h_get(doc, "daemons"), "trygg-reporting"), "up"));
	CHECK_INT(RUN("status", "now"), 64);
}

/*
 * With trygg-escalation down: get still shows the incident and says so in
 * one line, submit says the incident is stored, status exits non-zero, and
 * a backlog older than a minute (intake restarted two minutes later on its
 * clock) is a warning.
 */
TEST(escalation_down_get_submit_and_status_say_so)
{
	harness_t *hh = start("2026-12-02T22:00:00+01:00");
	const char *const sub[] = {"submit", "--id", "down-1", "--district", "Ryd",
	    "--category", "brand", "--severity", "5", "--summary", "Brand i förråd",
	    "--reporter", "r", NULL};
	static const char *const direct[][8] = {
		{"ack", "1", "--by", "tib-1", NULL},
		{"resolve", "1", "--by", "tib-1", NULL},
		{"escalations", NULL},
	};
	pid_t pids[3];
	char num[16], path[3][320];
	const msgpack_object *doc;

	harness_kill(hh, H_ESCALATION, SIGKILL);
	/* the commands that only talk to trygg-escalation wait out their retries meanwhile */
	for (int i = 0; i < 3; i++) {
		int fd;

		snprintf(path[i], sizeof(path[i]), "%s/direct-%d", hh->dir, i);
		fd = open(path[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		pids[i] = harness_cli_spawn(hh, direct[i], fd, path[i]);
		close(fd);
	}
	snprintf(num, sizeof(num), "%s", submit_(hh, sub, __LINE__));
	CHECK_HAS(line_with(R.out, "escalation: unknown"), "trygg-escalation does not answer");
	CHECK_HAS(R.out, "stored");
	CHECK_INT(run_on(hh, (const char *const[]){"get", num, NULL}), 0);
	CHECK_HAS(R.out, "Brand i förråd");
	CHECK_HAS(R.out, "history:");
	CHECK_HAS(R.out, "escalation: unknown, trygg-escalation does not answer");
	CHECK_INT(run_on(hh, (const char *const[]){"get", num, "--json", NULL}), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL);
	CHECK_STR(h_str(h_get(doc, "incident"), "number"), num);
	CHECK(*h_str(doc, "escalation_error") != '\0');

	CHECK_INT(run_on(hh, (const char *const[]){"status", NULL}), 69);
	CHECK_HAS(line_with(R.out, "trygg-escalation"), "DOWN");
	CHECK_HAS(line_with(R.out, "trygg-intake"), "up");
	CHECK_HAS(R.err, "down");
	CHECK_INT(run_on(hh, (const char *const[]){"status", "--json", NULL}), 69);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && !h_bool(doc, "ok"));
	CHECK(!h_bool(h_get(h_get(doc, "daemons"), "trygg-escalation"), "up"));

	for (int i = 0; i < 3; i++) {
		char *err;

		CHECK_INT(harness_cli_wait(pids[i], HANG_MS), 69);
		err = harness_slurp(path[i]);
		CHECK_HAS(err, hh->endpoint[H_ESCALATION]);
		free(err);
	}

	/* the outbox row is two minutes old on intake's clock */
	harness_kill(hh, H_INTAKE, SIGTERM);
	setenv("TRYGG_TEST_NOW", "2026-12-02T22:02:00+01:00", 1);
	CHECK(harness_start(hh, H_INTAKE) == 0);
	CHECK_INT(run_on(hh, (const char *const[]){"status", NULL}), 69);
	CHECK_HAS(line_with(R.out, "WARNING"), "trygg-intake → escalation");
	CHECK_HAS(line_with(R.out, "link → escalation"), "backlog 1");
	/* escalation back: the link drains, the warning goes */
	CHECK(harness_start(hh, H_ESCALATION) == 0);
	for (int i = 0; i < WAIT_MS / 100; i++) {
		if (run_on(hh, (const char *const[]){"status", NULL}) == 0 &&
		    strstr(line_with(R.out, "link → escalation"), "backlog 0") != NULL)
			break;
		sleep_ms(100);
	}
	CHECK_INT(R.status, 0);
	/* (the link to reporting, which is not running here, may still warn) */
	CHECK_RUN(strstr(R.out, "WARNING: trygg-intake → escalation") == NULL);
	harness_destroy(&hh);
	setenv("TRYGG_TEST_NOW", NOW, 1);
}

/* ---- watch ---- */

typedef struct {
	pid_t pid;
	int   fd;               /* the read end of its stdout */
	buf_t out;
	char  err_path[320];
} watch_t;

static void
watch_start(watch_t *w, harness_t *hh, const char *const *args)
{
	int p[2];

	memset(w, 0, sizeof(*w));
	if (pipe(p) < 0)
		abort();
	snprintf(w->err_path, sizeof(w->err_path), "%s/watch.err", hh->dir);
	w->pid = harness_cli_spawn(hh, args, p[1], w->err_path);
	close(p[1]);
	w->fd = p[0];
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
}

/* Reads the watcher's stdout until it holds needle after from; false after ms. */
static bool
watch_until(watch_t *w, size_t from, const char *needle, int ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {w->fd, POLLIN, 0};
		char chunk[4096];
		ssize_t n;

		if (w->out.len > from && strstr(buf_str(&w->out) + from, needle) != NULL)
			return true;
		if (harness_ms_since(&t0) > ms)
			return false;
		if (poll(&pfd, 1, 100) > 0) {
			if ((n = read(w->fd, chunk, sizeof(chunk))) > 0)
				buf_append(&w->out, chunk, (size_t)n);
			else if (n == 0)
				return false;
		}
	}
}

/* times stderr holds "connected to" */
static int
watch_connections(watch_t *w)
{
	char *err = harness_slurp(w->err_path);
	int n = 0;

	for (const char *p = err; (p = strstr(p, "connected to")) != NULL; p++)
		n++;
	free(err);
	return n;
}

static int
watch_stop(watch_t *w)
{
	int st;

	kill(w->pid, SIGTERM);
	st = harness_cli_wait(w->pid, WAIT_MS);
	close(w->fd);
	buf_free(&w->out);
	return st;
}

TEST(watch_prints_each_notification_and_the_ack_to_run)
{
	watch_t w;
	char num[16], want[512];
	const char *out;
	long id;
	size_t from;
	int i;

	watch_start(&w, h(), (const char *const[]){"watch", "sakerhetschef", NULL});
	for (i = 0; i < WAIT_MS / 50 && watch_connections(&w) < 1; i++)
		sleep_ms(50);
	sleep_ms(200);          /* the subscription reaches the PUB */
	/* coordinators' notifications are not sakerhetschef's: the first line is the external one */
	SUBMIT("watch-reinf", "Ryd", "ordningsstorning", "2", "--needs-reinforcement",);
	snprintf(num, sizeof(num), "%s", SUBMIT("watch-1", "Skäggetorp", "brand", "5",));
	id = out_escalation();
	CHECK(watch_until(&w, 0, "trygg -c", WAIT_MS));
	out = buf_str(&w.out);
	CHECK_HAS(line_with(out, "ESCALATION"), num);
	CHECK_HAS(line_with(out, "ESCALATION"), "2026-12-02 10:");
	CHECK_HAS(line_with(out, "ESCALATION"), "CET");
	CHECK_HAS(line_with(out, "ESCALATION"), "external");
	CHECK_HAS(line_with(out, "ESCALATION"), "Säkerhetschef (sakerhetschef)");
	CHECK_HAS(line_with(out, "ESCALATION"), "step 1, attempt 1");
	CHECK_HAS(line_with(out, "severity"), "Skäggetorp (omradesteam-1)  brand  severity 5");
	CHECK_HAS(out, "\"Brand i soprum, rök i trapphuset\"");
	snprintf(want, sizeof(want), "kvittera senast 11:");
	CHECK_HAS(line_with(out, "kvittera"), want);
	snprintf(want, sizeof(want), "trygg -c %s ack %ld --by sakerhetschef", h()->config, id);
	CHECK_HAS(line_with(out, "kvittera"), want);
	CHECK(strstr(out, "samordnare") == NULL);

	/* trygg-escalation restarts: watch reconnects by itself and hears the next one */
	harness_kill(h(), H_ESCALATION, SIGTERM);
	CHECK(harness_start(h(), H_ESCALATION) == 0);
	for (i = 0; i < WAIT_MS / 50 && watch_connections(&w) < 2; i++)
		sleep_ms(50);
	CHECK(watch_connections(&w) >= 2);
	from = w.out.len;
	/* a notification published before the subscription arrives is lost (PUB), so submit until one is heard */
	for (i = 0; i < 20; i++) {
		char cid[32];

		snprintf(cid, sizeof(cid), "watch-after-%d", i);
		snprintf(num, sizeof(num), "%s", SUBMIT(cid, "Berga", "brand", "4",));
		if (watch_until(&w, from, num, 1000))
			break;
	}
	CHECK(i < 20);
	CHECK(kill(w.pid, 0) == 0);             /* still running */
	CHECK_INT(watch_stop(&w), 0);           /* SIGTERM: a clean exit */
}

/*
 * A topic is a prefix to ZeroMQ: watch sakerhetschef must not print what
 * goes to sakerhetschef-ersattare (the next step, after ack_timeout). PUB
 * keeps each subscriber's order, so once a later notification for
 * sakerhetschef is printed, the deputy's would have been too.
 */
TEST(watch_contact_is_that_contact_only)
{
	harness_t *hh;
	watch_t boss, deputy;
	char num[16], first[16];
	const char *const sub[] = {"submit", "--id", "topic-1", "--district", "Ryd",
	    "--category", "brand", "--severity", "5", "--summary", "Brand", "--reporter", "r", NULL};
	const char *const sub2[] = {"submit", "--id", "topic-2", "--district", "Ryd",
	    "--category", "brand", "--severity", "5", "--summary", "Brand", "--reporter", "r", NULL};
	int i;

	setenv("TRYGG_TEST_NOW", NOW, 1);
	hh = harness_new("escalation:\n  ack_timeout: 2s\n  renotify_every: 1s\n");
	if (harness_start(hh, H_INTAKE) < 0 || harness_start(hh, H_ESCALATION) < 0) {
		test_fail(__FILE__, __LINE__, "cannot start the daemons");
		harness_destroy(&hh);
		return;
	}
	watch_start(&boss, hh, (const char *const[]){"watch", "sakerhetschef", NULL});
	watch_start(&deputy, hh, (const char *const[]){"watch", "sakerhetschef-ersattare", NULL});
	for (i = 0; i < WAIT_MS / 50 && (watch_connections(&boss) < 1 ||
	    watch_connections(&deputy) < 1); i++)
		sleep_ms(50);
	sleep_ms(200);
	snprintf(first, sizeof(first), "%s", submit_(hh, sub, __LINE__));
	CHECK(watch_until(&boss, 0, first, WAIT_MS));
	/* nobody acks: the deputy is notified at step 2 */
	CHECK(watch_until(&deputy, 0, "--by sakerhetschef-ersattare", WAIT_MS));
	CHECK_HAS(line_with(buf_str(&deputy.out), "ESCALATION"), "step 2");
	/* a later notification for sakerhetschef: the deputy's never came before it */
	snprintf(num, sizeof(num), "%s", submit_(hh, sub2, __LINE__));
	CHECK(watch_until(&boss, 0, num, WAIT_MS));
	CHECK(strstr(buf_str(&boss.out), "ersattare") == NULL);
	CHECK(strstr(buf_str(&deputy.out), "--by sakerhetschef\n") == NULL);
	CHECK_INT(watch_stop(&boss), 0);
	CHECK_INT(watch_stop(&deputy), 0);
	harness_destroy(&hh);
}

TEST(watch_json_and_errors)
{
	watch_t w;
	const msgpack_object *doc;
	char num[16], line[2048];
	const char *nl;
	int i;

	watch_start(&w, h(), (const char *const[]){"--json", "watch", NULL});
	for (i = 0; i < WAIT_MS / 50 && watch_connections(&w) < 1; i++)
		sleep_ms(50);
	sleep_ms(200);
	snprintf(num, sizeof(num), "%s", SUBMIT("watch-json", "Ryd", "hot_och_vald", "5",));
	CHECK(watch_until(&w, 0, num, WAIT_MS) && watch_until(&w, 0, "\n", WAIT_MS));
	/* one JSON object per line, RFC 3339 times */
	nl = strchr(buf_str(&w.out), '\n');
	snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - buf_str(&w.out)) : 0, buf_str(&w.out));
	doc = json_parse(line);
	CHECK(doc != NULL);
	CHECK_STR(h_str(doc, "type"), "escalation");
	CHECK_STR(h_str(doc, "incident"), num);
	CHECK_STR(h_str(doc, "contact"), "sakerhetschef");
	CHECK(h_int(doc, "escalation") > 0);
	CHECK_INT(h_int(doc, "step"), 0);
	CHECK(h_str(doc, "ack_by")[19] == 'Z');
	CHECK_INT(watch_stop(&w), 0);

	CHECK_INT(RUN("watch", "nobody"), 64);
	CHECK_HAS(R.err, "nobody");
	CHECK_INT(RUN("watch", "tib-1", "tib-2"), 64);
	CHECK_INT(RUN("watch", "--frobnicate"), 64);
}

TEST(help_lists_the_new_commands)
{
	static const char *const commands[][2] = {
		{"ack", "ack ESCALATION --by CONTACT"},
		{"resolve", "resolve ESCALATION --by CONTACT"},
		{"escalations", "escalations"}, {"watch", "watch [CONTACT]"},
		{"status", "status"},
	};

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char want[128];

		CHECK_INT(RUN("--help"), 0);
		snprintf(want, sizeof(want), "\n  %s ", commands[i][0]);
		CHECK_HAS(R.out, want);
		/* its own help: the usage line */
		CHECK_INT(RUN("help", commands[i][0]), 0);
		snprintf(want, sizeof(want), "usage: trygg %s", commands[i][1]);
		CHECK_HAS(R.out, want);
	}
}

TEST_MAIN(submit_reports_the_escalation_or_nothing_for_team_scope,
    get_shows_the_escalation_beside_the_incident,
    ack_and_resolve_say_who_and_when, ack_and_resolve_errors,
    escalations_list_has_a_header_and_aligned_columns,
    status_shows_every_daemon_and_its_links,
    escalation_down_get_submit_and_status_say_so,
    watch_prints_each_notification_and_the_ack_to_run,
    watch_contact_is_that_contact_only, watch_json_and_errors,
    help_lists_the_new_commands)
