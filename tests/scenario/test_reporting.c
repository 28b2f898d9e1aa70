/*
 * test_reporting.c: trygg-reporting on its own, fed by link.deliver
 * batches sent the way trygg-intake's and trygg-escalation's links send
 * them, then asked for every kind of report in every format.
 *
 * The events are tables in this file; every expected count is counted
 * from those tables by plain loops here (or written out by hand, for the
 * boundaries), never by the daemon's code. Boundaries: local midnight in
 * Europe/Stockholm on both daylight saving days of 2026 and ISO week 53
 * (2026-12-28..2027-01-03). Also: the small-count rule, primary and
 * secondary; a resent batch and a restart change no count (exactly once);
 * bad requests get the protocol's errors.
 */
#include "harness.h"
#include "msg.h"
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"

/* ---- the events */

typedef struct {
	const char *number, *team, *district, *category;
	int severity;
	const char *level;              /* NULL: not given */
	const char *escalation, *status, *occurred;
	bool police, oros, minors;
	const char *partners[3];
} inc_t;

static const char *const teams[] = {"omradesteam-1", "omradesteam-2", "omradesteam-3"};
static const char *const team_names[] = {"Områdesteam 1", "Områdesteam 2", "Områdesteam 3"};
static const char *const districts[3][2] = {
	{"Skäggetorp", "Ljungsbro"}, {"Ryd", "Vikingstad"}, {"Berga", "City"},
};
static const char *const cats[] = {"skadegorelse", "brand", "hot_och_vald", "narkotika",
	"buskorning"};
static const char *const cat_names[] = {"Skadegörelse", "Brand", "Hot och våld", "Narkotika",
	"Buskörning"};
static const char *const levels[] = {"omrade", "grupp", "individ", NULL};

#define NCUR  30        /* incidents in 2026-W47 */
#define NPREV 7         /* incidents in 2026-W46 */
#define NJUNE 25        /* incidents in 2026-06, for the small-count rule */

static inc_t gen[NCUR + NPREV + NJUNE];
static char gen_numbers[NCUR + NPREV + NJUNE][32], gen_times[NCUR + NPREV + NJUNE][32];

/* W47: incident i at 2026-11-16T08:00Z + 4h·i (CET: +1h, all within the week) */
static void
gen_make(void)
{
	for (int i = 0; i < NCUR + NPREV + NJUNE; i++) {
		inc_t *x = &gen[i];
		int t = i % 3, hour;

		snprintf(gen_numbers[i], sizeof(gen_numbers[i]), "INC-2026-%06d", 100 + i);
		x->number = gen_numbers[i];
		if (i < NCUR) {
			hour = 8 + 4 * i;
			snprintf(gen_times[i], sizeof(gen_times[i]), "2026-11-%02dT%02d:00:00Z",
			    16 + hour / 24, hour % 24);
		} else if (i < NCUR + NPREV) {
			hour = 8 + 5 * (i - NCUR);
			snprintf(gen_times[i], sizeof(gen_times[i]), "2026-11-%02dT%02d:00:00Z",
			    9 + hour / 24, hour % 24);
		} else {
			/* June: team 1 three, team 2 ten, team 3 twelve */
			int j = i - NCUR - NPREV;

			t = j < 3 ? 0 : j < 13 ? 1 : 2;
			snprintf(gen_times[i], sizeof(gen_times[i]), "2026-06-%02dT10:00:00Z", 1 + j);
		}
		x->occurred = gen_times[i];
		x->team = teams[t];
		x->district = districts[t][i < NCUR + NPREV ? i % 2 : 0];
		x->category = cats[i < NCUR + NPREV ? i % 5 : 0];
		x->severity = 1 + i % 5;
		x->level = levels[i % 4];
		x->escalation = x->severity >= 4 ? "external" : i % 7 == 0 ? "reinforcement" : "none";
		x->status = i % 3 == 0 ? "closed" : "open";
		x->police = i % 2 == 0;
		x->oros = i % 5 == 0;
		x->minors = i % 4 == 0;
		memset(x->partners, 0, sizeof(x->partners));
		if (i % 5 == 0) {
			x->partners[0] = "skola";
			x->partners[1] = "polis";
		} else if (i % 3 == 0) {
			x->partners[0] = "polis";
		}
	}
}

