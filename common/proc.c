/*
 * proc.c: children watched through pidfds in one epoll set (see proc.h for
 * the why).
 *
 * A job moves through three lists, and every move happens in one place:
 *
 *	proc_start ──▶ queued ──proc_fill──▶ running ──proc_dispatch──▶ finished
 *	     │           │        (slot free)     │   (reaped: exited,      │
 *	     │           │                        │    killed, timed out,   │
 *	     │           │                        │    cancelled)           │
 *	     │           └── proc_cancel ─────────────────────────▶ finished │
 *	     └── posix_spawn failed ─────────────────────────────▶ finished │
 *	                                                                    ▼
 *	                                      proc_report: callback, then freed
 *
 * The epoll set holds the wake eventfd (readable while finished is not
 * empty, so that a spawn failure inside proc_start is seen), and per running
 * job its pidfd, the read end of its stderr pipe and, while input remains,
 * its end of the stdin socket. Freeing waits for the end of a dispatch
 * round, so that no event of the same epoll_wait batch points at freed
 * memory.
 */
#include "proc.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define PROC_EVENTS     32              /* epoll events taken at a time */
#define PROC_READ_MAX   (64 * 1024)     /* output read per event, per job */

extern char **environ;

enum { W_PID, W_IN, W_OUT, W_COUNT };

struct job;

struct watch {
	struct job *job;
	int         kind;
};

struct job {
	struct job   *next;
	int64_t       id;
	char        **argv;         /* copies */
	char        **env;
	char         *input;
	size_t        input_len;
	size_t        input_off;    /* bytes the child has taken */
	int64_t       timeout_ms;
	int           flags;
	void         *arg;

	pid_t         pid;          /* 0 until spawned */
	int           fd[W_COUNT];  /* pidfd, stdin socket, stderr pipe; -1 */
	struct watch  w[W_COUNT];
	int64_t       started;      /* monotonic ms */
	int64_t       deadline;     /* INT64_MAX once killed */
	int64_t       ended;
	bool          exited;       /* reaped */
	bool          timed_out;    /* killed at its deadline */
	bool          cancelled;    /* killed or dropped by proc_cancel */
	int           wstatus;
	int           error;        /* spawn failure: errno */
	char          out[PROC_CAPTURE_MAX + 1];
	size_t        out_len;
	bool          truncated;
};

struct jlist {
	struct job *head, *tail;
	size_t      n;
};

struct proc {
	int           epfd;
	int           wakefd;
	struct watch  wake;         /* .job == NULL */
	int           max_running;
	int           max_queued;
	proc_done_fn *done;
	void         *done_arg;
	int64_t       next_id;
	struct jlist  queued, running, finished;
};

static void
proc_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
proc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int64_t
proc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- lists ---- */

static void
jlist_push(struct jlist *l, struct job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->n++;
}

static struct job *
jlist_shift(struct jlist *l)
{
	struct job *j = l->head;

	if (j == NULL)
		return NULL;
	l->head = j->next;
	if (l->head == NULL)
		l->tail = NULL;
	l->n--;
	j->next = NULL;
	return j;
}

static void
jlist_remove(struct jlist *l, struct job *j)
{
	struct job **pp, *prev = NULL;

	for (pp = &l->head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			if (l->tail == j)
				l->tail = prev;
			l->n--;
			j->next = NULL;
			return;
		}
}

/* ---- jobs ---- */

