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
	CHECK_HAS(out, "usage: trygg-test [-nv] [-c config]");
	CHECK_INT(run_child(child_daemon, extra, out, sizeof(out)), EXIT_USAGE);
	CHECK_INT(run_child(child_daemon, missing, out, sizeof(out)), EXIT_CONFIG);
	CHECK_HAS(out, "/nonexistent/trygg.yaml: invalid configuration");
}

TEST_MAIN(log_lines_and_fatal_status, log_debug_with_verbose, mem_copies,
    daemon_start_options_and_configuration)
