/*
 * trygg-reporting: keeps its own copy of every event of trygg-intake and
 * trygg-escalation and answers report requests from it alone.
 *
 * Sockets: one ROUTER on endpoints.reporting (requests, and the durable
 *          links from trygg-intake and trygg-escalation as "link.deliver").
 * State:   <data_dir>/reporting.db (reporting_store.c): a writer
 *          connection for the links and scheduled jobs, and a reader
 *          connection for reports. Files: each job's output folder
 *          (reporting_jobs.c).
 *
 * The request ring, group commit, reader thread and release-after-sync are
 * common/server.c's: a link batch is acknowledged only once applied and on
 * disk, and a report never holds up the links.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration (every
 * problem is printed, one per line), 69 when the socket cannot be bound,
 * 70 on an internal error, 74 for database and disk failures.
 */
#include "reporting.h"
#include "daemon.h"
#include "log.h"
#include "server.h"
#include "ts.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

static volatile sig_atomic_t reporting_quit;

/* server.c hook: scheduled jobs (reporting_jobs.c) */
static int
reporting_tick(void *ctx, int64_t now)
{
	return reporting_jobs_tick(ctx, now);
}

static void
reporting_on_signal(int sig)
{
	reporting_quit = sig;
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	server_conf_t conf;
	server_t *srv;
	reporting_t rep, reader;
	cfg_t *cfg;
	char err[512];
	auth_t *auth;
	void *zctx;

	daemon_start(argc, argv, REPORTING_SERVICE, &args);
	cfg = args.cfg;
	memset(&rep, 0, sizeof(rep));
	rep.cfg = cfg;
	if ((rep.tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (auth_check(cfg, "reporting", err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&rep.tz);
		cfg_destroy(&cfg);
		return 0;
	}
	if ((rep.db = reporting_store_open(cfg->data_dir, err, sizeof(err))) == NULL ||
	    db_defer_sync(rep.db, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	reader = rep;
	if ((reader.db = reporting_store_open_reader(cfg->data_dir, err, sizeof(err))) == NULL)
		fatal(EXIT_IOERR, "%s", err);

	zctx = daemon_zmq_ctx();
	/* the keys and ZAP handler first: libzmq asks it for every handshake */
	if ((auth = auth_new(zctx, cfg, "reporting", err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s", err);
	conf = (server_conf_t){
		.service = REPORTING_SERVICE,
		.endpoint = cfg->endpoints.reporting,
		.db = rep.db,
		.read_db = reader.db,
		.ops = reporting_ops,
		.nops = reporting_nops,
		.ctx = &rep,
		.read_ctx = &reader,
		.verbose = args.verbose,
		.auth = auth,
		.tick = reporting_tick,
	};
	if ((srv = server_new(zctx, &conf, err, sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);
	rep.srv = srv;
	/* jobs that fell due while the daemon was down run now (anacron) */
	server_wake_at(srv, ts_now());
	daemon_signals(reporting_on_signal);
	log_info("listening on %s, events in %s/%s", cfg->endpoints.reporting, cfg->data_dir,
	    REPORTING_DB_FILE);

	server_run(srv, &reporting_quit);

	server_destroy(&srv);
	auth_destroy(&auth);
	zmq_ctx_term(zctx);
	db_close(&reader.db);
	db_close(&rep.db);
	tz_destroy(&rep.tz);
	cfg_destroy(&cfg);
	return 0;
}
