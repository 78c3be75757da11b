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
#include "core/tlsfile.h"
#include "sip/sip.h"

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
	err = node->sip_tls_listen[0]
		  ? tlsfile_context(&tls, node->sip_tls_cert, node->sip_tls_key, "sip")
		  : tlsfile_context(&tls, "", "", "sip");
	if (err)
		return err;
	/* the far end's certificate is checked, a carrier's or a phone's (SDES
	 * keys travel in this SIP): against the system's CAs, sip.tls_ca and
	 * each TLS trunk's ca_file */
	err = tlsfile_trust(tls, node->sip_tls_ca);
	for (size_t i = 0; !err && tenant && i < tenant->trunkc; i++) {
		const struct cfg_trunk *tr = &tenant->trunkv[i];

		if (tr->tls && tr->ca_file[0])
			err = tlsfile_trust(tls, tr->ca_file);
	}
	if (err)
		goto out;
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
