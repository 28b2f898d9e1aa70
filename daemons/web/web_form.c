/*
 * web_form.c: the report form. GET / serves it with a new one-time key;
 * POST /incidents turns it into intake's submit with that key as its id,
 * so a double tap, a resent form or a retry after "försök igen" makes one
 * incident. A refused form comes back with what was typed, the same key,
 * and the error next to its field (422); a daemon that does not answer
 * gives the same form with a banner (503).
 *
 * The form works without script: selects, radio buttons, check boxes and
 * a datetime-local input that defaults to now in the configured zone.
 */
#include "web.h"
#include "mem.h"
#include "msg.h"
#include "token.h"
#include "ts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The form's inputs, in the order they are shown; kind says how each is drawn. */
typedef enum { IN_SELECT_DISTRICT, IN_SELECT_CATEGORY, IN_SEVERITY, IN_TEXT,
	IN_TIME, IN_SELECT_LEVEL, IN_AREA, IN_CHECK } web_input_kind_t;

typedef struct {
	const char      *name;      /* the submit field's name */
	web_input_kind_t kind;
	bool             required;
	int              max;       /* characters; 0 for none */
	const char      *label;
	const char      *hint;      /* NULL for none */
	const char      *error;     /* shown next to the field when it is refused */
} web_input_t;

static const web_input_t web_inputs[] = {
	{"district", IN_SELECT_DISTRICT, true, 0, "Område", NULL,
	    "Välj ett område i listan."},
	{"category", IN_SELECT_CATEGORY, true, 0, "Kategori", NULL,
	    "Välj en kategori i listan."},
	{"severity", IN_SEVERITY, true, 0, "Allvarlighetsgrad",
	    "1 = lindrig, 5 = mycket allvarlig. 4 och 5 eskaleras till säkerhetschef eller TiB.",
	    "Välj en allvarlighetsgrad från 1 till 5."},
	{"summary", IN_TEXT, true, 200, "Vad hände? (kort)", "En rad, högst 200 tecken.",
	    "Skriv en kort sammanfattning på en rad, högst 200 tecken."},
	{"occurred_at", IN_TIME, false, 0, "När hände det?", NULL,
	    "Ange en tidpunkt som inte ligger i framtiden."},
	{"location", IN_TEXT, false, 200, "Plats", "Adress eller plats, högst 200 tecken.",
	    "Platsen får vara högst 200 tecken på en rad."},
	{"level", IN_SELECT_LEVEL, false, 0, "Förebyggande nivå", NULL,
	    "Välj en nivå i listan."},
	{"details", IN_AREA, false, 8000, "Beskrivning",
	    "Visas bara för behöriga. Skriv inga personnummer – de maskeras.",
	    "Beskrivningen får vara högst 8000 tecken."},
	{"partners", IN_AREA, false, 100, "Samverkanspartner",
	    "En per rad, t.ex. skola, polis, bostadsbolag.",
	    "Högst 32 partner, var och en högst 100 tecken."},
	{"needs_external", IN_CHECK, false, 0,
	    "Kräver resurser utöver teamets (eskalera)", NULL, NULL},
	{"needs_reinforcement", IN_CHECK, false, 0,
	    "Behöver förstärkning från andra områdesteam", NULL, NULL},
	{"involves_minors", IN_CHECK, false, 0, "Minderåriga inblandade", NULL, NULL},
	{"police_report", IN_CHECK, false, 0, "Polisanmälan gjord", NULL, NULL},
	{"orosanmalan", IN_CHECK, false, 0, "Orosanmälan gjord", NULL, NULL},
	{"reporter", IN_TEXT, true, 100, "Rapporterad av", "Ditt namn eller din roll.",
	    "Skriv vem som rapporterar, högst 100 tecken på en rad."},
};
#define WEB_NINPUTS (sizeof(web_inputs) / sizeof(web_inputs[0]))

static const char *const web_levels[][2] = {
	{"omrade", "Område (hela området)"}, {"grupp", "Grupp (målgrupp)"},
	{"individ", "Individ"},
};

/* ---- application/x-www-form-urlencoded */

