/*
 * cmd_watch.c: trygg watch [CONTACT], the notifications as they arrive,
 * in a form a person on call reads at a glance, with the ack command to
 * run.
 *
 * Sockets: one SUB on endpoints.notifications (every contact, or the
 * contact's topic) and a PAIR on its monitor, which tells the person on
 * stderr whether it is connected. ZeroMQ reconnects the SUB by itself when
 * trygg-escalation restarts, and heartbeats notice a peer that went silent;
 * watch only keeps polling until SIGINT or SIGTERM.
 */
#include "cli.h"
#include "log.h"
#include "json.h"
#include "pack.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#define WATCH_RECONNECT_MS    100       /* SUB: first reconnect after a loss */
#define WATCH_RECONNECT_MAX_MS 2000     /* ... backing off to this */
#define WATCH_HEARTBEAT_MS    5000      /* a silent peer is noticed ... */
#define WATCH_HEARTBEAT_TIMEOUT_MS 15000 /* ... and dropped after this */
#define WATCH_MONITOR         "inproc://trygg-watch-monitor"

static volatile sig_atomic_t watch_stop;

static void
watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* Writes s for a shell: as it is when it is plain, else in single quotes. */
static void
watch_shell_word(const char *s)
{
	if (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_./:=+,@") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/* Prints one notification (topic, then the map) for a person on call. */
static void
watch_print(cli_t *cli, const char *topic, size_t topic_len, const msgpack_object *m)
{
	char t[CLI_TIME_MAX], t2[CLI_TIME_MAX];
	const msgpack_object *contact = cli_get(m, "contact");
	long long id = cli_int(m, "escalation");

	if (cli->json) {
		/* one object a line, with "ok" like every --json answer */
		buf_t out = BUF_INIT;
		pack_t *p = pack_new();
		msgpack_unpacked u;
		size_t len, off = 0;
		const char *data;

		pack_map_open(p);
		pack_kv_bool(p, "ok", true);
		pack_kv_strn(p, "topic", topic, topic_len);
		for (uint32_t i = 0; m->type == MSGPACK_OBJECT_MAP && i < m->via.map.size; i++) {
			if (cli_is(&m->via.map.ptr[i].key, "ok") ||
			    cli_is(&m->via.map.ptr[i].key, "topic"))
				continue;
			pack_obj(p, &m->via.map.ptr[i].key);
			pack_obj(p, &m->via.map.ptr[i].val);
		}
		pack_map_close(p);
		data = pack_data(p, &len);
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, data, len, &off) == MSGPACK_UNPACK_SUCCESS)
			json_from_msgpack(&u.data, &out, false);
		msgpack_unpacked_destroy(&u);
		pack_destroy(&p);
		puts(buf_str(&out));
		buf_free(&out);
		fflush(stdout);
		return;
	}
	printf("%s  ", cli_local_time(cli, cli_get(m, "at"), t));
	printf("ESCALATION %lld  ", id);
	cli_put(stdout, cli_get(m, "incident"));
	fputs("  ", stdout);
	cli_put(stdout, cli_get(m, "kind"));
	fputs("  to ", stdout);
	if (contact)
		cli_put_contact_id(cli, contact);
	else
		printf("%.*s", (int)topic_len, topic);
	printf("  step %lld, attempt %lld\n", cli_int(m, "step") + 1, cli_int(m, "attempt"));
	fputs("  ", stdout);
	cli_put(stdout, cli_get(m, "district"));
	fputs(" (", stdout);
	cli_put(stdout, cli_get(m, "team"));
	fputs(")  ", stdout);
	cli_put(stdout, cli_get(m, "category"));
	printf("  severity %lld\n  \"", cli_int(m, "severity"));
	cli_put(stdout, cli_get(m, "summary"));
	printf("\"\n  kvittera senast %s:  trygg ",
	    cli_short_time(cli, cli_get(m, "ack_by"), cli_get(m, "at"), t2));
	if (cli->cfg_given) {
		fputs("-c ", stdout);
		watch_shell_word(cli->cfg_path);
		putchar(' ');
	}
	printf("ack %lld --by ", id);
	if (contact && contact->type == MSGPACK_OBJECT_STR) {
		char c[128];

		snprintf(c, sizeof(c), "%.*s", (int)contact->via.str.size, contact->via.str.ptr);
		watch_shell_word(c);
	} else {
		printf("%.*s", (int)topic_len, topic);
	}
	printf("\n\n");
	fflush(stdout);
}

