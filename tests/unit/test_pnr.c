/*
 * test_pnr.c: personnummer and samordningsnummer masking (common/pnr.c).
 *
 * 811218-9876 is Skatteverket's example number. The spellings table holds
 * every way of writing a number that must be masked, each tried alone and
 * between every pair of neighbours; the kept table holds what must not be.
 */
#include "../test.h"

#include "pnr.h"

#include <stdio.h>
#include <utf8proc.h>

/* A spelling and its masked form. */
typedef struct {
	const char *in, *out;
} pnr_case_t;

static const pnr_case_t spellings[] = {
	{"811218-9876", "XXXXXX-XXXX"},
	{"811218+9876", "XXXXXX+XXXX"},                 /* over 100 years old */
	{"8112189876", "XXXXXXXXXX"},
	{"19811218-9876", "XXXXXXXX-XXXX"},
	{"198112189876", "XXXXXXXXXXXX"},
	{"19811218+9876", "XXXXXXXX+XXXX"},
	/* blanks */
	{"811218 9876", "XXXXXX XXXX"},
	{"19811218 9876", "XXXXXXXX XXXX"},
	{"811218\t9876", "XXXXXX\tXXXX"},
	{"811218   9876", "XXXXXX   XXXX"},
	{"811218\xc2\xa0" "9876", "XXXXXX\xc2\xa0XXXX"},                 /* no-break space */
	{"811218\xe2\x80\xaf" "9876", "XXXXXX\xe2\x80\xafXXXX"},         /* narrow no-break */
	{"811218\xe2\x80\x89" "9876", "XXXXXX\xe2\x80\x89XXXX"},         /* thin space */
	{"811218\xe3\x80\x80" "9876", "XXXXXX\xe3\x80\x80XXXX"},         /* ideographic */
	/* blanks around a separator */
	{"811218 - 9876", "XXXXXX - XXXX"},
	{"811218 -9876", "XXXXXX -XXXX"},
	{"811218- 9876", "XXXXXX- XXXX"},
	{"19811218 - 9876", "XXXXXXXX - XXXX"},
	{"811218   +   9876", "XXXXXX   +   XXXX"},
	{"811218\xc2\xa0\xe2\x80\x93\xc2\xa0" "9876", "XXXXXX\xc2\xa0\xe2\x80\x93\xc2\xa0XXXX"},
	/* dashes */
	{"811218\xe2\x80\x93" "9876", "XXXXXX\xe2\x80\x93XXXX"},         /* en dash */
	{"811218\xe2\x80\x94" "9876", "XXXXXX\xe2\x80\x94XXXX"},         /* em dash */
	{"811218 \xe2\x80\x93 9876", "XXXXXX \xe2\x80\x93 XXXX"},
	{"811218\xe2\x88\x92" "9876", "XXXXXX\xe2\x88\x92XXXX"},         /* minus sign */
	{"811218\xe2\x80\x90" "9876", "XXXXXX\xe2\x80\x90XXXX"},         /* hyphen */
	{"811218\xe2\x80\x91" "9876", "XXXXXX\xe2\x80\x91XXXX"},         /* non-breaking hyphen */
	{"811218\xe2\x80\x92" "9876", "XXXXXX\xe2\x80\x92XXXX"},         /* figure dash */
	{"811218\xef\xbc\x8d" "9876", "XXXXXX\xef\xbc\x8dXXXX"},         /* full-width hyphen-minus */
	{"811218\xef\xb9\xa3" "9876", "XXXXXX\xef\xb9\xa3XXXX"},         /* small hyphen-minus */
	{"811218\xef\xbc\x8b" "9876", "XXXXXX\xef\xbc\x8bXXXX"},         /* full-width plus */
	/* digits after compatibility normalisation, and other decimal digits */
	{"\xef\xbc\x98\xef\xbc\x91\xef\xbc\x91\xef\xbc\x92\xef\xbc\x91\xef\xbc\x98-"
	 "\xef\xbc\x99\xef\xbc\x98\xef\xbc\x97\xef\xbc\x96", "XXXXXX-XXXX"},  /* full-width */
	{"\xef\xbc\x98\xef\xbc\x91\xef\xbc\x91\xef\xbc\x92\xef\xbc\x91\xef\xbc\x98\xef\xbc\x8d"
	 "\xef\xbc\x99\xef\xbc\x98\xef\xbc\x97\xef\xbc\x96", "XXXXXX\xef\xbc\x8dXXXX"},
	{"\xef\xbc\x91\xef\xbc\x99\xef\xbc\x98\xef\xbc\x91\xef\xbc\x91\xef\xbc\x92\xef\xbc\x91\xef\xbc\x98"
	 "\xef\xbc\x99\xef\xbc\x98\xef\xbc\x97\xef\xbc\x96", "XXXXXXXXXXXX"},
	{"81121\xef\xbc\x98 9876", "XXXXXX XXXX"},                       /* mixed */
	{"\xd9\xa8\xd9\xa1\xd9\xa1\xd9\xa2\xd9\xa1\xd9\xa8-\xd9\xa9\xd9\xa8\xd9\xa7\xd9\xa6",
	 "XXXXXX-XXXX"},                                                  /* Arabic-Indic */
	{"\xf0\x9d\x9f\x96\xf0\x9d\x9f\x8f\xf0\x9d\x9f\x8f\xf0\x9d\x9f\x90\xf0\x9d\x9f\x8f"
	 "\xf0\x9d\x9f\x96-9876", "XXXXXX-XXXX"},                         /* mathematical bold */
	{"\xc2\xb9\xe2\x81\xb9\xe2\x81\xb8\xc2\xb9\xc2\xb9\xc2\xb2\xc2\xb9\xe2\x81\xb8"
	 "\xe2\x81\xbb\xe2\x81\xb9\xe2\x81\xb8\xe2\x81\xb7\xe2\x81\xb6",
	 "XXXXXXXX\xe2\x81\xbbXXXX"},                                     /* superscripts */
	{"\xe2\x91\xa7\xe2\x91\xa0\xe2\x91\xa0\xe2\x91\xa1\xe2\x91\xa0\xe2\x91\xa7-9876",
	 "XXXXXX-XXXX"},                                                  /* circled */
	/* invisible characters are looked through */
	{"8112\xe2\x80\x8b" "18-9876", "XXXX\xe2\x80\x8bXX-XXXX"},       /* zero-width space */
	{"811218\xc2\xad" "9876", "XXXXXX\xc2\xadXXXX"},                 /* soft hyphen */
	{"811218\xe2\x80\x8f-\xe2\x80\x8e" "9876", "XXXXXX\xe2\x80\x8f-\xe2\x80\x8eXXXX"},
	{"81121\xe2\x81\xa0" "89876", "XXXXX\xe2\x81\xa0XXXXX"},         /* word joiner */
	{"8\xcc\x81" "11218-9876", "X\xcc\x81XXXXX-XXXX"},               /* a combining mark */
	/* the check digit does not matter: a typo is still someone's number */
	{"811218-9875", "XXXXXX-XXXX"},
	{"811218 9870", "XXXXXX XXXX"},
	{"19811218-9871", "XXXXXXXX-XXXX"},
	{"8112189879", "XXXXXXXXXX"},
	/* samordningsnummer: day + 60 */
	{"701063-2391", "XXXXXX-XXXX"},
	{"701063 2392", "XXXXXX XXXX"},
	{"811278-9876", "XXXXXX-XXXX"},
	{"120161-1231", "XXXXXX-XXXX"},                 /* day 61: the 1st */
	{"120191-1235", "XXXXXX-XXXX"},                 /* day 91: the 31st */
	{"20120191-1235", "XXXXXXXX-XXXX"},
	/* dates at the edges */
	{"000101-0107", "XXXXXX-XXXX"},
	{"991231-1231", "XXXXXX-XXXX"},
	{"800229-1234", "XXXXXX-XXXX"},                 /* 1980 was a leap year */
	{"000229-1234", "XXXXXX-XXXX"},                 /* 2000 was; 1900 was not */
	{"20000229-1234", "XXXXXXXX-XXXX"},
	{"19960229 1234", "XXXXXXXX XXXX"},
	{"800289-1234", "XXXXXX-XXXX"},                 /* 29 February + 60 */
	{"810430-1234", "XXXXXX-XXXX"},
	{"18121212-1212", "XXXXXXXX-XXXX"},
	{"20260101-1234", "XXXXXXXX-XXXX"},
	{"0701234569", "XXXXXXXXXX"},                   /* a phone number shaped like one */
};

