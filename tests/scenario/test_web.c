/*
 * test_web.c: trygg-web in front of the real trygg-intake and
 * trygg-escalation, spoken to over HTTP on a plain socket (harness_http):
 * the report form and its one-time key and CSRF token, the incident it
 * makes in intake, a double submit, errors next to their field with what
 * was typed kept, the JSON API's success and every class of error, the ack
 * link (GET shows, POST acknowledges, once), identity from the trusted
 * proxy only, escaping, the security headers, and /healthz.
 *
 * Everything is checked as a client sees it: HTTP answers, and intake's
 * and escalation's own replies.
 */
#include "harness.h"
#include "buf.h"
#include "msg.h"
#include "test.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#define WAIT_MS 20000   /* for a notification that must come */

static const char web_override[] =
    "web:\n  base_url: https://trygg.example.se/\n";

static harness_t *
start(const char *override)
{
	harness_t *h = harness_new(override);

	if (harness_start(h, H_ESCALATION) < 0 || harness_start(h, H_INTAKE) < 0 ||
	    harness_start(h, H_WEB) < 0) {
		fprintf(stderr, "cannot start the daemons\n");
		exit(1);
	}
	return h;
}

static harness_t *the_shared;

static void
shared_destroy(void)
{
	harness_destroy(&the_shared);
}

static harness_t *
shared(void)
{
	if (the_shared == NULL) {
		the_shared = start(web_override);
		atexit(shared_destroy);
	}
	return the_shared;
}

/* the value="..." of the input named name in html, as a static copy */
static const char *
input_value(const char *html, const char *name)
{
	static char v[256];
	char pat[80];
	const char *p, *e;

	v[0] = '\0';
	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	if (html && (p = strstr(html, pat)) != NULL && (e = strchr(p + strlen(pat), '"')) != NULL)
		snprintf(v, sizeof(v), "%.*s", (int)(e - p - strlen(pat)), p + strlen(pat));
	return v;
}

/* URL-encodes s onto b */
static void
urlenc(buf_t *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			buf_putc(b, (char)c);
		else if (c == ' ')
			buf_putc(b, '+');
		else
			buf_printf(b, "%%%02X", c);
	}
}

/* A form body: NULL-terminated name, value pairs. */
static char *
form(const char *first, ...)
{
	buf_t b = BUF_INIT;
	va_list ap;
	const char *n = first;

	va_start(ap, first);
	while (n) {
		const char *v = va_arg(ap, const char *);

		if (b.len)
			buf_putc(&b, '&');
		urlenc(&b, n);
		buf_putc(&b, '=');
		urlenc(&b, v);
		n = va_arg(ap, const char *);
	}
	va_end(ap);
	return b.data;
}

static const char form_type[] = "Content-Type: application/x-www-form-urlencoded\r\n";
static const char json_type[] = "Content-Type: application/json\r\n";

/* GET / and the one-time key and CSRF token of the form it serves */
static void
fresh_form(harness_t *h, const char *headers, char key[128], char csrf[128])
{
	harness_http_t r;

	harness_http(h, "GET", "/", headers, NULL, 0, &r);
	snprintf(key, 128, "%s", input_value(r.body, "id"));
	snprintf(csrf, 128, "%s", input_value(r.body, "csrf"));
	harness_http_free(&r);
}

static int
post(harness_t *h, const char *path, const char *headers, const char *body,
    harness_http_t *r)
{
	return harness_http(h, "POST", path, headers, body, strlen(body), r);
}

/* intake's get by number or by id */
static const msgpack_object *
intake_get(harness_t *h, const char *key, const char *value)
{
	pack_t *p = harness_req("get");
	const msgpack_object *r;

	pack_kv_str(p, key, value);
	pack_map_close(p);
	r = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	return r;
}

