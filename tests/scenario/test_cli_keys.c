/*
 * test_cli_keys.c: what trygg says when a daemon refuses its key.
 *
 * With keys configured, a key the daemon does not list fails the
 * handshake: trygg says so at once (exit 77) and says what to do: which
 * key file it used, that file's public key, and where the daemon's
 * configuration must list it (auth.clients) before a restart.
 */
#include "buf.h"
#include "harness.h"
#include "mem.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_t *H;

static void
cleanup(void)
{
	harness_destroy(&H);
}

static harness_t *
h(void)
{
	if (H == NULL) {
		H = harness_new_keyed(NULL);
		if (harness_start(H, H_INTAKE) < 0) {
			fprintf(stderr, "cannot start trygg-intake with keys\n");
			exit(1);
		}
		atexit(cleanup);
	}
	return H;
}

/* the public key in a .pub file: the text between the first pair of quotes */
static void
public_key_of(const char *pub_path, char *out, size_t len)
{
	FILE *f = fopen(pub_path, "r");
	char line[256];

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, '"'), *b = a ? strchr(a + 1, '"') : NULL;

		if (b) {
			snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
			break;
		}
	}
	if (f)
		fclose(f);
}

TEST(a_refused_key_says_which_key_and_where_to_list_it)
{
	char key[400], pub[420], public_key[128], want[200], *out = NULL;

	snprintf(key, sizeof(key), "%s/keys/stranger.key", h()->dir);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	public_key_of(pub, public_key, sizeof(public_key));
	CHECK(strlen(public_key) == 40);
	setenv("TRYGG_KEY", key, 1);
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"ping", "intake", NULL}), 77);
	CHECK_HAS(out, "refused this client's key");
	CHECK_HAS(out, key);
	CHECK_HAS(out, "TRYGG_KEY");
	snprintf(want, sizeof(want), "public_key: \"%s\"", public_key);
	CHECK_HAS(out, want);
	CHECK_HAS(out, "auth.clients");
	CHECK_HAS(out, "systemctl restart trygg-intake");
	free(out);
	unsetenv("TRYGG_KEY");
	/* a listed key gets through */
	snprintf(key, sizeof(key), "%s/keys/anna.key", h()->dir);
	setenv("TRYGG_KEY", key, 1);
	CHECK_INT(harness_cli(h(), &out, (const char *const[]){"ping", "intake", NULL}), 0);
	free(out);
	unsetenv("TRYGG_KEY");
}

TEST_MAIN(a_refused_key_says_which_key_and_where_to_list_it)
