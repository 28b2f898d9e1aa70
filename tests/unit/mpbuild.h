/*
 * mpbuild.h: msgpack frames for unit tests, written in a JSON-like text so
 * that test tables read as the requests they stand for.
 *
 *	{"v": 1, "op": "submit", "severity": 9, 1: nil}
 *
 * Values: maps with any keys, arrays, strings ("...", with \" \\ \n \t and
 * \xNN escapes, which may form invalid UTF-8), b"..." for binary, integers
 * (up to 18446744073709551615), numbers with '.' or 'e' as float64, true,
 * false, nil; S<n> is a string of n 'a's and U<n> a string of n 'ä's.
 * Header-only: the test programs link nothing but test.c and libtrygg.
 */
#ifndef TRYGG_TEST_MPBUILD_H
#define TRYGG_TEST_MPBUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

static inline void
mpb_skip(const char **s)
{
	while (**s == ' ' || **s == '\n' || **s == '\t')
		(*s)++;
}

/* Reads a quoted string body after the opening quote into a static buffer. */
static inline size_t
mpb_string(const char **s, char *out, size_t cap)
{
	size_t n = 0;

	while (**s && **s != '"' && n < cap) {
		char c = *(*s)++;

		if (c == '\\') {
			c = *(*s)++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'x') {
				char hex[3] = {(*s)[0], (*s)[1], 0};

				c = (char)strtol(hex, NULL, 16);
				*s += 2;
			}
		}
		out[n++] = c;
	}
	if (**s == '"')
		(*s)++;
	return n;
}

/* Packs one value from *s; returns 0 or -1 on a syntax error. */
static inline int
mpb_value(const char **s, msgpack_packer *pk)
{
	static char tmp[200000];
	msgpack_sbuffer body;
	msgpack_packer bpk;
	size_t n = 0;
	char close;
	int rc = 0;

	mpb_skip(s);
	switch (**s) {
	case '{':
	case '[':
		/* pack the members into their own buffer, counting them */
		close = **s == '{' ? '}' : ']';
		(*s)++;
		msgpack_sbuffer_init(&body);
		msgpack_packer_init(&bpk, &body, msgpack_sbuffer_write);
		mpb_skip(s);
		while (**s && **s != close) {
			if (mpb_value(s, &bpk) < 0)
				rc = -1;
			mpb_skip(s);
			if (close == '}') {
				if (**s != ':')
					rc = -1;
				else
					(*s)++;
				if (mpb_value(s, &bpk) < 0)
					rc = -1;
				mpb_skip(s);
			}
			n++;
			if (**s == ',')
				(*s)++;
			else if (**s != close)
				rc = -1;
			if (rc < 0)
				break;
			mpb_skip(s);
		}
		if (**s == close)
			(*s)++;
		else
			rc = -1;
		if (close == '}')
			msgpack_pack_map(pk, n);
		else
			msgpack_pack_array(pk, n);
		msgpack_sbuffer_write(pk->data, body.data, body.size);
		msgpack_sbuffer_destroy(&body);
		return rc;
	case '"':
		(*s)++;
		n = mpb_string(s, tmp, sizeof(tmp));
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, tmp, n);
		return 0;
	case 'b':
		*s += 2;
		n = mpb_string(s, tmp, sizeof(tmp));
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, tmp, n);
		return 0;
	case 'S':
	case 'U': {
		bool wide = **s == 'U';
		unsigned long count = strtoul(*s + 1, (char **)s, 10);

		n = 0;
		for (unsigned long i = 0; i < count && n + 2 < sizeof(tmp); i++) {
			if (wide) {
				tmp[n++] = (char)0xc3;
				tmp[n++] = (char)0xa4;
			} else {
				tmp[n++] = 'a';
			}
		}
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, tmp, n);
		return 0;
	}
	default:
		break;
	}
	if (strncmp(*s, "true", 4) == 0) {
		*s += 4;
		return msgpack_pack_true(pk);
	}
	if (strncmp(*s, "false", 5) == 0) {
		*s += 5;
		return msgpack_pack_false(pk);
	}
	if (strncmp(*s, "nil", 3) == 0) {
		*s += 3;
		return msgpack_pack_nil(pk);
	}
	if (**s == '-' || (**s >= '0' && **s <= '9')) {
		const char *e = *s + (**s == '-');

		while (*e >= '0' && *e <= '9')
			e++;
		if (*e == '.' || *e == 'e') {
			double d = strtod(*s, (char **)s);

			return msgpack_pack_double(pk, d);
		}
		if (**s == '-')
			msgpack_pack_int64(pk, strtoll(*s, (char **)s, 10));
		else
			msgpack_pack_uint64(pk, strtoull(*s, (char **)s, 10));
		return 0;
	}
	return -1;
}

/* Builds the frame for text into sb (initialised by the caller); 0 or -1. */
static inline int
mpb_build(const char *text, msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	const char *s = text;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (mpb_value(&s, &pk) < 0)
		return -1;
	mpb_skip(&s);
	return *s == '\0' ? 0 : -1;
}

#endif
