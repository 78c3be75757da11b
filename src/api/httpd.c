/*
 * httpd.c — Hotline's HTTP/1.1 server (see httpd.h). libre's own server
 * buffers a request whole, drops the connection past 512 KiB before a
 * handler sees it, reads no chunked body and hands every pipelined
 * request to the handler at once; this one reads by the limits the API
 * sets and one request at a time.
 *
 * A connection is READ (waiting for a request), BUSY (one handed out, its
 * answer not sent), UPGRADED (a WebSocket's), CLOSING (the answer going
 * out) or LINGER (our side shut, the peer's bytes read and dropped until
 * it closes or linger_ms pass: closing a socket with unread data sends a
 * reset, which can destroy the answer before the peer reads it).
 *
 * With httpd_tls the listener speaks HTTPS: each accepted connection gets
 * libre's TLS layer on its TCP connection (tls_start_tcp), below all of
 * the above, so requests, answers and upgraded WebSockets (wss) read and
 * write clear text here as they do without it.
 *
 * The reader itself is httpd_read.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_http.h>
#include <re_srtp.h>
#include <re_tls.h>
#include "core/core.h"
#include "core/tlsfile.h"
#include "api/httpd.h"
#include "api/httpd_int.h"

#define BUSY_SLACK    (64 * 1024)  /* read ahead while a request is answered */
#define LINGER_MAX    4		   /* linger_ms at most this many times over */
#define BUSY_MS	      300000	   /* for a request's answer */
#define REPARSE_BYTES 4096	   /* a chunked body is parsed again past this */
#define TXQ_DEFAULT   (512 * 1024) /* libre 1.1 TCP_TXQSZ_DEFAULT */
#define BODY_TIMES    10	   /* a large body's time: body_ms times this at most */

enum conn_state { C_READ, C_BUSY, C_UPGRADED, C_CLOSING, C_LINGER };

struct httpd {
	struct tcp_sock *ts;
	struct tls *tls; /* HTTPS: every connection's TLS context, or NULL */
	struct list conns;
	uint32_t connc;
	struct httpd_limits lim;
	httpd_req_h *reqh;
	httpd_refuse_h *refuseh;
	void *arg;
	uint64_t refused_at; /* last "too many connections" line */
};

struct httpd_conn {
	struct le le;
	struct httpd *h; /* NULL once the connection is out of the server */
	struct tcp_conn *tc;
	struct tls_conn *tls; /* the TLS layer on tc (HTTPS), before it */
	struct sa peer;
	struct mbuf *mb; /* received, not yet read as a request */
	struct tmr tmr;	 /* the timeout of the current state */
	struct tmr next; /* reads the next request, out of the answer's stack */
	enum conn_state state;
	int phase;	 /* READ: 0 nothing yet, 1 a head coming, 2 a body */
	bool chunked;	 /* the body coming is */
	size_t need;	 /* the bytes a Content-Length request takes */
	size_t max_body; /* the body the request being read may have */
	size_t parsed;	 /* bytes there at the last parse */
	bool keep;	 /* the request in hand lets the connection live on */
	bool v10;	 /* and is HTTP/1.0 */
	bool continued;	 /* 100 Continue sent for the request in hand */
	uint64_t linger_end;
	httpd_send_h *sendh;
	void *sarg;
	httpd_recv_h *recvh;
	httpd_close_h *closeh;
	void *uarg;
	void *data;
};

/* --- connections ------------------------------------------------------------ */

static void conn_destructor(void *arg)
{
	struct httpd_conn *c = arg;

	tmr_cancel(&c->tmr);
	tmr_cancel(&c->next);
	mem_deref(c->tls);
	mem_deref(c->tc);
	mem_deref(c->mb);
	mem_deref(c->data);
}

/* The connection is over: out of the server, its socket closed. An
 * upgraded one's user hears of it (once), unless it closed it itself. */
static void conn_end(struct httpd_conn *c, int err)
{
	httpd_close_h *closeh = c->closeh;

	if (!c->h)
		return;
	c->closeh = NULL;
	c->recvh = NULL;
	c->sendh = NULL;
	list_unlink(&c->le);
	c->h->connc--;
	c->h = NULL;
	tmr_cancel(&c->tmr);
	tmr_cancel(&c->next);
	c->tls = mem_deref(c->tls);
	c->tc = mem_deref(c->tc);
	c->mb = mem_deref(c->mb);
	if (closeh)
		closeh(err, c->uarg);
	mem_deref(c); /* the server's reference */
}

