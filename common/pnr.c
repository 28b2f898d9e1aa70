/*
 * pnr.c: personnummer and samordningsnummer recognition and masking.
 */
#include "pnr.h"

static bool
pnr_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
pnr_2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDD: month 01..12, day 01..31 or 61..91 (samordningsnummer) */
static bool
pnr_date(const char *s)
{
	int m = pnr_2(s + 2), d = pnr_2(s + 4);

	return m >= 1 && m <= 12 && ((d >= 1 && d <= 31) || (d >= 61 && d <= 91));
}

static bool
pnr_century(const char *s)
{
	int c = pnr_2(s);

	return c >= 18 && c <= 20;
}

/* Luhn over YYMMDD (six digits at d) and NNNN (four digits at n) */
static bool
pnr_luhn(const char *d, const char *n)
{
	int sum = 0;

	for (int i = 0; i < 10; i++) {
		int v = (i < 6 ? d[i] : n[i - 6]) - '0';

		if (i % 2 == 0 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

/* the number of digits in s[i..len) from i on */
static size_t
pnr_run(const char *s, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && pnr_digit(s[j]))
		j++;
	return j - i;
}

/*
 * The length of the number starting at s[i], which is the first digit of a
 * run, or 0 when none starts there.
 */
static size_t
pnr_match(const char *s, size_t len, size_t i)
{
	size_t run = pnr_run(s, len, i);
	const char *p = s + i;

	switch (run) {
	case 12:
		return pnr_century(p) && pnr_date(p + 2) && pnr_luhn(p + 2, p + 8) ? 12 : 0;
	case 10:
		return pnr_date(p) && pnr_luhn(p, p + 6) ? 10 : 0;
	case 8:
		if (i + 13 <= len && p[8] == '-' && pnr_run(s, len, i + 9) == 4 &&
		    pnr_century(p) && pnr_date(p + 2) && pnr_luhn(p + 2, p + 9))
			return 13;
		return 0;
	case 6:
		if (i + 11 <= len && (p[6] == '-' || p[6] == '+') &&
		    pnr_run(s, len, i + 7) == 4 && pnr_date(p) && pnr_luhn(p, p + 7))
			return 11;
		return 0;
	default:
		return 0;
	}
}

size_t
pnr_mask(const char *in, size_t len, buf_t *out)
{
	size_t i = 0, from = 0, count = 0;

	buf_append(out, "", 0);
	while (i < len) {
		size_t m;

		if (!pnr_digit(in[i])) {
			i++;
			continue;
		}
		/* i starts a run of digits: the previous byte is no digit */
		if ((m = pnr_match(in, len, i)) == 0) {
			i += pnr_run(in, len, i);
			continue;
		}
		buf_append(out, in + from, i - from);
		for (size_t j = i; j < i + m; j++)
			buf_putc(out, pnr_digit(in[j]) ? 'X' : in[j]);
		i += m;
		from = i;
		count++;
	}
	buf_append(out, in + from, len - from);
	return count;
}

bool
pnr_valid(const char *s, size_t len)
{
	return len > 0 && pnr_digit(s[0]) && pnr_match(s, len, 0) == len;
}
