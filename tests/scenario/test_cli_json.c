/*
 * test_cli_json.c: the trygg command against real daemons, for what a
 * person or a script relies on: one JSON shape for every answer (errors
 * too), exit statuses, endpoints without a configuration file, a daemon
 * that is down said within 3 s, times in the configured zone across a
 * daylight saving change (and read in it), oncall's contact, deputy, why
 * and until, rota's current duty and aligned columns, and what submit says
 * happens next.
 */
#include "buf.h"
#include "harness.h"
#include "json_in.h"
#include "mem.h"
#include "test.h"
#include "ts.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the bound: a daemon that is down is said in under 3 s */
#define DOWN_BOUND_MS 3000
#define RUN_MAX_S     60        /* a run that takes longer is killed */

typedef struct {
	int   status;
	char *out, *err;
	long  ms;
} run_t;

static run_t R;
static harness_t *H;            /* intake, escalation and reporting running */

static void
cleanup(void)
{
	harness_destroy(&H);
	free(R.out);
	free(R.err);
	json_free();
}

static harness_t *
h(void)
{
	if (H == NULL) {
		H = harness_new(NULL);
		if (harness_start(H, H_INTAKE) < 0 || harness_start(H, H_ESCALATION) < 0 ||
		    harness_start(H, H_REPORTING) < 0) {
			fprintf(stderr, "cannot start the daemons\n");
			exit(1);
		}
		atexit(cleanup);
	}
	return H;
}

/*
 * Runs trygg with exactly args (no -c added), no TRYGG_* variables but
 * env ("NAME=value", may be NULL), in the harness's folder.
 */
/* a copy of trygg outside any build/bin, which finds no tree's configuration */
static char run_exe[400];

static int
run_env(const char *const *env, const char *const *args)
{
	const char *bin = getenv("TRYGG_BIN");
	char path[1024], outp[400], errp[400];
	const char *argv[64];
	struct timespec t0;
	int n = 0, status = 0;
	pid_t pid;

	if (run_exe[0] != '\0')
		snprintf(path, sizeof(path), "%s", run_exe);
	else
		snprintf(path, sizeof(path), "%s/trygg", bin && *bin ? bin : "build/bin");
	if (path[0] != '/') {
		char cwd[256];

		if (getcwd(cwd, sizeof(cwd)) != NULL) {
			char rel[512];

			snprintf(rel, sizeof(rel), "%.500s", path);
			snprintf(path, sizeof(path), "%.256s/%.500s", cwd, rel);
		}
	}
	snprintf(outp, sizeof(outp), "%s/json.out", h()->dir);
	snprintf(errp, sizeof(errp), "%s/json.err", h()->dir);
	argv[n++] = "trygg";
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		harness_cli_env(env);
		if (chdir(h()->dir) < 0)
			_exit(126);
		alarm(RUN_MAX_S);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	R.ms = harness_ms_since(&t0);
	free(R.out);
	free(R.err);
	R.out = harness_slurp(outp);
	R.err = harness_slurp(errp);
	R.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return R.status;
}

/* RUN("list"): trygg -c CONFIG list */
#define RUN(...) run_env(NULL, (const char *const[]){"-c", h()->config, __VA_ARGS__, NULL})

#define CHECK_RUN(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, \
    "CHECK(%s); exit %d after %ld ms\n      stdout: %s\n      stderr: %s", #cond, \
    R.status, R.ms, R.out, R.err); } while (0)

/* the incident number at the start of stdout, or "" */
static const char *
out_number(void)
{
	static char n[16];

	snprintf(n, sizeof(n), "%.15s", R.out);
	return strncmp(n, "INC-", 4) == 0 ? n : "";
}

/* ---- one JSON shape ---- */

/*
 * What every --json answer must be: exactly one JSON object on stdout,
 * indented, with "ok" a boolean that is true exactly when the exit status
 * is 0; an error's object has error.code and error.message, and its
 * message is on stderr as well.
 */
