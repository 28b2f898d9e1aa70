/*
 * cmd_calendar.c: trygg calendar holidays, trygg oncall and trygg rota.
 *
 * The holiday calendar and the rota are computed here from common/ (no
 * daemon needed: the TiB group can check the coming weeks even when
 * trygg-escalation is down); oncall asks trygg-escalation, which is the
 * one that decides.
 */
#include "cli.h"
#include "holiday.h"
#include "log.h"
#include "officehours.h"
#include "oncall.h"
#include "rota.h"
#include "ts.h"
#include "tz.h"
#include "wire.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROTA_WEEKS_DEFAULT 4
#define ROTA_WEEKS_MAX     520
#define ROTA_LIST_MAX      4096     /* stretches printed at most */

static int
cal_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Prints what p holds (one msgpack object) as JSON. */
static void
cal_print_packed(pack_t *p)
{
	msgpack_unpacked u;
	size_t len, off = 0;
	const char *data = pack_data(p, &len);

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS)
		cli_print_json(&u.data);
	msgpack_unpacked_destroy(&u);
}

int
cmd_calendar(cli_t *cli, int argc, char **argv)
{
	holiday_t h[HOLIDAY_MAX];
	long year;
	int n;

	if (argc != 3 || strcmp(argv[1], "holidays") != 0)
		return cli_usage("usage: trygg calendar holidays YEAR");
	if (cal_parse_int(argv[2], HOLIDAY_YEAR_MIN, HOLIDAY_YEAR_MAX, &year) < 0)
		return cli_usage("calendar holidays: YEAR must be a year from %d to %d",
		    HOLIDAY_YEAR_MIN, HOLIDAY_YEAR_MAX);
	n = holiday_list((int)year, h, HOLIDAY_MAX);
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_kv_int(p, "year", year);
		pack_key(p, "holidays");
		pack_array_open(p);
		for (int i = 0; i < n; i++) {
			char date[11];

			ts_format_date(h[i].day, date);
			pack_map_open(p);
			pack_kv_str(p, "date", date);
			pack_kv_str(p, "name", h[i].name);
			if (h[i].also)
				pack_kv_str(p, "also", h[i].also);
			pack_kv_str(p, "kind", h[i].kind == HOLIDAY_EVE ? "eve" : "public");
			pack_map_close(p);
		}
		pack_array_close(p);
		pack_map_close(p);
		cal_print_packed(p);
		pack_destroy(&p);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		char date[11];

		ts_format_date(h[i].day, date);
		printf("%s\t%s%s%s\n", date, h[i].name, h[i].also ? ", " : "",
		    h[i].also ? h[i].also : "");
	}
	return 0;
}

static const char *
cal_contact_name(const cfg_t *cfg, const char *id)
{
	const cfg_contact_t *c = id ? cfg_contact(cfg, id, strlen(id)) : NULL;

	return c ? c->name : id;
}

static void
cal_pack_contact(pack_t *p, const cfg_t *cfg, const char *key, const char *id)
{
	pack_key(p, key);
	if (id == NULL) {
		pack_nil(p);
		return;
	}
	pack_map_open(p);
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "name", cal_contact_name(cfg, id));
	pack_map_close(p);
}

static void
cal_print_duty(const cfg_t *cfg, const tz_t *tz, const rota_duty_t *d, size_t wfrom,
    size_t wto, bool current)
{
	char from[TZ_FORMAT_MAX], to[TZ_FORMAT_MAX];

	tz_format(tz, d->start, from);
	tz_format(tz, d->end, to);
	printf("%c %-*s – %-*s  %s (%s)", current ? '*' : ' ', (int)wfrom, from, (int)wto, to,
	    d->contact, cal_contact_name(cfg, d->contact));
	if (d->deputy)
		printf(", deputy %s (%s)", d->deputy,
		    cal_contact_name(cfg, d->deputy));
	if (d->override) {
		printf("  [override%s%s", d->reason ? ": " : "",
		    d->reason ? d->reason : "");
		if (strcmp(d->regular, d->contact) != 0)
			printf(", instead of %s", d->regular);
		putchar(']');
	}
	putchar('\n');
}

