/*
 * crm.c — normalising identities (E.164 for phone numbers) and finding
 * the customer behind a caller number.
 *
 * Not here: the records (store), their routes (api/customers.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "crm/crm.h"

#define E164_MIN 7
#define E164_MAX 15

/* digits of d in groups of the given sizes (0 ends; the last group takes
 * what is left), separated by spaces, after prefix */
static void groups(char *out, size_t sz, const char *prefix, const char *d,
		   const int *sizes)
{
	size_t o = (size_t)snprintf(out, sz, "%s", prefix);

	for (int i = 0; *d && o + 1 < sz; i++) {
		size_t n = sizes[i] ? (size_t)sizes[i] : strlen(d);
		if (n > strlen(d))
			n = strlen(d);
		o += (size_t)snprintf(out + o, sz - o, "%s%.*s", i ? " " : "", (int)n, d);
		d += n;
		if (!sizes[i])
			break;
	}
}

void crm_number_display(char *out, size_t sz, const char *number, const char *country)
{
	bool home;
	const char *n;
	size_t len;

	char e164[32];

	if (!out || !sz)
		return;
	snprintf(out, sz, "%s", number ? number : "");
	/* a number as a phone sent it ("13800138000", "021-6123 4567") is
	 * read in the country first; what is not one stays as it is */
	if (number && number[0] != '+' &&
	    !crm_e164(e164, sizeof(e164), number, country, NULL))
		number = e164;
	if (!number || number[0] != '+' ||
	    strspn(number + 1, "0123456789") != strlen(number + 1))
		return;
	if (!strncmp(number, "+86", 3)) {
		static const int mobile[] = {3, 4, 0}, service[] = {3, 3, 0};
		int area[] = {0, 0, 0};
		char prefix[8];

		n = number + 3;
		len = strlen(n);
		home = country && !strcmp(country, "86");
		if (len == 11 && n[0] == '1' && n[1] >= '3' && n[1] <= '9') {
			groups(out, sz, home ? "" : "+86 ", n, mobile);
		} else if (len == 10 &&
			   (!strncmp(n, "400", 3) || !strncmp(n, "800", 3))) {
			groups(out, sz, home ? "" : "+86 ", n, service);
		} else if (len >= 9 && len <= 11 &&
			   (n[0] != '1' || !strncmp(n, "10", 2))) {
			/* area code, then the subscriber's 7 or 8 digits */
			area[0] = n[0] == '2' || !strncmp(n, "10", 2) ? 2 : 3;
			area[1] = len - (size_t)area[0] == 8 ? 4 : 3;
			snprintf(prefix, sizeof(prefix), "%s", home ? "0" : "+86 ");
			groups(out, sz, prefix, n, area);
		}
		return;
	}
	if (!strncmp(number, "+1", 2) && strlen(number + 2) == 10) {
		n = number + 2;
		if (country && !strcmp(country, "1"))
			snprintf(out, sz, "(%.3s) %.3s-%s", n, n + 3, n + 6);
		else
			snprintf(out, sz, "+1 %.3s %.3s %s", n, n + 3, n + 6);
	}
}

