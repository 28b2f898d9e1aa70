/*
 * fuzz_zap.c: libFuzzer target for authentication: any ZAP request (the
 * input split into frames at each 0xff byte) goes through the ZAP
 * decision with a keyed table, and the decision must hold:
 *   - 200 only for a CURVE request whose one credential is a listed key,
 *     with that key's name as User-Id, which leads back to that key's
 *     principal; any other status has no User-Id;
 *   - the principal may call an operation exactly when its role is among
 *     the operation's roles, or it is an admin.
 * The table is made once from config/trygg.yaml (run from the repository
 * root, as make fuzz does) with an auth block of fresh keys; the first
 * input byte picks a listed key to splice in as the credential, so that
 * the fuzzer reaches the 200 path as well as the refusals.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "auth.h"
#include "buf.h"
#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCLIENTS 5

static auth_t *table;
static uint8_t keys[NCLIENTS + 3][32];
static const char *const roles[NCLIENTS] = {"reporter", "responder", "coordinator",
    "admin", "daemon"};

static void
fuzz_init(void)
{
	FILE *f = fopen("config/trygg.yaml", "r");
	buf_t y = BUF_INIT, errs = BUF_INIT;
	auth_keypair_t kp;
	char chunk[4096], err[128];
	size_t n;
	cfg_t *cfg;

	if (f == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&y, chunk, n);
	fclose(f);
	buf_puts(&y, "\nauth:\n");
	for (int i = 0; i < NCLIENTS + 3; i++) {
		static const char *const daemons[] = {"intake", "escalation", "reporting"};

		if (auth_keypair_new(&kp, err, sizeof(err)) < 0)
			abort();
		zmq_z85_decode(keys[i], kp.public_key);
		if (i < 3)
			buf_printf(&y, "  %s: {public_key: \"%s\"}\n", daemons[i], kp.public_key);
		else
			buf_printf(&y, "%s    - {name: k%d, public_key: \"%s\", role: %s, "
			    "contact: samordnare-ot1, team: omradesteam-1}\n",
			    i == 3 ? "  clients:\n" : "", i, kp.public_key, roles[i - 3]);
	}
	if ((cfg = cfg_load_string(buf_str(&y), y.len, "fuzz.yaml", ".", &errs)) == NULL) {
		fputs(buf_str(&errs), stderr);
		abort();
	}
	table = auth_table_new(cfg);
	cfg_destroy(&cfg);
	buf_free(&y);
	buf_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const void *frames[AUTH_ZAP_FRAMES_MAX];
	size_t lens[AUTH_ZAP_FRAMES_MAX];
	int n = 0;
	auth_zap_reply_t r;
	const principal_t *who;
	size_t start = 1;

	if (table == NULL)
		fuzz_init();
	if (size < 1)
		return 0;
	for (size_t i = 1; i <= size && n < AUTH_ZAP_FRAMES_MAX; i++) {
		if (i == size || data[i] == 0xff) {
			frames[n] = data + start;
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	/* a listed key as the credential, when the input asks for one */
	if (n == 7 && (data[0] & 0x80)) {
		frames[6] = keys[data[0] % (NCLIENTS + 3)];
		lens[6] = 32;
	}
	auth_zap_decide(table, frames, lens, n, &r);
	if (strcmp(r.status, "200") != 0) {
		if (r.user_id[0] != '\0')
			abort();
		return 0;
	}
	if (n != 7 || lens[5] != 5 || memcmp(frames[5], "CURVE", 5) != 0 || lens[6] != 32)
		abort();
	if ((who = auth_principal(table, r.user_id)) == NULL || strcmp(who->name, r.user_id) != 0)
		abort();
	for (int i = 3; i < NCLIENTS + 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "k%d", i);
		if (memcmp(frames[6], keys[i], 32) == 0 && strcmp(name, r.user_id) != 0)
			abort();
	}
	for (unsigned mask = 0; mask < (1u << 5); mask++)
		if (auth_allows(mask, who) != ((who->role & (mask | ROLE_ADMIN)) != 0))
			abort();
	return 0;
}
