/*
 * msg.c: decoding and strict validation of request frames.
 *
 * A frame is first walked byte by byte (msg_scan) without allocating: that
 * proves it is exactly one well-formed msgpack object, bounds its nesting and
 * checks that no container announces more elements than there are bytes
 * left. Only then does msgpack-c unpack it, so a hostile 64 KiB frame can
 * never make the unpacker reserve more than about 1.5 MiB. Strings in
 * the unpacked tree point into the caller's frame, which must outlive the
 * msg_t.
 *
 * Conventions of the field table (msg.h):
 *   - nil is the same as absent: an optional field may be sent as nil, a
 *     required one may not;
 *   - a max of 0 means "no upper bound" for lengths (MF_STR, MF_ID,
 *     MF_STR_OR_INT), counts (MF_STRS) and item_max; an MF_INT with min and
 *     max both 0 accepts any 64-bit integer;
 *   - MF_ID and MF_STR_OR_INT strings are at least one character long
 *     whatever min says; MF_STR honours min.
 */
#include "msg.h"
#include "mem.h"
#include "pnr.h"
#include "ts.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX_DEPTH   16      /* nested non-empty containers in a frame */
#define MSG_SMALL_MAP   16      /* up to this many keys: pairwise duplicate check */
#define MSG_NAME_CLIP   48      /* bytes of a client's key quoted in a message */
#define MSG_OP_MAX      64      /* bytes of "op" */

/*
 * The first chunk of a message's zone: a submit's objects fit in it, and
 * a larger request's extra chunks are freed when the message is parsed
 * into again (msgpack_zone_clear keeps only the first).
 */
#define MSG_ZONE_CHUNK  2048

struct msg {
	msgpack_zone            zone;
	msgpack_object          root;
	const msgpack_object_map *map;
	const principal_t      *who;     /* PRINCIPAL_LOCAL until msg_set_principal */
};

const principal_t PRINCIPAL_LOCAL = {"local", ROLE_ADMIN, NULL, NULL};

/*
 * Walks one msgpack object in p[0..len) without building it. Returns 0, or
 * -1 with *why set to a reason fit for the client.
 */
static int
msg_scan(const unsigned char *p, size_t len, const char **why)
{
	uint64_t left[MSG_MAX_DEPTH + 1];
	size_t off = 0;
	int depth = 0;

	left[0] = 1;
	for (;;) {
		uint64_t n = 0, objs = 0;
		size_t lenbytes = 0, extra = 0;
		unsigned char b;

		while (depth >= 0 && left[depth] == 0)
			depth--;
		if (depth < 0)
			break;
		left[depth]--;
		if (off >= len)
			goto truncated;
		b = p[off++];
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
			n = 0;
		} else if (b <= 0x8f) {
			objs = 2 * (uint64_t)(b & 0x0f);
		} else if (b <= 0x9f) {
			objs = b & 0x0f;
		} else if (b <= 0xbf) {
			n = b & 0x1f;
		} else {
			switch (b) {
			case 0xc4: case 0xd9: lenbytes = 1; break;
			case 0xc5: case 0xda: lenbytes = 2; break;
			case 0xc6: case 0xdb: lenbytes = 4; break;
			case 0xc7: lenbytes = 1; extra = 1; break;
			case 0xc8: lenbytes = 2; extra = 1; break;
			case 0xc9: lenbytes = 4; extra = 1; break;
			case 0xca: n = 4; break;
			case 0xcb: n = 8; break;
			case 0xcc: case 0xd0: n = 1; break;
			case 0xcd: case 0xd1: n = 2; break;
			case 0xce: case 0xd2: n = 4; break;
			case 0xcf: case 0xd3: n = 8; break;
			case 0xd4: n = 2; break;
			case 0xd5: n = 3; break;
			case 0xd6: n = 5; break;
			case 0xd7: n = 9; break;
			case 0xd8: n = 17; break;
			case 0xdc: case 0xde: lenbytes = 2; break;
			case 0xdd: case 0xdf: lenbytes = 4; break;
			default:                /* 0xc1, never used */
				*why = "request is not valid msgpack";
				return -1;
			}
			if (lenbytes) {
				uint64_t count = 0;

				if (len - off < lenbytes)
					goto truncated;
				for (size_t i = 0; i < lenbytes; i++)
					count = count << 8 | p[off + i];
				off += lenbytes;
				if (b == 0xdc || b == 0xdd)
					objs = count;
				else if (b == 0xde || b == 0xdf)
					objs = 2 * count;
				else
					n = count + extra;
			}
		}
		if (n > len - off)
			goto truncated;
		off += (size_t)n;
		if (objs > 0) {
			/* every element takes at least one byte */
			if (objs > len - off)
				goto truncated;
			if (depth + 1 > MSG_MAX_DEPTH) {
				*why = "request nests maps and arrays too deeply";
				return -1;
			}
			left[++depth] = objs;
		}
	}
	if (off != len) {
		*why = "request has bytes after its msgpack map";
		return -1;
	}
	return 0;
