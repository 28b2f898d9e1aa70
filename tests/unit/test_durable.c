/*
 * test_durable.c: which rows are on disk, from commits and syncs.
 */
#include "durable.h"
#include "test.h"

TEST(rows_go_when_their_generation_is_done)
{
	durable_t d = {0};

	CHECK_INT(durable_done(&d, 0), 0);
	durable_note(&d, 1, 10);        /* what the file held at start */
	durable_note(&d, 2, 15);
	durable_note(&d, 3, 15);        /* nothing new in this commit */
	CHECK_INT(durable_done(&d, 0), 0);
	CHECK_INT(durable_done(&d, 1), 10);
	CHECK_INT(durable_done(&d, 1), 10);
	durable_note(&d, 4, 20);
	CHECK_INT(durable_done(&d, 3), 15);
	CHECK_INT(durable_done(&d, 4), 20);
	CHECK_INT(d.n, 0);
}

TEST(a_full_queue_only_delays)
{
	durable_t d = {0};

	for (int g = 1; g <= DURABLE_MAX + 5; g++)
		durable_note(&d, (uint64_t)g, g * 10);
	CHECK_INT(d.n, DURABLE_MAX);
	/* the rows of generation 8 now wait for generation 13 */
	CHECK_INT(durable_done(&d, DURABLE_MAX), (DURABLE_MAX - 1) * 10);
	CHECK_INT(durable_done(&d, DURABLE_MAX + 5), (DURABLE_MAX + 5) * 10);
}

TEST_MAIN(rows_go_when_their_generation_is_done, a_full_queue_only_delays)
