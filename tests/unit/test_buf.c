/*
 * test_buf.c: the growable buffer (common/buf.c): appends across the
 * 64-byte first allocation and every doubling after it, printf output that
 * does not fit what is left (the 128 bytes buf_vprintf tries first, and
 * more), reset and free, and the empty buffer.
 */
#include "../test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* n bytes of a pattern that shows where a byte came from */
static void
pattern(char *out, size_t n, char base)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(base + (int)(i % 26));
}

/* len, NUL terminator, room, and content */
static void
check_buf(const buf_t *b, const char *want, size_t len, int line)
{
	if (b->len != len || b->data == NULL || b->cap < len + 1 ||
	    b->data[len] != '\0' || memcmp(b->data, want, len) != 0)
		test_fail(__FILE__, line, "buf len %zu cap %zu, expected len %zu%s",
		    b->len, b->cap, len, b->data && b->len == len &&
		    memcmp(b->data, want, len) != 0 ? " (content differs)" : "");
}

TEST(test_empty)
{
	buf_t b = BUF_INIT;

	CHECK(b.data == NULL);
	CHECK_STR(buf_str(&b), "");
	buf_reset(&b);          /* nothing to reset: no crash, still empty */
	CHECK(b.data == NULL);
	CHECK_STR(buf_str(&b), "");
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	buf_free(&b);

	/* appending nothing still gives a string */
	buf_append(&b, "", 0);
	CHECK(b.data != NULL);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_str(&b), "");
	buf_free(&b);
	buf_puts(&b, "");
	CHECK(b.data != NULL);
	CHECK_STR(buf_str(&b), "");
	buf_free(&b);
	buf_printf(&b, "%s", "");
	CHECK(b.data != NULL);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_str(&b), "");
	buf_free(&b);
}

TEST(test_append)
{
	buf_t b = BUF_INIT;

	buf_puts(&b, "abc");
	CHECK_STR(buf_str(&b), "abc");
	CHECK_INT(b.len, 3);
	buf_putc(&b, 'd');
	buf_append(&b, "efgh", 2);
	CHECK_STR(buf_str(&b), "abcdef");
	CHECK_INT(b.len, 6);
	/* bytes, not strings: a NUL inside counts */
	buf_append(&b, "x\0y", 3);
	CHECK_INT(b.len, 9);
	CHECK(memcmp(b.data, "abcdefx\0y", 10) == 0);
	CHECK_STR(buf_str(&b), "abcdefx");
	buf_putc(&b, '\0');
	CHECK_INT(b.len, 10);
	CHECK(b.data[10] == '\0');
	buf_free(&b);
}

/* One byte at a time, past 64, 128 and several doublings. */
TEST(test_append_growth)
{
	static const size_t sizes[] = {0, 1, 62, 63, 64, 65, 127, 128, 129, 255, 256, 4096};
	char want[5000];
	buf_t b = BUF_INIT;
	int bad = 0;

	pattern(want, sizeof(want), 'a');
	for (size_t i = 0; i < sizeof(want); i++) {
		buf_putc(&b, want[i]);
		if ((b.len != i + 1 || b.cap < b.len + 1 || b.data[b.len] != '\0' ||
		    memcmp(b.data, want, b.len) != 0) && bad++ < 5)
			test_fail(__FILE__, __LINE__, "after %zu bytes: len %zu cap %zu",
			    i + 1, b.len, b.cap);
	}
	CHECK_INT(bad, 0);
	buf_free(&b);

	/* blocks whose ends fall on and around the first sizes */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			char got_want[8192];

			pattern(got_want, sizes[i], 'a');
			pattern(got_want + sizes[i], sizes[j], 'A');
			buf_append(&b, got_want, sizes[i]);
			buf_append(&b, got_want + sizes[i], sizes[j]);
			check_buf(&b, got_want, sizes[i] + sizes[j], __LINE__);
			buf_free(&b);
		}
	}
}

