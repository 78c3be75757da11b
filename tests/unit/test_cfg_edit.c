/*
 * test_cfg_edit.c — one key of a list item changed, an item appended to
 * a list and a top-level key set, in the YAML text: in flow and block
 * style, replaced and added, scalars and lists, with the comments and
 * everything else left as written; and what cannot be done refused.
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

/* Checks that out has want; says what it got when not. */
static int has(const char *out, const char *want)
{
	if (out && strstr(out, want))
		return 1;
	fprintf(stderr, "wanted:\n%s\ngot:\n%s\n", want, out ? out : "(null)");
	return 0;
}

static int append(char **out, const char *t, const char *list, const char *item)
{
	free(*out);
	*out = NULL;
	return cfg_edit_append(out, t, strlen(t), list, item);
}

static int test_append(void)
{
	static const char *block = "# agents\n"
				   "agents:\n"
				   "  - {ext: \"1001\", name: Alice}\n"
				   "  - ext: \"1002\"   # Bob\n"
				   "    skills: {english: 5}\n"
				   "    capacity:\n"
				   "      voice: 1\n"
				   "# crm stays on one line\n"
				   "crm: {country: \"1\"}\n"
				   "hours: [{name: a}, {name: b}]   # two\n"
				   "numbers: []\n"
				   "queues:\n"
				   "- name: sales\n"
				   "dispositions:\n"
				   "flows: ~\n"
				   "tail: [x]";
	char *out = NULL;
	int r = 1;

	/* block: a line at the items' column after the last item's last
	 * line, before the comment that follows it */
	TEST_CHECK(!append(&out, block, "agents", "{\"ext\": \"1003\"}"));
	TEST_CHECK(has(
	    out, "      voice: 1\n  - {\"ext\": \"1003\"}\n# crm stays on one line\n"));
	TEST_CHECK(has(out, "  - ext: \"1002\"   # Bob\n"));
	TEST_CHECK(
	    !strncmp(out, "# agents\nagents:\n  - {ext: \"1001\", name: Alice}\n", 44));
	/* block, items at the key's own column */
	TEST_CHECK(!append(&out, block, "queues", "{name: support}"));
	TEST_CHECK(
	    has(out, "queues:\n- name: sales\n- {name: support}\ndispositions:\n"));
	/* flow: after the last item, the comment kept */
	TEST_CHECK(!append(&out, block, "hours", "{\"name\": \"c\"}"));
	TEST_CHECK(
	    has(out, "hours: [{name: a}, {name: b}, {\"name\": \"c\"}]   # two\n"));
	/* flow, empty */
	TEST_CHECK(!append(&out, block, "numbers", "{number: \"5000\", flow: main}"));
	TEST_CHECK(has(out, "numbers: [{number: \"5000\", flow: main}]\n"));
	/* flow at the very end of a text without a final line break */
	TEST_CHECK(!append(&out, block, "tail", "y"));
	TEST_CHECK(has(out, "\ntail: [x, y]") && out[strlen(out) - 1] == ']');
	/* a key with no value, or ~ */
	TEST_CHECK(!append(&out, block, "dispositions", "sale"));
	TEST_CHECK(has(out, "dispositions: [sale]\nflows: ~\n"));
	TEST_CHECK(!append(&out, block, "flows", "{name: f}"));
	TEST_CHECK(has(out, "flows: [{name: f}]\n"));
	/* a list that is not there: a new one at the end */
	TEST_CHECK(!append(&out, block, "pause_reasons", "lunch"));
	TEST_CHECK(has(out, "tail: [x]\npause_reasons:\n  - lunch\n"));
	TEST_CHECK(!append(&out, "a: 1\n", "agents", "{ext: \"1\"}"));
	TEST_CHECK(has(out, "a: 1\nagents:\n  - {ext: \"1\"}\n"));
	TEST_CHECK(!append(&out, "", "agents", "{ext: \"1\"}"));
	TEST_CHECK(has(out, "agents:\n  - {ext: \"1\"}\n"));
	TEST_CHECK(!append(&out, "{a: 1}", "b", "2"));
	TEST_CHECK(has(out, "{a: 1, b: [2]}"));
	/* a block list ending the text without a line break */
	TEST_CHECK(!append(&out, "l:\n  - 1", "l", "2"));
	TEST_CHECK(has(out, "l:\n  - 1\n  - 2\n"));
	/* what cannot be appended to */
	TEST_CHECK(append(&out, block, "crm", "1") == EINVAL);
	TEST_CHECK(append(&out, "a: [", "a", "1") == EINVAL);
	TEST_CHECK(append(&out, "- 1\n", "a", "1") == EINVAL);
	TEST_CHECK(append(&out, "a: 3\n", "a", "1") == EINVAL);
	/* an item that would not read back as one item */
	TEST_CHECK(append(&out, "a: [1]\n", "a", "2, 3") == EINVAL);
	TEST_CHECK(append(&out, "a:\n  - 1\n", "a", "{b: ") == EINVAL);
	TEST_CHECK(!out);
	r = 0;
out:
	free(out);
	return r;
}

