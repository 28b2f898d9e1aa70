/*
 * pnr.c: personnummer and samordningsnummer recognition and masking.
 *
 * The text is read as a stream of characters, each put in a class
 * (pnr_class): a digit with its value, a blank, a dash, a plus, something
 * invisible that is skipped, or anything else. Classes come from
 * libutf8proc's category and compatibility decomposition of the character,
 * so every Unicode digit, space and dash counts without a table here. A
 * number is then a run of digits, perhaps a separator and a second run
 * (pnr_match), with the date checked (pnr_date).
 *
 * Until 2026-12 only ASCII digits, '-' and '+' with a right check digit
 * counted: "811218 9876", "811218\u2013" "9876", full-width digits and
 * typos were stored in clear.
 */
#include "pnr.h"
#include "utf8.h"

#include <stdint.h>

#include <utf8proc.h>

#define PNR_DIGITS_MAX  12      /* the longest run that can be a number */
#define PNR_ND_SCAN     100     /* code points to look back for a digit's zero */

typedef enum {
	T_END,          /* no more text */
	T_DIGIT,
	T_BLANK,
	T_DASH,
	T_PLUS,
	T_SKIP,         /* invisible: looked through */
	T_OTHER,
} pnr_class_t;

typedef struct {
	pnr_class_t cls;
	int         val;        /* T_DIGIT: 0..9 */
	size_t      off, end;   /* the character's bytes */
} pnr_tok_t;

/*
 * The value of a decimal digit (category Nd). Unicode gives every set of
 * such digits as ten consecutive code points from 0 to 9, and sets that
 * touch (the mathematical digits) start on a zero, so the value is the
 * distance from the start of the run of Nd code points, modulo ten.
 */
static int
pnr_nd_value(uint32_t cp)
{
	uint32_t z = cp;

	while (z > 0 && cp - z < PNR_ND_SCAN &&
	    utf8proc_category((utf8proc_int32_t)(z - 1)) == UTF8PROC_CATEGORY_ND)
		z--;
	return (int)((cp - z) % 10);
}

static pnr_class_t
pnr_class(uint32_t cp, int *val)
{
	utf8proc_int32_t k[4];
	utf8proc_ssize_t n;

	if (cp < 0x80) {
		if (cp >= '0' && cp <= '9') {
			*val = (int)(cp - '0');
			return T_DIGIT;
		}
		if (cp == ' ' || cp == '\t')
			return T_BLANK;
		return cp == '-' ? T_DASH : cp == '+' ? T_PLUS : T_OTHER;
	}
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_ND:
		*val = pnr_nd_value(cp);
		return T_DIGIT;
	case UTF8PROC_CATEGORY_ZS:
		return T_BLANK;
	case UTF8PROC_CATEGORY_PD:
		return T_DASH;
	case UTF8PROC_CATEGORY_CF:      /* U+200B, U+00AD, U+200E, U+2060, ... */
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_ME:
		return T_SKIP;
	case UTF8PROC_CATEGORY_NO:      /* superscript and circled digits */
	case UTF8PROC_CATEGORY_SM:      /* minus sign, full-width plus */
		break;
	default:
		return T_OTHER;
	}
	if (cp == 0x2212)               /* MINUS SIGN is its own NFKC */
		return T_DASH;
	n = utf8proc_decompose_char((utf8proc_int32_t)cp, k, 4,
	    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, NULL);
	if (n != 1)
		return T_OTHER;
	if (k[0] >= '0' && k[0] <= '9') {
		*val = k[0] - '0';
		return T_DIGIT;
	}
	if (k[0] == '+')
		return T_PLUS;
	if (k[0] == 0x2212 || utf8proc_category(k[0]) == UTF8PROC_CATEGORY_PD)
		return T_DASH;
	return T_OTHER;
}

/* Reads the first character at or after byte i that is not invisible. */
static void
pnr_next(const char *s, size_t len, size_t i, pnr_tok_t *t)
{
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		t->off = i;
		if (n == 0) {           /* not UTF-8: a character of its own */
			t->cls = T_OTHER;
			t->end = i + 1;
			return;
		}
		t->end = i + n;
		if ((t->cls = pnr_class(cp, &t->val)) != T_SKIP)
			return;
		i += n;
	}
	t->cls = T_END;
	t->off = t->end = len;
}

/*
 * Reads the run of digits that starts at *t, keeping the first values in
 * d; leaves *t on what follows and *end after the run's last digit.
 * Returns the run's length.
 */
static size_t
pnr_run(const char *s, size_t len, pnr_tok_t *t, int d[PNR_DIGITS_MAX], size_t *end)
{
	size_t n = 0;

	while (t->cls == T_DIGIT) {
		if (n < PNR_DIGITS_MAX)
			d[n] = t->val;
		n++;
		*end = t->end;
		pnr_next(s, len, t->end, t);
	}
	return n;
}

static bool
pnr_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/*
 * Whether d (YYYYMMDD with century, else YYMMDD) is a date that exists,
 * taking a day above 60 as a samordningsnummer's.
 */
