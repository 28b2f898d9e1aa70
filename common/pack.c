/*
 * pack.c: msgpack writer that counts container entries itself.
 *
 * Opening a map or an array writes a 5-byte map32/array32 header with a
 * zero count and pushes its offset; every value written while it is on top
 * counts as one element (a map's key and value are two). Closing it writes
 * the real count, in the smallest header msgpack allows (fixmap/fixarray,
 * map16/array16 or map32/array32), moving the contents down when the header
 * shrinks, so the output is the same as a hand-counted packer's. A closed
 * container counts as one element of its parent.
 */
#include "pack.h"
#include "mem.h"
#include "ts.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define PACK_MAX_DEPTH  32
#define PACK_HDR        5       /* bytes of the placeholder header */

typedef struct {
	size_t   at;                /* offset of the header in sb */
	uint64_t count;             /* elements written inside */
	bool     map;
} pack_level_t;

struct pack {
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	pack_level_t    stack[PACK_MAX_DEPTH];
	int             depth;
};

pack_t *
pack_new(void)
{
	pack_t *p = xcalloc(1, sizeof(*p));

	msgpack_sbuffer_init(&p->sb);
	msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
	return p;
}

void
pack_destroy(pack_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	msgpack_sbuffer_destroy(&(*self_p)->sb);
	free(*self_p);
	*self_p = NULL;
}

void
pack_reset(pack_t *p)
{
	msgpack_sbuffer_clear(&p->sb);
	p->depth = 0;
	if (p->sb.alloc > PACK_KEEP_MAX) {
		p->sb.data = xrealloc(p->sb.data, PACK_KEEP_SIZE);
		p->sb.alloc = PACK_KEEP_SIZE;
	}
}

size_t
pack_size(const pack_t *p)
{
	return p->sb.size;
}

void
pack_truncate(pack_t *p, size_t size)
{
	assert(p->depth == 0 && size <= p->sb.size);
	p->sb.size = size;
}

size_t
pack_capacity(const pack_t *p)
{
	return p->sb.alloc;
}

const void *
pack_data(const pack_t *p, size_t *len)
{
	assert(p->depth == 0);
	*len = p->sb.size;
	return p->sb.data;
}

/* one more element in the open container, if any */
static void
pack_count(pack_t *p)
{
	if (p->depth > 0)
		p->stack[p->depth - 1].count++;
}

static void
pack_open(pack_t *p, bool map)
{
	static const unsigned char hdr[2][PACK_HDR] = {
		{0xdd, 0, 0, 0, 0}, {0xdf, 0, 0, 0, 0},
	};

	assert(p->depth < PACK_MAX_DEPTH);
	pack_count(p);
	p->stack[p->depth].at = p->sb.size;
	p->stack[p->depth].count = 0;
	p->stack[p->depth].map = map;
	p->depth++;
	msgpack_sbuffer_write(&p->sb, (const char *)hdr[map], PACK_HDR);
}

static void
pack_close(pack_t *p, bool map)
{
	pack_level_t *l;
	unsigned char hdr[PACK_HDR];
	size_t hlen;
	uint64_t n;

	assert(p->depth > 0);
	l = &p->stack[--p->depth];
	assert(l->map == map);
	assert(!map || l->count % 2 == 0);
	n = map ? l->count / 2 : l->count;
	assert(n <= UINT32_MAX);
	if (n <= 15) {
		hdr[0] = (unsigned char)((map ? 0x80 : 0x90) | n);
		hlen = 1;
	} else if (n <= 0xffff) {
		hdr[0] = map ? 0xde : 0xdc;
		hdr[1] = (unsigned char)(n >> 8);
		hdr[2] = (unsigned char)n;
		hlen = 3;
	} else {
		hdr[0] = map ? 0xdf : 0xdd;
		hdr[1] = (unsigned char)(n >> 24);
		hdr[2] = (unsigned char)(n >> 16);
		hdr[3] = (unsigned char)(n >> 8);
		hdr[4] = (unsigned char)n;
		hlen = 5;
	}
	if (hlen < PACK_HDR) {
		size_t body = l->at + PACK_HDR;

		memmove(p->sb.data + l->at + hlen, p->sb.data + body,
		    p->sb.size - body);
		p->sb.size -= PACK_HDR - hlen;
	}
	memcpy(p->sb.data + l->at, hdr, hlen);
}

