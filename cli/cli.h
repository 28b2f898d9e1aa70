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
#include <stddef.h>
#include <stdio.h>

#include <msgpack.h>

#include "buf.h"
#include "cfg.h"
#include "pack.h"
#include "tz.h"

typedef struct {
	const char *cfg_path;
	bool        cfg_given;  /* -c was given (the path is worth repeating) */
	cfg_t      *cfg;        /* NULL for commands that load their own */
	bool        json;       /* --json: print replies as JSON */
	void       *zctx;
	tz_t       *tz;         /* the configured zone, opened by cli_local_time */
} cli_t;

/*
 * Sends the request in req to endpoint and waits for the reply. On "ok":
 * true returns 0 with *reply unpacked (the caller calls
 * msgpack_unpacked_destroy). Otherwise prints the error on stderr and
 * returns the exit status.
 */
int cli_call(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply);
/*
 * The same with its own wait per attempt and number of attempts. With
 * errbuf, nothing is printed: a failure's text ("code: message", or why no
 * reply came) goes into errbuf instead.
 */
int cli_call_with(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply,
    int timeout_ms, int attempts, char *errbuf, size_t errlen);
/* Prints a reply map as JSON on stdout (for --json). */
void cli_print_json(const msgpack_object *o);
/* the value under key in a map, or NULL */
const msgpack_object *cli_get(const msgpack_object *map, const char *key);
/*
 * cli_text.c: a string value of a reply as it may be printed on a terminal,
 * control and bidi characters escaped; "-" when o is absent or no string.
 * The result lives until the eighth call after. cli_text_lines() keeps line
 * breaks, each followed by indent.
 */
const char *cli_text_str(const msgpack_object *o);
const char *cli_text_lines(const msgpack_object *o, const char *indent);
/* Appends s[0..len) escaped like that to out (indent may be NULL). */
void cli_text_escape(buf_t *out, const char *s, size_t len, const char *indent);
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
/* cmd_escalation.c */
int cmd_escalations(cli_t *cli, int argc, char **argv);
int cmd_ack(cli_t *cli, int argc, char **argv);
int cmd_resolve(cli_t *cli, int argc, char **argv);
int cmd_watch(cli_t *cli, int argc, char **argv);       /* cmd_watch.c */
int cmd_status(cli_t *cli, int argc, char **argv);      /* cmd_status.c */
int cmd_ping(cli_t *cli, int argc, char **argv);        /* ping [DAEMON] */
int cmd_audit(cli_t *cli, int argc, char **argv);       /* cmd_audit.c: audit verify */
int cmd_keygen(cli_t *cli, int argc, char **argv);      /* keygen [--out FILE] */
/* cli_auth.c: rpc_prepare_fn making a socket a CurveZMQ client when keys are configured */
int cli_auth_prepare(void *arg, void *sock, const char *endpoint, char *err, size_t errlen);
/*
 * An incident's escalations beside it, for get and submit. reply is
 * intake's reply holding "incident". With --json it prints reply with
 * "escalations" (or "escalation_error") added; otherwise it prints the
 * escalations after the incident's own text. wait (submit): asks for a
 * short while until the escalation exists, and else says it is queued and
 * who is on call now.
 */
void cli_incident_escalations(cli_t *cli, const msgpack_object *reply, bool wait);

/* ---- cli_text.c: what the commands print for people ---- */

#define CLI_TIME_MAX 64         /* room for what cli_local_time writes */

/* A request map opened with v and op, for the caller to fill and close. */
pack_t *cli_op_new(const char *op);
/* an integer value, or -1 when absent */
long long cli_int(const msgpack_object *map, const char *key);
/* true when o is the string s */
bool cli_is(const msgpack_object *o, const char *s);
/*
 * Writes text from the data so that it is safe to paste: control
 * characters (C0, DEL, C1) as \xNN, the rest as it is; "-" for a value
 * that is not a string.
 */
void cli_put(FILE *f, const msgpack_object *o);
/* the width in characters of what cli_put writes */
size_t cli_put_width(const msgpack_object *o);
/*
 * Writes an RFC 3339 value as local time in the configured zone
 * ("2026-12-01 03:12 CET"); the value itself when it is not a time.
 */
const char *cli_local_time(cli_t *cli, const msgpack_object *o, char out[CLI_TIME_MAX]);
/* The same, only "HH:MM ABBR" when on the same local day as ref (NULL: now). */
const char *cli_short_time(cli_t *cli, const msgpack_object *o, const msgpack_object *ref,
    char out[CLI_TIME_MAX]);
/* Prints what p holds (one msgpack object) as JSON. */
void cli_print_packed(pack_t *p);
/* a contact map {id, name} as "Name (id)" on stdout */
void cli_put_contact(const msgpack_object *contact);
/* a contact id as "Name (id)", the name from the configuration */
void cli_put_contact_id(cli_t *cli, const msgpack_object *id);

#endif
