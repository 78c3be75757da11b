/*
 * ws_transport.c — SIP over WebSocket (RFC 7118) for browsers: GET /sip
 * on the HTTP listener with the subprotocol "sip", one SIP message per
 * frame.
 *
 * libre 1.1 cannot take a WebSocket transport into its SIP stack: it
 * accepts SIP's TCP connections itself and has no call to add a socket
 * or a transport of another kind (sip_transp_add_sock does not exist in
 * 1.1, see input.c). So each WebSocket gets its own TCP connection over
 * the loopback to our own SIP listener, and the relay here passes each
 * message across, a frame for a framed message each way. To libre the
 * browser is then a TCP phone whose connection comes from 127.0.0.1, and
 * REGISTER (digest), INVITEs to the browser, responses and BYEs go
 * through the same registrar and call code as a desk phone's. Only what
 * must change is rewritten:
 *
 *   - in a request from the browser, its top Via's transport WS or WSS
 *     becomes TCP (libre 1.1 knows no other; its replies go back on the
 *     connection they came on, whatever the Via's sent-by says);
 *   - every Contact's URI from the browser (an unroutable
 *     "sip:u@x.invalid;transport=ws", RFC 7118 §5.2) becomes
 *     "sip:u@127.0.0.1:P;transport=tcp", P the relay's own port: the
 *     registrar stores it as a TCP phone's, and libre sends an INVITE
 *     (or a BYE to the dialog's target) to it on the relay's connection,
 *     which it finds by that address;
 *   - Content-Length is set to the frame's body (RFC 7118 lets a
 *     WebSocket message go without one; libre frames TCP by it).
 *
 * On the way back a response's top Via is the browser's again (WS or
 * WSS: SIP.js and JsSIP match responses by it) and a request's URI that
 * is a rewritten Contact is the browser's own again. The cost of the
 * relay is one loopback connection and a copy per message; signalling
 * only, a few messages per call.
 *
 * Not here: the route, its Origin check (api.c); media (ICE, DTLS-SRTP
 * are the stream's).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "core/core.h"
#include "api/httpd.h"
#include "api/ws.h"
#include "sip/sip.h"

#define SIPWS_HDR_MAX  (16 * 1024) /* a header block longer is no SIP */
#define SIPWS_MSG_MAX  (64 * 1024)
#define SIPWS_CLOSE_MS 2000 /* our close frame's wait for its answer */

struct sipws {
	struct sa sipaddr; /* our SIP TCP listener */
	struct list conns; /* struct sipws_conn */
	sipws_gone_h *goneh;
	void *arg;
	uint64_t accepted;
};

struct sipws_conn {
	struct le le;
	struct sipws *s;
	struct ws_conn *wc;
	struct tcp_conn *tc;
	struct sa peer;	 /* the browser */
	struct sa local; /* our end of the loopback connection */
	char local_s[64];
	char peer_s[64];
	struct mbuf *pend; /* toward SIP, before the connection is up */
	struct mbuf *rx;   /* from SIP, not yet a whole message */
	struct tmr close;
	bool estab;
	bool closing; /* our close frame is out */
	struct sipws_map map;
};

/* Every relay of the process, for sipws_peer (one sipws per process). */
static struct list relays;

/* --- rewriting, on buffers ------------------------------------------------ */

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *s)
{
	size_t l = strlen(s);

	for (; p + l <= end; p++)
		if (!memcmp(p, s, l))
			return p;
	return NULL;
}

/* Is the header line name (up to ':', spaces around it left out) name or
 * its compact form c? */
static bool hdr_is(const struct pl *hn, const char *name, char c)
{
	return !pl_strcasecmp(hn, name) || (hn->l == 1 && (hn->p[0] | 0x20) == c);
}

/* Splits a header line into its name and its value (from the first
 * non-space after ':'); false: no ':' */
static bool hdr_split(const uint8_t *line, const uint8_t *eol, struct pl *name,
		      struct pl *val)
{
	const uint8_t *c = memchr(line, ':', (size_t)(eol - line));

