/*
 * test_startup.c: what a daemon checks and claims before it serves, and the
 * limits it keeps while it does: the checks that trygg config check and -n
 * share, ping for make run, the frame limit that docs/protocol.md states.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* A zone file that exists but is not a zone: both checks refuse it. */
TEST(config_check_and_dash_n_agree_on_the_zone_file)
{
	harness_t *h = harness_new(NULL);
	const char *check[] = {"config", "check", NULL}, *n[] = {"-n", NULL};
	char tzdir[512], zone[600], *out;

	snprintf(tzdir, sizeof(tzdir), "%s/zoneinfo", h->dir);
	mkdir(tzdir, 0700);
	snprintf(zone, sizeof(zone), "%s/Europe", tzdir);
	mkdir(zone, 0700);
	snprintf(zone, sizeof(zone), "%s/Europe/Stockholm", tzdir);
	write_file(zone, "not a TZif file\n");

	CHECK_INT(harness_cli(h, &out, check), 0);
	free(out);
	CHECK_INT(harness_run(h, H_INTAKE, n, &out), 0);
	free(out);

	setenv("TZDIR", tzdir, 1);
	harness_setenv(h, "TZDIR", tzdir);
	CHECK_INT(harness_cli(h, &out, check), 78);
	CHECK_HAS(out, "time zone");
	free(out);
	CHECK_INT(harness_run(h, H_INTAKE, n, &out), 78);
	CHECK_HAS(out, "time zone");
	free(out);
	unsetenv("TZDIR");
	harness_destroy(&h);
}

TEST(ping_answers_for_make_run)
{
	harness_t *h = harness_new(NULL);
	const char *ping[] = {"ping", "intake", NULL}, *bad[] = {"ping", "nosuch", NULL};
	char *out;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_cli(h, &out, ping), 0);
	CHECK_HAS(out, "intake answers on ipc://");
	free(out);
	CHECK_INT(harness_cli(h, &out, bad), 64);
	free(out);
	harness_destroy(&h);
}

/*
 * make run (tests/run-daemons.sh): "running" once every daemon has bound
 * and answers, and Ctrl-C (SIGINT to the whole process group, as a
 * terminal sends it) stops them all with exit status 0.
 */
TEST(make_run_says_running_once_the_daemons_answer_and_stops_on_ctrl_c)
{
	harness_t *h = harness_new(NULL);
	const char *bin = getenv("TRYGG_BIN") ? getenv("TRYGG_BIN") : "build/bin";
	char out[8192] = "", sock[300];
	size_t len = 0;
	int pipefd[2], status = -1;
	bool running = false;
	struct stat st;
	pid_t pid;

	CHECK(pipe(pipefd) == 0);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("sh", "sh", "tests/run-daemons.sh", bin, h->config, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pipefd[1]);
	while (!running && len < sizeof(out) - 1) {
		ssize_t n = read(pipefd[0], out + len, sizeof(out) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		out[len] = '\0';
		running = strstr(out, "trygg: running") != NULL;
	}
	CHECK(running);
	/* by then each daemon has bound its socket and answered */
	for (int d = H_INTAKE; d <= H_ESCALATION; d++) {
		snprintf(sock, sizeof(sock), "%s", h->endpoint[d] + strlen("ipc://"));
		if (stat(sock, &st) != 0)
			test_fail(__FILE__, __LINE__, "running, but %s is not there", sock);
	}
	kill(-pid, SIGINT);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (ssize_t n; len < sizeof(out) - 1 && (n = read(pipefd[0], out + len,
	    sizeof(out) - 1 - len)) > 0; len += (size_t)n)
		;
	out[len] = '\0';
	close(pipefd[0]);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_HAS(out, "trygg: stopped");
	harness_destroy(&h);
}

/*
 * docs/protocol.md: over 64 KiB a frame is answered too_large, over 1 MiB
 * it is dropped with no reply; the daemon serves on either way.
 */
TEST(frame_limits_are_the_documented_ones)
{
	harness_t *h = harness_new(NULL);
	static const struct {
		size_t      len;
		const char *code;       /* NULL: no reply */
	} cases[] = {
		{WIRE_MAX_FRAME + 1, "too_large"},
		{1024 * 1024 - 64, "too_large"},
		{1024 * 1024 + 64, NULL},
		{2 * 1024 * 1024, NULL},
	};
	char *big = malloc(2 * 1024 * 1024 + 1);
	pack_t *ping = harness_req("ping");

	pack_map_close(ping);
	memset(big, 'x', 2 * 1024 * 1024);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const msgpack_object *r = harness_call_raw(h, H_INTAKE, big, cases[i].len);

		if (cases[i].code == NULL && r != NULL)
			test_fail(__FILE__, __LINE__, "case %zu: a reply to %zu bytes", i, cases[i].len);
		if (cases[i].code != NULL && (r == NULL || strcmp(h_code(r), cases[i].code) != 0))
			test_fail(__FILE__, __LINE__, "case %zu: %zu bytes not answered %s", i,
			    cases[i].len, cases[i].code);
		CHECK(h_ok(harness_call(h, H_INTAKE, ping)));
	}
	pack_destroy(&ping);
	free(big);
	harness_destroy(&h);
}