static bool
pnr_date(const int *d, bool century)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int c = -1, y, m, day;

	if (century) {
		c = d[0] * 10 + d[1];
		if (c < 18 || c > 20)
			return false;
		d += 2;
	}
	y = d[0] * 10 + d[1];
	m = d[2] * 10 + d[3];
	day = d[4] * 10 + d[5];
	if (day > 60)
		day -= 60;
	if (m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
		return false;
	if (m == 2 && day == 29)        /* without a century: 1900 or 2000, 1904 or 2004 */
		return c < 0 ? y % 4 == 0 : pnr_leap(c * 100 + y);
	return true;
}

/*
 * Whether a number starts at *start, the first digit of a run. Returns the
 * byte after its last digit, or 0 with *skip set to the byte after the run.
 */
static size_t
pnr_match(const char *s, size_t len, const pnr_tok_t *start, size_t *skip)
{
	pnr_tok_t t = *start;
	int d[PNR_DIGITS_MAX], tail[PNR_DIGITS_MAX];
	size_t run, end = start->end, end2 = 0, before = 0, after = 0;
	bool mark = false;

	run = pnr_run(s, len, &t, d, &end);
	*skip = end;
	if (run == 10 || run == 12)
		return pnr_date(d, run == 12) ? end : 0;
	if (run != 6 && run != 8)
		return 0;
	while (t.cls == T_BLANK) {
		if (++before > PNR_BLANKS_MAX)
			return 0;
		pnr_next(s, len, t.end, &t);
	}
	if (t.cls == T_DASH || t.cls == T_PLUS) {
		mark = true;
		pnr_next(s, len, t.end, &t);
		while (t.cls == T_BLANK) {
			if (++after > PNR_BLANKS_MAX)
				return 0;
			pnr_next(s, len, t.end, &t);
		}
	}
	if ((before == 0 && !mark) || t.cls != T_DIGIT ||
	    pnr_run(s, len, &t, tail, &end2) != 4)
		return 0;
	return pnr_date(d, run == 8) ? end2 : 0;
}

/* Appends s[from..to) with every digit replaced by 'X'. */
static void
pnr_put_masked(const char *s, size_t from, size_t to, buf_t *out)
{
	pnr_tok_t t;

	for (size_t i = from; i < to; i = t.end) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, to - i, &cp);

		t.end = i + (n ? n : 1);
		if (n != 0 && pnr_class(cp, &t.val) == T_DIGIT)
			buf_putc(out, 'X');
		else
			buf_append(out, s + i, t.end - i);
	}
}

/*
 * Skips, from byte i, the characters that cannot be digits: ASCII but
 * '0'..'9', and U+00C0..U+00FF (the Latin-1 letters, with U+00D7 and
 * U+00F7, which are Sm and their own decomposition: pnr_class calls all of
 * them T_OTHER; test_pnr checks their categories). Between numbers the scan
 * only looks for a digit, so what it skips here it would have read one
 * character at a time and passed over: Swedish text is read at a few
 * instructions a byte, and pnr_class sees only digits, separators after
 * them and the rarer characters.
 */
static size_t
pnr_skip_plain(const char *s, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;

	while (i < len) {
		if (u[i] < 0x80) {
			if (u[i] >= '0' && u[i] <= '9')
				break;
			i++;
		} else if (u[i] == 0xc3 && i + 1 < len && (u[i + 1] & 0xc0) == 0x80) {
			i += 2;
		} else {
			break;
		}
	}
	return i;
}

size_t
pnr_mask(const char *in, size_t len, buf_t *out)
{
	size_t from = 0, count = 0;
	pnr_tok_t t;

	buf_append(out, "", 0);
	if (len == 0)           /* msgpack-c gives an empty string a NULL pointer */
		return 0;
	pnr_next(in, len, pnr_skip_plain(in, len, 0), &t);
	while (t.cls != T_END) {
		size_t end, skip;

		if (t.cls != T_DIGIT) {
			pnr_next(in, len, pnr_skip_plain(in, len, t.end), &t);
			continue;
		}
		/* whole runs are taken at once: t starts one */
		if ((end = pnr_match(in, len, &t, &skip)) == 0) {
			pnr_next(in, len, pnr_skip_plain(in, len, skip), &t);
			continue;
		}
		buf_append(out, in + from, t.off - from);
		pnr_put_masked(in, t.off, end, out);
		from = end;
		count++;
		pnr_next(in, len, pnr_skip_plain(in, len, end), &t);
	}
	buf_append(out, in + from, len - from);
	return count;
}

bool
pnr_valid(const char *s, size_t len)
{
	pnr_tok_t t;
	size_t skip;

	pnr_next(s, len, 0, &t);
	return t.cls == T_DIGIT && t.off == 0 && pnr_match(s, len, &t, &skip) == len;
}

/*
 * Masking comes first, on the text as sent, and NFC after: a masked digit
 * followed by a combining mark may compose with it ("X\u0307" is U+1E8A),
 * and what is stored must be NFC.
 */
char *
pnr_text(const char *s, size_t len, int *masked)
{
	buf_t m = BUF_INIT, out = BUF_INIT;

	*masked += (int)pnr_mask(s, len, &m);
	if (utf8_nfc_as_is(m.data, m.len))
		return m.data;  /* already NFC (Swedish text is): no second copy */
	if (utf8_nfc(m.data, m.len, &out) < 0) {
		/* msg_fields let only UTF-8 through; keep the masked text */
		buf_free(&out);
		return m.data;  /* the buffer's memory is the caller's now */
	}
	buf_free(&m);
	return out.data;
}