static char **
proc_copy_strv(const char *const *v)
{
	size_t n = 0;
	char **c;

	while (v != NULL && v[n] != NULL)
		n++;
	c = xcalloc(n + 1, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

static void
proc_free_strv(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
job_free(struct job *j)
{
	proc_free_strv(j->argv);
	proc_free_strv(j->env);
	free(j->input);
	free(j);
}

/* Takes fd k of a job out of the epoll set and closes it. */
static void
job_close(proc_t *p, struct job *j, int k)
{
	if (j->fd[k] < 0)
		return;
	epoll_ctl(p->epfd, EPOLL_CTL_DEL, j->fd[k], NULL);
	close(j->fd[k]);
	j->fd[k] = -1;
}

static int
job_watch(proc_t *p, struct job *j, int k, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = &j->w[k]};

	j->w[k].job = j;
	j->w[k].kind = k;
	return epoll_ctl(p->epfd, EPOLL_CTL_ADD, j->fd[k], &ev);
}

static void
proc_wake(proc_t *p)
{
	uint64_t one = 1;

	/* fails only when the counter would overflow: it is readable then */
	if (write(p->wakefd, &one, sizeof(one)) < 0) {
		/* nothing to do */
	}
}

static void
job_finish(proc_t *p, struct job *j)
{
	jlist_push(&p->finished, j);
	proc_wake(p);
}

/* Gives the child what fits of its input; closes the socket when done. */
static void
job_write(proc_t *p, struct job *j)
{
	while (j->fd[W_IN] >= 0 && j->input_off < j->input_len) {
		ssize_t n = send(j->fd[W_IN], j->input + j->input_off,
		    j->input_len - j->input_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;          /* the child closed its stdin */
		j->input_off += (size_t)n;
	}
	job_close(p, j, W_IN);  /* all written, or nobody reads: EOF */
	free(j->input);
	j->input = NULL;
}

/* Keeps the first PROC_CAPTURE_MAX bytes of output, drains the rest. */
static void
job_read(proc_t *p, struct job *j)
{
	char chunk[4096];
	size_t total = 0;

	while (j->fd[W_OUT] >= 0 && total < PROC_READ_MAX) {
		ssize_t n = read(j->fd[W_OUT], chunk, sizeof(chunk));
		size_t room = PROC_CAPTURE_MAX - j->out_len, take;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			job_close(p, j, W_OUT);
			return;
		}
		take = (size_t)n < room ? (size_t)n : room;
		memcpy(j->out + j->out_len, chunk, take);
		j->out_len += take;
		j->out[j->out_len] = '\0';
		if (take < (size_t)n)
			j->truncated = true;
		total += (size_t)n;
	}
}

static void
job_reap(struct job *j)
{
	pid_t r;

	if (j->exited)
		return;
	do
		r = waitpid(j->pid, &j->wstatus, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == j->pid || (r < 0 && errno == ECHILD)) {
		/* ECHILD: someone else reaped it; report what we know */
		if (r < 0)
			j->wstatus = 0xff00;    /* as if exit 255 */
		j->exited = true;
		j->ended = proc_now();
	}
}

/* The environment of a child: the daemon's, with the job's entries winning. */
static char **
proc_envp(char **extra)
{
	size_t n = 0, k = 0, m = 0;
	char **envp;

	while (environ != NULL && environ[n] != NULL)
		n++;
	while (extra[m] != NULL)
		m++;
	envp = xcalloc(n + m + 1, sizeof(*envp));
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		bool shadowed = false;

		for (size_t e = 0; e < m && !shadowed; e++)
			shadowed = strncmp(extra[e], environ[i], len) == 0 &&
			    extra[e][len] == '=';
		if (!shadowed)
			envp[k++] = environ[i];
	}
	for (size_t e = 0; e < m; e++)
		envp[k++] = extra[e];
	return envp;
}

/*
 * Starts a job's process. On failure the job goes to finished with its
 * errno; otherwise it runs and its descriptors are in the epoll set.
 */
static void
job_spawn(proc_t *p, struct job *j)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int sv[2] = {-1, -1}, ep[2] = {-1, -1}, rc;
	char **envp;

	j->started = proc_now();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sv) < 0 || pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0) {
		j->error = errno;
		goto fail;
	}
	/* the child's ends block as programs expect */
	if (fcntl(sv[1], F_SETFL, 0) < 0 || fcntl(ep[1], F_SETFL, 0) < 0) {
		j->error = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	if (j->flags & PROC_STDOUT_CAPTURE)
		posix_spawn_file_actions_adddup2(&fa, ep[1], 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	envp = proc_envp(j->env);
	rc = posix_spawnp(&j->pid, j->argv[0], &fa, &attr, j->argv, envp);
	free(envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	close(ep[1]);
	sv[1] = ep[1] = -1;
	if (rc != 0) {
		j->pid = 0;
		j->error = rc;
		goto fail;
	}
	j->fd[W_IN] = sv[0];
	j->fd[W_OUT] = ep[0];
	sv[0] = ep[0] = -1;
	j->fd[W_PID] = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->fd[W_PID] < 0 || job_watch(p, j, W_PID, EPOLLIN) < 0 ||
	    job_watch(p, j, W_OUT, EPOLLIN) < 0) {
		/* cannot watch it: end it now rather than lose it */
		int e = errno;

		j->error = e;
		kill(-j->pid, SIGKILL);
		while (waitpid(j->pid, &j->wstatus, 0) < 0 && errno == EINTR)
			;
		for (int k = 0; k < W_COUNT; k++)
			job_close(p, j, k);
		j->pid = 0;
		j->error = e;
		goto fail;
	}
	j->deadline = j->started + j->timeout_ms;
	jlist_push(&p->running, j);
	job_write(p, j);
	if (j->fd[W_IN] >= 0 && job_watch(p, j, W_IN, EPOLLOUT) < 0)
		job_close(p, j, W_IN);  /* the child gets EOF early */
	return;
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	j->ended = j->started;
	job_finish(p, j);
}

/* Starts queued jobs while there are free slots. */
static void
proc_fill(proc_t *p)
{
	while (p->running.n < (size_t)p->max_running && p->queued.n > 0)
		job_spawn(p, jlist_shift(&p->queued));
}

/* A reaped job: takes the rest of its output and leaves running. */
static void
job_end(proc_t *p, struct job *j)
{
	job_close(p, j, W_IN);
	job_read(p, j);         /* what the pipe holds now, no waiting */
	job_close(p, j, W_OUT);
	job_close(p, j, W_PID);
	jlist_remove(&p->running, j);
	job_finish(p, j);
}

/* Fills r from a finished job; what points into buf. */
static void
job_result(const struct job *j, proc_result_t *r, char *what, size_t len)
{
	int st = j->wstatus;

	memset(r, 0, sizeof(*r));
	r->id = j->id;
	r->arg = j->arg;
	r->output = j->out;
	r->output_len = j->out_len;
	r->truncated = j->truncated;
	r->input_written = j->input_off;
	r->elapsed_ms = j->ended - j->started;
	r->what = what;
	if (j->cancelled && (j->pid == 0 || (WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGKILL))) {
		r->outcome = PROC_CANCELLED;
		snprintf(what, len, "cancelled%s", j->pid != 0 ?
		    " and killed" : " before it started");
	} else if (j->pid == 0) {
		r->outcome = PROC_FAILED;
		r->error = j->error;
		snprintf(what, len, "could not start %s: %s", j->argv[0],
		    strerror(j->error));
	} else if (j->timed_out && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
		r->outcome = PROC_TIMEOUT;
		r->status = SIGKILL;
		snprintf(what, len, "timed out after %lld ms and was killed",
		    (long long)j->timeout_ms);
	} else if (WIFSIGNALED(st)) {
		r->outcome = PROC_SIGNALED;
		r->status = WTERMSIG(st);
		snprintf(what, len, "killed by signal %d (%s)", r->status,
		    strsignal(r->status));
	} else {
		r->outcome = PROC_EXITED;
		r->status = WEXITSTATUS(st);
		r->ok = r->status == 0;
		snprintf(what, len, "exited with status %d", r->status);
	}
}

/* Reports and frees every finished job; the callback may start new ones. */
static int
proc_report(proc_t *p)
{
	struct jlist done = p->finished;
	struct job *j;
	int n = 0;
	uint64_t count;

	memset(&p->finished, 0, sizeof(p->finished));
	if (read(p->wakefd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing was pending */
	}
	while ((j = jlist_shift(&done)) != NULL) {
		proc_result_t r;
		char what[256];

		job_result(j, &r, what, sizeof(what));
		n++;
		if (p->done != NULL)
			p->done(&r, p->done_arg);
		job_free(j);
	}
	return n;
}

/* ---- the interface ---- */

proc_t *
proc_new(int max_running, int max_queued, proc_done_fn *done,
    void *done_arg, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN};
	proc_t *p;

	struct sigaction chld;

	if (max_running < 1 || max_queued < 0) {
		proc_err(err, errlen, "proc_new: max_running must be >= 1 and "
		    "max_queued >= 0");
		errno = EINVAL;
		return NULL;
	}
	/* the kernel would reap the children itself: no exit status, ever */
	if (sigaction(SIGCHLD, NULL, &chld) == 0 &&
	    (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT))) {
		proc_err(err, errlen, "proc_new: SIGCHLD is ignored "
		    "(SIG_IGN or SA_NOCLDWAIT); children could not be reaped");
		errno = EINVAL;
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->max_running = max_running;
	p->max_queued = max_queued;
	p->done = done;
	p->done_arg = done_arg;
	p->next_id = 1;
	p->wakefd = -1;
	if ((p->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (p->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		proc_err(err, errlen, "proc_new: %s", strerror(errno));
		goto fail;
	}
	ev.data.ptr = &p->wake;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, &ev) < 0) {
		proc_err(err, errlen, "proc_new: epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	return p;
fail:
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->wakefd >= 0)
		close(p->wakefd);
	free(p);
	return NULL;
}

void
proc_destroy(proc_t **self_p)
{
	proc_t *p;
	struct job *j;

	if (self_p == NULL || (p = *self_p) == NULL)
		return;
	/* kill every group first, then reap: they die in parallel */
	for (j = p->running.head; j != NULL; j = j->next)
		if (!j->exited)
			kill(-j->pid, SIGKILL);
	while ((j = jlist_shift(&p->running)) != NULL) {
		while (!j->exited && waitpid(j->pid, &j->wstatus, 0) < 0 &&
		    errno == EINTR)
			;
		for (int k = 0; k < W_COUNT; k++)
			job_close(p, j, k);
		job_free(j);
	}
	while ((j = jlist_shift(&p->queued)) != NULL)
		job_free(j);
	while ((j = jlist_shift(&p->finished)) != NULL)
		job_free(j);
	close(p->epfd);
	close(p->wakefd);
	free(p);
	*self_p = NULL;
}

int64_t
proc_start(proc_t *p, const proc_spec_t *spec, char *err, size_t errlen)
{
	struct job *j;

	if (p == NULL || spec == NULL || spec->argv == NULL ||
	    spec->argv[0] == NULL || spec->argv[0][0] == '\0') {
		proc_err(err, errlen, "proc_start: no program to run");
		errno = EINVAL;
		return -1;
	}
	if (spec->timeout_ms <= 0) {
		proc_err(err, errlen, "proc_start: the timeout must be positive");
		errno = EINVAL;
		return -1;
	}
	if (spec->input_len > PROC_MAX_INPUT ||
	    (spec->input == NULL && spec->input_len > 0)) {
		proc_err(err, errlen, "proc_start: input of %zu bytes, at most "
		    "%d", spec->input_len, PROC_MAX_INPUT);
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; spec->env != NULL && spec->env[i] != NULL; i++) {
		const char *eq = strchr(spec->env[i], '=');

		if (eq == NULL || eq == spec->env[i]) {
			proc_err(err, errlen, "proc_start: environment entry %zu "
			    "is not NAME=value", i);
			errno = EINVAL;
			return -1;
		}
	}
	if (p->running.n >= (size_t)p->max_running &&
	    p->queued.n >= (size_t)p->max_queued) {
		proc_err(err, errlen, "proc_start: %zu running and %zu queued, "
		    "the most allowed", p->running.n, p->queued.n);
		errno = EAGAIN;
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->id = p->next_id++;
	j->argv = proc_copy_strv(spec->argv);
	j->env = proc_copy_strv(spec->env);
	if (spec->input_len > 0) {
		j->input = xmalloc(spec->input_len);
		memcpy(j->input, spec->input, spec->input_len);
	}
	j->input_len = spec->input_len;
	j->timeout_ms = spec->timeout_ms;
	j->flags = spec->flags;
	j->arg = spec->arg;
	j->deadline = INT64_MAX;
	for (int k = 0; k < W_COUNT; k++)
		j->fd[k] = -1;
	jlist_push(&p->queued, j);
	proc_fill(p);
	return j->id;
}

int
proc_cancel(proc_t *p, int64_t id)
{
	struct job *j;

	for (j = p->queued.head; j != NULL; j = j->next)
		if (j->id == id) {
			jlist_remove(&p->queued, j);
			j->cancelled = true;
			j->started = j->ended = proc_now();
			job_finish(p, j);
			return 0;
		}
	for (j = p->running.head; j != NULL; j = j->next)
		if (j->id == id) {
			if (!j->exited && !j->cancelled && !j->timed_out) {
				kill(-j->pid, SIGKILL);
				j->cancelled = true;
				j->deadline = INT64_MAX;
			}
			return 0;
		}
	return -1;
}

int
proc_fd(const proc_t *p)
{
	return p->epfd;
}

int
proc_next_deadline(const proc_t *p)
{
	int64_t next = INT64_MAX, now;

	if (p->finished.n > 0)
		return 0;
	for (const struct job *j = p->running.head; j != NULL; j = j->next)
		if (j->deadline < next)
			next = j->deadline;
	if (next == INT64_MAX)
		return -1;
	now = proc_now();
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

int
proc_dispatch(proc_t *p, char *err, size_t errlen)
{
	struct epoll_event ev[PROC_EVENTS];
	struct job *j, *next;
	int n, rounds = 0;
	int64_t now;

	do {
		n = epoll_wait(p->epfd, ev, PROC_EVENTS, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			proc_err(err, errlen, "proc_dispatch: epoll_wait: %s",
			    strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w->job == NULL)
				continue;       /* the wake fd: see proc_report */
			switch (w->kind) {
			case W_IN:
				job_write(p, w->job);
				break;
			case W_OUT:
				job_read(p, w->job);
				break;
			case W_PID:
				job_reap(w->job);
				break;
			}
		}
		/* a full batch may leave more; a bounded number of rounds */
	} while ((n == PROC_EVENTS || (n < 0)) && ++rounds < 8);

	now = proc_now();
	for (j = p->running.head; j != NULL; j = next) {
		next = j->next;
		if (!j->exited && now >= j->deadline) {
			kill(-j->pid, SIGKILL);
			j->timed_out = true;
			j->deadline = INT64_MAX;
			job_reap(j);    /* usually not yet: the pidfd will say */
		}
		if (j->exited)
			job_end(p, j);
	}
	proc_fill(p);
	return proc_report(p);
}

size_t
proc_running(const proc_t *p)
{
	return p->running.n;
}

size_t
proc_queued(const proc_t *p)
{
	return p->queued.n;
}
