/*
 * test_wire.c: the wire contract's names (common/wire.c): every error code
 * has the name docs/protocol.md gives it, error replies are filled and bounded,
 * and link message types go to their names and back.
 */
#include "../test.h"

#include <stdio.h>
#include <string.h>

#include "wire.h"
#include "utf8.h"

/* docs/protocol.md, "Transport": the error codes a client may rely on */
static const struct {
	wire_code_t code;
	const char *name;
} codes[] = {
	{WERR_BAD_REQUEST, "bad_request"},
	{WERR_UNSUPPORTED_VERSION, "unsupported_version"},
	{WERR_UNKNOWN_OP, "unknown_op"},
	{WERR_INVALID_FIELD, "invalid_field"},
	{WERR_UNKNOWN_DISTRICT, "unknown_district"},
	{WERR_UNKNOWN_CATEGORY, "unknown_category"},
	{WERR_NOT_FOUND, "not_found"},
	{WERR_CONFLICT, "conflict"},
	{WERR_UNAUTHORIZED, "unauthorized"},
	{WERR_TOO_LARGE, "too_large"},
	{WERR_UNAVAILABLE, "unavailable"},
	{WERR_INTERNAL, "internal"},
};

#define NCODES (sizeof(codes) / sizeof(codes[0]))

TEST(test_code_names)
{
	for (size_t i = 0; i < NCODES; i++) {
		const char *name = wire_code_name(codes[i].code);

		if (name == NULL || strcmp(name, codes[i].name) != 0)
			test_fail(__FILE__, __LINE__, "code %d is \"%s\", docs/protocol.md says \"%s\"",
			    (int)codes[i].code, name ? name : "(null)", codes[i].name);
	}
}

/* Every code of the enum is one docs/protocol.md names, each name once. */
TEST(test_codes_complete)
{
	int seen[NCODES] = {0};

	for (int c = WERR_NONE + 1; c <= WERR_INTERNAL; c++) {
		const char *name = wire_code_name((wire_code_t)c);
		size_t i;

		for (i = 0; i < NCODES; i++)
			if (name && strcmp(name, codes[i].name) == 0)
				break;
		if (i == NCODES)
			test_fail(__FILE__, __LINE__, "code %d is \"%s\", not in docs/protocol.md",
			    c, name ? name : "(null)");
		else
			seen[i]++;
	}
	for (size_t i = 0; i < NCODES; i++)
		if (seen[i] != 1)
			test_fail(__FILE__, __LINE__, "\"%s\" is the name of %d codes",
			    codes[i].name, seen[i]);
	CHECK_INT(WERR_INTERNAL - WERR_NONE, NCODES);
}

/* A code out of range never reads past the table; it is an internal error. */
TEST(test_code_out_of_range)
{
	CHECK_STR(wire_code_name(WERR_NONE), "none");
	CHECK_STR(wire_code_name((wire_code_t)(WERR_INTERNAL + 1)), "internal");
	CHECK_STR(wire_code_name((wire_code_t)1000), "internal");
	CHECK_STR(wire_code_name((wire_code_t)-1), "internal");
}