static void timeout_h(void *arg)
{
	struct httpd_conn *c = arg;

	if (c->state == C_READ && c->phase) {
		char peer[64];

		re_snprintf(peer, sizeof(peer), "%J", &c->peer);
		log_debug("api: http request not complete in time peer=%s", peer);
	}
	conn_end(c, ETIMEDOUT);
}

static void linger_h(void *arg)
{
	conn_end(arg, 0);
}

/* Our side is done: FIN after what is queued, and the peer's last bytes
 * read and dropped until it closes too. */
static void linger_start(struct httpd_conn *c)
{
	uint64_t now = clock_mono_ms();

	c->state = C_LINGER;
	(void)tcp_set_send(c->tc, NULL);
	(void)shutdown(tcp_conn_fd(c->tc), SHUT_WR);
	c->mb = mem_deref(c->mb);
	c->linger_end = now + (uint64_t)c->h->lim.linger_ms * LINGER_MAX;
	tmr_start(&c->tmr, c->h->lim.linger_ms, linger_h, c);
}

static void send_h(void *arg)
{
	struct httpd_conn *c = arg;

	if (c->sendh) {
		mem_ref(c);
		c->sendh(c->sarg);
		mem_deref(c);
		return;
	}
	(void)tcp_set_send(c->tc, NULL);
	if (c->state == C_CLOSING && c->tc)
		linger_start(c);
}

void httpd_conn_close(struct httpd_conn *c)
{
	if (!c)
		return;
	c->sendh = NULL;
	c->recvh = NULL;
	c->closeh = NULL;
	if (!c->h || !c->tc || c->state == C_LINGER)
		return;
	c->state = C_CLOSING;
	tmr_cancel(&c->next);
	/* an answer that never goes out ends the connection anyway */
	tmr_start(&c->tmr, c->h->lim.idle_ms, timeout_h, c);
	if (!tcp_conn_txqsz(c->tc))
		linger_start(c);
	else if (tcp_set_send(c->tc, send_h))
		conn_end(c, EIO);
}

static void read_next(struct httpd_conn *c);

static void next_h(void *arg)
{
	struct httpd_conn *c = arg;

	if (c->state == C_UPGRADED) {
		struct mbuf *mb = c->mb;

		c->mb = NULL;
		mem_ref(c);
		if (mb && mbuf_get_left(mb) && c->recvh)
			c->recvh(mb, c->uarg);
		mem_deref(mb);
		mem_deref(c);
		return;
	}
	read_next(c);
}

/* Reads the next request out of what was received, if it is whole. */
static void read_next(struct httpd_conn *c)
{
	struct httpd *h = c->h;
	struct http_msg *msg = NULL;
	uint16_t scode = 0;
	struct httpd__parse_info info;
	bool expect100;
	enum httpd_parse r;

	if (!h || c->state != C_READ)
		return;
	if (!c->mb || !mbuf_get_left(c->mb)) {
		c->mb = mem_deref(c->mb);
		c->phase = 0;
		tmr_start(&c->tmr, h->lim.idle_ms, timeout_h, c);
		return;
	}
	r = httpd__parse(c->mb, &h->lim, &msg, &scode, &expect100, &info);
	if (r == HTTPD_MORE) {
		/* a request's head, then its body, must come in time: a
		 * slowloris holds a connection for head_ms at most */
		if (c->phase == 0) {
			c->phase = 1;
			tmr_start(&c->tmr, h->lim.head_ms, timeout_h, c);
		}
		if (info.head_done && c->phase == 1) {
			/* a route that takes more than the default body has
			 * more time for it, at most BODY_TIMES body_ms: a
			 * slow sender holds a connection that long, no more */
			size_t times =
			    h->lim.max_body ? info.max_body / h->lim.max_body : 1;

			times = times < 1 ? 1 : times > BODY_TIMES ? BODY_TIMES : times;
			c->phase = 2;
			tmr_start(&c->tmr, (uint64_t)h->lim.body_ms * times, timeout_h,
				  c);
		}
		c->chunked = info.chunked;
		c->need = info.need;
		c->max_body = info.max_body;
		c->parsed = mbuf_get_left(c->mb);
		if (expect100 && !c->continued) {
			c->continued = true;
			(void)httpd_reply(c, 100, "Continue", "\r\n");
		}
		return;
	}
	/* an answer that never comes (a handler's bug) frees the
	 * connection in the end */
	tmr_start(&c->tmr, BUSY_MS, timeout_h, c);
	c->state = C_BUSY;
	c->phase = 0;
	c->continued = false;
	if (mbuf_get_left(c->mb) == 0)
		c->mb = mem_deref(c->mb);
	mem_ref(c);
	if (r == HTTPD_REFUSED) {
		c->keep = false;
		log_debug("api: http request refused status=%u", scode);
		h->refuseh(c, msg, scode, h->arg);
	} else {
		const struct http_hdr *conn = http_msg_hdr(msg, HTTP_HDR_CONNECTION);

		/* RFC 9112 §9.3: 1.1 persists unless closed, 1.0 only when
		 * asked to */
		c->v10 = !pl_strcmp(&msg->ver, "1.0");
		if (c->v10)
			c->keep = conn && http_msg_hdr_has_value(msg, HTTP_HDR_CONNECTION,
								 "keep-alive");
		else
			c->keep =
			    !http_msg_hdr_has_value(msg, HTTP_HDR_CONNECTION, "close");
		h->reqh(c, msg, h->arg);
	}
	mem_deref(msg);
	mem_deref(c);
}

