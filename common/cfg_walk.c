/*
 * cfg_walk.c: the walk that checks a YAML tree against a schema table and
 * fills a struct from it; it knows the kinds of value (K_STR ... K_CUSTOM,
 * cfg_internal.h) but no key of trygg's (those are in cfg_schema.c).
 *
 * Every key of the file is a row of a cfg_key table: its name, its kind
 * (string, id, duration, date, list of objects, ...), whether it is
 * required, where its value goes (an offset into the object being filled),
 * and a default written as it would be in YAML, so that a default goes
 * through the same conversion and checks as a value from the file. The walk
 * records every problem with the line and column of the key or value and
 * carries on; the caller gets all of them, sorted by position, or a
 * configuration with none. Here too: the scalar conversions, the error list
 * with its messages, and freeing what a walk stored.
 */
#include "cfg_internal.h"
#include "mem.h"
#include "ts.h"
#include "tz.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_ID      64              /* bytes in an id */

struct cfg_err {
	int     line;
	int     col;
	size_t  seq;
	char   *message;
};

/* ---- roles ---- */

static const char *const cfg_roles[] = {
	[CFG_ROLE_SAKERHETSCHEF] = "sakerhetschef",
	[CFG_ROLE_DEPUTY] = "deputy",
	[CFG_ROLE_TIB] = "tib",
	[CFG_ROLE_COORDINATOR] = "coordinator",
	[CFG_ROLE_BEREDSKAP] = "beredskap",
};

const char *
cfg_role_name(cfg_role_t role)
{
	if ((int)role < 1 || (size_t)role >= sizeof(cfg_roles) / sizeof(cfg_roles[0]))
		return "unknown";
	return cfg_roles[role];
}

/* ---- errors ---- */

/* Records a problem at the node's position. */
void
cfg_error(cfg_loader_t *l, const node_t *at, const char *fmt, ...)
{
	struct cfg_err *e;
	buf_t b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if ((l->nerrs & (l->nerrs - 1)) == 0)
		l->errs = xrealloc(l->errs,
		    (l->nerrs ? l->nerrs * 2 : 1) * sizeof(*l->errs));
	e = &l->errs[l->nerrs];
	e->line = at ? at->line : 1;
	e->col = at ? at->col : 1;
	e->seq = l->nerrs++;
	e->message = xstrdup(buf_str(&b));
	buf_free(&b);
}

static int
cfg_err_cmp(const void *a, const void *b)
{
	const struct cfg_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the problems, in file order, to the caller's buffer. */
void
cfg_flush_errors(cfg_loader_t *l, buf_t *errors)
{
	qsort(l->errs, l->nerrs, sizeof(*l->errs), cfg_err_cmp);
	for (size_t i = 0; i < l->nerrs; i++) {
		if (errors != NULL)
			buf_printf(errors, "%s:%d:%d: %s\n", l->name,
			    l->errs[i].line, l->errs[i].col, l->errs[i].message);
		free(l->errs[i].message);
	}
	free(l->errs);
	l->errs = NULL;
	l->nerrs = 0;
}

/* Text from the file made safe to quote in a message: short, printable. */
const char *
cfg_show_text(const char *s, size_t len, char out[64])
{
	size_t n = len > 40 ? 40 : len, i;

	while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	for (i = 0; i < n; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	if (n < len) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* What a node is, for "found ..." */
static const char *
cfg_show(const node_t *n, char out[64])
{
	char text[64];

	if (n == NULL || (n->kind == CFG_YAML_SCALAR && n->null))
		return "nothing";
	if (n->kind == CFG_YAML_LIST)
		return "a list";
	if (n->kind == CFG_YAML_MAP)
		return "a mapping";
	snprintf(out, 64, "'%s'", cfg_show_text(n->str, n->len, text));
	return out;
}

void
cfg_expected(cfg_loader_t *l, const struct cfg_key *k, const node_t *n,
    const char *what)
{
	char found[64];

	cfg_error(l, n, "'%s': expected %s, found %s", k->name, what,
	    cfg_show(n, found));
}

/* ---- nodes ---- */

/* a scalar with a value; a NUL from a "\0" escape makes it unusable */
bool
cfg_is_scalar(const node_t *n)
{
	return n != NULL && n->kind == CFG_YAML_SCALAR && !n->null &&
	    strlen(n->str) == n->len;
}

/* the value under key in a mapping node, or NULL */
const node_t *
cfg_get(const node_t *map, const char *key)
{
	if (map == NULL || map->kind != CFG_YAML_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nitems; i += 2)
		if (map->items[i]->kind == CFG_YAML_SCALAR &&
		    strcmp(map->items[i]->str, key) == 0)
			return map->items[i + 1];
	return NULL;
}

const node_t *
cfg_item(const node_t *list, size_t i)
{
	if (list == NULL || list->kind != CFG_YAML_LIST || i >= list->nitems)
		return NULL;
	return list->items[i];
}

/* where to point at: the first of these that exists */
const node_t *
cfg_pos(const node_t *a, const node_t *b)
{
	return a != NULL ? a : b;
}

/* ---- scalar conversions ---- */

static bool
cfg_is_id(const char *s, size_t len, const char *chars)
{
	if (len == 0 || len > CFG_MAX_ID)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] != '\0' && strchr(chars, s[i]) != NULL)))
			return false;
	return true;
}