static void
check_shape(const char *what, int line)
{
	const msgpack_object *doc = json_parse(R.out), *ok;

	ok = doc ? h_get(doc, "ok") : NULL;
	if (doc == NULL || doc->type != MSGPACK_OBJECT_MAP || ok == NULL ||
	    ok->type != MSGPACK_OBJECT_BOOLEAN || ok->via.boolean != (R.status == 0) ||
	    strstr(R.out, "\n  \"") == NULL) {
		test_fail(__FILE__, line, "%s: not one indented object with ok matching exit %d\n"
		    "      stdout: %s\n      stderr: %s", what, R.status, R.out, R.err);
		return;
	}
	if (R.status != 0 && (*h_code(doc) == '\0' ||
	    *h_str(h_get(doc, "error"), "message") == '\0' || *R.err == '\0'))
		test_fail(__FILE__, line, "%s: error without code, message or stderr\n"
		    "      stdout: %s\n      stderr: %s", what, R.out, R.err);
}

TEST(every_json_answer_is_one_object_with_ok)
{
	char number[16], esc[32], broken[400], none[400], cfgarg[400];
	char what[1024];
	const msgpack_object *doc;
	FILE *f;

	/* an external incident, so that there is an escalation to ack and resolve */
	CHECK_INT(RUN("submit", "--district", "Ryd", "--category", "ovrigt", "--severity", "4",
	    "--summary", "JSON-formen", "--reporter", "r"), 0);
	snprintf(number, sizeof(number), "%s", out_number());
	CHECK_RUN(*number != '\0');
	esc[0] = '\0';
	for (int i = 0; i < 50 && esc[0] == '\0'; i++) {
		CHECK_INT(RUN("--json", "escalations", "--incident", number), 0);
		doc = json_parse(R.out);
		if (arr_len(h_get(doc, "escalations")) > 0)
			snprintf(esc, sizeof(esc), "%lld",
			    h_int(arr_at(h_get(doc, "escalations"), 0), "id"));
		else
			usleep(100 * 1000);
	}
	CHECK(esc[0] != '\0');
	snprintf(broken, sizeof(broken), "%s/broken.yaml", h()->dir);
	snprintf(none, sizeof(none), "%s/none.yaml", h()->dir);
	snprintf(cfgarg, sizeof(cfgarg), "%s", h()->config);
	f = fopen(broken, "w");
	fputs("timezone: Mars/Olympus\n", f);
	fclose(f);

	static const struct {
		int         status;
		const char *args[16];
	} cases[] = {
		{0, {"submit", "--district", "Ryd", "--category", "ovrigt", "--severity", "1",
		    "--summary", "s", "--reporter", "r"}},
		{0, {"submit", "--district", "Ryd", "--category", "ovrigt", "--severity", "4",
		    "--summary", "s", "--reporter", "r"}},
		{0, {"get", "@N"}},
		{0, {"list"}},
		{0, {"list", "--limit", "1", "--severity", "4"}},
		{0, {"update", "@N", "--by", "samordnare", "--note", "JSON"}},
		{0, {"escalations"}},
		{0, {"ack", "@E", "--by", "sakerhetschef"}},
		{0, {"resolve", "@E", "--by", "sakerhetschef", "--note", "klart"}},
		{0, {"status"}},
		{0, {"oncall"}},
		{0, {"oncall", "--at", "2026-12-25 10:00", "--config", "@C"}},
		{0, {"rota"}},
		{0, {"ping"}},
		{0, {"ping", "reporting"}},
		{0, {"calendar", "holidays", "2026"}},
		{0, {"config", "check"}},
		{0, {"report", "lagesbild", "--period", "2026-11"}},
		{0, {"jobs"}},
		{0, {"version"}},
		{0, {"help"}},
		{0, {"help", "list"}},
		{0, {"list", "--help"}},
		/* errors: the daemon's, the client's own, the configuration's, a daemon down */
		{1, {"get", "INC-1999-000001"}},
		{64, {"submit", "--district", "Ryd"}},
		{64, {"submit", "--district", "Narnia", "--category", "ovrigt", "--severity", "1",
		    "--summary", "s", "--reporter", "r"}},
		{64, {"list", "--limit", "0"}},
		{64, {"update", "@N", "--by", "x", "--close", "--reopen"}},
		{64, {"report", "lagesbild", "--period", "2026-11", "-o", "@X"}},
		{64, {"frobnicate"}},
		{64, {"oncall", "--at", "tomorrow"}},
		{78, {"config", "check", "@B"}},
		{66, {"config", "check", "@X"}},
		{1, {"report", "lagesbild", "--period", "someday"}},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *args[24];
		int n = 0;

		what[0] = '\0';
		args[n++] = "-c";
		args[n++] = cfgarg;
		args[n++] = "--json";
		for (int i = 0; cases[c].args[i]; i++) {
			const char *a = cases[c].args[i];

			a = strcmp(a, "@N") == 0 ? number : strcmp(a, "@E") == 0 ? esc :
			    strcmp(a, "@C") == 0 ? cfgarg : strcmp(a, "@B") == 0 ? broken :
			    strcmp(a, "@X") == 0 ? none : a;
			args[n++] = a;
			snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s ", a);
		}
		args[n] = NULL;
		run_env(NULL, args);
		/* the period's check belongs to trygg-reporting: 1 or 64 */
		if (R.status != cases[c].status && !(cases[c].status == 1 && R.status == 64))
			test_fail(__FILE__, __LINE__, "%s: exit %d, expected %d\n      stdout: %s\n"
			    "      stderr: %s", what, R.status, cases[c].status, R.out, R.err);
		check_shape(what, __LINE__);
	}
	/* a daemon that is down, and a configuration that is not there */
	CHECK_INT(run_env(NULL, (const char *const[]){"--json", "--endpoint",
	    "intake=ipc:///nonexistent/intake.sock", "list", NULL}), 69);
	check_shape("list, intake down", __LINE__);
	CHECK_STR(h_code(json_parse(R.out)), "unavailable");
	CHECK_INT(run_env(NULL, (const char *const[]){"--json", "--endpoint",
	    "intake=ipc:///nonexistent/intake.sock", "--endpoint",
	    "escalation=ipc:///nonexistent/escalation.sock", "--endpoint",
	    "reporting=ipc:///nonexistent/reporting.sock", "status", NULL}), 69);
	check_shape("status, every daemon down", __LINE__);
	CHECK_INT(run_env(NULL, (const char *const[]){"--json", "-c", none, "list", NULL}), 66);
	check_shape("list, no configuration", __LINE__);
	CHECK_STR(h_code(json_parse(R.out)), "not_found");
	/* config check's answer is indented like the rest */
	CHECK_INT(RUN("--json", "config", "check"), 0);
	CHECK_RUN(strncmp(R.out, "{\n  \"ok\": true,\n  \"file\": ", 25) == 0);
}

