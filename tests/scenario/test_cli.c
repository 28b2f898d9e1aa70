/*
 * test_cli.c: the trygg command as its user sees it, against a real
 * trygg-intake and trygg-escalation: what it prints on stdout and stderr,
 * its exit status, and its --json output read back as JSON. Every command
 * also runs against daemons that are not there, which must end in exit 69
 * with a message within the client's bounded retries, and against one that
 * answers late, which must apply the request once.
 */
#include "buf.h"
#include "harness.h"
#include "json_in.h"
#include "mem.h"
#include "pack.h"
#include "test.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * a daemon that is not running is said at once (cli/cli_probe.c), within
 * the bound of 3 s, whatever the --timeout
 */
#define CLI_DOWN_LIMIT_MS  3000
/* no single run of the client may take longer than this */
#define CLI_HANG_MS        60000

static harness_t *H;            /* trygg-intake and trygg-escalation running */

static void free_last_run(void);

static void
stop_harness(void)
{
	harness_destroy(&H);
	free_last_run();
	json_free();
}

static harness_t *
h(void)
{
	if (H == NULL) {
		H = harness_new(NULL);
		if (harness_start(H, H_INTAKE) < 0 || harness_start(H, H_ESCALATION) < 0) {
			fprintf(stderr, "cannot start trygg-intake and trygg-escalation\n");
			exit(1);
		}
		atexit(stop_harness);
	}
	return H;
}

/* ---- running the client, stdout and stderr apart ---- */

typedef struct {
	int   status;       /* exit status, or 128 + signal */
	char *out;          /* stdout */
	char *err;          /* stderr */
	long  ms;           /* how long it ran */
} run_t;

typedef struct {
	pid_t           pid;
	struct timespec start;
	char            out_path[320], err_path[320];
} spawn_t;

static run_t R;                 /* the last run() */

/* Starts trygg -c CONFIG ARGS... with its output in files named after slot. */
static void
spawn(spawn_t *s, harness_t *hh, int slot, const char *const *args)
{
	int out;

	snprintf(s->out_path, sizeof(s->out_path), "%s/run-%d.out", hh->dir, slot);
	snprintf(s->err_path, sizeof(s->err_path), "%s/run-%d.err", hh->dir, slot);
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	out = open(s->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	s->pid = harness_cli_spawn(hh, args, out, s->err_path);
	close(out);
}

/* Waits for a spawned client (killing it CLI_HANG_MS after its start) into r. */
static void
finish(spawn_t *s, run_t *r)
{
	free(r->out);
	free(r->err);
	r->status = harness_cli_wait(s->pid, CLI_HANG_MS - (int)harness_ms_since(&s->start));
	r->ms = harness_ms_since(&s->start);
	r->out = harness_slurp(s->out_path);
	r->err = harness_slurp(s->err_path);
}

static int
run_on(harness_t *hh, const char *const *args)
{
	spawn_t s;

	spawn(&s, hh, 0, args);
	finish(&s, &R);
	return R.status;
}

/* RUN("list", "--limit", "1"): runs the client on h() and returns its exit status */
#define RUN(...) run_on(h(), (const char *const[]){__VA_ARGS__, NULL})

static void
free_last_run(void)
{
	free(R.out);
	free(R.err);
}

/* Reports the last run's output along with a failed check. */
#define CHECK_RUN(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, \
    "CHECK(%s); exit %d\n      stdout: %s\n      stderr: %s", #cond, R.status, \
    R.out, R.err); } while (0)

