/*
 * cfg_schema.c: trygg's configuration keys as cfg_key tables, the custom
 * setters of the keys the generic kinds cannot express, and the checks that
 * span keys (within one object, such as office_hours' open before close, and
 * across the file, from cfg_check_root: endpoints, teams and districts,
 * contacts, policy, notify channels, rota, report jobs, auth). A new key is
 * a row here, a line in the README's configuration part, and perhaps a
 * check; the walk (cfg_walk.c) needs no change unless it is a new kind.
 */
#include "cfg_internal.h"
#include "mem.h"
#include "ts.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_ADDRESS 254             /* bytes in a contact's address (RFC 5321's path) */

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
const struct cfg_schema cfg_root_schema = {
	cfg_root_keys, sizeof(cfg_t), cfg_check_root,
};

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
