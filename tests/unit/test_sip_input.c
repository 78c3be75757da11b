/*
 * test_sip_input.c — the checks every SIP request passes before any
 * handler (RFC 3261 §8.2, §18.3): mandatory headers, CSeq against the
 * method, Content-Length against a datagram's body, the version.
 */
#include <string.h>
#include <re.h>
#include "sip/input.h"
#include "test.h"

#define HDRS_VIA  "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n"
#define HDRS_FROM "From: <sip:a@127.0.0.1>;tag=1\r\n"
#define HDRS_TO	  "To: <sip:b@127.0.0.1>\r\n"
#define HDRS_CID  "Call-ID: c1@x\r\n"
#define HDRS_CSEQ "CSeq: 1 OPTIONS\r\n"
#define START	  "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"

/* The verdict on text (decoded as libre does); -2 when libre refuses it. */
static int verdict(const char *text, const char **reason)
{
	struct mbuf *mb = mbuf_alloc(strlen(text) + 1);
	struct sip_msg *msg = NULL;
	int v = -2;

	*reason = "";
	if (!mb)
		return -3;
	(void)mbuf_write_str(mb, text);
	mb->pos = 0;
	if (!sip_msg_decode(&msg, mb))
		v = sipinput_verdict(msg, mbuf_get_left(msg->mb), reason);
	mem_deref(msg);
	mem_deref(mb);
	return v;
}

static int test_verdicts(void)
{
	const char *why;

	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ
			"Content-Length: 0\r\n\r\n",
			&why),
		0);
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ "\r\n", &why),
		0); /* UDP: no Content-Length, the datagram's rest is the body */
	TEST_EQ(verdict(START HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ "\r\n", &why), -1);
	TEST_EQ(verdict(START HDRS_VIA HDRS_TO HDRS_CID HDRS_CSEQ "\r\n", &why), 400);
	TEST_STREQ(why, "Missing From Header");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_CID HDRS_CSEQ "\r\n", &why), 400);
	TEST_STREQ(why, "Missing To Header");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CSEQ "\r\n", &why), 400);
	TEST_STREQ(why, "Missing Call-ID Header");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID "\r\n", &why), 400);
	TEST_STREQ(why, "Missing CSeq Header");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID
			"CSeq: 1 INVITE\r\n\r\n",
			&why),
		400);
	TEST_STREQ(why, "CSeq Method Mismatch");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ
			"Content-Length: 10\r\n\r\nshort",
			&why),
		400);
	TEST_STREQ(why, "Body Shorter Than Content-Length");
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ
			"Content-Length: 2\r\n\r\nlonger",
			&why),
		0); /* the rest is cut off by sipinput_reject */
	TEST_EQ(verdict(START HDRS_VIA HDRS_FROM HDRS_TO HDRS_CID HDRS_CSEQ
			"Content-Length: x1\r\n\r\n",
			&why),
		400);
	TEST_STREQ(why, "Bad Content-Length");
	return 0;
}

static int version(const char *text, char *out, size_t sz)
{
	int v;

	strncpy(out, text, sz - 1);
	out[sz - 1] = '\0';
	v = sipinput_version((uint8_t *)out, strlen(out));
	return v;
}

static int test_versions(void)
{
	char b[128];

	TEST_EQ(version("OPTIONS sip:b@h SIP/2.0\r\n", b, sizeof(b)), 0);
	TEST_EQ(version("OPTIONS sip:b@h SIP/3.0\r\n", b, sizeof(b)), 505);
	TEST_EQ(version("OPTIONS sip:b@h SIP/2.00\r\n", b, sizeof(b)), 505);
	TEST_EQ(version("OPTIONS sip:b@h sip/2.0\r\n", b, sizeof(b)), 0);
	TEST_STREQ(b, "OPTIONS sip:b@h SIP/2.0\r\n"); /* upper-cased for libre */
	TEST_EQ(version("SIP/2.0 200 OK\r\n", b, sizeof(b)), 0);      /* a response */
	TEST_EQ(version("SIP/3.0 200 OK\r\n", b, sizeof(b)), 0);      /* not a request */
	TEST_EQ(version("GET / HTTP/1.1\r\n", b, sizeof(b)), 0);      /* not SIP */
	TEST_EQ(version("OPTIONS sip:b@h SIP/3.0", b, sizeof(b)), 0); /* no line end */
	TEST_EQ(version("garbage\r\n", b, sizeof(b)), 0);
	TEST_EQ(version("a  SIP/3.0\r\n", b, sizeof(b)), 0);
	TEST_EQ(version("", b, sizeof(b)), 0);
	return 0;
}

static const struct test_case tests[] = {
    {"requests: mandatory headers, CSeq method, Content-Length", test_verdicts},
    {"start line: another SIP version, case, responses, not SIP", test_versions},
};

TEST_MAIN(tests)
