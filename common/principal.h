/*
 * principal.h: who sent a request, as the daemon knows it.
 *
 * Without keys (the default loopback set-up) every request comes from
 * PRINCIPAL_LOCAL: an admin named "local", because anyone who can reach a
 * loopback socket on the host is trusted there. With CurveZMQ keys the ZAP
 * handler names the key's owner and role (issue 10), and the request
 * carries that principal instead: handlers and the audit trail read it
 * with msg_principal(), never from the request's own fields.
 */
#ifndef TRYGG_PRINCIPAL_H
#define TRYGG_PRINCIPAL_H

typedef enum {
	ROLE_REPORTER    = 1 << 0,      /* submits, reads own incidents */
	ROLE_RESPONDER   = 1 << 1,      /* acks and resolves as own contact */
	ROLE_COORDINATOR = 1 << 2,      /* reads and updates own team's incidents */
	ROLE_ADMIN       = 1 << 3,      /* everything */
	ROLE_DAEMON      = 1 << 4,      /* the links between daemons */
} role_t;

typedef struct {
	const char *name;       /* the key's name in the configuration, or "local" */
	role_t      role;
	const char *contact;    /* a contact id, or NULL */
	const char *team;       /* a team id, or NULL */
} principal_t;

/* The principal of every request when no keys are configured. */
extern const principal_t PRINCIPAL_LOCAL;

#endif
