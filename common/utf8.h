/*
 * utf8.h: UTF-8 validation, character counting and the folding used to
 * match names the way people type them ("skaggetorp" = "Skäggetorp").
 */
#ifndef TRYGG_UTF8_H
#define TRYGG_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* true when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates) */
bool utf8_valid(const char *s, size_t len);
/* the number of code points in valid UTF-8 */
size_t utf8_count(const char *s, size_t len);
/*
 * Appends the folded form of valid UTF-8 to out: ASCII letters lowered,
 * å ä á à â ã → a, ö ó ò ô õ ø → o, é è ê ë → e, ü ú ù û → u, í ì î ï → i,
 * æ → ae, and their capitals likewise; leading and trailing blanks dropped,
 * inner runs of blanks and '-'/'_' kept as they are.
 */
void utf8_fold(const char *s, size_t len, buf_t *out);

#endif
