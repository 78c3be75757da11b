/*
 * safe.h — safe by default (issue 18): no secret published in the
 * repository opens a running Hotline, and what the configuration says
 * about secrets and trusted networks is checked. Owns the one list of
 * published secrets and the private file the generated ones live in; it
 * does not own users, tokens or the registrar (they are handed the
 * secrets to use).
 */
#ifndef HOTLINE_SAFE_H
#define HOTLINE_SAFE_H

#include <stdbool.h>
#include <stddef.h>

struct cfg_node;
struct cfg_tenant;

/* The file, under the data directory, that holds the generated secrets
 * (mode 0600). */
#define SAFE_SECRETS_FILE "initial-secrets"

/* Is secret one of the values the repository publishes (conf/hotline.yaml,
 * conf/demo.yaml, the built-in defaults)? Compared in constant time. */
bool safe_secret_published(const char *secret);

/*
 * At start (serve): every secret of node and tenant that is missing or
 * published — http.api_token, http.admin_password, the agents' SIP
 * passwords — is replaced by a generated one, kept in
 * <data_dir>/initial-secrets (0600) and reused at the next start; the
 * console says once where it is (never the secret). With
 * HOTLINE_KEEP_DEMO_SECRETS=1 in the environment nothing is replaced (the
 * test suite on the loopback). The generated secrets stay in memory for
 * safe_secrets_tenant until safe_secrets_close.
 */
int safe_secrets_start(const char *data_dir, struct cfg_node *node, struct cfg_tenant *t);
/* The same for a tenant loaded again (reload, an edit): agents whose SIP
 * password is published get their generated one (new agents a new one,
 * written to the file). */
int safe_secrets_tenant(struct cfg_tenant *t);
void safe_secrets_close(void);

/*
 * check-config's warnings: a published or weak secret, a SIP password
 * shorter than SAFE_SIP_MIN or equal to the extension, trusted networks
 * wider than the loopback. Each warning is one line "file: key: problem"
 * given to h; returns how many there were.
 */
#define SAFE_SIP_MIN 12
typedef void(safe_warn_h)(const char *line, void *arg);
size_t safe_check(const struct cfg_node *node, const struct cfg_tenant *t, safe_warn_h *h,
		  void *arg);

#endif