/* ---- finding the daemons ---- */

TEST(endpoints_without_a_configuration_file)
{
	char intake[400], esc[400], bad[400], missing[400];

	snprintf(intake, sizeof(intake), "TRYGG_INTAKE=%s", h()->endpoint[H_INTAKE]);
	snprintf(esc, sizeof(esc), "escalation=%s", h()->endpoint[H_ESCALATION]);
	snprintf(bad, sizeof(bad), "TRYGG_INTAKE=ipc://%s/nobody.sock", h()->dir);
	snprintf(missing, sizeof(missing), "%s/missing.yaml", h()->dir);

	/* no -c, no TRYGG_CONFIG, no file at the default path: the environment */
	CHECK_INT(run_env((const char *const[]){intake, NULL},
	    (const char *const[]){"list", "--limit", "1", NULL}), 0);
	CHECK_RUN(strncmp(R.out, "NUMBER", 6) == 0);
	CHECK_STR(R.err, "");
	/* --endpoint, repeatable, wins over the environment */
	CHECK_INT(run_env((const char *const[]){bad, NULL}, (const char *const[]){"--endpoint",
	    intake + strlen("TRYGG_"), "--endpoint", esc, "oncall", NULL}), 64);
	CHECK_HAS(R.err, "--endpoint");   /* "INTAKE=" is no name: names are lower-case */
	{
		char low[400];

		snprintf(low, sizeof(low), "intake=%s", h()->endpoint[H_INTAKE]);
		CHECK_INT(run_env((const char *const[]){bad, NULL}, (const char *const[]){
		    "--endpoint", low, "--endpoint", esc, "get", "INC-1999-000001", NULL}), 1);
		CHECK_HAS(R.err, "not_found");  /* intake itself answered */
		CHECK_INT(run_env(NULL, (const char *const[]){"--endpoint", esc, "oncall", NULL}),
		    0);
		CHECK_HAS(R.out, "on call:");
	}
	/* the environment's endpoint, nobody there: said, with the endpoint */
	CHECK_INT(run_env((const char *const[]){bad, NULL}, (const char *const[]){"list", NULL}),
	    69);
	CHECK_HAS(R.err, "nobody.sock");
	/*
	 * nothing at all: which daemon, and the three ways to give it; 66 (from
	 * a copy outside build/bin: the tree's own would read config/trygg.yaml)
	 */
	{
		char cmd[1000];
		const char *bin = getenv("TRYGG_BIN");

		snprintf(run_exe, sizeof(run_exe), "%s/trygg-copy", h()->dir);
		snprintf(cmd, sizeof(cmd), "cp '%s/trygg' '%s'", bin && *bin ? bin : "build/bin",
		    run_exe);
		CHECK_INT(system(cmd), 0);
	}
	CHECK_INT(run_env(NULL, (const char *const[]){"list", NULL}), 66);
	run_exe[0] = '\0';
	CHECK_HAS(R.err, "trygg-intake");
	CHECK_HAS(R.err, "not found");
	CHECK_HAS(R.err, "--endpoint intake=URL");
	CHECK_HAS(R.err, "TRYGG_INTAKE");
	/* a file named with -c that is not there: "not found", 66, not "invalid" */
	CHECK_INT(run_env((const char *const[]){intake, NULL}, (const char *const[]){"-c",
	    missing, "list", NULL}), 66);
	CHECK_HAS(R.err, "not found");
	CHECK_RUN(strstr(R.err, "invalid") == NULL);
	/* malformed: usage errors naming the flag or the variable */
	CHECK_INT(run_env(NULL, (const char *const[]){"--endpoint", "intake", "list", NULL}), 64);
	CHECK_HAS(R.err, "--endpoint");
	CHECK_INT(run_env(NULL, (const char *const[]){"--endpoint", "web=tcp://x:1", "list",
	    NULL}), 64);
	CHECK_HAS(R.err, "--endpoint");
	CHECK_INT(run_env((const char *const[]){"TRYGG_INTAKE=nowhere", NULL},
	    (const char *const[]){"list", NULL}), 64);
	CHECK_HAS(R.err, "TRYGG_INTAKE");
	/* a configuration with errors in parts the client does not use */
	{
		char path[400], text[1200];
		FILE *f;

		snprintf(path, sizeof(path), "%s/partly.yaml", h()->dir);
		snprintf(text, sizeof(text), "timezone: Europe/Stockholm\nendpoints:\n"
		    "  intake: %s\n  escalation: %s\nteams: 17\nrota: {period: never}\n",
		    h()->endpoint[H_INTAKE], h()->endpoint[H_ESCALATION]);
		f = fopen(path, "w");
		fputs(text, f);
		fclose(f);
		CHECK_INT(run_env(NULL, (const char *const[]){"-c", path, "list", "--limit", "1",
		    NULL}), 0);
		CHECK_HAS(R.err, "warning");
		CHECK_HAS(R.out, "NUMBER");
		/* rota needs the rest, and says so */
		CHECK_INT(run_env(NULL, (const char *const[]){"-c", path, "rota", NULL}), 78);
		CHECK_HAS(R.err, "config check");
	}
}

