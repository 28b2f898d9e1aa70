/*
 * cfg.c: the configuration's schema as one table, the walk that checks a
 * YAML tree against it, the checks that span keys, and the lookups.
 *
 * Every key of the file is a row of a cfg_key table: its name, its kind
 * (string, id, duration, date, list of objects, ...), whether it is
 * required, where its value goes (an offset into the object being filled),
 * and a default written as it would be in YAML, so that a default goes
 * through the same conversion and checks as a value from the file. The walk
 * records every problem with the line and column of the key or value and
 * carries on; the caller gets all of them, sorted by position, or a
 * configuration with none.
 */
#include "cfg.h"
#include "cfg_yaml.h"
#include "mem.h"
#include "ts.h"
#include "tz.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_MAX_FILE    (1024 * 1024)   /* a larger file is surely a mistake */
#define CFG_MAX_ID      64              /* bytes in an id */
#define CFG_MAX_ADDRESS 254             /* bytes in a contact's address (RFC 5321's path) */

typedef cfg_yaml_node_t node_t;

typedef enum {
	K_STR = 1,      /* char *, not empty */
	K_ID,           /* char *, 1..CFG_MAX_ID of a-z 0-9 and key->chars */
	K_INT,          /* int, key->min..key->max */
	K_BOOL,         /* bool */
	K_DURATION,     /* int64_t milliseconds */
	K_DAYS,         /* int: a duration of whole days ("7d") */
	K_DATE,         /* int32_t civil day */
	K_HHMM,         /* int minute of the day */
	K_WEEKDAYS,     /* unsigned: bit d-1 for ISO weekday d */
	K_FROM,         /* int64_t local minutes; a bare date means its start */
	K_TO,           /* int64_t local minutes; a bare date means its end */
	K_ROLE,         /* cfg_role_t */
	K_ENDPOINT,     /* char *, a ZeroMQ endpoint */
	K_TIMEZONE,     /* char *, a zone name under the zoneinfo folder */
	K_PATH,         /* char *, resolved against the file's folder */
	K_STRLIST,      /* char ** at off, size_t count at noff */
	K_MAP,          /* a nested object at off, described by sub */
	K_LIST,         /* an array of sub objects at off, size_t count at noff */
	K_CUSTOM,       /* key->set converts and stores */
} cfg_kind_t;

#define F_REQUIRED  0x1         /* the key must be given */
#define F_UNIQUE    0x2         /* no two items of the list share the value */
#define F_NONEMPTY  0x4         /* lists: at least one item */

struct cfg_err {
	int     line;
	int     col;
	size_t  seq;
	char   *message;
};

/* One run of the loader. */
typedef struct {
	const char      *name;      /* the file, for messages */
	const char      *dir;       /* its folder, for relative paths */
	struct cfg_err  *errs;
	size_t           nerrs;
	const node_t    *root;
	cfg_t           *cfg;
} cfg_loader_t;

struct cfg_key;

typedef void (cfg_set_fn)(cfg_loader_t *, const struct cfg_key *,
    const node_t *, void *obj);
typedef void (cfg_check_fn)(cfg_loader_t *, const node_t *map,
    const node_t *where, void *obj);

struct cfg_schema {
	const struct cfg_key *keys;     /* ends with a NULL name */
	size_t                size;     /* of one object, for lists */
	cfg_check_fn         *check;    /* after the keys: checks across them */
};

struct cfg_key {
	const char              *name;
	cfg_kind_t               kind;
	int                      flags;
	size_t                   off;       /* where the value goes */
	size_t                   noff;      /* K_STRLIST, K_LIST: the count */
	const char              *dflt;      /* the default, as written in YAML */
	const struct cfg_schema *sub;       /* K_MAP, K_LIST */
	cfg_set_fn              *set;       /* K_CUSTOM */
	const char              *chars;     /* K_ID: allowed besides a-z 0-9 */
	long                     min, max;  /* K_INT */
	const char              *what;      /* K_CUSTOM: what it expects */
};

/* one entry of a sorted lookup table */
struct cfg_ent {
	const char *key;
	size_t      len;
	const void *val;
	const char *canon;      /* districts: the configured spelling */
	size_t      seq;        /* the order of definition */
};

struct cfg_index {
	struct cfg_ent *teams, *categories, *contacts, *districts;
	size_t          nteams, ncategories, ncontacts, ndistricts;
};

#define OFF(type, field) offsetof(type, field)
#define AT(obj, off)     ((void *)((char *)(obj) + (off)))

static cfg_set_fn cfg_set_short_date, cfg_set_short_holiday, cfg_set_keep;
static cfg_check_fn cfg_check_daemon_key, cfg_check_client_key;
static cfg_check_fn cfg_check_root, cfg_check_office, cfg_check_short,
    cfg_check_override, cfg_check_escalation, cfg_check_channel, cfg_check_job;

/* ---- the schema ---- */

#define KEY(n, k, f, type, field) \
	.name = (n), .kind = (k), .flags = (f), .off = offsetof(type, field)
#define COUNT(type, field) .noff = offsetof(type, field)
#define CUSTOM(n, fn, w) .name = (n), .kind = K_CUSTOM, .set = (fn), .what = (w)
#define REQ  F_REQUIRED
#define UNIQ F_UNIQUE
#define NONE F_NONEMPTY
#define END  {.name = NULL}

static const struct cfg_key cfg_endpoint_keys[] = {
	{KEY("intake", K_ENDPOINT, 0, cfg_endpoints_t, intake),
	    .dflt = "tcp://127.0.0.1:7101"},
	{KEY("escalation", K_ENDPOINT, 0, cfg_endpoints_t, escalation),
	    .dflt = "tcp://127.0.0.1:7102"},
	{KEY("notifications", K_ENDPOINT, 0, cfg_endpoints_t, notifications),
	    .dflt = "tcp://127.0.0.1:7103"},
	{KEY("reporting", K_ENDPOINT, 0, cfg_endpoints_t, reporting),
	    .dflt = "tcp://127.0.0.1:7104"},
	END
};
static const struct cfg_schema cfg_endpoint_schema = {
	cfg_endpoint_keys, 0, NULL,
};

static const struct cfg_key cfg_team_keys[] = {
	{KEY("id", K_ID, REQ | UNIQ, cfg_team_t, id), .chars = "-"},
	{KEY("name", K_STR, REQ, cfg_team_t, name)},
	{KEY("districts", K_STRLIST, REQ | NONE, cfg_team_t, districts),
	    COUNT(cfg_team_t, ndistricts)},
	{KEY("coordinator", K_STR, REQ, cfg_team_t, coordinator)},
	END
};
static const struct cfg_schema cfg_team_schema = {
	cfg_team_keys, sizeof(cfg_team_t), NULL,
};

