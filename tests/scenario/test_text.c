/*
 * test_text.c: text as people type it, on a real trygg-intake: every way of
 * writing an identity number is masked in every free-text field before it
 * is stored or answered; text is stored in NFC; districts, categories and
 * incident numbers match however they are typed; control and bidi
 * characters are refused with invalid_field naming the field; errors never
 * quote what was sent; and the trygg command never prints such characters
 * raw, even when a (fake) daemon answers with them.
 */
#include "harness.h"
#include "test.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

static harness_t *
h(void)
{
	return harness_shared(NULL, H_INTAKE);
}

static const msgpack_object *
send_closed(pack_t *p)
{
	const msgpack_object *r;

	pack_map_close(p);
	r = harness_call(h(), H_INTAKE, p);
	pack_destroy(&p);
	return r;
}

/*
 * A submit with the required fields, open for more; a NULL summary or
 * reporter is left out, and so is the field named skip (may be NULL).
 */
static pack_t *
submit_but(const char *id, const char *summary, const char *reporter, const char *skip)
{
	pack_t *p = harness_req("submit");

	pack_kv_str(p, "id", id);
	if (skip == NULL || strcmp(skip, "district") != 0)
		pack_kv_str(p, "district", "Ryd");
	if (skip == NULL || strcmp(skip, "category") != 0)
		pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	if (summary)
		pack_kv_str(p, "summary", summary);
	if (reporter)
		pack_kv_str(p, "reporter", reporter);
	return p;
}

static pack_t *
submit(const char *id, const char *summary, const char *reporter)
{
	return submit_but(id, summary, reporter, NULL);
}

/* Submits a plain incident and leaves its number in number[32]. */
static void
new_incident(const char *id, char *number)
{
	const msgpack_object *r = send_closed(submit(id, "Klotter", "trygghetsv\xc3\xa4rd"));

	CHECK(h_ok(r));
	snprintf(number, 32, "%s", h_str(h_get(r, "incident"), "number"));
}

/*
 * The spellings of item 6 of issue 6, and their masked forms. Each appears
 * in a sentence ("Pojken ... sågs"), so what is around it must be kept.
 */
static const struct {
	const char *in, *out;
} spellings[] = {
	{"811218-9876", "XXXXXX-XXXX"},
	{"811218 9876", "XXXXXX XXXX"},
	{"19811218 9876", "XXXXXXXX XXXX"},
	{"811218 - 9876", "XXXXXX - XXXX"},
	{"811218\xe2\x80\x93" "9876", "XXXXXX\xe2\x80\x93XXXX"},         /* en dash */
	{"811218 \xe2\x80\x94 9876", "XXXXXX \xe2\x80\x94 XXXX"},       /* em dash */
	{"811218\xe2\x88\x92" "9876", "XXXXXX\xe2\x88\x92XXXX"},         /* minus sign */
	{"811218+9876", "XXXXXX+XXXX"},
	{"811218\xc2\xa0" "9876", "XXXXXX\xc2\xa0XXXX"},                 /* no-break space */
	{"\xef\xbc\x98\xef\xbc\x91\xef\xbc\x91\xef\xbc\x92\xef\xbc\x91\xef\xbc\x98-"
	 "\xef\xbc\x99\xef\xbc\x98\xef\xbc\x97\xef\xbc\x96", "XXXXXX-XXXX"},  /* full-width */
	{"811218-9875", "XXXXXX-XXXX"},                 /* wrong check digit */
	{"198112189870", "XXXXXXXXXXXX"},
	{"8112189876", "XXXXXXXXXX"},
	{"811278-9876", "XXXXXX-XXXX"},                 /* samordningsnummer */
	{"8112\xe2\x80\x8b" "18-9876", "XXXX\xe2\x80\x8bXX-XXXX"},       /* zero-width space */
};

#define NSPELLINGS (sizeof(spellings) / sizeof(spellings[0]))

/* Text that must be stored as it is: the date does not exist. */
#define NOT_A_NUMBER "19810231-9876"

