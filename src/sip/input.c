/*
 * input.c — SIP input as RFC 3261 takes it. Every request passes here
 * once, from the registrar's listener (the first one), before any handler:
 *
 *   - a request without Via is dropped (no reply can be routed, §18.2.2);
 *   - one without Call-ID, CSeq, From or To, or whose CSeq method differs
 *     from its own, is answered 400 (§8.2.2, §8.1.1);
 *   - over UDP a body shorter than Content-Length is answered 400 and
 *     bytes past it are cut off (§18.3); over TCP libre frames messages
 *     by Content-Length already;
 *   - a request of another SIP version is answered 505 (§8.2.2): libre
 *     decodes only "SIP/2.0" and drops the rest unseen, so a helper on
 *     each UDP transport's socket reads the start line first. libre 1.1
 *     hands out no transport socket, so a socket is watched once a
 *     request came in on it; main.c sends each UDP transport a probe
 *     (sipinput_probe) so that is at start-up. Over TCP (and TLS) libre
 *     closes the connection at once instead: its stream reader
 *     (transp.c, tcp_recv_handler) takes a start line whose third word
 *     is not "SIP/2.0" for a response, finds no status code, and ends
 *     the connection with EBADMSG, before any trace or listener sees
 *     the bytes. That close is the answer a stream gives: past a start
 *     line of another version we cannot know where the message ends
 *     (its framing is that version's), so a 505 would have to guess,
 *     and nothing behind it could be trusted to start a message (§18.3
 *     frames SIP/2.0 only; RFC 3261 requires no 505, §21.5.6 only
 *     defines it). Nor can we reach it: libre 1.1 accepts SIP's TCP
 *     connections itself and hands out no socket or connection before
 *     a message decoded (sip_transp_add_sock does not exist in 1.1;
 *     sip_msg_tcpconn names one only after a SIP/2.0 message on it), so
 *     a helper in front of its reader could not see a first message.
 *     test_sip_input checks the close.
 *
 * Not here: what a well-formed request means (registrar.c, call.c).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "sip/sip.h"
#include "sip/input.h"

#define WATCH_MAX 64 /* UDP transports: one per local address */

struct watch {
	struct udp_helper *uh;
	struct udp_sock *us;
	struct sipinput *in;
};

struct sipinput {
	struct sip *sip;
	struct watch watchv[WATCH_MAX];
	size_t watchc;
};

int sipinput_verdict(const struct sip_msg *msg, size_t body, const char **reason)
{
	if (!pl_isset(&msg->via.sentby))
		return -1;
	if (!pl_isset(&msg->callid)) {
		*reason = "Missing Call-ID Header";
		return 400;
	}
	if (!pl_isset(&msg->cseq.met)) {
		*reason = "Missing CSeq Header";
		return 400;
	}
	if (!pl_isset(&msg->from.val)) {
		*reason = "Missing From Header";
		return 400;
	}
	if (!pl_isset(&msg->to.val)) {
		*reason = "Missing To Header";
		return 400;
	}
	if (pl_cmp(&msg->cseq.met, &msg->met)) {
		*reason = "CSeq Method Mismatch";
		return 400;
	}
	if (msg->clen.p) {
		const char *p = msg->clen.p;
		size_t i;

		for (i = 0; i < msg->clen.l; i++)
			if (p[i] < '0' || p[i] > '9')
				break;
		if (!msg->clen.l || i < msg->clen.l || msg->clen.l > 9) {
			*reason = "Bad Content-Length";
			return 400;
		}
		if (pl_u32(&msg->clen) > body) {
			*reason = "Body Shorter Than Content-Length";
			return 400;
		}
	}
	return 0;
}

/* The spaces of a request line and its end; false when p does not start
 * with three words on a line. */
static bool start_line(const uint8_t *p, size_t n, size_t *sp1, size_t *sp2, size_t *end)
{
	size_t e, a = 0, b = 0;

	for (e = 0; e < n && p[e] != '\r' && p[e] != '\n'; e++) {
		if (p[e] != ' ')
			continue;
		if (!a)
			a = e;
		else if (!b)
			b = e;
	}
	if (e == n || !a || !b || b == a + 1 || b + 1 == e)
		return false;
	*sp1 = a;
	*sp2 = b;
	*end = e;
	return true;
}

int sipinput_version(uint8_t *p, size_t n)
{
	size_t sp1, sp2, end, vl;

	if (!start_line(p, n, &sp1, &sp2, &end))
		return 0;
	if (sp1 >= 4 && !strncasecmp((char *)p, "SIP/", 4))
		return 0; /* a response */
	vl = end - sp2 - 1;
	if (vl < 4 || strncasecmp((char *)p + sp2 + 1, "SIP/", 4))
		return 0; /* not SIP */
	if (vl == 7 && !strncasecmp((char *)p + sp2 + 1, "SIP/2.0", 7)) {
		memcpy(p + sp2 + 1, "SIP/2.0", 7);
		return 0;
	}
	return 505;
}

/* Answers 505 from a copy of the request that names SIP/2.0, so that
 * libre's reply copies its Via, From, To, Call-ID and CSeq. */