static const struct cfg_key cfg_category_keys[] = {
	{KEY("id", K_ID, REQ | UNIQ, cfg_category_t, id), .chars = "_"},
	{KEY("name", K_STR, REQ, cfg_category_t, name)},
	{KEY("beyond_scope", K_BOOL, 0, cfg_category_t, beyond_scope),
	    .dflt = "false"},
	END
};
static const struct cfg_schema cfg_category_schema = {
	cfg_category_keys, sizeof(cfg_category_t), NULL,
};

static const struct cfg_key cfg_scope_keys[] = {
	{KEY("external_min_severity", K_INT, 0, cfg_scope_t,
	    external_min_severity), .dflt = "4", .min = 1, .max = 6},
	END
};
static const struct cfg_schema cfg_scope_schema = {cfg_scope_keys, 0, NULL};

static const struct cfg_key cfg_contact_keys[] = {
	{KEY("id", K_ID, REQ | UNIQ, cfg_contact_t, id), .chars = "-_"},
	{KEY("name", K_STR, REQ, cfg_contact_t, name)},
	{KEY("role", K_ROLE, REQ, cfg_contact_t, role)},
	{KEY("team", K_STR, 0, cfg_contact_t, team)},
	{KEY("notify", K_STR, 0, cfg_contact_t, notify)},
	{KEY("address", K_STR, 0, cfg_contact_t, address)},
	END
};
static const struct cfg_schema cfg_contact_schema = {
	cfg_contact_keys, sizeof(cfg_contact_t), NULL,
};

static const struct cfg_key cfg_channel_keys[] = {
	{KEY("id", K_ID, REQ | UNIQ, cfg_channel_t, id), .chars = "-_"},
	{KEY("command", K_STRLIST, REQ | NONE, cfg_channel_t, command),
	    COUNT(cfg_channel_t, ncommand)},
	/* no default: escalation.notify_timeout fills it in (cfg_check_notify) */
	{KEY("timeout", K_DURATION, 0, cfg_channel_t, timeout_ms)},
	END
};
static const struct cfg_schema cfg_channel_schema = {
	cfg_channel_keys, sizeof(cfg_channel_t), cfg_check_channel,
};

static const struct cfg_key cfg_closed_keys[] = {
	{KEY("date", K_DATE, REQ | UNIQ, cfg_closed_t, day)},
	{KEY("reason", K_STR, REQ, cfg_closed_t, reason)},
	END
};
static const struct cfg_schema cfg_closed_schema = {
	cfg_closed_keys, sizeof(cfg_closed_t), NULL,
};

static const struct cfg_key cfg_short_keys[] = {
	{CUSTOM("date", cfg_set_short_date, "a date YYYY-MM-DD")},
	{CUSTOM("before_holiday", cfg_set_short_holiday, "true or false")},
	{KEY("close", K_HHMM, REQ, cfg_short_t, close_min)},
	{KEY("reason", K_STR, 0, cfg_short_t, reason)},
	END
};
static const struct cfg_schema cfg_short_schema = {
	cfg_short_keys, sizeof(cfg_short_t), cfg_check_short,
};

static const struct cfg_key cfg_office_keys[] = {
	{KEY("days", K_WEEKDAYS, 0, cfg_office_t, weekdays), .dflt = "mon-fri"},
	{KEY("open", K_HHMM, 0, cfg_office_t, open_min), .dflt = "08:00"},
	{KEY("close", K_HHMM, 0, cfg_office_t, close_min), .dflt = "17:00"},
	{KEY("closed", K_LIST, 0, cfg_office_t, closed),
	    COUNT(cfg_office_t, nclosed), .sub = &cfg_closed_schema},
	{KEY("shortened", K_LIST, 0, cfg_office_t, shortened),
	    COUNT(cfg_office_t, nshortened), .sub = &cfg_short_schema},
	END
};
static const struct cfg_schema cfg_office_schema = {
	cfg_office_keys, 0, cfg_check_office,
};

static const struct cfg_key cfg_override_keys[] = {
	{KEY("from", K_FROM, REQ, cfg_override_t, from)},
	{KEY("to", K_TO, REQ, cfg_override_t, to)},
	{KEY("contact", K_STR, REQ, cfg_override_t, contact)},
	{KEY("reason", K_STR, 0, cfg_override_t, reason)},
	END
};
static const struct cfg_schema cfg_override_schema = {
	cfg_override_keys, sizeof(cfg_override_t), cfg_check_override,
};

static const struct cfg_key cfg_rota_keys[] = {
	{KEY("contacts", K_STRLIST, REQ | NONE, cfg_rota_t, contacts),
	    COUNT(cfg_rota_t, ncontacts)},
	{KEY("period", K_DAYS, 0, cfg_rota_t, period_days), .dflt = "7d"},
	{KEY("start", K_DATE, REQ, cfg_rota_t, start_day)},
	{KEY("handover", K_HHMM, 0, cfg_rota_t, handover_min), .dflt = "08:00"},
	{KEY("deputy", K_STR, 0, cfg_rota_t, deputy)},
	{KEY("overrides", K_LIST, 0, cfg_rota_t, overrides),
	    COUNT(cfg_rota_t, noverrides), .sub = &cfg_override_schema},
	END
};
static const struct cfg_schema cfg_rota_schema = {cfg_rota_keys, 0, NULL};

static const struct cfg_key cfg_escalation_keys[] = {
	{KEY("ack_timeout", K_DURATION, 0, cfg_escalation_t, ack_timeout_ms),
	    .dflt = "15m"},
	{KEY("renotify_every", K_DURATION, 0, cfg_escalation_t,
	    renotify_every_ms), .dflt = "5m"},
	{KEY("notify_timeout", K_DURATION, 0, cfg_escalation_t,
	    notify_timeout_ms), .dflt = "10s"},
	{KEY("notify_retry", K_DURATION, 0, cfg_escalation_t,
	    notify_retry_ms), .dflt = "30s"},
	{KEY("notify_parallel", K_INT, 0, cfg_escalation_t, notify_parallel),
	    .dflt = "4", .min = 1, .max = 64},
	{KEY("policy", K_STRLIST, NONE, cfg_escalation_t, policy),
	    COUNT(cfg_escalation_t, npolicy)},
	{KEY("reinforcement_policy", K_STRLIST, NONE, cfg_escalation_t, reinforcement_policy),
	    COUNT(cfg_escalation_t, nreinforcement_policy)},
	END
};
static const struct cfg_schema cfg_escalation_schema = {
	cfg_escalation_keys, 0, cfg_check_escalation,
};

static const struct cfg_key cfg_job_keys[] = {
	{KEY("id", K_ID, REQ | UNIQ, cfg_job_t, id), .chars = "-_"},
	{KEY("kind", K_STR, REQ, cfg_job_t, kind)},
	{KEY("team", K_STR, 0, cfg_job_t, team)},
	{KEY("period", K_STR, REQ, cfg_job_t, period)},
	{KEY("format", K_STR, 0, cfg_job_t, format), .dflt = "html"},
	{KEY("suppress", K_BOOL, 0, cfg_job_t, suppress), .dflt = "true"},
	{KEY("output", K_STR, 0, cfg_job_t, output), .dflt = "reports"},
	{KEY("schedule", K_STR, REQ, cfg_job_t, schedule_text)},
	END
};
static const struct cfg_schema cfg_job_schema = {
	cfg_job_keys, sizeof(cfg_job_t), cfg_check_job,
};

