/*
 * test_access.c: CurveZMQ keys and roles (issue 10), as a client sees them.
 *
 * The daemons run with the keyed harness (harness_new_keyed: a key per
 * daemon and a roster of client keys). For every operation of every
 * daemon, learned from the daemon itself (its unknown_op answer names its
 * whole table), a client without a key and one with an unknown key get
 * nothing, and each role gets "unauthorized" exactly where the table below
 * says it may not call. An operation this table does not know fails the
 * test: a new operation cannot be added without deciding who may call it.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#define WAIT_MS 20000           /* for what must happen */
/*
 * For what must not: a refused handshake leaves the client waiting for
 * ever; a reply from a local daemon takes a millisecond or two.
 */
#define NOTHING_MS 500

/* the roster's keys by role (tests/harness.h) */
enum { K_REPORTER, K_RESPONDER, K_COORDINATOR, K_DAEMON, K_ADMIN, K_N };
static const char *const key_names[K_N] = {"anna", "responder", "samordnare",
    "other-daemon", "harness"};

#define R (1 << K_REPORTER)
#define P (1 << K_RESPONDER)
#define C (1 << K_COORDINATOR)
#define D (1 << K_DAEMON)
#define A (1 << K_ADMIN)

/* who may call what: docs/protocol.md, "Keys and roles" */
static const struct {
	harness_daemon_t d;
	const char      *op;
	unsigned         allowed;
} expected[] = {
	{H_INTAKE, "ping", R | P | C | D | A},
	{H_INTAKE, "status", D | A},
	{H_INTAKE, "audit.verify", A},
	{H_INTAKE, "submit", R | C | A},
	{H_INTAKE, "get", R | C | A},
	{H_INTAKE, "list", R | C | A},
	{H_INTAKE, "update", C | A},
	{H_ESCALATION, "ping", R | P | C | D | A},
	{H_ESCALATION, "status", D | A},
	{H_ESCALATION, "audit.verify", A},
	{H_ESCALATION, "link.deliver", D | A},
	{H_ESCALATION, "ack", P | C | A},
	{H_ESCALATION, "resolve", P | C | A},
	{H_ESCALATION, "get", P | C | A},
	{H_ESCALATION, "token", P | C | A},
	{H_ESCALATION, "list", P | C | A},
	{H_ESCALATION, "oncall", P | C | A},
	{H_REPORTING, "ping", R | P | C | D | A},
	{H_REPORTING, "status", D | A},
	{H_REPORTING, "audit.verify", A},
	{H_REPORTING, "link.deliver", D | A},
	{H_REPORTING, "report", C | A},
	{H_REPORTING, "jobs", C | A},
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static harness_t *
keyed(void)
{
	harness_t *h = harness_new_keyed(NULL);

	if (harness_start(h, H_REPORTING) < 0 || harness_start(h, H_ESCALATION) < 0 ||
	    harness_start(h, H_INTAKE) < 0) {
		fprintf(stderr, "cannot start the daemons with keys\n");
		exit(1);
	}
	return h;
}

/* {"v":1, "op": op} as key as (NULL: no key); the reply or NULL */
static const msgpack_object *
call_as(harness_t *h, harness_daemon_t d, const char *as, const char *op)
{
	pack_t *p = harness_req(op);
	const msgpack_object *r;

	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "%s", as ? as : "");
	r = as == NULL || strcmp(as, "stranger") == 0 ? harness_call_wait(h, d, p, NOTHING_MS) :
	    harness_call(h, d, p);
	snprintf(h->as, sizeof(h->as), "harness");
	pack_destroy(&p);
	return r;
}

/*
 * The operations a daemon knows, from its own unknown_op answer
 * ("... trygg-intake knows ping, submit, get"), plus status; n set.
 */
static int
live_ops(harness_t *h, harness_daemon_t d, char ops[16][32])
{
	const msgpack_object *r = call_as(h, d, "harness", "no-such-op");
	const char *msg = r ? h_str(h_get(r, "error"), "message") : "";
	const char *at = strstr(msg, " knows ");
	int n = 0;

	snprintf(ops[n++], 32, "status");
	if (at == NULL)
		return n;
	for (at += 7; *at && n < 16; ) {
		size_t len = strcspn(at, ", ");

		snprintf(ops[n++], 32, "%.*s", (int)len, at);
		at += len;
		at += strspn(at, ", ");
	}
	return n;
}

