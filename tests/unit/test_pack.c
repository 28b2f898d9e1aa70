/*
 * test_pack.c: the counting msgpack writer (common/pack.c), checked by
 * unpacking what it wrote with msgpack-c.
 */
#include "../test.h"

#include "pack.h"
#include "ts.h"

#include <stdio.h>
#include <stdlib.h>

/* Unpacks p's bytes into up; false unless they are exactly one object. */
static bool
unpack(const pack_t *p, msgpack_unpacked *up)
{
	size_t len, off = 0;
	const void *data = pack_data(p, &len);

	msgpack_unpacked_init(up);
	return msgpack_unpack_next(up, data, len, &off) == MSGPACK_UNPACK_SUCCESS &&
	    off == len;
}

static const msgpack_object *
get(const msgpack_object *map, const char *key)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;

		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
		    memcmp(k->via.str.ptr, key, k->via.str.size) == 0)
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

static bool
is_str(const msgpack_object *o, const char *s)
{
	return o != NULL && o->type == MSGPACK_OBJECT_STR &&
	    o->via.str.size == strlen(s) && memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

TEST(test_scalars)
{
	pack_t *p = pack_new();
	msgpack_unpacked up;
	const msgpack_object *o;
	const msgpack_object_array *a;
	char t[TS_RFC3339_MAX];

	pack_array_open(p);
	pack_int(p, 0);
	pack_int(p, -1);
	pack_int(p, INT64_MIN);
	pack_int(p, INT64_MAX);
	pack_bool(p, true);
	pack_bool(p, false);
	pack_nil(p);
	pack_str(p, NULL);
	pack_str(p, "Sk\xc3\xa4ggetorp");
	pack_strn(p, "abcdef", 3);
	pack_strn(p, "", 0);
	pack_time(p, 1795378503000LL);
	pack_time(p, 1795378503500LL);
	pack_array_close(p);
	CHECK(unpack(p, &up));
	o = &up.data;
	CHECK(o->type == MSGPACK_OBJECT_ARRAY);
	a = &o->via.array;
	CHECK_INT(a->size, 13);
	if (a->size == 13) {
		CHECK(a->ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER && a->ptr[0].via.u64 == 0);
		CHECK(a->ptr[1].type == MSGPACK_OBJECT_NEGATIVE_INTEGER && a->ptr[1].via.i64 == -1);
		CHECK(a->ptr[2].via.i64 == INT64_MIN);
		CHECK(a->ptr[3].via.u64 == INT64_MAX);
		CHECK(a->ptr[4].type == MSGPACK_OBJECT_BOOLEAN && a->ptr[4].via.boolean);
		CHECK(a->ptr[5].type == MSGPACK_OBJECT_BOOLEAN && !a->ptr[5].via.boolean);
		CHECK(a->ptr[6].type == MSGPACK_OBJECT_NIL);
		CHECK(a->ptr[7].type == MSGPACK_OBJECT_NIL);
		CHECK(is_str(&a->ptr[8], "Sk\xc3\xa4ggetorp"));
		CHECK(is_str(&a->ptr[9], "abc"));
		CHECK(is_str(&a->ptr[10], ""));
		CHECK(is_str(&a->ptr[11], "2026-11-22T20:15:03Z"));
		/* sub-second times as ts.c writes them */
		ts_format_rfc3339(1795378503500LL, t);
		CHECK(is_str(&a->ptr[12], t));
	}
	msgpack_unpacked_destroy(&up);
	pack_destroy(&p);
	CHECK(p == NULL);
	pack_destroy(&p);
	pack_destroy(NULL);
}

/* The bytes are those of a hand-counted packer: smallest headers. */
TEST(test_bytes)
{
	pack_t *p = pack_new();
	const unsigned char *d;
	size_t len;

	pack_map_open(p);
	pack_kv_int(p, "a", 1);
	pack_key(p, "b");
	pack_array_open(p);
	pack_array_close(p);
	pack_map_close(p);
	d = pack_data(p, &len);
	CHECK_INT(len, 7);
	CHECK(len == 7 && memcmp(d, "\x82\xa1" "a\x01\xa1" "b\x90", 7) == 0);

	pack_reset(p);
	d = pack_data(p, &len);
	CHECK_INT(len, 0);
	pack_map_open(p);
	pack_map_close(p);
	d = pack_data(p, &len);
	CHECK(len == 1 && d[0] == 0x80);

	/* a scalar alone, outside any container */
	pack_reset(p);
	pack_int(p, 5);
	d = pack_data(p, &len);
	CHECK(len == 1 && d[0] == 5);
	pack_destroy(&p);
}

TEST(test_nested)
{
	pack_t *p = pack_new();
	msgpack_unpacked up;
	const msgpack_object *inc, *hist, *deep;

	pack_reply_ok(p, NULL);
	pack_kv_bool(p, "duplicate", false);
	pack_key(p, "incident");
	pack_map_open(p);
	pack_kv_str(p, "number", "INC-2026-000042");
	pack_kv_strn(p, "team", "omradesteam-1xyz", 13);
	pack_kv_time(p, "received_at", 0);
	pack_kv_int(p, "severity", 4);
	pack_key(p, "history");
	pack_array_open(p);
	for (int i = 0; i < 3; i++) {
		pack_map_open(p);
		pack_kv_int(p, "step", i);
		pack_key(p, "empty");
		pack_map_open(p);
		pack_map_close(p);
		pack_map_close(p);
	}
	pack_array_close(p);
	pack_key(p, "deep");
	for (int i = 0; i < 20; i++)
		pack_array_open(p);
	pack_str(p, "bottom");
	for (int i = 0; i < 20; i++)
		pack_array_close(p);
	pack_map_close(p);
	pack_kv_str(p, "after", "x");
	pack_map_close(p);

	CHECK(unpack(p, &up));
	CHECK(up.data.type == MSGPACK_OBJECT_MAP && up.data.via.map.size == 4);
	CHECK(get(&up.data, "ok") && get(&up.data, "ok")->via.boolean);
	CHECK(get(&up.data, "req") == NULL);
	CHECK(is_str(get(&up.data, "after"), "x"));
	inc = get(&up.data, "incident");
	CHECK(inc != NULL && inc->via.map.size == 6);
	CHECK(is_str(get(inc, "number"), "INC-2026-000042"));
	CHECK(is_str(get(inc, "team"), "omradesteam-1"));
	CHECK(is_str(get(inc, "received_at"), "1970-01-01T00:00:00Z"));
	CHECK(get(inc, "severity") && get(inc, "severity")->via.u64 == 4);
	hist = get(inc, "history");
	CHECK(hist != NULL && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size == 3);
	if (hist != NULL && hist->via.array.size == 3) {
		CHECK(get(&hist->via.array.ptr[2], "step")->via.u64 == 2);
		CHECK(get(&hist->via.array.ptr[2], "empty")->via.map.size == 0);
	}
	deep = get(inc, "deep");
	for (int i = 0; i < 20 && deep != NULL; i++) {
		CHECK(deep->type == MSGPACK_OBJECT_ARRAY && deep->via.array.size == 1);
		deep = deep->via.array.size == 1 ? &deep->via.array.ptr[0] : NULL;
	}
	CHECK(is_str(deep, "bottom"));
	msgpack_unpacked_destroy(&up);
	pack_destroy(&p);
}

/* Counts that need each header size: fix, 16-bit and 32-bit. */
TEST(test_counts)
{
	static const uint32_t counts[] = {0, 1, 15, 16, 17, 255, 256, 65535, 65536, 70001};
	pack_t *p = pack_new();

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		uint32_t n = counts[c];
		msgpack_unpacked up;
		const msgpack_object *arr, *map;
		char key[16];
		bool ok = true;

		pack_reset(p);
		pack_map_open(p);
		pack_key(p, "arr");
		pack_array_open(p);
		for (uint32_t i = 0; i < n; i++)
			pack_int(p, i);
		pack_array_close(p);
		pack_key(p, "map");
		pack_map_open(p);
		for (uint32_t i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "k%u", i);
			pack_kv_int(p, key, -(int64_t)i);
		}
		pack_map_close(p);
		pack_kv_bool(p, "end", true);
		pack_map_close(p);
		if (!unpack(p, &up)) {
			test_fail(__FILE__, __LINE__, "count %u: does not unpack", n);
			msgpack_unpacked_destroy(&up);
			continue;
		}
		arr = get(&up.data, "arr");
		map = get(&up.data, "map");
		CHECK(up.data.via.map.size == 3);
		CHECK(get(&up.data, "end") && get(&up.data, "end")->via.boolean);
		if (arr == NULL || arr->via.array.size != n || map == NULL ||
		    map->via.map.size != n) {
			test_fail(__FILE__, __LINE__, "count %u: wrong sizes", n);
			msgpack_unpacked_destroy(&up);
			continue;
		}
		for (uint32_t i = 0; i < n && ok; i++) {
			snprintf(key, sizeof(key), "k%u", i);
			ok = arr->via.array.ptr[i].via.u64 == i &&
			    is_str(&map->via.map.ptr[i].key, key) &&
			    (i == 0 || map->via.map.ptr[i].val.via.i64 == -(int64_t)i);
		}
		if (!ok)
			test_fail(__FILE__, __LINE__, "count %u: wrong contents", n);
		msgpack_unpacked_destroy(&up);
	}
	pack_destroy(&p);
}

