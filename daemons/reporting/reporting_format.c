/*
 * reporting_format.c: a report's sections as text.
 *
 *   json   one object with stable keys: the summary's counts at the top
 *          level ("incidents": 12), each breakdown as an object of counts
 *          ("by_team": {"omradesteam-1": 12, ...}), grouped breakdowns
 *          nested ("by_team_month": {"omradesteam-1": {"2026-01": 3}}),
 *          measures as {"median": S, "p90": S, "max": S} (null when there
 *          is nothing to measure), and "previous" with the same keys for
 *          the period compared with. A hidden count is the string "<5",
 *          a secondarily hidden one "..".
 *   csv    one table: section,key,label,value[,previous], a header row,
 *          RFC 4180 quoting, a "total" row under each breakdown that
 *          splits the total.
 *   md     a heading per breakdown and a table under it (Swedish, for people).
 *   html   one self-contained page (no scripts, no fetched resources): per
 *          breakdown a table beside its chart, drawn as inline SVG in black
 *          and greys, the previous period as outlined bars, so the printout
 *          reads in black and white.
 *
 * Everything printed comes from the sections (reporting_model.c), so the
 * formats agree cell for cell, hidden cells included. Labels and keys
 * that came with the data (partners) are escaped for each format.
 */
#include "reporting.h"
#include "json.h"
#include "ts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *const reporting_formats[] = {"json", "csv", "md", "html", NULL};

#define HTML_BAR_W    260       /* longest bar, px */
#define HTML_LABEL_W  170       /* room for a bar's label */
#define HTML_ROW_H    18
#define HTML_TREND_H  140       /* height of a trend chart's bars */

static const char *
reporting_kind_title(const char *kind)
{
	if (strcmp(kind, "lagesbild") == 0)
		return "Lägesbild";
	if (strcmp(kind, "escalations") == 0)
		return "Eskaleringar";
	return "Årsrapport";
}

/* ---- json */

static void
json_cell(pack_t *p, const rcell_t *c, int i)
{
	pack_key(p, c->key);
	switch (c->st[i]) {
	case RC_SMALL:
		pack_str(p, "<5");
		break;
	case RC_SECONDARY:
		pack_str(p, "..");
		break;
	case RC_NONE:
		pack_nil(p);
		break;
	case RC_SHOWN:
		pack_int(p, c->v[i]);
		break;
	}
}

static void
json_section(pack_t *p, const rsection_t *s, int i)
{
	if (s->flags & RS_FLAT) {
		for (size_t j = 0; j < s->n; j++)
			json_cell(p, &s->cells[j], i);
		return;
	}
	pack_key(p, s->key);
	pack_map_open(p);
	for (size_t j = 0; j < s->n; j++)
		json_cell(p, &s->cells[j], i);
	pack_map_close(p);
}

/* the sections of value i (1: the previous period, without trends and measures) */
static void
json_sections(pack_t *p, const report_t *r, int i)
{
	for (size_t k = 0; k < r->n; k++) {
		const rsection_t *s = r->sections[k];

		if (i == 1 && (s->flags & (RS_TREND | RS_MEASURE)))
			continue;
		if (s->group[0] == '\0') {
			json_section(p, s, i);
			continue;
		}
		/* a group is written once, where its first section stands */
		bool first = true;

		for (size_t q = 0; q < k; q++)
			if (strcmp(r->sections[q]->group, s->group) == 0)
				first = false;
		if (!first)
			continue;
		pack_key(p, s->group);
		pack_map_open(p);
		for (size_t q = k; q < r->n; q++)
			if (strcmp(r->sections[q]->group, s->group) == 0)
				json_section(p, r->sections[q], i);
		pack_map_close(p);
	}
}

static void
json_period(pack_t *p, const period_t *per)
{
	char d[11];

	pack_kv_str(p, "period", per->name);
	ts_format_date(per->first, d);
	pack_kv_str(p, "from", d);
	ts_format_date(per->last, d);
	pack_kv_str(p, "to", d);
}

