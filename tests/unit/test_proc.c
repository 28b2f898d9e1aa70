/*
 * test_proc.c: running programs from a poll loop (proc.c): outcomes, input,
 * output, environment, timeouts, the concurrency limit and the queue bound.
 *
 * The machine is shared and noisy, so nothing here asserts a duration:
 * outcomes and orderings only. A test that involves a timeout uses a short
 * one against a program that would sleep far longer, so it never waits for
 * the sleep.
 *
 * The example notify commands (config/examples/notify-*.sh) run here too,
 * through proc as trygg-escalation runs them, with a fake sendmail and curl
 * first in PATH that record what they were given; with jq and with the awk
 * fallback of a system without it.
 */
#include "proc.h"
#include "test.h"
#include "mpbuild.h"

#include "buf.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RESULTS 32

/* what the callback saw, in the order it saw it */
static struct seen {
	int64_t        id;
	void          *arg;
	proc_outcome_t outcome;
	int            status, error;
	bool           ok, truncated;
	char           output[PROC_CAPTURE_MAX + 1];
	size_t         output_len, input_written;
	size_t         running;         /* proc_running() during the callback */
	char           what[256];
} seen[MAX_RESULTS];
static size_t nseen;
static proc_t *cur;                     /* for proc_running() in on_done */

static char dir[64];

static void
on_done(const proc_result_t *r, void *done_arg)
{
	struct seen *s;

	(void)done_arg;
	if (nseen >= MAX_RESULTS)
		return;
	s = &seen[nseen++];
	s->id = r->id;
	s->arg = r->arg;
	s->outcome = r->outcome;
	s->status = r->status;
	s->error = r->error;
	s->ok = r->ok;
	s->truncated = r->truncated;
	memcpy(s->output, r->output, r->output_len);
	s->output[r->output_len] = '\0';
	s->output_len = r->output_len;
	s->input_written = r->input_written;
	s->running = cur ? proc_running(cur) : 0;
	snprintf(s->what, sizeof(s->what), "%s", r->what);
}

