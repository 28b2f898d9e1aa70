/*
 * web_csrf.c: CSRF tokens without server state. A form carries
 * HMAC-SHA512/256(key, purpose NUL subject NUL user) in URL-safe base64,
 * where the key is made at start (crypto_auth), the purpose names the form
 * ("report", "ack"), the subject is what it acts on (the one-time key, the
 * ack token) and the user is the proxy's identity. Binding the user means a
 * token fetched by one person does not work in another person's browser;
 * a form served before a restart is refused once and shown again.
 */
#include "web.h"

#include <string.h>

#include <sodium.h>

static void
web_csrf_mac(const web_t *w, const char *purpose, const char *subject,
    const char *user, unsigned char mac[crypto_auth_BYTES])
{
	crypto_auth_hmacsha512256_state st;

	crypto_auth_hmacsha512256_init(&st, w->csrf_key, sizeof(w->csrf_key));
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)subject, strlen(subject) + 1);
	if (user)
		crypto_auth_hmacsha512256_update(&st, (const unsigned char *)user, strlen(user));
	crypto_auth_hmacsha512256_final(&st, mac);
}

void
web_csrf_make(const web_t *w, const char *purpose, const char *subject,
    const char *user, char out[WEB_CSRF_LEN + 1])
{
	unsigned char mac[crypto_auth_BYTES];

	web_csrf_mac(w, purpose, subject, user, mac);
	sodium_bin2base64(out, WEB_CSRF_LEN + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
web_csrf_check(const web_t *w, const char *purpose, const char *subject,
    const char *user, const char *token)
{
	char want[WEB_CSRF_LEN + 1];

	if (token == NULL || strlen(token) != WEB_CSRF_LEN)
		return false;
	web_csrf_make(w, purpose, subject, user, want);
	return sodium_memcmp(want, token, WEB_CSRF_LEN) == 0;
}