truncated:
	*why = "request is not valid msgpack";
	return -1;
}

/* the byte length of s[0..len) cut to at most max bytes on a UTF-8 boundary */
static int
msg_clip(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return (int)len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return (int)len;
}

/*
 * A client's key as an error may name it (docs/protocol.md asks for the field):
 * cut short, identity numbers masked, and characters that text may not
 * hold replaced by '?', for a key is client text too.
 */
static void
msg_key_name(const char *s, size_t len, buf_t *out)
{
	buf_t masked = BUF_INIT;
	size_t i = 0;

	pnr_mask(s, (size_t)msg_clip(s, len, MSG_NAME_CLIP), &masked);
	buf_append(out, "", 0);
	while (i < masked.len) {
		uint32_t cp;
		size_t n = utf8_decode(masked.data + i, masked.len - i, &cp);

		if (n == 0)
			n = 1;
		if (utf8_check_text(masked.data + i, n, true, NULL) != UTF8_TEXT_OK)
			buf_putc(out, '?');
		else
			buf_append(out, masked.data + i, n);
		i += n;
	}
	buf_free(&masked);
}

static bool
msg_key_eq(const msgpack_object *k, const char *name, size_t len)
{
	/* msgpack-c leaves ptr NULL for an empty string: no memcmp then */
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == len &&
	    (len == 0 || memcmp(k->via.str.ptr, name, len) == 0);
}

static int
msg_str_cmp(const void *a, const void *b)
{
	const msgpack_object_str *x = &(*(const msgpack_object_kv *const *)a)->key.via.str;
	const msgpack_object_str *y = &(*(const msgpack_object_kv *const *)b)->key.via.str;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->size ? memcmp(x->ptr, y->ptr, x->size) : 0;
}

/* the first key of map that appears twice, or NULL */
static const msgpack_object_str *
msg_duplicate(const msgpack_object_map *map)
{
	const msgpack_object_kv **idx;
	const msgpack_object_str *dup = NULL;

	if (map->size <= MSG_SMALL_MAP) {
		for (uint32_t i = 1; i < map->size; i++) {
			const msgpack_object_str *k = &map->ptr[i].key.via.str;

			for (uint32_t j = 0; j < i; j++)
				if (msg_key_eq(&map->ptr[j].key, k->ptr, k->size))
					return k;
		}
		return NULL;
	}
	/* a frame may hold thousands of keys: sort rather than compare pairs */
	idx = xmalloc(map->size * sizeof(*idx));
	for (uint32_t i = 0; i < map->size; i++)
		idx[i] = &map->ptr[i];
	qsort(idx, map->size, sizeof(*idx), msg_str_cmp);
	for (uint32_t i = 1; i < map->size && dup == NULL; i++)
		if (msg_str_cmp(&idx[i - 1], &idx[i]) == 0)
			dup = &idx[i]->key.via.str;
	free(idx);
	return dup;
}

static bool
msg_is_int(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
}

