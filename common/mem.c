/*
 * mem.c: allocation wrappers that abort on exhaustion.
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
mem_check(void *p, size_t n)
{
	if (p == NULL && n != 0) {
		fprintf(stderr, "trygg: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *
xmalloc(size_t n)
{
	return mem_check(malloc(n ? n : 1), n);
}

void *
xcalloc(size_t count, size_t size)
{
	return mem_check(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *
xrealloc(void *p, size_t n)
{
	return mem_check(realloc(p, n ? n : 1), n);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}