static proc_t *
setup(int running, int queued)
{
	char err[256] = "";

	nseen = 0;
	memset(seen, 0, sizeof(seen));
	snprintf(dir, sizeof(dir), "/tmp/trygg-proc-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	cur = proc_new(running, queued, on_done, NULL, err, sizeof(err));
	if (cur == NULL)
		fprintf(stderr, "%s\n", err);
	return cur;
}

static void
teardown(proc_t **p)
{
	char cmd[128];

	proc_destroy(p);
	cur = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/*
 * Polls as a daemon's loop would until n results are in; false when that
 * does not happen within a generous bound (a hang, not a slow machine).
 */
static bool
run_until(proc_t *p, size_t n)
{
	char err[256];

	for (int spins = 0; nseen < n && spins < 6000; spins++) {
		struct pollfd pfd = {.fd = proc_fd(p), .events = POLLIN};
		int t = proc_next_deadline(p);

		if (t < 0 || t > 100)
			t = 100;        /* a guard only; events wake us */
		if (poll(&pfd, 1, t) < 0 && errno != EINTR)
			return false;
		if (proc_dispatch(p, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return false;
		}
	}
	return nseen >= n;
}

static const struct seen *
result(int64_t id)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].id == id)
			return &seen[i];
	return NULL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	if (fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return data;
}

/* Programs and the one outcome each must have. */
static const struct {
	const char     *name;
	const char     *argv[6];
	const char     *input;
	int64_t         timeout_ms;
	proc_outcome_t  outcome;
	int             status;         /* exit status or signal */
	int             error;          /* PROC_FAILED */
	const char     *output;         /* the captured stderr, exactly */
	const char     *what;           /* a part of the log line */
} cases[] = {
	{"success", {"sh", "-c", "cat >/dev/null; exit 0", NULL}, "x",
	    60000, PROC_EXITED, 0, 0, "", "exited with status 0"},
	{"exit 3", {"sh", "-c", "exit 3", NULL}, NULL,
	    60000, PROC_EXITED, 3, 0, "", "exited with status 3"},
	{"stderr for the log", {"sh", "-c", "echo oops >&2; exit 1", NULL},
	    NULL, 60000, PROC_EXITED, 1, 0, "oops\n", "status 1"},
	{"stdout is not captured", {"sh", "-c", "echo out; echo err >&2",
	    NULL}, NULL, 60000, PROC_EXITED, 0, 0, "err\n", "status 0"},
	{"killed by a signal", {"sh", "-c", "kill -TERM $$", NULL}, NULL,
	    60000, PROC_SIGNALED, SIGTERM, 0, "", "signal 15"},
	{"past its timeout", {"sleep", "600", NULL}, NULL,
	    50, PROC_TIMEOUT, SIGKILL, 0, "", "timed out after 50 ms"},
	{"a shell's child dies with it", {"sh", "-c", "sleep 600; exit 0",
	    NULL}, NULL, 50, PROC_TIMEOUT, SIGKILL, 0, "", "timed out"},
	{"no such program", {"/nonexistent/trygg-notify", NULL}, NULL,
	    60000, PROC_FAILED, 0, ENOENT, "", "could not start "
	    "/nonexistent/trygg-notify: No such file"},
	{"not in PATH", {"trygg-no-such-program-anywhere", NULL}, NULL,
	    60000, PROC_FAILED, 0, ENOENT, "", "could not start"},
	{"not executable", {"/etc/passwd", NULL}, NULL,
	    60000, PROC_FAILED, 0, EACCES, "", "Permission denied"},
};

TEST(outcomes)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	int64_t ids[sizeof(cases) / sizeof(cases[0])];
	proc_t *p = setup(4, 16);
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		proc_spec_t spec = {
			.argv = cases[i].argv,
			.input = cases[i].input,
			.input_len = cases[i].input ? strlen(cases[i].input) : 0,
			.timeout_ms = cases[i].timeout_ms,
			.arg = (void *)&cases[i],
		};

		ids[i] = proc_start(p, &spec, err, sizeof(err));
		CHECK(ids[i] >= 1);
	}
	CHECK(run_until(p, n));
	CHECK_INT(nseen, n);
	for (size_t i = 0; i < n; i++) {
		const struct seen *s = result(ids[i]);

		CHECK(s != NULL);
		if (s == NULL)
			continue;
		if (s->outcome != cases[i].outcome)
			printf("    case '%s': %s\n", cases[i].name, s->what);
		CHECK(s->arg == (void *)&cases[i]);
		CHECK_INT(s->outcome, cases[i].outcome);
		CHECK_INT(s->status, cases[i].status);
		CHECK_INT(s->error, cases[i].error);
		CHECK_INT(s->ok, cases[i].outcome == PROC_EXITED &&
		    cases[i].status == 0);
		CHECK_STR(s->output, cases[i].output);
		CHECK_HAS(s->what, cases[i].what);
	}
	/* ids are distinct and each reported once */
	for (size_t i = 0; i < nseen; i++)
		for (size_t j = 0; j < i; j++)
			CHECK(seen[i].id != seen[j].id);
	CHECK_INT(proc_running(p), 0);
	CHECK_INT(proc_next_deadline(p), -1);
	teardown(&p);
	CHECK(p == NULL);
	proc_destroy(&p);
}

TEST(stdin_reaches_the_program)
{
	static const char input[] = "{\"type\":\"escalation\",\"summary\":"
	    "\"Brand i soprum, Ryd\"}\n\0and a NUL";
	proc_t *p = setup(2, 2);
	char file[128], err[256];
	const char *argv[] = {"sh", "-c", "cat > \"$1\"", "sh", file, NULL};
	proc_spec_t spec = {.argv = argv, .input = input,
	    .input_len = sizeof(input) - 1, .timeout_ms = 60000};
	char *got;
	size_t len = 0;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	snprintf(file, sizeof(file), "%s/stdin", dir);
	CHECK(proc_start(p, &spec, err, sizeof(err)) == 1);
	CHECK(run_until(p, 1));
	CHECK_INT(seen[0].outcome, PROC_EXITED);
	CHECK(seen[0].ok);
	CHECK_INT(seen[0].input_written, sizeof(input) - 1);
	got = slurp(file, &len);
	CHECK(got != NULL);
	CHECK_INT(len, sizeof(input) - 1);
	CHECK(got != NULL && memcmp(got, input, sizeof(input) - 1) == 0);
	free(got);
	teardown(&p);
}

