/*
 * trygg-escalation: decides who must act on an escalation (the
 * säkerhetschef in office hours, the TiB on duty otherwise) and answers
 * questions about it.
 *
 * Sockets: one ROUTER on endpoints.escalation (requests: ping, oncall).
 * State:   none yet; the configuration (office hours, holidays, the TiB
 *          rota) is read at start-up.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration (every
 * problem is printed, one per line), 69 when the socket cannot be bound,
 * 70 on an internal error.
 */
#include "escalation.h"
#include "daemon.h"
#include "log.h"
#include "rpc.h"
#include "wire.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#define ESCALATION_POLL_MS 1000 /* wake at least this often to notice signals */

static volatile sig_atomic_t escalation_quit;

static void
escalation_on_signal(int sig)
{
	escalation_quit = sig;
}

/* The operations besides ping (which rpc_server_drain answers). */
static const struct {
	const char *name;
	void      (*fn)(escalation_t *, const msg_t *, pack_t *);
} escalation_ops[] = {
	{"oncall", escalation_oncall},
};

/* rpc_handler_fn: one parsed request with a valid header */
static void
escalation_handle(void *ctx, const msg_t *m, const char *op, size_t op_len,
    pack_t *reply)
{
	size_t n = sizeof(escalation_ops) / sizeof(escalation_ops[0]);

	for (size_t i = 0; i < n; i++) {
		if (msg_op_is(op, op_len, escalation_ops[i].name)) {
			escalation_ops[i].fn(ctx, m, reply);
			return;
		}
	}
	rpc_reply_unknown_op(reply, m, ESCALATION_SERVICE, op, op_len, escalation_ops, n,
	    sizeof(escalation_ops[0]));
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	rpc_server_t *srv;
	escalation_t esc;
	cfg_t *cfg;
	char err[512];
	void *zctx;

	daemon_start(argc, argv, ESCALATION_SERVICE, &args);
	cfg = args.cfg;
	memset(&esc, 0, sizeof(esc));
	esc.cfg = cfg;
	if ((esc.tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&esc.tz);
		cfg_destroy(&cfg);
		return 0;
	}

	zctx = daemon_zmq_ctx();
	if ((srv = rpc_server_new(zctx, cfg->endpoints.escalation, err,
	    sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);
	daemon_signals(escalation_on_signal);

	log_info("listening on %s, office hours and rota in %s",
	    cfg->endpoints.escalation, tz_name(esc.tz));

	while (!escalation_quit) {
		zmq_pollitem_t item = {rpc_server_socket(srv), 0, ZMQ_POLLIN, 0};

		if (zmq_poll(&item, 1, ESCALATION_POLL_MS) < 0) {
			if (errno == EINTR)
				continue;
			fatal(EXIT_SOFTWARE, "zmq_poll: %s", zmq_strerror(errno));
		}
		if ((item.revents & ZMQ_POLLIN) &&
		    rpc_server_drain(srv, ESCALATION_SERVICE, escalation_handle,
		    &esc) < 0 && errno != EINTR && errno != EAGAIN)
			log_warn("main: rpc_server_drain: %s", zmq_strerror(errno));
	}
	log_info("stopping on signal %d", (int)escalation_quit);

	rpc_server_destroy(&srv);
	zmq_ctx_term(zctx);
	tz_destroy(&esc.tz);
	cfg_destroy(&cfg);
	return 0;
}