/* ---- small helpers on text ---- */

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* Is s an incident number, INC-YYYY-NNNNNN? */
static bool
is_number(const char *s)
{
	if (strlen(s) != 15 || strncmp(s, "INC-", 4) != 0 || s[8] != '-')
		return false;
	for (int i = 4; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The incident number at the start of the last run's stdout, or "". */
static const char *
out_number(void)
{
	static char n[16];

	snprintf(n, sizeof(n), "%.15s", R.out);
	return is_number(n) ? n : "";
}

/* Submits with the required options (and any extra ones); returns the number. */
#define SUBMIT(id, district, category, severity, ...) \
	submit_((const char *const[]){"submit", "--id", id, "--district", district, \
	    "--category", category, "--severity", severity, "--summary", \
	    "Klotter på skolans vägg", "--reporter", "fältsekreterare A", \
	    __VA_ARGS__ NULL}, __LINE__)

static const char *
submit_(const char *const *args, int line)
{
	static char number[8][16];
	static int next;
	char *n = number[next++ % 8];

	run_on(h(), args);
	snprintf(n, 16, "%s", out_number());
	if (R.status != 0 || *n == '\0')
		test_fail(__FILE__, line, "submit: exit %d\n      stdout: %s\n      stderr: %s",
		    R.status, R.out, R.err);
	return n;
}

/* ---- submit ---- */

TEST(submit_prints_number_team_district_and_escalation)
{
	const char *n;

	CHECK_INT(RUN("submit", "--id", "sub-1", "--district", "Skäggetorp", "--category",
	    "skadegorelse", "--severity", "2", "--summary", "Klotter på skolans vägg",
	    "--reporter", "fältsekreterare A"), 0);
	CHECK_RUN(is_number(out_number()));
	CHECK_RUN(strstr(R.out, "Områdesteam 1") != NULL);
	CHECK_RUN(strstr(R.out, "Skäggetorp") != NULL);
	CHECK_RUN(strstr(R.out, "escalation: none") != NULL);
	CHECK_RUN(strstr(R.out, "duplicate") == NULL);
	/* then what happens next, in plain words, and how to follow it */
	CHECK_HAS(R.out, "It stays with Områdesteam 1");
	CHECK_HAS(R.out, "Follow it with: trygg get INC-");
	CHECK_INT(count_lines(R.out), 3);
	CHECK_STR(R.err, "");

	/* the scope decides the escalation the user is told about */
	SUBMIT("sub-2", "Ryd", "skadegorelse", "4",);
	CHECK_RUN(strstr(R.out, "Områdesteam 2 (Ryd)") != NULL);
	CHECK_RUN(strstr(R.out, "escalation: external") != NULL);
	SUBMIT("sub-3", "Berga", "hot_och_vald", "3", "--needs-reinforcement",);
	CHECK_RUN(strstr(R.out, "Områdesteam 3 (Berga)") != NULL);
	CHECK_RUN(strstr(R.out, "escalation: reinforcement") != NULL);
	SUBMIT("sub-4", "Berga", "brand", "1",);
	CHECK_RUN(strstr(R.out, "escalation: external") != NULL);
	/* a folded spelling is shown as the district's own name */
	n = SUBMIT("sub-5", "malmslatt", "nedskrapning", "1",);
	CHECK(is_number(n));
	CHECK_RUN(strstr(R.out, "Områdesteam 2 (Malmslätt)") != NULL);
}

TEST(submit_json_is_the_reply)
{
	const msgpack_object *doc, *inc;
	char number[16];

	CHECK_INT(RUN("--json", "submit", "--id", "json-1", "--district", "Lambohov",
	    "--category", "buskorning", "--severity", "3", "--summary", "Mopeder i parken",
	    "--reporter", "fältassistent B"), 0);
	CHECK_STR(R.err, "");
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL);
	CHECK(h_get(doc, "ok") && h_bool(doc, "ok"));
	CHECK(h_get(doc, "duplicate") && !h_bool(doc, "duplicate"));
	inc = h_get(doc, "incident");
	snprintf(number, sizeof(number), "%s", h_str(inc, "number"));
	CHECK(is_number(number));
	CHECK_STR(h_str(inc, "id"), "json-1");
	CHECK_STR(h_str(inc, "team"), "omradesteam-2");
	CHECK_STR(h_str(inc, "team_name"), "Områdesteam 2");
	CHECK_STR(h_str(inc, "district"), "Lambohov");
	CHECK_STR(h_str(inc, "escalation"), "none");
	CHECK_STR(h_str(inc, "status"), "open");

	/* --json may stand after the command's options too */
	CHECK_INT(RUN("submit", "--id", "json-1", "--district", "Lambohov",
	    "--category", "buskorning", "--severity", "3", "--summary", "Mopeder i parken",
	    "--reporter", "fältassistent B", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	CHECK(h_bool(doc, "duplicate"));
	CHECK_STR(h_str(h_get(doc, "incident"), "number"), number);
	CHECK_RUN(strstr(R.out, "\"number\"") != NULL);
}

TEST(submit_again_with_the_same_id_reports_the_duplicate)
{
	char first[16];

	snprintf(first, sizeof(first), "%s", SUBMIT("dup-1", "Ekholmen", "inbrott", "3",));
	CHECK_RUN(strstr(R.out, "duplicate") == NULL);
	CHECK_INT(RUN("submit", "--id", "dup-1", "--district", "Ekholmen", "--category",
	    "inbrott", "--severity", "3", "--summary", "Klotter på skolans vägg",
	    "--reporter", "fältsekreterare A"), 0);
	CHECK_STR(out_number(), first);
	CHECK_RUN(strstr(R.out, "duplicate") != NULL);
	CHECK_STR(R.err, "");
	/* one incident, not two */
	CHECK_INT(RUN("--json", "list", "--team", "omradesteam-3"), 0);
	{
		const msgpack_object *list = h_get(json_parse(R.out), "incidents");
		int seen = 0;

		for (uint32_t i = 0; i < arr_len(list); i++)
			seen += strcmp(h_str(arr_at(list, i), "id"), "dup-1") == 0;
		CHECK_INT(seen, 1);
	}
}

TEST(submit_same_id_other_content_is_a_conflict)
{
	const msgpack_object *doc;

	SUBMIT("conflict-1", "Ekholmen", "inbrott", "3",);
	CHECK_INT(RUN("submit", "--id", "conflict-1", "--district", "Ekholmen", "--category",
	    "inbrott", "--severity", "4", "--summary", "Klotter på skolans vägg",
	    "--reporter", "fältsekreterare A"), 1);
	CHECK_RUN(strstr(R.err, "conflict") != NULL);
	CHECK_RUN(strstr(R.err, "conflict-1") != NULL || strstr(R.err, "--id") != NULL);
	CHECK_STR(R.out, "");
	/* with --json the error reply is printed too, and is JSON */
	CHECK_INT(RUN("--json", "submit", "--id", "conflict-1", "--district", "Ekholmen",
	    "--category", "inbrott", "--severity", "4", "--summary", "Klotter på skolans vägg",
	    "--reporter", "fältsekreterare A"), 1);
	CHECK_RUN(strstr(R.err, "conflict") != NULL);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL);
	CHECK(h_get(doc, "ok") != NULL && !h_bool(doc, "ok"));
	CHECK_STR(h_code(doc), "conflict");
}

TEST(submit_missing_required_options_get_the_daemons_error)
{
	static const struct { const char *drop, *field; } cases[] = {
		{"--district", "district"}, {"--category", "category"},
		{"--severity", "severity"}, {"--summary", "summary"},
		{"--reporter", "reporter"},
	};
	static const char *const full[] = {
		"--district", "Ryd", "--category", "ovrigt", "--severity", "1",
		"--summary", "Saknas något", "--reporter", "samordnare",
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *args[32];
		char id[32], want[64];
		int n = 0;

		snprintf(id, sizeof(id), "missing-%zu", c);
		args[n++] = "submit";
		args[n++] = "--id";
		args[n++] = id;
		for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i += 2) {
			if (strcmp(full[i], cases[c].drop) == 0)
				continue;
			args[n++] = full[i];
			args[n++] = full[i + 1];
		}
		args[n] = NULL;
		run_on(h(), args);
		/* the option a person types, not the wire field; a usage error */
		snprintf(want, sizeof(want), "--%s:", cases[c].field);
		if (R.status != 64 || strstr(R.err, "invalid_field") == NULL ||
		    strstr(R.err, want) == NULL || *R.out != '\0')
			test_fail(__FILE__, __LINE__, "without %s: exit %d\n      stdout: %s\n"
			    "      stderr: %s", cases[c].drop, R.status, R.out, R.err);
	}
	/* nothing was stored for them */
	CHECK_INT(RUN("get", "--id", "missing-0"), 1);
	CHECK_RUN(strstr(R.err, "not_found") != NULL);
}

TEST(submit_bad_severity_is_a_usage_error)
{
	static const char *const bad[] = {"9", "0", "6", "-1", "high", "2x", ""};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_on(h(), (const char *const[]){"submit", "--id", "sev-bad", "--district",
		    "Ryd", "--category", "ovrigt", "--severity", bad[i], "--summary", "s",
		    "--reporter", "r", NULL});
		if (R.status != 64 || strstr(R.err, "--severity") == NULL || *R.out != '\0')
			test_fail(__FILE__, __LINE__, "--severity '%s': exit %d\n      stdout: %s\n"
			    "      stderr: %s", bad[i], R.status, R.out, R.err);
	}
	/* a usage error sends nothing */
	CHECK_INT(RUN("get", "--id", "sev-bad"), 1);
	CHECK_RUN(strstr(R.err, "not_found") != NULL);
}