static int
web_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..len) into a new string; CRLF and lone CR become LF. NULL when malformed. */
static char *
web_urldecode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], hi, lo;

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= len || (hi = web_hex(s[i + 1])) < 0 ||
			    (lo = web_hex(s[i + 2])) < 0) {
				free(out);
				return NULL;
			}
			c = hi * 16 + lo;
			i += 2;
		}
		/* a form sends CRLF; intake takes LF only */
		if (c == '\n' && n > 0 && out[n - 1] == '\r')
			n--;
		out[n++] = (char)c;
	}
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\r')
			out[i] = '\n';
	out[n] = '\0';
	return out;
}

int
web_fields_parse(const char *s, size_t len, web_fields_t *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		size_t end = i, eq;
		char *name, *value;

		while (end < len && s[end] != '&')
			end++;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (end > i) {
			name = web_urldecode(s + i, eq - i);
			value = eq < end ? web_urldecode(s + eq + 1, end - eq - 1) : xstrdup("");
			if (name == NULL || value == NULL) {
				free(name);
				free(value);
				web_fields_free(out);
				return -1;
			}
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n].name = name;
			out->v[out->n].value = value;
			out->n++;
		}
		i = end + 1;
	}
	return 0;
}

void
web_fields_free(web_fields_t *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const char *
web_fields_get(const web_fields_t *f, const char *name)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return f->v[i].value;
	return NULL;
}

/* ---- the page */

typedef struct {
	const web_fields_t *typed;      /* what was sent, or NULL for a new form */
	const char *key;                /* the one-time key */
	const char *user;               /* the proxy's identity, or NULL */
	const char *err_field;          /* the refused field's name, or NULL */
	const char *err_text;           /* its message */
	const char *banner;             /* a message above the form, or NULL */
} web_form_t;

static void
web_form_value(const web_t *w, const web_form_t *f, const web_input_t *in, buf_t *b)
{
	const char *v = f->typed ? web_fields_get(f->typed, in->name) : NULL;

	if (v == NULL && f->typed == NULL) {
		if (in->kind == IN_TIME) {
			char now[32];

			web_local_now(w, now);
			buf_puts(b, now);
			return;
		}
		if (strcmp(in->name, "reporter") == 0)
			v = f->user;
	}
	web_html_esc(b, v);
}

static bool
web_form_is(const web_form_t *f, const char *name, const char *value)
{
	const char *v = f->typed ? web_fields_get(f->typed, name) : NULL;

	return v && strcmp(v, value) == 0;
}

static void
web_form_option(buf_t *b, const web_form_t *f, const char *name, const char *value,
    const char *label)
{
	buf_puts(b, "<option value=\"");
	web_html_esc(b, value);
	buf_puts(b, web_form_is(f, name, value) ? "\" selected>" : "\">");
	web_html_esc(b, label);
	buf_puts(b, "</option>");
}

