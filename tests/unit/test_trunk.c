/*
 * test_trunk.c — SIP trunks (issue 15): the tenant's trunks and outbound
 * routes, their errors at their lines, route patterns, the number forms
 * sent to a carrier, and picking a route's trunks in turn with their
 * max_calls.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "safe/safe.h"
#include "sip/trunk.h"
#include "test.h"

static const char tenant[] =
    "name: T\n"
    "crm: {country: \"86\"}\n"
    "agents:\n"
    "  - {ext: \"1001\", name: A, password: Long-Enough-1001}\n"
    "queues:\n"
    "  - {name: sales, strategy: ring-all, members: [\"1001\"]}\n"
    "flows:\n"
    "  - {name: main, start: q, nodes: [{id: q, type: queue, queue: sales}]}\n"
    "trunks:\n"
    "  - {name: a, proxy: \"192.0.2.1:5060\", username: u, password: carrier-pw-1,\n"
    "     max_calls: 1, caller_id: \"02150001000\"}\n"
    "  - {name: b, proxy: \"192.0.2.2:5070\", transport: tcp, username: v, max_calls: "
    "1,\n"
    "     password: carrier-pw-2, dids: {\"4008001000\": {queue: sales},\n"
    "     \"02150001000\": {flow: main}}}\n"
    "  - {name: ip, from: [198.51.100.0/24]}\n"
    "  - {name: intl, proxy: \"192.0.2.4:5060\", classes: [international]}\n"
    "outbound:\n"
    "  routes:\n"
    "    - {match: [\"0ZXXXXXXX.\", \"1ZXXXXXXXXX\"], trunks: [intl, a, b], format: "
    "e164}\n"
    "    - {match: [\"00.\"], trunks: [intl, b], format: national}\n"
    "  caller_id: {agents: {\"1001\": \"02150001001\"}, queues: {sales: "
    "\"4008001000\"}}\n";

static int test_parse(void)
{
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	const struct cfg_trunk *tr;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", tenant, strlen(tenant), &e));
	TEST_CHECK(t->trunkc == 4 && t->outbound.routec == 2 && t->outbound.cidc == 2);
	TEST_CHECK(cfg_trunk_find(t, "intl")->classes ==
		   SAFE_DIAL_BIT(SAFE_DIAL_INTERNATIONAL));
	tr = cfg_trunk_find(t, "b");
	TEST_CHECK(tr && tr->tcp && !tr->reg && tr->didc == 2);
	TEST_CHECK(!strcmp(tr->auth_user, "v") && tr->expires_ms == 3600 * 1000);
	TEST_CHECK(!strcmp(cfg_did_find(tr, "4008001000")->queue, "sales"));
	TEST_CHECK(!strcmp(cfg_did_find(tr, "02150001000")->flow, "main"));
	TEST_CHECK(!cfg_did_find(tr, "5000"));
	TEST_CHECK(cfg_trunk_find(t, "ip")->fromc == 1);
	r = 0;
out:
	for (size_t i = 0; r && i < e.msgc; i++)
		fprintf(stderr, "%s\n", e.msgv[i]);
	mem_deref(t);
	return r;
}

static int test_errors(void)
{
	static const char y[] =
	    "name: T\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: A, password: Long-Enough-1001}\n"
	    "trunks:\n"
	    "  - {name: a, proxy: \"192.0.2.1:5060\", password: alice-1001}\n"
	    "  - {name: b, dids: {\"123\": {flow: nowhere}}}\n"
	    "  - {name: c, proxy: \"192.0.2.1\", register: true, transport: sctp}\n"
	    "outbound:\n"
	    "  routes:\n"
	    "    - {match: [\"0Q.\"], trunks: [d], format: roman}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_tenant_parse(&t, "t.yaml", y, strlen(y), &e) == EINVAL);
	TEST_CHECK(e.msgc == 8);
	TEST_CHECK(strstr(e.msgv[0], "t.yaml:5: trunks.password: a password published"));
	TEST_CHECK(strstr(e.msgv[1], "t.yaml:6: trunks: b: needs a proxy"));
	TEST_CHECK(strstr(e.msgv[2], "trunks.dids.flow: \"nowhere\" is not a flow"));
	TEST_CHECK(strstr(e.msgv[3], "t.yaml:7: trunks.transport: \"sctp\" is not udp"));
	TEST_CHECK(strstr(e.msgv[4], "t.yaml:7: trunks.register: c: registering needs"));
	TEST_CHECK(strstr(e.msgv[5], "outbound.routes.match: \"0Q.\" is not a pattern"));
	TEST_CHECK(strstr(e.msgv[6], "outbound.routes.trunks: \"d\" is not a trunk"));
	TEST_CHECK(strstr(e.msgv[7], "outbound.routes.format: \"roman\" is not e164"));
	r = 0;
out:
	for (size_t i = 0; r && i < e.msgc; i++)
		fprintf(stderr, "%s\n", e.msgv[i]);
	mem_deref(t);
	return r;
}

static int test_patterns(void)
{
	TEST_ASSERT(trunk_pattern_match("NXXNXXXXXX", "2025550100"));
	TEST_ASSERT(!trunk_pattern_match("NXXNXXXXXX", "1025550100"));
	TEST_ASSERT(!trunk_pattern_match("NXXNXXXXXX", "20255501001"));
	TEST_ASSERT(trunk_pattern_match("0Z.", "02150001000"));
	TEST_ASSERT(!trunk_pattern_match("0Z.", "0"));
	TEST_ASSERT(!trunk_pattern_match("0Z.", "01"));
	TEST_ASSERT(trunk_pattern_match("+86.", "+8613800138000"));
	TEST_ASSERT(!trunk_pattern_match("86.", "+8613800138000"));
	TEST_ASSERT(!trunk_pattern_match("0Z.", "021*5"));
	return 0;
}

#define FMT(fmt, plan, cc, in, want)                                                     \
	do {                                                                             \
		TEST_ERR(trunk_number_format(out, sizeof(out), fmt, plan, cc, in));      \
		TEST_STREQ(out, want);                                                   \
	} while (0)

static int test_formats(void)
{
	char out[48];

	/* China */
	FMT("e164", SAFE_PLAN_CN, "86", "021-5000 1000", "+862150001000");
	FMT("e164", SAFE_PLAN_CN, "86", "13800138000", "+8613800138000");
	FMT("e164", SAFE_PLAN_CN, "86", "0044 20 7946 0000", "+442079460000");
	FMT("national", SAFE_PLAN_CN, "86", "+862150001000", "02150001000");
	FMT("national", SAFE_PLAN_CN, "86", "+8613800138000", "13800138000");
	FMT("national", SAFE_PLAN_CN, "86", "+442079460000", "00442079460000");
	FMT("dialled", SAFE_PLAN_CN, "86", "(021) 5000-1000", "02150001000");
	/* NANP */
	FMT("e164", SAFE_PLAN_NANP, "1", "202-555-0100", "+12025550100");
	FMT("e164", SAFE_PLAN_NANP, "1", "1 202 555 0100", "+12025550100");
	FMT("e164", SAFE_PLAN_NANP, "1", "011 44 20 7946 0000", "+442079460000");
	FMT("national", SAFE_PLAN_NANP, "1", "+12025550100", "2025550100");
	FMT("national", SAFE_PLAN_NANP, "1", "+442079460000", "011442079460000");
	/* generic, the calling code from crm.country */
	FMT("e164", SAFE_PLAN_GENERIC, "49", "030 1234567", "+49301234567");
	FMT("national", SAFE_PLAN_GENERIC, "49", "+49301234567", "0301234567");
	TEST_EQ(
	    trunk_number_format(out, sizeof(out), "e164", SAFE_PLAN_GENERIC, "", "0301"),
	    EINVAL);
	TEST_EQ(trunk_number_format(out, sizeof(out), "e164", SAFE_PLAN_CN, "86", "12#3"),
		EINVAL);
	TEST_EQ(trunk_number_format(out, sizeof(out), "e164", SAFE_PLAN_CN, "86", "+"),
		EINVAL);
	return 0;
}