static const struct cfg_key cfg_web_keys[] = {
	{KEY("listen", K_STR, 0, cfg_web_t, listen), .dflt = "http://127.0.0.1:7180"},
	{KEY("base_url", K_STR, 0, cfg_web_t, base_url)},
	{KEY("user_header", K_STR, 0, cfg_web_t, user_header), .dflt = "X-Remote-User"},
	{KEY("trusted_proxies", K_STRLIST, 0, cfg_web_t, trusted_proxies),
	    COUNT(cfg_web_t, ntrusted_proxies)},
	{KEY("open_intake", K_BOOL, 0, cfg_web_t, open_intake), .dflt = "true"},
	END
};
static const struct cfg_schema cfg_web_schema = {cfg_web_keys, 0, NULL};

static const struct cfg_key cfg_links_keys[] = {
	{KEY("stale_after", K_DURATION, 0, cfg_links_t, stale_after_ms), .dflt = "60s"},
	END
};
static const struct cfg_schema cfg_links_schema = {cfg_links_keys, 0, NULL};

#define CFG_KEEP_WHAT "a period such as 24 months or 90d"

static const struct cfg_key cfg_retention_keys[] = {
	{CUSTOM("incidents", cfg_set_keep, CFG_KEEP_WHAT),
	    .off = offsetof(cfg_retention_t, incidents), .dflt = "24 months"},
	{CUSTOM("escalations", cfg_set_keep, CFG_KEEP_WHAT),
	    .off = offsetof(cfg_retention_t, escalations), .dflt = "24 months"},
	END
};
static const struct cfg_schema cfg_retention_schema = {cfg_retention_keys, 0, NULL};
static const struct cfg_key cfg_daemon_key_keys[] = {
	{KEY("public_key", K_STR, REQ, cfg_daemon_key_t, public_key)},
	{KEY("secret_key_file", K_PATH, 0, cfg_daemon_key_t, secret_key_file)},
	END
};
static const struct cfg_schema cfg_daemon_key_schema = {
	cfg_daemon_key_keys, 0, cfg_check_daemon_key,
};

static const struct cfg_key cfg_client_key_keys[] = {
	{KEY("name", K_ID, REQ | UNIQ, cfg_client_key_t, name), .chars = "-_."},
	{KEY("public_key", K_STR, REQ | UNIQ, cfg_client_key_t, public_key)},
	{KEY("role", K_STR, REQ, cfg_client_key_t, role)},
	{KEY("contact", K_STR, 0, cfg_client_key_t, contact)},
	{KEY("team", K_STR, 0, cfg_client_key_t, team)},
	END
};
static const struct cfg_schema cfg_client_key_schema = {
	cfg_client_key_keys, sizeof(cfg_client_key_t), cfg_check_client_key,
};

static const struct cfg_key cfg_auth_keys[] = {
	{KEY("intake", K_MAP, 0, cfg_auth_t, intake), .sub = &cfg_daemon_key_schema},
	{KEY("escalation", K_MAP, 0, cfg_auth_t, escalation), .sub = &cfg_daemon_key_schema},
	{KEY("reporting", K_MAP, 0, cfg_auth_t, reporting), .sub = &cfg_daemon_key_schema},
	{KEY("client_key_file", K_PATH, 0, cfg_auth_t, client_key_file)},
	{KEY("web_key_file", K_PATH, 0, cfg_auth_t, web_key_file)},
	{KEY("clients", K_LIST, 0, cfg_auth_t, clients),
	    COUNT(cfg_auth_t, nclients), .sub = &cfg_client_key_schema},
	END
};
static const struct cfg_schema cfg_auth_schema = {cfg_auth_keys, 0, NULL};

static const struct cfg_key cfg_root_keys[] = {
	{KEY("data_dir", K_PATH, 0, cfg_t, data_dir), .dflt = "../var"},
	{KEY("timezone", K_TIMEZONE, 0, cfg_t, timezone),
	    .dflt = "Europe/Stockholm"},
	{KEY("endpoints", K_MAP, 0, cfg_t, endpoints),
	    .sub = &cfg_endpoint_schema},
	{KEY("teams", K_LIST, REQ | NONE, cfg_t, teams),
	    COUNT(cfg_t, nteams), .sub = &cfg_team_schema},
	{KEY("categories", K_LIST, REQ | NONE, cfg_t, categories),
	    COUNT(cfg_t, ncategories), .sub = &cfg_category_schema},
	{KEY("scope", K_MAP, 0, cfg_t, scope), .sub = &cfg_scope_schema},
	{KEY("contacts", K_LIST, REQ | NONE, cfg_t, contacts),
	    COUNT(cfg_t, ncontacts), .sub = &cfg_contact_schema},
	{KEY("office_hours", K_MAP, 0, cfg_t, office),
	    .sub = &cfg_office_schema},
	{KEY("rota", K_MAP, REQ, cfg_t, rota), .sub = &cfg_rota_schema},
	{KEY("escalation", K_MAP, 0, cfg_t, escalation),
	    .sub = &cfg_escalation_schema},
	{KEY("notify", K_LIST, 0, cfg_t, channels),
	    COUNT(cfg_t, nchannels), .sub = &cfg_channel_schema},
	{KEY("report_jobs", K_LIST, 0, cfg_t, jobs),
	    COUNT(cfg_t, njobs), .sub = &cfg_job_schema},
	{KEY("web", K_MAP, 0, cfg_t, web), .sub = &cfg_web_schema},
	{KEY("links", K_MAP, 0, cfg_t, links), .sub = &cfg_links_schema},
	{KEY("retention", K_MAP, 0, cfg_t, retention), .sub = &cfg_retention_schema},
	{KEY("auth", K_MAP, 0, cfg_t, auth), .sub = &cfg_auth_schema},
	END
};
static const struct cfg_schema cfg_root_schema = {
	cfg_root_keys, sizeof(cfg_t), cfg_check_root,
};

#define CFG_MAX_KEYS 24         /* the most keys of any one schema */

static const char *const cfg_roles[] = {
	[CFG_ROLE_SAKERHETSCHEF] = "sakerhetschef",
	[CFG_ROLE_DEPUTY] = "deputy",
	[CFG_ROLE_TIB] = "tib",
	[CFG_ROLE_COORDINATOR] = "coordinator",
	[CFG_ROLE_BEREDSKAP] = "beredskap",
};

/* ---- errors ---- */