static void
web_form_input(const web_t *w, const web_form_t *f, const web_input_t *in, buf_t *b)
{
	const cfg_t *cfg = w->cfg;
	bool bad = f->err_field && strcmp(f->err_field, in->name) == 0;
	char id[40];

	snprintf(id, sizeof(id), "f-%s", in->name);
	buf_printf(b, "<div class=\"field%s\">", bad ? " field-error" : "");
	if (in->kind == IN_CHECK) {
		buf_printf(b, "<label class=\"check\"><input type=\"checkbox\" name=\"%s\" value=\"1\"%s> ",
		    in->name, web_form_is(f, in->name, "1") ? " checked" : "");
		web_html_esc(b, in->label);
		buf_puts(b, "</label></div>\n");
		return;
	}
	if (in->kind == IN_SEVERITY)
		buf_printf(b, "<fieldset><legend>%s</legend>", in->label);
	else
		buf_printf(b, "<label for=\"%s\">%s</label>", id, in->label);
	if (in->hint)
		buf_printf(b, "<p class=\"hint\" id=\"%s-hint\">%s</p>", id, in->hint);
	if (bad) {
		buf_printf(b, "<p class=\"err\" id=\"%s-err\">", id);
		web_html_esc(b, f->err_text);
		buf_puts(b, "</p>");
	}
	switch (in->kind) {
	case IN_SELECT_DISTRICT:
		buf_printf(b, "<select id=\"%s\" name=\"%s\" required><option value=\"\">Välj område</option>",
		    id, in->name);
		for (size_t t = 0; t < cfg->nteams; t++) {
			buf_puts(b, "<optgroup label=\"");
			web_html_esc(b, cfg->teams[t].name);
			buf_puts(b, "\">");
			for (size_t d = 0; d < cfg->teams[t].ndistricts; d++)
				web_form_option(b, f, in->name, cfg->teams[t].districts[d],
				    cfg->teams[t].districts[d]);
			buf_puts(b, "</optgroup>");
		}
		buf_puts(b, "</select>");
		break;
	case IN_SELECT_CATEGORY:
		buf_printf(b, "<select id=\"%s\" name=\"%s\" required><option value=\"\">Välj kategori</option>",
		    id, in->name);
		for (size_t c = 0; c < cfg->ncategories; c++)
			web_form_option(b, f, in->name, cfg->categories[c].id, cfg->categories[c].name);
		buf_puts(b, "</select>");
		break;
	case IN_SELECT_LEVEL:
		buf_printf(b, "<select id=\"%s\" name=\"%s\"><option value=\"\">Ej angiven</option>",
		    id, in->name);
		for (size_t l = 0; l < sizeof(web_levels) / sizeof(web_levels[0]); l++)
			web_form_option(b, f, in->name, web_levels[l][0], web_levels[l][1]);
		buf_puts(b, "</select>");
		break;
	case IN_SEVERITY:
		buf_puts(b, "<div class=\"sev\">");
		for (int s = 1; s <= 5; s++) {
			char v[2] = {(char)('0' + s), '\0'};

			buf_printf(b, "<label>%d<input type=\"radio\" name=\"%s\" value=\"%d\"%s%s></label>",
			    s, in->name, s, web_form_is(f, in->name, v) ? " checked" : "",
			    s == 1 ? " required" : "");
		}
		buf_puts(b, "</div></fieldset>");
		break;
	case IN_TEXT:
		buf_printf(b, "<input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"%d\"%s value=\"",
		    id, in->name, in->max, in->required ? " required" : "");
		web_form_value(w, f, in, b);
		buf_puts(b, "\">");
		break;
	case IN_TIME:
		buf_printf(b, "<input type=\"datetime-local\" id=\"%s\" name=\"%s\" value=\"", id, in->name);
		web_form_value(w, f, in, b);
		buf_puts(b, "\">");
		break;
	case IN_AREA:
		buf_printf(b, "<textarea id=\"%s\" name=\"%s\"%s>", id, in->name,
		    strcmp(in->name, "details") == 0 ? " maxlength=\"8000\"" : "");
		web_form_value(w, f, in, b);
		buf_puts(b, "</textarea>");
		break;
	case IN_CHECK:
		break;
	}
	buf_puts(b, "</div>\n");
}

static void
web_form_render(const web_t *w, const web_form_t *f, int status, web_resp_t *resp)
{
	buf_t *b = &resp->body;
	char csrf[WEB_CSRF_LEN + 1];

	buf_reset(b);
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	web_html_open(b, "Rapportera händelse");
	if (f->banner) {
		buf_puts(b, "<p class=\"banner\" role=\"alert\">");
		web_html_esc(b, f->banner);
		buf_puts(b, "</p>\n");
	} else if (f->err_field) {
		buf_puts(b, "<p class=\"banner\" role=\"alert\">Rapporten skickades inte. "
		    "Rätta det som är markerat nedan.</p>\n");
	}
	web_csrf_make(w, "report", f->key, f->user, csrf);
	buf_puts(b, "<form method=\"post\" action=\"/incidents\" accept-charset=\"utf-8\">\n");
	buf_puts(b, "<input type=\"hidden\" name=\"id\" value=\"");
	web_html_esc(b, f->key);
	buf_printf(b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", csrf);
	for (size_t i = 0; i < WEB_NINPUTS; i++)
		web_form_input(w, f, &web_inputs[i], b);
	buf_puts(b, "<button type=\"submit\">Skicka rapport</button>\n</form>\n");
	web_html_close(b);
}

static void
web_new_key(char out[sizeof(WEB_KEY_PREFIX) + TOKEN_LEN])
{
	char t[TOKEN_LEN + 1];

	if (token_new(t) < 0)
		abort();        /* libsodium started in main(); it cannot fail later */
	snprintf(out, sizeof(WEB_KEY_PREFIX) + TOKEN_LEN, "%s%s", WEB_KEY_PREFIX, t);
}

static bool
web_key_valid(const char *k)
{
	size_t p = sizeof(WEB_KEY_PREFIX) - 1;

	return k && strncmp(k, WEB_KEY_PREFIX, p) == 0 && token_valid(k + p, strlen(k + p));
}

void
web_form_get(web_t *w, const web_req_t *r, web_resp_t *resp)
{
	char key[sizeof(WEB_KEY_PREFIX) + TOKEN_LEN];
	web_form_t f = {0};

	web_new_key(key);
	f.key = key;
	f.user = web_req_user(r);
	web_form_render(w, &f, 200, resp);
}

/* ---- from the form to a submit */

static const web_input_t *
web_input(const char *name)
{
	for (size_t i = 0; i < WEB_NINPUTS; i++)
		if (strcmp(web_inputs[i].name, name) == 0)
			return &web_inputs[i];
	return NULL;
}

static bool
web_blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\n")] == '\0';
}

