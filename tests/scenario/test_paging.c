/*
 * test_paging.c: replies that could grow come in pages, and the daemon's
 * memory stays bounded, as a client sees it on a real trygg-intake:
 *
 *   - 1,200 long notes on one incident: every get and update reply stays
 *     under 1 MiB, and following history_next gives every entry once;
 *   - list paged by next gives every matching incident exactly once,
 *     newest first, under every combination of team, status and since,
 *     with a page bounded by count and by bytes;
 *   - after a client reads 1,200 large lists, the daemon's resident
 *     memory (VmRSS from /proc) is under 100 MB (not under AddressSanitizer,
 *     whose quarantine keeps freed memory);
 *   - a database made by schema 1 is upgraded, lists, and keeps received_at
 *     from going back.
 */
#include "harness.h"
#include "test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <zmq.h>

#define REPLY_MAX      (1024 * 1024)    /* docs/protocol.md: no reply is larger */
#define RSS_MAX_KB     (100 * 1024)
#define NOTES          1200
#define NOTE_CHARS     8000             /* the longest note update accepts */
#define INCIDENTS      400
#define WINDOW         64               /* requests in flight on one socket */

static harness_t *
h(void)
{
	return harness_shared(NULL, H_INTAKE);
}

/*
 * Sends n requests made by build(i, p) on one DEALER socket, at most
 * WINDOW in flight, and hands each reply to check(i-th reply, its size);
 * returns the number of replies that did not come.
 */
static int
pipeline(int n, void (*build)(int, pack_t *), void (*check)(const msgpack_object *, size_t))
{
	void *sock = zmq_socket(h()->zctx, ZMQ_DEALER);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	pack_t *p = pack_new();
	int sent = 0, got = 0, linger = 0;

	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, h()->endpoint[H_INTAKE]);
	while (got < n) {
		while (sent < n && sent - got < WINDOW) {
			const void *data;
			size_t len;

			pack_reset(p);
			build(sent++, p);
			data = pack_data(p, &len);
			zmq_send(sock, "", 0, ZMQ_SNDMORE);
			zmq_send(sock, data, len, 0);
		}
		if (zmq_poll(&it, 1, 10000) <= 0)
			break;
		for (;;) {
			zmq_msg_t msg;
			msgpack_unpacked u;
			size_t off = 0;

			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&msg);
				break;
			}
			if (zmq_msg_size(&msg) == 0)            /* the delimiter */
				zmq_msg_recv(&msg, sock, 0);
			msgpack_unpacked_init(&u);
			if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) ==
			    MSGPACK_UNPACK_SUCCESS)
				check(&u.data, zmq_msg_size(&msg));
			else
				check(NULL, zmq_msg_size(&msg));
			msgpack_unpacked_destroy(&u);
			zmq_msg_close(&msg);
			got++;
		}
	}
	zmq_close(sock);
	pack_destroy(&p);
	return n - got;
}

/* One request and its reply, with the reply's size; the reply is kept until the next call. */
static const msgpack_object *
call(pack_t *p, size_t *size)
{
	static msgpack_unpacked u;
	static char *bytes;
	static bool has;
	void *sock = zmq_socket(h()->zctx, ZMQ_REQ);
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	const msgpack_object *r = NULL;
	const void *data;
	size_t len, off = 0;
	zmq_msg_t msg;
	int linger = 0;

	if (has)
		msgpack_unpacked_destroy(&u);
	has = false;
	free(bytes);
	bytes = NULL;
	*size = 0;
	pack_map_close(p);
	data = pack_data(p, &len);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(sock, h()->endpoint[H_INTAKE]);
	zmq_send(sock, data, len, 0);
	zmq_msg_init(&msg);
	if (zmq_poll(&it, 1, 10000) > 0 && zmq_msg_recv(&msg, sock, 0) >= 0) {
		*size = zmq_msg_size(&msg);
		bytes = malloc(*size ? *size : 1);
		memcpy(bytes, zmq_msg_data(&msg), *size);
		msgpack_unpacked_init(&u);
		has = true;
		if (msgpack_unpack_next(&u, bytes, *size, &off) == MSGPACK_UNPACK_SUCCESS)
			r = &u.data;
	}
	zmq_msg_close(&msg);
	zmq_close(sock);
	pack_destroy(&p);
	return r;
}

/* ---- 1,200 long notes on one incident */

