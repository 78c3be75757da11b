/*
 * test_ws.c — the WebSocket frame reader (ws_frame_decode) on buffers:
 * masked frames of each length form, in pieces; what RFC 6455 §5 does not
 * allow (unmasked, reserved bits and opcodes, control frames fragmented
 * or long); a payload over the limit refused before it comes; the UTF-8
 * check text frames get.
 */
#include <stdlib.h>
#include "test.h"
#include "api/ws.h"

static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* A client frame: b0 (FIN, opcode), the payload masked with key. */
static struct mbuf *frame(uint8_t b0, const uint8_t *p, size_t n, bool masked)
{
	struct mbuf *mb = mbuf_alloc(n + 14);

	if (!mb)
		return NULL;
	mbuf_write_u8(mb, b0);
	if (n < 126) {
		mbuf_write_u8(mb, (uint8_t)((masked ? 0x80 : 0) | n));
	} else if (n < 65536) {
		mbuf_write_u8(mb, (masked ? 0x80 : 0) | 126);
		mbuf_write_u8(mb, (uint8_t)(n >> 8));
		mbuf_write_u8(mb, (uint8_t)n);
	} else {
		mbuf_write_u8(mb, (masked ? 0x80 : 0) | 127);
		for (int i = 7; i >= 0; i--)
			mbuf_write_u8(mb, (uint8_t)((uint64_t)n >> (8 * i)));
	}
	if (masked)
		mbuf_write_mem(mb, key, 4);
	for (size_t i = 0; i < n; i++)
		mbuf_write_u8(mb, masked ? p[i] ^ key[i & 3] : p[i]);
	mb->pos = 0;
	return mb;
}

static int test_lengths(void)
{
	static const size_t sizes[] = {0, 5, 125, 126, 300, 65535, 65536, 70000};
	uint8_t *payload = malloc(70000);
	struct mbuf *mb = NULL;
	int r = 1;

	TEST_CHECK(payload);
	for (size_t i = 0; i < 70000; i++)
		payload[i] = (uint8_t)(i * 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct ws_hdr hdr;
		size_t n = sizes[s], whole;

		mb = frame(0x82, payload, n, true);
		TEST_CHECK(mb);
		whole = mb->end;
		/* every cut is "not yet", nothing consumed */
		for (size_t cut = 0; cut < whole; cut += cut < 20 ? 1 : 997) {
			mb->end = cut;
			TEST_CHECK(ws_frame_decode(&hdr, mb, 100000) == ENODATA &&
				   mb->pos == 0);
		}
		mb->end = whole;
		TEST_ERR(ws_frame_decode(&hdr, mb, 100000));
		TEST_CHECK(hdr.fin && hdr.opcode == WS_BIN && hdr.len == n);
		TEST_CHECK(mbuf_get_left(mb) == n &&
			   (!n || !memcmp(mbuf_buf(mb), payload, n)));
		mb = mem_deref(mb);
	}
	r = 0;
out:
	free(payload);
	mem_deref(mb);
	return r;
}

static int test_refused(void)
{
	static const uint8_t text[] = "hello";
	uint8_t long_ctrl[126] = {0};
	struct ws_hdr hdr;
	struct mbuf *mb = NULL;
	int r = 1;

	mb = frame(0x81, text, 5, false); /* not masked */
	TEST_CHECK(mb && ws_frame_decode(&hdr, mb, 100) == EPROTO);
	mb = mem_deref(mb);
	mb = frame(0xc1, text, 5, true); /* RSV1: no extension agreed */
	TEST_CHECK(mb && ws_frame_decode(&hdr, mb, 100) == EBADMSG);
	mb = mem_deref(mb);
	mb = frame(0x83, text, 5, true); /* a reserved opcode */
	TEST_CHECK(mb && ws_frame_decode(&hdr, mb, 100) == EBADMSG);
	mb = mem_deref(mb);
	mb = frame(0x09, text, 5, true); /* a ping fragmented */
	TEST_CHECK(mb && ws_frame_decode(&hdr, mb, 100) == EBADMSG);
	mb = mem_deref(mb);
	mb = frame(0x89, long_ctrl, sizeof(long_ctrl), true); /* a ping over 125 */
	TEST_CHECK(mb && ws_frame_decode(&hdr, mb, 1000) == EBADMSG);
	mb = mem_deref(mb);
	/* over the limit: refused from the header, the payload not waited for */
	mb = frame(0x82, long_ctrl, sizeof(long_ctrl), true);
	TEST_CHECK(mb);
	mb->end = 4;
	TEST_CHECK(ws_frame_decode(&hdr, mb, 100) == EMSGSIZE);
	mb = mem_deref(mb);
	/* a 64-bit length with the top bit set */
	{
		static const uint8_t huge[] = {0x82, 0xff, 0x80, 0, 0, 0, 0,
					       0,    0,	   0,	 1, 2, 3, 4};

		mb = mbuf_alloc(sizeof(huge));
		TEST_CHECK(mb);
		mbuf_write_mem(mb, huge, sizeof(huge));
		mb->pos = 0;
		TEST_CHECK(ws_frame_decode(&hdr, mb, SIZE_MAX) == EBADMSG);
	}
	r = 0;
out:
	mem_deref(mb);
	return r;
}

