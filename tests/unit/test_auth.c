/*
 * test_auth.c — digest authentication: the published vectors of RFC 2617
 * and RFC 7616 (MD5 and SHA-256), header parsing, verification, nonces
 * (valid, stale, forged, wrong client), and the scanner ban table on a
 * virtual clock, bounded in size.
 */
#include <string.h>
#include <re.h>
#include "sip/auth.h"
#include "test.h"

static int test_rfc2617_md5(void)
{
	struct pl user = PL("Mufasa"), realm = PL("testrealm@host.com"),
		  method = PL("GET"), uri = PL("/dir/index.html"),
		  nonce = PL("dcd98b7102dd2f0e8b11d0f600bfb0c093"), nc = PL("00000001"),
		  cnonce = PL("0a4f113b"), qop = PL("auth");
	char out[65];

	TEST_ERR(sipauth_response(out, sizeof(out), SIPAUTH_MD5, &user, &realm,
				  "Circle Of Life", &method, &uri, &nonce, &nc, &cnonce,
				  &qop));
	TEST_STREQ(out, "6629fae49393a05397450978507c4ef1");
	return 0;
}

static int test_rfc7616_sha256_and_md5(void)
{
	struct pl user = PL("Mufasa"), realm = PL("http-auth@example.org"),
		  method = PL("GET"), uri = PL("/dir/index.html"),
		  nonce = PL("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
		  nc = PL("00000001"),
		  cnonce = PL("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
		  qop = PL("auth");
	char out[65];

	TEST_ERR(sipauth_response(out, sizeof(out), SIPAUTH_SHA256, &user, &realm,
				  "Circle of Life", &method, &uri, &nonce, &nc, &cnonce,
				  &qop));
	TEST_STREQ(out,
		   "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	TEST_ERR(sipauth_response(out, sizeof(out), SIPAUTH_MD5, &user, &realm,
				  "Circle of Life", &method, &uri, &nonce, &nc, &cnonce,
				  &qop));
	TEST_STREQ(out, "8ca523f5e9506fed4657c9700eebdbec");
	return 0;
}

static int test_parse_and_verify(void)
{
	struct pl hdr = PL("Digest username=\"1001\", realm=\"hotline\", "
			   "nonce=\"abc\", uri=\"sip:127.0.0.1\", "
			   "response=\"RESP\", algorithm=SHA-256, qop=auth, "
			   "nc=00000001, cnonce=\"xyz\"");
	struct pl method = PL("REGISTER");
	struct sipauth_creds c;
	enum sipauth_alg alg;
	char expect[65], buf[512];
	struct pl h2;

	TEST_ERR(sipauth_parse(&c, &hdr));
	TEST_ERR(sipauth_alg(&alg, &c));
	TEST_EQ(alg, SIPAUTH_SHA256);
	TEST_ERR(sipauth_response(expect, sizeof(expect), alg, &c.username, &c.realm,
				  "alice-1001", &method, &c.uri, &c.nonce, &c.nc,
				  &c.cnonce, &c.qop));
	snprintf(buf, sizeof(buf), "%.*s%s%.*s", (int)(strstr(hdr.p, "RESP") - hdr.p),
		 hdr.p, expect,
		 (int)(hdr.l - (size_t)(strstr(hdr.p, "RESP") + 4 - hdr.p)),
		 strstr(hdr.p, "RESP") + 4);
	pl_set_str(&h2, buf);
	TEST_ERR(sipauth_parse(&c, &h2));
	TEST_ERR(sipauth_verify(&c, &method, "alice-1001"));
	TEST_EQ(sipauth_verify(&c, &method, "wrong"), EACCES);

	/* not digest, missing fields, unterminated quote */
	pl_set_str(&h2, "Basic dXNlcjpwYXNz");
	TEST_EQ(sipauth_parse(&c, &h2), EINVAL);
	pl_set_str(&h2, "Digest username=\"1001\", realm=\"x\"");
	TEST_EQ(sipauth_parse(&c, &h2), EINVAL);
	pl_set_str(&h2, "Digest username=\"1001, realm=x");
	TEST_EQ(sipauth_parse(&c, &h2), EINVAL);
	return 0;
}

/* A phone's answer checked against the HA1 the tenant holds instead of
 * the password (RFC 8760 §2: H(user:realm:password)), both algorithms. */
static int test_verify_ha1(void)
{
	static const char *const algs[] = {"MD5", "SHA-256"};
	struct pl method = PL("REGISTER"), h;
	struct sipauth_creds c;
	char ha1[65], other[65], resp[65], buf[512];

	for (int a = SIPAUTH_MD5; a <= SIPAUTH_SHA256; a++) {
		struct pl user = PL("1001"), realm = PL("hotline"), uri = PL("sip:h"),
			  nonce = PL("n1"), nc = PL("00000001"), cnonce = PL("c1"),
			  qop = PL("auth");

		TEST_ERR(
		    sipauth_ha1(ha1, sizeof(ha1), a, &user, &realm, "Secret-Phone-77"));
		TEST_EQ(strlen(ha1), a == SIPAUTH_MD5 ? 32 : 64);
		TEST_ERR(sipauth_response(resp, sizeof(resp), a, &user, &realm,
					  "Secret-Phone-77", &method, &uri, &nonce, &nc,
					  &cnonce, &qop));
		snprintf(buf, sizeof(buf),
			 "Digest username=\"1001\", realm=\"hotline\", nonce=\"n1\", "
			 "uri=\"sip:h\", response=\"%s\", algorithm=%s, qop=auth, "
			 "nc=00000001, cnonce=\"c1\"",
			 resp, algs[a]);
		pl_set_str(&h, buf);
		TEST_ERR(sipauth_parse(&c, &h));
		TEST_ERR(sipauth_verify_ha1(&c, &method, a, ha1));
		TEST_ERR(sipauth_verify(&c, &method, "Secret-Phone-77"));
		TEST_ERR(sipauth_ha1(other, sizeof(other), a, &user, &realm, "wrong"));
		TEST_EQ(sipauth_verify_ha1(&c, &method, a, other), EACCES);
		/* an HA1 of the other algorithm does not fit these credentials */
		TEST_EQ(sipauth_verify_ha1(&c, &method, !a, ha1), EINVAL);
	}
	return 0;
}

static int test_nonces(void)
{
	uint8_t key[SIPAUTH_KEYLEN] = {1, 2, 3};
	char n[64];
	struct pl pl;

	TEST_ERR(sipauth_nonce_make(n, sizeof(n), key, 1000, "10.0.0.1"));
	pl_set_str(&pl, n);
	TEST_ERR(sipauth_nonce_check(&pl, key, 1000, "10.0.0.1"));
	TEST_ERR(sipauth_nonce_check(&pl, key, 1000 + SIPAUTH_NONCE_TTL, "10.0.0.1"));
	TEST_EQ(sipauth_nonce_check(&pl, key, 1001 + SIPAUTH_NONCE_TTL, "10.0.0.1"),
		ETIMEDOUT);
	TEST_EQ(sipauth_nonce_check(&pl, key, 1000, "10.0.0.2"), EINVAL);
	n[20] = n[20] == 'a' ? 'b' : 'a';
	pl_set_str(&pl, n);
	TEST_EQ(sipauth_nonce_check(&pl, key, 1000, "10.0.0.1"), EINVAL);
	pl_set_str(&pl, "short");
	TEST_EQ(sipauth_nonce_check(&pl, key, 1000, "10.0.0.1"), EINVAL);
	return 0;
}

static int test_bans(void)
{
	struct sipauth_bans *b = NULL;
	char addr[32];

	TEST_ERR(sipauth_bans_alloc(&b, 100, 3, 60, 600));
	TEST_ASSERT(!sipauth_fail(b, "1.2.3.4", 0));
	TEST_ASSERT(!sipauth_fail(b, "1.2.3.4", 10));
	/* failures outside the window do not add up */
	TEST_ASSERT(!sipauth_fail(b, "1.2.3.4", 100));
	TEST_ASSERT(!sipauth_fail(b, "1.2.3.4", 101));
	TEST_ASSERT(sipauth_fail(b, "1.2.3.4", 102));
	TEST_ASSERT(sipauth_banned(b, "1.2.3.4", 103));
	TEST_ASSERT(!sipauth_banned(b, "1.2.3.5", 103));
	TEST_ASSERT(sipauth_banned(b, "1.2.3.4", 701));
	TEST_ASSERT(!sipauth_banned(b, "1.2.3.4", 702));
	/* a spray from many addresses stays within the table, and does not
	 * evict an active ban */
	TEST_ASSERT(sipauth_fail(b, "1.2.3.4", 800) == false);
	sipauth_fail(b, "1.2.3.4", 801);
	TEST_ASSERT(sipauth_fail(b, "1.2.3.4", 802));
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "9.9.%d.%d", i / 256, i % 256);
		sipauth_fail(b, addr, 803);
	}
	TEST_ASSERT(sipauth_bans_count(b) <= 100);
	TEST_ASSERT(sipauth_banned(b, "1.2.3.4", 804));
	mem_deref(b);
	return 0;
}

static const struct test_case tests[] = {
    {"RFC 2617 MD5 digest vector", test_rfc2617_md5},
    {"RFC 7616 SHA-256 and MD5 digest vectors", test_rfc7616_sha256_and_md5},
    {"credentials parsed and verified; bad headers refused", test_parse_and_verify},
    {"credentials verified against an HA1, MD5 and SHA-256", test_verify_ha1},
    {"nonces: valid, stale, other client, forged", test_nonces},
    {"bans: window, expiry, bounded table keeps active bans", test_bans},
};

TEST_MAIN(tests)
