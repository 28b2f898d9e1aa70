/*
 * load.c: a closed-loop submit load on a real trygg-intake (load.h).
 */
#include "load.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <zmq.h>

#define LOAD_WAIT_MS 10000

static const char *const load_districts[] = {
	"Skäggetorp", "Ryd", "Berga", "lambohov", "City", "Ljungsbro", "Malmslätt", "Ekholmen",
};

double
load_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
load_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
load_build_submit(pack_t *p, void *arg, long n)
{
	char id[64];

	snprintf(id, sizeof(id), "%s-%ld", (const char *)arg, n);
	pack_reset(p);
	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", "submit");
	pack_kv_str(p, "id", id);
	pack_kv_str(p, "district", load_districts[n % 8]);
	pack_kv_str(p, "category", n % 3 ? "skadegorelse" : "ordningsstorning");
	pack_kv_int(p, "severity", 1 + n % 5);
	pack_kv_str(p, "summary", "Klotter på skolans vägg, 811228-9874 nämnd");
	pack_kv_str(p, "reporter", "trygghetsvärd");
	pack_kv_str(p, "details", "Upptäckt vid kvällsrundan; fastighetsägaren kontaktad.");
	pack_kv_str(p, "level", "omrade");
	pack_map_close(p);
}

static void
load_send(void *sock, pack_t *p, const char *prefix, int n)
{
	const void *data;
	size_t len;

	load_build_submit(p, (void *)prefix, n);
	data = pack_data(p, &len);
	zmq_send(sock, "", 0, ZMQ_SNDMORE);
	zmq_send(sock, data, len, 0);
}

int
load_submits(harness_t *h, const char *prefix, int total, int clients, load_result_t *out)
{
	double *lat = xcalloc((size_t)total, sizeof(double));
	double *sent_at = xcalloc((size_t)clients, sizeof(double));
	zmq_pollitem_t *items = xcalloc((size_t)clients, sizeof(*items));
	pack_t *p = pack_new();
	double t0;
	int next = 0, done = 0, rc = 0;

	out->total = total;
	out->clients = clients;
	out->failed = 0;
	for (int c = 0; c < clients; c++) {
		int linger = 0;

		items[c].socket = zmq_socket(h->zctx, ZMQ_DEALER);
		items[c].events = ZMQ_POLLIN;
		zmq_setsockopt(items[c].socket, ZMQ_LINGER, &linger, sizeof(linger));
		harness_key_socket(h, H_INTAKE, items[c].socket);      /* keyed harness only */
		zmq_connect(items[c].socket, h->endpoint[H_INTAKE]);
	}
	t0 = load_now();
	for (int c = 0; c < clients && next < total; c++) {
		sent_at[c] = load_now();
		load_send(items[c].socket, p, prefix, next++);
	}
	while (done < total) {
		if (zmq_poll(items, clients, LOAD_WAIT_MS) <= 0) {
			fprintf(stderr, "load: no reply for %d ms\n", LOAD_WAIT_MS);
			rc = -1;
			break;
		}
		for (int c = 0; c < clients; c++) {
			zmq_msg_t msg;
			msgpack_unpacked u;
			size_t off = 0;

			if (!(items[c].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_init(&msg);
			zmq_msg_recv(&msg, items[c].socket, 0);    /* delimiter */
			zmq_msg_recv(&msg, items[c].socket, 0);
			msgpack_unpacked_init(&u);
			if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) !=
			    MSGPACK_UNPACK_SUCCESS || !h_ok(&u.data))
				out->failed++;
			msgpack_unpacked_destroy(&u);
			zmq_msg_close(&msg);
			lat[done++] = (load_now() - sent_at[c]) * 1000.0;
			if (next < total) {
				sent_at[c] = load_now();
				load_send(items[c].socket, p, prefix, next++);
			}
		}
	}
	out->seconds = load_now() - t0;
	for (int c = 0; c < clients; c++)
		zmq_close(items[c].socket);
	if (done > 0) {
		qsort(lat, (size_t)done, sizeof(double), load_cmp);
		out->rate = done / out->seconds;
		out->p50_ms = lat[done / 2];
		out->p99_ms = lat[(size_t)(done * 0.99)];
		out->max_ms = lat[done - 1];
	}
	pack_destroy(&p);
	free(lat);
	free(sent_at);
	free(items);
	return rc;
}

/* ---- the sustained load ---- */

typedef struct {
	void   *sock;
	double *sent;           /* send times of the requests in flight, a ring of depth */
	int     head, n;
} load_client_t;

