/*
 * test_pnr.c: personnummer and samordningsnummer masking (common/pnr.c).
 *
 * 811218-9876 is Skatteverket's example number; the others were made with
 * a valid or an invalid check digit on purpose (the comment says which).
 */
#include "../test.h"

#include "pnr.h"

TEST(test_valid)
{
	static const struct {
		const char *s;
		bool        ok;
	} cases[] = {
		{"811218-9876", true},
		{"811218+9876", true},          /* over 100 years old */
		{"8112189876", true},
		{"19811218-9876", true},
		{"198112189876", true},
		{"811218-9875", false},         /* check digit off by one */
		{"811218-9877", false},
		{"8112189870", false},
		{"19811218-9870", false},
		{"811228-9874", true},
		{"121212-1212", true},
		{"20121212-1212", true},
		{"18121212-1212", true},
		{"21121212-1212", false},       /* no 22nd-century births */
		{"17121212-1212", false},
		{"000101-0107", true},
		{"991231-1231", true},
		/* samordningsnummer: day + 60 */
		{"701063-2391", true},
		{"701063-2392", false},
		{"120161-1231", true},          /* day 61: first of the month */
		{"120191-1235", true},          /* day 91: 31st */
		{"120192-1234", false},         /* day 92 */
		{"120160-1232", false},         /* day 60 */
		{"20120161-1231", true},
		{"201201611231", true},
		/* dates that cannot be */
		{"120100-1235", false},         /* day 00, check digit fine */
		{"120131-1238", true},
		{"121301-1230", false},         /* month 13, check digit fine */
		{"120001-1230", false},
		{"120132-1234", false},
		/* shapes */
		{"", false},
		{"811218", false},
		{"811218-987", false},
		{"811218-98765", false},
		{"811218 9876", false},
		{"811218--9876", false},
		{"19811218+9876", false},       /* '+' only with a two-digit year */
		{"1981121-89876", false},
		{"81121898761", false},
		{"x811218-9876", false},
		{"811218-9876x", false},
		{" 811218-9876", false},
		{"8112189876\n", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (pnr_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			test_fail(__FILE__, __LINE__, "pnr_valid(\"%s\") should be %s",
			    cases[i].s, cases[i].ok ? "true" : "false");
}

TEST(test_mask)
{
	static const struct {
		const char *in, *out;
		size_t      count;
	} cases[] = {
		{"", "", 0},
		{"inget nummer h\xc3\xa4r", "inget nummer h\xc3\xa4r", 0},
		{"811218-9876", "XXXXXX-XXXX", 1},
		{"19811218-9876", "XXXXXXXX-XXXX", 1},
		{"198112189876", "XXXXXXXXXXXX", 1},
		{"8112189876", "XXXXXXXXXX", 1},
		{"811218+9876", "XXXXXX+XXXX", 1},
		{"pnr 811218-9876.", "pnr XXXXXX-XXXX.", 1},
		{"Pojken (811218-9876) sågs", "Pojken (XXXXXX-XXXX) sågs", 1},
		{"Samordningsnr 701063-2391 och 121212-1212, ok",
		    "Samordningsnr XXXXXX-XXXX och XXXXXX-XXXX, ok", 2},
		{"811218-9876,121212-1212", "XXXXXX-XXXX,XXXXXX-XXXX", 2},
		{"811218-9876\n198112189876", "XXXXXX-XXXX\nXXXXXXXXXXXX", 2},
		/* next to letters: no digit boundary is crossed */
		{"nr811218-9876abc", "nrXXXXXX-XXXXabc", 1},
		{"\xc3\xa4" "8112189876\xc3\xa4", "\xc3\xa4XXXXXXXXXX\xc3\xa4", 1},
		/* invalid check digit: kept */
		{"811218-9875", "811218-9875", 0},
		{"tel 0701234569", "tel XXXXXXXXXX", 1},       /* looks like one */
		{"tel 070-1234569", "tel 070-1234569", 0},
		/* inside longer runs of digits: kept */
		{"48112189876", "48112189876", 0},
		{"81121898761", "81121898761", 0},
		{"1198112189876", "1198112189876", 0},
		{"9811218-9876", "9811218-9876", 0},
		{"811218-98761", "811218-98761", 0},
		{"1811218-9876", "1811218-9876", 0},
		{"0019811218-9876", "0019811218-9876", 0},
		/* other separators are not part of the forms */
		{"811218 9876", "811218 9876", 0},
		{"811218/9876", "811218/9876", 0},
		{"-811218-9876-", "-XXXXXX-XXXX-", 1},
		{"+811218+9876+", "+XXXXXX+XXXX+", 1},
		/* dates that cannot be */
		{"121301-1230", "121301-1230", 0},
		{"120100-1235", "120100-1235", 0},
		{"20121301-1230", "20121301-1230", 0},
		/* a '-' form with a twelve-digit run is not a number */
		{"198112189876-1234", "XXXXXXXXXXXX-1234", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_t out = BUF_INIT;
		size_t n = pnr_mask(cases[i].in, strlen(cases[i].in), &out);

		if (n != cases[i].count || strcmp(buf_str(&out), cases[i].out) != 0)
			test_fail(__FILE__, __LINE__, "case %zu \"%s\": %zu \"%s\", expected %zu \"%s\"",
			    i, cases[i].in, n, buf_str(&out), cases[i].count, cases[i].out);
		if (out.data == NULL)
			test_fail(__FILE__, __LINE__, "case %zu: no copy", i);
		buf_free(&out);
	}
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
	CHECK_STR(buf_str(&out), "");
	CHECK(pnr_valid(s, 11));
	CHECK(!pnr_valid(s, 12));
	CHECK(!pnr_valid(s, 10));
	buf_free(&out);
}

TEST_MAIN(test_valid, test_mask, test_bounds)
