/*
 * cli_text.c: text from a daemon as a terminal may show it.
 *
 * What trygg prints comes from other people (a summary, a note, a name in
 * a reply), and a terminal obeys the control characters it is sent: ESC and
 * CSI sequences can clear the screen, retitle the window, fake earlier
 * output or, on some terminals, answer with keystrokes; bidi overrides make
 * text read in another order than it is stored. The daemons refuse such
 * characters in what they store, but the CLI does not rely on that (data
 * stored before, other daemons, a hostile endpoint): every string from a
 * reply is printed through here, with such characters written as escapes
 * ("\x1b", "\u202e") and bytes that are not UTF-8 as "\xff". JSON output
 * (--json) escapes the same characters itself (json.c).
 */
#include "cli.h"
#include "ts.h"
#include "tz.h"
#include "utf8.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

#define CLI_TEXT_RING 8         /* cli_text_str() results alive at once */

void
cli_text_escape(buf_t *out, const char *s, size_t len, const char *indent)
{
	size_t i = 0;

	buf_append(out, "", 0);
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0) {
			buf_printf(out, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (cp == '\n' && indent != NULL) {
			buf_putc(out, '\n');
			buf_puts(out, indent);
		} else if (cp == '\n' || (cp < 0x20 && cp != '\t') || cp == 0x7f) {
			buf_printf(out, "\\x%02x", (unsigned)cp);
		} else if (utf8_check_text(s + i, n, true, NULL) != UTF8_TEXT_OK) {
			buf_printf(out, "\\u%04x", (unsigned)cp);     /* C1, bidi, U+2028 */
		} else {
			buf_append(out, s + i, n);
		}
		i += n;
	}
}

/* The next buffer of the ring, emptied. */
static buf_t *
cli_text_slot(void)
{
	static buf_t ring[CLI_TEXT_RING];
	static unsigned next;
	buf_t *b = &ring[next++ % CLI_TEXT_RING];

	buf_reset(b);
	return b;
}

const char *
cli_text_lines(const msgpack_object *o, const char *indent)
{
	buf_t *b;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return "-";
	b = cli_text_slot();
	cli_text_escape(b, o->via.str.ptr, o->via.str.size, indent);
	return buf_str(b);
}

const char *
cli_text_str(const msgpack_object *o)
{
	return cli_text_lines(o, NULL);
}

pack_t *
cli_op_new(const char *op)
{
	pack_t *p = pack_new();

	pack_map_open(p);
	pack_kv_int(p, "v", WIRE_VERSION);
	pack_kv_str(p, "op", op);
	return p;
}

long long
cli_int(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = cli_get(map, key);

	if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (long long)o->via.u64;
	if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return (long long)o->via.i64;
	return -1;
}

bool
cli_bool(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = cli_get(map, key);

	return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

bool
cli_is(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0;
}

/* Writes text from the data so that it is safe to paste (cli_text_str). */
void
cli_put(FILE *f, const msgpack_object *o)
{
	fputs(cli_text_str(o), f);
}

/* the width in characters of what cli_put writes */
size_t
cli_put_width(const msgpack_object *o)
{
	const char *s = cli_text_str(o);

	return utf8_count(s, strlen(s));
}

static tz_t *
cli_tz(cli_t *cli)
{
	char err[256];

	if (cli->tz == NULL && cli->cfg != NULL)
		cli->tz = tz_open(cli->cfg->timezone, err, sizeof(err));
	return cli->tz;
}

const char *
cli_local_time(cli_t *cli, const msgpack_object *o, char out[CLI_TIME_MAX])
{
	tz_t *tz = cli_tz(cli);
	int64_t ms;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
		snprintf(out, CLI_TIME_MAX, "-");
		return out;
	}
	if (tz == NULL || ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, &ms) < 0) {
		/* not a time: the text as any other from a reply, escaped */
		snprintf(out, CLI_TIME_MAX, "%s", cli_text_str(o));
		return out;
	}
	tz_format(tz, ms, out);
	return out;
}

/*
 * A local time shown short beside another: "HH:MM ABBR" when it falls on
 * the same local day as ref (an RFC 3339 value or NULL for now), else the
 * whole "YYYY-MM-DD HH:MM ABBR".
 */