static void
wrapped(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
wrapped(buf_t *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/*
 * printf after what the buffer holds: every pairing of a prefix length and
 * an output length around 64 and 128, so that the output fits, just fits,
 * or must be written a second time after growing.
 */
TEST(test_printf_growth)
{
	static const size_t prefix[] = {0, 1, 10, 62, 63, 64, 65, 127, 128, 200, 1000};
	static const size_t output[] = {0, 1, 63, 64, 65, 126, 127, 128, 129, 130,
	    191, 192, 200, 1000, 10000};
	static char text[20000], want[20000];

	pattern(text, sizeof(text) - 1, 'A');
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		for (size_t j = 0; j < sizeof(output) / sizeof(output[0]); j++) {
			buf_t b = BUF_INIT, c = BUF_INIT;
			size_t n = prefix[i] + output[j];

			pattern(want, prefix[i], 'a');
			/* "%s=%d;" with the string cut so the whole is output[j] long */
			if (output[j] >= 4) {
				size_t sl = output[j] - 4;

				memcpy(want + prefix[i], text, sl);
				memcpy(want + prefix[i] + sl, "=42;", 4);
			} else {
				memcpy(want + prefix[i], text, output[j]);
			}
			buf_append(&b, want, prefix[i]);
			buf_append(&c, want, prefix[i]);
			if (output[j] >= 4) {
				buf_printf(&b, "%.*s=%d;", (int)(output[j] - 4), text, 42);
				wrapped(&c, "%.*s=%d;", (int)(output[j] - 4), text, 42);
			} else {
				buf_printf(&b, "%.*s", (int)output[j], text);
				wrapped(&c, "%.*s", (int)output[j], text);
			}
			if (b.len != n || b.data == NULL || b.data[n] != '\0' ||
			    memcmp(b.data, want, n) != 0 || b.cap < n + 1)
				test_fail(__FILE__, __LINE__, "prefix %zu + printf %zu: len %zu, "
				    "cap %zu", prefix[i], output[j], b.len, b.cap);
			if (c.len != n || c.data == NULL || c.data[n] != '\0' ||
			    memcmp(c.data, want, n) != 0)
				test_fail(__FILE__, __LINE__, "prefix %zu + vprintf %zu: len %zu",
				    prefix[i], output[j], c.len);
			buf_free(&b);
			buf_free(&c);
		}
	}
}

/* Many printf calls in a row build the same text as snprintf would. */
TEST(test_printf_many)
{
	buf_t b = BUF_INIT;
	char want[20000];
	size_t off = 0;

	for (int i = 0; i < 500; i++) {
		buf_printf(&b, "%d:%s,", i, i % 7 ? "x" : "a longer piece of text");
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%d:%s,", i,
		    i % 7 ? "x" : "a longer piece of text");
	}
	CHECK_INT(b.len, off);
	CHECK_STR(buf_str(&b), want);
	buf_free(&b);
}

TEST(test_reset)
{
	buf_t b = BUF_INIT;
	char *data;
	size_t cap;

	buf_printf(&b, "%0300d", 7);
	CHECK_INT(b.len, 300);
	data = b.data;
	cap = b.cap;
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_str(&b), "");
	CHECK(b.data == data);          /* the memory is kept */
	CHECK_INT(b.cap, cap);
	buf_puts(&b, "again");
	CHECK_STR(buf_str(&b), "again");
	CHECK_INT(b.len, 5);
	CHECK(b.data == data);
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK_STR(buf_str(&b), "");
	/* usable after free */
	buf_printf(&b, "%s-%d", "x", 1);
	CHECK_STR(buf_str(&b), "x-1");
	buf_free(&b);
}

/* After a large text, reset gives the memory back; a small buffer keeps its own. */
TEST(test_reset_shrinks)
{
	static const size_t sizes[] = {100, BUF_KEEP_MAX / 2, BUF_KEEP_MAX - 1,
	    BUF_KEEP_MAX, BUF_KEEP_MAX + 1, 1 << 20, 10 << 20};
	char *big = malloc(10 << 20);

	CHECK(big != NULL);
	pattern(big, 10 << 20, 'a');
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		buf_t b = BUF_INIT;
		size_t cap;
		char *data;

		buf_append(&b, big, sizes[i]);
		cap = b.cap;
		data = b.data;
		buf_reset(&b);
		CHECK_INT(b.len, 0);
		CHECK_STR(buf_str(&b), "");
		if (cap <= BUF_KEEP_MAX) {
			CHECK(b.data == data);
			CHECK_INT(b.cap, cap);
		} else {
			CHECK_INT(b.cap, BUF_KEEP_SIZE);
		}
		/* usable after the shrink, across growth again */
		buf_append(&b, big, sizes[i]);
		check_buf(&b, big, sizes[i], __LINE__);
		buf_reset(&b);
		buf_puts(&b, "again");
		check_buf(&b, "again", 5, __LINE__);
		CHECK(b.cap <= BUF_KEEP_MAX);
		buf_free(&b);
	}
	free(big);
}

TEST_MAIN(test_empty, test_append, test_append_growth, test_printf_growth,
    test_printf_many, test_reset, test_reset_shrinks)
