/*
 * cli_config.c: where the trygg command finds the daemons.
 *
 * The client needs little of the configuration: the endpoints, the time
 * zone (to show times), and for a few commands the contacts, teams and
 * rota. In order, later ones winning:
 *
 *   1. the configuration file: -c FILE, $TRYGG_CONFIG, or the default
 *      (CLI_CONFIG_DEFAULT, SYSCONFDIR/trygg/trygg.yaml, where make install
 *      puts it; for a binary in a source tree's build/bin, the tree's
 *      config/trygg.yaml: see cli_config_default). A
 *      default file that does not exist is no error as long as the
 *      endpoints come from 2 or 3; a file named with -c that does not
 *      exist is "not found" (exit 66).
 *   2. TRYGG_INTAKE, TRYGG_ESCALATION, TRYGG_NOTIFICATIONS,
 *      TRYGG_REPORTING and TRYGG_TIMEZONE in the environment;
 *   3. --endpoint NAME=URL on the command line.
 *
 * A file with errors in parts the client does not use does not stop it:
 * when cfg_load refuses the file, its YAML is read once more for
 * endpoints and timezone only, a warning says so (trygg config check shows
 * the errors), and the commands that need the rest (rota, oncall --config,
 * contact names) say they cannot. This reads YAML outside cfg.c, through
 * cfg_yaml.h, for that one purpose.
 */
#include "cli.h"
#include "cfg_yaml.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLI_CFG_MAX_FILE (1 << 20)      /* cfg.c's own bound on a configuration */
#define CLI_TZ_DEFAULT   "Europe/Stockholm"

static const struct {
	const char *name;
	const char *env;
	size_t      off;
} cli_eps[] = {
	{"intake", "TRYGG_INTAKE", offsetof(cfg_endpoints_t, intake)},
	{"escalation", "TRYGG_ESCALATION", offsetof(cfg_endpoints_t, escalation)},
	{"notifications", "TRYGG_NOTIFICATIONS", offsetof(cfg_endpoints_t, notifications)},
	{"reporting", "TRYGG_REPORTING", offsetof(cfg_endpoints_t, reporting)},
};
#define CLI_NEPS (sizeof(cli_eps) / sizeof(cli_eps[0]))

static char **
ep_slot(cfg_t *cfg, size_t i)
{
	return (char **)((char *)&cfg->endpoints + cli_eps[i].off);
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

/* a ZeroMQ endpoint the client can connect to, roughly checked */
static bool
endpoint_ok(const char *s)
{
	return (strncmp(s, "ipc://", 6) == 0 && s[6] != '\0') ||
	    (strncmp(s, "tcp://", 6) == 0 && strchr(s + 6, ':') != NULL);
}

static const cfg_yaml_node_t *
map_get(const cfg_yaml_node_t *map, const char *key)
{
	for (size_t i = 0; map && map->kind == CFG_YAML_MAP && i + 1 < map->nitems; i += 2)
		if (map->items[i]->kind == CFG_YAML_SCALAR && strcmp(map->items[i]->str, key) == 0)
			return map->items[i + 1];
	return NULL;
}

static const char *
scalar(const cfg_yaml_node_t *n)
{
	return n && n->kind == CFG_YAML_SCALAR && !n->null ? n->str : NULL;
}

/*
 * The endpoints and zone of a file that cfg_load refused; NULL when even
 * its YAML cannot be read.
 */
static cfg_t *
config_lenient(const char *path, buf_t *why)
{
	cfg_yaml_node_t *root = NULL;
	cfg_yaml_error_t yerr;
	buf_t text = BUF_INIT;
	char chunk[8192];
	cfg_t *cfg = NULL;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len <= CLI_CFG_MAX_FILE)
		buf_append(&text, chunk, n);
	fclose(f);
	if (text.len <= CLI_CFG_MAX_FILE &&
	    cfg_yaml_parse(buf_str(&text), text.len, &root, &yerr) == 0 && root != NULL &&
	    root->kind == CFG_YAML_MAP) {
		const cfg_yaml_node_t *eps = map_get(root, "endpoints");
		const char *tz = scalar(map_get(root, "timezone"));

		cfg = xcalloc(1, sizeof(*cfg));
		cfg->path = xstrdup(path);
		for (size_t i = 0; i < CLI_NEPS; i++) {
			const char *v = scalar(map_get(eps, cli_eps[i].name));

			if (v && endpoint_ok(v))
				set_str(ep_slot(cfg, i), v);
			else if (v)
				buf_printf(why, "trygg: %s: endpoints.%s '%s' is not an endpoint; "
				    "not used\n", path, cli_eps[i].name, v);
		}
		if (tz != NULL)
			set_str(&cfg->timezone, tz);
	}
	cfg_yaml_free(&root);
	buf_free(&text);
	return cfg;
}

/* where the binary's directory may sit in a source tree, below its root */
static const char *const cli_tree_bins[] = {"/build/bin", "/build/san/bin"};
#define CLI_TREE_CONFIG "/config/trygg.yaml"
#define CLI_EXE_MAX 4096

