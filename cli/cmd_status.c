/*
 * cmd_status.c: trygg status, every daemon at a glance: up or down,
 * version, uptime, database size, and each outgoing durable link's backlog
 * with the age of its oldest message; a warning for a backlog older than a
 * minute. One attempt per daemon of 2 s (or --timeout), so that a daemon that
 * is down costs seconds, not the client's full retries.
 */
#include "cli.h"
#include "log.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define STATUS_BACKLOG_WARN_S 60        /* a link backlog older than this is a warning */

/* the daemons that status asks (trygg-web speaks HTTP: its /healthz) */
static const struct {
	const char *service;
	size_t      endpoint;   /* offset in cfg_endpoints_t */
} status_daemons[] = {
	{"trygg-intake", offsetof(cfg_endpoints_t, intake)},
	{"trygg-escalation", offsetof(cfg_endpoints_t, escalation)},
	{"trygg-reporting", offsetof(cfg_endpoints_t, reporting)},
};
#define STATUS_NDAEMONS (sizeof(status_daemons) / sizeof(status_daemons[0]))

static const char *
status_endpoint(const cfg_t *cfg, size_t i)
{
	return *(char *const *)((const char *)&cfg->endpoints + status_daemons[i].endpoint);
}

static void
status_bytes(long long b, char out[32])
{
	if (b < 0)
		snprintf(out, 32, "-");
	else if (b < 1024)
		snprintf(out, 32, "%lld B", b);
	else if (b < 1024 * 1024)
		snprintf(out, 32, "%.1f KiB", (double)b / 1024);
	else if (b < 1024LL * 1024 * 1024)
		snprintf(out, 32, "%.1f MiB", (double)b / (1024 * 1024));
	else
		snprintf(out, 32, "%.1f GiB", (double)b / (1024 * 1024 * 1024));
}

static void
status_seconds(long long s, char out[32])
{
	if (s < 0)
		snprintf(out, 32, "-");
	else if (s < 60)
		snprintf(out, 32, "%llds", s);
	else if (s < 3600)
		snprintf(out, 32, "%lldm %llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, 32, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, 32, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

int
cmd_status(cli_t *cli, int argc, char **argv)
{
	msgpack_unpacked replies[STATUS_NDAEMONS];
	char errs[STATUS_NDAEMONS][512];
	bool up[STATUS_NDAEMONS];
	int down = 0;

	if (argc != 1)
		return cli_usage("usage: trygg status");
	for (size_t i = 0; i < STATUS_NDAEMONS; i++) {
		pack_t *req = cli_op_new(WIRE_OP_STATUS);

		pack_map_close(req);
		up[i] = cli_call_with(cli, status_endpoint(cli->cfg, i), req, &replies[i],
		    cli->timeout_given ? cli->timeout_ms : CLI_SLOW_NOTE_MS, 1, errs[i],
		    sizeof(errs[i])) == 0;
		pack_destroy(&req);
		down += !up[i];
	}
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", down == 0);
		if (down) {
			char msg[64];

			snprintf(msg, sizeof(msg), "%d of %zu daemons %s down", down, STATUS_NDAEMONS,
			    down == 1 ? "is" : "are");
			pack_key(p, "error");
			pack_map_open(p);
			pack_kv_str(p, "code", "unavailable");
			pack_kv_str(p, "message", msg);
			pack_kv_int(p, "exit", EXIT_UNAVAIL);
			pack_map_close(p);
		}
		pack_key(p, "daemons");
		pack_map_open(p);
		for (size_t i = 0; i < STATUS_NDAEMONS; i++) {
			const msgpack_object *m = &replies[i].data;

			pack_key(p, status_daemons[i].service);
			pack_map_open(p);
			pack_kv_bool(p, "up", up[i]);
			pack_kv_str(p, "endpoint", status_endpoint(cli->cfg, i));
			if (!up[i])
				pack_kv_str(p, "error", errs[i]);
			for (uint32_t k = 0; up[i] && k < m->via.map.size; k++) {
				if (cli_is(&m->via.map.ptr[k].key, "ok"))
					continue;
				pack_obj(p, &m->via.map.ptr[k].key);
				pack_obj(p, &m->via.map.ptr[k].val);
			}
			pack_map_close(p);
		}
		pack_map_close(p);
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
	} else {
		size_t w = 0;

		for (size_t i = 0; i < STATUS_NDAEMONS; i++)
			if (strlen(status_daemons[i].service) > w)
				w = strlen(status_daemons[i].service);
		for (size_t i = 0; i < STATUS_NDAEMONS; i++) {
			const msgpack_object *m = &replies[i].data, *links;
			char a[32], b[32];

			printf("%-*s  ", (int)w, status_daemons[i].service);
			if (!up[i]) {
				printf("DOWN  %s (is %s running? systemctl status %s)\n",
				    errs[i], status_daemons[i].service, status_daemons[i].service);
				continue;
			}
			status_seconds(cli_int(m, "uptime_s"), a);
			status_bytes(cli_int(m, "db_bytes"), b);
			fputs("up    version ", stdout);
			cli_put(stdout, cli_get(m, "version"));
			printf("  uptime %s  db %s  %s\n", a, b, status_endpoint(cli->cfg, i));
			links = cli_get(m, "links");
			for (uint32_t k = 0; links && links->type == MSGPACK_OBJECT_MAP &&
			    k < links->via.map.size; k++) {
				const msgpack_object *l = &links->via.map.ptr[k].val;
				long long backlog = cli_int(l, "backlog"), age = cli_int(l, "oldest_age_s");

				printf("%-*s    link → ", (int)w, "");
				cli_put(stdout, &links->via.map.ptr[k].key);
				/* counted up to a bound: "10000+" past it */
				printf(": backlog %lld%s", backlog, cli_bool(l, "backlog_more") ? "+" : "");
				if (backlog > 0) {
					status_seconds(age, a);
					printf(", oldest %s", a);
				}
				if (cli_int(l, "acked") >= 0)
					printf(", acked %lld", cli_int(l, "acked"));
				if (cli_int(l, "resends") >= 0)
					printf(", resends %lld", cli_int(l, "resends"));
				putchar('\n');
				if (backlog > 0 && age > STATUS_BACKLOG_WARN_S) {
					printf("WARNING: %s → ", status_daemons[i].service);
					cli_put(stdout, &links->via.map.ptr[k].key);
					printf(": %lld message%s waiting, the oldest for %s (over %d s); "
					    "is its receiver running?\n", backlog, backlog == 1 ? "" : "s",
					    a, STATUS_BACKLOG_WARN_S);
				}
			}
		}
	}
	for (size_t i = 0; i < STATUS_NDAEMONS; i++)
		if (up[i])
			msgpack_unpacked_destroy(&replies[i]);
	if (down) {
		fprintf(stderr, "trygg: %d of %zu daemons %s down\n", down, STATUS_NDAEMONS,
		    down == 1 ? "is" : "are");
		return EXIT_UNAVAIL;
	}
	return 0;
}