TEST(the_form_carries_a_key_a_csrf_token_the_districts_and_the_headers)
{
	harness_t *h = shared();
	harness_http_t r;
	char key[128], csrf[128];

	CHECK_INT(harness_http(h, "GET", "/", NULL, NULL, 0, &r), 200);
	snprintf(key, sizeof(key), "%s", input_value(r.body, "id"));
	snprintf(csrf, sizeof(csrf), "%s", input_value(r.body, "csrf"));
	CHECK(strncmp(key, "web-", 4) == 0);
	CHECK_INT(strlen(key), 47);
	CHECK_INT(strlen(csrf), 43);
	CHECK_HAS(r.body, "<html lang=\"sv\">");
	CHECK_HAS(r.body, "<optgroup label=\"Områdesteam 2\"><option value=\"Ryd\">");
	CHECK_HAS(r.body, "<option value=\"hot_och_vald\">Hot och våld</option>");
	CHECK_HAS(r.body, "name=\"viewport\"");
	CHECK_HAS(r.body, "type=\"datetime-local\" id=\"f-occurred_at\" name=\"occurred_at\" value=\"20");
	for (const char *f = "summary\0reporter\0details\0location\0level\0partners\0"
	    "needs_external\0needs_reinforcement\0involves_minors\0police_report\0"
	    "orosanmalan\0severity\0"; *f; f += strlen(f) + 1) {
		char pat[64];

		snprintf(pat, sizeof(pat), "name=\"%s\"", f);
		CHECK_HAS(r.body, pat);
	}
	CHECK(strstr(r.body, "<script") == NULL);
	CHECK(strstr(r.body, "style=") == NULL);
	CHECK_HAS(harness_http_header(&r, "Content-Security-Policy"), "default-src 'none'");
	CHECK(strstr(harness_http_header(&r, "Content-Security-Policy"), "unsafe-inline") == NULL);
	CHECK_STR(harness_http_header(&r, "X-Content-Type-Options"), "nosniff");
	CHECK_STR(harness_http_header(&r, "Referrer-Policy"), "no-referrer");
	CHECK_STR(harness_http_header(&r, "X-Frame-Options"), "DENY");
	harness_http_free(&r);

	/* every form gets its own key */
	CHECK_INT(harness_http(h, "GET", "/", NULL, NULL, 0, &r), 200);
	CHECK(strcmp(input_value(r.body, "id"), key) != 0);
	harness_http_free(&r);
	CHECK_INT(harness_http(h, "GET", "/static/trygg.css", NULL, NULL, 0, &r), 200);
	CHECK_HAS(harness_http_header(&r, "Content-Type"), "text/css");
	harness_http_free(&r);
}

TEST(a_form_post_makes_the_incident_in_intake_and_a_double_tap_makes_one)
{
	harness_t *h = shared();
	harness_http_t r, r2, page;
	char key[128], csrf[128], loc[128];
	char *body;
	const msgpack_object *rep, *inc;

	fresh_form(h, NULL, key, csrf);
	body = form("id", key, "csrf", csrf, "district", "Ryd", "category", "skadegorelse",
	    "severity", "2", "summary", "Krossad busskur", "reporter", "Fältsekreterare Anna",
	    "details", "Hemlig detalj\r\nrad två", "location", "Rydsvägen 1",
	    "occurred_at", "2026-06-01T21:30", "level", "omrade", "partners", "skola\r\npolis",
	    "involves_minors", "1", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 303);
	snprintf(loc, sizeof(loc), "%s", harness_http_header(&r, "Location"));
	CHECK(strncmp(loc, "/incidents/INC-", 15) == 0);

	/* the same form again: the same incident */
	CHECK_INT(post(h, "/incidents", form_type, body, &r2), 303);
	CHECK_STR(harness_http_header(&r2, "Location"), loc);
	harness_http_free(&r2);

	rep = intake_get(h, "id", key);
	CHECK(h_ok(rep));
	inc = h_get(rep, "incident");
	CHECK_STR(h_str(inc, "number"), loc + 11);
	CHECK_STR(h_str(inc, "district"), "Ryd");
	CHECK_STR(h_str(inc, "summary"), "Krossad busskur");
	CHECK_STR(h_str(inc, "details"), "Hemlig detalj\nrad två");
	CHECK_STR(h_str(inc, "occurred_at"), "2026-06-01T19:30:00Z");   /* CEST */
	CHECK_STR(h_str(inc, "level"), "omrade");
	CHECK(h_bool(inc, "involves_minors"));
	CHECK(h_get(inc, "police_report") == NULL);
	CHECK_INT(h_get(inc, "partners") ? h_get(inc, "partners")->via.array.size : 0, 2);

	/* the page after: the number, no details, what happens next */
	CHECK_INT(harness_http(h, "GET", loc, NULL, NULL, 0, &page), 200);
	CHECK_HAS(page.body, loc + 11);
	CHECK_HAS(page.body, "Krossad busskur");
	CHECK_HAS(page.body, "hanteras av Områdesteam 2");
	CHECK(strstr(page.body, "Hemlig") == NULL);
	harness_http_free(&page);
	harness_http_free(&r);
	free(body);

	/* an unknown number */
	CHECK_INT(harness_http(h, "GET", "/incidents/INC-2020-999999", NULL, NULL, 0, &page), 404);
	harness_http_free(&page);
	CHECK_INT(harness_http(h, "GET", "/incidents/%3Cx%3E", NULL, NULL, 0, &page), 404);
	harness_http_free(&page);
}