const char *
cli_short_time(cli_t *cli, const msgpack_object *o, const msgpack_object *ref,
    char out[CLI_TIME_MAX])
{
	tz_t *tz = cli_tz(cli);
	tz_local_t a, b;
	int64_t ms, rms = ts_now();

	cli_local_time(cli, o, out);
	if (tz == NULL || o == NULL || o->type != MSGPACK_OBJECT_STR ||
	    ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, &ms) < 0)
		return out;
	if (ref && ref->type == MSGPACK_OBJECT_STR &&
	    ts_parse_rfc3339(ref->via.str.ptr, ref->via.str.size, &rms) < 0)
		rms = ts_now();
	tz_local(tz, ms, &a);
	tz_local(tz, rms, &b);
	if (a.civil_day == b.civil_day && strlen(out) > 11)
		memmove(out, out + 11, strlen(out + 11) + 1);
	return out;
}

/* Prints what p holds (one msgpack object) as JSON. */
void
cli_print_packed(pack_t *p)
{
	msgpack_unpacked u;
	size_t len, off = 0;
	const char *data = pack_data(p, &len);

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS)
		cli_print_json(&u.data);
	msgpack_unpacked_destroy(&u);
}

/* a contact as "Name (id)", or the id when the name is the id */
void
cli_put_contact(const msgpack_object *contact)
{
	const msgpack_object *id = cli_get(contact, "id"), *name = cli_get(contact, "name");

	if (name && id && name->type == MSGPACK_OBJECT_STR && id->type == MSGPACK_OBJECT_STR &&
	    !(name->via.str.size == id->via.str.size &&
	    memcmp(name->via.str.ptr, id->via.str.ptr, id->via.str.size) == 0)) {
		cli_put(stdout, name);
		fputs(" (", stdout);
		cli_put(stdout, id);
		putchar(')');
	} else {
		cli_put(stdout, id);
	}
}

/* a contact id as "Name (id)" from the configuration */
void
cli_put_contact_id(cli_t *cli, const msgpack_object *id)
{
	const cfg_contact_t *c = id && id->type == MSGPACK_OBJECT_STR ?
	    cfg_contact(cli->cfg, id->via.str.ptr, id->via.str.size) : NULL;

	if (c && strcmp(c->name, c->id) != 0)
		printf("%s (", c->name);
	cli_put(stdout, id);
	if (c && strcmp(c->name, c->id) != 0)
		putchar(')');
}

int
cli_parse_time(cli_t *cli, const char *s, bool day_end, int64_t *ms)
{
	size_t len = strlen(s);
	tz_t *tz = cli_tz(cli);
	int32_t day;
	int minute, sec = 0;

	if (ts_parse_rfc3339(s, len, ms) == 0)
		return 0;
	if (tz == NULL || len < 10 || ts_parse_date(s, 10, &day) < 0)
		return -1;
	if (len == 10) {
		*ms = tz_utc(tz, day + (day_end ? 1 : 0), 0);
		return 0;
	}
	if ((s[10] != ' ' && s[10] != 'T') || (len != 16 && len != 19) ||
	    ts_parse_hhmm(s + 11, 5, &minute) < 0)
		return -1;
	if (len == 19) {
		if (s[16] != ':' || s[17] < '0' || s[17] > '5' || s[18] < '0' || s[18] > '9')
			return -1;
		sec = (s[17] - '0') * 10 + (s[18] - '0');
	}
	*ms = tz_utc(tz, day, minute) + sec * 1000;
	return 0;
}

int
cli_time_option(cli_t *cli, const char *option, const char *s, bool day_end,
    char out[TS_RFC3339_MAX])
{
	int64_t ms;

	if (cli_parse_time(cli, s, day_end, &ms) < 0)
		return cli_usage("%s takes a time: \"2026-12-02 10:00\", \"2026-12-02T10:00\", "
		    "a date alone or RFC 3339 (local time, %s), not '%s'", option,
		    cli->cfg && cli->cfg->timezone ? cli->cfg->timezone : "the configured zone", s);
	ts_format_rfc3339(ms, out);
	return 0;
}
