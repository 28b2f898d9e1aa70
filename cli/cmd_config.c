/*
 * cmd_config.c: trygg config check [FILE]: loads a configuration the way
 * the daemons do and reports every problem with its line and column.
 */
#include "cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* {"ok", "file", "errors"?: ["file:line:col: message", ...]}, indented like every --json */
static void
cmd_config_print_json(const char *path, bool ok, const buf_t *errors)
{
	const char *p = buf_str(errors);
	pack_t *out = pack_new();

	pack_map_open(out);
	pack_kv_bool(out, "ok", ok);
	pack_kv_str(out, "file", path);
	if (!ok) {
		size_t problems = 0;

		for (const char *q = p; *q; q++)
			problems += *q == '\n';
		pack_key(out, "error");
		pack_map_open(out);
		pack_kv_str(out, "code", "config");
		pack_kv_str(out, "message", problems == 1 ? "the configuration has 1 problem" :
		    "the configuration has problems (see errors)");
		pack_kv_int(out, "exit", EXIT_CONFIG);
		pack_map_close(out);
		pack_key(out, "errors");
		pack_array_open(out);
		while (*p != '\0') {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			pack_strn(out, p, n);
			p += n + (nl != NULL);
		}
		pack_array_close(out);
	}
	pack_map_close(out);
	cli_print_packed(out);
	pack_destroy(&out);
}

int
cmd_config(cli_t *cli, int argc, char **argv)
{
	const char *path = cli->cfg_path ? cli->cfg_path : CLI_CONFIG_DEFAULT;
	buf_t errors = BUF_INIT;
	cfg_t *cfg;

	if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3)
		return cli_usage("usage: trygg config check [FILE]");
	if (argc == 3)
		path = argv[2];
	if (access(path, F_OK) < 0)
		return cli_fail(EXIT_NOINPUT, "not_found", "%s: configuration file not found",
		    path);
	cfg = cfg_load(path, &errors);
	if (cli->json)
		cmd_config_print_json(path, cfg != NULL, &errors);
	else if (cfg != NULL)
		printf("configuration OK\n");
	fputs(buf_str(&errors), stderr);
	buf_free(&errors);
	if (cfg == NULL)
		return EXIT_CONFIG;
	cfg_destroy(&cfg);
	return 0;
}
