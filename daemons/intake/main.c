/*
 * trygg-intake: takes incident reports, routes them to their area team,
 * decides their scope, stores them durably and answers.
 *
 * Sockets: one ROUTER on endpoints.intake (requests from reporters); a
 *          DEALER each to endpoints.escalation and endpoints.reporting, the
 *          durable links (intake_link.c).
 * State:   <data_dir>/incidents.db (intake_store.c), nothing else: a writer
 *          connection for submit and update, a reader connection for get
 *          and list.
 *
 * The request ring, group commit, reader thread and release-after-sync are
 * common/server.c's; this file opens the store and hands over the
 * operation table (intake_ops.c).
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration,
 * 69 when the socket cannot be bound, 70 for internal failures (threads,
 * polling), 74 for database and disk failures.
 */
#include "intake.h"
#include "daemon.h"
#include "log.h"
#include "server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

static volatile sig_atomic_t intake_quit;

static void
intake_on_signal(int sig)
{
	intake_quit = sig;
}

/* server.c hook: a request or batch was undone; cached numbering may be ahead */
static void
intake_rolled_back(void *ctx)
{
	intake_store_rolled_back(ctx);
}

static void
intake_committed(void *ctx, uint64_t gen)
{
	intake_link_committed(ctx, gen);
}

static void
intake_durable(void *ctx, uint64_t gen)
{
	intake_link_durable(ctx, gen);
}

static int
intake_tick(void *ctx, int64_t now)
{
	int links = intake_links_tick(ctx, now), retention = intake_retention_tick(ctx, now);

	return links < 0 || retention < 0 ? -1 : 0;
}

static void
intake_links(void *ctx, pack_t *map)
{
	intake_links_status(ctx, map);
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	server_conf_t conf;
	server_t *srv;
	cfg_t *cfg;
	char err[512];
	intake_t in, reader;
	auth_t *auth;
	void *zctx;

	daemon_start(argc, argv, INTAKE_SERVICE, &args);
	cfg = args.cfg;
	memset(&in, 0, sizeof(in));
	in.cfg = cfg;
	in.fail_id = getenv("TRYGG_TEST_FAIL_ID");
	if ((in.tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (auth_check(cfg, "intake", err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&in.tz);
		cfg_destroy(&cfg);
		return 0;
	}
	if ((in.db = intake_store_open(cfg->data_dir, err, sizeof(err))) == NULL ||
	    db_defer_sync(in.db, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	/* the reader's own connection: reads never wait for the writer */
	reader = in;
	if ((reader.db = intake_store_open_reader(cfg->data_dir, err, sizeof(err))) == NULL)
		fatal(EXIT_IOERR, "%s", err);

	zctx = daemon_zmq_ctx();
	/* the keys and ZAP handler first: libzmq asks it for every handshake */
	if ((auth = auth_new(zctx, cfg, "intake", err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s", err);
	conf = (server_conf_t){
		.service = INTAKE_SERVICE,
		.endpoint = cfg->endpoints.intake,
		.db = in.db,
		.read_db = reader.db,
		.ops = intake_ops,
		.nops = intake_nops,
		.ctx = &in,
		.read_ctx = &reader,
		.verbose = args.verbose,
		.auth = auth,
		.rolled_back = intake_rolled_back,
		.committed = intake_committed,
		.durable = intake_durable,
		.tick = intake_tick,
		.links = intake_links,
	};
	if ((srv = server_new(zctx, &conf, err, sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);
	if (intake_links_open(&in, zctx, srv, err, sizeof(err)) < 0 ||
	    intake_retention_open(&in, srv, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	daemon_signals(intake_on_signal);
	log_info("listening on %s, incidents in %s/%s", cfg->endpoints.intake,
	    cfg->data_dir, INTAKE_DB_FILE);

	server_run(srv, &intake_quit);

	intake_links_close(&in);
	intake_retention_close(&in);
	server_destroy(&srv);
	auth_destroy(&auth);
	zmq_ctx_term(zctx);
	db_close(&reader.db);
	db_close(&in.db);
	tz_destroy(&in.tz);
	cfg_destroy(&cfg);
	return 0;
}
