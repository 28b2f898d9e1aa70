/*
 * auth.h: who may talk to a trygg daemon (issue 10): CurveZMQ keys, the
 * ZAP handler that admits them, and the roles that decide which
 * operations each key may call.
 *
 * Every daemon has a key pair; every client key is listed in the
 * configuration (auth.clients) with a name and a role, and where it
 * applies a contact id and a team. A daemon's sockets are CurveZMQ
 * servers: a peer without a key, or with a key that is not listed, fails
 * the handshake and gets nothing at all. A listed key's name comes with
 * each of its frames as ZeroMQ's "User-Id" property; the server skeleton
 * (server.c) turns it into the request's principal with auth_principal()
 * and refuses an operation whose roles do not include the principal's
 * with the wire error "unauthorized".
 *
 * The ZAP handler (RFC 27, zmq_zap) is a REP socket on
 * inproc://zeromq.zap.01 in the daemon's context, answered on a thread of
 * its own from a table that never changes after auth_new(): libzmq asks it
 * for every handshake on every socket of that context, the durable links'
 * receivers and the notifications PUB included.
 *
 * Without keys (no "auth" in the configuration) nothing changes: plain
 * sockets, every request from PRINCIPAL_LOCAL, an admin. A daemon then
 * refuses to bind anything but loopback, ipc:// and inproc:// endpoints.
 *
 * Key files, as trygg keygen writes them: the secret file (mode 0600)
 *
 *	# trygg CurveZMQ key pair: keep this file private
 *	public_key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
 *	secret_key: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
 *
 * and the public file (0644), its first two lines, to copy into the
 * configuration.
 */
#ifndef TRYGG_AUTH_H
#define TRYGG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "msg.h"
#include "pack.h"
#include "principal.h"

#define AUTH_Z85_LEN        40          /* a key in Z85 text */
#define AUTH_KEY_BYTES      32          /* a key in binary */
#define AUTH_KEY_FILE_MAX   4096        /* a longer key file is surely not one */
#define AUTH_ZAP_ENDPOINT   "inproc://zeromq.zap.01"
#define AUTH_ZAP_FRAMES_MAX 10          /* frames of a ZAP request read, at most */
#define AUTH_NAME_MAX       72          /* a key's name (a cfg id, 64 bytes) and its NUL */
/* ZAP domains: which socket a handshake is for */
#define AUTH_DOMAIN_RPC     "trygg"
#define AUTH_DOMAIN_NOTIFY  "trygg-notifications"
/* who may subscribe to the notifications PUB: the people who act on them */
#define AUTH_NOTIFY_ROLES   (ROLE_RESPONDER | ROLE_COORDINATOR | ROLE_ADMIN)
#define AUTH_ALL_ROLES      (ROLE_REPORTER | ROLE_RESPONDER | ROLE_COORDINATOR | \
                             ROLE_ADMIN | ROLE_DAEMON)

typedef struct {
	char public_key[AUTH_Z85_LEN + 1];
	char secret_key[AUTH_Z85_LEN + 1];
} auth_keypair_t;

/* A fresh key pair; 0 or -1 with err filled. */
int auth_keypair_new(auth_keypair_t *kp, char *err, size_t errlen);
/*
 * Reads a secret key file. With must_be_private, a file that its group or
 * others may read is refused. The public key is derived from the secret
 * one and must match the file's when it gives one. 0 or -1 with err.
 */
int auth_keypair_read(const char *path, bool must_be_private, auth_keypair_t *kp,
    char *err, size_t errlen);
/*
 * Writes kp to path (mode 0600) and its public key to public_path (0644);
 * an existing file is never overwritten. 0 or -1 with err.
 */
int auth_keypair_write(const char *path, const char *public_path,
    const auth_keypair_t *kp, char *err, size_t errlen);

/* "reporter" ... "daemon" to its role; 0 for an unknown name. */
role_t auth_role(const char *name);
/* a role's name, "none" for 0 */
const char *auth_role_name(role_t role);
/*
 * May a principal call an operation open to roles? Admins may call
 * everything; roles 0 means admins only.
 */
