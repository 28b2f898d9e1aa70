/*
 * utf8.c: UTF-8 checks and folding.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Decodes one code point; returns its byte length, 0 when malformed. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (len > 0) {
		size_t n;

		if (*p < 0x80) {        /* fast path for ASCII */
			p++;
			len--;
			continue;
		}
		if ((n = utf8_decode(p, len, &cp)) == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

size_t
utf8_count(const char *s, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* The ASCII folding of a Latin-1 supplement letter, or NULL to keep it. */
static const char *
utf8_fold_latin1(uint32_t cp)
{
	static const char *const map[0x40] = {
		/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
		/* C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
		/* D0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
		/* D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
	};

	if (cp >= 0xc0 && cp <= 0xdf)
		return map[cp - 0xc0];
	if (cp == 0xff)         /* ÿ: its slot in the capitals' row is ß */
		return "y";
	if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7)
		return map[cp - 0xe0];
	return NULL;
}

void
utf8_fold(const char *s, size_t len, buf_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	uint32_t cp;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	buf_append(out, "", 0);
	while (p < end) {
		size_t n = utf8_decode(p, (size_t)(end - p), &cp);
		const char *f;

		if (n == 0) {           /* not UTF-8: keep the byte */
			buf_putc(out, (char)*p++);
			continue;
		}
		if (cp < 0x80)
			buf_putc(out, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
		else if ((f = utf8_fold_latin1(cp)) != NULL)
			buf_puts(out, f);
		else
			buf_append(out, p, n);
		p += n;
	}
}