static char note_number[32];
static int notes_ok, notes_big;

static void
build_note(int i, pack_t *p)
{
	static char note[NOTE_CHARS + 1];

	memset(note, 'a' + i % 26, NOTE_CHARS);
	snprintf(note, sizeof(note), "note %04d ", i);
	note[strlen(note)] = 'z';       /* snprintf's NUL: the note stays NOTE_CHARS long */
	note[NOTE_CHARS] = '\0';
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "update");
	pack_kv_str(p, "number", note_number);
	pack_kv_str(p, "by", "fältsekreterare");
	pack_kv_str(p, "note", note);
	pack_map_close(p);
}

static void
check_note(const msgpack_object *r, size_t size)
{
	if (r && h_ok(r))
		notes_ok++;
	if (size > REPLY_MAX)
		notes_big++;
}

/* The note's index from its text, -1 when it is not one of ours. */
static int
note_index(const msgpack_object *entry)
{
	const msgpack_object *note = h_get(entry, "note");

	if (note == NULL || note->type != MSGPACK_OBJECT_STR ||
	    note->via.str.size != NOTE_CHARS || strncmp(note->via.str.ptr, "note ", 5) != 0)
		return -1;
	return atoi(note->via.str.ptr + 5);
}

TEST(long_history_comes_in_pages_with_every_entry_once)
{
	static int seen[NOTES];
	pack_t *p = harness_req("submit");
	const msgpack_object *r, *inc, *hist;
	long long before = 0, prev_first = NOTES;
	size_t size;
	int pages = 0, created = 0, missing;

	pack_kv_str(p, "id", "long-history");
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "summary", "Många anteckningar");
	pack_kv_str(p, "reporter", "samordnare");
	r = call(p, &size);
	CHECK(h_ok(r));
	snprintf(note_number, sizeof(note_number), "%s", h_str(h_get(r, "incident"), "number"));

	missing = pipeline(NOTES, build_note, check_note);
	CHECK_INT(missing, 0);
	CHECK_INT(notes_ok, NOTES);
	CHECK_INT(notes_big, 0);        /* update answers a history page too */

	for (;;) {
		p = harness_req("get");
		pack_kv_str(p, "number", note_number);
		if (before > 0)
			pack_kv_int(p, "history_before", before);
		r = call(p, &size);
		inc = h_get(r, "incident");
		hist = h_get(inc, "history");
		CHECK(h_ok(r) && hist != NULL && hist->type == MSGPACK_OBJECT_ARRAY);
		if (!h_ok(r) || hist == NULL || hist->type != MSGPACK_OBJECT_ARRAY)
			break;
		if (size > REPLY_MAX)
			test_fail(__FILE__, __LINE__, "a get reply is %zu bytes", size);
		pages++;
		/* oldest first within the page; each page older than the one before */
		for (uint32_t i = 0, last = 0; i < hist->via.array.size; i++) {
			const msgpack_object *e = &hist->via.array.ptr[i];
			int k = note_index(e);

			if (strcmp(h_str(e, "action"), "created") == 0) {
				CHECK_INT(i, 0);
				CHECK(h_get(inc, "history_next") == NULL);
				created++;
				continue;
			}
			CHECK(k >= 0 && k < NOTES);
			if (k < 0 || k >= NOTES)
				continue;
			seen[k]++;
			if (i > 0 && last >= (uint32_t)k + 1)
				test_fail(__FILE__, __LINE__, "note %d after note %u", k, last - 1);
			last = (uint32_t)k + 1;
			if (i == 0) {
				CHECK(k < prev_first);
				prev_first = k;
			}
		}
		if (h_get(inc, "history_next") == NULL)
			break;
		CHECK(h_int(inc, "history_next") > 0);
		before = h_int(inc, "history_next");
		if (pages > NOTES + 1)
			break;
	}
	CHECK(pages > 1);               /* a test that cannot fail is not a test */
	CHECK_INT(created, 1);
	for (int k = 0; k < NOTES; k++)
		if (seen[k] != 1)
			test_fail(__FILE__, __LINE__, "note %d seen %d times", k, seen[k]);

	/* the newest page is the default */
	p = harness_req("get");
	pack_kv_str(p, "number", note_number);
	hist = h_get(h_get(call(p, &size), "incident"), "history");
	CHECK(hist && hist->via.array.size > 0 &&
	    note_index(&hist->via.array.ptr[hist->via.array.size - 1]) == NOTES - 1);

	p = harness_req("get");
	pack_kv_str(p, "number", note_number);
	pack_kv_int(p, "history_before", 0);
	r = call(p, &size);
	CHECK_STR(h_code(r), "invalid_field");
	CHECK_STR(h_str(h_get(r, "error"), "field"), "history_before");
}