TEST(a_refused_field_comes_back_next_to_the_field_with_what_was_typed)
{
	harness_t *h = shared();
	harness_http_t r;
	char key[128], csrf[128], summary[260];
	char *body;

	/* missing summary: caught before intake */
	fresh_form(h, NULL, key, csrf);
	body = form("id", key, "csrf", csrf, "district", "Berga", "category", "narkotika",
	    "severity", "3", "summary", "  ", "reporter", "Bo <b>",
	    "location", "Bergavägen \"7\"", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 422);
	CHECK_HAS(r.body, "<div class=\"field field-error\"><label for=\"f-summary\">");
	CHECK_HAS(r.body, "class=\"err\" id=\"f-summary-err\"");
	CHECK_HAS(r.body, "value=\"Bergavägen &quot;7&quot;\"");
	CHECK_HAS(r.body, "value=\"Bo &lt;b&gt;\"");
	CHECK_HAS(r.body, "<option value=\"Berga\" selected>");
	CHECK_HAS(r.body, "value=\"3\" checked");
	CHECK_STR(input_value(r.body, "id"), key);        /* the same key: one incident in the end */
	CHECK_INT(strlen(input_value(r.body, "csrf")), 43);
	harness_http_free(&r);
	free(body);
	CHECK_STR(h_code(intake_get(h, "id", key)), "not_found");

	/* a summary over 200 characters: refused by intake, shown at the field */
	memset(summary, 'x', 201);
	summary[201] = '\0';
	body = form("id", key, "csrf", csrf, "district", "Berga", "category", "narkotika",
	    "severity", "3", "summary", summary, "reporter", "Bo", "location", "Torget", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 422);
	CHECK_HAS(r.body, "id=\"f-summary-err\"");
	CHECK_HAS(r.body, "value=\"Torget\"");
	harness_http_free(&r);
	free(body);

	/* an impossible time */
	body = form("id", key, "csrf", csrf, "district", "Berga", "category", "narkotika",
	    "severity", "3", "summary", "s", "reporter", "Bo", "occurred_at", "2026-02-30T10:00", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 422);
	CHECK_HAS(r.body, "id=\"f-occurred_at-err\"");
	CHECK_HAS(r.body, "value=\"2026-02-30T10:00\"");
	harness_http_free(&r);
	free(body);
	CHECK_STR(h_code(intake_get(h, "id", key)), "not_found");
}

TEST(a_form_without_its_csrf_token_is_refused_and_makes_nothing)
{
	harness_t *h = shared();
	harness_http_t r;
	char key[128], csrf[128], other[128], other_csrf[128];
	char *body;

	fresh_form(h, NULL, key, csrf);
	fresh_form(h, NULL, other, other_csrf);
	/* no token, a wrong one, and another form's */
	const char *bad[] = {"", "x", other_csrf};
	for (int i = 0; i < 3; i++) {
		body = form("id", key, "csrf", bad[i], "district", "Ryd", "category", "brand",
		    "severity", "1", "summary", "s", "reporter", "r", NULL);
		CHECK_INT(post(h, "/incidents", form_type, body, &r), 403);
		CHECK_HAS(r.body, "Formuläret hade gått ut");
		CHECK_HAS(r.body, "value=\"Ryd\" selected");
		harness_http_free(&r);
		free(body);
	}
	CHECK_STR(h_code(intake_get(h, "id", key)), "not_found");
	/* a key that is not one of ours */
	body = form("id", "app-1", "csrf", csrf, "district", "Ryd", "category", "brand",
	    "severity", "1", "summary", "s", "reporter", "r", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 403);
	harness_http_free(&r);
	free(body);
	CHECK_STR(h_code(intake_get(h, "id", "app-1")), "not_found");
}

