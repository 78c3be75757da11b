/*
 * ws.c — WebSocket (RFC 6455) server connections on httpd (see ws.h):
 * the opening handshake, frames read and written, messages put together
 * from fragments, pings (one timer for every connection), the closing
 * handshake.
 *
 * Not here: what the messages mean (stream.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <openssl/sha.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_http.h>
#include <re_base64.h>
#include "core/core.h"
#include "api/httpd.h"
#include "api/ws.h"

#define CTRL_MAX 125 /* RFC 6455 §5.5 */

struct ws_conn {
	struct httpd_conn *conn; /* NULL once the connection is over */
	struct sa peer;
	struct mbuf *rx;  /* frames received, not yet read */
	struct mbuf *msg; /* a fragmented message being put together */
	enum ws_opcode msg_op;
	struct le ple;	   /* in pingq while the connection lives */
	uint64_t ping_due; /* the next ping, ms of clock_mono_ms */
	uint64_t last_rx;
	size_t max_msg;
	uint32_t ping_ms;
	bool closing; /* our close frame is out */
	ws_recv_h *recvh;
	ws_close_h *closeh;
	void *arg;
};

/*
 * One timer pings every connection. libre keeps its timers in one list
 * sorted by when they fire, and tmr_start walks it from its end past
 * every timer that fires later: with a ping timer per socket, each short
 * timer of the process (an HTTP request's, a call's) walked past as many
 * sockets. The connections wait in pingq in the order their pings are
 * due (a ping re-queues at the end when all have one interval), and one
 * tick a second takes those due from the head.
 */
#define PING_TICK_MS 1000
static struct list pingq;
static struct tmr ping_tmr;

static void ping_tick(void *arg);

static void ping_unqueue(struct ws_conn *wc)
{
	list_unlink(&wc->ple);
	/* the last one gone: no timer left behind on the loop */
	if (!list_head(&pingq))
		tmr_cancel(&ping_tmr);
}

/* wc's next ping in ping_ms from now, in its place in pingq. */
static void ping_queue(struct ws_conn *wc, uint64_t now)
{
	struct le *le;

	list_unlink(&wc->ple);
	wc->ping_due = now + wc->ping_ms;
	for (le = list_tail(&pingq); le; le = le->prev) {
		const struct ws_conn *o = le->data;

		if (o->ping_due <= wc->ping_due)
			break;
	}
	if (le)
		list_insert_after(&pingq, le, &wc->ple, wc);
	else
		list_prepend(&pingq, &wc->ple, wc);
	if (!tmr_isrunning(&ping_tmr))
		tmr_start(&ping_tmr, PING_TICK_MS, ping_tick, NULL);
}

/* --- frames on a buffer ----------------------------------------------------- */

int ws_frame_decode(struct ws_hdr *hdr, struct mbuf *mb, size_t max)
{
	const uint8_t *p = mbuf_buf(mb);
	size_t n = mbuf_get_left(mb), off = 2;
	uint64_t len;

	if (n < 2)
		return ENODATA;
	memset(hdr, 0, sizeof(*hdr));
	hdr->fin = p[0] & 0x80;
	hdr->opcode = p[0] & 0x0f;
	hdr->mask = p[1] & 0x80;
	len = p[1] & 0x7f;
	/* no extension was agreed: reserved bits set are an error (§5.2) */
	if (p[0] & 0x70)
		return EBADMSG;
	switch (hdr->opcode) {
	case WS_CONT:
	case WS_TEXT:
	case WS_BIN:
		break;
	case WS_CLOSE:
	case WS_PING:
	case WS_PONG:
		if (!hdr->fin || len > CTRL_MAX)
			return EBADMSG;
		break;
	default:
		return EBADMSG;
	}
	if (!hdr->mask)
		return EPROTO;
	if (len == 126) {
		if (n < 4)
			return ENODATA;
		len = (uint64_t)p[2] << 8 | p[3];
		off = 4;
	} else if (len == 127) {
		if (n < 10)
			return ENODATA;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | p[2 + i];
		if (len >> 63)
			return EBADMSG;
		off = 10;
	}
	if (len > max)
		return EMSGSIZE;
	if (n < off + 4)
		return ENODATA;
	memcpy(hdr->mkey, p + off, 4);
	off += 4;
	if (n - off < len)
		return ENODATA;
	hdr->len = len;
	for (uint64_t i = 0; i < len; i++)
		mb->buf[mb->pos + off + i] ^= hdr->mkey[i & 3];
	mb->pos += off;
	return 0;
}

