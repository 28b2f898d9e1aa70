/*
 * test_cli_help.c: help and version of the trygg command and the daemons.
 *
 * The list of commands comes from the binary itself (trygg help
 * --commands, made from cli/main.c's command table), so a command added
 * there must have its help, its place in trygg --help, and its entry in
 * trygg(1) (".It Cm NAME" in the Commands list, with every option its help
 * names) for these tests to pass. Also: each daemon's -h/--help and
 * -V/--version, trygg version against running daemons and without any,
 * and the bash completion, sourced in bash and asked to complete.
 */
#include "buf.h"
#include "harness.h"
#include "json_in.h"
#include "mem.h"
#include "test.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAN_PAGE   "docs/trygg.1"
#define COMPLETION "cli/trygg.bash-completion"
#define RUN_MAX_MS 60000        /* a run that takes longer is killed */

typedef struct {
	int   status;
	char *out, *err;
} run_t;

static run_t R;
static harness_t *H;

static const char *
bin_dir(void)
{
	const char *b = getenv("TRYGG_BIN");

	return b && *b ? b : "build/bin";
}

/*
 * Runs program (a name in the bin folder, or a path with '/') with args,
 * no TRYGG_* variables but env ("NAME=value", NULL-terminated, may be
 * NULL), stdout and stderr apart.
 */
static int
run_prog(const char *program, const char *const *env, const char *const *args)
{
	char path[512], outp[300], errp[300];
	const char *argv[64];
	int n = 0, status = 0;
	pid_t pid;

	if (strchr(program, '/'))
		snprintf(path, sizeof(path), "%s", program);
	else
		snprintf(path, sizeof(path), "%s/%s", bin_dir(), program);
	snprintf(outp, sizeof(outp), "/tmp/trygg-test-help-%d.out", (int)getpid());
	snprintf(errp, sizeof(errp), "/tmp/trygg-test-help-%d.err", (int)getpid());
	argv[n++] = program;
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		harness_cli_env(env);
		alarm(RUN_MAX_MS / 1000);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(R.out);
	free(R.err);
	R.out = harness_slurp(outp);
	R.err = harness_slurp(errp);
	unlink(outp);
	unlink(errp);
	R.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return R.status;
}

#define TRYGG(...) run_prog("trygg", NULL, (const char *const[]){__VA_ARGS__, NULL})

#define CHECK_RUN(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, \
    "CHECK(%s); exit %d\n      stdout: %s\n      stderr: %s", #cond, R.status, \
    R.out, R.err); } while (0)

static void
cleanup(void)
{
	harness_destroy(&H);
	free(R.out);
	free(R.err);
	json_free();
}

/* The commands the binary knows, from trygg help --commands; returns how many. */
static int
commands(char names[][32], int max)
{
	int n = 0;

	if (TRYGG("help", "--commands") != 0)
		return 0;
	for (const char *p = R.out; *p && n < max; ) {
		size_t len = strcspn(p, "\n");

		if (len > 0 && len < 32)
			snprintf(names[n++], 32, "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}
	return n;
}

/* the man page with "\-" as "-", as a person reads it */
static char *
man_text(void)
{
	char *m = harness_slurp(MAN_PAGE), *w = m;

	for (const char *r = m; *r; r++) {
		if (r[0] == '\\' && r[1] == '-')
			continue;
		*w++ = *r;
	}
	*w = '\0';
	return m;
}

/* Is line (a whole line) in text? */
static bool
has_line_start(const char *text, const char *start)
{
	size_t n = strlen(start);

	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, start, n) == 0 && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

TEST(every_command_has_help_with_options_and_an_example)
{
	char names[64][32], want[128];
	int n = commands(names, 64);

	/* the ones this issue knows of, at least; more may be added */
	CHECK_RUN(n >= 18);
	for (int i = 0; i < n; i++) {
		char *help;

		CHECK_INT(TRYGG("help", names[i]), 0);
		CHECK_STR(R.err, "");
		snprintf(want, sizeof(want), "usage: trygg %s", names[i]);
		CHECK_RUN(strncmp(R.out, want, strlen(want)) == 0);
		snprintf(want, sizeof(want), "example:\n  trygg %s", names[i]);
		CHECK_HAS(R.out, want);
		help = xstrdup(R.out);
		/* trygg COMMAND --help and -h say the same, exit 0, whatever else is there */
		CHECK_INT(TRYGG(names[i], "--help"), 0);
		CHECK_STR(R.out, help);
		CHECK_INT(TRYGG(names[i], "-h"), 0);
		CHECK_STR(R.out, help);
		CHECK_INT(TRYGG("-c", "/nonexistent/trygg.yaml", names[i], "--bogus", "--help"), 0);
		CHECK_STR(R.out, help);
		free(help);
	}
	CHECK_INT(TRYGG("help", "frobnicate"), 64);
	CHECK_HAS(R.err, "frobnicate");
}

TEST(trygg_help_lists_every_command_and_the_global_options)
{
	char names[64][32], want[64];
	int n = commands(names, 64);
	static const char *const globals[] = {"--config", "--endpoint", "--timeout", "--json",
		"--help", "--version"};

	CHECK_RUN(n > 0);
	CHECK_INT(TRYGG("--help"), 0);
	CHECK_STR(R.err, "");
	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "\n  %.31s ", names[i]);
		CHECK_HAS(R.out, want);
	}
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		CHECK_HAS(R.out, globals[i]);
	/* the same from help and -h; without a command it goes to stderr, exit 64 */
	{
		char *full = xstrdup(R.out);

		CHECK_INT(TRYGG("help"), 0);
		CHECK_STR(R.out, full);
		CHECK_INT(TRYGG("-h"), 0);
		CHECK_STR(R.out, full);
		free(full);
	}
	CHECK_INT(run_prog("trygg", NULL, (const char *const[]){NULL}), 64);
	CHECK_HAS(R.err, "usage: trygg");
}

