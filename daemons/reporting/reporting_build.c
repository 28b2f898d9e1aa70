/*
 * reporting_build.c: the figures of each report kind, from reporting.db
 * alone, on the reader's connection (common/server.h: in a read
 * transaction of its own, so every figure of one report comes from one
 * snapshot).
 *
 *   kind         counts                                        by
 *   lagesbild    incidents that occurred in the period, and    team, district, category,
 *                the same for the previous period of the       severity, prevention level,
 *                same kind (period_previous)                   escalation level, flags,
 *                                                              partners, day/week/month
 *   escalations  escalations created in the period             kind, target, office hours,
 *                                                              status, team, highest step,
 *                                                              time to acknowledge
 *   annual       incidents and escalations of the period       team and month, category,
 *                                                              level, partners
 *
 * An incident belongs to the period of its occurred_at, an escalation to
 * the period of its created_at, both as local days in the configured zone
 * (period.h). "Open" means open now, when the report is made, among those
 * of the period. Times to acknowledge are nearest-rank percentiles over
 * the escalations acknowledged (the median is the lower middle value), in
 * whole seconds.
 *
 * Rows are scanned once per period and counted in C: the cells of a
 * breakdown are few (teams, categories, ...) and the trend's bucket is
 * arithmetic on the local day, so one pass costs about what SQLite's own
 * GROUP BY would, and every breakdown comes from the same pass.
 */
#include "reporting.h"
#include "ts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { TREND_DAY, TREND_WEEK, TREND_MONTH } trend_unit_t;

#define TREND_DAYS_MAX  31      /* periods up to a month are drawn by day */
#define TREND_WEEKS_MAX 190     /* up to a tertial and a half by week; longer by month */
#define TREND_MONTHS_MAX (PERIOD_RANGE_DAYS / 28 + 2)   /* months of the longest range */

static const struct { const char *key, *label; } reporting_levels[] = {
	{"omrade", "Område"}, {"grupp", "Grupp"}, {"individ", "Individ"}, {"none", "Ej angiven"},
};
static const struct { const char *key, *label; } reporting_esc_levels[] = {
	{"none", "Inom teamet"}, {"reinforcement", "Förstärkning"}, {"external", "Extern"},
};
static const struct { const char *key, *label; } reporting_flags[] = {
	{"police_report", "Polisanmälan"}, {"orosanmalan", "Orosanmälan"},
	{"involves_minors", "Berör minderåriga"}, {"needs_external", "Behov av externa resurser"},
	{"needs_reinforcement", "Behov av förstärkning"},
};
static const struct { const char *key, *label; } reporting_esc_statuses[] = {
	{"open", "Öppen"}, {"acked", "Kvitterad"}, {"unanswered", "Obesvarad"},
	{"resolved", "Avslutad"},
};
static const char *const reporting_month_names[] = {"jan", "feb", "mar", "apr", "maj", "jun",
	"jul", "aug", "sep", "okt", "nov", "dec"};

static bool
reporting_team_ok(const report_t *r, const cfg_team_t *t)
{
	return r->team[0] == '\0' || strcmp(r->team, t->id) == 0;
}

static sqlite3_stmt *
reporting_bind(sqlite3_stmt *st, const report_t *r, int64_t from, int64_t to)
{
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	if (r->team[0])
		sqlite3_bind_text(st, 3, r->team, -1, SQLITE_STATIC);
	return st;
}

static const char *
reporting_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* ---- the trend: one cell per day, week or month of the period, made in order */

typedef struct {
	trend_unit_t unit;
	int32_t      first;         /* the period's first day */
	int32_t      week0;         /* the Monday of its first week */
	int          month0;        /* y * 12 + m - 1 of its first month */
	rsection_t  *s;
} trend_t;

