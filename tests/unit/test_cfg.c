/*
 * test_cfg.c — configuration: the shipped files load, defaults apply,
 * every kind of mistake is reported with file, line and key, and the
 * business-hours clock follows time zones and holidays.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "test.h"

static int has_error(const struct cfg_errors *e, const char *needle)
{
	for (size_t i = 0; i < e->msgc && i < 32; i++) {
		if (strstr(e->msgv[i], needle))
			return 1;
	}
	for (size_t i = 0; i < e->msgc && i < 32; i++)
		fprintf(stderr, "  have: %s\n", e->msgv[i]);
	return 0;
}

static int test_shipped_files(void)
{
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	struct cfg_tenant *t = NULL;
	const struct cfg_flow *f;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_node_load(&n, "conf/hotline.yaml", &e));
	if (strcmp(n->tenant_file, "conf/demo.yaml") || n->rtp_port_min != 20000 ||
	    n->rtp_port_max != 29999 || n->rtp_timeout_ms != 30000 || n->trustedc != 1 ||
	    strcmp(n->sip_listen, "0.0.0.0:5060"))
		goto out;
	if (cfg_tenant_load(&t, n->tenant_file, &e))
		goto out;
	if (t->agentc != 4 || t->queuec != 2 || !cfg_agent_find(t, "1004") ||
	    strcmp(cfg_number_find(t, "5000")->flow, "main"))
		goto out;
	f = cfg_flow_find(t, "main");
	if (!f || strcmp(f->start, "check-hours") ||
	    cfg_flow_node(f, "menu")->optionc != 2 ||
	    cfg_flow_node(f, "menu")->timeout_ms != 5000 ||
	    cfg_queue_find(t, "support")->memberc != 3)
		goto out;
	r = 0;
out:
	mem_deref(t);
	mem_deref(n);
	return r;
}

static int test_node_errors(void)
{
	static const char y[] = "data_dir: var\n"
				"sip:\n"
				"  listen: nowhere\n"
				"  colour: blue\n"
				"media:\n"
				"  rtp_ports: 3000-2000\n"
				"  rtp_timeout: 15x\n"
				"limits:\n"
				"  max_calls: -4\n";
	struct cfg_errors e;
	struct cfg_node *n = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_node_parse(&n, "x.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(n == NULL);
	TEST_ASSERT(has_error(&e, "x.yaml:3: sip.listen: \"nowhere\" is not IP:PORT"));
	TEST_ASSERT(has_error(&e, "x.yaml:4: sip.colour: unknown key"));
	TEST_ASSERT(has_error(&e, "x.yaml:6: media.rtp_ports"));
	TEST_ASSERT(
	    has_error(&e, "x.yaml:7: media.rtp_timeout: \"15x\" is not a duration"));
	TEST_ASSERT(has_error(&e, "x.yaml:9: limits.max_calls"));
	return 0;
}

static int test_yaml_syntax_error(void)
{
	static const char y[] = "agents:\n  - ext: \"1001\n    name: [oops\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(has_error(&e, "t.yaml:"));
	TEST_ASSERT(has_error(&e, ": yaml: "));
	return 0;
}

static int test_tenant_errors(void)
{
	static const char y[] = "agents:\n"
				"  - {ext: \"1001\", password: a}\n" /* 2 */
				"  - {ext: \"1001\", password: b}\n" /* 3 */
				"  - {ext: abc, password: c}\n"	     /* 4 */
				"queues:\n"
				"  - name: q\n" /* 6 */
				"    strategy: fastest\n"
				"    ring_timeout: 0s\n"
				"    members: [\"1001\", \"1999\"]\n"
				"numbers:\n"
				"  - {number: \"1001\", flow: nope}\n" /* 11 */
				"flows:\n"
				"  - name: main\n"
				"    start: a\n"
				"    nodes:\n"
				"      - {id: a, type: say, text: hi, next: b}\n" /* 16 */
				"      - {id: c, type: dance}\n"		  /* 17 */
				"      - {id: d, type: menu, text: x}\n"	  /* 18 */
				"      - {id: e, type: queue, queue: nosuch}\n";  /* 19 */
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e), EINVAL);
	TEST_ASSERT(has_error(
	    &e, "t.yaml:3: agents[1]: extension 1001 is already agent on line 2"));
	TEST_ASSERT(has_error(&e, "t.yaml:4: agents[2]: ext must be 2 to 15 digits"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:6: queues.strategy: \"fastest\" is not a strategy"));
	TEST_ASSERT(has_error(&e, "queues.ring_timeout: 0s is out of range"));
	TEST_ASSERT(has_error(&e, "member 1999 is not an agent"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:11: numbers.flow: number 1001 runs flow \"nope\""));
	TEST_ASSERT(has_error(&e, "1001 is also an agent's extension"));
	TEST_ASSERT(has_error(
	    &e, "t.yaml:16: nodes.next: node \"a\" of flow \"main\" names node \"b\""));
	TEST_ASSERT(has_error(&e, "t.yaml:17: nodes.type: \"dance\" is not a node type"));
	TEST_ASSERT(has_error(&e, "t.yaml:18: flows[0].nodes[2]: a menu needs options"));
	TEST_ASSERT(
	    has_error(&e, "t.yaml:19: nodes.queue: queue \"nosuch\" is not defined"));
	return 0;
}

