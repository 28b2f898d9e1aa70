/*
 * cli_probe.c: is anything listening on a daemon's endpoint?
 *
 * ZeroMQ connects in the background and never says that nobody is there:
 * a request to a daemon that is down just waits out its timeout. Before it
 * sends, the client opens a plain connection to the endpoint (an AF_UNIX
 * socket for ipc://, TCP for tcp://) and closes it again. Refused, or no
 * socket file: the daemon is not running, and the client says so at once.
 * Accepted: the daemon's process is there, perhaps busy, and the request
 * gets the whole --timeout.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Connects fd to addr, waiting at most ms; 0 or an errno value. */
static int
probe_connect(int fd, const struct sockaddr *addr, socklen_t len, int ms)
{
	struct pollfd p = {fd, POLLOUT, 0};
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return errno;
	if (connect(fd, addr, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return errno;
	if (poll(&p, 1, ms) <= 0)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

int
cli_probe(const char *endpoint, int timeout_ms, char *err, size_t errlen)
{
	int fd, e;

	if (strncmp(endpoint, "ipc://", 6) == 0) {
		struct sockaddr_un sa;
		const char *path = endpoint + 6;
		size_t n = strlen(path);

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (n >= sizeof(sa.sun_path))
			return 0;               /* let ZeroMQ say what is wrong */
		memcpy(sa.sun_path, path, n);
		if (path[0] == '@')
			sa.sun_path[0] = '\0';  /* the abstract namespace */
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return 0;
		e = probe_connect(fd, (struct sockaddr *)&sa,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@')),
		    timeout_ms);
		close(fd);
	} else if (strncmp(endpoint, "tcp://", 6) == 0) {
		char host[256];
		const char *colon = strrchr(endpoint + 6, ':');
		struct addrinfo hints, *ai = NULL;

		if (colon == NULL || (size_t)(colon - endpoint - 6) >= sizeof(host))
			return 0;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - endpoint - 6), endpoint + 6);
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL) {
			snprintf(err, errlen, "cannot resolve %s", host);
			return -1;
		}
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			freeaddrinfo(ai);
			return 0;
		}
		e = probe_connect(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms);
		close(fd);
		freeaddrinfo(ai);
		if (e == ETIMEDOUT)
			return 0;               /* a slow network is for the request to wait out */
	} else {
		return 0;
	}
	if (e == 0 || e == ETIMEDOUT || e == EAGAIN)
		return 0;
	snprintf(err, errlen, "%s: %s", endpoint, e == ENOENT ? "no such socket file" :
	    strerror(e));
	return -1;
}
