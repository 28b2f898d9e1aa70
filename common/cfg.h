/*
 * cfg.h: trygg's configuration: the schema as C structures, and the loader.
 *
 * cfg_load() reads a YAML file (libyaml) and checks it against one schema
 * table (cfg_schema.c, walked by cfg_walk.c). Every problem is reported as
 * "file:line:col: message", all of them in one run; a configuration with any
 * problem is never returned.
 * The external contract fixes these keys: data_dir, timezone, endpoints.{intake,
 * escalation, notifications, reporting}, escalation.ack_timeout,
 * escalation.renotify_every. docs/trygg.yaml.5 documents every key.
 *
 * Local dates are civil days (ts.h); local wall-clock moments are minutes
 * since 1970-01-01T00:00 local time ("local minutes"), so that they keep
 * their meaning across daylight saving changes.
 */
#ifndef TRYGG_CFG_H
#define TRYGG_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schedule.h"

typedef struct {
	char   *id;             /* "omradesteam-1" */
	char   *name;           /* "Områdesteam 1" */
	char  **districts;      /* display names, the main district first */
	size_t  ndistricts;
	char   *coordinator;    /* contact id of the team's samordnare */
} cfg_team_t;

typedef struct {
	char *id;               /* "skadegorelse" */
	char *name;             /* "Skadegörelse" */
	bool  beyond_scope;     /* always escalated externally (e.g. brand) */
} cfg_category_t;

typedef struct {
	int external_min_severity;  /* severity at or above this is external (4) */
} cfg_scope_t;

typedef enum {
	CFG_ROLE_SAKERHETSCHEF = 1,
	CFG_ROLE_DEPUTY,            /* the säkerhetschef's deputy */
	CFG_ROLE_TIB,
	CFG_ROLE_COORDINATOR,
	CFG_ROLE_BEREDSKAP,         /* the beredskapssamordnare: a last policy step */
} cfg_role_t;

/*
 * A notify channel: a program trygg-escalation runs for each notification
 * of a contact that names the channel (top-level key "notify"). It gets the
 * notification as JSON on stdin and the contact in its environment
 * (docs/notify.md).
 */
typedef struct {
	char    *id;                /* "sms", "epost" */
	char   **command;           /* argv; command[0] resolved against the
	                               file's folder when it is a relative path */
	size_t   ncommand;
	int64_t  timeout_ms;        /* its own, or escalation.notify_timeout */
} cfg_channel_t;

typedef struct cfg_contact {
	char       *id;             /* "sakerhetschef", "tib-1", ... */
	char       *name;           /* display name */
	cfg_role_t  role;
	char       *team;           /* coordinators: their team's id; else NULL */
	char       *notify;         /* the id of its notify channel, or NULL */
	char       *address;        /* e-mail or phone for that channel, or NULL */
	const cfg_channel_t *channel;   /* notify resolved; NULL if none */
} cfg_contact_t;

typedef struct {
	int32_t  day;               /* civil day */
	char    *reason;
} cfg_closed_t;

typedef enum {
	CFG_SHORT_DATE = 1,         /* on one date */
	CFG_SHORT_BEFORE_HOLIDAY,   /* on a working day whose next day is a holiday */
} cfg_short_kind_t;

typedef struct {
	cfg_short_kind_t kind;
	int32_t          day;       /* CFG_SHORT_DATE only */
	int              close_min; /* closes at this local minute of the day */
	char            *reason;
} cfg_short_t;

typedef struct {
	unsigned      weekdays;     /* bit (d-1) for ISO weekday d; Mon-Fri = 0x1f */
	int           open_min;     /* 480 = 08:00, inclusive */
	int           close_min;    /* 1020 = 17:00, exclusive */
	cfg_closed_t *closed;       /* extra closed dates */
	size_t        nclosed;
	cfg_short_t  *shortened;    /* shortened-day rules */
	size_t        nshortened;
} cfg_office_t;

typedef struct {
	int64_t  from;              /* local minutes, inclusive */
	int64_t  to;                /* local minutes, exclusive */
	char    *contact;
	char    *reason;            /* may be NULL */
} cfg_override_t;