/*
 * Can the bytes that came (nb, n) finish the request being read? A head
 * ends at a line feed, a body by Content-Length when all is there, a
 * chunked one at an empty line (or is parsed every REPARSE_BYTES for
 * its sizes): a peer sending a byte at a time does not get its whole
 * request parsed again for each.
 */
static bool worth_parsing(const struct httpd_conn *c, const uint8_t *nb, size_t n)
{
	size_t left = mbuf_get_left(c->mb);
	const uint8_t *end = mbuf_buf(c->mb) + left;

	if (c->phase < 2)
		return memchr(nb, '\n', n) || left > c->h->lim.max_head;
	if (!c->chunked)
		return left >= c->need;
	return left - c->parsed >= REPARSE_BYTES || left > CHUNKED_RAW_MAX(c->max_body) ||
	       (left >= 2 && end[-1] == '\n' &&
		(end[-2] == '\n' || (left >= 3 && end[-2] == '\r' && end[-3] == '\n')));
}

static void recv_h(struct mbuf *mb, void *arg)
{
	struct httpd_conn *c = arg;
	size_t left;

	if (!c->h)
		return;
	switch (c->state) {
	case C_LINGER:
		if (clock_mono_ms() < c->linger_end)
			tmr_start(&c->tmr, c->h->lim.linger_ms, linger_h, c);
		return;
	case C_CLOSING:
		return;
	case C_UPGRADED:
		if (c->mb) { /* bytes before the upgrade go first */
			if (mbuf_write_mem(c->mb, mbuf_buf(mb), mbuf_get_left(mb)))
				conn_end(c, ENOMEM);
			return;
		}
		if (c->recvh) {
			mem_ref(c);
			c->recvh(mb, c->uarg);
			mem_deref(c);
		}
		return;
	default:
		break;
	}
	if (!c->mb) {
		c->mb = mbuf_alloc(mbuf_get_left(mb));
		if (!c->mb) {
			conn_end(c, ENOMEM);
			return;
		}
	} else if (c->mb->pos == c->mb->end) {
		mbuf_reset(c->mb);
	}
	left = mbuf_get_left(c->mb) + mbuf_get_left(mb);
	/* a client that sends on while its request is answered is held to
	 * what one request may be */
	if (c->state == C_BUSY &&
	    left > c->h->lim.max_head + c->h->lim.max_body + BUSY_SLACK) {
		conn_end(c, EOVERFLOW);
		return;
	}
	{
		size_t pos = c->mb->pos;

		c->mb->pos = c->mb->end;
		if (mbuf_write_mem(c->mb, mbuf_buf(mb), mbuf_get_left(mb))) {
			conn_end(c, ENOMEM);
			return;
		}
		c->mb->pos = pos;
	}
	/* a long buffer already read from is moved to its start */
	if (c->mb->pos > 65536 && c->mb->pos * 2 > c->mb->end) {
		size_t n = mbuf_get_left(c->mb);

		memmove(c->mb->buf, mbuf_buf(c->mb), n);
		c->mb->pos = 0;
		c->mb->end = n;
	}
	if (c->state != C_READ)
		return;
	if (!worth_parsing(c, mbuf_buf(mb), mbuf_get_left(mb))) {
		if (c->phase == 0) { /* the head's clock starts */
			c->phase = 1;
			tmr_start(&c->tmr, c->h->lim.head_ms, timeout_h, c);
		}
		return;
	}
	read_next(c);
}