/*
 * "YYYY-MM-DDTHH:MM" or "...:SS" in the configured zone, as a browser's
 * datetime-local sends it, to an RFC 3339 instant in UTC. 0, or -1.
 */
static int
web_local_to_utc(const web_t *w, const char *s, char out[TS_RFC3339_MAX])
{
	int32_t day;
	int y, mo, d, h, mi, sec = 0, n = 0;
	int64_t ms;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
		return -1;
	if (s[16] == ':') {
		int m2 = 0;

		if (sscanf(s + 16, ":%2d%n", &sec, &m2) != 1 || m2 != 3 || sec > 59)
			return -1;
		n += 3;
	}
	if (s[n] != '\0' || y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 ||
	    d > ts_days_in_month(y, mo) || h > 23 || mi > 59 || h < 0 || mi < 0 || sec < 0)
		return -1;
	day = ts_days_from_civil(y, mo, d);
	ms = tz_utc(w->tz, day, h * 60 + mi) + (int64_t)sec * 1000;
	ts_format_rfc3339(ms, out);
	return 0;
}

/*
 * Builds intake's submit from the form. Returns NULL with *bad set to the
 * field that is wrong before intake need be asked.
 */
static pack_t *
web_form_submit(const web_t *w, const web_fields_t *f, const char *key, const char **bad)
{
	pack_t *p = web_rpc_req("submit");
	const char *v;
	char when[TS_RFC3339_MAX];

	*bad = NULL;
	for (size_t i = 0; i < WEB_NINPUTS; i++)
		if (web_inputs[i].required && web_blank(web_fields_get(f, web_inputs[i].name))) {
			*bad = web_inputs[i].name;
			pack_destroy(&p);
			return NULL;
		}
	v = web_fields_get(f, "severity");
	if (strlen(v) != 1 || v[0] < '1' || v[0] > '5') {
		*bad = "severity";
		pack_destroy(&p);
		return NULL;
	}
	v = web_fields_get(f, "occurred_at");
	if (!web_blank(v) && web_local_to_utc(w, v, when) < 0) {
		*bad = "occurred_at";
		pack_destroy(&p);
		return NULL;
	}
	pack_kv_str(p, "id", key);
	pack_kv_str(p, "district", web_fields_get(f, "district"));
	pack_kv_str(p, "category", web_fields_get(f, "category"));
	pack_kv_int(p, "severity", web_fields_get(f, "severity")[0] - '0');
	pack_kv_str(p, "summary", web_fields_get(f, "summary"));
	pack_kv_str(p, "reporter", web_fields_get(f, "reporter"));
	if (!web_blank(v = web_fields_get(f, "details")))
		pack_kv_str(p, "details", v);
	if (!web_blank(v = web_fields_get(f, "location")))
		pack_kv_str(p, "location", v);
	if (!web_blank(v = web_fields_get(f, "occurred_at")))
		pack_kv_str(p, "occurred_at", when);
	if (!web_blank(v = web_fields_get(f, "level")))
		pack_kv_str(p, "level", v);
	for (size_t i = 0; i < WEB_NINPUTS; i++)
		if (web_inputs[i].kind == IN_CHECK && web_fields_get(f, web_inputs[i].name))
			pack_kv_bool(p, web_inputs[i].name, true);
	if (!web_blank(v = web_fields_get(f, "partners"))) {
		pack_key(p, "partners");
		pack_array_open(p);
		for (const char *s = v; *s; ) {
			size_t n = strcspn(s, "\n,"), a = 0, e = n;

			while (a < n && (s[a] == ' ' || s[a] == '\t'))
				a++;
			while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			if (e > a)
				pack_strn(p, s + a, e - a);
			s += n;
			if (*s)
				s++;
		}
		pack_array_close(p);
	}
	pack_map_close(p);
	return p;
}