/* ---- fast, clear failure ---- */

TEST(a_daemon_that_is_down_is_said_within_3_seconds)
{
	harness_t *down = harness_new(NULL);
	char tcp[64];

	/* never started, default --timeout: at once, naming endpoint and what to do */
	CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "list", NULL}), 69);
	CHECK_RUN(R.ms < DOWN_BOUND_MS);
	CHECK_HAS(R.err, down->endpoint[H_INTAKE]);
	CHECK_HAS(R.err, "is trygg-intake running?");
	CHECK_HAS(R.err, "systemctl status trygg-intake");
	if (getenv("TEST_VERBOSE"))
		printf("    note: trygg list against a daemon that is down: %ld ms\n", R.ms);
	/* even with a long --timeout: nothing listens, nothing to wait for */
	CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "--timeout", "60",
	    "oncall", NULL}), 69);
	CHECK_RUN(R.ms < DOWN_BOUND_MS);
	CHECK_HAS(R.err, "systemctl status trygg-escalation");
	/* a TCP port nobody listens on */
	snprintf(tcp, sizeof(tcp), "intake=tcp://127.0.0.1:%d", 1);
	CHECK_INT(run_env(NULL, (const char *const[]){"--endpoint", tcp, "list", NULL}), 69);
	CHECK_RUN(R.ms < DOWN_BOUND_MS);
	CHECK_HAS(R.err, "tcp://127.0.0.1:1");

	/* running but stopped: the wait of --timeout, said while it waits */
	if (harness_start(down, H_INTAKE) == 0) {
		CHECK_INT(kill(down->pid[H_INTAKE], SIGSTOP), 0);
		CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "--timeout",
		    "0.5", "list", NULL}), 69);
		CHECK_RUN(R.ms < DOWN_BOUND_MS);
		CHECK_HAS(R.err, "does not answer");
		CHECK_HAS(R.err, "--timeout");
		CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "--timeout",
		    "2.5", "list", NULL}), 69);
		CHECK_HAS(R.err, "has not answered in 2.0 s; waiting up to 0.5 s more");
		CHECK_INT(kill(down->pid[H_INTAKE], SIGCONT), 0);
		/* and once it runs again, the same command works */
		CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "list", NULL}),
		    0);
		/* stopped, then killed while the client waits: said, not waited out */
		CHECK_INT(kill(down->pid[H_INTAKE], SIGSTOP), 0);
		{
			pid_t killer = fork();

			if (killer == 0) {
				usleep(500 * 1000);
				kill(down->pid[H_INTAKE], SIGKILL);
				_exit(0);
			}
			CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config,
			    "--timeout", "30", "list", NULL}), 69);
			waitpid(killer, NULL, 0);
		}
		CHECK_HAS(R.err, "stopped while trygg waited");
		CHECK_RUN(R.ms < 30000 / 3);
	} else {
		test_fail(__FILE__, __LINE__, "cannot start trygg-intake");
	}
	CHECK_INT(run_env(NULL, (const char *const[]){"--timeout", "soon", "list", NULL}), 64);
	CHECK_HAS(R.err, "--timeout");
	harness_destroy(&down);
}