static int set(char **out, const char *t, const char *key, const char *value)
{
	free(*out);
	*out = NULL;
	return cfg_edit_set(out, t, strlen(t), key, value);
}

static int test_set(void)
{
	static const char *codes = "# codes\n"
				   "pause_reasons: [lunch, break]   # the usual\n"
				   "dispositions:\n"
				   "  - sale\n"
				   "  - resolved\n"
				   "agents: []\n"
				   "commented:   # keep me\n"
				   "  - a\n"
				   "empty:\n";
	char *out = NULL;
	int r = 1;

	/* flow: replaced in place, the comment kept */
	TEST_CHECK(!set(&out, codes, "pause_reasons", "[\"coffee\", \"lunch\"]"));
	TEST_CHECK(has(out,
		       "# codes\npause_reasons: [\"coffee\", \"lunch\"]   # the usual\n"
		       "dispositions:\n"));
	/* block: moves up beside its key, the next key intact */
	TEST_CHECK(!set(&out, codes, "dispositions", "[\"sale\"]"));
	TEST_CHECK(has(out, "\ndispositions: [\"sale\"]\nagents: []\n"));
	/* block with a comment after its key: replaced where it is */
	TEST_CHECK(!set(&out, codes, "commented", "[b]"));
	TEST_CHECK(has(out, "commented:   # keep me\n  [b]\nempty:\n"));
	/* a key with no value */
	TEST_CHECK(!set(&out, codes, "empty", "[x]"));
	TEST_CHECK(has(out, "\nempty: [x]\n"));
	/* added at the end */
	TEST_CHECK(!set(&out, codes, "name", "\"Acme\""));
	TEST_CHECK(has(out, "empty:\nname: \"Acme\"\n"));
	TEST_CHECK(!set(&out, "a: 1", "b", "2"));
	TEST_CHECK(has(out, "a: 1\nb: 2\n"));
	TEST_CHECK(!set(&out, "", "b", "2"));
	TEST_CHECK(has(out, "b: 2\n"));
	TEST_CHECK(!set(&out, "{a: 1}", "b", "[2]"));
	TEST_CHECK(has(out, "{a: 1, b: [2]}"));
	/* what cannot be set */
	TEST_CHECK(set(&out, "a: [", "a", "1") == EINVAL);
	TEST_CHECK(set(&out, "- 1\n", "a", "1") == EINVAL);
	TEST_CHECK(set(&out, "a: 1\n", "a", "[1") == EINVAL);
	TEST_CHECK(!out);
	r = 0;
out:
	free(out);
	return r;
}

/*
 * A tenant written in Chinese, with a byte order mark: libyaml counts
 * characters where the edits cut bytes, so every edit must still land
 * exactly where it would in ASCII, whatever comes before and after it.
 */
