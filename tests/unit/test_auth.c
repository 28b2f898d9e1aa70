/*
 * test_auth.c: common/auth.c: key files, the configuration's auth block,
 * the ZAP decision (table-driven, RFC 27's frames), the role check and
 * which endpoints count as local.
 */
#include "../test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "auth.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_fixture.h"


/* a temporary folder for key files, made once */
static const char *
tmpdir(void)
{
	static char dir[64];

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/trygg-unit-auth-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	return dir;
}

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir());
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir());
}

TEST(a_key_pair_survives_its_file_and_the_file_is_private)
{
	auth_keypair_t kp, back;
	char path[128], pub[140], err[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a.key", tmpdir());
	snprintf(pub, sizeof(pub), "%s.pub", path);
	CHECK_INT(auth_keypair_new(&kp, err, sizeof(err)), 0);
	CHECK_INT(strlen(kp.public_key), AUTH_Z85_LEN);
	CHECK_INT(auth_keypair_write(path, pub, &kp, err, sizeof(err)), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(pub, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK_INT(auth_keypair_read(path, true, &back, err, sizeof(err)), 0);
	CHECK_STR(back.public_key, kp.public_key);
	CHECK_STR(back.secret_key, kp.secret_key);

	/* never overwritten */
	CHECK_INT(auth_keypair_write(path, pub, &kp, err, sizeof(err)), -1);
	CHECK_HAS(err, "never overwritten");
	/* the public file has no secret */
	CHECK_INT(auth_keypair_read(pub, false, &back, err, sizeof(err)), -1);
	CHECK_HAS(err, "no secret_key");
	/* readable by the group: refused where it must be private */
	CHECK(chmod(path, 0640) == 0);
	CHECK_INT(auth_keypair_read(path, true, &back, err, sizeof(err)), -1);
	CHECK_HAS(err, "chmod 600");
	CHECK_INT(auth_keypair_read(path, false, &back, err, sizeof(err)), 0);
}

/* Files that are not key pairs, each with the words of its refusal. */
TEST(bad_key_files_are_refused_with_the_reason)
{
	auth_keypair_t kp, other, back;
	char err[256], good[600];
	static const struct {
		const char *text;       /* %s: a secret key, %s: a public key (or none) */
		const char *error;
	} cases[] = {
		{"secret_key: \"short\"\n", "40 characters of Z85"},
		{"secret_key: %s\n", "in double quotes"},
		{"# nothing\n", "no secret_key"},
		{"secret_key: \"%s\"\npublic_key: \"%s\"\n", "does not belong"},
	};

	CHECK_INT(auth_keypair_new(&kp, err, sizeof(err)), 0);
	CHECK_INT(auth_keypair_new(&other, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128];
		int fd;

		snprintf(path, sizeof(path), "%s/bad-%zu.key", tmpdir(), i);
		snprintf(good, sizeof(good), cases[i].text, kp.secret_key, other.public_key);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0 && write(fd, good, strlen(good)) == (ssize_t)strlen(good));
		close(fd);
		CHECK_INT(auth_keypair_read(path, true, &back, err, sizeof(err)), -1);
		CHECK_HAS(err, cases[i].error);
	}
}

TEST(local_endpoints)
{
	static const struct {
		const char *ep;
		bool        local;
	} cases[] = {
		{"tcp://127.0.0.1:7101", true},
		{"tcp://127.1.2.3:7101", true},
		{"tcp://localhost:7101", true},
		{"tcp://[::1]:7101", true},
		{"ipc:///run/trygg/intake.sock", true},
		{"inproc://x", true},
		{"tcp://0.0.0.0:7101", false},
		{"tcp://*:7101", false},
		{"tcp://10.1.2.3:7101", false},
		{"tcp://eth0:7101", false},
		{"tcp://[::]:7101", false},
		{"tcp://127example.org:7101", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (auth_endpoint_local(cases[i].ep) != cases[i].local)
			test_fail(__FILE__, __LINE__, "%s: local %d, expected %d", cases[i].ep,
			    !cases[i].local, cases[i].local);
}

TEST(roles_admins_everything_and_an_empty_mask_admins_only)
{
	principal_t rep = {"anna", ROLE_REPORTER, NULL, NULL};
	principal_t adm = {"root", ROLE_ADMIN, NULL, NULL};
	principal_t dmn = {"trygg-intake", ROLE_DAEMON, NULL, NULL};

	CHECK(auth_allows(ROLE_REPORTER, &rep));
	CHECK(!auth_allows(ROLE_RESPONDER | ROLE_COORDINATOR, &rep));
	CHECK(!auth_allows(0, &rep));
	CHECK(auth_allows(0, &adm));
	CHECK(auth_allows(ROLE_DAEMON, &adm));
	CHECK(auth_allows(ROLE_DAEMON, &dmn));
	CHECK(!auth_allows(ROLE_REPORTER, &dmn));
	CHECK(!auth_allows(AUTH_ALL_ROLES, NULL));
	CHECK(auth_allows(ROLE_ADMIN, &PRINCIPAL_LOCAL));
	CHECK_INT(auth_role("coordinator"), ROLE_COORDINATOR);
	CHECK_INT(auth_role("root"), 0);
	CHECK_STR(auth_role_name(ROLE_DAEMON), "daemon");
	CHECK_STR(auth_acts_as(&rep), "anna");
}

/* keys for the configuration cases: daemons i, e, r; clients */
static auth_keypair_t kd[3], kc[3];

static void
make_keys(void)
{
	char err[128];

	for (int i = 0; i < 3; i++)
		if (auth_keypair_new(&kd[i], err, sizeof(err)) < 0 ||
		    auth_keypair_new(&kc[i], err, sizeof(err)) < 0)
			abort();
}

/* CFG_BASE plus an auth block: the daemons' keys, then extra lines */
static cfg_t *
load_auth(const char *extra, buf_t *errs)
{
	buf_t y = BUF_INIT;
	cfg_t *cfg;

	buf_printf(&y, "%sauth:\n  intake: {public_key: \"%s\", secret_key_file: i.key}\n"
	    "  escalation: {public_key: \"%s\"}\n  reporting: {public_key: \"%s\"}\n%s",
	    CFG_BASE, kd[0].public_key, kd[1].public_key, kd[2].public_key, extra);
	cfg = cfg_fixture_load(buf_str(&y), errs);
	buf_free(&y);
	return cfg;
}

TEST(the_auth_block_and_its_errors)
{
	static const struct {
		const char *clients;    /* %s: kc[0], kc[1] public keys */
		const char *error;      /* "" when it loads */
	} cases[] = {
		{"  clients:\n    - {name: anna, public_key: \"%s\", role: reporter}\n"
		    "    - {name: c, public_key: \"%s\", role: coordinator, contact: c1, team: t1}\n", ""},
		{"  clients:\n    - {name: anna, public_key: \"%s\", role: boss}\n", "'role' must be one of"},
		{"  clients:\n    - {name: anna, public_key: \"not a key\", role: admin}\n",
		    "40 characters of Z85"},
		{"  clients:\n    - {name: r, public_key: \"%s\", role: responder}\n", "needs 'contact'"},
		{"  clients:\n    - {name: c, public_key: \"%s\", role: coordinator, contact: c1}\n",
		    "needs 'contact' and 'team'"},
		{"  clients:\n    - {name: r, public_key: \"%s\", role: responder, contact: nobody}\n",
		    "no contact has the id 'nobody'"},
		{"  clients:\n    - {name: a, public_key: \"%s\", role: admin}\n"
		    "    - {name: a, public_key: \"%s\", role: admin}\n", "t.yaml:"},
		{"  clients:\n    - {name: trygg-intake, public_key: \"%s\", role: daemon}\n",
		    "name of that daemon's own key"},
	};
	buf_t errs = BUF_INIT;
	cfg_t *cfg;

	make_keys();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char extra[512];

		snprintf(extra, sizeof(extra), cases[i].clients, kc[0].public_key, kc[1].public_key);
		buf_reset(&errs);
		cfg = load_auth(extra, &errs);
		if (cases[i].error[0] == '\0') {
			CHECK_STR(buf_str(&errs), "");
			CHECK(cfg != NULL && cfg->auth.on && cfg->auth.nclients == 2);
			if (cfg)
				CHECK_STR(cfg->auth.intake.secret_key_file, "/etc/trygg/i.key");
		} else {
			CHECK(cfg == NULL);
			CHECK_HAS(buf_str(&errs), cases[i].error);
		}
		cfg_destroy(&cfg);
	}
	/* two of three daemon keys: which one is missing */
	buf_reset(&errs);
	{
		char y[2048];

		snprintf(y, sizeof(y), "%sauth:\n  intake: {public_key: \"%s\"}\n"
		    "  escalation: {public_key: \"%s\"}\n", CFG_BASE, kd[0].public_key, kd[1].public_key);
		cfg = cfg_load_string(y, strlen(y), "t.yaml", ".", &errs);
		CHECK(cfg == NULL);
		CHECK_HAS(buf_str(&errs), "'reporting' is missing");
	}
	buf_free(&errs);
}

/* ZAP request frames for the decision */
typedef struct {
	const char *version, *domain, *mechanism;
	const uint8_t *key;     /* NULL: no credentials frame */
	size_t key_len;
} zap_case_t;

static void
decide(const auth_t *a, const zap_case_t *c, auth_zap_reply_t *r)
{
	const void *f[7] = {c->version, "1", c->domain, "127.0.0.1", "", c->mechanism, c->key};
	size_t lens[7] = {strlen(c->version), 1, strlen(c->domain), 9, 0,
	    strlen(c->mechanism), c->key_len};

	auth_zap_decide(a, f, lens, c->key ? 7 : 6, r);
}

TEST(the_zap_handler_admits_listed_keys_only)
{
	buf_t errs = BUF_INIT;
	char extra[1024];
	uint8_t anna[32], resp[32], unknown[32], daemon[32];
	cfg_t *cfg;
	auth_t *a;
	auth_zap_reply_t r;
	static const struct {
		int         who;        /* 0 anna, 1 responder, 2 unknown, 3 trygg-escalation */
		const char *version, *domain, *mechanism;
		int         key_len;    /* -1: no credentials */
		const char *status, *user;
	} cases[] = {
		{0, "1.0", AUTH_DOMAIN_RPC, "CURVE", 32, "200", "anna"},
		{1, "1.0", AUTH_DOMAIN_RPC, "CURVE", 32, "200", "resp"},
		{3, "1.0", AUTH_DOMAIN_RPC, "CURVE", 32, "200", "trygg-escalation"},
		{2, "1.0", AUTH_DOMAIN_RPC, "CURVE", 32, "400", ""},
		{0, "1.0", AUTH_DOMAIN_RPC, "NULL", -1, "400", ""},
		{0, "1.0", AUTH_DOMAIN_RPC, "PLAIN", 32, "400", ""},
		{0, "1.0", AUTH_DOMAIN_RPC, "CURVE", 31, "400", ""},
		{0, "2.0", AUTH_DOMAIN_RPC, "CURVE", 32, "500", ""},
		/* notifications: those who act on escalations only */
		{0, "1.0", AUTH_DOMAIN_NOTIFY, "CURVE", 32, "400", ""},
		{1, "1.0", AUTH_DOMAIN_NOTIFY, "CURVE", 32, "200", "resp"},
		{3, "1.0", AUTH_DOMAIN_NOTIFY, "CURVE", 32, "400", ""},
	};

	make_keys();
	snprintf(extra, sizeof(extra), "  clients:\n"
	    "    - {name: anna, public_key: \"%s\", role: reporter}\n"
	    "    - {name: resp, public_key: \"%s\", role: responder, contact: tib-1}\n",
	    kc[0].public_key, kc[1].public_key);
	cfg = load_auth(extra, &errs);
	CHECK_STR(buf_str(&errs), "");
	if (cfg == NULL)
		return;
	a = auth_table_new(cfg);
	zmq_z85_decode(anna, kc[0].public_key);
	zmq_z85_decode(resp, kc[1].public_key);
	zmq_z85_decode(unknown, kc[2].public_key);
	zmq_z85_decode(daemon, kd[1].public_key);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *keys[] = {anna, resp, unknown, daemon};
		zap_case_t c = {cases[i].version, cases[i].domain, cases[i].mechanism,
		    cases[i].key_len < 0 ? NULL : keys[cases[i].who],
		    cases[i].key_len < 0 ? 0 : (size_t)cases[i].key_len};

		decide(a, &c, &r);
		if (strcmp(r.status, cases[i].status) != 0 || strcmp(r.user_id, cases[i].user) != 0)
			test_fail(__FILE__, __LINE__, "case %zu: %s %s (%s), expected %s %s", i,
			    r.status, r.user_id, r.text, cases[i].status, cases[i].user);
	}
	/* the User-Id leads back to the key's principal */
	CHECK(auth_principal(a, "resp") != NULL);
	CHECK_STR(auth_principal(a, "resp")->contact, "tib-1");
	CHECK_INT(auth_principal(a, "trygg-intake")->role, ROLE_DAEMON);
	CHECK(auth_principal(a, "nobody") == NULL);
	CHECK(auth_principal(a, "") == NULL);
	auth_destroy(&a);
	/* without keys everyone is PRINCIPAL_LOCAL, and nothing is admitted by key */
	CHECK(auth_principal(NULL, "") == &PRINCIPAL_LOCAL);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

/* the shipped configurations: the default without keys, production with them */
TEST(the_default_has_no_keys_and_production_has_them)
{
	buf_t errs = BUF_INIT;
	cfg_t *def = cfg_load(CFG_DEFAULT_PATH, &errs), *prod;

	CHECK(def != NULL && !def->auth.on);
	prod = cfg_load("config/production.yaml", &errs);
	CHECK_STR(buf_str(&errs), "");
	CHECK(prod != NULL && prod->auth.on && prod->auth.nclients >= 5);
	CHECK(prod != NULL && !auth_endpoint_local(prod->endpoints.intake));
	cfg_destroy(&def);
	cfg_destroy(&prod);
	buf_free(&errs);
}

TEST(zz_cleanup)
{
	cleanup();
}

TEST_MAIN(a_key_pair_survives_its_file_and_the_file_is_private,
    bad_key_files_are_refused_with_the_reason, local_endpoints,
    roles_admins_everything_and_an_empty_mask_admins_only,
    the_auth_block_and_its_errors, the_zap_handler_admits_listed_keys_only,
    the_default_has_no_keys_and_production_has_them, zz_cleanup)