static int test_missing_file(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;

	memset(&e, 0, sizeof(e));
	TEST_ASSERT(cfg_tenant_load(&t, "/nonexistent/demo.yaml", &e) != 0);
	TEST_ASSERT(has_error(&e, "/nonexistent/demo.yaml:0: file: cannot open"));
	return 0;
}

static int test_durations(void)
{
	uint32_t ms;

	TEST_ERR(cfg_duration_parse(&ms, "500ms"));
	TEST_EQ(ms, 500);
	TEST_ERR(cfg_duration_parse(&ms, "5s"));
	TEST_EQ(ms, 5000);
	TEST_ERR(cfg_duration_parse(&ms, "2m"));
	TEST_EQ(ms, 120000);
	TEST_ERR(cfg_duration_parse(&ms, "7"));
	TEST_EQ(ms, 7000);
	TEST_ASSERT(cfg_duration_parse(&ms, "5 s") != 0);
	TEST_ASSERT(cfg_duration_parse(&ms, "-5s") != 0);
	TEST_ASSERT(cfg_duration_parse(&ms, "99999999999h") != 0);
	return 0;
}

/* 2026-11-24 is a Tuesday. */
#define TUE_0000_UTC 1795478400000ULL
#define H(h)	     ((uint64_t)(h)*3600000ULL)

static int test_hours(void)
{
	struct cfg_hours h;

	memset(&h, 0, sizeof(h));
	strcpy(h.tz, "UTC");
	for (int d = 0; d < 5; d++) {
		h.week[d].open = 9 * 60;
		h.week[d].close = 17 * 60;
	}
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(8)));
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(9)));
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(17) - 1000));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(17)));
	/* Saturday */
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(4 * 24 + 10)));
	/* a holiday */
	strcpy(h.holidays[0], "2026-11-24");
	h.holidayc = 1;
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(10)));
	h.holidayc = 0;
	/* Shanghai is UTC+8: 02:00 UTC is 10:00 there */
	strcpy(h.tz, "Asia/Shanghai");
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(2)));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(10)));
	/* New York in winter is UTC-5: 14:00 UTC is 09:00 there */
	strcpy(h.tz, "America/New_York");
	TEST_ASSERT(cfg_hours_open(&h, TUE_0000_UTC + H(14)));
	TEST_ASSERT(!cfg_hours_open(&h, TUE_0000_UTC + H(13)));
	return 0;
}

static const struct test_case tests[] = {
    {"shipped hotline.yaml and demo.yaml load", test_shipped_files},
    {"node file errors name line and key", test_node_errors},
    {"YAML syntax error names the line", test_yaml_syntax_error},
    {"tenant errors: duplicates, bad values, dangling references", test_tenant_errors},
    {"a missing file is named", test_missing_file},
    {"durations", test_durations},
    {"business hours: weekdays, holidays, time zones", test_hours},
};

TEST_MAIN(tests)