static void cfg_error(cfg_loader_t *, const node_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a problem at the node's position. */
static void
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
static void
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
static const char *
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

static void
cfg_expected(cfg_loader_t *l, const struct cfg_key *k, const node_t *n,
    const char *what)
{
	char found[64];

	cfg_error(l, n, "'%s': expected %s, found %s", k->name, what,
	    cfg_show(n, found));
}

/* ---- nodes ---- */

/* a scalar with a value; a NUL from a "\0" escape makes it unusable */
static bool
cfg_is_scalar(const node_t *n)
{
	return n != NULL && n->kind == CFG_YAML_SCALAR && !n->null &&
	    strlen(n->str) == n->len;
}

/* the value under key in a mapping node, or NULL */
static const node_t *
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

static const node_t *
cfg_item(const node_t *list, size_t i)
{
	if (list == NULL || list->kind != CFG_YAML_LIST || i >= list->nitems)
		return NULL;
	return list->items[i];
}

/* where to point at: the first of these that exists */
static const node_t *
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
static char *
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

static void cfg_walk_map(cfg_loader_t *, const struct cfg_schema *,
    const node_t *, const node_t *, void *);

/* the edit distance of two short strings, for "did you mean" */
static size_t
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
static void
cfg_walk_map(cfg_loader_t *l, const struct cfg_schema *s, const node_t *n,
    const node_t *where, void *obj)
{
	bool seen[CFG_MAX_KEYS] = {false};
	const struct cfg_key *k;
	size_t i;

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

/* ---- checks within one object ---- */

static void
cfg_set_short_date(cfg_loader_t *l, const struct cfg_key *k, const node_t *n,
    void *obj)
{
	cfg_short_t *sh = obj;
	int32_t day;

	if (!cfg_is_scalar(n) || ts_parse_date(n->str, n->len, &day) != 0) {
		cfg_expected(l, k, n, k->what);
		return;
	}
	if (sh->kind != 0) {
		cfg_error(l, n, "'date' and 'before_holiday' exclude each other");
		return;
	}
	sh->kind = CFG_SHORT_DATE;
	sh->day = day;
}

static void
cfg_set_short_holiday(cfg_loader_t *l, const struct cfg_key *k,
    const node_t *n, void *obj)
{
	cfg_short_t *sh = obj;

	if (cfg_is_scalar(n) && strcmp(n->str, "false") == 0)
		return;
	if (!cfg_is_scalar(n) || strcmp(n->str, "true") != 0) {
		cfg_expected(l, k, n, k->what);
		return;
	}
	if (sh->kind != 0) {
		cfg_error(l, n, "'date' and 'before_holiday' exclude each other");
		return;
	}
	sh->kind = CFG_SHORT_BEFORE_HOLIDAY;
}

/* "24 months", "1 month", or a duration ("90d", "12h") */
static void
cfg_set_keep(cfg_loader_t *l, const struct cfg_key *k, const node_t *n, void *obj)
{
	cfg_keep_t *keep = AT(obj, k->off);
	const char *s = cfg_is_scalar(n) ? n->str : "";
	size_t len = cfg_is_scalar(n) ? n->len : 0, i = 0;
	int64_t v = 0, ms;

	while (i < len && s[i] >= '0' && s[i] <= '9' && v <= CFG_KEEP_MONTHS_MAX)
		v = v * 10 + (s[i++] - '0');
	if (i > 0 && i < len && v >= 1 && v <= CFG_KEEP_MONTHS_MAX &&
	    (strcmp(s + i, " months") == 0 || strcmp(s + i, " month") == 0 ||
	    strcmp(s + i, "months") == 0 || strcmp(s + i, "month") == 0)) {
		*keep = (cfg_keep_t){.months = (int)v};
		return;
	}
	if (len == 0 || ts_parse_duration(s, len, &ms) != 0 || ms <= 0) {
		cfg_expected(l, k, n, k->what);
		return;
	}
	*keep = (cfg_keep_t){.ms = ms};
}

static void
cfg_check_short(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_short_t *sh = obj;

	if (sh->kind == 0 && cfg_get(map, "date") == NULL &&
	    cfg_get(map, "before_holiday") == NULL)
		cfg_error(l, where, "a shortened day needs 'date' or "
		    "'before_holiday: true'");
	else if (sh->kind == 0 && cfg_get(map, "date") == NULL)
		cfg_error(l, cfg_get(map, "before_holiday"), "a shortened day "
		    "with 'before_holiday: false' never applies");
}

/* true when a time of day is absent (the default applies) or valid */
static bool
cfg_hhmm_ok(const node_t *n)
{
	int min;

	return n == NULL || (cfg_is_scalar(n) &&
	    ts_parse_hhmm(n->str, n->len, &min) == 0);
}

static void
cfg_check_office(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_office_t *o = obj;
	const node_t *list = cfg_get(map, "shortened");

	if (cfg_hhmm_ok(cfg_get(map, "open")) &&
	    cfg_hhmm_ok(cfg_get(map, "close")) && o->open_min >= o->close_min)
		cfg_error(l, cfg_pos(cfg_get(map, "close"), where),
		    "'close' must be later than 'open'");
	for (size_t i = 0; o->shortened != NULL && i < o->nshortened; i++) {
		const node_t *c = cfg_get(cfg_item(list, i), "close");

		if (cfg_hhmm_ok(c) && c != NULL && cfg_hhmm_ok(cfg_get(map,
		    "open")) && cfg_hhmm_ok(cfg_get(map, "close")) &&
		    (o->shortened[i].close_min <= o->open_min ||
		    o->shortened[i].close_min >= o->close_min))
			cfg_error(l, c, "'close': a shortened day must close "
			    "after 'open' and before 'close' of office_hours");
	}
}

static void
cfg_check_override(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_override_t *o = obj;
	const node_t *from = cfg_get(map, "from"), *to = cfg_get(map, "to");

	if (cfg_is_scalar(from) && cfg_is_scalar(to) && o->from != 0 &&
	    o->to != 0 && o->from >= o->to)
		cfg_error(l, to, "'to' must be later than 'from'");
}

static void
cfg_check_escalation(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_escalation_t *e = obj;

	if (e->renotify_every_ms > e->ack_timeout_ms && e->ack_timeout_ms > 0)
		cfg_error(l, cfg_pos(cfg_get(map, "renotify_every"), where),
		    "'renotify_every' must not be longer than 'ack_timeout'");
}

/* A relative program path (with a '/') is taken from the file's folder, like data_dir. */
static void
cfg_check_channel(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_channel_t *ch = obj;
	char *cmd;

	if (ch->command == NULL || ch->ncommand == 0 ||
	    (cmd = ch->command[0]) == NULL)
		return;
	if (cmd[0] != '/' && strchr(cmd, '/') != NULL) {
		ch->command[0] = cfg_resolve(l->dir, cmd);
		free(cmd);
	}
}

/* a report job's kind, period, format and schedule */
static void
cfg_check_job(cfg_loader_t *l, const node_t *map, const node_t *where, void *obj)
{
	static const char *const kinds[] = {"lagesbild", "escalations", "annual", NULL};
	static const char *const periods[] = {"previous_week", "previous_month",
	    "previous_quarter", "previous_tertial", "previous_year", NULL};
	static const char *const formats[] = {"json", "csv", "md", "html", NULL};
	static const struct {
		const char *key;
		const char *const *set;
	} enums[] = {{"kind", kinds}, {"period", periods}, {"format", formats}};
	cfg_job_t *job = obj;
	const char *vals[] = {job->kind, job->period, job->format};
	char err[128];

	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		const char *const *c;

		if (vals[i] == NULL)
			continue;
		for (c = enums[i].set; *c && strcmp(*c, vals[i]) != 0; c++)
			;
		if (*c == NULL) {
			buf_t b = BUF_INIT;

			for (c = enums[i].set; *c; c++)
				buf_printf(&b, "%s%s", c == enums[i].set ? "" : ", ", *c);
			cfg_error(l, cfg_get(map, enums[i].key), "'%s' must be one of: %s",
			    enums[i].key, buf_str(&b));
			buf_free(&b);
		}
	}
	if (job->schedule_text != NULL && schedule_parse(job->schedule_text,
	    strlen(job->schedule_text), &job->schedule, err, sizeof(err)) < 0)
		cfg_error(l, cfg_get(map, "schedule"), "'schedule': %s", err);
	(void)where;
}

/* a report job's team is a configured team */
static void
cfg_check_jobs(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *list = cfg_get(l->root, "report_jobs");
	char text[64];

	for (size_t i = 0; cfg->jobs != NULL && i < cfg->njobs; i++) {
		const char *team = cfg->jobs[i].team;

		if (team != NULL && cfg_team(cfg, team, strlen(team)) == NULL)
			cfg_error(l, cfg_get(cfg_item(list, i), "team"),
			    "'team': no team has the id '%s'", cfg_show_text(team,
			    strlen(team), text));
	}
}

/* ---- the index ---- */

static int
cfg_ent_cmp(const void *a, const void *b)
{
	const struct cfg_ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct cfg_ent *
cfg_find(const struct cfg_ent *a, size_t n, const char *key, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t m = a[mid].len < len ? a[mid].len : len;
		int c = memcmp(a[mid].key, key, m);

		if (c == 0)
			c = a[mid].len < len ? -1 : a[mid].len > len;
		if (c == 0)
			return &a[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A sorted table of the id field of each of count objects. */
static struct cfg_ent *
cfg_index_ids(const void *arr, size_t count, size_t size, size_t off,
    size_t *n)
{
	struct cfg_ent *e = xcalloc(count ? count : 1, sizeof(*e));

	*n = 0;
	for (size_t i = 0; i < count; i++) {
		const void *obj = (const char *)arr + i * size;
		const char *id = *(char *const *)((const char *)obj + off);

		if (id == NULL)
			continue;
		e[*n] = (struct cfg_ent){id, strlen(id), obj, id, i};
		(*n)++;
	}
	qsort(e, *n, sizeof(*e), cfg_ent_cmp);
	return e;
}

/*
 * Builds the lookup tables, reporting a district that two teams (or one
 * team twice) claim: the first claim stays.
 */
static void
cfg_index_build(cfg_loader_t *l, cfg_t *cfg)
{
	struct cfg_index *ix = xcalloc(1, sizeof(*ix));
	const node_t *teams = cfg_get(l->root, "teams");
	size_t total = 0, n = 0;

	cfg->index_ = ix;
	ix->teams = cfg_index_ids(cfg->teams, cfg->nteams, sizeof(cfg_team_t),
	    OFF(cfg_team_t, id), &ix->nteams);
	ix->categories = cfg_index_ids(cfg->categories, cfg->ncategories,
	    sizeof(cfg_category_t), OFF(cfg_category_t, id), &ix->ncategories);
	ix->contacts = cfg_index_ids(cfg->contacts, cfg->ncontacts,
	    sizeof(cfg_contact_t), OFF(cfg_contact_t, id), &ix->ncontacts);

	for (size_t i = 0; i < cfg->nteams; i++)
		total += cfg->teams[i].ndistricts;
	ix->districts = xcalloc(total ? total : 1, sizeof(*ix->districts));
	for (size_t i = 0; i < cfg->nteams; i++) {
		const cfg_team_t *t = &cfg->teams[i];

		for (size_t j = 0; j < t->ndistricts; j++) {
			buf_t b = BUF_INIT;

			if (t->districts[j] == NULL)
				continue;
			utf8_fold(t->districts[j], strlen(t->districts[j]), &b);
			ix->districts[n++] = (struct cfg_ent){b.data, b.len, t,
			    t->districts[j], (i << 16) | j};
		}
	}
	qsort(ix->districts, n, sizeof(*ix->districts), cfg_ent_cmp);

	ix->ndistricts = 0;
	for (size_t i = 0; i < n; i++) {
		struct cfg_ent *e = &ix->districts[i];
		const struct cfg_ent *first;
		const node_t *at;
		char text[64];

		if (ix->ndistricts == 0 ||
		    (first = &ix->districts[ix->ndistricts - 1])->len != e->len ||
		    memcmp(first->key, e->key, e->len) != 0) {
			ix->districts[ix->ndistricts++] = *e;
			continue;
		}
		at = cfg_item(cfg_get(cfg_item(teams, e->seq >> 16),
		    "districts"), e->seq & 0xffff);
		cfg_show_text(e->canon, strlen(e->canon), text);
		if (first->val == e->val)
			cfg_error(l, at, "district '%s' is listed twice", text);
		else
			cfg_error(l, at, "district '%s' already belongs to team "
			    "'%s'", text, ((const cfg_team_t *)first->val)->id ?
			    ((const cfg_team_t *)first->val)->id : "?");
		free((char *)e->key);
	}
}

static void
cfg_index_free(struct cfg_index **ix_p)
{
	struct cfg_index *ix = *ix_p;

	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->ndistricts; i++)
		free((char *)ix->districts[i].key);
	free(ix->districts);
	free(ix->teams);
	free(ix->categories);
	free(ix->contacts);
	free(ix);
	*ix_p = NULL;
}

/* ---- checks across the file ---- */

static void
cfg_check_endpoints(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *map = cfg_get(l->root, "endpoints");
	const char *names[4] = {"intake", "escalation", "notifications",
	    "reporting"};
	const char *v[4] = {cfg->endpoints.intake, cfg->endpoints.escalation,
	    cfg->endpoints.notifications, cfg->endpoints.reporting};

	for (int i = 1; i < 4; i++)
		for (int j = 0; j < i; j++)
			if (v[i] != NULL && v[j] != NULL && strcmp(v[i], v[j]) == 0) {
				cfg_error(l, cfg_pos(cfg_get(map, names[i]),
				    cfg_pos(map, l->root)), "endpoint '%s' is "
				    "the same as '%s'", names[i], names[j]);
				break;
			}
}

/* Reports that the contact named by node at is missing or has another role. */
static const cfg_contact_t *
cfg_check_contact(cfg_loader_t *l, const char *key, const char *id,
    const node_t *at, int role)
{
	const cfg_contact_t *c;
	char text[64];

	if (id == NULL)
		return NULL;
	cfg_show_text(id, strlen(id), text);
	if (l->cfg->contacts == NULL)
		return NULL;            /* the list itself is wrong */
	if ((c = cfg_contact(l->cfg, id, strlen(id))) == NULL) {
		cfg_error(l, at, "'%s': unknown contact '%s'", key, text);
		return NULL;
	}
	if (role != 0 && c->role != 0 && (int)c->role != role) {
		cfg_error(l, at, "'%s': contact '%s' has role %s, not %s", key,
		    text, cfg_role_name(c->role), cfg_role_name(role));
		return NULL;
	}
	return c;
}

static void
cfg_check_teams(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *list = cfg_get(l->root, "teams");
	char text[64];

	for (size_t i = 0; cfg->teams != NULL && i < cfg->nteams; i++) {
		const cfg_team_t *t = &cfg->teams[i];
		const node_t *at = cfg_get(cfg_item(list, i), "coordinator");
		const cfg_contact_t *c;

		c = cfg_check_contact(l, "coordinator", t->coordinator, at,
		    CFG_ROLE_COORDINATOR);
		if (c != NULL && c->team != NULL && t->id != NULL &&
		    strcmp(c->team, t->id) != 0)
			cfg_error(l, at, "'coordinator': contact '%s' belongs "
			    "to team '%s'", cfg_show_text(c->id, strlen(c->id),
			    text), c->team);
	}
}

static void
cfg_check_contacts(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *list = cfg_get(l->root, "contacts");
	bool chief = false;
	char text[64];

	for (size_t i = 0; cfg->contacts != NULL && i < cfg->ncontacts; i++) {
		const cfg_contact_t *c = &cfg->contacts[i];
		const node_t *item = cfg_item(list, i);
		const node_t *team = cfg_get(item, "team");

		if (c->role == CFG_ROLE_SAKERHETSCHEF)
			chief = true;
		if (c->role == CFG_ROLE_COORDINATOR && team == NULL &&
		    item != NULL && item->kind == CFG_YAML_MAP)
			cfg_error(l, item, "a coordinator needs 'team'");
		if (c->team == NULL)
			continue;
		cfg_show_text(c->team, strlen(c->team), text);
		if (c->role != CFG_ROLE_COORDINATOR && c->role != 0)
			cfg_error(l, team, "'team': only a coordinator belongs "
			    "to a team");
		else if (cfg->teams != NULL &&
		    cfg_team(cfg, c->team, strlen(c->team)) == NULL)
			cfg_error(l, team, "'team': unknown team '%s'", text);
	}
	if (!chief && cfg->ncontacts > 0)
		cfg_error(l, cfg_pos(list, l->root),
		    "no contact has role sakerhetschef");
}

/*
 * Checks one policy (words allowed besides contact ids: words), then fills
 * in its default when the file gave none.
 */
static void
cfg_check_steps(cfg_loader_t *l, const char *key, char ***steps, size_t *n,
    const char *const *words, const char *const *dflt)
{
	const node_t *list = cfg_get(cfg_get(l->root, "escalation"), key);
	size_t k = 0;

	if (*steps == NULL) {
		for (k = 0; dflt[k] != NULL; k++)
			;
		*steps = xcalloc(k + 1, sizeof(char *));
		for (size_t i = 0; i < k; i++)
			(*steps)[i] = xstrdup(dflt[i]);
		*n = k;
		return;
	}
	if (*n > CFG_POLICY_MAX)
		cfg_error(l, cfg_pos(list, l->root), "'%s': at most %d steps", key,
		    CFG_POLICY_MAX);
	for (size_t i = 0; i < *n; i++) {
		const char *step = (*steps)[i];
		bool word = false;

		for (size_t w = 0; words[w] != NULL; w++)
			word |= strcmp(step, words[w]) == 0;
		if (!word && l->cfg->contacts != NULL &&
		    cfg_contact(l->cfg, step, strlen(step)) == NULL) {
			char text[64];

			cfg_error(l, cfg_pos(cfg_item(list, i), l->root), "'%s': '%s' is "
			    "neither %s%s nor a contact id", key, cfg_show_text(step,
			    strlen(step), text), words[0], words[1] ? " nor deputy" : "");
		}
	}
}

static void
cfg_check_policy(cfg_loader_t *l, cfg_t *cfg)
{
	static const char *const external_words[] = {"oncall", "deputy", NULL};
	static const char *const reinforcement_words[] = {"coordinators", NULL};
	static const char *const reinforcement_dflt[] = {"coordinators", NULL};
	const cfg_contact_t *b = cfg->contacts ? cfg_contact_by_role(cfg, CFG_ROLE_BEREDSKAP) : NULL;
	const char *external_dflt[] = {"oncall", "deputy", b ? b->id : NULL, NULL};

	cfg_check_steps(l, "policy", &cfg->escalation.policy, &cfg->escalation.npolicy,
	    external_words, external_dflt);
	cfg_check_steps(l, "reinforcement_policy", &cfg->escalation.reinforcement_policy,
	    &cfg->escalation.nreinforcement_policy, reinforcement_words, reinforcement_dflt);
}

/* "unknown notify channel", with the closest defined one suggested */
static void
cfg_unknown_channel(cfg_loader_t *l, const cfg_t *cfg, const node_t *at,
    const char *id, const char *text)
{
	const char *best = NULL;
	size_t bestd = 3, d;

	for (size_t i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].id != NULL &&
		    (d = cfg_distance(id, cfg->channels[i].id)) < bestd) {
			best = cfg->channels[i].id;
			bestd = d;
		}
	if (best != NULL)
		cfg_error(l, at, "'notify': unknown notify channel '%s' (did "
		    "you mean '%s'?)", text, best);
	else
		cfg_error(l, at, "'notify': unknown notify channel '%s'", text);
}

/*
 * Resolves each contact's notify channel, which needs the contact's
 * address, and gives channels without a timeout escalation.notify_timeout.
 */
static void
cfg_check_notify(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *list = cfg_get(l->root, "contacts");
	char text[64];

	for (size_t i = 0; cfg->channels != NULL && i < cfg->nchannels; i++)
		if (cfg->channels[i].timeout_ms == 0)
			cfg->channels[i].timeout_ms =
			    cfg->escalation.notify_timeout_ms;
	for (size_t i = 0; cfg->contacts != NULL && i < cfg->ncontacts; i++) {
		cfg_contact_t *c = &cfg->contacts[i];
		const node_t *item = cfg_item(list, i);
		const node_t *at = cfg_get(item, "notify");
		const node_t *addr = cfg_get(item, "address");

		if (c->address != NULL && (strpbrk(c->address, "\r\n\t") !=
		    NULL || strlen(c->address) > CFG_MAX_ADDRESS))
			cfg_error(l, addr, "'address': expected one line of at "
			    "most %d bytes", CFG_MAX_ADDRESS);
		if (c->notify == NULL)
			continue;
		cfg_show_text(c->notify, strlen(c->notify), text);
		c->channel = cfg_channel(cfg, c->notify, strlen(c->notify));
		if (c->channel == NULL && cfg->nchannels == 0)
			cfg_error(l, at, "'notify': unknown notify channel '%s' "
			    "(none is defined under the top-level 'notify'; "
			    "the contact's e-mail or phone goes under "
			    "'address')", text);
		else if (c->channel == NULL)
			cfg_unknown_channel(l, cfg, at, c->notify, text);
		else if (c->address == NULL && addr == NULL)
			cfg_error(l, at, "'notify': the contact needs an "
			    "'address' for channel '%s'", text);
	}
}

static void
cfg_check_rota(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *rota = cfg_get(l->root, "rota");
	const node_t *list = cfg_get(rota, "contacts");
	const node_t *ovl = cfg_get(rota, "overrides");
	cfg_rota_t *r = &cfg->rota;
	char text[64];

	for (size_t i = 0; r->contacts != NULL && i < r->ncontacts; i++) {
		const node_t *at = cfg_item(list, i);

		if (cfg_check_contact(l, "contacts", r->contacts[i], at,
		    CFG_ROLE_TIB) == NULL)
			continue;
		for (size_t j = 0; j < i; j++)
			if (r->contacts[j] != NULL &&
			    strcmp(r->contacts[i], r->contacts[j]) == 0) {
				cfg_error(l, at, "'contacts': '%s' is in the "
				    "rota twice", cfg_show_text(r->contacts[i],
				    strlen(r->contacts[i]), text));
				break;
			}
	}
	cfg_check_contact(l, "deputy", r->deputy, cfg_get(rota, "deputy"), 0);
	/* overrides may overlap: the one listed last wins (rota.c) */
	for (size_t i = 0; r->overrides != NULL && i < r->noverrides; i++)
		cfg_check_contact(l, "contact", r->overrides[i].contact,
		    cfg_get(cfg_item(ovl, i), "contact"), 0);
}

/* ---- auth: CurveZMQ keys ---- */

static const char *const cfg_key_roles[] = {
	"reporter", "responder", "coordinator", "admin", "daemon", NULL,
};

/* a public key is 40 characters of Z85 that decode to 32 bytes */
static bool
cfg_z85_key(const char *s)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	if (s == NULL || strlen(s) != 40)
		return false;
	for (const char *p = s; *p; p++)
		if (strchr(z85, *p) == NULL)
			return false;
	return true;
}

static void
cfg_check_daemon_key(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_daemon_key_t *k = obj;

	if (k->public_key != NULL && !cfg_z85_key(k->public_key))
		cfg_error(l, cfg_get(map, "public_key"), "'public_key' must be a "
		    "CurveZMQ public key: 40 characters of Z85 (trygg keygen writes one)");
	(void)where;
}

static void
cfg_check_client_key(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_client_key_t *k = obj;
	size_t i;

	if (k->public_key != NULL && !cfg_z85_key(k->public_key))
		cfg_error(l, cfg_get(map, "public_key"), "'public_key' must be a "
		    "CurveZMQ public key: 40 characters of Z85 (trygg keygen writes one)");
	for (i = 0; k->role != NULL && cfg_key_roles[i] != NULL; i++)
		if (strcmp(k->role, cfg_key_roles[i]) == 0)
			break;
	if (k->role != NULL && cfg_key_roles[i] == NULL)
		cfg_error(l, cfg_get(map, "role"), "'role' must be one of: reporter, "
		    "responder, coordinator, admin, daemon");
	else if (k->role != NULL && strcmp(k->role, "responder") == 0 && k->contact == NULL)
		cfg_error(l, where, "a responder key needs 'contact': it acks as that contact");
	else if (k->role != NULL && strcmp(k->role, "coordinator") == 0 &&
	    (k->contact == NULL || k->team == NULL))
		cfg_error(l, where, "a coordinator key needs 'contact' and 'team'");
}

/*
 * The daemons' keys come as a set of three (each daemon links to the
 * others); a client's contact and team exist; no two keys are the same.
 */
static void
cfg_check_auth(cfg_loader_t *l, cfg_t *cfg)
{
	const node_t *auth = cfg_get(l->root, "auth");
	const node_t *list = cfg_get(auth, "clients");
	const cfg_daemon_key_t *d[] = {&cfg->auth.intake, &cfg->auth.escalation,
	    &cfg->auth.reporting};
	const char *names[] = {"intake", "escalation", "reporting"};
	int given = 0;
	char text[64];

	for (int i = 0; i < 3; i++)
		given += d[i]->public_key != NULL;
	if (given > 0 && given < 3) {
		for (int i = 0; i < 3; i++)
			if (d[i]->public_key == NULL)
				cfg_error(l, auth, "'auth': '%s' is missing: the daemons' "
				    "keys are given for all three or none", names[i]);
	}
	cfg->auth.on = given == 3;
	if (!cfg->auth.on && cfg->auth.nclients > 0)
		cfg_error(l, list, "'clients' needs the daemons' keys (auth.intake, "
		    "auth.escalation, auth.reporting)");
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (d[i]->public_key && d[j]->public_key &&
			    strcmp(d[i]->public_key, d[j]->public_key) == 0)
				cfg_error(l, cfg_get(cfg_get(auth, names[j]), "public_key"),
				    "'public_key': the same key as auth.%s; each daemon "
				    "has its own", names[i]);
	for (size_t i = 0; cfg->auth.clients != NULL && i < cfg->auth.nclients; i++) {
		const cfg_client_key_t *c = &cfg->auth.clients[i];
		const node_t *item = cfg_item(list, i);

		for (int j = 0; j < 3; j++) {
			if (c->public_key && d[j]->public_key &&
			    strcmp(c->public_key, d[j]->public_key) == 0)
				cfg_error(l, cfg_get(item, "public_key"), "'public_key': "
				    "the key of auth.%s; a client has a key of its own", names[j]);
			/* the daemons' keys are named trygg-intake, ...: a name means one key */
			if (c->name && strncmp(c->name, "trygg-", 6) == 0 &&
			    strcmp(c->name + 6, names[j]) == 0)
				cfg_error(l, cfg_get(item, "name"), "'name': trygg-%s is the "
				    "name of that daemon's own key", names[j]);
		}
		if (c->contact != NULL && cfg->contacts != NULL &&
		    cfg_contact(cfg, c->contact, strlen(c->contact)) == NULL)
			cfg_error(l, cfg_get(item, "contact"), "'contact': no contact "
			    "has the id '%s'", cfg_show_text(c->contact,
			    strlen(c->contact), text));
		if (c->team != NULL && cfg->teams != NULL &&
		    cfg_team(cfg, c->team, strlen(c->team)) == NULL)
			cfg_error(l, cfg_get(item, "team"), "'team': no team has the id "
			    "'%s'", cfg_show_text(c->team, strlen(c->team), text));
	}
}

static void
cfg_check_root(cfg_loader_t *l, const node_t *map, const node_t *where,
    void *obj)
{
	cfg_t *cfg = obj;

	cfg_check_endpoints(l, cfg);
	cfg_index_build(l, cfg);
	cfg_check_teams(l, cfg);
	cfg_check_contacts(l, cfg);
	cfg_check_policy(l, cfg);
	cfg_check_notify(l, cfg);
	cfg_check_rota(l, cfg);
	cfg_check_jobs(l, cfg);
	cfg_check_auth(l, cfg);
}

/* ---- loading ---- */

cfg_t *
cfg_load_string(const char *yaml, size_t len, const char *name,
    const char *dir, buf_t *errors)
{
	cfg_loader_t l = {name ? name : "<string>", dir ? dir : ".", NULL, 0,
	    NULL, NULL};
	cfg_yaml_error_t yerr;
	node_t *root = NULL;
	cfg_t *cfg = NULL;

	if (cfg_yaml_parse(yaml ? yaml : "", yaml ? len : 0, &root, &yerr) != 0) {
		node_t at = {.line = yerr.line, .col = yerr.col};

		cfg_error(&l, &at, "%s", yerr.message);
	} else if (root == NULL) {
		cfg_error(&l, NULL, "the configuration is empty");
	} else if (root->kind != CFG_YAML_MAP) {
		cfg_error(&l, root, "the configuration must be a mapping of "
		    "keys, not %s", root->kind == CFG_YAML_LIST ? "a list" :
		    "a single value");
	} else {
		cfg = xcalloc(1, sizeof(*cfg));
		cfg->path = xstrdup(l.name);
		l.root = root;
		l.cfg = cfg;
		cfg_walk_map(&l, &cfg_root_schema, root, root, cfg);
	}
	cfg_yaml_free(&root);
	if (l.nerrs > 0) {
		cfg_flush_errors(&l, errors);
		cfg_destroy(&cfg);
	}
	return cfg;
}

cfg_t *
cfg_load(const char *path, buf_t *errors)
{
	buf_t text = BUF_INIT;
	char *dir, *slash, chunk[8192];
	cfg_t *cfg = NULL;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    text.len <= CFG_MAX_FILE)
		buf_append(&text, chunk, n);
	if (ferror(f))
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
	else if (text.len > CFG_MAX_FILE)
		buf_printf(errors, "%s: larger than %d bytes\n", path,
		    CFG_MAX_FILE);
	else {
		dir = xstrdup(path);
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		cfg = cfg_load_string(buf_str(&text), text.len, path, dir,
		    errors);
		free(dir);
	}
	fclose(f);
	buf_free(&text);
	return cfg;
}

