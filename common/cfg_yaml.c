/*
 * cfg_yaml.c: libyaml's event stream turned into a tree of nodes that keep
 * their line and column, so that the configuration checks (cfg_walk.c,
 * cfg_schema.c) can point at the offending key or value. Aliases, a second
 * document and nesting beyond CFG_YAML_MAX_DEPTH are refused: a
 * configuration needs none of them, and refusing them bounds the work any
 * input can cause. Scalars
 * are put in NFC: a district or a name typed on a Mac (NFD) is then shown
 * and stored like every other text.
 */
#include "cfg_yaml.h"
#include "mem.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static void
cfg_yaml_seterr(cfg_yaml_error_t *err, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	err->line = (int)mark.line + 1;
	err->col = (int)mark.column + 1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* The line and column of a byte offset, for libyaml's reader errors. */
static void
cfg_yaml_locate(const char *text, size_t len, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static void
cfg_yaml_syntax(yaml_parser_t *p, const char *text, size_t len,
    cfg_yaml_error_t *err)
{
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_READER_ERROR) {
		cfg_yaml_locate(text, len, p->problem_offset, &err->line,
		    &err->col);
		snprintf(err->message, sizeof(err->message), "%s", problem);
		if (p->problem_value != -1 && strstr(problem, "UTF") != NULL)
			snprintf(err->message, sizeof(err->message),
			    "%s (byte 0x%02x)", problem, p->problem_value & 0xff);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		err->line = err->col = 1;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return;
	}
	if (p->context != NULL)
		cfg_yaml_seterr(err, p->problem_mark, "%s (%s at %d:%d)",
		    problem, p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		cfg_yaml_seterr(err, p->problem_mark, "%s", problem);
}

static cfg_yaml_node_t *
cfg_yaml_node(cfg_yaml_kind_t kind, yaml_mark_t mark)
{
	cfg_yaml_node_t *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = (int)mark.line + 1;
	n->col = (int)mark.column + 1;
	return n;
}

static void
cfg_yaml_append(cfg_yaml_node_t *parent, cfg_yaml_node_t *child)
{
	/* grow at powers of two */
	if ((parent->nitems & (parent->nitems - 1)) == 0)
		parent->items = xrealloc(parent->items,
		    (parent->nitems ? parent->nitems * 2 : 1) *
		    sizeof(*parent->items));
	parent->items[parent->nitems++] = child;
}

static bool
cfg_yaml_is_null(const yaml_event_t *ev)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(v, nulls[i]) == 0)
			return true;
	return false;
}

int
cfg_yaml_parse(const char *text, size_t len, cfg_yaml_node_t **root,
    cfg_yaml_error_t *err)
{
	cfg_yaml_node_t *stack[CFG_YAML_MAX_DEPTH];
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t depth = 0;
	int ndocs = 0, rc = -1;
	bool done = false;

	*root = NULL;
	memset(err, 0, sizeof(*err));
	if (!yaml_parser_initialize(&parser)) {
		err->line = err->col = 1;
		snprintf(err->message, sizeof(err->message), "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		cfg_yaml_node_t *n = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			cfg_yaml_syntax(&parser, text, len, err);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				cfg_yaml_seterr(err, ev.start_mark,
				    "only one YAML document is allowed");
				goto out_event;
			}
			break;
		case YAML_ALIAS_EVENT:
			cfg_yaml_seterr(err, ev.start_mark,
			    "aliases are not supported (*%.40s)",
			    (const char *)ev.data.alias.anchor);
			goto out_event;
		case YAML_SCALAR_EVENT:
			n = cfg_yaml_node(CFG_YAML_SCALAR, ev.start_mark);
			{
				buf_t b = BUF_INIT;

				/* libyaml hands over UTF-8 only; if not, keep the bytes */
				if (utf8_nfc((const char *)ev.data.scalar.value,
				    ev.data.scalar.length, &b) < 0)
					buf_append(&b, ev.data.scalar.value,
					    ev.data.scalar.length);
				n->str = b.data;
				n->len = b.len;
			}
			n->null = cfg_yaml_is_null(&ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth == CFG_YAML_MAX_DEPTH) {
				cfg_yaml_seterr(err, ev.start_mark,
				    "nesting deeper than %d levels",
				    CFG_YAML_MAX_DEPTH);
				goto out_event;
			}
			n = cfg_yaml_node(ev.type == YAML_MAPPING_START_EVENT ?
			    CFG_YAML_MAP : CFG_YAML_LIST, ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n != NULL) {
			if (depth > 0)
				cfg_yaml_append(stack[depth - 1], n);
			else if (*root == NULL)
				*root = n;
			else
				cfg_yaml_free(&n);      /* cannot happen: one document */
			if (n != NULL && n->kind != CFG_YAML_SCALAR)
				stack[depth++] = n;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto out;
out_event:
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&parser);
	if (rc != 0)
		cfg_yaml_free(root);
	return rc;
}

void
cfg_yaml_free(cfg_yaml_node_t **node_p)
{
	cfg_yaml_node_t *n;

	if (node_p == NULL || (n = *node_p) == NULL)
		return;
	for (size_t i = 0; i < n->nitems; i++)
		cfg_yaml_free(&n->items[i]);
	free(n->items);
	free(n->str);
	free(n);
	*node_p = NULL;
}