/* Every spelling in each field of submit: the reply and get show it masked. */
TEST(submit_masks_every_spelling_in_every_field)
{
	static const char *const fields[] = {"summary", "details", "location",
	    "reporter", "partners"};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t i = 0; i < NSPELLINGS; i++) {
			char id[64], number[32], text[160], want[160];
			const msgpack_object *r, *inc, *v;
			bool partners = strcmp(fields[f], "partners") == 0;
			pack_t *p;

			snprintf(id, sizeof(id), "mask-%s-%zu", fields[f], i);
			snprintf(text, sizeof(text), "Pojken %s s\xc3\xa4gs", spellings[i].in);
			snprintf(want, sizeof(want), "Pojken %s s\xc3\xa4gs", spellings[i].out);
			p = submit(id, strcmp(fields[f], "summary") ? "Klotter" : NULL,
			    strcmp(fields[f], "reporter") ? "fältsekreterare" : NULL);
			if (partners) {
				pack_key(p, "partners");
				pack_array_open(p);
				pack_str(p, "polis");
				pack_str(p, text);
				pack_array_close(p);
			} else {
				pack_kv_str(p, fields[f], text);
			}
			r = send_closed(p);
			if (!h_ok(r)) {
				test_fail(__FILE__, __LINE__, "%s %zu: %s %s", fields[f], i,
				    h_code(r), h_str(h_get(r, "error"), "message"));
				continue;
			}
			if (h_int(r, "masked") != 1)
				test_fail(__FILE__, __LINE__, "%s %zu: masked %lld, expected 1",
				    fields[f], i, h_int(r, "masked"));
			snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));

			p = harness_req("get");
			pack_kv_str(p, "number", number);
			inc = h_get(send_closed(p), "incident");
			if (partners) {
				v = h_get(inc, "partners");
				if (v == NULL || v->type != MSGPACK_OBJECT_ARRAY ||
				    v->via.array.size != 2 ||
				    v->via.array.ptr[1].type != MSGPACK_OBJECT_STR ||
				    v->via.array.ptr[1].via.str.size != strlen(want) ||
				    memcmp(v->via.array.ptr[1].via.str.ptr, want, strlen(want)) != 0)
					test_fail(__FILE__, __LINE__, "partners %zu: not \"%s\"", i, want);
				continue;
			}
			if (strcmp(h_str(inc, fields[f]), want) != 0)
				test_fail(__FILE__, __LINE__, "%s %zu: stored \"%s\", expected \"%s\"",
				    fields[f], i, h_str(inc, fields[f]), want);
		}
	}
}

/* The same for update's note and by, and the history shows them masked. */
TEST(update_masks_every_spelling_in_note_and_by)
{
	char number[32];

	new_incident("mask-update", number);
	for (size_t i = 0; i < NSPELLINGS; i++) {
		char note[160], by[160], want_note[160], want_by[160];
		const msgpack_object *r, *hist, *last;
		pack_t *p;

		snprintf(note, sizeof(note), "Samtal med %s i dag", spellings[i].in);
		snprintf(want_note, sizeof(want_note), "Samtal med %s i dag", spellings[i].out);
		snprintf(by, sizeof(by), "tib %s", spellings[i].in);
		snprintf(want_by, sizeof(want_by), "tib %s", spellings[i].out);
		p = harness_req("update");
		pack_kv_str(p, "number", number);
		pack_kv_str(p, "by", by);
		pack_kv_str(p, "note", note);
		r = send_closed(p);
		if (!h_ok(r)) {
			test_fail(__FILE__, __LINE__, "update %zu: %s", i, h_code(r));
			continue;
		}
		if (h_int(r, "masked") != 2)
			test_fail(__FILE__, __LINE__, "update %zu: masked %lld, expected 2", i,
			    h_int(r, "masked"));
		hist = h_get(h_get(r, "incident"), "history");
		if (hist == NULL || hist->type != MSGPACK_OBJECT_ARRAY || hist->via.array.size == 0) {
			test_fail(__FILE__, __LINE__, "update %zu: no history", i);
			continue;
		}
		last = &hist->via.array.ptr[hist->via.array.size - 1];
		if (strcmp(h_str(last, "note"), want_note) != 0 ||
		    strcmp(h_str(last, "by"), want_by) != 0)
			test_fail(__FILE__, __LINE__, "update %zu: \"%s\" by \"%s\", expected "
			    "\"%s\" by \"%s\"", i, h_str(last, "note"), h_str(last, "by"),
			    want_note, want_by);
	}
}