/* the boundaries, one each, in their own category (inbrott) so they touch no other count */
static const struct {
	const char *occurred, *note;
} edges[] = {
	{"2026-03-29T21:59:00Z", "A: 23:59 CEST Sun 29 March: W13, March"},
	{"2026-03-29T22:00:00Z", "B: 00:00 CEST Mon 30 March: W14, March"},
	{"2026-03-31T21:59:59Z", "D: 23:59:59 CEST 31 March: March"},
	{"2026-03-31T22:00:00Z", "C: 00:00 CEST 1 April: April"},
	{"2026-10-24T21:59:00Z", "H: 23:59 CEST 24 October"},
	{"2026-10-24T22:00:00Z", "E: 00:00 CEST 25 October (a 25-hour day)"},
	{"2026-10-25T22:30:00Z", "F: 23:30 CET 25 October"},
	{"2026-10-25T23:00:00Z", "G: 00:00 CET 26 October"},
	{"2026-12-27T22:59:00Z", "K: 23:59 CET Sun 27 December: W52"},
	{"2026-12-27T23:00:00Z", "J: 00:00 Mon 28 December: W53"},
	{"2027-01-03T22:59:00Z", "I: 23:59 Sun 3 January 2027: 2026-W53, but 2027 and 2027-01"},
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

/* escalations created in W47; ack seconds < 0: never acked */
static const struct {
	int id;
	const char *kind, *target, *status;
	bool office;
	int team, step, steps, ack_s;
} escs[] = {
	{1, "external", "sakerhetschef", "acked", true, 0, 0, 0, 60},
	{2, "external", "tib", "acked", false, 1, 1, 1, 120},
	{3, "external", "tib", "resolved", false, 2, 0, 0, 300},
	{4, "reinforcement", "coordinators", "acked", true, 0, 0, 0, 30},
	{5, "external", "sakerhetschef", "resolved", true, 1, 1, 1, 600},
	{6, "external", "tib", "unanswered", false, 2, 1, 1, -1},
	{7, "external", "tib", "open", false, 0, 0, 0, -1},
	{8, "reinforcement", "coordinators", "open", true, 1, 0, 0, -1},
};
#define NESCS (sizeof(escs) / sizeof(escs[0]))

static void
pack_incident(pack_t *p, int64_t id, const char *type, const inc_t *x)
{
	pack_map_open(p);
	pack_kv_int(p, "id", id);
	pack_kv_str(p, "type", type);
	pack_kv_str(p, "at", x->occurred);
	pack_key(p, "incident");
	pack_map_open(p);
	pack_kv_str(p, "number", x->number);
	pack_kv_str(p, "id", x->number);
	pack_kv_str(p, "team", x->team);
	pack_kv_str(p, "team_name", "whatever");
	pack_kv_str(p, "district", x->district);
	pack_kv_str(p, "category", x->category);
	pack_kv_str(p, "category_name", "whatever");
	pack_kv_int(p, "severity", x->severity);
	pack_kv_str(p, "summary", "a summary that must not be kept");
	pack_kv_str(p, "reporter", "Anna Andersson");
	pack_kv_str(p, "location", "Gatan 1");
	pack_kv_str(p, "occurred_at", x->occurred);
	pack_kv_str(p, "received_at", x->occurred);
	pack_kv_str(p, "updated_at", x->occurred);
	if (x->level)
		pack_kv_str(p, "level", x->level);
	pack_kv_bool(p, "police_report", x->police);
	pack_kv_bool(p, "orosanmalan", x->oros);
	pack_kv_bool(p, "involves_minors", x->minors);
	if (x->partners[0]) {
		pack_key(p, "partners");
		pack_array_open(p);
		for (int k = 0; k < 3 && x->partners[k]; k++)
			pack_str(p, x->partners[k]);
		pack_array_close(p);
	}
	pack_kv_str(p, "escalation", x->escalation);
	pack_kv_str(p, "status", x->status);
	pack_map_close(p);
	if (strcmp(type, "incident.updated") == 0) {
		pack_key(p, "change");
		pack_map_open(p);
		pack_kv_str(p, "at", x->occurred);
		pack_kv_str(p, "by", "Anna Andersson");
		pack_kv_str(p, "action", strcmp(x->status, "closed") == 0 ? "closed" : "note");
		pack_kv_str(p, "note", "a note that must not be kept");
		pack_map_close(p);
	}
	pack_map_close(p);
}

static void
pack_escalation(pack_t *p, int64_t id, int e, const char *action, bool final)
{
	char created[32], acked[32];
	int min = 10 * escs[e].id;

	snprintf(created, sizeof(created), "2026-11-18T%02d:%02d:00Z", 8 + min / 60, min % 60);
	pack_map_open(p);
	pack_kv_int(p, "id", id);
	pack_kv_str(p, "type", "escalation.changed");
	pack_kv_str(p, "at", created);
	pack_kv_str(p, "action", action);
	pack_key(p, "escalation");
	pack_map_open(p);
	pack_kv_int(p, "id", escs[e].id);
	pack_kv_str(p, "incident", gen[e].number);
	pack_kv_str(p, "kind", escs[e].kind);
	pack_kv_str(p, "status", final ? escs[e].status : "open");
	pack_kv_str(p, "target", escs[e].target);
	pack_kv_str(p, "team", teams[escs[e].team]);
	pack_kv_str(p, "district", districts[escs[e].team][0]);
	pack_kv_str(p, "category", "brand");
	pack_kv_int(p, "severity", 5);
	pack_kv_bool(p, "office_hours", escs[e].office);
	pack_kv_str(p, "reason", "weekday office hours");
	pack_kv_int(p, "step", final ? escs[e].step : 0);
	pack_kv_int(p, "attempt", 0);
	pack_kv_str(p, "created_at", created);
	if (final && escs[e].ack_s >= 0) {
		int s = 10 * escs[e].id * 60 + escs[e].ack_s;

		snprintf(acked, sizeof(acked), "2026-11-18T%02d:%02d:%02dZ", 8 + s / 3600,
		    s / 60 % 60, s % 60);
		pack_kv_str(p, "acked_at", acked);
		pack_kv_str(p, "acked_by", "tib-1");
	}
	pack_map_close(p);
	pack_map_close(p);
}

/* ---- talking to the daemon */

static harness_t *
h_rep(void)
{
	return harness_shared(NULL, H_REPORTING);
}

static pack_t *
batch_open(const char *source, const char *epoch)
{
	pack_t *p = harness_req("link.deliver");

	pack_kv_str(p, "link", "reporting");
	pack_kv_str(p, "source", source);
	pack_kv_str(p, "epoch", epoch);
	pack_key(p, "messages");
	pack_array_open(p);
	return p;
}

/* closes and sends a batch; the "applied" of the reply, or -1 */
static long long
batch_send(pack_t *p)
{
	const msgpack_object *r;
	long long applied;

	pack_array_close(p);
	pack_map_close(p);
	r = harness_call(h_rep(), H_REPORTING, p);
	pack_destroy(&p);
	if (r == NULL || !h_ok(r))
		return -1;
	applied = h_int(r, "applied");
	return applied;
}

static bool loaded;

/* Delivers every event once: intake's in two batches, escalation's in one. */
static void
load(void)
{
	pack_t *p;
	int64_t id = 0;

	if (loaded)
		return;
	loaded = true;
	gen_make();
	p = batch_open("trygg-intake", "e1");
	for (int i = 0; i < NCUR + NPREV + NJUNE; i++) {
		inc_t first = gen[i];

		/* each made open, then updated to its final state */
		first.status = "open";
		pack_incident(p, ++id, "incident.created", &first);
	}
	CHECK_INT(batch_send(p), id);
	p = batch_open("trygg-intake", "e1");
	for (int i = 0; i < NCUR + NPREV + NJUNE; i++)
		pack_incident(p, ++id, "incident.updated", &gen[i]);
	for (size_t i = 0; i < NEDGES; i++) {
		inc_t x = {.team = "omradesteam-1", .district = "Skäggetorp",
		    .category = "inbrott", .severity = 1, .escalation = "none",
		    .status = "open", .occurred = edges[i].occurred};
		char number[32];

		snprintf(number, sizeof(number), "INC-2026-%06zu", 900 + i);
		x.number = number;
		pack_incident(p, ++id, "incident.created", &x);
	}
	CHECK_INT(batch_send(p), id);
	id = 0;
	p = batch_open("trygg-escalation", "x1");
	for (size_t e = 0; e < NESCS; e++) {
		pack_escalation(p, ++id, (int)e, "created", false);
		for (int s = 0; s < escs[e].steps; s++)
			pack_escalation(p, ++id, (int)e, "step", false);
		pack_escalation(p, ++id, (int)e, escs[e].ack_s >= 0 ? "acked" : "note", true);
	}
	CHECK_INT(batch_send(p), id);
}

static char *report_text;

/* Asks for a report; its content (valid until the next call), or NULL on an error reply. */
static const char *
report(const char *kind, const char *period, const char *team, const char *format,
    bool suppress)
{
	pack_t *p = harness_req("report");
	const msgpack_object *r, *c;

	pack_kv_str(p, "kind", kind);
	pack_kv_str(p, "period", period);
	if (team)
		pack_kv_str(p, "team", team);
	if (format)
		pack_kv_str(p, "format", format);
	if (suppress)
		pack_kv_bool(p, "suppress", true);
	pack_map_close(p);
	r = harness_call(h_rep(), H_REPORTING, p);
	pack_destroy(&p);
	free(report_text);
	report_text = NULL;
	if (r == NULL || !h_ok(r) || (c = h_get(r, "content")) == NULL ||
	    c->type != MSGPACK_OBJECT_STR) {
		if (r)
			fprintf(stderr, "report %s %s: %s\n", kind, period, h_code(r));
		return NULL;
	}
	report_text = strndup(c->via.str.ptr, c->via.str.size);
	return report_text;
}

/* the error code of a report request built by the caller */
static const char *
report_error(pack_t *p)
{
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(h_rep(), H_REPORTING, p);
	pack_destroy(&p);
	return r ? h_code(r) : "(no reply)";
}

/*
 * The value of "key" inside the JSON object "section" (NULL: top level) of
 * the current or the previous period, as text ("12", "\"<5\"", "null");
 * "" when absent. The JSON is pretty-printed by the daemon, one member a line.
 */
static const char *
json_value(const char *json, bool prev, const char *section, const char *key)
{
	static char out[64];
	const char *p = json, *end, *q;
	char pat[128];

	out[0] = '\0';
	if (json == NULL)
		return out;
	end = strstr(json, "\n  \"previous\": {");
	if (prev) {
		if (end == NULL)
			return out;
		p = end;
		end = NULL;
	}
	if (section) {
		snprintf(pat, sizeof(pat), "\"%s\": {", section);
		if ((p = strstr(p, pat)) == NULL || (end && p > end))
			return out;
	}
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	for (q = strstr(p, pat); q; q = strstr(q + 1, pat)) {
		const char *v = q + strlen(pat);
		size_t n = strcspn(v, ",\n");

		if (end && q > end)
			break;
		/* inside the section: before its closing brace */
		if (section) {
			const char *close = strchr(p, '}');

			if (close && q > close)
				break;
		}
		if (q[-1] != ' ')
			continue;
		snprintf(out, sizeof(out), "%.*s", (int)(n < 60 ? n : 60), v);
		return out;
	}
	return out;
}

static const char *
num(long long n)
{
	static char b[8][24];
	static int k;

	k = (k + 1) % 8;
	snprintf(b[k], sizeof(b[k]), "%lld", n);
	return b[k];
}

/*
 * Checks one cell in all four formats: key and label in section, value
 * now and (prev >= 0) in the previous period; hidden: "<5" / "..".
 */
static void
check_cell(const char *kind, const char *period, const char *team, bool suppress,
    const char *section, const char *key, const char *label, const char *now, const char *prev)
{
	char line[512], jnow[32], jprev[32], change[32];
	const char *t;

	snprintf(jnow, sizeof(jnow), "%s%s%s", now[0] == '<' || now[0] == '.' ? "\"" : "", now,
	    now[0] == '<' || now[0] == '.' ? "\"" : "");
	t = report(kind, period, team, "json", suppress);
	if (strcmp(section, "totals") == 0)
		CHECK_STR(json_value(t, false, NULL, key), jnow);
	else    /* a grouped section is nested: by_team_month.omradesteam-1 */
		CHECK_STR(json_value(t, false, strchr(section, '.') ? strchr(section, '.') + 1 :
		    section, key), jnow);
	if (prev) {
		snprintf(jprev, sizeof(jprev), "%s%s%s", prev[0] == '<' || prev[0] == '.' ? "\"" : "",
		    prev, prev[0] == '<' || prev[0] == '.' ? "\"" : "");
		CHECK_STR(json_value(t, true, strcmp(section, "totals") ? section : NULL, key), jprev);
		if (now[0] == '<' || now[0] == '.' || prev[0] == '<' || prev[0] == '.')
			snprintf(change, sizeof(change), "..");
		else if (atoll(now) == atoll(prev))
			snprintf(change, sizeof(change), "0");
		else
			snprintf(change, sizeof(change), "%+lld", atoll(now) - atoll(prev));
	}
	t = report(kind, period, team, "csv", suppress);
	/* lägesbild has a previous column, empty for the trend */
	snprintf(line, sizeof(line), "\n%s,%s,%s,%s%s%s\r\n", section, key, label, now,
	    prev || strcmp(kind, "lagesbild") == 0 ? "," : "", prev ? prev : "");
	CHECK_HAS(t, line);
	t = report(kind, period, team, "md", suppress);
	if (prev)
		snprintf(line, sizeof(line), "| %s | %s | %s | %s |\n", label,
		    now[0] == '<' ? "\\<5" : now, prev[0] == '<' ? "\\<5" : prev, change);
	else
		snprintf(line, sizeof(line), "| %s | %s |\n", label, now[0] == '<' ? "\\<5" : now);
	if (strchr(label, '_') == NULL)
		CHECK_HAS(t, line);
	t = report(kind, period, team, "html", suppress);
	if (prev)
		snprintf(line, sizeof(line), "<tr><th>%s</th><td>%s</td><td>%s</td><td>%s</td></tr>",
		    label, now[0] == '<' ? "&lt;5" : now, prev[0] == '<' ? "&lt;5" : prev, change);
	else
		snprintf(line, sizeof(line), "<tr><th>%s</th><td>%s</td></tr>", label,
		    now[0] == '<' ? "&lt;5" : now);
	CHECK_HAS(t, line);
}

/* ---- lägesbild: every breakdown, against the previous week */

static int
in_range(int i, int lo, int hi)
{
	return i >= lo && i < hi;
}

TEST(test_lagesbild_counts)
{
	static const char *const level_keys[] = {"omrade", "grupp", "individ", "none"};
	static const char *const level_labels[] = {"Område", "Grupp", "Individ", "Ej angiven"};
	static const char *const esc_keys[] = {"none", "reinforcement", "external"};
	static const char *const esc_labels[] = {"Inom teamet", "Förstärkning", "Extern"};
	long long n[2], open[2];

	load();
	/* totals */
	for (int w = 0; w < 2; w++) {
		int lo = w ? NCUR : 0, hi = w ? NCUR + NPREV : NCUR;

		n[w] = hi - lo;
		open[w] = 0;
		for (int i = lo; i < hi; i++)
			open[w] += strcmp(gen[i].status, "open") == 0;
	}
	check_cell("lagesbild", "2026-W47", NULL, false, "totals", "incidents", "Incidenter",
	    num(n[0]), num(n[1]));
	check_cell("lagesbild", "2026-W47", NULL, false, "totals", "open_incidents",
	    "Incidenter öppna nu", num(open[0]), num(open[1]));
	check_cell("lagesbild", "2026-W47", NULL, false, "totals", "escalations", "Eskaleringar",
	    num(NESCS), "0");
	{
		long long o = 0;

		for (size_t e = 0; e < NESCS; e++)
			o += strcmp(escs[e].status, "resolved") != 0;
		check_cell("lagesbild", "2026-W47", NULL, false, "totals", "open_escalations",
		    "Eskaleringar öppna nu", num(o), "0");
	}
	for (int t = 0; t < 3; t++) {
		long long c[2] = {0, 0}, d[2][2] = {{0, 0}, {0, 0}};

		for (int i = 0; i < NCUR + NPREV; i++) {
			int w = i >= NCUR;

			if (strcmp(gen[i].team, teams[t]) != 0)
				continue;
			c[w]++;
			d[strcmp(gen[i].district, districts[t][0]) == 0 ? 0 : 1][w]++;
		}
		check_cell("lagesbild", "2026-W47", NULL, false, "by_team", teams[t], team_names[t],
		    num(c[0]), num(c[1]));
		for (int k = 0; k < 2; k++)
			check_cell("lagesbild", "2026-W47", NULL, false, "by_district",
			    districts[t][k], districts[t][k], num(d[k][0]), num(d[k][1]));
	}
	for (int k = 0; k < 5; k++) {
		long long c[2] = {0, 0};

		for (int i = 0; i < NCUR + NPREV; i++)
			c[i >= NCUR] += strcmp(gen[i].category, cats[k]) == 0;
		check_cell("lagesbild", "2026-W47", NULL, false, "by_category", cats[k], cat_names[k],
		    num(c[0]), num(c[1]));
	}
	check_cell("lagesbild", "2026-W47", NULL, false, "by_category", "ovrigt", "Övrigt", "0", "0");
	for (int s = 1; s <= 5; s++) {
		long long c[2] = {0, 0};

		for (int i = 0; i < NCUR + NPREV; i++)
			c[i >= NCUR] += gen[i].severity == s;
		check_cell("lagesbild", "2026-W47", NULL, false, "by_severity", num(s), num(s),
		    num(c[0]), num(c[1]));
	}
	for (int k = 0; k < 4; k++) {
		long long c[2] = {0, 0};

		for (int i = 0; i < NCUR + NPREV; i++)
			c[i >= NCUR] += k < 3 ? gen[i].level != NULL &&
			    strcmp(gen[i].level, level_keys[k]) == 0 : gen[i].level == NULL;
		check_cell("lagesbild", "2026-W47", NULL, false, "by_level", level_keys[k],
		    level_labels[k], num(c[0]), num(c[1]));
	}
	for (int k = 0; k < 3; k++) {
		long long c[2] = {0, 0};

		for (int i = 0; i < NCUR + NPREV; i++)
			c[i >= NCUR] += strcmp(gen[i].escalation, esc_keys[k]) == 0;
		check_cell("lagesbild", "2026-W47", NULL, false, "by_escalation", esc_keys[k],
		    esc_labels[k], num(c[0]), num(c[1]));
	}
	{
		long long pol[2] = {0, 0}, oro[2] = {0, 0}, min[2] = {0, 0};
		long long skola[2] = {0, 0}, polis[2] = {0, 0};

		for (int i = 0; i < NCUR + NPREV; i++) {
			int w = i >= NCUR;

			pol[w] += gen[i].police;
			oro[w] += gen[i].oros;
			min[w] += gen[i].minors;
			for (int k = 0; k < 3 && gen[i].partners[k]; k++) {
				skola[w] += strcmp(gen[i].partners[k], "skola") == 0;
				polis[w] += strcmp(gen[i].partners[k], "polis") == 0;
			}
		}
		check_cell("lagesbild", "2026-W47", NULL, false, "flags", "police_report",
		    "Polisanmälan", num(pol[0]), num(pol[1]));
		check_cell("lagesbild", "2026-W47", NULL, false, "flags", "orosanmalan",
		    "Orosanmälan", num(oro[0]), num(oro[1]));
		check_cell("lagesbild", "2026-W47", NULL, false, "flags", "involves_minors",
		    "Berör minderåriga", num(min[0]), num(min[1]));
		check_cell("lagesbild", "2026-W47", NULL, false, "partners", "skola", "skola",
		    num(skola[0]), num(skola[1]));
		check_cell("lagesbild", "2026-W47", NULL, false, "partners", "polis", "polis",
		    num(polis[0]), num(polis[1]));
	}
	/* the trend by day: incident i is on day (8 + 4i) / 24 of the week, local time */
	for (int d = 0; d < 7; d++) {
		long long c = 0;
		char key[32], label[32];

		for (int i = 0; i < NCUR; i++)
			c += (8 + 1 + 4 * i) / 24 == d;
		snprintf(key, sizeof(key), "2026-11-%02d", 16 + d);
		snprintf(label, sizeof(label), "%d nov", 16 + d);
		check_cell("lagesbild", "2026-W47", NULL, false, "by_day", key, label, num(c), NULL);
	}
	(void)in_range;
}

TEST(test_lagesbild_team)
{
	long long c[2] = {0, 0};

	load();
	for (int i = 0; i < NCUR + NPREV; i++)
		c[i >= NCUR] += strcmp(gen[i].team, teams[1]) == 0;
	check_cell("lagesbild", "2026-W47", teams[1], false, "totals", "incidents", "Incidenter",
	    num(c[0]), num(c[1]));
	check_cell("lagesbild", "2026-W47", teams[1], false, "by_team", teams[1], team_names[1],
	    num(c[0]), num(c[1]));
	/* the other teams are not in it at all */
	CHECK(strstr(report("lagesbild", "2026-W47", teams[1], "json", false),
	    "omradesteam-3") == NULL);
	CHECK(strstr(report("lagesbild", "2026-W47", teams[1], "csv", false),
	    "Skäggetorp") == NULL);
}

/* ---- the boundaries: local midnight on both DST days, ISO week 53 */

TEST(test_period_boundaries)
{
	static const struct { const char *period; int n; } cases[] = {
		{"2026-W13", 1},        /* A */
		{"2026-W14", 3},        /* B D C */
		{"2026-03", 3},         /* A B D */
		{"2026-04", 1},         /* C */
		{"2026-03-29..2026-03-29", 1},  /* A: the 23-hour day */
		{"2026-03-30..2026-03-30", 1},  /* B */
		{"2026-10-24..2026-10-24", 1},  /* H */
		{"2026-10-25..2026-10-25", 2},  /* E F: the 25-hour day */
		{"2026-10-26..2026-10-26", 1},  /* G */
		{"2026-W52", 1},        /* K */
		{"2026-W53", 2},        /* J I */
		{"2026-12", 2},         /* K J */
		{"2027", 1},            /* I */
		{"2027-01", 1},
		{"2027-W01", 0},
		{"2026-Q1", 3},
		{"2026-T1", 4},
		{"2026-T3", 5 + 0},     /* H E F G K J: six; minus none... see below */
	};

	load();
	for (size_t i = 0; i + 1 < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = report("lagesbild", cases[i].period, NULL, "json", false);

		if (t == NULL) {
			test_fail(__FILE__, __LINE__, "%s: no report", cases[i].period);
			continue;
		}
		if (strcmp(json_value(t, false, "by_category", "inbrott"), num(cases[i].n)) != 0)
			test_fail(__FILE__, __LINE__, "%s: inbrott %s, expected %d", cases[i].period,
			    json_value(t, false, "by_category", "inbrott"), cases[i].n);
	}
	/* 2026-T3 (Sep-Dec) holds H E F G K J, but also the W46/W47 incidents in other categories */
	CHECK_STR(json_value(report("lagesbild", "2026-T3", NULL, "json", false), false,
	    "by_category", "inbrott"), "6");
	/* the previous period of week 1 of 2027 is week 53 of 2026 */
	CHECK_STR(json_value(report("lagesbild", "2027-W01", NULL, "json", false), true, NULL,
	    "period"), "\"2026-W53\"");
	CHECK_STR(json_value(report_text, true, "by_category", "inbrott"), "2");
	/* a week's trend across the spring change has seven days, the last 23 hours long */
	CHECK_HAS(report("lagesbild", "2026-W13", NULL, "csv", false),
	    "\nby_day,2026-03-29,29 mar,1,\r\n");
}

/* ---- the escalations report */

TEST(test_escalations_counts)
{
	static const char *const kinds[] = {"external", "reinforcement"};
	static const char *const kind_labels[] = {"Extern", "Förstärkning"};
	static const char *const targets[] = {"sakerhetschef", "tib", "coordinators"};
	static const char *const target_labels[] = {"Säkerhetschef", "TiB", "Teamens samordnare"};
	long long acked = 0, unack = 0, unanswered = 0, steps = 0, in = 0, out = 0;

	load();
	for (size_t e = 0; e < NESCS; e++) {
		acked += escs[e].ack_s >= 0;
		unack += escs[e].ack_s < 0;
		unanswered += strcmp(escs[e].status, "unanswered") == 0;
		steps += escs[e].steps;
		in += escs[e].office;
		out += !escs[e].office;
	}
	check_cell("escalations", "2026-W47", NULL, false, "totals", "escalations", "Eskaleringar",
	    num(NESCS), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "totals", "acked", "Kvitterade",
	    num(acked), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "totals", "unacknowledged",
	    "Ej kvitterade", num(unack), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "totals", "unanswered",
	    "Obesvarade efter sista steget", num(unanswered), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "totals", "steps_taken",
	    "Steg i policyn tagna", num(steps), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "office_hours", "in", "Inom kontorstid",
	    num(in), NULL);
	check_cell("escalations", "2026-W47", NULL, false, "office_hours", "outside",
	    "Utanför kontorstid", num(out), NULL);
	for (int k = 0; k < 2; k++) {
		long long c = 0;

		for (size_t e = 0; e < NESCS; e++)
			c += strcmp(escs[e].kind, kinds[k]) == 0;
		check_cell("escalations", "2026-W47", NULL, false, "by_kind", kinds[k],
		    kind_labels[k], num(c), NULL);
	}
	for (int k = 0; k < 3; k++) {
		long long c = 0;

		for (size_t e = 0; e < NESCS; e++)
			c += strcmp(escs[e].target, targets[k]) == 0;
		check_cell("escalations", "2026-W47", NULL, false, "by_target", targets[k],
		    target_labels[k], num(c), NULL);
	}
	/* acked after 60, 120, 300, 30, 600 s: sorted 30 60 120 300 600 */
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_s", "median", "Median",
	    "120", NULL);
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_s", "p90",
	    "90:e percentilen", "600", NULL);
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_s", "max", "Längst",
	    "600", NULL);
	/* in office hours: 60, 30, 600 → median 60; outside: 120, 300 → median 120 */
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_office_hours_s", "median",
	    "Median", "60", NULL);
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_outside_s", "median",
	    "Median", "120", NULL);
	check_cell("escalations", "2026-W47", NULL, false, "time_to_ack_outside_s", "max",
	    "Längst", "300", NULL);
	/* nothing to measure: null, not 0 */
	CHECK_STR(json_value(report("escalations", "2026-W46", NULL, "json", false), false,
	    "time_to_ack_s", "median"), "null");
}

