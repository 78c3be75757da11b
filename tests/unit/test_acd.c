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
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) || strcmp(ext, "1002"))
		goto out;
	/* the usable filter (registered, not yet tried) is honoured */
	if (acd_pick(a, "sales", 0, not_1002, NULL, &ext) || strcmp(ext, "1003"))
		goto out;
	/* a busy agent is skipped; when idle again it goes to the back */
	acd_agent_busy(a, "1002");
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) || strcmp(ext, "1003"))
		goto out;
	acd_agent_idle(a, "1002", 5000);
	acd_agent_busy(a, "1003");
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) || strcmp(ext, "1001"))
		goto out;
	acd_agent_busy(a, "1001");
	acd_agent_busy(a, "1002");
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_pick(a, "empty", 0, NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_pick(a, "nope", 0, NULL, NULL, &ext) != ESRCH)
		goto out;
	r = 0;
out:
	mem_deref(a);
	mem_deref(t);
	return r;
}

static int test_presence(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct acd *a = NULL;
	struct acd_agent_info in;
	const char *ext = NULL;
	int r = 1;

	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs))
		return 1;
	if (acd_alloc(&a, t))
		goto out;
	/* static members start available */
	if (acd_agent_info(a, "1001", &in) || in.presence != AGENT_AVAILABLE)
		goto out;
	/* paused with the first default reason; skipped by routing */
	if (acd_agent_set(a, "1001", AGENT_PAUSED, NULL, 10) ||
	    acd_agent_info(a, "1001", &in) || strcmp(in.reason, "break"))
		goto out;
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) || !strcmp(ext, "1001"))
		goto out;
	if (acd_agent_set(a, "1001", AGENT_PAUSED, "nap", 11) != EINVAL)
		goto out;
	if (acd_agent_set(a, "1001", AGENT_PAUSED, "lunch", 12) ||
	    acd_agent_info(a, "1001", &in) || strcmp(in.reason, "lunch"))
		goto out;
	/* logged out: cannot pause; logged in again it is offered */
	if (acd_agent_set(a, "1001", AGENT_LOGGED_OUT, NULL, 13) ||
	    acd_agent_set(a, "1001", AGENT_PAUSED, NULL, 14) != EALREADY)
		goto out;
	if (acd_agent_set(a, "9999", AGENT_AVAILABLE, NULL, 15) != ENOENT)
		goto out;
	acd_agent_busy(a, "1002");
	acd_agent_busy(a, "1003");
	if (acd_pick(a, "sales", 0, NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_agent_set(a, "1001", AGENT_AVAILABLE, NULL, 16) ||
	    acd_pick(a, "sales", 0, NULL, NULL, &ext) || strcmp(ext, "1001"))
		goto out;
	r = 0;
out:
	mem_deref(a);
	mem_deref(t);
	return r;
}

static int test_wrapup(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct acd *a = NULL;
	const char *ext = NULL;
	int r = 1;

	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs))
		return 1;
	if (acd_alloc(&a, t))
		goto out;
	acd_agent_busy(a, "1002");
	acd_agent_busy(a, "1003");
	/* 1001 ends a call at t=1000 with 5 s of wrap-up */
	acd_agent_busy(a, "1001");
	acd_agent_idle(a, "1001", 1000);
	acd_agent_wrapup(a, "1001", 1000, 6000);
	if (acd_pick(a, "sales", 5999, NULL, NULL, &ext) != ENOENT)
		goto out;
	if (acd_pick(a, "sales", 6000, NULL, NULL, &ext) || strcmp(ext, "1001"))
		goto out;
	acd_sweep(a, 6000);
	r = 0;
out:
	mem_deref(a);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"wrap-up: no offer before it ends", test_wrapup},
    {"presence: pause with reasons, log out, skipped by routing", test_presence},
    {"routing picks the longest-idle usable member", test_longest_idle},
};

TEST_MAIN(tests)
