/*
 * cfg.c: the configuration's public API (cfg.h): loading a file or a string,
 * freeing, the lookup tables built after a load, and the lookups other
 * modules call on a loaded cfg_t (a team by id or district, a category, a
 * contact, a channel, cfg_keep_cutoff, cfg_keys for the docs). cfg_role_name
 * lives with the table of role names in cfg_walk.c, where K_ROLE reads them.
 *
 * The loader parses the YAML (cfg_yaml.c) and walks it (cfg_walk.c) against
 * trygg's schema (cfg_schema.c); cfg_internal.h says what they share.
 */
#include "cfg_internal.h"
#include "mem.h"
#include "ts.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_FILE    (1024 * 1024)   /* a larger file is surely a mistake */

/* one entry of a sorted lookup table */
struct cfg_ent {
	const char *key;
	size_t      len;
	const void *val;
	const char *canon;      /* districts: the configured spelling */
	size_t      seq;        /* the order of definition */
};

struct cfg_index {
	struct cfg_ent *teams, *categories, *contacts, *districts;
	size_t          nteams, ncategories, ncontacts, ndistricts;
};

/* ---- the index ---- */

static int
cfg_ent_cmp(const void *a, const void *b)
{
	const struct cfg_ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct cfg_ent *
cfg_find(const struct cfg_ent *a, size_t n, const char *key, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t m = a[mid].len < len ? a[mid].len : len;
		int c = memcmp(a[mid].key, key, m);

		if (c == 0)
			c = a[mid].len < len ? -1 : a[mid].len > len;
		if (c == 0)
			return &a[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A sorted table of the id field of each of count objects. */
static struct cfg_ent *
cfg_index_ids(const void *arr, size_t count, size_t size, size_t off,
    size_t *n)
{
	struct cfg_ent *e = xcalloc(count ? count : 1, sizeof(*e));

	*n = 0;
	for (size_t i = 0; i < count; i++) {
		const void *obj = (const char *)arr + i * size;
		const char *id = *(char *const *)((const char *)obj + off);

		if (id == NULL)
			continue;
		e[*n] = (struct cfg_ent){id, strlen(id), obj, id, i};
		(*n)++;
	}
	qsort(e, *n, sizeof(*e), cfg_ent_cmp);
	return e;
}

/*
 * Builds the lookup tables, reporting a district that two teams (or one
 * team twice) claim: the first claim stays.
 */
void
cfg_index_build(cfg_loader_t *l, cfg_t *cfg)
{
	struct cfg_index *ix = xcalloc(1, sizeof(*ix));
	const node_t *teams = cfg_get(l->root, "teams");
	size_t total = 0, n = 0;

	cfg->index_ = ix;
	ix->teams = cfg_index_ids(cfg->teams, cfg->nteams, sizeof(cfg_team_t),
	    OFF(cfg_team_t, id), &ix->nteams);
	ix->categories = cfg_index_ids(cfg->categories, cfg->ncategories,
	    sizeof(cfg_category_t), OFF(cfg_category_t, id), &ix->ncategories);
	ix->contacts = cfg_index_ids(cfg->contacts, cfg->ncontacts,
	    sizeof(cfg_contact_t), OFF(cfg_contact_t, id), &ix->ncontacts);

	for (size_t i = 0; i < cfg->nteams; i++)
		total += cfg->teams[i].ndistricts;
	ix->districts = xcalloc(total ? total : 1, sizeof(*ix->districts));
	for (size_t i = 0; i < cfg->nteams; i++) {
		const cfg_team_t *t = &cfg->teams[i];

		for (size_t j = 0; j < t->ndistricts; j++) {
			buf_t b = BUF_INIT;

			if (t->districts[j] == NULL)
				continue;
			utf8_fold(t->districts[j], strlen(t->districts[j]), &b);
			ix->districts[n++] = (struct cfg_ent){b.data, b.len, t,
			    t->districts[j], (i << 16) | j};
		}
	}
	qsort(ix->districts, n, sizeof(*ix->districts), cfg_ent_cmp);

	ix->ndistricts = 0;
	for (size_t i = 0; i < n; i++) {
		struct cfg_ent *e = &ix->districts[i];
		const struct cfg_ent *first;
		const node_t *at;
		char text[64];

		if (ix->ndistricts == 0 ||
		    (first = &ix->districts[ix->ndistricts - 1])->len != e->len ||
		    memcmp(first->key, e->key, e->len) != 0) {
			ix->districts[ix->ndistricts++] = *e;
			continue;
		}
		at = cfg_item(cfg_get(cfg_item(teams, e->seq >> 16),
		    "districts"), e->seq & 0xffff);
		cfg_show_text(e->canon, strlen(e->canon), text);
		if (first->val == e->val)
			cfg_error(l, at, "district '%s' is listed twice", text);
		else
			cfg_error(l, at, "district '%s' already belongs to team "
			    "'%s'", text, ((const cfg_team_t *)first->val)->id ?
			    ((const cfg_team_t *)first->val)->id : "?");
		free((char *)e->key);
	}
}

static void
cfg_index_free(struct cfg_index **ix_p)
{
	struct cfg_index *ix = *ix_p;

	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->ndistricts; i++)
		free((char *)ix->districts[i].key);
	free(ix->districts);
	free(ix->teams);
	free(ix->categories);
	free(ix->contacts);
	free(ix);
	*ix_p = NULL;
}

/* ---- loading ---- */

cfg_t *
cfg_load_string(const char *yaml, size_t len, const char *name,
    const char *dir, buf_t *errors)
{
	cfg_loader_t l = {name ? name : "<string>", dir ? dir : ".", NULL, 0,
	    NULL, NULL};
	cfg_yaml_error_t yerr;
	node_t *root = NULL;
	cfg_t *cfg = NULL;

	if (cfg_yaml_parse(yaml ? yaml : "", yaml ? len : 0, &root, &yerr) != 0) {
		node_t at = {.line = yerr.line, .col = yerr.col};

		cfg_error(&l, &at, "%s", yerr.message);
	} else if (root == NULL) {
		cfg_error(&l, NULL, "the configuration is empty");
	} else if (root->kind != CFG_YAML_MAP) {
		cfg_error(&l, root, "the configuration must be a mapping of "
		    "keys, not %s", root->kind == CFG_YAML_LIST ? "a list" :
		    "a single value");
	} else {
		cfg = xcalloc(1, sizeof(*cfg));
		cfg->path = xstrdup(l.name);
		l.root = root;
		l.cfg = cfg;
		cfg_walk_map(&l, &cfg_root_schema, root, root, cfg);
	}
	cfg_yaml_free(&root);
	if (l.nerrs > 0) {
		cfg_flush_errors(&l, errors);
		cfg_destroy(&cfg);
	}
	return cfg;
}

cfg_t *
cfg_load(const char *path, buf_t *errors)
{
	buf_t text = BUF_INIT;
	char *dir, *slash, chunk[8192];
	cfg_t *cfg = NULL;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    text.len <= CFG_MAX_FILE)
		buf_append(&text, chunk, n);
	if (ferror(f))
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
	else if (text.len > CFG_MAX_FILE)
		buf_printf(errors, "%s: larger than %d bytes\n", path,
		    CFG_MAX_FILE);
	else {
		dir = xstrdup(path);
		if ((slash = strrchr(dir, '/')) == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		cfg = cfg_load_string(buf_str(&text), text.len, path, dir,
		    errors);
		free(dir);
	}
	fclose(f);
	buf_free(&text);
	return cfg;
}

void
cfg_destroy(cfg_t **self_p)
{
	cfg_t *cfg;

	if (self_p == NULL || (cfg = *self_p) == NULL)
		return;
	cfg_free_obj(&cfg_root_schema, cfg);
	cfg_index_free(&cfg->index_);
	free(cfg->path);
	free(cfg);
	*self_p = NULL;
}

/* ---- lookups ---- */

const cfg_team_t *
cfg_team_by_district(const cfg_t *cfg, const char *name, size_t len,
    const char **canonical)
{
	const struct cfg_ent *e = NULL;
	buf_t b = BUF_INIT;

	if (cfg == NULL || cfg->index_ == NULL || name == NULL)
		return NULL;
	utf8_fold(name, len, &b);
	if (b.len > 0)
		e = cfg_find(cfg->index_->districts, cfg->index_->ndistricts,
		    b.data, b.len);
	buf_free(&b);
	if (e == NULL)
		return NULL;
	if (canonical != NULL)
		*canonical = e->canon;
	return e->val;
}

const cfg_team_t *
cfg_team(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->teams, cfg->index_->nteams, id, len);
	return e ? e->val : NULL;
}

const cfg_category_t *
cfg_category(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->categories, cfg->index_->ncategories, id, len);
	return e ? e->val : NULL;
}

