/*
 * load.c: a closed-loop submit load on a real trygg-intake (load.h).
 */
#include "load.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
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

static void
load_send(void *sock, pack_t *p, const char *prefix, int n)
{
	char id[64];
	const void *data;
	size_t len;

	snprintf(id, sizeof(id), "%s-%d", prefix, n);
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
