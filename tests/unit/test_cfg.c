/*
 * test_cfg.c: the configuration loader: the real Linköping file, the
 * district lookup people rely on, and bad configurations, each with the
 * exact "file:line:col: message" lines it must produce.
 */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "cfg_fixture.h"
#include "ts.h"


TEST(default_file_loads)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load(CFG_DEFAULT_PATH, &errs);

	CHECK_STR(buf_str(&errs), "");
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_STR(cfg->path, "config/trygg.yaml");
	CHECK_STR(cfg->data_dir, "config/../var");
	CHECK_STR(cfg->timezone, "Europe/Stockholm");
	CHECK_STR(cfg->endpoints.intake, "tcp://127.0.0.1:7101");
	CHECK_STR(cfg->endpoints.escalation, "tcp://127.0.0.1:7102");
	CHECK_STR(cfg->endpoints.notifications, "tcp://127.0.0.1:7103");
	CHECK_STR(cfg->endpoints.reporting, "tcp://127.0.0.1:7104");
	CHECK_INT(cfg->escalation.ack_timeout_ms, 15 * 60 * 1000);
	CHECK_INT(cfg->escalation.renotify_every_ms, 5 * 60 * 1000);
	CHECK_INT(cfg->scope.external_min_severity, 4);
	CHECK_INT(cfg->office.weekdays, 0x1f);
	CHECK_INT(cfg->office.open_min, 8 * 60);
	CHECK_INT(cfg->office.close_min, 17 * 60);
	CHECK_INT(cfg->rota.ncontacts, 6);
	CHECK_STR(cfg->rota.contacts[0], "tib-1");
	CHECK_STR(cfg->rota.contacts[5], "tib-6");
	CHECK_INT(cfg->rota.period_days, 7);
	CHECK_INT(cfg->rota.start_day, ts_days_from_civil(2026, 1, 5));
	CHECK_INT(ts_weekday(cfg->rota.start_day), 1);
	CHECK_INT(cfg->rota.handover_min, 8 * 60);
	cfg_destroy(&cfg);
	CHECK(cfg == NULL);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

TEST(default_file_ids)
{
	static const char *const cats[] = {"skadegorelse", "brand",
	    "hot_och_vald", "narkotika", "ordningsstorning", "buskorning",
	    "nedskrapning", "otrygg_plats", "inbrott", "oro_for_barn",
	    "social_oro", "arrangemang", "ovrigt"};
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load(CFG_DEFAULT_PATH, &errs);
	const cfg_category_t *cat;
	const cfg_contact_t *c;
	const cfg_team_t *t;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->nteams, 3);
	CHECK_INT(cfg->ncategories, 13);
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		cat = cfg_category(cfg, cats[i], strlen(cats[i]));
		CHECK(cat != NULL);
		CHECK(cat == NULL || cat->beyond_scope == (strcmp(cats[i],
		    "brand") == 0));
	}
	CHECK_STR(cfg_category(cfg, "hot_och_vald", 12)->name, "Hot och våld");
	CHECK_STR(cfg_category(cfg, "ovrigt", 6)->name, "Övrigt");
	CHECK(cfg_category(cfg, "ovrig", 5) == NULL);
	CHECK(cfg_category(cfg, "ovrigt", 5) == NULL);  /* length counts */
	CHECK(cfg_category(cfg, "Brand", 5) == NULL);   /* ids are exact */
	{
		static const struct { const char *typed, *id; } typed[] = {
			{"Brand", "brand"}, {"BRAND", "brand"}, {" brand ", "brand"},
			{"Hot_och_V\xc3\xa5ld", "hot_och_vald"},
			{"\xc3\x96vrigt", "ovrigt"}, {"O\xcc\x88VRIGT", "ovrigt"},
			{"\xef\xbd\x82\xef\xbd\x92\xef\xbd\x81\xef\xbd\x8e\xef\xbd\x84", "brand"},
			{"Skadeg\xc3\xb6relse", "skadegorelse"},
			{"Hot och v\xc3\xa5ld", NULL}, {"bran", NULL}, {"", NULL},
		};

		for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
			cat = cfg_category_as_typed(cfg, typed[i].typed, strlen(typed[i].typed));
			if (typed[i].id == NULL)
				CHECK(cat == NULL);
			else
				CHECK(cat != NULL && strcmp(cat->id, typed[i].id) == 0);
		}
	}
	t = cfg_team(cfg, "omradesteam-2", 13);
	CHECK(t != NULL && strcmp(t->name, "Områdesteam 2") == 0);
	CHECK(t != NULL && strcmp(t->districts[0], "Ryd") == 0);
	CHECK(cfg_team(cfg, "omradesteam-4", 13) == NULL);

	c = cfg_contact_by_role(cfg, CFG_ROLE_SAKERHETSCHEF);
	CHECK(c != NULL && strcmp(c->id, "sakerhetschef") == 0);
	c = cfg_contact_by_role(cfg, CFG_ROLE_DEPUTY);
	CHECK(c != NULL && strcmp(c->id, "sakerhetschef-ersattare") == 0);
	c = cfg_contact(cfg, "tib-4", 5);
	CHECK(c != NULL && c->role == CFG_ROLE_TIB);
	CHECK(c != NULL && strcmp(c->name, "TiB 4") == 0);
	for (int i = 1; i <= 3; i++) {
		char id[32], team[32];

		snprintf(id, sizeof(id), "samordnare-ot%d", i);
		snprintf(team, sizeof(team), "omradesteam-%d", i);
		c = cfg_contact(cfg, id, strlen(id));
		CHECK(c != NULL && c->role == CFG_ROLE_COORDINATOR);
		CHECK(c != NULL && c->team && strcmp(c->team, team) == 0);
		t = cfg_team(cfg, team, strlen(team));
		CHECK(t != NULL && strcmp(t->coordinator, id) == 0);
	}
	CHECK_STR(cfg_role_name(CFG_ROLE_TIB), "tib");
	CHECK_STR(cfg_role_name(CFG_ROLE_COORDINATOR), "coordinator");
	cfg_destroy(&cfg);
	buf_free(&errs);
}