static int test_pick(void)
{
	struct cfg_tenant *t = NULL;
	struct trunks *ts = NULL;
	struct trunk *t1 = NULL, *t2 = NULL, *t3 = NULL;
	struct trunk_info ti;
	struct sa src;
	char uri[256], from[256];
	size_t i = 0;
	int r = 1;

	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", tenant, strlen(tenant), NULL));
	TEST_CHECK(!trunks_alloc(&ts, NULL, t));
	TEST_CHECK(trunks_routed(ts, "021 5000 1000") && !trunks_routed(ts, "5000"));
	TEST_CHECK(!strcmp(trunks_caller_id(ts, "1001", NULL), "02150001001"));
	TEST_CHECK(!strcmp(trunks_caller_id(ts, "1001", "sales"), "4008001000"));
	TEST_CHECK(!strcmp(trunks_caller_id(ts, "1002", NULL), ""));
	/* the first call: trunk a, E.164, a's caller ID */
	TEST_CHECK(!trunks_pick(ts, "02150001000", "", &i, &t1, uri, sizeof(uri), from,
				sizeof(from)));
	TEST_CHECK(!strcmp(uri, "sip:+862150001000@192.0.2.1:5060"));
	TEST_CHECK(!strcmp(from, "sip:02150001000@192.0.2.1"));
	/* its failover: trunk b, over TCP, the agent's caller ID */
	TEST_CHECK(!trunks_pick(ts, "02150001000", "02150001001", &i, &t2, uri,
				sizeof(uri), from, sizeof(from)));
	TEST_CHECK(!strcmp(uri, "sip:+862150001000@192.0.2.2:5070;transport=tcp"));
	TEST_CHECK(!strcmp(from, "sip:02150001001@192.0.2.2"));
	TEST_CHECK(trunks_pick(ts, "02150001000", "", &i, &t3, uri, sizeof(uri), from,
			       sizeof(from)) == ENOENT);
	/* a second call while a is full (max_calls 1): b first */
	t2 = trunk_call_end(t2);
	i = 0;
	TEST_CHECK(!trunks_pick(ts, "13800138000", "", &i, &t2, uri, sizeof(uri), from,
				sizeof(from)));
	TEST_CHECK(!strcmp(trunk_name(t2), "b"));
	/* ... and a third with b taken too: EBUSY (503) */
	i = 0;
	TEST_CHECK(trunks_pick(ts, "13800138000", "", &i, &t3, uri, sizeof(uri), from,
			       sizeof(from)) == EBUSY);
	/* an international number (national form: 00) goes to intl, the
	 * trunk for its class, which the national ones above skipped */
	t1 = trunk_call_end(t1);
	t2 = trunk_call_end(t2);
	i = 0;
	TEST_CHECK(!trunks_pick(ts, "00442079460000", "", &i, &t1, uri, sizeof(uri), from,
				sizeof(from)));
	TEST_CHECK(!strcmp(uri, "sip:00442079460000@192.0.2.4:5060"));
	TEST_CHECK(!trunks_info_at(ts, 3, &ti) && ti.calls == 1);
	TEST_CHECK(!strcmp(ti.state, "unregistered"));
	TEST_CHECK(!trunks_info_at(ts, 2, &ti) && !strcmp(ti.state, "ip"));
	t1 = trunk_call_end(t1);
	TEST_CHECK(!trunks_info_at(ts, 3, &ti) && ti.calls == 0);
	/* who a request comes from: a proxy by address and port, a network */
	TEST_CHECK(!sa_set_str(&src, "192.0.2.2", 5070));
	TEST_CHECK(trunks_from(ts, &src) && !strcmp(trunks_from(ts, &src)->name, "b"));
	TEST_CHECK(!sa_set_str(&src, "192.0.2.2", 5060));
	TEST_CHECK(!trunks_from(ts, &src));
	TEST_CHECK(!sa_set_str(&src, "198.51.100.7", 5060));
	TEST_CHECK(trunks_from(ts, &src) && !strcmp(trunks_from(ts, &src)->name, "ip"));
	r = 0;
out:
	trunk_call_end(t1);
	trunk_call_end(t2);
	trunk_call_end(t3);
	mem_deref(ts);
	mem_deref(t);
	return r;
}

