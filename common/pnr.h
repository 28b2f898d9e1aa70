/*
 * pnr.h: finding and masking Swedish personal identity numbers
 * (personnummer) and coordination numbers (samordningsnummer, day of month
 * plus 60) in free text, so that they are never stored.
 *
 * A number is recognised in these forms, and only with a valid check digit
 * (Luhn over the ten digits YYMMDDNNNN):
 *
 *	YYMMDD-NNNN     YYMMDD+NNNN (the '+' marks someone over 100)
 *	YYMMDDNNNN      YYYYMMDD-NNNN   YYYYMMDDNNNN
 *
 * The month must be 01..12 and the day 01..31, or 61..91 for a
 * samordningsnummer; a four-digit year must start with 18, 19 or 20. A
 * number is only recognised when it is not part of a longer run of digits:
 * the characters before and after it are not digits (letters, blanks and
 * punctuation are fine), so "198112189876123" and "x1811218-9876" hold none.
 * Masking replaces every digit of a number by 'X' and keeps its separator:
 * "19811218-9876" becomes "XXXXXXXX-XXXX".
 */
#ifndef TRYGG_PNR_H
#define TRYGG_PNR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Appends in[0..len) to out with every number masked; out always gets the
 * text, masked or not. Returns how many numbers were masked.
 */
size_t pnr_mask(const char *in, size_t len, buf_t *out);
/* true when s[0..len) is exactly one number in a form above */
bool pnr_valid(const char *s, size_t len);

#endif
