/*
 * web_pages.c: the pages that show what the daemons hold.
 *
 * GET /incidents/NUMBER: intake's get, shown in the short view (never
 * details: the page does not know whether the viewer is the reporter),
 * what happens next, and the escalation's progress from trygg-escalation
 * (who was notified, acknowledged or not).
 *
 * The ack link, as a table (token states are trygg-escalation's):
 *
 *	request    token state / reply       answer
 *	GET        malformed, not_found      404 "finns inte"
 *	GET        expired, resolved         410 "gått ut" / "avslutad"
 *	GET        used, or escalation acked 200 "redan kvitterad", no button
 *	GET        valid                     200 the escalation and one button
 *	POST       bad CSRF token            403, a link back to the GET page
 *	POST       ack: changed              200 "kvitterad"
 *	POST       ack: not changed          200 "redan kvitterad"
 *	POST       not_found / conflict      404 / 410
 *	any        daemon silent             503 "försök igen"
 *
 * A GET never acknowledges: link previewers and mail scanners open links.
 */
#include "web.h"
#include "msg.h"
#include "token.h"

#include <stdio.h>
#include <string.h>

static const char *
web_contact_name(const web_t *w, const char *id)
{
	const cfg_contact_t *c = cfg_contact(w->cfg, id, strlen(id));

	return c ? c->name : id;
}

static const char *
web_category_name(const web_t *w, const char *id)
{
	const cfg_category_t *c = cfg_category(w->cfg, id, strlen(id));

	return c ? c->name : id;
}

static void
web_dl(buf_t *b, const char *term, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	buf_puts(b, "<dt>");
	web_html_esc(b, term);
	buf_puts(b, "</dt><dd>");
	web_html_esc(b, value);
	buf_puts(b, "</dd>\n");
}

static void
web_dl_time(buf_t *b, const web_t *w, const char *term, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	buf_puts(b, "<dt>");
	web_html_esc(b, term);
	buf_puts(b, "</dt><dd>");
	web_html_time(b, w, value);
	buf_puts(b, "</dd>\n");
}

static const char *
web_status_text(const char *s)
{
	if (strcmp(s, "open") == 0)
		return "väntar på kvittering";
	if (strcmp(s, "acked") == 0)
		return "kvitterad";
	if (strcmp(s, "unanswered") == 0)
		return "obesvarad – fortsätter att avisera";
	if (strcmp(s, "resolved") == 0)
		return "avslutad";
	return s;
}

/* The escalation's short view as a definition list. */
static void
web_escalation_dl(buf_t *b, const web_t *w, const msgpack_object *e)
{
	char s[256], sev[8];
	int64_t severity = web_int(e, "severity", 0);

	web_dl(b, "Händelse", web_str(e, "incident", s, sizeof(s)));
	web_dl(b, "Typ", strcmp(web_str(e, "kind", s, sizeof(s)), "external") == 0 ?
	    "extern eskalering" : "förstärkning från andra team");
	web_dl(b, "Område", web_str(e, "district", s, sizeof(s)));
	web_dl(b, "Kategori", web_category_name(w, web_str(e, "category", s, sizeof(s))));
	snprintf(sev, sizeof(sev), "%d av 5", (int)(severity % 10));
	web_dl(b, "Allvarlighetsgrad", severity > 0 ? sev : NULL);
	web_dl(b, "Sammanfattning", web_str(e, "summary", s, sizeof(s)));
	web_dl_time(b, w, "Skapad", web_str(e, "created_at", s, sizeof(s)));
	web_dl(b, "Status", web_status_text(web_str(e, "status", s, sizeof(s))));
	if (web_str(e, "acked_by", s, sizeof(s))[0])
		web_dl(b, "Kvitterad av", web_contact_name(w, s));
	web_dl_time(b, w, "Kvitterad", web_str(e, "acked_at", s, sizeof(s)));
}

/* ---- GET /incidents/NUMBER */

