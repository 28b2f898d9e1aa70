/*
 * test_browser.c: trygg-web's pages in a real browser, headless Chromium
 * driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
 * JSON messages ended by NUL on fds 3 and 4; jansson reads them). At a
 * phone's size (390×844) the form renders without sideways scrolling, is
 * filled in and sent with its own button, and the incident page comes
 * back; the ack page's button acknowledges. Screenshots of the form and
 * the result are kept in build/artifacts/.
 *
 * Waits poll the page's state with a generous deadline; nothing asserts
 * how long a step took.
 */
#include "harness.h"
#include "buf.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#define CDP_WAIT_MS   20000     /* for any answer or page state that must come */
#define ARTIFACTS     "build/artifacts"

typedef struct {
	pid_t  pid;
	int    to, from;            /* our ends of fd 3 and fd 4 */
	buf_t  in;                  /* bytes read, not yet a whole message */
	int    next_id;
	char   session[128];
} cdp_t;

static int
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static int
cdp_start(cdp_t *c, const char *dir)
{
	int to[2], from[2];
	char profile[512];

	memset(c, 0, sizeof(*c));
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/chromium", dir);
	if (pipe(to) < 0 || pipe(from) < 0)
		return -1;
	if ((c->pid = fork()) < 0)
		return -1;
	if (c->pid == 0) {
		char log[512];
		int fd;

		setpgid(0, 0);
		snprintf(log, sizeof(log), "%s/chromium.log", dir);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* fd 3: commands in; fd 4: answers out */
		if (dup2(to[0], 10) < 0 || dup2(from[1], 11) < 0 || dup2(10, 3) < 0 ||
		    dup2(11, 4) < 0)
			_exit(127);
		execlp("chromium", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
		    "--remote-debugging-pipe", profile, "--no-first-run",
		    "--no-default-browser-check", "--disable-extensions",
		    "--disable-background-networking", "--disable-sync", "--hide-scrollbars",
		    "--mute-audio", "about:blank", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->to = to[1];
	c->from = from[0];
	c->next_id = 1;
	return 0;
}

static void
cdp_stop(cdp_t *c)
{
	if (c->pid > 0) {
		close(c->to);
		close(c->from);
		kill(-c->pid, SIGTERM);
		kill(c->pid, SIGTERM);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		kill(-c->pid, SIGKILL);
		c->pid = 0;
	}
	buf_free(&c->in);
}

/* The next whole message, or NULL when none came within ms. */
static json_t *
cdp_read(cdp_t *c, int ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char *nul = c->in.data ? memchr(c->in.data, '\0', c->in.len) : NULL;
		struct pollfd p = {c->from, POLLIN, 0};
		char chunk[65536];
		ssize_t n;

		if (nul) {
			size_t len = (size_t)(nul - c->in.data);
			json_t *j = json_loadb(c->in.data, len, 0, NULL);

			memmove(c->in.data, nul + 1, c->in.len - len - 1);
			c->in.len -= len + 1;
			c->in.data[c->in.len] = '\0';
			return j;
		}
		if (ms_since(&t0) >= ms || poll(&p, 1, ms - ms_since(&t0)) <= 0)
			return NULL;
		if ((n = read(c->from, chunk, sizeof(chunk))) <= 0)
			return NULL;
		buf_append(&c->in, chunk, (size_t)n);
	}
}

/* Sends method with params (stolen) and returns its result (caller decrefs), or NULL. */
static json_t *
cdp_call(cdp_t *c, const char *method, json_t *params, bool in_session)
{
	json_t *msg = json_object(), *r;
	int id = c->next_id++;
	char *text;
	struct timespec t0;

	json_object_set_new(msg, "id", json_integer(id));
	json_object_set_new(msg, "method", json_string(method));
	json_object_set_new(msg, "params", params ? params : json_object());
	if (in_session)
		json_object_set_new(msg, "sessionId", json_string(c->session));
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (write(c->to, text, strlen(text) + 1) != (ssize_t)(strlen(text) + 1)) {
		free(text);
		return NULL;
	}
	free(text);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < CDP_WAIT_MS && (r = cdp_read(c, CDP_WAIT_MS)) != NULL) {
		json_t *rid = json_object_get(r, "id");

		if (rid && json_integer_value(rid) == id) {
			json_t *res = json_object_get(r, "result");

			if (res == NULL) {
				char *e = json_dumps(r, JSON_COMPACT);

				fprintf(stderr, "cdp: %s: %s\n", method, e);
				free(e);
				json_decref(r);
				return NULL;
			}
			json_incref(res);
			json_decref(r);
			return res;
		}
		json_decref(r);     /* an event */
	}
	fprintf(stderr, "cdp: no answer to %s\n", method);
	return NULL;
}

