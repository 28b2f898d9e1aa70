/*
 * intake_submit.c: checking a submit before anything is stored.
 *
 * Fields are checked against one table (msg_fields); then the district is
 * routed to its team, the category looked up, identity numbers masked in
 * the free text, the scope decided, and a fingerprint of the content taken
 * so that a retried submit can be told from a conflicting one.
 */
#include "intake.h"
#include "mem.h"
#include "pnr.h"

#include <stdlib.h>
#include <string.h>

const char *const intake_levels[] = {"omrade", "grupp", "individ", NULL};

enum {
	F_ID, F_DISTRICT, F_CATEGORY, F_SEVERITY, F_SUMMARY, F_REPORTER, F_DETAILS,
	F_OCCURRED_AT, F_LEVEL, F_NEEDS_EXTERNAL, F_NEEDS_REINFORCEMENT,
	F_INVOLVES_MINORS, F_PARTNERS, F_LOCATION, F_POLICE_REPORT, F_OROSANMALAN,
	F_COUNT
};

static const msg_field_t submit_fields[F_COUNT] = {
	[F_ID]          = {"id", MF_ID, true, 1, 64, NULL, 0},
	[F_DISTRICT]    = {"district", MF_STR, true, 1, 100, NULL, 0},
	[F_CATEGORY]    = {"category", MF_STR, true, 1, 64, NULL, 0},
	[F_SEVERITY]    = {"severity", MF_INT, true, 1, 5, NULL, 0},
	[F_SUMMARY]     = {"summary", MF_STR, true, 1, 200, NULL, 0},
	[F_REPORTER]    = {"reporter", MF_STR, true, 1, 100, NULL, 0},
	[F_DETAILS]     = {"details", MF_STR, false, 0, 8000, NULL, 0},
	[F_OCCURRED_AT] = {"occurred_at", MF_TIME, false, 0, 0, NULL, 0},
	[F_LEVEL]       = {"level", MF_ENUM, false, 0, 0, intake_levels, 0},
	[F_NEEDS_EXTERNAL]      = {"needs_external", MF_BOOL, false, 0, 0, NULL, 0},
	[F_NEEDS_REINFORCEMENT] = {"needs_reinforcement", MF_BOOL, false, 0, 0, NULL, 0},
	[F_INVOLVES_MINORS]     = {"involves_minors", MF_BOOL, false, 0, 0, NULL, 0},
	[F_PARTNERS]    = {"partners", MF_STRS, false, 0, 32, NULL, 100},
	[F_LOCATION]    = {"location", MF_STR, false, 0, 200, NULL, 0},
	[F_POLICE_REPORT] = {"police_report", MF_BOOL, false, 0, 0, NULL, 0},
	[F_OROSANMALAN] = {"orosanmalan", MF_BOOL, false, 0, 0, NULL, 0},
};

const char *
intake_esc_name(intake_esc_t e)
{
	switch (e) {
	case ESC_REINFORCEMENT:
		return "reinforcement";
	case ESC_EXTERNAL:
		return "external";
	default:
		return "none";
	}
}

/* FNV-1a, 64 bits: enough to tell a retry from a different report. */
static void
intake_fp(uint64_t *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 0x100000001b3ULL;
	}
}

static void
intake_fp_field(uint64_t *h, int field, const void *data, size_t len)
{
	unsigned char tag[2] = {(unsigned char)field, (unsigned char)0xff};
	uint32_t n = (uint32_t)len;

	intake_fp(h, tag, sizeof(tag));
	intake_fp(h, &n, sizeof(n));
	intake_fp(h, data, len);
}

/* A NUL-terminated copy of a text field with identity numbers masked. */
static char *
intake_masked(const msg_val_t *v, int *masked)
{
	buf_t out = BUF_INIT;

	*masked += (int)pnr_mask(v->str, v->len, &out);
	if (out.data == NULL)
		return xstrdup("");
	return out.data;       /* the buffer's memory is the caller's now */
}

static int
intake_tristate(const msg_val_t *v)
{
	return v->present ? v->b : -1;
}

