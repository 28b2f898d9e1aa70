/*
 * pnr.h: finding and masking Swedish personal identity numbers
 * (personnummer) and coordination numbers (samordningsnummer, day of month
 * plus 60) in free text, so that they are never stored.
 *
 * Masking errs on the side of the person: anything shaped like a number
 * whose date is a real date is masked, whether its check digit is right or
 * not (a typo is still someone's number). The shapes, where D is a digit:
 *
 *	YYMMDD NNNN      six date digits, a separator, four digits
 *	YYYYMMDD NNNN    the same with the century (18, 19 or 20)
 *	YYMMDDNNNN       ten digits together
 *	YYYYMMDDNNNN     twelve digits together
 *
 * The separator is a run of at most PNR_BLANKS_MAX blanks (space, TAB,
 * no-break space and every other Unicode space), or one dash ('-', hyphen,
 * non-breaking hyphen, figure, en and em dash, minus sign, full-width and
 * small hyphen-minus) or plus ('+', the mark of someone over 100, also
 * full-width) with up to PNR_BLANKS_MAX blanks on either side.
 *
 * A digit is any decimal digit (ASCII, full-width, Arabic-Indic, ...) or a
 * character whose compatibility form (NFKC) is one, such as superscripts
 * and circled digits. Invisible characters (format characters such as
 * U+200B and U+00AD, the direction marks U+200E and U+200F, combining marks)
 * are looked through: "8112\u200b18-9876" is a number.
 *
 * The date must exist: month 01..12, the day within the month (29 February
 * only in a leap year; without a century, in a year that is leap in either
 * century), the day plus 60 for a samordningsnummer. A number is only
 * recognised when it is not part of a longer run of digits, so
 * "198112189876123" holds none, while letters, blanks and punctuation around
 * it are fine ("nr811218-9876abc" holds one).
 *
 * Masking replaces every digit of a number by 'X' and keeps everything
 * else: "19811218 - 9876" becomes "XXXXXXXX - XXXX".
 */
#ifndef TRYGG_PNR_H
#define TRYGG_PNR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define PNR_BLANKS_MAX  3       /* blanks on either side of a separator */

/*
 * Appends in[0..len) to out with every number masked; out always gets the
 * text, masked or not. Returns how many numbers were masked.
 */
size_t pnr_mask(const char *in, size_t len, buf_t *out);
/*
 * Free text as trygg stores it: identity numbers masked (their count added
 * to *masked), then NFC. Returns a NUL-terminated string the caller frees.
 */
char *pnr_text(const char *s, size_t len, int *masked);
/* true when s[0..len) is exactly one number in a shape above */
bool pnr_valid(const char *s, size_t len);

#endif
