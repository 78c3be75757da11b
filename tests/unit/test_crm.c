/*
 * test_crm.c — identities normalised (E.164 phone numbers, e-mail), and
 * the customer store: identities unique and found, search, merge (nothing
 * lost), forget (personal data gone, figures kept), caller lookup with
 * the tier's priority.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "crm/crm.h"

static char dir[64];

static int e164_ok(const char *in, const char *country, const char *want)
{
	char out[32];
	const char *why = NULL;
	int err = crm_e164(out, sizeof(out), in, country, &why);

	if (err)
		TEST_FAIL("\"%s\" (%s): %s", in, country, why ? why : "?");
	TEST_STREQ(out, want);
	return 0;
}

static int e164_bad(const char *in, const char *country, const char *why_part)
{
	char out[32];
	const char *why = NULL;

	if (!crm_e164(out, sizeof(out), in, country, &why))
		TEST_FAIL("\"%s\" (%s) gave %s", in, country, out);
	if (!why || !strstr(why, why_part))
		TEST_FAIL("\"%s\": reason \"%s\", expected one with \"%s\"", in,
			  why ? why : "(none)", why_part);
	return 0;
}

static int test_e164(void)
{
	int r = 0;

	r |= e164_ok("+44 20 7123 4567", "1", "+442071234567");
	r |= e164_ok("0044 (20) 7123-4567", "1", "+442071234567");
	r |= e164_ok("020 7123 4567", "44", "+442071234567");
	r |= e164_ok("(415) 555-0123", "1", "+14155550123");
	r |= e164_ok("1-415-555-0123", "1", "+14155550123");
	r |= e164_ok("4155550123", "1", "+14155550123");
	r |= e164_ok("030 1234567", "49", "+49301234567");
	r |= e164_bad("12ab", "1", "only digits");
	r |= e164_bad("1001", "1", "too short");
	r |= e164_bad("+44123", "1", "too short");
	r |= e164_bad("+0441234567", "1", "never starts with 0");
	r |= e164_bad("0207123456", "", "no country");
	r |= e164_bad("+1234567890123456", "1", "longer than 15");
	r |= e164_bad("++441234567", "1", "only digits");
	return r;
}

static int test_identity_norm(void)
{
	char out[128];
	const char *why;
	enum crm_kind k;

	TEST_ERR(crm_identity_norm(out, sizeof(out), CRM_EMAIL, "Ann.Lee@Example.COM", "",
				   &why));
	TEST_STREQ(out, "ann.lee@example.com");
	TEST_ASSERT(crm_identity_norm(out, sizeof(out), CRM_EMAIL, "ann@", "", &why) ==
		    EINVAL);
	TEST_ASSERT(crm_identity_norm(out, sizeof(out), CRM_EMAIL, "a@b@c.d", "", &why) ==
		    EINVAL);
	TEST_ASSERT(crm_identity_norm(out, sizeof(out), CRM_CHAT, "has space", "",
				      &why) == EINVAL);
	TEST_ERR(crm_identity_norm(out, sizeof(out), CRM_CHAT, "visitor-42", "", &why));
	TEST_STREQ(out, "visitor-42");
	TEST_ERR(crm_kind_parse(&k, "messaging"));
	TEST_EQ(k, CRM_MESSAGING);
	TEST_ASSERT(crm_kind_parse(&k, "fax") == EINVAL);
	return 0;
}

static int count_h(const struct store_customer *c, void *arg)
{
	char *ids = arg;

	strcat(ids, c->id);
	strcat(ids, ";");
	return 0;
}

static int ident_h(const struct store_identity *i, void *arg)
{
	char *vals = arg;

	strcat(vals, i->value);
	strcat(vals, ";");
	return 0;
}

static int call_h(const struct store_call *c, void *arg)
{
	char *s = arg;

	strcat(s, c->id);
	strcat(s, "=");
	strcat(s, c->caller);
	strcat(s, c->customer[0] ? "+" : "-");
	strcat(s, ";");
	return 0;
}

static int ev_h(const struct hl_event *ev, void *arg)
{
	const char *caller = event_str(ev, "caller");

	if (caller && !strcmp(caller, "+14155550123"))
		++*(int *)arg;
	return 0;
}

static int test_customers(void)
{
	struct store *st = NULL;
	struct cfg_tenant t;
	struct store_customer c = {0}, got;
	struct store_identity idv[2] = {{"phone", "+14155550123", ""},
					{"email", "ann@example.com", ""}};
	struct store_identity bv[1] = {{"phone", "+14155550199", ""}};
	struct store_call call = {0};
	struct store_call_filter f = {0};
	struct hl_event ev = {1000, EVENT_QUEUE_ENTERED, NULL, "c1", NULL, "sales", NULL,
			      NULL};
	struct crm_match m;
	char buf[512] = "", id[32];
	const char *nums[] = {"+14155550123"};
	int n = 0, r = 1;

	memset(&t, 0, sizeof(t));
	strcpy(t.country, "1");
	strcpy(t.tiers[0].name, "vip");
	t.tiers[0].priority = 10;
	t.tierc = 1;
	strcpy(dir, "/tmp/hotline-crm-XXXXXX");
	TEST_ASSERT(mkdtemp(dir));
	TEST_ERR(store_open(&st, dir));

	strcpy(c.id, "cu1");
	strcpy(c.name, "Ann Lee");
	strcpy(c.company, "Acme Widgets");
	strcpy(c.tier, "vip");
	c.created = 1;
	TEST_ERR(store_customer_save(st, &c));
	TEST_ERR(store_identities_set(st, "cu1", idv, 2));
	strcpy(c.id, "cu2");
	strcpy(c.name, "Bob Stone");
	strcpy(c.company, "Stone Ltd");
	strcpy(c.tier, "normal");
	c.created = 2;
	TEST_ERR(store_customer_save(st, &c));
	TEST_ERR(store_identities_set(st, "cu2", bv, 1));
	strcpy(call.id, "c1");
	strcpy(call.caller, "+14155550123");
	strcpy(call.customer, "cu1");
	strcpy(call.recording, "rec/c1.wav");
	store_call_save(st, &call);
	strcpy(call.id, "c2");
	strcpy(call.caller, "+14155550199");
	strcpy(call.customer, "cu2");
	store_call_save(st, &call);
	ev.data = event_data_pack("{s:s}", "caller", "+14155550123");
	store_event_append(st, &ev);
	event_data_deref(ev.data);
	store_flush(st);

	/* found by identity, by caller number with the tier's priority */
	TEST_CHECK(!store_identity_find(st, "email", "ann@example.com", id, sizeof(id)) &&
		   !strcmp(id, "cu1"));
	TEST_CHECK(store_identity_find(st, "email", "nobody@example.com", id,
				       sizeof(id)) == ENOENT);
	TEST_CHECK(!crm_lookup(st, &t, "(415) 555-0123", &m) &&
		   !strcmp(m.customer, "cu1") && m.priority == 10 &&
		   !strcmp(m.name, "Ann Lee"));
	TEST_CHECK(!crm_lookup(st, &t, "4155550199", &m) && m.priority == 0);
	TEST_CHECK(crm_lookup(st, &t, "1001", &m) == ENOENT);
	/* by e-mail (a chat visitor's), in any case; a phone lookup never
	 * takes an address, nor an e-mail one a number */
	TEST_CHECK(!crm_match(st, &t, CRM_EMAIL, "Ann@Example.COM", &m) &&
		   !strcmp(m.customer, "cu1") && m.priority == 10 &&
		   !strcmp(m.name, "Ann Lee"));
	TEST_CHECK(crm_match(st, &t, CRM_EMAIL, "nobody@example.com", &m) == ENOENT);
	TEST_CHECK(crm_match(st, &t, CRM_EMAIL, "+14155550123", &m) == ENOENT);
	TEST_CHECK(crm_match(st, &t, CRM_PHONE, "ann@example.com", &m) == ENOENT);
	/* search: name prefix, company, number */
	TEST_CHECK(!store_customer_list(st, "\"acm\"*", 10, 0, count_h, buf) &&
		   !strcmp(buf, "cu1;"));
	buf[0] = '\0';
	TEST_CHECK(!store_customer_list(st, "\"bob\"*", 10, 0, count_h, buf) &&
		   !strcmp(buf, "cu2;"));
	buf[0] = '\0';
	TEST_CHECK(!store_customer_list(st, NULL, 10, 0, count_h, buf) &&
		   !strcmp(buf, "cu2;cu1;"));

	/* merge cu2 into cu1: identities and calls move, nothing is lost */
	store_customer_merge(st, "cu2", "cu1");
	store_flush(st);
	TEST_CHECK(store_customer_get(st, "cu2", &got) == ENOENT);
	buf[0] = '\0';
	TEST_CHECK(!store_identity_list(st, "cu1", ident_h, buf) &&
		   !strcmp(buf, "ann@example.com;+14155550123;+14155550199;"));
	buf[0] = '\0';
	f.customer = "cu1";
	TEST_CHECK(!store_call_list(st, &f, call_h, buf) &&
		   !strcmp(buf, "c2=+14155550199+;c1=+14155550123+;"));
	buf[0] = '\0';
	TEST_CHECK(!store_customer_list(st, "\"14155550199\"", 10, 0, count_h, buf) &&
		   !strcmp(buf, "cu1;"));

	/* forget cu1: its data goes; its calls stay, anonymous */
	store_customer_forget(st, "cu1", nums, 1);
	store_flush(st);
	TEST_CHECK(store_customer_get(st, "cu1", &got) == ENOENT);
	TEST_CHECK(store_identity_find(st, "phone", "+14155550123", id, sizeof(id)) ==
		   ENOENT);
	buf[0] = '\0';
	f.customer = NULL;
	TEST_CHECK(!store_call_list(st, &f, call_h, buf) &&
		   !strcmp(buf, "c2=forgotten-;c1=forgotten-;"));
	TEST_CHECK(!store_call_get(st, "c1", &call) && !call.recording[0]);
	n = 0;
	TEST_CHECK(!store_event_list(st, 0, 0, NULL, ev_h, &n) && n == 0);
	buf[0] = '\0';
	TEST_CHECK(!store_customer_list(st, "\"ann\"*", 10, 0, count_h, buf) && !buf[0]);
	r = 0;