static void close_h(int err, void *arg)
{
	conn_end(arg, err);
}

static void connect_h(const struct sa *peer, void *arg)
{
	struct httpd *h = arg;
	struct httpd_conn *c;

	if (h->connc >= h->lim.max_conns) {
		uint64_t now = clock_mono_ms();

		if (now - h->refused_at > 1000) {
			char addr[64];

			re_snprintf(addr, sizeof(addr), "%J", peer);
			log_warn("api: http connections at the limit (%u): refusing %s",
				 h->lim.max_conns, addr);
			h->refused_at = now;
		}
		tcp_reject(h->ts);
		return;
	}
	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c) {
		tcp_reject(h->ts);
		return;
	}
	c->peer = *peer;
	tmr_init(&c->tmr);
	tmr_init(&c->next);
	if (tcp_accept(&c->tc, h->ts, NULL, recv_h, close_h, c)) {
		mem_deref(c);
		tcp_reject(h->ts);
		return;
	}
	/* HTTPS: the handshake runs on the first bytes; a peer that speaks
	 * no TLS fails it and the connection closes */
	if (h->tls && tls_start_tcp(&c->tls, h->tls, c->tc, 0)) {
		mem_deref(c);
		return;
	}
	c->h = h;
	c->state = C_READ;
	list_append(&h->conns, &c->le, c);
	h->connc++;
	/* a connection that sends nothing ends as a slow head would */
	tmr_start(&c->tmr, h->lim.head_ms, timeout_h, c);
}

/* Do the header lines hdr (up to the blank line) say Connection: close? */
static bool says_close(const char *hdr, size_t n)
{
	static const char key[] = "connection:";
	const char *p = hdr, *end = hdr + n;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (l == 0 || (l == 1 && *p == '\r'))
			return false; /* the blank line: the body follows */
		if (l > sizeof(key) - 1 && !strncasecmp(p, key, sizeof(key) - 1)) {
			const char *v = p + sizeof(key) - 1;

			while (v < p + l && (*v == ' ' || *v == '\t'))
				v++;
			if ((size_t)(p + l - v) >= 5 && !strncasecmp(v, "close", 5))
				return true;
		}
		p += l + 1;
	}
	return false;
}

int httpd_reply(struct httpd_conn *c, uint16_t scode, const char *reason, const char *fmt,
		...)
{
	struct mbuf *rest, *mb;
	bool final = scode >= 200, said;
	va_list ap;
	int err;

	if (!c || !c->tc || !c->h)
		return ENOTCONN;
	if (final ? c->state != C_BUSY : c->state != C_BUSY && c->state != C_READ)
		return EALREADY;
	rest = mbuf_alloc(512);
	mb = mbuf_alloc(1024);
	if (!rest || !mb) {
		err = ENOMEM;
		goto out;
	}
	va_start(ap, fmt);
	err = mbuf_vprintf(rest, fmt, ap);
	va_end(ap);
	if (err)
		goto out;
	said = says_close((const char *)rest->buf, rest->end);
	if (final && said)
		c->keep = false;
	err = mbuf_printf(mb, "HTTP/1.1 %u %s\r\n", scode, reason);
	/* the peer learns the connection ends here (RFC 9112 §9.6) */
	if (!err && final && !c->keep && !said)
		err = mbuf_write_str(mb, "Connection: close\r\n");
	/* RFC 9112 §9.3: a 1.0 client keeps it only when told so */
	else if (!err && final && c->keep && c->v10)
		err = mbuf_write_str(mb, "Connection: keep-alive\r\n");
	if (!err)
		err = mbuf_write_mem(mb, rest->buf, rest->end);
	if (err)
		goto out;
	mb->pos = 0;
	/* libre queues what the socket does not take at once, up to 512 KiB:
	 * an answer is built whole already, so one of any size may wait there
	 * when nothing waits before it; a peer that asks and never reads
	 * still fills the queue and is dropped (below) */
	if (!tcp_conn_txqsz(c->tc) && mb->end > TXQ_DEFAULT)
		tcp_conn_txqsz_set(c->tc, mb->end);
	err = tcp_send(c->tc, mb);
	if (err) {
		/* a peer that reads nothing while it asks (its queue full) or
		 * a broken socket: the answer cannot follow, nor anything */
		if (final)
			conn_end(c, err);
		goto out;
	}
	if (!final)
		goto out;
	if (!c->keep) {
		/* a streamed body goes on until its sender closes */
		if (!c->sendh) {
			httpd_conn_close(c);
		} else {
			c->state = C_CLOSING;
			tmr_cancel(&c->tmr); /* a download takes its time */
		}
		goto out;
	}
	c->state = C_READ;
	tmr_start(&c->next, 0, next_h, c);
out:
	mem_deref(rest);
	mem_deref(mb);
	return err;
}

