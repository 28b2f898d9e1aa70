/*
 * faultsync.c: an LD_PRELOAD shim that puts faults under the scenario
 * tests' control, so that "answered only after the disk sync" is proven
 * by tests that fail without it (tests/scenario/test_durability.c).
 *
 * It wraps fsync and fdatasync, and write, pwrite and pwrite64, but only
 * for files whose path ends in TRYGG_FAULT_PATH (default "-wal": SQLite's
 * write-ahead log, which carries every commit and every sync a reply waits
 * for). Everything else passes straight through. Controlled by the
 * environment, read once at load:
 *
 *   TRYGG_FAULT_SYNC_DELAY_MS=N     each sync sleeps N ms before it syncs
 *   TRYGG_FAULT_SYNC_LOG=FILE       each sync appends "START END RC\n" to
 *                                   FILE: CLOCK_MONOTONIC ns when the call
 *                                   began and returned (one write, O_APPEND)
 *   TRYGG_FAULT_SYNC_BEGUN=FILE     each sync appends "START\n" to FILE as it
 *                                   begins, so a test can act while it runs
 *   TRYGG_FAULT_SYNC_FAIL_AFTER=N   after N syncs that succeeded, every sync
 *                                   fails with EIO
 *   TRYGG_FAULT_SYNC_FAIL_FILE=F    while file F exists, syncs fail with EIO
 *   TRYGG_FAULT_SYNC_HOLD_FILE=F    while file F exists, a sync that has begun
 *                                   waits (then the fail file is looked at),
 *                                   so a test can fail the very sync that
 *                                   covers its requests
 *   TRYGG_FAULT_WRITE_FAIL_FILE=F   while file F exists, writes fail with EIO
 *                                   (a COMMIT that must write the WAL fails)
 *   TRYGG_FAULT_READONLY=SUFFIX     opening a path that ends in SUFFIX for
 *                                   writing fails with EACCES, as for a
 *                                   read-only file when not root
 *
 * CLOCK_MONOTONIC is one clock for every process on the machine, so a test
 * can set the times in the log beside the times its replies arrived. The
 * trigger files let a test choose the moment of a fault without knowing
 * how many syncs the daemon did at start.
 *
 * Built by the Makefile into $(BUILD)/lib/faultsync.so; never linked into
 * the programs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef int (*sync_fn)(int);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

static struct {
	pthread_once_t once;
	sync_fn   fsync_, fdatasync_;
	write_fn  write_;
	pwrite_fn pwrite_, pwrite64_;
	open_fn   open_, open64_;
	openat_fn openat_, openat64_;
	const char *readonly;
	const char *suffix;
	long      delay_ms;
	const char *log, *begun;
	long      fail_after;           /* -1: never */
	const char *sync_fail_file, *write_fail_file, *hold_file;
	long      synced;               /* syncs that succeeded */
	pthread_mutex_t lock;
} fs = {PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER};

static const char *
faultsync_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void
faultsync_init(void)
{
	const char *v;

	fs.fsync_ = (sync_fn)dlsym(RTLD_NEXT, "fsync");
	fs.fdatasync_ = (sync_fn)dlsym(RTLD_NEXT, "fdatasync");
	fs.write_ = (write_fn)dlsym(RTLD_NEXT, "write");
	fs.pwrite_ = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite");
	fs.pwrite64_ = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite64");
	fs.open_ = (open_fn)dlsym(RTLD_NEXT, "open");
	fs.open64_ = (open_fn)dlsym(RTLD_NEXT, "open64");
	fs.openat_ = (openat_fn)dlsym(RTLD_NEXT, "openat");
	fs.openat64_ = (openat_fn)dlsym(RTLD_NEXT, "openat64");
	fs.readonly = faultsync_env("TRYGG_FAULT_READONLY");
	fs.suffix = (v = faultsync_env("TRYGG_FAULT_PATH")) ? v : "-wal";
	fs.delay_ms = (v = faultsync_env("TRYGG_FAULT_SYNC_DELAY_MS")) ? atol(v) : 0;
	fs.log = faultsync_env("TRYGG_FAULT_SYNC_LOG");
	fs.begun = faultsync_env("TRYGG_FAULT_SYNC_BEGUN");
	fs.fail_after = (v = faultsync_env("TRYGG_FAULT_SYNC_FAIL_AFTER")) ? atol(v) : -1;
	fs.sync_fail_file = faultsync_env("TRYGG_FAULT_SYNC_FAIL_FILE");
	fs.hold_file = faultsync_env("TRYGG_FAULT_SYNC_HOLD_FILE");
	fs.write_fail_file = faultsync_env("TRYGG_FAULT_WRITE_FAIL_FILE");
}

