/*
 * test_program.c: the program-support modules: log.c (lines on stderr,
 * fatal's exit status), mem.c (copies) and daemon.c (options and
 * configuration at start-up). What exits runs in a child process.
 */
#include "daemon.h"
#include "log.h"
#include "mem.h"
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Runs fn in a child with stderr and stdout going to a file; returns its
 * exit status and leaves what it wrote in out.
 */
static int
run_child(void (*fn)(void *), void *arg, char *out, size_t outlen)
{
	char path[] = "/tmp/trygg-program-XXXXXX";
	int fd = mkstemp(path), status = -1;
	pid_t pid;
	ssize_t n;

	if (fd < 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		fn(arg);
		exit(0);
	}
	waitpid(pid, &status, 0);
	n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
child_log(void *arg)
{
	log_init("trygg-test", 0);
	log_info("hello %d", 42);
	log_debug("hidden");
	log_warn("child_log: careful");
	fatal(EXIT_CONFIG, "bad %s", "config");
}

TEST(log_lines_and_fatal_status)
{
	char out[2048];

	CHECK_INT(run_child(child_log, NULL, out, sizeof(out)), EXIT_CONFIG);
	CHECK_HAS(out, "trygg-test info: hello 42\n");
	CHECK_HAS(out, "trygg-test warning: child_log: careful\n");
	CHECK_HAS(out, "trygg-test fatal: bad config\n");
	CHECK(strstr(out, "hidden") == NULL);
	/* every line starts with a UTC time */
	CHECK(strlen(out) > 24 && out[4] == '-' && out[10] == 'T' && out[23] == 'Z');
}

static void
child_verbose(void *arg)
{
	log_init("trygg-test", 1);
	log_debug("shown");
}

TEST(log_debug_with_verbose)
{
	char out[1024];

	CHECK_INT(run_child(child_verbose, NULL, out, sizeof(out)), 0);
	CHECK_HAS(out, "trygg-test debug: shown");
}

static void
child_long_lines(void *arg)
{
	static char text[6000];

	memset(text, 'x', sizeof(text) - 1);
	log_init("trygg-test", 1);
	log_info("short %d", 1);
	log_warn("child_long_lines: %s", text + 3000);   /* 3 KB: fits */
	log_debug("%s", text);                          /* over LOG_LINE_MAX: cut */
}

/*
 * Every line leaves in one write(2): on a SOCK_SEQPACKET socket each write
 * is one packet, so a line written in pieces shows as packets that do not
 * end in a newline.
 */
TEST(log_writes_each_line_with_one_write)
{
	int sv[2];
	pid_t pid;
	char packet[8192];
	ssize_t n;
	int lines = 0;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		dup2(sv[1], 2);
		child_long_lines(NULL);
		exit(0);
	}
	close(sv[1]);
	while ((n = recv(sv[0], packet, sizeof(packet), 0)) > 0) {
		lines++;
		if (packet[n - 1] != '\n' || memchr(packet, '\n', (size_t)n - 1) != NULL)
			test_fail(__FILE__, __LINE__, "packet %d is not one line: %.*s", lines,
			    (int)(n > 60 ? 60 : n), packet);
		if (lines == 3) {
			CHECK(n <= 4096);
			CHECK(n > 4 && memcmp(packet + n - 4, "...\n", 4) == 0);
		}
	}
	waitpid(pid, NULL, 0);
	close(sv[0]);
	CHECK_INT(lines, 3);
}

static void
child_repeats(void *arg)
{
	log_init("trygg-test", 0);
	log_set_repeat_interval(60000);
	for (int i = 0; i < 1000; i++)
		log_warn("child_repeats: disk full (%d)", i);
	log_warn("child_repeats: something else");
	/* once the interval is over, the next one is written with the count */
	log_set_repeat_interval(1);
	usleep(5000);
	log_warn("child_repeats: disk full (%d)", 1000);
	log_set_repeat_interval(60000);
	log_warn("child_repeats: held at exit %d", 1);
	log_warn("child_repeats: held at exit %d", 2);
	log_warn("child_repeats: held at exit %d", 3);
	fatal(EXIT_IOERR, "stopping");
}