TEST(test_obj_raw)
{
	pack_t *p = pack_new(), *q = pack_new();
	msgpack_unpacked up, up2;
	const void *d;
	size_t len;

	/* q: a stored map to splice in both as an object and as raw bytes */
	pack_map_open(q);
	pack_kv_str(q, "id", "x1");
	pack_key(q, "list");
	pack_array_open(q);
	pack_int(q, 1);
	pack_array_close(q);
	pack_map_close(q);
	CHECK(unpack(q, &up));
	d = pack_data(q, &len);

	pack_array_open(p);
	pack_obj(p, &up.data);
	pack_raw(p, d, len);
	pack_int(p, 7);
	pack_array_close(p);
	CHECK(unpack(p, &up2));
	CHECK(up2.data.via.array.size == 3);
	if (up2.data.via.array.size == 3) {
		CHECK(msgpack_object_equal(up2.data.via.array.ptr[0], up.data));
		CHECK(msgpack_object_equal(up2.data.via.array.ptr[1], up.data));
		CHECK(up2.data.via.array.ptr[2].via.u64 == 7);
	}
	msgpack_unpacked_destroy(&up);
	msgpack_unpacked_destroy(&up2);
	pack_destroy(&p);
	pack_destroy(&q);
}

TEST(test_replies)
{
	pack_t *p = pack_new();
	msgpack_unpacked up;
	wire_err_t err;
	msgpack_object req;
	const msgpack_object *e;

	wire_err_set(&err, WERR_INVALID_FIELD, "severity",
	    "'severity' must be an integer from %d to %d", 1, 5);
	req.type = MSGPACK_OBJECT_STR;
	req.via.str.ptr = "abc";
	req.via.str.size = 3;
	pack_reply_error(p, &err, &req);
	CHECK(unpack(p, &up));
	CHECK(up.data.via.map.size == 3);
	CHECK(get(&up.data, "ok") && !get(&up.data, "ok")->via.boolean);
	CHECK(is_str(get(&up.data, "req"), "abc"));
	e = get(&up.data, "error");
	CHECK(e != NULL && e->via.map.size == 3);
	CHECK(is_str(get(e, "code"), "invalid_field"));
	CHECK(is_str(get(e, "message"), "'severity' must be an integer from 1 to 5"));
	CHECK(is_str(get(e, "field"), "severity"));
	msgpack_unpacked_destroy(&up);

	/* no field, no req */
	pack_reset(p);
	wire_err_set(&err, WERR_TOO_LARGE, NULL, "request is %d bytes", 70000);
	pack_reply_error(p, &err, NULL);
	CHECK(unpack(p, &up));
	CHECK(up.data.via.map.size == 2);
	CHECK(get(&up.data, "req") == NULL);
	e = get(&up.data, "error");
	CHECK(e != NULL && e->via.map.size == 2);
	CHECK(is_str(get(e, "code"), "too_large"));
	CHECK(get(e, "field") == NULL);
	msgpack_unpacked_destroy(&up);

	/* ok reply with an integer req */
	pack_reset(p);
	req.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
	req.via.i64 = -42;
	pack_reply_ok(p, &req);
	pack_kv_str(p, "service", "trygg-intake");
	pack_map_close(p);
	CHECK(unpack(p, &up));
	CHECK(up.data.via.map.size == 3);
	CHECK(get(&up.data, "ok") && get(&up.data, "ok")->via.boolean);
	CHECK(get(&up.data, "req") && get(&up.data, "req")->via.i64 == -42);
	CHECK(is_str(get(&up.data, "service"), "trygg-intake"));
	msgpack_unpacked_destroy(&up);
	pack_destroy(&p);
}