/* Large input, more than any socket buffer, to a program that reads it. */
TEST(large_stdin_is_written_from_dispatch)
{
	size_t size = PROC_MAX_INPUT;
	char *input = malloc(size);
	proc_t *p = setup(2, 2);
	char file[128], err[256];
	const char *argv[] = {"sh", "-c", "sleep 0.1; cat > \"$1\"", "sh", file,
	    NULL};
	proc_spec_t spec = {.argv = argv, .input = input, .input_len = size,
	    .timeout_ms = 60000};
	struct stat st;

	CHECK(p != NULL && input != NULL);
	if (p == NULL || input == NULL)
		return;
	for (size_t i = 0; i < size; i++)
		input[i] = (char)('a' + i % 26);
	snprintf(file, sizeof(file), "%s/big", dir);
	CHECK(proc_start(p, &spec, err, sizeof(err)) >= 1);
	free(input);            /* proc keeps its own copy */
	CHECK(run_until(p, 1));
	CHECK(seen[0].ok);
	CHECK_INT(seen[0].input_written, size);
	CHECK(stat(file, &st) == 0 && (size_t)st.st_size == size);
	spec.input_len = size + 1;
	CHECK(proc_start(p, &spec, err, sizeof(err)) == -1);
	CHECK_HAS(err, "at most");
	teardown(&p);
}

/*
 * A program that never reads its stdin does not hold up the caller:
 * proc_start returns, and a later job finishes while it still sits there.
 */
TEST(a_program_that_never_reads)
{
	size_t size = PROC_MAX_INPUT;
	char *input = calloc(1, size);
	proc_t *p = setup(4, 4);
	const char *stuck[] = {"sleep", "600", NULL};
	const char *quick[] = {"true", NULL};
	const char *leaves[] = {"sh", "-c", "exit 0", NULL};
	proc_spec_t spec = {.argv = stuck, .input = input, .input_len = size,
	    .timeout_ms = 600000};
	int64_t a, b, c;
	char err[256];

	CHECK(p != NULL && input != NULL);
	if (p == NULL || input == NULL)
		return;
	a = proc_start(p, &spec, err, sizeof(err));
	spec.argv = quick;
	spec.input_len = 0;
	b = proc_start(p, &spec, err, sizeof(err));
	CHECK(a >= 1 && b > a);
	CHECK(run_until(p, 1));
	CHECK_INT(seen[0].id, b);
	CHECK(seen[0].ok);
	/* exits without reading: no SIGPIPE for us, the rest is dropped */
	spec.argv = leaves;
	spec.input_len = size;
	c = proc_start(p, &spec, err, sizeof(err));
	CHECK(run_until(p, 2));
	CHECK_INT(seen[1].id, c);
	CHECK(seen[1].ok);
	CHECK(seen[1].input_written < size);
	CHECK(result(a) == NULL);       /* still there */
	CHECK_INT(proc_running(p), 1);
	free(input);
	teardown(&p);                   /* kills it; does not wait for it */
}

/*
 * The timeout kills the whole process group, not only the shell. On a busy
 * machine the shell may be killed before it has started its sleep; then
 * there is nothing to look at, and the case runs again with a longer
 * timeout until the sleep was there to be killed.
 */
TEST(timeout_kills_the_group)
{
	proc_t *p = setup(1, 0);
	char file[128], err[256], stat_path[64], *pid_text = NULL;
	const char *argv[] = {"sh", "-c", "sleep 600 & echo $! > \"$1.tmp\"; "
	    "mv \"$1.tmp\" \"$1\"; wait", "sh", file, NULL};
	proc_spec_t spec = {.argv = argv};
	bool gone = false;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	snprintf(file, sizeof(file), "%s/pid", dir);
	for (spec.timeout_ms = 100; pid_text == NULL &&
	    spec.timeout_ms <= 100 * 1024; spec.timeout_ms *= 2) {
		size_t before = nseen;

		CHECK(proc_start(p, &spec, err, sizeof(err)) >= 1);
		CHECK(proc_next_deadline(p) >= 0);
		CHECK(run_until(p, before + 1));
		CHECK_INT(seen[before].outcome, PROC_TIMEOUT);
		CHECK(!seen[before].ok);
		pid_text = slurp(file, NULL);
	}
	CHECK(pid_text != NULL && atoi(pid_text) > 0);
	if (pid_text == NULL)
		goto out;
	/* gone, or a zombie nobody reaps: either way it is not running */
	snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", atoi(pid_text));
	for (int i = 0; i < 1000 && !gone; i++) {
		char *st = slurp(stat_path, NULL);
		char *paren = st ? strrchr(st, ')') : NULL;

		gone = st == NULL || (paren != NULL && paren[2] == 'Z');
		free(st);
		if (!gone)
			usleep(10000);
	}
	CHECK(gone);
	free(pid_text);
out:
	teardown(&p);
}