/*
 * A second daemon on the same data directory refuses to start (it shared
 * the database and took over the first one's ipc socket), and the first
 * serves on.
 */
TEST(a_second_daemon_on_one_data_directory_refuses_to_start)
{
	harness_t *h = harness_new(NULL);
	pack_t *ping = harness_req("ping");
	char *out;

	pack_map_close(ping);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_run(h, H_INTAKE, NULL, &out), 69);
	CHECK_HAS(out, "another trygg-intake is running on the data directory");
	free(out);
	CHECK(h_ok(harness_call(h, H_INTAKE, ping)));
	/* once the first has stopped, the lock is free again */
	CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK(h_ok(harness_call(h, H_INTAKE, ping)));
	pack_destroy(&ping);
	harness_destroy(&h);
}

static void
data_path(harness_t *h, char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/data/%s", h->dir, name);
}

/* A database the daemon may not write is refused at start with 74. */
TEST(a_read_only_database_is_refused_at_start)
{
	harness_t *h = harness_new(NULL);
	char db[512], *out;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
	data_path(h, db, sizeof(db), "incidents.db");
	CHECK(chmod(db, 0444) == 0);
	/* root may write any file: the shim refuses as the kernel would others */
	if (geteuid() == 0) {
		CHECK_INT(harness_preload_shim(h), 0);
		harness_setenv(h, "TRYGG_FAULT_READONLY", "/incidents.db");
	}
	CHECK_INT(harness_run(h, H_INTAKE, NULL, &out), 74);
	CHECK_HAS(out, "incidents.db cannot be written");
	free(out);
	harness_destroy(&h);
}

/* A database damaged in the middle is refused with 74 and a pointer to the README. */
TEST(a_damaged_database_is_refused_at_start)
{
	harness_t *h = harness_new(NULL);
	char db[512], junk[4096], *out;
	struct stat st;
	int fd;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	for (int i = 0; i < 60; i++) {
		pack_t *p = harness_req("submit");
		char id[32], details[3000];

		snprintf(id, sizeof(id), "damage-%d", i);
		memset(details, 'a' + i % 26, sizeof(details) - 1);
		details[sizeof(details) - 1] = '\0';
		pack_kv_str(p, "id", id);
		pack_kv_str(p, "district", "Ryd");
		pack_kv_str(p, "category", "brand");
		pack_kv_int(p, "severity", 2);
		pack_kv_str(p, "summary", "Brand i soprum");
		pack_kv_str(p, "reporter", "trygghetsvärd");
		pack_kv_str(p, "details", details);
		pack_map_close(p);
		CHECK(h_ok(harness_call(h, H_INTAKE, p)));
		pack_destroy(&p);
	}
	/* a clean stop copies the WAL into the file */
	CHECK_INT(harness_kill(h, H_INTAKE, SIGTERM) >> 8, 0);
	data_path(h, db, sizeof(db), "incidents.db");
	CHECK(stat(db, &st) == 0 && st.st_size >= 16 * 4096);
	memset(junk, 0x5a, sizeof(junk));
	fd = open(db, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, junk, sizeof(junk), (st.st_size / 2) / 4096 * 4096) ==
	    (ssize_t)sizeof(junk));
	close(fd);
	CHECK_INT(harness_run(h, H_INTAKE, NULL, &out), 74);
	CHECK_HAS(out, "is damaged");
	CHECK_HAS(out, "Recovering a damaged database\" in README.md");
	free(out);
	harness_destroy(&h);
}