static int
load_cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void
load_client_send(load_client_t *c, int depth, bool dealer, pack_t *p, const load_opts_t *o,
    long n)
{
	const void *data;
	size_t len;

	if (o->build)
		o->build(p, o->arg, n);
	else
		load_build_submit(p, (void *)o->prefix, n);
	data = pack_data(p, &len);
	if (dealer)
		zmq_send(c->sock, "", 0, ZMQ_SNDMORE);
	zmq_send(c->sock, data, len, 0);
	c->sent[(c->head + c->n) % depth] = load_now();
	c->n++;
}

int
load_sustained(void *zctx, const load_opts_t *o, load_sustained_t *out)
{
	bool dealer = o->depth > 1;
	int depth = dealer ? o->depth : 1, nc = o->clients, rc = 0;
	load_client_t *cl = xcalloc((size_t)nc, sizeof(*cl));
	zmq_pollitem_t *items = xcalloc((size_t)nc, sizeof(*items));
	size_t nlat = 0, cap = 1 << 20;
	float *lat = xmalloc(cap * sizeof(float));
	pack_t *p = pack_new();
	double t0, end, next_sample = 0;
	long next = 0;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < nc; c++) {
		int linger = 0, hwm = 0;

		cl[c].sock = zmq_socket(zctx, dealer ? ZMQ_DEALER : ZMQ_REQ);
		cl[c].sent = xcalloc((size_t)depth, sizeof(double));
		zmq_setsockopt(cl[c].sock, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_setsockopt(cl[c].sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
		zmq_setsockopt(cl[c].sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
		zmq_connect(cl[c].sock, o->endpoint);
		items[c] = (zmq_pollitem_t){cl[c].sock, 0, ZMQ_POLLIN, 0};
	}
	t0 = load_now();
	end = t0 + o->seconds;
	for (int c = 0; c < nc; c++)
		for (int d = 0; d < depth; d++)
			load_client_send(&cl[c], depth, dealer, p, o, next++);
	for (;;) {
		double now = load_now();
		int inflight = 0;

		if (o->wal && now >= next_sample) {
			struct stat st;

			if (stat(o->wal, &st) == 0 && st.st_size > out->wal_max)
				out->wal_max = st.st_size;
			next_sample = now + LOAD_SAMPLE_MS / 1000.0;
		}
		for (int c = 0; c < nc; c++)
			inflight += cl[c].n;
		if (inflight == 0)
			break;
		if (zmq_poll(items, nc, LOAD_WAIT_MS) <= 0) {
			fprintf(stderr, "load: no reply for %d ms\n", LOAD_WAIT_MS);
			rc = -1;
			break;
		}
		now = load_now();
		for (int c = 0; c < nc; c++) {
			load_client_t *k = &cl[c];

			if (!(items[c].revents & ZMQ_POLLIN))
				continue;
			/* everything this client has waiting, not just one */
			for (;;) {
				zmq_msg_t msg;
				msgpack_unpacked u;
				size_t off = 0;

				zmq_msg_init(&msg);
				if (zmq_msg_recv(&msg, k->sock, ZMQ_DONTWAIT) < 0) {
					zmq_msg_close(&msg);
					break;
				}
				if (dealer && zmq_msg_size(&msg) == 0 &&
				    zmq_msg_recv(&msg, k->sock, 0) < 0) {  /* past the delimiter */
					zmq_msg_close(&msg);
					break;
				}
				msgpack_unpacked_init(&u);
				if (msgpack_unpack_next(&u, zmq_msg_data(&msg), zmq_msg_size(&msg), &off) !=
				    MSGPACK_UNPACK_SUCCESS || !h_ok(&u.data))
					out->failed++;
				msgpack_unpacked_destroy(&u);
				zmq_msg_close(&msg);
				if (k->n == 0)
					break;  /* a reply nobody asked for */
				if (nlat == cap)
					lat = xrealloc(lat, (cap *= 2) * sizeof(float));
				lat[nlat++] = (float)((now - k->sent[k->head]) * 1000.0);
				k->head = (k->head + 1) % depth;
				k->n--;
				out->acked++;
				if (now < end)
					load_client_send(k, depth, dealer, p, o, next++);
				if (!dealer)
					break;
			}
		}
	}
	out->seconds = load_now() - t0;
	out->rate = out->seconds > 0 ? (double)out->acked / out->seconds : 0;
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(float), load_cmp_float);
		out->p50_ms = lat[nlat / 2];
		out->p99_ms = lat[(size_t)((double)nlat * 0.99)];
		out->p999_ms = lat[(size_t)((double)nlat * 0.999)];
		out->max_ms = lat[nlat - 1];
	}
	for (int c = 0; c < nc; c++) {
		zmq_close(cl[c].sock);
		free(cl[c].sent);
	}
	pack_destroy(&p);
	free(lat);
	free(items);
	free(cl);
	return rc;
}