	if (!c)
		return false;
	name->p = (const char *)line;
	name->l = (size_t)(c - line);
	while (name->l && (name->p[name->l - 1] == ' ' || name->p[name->l - 1] == '\t'))
		name->l--;
	for (c++; c < eol && (*c == ' ' || *c == '\t'); c++)
		;
	val->p = (const char *)c;
	val->l = (size_t)(eol - c);
	return true;
}

static void map_note(struct sipws_map *map, const char *ours, const struct pl *theirs)
{
	size_t i;

	if (theirs->l >= SIPWS_URI_MAX)
		return;
	for (i = 0; i < map->n; i++)
		if (!strcmp(map->v[i].ours, ours))
			break;
	if (i == map->n) {
		if (map->n == SIPWS_MAP_MAX) {
			/* the oldest goes: a browser has one Contact */
			memmove(&map->v[0], &map->v[1],
				sizeof(map->v[0]) * (SIPWS_MAP_MAX - 1));
			i = SIPWS_MAP_MAX - 1;
		} else {
			map->n++;
		}
		util_copy(map->v[i].ours, sizeof(map->v[i].ours), ours);
	}
	pl_strcpy(theirs, map->v[i].theirs, sizeof(map->v[i].theirs));
}

/* Writes a Contact value with its URI (sip: or sips:) toward local. */
static int contact_rewrite(struct mbuf *mb, const struct pl *val, const char *local,
			   struct sipws_map *map)
{
	const char *p = val->p, *end = val->p + val->l, *us, *ue, *at, *user, *rest;
	char ours[SIPWS_URI_MAX];
	struct pl uri, u;

	if (val->l && *p == '*')
		return mbuf_printf(mb, "Contact: %r\r\n", val);
	us = memchr(p, '<', val->l);
	if (us) {
		us++;
		ue = memchr(us, '>', (size_t)(end - us));
		if (!ue)
			return EBADMSG;
	} else {
		us = p;
		for (ue = us; ue < end && *ue != ';' && *ue != ','; ue++)
			;
	}
	rest = ue;
	/* without <>, the browser's ;transport=ws reads as the URI's */
	if (!memchr(p, '<', val->l) && end - rest > 11 &&
	    !strncasecmp(rest, ";transport=", 11))
		for (rest++; rest < end && *rest != ';' && *rest != ','; rest++)
			;
	uri.p = us;
	uri.l = (size_t)(ue - us);
	if (uri.l > 4 && !strncasecmp(us, "sip:", 4))
		user = us + 4;
	else if (uri.l > 5 && !strncasecmp(us, "sips:", 5))
		user = us + 5;
	else
		return mbuf_printf(mb, "Contact: %r\r\n", val); /* not ours to route */
	at = memchr(user, '@', (size_t)(ue - user));
	u.p = user;
	u.l = at ? (size_t)(at - user) : 0;
	if (re_snprintf(ours, sizeof(ours), "sip:%r%s%s;transport=tcp", &u,
			u.l ? "@" : "", local) < 0)
		return ENOMEM;
	map_note(map, ours, &uri);
	return mbuf_printf(mb, "Contact: %b%s%b\r\n", p, (size_t)(us - p), ours, rest,
			   (size_t)(end - rest));
}

int sipws_inbound(struct mbuf **mbp, const uint8_t *p, size_t n, const char *local,
		  struct sipws_map *map)
{
	const uint8_t *end = p + n, *hend, *body, *eol, *line;
	bool request, via_done = false;
	struct mbuf *mb;
	int err = 0;