TEST(every_op_of_every_daemon_refuses_no_key_unknown_key_and_wrong_role)
{
	harness_t *h = keyed();
	static const char *const names[] = {"trygg-intake", "trygg-escalation", "trygg-reporting"};

	for (harness_daemon_t d = H_INTAKE; d <= H_REPORTING; d++) {
		char ops[16][32];
		int n = live_ops(h, d, ops), known = 0;

		CHECK(n > 2);
		for (int i = 0; i < n; i++) {
			size_t e;

			for (e = 0; e < NEXPECTED; e++)
				if (expected[e].d == d && strcmp(expected[e].op, ops[i]) == 0)
					break;
			if (e == NEXPECTED) {
				test_fail(__FILE__, __LINE__, "%s's op '%s' is not in this test's "
				    "table: decide who may call it", names[d], ops[i]);
				continue;
			}
			known++;
			/* no key, an unknown key: the handshake fails, nothing comes back */
			CHECK(call_as(h, d, NULL, ops[i]) == NULL);
			CHECK(call_as(h, d, "stranger", ops[i]) == NULL);
			for (int k = 0; k < K_N; k++) {
				const msgpack_object *r = call_as(h, d, key_names[k], ops[i]);
				bool refused = r != NULL && strcmp(h_code(r), "unauthorized") == 0;

				CHECK(r != NULL);
				if (refused != !(expected[e].allowed & (1u << k)))
					test_fail(__FILE__, __LINE__, "%s %s as %s: %s, expected %s",
					    names[d], ops[i], key_names[k], r ? (h_ok(r) ? "ok" :
					    h_code(r)) : "no reply", expected[e].allowed & (1u << k) ?
					    "allowed" : "unauthorized");
			}
		}
		/* every op of the test's table is live too: the table is not stale */
		for (size_t e = 0; e < NEXPECTED; e++)
			if (expected[e].d == d)
				known--;
		CHECK_INT(known, 0);
	}
	harness_destroy(&h);
}

/* submits as key as; the incident's number or "" */
static const char *
submit_as(harness_t *h, const char *as, const char *id, const char *district,
    const char *category, int severity)
{
	static char number[40];
	pack_t *p = harness_req("submit");
	const msgpack_object *r;

	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", district);
	pack_kv_str(p, "category", category);
	pack_kv_int(p, "severity", severity);
	pack_kv_str(p, "summary", "Brand i soprum");
	pack_kv_str(p, "reporter", "someone else entirely");
	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "%s", as);
	r = harness_call(h, H_INTAKE, p);
	snprintf(h->as, sizeof(h->as), "harness");
	pack_destroy(&p);
	snprintf(number, sizeof(number), "%s", r && h_ok(r) ?
	    h_str(h_get(r, "incident"), "number") : "");
	return number;
}

static const msgpack_object *
get_as(harness_t *h, const char *as, const char *number)
{
	pack_t *p = harness_req("get");
	const msgpack_object *r;

	pack_kv_str(p, "number", number);
	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "%s", as);
	r = harness_call(h, H_INTAKE, p);
	snprintf(h->as, sizeof(h->as), "harness");
	pack_destroy(&p);
	return r;
}

/* how many incidents list shows key as (team may be NULL); -1 refused or failed */
static int
list_as(harness_t *h, const char *as, const char *team)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r, *arr;

	if (team)
		pack_kv_str(p, "team", team);
	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "%s", as);
	r = harness_call(h, H_INTAKE, p);
	snprintf(h->as, sizeof(h->as), "harness");
	pack_destroy(&p);
	if (r == NULL || !h_ok(r) || (arr = h_get(r, "incidents")) == NULL)
		return -1;
	return (int)arr->via.array.size;
}

TEST(reporters_read_their_own_incidents_and_report_as_their_key)
{
	harness_t *h = keyed();
	char anna[40], rita[40];
	const msgpack_object *r;

	snprintf(anna, sizeof(anna), "%s", submit_as(h, "anna", "a-1", "Ryd", "skadegorelse", 2));
	snprintf(rita, sizeof(rita), "%s", submit_as(h, "rita", "r-1", "Ryd", "skadegorelse", 2));
	CHECK(anna[0] != '\0' && rita[0] != '\0');

	/* the reporter is the key's name, whatever the request said */
	r = get_as(h, "anna", anna);
	CHECK(r != NULL && h_ok(r));
	CHECK_STR(h_str(h_get(r, "incident"), "reporter"), "anna");
	r = get_as(h, "anna", rita);
	CHECK_STR(r ? h_code(r) : "no reply", "unauthorized");
	CHECK_INT(list_as(h, "anna", NULL), 1);
	CHECK_INT(list_as(h, "rita", NULL), 1);
	CHECK_INT(list_as(h, "harness", NULL), 2);
	harness_destroy(&h);
}

