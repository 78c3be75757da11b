/*
 * test_ivr.c — the IVR interpreter on a virtual clock, over the demo
 * tenant: menu choices, extensions digit by digit, barge-in, no input and
 * invalid input with re-prompts and the default, closed hours, '#', the
 * loop guard, and digits after the end being ignored.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "ivr/ivr.h"
#include "test.h"

#define TUE_1000_UTC (1795478400000ULL + 10 * 3600000ULL)
#define SUN_1000_UTC (TUE_1000_UTC + 5 * 86400000ULL)

static struct cfg_tenant *tenant;

static int load(void)
{
	struct cfg_errors e;
	memset(&e, 0, sizeof(e));
	return cfg_tenant_load(&tenant, "conf/demo.yaml", &e);
}

/* Runs the flow to the menu: hours, welcome played, menu prompt playing. */
static int to_menu(struct ivr_session **sp, uint64_t now)
{
	struct ivr_action a;

	if (ivr_session_alloc(sp, cfg_flow_find(tenant, "main"), tenant))
		return 1;
	ivr_start(*sp, now, &a);
	if (a.type != IVR_ACT_PLAY || strcmp(a.text, "Welcome to the Hotline demo."))
		return 1;
	ivr_prompt_done(*sp, now + 2000, &a);
	if (a.type != IVR_ACT_PLAY || !a.barge || !strstr(a.text, "Press 1"))
		return 1;
	return 0;
}

