/*
 * trygg-web: the HTTP gateway for phones (see web.h).
 *
 * Sockets: one HTTP listener on web.listen (libmicrohttpd, WEB_THREADS
 *          threads that each poll their share of connections); REQ clients
 *          to endpoints.intake and endpoints.escalation, one pair per
 *          server thread (web_rpc.c).
 * State:   none on disk. In memory only the CSRF key, made at start: forms
 *          served before a restart are refused once and shown again.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration (a
 * listen address it cannot read included), 69 when it cannot listen,
 * 70 on an internal error.
 */
#include "web.h"
#include "daemon.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <pthread.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>
#include <zmq.h>

/* from web_http.c */
enum MHD_Result web_http_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload, size_t *upload_len,
    void **con_cls);
void web_http_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe);
int web_http_init(web_t *w, char *err, size_t errlen);

static volatile sig_atomic_t web_quit;

static void
web_on_signal(int sig)
{
	web_quit = sig;
}

/*
 * Reads "http://HOST:PORT" (HOST a name, an IPv4 address or [IPv6]) into
 * an address. Returns 0, or -1 with err filled.
 */
static int
web_listen_addr(const char *url, struct sockaddr_storage *ss, socklen_t *sslen,
    char *err, size_t errlen)
{
	char host[256], port[16];
	const char *p, *colon;
	struct addrinfo hints, *res = NULL;
	size_t n;
	int rc;

	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "web.listen must be http://HOST:PORT (HTTPS is the proxy's)");
		return -1;
	}
	p = url + 7;
	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (end == NULL || end[1] != ':')
			goto bad;
		n = (size_t)(end - p - 1);
		colon = end + 1;
		p++;
	} else {
		if ((colon = strrchr(p, ':')) == NULL)
			goto bad;
		n = (size_t)(colon - p);
	}
	if (n == 0 || n >= sizeof(host) || strlen(colon + 1) == 0 ||
	    strlen(colon + 1) >= sizeof(port) || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1))
		goto bad;
	memcpy(host, p, n);
	host[n] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "web.listen: %s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen, "web.listen must be http://HOST:PORT, e.g. http://127.0.0.1:7180");
	return -1;
}

static void
web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("libmicrohttpd: %s", line);
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct MHD_Daemon *mhd;
	web_t w;
	char err[512];
	sigset_t block, old;
	size_t n;

	daemon_start(argc, argv, WEB_SERVICE, &args);
	memset(&w, 0, sizeof(w));
	w.cfg = args.cfg;
	w.verbose = args.verbose;
	if ((w.tz = tz_open(w.cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (web_listen_addr(w.cfg->web.listen, &ss, &sslen, err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (web_http_init(&w, err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (web_rpc_keys_check(&w, err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&w.tz);
		cfg_destroy(&args.cfg);
		return 0;
	}
	if (sodium_init() < 0)
		fatal(EXIT_SOFTWARE, "libsodium cannot start");
	crypto_auth_keygen(w.csrf_key);
	w.base_url = xstrdup(w.cfg->web.base_url ? w.cfg->web.base_url : w.cfg->web.listen);
	n = strlen(w.base_url);
	while (n > 0 && w.base_url[n - 1] == '/')
		w.base_url[--n] = '\0';
	if ((w.zctx = zmq_ctx_new()) == NULL)
		fatal(EXIT_SOFTWARE, "cannot make a ZeroMQ context: %s", zmq_strerror(errno));
	daemon_signals(web_on_signal);
	/* the server threads inherit a mask that keeps the signals for this one */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, web_http_handle, &w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)WEB_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_COMPLETED, web_http_done, &w,
	    MHD_OPTION_END);
	if (mhd == NULL)
		fatal(EXIT_UNAVAIL, "cannot listen on %s: %s", w.cfg->web.listen,
		    errno ? strerror(errno) : "libmicrohttpd refused");
	log_info("listening on %s; links start with %s", w.cfg->web.listen, w.base_url);

	while (!web_quit)
		sigsuspend(&old);
	log_info("stopping on signal %d", (int)web_quit);
	MHD_stop_daemon(mhd);
	web_rpc_fini();
	zmq_ctx_term(w.zctx);
	free(w.base_url);
	tz_destroy(&w.tz);
	cfg_destroy(&args.cfg);
	return 0;
}