static const char *
msg_type_name(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		return "nil";
	case MSGPACK_OBJECT_BOOLEAN:
		return "a boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return "an integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return "a float";
	case MSGPACK_OBJECT_STR:
		return "a string";
	case MSGPACK_OBJECT_ARRAY:
		return "an array";
	case MSGPACK_OBJECT_MAP:
		return "a map";
	case MSGPACK_OBJECT_BIN:
		return "binary data";
	default:
		return "an extension value";
	}
}

msg_t *
msg_new(void)
{
	msg_t *m = xcalloc(1, sizeof(*m));

	if (!msgpack_zone_init(&m->zone, MSG_ZONE_CHUNK))
		abort();       /* as xcalloc does: mem.h */
	m->who = &PRINCIPAL_LOCAL;
	return m;
}

int
msg_parse_into(msg_t *m, const void *data, size_t len, wire_err_t *err)
{
	const msgpack_object *root;
	const msgpack_object_str *dup;
	const char *why;
	size_t off = 0;

	msgpack_zone_clear(&m->zone);
	m->map = NULL;
	m->who = &PRINCIPAL_LOCAL;
	if (len > WIRE_MAX_FRAME) {
		wire_err_set(err, WERR_TOO_LARGE, NULL,
		    "request is %zu bytes; the limit is %d", len, WIRE_MAX_FRAME);
		return -1;
	}
	if (len == 0 || data == NULL) {
		wire_err_set(err, WERR_BAD_REQUEST, NULL, "request is empty");
		return -1;
	}
	if (msg_scan(data, len, &why) < 0) {
		wire_err_set(err, WERR_BAD_REQUEST, NULL, "%s", why);
		return -1;
	}
	if (msgpack_unpack(data, len, &off, &m->zone, &m->root) != MSGPACK_UNPACK_SUCCESS ||
	    off != len) {
		wire_err_set(err, WERR_BAD_REQUEST, NULL, "request is not valid msgpack");
		return -1;
	}
	root = &m->root;
	if (root->type != MSGPACK_OBJECT_MAP) {
		wire_err_set(err, WERR_BAD_REQUEST, NULL,
		    "request must be a msgpack map, not %s", msg_type_name(root));
		return -1;
	}
	for (uint32_t i = 0; i < root->via.map.size; i++) {
		const msgpack_object *k = &root->via.map.ptr[i].key;

		if (k->type != MSGPACK_OBJECT_STR) {
			wire_err_set(err, WERR_BAD_REQUEST, NULL,
			    "request keys must be strings; key %u is %s",
			    i + 1, msg_type_name(k));
			return -1;
		}
		if (!utf8_valid(k->via.str.ptr, k->via.str.size)) {
			wire_err_set(err, WERR_BAD_REQUEST, NULL,
			    "request key %u is not valid UTF-8", i + 1);
			return -1;
		}
	}
	if ((dup = msg_duplicate(&root->via.map)) != NULL) {
		buf_t name = BUF_INIT;

		msg_key_name(dup->ptr, dup->size, &name);
		wire_err_set(err, WERR_BAD_REQUEST, NULL,
		    "key '%s' appears more than once", buf_str(&name));
		buf_free(&name);
		return -1;
	}
	m->map = &root->via.map;
	return 0;
}

msg_t *
msg_parse(const void *data, size_t len, wire_err_t *err)
{
	msg_t *m = msg_new();

	if (msg_parse_into(m, data, len, err) < 0)
		msg_destroy(&m);
	return m;
}

void
msg_destroy(msg_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	msgpack_zone_destroy(&(*self_p)->zone);
	free(*self_p);
	*self_p = NULL;
}

void
msg_set_principal(msg_t *m, const principal_t *who)
{
	m->who = who != NULL ? who : &PRINCIPAL_LOCAL;
}

const principal_t *
msg_principal(const msg_t *m)
{
	return m->who;
}

const msgpack_object *
msg_get(const msg_t *m, const char *key)
{
	size_t len = strlen(key);

	for (uint32_t i = 0; i < m->map->size; i++)
		if (msg_key_eq(&m->map->ptr[i].key, key, len))
			return &m->map->ptr[i].val;
	return NULL;
}

