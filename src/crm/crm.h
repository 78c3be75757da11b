/*
 * crm.h — customers as the contact center sees them: who is calling
 * (a caller number matched to a customer by its E.164 form), what tier
 * they are (the queue priority it gives), and the identities (phone
 * numbers, e-mail addresses, chat and messaging ids) that make one
 * customer recognisable on every channel.
 *
 * The records themselves are in the store; the routes in api/.
 */
#ifndef HOTLINE_CRM_H
#define HOTLINE_CRM_H

#include <stdbool.h>
#include <stddef.h>

struct store;
struct cfg_tenant;
struct cfg_field;
struct json_t;

/*
 * A phone number in E.164 ("+442071234567") from what people and phones
 * write: spaces, dashes, dots and brackets go; "+CC..." and "00CC..." are
 * international; "0..." is national (the trunk 0 dropped) in country (a
 * calling code, "44"); a bare number is national too (for "1", a leading
 * trunk 1 is dropped). EINVAL with *why set when it cannot be one: a
 * letter, too short (under 7 digits) or too long (over 15), no country
 * for a national number.
 */
int crm_e164(char *out, size_t sz, const char *number, const char *country,
	     const char **why);

/*
 * A number as people read it in the tenant's country (issue 14): a
 * number of that country in its national form, one of another country
 * in its international form with the country code apart. China (86):
 * mobiles 138 0013 8000, landlines with the trunk 0 and the area code
 * (010 and 02x have two digits, the rest three) 021 6123 4567, 400 and
 * 800 numbers 400 812 3123; from abroad +86 138 0013 8000, +86 21 6123
 * 4567. NANP (1): (415) 555-0100, from abroad +1 415 555 0100. A number
 * without its country code is read in country first (crm_e164). Numbers
 * of other countries, those that fit no rule (95588), and what is not a
 * number (an extension, "anonymous") are written as they were given. The
 * pages do the same (web/number.js).
 */
void crm_number_display(char *out, size_t sz, const char *number, const char *country);

enum crm_kind { CRM_PHONE, CRM_EMAIL, CRM_CHAT, CRM_MESSAGING, CRM_KINDS };

const char *crm_kind_name(enum crm_kind k);
int crm_kind_parse(enum crm_kind *kp, const char *name);

/*
 * An identity's value in the one form it is stored and matched in: a
 * phone number in E.164, an e-mail address in lower case (it must have
 * one @ with text either side), chat and messaging ids as given (1-127
 * printable characters). EINVAL with *why when it is not one.
 */
int crm_identity_norm(char *out, size_t sz, enum crm_kind kind, const char *value,
		      const char *country, const char **why);

/* The customer behind a caller number, if any. */
struct crm_match {
	char customer[32];
	char name[128];
	char tier[16];
	int priority; /* the tier's queue priority (0 when none) */
};

/* The customer who has the identity (kind, value), value normalised as
 * identities are stored (crm_identity_norm: a phone number in the
 * tenant's country, an e-mail address in lower case): 0 and m filled in,
 * ENOENT when nobody has it or value is not of that kind. */
int crm_match(struct store *st, const struct cfg_tenant *t, enum crm_kind kind,
	      const char *value, struct crm_match *m);
/* crm_match of a caller number (a phone identity). */
int crm_lookup(struct store *st, const struct cfg_tenant *t, const char *caller,
	       struct crm_match *m);

/*
 * Custom fields: a record's "fields" (a JSON object) against the fields
 * the admin declared for it (crm.fields for customers, tickets.fields for
 * tickets; n of them in v). Every key must be declared and its value of
 * the declared type: text (a string of at most 256 characters), number,
 * date ("YYYY-MM-DD", a day that exists), choice (one of the options) or
 * bool. whole: obj is all of the record's fields (a new record, or a
 * change that replaces them), so every required field must be in it
 * (not null, not ""); obj NULL is an empty object. With nothing declared
 * (n == 0) every object passes: the caller keeps its own rules for free
 * keys. 0 when it conforms; EINVAL when not, with why (of sz bytes) one
 * message naming the field: "fields.colour: not a declared field (...)",
 * in the words of locale (the server's catalog, msg_fmt; NULL: English).
 */
int crm_fields_check(const struct cfg_field *v, size_t n, const struct json_t *obj,
		     bool whole, const char *locale, char *why, size_t sz);

/*
 * The lookup hook (crm.lookup): an external CRM asked over HTTP who is
 * behind a number, without the main loop waiting. cb gets 0 and the
 * customer (its tier's priority filled in), ENOENT for nobody, or another
 * error; from the cache at once, or later on the main loop. arg (a mem
 * object) is referenced until then. crm_hook_alloc sets *hp NULL when
 * the tenant has no hook.
 */
struct crm_hook;
typedef void(crm_hook_h)(int err, const struct crm_match *m, void *arg);
int crm_hook_alloc(struct crm_hook **hp, const struct cfg_tenant *t);
int crm_hook_ask(struct crm_hook *h, const char *number, crm_hook_h *cb, void *arg);
/* The tenant applied live: tiers from t (the hook's url, timeout and cache
 * stay as they were until the next start). */
void crm_hook_tenant_set(struct crm_hook *h, const struct cfg_tenant *t);

#endif
