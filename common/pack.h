/*
 * pack.h: building msgpack replies and requests without counting entries by
 * hand. Maps and arrays are opened and closed; the writer counts what went
 * in and patches the header when the container closes.
 *
 *	pack_t *p = pack_new();
 *	pack_map_open(p);
 *	pack_kv_bool(p, "ok", true);
 *	pack_key(p, "incident"); pack_map_open(p); ... pack_map_close(p);
 *	pack_map_close(p);
 *	data = pack_data(p, &len);
 */
#ifndef TRYGG_PACK_H
#define TRYGG_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "wire.h"

typedef struct pack pack_t;

pack_t *pack_new(void);
void pack_destroy(pack_t **self_p);
/*
 * A writer kept for reuse (a reply slot) keeps what one ordinary reply
 * needs; after a large reply, reset gives the rest back, so that a few
 * large replies do not leave every slot holding megabytes.
 */
#define PACK_KEEP_MAX   (16 * 1024)     /* reset keeps capacity up to this ... */
#define PACK_KEEP_SIZE  (4 * 1024)      /* ... and shrinks what is above it to this */

/* forgets everything written; keeps the memory up to PACK_KEEP_MAX */
void pack_reset(pack_t *p);
/* bytes written so far, containers open or not */
size_t pack_size(const pack_t *p);
/*
 * Forgets what was written after the first size bytes; only between
 * top-level objects (no container open), e.g. to take back the last of a
 * run of objects that went over a budget.
 */
void pack_truncate(pack_t *p, size_t size);
/* bytes allocated for the output */
size_t pack_capacity(const pack_t *p);
/* the bytes written; valid until the next write or reset */
const void *pack_data(const pack_t *p, size_t *len);

void pack_map_open(pack_t *p);
void pack_map_close(pack_t *p);
void pack_array_open(pack_t *p);
void pack_array_close(pack_t *p);

void pack_key(pack_t *p, const char *key);
void pack_str(pack_t *p, const char *s);          /* NULL packs nil */
void pack_strn(pack_t *p, const char *s, size_t n);
void pack_int(pack_t *p, int64_t v);
void pack_bool(pack_t *p, bool v);
void pack_nil(pack_t *p);
void pack_time(pack_t *p, int64_t ms);            /* RFC 3339 string, UTC */
void pack_obj(pack_t *p, const msgpack_object *o);
/* raw msgpack bytes of exactly one object (e.g. a stored map) */
void pack_raw(pack_t *p, const void *data, size_t len);

void pack_kv_str(pack_t *p, const char *key, const char *s);
void pack_kv_strn(pack_t *p, const char *key, const char *s, size_t n);
void pack_kv_int(pack_t *p, const char *key, int64_t v);
void pack_kv_bool(pack_t *p, const char *key, bool v);
void pack_kv_time(pack_t *p, const char *key, int64_t ms);

/*
 * Opens a success reply: map open, "ok": true, and "req" when req is not
 * NULL. The caller adds its fields and calls pack_map_close().
 */
void pack_reply_ok(pack_t *p, const msgpack_object *req);
/* A whole error reply {"ok":false,"error":{...}, "req"?}. */
void pack_reply_error(pack_t *p, const wire_err_t *err, const msgpack_object *req);

#endif