int crm_e164(char *out, size_t sz, const char *number, const char *country,
	     const char **why)
{
	char digits[32];
	size_t n = 0;
	bool plus = false;
	const char *d;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (!out || !number) {
		*why = "no number";
		return EINVAL;
	}
	for (const char *p = number; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(digits)) {
				*why = "too long for a phone number";
				return EINVAL;
			}
			digits[n++] = *p;
		} else if (*p == '+' && !n && !plus) {
			plus = true;
		} else if (!strchr(" -.()/", *p)) {
			*why =
			    "only digits, spaces, - . ( ) / and a leading + may be in a "
			    "phone number";
			return EINVAL;
		}
	}
	digits[n] = '\0';
	d = digits;
	if (plus) {
		/* international already */
	} else if (!strncmp(d, "00", 2)) {
		d += 2;
	} else {
		if (!country || !country[0]) {
			*why = "a national number, and no country is configured "
			       "(crm.country)";
			return EINVAL;
		}
		if (!strcmp(country, "1") && d[0] == '1')
			d++; /* NANP trunk prefix */
		else if (d[0] == '0')
			d++; /* trunk 0 */
		if (strlen(d) + strlen(country) > E164_MAX) {
			*why = "longer than 15 digits with the country code";
			return EINVAL;
		}
		if (strlen(d) < E164_MIN - strlen(country) || strlen(d) < 4) {
			*why = "too short for a phone number";
			return EINVAL;
		}
		if (snprintf(out, sz, "+%s%s", country, d) >= (int)sz) {
			*why = "too long";
			return EINVAL;
		}
		return 0;
	}
	if (strlen(d) < E164_MIN || d[0] == '0') {
		*why = d[0] == '0' ? "a country code never starts with 0"
				   : "too short for a phone number";
		return EINVAL;
	}
	if (strlen(d) > E164_MAX) {
		*why = "longer than 15 digits";
		return EINVAL;
	}
	if (snprintf(out, sz, "+%s", d) >= (int)sz) {
		*why = "too long";
		return EINVAL;
	}
	return 0;
}

static const char *const kinds[CRM_KINDS] = {"phone", "email", "chat", "messaging"};

const char *crm_kind_name(enum crm_kind k)
{
	return k < CRM_KINDS ? kinds[k] : "?";
}

int crm_kind_parse(enum crm_kind *kp, const char *name)
{
	for (int i = 0; name && i < CRM_KINDS; i++) {
		if (!strcmp(name, kinds[i])) {
			*kp = (enum crm_kind)i;
			return 0;
		}
	}
	return EINVAL;
}

int crm_identity_norm(char *out, size_t sz, enum crm_kind kind, const char *value,
		      const char *country, const char **why)
{
	const char *dummy, *at;
	size_t n;

	if (!why)
		why = &dummy;
	if (!value || !*value) {
		*why = "empty";
		return EINVAL;
	}
	if (kind == CRM_PHONE)
		return crm_e164(out, sz, value, country, why);
	n = strlen(value);
	if (n >= sz || n > 127) {
		*why = "longer than 127 characters";
		return EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
			*why = "only printable characters without spaces or quotes";
			return EINVAL;
		}
		out[i] = kind == CRM_EMAIL ? (char)tolower(c) : (char)c;
	}
	out[n] = '\0';
	if (kind == CRM_EMAIL) {
		at = strchr(out, '@');
		if (!at || at == out || !at[1] || strchr(at + 1, '@') ||
		    !strchr(at + 1, '.')) {
			*why = "not an e-mail address (name@domain.tld)";
			return EINVAL;
		}
	}
	return 0;
}

int crm_match(struct store *st, const struct cfg_tenant *t, enum crm_kind kind,
	      const char *value, struct crm_match *m)
{
	struct store_customer c;
	char norm[128], id[32];
	const struct cfg_tier *tier;

	if (!st || !t || !value || !m || kind >= CRM_KINDS)
		return EINVAL;
	memset(m, 0, sizeof(*m));
	/* the form identities are stored in, so that ZW@Example.com and
	 * +86 138... written any way find theirs */
	if (crm_identity_norm(norm, sizeof(norm), kind, value, t->country, NULL))
		return ENOENT;
	if (store_identity_find(st, crm_kind_name(kind), norm, id, sizeof(id)) ||
	    store_customer_get(st, id, &c))
		return ENOENT;
	util_copy(m->customer, sizeof(m->customer), c.id);
	util_copy(m->name, sizeof(m->name), c.name);
	util_copy(m->tier, sizeof(m->tier), c.tier);
	tier = cfg_tier_find(t, c.tier);
	m->priority = tier ? tier->priority : 0;
	return 0;
}

int crm_lookup(struct store *st, const struct cfg_tenant *t, const char *caller,
	       struct crm_match *m)
{
	return crm_match(st, t, CRM_PHONE, caller, m);
}
