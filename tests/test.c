/*
 * test.c: runs the cases of one test program and prints its tally.
 * A case name given on the command line runs that case alone.
 */
#include "test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int test_failures;

static const char *current;

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_failures++;
	fprintf(stdout, "    FAIL %s: %s:%d: ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Splits the stringified TEST_MAIN list "a, b, c" into names. */
const char *const *
test_split_names_(const char *list)
{
	static char buf[8192];
	static const char *names[512];
	size_t n = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", list);
	p = buf;
	while (*p && n < 511) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		names[n++] = p;
		while (*p && *p != ',' && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	names[n] = NULL;
	return names;
}

int
test_run(int argc, char **argv, const char *const *names,
    void (*const *fns)(void), int n)
{
	const char *prog = argc > 0 ? argv[0] : "test";
	const char *slash = strrchr(prog, '/');
	int passed = 0, failed = 0;

	if (slash)
		prog = slash + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], names[i]) != 0)
			continue;
		current = names[i];
		test_failures = 0;
		fns[i]();
		if (test_failures == 0) {
			passed++;
			if (getenv("TEST_VERBOSE"))
				printf("    ok   %s\n", names[i]);
		} else {
			failed++;
		}
	}
	printf("# %s: %d passed, %d failed\n", prog, passed, failed);
	return failed ? 1 : 0;
}