static int test_codecs(void)
{
	static const char y[] =
	    "name: T\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: A, password: Long-Enough-1001}\n"
	    "trunks:\n"
	    "  - {name: a, proxy: \"192.0.2.1:5060\", codecs: [PCMA, PCMU]}\n"
	    "  - {name: b, proxy: \"192.0.2.2:5060\", codecs: [PCMA]}\n"
	    "  - {name: c, proxy: \"192.0.2.3:5060\"}\n"
	    "outbound:\n"
	    "  routes: [{match: [\"X.\"], trunks: [a, b, c]}]\n";
	static const char offer[] = "v=0\r\n"
				    "m=audio 4000 RTP/AVP 0 8 101\r\n"
				    "a=rtpmap:0 PCMU/8000\r\n"
				    "a=rtpmap:8 PCMA/8000\r\n"
				    "a=rtpmap:101 telephone-event/8000\r\n"
				    "a=fmtp:101 0-15\r\n"
				    "a=sendrecv\r\n";
	struct cfg_tenant *t = NULL;
	struct trunks *ts = NULL;
	struct trunk *tv[3] = {NULL};
	struct mbuf *mb = NULL;
	char uri[128], from[128], text[256];
	size_t i = 0;
	int r = 1;

	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", y, strlen(y), NULL));
	TEST_CHECK(!trunks_alloc(&ts, NULL, t));
	for (size_t k = 0; k < 3; k++)
		TEST_CHECK(!trunks_pick(ts, "123", "", &i, &tv[k], uri, sizeof(uri), from,
					sizeof(from)));
	/* a: PCMA first, then PCMU; telephone-event kept */
	mb = mbuf_alloc(256);
	TEST_CHECK(mb && !mbuf_write_str(mb, offer));
	mb->pos = 0;
	TEST_CHECK(!trunk_sdp_codecs(tv[0], &mb));
	TEST_CHECK(mbuf_get_left(mb) < sizeof(text));
	(void)re_snprintf(text, sizeof(text), "%b", mbuf_buf(mb), mbuf_get_left(mb));
	TEST_CHECK(strstr(text, "m=audio 4000 RTP/AVP 8 0 101\r\n"));
	TEST_CHECK(strstr(text, "a=rtpmap:0 PCMU") && strstr(text, "a=fmtp:101 0-15"));
	/* b: PCMA alone, PCMU's rtpmap gone */
	mb->pos = 0;
	mbuf_set_end(mb, 0);
	TEST_CHECK(!mbuf_write_str(mb, offer));
	mb->pos = 0;
	TEST_CHECK(!trunk_sdp_codecs(tv[1], &mb));
	(void)re_snprintf(text, sizeof(text), "%b", mbuf_buf(mb), mbuf_get_left(mb));
	TEST_CHECK(strstr(text, "m=audio 4000 RTP/AVP 8 101\r\n"));
	TEST_CHECK(!strstr(text, "PCMU") && strstr(text, "a=sendrecv\r\n"));
	/* c: no codecs, nothing changed */
	TEST_CHECK(!trunk_sdp_codecs(tv[2], &mb));
	(void)re_snprintf(text, sizeof(text), "%b", mbuf_buf(mb), mbuf_get_left(mb));
	TEST_CHECK(strstr(text, "m=audio 4000 RTP/AVP 8 101\r\n"));
	/* b again, on an offer of PCMU only: ENOTSUP */
	mb->pos = 0;
	mbuf_set_end(mb, 0);
	TEST_CHECK(!mbuf_write_str(mb, "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"));
	mb->pos = 0;
	TEST_CHECK(trunk_sdp_codecs(tv[1], &mb) == ENOTSUP);
	r = 0;
out:
	mem_deref(mb);
	for (size_t k = 0; k < 3; k++)
		trunk_call_end(tv[k]);
	mem_deref(ts);
	mem_deref(t);
	return r;
}