/* Frees what the walk stored in obj, following the same schema. */
static void
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

void
cfg_destroy(cfg_t **self_p)
{
	cfg_t *cfg;

	if (self_p == NULL || (cfg = *self_p) == NULL)
		return;
	cfg_free_obj(&cfg_root_schema, cfg);
	cfg_index_free(&cfg->index_);
	free(cfg->path);
	free(cfg);
	*self_p = NULL;
}

/* ---- lookups ---- */

const cfg_team_t *
cfg_team_by_district(const cfg_t *cfg, const char *name, size_t len,
    const char **canonical)
{
	const struct cfg_ent *e = NULL;
	buf_t b = BUF_INIT;

	if (cfg == NULL || cfg->index_ == NULL || name == NULL)
		return NULL;
	utf8_fold(name, len, &b);
	if (b.len > 0)
		e = cfg_find(cfg->index_->districts, cfg->index_->ndistricts,
		    b.data, b.len);
	buf_free(&b);
	if (e == NULL)
		return NULL;
	if (canonical != NULL)
		*canonical = e->canon;
	return e->val;
}

const cfg_team_t *
cfg_team(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->teams, cfg->index_->nteams, id, len);
	return e ? e->val : NULL;
}

const cfg_category_t *
cfg_category(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->categories, cfg->index_->ncategories, id, len);
	return e ? e->val : NULL;
}