/* the deputy of whoever oncall names, from the configuration; NULL when none */
static const char *
cal_deputy(const cfg_t *cfg, const tz_t *tz, int64_t at, bool office_hours)
{
	const cfg_contact_t *d;
	rota_duty_t duty;

	if (office_hours) {
		d = cfg_contact_by_role(cfg, CFG_ROLE_DEPUTY);
		return d ? d->id : NULL;
	}
	return rota_on_duty(&cfg->rota, tz, at, &duty) == 0 ? duty.deputy : NULL;
}

/* Prints an oncall answer (the daemon's reply, or one made here) for people. */
static void
cal_print_oncall(cli_t *cli, const msgpack_object *m, const char *deputy, const char *source)
{
	char t[CLI_TIME_MAX];
	const msgpack_object *until = cli_get(m, "until"), *dep = cli_get(m, "deputy");

	printf("on call:  ");
	cli_put_contact(cli_get(m, "contact"));
	fputs(cli_is(cli_get(m, "target"), "tib") ? ", TiB on duty\n" :
	    ", säkerhetschef\n", stdout);
	printf("deputy:   ");
	if (dep && dep->type == MSGPACK_OBJECT_MAP) {
		/* the daemon's (or FILE's) answer */
		cli_put_contact(dep);
		putchar('\n');
	} else if (dep) {
		printf("nobody configured\n");
	} else if (deputy)
		printf("%s (%s)\n", cal_contact_name(cli->cfg, deputy), deputy);
	else
		printf("%s\n", cli->cfg_partial ? "unknown (the configuration is not at hand)" :
		    "nobody configured");
	printf("why:      ");
	cli_put(stdout, cli_get(m, "reason"));
	printf("\nat:       %s\n", cli_local_time(cli, cli_get(m, "at"), t));
	printf("until:    %s\n", until ? cli_local_time(cli, until, t) : "no change ahead");
	printf("(%s)\n", source);
}

/* oncall --config FILE: decided here, from FILE, the way trygg-escalation decides */
static int
cal_oncall_local(cli_t *cli, const char *path, bool has_at, int64_t at)
{
	buf_t errors = BUF_INIT;
	char err[512], src[4200];
	cfg_t *cfg;
	tz_t *tz;
	oncall_t oc;
	int64_t until = -1;
	pack_t *p;
	msgpack_unpacked u;
	size_t len, off = 0;
	const char *data;
	const char *deputy;
	int rc = 0;

	if ((cfg = cfg_load(path, &errors)) == NULL) {
		fputs(buf_str(&errors), stderr);
		buf_free(&errors);
		return cli_fail(access(path, F_OK) == 0 ? EXIT_CONFIG : EXIT_NOINPUT,
		    access(path, F_OK) == 0 ? "config" : "not_found", "%s: %s", path,
		    access(path, F_OK) == 0 ? "invalid configuration" : "not found");
	}
	buf_free(&errors);
	if ((tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL) {
		cfg_destroy(&cfg);
		return cli_fail(EXIT_CONFIG, "config", "%s: %s", path, err);
	}
	if (!has_at)
		at = ts_now();
	if (oncall_decide(cfg, tz, at, &oc, err, sizeof(err)) < 0) {
		rc = cli_fail(EXIT_CONFIG, "config", "%s: nobody is on call: %s", path, err);
		goto out;
	}
	if (oh_next_change(&cfg->office, tz, at, &until) < 0)
		until = -1;
	if (oc.has_duty && (until < 0 || oc.duty.end < until))
		until = oc.duty.end;
	deputy = cal_deputy(cfg, tz, at, oc.office_hours);
	p = pack_new();
	pack_map_open(p);
	pack_kv_bool(p, "ok", true);
	pack_kv_time(p, "at", at);
	pack_kv_bool(p, "office_hours", oc.office_hours);
	pack_kv_str(p, "reason", oc.reason);
	pack_kv_str(p, "target", oc.target);
	cal_pack_contact(p, cfg, "contact", oc.contact->id);
	cal_pack_contact(p, cfg, "deputy", deputy);
	if (until >= 0)
		pack_kv_time(p, "until", until);
	pack_kv_str(p, "source", path);
	pack_map_close(p);
	if (cli->json) {
		cli_print_packed(p);
	} else {
		/* names and times from FILE: it stands in for the configuration */
		cfg_t *was = cli->cfg;
		bool partial = cli->cfg_partial;

		cli->cfg = cfg;
		cli->cfg_partial = false;
		tz_destroy(&cli->tz);
		data = pack_data(p, &len);
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS) {
			snprintf(src, sizeof(src), "decided here from %s, not by trygg-escalation",
			    path);
			cal_print_oncall(cli, &u.data, deputy, src);
		}
		msgpack_unpacked_destroy(&u);
		tz_destroy(&cli->tz);
		cli->cfg = was;
		cli->cfg_partial = partial;
	}
	pack_destroy(&p);
out:
	tz_destroy(&tz);
	cfg_destroy(&cfg);
	return rc;
}