	if (!mbp || !p || !local || !map)
		return EINVAL;
	hend = find(p, end, "\r\n\r\n");
	if (!hend || hend - p > SIPWS_HDR_MAX)
		return EBADMSG;
	body = hend + 4;
	eol = find(p, hend + 2, "\r\n");
	if (!eol || eol == p)
		return EBADMSG;
	request = !(eol - p >= 8 && !strncasecmp((const char *)p, "SIP/2.0 ", 8));
	mb = mbuf_alloc(n + 128);
	if (!mb)
		return ENOMEM;
	err = mbuf_write_mem(mb, p, (size_t)(eol + 2 - p));
	for (line = eol + 2; !err && line < hend + 2; line = eol + 2) {
		struct pl name, val;

		eol = find(line, hend + 2, "\r\n");
		if (!hdr_split(line, eol, &name, &val)) {
			err = mbuf_write_mem(mb, line, (size_t)(eol + 2 - line));
			continue;
		}
		if (hdr_is(&name, "Content-Length", 'l'))
			continue; /* written once, from the frame, below */
		if (request && !via_done && hdr_is(&name, "Via", 'v')) {
			via_done = true;
			if (val.l > 8 && !strncasecmp(val.p, "SIP/2.0/", 8)) {
				struct pl tp = {val.p + 8, 0}, rest;

				while (8 + tp.l < val.l && val.p[8 + tp.l] != ' ' &&
				       val.p[8 + tp.l] != '\t')
					tp.l++;
				if (!pl_strcasecmp(&tp, "WS") ||
				    !pl_strcasecmp(&tp, "WSS")) {
					pl_strcpy(&tp, map->tp, sizeof(map->tp));
					rest.p = tp.p + tp.l;
					rest.l = val.l - 8 - tp.l;
					err = mbuf_printf(mb, "Via: SIP/2.0/TCP%r\r\n",
							  &rest);
					continue;
				}
			}
		} else if (hdr_is(&name, "Contact", 'm')) {
			err = contact_rewrite(mb, &val, local, map);
			continue;
		}
		err = mbuf_write_mem(mb, line, (size_t)(eol + 2 - line));
	}
	if (!err)
		err =
		    mbuf_printf(mb, "Content-Length: %zu\r\n\r\n", (size_t)(end - body));
	if (!err)
		err = mbuf_write_mem(mb, body, (size_t)(end - body));
	if (err) {
		mem_deref(mb);
		return err;
	}
	mb->pos = 0;
	*mbp = mb;
	return 0;
}

int sipws_outbound(struct mbuf **mbp, const uint8_t *p, size_t n,
		   const struct sipws_map *map)
{
	const uint8_t *end = p + n, *hend, *eol, *line;
	bool response, via_done = false;
	struct mbuf *mb;
	int err;

	if (!mbp || !p || !map)
		return EINVAL;
	hend = find(p, end, "\r\n\r\n");
	if (!hend)
		return EBADMSG;
	eol = find(p, hend + 2, "\r\n");
	if (!eol || eol == p)
		return EBADMSG;
	response = eol - p >= 8 && !strncasecmp((const char *)p, "SIP/2.0 ", 8);
	mb = mbuf_alloc(n + 128);
	if (!mb)
		return ENOMEM;
	err = 0;
	if (!response) {
		/* METHOD SP Request-URI SP SIP/2.0 */
		const uint8_t *s1 = memchr(p, ' ', (size_t)(eol - p)), *s2 = NULL;
		const char *theirs = NULL;

		if (s1)
			s2 = memchr(s1 + 1, ' ', (size_t)(eol - s1 - 1));
		for (size_t i = 0; s2 && i < map->n; i++) {
			if (strlen(map->v[i].ours) == (size_t)(s2 - s1 - 1) &&
			    !memcmp(s1 + 1, map->v[i].ours, (size_t)(s2 - s1 - 1)))
				theirs = map->v[i].theirs;
		}
		if (theirs)
			err = mbuf_printf(mb, "%b %s%b\r\n", p, (size_t)(s1 - p), theirs,
					  s2, (size_t)(eol - s2));
		else
			err = mbuf_write_mem(mb, p, (size_t)(eol + 2 - p));
	} else {
		err = mbuf_write_mem(mb, p, (size_t)(eol + 2 - p));
	}
	for (line = eol + 2; !err && line < hend + 2; line = eol + 2) {
		struct pl name, val;

		eol = find(line, hend + 2, "\r\n");
		if (response && !via_done && hdr_split(line, eol, &name, &val) &&
		    hdr_is(&name, "Via", 'v')) {
			via_done = true;
			if (map->tp[0] && val.l >= 11 &&
			    !strncasecmp(val.p, "SIP/2.0/TCP", 11)) {
				err = mbuf_printf(mb, "Via: SIP/2.0/%s%b\r\n", map->tp,
						  val.p + 11, val.l - 11);
				continue;
			}
		}
		err = mbuf_write_mem(mb, line, (size_t)(eol + 2 - line));
	}
	if (!err)
		err = mbuf_write_mem(mb, hend + 2, (size_t)(end - hend - 2));
	if (err) {
		mem_deref(mb);
		return err;
	}
	mb->pos = 0;
	*mbp = mb;
	return 0;
}

