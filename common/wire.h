/*
 * wire.h: the wire contract in one place: protocol version, the frame
 * limit, error codes, and the message types of the links between daemons.
 * docs/protocol.md describes the same contract for client authors.
 */
#ifndef TRYGG_WIRE_H
#define TRYGG_WIRE_H

#include <stddef.h>

#define WIRE_VERSION      1
#define WIRE_MAX_FRAME    (64 * 1024)   /* larger requests get too_large */
#define WIRE_TRYGG_VERSION "0.1.0"      /* the "version" that ping answers */

/*
 * The operations, by name: the daemons' tables (server_op_t) and the CLI's
 * requests use these, so a name is written once. ping and status every
 * daemon answers (common/rpc.c, common/server.c).
 */
#define WIRE_OP_PING          "ping"
#define WIRE_OP_STATUS        "status"
#define WIRE_OP_SUBMIT        "submit"          /* trygg-intake */
#define WIRE_OP_GET           "get"             /* trygg-intake, trygg-escalation */
#define WIRE_OP_LIST          "list"            /* trygg-intake, trygg-escalation */
#define WIRE_OP_UPDATE        "update"          /* trygg-intake */
#define WIRE_OP_ONCALL        "oncall"          /* trygg-escalation */
#define WIRE_OP_ACK           "ack"             /* trygg-escalation */
#define WIRE_OP_RESOLVE       "resolve"         /* trygg-escalation */
#define WIRE_OP_TOKEN         "token"           /* trygg-escalation */
#define WIRE_OP_REPORT        "report"          /* trygg-reporting */
#define WIRE_OP_LINK_DELIVER  "link.deliver"    /* every receiver of a durable link */
#define WIRE_OP_AUDIT_VERIFY  "audit.verify"    /* every daemon (common/server.c) */

typedef enum {
	WERR_NONE = 0,
	WERR_BAD_REQUEST,
	WERR_UNSUPPORTED_VERSION,
	WERR_UNKNOWN_OP,
	WERR_INVALID_FIELD,
	WERR_UNKNOWN_DISTRICT,
	WERR_UNKNOWN_CATEGORY,
	WERR_NOT_FOUND,
	WERR_CONFLICT,
	WERR_UNAUTHORIZED,
	WERR_TOO_LARGE,
	WERR_UNAVAILABLE,
	WERR_INTERNAL,
} wire_code_t;

/* An error reply being built: code, the field it concerns ("" if none), text. */
typedef struct {
	wire_code_t code;
	char        field[64];
	char        message[256];
} wire_err_t;

/* the protocol's name of a code, e.g. "invalid_field" */
const char *wire_code_name(wire_code_t code);
/* Fills an error; field may be NULL. */
void wire_err_set(wire_err_t *e, wire_code_t code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Messages between daemons (the durable links). Each travels as a msgpack
 * map {"v":1, "op":"link.deliver", "type": NAME, "id": MSG_ID, ...}.
 */
typedef enum {
	WMSG_INCIDENT_CREATED = 1,     /* intake → escalation, reporting */
	WMSG_INCIDENT_UPDATED,         /* intake → reporting */
	WMSG_ESCALATION_CHANGED,       /* escalation → reporting */
	WMSG_COUNT_
} wire_msg_t;

/* "incident.created" etc., or NULL for an unknown type */
const char *wire_msg_name(wire_msg_t type);
/* the type for a name of len bytes, or 0 when unknown */
wire_msg_t wire_msg_type(const char *name, size_t len);

#endif
