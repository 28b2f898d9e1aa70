/*
 * intake_submit.c: checking a submit before anything is stored.
 *
 * Fields are checked against one table (msg_fields, which also refuses
 * control and bidi characters); then the district is routed to its team,
 * the category looked up (both as people type them), the free text made
 * ready to store (intake_text: identity numbers masked, NFC), the scope
 * decided, and a fingerprint of the content taken so that a retried submit
 * can be told from a conflicting one. Error messages never quote what was
 * sent: it may be the very number that masking exists to keep out.
 */
#include "intake.h"
#include "mem.h"
#include "pnr.h"
#include "utf8.h"

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
	[F_SUMMARY]     = {"summary", MF_LINE, true, 1, 200, NULL, 0},
	[F_REPORTER]    = {"reporter", MF_LINE, true, 1, 100, NULL, 0},
	[F_DETAILS]     = {"details", MF_STR, false, 0, 8000, NULL, 0},
	[F_OCCURRED_AT] = {"occurred_at", MF_TIME, false, 0, 0, NULL, 0},
	[F_LEVEL]       = {"level", MF_ENUM, false, 0, 0, intake_levels, 0},
	[F_NEEDS_EXTERNAL]      = {"needs_external", MF_BOOL, false, 0, 0, NULL, 0},
	[F_NEEDS_REINFORCEMENT] = {"needs_reinforcement", MF_BOOL, false, 0, 0, NULL, 0},
	[F_INVOLVES_MINORS]     = {"involves_minors", MF_BOOL, false, 0, 0, NULL, 0},
	[F_PARTNERS]    = {"partners", MF_STRS, false, 0, 32, NULL, 100},
	[F_LOCATION]    = {"location", MF_LINE, false, 0, 200, NULL, 0},
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

/*
 * The fingerprint is stored, so its input is a fixed format, independent of
 * this file's enums and of the machine: for each field present, its wire
 * name, a NUL, the value's length as 4 bytes big-endian, and the value
 * (text as stored; integers as 8 bytes big-endian; booleans as one byte).
 * FNV-1a, 64 bits: enough to tell a retry from a different report.
 */
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
intake_fp_bytes(uint64_t *h, const char *name, const void *data, size_t len)
{
	unsigned char n[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
	    (unsigned char)(len >> 8), (unsigned char)len};

	intake_fp(h, name, strlen(name) + 1);
	intake_fp(h, n, sizeof(n));
	intake_fp(h, data, len);
}

static void
intake_fp_text(uint64_t *h, const char *name, const char *text)
{
	intake_fp_bytes(h, name, text, strlen(text));
}

static void
intake_fp_int(uint64_t *h, const char *name, int64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
	intake_fp_bytes(h, name, b, sizeof(b));
}

static char *
intake_masked(const msg_val_t *v, int *masked)
{
	return pnr_text(v->str, v->len, masked);
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
		    "unknown district; the configured districts are those of the "
		    "teams (e.g. %s)", cfg->nteams && cfg->teams[0].ndistricts ?
		    cfg->teams[0].districts[0] : "none");
		return -1;
	}
	s->district = district;
	if ((s->category = cfg_category_as_typed(cfg, v[F_CATEGORY].str,
	    v[F_CATEGORY].len)) == NULL) {
		wire_err_set(err, WERR_UNKNOWN_CATEGORY, "category",
		    "unknown category; a category is a configured id (e.g. %s)",
		    cfg->ncategories ? cfg->categories[0].id : "none");
		return -1;
	}
	s->client_id = xstrndup(v[F_ID].str, v[F_ID].len);
	s->severity = (int)v[F_SEVERITY].i;
	s->summary = intake_masked(&v[F_SUMMARY], &s->masked);
	/* anyone but an admin (trygg-web, which names its signed-in users) reports as its key */
	if (msg_principal(m)->role & ROLE_ADMIN)
		s->reporter = intake_masked(&v[F_REPORTER], &s->masked);
	else
		s->reporter = xstrdup(msg_principal(m)->name);
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
		for (uint32_t i = 0; i < v[F_PARTNERS].items->size; i++) {
			const msgpack_object_str *it = &v[F_PARTNERS].items->ptr[i].via.str;
			char *t = pnr_text(it->ptr, it->size, &s->masked);

			pack_str(p, t);
			free(t);
		}
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
	intake_fp_text(&h, "district", s->district);
	intake_fp_text(&h, "category", s->category->id);
	intake_fp_int(&h, "severity", s->severity);
	intake_fp_text(&h, "summary", s->summary);
	intake_fp_text(&h, "reporter", s->reporter);
	if (s->details)
		intake_fp_text(&h, "details", s->details);
	if (s->location)
		intake_fp_text(&h, "location", s->location);
	if (s->has_occurred)
		intake_fp_int(&h, "occurred_at", s->occurred_at);
	if (s->level >= 0)
		intake_fp_text(&h, "level", intake_levels[s->level]);
	for (int f = F_NEEDS_EXTERNAL; f <= F_OROSANMALAN; f++) {
		unsigned char b;

		if (f == F_PARTNERS || f == F_LOCATION || !v[f].present)
			continue;
		b = v[f].b;
		intake_fp_bytes(&h, submit_fields[f].name, &b, 1);
	}
	if (s->partners.len)
		intake_fp_bytes(&h, "partners", s->partners.data, s->partners.len);
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
