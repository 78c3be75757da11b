/*
 * tlsfile.h — a libre TLS context from the configuration's PEM files, one
 * way for every listener (HTTPS, SIP over TLS), and the trust its client
 * connections (trunks) check the far end's certificate against.
 */
#ifndef HOTLINE_CORE_TLSFILE_H
#define HOTLINE_CORE_TLSFILE_H

#include <stdbool.h>

struct tls;

/* A TLS context (TLS 1.2 at least) serving the certificate file (PEM,
 * its chain after it) with the private key file (PEM); key "" for none
 * (a context only for client connections). what names the settings in
 * the log ("http", "sip"). EINVAL: no certificate, or a key that is not
 * the certificate's. */
int tlsfile_context(struct tls **tlsp, const char *cert, const char *key,
		    const char *what);

/* Client connections from tls check the server's certificate: against
 * the system's trusted CAs and ca_file when given (call once per file).
 * Connections tls accepts ask nothing of their clients (phones sign in
 * with digest). */
int tlsfile_trust(struct tls *tls, const char *ca_file);

#endif
