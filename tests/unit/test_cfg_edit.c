/*
 * test_cfg_edit.c — one key of a list item changed in the YAML text: in
 * flow and block style, replaced and added, scalars and lists, with the
 * comments and everything else left as written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/cfg_edit.h"
#include "test.h"

static const char *text =
    "# the queues\n"
    "queues:\n"
    "  - {name: sales, strategy: longest-idle, members: [\"1001\"]} # hot\n"
    "  - name: support   # block style\n"
    "    strategy: linear\n"
    "    members:\n"
    "      - \"1003\"\n"
    "      - {agent: \"1004\", tier: 1}\n"
    "    wrapup:\n"
    "  - name: \"quoted\"\n"
    "numbers: []\n";

static int edit(char **out, const char *name, const char *key, const char *value)
{
	free(*out);
	*out = NULL;
	return cfg_edit_item(out, text, strlen(text), "queues", "name", name, key, value);
}

static int test_edit(void)
{
	char *out = NULL;
	int r = 1;

	/* flow: replaced in place, comment kept */
	TEST_EQ(edit(&out, "sales", "strategy", "\"ring-all\""), 0);
	if (!strstr(
		out,
		"  - {name: sales, strategy: \"ring-all\", members: [\"1001\"]} # hot\n"))
		goto out;
	/* flow: added after the name */
	TEST_EQ(edit(&out, "sales", "priority", "5"), 0);
	if (!strstr(out, "{name: sales, priority: 5, strategy: longest-idle,"))
		goto out;
	/* flow: a list replaced */
	TEST_EQ(edit(&out, "sales", "members", "[\"1001\", \"1002\"]"), 0);
	if (!strstr(out, "members: [\"1001\", \"1002\"]} # hot"))
		goto out;
	/* block: a scalar replaced, the comment on the name kept */
	TEST_EQ(edit(&out, "support", "strategy", "\"ring-all\""), 0);
	if (!strstr(out,
		    "  - name: support   # block style\n    strategy: \"ring-all\"\n"))
		goto out;
	/* block: a block list replaced by a flow one, the next key intact */
	TEST_EQ(edit(&out, "support", "members", "[\"1003\"]"), 0);
	if (!strstr(out, "    members:\n      [\"1003\"]\n    wrapup:\n"))
		goto out;
	/* block: a key with no value given one */
	TEST_EQ(edit(&out, "support", "wrapup", "\"5s\""), 0);
	if (!strstr(out, "    wrapup: \"5s\"\n  - name: \"quoted\""))
		goto out;
	/* block: added on a line of its own at the name's column */
	TEST_EQ(edit(&out, "quoted", "max_len", "3"), 0);
	if (!strstr(out, "  - name: \"quoted\"\n    max_len: 3\nnumbers: []\n"))
		goto out;
	TEST_ASSERT(!strncmp(out, "# the queues\n", 13));
	/* what is not there */
	TEST_EQ(edit(&out, "nope", "strategy", "x"), ENOENT);
	TEST_EQ(
	    cfg_edit_item(&out, text, strlen(text), "agents", "name", "sales", "x", "1"),
	    ENOENT);
	TEST_EQ(cfg_edit_item(&out, "a: [", 4, "queues", "name", "x", "y", "1"), EINVAL);
	TEST_EQ(cfg_edit_item(&out, "numbers: 3\n", 11, "numbers", "name", "x", "y", "1"),
		EINVAL);
	r = 0;
out:
	if (r)
		fprintf(stderr, "got:\n%s\n", out ? out : "(null)");
	free(out);
	return r;
}

static const struct test_case tests[] = {
    {"a list item's key replaced or added, flow and block, the rest as written",
     test_edit},
};

TEST_MAIN(tests)
