/*
 * cmd_config.c: trygg config check [FILE]: loads a configuration the way
 * the daemons do and reports every problem with its line and column.
 */
#include "cli.h"
#include "json.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* Appends s as a JSON string (json.c does the escaping). */
static void
cmd_config_json_str(buf_t *out, const char *s, size_t len)
{
	msgpack_object o;

	memset(&o, 0, sizeof(o));
	o.type = MSGPACK_OBJECT_STR;
	o.via.str.ptr = s;
	o.via.str.size = (uint32_t)len;
	json_from_msgpack(&o, out, false);
}

static void
cmd_config_print_json(const char *path, bool ok, const buf_t *errors)
{
	const char *p = buf_str(errors);
	buf_t out = BUF_INIT;

	buf_printf(&out, "{\"ok\":%s,\"file\":", ok ? "true" : "false");
	cmd_config_json_str(&out, path, strlen(path));
	if (!ok) {
		buf_puts(&out, ",\"errors\":[");
		for (bool first = true; *p != '\0'; first = false) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (!first)
				buf_putc(&out, ',');
			cmd_config_json_str(&out, p, n);
			p += n + (nl != NULL);
		}
		buf_putc(&out, ']');
	}
	buf_puts(&out, "}\n");
	fputs(buf_str(&out), stdout);
	buf_free(&out);
}

int
cmd_config(cli_t *cli, int argc, char **argv)
{
	const char *path = cli->cfg_path ? cli->cfg_path : CFG_DEFAULT_PATH;
	buf_t errors = BUF_INIT;
	cfg_t *cfg;

	if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3)
		return cli_usage("usage: trygg config check [FILE]");
	if (argc == 3)
		path = argv[2];
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
