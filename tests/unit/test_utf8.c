/*
 * test_utf8.c: UTF-8 validation, counting and folding (common/utf8.c).
 */
#include "../test.h"

#include "utf8.h"

TEST(test_valid)
{
	static const struct {
		const char *s;
		size_t      len;        /* 0: strlen */
		bool        ok;
	} cases[] = {
		{"", 0, true},
		{"abc", 0, true},
		{"Sk\xc3\xa4ggetorp", 0, true},
		{"\xc2\x80", 0, true},                  /* U+0080, smallest 2-byte */
		{"\xdf\xbf", 0, true},                  /* U+07FF */
		{"\xe0\xa0\x80", 0, true},              /* U+0800, smallest 3-byte */
		{"\xe2\x82\xac", 0, true},              /* € */
		{"\xed\x9f\xbf", 0, true},              /* U+D7FF, below the surrogates */
		{"\xee\x80\x80", 0, true},              /* U+E000, above them */
		{"\xef\xbf\xbf", 0, true},              /* U+FFFF */
		{"\xf0\x90\x80\x80", 0, true},          /* U+10000 */
		{"\xf0\x9f\x98\x80", 0, true},          /* 😀 */
		{"\xf4\x8f\xbf\xbf", 0, true},          /* U+10FFFF, the last */
		{"a\0b", 3, true},                      /* NUL is a character */
		/* stray continuation bytes and bytes never used */
		{"\x80", 0, false},
		{"\xbf", 0, false},
		{"a\x80z", 0, false},
		{"\xfe", 0, false},
		{"\xff", 0, false},
		{"\xf5\x80\x80\x80", 0, false},
		{"\xf8\x88\x80\x80\x80", 0, false},
		/* overlongs */
		{"\xc0\x80", 0, false},
		{"\xc0\xaf", 0, false},
		{"\xc1\xbf", 0, false},
		{"\xe0\x80\x80", 0, false},
		{"\xe0\x9f\xbf", 0, false},
		{"\xf0\x80\x80\x80", 0, false},
		{"\xf0\x8f\xbf\xbf", 0, false},
		/* surrogates */
		{"\xed\xa0\x80", 0, false},             /* U+D800 */
		{"\xed\xbf\xbf", 0, false},             /* U+DFFF */
		{"\xed\xa0\xbd\xed\xb8\x80", 0, false}, /* CESU-8 pair */
		/* above U+10FFFF */
		{"\xf4\x90\x80\x80", 0, false},
		/* truncated and broken sequences */
		{"\xc3", 0, false},
		{"a\xc3", 0, false},
		{"\xe2\x82", 0, false},
		{"\xf0\x9f\x98", 0, false},
		{"\xc3\x41", 0, false},
		{"\xe2\x28\xa1", 0, false},
		{"\xf0\x9f\x98\x41", 0, false},
		{"\xc3\xa4\xc3", 0, false},
		/* a length shorter than the string cuts a sequence */
		{"\xc3\xa4", 1, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);

		if (utf8_valid(cases[i].s, len) != cases[i].ok)
			test_fail(__FILE__, __LINE__, "case %zu: utf8_valid should be %s",
			    i, cases[i].ok ? "true" : "false");
	}
}

TEST(test_count)
{
	static const struct {
		const char *s;
		size_t      n;
	} cases[] = {
		{"", 0},
		{"abc", 3},
		{"Sk\xc3\xa4ggetorp", 10},
		{"\xc3\xa5\xc3\xa4\xc3\xb6", 3},
		{"\xe2\x82\xac" "uro", 4},
		{"\xf0\x9f\x98\x80", 1},
		{"a\xf4\x8f\xbf\xbf" "b", 3},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(utf8_count(cases[i].s, strlen(cases[i].s)), cases[i].n);
	CHECK_INT(utf8_count("a\0b", 3), 3);
}

TEST(test_fold)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Sk\xc3\xa4ggetorp", "skaggetorp"},
		{"skaggetorp", "skaggetorp"},
		{"SK\xc3\x84GGETORP", "skaggetorp"},
		{"STJ\xc3\x84RNORP", "stjarnorp"},
		{"Stj\xc3\xa4rnorp", "stjarnorp"},
		{"V\xc3\xa4sterl\xc3\xb6sa", "vasterlosa"},
		{"Malmsl\xc3\xa4tt", "malmslatt"},
		{"Link\xc3\xb6ping", "linkoping"},
		{"\xc3\x85\xc3\x84\xc3\x96\xc3\xa5\xc3\xa4\xc3\xb6", "aaoaao"},
		{"  Ryd", "ryd"},
		{"Ryd \t ", "ryd"},
		{"\t Lambohov\t", "lambohov"},
		{"   ", ""},
		{"", ""},
		{"Norra  Ekholmen", "norra  ekholmen"},  /* inner blanks kept */
		{"omradesteam-1", "omradesteam-1"},
		{"Hot_och_V\xc3\xa5ld", "hot_och_vald"},
		{"\xc3\x86" "ble", "aeble"},
		{"\xc3\x98re \xc3\xb8", "ore o"},
		{"\xc3\x9c" "ber M\xc3\xbcller", "uber muller"},
		{"\xc3\x89" "cole caf\xc3\xa9 cr\xc3\xa8me \xc3\xaa \xc3\xab", "ecole cafe creme e e"},
		{"\xc3\x8d\xc3\xad\xc3\xac\xc3\xae\xc3\xaf", "iiiii"},
		{"\xc3\xa1\xc3\xa0\xc3\xa2\xc3\xa3", "aaaa"},
		{"\xc3\xb3\xc3\xb2\xc3\xb4\xc3\xb5", "oooo"},
		{"\xc3\xba\xc3\xb9\xc3\xbb", "uuu"},
		{"Stra\xc3\x9f" "e", "strasse"},
		{"\xc3\xbf", "y"},                              /* ÿ */
		{"\xc3\x97\xc3\xb7", "\xc3\x97\xc3\xb7"},       /* × ÷ kept */
		{"\xe2\x82\xac 5", "\xe2\x82\xac 5"},           /* € kept */
		{"ABC xyz 123", "abc xyz 123"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_t out = BUF_INIT;

		utf8_fold(cases[i].in, strlen(cases[i].in), &out);
		if (strcmp(buf_str(&out), cases[i].out) != 0)
			test_fail(__FILE__, __LINE__, "case %zu: \"%s\" folds to \"%s\", expected \"%s\"",
			    i, cases[i].in, buf_str(&out), cases[i].out);
		CHECK(out.data != NULL);
		buf_free(&out);
	}
}

/* Folding appends, and keeps bytes that are not UTF-8 as they are. */
TEST(test_fold_append)
{
	buf_t out = BUF_INIT;

	buf_puts(&out, "x:");
	utf8_fold("\xc3\x85sa", 4, &out);
	CHECK_STR(buf_str(&out), "x:asa");
	buf_reset(&out);
	utf8_fold("A\xffZ", 3, &out);
	CHECK_INT(out.len, 3);
	CHECK(memcmp(out.data, "a\xffz", 3) == 0);
	buf_free(&out);
}

TEST_MAIN(test_valid, test_count, test_fold, test_fold_append)
