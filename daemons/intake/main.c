/*
 * trygg-intake: takes incident reports, routes them to their area team,
 * decides their scope, stores them durably and answers.
 *
 * Sockets: one ROUTER on endpoints.intake (requests from reporters).
 * State:   <data_dir>/incidents.db (intake_store.c), nothing else.
 *
 * Group commit: each turn of the loop drains every request waiting on the
 * socket (up to INTAKE_BATCH_MAX), handles them inside one transaction,
 * commits once (one fsync of the WAL), and only then sends the replies. A
 * reply is never sent for work that is not on disk. If the store fails
 * during the batch or at its commit, the transaction is rolled back, every
 * request of the batch that reached the store is answered "unavailable",
 * and nothing of it remains: the clients retry with the same ids.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration,
 * 69 when the socket cannot be bound, 74 when the database cannot be opened.
 */
#include "intake.h"
#include "log.h"
#include "mem.h"
#include "rpc.h"
#include "ts.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define INTAKE_POLL_MS 1000     /* wake at least this often to notice signals */

static volatile sig_atomic_t intake_quit;

static void
intake_on_signal(int sig)
{
	intake_quit = sig;
}

static void
intake_usage(void)
{
	fprintf(stderr, "usage: trygg-intake [-nv] [-c config]\n");
	exit(EXIT_USAGE);
}

typedef struct {
	rpc_request_t req;
	pack_t       *reply;
	msg_t        *msg;      /* kept until the batch commits: its "req" is echoed */
} intake_slot_t;

/* Undoes a batch whose store failed and answers every request it handled. */
static void
intake_batch_failed(intake_t *in, intake_slot_t *slots, int n)
{
	wire_err_t err;

	log_warn("intake_batch_failed: rolling back %d requests: %s", n, db_errmsg(in->db));
	db_rollback(in->db);
	wire_err_set(&err, WERR_UNAVAILABLE, NULL,
	    "the incident store could not commit; nothing was stored, try again");
	for (int i = 0; i < n; i++) {
		if (slots[i].msg == NULL)
			continue;
		pack_reset(slots[i].reply);
		pack_reply_error(slots[i].reply, &err, msg_req(slots[i].msg));
	}
}

/* Takes every waiting request, handles them in one transaction, answers. */
static int
intake_batch(intake_t *in, rpc_server_t *srv, intake_slot_t *slots)
{
	bool tx = false, failed = false;
	int n = 0, rc;

	while (n < INTAKE_BATCH_MAX && (rc = rpc_server_recv(srv, &slots[n].req)) > 0)
		n++;
	in->now = ts_now();
	for (int i = 0; i < n; i++) {
		intake_slot_t *s = &slots[i];
		const char *op;
		size_t op_len;

		s->msg = rpc_server_prepare(&s->req, INTAKE_SERVICE, &op, &op_len, s->reply);
		if (s->msg == NULL)
			continue;
		pack_reset(s->reply);
		if (!tx && db_begin(in->db) < 0) {
			wire_err_t err;

			log_warn("intake_batch: begin: %s", db_errmsg(in->db));
			wire_err_set(&err, WERR_UNAVAILABLE, NULL,
			    "the incident store is unavailable; try again");
			pack_reply_error(s->reply, &err, msg_req(s->msg));
			continue;
		}
		tx = true;
		if (failed || intake_handle(in, s->msg, op, op_len, s->reply) < 0)
			failed = true;
	}
	if (tx && (failed || db_commit(in->db) < 0))
		intake_batch_failed(in, slots, n);
	for (int i = 0; i < n; i++) {
		const void *data;
		size_t len;

		data = pack_data(slots[i].reply, &len);
		if (rpc_server_reply(srv, &slots[i].req, data, len) < 0)
			log_debug("intake_batch: reply: %s", zmq_strerror(errno));
		msg_destroy(&slots[i].msg);
		rpc_request_release(&slots[i].req);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *cfg_path = CFG_DEFAULT_PATH;
	buf_t errors = BUF_INIT;
	intake_slot_t *slots;
	struct sigaction sa;
	rpc_server_t *srv;
	char err[512];
	intake_t in;
	void *zctx;
	int ch, check_only = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "c:nv")) != -1) {
		switch (ch) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			intake_usage();
		}
	}
	if (optind != argc)
		intake_usage();
	log_init(INTAKE_SERVICE, verbose);

	memset(&in, 0, sizeof(in));
	if ((in.cfg = cfg_load(cfg_path, &errors)) == NULL) {
		fputs(buf_str(&errors), stderr);
		fatal(EXIT_CONFIG, "%s: invalid configuration", cfg_path);
	}
	if (check_only) {
		printf("configuration OK\n");
		return 0;
	}
	if ((in.tz = tz_open(in.cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s", err);
	if ((in.db = intake_store_open(in.cfg->data_dir, err, sizeof(err))) == NULL)
		fatal(EXIT_IOERR, "%s", err);

	zctx = zmq_ctx_new();
	if ((srv = rpc_server_new(zctx, in.cfg->endpoints.intake, err, sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = intake_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	slots = xcalloc(INTAKE_BATCH_MAX, sizeof(*slots));
	for (int i = 0; i < INTAKE_BATCH_MAX; i++)
		slots[i].reply = pack_new();
	log_info("listening on %s, incidents in %s/%s", in.cfg->endpoints.intake,
	    in.cfg->data_dir, INTAKE_DB_FILE);

	while (!intake_quit) {
		zmq_pollitem_t item = {rpc_server_socket(srv), 0, ZMQ_POLLIN, 0};

		if (zmq_poll(&item, 1, INTAKE_POLL_MS) < 0) {
			if (errno == EINTR)
				continue;
			fatal(EXIT_SOFTWARE, "zmq_poll: %s", zmq_strerror(errno));
		}
		if (item.revents & ZMQ_POLLIN)
			intake_batch(&in, srv, slots);
	}
	log_info("stopping on signal %d", (int)intake_quit);

	for (int i = 0; i < INTAKE_BATCH_MAX; i++)
		pack_destroy(&slots[i].reply);
	free(slots);
	rpc_server_destroy(&srv);
	zmq_ctx_term(zctx);
	db_close(&in.db);
	tz_destroy(&in.tz);
	cfg_destroy((cfg_t **)&in.cfg);
	buf_free(&errors);
	return 0;
}
