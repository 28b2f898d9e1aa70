/*
 * test_oncall_deputy.c: trygg-escalation's oncall names the deputy, and
 * trygg oncall prints the daemon's answer (docs/protocol.md, "oncall").
 *
 * The rota is test_oncall.c's: four TiBs a week each from 5 Jan 2026, an
 * override by tib-6 on 18-20 Nov. The daemon's deputy is compared with the
 * one trygg oncall --config decides locally from the same file, at
 * instants across office hours, nights, weekends, a holiday and the
 * override; and a client whose configuration holds only the endpoint
 * still prints the deputy, which only the daemon can have told it.
 */
#include "buf.h"
#include "harness.h"
#include "json_in.h"
#include "mem.h"
#include "test.h"
#include "ts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_MS  (17LL * 3600 * 1000)   /* an odd step: every hour of the week comes up */
#define STEPS    40

static const char config[] =
    "office_hours:\n"
    "  days: mon-fri\n"
    "  open: \"08:00\"\n"
    "  close: \"17:00\"\n"
    "rota:\n"
    "  contacts: [tib-1, tib-2, tib-3, tib-4]\n"
    "  period: 7d\n"
    "  start: 2026-01-05\n"
    "  handover: \"08:00\"\n"
    "  overrides:\n"
    "    - {from: 2026-11-18 12:00, to: 2026-11-20 18:00, contact: tib-6, reason: Sjukdom}\n";

static harness_t *
h(void)
{
	return harness_shared(config, H_ESCALATION);
}

static const msgpack_object *
oncall(int64_t at)
{
	pack_t *p = harness_req("oncall");
	const msgpack_object *r;

	pack_kv_time(p, "at", at);
	pack_map_close(p);
	r = harness_call(h(), H_ESCALATION, p);
	pack_destroy(&p);
	return r;
}

/* the deputy's id in an oncall answer; "" for nil, NULL when the key is missing */
static const char *
deputy_id(const msgpack_object *r)
{
	const msgpack_object *d = h_get(r, "deputy");

	if (d == NULL)
		return NULL;
	return d->type == MSGPACK_OBJECT_NIL ? "" : h_str(d, "id");
}

TEST(the_daemon_names_the_deputy_as_the_local_decision_does)
{
	int64_t t;

	ts_parse_rfc3339("2026-11-16T00:30:00+01:00", 25, &t);
	for (int i = 0; i < STEPS; i++, t += STEP_MS) {
		char at[TS_RFC3339_MAX], *out = NULL, want[128];
		const msgpack_object *r = oncall(t);
		const char *dep = deputy_id(r);

		CHECK(h_ok(r));
		if (dep == NULL) {
			test_fail(__FILE__, __LINE__, "no deputy in the reply");
			return;
		}
		ts_format_rfc3339(t, at);
		CHECK_INT(harness_cli(h(), &out, (const char *const[]){"oncall", "--config",
		    h()->config, "--at", at, "--json", NULL}), 0);
		/* the local answer: "deputy":{"id":"X",... or "deputy":null */
		if (*dep)
			snprintf(want, sizeof(want), "\"deputy\":{\"id\":\"%s\"", dep);
		else
			snprintf(want, sizeof(want), "\"deputy\":null");
		{
			/* the CLI may indent: compare without blanks */
			char *w = out;

			for (const char *p = out; *p; p++)
				if (*p != ' ' && *p != '\n')
					*w++ = *p;
			*w = '\0';
		}
		if (strstr(out, want) == NULL)
			test_fail(__FILE__, __LINE__, "at %s: the daemon says %s, locally: %s", at,
			    want, out);
		free(out);
	}
}

TEST(office_hours_holiday_and_override_deputies)
{
	int64_t t;
	const msgpack_object *r;

	/* a Tuesday at 10: the säkerhetschef, the deputy by role */
	ts_parse_rfc3339("2026-11-24T10:00:00+01:00", 25, &t);
	r = oncall(t);
	CHECK_STR(h_str(r, "target"), "sakerhetschef");
	CHECK_STR(deputy_id(r), "sakerhetschef-ersattare");
	CHECK_STR(h_str(h_get(r, "deputy"), "name"), "Biträdande säkerhetschef");
	/* Christmas Day: why is the holiday; the TiB's deputy is the next in turn */
	ts_parse_rfc3339("2026-12-25T10:00:00+01:00", 25, &t);
	r = oncall(t);
	CHECK_STR(h_str(r, "reason"), "holiday: Juldagen");
	CHECK_STR(h_str(h_get(r, "contact"), "id"), "tib-3");
	CHECK_STR(deputy_id(r), "tib-4");
	CHECK(h_get(r, "until") != NULL);
	/* the override, an evening: tib-6 stands in for tib-2, whose deputy tib-3 stays */
	ts_parse_rfc3339("2026-11-19T20:00:00+01:00", 25, &t);
	r = oncall(t);
	CHECK_STR(h_str(h_get(r, "contact"), "id"), "tib-6");
	CHECK_STR(deputy_id(r), "tib-3");
}

TEST(the_cli_prints_the_daemons_deputy_without_a_configuration)
{
	char path[400], *out = NULL;
	FILE *f;

	/* only the endpoint: the client cannot work out a deputy itself */
	snprintf(path, sizeof(path), "%s/endpoints-only.yaml", h()->dir);
	if ((f = fopen(path, "w")) == NULL) {
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
		return;
	}
	fprintf(f, "endpoints:\n  escalation: %s\n", h()->endpoint[H_ESCALATION]);
	fclose(f);
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"-c", path, "oncall", "--at",
	    "2026-12-25 10:00", NULL}), 0);
	CHECK_HAS(out, "on call:  TiB 3 (tib-3)");
	CHECK_HAS(out, "deputy:   TiB 4 (tib-4)");
	CHECK_HAS(out, "why:      holiday: Juldagen");
	CHECK_HAS(out, "answered by trygg-escalation");
	CHECK(strstr(out, "the deputy from the local one") == NULL);
	free(out);
}

TEST_MAIN(the_daemon_names_the_deputy_as_the_local_decision_does,
    office_hours_holiday_and_override_deputies,
    the_cli_prints_the_daemons_deputy_without_a_configuration)