int sipws_frame(const uint8_t *p, size_t n, size_t *skip, size_t *len)
{
	const uint8_t *end = p + n, *s = p, *hend, *line, *eol;
	uint64_t clen = 0;

	if (!p || !skip || !len)
		return EINVAL;
	/* RFC 5626 §4.4.1: CRLF keep-alives between messages */
	while (s < end && (*s == '\r' || *s == '\n'))
		s++;
	hend = find(s, end, "\r\n\r\n");
	if (!hend)
		return (size_t)(end - s) > SIPWS_HDR_MAX ? EBADMSG : ENODATA;
	for (line = find(s, hend + 2, "\r\n") + 2; line < hend + 2; line = eol + 2) {
		struct pl name, val;

		eol = find(line, hend + 2, "\r\n");
		if (!hdr_split(line, eol, &name, &val) ||
		    !hdr_is(&name, "Content-Length", 'l'))
			continue;
		if (!val.l || val.l > 9)
			return EBADMSG;
		for (size_t i = 0; i < val.l; i++) {
			if (val.p[i] < '0' || val.p[i] > '9') {
				if (val.p[i] == ' ' || val.p[i] == '\t')
					break;
				return EBADMSG;
			}
			clen = clen * 10 + (uint64_t)(val.p[i] - '0');
		}
	}
	if (clen > SIPWS_MSG_MAX)
		return EBADMSG;
	*skip = (size_t)(s - p);
	*len = (size_t)(hend + 4 - s) + (size_t)clen;
	return (size_t)(end - s) < *len ? ENODATA : 0;
}

/* --- the relay ------------------------------------------------------------ */

static void conn_destructor(void *arg)
{
	struct sipws_conn *c = arg;

	list_unlink(&c->le);
	tmr_cancel(&c->close);
	c->wc = mem_deref(c->wc);
	c->tc = mem_deref(c->tc);
	c->pend = mem_deref(c->pend);
	c->rx = mem_deref(c->rx);
}

/* The relay is over: the loopback connection closes (libre forgets the
 * phone's connection), and whoever watches is told which phone went. */
static void conn_end(struct sipws_conn *c, const char *why)
{
	struct sipws *s = c->s;
	char source[64];

	util_copy(source, sizeof(source), c->local_s);
	log_info("sipws: closed peer=%s source=%s reason=\"%s\"", c->peer_s, source, why);
	mem_deref(c);
	if (s->goneh && source[0])
		s->goneh(source, s->arg);
}

static void close_timeout(void *arg)
{
	conn_end(arg, "closed by us");
}

/* Ends the browser's side with a close frame, the rest when it answers
 * or after SIPWS_CLOSE_MS. */
static void conn_close(struct sipws_conn *c, enum ws_scode code, const char *why)
{
	/* the loopback connection goes with c (not here: this may run in
	 * its own handler) */
	c->closing = true;
	(void)ws_close(c->wc, code, "%s", why);
	if (!tmr_isrunning(&c->close))
		tmr_start(&c->close, SIPWS_CLOSE_MS, close_timeout, c);
}