bool auth_allows(unsigned roles, const principal_t *who);

/*
 * Answers m "unauthorized" (field may be NULL; the message from fmt) and
 * logs who was refused what. Every refusal passes here, the skeleton's
 * (server_refuse) and the operations' own, so that one place sees them
 * all. Returns 0, a handler's "answered".
 */
int auth_refuse(const msg_t *m, pack_t *reply, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* the id a principal acts as ("by" of ack, resolve, update): its contact, else its name */
const char *auth_acts_as(const principal_t *who);

/* ipc://, inproc://, or tcp:// on 127.0.0.0/8, ::1 or localhost */
bool auth_endpoint_local(const char *endpoint);

typedef struct auth auth_t;

/*
 * A daemon's authentication: with the configuration's keys, reads its own
 * key pair (cfg->auth.<who>, who being "intake", "escalation" or
 * "reporting"), builds the key table and starts the ZAP handler in zctx.
 * Without keys, an auth_t that is off, after checking that the daemon's
 * endpoints are local. NULL with err filled on failure.
 */
auth_t *auth_new(void *zctx, const cfg_t *cfg, const char *who, char *err, size_t errlen);
/*
 * The key table of cfg alone, without a daemon's own key or a ZAP handler:
 * for auth_zap_decide and auth_principal in tests and the fuzzer. An off
 * auth_t without keys.
 */
auth_t *auth_table_new(const cfg_t *cfg);
/*
 * auth_new's checks without starting anything, for -n: the daemon's key
 * pair is readable, private and the configured one; without keys, its
 * endpoints are local. 0 or -1 with err filled.
 */
int auth_check(const cfg_t *cfg, const char *who, char *err, size_t errlen);
/* Stops the ZAP handler; call before the context is ended. */
void auth_destroy(auth_t **self_p);
/* keys are configured (a NULL auth is off) */
bool auth_on(const auth_t *a);
/*
 * Readies sock to bind endpoint: refuses (-1, err) a non-local endpoint
 * without keys; with keys makes it a CurveZMQ server in ZAP domain domain.
 */
int auth_server_socket(const auth_t *a, void *sock, const char *endpoint,
    const char *domain, char *err, size_t errlen);
/* the daemon's secret key (Z85), or NULL when off */
const char *auth_secret_key(const auth_t *a);
/* The principal of a ZAP User-Id; PRINCIPAL_LOCAL when off; NULL when unknown. */
const principal_t *auth_principal(const auth_t *a, const char *user_id);
/*
 * Readies a link's socket to the daemon to ("escalation", "reporting"): a
 * CurveZMQ client with this daemon's key pair. Nothing when off. 0 or -1.
 */
int auth_link_socket(const auth_t *a, void *sock, const char *to);

/*
 * One ZAP request, decided (RFC 27): the request's frames in, the reply's
 * status code ("200", "400", "500"), text and User-Id out. Pure: no
 * socket, so that the fuzzer and the unit tests reach it directly.
 */
typedef struct {
	char status[4];
	char text[96];
	char user_id[AUTH_NAME_MAX];
} auth_zap_reply_t;

void auth_zap_decide(const auth_t *a, const void *const *frames, const size_t *lens,
    int nframes, auth_zap_reply_t *out);

/* A client's keys for one daemon's endpoint. */
typedef struct {
	bool           on;                              /* keys configured */
	char           server_key[AUTH_Z85_LEN + 1];    /* the daemon's public key */
	auth_keypair_t own;                             /* the client's pair */
} auth_client_t;

/*
 * The keys a client needs to reach endpoint (one of the configuration's
 * endpoints): the daemon's public key and the client's own pair from
 * key_file. out->on is false without keys. 0 or -1 with err filled (no
 * key file given, unreadable, not private, unknown endpoint).
 */
int auth_client_for(const cfg_t *cfg, const char *key_file, const char *endpoint,
    auth_client_t *out, char *err, size_t errlen);
/* Makes sock a CurveZMQ client with c's keys (nothing when off); 0 or -1. */
int auth_client_socket(const auth_client_t *c, void *sock);

#endif
