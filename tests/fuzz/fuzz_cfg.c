/*
 * fuzz_cfg.c: libFuzzer target for the configuration loader. Any input
 * either loads or yields error lines; nothing crashes or leaks, and every
 * error line has the "name:line:col: message" shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf_t errs = BUF_INIT;
	cfg_t *cfg;

	cfg = cfg_load_string((const char *)data, size, "fuzz.yaml", "/tmp",
	    &errs);
	if (cfg != NULL) {
		/* a configuration that loads answers its lookups */
		if (errs.len != 0)
			abort();
		for (size_t i = 0; i < cfg->nteams; i++)
			for (size_t j = 0; j < cfg->teams[i].ndistricts; j++)
				if (cfg_team_by_district(cfg,
				    cfg->teams[i].districts[j],
				    strlen(cfg->teams[i].districts[j]),
				    NULL) != &cfg->teams[i])
					abort();
		cfg_team_by_district(cfg, (const char *)data,
		    size > 64 ? 64 : size, NULL);
		cfg_destroy(&cfg);
	} else {
		if (errs.len == 0 || strncmp(errs.data, "fuzz.yaml:", 10) != 0 ||
		    errs.data[errs.len - 1] != '\n')
			abort();
	}
	buf_free(&errs);
	return 0;
}
