/*
 * daemon.c: options, logging, configuration and signals for the daemons.
 */
#include "daemon.h"
#include "buf.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
daemon_usage(const char *service)
{
	fprintf(stderr, "usage: %s [-nv] [-c config]\n", service);
	exit(EXIT_USAGE);
}

void
daemon_start(int argc, char **argv, const char *service, daemon_args_t *out)
{
	buf_t errors = BUF_INIT;
	int ch;

	memset(out, 0, sizeof(*out));
	out->cfg_path = CFG_DEFAULT_PATH;
	while ((ch = getopt(argc, argv, "c:nv")) != -1) {
		switch (ch) {
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
