/*
 * test_fields.c — custom fields (crm/fields.c): a record's fields against
 * the tenant's declarations — undeclared keys, each type, the options of
 * a choice, real dates, required fields on a whole record and not on a
 * change, and free keys when nothing is declared.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <jansson.h>
/* not all of <re.h> (test.h's): its re_json.h clashes with jansson's
 * enums; the harness needs only these */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_main.h>
#define RE_H__
#include "test.h"
#include "core/cfg.h"
#include "crm/crm.h"

static const char tenant[] =
    "crm:\n"
    "  fields:\n"
    "    - {name: account, type: text, label: Account number}\n"
    "    - {name: plan, type: choice, options: [basic, pro], required: true}\n"
    "    - {name: since, type: date}\n"
    "    - {name: seats, type: number}\n"
    "    - {name: opt_in, type: bool}\n"
    "tickets:\n"
    "  fields:\n"
    "    - {name: order_no, type: text, required: true}\n";

/* The check of text (JSON) as a whole record or a change: its error
 * number, and why in w (of 256 bytes). */
static int check(const struct cfg_tenant *t, bool tickets, const char *text, bool whole,
		 char *w)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	int err;

	if (text && !o)
		return -1;
	err = tickets ? crm_fields_check(t->ticket_fields, t->ticket_fieldc, o, whole,
					 NULL, w, 256)
		      : crm_fields_check(t->crm_fields, t->crm_fieldc, o, whole, NULL, w,
					 256);
	json_decref(o);
	return err;
}

#define REFUSED(tickets, text, whole, msg)                                               \
	do {                                                                             \
		TEST_CHECK(check(t, tickets, text, whole, why) == EINVAL);               \
		if (strcmp(why, msg)) {                                                  \
			fprintf(stderr, "why: \"%s\", expected \"%s\"\n", why, msg);     \
			goto out;                                                        \
		}                                                                        \
	} while (0)

static int test_declared(void)
{
	struct cfg_tenant *t = NULL;
	char why[256];
	int r = 1;

	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", tenant, strlen(tenant), NULL));
	TEST_CHECK(
	    !check(t, false,
		   "{\"account\":\"A-17\",\"plan\":\"pro\",\"since\":\"2024-02-29\","
		   "\"seats\":12,\"opt_in\":true}",
		   true, why));
	TEST_CHECK(!check(t, false, "{\"plan\":\"basic\",\"seats\":1.5}", true, why));
	REFUSED(false, "{\"plan\":\"pro\",\"colour\":\"red\"}", true,
		"fields.colour: not a declared field (account, plan, since, seats, "
		"opt_in)");
	REFUSED(false, "{\"plan\":\"gold\"}", true,
		"fields.plan: \"gold\" is not one of the options (basic, pro)");
	REFUSED(false, "{\"plan\":2}", true,
		"fields.plan: one of the options expected (basic, pro)");
	REFUSED(false, "{\"plan\":\"pro\",\"account\":17}", true,
		"fields.account: text of at most 256 characters expected");
	REFUSED(false, "{\"plan\":\"pro\",\"seats\":\"12\"}", true,
		"fields.seats: a number expected");
	REFUSED(false, "{\"plan\":\"pro\",\"opt_in\":\"yes\"}", true,
		"fields.opt_in: true or false expected");
	REFUSED(false, "{\"plan\":\"pro\",\"since\":\"2023-02-29\"}", true,
		"fields.since: \"2023-02-29\" is not a date (YYYY-MM-DD)");
	REFUSED(false, "{\"plan\":\"pro\",\"since\":\"2024-04-31\"}", true,
		"fields.since: \"2024-04-31\" is not a date (YYYY-MM-DD)");
	REFUSED(false, "{\"plan\":\"pro\",\"since\":\"2024-13-01\"}", true,
		"fields.since: \"2024-13-01\" is not a date (YYYY-MM-DD)");
	REFUSED(false, "{\"plan\":\"pro\",\"since\":\"24-1-1\"}", true,
		"fields.since: \"24-1-1\" is not a date (YYYY-MM-DD)");
	REFUSED(false, "{\"plan\":\"pro\",\"since\":20240101}", true,
		"fields.since: a date expected (\"YYYY-MM-DD\")");
	REFUSED(false, "[1]", true, "fields: an object of the declared fields");
	r = 0;
out:
	mem_deref(t);
	return r;
}

static int test_required(void)
{
	struct cfg_tenant *t = NULL;
	char why[256];
	int r = 1;

	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", tenant, strlen(tenant), NULL));
	/* a whole record must have it; a change need not */
	REFUSED(false, "{\"account\":\"A-1\"}", true, "fields.plan: required");
	REFUSED(false, NULL, true, "fields.plan: required");
	TEST_CHECK(!check(t, false, "{\"account\":\"A-1\"}", false, why));
	TEST_CHECK(!check(t, false, NULL, false, why));
	/* null: removing an optional field in a change, never a required one */
	TEST_CHECK(!check(t, false, "{\"account\":null}", false, why));
	REFUSED(false, "{\"plan\":null}", false,
		"fields.plan: one of the options expected (basic, pro)");
	REFUSED(false, "{\"plan\":\"pro\",\"account\":null}", true,
		"fields.account: text of at most 256 characters expected");
	/* tickets have their own list; an empty text is no value */
	REFUSED(true, "{}", true, "fields.order_no: required");
	REFUSED(true, "{\"order_no\":\"\"}", true, "fields.order_no: required");
	REFUSED(true, "{\"plan\":\"pro\",\"order_no\":\"9\"}", true,
		"fields.plan: not a declared field (order_no)");
	TEST_CHECK(!check(t, true, "{\"order_no\":\"SO-9\"}", true, why));
	r = 0;
out:
	mem_deref(t);
	return r;
}

/* Nothing declared: every object passes (the routes keep their own rules
 * for free keys). */
static int test_free(void)
{
	static const char y[] = "crm: {country: \"1\"}\n";
	struct cfg_tenant *t = NULL;
	char why[256];
	int r = 1;

	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), NULL));
	TEST_CHECK(!check(t, false, "{\"anything\":\"goes\",\"n\":1}", true, why));
	TEST_CHECK(!check(t, true, NULL, true, why));
	TEST_CHECK(!crm_fields_check(NULL, 0, NULL, true, NULL, NULL, 0));
	r = 0;
out:
	mem_deref(t);
	return r;
}

/* A long list of declared names is cut, never overflows why. */
static int test_long_names(void)
{
	char y[4096], why[64];
	struct cfg_tenant *t = NULL;
	json_t *o = json_pack("{s:s}", "nope", "x");
	int r = 1;

	snprintf(y, sizeof(y), "crm:\n  fields:\n");
	for (int i = 0; i < CFG_MAX_FIELDS; i++)
		snprintf(y + strlen(y), sizeof(y) - strlen(y),
			 "    - {name: a_rather_long_field_name_%02d, type: text}\n", i);
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", y, strlen(y), NULL));
	TEST_CHECK(crm_fields_check(t->crm_fields, t->crm_fieldc, o, true, NULL, why,
				    sizeof(why)) == EINVAL);
	TEST_CHECK(strlen(why) < sizeof(why) && !strncmp(why, "fields.nope: ", 13));
	r = 0;
out:
	json_decref(o);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"declared fields: keys, types, options, dates", test_declared},
    {"required fields: on a whole record, not on a change", test_required},
    {"nothing declared: free keys", test_free},
    {"a long list of names is cut to fit", test_long_names},
};

TEST_MAIN(tests)