static void
reporting_json(const report_t *r, buf_t *out)
{
	pack_t *p = pack_new();
	const void *data;
	size_t len;
	msgpack_unpacked u;

	pack_map_open(p);
	pack_kv_str(p, "kind", r->kind);
	json_period(p, &r->period);
	pack_kv_str(p, "timezone", r->timezone);
	pack_key(p, "team");
	pack_str(p, r->team[0] ? r->team : NULL);
	pack_kv_bool(p, "suppressed", r->suppress);
	json_sections(p, r, 0);
	if (r->has_prev) {
		pack_key(p, "previous");
		pack_map_open(p);
		json_period(p, &r->prev);
		json_sections(p, r, 1);
		pack_map_close(p);
	}
	pack_map_close(p);
	data = pack_data(p, &len);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, data, len, NULL) == MSGPACK_UNPACK_SUCCESS)
		json_from_msgpack(&u.data, out, true);
	buf_putc(out, '\n');
	msgpack_unpacked_destroy(&u);
	pack_destroy(&p);
}

/* ---- csv */

static void
csv_field(buf_t *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static void
csv_row(buf_t *out, const report_t *r, const rsection_t *s, const rcell_t *c)
{
	char name[96], a[24], b[24];
	bool prev = r->has_prev && !(s->flags & (RS_TREND | RS_MEASURE));

	if (s->group[0])
		snprintf(name, sizeof(name), "%s.%s", s->group, s->key);
	else
		snprintf(name, sizeof(name), "%s", s->key);
	csv_field(out, name);
	buf_putc(out, ',');
	csv_field(out, c->key);
	buf_putc(out, ',');
	csv_field(out, c->label);
	buf_putc(out, ',');
	buf_puts(out, c->st[0] == RC_NONE ? "" : rcell_text(c, 0, a));
	if (r->has_prev) {
		buf_putc(out, ',');
		if (prev)
			buf_puts(out, c->st[1] == RC_NONE ? "" : rcell_text(c, 1, b));
	}
	buf_puts(out, "\r\n");
}

static void
reporting_csv(const report_t *r, buf_t *out)
{
	buf_puts(out, r->has_prev ? "section,key,label,value,previous\r\n" :
	    "section,key,label,value\r\n");
	for (size_t k = 0; k < r->n; k++) {
		const rsection_t *s = r->sections[k];

		for (size_t j = 0; j < s->n; j++)
			csv_row(out, r, s, &s->cells[j]);
		if (s->flags & RS_SUMS)
			csv_row(out, r, s, &s->total);
	}
}

/* ---- md */

static void
md_text(buf_t *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("|\\<>*_`[]#", *s))
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
}

/* "+3", "-2", "0", or ".." when either side is hidden */
static const char *
reporting_change(const rcell_t *c, char buf[24])
{
	if (c->st[0] != RC_SHOWN || c->st[1] != RC_SHOWN)
		return "..";
	snprintf(buf, 24, "%+" PRId64, c->v[0] - c->v[1]);
	if (c->v[0] == c->v[1])
		snprintf(buf, 24, "0");
	return buf;
}

static void
md_row(buf_t *out, const rcell_t *c, bool prev, bool bold)
{
	char a[24], b[24], d[24];

	buf_puts(out, "| ");
	if (bold)
		buf_puts(out, "**");
	md_text(out, c->label);
	if (bold)
		buf_puts(out, "**");
	buf_puts(out, " | ");
	md_text(out, rcell_text(c, 0, a));
	buf_puts(out, " |");
	if (prev) {
		buf_putc(out, ' ');
		md_text(out, rcell_text(c, 1, b));
		buf_printf(out, " | %s |", reporting_change(c, d));
	}
	buf_putc(out, '\n');
}

static void
reporting_period_line(const report_t *r, buf_t *out, bool html)
{
	char a[11], b[11];

	ts_format_date(r->period.first, a);
	ts_format_date(r->period.last, b);
	buf_printf(out, "Period: %s (%s – %s, %s)", r->period.name, a, b, r->timezone);
	buf_printf(out, html ? "<br>\n" : "  \n");
	buf_printf(out, "Team: ");
	if (r->team[0] == '\0')
		buf_puts(out, "alla");
	else if (html)
		buf_puts(out, r->team);         /* a configured id: [a-z0-9-] */
	else
		md_text(out, r->team);
	buf_printf(out, html ? "<br>\n" : "  \n");
	if (r->has_prev)
		buf_printf(out, "Jämförs med: %s%s", r->prev.name, html ? "<br>\n" : "  \n");
	buf_printf(out, "Små tal: %s\n", r->suppress ?
	    (html ? "antal 1–4 visas som &lt;5; ”..” är dolt för att en summa inte ska avslöja ett dolt tal" :
	    "antal 1–4 visas som \\<5; ”..” är dolt för att en summa inte ska avslöja ett dolt tal") :
	    "visas exakt");
}