void
pack_map_open(pack_t *p)
{
	pack_open(p, true);
}

void
pack_map_close(pack_t *p)
{
	pack_close(p, true);
}

void
pack_array_open(pack_t *p)
{
	pack_open(p, false);
}

void
pack_array_close(pack_t *p)
{
	pack_close(p, false);
}

void
pack_strn(pack_t *p, const char *s, size_t n)
{
	pack_count(p);
	msgpack_pack_str(&p->pk, n);
	msgpack_pack_str_body(&p->pk, s, n);
}

void
pack_str(pack_t *p, const char *s)
{
	if (s == NULL)
		pack_nil(p);
	else
		pack_strn(p, s, strlen(s));
}

void
pack_key(pack_t *p, const char *key)
{
	assert(p->depth > 0 && p->stack[p->depth - 1].map &&
	    p->stack[p->depth - 1].count % 2 == 0);
	pack_strn(p, key, strlen(key));
}

void
pack_int(pack_t *p, int64_t v)
{
	pack_count(p);
	msgpack_pack_int64(&p->pk, v);
}

void
pack_bool(pack_t *p, bool v)
{
	pack_count(p);
	if (v)
		msgpack_pack_true(&p->pk);
	else
		msgpack_pack_false(&p->pk);
}

void
pack_nil(pack_t *p)
{
	pack_count(p);
	msgpack_pack_nil(&p->pk);
}

void
pack_time(pack_t *p, int64_t ms)
{
	char s[TS_RFC3339_MAX];

	ts_format_rfc3339(ms, s);
	pack_strn(p, s, strlen(s));
}

void
pack_obj(pack_t *p, const msgpack_object *o)
{
	pack_count(p);
	msgpack_pack_object(&p->pk, *o);
}

void
pack_raw(pack_t *p, const void *data, size_t len)
{
	pack_count(p);
	msgpack_sbuffer_write(&p->sb, data, len);
}

void
pack_kv_str(pack_t *p, const char *key, const char *s)
{
	pack_key(p, key);
	pack_str(p, s);
}

void
pack_kv_strn(pack_t *p, const char *key, const char *s, size_t n)
{
	pack_key(p, key);
	pack_strn(p, s, n);
}

void
pack_kv_int(pack_t *p, const char *key, int64_t v)
{
	pack_key(p, key);
	pack_int(p, v);
}

void
pack_kv_bool(pack_t *p, const char *key, bool v)
{
	pack_key(p, key);
	pack_bool(p, v);
}

void
pack_kv_time(pack_t *p, const char *key, int64_t ms)
{
	pack_key(p, key);
	pack_time(p, ms);
}

void
pack_reply_ok(pack_t *p, const msgpack_object *req)
{
	pack_map_open(p);
	pack_kv_bool(p, "ok", true);
	if (req != NULL) {
		pack_key(p, "req");
		pack_obj(p, req);
	}
}

void
pack_reply_error(pack_t *p, const wire_err_t *err, const msgpack_object *req)
{
	pack_map_open(p);
	pack_kv_bool(p, "ok", false);
	pack_key(p, "error");
	pack_map_open(p);
	pack_kv_str(p, "code", wire_code_name(err->code));
	pack_kv_str(p, "message", err->message);
	if (err->field[0] != '\0')
		pack_kv_str(p, "field", err->field);
	pack_map_close(p);
	if (req != NULL) {
		pack_key(p, "req");
		pack_obj(p, req);
	}
	pack_map_close(p);
}