/* Evaluates expr in the page; its value as a string (static copy), "" on failure. */
static const char *
cdp_eval(cdp_t *c, const char *expr)
{
	static char out[65536];
	json_t *r = cdp_call(c, "Runtime.evaluate", json_pack("{s:s, s:b}", "expression", expr,
	    "returnByValue", 1), true);
	json_t *v = r ? json_object_get(json_object_get(r, "result"), "value") : NULL;

	out[0] = '\0';
	if (json_is_string(v))
		snprintf(out, sizeof(out), "%s", json_string_value(v));
	else if (json_is_true(v))
		snprintf(out, sizeof(out), "true");
	else if (json_is_false(v))
		snprintf(out, sizeof(out), "false");
	else if (json_is_integer(v))
		snprintf(out, sizeof(out), "%lld", (long long)json_integer_value(v));
	json_decref(r);
	return out;
}

/* Waits until expr (a JS condition) is true in a fully loaded page. */
static bool
cdp_wait_for(cdp_t *c, const char *cond)
{
	struct timespec t0;
	char expr[1024];

	snprintf(expr, sizeof(expr), "document.readyState === 'complete' && !!(%s)", cond);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < CDP_WAIT_MS) {
		struct timespec ts = {0, 100 * 1000000};

		if (strcmp(cdp_eval(c, expr), "true") == 0)
			return true;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "cdp: still not true: %s\n", cond);
	return false;
}

static bool
cdp_open(cdp_t *c, const char *url)
{
	json_t *r = cdp_call(c, "Page.navigate", json_pack("{s:s}", "url", url), true);

	json_decref(r);
	return r != NULL;
}

/* Saves a PNG of the viewport; returns its width, -1 on failure. */
static int
cdp_screenshot(cdp_t *c, const char *path)
{
	json_t *r = cdp_call(c, "Page.captureScreenshot", json_pack("{s:s}", "format", "png"), true);
	const char *b64 = r ? json_string_value(json_object_get(r, "data")) : NULL;
	unsigned char *png;
	size_t len = 0, cap;
	int width = -1;
	FILE *f;

	if (b64 == NULL) {
		json_decref(r);
		return -1;
	}
	cap = strlen(b64);
	png = malloc(cap);
	if (sodium_base642bin(png, cap, b64, strlen(b64), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && len > 24 && memcmp(png, "\x89PNG", 4) == 0) {
		width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
		mkdir("build", 0755);
		mkdir(ARTIFACTS, 0755);
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(png, 1, len, f);
			fclose(f);
		}
	}
	free(png);
	json_decref(r);
	return width;
}

static void *
subscribe(harness_t *h)
{
	void *sub = zmq_socket(h->zctx, ZMQ_SUB);
	int linger = 0;

	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_connect(sub, h->notifications);
	return sub;
}

/* the ack token of the next notification about incident, or "" */
static const char *
next_token(void *sub, const char *incident)
{
	static char token[128];

	token[0] = '\0';
	for (int tries = 0; tries < 5 && token[0] == '\0'; tries++) {
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		char topic[64], body[4096], url[256];
		int bl;
		msgpack_unpacked u;

		if (zmq_poll(&it, 1, CDP_WAIT_MS) <= 0 || zmq_recv(sub, topic, sizeof(topic), 0) < 0 ||
		    (bl = zmq_recv(sub, body, sizeof(body), 0)) < 0)
			break;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, body, (size_t)bl, NULL) == MSGPACK_UNPACK_SUCCESS &&
		    strcmp(h_str(&u.data, "incident"), incident) == 0) {
			snprintf(url, sizeof(url), "%s", h_str(&u.data, "ack_url"));
			if (strstr(url, "/ack/"))
				snprintf(token, sizeof(token), "%s", strstr(url, "/ack/") + 5);
		}
		msgpack_unpacked_destroy(&u);
	}
	return token;
}