/* Reports the SUB's connection events (the monitor's two frames) on stderr. */
static void
watch_event(void *mon, const char *endpoint)
{
	uint8_t ev[6];
	char addr[512];
	int n;
	uint16_t event;

	if ((n = zmq_recv(mon, ev, sizeof(ev), 0)) < 0)
		return;
	if (zmq_recv(mon, addr, sizeof(addr) - 1, 0) < 0)
		return;
	memcpy(&event, ev, sizeof(event));
	if (event == ZMQ_EVENT_CONNECTED)
		fprintf(stderr, "trygg: watch: connected to %s\n", endpoint);
	else if (event == ZMQ_EVENT_DISCONNECTED)
		fprintf(stderr, "trygg: watch: lost %s; reconnecting (notifications sent "
		    "meanwhile come again when the contact is notified again)\n", endpoint);
}

int
cmd_watch(cli_t *cli, int argc, char **argv)
{
	const char *contact = NULL, *endpoint = cli->cfg->endpoints.notifications;
	char err[512];
	int ivl = WATCH_RECONNECT_MS, ivl_max = WATCH_RECONNECT_MAX_MS;
	int hb = WATCH_HEARTBEAT_MS, hb_timeout = WATCH_HEARTBEAT_TIMEOUT_MS, linger = 0;
	struct sigaction sa;
	void *sub, *mon;
	int rc = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cli_usage("usage: trygg watch [CONTACT]");
	if (endpoint == NULL || endpoint[0] == '\0')
		return cli_fail(cli->cfg_missing ? EXIT_NOINPUT : EXIT_CONFIG, "config",
		    "no endpoint for the notifications: %s %s; give --endpoint "
		    "notifications=URL, set TRYGG_NOTIFICATIONS, or name a configuration with "
		    "-c FILE", cli->cfg_path, cli->cfg_missing ? "not found" : "gives none");
	if (argc == 2) {
		contact = argv[1];
		if (!cli->cfg_partial && cfg_contact(cli->cfg, contact, strlen(contact)) == NULL)
			return cli_usage("watch: '%s' is not a configured contact (see %s, "
			    "contacts)", contact, cli->cfg_path);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sub = zmq_socket(cli->zctx, ZMQ_SUB);
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(sub, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max));
	zmq_setsockopt(sub, ZMQ_HEARTBEAT_IVL, &hb, sizeof(hb));
	zmq_setsockopt(sub, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout));
	/* a topic is a prefix: tib-1 hears tib-10 too, so the topic is checked again below */
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, contact ? contact : "", contact ? strlen(contact) : 0);
	if (zmq_socket_monitor(sub, WATCH_MONITOR, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) < 0 ||
	    (mon = zmq_socket(cli->zctx, ZMQ_PAIR)) == NULL) {
		fprintf(stderr, "trygg: watch: %s\n", zmq_strerror(errno));
		zmq_close(sub);
		return EXIT_SOFTWARE;
	}
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(mon, WATCH_MONITOR);
	if (cli_auth_prepare(cli, sub, endpoint, err, sizeof(err)) < 0) {
		fprintf(stderr, "trygg: watch: %s\n", err);
		zmq_close(mon);
		zmq_close(sub);
		return EXIT_CONFIG;
	}
	if (zmq_connect(sub, endpoint) < 0) {
		fprintf(stderr, "trygg: watch: %s: %s\n", endpoint, zmq_strerror(errno));
		zmq_close(mon);
		zmq_close(sub);
		return EXIT_CONFIG;
	}
	fprintf(stderr, "trygg: watching the notifications %s%s on %s (Ctrl-C stops)\n",
	    contact ? "for " : "for every contact", contact ? contact : "", endpoint);
	while (!watch_stop) {
		zmq_pollitem_t items[2] = {{sub, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
		msgpack_unpacked u;
		zmq_msg_t topic, body;
		int more;
		size_t more_len = sizeof(more);

		if (zmq_poll(items, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "trygg: watch: %s\n", zmq_strerror(errno));
			rc = EXIT_SOFTWARE;
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			watch_event(mon, endpoint);
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&topic, sub, 0) < 0) {
			zmq_msg_close(&topic);
			zmq_msg_close(&body);
			continue;
		}
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		if (!more || zmq_msg_recv(&body, sub, 0) < 0) {
			zmq_msg_close(&topic);
			zmq_msg_close(&body);
			continue;
		}
		/* drop anything after the two frames */
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		while (more) {
			zmq_msg_t extra;

			zmq_msg_init(&extra);
			zmq_msg_recv(&extra, sub, 0);
			zmq_msg_close(&extra);
			zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &more_len);
		}
		msgpack_unpacked_init(&u);
		if ((contact == NULL || (zmq_msg_size(&topic) == strlen(contact) &&
		    memcmp(zmq_msg_data(&topic), contact, strlen(contact)) == 0)) &&
		    msgpack_unpack_next(&u, zmq_msg_data(&body), zmq_msg_size(&body), NULL) ==
		    MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP)
			watch_print(cli, zmq_msg_data(&topic), zmq_msg_size(&topic), &u.data);
		msgpack_unpacked_destroy(&u);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
	}
	zmq_socket_monitor(sub, NULL, 0);
	zmq_close(mon);
	zmq_close(sub);
	return rc;
}
