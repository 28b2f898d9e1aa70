/*
 * trygg-escalation: turns incidents beyond a team's scope into
 * escalations, notifies who must act, and keeps notifying and moving up the
 * policy until someone acknowledges (escalation_policy.c).
 *
 * Sockets: one ROUTER on endpoints.escalation (requests, and the durable
 *          link from trygg-intake as "link.deliver"); one PUB on
 *          endpoints.notifications (escalation_notify.c); a DEALER to
 *          endpoints.reporting, the durable link (escalation_link.c).
 * State:   <data_dir>/escalations.db (escalation_store.c): a writer
 *          connection, and a reader connection for get and list.
 *
 * The request ring, group commit, reader thread and release-after-sync are
 * common/server.c's; the policy's deadlines come back through its tick hook,
 * and notifications leave through its durable hook.
 *
 * Exit status: 0 on SIGTERM/SIGINT, 64 usage, 78 bad configuration (every
 * problem is printed, one per line), 69 when a socket cannot be bound,
 * 70 on an internal error, 74 for database and disk failures.
 */
#include "escalation.h"
#include "daemon.h"
#include "link.h"
#include "log.h"
#include "server.h"
#include "ts.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#define ESCALATION_PUB_HWM 10000        /* notifications queued per subscriber */

static volatile sig_atomic_t escalation_quit;

static void
escalation_on_signal(int sig)
{
	escalation_quit = sig;
}

/* server.c hook: deadlines of the policy, notify commands to retry, link resends */
static int
escalation_tick(void *ctx, int64_t now)
{
	escalation_t *esc = ctx;
	int64_t next;

	if (escalation_policy_tick(esc, now) < 0 || escalation_notify_tick(esc, now) < 0 ||
	    link_tick(esc->link_reporting, now) < 0 || escalation_retention_tick(esc, now) < 0 ||
	    (next = escalation_notify_next(esc)) < 0)
		return -1;
	if (next != INT64_MAX)
		server_wake_at(esc->srv, next);
	return 0;
}

static void
escalation_committed(void *ctx, uint64_t gen)
{
	escalation_notify_committed(ctx, gen);
	escalation_link_committed(ctx, gen);
}

static void
escalation_durable(void *ctx, uint64_t gen)
{
	escalation_notify_durable(ctx, gen);
	escalation_link_durable(ctx, gen);
}

static void
escalation_links(void *ctx, pack_t *map)
{
	escalation_t *esc = ctx;

	link_status(esc->link_reporting, map);
}

/* Notifications stored but not out when the last run ended go out after the first sync. */
static void
escalation_resume(escalation_t *esc)
{
	sqlite3_stmt *st = db_stmt(esc->db,
	    "SELECT min(id) - 1, (SELECT max(id) FROM notifications) FROM notifications"
	    " WHERE state = 'pending'");

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		esc->published = sqlite3_column_type(st, 0) == SQLITE_NULL ?
		    sqlite3_column_int64(st, 1) : sqlite3_column_int64(st, 0);
		esc->durable = esc->published;
		durable_note(&esc->notes, 1, sqlite3_column_int64(st, 1));
	}
	if (st != NULL)
		sqlite3_reset(st);
}

int
main(int argc, char **argv)
{
	daemon_args_t args;
	server_conf_t conf;
	server_t *srv;
	escalation_t esc, reader;
	cfg_t *cfg;
	char err[512];
	auth_t *auth;
	void *zctx;
	int hwm = ESCALATION_PUB_HWM, linger = 0;
	int64_t next;

	daemon_start(argc, argv, ESCALATION_SERVICE, &args);
	cfg = args.cfg;
	memset(&esc, 0, sizeof(esc));
	esc.cfg = cfg;
	if ((esc.tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (auth_check(cfg, "escalation", err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s: %s", args.cfg_path, err);
	if (args.check_only) {
		printf("configuration OK\n");
		tz_destroy(&esc.tz);
		cfg_destroy(&cfg);
		return 0;
	}
	if ((esc.db = escalation_store_open(cfg->data_dir, err, sizeof(err))) == NULL ||
	    db_defer_sync(esc.db, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	reader = esc;
	if ((reader.db = escalation_store_open_reader(cfg->data_dir, err, sizeof(err))) == NULL)
		fatal(EXIT_IOERR, "%s", err);

	zctx = daemon_zmq_ctx();
	/* the keys and ZAP handler first: libzmq asks it for every handshake */
	if ((auth = auth_new(zctx, cfg, "escalation", err, sizeof(err))) == NULL)
		fatal(EXIT_CONFIG, "%s", err);
	if ((esc.pub = zmq_socket(zctx, ZMQ_PUB)) == NULL)
		fatal(EXIT_SOFTWARE, "creating the PUB socket: %s", zmq_strerror(errno));
	zmq_setsockopt(esc.pub, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(esc.pub, ZMQ_LINGER, &linger, sizeof(linger));
	/* CurveZMQ too: subscribers need a listed key of a role that acts on escalations */
	if (auth_server_socket(auth, esc.pub, cfg->endpoints.notifications, AUTH_DOMAIN_NOTIFY,
	    err, sizeof(err)) < 0)
		fatal(EXIT_CONFIG, "%s", err);
	if (zmq_bind(esc.pub, cfg->endpoints.notifications) != 0)
		fatal(EXIT_UNAVAIL, "binding %s: %s", cfg->endpoints.notifications,
		    zmq_strerror(errno));
	conf = (server_conf_t){
		.service = ESCALATION_SERVICE,
		.endpoint = cfg->endpoints.escalation,
		.db = esc.db,
		.read_db = reader.db,
		.ops = escalation_ops,
		.nops = escalation_nops,
		.ctx = &esc,
		.read_ctx = &reader,
		.verbose = args.verbose,
		.auth = auth,
		.tick = escalation_tick,
		.committed = escalation_committed,
		.durable = escalation_durable,
		.links = escalation_links,
	};
	if ((srv = server_new(zctx, &conf, err, sizeof(err))) == NULL)
		fatal(EXIT_UNAVAIL, "%s", err);
	esc.srv = srv;
	if (escalation_notify_start(&esc, err, sizeof(err)) < 0)
		fatal(EXIT_SOFTWARE, "%s", err);
	escalation_resume(&esc);
	if (escalation_link_open(&esc, zctx, err, sizeof(err)) < 0 ||
	    escalation_retention_open(&esc, err, sizeof(err)) < 0)
		fatal(EXIT_IOERR, "%s", err);
	/* deadlines stored by an earlier run fire on time, or at once when overdue */
	if ((next = escalation_policy_next(&esc)) < 0)
		fatal(EXIT_IOERR, "reading deadlines: %s", db_errmsg(esc.db));
	if (next != INT64_MAX)
		server_wake_at(srv, next);
	server_wake_at(srv, ts_now());  /* retries left by the last run */
	daemon_signals(escalation_on_signal);
	log_info("listening on %s, notifications on %s, escalations in %s/%s",
	    cfg->endpoints.escalation, cfg->endpoints.notifications, cfg->data_dir,
	    ESCALATION_DB_FILE);

	server_run(srv, &escalation_quit);

	escalation_notify_stop(&esc);
	escalation_link_close(&esc);
	escalation_retention_close(&esc);
	server_destroy(&srv);
	auth_destroy(&auth);
	zmq_close(esc.pub);
	zmq_ctx_term(zctx);
	db_close(&reader.db);
	db_close(&esc.db);
	tz_destroy(&esc.tz);
	cfg_destroy(&cfg);
	return 0;
}
