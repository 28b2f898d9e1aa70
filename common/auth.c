/*
 * auth.c: key files, the key table, the ZAP handler and the role check
 * (auth.h).
 *
 * The ZAP handler's decision, for each handshake:
 *
 *   request                                  status  User-Id
 *   malformed (frames, version)              500     -
 *   mechanism other than CURVE               400     -
 *   a key not in the table                   400     -
 *   notifications domain, role not allowed   400     -
 *   a listed key                             200     the key's name
 *
 * The table is built once in auth_new() and only read afterwards, by the
 * ZAP thread (by key) and by the server's main and reader threads (by
 * name), so it needs no lock. Both lookups are binary searches: a daemon
 * with a thousand keys pays ten comparisons per request.
 */
#include "auth.h"
#include "log.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

typedef struct {
	uint8_t     key[AUTH_KEY_BYTES];
	principal_t who;                /* strings owned by the table */
} auth_entry_t;

struct auth {
	bool            on;
	void           *zctx;
	auth_keypair_t  own;
	/* the other daemons' public keys, for links: intake, escalation, reporting */
	char            peer[3][AUTH_Z85_LEN + 1];
	auth_entry_t   *by_key;         /* sorted by key */
	auth_entry_t  **by_name;        /* sorted by name */
	size_t          n;
	void           *zap;            /* REP on AUTH_ZAP_ENDPOINT, the thread's */
	void           *pipe_main;      /* PAIR: main -> thread, "stop" */
	void           *pipe_thread;
	pthread_t       thread;
	bool            running;
};

static const char *const auth_daemons[3] = {"intake", "escalation", "reporting"};

static const struct {
	const char *name;
	role_t      role;
} auth_roles[] = {
	{"reporter", ROLE_REPORTER},
	{"responder", ROLE_RESPONDER},
	{"coordinator", ROLE_COORDINATOR},
	{"admin", ROLE_ADMIN},
	{"daemon", ROLE_DAEMON},
};

role_t
auth_role(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
		if (strcmp(name, auth_roles[i].name) == 0)
			return auth_roles[i].role;
	return 0;
}

const char *
auth_role_name(role_t role)
{
	for (size_t i = 0; i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
		if (role == auth_roles[i].role)
			return auth_roles[i].name;
	return "none";
}

bool
auth_allows(unsigned roles, const principal_t *who)
{
	return who != NULL && (who->role & (roles | ROLE_ADMIN)) != 0;
}

int
auth_refuse(const msg_t *m, pack_t *reply, const char *field, const char *fmt, ...)
{
	const principal_t *who = msg_principal(m);
	const char *op = "";
	size_t op_len = 0;
	wire_err_t err;
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (msg_header(m, &op, &op_len, &err) < 0)
		op_len = 0;
	log_info("refused '%.*s' from %s (%s): %s", (int)(op_len > 64 ? 64 : op_len), op,
	    who->name, auth_role_name(who->role), text);
	wire_err_set(&err, WERR_UNAUTHORIZED, field, "%s", text);
	pack_reset(reply);
	pack_reply_error(reply, &err, msg_req(m));
	return 0;
}

const char *
auth_acts_as(const principal_t *who)
{
	return who->contact != NULL ? who->contact : who->name;
}

bool
auth_endpoint_local(const char *ep)
{
	static const char *const local[] = {"tcp://127.", "tcp://localhost:",
	    "tcp://[::1]:", "ipc://", "inproc://"};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strncmp(ep, local[i], strlen(local[i])) == 0)
			return true;
	return false;
}

/* ---- key files ---- */

int
auth_keypair_new(auth_keypair_t *kp, char *err, size_t errlen)
{
	memset(kp, 0, sizeof(*kp));
	if (zmq_curve_keypair(kp->public_key, kp->secret_key) != 0) {
		snprintf(err, errlen, "making a key pair: %s (is libzmq built with "
		    "CURVE?)", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* the Z85 value of "name: "VALUE"" in the file's text, into out; 1 found, 0 not, -1 bad */
static int
auth_file_value(const char *text, const char *name, char out[AUTH_Z85_LEN + 1])
{
	size_t nlen = strlen(name);

	for (const char *line = text; line && *line; line = strchr(line, '\n') ?
	    strchr(line, '\n') + 1 : NULL) {
		const char *p = line, *q;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, name, nlen) != 0 || p[nlen] != ':')
			continue;
		p += nlen + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '"' || (q = strchr(p, '"')) == NULL || q - p != AUTH_Z85_LEN)
			return -1;
		memcpy(out, p, AUTH_Z85_LEN);
		out[AUTH_Z85_LEN] = '\0';
		return 1;
	}
	return 0;
}

