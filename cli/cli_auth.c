/*
 * cli_auth.c: the CLI's CurveZMQ keys. With keys in the configuration
 * (auth), every socket the CLI opens to a daemon is a CurveZMQ client with
 * the daemon's public key and the user's own key pair: the file TRYGG_KEY
 * names, else auth.client_key_file. Without keys, sockets stay plain.
 */
#include "cli.h"
#include "auth.h"

#include <stdlib.h>
#include <string.h>

int
cli_auth_prepare(void *arg, void *sock, const char *endpoint, char *err, size_t errlen)
{
	cli_t *cli = arg;
	const char *key_file;
	auth_client_t k;
	int rc;

	if (cli->cfg == NULL || !cli->cfg->auth.on)
		return 0;
	key_file = getenv("TRYGG_KEY") && getenv("TRYGG_KEY")[0] ? getenv("TRYGG_KEY") :
	    cli->cfg->auth.client_key_file;
	if (auth_client_for(cli->cfg, key_file, endpoint, &k, err, errlen) < 0)
		return -1;
	rc = auth_client_socket(&k, sock);
	memset(&k, 0, sizeof(k));
	if (rc < 0)
		snprintf(err, errlen, "%s: setting the CurveZMQ keys failed", endpoint);
	return rc;
}

/*
 * What to do about a key a daemon refused: which file was used, its public
 * key, and where that must be listed. "" when the key cannot be read (the
 * error already said why).
 */
void
cli_auth_refused_hint(cli_t *cli, const char *endpoint, const char *service, char *out,
    size_t len)
{
	const char *key_file;
	auth_client_t k;
	char err[512];

	out[0] = '\0';
	if (cli->cfg == NULL || !cli->cfg->auth.on)
		return;
	key_file = getenv("TRYGG_KEY") && getenv("TRYGG_KEY")[0] ? getenv("TRYGG_KEY") :
	    cli->cfg->auth.client_key_file;
	if (auth_client_for(cli->cfg, key_file, endpoint, &k, err, sizeof(err)) < 0)
		return;
	snprintf(out, len, "this client's key: %s (from %s)\n"
	    "  its public key: \"%s\" (also in %s.pub)\n"
	    "  to let it in, list it under auth.clients in %s's configuration, e.g.\n"
	    "    - {name: NAME, public_key: \"%s\", role: reporter}\n"
	    "  and restart it (systemctl restart %s); or use a listed key: TRYGG_KEY=FILE",
	    key_file, getenv("TRYGG_KEY") && getenv("TRYGG_KEY")[0] ? "TRYGG_KEY" :
	    "auth.client_key_file", k.own.public_key, key_file, service, k.own.public_key,
	    service);
	memset(&k, 0, sizeof(k));
}
