/*
 * test_audit.c: the audit chain (common/audit.c). A chain of ten entries is
 * tampered with through a plain sqlite3 connection, as someone with the
 * file would (triggers dropped first), and audit_verify must name the
 * first wrong entry and how: changed, inserted or removed, in the middle
 * and at the end. Hashes for forged entries are computed here from the
 * encoding audit.h documents, with libsodium directly, so the module does
 * not vouch for itself. Also: the triggers, the counting of refusals, and
 * reading a reply's outcome.
 */
#include "../test.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "audit.h"
#include "db.h"
#include "pack.h"

#define N 10            /* entries in the chain under test */

typedef struct {
	char    dir[64];
	char    path[128];
	db_t   *db;
} tmp_t;

/* What server_commit does: the head moved once, then the commit. */
static int
seal_commit(db_t *db)
{
	return audit_seal(db) == 0 && db_commit(db) == 0 ? 0 : -1;
}

static bool
tmp_new(tmp_t *t)
{
	char err[256];

	snprintf(t->dir, sizeof(t->dir), "/tmp/trygg-test-audit-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		test_fail(__FILE__, __LINE__, "mkdtemp failed");
		return false;
	}
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
	if ((t->db = db_open(t->path, NULL, 0, err, sizeof(err))) == NULL ||
	    audit_init(t->db, err, sizeof(err)) < 0) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return false;
	}
	return true;
}

static void
tmp_destroy(tmp_t *t)
{
	DIR *d;
	struct dirent *e;
	char p[512];

	db_close(&t->db);
	if ((d = opendir(t->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->dir);
}

/* Appends entries 1..n, each in a transaction of its own. */
static void
fill(tmp_t *t, int n)
{
	for (int i = 1; i <= n; i++) {
		char target[32];
		audit_entry_t e = {1700000000000LL + i * 1000, "local", "submit", target, "ok",
		    i % 2 ? "" : "status=closed"};

		snprintf(target, sizeof(target), "INC-2026-%06d", i);
		CHECK(db_begin(t->db) == 0);
		CHECK(audit_append(t->db, &e) == 0);
		CHECK(seal_commit(t->db) == 0);
	}
}

static audit_check_t
verify(tmp_t *t)
{
	audit_check_t c;
	char err[256];

	CHECK(db_exec(t->db, "BEGIN") == 0);
	if (audit_verify(t->db, &c, err, sizeof(err)) < 0)
		test_fail(__FILE__, __LINE__, "audit_verify: %s", err);
	audit_seal(t->db);
	db_exec(t->db, "COMMIT");
	return c;
}

/* The documented hash, independently: BLAKE2b-256 over the encoding in audit.h. */
static void
forge_hash(const char *prev_hex, long long seq, long long at, const char *const f[5],
    char out[65])
{
	crypto_generichash_state h;
	unsigned char prev[32], b[8], hash[32];

	sodium_hex2bin(prev, 32, prev_hex, 64, NULL, NULL, NULL);
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)"trygg-audit-1", 13);
	crypto_generichash_update(&h, prev, 32);
	for (int k = 0; k < 2; k++) {
		unsigned long long v = (unsigned long long)(k == 0 ? seq : at);

		for (int i = 7; i >= 0; i--, v >>= 8)
			b[i] = (unsigned char)v;
		crypto_generichash_update(&h, b, 8);
	}
	for (int i = 0; i < 5; i++) {
		size_t len = strlen(f[i]);
		unsigned char l[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
		    (unsigned char)(len >> 8), (unsigned char)len};

		crypto_generichash_update(&h, l, 4);
		crypto_generichash_update(&h, (const unsigned char *)f[i], len);
	}
	crypto_generichash_final(&h, hash, 32);
	sodium_bin2hex(out, 65, hash, 32);
}