int
auth_keypair_read(const char *path, bool must_be_private, auth_keypair_t *kp,
    char *err, size_t errlen)
{
	char text[AUTH_KEY_FILE_MAX + 1], derived[AUTH_Z85_LEN + 1];
	uint8_t bin[AUTH_KEY_BYTES];
	struct stat st;
	ssize_t n;
	int fd, rc;

	memset(kp, 0, sizeof(*kp));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a key file", path);
		close(fd);
		return -1;
	}
	if (must_be_private && (st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: the secret key may be read by %s (mode %04o); "
		    "run chmod 600 %s", path, st.st_mode & 007 ? "anyone" : "its group",
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0 || n > AUTH_KEY_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) :
		    "too large for a key file");
		return -1;
	}
	text[n] = '\0';
	if ((rc = auth_file_value(text, "secret_key", kp->secret_key)) <= 0 ||
	    zmq_z85_decode(bin, kp->secret_key) == NULL) {
		snprintf(err, errlen, "%s: %s", path, rc == 0 ? "no secret_key: is this the "
		    "public file? (trygg keygen writes FILE and FILE.pub)" :
		    "secret_key must be 40 characters of Z85 in double quotes");
		memset(kp, 0, sizeof(*kp));
		return -1;
	}
	if (zmq_curve_public(derived, kp->secret_key) != 0) {
		snprintf(err, errlen, "%s: %s", path, zmq_strerror(errno));
		memset(kp, 0, sizeof(*kp));
		return -1;
	}
	rc = auth_file_value(text, "public_key", kp->public_key);
	if (rc < 0 || (rc > 0 && strcmp(derived, kp->public_key) != 0)) {
		snprintf(err, errlen, "%s: public_key does not belong to secret_key", path);
		memset(kp, 0, sizeof(*kp));
		return -1;
	}
	memcpy(kp->public_key, derived, sizeof(derived));
	return 0;
}

/* Writes text to a new file path with mode; 0 or -1 with err. */
static int
auth_write_new(const char *path, const char *text, mode_t mode, char *err, size_t errlen)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "exists; a key file is never overwritten" : strerror(errno));
		return -1;
	}
	/* the umask may have taken bits away; the mode is exactly this */
	if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int
auth_keypair_write(const char *path, const char *public_path,
    const auth_keypair_t *kp, char *err, size_t errlen)
{
	char text[256];

	snprintf(text, sizeof(text), "# trygg CurveZMQ key pair: keep this file private "
	    "(mode 0600)\npublic_key: \"%s\"\nsecret_key: \"%s\"\n", kp->public_key,
	    kp->secret_key);
	if (auth_write_new(path, text, 0600, err, errlen) < 0)
		return -1;
	snprintf(text, sizeof(text), "# trygg CurveZMQ public key: list it in the "
	    "configuration (auth)\npublic_key: \"%s\"\n", kp->public_key);
	if (auth_write_new(public_path, text, 0644, err, errlen) < 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* ---- the table ---- */

static int
auth_cmp_key(const void *a, const void *b)
{
	return memcmp(((const auth_entry_t *)a)->key, ((const auth_entry_t *)b)->key,
	    AUTH_KEY_BYTES);
}

static int
auth_cmp_name(const void *a, const void *b)
{
	return strcmp((*(auth_entry_t *const *)a)->who.name,
	    (*(auth_entry_t *const *)b)->who.name);
}

static void
auth_add(auth_t *a, const char *z85, const char *name, role_t role,
    const char *contact, const char *team)
{
	auth_entry_t *e = &a->by_key[a->n++];

	zmq_z85_decode(e->key, z85);        /* checked by cfg_load */
	e->who.name = xstrdup(name);
	e->who.role = role;
	e->who.contact = contact ? xstrdup(contact) : NULL;
	e->who.team = team ? xstrdup(team) : NULL;
}

static void
auth_table(auth_t *a, const cfg_t *cfg)
{
	const cfg_daemon_key_t *d[3] = {&cfg->auth.intake, &cfg->auth.escalation,
	    &cfg->auth.reporting};
	char name[AUTH_NAME_MAX];

	a->by_key = xcalloc(cfg->auth.nclients + 3, sizeof(*a->by_key));
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "trygg-%s", auth_daemons[i]);
		auth_add(a, d[i]->public_key, name, ROLE_DAEMON, NULL, NULL);
		snprintf(a->peer[i], sizeof(a->peer[i]), "%s", d[i]->public_key);
	}
	for (size_t i = 0; i < cfg->auth.nclients; i++) {
		const cfg_client_key_t *c = &cfg->auth.clients[i];

		auth_add(a, c->public_key, c->name, auth_role(c->role), c->contact, c->team);
	}
	qsort(a->by_key, a->n, sizeof(*a->by_key), auth_cmp_key);
	a->by_name = xcalloc(a->n, sizeof(*a->by_name));
	for (size_t i = 0; i < a->n; i++)
		a->by_name[i] = &a->by_key[i];
	qsort(a->by_name, a->n, sizeof(*a->by_name), auth_cmp_name);
}