TEST(the_manual_documents_every_command_and_option)
{
	char names[64][32], want[128];
	int n = commands(names, 64);
	char *man = man_text();
	static const char *const sections[] = {".Sh SYNOPSIS", ".Sh DESCRIPTION",
		".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXIT STATUS", ".Sh EXAMPLES"};
	static const char *const env[] = {"TRYGG_CONFIG", "TRYGG_INTAKE", "TRYGG_ESCALATION",
		"TRYGG_NOTIFICATIONS", "TRYGG_REPORTING", "TRYGG_TIMEZONE"};

	CHECK(n > 0);
	CHECK(strlen(man) > 1000);
	for (int i = 0; i < n; i++) {
		const char *p;

		/* a command's own entry in the Commands list */
		snprintf(want, sizeof(want), ".It Cm %.31s", names[i]);
		if (!has_line_start(man, want))
			test_fail(__FILE__, __LINE__, "trygg(1) has no \"%s\"", want);
		/* and every option its help names */
		if (TRYGG("help", names[i]) != 0)
			continue;
		for (p = strstr(R.out, "--"); p; p = strstr(p + 2, "--")) {
			size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

			if (len < 4)
				continue;
			snprintf(want, sizeof(want), "Fl %.*s", (int)len - 1, p + 1);
			if (strstr(man, want) == NULL)
				test_fail(__FILE__, __LINE__, "trygg(1) lacks %.*s (of %s)",
				    (int)len, p, names[i]);
		}
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		CHECK_HAS(man, sections[i]);
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		CHECK_HAS(man, env[i]);
	/* the exit statuses the client uses, and the JSON shape */
	static const char *const statuses[] = {"\n.It 0\n", "\n.It 1\n", "\n.It 64\n",
		"\n.It 66\n", "\n.It 69\n", "\n.It 70\n", "\n.It 78\n"};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		CHECK_HAS(man, statuses[i]);
	CHECK_HAS(man, "\\(dqok\\(dq: false");
	free(man);
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

TEST(version_names_the_client_and_each_daemon)
{
	const msgpack_object *doc, *d;
	char want[64];
	static const char *const daemons[] = {"trygg-intake", "trygg-escalation",
		"trygg-reporting"};

	snprintf(want, sizeof(want), "trygg %s", WIRE_TRYGG_VERSION);
	CHECK_INT(run_prog("trygg", NULL, (const char *const[]){"-c", h()->config, "version",
	    NULL}), 0);
	CHECK_RUN(strncmp(R.out, want, strlen(want)) == 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "%s", daemons[i]);
		CHECK_HAS(R.out, want);
	}
	CHECK_RUN(strstr(R.out, "not reachable") == NULL);
	/* --version and -V are the same */
	{
		char *v = xstrdup(R.out);

		CHECK_INT(run_prog("trygg", NULL, (const char *const[]){"-c", h()->config,
		    "--version", NULL}), 0);
		CHECK_STR(R.out, v);
		CHECK_INT(run_prog("trygg", NULL, (const char *const[]){"-c", h()->config, "-V",
		    NULL}), 0);
		CHECK_STR(R.out, v);
		free(v);
	}
	CHECK_INT(run_prog("trygg", NULL, (const char *const[]){"-c", h()->config, "--json",
	    "version", NULL}), 0);
	doc = json_parse(R.out);
	CHECK_RUN(doc && h_bool(doc, "ok"));
	CHECK_STR(h_str(doc, "version"), WIRE_TRYGG_VERSION);
	for (size_t i = 0; i < 3; i++) {
		d = h_get(h_get(doc, "daemons"), daemons[i]);
		CHECK(d && h_bool(d, "up"));
		CHECK_STR(h_str(d, "version"), WIRE_TRYGG_VERSION);
	}
	/* no configuration and no daemon: the client's version, and why no others */
	CHECK_INT(run_prog("trygg", (const char *const[]){"TRYGG_INTAKE=ipc:///nonexistent/x.sock",
	    NULL}, (const char *const[]){"-c", "/nonexistent/trygg.yaml", "version", NULL}), 0);
	CHECK_RUN(strncmp(R.out, "trygg ", 6) == 0);
	CHECK_HAS(R.out, "trygg-intake");
	CHECK_HAS(R.out, "not reachable");
	CHECK_HAS(R.out, "no endpoint known");
}

TEST(every_daemon_has_help_and_version)
{
	static const char *const daemons[] = {"trygg-intake", "trygg-escalation",
		"trygg-reporting", "trygg-web"};
	char want[64];

	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++) {
		static const char *const help[] = {"-h", "--help"}, *const version[] = {"-V",
			"--version"};

		for (int k = 0; k < 2; k++) {
			CHECK_INT(run_prog(daemons[i], NULL, (const char *const[]){help[k], NULL}), 0);
			snprintf(want, sizeof(want), "usage: %s", daemons[i]);
			CHECK_RUN(strncmp(R.out, want, strlen(want)) == 0);
			CHECK_HAS(R.out, "-c FILE");
			CHECK_HAS(R.out, "-V");
			CHECK_INT(run_prog(daemons[i], NULL, (const char *const[]){version[k], NULL}),
			    0);
			snprintf(want, sizeof(want), "%s %s", daemons[i], WIRE_TRYGG_VERSION);
			CHECK_RUN(strncmp(R.out, want, strlen(want)) == 0);
		}
		/* an unknown option: the usage on stderr, 64 */
		CHECK_INT(run_prog(daemons[i], NULL, (const char *const[]){"-Z", NULL}), 64);
		CHECK_HAS(R.err, "usage:");
	}
}

