/*
 * net.h — networks written as CIDR, for the modules that match addresses
 * against them (the registrar, check-config). Needs libre's struct sa.
 */
#ifndef HOTLINE_SAFE_NET_H
#define HOTLINE_SAFE_NET_H

#include <stdbool.h>
#include <re.h>

/* A network written as CIDR ("10.0.0.0/8"; an address alone is a host). */
struct safe_net {
	struct sa net;
	unsigned bits;
};
int safe_net_parse(struct safe_net *n, const char *cidr);
bool safe_net_match(const struct safe_net *n, const struct sa *addr);
/* Is the whole network inside the loopback (127.0.0.0/8, ::1)? */
bool safe_net_loopback(const struct safe_net *n);

#endif