TEST(submit_unknown_district_or_category)
{
	CHECK_INT(RUN("submit", "--id", "unk-1", "--district", "Narnia", "--category",
	    "ovrigt", "--severity", "1", "--summary", "s", "--reporter", "r"), 64);
	CHECK_RUN(strstr(R.err, "unknown_district") != NULL);
	CHECK_RUN(strstr(R.err, "--district") != NULL);
	/* errors never quote what was sent, but say what would do */
	CHECK_RUN(strstr(R.err, "Narnia") == NULL);
	CHECK_RUN(strstr(R.err, "Sk\xc3\xa4ggetorp") != NULL);
	CHECK_STR(R.out, "");
	CHECK_INT(RUN("submit", "--id", "unk-2", "--district", "Ryd", "--category",
	    "tidsresa", "--severity", "1", "--summary", "s", "--reporter", "r"), 64);
	CHECK_RUN(strstr(R.err, "unknown_category") != NULL);
	/* nothing close to it: the valid ones */
	CHECK_RUN(strstr(R.err, "the configured categories (--category): ") != NULL);
	CHECK_RUN(strstr(R.err, "skadegorelse") != NULL && strstr(R.err, "ovrigt") != NULL);
	/* a near miss gets the closest configured name */
	CHECK_INT(RUN("submit", "--id", "unk-3", "--district", "Skagetorpp", "--category",
	    "ovrigt", "--severity", "1", "--summary", "s", "--reporter", "r"), 64);
	CHECK_RUN(strstr(R.err, "Skäggetorp is the closest district") != NULL);
}

TEST(submit_options_reach_the_daemon)
{
	const msgpack_object *inc, *partners;
	const char *n;
	char number[16];

	n = SUBMIT("opts-1", "Skäggetorp", "ordningsstorning", "2", "--partner", "polis",
	    "--partner", "skola", "--needs-external", "--level", "grupp", "--location",
	    "Skäggetorps centrum", "--involves-minors", "--police-report", "--orosanmalan",
	    "--details", "Tre ungdomar, en skadad", "--occurred-at",
	    "2026-03-10T21:30:00+01:00",);
	snprintf(number, sizeof(number), "%s", n);
	CHECK_RUN(strstr(R.out, "escalation: external") != NULL);

	CHECK_INT(RUN("get", "--json", number), 0);
	inc = h_get(json_parse(R.out), "incident");
	CHECK_RUN(inc != NULL);
	partners = h_get(inc, "partners");
	CHECK_INT(arr_len(partners), 2);
	if (arr_len(partners) == 2) {
		CHECK(arr_at(partners, 0)->type == MSGPACK_OBJECT_STR &&
		    arr_at(partners, 0)->via.str.size == 5 &&
		    memcmp(arr_at(partners, 0)->via.str.ptr, "polis", 5) == 0);
		CHECK(arr_at(partners, 1)->type == MSGPACK_OBJECT_STR &&
		    arr_at(partners, 1)->via.str.size == 5 &&
		    memcmp(arr_at(partners, 1)->via.str.ptr, "skola", 5) == 0);
	}
	CHECK(h_bool(inc, "needs_external"));
	CHECK(h_bool(inc, "involves_minors"));
	CHECK(h_bool(inc, "police_report"));
	CHECK(h_bool(inc, "orosanmalan"));
	CHECK(!h_bool(inc, "needs_reinforcement"));
	CHECK_STR(h_str(inc, "level"), "grupp");
	CHECK_STR(h_str(inc, "location"), "Skäggetorps centrum");
	CHECK_STR(h_str(inc, "details"), "Tre ungdomar, en skadad");
	CHECK_STR(h_str(inc, "occurred_at"), "2026-03-10T20:30:00Z");
	CHECK_STR(h_str(inc, "escalation"), "external");
	CHECK_INT(h_int(inc, "severity"), 2);
	CHECK_STR(h_str(inc, "category"), "ordningsstorning");
	CHECK_STR(h_str(inc, "reporter"), "fältsekreterare A");

	/* and the plain get shows them */
	CHECK_INT(RUN("get", number), 0);
	CHECK_RUN(strstr(R.out, "polis, skola") != NULL);
	CHECK_RUN(strstr(R.out, "grupp") != NULL);

	/* without the flags they are absent or false */
	n = SUBMIT("opts-2", "Skäggetorp", "ordningsstorning", "2",);
	snprintf(number, sizeof(number), "%s", n);
	CHECK_INT(RUN("--json", "get", number), 0);
	inc = h_get(json_parse(R.out), "incident");
	CHECK_RUN(inc != NULL);
	CHECK(!h_bool(inc, "needs_external"));
	CHECK_INT(arr_len(h_get(inc, "partners")), 0);
	CHECK_STR(h_str(inc, "escalation"), "none");
}

TEST(submit_without_id_makes_one_per_invocation)
{
	char first[16], second[16];

	CHECK_INT(RUN("submit", "--district", "City", "--category", "otrygg_plats",
	    "--severity", "1", "--summary", "Trasig belysning", "--reporter", "r"), 0);
	snprintf(first, sizeof(first), "%s", out_number());
	CHECK_RUN(is_number(first));
	CHECK_INT(RUN("submit", "--district", "City", "--category", "otrygg_plats",
	    "--severity", "1", "--summary", "Trasig belysning", "--reporter", "r"), 0);
	snprintf(second, sizeof(second), "%s", out_number());
	CHECK_RUN(is_number(second));
	CHECK_RUN(strstr(R.out, "duplicate") == NULL);
	CHECK(strcmp(first, second) != 0);
}

TEST(submit_usage_errors)
{
	const char *args[80];
	int n = 0;

	CHECK_INT(RUN("submit", "--id", "use-1", "--colour", "red"), 64);
	CHECK_RUN(*R.err != '\0');
	CHECK_INT(RUN("submit", "--id", "use-1", "--district", "Ryd", "stray"), 64);
	CHECK_RUN(strstr(R.err, "stray") != NULL);
	CHECK_INT(RUN("submit", "--id", "use-1", "--severity"), 64);
	/* more partners than the client takes */
	args[n++] = "submit";
	for (int i = 0; i < 33; i++) {
		args[n++] = "--partner";
		args[n++] = "polis";
	}
	args[n] = NULL;
	CHECK_INT(run_on(h(), args), 64);
	CHECK_RUN(strstr(R.err, "partner") != NULL);
}