bool ws_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		uint32_t cp;
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* --- a connection ------------------------------------------------------------- */

static int frame_send(struct ws_conn *wc, enum ws_opcode op, const uint8_t *p, size_t n)
{
	struct mbuf *mb;
	int err;

	if (!wc->conn)
		return ENOTCONN;
	mb = mbuf_alloc(n + 10);
	if (!mb)
		return ENOMEM;
	err = mbuf_write_u8(mb, 0x80 | op);
	if (n < 126) {
		err |= mbuf_write_u8(mb, (uint8_t)n);
	} else if (n <= 0xffff) {
		err |= mbuf_write_u8(mb, 126);
		err |= mbuf_write_u16(mb, htons((uint16_t)n));
	} else {
		err |= mbuf_write_u8(mb, 127);
		for (int i = 7; i >= 0; i--)
			err |= mbuf_write_u8(mb, (uint8_t)((uint64_t)n >> (8 * i)));
	}
	if (n)
		err |= mbuf_write_mem(mb, p, n);
	if (!err) {
		mb->pos = 0;
		err = httpd_send(wc->conn, mb);
	}
	mem_deref(mb);
	return err;
}

/* The connection is over from our side: no handler is called again. */
static void conn_drop(struct ws_conn *wc)
{
	ping_unqueue(wc);
	if (wc->conn) {
		httpd_conn_close(wc->conn);
		wc->conn = mem_deref(wc->conn);
	}
	wc->rx = mem_deref(wc->rx);
	wc->msg = mem_deref(wc->msg);
}

/* Ends the connection and tells the user why (err). */
static void conn_end(struct ws_conn *wc, int err)
{
	ws_close_h *closeh = wc->closeh;

	wc->closeh = NULL;
	wc->recvh = NULL;
	conn_drop(wc);
	if (closeh)
		closeh(err, wc->arg);
}

static int close_frame(struct ws_conn *wc, uint16_t scode, const char *reason)
{
	uint8_t b[CTRL_MAX];
	size_t n = reason ? strlen(reason) : 0;

	if (n > CTRL_MAX - 2)
		n = CTRL_MAX - 2;
	/* a cut reason stays UTF-8: no half of a character at its end */
	while (n && !ws_utf8_valid((const uint8_t *)reason, n))
		n--;
	b[0] = (uint8_t)(scode >> 8);
	b[1] = (uint8_t)scode;
	if (n)
		memcpy(b + 2, reason, n);
	wc->closing = true;
	return frame_send(wc, WS_CLOSE, b, n + 2);
}

/* The peer broke the protocol: RFC 6455 §7.1.7, close with the code and
 * end the connection. */
static void fail(struct ws_conn *wc, uint16_t scode, const char *reason, int err)
{
	char peer[64];

	re_snprintf(peer, sizeof(peer), "%J", &wc->peer);
	log_info("api: websocket closed peer=%s code=%u reason=%s", peer, scode, reason);
	if (!wc->closing)
		(void)close_frame(wc, scode, reason);
	conn_end(wc, err);
}

/* A whole message: checked and handed on. */
static void message(struct ws_conn *wc, enum ws_opcode op, struct mbuf *mb)
{
	struct ws_hdr hdr = {.fin = true, .opcode = op, .len = mbuf_get_left(mb)};

	if (op == WS_TEXT && !ws_utf8_valid(mbuf_buf(mb), mbuf_get_left(mb))) {
		fail(wc, WS_INVALID_PAYLOAD, "a text message that is not UTF-8", EPROTO);
		return;
	}
	if (wc->recvh && !wc->closing)
		wc->recvh(&hdr, mb, wc->arg);
}

