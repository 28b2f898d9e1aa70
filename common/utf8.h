/*
 * utf8.h: UTF-8 as people type it: validation, counting, normalisation
 * (NFC for what is stored), folding for matching names ("skaggetorp" =
 * "Skäggetorp" = "SKA\u0308GGETORP"), and the characters text must not hold.
 *
 * The Unicode tables are libutf8proc's (Debian's libutf8proc-dev); this
 * module holds no character tables of its own beyond the short lists of
 * characters that docs/protocol.md refuses by name.
 */
#ifndef TRYGG_UTF8_H
#define TRYGG_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What utf8_check_text() found. */
typedef enum {
	UTF8_TEXT_OK = 0,
	UTF8_TEXT_CONTROL,      /* C0 other than TAB and LF, DEL, C1 */
	UTF8_TEXT_BIDI,         /* U+202A..U+202E embeddings and overrides,
	                         * U+2066..U+2069 isolates */
	UTF8_TEXT_NEWLINE,      /* LF, U+2028, U+2029 where one line is asked for */
} utf8_text_t;

/* true when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates) */
bool utf8_valid(const char *s, size_t len);
/* the number of code points in valid UTF-8 */
size_t utf8_count(const char *s, size_t len);
/*
 * Decodes the code point at s[0..len); returns its byte length, or 0 when
 * the bytes there are not UTF-8 (or len is 0).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Finds the first character in valid UTF-8 that text must not hold; sets
 * *cp to it (when cp is not NULL). one_line also refuses line breaks.
 */
utf8_text_t utf8_check_text(const char *s, size_t len, bool one_line, uint32_t *cp);
/* true when valid UTF-8 holds nothing but blanks, line breaks and invisible
 * format characters (U+200B and the like), or nothing at all */
bool utf8_blank(const char *s, size_t len);

/*
 * Appends the NFC form of valid UTF-8 to out. Returns 0, or -1 (nothing
 * appended) when s is not UTF-8.
 */
int utf8_nfc(const char *s, size_t len, buf_t *out);
/*
 * Whether s is valid UTF-8 that is its own NFC by utf8_nfc's quick test
 * (every code point below U+0300); false says nothing of the rest. A caller
 * that already holds s in memory it owns keeps it instead of copying.
 */
bool utf8_nfc_as_is(const char *s, size_t len);
/*
 * Appends the folded form of s to out, the key under which names are
 * matched: compatibility normalisation (NFKC: full-width letters, ligatures),
 * case folding, marks removed (ä → a, e\u0301 → e), invisible characters
 * dropped, look-alike dashes and blanks lumped together (U+2010 → "-"),
 * leading and trailing blanks dropped, inner blanks kept. Letters without
 * a decomposition stay themselves (ø, æ, ð). Bytes that are not UTF-8 are
 * kept, with ASCII letters lowered.
 */
void utf8_fold(const char *s, size_t len, buf_t *out);

#endif