const msgpack_object *
msg_map_get(const msgpack_object *map, const char *key)
{
	size_t len = strlen(key);

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++)
		if (msg_key_eq(&map->via.map.ptr[i].key, key, len))
			return &map->via.map.ptr[i].val;
	return NULL;
}

const msgpack_object *
msg_root(const msg_t *m)
{
	return &m->root;
}

/* true when "req" holds something that may be echoed */
static bool
msg_req_ok(const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return true;
	case MSGPACK_OBJECT_STR:
		/* any length: the frame limit bounds it, and it comes back unchanged */
		return utf8_valid(o->via.str.ptr, o->via.str.size);
	default:
		return false;
	}
}

static int
msg_check_req(const msg_t *m, wire_err_t *err)
{
	const msgpack_object *o = msg_get(m, "req");

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL || msg_req_ok(o))
		return 0;
	wire_err_set(err, WERR_INVALID_FIELD, "req",
	    "'req' must be an integer or a UTF-8 string");
	return -1;
}

/*
 * "req" is echoed only when it is an integer or a UTF-8 string, so
 * that a reply never carries what a client could not have meant.
 */
const msgpack_object *
msg_req(const msg_t *m)
{
	const msgpack_object *o = msg_get(m, "req");

	return o != NULL && msg_req_ok(o) ? o : NULL;
}

int
msg_header(const msg_t *m, const char **op, size_t *op_len, wire_err_t *err)
{
	const msgpack_object *v = msg_get(m, "v"), *o = msg_get(m, "op");

	if (v == NULL) {
		wire_err_set(err, WERR_BAD_REQUEST, "v",
		    "missing \"v\": every request carries the protocol version, \"v\": %d",
		    WIRE_VERSION);
		return -1;
	}
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 == 0) {
		if (msg_is_int(v))
			wire_err_set(err, WERR_BAD_REQUEST, "v",
			    "'v' must be a positive integer (the protocol version, %d), "
			    "not %lld", WIRE_VERSION, (long long)v->via.i64);
		else
			wire_err_set(err, WERR_BAD_REQUEST, "v",
			    "'v' must be a positive integer (the protocol version, %d), "
			    "not %s", WIRE_VERSION, msg_type_name(v));
		return -1;
	}
	if (v->via.u64 != WIRE_VERSION) {
		wire_err_set(err, WERR_UNSUPPORTED_VERSION, "v",
		    "protocol version %llu is not supported; this server speaks %d",
		    (unsigned long long)v->via.u64, WIRE_VERSION);
		return -1;
	}
	if (o == NULL) {
		wire_err_set(err, WERR_BAD_REQUEST, "op",
		    "missing \"op\": every request names its operation");
		return -1;
	}
	if (o->type != MSGPACK_OBJECT_STR) {
		wire_err_set(err, WERR_BAD_REQUEST, "op",
		    "'op' must be a string, not %s", msg_type_name(o));
		return -1;
	}
	if (o->via.str.size == 0 || o->via.str.size > MSG_OP_MAX ||
	    !utf8_valid(o->via.str.ptr, o->via.str.size)) {
		wire_err_set(err, WERR_BAD_REQUEST, "op",
		    "'op' must be a UTF-8 string of 1 to %d bytes", MSG_OP_MAX);
		return -1;
	}
	/* an unknown op is named in its error: it may not carry controls */
	if (utf8_check_text(o->via.str.ptr, o->via.str.size, true, NULL) != UTF8_TEXT_OK) {
		wire_err_set(err, WERR_BAD_REQUEST, "op",
		    "'op' holds a control, bidi or line-break character");
		return -1;
	}
	if (msg_check_req(m, err) < 0)
		return -1;
	*op = o->via.str.ptr;
	*op_len = o->via.str.size;
	return 0;
}

bool
msg_op_is(const char *op, size_t op_len, const char *name)
{
	size_t n = strlen(name);

	return op_len == n && memcmp(op, name, n) == 0;
}