static void control(struct ws_conn *wc, const struct ws_hdr *hdr, const uint8_t *p)
{
	switch (hdr->opcode) {
	case WS_PING:
		if (!wc->closing)
			(void)frame_send(wc, WS_PONG, p, (size_t)hdr->len);
		break;
	case WS_CLOSE:
		/* §5.5.1: a code of two bytes, then a UTF-8 reason */
		if (hdr->len == 1) {
			fail(wc, WS_PROTOCOL_ERROR, "a close frame of one byte", EPROTO);
			return;
		}
		if (hdr->len > 2 && !ws_utf8_valid(p + 2, (size_t)hdr->len - 2)) {
			fail(wc, WS_INVALID_PAYLOAD, "a close reason that is not UTF-8",
			     EPROTO);
			return;
		}
		/* §5.5.1: the peer's close is answered, then TCP ends */
		if (!wc->closing)
			(void)close_frame(
			    wc, hdr->len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : WS_NORMAL,
			    NULL);
		conn_end(wc, 0);
		break;
	default: /* a pong: the peer is there (last_rx) */
		break;
	}
}

/* One frame read: a control frame acted on, a data frame added to its
 * message. false: the connection ended. */
static bool frame(struct ws_conn *wc, const struct ws_hdr *hdr, struct mbuf *rx)
{
	const uint8_t *p = mbuf_buf(rx);
	size_t n = (size_t)hdr->len;

	if (hdr->opcode >= WS_CLOSE) {
		control(wc, hdr, p);
		return wc->conn != NULL;
	}
	if (hdr->opcode == WS_CONT ? !wc->msg : wc->msg != NULL) {
		fail(wc, WS_PROTOCOL_ERROR,
		     wc->msg ? "a new message inside a fragmented one"
			     : "a continuation with no message to continue",
		     EPROTO);
		return false;
	}
	if (hdr->fin && hdr->opcode != WS_CONT) {
		struct mbuf one = {.buf = (uint8_t *)p, .size = n, .pos = 0, .end = n};

		message(wc, hdr->opcode, &one);
		return wc->conn != NULL;
	}
	if (!wc->msg) {
		wc->msg = mbuf_alloc(n ? n : 64);
		wc->msg_op = hdr->opcode;
		if (!wc->msg) {
			fail(wc, WS_INTERNAL_ERROR, "out of memory", ENOMEM);
			return false;
		}
	}
	if (wc->msg->end + n > wc->max_msg) {
		fail(wc, WS_MESSAGE_TOO_BIG, "the message is over the limit", EMSGSIZE);
		return false;
	}
	if (mbuf_write_mem(wc->msg, p, n)) {
		fail(wc, WS_INTERNAL_ERROR, "out of memory", ENOMEM);
		return false;
	}
	if (hdr->fin) {
		struct mbuf *m = wc->msg;

		wc->msg = NULL;
		m->pos = 0;
		message(wc, wc->msg_op, m);
		mem_deref(m);
	}
	return wc->conn != NULL;
}

