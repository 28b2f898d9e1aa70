/*
 * test_msg.c: request decoding and validation (common/msg.c).
 *
 * Most cases are one row of a table: a request written in mpbuild.h's
 * notation, the error code it must get, the field the error names and a
 * piece of its message. A row with WERR_NONE must pass all three stages
 * (msg_parse, msg_header, msg_fields).
 */
#include "../test.h"
#include "mpbuild.h"

#include "msg.h"
#include "pack.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const levels[] = {"omrade", "grupp", "individ", NULL};

enum {
	F_ID, F_DISTRICT, F_SEVERITY, F_SUMMARY, F_DETAILS, F_OCCURRED, F_LEVEL,
	F_EXTERNAL, F_PARTNERS, F_NUMBER, F_OFFSET, F_ANY, F_ANYSTR, F_REPORTER,
	F_N
};

static const msg_field_t spec[F_N] = {
	[F_ID]       = {"id", MF_ID, true, 1, 64, NULL, 0},
	[F_DISTRICT] = {"district", MF_STR, true, 1, 100, NULL, 0},
	[F_SEVERITY] = {"severity", MF_INT, true, 1, 5, NULL, 0},
	[F_SUMMARY]  = {"summary", MF_STR, true, 1, 200, NULL, 0},
	[F_DETAILS]  = {"details", MF_STR, false, 0, 8000, NULL, 0},
	[F_OCCURRED] = {"occurred_at", MF_TIME, false, 0, 0, NULL, 0},
	[F_LEVEL]    = {"level", MF_ENUM, false, 0, 0, levels, 0},
	[F_EXTERNAL] = {"needs_external", MF_BOOL, false, 0, 0, NULL, 0},
	[F_PARTNERS] = {"partners", MF_STRS, false, 0, 10, NULL, 20},
	[F_NUMBER]   = {"number", MF_STR_OR_INT, false, 1, 32, NULL, 0},
	[F_OFFSET]   = {"offset", MF_INT, false, -100, 100, NULL, 0},
	[F_ANY]      = {"any", MF_INT, false, 0, 0, NULL, 0},
	[F_ANYSTR]   = {"anystr", MF_STR, false, 0, 0, NULL, 0},
	[F_REPORTER] = {"reporter", MF_LINE, false, 1, 100, NULL, 0},
};

/* a valid submit; rows append to it */
#define B_HDR "\"v\": 1, \"op\": \"submit\", "
#define B_ID "\"id\": \"abc-1\", "
#define B_DIS "\"district\": \"Sk\xc3\xa4ggetorp\", "
#define B_SEV "\"severity\": 3, "
#define B_SUM "\"summary\": \"x\""
#define OK_ B_HDR B_ID B_DIS B_SEV B_SUM
/* a valid submit with its summary or district replaced */
#define SUMMARY_(x) "{" B_HDR B_ID B_DIS B_SEV "\"summary\": " x "}"
#define DISTRICT_(x) "{" B_HDR B_ID B_SEV B_SUM ", \"district\": " x "}"

typedef struct {
	const char  *req;
	wire_code_t  code;
	const char  *field;     /* NULL: not checked; "": none */
	const char  *msg;       /* a piece of the message, or NULL */
} msg_case_t;

/* Runs a frame through the three stages; returns the error code. */
static wire_code_t
run(const void *data, size_t len, msg_val_t *vals, wire_err_t *err)
{
	const char *op;
	size_t op_len;
	msg_t *m;
	int rc;

	memset(err, 0, sizeof(*err));
	if ((m = msg_parse(data, len, err)) == NULL) {
		CHECK(err->code != WERR_NONE);
		return err->code;
	}
	rc = msg_header(m, &op, &op_len, err);
	if (rc == 0)
		rc = msg_fields(m, spec, F_N, vals, err);
	msg_destroy(&m);
	CHECK(m == NULL);
	if (rc < 0) {
		CHECK(err->code != WERR_NONE);
		return err->code;
	}
	return WERR_NONE;
}

static void
run_cases(const msg_case_t *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const msg_case_t *c = &cases[i];
		msgpack_sbuffer sb;
		msg_val_t vals[F_N];
		wire_err_t err;
		wire_code_t code;

		msgpack_sbuffer_init(&sb);
		if (mpb_build(c->req, &sb) < 0) {
			test_fail(__FILE__, __LINE__, "case %zu: bad notation: %s", i, c->req);
			msgpack_sbuffer_destroy(&sb);
			continue;
		}
		code = run(sb.data, sb.size, vals, &err);
		if (code != c->code)
			test_fail(__FILE__, __LINE__, "case %zu %s: code %s, expected %s (%s)",
			    i, c->req, wire_code_name(code), wire_code_name(c->code),
			    err.message);
		else if (c->field && strcmp(err.field, c->field) != 0)
			test_fail(__FILE__, __LINE__, "case %zu %s: field \"%s\", expected \"%s\"",
			    i, c->req, err.field, c->field);
		else if (c->msg && strstr(err.message, c->msg) == NULL)
			test_fail(__FILE__, __LINE__, "case %zu %s: message \"%s\" lacks \"%s\"",
			    i, c->req, err.message, c->msg);
		msgpack_sbuffer_destroy(&sb);
	}
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