static bool
web_number_valid(const char *n)
{
	size_t len = strlen(n);

	return len > 0 && len <= 32 && strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* Who was notified of escalation id, as names; "" when nobody yet. */
static void
web_notified(web_t *w, int64_t id, buf_t *out)
{
	pack_t *req = web_rpc_req("get");
	web_reply_t rep;
	const msgpack_object *e, *ns;
	char seen[16][64];
	int nseen = 0;

	pack_kv_int(req, "escalation", id);
	pack_map_close(req);
	if (web_rpc_call(w, WEB_ESCALATION, req, &rep) == 0 && rep.ok &&
	    (e = msg_map_get(rep.root, "escalation")) != NULL &&
	    (ns = msg_map_get(e, "notifications")) != NULL && ns->type == MSGPACK_OBJECT_ARRAY) {
		for (uint32_t i = 0; i < ns->via.array.size && nseen < 16; i++) {
			char c[64];
			bool dup = false;

			web_str(&ns->via.array.ptr[i], "contact", c, sizeof(c));
			for (int j = 0; j < nseen; j++)
				dup = dup || strcmp(seen[j], c) == 0;
			if (dup || c[0] == '\0')
				continue;
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", c);
			if (out->len)
				buf_puts(out, ", ");
			buf_puts(out, web_contact_name(w, c));
		}
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

/* "Just nu är det NAME som aviseras." from escalation's oncall; nothing when it is silent */
static void
web_oncall_now(web_t *w, buf_t *b)
{
	pack_t *req = web_rpc_req("oncall");
	web_reply_t rep;
	char name[128], target[32];

	pack_map_close(req);
	if (web_rpc_call(w, WEB_ESCALATION, req, &rep) == 0 && rep.ok) {
		web_str(msg_map_get(rep.root, "contact"), "name", name, sizeof(name));
		web_str(rep.root, "target", target, sizeof(target));
		if (name[0]) {
			buf_puts(b, " Just nu har ");
			web_html_esc(b, name);
			buf_puts(b, strcmp(target, "tib") == 0 ? " (TiB i beredskap)" :
			    " (säkerhetschef, kontorstid)");
			buf_puts(b, " ansvaret.");
		}
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

static void
web_incident_escalations(web_t *w, const char *number, const char *mode, buf_t *b)
{
	pack_t *req = web_rpc_req("list");
	web_reply_t rep;
	const msgpack_object *list;

	buf_puts(b, "<h2>Eskalering</h2>\n");
	pack_kv_str(req, "incident", number);
	pack_map_close(req);
	if (web_rpc_call(w, WEB_ESCALATION, req, &rep) < 0 || !rep.ok) {
		buf_puts(b, "<p class=\"banner\">Eskaleringens läge kunde inte hämtas just nu. "
		    "Ladda om sidan om en stund.</p>\n");
	} else if ((list = msg_map_get(rep.root, "escalations")) == NULL ||
	    list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0) {
		if (strcmp(mode, "none") == 0)
			buf_puts(b, "<p>Ingen eskalering behövs.</p>\n");
		else
			buf_puts(b, "<p>Eskaleringen registreras. Ladda om sidan om en stund "
			    "för att se vem som har aviserats.</p>\n");
	} else {
		for (uint32_t i = 0; i < list->via.array.size && i < 5; i++) {
			const msgpack_object *e = &list->via.array.ptr[i];
			buf_t who = BUF_INIT;
			char s[128];

			web_notified(w, web_int(e, "id", 0), &who);
			buf_puts(b, "<dl>\n");
			web_dl(b, "Status", web_status_text(web_str(e, "status", s, sizeof(s))));
			web_dl(b, "Aviserade", who.len ? buf_str(&who) : "ingen ännu");
			if (web_str(e, "acked_by", s, sizeof(s))[0])
				web_dl(b, "Kvitterad av", web_contact_name(w, s));
			web_dl_time(b, w, "Kvitterad", web_str(e, "acked_at", s, sizeof(s)));
			buf_puts(b, "</dl>\n");
			buf_free(&who);
		}
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

void
web_incident_get(web_t *w, const web_req_t *r, const char *number, web_resp_t *resp)
{
	pack_t *req;
	web_reply_t rep;
	const msgpack_object *inc;
	buf_t *b = &resp->body;
	char s[512], num[40], team[128], mode[20], sev[8];

	(void)r;
	if (!web_number_valid(number)) {
		web_html_message(resp, 404, "Händelsen finns inte", "Det finns ingen händelse med det numret.");
		return;
	}
	req = web_rpc_req("get");
	pack_kv_str(req, "number", number);
	pack_map_close(req);
	if (web_rpc_call(w, WEB_INTAKE, req, &rep) < 0) {
		web_html_message(resp, 503, "Försök igen",
		    "Tjänsten svarar inte just nu. Försök igen om en stund.");
	} else if (!rep.ok || (inc = msg_map_get(rep.root, "incident")) == NULL) {
		if (strcmp(rep.code, "not_found") == 0 || strcmp(rep.code, "invalid_field") == 0)
			web_html_message(resp, 404, "Händelsen finns inte",
			    "Det finns ingen händelse med det numret.");
		else
			web_html_message(resp, 503, "Försök igen",
			    "Händelsen kunde inte hämtas just nu. Försök igen om en stund.");
	} else {
		web_str(inc, "number", num, sizeof(num));
		web_str(inc, "team_name", team, sizeof(team));
		if (team[0] == '\0')
			web_str(inc, "team", team, sizeof(team));
		web_str(inc, "escalation", mode, sizeof(mode));
		resp->status = 200;
		resp->content_type = "text/html; charset=utf-8";
		snprintf(s, sizeof(s), "Händelse %s", num);
		web_html_open(b, s);
		buf_puts(b, "<p class=\"ok\">Rapporten är mottagen och sparad.</p>\n<dl>\n");
		web_dl(b, "Nummer", num);
		web_dl(b, "Område", web_str(inc, "district", s, sizeof(s)));
		web_dl(b, "Team", team);
		web_dl(b, "Kategori", web_category_name(w, web_str(inc, "category", s, sizeof(s))));
		snprintf(sev, sizeof(sev), "%d av 5", (int)(web_int(inc, "severity", 0) % 10));
		web_dl(b, "Allvarlighetsgrad", sev);
		web_dl(b, "Sammanfattning", web_str(inc, "summary", s, sizeof(s)));
		web_dl(b, "Plats", web_str(inc, "location", s, sizeof(s)));
		web_dl_time(b, w, "Inträffade", web_str(inc, "occurred_at", s, sizeof(s)));
		web_dl_time(b, w, "Mottagen", web_str(inc, "received_at", s, sizeof(s)));
		web_dl(b, "Status", strcmp(web_str(inc, "status", s, sizeof(s)), "closed") == 0 ?
		    "stängd" : "öppen");
		buf_puts(b, "</dl>\n<h2>Vad händer nu?</h2>\n<p>");
		if (strcmp(mode, "external") == 0) {
			buf_puts(b, "Händelsen är utanför teamets uppdrag och eskaleras till "
			    "säkerhetschefen under kontorstid och till tjänsteman i beredskap (TiB) "
			    "övrig tid. De aviseras tills någon kvitterar.");
			web_oncall_now(w, b);
		} else if (strcmp(mode, "reinforcement") == 0)
			buf_puts(b, "Förstärkning begärs från de andra områdesteamens samordnare.");
		else {
			buf_puts(b, "Händelsen hanteras av ");
			web_html_esc(b, team);
			buf_puts(b, " inom teamets uppdrag.");
		}
		buf_puts(b, "</p>\n");
		if (strcmp(mode, "none") != 0)
			web_incident_escalations(w, num, mode, b);
		buf_puts(b, "<p><a href=\"/\">Rapportera en ny händelse</a></p>\n");
		web_html_close(b);
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

/* ---- the ack link */

static void
web_ack_done(web_t *w, web_resp_t *resp, const char *title, const char *text,
    const msgpack_object *e)
{
	buf_t *b = &resp->body;

	buf_reset(b);
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	web_html_open(b, title);
	buf_puts(b, "<p class=\"ok\">");
	web_html_esc(b, text);
	buf_puts(b, "</p>\n<dl>\n");
	if (e)
		web_escalation_dl(b, w, e);
	buf_puts(b, "</dl>\n");
	web_html_close(b);
}

/* Answers an error of the token or ack operation; true when it did. */
static bool
web_ack_error(web_resp_t *resp, int rc, const web_reply_t *rep)
{
	if (rc < 0) {
		web_html_message(resp, 503, "Försök igen",
		    "Tjänsten svarar inte just nu. Försök igen om en stund – länken fungerar fortfarande.");
		return true;
	}
	if (rep->ok)
		return false;
	if (strcmp(rep->code, "not_found") == 0 || strcmp(rep->code, "invalid_field") == 0)
		web_html_message(resp, 404, "Länken finns inte",
		    "Länken är okänd. Kontrollera att hela länken kom med, eller kvittera med kommandot trygg.");
	else if (strcmp(rep->code, "conflict") == 0)
		web_html_message(resp, 410, "Länken har gått ut",
		    "Eskaleringen är redan avslutad eller länken är äldre än 24 timmar.");
	else
		web_html_message(resp, 503, "Försök igen",
		    "Kvitteringen kunde inte göras just nu. Försök igen om en stund.");
	return true;
}

void
web_ack_get(web_t *w, const web_req_t *r, const char *token, web_resp_t *resp)
{
	pack_t *req;
	web_reply_t rep;
	const msgpack_object *e;
	char state[16], name[128], csrf[WEB_CSRF_LEN + 1], status[16];
	buf_t *b = &resp->body;
	int rc;

	if (!token_valid(token, strlen(token))) {
		web_html_message(resp, 404, "Länken finns inte",
		    "Länken är okänd. Kontrollera att hela länken kom med.");
		return;
	}
	req = web_rpc_req("token");
	pack_kv_str(req, "token", token);
	pack_map_close(req);
	rc = web_rpc_call(w, WEB_ESCALATION, req, &rep);
	if (!web_ack_error(resp, rc, &rep)) {
		e = msg_map_get(rep.root, "escalation");
		web_str(rep.root, "state", state, sizeof(state));
		web_str(msg_map_get(rep.root, "contact"), "name", name, sizeof(name));
		if (name[0] == '\0')
			web_str(msg_map_get(rep.root, "contact"), "id", name, sizeof(name));
		web_str(e, "status", status, sizeof(status));
		if (strcmp(state, "expired") == 0)
			web_html_message(resp, 410, "Länken har gått ut",
			    "Länken är äldre än 24 timmar. Kvittera med kommandot trygg.");
		else if (strcmp(state, "resolved") == 0)
			web_html_message(resp, 410, "Eskaleringen är avslutad",
			    "Eskaleringen är redan avslutad; inget behöver kvitteras.");
		else if (strcmp(state, "used") == 0 || strcmp(status, "acked") == 0)
			web_ack_done(w, resp, "Redan kvitterad", "Eskaleringen är redan kvitterad.", e);
		else {
			resp->status = 200;
			resp->content_type = "text/html; charset=utf-8";
			web_html_open(b, "Kvittera eskalering");
			buf_puts(b, "<dl>\n");
			web_escalation_dl(b, w, e);
			buf_puts(b, "</dl>\n<p>Du kvitterar som <strong>");
			web_html_esc(b, name);
			buf_puts(b, "</strong>. Då slutar aviseringarna och det syns att du har tagit emot ärendet.</p>\n");
			web_csrf_make(w, "ack", token, web_req_user(r), csrf);
			buf_puts(b, "<form method=\"post\" action=\"/ack/");
			web_html_esc(b, token);
			buf_printf(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<button type=\"submit\">Kvittera</button></form>\n", csrf);
			web_html_close(b);
		}
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

void
web_ack_post(web_t *w, const web_req_t *r, const char *token, web_resp_t *resp)
{
	web_fields_t fields;
	pack_t *req;
	web_reply_t rep;
	size_t len;
	const char *body = web_req_body(r, &len);
	int rc;

	if (!token_valid(token, strlen(token))) {
		web_html_message(resp, 404, "Länken finns inte",
		    "Länken är okänd. Kontrollera att hela länken kom med.");
		return;
	}
	if (web_fields_parse(body, len, &fields) < 0)
		memset(&fields, 0, sizeof(fields));
	if (!web_csrf_check(w, "ack", token, web_req_user(r), web_fields_get(&fields, "csrf"))) {
		buf_t *b = &resp->body;

		web_fields_free(&fields);
		buf_reset(b);
		resp->status = 403;
		resp->content_type = "text/html; charset=utf-8";
		web_html_open(b, "Inte kvitterad");
		buf_puts(b, "<p class=\"banner\">Sidan hade gått ut. Öppna länken igen och tryck på "
		    "knappen.</p>\n<p><a href=\"/ack/");
		web_html_esc(b, token);
		buf_puts(b, "\">Öppna kvitteringen igen</a></p>\n");
		web_html_close(b);
		return;
	}
	web_fields_free(&fields);
	req = web_rpc_req("ack");
	pack_kv_str(req, "token", token);
	pack_map_close(req);
	rc = web_rpc_call(w, WEB_ESCALATION, req, &rep);
	if (!web_ack_error(resp, rc, &rep)) {
		const msgpack_object *e = msg_map_get(rep.root, "escalation");

		if (web_bool(rep.root, "changed"))
			web_ack_done(w, resp, "Kvitterad", "Tack – eskaleringen är kvitterad. "
			    "Aviseringarna har upphört.", e);
		else
			web_ack_done(w, resp, "Redan kvitterad",
			    "Eskaleringen är redan kvitterad; inget mer behöver göras.", e);
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}
