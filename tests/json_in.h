/*
 * json_in.h: the CLI's --json output read back as msgpack, for tests.
 */
#ifndef TRYGG_JSON_IN_H
#define TRYGG_JSON_IN_H

#include <stdint.h>

#include <msgpack.h>

/*
 * Parses text as exactly one JSON value; returns it as a msgpack object
 * valid until the next call, or NULL when text is not JSON.
 */
const msgpack_object *json_parse(const char *text);
/* Frees what the last json_parse kept. */
void json_free(void);
/* the length of an array, 0 for anything else */
uint32_t arr_len(const msgpack_object *o);
/* the i-th item of an array, or NULL */
const msgpack_object *arr_at(const msgpack_object *o, uint32_t i);

#endif