int
cmd_oncall(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const char *at_arg = NULL, *local = NULL, *deputy = NULL;
	char at_buf[TS_RFC3339_MAX], src[600], err[256];
	msgpack_unpacked reply;
	int64_t at = 0;
	pack_t *req;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if ((rc = cli_time_option(cli, "--at", optarg, false, at_buf)) != 0)
				return rc;
			at_arg = at_buf;
			break;
		case 'c':
			local = optarg;
			break;
		default:
			return cli_usage("usage: trygg oncall [--at TIME] [--config FILE]");
		}
	}
	if (optind != argc)
		return cli_usage("oncall: unexpected argument '%s'", argv[optind]);
	if (at_arg)
		ts_parse_rfc3339(at_arg, strlen(at_arg), &at);
	if (local)
		return cal_oncall_local(cli, local, at_arg != NULL, at);
	req = cli_op_new(WIRE_OP_ONCALL);
	if (at_arg)
		pack_kv_str(req, "at", at_arg);
	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.escalation, req, &reply);
	pack_destroy(&req);
	if (rc != 0)
		return rc;
	/* a trygg-escalation older than "deputy": the deputy from the local configuration */
	if (!cli->cfg_partial && cli_get(&reply.data, "deputy") == NULL) {
		const msgpack_object *a = cli_get(&reply.data, "at");
		const msgpack_object *oh = cli_get(&reply.data, "office_hours");
		tz_t *tz = tz_open(cli->cfg->timezone, err, sizeof(err));
		int64_t ams;

		if (tz && a && a->type == MSGPACK_OBJECT_STR &&
		    ts_parse_rfc3339(a->via.str.ptr, a->via.str.size, &ams) == 0)
			deputy = cal_deputy(cli->cfg, tz, ams, oh && oh->type ==
			    MSGPACK_OBJECT_BOOLEAN && oh->via.boolean);
		tz_destroy(&tz);
	}
	if (cli->json) {
		pack_t *p = pack_new();
		const msgpack_object *m = &reply.data;

		pack_map_open(p);
		for (uint32_t i = 0; i < m->via.map.size; i++) {
			if (cli_is(&m->via.map.ptr[i].key, "req"))
				continue;
			pack_obj(p, &m->via.map.ptr[i].key);
			pack_obj(p, &m->via.map.ptr[i].val);
		}
		if (!cli->cfg_partial && cli_get(m, "deputy") == NULL)
			cal_pack_contact(p, cli->cfg, "deputy", deputy);
		pack_kv_str(p, "source", "trygg-escalation");
		pack_map_close(p);
		cli_print_packed(p);
		pack_destroy(&p);
	} else {
		snprintf(src, sizeof(src), "answered by trygg-escalation at %s, from its own "
		    "configuration%s", cli->cfg->endpoints.escalation, deputy ?
		    "; the deputy from the local one" : "");
		cal_print_oncall(cli, &reply.data, deputy, src);
	}
	msgpack_unpacked_destroy(&reply);
	return 0;
}