TEST(test_frame)
{
	static const msg_case_t cases[] = {
		{"{" OK_ "}", WERR_NONE, "", NULL},
		{"[1, 2]", WERR_BAD_REQUEST, "", "request must be a msgpack map"},
		{"[]", WERR_BAD_REQUEST, "", "must be a msgpack map, not an array"},
		{"1", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"-1", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"\"v\"", WERR_BAD_REQUEST, "", "must be a msgpack map, not a string"},
		{"nil", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"true", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"1.5", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"b\"\\x81\\xa1v\\x01\"", WERR_BAD_REQUEST, "", "must be a msgpack map"},
		{"{}", WERR_BAD_REQUEST, "v", "missing \"v\""},
		{"{1: 2, \"v\": 1}", WERR_BAD_REQUEST, "", "keys must be strings; key 1 is an integer"},
		{"{\"v\": 1, nil: 1}", WERR_BAD_REQUEST, "", "key 2 is nil"},
		{"{\"v\": 1, b\"op\": \"x\"}", WERR_BAD_REQUEST, "", "key 2 is binary"},
		{"{\"v\": 1, [1]: 1}", WERR_BAD_REQUEST, "", "key 2 is an array"},
		{"{\"v\": 1, {}: 1}", WERR_BAD_REQUEST, "", "key 2 is a map"},
		{"{\"v\": 1, 1.5: 1}", WERR_BAD_REQUEST, "", "key 2 is a float"},
		{"{\"v\": 1, true: 1}", WERR_BAD_REQUEST, "", "key 2 is a boolean"},
		{"{\"v\": 1, \"v\": 1}", WERR_BAD_REQUEST, "", "key 'v' appears more than once"},
		{"{" OK_ ", \"summary\": \"y\"}", WERR_BAD_REQUEST, "", "'summary' appears more"},
		{"{\"v\": 1, \"\": 1, \"\": 2}", WERR_BAD_REQUEST, "", "'' appears more"},
		/* invalid UTF-8 in keys: stray continuation, bad lead, overlong,
		 * surrogate, truncated, above U+10FFFF */
		{"{\"v\": 1, \"\\x80\": 1}", WERR_BAD_REQUEST, "", "key 2 is not valid UTF-8"},
		{"{\"\\xff\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"\\xc0\\xaf\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"\\xe0\\x80\\xaf\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"\\xed\\xa0\\x80\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"a\\xc3\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"\\xf4\\x90\\x80\\x80\": 1}", WERR_BAD_REQUEST, "", "not valid UTF-8"},
		{"{\"\\xc3\\xa4\": 1}", WERR_BAD_REQUEST, "v", "missing"},
	};

	RUN(cases);
}

TEST(test_header)
{
	static const msg_case_t cases[] = {
		{"{\"op\": \"ping\"}", WERR_BAD_REQUEST, "v", "missing \"v\""},
		{"{\"v\": \"1\", \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", "'v' must be a positive integer"},
		{"{\"v\": 0, \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", "not 0"},
		{"{\"v\": -1, \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", "not -1"},
		{"{\"v\": 1.0, \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", "not a float"},
		{"{\"v\": true, \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", NULL},
		{"{\"v\": nil, \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", NULL},
		{"{\"v\": [1], \"op\": \"ping\"}", WERR_BAD_REQUEST, "v", NULL},
		{"{\"v\": 2, \"op\": \"ping\"}", WERR_UNSUPPORTED_VERSION, "v",
		    "protocol version 2 is not supported; this server speaks 1"},
		{"{\"v\": 18446744073709551615, \"op\": \"ping\"}", WERR_UNSUPPORTED_VERSION, "v",
		    "18446744073709551615"},
		{"{\"op\": \"ping\", \"v\": 2}", WERR_UNSUPPORTED_VERSION, "v", NULL},
		{"{\"v\": 1}", WERR_BAD_REQUEST, "op", "missing \"op\""},
		{"{\"v\": 1, \"op\": nil}", WERR_BAD_REQUEST, "op", "'op' must be a string, not nil"},
		{"{\"v\": 1, \"op\": 5}", WERR_BAD_REQUEST, "op", "'op' must be a string, not an integer"},
		{"{\"v\": 1, \"op\": b\"ping\"}", WERR_BAD_REQUEST, "op", "not binary"},
		{"{\"v\": 1, \"op\": [\"ping\"]}", WERR_BAD_REQUEST, "op", NULL},
		{"{\"v\": 1, \"op\": \"\"}", WERR_BAD_REQUEST, "op", "1 to 64 bytes"},
		{"{\"v\": 1, \"op\": \"\\xff\"}", WERR_BAD_REQUEST, "op", NULL},
		{"{\"v\": 1, \"op\": S65}", WERR_BAD_REQUEST, "op", NULL},
		{"{\"v\": 1, \"op\": \"pi\\x1bng\"}", WERR_BAD_REQUEST, "op", "control"},
		{"{\"v\": 1, \"op\": \"ping\\n\"}", WERR_BAD_REQUEST, "op", "control"},
		{"{\"v\": 1, \"op\": \"\\xe2\\x80\\xaeping\"}", WERR_BAD_REQUEST, "op", "bidi"},
		{"{\"v\": 1, \"op\": \"\\xc2\\x9b\"}", WERR_BAD_REQUEST, "op", NULL},
		{"{\"v\": 1, \"op\": S64}", WERR_INVALID_FIELD, "id", "missing required field 'id'"},
		/* "req": an integer or a short UTF-8 string, or nil */
		{"{" OK_ ", \"req\": \"abc\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": 7}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": -7}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": 18446744073709551615}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": nil}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": S256}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": S257}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"req\": [1]}", WERR_INVALID_FIELD, "req", "integer or a UTF-8 string"},
		{"{" OK_ ", \"req\": {}}", WERR_INVALID_FIELD, "req", NULL},
		{"{" OK_ ", \"req\": 1.5}", WERR_INVALID_FIELD, "req", NULL},
		{"{" OK_ ", \"req\": true}", WERR_INVALID_FIELD, "req", NULL},
		{"{" OK_ ", \"req\": b\"x\"}", WERR_INVALID_FIELD, "req", NULL},
		{"{" OK_ ", \"req\": \"\\xff\"}", WERR_INVALID_FIELD, "req", NULL},
	};

	RUN(cases);
}

