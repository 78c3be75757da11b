/*
 * dialplan.c — which kind of destination a dialled number is, by the
 * tenant's numbering plan: internal, emergency, local, national, mobile,
 * toll-free, international or premium-rate (issue 18, "who may dial
 * what"). Pure: no I/O, no state. The classes are what an admin allows
 * per agent, queue and flow; toll fraud lives in the last two, so a
 * number we cannot place is never called cheaper than it may be.
 *
 * Plans:
 * - NANP (country code 1): 911 emergency; N11 service codes local; 011
 *   or + (not +1) international; 1-NPA-NXX-XXXX or NPA-NXX-XXXX national,
 *   except toll-free NPAs (8XX), premium 900 and NXX 976, and the
 *   Caribbean and other NANP countries outside the US and Canada, which
 *   are billed as international (the "809 scam"); NXX-XXXX local. NANP
 *   does not tell mobiles apart: they are national.
 * - China (86): 110, 119, 120, 122, 112 emergency; 00 or + (not +86)
 *   international; 1[3-9]X 11-digit mobiles; 400 and 800 toll-free
 *   (400 is shared-cost, but no more expensive than local); 95XXX and
 *   96XXX service numbers national; 0 + area code national; 168 and 160
 *   information lines and 1259X premium; 7-8 digit local numbers.
 * - generic (any other country): 00 or + international (the country's
 *   own code national), 2-6 digits internal, anything else national.
 * Everywhere: 2 to 6 digits that are no special number are internal
 * (extensions, queue numbers); a SIP name that is not a number is
 * internal too (it reaches a SIP address, not the telephone network).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include "core/core.h"
#include "safe/safe.h"

static const char *const class_names[SAFE_DIAL_CLASSES] = {
    "internal", "emergency", "local",	      "national",
    "mobile",	"toll-free", "international", "premium-rate",
};

const char *safe_dial_class_name(enum safe_dial_class c)
{
	return (unsigned)c < SAFE_DIAL_CLASSES ? class_names[c] : "?";
}

int safe_dial_class_parse(enum safe_dial_class *cp, const char *name)
{
	for (unsigned i = 0; name && i < SAFE_DIAL_CLASSES; i++) {
		if (!strcasecmp(name, class_names[i])) {
			*cp = (enum safe_dial_class)i;
			return 0;
		}
	}
	return EINVAL;
}

int safe_plan_parse(enum safe_plan *pp, const char *name)
{
	if (!name)
		return EINVAL;
	if (!strcasecmp(name, "nanp"))
		*pp = SAFE_PLAN_NANP;
	else if (!strcasecmp(name, "cn"))
		*pp = SAFE_PLAN_CN;
	else if (!strcasecmp(name, "generic"))
		*pp = SAFE_PLAN_GENERIC;
	else
		return EINVAL;
	return 0;
}

enum safe_plan safe_plan_for_country(const char *cc)
{
	if (cc && !strcmp(cc, "1"))
		return SAFE_PLAN_NANP;
	if (cc && !strcmp(cc, "86"))
		return SAFE_PLAN_CN;
	return SAFE_PLAN_GENERIC;
}

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* NANP area codes of countries other than the US and Canada (and their
 * territories billed as domestic): calls there cost international rates. */
static bool nanp_foreign(const char *npa)
{
	static const char *const v[] = {"242", "246", "264", "268", "284", "345", "441",
					"473", "649", "658", "664", "721", "758", "767",
					"784", "809", "829", "849", "868", "869", "876"};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (!strncmp(npa, v[i], 3))
			return true;
	}
	return false;
}

static enum safe_dial_class nanp(const char *d, size_t n, bool plus)
{
	if (plus) {
		if (d[0] != '1')
			return SAFE_DIAL_INTERNATIONAL;
		d++, n--;
		if (n != 10)
			return SAFE_DIAL_INTERNATIONAL; /* not a NANP number */
	}
	if (!strcmp(d, "911") || !strcmp(d, "112"))
		return SAFE_DIAL_EMERGENCY;
	if (prefix(d, "011"))
		return SAFE_DIAL_INTERNATIONAL;
	if (n == 3 && d[0] >= '2' && d[1] == '1' && d[2] == '1')
		return SAFE_DIAL_LOCAL; /* N11: 411, 611 ... */
	if (n == 11 && d[0] == '1')
		d++, n--;
	if (n == 10) {
		if (d[0] == '8' && d[1] == d[2] && strchr("0345678", d[1]))
			return SAFE_DIAL_TOLLFREE; /* 800, 833 ... 888 */
		if (prefix(d, "900") || !strncmp(d + 3, "976", 3))
			return SAFE_DIAL_PREMIUM;
		if (nanp_foreign(d))
			return SAFE_DIAL_INTERNATIONAL;
		return SAFE_DIAL_NATIONAL;
	}
	if (n == 7)
		return !strncmp(d, "976", 3) ? SAFE_DIAL_PREMIUM : SAFE_DIAL_LOCAL;
	if (n >= 2 && n <= 6)
		return SAFE_DIAL_INTERNAL;
	/* anything else cannot be placed: never cheaper than it may be */
	return SAFE_DIAL_INTERNATIONAL;
}

