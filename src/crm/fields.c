/*
 * fields.c — custom fields: checking a record's "fields" object against
 * the fields the admin declared for it in the tenant file (crm.fields,
 * tickets.fields). One check for customers and tickets, so that both
 * refuse the same things with the same words.
 *
 * Not here: reading the declarations (core/cfg_tenant.c), storing the
 * records (store), the routes (api/).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "core/core.h"
#include "core/cfg.h"
#include "crm/crm.h"

#define FIELD_TEXT_MAX 256

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYY-MM-DD", a day the calendar has. */
static bool date_valid(const char *s)
{
	static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	}
	y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		       (s[3] - '0'));
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= days[m - 1] + (m == 2 && leap(y));
}

static const struct cfg_field *field_find(const struct cfg_field *v, size_t n,
					  const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name))
			return &v[i];
	}
	return NULL;
}

/* "a, b, c" into out, cut short with "..." when it does not fit. */
static void names_list(char *out, size_t sz, const char (*names)[32], size_t stride,
		       size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = (const char *)names + i * stride;
		int w = snprintf(out + len, sz - len, "%s%s", i ? ", " : "", name);

		if (w < 0 || (size_t)w >= sz - len) {
			if (sz > 4)
				snprintf(out + (sz > 8 ? sz - 8 : 0), 8, "...");
			return;
		}
		len += (size_t)w;
	}
}

/* Is x a value of f's type? false with why filled in. */
static bool value_check(const struct cfg_field *f, const json_t *x, const char *locale,
			char *why, size_t sz)
{
	const char *s = json_string_value(x);
	char opts[160];

	switch (f->type) {
	case CFG_FIELD_TEXT:
		if (s && util_utf8_len(s) <= FIELD_TEXT_MAX) /* characters */
			return true;
		snprintf(
		    why, sz,
		    msg_fmt(locale, "fields.%s: text of at most %d characters expected"),
		    f->name, FIELD_TEXT_MAX);
		return false;
	case CFG_FIELD_NUMBER:
		if (json_is_number(x))
			return true;
		snprintf(why, sz, msg_fmt(locale, "fields.%s: a number expected"),
			 f->name);
		return false;
	case CFG_FIELD_DATE:
		if (s && date_valid(s))
			return true;
		if (s)
			snprintf(
			    why, sz,
			    msg_fmt(locale,
				    "fields.%s: \"%.32s\" is not a date (YYYY-MM-DD)"),
			    f->name, s);
		else
			snprintf(why, sz,
				 msg_fmt(locale,
					 "fields.%s: a date expected (\"YYYY-MM-DD\")"),
				 f->name);
		return false;
	case CFG_FIELD_CHOICE:
		for (size_t i = 0; s && i < f->optionc; i++) {
			if (!strcmp(s, f->options[i]))
				return true;
		}
		names_list(opts, sizeof(opts), f->options, sizeof(f->options[0]),
			   f->optionc);
		if (s)
			snprintf(
			    why, sz,
			    msg_fmt(
				locale,
				"fields.%s: \"%.32s\" is not one of the options (%s)"),
			    f->name, s, opts);
		else
			snprintf(why, sz,
				 msg_fmt(locale,
					 "fields.%s: one of the options expected (%s)"),
				 f->name, opts);
		return false;
	case CFG_FIELD_BOOL:
		if (json_is_boolean(x))
			return true;
		snprintf(why, sz, msg_fmt(locale, "fields.%s: true or false expected"),
			 f->name);
		return false;
	}
	snprintf(why, sz, msg_fmt(locale, "fields.%s: a field of an unknown type"),
		 f->name);
	return false;
}

static int fields_check(const struct cfg_field *v, size_t n, const json_t *obj,
			bool whole, const char *locale, char *why, size_t sz)
{
	char dummy[8], names[160];
	const char *key;
	json_t *x;

	if (!why || !sz) {
		why = dummy;
		sz = sizeof(dummy);
	}
	why[0] = '\0';
	if (!n)
		return 0;
	if (!v || (obj && !json_is_object(obj))) {
		util_copy(why, sz,
			  msg_fmt(locale, "fields: an object of the declared fields"));
		return EINVAL;
	}
	/* jansson's iteration does not change the object */
	json_object_foreach((json_t *)obj, key, x)
	{
		const struct cfg_field *f = field_find(v, n, key);

		if (!f) {
			names_list(names, sizeof(names), &v[0].name, sizeof(v[0]), n);
			snprintf(
			    why, sz,
			    msg_fmt(locale, "fields.%.32s: not a declared field (%s)"),
			    key, names);
			return EINVAL;
		}
		if (json_is_null(x) && !whole && !f->required)
			continue; /* a change that removes it */
		if (!value_check(f, x, locale, why, sz))
			return EINVAL;
	}
	for (size_t i = 0; whole && i < n; i++) {
		const json_t *x2 = obj ? json_object_get(obj, v[i].name) : NULL;
		const char *s = json_string_value(x2);

		if (v[i].required && (!x2 || (s && !*s))) {
			snprintf(why, sz, msg_fmt(locale, "fields.%s: required"),
				 v[i].name);
			return EINVAL;
		}
	}
	return 0;
}

int crm_fields_check(const struct cfg_field *v, size_t n, const struct json_t *obj,
		     bool whole, const char *locale, char *why, size_t sz)
{
	char dummy[8];
	int err;

	if (!why || !sz) {
		why = dummy;
		sz = sizeof(dummy);
	}
	err = fields_check(v, n, obj, whole, locale, why, sz);
	util_utf8_trim(why); /* a translation cut at sz stays UTF-8 */
	return err;
}
