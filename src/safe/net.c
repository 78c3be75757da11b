/*
 * net.c — networks written as CIDR ("10.0.0.0/8", "::1", "192.0.2.7/32"):
 * parsed once, then matched against an address. Used for the networks an
 * agent's phone may register from and by check-config's look at
 * sip.trusted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "safe/safe.h"
#include "safe/net.h"

int safe_net_parse(struct safe_net *n, const char *s)
{
	const char *slash;
	char ip[64], *end;
	unsigned max;
	long bits;

	if (!n || !s || util_copy(ip, sizeof(ip), s))
		return EINVAL;
	slash = strchr(s, '/');
	if (slash)
		ip[slash - s] = '\0';
	if (sa_set_str(&n->net, ip, 0))
		return EINVAL;
	max = sa_af(&n->net) == AF_INET ? 32 : 128;
	if (!slash) {
		n->bits = max;
		return 0;
	}
	bits = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || bits < 0 || bits > (long)max)
		return EINVAL;
	n->bits = (unsigned)bits;
	return 0;
}

bool safe_net_match(const struct safe_net *n, const struct sa *a)
{
	const uint8_t *x, *y;
	unsigned bits;
	size_t k = 0;

	if (!n || !a || sa_af(a) != sa_af(&n->net))
		return false;
	if (sa_af(a) == AF_INET) {
		uint32_t mask = n->bits ? ~0u << (32 - n->bits) : 0;
		return (sa_in(a) & mask) == (sa_in(&n->net) & mask);
	}
	x = (const uint8_t *)&a->u.in6.sin6_addr;
	y = (const uint8_t *)&n->net.u.in6.sin6_addr;
	for (bits = n->bits; bits >= 8; bits -= 8, k++) {
		if (x[k] != y[k])
			return false;
	}
	return !bits || ((x[k] ^ y[k]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

bool safe_net_loopback(const struct safe_net *n)
{
	if (sa_af(&n->net) == AF_INET)
		return n->bits >= 8 && (sa_in(&n->net) >> 24) == 127;
	return n->bits == 128 && sa_is_loopback(&n->net);
}