/* A date that does not exist is no number; a retried masked submit is the same. */
TEST(what_is_not_a_number_is_kept_and_retries_match)
{
	const msgpack_object *r;
	char number[32];
	pack_t *p;

	r = send_closed(submit("kept-1", "Ärende " NOT_A_NUMBER, "r"));
	CHECK(h_ok(r));
	CHECK(h_get(r, "masked") == NULL);
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));
	p = harness_req("get");
	pack_kv_str(p, "number", number);
	CHECK_STR(h_str(h_get(send_closed(p), "incident"), "summary"), "Ärende " NOT_A_NUMBER);

	CHECK(h_ok(send_closed(submit("retry-mask", "Pojken 811218 9876", "r"))));
	r = send_closed(submit("retry-mask", "Pojken 811218 9876", "r"));
	CHECK(h_ok(r) && h_bool(r, "duplicate"));
	r = send_closed(submit("retry-mask", "Pojken 811218 9877", "r"));
	CHECK(h_ok(r) && h_bool(r, "duplicate"));               /* stored the same */
}

/* Text is stored in NFC; NFD districts and typed categories are found. */
TEST(text_is_stored_in_nfc_and_names_match_as_typed)
{
	static const struct {
		const char *district, *category, *want_district, *team, *escalation;
	} cases[] = {
		{"Ska\xcc\x88ggetorp", "brand", "Sk\xc3\xa4ggetorp", "omradesteam-1", "external"},
		{"SKA\xcc\x88GGETORP", "Brand", "Sk\xc3\xa4ggetorp", "omradesteam-1", "external"},
		{"Va\xcc\x88sterlo\xcc\x88sa", "OVRIGT", "V\xc3\xa4sterl\xc3\xb6sa", "omradesteam-2", "none"},
		{"\xef\xbc\xb2\xef\xbd\x99\xef\xbd\x84", "\xc3\x96vrigt", "Ryd", "omradesteam-2", "none"},
		{"\xc2\xa0" "berga ", "Skadeg\xc3\xb6relse", "Berga", "omradesteam-3", "none"},
		{"malmsla\xcc\x88tt", "skadego\xcc\x88relse", "Malmsl\xc3\xa4tt", "omradesteam-2", "none"},
	};
	const msgpack_object *r, *inc;
	char number[32];
	pack_t *p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[32];

		snprintf(id, sizeof(id), "typed-%zu", i);
		p = harness_req("submit");
		pack_kv_str(p, "id", id);
		pack_kv_str(p, "district", cases[i].district);
		pack_kv_str(p, "category", cases[i].category);
		pack_kv_int(p, "severity", 1);
		pack_kv_str(p, "summary", "s");
		pack_kv_str(p, "reporter", "r");
		r = send_closed(p);
		if (!h_ok(r)) {
			test_fail(__FILE__, __LINE__, "case %zu: %s", i, h_code(r));
			continue;
		}
		inc = h_get(r, "incident");
		CHECK_STR(h_str(inc, "district"), cases[i].want_district);
		CHECK_STR(h_str(inc, "team"), cases[i].team);
		CHECK_STR(h_str(inc, "escalation"), cases[i].escalation);
	}

	p = submit("nfc-1", "Ska\xcc\x88ggetorp centrum", "A\xcc\x8asa");
	pack_kv_str(p, "details", "Caf\x65\xcc\x81" "et\nvid to\xcc\x88rget");
	pack_kv_str(p, "location", "Sk\xc3\xa4ggetorp");
	pack_key(p, "partners");
	pack_array_open(p);
	pack_str(p, "bostadsbolag\xcc\x88");
	pack_array_close(p);
	r = send_closed(p);
	CHECK(h_ok(r));
	snprintf(number, sizeof(number), "%s", h_str(h_get(r, "incident"), "number"));
	p = harness_req("get");
	pack_kv_str(p, "number", number);
	inc = h_get(send_closed(p), "incident");
	CHECK_STR(h_str(inc, "summary"), "Sk\xc3\xa4ggetorp centrum");
	CHECK_STR(h_str(inc, "reporter"), "\xc3\x85sa");
	CHECK_STR(h_str(inc, "details"), "Caf\xc3\xa9" "et\nvid t\xc3\xb6rget");
	CHECK_STR(h_str(inc, "location"), "Sk\xc3\xa4ggetorp");
	{
		const msgpack_object *v = h_get(inc, "partners");

		CHECK(v && v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size == 1 &&
		    v->via.array.ptr[0].via.str.size == strlen("bostadsbolag\xcc\x88") &&
		    memcmp(v->via.array.ptr[0].via.str.ptr, "bostadsbolag\xcc\x88",
		    v->via.array.ptr[0].via.str.size) == 0);    /* g has no composed form */
	}
}

