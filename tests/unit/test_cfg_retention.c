/*
 * test_cfg_retention.c: the configuration's "retention" section (common/cfg.c):
 * the periods it accepts and refuses, its defaults, and cfg_keep_cutoff's
 * calendar arithmetic at month ends, leap days and year turns. Expected
 * instants are written out by hand.
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "cfg_fixture.h"
#include "ts.h"


static cfg_t *
load(const char *extra, buf_t *errs)
{
	char yaml[2048];

	snprintf(yaml, sizeof(yaml), "%s%s", CFG_BASE, extra);
	return cfg_fixture_load(yaml, errs);
}

static int64_t
at(const char *rfc3339)
{
	int64_t ms = 0;

	if (ts_parse_rfc3339(rfc3339, strlen(rfc3339), &ms) != 0)
		test_fail(__FILE__, __LINE__, "bad time %s", rfc3339);
	return ms;
}

TEST(defaults_are_24_months)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = load("", &errs);

	CHECK_STR(buf_str(&errs), "");
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->retention.incidents.months, 24);
	CHECK_INT(cfg->retention.incidents.ms, 0);
	CHECK_INT(cfg->retention.escalations.months, 24);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

static const struct {
	const char *value;
	int         months;
	int64_t     ms;
} good[] = {
	{"24 months", 24, 0},
	{"1 month", 1, 0},
	{"6months", 6, 0},
	{"1200 months", 1200, 0},
	{"90d", 0, 90LL * 86400000},
	{"12h", 0, 12LL * 3600000},
};

static const char *const bad[] = {
	"0 months", "soon", "24 weeks", "-1 months", "1201 months", "months", "24 months ago",
	"0d",
};

TEST(periods_accepted_and_refused)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		buf_t errs = BUF_INIT;
		char extra[128];
		cfg_t *cfg;

		snprintf(extra, sizeof(extra), "retention: {incidents: %s}\n", good[i].value);
		cfg = load(extra, &errs);
		if (cfg == NULL) {
			test_fail(__FILE__, __LINE__, "%s refused: %s", good[i].value, buf_str(&errs));
		} else {
			CHECK_INT(cfg->retention.incidents.months, good[i].months);
			CHECK_INT(cfg->retention.incidents.ms, good[i].ms);
			CHECK_INT(cfg->retention.escalations.months, 24);
		}
		cfg_destroy(&cfg);
		buf_free(&errs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_t errs = BUF_INIT;
		char extra[128], want[160];
		cfg_t *cfg;

		snprintf(extra, sizeof(extra), "retention:\n  escalations: %s\n", bad[i]);
		cfg = load(extra, &errs);
		CHECK(cfg == NULL);
		snprintf(want, sizeof(want), "t.yaml:11:16: 'escalations': expected a period "
		    "such as 24 months or 90d, found %s", bad[i]);
		if (strstr(buf_str(&errs), "t.yaml:11:16: 'escalations': expected a period such "
		    "as 24 months or 90d") == NULL)
			test_fail(__FILE__, __LINE__, "%s: got \"%s\", expected \"%s\"", bad[i],
			    buf_str(&errs), want);
		cfg_destroy(&cfg);
		buf_free(&errs);
	}
	{
		buf_t errs = BUF_INIT;
		cfg_t *cfg = load("retention: {incidens: 24 months}\n", &errs);

		CHECK(cfg == NULL);
		CHECK_HAS(buf_str(&errs), "incidens");
		buf_free(&errs);
	}
}

static const struct {
	const char *now;
	int         months;
	int64_t     ms;
	const char *cutoff;
} cuts[] = {
	{"2026-03-02T00:00:00Z", 24, 0, "2024-03-02T00:00:00Z"},
	{"2026-03-31T10:15:00Z", 1, 0, "2026-02-28T10:15:00Z"},    /* the month's last day */
	{"2024-02-29T23:59:59Z", 12, 0, "2023-02-28T23:59:59Z"},   /* a leap day */
	{"2028-02-29T06:00:00Z", 48, 0, "2024-02-29T06:00:00Z"},   /* leap day to leap day */
	{"2026-01-15T08:00:00Z", 1, 0, "2025-12-15T08:00:00Z"},    /* over a year's turn */
	{"2026-01-15T08:00:00Z", 13, 0, "2024-12-15T08:00:00Z"},
	{"2026-05-31T00:00:00Z", 3, 0, "2026-02-28T00:00:00Z"},
	{"2026-03-02T00:00:00Z", 0, 90LL * 86400000, "2025-12-02T00:00:00Z"},
};

TEST(cutoffs_count_calendar_months)
{
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		cfg_keep_t k = {cuts[i].months, cuts[i].ms};
		int64_t got = cfg_keep_cutoff(&k, at(cuts[i].now));
		char s[TS_RFC3339_MAX];

		ts_format_rfc3339(got, s);
		if (strcmp(s, cuts[i].cutoff) != 0)
			test_fail(__FILE__, __LINE__, "%s less %d months %lld ms: %s, expected %s",
			    cuts[i].now, cuts[i].months, (long long)cuts[i].ms, s, cuts[i].cutoff);
	}
}

TEST_MAIN(defaults_are_24_months, periods_accepted_and_refused, cutoffs_count_calendar_months)