TEST(environment)
{
	proc_t *p = setup(1, 1);
	const char *argv[] = {"sh", "-c", "printf '%s|%s|%s|%s' "
	    "\"$TRYGG_CONTACT_ADDRESS\" \"$TRYGG_TEST_OVER\" "
	    "\"$TRYGG_TEST_INHERIT\" \"$TRYGG_EMPTY\" >&2", NULL};
	const char *env[] = {"TRYGG_CONTACT_ADDRESS=tib-1@example.org 'x' $y",
	    "TRYGG_TEST_OVER=new", "TRYGG_EMPTY=", NULL};
	proc_spec_t spec = {.argv = argv, .env = env, .timeout_ms = 60000};
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	setenv("TRYGG_TEST_OVER", "old", 1);
	setenv("TRYGG_TEST_INHERIT", "inherited", 1);
	CHECK(proc_start(p, &spec, err, sizeof(err)) == 1);
	CHECK(run_until(p, 1));
	CHECK(seen[0].ok);
	CHECK_STR(seen[0].output, "tib-1@example.org 'x' $y|new|inherited|");
	unsetenv("TRYGG_TEST_OVER");
	unsetenv("TRYGG_TEST_INHERIT");
	teardown(&p);
}

TEST(stdout_capture_and_truncation)
{
	proc_t *p = setup(2, 2);
	const char *both[] = {"sh", "-c", "echo out; echo err >&2", NULL};
	const char *lots[] = {"sh", "-c",
	    "i=0; while [ $i -lt 2000 ]; do echo 0123456789abcdef >&2; "
	    "i=$((i+1)); done; exit 0", NULL};
	proc_spec_t spec = {.argv = both, .timeout_ms = 60000,
	    .flags = PROC_STDOUT_CAPTURE};
	const struct seen *ra, *rb;
	int64_t a, b;
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	a = proc_start(p, &spec, err, sizeof(err));
	spec.argv = lots;
	spec.flags = 0;
	b = proc_start(p, &spec, err, sizeof(err));
	CHECK(run_until(p, 2));
	ra = result(a);
	rb = result(b);
	CHECK(ra != NULL && rb != NULL);
	if (ra == NULL || rb == NULL)
		goto out;
	CHECK_STR(ra->output, "out\nerr\n");
	CHECK(!ra->truncated);
	/* 34000 bytes of stderr: the child is never blocked on the pipe */
	CHECK(rb->ok);
	CHECK_INT(rb->output_len, PROC_CAPTURE_MAX);
	CHECK(rb->truncated);
	CHECK(strncmp(rb->output, "0123456789abcdef\n", 17) == 0);
out:
	teardown(&p);
}

/*
 * At most max_running at once, FIFO from the queue, and a full queue
 * refuses. Each job counts the jobs running beside it (a marker file per
 * job, removed before it exits).
 */
TEST(concurrency_limit)
{
	proc_t *p = setup(2, 3);
	char runs[128], counts[128], err[256], *text;
	const char *argv[] = {"sh", "-c",
	    "touch \"$1/$3\"; ls \"$1\" | wc -l >> \"$2\"; sleep 0.05; "
	    "rm \"$1/$3\"", "sh", runs, counts, NULL, NULL};
	char name[5][16];
	int64_t ids[5];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	snprintf(counts, sizeof(counts), "%s/counts", dir);
	mkdir(runs, 0700);
	for (int i = 0; i < 5; i++) {
		proc_spec_t spec = {.argv = argv, .timeout_ms = 60000};

		snprintf(name[i], sizeof(name[i]), "job%d", i);
		argv[6] = name[i];
		ids[i] = proc_start(p, &spec, err, sizeof(err));
		CHECK(ids[i] == i + 1);
		CHECK_INT(proc_running(p), i < 2 ? i + 1 : 2);
		CHECK_INT(proc_queued(p), i < 2 ? 0 : i - 1);
	}
	{
		proc_spec_t spec = {.argv = argv, .timeout_ms = 60000};

		errno = 0;
		CHECK(proc_start(p, &spec, err, sizeof(err)) == -1);
		CHECK_INT(errno, EAGAIN);
		CHECK_HAS(err, "2 running and 3 queued");
	}
	CHECK(run_until(p, 5));
	for (size_t i = 0; i < nseen; i++) {
		CHECK(seen[i].ok);
		CHECK(seen[i].running <= 2);
	}
	/* job 3 cannot have started before one of jobs 1 and 2 ended */
	CHECK(seen[0].id == 1 || seen[0].id == 2);
	text = slurp(counts, NULL);
	CHECK(text != NULL);
	for (char *s = text; s != NULL && *s != '\0'; s++)
		CHECK(*s == '\n' || *s == ' ' || *s == '1' || *s == '2');
	free(text);
	CHECK_INT(proc_running(p), 0);
	CHECK_INT(proc_queued(p), 0);
	teardown(&p);
}