/* get and update find an incident number however it is typed. */
TEST(incident_numbers_match_in_any_case)
{
	char number[32], lower[32], wide[96];
	const msgpack_object *r;
	size_t n = 0;
	pack_t *p;

	new_incident("case-1", number);
	for (size_t i = 0; number[i]; i++)
		lower[i] = (char)(number[i] >= 'A' && number[i] <= 'Z' ? number[i] + 32 : number[i]);
	lower[strlen(number)] = '\0';
	CHECK(strncmp(lower, "inc-", 4) == 0);
	/* full-width: U+FF01 + (c - '!') */
	for (size_t i = 0; number[i] && n + 3 < sizeof(wide); i++) {
		unsigned c = 0xff01 + (unsigned)(number[i] - '!');

		wide[n++] = (char)(0xe0 | (c >> 12));
		wide[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		wide[n++] = (char)(0x80 | (c & 0x3f));
	}
	wide[n] = '\0';

	{
		const char *typed[] = {number, lower, "  ", wide};
		char padded[48];

		snprintf(padded, sizeof(padded), " %s ", lower);
		typed[2] = padded;
		for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
			p = harness_req("get");
			pack_kv_str(p, "number", typed[i]);
			r = send_closed(p);
			if (!h_ok(r) || strcmp(h_str(h_get(r, "incident"), "number"), number) != 0)
				test_fail(__FILE__, __LINE__, "get \"%s\": %s", typed[i], h_code(r));
		}
	}
	p = harness_req("update");
	pack_kv_str(p, "number", lower);
	pack_kv_str(p, "by", "tib-1");
	pack_kv_str(p, "status", "closed");
	r = send_closed(p);
	CHECK(h_ok(r));
	CHECK_STR(h_str(h_get(r, "incident"), "status"), "closed");

	p = harness_req("get");
	pack_kv_str(p, "number", "inc-1999-000001");
	CHECK_STR(h_code(send_closed(p)), "not_found");
}

/*
 * Sends field = text (or a partner, a note or a by) and expects
 * invalid_field naming the field, or ok.
 */
static void
try_text(const char *field, const char *text, size_t len, bool refused,
    const char *what, int line)
{
	static int seq;
	static char number[32];
	const msgpack_object *r;
	char id[32];
	pack_t *p;
	bool update = strcmp(field, "note") == 0 || strcmp(field, "by") == 0;

	if (number[0] == '\0')
		new_incident("text-target", number);
	snprintf(id, sizeof(id), "text-%d", seq++);
	if (update) {
		p = harness_req("update");
		pack_kv_str(p, "number", number);
		if (strcmp(field, "by") == 0) {
			pack_kv_strn(p, "by", text, len);
		} else {
			pack_kv_str(p, "by", "tib-1");
			pack_kv_strn(p, "note", text, len);
		}
	} else {
		p = submit_but(id, strcmp(field, "summary") ? "s" : NULL,
		    strcmp(field, "reporter") ? "r" : NULL, field);
		if (strcmp(field, "partners") == 0) {
			pack_key(p, "partners");
			pack_array_open(p);
			pack_strn(p, text, len);
			pack_array_close(p);
		} else {
			pack_kv_strn(p, field, text, len);
		}
	}
	r = send_closed(p);
	if (r == NULL) {
		test_fail(__FILE__, line, "%s in %s: no reply", what, field);
		return;
	}
	if (refused) {
		if (h_ok(r) || strcmp(h_code(r), "invalid_field") != 0 ||
		    strcmp(h_str(h_get(r, "error"), "field"), field) != 0)
			test_fail(__FILE__, line, "%s in %s: %s field '%s', expected "
			    "invalid_field naming it", what, field, h_ok(r) ? "ok" : h_code(r),
			    h_str(h_get(r, "error"), "field"));
		if (!update) {          /* and nothing was stored */
			p = harness_req("get");
			pack_kv_str(p, "id", id);
			if (strcmp(h_code(send_closed(p)), "not_found") != 0)
				test_fail(__FILE__, line, "%s in %s: stored", what, field);
		}
	} else if (!h_ok(r)) {
		test_fail(__FILE__, line, "%s in %s: %s (%s), expected ok", what, field,
		    h_code(r), h_str(h_get(r, "error"), "message"));
	}
}