TEST(test_err_set)
{
	char longer[400];
	wire_err_t e;

	memset(&e, 'x', sizeof(e));
	wire_err_set(&e, WERR_INVALID_FIELD, "severity", "must be %d..%d, not %d", 1, 5, 9);
	CHECK_INT(e.code, WERR_INVALID_FIELD);
	CHECK_STR(e.field, "severity");
	CHECK_STR(e.message, "must be 1..5, not 9");

	memset(&e, 'x', sizeof(e));
	wire_err_set(&e, WERR_BAD_REQUEST, NULL, "%s", "not a map");
	CHECK_INT(e.code, WERR_BAD_REQUEST);
	CHECK_STR(e.field, "");
	CHECK_STR(e.message, "not a map");

	/* long texts are cut to fit, still terminated */
	memset(longer, 'm', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	wire_err_set(&e, WERR_INVALID_FIELD, longer, "%s", longer);
	CHECK_INT(strlen(e.field), sizeof(e.field) - 1);
	CHECK_INT(strlen(e.message), sizeof(e.message) - 1);
	CHECK(strncmp(e.message, longer, sizeof(e.message) - 1) == 0);
}

static const struct {
	wire_msg_t  type;
	const char *name;
} msgs[] = {
	{WMSG_INCIDENT_CREATED, "incident.created"},
	{WMSG_INCIDENT_UPDATED, "incident.updated"},
	{WMSG_ESCALATION_CHANGED, "escalation.changed"},
};

TEST(test_msg_names)
{
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		const char *name = wire_msg_name(msgs[i].type);
		wire_msg_t back = wire_msg_type(msgs[i].name, strlen(msgs[i].name));

		if (name == NULL || strcmp(name, msgs[i].name) != 0)
			test_fail(__FILE__, __LINE__, "type %d is \"%s\", expected \"%s\"",
			    (int)msgs[i].type, name ? name : "(null)", msgs[i].name);
		if (back != msgs[i].type)
			test_fail(__FILE__, __LINE__, "\"%s\" is type %d, expected %d",
			    msgs[i].name, (int)back, (int)msgs[i].type);
	}
	CHECK_INT(WMSG_COUNT_ - 1, sizeof(msgs) / sizeof(msgs[0]));
}

/* name -> type -> name for every type the enum has */
TEST(test_msg_round_trip)
{
	for (int t = 1; t < WMSG_COUNT_; t++) {
		const char *name = wire_msg_name((wire_msg_t)t);

		CHECK(name != NULL);
		if (name == NULL)
			continue;
		CHECK_INT(wire_msg_type(name, strlen(name)), t);
		for (int u = 1; u < t; u++)
			if (strcmp(name, wire_msg_name((wire_msg_t)u)) == 0)
				test_fail(__FILE__, __LINE__, "types %d and %d share \"%s\"",
				    u, t, name);
	}
}

TEST(test_msg_unknown)
{
	static const char *const unknown[] = {
		"", "incident", "incident.", "incident.create", "incident.createdx",
		"incident.created ", " incident.created", "Incident.Created",
		"INCIDENT.CREATED", "incident_created", "escalation", "escalation.changed.",
		"link.deliver", "ping",
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		wire_msg_t t = wire_msg_type(unknown[i], strlen(unknown[i]));

		if (t != 0)
			test_fail(__FILE__, __LINE__, "\"%s\" is type %d, expected unknown",
			    unknown[i], (int)t);
	}
	/* exactly len bytes are compared, no more and no less */
	CHECK_INT(wire_msg_type("incident.createdXYZ", 16), WMSG_INCIDENT_CREATED);
	CHECK_INT(wire_msg_type("incident.created", 15), 0);
	CHECK_INT(wire_msg_type("incident.created\0", 17), 0);
	CHECK(wire_msg_name((wire_msg_t)0) == NULL);
	CHECK(wire_msg_name(WMSG_COUNT_) == NULL);
	CHECK(wire_msg_name((wire_msg_t)100) == NULL);
	CHECK(wire_msg_name((wire_msg_t)-1) == NULL);
}

/* A long message is cut at a character boundary, never inside one. */
TEST(test_err_message_cut_on_a_character)
{
	char district[401];
	wire_err_t e;

	for (int i = 0; i < 200; i++)
		memcpy(district + 2 * i, "\xc3\xa4", 2);     /* "ä" x 200 */
	district[400] = '\0';
	for (int pad = 0; pad < 4; pad++) {
		wire_err_set(&e, WERR_UNKNOWN_DISTRICT, "district", "%.*sunknown district '%s'",
		    pad, "xxx", district);
		CHECK(strlen(e.message) >= sizeof(e.message) - 4);
		CHECK(utf8_valid(e.message, strlen(e.message)));
	}
}

TEST_MAIN(test_err_message_cut_on_a_character, test_code_names, test_codes_complete, test_code_out_of_range,
    test_err_set, test_msg_names, test_msg_round_trip, test_msg_unknown)
