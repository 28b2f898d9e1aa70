/*
 * cli.h: what the trygg command's subcommands share.
 *
 * main.c parses the global options (-c CONFIG, --json anywhere), loads the
 * configuration and dispatches to a cmd_*() function with the arguments
 * after the command's name (argv[0] is the command's name). A command
 * returns the process exit status: 0, or 1 for an error reply, 64 for a
 * usage error (also a field the daemon refused as invalid_field), 66 when
 * the configuration file is not found, 69 when a daemon cannot be reached,
 * 70 for an internal error, 74 for a file that cannot be written, 78 for a
 * bad configuration. With --json every answer, errors too, is one JSON
 * object on stdout with "ok" (errors: "error": {code, message}); the
 * message of an error goes to stderr as well.
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
#include "ts.h"
#include "tz.h"

#ifndef CLI_CONFIG_DEFAULT
#define CLI_CONFIG_DEFAULT "/etc/trygg/trygg.yaml"     /* the Makefile sets SYSCONFDIR/trygg/... */
#endif
#define CLI_TIMEOUT_MS 10000    /* --timeout: the wait for a running daemon's answer */
#define CLI_SLOW_NOTE_MS 2000   /* ... after which stderr says it is still waiting */
#define CLI_PROBE_MS   1000     /* cli_probe: the wait for a TCP connection */
#define CLI_RETRY_MIN_MS 200    /* less of --timeout left than this: no more attempts */
#define EXIT_NOINPUT   66       /* EX_NOINPUT: the configuration file is not there */

typedef struct {
	const char *cfg_path;
	bool        cfg_given;  /* -c or TRYGG_CONFIG named it (worth repeating) */
	cfg_t      *cfg;        /* NULL for commands that load their own; for the
	                           others never NULL (see cli_config.c) */
	bool        cfg_partial;    /* cfg holds only endpoints and timezone */
	bool        cfg_missing;    /* ... because the file was not found */
	int         timeout_ms; /* --timeout */
	bool        timeout_given;
	bool        sent;       /* the last cli_call reached a listening daemon */
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
 * cli_probe.c: 0 when something listens on endpoint (or it cannot tell:
 * a slow network), -1 with err ("ENDPOINT: no such socket file",
 * "...: Connection refused") when nothing does.
 */
int cli_probe(const char *endpoint, int timeout_ms, char *err, size_t errlen);
/*
 * The same with its own wait per attempt and number of attempts (0
 * attempts: timeout_ms in all, with a note on stderr after
 * CLI_SLOW_NOTE_MS, as cli_call does). With
 * errbuf, nothing is printed: a failure's text ("code: message", or why no
 * reply came) goes into errbuf instead.
 */
int cli_call_with(cli_t *cli, const char *endpoint, pack_t *req, msgpack_unpacked *reply,
    int timeout_ms, int attempts, char *errbuf, size_t errlen);
/* cli_help.c: a command's help text (what it does, options, an example); NULL if none */
const char *cli_help_text(const char *name);
/* the service behind an endpoint of the configuration ("trygg-intake") */
const char *cli_service(cli_t *cli, const char *endpoint);
/*
 * cli_config.c: loads cli->cfg for a command that talks to the daemons:
 * the file, then the environment, then --endpoint NAME=URL. optional: a
 * file that is not there is no error (version). 0, or the exit status.
 */
int cli_config_load(cli_t *cli, const char *const *endpoints, int nendpoints, bool optional);
/* 0 when the whole configuration was loaded; else says what needs it, and the exit status */
int cli_config_need(cli_t *cli, const char *what);

/*
 * The configuration to read when neither -c nor $TRYGG_CONFIG names one:
 * CLI_CONFIG_DEFAULT when it exists; else, for a binary not installed,
 * running from ROOT/build/bin or ROOT/build/san/bin, ROOT/config/trygg.yaml
 * when that exists (as git's RUNTIME_PREFIX finds its files beside the
 * binary); else CLI_CONFIG_DEFAULT, which is then "not found".
 */
const char *cli_config_default(void);
/*
 * Prints "trygg: message" on stderr and, with --json, {"ok": false,
 * "error": {code, message, exit}} on stdout; returns status.
 */
int cli_fail(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
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
/* what to do about a key service refused at endpoint, into out ("" when unknown) */
void cli_auth_refused_hint(cli_t *cli, const char *endpoint, const char *service, char *out,
    size_t len);
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
/* a boolean value; false when absent or not a boolean */
bool cli_bool(const msgpack_object *map, const char *key);
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
/*
 * Reads a time as people type it, in the configured zone: RFC 3339 (its
 * own offset), "2026-12-02 10:00", "2026-12-02T10:00" (seconds allowed),
 * or a date alone: that day's start, or with day_end the next day's. 0 or -1.
 */
int cli_parse_time(cli_t *cli, const char *s, bool day_end, int64_t *ms);
/* The same for an option's value, as RFC 3339 into out; 0, or a usage error's status. */
int cli_time_option(cli_t *cli, const char *option, const char *s, bool day_end,
    char out[TS_RFC3339_MAX]);
/* Prints what p holds (one msgpack object) as JSON. */
void cli_print_packed(pack_t *p);
/* a contact map {id, name} as "Name (id)" on stdout */
void cli_put_contact(const msgpack_object *contact);
/* a contact id as "Name (id)", the name from the configuration */
void cli_put_contact_id(cli_t *cli, const msgpack_object *id);

#endif
