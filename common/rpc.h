/*
 * rpc.h: ZeroMQ request-reply for trygg's daemons and clients.
 *
 * Server side: one ROUTER socket. rpc_server_recv() takes one waiting
 * request without blocking, keeping its routing envelope so that the reply
 * can be sent later: a daemon may drain every waiting request, commit them
 * in one transaction, then answer them all (group commit). Frames larger
 * than WIRE_MAX_FRAME are flagged too_large, never parsed.
 *
 * Client side: a REQ socket with a receive timeout; when no reply comes it
 * closes the socket, opens a new one and sends again, a few times (the
 * zguide's Lazy Pirate). Only idempotent requests may be retried: submit is
 * by its id, update by its update_id, the rest only read.
 */
#ifndef TRYGG_RPC_H
#define TRYGG_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include <zmq.h>

#include "msg.h"
#include "pack.h"

#define RPC_ENVELOPE_MAX  8             /* routing frames kept per request */
#define RPC_TIMEOUT_MS    3000          /* client: wait per attempt */
#define RPC_RETRIES       3             /* client: attempts in all */
#define RPC_CLOSE_LINGER_MS 1000        /* server: time for the last replies at close */
/*
 * Server: frames queued for one peer that does not read, at most (a reply
 * is three frames: identity, delimiter, body); past it the ROUTER drops
 * that peer's replies and its client times out and resends. 256 replies:
 * room for a pipelining client's window, and with list and get pages of
 * about 48 KiB, about 12 MiB that one peer that never reads can pin.
 */
#define RPC_SNDHWM        (3 * 256)
#define RPC_RCVHWM        256           /* server: requests queued per peer */
#define RPC_USER_ID_MAX   72            /* the peer's ZAP User-Id, with its NUL */

/*
 * Readies a fresh socket before it binds or connects (security options,
 * for one); 0, or -1 with err filled, and the socket is not used.
 */
typedef int (*rpc_prepare_fn)(void *arg, void *sock, const char *endpoint,
    char *err, size_t errlen);

typedef struct rpc_server rpc_server_t;

#define RPC_ENVELOPE_INLINE 64         /* envelope bytes kept in the request itself */

/*
 * One request, taken without an allocation when its envelope fits in
 * RPC_ENVELOPE_INLINE bytes (a ROUTER's identity is 5): the body stays in
 * the ZeroMQ message it came in, held here. body and frames may point into
 * the struct: a request is never copied, only released.
 */
typedef struct {
	void   *frames[RPC_ENVELOPE_MAX];   /* routing envelope, incl. empty delimiter */
	size_t  lens[RPC_ENVELOPE_MAX];
	int     nframes;
	char   *body;                       /* the request frame, in body_msg */
	size_t  len;
	bool    too_large;                  /* body dropped: over WIRE_MAX_FRAME */
	bool    malformed;                  /* not one body frame after the envelope */
	char    user_id[RPC_USER_ID_MAX];   /* the ZAP handler's name for the peer;
	                                       "" without authentication */
	bool    held;                       /* body_msg holds the body */
	bool    frames_own;                 /* frames[] were allocated, not in envelope */
	zmq_msg_t body_msg;
	unsigned char envelope[RPC_ENVELOPE_INLINE];
} rpc_request_t;

/* Binds a ROUTER socket on endpoint; NULL with err filled on failure. */
rpc_server_t *rpc_server_new(void *zctx, const char *endpoint, char *err, size_t errlen);
/* The same, with prepare (may be NULL) called on the socket before it binds. */
rpc_server_t *rpc_server_new_with(void *zctx, const char *endpoint, rpc_prepare_fn prepare,
    void *arg, char *err, size_t errlen);
void rpc_server_destroy(rpc_server_t **self_p);
/* the ZeroMQ socket, for zmq_poll */
void *rpc_server_socket(rpc_server_t *s);
/* Takes one waiting request: 1 taken, 0 none waiting, -1 error. */
int rpc_server_recv(rpc_server_t *s, rpc_request_t *req);
/* Sends data to the request's sender; 0 or -1. Does not release req. */
int rpc_server_reply(rpc_server_t *s, const rpc_request_t *req, const void *data, size_t len);
void rpc_request_release(rpc_request_t *req);

/*
 * The handler of a simple server: it answers one parsed request whose header
 * is valid by writing a whole reply into reply (pack_reply_ok ... close, or
 * pack_reply_error).
 */
typedef void (*rpc_handler_fn)(void *ctx, const msg_t *m, const char *op,
    size_t op_len, pack_t *reply);

/*
 * Answers every waiting request: oversized, unparsable and bad-header
 * requests and "ping" (with service) are answered here; the rest by fn.
 * Returns the number answered, -1 on a socket error.
 */
int rpc_server_drain(rpc_server_t *s, const char *service, rpc_handler_fn fn, void *ctx);
/*
 * The first steps of every request, for servers that drain by hand: parses
 * req, checks the header and answers ping. Returns the msg_t to handle
 * (caller destroys; *op set), or NULL when the request is already answered
 * into reply (the caller sends it).
 */
msg_t *rpc_server_prepare(const rpc_request_t *req, const char *service,
    const char **op, size_t *op_len, pack_t *reply);
/*
 * The same into m (msg_new), reusing its memory: 0 when m is the request to
 * handle, -1 when it is already answered into reply. m's strings point
 * into req's body.
 */
int rpc_server_prepare_into(const rpc_request_t *req, const char *service, msg_t *m,
    const char **op, size_t *op_len, pack_t *reply);

/*
 * Answers unknown_op, naming what the service knows: ping, then the
 * operations of its table, an array of n structs of stride bytes whose
 * first member is the operation's name (const char *).
 */
void rpc_reply_unknown_op(pack_t *reply, const msg_t *m, const char *service,
    const char *op, size_t op_len, const void *table, size_t n, size_t stride);

typedef struct rpc_client rpc_client_t;

rpc_client_t *rpc_client_new(void *zctx, const char *endpoint, int timeout_ms, int attempts);
void rpc_client_destroy(rpc_client_t **self_p);
/*
 * Calls prepare(arg, sock, ...) on every socket the client opens, before it
 * connects; arg must outlive the client. A socket it fails is not used.
 */
void rpc_client_prepare(rpc_client_t *c, rpc_prepare_fn prepare, void *arg);
/*
 * Sends a request and waits for its reply, retrying as above. Returns 0 with
 * the reply in *reply (malloc'd, the caller frees), or -1 with err filled.
 */
int rpc_client_call(rpc_client_t *c, const void *req, size_t len,
    char **reply, size_t *reply_len, char *err, size_t errlen);
/*
 * After a failed call: true when waiting longer cannot help, because the
 * daemon refused this client's key or the client's own key could not be
 * loaded (err said which); false for a daemon that did not answer.
 */
bool rpc_client_refused(const rpc_client_t *c);

#endif
