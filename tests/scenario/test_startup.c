/*
 * test_startup.c: what a daemon checks and claims before it serves, and the
 * limits it keeps while it does: the checks that trygg config check and -n
 * share, ping for make run, the frame limit that docs/protocol.md states.
 */
#include "harness.h"
#include "test.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* A zone file that exists but is not a zone: both checks refuse it. */
TEST(config_check_and_dash_n_agree_on_the_zone_file)
{
	harness_t *h = harness_new(NULL);
	const char *check[] = {"config", "check", NULL}, *n[] = {"-n", NULL};
	char tzdir[512], zone[600], *out;

	snprintf(tzdir, sizeof(tzdir), "%s/zoneinfo", h->dir);
	mkdir(tzdir, 0700);
	snprintf(zone, sizeof(zone), "%s/Europe", tzdir);
	mkdir(zone, 0700);
	snprintf(zone, sizeof(zone), "%s/Europe/Stockholm", tzdir);
	write_file(zone, "not a TZif file\n");

	CHECK_INT(harness_cli(h, &out, check), 0);
	free(out);
	CHECK_INT(harness_run(h, H_INTAKE, n, &out), 0);
	free(out);

	setenv("TZDIR", tzdir, 1);
	harness_setenv(h, "TZDIR", tzdir);
	CHECK_INT(harness_cli(h, &out, check), 78);
	CHECK_HAS(out, "time zone");
	free(out);
	CHECK_INT(harness_run(h, H_INTAKE, n, &out), 78);
	CHECK_HAS(out, "time zone");
	free(out);
	unsetenv("TZDIR");
	harness_destroy(&h);
}

TEST(ping_answers_for_make_run)
{
	harness_t *h = harness_new(NULL);
	const char *ping[] = {"ping", "intake", NULL}, *bad[] = {"ping", "nosuch", NULL};
	char *out;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(harness_cli(h, &out, ping), 0);
	CHECK_HAS(out, "intake answers on ipc://");
	free(out);
	CHECK_INT(harness_cli(h, &out, bad), 64);
	free(out);
	harness_destroy(&h);
}

/*
 * docs/protocol.md: over 64 KiB a frame is answered too_large, over 1 MiB
 * it is dropped with no reply; the daemon serves on either way.
 */
TEST(frame_limits_are_the_documented_ones)
{
	harness_t *h = harness_new(NULL);
	static const struct {
		size_t      len;
		const char *code;       /* NULL: no reply */
	} cases[] = {
		{WIRE_MAX_FRAME + 1, "too_large"},
		{1024 * 1024 - 64, "too_large"},
		{1024 * 1024 + 64, NULL},
		{2 * 1024 * 1024, NULL},
	};
	char *big = malloc(2 * 1024 * 1024 + 1);
	pack_t *ping = harness_req("ping");

	pack_map_close(ping);
	memset(big, 'x', 2 * 1024 * 1024);
	CHECK_INT(harness_start(h, H_INTAKE), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const msgpack_object *r = harness_call_raw(h, H_INTAKE, big, cases[i].len);

		if (cases[i].code == NULL && r != NULL)
			test_fail(__FILE__, __LINE__, "case %zu: a reply to %zu bytes", i, cases[i].len);
		if (cases[i].code != NULL && (r == NULL || strcmp(h_code(r), cases[i].code) != 0))
			test_fail(__FILE__, __LINE__, "case %zu: %zu bytes not answered %s", i,
			    cases[i].len, cases[i].code);
		CHECK(h_ok(harness_call(h, H_INTAKE, ping)));
	}
	pack_destroy(&ping);
	free(big);
	harness_destroy(&h);
}

TEST_MAIN(config_check_and_dash_n_agree_on_the_zone_file, ping_answers_for_make_run,
    frame_limits_are_the_documented_ones)
