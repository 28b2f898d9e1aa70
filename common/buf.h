/*
 * buf.h: a growable byte buffer, always NUL-terminated for text use.
 */
#ifndef TRYGG_BUF_H
#define TRYGG_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char   *data;   /* NULL until the first append; then NUL-terminated */
	size_t  len;
	size_t  cap;
} buf_t;

#define BUF_INIT {NULL, 0, 0}

void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/*
 * Empties the buffer; keeps its memory up to BUF_KEEP_MAX, and shrinks a
 * larger one to BUF_KEEP_SIZE, so a buffer reused after one large text
 * does not hold on to it.
 */
#define BUF_KEEP_MAX   (16 * 1024)
#define BUF_KEEP_SIZE  1024
void buf_reset(buf_t *b);
void buf_free(buf_t *b);
/* the text so far, "" when empty; valid until the next append */
const char *buf_str(const buf_t *b);

#endif
