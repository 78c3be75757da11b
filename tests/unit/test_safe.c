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
#include "safe/net.h"
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
	/* the Chinese demo tenant's, replaced at start the same way */
	mem_deref(t);
	t = NULL;
	TEST_CHECK(!cfg_tenant_load(&t, "conf/demo-zh.yaml", &e));
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
	n = mem_deref(n);
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

static void collect(const char *line, void *arg)
{
	struct mbuf *mb = arg;

	(void)mbuf_printf(mb, "%s\n", line);
}

/* check-config's warnings: published, weak, the extension as password,
 * trusted networks wider than the loopback and one host. */
static int test_check(void)
{
	static const char node_yaml[] =
	    "sip:\n  trusted: [127.0.0.0/8, 192.0.2.7, 10.0.0.0/8, \"::1\", "
	    "\"2001:db8::/32\"]\n"
	    "http: {api_token: short-token, admin_password: demo-admin}\n";
	static const char agents[] =
	    "  - {ext: \"1001\", name: A, password: alice-1001}\n"
	    "  - {ext: \"1002\", name: B, password: \"1002\"}\n"
	    "  - {ext: \"1003\", name: C, password: short-pw}\n"
	    "  - {ext: \"1004\", name: D, password: Long-Enough-Secret-9}\n";
	struct cfg_errors e;
	struct cfg_node *n = NULL;
	struct cfg_tenant *t = NULL;
	struct mbuf *mb = mbuf_alloc(2048);
	char yaml[1024], *out = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	unsetenv("HOTLINE_API_TOKEN");
	unsetenv("HOTLINE_ADMIN_PASSWORD");
	TEST_CHECK(mb);
	TEST_CHECK(!cfg_node_parse(&n, "n.yaml", node_yaml, strlen(node_yaml), &e));
	snprintf(
	    yaml, sizeof(yaml),
	    "name: T\nagents:\n%sdialing: {allow: [internal, national, premium-rate]}\n"
	    "trunks:\n"
	    "  - {name: a, proxy: \"192.0.2.1:5060\", username: u, register: true}\n"
	    "  - {name: b, proxy: \"192.0.2.2:5060\", password: trunk-pw}\n"
	    "  - {name: c, from: [198.51.0.0/16, 192.0.2.9/32]}\n"
	    "  - {name: d, proxy: \"192.0.2.3:5060\", password: Long-Enough-Trunk-9}\n",
	    agents);
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &e));
	TEST_CHECK(safe_check(n, t, collect, mb) == 11);
	mbuf_set_pos(mb, 0);
	TEST_CHECK(!mbuf_strdup(mb, &out, mbuf_get_left(mb)));
	TEST_CHECK(strstr(out, "n.yaml: http.api_token: warning: weak: shorter than 16"));
	TEST_CHECK(
	    strstr(out, "n.yaml: http.admin_password: warning: is a value published"));
	TEST_CHECK(strstr(out, "sip.trusted: warning: 10.0.0.0/8 is wider"));
	TEST_CHECK(strstr(out, "sip.trusted: warning: 2001:db8::/32 is wider"));
	TEST_CHECK(!strstr(out, "192.0.2.7") && !strstr(out, "127.0.0.0/8"));
	TEST_CHECK(strstr(out,
			  "t.yaml:3: agents[0].password: warning: agent 1001: a password "
			  "published"));
	TEST_CHECK(strstr(out, "t.yaml:4: agents[1].password: warning: agent 1002: the "
			       "password is the extension"));
	TEST_CHECK(
	    strstr(out, "t.yaml:5: agents[2].password: warning: agent 1003: weak"));
	TEST_CHECK(!strstr(out, "agent 1004"));
	TEST_CHECK(strstr(out,
			  "t.yaml: dialing.allow: warning: the default class reaches "
			  "premium-rate numbers"));
	TEST_CHECK(strstr(out, "t.yaml:9: trunks[0].password: warning: trunk a registers "
			       "without a password"));
	TEST_CHECK(strstr(out, "t.yaml:10: trunks[1].password: warning: trunk b: weak"));
	TEST_CHECK(strstr(out, "t.yaml:11: trunks[2].from: warning: trunk c: "
			       "198.51.0.0/16 is wider"));
	TEST_CHECK(!strstr(out, "192.0.2.9") && !strstr(out, "trunk d"));
	/* the warnings never hold a secret */
	TEST_CHECK(!strstr(out, "short-token") && !strstr(out, "short-pw") &&
		   !strstr(out, "alice-1001") && !strstr(out, "trunk-pw"));
	r = 0;
out:
	mem_deref(out);
	mem_deref(mb);
	mem_deref(t);
	mem_deref(n);
	return r;
}

static int test_nets(void)
{
	struct safe_net n;
	struct sa a;

	TEST_ERR(safe_net_parse(&n, "10.1.0.0/16"));
	TEST_ERR(sa_set_str(&a, "10.1.200.3", 5060));
	TEST_ASSERT(safe_net_match(&n, &a));
	TEST_ERR(sa_set_str(&a, "10.2.0.1", 5060));
	TEST_ASSERT(!safe_net_match(&n, &a));
	TEST_ERR(safe_net_parse(&n, "2001:db8::/33"));
	TEST_ERR(sa_set_str(&a, "2001:db8:7fff::1", 0));
	TEST_ASSERT(safe_net_match(&n, &a));
	TEST_ERR(sa_set_str(&a, "2001:db8:8000::1", 0));
	TEST_ASSERT(!safe_net_match(&n, &a));
	TEST_ERR(sa_set_str(&a, "10.1.0.1", 0));
	TEST_ASSERT(!safe_net_match(&n, &a)); /* another family */
	TEST_ERR(safe_net_parse(&n, "0.0.0.0/0"));
	TEST_ASSERT(safe_net_match(&n, &a) && !safe_net_loopback(&n));
	TEST_ERR(safe_net_parse(&n, "127.0.0.1"));
	TEST_ASSERT(safe_net_loopback(&n) && n.bits == 32);
	TEST_EQ(safe_net_parse(&n, "10.0.0.0/33"), EINVAL);
	TEST_EQ(safe_net_parse(&n, "10.0.0.0/"), EINVAL);
	TEST_EQ(safe_net_parse(&n, "nowhere"), EINVAL);
	return 0;
}

static const struct test_case tests[] = {
    {"check-config warns of published and weak secrets, wide trusted nets", test_check},
    {"networks: parsed, matched (IPv4, IPv6), loopback", test_nets},
    {"agents given by their HA1 (MD5, SHA-256)", test_ha1_agents},
    {"published secrets recognised, others not", test_published},
    {"every secret of the shipped files is on the published list", test_shipped_files},
    {"published secrets replaced, kept 0600, reused; own kept; opt-out", test_generated},
};

TEST_MAIN(tests)