/* Control and bidi characters in every text field; line breaks in one-line ones. */
TEST(control_and_bidi_characters_are_refused_in_every_field)
{
	static const struct {
		const char *field;
		bool        one_line;
	} fields[] = {
		{"summary", true}, {"location", true}, {"reporter", true}, {"by", true},
		{"details", false}, {"note", false}, {"partners", false},
		{"district", false}, {"category", false},
	};
	static const struct {
		const char *name, *bytes;
		size_t      len;
		int         bad;        /* 1 refused everywhere, 2 in one-line fields */
	} chars[] = {
		{"NUL", "a\0b", 3, 1}, {"ESC", "a\x1b[2Jb", 0, 1}, {"CR", "a\rb", 0, 1},
		{"BEL", "a\ab", 0, 1}, {"DEL", "a\x7f", 0, 1}, {"NEL", "a\xc2\x85" "b", 0, 1},
		{"CSI", "\xc2\x9b" "31m", 0, 1},
		{"RLO", "a\xe2\x80\xae" "b", 0, 1}, {"LRO", "a\xe2\x80\xad" "b", 0, 1},
		{"RLE", "a\xe2\x80\xab" "b", 0, 1}, {"PDF", "a\xe2\x80\xac" "b", 0, 1},
		{"LRE", "a\xe2\x80\xaa" "b", 0, 1},
		{"RLI", "a\xe2\x81\xa7" "b", 0, 1}, {"LRI", "a\xe2\x81\xa6" "b", 0, 1},
		{"FSI", "a\xe2\x81\xa8" "b", 0, 1}, {"PDI", "a\xe2\x81\xa9" "b", 0, 1},
		{"LF", "a\nb", 0, 2}, {"LS", "a\xe2\x80\xa8" "b", 0, 2},
		{"blank", " \xc2\xa0\t ", 0, 3},
	};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
			size_t len = chars[c].len ? chars[c].len : strlen(chars[c].bytes);
			bool refused = chars[c].bad == 1 || (chars[c].bad == 2 && fields[f].one_line) ||
			    (chars[c].bad == 3 && strcmp(fields[f].field, "details") != 0 &&
			    strcmp(fields[f].field, "location") != 0);     /* may be empty */
			bool known = strcmp(fields[f].field, "district") == 0 ||
			    strcmp(fields[f].field, "category") == 0;

			/* text that is allowed is no district or category */
			if (known && !refused)
				continue;
			try_text(fields[f].field, chars[c].bytes, len, refused, chars[c].name,
			    __LINE__);
		}
	}
	/* allowed: tab, direction marks, line breaks where text has lines */
	try_text("summary", "a\tb", 3, false, "TAB", __LINE__);
	try_text("summary", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xe2\x80\x8f 1",
	    strlen("\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xe2\x80\x8f 1"), false, "RLM", __LINE__);
	try_text("reporter", "a\xe2\x80\x8e" "b", 5, false, "LRM", __LINE__);
	try_text("details", "rad 1\nrad 2\n", 12, false, "LF", __LINE__);
	try_text("note", "rad 1\nrad 2", 11, false, "LF", __LINE__);
	try_text("details", "   ", 3, false, "blank details", __LINE__);
	try_text("location", " ", 1, false, "blank location", __LINE__);
}

