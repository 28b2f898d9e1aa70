/*
 * wire.c: names of error codes and link message types.
 */
#include "wire.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const wire_codes[] = {
	[WERR_NONE] = "none",
	[WERR_BAD_REQUEST] = "bad_request",
	[WERR_UNSUPPORTED_VERSION] = "unsupported_version",
	[WERR_UNKNOWN_OP] = "unknown_op",
	[WERR_INVALID_FIELD] = "invalid_field",
	[WERR_UNKNOWN_DISTRICT] = "unknown_district",
	[WERR_UNKNOWN_CATEGORY] = "unknown_category",
	[WERR_NOT_FOUND] = "not_found",
	[WERR_CONFLICT] = "conflict",
	[WERR_UNAUTHORIZED] = "unauthorized",
	[WERR_TOO_LARGE] = "too_large",
	[WERR_UNAVAILABLE] = "unavailable",
	[WERR_INTERNAL] = "internal",
};

const char *
wire_code_name(wire_code_t code)
{
	if ((size_t)code >= sizeof(wire_codes) / sizeof(wire_codes[0]))
		return "internal";
	return wire_codes[code];
}

void
wire_err_set(wire_err_t *e, wire_code_t code, const char *field,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	n = vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	/* a message cut short must not end inside a UTF-8 character */
	if (n >= (int)sizeof(e->message)) {
		size_t len = sizeof(e->message) - 1;

		/* a character is at most 4 bytes: drop at most 3 of a partial one */
		for (int i = 0; i < 3 && len > 0 && !utf8_valid(e->message, len); i++)
			len--;
		e->message[len] = '\0';
	}
}

static const char *const wire_msgs[WMSG_COUNT_] = {
	[WMSG_INCIDENT_CREATED] = "incident.created",
	[WMSG_INCIDENT_UPDATED] = "incident.updated",
	[WMSG_ESCALATION_CHANGED] = "escalation.changed",
};

const char *
wire_msg_name(wire_msg_t type)
{
	if ((int)type <= 0 || type >= WMSG_COUNT_)
		return NULL;
	return wire_msgs[type];
}

wire_msg_t
wire_msg_type(const char *name, size_t len)
{
	for (int t = 1; t < WMSG_COUNT_; t++)
		if (strlen(wire_msgs[t]) == len && memcmp(wire_msgs[t], name, len) == 0)
			return (wire_msg_t)t;
	return 0;
}