/* A reset writer starts over; memory is reused. */
TEST(test_reset)
{
	pack_t *p = pack_new();
	msgpack_unpacked up;

	for (int round = 0; round < 3; round++) {
		pack_reset(p);
		pack_map_open(p);
		pack_kv_int(p, "round", round);
		pack_map_close(p);
		CHECK(unpack(p, &up));
		CHECK(up.data.via.map.size == 1 && up.data.via.map.ptr[0].val.via.u64 == (uint64_t)round);
		msgpack_unpacked_destroy(&up);
	}
	pack_destroy(&p);
}

/*
 * A writer kept for reuse gives memory back after a large reply and keeps
 * it after small ones; what it writes after the shrink is intact.
 */
TEST(test_reset_shrinks)
{
	static const size_t sizes[] = {10, 1000, PACK_KEEP_MAX / 2, PACK_KEEP_MAX + 1,
	    256 * 1024, 1 << 20, 5 << 20};
	char *text = malloc(5 << 20);
	pack_t *p = pack_new();
	msgpack_unpacked up;

	CHECK(text != NULL);
	for (size_t i = 0; i < (size_t)(5 << 20); i++)
		text[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t cap, len;

		pack_reset(p);
		pack_map_open(p);
		pack_kv_strn(p, "text", text, sizes[i]);
		CHECK(pack_size(p) > sizes[i]);
		pack_map_close(p);
		pack_data(p, &len);
		CHECK_INT(pack_size(p), len);
		cap = pack_capacity(p);
		CHECK(cap >= len);
		pack_reset(p);
		CHECK_INT(pack_size(p), 0);
		if (cap > PACK_KEEP_MAX)
			CHECK_INT(pack_capacity(p), PACK_KEEP_SIZE);
		else
			CHECK_INT(pack_capacity(p), cap);
		/* the shrunk writer writes correctly, small and large again */
		for (int round = 0; round < 2; round++) {
			size_t n = round ? sizes[i] : 3;

			pack_reset(p);
			pack_map_open(p);
			pack_kv_int(p, "round", round);
			pack_kv_strn(p, "text", text, n);
			pack_map_close(p);
			CHECK(unpack(p, &up));
			CHECK(up.data.type == MSGPACK_OBJECT_MAP && up.data.via.map.size == 2);
			if (up.data.type == MSGPACK_OBJECT_MAP && up.data.via.map.size == 2) {
				const msgpack_object *t = &up.data.via.map.ptr[1].val;

				CHECK(t->type == MSGPACK_OBJECT_STR && t->via.str.size == n &&
				    memcmp(t->via.str.ptr, text, n) == 0);
			}
			msgpack_unpacked_destroy(&up);
		}
	}
	pack_destroy(&p);
	free(text);
}

/* Truncating takes back the last top-level objects written, nothing else. */
TEST(test_truncate)
{
	pack_t *p = pack_new();
	msgpack_unpacked up;
	size_t first, len;

	pack_map_open(p);
	pack_kv_int(p, "n", 1);
	pack_map_close(p);
	first = pack_size(p);
	pack_map_open(p);
	pack_kv_str(p, "s", "second");
	pack_map_close(p);
	pack_int(p, 3);
	CHECK(pack_size(p) > first);
	pack_truncate(p, first);
	pack_data(p, &len);
	CHECK_INT(len, first);
	CHECK(unpack(p, &up));
	CHECK(up.data.type == MSGPACK_OBJECT_MAP && up.data.via.map.size == 1);
	msgpack_unpacked_destroy(&up);
	/* writing goes on after the cut */
	pack_int(p, 7);
	pack_data(p, &len);
	CHECK_INT(len, first + 1);
	pack_truncate(p, 0);
	CHECK_INT(pack_size(p), 0);
	pack_destroy(&p);
}

TEST_MAIN(test_scalars, test_bytes, test_nested, test_counts, test_obj_raw,
    test_replies, test_reset, test_reset_shrinks, test_truncate)