int httpd_send(struct httpd_conn *c, struct mbuf *mb)
{
	if (!c || !c->tc || !c->h)
		return ENOTCONN;
	return tcp_send(c->tc, mb);
}

struct tcp_conn *httpd_conn_tcp(const struct httpd_conn *c)
{
	return c && c->h ? c->tc : NULL;
}

const struct sa *httpd_conn_peer(const struct httpd_conn *c)
{
	return c ? &c->peer : NULL;
}

int httpd_conn_stream(struct httpd_conn *c, httpd_send_h *sendh, void *arg)
{
	if (!c || !c->tc || !c->h)
		return ENOTCONN;
	c->sendh = sendh;
	c->sarg = arg;
	if (!sendh && c->state == C_CLOSING)
		return tcp_set_send(c->tc, send_h); /* the close goes on */
	return tcp_set_send(c->tc, sendh ? send_h : NULL);
}

int httpd_conn_upgrade(struct httpd_conn *c, httpd_recv_h *recvh, httpd_close_h *closeh,
		       void *arg)
{
	if (!c || !c->tc || !c->h)
		return ENOTCONN;
	if (c->state != C_BUSY)
		return EALREADY;
	c->state = C_UPGRADED;
	c->recvh = recvh;
	c->closeh = closeh;
	c->uarg = arg;
	tmr_cancel(&c->tmr);
	/* what came behind the request is the new protocol's: handed over
	 * once the caller has its connection object */
	if (c->mb && mbuf_get_left(c->mb))
		tmr_start(&c->next, 0, next_h, c);
	else
		c->mb = mem_deref(c->mb);
	return 0;
}

void httpd_conn_set_data(struct httpd_conn *c, void *data)
{
	if (!c)
		return;
	mem_deref(c->data);
	c->data = mem_ref(data);
}

void *httpd_conn_data(const struct httpd_conn *c)
{
	return c ? c->data : NULL;
}

/* --- the server --------------------------------------------------------------- */

static void httpd_destructor(void *arg)
{
	struct httpd *h = arg;
	struct le *le;

	/* at the end nobody is told: the users go with the server */
	while ((le = list_head(&h->conns))) {
		struct httpd_conn *c = le->data;

		c->closeh = NULL;
		conn_end(c, ECONNABORTED);
	}
	mem_deref(h->ts);
	mem_deref(h->tls);
}

int httpd_alloc(struct httpd **hp, const struct sa *laddr, const struct httpd_limits *lim,
		httpd_req_h *reqh, httpd_refuse_h *refuseh, void *arg)
{
	struct httpd *h;
	int err;

	if (!hp || !laddr || !lim || !reqh || !refuseh)
		return EINVAL;
	h = mem_zalloc(sizeof(*h), httpd_destructor);
	if (!h)
		return ENOMEM;
	h->lim = *lim;
	h->reqh = reqh;
	h->refuseh = refuseh;
	h->arg = arg;
	err = tcp_listen(&h->ts, laddr, connect_h, h);
	if (err) {
		mem_deref(h);
		return err;
	}
	*hp = h;
	return 0;
}

struct tcp_sock *httpd_tcp_sock(const struct httpd *h)
{
	return h ? h->ts : NULL;
}

uint32_t httpd_conn_count(const struct httpd *h)
{
	return h ? h->connc : 0;
}

/*
 * HTTPS from now on: the certificate (PEM, the chain after it) and the
 * private key (PEM) files, which the configuration's check found there
 * and the key private. EINVAL: the files are no certificate and key that
 * match (logged with the file it is about).
 */
int httpd_tls(struct httpd *h, const char *cert, const char *key)
{
	struct tls *tls = NULL;
	int err;

	if (!h || !cert || !key)
		return EINVAL;
	/* the files' being there and the key's being private are checked
	 * with the configuration (cfg_tls.c) */
	err = tlsfile_context(&tls, cert, key, "http");
	if (err)
		return err;
	mem_deref(h->tls);
	h->tls = tls;
	return 0;
}
