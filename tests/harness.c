/*
 * harness.c: temporary folders, configurations and real daemons for the
 * scenario tests (see harness.h).
 */
#include "harness.h"
#include "auth.h"
#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define HARNESS_START_MS 10000  /* how long a daemon may take to answer ping */
#define HARNESS_CALL_MS  5000

static const char *const harness_names[H_NDAEMONS] = {
	"trygg-intake", "trygg-escalation", "trygg-reporting", "trygg-web",
};

#define HARNESS_HTTP_MS 10000   /* an HTTP answer must come within this */

static const char *
harness_bin(void)
{
	const char *b = getenv("TRYGG_BIN");

	return b && *b ? b : "build/bin";
}

#define HARNESS_CLI_ARGV 64     /* the client's argv, NULL included, at most */

long
harness_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

char *
harness_read(const char *path)
{
	FILE *f = fopen(path, "r");
	buf_t b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return b.data ? b.data : xstrdup("");
}

/* the top-level key a line starts, or 0 when it starts none */
static size_t
harness_top_key(const char *line, const char **key)
{
	size_t n = 0;

	if (line[0] == ' ' || line[0] == '#' || line[0] == '\n' || line[0] == '-' ||
	    line[0] == '\0')
		return 0;
	while (line[n] && line[n] != ':' && line[n] != '\n')
		n++;
	if (line[n] != ':')
		return 0;
	*key = line;
	return n;
}

/* Does yaml have a top-level key of n bytes? */
static bool
harness_has_key(const char *yaml, const char *key, size_t n)
{
	for (const char *l = yaml; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *k;
		size_t kn = harness_top_key(l, &k);

		if (kn == n && memcmp(k, key, n) == 0)
			return true;
	}
	return false;
}

/* A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick). */
static int
harness_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	if (port == 0) {
		perror("harness: finding a free port");
		exit(1);
	}
	return port;
}

harness_t *
harness_new(const char *override)
{
	harness_t *h = xcalloc(1, sizeof(*h));
	char *base = harness_read("config/trygg.yaml");
	buf_t out = BUF_INIT, extra = BUF_INIT;
	bool skipping = false;
	char dir[sizeof(h->dir)];
	FILE *f;

	if (base == NULL) {
		fprintf(stderr, "harness: cannot read config/trygg.yaml (run from the repository root)\n");
		exit(1);
	}
	snprintf(h->dir, sizeof(h->dir), "/tmp/trygg-test-XXXXXX");
	if (mkdtemp(h->dir) == NULL) {
		perror("harness: mkdtemp");
		exit(1);
	}
	snprintf(h->config, sizeof(h->config), "%s/trygg.yaml", h->dir);
	snprintf(dir, sizeof(dir), "%s", h->dir);
	for (int d = 0; d < H_NDAEMONS; d++)
		snprintf(h->endpoint[d], sizeof(h->endpoint[d]), "ipc://%s/%s.sock", dir,
		    harness_names[d] + 6);
	snprintf(h->notifications, sizeof(h->notifications), "ipc://%s/notify.sock", dir);

	buf_printf(&extra, "data_dir: %s/data\n", dir);
	buf_printf(&extra, "endpoints:\n  intake: %s\n  escalation: %s\n"
	    "  notifications: %s\n  reporting: %s\n", h->endpoint[H_INTAKE],
	    h->endpoint[H_ESCALATION], h->notifications, h->endpoint[H_REPORTING]);
	h->web_port = harness_free_port();
	snprintf(h->web_url, sizeof(h->web_url), "http://127.0.0.1:%d", h->web_port);
	/* trygg-web listens on a free port: in the caller's web block, or in one of its own */
	if (override && harness_has_key(override, "web", 3)) {
		const char *at = strstr(override, "web:\n");

		if (at == NULL || (at != override && at[-1] != '\n')) {
			fprintf(stderr, "harness: write the override's web block as \"web:\\n  key: ...\"\n");
			exit(1);
		}
		buf_append(&extra, override, (size_t)(at - override) + 5);
		buf_printf(&extra, "  listen: %s\n", h->web_url);
		buf_puts(&extra, at + 5);
	} else {
		if (override)
			buf_puts(&extra, override);
		buf_printf(&extra, "web:\n  listen: %s\n", h->web_url);
	}

	/* the default's lines, without the blocks that extra replaces */
	for (const char *l = base; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		const char *k;
		size_t kn = harness_top_key(l, &k);

		if (kn)
			skipping = harness_has_key(buf_str(&extra), k, kn);
		if (!skipping)
			buf_append(&out, l, len);
		l += len;
	}
	buf_puts(&out, "\n");
	buf_puts(&out, buf_str(&extra));
	if ((f = fopen(h->config, "w")) == NULL || fputs(buf_str(&out), f) < 0 ||
	    fclose(f) != 0) {
		perror("harness: writing the configuration");
		exit(1);
	}
	free(base);
	buf_free(&out);
	buf_free(&extra);
	h->zctx = zmq_ctx_new();
	return h;
}

