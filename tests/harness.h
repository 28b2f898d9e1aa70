/*
 * harness.h: scenario tests run the real daemons.
 *
 * harness_new() makes a temporary folder and writes a configuration into
 * it: config/trygg.yaml with the top-level blocks of the caller's YAML put
 * in place of the default ones, data_dir inside the folder, and ipc://
 * endpoints inside the folder. harness_start() runs a daemon from
 * $TRYGG_BIN (build/bin by default) and waits until it answers ping.
 * Everything is killed and removed by harness_destroy().
 *
 * Daemons get what harness_setenv() set (the fault shim's TRYGG_FAULT_*
 * variables, LD_PRELOAD through harness_preload_shim()) and, when nofile is
 * set, that RLIMIT_NOFILE; harness_run() runs one to its end, for the
 * start-ups that must be refused.
 */
#ifndef TRYGG_HARNESS_H
#define TRYGG_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <msgpack.h>

#include "pack.h"

typedef enum {
	H_INTAKE,
	H_ESCALATION,
	H_REPORTING,
	H_WEB,                          /* HTTP on web_url; ready when it answers /healthz */
	H_NDAEMONS
} harness_daemon_t;

#define HARNESS_ENV_MAX 16

typedef struct {
	char    dir[256];               /* the temporary folder */
	char    config[300];            /* its configuration file */
	char    endpoint[H_NDAEMONS][300];
	char    notifications[300];
	int     web_port;               /* trygg-web's port on 127.0.0.1 */
	char    web_url[64];            /* "http://127.0.0.1:PORT" */
	pid_t   pid[H_NDAEMONS];
	void   *zctx;
	msgpack_unpacked reply;         /* the last reply, valid until the next call */
	char   *reply_bytes;            /* what reply points into */
	bool    has_reply;
	char   *env[HARNESS_ENV_MAX];   /* "NAME=value" for the daemons it starts */
	long    nofile;                 /* RLIMIT_NOFILE for them; 0 leaves it */
	bool    keyed;                  /* harness_new_keyed: CurveZMQ everywhere */
	char    as[64];                 /* keyed: the key harness_call uses, "" none */
	int     start_ms;               /* how long a start may take; 0: 10 s (benches
	                                   with a file of gigabytes wait for its check) */
} harness_t;

/* override: YAML whose top-level keys replace the default's; may be NULL */
harness_t *harness_new(const char *override);
/*
 * The one harness a test program shares between its cases: made and d
 * started at the first call (exits the program if d cannot start),
 * destroyed at exit.
 */
harness_t *harness_shared(const char *override, harness_daemon_t d);
void harness_destroy(harness_t **self_p);
/*
 * The same with CurveZMQ keys (issue 10): a key pair for each daemon and
 * for each name of this roster, in <dir>/keys/NAME.key, and an "auth"
 * block that lists them:
 *
 *	harness       admin        the harness's own calls and the CLI
 *	web           admin        trygg-web (auth.web_key_file)
 *	anna, rita    reporter
 *	responder     responder    contact tib-1
 *	samordnare    coordinator  contact samordnare-ot1, team omradesteam-1
 *	other-daemon  daemon
 *	stranger      (not listed: an unknown key)
 *
 * harness_call uses the key h->as names ("harness" at first; "" for none).
 */
harness_t *harness_new_keyed(const char *override);
/* Keyed: makes sock (not yet connected) a CurveZMQ client to d with h->as's key. */
void harness_key_socket(harness_t *h, harness_daemon_t d, void *sock);
/* the public key (Z85) of a roster name or a daemon ("trygg-intake"); "" if unknown */
const char *harness_public_key(harness_t *h, const char *name);
/* Replaces every from with to in the configuration file (for the next starts); 0 or -1. */
int harness_rewrite(harness_t *h, const char *from, const char *to);
/* Starts a daemon and waits for it to answer ping; 0 or -1. */
int harness_start(harness_t *h, harness_daemon_t d);
/*
 * Sets (value non-NULL) or removes an environment variable for the daemons
 * started from now on, e.g. the fault shim's TRYGG_FAULT_* (tests/shim).
 */
void harness_setenv(harness_t *h, const char *name, const char *value);
/* The path of build's lib/faultsync.so, for LD_PRELOAD; NULL when missing. */
const char *harness_shim(void);
/* Preloads the shim into the daemons started from now on; 0, or -1 when it is not built. */
int harness_preload_shim(harness_t *h);
/*
 * Runs a daemon with extra arguments (NULL-terminated, e.g. "-n") to its
 * end, with the harness's environment; its output goes to *out (malloc'd,
 * may be NULL). Returns its exit status, or 128 + the signal, or -1 when it
 * still ran after 10 s (then it is killed).
 */
