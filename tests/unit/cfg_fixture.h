/*
 * cfg_fixture.h: the small valid configuration that the unit tests of the
 * configuration (test_cfg.c, test_cfg_retention.c) and of auth (test_auth.c)
 * build their cases on, and its loader.
 */
#ifndef TRYGG_CFG_FIXTURE_H
#define TRYGG_CFG_FIXTURE_H

#include <string.h>

#include "buf.h"
#include "cfg.h"

/* One team, one category, the contacts and rota it needs; cases add lines. */
#define CFG_BASE \
	"teams:\n" \
	"  - {id: t1, name: T1, districts: [Ryd, Berga], coordinator: c1}\n" \
	"categories:\n" \
	"  - {id: ovrigt, name: Övrigt}\n" \
	"contacts:\n" \
	"  - {id: chef, name: Chef, role: sakerhetschef}\n" \
	"  - {id: tib-1, name: TiB 1, role: tib}\n" \
	"  - {id: c1, name: C1, role: coordinator, team: t1}\n" \
	"rota: {contacts: [tib-1], start: 2026-01-05}\n"

/* yaml loaded as the file t.yaml in /etc/trygg; its errors into errs. */
static inline cfg_t *
cfg_fixture_load(const char *yaml, buf_t *errs)
{
	return cfg_load_string(yaml, strlen(yaml), "t.yaml", "/etc/trygg", errs);
}

#endif