/* A job started from the callback runs; a queue of 0 still runs max_running. */
static int64_t chained;

static void
on_done_chain(const proc_result_t *r, void *done_arg)
{
	static const char *const argv[] = {"sh", "-c", "exit 7", NULL};
	proc_spec_t spec = {.argv = argv, .timeout_ms = 60000};
	(void)done_arg;
	on_done(r, NULL);
	if (chained == 0)
		chained = proc_start(cur, &spec, NULL, 0);
}

TEST(start_from_the_callback)
{
	const char *argv[] = {"true", NULL};
	proc_spec_t spec = {.argv = argv, .timeout_ms = 60000};
	proc_t *p;
	char err[256];

	setup(1, 0);
	proc_destroy(&cur);
	p = proc_new(1, 0, on_done_chain, NULL, err, sizeof(err));
	CHECK(p != NULL);
	if (p == NULL)
		return;
	cur = p;
	chained = 0;
	CHECK(proc_start(p, &spec, err, sizeof(err)) == 1);
	CHECK(proc_start(p, &spec, err, sizeof(err)) == -1);    /* no queue */
	CHECK(run_until(p, 2));
	CHECK_INT(chained, 2);
	CHECK_INT(seen[0].id, 1);
	CHECK_INT(seen[1].id, 2);
	CHECK_INT(seen[1].status, 7);
	teardown(&p);
}

/* A job no longer wanted: dropped from the queue, or killed. */
TEST(cancel)
{
	proc_t *p = setup(1, 2);
	const char *slow[] = {"sleep", "600", NULL};
	const char *quick[] = {"true", NULL};
	proc_spec_t spec = {.argv = slow, .timeout_ms = 600000};
	int64_t a, b, c;
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	a = proc_start(p, &spec, err, sizeof(err));
	spec.argv = quick;
	b = proc_start(p, &spec, err, sizeof(err));
	c = proc_start(p, &spec, err, sizeof(err));
	CHECK_INT(proc_running(p), 1);
	CHECK_INT(proc_queued(p), 2);
	CHECK_INT(proc_cancel(p, b), 0);        /* queued: never starts */
	CHECK_INT(proc_queued(p), 1);
	CHECK(run_until(p, 1));
	CHECK_INT(seen[0].id, b);
	CHECK_INT(seen[0].outcome, PROC_CANCELLED);
	CHECK_HAS(seen[0].what, "before it started");
	CHECK_INT(proc_cancel(p, a), 0);        /* running: killed */
	CHECK(run_until(p, 3));
	CHECK_INT(seen[1].id, a);
	CHECK_INT(seen[1].outcome, PROC_CANCELLED);
	CHECK_HAS(seen[1].what, "cancelled and killed");
	CHECK(!seen[1].ok);
	CHECK_INT(seen[2].id, c);       /* the slot went to the next */
	CHECK(seen[2].ok);
	CHECK_INT(proc_cancel(p, a), -1);       /* reported already */
	CHECK_INT(proc_cancel(p, 999), -1);
	teardown(&p);
}