/* every district of config/trygg.yaml, with its team */
static const struct {
	const char *district, *team;
} districts[] = {
	{"Skäggetorp", "omradesteam-1"}, {"Ljungsbro", "omradesteam-1"},
	{"Linghem", "omradesteam-1"}, {"Bankekind", "omradesteam-1"},
	{"Askeby", "omradesteam-1"}, {"Stjärnorp", "omradesteam-1"},
	{"Ryd", "omradesteam-2"}, {"Vikingstad", "omradesteam-2"},
	{"Lambohov", "omradesteam-2"}, {"Malmslätt", "omradesteam-2"},
	{"Slaka", "omradesteam-2"}, {"Västerlösa", "omradesteam-2"},
	{"Nykil", "omradesteam-2"}, {"Ulrika", "omradesteam-2"},
	{"Berga", "omradesteam-3"}, {"City", "omradesteam-3"},
	{"Ekholmen", "omradesteam-3"}, {"Sturefors", "omradesteam-3"},
	{"Bestorp", "omradesteam-3"}, {"Brokind", "omradesteam-3"},
};

TEST(district_lookup)
{
	static const struct {
		const char *typed, *canonical, *team;
	} folded[] = {
		{"skaggetorp", "Skäggetorp", "omradesteam-1"},
		{"SKÄGGETORP", "Skäggetorp", "omradesteam-1"},
		{"LAMBOHOV", "Lambohov", "omradesteam-2"},
		{" Malmslätt ", "Malmslätt", "omradesteam-2"},
		{"malmslatt", "Malmslätt", "omradesteam-2"},
		{"vasterlosa", "Västerlösa", "omradesteam-2"},
		{"stjarnorp", "Stjärnorp", "omradesteam-1"},
		{"city", "City", "omradesteam-3"},
		/* decomposed, as macOS and pasted text write it */
		{"Ska\xcc\x88ggetorp", "Skäggetorp", "omradesteam-1"},
		{"VA\xcc\x88STERLO\xcc\x88SA", "Västerlösa", "omradesteam-2"},
		/* full-width, no-break spaces around, a soft hyphen inside */
		{"\xef\xbc\xb2\xef\xbd\x99\xef\xbd\x84", "Ryd", "omradesteam-2"},
		{"\xc2\xa0" "Berga\xe3\x80\x80", "Berga", "omradesteam-3"},
		{"Lambo\xc2\xadhov", "Lambohov", "omradesteam-2"},
		{"Malmsl\xc3\xa1tt", "Malmslätt", "omradesteam-2"},
	};
	static const char *const unknown[] = {"Norrköping", "", "   ", "\xc2\xa0",
	    "Skaggetorp\xe2\x80\x8bx", "Ska\xcc\x88ggetor", "Ryd\n",
	    "Skäggetorp2", "Ry", "Rydd", "Skäggetorp Centrum"};
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load(CFG_DEFAULT_PATH, &errs);
	const cfg_team_t *t;
	const char *canon;
	size_t n = 0;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < sizeof(districts) / sizeof(districts[0]); i++) {
		canon = NULL;
		t = cfg_team_by_district(cfg, districts[i].district,
		    strlen(districts[i].district), &canon);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		CHECK_STR(t->id, districts[i].team);
		CHECK_STR(canon, districts[i].district);
	}
	for (size_t i = 0; i < cfg->nteams; i++)
		n += cfg->teams[i].ndistricts;
	CHECK_INT(n, sizeof(districts) / sizeof(districts[0]));
	CHECK_STR(cfg->teams[0].districts[0], "Skäggetorp");
	CHECK_STR(cfg->teams[1].districts[0], "Ryd");
	CHECK_STR(cfg->teams[2].districts[0], "Berga");
	for (size_t i = 0; i < sizeof(folded) / sizeof(folded[0]); i++) {
		canon = NULL;
		t = cfg_team_by_district(cfg, folded[i].typed,
		    strlen(folded[i].typed), &canon);
		CHECK(t != NULL);
		CHECK(t == NULL || strcmp(t->id, folded[i].team) == 0);
		CHECK_STR(canon, folded[i].canonical);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK(cfg_team_by_district(cfg, unknown[i], strlen(unknown[i]),
		    &canon) == NULL);
	/* len is honoured: "Rydberg" cut to "Ryd" */
	t = cfg_team_by_district(cfg, "Rydberg", 3, NULL);
	CHECK(t != NULL && strcmp(t->id, "omradesteam-2") == 0);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

TEST(examples_load)
{
	static const char *const files[] = {
		"config/examples/local-ipc.yaml",
		"config/examples/calendar.yaml",
		"config/examples/notify.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf_t errs = BUF_INIT;
		cfg_t *cfg = cfg_load(files[i], &errs);

		CHECK_STR(buf_str(&errs), "");
		CHECK(cfg != NULL);
		cfg_destroy(&cfg);
		buf_free(&errs);
	}
}

TEST(calendar_example_values)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load("config/examples/calendar.yaml", &errs);
	const cfg_office_t *o;
	const cfg_rota_t *r;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	o = &cfg->office;
	r = &cfg->rota;
	CHECK_STR(cfg->data_dir, "config/examples/../var");
	CHECK_INT(o->weekdays, 0x1f);
	CHECK_INT(o->close_min, 16 * 60 + 30);
	CHECK_INT(o->nclosed, 2);
	CHECK_INT(o->closed[0].day, ts_days_from_civil(2026, 11, 13));
	CHECK_STR(o->closed[0].reason, "Personaldag");
	CHECK_INT(o->nshortened, 2);
	CHECK_INT(o->shortened[0].kind, CFG_SHORT_BEFORE_HOLIDAY);
	CHECK_INT(o->shortened[0].close_min, 13 * 60);
	CHECK_INT(o->shortened[1].kind, CFG_SHORT_DATE);
	CHECK_INT(o->shortened[1].day, ts_days_from_civil(2026, 4, 30));
	CHECK_INT(r->period_days, 14);
	CHECK_INT(r->handover_min, 7 * 60 + 30);
	CHECK_STR(r->deputy, "sakerhetschef-ersattare");
	CHECK_INT(r->noverrides, 2);
	/* a bare date: from its 00:00 to the end of the to day */
	CHECK_INT(r->overrides[0].from,
	    (int64_t)ts_days_from_civil(2026, 12, 24) * 1440);
	CHECK_INT(r->overrides[0].to,
	    (int64_t)ts_days_from_civil(2026, 12, 27) * 1440);
	CHECK_INT(r->overrides[1].from,
	    (int64_t)ts_days_from_civil(2026, 6, 19) * 1440 + 16 * 60);
	CHECK_INT(r->overrides[1].to,
	    (int64_t)ts_days_from_civil(2026, 6, 22) * 1440 + 8 * 60);
	CHECK_STR(r->overrides[1].contact, "tib-3");
	CHECK_STR(r->overrides[1].reason, "Midsommar");
	cfg_destroy(&cfg);
	buf_free(&errs);
}