int
intake_submit_check(intake_t *in, const msg_t *m, intake_submit_t *s, wire_err_t *err)
{
	msg_val_t v[F_COUNT];
	uint64_t h = 0xcbf29ce484222325ULL;
	const cfg_t *cfg = in->cfg;
	const char *district;

	memset(s, 0, sizeof(*s));
	s->level = -1;
	if (msg_fields(m, submit_fields, F_COUNT, v, err) < 0)
		return -1;
	if ((s->team = cfg_team_by_district(cfg, v[F_DISTRICT].str, v[F_DISTRICT].len,
	    &district)) == NULL) {
		wire_err_set(err, WERR_UNKNOWN_DISTRICT, "district",
		    "unknown district '%.*s'; the configured districts are those of the "
		    "teams (e.g. %s)", (int)v[F_DISTRICT].len, v[F_DISTRICT].str,
		    cfg->nteams ? cfg->teams[0].districts[0] : "none");
		return -1;
	}
	s->district = district;
	if ((s->category = cfg_category(cfg, v[F_CATEGORY].str, v[F_CATEGORY].len)) == NULL) {
		wire_err_set(err, WERR_UNKNOWN_CATEGORY, "category",
		    "unknown category '%.*s'", (int)v[F_CATEGORY].len, v[F_CATEGORY].str);
		return -1;
	}
	s->client_id = xstrndup(v[F_ID].str, v[F_ID].len);
	s->severity = (int)v[F_SEVERITY].i;
	s->summary = intake_masked(&v[F_SUMMARY], &s->masked);
	s->reporter = xstrndup(v[F_REPORTER].str, v[F_REPORTER].len);
	if (v[F_DETAILS].present)
		s->details = intake_masked(&v[F_DETAILS], &s->masked);
	if (v[F_LOCATION].present)
		s->location = intake_masked(&v[F_LOCATION], &s->masked);
	if ((s->has_occurred = v[F_OCCURRED_AT].present)) {
		s->occurred_at = v[F_OCCURRED_AT].ms;
		if (s->occurred_at > in->now + INTAKE_FUTURE_SLACK_MS) {
			wire_err_set(err, WERR_INVALID_FIELD, "occurred_at",
			    "'occurred_at' lies in the future");
			intake_submit_free(s);
			return -1;
		}
	}
	if (v[F_LEVEL].present)
		s->level = (int)v[F_LEVEL].i;
	s->needs_external = intake_tristate(&v[F_NEEDS_EXTERNAL]);
	s->needs_reinforcement = intake_tristate(&v[F_NEEDS_REINFORCEMENT]);
	s->involves_minors = intake_tristate(&v[F_INVOLVES_MINORS]);
	s->police_report = intake_tristate(&v[F_POLICE_REPORT]);
	s->orosanmalan = intake_tristate(&v[F_OROSANMALAN]);
	if (v[F_PARTNERS].present) {
		pack_t *p = pack_new();
		const void *data;
		size_t len;

		pack_array_open(p);
		for (uint32_t i = 0; i < v[F_PARTNERS].items->size; i++)
			pack_obj(p, &v[F_PARTNERS].items->ptr[i]);
		pack_array_close(p);
		data = pack_data(p, &len);
		buf_append(&s->partners, data, len);
		pack_destroy(&p);
	}

	/* the scope rules of the configuration */
	if (s->needs_external == 1 || s->severity >= cfg->scope.external_min_severity ||
	    s->category->beyond_scope)
		s->escalation = ESC_EXTERNAL;
	else if (s->needs_reinforcement == 1)
		s->escalation = ESC_REINFORCEMENT;
	else
		s->escalation = ESC_NONE;

	/* the content as stored, field by field; the id itself is the key */
	intake_fp_field(&h, F_DISTRICT, s->district, strlen(s->district));
	intake_fp_field(&h, F_CATEGORY, s->category->id, strlen(s->category->id));
	intake_fp_field(&h, F_SEVERITY, &s->severity, sizeof(s->severity));
	intake_fp_field(&h, F_SUMMARY, s->summary, strlen(s->summary));
	intake_fp_field(&h, F_REPORTER, s->reporter, strlen(s->reporter));
	if (s->details)
		intake_fp_field(&h, F_DETAILS, s->details, strlen(s->details));
	if (s->location)
		intake_fp_field(&h, F_LOCATION, s->location, strlen(s->location));
	if (s->has_occurred)
		intake_fp_field(&h, F_OCCURRED_AT, &s->occurred_at, sizeof(s->occurred_at));
	if (s->level >= 0)
		intake_fp_field(&h, F_LEVEL, &s->level, sizeof(s->level));
	for (int f = F_NEEDS_EXTERNAL; f <= F_OROSANMALAN; f++) {
		unsigned char b;

		if (f == F_PARTNERS || f == F_LOCATION || !v[f].present)
			continue;
		b = v[f].b;
		intake_fp_field(&h, f, &b, 1);
	}
	if (s->partners.len)
		intake_fp_field(&h, F_PARTNERS, s->partners.data, s->partners.len);
	/* SQLite integers are signed 64-bit: keep the top bit clear */
	s->fingerprint = h >> 1;
	return 0;
}

void
intake_submit_free(intake_submit_t *s)
{
	free(s->client_id);
	free(s->summary);
	free(s->reporter);
	free(s->details);
	free(s->location);
	buf_free(&s->partners);
	memset(s, 0, sizeof(*s));
}
