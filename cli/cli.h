/*
 * cli.h: what the trygg command's subcommands share.
 *
 * main.c parses the global options (-c CONFIG, --json anywhere), loads the
 * configuration and dispatches to a cmd_*() function with the arguments
 * after the command's name (argv[0] is the command's name). A command
 * returns the process exit status: 0, or 1 for an error reply, 64 for a
 * usage error, 69 when a daemon cannot be reached, 78 for a bad configuration.
 */
#ifndef TRYGG_CLI_H
#define TRYGG_CLI_H

#include <stdbool.h>

#include <msgpack.h>

#include "cfg.h"
#include "pack.h"

typedef struct {
	const char *cfg_path;
	cfg_t      *cfg;        /* NULL for commands that load their own */
	bool        json;       /* --json: print replies as JSON */
	void       *zctx;
} cli_t;

/*
 * Sends the request in req to endpoint and waits for the reply. On "ok":
 * true returns 0 with *reply unpacked (the caller calls
 * msgpack_unpacked_destroy). Otherwise prints the error on stderr and
 * returns the exit status.
 */
int cli_call(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply);
/* Prints a reply map as JSON on stdout (for --json). */
void cli_print_json(const msgpack_object *o);
/* the value under key in a map, or NULL */
const msgpack_object *cli_get(const msgpack_object *map, const char *key);
/* Prints "trygg: message" on stderr and returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_submit(cli_t *cli, int argc, char **argv);
int cmd_get(cli_t *cli, int argc, char **argv);
int cmd_list(cli_t *cli, int argc, char **argv);
int cmd_update(cli_t *cli, int argc, char **argv);
int cmd_config(cli_t *cli, int argc, char **argv);      /* config check */
int cmd_calendar(cli_t *cli, int argc, char **argv);    /* calendar holidays */
int cmd_oncall(cli_t *cli, int argc, char **argv);
int cmd_rota(cli_t *cli, int argc, char **argv);
int cmd_ping(cli_t *cli, int argc, char **argv);        /* ping [DAEMON] */

#endif
