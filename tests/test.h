/*
 * test.h: the small test framework every test program uses.
 *
 * A test program defines its cases with TEST(name) and lists them in
 * TEST_MAIN(...). Each case counts once: it passes when none of its CHECKs
 * failed. The program's last line is "# <program>: P passed, F failed",
 * which tests/run-tests.sh adds up into the one summary line of make check.
 */
#ifndef TRYGG_TEST_H
#define TRYGG_TEST_H

#include <stdint.h>
#include <string.h>

extern int test_failures;       /* CHECKs failed in the current case */

void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int test_run(int argc, char **argv, const char *const *names,
    void (*const *fns)(void), int n);

/*
 * Checks on a database file (a daemon's, while it runs), each on a
 * connection of its own. test_sql_int: the integer in the first column of
 * sql's first row; -1 when the file cannot be opened or there is no row,
 * and a query SQLite refuses fails the case. test_sql_wait: test_sql_int
 * until it is want or more, or ms have passed; its last answer.
 * test_sql_exec: runs sql (statements), failing the case when it cannot.
 */
long long test_sql_int(const char *path, const char *sql);
long long test_sql_wait(const char *path, const char *sql, long long want, int ms);
void test_sql_exec(const char *path, const char *sql);

#define TEST(name) static void name(void)

#define CHECK(cond) do { if (!(cond)) \
    test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)

#define CHECK_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
        #a, a_, #b, b_); } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) \
        test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, \
            a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)

/* CHECK that a string contains a substring */
#define CHECK_HAS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
    if (h_ == NULL || strstr(h_, n_) == NULL) \
        test_fail(__FILE__, __LINE__, "%s == \"%s\" lacks \"%s\"", #hay, \
            h_ ? h_ : "(null)", n_); } while (0)

#define TEST_MAIN(...) \
    int main(int argc, char **argv) { \
        static void (*const fns[])(void) = {__VA_ARGS__}; \
        return test_run(argc, argv, test_split_names_(#__VA_ARGS__), fns, \
            (int)(sizeof(fns) / sizeof(fns[0]))); \
    }
const char *const *test_split_names_(const char *list);

#endif
