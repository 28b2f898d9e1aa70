/*
 * audit.h: the audit trail each daemon keeps in its own database.
 *
 * An entry says who (the principal's name, or the daemon's own for its own
 * work) did what (the operation), to what (an incident number or an
 * escalation id), with which outcome ("ok" or the wire's error code), and
 * when. Entries never hold free text or anything about a person beyond the
 * actor's key name: they outlive retention unchanged.
 *
 * The entries form a hash chain. Entry n stores the hash of entry n - 1
 * ("prev") and its own hash, BLAKE2b-256 over
 *
 *	"trygg-audit-1" || prev (32 bytes) || seq (8 bytes, big-endian)
 *	|| at (8 bytes, big-endian, ms) || for actor, op, target, outcome,
 *	detail: length (4 bytes, big-endian) || bytes
 *
 * so that no two different entries encode alike. Entry 1's prev is 32 zero
 * bytes. A second table, audit_head, holds the last entry's seq and hash;
 * it is moved in the same transaction (audit_seal, once per commit), so a
 * removed last entry shows as a head that points past the chain. Triggers refuse UPDATE and DELETE on
 * the entries: the daemons' own code cannot change one by mistake.
 *
 * What the chain cannot do: someone who can write the file may drop the
 * triggers and rewrite every entry after the one they change, and the head.
 * The head is therefore also written to the log (syslog/journal) when it
 * moves, at most every AUDIT_LOG_HEAD_MS, and when the daemon stops;
 * comparing a logged head with audit_verify's catches such a rewrite.
 *
 * An entry is appended in the transaction of the change it records, so both
 * commit or neither does. Refused requests are counted, not each written:
 * see audit_refused().
 */
#ifndef TRYGG_AUDIT_H
#define TRYGG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "msg.h"
#include "pack.h"

#define AUDIT_HASH_HEX     64           /* hex characters of a hash */
#define AUDIT_FIELD_MAX    64           /* bytes of actor, op, target, outcome kept */
#define AUDIT_DETAIL_MAX   128          /* bytes of detail kept */
#define AUDIT_REFUSAL_WINDOW_MS 60000   /* refusals of one kind are counted per this */
#define AUDIT_REFUSAL_SLOTS 64          /* kinds of refusal counted at once */
#define AUDIT_SHIFT_MAX    1000         /* verify: renumbering looked for, either way */
#define AUDIT_LOG_HEAD_MS  60000        /* the head goes to the log at most this often */

/* One entry to append; NULL strings count as "". */
typedef struct {
	int64_t     at;         /* ms since the epoch */
	const char *actor;
	const char *op;
	const char *target;
	const char *outcome;    /* "ok" or a wire error code */
	const char *detail;
} audit_entry_t;

/* Creates the tables and triggers if they are missing; 0 or -1 with err. */
int audit_init(db_t *db, char *err, size_t errlen);
/* Appends e after the head, in the open transaction; 0 or -1 (see db_errmsg). */
int audit_append(db_t *db, const audit_entry_t *e);
/*
 * Moves the head to the last entry appended in the open transaction, just
 * before its commit (nothing when none was); 0, or -1 when the head was not
 * where the entries began (then the transaction must be rolled back).
 */
int audit_seal(db_t *db);
/* The open transaction was rolled back: the chain is read again at the next append. */
void audit_forget(const db_t *db);
/* The head: *seq 0 and hash "" when the chain is empty. 0 or -1. */
int audit_head(db_t *db, int64_t *seq, char hash[AUDIT_HASH_HEX + 1]);

typedef enum {
	AUDIT_INTACT = 0,
	AUDIT_CHANGED,          /* an entry's contents or hash were altered */
	AUDIT_INSERTED,         /* an entry that was never appended */
	AUDIT_REMOVED,          /* an entry that was appended is gone */
	AUDIT_HEAD,             /* the head record is missing or malformed */
} audit_fault_t;

typedef struct {
	audit_fault_t fault;
	int64_t       seq;      /* the first entry found wrong (fault set) */
	int64_t       entries;  /* entries read */
	int64_t       head_seq; /* what audit_head records */
	char          head_hash[AUDIT_HASH_HEX + 1];
	char          reason[256];  /* for people: what is wrong with seq */
} audit_check_t;

/*
 * Walks the chain from entry 1 and compares its end with the head; stops at
 * the first fault. Run it in one read transaction (a snapshot). 0 with *c
 * filled (c->fault says whether it is intact), or -1 with err when the
 * tables cannot be read at all.
 */
int audit_verify(db_t *db, audit_check_t *c, char *err, size_t errlen);
/*
 * The "audit.verify" operation (docs/protocol.md) for common/server.c's
 * table of every daemon: ctx is the connection to walk (the reader's).
 */
int audit_op_verify(void *ctx, const msg_t *m, pack_t *reply);
/* "intact", "changed", "inserted", "removed", "head" */
const char *audit_fault_name(audit_fault_t f);

/*
 * A handler's note for the entry that records its request: the target
 * (an incident number, an escalation id) and a short detail. Kept per
 * thread until audit_hint_take(); either may be NULL.
 */
void audit_hint(const char *target, const char *detail);
/* Takes the note (empty strings when none) and clears it. */
void audit_hint_take(char target[AUDIT_FIELD_MAX], char detail[AUDIT_DETAIL_MAX]);

/*
 * Refused requests. The first refusal of a kind (actor, operation,
 * outcome) in a window of AUDIT_REFUSAL_WINDOW_MS is appended at once
 * when write_first (a transaction is open anyway), else counted; the rest
 * of that window are counted, and the count is appended as one entry
 * (detail "count=N") when the window has passed. A client that floods bad
 * requests thus adds at most two entries per kind and minute, and the
 * kinds are bounded: the configured keys, the operations of the table
 * (any other is "?"), the error codes. When AUDIT_REFUSAL_SLOTS kinds are
 * counted at once, the counts are written out early.
 */
typedef struct audit_refusals audit_refusals_t;

audit_refusals_t *audit_refusals_new(void);
void audit_refusals_destroy(audit_refusals_t **self_p);
/*
 * Records one refusal in the open transaction, or counts it; 0 or -1.
 * Besides the first (write_first), it writes only when
 * audit_refusals_must_write() says so beforehand (a count of an earlier
 * window of the same kind, or a full table, goes out): the caller opens a
 * transaction for that.
 */
int audit_refused(audit_refusals_t *r, db_t *db, const audit_entry_t *e, bool write_first);
bool audit_refusals_must_write(const audit_refusals_t *r, const audit_entry_t *e);
/* true when a count is waiting for a window that has passed at now */
bool audit_refusals_due(const audit_refusals_t *r, int64_t now);
/* Appends the counts of passed windows (all of them with all); 0 or -1. */
int audit_refusals_flush(audit_refusals_t *r, db_t *db, int64_t now, bool all);
/* The transaction that holds the entries written so far committed. */
void audit_refusals_committed(audit_refusals_t *r);
/* It rolled back: the first entries it held are counted instead. */
void audit_refusals_rolled_back(audit_refusals_t *r);

/*
 * Reads a reply's outcome: "ok", or the code of an error reply, into
 * outcome; and, for a reply naming an incident ("incident": {"number"})
 * or an escalation ("escalation": {"id"}), that as target (NULL: not
 * wanted, and a success is read from its first bytes). 0, or -1 when
 * the reply is not a map with "ok".
 */
int audit_reply_outcome(const void *data, size_t len, char outcome[AUDIT_FIELD_MAX],
    char target[AUDIT_FIELD_MAX]);

#endif
