/*
 * token.c: random single-use tokens, kept only as a hash (token.h).
 */
#include "token.h"

#include <sodium.h>
#include <string.h>

int
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char raw[32];

	/* sodium_init is idempotent and thread-safe */
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

void
token_hash(const char *s, size_t len, char hex[TOKEN_HASH_LEN + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)s, len, NULL, 0);
	sodium_bin2hex(hex, TOKEN_HASH_LEN + 1, h, sizeof(h));
}

bool
token_valid(const char *s, size_t len)
{
	if (len != TOKEN_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}
