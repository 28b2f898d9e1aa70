/*
 * cmd_keygen.c: trygg keygen [--out FILE]: a CurveZMQ key pair for a
 * daemon, a person or trygg-web. FILE (default trygg.key) gets the pair,
 * mode 0600; FILE.pub the public key, mode 0644, whose line goes into the
 * configuration (auth). Neither file is ever overwritten: a key that is in
 * use is replaced on purpose, by removing it first.
 */
#include "cli.h"
#include "auth.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

#define KEYGEN_DEFAULT_FILE "trygg.key"

int
cmd_keygen(cli_t *cli, int argc, char **argv)
{
	const char *out = KEYGEN_DEFAULT_FILE;
	char pub[4096], err[512];
	auth_keypair_t kp;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			return cli_usage("keygen: unknown argument '%s'; usage: trygg keygen "
			    "[--out FILE]", argv[i]);
	}
	if (out[0] == '\0' || strlen(out) + sizeof(".pub") > sizeof(pub))
		return cli_usage("keygen: --out needs a file name");
	snprintf(pub, sizeof(pub), "%s.pub", out);
	if (auth_keypair_new(&kp, err, sizeof(err)) < 0) {
		fprintf(stderr, "trygg: keygen: %s\n", err);
		return EXIT_SOFTWARE;
	}
	if (auth_keypair_write(out, pub, &kp, err, sizeof(err)) < 0) {
		memset(&kp, 0, sizeof(kp));
		fprintf(stderr, "trygg: keygen: %s\n", err);
		return EXIT_IOERR;
	}
	(void)cli;
	printf("wrote %s (secret, mode 0600) and %s; list the public key in the "
		    "configuration:\n  public_key: \"%s\"\n", out, pub, kp.public_key);
	memset(&kp, 0, sizeof(kp));
	return 0;
}
