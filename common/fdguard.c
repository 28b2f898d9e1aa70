/*
 * fdguard.c: accept() and accept4() for the daemons, keeping a reserve of
 * descriptors and never reporting EMFILE to libzmq (see fdguard.h).
 *
 * These definitions in the executable come before the C library's in the
 * dynamic linker's search, so libzmq's accept calls land here; the real
 * call is found with dlsym(RTLD_NEXT). A program that never calls
 * fdguard_set_limit() (the CLI, the tests) never links this file.
 */
#include "fdguard.h"

#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FDGUARD_BACKOFF_NS 1000000      /* after EMFILE: let the io thread breathe */

typedef int (*fdguard_accept4_fn)(int, struct sockaddr *, socklen_t *, int);

static long fdguard_limit;              /* 0: no guard */
static unsigned long fdguard_refusals;

void
fdguard_set_limit(long limit)
{
	__atomic_store_n(&fdguard_limit, limit, __ATOMIC_RELAXED);
}

unsigned long
fdguard_refused(void)
{
	return __atomic_load_n(&fdguard_refusals, __ATOMIC_RELAXED);
}

/* What is left to the caller of accept: the descriptor, or -1 and errno. */
static int
fdguard_check(int fd)
{
	long limit = __atomic_load_n(&fdguard_limit, __ATOMIC_RELAXED);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		struct timespec pause = {0, FDGUARD_BACKOFF_NS};

		/* the connection stays in the backlog; do not spin on it */
		__atomic_add_fetch(&fdguard_refusals, 1, __ATOMIC_RELAXED);
		nanosleep(&pause, NULL);
		errno = ECONNABORTED;
		return -1;
	}
	if (fd >= 0 && limit > 0 && fd >= limit - FDGUARD_RESERVE) {
		/* descriptors come lowest first: this one eats into the reserve */
		close(fd);
		__atomic_add_fetch(&fdguard_refusals, 1, __ATOMIC_RELAXED);
		errno = ECONNABORTED;
		return -1;
	}
	return fd;
}

int
accept4(int s, struct sockaddr *addr, socklen_t *len, int flags)
{
	static fdguard_accept4_fn the_real;
	fdguard_accept4_fn real = __atomic_load_n(&the_real, __ATOMIC_RELAXED);

	if (real == NULL) {
		real = (fdguard_accept4_fn)dlsym(RTLD_NEXT, "accept4");
		__atomic_store_n(&the_real, real, __ATOMIC_RELAXED);
	}
	return fdguard_check(real(s, addr, len, flags));
}

int
accept(int s, struct sockaddr *addr, socklen_t *len)
{
	return accept4(s, addr, len, 0);
}