void
web_form_post(web_t *w, const web_req_t *r, web_resp_t *resp)
{
	web_fields_t fields;
	web_form_t f = {0};
	char key[sizeof(WEB_KEY_PREFIX) + TOKEN_LEN], number[40];
	const char *bad, *sent_key;
	size_t len;
	const char *body = web_req_body(r, &len);
	web_reply_t reply;
	pack_t *req;

	if (web_fields_parse(body, len, &fields) < 0) {
		web_html_message(resp, 400, "Felaktigt formulär",
		    "Formuläret kunde inte läsas. Börja om från rapportformuläret.");
		return;
	}
	f.typed = &fields;
	f.user = web_req_user(r);
	sent_key = web_fields_get(&fields, "id");
	if (web_key_valid(sent_key))
		snprintf(key, sizeof(key), "%s", sent_key);
	else
		web_new_key(key);
	f.key = key;
	if (!web_key_valid(sent_key) ||
	    !web_csrf_check(w, "report", key, f.user, web_fields_get(&fields, "csrf"))) {
		f.banner = "Formuläret hade gått ut eller kom inte härifrån. "
		    "Kontrollera uppgifterna och skicka igen.";
		web_form_render(w, &f, 403, resp);
		web_fields_free(&fields);
		return;
	}
	if ((req = web_form_submit(w, &fields, key, &bad)) == NULL) {
		f.err_field = bad;
		f.err_text = web_input(bad)->error;
		web_form_render(w, &f, 422, resp);
		web_fields_free(&fields);
		return;
	}
	if (web_rpc_call(w, WEB_INTAKE, req, &reply) < 0) {
		f.banner = "Rapporten kunde inte tas emot just nu: tjänsten svarar inte. "
		    "Dina uppgifter finns kvar – försök igen om en stund.";
		web_form_render(w, &f, 503, resp);
		resp->retry_after = true;
	} else if (reply.ok) {
		web_str(msg_map_get(reply.root, "incident"), "number", number, sizeof(number));
		resp->status = 303;
		snprintf(resp->location, sizeof(resp->location), "/incidents/%s", number);
		web_html_message(resp, 303, "Rapporten är mottagen", number);
	} else if (web_input(reply.field) && web_input(reply.field)->error) {
		f.err_field = web_input(reply.field)->name;
		f.err_text = web_input(reply.field)->error;
		web_form_render(w, &f, 422, resp);
	} else if (strcmp(reply.code, "conflict") == 0) {
		web_new_key(key);
		f.banner = "En annan rapport har redan skickats från det här formuläret. "
		    "Kontrollera uppgifterna och skicka igen för att göra en ny rapport.";
		web_form_render(w, &f, 409, resp);
	} else if (strcmp(reply.code, "unavailable") == 0) {
		f.banner = "Rapporten kunde inte sparas just nu. Dina uppgifter finns kvar – "
		    "försök igen om en stund.";
		web_form_render(w, &f, 503, resp);
		resp->retry_after = true;
	} else {
		f.banner = "Rapporten togs inte emot. Kontrollera uppgifterna och försök igen.";
		web_form_render(w, &f, 400, resp);
	}
	web_reply_free(&reply);
	pack_destroy(&req);
	web_fields_free(&fields);
}