/* Runs bash with the completion sourced, completing words; COMPREPLY into R.out. */
static int
complete(const char *words, int cword)
{
	char script[1024], path[600];

	snprintf(path, sizeof(path), "PATH=%s:/usr/bin:/bin", bin_dir());
	snprintf(script, sizeof(script), "source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _trygg; "
	    "printf '%%s\\n' \"${COMPREPLY[@]}\"", COMPLETION, words, cword);
	return run_prog("/bin/bash", (const char *const[]){path, NULL},
	    (const char *const[]){"-c", script, NULL});
}

TEST(bash_completion_completes_commands_and_options)
{
	char names[64][32];
	int n = commands(names, 64);

	CHECK(access(COMPLETION, R_OK) == 0);
	CHECK_INT(complete("trygg su", 1), 0);
	CHECK_STR(R.out, "submit\n");
	/* every command comes from the binary */
	CHECK_INT(complete("trygg ''", 1), 0);
	for (int i = 0; i < n; i++) {
		char want[40];

		snprintf(want, sizeof(want), "%.31s\n", names[i]);
		CHECK_HAS(R.out, want);
	}
	/* a command's options, after global options and their values */
	CHECK_INT(complete("trygg -c x.yaml list --sev", 4), 0);
	CHECK_STR(R.out, "--severity\n");
	CHECK_INT(complete("trygg update INC-1 --re", 3), 0);
	CHECK_STR(R.out, "--reopen\n");
	CHECK_INT(complete("trygg --ver", 1), 0);
	CHECK_STR(R.out, "--version\n");
	CHECK_INT(complete("trygg ping esc", 2), 0);
	CHECK_STR(R.out, "escalation\n");
}