static void
harness_rmrf(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", dir);
}

static harness_t *harness_the_shared;

static void
harness_destroy_shared(void)
{
	harness_destroy(&harness_the_shared);
}

harness_t *
harness_shared(const char *override, harness_daemon_t d)
{
	if (harness_the_shared == NULL) {
		harness_the_shared = harness_new(override);
		if (harness_start(harness_the_shared, d) < 0) {
			fprintf(stderr, "harness: cannot start %s\n", harness_names[d]);
			exit(1);
		}
		atexit(harness_destroy_shared);
	}
	return harness_the_shared;
}

void
harness_destroy(harness_t **self_p)
{
	harness_t *h;

	if (self_p == NULL || (h = *self_p) == NULL)
		return;
	for (int d = 0; d < H_NDAEMONS; d++)
		if (h->pid[d] > 0)
			harness_kill(h, d, SIGTERM);
	if (h->has_reply)
		msgpack_unpacked_destroy(&h->reply);
	for (int i = 0; i < HARNESS_ENV_MAX; i++)
		free(h->env[i]);
	free(h->reply_bytes);
	zmq_ctx_term(h->zctx);
	if (getenv("TRYGG_KEEP_TEST_DIR") == NULL)
		harness_rmrf(h->dir);
	free(h);
	*self_p = NULL;
}

pack_t *
harness_req(const char *op)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_int(p, "v", WIRE_VERSION);
	pack_kv_str(p, "op", op);
	return p;
}

void
harness_key_socket(harness_t *h, harness_daemon_t d, void *sock)
{
	char path[400], err[512] = "";
	auth_client_t k = {.on = true};

	if (!h->keyed || h->as[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/keys/%s.key", h->dir, h->as);
	snprintf(k.server_key, sizeof(k.server_key), "%s",
	    harness_public_key(h, harness_names[d == H_WEB ? H_INTAKE : d]));
	if (auth_keypair_read(path, true, &k.own, err, sizeof(err)) < 0 ||
	    auth_client_socket(&k, sock) < 0)
		fprintf(stderr, "harness: key %s: %s\n", h->as, err);
}

static const msgpack_object *
harness_call_ms(harness_t *h, harness_daemon_t d, const void *data, size_t len, int ms)
{
	void *sock = zmq_socket(h->zctx, ZMQ_REQ);
	int linger = 0;
	zmq_pollitem_t item;
	zmq_msg_t msg;
	size_t off = 0;
	const msgpack_object *res = NULL;

	if (h->has_reply) {
		msgpack_unpacked_destroy(&h->reply);
		h->has_reply = false;
	}
	free(h->reply_bytes);
	h->reply_bytes = NULL;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	harness_key_socket(h, d, sock);
	zmq_connect(sock, h->endpoint[d]);
	zmq_send(sock, data, len, 0);
	item.socket = sock;
	item.events = ZMQ_POLLIN;
	if (zmq_poll(&item, 1, ms) > 0) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) >= 0) {
			size_t n = zmq_msg_size(&msg);

			h->reply_bytes = xmalloc(n + 1);
			memcpy(h->reply_bytes, zmq_msg_data(&msg), n);
			msgpack_unpacked_init(&h->reply);
			h->has_reply = true;
			if (msgpack_unpack_next(&h->reply, h->reply_bytes, n, &off) ==
			    MSGPACK_UNPACK_SUCCESS)
				res = &h->reply.data;
		}
		zmq_msg_close(&msg);
	}
	zmq_close(sock);
	return res;
}

