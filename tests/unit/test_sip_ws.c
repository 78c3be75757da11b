/*
 * test_sip_ws.c — the SIP over WebSocket relay's rewriting and framing
 * (ws_transport.c) on buffers: a browser's REGISTER and 200 for our
 * listener (Via WSS -> TCP, the .invalid Contact -> the relay's address,
 * Content-Length from the frame), our answer and INVITE given back, the
 * TCP stream cut into messages (keep-alives, bodies, pieces), what is no
 * SIP refused, and the allocation-failure loop.
 */
#include <stdlib.h>
#include "test.h"
#include "sip/sip.h"

#define LOCAL "127.0.0.1:40001"

static const char reg[] =
    "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
    "Max-Forwards: 69\r\n"
    "To: <sip:1001@127.0.0.1>\r\n"
    "From: \"张伟\" <sip:1001@127.0.0.1>;tag=5sjd8\r\n"
    "Call-ID: asidkj3ss\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Contact: <sip:1001@df7jal23ls0d.invalid;transport=ws>;reg-id=1;"
    "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";"
    "expires=600\r\n"
    "Supported: path, outbound, gruu\r\n\r\n";

static char *str(const struct mbuf *mb)
{
	char *s = malloc(mb->end + 1);

	if (s) {
		memcpy(s, mb->buf, mb->end);
		s[mb->end] = '\0';
	}
	return s;
}

static int test_inbound(void)
{
	struct sipws_map map;
	struct mbuf *mb = NULL;
	char *s = NULL;
	int r = 1;

	memset(&map, 0, sizeof(map));
	TEST_ERR(sipws_inbound(&mb, (const uint8_t *)reg, strlen(reg), LOCAL, &map));
	s = str(mb);
	TEST_CHECK(s);
	TEST_CHECK(strstr(
	    s, "\r\nVia: SIP/2.0/TCP df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"));
	TEST_CHECK(
	    strstr(s, "\r\nContact: <sip:1001@" LOCAL ";transport=tcp>;reg-id=1;"));
	TEST_CHECK(strstr(s, "expires=600\r\n"));
	TEST_CHECK(strstr(s, "\"张伟\""));
	/* the frame is the message: RFC 7118 needs no Content-Length */
	TEST_CHECK(strstr(s, "\r\nContent-Length: 0\r\n\r\n"));
	TEST_CHECK(!strcmp(s + strlen(s) - 4, "\r\n\r\n"));
	TEST_CHECK(!strcmp(map.tp, "WSS"));
	TEST_CHECK(
	    map.n == 1 && !strcmp(map.v[0].ours, "sip:1001@" LOCAL ";transport=tcp") &&
	    !strcmp(map.v[0].theirs, "sip:1001@df7jal23ls0d.invalid;transport=ws"));
	/* libre must read it */
	{
		struct sip_msg *msg = NULL;

		mb->pos = 0;
		TEST_ERR(sip_msg_decode(&msg, mb));
		TEST_CHECK(msg->via.tp == SIP_TRANSP_TCP);
		mem_deref(msg);
	}
	r = 0;
out:
	free(s);
	mem_deref(mb);
	return r;
}

/* A response from the browser (its 200 to our INVITE): our Via stays, a
 * wrong Content-Length is the body's, a compact Contact is rewritten. */
static int test_inbound_response(void)
{
	static const char ok[] = "SIP/2.0 200 OK\r\n"
				 "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKabc\r\n"
				 "f: <sip:0611@127.0.0.1>;tag=1\r\n"
				 "t: <sip:1001@127.0.0.1>;tag=2\r\n"
				 "i: x1\r\nCSeq: 1 INVITE\r\n"
				 "m: sip:1001@abc.invalid;transport=ws;ob\r\n"
				 "l: 99\r\n\r\n"
				 "v=0\r\n";
	struct sipws_map map;
	struct mbuf *mb = NULL;
	char *s = NULL;
	int r = 1;

	memset(&map, 0, sizeof(map));
	TEST_ERR(sipws_inbound(&mb, (const uint8_t *)ok, strlen(ok), LOCAL, &map));
	s = str(mb);
	TEST_CHECK(s);
	TEST_CHECK(
	    strstr(s, "\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKabc\r\n"));
	TEST_CHECK(strstr(s, "\r\nContact: sip:1001@" LOCAL ";transport=tcp;ob\r\n"));
	TEST_CHECK(!strstr(s, "l: 99"));
	TEST_CHECK(strstr(s, "\r\nContent-Length: 5\r\n\r\nv=0\r\n"));
	TEST_CHECK(!map.tp[0]);
	r = 0;
out:
	free(s);
	mem_deref(mb);
	return r;
}