/* ---- list paging */

typedef struct {
	char number[32], team[32], received[32];
	bool closed, seen;
} incident_t;

static incident_t incs[INCIDENTS];
static int incs_n;
static const char *const districts[] = {"Skäggetorp", "Ryd", "Berga", "Ryd", "Ryd"};

static void
build_submit(int i, pack_t *p)
{
	char id[32];

	snprintf(id, sizeof(id), "page-%d", i);
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", districts[i % 5]);
	pack_kv_str(p, "category", "nedskrapning");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "summary", "Skräp och krossat glas vid lekplatsen bakom skolan, "
	    "återkommande efter helgerna");
	pack_kv_str(p, "reporter", "trygghetsvärd");
	pack_kv_str(p, "details", "Detaljer som aldrig syns i list.");
	pack_kv_str(p, "location", "Lekplatsen bakom skolan");
	pack_map_close(p);
}

static void
check_submit(const msgpack_object *r, size_t size)
{
	const msgpack_object *inc = h_get(r, "incident");

	if (!h_ok(r) || incs_n >= INCIDENTS)
		return;
	snprintf(incs[incs_n].number, 32, "%s", h_str(inc, "number"));
	snprintf(incs[incs_n].team, 32, "%s", h_str(inc, "team"));
	snprintf(incs[incs_n].received, 32, "%s", h_str(inc, "received_at"));
	incs_n++;
}

static void
build_close(int i, pack_t *p)
{
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "update");
	pack_kv_str(p, "number", incs[i * 3].number);
	pack_kv_str(p, "by", "samordnare");
	pack_kv_str(p, "status", "closed");
	pack_map_close(p);
}

static int closes_ok;

static void
check_close(const msgpack_object *r, size_t size)
{
	closes_ok += h_ok(r);
}

static incident_t *
find(const char *number)
{
	for (int i = 0; i < incs_n; i++)
		if (strcmp(incs[i].number, number) == 0)
			return &incs[i];
	return NULL;
}

/*
 * Pages through one filter; checks order, exactly once, the short view
 * and the bounds. The long-history incident matches too; it is not ours
 * and is skipped.
 */
static void
page_through(const char *team, const char *status, const char *since, int limit, int line)
{
	char before[32] = "", prev[32] = "";
	int pages = 0, expect = 0, got = 0, fewer = 0;

	for (int i = 0; i < incs_n; i++) {
		incs[i].seen = false;
		if ((!team || strcmp(incs[i].team, team) == 0) &&
		    (!status || incs[i].closed == (strcmp(status, "closed") == 0)) &&
		    (!since || strcmp(incs[i].received, since) >= 0))
			expect++;
	}
	for (;;) {
		pack_t *p = harness_req("list");
		const msgpack_object *r, *list;
		size_t size;

		if (team)
			pack_kv_str(p, "team", team);
		if (status)
			pack_kv_str(p, "status", status);
		if (since)
			pack_kv_str(p, "since", since);
		if (limit)
			pack_kv_int(p, "limit", limit);
		if (before[0])
			pack_kv_str(p, "before", before);
		r = call(p, &size);
		list = h_get(r, "incidents");
		if (!h_ok(r) || list == NULL || list->type != MSGPACK_OBJECT_ARRAY) {
			test_fail(__FILE__, line, "list failed: %s", h_code(r));
			return;
		}
		if (size > REPLY_MAX)
			test_fail(__FILE__, line, "a list reply is %zu bytes", size);
		if (list->via.array.size > (uint32_t)(limit ? limit : 100))
			test_fail(__FILE__, line, "a page of %u", list->via.array.size);
		pages++;
		for (uint32_t i = 0; i < list->via.array.size; i++) {
			const msgpack_object *item = &list->via.array.ptr[i];
			const char *number = h_str(item, "number");
			incident_t *inc = find(number);

			if (prev[0] && strcmp(number, prev) >= 0)
				test_fail(__FILE__, line, "%s listed after %s", number, prev);
			snprintf(prev, sizeof(prev), "%s", number);
			if (h_get(item, "details") || h_get(item, "history"))
				test_fail(__FILE__, line, "list shows more than the short view");
			if (inc == NULL)
				continue;
			if (inc->seen)
				test_fail(__FILE__, line, "%s listed twice", number);
			if ((team && strcmp(inc->team, team) != 0) ||
			    (status && inc->closed != (strcmp(status, "closed") == 0)) ||
			    (since && strcmp(inc->received, since) < 0))
				test_fail(__FILE__, line, "%s does not match the filter", number);
			inc->seen = true;
			got++;
		}
		if (h_get(r, "next") == NULL)
			break;
		if (list->via.array.size < (uint32_t)(limit ? limit : 100))
			fewer++;        /* stopped by bytes */
		CHECK(list->via.array.size > 0);
		snprintf(before, sizeof(before), "%s", h_str(r, "next"));
		if (list->via.array.size > 0)
			CHECK_STR(before, h_str(&list->via.array.ptr[list->via.array.size - 1], "number"));
		if (pages > INCIDENTS + 2)
			break;
	}
	if (got != expect)
		test_fail(__FILE__, line, "team %s status %s since %s limit %d: %d listed, "
		    "%d expected", team ? team : "-", status ? status : "-", since ? since : "-",
		    limit, got, expect);
	/* a large limit over many incidents is cut by bytes */
	if (limit == 1000 && expect * 300 > 48 * 1024 && fewer == 0)
		test_fail(__FILE__, line, "no page was cut by bytes (%d incidents)", expect);
}