static void
reporting_trend(report_t *r, trend_t *t, const char *what, int flags)
{
	static const char *const keys[] = {"by_day", "by_week", "by_month"};
	static const char *const titles[] = {"per dag", "per vecka", "per månad"};
	int32_t days = period_days(&r->period), d;
	int y, m, dd, w;
	char key[24], label[40], title[96];

	t->unit = days <= TREND_DAYS_MAX ? TREND_DAY : days <= TREND_WEEKS_MAX ? TREND_WEEK :
	    TREND_MONTH;
	t->first = r->period.first;
	t->week0 = t->first - (ts_weekday(t->first) - 1);
	ts_civil_from_days(t->first, &y, &m, &dd);
	t->month0 = y * 12 + m - 1;
	snprintf(title, sizeof(title), "%s %s", what, titles[t->unit]);
	t->s = report_section(r, keys[t->unit], NULL, title, flags | RS_SUMS | RS_CHART | RS_TREND);
	for (d = r->period.first; d <= r->period.last; d++) {
		ts_civil_from_days(d, &y, &m, &dd);
		if (t->unit == TREND_DAY) {
			ts_format_date(d, key);
			snprintf(label, sizeof(label), "%d %s", dd, reporting_month_names[m - 1]);
		} else if (t->unit == TREND_WEEK) {
			if (d != r->period.first && ts_weekday(d) != 1)
				continue;
			period_iso_week(d, &y, &w);
			snprintf(key, sizeof(key), "%04d-W%02d", y, w);
			snprintf(label, sizeof(label), "v%d", w);
		} else {
			if (d != r->period.first && dd != 1)
				continue;
			snprintf(key, sizeof(key), "%04d-%02d", y, m);
			snprintf(label, sizeof(label), "%s %d", reporting_month_names[m - 1], y);
		}
		rsection_cell(t->s, key, label);
	}
}

/* the trend's cell of an instant, or NULL outside the period */
static rcell_t *
reporting_trend_cell(const trend_t *t, const tz_t *tz, int64_t at)
{
	tz_local_t l;
	int64_t i;

	tz_local(tz, at, &l);
	switch (t->unit) {
	case TREND_DAY:
		i = l.civil_day - t->first;
		break;
	case TREND_WEEK:
		i = (l.civil_day - (l.weekday - 1) - t->week0) / 7;
		break;
	default:
		i = (int64_t)l.year * 12 + l.month - 1 - t->month0;
		break;
	}
	return i >= 0 && (size_t)i < t->s->n ? &t->s->cells[i] : NULL;
}

/* ---- incidents */

typedef struct {
	rsection_t *by_team, *by_district, *by_category, *by_severity, *by_level;
	rsection_t *by_escalation, *flags, *partners, *totals;
	trend_t    *trend;
	rsection_t **team_month;    /* annual: one per configured team (by index), or NULL */
} inc_sections_t;

static void
reporting_inc_sections(reporting_t *rep, report_t *r, inc_sections_t *s, bool districts)
{
	const cfg_t *cfg = rep->cfg;
	char key[16];

	s->by_team = report_section(r, "by_team", NULL, "Incidenter per team", RS_SUMS | RS_CHART);
	for (size_t i = 0; i < cfg->nteams; i++)
		if (reporting_team_ok(r, &cfg->teams[i]))
			rsection_cell(s->by_team, cfg->teams[i].id, cfg->teams[i].name);
	if (districts) {
		s->by_district = report_section(r, "by_district", NULL, "Incidenter per område",
		    RS_SUMS | RS_CHART);
		for (size_t i = 0; i < cfg->nteams; i++)
			for (size_t j = 0; reporting_team_ok(r, &cfg->teams[i]) &&
			    j < cfg->teams[i].ndistricts; j++)
				rsection_cell(s->by_district, cfg->teams[i].districts[j], NULL);
	}
	s->by_category = report_section(r, "by_category", NULL, "Incidenter per kategori",
	    RS_SUMS | RS_CHART);
	for (size_t i = 0; i < cfg->ncategories; i++)
		rsection_cell(s->by_category, cfg->categories[i].id, cfg->categories[i].name);
	if (districts) {
		s->by_severity = report_section(r, "by_severity", NULL, "Incidenter per allvarlighetsgrad",
		    RS_SUMS);
		for (int i = 1; i <= 5; i++) {
			snprintf(key, sizeof(key), "%d", i);
			rsection_cell(s->by_severity, key, NULL);
		}
	}
	s->by_level = report_section(r, "by_level", NULL, "Incidenter per preventionsnivå",
	    RS_SUMS | RS_CHART);
	for (size_t i = 0; i < sizeof(reporting_levels) / sizeof(reporting_levels[0]); i++)
		rsection_cell(s->by_level, reporting_levels[i].key, reporting_levels[i].label);
	s->by_escalation = report_section(r, "by_escalation", NULL, "Incidenter per eskaleringsnivå",
	    RS_SUMS);
	for (size_t i = 0; i < sizeof(reporting_esc_levels) / sizeof(reporting_esc_levels[0]); i++)
		rsection_cell(s->by_escalation, reporting_esc_levels[i].key,
		    reporting_esc_levels[i].label);
	s->flags = report_section(r, "flags", NULL, "Markeringar", 0);
	for (size_t i = 0; i < sizeof(reporting_flags) / sizeof(reporting_flags[0]); i++)
		rsection_cell(s->flags, reporting_flags[i].key, reporting_flags[i].label);
	s->partners = report_section(r, "partners", NULL, "Samverkanspartner", RS_CHART);
}

