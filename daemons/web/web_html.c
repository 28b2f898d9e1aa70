/*
 * web_html.c: HTML escaping and the chrome of every page. Every value that
 * comes from a request or a daemon goes through web_html_esc; the page
 * uses no script and one stylesheet from /static/trygg.css, so that the
 * Content-Security-Policy can forbid both inline script and inline style.
 *
 * The style is for a phone in the sun: 360 px and up, one column, 18 px
 * text, dark on white at high contrast, touch targets at least 48 px.
 */
#include "web.h"
#include "ts.h"

#include <stdio.h>
#include <string.h>

const char web_css[] =
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;font:18px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#111;background:#fff}\n"
    "header{background:#00416a;color:#fff;padding:.6em 1em}\n"
    "header a{color:#fff;text-decoration:none;font-weight:700}\n"
    "main{max-width:40em;margin:0 auto;padding:1em}\n"
    "h1{font-size:1.5em;margin:.3em 0 .6em}\n"
    "h2{font-size:1.2em;margin:1.2em 0 .4em}\n"
    "label,legend{display:block;font-weight:700;margin:1em 0 .3em}\n"
    "fieldset{border:0;padding:0;margin:0}\n"
    "input[type=text],input[type=datetime-local],select,textarea{display:block;width:100%;"
    "min-height:48px;font:inherit;padding:.5em;border:2px solid #555;border-radius:6px;"
    "background:#fff;color:#111}\n"
    "textarea{min-height:7em}\n"
    "input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #f5a623;outline-offset:1px}\n"
    ".check{display:flex;align-items:center;gap:.6em;min-height:48px;font-weight:400;margin:0}\n"
    ".check input{width:28px;height:28px;flex:none}\n"
    ".sev{display:flex;gap:.4em}\n"
    ".sev label{flex:1;margin:0;text-align:center;border:2px solid #555;border-radius:6px;"
    "min-height:48px;padding:.5em 0;font-weight:700}\n"
    ".sev input{display:block;margin:0 auto}\n"
    ".hint{font-size:.85em;color:#333;margin:.2em 0}\n"
    ".err{color:#a00000;font-weight:700;margin:.3em 0}\n"
    ".field-error input,.field-error select,.field-error textarea{border-color:#a00000}\n"
    ".banner{border:3px solid #a00000;background:#fff0f0;padding:.6em;border-radius:6px}\n"
    ".ok{border:3px solid #0a6b2d;background:#effaf2;padding:.6em;border-radius:6px}\n"
    "button{display:block;width:100%;min-height:56px;margin:1.5em 0;font:inherit;font-weight:700;"
    "color:#fff;background:#00416a;border:0;border-radius:6px}\n"
    "dl{margin:0}dt{font-weight:700;margin-top:.6em}dd{margin:0}\n"
    "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em;"
    "border-bottom:1px solid #ccc;vertical-align:top}\n";

void
web_html_escn(buf_t *b, const char *s, size_t len)
{
	size_t from = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + from, i - from);
		buf_puts(b, rep);
		from = i + 1;
	}
	buf_append(b, s + from, len - from);
}

void
web_html_esc(buf_t *b, const char *s)
{
	if (s)
		web_html_escn(b, s, strlen(s));
}

void
web_html_open(buf_t *b, const char *title)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"referrer\" content=\"no-referrer\">"
	    "<link rel=\"stylesheet\" href=\"/static/trygg.css\"><title>");
	web_html_esc(b, title);
	buf_puts(b, " – trygg</title></head>\n<body><header><a href=\"/\">trygg · Linköpings kommun</a>"
	    "</header>\n<main>\n<h1>");
	web_html_esc(b, title);
	buf_puts(b, "</h1>\n");
}

void
web_html_close(buf_t *b)
{
	buf_puts(b, "</main>\n</body></html>\n");
}

void
web_html_message(web_resp_t *resp, int status, const char *title, const char *text)
{
	buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	web_html_open(&resp->body, title);
	buf_puts(&resp->body, "<p>");
	web_html_esc(&resp->body, text);
	buf_puts(&resp->body, "</p>\n");
	if (status == 503)
		resp->retry_after = true;
	web_html_close(&resp->body);
}

void
web_local_now(const web_t *w, char out[32])
{
	tz_local_t l;

	tz_local(w->tz, ts_now(), &l);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d", l.year % 10000, l.month % 100,
	    l.day % 100, l.hour % 100, l.minute % 100);
}

void
web_html_time(buf_t *b, const web_t *w, const char *rfc3339)
{
	int64_t ms;
	tz_local_t l;
	char s[32];

	if (ts_parse_rfc3339(rfc3339, strlen(rfc3339), &ms) < 0) {
		web_html_esc(b, rfc3339);
		return;
	}
	tz_local(w->tz, ms, &l);
	snprintf(s, sizeof(s), "%04d-%02d-%02d %02d:%02d", l.year % 10000, l.month % 100,
	    l.day % 100, l.hour % 100, l.minute % 100);
	buf_puts(b, s);
}
