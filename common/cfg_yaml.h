/*
 * cfg_yaml.h: YAML text to a small tree of scalars, lists and mappings, each
 * node with the line and column it starts at. Private to common/cfg*.c: only
 * the configuration loader reads YAML.
 */
#ifndef TRYGG_CFG_YAML_H
#define TRYGG_CFG_YAML_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	CFG_YAML_SCALAR = 1,
	CFG_YAML_LIST,
	CFG_YAML_MAP,
} cfg_yaml_kind_t;

typedef struct cfg_yaml_node {
	cfg_yaml_kind_t          kind;
	int                      line;      /* 1-based */
	int                      col;       /* 1-based, in characters */
	char                    *str;       /* scalars: the text, NUL-terminated */
	size_t                   len;       /* scalars: its length in bytes */
	bool                     null;      /* scalars: plain "", "~" or "null" */
	struct cfg_yaml_node   **items;     /* lists: items; maps: key, value, ... */
	size_t                   nitems;    /* maps: twice the number of pairs */
} cfg_yaml_node_t;

typedef struct {
	int  line;
	int  col;
	char message[200];
} cfg_yaml_error_t;

/* Nesting deeper than this is refused rather than parsed. */
#define CFG_YAML_MAX_DEPTH 32

/*
 * Parses the first and only document of text into *root, which the caller
 * frees with cfg_yaml_free(); *root is NULL for an empty document. Returns
 * 0, or -1 with *err set on a syntax error (only the first one: libyaml
 * stops there).
 */
int cfg_yaml_parse(const char *text, size_t len, cfg_yaml_node_t **root,
    cfg_yaml_error_t *err);
void cfg_yaml_free(cfg_yaml_node_t **node_p);

#endif