/* ---- get ---- */

TEST(get_prints_fields_and_history)
{
	const msgpack_object *inc, *hist;
	char number[16];

	snprintf(number, sizeof(number), "%s",
	    SUBMIT("get-1", "Vikingstad", "narkotika", "3", "--location", "Stationen",));
	CHECK_INT(RUN("get", number), 0);
	CHECK_STR(R.err, "");
	CHECK_RUN(strstr(R.out, number) != NULL);
	CHECK_RUN(strstr(R.out, "get-1") != NULL);
	CHECK_RUN(strstr(R.out, "omradesteam-2") != NULL);
	CHECK_RUN(strstr(R.out, "Vikingstad") != NULL);
	CHECK_RUN(strstr(R.out, "narkotika") != NULL);
	CHECK_RUN(strstr(R.out, "Stationen") != NULL);
	CHECK_RUN(strstr(R.out, "Klotter på skolans vägg") != NULL);
	CHECK_RUN(strstr(R.out, "status") != NULL && strstr(R.out, "open") != NULL);
	CHECK_RUN(strstr(R.out, "history:") != NULL);
	CHECK_RUN(strstr(R.out, "created") != NULL);
	CHECK_RUN(strstr(R.out, "by fältsekreterare A") != NULL);

	/* by the client's id: the same incident */
	CHECK_INT(RUN("get", "--id", "get-1"), 0);
	CHECK_RUN(strstr(R.out, number) != NULL);
	CHECK_RUN(strstr(R.out, "history:") != NULL);

	CHECK_INT(RUN("get", "--id", "get-1", "--json"), 0);
	inc = h_get(json_parse(R.out), "incident");
	CHECK_RUN(inc != NULL);
	CHECK_STR(h_str(inc, "number"), number);
	CHECK_STR(h_str(inc, "district"), "Vikingstad");
	hist = h_get(inc, "history");
	CHECK_INT(arr_len(hist), 1);
	CHECK_STR(h_str(arr_at(hist, 0), "action"), "created");
	CHECK_STR(h_str(arr_at(hist, 0), "by"), "fältsekreterare A");
}

TEST(get_unknown_is_not_found)
{
	CHECK_INT(RUN("get", "INC-1999-000001"), 1);
	CHECK_RUN(strstr(R.err, "not_found") != NULL);
	CHECK_STR(R.out, "");
	CHECK_INT(RUN("get", "--id", "no-such-id"), 1);
	CHECK_RUN(strstr(R.err, "not_found") != NULL);
	/* usage */
	CHECK_INT(RUN("get"), 64);
	CHECK_RUN(*R.err != '\0');
	CHECK_INT(RUN("get", "INC-2026-000001", "INC-2026-000002"), 64);
	CHECK_INT(RUN("get", "--id", "x", "INC-2026-000001"), 64);
}

/* ---- list ---- */

/* Does every incident line of s (not the header, not the count under it) contain needle? */
static int
lines_all_have(const char *s, const char *needle, bool *all)
{
	int n = 0;

	*all = true;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)len, s);
		if (len > 0 && strncmp(line, "INC-", 4) == 0) {
			n++;
			if (strstr(line, needle) == NULL)
				*all = false;
		}
		s += len + (nl != NULL);
	}
	return n;
}

TEST(list_filters_and_limits)
{
	const msgpack_object *list;
	char a[16], b[16], c[16];
	bool all;
	int n;

	snprintf(a, sizeof(a), "%s", SUBMIT("list-1", "Linghem", "ovrigt", "1",));
	snprintf(b, sizeof(b), "%s", SUBMIT("list-2", "Slaka", "ovrigt", "1",));
	snprintf(c, sizeof(c), "%s", SUBMIT("list-3", "Askeby", "ovrigt", "1",));
	CHECK_INT(RUN("update", c, "--by", "samordnare-ot1", "--close"), 0);

	CHECK_INT(RUN("list"), 0);
	CHECK_STR(R.err, "");
	CHECK_RUN(strstr(R.out, a) != NULL && strstr(R.out, b) != NULL &&
	    strstr(R.out, c) != NULL);
	/* newest first */
	CHECK_RUN(strstr(R.out, c) < strstr(R.out, b) && strstr(R.out, b) < strstr(R.out, a));

	CHECK_INT(RUN("list", "--team", "omradesteam-1"), 0);
	n = lines_all_have(R.out, "omradesteam-1", &all);
	CHECK_RUN(n >= 2 && all);
	CHECK_RUN(strstr(R.out, a) != NULL && strstr(R.out, b) == NULL);

	CHECK_INT(RUN("list", "--status", "closed"), 0);
	n = lines_all_have(R.out, "closed", &all);
	CHECK_RUN(n >= 1 && all);
	CHECK_RUN(strstr(R.out, c) != NULL && strstr(R.out, a) == NULL);

	CHECK_INT(RUN("list", "--team", "omradesteam-1", "--status", "open"), 0);
	CHECK_RUN(strstr(R.out, a) != NULL && strstr(R.out, c) == NULL);

	CHECK_INT(RUN("list", "--limit", "1"), 0);
	CHECK_INT(lines_all_have(R.out, "INC-", &all), 1);
	CHECK_RUN(strncmp(strchr(R.out, '\n') + 1, c, strlen(c)) == 0);
	/* paged: "1 of N shown" and the command for the next page */
	CHECK_RUN(strstr(R.out, "1 of ") != NULL && strstr(R.out, "--before") != NULL);
	/* the next page starts after the number given */
	CHECK_INT(RUN("list", "--limit", "1", "--before", c), 0);
	CHECK_INT(lines_all_have(R.out, "INC-", &all), 1);
	CHECK_RUN(strncmp(strchr(R.out, '\n') + 1, b, strlen(b)) == 0);
	CHECK_INT(RUN("--json", "list", "--limit", "1"), 0);
	CHECK_STR(h_str(json_parse(R.out), "next"), c);
	CHECK_INT(RUN("list", "--before", "INC-1999-000001"), 1);
	CHECK_RUN(strstr(R.err, "--before") != NULL);
	/* a history page from before every entry holds only "created" */
	CHECK_INT(RUN("get", c, "--history-before", "1"), 0);
	CHECK_RUN(strstr(R.out, "created") != NULL && strstr(R.out, "closed  ") == NULL);
	CHECK_INT(RUN("get", c), 0);
	CHECK_RUN(strstr(R.out, "created") != NULL && strstr(R.out, "closed  ") != NULL);

	CHECK_INT(RUN("--json", "list", "--limit", "2"), 0);
	list = h_get(json_parse(R.out), "incidents");
	CHECK_RUN(arr_len(list) == 2);
	CHECK_STR(h_str(arr_at(list, 0), "number"), c);
	CHECK_STR(h_str(arr_at(list, 1), "number"), b);

	CHECK_INT(RUN("list", "--limit", "1000"), 0);
	CHECK_RUN(strstr(R.out, a) != NULL);

	CHECK_INT(RUN("list", "--since", "2099-01-01T00:00:00Z"), 0);
	CHECK_RUN(strstr(R.out, "no incidents") != NULL);
}

