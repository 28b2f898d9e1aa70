/*
 * test_notify.c: a notify command's argv, stdin and environment
 * (common/notify.c), checked by running a command through proc that
 * writes down what it got, and the start-up check of channel commands.
 */
#include "../test.h"
#include "mpbuild.h"

#include "buf.h"
#include "cfg.h"
#include "notify.h"
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static proc_result_t last;
static char last_output[PROC_CAPTURE_MAX + 1];
static int reported;

static void
on_done(const proc_result_t *r, void *done_arg)
{
	(void)done_arg;
	last = *r;
	memcpy(last_output, r->output, r->output_len + 1);
	last.output = last_output;
	last.what = NULL;
	reported++;
}

/* A configuration whose channel "rec" records its environment and stdin. */
static cfg_t *
load_cfg(void)
{
	char yaml[2048];
	buf_t errs = BUF_INIT;
	cfg_t *cfg;

	snprintf(yaml, sizeof(yaml),
	    "notify:\n"
	    "  - id: rec\n"
	    "    command: [sh, -c, 'env | grep -E \"^TRYGG_(CONTACT_|CHANNEL|"
	    "ESCALATION|INCIDENT|STEP|ATTEMPT|TRY=)\" | sort > \"$0\"; "
	    "cat > \"$0.in\"', %s/env]\n"
	    "    timeout: 1m\n"
	    "  - id: gone\n"
	    "    command: [/nonexistent/trygg-notify]\n"
	    "  - id: nopath\n"
	    "    command: [trygg-no-such-program-anywhere]\n"
	    "teams:\n"
	    "  - {id: t1, name: T1, districts: [Ryd], coordinator: c1}\n"
	    "categories: [{id: a, name: A}]\n"
	    "contacts:\n"
	    "  - {id: chef, name: Chef, role: sakerhetschef}\n"
	    "  - {id: tib-1, name: \"TiB 1 'Östra' $HOME\", role: tib, "
	    "notify: rec, address: \"+46 70-123 45 67\"}\n"
	    "  - {id: c1, name: C1, role: coordinator, team: t1}\n"
	    "rota: {contacts: [tib-1], start: 2026-01-05}\n", dir);
	cfg = cfg_load_string(yaml, strlen(yaml), "t.yaml", ".", &errs);
	if (cfg == NULL)
		fprintf(stderr, "%s", buf_str(&errs));
	buf_free(&errs);
	return cfg;
}

/* the notification as a msgpack object; sb holds its memory */
static bool
notification(const char *text, msgpack_sbuffer *sb, msgpack_unpacked *up)
{
	msgpack_sbuffer_init(sb);
	msgpack_unpacked_init(up);
	return mpb_build(text, sb) == 0 &&
	    msgpack_unpack_next(up, sb->data, sb->size, NULL) ==
	    MSGPACK_UNPACK_SUCCESS;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	buf_t b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (b.data == NULL)
		buf_puts(&b, "");
	return b.data;
}