static int
cfg_parse_int(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == ' ')
		return -1;
	return 0;
}

/* ISO weekday of a name in English or Swedish, folded; 0 if none */
static int
cfg_weekday(const char *s, size_t len)
{
	static const char *const names[][4] = {
		{"mon", "monday", "man", "mandag"},
		{"tue", "tuesday", "tis", "tisdag"},
		{"wed", "wednesday", "ons", "onsdag"},
		{"thu", "thursday", "tor", "torsdag"},
		{"fri", "friday", "fre", "fredag"},
		{"sat", "saturday", "lor", "lordag"},
		{"sun", "sunday", "son", "sondag"},
	};
	buf_t b = BUF_INIT;
	int day = 0;

	utf8_fold(s, len, &b);
	for (int d = 0; d < 7 && day == 0; d++)
		for (int i = 0; i < 4; i++)
			if (strcmp(buf_str(&b), names[d][i]) == 0)
				day = d + 1;
	buf_free(&b);
	return day;
}

/* Adds "mon", "mon-fri" or "mon, wed, fri" to *days; returns 0 or -1. */
static int
cfg_parse_weekdays(const char *s, unsigned *days)
{
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *dash = memchr(s, '-', n);
		int a, b;

		if (dash != NULL) {
			a = cfg_weekday(s, (size_t)(dash - s));
			b = cfg_weekday(dash + 1, n - (size_t)(dash - s) - 1);
		} else {
			a = b = cfg_weekday(s, n);
		}
		if (a == 0 || b == 0)
			return -1;
		for (int d = a;; d = d % 7 + 1) {
			*days |= 1u << (d - 1);
			if (d == b)
				break;
		}
		s += n;
		if (*s == ',' && *++s == '\0')
			return -1;
	}
	return 0;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (or with 'T') in local minutes */
static int
cfg_parse_local(const char *s, size_t len, bool end, int64_t *out)
{
	int32_t day;
	int min;

	if (len == 10) {
		if (ts_parse_date(s, 10, &day) != 0)
			return -1;
		*out = ((int64_t)day + (end ? 1 : 0)) * 1440;
		return 0;
	}
	if (len != 16 || (s[10] != ' ' && s[10] != 'T') ||
	    ts_parse_date(s, 10, &day) != 0 || ts_parse_hhmm(s + 11, 5, &min) != 0)
		return -1;
	*out = (int64_t)day * 1440 + min;
	return 0;
}