/*
 * The cell of a partner. Partners are typed by people, so their names are
 * many: past REPORTING_PARTNERS_SCAN names a new one counts as "ovriga"
 * at once, which bounds the memory and the linear search of a scan.
 */
static rcell_t *
reporting_partner_cell(rsection_t *s, const char *name)
{
	for (size_t j = 0; j < s->n; j++)
		if (strcmp(s->cells[j].key, name) == 0)
			return &s->cells[j];
	if (s->n >= REPORTING_PARTNERS_SCAN)
		return rsection_cell(s, "ovriga", "Övriga");
	return rsection_cell(s, name, NULL);
}

/* Counts each partner of a stored list (separated by REPORTING_PARTNER_SEP) once. */
static void
reporting_partners_count(rsection_t *s, const char *list, int i)
{
	char name[REPORTING_KEY_MAX];

	while (*list) {
		size_t n = strcspn(list, REPORTING_PARTNER_SEP);

		if (n > 0 && n < sizeof(name)) {
			memcpy(name, list, n);
			name[n] = '\0';
			reporting_partner_cell(s, name)->v[i]++;
		}
		list += n;
		if (*list)
			list++;
	}
}

/* Counts the incidents of [from, to) into value i of the sections; 0 or -1. */
static int
reporting_inc_scan(reporting_t *rep, report_t *r, inc_sections_t *s, int64_t from, int64_t to,
    int i)
{
	sqlite3_stmt *st = reporting_bind(db_stmt(rep->db,
	    "SELECT team, district, category, severity, level, escalation, status,"
	    " police_report, orosanmalan, involves_minors, needs_external, needs_reinforcement,"
	    " occurred_at, partners FROM incidents"
	    " WHERE occurred_at >= ?1 AND occurred_at < ?2 AND (?3 IS NULL OR team = ?3)"), r,
	    from, to);
	int rc;
	char sev[16];

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *team = reporting_col(st, 0), *level = reporting_col(st, 4);

		rsection_cell(s->by_team, team, NULL)->v[i]++;
		if (s->by_district)
			rsection_cell(s->by_district, reporting_col(st, 1), NULL)->v[i]++;
		rsection_cell(s->by_category, reporting_col(st, 2), NULL)->v[i]++;
		if (s->by_severity) {
			snprintf(sev, sizeof(sev), "%d", sqlite3_column_int(st, 3));
			rsection_cell(s->by_severity, sev, NULL)->v[i]++;
		}
		rsection_cell(s->by_level, level[0] ? level : "none", NULL)->v[i]++;
		rsection_cell(s->by_escalation, reporting_col(st, 5), NULL)->v[i]++;
		for (int f = 0; f < 5; f++)
			s->flags->cells[f].v[i] += sqlite3_column_int(st, 7 + f) != 0;
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			reporting_partners_count(s->partners, reporting_col(st, 13), i);
		if (s->totals) {
			s->totals->cells[0].v[i]++;
			if (strcmp(reporting_col(st, 6), "open") == 0)
				s->totals->cells[1].v[i]++;
		}
		if (i == 0 && s->trend) {
			rcell_t *c = reporting_trend_cell(s->trend, rep->tz, sqlite3_column_int64(st, 12));

			if (c)
				c->v[0]++;
		}
		if (i == 0 && s->team_month) {
			for (size_t t = 0; t < rep->cfg->nteams; t++) {
				rcell_t *c;

				if (s->team_month[t] == NULL || strcmp(rep->cfg->teams[t].id, team) != 0)
					continue;
				if ((c = reporting_trend_cell(&(trend_t){.unit = TREND_MONTH,
				    .month0 = s->trend->month0, .s = s->team_month[t]}, rep->tz,
				    sqlite3_column_int64(st, 12))) != NULL)
					c->v[0]++;
			}
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
reporting_partner_cmp(const void *a, const void *b)
{
	const rcell_t *x = a, *y = b;

	if (x->v[0] != y->v[0])
		return x->v[0] > y->v[0] ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * Partners involved: each incident counts once per partner, so the cells
 * do not add up to the incidents. After the scans, the most frequent are
 * kept by name and the rest summed as "ovriga".
 */
static void
reporting_partners_finish(rsection_t *s)
{
	int64_t rest[2] = {0, 0};

	/* "ovriga" from the scan, if any, goes last with the rest */
	for (size_t j = 0; j < s->n; j++)
		if (strcmp(s->cells[j].key, "ovriga") == 0) {
			rest[0] = s->cells[j].v[0];
			rest[1] = s->cells[j].v[1];
			s->cells[j] = s->cells[--s->n];
			break;
		}
	if (s->n > 1)
		qsort(s->cells, s->n, sizeof(s->cells[0]), reporting_partner_cmp);
	if (s->n <= REPORTING_PARTNERS_MAX && rest[0] == 0 && rest[1] == 0)
		return;
	for (size_t i = REPORTING_PARTNERS_MAX; i < s->n; i++) {
		rest[0] += s->cells[i].v[0];
		rest[1] += s->cells[i].v[1];
	}
	if (s->n > REPORTING_PARTNERS_MAX)
		s->n = REPORTING_PARTNERS_MAX;
	rsection_cell(s, "ovriga", "Övriga");
	s->cells[s->n - 1].v[0] = rest[0];
	s->cells[s->n - 1].v[1] = rest[1];
}

/* a team's districts add up to the team: the secondary rule must know */
static void
reporting_district_sums(reporting_t *rep, report_t *r, inc_sections_t *s)
{
	const cfg_t *cfg = rep->cfg;

	for (size_t t = 0; t < cfg->nteams; t++) {
		rcell_t *parts[64], *whole = NULL;
		size_t n = 0;

		if (!reporting_team_ok(r, &cfg->teams[t]))
			continue;
		for (size_t i = 0; i < s->by_team->n; i++)
			if (strcmp(s->by_team->cells[i].key, cfg->teams[t].id) == 0)
				whole = &s->by_team->cells[i];
		for (size_t j = 0; j < cfg->teams[t].ndistricts && n < 64; j++)
			for (size_t i = 0; i < s->by_district->n; i++)
				if (strcmp(s->by_district->cells[i].key, cfg->teams[t].districts[j]) == 0)
					parts[n++] = &s->by_district->cells[i];
		if (whole)
			report_constrain(r, parts, n, whole);
	}
}

/* escalations of [from, to) still open now */
static int
reporting_esc_count(reporting_t *rep, report_t *r, int64_t from, int64_t to, int64_t *all,
    int64_t *open)
{
	sqlite3_stmt *st = reporting_bind(db_stmt(rep->db,
	    "SELECT count(*), coalesce(sum(status <> 'resolved'), 0) FROM escalations"
	    " WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR team = ?3)"), r,
	    from, to);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*all = sqlite3_column_int64(st, 0);
		*open = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
reporting_build_lagesbild(reporting_t *rep, report_t *r)
{
	inc_sections_t s;
	trend_t trend;
	int64_t from, to;

	memset(&s, 0, sizeof(s));
	r->has_prev = true;
	period_previous(&r->period, &r->prev);
	s.totals = report_section(r, "totals", NULL, "Sammanfattning", RS_FLAT);
	rsection_cell(s.totals, "incidents", "Incidenter");
	rsection_cell(s.totals, "open_incidents", "Incidenter öppna nu");
	rsection_cell(s.totals, "escalations", "Eskaleringar");
	rsection_cell(s.totals, "open_escalations", "Eskaleringar öppna nu");
	reporting_inc_sections(rep, r, &s, true);
	reporting_trend(r, &trend, "Incidenter", 0);
	s.trend = &trend;
	if (reporting_inc_scan(rep, r, &s, r->from, r->to, 0) < 0)
		return -1;
	period_instants(&r->prev, rep->tz, &from, &to);
	if (reporting_inc_scan(rep, r, &s, from, to, 1) < 0 ||
	    reporting_esc_count(rep, r, r->from, r->to, &s.totals->cells[2].v[0],
	    &s.totals->cells[3].v[0]) < 0 ||
	    reporting_esc_count(rep, r, from, to, &s.totals->cells[2].v[1],
	    &s.totals->cells[3].v[1]) < 0)
		return -1;
	reporting_partners_finish(s.partners);
	reporting_district_sums(rep, r, &s);
	return 0;
}

static int
reporting_i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* median, p90 and max (nearest rank) of n values into a measure section */
static void
reporting_measure(report_t *r, const char *key, const char *title, int64_t *v, size_t n)
{
	rsection_t *s = report_section(r, key, NULL, title, RS_MEASURE);
	rcell_t *med = rsection_cell(s, "median", "Median"), *p90 = rsection_cell(s, "p90",
	    "90:e percentilen"), *max = rsection_cell(s, "max", "Längst");

	if (n == 0) {
		med->st[0] = p90->st[0] = max->st[0] = RC_NONE;
		return;
	}
	qsort(v, n, sizeof(*v), reporting_i64_cmp);
	med->v[0] = v[(n + 1) / 2 - 1];
	p90->v[0] = v[(n * 9 + 9) / 10 - 1];
	max->v[0] = v[n - 1];
}

int
reporting_build_escalations(reporting_t *rep, report_t *r)
{
	const cfg_t *cfg = rep->cfg;
	rsection_t *totals, *kind, *target, *oh, *status, *team, *step;
	trend_t trend;
	int64_t *all = NULL, *in = NULL, *out = NULL;
	size_t nall = 0, nin = 0, nout = 0, cap = 0;
	sqlite3_stmt *st;
	char key[16];
	int rc;

	totals = report_section(r, "totals", NULL, "Sammanfattning", RS_FLAT);
	rsection_cell(totals, "escalations", "Eskaleringar");
	rsection_cell(totals, "acked", "Kvitterade");
	rsection_cell(totals, "unacknowledged", "Ej kvitterade");
	rsection_cell(totals, "unanswered", "Obesvarade efter sista steget");
	rsection_cell(totals, "open", "Öppna nu");
	rsection_cell(totals, "steps_taken", "Steg i policyn tagna");
	rsection_cell(totals, "notify_failed", "Misslyckade aviseringar");
	kind = report_section(r, "by_kind", NULL, "Eskaleringar per slag", RS_SUMS | RS_CHART);
	rsection_cell(kind, "external", "Extern");
	rsection_cell(kind, "reinforcement", "Förstärkning");
	target = report_section(r, "by_target", NULL, "Eskaleringar per mottagare",
	    RS_SUMS | RS_CHART);
	rsection_cell(target, "sakerhetschef", "Säkerhetschef");
	rsection_cell(target, "tib", "TiB");
	rsection_cell(target, "coordinators", "Teamens samordnare");
	oh = report_section(r, "office_hours", NULL, "Eskaleringar inom och utanför kontorstid",
	    RS_SUMS | RS_CHART);
	rsection_cell(oh, "in", "Inom kontorstid");
	rsection_cell(oh, "outside", "Utanför kontorstid");
	status = report_section(r, "by_status", NULL, "Eskaleringar per status", RS_SUMS);
	for (size_t i = 0; i < sizeof(reporting_esc_statuses) / sizeof(reporting_esc_statuses[0]); i++)
		rsection_cell(status, reporting_esc_statuses[i].key, reporting_esc_statuses[i].label);
	team = report_section(r, "by_team", NULL, "Eskaleringar per team", RS_SUMS | RS_CHART);
	for (size_t i = 0; i < cfg->nteams; i++)
		if (reporting_team_ok(r, &cfg->teams[i]))
			rsection_cell(team, cfg->teams[i].id, cfg->teams[i].name);
	step = report_section(r, "by_step", NULL, "Eskaleringar per högsta steg", RS_SUMS);
	rsection_cell(step, "0", "Steg 0");
	rsection_cell(step, "1", "Steg 1");
	reporting_trend(r, &trend, "Eskaleringar", 0);

	if ((st = reporting_bind(db_stmt(rep->db,
	    "SELECT kind, target, office_hours, status, team, step, steps, notify_failed,"
	    " created_at, acked_at FROM escalations"
	    " WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR team = ?3)"), r,
	    r->from, r->to)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *stat = reporting_col(st, 3);
		bool office = sqlite3_column_int(st, 2) != 0;
		rcell_t *c;

		totals->cells[0].v[0]++;
		rsection_cell(kind, reporting_col(st, 0), NULL)->v[0]++;
		rsection_cell(target, reporting_col(st, 1), NULL)->v[0]++;
		oh->cells[office ? 0 : 1].v[0]++;
		rsection_cell(status, stat, NULL)->v[0]++;
		rsection_cell(team, reporting_col(st, 4), NULL)->v[0]++;
		snprintf(key, sizeof(key), "%d", sqlite3_column_int(st, 5));
		rsection_cell(step, key, NULL)->v[0]++;
		totals->cells[5].v[0] += sqlite3_column_int64(st, 6);
		totals->cells[6].v[0] += sqlite3_column_int64(st, 7);
		if (strcmp(stat, "unanswered") == 0)
			totals->cells[3].v[0]++;
		if (strcmp(stat, "resolved") != 0)
			totals->cells[4].v[0]++;
		if ((c = reporting_trend_cell(&trend, rep->tz, sqlite3_column_int64(st, 8))) != NULL)
			c->v[0]++;
		if (sqlite3_column_type(st, 9) == SQLITE_NULL) {
			totals->cells[2].v[0]++;
			continue;
		}
		totals->cells[1].v[0]++;
		if (nall == cap) {
			cap = cap ? cap * 2 : 256;
			all = realloc(all, cap * sizeof(*all));
			in = realloc(in, cap * sizeof(*in));
			out = realloc(out, cap * sizeof(*out));
			if (all == NULL || in == NULL || out == NULL)
				abort();
		}
		all[nall] = (sqlite3_column_int64(st, 9) - sqlite3_column_int64(st, 8)) / 1000;
		if (all[nall] < 0)
			all[nall] = 0;
		if (office)
			in[nin++] = all[nall];
		else
			out[nout++] = all[nall];
		nall++;
	}
	sqlite3_reset(st);
	{
		rcell_t *parts[2] = {&totals->cells[1], &totals->cells[2]};

		report_constrain(r, parts, 2, &totals->cells[0]);
	}
	if (rc == SQLITE_DONE) {
		reporting_measure(r, "time_to_ack_s", "Tid till kvittering (sekunder)", all, nall);
		reporting_measure(r, "time_to_ack_office_hours_s",
		    "Tid till kvittering inom kontorstid (sekunder)", in, nin);
		reporting_measure(r, "time_to_ack_outside_s",
		    "Tid till kvittering utanför kontorstid (sekunder)", out, nout);
	}
	free(all);
	free(in);
	free(out);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
reporting_build_annual(reporting_t *rep, report_t *r)
{
	const cfg_t *cfg = rep->cfg;
	inc_sections_t s;
	trend_t months;
	rsection_t *totals, **tm, *kind, *oh;
	int64_t open;
	char title[160];
	sqlite3_stmt *st;
	int rc;

	memset(&s, 0, sizeof(s));
	totals = report_section(r, "totals", NULL, "Sammanfattning", RS_FLAT);
	rsection_cell(totals, "incidents", "Incidenter");
	rsection_cell(totals, "escalations", "Eskaleringar");
	reporting_inc_sections(rep, r, &s, false);
	/* the months of the period, whatever its kind */
	months.unit = TREND_MONTH;
	{
		int y, m, d;

		ts_civil_from_days(r->period.first, &y, &m, &d);
		months.month0 = y * 12 + m - 1;
		months.first = r->period.first;
		months.s = report_section(r, "by_month", NULL, "Incidenter per månad",
		    RS_SUMS | RS_CHART | RS_TREND);
		for (int32_t day = r->period.first; day <= r->period.last; day++) {
			char key[16], label[32];

			ts_civil_from_days(day, &y, &m, &d);
			if (day != r->period.first && d != 1)
				continue;
			snprintf(key, sizeof(key), "%04d-%02d", y, m);
			snprintf(label, sizeof(label), "%s %d", reporting_month_names[m - 1], y);
			rsection_cell(months.s, key, label);
		}
	}
	s.trend = &months;
	tm = calloc(cfg->nteams ? cfg->nteams : 1, sizeof(*tm));
	if (tm == NULL)
		abort();
	for (size_t t = 0; t < cfg->nteams; t++) {
		if (!reporting_team_ok(r, &cfg->teams[t]))
			continue;
		snprintf(title, sizeof(title), "%s per månad", cfg->teams[t].name);
		tm[t] = report_section(r, cfg->teams[t].id, "by_team_month", title, 0);
		for (size_t i = 0; i < months.s->n; i++)
			rsection_cell(tm[t], months.s->cells[i].key, months.s->cells[i].label);
	}
	s.team_month = tm;
	kind = report_section(r, "escalations_by_kind", NULL, "Eskaleringar per slag",
	    RS_SUMS | RS_CHART);
	rsection_cell(kind, "external", "Extern");
	rsection_cell(kind, "reinforcement", "Förstärkning");
	oh = report_section(r, "escalations_office_hours", NULL,
	    "Eskaleringar inom och utanför kontorstid", RS_SUMS | RS_CHART);
	rsection_cell(oh, "in", "Inom kontorstid");
	rsection_cell(oh, "outside", "Utanför kontorstid");
	if (reporting_inc_scan(rep, r, &s, r->from, r->to, 0) < 0 ||
	    reporting_esc_count(rep, r, r->from, r->to, &totals->cells[1].v[0], &open) < 0) {
		free(tm);
		return -1;
	}
	reporting_partners_finish(s.partners);
	for (size_t i = 0; i < s.by_team->n; i++)
		totals->cells[0].v[0] += s.by_team->cells[i].v[0];
	if ((st = reporting_bind(db_stmt(rep->db,
	    "SELECT kind, office_hours FROM escalations"
	    " WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR team = ?3)"), r,
	    r->from, r->to)) == NULL) {
		free(tm);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rsection_cell(kind, reporting_col(st, 0), NULL)->v[0]++;
		oh->cells[sqlite3_column_int(st, 1) ? 0 : 1].v[0]++;
	}
	sqlite3_reset(st);
	/* each month's teams add up to the month (each team's months to the team: RS_SUMS) */
	for (size_t m = 0; m < months.s->n; m++) {
		rcell_t *parts[64];
		size_t n = 0;

		for (size_t t = 0; t < cfg->nteams && n < 64; t++)
			if (tm[t] != NULL && m < tm[t]->n)
				parts[n++] = &tm[t]->cells[m];
		report_constrain(r, parts, n, &months.s->cells[m]);
	}
	/* each team's months add up to the team's cell (the rows show no total of their own) */
	for (size_t t = 0; t < cfg->nteams; t++) {
		rcell_t *parts[TREND_MONTHS_MAX];
		size_t n = 0;

		if (tm[t] == NULL)
			continue;
		for (size_t i = 0; i < tm[t]->n && n < TREND_MONTHS_MAX; i++)
			parts[n++] = &tm[t]->cells[i];
		for (size_t i = 0; i < s.by_team->n; i++)
			if (strcmp(s.by_team->cells[i].key, cfg->teams[t].id) == 0)
				report_constrain(r, parts, n, &s.by_team->cells[i]);
	}
	free(tm);
	return rc == SQLITE_DONE ? 0 : -1;
}