TEST(coordinators_read_and_update_their_own_teams_incidents)
{
	harness_t *h = keyed();
	char own[40], other[40];
	const msgpack_object *r;
	pack_t *p;

	/* Skäggetorp is omradesteam-1's, samordnare's team; Ryd is omradesteam-2's */
	snprintf(own, sizeof(own), "%s", submit_as(h, "harness", "c-1", "Skäggetorp",
	    "skadegorelse", 2));
	snprintf(other, sizeof(other), "%s", submit_as(h, "harness", "c-2", "Ryd",
	    "skadegorelse", 2));
	r = get_as(h, "samordnare", own);
	CHECK(r != NULL && h_ok(r));
	r = get_as(h, "samordnare", other);
	CHECK_STR(r ? h_code(r) : "no reply", "unauthorized");
	CHECK_INT(list_as(h, "samordnare", NULL), 1);
	CHECK_INT(list_as(h, "samordnare", "omradesteam-2"), -1);

	for (int i = 0; i < 3; i++) {
		static const char *const by[] = {"samordnare-ot1", "samordnare-ot1", "sakerhetschef"};
		static const char *const expect[] = {"", "unauthorized", "unauthorized"};

		p = harness_req("update");
		pack_kv_str(p, "number", i == 1 ? other : own);
		pack_kv_str(p, "by", by[i]);
		pack_kv_str(p, "note", "Vi tar det");
		pack_map_close(p);
		snprintf(h->as, sizeof(h->as), "samordnare");
		r = harness_call(h, H_INTAKE, p);
		snprintf(h->as, sizeof(h->as), "harness");
		pack_destroy(&p);
		CHECK_STR(r ? h_code(r) : "no reply", expect[i]);
	}
	harness_destroy(&h);
}

/* the id of the incident's escalation once it has arrived; -1 when none came */
static long long
escalation_of(harness_t *h, const char *number)
{
	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		pack_t *p = harness_req("list");
		const msgpack_object *r, *arr;

		pack_kv_str(p, "incident", number);
		pack_map_close(p);
		r = harness_call(h, H_ESCALATION, p);
		pack_destroy(&p);
		if (r && h_ok(r) && (arr = h_get(r, "escalations")) != NULL &&
		    arr->type == MSGPACK_OBJECT_ARRAY && arr->via.array.size > 0)
			return h_int(&arr->via.array.ptr[0], "id");
		usleep(100 * 1000);
	}
	return -1;
}

/* ack as key as, by by; the error code, "" when ok */
static const char *
ack_as(harness_t *h, const char *as, long long id, const char *by)
{
	static char code[32];
	pack_t *p = harness_req("ack");
	const msgpack_object *r;

	pack_kv_int(p, "escalation", id);
	pack_kv_str(p, "by", by);
	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "%s", as);
	r = harness_call(h, H_ESCALATION, p);
	snprintf(h->as, sizeof(h->as), "harness");
	pack_destroy(&p);
	snprintf(code, sizeof(code), "%s", r ? h_code(r) : "no reply");
	return code;
}

TEST(an_ack_by_a_reporter_and_a_spoofed_by_are_refused)
{
	harness_t *h = keyed();
	const char *number = submit_as(h, "harness", "e-1", "Skäggetorp", "brand", 5);
	long long id = escalation_of(h, number);

	CHECK(id > 0);
	CHECK_STR(ack_as(h, "anna", id, "tib-1"), "unauthorized");
	/* the responder's key is tib-1's: it may not ack as the säkerhetschef */
	CHECK_STR(ack_as(h, "responder", id, "sakerhetschef"), "unauthorized");
	CHECK_STR(ack_as(h, "responder", id, "tib-1"), "");
	harness_destroy(&h);
}

TEST(a_daemon_key_delivers_as_itself_only)
{
	harness_t *h = keyed();
	pack_t *p = harness_req("link.deliver");
	const msgpack_object *r;

	pack_kv_str(p, "link", "escalation");
	pack_kv_str(p, "source", "trygg-intake");
	pack_kv_str(p, "epoch", "0123456789abcdef");
	pack_key(p, "messages");
	pack_array_open(p);
	pack_array_close(p);
	pack_map_close(p);
	snprintf(h->as, sizeof(h->as), "other-daemon");
	r = harness_call(h, H_ESCALATION, p);
	snprintf(h->as, sizeof(h->as), "harness");
	CHECK_STR(r ? h_code(r) : "no reply", "unauthorized");
	CHECK_STR(r ? h_str(h_get(r, "error"), "field") : "", "source");
	pack_destroy(&p);
	harness_destroy(&h);
}