/* Runs SQL on a plain connection of its own, as an intruder with the file would. */
static void
tamper(tmp_t *t, const char *sql)
{
	sqlite3 *c;
	char *msg = NULL;

	CHECK(sqlite3_open(t->path, &c) == SQLITE_OK);
	if (sqlite3_exec(c, "DROP TRIGGER IF EXISTS audit_no_update;"
	    "DROP TRIGGER IF EXISTS audit_no_delete;", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(c, sql, NULL, NULL, &msg) != SQLITE_OK)
		test_fail(__FILE__, __LINE__, "tamper: %s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(c);
}

/* The stored hash of entry seq, into out. */
static void
stored_hash(tmp_t *t, long long seq, char out[65])
{
	sqlite3_stmt *st;

	out[0] = '\0';
	CHECK(sqlite3_prepare_v2(db_handle(t->db), "SELECT hash FROM audit WHERE seq = ?1",
	    -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* An entry forged after entry prev_seq, with its hash right for seq. */
static void
forge_insert(tmp_t *t, long long prev_seq, long long seq, bool set_head)
{
	static const char *const f[5] = {"local", "update", "INC-2026-000099", "ok", ""};
	char prev[65], hash[65], sql[1024];

	stored_hash(t, prev_seq, prev);
	forge_hash(prev, seq, 1700000999000LL, f, hash);
	snprintf(sql, sizeof(sql), "INSERT INTO audit VALUES (%lld, 1700000999000, 'local', "
	    "'update', 'INC-2026-000099', 'ok', '', '%s', '%s');%s", seq, prev, hash,
	    set_head ? "" : "SELECT 1;");
	tamper(t, sql);
	if (set_head) {
		snprintf(sql, sizeof(sql), "UPDATE audit_head SET seq = %lld, hash = '%s'", seq, hash);
		tamper(t, sql);
	}
}

TEST(an_intact_chain_verifies)
{
	tmp_t t;
	audit_check_t c;
	char last[65];

	if (!tmp_new(&t))
		return;
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, 0);
	fill(&t, N);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, N);
	CHECK_INT(c.head_seq, N);
	stored_hash(&t, N, last);
	CHECK_STR(c.head_hash, last);
	tmp_destroy(&t);
}

TEST(hashes_follow_the_documented_encoding)
{
	tmp_t t;
	char prev[65], want[65], got[65];
	const char *f[5] = {"local", "submit", "INC-2026-000002", "ok", "status=closed"};

	if (!tmp_new(&t))
		return;
	fill(&t, 2);
	stored_hash(&t, 1, prev);
	stored_hash(&t, 2, got);
	forge_hash(prev, 2, 1700000002000LL, f, want);
	CHECK_STR(got, want);
	/* the first entry chains to 32 zero bytes */
	{
		const char *f1[5] = {"local", "submit", "INC-2026-000001", "ok", ""};

		forge_hash("0000000000000000000000000000000000000000000000000000000000000000",
		    1, 1700000001000LL, f1, want);
		CHECK_STR(prev, want);
	}
	tmp_destroy(&t);
}

TEST(fields_cannot_slide_into_each_other)
{
	/* "ab" + "c" and "a" + "bc" concatenate alike; the lengths keep them apart */
	tmp_t t;
	char h1[65], h2[65];
	audit_entry_t a = {1, "ab", "c", "", "ok", ""}, b = {1, "a", "bc", "", "ok", ""};

	if (!tmp_new(&t))
		return;
	CHECK(db_begin(t.db) == 0);
	CHECK(audit_append(t.db, &a) == 0);
	CHECK(seal_commit(t.db) == 0);
	stored_hash(&t, 1, h1);
	tmp_destroy(&t);
	if (!tmp_new(&t))
		return;
	CHECK(db_begin(t.db) == 0);
	CHECK(audit_append(t.db, &b) == 0);
	CHECK(seal_commit(t.db) == 0);
	stored_hash(&t, 1, h2);
	CHECK(strcmp(h1, h2) != 0);
	tmp_destroy(&t);
}

TEST(the_daemon_connection_cannot_update_or_delete)
{
	tmp_t t;

	if (!tmp_new(&t))
		return;
	fill(&t, 3);
	CHECK(db_exec(t.db, "UPDATE audit SET detail = 'x' WHERE seq = 2") < 0);
	CHECK_HAS(db_errmsg(t.db), "append-only");
	CHECK(db_exec(t.db, "DELETE FROM audit WHERE seq = 3") < 0);
	CHECK_INT(verify(&t).fault, AUDIT_INTACT);
	tmp_destroy(&t);
}

/* Each tampering, and the fault and entry verify must name. */
static const struct {
	const char   *what;
	const char   *sql;              /* NULL: the case's code below forges */
	audit_fault_t fault;
	long long     seq;
	const char   *reason;           /* a part of the reason */
} cases[] = {
	{"detail of a middle entry edited", "UPDATE audit SET detail = 'x' WHERE seq = 5",
	    AUDIT_CHANGED, 5, "entry 5 was changed"},
	{"actor of the first entry edited", "UPDATE audit SET actor = 'mallory' WHERE seq = 1",
	    AUDIT_CHANGED, 1, "entry 1 was changed"},
	{"time of the last entry edited", "UPDATE audit SET at = at + 1 WHERE seq = 10",
	    AUDIT_CHANGED, 10, "entry 10 was changed"},
	{"outcome edited and the hash replaced by garbage",
	    "UPDATE audit SET outcome = 'ok', hash = 'zz' WHERE seq = 7",
	    AUDIT_CHANGED, 7, "entry 7"},
	{"a middle entry deleted", "DELETE FROM audit WHERE seq = 5",
	    AUDIT_REMOVED, 5, "entry 5 is missing"},
	{"three middle entries deleted", "DELETE FROM audit WHERE seq BETWEEN 4 AND 6",
	    AUDIT_REMOVED, 4, "entries 4 to 6 are missing"},
	{"the last entry deleted", "DELETE FROM audit WHERE seq = 10",
	    AUDIT_REMOVED, 10, "removed from the end"},
	{"the last two deleted", "DELETE FROM audit WHERE seq >= 9",
	    AUDIT_REMOVED, 9, "entries 9 to 10"},
	{"the first deleted", "DELETE FROM audit WHERE seq = 1",
	    AUDIT_REMOVED, 1, "entry 1 is missing"},
	{"a middle entry deleted and the rest renumbered, head too",
	    "DELETE FROM audit WHERE seq = 5; UPDATE audit SET seq = -seq WHERE seq > 5;"
	    "UPDATE audit SET seq = -seq - 1 WHERE seq < 0;"
	    "UPDATE audit_head SET seq = 9",
	    AUDIT_REMOVED, 5, "appended as 6"},
	{"an entry with seq 0 inserted", "INSERT INTO audit SELECT 0, at, actor, op, target,"
	    " outcome, detail, prev, hash FROM audit WHERE seq = 1",
	    AUDIT_INSERTED, 0, "out of sequence"},
	{"the head record deleted", "DELETE FROM audit_head", AUDIT_HEAD, 10, "head record"},
	{"the head's hash edited", "UPDATE audit_head SET hash = '00'",
	    AUDIT_CHANGED, 10, "the head records another"},
	/* forged below */
	{"an entry forged onto the end, head left", NULL, AUDIT_INSERTED, 11, "past the head"},
	{"an entry forged into the middle, the rest renumbered", NULL, AUDIT_INSERTED, 5,
	    "1 entry was inserted from 5"},
	{"a middle entry rewritten with a new hash", NULL, AUDIT_CHANGED, 5,
	    "entry 5 was rewritten"},
	{"the last entry rewritten with a new hash", NULL, AUDIT_CHANGED, 10,
	    "entry 10 was rewritten"},
};

TEST(every_tampering_is_named)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tmp_t t;
		audit_check_t c;

		if (!tmp_new(&t))
			return;
		fill(&t, N);
		if (cases[i].sql != NULL) {
			tamper(&t, cases[i].sql);
		} else if (strstr(cases[i].what, "onto the end")) {
			forge_insert(&t, N, N + 1, false);
		} else if (strstr(cases[i].what, "into the middle")) {
			tamper(&t, "UPDATE audit SET seq = -seq WHERE seq >= 5;"
			    "UPDATE audit SET seq = -seq + 1 WHERE seq < 0;"
			    "UPDATE audit_head SET seq = 11");
			forge_insert(&t, 4, 5, false);
		} else {
			/* rewrite an entry's detail and give it the hash that fits */
			long long seq = strstr(cases[i].what, "last") ? N : 5;
			char prev[65], hash[65], target[32], sql[512];
			const char *f[5] = {"local", "submit", target, "ok", "rewritten"};

			snprintf(target, sizeof(target), "INC-2026-%06lld", seq);
			stored_hash(&t, seq - 1, prev);
			forge_hash(prev, seq, 1700000000000LL + seq * 1000, f, hash);
			snprintf(sql, sizeof(sql), "UPDATE audit SET detail = 'rewritten', "
			    "hash = '%s' WHERE seq = %lld", hash, seq);
			tamper(&t, sql);
		}
		c = verify(&t);
		if (c.fault != cases[i].fault || c.seq != cases[i].seq ||
		    strstr(c.reason, cases[i].reason) == NULL)
			test_fail(__FILE__, __LINE__, "%s: %s at %lld (%s), expected %s at %lld "
			    "(\"%s\")", cases[i].what, audit_fault_name(c.fault), (long long)c.seq,
			    c.reason, audit_fault_name(cases[i].fault), cases[i].seq,
			    cases[i].reason);
		tmp_destroy(&t);
	}
}

/* entries in the chain */
static long long
entries(tmp_t *t)
{
	int64_t n = -1;

	db_int(t->db, "SELECT count(*) FROM audit", 0, &n);
	return n;
}

TEST(refusals_are_counted_not_each_written)
{
	tmp_t t;
	audit_refusals_t *r = audit_refusals_new();
	int64_t t0 = 1700000080000LL;   /* 40 s into a minute */
	char detail[256] = "";
	sqlite3_stmt *st;

	if (!tmp_new(&t))
		return;
	CHECK(db_begin(t.db) == 0);
	for (int i = 0; i < 1000; i++) {
		audit_entry_t e = {t0 + i, "local", "get", "", "not_found", ""};

		CHECK(audit_refused(r, t.db, &e, true) == 0);
	}
	/* another kind gets its own first entry */
	{
		audit_entry_t e = {t0, "local", "get", "", "invalid_field", ""};

		CHECK(audit_refused(r, t.db, &e, true) == 0);
	}
	/* a third, with no transaction open for it: counted only */
	{
		audit_entry_t e = {t0, "local", "list", "", "invalid_field", ""};

		CHECK(audit_refused(r, t.db, &e, false) == 0);
	}
	CHECK_INT(entries(&t), 2);
	/* the same kinds within the window write nothing; in the next one the count must go out */
	{
		audit_entry_t same = {t0 + 5000, "local", "get", "", "not_found", ""};
		audit_entry_t next = {t0 + 20000, "local", "get", "", "not_found", ""};
		audit_entry_t other = {t0 + 20000, "local", "get", "", "invalid_field", ""};

		CHECK(!audit_refusals_must_write(r, &same));
		CHECK(audit_refusals_must_write(r, &next));
		CHECK(!audit_refusals_must_write(r, &other));   /* its first was written, no count */
	}
	CHECK(!audit_refusals_due(r, t0 + 10000));
	CHECK(audit_refusals_due(r, t0 + 20000));       /* the next minute */
	CHECK(audit_refusals_flush(r, t.db, t0 + 20000, false) == 0);
	CHECK(seal_commit(t.db) == 0);
	CHECK_INT(entries(&t), 4);      /* two counts; the get's invalid_field had none */
	CHECK(sqlite3_prepare_v2(db_handle(t.db), "SELECT group_concat(detail) FROM audit"
	    " WHERE seq > 2",
	    -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(detail, sizeof(detail), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	CHECK_HAS(detail, "count=999");
	CHECK_HAS(detail, "count=1");
	CHECK(!audit_refusals_due(r, t0 + 20000));
	CHECK_INT(verify(&t).fault, AUDIT_INTACT);
	audit_refusals_destroy(&r);
	tmp_destroy(&t);
}

TEST(many_kinds_of_refusal_stay_bounded)
{
	/* more kinds than slots: counts go out early, and every refusal is accounted for */
	tmp_t t;
	audit_refusals_t *r = audit_refusals_new();
	int64_t sum = 0, rows = 0;
	sqlite3_stmt *st;

	if (!tmp_new(&t))
		return;
	CHECK(db_begin(t.db) == 0);
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < AUDIT_REFUSAL_SLOTS + 10; k++) {
			char actor[32];
			audit_entry_t e = {1700000000000LL, actor, "list", "", "unauthorized", ""};

			snprintf(actor, sizeof(actor), "key-%d", k);
			/* a full table must go out before a new kind is counted */
			if (round == 0 && k == AUDIT_REFUSAL_SLOTS)
				CHECK(audit_refusals_must_write(r, &e));
			CHECK(audit_refused(r, t.db, &e, round != 1) == 0);
		}
	}
	CHECK(audit_refusals_flush(r, t.db, 1700000000000LL, true) == 0);
	CHECK(seal_commit(t.db) == 0);
	CHECK(sqlite3_prepare_v2(db_handle(t.db), "SELECT detail FROM audit", -1, &st,
	    NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);

		sum += d[0] ? atoll(d + strlen("count=")) : 1;  /* a count, or a first refusal */
		rows++;
	}
	sqlite3_finalize(st);
	CHECK_INT(sum, 3 * (AUDIT_REFUSAL_SLOTS + 10));
	CHECK(rows <= 3 * (AUDIT_REFUSAL_SLOTS + 10));
	audit_refusals_destroy(&r);
	tmp_destroy(&t);
}

TEST(a_rolled_back_first_refusal_is_counted_later)
{
	tmp_t t;
	audit_refusals_t *r = audit_refusals_new();
	audit_entry_t e = {1700000000000LL, "local", "update", "", "conflict", ""};

	if (!tmp_new(&t))
		return;
	CHECK(db_begin(t.db) == 0);
	CHECK(audit_refused(r, t.db, &e, true) == 0);
	CHECK(db_rollback(t.db) == 0);
	audit_refusals_rolled_back(r);
	CHECK(db_begin(t.db) == 0);
	CHECK(audit_refusals_flush(r, t.db, e.at + 60000, false) == 0);
	CHECK(seal_commit(t.db) == 0);
	CHECK_INT(entries(&t), 1);      /* "count=1": the lost first one */
	audit_refusals_destroy(&r);
	tmp_destroy(&t);
}

TEST(a_reply_gives_its_outcome_and_target)
{
	pack_t *p = pack_new();
	char outcome[AUDIT_FIELD_MAX], target[AUDIT_FIELD_MAX];
	const void *data;
	size_t len;
	wire_err_t err;

	pack_reply_ok(p, NULL);
	pack_key(p, "incident");
	pack_map_open(p);
	pack_kv_str(p, "number", "INC-2026-000042");
	pack_map_close(p);
	pack_map_close(p);
	data = pack_data(p, &len);
	CHECK(audit_reply_outcome(data, len, outcome, target) == 0);
	CHECK_STR(outcome, "ok");
	CHECK_STR(target, "INC-2026-000042");
	CHECK(audit_reply_outcome(data, len, outcome, NULL) == 0);
	CHECK_STR(outcome, "ok");

	pack_reset(p);
	pack_reply_ok(p, NULL);
	pack_key(p, "escalation");
	pack_map_open(p);
	pack_kv_int(p, "id", 17);
	pack_map_close(p);
	pack_map_close(p);
	data = pack_data(p, &len);
	CHECK(audit_reply_outcome(data, len, outcome, target) == 0);
	CHECK_STR(target, "17");

	pack_reset(p);
	wire_err_set(&err, WERR_NOT_FOUND, "number", "no incident has this number");
	pack_reply_error(p, &err, NULL);
	data = pack_data(p, &len);
	CHECK(audit_reply_outcome(data, len, outcome, NULL) == 0);
	CHECK_STR(outcome, "not_found");
	CHECK(audit_reply_outcome("\xc0", 1, outcome, target) < 0);
	pack_destroy(&p);
}

TEST(a_handlers_hint_is_taken_once)
{
	char target[AUDIT_FIELD_MAX], detail[AUDIT_DETAIL_MAX];

	audit_hint("INC-2026-000001", "status=closed");
	audit_hint_take(target, detail);
	CHECK_STR(target, "INC-2026-000001");
	CHECK_STR(detail, "status=closed");
	audit_hint_take(target, detail);
	CHECK_STR(target, "");
	CHECK_STR(detail, "");
}

/* Appends one entry named target; 0 or -1. */
static int
append_one(tmp_t *t, const char *target)
{
	audit_entry_t e = {1700000000000LL, "local", "submit", target, "ok", ""};

	return audit_append(t->db, &e);
}

/*
 * audit_append keeps the head it wrote in memory and moves it only where
 * the database still holds it: appends that a rollback took back (the
 * whole transaction, or a savepoint, as a request's) and a second database
 * written in between must leave a chain that verifies, with no entry twice
 * and none missing.
 */
TEST(a_rollback_leaves_the_chain_whole)
{
	tmp_t t, u;
	audit_check_t c;

	if (!tmp_new(&t) || !tmp_new(&u))
		return;
	fill(&t, 3);
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "taken-back-1") == 0);
	CHECK(append_one(&t, "taken-back-2") == 0);
	CHECK(db_exec(t.db, "ROLLBACK") == 0);
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "kept-4") == 0);
	CHECK(db_exec(t.db, "SAVEPOINT request") == 0);
	CHECK(append_one(&t, "taken-back-3") == 0);
	CHECK(db_exec(t.db, "ROLLBACK TO request") == 0);
	CHECK(db_exec(t.db, "RELEASE request") == 0);
	CHECK(append_one(&t, "kept-5") == 0);
	CHECK(seal_commit(t.db) == 0);
	/* another database between two appends to the first */
	fill(&u, 2);
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "kept-6") == 0);
	CHECK(seal_commit(t.db) == 0);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, 6);
	CHECK_INT(c.head_seq, 6);
	c = verify(&u);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, 2);
	tmp_destroy(&u);
	tmp_destroy(&t);
}

