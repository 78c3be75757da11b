/*
 * test_dial.c — who may dial what (issue 18): the numbering-plan
 * classifier on Chinese and NANP numbers, the tenant's dialing section,
 * and the dial guard's classes, limits and daily caps on a virtual clock.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "safe/safe.h"
#include "test.h"

#define CN(num, cls)   TEST_EQ(safe_dial_classify(SAFE_PLAN_CN, "86", num), cls)
#define NANP(num, cls) TEST_EQ(safe_dial_classify(SAFE_PLAN_NANP, "1", num), cls)

static int test_china(void)
{
	CN("110", SAFE_DIAL_EMERGENCY);
	CN("119", SAFE_DIAL_EMERGENCY);
	CN("120", SAFE_DIAL_EMERGENCY);
	CN("1001", SAFE_DIAL_INTERNAL);
	CN("13800138000", SAFE_DIAL_MOBILE);
	CN("19912345678", SAFE_DIAL_MOBILE);
	CN("+8613800138000", SAFE_DIAL_MOBILE);
	CN("01012345678", SAFE_DIAL_NATIONAL); /* Beijing */
	CN("02161234567", SAFE_DIAL_NATIONAL); /* Shanghai */
	CN("+861012345678", SAFE_DIAL_NATIONAL);
	CN("62345678", SAFE_DIAL_LOCAL);
	CN("4008123123", SAFE_DIAL_TOLLFREE);
	CN("8008101234", SAFE_DIAL_TOLLFREE);
	CN("95588", SAFE_DIAL_NATIONAL); /* a bank's service number */
	CN("96777", SAFE_DIAL_NATIONAL);
	CN("0044 20 7946 0000", SAFE_DIAL_INTERNATIONAL);
	CN("+12025550100", SAFE_DIAL_INTERNATIONAL);
	CN("16812345", SAFE_DIAL_PREMIUM);
	CN("125901", SAFE_DIAL_PREMIUM);
	CN("1*2#", SAFE_DIAL_INTERNATIONAL); /* not a number we can place */
	return 0;
}

static int test_nanp(void)
{
	NANP("911", SAFE_DIAL_EMERGENCY);
	NANP("411", SAFE_DIAL_LOCAL);
	NANP("1001", SAFE_DIAL_INTERNAL);
	NANP("5550100", SAFE_DIAL_LOCAL);
	NANP("2025550100", SAFE_DIAL_NATIONAL);
	NANP("12025550100", SAFE_DIAL_NATIONAL);
	NANP("+1 (202) 555-0100", SAFE_DIAL_NATIONAL);
	NANP("18005550100", SAFE_DIAL_TOLLFREE);
	NANP("8885550100", SAFE_DIAL_TOLLFREE);
	NANP("19005550100", SAFE_DIAL_PREMIUM);
	NANP("2129765555", SAFE_DIAL_PREMIUM); /* 976 exchange */
	NANP("9765555", SAFE_DIAL_PREMIUM);
	NANP("011442079460000", SAFE_DIAL_INTERNATIONAL);
	NANP("+442079460000", SAFE_DIAL_INTERNATIONAL);
	NANP("18095550100", SAFE_DIAL_INTERNATIONAL); /* Dominican Republic */
	NANP("8765550100", SAFE_DIAL_INTERNATIONAL);  /* Jamaica */
	NANP("bob", SAFE_DIAL_INTERNAL);	      /* a SIP name */
	NANP("", SAFE_DIAL_INTERNATIONAL);
	TEST_EQ(safe_dial_classify(SAFE_PLAN_GENERIC, "49", "+4930123456"),
		SAFE_DIAL_NATIONAL);
	TEST_EQ(safe_dial_classify(SAFE_PLAN_GENERIC, "49", "0033123456"),
		SAFE_DIAL_INTERNATIONAL);
	return 0;
}

static int test_uri_number(void)
{
	char n[32];

	TEST_ERR(safe_dial_number(n, sizeof(n), "sip:%2B8613800138000@trunk;user=phone"));
	TEST_STREQ(n, "+8613800138000");
	TEST_ERR(safe_dial_number(n, sizeof(n), "tel:+1-202-555-0100"));
	TEST_STREQ(n, "+1-202-555-0100");
	TEST_ERR(safe_dial_number(n, sizeof(n), "sip:127.0.0.1:5060"));
	TEST_STREQ(n, "sip");
	TEST_EQ(safe_dial_number(n, 8, "sip:0123456789@h"), E2BIG);
	return 0;
}