/* incidents intake has stored (admin's list) and escalations escalation holds */
static int
count(harness_t *h, harness_daemon_t d)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r, *arr;

	pack_kv_int(p, "limit", 1000);
	pack_map_close(p);
	r = harness_call(h, d, p);
	pack_destroy(&p);
	if (r == NULL || !h_ok(r) ||
	    (arr = h_get(r, d == H_INTAKE ? "incidents" : "escalations")) == NULL)
		return -1;
	return (int)arr->via.array.size;
}

TEST(a_link_with_a_wrong_daemon_key_is_refused_then_delivers_everything_once)
{
	harness_t *h = harness_new_keyed(NULL);
	char intake_key[64];
	int n = -1;

	snprintf(intake_key, sizeof(intake_key), "%s", harness_public_key(h, "trygg-intake"));
	CHECK(harness_start(h, H_REPORTING) == 0 && harness_start(h, H_INTAKE) == 0);
	/* escalation starts with a configuration that gives intake another key */
	CHECK(harness_rewrite(h, intake_key, harness_public_key(h, "stranger")) == 0);
	CHECK(harness_start(h, H_ESCALATION) == 0);
	CHECK(harness_rewrite(h, harness_public_key(h, "stranger"), intake_key) == 0);
	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "l-%d", i);
		CHECK(submit_as(h, "harness", id, "Skäggetorp", "brand", 5)[0] != '\0');
	}
	/* several resends' worth: the handshake is refused, nothing arrives */
	usleep(3000 * 1000);
	CHECK_INT(count(h, H_ESCALATION), 0);
	/* intake holds them and keeps trying: its status shows the backlog and resends */
	{
		pack_t *p = harness_req("status");
		const msgpack_object *r, *link;

		pack_map_close(p);
		r = harness_call(h, H_INTAKE, p);
		pack_destroy(&p);
		link = r ? h_get(h_get(r, "links"), "escalation") : NULL;
		CHECK(link != NULL);
		CHECK_INT(h_int(link, "backlog"), 5);
		CHECK(h_int(link, "resends") > 0);
	}
	/* the right keys: the resend loop delivers each exactly once */
	harness_kill(h, H_ESCALATION, SIGTERM);
	CHECK(harness_start(h, H_ESCALATION) == 0);
	for (int waited = 0; waited < WAIT_MS && (n = count(h, H_ESCALATION)) < 5; waited += 100)
		usleep(100 * 1000);
	CHECK_INT(n, 5);
	usleep(1500 * 1000);            /* a resend would show as a sixth */
	CHECK_INT(count(h, H_ESCALATION), 5);
	harness_destroy(&h);
}

TEST(a_daemon_refuses_a_network_address_without_keys_and_a_readable_secret_key)
{
	harness_t *h = harness_new(NULL);
	harness_t *k = harness_new_keyed(NULL);
	char *out = NULL, path[400];

	CHECK(harness_rewrite(h, h->endpoint[H_INTAKE], "tcp://0.0.0.0:17999") == 0);
	CHECK_INT(harness_run(h, H_INTAKE, NULL, &out), 78);
	CHECK_HAS(out, "not a loopback address");
	free(out);
	/* and -n, the configuration check, says so too */
	{
		const char *n[] = {"-n", NULL};

		CHECK_INT(harness_run(h, H_INTAKE, n, &out), 78);
		CHECK_HAS(out, "not a loopback address");
		free(out);
	}

	snprintf(path, sizeof(path), "%s/keys/trygg-reporting.key", k->dir);
	CHECK(chmod(path, 0640) == 0);
	CHECK_INT(harness_run(k, H_REPORTING, NULL, &out), 78);
	CHECK_HAS(out, "chmod 600");
	free(out);
	harness_destroy(&h);
	harness_destroy(&k);
}

