/*
 * audit.c: the hash-chained audit trail (audit.h).
 *
 * Tables, in every daemon's own database, made here and not by the
 * daemons' migrations (they are the same everywhere):
 *
 *   audit       seq (1, 2, ...), at (ms), actor, op, target, outcome,
 *               detail, prev and hash (hex); UPDATE and DELETE are refused
 *               by triggers
 *   audit_head  one row: the last entry's seq and hash, moved at each commit
 *               that appended (audit_seal)
 *
 * How verify names a fault. It walks the entries in seq order; each
 * entry's hash is checked over its own prev first, then its prev against
 * the hash of the entry before:
 *
 *   what it finds                               fault     seq named
 *   a seq below the next expected (0, -1, ...)  inserted  that seq
 *   a seq past the head's                        inserted  that seq
 *   a gap: seq jumps past the next expected      removed   the first missing
 *   hash wrong, right for seq - d (d > 0)        inserted  seq - d (d entries put
 *                                                          before, the rest renumbered)
 *   hash wrong, right for seq + d                removed   seq (d entries taken out
 *                                                          before, the rest renumbered)
 *   hash wrong otherwise                         changed   this one
 *   hash right, prev not the last entry's hash   changed   the one before
 *                                                          (rewritten with a new hash)
 *   more entries than the head records           inserted  the first past the head
 *   fewer entries than the head records          removed   the first missing
 *   the head's hash not the last entry's         changed   the last
 */
#include "audit.h"
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#define AUDIT_DOMAIN "trygg-audit-1"

static const char *const audit_schema =
	"CREATE TABLE IF NOT EXISTS audit ("
	"  seq      INTEGER PRIMARY KEY,"
	"  at       INTEGER NOT NULL,"
	"  actor    TEXT NOT NULL,"
	"  op       TEXT NOT NULL,"
	"  target   TEXT NOT NULL,"
	"  outcome  TEXT NOT NULL,"
	"  detail   TEXT NOT NULL,"
	"  prev     TEXT NOT NULL,"
	"  hash     TEXT NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS audit_head ("
	"  one      INTEGER PRIMARY KEY CHECK (one = 1),"
	"  seq      INTEGER NOT NULL,"
	"  hash     TEXT NOT NULL"
	");"
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