const principal_t *
auth_principal(const auth_t *a, const char *user_id)
{
	size_t lo = 0, hi;

	if (!auth_on(a))
		return &PRINCIPAL_LOCAL;
	if (user_id == NULL)
		return NULL;
	hi = a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(a->by_name[mid]->who.name, user_id);

		if (c == 0)
			return &a->by_name[mid]->who;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const auth_entry_t *
auth_by_key(const auth_t *a, const uint8_t *key)
{
	auth_entry_t probe;

	memcpy(probe.key, key, AUTH_KEY_BYTES);
	return bsearch(&probe, a->by_key, a->n, sizeof(*a->by_key), auth_cmp_key);
}

/* ---- the ZAP handler ---- */

static bool
auth_frame_is(const void *f, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(f, s, len) == 0;
}

void
auth_zap_decide(const auth_t *a, const void *const *frames, const size_t *lens,
    int nframes, auth_zap_reply_t *out)
{
	const auth_entry_t *e;

	memset(out, 0, sizeof(*out));
	/* version, request id, domain, address, identity, mechanism, credentials... */
	if (nframes < 6 || !auth_frame_is(frames[0], lens[0], "1.0")) {
		snprintf(out->status, sizeof(out->status), "500");
		snprintf(out->text, sizeof(out->text), "not a ZAP 1.0 request");
		return;
	}
	snprintf(out->status, sizeof(out->status), "400");
	if (!auth_frame_is(frames[5], lens[5], "CURVE")) {
		snprintf(out->text, sizeof(out->text), "a CurveZMQ key is required");
		return;
	}
	if (nframes != 7 || lens[6] != AUTH_KEY_BYTES) {
		snprintf(out->text, sizeof(out->text), "a CURVE request has one 32-byte key");
		return;
	}
	if (a == NULL || (e = auth_by_key(a, frames[6])) == NULL) {
		snprintf(out->text, sizeof(out->text), "unknown key");
		return;
	}
	if (auth_frame_is(frames[2], lens[2], AUTH_DOMAIN_NOTIFY) &&
	    (e->who.role & AUTH_NOTIFY_ROLES) == 0) {
		snprintf(out->text, sizeof(out->text), "role %s may not subscribe to "
		    "notifications", auth_role_name(e->who.role));
		return;
	}
	snprintf(out->status, sizeof(out->status), "200");
	snprintf(out->text, sizeof(out->text), "OK");
	snprintf(out->user_id, sizeof(out->user_id), "%s", e->who.name);
}

/* Answers one request waiting on the ZAP socket. */
static void
auth_zap_answer(auth_t *a)
{
	zmq_msg_t f[AUTH_ZAP_FRAMES_MAX];
	const void *data[AUTH_ZAP_FRAMES_MAX] = {NULL};
	size_t lens[AUTH_ZAP_FRAMES_MAX] = {0};
	int n = 0, more = 1, extra = 0;
	size_t more_len = sizeof(more);
	auth_zap_reply_t r;

	while (more) {
		zmq_msg_t scratch, *m = n < AUTH_ZAP_FRAMES_MAX ? &f[n] : &scratch;

		zmq_msg_init(m);
		if (zmq_msg_recv(m, a->zap, 0) < 0) {
			zmq_msg_close(m);
			break;
		}
		zmq_getsockopt(a->zap, ZMQ_RCVMORE, &more, &more_len);
		if (m == &scratch) {
			zmq_msg_close(m);
			extra++;
			continue;
		}
		data[n] = zmq_msg_data(m);
		lens[n] = zmq_msg_size(m);
		n++;
	}
	auth_zap_decide(a, data, lens, extra ? 0 : n, &r);
	/* version, request id (echoed), status code, text, user id, metadata */
	zmq_send(a->zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(a->zap, n > 1 ? data[1] : "", n > 1 ? lens[1] : 0, ZMQ_SNDMORE);
	zmq_send(a->zap, r.status, strlen(r.status), ZMQ_SNDMORE);
	zmq_send(a->zap, r.text, strlen(r.text), ZMQ_SNDMORE);
	zmq_send(a->zap, r.user_id, strlen(r.user_id), ZMQ_SNDMORE);
	zmq_send(a->zap, "", 0, 0);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
}

static void *
auth_zap_main(void *arg)
{
	auth_t *a = arg;

	for (;;) {
		zmq_pollitem_t items[2] = {
			{a->zap, 0, ZMQ_POLLIN, 0},
			{a->pipe_thread, 0, ZMQ_POLLIN, 0},
		};

		if (zmq_poll(items, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			break;          /* auth_destroy */
		if (items[0].revents & ZMQ_POLLIN)
			auth_zap_answer(a);
	}
	return NULL;
}

static int
auth_zap_start(auth_t *a, char *err, size_t errlen)
{
	char pipe[64];
	int linger = 0;

	snprintf(pipe, sizeof(pipe), "inproc://trygg-auth-%p", (void *)a);
	if ((a->zap = zmq_socket(a->zctx, ZMQ_REP)) == NULL ||
	    (a->pipe_main = zmq_socket(a->zctx, ZMQ_PAIR)) == NULL ||
	    (a->pipe_thread = zmq_socket(a->zctx, ZMQ_PAIR)) == NULL) {
		snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(errno));
		return -1;
	}
	zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(a->pipe_main, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(a->pipe_thread, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(a->zap, AUTH_ZAP_ENDPOINT) != 0 || zmq_bind(a->pipe_thread, pipe) != 0 ||
	    zmq_connect(a->pipe_main, pipe) != 0) {
		snprintf(err, errlen, "ZAP handler: binding %s: %s", AUTH_ZAP_ENDPOINT,
		    zmq_strerror(errno));
		return -1;
	}
	if ((errno = pthread_create(&a->thread, NULL, auth_zap_main, a)) != 0) {
		snprintf(err, errlen, "ZAP handler: starting its thread: %s", strerror(errno));
		return -1;
	}
	a->running = true;
	return 0;
}

auth_t *
auth_table_new(const cfg_t *cfg)
{
	auth_t *a = xcalloc(1, sizeof(*a));

	if ((a->on = cfg->auth.on))
		auth_table(a, cfg);
	return a;
}

static int
auth_daemon_index(const char *who)
{
	for (int i = 0; i < 3; i++)
		if (who != NULL && strcmp(who, auth_daemons[i]) == 0)
			return i;
	return -1;
}

/* What a daemon's start needs of its keys; kp (may be NULL) gets its pair. 0 or -1. */
static int
auth_daemon_keys(const cfg_t *cfg, const char *who, auth_keypair_t *kp, char *err,
    size_t errlen)
{
	const cfg_daemon_key_t *d[3] = {&cfg->auth.intake, &cfg->auth.escalation,
	    &cfg->auth.reporting};
	int i = auth_daemon_index(who);
	auth_keypair_t own;

	if (i < 0) {
		snprintf(err, errlen, "auth: no daemon is called '%s'", who ? who : "");
		return -1;
	}
	if (!cfg->auth.on) {
		/* what this daemon binds: its ROUTER, and escalation's PUB */
		const char *binds[2] = {i == 0 ? cfg->endpoints.intake : i == 1 ?
		    cfg->endpoints.escalation : cfg->endpoints.reporting,
		    i == 1 ? cfg->endpoints.notifications : NULL};

		for (int b = 0; b < 2; b++)
			if (binds[b] != NULL && auth_server_socket(NULL, NULL, binds[b], "",
			    err, errlen) < 0)
				return -1;
		return 0;
	}
	if (d[i]->secret_key_file == NULL) {
		snprintf(err, errlen, "auth.%s.secret_key_file: not given; trygg-%s needs "
		    "its key pair", who, who);
		return -1;
	}
	if (auth_keypair_read(d[i]->secret_key_file, true, &own, err, errlen) < 0)
		return -1;
	if (strcmp(own.public_key, d[i]->public_key) != 0) {
		snprintf(err, errlen, "%s: not the key pair of auth.%s.public_key",
		    d[i]->secret_key_file, who);
		memset(&own, 0, sizeof(own));
		return -1;
	}
	if (kp != NULL)
		*kp = own;
	memset(&own, 0, sizeof(own));
	return 0;
}

int
auth_check(const cfg_t *cfg, const char *who, char *err, size_t errlen)
{
	return auth_daemon_keys(cfg, who, NULL, err, errlen);
}

auth_t *
auth_new(void *zctx, const cfg_t *cfg, const char *who, char *err, size_t errlen)
{
	auth_t *a = xcalloc(1, sizeof(*a));

	a->zctx = zctx;
	if (auth_daemon_keys(cfg, who, &a->own, err, errlen) < 0)
		goto fail;
	if (!cfg->auth.on)
		return a;
	a->on = true;
	auth_table(a, cfg);
	if (auth_zap_start(a, err, errlen) < 0)
		goto fail;
	return a;
fail:
	auth_destroy(&a);
	return NULL;
}

void
auth_destroy(auth_t **self_p)
{
	auth_t *a;

	if (self_p == NULL || (a = *self_p) == NULL)
		return;
	if (a->running) {
		zmq_send(a->pipe_main, "stop", 4, 0);
		pthread_join(a->thread, NULL);
	}
	if (a->zap)
		zmq_close(a->zap);
	if (a->pipe_main)
		zmq_close(a->pipe_main);
	if (a->pipe_thread)
		zmq_close(a->pipe_thread);
	for (size_t i = 0; i < a->n; i++) {
		free((char *)a->by_key[i].who.name);
		free((char *)a->by_key[i].who.contact);
		free((char *)a->by_key[i].who.team);
	}
	free(a->by_key);
	free(a->by_name);
	memset(&a->own, 0, sizeof(a->own));
	free(a);
	*self_p = NULL;
}

bool
auth_on(const auth_t *a)
{
	return a != NULL && a->on;
}

const char *
auth_secret_key(const auth_t *a)
{
	return auth_on(a) ? a->own.secret_key : NULL;
}

int
auth_server_socket(const auth_t *a, void *sock, const char *endpoint,
    const char *domain, char *err, size_t errlen)
{
	int one = 1;

	if (!auth_on(a)) {
		if (auth_endpoint_local(endpoint))
			return 0;
		snprintf(err, errlen, "%s is not a loopback address and no keys are "
		    "configured: anyone on the network could send and read; give the "
		    "daemons keys (auth, see config/production.yaml) or bind 127.0.0.1",
		    endpoint);
		return -1;
	}
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->own.secret_key, AUTH_Z85_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0) {
		snprintf(err, errlen, "%s: CurveZMQ: %s", endpoint, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

int
auth_link_socket(const auth_t *a, void *sock, const char *to)
{
	auth_client_t c;
	int i = auth_daemon_index(to);

	if (!auth_on(a))
		return 0;
	if (i < 0)
		return -1;
	c.on = true;
	memcpy(c.server_key, a->peer[i], sizeof(c.server_key));
	c.own = a->own;
	i = auth_client_socket(&c, sock);
	memset(&c, 0, sizeof(c));
	return i;
}

/* ---- clients ---- */

int
auth_client_for(const cfg_t *cfg, const char *key_file, const char *endpoint,
    auth_client_t *out, char *err, size_t errlen)
{
	const cfg_endpoints_t *e = &cfg->endpoints;
	const char *key = NULL;

	memset(out, 0, sizeof(*out));
	if (!cfg->auth.on)
		return 0;
	if (e->intake && strcmp(endpoint, e->intake) == 0)
		key = cfg->auth.intake.public_key;
	else if ((e->escalation && strcmp(endpoint, e->escalation) == 0) ||
	    (e->notifications && strcmp(endpoint, e->notifications) == 0))
		key = cfg->auth.escalation.public_key;
	else if (e->reporting && strcmp(endpoint, e->reporting) == 0)
		key = cfg->auth.reporting.public_key;
	if (key == NULL) {
		snprintf(err, errlen, "%s is none of the configured endpoints: its key is "
		    "unknown", endpoint);
		return -1;
	}
	if (key_file == NULL) {
		snprintf(err, errlen, "this configuration uses keys (auth): give a key "
		    "pair with TRYGG_KEY=FILE or auth.client_key_file (trygg keygen "
		    "writes one; an admin lists its public key)");
		return -1;
	}
	if (auth_keypair_read(key_file, true, &out->own, err, errlen) < 0)
		return -1;
	snprintf(out->server_key, sizeof(out->server_key), "%s", key);
	out->on = true;
	return 0;
}

int
auth_client_socket(const auth_client_t *c, void *sock)
{
	if (c == NULL || !c->on)
		return 0;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, c->server_key, AUTH_Z85_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->own.public_key, AUTH_Z85_LEN) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->own.secret_key, AUTH_Z85_LEN) != 0)
		return -1;
	return 0;
}