TEST(notify_example_values)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load("config/examples/notify.yaml", &errs);
	const cfg_contact_t *c;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->nchannels, 2);
	CHECK_STR(cfg->channels[0].command[0],
	    "config/examples/./notify-sendmail.sh");
	CHECK_INT(cfg->channels[0].timeout_ms, 10000);
	CHECK_INT(cfg->channels[1].timeout_ms, 20000);
	c = cfg_contact(cfg, "tib-2", 5);
	CHECK(c != NULL && c->channel == &cfg->channels[1]);
	CHECK(c != NULL && strcmp(c->address, "+46700000002") == 0);
	/* the commands it names are there and executable */
	for (size_t i = 0; i < cfg->nchannels; i++)
		CHECK(access(cfg->channels[i].command[0], X_OK) == 0);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

TEST(defaults_and_paths)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_fixture_load(CFG_BASE, &errs);

	CHECK_STR(buf_str(&errs), "");
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_STR(cfg->data_dir, "/etc/trygg/../var");
	CHECK_STR(cfg->timezone, "Europe/Stockholm");
	CHECK_STR(cfg->endpoints.notifications, "tcp://127.0.0.1:7103");
	CHECK_INT(cfg->scope.external_min_severity, 4);
	CHECK_INT(cfg->office.weekdays, 0x1f);
	CHECK_INT(cfg->rota.period_days, 7);
	CHECK_INT(cfg->rota.handover_min, 480);
	CHECK(cfg->rota.deputy == NULL);
	CHECK_INT(cfg->escalation.ack_timeout_ms, 900000);
	CHECK_INT(cfg->escalation.renotify_every_ms, 300000);
	CHECK(cfg->contacts[0].notify == NULL);
	CHECK(cfg->contacts[0].address == NULL);
	CHECK(cfg->contacts[0].channel == NULL);
	CHECK_INT(cfg->escalation.notify_timeout_ms, 10000);
	CHECK_INT(cfg->escalation.notify_retry_ms, 30000);
	CHECK_INT(cfg->escalation.notify_parallel, 4);
	CHECK_INT(cfg->nchannels, 0);
	CHECK(cfg_channel(cfg, "sms", 3) == NULL);
	CHECK(cfg->categories[0].beyond_scope == false);
	cfg_destroy(&cfg);

	buf_reset(&errs);
	cfg = cfg_fixture_load("data_dir: /srv/trygg\nendpoints: {intake: ipc:///tmp/x}\n"
	    "office_hours: {days: [lör, sön], open: \"10:00\", close: \"24:00\"}\n"
	    "escalation: {ack_timeout: 1h30m, renotify_every: 500ms}\n"
	    CFG_BASE, &errs);
	CHECK_STR(buf_str(&errs), "");
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_STR(cfg->data_dir, "/srv/trygg");
	CHECK_STR(cfg->endpoints.intake, "ipc:///tmp/x");
	CHECK_STR(cfg->endpoints.reporting, "tcp://127.0.0.1:7104");
	CHECK_INT(cfg->office.weekdays, 0x60);
	CHECK_INT(cfg->office.close_min, 1440);
	CHECK_INT(cfg->escalation.ack_timeout_ms, 5400000);
	CHECK_INT(cfg->escalation.renotify_every_ms, 500);
	cfg_destroy(&cfg);
	buf_free(&errs);

	/* names written decomposed (NFD, as macOS saves them) are kept in NFC */
	cfg = cfg_fixture_load("teams:\n"
	    "  - {id: t1, name: \"Omra\xcc\x8a" "desteam 1\", districts: [Ska\xcc\x88ggetorp, Ryd],"
	    " coordinator: c1}\n"
	    "categories:\n  - {id: ovrigt, name: \"O\xcc\x88vrigt\"}\n"
	    "contacts:\n  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: \"Bjo\xcc\x88rn\", role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n", &errs);
	CHECK_STR(buf_str(&errs), "");
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		const char *canon = NULL;

		CHECK_STR(cfg->teams[0].name, "Omr\xc3\xa5" "desteam 1");
		CHECK_STR(cfg->teams[0].districts[0], "Sk\xc3\xa4ggetorp");
		CHECK_STR(cfg->categories[0].name, "\xc3\x96vrigt");
		CHECK_STR(cfg->contacts[1].name, "Bj\xc3\xb6rn");
		CHECK(cfg_team_by_district(cfg, "skaggetorp", 10, &canon) != NULL);
		CHECK_STR(canon, "Sk\xc3\xa4ggetorp");
	}
	cfg_destroy(&cfg);

	/* a file in the current folder: data_dir stays relative to it */
	cfg = cfg_load_string(CFG_BASE, strlen(CFG_BASE), "x.yaml", ".", NULL);
	CHECK(cfg != NULL && strcmp(cfg->data_dir, "../var") == 0);
	cfg_destroy(&cfg);
}