TEST(test_fields_presence)
{
	static const msg_case_t cases[] = {
		{"{" OK_ ", \"colour\": \"red\"}", WERR_INVALID_FIELD, "colour", "unknown field 'colour'"},
		{"{\"colour\": 1, " OK_ "}", WERR_INVALID_FIELD, "colour", NULL},
		{"{" OK_ ", \"Summary\": \"x\"}", WERR_INVALID_FIELD, "Summary", "unknown field"},
		{"{" OK_ ", \"\": 1}", WERR_INVALID_FIELD, "", "unknown field ''"},
		{"{" OK_ ", \"f\\xc3\\xa4rg\": 1}", WERR_INVALID_FIELD, "f\xc3\xa4rg", "'f\xc3\xa4rg'"},
		/* unknown keys are reported before any field's own error */
		{"{" OK_ ", \"severity\": 9, \"zz\": 1}", WERR_BAD_REQUEST, "", "appears more"},
		{"{\"v\": 1, \"op\": \"submit\", \"severity\": 9, \"zz\": 1}", WERR_INVALID_FIELD, "zz", NULL},
		{"{\"v\": 1, \"op\": \"submit\"}", WERR_INVALID_FIELD, "id", "missing required field 'id'"},
		{"{\"v\": 1, \"op\": \"submit\", \"id\": \"a\", \"severity\": 1, \"summary\": \"s\"}",
		    WERR_INVALID_FIELD, "district", "missing required field 'district'"},
		{"{\"v\": 1, \"op\": \"submit\", \"id\": nil}", WERR_INVALID_FIELD, "id", "missing required"},
		/* nil is the same as absent for an optional field */
		{"{" OK_ ", \"details\": nil, \"level\": nil, \"partners\": nil}", WERR_NONE, "", NULL},
	};

	RUN(cases);
}

TEST(test_fields_str)
{
	static const msg_case_t cases[] = {
		{"{" OK_ ", \"details\": \"\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"details\": S8000}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"details\": S8001}", WERR_INVALID_FIELD, "details",
		    "'details' must be a string of at most 8000 characters; it has 8001"},
		{"{" OK_ ", \"details\": U8000}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"details\": U8001}", WERR_INVALID_FIELD, "details", "it has 8001"},
		{SUMMARY_("S200"), WERR_NONE, "", NULL},
		{SUMMARY_("U200"), WERR_NONE, "", NULL},
		{SUMMARY_("S201"), WERR_INVALID_FIELD, "summary",
		    "'summary' must be a string of 1 to 200 characters; it has 201"},
		{SUMMARY_("\"\""), WERR_INVALID_FIELD, "summary", "1 to 200 characters; it has 0"},
		{SUMMARY_("5"), WERR_INVALID_FIELD, "summary", "'summary' must be a string, not an integer"},
		{SUMMARY_("b\"x\""), WERR_INVALID_FIELD, "summary", "not binary"},
		{SUMMARY_("[\"x\"]"), WERR_INVALID_FIELD, "summary", "not an array"},
		{SUMMARY_("true"), WERR_INVALID_FIELD, "summary", "not a boolean"},
		{SUMMARY_("\"\\xff\""), WERR_INVALID_FIELD, "summary", "'summary' is not valid UTF-8"},
		{SUMMARY_("\"a\\xc0\\xafb\""), WERR_INVALID_FIELD, "summary", "not valid UTF-8"},
		{SUMMARY_("\"\\xed\\xb0\\x80\""), WERR_INVALID_FIELD, "summary", "not valid UTF-8"},
		{SUMMARY_("\"ab\\xe2\\x82\""), WERR_INVALID_FIELD, "summary", "not valid UTF-8"},
		{SUMMARY_("\"\\xf0\\x9f\\x98\\x80 ok\""), WERR_NONE, "", NULL},
		{SUMMARY_("\"nul\\x00inside\""), WERR_INVALID_FIELD, "summary", "control character (U+0000)"},
		{DISTRICT_("U100"), WERR_NONE, "", NULL},
		{DISTRICT_("U101"), WERR_INVALID_FIELD, "district", "it has 101"},
		{"{" OK_ ", \"anystr\": S60000}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"anystr\": \"\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"details\": \"\\xc3\"}", WERR_INVALID_FIELD, "details", "'details' is not valid UTF-8"},
	};

	RUN(cases);
}