int harness_run(harness_t *h, harness_daemon_t d, const char *const *args, char **out);
/* Waits up to ms for a started daemon to end by itself; its exit status,
 * 128 + signal, or -1 when it still runs. */
int harness_wait(harness_t *h, harness_daemon_t d, int ms);
/* A daemon's log so far (malloc'd), "" when none. */
char *harness_log(harness_t *h, harness_daemon_t d);
/* Sends sig and waits for the daemon to end; returns its wait status. */
int harness_kill(harness_t *h, harness_daemon_t d, int sig);
/*
 * Sends one frame to a daemon on a fresh REQ socket and waits for the reply
 * (one attempt, 5 s). Returns the reply map, or NULL when none came.
 */
const msgpack_object *harness_call_raw(harness_t *h, harness_daemon_t d,
    const void *data, size_t len);
/* The same for a request built with pack (the map already closed). */
const msgpack_object *harness_call(harness_t *h, harness_daemon_t d, pack_t *req);
/* harness_call waiting only ms for the reply (for requests that must get none) */
const msgpack_object *harness_call_wait(harness_t *h, harness_daemon_t d, pack_t *req, int ms);
/* A request map opened with v and op, for the caller to fill and close. */
pack_t *harness_req(const char *op);
/* Milliseconds since t0, a CLOCK_MONOTONIC time. */
long harness_ms_since(const struct timespec *t0);
/* A file's whole contents (malloc'd); NULL when it cannot be read. */
char *harness_read(const char *path);
/* A file's whole contents (malloc'd); "" when it cannot be read, never NULL. */
char *harness_slurp(const char *path);
/* Runs the trygg CLI with the harness's config; captures stdout+stderr into
 * out (malloc'd) and returns the exit status. args is a NULL-terminated list. */
int harness_cli(harness_t *h, char **out, const char *const *args);
/*
 * Starts trygg -c h's config args... (NULL-terminated) with stdout to
 * out_fd and stderr to the file err_path; its pid, or -1.
 */
pid_t harness_cli_spawn(harness_t *h, const char *const *args, int out_fd,
    const char *err_path);
/*
 * Waits for a process, killed when it outlives ms: its exit status (128 +
 * the signal when a signal ended it), or -1 when it cannot be waited for.
 */
int harness_cli_wait(pid_t pid, int ms);
/*
 * In a child about to run the client on its own: the caller's variables
 * that would point it at a configuration, endpoints or a zone removed
 * (TRYGG_CONFIG, TRYGG_INTAKE, TRYGG_ESCALATION, TRYGG_NOTIFICATIONS,
 * TRYGG_REPORTING, TRYGG_TIMEZONE), then env's "NAME=value" put
 * (NULL-terminated; may be NULL).
 */
void harness_cli_env(const char *const *env);

/* An HTTP answer read by harness_http. */
typedef struct {
	int     status;                 /* 0 when no answer came */
	char   *head;                   /* the status line and headers, NUL-terminated */
	char   *body;                   /* NUL-terminated; body_len bytes */
	size_t  body_len;
} harness_http_t;

/*
 * One HTTP/1.1 request to trygg-web over a plain socket (Connection:
 * close), waiting at most 10 s. headers: extra header lines, each ending in
 * "\r\n", or NULL. Returns the status, 0 when none came.
 */
int harness_http(harness_t *h, const char *method, const char *path,
    const char *headers, const char *body, size_t body_len, harness_http_t *out);
void harness_http_free(harness_http_t *r);
/* the value of a response header (case-insensitive name) as a static copy, "" when absent */
const char *harness_http_header(const harness_http_t *r, const char *name);

/* helpers to read replies */
const msgpack_object *h_get(const msgpack_object *map, const char *key);
/* a string value as a NUL-terminated copy in a static ring; "" when absent */
const char *h_str(const msgpack_object *map, const char *key);
long long h_int(const msgpack_object *map, const char *key);
bool h_bool(const msgpack_object *map, const char *key);
/* true when the reply has "ok": true */
bool h_ok(const msgpack_object *reply);
/* the error code of a reply, "" when ok */
const char *h_code(const msgpack_object *reply);

#endif