/* ids are lower-case ASCII (cfg_is_id), so an id folds to itself */
const cfg_category_t *
cfg_category_as_typed(const cfg_t *cfg, const char *name, size_t len)
{
	const cfg_category_t *c;
	buf_t b = BUF_INIT;

	if (name == NULL)
		return NULL;
	utf8_fold(name, len, &b);
	c = cfg_category(cfg, buf_str(&b), b.len);
	buf_free(&b);
	return c;
}

const cfg_contact_t *
cfg_contact(const cfg_t *cfg, const char *id, size_t len)
{
	const struct cfg_ent *e;

	if (cfg == NULL || cfg->index_ == NULL || id == NULL)
		return NULL;
	e = cfg_find(cfg->index_->contacts, cfg->index_->ncontacts, id, len);
	return e ? e->val : NULL;
}

const cfg_channel_t *
cfg_channel(const cfg_t *cfg, const char *id, size_t len)
{
	for (size_t i = 0; cfg != NULL && id != NULL && i < cfg->nchannels; i++)
		if (cfg->channels[i].id != NULL &&
		    strlen(cfg->channels[i].id) == len &&
		    memcmp(cfg->channels[i].id, id, len) == 0)
			return &cfg->channels[i];
	return NULL;
}

const cfg_contact_t *
cfg_contact_by_role(const cfg_t *cfg, cfg_role_t role)
{
	for (size_t i = 0; cfg != NULL && i < cfg->ncontacts; i++)
		if (cfg->contacts[i].role == role)
			return &cfg->contacts[i];
	return NULL;
}