/*
 * The head is moved once per commit, from where this writer last left it:
 * when someone else moved it in between, the seal refuses, the transaction
 * is not committed, and the next one continues from the head as it is.
 */
TEST(a_head_moved_by_another_is_not_overwritten)
{
	tmp_t t;
	audit_check_t c;

	if (!tmp_new(&t))
		return;
	fill(&t, 3);
	tamper(&t, "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit WHERE seq = 2)");
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "on-a-moved-head") == 0);
	CHECK(audit_seal(t.db) < 0);
	CHECK(db_exec(t.db, "ROLLBACK") == 0);
	audit_forget(t.db);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INSERTED);     /* entry 3 is past the head someone left */
	CHECK_INT(c.head_seq, 2);
	tmp_destroy(&t);
}

/*
 * An entry that someone else put past the head is not taken into the
 * chain, even by a writer that reads the chain afresh (a restarted
 * daemon): the append finds its seq taken and fails, and verify still
 * names the forged entry. Only entries this writer appended in its open
 * transaction are continued from.
 */
TEST(an_entry_forged_past_the_head_is_not_continued_from)
{
	tmp_t t;
	audit_check_t c;

	if (!tmp_new(&t))
		return;
	fill(&t, 3);
	forge_insert(&t, 3, 4, false);
	audit_forget(t.db);                     /* as a daemon that starts */
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "after-the-forgery") < 0);
	CHECK(db_exec(t.db, "ROLLBACK") == 0);
	audit_forget(t.db);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INSERTED);
	CHECK_INT(c.seq, 4);
	tmp_destroy(&t);
}

