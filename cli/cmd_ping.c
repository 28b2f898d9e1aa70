/*
 * cmd_ping.c: trygg ping [--wait] [intake|escalation|reporting]: asks a
 * daemon whether it answers. With --wait, a daemon that is not listening
 * yet is waited for, up to --timeout: make run (tests/run-daemons.sh)
 * waits on it before it says "running", and an operator can check a
 * daemon the same way.
 */
#include "cli.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PING_WAIT_POLL_MS 100   /* --wait: how often to look again */

/* Waits until something listens on endpoint, up to ms; 0 or -1. */
static int
ping_wait(const char *endpoint, int ms)
{
	struct timespec t0, t, nap = {0, PING_WAIT_POLL_MS * 1000000L};
	char err[512];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (cli_probe(endpoint, CLI_PROBE_MS, err, sizeof(err)) == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			return -1;
		while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
			;
		nap.tv_nsec = PING_WAIT_POLL_MS * 1000000L;
	}
}

int
cmd_ping(cli_t *cli, int argc, char **argv)
{
	const char *service = "intake", *endpoint;
	msgpack_unpacked reply;
	bool wait = false;
	pack_t *req;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--wait") == 0) {
		wait = true;
		argc--;
		argv++;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cli_usage("usage: trygg ping [--wait] [intake|escalation|reporting]");
	if (argc == 2)
		service = argv[1];
	if (strcmp(service, "intake") == 0)
		endpoint = cli->cfg->endpoints.intake;
	else if (strcmp(service, "escalation") == 0)
		endpoint = cli->cfg->endpoints.escalation;
	else if (strcmp(service, "reporting") == 0)
		endpoint = cli->cfg->endpoints.reporting;
	else
		return cli_usage("ping: unknown daemon '%s' (intake, escalation or reporting)",
		    service);
	if (wait && endpoint[0] != '\0')
		ping_wait(endpoint, cli->timeout_ms);
	req = pack_new();
	pack_map_open(req);
	pack_kv_int(req, "v", WIRE_VERSION);
	pack_kv_str(req, "op", "ping");
	pack_map_close(req);
	rc = cli_call(cli, endpoint, req, &reply);
	pack_destroy(&req);
	if (rc != 0)
		return rc;
	if (cli->json)
		cli_print_json(&reply.data);
	else
		printf("%s answers on %s\n", service, endpoint);
	msgpack_unpacked_destroy(&reply);
	return 0;
}
