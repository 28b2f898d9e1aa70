/*
 * test_utf8.c: UTF-8 validation, counting and folding (common/utf8.c).
 */
#include "../test.h"

#include "utf8.h"

#include <stdlib.h>

#include <utf8proc.h>

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
		/* letters without a decomposition stay themselves */
		{"\xc3\x86" "ble", "\xc3\xa6" "ble"},
		{"\xc3\x98re \xc3\xb8", "\xc3\xb8re \xc3\xb8"},
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
		/* decomposed letters: NFD as macOS writes it */
		{"Ska\xcc\x88ggetorp", "skaggetorp"},
		{"SKA\xcc\x88GGETORP", "skaggetorp"},
		{"Va\xcc\x88sterlo\xcc\x88sa", "vasterlosa"},
		{"A\xcc\x8a" "sa", "asa"},                  /* Å as A + ring */
		{"e\xcc\x81\xcc\xa7", "e"},               /* two marks */
		/* compatibility forms: full-width, ligatures, superscripts */
		{"\xef\xbc\xa2\xef\xbd\x92\xef\xbd\x81\xef\xbd\x8e\xef\xbd\x84", "brand"},
		{"\xef\xac\x81le", "file"},                /* fi ligature */
		{"x\xc2\xb2", "x2"},
		/* blanks of every kind, invisible characters, dashes */
		{"\xc2\xa0Ryd\xe3\x80\x80", "ryd"},
		{"Norra\xe2\x80\x83" "Ekholmen", "norra ekholmen"},
		{"Lambo\xc2\xadhov", "lambohov"},           /* soft hyphen */
		{"Lam\xe2\x80\x8b" "bohov", "lambohov"},   /* zero-width space */
		{"omradesteam\xe2\x80\x90" "1", "omradesteam-1"},
		{"\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91", "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1"},
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

/* NFC composes what is decomposed and leaves the rest byte for byte. */
TEST(test_nfc)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", ""},
		{"Ryd", "Ryd"},
		{"Ska\xcc\x88ggetorp", "Sk\xc3\xa4ggetorp"},
		{"Sk\xc3\xa4ggetorp", "Sk\xc3\xa4ggetorp"},
		{"A\xcc\x8a" "A\xcc\x88O\xcc\x88", "\xc3\x85\xc3\x84\xc3\x96"},
		{"e\xcc\x81", "\xc3\xa9"},
		/* NFC keeps compatibility forms: NFKC is for matching only */
		{"\xef\xbc\x91\xef\xbc\x92", "\xef\xbc\x91\xef\xbc\x92"},
		{"\xef\xac\x81", "\xef\xac\x81"},
		{"tab\there\nline", "tab\there\nline"},
		/* canonical reordering of marks */
		{"a\xcc\xa3\xcc\x87", "\xe1\xba\xa1\xcc\x87"},
		{"a\xcc\x87\xcc\xa3", "\xe1\xba\xa1\xcc\x87"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_t out = BUF_INIT;

		buf_puts(&out, ">");
		CHECK_INT(utf8_nfc(cases[i].in, strlen(cases[i].in), &out), 0);
		if (strcmp(buf_str(&out) + 1, cases[i].out) != 0 || out.data[0] != '>')
			test_fail(__FILE__, __LINE__, "case %zu: NFC of \"%s\" is \"%s\", expected \"%s\"",
			    i, cases[i].in, buf_str(&out) + 1, cases[i].out);
		buf_free(&out);
	}
	{
		buf_t out = BUF_INIT;

		CHECK_INT(utf8_nfc("a\xff", 2, &out), -1);
		CHECK(out.data != NULL && out.len == 0);
		buf_free(&out);
	}
}

/*
 * utf8_nfc skips the library for text below U+0300 (utf8.c says why): every
 * pair of such characters must be NFC by libutf8proc's own tables too.
 */
