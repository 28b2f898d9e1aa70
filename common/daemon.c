/*
 * daemon.c: options, logging, configuration, resources and signals for
 * the daemons.
 *
 * Before a daemon opens anything or binds, daemon_start() makes the files
 * it will create private (umask 027: data directory 0750, databases and
 * ipc sockets 0640/0750, whatever the caller's umask was), raises the soft
 * limit on descriptors to the hard one and guards accept() with it
 * (fdguard.h), and takes an exclusive lock on <data_dir>/<service>.lock,
 * so that a second instance on the same data directory stops with a clear
 * message instead of sharing the database and taking over the first one's
 * ipc socket. The lock is held until the process ends.
 */
#include "daemon.h"
#include "dir.h"
#include "buf.h"
#include "fdguard.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#define DAEMON_UMASK 027        /* nothing for others; the group may read */

static long daemon_nofile;      /* the soft limit on descriptors, once raised */

static void
daemon_help(FILE *out, const char *service)
{
	fprintf(out, "usage: %s [-hnvV] [-c config]\n"
	    "  -c FILE  the configuration (default %s)\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       more log lines (-vv: debug)\n"
	    "  -h       this help\n"
	    "  -V       the version\n"
	    "Manual: man %s\n", service, CFG_DEFAULT_PATH, service);
}

static void
daemon_usage(const char *service)
{
	daemon_help(stderr, service);
	exit(EXIT_USAGE);
}

/* Raises the soft limit on descriptors to the hard one and guards accepts. */
static void
daemon_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("daemon_raise_nofile: getrlimit: %s", strerror(errno));
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			log_warn("daemon_raise_nofile: setrlimit: %s", strerror(errno));
			rl.rlim_cur = was;
		}
	}
	daemon_nofile = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ?
	    1048576 : (long)rl.rlim_cur;
	fdguard_set_limit(daemon_nofile);
	log_info("%ld file descriptors (soft limit was %llu): room for about %ld "
	    "clients at once; more wait and reconnect", daemon_nofile,
	    (unsigned long long)was, daemon_nofile - FDGUARD_RESERVE);
}

/*
 * Takes <data_dir>/<service>.lock for the life of the process; exits 69
 * when another process holds it, 74 when it cannot be made.
 */
static void
daemon_lock(const char *data_dir, const char *service)
{
	char path[4096];
	int fd;

	if (dir_make(data_dir, 0750) < 0)
		fatal(EXIT_IOERR, "creating the data directory %s: %s", data_dir,
		    strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.lock", data_dir, service);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
		fatal(EXIT_IOERR, "opening the lock file %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			fatal(EXIT_UNAVAIL, "another %s is running on the data directory %s "
			    "(it holds %s); stop it first, or give this one another data_dir",
			    service, data_dir, path);
		fatal(EXIT_IOERR, "locking %s: %s", path, strerror(errno));
	}
	/* fd stays open, and the lock with it, until the process ends */
}

void
daemon_start(int argc, char **argv, const char *service, daemon_args_t *out)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	buf_t errors = BUF_INIT;
	int ch;

	memset(out, 0, sizeof(*out));
	out->cfg_path = CFG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:nvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			daemon_help(stdout, service);
			exit(0);
		case 'V':
			printf("%s %s (wire protocol %d)\n", service, WIRE_TRYGG_VERSION,
			    WIRE_VERSION);
			exit(0);
		case 'c':
			out->cfg_path = optarg;
			break;
		case 'n':
			out->check_only = true;
			break;
		case 'v':
			out->verbose++;
			break;
		default:
			daemon_usage(service);
		}
	}
	if (optind != argc)
		daemon_usage(service);
	log_init(service, out->verbose);
	if ((out->cfg = cfg_load(out->cfg_path, &errors)) == NULL) {
		fputs(buf_str(&errors), stderr);
		buf_free(&errors);
		fatal(EXIT_CONFIG, "%s: invalid configuration", out->cfg_path);
	}
	buf_free(&errors);
	if (out->check_only)
		return;
	umask(DAEMON_UMASK);
	daemon_raise_nofile();
	daemon_lock(out->cfg->data_dir, service);
}

void *
daemon_zmq_ctx(void)
{
	void *ctx = zmq_ctx_new();
	int most, want;

	if (ctx == NULL)
		fatal(EXIT_SOFTWARE, "zmq_ctx_new: %s", zmq_strerror(errno));
	most = zmq_ctx_get(ctx, ZMQ_SOCKET_LIMIT);
	/* sockets of its own, each with a mailbox descriptor: a share of the limit */
	want = daemon_nofile > 0 ? (int)((daemon_nofile - FDGUARD_RESERVE) / 2) : 0;
	if (want > most)
		want = most;
	if (want > 1023 && zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, want) < 0)
		log_warn("daemon_zmq_ctx: ZMQ_MAX_SOCKETS %d: %s", want, zmq_strerror(errno));
	log_debug("ZeroMQ: at most %d sockets", zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
	return ctx;
}

void
daemon_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