TEST(notify_channels)
{
	static const char yaml[] =
	    "escalation: {notify_timeout: 5s, notify_retry: 2m, "
	    "notify_parallel: 2}\n"
	    "notify:\n"
	    "  - id: epost\n"
	    "    command: [examples/notify-sendmail.sh, --from, trygg@x.se]\n"
	    "  - id: sms\n"
	    "    command: [/usr/lib/trygg/sms]\n"
	    "    timeout: 20s\n"
	    "  - {id: pager_1, command: [pager-send]}\n"
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef, notify: epost,\n"
	    "     address: chef@linkoping.se}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib, notify: sms,\n"
	    "     address: \"+46 70-123 45 67\"}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1,\n"
	    "     address: c1@linkoping.se}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n";
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_fixture_load(yaml, &errs);
	const cfg_contact_t *c;
	const cfg_channel_t *ch;

	CHECK_STR(buf_str(&errs), "");
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->escalation.notify_timeout_ms, 5000);
	CHECK_INT(cfg->escalation.notify_retry_ms, 120000);
	CHECK_INT(cfg->escalation.notify_parallel, 2);
	CHECK_INT(cfg->nchannels, 3);
	ch = cfg_channel(cfg, "epost", 5);
	CHECK(ch == &cfg->channels[0]);
	/* a relative path is the file's folder's, like data_dir */
	CHECK_INT(ch->ncommand, 3);
	CHECK_STR(ch->command[0], "/etc/trygg/examples/notify-sendmail.sh");
	CHECK_STR(ch->command[1], "--from");
	CHECK(ch->command[3] == NULL);  /* argv-ready */
	CHECK_INT(ch->timeout_ms, 5000);        /* escalation.notify_timeout */
	ch = cfg_channel(cfg, "sms", 3);
	CHECK(ch != NULL && strcmp(ch->command[0], "/usr/lib/trygg/sms") == 0);
	CHECK(ch != NULL && ch->timeout_ms == 20000);
	/* a bare name is looked up in PATH when it runs */
	ch = cfg_channel(cfg, "pager_1", 7);
	CHECK(ch != NULL && strcmp(ch->command[0], "pager-send") == 0);
	CHECK(cfg_channel(cfg, "sm", 2) == NULL);
	CHECK(cfg_channel(cfg, "smsx", 3) != NULL);     /* length counts */

	c = cfg_contact(cfg, "tib-1", 5);
	CHECK(c != NULL && c->channel == cfg_channel(cfg, "sms", 3));
	CHECK(c != NULL && strcmp(c->address, "+46 70-123 45 67") == 0);
	CHECK(c != NULL && strcmp(c->notify, "sms") == 0);
	c = cfg_contact(cfg, "chef", 4);
	CHECK(c != NULL && c->channel == &cfg->channels[0]);
	/* an address alone notifies nobody, and is no error */
	c = cfg_contact(cfg, "c1", 2);
	CHECK(c != NULL && c->channel == NULL && c->address != NULL);
	cfg_destroy(&cfg);
	buf_free(&errs);
}