TEST(bad_arguments)
{
	const char *none[] = {NULL};
	const char *empty[] = {"", NULL};
	const char *ok[] = {"true", NULL};
	const char *bad_env[] = {"NOEQUALS", NULL};
	const char *bad_env2[] = {"=value", NULL};
	const struct {
		proc_spec_t spec;
		const char *err;
	} bad[] = {
		{{.argv = NULL, .timeout_ms = 1000}, "no program"},
		{{.argv = none, .timeout_ms = 1000}, "no program"},
		{{.argv = empty, .timeout_ms = 1000}, "no program"},
		{{.argv = ok, .timeout_ms = 0}, "timeout"},
		{{.argv = ok, .timeout_ms = 1000, .input_len = 3}, "input"},
		{{.argv = ok, .timeout_ms = 1000, .env = bad_env}, "NAME=value"},
		{{.argv = ok, .timeout_ms = 1000, .env = bad_env2}, "NAME=value"},
	};
	proc_t *p = setup(1, 1);
	char err[256];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		errno = 0;
		CHECK(proc_start(p, &bad[i].spec, err, sizeof(err)) == -1);
		CHECK_INT(errno, EINVAL);
		CHECK_HAS(err, bad[i].err);
	}
	CHECK_INT(proc_running(p), 0);
	CHECK(proc_new(0, 1, on_done, NULL, err, sizeof(err)) == NULL);
	CHECK(proc_new(1, -1, on_done, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "max_running");
	/* with SIGCHLD ignored no exit status could ever be known */
	signal(SIGCHLD, SIG_IGN);
	CHECK(proc_new(1, 1, on_done, NULL, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "SIGCHLD is ignored");
	signal(SIGCHLD, SIG_DFL);
	teardown(&p);
}

/* The child has stdin, stdout and stderr, and nothing else of ours. */
TEST(no_descriptor_leaks)
{
	proc_t *p = setup(1, 1);
	const char *argv[] = {"sh", "-c", "ls /proc/$$/fd", NULL};
	proc_spec_t spec = {.argv = argv, .timeout_ms = 60000,
	    .flags = PROC_STDOUT_CAPTURE};
	char err[256];
	int leak = open("/dev/null", O_RDONLY);     /* not close-on-exec */

	CHECK(p != NULL && leak > 2);
	if (p == NULL)
		return;
	CHECK(proc_start(p, &spec, err, sizeof(err)) == 1);
	CHECK(run_until(p, 1));
	CHECK(seen[0].ok);
	CHECK_STR(seen[0].output, "0\n1\n2\n");
	close(leak);
	teardown(&p);
}

/* ---- the example notify commands ---- */

/* a notification as trygg-escalation writes it: msgpack made JSON */
static void
notification_json(bool with_url, buf_t *out)
{
	char text[1024];
	msgpack_sbuffer sb;
	msgpack_unpacked up;

	snprintf(text, sizeof(text), "{\"type\": \"escalation\", "
	    "\"escalation\": 17, \"incident\": \"INC-2026-000042\", "
	    "\"kind\": \"external\", \"team\": \"omradesteam-1\", "
	    "\"district\": \"Sk\\xc3\\xa4ggetorp\", \"category\": \"brand\", "
	    "\"severity\": 5, \"summary\": \"Brand i \\\"soprum\\\" "
	    "C:\\\\x $(touch pwned) \\xf0\\x9f\\x94\\xa5\", \"step\": 2, "
	    "\"attempt\": 3, \"ack_by\": \"2026-11-22T20:30:03Z\"%s}",
	    with_url ? ", \"ack_url\": \"https://trygg.example/ack/AbC-12_x\"" :
	    "");
	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&up);
	if (mpb_build(text, &sb) < 0 ||
	    msgpack_unpack_next(&up, sb.data, sb.size, NULL) !=
	    MSGPACK_UNPACK_SUCCESS)
		test_fail(__FILE__, __LINE__, "bad notation: %s", text);
	else
		json_from_msgpack(&up.data, out, false);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

/* Writes a fake program into dir that records its arguments and stdin. */
static void
write_fake(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\n"
	    "printf '%%s\\n' \"$@\" > \"%s/%s.args\"\n"
	    "cat > \"%s/%s.in\"\n"
	    "echo \"%s: fake exit ${FAKE_EXIT:-0}\" >&2\n"
	    "exit \"${FAKE_EXIT:-0}\"\n", dir, name, dir, name, name);
	fclose(f);
	chmod(path, 0755);
}

