/*
 * syncer.c: a thread that syncs a database's WAL on request and reports the
 * generation it covered through an eventfd (see syncer.h).
 *
 *   main thread                       sync thread
 *   commit; syncer_request() -> gen   wait until requested > synced
 *   ... next batch ...                target = requested; db_sync()
 *   poll syncer_fd; syncer_done()  <- synced = target; eventfd write
 *
 * A second thread checkpoints (db_checkpoint): after a sync that leaves
 * enough of the WAL to copy, and when the writer says it is idle. It never
 * runs on the writer's thread, and a sync never waits for it.
 */
#include "syncer.h"
#include "mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct syncer {
	db_t           *db;
	pthread_t       thread;
	pthread_mutex_t lock;
	pthread_cond_t  wake;
	pthread_t       ckpt_thread;
	pthread_cond_t  ckpt_wake;      /* the writer is idle: checkpoint */
	bool            ckpt_asked;
	uint64_t        requested;      /* the last generation asked for */
	uint64_t        synced;         /* the last generation made durable */
	_Atomic uint64_t news;          /* synced, or failed, changed: syncer_news */
	uint64_t        count, total_us, max_us;    /* statistics */
	uint64_t        checkpoint_errors;
	bool            failed;
	int             error;          /* errno of the failed sync */
	bool            stop;
	bool            joined;         /* the sync thread has ended */
	int             efd;
};

static void *
syncer_main(void *arg)
{
	syncer_t *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		uint64_t target, one = 1, us;
		struct timespec t0, t1;
		int rc;

		while (!s->stop && s->requested == s->synced)
			pthread_cond_wait(&s->wake, &s->lock);
		if (s->requested == s->synced && s->stop)
			break;
		target = s->requested;
		pthread_mutex_unlock(&s->lock);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = db_sync(s->db);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pthread_mutex_lock(&s->lock);
		us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
		s->count++;
		s->total_us += us;
		if (us > s->max_us)
			s->max_us = us;
		if (rc < 0) {
			s->error = errno;
			s->failed = true;
		} else {
			s->synced = target;
		}
		/* copy the WAL beside the writer as it grows (db.h) */
		if (!s->failed && !s->ckpt_asked && db_checkpoint_due(s->db)) {
			s->ckpt_asked = true;
			pthread_cond_signal(&s->ckpt_wake);
		}
		if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			s->failed = true;
		atomic_fetch_add_explicit(&s->news, 1, memory_order_release);
		if (s->failed)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Copies the WAL into the database as it grows, and restarts it (db.h). */
static void *
syncer_checkpoint_main(void *arg)
{
	syncer_t *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		int rc;

		while (!s->stop && !s->ckpt_asked)
			pthread_cond_wait(&s->ckpt_wake, &s->lock);
		if (s->stop)
			break;
		s->ckpt_asked = false;
		pthread_mutex_unlock(&s->lock);
		rc = db_checkpoint(s->db);
		pthread_mutex_lock(&s->lock);
		if (rc < 0)
			s->checkpoint_errors++;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

syncer_t *
syncer_new(db_t *db, char *err, size_t errlen)
{
	syncer_t *s = xcalloc(1, sizeof(*s));
	sigset_t block, old;

	s->db = db;
	if ((s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->ckpt_wake, NULL);
	/* the threads leave SIGTERM and SIGINT to the main thread's loop */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if ((errno = pthread_create(&s->thread, NULL, syncer_main, s)) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		snprintf(err, errlen, "starting the sync thread: %s", strerror(errno));
		close(s->efd);
		free(s);
		return NULL;
	}
	if ((errno = pthread_create(&s->ckpt_thread, NULL, syncer_checkpoint_main, s)) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		snprintf(err, errlen, "starting the checkpoint thread: %s", strerror(errno));
		syncer_destroy(&s);
		return NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return s;
}

int64_t
syncer_finish(syncer_t **self_p)
{
	syncer_t *s;
	int64_t done;
	int error;

	if (self_p == NULL || (s = *self_p) == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);      /* after its last sync */
	s->joined = true;
	done = s->failed ? -1 : (int64_t)s->synced;
	error = s->error;
	syncer_destroy(self_p);
	if (done < 0)
		errno = error;
	return done;
}

void
syncer_destroy(syncer_t **self_p)
{
	syncer_t *s;

	if (self_p == NULL || (s = *self_p) == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_cond_signal(&s->ckpt_wake);
	pthread_mutex_unlock(&s->lock);
	if (!s->joined) {
		pthread_join(s->thread, NULL);
		s->joined = true;
	}
	if (s->ckpt_thread)
		pthread_join(s->ckpt_thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->ckpt_wake);
	close(s->efd);
	free(s);
	*self_p = NULL;
}

uint64_t
syncer_request(syncer_t *s)
{
	uint64_t gen;

	pthread_mutex_lock(&s->lock);
	gen = ++s->requested;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return gen;
}

void
syncer_checkpoint(syncer_t *s)
{
	pthread_mutex_lock(&s->lock);
	s->ckpt_asked = true;
	pthread_cond_signal(&s->ckpt_wake);
	pthread_mutex_unlock(&s->lock);
}

int
syncer_catch_up(syncer_t *s, int max_ms)
{
	uint64_t first = db_checkpoint_passes(s->db);
	struct timespec t0, now, nap = {0, 500000L};

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (db_wal_over(s->db)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* the pass under way may have begun before the writer stopped: the next counts */
		if (db_checkpoint_passes(s->db) >= first + 2 ||
		    (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >= max_ms) {
			db_wal_hold(s->db);
			return 1;
		}
		syncer_checkpoint(s);
		nanosleep(&nap, NULL);
	}
	return 0;
}

int
syncer_fd(syncer_t *s)
{
	return s->efd;
}

int64_t
syncer_done(syncer_t *s)
{
	uint64_t count;
	int64_t done;

	if (read(s->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&s->lock);
	done = s->failed ? -1 : (int64_t)s->synced;
	if (s->failed)
		errno = s->error;
	pthread_mutex_unlock(&s->lock);
	return done;
}

uint64_t
syncer_news(syncer_t *s)
{
	return atomic_load_explicit(&s->news, memory_order_acquire);
}

uint64_t
syncer_checkpoint_errors(syncer_t *s)
{
	uint64_t n;

	pthread_mutex_lock(&s->lock);
	n = s->checkpoint_errors;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void
syncer_stats(syncer_t *s, uint64_t *count, uint64_t *total_us, uint64_t *max_us)
{
	pthread_mutex_lock(&s->lock);
	*count = s->count;
	*total_us = s->total_us;
	*max_us = s->max_us;
	pthread_mutex_unlock(&s->lock);
}
