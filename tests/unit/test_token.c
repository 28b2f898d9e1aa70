/*
 * test_token.c: tokens are random, URL-safe, and hashed the same way each time.
 */
#include "test.h"
#include "token.h"

#include <string.h>

TEST(tokens_are_url_safe_and_differ)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	CHECK_INT(token_new(a), 0);
	CHECK_INT(token_new(b), 0);
	CHECK_INT(strlen(a), TOKEN_LEN);
	CHECK(token_valid(a, strlen(a)));
	CHECK(token_valid(b, strlen(b)));
	CHECK(strcmp(a, b) != 0);
	CHECK(strchr(a, '=') == NULL && strchr(a, '+') == NULL && strchr(a, '/') == NULL);
}

TEST(the_hash_is_stable_and_not_the_token)
{
	char t[TOKEN_LEN + 1], h1[TOKEN_HASH_LEN + 1], h2[TOKEN_HASH_LEN + 1];

	CHECK_INT(token_new(t), 0);
	token_hash(t, strlen(t), h1);
	token_hash(t, strlen(t), h2);
	CHECK_STR(h1, h2);
	CHECK_INT(strlen(h1), TOKEN_HASH_LEN);
	CHECK(strstr(h1, t) == NULL);
	t[0] = t[0] == 'A' ? 'B' : 'A';
	token_hash(t, strlen(t), h2);
	CHECK(strcmp(h1, h2) != 0);
}

TEST(shapes_that_are_not_tokens)
{
	static const char *const bad[] = {
		"", "short", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP=",
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR", "abcdefghijklmnopqrstuvwxyz/BCDEFGHIJKLMNOP",
		"abcdefghijklmnopqrstuvwxyz BCDEFGHIJKLMNOP",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!token_valid(bad[i], strlen(bad[i])));
	CHECK(token_valid("abcdefghijklmnopqrstuvwxyz-_CDEFGHIJKLMNOPQ", 43));
}

TEST_MAIN(tokens_are_url_safe_and_differ, the_hash_is_stable_and_not_the_token,
    shapes_that_are_not_tokens)