/* What is kept as it is. */
static const char *const kept[] = {
	/* dates that cannot be */
	"19810231-9876",        /* 31 February */
	"810231-9876",
	"810229-9876",          /* 1981 was no leap year */
	"19000229-1234",        /* nor was 1900 */
	"810289-1234",          /* 29 February 1981 + 60 */
	"810291-1234",
	"810431-1234",          /* 31 April */
	"811318-9876",          /* month 13 */
	"810018-9876",          /* month 00 */
	"811200-9876",          /* day 00 */
	"811232 9876",          /* day 32 */
	"811260-9876",          /* day 60: neither a day nor a day + 60 */
	"811292-9876",          /* day 92 */
	"21121212-1212",        /* no 22nd-century births */
	"17121212-1212",
	"211212121212",
	"2112121212" "12",
	/* shapes */
	"811218",
	"811218-987",
	"811218-98765",
	"81121-89876",
	"1981121-89876",
	"81121898761",
	"8112189",
	"811218--9876",
	"811218 -- 9876",
	"811218 +- 9876",
	"811218    9876",       /* four blanks */
	"811218 -    9876",
	"811218/9876",
	"811218.9876",
	"811218_9876",
	"811218:9876",
	"811218\n9876",         /* a line break is no separator */
	"811218\r\n9876",
	"811218\xe2\x80\xa8" "9876",
	"811218 x 9876",
	"19811218\xe2\x80\x93\xe2\x80\x93" "9876",
	/* inside longer runs of digits */
	"48112189876",
	"1198112189876",
	"9811218-9876",
	"811218-98761",
	"1811218-9876",
	"0019811218-9876",
	"1\xe2\x80\x8b" "8112189876",    /* looked through, so one run */
	"\xef\xbc\x91" "811218-9876",    /* a full-width digit before */
	"811218-9876\xd9\xa1",           /* an Arabic-Indic digit after */
	"tel 070-1234569",
	"2026-11-22",
	"INC-2026-000042",
	"",
	"inget nummer h\xc3\xa4r",
	"\xff\xfe 811218 \xff",          /* not UTF-8: no harm */
};