static int test_utf8(void)
{
	static const char *zh =
	    "\xef\xbb\xbf# 演示租户 — 客服中心\n"
	    "name: 演示公司   # 名称\n"
	    "agents:\n"
	    "  - ext: \"1001\"   # 张伟\n"
	    "    name: 张伟\n"
	    "    skills: {普通话: 5}\n"
	    "  - {ext: \"1002\", name: 李娜, capacity: {voice: 1}}  # 李娜\n"
	    "queues:\n"
	    "  - name: 售后   # 售后服务\n"
	    "    strategy: linear\n"
	    "    members: [\"1001\"]   # 张伟\n"
	    "# 结束 — 谢谢\n"
	    "dispositions: [已解决]\n";
	char *out = NULL;
	int r = 1;

	free(out);
	out = NULL;
	TEST_CHECK(!cfg_edit_item(&out, zh, strlen(zh), "agents", "ext", "1001", "name",
				  "\"张伟伟\""));
	TEST_CHECK(has(out, "  - ext: \"1001\"   # 张伟\n    name: \"张伟伟\"\n"
			    "    skills: {普通话: 5}\n"));
	TEST_CHECK(!strncmp(out, zh, 40));
	free(out);
	out = NULL;
	TEST_CHECK(!cfg_edit_item(&out, zh, strlen(zh), "agents", "ext", "1002", "name",
				  "\"王芳\""));
	TEST_CHECK(has(out, "  - {ext: \"1002\", name: \"王芳\", capacity: {voice: 1}}"
			    "  # 李娜\n"));
	free(out);
	out = NULL;
	TEST_CHECK(!cfg_edit_item(&out, zh, strlen(zh), "agents", "ext", "1002", "skills",
				  "{粤语: 3}"));
	TEST_CHECK(has(out, "{ext: \"1002\", skills: {粤语: 3}, name: 李娜,"));
	free(out);
	out = NULL;
	TEST_CHECK(!cfg_edit_item(&out, zh, strlen(zh), "queues", "name", "售后",
				  "members", "[\"1001\", \"1002\"]"));
	TEST_CHECK(has(out,
		       "    strategy: linear\n"
		       "    members: [\"1001\", \"1002\"]   # 张伟\n# 结束 — 谢谢\n"));
	TEST_CHECK(!append(&out, zh, "agents", "{ext: \"1003\", name: 王芳}"));
	TEST_CHECK(has(out, "  # 李娜\n  - {ext: \"1003\", name: 王芳}\nqueues:\n"));
	TEST_CHECK(!append(&out, zh, "queues", "{name: 销售}"));
	TEST_CHECK(has(out, "   # 张伟\n  - {name: 销售}\n# 结束 — 谢谢\n"));
	TEST_CHECK(!set(&out, zh, "dispositions", "[已解决, 已转接]"));
	TEST_CHECK(has(out, "# 结束 — 谢谢\ndispositions: [已解决, 已转接]\n"));
	TEST_CHECK(!set(&out, zh, "name", "\"新公司\""));
	TEST_CHECK(has(out, "\nname: \"新公司\"   # 名称\nagents:\n"));
	/* UTF-16 is not cut as bytes */
	TEST_CHECK(set(&out,
		       "\xff\xfe"
		       "a\0:\0 \0"
		       "1\0",
		       "a", "2") == EINVAL);
	r = 0;
out:
	free(out);
	return r;
}

static const struct test_case tests[] = {
    {"a list item's key replaced or added, flow and block, the rest as written",
     test_edit},
    {"an item appended to a list, flow and block, a new list, comments kept",
     test_append},
    {"a top-level key's value replaced or added, comments kept", test_set},
    {"edits of a UTF-8 tenant in Chinese land where they would in ASCII", test_utf8},
};

TEST_MAIN(tests)