/* Our answer to the REGISTER and our INVITE, as the browser gets them. */
static int test_outbound(void)
{
	static const char ok[] =
	    "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/TCP df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;"
	    "received=127.0.0.1\r\n"
	    "Call-ID: asidkj3ss\r\nContent-Length: 0\r\n\r\n";
	static const char inv[] = "INVITE sip:1001@" LOCAL ";transport=tcp SIP/2.0\r\n"
				  "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKx\r\n"
				  "Content-Length: 4\r\n\r\nabcd";
	struct sipws_map map;
	struct mbuf *mb = NULL, *in = NULL;
	char *s = NULL;
	int r = 1;

	memset(&map, 0, sizeof(map));
	TEST_ERR(sipws_inbound(&in, (const uint8_t *)reg, strlen(reg), LOCAL, &map));
	TEST_ERR(sipws_outbound(&mb, (const uint8_t *)ok, strlen(ok), &map));
	s = str(mb);
	TEST_CHECK(s);
	TEST_CHECK(
	    strstr(s, "\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks;"
		      "received=127.0.0.1\r\n"));
	free(s);
	s = NULL;
	mb = mem_deref(mb);
	TEST_ERR(sipws_outbound(&mb, (const uint8_t *)inv, strlen(inv), &map));
	s = str(mb);
	TEST_CHECK(s);
	TEST_CHECK(!strncmp(
	    s, "INVITE sip:1001@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n", 58));
	/* a request's Via is ours: left as it is */
	TEST_CHECK(strstr(s, "\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKx\r\n"));
	TEST_CHECK(!strcmp(s + strlen(s) - 8, "\r\n\r\nabcd"));
	r = 0;
out:
	free(s);
	mem_deref(mb);
	mem_deref(in);
	return r;
}

static int test_refused(void)
{
	static const char *bad[] = {"", "REGISTER sip:x SIP/2.0\r\nVia: a\r\n",
				    "\r\n\r\n", "hello"};
	struct sipws_map map;
	struct mbuf *mb = NULL;

	memset(&map, 0, sizeof(map));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST_EQ(sipws_inbound(&mb, (const uint8_t *)bad[i], strlen(bad[i]), LOCAL,
				      &map),
			EBADMSG);
		TEST_EQ(
		    sipws_outbound(&mb, (const uint8_t *)bad[i], strlen(bad[i]), &map),
		    EBADMSG);
	}
	TEST_ASSERT(!mb);
	return 0;
}

/* The TCP stream from our listener into messages. */
static int test_frame(void)
{
	static const char stream[] = "\r\n\r\n"
				     "SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n"
				     "INVITE sip:a SIP/2.0\r\nl: 3\r\n\r\nxyz"
				     "SIP/2.0 200 OK\r\nContent-Length:  2 \r\n\r\nok";
	const uint8_t *p = (const uint8_t *)stream;
	size_t n = strlen(stream), skip, len, off = 0;
	size_t want[] = {41, 33, 41};

	for (size_t i = 0; i < 3; i++) {
		/* every cut before the end of the message is "not yet" */
		for (size_t cut = 0; cut < want[i]; cut++) {
			int e = sipws_frame(p + off, (i ? 0 : 4) + cut, &skip, &len);
			TEST_ASSERT(e == ENODATA);
		}
		TEST_ERR(sipws_frame(p + off, n - off, &skip, &len));
		TEST_EQ(skip, i ? 0 : 4);
		TEST_EQ(len, want[i]);
		off += skip + len;
	}
	TEST_EQ(off, n);
	TEST_EQ(sipws_frame((const uint8_t *)"SIP/2.0 200 OK\r\nl: x\r\n\r\n", 24, &skip,
			    &len),
		EBADMSG);
	TEST_EQ(sipws_frame((const uint8_t *)"SIP/2.0 200 OK\r\nl: 99999999\r\n\r\n", 31,
			    &skip, &len),
		EBADMSG);
	{
		/* a header block that never ends is no SIP */
		size_t big = 20000;
		uint8_t *junk = malloc(big);

		TEST_ASSERT(junk);
		memset(junk, 'a', big);
		int e = sipws_frame(junk, big, &skip, &len);
		free(junk);
		TEST_EQ(e, EBADMSG);
	}
	return 0;
}

static int test_nomem(void)
{
	struct sipws_map map;

	for (int t = 0; t < 8; t++) {
		struct mbuf *mb = NULL;
		int e;

		memset(&map, 0, sizeof(map));
		mem_threshold_set(t);
		e = sipws_inbound(&mb, (const uint8_t *)reg, strlen(reg), LOCAL, &map);
		mem_threshold_set(-1);
		TEST_ASSERT(e == 0 || e == ENOMEM);
		TEST_ASSERT(!e == !!mb);
		mem_deref(mb);
	}
	return 0;
}

static const struct test_case tests[] = {
    {"a browser's REGISTER: Via WSS to TCP, Contact to the relay, Content-Length",
     test_inbound},
    {"a browser's 200: compact headers, our Via kept, the body's length",
     test_inbound_response},
    {"our answer's Via and our INVITE's URI given back to the browser", test_outbound},
    {"no SIP header block: refused both ways", test_refused},
    {"the TCP stream into messages: keep-alives, bodies, pieces", test_frame},
    {"out of memory: ENOMEM, nothing kept", test_nomem},
};

TEST_MAIN(tests)