/* Checks one masking: in gives out and count. */
static void
check_mask(int line, const char *in, const char *out, size_t count)
{
	buf_t b = BUF_INIT;
	size_t n = pnr_mask(in, strlen(in), &b);

	if (n != count || strcmp(buf_str(&b), out) != 0)
		test_fail(__FILE__, line, "\"%s\": %zu \"%s\", expected %zu \"%s\"",
		    in, n, buf_str(&b), count, out);
	if (b.data == NULL)
		test_fail(__FILE__, line, "\"%s\": no copy", in);
	buf_free(&b);
}

/* Every spelling, alone and between every pair of neighbours. */
TEST(test_spellings)
{
	static const char *const before[] = {"", "pnr ", "(", "nr", "\xc3\xa4", "x:",
	    "\n", "Pojken ", "\xe2\x80\x8b", "-", "+", "a1 ", "11 "};
	static const char *const after[] = {"", ".", ")", " och mer", "abc", ",",
	    "\n", "\xc3\xa4", " 12", "-", "+"};

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		for (size_t b = 0; b < sizeof(before) / sizeof(before[0]); b++) {
			for (size_t a = 0; a < sizeof(after) / sizeof(after[0]); a++) {
				char in[160], out[160];

				snprintf(in, sizeof(in), "%s%s%s", before[b], spellings[i].in, after[a]);
				snprintf(out, sizeof(out), "%s%s%s", before[b], spellings[i].out, after[a]);
				check_mask(__LINE__, in, out, 1);
			}
		}
		CHECK(pnr_valid(spellings[i].in, strlen(spellings[i].in)));
	}
}