/* tcp://host:port, ipc://path or inproc://name */
static bool
cfg_is_endpoint(const char *s)
{
	const char *host, *colon;
	long long port;

	if (strncmp(s, "ipc://", 6) == 0)
		return s[6] != '\0' && strlen(s + 6) < 108;    /* sun_path */
	if (strncmp(s, "inproc://", 9) == 0)
		return s[9] != '\0';
	if (strncmp(s, "tcp://", 6) != 0)
		return false;
	host = s + 6;
	if ((colon = strrchr(host, ':')) == NULL || colon == host ||
	    strpbrk(host, " \t/") != NULL)
		return false;
	if (strcmp(colon + 1, "*") == 0)
		return true;
	if (colon[1] < '0' || colon[1] > '9' || cfg_parse_int(colon + 1, &port) != 0)
		return false;
	return port >= 1 && port <= 65535;
}

/*
 * Opens the zone the way the daemons do (tz_open reads and parses the TZif
 * file), so that trygg config check and a daemon's -n never disagree about
 * a file that exists but cannot be read or is not a zone.
 */
static bool
cfg_zone_exists(const char *name)
{
	char err[256];
	tz_t *tz = tz_open(name, err, sizeof(err));
	bool ok = tz != NULL;

	tz_destroy(&tz);
	return ok;
}

/* data_dir against the file's folder; returns a string the caller frees */
char *
cfg_resolve(const char *dir, const char *path)
{
	buf_t b = BUF_INIT;

	if (path[0] != '/' && dir != NULL && dir[0] != '\0' &&
	    strcmp(dir, ".") != 0) {
		buf_puts(&b, dir);
		if (dir[strlen(dir) - 1] != '/')
			buf_putc(&b, '/');
	}
	buf_puts(&b, path);
	return b.data;
}

