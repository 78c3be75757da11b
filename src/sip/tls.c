/*
 * tls.c — SIP over TLS (RFC 3261 §26.2, sips: on 5061): the listener
 * phones register and call on (sip.tls_listen with the node's certificate
 * and key), and the client side trunks with transport: tls connect with,
 * their ca_file trusted. libre 1.1 sets no verification on the
 * connections its SIP stack opens (and we cannot reach them), so the
 * carrier's certificate is not checked yet: the ca_file is in place for
 * a libre that does.
 *
 * libre opens outgoing TLS connections from a TLS transport of the
 * destination's family, so a trunk over TLS without a listener gets one
 * on an ephemeral port of the SIP address: it never answers phones
 * (nobody is told of the port), it only carries the trunk's connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "sip/sip.h"

/* A PEM file's text (malloc'd, NUL-terminated). */
static int read_pem(const char *path, char **textp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return errno ? errno : ENOENT;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > 1 << 20 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return EINVAL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return buf ? EIO : ENOMEM;
	}
	buf[n] = '\0';
	fclose(f);
	*textp = buf;
	*lenp = (size_t)n;
	return 0;
}

static int load_identity(struct tls *tls, const struct cfg_node *node)
{
	char *cert = NULL, *key = NULL;
	size_t certn = 0, keyn = 0;
	int err;

	err = read_pem(node->sip_tls_cert, &cert, &certn);
	if (!err)
		err = read_pem(node->sip_tls_key, &key, &keyn);
	if (!err)
		err = tls_set_certificate_pem(tls, cert, certn, key, keyn);
	if (err)
		log_error("sip: cannot use the TLS certificate %s with key %s: %s",
			  node->sip_tls_cert, node->sip_tls_key, strerror(err));
	if (key) {
		/* the key does not stay in our memory longer than needed */
		explicit_bzero(key, keyn);
		free(key);
	}
	free(cert);
	return err;
}

int sip_tls_start(struct sip *sip, const struct cfg_node *node,
		  const struct cfg_tenant *tenant)
{
	struct tls *tls = NULL;
	struct sa laddr;
	bool trunk_tls = false;
	int err;

	for (size_t i = 0; tenant && i < tenant->trunkc; i++)
		trunk_tls |= tenant->trunkv[i].tls;
	if (!node->sip_tls_listen[0] && !trunk_tls)
		return 0;
	err = tls_alloc(&tls, TLS_METHOD_SSLV23, NULL, NULL);
	if (err) {
		log_error("sip: cannot make a TLS context: %s", strerror(err));
		return err;
	}
	if (node->sip_tls_listen[0]) {
		err = load_identity(tls, node);
		if (err)
			goto out;
	}
	for (size_t i = 0; tenant && i < tenant->trunkc; i++) {
		const struct cfg_trunk *tr = &tenant->trunkv[i];

		if (!tr->tls || !tr->ca_file[0])
			continue;
		err = tls_add_ca(tls, tr->ca_file);
		if (err) {
			log_error("sip: trunk=%s cannot use ca_file=%s: %s", tr->name,
				  tr->ca_file, strerror(err));
			goto out;
		}
	}
	if (node->sip_tls_listen[0]) {
		err =
		    sa_decode(&laddr, node->sip_tls_listen, strlen(node->sip_tls_listen));
		/* libre binds a transport to one address: an unspecified
		 * one is the default route's */
		if (!err && sa_is_any(&laddr)) {
			uint16_t port = sa_port(&laddr);
			err = net_default_source_addr_get(sa_af(&laddr), &laddr);
			sa_set_port(&laddr, port);
		}
	} else {
		/* the trunks' connections only: the SIP address, any port */
		err = sa_decode(&laddr, node->sip_listen, strlen(node->sip_listen));
		sa_set_port(&laddr, 0);
		if (!err && sa_is_any(&laddr))
			err = net_default_source_addr_get(sa_af(&laddr), &laddr);
	}
	if (!err)
		err = sip_transp_add(sip, SIP_TRANSP_TLS, &laddr, tls);
	if (err) {
		log_error("sip: cannot listen on tls %s: %s",
			  node->sip_tls_listen[0] ? node->sip_tls_listen : "(trunks)",
			  strerror(err));
		goto out;
	}
	{
		char a[64];
		(void)re_snprintf(a, sizeof(a), "%J", &laddr);
		log_info("sip: listening tls %s%s", a,
			 node->sip_tls_listen[0] ? "" : " (trunks' connections only)");
	}
out:
	mem_deref(tls); /* the transport keeps its own reference */
	return err;
}
