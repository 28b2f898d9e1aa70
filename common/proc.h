/*
 * proc.h: run short-lived programs from a poll loop without ever waiting
 * for them.
 *
 * A daemon that must hand something to an outside program (trygg-escalation
 * runs a notify command per contact) cannot afford to wait for it: a hung
 * SMS gateway would stop acknowledgements and deadlines for everybody. So a
 * proc_t starts each program with posix_spawn and watches it through one
 * epoll descriptor that the caller adds to its own poll set:
 *
 *	proc_t *p = proc_new(4, 64, on_done, ctx, err, sizeof(err));
 *	id = proc_start(p, &spec, err, sizeof(err));    // -1: refused
 *	loop:
 *	    timeout = min(own timeout, proc_next_deadline(p));
 *	    zmq_poll(..., {.fd = proc_fd(p), .events = ZMQ_POLLIN}, timeout);
 *	    proc_dispatch(p, err, sizeof(err));  // when proc_fd is readable or
 *	                                         // the deadline has passed
 *	proc_destroy(&p);                        // kills what still runs
 *
 * Every job started is reported exactly once through the callback, from
 * proc_dispatch: it exited (with its status), was killed by a signal, was
 * killed at its timeout, could not be started (errno), or was cancelled. The report carries
 * the first PROC_CAPTURE_MAX bytes of the program's stderr for the log.
 *
 * Why this shape:
 * - No signals. Each child is watched through a pidfd (pidfd_open, Linux
 *   5.3), not SIGCHLD, so proc neither installs a handler nor blocks a
 *   signal, and a daemon's own SIGTERM/SIGINT handling (daemon_signals) is
 *   untouched. Two rules for the rest of the program: SIGCHLD must not be
 *   set to SIG_IGN (the kernel would reap the children itself), and nothing
 *   else may reap with waitpid(-1, ...).
 * - Stdin never blocks. The input goes through a non-blocking socketpair
 *   (send with MSG_NOSIGNAL: a child that exits without reading cannot raise
 *   SIGPIPE in the daemon); what does not fit at once is written from
 *   proc_dispatch when the child reads. A child that never reads simply
 *   never gets the rest, and is killed at its timeout.
 * - Bounded. At most max_running children at once, at most max_queued jobs
 *   waiting for a slot (FIFO); proc_start refuses more with -1 (errno
 *   EAGAIN), and the caller tries again later. The input is copied, so each
 *   queued job holds its input until it is written.
 * - A child never outlives its bound. Each child leads its own process
 *   group; at its timeout (counted from its start, not from the queue) the
 *   whole group gets SIGKILL, so a shell script's sleep or curl dies with
 *   it. proc_destroy kills every group still running and reaps them. What a
 *   program deliberately moves out of its group (setsid, as sendmail's
 *   queue runner does) is outside this bound by that program's own choice.
 *   A job is over when its process has exited: its stderr is read up to
 *   that moment, not until every descendant has closed the pipe.
 * - The child gets the daemon's environment plus spec->env (which wins on a
 *   name both have), an empty signal mask and default signal dispositions,
 *   stdin from the socket, stdout to /dev/null (or into the captured text
 *   with PROC_STDOUT_CAPTURE), stderr to a pipe, and no other descriptor
 *   (closefrom 3). All of proc's own descriptors are close-on-exec.
 *
 * Not thread-safe: one proc_t belongs to one thread, its poll loop.
 */
#ifndef TRYGG_PROC_H
#define TRYGG_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_CAPTURE_MAX    1024    /* bytes of stderr kept for the report */
#define PROC_MAX_INPUT      (1024 * 1024)   /* a larger stdin is refused */

/* spec->flags */
#define PROC_STDOUT_CAPTURE 0x1     /* stdout joins stderr in the capture */

typedef struct proc proc_t;