out:
	mem_deref(st);
	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	if (r)
		fprintf(stderr, "kept %s\n", dir);
	else
		(void)!system(buf);
	return r;
}

/* Numbers as shown in the tenant's country, from the table the pages'
 * test shares (tests/data/numbers_display.txt). */
static int test_number_display(void)
{
	FILE *f = fopen("tests/data/numbers_display.txt", "r");
	char line[256], out[64];
	int n = 0, bad = 0;

	TEST_ASSERT(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		char *num = line, *cc, *want;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		cc = strchr(num, '\t');
		want = cc ? strchr(cc + 1, '\t') : NULL;
		if (!want)
			continue;
		*cc++ = '\0';
		*want++ = '\0';
		crm_number_display(out, sizeof(out), num, cc);
		if (strcmp(out, want)) {
			fprintf(stderr, "%s in %s: %s, not %s\n", num, cc, out, want);
			bad++;
		}
		n++;
	}
	fclose(f);
	TEST_EQ(bad, 0);
	TEST_ASSERT(n >= 18);
	crm_number_display(out, 8, "+8613800138000", "86");
	TEST_STREQ(out, "138 001"); /* cut, still text */
	return 0;
}

static const struct test_case tests[] = {
    {"numbers shown as read in the tenant's country", test_number_display},
    {"phone numbers in E.164, with the reason when not", test_e164},
    {"e-mail, chat and messaging identities", test_identity_norm},
    {"customers: found, searched, merged, forgotten", test_customers},
};

TEST_MAIN(tests)