TEST(environment_and_input)
{
	static const char note[] = "{\"type\": \"escalation\", "
	    "\"escalation\": 17, \"incident\": \"INC-2026-000042\", "
	    "\"kind\": \"external\", \"summary\": \"Brand i \\\"soprum\\\"\", "
	    "\"step\": 2, \"attempt\": 3, \"ack_by\": \"2026-11-22T20:30:03Z\"}";
	msgpack_sbuffer sb;
	msgpack_unpacked up;
	char err[256], path[128], *env, *in;
	cfg_t *cfg;
	proc_t *p;
	notify_run_t *run;
	int marker;

	snprintf(dir, sizeof(dir), "/tmp/trygg-notify-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	cfg = load_cfg();
	CHECK(cfg != NULL);
	CHECK(notification(note, &sb, &up));
	p = proc_new(1, 1, on_done, NULL, err, sizeof(err));
	if (cfg == NULL || p == NULL)
		return;
	run = notify_run_new(cfg_contact(cfg, "tib-1", 5), &up.data, 2,
	    &marker, err, sizeof(err));
	CHECK(run != NULL);
	if (run == NULL)
		return;
	CHECK_INT(notify_run_spec(run)->timeout_ms, 60000);
	CHECK(notify_run_spec(run)->arg == &marker);
	CHECK_STR(notify_run_spec(run)->argv[0], "sh");
	CHECK_STR(notify_run_json(run), "{\"type\":\"escalation\","
	    "\"escalation\":17,\"incident\":\"INC-2026-000042\","
	    "\"kind\":\"external\",\"summary\":\"Brand i \\\"soprum\\\"\","
	    "\"step\":2,\"attempt\":3,\"ack_by\":\"2026-11-22T20:30:03Z\"}");
	CHECK(proc_start(p, notify_run_spec(run), err, sizeof(err)) == 1);
	notify_run_destroy(&run);       /* proc has its own copies */
	CHECK(run == NULL);
	for (int i = 0; i < 600 && reported == 0; i++) {
		struct pollfd pfd = {.fd = proc_fd(p), .events = POLLIN};

		poll(&pfd, 1, 100);
		proc_dispatch(p, err, sizeof(err));
	}
	CHECK_INT(reported, 1);
	CHECK(last.ok);
	CHECK(last.arg == &marker);
	snprintf(path, sizeof(path), "%s/env", dir);
	env = slurp(path);
	CHECK_STR(env,
	    "TRYGG_ATTEMPT=3\n"
	    "TRYGG_CHANNEL=rec\n"
	    "TRYGG_CONTACT_ADDRESS=+46 70-123 45 67\n"
	    "TRYGG_CONTACT_ID=tib-1\n"
	    "TRYGG_CONTACT_NAME=TiB 1 'Östra' $HOME\n"
	    "TRYGG_CONTACT_ROLE=tib\n"
	    "TRYGG_ESCALATION=17\n"
	    "TRYGG_INCIDENT=INC-2026-000042\n"
	    "TRYGG_STEP=2\n"
	    "TRYGG_TRY=2\n");
	snprintf(path, sizeof(path), "%s/env.in", dir);
	in = slurp(path);
	CHECK_HAS(in, "{\"type\":\"escalation\",\"escalation\":17,");
	free(env);
	free(in);
	proc_destroy(&p);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	cfg_destroy(&cfg);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

TEST(refused)
{
	static const struct {
		const char *contact, *note, *err;
		int try_no;
	} cases[] = {
		{"chef", "{\"escalation\": 1, \"incident\": \"I\", \"step\": 1, "
		    "\"attempt\": 1}", "contact 'chef' has no notify channel", 1},
		{"tib-1", "[1]", "not a map", 1},
		{"tib-1", "{\"escalation\": 1, \"incident\": \"I\", \"step\": 1, "
		    "\"attempt\": 1}", "try_no", 0},
		{"tib-1", "{\"incident\": \"I\", \"step\": 1, \"attempt\": 1}",
		    "lacks 'escalation'", 1},
		{"tib-1", "{\"escalation\": 1, \"incident\": 5, \"step\": 1, "
		    "\"attempt\": 1}", "lacks 'incident'", 1},
		{"tib-1", "{\"escalation\": 1, \"incident\": \"a\\x00b\", "
		    "\"step\": 1, \"attempt\": 1}", "lacks 'incident'", 1},
		{"tib-1", "{\"escalation\": 1, \"incident\": \"I\", "
		    "\"step\": \"1\", \"attempt\": 1}", "lacks 'step'", 1},
		{"tib-1", "{\"escalation\": 1, \"incident\": \"I\", \"step\": 1}",
		    "lacks 'attempt'", 1},
	};
	cfg_t *cfg;

	snprintf(dir, sizeof(dir), "/tmp");
	cfg = load_cfg();
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msgpack_sbuffer sb;
		msgpack_unpacked up;
		char err[256] = "";
		notify_run_t *run;

		CHECK(notification(cases[i].note, &sb, &up));
		run = notify_run_new(cfg_contact(cfg, cases[i].contact,
		    strlen(cases[i].contact)), &up.data, cases[i].try_no, NULL,
		    err, sizeof(err));
		if (run != NULL || strstr(err, cases[i].err) == NULL)
			printf("    case %zu: %s\n", i, err);
		CHECK(run == NULL);
		CHECK_HAS(err, cases[i].err);
		notify_run_destroy(&run);
		msgpack_unpacked_destroy(&up);
		msgpack_sbuffer_destroy(&sb);
	}
	CHECK(notify_run_new(NULL, NULL, 1, NULL, NULL, 0) == NULL);
	cfg_destroy(&cfg);
}

TEST(check_commands)
{
	buf_t out = BUF_INIT;
	cfg_t *cfg;

	snprintf(dir, sizeof(dir), "/tmp");
	cfg = load_cfg();
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	/* sh is found in PATH; the other two are not there */
	CHECK_INT(notify_check_commands(cfg, &out), 2);
	CHECK_STR(buf_str(&out),
	    "notify channel 'gone': cannot run /nonexistent/trygg-notify: "
	    "No such file or directory\n"
	    "notify channel 'nopath': cannot run "
	    "trygg-no-such-program-anywhere: No such file or directory\n");
	cfg_destroy(&cfg);
	buf_free(&out);
	/* the example configuration's commands are there */
	cfg = cfg_load("config/examples/notify.yaml", NULL);
	CHECK(cfg != NULL);
	CHECK_INT(notify_check_commands(cfg, NULL), 0);
	cfg_destroy(&cfg);
}

TEST_MAIN(environment_and_input, refused, check_commands)