/* Bad configurations and every line each must produce. */
static const struct {
	const char *name, *yaml, *errors;
} bad[] = {
	{"unknown key",
	    "timezon: Europe/Stockholm\n" CFG_BASE,
	    "t.yaml:1:1: unknown key 'timezon' (did you mean 'timezone'?)\n"},
	{"unknown nested key",
	    "escalation: {ack_timeout: 5m, renotifyevery: 1m}\n" CFG_BASE,
	    "t.yaml:1:31: unknown key 'renotifyevery' (did you mean "
	    "'renotify_every'?)\n"},
	{"unknown key far from any",
	    "colour: blue\n" CFG_BASE,
	    "t.yaml:1:1: unknown key 'colour'\n"},
	{"duplicate key",
	    "timezone: UTC\ntimezone: UTC\n" CFG_BASE,
	    "t.yaml:2:1: duplicate key 'timezone'\n"},
	{"wrong type: integer",
	    "scope: {external_min_severity: high}\n" CFG_BASE,
	    "t.yaml:1:32: 'external_min_severity': expected an integer from 1 "
	    "to 6, found 'high'\n"},
	{"integer out of range",
	    "scope:\n  external_min_severity: 7\n" CFG_BASE,
	    "t.yaml:2:26: 'external_min_severity': expected an integer from 1 "
	    "to 6, found '7'\n"},
	{"wrong type: mapping for a list",
	    "teams: {id: t1}\n" CFG_BASE,
	    "t.yaml:1:8: 'teams': expected a list, found a mapping\n"
	    "t.yaml:2:1: duplicate key 'teams'\n"},
	{"a trailing comment is no error",
	    CFG_BASE "  # comment\n",
	    ""},
	{"bad duration",
	    "escalation:\n  ack_timeout: 15x\n" CFG_BASE,
	    "t.yaml:2:16: 'ack_timeout': expected a duration such as 500ms, "
	    "30s, 15m, 2h or 1d, found '15x'\n"},
	{"period not whole days",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05, period: 36h}\n",
	    "t.yaml:8:54: 'period': expected whole days such as 7d, "
	    "found '36h'\n"},
	{"bad date",
	    "office_hours:\n  closed:\n    - {date: 2026-02-30, reason: x}\n"
	    CFG_BASE,
	    "t.yaml:3:14: 'date': expected a date YYYY-MM-DD, "
	    "found '2026-02-30'\n"},
	{"bad time of day",
	    "office_hours: {open: \"8\", close: \"25:00\"}\n" CFG_BASE,
	    "t.yaml:1:22: 'open': expected a time of day HH:MM, found '8'\n"
	    "t.yaml:1:34: 'close': expected a time of day HH:MM, "
	    "found '25:00'\n"},
	{"close before open",
	    "office_hours: {open: \"17:00\", close: \"08:00\"}\n" CFG_BASE,
	    "t.yaml:1:38: 'close' must be later than 'open'\n"},
	{"bad weekday",
	    "office_hours: {days: [mon, funday]}\n" CFG_BASE,
	    "t.yaml:1:28: 'days': expected a weekday such as mon, "
	    "found 'funday'\n"},
	{"duplicate district across teams",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd, Skäggetorp], coordinator: c1}\n"
	    "  - {id: t2, name: T2, districts: [skaggetorp], coordinator: c2}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "  - {id: c2, name: C2, role: coordinator, team: t2}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:3:36: district 'skaggetorp' already belongs to team 't1'\n"},
	{"district twice in one team",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd, RYD], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:2:41: district 'RYD' is listed twice\n"},
	{"unknown coordinator contact",
	    "teams:\n"
	    "  - id: t1\n"
	    "    name: T1\n"
	    "    districts: [Ryd]\n"
	    "    coordinator: samordnare-x\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:5:18: 'coordinator': unknown contact 'samordnare-x'\n"},
	{"coordinator with another role",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: tib-1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:2:55: 'coordinator': contact 'tib-1' has role tib, not "
	    "coordinator\n"},
	{"empty rota",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota:\n"
	    "  contacts: []\n"
	    "  start: 2026-01-05\n",
	    "t.yaml:8:13: 'contacts' must not be empty\n"},
	{"rota member not a tib",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [chef, nobody], start: 2026-01-05}\n",
	    "t.yaml:7:19: 'contacts': contact 'chef' has role sakerhetschef, "
	    "not tib\n"
	    "t.yaml:7:25: 'contacts': unknown contact 'nobody'\n"},
	{"missing rota",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n",
	    "t.yaml:1:1: missing key 'rota'\n"},
	{"renotify longer than ack_timeout",
	    "escalation:\n  ack_timeout: 5m\n  renotify_every: 10m\n" CFG_BASE,
	    "t.yaml:3:19: 'renotify_every' must not be longer than "
	    "'ack_timeout'\n"},
	{"bad endpoint",
	    "endpoints:\n  intake: tcp://127.0.0.1\n  escalation: udp://x:1\n"
	    "  reporting: tcp://h:70000\n" CFG_BASE,
	    "t.yaml:2:11: 'intake': expected a ZeroMQ endpoint tcp://host:port, "
	    "ipc://path or inproc://name, found 'tcp://127.0.0.1'\n"
	    "t.yaml:3:15: 'escalation': expected a ZeroMQ endpoint "
	    "tcp://host:port, ipc://path or inproc://name, found 'udp://x:1'\n"
	    "t.yaml:4:14: 'reporting': expected a ZeroMQ endpoint "
	    "tcp://host:port, ipc://path or inproc://name, "
	    "found 'tcp://h:70000'\n"},
	{"two endpoints equal",
	    "endpoints:\n  reporting: tcp://127.0.0.1:7101\n" CFG_BASE,
	    "t.yaml:2:14: endpoint 'reporting' is the same as 'intake'\n"},
	{"unknown timezone",
	    "timezone: Europe/Stokholm\n" CFG_BASE,
	    "t.yaml:1:11: 'timezone': unknown time zone 'Europe/Stokholm'\n"},
	{"timezone outside the zone folder",
	    "timezone: ../../etc/passwd\n" CFG_BASE,
	    "t.yaml:1:11: 'timezone': unknown time zone '../../etc/passwd'\n"},
	{"YAML syntax error",
	    "teams: [\n" CFG_BASE,
	    "t.yaml:3:3: did not find expected node content (while parsing a "
	    "flow node at 3:3)\n"},
	{"YAML syntax error in a block",
	    "timezone: UTC\n  data_dir: x\n" CFG_BASE,
	    "t.yaml:2:11: mapping values are not allowed in this context\n"},
	{"tab indentation",
	    "escalation:\n\tack_timeout: 5m\n" CFG_BASE,
	    "t.yaml:2:1: found character that cannot start any token (while "
	    "scanning for the next token at 2:1)\n"},
	{"invalid UTF-8",
	    "timezone: \xff\n" CFG_BASE,
	    "t.yaml:1:11: invalid leading UTF-8 octet (byte 0xff)\n"},
	{"alias",
	    "x: &a [1]\ny: *a\n",
	    "t.yaml:2:4: aliases are not supported (*a)\n"},
	{"two documents",
	    CFG_BASE "---\n" CFG_BASE,
	    "t.yaml:10:1: only one YAML document is allowed\n"},
	{"empty", "", "t.yaml:1:1: the configuration is empty\n"},
	{"only a comment", "# nothing\n",
	    "t.yaml:1:1: the configuration is empty\n"},
	{"not a mapping", "- a\n- b\n",
	    "t.yaml:1:1: the configuration must be a mapping of keys, not a "
	    "list\n"},
	{"shortened day rules",
	    "office_hours:\n"
	    "  shortened:\n"
	    "    - {close: \"13:00\"}\n"
	    "    - {date: 2026-04-30, before_holiday: true, close: \"12:00\"}\n"
	    "    - {date: 2026-04-29, close: \"18:00\"}\n" CFG_BASE,
	    "t.yaml:3:7: a shortened day needs 'date' or 'before_holiday: "
	    "true'\n"
	    "t.yaml:4:42: 'date' and 'before_holiday' exclude each other\n"
	    "t.yaml:5:33: 'close': a shortened day must close after 'open' and "
	    "before 'close' of office_hours\n"},
	{"overrides",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota:\n"
	    "  contacts: [tib-1]\n"
	    "  start: 2026-01-05\n"
	    "  deputy: ghost\n"
	    "  overrides:\n"
	    "    - {from: 2026-12-24, to: 2026-12-23, contact: tib-1}\n"
	    "    - {from: 2026-11-01, to: 2026-11-10, contact: chef}\n"
	    "    - {from: 2026-11-05 08:00, to: 2026-11-06T08:00, contact: x}\n"
	    "    - {from: 2026-11-20 25:00, to: 2026-11-21, contact: tib-1}\n",
	    "t.yaml:11:11: 'deputy': unknown contact 'ghost'\n"
	    "t.yaml:13:30: 'to' must be later than 'from'\n"
	    "t.yaml:15:63: 'contact': unknown contact 'x'\n"
	    "t.yaml:16:14: 'from': expected a date YYYY-MM-DD or a time "
	    "YYYY-MM-DD HH:MM, found '2026-11-20 25:00'\n"},
	{"several errors in one file",
	    "teams:\n"
	    "  - id: Team1\n"
	    "    name: \"\"\n"
	    "    districts: Ryd\n"
	    "    coordinator: c1\n"
	    "  - id: t2\n"
	    "    districts: [Berga]\n"
	    "    coordinator: c2\n"
	    "  - just a string\n"
	    "categories:\n"
	    "  - {id: a, name: A, beyond_scope: ja}\n"
	    "  - {id: a, name: A2}\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef, team: t2}\n"
	    "  - {id: tib-1, name: TiB 1, role: tibb}\n"
	    "  - {id: c1, name: C1, role: coordinator}\n"
	    "  - {id: c2, name: C2, role: coordinator, team: t9}\n"
	    "rota: {contacts: [tib-1], start: 2026-13-01}\n"
	    "escalation: {ack_timeout: 0s}\n",
	    "t.yaml:2:9: 'id': expected an id of a-z, 0-9 and '-', "
	    "found 'Team1'\n"
	    "t.yaml:3:11: 'name': expected a string, found ''\n"
	    "t.yaml:4:16: 'districts': expected a list, found 'Ryd'\n"
	    "t.yaml:6:5: missing key 'name'\n"
	    "t.yaml:8:18: 'coordinator': contact 'c2' belongs to team 't9'\n"
	    "t.yaml:9:5: 'teams': expected a mapping, found 'just a string'\n"
	    "t.yaml:11:36: 'beyond_scope': expected true or false, "
	    "found 'ja'\n"
	    "t.yaml:12:10: duplicate id 'a' in 'categories', first at line 11\n"
	    "t.yaml:14:55: 'team': only a coordinator belongs to a team\n"
	    "t.yaml:15:36: 'role': expected sakerhetschef, deputy, tib or "
	    "coordinator, found 'tibb'\n"
	    "t.yaml:16:5: a coordinator needs 'team'\n"
	    "t.yaml:17:49: 'team': unknown team 't9'\n"
	    "t.yaml:18:34: 'start': expected a date YYYY-MM-DD, "
	    "found '2026-13-01'\n"
	    "t.yaml:19:27: 'ack_timeout': expected a duration such as 500ms, "
	    "30s, 15m, 2h or 1d, found '0s'\n"},
	{"no sakerhetschef",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:5:3: no contact has role sakerhetschef\n"},
	{"required lists",
	    "teams: []\ncategories:\ncontacts: ~\nrota: {start: 2026-01-05}\n",
	    "t.yaml:1:8: 'teams' must not be empty\n"
	    "t.yaml:2:12: 'categories' must not be empty\n"
	    "t.yaml:3:11: 'contacts' must not be empty\n"
	    "t.yaml:4:7: missing key 'contacts'\n"},
	{"a value that must be given",
	    "rota: ~\n" CFG_BASE,
	    "t.yaml:1:7: 'rota': expected a value, found nothing\n"
	    "t.yaml:10:1: duplicate key 'rota'\n"},
	{"long and strange values are cut and made printable",
	    "timezone: \"Europe/\\tStockholm-Stockholm-Stockholm-Stockholm\"\n"
	    CFG_BASE,
	    "t.yaml:1:11: 'timezone': unknown time zone 'Europe/?Stockholm-"
	    "Stockholm-Stockholm-St...'\n"},
	{"NUL in a quoted string",
	    "data_dir: \"a\\0b\"\n" CFG_BASE,
	    "t.yaml:1:11: 'data_dir': expected a string, found 'a?b'\n"},
	{"non-scalar key",
	    "? [a]\n: b\n" CFG_BASE,
	    "t.yaml:1:3: expected a key, found a list\n"},
	{"notify: unknown channel, none defined",
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef, "
	    "notify: chef@linkoping.se}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n",
	    "t.yaml:5:57: 'notify': unknown notify channel 'chef@linkoping.se' "
	    "(none is defined under the top-level 'notify'; the contact's "
	    "e-mail or phone goes under 'address')\n"},
	{"notify: channels and contacts",
	    "notify:\n"
	    "  - {id: sms, command: [/bin/sms]}\n"
	    "  - {id: sms, command: []}\n"
	    "  - {id: Epost, comand: [x]}\n"
	    "  - just a string\n"
	    "  - {id: x, command: /bin/x, timeout: soon}\n"
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef, notify: smss,\n"
	    "     address: a@b.se}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib, notify: sms}\n"
	    "  - {id: tib-2, name: TiB 2, role: tib, notify: telegram,\n"
	    "     address: x}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1,\n"
	    "     notify: sms, address: \"c1@b.se\\nBcc: x@y.se\"}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n"
	    "escalation: {notify_timeout: 0s, notify_retry: x, "
	    "notify_parallel: 0}\n",
	    "t.yaml:3:10: duplicate id 'sms' in 'notify', first at line 2\n"
	    "t.yaml:3:24: 'command' must not be empty\n"
	    "t.yaml:4:5: missing key 'command'\n"
	    "t.yaml:4:10: 'id': expected an id of a-z, 0-9, '-' and '_', "
	    "found 'Epost'\n"
	    "t.yaml:4:17: unknown key 'comand' (did you mean 'command'?)\n"
	    "t.yaml:5:5: 'notify': expected a mapping, found 'just a string'\n"
	    "t.yaml:6:22: 'command': expected a list, found '/bin/x'\n"
	    "t.yaml:6:39: 'timeout': expected a duration such as 500ms, 30s, "
	    "15m, 2h or 1d, found 'soon'\n"
	    "t.yaml:11:57: 'notify': unknown notify channel 'smss' (did you "
	    "mean 'sms'?)\n"
	    "t.yaml:13:49: 'notify': the contact needs an 'address' for "
	    "channel 'sms'\n"
	    "t.yaml:14:49: 'notify': unknown notify channel 'telegram'\n"
	    "t.yaml:17:28: 'address': expected one line of at most 254 "
	    "bytes\n"
	    "t.yaml:19:30: 'notify_timeout': expected a duration such as "
	    "500ms, 30s, 15m, 2h or 1d, found '0s'\n"
	    "t.yaml:19:48: 'notify_retry': expected a duration such as 500ms, "
	    "30s, 15m, 2h or 1d, found 'x'\n"
	    "t.yaml:19:68: 'notify_parallel': expected an integer from 1 to "
	    "64, found '0'\n"},
	{"escalation policy",
	    CFG_BASE
	    "escalation:\n"
	    "  policy: [oncall, nobody, deputy, chef, tib-1]\n"
	    "  reinforcement_policy: [coordinator]\n"
	    "links: {stale_after: later}\n",
	    "t.yaml:11:11: 'policy': at most 4 steps\n"
	    "t.yaml:11:20: 'policy': 'nobody' is neither oncall nor deputy nor a contact id\n"
	    "t.yaml:12:26: 'reinforcement_policy': 'coordinator' is neither coordinators nor a contact id\n"
	    "t.yaml:13:22: 'stale_after': expected a duration such as 500ms, 30s, 15m, 2h or 1d, found 'later'\n"},
	{"deep nesting",
	    "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	    "t.yaml:1:35: nesting deeper than 32 levels\n"},
};

TEST(bad_configurations)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_t errs = BUF_INIT;
		cfg_t *cfg = cfg_fixture_load(bad[i].yaml, &errs);

		if (strcmp(buf_str(&errs), bad[i].errors) != 0)
			printf("    case '%s':\n", bad[i].name);
		CHECK_STR(buf_str(&errs), bad[i].errors);
		CHECK((cfg == NULL) == (bad[i].errors[0] != '\0'));
		cfg_destroy(&cfg);
		buf_free(&errs);
	}
}