const msgpack_object *
harness_call_raw(harness_t *h, harness_daemon_t d, const void *data, size_t len)
{
	return harness_call_ms(h, d, data, len, HARNESS_CALL_MS);
}

const msgpack_object *
harness_call_wait(harness_t *h, harness_daemon_t d, pack_t *req, int ms)
{
	size_t len;
	const void *data = pack_data(req, &len);

	return harness_call_ms(h, d, data, len, ms);
}

const msgpack_object *
harness_call(harness_t *h, harness_daemon_t d, pack_t *req)
{
	size_t len;
	const void *data = pack_data(req, &len);

	return harness_call_raw(h, d, data, len);
}

void
harness_setenv(harness_t *h, const char *name, const char *value)
{
	size_t n = strlen(name);
	int free_slot = -1;

	for (int i = 0; i < HARNESS_ENV_MAX; i++) {
		if (h->env[i] && strncmp(h->env[i], name, n) == 0 && h->env[i][n] == '=') {
			free(h->env[i]);
			h->env[i] = NULL;
		}
		if (h->env[i] == NULL && free_slot < 0)
			free_slot = i;
	}
	if (value == NULL)
		return;
	if (free_slot < 0) {
		fprintf(stderr, "harness: more than %d environment variables\n", HARNESS_ENV_MAX);
		exit(1);
	}
	h->env[free_slot] = xmalloc(n + strlen(value) + 2);
	sprintf(h->env[free_slot], "%s=%s", name, value);
}

const char *
harness_shim(void)
{
	static char path[512];

	/* build/bin -> build/lib */
	snprintf(path, sizeof(path), "%s/../lib/faultsync.so", harness_bin());
	return access(path, R_OK) == 0 ? path : NULL;
}

int
harness_preload_shim(harness_t *h)
{
	const char *asan = getenv("ASAN_OPTIONS");
	char opts[512];

	if (harness_shim() == NULL)
		return -1;
	harness_setenv(h, "LD_PRELOAD", harness_shim());
	/* under SANITIZE=1 the sanitizer's runtime would insist on coming first */
	snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", asan ? asan : "",
	    asan && *asan ? ":" : "");
	harness_setenv(h, "ASAN_OPTIONS", opts);
	return 0;
}