/* ids are lower-case ASCII (cfg_is_id), so an id folds to itself */
const cfg_category_t *
cfg_category_as_typed(const cfg_t *cfg, const char *name, size_t len)
{
	const cfg_category_t *c;
	buf_t b = BUF_INIT;

	if (name == NULL)
		return NULL;
	utf8_fold(name, len, &b);
	c = cfg_category(cfg, buf_str(&b), b.len);
	buf_free(&b);
	return c;
}

const cfg_contact_t *
cfg_contact(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->contacts, cfg->index_->ncontacts, id, len);
	return e ? e->val : NULL;
}

const cfg_channel_t *
cfg_channel(const cfg_t *cfg, const char *id, size_t len)
{
	for (size_t i = 0; cfg != NULL && id != NULL && i < cfg->nchannels; i++)
		if (cfg->channels[i].id != NULL &&
		    strlen(cfg->channels[i].id) == len &&
		    memcmp(cfg->channels[i].id, id, len) == 0)
			return &cfg->channels[i];
	return NULL;
}

const cfg_contact_t *
cfg_contact_by_role(const cfg_t *cfg, cfg_role_t role)
{
	for (size_t i = 0; cfg != NULL && i < cfg->ncontacts; i++)
		if (cfg->contacts[i].role == role)
			return &cfg->contacts[i];
	return NULL;
}

