/*
 * test_httpd.c — the HTTP request reader (httpd_parse) on buffers: a
 * request whole or in pieces, pipelined, by Content-Length or chunked;
 * the limits (413 before the body comes, 431), a route's own body limit;
 * the framing refused (400) and another version (505).
 */
#include <stdlib.h>
#include "test.h"
#include "api/httpd.h"

static const struct httpd_limits lim = {.max_head = 256, .max_body = 100};

struct parsed {
	enum httpd_parse r;
	uint16_t scode;
	bool expect100;
	struct http_msg *msg;
};

/* Parses text (len bytes) from the start; mb is the caller's. */
static struct parsed parse_text(struct mbuf **mbp, const char *text, size_t len)
{
	struct parsed p = {0};

	*mbp = mbuf_alloc(len + 1);
	if (!*mbp)
		return p;
	mbuf_write_mem(*mbp, (const uint8_t *)text, len);
	(*mbp)->pos = 0;
	p.r = httpd_parse(*mbp, &lim, &p.msg, &p.scode, &p.expect100);
	return p;
}

static int test_pieces(void)
{
	static const char req[] =
	    "\r\nPOST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	    "\r\nhelloGET /next HTTP/1.1\r\n\r\n";
	const size_t first = strlen(req) - strlen("GET /next HTTP/1.1\r\n\r\n");
	struct mbuf *mb = NULL;
	struct parsed p = {0};
	int r = 1;

	/* every cut before the request's end is "more", and consumes nothing */
	for (size_t n = 0; n < first; n++) {
		p = parse_text(&mb, req, n);
		TEST_CHECK(p.r == HTTPD_MORE && !p.msg && mb->pos == 0);
		mb = mem_deref(mb);
	}
	p = parse_text(&mb, req, sizeof(req) - 1);
	TEST_CHECK(p.r == HTTPD_REQUEST && p.msg);
	TEST_CHECK(!pl_strcmp(&p.msg->path, "/a") && !pl_strcmp(&p.msg->prm, "?b=1"));
	TEST_CHECK(p.msg->clen == 5 && mbuf_get_left(p.msg->mb) == 5 &&
		   !memcmp(mbuf_buf(p.msg->mb), "hello", 5));
	TEST_CHECK(mb->pos == first);
	p.msg = mem_deref(p.msg);
	/* the pipelined one behind it */
	p.r = httpd_parse(mb, &lim, &p.msg, &p.scode, &p.expect100);
	TEST_CHECK(p.r == HTTPD_REQUEST && !pl_strcmp(&p.msg->path, "/next") &&
		   p.msg->clen == 0 && mb->pos == mb->end);
	r = 0;
out:
	mem_deref(p.msg);
	mem_deref(mb);
	return r;
}

static int test_limits(void)
{
	char big[400];
	struct mbuf *mb = NULL;
	struct parsed p = {0};
	int r = 1;

	/* 413 with the head alone: the body is never waited for */
	p = parse_text(&mb, "POST /s HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n", 45);
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 413 && p.msg &&
		   !pl_strcmp(&p.msg->path, "/s"));
	p.msg = mem_deref(p.msg);
	mb = mem_deref(mb);
	p = parse_text(
	    &mb,
	    "POST /s HTTP/1.1\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
	    63);
	TEST_CHECK(p.r == HTTPD_MORE && p.expect100);
	mb = mem_deref(mb);
	/* a head over the limit, its end seen or not */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	p = parse_text(&mb, big, sizeof(big));
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 431 && !p.msg);
	mb = mem_deref(mb);
	memcpy(big + sizeof(big) - 4, "\r\n\r\n", 4);
	p = parse_text(&mb, big, sizeof(big));
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 431 && !p.msg);
	mb = mem_deref(mb);
	p = parse_text(&mb, "GET / HTTP/2.0\r\n\r\n", 18);
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 505 && !p.msg);
	mb = mem_deref(mb);
	p = parse_text(&mb, "\x16\x03\x01 no http\r\n\r\n", 16);
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 400 && !p.msg);
	r = 0;
out:
	mem_deref(p.msg);
	mem_deref(mb);
	return r;
}

static int test_framing(void)
{
	static const char *const refused[] = {
	    "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n0\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n",
	    "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	    "POST / HTTP/1.1\r\nContent-Length: 3x\r\n\r\nabc",
	    "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n",
	    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
	};
	struct mbuf *mb = NULL;
	struct parsed p = {0};
	int r = 1;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		p = parse_text(&mb, refused[i], strlen(refused[i]));
		if (p.r != HTTPD_REFUSED || p.scode != 400)
			fprintf(stderr, "case %zu: %d %u\n", i, p.r, p.scode);
		TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 400);
		p.msg = mem_deref(p.msg);
		mb = mem_deref(mb);
	}
	/* one length given twice alike is one length */
	p = parse_text(
	    &mb, "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
	    59);
	TEST_CHECK(p.r == HTTPD_REQUEST && p.msg->clen == 2);
	r = 0;
out:
	mem_deref(p.msg);
	mem_deref(mb);
	return r;
}

