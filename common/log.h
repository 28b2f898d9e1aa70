/*
 * log.h: logging to stderr for the programs, and fatal() for what a daemon
 * cannot run without. Library code in common/ never calls these: it returns
 * an error to its caller instead.
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
	EXIT_CONFIG   = 78,  /* EX_CONFIG */
};

void log_init(const char *prog, int verbose);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