/* transport: tls, srtp, ca_file (issue 15), an agent's srtp: taken, and
 * their errors */
static int test_tls_srtp_keys(void)
{
	static const char good[] =
	    "name: T\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: A, password: Long-Enough-1001, srtp: required}\n"
	    "trunks:\n"
	    "  - {name: s, proxy: \"192.0.2.1:5061\", transport: tls, srtp: required}\n"
	    "  - {name: p, proxy: \"192.0.2.2\", srtp: optional}\n";
	static const char bad[] =
	    "name: T\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: A, password: Long-Enough-1001, srtp: sometimes}\n"
	    "trunks:\n"
	    "  - {name: s, proxy: \"192.0.2.1\", transport: tls, srtp: maybe,\n"
	    "     ca_file: /nonexistent/ca.pem}\n";
	struct cfg_errors e;
	struct cfg_tenant *t = NULL;
	int r = 1;

	memset(&e, 0, sizeof(e));
	TEST_CHECK(!cfg_tenant_parse(&t, "t.yaml", good, strlen(good), &e));
	TEST_CHECK(t->trunkc == 2);
	TEST_CHECK(t->trunkv[0].tls && !t->trunkv[0].tcp &&
		   !strcmp(t->trunkv[0].srtp, "required"));
	TEST_CHECK(!t->trunkv[1].tls && !strcmp(t->trunkv[1].srtp, "optional"));
	TEST_CHECK(!strcmp(cfg_agent_find(t, "1001")->srtp, "required"));
	t = mem_deref(t);
	memset(&e, 0, sizeof(e));
	TEST_CHECK(cfg_tenant_parse(&t, "t.yaml", bad, strlen(bad), &e) == EINVAL);
	TEST_CHECK(e.msgc == 3);
	TEST_CHECK(strstr(e.msgv[0], "t.yaml:3: agents.srtp: \"sometimes\" is not off"));
	TEST_CHECK(strstr(e.msgv[1], "t.yaml:5: trunks.srtp: \"maybe\" is not off"));
	TEST_CHECK(strstr(e.msgv[2], "trunks.ca_file: \"/nonexistent/ca.pem\" is not a "
				     "readable file"));
	r = 0;
out:
	for (size_t i = 0; r && i < e.msgc; i++)
		fprintf(stderr, "%s\n", e.msgv[i]);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"trunks and outbound routes parsed", test_parse},
    {"trunks and routes: errors at their lines", test_errors},
    {"trunks: transport tls, srtp and ca_file, and their errors", test_tls_srtp_keys},
    {"route patterns: digits, X, Z, N, a last '.'", test_patterns},
    {"number forms: e164, national, dialled (China, NANP, generic)", test_formats},
    {"a route's trunks in turn, max_calls, caller IDs, who calls in", test_pick},
    {"a trunk's codecs in the SDP offer", test_codecs},
};

TEST_MAIN(tests)