static void
cfg_set_string(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

static void
cfg_id_what(const char *chars, char out[64])
{
	if (strcmp(chars, "-_") == 0)
		snprintf(out, 64, "an id of a-z, 0-9, '-' and '_'");
	else
		snprintf(out, 64, "an id of a-z, 0-9 and '%s'", chars);
}

/* Converts a scalar node for key k and stores it in obj. */
static void
cfg_scalar(cfg_loader_t *l, const struct cfg_key *k, const node_t *n, void *obj)
{
	void *dst = AT(obj, k->off);
	const char *s = n->str;
	char what[64];
	long long v;
	int64_t ms;
	int32_t day;
	int min;

	switch (k->kind) {
	case K_STR:
	case K_PATH:
		if (!cfg_is_scalar(n) || n->len == 0) {
			cfg_expected(l, k, n, "a string");
			return;
		}
		if (k->kind == K_PATH) {
			free(*(char **)dst);
			*(char **)dst = cfg_resolve(l->dir, s);
		} else {
			cfg_set_string(dst, s);
		}
		return;
	case K_ID:
		cfg_id_what(k->chars, what);
		if (!cfg_is_scalar(n) || !cfg_is_id(s, n->len, k->chars))
			cfg_expected(l, k, n, what);
		else
			cfg_set_string(dst, s);
		return;
	case K_INT:
		snprintf(what, sizeof(what), "an integer from %ld to %ld",
		    k->min, k->max);
		if (!cfg_is_scalar(n) || cfg_parse_int(s, &v) != 0 ||
		    v < k->min || v > k->max)
			cfg_expected(l, k, n, what);
		else
			*(int *)dst = (int)v;
		return;
	case K_BOOL:
		if (cfg_is_scalar(n) && (strcmp(s, "true") == 0 ||
		    strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0))
			*(bool *)dst = true;
		else if (cfg_is_scalar(n) && (strcmp(s, "false") == 0 ||
		    strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0))
			*(bool *)dst = false;
		else
			cfg_expected(l, k, n, "true or false");
		return;
	case K_DURATION:
		if (!cfg_is_scalar(n) || ts_parse_duration(s, n->len, &ms) != 0 ||
		    ms <= 0)
			cfg_expected(l, k, n,
			    "a duration such as 500ms, 30s, 15m, 2h or 1d");
		else
			*(int64_t *)dst = ms;
		return;
	case K_DAYS:
		if (!cfg_is_scalar(n) || ts_parse_duration(s, n->len, &ms) != 0 ||
		    ms <= 0 || ms % 86400000 != 0 || ms / 86400000 > 366)
			cfg_expected(l, k, n, "whole days such as 7d");
		else
			*(int *)dst = (int)(ms / 86400000);
		return;
	case K_DATE:
		if (!cfg_is_scalar(n) || ts_parse_date(s, n->len, &day) != 0)
			cfg_expected(l, k, n, "a date YYYY-MM-DD");
		else
			*(int32_t *)dst = day;
		return;
	case K_HHMM:
		if (!cfg_is_scalar(n) || ts_parse_hhmm(s, n->len, &min) != 0)
			cfg_expected(l, k, n, "a time of day HH:MM");
		else
			*(int *)dst = min;
		return;
	case K_FROM:
	case K_TO:
		if (!cfg_is_scalar(n) ||
		    cfg_parse_local(s, n->len, k->kind == K_TO, &ms) != 0)
			cfg_expected(l, k, n,
			    "a date YYYY-MM-DD or a time YYYY-MM-DD HH:MM");
		else
			*(int64_t *)dst = ms;
		return;
	case K_ROLE:
		for (size_t r = 1; cfg_is_scalar(n) &&
		    r < sizeof(cfg_roles) / sizeof(cfg_roles[0]); r++)
			if (strcmp(s, cfg_roles[r]) == 0) {
				*(cfg_role_t *)dst = (cfg_role_t)r;
				return;
			}
		cfg_expected(l, k, n,
		    "sakerhetschef, deputy, tib or coordinator");
		return;
	case K_ENDPOINT:
		if (!cfg_is_scalar(n) || !cfg_is_endpoint(s))
			cfg_expected(l, k, n, "a ZeroMQ endpoint tcp://host:port, "
			    "ipc://path or inproc://name");
		else
			cfg_set_string(dst, s);
		return;
	case K_TIMEZONE:
		if (!cfg_is_scalar(n))
			cfg_expected(l, k, n, "a time zone such as Europe/Stockholm");
		else if (!cfg_zone_exists(s))
			cfg_error(l, n, "'%s': unknown time zone %s", k->name,
			    cfg_show(n, what));
		else
			cfg_set_string(dst, s);
		return;
	default:
		abort();        /* not a scalar kind: the table is wrong */
	}
}

/* ---- the walk ---- */

/* the edit distance of two short strings, for "did you mean" */
size_t
cfg_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65], diag, up;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void
cfg_unknown_key(cfg_loader_t *l, const struct cfg_schema *s, const node_t *key)
{
	const char *best = NULL;
	size_t bestd = 3, d;
	char text[64];

	for (const struct cfg_key *k = s->keys; k->name != NULL; k++)
		if ((d = cfg_distance(key->str, k->name)) < bestd &&
		    d < strlen(k->name) / 2 + 1) {
			best = k->name;
			bestd = d;
		}
	cfg_show_text(key->str, key->len, text);
	if (best != NULL)
		cfg_error(l, key, "unknown key '%s' (did you mean '%s'?)", text,
		    best);
	else
		cfg_error(l, key, "unknown key '%s'", text);
}