static const char tenant_yaml[] =
    "name: T\n"
    "crm: {country: \"86\"}\n"
    "agents:\n"
    "  - {ext: \"1001\", name: A, password: Long-Enough-1001}\n"
    "  - {ext: \"1002\", name: B, password: Long-Enough-1002}\n"
    "queues:\n"
    "  - {name: sales, strategy: ring-all, members: [\"1001\"]}\n"
    "dialing:\n"
    "  agents: {\"1002\": [internal, emergency, national, mobile, international]}\n"
    "  queues: {sales: [internal, emergency]}\n"
    "  trusted: {\"192.0.2.0/24\": [internal]}\n"
    "  limits:\n"
    "    agent_calls: 1\n"
    "    tenant_calls: 2\n"
    "    attempts_per_minute: 5\n"
    "    minutes_per_day: {mobile: 10m}\n";

static int check(const char *agent, const char *queue, const char *number, uint64_t now,
		 const char **code)
{
	struct safe_dial_req rq = {.agent = agent,
				   .queue = queue,
				   .number = number,
				   .source = agent ? agent : "caller"};
	struct safe_dial_verdict v;
	int err = safe_dial_check(&rq, now, &v);

	*code = err ? v.code : "";
	return err;
}

static int test_guard(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const char *code;
	uint64_t now = 1800000000000ULL - 1800000000000ULL % 86400000ULL + 3600000;
	struct safe_dial_req rq = {.addr = "192.0.2.9", .number = "13800138000"};
	struct safe_dial_verdict v;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", tenant_yaml, strlen(tenant_yaml), &e));
	TEST_CHECK(t->dialing.minutes_per_day[SAFE_DIAL_MOBILE] == 600000);
	TEST_CHECK(!safe_dial_tenant(t));

	/* the default class: national and mobile, never international or
	 * premium; emergency always */
	TEST_CHECK(!check("1001", NULL, "01012345678", now, &code));
	TEST_CHECK(check("1001", NULL, "0044207946000", now, &code) == EPERM &&
		   !strcmp(code, "dial_class"));
	TEST_CHECK(check("1001", NULL, "16812345", now, &code) == EPERM);
	TEST_CHECK(!check("1001", NULL, "110", now, &code));
	/* 1002 is allowed international; a queue's callbacks only internal;
	 * a trusted network its own class */
	TEST_CHECK(!check("1002", NULL, "0044207946000", now, &code));
	TEST_CHECK(check(NULL, "sales", "13800138000", now, &code) == EPERM);
	TEST_CHECK(safe_dial_check(&rq, now, &v) == EPERM &&
		   !strcmp(v.code, "dial_class"));
	TEST_CHECK(strstr(v.reason, "mobile numbers may not be dialled by 192.0.2.0/24"));
	/* a trusted address without a rule is inbound only */
	rq.addr = "198.51.100.7";
	rq.number = "01012345678";
	TEST_CHECK(safe_dial_check(&rq, now, &v) == EPERM &&
		   strstr(v.reason, "a trusted address (inbound only)"));
	rq.number = "110";
	TEST_CHECK(!safe_dial_check(&rq, now, &v));

	/* one call at once per agent, two per tenant */
	safe_dial_started("c1", "1001", SAFE_DIAL_MOBILE, now);
	TEST_CHECK(check("1001", NULL, "13800138001", now, &code) == EPERM &&
		   !strcmp(code, "agent_calls"));
	safe_dial_started("c2", "1002", SAFE_DIAL_MOBILE, now);
	TEST_CHECK(check("1002", NULL, "13800138002", now, &code) == EPERM);
	TEST_CHECK(!strcmp(code, "agent_calls") || !strcmp(code, "tenant_calls"));
	/* 8 minutes of mobile: 80% of the cap, an alert; then 100% */
	safe_dial_ended("c1", now + 8 * 60000);
	safe_dial_ended("c2", now + 30000);
	TEST_CHECK(!check("1001", NULL, "13800138003", now + 9 * 60000, &code));
	safe_dial_started("c3", "1001", SAFE_DIAL_MOBILE, now + 9 * 60000);
	safe_dial_ended("c3", now + 11 * 60000);
	TEST_CHECK(check("1002", NULL, "13800138004", now + 12 * 60000, &code) == EPERM &&
		   !strcmp(code, "minutes_cap"));
	/* national has no cap; a new day starts again */
	TEST_CHECK(!check("1002", NULL, "01012345678", now + 12 * 60000, &code));
	TEST_CHECK(!check("1002", NULL, "13800138004", now + 86400000, &code));

	/* attempts per minute per source, refused ones included */
	for (int i = 0; i < 5; i++)
		(void)check("1001", NULL, "0044207946000", now + 2 * 86400000, &code);
	TEST_CHECK(check("1001", NULL, "01012345678", now + 2 * 86400000, &code) ==
		       EPERM &&
		   !strcmp(code, "attempts"));
	TEST_CHECK(
	    !check("1001", NULL, "01012345678", now + 2 * 86400000 + 60000, &code));
	r = 0;
out:
	safe_dial_close();
	mem_deref(t);
	return r;
}

