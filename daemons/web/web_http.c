/*
 * web_http.c: one HTTP request, from libmicrohttpd's callbacks to the
 * handler and back: the body (at most WEB_BODY_MAX), who the trusted proxy
 * says the user is, the route, and the headers every answer carries.
 *
 * Routes (everything else is 404, a known path with another method 405):
 *
 *	GET  /                     web_form_get       identity or open_intake
 *	POST /incidents            web_form_post      identity or open_intake
 *	GET  /incidents/NUMBER     web_incident_get   identity or open_intake
 *	GET  /ack/TOKEN            web_ack_get        the token
 *	POST /ack/TOKEN            web_ack_post       the token
 *	POST /api/v1/incidents     web_api_submit     identity or open_intake
 *	GET  /healthz              web_healthz        anyone
 *	GET  /static/trygg.css     the stylesheet     anyone
 *
 * The ack pages need no identity: the token in the text message is the
 * credential, made for one contact and one escalation, and the TiB who
 * opens it at 3 a.m. is not behind the municipality's single sign-on.
 */
#include "web.h"
#include "log.h"
#include "mem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

enum MHD_Result web_http_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload, size_t *upload_len,
    void **con_cls);
void web_http_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe);
int web_http_init(web_t *w, char *err, size_t errlen);

#define WEB_USER_MAX 100        /* characters of an identity the proxy sends */

/* web.trusted_proxies, read once: address and prefix length */
typedef struct {
	int           family;       /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int           bits;
} web_net_t;

static web_net_t *web_nets;
static size_t     web_nnets;

struct web_req {
	char   *body;
	size_t  len;
	bool    too_large;
	char    user[WEB_USER_MAX * 4 + 1];
	bool    has_user;
	const char *content_type;   /* the request's, or NULL */
};

const char *
web_req_user(const web_req_t *r)
{
	return r->has_user ? r->user : NULL;
}

const char *
web_req_content_type(const web_req_t *r)
{
	return r->content_type;
}

const char *
web_req_body(const web_req_t *r, size_t *len)
{
	*len = r->len;
	return r->body ? r->body : "";
}

static int
web_net_parse(const char *s, web_net_t *n)
{
	char a[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long bits;

	if (len == 0 || len >= sizeof(a))
		return -1;
	memcpy(a, s, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, a, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
	} else
		return -1;
	if (slash) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end || bits < 0 || bits > n->bits)
			return -1;
		n->bits = (int)bits;
	}
	return 0;
}

int
web_http_init(web_t *w, char *err, size_t errlen)
{
	const cfg_web_t *cw = &w->cfg->web;
	static const char *const loopback[] = {"127.0.0.0/8", "::1"};
	const char *const *list = cw->ntrusted_proxies ? (const char *const *)cw->trusted_proxies : loopback;
	size_t n = cw->ntrusted_proxies ? cw->ntrusted_proxies : 2;

	web_nets = xcalloc(n, sizeof(*web_nets));
	for (size_t i = 0; i < n; i++)
		if (web_net_parse(list[i], &web_nets[i]) < 0) {
			snprintf(err, errlen, "web.trusted_proxies: '%s' is not an address "
			    "or an address/prefix (127.0.0.1, 10.0.0.0/8, ::1)", list[i]);
			return -1;
		}
	web_nnets = n;
	if (cw->user_header == NULL || cw->user_header[0] == '\0' ||
	    strpbrk(cw->user_header, " :\t\r\n") != NULL) {
		snprintf(err, errlen, "web.user_header must be a header name such as X-Remote-User");
		return -1;
	}
	return 0;
}

static bool
web_trusted(const struct sockaddr *sa)
{
	unsigned char a[16];
	int family;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			memcpy(a, a6->s6_addr + 12, 4);
		} else {
			family = AF_INET6;
			memcpy(a, a6->s6_addr, 16);
		}
	} else
		return false;
	for (size_t i = 0; i < web_nnets; i++) {
		const web_net_t *n = &web_nets[i];
		int full = n->bits / 8, rest = n->bits % 8;

		if (n->family != family || memcmp(n->addr, a, (size_t)full) != 0)
			continue;
		if (rest == 0 || ((n->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0)
			return true;
	}
	return false;
}

/* The identity header, from a trusted address only, when it is a sane one-line name. */
static void
web_identify(web_t *w, struct MHD_Connection *c, web_req_t *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *v;
	size_t len;

	if (ci == NULL || !web_trusted(ci->client_addr))
		return;
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, w->cfg->web.user_header);
	if (v == NULL)
		return;
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(r->user))
		return;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return;
	memcpy(r->user, v, len);
	r->user[len] = '\0';
	r->has_user = true;
}