/* Whatever the umask, nothing the daemon creates is open to other users. */
TEST(files_are_private_whatever_the_umask)
{
	harness_t *h = harness_new(NULL);
	static const char *const files[] = {"", "incidents.db", "incidents.db-wal",
	    "incidents.db-shm", "trygg-intake.lock"};
	char path[512];
	struct stat st;
	mode_t old = umask(0);

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	umask(old);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		data_path(h, path, sizeof(path), files[i]);
		if (stat(path, &st) < 0) {
			test_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
			continue;
		}
		if (st.st_mode & 0007)
			test_fail(__FILE__, __LINE__, "%s has mode %o", path, st.st_mode & 0777);
	}
	snprintf(path, sizeof(path), "%s", h->endpoint[H_INTAKE] + strlen("ipc://"));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0007) == 0);
	harness_destroy(&h);
}

#define MANY_CLIENTS 1500        /* more than the daemon's 1,024 descriptors */

/*
 * 1,500 clients at once on a daemon limited to 1,024 descriptors (ulimit
 * -n 1024, soft and hard): libzmq aborted on EMFILE on ipc. The daemon
 * must survive, answer the clients it can take, and answer again once
 * they are gone.
 */
TEST(more_clients_than_descriptors_never_crash_the_daemon)
{
	harness_t *h = harness_new(NULL);
	void *ctx = zmq_ctx_new(), **socks = calloc(MANY_CLIENTS, sizeof(*socks));
	pack_t *ping = harness_req("ping");
	int answered = 0, linger = 0;
	size_t len;
	const void *data;
	char *log;

	pack_map_close(ping);
	data = pack_data(ping, &len);
	/* the clients need two descriptors each here: this process's own limit up */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2 * MANY_CLIENTS + 100)
			fprintf(stderr, "# note: only %llu descriptors for %d clients; some will "
			    "not be made\n", (unsigned long long)rl.rlim_cur, MANY_CLIENTS);
	}
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, MANY_CLIENTS + 16);
	h->nofile = 1024;
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	for (int i = 0; i < MANY_CLIENTS; i++) {
		socks[i] = zmq_socket(ctx, ZMQ_REQ);
		if (socks[i] == NULL)
			break;
		zmq_setsockopt(socks[i], ZMQ_LINGER, &linger, sizeof(linger));
		zmq_connect(socks[i], h->endpoint[H_INTAKE]);
		zmq_send(socks[i], data, len, ZMQ_DONTWAIT);
	}
	for (int i = 0; i < MANY_CLIENTS && socks[i]; i++) {
		zmq_pollitem_t item = {socks[i], 0, ZMQ_POLLIN, 0};
		char buf[256];

		if (zmq_poll(&item, 1, answered == i ? 2000 : 10) > 0 &&
		    zmq_recv(socks[i], buf, sizeof(buf), 0) > 0)
			answered++;
	}
	CHECK_INT(harness_wait(h, H_INTAKE, 0), -1);
	for (int i = 0; i < MANY_CLIENTS && socks[i]; i++)
		zmq_close(socks[i]);
	CHECK(answered > 0);
	CHECK(h_ok(harness_call(h, H_INTAKE, ping)));
	CHECK_INT(harness_wait(h, H_INTAKE, 0), -1);
	log = harness_log(h, H_INTAKE);
	CHECK_HAS(log, "descriptors");
	free(log);
	fprintf(stderr, "# %d of %d clients answered at 1024 descriptors\n", answered,
	    MANY_CLIENTS);
	pack_destroy(&ping);
	free(socks);
	zmq_ctx_term(ctx);
	harness_destroy(&h);
}

TEST_MAIN(config_check_and_dash_n_agree_on_the_zone_file, ping_answers_for_make_run,
    make_run_says_running_once_the_daemons_answer_and_stops_on_ctrl_c,
    frame_limits_are_the_documented_ones, more_clients_than_descriptors_never_crash_the_daemon,
    a_second_daemon_on_one_data_directory_refuses_to_start,
    a_read_only_database_is_refused_at_start, a_damaged_database_is_refused_at_start,
    files_are_private_whatever_the_umask)