/* The display column (characters, not bytes) at which needle starts in line. */
static int
display_col(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	int col = 0;

	if (at == NULL)
		return -1;
	for (const char *p = line; p < at; p++)
		col += ((unsigned char)*p & 0xc0) != 0x80;
	return col;
}

TEST(list_columns_line_up)
{
	const char *p;
	int first = -1, lines = 0;

	SUBMIT("cols-1", "Ryd", "ovrigt", "1",);
	SUBMIT("cols-2", "Västerlösa", "ovrigt", "1",);
	SUBMIT("cols-3", "Malmslätt", "ovrigt", "1",);
	CHECK_INT(RUN("list", "--team", "omradesteam-2", "--limit", "3"), 0);
	/* district names with å, ä, ö are as wide on screen as they look */
	for (p = R.out; *p; lines++) {
		const char *nl = strchr(p, '\n');
		char line[1024];
		int col;

		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
		if (lines == 0) {
			/* the header names the columns */
			CHECK_HAS(line, "NUMBER");
			CHECK_HAS(line, "DISTRICT");
			CHECK_HAS(line, "ESCALATION");
		}
		if (strncmp(line, "INC-", 4) != 0 && lines > 0) {
			lines--;            /* the count under the list */
			if (nl == NULL)
				break;
			p = nl + 1;
			continue;
		}
		col = lines == 0 ? display_col(line, "ESCALATION") : display_col(line, " none ") + 1;
		if (first < 0)
			first = col;
		if (col < 0 || col != first)
			test_fail(__FILE__, __LINE__, "column of 'sev' is %d, not %d, in:\n%s",
			    col, first, R.out);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	CHECK_INT(lines, 4);
}

TEST(list_bad_options)
{
	static const char *const bad_limits[] = {"0", "-1", "1001", "ten", ""};

	for (size_t i = 0; i < sizeof(bad_limits) / sizeof(bad_limits[0]); i++) {
		run_on(h(), (const char *const[]){"list", "--limit", bad_limits[i], NULL});
		if (R.status != 64 || strstr(R.err, "--limit") == NULL || *R.out != '\0')
			test_fail(__FILE__, __LINE__, "--limit '%s': exit %d\n      stdout: %s\n"
			    "      stderr: %s", bad_limits[i], R.status, R.out, R.err);
	}
	CHECK_INT(RUN("list", "stray"), 64);
	CHECK_INT(RUN("list", "--colour"), 64);
	CHECK_INT(RUN("list", "--team", "omradesteam-9"), 64);
	CHECK_RUN(strstr(R.err, "invalid_field") != NULL && strstr(R.err, "--team") != NULL);
	CHECK_INT(RUN("list", "--status", "pending"), 64);
	CHECK_RUN(strstr(R.err, "--status") != NULL && strstr(R.err, "pending") != NULL);
	CHECK_INT(RUN("list", "--since", "yesterday"), 64);
	CHECK_RUN(strstr(R.err, "--since") != NULL && strstr(R.err, "yesterday") != NULL);
	CHECK_INT(RUN("list", "--escalation", "maybe"), 64);
	CHECK_RUN(strstr(R.err, "--escalation") != NULL);
	CHECK_INT(RUN("list", "--severity", "7"), 64);
	CHECK_RUN(strstr(R.err, "--severity") != NULL);
}

/* ---- update ---- */

TEST(update_note_close_reopen_and_history)
{
	const msgpack_object *inc, *hist;
	char number[16];

	snprintf(number, sizeof(number), "%s",
	    SUBMIT("upd-1", "Bestorp", "skadegorelse", "2",));
	CHECK_INT(RUN("update", number, "--by", "samordnare-ot3", "--note",
	    "Polisen informerad"), 0);
	CHECK_STR(R.err, "");
	CHECK_RUN(strstr(R.out, "history:") != NULL);
	CHECK_RUN(strstr(R.out, "by samordnare-ot3: Polisen informerad") != NULL);
	CHECK_RUN(strstr(R.out, "closed") == NULL);

	CHECK_INT(RUN("update", number, "--by", "samordnare-ot3", "--close"), 0);
	CHECK_RUN(strstr(R.out, "closed") != NULL);

	CHECK_INT(RUN("get", number), 0);
	CHECK_RUN(strstr(R.out, "Polisen informerad") != NULL);
	CHECK_RUN(strstr(R.out, "closed") != NULL);

	CHECK_INT(RUN("update", number, "--by", "samordnare-ot3", "--reopen"), 0);
	CHECK_INT(RUN("update", number, "--by", "sakerhetschef", "--status", "closed",
	    "--note", "Avslutad"), 0);

	CHECK_INT(RUN("--json", "get", number), 0);
	inc = h_get(json_parse(R.out), "incident");
	CHECK_RUN(inc != NULL);
	CHECK_STR(h_str(inc, "status"), "closed");
	hist = h_get(inc, "history");
	/* created, note, closed, reopened, closed, note (status before note) */
	CHECK_INT(arr_len(hist), 6);
	if (arr_len(hist) == 6) {
		CHECK_STR(h_str(arr_at(hist, 0), "action"), "created");
		CHECK_STR(h_str(arr_at(hist, 1), "action"), "note");
		CHECK_STR(h_str(arr_at(hist, 1), "note"), "Polisen informerad");
		CHECK_STR(h_str(arr_at(hist, 1), "by"), "samordnare-ot3");
		CHECK_STR(h_str(arr_at(hist, 2), "action"), "closed");
		CHECK_STR(h_str(arr_at(hist, 3), "action"), "reopened");
		CHECK_STR(h_str(arr_at(hist, 4), "action"), "closed");
		CHECK_STR(h_str(arr_at(hist, 4), "by"), "sakerhetschef");
		CHECK_STR(h_str(arr_at(hist, 5), "action"), "note");
		CHECK_STR(h_str(arr_at(hist, 5), "note"), "Avslutad");
	}
	/* closed incidents are listed as closed */
	CHECK_INT(RUN("list", "--status", "closed"), 0);
	CHECK_RUN(strstr(R.out, number) != NULL);
}

TEST(update_errors)
{
	char number[16];

	snprintf(number, sizeof(number), "%s", SUBMIT("upd-err", "Brokind", "ovrigt", "1",));
	CHECK_INT(RUN("update", number, "--note", "utan avsändare"), 64);
	CHECK_RUN(strstr(R.err, "--by") != NULL);
	CHECK_STR(R.out, "");
	CHECK_INT(RUN("update", "--by", "x", "--note", "utan nummer"), 64);
	CHECK_INT(RUN("update", number, number, "--by", "x", "--note", "y"), 64);
	CHECK_INT(RUN("update", number, "--by", "x", "--status", "bogus"), 64);
	CHECK_RUN(strstr(R.err, "--status") != NULL && strstr(R.err, "bogus") != NULL);
	CHECK_INT(RUN("update", number, "--by", "x"), 64);
	CHECK_RUN(strstr(R.err, "--note") != NULL);
	/* conflicting options are refused, naming both */
	CHECK_INT(RUN("update", number, "--by", "x", "--close", "--reopen"), 64);
	CHECK_RUN(strstr(R.err, "--close") != NULL && strstr(R.err, "--reopen") != NULL);
	CHECK_INT(RUN("update", number, "--by", "x", "--status", "open", "--close"), 64);
	CHECK_RUN(strstr(R.err, "--status") != NULL && strstr(R.err, "--close") != NULL);
	CHECK_INT(RUN("update", "INC-1999-000001", "--by", "x", "--note", "y"), 1);
	CHECK_RUN(strstr(R.err, "not_found") != NULL);
	/* none of that changed the incident */
	CHECK_INT(RUN("--json", "get", number), 0);
	CHECK_INT(arr_len(h_get(h_get(json_parse(R.out), "incident"), "history")), 1);
}

/*
 * A daemon that answers late: the client gives up waiting after 5 s and
 * sends the request again, and the daemon then gets both. The user asked
 * once, so what they asked for must happen once.
 */
TEST(a_late_answer_applies_the_request_once)
{
	const msgpack_object *hist, *list;
	char number[16];
	spawn_t s[2];
	run_t r[2];
	int notes = 0, seen = 0;

	memset(r, 0, sizeof(r));
	snprintf(number, sizeof(number), "%s", SUBMIT("late-0", "Nykil", "ovrigt", "1",));
	CHECK_INT(kill(h()->pid[H_INTAKE], SIGSTOP), 0);
	spawn(&s[0], h(), 1, (const char *const[]){"update", number, "--by", "samordnare-ot2",
	    "--note", "Skickad en gång", NULL});
	spawn(&s[1], h(), 2, (const char *const[]){"submit", "--id", "late-1", "--district",
	    "Nykil", "--category", "ovrigt", "--severity", "1", "--summary", "Sent svar",
	    "--reporter", "r", NULL});
	/* past the first attempt's 5 s, well before the third */
	usleep(6500 * 1000);
	CHECK_INT(kill(h()->pid[H_INTAKE], SIGCONT), 0);
	finish(&s[0], &r[0]);
	finish(&s[1], &r[1]);
	CHECK_INT(r[0].status, 0);
	CHECK_INT(r[1].status, 0);

	CHECK_INT(RUN("--json", "get", number), 0);
	hist = h_get(h_get(json_parse(R.out), "incident"), "history");
	for (uint32_t i = 0; i < arr_len(hist); i++)
		notes += strcmp(h_str(arr_at(hist, i), "note"), "Skickad en gång") == 0;
	if (notes != 1)
		test_fail(__FILE__, __LINE__, "one trygg update added the note %d times", notes);

	CHECK_INT(RUN("--json", "list", "--team", "omradesteam-2", "--limit", "20"), 0);
	list = h_get(json_parse(R.out), "incidents");
	for (uint32_t i = 0; i < arr_len(list); i++)
		seen += strcmp(h_str(arr_at(list, i), "id"), "late-1") == 0;
	CHECK_INT(seen, 1);
	if (getenv("TEST_VERBOSE"))
		printf("    note: late submit printed: %s", r[1].out);
	for (int i = 0; i < 2; i++) {
		free(r[i].out);
		free(r[i].err);
	}
}

/* ---- oncall (trygg-escalation) ---- */

TEST(oncall_asks_trygg_escalation)
{
	const msgpack_object *doc;

	CHECK_INT(RUN("oncall", "--at", "2026-12-25T10:00:00+01:00", "--json"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	CHECK(h_get(doc, "office_hours") && !h_bool(doc, "office_hours"));
	CHECK_STR(h_str(doc, "target"), "tib");
	CHECK_HAS(h_str(doc, "reason"), "Juldagen");
	CHECK(*h_str(h_get(doc, "contact"), "id") != '\0');
	CHECK_INT(RUN("oncall", "--at", "2026-11-24T10:00:00+01:00"), 0);
	CHECK_RUN(strstr(R.out, "sakerhetschef") != NULL);
	CHECK_INT(RUN("oncall", "--at", "tomorrow"), 64);
	CHECK_RUN(strstr(R.err, "--at") != NULL && strstr(R.err, "tomorrow") != NULL);
}

/* ---- config check ---- */

/* Writes text to h()->dir/name; returns the path (static). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", h()->dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
	return path;
}

/*
 * Replaces the value of the first line that starts (after indentation) with
 * key in text; sets *line and *col (1-based) to where the new value is.
 */
static char *
replace_value(const char *text, const char *key, const char *value, int *line, int *col)
{
	buf_t out = BUF_INIT;
	const char *l = text;
	bool done = false;

	*line = 0;
	*col = 0;
	for (int n = 1; *l; n++) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		size_t ind = strspn(l, " ");

		if (!done && strncmp(l + ind, key, strlen(key)) == 0 &&
		    l[ind + strlen(key)] == ':') {
			size_t at = ind + strlen(key) + 1;

			while (l[at] == ' ')
				at++;
			buf_append(&out, l, at);
			buf_puts(&out, value);
			buf_putc(&out, '\n');
			*line = n;
			*col = (int)at + 1;
			done = true;
		} else {
			buf_append(&out, l, len);
		}
		l += len;
	}
	return out.data;
}

TEST(config_check_accepts_the_tests_configuration)
{
	const msgpack_object *doc;

	CHECK_INT(RUN("config", "check"), 0);
	CHECK_RUN(strstr(R.out, "configuration OK") != NULL);
	CHECK_STR(R.err, "");
	CHECK_INT(RUN("config", "check", h()->config), 0);
	CHECK_RUN(strstr(R.out, "configuration OK") != NULL);
	CHECK_INT(RUN("--json", "config", "check"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	CHECK_INT(RUN("config"), 64);
	CHECK_INT(RUN("config", "verify"), 64);
}

TEST(config_check_reports_every_error_with_its_position)
{
	char *good = harness_slurp(h()->config), *bad1, *bad2;
	char want_tz[512], want_ack[512];
	const char *path;
	int tz_line, tz_col, ack_line, ack_col;
	const msgpack_object *doc;

	bad1 = replace_value(good, "timezone", "Mars/Olympus", &tz_line, &tz_col);
	bad2 = replace_value(bad1, "ack_timeout", "soon", &ack_line, &ack_col);
	CHECK(tz_line > 0 && ack_line > 0);
	path = write_file("broken.yaml", bad2);
	snprintf(want_tz, sizeof(want_tz), "%s:%d:%d:", path, tz_line, tz_col);
	snprintf(want_ack, sizeof(want_ack), "%s:%d:%d:", path, ack_line, ack_col);

	CHECK_INT(RUN("config", "check", path), 78);
	CHECK_RUN(strstr(R.out, "configuration OK") == NULL);
	/* both errors in one run, each with file, line and column */
	CHECK_HAS(R.err, want_tz);
	CHECK_HAS(R.err, want_ack);
	CHECK_HAS(R.err, "Mars/Olympus");
	CHECK_HAS(R.err, "soon");

	CHECK_INT(RUN("--json", "config", "check", path), 78);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL);
	CHECK(h_get(doc, "ok") && !h_bool(doc, "ok"));
	CHECK_INT(arr_len(h_get(doc, "errors")), 2);

	/* a YAML syntax error has its position too */
	path = write_file("syntax.yaml", "timezone: Europe/Stockholm\nendpoints:\n"
	    "  intake: [1, 2\n");
	CHECK_INT(RUN("config", "check", path), 78);
	snprintf(want_tz, sizeof(want_tz), "%s:", path);
	CHECK_HAS(R.err, want_tz);
	CHECK_RUN(strchr(R.err + strlen(want_tz), ':') != NULL &&
	    isdigit((unsigned char)R.err[strlen(want_tz)]));

	/* a file that is not there */
	CHECK_RUN(RUN("config", "check", "/nonexistent/trygg.yaml") != 0);
	CHECK_HAS(R.err, "/nonexistent/trygg.yaml");
	CHECK_STR(R.out, "");

	/* the other commands refuse a bad configuration the same way */
	path = write_file("broken.yaml", bad2);
	snprintf(want_ack, sizeof(want_ack), "%s:%d:%d:", path, ack_line, ack_col);
	{
		spawn_t s;
		harness_t copy = *h();

		snprintf(copy.config, sizeof(copy.config), "%s", path);
		spawn(&s, &copy, 0, (const char *const[]){"list", NULL});
		finish(&s, &R);
	}
	/*
	 * an error in a part the client does not use does not stop it: it
	 * warns, names the check to run, and goes on with the endpoints
	 */
	CHECK_INT(R.status, 0);
	CHECK_HAS(R.err, "warning");
	CHECK_HAS(R.err, "config check");
	CHECK_HAS(R.out, "NUMBER");
	free(good);
	free(bad1);
	free(bad2);
}

/* ---- calendar ---- */

TEST(calendar_holidays)
{
	const msgpack_object *doc;
	const char *p;
	char prev[11] = "";
	int lines = 0;

	CHECK_INT(RUN("calendar", "holidays", "2026"), 0);
	CHECK_STR(R.err, "");
	CHECK_HAS(R.out, "2026-12-25\tJuldagen\n");
	CHECK_HAS(R.out, "2026-06-19\tMidsommarafton\n");
	CHECK_HAS(R.out, "2026-12-24\tJulafton\n");
	CHECK_HAS(R.out, "2026-12-31\tNyårsafton\n");
	CHECK_HAS(R.out, "2026-01-01\tNyårsdagen\n");
	CHECK_HAS(R.out, "2026-06-06\tSveriges nationaldag\n");
	CHECK_HAS(R.out, "2026-04-03\tLångfredagen\n");
	CHECK_HAS(R.out, "2026-10-31\tAlla helgons dag\n");
	/* every line is YYYY-MM-DD<TAB>name, in order of date */
	for (p = R.out; *p; lines++) {
		const char *nl = strchr(p, '\n');

		if (nl == NULL || nl - p < 12 || strncmp(p, "2026-", 5) != 0 || p[10] != '\t' ||
		    strncmp(p, prev, 10) <= 0) {
			test_fail(__FILE__, __LINE__, "bad line: %.*s", nl ? (int)(nl - p) : 40, p);
			break;
		}
		memcpy(prev, p, 10);
		p = nl + 1;
	}
	CHECK_RUN(lines >= 16);

	CHECK_INT(RUN("--json", "calendar", "holidays", "2026"), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc != NULL && h_bool(doc, "ok"));
	doc = h_get(doc, "holidays");
	CHECK_RUN(doc != NULL && doc->type == MSGPACK_OBJECT_ARRAY);
	CHECK_INT(arr_len(doc), lines);
	{
		bool jul = false;

		for (uint32_t i = 0; i < arr_len(doc); i++)
			jul |= strcmp(h_str(arr_at(doc, i), "date"), "2026-12-25") == 0 &&
			    strcmp(h_str(arr_at(doc, i), "name"), "Juldagen") == 0;
		CHECK(jul);
	}

	static const char *const bad[] = {"1899", "2201", "twenty", "", "2026x", "-2026"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_on(h(), (const char *const[]){"calendar", "holidays", bad[i], NULL});
		if (R.status == 0 || *R.err == '\0' || *R.out != '\0')
			test_fail(__FILE__, __LINE__, "year '%s': exit %d\n      stdout: %s\n"
			    "      stderr: %s", bad[i], R.status, R.out, R.err);
	}
	CHECK_INT(RUN("calendar", "holidays"), 64);
	CHECK_INT(RUN("calendar", "workdays", "2026"), 64);
}

/* ---- daemons that are not there ---- */

TEST(every_command_fails_with_69_when_its_daemon_is_down)
{
	/* never started: no socket; killed: a socket file nobody listens on */
	harness_t *never = harness_new(NULL), *killed = harness_new(NULL);
	static const char *const cmds[][16] = {
		{"submit", "--id", "down-1", "--district", "Ryd", "--category", "ovrigt",
		    "--severity", "1", "--summary", "s", "--reporter", "r", NULL},
		{"get", "INC-2026-000001", NULL},
		{"get", "--id", "down-1", NULL},
		{"list", NULL},
		{"list", "--json", "--team", "omradesteam-1", NULL},
		{"update", "INC-2026-000001", "--by", "x", "--note", "y", NULL},
		{"oncall", NULL},
	};
	enum { NCMDS = sizeof(cmds) / sizeof(cmds[0]) };
	spawn_t s[2 * NCMDS];
	run_t r[2 * NCMDS];
	long slowest = 0;

	memset(r, 0, sizeof(r));
	if (harness_start(killed, H_INTAKE) < 0 || harness_start(killed, H_ESCALATION) < 0) {
		test_fail(__FILE__, __LINE__, "cannot start the daemons");
		goto out;
	}
	CHECK_INT(WTERMSIG(harness_kill(killed, H_INTAKE, SIGKILL)), SIGKILL);
	CHECK_INT(WTERMSIG(harness_kill(killed, H_ESCALATION, SIGKILL)), SIGKILL);

	/* all at once: each one waits out the client's retries */
	for (int i = 0; i < NCMDS; i++) {
		spawn(&s[i], never, i, cmds[i]);
		spawn(&s[NCMDS + i], killed, i, cmds[i]);
	}
	for (int i = 0; i < 2 * NCMDS; i++) {
		harness_t *hh = i < NCMDS ? never : killed;
		const char *cmd = cmds[i % NCMDS][0];
		const char *endpoint = hh->endpoint[strcmp(cmd, "oncall") == 0 ?
		    H_ESCALATION : H_INTAKE];
		const char *svc = strcmp(cmd, "oncall") == 0 ? "trygg-escalation" :
		    "trygg-intake";
		bool json = strcmp(cmds[i % NCMDS][1] ? cmds[i % NCMDS][1] : "", "--json") == 0;

		finish(&s[i], &r[i]);
		if (r[i].ms > slowest)
			slowest = r[i].ms;
		/* names the daemon, its endpoint and what to do; --json: the error as JSON */
		if (r[i].status != 69 || strstr(r[i].err, svc) == NULL ||
		    strstr(r[i].err, endpoint) == NULL || strstr(r[i].err, "systemctl status") == NULL ||
		    (json ? json_parse(r[i].out) == NULL || h_bool(json_parse(r[i].out), "ok") ||
		    strcmp(h_code(json_parse(r[i].out)), "unavailable") != 0 : *r[i].out != '\0') ||
		    r[i].ms > CLI_DOWN_LIMIT_MS)
			test_fail(__FILE__, __LINE__, "%s (%s daemon): exit %d after %ld ms\n"
			    "      stdout: %s\n      stderr: %s", cmd,
			    i < NCMDS ? "never started" : "killed", r[i].status, r[i].ms,
			    r[i].out, r[i].err);
	}
	if (getenv("TEST_VERBOSE"))
		printf("    note: with the daemon down the slowest command took %ld ms\n", slowest);
	/* commands that need no daemon still work */
	CHECK_INT(run_on(never, (const char *const[]){"calendar", "holidays", "2026", NULL}), 0);
	CHECK_INT(run_on(never, (const char *const[]){"config", "check", NULL}), 0);
out:
	for (int i = 0; i < 2 * NCMDS; i++) {
		free(r[i].out);
		free(r[i].err);
	}
	harness_destroy(&never);
	harness_destroy(&killed);
}

/* ---- the command itself ---- */

TEST(unknown_command_help_and_global_options)
{
	static const char *const commands[] = {
		"submit", "get", "list", "update", "oncall", "calendar holidays",
		"config check",
	};
	char *out = NULL;

	CHECK_INT(RUN("frobnicate"), 64);
	CHECK_HAS(R.err, "frobnicate");
	CHECK_STR(R.out, "");

	CHECK_INT(RUN("--help"), 0);
	CHECK_STR(R.err, "");
	CHECK_HAS(R.out, "usage: trygg");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %.*s ", (int)strcspn(commands[i], " "),
		    commands[i]);
		CHECK_HAS(R.out, want);
	}
	CHECK_INT(RUN("-h"), 0);
	CHECK_HAS(R.out, "\n  submit ");
	CHECK_INT(RUN("help"), 0);
	CHECK_HAS(R.out, "\n  list ");

	/* the harness's own runner agrees */
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"--help", NULL}), 0);
	CHECK_HAS(out, "\n  update ");
	free(out);

	/* no command, an unknown option, -c without a file */
	{
		spawn_t s;
		harness_t copy = *h();

		CHECK_INT(RUN("--frobnicate", "list"), 64);
		CHECK_HAS(R.err, "--frobnicate");
		/* -c given last: the harness puts its own first, this one has no value */
		CHECK_INT(RUN("-c"), 64);
		snprintf(copy.config, sizeof(copy.config), "%s/none.yaml", copy.dir);
		spawn(&s, &copy, 0, (const char *const[]){"list", NULL});
		finish(&s, &R);
		/* a file named with -c that is not there: "not found", 66 */
		CHECK_INT(R.status, 66);
		CHECK_HAS(R.err, "none.yaml");
		CHECK_HAS(R.err, "not found");
	}
	CHECK_INT(run_on(h(), (const char *const[]){NULL}), 64);
	CHECK_HAS(R.err, "usage: trygg");
}

TEST_MAIN(submit_prints_number_team_district_and_escalation, submit_json_is_the_reply,
    submit_again_with_the_same_id_reports_the_duplicate,
    submit_same_id_other_content_is_a_conflict,
    submit_missing_required_options_get_the_daemons_error,
    submit_bad_severity_is_a_usage_error, submit_unknown_district_or_category,
    submit_options_reach_the_daemon, submit_without_id_makes_one_per_invocation,
    submit_usage_errors, get_prints_fields_and_history, get_unknown_is_not_found,
    list_filters_and_limits, list_columns_line_up, list_bad_options, update_note_close_reopen_and_history,
    update_errors, a_late_answer_applies_the_request_once, oncall_asks_trygg_escalation,
    config_check_accepts_the_tests_configuration,
    config_check_reports_every_error_with_its_position, calendar_holidays,
    every_command_fails_with_69_when_its_daemon_is_down,
    unknown_command_help_and_global_options)
