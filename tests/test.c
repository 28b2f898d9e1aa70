/*
 * test.c: runs the cases of one test program and prints its tally.
 * A case name given on the command line runs that case alone.
 */
#include "test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

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

long long
test_sql_int(const char *path, const char *sql)
{
	sqlite3 *c;
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(c);
		return -1;
	}
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	} else {
		test_fail(__FILE__, __LINE__, "%s: %s", sql, sqlite3_errmsg(c));
	}
	sqlite3_close(c);
	return v;
}

long long
test_sql_wait(const char *path, const char *sql, long long want, int ms)
{
	long long v = -1;

	for (int i = 0; i < ms / 50; i++) {
		if ((v = test_sql_int(path, sql)) >= want)
			break;
		usleep(50000);
	}
	return v;
}

void
test_sql_exec(const char *path, const char *sql)
{
	sqlite3 *c;
	char *msg = NULL;

	CHECK(sqlite3_open(path, &c) == SQLITE_OK);
	if (sqlite3_exec(c, sql, NULL, NULL, &msg) != SQLITE_OK)
		test_fail(__FILE__, __LINE__, "%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(c);
}