/* Describes a bound: "from 1 to 5", "at least 1", "at most 200", or "". */
static const char *
msg_bounds(char *out, size_t outlen, int64_t min, int64_t max, const char *unit)
{
	if (max > 0 && min == max)
		snprintf(out, outlen, "exactly %lld%s", (long long)min, unit);
	else if (max > 0 && min > 0)
		snprintf(out, outlen, "%lld to %lld%s", (long long)min, (long long)max, unit);
	else if (max > 0)
		snprintf(out, outlen, "at most %lld%s", (long long)max, unit);
	else if (min > 0)
		snprintf(out, outlen, "at least %lld%s", (long long)min, unit);
	else
		out[0] = '\0';
	return out;
}

/*
 * Checks what text may hold (msg.h); the text is field's value, or its
 * item'th item (from 1) when item is not 0, and is named so in messages,
 * e.g. "'partners' item 2" (the name is made only for a message: this runs
 * for every text of every request). Returns 0 or -1 with err filled.
 */
static int
msg_check_chars(const char *field, unsigned item, const char *s, size_t len,
    bool one_line, bool need_text, wire_err_t *err)
{
	utf8_text_t t;
	uint32_t cp = 0;
	char what[80];

	t = utf8_check_text(s, len, one_line, &cp);
	if (t == UTF8_TEXT_OK && (!need_text || len == 0 || !utf8_blank(s, len)))
		return 0;
	if (item)
		snprintf(what, sizeof(what), "'%s' item %u", field, item);
	else
		snprintf(what, sizeof(what), "'%s'", field);
	switch (t) {
	case UTF8_TEXT_OK:
		break;
	case UTF8_TEXT_CONTROL:
		wire_err_set(err, WERR_INVALID_FIELD, field,
		    "%s contains a control character (U+%04X)", what, (unsigned)cp);
		return -1;
	case UTF8_TEXT_BIDI:
		wire_err_set(err, WERR_INVALID_FIELD, field,
		    "%s contains a bidirectional control character (U+%04X)", what,
		    (unsigned)cp);
		return -1;
	case UTF8_TEXT_NEWLINE:
		wire_err_set(err, WERR_INVALID_FIELD, field,
		    "%s must be one line; it holds a line break (U+%04X)", what,
		    (unsigned)cp);
		return -1;
	}
	/* the text is fine but for being only blanks */
	wire_err_set(err, WERR_INVALID_FIELD, field, "%s holds only blanks", what);
	return -1;
}

/* Checks a UTF-8 string of min..max characters (max 0: unbounded). */
static int
msg_check_text(const msg_field_t *f, const msgpack_object *o, int64_t min,
    int64_t max, const char *what, wire_err_t *err)
{
	char b[64];
	size_t n;

	if (o->type != MSGPACK_OBJECT_STR) {
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' must be %s, not %s", f->name, what, msg_type_name(o));
		return -1;
	}
	if (!utf8_valid(o->via.str.ptr, o->via.str.size)) {
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' is not valid UTF-8", f->name);
		return -1;
	}
	n = utf8_count(o->via.str.ptr, o->via.str.size);
	if ((int64_t)n < min || (max > 0 && (int64_t)n > max)) {
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' must be %s of %s; it has %zu", f->name, what,
		    msg_bounds(b, sizeof(b), min, max, " characters"), n);
		return -1;
	}
	return msg_check_chars(f->name, 0, o->via.str.ptr, o->via.str.size,
	    f->type == MF_LINE, min > 0, err);
}

static bool
msg_id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

/* Reads an integer object into *v; false when it does not fit int64_t. */
static bool
msg_int(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return true;
	}
	if (o->via.u64 > INT64_MAX)
		return false;
	*v = (int64_t)o->via.u64;
	return true;
}

