/*
 * json.h: msgpack objects as JSON text, for the command line's --json.
 *
 * The output is always valid JSON (RFC 8259) whatever the input holds:
 *   - strings are escaped (quote, backslash, control characters as \n, \t,
 *     ... or \u00XX, DEL and C1 as \u00XX, bidi embeddings, overrides and
 *     isolates and U+2028/9 as \uXXXX, so that no terminal acts on them);
 *     bytes that are not valid UTF-8 become U+FFFD;
 *   - map keys that are not strings are written as the JSON text of the key,
 *     quoted ({1: "a"} gives {"1": "a"}, {nil: 2} gives {"null": 2});
 *   - binary data is a base64 string (RFC 4648, with padding);
 *   - an extension value is {"ext": TYPE, "data": BASE64};
 *   - floats are written in the fewest digits that read back to the same
 *     double, always with a '.' or an exponent ("1.0", "0.1", "1e+300");
 *     NaN and infinities, which JSON lacks, are written as null.
 * Pretty output puts one member per line, indented by two spaces, with
 * "key": value; compact output has no blanks at all. Neither ends with a
 * newline.
 */
#ifndef TRYGG_JSON_H
#define TRYGG_JSON_H

#include <stdbool.h>

#include <msgpack.h>

#include "buf.h"

/* Appends the JSON text of o to out. */
void json_from_msgpack(const msgpack_object *o, buf_t *out, bool pretty);

#endif
