/*
 * token.h: random single-use tokens, kept only as a hash (libsodium).
 *
 * A token is 32 random bytes (256 bits) written in URL-safe base64
 * without padding, 43 characters, fit for a link in a text message. What
 * is stored is its BLAKE2b-256 hash in hex: a copy of the database gives
 * no one a working link.
 */
#ifndef TRYGG_TOKEN_H
#define TRYGG_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_LEN      43       /* characters of a token */
#define TOKEN_HASH_LEN 64       /* hex characters of its hash */

/* Makes a token into out (NUL-terminated); 0, or -1 when libsodium cannot start. */
int token_new(char out[TOKEN_LEN + 1]);
/* The hash of s[0..len) as hex into hex (NUL-terminated). */
void token_hash(const char *s, size_t len, char hex[TOKEN_HASH_LEN + 1]);
/* true when s[0..len) has a token's shape (length and alphabet) */
bool token_valid(const char *s, size_t len);

#endif
