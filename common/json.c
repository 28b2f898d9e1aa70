/*
 * json.c: writes msgpack objects as JSON (see json.h for the mapping).
 */
#include "json.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_value(const msgpack_object *o, buf_t *out, bool pretty, int depth);

/* Appends s[0..len) as a JSON string, replacing malformed UTF-8 by U+FFFD. */
static void
json_string(const char *s, size_t len, buf_t *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	buf_putc(out, '"');
	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[6];
		size_t n;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			i++;
			run++;
			continue;
		}
		buf_append(out, p + i - run, run);
		run = 0;
		if (c >= 0x80) {
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (n <= len - i && utf8_valid((const char *)p + i, n)) {
				uint32_t cp;

				/* C1 and bidi controls, U+2028/9: escaped, not raw */
				if (utf8_check_text((const char *)p + i, n, true, NULL) !=
				    UTF8_TEXT_OK && utf8_decode((const char *)p + i, n, &cp) == n) {
					buf_printf(out, "\\u%04x", (unsigned)cp);
				} else {
					buf_append(out, p + i, n);
				}
				i += n;
			} else {
				buf_puts(out, "\xef\xbf\xbd");
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 0xf];
			buf_append(out, u, 6);
			break;
		}
		if (esc)
			buf_puts(out, esc);
		i++;
	}
	if (run)        /* msgpack-c leaves ptr NULL for an empty string */
		buf_append(out, p + i - run, run);
	buf_putc(out, '"');
}

static void
json_base64(const char *s, size_t len, buf_t *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	char q[4];

	buf_putc(out, '"');
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		buf_append(out, q, 4);
	}
	buf_putc(out, '"');
}

/* the shortest %.Ng that reads back as d (as a float when single) */
static void
json_double(double d, bool single, buf_t *out)
{
	char s[40];
	int lo = single ? 6 : 15, hi = single ? 9 : 17;

	if (!isfinite(d)) {
		buf_puts(out, "null");
		return;
	}
	for (int prec = lo; prec <= hi; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		for (char *c = s; *c; c++)      /* a locale's decimal comma */
			if (*c == ',')
				*c = '.';
		if (single ? (float)strtod(s, NULL) == (float)d : strtod(s, NULL) == d)
			break;
	}
	buf_puts(out, s);
	if (strpbrk(s, ".e") == NULL)
		buf_puts(out, ".0");
}

static void
json_indent(buf_t *out, int depth)
{
	buf_putc(out, '\n');
	for (int i = 0; i < depth; i++)
		buf_append(out, "  ", 2);
}

static void
json_key(const msgpack_object *k, buf_t *out)
{
	buf_t tmp = BUF_INIT;

	if (k->type == MSGPACK_OBJECT_STR) {
		json_string(k->via.str.ptr, k->via.str.size, out);
		return;
	}
	json_value(k, &tmp, false, 0);
	if (k->type == MSGPACK_OBJECT_BIN)
		buf_append(out, tmp.data, tmp.len);     /* already a string */
	else
		json_string(tmp.data, tmp.len, out);
	buf_free(&tmp);
}

static void
json_value(const msgpack_object *o, buf_t *out, bool pretty, int depth)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		buf_puts(out, "null");
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		buf_puts(out, o->via.boolean ? "true" : "false");
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		buf_printf(out, "%llu", (unsigned long long)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		buf_printf(out, "%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		json_double(o->via.f64, o->type == MSGPACK_OBJECT_FLOAT32, out);
		break;
	case MSGPACK_OBJECT_STR:
		json_string(o->via.str.ptr, o->via.str.size, out);
		break;
	case MSGPACK_OBJECT_BIN:
		json_base64(o->via.bin.ptr, o->via.bin.size, out);
		break;
	case MSGPACK_OBJECT_EXT:
		buf_printf(out, pretty ? "{\"ext\": %d, \"data\": " :
		    "{\"ext\":%d,\"data\":", o->via.ext.type);
		json_base64(o->via.ext.ptr, o->via.ext.size, out);
		buf_putc(out, '}');
		break;
	case MSGPACK_OBJECT_ARRAY:
		buf_putc(out, '[');
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i > 0)
				buf_putc(out, ',');
			if (pretty)
				json_indent(out, depth + 1);
			json_value(&o->via.array.ptr[i], out, pretty, depth + 1);
		}
		if (pretty && o->via.array.size > 0)
			json_indent(out, depth);
		buf_putc(out, ']');
		break;
	case MSGPACK_OBJECT_MAP:
		buf_putc(out, '{');
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			if (i > 0)
				buf_putc(out, ',');
			if (pretty)
				json_indent(out, depth + 1);
			json_key(&o->via.map.ptr[i].key, out);
			buf_puts(out, pretty ? ": " : ":");
			json_value(&o->via.map.ptr[i].val, out, pretty, depth + 1);
		}
		if (pretty && o->via.map.size > 0)
			json_indent(out, depth);
		buf_putc(out, '}');
		break;
	default:
		buf_puts(out, "null");
		break;
	}
}

void
json_from_msgpack(const msgpack_object *o, buf_t *out, bool pretty)
{
	buf_append(out, "", 0);
	json_value(o, out, pretty, 0);
}
