/*
 * daemon.h: the start-up steps every trygg daemon's main.c shares.
 *
 * Program support, like log.h's fatal(): these print and exit, so only a
 * program's main() calls them, never library code.
 *
 *	daemon_args_t a;
 *	daemon_start(argc, argv, "trygg-intake", &a);  // -c FILE -n -v, config,
 *	                                                // umask, descriptors, lock
 *	... checks of its own; if (a.check_only) print "configuration OK" ...
 *	zctx = daemon_zmq_ctx();                        // sized to the descriptors
 *	daemon_signals(on_signal);                      // SIGTERM, SIGINT
 */
#ifndef TRYGG_DAEMON_H
#define TRYGG_DAEMON_H

#include <stdbool.h>

#include "cfg.h"

typedef struct {
	const char *cfg_path;   /* -c FILE, default CFG_DEFAULT_PATH */
	bool        check_only; /* -n: check the configuration and exit */
	int         verbose;    /* -v, may be repeated */
	cfg_t      *cfg;        /* loaded and checked; the caller destroys it */
} daemon_args_t;

/*
 * Parses "-c FILE -n -v", starts logging as service and loads the
 * configuration. Exits 64 on a usage error and 78, after printing every
 * error, on a bad configuration. Unless -n: sets umask 027, raises the
 * soft limit on descriptors to the hard one (logging the capacity), creates
 * data_dir and locks <data_dir>/<service>.lock; exits 69 when another
 * instance holds the lock, 74 when the directory or lock cannot be made.
 */
void daemon_start(int argc, char **argv, const char *service, daemon_args_t *out);
/* A ZeroMQ context whose socket limit follows the descriptor limit. */
void *daemon_zmq_ctx(void);
/* Calls handler on SIGTERM and SIGINT (interrupting system calls); ignores SIGPIPE. */
void daemon_signals(void (*handler)(int));

#endif