/* Runs an example script with the fakes first in PATH; its result. */
static const struct seen *
run_script(proc_t *p, const char *script, const char *const *extra_env,
    const buf_t *json)
{
	const char *argv[] = {script, NULL};
	const char *env[16];
	char path_env[4096];
	size_t n = 0;
	proc_spec_t spec = {.argv = argv, .env = env, .input = json->data,
	    .input_len = json->len, .timeout_ms = 60000};
	size_t before = nseen;

	snprintf(path_env, sizeof(path_env), "PATH=%s:%s", dir,
	    getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	env[n++] = path_env;
	for (size_t i = 0; extra_env[i] != NULL && n < 15; i++)
		env[n++] = extra_env[i];
	env[n] = NULL;
	if (proc_start(p, &spec, NULL, 0) < 1 || !run_until(p, before + 1))
		return NULL;
	return &seen[before];
}

TEST(example_sendmail)
{
	static const char *const modes[] = {"TRYGG_NO_JQ=", "TRYGG_NO_JQ=1"};
	proc_t *p = setup(1, 1);
	buf_t json = BUF_INIT;
	char file[128];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	write_fake("sendmail");
	notification_json(true, &json);
	CHECK_HAS(buf_str(&json), "\"summary\":\"Brand i \\\"soprum\\\"");
	for (size_t m = 0; m < 2; m++) {
		const char *env[] = {modes[m],
		    "TRYGG_CONTACT_ADDRESS=sakerhetschef@linkoping.se",
		    "TRYGG_CONTACT_ID=sakerhetschef", "TRYGG_ESCALATION=17",
		    "TRYGG_MAIL_FROM=trygg@linkoping.se", "FAKE_EXIT=0", NULL};
		const struct seen *r = run_script(p,
		    "config/examples/notify-sendmail.sh", env, &json);
		char *args, *mail;

		CHECK(r != NULL);
		if (r == NULL)
			break;
		if (!r->ok)
			printf("    %s: %s: %s\n", modes[m], r->what, r->output);
		CHECK(r->ok);
		CHECK_INT(r->input_written, json.len);
		snprintf(file, sizeof(file), "%s/sendmail.args", dir);
		args = slurp(file, NULL);
		CHECK_STR(args, "-t\n-i\n");
		snprintf(file, sizeof(file), "%s/sendmail.in", dir);
		mail = slurp(file, NULL);
		CHECK_HAS(mail, "To: sakerhetschef@linkoping.se\n");
		CHECK_HAS(mail, "From: trygg <trygg@linkoping.se>\n");
		/* "[trygg] Eskalering: INC-2026-000042, bra" and so on, RFC 2047 */
		CHECK_HAS(mail, "Subject: =?UTF-8?B?W3RyeWdnXSBFc2thbGVyaW5nOiBJTk"
		    "MtMjAyNi0wMDAwNDIsIGJyYQ==?=\n =?UTF-8?B?");
		CHECK_HAS(mail, "Content-Type: text/plain; charset=UTF-8\n");
		CHECK_HAS(mail, "\n\nEskalering 17: Brand i \"soprum\" C:\\x "
		    "$(touch pwned) \xf0\x9f\x94\xa5\n");
		CHECK_HAS(mail, "Område:     Skäggetorp (omradesteam-1)\n");
		CHECK_HAS(mail, "Allvar:     5 av 5\n");
		CHECK_HAS(mail, "Steg:       2, avisering 3\n");
		CHECK_HAS(mail, "Kvittera senast 2026-11-22T20:30:03Z\n"
		    "  https://trygg.example/ack/AbC-12_x\n"
		    "eller: trygg ack 17 --by sakerhetschef\n");
		free(args);
		free(mail);
	}
	buf_free(&json);
	teardown(&p);
}

TEST(example_sms)
{
	static const char *const modes[] = {"TRYGG_NO_JQ=", "TRYGG_NO_JQ=1"};
	proc_t *p = setup(1, 1);
	buf_t json = BUF_INIT;
	char file[128];

	CHECK(p != NULL);
	if (p == NULL)
		return;
	write_fake("curl");
	notification_json(false, &json);
	for (size_t m = 0; m < 2; m++) {
		const char *env[] = {modes[m],
		    "TRYGG_CONTACT_ADDRESS=+46 70-123 45 67",
		    "TRYGG_CONTACT_ID=tib-1", "TRYGG_SMS_URL=https://sms.example/a1/sms",
		    "TRYGG_SMS_TOKEN=t\"o\\k", NULL};
		const struct seen *r = run_script(p,
		    "config/examples/notify-sms-curl.sh", env, &json);
		char *args, *conf;

		CHECK(r != NULL);
		if (r == NULL)
			break;
		if (!r->ok)
			printf("    %s: %s: %s\n", modes[m], r->what, r->output);
		CHECK(r->ok);
		snprintf(file, sizeof(file), "%s/curl.args", dir);
		args = slurp(file, NULL);
		/* nothing secret on the command line */
		CHECK_STR(args, "-K\n-\n");
		snprintf(file, sizeof(file), "%s/curl.in", dir);
		conf = slurp(file, NULL);
		CHECK_HAS(conf, "url = \"https://sms.example/a1/sms\"\n");
		CHECK_HAS(conf, "request = \"POST\"\n");
		CHECK_HAS(conf, "\nfail\n");
		CHECK_HAS(conf, "header = \"Authorization: Bearer t\\\"o\\\\k\"\n");
		CHECK_HAS(conf, "data-urlencode = \"to=+46701234567\"\n");
		CHECK_HAS(conf, "data-urlencode = \"message=trygg Eskalering "
		    "(påminnelse 3): INC-2026-000042 brand, allvar 5, Skäggetorp: "
		    "Brand i \\\"soprum\\\" C:\\\\x $(touch pwned) "
		    "\xf0\x9f\x94\xa5. Kvittera senast 2026-11-22T20:30:03Z: "
		    "trygg ack 17 --by tib-1\"\n");
		free(args);
		free(conf);
	}
	CHECK(access("pwned", F_OK) != 0);
	buf_free(&json);
	teardown(&p);
}

/* Failures are non-zero exits with a line for the log. */
TEST(example_failures)
{
	static const struct {
		const char *script, *env[4], *output;
	} fails[] = {
		{"config/examples/notify-sendmail.sh",
		    {"TRYGG_CONTACT_ADDRESS=a@b.se", "FAKE_EXIT=75", NULL},
		    "sendmail failed (exit 75)"},
		{"config/examples/notify-sendmail.sh",
		    {"TRYGG_CONTACT_ADDRESS=", NULL},
		    "TRYGG_CONTACT_ADDRESS is empty"},
		{"config/examples/notify-sendmail.sh",
		    {"TRYGG_CONTACT_ADDRESS=+46701234567", NULL},
		    "not an e-mail address"},
		{"config/examples/notify-sms-curl.sh",
		    {"TRYGG_CONTACT_ADDRESS=+4670", "TRYGG_SMS_URL=http://x/",
		    "FAKE_EXIT=22", NULL}, "curl failed (exit 22)"},
		{"config/examples/notify-sms-curl.sh",
		    {"TRYGG_CONTACT_ADDRESS=+4670", NULL},
		    "TRYGG_SMS_URL is not set"},
		{"config/examples/notify-sms-curl.sh",
		    {"TRYGG_CONTACT_ADDRESS=a@b.se", "TRYGG_SMS_URL=http://x/", NULL},
		    "not a phone number"},
	};
	proc_t *p = setup(1, 1);
	buf_t json = BUF_INIT, junk = BUF_INIT;

	CHECK(p != NULL);
	if (p == NULL)
		return;
	write_fake("sendmail");
	write_fake("curl");
	notification_json(true, &json);
	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		const struct seen *r = run_script(p, fails[i].script,
		    fails[i].env, &json);

		CHECK(r != NULL);
		if (r == NULL)
			continue;
		CHECK_INT(r->outcome, PROC_EXITED);
		CHECK(!r->ok);
		CHECK_HAS(r->output, fails[i].output);
	}
	/* not a notification at all */
	buf_puts(&junk, "not json");
	for (int m = 0; m < 2; m++) {
		const char *env[] = {"TRYGG_CONTACT_ADDRESS=a@b.se",
		    m ? "TRYGG_NO_JQ=1" : "TRYGG_NO_JQ=", NULL};
		const struct seen *r = run_script(p,
		    "config/examples/notify-sendmail.sh", env, &junk);

		CHECK(r != NULL && !r->ok);
		CHECK(r != NULL && strstr(r->output, "notify-sendmail: ") ==
		    r->output);
	}
	buf_free(&json);
	buf_free(&junk);
	teardown(&p);
}

TEST_MAIN(outcomes, stdin_reaches_the_program,
    large_stdin_is_written_from_dispatch, a_program_that_never_reads,
    timeout_kills_the_group, environment, stdout_capture_and_truncation,
    concurrency_limit, start_from_the_callback, cancel, bad_arguments,
    no_descriptor_leaks,
    example_sendmail, example_sms, example_failures)