static int
msg_check_int(const msg_field_t *f, const msgpack_object *o, msg_val_t *v,
    wire_err_t *err)
{
	bool bounded = f->min != 0 || f->max != 0;
	int64_t i;

	if (!msg_is_int(o)) {
		if (bounded)
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be an integer from %lld to %lld, not %s",
			    f->name, (long long)f->min, (long long)f->max,
			    msg_type_name(o));
		else
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be an integer, not %s", f->name,
			    msg_type_name(o));
		return -1;
	}
	if (!msg_int(o, &i) || (bounded && (i < f->min || i > f->max))) {
		if (bounded)
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be an integer from %lld to %lld; it is %s%llu",
			    f->name, (long long)f->min, (long long)f->max,
			    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? "-" : "",
			    o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ?
			    -(unsigned long long)o->via.i64 : (unsigned long long)o->via.u64);
		else
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' is out of range for a 64-bit integer", f->name);
		return -1;
	}
	v->i = i;
	return 0;
}

static int
msg_check_enum(const msg_field_t *f, const msgpack_object *o, msg_val_t *v,
    wire_err_t *err)
{
	char list[160];
	size_t used = 0;

	if (o->type == MSGPACK_OBJECT_STR) {
		for (int64_t i = 0; f->choices && f->choices[i]; i++) {
			if (msg_key_eq(o, f->choices[i], strlen(f->choices[i]))) {
				v->i = i;
				v->str = o->via.str.ptr;
				v->len = o->via.str.size;
				return 0;
			}
		}
	}
	list[0] = '\0';
	for (size_t i = 0; f->choices && f->choices[i] && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
		    i == 0 ? "" : f->choices[i + 1] ? ", " : " or ", f->choices[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	wire_err_set(err, WERR_INVALID_FIELD, f->name, "'%s' must be one of %s",
	    f->name, list);
	return -1;
}

static int
msg_check_strs(const msg_field_t *f, const msgpack_object *o, msg_val_t *v,
    wire_err_t *err)
{
	const msgpack_object_array *a;
	char b[64];

	if (o->type != MSGPACK_OBJECT_ARRAY) {
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' must be an array of strings, not %s", f->name,
		    msg_type_name(o));
		return -1;
	}
	a = &o->via.array;
	if ((int64_t)a->size < f->min || (f->max > 0 && (int64_t)a->size > f->max)) {
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' must hold %s; it has %u", f->name,
		    msg_bounds(b, sizeof(b), f->min, f->max, " strings"), a->size);
		return -1;
	}
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object *it = &a->ptr[i];
		size_t n;

		if (it->type != MSGPACK_OBJECT_STR) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be an array of strings; item %u is %s",
			    f->name, i + 1, msg_type_name(it));
			return -1;
		}
		if (!utf8_valid(it->via.str.ptr, it->via.str.size)) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' item %u is not valid UTF-8", f->name, i + 1);
			return -1;
		}
		n = utf8_count(it->via.str.ptr, it->via.str.size);
		if (n == 0 || (f->item_max > 0 && (int64_t)n > f->item_max)) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' item %u must be a string of %s; it has %zu",
			    f->name, i + 1, msg_bounds(b, sizeof(b), 1, f->item_max,
			    " characters"), n);
			return -1;
		}
		if (msg_check_chars(f->name, i + 1, it->via.str.ptr, it->via.str.size,
		    false, true, err) < 0)
			return -1;
	}
	v->items = a;
	return 0;
}