/* No error quotes what was sent. */
TEST(errors_never_quote_what_was_sent)
{
	const msgpack_object *r;
	pack_t *p;

	p = harness_req("submit");
	pack_kv_str(p, "id", "echo-1");
	pack_kv_str(p, "district", "811218-9876");
	pack_kv_str(p, "category", "ovrigt");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "summary", "s");
	pack_kv_str(p, "reporter", "r");
	r = send_closed(p);
	CHECK_STR(h_code(r), "unknown_district");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "9876") == NULL);

	p = harness_req("submit");
	pack_kv_str(p, "id", "echo-2");
	pack_kv_str(p, "district", "Ryd");
	pack_kv_str(p, "category", "811218-9876");
	pack_kv_int(p, "severity", 1);
	pack_kv_str(p, "summary", "s");
	pack_kv_str(p, "reporter", "r");
	r = send_closed(p);
	CHECK_STR(h_code(r), "unknown_category");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "9876") == NULL);

	p = harness_req("get");
	pack_kv_str(p, "number", "811218-9876");
	r = send_closed(p);
	CHECK_STR(h_code(r), "not_found");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "9876") == NULL);

	p = harness_req("list");
	pack_kv_str(p, "team", "811218-9876");
	r = send_closed(p);
	CHECK_STR(h_code(r), "invalid_field");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "9876") == NULL);

	p = submit("echo-3", "s\x1b", "r");
	r = send_closed(p);
	CHECK_STR(h_code(r), "invalid_field");
	CHECK(strchr(h_str(h_get(r, "error"), "message"), 0x1b) == NULL);

	CHECK(h_ok(send_closed(submit("echo-4", "s", "r"))));
	r = send_closed(submit("echo-4", "811218-9876", "r"));
	CHECK_STR(h_code(r), "conflict");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "echo-4") == NULL);

	p = submit("echo-5", "s", "r");
	pack_kv_str(p, "x811218-9876", "1");
	r = send_closed(p);
	CHECK_STR(h_code(r), "invalid_field");
	CHECK_STR(h_str(h_get(r, "error"), "field"), "xXXXXXX-XXXX");
	CHECK(strstr(h_str(h_get(r, "error"), "message"), "9876") == NULL);
}

/*
 * A fake trygg-intake in a child process: answers n requests on endpoint
 * with reply, whatever they ask. Returns its pid.
 */
static pid_t
fake_intake(const char *endpoint, const void *reply, size_t len, int n)
{
	pid_t pid = fork();

	if (pid == 0) {         /* _exit only: the parent's atexit work is not ours */
		void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_ROUTER);
		int linger = 2000, timeout = 20000;

		zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
		if (zmq_bind(s, endpoint) != 0)
			_exit(1);
		for (int i = 0; i < n; i++) {
			char id[256], frame[65536];
			int idlen = zmq_recv(s, id, sizeof(id), 0), more = 1;
			size_t sz = sizeof(more);

			if (idlen < 0)
				_exit(2);
			while (more) {  /* the delimiter and the request */
				if (zmq_recv(s, frame, sizeof(frame), 0) < 0)
					_exit(2);
				zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz);
			}
			zmq_send(s, id, (size_t)idlen, ZMQ_SNDMORE);
			zmq_send(s, "", 0, ZMQ_SNDMORE);
			zmq_send(s, reply, len, 0);
		}
		zmq_close(s);
		zmq_ctx_term(ctx);
		_exit(0);
	}
	return pid;
}

/* Text with every kind of character a terminal acts on. */
#define HOSTILE "a\x1b]0;owned\x07" "b\x1b[2Jc\rd\x7f" "e\xc2\x9b" "31mf\xe2\x80\xae" "gh\xe2\x81\xa6i"

/* Runs trygg ARGS against a fake intake answering reply; checks its output. */
static void
cli_against(harness_t *hh, const pack_t *reply, const char *const *args, int status,
    int line)
{
	const void *data;
	size_t len;
	char *out = NULL;
	pid_t pid;
	int rc, ws;

	data = pack_data(reply, &len);
	pid = fake_intake(hh->endpoint[H_INTAKE], data, len, 1);
	rc = harness_cli(hh, &out, args);
	waitpid(pid, &ws, 0);
	if (rc != status)
		test_fail(__FILE__, line, "trygg %s: exit %d, expected %d: %s", args[0] ? args[0] : "",
		    rc, status, out);
	/* LF and TAB are all it may print raw; the rest is escaped */
	if (utf8_check_text(out, strlen(out), false, NULL) != UTF8_TEXT_OK)
		test_fail(__FILE__, line, "trygg %s %s printed a control character raw",
		    args[0], args[1] ? args[1] : "");
	if (strstr(out, "1b") == NULL)
		test_fail(__FILE__, line, "trygg %s: the escape is not shown: %s", args[0], out);
	if (getenv("TEST_VERBOSE"))
		printf("    trygg %s %s:\n%s", args[0], args[1] ? args[1] : "", out);
	free(out);
}