static size_t alerts, reached;
static void count_alerts(const struct hl_event *ev, void *arg)
{
	(void)arg;
	alerts += ev->type == EVENT_DIALING_CAP_WARNING;
	reached += ev->type == EVENT_DIALING_CAP_REACHED;
}

/* The 80% alert and the 100% notice are events, once a day each. */
static int test_alerts_seen(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	uint64_t now = 86400000ULL * 20000;
	int r = 1;

	memset(&e, 0, sizeof(e));
	alerts = reached = 0;
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", tenant_yaml, strlen(tenant_yaml), &e));
	TEST_CHECK(!safe_dial_tenant(t));
	TEST_CHECK(!event_subscribe(count_alerts, NULL));
	safe_dial_started("a", "1001", SAFE_DIAL_MOBILE, now);
	safe_dial_ended("a", now + 7 * 60000);
	TEST_CHECK(alerts == 0);
	safe_dial_started("b", "1001", SAFE_DIAL_MOBILE, now);
	safe_dial_ended("b", now + 60000);
	TEST_CHECK(alerts == 1 && reached == 0);
	safe_dial_started("c", "1001", SAFE_DIAL_MOBILE, now);
	safe_dial_ended("c", now + 60000);
	TEST_CHECK(alerts == 1 && reached == 0);
	safe_dial_started("d", "1001", SAFE_DIAL_MOBILE, now);
	safe_dial_ended("d", now + 5 * 60000);
	TEST_CHECK(alerts == 1 && reached == 1);
	/* the next day one long call crosses both marks: both are said */
	safe_dial_started("e", "1001", SAFE_DIAL_MOBILE, now + 86400000);
	safe_dial_ended("e", now + 86400000 + 11 * 60000);
	TEST_CHECK(alerts == 2 && reached == 2);
	r = 0;
out:
	event_unsubscribe(count_alerts, NULL);
	safe_dial_close();
	mem_deref(t);
	return r;
}

static int test_dialing_errors(void)
{
	static const char y[] =
	    "name: T\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: A, password: Long-Enough-1001}\n"
	    "dialing:\n"
	    "  plan: mars\n"
	    "  allow: [internal, satellite]\n"
	    "  agents: {\"1999\": [internal]}\n"
	    "  limits: {agent_calls: -1, minutes_per_day: {galactic: 5m}}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e) == EINVAL);
	TEST_CHECK(e.msgc == 5);
	TEST_CHECK(strstr(e.msgv[0], "t.yaml:5: dialing.plan: \"mars\" is not a plan"));
	TEST_CHECK(
	    strstr(e.msgv[1], "t.yaml:6: dialing.allow: \"satellite\" is not a class"));
	TEST_CHECK(
	    strstr(e.msgv[2], "t.yaml:7: dialing.agents: \"1999\" is not an agent"));
	r = 0;
out:
	for (size_t i = 0; r && i < e.msgc; i++)
		fprintf(stderr, "%s\n", e.msgv[i]);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"China: emergency, mobile, national, local, 400/800, 95xxx, 00, premium",
     test_china},
    {"NANP: 911, N11, local, national, 8XX, 900/976, 011, Caribbean", test_nanp},
    {"the number of a sip:/tel: URI", test_uri_number},
    {"guard: classes per agent/queue/network, concurrency, caps, attempts", test_guard},
    {"guard: 80% alert and 100% notice, once each", test_alerts_seen},
    {"dialing section: errors at their lines", test_dialing_errors},
};

TEST_MAIN(tests)
