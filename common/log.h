/*
 * log.h: logging to stderr for the programs, and fatal() for what a daemon
 * cannot run without. Library code in common/ never calls these: it returns
 * an error to its caller instead. Each line is one write(2); a warning that
 * repeats is written once per LOG_REPEAT_MS with a count of the rest.
 */
#ifndef TRYGG_LOG_H
#define TRYGG_LOG_H

#include <stdnoreturn.h>

/* sysexits.h codes that the programs use */
enum {
	EXIT_USAGE    = 64,  /* EX_USAGE */
	EXIT_UNAVAIL  = 69,  /* EX_UNAVAILABLE: a service could not be reached */
	EXIT_SOFTWARE = 70,  /* EX_SOFTWARE: internal error */
	EXIT_IOERR    = 74,  /* EX_IOERR */
	EXIT_NOPERM   = 77,  /* EX_NOPERM: a key refused */
	EXIT_CONFIG   = 78,  /* EX_CONFIG */
};

#include <stdint.h>

#define LOG_REPEAT_MS 10000     /* a warning's repetitions are counted this long */

void log_init(const char *prog, int verbose);
/*
 * log_warn writes a warning from one format at most once per interval and
 * counts the rest (log.c). For tests: another interval.
 */
void log_set_repeat_interval(int64_t ms);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A warning that its caller paces itself, per subject (link.c warns about
 * each link at most once per links.stale_after): written every time, never
 * counted with log_warn's repeats, where one subject's line would hide
 * another's that shares its format.
 */
void log_warn_paced(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