TEST(test_fields_id)
{
	static const msg_case_t cases[] = {
		{"{" OK_ ", \"id\": \"AZaz09._:-\"}", WERR_BAD_REQUEST, "", "appears more"},
		{"{\"v\": 1, \"op\": \"submit\", \"district\": \"d\", \"severity\": 3, "
		    "\"summary\": \"x\", \"id\": \"AZaz09._:-\"}", WERR_NONE, "", NULL},
#define ID_(x) "{\"v\": 1, \"op\": \"submit\", \"district\": \"d\", \"severity\": 3, " \
    "\"summary\": \"x\", \"id\": " x "}"
		{ID_("S64"), WERR_NONE, "", NULL},
		{ID_("\"a\""), WERR_NONE, "", NULL},
		{ID_("S65"), WERR_INVALID_FIELD, "id", "'id' must be 1 to 64 characters of A-Z a-z 0-9 . _ : -"},
		{ID_("\"\""), WERR_INVALID_FIELD, "id", "1 to 64 characters"},
		{ID_("\"a b\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"a/b\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"a+b\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"\\xc3\\xa4\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"\\xff\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"a\\x00\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("\"a\\n\""), WERR_INVALID_FIELD, "id", NULL},
		{ID_("42"), WERR_INVALID_FIELD, "id", "'id' must be a string, not an integer"},
		{ID_("b\"abc\""), WERR_INVALID_FIELD, "id", "must be a string"},
#undef ID_
	};

	RUN(cases);
}

TEST(test_fields_int)
{
	static const msg_case_t cases[] = {
#define SEV_(x) "{\"v\": 1, \"op\": \"submit\", \"id\": \"a\", \"district\": \"d\", " \
    "\"summary\": \"x\", \"severity\": " x "}"
		{SEV_("1"), WERR_NONE, "", NULL},
		{SEV_("5"), WERR_NONE, "", NULL},
		{SEV_("0"), WERR_INVALID_FIELD, "severity", "'severity' must be an integer from 1 to 5"},
		{SEV_("6"), WERR_INVALID_FIELD, "severity", "from 1 to 5; it is 6"},
		{SEV_("-1"), WERR_INVALID_FIELD, "severity", "from 1 to 5"},
		{SEV_("-9223372036854775808"), WERR_INVALID_FIELD, "severity", "it is -9223372036854775808"},
		{SEV_("9223372036854775807"), WERR_INVALID_FIELD, "severity", NULL},
		{SEV_("9223372036854775808"), WERR_INVALID_FIELD, "severity", NULL},
		{SEV_("18446744073709551615"), WERR_INVALID_FIELD, "severity", "it is 18446744073709551615"},
		{SEV_("\"3\""), WERR_INVALID_FIELD, "severity", "'severity' must be an integer from 1 to 5, not a string"},
		{SEV_("3.0"), WERR_INVALID_FIELD, "severity", "not a float"},
		{SEV_("true"), WERR_INVALID_FIELD, "severity", "not a boolean"},
		{SEV_("[3]"), WERR_INVALID_FIELD, "severity", NULL},
		{SEV_("nil"), WERR_INVALID_FIELD, "severity", "missing required field 'severity'"},
#undef SEV_
		{"{" OK_ ", \"offset\": -100}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"offset\": 100}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"offset\": 0}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"offset\": -101}", WERR_INVALID_FIELD, "offset", "from -100 to 100; it is -101"},
		{"{" OK_ ", \"offset\": 101}", WERR_INVALID_FIELD, "offset", "from -100 to 100"},
		{"{" OK_ ", \"any\": -9223372036854775808}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"any\": 9223372036854775807}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"any\": 9223372036854775808}", WERR_INVALID_FIELD, "any", "out of range"},
		{"{" OK_ ", \"any\": \"1\"}", WERR_INVALID_FIELD, "any", "'any' must be an integer, not a string"},
		{"{" OK_ ", \"needs_external\": true}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"needs_external\": false}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"needs_external\": 1}", WERR_INVALID_FIELD, "needs_external",
		    "'needs_external' must be true or false, not an integer"},
		{"{" OK_ ", \"needs_external\": \"true\"}", WERR_INVALID_FIELD, "needs_external", NULL},
	};

	RUN(cases);
}

TEST(test_fields_time)
{
	static const msg_case_t cases[] = {
#define T_(x) "{" OK_ ", \"occurred_at\": " x "}"
		{T_("\"2026-11-22T20:15:03Z\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22T21:15:03+01:00\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22T14:45:03-05:30\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22T21:15:03.5+01:00\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22t20:15:03z\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22 20:15:03Z\""), WERR_NONE, "", NULL},
		{T_("\"2026-11-22\""), WERR_INVALID_FIELD, "occurred_at",
		    "'occurred_at' is not an RFC 3339 time"},
		{T_("\"2026-11-22T20:15:03\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"2026-13-01T00:00:00Z\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"2026-02-30T00:00:00Z\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"2026-11-22T25:00:00Z\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"2026-11-22T20:15:03+1:00\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"2026-11-22T20:15:03Z \""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"yesterday\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"\""), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("1764000000"), WERR_INVALID_FIELD, "occurred_at", NULL},
		{T_("\"1800-01-01T00:00:00Z\""), WERR_INVALID_FIELD, "occurred_at", NULL},
#undef T_
	};

	RUN(cases);
}

TEST(test_fields_enum_strs)
{
	static const msg_case_t cases[] = {
		{"{" OK_ ", \"level\": \"omrade\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"level\": \"individ\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"level\": \"GRUPP\"}", WERR_INVALID_FIELD, "level",
		    "'level' must be one of \"omrade\", \"grupp\" or \"individ\""},
		{"{" OK_ ", \"level\": \"\"}", WERR_INVALID_FIELD, "level", NULL},
		{"{" OK_ ", \"level\": \"grupp \"}", WERR_INVALID_FIELD, "level", NULL},
		{"{" OK_ ", \"level\": \"grup\"}", WERR_INVALID_FIELD, "level", NULL},
		{"{" OK_ ", \"level\": 1}", WERR_INVALID_FIELD, "level", "one of"},
		{"{" OK_ ", \"partners\": [\"polis\", \"skola\"]}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"partners\": []}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"partners\": [S20, U20]}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"partners\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"partners\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}",
		    WERR_INVALID_FIELD, "partners", "'partners' must hold at most 10 strings; it has 11"},
		{"{" OK_ ", \"partners\": \"polis\"}", WERR_INVALID_FIELD, "partners",
		    "'partners' must be an array of strings, not a string"},
		{"{" OK_ ", \"partners\": [\"polis\", 1]}", WERR_INVALID_FIELD, "partners", "item 2 is an integer"},
		{"{" OK_ ", \"partners\": [\"polis\", \"\"]}", WERR_INVALID_FIELD, "partners", "item 2 must be a string of 1 to 20"},
		{"{" OK_ ", \"partners\": [S21]}", WERR_INVALID_FIELD, "partners", "item 1"},
		{"{" OK_ ", \"partners\": [\"\\xff\"]}", WERR_INVALID_FIELD, "partners", "'partners' item 1 is not valid UTF-8"},
		{"{" OK_ ", \"partners\": [[\"a\"]]}", WERR_INVALID_FIELD, "partners", NULL},
		{"{" OK_ ", \"partners\": [nil]}", WERR_INVALID_FIELD, "partners", NULL},
		{"{" OK_ ", \"partners\": {\"a\": \"b\"}}", WERR_INVALID_FIELD, "partners", "not a map"},
		{"{" OK_ ", \"number\": 42}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"number\": -42}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"number\": \"INC-2026-000042\"}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"number\": S32}", WERR_NONE, "", NULL},
		{"{" OK_ ", \"number\": S33}", WERR_INVALID_FIELD, "number",
		    "'number' must be an integer or a string of 1 to 32 characters"},
		{"{" OK_ ", \"number\": \"\"}", WERR_INVALID_FIELD, "number", "it has 0"},
		{"{" OK_ ", \"number\": true}", WERR_INVALID_FIELD, "number", "not a boolean"},
		{"{" OK_ ", \"number\": 1.5}", WERR_INVALID_FIELD, "number", NULL},
		{"{" OK_ ", \"number\": \"\\xff\"}", WERR_INVALID_FIELD, "number", "not valid UTF-8"},
		{"{" OK_ ", \"number\": 18446744073709551615}", WERR_INVALID_FIELD, "number", "out of range"},
	};

	RUN(cases);
}

/* The values msg_fields hands back. */
TEST(test_values)
{
	msgpack_sbuffer sb;
	msg_val_t v[F_N];
	wire_err_t err;
	const char *op;
	size_t op_len;
	msg_t *m;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{" OK_ ", \"occurred_at\": \"2026-11-22T21:15:03.5+01:00\", "
	    "\"level\": \"individ\", \"needs_external\": true, \"partners\": [\"polis\", \"skola\"], "
	    "\"number\": \"INC-1\", \"offset\": -7, \"details\": nil}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(msg_header(m, &op, &op_len, &err) == 0);
	CHECK(msg_op_is(op, op_len, "submit"));
	CHECK(msg_fields(m, spec, F_N, v, &err) == 0);
	CHECK(v[F_ID].present && v[F_ID].len == 5 && memcmp(v[F_ID].str, "abc-1", 5) == 0);
	CHECK(v[F_DISTRICT].len == 11 && memcmp(v[F_DISTRICT].str, "Sk\xc3\xa4ggetorp", 11) == 0);
	CHECK(v[F_SEVERITY].present);
	CHECK_INT(v[F_SEVERITY].i, 3);
	CHECK(!v[F_DETAILS].present);
	CHECK(v[F_OCCURRED].present);
	CHECK_INT(v[F_OCCURRED].ms, 1795378503500LL);
	CHECK_INT(v[F_OCCURRED].len, 27);
	CHECK_INT(v[F_LEVEL].i, 2);
	CHECK(v[F_LEVEL].len == 7 && memcmp(v[F_LEVEL].str, "individ", 7) == 0);
	CHECK(v[F_EXTERNAL].present && v[F_EXTERNAL].b);
	CHECK(v[F_PARTNERS].present && v[F_PARTNERS].items != NULL);
	if (v[F_PARTNERS].items) {
		CHECK_INT(v[F_PARTNERS].items->size, 2);
		CHECK(v[F_PARTNERS].items->ptr[1].via.str.size == 5);
	}
	CHECK(v[F_NUMBER].present && v[F_NUMBER].is_str && v[F_NUMBER].len == 5);
	CHECK_INT(v[F_OFFSET].i, -7);
	CHECK(!v[F_ANY].present);
	msg_destroy(&m);
	msgpack_sbuffer_clear(&sb);

	CHECK(mpb_build("{" OK_ ", \"number\": 42, \"needs_external\": false}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK(msg_fields(m, spec, F_N, v, &err) == 0);
		CHECK(v[F_NUMBER].present && !v[F_NUMBER].is_str);
		CHECK_INT(v[F_NUMBER].i, 42);
		CHECK(v[F_EXTERNAL].present && !v[F_EXTERNAL].b);
		CHECK(!v[F_PARTNERS].present && v[F_PARTNERS].items == NULL);
	}
	msg_destroy(&m);
	msgpack_sbuffer_destroy(&sb);
}

/* msg_get, msg_req, msg_root, msg_op_is and an empty spec */
TEST(test_accessors)
{
	msgpack_sbuffer sb;
	wire_err_t err;
	const char *op;
	size_t op_len;
	msg_t *m;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{\"v\": 1, \"op\": \"ping\", \"req\": \"r-1\"}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(msg_header(m, &op, &op_len, &err) == 0);
	CHECK(msg_op_is(op, op_len, "ping"));
	CHECK(!msg_op_is(op, op_len, "pin"));
	CHECK(!msg_op_is(op, op_len, "pings"));
	CHECK(msg_req(m) != NULL && msg_req(m)->type == MSGPACK_OBJECT_STR);
	CHECK(msg_get(m, "v") != NULL && msg_get(m, "v")->via.u64 == 1);
	CHECK(msg_get(m, "nope") == NULL);
	CHECK(msg_get(m, "re") == NULL);
	CHECK(msg_root(m)->type == MSGPACK_OBJECT_MAP && msg_root(m)->via.map.size == 3);
	CHECK(msg_fields(m, NULL, 0, NULL, &err) == 0);
	msg_destroy(&m);
	msg_destroy(&m);        /* NULL is fine */
	msg_destroy(NULL);
	msgpack_sbuffer_clear(&sb);

	/* a "req" that cannot be echoed is not handed out */
	CHECK(mpb_build("{\"v\": 1, \"op\": \"ping\", \"req\": [1]}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL && msg_req(m) == NULL);
	CHECK(msg_header(m, &op, &op_len, &err) < 0);
	CHECK_INT(err.code, WERR_INVALID_FIELD);
	CHECK_STR(err.field, "req");
	msg_destroy(&m);
	msgpack_sbuffer_clear(&sb);

	CHECK(mpb_build("{\"v\": 1, \"op\": \"ping\"}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL && msg_req(m) == NULL);
	msg_destroy(&m);
	msgpack_sbuffer_destroy(&sb);
}

/* Raw frames: garbage, truncation, trailing bytes, hostile headers. */
TEST(test_raw)
{
	static const struct {
		const char *bytes;
		size_t      len;
		const char *msg;
	} cases[] = {
		{"", 0, "empty"},
		{"\xc1", 1, "not valid msgpack"},
		{"\x81\xa1v\xc1", 4, "not valid msgpack"},
		{"GET / HTTP/1.1\r\n\r\n", 18, "bytes after"},
		{"\x81\xa1v", 3, "not valid msgpack"},
		{"\x81\xa1v\x01\x00", 5, "bytes after its msgpack map"},
		{"\x81\xa1v\x01\x81\xa1v\x01", 8, "bytes after"},
		{"\x81\xa1v\xdb\xff\xff\xff\xff", 8, "not valid msgpack"},
		{"\x81\xa1v\xdd\xff\xff\xff\xff\x01", 9, "not valid msgpack"},
		{"\xdf\xff\xff\xff\xff", 5, "not valid msgpack"},
		{"\x81\xa1v\xc6\x00\x01\x00\x00", 8, "not valid msgpack"},
		{"\x81\xa1v\xc9\x00\x00\x00\x10\x01", 9, "not valid msgpack"},
		{"\x81\xa1v\xcf\x00\x00", 6, "not valid msgpack"},
		{"\x81\xa1v\xd8\x01", 5, "not valid msgpack"},
		{"\x82\xa1v\x01", 4, "not valid msgpack"},
		{"\xde\x00", 2, "not valid msgpack"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wire_err_t err;
		msg_t *m = msg_parse(cases[i].bytes, cases[i].len, &err);

		if (m != NULL) {
			test_fail(__FILE__, __LINE__, "raw case %zu parsed", i);
			msg_destroy(&m);
			continue;
		}
		if (err.code != WERR_BAD_REQUEST || strstr(err.message, cases[i].msg) == NULL)
			test_fail(__FILE__, __LINE__, "raw case %zu: %s: %s", i,
			    wire_code_name(err.code), err.message);
	}
	CHECK(msg_parse(NULL, 0, &(wire_err_t){0}) == NULL);
}

/* Every proper prefix of a valid frame is rejected; the whole one is not. */
TEST(test_truncated)
{
	msgpack_sbuffer sb;
	wire_err_t err;
	msg_t *m;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{" OK_ ", \"occurred_at\": \"2026-11-22T20:15:03Z\", "
	    "\"partners\": [\"polis\", b\"x\", 1.5, -3, 70000, {\"a\": [nil, true]}], "
	    "\"req\": 4294967296}", &sb) == 0);
	for (size_t n = 0; n < sb.size; n++) {
		char *copy = malloc(n ? n : 1);     /* exact size: ASan sees overreads */

		memcpy(copy, sb.data, n);
		m = msg_parse(copy, n, &err);
		if (m != NULL || err.code != WERR_BAD_REQUEST)
			test_fail(__FILE__, __LINE__, "prefix of %zu bytes: %s", n, err.message);
		msg_destroy(&m);
		free(copy);
	}
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	msg_destroy(&m);
	msgpack_sbuffer_destroy(&sb);
}

TEST(test_nesting)
{
	unsigned char f[200];
	wire_err_t err;
	msg_t *m;
	size_t n = 0;

	/* {"x": [[...[nil]...]]}: the map and 15 arrays are 16 levels */
	f[n++] = 0x81;
	f[n++] = 0xa1;
	f[n++] = 'x';
	for (int i = 0; i < 15; i++)
		f[n++] = 0x91;
	f[n++] = 0xc0;
	m = msg_parse(f, n, &err);
	CHECK(m != NULL);
	msg_destroy(&m);
	/* one more level is too deep */
	f[n - 1] = 0x91;
	f[n++] = 0xc0;
	m = msg_parse(f, n, &err);
	CHECK(m == NULL);
	CHECK_INT(err.code, WERR_BAD_REQUEST);
	CHECK_HAS(err.message, "too deeply");
	msg_destroy(&m);
	/* an empty array in the 17th level adds no level */
	f[--n - 1] = 0x90;
	m = msg_parse(f, n, &err);
	CHECK(m != NULL);
	msg_destroy(&m);
	/* far deeper than msgpack-c's own stack */
	n = 3;
	for (int i = 0; i < 150; i++)
		f[n++] = 0x91;
	f[n++] = 0xc0;
	m = msg_parse(f, n, &err);
	CHECK(m == NULL);
	CHECK_INT(err.code, WERR_BAD_REQUEST);
}

TEST(test_size)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	wire_err_t err;
	msg_t *m;
	char *big;
	size_t pad;

	/* exactly WIRE_MAX_FRAME bytes: parsed */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	msgpack_pack_str_with_body(&pk, "v", 1);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_str_with_body(&pk, "op", 2);
	msgpack_pack_str_with_body(&pk, "x", 1);
	msgpack_pack_str_with_body(&pk, "anystr", 6);
	pad = WIRE_MAX_FRAME - sb.size - 3;     /* str16 header */
	big = malloc(pad);
	memset(big, 'a', pad);
	msgpack_pack_str(&pk, (uint32_t)pad);
	if (sb.size + pad != WIRE_MAX_FRAME)
		test_fail(__FILE__, __LINE__, "frame of %zu", sb.size + pad);
	msgpack_pack_str_body(&pk, big, pad);
	CHECK_INT(sb.size, WIRE_MAX_FRAME);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	msg_destroy(&m);
	/* one byte more: too_large, whatever it holds */
	msgpack_sbuffer_write(&sb, "x", 1);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m == NULL);
	CHECK_INT(err.code, WERR_TOO_LARGE);
	CHECK_STR(err.message, "request is 65537 bytes; the limit is 65536");
	CHECK_STR(err.field, "");
	m = msg_parse(big, (size_t)1 << 20, &err);      /* never read */
	CHECK(m == NULL && err.code == WERR_TOO_LARGE);
	free(big);
	msgpack_sbuffer_destroy(&sb);
}

/* Thousands of keys: the duplicate check must not go quadratic. */
TEST(test_many_keys)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	wire_err_t err;
	char key[16];
	msg_t *m;
	int n = 9000;

	for (int dup = 0; dup < 2; dup++) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, (size_t)n);
		for (int i = 0; i < n; i++) {
			int k = dup && i == n - 1 ? 4711 : i;

			snprintf(key, sizeof(key), "%d", k);
			msgpack_pack_str_with_body(&pk, key, strlen(key));
			msgpack_pack_nil(&pk);
		}
		CHECK(sb.size <= WIRE_MAX_FRAME);
		m = msg_parse(sb.data, sb.size, &err);
		if (dup) {
			CHECK(m == NULL);
			CHECK_INT(err.code, WERR_BAD_REQUEST);
			CHECK_HAS(err.message, "key '4711' appears more than once");
		} else {
			CHECK(m != NULL);
			if (m != NULL) {
				CHECK(msg_header(m, &(const char *){0}, &(size_t){0}, &err) < 0);
				CHECK_STR(err.field, "v");
			}
		}
		msg_destroy(&m);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* An unknown key is quoted whole when short, cut on a character when long. */
TEST(test_long_unknown_key)
{
	msgpack_sbuffer sb;
	msg_val_t v[F_N];
	wire_err_t err;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{" OK_ ", U100: 1}", &sb) == 0);
	CHECK_INT(run(sb.data, sb.size, v, &err), WERR_INVALID_FIELD);
	CHECK(strlen(err.field) > 0 && strlen(err.field) < sizeof(err.field));
	CHECK(strlen(err.field) % 2 == 0);      /* whole 'ä's only */
	CHECK(utf8_valid(err.field, strlen(err.field)));
	CHECK(utf8_valid(err.message, strlen(err.message)));
	CHECK_HAS(err.message, "unknown field '\xc3\xa4\xc3\xa4");
	msgpack_sbuffer_destroy(&sb);
}

/* The error of a failed request packs into a reply that echoes "req". */
TEST(test_error_reply)
{
	msgpack_sbuffer sb;
	msgpack_unpacked up;
	wire_err_t err;
	const void *data;
	size_t len;
	pack_t *p = pack_new();
	const char *op;
	size_t op_len;
	msg_t *m;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{\"v\": 2, \"op\": \"ping\", \"req\": 99}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	CHECK(msg_header(m, &op, &op_len, &err) < 0);
	pack_reply_error(p, &err, msg_req(m));
	data = pack_data(p, &len);
	msgpack_unpacked_init(&up);
	CHECK(msgpack_unpack_next(&up, data, len, NULL) == MSGPACK_UNPACK_SUCCESS);
	CHECK(up.data.type == MSGPACK_OBJECT_MAP && up.data.via.map.size == 3);
	CHECK(up.data.via.map.ptr[2].val.via.u64 == 99);
	msgpack_unpacked_destroy(&up);
	msg_destroy(&m);
	pack_destroy(&p);
	msgpack_sbuffer_destroy(&sb);
}

/*
 * Sends text as the value of one field (or as the one item of partners) in
 * an otherwise valid submit; returns the code and fills err.
 */
static wire_code_t
run_text(const char *field, const char *text, size_t len, wire_err_t *err)
{
	pack_t *p = pack_new();
	msg_val_t vals[F_N];
	const void *data;
	size_t n;
	wire_code_t code;
	bool summary = strcmp(field, "summary") == 0;
	bool district = strcmp(field, "district") == 0;

	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "id", "abc-1");
	if (!district)
		pack_kv_str(p, "district", "Ryd");
	pack_kv_int(p, "severity", 3);
	if (!summary)
		pack_kv_str(p, "summary", "x");
	if (strcmp(field, "partners") == 0) {
		pack_key(p, "partners");
		pack_array_open(p);
		pack_strn(p, text, len);
		pack_array_close(p);
	} else {
		pack_kv_strn(p, field, text, len);
	}
	pack_map_close(p);
	data = pack_data(p, &n);
	code = run(data, n, vals, err);
	pack_destroy(&p);
	return code;
}

/* Every character docs/protocol.md refuses, in every kind of text field. */
TEST(test_text_characters)
{
	static const struct {
		const char *field;
		bool        one_line;
	} fields[] = {
		{"summary", false}, {"details", false}, {"anystr", false},
		{"district", false}, {"number", false}, {"partners", false},
		{"reporter", true},
	};
	static const struct {
		const char *name, *bytes;
		size_t      len;        /* 0: strlen */
		int         bad;        /* 0 fine, 1 refused, 2 refused in one line */
		const char *msg;
	} chars[] = {
		{"NUL", "\0", 1, 1, "control character (U+0000)"},
		{"SOH", "\x01", 0, 1, "control character (U+0001)"},
		{"BS", "\b", 0, 1, "control character (U+0008)"},
		{"VT", "\v", 0, 1, "control character (U+000B)"},
		{"FF", "\f", 0, 1, "control character (U+000C)"},
		{"CR", "\r", 0, 1, "control character (U+000D)"},
		{"ESC", "\x1b", 0, 1, "control character (U+001B)"},
		{"US", "\x1f", 0, 1, "control character (U+001F)"},
		{"DEL", "\x7f", 0, 1, "control character (U+007F)"},
		{"PAD", "\xc2\x80", 0, 1, "control character (U+0080)"},
		{"NEL", "\xc2\x85", 0, 1, "control character (U+0085)"},
		{"CSI", "\xc2\x9b", 0, 1, "control character (U+009B)"},
		{"APC", "\xc2\x9f", 0, 1, "control character (U+009F)"},
		{"LRE", "\xe2\x80\xaa", 0, 1, "bidirectional control character (U+202A)"},
		{"RLE", "\xe2\x80\xab", 0, 1, "bidirectional control character (U+202B)"},
		{"PDF", "\xe2\x80\xac", 0, 1, "bidirectional control character (U+202C)"},
		{"LRO", "\xe2\x80\xad", 0, 1, "bidirectional control character (U+202D)"},
		{"RLO", "\xe2\x80\xae", 0, 1, "bidirectional control character (U+202E)"},
		{"LRI", "\xe2\x81\xa6", 0, 1, "bidirectional control character (U+2066)"},
		{"RLI", "\xe2\x81\xa7", 0, 1, "bidirectional control character (U+2067)"},
		{"FSI", "\xe2\x81\xa8", 0, 1, "bidirectional control character (U+2068)"},
		{"PDI", "\xe2\x81\xa9", 0, 1, "bidirectional control character (U+2069)"},
		{"LF", "\n", 0, 2, "must be one line"},
		{"LS", "\xe2\x80\xa8", 0, 2, "must be one line"},
		{"PS", "\xe2\x80\xa9", 0, 2, "must be one line"},
		{"TAB", "\t", 0, 0, NULL},
		{"LRM", "\xe2\x80\x8e", 0, 0, NULL},
		{"RLM", "\xe2\x80\x8f", 0, 0, NULL},
		{"ALM", "\xd8\x9c", 0, 0, NULL},
		{"NBSP", "\xc2\xa0", 0, 0, NULL},
		{"ZWSP", "\xe2\x80\x8b", 0, 0, NULL},
		{"ZWJ", "\xe2\x80\x8d", 0, 0, NULL},
		{"e-acute", "\xc3\xa9", 0, 0, NULL},
	};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
			size_t clen = chars[c].len ? chars[c].len : strlen(chars[c].bytes);
			bool bad = chars[c].bad == 1 || (chars[c].bad == 2 && fields[f].one_line);
			char text[16];
			wire_err_t err;
			wire_code_t code;

			/* in the middle, at the start and at the end */
			for (int at = 0; at < 3; at++) {
				size_t n = 0;

				if (at != 1)
					text[n++] = 'a';
				memcpy(text + n, chars[c].bytes, clen);
				n += clen;
				if (at != 2)
					text[n++] = 'b';
				code = run_text(fields[f].field, text, n, &err);
				if (code != (bad ? WERR_INVALID_FIELD : WERR_NONE) ||
				    (bad && (strcmp(err.field, fields[f].field) != 0 ||
				    strstr(err.message, chars[c].msg) == NULL)))
					test_fail(__FILE__, __LINE__, "%s in %s (at %d): %s \"%s\" field \"%s\"",
					    chars[c].name, fields[f].field, at, wire_code_name(code),
					    err.message, err.field);
			}
		}
	}
}

/* A required text, a partner or a string number may not be only blanks. */
TEST(test_text_blank)
{
	static const struct {
		const char *field;
		bool        refused;
	} fields[] = {
		{"summary", true}, {"district", true}, {"number", true},
		{"partners", true}, {"reporter", true},
		{"details", false}, {"anystr", false},  /* may be empty, so blank too */
	};
	static const char *const blanks[] = {
		" ", "   ", "\t", " \t ", "\xc2\xa0", "\xe3\x80\x80",
		"\xe2\x80\x83\xe2\x80\x89", "\xe2\x80\x8b", "\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf",
	};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t b = 0; b < sizeof(blanks) / sizeof(blanks[0]); b++) {
			wire_err_t err;
			wire_code_t code = run_text(fields[f].field, blanks[b],
			    strlen(blanks[b]), &err);

			if (code != (fields[f].refused ? WERR_INVALID_FIELD : WERR_NONE) ||
			    (fields[f].refused && (strcmp(err.field, fields[f].field) != 0 ||
			    strstr(err.message, "only blanks") == NULL)))
				test_fail(__FILE__, __LINE__, "blank %zu in %s: %s \"%s\"", b,
				    fields[f].field, wire_code_name(code), err.message);
		}
		/* a blank line with something on it is text */
		{
			wire_err_t err;

			CHECK_INT(run_text(fields[f].field, " x ", 3, &err), WERR_NONE);
		}
	}
	{
		wire_err_t err;

		/* "details" may hold blank lines; a multi-line field may be blank lines */
		CHECK_INT(run_text("details", " \n\n ", 4, &err), WERR_NONE);
		CHECK_INT(run_text("summary", " \n ", 3, &err), WERR_INVALID_FIELD);
		CHECK_HAS(err.message, "only blanks");
	}
}

/* Errors never quote a value, and name a key with its numbers masked. */
TEST(test_errors_do_not_echo)
{
	static const char *const fields[] = {"summary", "reporter", "partners",
	    "district", "details"};
	pack_t *p;
	const void *data;
	size_t n;
	msg_val_t vals[F_N];
	wire_err_t err;

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		CHECK_INT(run_text(fields[f], "811218-9876\x1b", 12, &err), WERR_INVALID_FIELD);
		CHECK(strstr(err.message, "9876") == NULL);
		CHECK(strstr(err.message, "811218") == NULL);
	}
	p = pack_new();
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "811218-9876\x1b\xe2\x80\xae", "x");
	pack_map_close(p);
	data = pack_data(p, &n);
	CHECK_INT(run(data, n, vals, &err), WERR_INVALID_FIELD);
	CHECK_STR(err.field, "XXXXXX-XXXX??");
	CHECK_HAS(err.message, "unknown field 'XXXXXX-XXXX?" "?'");
	pack_destroy(&p);
}