/* ---- annual: per team and month */

TEST(test_annual_counts)
{
	long long by_team[3] = {0, 0, 0}, nov[3] = {0, 0, 0}, jun[3] = {0, 0, 0}, all = 0;
	char key[32];

	load();
	for (int i = 0; i < NCUR + NPREV + NJUNE; i++) {
		int t = gen[i].team[12] - '1';

		by_team[t]++;
		all++;
		if (strncmp(gen[i].occurred, "2026-11", 7) == 0)
			nov[t]++;
		else
			jun[t]++;
	}
	/* the boundary incidents are team 1's; 2026 holds all but I */
	by_team[0] += NEDGES - 1;
	all += NEDGES - 1;
	check_cell("annual", "2026", NULL, false, "totals", "incidents", "Incidenter", num(all), NULL);
	check_cell("annual", "2026", NULL, false, "totals", "escalations", "Eskaleringar",
	    num(NESCS), NULL);
	for (int t = 0; t < 3; t++) {
		check_cell("annual", "2026", NULL, false, "by_team", teams[t], team_names[t],
		    num(by_team[t]), NULL);
		snprintf(key, sizeof(key), "by_team_month.%s", teams[t]);
		check_cell("annual", "2026", NULL, false, key, "2026-11", "nov 2026", num(nov[t]), NULL);
		check_cell("annual", "2026", NULL, false, key, "2026-06", "jun 2026", num(jun[t]), NULL);
		check_cell("annual", "2026", NULL, false, key, "2026-02", "feb 2026", "0", NULL);
	}
	/* team 1 in March: A B D; in October H E F G; in December K J */
	CHECK_HAS(report("annual", "2026", NULL, "csv", false),
	    "\nby_team_month.omradesteam-1,2026-03,mar 2026,3\r\n");
	CHECK_HAS(report_text, "\nby_team_month.omradesteam-1,2026-10,okt 2026,4\r\n");
	CHECK_HAS(report_text, "\nby_month,2026-12,dec 2026,2\r\n");
	CHECK_HAS(report_text, "\nby_month,2026-11,nov 2026,37\r\n");
	/* the json nests the team's months */
	CHECK_STR(json_value(report("annual", "2026", NULL, "json", false), false, teams[2],
	    "2026-06"), "12");
}