int
cmd_rota(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"weeks", required_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	const cfg_t *cfg = cli->cfg;
	rota_duty_t *duties;
	const char *from_arg = NULL;
	char err[512];
	int32_t from_day;
	long weeks = ROTA_WEEKS_DEFAULT;
	int64_t now = ts_now();
	tz_t *tz;
	int ch, n;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from_arg = optarg;
			break;
		case 'w':
			if (cal_parse_int(optarg, 1, ROTA_WEEKS_MAX, &weeks) < 0)
				return cli_usage("rota: --weeks takes a whole number "
				    "from 1 to %d", ROTA_WEEKS_MAX);
			break;
		default:
			return cli_usage("usage: trygg rota [--from YYYY-MM-DD] [--weeks N]");
		}
	}
	if (optind != argc)
		return cli_usage("rota: unexpected argument '%s'", argv[optind]);
	if (from_arg && ts_parse_date(from_arg, strlen(from_arg), &from_day) < 0)
		return cli_usage("rota: --from takes a date YYYY-MM-DD, not '%s'", from_arg);
	if ((ch = cli_config_need(cli, "rota")) != 0)
		return ch;
	if ((tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL)
		return cli_fail(EXIT_CONFIG, "config", "%s: %s", cli->cfg_path, err);
	if (from_arg == NULL) {
		tz_local_t today;

		tz_local(tz, now, &today);
		from_day = today.civil_day;
	}

	duties = calloc(ROTA_LIST_MAX, sizeof(*duties));
	n = duties ? rota_list(&cfg->rota, tz, tz_utc(tz, from_day, 0),
	    tz_utc(tz, from_day + 7 * (int32_t)weeks, 0), duties, ROTA_LIST_MAX) : -1;
	if (n < 0) {
		free(duties);
		tz_destroy(&tz);
		return cli_fail(EXIT_CONFIG, "config", "%s: the TiB rota names nobody",
		    cli->cfg_path);
	}
	if (n > ROTA_LIST_MAX)
		n = ROTA_LIST_MAX;
	if (cli->json) {
		pack_t *p = pack_new();

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_kv_str(p, "timezone", cfg->timezone);
		pack_key(p, "duties");
		pack_array_open(p);
		for (int i = 0; i < n; i++) {
			pack_map_open(p);
			pack_kv_bool(p, "current", duties[i].start <= now && now < duties[i].end);
			pack_kv_time(p, "start", duties[i].start);
			pack_kv_time(p, "end", duties[i].end);
			cal_pack_contact(p, cfg, "contact", duties[i].contact);
			cal_pack_contact(p, cfg, "deputy", duties[i].deputy);
			pack_kv_bool(p, "override", duties[i].override);
			if (duties[i].override) {
				pack_kv_str(p, "reason", duties[i].reason);
				pack_kv_str(p, "instead_of", duties[i].regular);
			}
			pack_map_close(p);
		}
		pack_array_close(p);
		pack_map_close(p);
		cal_print_packed(p);
		pack_destroy(&p);
	} else {
		char t[TZ_FORMAT_MAX];
		size_t wfrom = 0, wto = 0;

		/* "CET" and "CEST" differ in width: the columns are as wide as the widest */
		for (int i = 0; i < n; i++) {
			tz_format(tz, duties[i].start, t);
			wfrom = strlen(t) > wfrom ? strlen(t) : wfrom;
			tz_format(tz, duties[i].end, t);
			wto = strlen(t) > wto ? strlen(t) : wto;
		}
		printf("  %-*s   %-*s  %s\n", (int)wfrom, "FROM", (int)wto, "TO", "ON DUTY");
		for (int i = 0; i < n; i++)
			cal_print_duty(cfg, tz, &duties[i], wfrom, wto,
			    duties[i].start <= now && now < duties[i].end);
		printf("(times in %s; * marks the current duty)\n", cfg->timezone);
	}
	free(duties);
	tz_destroy(&tz);
	return 0;
}