typedef struct {
	char          **contacts;   /* TiB contact ids, in turn order */
	size_t          ncontacts;
	int             period_days;    /* length of one duty (7) */
	int32_t         start_day;      /* civil day the first duty starts */
	int             handover_min;   /* local minute of day of the handover */
	char           *deputy;         /* contact id, or NULL: the next in turn */
	cfg_override_t *overrides;
	size_t          noverrides;
} cfg_rota_t;

typedef struct {
	int64_t ack_timeout_ms;     /* escalation.ack_timeout */
	int64_t renotify_every_ms;  /* escalation.renotify_every */
	int64_t notify_timeout_ms;  /* a notify command is killed after this */
	int64_t notify_retry_ms;    /* a failed notify command is run again after this */
	int     notify_parallel;    /* notify commands running at once */
	/*
	 * The policy's steps, each a word or a contact id: for an external
	 * incident "oncall" (whoever oncall names then) and "deputy" (that
	 * person's deputy), for reinforcement "coordinators" (the other
	 * teams'). Defaults: oncall, deputy, and the contact with role
	 * beredskap when there is one; coordinators.
	 */
	char  **policy;
	size_t  npolicy;
	char  **reinforcement_policy;
	size_t  nreinforcement_policy;
} cfg_escalation_t;

/*
 * A scheduled report of trygg-reporting (key "report_jobs"): which kind,
 * for which team, which period relative to the run, in which format, with
 * or without the small-count rule, into which folder, and when.
 */
typedef struct {
	char       *id;             /* "lagesbild-ot1": names its record and log lines */
	char       *kind;           /* "lagesbild", "escalations", "annual" */
	char       *team;           /* a team id, or NULL for all */
	char       *period;         /* "previous_week", "previous_month", "previous_quarter",
	                               "previous_tertial", "previous_year" */
	char       *format;         /* "json", "csv", "md", "html" */
	bool        suppress;       /* the small-count rule; default true */
	char       *output;         /* the folder files go to; relative: to data_dir */
	char       *schedule_text;  /* "weekly mon 07:00" */
	schedule_t  schedule;       /* the same, parsed */
} cfg_job_t;

typedef struct {
	char *intake;
	char *escalation;
	char *notifications;
	char *reporting;
} cfg_endpoints_t;

/* the durable links between the daemons (key "links") */
typedef struct {
	int64_t stale_after_ms;     /* a backlog older than this is warned about */
} cfg_links_t;

/*
 * How long something is kept (key "retention", gallring): calendar months
 * ("24 months") or a duration in the usual syntax ("90d"); one is 0.
 */
typedef struct {
	int     months;
	int64_t ms;
} cfg_keep_t;

#define CFG_KEEP_MONTHS_MAX 1200        /* a century */

/* what retention erases, per kind of data, and when (key "retention") */
typedef struct {
	cfg_keep_t incidents;       /* intake: an incident's free text, location,
	                               reporter, partners and notes */
	cfg_keep_t escalations;     /* escalation: its copies of them, and the
	                               notify commands' output */
} cfg_retention_t;

#define CFG_POLICY_MAX 4        /* steps in a policy, at most */

/* trygg-web, the HTTP gateway (key "web") */
typedef struct {
	char    *listen;            /* "http://127.0.0.1:7180" */
	char    *base_url;          /* the start of links it makes; NULL: not
	                               set, and notifications carry no ack_url */
	char    *user_header;       /* "X-Remote-User", set by the SSO proxy */
	char   **trusted_proxies;   /* addresses the header is trusted from;
	                               none given: loopback only */
	size_t   ntrusted_proxies;
	bool     open_intake;       /* the form without a trusted identity */
} cfg_web_t;

/*
 * CurveZMQ keys (key "auth", issue 10). Without it every socket is plain
 * and every request comes from PRINCIPAL_LOCAL; the daemons then refuse to
 * bind anything but loopback, ipc:// and inproc://.
 */
typedef struct {
	char *public_key;           /* Z85, 40 characters: what peers know it by */
	char *secret_key_file;      /* its key pair (trygg keygen); only that
	                               daemon reads it, and it must be private */
} cfg_daemon_key_t;