static void reply_505(struct watch *w, const struct sa *src, struct mbuf *mb)
{
	const uint8_t *p = mbuf_buf(mb);
	size_t n = mbuf_get_left(mb), sp1, sp2, end;
	struct sip_msg *msg = NULL;
	struct mbuf *copy;
	char a[64];

	if (!start_line(p, n, &sp1, &sp2, &end))
		return;
	copy = mbuf_alloc(n + 8);
	if (!copy)
		return;
	(void)mbuf_write_mem(copy, p, sp2);
	(void)mbuf_write_str(copy, " SIP/2.0");
	(void)mbuf_write_mem(copy, p + end, n - end);
	copy->pos = 0;
	if (sip_msg_decode(&msg, copy) || !pl_isset(&msg->via.sentby))
		goto out;
	msg->sock = mem_ref(w->us);
	msg->src = *src;
	(void)udp_local_get(w->us, &msg->dst);
	msg->tp = SIP_TRANSP_UDP;
	(void)re_snprintf(a, sizeof(a), "%J", src);
	log_info("sip: request refused src=%s code=505 reason=\"another SIP version\"",
		 a);
	(void)sip_reply(w->in->sip, msg, 505, "Version Not Supported");
out:
	mem_deref(msg);
	mem_deref(copy);
}

static bool udp_recv(struct sa *src, struct mbuf *mb, void *arg)
{
	struct watch *w = arg;

	if (sipinput_version(mbuf_buf(mb), mbuf_get_left(mb)) != 505)
		return false;
	reply_505(w, src, mb);
	return true; /* consumed: libre would drop it unseen */
}

/*
 * The kernel's default receive buffer (net.core.rmem_default, 208 KB)
 * holds only ~170 SIP datagrams (each costs its length plus ~1 KB of
 * overhead). A burst of calls while the loop is busy for 100-200 ms
 * (a tenant applied, a flush) overflowed it: the kernel dropped ACKs and
 * BYEs, we retransmitted our 2xx for 32 s and the caller, which had hung
 * up, saw no answer to its BYE (bench/overload.sh at 800 calls/s). Raised
 * past rmem_max when we may (SO_RCVBUFFORCE needs CAP_NET_ADMIN), else
 * to rmem_max.
 */
#define SIP_UDP_RCVBUF (8 * 1024 * 1024)

static void udp_rcvbuf_raise(struct udp_sock *us)
{
	int fd = udp_sock_fd(us, AF_UNSPEC), size = SIP_UDP_RCVBUF, got = 0;
	socklen_t len = sizeof(got);

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* the kernel reports twice what it was asked (its overhead) */
	if (!getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) && got < size)
		log_info("sip: udp receive buffer %d KB (net.core.rmem_max): a burst of "
			 "requests while the loop is busy may be dropped",
			 got / 2048);
}

static void watch_udp(struct sipinput *in, struct udp_sock *us)
{
	struct watch *w;

	for (size_t i = 0; i < in->watchc; i++)
		if (in->watchv[i].us == us)
			return;
	udp_rcvbuf_raise(us);
	if (in->watchc == WATCH_MAX)
		return;
	w = &in->watchv[in->watchc];
	w->us = us;
	w->in = in;
	if (udp_register_helper(&w->uh, us, 0, NULL, udp_recv, w))
		return;
	in->watchc++;
}

bool sipinput_reject(struct sipinput *in, const struct sip_msg *msg)
{
	size_t body = mbuf_get_left(msg->mb);
	const char *reason = "";
	char a[64];
	int v;

	if (msg->tp == SIP_TRANSP_UDP && msg->sock)
		watch_udp(in, msg->sock);
	if (!pl_strcmp(&msg->callid, SIPINPUT_PROBE_CALLID))
		return true;
	v = sipinput_verdict(msg, body, &reason);
	if (v)
		(void)re_snprintf(a, sizeof(a), "%J", &msg->src);
	if (v < 0) {
		log_debug("sip: request without Via dropped src=%s", a);
		return true;
	}
	if (v) {
		log_info("sip: request refused src=%s code=%d reason=\"%s\"", a, v,
			 reason);
		(void)sip_reply(in->sip, msg, (uint16_t)v, reason);
		return true;
	}
	/* RFC 3261 §18.3: bytes of a datagram past Content-Length are not
	 * the body */
	if (msg->clen.p && pl_u32(&msg->clen) < body)
		msg->mb->end = msg->mb->pos + pl_u32(&msg->clen);
	return false;
}

static void sipinput_destructor(void *arg)
{
	struct sipinput *in = arg;

	for (size_t i = 0; i < in->watchc; i++)
		mem_deref(in->watchv[i].uh);
}

int sipinput_alloc(struct sipinput **inp, struct sip *sip)
{
	struct sipinput *in;

	if (!inp || !sip)
		return EINVAL;
	in = mem_zalloc(sizeof(*in), sipinput_destructor);
	if (!in)
		return ENOMEM;
	in->sip = sip;
	*inp = in;
	return 0;
}

int sipinput_probe(const struct sa *laddr)
{
	char buf[512];
	struct sa dst = *laddr;
	int fd, n, err = 0;

	if (sa_is_any(&dst))
		return EINVAL;
	fd = socket(sa_af(&dst), SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	n = re_snprintf(buf, sizeof(buf),
			"OPTIONS sip:%J SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %J;branch=z9hG4bK%08x;rport\r\n"
			"From: <sip:probe@%J>;tag=%08x\r\n"
			"To: <sip:probe@%J>\r\n"
			"Call-ID: " SIPINPUT_PROBE_CALLID "\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Max-Forwards: 0\r\n"
			"Content-Length: 0\r\n\r\n",
			&dst, &dst, rand_u32(), &dst, rand_u32(), &dst);
	if (n <= 0 || sendto(fd, buf, (size_t)n, 0, &dst.u.sa, dst.len) < 0)
		err = n <= 0 ? ENOMEM : errno;
	close(fd);
	return err;
}