TEST(a_script_in_a_summary_is_shown_escaped)
{
	harness_t *h = shared();
	harness_http_t r, page;
	char key[128], csrf[128];
	char *body;

	fresh_form(h, NULL, key, csrf);
	body = form("id", key, "csrf", csrf, "district", "City", "category", "ovrigt",
	    "severity", "1", "summary", "<script>alert('x')</script>&", "reporter", "\"><img src=x>",
	    NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 303);
	CHECK_INT(harness_http(h, "GET", harness_http_header(&r, "Location"), NULL, NULL, 0, &page), 200);
	CHECK_HAS(page.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
	CHECK(strstr(page.body, "<script") == NULL);
	CHECK(strstr(page.body, "<img") == NULL);
	harness_http_free(&page);
	harness_http_free(&r);
	free(body);
}

TEST(the_json_api_answers_201_and_the_wires_errors)
{
	harness_t *h = shared();
	harness_http_t r;
	static const char ok[] = "{\"id\":\"api-1\",\"district\":\"skaggetorp\",\"category\":\"Brand\","
	    "\"severity\":2,\"summary\":\"Brand i papperskorg\",\"reporter\":\"Larmcentral\","
	    "\"details\":\"pnr 811218-9876\"}";
	char big[70 * 1024];

	CHECK_INT(post(h, "/api/v1/incidents", json_type, ok, &r), 201);
	CHECK_HAS(r.body, "{\"incident\":{\"number\":\"INC-");
	CHECK_HAS(r.body, "\"district\":\"Skäggetorp\"");
	CHECK_HAS(r.body, "\"escalation\":\"external\"");
	CHECK_HAS(r.body, "\"masked\":1");
	CHECK_STR(harness_http_header(&r, "Content-Type"), "application/json");
	harness_http_free(&r);
	CHECK_STR(h_str(h_get(intake_get(h, "id", "api-1"), "incident"), "details"), "pnr XXXXXX-XXXX");
	/* resent: the same incident */
	CHECK_INT(post(h, "/api/v1/incidents", json_type, ok, &r), 200);
	CHECK_HAS(r.body, "\"duplicate\":true");
	harness_http_free(&r);

	static const struct { const char *body; int status; const char *code, *field; } cases[] = {
		{"{\"id\":\"api-1\",\"district\":\"Ryd\",\"category\":\"brand\",\"severity\":2,"
		    "\"summary\":\"annat\",\"reporter\":\"x\"}", 409, "conflict", "id"},
		{"{\"id\":\"api-2\",\"district\":\"Atlantis\",\"category\":\"brand\",\"severity\":2,"
		    "\"summary\":\"s\",\"reporter\":\"x\"}", 422, "unknown_district", "district"},
		{"{\"id\":\"api-2\",\"district\":\"Ryd\",\"category\":\"ufo\",\"severity\":2,"
		    "\"summary\":\"s\",\"reporter\":\"x\"}", 422, "unknown_category", "category"},
		{"{\"id\":\"api-2\",\"district\":\"Ryd\",\"category\":\"brand\",\"severity\":6,"
		    "\"summary\":\"s\",\"reporter\":\"x\"}", 422, "invalid_field", "severity"},
		{"{\"id\":\"api-2\",\"district\":\"Ryd\",\"category\":\"brand\",\"severity\":2.0,"
		    "\"summary\":\"s\",\"reporter\":\"x\"}", 422, "invalid_field", "severity"},
		{"{\"id\":\"api-2\",\"district\":\"Ryd\",\"category\":\"brand\",\"severity\":2,"
		    "\"reporter\":\"x\"}", 422, "invalid_field", "summary"},
		{"{\"id\":\"api-2\",\"district\":\"Ryd\",\"category\":\"brand\",\"severity\":2,"
		    "\"summary\":\"s\",\"reporter\":\"x\",\"colour\":\"red\"}", 422, "invalid_field", "colour"},
		{"{\"op\":\"get\",\"number\":\"INC-2026-000001\"}", 422, "invalid_field", "op"},
		{"{\"id\":\"api-2\",\"id\":\"api-3\"}", 400, "bad_request", NULL},
		{"{\"id\": ", 400, "bad_request", NULL},
		{"[1, 2]", 400, "bad_request", NULL},
		{"{\"summary\":\"\\u0000\"}", 400, "bad_request", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[80];

		CHECK_INT(post(h, "/api/v1/incidents", json_type, cases[i].body, &r), cases[i].status);
		snprintf(want, sizeof(want), "{\"error\":{\"code\":\"%s\",\"message\":\"", cases[i].code);
		CHECK_HAS(r.body, want);
		if (cases[i].field) {
			snprintf(want, sizeof(want), "\"field\":\"%s\"}}", cases[i].field);
			CHECK_HAS(r.body, want);
		} else
			CHECK(strstr(r.body, "\"field\"") == NULL);
		harness_http_free(&r);
	}
	CHECK_STR(h_code(intake_get(h, "id", "api-2")), "not_found");

	/* not JSON by its type, and too large */
	CHECK_INT(post(h, "/api/v1/incidents", "Content-Type: text/plain\r\n", ok, &r), 415);
	harness_http_free(&r);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"summary\":\"", 12);
	CHECK_INT(post(h, "/api/v1/incidents", json_type, big, &r), 413);
	CHECK_HAS(r.body, "\"code\":\"too_large\"");
	harness_http_free(&r);
	/* headers past the connection's memory */
	{
		buf_t hdr = BUF_INIT;

		buf_puts(&hdr, "X-Big: ");
		for (int i = 0; i < 40 * 1024; i++)
			buf_putc(&hdr, 'a');
		buf_puts(&hdr, "\r\n");
		CHECK_INT(harness_http(h, "GET", "/healthz", hdr.data, NULL, 0, &r), 431);
		harness_http_free(&r);
		buf_free(&hdr);
	}
	/* the wrong method, and a path that does not exist */
	CHECK_INT(harness_http(h, "GET", "/api/v1/incidents", NULL, NULL, 0, &r), 405);
	CHECK_STR(harness_http_header(&r, "Allow"), "POST");
	harness_http_free(&r);
	CHECK_INT(harness_http(h, "GET", "/nowhere", NULL, NULL, 0, &r), 404);
	harness_http_free(&r);
}

/* The token of the next notification's ack_url about incident, or "" */
static const char *
next_token(void *sub, const char *incident)
{
	static char token[128];

	token[0] = '\0';
	for (int tries = 0; tries < 5 && token[0] == '\0'; tries++) {
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		char topic[64], body[4096], inc[64], url[256];
		int bl;
		msgpack_unpacked u;

		if (zmq_poll(&it, 1, WAIT_MS) <= 0 || zmq_recv(sub, topic, sizeof(topic), 0) < 0 ||
		    (bl = zmq_recv(sub, body, sizeof(body), 0)) < 0)
			break;
		msgpack_unpacked_init(&u);
		if (msgpack_unpack_next(&u, body, (size_t)bl, NULL) == MSGPACK_UNPACK_SUCCESS) {
			snprintf(inc, sizeof(inc), "%s", h_str(&u.data, "incident"));
			snprintf(url, sizeof(url), "%s", h_str(&u.data, "ack_url"));
			if (strcmp(inc, incident) == 0 && strstr(url, "/ack/"))
				snprintf(token, sizeof(token), "%s", strstr(url, "/ack/") + 5);
		}
		msgpack_unpacked_destroy(&u);
	}
	return token;
}

static const char *
escalation_status(harness_t *h, const char *incident)
{
	pack_t *p = harness_req("list");
	const msgpack_object *r, *l;
	const char *s = "";

	pack_kv_str(p, "incident", incident);
	pack_map_close(p);
	r = harness_call(h, H_ESCALATION, p);
	pack_destroy(&p);
	if ((l = h_get(r, "escalations")) && l->type == MSGPACK_OBJECT_ARRAY && l->via.array.size)
		s = h_str(&l->via.array.ptr[0], "status");
	return s;
}

TEST(an_ack_link_shows_on_get_and_acknowledges_on_post_once)
{
	harness_t *h = shared();
	void *sub = zmq_socket(h->zctx, ZMQ_SUB);
	harness_http_t r;
	char number[40], token[128], path[200], csrf[128], *body;
	int linger = 0;

	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_connect(sub, h->notifications);
	usleep(300 * 1000);     /* the subscription reaches the PUB socket */
	CHECK_INT(post(h, "/api/v1/incidents", json_type, "{\"id\":\"ack-1\",\"district\":\"Ryd\","
	    "\"category\":\"brand\",\"severity\":5,\"summary\":\"Brand i förråd <b>\","
	    "\"reporter\":\"x\"}", &r), 201);
	harness_http_free(&r);
	snprintf(number, sizeof(number), "%s", h_str(h_get(intake_get(h, "id", "ack-1"), "incident"),
	    "number"));
	snprintf(token, sizeof(token), "%s", next_token(sub, number));
	CHECK_INT(strlen(token), 43);
	snprintf(path, sizeof(path), "/ack/%s", token);

	/* GET shows the escalation and one button, and acknowledges nothing */
	for (int i = 0; i < 2; i++) {
		CHECK_INT(harness_http(h, "GET", path, NULL, NULL, 0, &r), 200);
		CHECK_HAS(r.body, number);
		CHECK_HAS(r.body, "Brand i förråd &lt;b&gt;");
		CHECK_HAS(r.body, "<button type=\"submit\">Kvittera</button>");
		snprintf(csrf, sizeof(csrf), "%s", input_value(r.body, "csrf"));
		harness_http_free(&r);
	}
	CHECK_STR(escalation_status(h, number), "open");
	CHECK_INT(strlen(csrf), 43);

	/* POST without the page's token does nothing */
	CHECK_INT(post(h, path, form_type, "csrf=nope", &r), 403);
	harness_http_free(&r);
	CHECK_STR(escalation_status(h, number), "open");

	body = form("csrf", csrf, NULL);
	CHECK_INT(post(h, path, form_type, body, &r), 200);
	CHECK_HAS(r.body, "<h1>Kvitterad</h1>");
	harness_http_free(&r);
	CHECK_STR(escalation_status(h, number), "acked");
	CHECK_INT(post(h, path, form_type, body, &r), 200);
	CHECK_HAS(r.body, "<h1>Redan kvitterad</h1>");
	harness_http_free(&r);
	CHECK_INT(harness_http(h, "GET", path, NULL, NULL, 0, &r), 200);
	CHECK_HAS(r.body, "Redan kvitterad");
	CHECK(strstr(r.body, "<button") == NULL);
	harness_http_free(&r);
	free(body);

	/* the incident's page shows who is on call and who acknowledged */
	snprintf(path, sizeof(path), "/incidents/%s", number);
	CHECK_INT(harness_http(h, "GET", path, NULL, NULL, 0, &r), 200);
	CHECK_HAS(r.body, "ansvaret.");
	CHECK_HAS(r.body, "kvitterad");
	CHECK_HAS(r.body, "Kvitterad av");
	harness_http_free(&r);

	/* unknown and malformed tokens */
	token[0] = token[0] == 'A' ? 'B' : 'A';
	snprintf(path, sizeof(path), "/ack/%s", token);
	CHECK_INT(harness_http(h, "GET", path, NULL, NULL, 0, &r), 404);
	harness_http_free(&r);
	/* (a POST for it cannot carry a valid CSRF token: that is made from a token the page knew) */
	CHECK_INT(post(h, path, form_type, "csrf=x", &r), 403);
	harness_http_free(&r);
	CHECK_INT(harness_http(h, "GET", "/ack/short", NULL, NULL, 0, &r), 404);
	harness_http_free(&r);
	zmq_close(sub);
}

TEST(without_a_trusted_identity_the_pages_answer_401_when_intake_is_closed)
{
	harness_t *h = start("web:\n  open_intake: false\n");
	harness_t *far = start("web:\n  open_intake: false\n  trusted_proxies: [10.9.8.7, \"192.168.0.0/16\"]\n");
	harness_http_t r;
	char key[128], csrf[128], *body;
	static const char who[] = "X-Remote-User: anna.andersson\r\n";

	CHECK_INT(harness_http(h, "GET", "/", NULL, NULL, 0, &r), 401);
	CHECK_HAS(r.body, "Inloggning krävs");
	harness_http_free(&r);
	CHECK_INT(post(h, "/api/v1/incidents", json_type, "{}", &r), 401);
	CHECK_HAS(r.body, "\"code\":\"unauthorized\"");
	harness_http_free(&r);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 200);
	harness_http_free(&r);

	/* from loopback, trusted by default, the header identifies */
	CHECK_INT(harness_http(h, "GET", "/", who, NULL, 0, &r), 200);
	CHECK_HAS(r.body, "name=\"reporter\" maxlength=\"100\" required value=\"anna.andersson\"");
	harness_http_free(&r);
	/* the CSRF token is bound to that user */
	fresh_form(h, who, key, csrf);
	body = form("id", key, "csrf", csrf, "district", "Ryd", "category", "ovrigt",
	    "severity", "1", "summary", "s", "reporter", "anna.andersson", NULL);
	CHECK_INT(post(h, "/incidents", "Content-Type: application/x-www-form-urlencoded\r\n"
	    "X-Remote-User: bertil\r\n", body, &r), 403);
	harness_http_free(&r);
	CHECK_INT(post(h, "/incidents", "Content-Type: application/x-www-form-urlencoded\r\n"
	    "X-Remote-User: anna.andersson\r\n", body, &r), 303);
	harness_http_free(&r);
	free(body);
	CHECK_INT(post(h, "/api/v1/incidents", "Content-Type: application/json\r\n"
	    "X-Remote-User: system-x\r\n", "{\"id\":\"id-1\",\"district\":\"Ryd\",\"category\":\"ovrigt\","
	    "\"severity\":1,\"summary\":\"s\"}", &r), 201);
	harness_http_free(&r);
	CHECK_STR(h_str(h_get(intake_get(h, "id", "id-1"), "incident"), "reporter"), "system-x");

	/* the same header from an address that is not a trusted proxy is ignored */
	CHECK_INT(harness_http(far, "GET", "/", who, NULL, 0, &r), 401);
	harness_http_free(&r);
	CHECK_INT(harness_http(far, "GET", "/incidents/INC-2026-000001", who, NULL, 0, &r), 401);
	harness_http_free(&r);
	harness_destroy(&far);
	harness_destroy(&h);
}