/* Every request is PRINCIPAL_LOCAL's until the server names its sender. */
TEST(test_principal)
{
	static const principal_t alice = {"alice", ROLE_RESPONDER, "tib-1", NULL};
	msgpack_sbuffer sb;
	wire_err_t err;
	msg_t *m;

	msgpack_sbuffer_init(&sb);
	CHECK(mpb_build("{" OK_ "}", &sb) == 0);
	m = msg_parse(sb.data, sb.size, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK(msg_principal(m) == &PRINCIPAL_LOCAL);
		CHECK_STR(msg_principal(m)->name, "local");
		CHECK_INT(msg_principal(m)->role, ROLE_ADMIN);
		msg_set_principal(m, &alice);
		CHECK_STR(msg_principal(m)->contact, "tib-1");
		msg_set_principal(m, NULL);
		CHECK(msg_principal(m) == &PRINCIPAL_LOCAL);
	}
	msg_destroy(&m);
	msgpack_sbuffer_destroy(&sb);
}

TEST_MAIN(test_frame, test_header, test_fields_presence, test_fields_str,
    test_fields_id, test_fields_int, test_fields_time, test_fields_enum_strs,
    test_values, test_accessors, test_raw, test_truncated, test_nesting,
    test_size, test_many_keys, test_long_unknown_key, test_error_reply,
    test_text_characters, test_text_blank, test_errors_do_not_echo, test_principal)