/* A warning that repeats is written once per interval, with a count. */
TEST(log_repeated_warnings_once_with_a_count)
{
	static char out[65536];
	const char *p;
	int n = 0;

	CHECK_INT(run_child(child_repeats, NULL, out, sizeof(out)), EXIT_IOERR);
	for (p = out; (p = strstr(p, "disk full")) != NULL; p++)
		n++;
	CHECK_HAS(out, "disk full (0)\n");
	CHECK(strstr(out, "disk full (1)\n") == NULL);
	CHECK(strstr(out, "disk full (999)") == NULL);
	CHECK_HAS(out, "something else\n");
	CHECK_HAS(out, "disk full (1000) (and 999 more like it in the last");
	CHECK_INT(n, 2);
	/* what was held when the daemon stops is counted before fatal's line */
	CHECK_HAS(out, "held at exit 1\n");
	CHECK_HAS(out, "(a warning repeated 2 more times in the last");
	CHECK(strstr(out, "held at exit 3") == NULL);
}

TEST(mem_copies)
{
	char *a = xstrdup("Skäggetorp");
	char *b = xstrndup("Lambohov-extra", 8);
	char *c = xrealloc(NULL, 10);
	int *z = xcalloc(4, sizeof(int));

	CHECK_STR(a, "Skäggetorp");
	CHECK_STR(b, "Lambohov");
	CHECK(c != NULL);
	CHECK(z[0] == 0 && z[3] == 0);
	c = xrealloc(c, 100000);
	c[99999] = 'x';
	free(a);
	free(b);
	free(c);
	free(z);
	/* zero sizes still give memory that can be freed */
	free(xmalloc(0));
	free(xcalloc(0, 0));
}

static void
child_daemon(void *arg)
{
	char **argv = arg;
	int argc = 0;
	daemon_args_t a;

	while (argv[argc])
		argc++;
	daemon_start(argc, argv, "trygg-test", &a);
	printf("path=%s check=%d verbose=%d teams=%zu\n", a.cfg_path, a.check_only,
	    a.verbose, a.cfg->nteams);
	cfg_destroy(&a.cfg);
}

TEST(daemon_start_options_and_configuration)
{
	char *ok[] = {"d", "-n", "-v", "-v", "-c", "config/trygg.yaml", NULL};
	char *dflt[] = {"d", NULL};
	char *bad_opt[] = {"d", "-x", NULL};
	char *extra[] = {"d", "stray", NULL};
	char *missing[] = {"d", "-c", "/nonexistent/trygg.yaml", NULL};
	char out[4096];

	CHECK_INT(run_child(child_daemon, ok, out, sizeof(out)), 0);
	CHECK_HAS(out, "path=config/trygg.yaml check=1 verbose=2 teams=3");
	CHECK_INT(run_child(child_daemon, dflt, out, sizeof(out)), 0);
	CHECK_HAS(out, "path=" CFG_DEFAULT_PATH " check=0 verbose=0");
	CHECK_INT(run_child(child_daemon, bad_opt, out, sizeof(out)), EXIT_USAGE);
	CHECK_HAS(out, "usage: trygg-test [-hnvV] [-c config]");
	CHECK_INT(run_child(child_daemon, extra, out, sizeof(out)), EXIT_USAGE);
	CHECK_INT(run_child(child_daemon, missing, out, sizeof(out)), EXIT_CONFIG);
	CHECK_HAS(out, "/nonexistent/trygg.yaml: invalid configuration");
}

TEST_MAIN(log_lines_and_fatal_status, log_debug_with_verbose,
    log_writes_each_line_with_one_write, log_repeated_warnings_once_with_a_count, mem_copies,
    daemon_start_options_and_configuration)
