/*
 * tlsfile.c — see tlsfile.h. The files go to OpenSSL as they are:
 * libre's setters take a leaf certificate alone, and a certificate from a
 * public CA needs its chain sent too. libre 1.1 leaves a context's peers
 * unchecked (verify depth 1, no verify mode); tlsfile_trust turns the
 * check on for the connections we open.
 */
#include <errno.h>
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <re.h>
#include "core/core.h"
#include "core/tlsfile.h"

/* libre declares it only when built with USE_OPENSSL, which its users
 * are not: it is there in every libre built with OpenSSL */
struct ssl_ctx_st *tls_openssl_context(const struct tls *tls);

int tlsfile_context(struct tls **tlsp, const char *cert, const char *key,
		    const char *what)
{
	struct tls *tls = NULL;
	SSL_CTX *ctx;
	int err;

	if (!tlsp || !cert || !key || !what)
		return EINVAL;
	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err) {
		log_error("%s: no TLS context: %s", what, strerror(err));
		return err;
	}
	ctx = tls_openssl_context(tls);
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cert[0] && SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_error("%s.tls_cert %s: no PEM certificate in it", what, cert);
		err = EINVAL;
		goto out;
	}
	/* OpenSSL checks the key against the certificate as it loads it */
	if (key[0] && (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		       SSL_CTX_check_private_key(ctx) != 1)) {
		log_error("%s.tls_key %s is no PEM private key of %s.tls_cert %s", what,
			  key, what, cert);
		err = EINVAL;
		goto out;
	}
	*tlsp = tls;
	tls = NULL;
out:
	mem_deref(tls);
	return err;
}

/* A server's chain is checked; a client's certificate (a phone's, when
 * it sends one) is not asked to be trusted. */
static int verify_h(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());

	if (ssl && SSL_is_server(ssl))
		return 1;
	if (!ok)
		log_warn("tls: the far end's certificate is not trusted: %s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return ok;
}

int tlsfile_trust(struct tls *tls, const char *ca_file)
{
	SSL_CTX *ctx = tls ? tls_openssl_context(tls) : NULL;

	if (!ctx)
		return EINVAL;
	if (ca_file && ca_file[0] &&
	    SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		log_error("tls: ca_file %s: no PEM certificate in it", ca_file);
		return EINVAL;
	}
	(void)SSL_CTX_set_default_verify_paths(ctx);
	SSL_CTX_set_verify_depth(ctx, 9); /* a leaf, intermediates, a root */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_h);
	return 0;
}