/* Reports the items of a list whose key k repeats an earlier item's. */
static void
cfg_check_unique(cfg_loader_t *l, const struct cfg_key *list,
    const struct cfg_key *k, const node_t *n, void *arr, size_t count)
{
	size_t size = list->sub->size;
	char text[64];

	for (size_t i = 1; i < count; i++) {
		void *a = AT(arr, i * size + k->off);

		for (size_t j = 0; j < i; j++) {
			void *b = AT(arr, j * size + k->off);
			const node_t *first, *dup;
			bool same;

			if (k->kind == K_DATE)
				same = *(int32_t *)a == *(int32_t *)b &&
				    cfg_get(cfg_item(n, i), k->name) != NULL &&
				    cfg_get(cfg_item(n, j), k->name) != NULL;
			else
				same = *(char **)a != NULL && *(char **)b != NULL &&
				    strcmp(*(char **)a, *(char **)b) == 0;
			if (!same)
				continue;
			first = cfg_get(cfg_item(n, j), k->name);
			dup = cfg_get(cfg_item(n, i), k->name);
			cfg_error(l, dup, "duplicate %s %s in '%s', first at "
			    "line %d", k->name, cfg_show(dup, text), list->name,
			    first ? first->line : 0);
			break;
		}
	}
}

/* Converts the value n of key k (from the file or a default) into obj. */
static void
cfg_value(cfg_loader_t *l, const struct cfg_key *k, const node_t *n, void *obj)
{
	void *dst = AT(obj, k->off);
	size_t count;
	char found[64];

	switch (k->kind) {
	case K_MAP:
		if (n->kind != CFG_YAML_MAP)
			cfg_expected(l, k, n, "a mapping");
		else
			cfg_walk_map(l, k->sub, n, n, dst);
		return;
	case K_LIST:
	case K_STRLIST:
	case K_WEEKDAYS:
		if (k->kind == K_WEEKDAYS && cfg_is_scalar(n)) {
			if (cfg_parse_weekdays(n->str, dst) != 0)
				cfg_expected(l, k, n,
				    "weekdays such as mon-fri or [mon, tue]");
			return;
		}
		if (n->kind != CFG_YAML_LIST && !n->null) {
			cfg_expected(l, k, n, "a list");
			return;
		}
		count = n->kind == CFG_YAML_LIST ? n->nitems : 0;
		if (count == 0 && (k->flags & F_NONEMPTY))
			cfg_error(l, n, "'%s' must not be empty", k->name);
		break;
	case K_CUSTOM:
		k->set(l, k, n, obj);
		return;
	default:
		cfg_scalar(l, k, n, obj);
		return;
	}

	if (k->kind == K_WEEKDAYS) {
		for (size_t i = 0; i < count; i++)
			if (!cfg_is_scalar(n->items[i]) ||
			    cfg_parse_weekdays(n->items[i]->str, dst) != 0)
				cfg_error(l, n->items[i], "'%s': expected a weekday "
				    "such as mon, found %s", k->name,
				    cfg_show(n->items[i], found));
		if (count == 0)
			cfg_error(l, n, "'%s' must not be empty", k->name);
	} else if (k->kind == K_STRLIST) {
		char **v = xcalloc(count + 1, sizeof(*v));

		*(char ***)dst = v;
		*(size_t *)AT(obj, k->noff) = count;
		for (size_t i = 0; i < count; i++) {
			const node_t *it = n->items[i];

			if (!cfg_is_scalar(it) || it->len == 0)
				cfg_error(l, it, "'%s': expected a string, "
				    "found %s", k->name, cfg_show(it, found));
			else
				v[i] = xstrdup(it->str);
		}
	} else {
		void *arr = xcalloc(count ? count : 1, k->sub->size);

		*(void **)dst = arr;
		*(size_t *)AT(obj, k->noff) = count;
		for (size_t i = 0; i < count; i++) {
			const node_t *it = n->items[i];

			if (it->kind != CFG_YAML_MAP)
				cfg_error(l, it, "'%s': expected a mapping, "
				    "found %s", k->name, cfg_show(it, found));
			else
				cfg_walk_map(l, k->sub, it, it,
				    AT(arr, i * k->sub->size));
		}
		for (const struct cfg_key *u = k->sub->keys; u->name; u++)
			if (u->flags & F_UNIQUE)
				cfg_check_unique(l, k, u, n, arr, count);
	}
}

