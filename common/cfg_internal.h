/*
 * cfg_internal.h: what the three parts of the configuration loader share.
 * Private to common/cfg*.c; other modules include cfg.h.
 *
 *   cfg_walk.c    the generic walk: a schema is a table of cfg_key rows, each
 *                 of a kind (K_STR ... K_CUSTOM); the walk converts a YAML
 *                 tree into a struct by the table and records every problem
 *                 with its line and column; it knows no key of trygg's.
 *   cfg_schema.c  trygg's key tables, the custom setters and the checks that
 *                 span keys: what a person adding a configuration key edits.
 *   cfg.c         the public API: loading, freeing, and the lookups other
 *                 modules call on a loaded cfg_t.
 */
#ifndef TRYGG_CFG_INTERNAL_H
#define TRYGG_CFG_INTERNAL_H

#include "cfg.h"
#include "cfg_yaml.h"

#include <stdbool.h>
#include <stddef.h>

typedef cfg_yaml_node_t node_t;

typedef enum {
	K_STR = 1,      /* char *, not empty */
	K_ID,           /* char *, 1..CFG_MAX_ID of a-z 0-9 and key->chars */
	K_INT,          /* int, key->min..key->max */
	K_BOOL,         /* bool */
	K_DURATION,     /* int64_t milliseconds */
	K_DAYS,         /* int: a duration of whole days ("7d") */
	K_DATE,         /* int32_t civil day */
	K_HHMM,         /* int minute of the day */
	K_WEEKDAYS,     /* unsigned: bit d-1 for ISO weekday d */
	K_FROM,         /* int64_t local minutes; a bare date means its start */
	K_TO,           /* int64_t local minutes; a bare date means its end */
	K_ROLE,         /* cfg_role_t */
	K_ENDPOINT,     /* char *, a ZeroMQ endpoint */
	K_TIMEZONE,     /* char *, a zone name under the zoneinfo folder */
	K_PATH,         /* char *, resolved against the file's folder */
	K_STRLIST,      /* char ** at off, size_t count at noff */
	K_MAP,          /* a nested object at off, described by sub */
	K_LIST,         /* an array of sub objects at off, size_t count at noff */
	K_CUSTOM,       /* key->set converts and stores */
} cfg_kind_t;

#define F_REQUIRED  0x1         /* the key must be given */
#define F_UNIQUE    0x2         /* no two items of the list share the value */
#define F_NONEMPTY  0x4         /* lists: at least one item */

struct cfg_err;         /* one recorded problem (cfg_walk.c) */

/* One run of the loader. */
typedef struct {
	const char      *name;      /* the file, for messages */
	const char      *dir;       /* its folder, for relative paths */
	struct cfg_err  *errs;
	size_t           nerrs;
	const node_t    *root;
	cfg_t           *cfg;
} cfg_loader_t;

struct cfg_key;

typedef void (cfg_set_fn)(cfg_loader_t *, const struct cfg_key *,
    const node_t *, void *obj);
typedef void (cfg_check_fn)(cfg_loader_t *, const node_t *map,
    const node_t *where, void *obj);

struct cfg_schema {
	const struct cfg_key *keys;     /* ends with a NULL name */
	size_t                size;     /* of one object, for lists */
	cfg_check_fn         *check;    /* after the keys: checks across them */
};

struct cfg_key {
	const char              *name;
	cfg_kind_t               kind;
	int                      flags;
	size_t                   off;       /* where the value goes */
	size_t                   noff;      /* K_STRLIST, K_LIST: the count */
	const char              *dflt;      /* the default, as written in YAML */
	const struct cfg_schema *sub;       /* K_MAP, K_LIST */
	cfg_set_fn              *set;       /* K_CUSTOM */
	const char              *chars;     /* K_ID: allowed besides a-z 0-9 */
	long                     min, max;  /* K_INT */
	const char              *what;      /* K_CUSTOM: what it expects */
};

#define OFF(type, field) offsetof(type, field)
#define AT(obj, off)     ((void *)((char *)(obj) + (off)))

#define CFG_MAX_KEYS 24         /* the most keys of any one schema */

/* ---- cfg_schema.c ---- */

/* the whole file; its check runs the checks across the file */
extern const struct cfg_schema cfg_root_schema;

/* ---- cfg_walk.c: errors ---- */

/* Records a problem at the node's position (line 1, column 1 if NULL). */
void cfg_error(cfg_loader_t *l, const node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "'key': expected <what>, found <what n is>" */
void cfg_expected(cfg_loader_t *l, const struct cfg_key *k, const node_t *n,
    const char *what);
/* Hands the problems, in file order, to errors (may be NULL) and frees them. */
void cfg_flush_errors(cfg_loader_t *l, buf_t *errors);
/* Text from the file made safe to quote in a message: short, printable. */
const char *cfg_show_text(const char *s, size_t len, char out[64]);
/* the edit distance of two short strings, for "did you mean" */
size_t cfg_distance(const char *a, const char *b);

/* ---- cfg_walk.c: nodes ---- */

bool cfg_is_scalar(const node_t *n);
const node_t *cfg_get(const node_t *map, const char *key);
const node_t *cfg_item(const node_t *list, size_t i);
const node_t *cfg_pos(const node_t *a, const node_t *b);
/* path against the file's folder dir; returns a string the caller frees */
char *cfg_resolve(const char *dir, const char *path);

/* ---- cfg_walk.c: the walk ---- */

/*
 * Fills obj from the mapping n by schema s (n NULL: defaults only); where is
 * the node that messages about n point at.
 */
void cfg_walk_map(cfg_loader_t *l, const struct cfg_schema *s, const node_t *n,
    const node_t *where, void *obj);
/* Frees what the walk stored in obj, following the same schema. */
void cfg_free_obj(const struct cfg_schema *s, void *obj);

/* ---- cfg.c ---- */

/* Builds cfg's lookup tables, reporting a district claimed twice. */
void cfg_index_build(cfg_loader_t *l, cfg_t *cfg);

#endif
