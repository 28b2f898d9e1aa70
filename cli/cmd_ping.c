/*
 * cmd_ping.c: trygg ping [intake|escalation|reporting]: asks a daemon
 * whether it answers. make run (tests/run-daemons.sh) waits on it before
 * it says "running", and an operator can check a daemon the same way.
 */
#include "cli.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

int
cmd_ping(cli_t *cli, int argc, char **argv)
{
	const char *service = argc > 1 ? argv[1] : "intake", *endpoint;
	msgpack_unpacked reply;
	pack_t *req;
	int rc;

	if (argc > 2)
		return cli_usage("usage: trygg ping [intake|escalation|reporting]");
	if (strcmp(service, "intake") == 0)
		endpoint = cli->cfg->endpoints.intake;
	else if (strcmp(service, "escalation") == 0)
		endpoint = cli->cfg->endpoints.escalation;
	else if (strcmp(service, "reporting") == 0)
		endpoint = cli->cfg->endpoints.reporting;
	else
		return cli_usage("ping: unknown daemon '%s' (intake, escalation or reporting)",
		    service);
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