TEST(escalation_policy_defaults)
{
	cfg_t *cfg = cfg_fixture_load(CFG_BASE, NULL), *with;

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	/* no beredskap contact: oncall, deputy */
	CHECK_INT(cfg->escalation.npolicy, 2);
	CHECK_STR(cfg->escalation.policy[0], "oncall");
	CHECK_STR(cfg->escalation.policy[1], "deputy");
	CHECK_INT(cfg->escalation.nreinforcement_policy, 1);
	CHECK_STR(cfg->escalation.reinforcement_policy[0], "coordinators");
	CHECK_INT(cfg->links.stale_after_ms, 60000);
	cfg_destroy(&cfg);
	with = cfg_fixture_load(CFG_BASE "  - {id: bered, name: B, role: beredskap}\n", NULL);
	CHECK(with == NULL);    /* a contact after rota: not in the contacts list */
	cfg_destroy(&with);
	with = cfg_fixture_load("teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: TiB 1, role: tib}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "  - {id: bered, name: Beredskapssamordnare, role: beredskap}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n", NULL);
	CHECK(with != NULL);
	if (with != NULL) {
		CHECK_INT(with->escalation.npolicy, 3);
		CHECK_STR(with->escalation.policy[2], "bered");
	}
	cfg_destroy(&with);
}

TEST(missing_file)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg = cfg_load("tests/no/such/file.yaml", &errs);

	CHECK(cfg == NULL);
	CHECK_STR(buf_str(&errs),
	    "tests/no/such/file.yaml: No such file or directory\n");
	buf_free(&errs);
}

TEST(errors_append)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg;

	buf_puts(&errs, "before\n");
	cfg = cfg_fixture_load("colour: x\n" CFG_BASE, &errs);
	CHECK(cfg == NULL);
	CHECK_STR(buf_str(&errs), "before\nt.yaml:1:1: unknown key 'colour'\n");
	/* the loader also runs with nowhere to put its errors */
	CHECK(cfg_load_string("x", 1, NULL, NULL, NULL) == NULL);
	buf_free(&errs);
}

TEST_MAIN(default_file_loads, default_file_ids, district_lookup,
    examples_load, calendar_example_values, notify_example_values,
    defaults_and_paths, notify_channels,
    bad_configurations, escalation_policy_defaults, missing_file, errors_append)
