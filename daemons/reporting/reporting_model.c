/*
 * reporting_model.c: a report as sections of counted cells, and the
 * small-count rule.
 *
 * A section is one breakdown ("by_team", "by_category", ...): cells in a
 * stable order (the configuration's order, then what the data adds), each
 * with the period's count and the previous period's. The formats
 * (reporting_format.c) only print what is here, so every format shows the
 * same figures, hidden the same way.
 *
 * The small-count rule (as Swedish official statistics apply it), on when
 * the request asks for "suppress":
 *
 *   rule        when                                         shown
 *   primary     a count of 1..4                              "<5"
 *   secondary   the cells of a sum have exactly one hidden   ".." on the smallest
 *               cell and the sum is shown: subtraction       other non-zero cell
 *               would reveal it
 *
 * Sums are each RS_SUMS section against its total, and the constraints a
 * builder adds (a team's districts against the team; a team's months
 * against the team, and a month's teams against the month). The secondary
 * rule runs until nothing changes, since hiding one cell can expose
 * another sum. Zero is never hidden: that nothing happened is no one's
 * personal data. Measures (seconds) are never hidden.
 */
#include "reporting.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rconstraint {
	rcell_t **parts;
	size_t    n;
	rcell_t  *whole;
};

report_t *
report_new(const char *kind, const period_t *p, const char *tz_name)
{
	report_t *r = xcalloc(1, sizeof(*r));

	r->kind = kind;
	r->period = *p;
	r->timezone = tz_name;
	return r;
}

void
report_destroy(report_t **self_p)
{
	report_t *r = *self_p;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->sections[i]->cells);
		free(r->sections[i]);
	}
	free(r->sections);
	for (size_t i = 0; i < r->ncons; i++)
		free(r->cons[i].parts);
	free(r->cons);
	free(r);
	*self_p = NULL;
}

rsection_t *
report_section(report_t *r, const char *key, const char *group, const char *title, int flags)
{
	rsection_t *s;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->sections = xrealloc(r->sections, r->cap * sizeof(*r->sections));
	}
	s = r->sections[r->n++] = xcalloc(1, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->group, sizeof(s->group), "%s", group ? group : "");
	snprintf(s->title, sizeof(s->title), "%s", title);
	s->flags = flags;
	snprintf(s->total.key, sizeof(s->total.key), "total");
	snprintf(s->total.label, sizeof(s->total.label), "Totalt");
	return s;
}

rcell_t *
rsection_cell(rsection_t *s, const char *key, const char *label)
{
	rcell_t *c;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->cells[i].key, key) == 0)
			return &s->cells[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->cells = xrealloc(s->cells, s->cap * sizeof(*s->cells));
	}
	c = &s->cells[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->label, sizeof(c->label), "%s", label ? label : key);
	return c;
}

/* Adds a constraint: parts sum to whole; takes parts. */
static void
report_add_constraint(report_t *r, rcell_t **parts, size_t n, rcell_t *whole)
{
	r->cons = xrealloc(r->cons, (r->ncons + 1) * sizeof(*r->cons));
	r->cons[r->ncons].parts = parts;
	r->cons[r->ncons].n = n;
	r->cons[r->ncons].whole = whole;
	r->ncons++;
}

void
report_constrain(report_t *r, rcell_t *const *parts, size_t n, rcell_t *whole)
{
	rcell_t **p = xcalloc(n ? n : 1, sizeof(*p));

	memcpy(p, parts, n * sizeof(*p));
	report_add_constraint(r, p, n, whole);
}

static void
report_constrain_section(report_t *r, rsection_t *s)
{
	rcell_t **p = xcalloc(s->n ? s->n : 1, sizeof(*p));

	for (size_t i = 0; i < s->n; i++)
		p[i] = &s->cells[i];
	report_add_constraint(r, p, s->n, &s->total);
}

static void
rcell_primary(rcell_t *c, int i)
{
	if (c->v[i] > 0 && c->v[i] < REPORTING_SMALL)
		c->st[i] = RC_SMALL;
}

/* One pass of the secondary rule over every constraint; true when it hid a cell. */
static bool
report_secondary(report_t *r, int i)
{
	bool changed = false;

	for (size_t k = 0; k < r->ncons; k++) {
		struct rconstraint *c = &r->cons[k];
		rcell_t *pick = NULL;
		size_t hidden = 0;

		if (c->whole->st[i] != RC_SHOWN)
			continue;
		for (size_t j = 0; j < c->n; j++)
			if (c->parts[j]->st[i] != RC_SHOWN)
				hidden++;
		if (hidden != 1)
			continue;
		for (size_t j = 0; j < c->n; j++) {
			rcell_t *p = c->parts[j];

			if (p->st[i] == RC_SHOWN && p->v[i] > 0 && (pick == NULL || p->v[i] < pick->v[i]))
				pick = p;
		}
		if (pick != NULL) {
			pick->st[i] = RC_SECONDARY;
			changed = true;
		}
	}
	return changed;
}

void
report_finish(report_t *r)
{
	for (size_t k = 0; k < r->n; k++) {
		rsection_t *s = r->sections[k];

		if (!(s->flags & RS_SUMS))
			continue;
		s->total.v[0] = s->total.v[1] = 0;
		for (size_t j = 0; j < s->n; j++) {
			s->total.v[0] += s->cells[j].v[0];
			s->total.v[1] += s->cells[j].v[1];
		}
		report_constrain_section(r, s);
	}
	if (!r->suppress)
		return;
	for (size_t k = 0; k < r->n; k++) {
		rsection_t *s = r->sections[k];

		if (s->flags & RS_MEASURE)
			continue;
		for (int i = 0; i < 2; i++) {
			for (size_t j = 0; j < s->n; j++)
				rcell_primary(&s->cells[j], i);
			rcell_primary(&s->total, i);
		}
	}
	for (int i = 0; i < 2; i++)
		while (report_secondary(r, i))
			;
}

const char *
rcell_text(const rcell_t *c, int i, char buf[24])
{
	switch (c->st[i]) {
	case RC_SMALL:
		return "<5";
	case RC_SECONDARY:
		return "..";
	case RC_NONE:
		return "-";
	case RC_SHOWN:
		break;
	}
	snprintf(buf, 24, "%" PRId64, c->v[i]);
	return buf;
}
