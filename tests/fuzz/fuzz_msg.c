/*
 * fuzz_msg.c: libFuzzer target for request decoding. Any frame goes through
 * msg_parse, msg_header and msg_fields (with a table that has every field
 * type) and its reply is packed, as a daemon would; the reply must unpack,
 * and an error's message and field must be valid UTF-8. String fields also
 * go through pnr_mask (which keeps the character count and UTF-8), NFC and
 * folding, and the whole request through json_from_msgpack.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "msg.h"
#include "pack.h"
#include "pnr.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const levels[] = {"omrade", "grupp", "individ", NULL};

static const msg_field_t spec[] = {
	{"id", MF_ID, true, 1, 64, NULL, 0},
	{"district", MF_STR, false, 1, 100, NULL, 0},
	{"severity", MF_INT, false, 1, 5, NULL, 0},
	{"summary", MF_LINE, false, 1, 200, NULL, 0},
	{"details", MF_STR, false, 0, 8000, NULL, 0},
	{"occurred_at", MF_TIME, false, 0, 0, NULL, 0},
	{"level", MF_ENUM, false, 0, 0, levels, 0},
	{"needs_external", MF_BOOL, false, 0, 0, NULL, 0},
	{"partners", MF_STRS, false, 0, 20, NULL, 50},
	{"number", MF_STR_OR_INT, false, 1, 32, NULL, 0},
	{"offset", MF_INT, false, -100, 100, NULL, 0},
	{"any", MF_INT, false, 0, 0, NULL, 0},
};
#define NSPEC (sizeof(spec) / sizeof(spec[0]))

static void
check_reply(const pack_t *p)
{
	msgpack_unpacked up;
	size_t len, off = 0;
	const void *d = pack_data(p, &len);

	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, d, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len || up.data.type != MSGPACK_OBJECT_MAP)
		abort();
	msgpack_unpacked_destroy(&up);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pack_t *p;
	msg_val_t vals[NSPEC];
	wire_err_t err;
	const char *op;
	size_t op_len;
	buf_t b = BUF_INIT;
	msg_t *m;

	if (p == NULL)
		p = pack_new();
	pack_reset(p);
	memset(&err, 0, sizeof(err));
	m = msg_parse(data, size, &err);
	if (m != NULL) {
		json_from_msgpack(msg_root(m), &b, size % 2 == 0);
		if (!utf8_valid(b.data, b.len))
			abort();
		if (msg_header(m, &op, &op_len, &err) == 0 &&
		    msg_fields(m, spec, NSPEC, vals, &err) == 0) {
			for (size_t i = 0; i < NSPEC; i++) {
				if (!vals[i].present || vals[i].str == NULL)
					continue;
				buf_reset(&b);
				pnr_mask(vals[i].str, vals[i].len, &b);
				/* a digit of any width becomes one 'X' */
				if (utf8_count(b.data, b.len) != utf8_count(vals[i].str, vals[i].len) ||
				    !utf8_valid(b.data, b.len))
					abort();
				buf_reset(&b);
				if (utf8_nfc(vals[i].str, vals[i].len, &b) < 0 ||
				    !utf8_valid(b.data, b.len))
					abort();
				buf_reset(&b);
				utf8_fold(vals[i].str, vals[i].len, &b);
			}
			pack_reply_ok(p, msg_req(m));
			pack_kv_strn(p, "op", op, op_len);
			pack_map_close(p);
			check_reply(p);
			msg_destroy(&m);
			buf_free(&b);
			return 0;
		}
	}
	if (err.code == WERR_NONE ||
	    !utf8_valid(err.message, strlen(err.message)) ||
	    !utf8_valid(err.field, strlen(err.field)))
		abort();
	pack_reply_error(p, &err, m ? msg_req(m) : NULL);
	check_reply(p);
	msg_destroy(&m);
	buf_free(&b);
	return 0;
}