TEST(make_install_puts_the_completion_and_the_manual_in_place)
{
	char dir[] = "/tmp/trygg-test-install-XXXXXX", path[400], destdir[300];

	if (mkdtemp(dir) == NULL) {
		test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(destdir, sizeof(destdir), "DESTDIR=%s", dir);
	/* the programs are built already (make check builds them first): this only copies */
	CHECK_INT(run_prog("/usr/bin/make", NULL, (const char *const[]){"-s", "install",
	    destdir, "PREFIX=/usr", getenv("TRYGG_BIN") && strstr(getenv("TRYGG_BIN"), "san") ?
	    "SANITIZE=1" : "SANITIZE=", NULL}), 0);
	snprintf(path, sizeof(path), "%s/usr/share/bash-completion/completions/trygg", dir);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/usr/share/man/man1/trygg.1", dir);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/usr/bin/trygg", dir);
	CHECK(access(path, X_OK) == 0);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK_INT(system(cmd), 0);
	}
}

/* copies file from to to (mode 0755 when exec), 0 on success */
static int
copy_file(const char *from, const char *to, bool exec)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod %s '%s'", from, to,
	    exec ? "755" : "644", to);
	return system(cmd);
}

/*
 * A binary not installed, in ROOT/build/bin (or build/san/bin), reads
 * ROOT/config/trygg.yaml when the installed default is not there, whatever
 * the working directory; -c and $TRYGG_CONFIG still win, and the same
 * binary elsewhere finds nothing.
 */
TEST(an_uninstalled_binary_finds_its_trees_configuration)
{
	static const char *const layouts[] = {"build/bin", "build/san/bin"};
	char root[] = "/tmp/trygg-test-tree-XXXXXX", path[400], exe[400], cmd[600], env[420];
	harness_t *hh = h();

	if (access("/etc/trygg/trygg.yaml", F_OK) == 0 || mkdtemp(root) == NULL) {
		test_fail(__FILE__, __LINE__, "an installed /etc/trygg/trygg.yaml (or no "
		    "mkdtemp: %s) leaves nothing to test", strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/build/bin' '%s/build/san/bin' '%s/config' "
	    "'%s/elsewhere'", root, root, root, root);
	CHECK_INT(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/config/trygg.yaml", root);
	CHECK_INT(copy_file(hh->config, path, false), 0);
	for (size_t i = 0; i < 2; i++) {
		snprintf(exe, sizeof(exe), "%s/%s/trygg", root, layouts[i]);
		snprintf(path, sizeof(path), "%s/trygg", bin_dir());
		CHECK_INT(copy_file(path, exe, true), 0);
		/* from another working directory: / has no config/ */
		CHECK_INT(run_prog("/bin/sh", NULL, (const char *const[]){"-c",
		    "cd / && exec \"$0\" ping intake", exe, NULL}), 0);
		CHECK_STR(R.err, "");
		CHECK_HAS(R.out, "intake");
		/* -c and $TRYGG_CONFIG win */
		CHECK_INT(run_prog(exe, NULL, (const char *const[]){"-c", "/nonexistent/t.yaml",
		    "ping", "intake", NULL}), 66);
		CHECK_HAS(R.err, "/nonexistent/t.yaml");
		snprintf(env, sizeof(env), "TRYGG_CONFIG=/nonexistent/t.yaml");
		CHECK_INT(run_prog(exe, (const char *const[]){env, NULL},
		    (const char *const[]){"ping", "intake", NULL}), 66);
		CHECK_HAS(R.err, "/nonexistent/t.yaml");
	}
	/* the same binary outside build/bin: the installed default, not there */
	snprintf(exe, sizeof(exe), "%s/elsewhere/trygg", root);
	snprintf(path, sizeof(path), "%s/trygg", bin_dir());
	CHECK_INT(copy_file(path, exe, true), 0);
	CHECK_RUN(run_prog(exe, NULL, (const char *const[]){"ping", "intake", NULL}) != 0);
	CHECK_HAS(R.err, "/etc/trygg/trygg.yaml");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
}

TEST_MAIN(every_command_has_help_with_options_and_an_example,
    trygg_help_lists_every_command_and_the_global_options,
    the_manual_documents_every_command_and_option,
    version_names_the_client_and_each_daemon,
    every_daemon_has_help_and_version,
    bash_completion_completes_commands_and_options,
    make_install_puts_the_completion_and_the_manual_in_place,
    an_uninstalled_binary_finds_its_trees_configuration)
