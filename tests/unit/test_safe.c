/*
 * test_safe.c — safe by default (issue 18): the published secrets are the
 * ones the shipped files hold, each is replaced at start by a generated
 * one kept in a 0600 file and reused at the next start, and a secret of
 * one's own is kept.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "safe/safe.h"
#include "test.h"

static int test_published(void)
{
	TEST_ASSERT(safe_secret_published("demo-token"));
	TEST_ASSERT(safe_secret_published("demo-admin"));
	TEST_ASSERT(safe_secret_published("alice-1001"));
	TEST_ASSERT(!safe_secret_published("alice-1001x"));
	TEST_ASSERT(!safe_secret_published("demo-toke"));
	TEST_ASSERT(!safe_secret_published(""));
	TEST_ASSERT(!safe_secret_published(NULL));
	return 0;
}

/* The list is honest: every secret of the shipped files is on it. */
static int test_shipped_files(void)
{
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	unsetenv("HOTLINE_API_TOKEN");
	unsetenv("HOTLINE_ADMIN_PASSWORD");
	TEST_CHECK(!cfg_node_load(&n, "conf/hotline.yaml", &e));
	TEST_CHECK(!cfg_tenant_load(&t, n->tenant_file, &e));
	TEST_CHECK(safe_secret_published(n->api_token));
	TEST_CHECK(safe_secret_published(n->admin_password));
	TEST_CHECK(t->agentc > 0);
	for (size_t i = 0; i < t->agentc; i++)
		TEST_CHECK(safe_secret_published(t->agentv[i].password));
	r = 0;
out:
	mem_deref(t);
	mem_deref(n);
	return r;
}

static int load_pair(struct cfg_node **np, struct cfg_tenant **tp, const char *agents)
{
	struct cfg_errors e;
	char yaml[512];
	int err;

	memset(&e, 0, sizeof(e));
	err = cfg_node_parse(
	    np, "node.yaml",
	    "http: {api_token: demo-token, admin_password: demo-admin}\n",
	    strlen("http: {api_token: demo-token, admin_password: demo-admin}\n"), &e);
	if (err)
		return err;
	snprintf(yaml, sizeof(yaml), "name: T\nagents:\n%s", agents);
	return cfg_tenant_parse(tp, "t.yaml", yaml, strlen(yaml), &e);
}

static int test_generated(void)
{
	char dir[] = "/tmp/test_safe.XXXXXX", path[128], tok[128], pw[64];
	struct cfg_node *n = NULL, *n2 = NULL;
	struct cfg_tenant *t = NULL, *t2 = NULL;
	struct stat st;
	int r = 1;

	unsetenv("HOTLINE_KEEP_DEMO_SECRETS");
	unsetenv("HOTLINE_API_TOKEN");
	unsetenv("HOTLINE_ADMIN_PASSWORD");
	TEST_ASSERT(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" SAFE_SECRETS_FILE, dir);
	TEST_CHECK(
	    !load_pair(&n, &t,
		       "  - {ext: \"1001\", name: A, password: alice-1001}\n"
		       "  - {ext: \"1002\", name: B, password: Own-Secret-0042}\n"));
	TEST_ERR(safe_secrets_start(dir, n, t));
	/* replaced, long, and not the published ones */
	TEST_CHECK(strlen(n->api_token) == 32 && !safe_secret_published(n->api_token));
	TEST_CHECK(strlen(n->admin_password) == 24);
	TEST_CHECK(strlen(t->agentv[0].password) == 20);
	/* one's own secret is kept */
	TEST_CHECK(!strcmp(t->agentv[1].password, "Own-Secret-0042"));
	TEST_CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0600);
	util_copy(tok, sizeof(tok), n->api_token);
	util_copy(pw, sizeof(pw), t->agentv[0].password);
	safe_secrets_close();

	/* the next start reads the same secrets back */
	TEST_CHECK(
	    !load_pair(&n2, &t2, "  - {ext: \"1001\", name: A, password: alice-1001}\n"));
	TEST_CHECK(!safe_secrets_start(dir, n2, t2));
	TEST_CHECK(!strcmp(n2->api_token, tok));
	TEST_CHECK(!strcmp(t2->agentv[0].password, pw));
	/* a reloaded tenant gets them too */
	t = mem_deref(t);
	TEST_CHECK(!load_pair(&n, &t,
			      "  - {ext: \"1001\", name: A, password: alice-1001}\n"
			      "  - {ext: \"1003\", name: C, password: carol-1003}\n"));
	TEST_CHECK(!safe_secrets_tenant(t));
	TEST_CHECK(!strcmp(t->agentv[0].password, pw));
	TEST_CHECK(strlen(t->agentv[1].password) == 20);
	safe_secrets_close();

	/* the test suite's opt-out keeps them */
	n = mem_deref(n);
	t = mem_deref(t);
	setenv("HOTLINE_KEEP_DEMO_SECRETS", "1", 1);
	TEST_CHECK(
	    !load_pair(&n, &t, "  - {ext: \"1001\", name: A, password: alice-1001}\n"));
	TEST_CHECK(!safe_secrets_start(dir, n, t));
	TEST_CHECK(!strcmp(n->api_token, "demo-token"));
	TEST_CHECK(!strcmp(t->agentv[0].password, "alice-1001"));
	r = 0;
out:
	unsetenv("HOTLINE_KEEP_DEMO_SECRETS");
	safe_secrets_close();
	mem_deref(t);
	mem_deref(t2);
	mem_deref(n);
	mem_deref(n2);
	unlink(path);
	rmdir(dir);
	return r;
}

/* An agent given by its HA1 alone: parsed (lower-cased), checked for
 * length and hex, and left alone by the secret generator. */
static int test_ha1_agents(void)
{
	static const char y[] =
	    "name: T\nagents:\n"
	    "  - {ext: \"1001\", name: A, ha1_md5: 0123456789ABCDEF0123456789abcdef}\n"
	    "  - {ext: \"1002\", name: B, ha1_sha256: "
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}\n";
	static const char bad[] = "name: T\nagents:\n"
				  "  - {ext: \"1001\", name: A, ha1_md5: xyz}\n"
				  "  - {ext: \"1002\", name: B}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e));
	TEST_CHECK(!strcmp(t->agentv[0].ha1_md5, "0123456789abcdef0123456789abcdef"));
	TEST_CHECK(!t->agentv[0].password[0] && strlen(t->agentv[1].ha1_sha256) == 64);
	TEST_CHECK(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e) == EINVAL);
	TEST_CHECK(e.msgc == 3); /* xyz; then neither agent has a secret */
	TEST_CHECK(strstr(e.msgv[0], "agents.ha1_md5: must be 32 hex digits"));
	TEST_CHECK(strstr(e.msgv[2], "needs a SIP password (or ha1_md5, ha1_sha256)"));
	r = 0;
out:
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"agents given by their HA1 (MD5, SHA-256)", test_ha1_agents},
    {"published secrets recognised, others not", test_published},
    {"every secret of the shipped files is on the published list", test_shipped_files},
    {"published secrets replaced, kept 0600, reused; own kept; opt-out", test_generated},
};

TEST_MAIN(tests)