TEST(a_phone_fills_in_the_form_sends_it_and_acknowledges_the_link)
{
	harness_t *h = harness_new("web:\n  base_url: https://trygg.example.se\n");
	void *sub;
	cdp_t c;
	json_t *r;
	char url[256], number[40], token[128];
	const char *target;

	if (harness_start(h, H_ESCALATION) < 0 || harness_start(h, H_INTAKE) < 0 ||
	    harness_start(h, H_WEB) < 0) {
		test_fail(__FILE__, __LINE__, "cannot start the daemons");
		harness_destroy(&h);
		return;
	}
	sub = subscribe(h);
	CHECK(cdp_start(&c, h->dir) == 0);

	/* a tab at a phone's size */
	r = cdp_call(&c, "Target.createTarget", json_pack("{s:s}", "url", "about:blank"), false);
	target = r ? json_string_value(json_object_get(r, "targetId")) : NULL;
	CHECK(target != NULL);
	if (target == NULL) {
		json_decref(r);
		goto out;
	}
	{
		json_t *a = cdp_call(&c, "Target.attachToTarget", json_pack("{s:s, s:b}",
		    "targetId", target, "flatten", 1), false);
		const char *s = a ? json_string_value(json_object_get(a, "sessionId")) : NULL;

		snprintf(c.session, sizeof(c.session), "%s", s ? s : "");
		json_decref(a);
	}
	json_decref(r);
	json_decref(cdp_call(&c, "Page.enable", NULL, true));
	json_decref(cdp_call(&c, "Emulation.setDeviceMetricsOverride", json_pack(
	    "{s:i, s:i, s:i, s:b}", "width", 390, "height", 844, "deviceScaleFactor", 1,
	    "mobile", 1), true));

	/* the form renders: three teams' districts, nothing wider than the phone */
	snprintf(url, sizeof(url), "%s/", h->web_url);
	CHECK(cdp_open(&c, url));
	CHECK(cdp_wait_for(&c, "document.querySelector('button[type=submit]')"));
	CHECK_STR(cdp_eval(&c, "String(document.querySelectorAll('select[name=district] optgroup').length)"), "3");
	CHECK_STR(cdp_eval(&c, "String(document.documentElement.scrollWidth <= window.innerWidth)"), "true");
	CHECK_STR(cdp_eval(&c, "String(getComputedStyle(document.querySelector('button')).color)"),
	    "rgb(255, 255, 255)");       /* the stylesheet was allowed by the CSP and applied */
	CHECK_STR(cdp_eval(&c, "String(document.querySelector('button').getBoundingClientRect().height >= 48)"),
	    "true");
	CHECK_INT(cdp_screenshot(&c, ARTIFACTS "/web-form-390x844.png"), 390);

	/* filled in as a person would, sent with the page's own button */
	CHECK_STR(cdp_eval(&c, "(function () {"
	    " var f = document.forms[0];"
	    " f.district.value = 'Ryd'; f.category.value = 'brand';"
	    " document.querySelector('input[name=severity][value=\"5\"]').checked = true;"
	    " f.summary.value = 'Brand i soprum (webbläsartest)';"
	    " f.reporter.value = 'Trygghetsvärd';"
	    " document.querySelector('button[type=submit]').click();"
	    " return 'sent'; })()"), "sent");
	CHECK(cdp_wait_for(&c, "location.pathname.indexOf('/incidents/INC-') === 0"));
	CHECK_HAS(cdp_eval(&c, "document.body.innerText"), "Rapporten är mottagen");
	CHECK_HAS(cdp_eval(&c, "document.body.innerText"), "Brand i soprum (webbläsartest)");
	snprintf(number, sizeof(number), "%s", cdp_eval(&c, "location.pathname.substring(11)"));
	CHECK(strncmp(number, "INC-", 4) == 0);
	CHECK_INT(cdp_screenshot(&c, ARTIFACTS "/web-incident-390x844.png"), 390);

	/* the text message's link: the page, then its button */
	snprintf(token, sizeof(token), "%s", next_token(sub, number));
	CHECK_INT(strlen(token), 43);
	snprintf(url, sizeof(url), "%s/ack/%s", h->web_url, token);
	CHECK(cdp_open(&c, url));
	CHECK(cdp_wait_for(&c, "document.querySelector('button[type=submit]')"));
	CHECK_HAS(cdp_eval(&c, "document.body.innerText"), number);
	CHECK_STR(cdp_eval(&c, "(function () { document.querySelector('button[type=submit]').click();"
	    " return 'pressed'; })()"), "pressed");
	CHECK(cdp_wait_for(&c, "document.querySelector('h1') && "
	    "document.querySelector('h1').textContent === 'Kvitterad'"));
	CHECK_INT(cdp_screenshot(&c, ARTIFACTS "/web-acked-390x844.png"), 390);
	{
		pack_t *p = harness_req("list");
		const msgpack_object *l;

		pack_kv_str(p, "incident", number);
		pack_map_close(p);
		l = h_get(harness_call(h, H_ESCALATION, p), "escalations");
		CHECK(l && l->type == MSGPACK_OBJECT_ARRAY && l->via.array.size == 1);
		if (l && l->type == MSGPACK_OBJECT_ARRAY && l->via.array.size == 1)
			CHECK_STR(h_str(&l->via.array.ptr[0], "status"), "acked");
		pack_destroy(&p);
	}
out:
	cdp_stop(&c);
	zmq_close(sub);
	harness_destroy(&h);
}

TEST_MAIN(a_phone_fills_in_the_form_sends_it_and_acknowledges_the_link)
