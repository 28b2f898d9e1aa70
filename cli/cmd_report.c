/*
 * cmd_report.c: trygg report and trygg jobs, against trygg-reporting.
 *
 *   trygg report KIND --period P [--team T] [--format F] [--suppress] [-o FILE]
 *
 * Prints the report's content (json by default) on stdout, or writes it
 * to FILE: into FILE.tmp first, then renamed over FILE, so a reader never
 * sees half a report. With --json the whole reply is printed instead.
 */
#include "cli.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_REPORT_USAGE "usage: trygg report lagesbild|escalations|annual --period P " \
	"[--team T] [--format json|csv|md|html] [--suppress] [-o FILE]"

int cmd_report(cli_t *cli, int argc, char **argv);

/* Writes n bytes to path through path.tmp and a rename; 0, or -1 with a message printed. */
static int
cmd_report_write(const char *path, const char *data, size_t n)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "trygg: %s: the name is too long\n", path);
		return -1;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "trygg: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fprintf(stderr, "trygg: writing %s: %s\n", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "trygg: writing %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
cmd_report(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"period", required_argument, NULL, 'p'},
		{"team", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"suppress", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *period = NULL, *team = NULL, *format = NULL, *output = NULL;
	const msgpack_object *content;
	bool suppress = false;
	msgpack_unpacked reply;
	pack_t *req;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': period = optarg; break;
		case 't': team = optarg; break;
		case 'f': format = optarg; break;
		case 's': suppress = true; break;
		case 'o': output = optarg; break;
		default: return cli_usage(CMD_REPORT_USAGE);
		}
	}
	if (optind + 1 != argc || period == NULL)
		return cli_usage(CMD_REPORT_USAGE);
	/* --json prints the whole reply: a file as well would be half of two answers */
	if (output != NULL && cli->json)
		return cli_usage("report: -o and --json cannot both be given (--json prints the "
		    "whole reply, the report inside it)");
	req = pack_new();
	pack_map_open(req);
	pack_kv_int(req, "v", WIRE_VERSION);
	pack_kv_str(req, "op", "report");
	pack_kv_str(req, "kind", argv[optind]);
	pack_kv_str(req, "period", period);
	if (team)
		pack_kv_str(req, "team", team);
	if (format)
		pack_kv_str(req, "format", format);
	if (suppress)
		pack_kv_bool(req, "suppress", true);
	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.reporting, req, &reply);
	pack_destroy(&req);
	if (rc != 0)
		return rc;
	content = cli_get(&reply.data, "content");
	if (cli->json) {
		cli_print_json(&reply.data);
	} else if (content == NULL || content->type != MSGPACK_OBJECT_STR) {
		fprintf(stderr, "trygg: the reply holds no report\n");
		rc = EXIT_SOFTWARE;
	} else if (output != NULL) {
		if (cmd_report_write(output, content->via.str.ptr, content->via.str.size) < 0)
			rc = EXIT_IOERR;
	} else if (fwrite(content->via.str.ptr, 1, content->via.str.size, stdout) !=
	    content->via.str.size) {
		rc = EXIT_IOERR;
	}
	msgpack_unpacked_destroy(&reply);
	return rc;
}

int cmd_jobs(cli_t *cli, int argc, char **argv);

/* trygg jobs: the scheduled reports, one line each, with their last and next run */
int
cmd_jobs(cli_t *cli, int argc, char **argv)
{
	const msgpack_object *jobs;
	char t1[CLI_TIME_MAX], t2[CLI_TIME_MAX];
	msgpack_unpacked reply;
	pack_t *req;
	int rc;

	if (argc != 1)
		return cli_usage("usage: trygg jobs");
	req = pack_new();
	pack_map_open(req);
	pack_kv_int(req, "v", WIRE_VERSION);
	pack_kv_str(req, "op", "jobs");
	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.reporting, req, &reply);
	pack_destroy(&req);
	if (rc != 0)
		return rc;
	if (cli->json) {
		cli_print_json(&reply.data);
		msgpack_unpacked_destroy(&reply);
		return 0;
	}
	jobs = cli_get(&reply.data, "jobs");
	for (uint32_t i = 0; jobs && jobs->type == MSGPACK_OBJECT_ARRAY && i < jobs->via.array.size;
	    i++) {
		const msgpack_object *j = &jobs->via.array.ptr[i], *team = cli_get(j, "team");

		printf("%s\t%s %s", cli_text_str(cli_get(j, "id")), cli_text_str(cli_get(j, "kind")),
		    team && team->type == MSGPACK_OBJECT_STR ? cli_text_str(team) : "alla");
		printf(" %s %s, %s\n", cli_text_str(cli_get(j, "period")),
		    cli_text_str(cli_get(j, "format")), cli_text_str(cli_get(j, "schedule")));
		if (cli_get(j, "last_run"))
			printf("\tlast: %s for %s at %s -> %s\n",
			    cli_local_time(cli, cli_get(j, "last_due"), t1),
			    cli_text_str(cli_get(j, "last_period")),
			    cli_local_time(cli, cli_get(j, "last_run"), t2),
			    cli_text_str(cli_get(j, "last_file")));
		else
			printf("\tlast: never\n");
		printf("\tnext: %s\n", cli_local_time(cli, cli_get(j, "next_run"), t1));
	}
	msgpack_unpacked_destroy(&reply);
	return 0;
}