/* A digit right before or after makes a longer run: nothing is masked. */
TEST(test_digit_neighbours)
{
	static const char *const digits[] = {"0", "7", "\xef\xbc\x90", "\xd9\xa3", "\xc2\xb2"};

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		for (size_t d = 0; d < sizeof(digits) / sizeof(digits[0]); d++) {
			char in[160];

			snprintf(in, sizeof(in), "%s%s", digits[d], spellings[i].in);
			check_mask(__LINE__, in, in, 0);
			snprintf(in, sizeof(in), "%s%s", spellings[i].in, digits[d]);
			check_mask(__LINE__, in, in, 0);
		}
	}
}

TEST(test_kept)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		check_mask(__LINE__, kept[i], kept[i], 0);
		if (pnr_valid(kept[i], strlen(kept[i])))
			test_fail(__FILE__, __LINE__, "pnr_valid(\"%s\") should be false", kept[i]);
	}
}

TEST(test_several)
{
	static const struct {
		const char *in, *out;
		size_t      count;
	} cases[] = {
		{"Samordningsnr 701063-2391 och 121212-1212, ok",
		    "Samordningsnr XXXXXX-XXXX och XXXXXX-XXXX, ok", 2},
		{"811218-9876,121212-1212", "XXXXXX-XXXX,XXXXXX-XXXX", 2},
		{"811218-9876\n198112189876", "XXXXXX-XXXX\nXXXXXXXXXXXX", 2},
		{"811218 9876 121212 1212", "XXXXXX XXXX XXXXXX XXXX", 2},
		{"19 811218-9876", "19 XXXXXX-XXXX", 1},
		{"811218-9876-1234", "XXXXXX-XXXX-1234", 1},
		{"198112189876-1234", "XXXXXXXXXXXX-1234", 1},
		{"-811218-9876-", "-XXXXXX-XXXX-", 1},
		{"811218 - 98765 121212-1212", "811218 - 98765 XXXXXX-XXXX", 1},
		{"19810231-9876 19811218-9876", "19810231-9876 XXXXXXXX-XXXX", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_mask(__LINE__, cases[i].in, cases[i].out, cases[i].count);
}

/* Appends to what out holds; reads exactly len bytes, not to the NUL. */
TEST(test_bounds)
{
	buf_t out = BUF_INIT;
	const char *s = "811218-98761";

	buf_puts(&out, "> ");
	CHECK_INT(pnr_mask(s, 11, &out), 1);
	CHECK_STR(buf_str(&out), "> XXXXXX-XXXX");
	buf_reset(&out);
	CHECK_INT(pnr_mask(s, 10, &out), 0);
	CHECK_STR(buf_str(&out), "811218-987");
	buf_reset(&out);
	CHECK_INT(pnr_mask("", 0, &out), 0);
	CHECK(out.data != NULL);
	CHECK_INT(pnr_mask(NULL, 0, &out), 0);  /* an empty msgpack string */
	CHECK(!pnr_valid(NULL, 0));
	CHECK_STR(buf_str(&out), "");
	buf_reset(&out);
	/* a multi-byte separator cut in the middle is no separator */
	CHECK_INT(pnr_mask("811218\xe2\x80\x93" "9876", 8, &out), 0);
	CHECK_INT(out.len, 8);
	CHECK(pnr_valid(s, 11));
	CHECK(!pnr_valid(s, 12));
	CHECK(!pnr_valid(s, 10));
	CHECK(!pnr_valid(" 811218-9876", 12));
	CHECK(!pnr_valid("811218-9876 ", 12));
	buf_free(&out);
}

/*
 * pnr_mask skips ASCII but digits and U+00C0..U+00FF without classifying
 * them: that is right only while none of them is a digit (Nd, or No and Sm
 * that decompose to one), a blank, a dash or invisible. Checked here against
 * libutf8proc, and at the edges of what is skipped: each such character
 * right before, right after and inside a number, and a lead byte without
 * its continuation.
 */
TEST(test_plain_skipped)
{
	for (utf8proc_int32_t cp = 0xc0; cp <= 0xff; cp++) {
		utf8proc_category_t c = utf8proc_category(cp);
		utf8proc_int32_t k[4];
		char ch[3] = {(char)(0xc0 | (cp >> 6)), (char)(0x80 | (cp & 0x3f)), 0};
		char in[64], out[64];

		if (c == UTF8PROC_CATEGORY_SM)
			CHECK(utf8proc_decompose_char(cp, k, 4, UTF8PROC_DECOMPOSE |
			    UTF8PROC_COMPAT, NULL) == 1 && k[0] == cp);
		else if (c != UTF8PROC_CATEGORY_LU && c != UTF8PROC_CATEGORY_LL)
			test_fail(__FILE__, __LINE__, "U+%04X is category %d", (unsigned)cp, (int)c);
		snprintf(in, sizeof(in), "%s811218-9876%s%s", ch, ch, ch);
		snprintf(out, sizeof(out), "%sXXXXXX-XXXX%s%s", ch, ch, ch);
		check_mask(__LINE__, in, out, 1);
		snprintf(in, sizeof(in), "%s%s8112189876%s121212-1212", ch, ch, ch);
		snprintf(out, sizeof(out), "%s%sXXXXXXXXXX%sXXXXXX-XXXX", ch, ch, ch);
		check_mask(__LINE__, in, out, 2);
		snprintf(in, sizeof(in), "811218%s9876 81%s12189876", ch, ch);
		check_mask(__LINE__, in, in, 0);
	}
	for (int c = 1; c < 0x80; c++) {
		char in[64], out[64];

		if (c >= '0' && c <= '9')
			continue;
		snprintf(in, sizeof(in), "%c811218-9876%c%c8112189876", c, c, c);
		snprintf(out, sizeof(out), "%cXXXXXX-XXXX%c%cXXXXXXXXXX", c, c, c);
		check_mask(__LINE__, in, out, 2);
	}
	/* a lead byte without its continuation is not skipped as a pair */
	check_mask(__LINE__, "\xc3" "8112189876", "\xc3" "XXXXXXXXXX", 1);
	check_mask(__LINE__, "\xc3\xc3\xa4" "811218-9876", "\xc3\xc3\xa4" "XXXXXX-XXXX", 1);
	check_mask(__LINE__, "\xc3" "\xe2\x80\x8b" "811218-9876\xc3",
	    "\xc3" "\xe2\x80\x8b" "XXXXXX-XXXX\xc3", 1);
	/* a Swedish sentence, as the benchmark sends */
	check_mask(__LINE__, "Klotter p\xc3\xa5 skolans v\xc3\xa4gg, 811228-9874 n\xc3\xa4mnd",
	    "Klotter p\xc3\xa5 skolans v\xc3\xa4gg, XXXXXX-XXXX n\xc3\xa4mnd", 1);
}

TEST_MAIN(test_spellings, test_digit_neighbours, test_kept, test_several, test_bounds,
    test_plain_skipped)