static void ws_recv(const struct ws_hdr *hdr, struct mbuf *mb, void *arg)
{
	struct sipws_conn *c = arg;
	struct mbuf *out = NULL;
	int err;

	(void)hdr;
	if (c->closing)
		return;
	/* RFC 7118 §7: a message that is no SIP is an error of the peer */
	err = sipws_inbound(&out, mbuf_buf(mb), mbuf_get_left(mb), c->local_s, &c->map);
	if (err) {
		log_info("sipws: bad message peer=%s: %s", c->peer_s, strerror(err));
		return;
	}
	if (c->estab) {
		err = tcp_send(c->tc, out);
	} else {
		if (mbuf_get_left(c->pend) + mbuf_get_left(out) > SIPWS_MSG_MAX * 4)
			err = ENOBUFS;
		else
			err = mbuf_write_mem(c->pend, mbuf_buf(out), mbuf_get_left(out));
	}
	mem_deref(out);
	if (err)
		conn_close(c, WS_INTERNAL_ERROR, "cannot relay to SIP");
}

static void ws_closed(int err, void *arg)
{
	struct sipws_conn *c = arg;

	conn_end(c, err ? strerror(err) : "closed by the browser");
}

static void tcp_estab(void *arg)
{
	struct sipws_conn *c = arg;

	c->estab = true;
	c->pend->pos = 0; /* written up to its end: sent from its start */
	if (mbuf_get_left(c->pend) && tcp_send(c->tc, c->pend))
		conn_close(c, WS_INTERNAL_ERROR, "cannot relay to SIP");
	mbuf_reset(c->pend);
}

static void tcp_recv(struct mbuf *mb, void *arg)
{
	struct sipws_conn *c = arg;
	size_t skip, len;
	int err;

	if (c->closing)
		return;
	if (c->rx->pos == c->rx->end)
		mbuf_reset(c->rx);
	c->rx->pos = c->rx->end;
	if (mbuf_write_mem(c->rx, mbuf_buf(mb), mbuf_get_left(mb)))
		goto fail;
	c->rx->pos = 0;
	for (;;) {
		struct mbuf *out = NULL;
		const uint8_t *p;

		err = sipws_frame(mbuf_buf(c->rx), mbuf_get_left(c->rx), &skip, &len);
		if (err == ENODATA)
			break;
		if (err)
			goto fail;
		p = mbuf_buf(c->rx) + skip;
		err = sipws_outbound(&out, p, len, &c->map);
		mbuf_advance(c->rx, (ssize_t)(skip + len));
		if (err)
			goto fail;
		/* RFC 7118 §5.1: a text frame for UTF-8, else binary */
		err = ws_send(c->wc,
			      ws_utf8_valid(mbuf_buf(out), mbuf_get_left(out)) ? WS_TEXT
									       : WS_BIN,
			      "%b", mbuf_buf(out), mbuf_get_left(out));
		mem_deref(out);
		if (err)
			goto fail;
	}
	/* what is left moves to the front */
	if (c->rx->pos) {
		size_t left = mbuf_get_left(c->rx);

		memmove(c->rx->buf, mbuf_buf(c->rx), left);
		c->rx->pos = 0;
		c->rx->end = left;
	}
	return;
fail:
	conn_close(c, WS_INTERNAL_ERROR, "cannot relay from SIP");
}

static void tcp_closed(int err, void *arg)
{
	struct sipws_conn *c = arg;

	log_info("sipws: SIP side closed peer=%s: %s", c->peer_s,
		 err ? strerror(err) : "closed");
	conn_close(c, WS_GOING_AWAY, "SIP connection closed");
}

