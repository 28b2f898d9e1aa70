/*
 * test_link_stale: a durable link whose receiver is away is warned about
 * and marked stale in status, once its oldest message is older than
 * links.stale_after; and looking at the backlog's age is rate-limited
 * (LINK_STALE_CHECK_MS), so a daemon whose loop ticks often does not count
 * a large backlog at every turn (bench/intake's "first submit after a
 * restart" shows the cost that had); and counting it reads no more than
 * LINK_BACKLOG_COUNT_MAX + 1 rows, so status says "more" past that bound;
 * and each link's warning is written, whatever the other link logs.
 */
#include "harness.h"
#include "link.h"
#include "load.h"
#include "pack.h"
#include "test.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STALE_WAIT_MS 30000     /* stale_after + LINK_STALE_CHECK_MS, with room */

static const msgpack_object *
status(harness_t *h)
{
	pack_t *p = pack_new();
	const msgpack_object *o;

	pack_map_open(p);
	pack_kv_int(p, "v", 1);
	pack_kv_str(p, "op", WIRE_OP_STATUS);
	pack_map_close(p);
	o = harness_call(h, H_INTAKE, p);
	pack_destroy(&p);
	return o;
}

TEST(a_link_whose_receiver_is_away_is_warned_about_and_marked_stale)
{
	harness_t *h = harness_new("links:\n  stale_after: 1s\n");
	pack_t *p = pack_new();
	bool warned = false, stale = false;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	/* trygg-reporting is not started: nobody acknowledges */
	load_build_submit(p, (void *)"stale-1", 0);
	CHECK(h_ok(harness_call(h, H_INTAKE, p)));
	pack_destroy(&p);
	for (int waited = 0; waited < STALE_WAIT_MS && !(warned && stale); waited += 200) {
		char *log = harness_log(h, H_INTAKE);
		const msgpack_object *o;

		warned = log != NULL && strstr(log, "not yet acknowledged by") != NULL;
		free(log);
		o = status(h);
		/* every incident goes to reporting (to escalation only what escalates) */
		stale = o != NULL && h_ok(o) &&
		    h_bool(h_get(h_get(o, "links"), "reporting"), "stale");
		if (!(warned && stale))
			usleep(200 * 1000);
	}
	CHECK(warned);
	CHECK(stale);
	harness_destroy(&h);
}

/*
 * A backlog is counted up to LINK_BACKLOG_COUNT_MAX: status then gives
 * that many and "backlog_more", and the warning says "more than". Below
 * the bound, the count is exact and backlog_more false.
 */
TEST(a_large_backlog_is_counted_up_to_its_bound)
{
	harness_t *h = harness_new("links:\n  stale_after: 1s\n");
	load_result_t r;
	const msgpack_object *o, *rep;
	bool warned = false;

	CHECK_INT(harness_start(h, H_INTAKE), 0);
	CHECK_INT(load_submits(h, "few", 3, 1, &r), 0);
	o = status(h);
	rep = h_get(h_get(o, "links"), "reporting");
	CHECK_INT(h_int(rep, "backlog"), 3);
	CHECK(h_get(rep, "backlog_more") != NULL && !h_bool(rep, "backlog_more"));

	CHECK_INT(load_submits(h, "many", LINK_BACKLOG_COUNT_MAX, 16, &r), 0);
	CHECK_INT(r.failed, 0);
	o = status(h);
	rep = h_get(h_get(o, "links"), "reporting");
	CHECK_INT(h_int(rep, "backlog"), LINK_BACKLOG_COUNT_MAX);
	CHECK(h_bool(rep, "backlog_more"));
	{
		char *out = NULL;

		/* 69: the other daemons are down; the client shows the bound as such */
		CHECK_INT(harness_cli(h, &out, (const char *const[]){"status", NULL}), 69);
		CHECK(out != NULL && strstr(out, "link → reporting: backlog 10000+") != NULL);
		free(out);
	}
	/* both links are named: one link's warning does not hide the other's */
	for (int waited = 0; waited < STALE_WAIT_MS && !warned; waited += 200) {
		char *log = harness_log(h, H_INTAKE);

		warned = log != NULL && strstr(log, "link reporting: more than 10000 messages "
		    "not yet acknowledged") != NULL && strstr(log, "link escalation: ") != NULL;
		free(log);
		if (!warned)
			usleep(200 * 1000);
	}
	CHECK(warned);
	harness_destroy(&h);
}

TEST_MAIN(a_link_whose_receiver_is_away_is_warned_about_and_marked_stale,
    a_large_backlog_is_counted_up_to_its_bound)