TEST(healthz_answers_200_when_both_daemons_answer_and_503_when_one_does_not)
{
	harness_t *h = start(NULL);
	harness_http_t r;
	char key[128], csrf[128], *body;

	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 200);
	CHECK_HAS(r.body, "\"status\":\"ok\"");
	harness_http_free(&r);
	harness_kill(h, H_ESCALATION, SIGTERM);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 503);
	CHECK_HAS(r.body, "\"escalation\":\"down\"");
	harness_http_free(&r);
	CHECK(harness_start(h, H_ESCALATION) == 0);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 200);
	harness_http_free(&r);

	/* intake down: the form comes back with "försök igen", and the same key works later */
	fresh_form(h, NULL, key, csrf);
	harness_kill(h, H_INTAKE, SIGTERM);
	CHECK_INT(harness_http(h, "GET", "/healthz", NULL, NULL, 0, &r), 503);
	CHECK_HAS(r.body, "\"intake\":\"down\"");
	harness_http_free(&r);
	body = form("id", key, "csrf", csrf, "district", "Ryd", "category", "ovrigt",
	    "severity", "1", "summary", "Under avbrott", "reporter", "r", NULL);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 503);
	CHECK_HAS(r.body, "försök igen");
	CHECK_HAS(r.body, "value=\"Under avbrott\"");
	CHECK_STR(input_value(r.body, "id"), key);
	harness_http_free(&r);
	CHECK(harness_start(h, H_INTAKE) == 0);
	CHECK_INT(post(h, "/incidents", form_type, body, &r), 303);
	harness_http_free(&r);
	free(body);
	CHECK(h_ok(intake_get(h, "id", key)));
	harness_destroy(&h);
}

TEST_MAIN(the_form_carries_a_key_a_csrf_token_the_districts_and_the_headers,
    a_form_post_makes_the_incident_in_intake_and_a_double_tap_makes_one,
    a_refused_field_comes_back_next_to_the_field_with_what_was_typed,
    a_form_without_its_csrf_token_is_refused_and_makes_nothing,
    a_script_in_a_summary_is_shown_escaped,
    the_json_api_answers_201_and_the_wires_errors,
    an_ack_link_shows_on_get_and_acknowledges_on_post_once,
    without_a_trusted_identity_the_pages_answer_401_when_intake_is_closed,
    healthz_answers_200_when_both_daemons_answer_and_503_when_one_does_not)
