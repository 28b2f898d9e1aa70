/*
 * web.h: trygg-web, the HTTP gateway for phones: the report form, the ack
 * links of the text messages, a JSON API for other municipal systems, and
 * /healthz. It keeps no database; everything it shows or changes goes over
 * the ZeroMQ contract to trygg-intake and trygg-escalation.
 *
 * Files:
 *   main.c        options, configuration, the libmicrohttpd daemon, signals
 *   web_http.c    one request: body limits, identity, routing, headers
 *   web_html.c    HTML escaping and the page chrome (head, CSS, footers)
 *   web_form.c    GET / and POST /incidents: the report form
 *   web_pages.c   GET /incidents/NUMBER and the ack pages
 *   web_api.c     POST /api/v1/incidents (JSON) and GET /healthz
 *   web_rpc.c     the ZeroMQ clients, one per server thread
 *   web_csrf.c    the CSRF tokens: an HMAC of what a form is for
 */
#ifndef TRYGG_WEB_H
#define TRYGG_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "buf.h"
#include "cfg.h"
#include "pack.h"
#include "tz.h"

#define WEB_SERVICE        "trygg-web"

/*
 * Limits. A request body is at most 64 KiB (WIRE_MAX_FRAME: what intake
 * takes in one frame; a form of every field at its maximum is about
 * 40 KiB); more is 413. Headers fit in the connection's memory pool
 * (libmicrohttpd answers 431 past it). Connections beyond the limit are
 * refused at accept.
 */
#define WEB_BODY_MAX        (64 * 1024)
#define WEB_CONN_MEMORY     (32 * 1024)     /* per connection: headers and buffers */
#define WEB_CONN_LIMIT      256             /* open connections at once */
#define WEB_CONN_TIMEOUT_S  30              /* an idle or slow connection is closed */
#define WEB_THREADS         4               /* server threads, each its own ZeroMQ clients */
/*
 * The gateway waits for a daemon at most WEB_RPC_TIMEOUT_MS per attempt,
 * WEB_RPC_ATTEMPTS attempts (3 s in all), then shows "försök igen":
 * a phone user would give up long before the CLI's 15 s.
 */
#define WEB_RPC_TIMEOUT_MS  1500
#define WEB_RPC_ATTEMPTS    2
#define WEB_PING_TIMEOUT_MS 1000            /* /healthz: one attempt each */

#define WEB_KEY_PREFIX      "web-"          /* one-time keys: "web-" + a token */

typedef enum { WEB_INTAKE, WEB_ESCALATION, WEB_NDAEMONS } web_daemon_t;

typedef struct {
	const cfg_t *cfg;
	tz_t        *tz;
	void        *zctx;
	unsigned char csrf_key[32];     /* crypto_auth key, new at every start */
	char        *base_url;          /* links it makes: web.base_url or the listen URL, no '/' at the end */
	int          verbose;
} web_t;

/* ---- web_http.c */
typedef struct web_req web_req_t;

/* The answer being built for one request. */
typedef struct {
	int         status;
	const char *content_type;       /* static string */
	buf_t       body;
	char        location[512];      /* for 303, "" when none */
	bool        retry_after;        /* 503: add Retry-After */
} web_resp_t;

/* who the trusted proxy says this is, or NULL */
const char *web_req_user(const web_req_t *r);
/* the request's Content-Type, or NULL */
const char *web_req_content_type(const web_req_t *r);
/* the raw body received and its length */
const char *web_req_body(const web_req_t *r, size_t *len);

/* ---- web_html.c */
/* Appends s[0..len) with & < > " ' escaped. */
void web_html_escn(buf_t *b, const char *s, size_t len);
void web_html_esc(buf_t *b, const char *s);
/* Appends the page's head and opening of its main element. */
void web_html_open(buf_t *b, const char *title);
void web_html_close(buf_t *b);
/* A whole small page: title, a heading and one paragraph of text. */
void web_html_message(web_resp_t *resp, int status, const char *title, const char *text);
/* the stylesheet served at /static/trygg.css */
extern const char web_css[];