/*
 * Fills obj from the mapping n (NULL when the mapping is absent: then only
 * defaults apply, and required keys are not asked for); where is the node
 * that messages about n point at.
 */
void
cfg_walk_map(cfg_loader_t *l, const struct cfg_schema *s, const node_t *n,
    const node_t *where, void *obj)
{
	bool seen[CFG_MAX_KEYS] = {false};
	const struct cfg_key *k;
	size_t i;

	/* a table longer than seen[] is a mistake in cfg_schema.c, said at every load */
	for (k = s->keys; k->name != NULL; k++)
		;
	if (k - s->keys > CFG_MAX_KEYS) {
		cfg_error(l, where, "trygg was built with a configuration table of %zu keys, "
		    "more than CFG_MAX_KEYS (%d): raise it in common/cfg_internal.h",
		    (size_t)(k - s->keys), CFG_MAX_KEYS);
		return;
	}
	for (i = 0; n != NULL && i + 1 < n->nitems; i += 2) {
		const node_t *key = n->items[i], *val = n->items[i + 1];
		char found[64];

		if (key->kind != CFG_YAML_SCALAR) {
			cfg_error(l, key, "expected a key, found %s",
			    cfg_show(key, found));
			continue;
		}
		for (k = s->keys; k->name != NULL; k++)
			if (strcmp(k->name, key->str) == 0)
				break;
		if (k->name == NULL) {
			cfg_unknown_key(l, s, key);
			continue;
		}
		if (seen[k - s->keys]) {
			cfg_error(l, key, "duplicate key '%s'", k->name);
			continue;
		}
		seen[k - s->keys] = true;
		if (val->kind == CFG_YAML_SCALAR && val->null &&
		    k->kind != K_LIST && k->kind != K_STRLIST) {
			if (k->flags & F_REQUIRED)
				cfg_expected(l, k, val, "a value");
			else if (k->dflt != NULL || k->kind == K_MAP)
				seen[k - s->keys] = false;  /* as if absent */
			continue;
		}
		cfg_value(l, k, val, obj);
	}
	for (k = s->keys; k->name != NULL; k++) {
		node_t dflt = {.kind = CFG_YAML_SCALAR};

		if (seen[k - s->keys])
			continue;
		if (n != NULL && (k->flags & F_REQUIRED)) {
			cfg_error(l, where, "missing key '%s'", k->name);
		} else if (k->kind == K_MAP) {
			cfg_walk_map(l, k->sub, NULL, where, AT(obj, k->off));
		} else if (k->dflt != NULL) {
			dflt.line = where ? where->line : 1;
			dflt.col = where ? where->col : 1;
			dflt.str = (char *)k->dflt;
			dflt.len = strlen(k->dflt);
			cfg_value(l, k, &dflt, obj);
		}
	}
	if (s->check != NULL)
		s->check(l, n, where, obj);
}

/* ---- freeing ---- */

/* Frees what the walk stored in obj, following the same schema. */
void
cfg_free_obj(const struct cfg_schema *s, void *obj)
{
	for (const struct cfg_key *k = s->keys; k->name != NULL; k++) {
		void *p = AT(obj, k->off);
		size_t n;

		switch (k->kind) {
		case K_STR:
		case K_ID:
		case K_ENDPOINT:
		case K_TIMEZONE:
		case K_PATH:
			free(*(char **)p);
			break;
		case K_STRLIST:
			n = *(size_t *)AT(obj, k->noff);
			for (size_t i = 0; *(char ***)p != NULL && i < n; i++)
				free((*(char ***)p)[i]);
			free(*(char ***)p);
			break;
		case K_MAP:
			cfg_free_obj(k->sub, p);
			break;
		case K_LIST:
			n = *(size_t *)AT(obj, k->noff);
			for (size_t i = 0; *(void **)p != NULL && i < n; i++)
				cfg_free_obj(k->sub,
				    AT(*(void **)p, i * k->sub->size));
			free(*(void **)p);
			break;
		default:
			break;
		}
	}
}
