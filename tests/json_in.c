/*
 * json_in.c: reading the CLI's --json output back, for scenario tests: a
 * small strict JSON parser into msgpack, so that the harness's h_get,
 * h_str, ... read it like a reply.
 */
#include "json_in.h"

#include "buf.h"
#include "mem.h"
#include "pack.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *p;
	pack_t     *pk;
	int         depth;
} json_in_t;

static void
json_ws(json_in_t *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static void
json_utf8(buf_t *b, unsigned long c)
{
	if (c < 0x80) {
		buf_putc(b, (char)c);
	} else if (c < 0x800) {
		buf_putc(b, (char)(0xc0 | (c >> 6)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_putc(b, (char)(0xe0 | (c >> 12)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (c >> 18)));
		buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

static int
json_hex4(const char *p, unsigned long *c)
{
	char hex[5];
	char *end;

	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)p[i]))
			return -1;
	memcpy(hex, p, 4);
	hex[4] = '\0';
	*c = strtoul(hex, &end, 16);
	return 0;
}

/* Reads a JSON string into b (without quotes, escapes decoded). */
static int
json_string(json_in_t *j, buf_t *b)
{
	if (*j->p != '"')
		return -1;
	j->p++;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c == '\0' || c < 0x20)
			return -1;
		if (c != '\\') {
			buf_putc(b, (char)c);
			j->p++;
			continue;
		}
		j->p++;
		switch (*j->p) {
		case '"': buf_putc(b, '"'); break;
		case '\\': buf_putc(b, '\\'); break;
		case '/': buf_putc(b, '/'); break;
		case 'b': buf_putc(b, '\b'); break;
		case 'f': buf_putc(b, '\f'); break;
		case 'n': buf_putc(b, '\n'); break;
		case 'r': buf_putc(b, '\r'); break;
		case 't': buf_putc(b, '\t'); break;
		case 'u': {
			unsigned long cp, lo;

			if (json_hex4(j->p + 1, &cp) < 0)
				return -1;
			j->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->p[1] != '\\' || j->p[2] != 'u' ||
				    json_hex4(j->p + 3, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				j->p += 6;
			}
			json_utf8(b, cp);
			break;
		}
		default:
			return -1;
		}
		j->p++;
	}
	j->p++;
	return 0;
}

static int
json_value(json_in_t *j)
{
	buf_t s = BUF_INIT;

	json_ws(j);
	if (++j->depth > 64)
		return -1;
	if (*j->p == '{' || *j->p == '[') {
		bool map = *j->p == '{';

		j->p++;
		if (map)
			pack_map_open(j->pk);
		else
			pack_array_open(j->pk);
		json_ws(j);
		if (*j->p == (map ? '}' : ']')) {
			j->p++;
		} else {
			for (;;) {
				json_ws(j);
				if (map) {
					buf_reset(&s);
					if (json_string(j, &s) < 0)
						goto fail;
					pack_strn(j->pk, buf_str(&s), s.len);
					json_ws(j);
					if (*j->p++ != ':')
						goto fail;
				}
				if (json_value(j) < 0)
					goto fail;
				json_ws(j);
				if (*j->p == ',') {
					j->p++;
					continue;
				}
				if (*j->p++ != (map ? '}' : ']'))
					goto fail;
				break;
			}
		}
		if (map)
			pack_map_close(j->pk);
		else
			pack_array_close(j->pk);
	} else if (*j->p == '"') {
		if (json_string(j, &s) < 0)
			goto fail;
		pack_strn(j->pk, buf_str(&s), s.len);
	} else if (strncmp(j->p, "true", 4) == 0) {
		pack_bool(j->pk, true);
		j->p += 4;
	} else if (strncmp(j->p, "false", 5) == 0) {
		pack_bool(j->pk, false);
		j->p += 5;
	} else if (strncmp(j->p, "null", 4) == 0) {
		pack_nil(j->pk);
		j->p += 4;
	} else if (*j->p == '-' || isdigit((unsigned char)*j->p)) {
		/* the replies hold whole numbers only */
		char *end;
		long long v = strtoll(j->p, &end, 10);

		if (end == j->p || *end == '.' || *end == 'e' || *end == 'E')
			goto fail;
		pack_int(j->pk, v);
		j->p = end;
	} else {
		goto fail;
	}
	buf_free(&s);
	j->depth--;
	return 0;
fail:
	buf_free(&s);
	return -1;
}

static msgpack_unpacked json_doc;
static bool json_has_doc;
static char *json_bytes;        /* what json_doc points into */

/*
 * Parses text as exactly one JSON value; returns it as a msgpack object
 * valid until the next call, or NULL when text is not JSON.
 */
const msgpack_object *
json_parse(const char *text)
{
	json_in_t j = {.p = text, .pk = pack_new(), .depth = 0};
	const msgpack_object *res = NULL;
	const void *data;
	size_t len, off = 0;

	if (json_has_doc)
		msgpack_unpacked_destroy(&json_doc);
	json_has_doc = false;
	free(json_bytes);
	json_bytes = NULL;
	if (json_value(&j) == 0) {
		json_ws(&j);
		if (*j.p == '\0') {
			data = pack_data(j.pk, &len);
			json_bytes = xmalloc(len + 1);
			memcpy(json_bytes, data, len);
			msgpack_unpacked_init(&json_doc);
			json_has_doc = true;
			if (msgpack_unpack_next(&json_doc, json_bytes, len, &off) ==
			    MSGPACK_UNPACK_SUCCESS)
				res = &json_doc.data;
		}
	}
	pack_destroy(&j.pk);
	return res;
}

void
json_free(void)
{
	if (json_has_doc)
		msgpack_unpacked_destroy(&json_doc);
	json_has_doc = false;
	free(json_bytes);
	json_bytes = NULL;
}

uint32_t
arr_len(const msgpack_object *o)
{
	return o && o->type == MSGPACK_OBJECT_ARRAY ? o->via.array.size : 0;
}

const msgpack_object *
arr_at(const msgpack_object *o, uint32_t i)
{
	return i < arr_len(o) ? &o->via.array.ptr[i] : NULL;
}