static enum safe_dial_class china(const char *d, size_t n, bool plus)
{
	if (plus) {
		if (!prefix(d, "86"))
			return SAFE_DIAL_INTERNATIONAL;
		d += 2, n -= 2;
		/* +86 10 ... is 010 ... at home; +86 138 ... a mobile */
		if (n == 11 && d[0] == '1' && d[1] >= '3')
			return SAFE_DIAL_MOBILE;
		return n >= 9 ? SAFE_DIAL_NATIONAL : SAFE_DIAL_INTERNATIONAL;
	}
	if (!strcmp(d, "110") || !strcmp(d, "119") || !strcmp(d, "120") ||
	    !strcmp(d, "122") || !strcmp(d, "112"))
		return SAFE_DIAL_EMERGENCY;
	if (prefix(d, "00"))
		return SAFE_DIAL_INTERNATIONAL;
	if ((prefix(d, "168") || prefix(d, "160")) && n >= 5 && n <= 9)
		return SAFE_DIAL_PREMIUM;
	if (prefix(d, "1259"))
		return SAFE_DIAL_PREMIUM;
	if (n == 11 && d[0] == '1' && d[1] >= '3')
		return SAFE_DIAL_MOBILE;
	if (n == 10 && (prefix(d, "400") || prefix(d, "800")))
		return SAFE_DIAL_TOLLFREE;
	if (n == 5 && (prefix(d, "95") || prefix(d, "96")))
		return SAFE_DIAL_NATIONAL;
	if (d[0] == '0' && n >= 10 && n <= 12)
		return SAFE_DIAL_NATIONAL;
	if ((n == 7 || n == 8) && d[0] >= '2')
		return SAFE_DIAL_LOCAL;
	if (n >= 2 && n <= 6)
		return SAFE_DIAL_INTERNAL;
	return SAFE_DIAL_INTERNATIONAL;
}

static enum safe_dial_class generic(const char *d, size_t n, bool plus)
{
	if (plus || prefix(d, "00"))
		return SAFE_DIAL_INTERNATIONAL;
	if (!strcmp(d, "112") || !strcmp(d, "911") || !strcmp(d, "999"))
		return SAFE_DIAL_EMERGENCY;
	if (n >= 2 && n <= 6)
		return SAFE_DIAL_INTERNAL;
	return SAFE_DIAL_NATIONAL;
}

enum safe_dial_class safe_dial_classify(enum safe_plan plan, const char *country,
					const char *number)
{
	char d[32];
	size_t n = 0;
	bool plus = false, digits = false;

	if (!number || !*number)
		return SAFE_DIAL_INTERNATIONAL;
	for (const char *p = number; *p; p++) {
		if (isalpha((unsigned char)*p) && !digits && p == number)
			return SAFE_DIAL_INTERNAL; /* a SIP name, not a number */
		if (*p == '+' && !n && !plus)
			plus = true;
		else if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(d))
				return SAFE_DIAL_INTERNATIONAL;
			d[n++] = *p;
			digits = true;
		} else if (!strchr(" -.()", *p)) {
			/* *, #, letters inside: not a number we can place */
			return SAFE_DIAL_INTERNATIONAL;
		}
	}
	d[n] = '\0';
	if (!n)
		return SAFE_DIAL_INTERNATIONAL;
	/* a number in the generic plan with the tenant's own country code */
	if (plan == SAFE_PLAN_GENERIC && plus && country && *country &&
	    prefix(d, country))
		return SAFE_DIAL_NATIONAL;
	switch (plan) {
	case SAFE_PLAN_NANP:
		return nanp(d, n, plus);
	case SAFE_PLAN_CN:
		return china(d, n, plus);
	default:
		return generic(d, n, plus);
	}
}

int safe_dial_number(char *out, size_t sz, const char *uri)
{
	const char *p, *end;
	size_t n = 0;

	if (!out || !sz || !uri)
		return EINVAL;
	if (!strncasecmp(uri, "sip:", 4))
		p = uri + 4;
	else if (!strncasecmp(uri, "sips:", 5))
		p = uri + 5;
	else if (!strncasecmp(uri, "tel:", 4))
		p = uri + 4;
	else
		p = uri;
	end = p + strcspn(p, "@;?>");
	if (*end != '@' && strncasecmp(uri, "tel:", 4)) {
		/* sip:host: a SIP address without a user, not a number */
		util_copy(out, sz, "sip");
		return 0;
	}
	for (; p < end; p++) {
		char c = *p;

		/* RFC 3261 §19.1.2: the user part may be escaped (%2B is +) */
		if (c == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], 0};
			c = (char)strtol(hex, NULL, 16);
			p += 2;
		}
		if (n + 1 >= sz)
			return E2BIG;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}