/* ---- times for people ---- */

/* the instant an RFC 3339 value names, -1 when it is none */
static int64_t
instant(const char *s)
{
	int64_t ms;

	return ts_parse_rfc3339(s, strlen(s), &ms) == 0 ? ms : -1;
}

/* the line of s that starts with key, as a static copy, "" when none */
static const char *
line_of(const char *s, const char *key)
{
	static char line[512];

	for (const char *p = s; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, strlen(key)) == 0) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
			return line;
		}
	return "";
}

TEST(times_are_local_across_a_daylight_saving_change)
{
	static const struct {
		const char *typed;
		const char *utc;        /* the instant it names */
		const char *shown;      /* as get shows it */
	} cases[] = {
		/* Sunday 29 March 2026, 02:00 CET becomes 03:00 CEST */
		{"2026-03-29 01:30", "2026-03-29T00:30:00Z", "2026-03-29 01:30 CET"},
		{"2026-03-29T03:30", "2026-03-29T01:30:00Z", "2026-03-29 03:30 CEST"},
		{"2026-03-29 03:30:15", "2026-03-29T01:30:15Z", "2026-03-29 03:30 CEST"},
		{"2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29 00:00 CET"},
		{"2026-10-25 12:00", "2026-10-25T11:00:00Z", "2026-10-25 12:00 CET"},
		{"2026-03-29T03:30:00+02:00", "2026-03-29T01:30:00Z", "2026-03-29 03:30 CEST"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char number[16];
		const msgpack_object *doc;

		CHECK_INT(RUN("submit", "--district", "Lambohov", "--category", "ovrigt",
		    "--severity", "1", "--summary", "Sommartid", "--reporter", "r",
		    "--occurred-at", cases[i].typed), 0);
		snprintf(number, sizeof(number), "%s", out_number());
		/* --json keeps RFC 3339: the instant typed, read in the configured zone */
		CHECK_INT(RUN("--json", "get", number), 0);
		doc = h_get(json_parse(R.out), "incident");
		if (instant(h_str(doc, "occurred_at")) != instant(cases[i].utc))
			test_fail(__FILE__, __LINE__, "--occurred-at '%s' stored as %s, not %s",
			    cases[i].typed, h_str(doc, "occurred_at"), cases[i].utc);
		/* a person reads local time with the zone's abbreviation */
		CHECK_INT(RUN("get", number), 0);
		CHECK_HAS(line_of(R.out, "occurred_at"), cases[i].shown);
		CHECK_HAS(line_of(R.out, "received_at"), " CET");
		CHECK_RUN(strstr(R.out, "T00:") == NULL && strstr(R.out, ":00Z") == NULL);
	}
	/* what is not a time is a usage error naming the option */
	CHECK_INT(RUN("submit", "--district", "Lambohov", "--category", "ovrigt", "--severity",
	    "1", "--summary", "s", "--reporter", "r", "--occurred-at", "2026-03-29 25:00"), 64);
	CHECK_HAS(R.err, "--occurred-at");
	CHECK_RUN(strstr(R.err, "occurred_at") == NULL);
	/* list: the times of receipt local too, and --since read in the zone */
	CHECK_INT(RUN("list", "--since", "2026-01-01", "--limit", "3"), 0);
	CHECK_HAS(R.out, " CET");
	CHECK_RUN(strstr(R.out, "Z ") == NULL);
}

TEST(rota_marks_the_current_duty_and_keeps_its_columns_across_cest)
{
	const char *p;
	int lines = 0, dash = -1, marked = 0;
	bool cet = false, cest = false;

	CHECK_INT(RUN("rota", "--from", "2026-03-16", "--weeks", "3"), 0);
	for (p = strchr(R.out, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
		char line[512];
		int col;

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		if (strncmp(line, "(times", 6) == 0)
			break;
		lines++;
		cet |= strstr(line, " CET") != NULL;
		cest |= strstr(line, " CEST") != NULL;
		/* the dash and the contact stand in the same column on every line */
		col = (int)(strstr(line, " – ") ? strstr(line, " – ") - line : -1);
		if (dash < 0)
			dash = col;
		if (col < 0 || col != dash)
			test_fail(__FILE__, __LINE__, "the dash is at %d, not %d:\n%s", col, dash,
			    R.out);
		if (strchr(p, '\n') == NULL)
			break;
	}
	CHECK_RUN(lines >= 3 && cet && cest);
	CHECK_HAS(R.out, "FROM");
	/* from today: exactly one stretch is marked as the current one */
	CHECK_INT(RUN("rota"), 0);
	for (p = R.out; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		marked += p[0] == '*';
	CHECK_INT(marked, 1);
	CHECK_INT(RUN("--json", "rota"), 0);
	CHECK(h_bool(arr_at(h_get(json_parse(R.out), "duties"), 0), "current"));
}

TEST(oncall_says_who_their_deputy_why_and_until_when)
{
	CHECK_INT(RUN("oncall", "--at", "2026-12-25 10:00"), 0);
	CHECK_HAS(line_of(R.out, "on call:"), "TiB");
	CHECK_HAS(line_of(R.out, "deputy:"), "tib-");
	CHECK_HAS(line_of(R.out, "why:"), "holiday: Juldagen");
	CHECK_HAS(line_of(R.out, "until:"), "2026-12-28 08:00 CET");
	CHECK_HAS(R.out, "answered by trygg-escalation");
	/* office hours: the säkerhetschef, and the deputy of that role */
	CHECK_INT(RUN("oncall", "--at", "2026-11-24 10:00"), 0);
	CHECK_HAS(line_of(R.out, "on call:"), "sakerhetschef");
	CHECK_HAS(line_of(R.out, "deputy:"), "sakerhetschef-ersattare");
	CHECK_HAS(line_of(R.out, "why:"), "weekday office hours");
	CHECK_HAS(line_of(R.out, "until:"), "2026-11-24 17:00 CET");
	/* a weekend */
	CHECK_INT(RUN("oncall", "--at", "2026-11-28 10:00"), 0);
	CHECK_HAS(line_of(R.out, "why:"), "weekend");
	/* --config FILE: decided here from that file, and said so */
	CHECK_INT(RUN("oncall", "--at", "2026-12-25 10:00", "--config", h()->config), 0);
	CHECK_HAS(R.out, "decided here from");
	CHECK_HAS(line_of(R.out, "why:"), "holiday: Juldagen");
	CHECK_HAS(line_of(R.out, "until:"), "2026-12-28 08:00 CET");
	CHECK_INT(RUN("oncall", "--config", "/nonexistent/x.yaml"), 66);
}

TEST(submit_says_what_happens_next)
{
	/* beyond the team's scope: who is notified, in plain words */
	CHECK_INT(RUN("submit", "--district", "Ryd", "--category", "brand", "--severity", "2",
	    "--summary", "Brand i soprum", "--reporter", "r"), 0);
	CHECK_HAS(R.out, "beyond the team's scope: trygg-escalation notifies whoever is on call");
	CHECK_RUN(strstr(R.out, "notified ") != NULL || strstr(R.out, "on call now") != NULL);
	CHECK_HAS(R.out, "Follow it with: trygg get INC-");
	/* reinforcement */
	CHECK_INT(RUN("submit", "--district", "Berga", "--category", "ovrigt", "--severity", "2",
	    "--summary", "Behöver hjälp", "--reporter", "r", "--needs-reinforcement"), 0);
	CHECK_HAS(R.out, "the other teams' coordinators");
	/* when the report's fate is unknown, the id to send it again with */
	{
		harness_t *down = harness_new(NULL);

		if (harness_start(down, H_INTAKE) == 0) {
			CHECK_INT(kill(down->pid[H_INTAKE], SIGSTOP), 0);
			CHECK_INT(run_env(NULL, (const char *const[]){"-c", down->config, "--timeout",
			    "0.3", "submit", "--district", "Ryd", "--category", "ovrigt",
			    "--severity", "1", "--summary", "s", "--reporter", "r", NULL}), 69);
			CHECK_HAS(R.err, "sending it again with --id cli-");
			CHECK_INT(kill(down->pid[H_INTAKE], SIGCONT), 0);
		}
		harness_destroy(&down);
	}
}

TEST_MAIN(every_json_answer_is_one_object_with_ok, endpoints_without_a_configuration_file,
    a_daemon_that_is_down_is_said_within_3_seconds,
    times_are_local_across_a_daylight_saving_change,
    rota_marks_the_current_duty_and_keeps_its_columns_across_cest,
    oncall_says_who_their_deputy_why_and_until_when, submit_says_what_happens_next)
