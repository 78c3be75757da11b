/*
 * test_acd.c — the routing interface: longest-idle choice among a
 * queue's members, busy agents skipped, the usable filter honoured,
 * unknown queues and empty choices reported.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "acd/acd.h"
#include "test.h"

static const char *yaml = "name: t\n"
			  "agents:\n"
			  "  - {ext: \"1001\", name: A, password: a}\n"
			  "  - {ext: \"1002\", name: B, password: b}\n"
			  "  - {ext: \"1003\", name: C, password: c}\n"
			  "queues:\n"
			  "  - name: sales\n"
			  "    strategy: longest-idle\n"
			  "    members: [\"1001\", \"1002\", \"1003\"]\n"
			  "  - name: empty\n"
			  "    strategy: longest-idle\n"
			  "    members: []\n";

static bool not_1002(const char *ext, void *arg)
{
	(void)arg;
	return strcmp(ext, "1002") != 0;
}

static int test_longest_idle(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct acd *a = NULL;
	const char *ext = NULL;
	int r = 1;

	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs)) {
		fprintf(stderr, "%s\n", errs.msgv[0]);
		return 1;
	}
	if (acd_alloc(&a, t))
		goto out;
	acd_agent_idle(a, "1001", 3000);
	acd_agent_idle(a, "1002", 1000);
	acd_agent_idle(a, "1003", 2000);
	if (acd_pick(a, "sales", NULL, NULL, &ext) || strcmp(ext, "1002"))
		goto out;
	/* the usable filter (registered, not yet tried) is honoured */
	if (acd_pick(a, "sales", not_1002, NULL, &ext) || strcmp(ext, "1003"))
		goto out;
	/* a busy agent is skipped; when idle again it goes to the back */
	acd_agent_busy(a, "1002");
	if (acd_pick(a, "sales", NULL, NULL, &ext) || strcmp(ext, "1003"))
		goto out;
	acd_agent_idle(a, "1002", 5000);
	acd_agent_busy(a, "1003");
	if (acd_pick(a, "sales", NULL, NULL, &ext) || strcmp(ext, "1001"))
		goto out;
	acd_agent_busy(a, "1001");
	acd_agent_busy(a, "1002");
	if (acd_pick(a, "sales", NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_pick(a, "empty", NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_pick(a, "nope", NULL, NULL, &ext) != ESRCH)
		goto out;
	r = 0;
out:
	mem_deref(a);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"routing picks the longest-idle usable member", test_longest_idle},
};

TEST_MAIN(tests)