/* ---- small counts */

TEST(test_small_counts)
{
	const char *t;

	load();
	/* June: team 1 three (hidden), team 2 ten, team 3 twelve: team 2, the smallest other, goes too */
	check_cell("lagesbild", "2026-06", NULL, true, "by_team", teams[0], team_names[0], "<5", "0");
	check_cell("lagesbild", "2026-06", NULL, true, "by_team", teams[1], team_names[1], "..", "0");
	check_cell("lagesbild", "2026-06", NULL, true, "by_team", teams[2], team_names[2], "12", "0");
	check_cell("lagesbild", "2026-06", NULL, true, "totals", "incidents", "Incidenter", "25", "0");
	/* the districts: Skäggetorp's 3 hidden; it is team 1's only district with any, so the
	 * team's cell (<5 already) needs nothing more; Ryd (10) and Berga (12) are each their
	 * team's only district: hiding team 2 must hide Ryd too, or Ryd would reveal it */
	check_cell("lagesbild", "2026-06", NULL, true, "by_district", "Skäggetorp", "Skäggetorp",
	    "<5", "0");
	t = report("lagesbild", "2026-06", NULL, "json", true);
	CHECK_STR(json_value(t, false, "by_district", "Ryd"), "\"..\"");
	/* the same without the rule: exact */
	check_cell("lagesbild", "2026-06", NULL, false, "by_team", teams[0], team_names[0], "3", "0");
	check_cell("lagesbild", "2026-06", NULL, false, "by_team", teams[1], team_names[1], "10", "0");
	/* the md and html explain the marks */
	CHECK_HAS(report("lagesbild", "2026-06", NULL, "md", true), "visas som \\<5");
	/* flags have no total: only the primary rule (W46: two orosanmälan, 7 incidents) */
	CHECK_STR(json_value(report("lagesbild", "2026-W46", NULL, "json", true), false, "flags",
	    "orosanmalan"), "\"<5\"");
	/* escalations: acked (5) + unacknowledged (3) = 8 shown: acked must go as well */
	t = report("escalations", "2026-W47", NULL, "json", true);
	CHECK_STR(json_value(t, false, NULL, "unacknowledged"), "\"<5\"");
	CHECK_STR(json_value(t, false, NULL, "acked"), "\"..\"");
	CHECK_STR(json_value(t, false, NULL, "escalations"), "8");
	/* measures are never hidden */
	CHECK_STR(json_value(t, false, "time_to_ack_s", "max"), "600");
	/* annual: team 1's June (3) hidden in its row, and in June's column */
	t = report("annual", "2026", NULL, "json", true);
	CHECK_STR(json_value(t, false, teams[0], "2026-06"), "\"<5\"");
	CHECK(strcmp(json_value(t, false, teams[1], "2026-06"), "10") != 0 ||
	    strcmp(json_value(t, false, teams[2], "2026-06"), "12") != 0);
}