static void recv_h(struct mbuf *mb, void *arg)
{
	struct ws_conn *wc = arg;
	int err = 0;

	wc->last_rx = clock_mono_ms();
	if (!wc->rx) {
		wc->rx = mbuf_alloc(mbuf_get_left(mb));
		if (!wc->rx) {
			conn_end(wc, ENOMEM);
			return;
		}
	}
	wc->rx->pos = wc->rx->end;
	if (mbuf_write_mem(wc->rx, mbuf_buf(mb), mbuf_get_left(mb))) {
		conn_end(wc, ENOMEM);
		return;
	}
	wc->rx->pos = 0;
	/* the user may drop wc from a handler */
	mem_ref(wc);
	while (wc->conn && wc->rx) {
		struct ws_hdr hdr;

		err = ws_frame_decode(&hdr, wc->rx, wc->max_msg);
		if (err == ENODATA) {
			err = 0;
			break;
		}
		if (err == EMSGSIZE) {
			fail(wc, WS_MESSAGE_TOO_BIG, "the message is over the limit",
			     err);
			break;
		}
		if (err) {
			fail(wc, WS_PROTOCOL_ERROR,
			     err == EPROTO ? "a client frame must be masked"
					   : "a bad frame",
			     err);
			break;
		}
		{
			struct mbuf *rx = mem_ref(wc->rx);
			bool on = frame(wc, &hdr, rx);

			rx->pos += (size_t)hdr.len;
			mem_deref(rx);
			if (!on)
				break;
		}
	}
	if (wc->rx) {
		/* what is left (a frame's start) moves to the buffer's head */
		size_t left = mbuf_get_left(wc->rx);

		if (!left) {
			wc->rx = mem_deref(wc->rx);
		} else if (wc->rx->pos) {
			memmove(wc->rx->buf, mbuf_buf(wc->rx), left);
			wc->rx->pos = 0;
			wc->rx->end = left;
		}
	}
	mem_deref(wc);
}

static void close_h(int err, void *arg)
{
	struct ws_conn *wc = arg;
	ws_close_h *closeh = wc->closeh;

	/* the HTTP connection is gone (its reference ours still) */
	wc->closeh = NULL;
	wc->recvh = NULL;
	ping_unqueue(wc);
	wc->conn = mem_deref(wc->conn);
	if (closeh)
		closeh(err ? err : ECONNRESET, wc->arg);
}

/* The connections whose ping is due: a peer silent for three pings is
 * gone (closed, its user told), the others pinged and queued again. */
static void ping_tick(void *arg)
{
	uint64_t now = clock_mono_ms();
	struct le *le;

	(void)arg;
	while ((le = list_head(&pingq))) {
		struct ws_conn *wc = le->data;

		/* due before the next tick is nearer: pinged now */
		if (wc->ping_due > now + PING_TICK_MS / 2)
			break;
		if (now - wc->last_rx > 3ULL * wc->ping_ms) {
			/* conn_end takes it out of pingq before its user
			 * hears of it */
			fail(wc, WS_GOING_AWAY, "no answer to pings", ETIMEDOUT);
			continue;
		}
		ping_queue(wc, now);
		if (!wc->closing)
			(void)frame_send(wc, WS_PING, NULL, 0);
	}
	if (list_head(&pingq))
		tmr_start(&ping_tmr, PING_TICK_MS, ping_tick, NULL);
}

static void ws_destructor(void *arg)
{
	struct ws_conn *wc = arg;

	wc->closeh = NULL;
	conn_drop(wc);
}

/* Sec-WebSocket-Accept (RFC 6455 §4.2.2): base64 of the SHA-1 of the
 * key and the protocol's GUID. */
static int accept_key(char *out, size_t sz, const struct pl *key)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t in[64 + sizeof(guid)], md[SHA_DIGEST_LENGTH];
	size_t olen = sz - 1;
	int err;

	if (key->l > 64)
		return EBADMSG;
	memcpy(in, key->p, key->l);
	memcpy(in + key->l, guid, sizeof(guid) - 1);
	SHA1(in, key->l + sizeof(guid) - 1, md);
	err = base64_encode(md, sizeof(md), out, &olen);
	if (!err)
		out[olen] = '\0';
	return err;
}

int ws_accept(struct ws_conn **wcp, struct httpd_conn *conn, const struct http_msg *msg,
	      ws_recv_h *recvh, ws_close_h *closeh, void *arg)
{
	return ws_accept_proto(wcp, conn, msg, NULL, recvh, closeh, arg);
}

