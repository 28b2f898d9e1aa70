/*
 * notify.h: one run of a contact's notify command, as docs/notify.md
 * promises it: the channel's argv, the notification as compact JSON on
 * stdin, and the TRYGG_* environment.
 *
 * Kept apart from proc.h, which knows nothing of contacts, and from the
 * escalation daemon, so that the contract in docs/notify.md is written in
 * one place and tested (tests/unit/test_notify.c):
 *
 *	notify_run_t *run = notify_run_new(contact, notification, try_no, arg,
 *	    err, sizeof(err));
 *	id = proc_start(p, notify_run_spec(run), err, sizeof(err));
 *	notify_run_destroy(&run);       // proc_start copied what it needs
 *
 * notification is the msgpack map published on the PUB socket: it must
 * have "escalation" (integer or string), "incident" (string), "step" and
 * "attempt" (integers); the rest is passed through as it is.
 */
#ifndef TRYGG_NOTIFY_H
#define TRYGG_NOTIFY_H

#include <msgpack.h>

#include "buf.h"
#include "cfg.h"
#include "proc.h"

typedef struct notify_run notify_run_t;

/*
 * Prepares the run of contact c's channel for one notification; try_no is
 * 1 for the first run and one more for each retry; arg goes into the spec.
 * Returns a notify_run_t the caller destroys, or NULL with err filled when
 * the contact has no channel or the notification lacks a field.
 */
notify_run_t *notify_run_new(const cfg_contact_t *c,
    const msgpack_object *notification, int try_no, void *arg, char *err,
    size_t errlen);
void notify_run_destroy(notify_run_t **self_p);
/* The spec for proc_start; valid as long as the run. */
const proc_spec_t *notify_run_spec(const notify_run_t *run);
/* The JSON written to stdin, NUL-terminated, e.g. to record it. */
const char *notify_run_json(const notify_run_t *run);

/*
 * Checks that each channel's program exists and is executable (a bare
 * name: somewhere in PATH), for a warning at start-up: a missing SMS
 * script should be noticed then, not at the first escalation. Appends one
 * line per problem to out; returns how many.
 */
int notify_check_commands(const cfg_t *cfg, buf_t *out);

#endif
