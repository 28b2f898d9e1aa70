/*
 * test_ops.c: what running trygg in production rests on besides the
 * programs: the systemd units and the configuration that `make install`
 * writes, the man pages, and trygg.yaml(5) against the configuration
 * schema (every key cfg.c accepts is documented at its place, and nothing
 * else is). It runs make, groff and systemd-analyze, from the top of the
 * tree (make check runs it there); a missing tool is said, not passed over.
 */
#include "buf.h"
#include "cfg.h"
#include "harness.h"
#include "mem.h"
#include "test.h"

#include <glob.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPS_OUT_MAX (256 * 1024)        /* what a command may print before it is cut */

static const char *const ops_daemons[] = {
	"trygg-intake", "trygg-escalation", "trygg-reporting", "trygg-web",
};
#define OPS_NDAEMONS (sizeof(ops_daemons) / sizeof(ops_daemons[0]))

/*
 * Runs a shell command with stderr on stdout; *out gets what it printed
 * (malloc'd). Returns its exit status, or -1.
 */
static int __attribute__((format(printf, 2, 3)))
ops_run(char **out, const char *fmt, ...)
{
	buf_t cmd = BUF_INIT, got = BUF_INIT;
	char chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_puts(&cmd, " 2>&1");
	if ((p = popen(buf_str(&cmd), "r")) == NULL) {
		buf_free(&cmd);
		*out = xstrdup("");
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (got.len < OPS_OUT_MAX)
			buf_append(&got, chunk, n);
	status = pclose(p);
	*out = xstrdup(buf_str(&got));
	buf_free(&cmd);
	buf_free(&got);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool
ops_have(const char *tool)
{
	char *out;
	int rc = ops_run(&out, "command -v %s >/dev/null", tool);

	free(out);
	return rc == 0;
}

/* the build folder of the programs under test: $TRYGG_BIN/.. (build, build/san) */
static const char *
ops_build(void)
{
	static char build[4096];
	const char *bin = getenv("TRYGG_BIN") ? getenv("TRYGG_BIN") : "build/bin";
	char copy[4096];

	snprintf(copy, sizeof(copy), "%s", bin);
	snprintf(build, sizeof(build), "%s", dirname(copy));
	return build;
}

/* make install with the given variables; 0 or the failure's status */
static int
ops_install(const char *vars)
{
	char *out;
	int rc;

	/* a make of its own: not the jobserver of the make check that runs us */
	rc = ops_run(&out, "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory "
	    "install BUILD=%s SANITIZE=%s %s", ops_build(),
	    strstr(ops_build(), "san") != NULL ? "1" : "", vars);
	if (rc != 0)
		printf("make install %s: exit %d\n%s", vars, rc, out);
	free(out);
	return rc;
}

/* true when the unit text has the line "key=value" (value NULL: any value) */
static bool
ops_unit_has(const char *unit, const char *key, const char *value)
{
	size_t klen = strlen(key);

	for (const char *l = unit; l != NULL && *l != '\0'; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (len > klen && strncmp(l, key, klen) == 0 && l[klen] == '=' &&
		    (value == NULL || (len - klen - 1 == strlen(value) &&
		    strncmp(l + klen + 1, value, len - klen - 1) == 0)))
			return true;
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

/* what each daemon's unit must say: the hardening and restart policy of issue 10 */
static const struct {
	const char *key, *value;
} ops_unit_lines[] = {
	{"Type", "exec"},
	{"User", "trygg"},
	{"Group", "trygg"},
	{"UMask", "0027"},
	{"StateDirectory", "trygg"},
	{"ConfigurationDirectory", "trygg"},
	{"LimitNOFILE", NULL},
	{"Restart", "on-failure"},
	{"RestartSec", NULL},
	{"RestartPreventExitStatus", "78"},
	{"NoNewPrivileges", "yes"},
	{"CapabilityBoundingSet", ""},
	{"ProtectSystem", "strict"},
	{"ProtectHome", "yes"},
	{"PrivateTmp", "yes"},
	{"ProtectKernelTunables", "yes"},
	{"ProtectKernelModules", "yes"},
	{"ProtectKernelLogs", "yes"},
	{"RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"},
	{"SystemCallFilter", "@system-service"},
	{"MemoryDenyWriteExecute", "yes"},
	{"LockPersonality", "yes"},
	{"PartOf", "trygg.target"},
	{"WantedBy", "trygg.target"},
};

/* make install DESTDIR=...: units for every daemon, pointing at what was installed */
TEST(units_installed)
{
	char root[] = "/tmp/trygg-test-ops-XXXXXX", vars[512], path[1024], *out;

	CHECK(mkdtemp(root) != NULL);
	snprintf(vars, sizeof(vars), "DESTDIR=%s PREFIX=/usr SYSCONFDIR=/etc", root);
	CHECK_INT(ops_install(vars), 0);

	for (size_t i = 0; i < OPS_NDAEMONS; i++) {
		const char *d = ops_daemons[i];
		char exec[256], *unit;

		snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/%s.service", root, d);
		if ((unit = harness_read(path)) == NULL) {
			test_fail(__FILE__, __LINE__, "%s: not installed", path);
			continue;
		}
		for (size_t k = 0; k < sizeof(ops_unit_lines) / sizeof(ops_unit_lines[0]); k++)
			if (!ops_unit_has(unit, ops_unit_lines[k].key, ops_unit_lines[k].value))
				test_fail(__FILE__, __LINE__, "%s.service lacks %s=%s", d,
				    ops_unit_lines[k].key, ops_unit_lines[k].value ?
				    ops_unit_lines[k].value : "...");
		/* the links retry: no daemon's life is tied to another's */
		CHECK(!ops_unit_has(unit, "Requires", NULL));
		CHECK(!ops_unit_has(unit, "BindsTo", NULL));
		CHECK(strstr(unit, "@DAEMON@") == NULL && strstr(unit, "@PREFIX@") == NULL &&
		    strstr(unit, "@SYSCONFDIR@") == NULL);

		/* ExecStart is the program make install put in place, on the installed config */
		snprintf(exec, sizeof(exec), "/usr/bin/%s -c /etc/trygg/trygg.yaml", d);
		if (!ops_unit_has(unit, "ExecStart", exec))
			test_fail(__FILE__, __LINE__, "%s.service: ExecStart is not %s", d, exec);
		snprintf(path, sizeof(path), "%s/usr/bin/%s", root, d);
		CHECK(access(path, X_OK) == 0);
		CHECK_INT(ops_run(&out, "%s -n -c %s/etc/trygg/trygg.yaml", path, root), 0);
		CHECK_HAS(out, "configuration OK");
		free(out);
		free(unit);
	}

	/* the target wants every daemon; the configuration keeps data in the StateDirectory */
	snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/trygg.target", root);
	out = harness_read(path);
	CHECK(out != NULL);
	for (size_t i = 0; out != NULL && i < OPS_NDAEMONS; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s.service", ops_daemons[i]);
		CHECK_HAS(out, want);
	}
	free(out);
	/* the backup service runs the installed client on the installed configuration */
	snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/trygg-backup.service", root);
	CHECK_HAS((out = harness_read(path)), "ExecStart=/bin/sh -c 'exec /usr/bin/trygg -c "
	    "/etc/trygg/trygg.yaml backup ");
	CHECK(out != NULL && ops_unit_has(out, "User", "trygg"));
	free(out);
	snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/trygg-backup.timer", root);
	CHECK(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/usr/lib/sysusers.d/trygg.conf", root);
	CHECK_HAS((out = harness_read(path)), "u trygg ");
	free(out);
	{
		buf_t errors = BUF_INIT;
		cfg_t *cfg;

		snprintf(path, sizeof(path), "%s/etc/trygg/trygg.yaml", root);
		cfg = cfg_load(path, &errors);
		CHECK(cfg != NULL);
		if (cfg != NULL)
			CHECK_STR(cfg->data_dir, "/var/lib/trygg");
		cfg_destroy(&cfg);
		buf_free(&errors);
	}
	CHECK_INT(ops_run(&out, "rm -rf %s", root), 0);
	free(out);
}

/* systemd's own check of the units, installed where their paths are real */
TEST(units_verify)
{
	char root[] = "/tmp/trygg-test-ops-XXXXXX", vars[512], *out;
	int rc;

	if (!ops_have("systemd-analyze")) {
		printf("# units_verify: systemd-analyze is not installed: the units were "
		    "not verified by systemd\n");
		return;
	}
	CHECK(mkdtemp(root) != NULL);
	snprintf(vars, sizeof(vars), "PREFIX=%s/usr SYSCONFDIR=%s/etc", root, root);
	CHECK_INT(ops_install(vars), 0);
	/* --man=no: the pages are installed under the root, not where man looks */
	rc = ops_run(&out, "cd %s/usr/lib/systemd/system && systemd-analyze verify --man=no "
	    "trygg.target trygg-intake.service trygg-escalation.service "
	    "trygg-reporting.service trygg-web.service trygg-backup.service "
	    "trygg-backup.timer", root);
	CHECK_INT(rc, 0);
	/* a value systemd cannot parse is only a warning: it must not be there either */
	if (out[0] != '\0')
		test_fail(__FILE__, __LINE__, "systemd-analyze verify says:\n%s", out);
	free(out);
	CHECK_INT(ops_run(&out, "rm -rf %s", root), 0);
	free(out);
}

/* every man page in docs/ renders without a warning */
TEST(manpages_render)
{
	static const char *const pages[] = {
		"docs/trygg.1", "docs/trygg.yaml.5", "docs/trygg-intake.8",
		"docs/trygg-escalation.8", "docs/trygg-reporting.8", "docs/trygg-web.8",
	};
	glob_t g;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (access(pages[i], R_OK) != 0)
			test_fail(__FILE__, __LINE__, "%s is missing", pages[i]);
	if (!ops_have("groff")) {
		printf("# manpages_render: groff is not installed: the pages were not "
		    "checked for warnings\n");
		return;
	}
	CHECK_INT(glob("docs/*.[158]", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *out;
		int rc = ops_run(&out, "groff -t -mandoc -Tutf8 -ww -z %s", g.gl_pathv[i]);

		if (rc != 0 || out[0] != '\0')
			test_fail(__FILE__, __LINE__, "groff on %s: exit %d\n%s", g.gl_pathv[i],
			    rc, out);
		free(out);
	}
	globfree(&g);
}

/* ---- trygg.yaml(5) against the schema ---- */

typedef struct {
	char  **paths;
	size_t  n;
} ops_set_t;

static void
ops_set_add(const char *path, void *arg)
{
	ops_set_t *s = arg;

	s->paths = xrealloc(s->paths, (s->n + 1) * sizeof(*s->paths));
	s->paths[s->n++] = xstrdup(path);
}

static bool
ops_set_has(const ops_set_t *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->paths[i], path) == 0)
			return true;
	return false;
}

static void
ops_set_free(ops_set_t *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
}

#define OPS_DEPTH 8

/* Adds every path of names[0..depth) (each ' , '-separated alternatives) below prefix. */
static void
ops_page_paths(char names[][128], int depth, int d, const char *prefix, ops_set_t *out)
{
	char alt[128], path[512];

	if (d == depth) {
		ops_set_add(prefix, out);
		return;
	}
	snprintf(alt, sizeof(alt), "%s", names[d]);
	for (char *save = NULL, *a = strtok_r(alt, ",", &save); a != NULL;
	    a = strtok_r(NULL, ",", &save)) {
		a += strspn(a, " ");
		a[strcspn(a, " ")] = '\0';
		if (*a == '\0')
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, d > 0 ? "." : "", a);
		ops_page_paths(names, depth, d + 1, path, out);
	}
}

/*
 * The keys the page documents: in its "Top-level keys" section, every
 * ".It Ic NAME" of a list, named by the ".It Ic" items of the lists it is
 * nested in ("escalation.ack_timeout"). An item may name several keys
 * that share their description (".It Ic intake , escalation"), and what
 * is nested under it then belongs to each. Returns -1 when the section is
 * missing.
 */
static int
ops_page_keys(const char *page, ops_set_t *out)
{
	char item[OPS_DEPTH][128];
	int depth = 0;
	bool in = false;

	memset(item, 0, sizeof(item));
	for (const char *l = page; l != NULL && *l != '\0'; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l = nl ? nl + 1 : NULL;
		if (strncmp(line, ".Ss ", 4) == 0 || strncmp(line, ".Sh ", 4) == 0) {
			if (in)
				break;
			in = strcmp(line, ".Ss Top-level keys") == 0;
			continue;
		}
		if (!in)
			continue;
		if (strncmp(line, ".Bl", 3) == 0) {
			if (depth < OPS_DEPTH)
				item[depth][0] = '\0';
			depth++;
		} else if (strncmp(line, ".El", 3) == 0) {
			depth--;
		} else if (strncmp(line, ".It Ic ", 7) == 0 && depth >= 1 && depth <= OPS_DEPTH) {
			/* "NAME", "NAME :" or "NAME , NAME ...": the names, without the trailing ':' */
			const char *names = line + 7;
			size_t n = strlen(names);

			while (n > 0 && (names[n - 1] == ':' || names[n - 1] == ' '))
				n--;
			snprintf(item[depth - 1], sizeof(item[0]), "%.*s", (int)n, names);
			ops_page_paths(item, depth, 0, "", out);
		}
	}
	return in || out->n > 0 ? 0 : -1;
}

TEST(config_keys_documented)
{
	ops_set_t schema = {0}, page = {0};
	char *text = harness_read("docs/trygg.yaml.5");

	CHECK(text != NULL);
	cfg_keys(ops_set_add, &schema);
	CHECK(schema.n > 50);           /* the walk found the tables */
	CHECK(ops_set_has(&schema, "escalation.ack_timeout"));
	CHECK(ops_set_has(&schema, "office_hours.shortened.before_holiday"));
	CHECK_INT(ops_page_keys(text, &page), 0);
	for (size_t i = 0; i < schema.n; i++)
		if (!ops_set_has(&page, schema.paths[i]))
			test_fail(__FILE__, __LINE__, "trygg.yaml.5 does not document %s "
			    "(.It Ic %s in its place under Top-level keys)", schema.paths[i],
			    strrchr(schema.paths[i], '.') ? strrchr(schema.paths[i], '.') + 1 :
			    schema.paths[i]);
	for (size_t i = 0; i < page.n; i++)
		if (!ops_set_has(&schema, page.paths[i]))
			test_fail(__FILE__, __LINE__, "trygg.yaml.5 documents %s, which the "
			    "configuration does not accept", page.paths[i]);
	ops_set_free(&schema);
	ops_set_free(&page);
	free(text);
}

TEST_MAIN(units_installed, units_verify, manpages_render, config_keys_documented)
