/*
 * mem.h: allocation that cannot return NULL. Running out of memory is a
 * broken invariant for trygg's small, bounded working sets: these abort.
 */
#ifndef TRYGG_MEM_H
#define TRYGG_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* returns a copy the caller frees */
char *xstrdup(const char *s);
/* returns a NUL-terminated copy of n bytes the caller frees */
char *xstrndup(const char *s, size_t n);

#endif
