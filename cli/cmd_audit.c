/*
 * cmd_audit.c: trygg audit verify, each daemon's audit chain checked
 * (common/audit.h).
 *
 *   trygg audit verify                 asks every daemon ("audit.verify"):
 *                                      the daemon walks its own chain
 *   trygg audit verify --db FILE...    walks the chain in database files,
 *                                      with no daemon (one stopped, a backup)
 *
 * For each chain it prints "intact" with the entries and the head's hash
 * (to compare with the head the daemon wrote to its log), or the first
 * entry found wrong, by sequence number, and how. Exit status: 0 when every
 * chain is intact, 1 when one is not, 69 when a daemon cannot be asked, 74
 * when a file cannot be read.
 */
#include "cli.h"
#include "audit.h"
#include "db.h"
#include "log.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define AUDIT_CLI_TIMEOUT_MS 30000      /* a long chain takes a while to walk */

static const struct {
	const char *service;
	size_t      endpoint;   /* offset in cfg_endpoints_t */
} audit_daemons[] = {
	{"trygg-intake", offsetof(cfg_endpoints_t, intake)},
	{"trygg-escalation", offsetof(cfg_endpoints_t, escalation)},
	{"trygg-reporting", offsetof(cfg_endpoints_t, reporting)},
};
#define AUDIT_NDAEMONS (sizeof(audit_daemons) / sizeof(audit_daemons[0]))

/* One chain's verdict, as text or as a JSON line; returns 0 intact, 1 not. */
static int
audit_print(cli_t *cli, const char *name, bool intact, long long entries,
    long long head_seq, const char *head_hash, const char *fault, long long seq,
    const msgpack_object *reason_o, const char *reason)
{
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_str(p, "chain", name);
		pack_kv_bool(p, "intact", intact);
		pack_kv_int(p, "entries", entries);
		pack_kv_int(p, "head_seq", head_seq);
		pack_kv_str(p, "head_hash", head_hash);
		if (!intact) {
			pack_kv_str(p, "fault", fault);
			pack_kv_int(p, "seq", seq);
			pack_key(p, "reason");
			if (reason_o)
				pack_obj(p, reason_o);
			else
				pack_str(p, reason);
		}
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
	} else if (intact) {
		printf("%s: intact, %lld entries, head %lld %s\n", name, entries, head_seq,
		    head_hash[0] ? head_hash : "-");
	} else {
		printf("%s: NOT INTACT: %s at entry %lld: %s\n", name, fault, seq,
		    reason_o ? cli_text_str(reason_o) : reason);
	}
	return intact ? 0 : 1;
}

/* Walks the chain in a database file. */
static int
audit_file(cli_t *cli, const char *path)
{
	char err[512];
	audit_check_t c;
	db_t *db;
	int rc;

	if ((db = db_open_reader(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "trygg: %s\n", err);
		return EXIT_IOERR;
	}
	if (db_exec(db, "BEGIN") < 0 || audit_verify(db, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "trygg: %s: %s\n", path, err);
		db_close(&db);
		return EXIT_IOERR;
	}
	db_exec(db, "COMMIT");
	db_close(&db);
	rc = audit_print(cli, path, c.fault == AUDIT_INTACT, c.entries, c.head_seq,
	    c.head_hash, audit_fault_name(c.fault), c.seq, NULL, c.reason);
	return rc;
}

/* Asks one daemon to walk its chain. */
static int
audit_daemon(cli_t *cli, size_t i)
{
	const char *endpoint = *(char *const *)((const char *)&cli->cfg->endpoints +
	    audit_daemons[i].endpoint);
	pack_t *req = cli_op_new(WIRE_OP_AUDIT_VERIFY);
	msgpack_unpacked reply;
	const msgpack_object *m, *hash, *fault, *intact;
	char err[512], hex[AUDIT_HASH_HEX + 1] = "", name[32] = "";
	int rc;

	pack_map_close(req);
	rc = cli_call_with(cli, endpoint, req, &reply, AUDIT_CLI_TIMEOUT_MS, 1, err, sizeof(err));
	pack_destroy(&req);
	if (rc != 0) {
		fprintf(stderr, "trygg: %s: %s\n", audit_daemons[i].service, err);
		return rc == 1 ? 1 : EXIT_UNAVAIL;
	}
	m = &reply.data;
	hash = cli_get(m, "head_hash");
	fault = cli_get(m, "fault");
	if (hash && hash->type == MSGPACK_OBJECT_STR && hash->via.str.size < sizeof(hex))
		snprintf(hex, sizeof(hex), "%.*s", (int)hash->via.str.size, hash->via.str.ptr);
	if (fault && fault->type == MSGPACK_OBJECT_STR && fault->via.str.size < sizeof(name))
		snprintf(name, sizeof(name), "%.*s", (int)fault->via.str.size, fault->via.str.ptr);
	intact = cli_get(m, "intact");
	rc = audit_print(cli, audit_daemons[i].service, intact != NULL &&
	    intact->type == MSGPACK_OBJECT_BOOLEAN && intact->via.boolean,
	    cli_int(m, "entries"), cli_int(m, "head_seq"),
	    hex, name, cli_int(m, "seq"), cli_get(m, "reason"), "");
	msgpack_unpacked_destroy(&reply);
	return rc;
}

int
cmd_audit(cli_t *cli, int argc, char **argv)
{
	const char *usage = "usage: trygg audit verify [--db FILE]...";
	int worst = 0, files = 0;

	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return cli_usage("%s", usage);
	for (int i = 2; i < argc; i++) {
		int rc;

		if (strcmp(argv[i], "--db") != 0 || i + 1 == argc)
			return cli_usage("%s", usage);
		rc = audit_file(cli, argv[++i]);
		files++;
		if (rc > worst)
			worst = rc;
	}
	if (files > 0)
		return worst;
	if (cli->cfg == NULL) {
		buf_t errors = BUF_INIT;

		if ((cli->cfg = cfg_load(cli->cfg_path, &errors)) == NULL) {
			fputs(buf_str(&errors), stderr);
			fprintf(stderr, "trygg: %s: invalid configuration\n", cli->cfg_path);
			buf_free(&errors);
			return EXIT_CONFIG;
		}
	}
	for (size_t i = 0; i < AUDIT_NDAEMONS; i++) {
		int rc = audit_daemon(cli, i);

		if (rc > worst)
			worst = rc;
	}
	return worst;
}