TEST(list_pages_give_every_incident_once_under_every_filter)
{
	static const char *const teams[] = {NULL, "omradesteam-1", "omradesteam-2", "omradesteam-3"};
	static const char *const statuses[] = {NULL, "open", "closed"};
	static const int limits[] = {0, 7, 1000};
	const char *sinces[2] = {NULL, NULL};
	char since[32];

	CHECK_INT(pipeline(INCIDENTS, build_submit, check_submit), 0);
	CHECK_INT(incs_n, INCIDENTS);
	CHECK_INT(pipeline(INCIDENTS / 3, build_close, check_close), 0);
	CHECK_INT(closes_ok, INCIDENTS / 3);
	for (int i = 0; i < INCIDENTS / 3; i++)
		incs[i * 3].closed = true;
	snprintf(since, sizeof(since), "%s", incs[incs_n / 2].received);
	sinces[1] = since;

	for (size_t t = 0; t < 4; t++)
		for (size_t s = 0; s < 3; s++)
			for (size_t c = 0; c < 2; c++)
				for (size_t l = 0; l < 3; l++)
					page_through(teams[t], statuses[s], sinces[c], limits[l],
					    __LINE__);
}

TEST(list_before_an_unknown_number_is_not_found)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r;
	size_t size;

	pack_kv_str(p, "before", "INC-1999-000001");
	r = call(p, &size);
	CHECK_STR(h_code(r), "not_found");
	CHECK_STR(h_str(h_get(r, "error"), "field"), "before");
}

/* ---- memory */

static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int lists_ok, lists_big;

static void
build_list(int i, pack_t *p)
{
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "list");
	pack_kv_int(p, "limit", 1000);
	pack_map_close(p);
}

static void
check_list(const msgpack_object *r, size_t size)
{
	const msgpack_object *list = h_get(r, "incidents");

	if (h_ok(r) && list && list->via.array.size > 100)
		lists_ok++;
	if (size > REPLY_MAX)
		lists_big++;
}

TEST(memory_stays_bounded_after_1200_large_lists)
{
	long before, after;

	if (incs_n == 0)        /* run alone: make the lists large */
		CHECK_INT(pipeline(INCIDENTS, build_submit, check_submit), 0);
	before = rss_kb(h()->pid[H_INTAKE]);
	CHECK_INT(pipeline(1200, build_list, check_list), 0);
	CHECK_INT(lists_ok, 1200);
	CHECK_INT(lists_big, 0);
	after = rss_kb(h()->pid[H_INTAKE]);
	printf("# trygg-intake VmRSS %ld kB before, %ld kB after 1,200 lists\n", before, after);
	CHECK(after > 0);
#ifdef __SANITIZE_ADDRESS__
	/* AddressSanitizer keeps freed memory in quarantine (256 MB by default) */
	printf("# VmRSS not held to %d kB under AddressSanitizer\n", RSS_MAX_KB);
#else
	if (after > RSS_MAX_KB)
		test_fail(__FILE__, __LINE__, "VmRSS %ld kB after 1,200 lists", after);
#endif
}