int64_t
cfg_keep_cutoff(const cfg_keep_t *k, int64_t now)
{
	int64_t day = now >= 0 ? now / 86400000 : (now - 86399999) / 86400000;
	int64_t in_day = now - day * 86400000;
	int y, m, d, months;

	if (k->months <= 0)
		return now - k->ms;
	ts_civil_from_days((int32_t)day, &y, &m, &d);
	months = y * 12 + (m - 1) - k->months;
	y = months / 12;
	m = months % 12 + 1;
	if (d > ts_days_in_month(y, m))
		d = ts_days_in_month(y, m);
	return (int64_t)ts_days_from_civil(y, m, d) * 86400000 + in_day;
}

const char *
cfg_role_name(cfg_role_t role)
{
	if ((int)role < 1 || (size_t)role >= sizeof(cfg_roles) / sizeof(cfg_roles[0]))
		return "unknown";
	return cfg_roles[role];
}

/* ---- the schema's keys, for the docs ---- */

static void
cfg_keys_walk(const struct cfg_schema *s, char *path, size_t len, size_t cap,
    void (*fn)(const char *, void *), void *arg)
{
	for (const struct cfg_key *k = s->keys; k->name != NULL; k++) {
		int n = snprintf(path + len, cap - len, "%s%s", len > 0 ? "." : "", k->name);

		if (n < 0 || (size_t)n >= cap - len)
			continue;       /* deeper than any schema goes */
		fn(path, arg);
		if (k->sub != NULL)
			cfg_keys_walk(k->sub, path, len + (size_t)n, cap, fn, arg);
		path[len] = '\0';
	}
}

void
cfg_keys(void (*fn)(const char *path, void *arg), void *arg)
{
	char path[256] = "";

	cfg_keys_walk(&cfg_root_schema, path, 0, sizeof(path), fn, arg);
}