/* Did the client offer the subprotocol "sip" (RFC 7118 §4)? */
static bool offers_sip(const struct http_msg *msg)
{
	const struct http_hdr *h = http_msg_xhdr(msg, "Sec-WebSocket-Protocol");
	struct pl v, rest;

	if (!h)
		return false;
	rest = h->val;
	while (rest.l) {
		size_t n = 0;

		while (n < rest.l && rest.p[n] != ',')
			n++;
		v.p = rest.p;
		v.l = n;
		while (v.l && (*v.p == ' ' || *v.p == '\t')) {
			v.p++;
			v.l--;
		}
		while (v.l && (v.p[v.l - 1] == ' ' || v.p[v.l - 1] == '\t'))
			v.l--;
		if (!pl_strcasecmp(&v, "sip"))
			return true;
		rest.p += n;
		rest.l -= n;
		if (rest.l) {
			rest.p++;
			rest.l--;
		}
	}
	return false;
}

int sipws_accept(struct sipws *s, struct httpd_conn *conn, const struct http_msg *msg)
{
	struct sipws_conn *c;
	int err;

	if (!s || !conn || !msg)
		return EINVAL;
	if (!offers_sip(msg))
		return EPROTONOSUPPORT;
	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c)
		return ENOMEM;
	c->s = s;
	tmr_init(&c->close);
	c->peer = *httpd_conn_peer(conn);
	(void)re_snprintf(c->peer_s, sizeof(c->peer_s), "%J", &c->peer);
	c->pend = mbuf_alloc(1024);
	c->rx = mbuf_alloc(4096);
	if (!c->pend || !c->rx) {
		err = ENOMEM;
		goto out;
	}
	err = tcp_connect(&c->tc, &s->sipaddr, tcp_estab, tcp_recv, tcp_closed, c);
	if (err)
		goto out;
	/* the port is bound by connect(): Contacts name it from the start */
	err = tcp_conn_local_get(c->tc, &c->local);
	if (err)
		goto out;
	(void)re_snprintf(c->local_s, sizeof(c->local_s), "%J", &c->local);
	err = ws_accept_proto(&c->wc, conn, msg, "sip", ws_recv, ws_closed, c);
	if (err)
		goto out;
	ws_set_limits(c->wc, SIPWS_MSG_MAX, 0);
	list_append(&relays, &c->le, c);
	s->accepted++;
	log_info("sipws: opened peer=%s source=%s", c->peer_s, c->local_s);
out:
	if (err)
		mem_deref(c);
	return err;
}

bool sipws_peer(const struct sa *src, struct sa *peer)
{
	struct le *le;

	if (!src || !sa_is_loopback(src))
		return false;
	LIST_FOREACH(&relays, le)
	{
		struct sipws_conn *c = le->data;

		if (sa_cmp(&c->local, src, SA_ALL)) {
			if (peer)
				*peer = c->peer;
			return true;
		}
	}
	return false;
}

size_t sipws_count(const struct sipws *s)
{
	size_t n = 0;
	struct le *le;

	if (!s)
		return 0;
	LIST_FOREACH(&relays, le)
	{
		struct sipws_conn *c = le->data;

		n += c->s == s;
	}
	return n;
}

void sipws_watch(struct sipws *s, sipws_gone_h *h, void *arg)
{
	if (!s)
		return;
	s->goneh = h;
	s->arg = arg;
}

static void sipws_destructor(void *arg)
{
	struct sipws *s = arg;
	struct le *le = list_head(&relays);

	s->goneh = NULL;
	while (le) {
		struct sipws_conn *c = le->data;

		le = le->next;
		if (c->s == s)
			mem_deref(c);
	}
}

int sipws_alloc(struct sipws **sp, const char *sip_listen)
{
	struct sipws *s;
	struct sa a;
	int err;

	if (!sp || !sip_listen)
		return EINVAL;
	err = sa_decode(&a, sip_listen, strlen(sip_listen));
	if (err)
		return err;
	/* a listener on every address has one on the loopback too */
	if (sa_is_any(&a)) {
		uint16_t port = sa_port(&a);

		err = sa_set_str(&a, sa_af(&a) == AF_INET6 ? "::1" : "127.0.0.1", port);
		if (err)
			return err;
	}
	s = mem_zalloc(sizeof(*s), sipws_destructor);
	if (!s)
		return ENOMEM;
	s->sipaddr = a;
	*sp = s;
	return 0;
}
