/*
 * durable.h: which rows of a growing table are on disk.
 *
 * A daemon that sends rows out of its own table (an outbox, notifications)
 * may send a row only once the commit that wrote it is durable. After each
 * commit it notes the table's last id with the commit's sync generation
 * (server.h's committed hook); when a generation is reported durable, the
 * rows up to the id noted with it may go (the durable hook).
 *
 *	durable_note(&d, gen, last_id);         committed hook
 *	if ((upto = durable_done(&d, done)) > 0) send rows <= upto;
 */
#ifndef TRYGG_DURABLE_H
#define TRYGG_DURABLE_H

#include <stdint.h>

#define DURABLE_MAX 8   /* commits whose sync is awaited; one or two in practice */

typedef struct {
	struct {
		uint64_t gen;
		int64_t  id;
	} q[DURABLE_MAX];
	int      n;
	int64_t  upto;      /* the highest id known durable */
} durable_t;

/* Rows up to id are durable once generation gen is. */
void durable_note(durable_t *d, uint64_t gen, int64_t id);
/* Generation done is durable: returns the highest id now durable (0 before any). */
int64_t durable_done(durable_t *d, uint64_t done);

#endif