/* ---- no free text and no people */

TEST(test_no_free_text)
{
	static const char *const formats[] = {"json", "csv", "md", "html"};

	load();
	for (int f = 0; f < 4; f++) {
		const char *t = report("lagesbild", "2026-W47", NULL, formats[f], false);

		CHECK(t != NULL);
		CHECK(t && strstr(t, "summary") == NULL);
		CHECK(t && strstr(t, "Anna") == NULL);
		CHECK(t && strstr(t, "Gatan") == NULL);
		CHECK(t && strstr(t, "INC-2026") == NULL);
		t = report("escalations", "2026-W47", NULL, formats[f], false);
		CHECK(t && strstr(t, "tib-1") == NULL);
	}
	/* the html stands alone: no script, nothing fetched; charts are inline SVG */
	CHECK(report("lagesbild", "2026-W47", NULL, "html", false) != NULL);
	CHECK(strstr(report_text, "<script") == NULL);
	CHECK(strstr(report_text, "src=") == NULL);
	CHECK(strstr(report_text, "href=") == NULL);
	CHECK_HAS(report_text, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	CHECK_HAS(report_text, "</html>\n");
}

/* ---- exactly once: a resent batch, an overlapping one, a restart */

TEST(test_exactly_once)
{
	pack_t *p;
	char before[64];

	load();
	snprintf(before, sizeof(before), "%s",
	    json_value(report("escalations", "2026-W47", NULL, "json", false), false, NULL,
	    "steps_taken"));
	/* escalation's batch again, whole: every id is at or below the watermark */
	p = batch_open("trygg-escalation", "x1");
	for (int s = 0; s < 3; s++)
		pack_escalation(p, 2 + s, 1, "step", false);
	CHECK_INT(batch_send(p), 2 * NESCS + 3);  /* the watermark: every escalation message */
	CHECK_STR(json_value(report("escalations", "2026-W47", NULL, "json", false), false, NULL,
	    "steps_taken"), before);
	/* a batch that overlaps: only its new message counts */
	p = batch_open("trygg-intake", "e1");
	for (int i = 0; i < 2; i++) {
		inc_t x = gen[0];
		char number[32];

		snprintf(number, sizeof(number), "INC-2026-%06d", 800 + i);
		x.number = number;
		x.occurred = "2026-11-21T10:00:00Z";
		pack_incident(p, 2 * (NCUR + NPREV + NJUNE) + NEDGES + i, "incident.created", &x);
	}
	CHECK_INT(batch_send(p), 2 * (NCUR + NPREV + NJUNE) + NEDGES + 1);
	CHECK_STR(json_value(report("lagesbild", "2026-W47", NULL, "json", false), false, NULL,
	    "incidents"), num(NCUR + 1));
	/* again, after a restart of the daemon: nothing new */
	CHECK(harness_kill(h_rep(), H_REPORTING, SIGKILL) != 0 || 1);
	CHECK_INT(harness_start(h_rep(), H_REPORTING), 0);
	p = batch_open("trygg-intake", "e1");
	{
		inc_t x = gen[0];

		x.number = "INC-2026-000801";
		x.occurred = "2026-11-21T10:00:00Z";
		pack_incident(p, 2 * (NCUR + NPREV + NJUNE) + NEDGES + 1, "incident.created", &x);
	}
	CHECK_INT(batch_send(p), 2 * (NCUR + NPREV + NJUNE) + NEDGES + 1);
	CHECK_STR(json_value(report("lagesbild", "2026-W47", NULL, "json", false), false, NULL,
	    "incidents"), num(NCUR + 1));
	/* the extra incident goes again: its number is taken back out of the counts below */
	p = batch_open("trygg-intake", "e1");
	{
		inc_t x = gen[0];

		x.number = "INC-2026-000801";
		x.occurred = "2025-01-01T10:00:00Z";    /* moved out of the way by an update */
		pack_incident(p, 2 * (NCUR + NPREV + NJUNE) + NEDGES + 2, "incident.updated", &x);
	}
	CHECK_INT(batch_send(p), 2 * (NCUR + NPREV + NJUNE) + NEDGES + 2);
	CHECK_STR(json_value(report("lagesbild", "2026-W47", NULL, "json", false), false, NULL,
	    "incidents"), num(NCUR));
	/* a message the daemon cannot use is refused for good, and the link moves on */
	p = batch_open("trygg-intake", "e1");
	pack_map_open(p);
	pack_kv_int(p, "id", 2 * (NCUR + NPREV + NJUNE) + NEDGES + 3);
	pack_kv_str(p, "type", "incident.exploded");
	pack_map_close(p);
	CHECK_INT(batch_send(p), 2 * (NCUR + NPREV + NJUNE) + NEDGES + 3);
}

TEST(test_bad_requests)
{
	pack_t *p;

	load();
	p = harness_req("report");
	pack_kv_str(p, "kind", "weekly");
	pack_kv_str(p, "period", "2026-W47");
	CHECK_STR(report_error(p), "invalid_field");
	p = harness_req("report");
	pack_kv_str(p, "kind", "lagesbild");
	pack_kv_str(p, "period", "2027-W53");
	CHECK_STR(report_error(p), "invalid_field");
	p = harness_req("report");
	pack_kv_str(p, "kind", "lagesbild");
	pack_kv_str(p, "period", "2026-W47");
	pack_kv_str(p, "team", "omradesteam-9");
	CHECK_STR(report_error(p), "invalid_field");
	p = harness_req("report");
	pack_kv_str(p, "kind", "lagesbild");
	pack_kv_str(p, "period", "2026-W47");
	pack_kv_str(p, "format", "pdf");
	CHECK_STR(report_error(p), "invalid_field");
	p = harness_req("report");
	pack_kv_str(p, "kind", "lagesbild");
	CHECK_STR(report_error(p), "invalid_field");
	/* the longest range, by day in no format: by month, under the limit */
	CHECK(report("annual", "2017-01-01..2026-12-31", NULL, "html", false) != NULL);
	CHECK(report("lagesbild", "2017-01-01..2026-12-31", NULL, "html", true) != NULL);
}

/* ---- the command line */

TEST(test_cli)
{
	char *out = NULL, path[400], *file;
	FILE *f;
	long n;

	load();
	snprintf(path, sizeof(path), "%s/lagesbild.csv", h_rep()->dir);
	CHECK_INT(harness_cli(h_rep(), &out, (const char *const[]){"report", "lagesbild",
	    "--period", "2026-W47", "--format", "csv", "-o", path, NULL}), 0);
	free(out);
	CHECK((f = fopen(path, "r")) != NULL);
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		file = calloc(1, (size_t)n + 1);
		CHECK(fread(file, 1, (size_t)n, f) == (size_t)n);
		fclose(f);
		CHECK_STR(file, report("lagesbild", "2026-W47", NULL, "csv", false));
		free(file);
	}
	/* on stdout, with the team and the rule */
	CHECK_INT(harness_cli(h_rep(), &out, (const char *const[]){"report", "lagesbild",
	    "--period", "2026-06", "--team", "omradesteam-1", "--suppress", NULL}), 0);
	CHECK_HAS(out, "\"omradesteam-1\": \"<5\"");
	free(out);
	CHECK_INT(harness_cli(h_rep(), &out, (const char *const[]){"report", "lagesbild", NULL}),
	    64);
	free(out);
	CHECK_INT(harness_cli(h_rep(), &out, (const char *const[]){"report", "weekly",
	    "--period", "2026-W47", NULL}), 64);    /* a refused field: a usage error */
	CHECK_HAS(out, "invalid_field");
	free(out);
}