static void
reporting_md(const report_t *r, buf_t *out)
{
	buf_printf(out, "# %s %s\n\n", reporting_kind_title(r->kind), r->period.name);
	reporting_period_line(r, out, false);
	buf_putc(out, '\n');
	for (size_t k = 0; k < r->n; k++) {
		const rsection_t *s = r->sections[k];
		bool prev = r->has_prev && !(s->flags & (RS_TREND | RS_MEASURE));

		buf_puts(out, "\n## ");
		md_text(out, s->title);
		buf_puts(out, "\n\n");
		if (prev)
			buf_printf(out, "| | %s | %s | Förändring |\n|---|---:|---:|---:|\n",
			    r->period.name, r->prev.name);
		else
			buf_printf(out, "| | %s |\n|---|---:|\n", r->period.name);
		for (size_t j = 0; j < s->n; j++)
			md_row(out, &s->cells[j], prev, false);
		if (s->flags & RS_SUMS)
			md_row(out, &s->total, prev, true);
	}
}

/* ---- html */

static void
html_text(buf_t *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '&': buf_puts(out, "&amp;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, *s);
		}
	}
}

static void
html_table(buf_t *out, const report_t *r, const rsection_t *s, bool prev)
{
	char a[24], b[24], d[24];

	buf_puts(out, "<table>\n<thead><tr><th></th>");
	buf_printf(out, "<th>%s</th>", r->period.name);
	if (prev)
		buf_printf(out, "<th>%s</th><th>Förändring</th>", r->prev.name);
	buf_puts(out, "</tr></thead>\n<tbody>\n");
	for (size_t j = 0; j <= s->n; j++) {
		const rcell_t *c = j < s->n ? &s->cells[j] : &s->total;

		if (j == s->n && !(s->flags & RS_SUMS))
			break;
		buf_puts(out, j == s->n ? "<tr class=\"total\"><th>" : "<tr><th>");
		html_text(out, c->label);
		buf_puts(out, "</th><td>");
		html_text(out, rcell_text(c, 0, a));
		buf_puts(out, "</td>");
		if (prev) {
			buf_puts(out, "<td>");
			html_text(out, rcell_text(c, 1, b));
			buf_printf(out, "</td><td>%s</td>", reporting_change(c, d));
		}
		buf_puts(out, "</tr>\n");
	}
	buf_puts(out, "</tbody>\n</table>\n");
}

/* the largest value shown in a section (hidden cells draw no bar) */
static int64_t
html_max(const rsection_t *s, bool prev)
{
	int64_t m = 0;

	for (size_t j = 0; j < s->n; j++)
		for (int i = 0; i < (prev ? 2 : 1); i++)
			if (s->cells[j].st[i] == RC_SHOWN && s->cells[j].v[i] > m)
				m = s->cells[j].v[i];
	return m;
}

static void
html_bars(buf_t *out, const report_t *r, const rsection_t *s, bool prev)
{
	int64_t max = html_max(s, prev);
	int rowh = prev ? HTML_ROW_H + 8 : HTML_ROW_H;
	int h = (int)s->n * rowh + 24, w = HTML_LABEL_W + HTML_BAR_W + 50;
	char a[24];

	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
	    " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h, w, h);
	html_text(out, s->title);
	buf_puts(out, "\">\n");
	for (size_t j = 0; j < s->n; j++) {
		const rcell_t *c = &s->cells[j];
		int y = (int)j * rowh + 4;

		buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", HTML_LABEL_W - 6,
		    y + 12);
		html_text(out, c->label);
		buf_puts(out, "</text>\n");
		for (int i = 0; i < (prev ? 2 : 1); i++) {
			int bw = c->st[i] == RC_SHOWN && max > 0 ?
			    (int)(c->v[i] * HTML_BAR_W / max) : 0;
			int by = y + (i ? HTML_ROW_H - 4 : 2), bh = i ? 6 : HTML_ROW_H - 6;

			buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" %s/>\n",
			    HTML_LABEL_W, by, bw, bh, i ? "class=\"prev\" " : "class=\"bar\" ");
			if (i == 0) {
				buf_printf(out, "<text x=\"%d\" y=\"%d\">", HTML_LABEL_W + bw + 4, y + 12);
				html_text(out, rcell_text(c, 0, a));
				buf_puts(out, "</text>\n");
			}
		}
	}
	if (prev)
		buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"note\">tunn ofylld stapel: %s</text>\n",
		    HTML_LABEL_W, h - 6, r->prev.name);
	buf_puts(out, "</svg>\n");
}

