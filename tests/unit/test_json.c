/*
 * test_json.c: msgpack to JSON (common/json.c). Each row is a msgpack value
 * in mpbuild.h's notation and the compact JSON it must give.
 */
#include "../test.h"
#include "mpbuild.h"

#include "json.h"

#include <math.h>

/* the JSON of the value written in text; the caller frees it with buf_free */
static void
to_json(const char *text, bool pretty, buf_t *out)
{
	msgpack_sbuffer sb;
	msgpack_unpacked up;

	msgpack_sbuffer_init(&sb);
	msgpack_unpacked_init(&up);
	if (mpb_build(text, &sb) < 0 ||
	    msgpack_unpack_next(&up, sb.data, sb.size, NULL) != MSGPACK_UNPACK_SUCCESS)
		test_fail(__FILE__, __LINE__, "bad notation: %s", text);
	else
		json_from_msgpack(&up.data, out, pretty);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

TEST(test_compact)
{
	static const struct {
		const char *in, *json;
	} cases[] = {
		{"nil", "null"},
		{"true", "true"},
		{"false", "false"},
		{"0", "0"},
		{"42", "42"},
		{"-42", "-42"},
		{"18446744073709551615", "18446744073709551615"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"\"\"", "\"\""},
		{"\"Sk\\xc3\\xa4ggetorp\"", "\"Sk\xc3\xa4ggetorp\""},
		{"\"a\\\"b\\\\c/d\"", "\"a\\\"b\\\\c/d\""},
		{"\"\\n\\t\\x0d\\x08\\x0c\"", "\"\\n\\t\\r\\b\\f\""},
		{"\"\\x01\\x1f\\x7f\"", "\"\\u0001\\u001f\\u007f\""},
		/* C1 and bidi controls, line and paragraph separators: escaped */
		{"\"\\xc2\\x80\\xc2\\x9b\\xc2\\x9f\\xc2\\xa0\"", "\"\\u0080\\u009b\\u009f\xc2\xa0\""},
		{"\"a\\xe2\\x80\\xaeb\\xe2\\x81\\xa6\"", "\"a\\u202eb\\u2066\""},
		{"\"\\xe2\\x80\\xa8\\xe2\\x80\\xa9\\xe2\\x80\\x8f\"", "\"\\u2028\\u2029\xe2\x80\x8f\""},
		{"\"nul\\x00x\"", "\"nul\\u0000x\""},
		{"\"\\xf0\\x9f\\x98\\x80\"", "\"\xf0\x9f\x98\x80\""},
		/* bytes that are not UTF-8 become U+FFFD, one per byte */
		{"\"a\\xffb\"", "\"a\xef\xbf\xbd" "b\""},
		{"\"\\xc3\"", "\"\xef\xbf\xbd\""},
		{"\"\\xc0\\xaf\"", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
		{"\"\\xed\\xa0\\x80x\"", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx\""},
		{"b\"\"", "\"\""},
		{"b\"f\"", "\"Zg==\""},
		{"b\"fo\"", "\"Zm8=\""},
		{"b\"foo\"", "\"Zm9v\""},
		{"b\"foobar\"", "\"Zm9vYmFy\""},
		{"b\"\\x00\\xff\\xfe\"", "\"AP/+\""},
		{"1.5", "1.5"},
		{"0.1", "0.1"},
		{"-2.0", "-2.0"},
		{"1e300", "1e+300"},
		{"0.30000000000000004", "0.30000000000000004"},
		{"[]", "[]"},
		{"{}", "{}"},
		{"[1, \"a\", nil, [true]]", "[1,\"a\",null,[true]]"},
		{"{\"ok\": true, \"n\": {\"a\": []}}", "{\"ok\":true,\"n\":{\"a\":[]}}"},
		/* keys that are not strings are written as their JSON, quoted */
		{"{1: \"a\", -2: \"b\"}", "{\"1\":\"a\",\"-2\":\"b\"}"},
		{"{nil: 1, true: 2}", "{\"null\":1,\"true\":2}"},
		{"{1.5: 1}", "{\"1.5\":1}"},
		{"{[1, \"x\"]: 1}", "{\"[1,\\\"x\\\"]\":1}"},
		{"{{\"a\": 1}: 1}", "{\"{\\\"a\\\":1}\":1}"},
		{"{b\"fo\": 1}", "{\"Zm8=\":1}"},
		{"{\"\\n\": 1}", "{\"\\n\":1}"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_t out = BUF_INIT;

		to_json(cases[i].in, false, &out);
		if (strcmp(buf_str(&out), cases[i].json) != 0)
			test_fail(__FILE__, __LINE__, "case %zu %s: %s, expected %s", i,
			    cases[i].in, buf_str(&out), cases[i].json);
		buf_free(&out);
	}
}

TEST(test_pretty)
{
	buf_t out = BUF_INIT;

	to_json("{\"ok\": true, \"list\": [1, {\"a\": nil}], \"e\": [], \"m\": {}}", true, &out);
	CHECK_STR(buf_str(&out),
	    "{\n"
	    "  \"ok\": true,\n"
	    "  \"list\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"a\": null\n"
	    "    }\n"
	    "  ],\n"
	    "  \"e\": [],\n"
	    "  \"m\": {}\n"
	    "}");
	buf_reset(&out);
	to_json("\"x\"", true, &out);
	CHECK_STR(buf_str(&out), "\"x\"");
	buf_free(&out);
}

/* Appends, never replaces; floats JSON lacks become null; float32 is short. */
TEST(test_special)
{
	msgpack_object o;
	buf_t out = BUF_INIT;

	buf_puts(&out, "x=");
	o.type = MSGPACK_OBJECT_FLOAT64;
	o.via.f64 = NAN;
	json_from_msgpack(&o, &out, false);
	CHECK_STR(buf_str(&out), "x=null");
	buf_reset(&out);
	o.via.f64 = -INFINITY;
	json_from_msgpack(&o, &out, true);
	CHECK_STR(buf_str(&out), "null");
	buf_reset(&out);
	o.type = MSGPACK_OBJECT_FLOAT32;
	o.via.f64 = (double)0.1f;
	json_from_msgpack(&o, &out, false);
	CHECK_STR(buf_str(&out), "0.1");
	buf_reset(&out);
	o.via.f64 = 3.0;
	json_from_msgpack(&o, &out, false);
	CHECK_STR(buf_str(&out), "3.0");
	buf_reset(&out);
	o.type = MSGPACK_OBJECT_EXT;
	o.via.ext.type = 5;
	o.via.ext.ptr = "fo";
	o.via.ext.size = 2;
	json_from_msgpack(&o, &out, false);
	CHECK_STR(buf_str(&out), "{\"ext\":5,\"data\":\"Zm8=\"}");
	buf_reset(&out);
	o.via.ext.type = -1;
	json_from_msgpack(&o, &out, true);
	CHECK_STR(buf_str(&out), "{\"ext\": -1, \"data\": \"Zm8=\"}");
	buf_free(&out);
}

TEST_MAIN(test_compact, test_pretty, test_special)
