/*
 * escalation.h: trygg-escalation's modules.
 *
 * trygg-escalation decides who must act on an escalation now (the
 * säkerhetschef in office hours, the TiB on duty otherwise: common/oncall.h)
 * and answers requests about it. This first part answers ping and oncall;
 * it owns no database yet.
 *
 *   main.c                 options, configuration, the poll loop, dispatch
 *   escalation_oncall.c    the oncall operation
 */
#ifndef TRYGG_ESCALATION_H
#define TRYGG_ESCALATION_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "msg.h"
#include "pack.h"
#include "tz.h"

#define ESCALATION_SERVICE "trygg-escalation"

typedef struct {
	const cfg_t *cfg;
	tz_t        *tz;
} escalation_t;

/* escalation_oncall.c: answers {"op":"oncall","at"?: RFC 3339} into reply */
void escalation_oncall(escalation_t *esc, const msg_t *m, pack_t *reply);

#endif
