/*
 * httpd_read.c — the HTTP/1.1 request reader of httpd (see httpd.h):
 * where a request's head ends, its framing (Content-Length or chunked,
 * anything in doubt refused), its body within the limits. It works on a
 * buffer alone: the connections (httpd.c) call it, so do the unit tests
 * and the fuzzer.
 */
#include <errno.h>
#include <string.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include "api/httpd.h"
#include "api/httpd_int.h"

static size_t head_end(const uint8_t *p, size_t n, size_t *skip)
{
	size_t i = 0;

	/* RFC 9112 §2.2: empty lines before a request line are ignored */
	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	*skip = i;
	for (; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* One Content-Length value: 1-10 digits and no more than 2^32 - 1
 * (libre's pl_u32 reads "12ab" as 0 and wraps longer numbers). */
static bool clen_valid(const struct pl *v)
{
	uint64_t n = 0;

	if (!v->l || v->l > 10)
		return false;
	for (size_t i = 0; i < v->l; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v->p[i] - '0');
	}
	return n <= UINT32_MAX;
}

static bool clen_other(const struct http_hdr *hdr, void *arg)
{
	const struct http_hdr **first = arg;

	if (!clen_valid(&hdr->val))
		return true;
	if (!*first)
		*first = hdr;
	return pl_cmp(&(*first)->val, &hdr->val) != 0;
}

/*
 * Is the body's length certain? RFC 9112 §6.1: chunked is the one
 * transfer coding we read (others: 400, as a server may refuse one it
 * does not know), never beside a Content-Length (§6.3: a message with
 * both is a smuggling attempt as often as not); differing or malformed
 * Content-Lengths are unrecoverable.
 */
static int framing(const struct http_msg *msg, bool *chunked)
{
	const struct http_hdr *first = NULL, *te;

	*chunked = false;
	te = http_msg_hdr(msg, HTTP_HDR_TRANSFER_ENCODING);
	if (te) {
		if (http_msg_hdr(msg, HTTP_HDR_CONTENT_LENGTH) ||
		    http_msg_hdr_count(msg, HTTP_HDR_TRANSFER_ENCODING) != 1 ||
		    pl_strcasecmp(&te->val, "chunked"))
			return EBADMSG;
		*chunked = true;
		return 0;
	}
	if (http_msg_hdr_apply(msg, true, HTTP_HDR_CONTENT_LENGTH, clen_other, &first))
		return EBADMSG;
	return 0;
}

/* The line at p (n bytes available) up to LF: its length with the LF, 0
 * when it is not all there yet. */
static size_t line_len(const uint8_t *p, size_t n)
{
	const uint8_t *lf = memchr(p, '\n', n);

	return lf ? (size_t)(lf - p) + 1 : 0;
}

/*
 * A chunked body at p (RFC 9112 §7.1), written into body. HTTPD_MORE,
 * HTTPD_REQUEST with *used the bytes it took, or HTTPD_REFUSED (400, or
 * 413 as soon as the sizes announced pass max).
 */
static enum httpd_parse chunked_read(const uint8_t *p, size_t n, size_t max,
				     size_t max_trailer, struct mbuf *body, size_t *used,
				     uint16_t *scodep)
{
	size_t off = 0, total = 0;

	for (;;) {
		size_t l = line_len(p + off, n - off), i = 0;
		uint64_t size = 0;

		if (!l) {
			if (n - off > CHUNK_LINE_MAX)
				goto bad;
			return HTTPD_MORE;
		}
		if (l > CHUNK_LINE_MAX)
			goto bad;
		for (; i < l && i < 9; i++) {
			uint8_t c = p[off + i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				break;
			size = size * 16 + (uint64_t)d;
		}
		/* 1-8 hex digits, then extensions (ignored) or the line end */
		if (!i || i > 8 ||
		    (p[off + i] != ';' && p[off + i] != '\r' && p[off + i] != '\n' &&
		     p[off + i] != ' ' && p[off + i] != '\t'))
			goto bad;
		off += l;
		if (size > max || total + size > max) {
			*scodep = 413;
			return HTTPD_REFUSED;
		}
		if (!size)
			break;
		if (n - off < size + 2) /* the data and its CRLF */
			return HTTPD_MORE;
		if (mbuf_write_mem(body, p + off, (size_t)size))
			goto bad;
		total += size;
		off += size;
		if (p[off] == '\r' && p[off + 1] == '\n')
			off += 2;
		else
			goto bad;
	}
	/* trailer fields, then the empty line; read and dropped */
	for (size_t tsum = 0;;) {
		size_t l = line_len(p + off, n - off);

		if (!l) {
			if (n - off > max_trailer)
				goto bad;
			return HTTPD_MORE;
		}
		off += l;
		tsum += l;
		if (tsum > max_trailer)
			goto bad;
		if (l == 1 || (l == 2 && p[off - 2] == '\r'))
			break;
	}
	*used = off;
	return HTTPD_REQUEST;
bad:
	*scodep = 400;
	return HTTPD_REFUSED;
}

enum httpd_parse httpd__parse(struct mbuf *mb, const struct httpd_limits *lim,
			      struct http_msg **msgp, uint16_t *scodep, bool *expect100,
			      struct httpd__parse_info *info)
{
	const uint8_t *p = mbuf_buf(mb);
	size_t n = mbuf_get_left(mb), skip, hend, used = 0;
	struct mbuf *head = NULL;
	struct http_msg *msg = NULL;
	enum httpd_parse r = HTTPD_REFUSED;
	bool chunked;
	size_t max;

	*msgp = NULL;
	*scodep = 0;
	*expect100 = false;
	memset(info, 0, sizeof(*info));
	hend = head_end(p, n, &skip);
	if (!hend) {
		if (n - skip > lim->max_head) {
			*scodep = 431;
			return HTTPD_REFUSED;
		}
		return HTTPD_MORE;
	}
	if (hend - skip > lim->max_head) {
		*scodep = 431;
		return HTTPD_REFUSED;
	}
	info->head_done = true;
	/* the message gets a copy: the connection's buffer grows (moves)
	 * while the request is answered */
	head = mbuf_alloc(hend - skip);
	if (!head || mbuf_write_mem(head, p + skip, hend - skip)) {
		*scodep = 400;
		goto out;
	}
	head->pos = 0;
	if (http_msg_decode(&msg, head, true)) {
		*scodep = 400;
		goto out;
	}
	if (pl_strcmp(&msg->ver, "1.1") && pl_strcmp(&msg->ver, "1.0")) {
		*scodep = 505;
		msg = mem_deref(msg);
		goto out;
	}
	if (framing(msg, &chunked)) {
		*scodep = 400;
		goto out;
	}
	*expect100 = http_msg_hdr_has_value(msg, HTTP_HDR_EXPECT, "100-continue");
	mbuf_reset(msg->mb);
	info->chunked = chunked;
	/* the route's limit, known by the head: a body past it is refused
	 * before it is read, whatever the framing */
	max = lim->body_maxh ? lim->body_maxh(msg, lim->body_arg) : 0;
	if (!max)
		max = lim->max_body;
	info->max_body = max;
	if (chunked) {
		/* chunk lines and extensions count too: a body of one-byte
		 * chunks is six times its size, no more is read */
		if (n - hend > CHUNKED_RAW_MAX(max)) {
			*scodep = 413;
			goto out;
		}
		r = chunked_read(p + hend, n - hend, max, lim->max_head, msg->mb, &used,
				 scodep);
		if (r != HTTPD_REQUEST)
			goto out;
		msg->clen = (uint32_t)msg->mb->end;
	} else {
		if (msg->clen > max) {
			*scodep = 413;
			goto out;
		}
		if (n - hend < msg->clen) {
			info->need = hend + msg->clen;
			r = HTTPD_MORE;
			goto out;
		}
		used = msg->clen;
		if (used && mbuf_write_mem(msg->mb, p + hend, used)) {
			*scodep = 400;
			goto out;
		}
	}
	msg->mb->pos = 0;
	mb->pos += hend + used;
	r = HTTPD_REQUEST;
out:
	mem_deref(head);
	if (r == HTTPD_MORE)
		msg = mem_deref(msg);
	*msgp = msg;
	return r;
}

enum httpd_parse httpd_parse(struct mbuf *mb, const struct httpd_limits *lim,
			     struct http_msg **msgp, uint16_t *scodep, bool *expect100)
{
	struct httpd__parse_info info;

	if (!mb || !lim || !msgp || !scodep || !expect100)
		return HTTPD_MORE;
	return httpd__parse(mb, lim, msgp, scodep, expect100, &info);
}