/* The daemon's inflight count from status, -1 when it did not answer. */
static long long
inflight(void)
{
	pack_t *p = harness_req("status");
	const msgpack_object *r;
	size_t size;

	r = call(p, &size);
	return r && h_ok(r) ? h_int(r, "inflight") : -1;
}

TEST(a_client_that_never_reads_cannot_grow_the_daemon)
{
	void *sock = zmq_socket(h()->zctx, ZMQ_DEALER);
	pack_t *p = pack_new();
	int linger = 0, hwm = 0, one = 1, small = 4096;
	long after;

	if (incs_n == 0)
		CHECK_INT(pipeline(INCIDENTS, build_submit, check_submit), 0);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	/* send without limit; read nothing, not even into this process's queue */
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &one, sizeof(one));
	zmq_setsockopt(sock, ZMQ_RCVBUF, &small, sizeof(small));
	zmq_connect(sock, h()->endpoint[H_INTAKE]);
	build_list(0, p);
	for (int i = 0; i < 2500; i++) {
		const void *data;
		size_t len;

		data = pack_data(p, &len);
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
		zmq_send(sock, data, len, 0);
	}
	/* the daemon takes and answers them all; the replies it cannot queue are dropped */
	for (int i = 0; i < 3000 && inflight() != 0; i++) {     /* 5 min at most */
		struct timespec ts = {0, 100 * 1000000};
		nanosleep(&ts, NULL);
	}
	{
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	CHECK(inflight() >= 0);         /* and it still answers others */
	after = rss_kb(h()->pid[H_INTAKE]);
	printf("# trygg-intake VmRSS %ld kB with 2,500 large lists never read\n", after);
	CHECK(after > 0);
#ifndef __SANITIZE_ADDRESS__
	if (after > RSS_MAX_KB)
		test_fail(__FILE__, __LINE__, "VmRSS %ld kB with a client that never reads", after);
#endif
	zmq_close(sock);
	pack_destroy(&p);
}

/* ---- a database made by schema 1 */

static const char schema_1[] =
	"CREATE TABLE incidents (row INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
	" client_id TEXT NOT NULL UNIQUE, fingerprint INTEGER NOT NULL, team TEXT NOT NULL,"
	" district TEXT NOT NULL, category TEXT NOT NULL,"
	" severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5), summary TEXT NOT NULL,"
	" reporter TEXT NOT NULL, details TEXT, location TEXT, occurred_at INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" level TEXT CHECK (level = 'omrade' OR level = 'grupp' OR level = 'individ'),"
	" needs_external INTEGER, needs_reinforcement INTEGER, involves_minors INTEGER,"
	" police_report INTEGER, orosanmalan INTEGER, partners BLOB,"
	" escalation TEXT NOT NULL CHECK (escalation = 'none' OR escalation = 'reinforcement'"
	" OR escalation = 'external'), status TEXT NOT NULL CHECK (status = 'open' OR status = 'closed'));"
	"CREATE TABLE history (id INTEGER PRIMARY KEY,"
	" incident INTEGER NOT NULL REFERENCES incidents (row), at INTEGER NOT NULL,"
	" by TEXT NOT NULL, action TEXT NOT NULL CHECK (action = 'note' OR action = 'closed'"
	" OR action = 'reopened'), note TEXT, update_id TEXT);"
	"CREATE INDEX history_incident ON history (incident, update_id);"
	"CREATE INDEX incidents_received ON incidents (received_at);"
	"CREATE TABLE outbox (seq INTEGER PRIMARY KEY, type TEXT NOT NULL,"
	" incident INTEGER NOT NULL REFERENCES incidents (row), change INTEGER REFERENCES history (id),"
	" created_at INTEGER NOT NULL, escalation TEXT CHECK (escalation = 'pending'"
	" OR escalation = 'acked' OR escalation = 'dead'), reporting TEXT CHECK (reporting = 'pending'"
	" OR reporting = 'acked' OR reporting = 'dead'), attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0);"
	"PRAGMA user_version = 1;";

