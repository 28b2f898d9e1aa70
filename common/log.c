/*
 * log.c: one line per event on stderr: time (UTC), program, level, text.
 *
 * Each line is formatted whole and written with one write(2), so that
 * daemons sharing a terminal or a pipe never interleave inside a line
 * (stdio on an unbuffered stderr wrote a line in three pieces). A line
 * longer than LOG_LINE_MAX is cut and ends in "...".
 *
 * Warnings repeat when something stays wrong (a full disk fails every
 * batch, a checkpoint fails every idle moment): a warning whose format was
 * already logged in the last LOG_REPEAT_MS is counted instead of written,
 * and the count is logged, once, with the first warning of that format
 * after the interval, or with any later warning or fatal once the interval
 * is over: "(... and 2,000 more like it in the last 10 s)".
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX  4096
#define LOG_REPEATS   32        /* formats whose repetitions are tracked */

static const char *log_prog = "trygg";
static int log_verbose;
static int64_t log_repeat_ms = LOG_REPEAT_MS;

/* A warning format seen lately: when it was last written, how often since. */
static struct log_repeat {
	const char *fmt;        /* compared by address: one call site, one format */
	int64_t     since;      /* ms, CLOCK_MONOTONIC, when it was last written */
	unsigned long held;     /* repetitions not written since */
} log_repeats[LOG_REPEATS];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *prog, int verbose)
{
	log_prog = prog;
	log_verbose = verbose;
}

void
log_set_repeat_interval(int64_t ms)
{
	log_repeat_ms = ms;
}

static int64_t
log_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes all of a line with one write(2) where the system allows. */
static void
log_write(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

/* Formats "stamp prog level: " + text (+ suffix) + newline into one line. */
static void
log_line(const char *level, const char *suffix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	struct timespec now;
	struct tm tm;
	size_t len, room = sizeof(line) - 1;       /* one byte kept for the newline */
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	len = strftime(line, room, "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line + len, room - len, ".%03ldZ %s %s: ", now.tv_nsec / 1000000L,
	    log_prog, level);
	len += n > 0 ? (size_t)n : 0;
	if (len < room) {
		n = vsnprintf(line + len, room - len, fmt, ap);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len < room && suffix != NULL) {
		n = snprintf(line + len, room - len, "%s", suffix);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len >= room) {
		len = room;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	log_write(line, len);
}

static void
log_emit(const char *level, const char *fmt, va_list ap)
{
	log_line(level, NULL, fmt, ap);
}

/* A line from a format of our own, for the held counts. */
static void
log_emitf(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(level, NULL, fmt, ap);
	va_end(ap);
}

/*
 * Writes the counts of repetitions whose interval is over (all of them
 * when flush), except for fmt's own, which its line carries. Under log_lock.
 */
static void
log_repeats_sweep(const char *fmt, int64_t now, bool flush)
{
	for (int i = 0; i < LOG_REPEATS; i++) {
		struct log_repeat *r = &log_repeats[i];

		if (r->fmt == NULL || r->fmt == fmt || r->held == 0 ||
		    (!flush && now - r->since < log_repeat_ms))
			continue;
		log_emitf("warning", "(a warning repeated %lu more times in the last "
		    "%lld ms: %s)", r->held, (long long)(now - r->since), r->fmt);
		r->held = 0;
		r->since = now;
	}
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_emit("debug", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	struct log_repeat *r = NULL, *oldest = &log_repeats[0];
	int64_t now = log_now_ms();
	char suffix[96] = "";
	va_list ap;

	pthread_mutex_lock(&log_lock);
	log_repeats_sweep(fmt, now, false);
	for (int i = 0; i < LOG_REPEATS && r == NULL; i++) {
		if (log_repeats[i].fmt == fmt)
			r = &log_repeats[i];
		else if (log_repeats[i].since < oldest->since)
			oldest = &log_repeats[i];
	}
	if (r != NULL && now - r->since < log_repeat_ms) {
		r->held++;
		pthread_mutex_unlock(&log_lock);
		return;
	}
	if (r == NULL) {
		r = oldest;             /* forgets the one not seen for longest */
		r->fmt = fmt;
		r->held = 0;
	}
	if (r->held > 0)
		snprintf(suffix, sizeof(suffix), " (and %lu more like it in the last %lld ms)",
		    r->held, (long long)(now - r->since));
	r->since = now;
	r->held = 0;
	va_start(ap, fmt);
	log_line("warning", suffix, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&log_lock);
}

void
log_warn_paced(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	va_start(ap, fmt);
	log_line("warning", NULL, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&log_lock);
}

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	log_repeats_sweep(NULL, log_now_ms(), true);
	pthread_mutex_unlock(&log_lock);
	va_start(ap, fmt);
	log_emit("fatal", fmt, ap);
	va_end(ap);
	exit(status);
}