static int
msg_check_field(const msg_field_t *f, const msgpack_object *o, msg_val_t *v,
    wire_err_t *err)
{
	char b[64];
	int64_t min;

	switch (f->type) {
	case MF_STR:
	case MF_LINE:
		if (msg_check_text(f, o, f->min > 0 ? f->min : 0, f->max,
		    "a string", err) < 0)
			return -1;
		break;
	case MF_ID:
		if (o->type != MSGPACK_OBJECT_STR) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be a string, not %s", f->name,
			    msg_type_name(o));
			return -1;
		}
		min = f->min > 1 ? f->min : 1;
		for (uint32_t i = 0; i < o->via.str.size; i++)
			if (!msg_id_char((unsigned char)o->via.str.ptr[i]))
				goto bad_id;
		if ((int64_t)o->via.str.size < min ||
		    (f->max > 0 && (int64_t)o->via.str.size > f->max))
			goto bad_id;
		break;
	bad_id:
		wire_err_set(err, WERR_INVALID_FIELD, f->name,
		    "'%s' must be %s of A-Z a-z 0-9 . _ : -", f->name,
		    msg_bounds(b, sizeof(b), min, f->max, " characters"));
		return -1;
	case MF_INT:
		return msg_check_int(f, o, v, err);
	case MF_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' must be true or false, not %s", f->name,
			    msg_type_name(o));
			return -1;
		}
		v->b = o->via.boolean;
		return 0;
	case MF_TIME:
		if (o->type != MSGPACK_OBJECT_STR ||
		    ts_parse_rfc3339(o->via.str.ptr, o->via.str.size, &v->ms) < 0) {
			wire_err_set(err, WERR_INVALID_FIELD, f->name,
			    "'%s' is not an RFC 3339 time such as "
			    "\"2026-11-22T20:15:03Z\" or \"2026-11-22T21:15:03+01:00\"",
			    f->name);
			return -1;
		}
		break;
	case MF_ENUM:
		return msg_check_enum(f, o, v, err);
	case MF_STRS:
		return msg_check_strs(f, o, v, err);
	case MF_STR_OR_INT:
		if (msg_is_int(o)) {
			if (!msg_int(o, &v->i)) {
				wire_err_set(err, WERR_INVALID_FIELD, f->name,
				    "'%s' is out of range for a 64-bit integer",
				    f->name);
				return -1;
			}
			v->is_str = false;
			return 0;
		}
		if (msg_check_text(f, o, f->min > 1 ? f->min : 1, f->max,
		    "an integer or a string", err) < 0)
			return -1;
		v->is_str = true;
		break;
	default:
		wire_err_set(err, WERR_INTERNAL, f->name,
		    "field '%s' has an unknown type in the server's table", f->name);
		return -1;
	}
	v->str = o->via.str.ptr;
	v->len = o->via.str.size;
	return 0;
}

static void
msg_unknown_key(const msgpack_object_str *k, wire_err_t *err)
{
	buf_t name = BUF_INIT;

	msg_key_name(k->ptr, k->size, &name);
	wire_err_set(err, WERR_INVALID_FIELD, NULL, "unknown field '%s'", buf_str(&name));
	snprintf(err->field, sizeof(err->field), "%s", buf_str(&name));
	buf_free(&name);
}

int
msg_fields(const msg_t *m, const msg_field_t *spec, size_t n,
    msg_val_t *vals, wire_err_t *err)
{
	const msgpack_object_map *map = m->map;

	for (uint32_t i = 0; i < map->size; i++) {
		const msgpack_object_str *k = &map->ptr[i].key.via.str;
		size_t j;

		if (msg_key_eq(&map->ptr[i].key, "v", 1) ||
		    msg_key_eq(&map->ptr[i].key, "op", 2) ||
		    msg_key_eq(&map->ptr[i].key, "req", 3))
			continue;
		for (j = 0; j < n; j++)
			if (msg_key_eq(&map->ptr[i].key, spec[j].name, strlen(spec[j].name)))
				break;
		if (j == n) {
			msg_unknown_key(k, err);
			return -1;
		}
	}
	if (msg_check_req(m, err) < 0)
		return -1;
	for (size_t j = 0; j < n; j++) {
		const msgpack_object *o = msg_get(m, spec[j].name);

		memset(&vals[j], 0, sizeof(vals[j]));
		if (o == NULL || o->type == MSGPACK_OBJECT_NIL) {
			if (spec[j].required) {
				wire_err_set(err, WERR_INVALID_FIELD, spec[j].name,
				    "missing required field '%s'", spec[j].name);
				return -1;
			}
			continue;
		}
		if (msg_check_field(&spec[j], o, &vals[j], err) < 0)
			return -1;
		vals[j].present = true;
	}
	return 0;
}
