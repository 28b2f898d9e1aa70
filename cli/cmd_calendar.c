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
#include "rota.h"
#include "ts.h"
#include "tz.h"
#include "wire.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
cmd_oncall(cli_t *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	pack_t *req = pack_new();
	msgpack_unpacked reply;
	const msgpack_object *contact;
	int ch, rc;

	pack_map_open(req);
	pack_kv_int(req, "v", WIRE_VERSION);
	pack_kv_str(req, "op", WIRE_OP_ONCALL);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			pack_kv_str(req, "at", optarg);
			break;
		default:
			pack_destroy(&req);
			return cli_usage("usage: trygg oncall [--at RFC3339]");
		}
	}
	if (optind != argc) {
		pack_destroy(&req);
		return cli_usage("oncall: unexpected argument '%s'", argv[optind]);
	}
	pack_map_close(req);
	rc = cli_call(cli, cli->cfg->endpoints.escalation, req, &reply);
	pack_destroy(&req);
	if (rc != 0)
		return rc;
	if (cli->json) {
		cli_print_json(&reply.data);
	} else {
		contact = cli_get(&reply.data, "contact");
		printf("%s: %s (%s) — %s\n",
		    cli_text_str(cli_get(&reply.data, "target")),
		    cli_text_str(cli_get(contact, "name")), cli_text_str(cli_get(contact, "id")),
		    cli_text_str(cli_get(&reply.data, "reason")));
	}
	msgpack_unpacked_destroy(&reply);
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
cal_print_duty(const cfg_t *cfg, const tz_t *tz, const rota_duty_t *d)
{
	char from[TZ_FORMAT_MAX], to[TZ_FORMAT_MAX];

	tz_format(tz, d->start, from);
	tz_format(tz, d->end, to);
	printf("%s – %s  %s (%s)", from, to, d->contact,
	    cal_contact_name(cfg, d->contact));
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
		return cli_usage("rota: --from takes a date YYYY-MM-DD");
	if ((tz = tz_open(cfg->timezone, err, sizeof(err))) == NULL) {
		fprintf(stderr, "trygg: %s: %s\n", cli->cfg_path, err);
		return EXIT_CONFIG;
	}
	if (from_arg == NULL) {
		tz_local_t now;

		tz_local(tz, ts_now(), &now);
		from_day = now.civil_day;
	}

	duties = calloc(ROTA_LIST_MAX, sizeof(*duties));
	n = duties ? rota_list(&cfg->rota, tz, tz_utc(tz, from_day, 0),
	    tz_utc(tz, from_day + 7 * (int32_t)weeks, 0), duties, ROTA_LIST_MAX) : -1;
	if (n < 0) {
		fprintf(stderr, "trygg: %s: the TiB rota names nobody\n", cli->cfg_path);
		free(duties);
		tz_destroy(&tz);
		return EXIT_CONFIG;
	}
	if (n > ROTA_LIST_MAX)
		n = ROTA_LIST_MAX;
	if (cli->json) {
		pack_t *p = pack_new();

		pack_array_open(p);
		for (int i = 0; i < n; i++) {
			pack_map_open(p);
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
		cal_print_packed(p);
		pack_destroy(&p);
	} else {
		for (int i = 0; i < n; i++)
			cal_print_duty(cfg, tz, &duties[i]);
	}
	free(duties);
	tz_destroy(&tz);
	return 0;
}