static int test_option_1_sales(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	ivr_prompt_done(s, t + 5000, &a);
	TEST_EQ(a.type, IVR_ACT_NONE);
	TEST_EQ(ivr_deadline(s), t + 5000 + 5000);
	ivr_digit(s, '1', t + 6000, &a);
	/* "1" could still become 1001..1004: wait the interdigit time */
	TEST_EQ(a.type, IVR_ACT_NONE);
	TEST_EQ(ivr_deadline(s), t + 6000 + 2000);
	ivr_tick(s, t + 7999, &a);
	TEST_EQ(a.type, IVR_ACT_NONE);
	ivr_tick(s, t + 8000, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_STREQ(a.target, "sales");
	TEST_STREQ(ivr_path(s), "check-hours>welcome>menu>sales");
	TEST_STREQ(ivr_digits(s), "1");
	ivr_digit(s, '2', t + 9000, &a);
	TEST_EQ(a.type, IVR_ACT_NONE);
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

/* Detection of in-band DTMF runs only while a digit means something: the
 * welcome says, the menu listens, a routed call no longer. */
static int test_wants_digits(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_ERR(ivr_session_alloc(&s, cfg_flow_find(tenant, "main"), tenant));
	TEST_ASSERT(!ivr_wants_digits(s));
	ivr_start(s, t, &a);
	TEST_EQ(a.type, IVR_ACT_PLAY);
	TEST_ASSERT(!ivr_wants_digits(s)); /* the welcome */
	ivr_prompt_done(s, t + 2000, &a);
	TEST_ASSERT(ivr_wants_digits(s)); /* the menu's prompt */
	ivr_digit(s, '2', t + 3000, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_ASSERT(!ivr_wants_digits(s));
	TEST_ASSERT(!ivr_wants_digits(NULL));
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_option_2_barge_in(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	/* during the prompt: 2 is unambiguous, taken at once */
	ivr_digit(s, '2', t + 2500, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_STREQ(a.target, "support");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_extension(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	ivr_digit(s, '1', t + 3000, &a);
	ivr_digit(s, '0', t + 3500, &a);
	ivr_digit(s, '0', t + 4000, &a);
	TEST_EQ(a.type, IVR_ACT_NONE);
	ivr_digit(s, '2', t + 4500, &a);
	TEST_EQ(a.type, IVR_ACT_TRANSFER);
	TEST_STREQ(a.target, "1002");
	TEST_STREQ(ivr_digits(s), "1002");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_noinput_then_default(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	for (int i = 0; i < 2; i++) {
		ivr_prompt_done(s, t, &a);
		t += 5000;
		ivr_tick(s, t, &a);
		TEST_EQ(a.type, IVR_ACT_PLAY);
		TEST_STREQ(a.text, "Sorry, I did not hear a choice.");
		ivr_prompt_done(s, t, &a);
		TEST_EQ(a.type, IVR_ACT_PLAY);
		TEST_ASSERT(strstr(a.text, "Press 1") != NULL);
	}
	ivr_prompt_done(s, t, &a);
	t += 5000;
	ivr_tick(s, t, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_STREQ(a.target, "support");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_invalid_then_choice(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	ivr_digit(s, '9', t + 3000, &a);
	TEST_EQ(a.type, IVR_ACT_PLAY);
	TEST_STREQ(a.text, "Sorry, that is not a valid choice.");
	/* barge into the invalid message with a good choice */
	ivr_digit(s, '2', t + 3500, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_STREQ(ivr_digits(s), "92");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_pound_ends_entry(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;
	uint64_t t = TUE_1000_UTC;

	TEST_ERR(load());
	TEST_EQ(to_menu(&s, t), 0);
	ivr_digit(s, '1', t + 3000, &a);
	ivr_digit(s, '#', t + 3100, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_STREQ(a.target, "sales");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_closed(void)
{
	struct ivr_session *s = NULL;
	struct ivr_action a;

	TEST_ERR(load());
	TEST_ERR(ivr_session_alloc(&s, cfg_flow_find(tenant, "main"), tenant));
	ivr_start(s, SUN_1000_UTC, &a);
	TEST_EQ(a.type, IVR_ACT_PLAY);
	TEST_ASSERT(strstr(a.text, "We are closed") != NULL);
	ivr_digit(s, '1', SUN_1000_UTC + 100, &a);
	TEST_EQ(a.type, IVR_ACT_NONE);
	ivr_prompt_done(s, SUN_1000_UTC + 5000, &a);
	TEST_EQ(a.type, IVR_ACT_HANGUP);
	TEST_STREQ(ivr_path(s), "check-hours>closed>bye");
	mem_deref(s);
	mem_deref(tenant);
	return 0;
}

static int test_loop_guard(void)
{
	static const char y[] =
	    "agents: [{ext: \"10\", password: x}]\n"
	    "flows:\n"
	    "  - name: loop\n"
	    "    nodes:\n"
	    "      - {id: a, type: hours, hours: h, open: b, closed: b}\n"
	    "      - {id: b, type: hours, hours: h, open: a, closed: a}\n"
	    "hours: [{name: h}]\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	struct ivr_session *s = NULL;
	struct ivr_action a;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "loop.yaml", y, strlen(y), &e));
	TEST_ERR(ivr_session_alloc(&s, cfg_flow_find(t, "loop"), t));
	ivr_start(s, TUE_1000_UTC, &a);
	TEST_EQ(a.type, IVR_ACT_HANGUP);
	mem_deref(s);
	mem_deref(t);
	return 0;
}

/* A voicemail node hands out its greeting and longest message; a VIP
 * queue node its priority; a voicemail node without a greeting is
 * refused. */
static int test_voicemail_and_priority(void)
{
	static const char y[] =
	    "agents: [{ext: \"10\", password: x}]\n"
	    "queues: [{name: q, strategy: linear, members: [\"10\"]}]\n"
	    "flows:\n"
	    "  - name: vm\n"
	    "    nodes:\n"
	    "      - {id: g, type: voicemail, text: Leave a message., max: 30s}\n"
	    "  - name: vip\n"
	    "    nodes:\n"
	    "      - {id: q, type: queue, queue: q, priority: 10}\n";
	static const char bad[] = "flows:\n"
				  "  - name: vm\n"
				  "    nodes:\n"
				  "      - {id: g, type: voicemail}\n"; /* 4 */
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	struct ivr_session *s = NULL;
	struct ivr_action a;

	memset(&e, 0, sizeof(e));
	TEST_ERR(cfg_tenant_parse(&t, "vm.yaml", y, strlen(y), &e));
	TEST_ERR(ivr_session_alloc(&s, cfg_flow_find(t, "vm"), t));
	ivr_start(s, TUE_1000_UTC, &a);
	TEST_EQ(a.type, IVR_ACT_VOICEMAIL);
	TEST_STREQ(a.text, "Leave a message.");
	TEST_EQ(a.max_ms, 30000);
	s = mem_deref(s);
	TEST_ERR(ivr_session_alloc(&s, cfg_flow_find(t, "vip"), t));
	ivr_start(s, TUE_1000_UTC, &a);
	TEST_EQ(a.type, IVR_ACT_QUEUE);
	TEST_EQ(a.priority, 10);
	mem_deref(s);
	mem_deref(t);
	t = NULL;
	memset(&e, 0, sizeof(e));
	TEST_EQ(cfg_tenant_parse(&t, "bad.yaml", bad, strlen(bad), &e), EINVAL);
	TEST_ASSERT(e.msgc &&
		    strstr(e.msgv[0], "bad.yaml:4: flows[0].nodes[0]: a voicemail "
				      "node needs a greeting"));
	return 0;
}

static const struct test_case tests[] = {
    {"option 1 waits the interdigit time, then sales", test_option_1_sales},
    {"option 2 during the prompt (barge-in) goes to support", test_option_2_barge_in},
    {"digits wanted only while a menu listens", test_wants_digits},
    {"an extension dialled digit by digit", test_extension},
    {"no input: message, re-prompt, then the default", test_noinput_then_default},
    {"invalid input: message, then a choice barges in", test_invalid_then_choice},
    {"# ends the entry", test_pound_ends_entry},
    {"closed hours: message, then hang up", test_closed},
    {"a flow that loops without input hangs up", test_loop_guard},
    {"voicemail node and a VIP queue node", test_voicemail_and_priority},
};

TEST_MAIN(tests)
