/*
 * msg.h: decoding and strict validation of request frames (msgpack-c).
 *
 * A request is one msgpack map with string keys. msg_parse() checks the
 * frame as a whole (size, well-formed msgpack, a map, string keys that are
 * valid UTF-8 and unique, no trailing bytes); msg_header() checks "v" and
 * "op"; msg_fields() checks the operation's fields against a table and
 * rejects any key the table does not name (besides "v", "op", "req").
 * Every failure fills a wire_err_t with the code docs/protocol.md gives and a
 * message a person understands, which never quotes a submitted value.
 *
 * Text (MF_STR, MF_LINE, MF_STRS items, MF_STR_OR_INT strings) must be
 * UTF-8 without control characters (C0 other than TAB and LF, DEL, C1) or
 * bidirectional embeddings, overrides and isolates (utf8_check_text); an
 * MF_LINE holds no line break; text with a minimum length of 1 or more
 * must hold more than blanks. These checks live here, once, so that no
 * field of any operation can miss them.
 */
#ifndef TRYGG_MSG_H
#define TRYGG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "wire.h"
#include "principal.h"

typedef struct msg msg_t;

typedef enum {
	MF_STR,         /* UTF-8 text; min/max bound its length in characters */
	MF_LINE,        /* MF_STR that is one line: no line breaks */
	MF_ID,          /* string of 1..max of A-Z a-z 0-9 . _ : - */
	MF_INT,         /* integer; min/max bound its value */
	MF_BOOL,
	MF_TIME,        /* RFC 3339 string, parsed into .ms */
	MF_ENUM,        /* string that is one of .choices; its index in .i */
	MF_STRS,        /* array of UTF-8 strings; min/max bound the count,
	                 * each item 1..item_max characters */
	MF_STR_OR_INT,  /* a string (1..max characters) or an integer */
} msg_ftype_t;

typedef struct {
	const char        *name;
	msg_ftype_t        type;
	bool               required;
	int64_t            min, max;
	const char *const *choices;     /* MF_ENUM: NULL-terminated */
	int64_t            item_max;    /* MF_STRS */
} msg_field_t;

/* A field's value after validation; strings point into the frame. */
typedef struct {
	bool         present;
	bool         is_str;    /* MF_STR_OR_INT: which one it was */
	const char  *str;       /* MF_STR, MF_ID, MF_TIME, MF_ENUM (not NUL-terminated) */
	size_t       len;
	int64_t      i;         /* MF_INT; MF_ENUM index; MF_STR_OR_INT integer */
	bool         b;         /* MF_BOOL */
	int64_t      ms;        /* MF_TIME */
	const msgpack_object_array *items;      /* MF_STRS */
} msg_val_t;

/*
 * Parses one frame. Returns a msg_t the caller destroys, or NULL with err
 * filled (too_large, bad_request).
 */
msg_t *msg_parse(const void *data, size_t len, wire_err_t *err);
void msg_destroy(msg_t **self_p);
/*
 * The same without an allocation per request, for a server's slots: an
 * empty msg_t (caller destroys), and a parse into one, reusing its memory
 * (what an earlier parse left in it is gone). 0, or -1 with err filled;
 * strings point into data, which must outlive the parse's use.
 */
msg_t *msg_new(void);
int msg_parse_into(msg_t *m, const void *data, size_t len, wire_err_t *err);

/*
 * Who sent the request: PRINCIPAL_LOCAL unless the server set another (the
 * ZAP handler's User-Id, issue 10). who must outlive m.
 */
void msg_set_principal(msg_t *m, const principal_t *who);
const principal_t *msg_principal(const msg_t *m);

/* Checks "v" and "op"; sets *op and *op_len. Returns 0 or -1 with err filled. */
int msg_header(const msg_t *m, const char **op, size_t *op_len, wire_err_t *err);
/* the "req" value to echo in the reply, or NULL when absent */
const msgpack_object *msg_req(const msg_t *m);
/* the value under key, or NULL */
const msgpack_object *msg_get(const msg_t *m, const char *key);
/* the value under a string key in any msgpack map (a reply, say), or NULL */
const msgpack_object *msg_map_get(const msgpack_object *map, const char *key);
/* the whole map */
const msgpack_object *msg_root(const msg_t *m);

/*
 * Validates the fields named in spec[0..n) into vals[0..n) (same order),
 * rejecting unknown keys. Returns 0 or -1 with err filled (invalid_field
 * with the field's name, or bad_request).
 */
int msg_fields(const msg_t *m, const msg_field_t *spec, size_t n,
    msg_val_t *vals, wire_err_t *err);

/* true when op[0..op_len) equals name */
bool msg_op_is(const char *op, size_t op_len, const char *name);

#endif