int ws_accept_proto(struct ws_conn **wcp, struct httpd_conn *conn,
		    const struct http_msg *msg, const char *proto, ws_recv_h *recvh,
		    ws_close_h *closeh, void *arg)
{
	const struct http_hdr *key, *ver;
	uint8_t raw[32];
	size_t rawl = sizeof(raw);
	char acc[40];
	struct ws_conn *wc;
	int err;

	if (!wcp || !conn || !msg)
		return EINVAL;
	key = http_msg_hdr(msg, HTTP_HDR_SEC_WEBSOCKET_KEY);
	ver = http_msg_hdr(msg, HTTP_HDR_SEC_WEBSOCKET_VERSION);
	/* §4.2.1: a GET asking to upgrade, with a key of 16 random bytes */
	if (pl_strcmp(&msg->met, "GET") ||
	    !http_msg_hdr_has_value(msg, HTTP_HDR_UPGRADE, "websocket") ||
	    !http_msg_hdr_has_value(msg, HTTP_HDR_CONNECTION, "Upgrade") || !key ||
	    !ver || pl_strcmp(&ver->val, "13") || key->val.l > 40 ||
	    base64_decode(key->val.p, key->val.l, raw, &rawl) || rawl != 16)
		return EBADMSG;
	err = accept_key(acc, sizeof(acc), &key->val);
	if (err)
		return err;
	wc = mem_zalloc(sizeof(*wc), ws_destructor);
	if (!wc)
		return ENOMEM;
	wc->conn = mem_ref(conn);
	wc->peer = *httpd_conn_peer(conn);
	wc->max_msg = WS_MAX_MSG_DEFAULT;
	wc->ping_ms = WS_PING_MS_DEFAULT;
	wc->last_rx = clock_mono_ms();
	wc->recvh = recvh;
	wc->closeh = closeh;
	wc->arg = arg;
	err = httpd_reply(conn, 101, "Switching Protocols",
			  "Upgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Accept: %s\r\n"
			  "%s%s%s\r\n",
			  acc, proto ? "Sec-WebSocket-Protocol: " : "",
			  proto ? proto : "", proto ? "\r\n" : "");
	if (!err)
		err = httpd_conn_upgrade(conn, recv_h, close_h, wc);
	if (err) {
		mem_deref(wc);
		return err;
	}
	ping_queue(wc, clock_mono_ms());
	*wcp = wc;
	return 0;
}

void ws_set_limits(struct ws_conn *wc, size_t max_msg, uint32_t ping_ms)
{
	if (!wc)
		return;
	if (max_msg)
		wc->max_msg = max_msg;
	if (ping_ms) {
		wc->ping_ms = ping_ms;
		if (wc->conn)
			ping_queue(wc, clock_mono_ms());
	}
}

int ws_send(struct ws_conn *wc, enum ws_opcode opcode, const char *fmt, ...)
{
	struct mbuf *mb;
	va_list ap;
	int err;

	if (!wc || !wc->conn)
		return ENOTCONN;
	if (wc->closing)
		return EALREADY;
	mb = mbuf_alloc(256);
	if (!mb)
		return ENOMEM;
	va_start(ap, fmt);
	err = fmt ? mbuf_vprintf(mb, fmt, ap) : 0;
	va_end(ap);
	if (!err)
		err = frame_send(wc, opcode, mb->buf, mb->end);
	mem_deref(mb);
	return err;
}

int ws_send_text(struct ws_conn *wc, enum ws_opcode opcode, const char *text)
{
	if (!wc || !text)
		return EINVAL;
	if (!wc->conn)
		return ENOTCONN;
	if (wc->closing)
		return EALREADY;
	return frame_send(wc, opcode, (const uint8_t *)text, strlen(text));
}

int ws_close(struct ws_conn *wc, enum ws_scode scode, const char *fmt, ...)
{
	char reason[CTRL_MAX + 1] = "";
	va_list ap;

	if (!wc || !wc->conn)
		return ENOTCONN;
	if (wc->closing)
		return 0;
	if (fmt) {
		va_start(ap, fmt);
		(void)re_vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	return close_frame(wc, (uint16_t)scode, reason);
}

const struct sa *ws_peer(const struct ws_conn *wc)
{
	return wc ? &wc->peer : NULL;
}

struct tcp_conn *ws_tcp(const struct ws_conn *wc)
{
	return wc ? httpd_conn_tcp(wc->conn) : NULL;
}
