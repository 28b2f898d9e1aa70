/*
 * test_link_stale: a durable link whose receiver is away is warned about
 * and marked stale in status, once its oldest message is older than
 * links.stale_after; and looking at the backlog's age is rate-limited
 * (LINK_STALE_CHECK_MS), so a daemon whose loop ticks often does not count
 * a large backlog at every turn (bench/intake's "first submit after a
 * restart" shows the cost that had).
 */
#include "harness.h"
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

TEST_MAIN(a_link_whose_receiver_is_away_is_warned_about_and_marked_stale)