/* ---- the html in a browser: Debian's chromium, headless */

/* Runs a shell command; its stdout (malloc'd) and exit status. */
static int
run(const char *cmd, char **out)
{
	FILE *f = popen(cmd, "r");
	buf_t b = BUF_INIT;
	char chunk[4096];
	size_t n;
	int st;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	st = pclose(f);
	*out = b.data ? b.data : strdup("");
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

TEST(test_html_in_chromium)
{
	static const struct { const char *kind, *period; bool suppress; } pages[] = {
		{"lagesbild", "2026-W47", false}, {"escalations", "2026-W47", true},
		{"annual", "2026", true},
	};
	char *out = NULL;

	load();
	if (run("command -v chromium", &out) != 0) {
		free(out);
		test_fail(__FILE__, __LINE__, "chromium is not installed (apt-get install chromium)");
		return;
	}
	free(out);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		const char *t = report(pages[i].kind, pages[i].period, NULL, "html", pages[i].suppress);
		char html[400], png[400], cmd[1400];
		FILE *f;
		struct stat st;
		unsigned char magic[8] = {0};

		CHECK(t != NULL);
		if (t == NULL)
			continue;
		snprintf(html, sizeof(html), "%s/%s.html", h_rep()->dir, pages[i].kind);
		snprintf(png, sizeof(png), "%s/%s.png", h_rep()->dir, pages[i].kind);
		CHECK((f = fopen(html, "w")) != NULL && fputs(t, f) >= 0 && fclose(f) == 0);
		/* what the browser made of it: every table and chart is in its DOM */
		snprintf(cmd, sizeof(cmd), "HOME='%s' timeout 120 chromium --headless --no-sandbox"
		    " --disable-gpu --dump-dom 'file://%s' 2>/dev/null", h_rep()->dir, html);
		CHECK_INT(run(cmd, &out), 0);
		CHECK_INT(count(out, "<svg"), count(t, "<svg"));
		CHECK_INT(count(out, "<table>"), count(t, "<table>"));
		CHECK_INT(count(out, "</section>"), count(t, "</section>"));
		CHECK(count(t, "<svg") >= 3);
		free(out);
		/* and a screenshot of the whole page */
		snprintf(cmd, sizeof(cmd), "HOME='%s' timeout 120 chromium --headless --no-sandbox"
		    " --disable-gpu --hide-scrollbars --window-size=1200,4000 --screenshot='%s'"
		    " 'file://%s' >/dev/null 2>&1", h_rep()->dir, png, html);
		CHECK_INT(run(cmd, &out), 0);
		free(out);
		CHECK(stat(png, &st) == 0 && st.st_size > 10000);
		if ((f = fopen(png, "rb")) != NULL) {
			CHECK(fread(magic, 1, 8, f) == 8);
			fclose(f);
		}
		CHECK(memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0);
	}
}