typedef struct {
	const char *const *argv;    /* NULL-terminated; argv[0] without a '/'
	                               is searched in the daemon's PATH */
	const char *const *env;     /* extra "NAME=value", NULL-terminated, or NULL */
	const void        *input;   /* bytes for stdin (copied), may be NULL */
	size_t             input_len;
	int64_t            timeout_ms;  /* > 0: SIGKILL to the group after this */
	int                flags;       /* PROC_STDOUT_CAPTURE */
	void              *arg;         /* handed back in the result */
} proc_spec_t;

typedef enum {
	PROC_EXITED = 1,    /* status: its exit status; 0 is success */
	PROC_SIGNALED,      /* status: the signal that ended it */
	PROC_TIMEOUT,       /* killed at its timeout */
	PROC_FAILED,        /* never ran; error: the errno (ENOENT, EACCES, ...) */
	PROC_CANCELLED,     /* proc_cancel: dropped from the queue, or killed */
} proc_outcome_t;

typedef struct {
	int64_t         id;         /* what proc_start returned */
	void           *arg;        /* spec->arg */
	proc_outcome_t  outcome;
	int             status;     /* exit status or signal number */
	int             error;      /* PROC_FAILED: errno */
	bool            ok;         /* exited with status 0 */
	const char     *what;       /* "exited with status 3", "timed out after
	                               10000 ms", ...: one line for the log */
	const char     *output;     /* first PROC_CAPTURE_MAX bytes of stderr,
	                               NUL-terminated; valid during the callback;
	                               raw bytes: make them printable (and
	                               mask what may be personal) before logging */
	size_t          output_len;
	bool            truncated;  /* there was more than output holds */
	size_t          input_written;  /* bytes of the input the child took */
	int64_t         elapsed_ms; /* from start to the end of the process */
} proc_result_t;

/* Called once per job, from proc_dispatch; may call proc_start, not proc_destroy. */
typedef void (proc_done_fn)(const proc_result_t *r, void *done_arg);

/*
 * Makes a runner of at most max_running children at once (>= 1) and
 * max_queued waiting jobs (>= 0). NULL with err filled on failure, among
 * them SIGCHLD set to SIG_IGN or SA_NOCLDWAIT.
 */
proc_t *proc_new(int max_running, int max_queued, proc_done_fn *done,
    void *done_arg, char *err, size_t errlen);
/*
 * SIGKILLs every process group still running, reaps them and frees
 * everything. Jobs not yet reported are not reported. NULL is fine.
 */
void proc_destroy(proc_t **self_p);
/*
 * Starts a job, or queues it when max_running run already. Returns its id
 * (>= 1), or -1 with err filled and errno set: EINVAL for a bad spec,
 * EAGAIN when the queue is full. A program that cannot be started is not
 * an error here: it is reported as PROC_FAILED by the next proc_dispatch.
 */
int64_t proc_start(proc_t *p, const proc_spec_t *spec, char *err,
    size_t errlen);
/*
 * Withdraws a job that is no longer wanted (its escalation was acknowledged,
 * say): a queued one never starts, a running one's process group gets
 * SIGKILL. Either is reported as PROC_CANCELLED by proc_dispatch, unless it
 * had already ended otherwise. Returns 0, or -1 when no queued or running
 * job has that id (it has ended: its report is due or done).
 */
int proc_cancel(proc_t *p, int64_t id);
/* The descriptor to poll for reading; it stays the same for the proc_t's life. */
int proc_fd(const proc_t *p);
/*
 * Milliseconds until proc_dispatch has work that no descriptor announces
 * (the next timeout): 0 when it is due now, -1 when nothing runs.
 */
int proc_next_deadline(const proc_t *p);
/*
 * Does everything that is ready without waiting: writes input, reads
 * output, kills what has passed its timeout, reaps, starts queued jobs and
 * reports finished ones. Returns the number reported, or -1 with err filled
 * when the epoll descriptor fails (a broken invariant; jobs stay intact).
 */
int proc_dispatch(proc_t *p, char *err, size_t errlen);
/* Jobs running and jobs waiting for a slot. */
size_t proc_running(const proc_t *p);
size_t proc_queued(const proc_t *p);

#endif