static enum MHD_Result
web_send(struct MHD_Connection *c, web_resp_t *resp, const char *allow)
{
	struct MHD_Response *m = MHD_create_response_from_buffer(resp->body.len,
	    resp->body.data ? resp->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (m == NULL)
		return MHD_NO;
	MHD_add_response_header(m, "Content-Type", resp->content_type ?
	    resp->content_type : "text/html; charset=utf-8");
	MHD_add_response_header(m, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Cache-Control", resp->content_type &&
	    strncmp(resp->content_type, "text/css", 8) == 0 ? "max-age=3600" : "no-store");
	if (resp->location[0])
		MHD_add_response_header(m, "Location", resp->location);
	if (resp->retry_after)
		MHD_add_response_header(m, "Retry-After", "5");
	if (allow)
		MHD_add_response_header(m, "Allow", allow);
	rc = MHD_queue_response(c, (unsigned int)resp->status, m);
	MHD_destroy_response(m);
	return rc;
}

static bool
web_authorized(const web_t *w, const web_req_t *r)
{
	return r->has_user || w->cfg->web.open_intake;
}

static void
web_unauthorized(web_resp_t *resp, bool json)
{
	if (json)
		web_api_error(resp, 401, "unauthorized",
		    "no trusted identity: sign in through the municipality's login", NULL);
	else
		web_html_message(resp, 401, "Inloggning krävs",
		    "Du behöver logga in via kommunens inloggning för att rapportera. "
		    "Öppna sidan via länken på intranätet.");
}

/* Dispatches a whole request; returns the Allow header for a 405, else NULL. */
static const char *
web_route(web_t *w, web_req_t *r, const char *method, const char *url, web_resp_t *resp)
{
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;

	if (strcmp(url, "/healthz") == 0) {
		if (!get)
			return "GET, HEAD";
		web_healthz(w, r, resp);
	} else if (strcmp(url, "/static/trygg.css") == 0) {
		if (!get)
			return "GET, HEAD";
		resp->status = 200;
		resp->content_type = "text/css; charset=utf-8";
		buf_puts(&resp->body, web_css);
	} else if (strncmp(url, "/ack/", 5) == 0 && url[5] && !strchr(url + 5, '/')) {
		if (get)
			web_ack_get(w, r, url + 5, resp);
		else if (post)
			web_ack_post(w, r, url + 5, resp);
		else
			return "GET, HEAD, POST";
	} else if (strcmp(url, "/api/v1/incidents") == 0) {
		if (!post)
			return "POST";
		if (!web_authorized(w, r))
			web_unauthorized(resp, true);
		else
			web_api_submit(w, r, resp);
	} else if (strcmp(url, "/") == 0 || strcmp(url, "/incidents") == 0 ||
	    (strncmp(url, "/incidents/", 11) == 0 && url[11] && !strchr(url + 11, '/'))) {
		bool form = strcmp(url, "/") == 0, list = strcmp(url, "/incidents") == 0;

		if (form && !get)
			return "GET, HEAD";
		if (list && !post)
			return "POST";
		if (!form && !list && !get)
			return "GET, HEAD";
		if (!web_authorized(w, r))
			web_unauthorized(resp, false);
		else if (form)
			web_form_get(w, r, resp);
		else if (list)
			web_form_post(w, r, resp);
		else
			web_incident_get(w, r, url + 11, resp);
	} else
		web_html_message(resp, 404, "Sidan finns inte",
		    "Adressen finns inte. Börja om från rapportformuläret.");
	return NULL;
}

enum MHD_Result
web_http_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload, size_t *upload_len,
    void **con_cls)
{
	web_t *w = cls;
	web_req_t *r = *con_cls;
	web_resp_t resp;
	const char *allow;
	enum MHD_Result rc;

	(void)version;
	if (r == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);

		r = xcalloc(1, sizeof(*r));
		*con_cls = r;
		web_identify(w, c, r);
		r->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE);
		/* a declared length over the limit is refused before its body is read */
		if (cl && strtoull(cl, NULL, 10) > WEB_BODY_MAX)
			r->too_large = true;
		else
			return MHD_YES;
	} else if (*upload_len > 0) {
		if (!r->too_large && r->len + *upload_len > WEB_BODY_MAX) {
			r->too_large = true;
			free(r->body);
			r->body = NULL;
			r->len = 0;
		}
		if (!r->too_large) {
			r->body = xrealloc(r->body, r->len + *upload_len + 1);
			memcpy(r->body + r->len, upload, *upload_len);
			r->len += *upload_len;
			r->body[r->len] = '\0';
		}
		*upload_len = 0;
		return MHD_YES;
	}

	memset(&resp, 0, sizeof(resp));
	resp.status = 500;
	if (r->too_large) {
		if (strncmp(url, "/api/", 5) == 0)
			web_api_error(&resp, 413, "too_large",
			    "the request body is over 64 KiB", NULL);
		else
			web_html_message(&resp, 413, "För mycket text",
			    "Formuläret innehöll mer än 64 KiB text. Korta texten och försök igen.");
		allow = NULL;
	} else
		allow = web_route(w, r, method, url, &resp);
	if (allow)
		web_html_message(&resp, 405, "Fel metod", "Den här adressen tar inte emot den sortens anrop.");
	if (w->verbose)
		log_info("%s %s %d", method, url, resp.status);
	rc = web_send(c, &resp, allow);
	buf_free(&resp.body);
	return rc;
}

void
web_http_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	web_req_t *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}