/* ---- partners typed by people: many names stay bounded */

TEST(test_many_partners)
{
	pack_t *p;
	const char *t;
	char name[16];

	load();
	/* one incident in May 2025 with 1,050 partners: a new epoch of its own */
	p = batch_open("trygg-intake", "p1");
	pack_map_open(p);
	pack_kv_int(p, "id", 1);
	pack_kv_str(p, "type", "incident.created");
	pack_key(p, "incident");
	pack_map_open(p);
	pack_kv_str(p, "number", "INC-2025-000001");
	pack_kv_str(p, "team", "omradesteam-1");
	pack_kv_str(p, "district", "Skäggetorp");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "occurred_at", "2025-05-10T10:00:00Z");
	pack_kv_str(p, "received_at", "2025-05-10T10:00:00Z");
	pack_kv_str(p, "escalation", "none");
	pack_kv_str(p, "status", "open");
	pack_key(p, "partners");
	pack_array_open(p);
	for (int i = 0; i < 1050; i++) {
		snprintf(name, sizeof(name), "P%04d", i);
		pack_str(p, name);
	}
	pack_str(p, "p0000");          /* the same as P0000 in lower case: counted once */
	pack_array_close(p);
	pack_map_close(p);
	pack_map_close(p);
	CHECK_INT(batch_send(p), 1);
	t = report("lagesbild", "2025-05", NULL, "json", false);
	CHECK_STR(json_value(t, false, "partners", "p0000"), "1");
	CHECK_STR(json_value(t, false, "partners", "p0039"), "1");
	CHECK_STR(json_value(t, false, "partners", "p0040"), "");
	CHECK_STR(json_value(t, false, "partners", "ovriga"), "1010");
	CHECK_STR(json_value(t, false, NULL, "incidents"), "1");
}