static const char audit_zero_hex[AUDIT_HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

int
audit_init(db_t *db, char *err, size_t errlen)
{
	if (sodium_init() < 0) {
		snprintf(err, errlen, "audit: libsodium cannot start");
		return -1;
	}
	if (db_exec(db, audit_schema) < 0) {
		snprintf(err, errlen, "audit: creating the audit tables: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

static void
audit_be(unsigned char *out, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)(v & 0xff);
}

static void
audit_str(crypto_generichash_state *h, const char *s, size_t len)
{
	unsigned char l[4];

	audit_be(l, len, 4);
	crypto_generichash_update(h, l, 4);
	crypto_generichash_update(h, (const unsigned char *)s, len);
}

/* A row's fields as read back or about to be written. */
typedef struct {
	int64_t     seq, at;
	const char *f[5];               /* actor, op, target, outcome, detail */
	size_t      len[5];
} audit_row_t;

/* The hash of row with prev (32 raw bytes), as hex, and as raw bytes into out unless NULL. */
static void
audit_hash_raw(const unsigned char prev[32], const audit_row_t *r, char hex[AUDIT_HASH_HEX + 1],
    unsigned char *raw)
{
	crypto_generichash_state h;
	unsigned char n[8], out[32];

	crypto_generichash_init(&h, NULL, 0, sizeof(out));
	crypto_generichash_update(&h, (const unsigned char *)AUDIT_DOMAIN, strlen(AUDIT_DOMAIN));
	crypto_generichash_update(&h, prev, 32);
	audit_be(n, (uint64_t)r->seq, 8);
	crypto_generichash_update(&h, n, 8);
	audit_be(n, (uint64_t)r->at, 8);
	crypto_generichash_update(&h, n, 8);
	for (int i = 0; i < 5; i++)
		audit_str(&h, r->f[i], r->len[i]);
	crypto_generichash_final(&h, out, sizeof(out));
	sodium_bin2hex(hex, AUDIT_HASH_HEX + 1, out, sizeof(out));
	if (raw != NULL)
		memcpy(raw, out, sizeof(out));
}

static void
audit_hash(const unsigned char prev[32], const audit_row_t *r, char hex[AUDIT_HASH_HEX + 1])
{
	audit_hash_raw(prev, r, hex, NULL);
}

/* hex (64 characters) into 32 bytes; 0 or -1 */
static int
audit_unhex(const char *hex, size_t len, unsigned char out[32])
{
	size_t bin = 0;

	if (len != AUDIT_HASH_HEX || sodium_hex2bin(out, 32, hex, len, NULL, &bin, NULL) != 0 ||
	    bin != 32)
		return -1;
	return 0;
}

/* the length of s cut to max bytes, not inside a UTF-8 sequence */
static size_t
audit_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int
audit_head(db_t *db, int64_t *seq, char hash[AUDIT_HASH_HEX + 1])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT seq, hash FROM audit_head WHERE one = 1");
	int rc;

	if (st == NULL)
		return -1;
	*seq = 0;
	hash[0] = '\0';
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 1);

		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, AUDIT_HASH_HEX + 1, "%s", h ? (const char *)h : "");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The chain as this thread last wrote it to a database, a guess never
 * trusted, one per database (a daemon's thread writes one):
 *
 *   base  the head as committed, which the next seal moves from
 *   last  the newest entry in the open transaction (base when none)
 *
 * An append checks that entry "last" is in the table with its hash (one
 * rowid lookup, no write): a rollback of a savepoint or of the whole
 * transaction, or a write by anyone else, takes it away, and the chain is
 * then read again. The head row is moved once per transaction, by
 * audit_seal() just before the commit, which checks the guess the same
 * way first (a savepoint rolled back after the last append, an append
 * that failed) and moves the head with "UPDATE ... WHERE seq = base AND
 * hash = base": when the base was not what the database held, the
 * transaction is not committed. So a submit's entry costs a lookup and an
 * insert, and the head one statement per commit, not one per entry.
 *
 * Read again, the chain continues from the head; or, when this thread
 * appended in the open transaction (which holds the write lock: nobody
 * else wrote since), from the newest entry past the head, which a
 * savepoint's rollback left. Never from the table's end alone: entries
 * removed from the end stay a gap that verify names, and entries put past
 * the head by someone else make the append fail (its seq is taken) rather
 * than be taken into the chain.
 */
#define AUDIT_CHAINS 4          /* databases one thread appends to, at most */

typedef struct {
	const db_t     *db;             /* NULL: a free slot */
	bool            known;          /* false: read base and last from db again */
	int64_t         base_seq;
	char            base_hex[AUDIT_HASH_HEX + 1];
	int64_t         seq;            /* last */
	char            hex[AUDIT_HASH_HEX + 1];
	unsigned char   raw[32];
	bool            dirty;          /* last is past base: the seal moves the head */
	bool            in_tx;          /* appended in the open transaction */
	uint64_t        used;           /* when last used, to reuse the oldest slot */
} audit_chain_t;

static _Thread_local audit_chain_t audit_chains[AUDIT_CHAINS];
static _Thread_local uint64_t audit_chains_clock;

/*
 * db's chain; with make, a new one when it has none (NULL when every slot
 * has appends in an open transaction: more databases than AUDIT_CHAINS).
 */
static audit_chain_t *
audit_chain_of(const db_t *db, bool make)
{
	audit_chain_t *c = NULL;

	for (int i = 0; i < AUDIT_CHAINS; i++)
		if (audit_chains[i].db == db) {
			audit_chains[i].used = ++audit_chains_clock;
			return &audit_chains[i];
		}
	if (!make)
		return NULL;
	for (int i = 0; i < AUDIT_CHAINS; i++)
		if (!audit_chains[i].in_tx && (c == NULL || audit_chains[i].used < c->used))
			c = &audit_chains[i];
	if (c != NULL) {
		memset(c, 0, sizeof(*c));
		c->db = db;
		c->used = ++audit_chains_clock;
	}
	return c;
}

/* Is the newest entry still what the guess says? 1 yes, 0 no, -1 error. */
static int
audit_chain_holds(audit_chain_t *c, db_t *db)
{
	sqlite3_stmt *st;
	int rc, holds = 0;

	if (!c->known)
		return 0;
	if (c->seq == 0)
		return 1;               /* empty: the seal's condition checks the base */
	if ((st = db_stmt(db, "SELECT hash FROM audit WHERE seq = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *h = sqlite3_column_text(st, 0);

		holds = h != NULL && sqlite3_column_bytes(st, 0) == AUDIT_HASH_HEX &&
		    memcmp(h, c->hex, AUDIT_HASH_HEX) == 0;
	} else if (rc != SQLITE_DONE) {
		holds = -1;
	}
	sqlite3_reset(st);
	return holds;
}

/* Reads the base (the head) and the last entry (past it, or the head) again: 0 or -1. */
static int
audit_chain_read(audit_chain_t *c, db_t *db)
{
	sqlite3_stmt *st;
	int rc;

	c->known = false;
	if (audit_head(db, &c->base_seq, c->base_hex) < 0)
		return -1;
	c->seq = c->base_seq;
	memcpy(c->hex, c->base_seq == 0 ? audit_zero_hex : c->base_hex, sizeof(c->hex));
	if (c->in_tx) {
		if ((st = db_stmt(db, "SELECT seq, hash FROM audit WHERE seq > ?1"
		    " ORDER BY seq DESC LIMIT 1")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, c->base_seq);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *h = sqlite3_column_text(st, 1);

			c->seq = sqlite3_column_int64(st, 0);
			snprintf(c->hex, sizeof(c->hex), "%s", h ? (const char *)h : "");
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	c->dirty = c->seq != c->base_seq;
	if (audit_unhex(c->hex, strlen(c->hex), c->raw) < 0)
		memset(c->raw, 0, sizeof(c->raw));      /* damaged; verify says so */
	c->known = true;
	return 0;
}

/* The guess checked, and read again when it does not hold: 0 or -1. */
static int
audit_chain_check(audit_chain_t *c, db_t *db)
{
	int rc = audit_chain_holds(c, db);

	return rc < 0 || (rc == 0 && audit_chain_read(c, db) < 0) ? -1 : 0;
}

int
audit_append(db_t *db, const audit_entry_t *e)
{
	const char *f[5] = {e->actor, e->op, e->target, e->outcome, e->detail};
	audit_chain_t *c = audit_chain_of(db, true);
	audit_row_t r = {.at = e->at};
	char hash[AUDIT_HASH_HEX + 1];
	unsigned char out[32];
	sqlite3_stmt *st;
	int rc;

	if (c == NULL) {
		log_warn("audit: a thread appends to more than %d databases at once",
		    AUDIT_CHAINS);
		return -1;
	}
	for (int i = 0; i < 5; i++) {
		r.f[i] = f[i] ? f[i] : "";
		r.len[i] = audit_cut(r.f[i], i == 4 ? AUDIT_DETAIL_MAX : AUDIT_FIELD_MAX);
	}
	if (audit_chain_check(c, db) < 0)
		goto fail;
	r.seq = c->seq + 1;
	audit_hash_raw(c->raw, &r, hash, out);
	if ((st = db_stmt(db, "INSERT INTO audit (seq, at, actor, op, target, outcome, detail,"
	    " prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, r.seq);
	sqlite3_bind_int64(st, 2, r.at);
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(st, 3 + i, r.f[i], (int)r.len[i], SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, AUDIT_HASH_HEX, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	c->seq = r.seq;
	memcpy(c->hex, hash, sizeof(hash));
	memcpy(c->raw, out, sizeof(out));
	c->dirty = c->in_tx = true;
	return 0;
fail:
	/* read again next time; in_tx stays: earlier appends of this transaction may stand */
	c->known = false;
	return -1;
}

int
audit_seal(db_t *db)
{
	audit_chain_t *c = audit_chain_of(db, false);
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || !c->in_tx)
		return 0;               /* nothing appended in this transaction */
	/* a savepoint rolled back after the last append, or an append that failed */
	if (audit_chain_check(c, db) < 0)
		goto fail;
	if (!c->dirty) {
		c->in_tx = false;
		return 0;
	}
	if (c->base_seq == 0)
		st = db_stmt(db, "INSERT INTO audit_head (one, seq, hash)"
		    " SELECT 1, ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM audit_head)");
	else
		st = db_stmt(db, "UPDATE audit_head SET seq = ?1, hash = ?2"
		    " WHERE one = 1 AND seq = ?3 AND hash = ?4");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, c->seq);
	sqlite3_bind_text(st, 2, c->hex, -1, SQLITE_STATIC);
	if (c->base_seq != 0) {
		sqlite3_bind_int64(st, 3, c->base_seq);
		sqlite3_bind_text(st, 4, c->base_hex, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(db_handle(db)) != 1) {
		log_warn("audit: the head is not where this transaction's entries began "
		    "(%" PRId64 "); the transaction is not committed", c->base_seq);
		goto fail;
	}
	c->base_seq = c->seq;
	memcpy(c->base_hex, c->hex, sizeof(c->hex));
	c->dirty = c->in_tx = false;
	return 0;
fail:
	c->known = false;
	return -1;
}

void
audit_forget(const db_t *db)
{
	audit_chain_t *c = audit_chain_of(db, false);

	if (c != NULL)
		c->known = c->in_tx = false;
}

const char *
audit_fault_name(audit_fault_t f)
{
	switch (f) {
	case AUDIT_INTACT:   return "intact";
	case AUDIT_CHANGED:  return "changed";
	case AUDIT_INSERTED: return "inserted";
	case AUDIT_REMOVED:  return "removed";
	case AUDIT_HEAD:     return "head";
	}
	return "?";
}

static void
audit_fault(audit_check_t *c, audit_fault_t f, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
audit_fault(audit_check_t *c, audit_fault_t f, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	c->fault = f;
	c->seq = seq;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* Entry r's hash is wrong: renumbered (inserted or removed before it), or changed. */
static void
audit_diagnose(audit_check_t *c, const unsigned char prev[32], audit_row_t *r,
    const char *stored)
{
	int64_t seq = r->seq;
	char hex[AUDIT_HASH_HEX + 1];

	for (int64_t d = 1; d <= AUDIT_SHIFT_MAX; d++) {
		r->seq = seq - d;
		audit_hash(prev, r, hex);
		if (r->seq > 0 && strcmp(hex, stored) == 0) {
			audit_fault(c, AUDIT_INSERTED, seq - d, "entry %" PRId64 " was appended "
			    "as %" PRId64 ": %" PRId64 " entr%s inserted from %" PRId64 " on and "
			    "the rest renumbered", seq, seq - d, d, d == 1 ? "y was" : "ies were",
			    seq - d);
			return;
		}
		r->seq = seq + d;
		audit_hash(prev, r, hex);
		if (strcmp(hex, stored) == 0) {
			audit_fault(c, AUDIT_REMOVED, seq, "entry %" PRId64 " was appended as "
			    "%" PRId64 ": %" PRId64 " entr%s removed before it and the rest "
			    "renumbered", seq, seq + d, d, d == 1 ? "y was" : "ies were");
			return;
		}
	}
	r->seq = seq;
	audit_fault(c, AUDIT_CHANGED, seq, "entry %" PRId64 " was changed: its contents do "
	    "not give its hash", seq);
}

int
audit_verify(db_t *db, audit_check_t *c, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	unsigned char own[32];
	char prev_hex[AUDIT_HASH_HEX + 1], hex[AUDIT_HASH_HEX + 1];
	int64_t expect = 1;
	int rc;

	memset(c, 0, sizeof(*c));
	memcpy(prev_hex, audit_zero_hex, sizeof(prev_hex));
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return -1;
	}
	if (audit_head(db, &c->head_seq, c->head_hash) < 0 ||
	    (st = db_stmt(db, "SELECT seq, at, actor, op, target, outcome, detail, prev, hash"
	    " FROM audit ORDER BY seq")) == NULL) {
		snprintf(err, errlen, "reading the audit trail: %s", db_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		audit_row_t r;
		const char *p = (const char *)sqlite3_column_text(st, 7);
		const char *h = (const char *)sqlite3_column_text(st, 8);

		r.seq = sqlite3_column_int64(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		for (int i = 0; i < 5; i++) {
			const unsigned char *t = sqlite3_column_text(st, 2 + i);

			r.f[i] = t ? (const char *)t : "";
			r.len[i] = (size_t)sqlite3_column_bytes(st, 2 + i);
		}
		c->entries++;
		if (p == NULL || h == NULL) {
			audit_fault(c, AUDIT_CHANGED, r.seq, "entry %" PRId64 " was changed: it "
			    "has no hash", r.seq);
			break;
		}
		if (r.seq < expect) {
			audit_fault(c, AUDIT_INSERTED, r.seq, "entry %" PRId64 " is out of "
			    "sequence (entries start at 1): inserted", r.seq);
			break;
		}
		if (c->head_hash[0] != '\0' && r.seq > c->head_seq) {
			audit_fault(c, AUDIT_INSERTED, r.seq, "entry %" PRId64 " is past the "
			    "head (%" PRId64 "): inserted after the last commit", r.seq,
			    c->head_seq);
			break;
		}
		if (r.seq > expect) {
			audit_fault(c, AUDIT_REMOVED, expect, r.seq == expect + 1 ?
			    "entry %" PRId64 " is missing: removed" :
			    "entries %" PRId64 " to %" PRId64 " are missing: removed",
			    expect, r.seq - 1);
			break;
		}
		/* first the entry on its own: its hash over its own prev */
		if (audit_unhex(p, strlen(p), own) < 0) {
			audit_fault(c, AUDIT_CHANGED, r.seq, "entry %" PRId64 " was changed: the "
			    "hash it names as the one before is malformed", r.seq);
			break;
		}
		audit_hash(own, &r, hex);
		if (strcmp(hex, h) != 0) {
			audit_diagnose(c, own, &r, h);
			break;
		}
		/* then its link to the entry before */
		if (strcmp(p, prev_hex) != 0) {
			audit_fault(c, AUDIT_CHANGED, r.seq - 1, "entry %" PRId64 " was rewritten "
			    "with a new hash: entry %" PRId64 " names another as the one before it",
			    r.seq - 1, r.seq);
			break;
		}
		snprintf(prev_hex, sizeof(prev_hex), "%s", h);
		expect++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "reading the audit trail: %s", db_errmsg(db));
		return -1;
	}
	if (c->fault != AUDIT_INTACT)
		return 0;
	/* expect - 1 is the last entry, all sound; the head must name it */
	if (c->head_seq == 0 && c->head_hash[0] == '\0' && expect > 1)
		audit_fault(c, AUDIT_HEAD, expect - 1, "the head record is missing; the chain "
		    "has %" PRId64 " entries", expect - 1);
	else if (c->head_seq > expect - 1)
		audit_fault(c, AUDIT_REMOVED, expect, c->head_seq == expect ?
		    "entry %" PRId64 " is missing: removed from the end (the head records "
		    "%" PRId64 ")" : "entries %" PRId64 " to %" PRId64 " are missing: removed "
		    "from the end", expect, c->head_seq);
	else if (c->head_seq < expect - 1)
		audit_fault(c, AUDIT_INSERTED, c->head_seq + 1, "entry %" PRId64 " is past the "
		    "head (%" PRId64 "): inserted after the last commit", c->head_seq + 1,
		    c->head_seq);
	else if (expect > 1 && strcmp(c->head_hash, prev_hex) != 0)
		audit_fault(c, AUDIT_CHANGED, expect - 1, "entry %" PRId64 " was rewritten with a "
		    "new hash: the head records another", expect - 1);
	return 0;
}

int
audit_op_verify(void *ctx, const msg_t *m, pack_t *reply)
{
	static const msg_field_t none[1];
	audit_check_t c;
	wire_err_t err;
	char text[256];

	if (msg_fields(m, none, 0, NULL, &err) < 0) {
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	if (audit_verify(ctx, &c, text, sizeof(text)) < 0) {
		log_warn("audit_op_verify: %s", text);
		wire_err_set(&err, WERR_INTERNAL, NULL, "the audit trail cannot be read");
		pack_reply_error(reply, &err, msg_req(m));
		return 0;
	}
	pack_reply_ok(reply, msg_req(m));
	pack_kv_bool(reply, "intact", c.fault == AUDIT_INTACT);
	pack_kv_int(reply, "entries", c.entries);
	pack_kv_int(reply, "head_seq", c.head_seq);
	pack_kv_str(reply, "head_hash", c.head_hash);
	if (c.fault != AUDIT_INTACT) {
		pack_kv_str(reply, "fault", audit_fault_name(c.fault));
		pack_kv_int(reply, "seq", c.seq);
		pack_kv_str(reply, "reason", c.reason);
	}
	pack_map_close(reply);
	return 0;
}

/* ---- a handler's note ---- */

static _Thread_local char audit_hint_target[AUDIT_FIELD_MAX];
static _Thread_local char audit_hint_detail[AUDIT_DETAIL_MAX];

void
audit_hint(const char *target, const char *detail)
{
	if (target != NULL)
		snprintf(audit_hint_target, sizeof(audit_hint_target), "%s", target);
	if (detail != NULL)
		snprintf(audit_hint_detail, sizeof(audit_hint_detail), "%s", detail);
}

void
audit_hint_take(char target[AUDIT_FIELD_MAX], char detail[AUDIT_DETAIL_MAX])
{
	memcpy(target, audit_hint_target, AUDIT_FIELD_MAX);
	memcpy(detail, audit_hint_detail, AUDIT_DETAIL_MAX);
	audit_hint_target[0] = audit_hint_detail[0] = '\0';
}

/* ---- refusals, counted ---- */

typedef struct {
	bool    used;
	bool    uncommitted;            /* its first entry is in the open transaction */
	char    actor[AUDIT_FIELD_MAX];
	char    op[AUDIT_FIELD_MAX];
	char    outcome[AUDIT_FIELD_MAX];
	int64_t window;                 /* at / AUDIT_REFUSAL_WINDOW_MS of the first */
	int64_t count;                  /* refusals since, not yet written */
} audit_refusal_t;

struct audit_refusals {
	audit_refusal_t slot[AUDIT_REFUSAL_SLOTS];
};

audit_refusals_t *
audit_refusals_new(void)
{
	return calloc(1, sizeof(audit_refusals_t));
}

void
audit_refusals_destroy(audit_refusals_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	free(*self_p);
	*self_p = NULL;
}

/* Writes a slot's count, if any, and frees it; 0 or -1. */
static int
audit_refusal_out(audit_refusal_t *s, db_t *db, int64_t now)
{
	char detail[AUDIT_DETAIL_MAX];
	audit_entry_t e = {.at = now, .actor = s->actor, .op = s->op, .outcome = s->outcome,
	    .detail = detail};

	if (s->count > 0) {
		snprintf(detail, sizeof(detail), "count=%" PRId64, s->count);
		if (audit_append(db, &e) < 0)
			return -1;
	}
	s->used = false;
	return 0;
}

int
audit_refused(audit_refusals_t *r, db_t *db, const audit_entry_t *e, bool write_first)
{
	int64_t window = e->at / AUDIT_REFUSAL_WINDOW_MS;
	audit_refusal_t *free_slot = NULL;
	const char *actor = e->actor ? e->actor : "", *op = e->op ? e->op : "";
	const char *outcome = e->outcome ? e->outcome : "";

	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++) {
		audit_refusal_t *s = &r->slot[i];

		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (strncmp(s->actor, actor, sizeof(s->actor) - 1) != 0 ||
		    strncmp(s->op, op, sizeof(s->op) - 1) != 0 ||
		    strncmp(s->outcome, outcome, sizeof(s->outcome) - 1) != 0)
			continue;
		if (s->window == window) {
			s->count++;
			return 0;
		}
		/* the same kind, an older window: its count goes out first */
		if (audit_refusal_out(s, db, e->at) < 0)
			return -1;
		free_slot = s;
		break;
	}
	if (free_slot == NULL) {
		/* every slot taken: write every count out now */
		if (audit_refusals_flush(r, db, e->at, true) < 0)
			return -1;
		free_slot = &r->slot[0];
	}
	if (write_first && audit_append(db, e) < 0)
		return -1;
	/* not written: it is counted, and goes out with the window's count */
	*free_slot = (audit_refusal_t){.used = true, .uncommitted = write_first,
	    .window = window, .count = write_first ? 0 : 1};
	snprintf(free_slot->actor, sizeof(free_slot->actor), "%s", actor);
	snprintf(free_slot->op, sizeof(free_slot->op), "%s", op);
	snprintf(free_slot->outcome, sizeof(free_slot->outcome), "%s", outcome);
	return 0;
}

bool
audit_refusals_must_write(const audit_refusals_t *r, const audit_entry_t *e)
{
	int64_t window = e->at / AUDIT_REFUSAL_WINDOW_MS;
	bool room = false;

	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++) {
		const audit_refusal_t *s = &r->slot[i];

		if (!s->used) {
			room = true;
			continue;
		}
		if (strncmp(s->actor, e->actor ? e->actor : "", sizeof(s->actor) - 1) == 0 &&
		    strncmp(s->op, e->op ? e->op : "", sizeof(s->op) - 1) == 0 &&
		    strncmp(s->outcome, e->outcome ? e->outcome : "", sizeof(s->outcome) - 1) == 0)
			return s->window != window && s->count > 0;
	}
	return !room;
}

bool
audit_refusals_due(const audit_refusals_t *r, int64_t now)
{
	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++)
		if (r->slot[i].used && r->slot[i].window < now / AUDIT_REFUSAL_WINDOW_MS)
			return true;
	return false;
}

int
audit_refusals_flush(audit_refusals_t *r, db_t *db, int64_t now, bool all)
{
	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++) {
		audit_refusal_t *s = &r->slot[i];

		if (s->used && (all || s->window < now / AUDIT_REFUSAL_WINDOW_MS) &&
		    audit_refusal_out(s, db, now) < 0)
			return -1;
	}
	return 0;
}

void
audit_refusals_committed(audit_refusals_t *r)
{
	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++)
		r->slot[i].uncommitted = false;
}

void
audit_refusals_rolled_back(audit_refusals_t *r)
{
	for (int i = 0; i < AUDIT_REFUSAL_SLOTS; i++) {
		if (r->slot[i].used && r->slot[i].uncommitted) {
			r->slot[i].count++;
			r->slot[i].uncommitted = false;
		}
	}
}

/* ---- a reply's outcome ---- */

static void
audit_copy(char out[AUDIT_FIELD_MAX], const msgpack_object *o)
{
	if (o == NULL)
		return;
	if (o->type == MSGPACK_OBJECT_STR)
		snprintf(out, AUDIT_FIELD_MAX, "%.*s", (int)(o->via.str.size < AUDIT_FIELD_MAX ?
		    o->via.str.size : AUDIT_FIELD_MAX - 1), o->via.str.ptr);
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		snprintf(out, AUDIT_FIELD_MAX, "%" PRIu64, o->via.u64);
}

static const msgpack_object *
audit_get(const msgpack_object *map, const char *key)
{
	size_t n = strlen(key);

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
		    memcmp(k->via.str.ptr, key, n) == 0)
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

int
audit_reply_outcome(const void *data, size_t len, char outcome[AUDIT_FIELD_MAX],
    char target[AUDIT_FIELD_MAX])
{
	const unsigned char *b = data;
	size_t at = len > 0 && b[0] >= 0x80 && b[0] <= 0x8f ? 1 : len > 0 && b[0] == 0xde ? 3 :
	    len > 0 && b[0] == 0xdf ? 5 : 0;
	msgpack_unpacked u;
	const msgpack_object *ok;
	int rc = -1;

	outcome[0] = '\0';
	if (target != NULL)
		target[0] = '\0';
	/* every reply starts {"ok": ...} (pack_reply_ok, pack_reply_error): a success
	 * whose target is not wanted needs no unpacking */
	if (target == NULL && at > 0 && len >= at + 4 && memcmp(b + at, "\xa2ok\xc3", 4) == 0) {
		snprintf(outcome, AUDIT_FIELD_MAX, "ok");
		return 0;
	}
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
	    (ok = audit_get(&u.data, "ok")) != NULL && ok->type == MSGPACK_OBJECT_BOOLEAN) {
		if (ok->via.boolean) {
			snprintf(outcome, AUDIT_FIELD_MAX, "ok");
			if (target != NULL)
				audit_copy(target, audit_get(audit_get(&u.data, "incident"), "number"));
			if (target != NULL && target[0] == '\0')
				audit_copy(target, audit_get(audit_get(&u.data, "escalation"), "id"));
		} else {
			audit_copy(outcome, audit_get(audit_get(&u.data, "error"), "code"));
			if (outcome[0] == '\0')
				snprintf(outcome, AUDIT_FIELD_MAX, "error");
		}
		rc = 0;
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}