/* ---- web_rpc.c */
/* The reply of one call, decoded. */
typedef struct {
	msgpack_unpacked u;
	char            *bytes;
	const msgpack_object *root;     /* the reply map */
	bool             ok;            /* "ok": true */
	char             code[32];      /* error code when !ok */
	char             field[64];     /* error field, "" when none */
	char             message[256];
} web_reply_t;

/* closes every thread's sockets; after the server threads have stopped */
void web_rpc_fini(void);
/* With keys (auth): trygg-web's key pair is readable and private; 0 or -1 with err. */
int web_rpc_keys_check(web_t *w, char *err, size_t errlen);
/*
 * Sends a request built with pack (map closed) to d and decodes the reply.
 * Returns 0 (see reply->ok), or -1 when the daemon did not answer in time
 * or the reply could not be read. The caller always calls web_reply_free.
 */
int web_rpc_call(web_t *w, web_daemon_t d, pack_t *req, web_reply_t *reply);
/* ping with WEB_PING_TIMEOUT_MS, one attempt: true when it answered */
bool web_rpc_ping(web_t *w, web_daemon_t d);
void web_reply_free(web_reply_t *reply);
/* a request map opened with v and op */
pack_t *web_rpc_req(const char *op);
/* a string value of a map as a NUL-terminated copy into out ("" when absent) */
const char *web_str(const msgpack_object *map, const char *key, char *out, size_t len);
int64_t web_int(const msgpack_object *map, const char *key, int64_t dflt);
bool web_bool(const msgpack_object *map, const char *key);

/* ---- web_csrf.c */
#define WEB_CSRF_LEN 43                 /* characters of a CSRF token */
/* The token for a form: an HMAC of purpose, subject and user (may be NULL). */
void web_csrf_make(const web_t *w, const char *purpose, const char *subject,
    const char *user, char out[WEB_CSRF_LEN + 1]);
bool web_csrf_check(const web_t *w, const char *purpose, const char *subject,
    const char *user, const char *token);

/* ---- the handlers; each fills resp */
void web_form_get(web_t *w, const web_req_t *r, web_resp_t *resp);
void web_form_post(web_t *w, const web_req_t *r, web_resp_t *resp);
void web_incident_get(web_t *w, const web_req_t *r, const char *number, web_resp_t *resp);
void web_ack_get(web_t *w, const web_req_t *r, const char *token, web_resp_t *resp);
void web_ack_post(web_t *w, const web_req_t *r, const char *token, web_resp_t *resp);
void web_api_submit(web_t *w, const web_req_t *r, web_resp_t *resp);
void web_healthz(web_t *w, const web_req_t *r, web_resp_t *resp);
/* A JSON error {"error": {"code", "message", "field"?}}. */
void web_api_error(web_resp_t *resp, int status, const char *code,
    const char *message, const char *field);
/* the HTTP status for a wire error code */
int web_status_of(const char *code);

/* ---- web_form.c, shared with the API */
/* The form's fields decoded from application/x-www-form-urlencoded. */
typedef struct {
	char  *name;
	char  *value;
} web_field_t;

typedef struct {
	web_field_t *v;
	size_t       n;
} web_fields_t;

/* Parses a urlencoded body; CRLF becomes LF. -1 when malformed. */
int web_fields_parse(const char *s, size_t len, web_fields_t *out);
void web_fields_free(web_fields_t *f);
/* the first value of name, or NULL */
const char *web_fields_get(const web_fields_t *f, const char *name);

/* "YYYY-MM-DDTHH:MM" now in the configured zone */
void web_local_now(const web_t *w, char out[32]);
/* Appends a wire time (RFC 3339, UTC) as local "YYYY-MM-DD HH:MM", escaped. */
void web_html_time(buf_t *b, const web_t *w, const char *rfc3339);

#endif
