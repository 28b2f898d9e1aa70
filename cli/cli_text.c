/*
 * cli_text.c: what the commands print for people, from the daemons' data:
 * text made safe to paste, its width in characters, times in the
 * configured zone, contacts by name; and the small helpers that read a
 * reply map.
 */
#include "cli.h"
#include "ts.h"
#include "tz.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

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
cli_is(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0;
}

/*
 * Writes text from the data so that it is safe to paste: control
 * characters (C0, DEL, C1) become \xNN; the rest as it is.
 */
void
cli_put(FILE *f, const msgpack_object *o)
{
	const unsigned char *s;
	size_t len;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR) {
		fputc('-', f);
		return;
	}
	s = (const unsigned char *)o->via.str.ptr;
	len = o->via.str.size;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\x%02x", s[i]);
		else if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] < 0xa0)
			fprintf(f, "\\x%02x", s[++i]);
		else
			fputc(s[i], f);
	}
}

/* the width in characters of what cli_put writes */
size_t
cli_put_width(const msgpack_object *o)
{
	size_t w = 0;

	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		return 1;
	for (size_t i = 0; i < o->via.str.size; i++) {
		unsigned char c = (unsigned char)o->via.str.ptr[i];

		if (c < 0x20 || c == 0x7f)
			w += 4;
		else if (c == 0xc2 && i + 1 < o->via.str.size &&
		    (unsigned char)o->via.str.ptr[i + 1] >= 0x80 &&
		    (unsigned char)o->via.str.ptr[i + 1] < 0xa0) {
			w += 4;
			i++;
		} else if ((c & 0xc0) != 0x80)
			w++;
	}
	return w;
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
		snprintf(out, CLI_TIME_MAX, "%.*s",
		    o->via.str.size < TZ_FORMAT_MAX + 39 ? (int)o->via.str.size : TZ_FORMAT_MAX + 39,
		    o->via.str.ptr);
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