TEST(test_nfc_shortcut)
{
	long bad = 0;

	for (int32_t a = 1; a < 0x300; a++) {
		for (int32_t b = 1; b < 0x300; b++) {
			utf8proc_uint8_t in[8], *nfc = NULL;
			utf8proc_ssize_t n = utf8proc_encode_char(a, in);
			utf8proc_ssize_t m;

			n += utf8proc_encode_char(b, in + n);
			m = utf8proc_map(in, n, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
			if (m != n || memcmp(in, nfc, (size_t)n) != 0)
				if (bad++ < 5)
					test_fail(__FILE__, __LINE__, "U+%04X U+%04X is not NFC",
					    (unsigned)a, (unsigned)b);
			free(nfc);
		}
	}
	CHECK_INT(bad, 0);
	/* and U+0300 itself takes the library's way: "a" + grave composes */
	{
		buf_t out = BUF_INIT;

		CHECK_INT(utf8_nfc("a\xcc\x80", 3, &out), 0);
		CHECK_STR(buf_str(&out), "\xc3\xa0");
		buf_reset(&out);
		CHECK_INT(utf8_nfc("\xc3\xa5\xc3\xa4\xc3\xb6 \xcb\xbf", 9, &out), 0);
		CHECK_STR(buf_str(&out), "\xc3\xa5\xc3\xa4\xc3\xb6 \xcb\xbf");
		buf_free(&out);
	}
	/* utf8_nfc_as_is: the same test, at its edges; never true for bad UTF-8 */
	CHECK(utf8_nfc_as_is("", 0));
	CHECK(utf8_nfc_as_is("\xc3\xa5\xc3\xa4\xc3\xb6 \xcb\xbf", 9));   /* up to U+02FF */
	CHECK(!utf8_nfc_as_is("a\xcc\x80", 3));                           /* U+0300 */
	CHECK(!utf8_nfc_as_is("\xe2\x80\x8b", 3));                        /* U+200B */
	CHECK(!utf8_nfc_as_is("a\xff", 2));
	CHECK(!utf8_nfc_as_is("\xc3", 1));                                 /* cut */
	CHECK(!utf8_nfc_as_is("\xc0\x80", 2));                             /* overlong */
}

/* Every character docs/protocol.md refuses, in multi-line and one-line text. */
TEST(test_check_text)
{
	static const struct {
		const char *s;
		size_t      len;        /* 0: strlen */
		utf8_text_t text, line; /* as multi-line text, as one line */
		uint32_t    cp;         /* the character reported */
	} cases[] = {
		{"plain text", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"tab\tok", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"Sk\xc3\xa4ggetorp \xe2\x82\xac", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"two\nlines", 0, UTF8_TEXT_OK, UTF8_TEXT_NEWLINE, '\n'},
		{"ls\xe2\x80\xa8", 0, UTF8_TEXT_OK, UTF8_TEXT_NEWLINE, 0x2028},
		{"ps\xe2\x80\xa9", 0, UTF8_TEXT_OK, UTF8_TEXT_NEWLINE, 0x2029},
		{"nul\0x", 5, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0},
		{"\x01", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 1},
		{"cr\r\n", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, '\r'},
		{"vt\v", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, '\v'},
		{"ff\f", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, '\f'},
		{"esc\x1b[31m", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x1b},
		{"\x1f", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x1f},
		{"del\x7f", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x7f},
		{"c1 \xc2\x80", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x80},
		{"nel \xc2\x85", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x85},
		{"csi \xc2\x9b", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x9b},
		{"\xc2\x9f", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_CONTROL, 0x9f},
		{"nbsp \xc2\xa0 ok", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"lre \xe2\x80\xaa", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x202a},
		{"rle \xe2\x80\xab", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x202b},
		{"pdf \xe2\x80\xac", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x202c},
		{"lro \xe2\x80\xad", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x202d},
		{"rlo \xe2\x80\xae", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x202e},
		{"lri \xe2\x81\xa6", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x2066},
		{"rli \xe2\x81\xa7", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x2067},
		{"fsi \xe2\x81\xa8", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x2068},
		{"pdi \xe2\x81\xa9", 0, UTF8_TEXT_BIDI, UTF8_TEXT_BIDI, 0x2069},
		/* the marks are allowed (utf8.c says why), and so are neighbours */
		{"lrm \xe2\x80\x8e rlm \xe2\x80\x8f alm \xd8\x9c", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		{"\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 0, UTF8_TEXT_OK, UTF8_TEXT_NEWLINE, 0x2029},
		{"\xe2\x80\xaf\xe2\x81\xa0\xe2\x81\xaa", 0, UTF8_TEXT_OK, UTF8_TEXT_OK, 0},
		/* the first one counts */
		{"a\nb\x1b", 0, UTF8_TEXT_CONTROL, UTF8_TEXT_NEWLINE, '\n'},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		uint32_t cp = 0xffffffff;
		utf8_text_t t = utf8_check_text(cases[i].s, len, false, &cp);
		utf8_text_t l;

		if (t != cases[i].text)
			test_fail(__FILE__, __LINE__, "case %zu: text gives %d, expected %d",
			    i, (int)t, (int)cases[i].text);
		l = utf8_check_text(cases[i].s, len, true, &cp);
		if (l != cases[i].line || (l != UTF8_TEXT_OK && cp != cases[i].cp))
			test_fail(__FILE__, __LINE__, "case %zu: line gives %d U+%04X, expected %d U+%04X",
			    i, (int)l, (unsigned)cp, (int)cases[i].line, (unsigned)cases[i].cp);
	}
	CHECK_INT(utf8_check_text("\x1b", 1, true, NULL), UTF8_TEXT_CONTROL);
}

TEST(test_blank)
{
	static const struct {
		const char *s;
		bool        blank;
	} cases[] = {
		{"", true},
		{" ", true},
		{" \t\n ", true},
		{"\xc2\xa0\xe3\x80\x80\xe2\x80\x83", true},    /* NBSP, ideographic, em space */
		{"\xe2\x80\x8b\xe2\x81\xa0\xef\xbb\xbf", true},   /* ZWSP, word joiner, BOM */
		{"\xe2\x80\xa8", true},
		{"\xc2\xad", true},                            /* soft hyphen alone */
		{"x", false},
		{" . ", false},
		{"  \xc3\xa4", false},
		{"\xcc\x88", false},                           /* a lone mark shows */
		{"-", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (utf8_blank(cases[i].s, strlen(cases[i].s)) != cases[i].blank)
			test_fail(__FILE__, __LINE__, "case %zu: utf8_blank should be %s",
			    i, cases[i].blank ? "true" : "false");
}

TEST_MAIN(test_valid, test_count, test_fold, test_fold_append, test_nfc, test_nfc_shortcut,
    test_check_text, test_blank)