/* a partner's name is data: escaped in every format, never markup */
TEST(test_partner_escaped)
{
	pack_t *p;
	const char *t;

	load();
	p = batch_open("trygg-intake", "p1");
	pack_map_open(p);
	pack_kv_int(p, "id", 2);
	pack_kv_str(p, "type", "incident.created");
	pack_key(p, "incident");
	pack_map_open(p);
	pack_kv_str(p, "number", "INC-2025-000002");
	pack_kv_str(p, "team", "omradesteam-1");
	pack_kv_str(p, "district", "Skäggetorp");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "occurred_at", "2025-06-10T10:00:00Z");
	pack_kv_str(p, "received_at", "2025-06-10T10:00:00Z");
	pack_kv_str(p, "escalation", "none");
	pack_kv_str(p, "status", "open");
	pack_key(p, "partners");
	pack_array_open(p);
	pack_str(p, "<img src=x>&\"a,b\"|c");
	pack_array_close(p);
	pack_map_close(p);
	pack_map_close(p);
	CHECK(batch_send(p) >= 2);
	t = report("lagesbild", "2025-06", NULL, "html", false);
	CHECK(t && strstr(t, "<img") == NULL);
	CHECK_HAS(t, "<tr><th>&lt;img src=x&gt;&amp;&quot;a,b&quot;|c</th><td>1</td>");
	t = report("lagesbild", "2025-06", NULL, "md", false);
	CHECK_HAS(t, "| \\<img src=x\\>&\"a,b\"\\|c | 1 |");
	t = report("lagesbild", "2025-06", NULL, "csv", false);
	CHECK_HAS(t, "\npartners,\"<img src=x>&\"\"a,b\"\"|c\",\"<img src=x>&\"\"a,b\"\"|c\",1,0\r\n");
	t = report("lagesbild", "2025-06", NULL, "json", false);
	CHECK_HAS(t, "\"<img src=x>&\\\"a,b\\\"|c\": 1");
}

/* ---- end to end: submitted to trygg-intake, counted by trygg-reporting */

static const char *
e2e_value(harness_t *e, const char *kind, const char *section, const char *key)
{
	static char out[64];
	pack_t *p = harness_req("report");
	const msgpack_object *r, *c;

	out[0] = '\0';
	pack_kv_str(p, "kind", kind);
	pack_kv_str(p, "period", "2020-01-01..2029-12-31");
	pack_map_close(p);
	r = harness_call(e, H_REPORTING, p);
	pack_destroy(&p);
	if (r != NULL && (c = h_get(r, "content")) != NULL && c->type == MSGPACK_OBJECT_STR) {
		char *t = strndup(c->via.str.ptr, c->via.str.size);

		snprintf(out, sizeof(out), "%s", json_value(t, false, section, key));
		free(t);
	}
	return out;
}

/* Waits (generously) until a count reads want; true when it did. */
static bool
e2e_wait(harness_t *e, const char *kind, const char *section, const char *key, const char *want)
{
	for (int i = 0; i < 400; i++) {
		if (strcmp(e2e_value(e, kind, section, key), want) == 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

TEST(test_end_to_end)
{
	static const struct { const char *id, *district, *category; int severity; } subs[] = {
		{"e2e-1", "skaggetorp", "skadegorelse", 2},
		{"e2e-2", "Ryd", "narkotika", 3},
		{"e2e-3", "Berga", "brand", 5},        /* beyond scope: one escalation */
	};
	harness_t *e = harness_new(NULL);

	CHECK_INT(harness_start(e, H_REPORTING), 0);
	CHECK_INT(harness_start(e, H_ESCALATION), 0);
	CHECK_INT(harness_start(e, H_INTAKE), 0);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		pack_t *p = harness_req("submit");
		const msgpack_object *r;

		pack_kv_str(p, "id", subs[i].id);
		pack_kv_str(p, "district", subs[i].district);
		pack_kv_str(p, "category", subs[i].category);
		pack_kv_int(p, "severity", subs[i].severity);
		pack_kv_str(p, "summary", "Sammanfattning som inte ska synas");
		pack_kv_str(p, "reporter", "Anna Andersson");
		pack_kv_str(p, "occurred_at", "2026-11-18T10:00:00Z");
		pack_map_close(p);
		r = harness_call(e, H_INTAKE, p);
		pack_destroy(&p);
		CHECK(r != NULL && h_ok(r));
	}
	CHECK(e2e_wait(e, "lagesbild", NULL, "incidents", "3"));
	CHECK(e2e_wait(e, "escalations", NULL, "escalations", "1"));
	CHECK_STR(e2e_value(e, "lagesbild", "by_team", "omradesteam-1"), "1");
	CHECK_STR(e2e_value(e, "lagesbild", "by_category", "brand"), "1");
	CHECK_STR(e2e_value(e, "lagesbild", "by_escalation", "external"), "1");
	CHECK_STR(e2e_value(e, "escalations", "by_kind", "external"), "1");
	/* reports are answered while intake and escalation are down */
	harness_kill(e, H_INTAKE, SIGKILL);
	harness_kill(e, H_ESCALATION, SIGKILL);
	CHECK_STR(e2e_value(e, "lagesbild", NULL, "incidents"), "3");
	/* a restart of reporting and of the senders counts nothing twice */
	harness_kill(e, H_REPORTING, SIGKILL);
	CHECK_INT(harness_start(e, H_REPORTING), 0);
	CHECK_INT(harness_start(e, H_INTAKE), 0);
	CHECK_INT(harness_start(e, H_ESCALATION), 0);
	{
		pack_t *p = harness_req("update");
		const msgpack_object *r;

		pack_kv_str(p, "number", "INC-2026-000001");
		pack_kv_str(p, "by", "samordnare-ot1");
		pack_kv_str(p, "status", "closed");
		pack_map_close(p);
		r = harness_call(e, H_INTAKE, p);
		pack_destroy(&p);
		CHECK(r != NULL && h_ok(r));
	}
	CHECK(e2e_wait(e, "lagesbild", NULL, "open_incidents", "2"));
	CHECK_STR(e2e_value(e, "lagesbild", NULL, "incidents"), "3");
	CHECK_STR(e2e_value(e, "escalations", NULL, "escalations"), "1");
	harness_destroy(&e);
}

TEST_MAIN(test_lagesbild_counts, test_lagesbild_team, test_period_boundaries,
    test_escalations_counts, test_annual_counts, test_small_counts, test_no_free_text,
    test_exactly_once, test_bad_requests, test_cli, test_end_to_end, test_html_in_chromium,
    test_many_partners, test_partner_escaped)