TEST(keygen_writes_a_private_pair_and_never_overwrites)
{
	harness_t *h = harness_new(NULL);
	char file[400], pub[420], *out = NULL;
	const char *args[] = {"keygen", "--out", file, NULL};
	struct stat st;

	snprintf(file, sizeof(file), "%s/me.key", h->dir);
	snprintf(pub, sizeof(pub), "%s.pub", file);
	CHECK_INT(harness_cli(h, &out, args), 0);
	CHECK_HAS(out, "public_key: \"");
	free(out);
	CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(pub, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(harness_cli(h, &out, args) != 0);
	CHECK_HAS(out, "never overwritten");
	free(out);
	harness_destroy(&h);
}

TEST(the_cli_uses_its_key_and_an_unlisted_one_gets_nowhere)
{
	harness_t *h = keyed();
	const char *args[] = {"ping", "intake", NULL};
	char *out = NULL, key[400];

	CHECK_INT(harness_cli(h, &out, args), 0);
	free(out);
	snprintf(key, sizeof(key), "%s/keys/stranger.key", h->dir);
	setenv("TRYGG_KEY", key, 1);
	CHECK_INT(harness_cli(h, &out, args), 77);
	/* said at once, not after three timeouts */
	CHECK_HAS(out, "refused this client's key");
	free(out);
	unsetenv("TRYGG_KEY");
	harness_destroy(&h);
}

/* a SUB to the notifications PUB with key as, subscribed to everything */
static void *
subscribe_as(harness_t *h, const char *as)
{
	void *sub = zmq_socket(h->zctx, ZMQ_SUB);
	int linger = 0;

	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	snprintf(h->as, sizeof(h->as), "%s", as);
	harness_key_socket(h, H_ESCALATION, sub);
	snprintf(h->as, sizeof(h->as), "harness");
	zmq_connect(sub, h->notifications);
	return sub;
}

/* notifications that reach sub within ms */
static int
heard(void *sub, int ms)
{
	int n = 0;
	zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};

	while (zmq_poll(&item, 1, ms) > 0) {
		zmq_msg_t m;
		int more = 1;
		size_t len = sizeof(more);

		while (more) {
			zmq_msg_init(&m);
			zmq_msg_recv(&m, sub, 0);
			zmq_msg_close(&m);
			zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &len);
		}
		n++;
		ms = 200;       /* the rest of a burst */
	}
	return n;
}

TEST(notifications_reach_listed_responders_only)
{
	harness_t *h = keyed();
	void *resp = subscribe_as(h, "responder"), *rep = subscribe_as(h, "anna"),
	    *none = subscribe_as(h, ""), *stranger = subscribe_as(h, "stranger");

	usleep(500 * 1000);             /* the subscriptions reach the PUB */
	CHECK(submit_as(h, "harness", "n-1", "Skäggetorp", "brand", 5)[0] != '\0');
	CHECK(heard(resp, WAIT_MS) > 0);
	CHECK_INT(heard(rep, NOTHING_MS), 0);
	CHECK_INT(heard(none, NOTHING_MS), 0);
	CHECK_INT(heard(stranger, NOTHING_MS), 0);
	zmq_close(resp);
	zmq_close(rep);
	zmq_close(none);
	zmq_close(stranger);
	harness_destroy(&h);
}

TEST(the_web_gateway_reaches_the_daemons_with_its_own_key)
{
	harness_t *h = keyed();
	harness_http_t r;

	CHECK(harness_start(h, H_WEB) == 0);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 200);
	CHECK_HAS(r.body, "\"intake\"");
	harness_http_free(&r);
	/* and without it, the daemons do not answer it */
	harness_kill(h, H_WEB, SIGTERM);
	CHECK(harness_rewrite(h, "web_key_file: keys/web.key", "web_key_file: keys/stranger.key") == 0);
	CHECK(harness_start(h, H_WEB) == 0);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 503);
	harness_http_free(&r);
	harness_destroy(&h);
}

TEST_MAIN(every_op_of_every_daemon_refuses_no_key_unknown_key_and_wrong_role,
    reporters_read_their_own_incidents_and_report_as_their_key,
    coordinators_read_and_update_their_own_teams_incidents,
    an_ack_by_a_reporter_and_a_spoofed_by_are_refused,
    a_daemon_key_delivers_as_itself_only,
    a_link_with_a_wrong_daemon_key_is_refused_then_delivers_everything_once,
    a_daemon_refuses_a_network_address_without_keys_and_a_readable_secret_key,
    keygen_writes_a_private_pair_and_never_overwrites,
    the_cli_uses_its_key_and_an_unlisted_one_gets_nowhere,
    notifications_reach_listed_responders_only,
    the_web_gateway_reaches_the_daemons_with_its_own_key)
