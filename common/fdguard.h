/*
 * fdguard.h: the daemons never abort for want of file descriptors.
 *
 * libzmq 4.3 asserts when accept() on an ipc:// listener fails with EMFILE
 * (src/ipc_listener.cpp: "Too many open files", then abort), and it
 * accepts every connection a client makes: 1,500 clients at ulimit -n 1024
 * killed the daemon. fdguard.c defines accept() and accept4() in the
 * program, ahead of the C library's, and keeps the last FDGUARD_RESERVE
 * descriptors for the daemon's own files: a connection that would take one
 * of them is closed at once (the client's libzmq reconnects later), and an
 * EMFILE is turned into ECONNABORTED, which libzmq takes in its stride.
 */
#ifndef TRYGG_FDGUARD_H
#define TRYGG_FDGUARD_H

#define FDGUARD_RESERVE 64      /* descriptors kept for databases, logs, syncs */

/* Starts guarding accepts below limit (the soft RLIMIT_NOFILE). */
void fdguard_set_limit(long limit);
/* Connections refused so far to keep the reserve. */
unsigned long fdguard_refused(void);

#endif