static void
html_trend(buf_t *out, const rsection_t *s)
{
	int64_t max = html_max(s, false);
	int n = (int)s->n, step = n > 0 ? (n > 40 ? 12 : n > 16 ? 18 : 30) : 30;
	int w = 40 + n * step, h = HTML_TREND_H + 60, every = n > 40 ? 7 : n > 16 ? 2 : 1;
	char a[24];

	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
	    " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h, w, h);
	html_text(out, s->title);
	buf_puts(out, "\">\n");
	buf_printf(out, "<line x1=\"30\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n",
	    HTML_TREND_H + 10, w, HTML_TREND_H + 10);
	buf_printf(out, "<text x=\"26\" y=\"18\" text-anchor=\"end\">%" PRId64 "</text>\n", max);
	buf_printf(out, "<text x=\"26\" y=\"%d\" text-anchor=\"end\">0</text>\n", HTML_TREND_H + 10);
	for (int j = 0; j < n; j++) {
		const rcell_t *c = &s->cells[j];
		int bh = c->st[0] == RC_SHOWN && max > 0 ? (int)(c->v[0] * HTML_TREND_H / max) : 0;
		int x = 34 + j * step;

		buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bar\"><title>",
		    x, HTML_TREND_H + 10 - bh, step - 4, bh);
		html_text(out, c->label);
		buf_puts(out, ": ");
		html_text(out, rcell_text(c, 0, a));
		buf_puts(out, "</title></rect>\n");
		if (c->st[0] != RC_SHOWN)
			buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"note\">%s</text>\n", x,
			    HTML_TREND_H + 6, c->st[0] == RC_SMALL ? "&lt;5" : "..");
		if (j % every == 0) {
			buf_printf(out, "<text x=\"%d\" y=\"%d\" transform=\"rotate(45 %d %d)\">",
			    x, HTML_TREND_H + 24, x, HTML_TREND_H + 24);
			html_text(out, c->label);
			buf_puts(out, "</text>\n");
		}
	}
	buf_puts(out, "</svg>\n");
}

static const char html_style[] =
    "body{font-family:sans-serif;color:#000;background:#fff;margin:2em;max-width:70em}\n"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #000}\n"
    ".row{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start;break-inside:avoid}\n"
    "table{border-collapse:collapse}th,td{border:1px solid #000;padding:.15em .5em}\n"
    "td{text-align:right;font-variant-numeric:tabular-nums}th{text-align:left;font-weight:normal}\n"
    "thead th{font-weight:bold}tr.total th,tr.total td{font-weight:bold}\n"
    "svg{font-size:11px;font-family:sans-serif}svg text{fill:#000}\n"
    "svg .bar{fill:#555;stroke:#000;stroke-width:.5}svg .prev{fill:#fff;stroke:#000;stroke-width:1}\n"
    "svg .axis{stroke:#000}svg .note{font-size:10px}\n"
    "section{break-inside:avoid;page-break-inside:avoid}\n"
    "@media print{body{margin:0}.row{gap:1em}}\n";

static void
reporting_html(const report_t *r, buf_t *out)
{
	buf_printf(out, "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>%s %s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    reporting_kind_title(r->kind), r->period.name, html_style);
	buf_printf(out, "<h1>%s %s</h1>\n<p>", reporting_kind_title(r->kind), r->period.name);
	reporting_period_line(r, out, true);
	buf_puts(out, "</p>\n");
	for (size_t k = 0; k < r->n; k++) {
		const rsection_t *s = r->sections[k];
		bool prev = r->has_prev && !(s->flags & (RS_TREND | RS_MEASURE));

		buf_printf(out, "<section id=\"%s%s%s\">\n<h2>", s->group, s->group[0] ? "-" : "",
		    s->key);
		html_text(out, s->title);
		buf_puts(out, "</h2>\n<div class=\"row\">\n");
		html_table(out, r, s, prev);
		if ((s->flags & RS_TREND) && s->n > 0)
			html_trend(out, s);
		else if ((s->flags & RS_CHART) && s->n > 0)
			html_bars(out, r, s, prev);
		buf_puts(out, "</div>\n</section>\n");
	}
	buf_puts(out, "</body>\n</html>\n");
}

void
reporting_format(const report_t *r, rformat_t f, buf_t *out)
{
	switch (f) {
	case RF_JSON:
		reporting_json(r, out);
		break;
	case RF_CSV:
		reporting_csv(r, out);
		break;
	case RF_MD:
		reporting_md(r, out);
		break;
	case RF_HTML:
		reporting_html(r, out);
		break;
	}
}