typedef struct {
	char *name;                 /* names the key: User-Id, logs, "reporter" */
	char *public_key;           /* Z85, 40 characters */
	char *role;                 /* reporter, responder, coordinator, admin, daemon */
	char *contact;              /* a contact id: responders act as it */
	char *team;                 /* a team id: a coordinator's team */
} cfg_client_key_t;

typedef struct {
	cfg_daemon_key_t  intake, escalation, reporting;
	char             *client_key_file;  /* the trygg CLI's key pair; TRYGG_KEY overrides */
	char             *web_key_file;     /* trygg-web's key pair */
	cfg_client_key_t *clients;
	size_t            nclients;
	bool              on;               /* the daemons' keys are given */
} cfg_auth_t;

typedef struct {
	char             *path;         /* the file it was read from */
	char             *data_dir;     /* absolute, or relative to the cwd */
	char             *timezone;     /* "Europe/Stockholm" */
	cfg_endpoints_t   endpoints;
	cfg_team_t       *teams;
	size_t            nteams;
	cfg_category_t   *categories;
	size_t            ncategories;
	cfg_scope_t       scope;
	cfg_contact_t    *contacts;
	size_t            ncontacts;
	cfg_office_t      office;
	cfg_rota_t        rota;
	cfg_escalation_t  escalation;
	cfg_web_t         web;
	cfg_links_t       links;
	cfg_retention_t   retention;
	cfg_channel_t    *channels;     /* key "notify" */
	size_t            nchannels;
	cfg_job_t        *jobs;         /* key "report_jobs" */
	size_t            njobs;
	cfg_auth_t        auth;         /* key "auth" */
	struct cfg_index *index_;       /* private lookup tables */
} cfg_t;

#define CFG_DEFAULT_PATH "config/trygg.yaml"

/*
 * Loads and checks a configuration file. Returns a cfg_t the caller
 * destroys, or NULL with one "file:line:col: message\n" line per problem
 * appended to errors.
 */
cfg_t *cfg_load(const char *path, buf_t *errors);
/* The same from memory; name stands for the file in messages, dir for its folder. */
cfg_t *cfg_load_string(const char *yaml, size_t len, const char *name,
    const char *dir, buf_t *errors);
void cfg_destroy(cfg_t **self_p);
/*
 * Calls fn with the dotted path of every key the schema accepts, parents
 * before their keys ("escalation", "escalation.ack_timeout"; a list's items
 * add no step: "teams.id"), for the docs and their test.
 */
void cfg_keys(void (*fn)(const char *path, void *arg), void *arg);

/*
 * Finds the team of a district as people type it, folded by utf8_fold():
 * case, marks, composed or decomposed letters, full-width forms and
 * surrounding blanks ("skaggetorp", "LAMBOHOV", "Ska\u0308ggetorp"). Sets
 * *canonical to the configured spelling. NULL when no team has it.
 */
const cfg_team_t *cfg_team_by_district(const cfg_t *cfg, const char *name,
    size_t len, const char **canonical);
const cfg_team_t *cfg_team(const cfg_t *cfg, const char *id, size_t len);
const cfg_category_t *cfg_category(const cfg_t *cfg, const char *id, size_t len);
/* a category by its id as people type it, folded like a district ("Brand") */
const cfg_category_t *cfg_category_as_typed(const cfg_t *cfg, const char *name,
    size_t len);
const cfg_contact_t *cfg_contact(const cfg_t *cfg, const char *id, size_t len);
/* the notify channel with this id, or NULL */
const cfg_channel_t *cfg_channel(const cfg_t *cfg, const char *id, size_t len);
/* the first contact with this role, or NULL */
const cfg_contact_t *cfg_contact_by_role(const cfg_t *cfg, cfg_role_t role);
/*
 * The instant before which data kept for k has passed its time at now:
 * now less k's months (the same day of the month, or the month's last) or
 * less its duration.
 */
int64_t cfg_keep_cutoff(const cfg_keep_t *k, int64_t now);
/* "sakerhetschef", "deputy", "tib", "coordinator" */
const char *cfg_role_name(cfg_role_t role);

#endif