/*
 * The seal checks the chain again before it moves the head: a request whose
 * savepoint was rolled back after the batch's last append, and an append
 * that failed after a good one, leave the head on the last entry that
 * stands, and the next transaction continues from it.
 */
TEST(the_seal_moves_the_head_to_the_last_entry_that_stands)
{
	tmp_t t;
	audit_check_t c;

	if (!tmp_new(&t))
		return;
	fill(&t, 1);
	/* an entry rolled back with its request, none after it */
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "kept-2") == 0);
	CHECK(db_exec(t.db, "SAVEPOINT request") == 0);
	CHECK(append_one(&t, "taken-back") == 0);
	CHECK(db_exec(t.db, "ROLLBACK TO request") == 0);
	CHECK(db_exec(t.db, "RELEASE request") == 0);
	CHECK(seal_commit(t.db) == 0);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, 2);
	CHECK_INT(c.head_seq, 2);
	/* an append that fails (its seq taken by a row its request then rolls back) */
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "kept-3") == 0);
	CHECK(db_exec(t.db, "SAVEPOINT request") == 0);
	CHECK(db_exec(t.db, "INSERT INTO audit VALUES (4, 0, 'x', 'x', 'x', 'x', 'x', 'x', 'x')")
	    == 0);
	CHECK(append_one(&t, "fails") < 0);
	CHECK(db_exec(t.db, "ROLLBACK TO request") == 0);
	CHECK(db_exec(t.db, "RELEASE request") == 0);
	CHECK(seal_commit(t.db) == 0);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.entries, 3);
	CHECK_INT(c.head_seq, 3);
	/* and the chain goes on */
	CHECK(db_begin(t.db) == 0);
	CHECK(append_one(&t, "kept-4") == 0);
	CHECK(seal_commit(t.db) == 0);
	c = verify(&t);
	CHECK_INT(c.fault, AUDIT_INTACT);
	CHECK_INT(c.head_seq, 4);
	tmp_destroy(&t);
}