/* In the child: the harness's environment and limits, output to log, exec. */
static void
harness_exec(harness_t *h, harness_daemon_t d, const char *log, const char *const *args)
{
	const char *argv[16];
	char path[512];
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644), n = 0;

	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	for (int i = 0; i < HARNESS_ENV_MAX; i++)
		if (h->env[i])
			putenv(h->env[i]);
	if (h->nofile > 0) {
		struct rlimit rl = {(rlim_t)h->nofile, (rlim_t)h->nofile};

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			fprintf(stderr, "harness: setrlimit: %s\n", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/%s", harness_bin(), harness_names[d]);
	argv[n++] = harness_names[d];
	argv[n++] = "-c";
	argv[n++] = h->config;
	for (int i = 0; args && args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	execv(path, (char *const *)argv);
	fprintf(stderr, "harness: exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

static int
harness_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
harness_run(harness_t *h, harness_daemon_t d, const char *const *args, char **out)
{
	char log[512];
	int status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/%s.run.log", h->dir, harness_names[d]);
	unlink(log);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0)
		harness_exec(h, d, log, args);
	/* a daemon that should have refused to start may serve instead */
	for (int waited = 0; waitpid(pid, &status, WNOHANG) != pid; waited += 10) {
		if (waited >= HARNESS_START_MS) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (out != NULL && (*out = harness_read(log)) == NULL)
				*out = xstrdup("");
			return -1;
		}
		usleep(10000);
	}
	if (out != NULL && (*out = harness_read(log)) == NULL)
		*out = xstrdup("");
	return harness_status(status);
}

int
harness_wait(harness_t *h, harness_daemon_t d, int ms)
{
	int status;

	if (h->pid[d] <= 0)
		return -1;
	for (int waited = 0; waited <= ms; waited += 10) {
		if (waitpid(h->pid[d], &status, WNOHANG) == h->pid[d]) {
			h->pid[d] = 0;
			return harness_status(status);
		}
		usleep(10000);
	}
	return -1;
}

char *
harness_log(harness_t *h, harness_daemon_t d)
{
	char log[512], *s;

	snprintf(log, sizeof(log), "%s/%s.log", h->dir, harness_names[d]);
	s = harness_read(log);
	return s ? s : xstrdup("");
}

static int
harness_start_ping(harness_t *h, harness_daemon_t d)
{
	char log[512];
	pack_t *ping;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/%s.log", h->dir, harness_names[d]);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0)
		harness_exec(h, d, log, NULL);
	h->pid[d] = pid;
	ping = harness_req("ping");
	pack_map_close(ping);
	for (int waited = 0; waited < (h->start_ms > 0 ? h->start_ms : HARNESS_START_MS);
	    waited += 200) {
		size_t len;
		const void *data = pack_data(ping, &len);
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			h->pid[d] = 0;
			fprintf(stderr, "harness: %s exited at start (status %d); see %s\n",
			    harness_names[d], status, log);
			pack_destroy(&ping);
			return -1;
		}
		if (d == H_WEB) {
			harness_http_t r;
			int st = harness_http(h, "GET", "/static/trygg.css", NULL, NULL, 0, &r);

			harness_http_free(&r);
			if (st == 200) {
				pack_destroy(&ping);
				return 0;
			}
			usleep(200 * 1000);
		} else if (harness_call_ms(h, d, data, len, 200) != NULL) {
			pack_destroy(&ping);
			return 0;
		}
	}
	pack_destroy(&ping);
	fprintf(stderr, "harness: %s did not answer ping; see %s\n", harness_names[d], log);
	/* not left running behind the test (it would hold its socket and files) */
	harness_kill(h, d, SIGKILL);
	return -1;
}

int
harness_start(harness_t *h, harness_daemon_t d)
{
	char as[sizeof(h->as)];
	int rc;

	/* the start's pings with the harness's own key, whoever the test is now */
	memcpy(as, h->as, sizeof(as));
	if (h->keyed)
		snprintf(h->as, sizeof(h->as), "harness");
	rc = harness_start_ping(h, d);
	memcpy(h->as, as, sizeof(as));
	return rc;
}

int
harness_kill(harness_t *h, harness_daemon_t d, int sig)
{
	int status = -1;

	if (h->pid[d] <= 0)
		return -1;
	kill(h->pid[d], sig);
	while (waitpid(h->pid[d], &status, 0) < 0 && errno == EINTR)
		;
	h->pid[d] = 0;
	return status;
}

char *
harness_slurp(const char *path)
{
	char *s = harness_read(path);

	return s != NULL ? s : xstrdup("");
}

/* The client's path, and argv: trygg -c h's config, then args (as many as fit). */
static void
harness_cli_argv(harness_t *h, const char *const *args, char *path, size_t pathlen,
    const char *argv[HARNESS_CLI_ARGV])
{
	int n = 0;

	snprintf(path, pathlen, "%s/trygg", harness_bin());
	argv[n++] = "trygg";
	argv[n++] = "-c";
	argv[n++] = h->config;
	for (int i = 0; args[i] && n < HARNESS_CLI_ARGV - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
}

pid_t
harness_cli_spawn(harness_t *h, const char *const *args, int out_fd, const char *err_path)
{
	const char *argv[HARNESS_CLI_ARGV];
	char path[512];
	pid_t pid;

	harness_cli_argv(h, args, path, sizeof(path), argv);
	if ((pid = fork()) == 0) {
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(out_fd, 1);
		dup2(err, 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int
harness_cli_wait(pid_t pid, int ms)
{
	struct timespec t0;
	int status = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (harness_ms_since(&t0) > ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void
harness_cli_env(const char *const *env)
{
	static const char *const own[] = {"TRYGG_CONFIG", "TRYGG_INTAKE", "TRYGG_ESCALATION",
	    "TRYGG_NOTIFICATIONS", "TRYGG_REPORTING", "TRYGG_TIMEZONE"};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		unsetenv(own[i]);
	for (int i = 0; env != NULL && env[i] != NULL; i++)
		putenv((char *)env[i]);
}

int
harness_cli(harness_t *h, char **out, const char *const *args)
{
	char path[512], outfile[512];
	const char *argv[HARNESS_CLI_ARGV];
	int status;
	pid_t pid;

	snprintf(outfile, sizeof(outfile), "%s/cli.out", h->dir);
	harness_cli_argv(h, args, path, sizeof(path), argv);
	if ((pid = fork()) == 0) {
		int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = harness_slurp(outfile);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const msgpack_object *
h_get(const msgpack_object *map, const char *key)
{
	return msg_map_get(map, key);
}

const char *
h_str(const msgpack_object *map, const char *key)
{
	static char ring[8][1024];
	static int next;
	const msgpack_object *v = h_get(map, key);
	char *s = ring[next++ % 8];

	if (v == NULL || v->type != MSGPACK_OBJECT_STR)
		return "";
	snprintf(s, 1024, "%.*s", (int)v->via.str.size, v->via.str.ptr);
	return s;
}

long long
h_int(const msgpack_object *map, const char *key)
{
	const msgpack_object *v = h_get(map, key);

	if (v == NULL)
		return -999999;
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (long long)v->via.u64;
	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return v->via.i64;
	return -999999;
}

bool
h_bool(const msgpack_object *map, const char *key)
{
	const msgpack_object *v = h_get(map, key);

	return v && v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
}

bool
h_ok(const msgpack_object *reply)
{
	return h_bool(reply, "ok");
}

const char *
h_code(const msgpack_object *reply)
{
	return h_str(h_get(reply, "error"), "code");
}

/* Writes all of data; -1 on an error or past the deadline. */
static int
harness_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
harness_http(harness_t *h, const char *method, const char *path,
    const char *headers, const char *body, size_t body_len, harness_http_t *out)
{
	struct sockaddr_in a;
	buf_t req = BUF_INIT, resp = BUF_INIT;
	int fd;
	char chunk[8192];
	const char *sep;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)h->web_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return 0;
	}
	buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n",
	    method, path, h->web_port);
	if (body)
		buf_printf(&req, "Content-Length: %zu\r\n", body_len);
	if (headers)
		buf_puts(&req, headers);
	buf_puts(&req, "\r\n");
	if (body)
		buf_append(&req, body, body_len);
	/* a refused body may be answered before it is all sent: read regardless */
	(void)harness_write_all(fd, req.data, req.len);
	buf_free(&req);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, HARNESS_HTTP_MS) <= 0)
			break;
		if ((n = read(fd, chunk, sizeof(chunk))) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_append(&resp, chunk, (size_t)n);
	}
	close(fd);
	if (resp.data == NULL || (sep = strstr(resp.data, "\r\n\r\n")) == NULL ||
	    sscanf(resp.data, "HTTP/1.%*d %d", &out->status) != 1) {
		buf_free(&resp);
		out->status = 0;
		return 0;
	}
	out->head = xstrndup(resp.data, (size_t)(sep - resp.data));
	out->body_len = resp.len - (size_t)(sep + 4 - resp.data);
	out->body = xmalloc(out->body_len + 1);
	memcpy(out->body, sep + 4, out->body_len);
	out->body[out->body_len] = '\0';
	buf_free(&resp);
	return out->status;
}

void
harness_http_free(harness_http_t *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *
harness_http_header(const harness_http_t *r, const char *name)
{
	static char value[1024];
	size_t n = strlen(name);

	value[0] = '\0';
	for (const char *l = r->head ? strstr(r->head, "\r\n") : NULL; l; l = strstr(l + 2, "\r\n")) {
		const char *v = l + 2, *end;

		if (strncasecmp(v, name, n) != 0 || v[n] != ':')
			continue;
		v += n + 1;
		while (*v == ' ')
			v++;
		end = strstr(v, "\r\n");
		snprintf(value, sizeof(value), "%.*s", (int)(end ? (size_t)(end - v) : strlen(v)), v);
		break;
	}
	return value;
}

/* ---- keys (harness_new_keyed) ---- */

static const struct {
	const char *name, *role, *contact, *team;
} harness_roster[] = {
	{"harness", "admin", NULL, NULL},
	{"web", "admin", NULL, NULL},
	{"anna", "reporter", NULL, NULL},
	{"rita", "reporter", NULL, NULL},
	{"responder", "responder", "tib-1", NULL},
	{"samordnare", "coordinator", "samordnare-ot1", "omradesteam-1"},
	{"other-daemon", "daemon", NULL, NULL},
	{"stranger", NULL, NULL, NULL},
};

/* a fresh key pair in <dir>/keys/name.key; its public key into pub */
static void
harness_keygen(harness_t *h, const char *name, char pub[AUTH_Z85_LEN + 1])
{
	char path[400], path_pub[420], err[512];
	auth_keypair_t kp;

	snprintf(path, sizeof(path), "%s/keys/%s.key", h->dir, name);
	snprintf(path_pub, sizeof(path_pub), "%s.pub", path);
	if (auth_keypair_new(&kp, err, sizeof(err)) < 0 ||
	    auth_keypair_write(path, path_pub, &kp, err, sizeof(err)) < 0) {
		fprintf(stderr, "harness: keygen %s: %s\n", name, err);
		exit(1);
	}
	memcpy(pub, kp.public_key, AUTH_Z85_LEN + 1);
}

harness_t *
harness_new_keyed(const char *override)
{
	harness_t *h = harness_new(override);
	char keys[300], pub[AUTH_Z85_LEN + 1];
	buf_t b = BUF_INIT;
	FILE *f;

	snprintf(keys, sizeof(keys), "%s/keys", h->dir);
	if (mkdir(keys, 0700) < 0) {
		perror("harness: mkdir keys");
		exit(1);
	}
	buf_puts(&b, "\nauth:\n");
	for (int d = 0; d < H_WEB; d++) {
		harness_keygen(h, harness_names[d], pub);
		buf_printf(&b, "  %s:\n    public_key: \"%s\"\n    secret_key_file: keys/%s.key\n",
		    harness_names[d] + 6, pub, harness_names[d]);
	}
	buf_puts(&b, "  client_key_file: keys/harness.key\n  web_key_file: keys/web.key\n"
	    "  clients:\n");
	for (size_t i = 0; i < sizeof(harness_roster) / sizeof(harness_roster[0]); i++) {
		harness_keygen(h, harness_roster[i].name, pub);
		if (harness_roster[i].role == NULL)
			continue;
		buf_printf(&b, "    - {name: %s, public_key: \"%s\", role: %s", harness_roster[i].name,
		    pub, harness_roster[i].role);
		if (harness_roster[i].contact)
			buf_printf(&b, ", contact: %s", harness_roster[i].contact);
		if (harness_roster[i].team)
			buf_printf(&b, ", team: %s", harness_roster[i].team);
		buf_puts(&b, "}\n");
	}
	if ((f = fopen(h->config, "a")) == NULL || fputs(buf_str(&b), f) < 0 || fclose(f) != 0) {
		perror("harness: writing the auth block");
		exit(1);
	}
	buf_free(&b);
	h->keyed = true;
	snprintf(h->as, sizeof(h->as), "harness");
	return h;
}

const char *
harness_public_key(harness_t *h, const char *name)
{
	static char out[4][AUTH_Z85_LEN + 1];
	static int next;
	char path[420], err[256];
	auth_keypair_t kp;
	char *slot = out[next++ % 4];

	snprintf(path, sizeof(path), "%s/keys/%s.key", h->dir, name);
	slot[0] = '\0';
	if (auth_keypair_read(path, true, &kp, err, sizeof(err)) == 0)
		memcpy(slot, kp.public_key, AUTH_Z85_LEN + 1);
	return slot;
}

int
harness_rewrite(harness_t *h, const char *from, const char *to)
{
	char *text = harness_read(h->config);
	buf_t out = BUF_INIT;
	size_t flen = strlen(from);
	FILE *f;
	int rc = 0;

	if (text == NULL || flen == 0)
		return -1;
	for (const char *p = text, *q; *p; p = q + flen) {
		if ((q = strstr(p, from)) == NULL) {
			buf_puts(&out, p);
			break;
		}
		buf_append(&out, p, (size_t)(q - p));
		buf_puts(&out, to);
	}
	if ((f = fopen(h->config, "w")) == NULL || fputs(buf_str(&out), f) < 0 || fclose(f) != 0)
		rc = -1;
	free(text);
	buf_free(&out);
	return rc;
}