/* 4102444800000 is 2100-01-01T00:00:00Z: a clock far ahead of today's */
#define FUTURE_MS 4102444800000LL

static const msgpack_object *
call_on(harness_t *g, pack_t *p)
{
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(g, H_INTAKE, p);
	pack_destroy(&p);
	return r;
}

TEST(a_schema_1_database_is_upgraded_and_lists)
{
	harness_t *g = harness_new(NULL);
	char path[600], sql[512];
	const msgpack_object *r, *list;
	sqlite3 *db;
	sqlite3_stmt *st;
	pack_t *p;
	int version = 0, indexes = 0;

	snprintf(path, sizeof(path), "%s/data", g->dir);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/data/incidents.db", g->dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, schema_1, NULL, NULL, NULL) == SQLITE_OK);
	for (int i = 1; i <= 6; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO incidents (number, client_id, fingerprint,"
		    " team, district, category, severity, summary, reporter, occurred_at,"
		    " received_at, updated_at, escalation, status) VALUES ('INC-2099-%06d',"
		    " 'old-%d', %d, '%s', '%s', 'ovrigt', 1, 'Gammal', 'x', %lld, %lld, %lld,"
		    " 'none', '%s')", i, i, i, i % 2 ? "omradesteam-1" : "omradesteam-2",
		    i % 2 ? "Skäggetorp" : "Ryd", FUTURE_MS + i * 1000LL, FUTURE_MS + i * 1000LL,
		    FUTURE_MS + i * 1000LL, i % 3 == 0 ? "closed" : "open");
		CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	sqlite3_close(db);

	CHECK(harness_start(g, H_INTAKE) == 0);
	p = harness_req("list");
	pack_kv_str(p, "status", "closed");
	list = h_get(call_on(g, p), "incidents");
	CHECK(list && list->via.array.size == 2);
	if (list && list->via.array.size == 2) {
		CHECK_STR(h_str(&list->via.array.ptr[0], "number"), "INC-2099-000006");
		CHECK_STR(h_str(&list->via.array.ptr[1], "number"), "INC-2099-000003");
	}
	p = harness_req("list");
	pack_kv_str(p, "team", "omradesteam-2");
	pack_kv_int(p, "limit", 2);
	r = call_on(g, p);
	CHECK(h_ok(r));
	CHECK_STR(h_str(r, "next"), "INC-2099-000004");

	/* the clock is behind the newest stored time: received_at does not go back */
	p = harness_req("submit");
	pack_kv_str(p, "id", "new-1");
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "summary", "Ny");
	pack_kv_str(p, "reporter", "y");
	r = call_on(g, p);
	CHECK(h_ok(r));
	CHECK_STR(h_str(h_get(r, "incident"), "received_at"), "2100-01-01T00:00:06Z");
	p = harness_req("list");
	pack_kv_str(p, "since", "2100-01-01T00:00:06Z");
	list = h_get(call_on(g, p), "incidents");
	CHECK(list && list->via.array.size == 2);
	if (list && list->via.array.size == 2)
		CHECK_STR(h_str(&list->via.array.ptr[1], "number"), "INC-2099-000006");
	harness_kill(g, H_INTAKE, SIGTERM);

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	CHECK_INT(version, 3);
	CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
	    " AND name IN ('incidents_team_status', 'incidents_received', 'outbox_escalation')",
	    -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		indexes = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	CHECK_INT(indexes, 2);
	/* schema 3: the escalation link reads its own rows, not every row since its watermark */
	CHECK(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT seq FROM outbox WHERE seq > 0"
	    " AND seq <= 1000000 AND escalation IS NOT NULL ORDER BY seq LIMIT 10001", -1, &st,
	    NULL) == SQLITE_OK);
	{
		bool indexed = false;

		while (sqlite3_step(st) == SQLITE_ROW)
			indexed = indexed || strstr((const char *)sqlite3_column_text(st, 3),
			    "outbox_escalation") != NULL;
		CHECK(indexed);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	harness_destroy(&g);
}

TEST_MAIN(long_history_comes_in_pages_with_every_entry_once,
    list_pages_give_every_incident_once_under_every_filter,
    list_before_an_unknown_number_is_not_found,
    memory_stays_bounded_after_1200_large_lists,
    a_client_that_never_reads_cannot_grow_the_daemon, a_schema_1_database_is_upgraded_and_lists)