/* Two databases written in turn by one thread, their transactions open at once. */
TEST(two_databases_in_one_thread_keep_their_own_chains)
{
	tmp_t a, b;

	if (!tmp_new(&a) || !tmp_new(&b))
		return;
	fill(&a, 2);
	CHECK(db_begin(a.db) == 0);
	CHECK(db_begin(b.db) == 0);
	CHECK(append_one(&a, "a-3") == 0);
	CHECK(append_one(&b, "b-1") == 0);
	CHECK(append_one(&a, "a-4") == 0);
	CHECK(seal_commit(a.db) == 0);
	CHECK(seal_commit(b.db) == 0);
	CHECK_INT(verify(&a).fault, AUDIT_INTACT);
	CHECK_INT(verify(&a).head_seq, 4);
	CHECK_INT(verify(&b).fault, AUDIT_INTACT);
	CHECK_INT(verify(&b).head_seq, 1);
	tmp_destroy(&b);
	tmp_destroy(&a);
}

TEST_MAIN(an_intact_chain_verifies, hashes_follow_the_documented_encoding,
    fields_cannot_slide_into_each_other, the_daemon_connection_cannot_update_or_delete,
    every_tampering_is_named, refusals_are_counted_not_each_written,
    many_kinds_of_refusal_stay_bounded, a_rolled_back_first_refusal_is_counted_later,
    a_reply_gives_its_outcome_and_target, a_handlers_hint_is_taken_once,
    a_rollback_leaves_the_chain_whole, a_head_moved_by_another_is_not_overwritten,
    an_entry_forged_past_the_head_is_not_continued_from,
    the_seal_moves_the_head_to_the_last_entry_that_stands,
    two_databases_in_one_thread_keep_their_own_chains)