int64_t
cfg_keep_cutoff(const cfg_keep_t *k, int64_t now)
{
	int64_t day = now >= 0 ? now / 86400000 : (now - 86399999) / 86400000;
	int64_t in_day = now - day * 86400000;
	int y, m, d, months;

	if (k->months <= 0)
		return now - k->ms;
	ts_civil_from_days((int32_t)day, &y, &m, &d);
	months = y * 12 + (m - 1) - k->months;
	y = months / 12;
	m = months % 12 + 1;
	if (d > ts_days_in_month(y, m))
		d = ts_days_in_month(y, m);
	return (int64_t)ts_days_from_civil(y, m, d) * 86400000 + in_day;
}

/* ---- the schema's keys, for the docs ---- */

static void
cfg_keys_walk(const struct cfg_schema *s, char *path, size_t len, size_t cap,
    void (*fn)(const char *, void *), void *arg)
{
	for (const struct cfg_key *k = s->keys; k->name != NULL; k++) {
		int n = snprintf(path + len, cap - len, "%s%s", len > 0 ? "." : "", k->name);

		if (n < 0 || (size_t)n >= cap - len)
			continue;       /* deeper than any schema goes */
		fn(path, arg);
		if (k->sub != NULL)
			cfg_keys_walk(k->sub, path, len + (size_t)n, cap, fn, arg);
		path[len] = '\0';
	}
}

void
cfg_keys(void (*fn)(const char *path, void *arg), void *arg)
{
	char path[256] = "";

	cfg_keys_walk(&cfg_root_schema, path, 0, sizeof(path), fn, arg);
}
