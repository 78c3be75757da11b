/*
 * cfg_tls.c — the node's TLS and SRTP settings (sip.tls_listen,
 * sip.tls_cert, sip.tls_key, sip.srtp, http.tls_cert, http.tls_key):
 * checked once at load, so that a
 * listener never starts with a key anyone on the machine can read, and a
 * missing file is told by name before anything listens.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"

bool cfg__srtp_ok(const char *v)
{
	return !*v || !strcmp(v, "off") || !strcmp(v, "optional") ||
	       !strcmp(v, "required");
}

void cfg__tls_check(const struct cfg_node *nd, struct cfg_errors *errs)
{
	struct sa sa;

	if (!cfg__srtp_ok(nd->sip_srtp))
		cfg__error(errs, nd->file, 0, "sip.srtp",
			   "\"%s\" is not off, optional or required", nd->sip_srtp);
	if (!nd->sip_tls_listen[0])
		return;
	if (sa_decode(&sa, nd->sip_tls_listen, strlen(nd->sip_tls_listen)))
		cfg__error(errs, nd->file, 0, "sip.tls_listen",
			   "\"%s\" is not IP:PORT (e.g. 0.0.0.0:5061)",
			   nd->sip_tls_listen);
	if (!nd->sip_tls_cert[0] || !nd->sip_tls_key[0])
		cfg__error(errs, nd->file, 0, "sip.tls_listen",
			   "needs sip.tls_cert and sip.tls_key (PEM files)");
}

/* path relative to the folder of file, in place; false: too long. */
static bool relative_to(char *path, size_t sz, const char *file)
{
	const char *slash = strrchr(file, '/');
	char full[CFG_PATH * 2];

	if (!path[0] || path[0] == '/' || !slash)
		return true;
	snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - file), file, path);
	return !util_copy(path, sz, full);
}

int cfg__tls_file(char *path, size_t sz, const char *file, const char *key, bool secret,
		  struct cfg_errors *errs)
{
	struct stat st;

	if (!path[0])
		return 0;
	if (!relative_to(path, sz, file)) {
		cfg__error(errs, file, 0, key, "path too long");
		return EINVAL;
	}
	if (stat(path, &st) || !S_ISREG(st.st_mode) || access(path, R_OK)) {
		cfg__error(errs, file, 0, key, "\"%s\" is not a readable file", path);
		return ENOENT;
	}
	/* a private key others can read is no longer private */
	if (secret && (st.st_mode & S_IROTH)) {
		cfg__error(errs, file, 0, key,
			   "\"%s\" is readable by everyone: chmod o-r it (a private "
			   "key)",
			   path);
		return EPERM;
	}
	return 0;
}

int cfg__tls_paths(struct cfg_node *nd, const char *file, struct cfg_errors *errs)
{
	int err = 0;

	/* HTTPS (and wss): both files or neither */
	if (!nd->http_tls_cert[0] != !nd->http_tls_key[0]) {
		cfg__error(errs, file, 0,
			   nd->http_tls_cert[0] ? "http.tls_key" : "http.tls_cert",
			   "http.tls_cert and http.tls_key go together");
		err = EINVAL;
	}
	if (cfg__tls_file(nd->http_tls_cert, sizeof(nd->http_tls_cert), file,
			  "http.tls_cert", false, errs))
		err = EINVAL;
	if (cfg__tls_file(nd->http_tls_key, sizeof(nd->http_tls_key), file,
			  "http.tls_key", true, errs))
		err = EINVAL;
	if (cfg__tls_file(nd->sip_tls_ca, sizeof(nd->sip_tls_ca), file, "sip.tls_ca",
			  false, errs))
		err = EINVAL;
	if (!nd->sip_tls_listen[0])
		return err;
	if (cfg__tls_file(nd->sip_tls_cert, sizeof(nd->sip_tls_cert), file,
			  "sip.tls_cert", false, errs))
		err = EINVAL;
	if (cfg__tls_file(nd->sip_tls_key, sizeof(nd->sip_tls_key), file, "sip.tls_key",
			  true, errs))
		err = EINVAL;
	return err;
}