const char *
cli_config_default(void)
{
	static char tree[CLI_EXE_MAX + sizeof(CLI_TREE_CONFIG)];
	char exe[CLI_EXE_MAX];
	ssize_t n;
	char *slash;

	if (access(CLI_CONFIG_DEFAULT, F_OK) == 0)
		return CLI_CONFIG_DEFAULT;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return CLI_CONFIG_DEFAULT;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return CLI_CONFIG_DEFAULT;
	*slash = '\0';         /* exe is the binary's directory now */
	for (size_t i = 0; i < sizeof(cli_tree_bins) / sizeof(cli_tree_bins[0]); i++) {
		size_t dl = strlen(exe), bl = strlen(cli_tree_bins[i]);

		if (dl < bl || strcmp(exe + dl - bl, cli_tree_bins[i]) != 0)
			continue;
		snprintf(tree, sizeof(tree), "%.*s%s", (int)(dl - bl), exe, CLI_TREE_CONFIG);
		if (access(tree, F_OK) == 0)
			return tree;
	}
	return CLI_CONFIG_DEFAULT;
}

int
cli_config_load(cli_t *cli, const char *const *endpoints, int nendpoints, bool optional)
{
	buf_t errors = BUF_INIT, why = BUF_INIT;
	struct stat st;
	const char *tz;

	if (stat(cli->cfg_path, &st) < 0 && errno == ENOENT) {
		if (cli->cfg_given && !optional)
			return cli_fail(EXIT_NOINPUT, "not_found", "%s: configuration file not "
			    "found (give another with -c FILE, or the endpoints with "
			    "--endpoint NAME=URL)", cli->cfg_path);
		/* no file: the endpoints come from the environment and the options */
		cli->cfg = xcalloc(1, sizeof(*cli->cfg));
		cli->cfg->path = xstrdup(cli->cfg_path);
		cli->cfg_missing = true;
		cli->cfg_partial = true;
	} else if ((cli->cfg = cfg_load(cli->cfg_path, &errors)) == NULL) {
		if ((cli->cfg = config_lenient(cli->cfg_path, &why)) == NULL) {
			int rc;

			fputs(buf_str(&errors), stderr);
			rc = cli_fail(EXIT_CONFIG, "config", "%s: invalid configuration (trygg "
			    "config check %s shows every problem)", cli->cfg_path, cli->cfg_path);
			buf_free(&errors);
			return rc;
		}
		cli->cfg_partial = true;
		if (!optional)
			fprintf(stderr, "trygg: warning: %s has errors (trygg config check %s "
			    "shows them); using only its endpoints and time zone\n%s",
			    cli->cfg_path, cli->cfg_path, buf_str(&why));
	}
	buf_free(&errors);
	buf_free(&why);
	for (size_t i = 0; i < CLI_NEPS; i++) {
		const char *v = getenv(cli_eps[i].env);

		if (v == NULL || *v == '\0')
			continue;
		if (!endpoint_ok(v))
			return cli_usage("%s: '%s' is not an endpoint (ipc://PATH or "
			    "tcp://HOST:PORT)", cli_eps[i].env, v);
		set_str(ep_slot(cli->cfg, i), v);
	}
	for (int k = 0; k < nendpoints; k++) {
		const char *eq = strchr(endpoints[k], '=');
		size_t i;

		for (i = 0; eq && i < CLI_NEPS; i++)
			if (strlen(cli_eps[i].name) == (size_t)(eq - endpoints[k]) &&
			    memcmp(cli_eps[i].name, endpoints[k], (size_t)(eq - endpoints[k])) == 0)
				break;
		if (eq == NULL || i == CLI_NEPS)
			return cli_usage("--endpoint takes NAME=URL with NAME one of intake, "
			    "escalation, notifications, reporting; not '%s'", endpoints[k]);
		if (!endpoint_ok(eq + 1))
			return cli_usage("--endpoint %s: '%s' is not an endpoint (ipc://PATH or "
			    "tcp://HOST:PORT)", cli_eps[i].name, eq + 1);
		set_str(ep_slot(cli->cfg, i), eq + 1);
	}
	/* an endpoint nobody gave is "", a pointer of its own: cli_call names it */
	for (size_t i = 0; i < CLI_NEPS; i++)
		if (*ep_slot(cli->cfg, i) == NULL)
			*ep_slot(cli->cfg, i) = xstrdup("");
	if ((tz = getenv("TRYGG_TIMEZONE")) != NULL && *tz != '\0')
		set_str(&cli->cfg->timezone, tz);
	if (cli->cfg->timezone == NULL)
		cli->cfg->timezone = xstrdup(CLI_TZ_DEFAULT);
	return 0;
}

int
cli_config_need(cli_t *cli, const char *what)
{
	if (!cli->cfg_partial)
		return 0;
	return cli_fail(cli->cfg_missing ? EXIT_NOINPUT : EXIT_CONFIG, cli->cfg_missing ? "not_found" :
	    "config", "%s needs the whole configuration, and %s %s", what, cli->cfg_path,
	    cli->cfg_missing ? "was not found (give one with -c FILE)" :
	    "has errors (trygg config check shows them)");
}