static int test_chunked(void)
{
	static const char req[] =
	    "POST /c HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
	    "5;name=v\r\nhello\r\n1\r\n \r\n6\r\n\xe5\xbc\xa0\xe4\xbc\x9f\r\n"
	    "0\r\nX-Trailer: 1\r\n\r\nGET";
	const size_t whole = sizeof(req) - 1 - 3;
	struct mbuf *mb = NULL;
	struct parsed p = {0};
	char over[200];
	int r = 1;

	for (size_t n = 0; n < whole; n++) {
		p = parse_text(&mb, req, n);
		TEST_CHECK(p.r == HTTPD_MORE && !p.msg && mb->pos == 0);
		mb = mem_deref(mb);
	}
	p = parse_text(&mb, req, sizeof(req) - 1);
	TEST_CHECK(p.r == HTTPD_REQUEST && mb->pos == whole);
	TEST_CHECK(p.msg->clen == 12 && mbuf_get_left(p.msg->mb) == 12 &&
		   !memcmp(mbuf_buf(p.msg->mb), "hello \xe5\xbc\xa0\xe4\xbc\x9f", 12));
	p.msg = mem_deref(p.msg);
	mb = mem_deref(mb);
	/* 413 as soon as the sizes announced pass the limit, data or not */
	snprintf(
	    over, sizeof(over),
	    "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n%050d\r\n33\r\n",
	    0);
	p = parse_text(&mb, over, strlen(over));
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 413 && p.msg);
	p.msg = mem_deref(p.msg);
	mb = mem_deref(mb);
	p = parse_text(
	    &mb, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n",
	    58);
	TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 413);
	p.msg = mem_deref(p.msg);
	mb = mem_deref(mb);
	/* chunk lines count too: small chunks with long extensions are held
	 * to a multiple of the limit, however little data they carry */
	{
		char *raw = malloc(4096);
		size_t n = 0;

		TEST_CHECK(raw);
		n += (size_t)snprintf(
		    raw, 4096, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
		while (n < 4000) {
			memcpy(raw + n, "1;", 2);
			memset(raw + n + 2, 'e', 60);
			memcpy(raw + n + 62, "\r\nx\r\n", 5);
			n += 67;
		}
		p = parse_text(&mb, raw, n);
		free(raw);
		TEST_CHECK(p.r == HTTPD_REFUSED && p.scode == 413);
	}
	r = 0;
out:
	mem_deref(p.msg);
	mem_deref(mb);
	return r;
}

/* A route (/files) that takes 1000 bytes, the others the default 100. */
static size_t files_max(const struct http_msg *msg, void *arg)
{
	(void)arg;
	return pl_strcmp(&msg->path, "/files") ? 0 : 1000;
}

static const struct httpd_limits rlim = {
    .max_head = 256, .max_body = 100, .body_maxh = files_max};

/* A request's head and body bytes of 'x', read with rlim. */
static struct parsed route_parse(struct mbuf **mbp, const char *head, size_t body)
{
	struct parsed p = {0};

	*mbp = mbuf_alloc(strlen(head) + body + 1);
	if (!*mbp)
		return p;
	mbuf_write_str(*mbp, head);
	for (size_t i = 0; i < body; i++)
		mbuf_write_u8(*mbp, 'x');
	(*mbp)->pos = 0;
	p.r = httpd_parse(*mbp, &rlim, &p.msg, &p.scode, &p.expect100);
	return p;
}

static int test_route_limit(void)
{
	static const struct {
		const char *head;
		size_t body;
		enum httpd_parse r;
		uint16_t scode;
	} cases[] = {
	    /* the route's 1000 bytes: 800 are waited for, then taken */
	    {"POST /files HTTP/1.1\r\nContent-Length: 800\r\n\r\n", 0, HTTPD_MORE, 0},
	    {"POST /files HTTP/1.1\r\nContent-Length: 800\r\n\r\n", 800, HTTPD_REQUEST,
	     0},
	    /* past it: 413 from the head alone */
	    {"POST /files HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 0, HTTPD_REFUSED,
	     413},
	    /* chunked: the sizes announced pass the route's limit */
	    {"POST /files HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n", 0,
	     HTTPD_REFUSED, 413},
	    /* another route keeps the default: 101 bytes are too many */
	    {"POST /other HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 0, HTTPD_REFUSED,
	     413},
	};
	struct mbuf *mb = NULL;
	struct parsed p = {0};
	int r = 1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = route_parse(&mb, cases[i].head, cases[i].body);
		TEST_CHECK(p.r == cases[i].r && p.scode == cases[i].scode);
		TEST_CHECK(p.r != HTTPD_REQUEST || p.msg->clen == cases[i].body);
		p.msg = mem_deref(p.msg);
		mb = mem_deref(mb);
	}
	r = 0;
out:
	mem_deref(p.msg);
	mem_deref(mb);
	return r;
}

static const struct test_case tests[] = {
    {"a request in pieces, then the one pipelined behind it", test_pieces},
    {"limits: 413 from the head, 431, 505, not HTTP", test_limits},
    {"framing: Transfer-Encoding and Content-Length refused as in doubt", test_framing},
    {"chunked: in pieces, extensions, trailers, 413 from the sizes", test_chunked},
    {"a route's own body limit, by Content-Length and chunked", test_route_limit},
};

TEST_MAIN(tests)