/* trygg prints what a daemon says, never its control characters raw. */
TEST(cli_never_prints_control_characters_raw)
{
	harness_t *hh = harness_new(NULL);
	pack_t *ok = pack_new(), *bad = pack_new();

	pack_map_open(ok);
	pack_kv_bool(ok, "ok", true);
	pack_kv_bool(ok, "duplicate", false);
	pack_key(ok, "incident");
	pack_map_open(ok);
	pack_kv_str(ok, "number", "INC-2026-000001");
	pack_kv_str(ok, "summary", HOSTILE);
	pack_kv_str(ok, "details", "rad 1\n" HOSTILE "\nrad 3");
	pack_kv_str(ok, "district", HOSTILE);
	pack_kv_str(ok, "team_name", HOSTILE);
	pack_kv_str(ok, HOSTILE, HOSTILE);
	pack_kv_str(ok, "bad_utf8", "x\xff\xc3");
	pack_key(ok, "partners");
	pack_array_open(ok);
	pack_str(ok, HOSTILE);
	pack_array_close(ok);
	pack_key(ok, "history");
	pack_array_open(ok);
	pack_map_open(ok);
	pack_kv_str(ok, "at", HOSTILE);
	pack_kv_str(ok, "action", "note");
	pack_kv_str(ok, "by", HOSTILE);
	pack_kv_str(ok, "note", "rad 1\n" HOSTILE);
	pack_map_close(ok);
	pack_array_close(ok);
	pack_map_close(ok);
	pack_key(ok, "incidents");
	pack_array_open(ok);
	pack_map_open(ok);
	pack_kv_str(ok, "number", HOSTILE);
	pack_kv_str(ok, "summary", HOSTILE);
	pack_kv_str(ok, "category", HOSTILE);
	pack_map_close(ok);
	pack_array_close(ok);
	pack_map_close(ok);

	pack_map_open(bad);
	pack_kv_bool(bad, "ok", false);
	pack_key(bad, "error");
	pack_map_open(bad);
	pack_kv_str(bad, "code", "invalid_field\x1b[0m");
	pack_kv_str(bad, "message", HOSTILE);
	pack_kv_str(bad, "field", HOSTILE);
	pack_map_close(bad);
	pack_map_close(bad);

	CHECK(hh != NULL);
	if (hh == NULL)
		return;
	cli_against(hh, ok, (const char *const[]){"get", "INC-2026-000001", NULL}, 0, __LINE__);
	cli_against(hh, ok, (const char *const[]){"list", NULL}, 0, __LINE__);
	cli_against(hh, ok, (const char *const[]){"submit", "--id", "x", "--district", "Ryd",
	    "--category", "ovrigt", "--severity", "1", "--summary", "s", "--reporter", "r",
	    NULL}, 0, __LINE__);
	cli_against(hh, ok, (const char *const[]){"update", "INC-2026-000001", "--by", "x",
	    "--note", "n", NULL}, 0, __LINE__);
	cli_against(hh, ok, (const char *const[]){"--json", "get", "INC-2026-000001", NULL},
	    0, __LINE__);
	cli_against(hh, bad, (const char *const[]){"get", "INC-2026-000001", NULL}, 1, __LINE__);
	cli_against(hh, bad, (const char *const[]){"--json", "list", NULL}, 1, __LINE__);
	pack_destroy(&ok);
	pack_destroy(&bad);
	harness_destroy(&hh);
}

TEST_MAIN(submit_masks_every_spelling_in_every_field,
    update_masks_every_spelling_in_note_and_by,
    what_is_not_a_number_is_kept_and_retries_match,
    text_is_stored_in_nfc_and_names_match_as_typed,
    incident_numbers_match_in_any_case,
    control_and_bidi_characters_are_refused_in_every_field,
    errors_never_quote_what_was_sent, cli_never_prints_control_characters_raw)
