/*
 * web_api.c: POST /api/v1/incidents for other municipal systems, and
 * GET /healthz for the proxy and monitoring.
 *
 * The API takes a JSON object of intake's submit fields (jansson parses
 * it, strictly: one object, valid UTF-8, no duplicate keys, no NUL in
 * strings) and sends it on as msgpack, so that intake's own checks, and
 * its error codes, are the API's. It answers 201 {"incident": {...}} for
 * a new incident and 200 with "duplicate": true for a resent one; errors
 * are {"error": {"code", "message", "field"?}} with the wire's code:
 *
 *	bad_request, unsupported_version, unknown_op     400
 *	invalid_field, unknown_district, unknown_category 422
 *	unauthorized 401   not_found 404   conflict 409   too_large 413
 *	a body that is not application/json               415
 *	unavailable (or no answer) 503   internal 500
 *
 * Requiring application/json also keeps a browser on another site from
 * posting here: a cross-site form cannot send that type without CORS,
 * which this server never allows.
 */
#include "web.h"
#include "json.h"
#include "msg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define WEB_JSON_DEPTH 16       /* as intake's msgpack nesting limit */

int
web_status_of(const char *code)
{
	static const struct { const char *code; int status; } map[] = {
		{"bad_request", 400}, {"unsupported_version", 400}, {"unknown_op", 400},
		{"invalid_field", 422}, {"unknown_district", 422}, {"unknown_category", 422},
		{"unauthorized", 401}, {"not_found", 404}, {"conflict", 409},
		{"too_large", 413}, {"unavailable", 503}, {"internal", 500},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].status;
	return 500;
}

void
web_api_error(web_resp_t *resp, int status, const char *code, const char *message,
    const char *field)
{
	pack_t *p = pack_new();
	msgpack_unpacked u;
	size_t len;
	const char *data;

	pack_map_open(p);
	pack_key(p, "error");
	pack_map_open(p);
	pack_kv_str(p, "code", code);
	pack_kv_str(p, "message", message);
	if (field && field[0])
		pack_kv_str(p, "field", field);
	pack_map_close(p);
	pack_map_close(p);
	data = pack_data(p, &len);
	msgpack_unpacked_init(&u);
	buf_reset(&resp->body);
	if (msgpack_unpack_next(&u, data, len, NULL) == MSGPACK_UNPACK_SUCCESS)
		json_from_msgpack(&u.data, &resp->body, false);
	buf_putc(&resp->body, '\n');
	msgpack_unpacked_destroy(&u);
	pack_destroy(&p);
	resp->status = status;
	resp->content_type = "application/json";
	resp->retry_after = status == 503;
}

/* Packs a JSON value as msgpack; -1 past WEB_JSON_DEPTH. */
static int
web_json_pack(pack_t *p, json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > WEB_JSON_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		pack_map_open(p);
		json_object_foreach(j, key, v) {
			pack_key(p, key);
			if (web_json_pack(p, v, depth + 1) < 0)
				return -1;
		}
		pack_map_close(p);
		break;
	case JSON_ARRAY:
		pack_array_open(p);
		json_array_foreach(j, i, v)
			if (web_json_pack(p, v, depth + 1) < 0)
				return -1;
		pack_array_close(p);
		break;
	case JSON_STRING:
		pack_strn(p, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		pack_int(p, json_integer_value(j));
		break;
	case JSON_REAL: {
		/* kept a float, so that intake refuses 3.0 for an integer as it would over msgpack */
		msgpack_object o;

		o.type = MSGPACK_OBJECT_FLOAT64;
		o.via.f64 = json_real_value(j);
		pack_obj(p, &o);
		break;
	}
	case JSON_TRUE:
		pack_bool(p, true);
		break;
	case JSON_FALSE:
		pack_bool(p, false);
		break;
	case JSON_NULL:
		pack_nil(p);
		break;
	}
	return 0;
}

void
web_api_submit(web_t *w, const web_req_t *r, web_resp_t *resp)
{
	const char *ct = web_req_content_type(r);
	size_t len;
	const char *body = web_req_body(r, &len);
	json_error_t jerr;
	json_t *root;
	const char *key;
	json_t *v;
	pack_t *req;
	web_reply_t rep;
	char msg[300];

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		web_api_error(resp, 415, "bad_request",
		    "the body must be JSON, sent as Content-Type: application/json", NULL);
		return;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(msg, sizeof(msg), "the body is not valid JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		web_api_error(resp, 400, "bad_request", msg, NULL);
		return;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		web_api_error(resp, 400, "bad_request", "the body must be one JSON object", NULL);
		return;
	}
	/* the envelope is the gateway's to write */
	json_object_foreach(root, key, v)
		if (strcmp(key, "v") == 0 || strcmp(key, "op") == 0 || strcmp(key, "req") == 0) {
			snprintf(msg, sizeof(msg), "unknown field '%s'", key);
			web_api_error(resp, 422, "invalid_field", msg, key);
			json_decref(root);
			return;
		}
	/* the proxy's identity reports, unless the system names its reporter */
	if (web_req_user(r) && json_object_get(root, "reporter") == NULL)
		json_object_set_new(root, "reporter", json_string(web_req_user(r)));
	req = web_rpc_req("submit");
	json_object_foreach(root, key, v) {
		pack_key(req, key);
		if (web_json_pack(req, v, 1) < 0) {
			json_decref(root);
			pack_destroy(&req);
			web_api_error(resp, 400, "bad_request", "JSON nested deeper than 16", NULL);
			return;
		}
	}
	pack_map_close(req);
	json_decref(root);
	if (web_rpc_call(w, WEB_INTAKE, req, &rep) < 0)
		web_api_error(resp, 503, "unavailable",
		    "trygg-intake did not answer; send the same request again", NULL);
	else if (!rep.ok)
		web_api_error(resp, web_status_of(rep.code), rep.code, rep.message, rep.field);
	else {
		const msgpack_object *inc = msg_map_get(rep.root, "incident");
		bool dup = web_bool(rep.root, "duplicate");
		int64_t masked = web_int(rep.root, "masked", 0);

		buf_reset(&resp->body);
		buf_puts(&resp->body, "{\"incident\":");
		if (inc)
			json_from_msgpack(inc, &resp->body, false);
		else
			buf_puts(&resp->body, "null");
		buf_printf(&resp->body, ",\"duplicate\":%s", dup ? "true" : "false");
		if (masked > 0)
			buf_printf(&resp->body, ",\"masked\":%lld", (long long)masked);
		buf_puts(&resp->body, "}\n");
		resp->status = dup ? 200 : 201;
		resp->content_type = "application/json";
	}
	web_reply_free(&rep);
	pack_destroy(&req);
}

void
web_healthz(web_t *w, const web_req_t *r, web_resp_t *resp)
{
	bool in = web_rpc_ping(w, WEB_INTAKE), esc = web_rpc_ping(w, WEB_ESCALATION);

	(void)r;
	buf_reset(&resp->body);
	buf_printf(&resp->body, "{\"status\":\"%s\",\"intake\":\"%s\",\"escalation\":\"%s\"}\n",
	    in && esc ? "ok" : "unavailable", in ? "up" : "down", esc ? "up" : "down");
	resp->status = in && esc ? 200 : 503;
	resp->content_type = "application/json";
}
