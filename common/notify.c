/*
 * notify.c: a notify command's argv, stdin and environment (docs/notify.md).
 */
#include "notify.h"
#include "json.h"
#include "mem.h"
#include "msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the variables of docs/notify.md, "Environment" */
enum {
	E_CONTACT_ID, E_CONTACT_NAME, E_CONTACT_ROLE, E_CONTACT_ADDRESS,
	E_CHANNEL, E_ESCALATION, E_INCIDENT, E_STEP, E_ATTEMPT, E_TRY,
	E_COUNT
};

struct notify_run {
	proc_spec_t  spec;
	buf_t        json;
	char        *env[E_COUNT + 1];
};

static void
notify_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
notify_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "NAME=value" the caller frees */
static char *
notify_var(const char *name, const char *value, size_t len)
{
	buf_t b = BUF_INIT;

	buf_printf(&b, "%s=", name);
	buf_append(&b, value, len);
	return b.data;
}

#define T_INT 0x1
#define T_STR 0x2

/*
 * The value under key as text for the environment: an integer (T_INT) or
 * a string without NUL (T_STR), as types allows. Returns -1 when it is
 * missing or of another type.
 */
static int
notify_field(const msgpack_object *n, const char *key, int types,
    char num[32], const char **s, size_t *len)
{
	const msgpack_object *o = msg_map_get(n, key);
	bool strings = (types & T_STR) != 0;

	if (o == NULL)
		return -1;
	if (!(types & T_INT) && o->type != MSGPACK_OBJECT_STR)
		return -1;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		snprintf(num, 32, "%" PRIu64, o->via.u64);
	} else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		snprintf(num, 32, "%" PRId64, o->via.i64);
	} else if (strings && o->type == MSGPACK_OBJECT_STR &&
	    o->via.str.size > 0 && memchr(o->via.str.ptr, '\0',
	    o->via.str.size) == NULL) {
		*s = o->via.str.ptr;
		*len = o->via.str.size;
		return 0;
	} else {
		return -1;
	}
	*s = num;
	*len = strlen(num);
	return 0;
}

notify_run_t *
notify_run_new(const cfg_contact_t *c, const msgpack_object *notification,
    int try_no, void *arg, char *err, size_t errlen)
{
	static const struct {
		const char *key, *var;
		int         slot;
		int         types;
	} fields[] = {
		{"escalation", "TRYGG_ESCALATION", E_ESCALATION, T_INT | T_STR},
		{"incident", "TRYGG_INCIDENT", E_INCIDENT, T_STR},
		{"step", "TRYGG_STEP", E_STEP, T_INT},
		{"attempt", "TRYGG_ATTEMPT", E_ATTEMPT, T_INT},
	};
	const cfg_channel_t *ch;
	notify_run_t *run;
	char num[32];

	if (c == NULL || (ch = c->channel) == NULL || ch->command == NULL ||
	    ch->ncommand == 0) {
		notify_err(err, errlen, "notify_run_new: contact '%s' has no "
		    "notify channel", c && c->id ? c->id : "?");
		return NULL;
	}
	if (notification == NULL ||
	    notification->type != MSGPACK_OBJECT_MAP || try_no < 1) {
		notify_err(err, errlen, "notify_run_new: %s", try_no < 1 ?
		    "try_no must be 1 or more" : "the notification is not a map");
		return NULL;
	}
	run = xcalloc(1, sizeof(*run));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *s;
		size_t len;

		if (notify_field(notification, fields[i].key, fields[i].types,
		    num, &s, &len) != 0) {
			notify_err(err, errlen, "notify_run_new: the notification "
			    "lacks '%s' or it has the wrong type", fields[i].key);
			notify_run_destroy(&run);
			return NULL;
		}
		run->env[fields[i].slot] = notify_var(fields[i].var, s, len);
	}
#define STR(v) (v) ? (v) : "", (v) ? strlen(v) : 0
	run->env[E_CONTACT_ID] = notify_var("TRYGG_CONTACT_ID", STR(c->id));
	run->env[E_CONTACT_NAME] = notify_var("TRYGG_CONTACT_NAME",
	    STR(c->name));
	run->env[E_CONTACT_ROLE] = notify_var("TRYGG_CONTACT_ROLE",
	    STR(cfg_role_name(c->role)));
	run->env[E_CONTACT_ADDRESS] = notify_var("TRYGG_CONTACT_ADDRESS",
	    STR(c->address));
	run->env[E_CHANNEL] = notify_var("TRYGG_CHANNEL", STR(ch->id));
#undef STR
	snprintf(num, sizeof(num), "%d", try_no);
	run->env[E_TRY] = notify_var("TRYGG_TRY", num, strlen(num));
	json_from_msgpack(notification, &run->json, false);
	run->spec = (proc_spec_t){
		.argv = (const char *const *)ch->command,
		.env = (const char *const *)run->env,
		.input = run->json.data,
		.input_len = run->json.len,
		.timeout_ms = ch->timeout_ms,
		.arg = arg,
	};
	return run;
}

void
notify_run_destroy(notify_run_t **self_p)
{
	notify_run_t *run;

	if (self_p == NULL || (run = *self_p) == NULL)
		return;
	for (int i = 0; i < E_COUNT; i++)
		free(run->env[i]);
	buf_free(&run->json);
	free(run);
	*self_p = NULL;
}

const proc_spec_t *
notify_run_spec(const notify_run_t *run)
{
	return &run->spec;
}

const char *
notify_run_json(const notify_run_t *run)
{
	return buf_str(&run->json);
}

/* true when name (with a '/') or some PATH entry/name is executable */
static int
notify_find(const char *name)
{
	const char *path = getenv("PATH"), *p;
	int e = ENOENT;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0 ? 0 : errno;
	if (path == NULL || path[0] == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; ) {
		size_t n = strcspn(p, ":");
		buf_t b = BUF_INIT;
		int ok;

		if (n == 0)
			buf_puts(&b, ".");
		else
			buf_append(&b, p, n);
		buf_printf(&b, "/%s", name);
		ok = access(buf_str(&b), X_OK) == 0;
		if (!ok && errno == EACCES)
			e = EACCES;
		buf_free(&b);
		if (ok)
			return 0;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return e;
}

int
notify_check_commands(const cfg_t *cfg, buf_t *out)
{
	int problems = 0;

	for (size_t i = 0; cfg != NULL && i < cfg->nchannels; i++) {
		const cfg_channel_t *ch = &cfg->channels[i];
		int e;

		if (ch->command == NULL || ch->command[0] == NULL)
			continue;
		if ((e = notify_find(ch->command[0])) == 0)
			continue;
		problems++;
		if (out != NULL)
			buf_printf(out, "notify channel '%s': cannot run %s: %s\n",
			    ch->id, ch->command[0], strerror(e));
	}
	return problems;
}