/* Appends a line to file with one write. */
static void
faultsync_append(const char *file, const char *line, size_t len)
{
	int lfd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (lfd >= 0) {
		if (fs.write_(lfd, line, len) < 0)
			(void)0;        /* the test sees a line missing */
		close(lfd);
	}
}

/* Is fd a file that the faults are for? */
static int
faultsync_matches(int fd)
{
	char link[64], path[PATH_MAX];
	size_t n = strlen(fs.suffix);
	ssize_t len;
	int saved = errno;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	errno = saved;
	if (len < 0 || (size_t)len < n)
		return 0;
	return memcmp(path + len - n, fs.suffix, n) == 0;
}

static int
faultsync_exists(const char *file)
{
	int saved = errno, rc = file != NULL && access(file, F_OK) == 0;

	errno = saved;
	return rc;
}

static long long
faultsync_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int
faultsync_sync(sync_fn real, int fd)
{
	long long start, end;
	int rc, fail, saved;

	pthread_once(&fs.once, faultsync_init);
	if (!faultsync_matches(fd))
		return real(fd);
	start = faultsync_now_ns();
	if (fs.begun != NULL) {
		char line[32];
		int n = snprintf(line, sizeof(line), "%lld\n", start);

		faultsync_append(fs.begun, line, (size_t)n);
	}
	if (fs.delay_ms > 0) {
		struct timespec d = {fs.delay_ms / 1000, (fs.delay_ms % 1000) * 1000000L};

		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
	}
	while (faultsync_exists(fs.hold_file)) {
		struct timespec d = {0, 1000000};

		nanosleep(&d, NULL);
	}
	pthread_mutex_lock(&fs.lock);
	fail = (fs.fail_after >= 0 && fs.synced >= fs.fail_after) ||
	    faultsync_exists(fs.sync_fail_file);
	pthread_mutex_unlock(&fs.lock);
	if (fail) {
		rc = -1;
		errno = EIO;
	} else if ((rc = real(fd)) == 0) {
		pthread_mutex_lock(&fs.lock);
		fs.synced++;
		pthread_mutex_unlock(&fs.lock);
	}
	saved = errno;
	end = faultsync_now_ns();
	if (fs.log != NULL) {
		char line[96];
		int n = snprintf(line, sizeof(line), "%lld %lld %d\n", start, end, rc);

		faultsync_append(fs.log, line, (size_t)n);
	}
	errno = saved;
	return rc;
}

int
fsync(int fd)
{
	pthread_once(&fs.once, faultsync_init);
	return faultsync_sync(fs.fsync_, fd);
}

int
fdatasync(int fd)
{
	pthread_once(&fs.once, faultsync_init);
	return faultsync_sync(fs.fdatasync_, fd);
}

/* true when a write to fd must fail now */
static int
faultsync_write_fails(int fd)
{
	return fs.write_fail_file != NULL && faultsync_exists(fs.write_fail_file) &&
	    faultsync_matches(fd);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_write_fails(fd)) {
		errno = EIO;
		return -1;
	}
	return fs.write_(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_write_fails(fd)) {
		errno = EIO;
		return -1;
	}
	return fs.pwrite_(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_write_fails(fd)) {
		errno = EIO;
		return -1;
	}
	return fs.pwrite64_(fd, buf, len, off);
}

/* true when opening path with flags must fail as for a read-only file */
static int
faultsync_readonly(const char *path, int flags)
{
	size_t n, len;

	if (fs.readonly == NULL || path == NULL || (flags & O_ACCMODE) == O_RDONLY)
		return 0;
	n = strlen(fs.readonly);
	len = strlen(path);
	return len >= n && strcmp(path + len - n, fs.readonly) == 0;
}

/* the mode argument, which is there only when a file may be created */
#define FAULTSYNC_MODE(flags, last) \
	mode_t mode = 0; \
	if ((flags) & (O_CREAT | O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, last); \
		mode = (mode_t)va_arg(ap, int); \
		va_end(ap); \
	}

int
open(const char *path, int flags, ...)
{
	FAULTSYNC_MODE(flags, flags);
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_readonly(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return fs.open_(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	FAULTSYNC_MODE(flags, flags);
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_readonly(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return fs.open64_(path, flags, mode);
}

int
openat(int dir, const char *path, int flags, ...)
{
	FAULTSYNC_MODE(flags, flags);
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_readonly(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return fs.openat_(dir, path, flags, mode);
}

int
openat64(int dir, const char *path, int flags, ...)
{
	FAULTSYNC_MODE(flags, flags);
	pthread_once(&fs.once, faultsync_init);
	if (faultsync_readonly(path, flags)) {
		errno = EACCES;
		return -1;
	}
	return fs.openat64_(dir, path, flags, mode);
}
