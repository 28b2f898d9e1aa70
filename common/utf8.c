/*
 * utf8.c: UTF-8 checks, normalisation and folding.
 *
 * Normalisation and folding are libutf8proc's: its tables follow the Unicode
 * version it was built with, which a hand-written table (this file had one
 * for Latin-1 until 2026-12) never does, and it knows the decomposed forms
 * ("a\u0308" for "ä") that macOS and pasted text produce. ASCII, which most
 * text and every configured id is, takes a fast path that gives the same
 * result without a call into the library or an allocation.
 */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* the folding of utf8_fold(), in libutf8proc's terms */
#define UTF8_FOLD_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | \
	UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP)

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
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
	uint32_t cp;

	while (len > 0) {
		size_t n;

		if ((unsigned char)*s < 0x80) {        /* fast path for ASCII */
			s++;
			len--;
			continue;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0)
			return false;
		s += n;
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

static bool
utf8_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * Whether every code point is below U+0300, where the combining marks
 * begin. Such text is its own NFC: each of those characters is a starter
 * that no other composes with (test_utf8 checks every pair against
 * libutf8proc). Swedish text, å ä ö é included, is, and skipping the
 * library for it saves about 5 us per summary (the library's two passes
 * and its allocation).
 */
static bool
utf8_below_marks(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* lead bytes 0xc0..0xcb start U+0000..U+02FF; 0xcc and up do not */
		if (c >= 0xcc && (c & 0xc0) == 0xc0)
			return false;
	}
	return true;
}

/* What one code point is to utf8_check_text(). */
static utf8_text_t
utf8_text_class(uint32_t cp, bool one_line)
{
	if (cp == '\n' || cp == 0x2028 || cp == 0x2029)
		return one_line ? UTF8_TEXT_NEWLINE : UTF8_TEXT_OK;
	if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp <= 0x9f))
		return UTF8_TEXT_CONTROL;
	/*
	 * Embeddings, overrides and isolates reorder what a reader sees (the
	 * "Trojan Source" characters). The marks U+200E, U+200F and U+061C are
	 * not refused: they cannot reorder letters, Arabic and Persian text
	 * typed on phones carries them, and pnr.c looks through them.
	 */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return UTF8_TEXT_BIDI;
	return UTF8_TEXT_OK;
}

utf8_text_t
utf8_check_text(const char *s, size_t len, bool one_line, uint32_t *cp)
{
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n;
		utf8_text_t t;

		/* printable ASCII is text on one line: no decoding for it */
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			i++;
			continue;
		}
		if ((n = utf8_decode(s + i, len - i, &c)) == 0) {   /* not UTF-8: the caller checks that first */
			i++;
			continue;
		}
		if ((t = utf8_text_class(c, one_line)) != UTF8_TEXT_OK) {
			if (cp != NULL)
				*cp = c;
			return t;
		}
		i += n;
	}
	return UTF8_TEXT_OK;
}

bool
utf8_blank(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode(s + i, len - i, &c);

		if (n == 0)
			return false;
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			switch (utf8proc_category((utf8proc_int32_t)c)) {
			case UTF8PROC_CATEGORY_ZS:      /* blanks: U+00A0, U+3000, ... */
			case UTF8PROC_CATEGORY_ZL:
			case UTF8PROC_CATEGORY_ZP:
			case UTF8PROC_CATEGORY_CF:      /* invisible: U+200B, U+2060, ... */
				break;
			default:
				return false;
			}
		}
		i += n;
	}
	return true;
}

bool
utf8_nfc_as_is(const char *s, size_t len)
{
	return utf8_below_marks(s, len) && utf8_valid(s, len);
}

int
utf8_nfc(const char *s, size_t len, buf_t *out)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;

	if (len == 0 || utf8_below_marks(s, len)) {
		if (!utf8_valid(s, len)) {
			buf_append(out, "", 0);
			return -1;
		}
		buf_append(out, s, len);
		return 0;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		buf_append(out, "", 0);
		return -1;
	}
	buf_append(out, dst, (size_t)n);
	free(dst);
	return 0;
}

/* Appends s[0..len) with ASCII letters lowered, blanks at either end dropped. */
static void
utf8_fold_ascii(const char *s, size_t len, buf_t *out)
{
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	buf_append(out, "", 0);
	for (size_t i = 0; i < len; i++)
		buf_putc(out, s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i]);
}

void
utf8_fold(const char *s, size_t len, buf_t *out)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;

	if (len == 0 || utf8_ascii(s, len)) {
		utf8_fold_ascii(s, len, out);
		return;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
	    UTF8_FOLD_OPTIONS);
	if (n < 0) {            /* not UTF-8: nothing to normalise */
		utf8_fold_ascii(s, len, out);
		return;
	}
	/* blanks of every kind are lumped to ' ' by now */
	utf8_fold_ascii((const char *)dst, (size_t)n, out);
	free(dst);
}
