/*
 * test_core.c — the small helpers: reading fields of our own event data,
 * and making strings from the network safe for JSON and logs.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "test.h"

static int test_event_fields(void)
{
	const char *d = "{\"wait_ms\":12345,\"reason\":\"timeout\",\"to\":\"queue:b\"}";
	char buf[16];

	TEST_EQ(util_event_num(d, "wait_ms"), 12345);
	TEST_EQ(util_event_num(d, "nope"), 0);
	TEST_EQ(util_event_num(NULL, "wait_ms"), 0);
	TEST_ASSERT(util_event_str(d, "reason", buf, sizeof(buf)));
	TEST_STREQ(buf, "timeout");
	TEST_ASSERT(util_event_str(d, "to", buf, 4)); /* cut to fit */
	TEST_STREQ(buf, "que");
	TEST_ASSERT(!util_event_str(d, "wait_ms", buf, sizeof(buf))); /* a number */
	TEST_ASSERT(!util_event_str("{\"a\":\"unterminated", "a", buf, sizeof(buf)));
	return 0;
}

static int test_sanitize(void)
{
	char s[] = "0\"1\\2\n3\x7f"
		   "4\xc3\xa9+49 30";

	/* 张伟 and é stay; a lone continuation byte, an overlong '/', a
	 * surrogate, a cut sequence and a byte past U+10FFFF do not */
	char zh[] = "\xe5\xbc\xa0\xe4\xbc\x9f \x80|\xc0\xaf|\xed\xa0\x80|\xe5\xbc|\xf5\x80";

	util_sanitize(s);
	TEST_STREQ(s, "0_1_2_3_4\xc3\xa9+49 30");
	util_sanitize(zh);
	TEST_STREQ(zh, "\xe5\xbc\xa0\xe4\xbc\x9f _|__|___|__|__");
	util_sanitize(NULL);
	return 0;
}

static int test_prefix_match(void)
{
	TEST_ASSERT(util_prefix_match("agent.,queue.", "queue.stats"));
	TEST_ASSERT(util_prefix_match("agent.,queue.", "agent.state"));
	TEST_ASSERT(!util_prefix_match("agent.,queue.", "call.created"));
	TEST_ASSERT(!util_prefix_match("agent.state", "agent.noanswer"));
	TEST_ASSERT(util_prefix_match("", "anything"));
	TEST_ASSERT(util_prefix_match(NULL, "anything"));
	TEST_ASSERT(!util_prefix_match(",", "x"));
	return 0;
}

static const struct test_case tests[] = {
    {"event data fields: numbers, strings, absent, cut, broken", test_event_fields},
    {"strings from the network lose quotes, backslashes and control bytes",
     test_sanitize},
    {"type prefix lists (event stream and webhook filters)", test_prefix_match},
};

TEST_MAIN(tests)
