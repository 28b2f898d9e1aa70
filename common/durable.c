/*
 * durable.c: which rows of a growing table are on disk (durable.h).
 */
#include "durable.h"

#include <string.h>

void
durable_note(durable_t *d, uint64_t gen, int64_t id)
{
	int k = d->n;

	if ((k > 0 ? d->q[k - 1].id : d->upto) >= id)
		return;         /* nothing new since the last note */
	if (k == DURABLE_MAX)
		k--;            /* full: the newest takes the later generation, only a delay */
	d->q[k].gen = gen;
	d->q[k].id = id;
	d->n = k + 1;
}

int64_t
durable_done(durable_t *d, uint64_t done)
{
	int k = 0;

	while (k < d->n && d->q[k].gen <= done) {
		if (d->q[k].id > d->upto)
			d->upto = d->q[k].id;
		k++;
	}
	memmove(d->q, d->q + k, (size_t)(d->n - k) * sizeof(d->q[0]));
	d->n -= k;
	return d->upto;
}