/* Fragments: each frame read on its own, FIN and opcodes as sent, a ping
 * between them (put together by the connection, ws.c). */
static int test_fragments(void)
{
	struct mbuf *a = frame(0x01, (const uint8_t *)"\xe5\xbc", 2, true);
	struct mbuf *ping = frame(0x89, (const uint8_t *)"p", 1, true);
	struct mbuf *b = frame(0x80, (const uint8_t *)"\xa0", 1, true);
	struct mbuf *all = mbuf_alloc(64);
	struct ws_hdr hdr;
	int r = 1;

	TEST_CHECK(a && ping && b && all);
	mbuf_write_mem(all, a->buf, a->end);
	mbuf_write_mem(all, ping->buf, ping->end);
	mbuf_write_mem(all, b->buf, b->end);
	all->pos = 0;
	TEST_ERR(ws_frame_decode(&hdr, all, 10));
	TEST_CHECK(!hdr.fin && hdr.opcode == WS_TEXT && hdr.len == 2);
	/* half a character: not valid UTF-8 alone, valid once whole */
	TEST_CHECK(!ws_utf8_valid(mbuf_buf(all), 2));
	all->pos += 2;
	TEST_ERR(ws_frame_decode(&hdr, all, 10));
	TEST_CHECK(hdr.fin && hdr.opcode == WS_PING && hdr.len == 1 &&
		   *mbuf_buf(all) == 'p');
	all->pos += 1;
	TEST_ERR(ws_frame_decode(&hdr, all, 10));
	TEST_CHECK(hdr.fin && hdr.opcode == WS_CONT && hdr.len == 1);
	all->pos += 1;
	TEST_CHECK(ws_frame_decode(&hdr, all, 10) == ENODATA);
	r = 0;
out:
	mem_deref(a);
	mem_deref(ping);
	mem_deref(b);
	mem_deref(all);
	return r;
}

static int test_utf8(void)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
	    {"plain", true},
	    {"\xe5\xbc\xa0\xe4\xbc\x9f", true}, /* 张伟 */
	    {"\xf0\x9f\x98\x80", true},		/* U+1F600 */
	    {"\xc0\x80", false},		/* overlong NUL */
	    {"\xe0\x80\xaf", false},		/* overlong '/' */
	    {"\xed\xa0\x80", false},		/* a surrogate */
	    {"\xf4\x90\x80\x80", false},	/* past U+10FFFF */
	    {"\xe5\xbc", false},		/* cut short */
	    {"\xff", false},
	    {"a\x80", false}, /* a lone continuation */
	};
	int r = 1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_CHECK(ws_utf8_valid((const uint8_t *)cases[i].s,
					 strlen(cases[i].s)) == cases[i].ok);
	r = 0;
out:
	return r;
}

static const struct test_case tests[] = {
    {"frames of every length form, in pieces, unmasked in place", test_lengths},
    {"refused: unmasked, reserved bits and opcodes, control frames, too long",
     test_refused},
    {"fragments and a ping between them, read one by one", test_fragments},
    {"UTF-8: 张伟 and 4-byte forms pass; overlong, surrogates, cut short fail",
     test_utf8},
};

TEST_MAIN(tests)
