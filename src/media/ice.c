/*
 * ice.c — ICE-lite (RFC 8445 §2.5) for a browser's media stream: we have
 * one host candidate (the media address and the stream's port) and never
 * check anything ourselves; the browser, the full agent, sends STUN
 * Binding requests (RFC 5389) to it, each answered if its USERNAME names
 * our ufrag, its MESSAGE-INTEGRITY is keyed by our password and its
 * FINGERPRINT is right; the request that carries USE-CANDIDATE says where
 * the browser's media comes from (the nominated pair, RFC 8445 §7.3.1.5).
 *
 * What a datagram on the stream's port is, is told by its first byte
 * (RFC 7983 §7): STUN 0-3, DTLS 20-63, RTP and RTCP 128-191.
 *
 * These run on the stream's shard thread (its socket is read there):
 * nothing here touches libre's loop; the STUN codec allocates with
 * libre's mem, which is plain malloc with a count.
 *
 * Not here: the SDP lines (stream.c), DTLS (dtls.c).
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

/* RFC 8445 §5.3: ice-char is ALPHA / DIGIT / "+" / "/" */
static void ice_chars(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789+/";
	uint8_t r[32];

	rand_bytes(r, n);
	for (size_t i = 0; i < n; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[n] = '\0';
}

void media_ice_init(struct media_ice *ice)
{
	memset(ice, 0, sizeof(*ice));
	/* RFC 8445 §5.3: at least 24 bits of ufrag, 128 of password */
	ice_chars(ice->ufrag, 8);
	ice_chars(ice->pwd, 24);
}

enum media_pkt media_pkt_kind(const uint8_t *p, size_t n)
{
	if (!n)
		return MEDIA_PKT_OTHER;
	if (p[0] <= 3)
		return MEDIA_PKT_STUN;
	if (p[0] >= 20 && p[0] <= 63)
		return MEDIA_PKT_DTLS;
	if (p[0] >= 128 && p[0] <= 191)
		return MEDIA_PKT_RTP;
	return MEDIA_PKT_OTHER;
}

int media_ice_check(const struct media_ice *ice, const uint8_t *p, size_t n,
		    const struct sa *src, struct mbuf *rsp, bool *use_cand)
{
	struct stun_msg *msg = NULL;
	struct stun_attr *user;
	size_t ul = strlen(ice->ufrag);
	struct mbuf *mb;
	int err;

	if (!ice || !p || !src || !rsp)
		return EINVAL;
	/* a copy: the decoded message holds a reference to its buffer */
	mb = mbuf_alloc(n);
	if (!mb)
		return ENOMEM;
	(void)mbuf_write_mem(mb, p, n);
	mb->pos = 0;
	if (stun_msg_decode(&msg, mb, NULL) ||
	    stun_msg_method(msg) != STUN_METHOD_BINDING ||
	    stun_msg_class(msg) != STUN_CLASS_REQUEST) {
		err = EBADMSG;
		goto out;
	}
	/* RFC 8445 §7.3: USERNAME is "our-ufrag:their-ufrag" */
	user = stun_msg_attr(msg, STUN_ATTR_USERNAME);
	if (!user || !user->v.username || strncmp(user->v.username, ice->ufrag, ul) ||
	    user->v.username[ul] != ':') {
		err = EACCES;
		goto out;
	}
	if (stun_msg_chk_mi(msg, (const uint8_t *)ice->pwd, strlen(ice->pwd))) {
		err = EAUTH;
		goto out;
	}
	/* RFC 8445 §7.3: a check without a good FINGERPRINT is no check */
	if (!stun_msg_attr(msg, STUN_ATTR_FINGERPRINT) || stun_msg_chk_fingerprint(msg)) {
		err = EPROTO;
		goto out;
	}
	if (use_cand)
		*use_cand = stun_msg_attr(msg, STUN_ATTR_USE_CAND) != NULL;
	err = stun_msg_encode(rsp, STUN_METHOD_BINDING, STUN_CLASS_SUCCESS_RESP,
			      stun_msg_tid(msg), NULL, (const uint8_t *)ice->pwd,
			      strlen(ice->pwd), true, 0x20, 1, STUN_ATTR_XOR_MAPPED_ADDR,
			      src);
out:
	mem_deref(msg);
	mem_deref(mb);
	return err;
}

/* --- the stream's WebRTC side ------------------------------------------- */

/* One media thread: libre reads the socket; STUN and DTLS must not reach
 * its RTP decoder (it drops them) nor SRTP (they are no SRTP). */
static bool helper_recv(struct sa *src, struct mbuf *mb, void *arg)
{
	struct media_stream *s = arg;

	return media__ice_rx(s, src, mbuf_buf(mb), mbuf_get_left(mb));
}

static bool helper_send(int *err, struct sa *dst, struct mbuf *mb, void *arg)
{
	(void)err;
	(void)dst;
	(void)mb;
	(void)arg;
	return false;
}

/* Below SRTP's helper (srtp.c, -100): we see the datagram first. */
#define ICE_LAYER -200

int media__webrtc_on(struct media_stream *s)
{
	int err = 0;

	if (s->webrtc)
		return 0;
	media_ice_init(&s->ice);
	sdp_media_del_lattr(s->sdpm, "crypto"); /* keys come from DTLS */
	err = media__dtls_alloc(s);
	if (err)
		return err;
	if (!s->m->threaded)
		err = udp_register_helper(&s->iceh, rtp_sock(s->rtp), ICE_LAYER,
					  helper_send, helper_recv, s);
	if (!err)
		s->webrtc = true;
	return err;
}

int media_stream_webrtc(struct media_stream *s)
{
	int err;

	if (!s)
		return EINVAL;
	media__lock(s->m);
	err = media__webrtc_on(s);
	media__unlock(s->m);
	return err;
}

bool media_stream_is_webrtc(const struct media_stream *s)
{
	return s && s->webrtc;
}

const char *media_stream_failure(const struct media_stream *s)
{
	return s ? s->webrtc_fail : NULL;
}

int media__ice_lattr(struct media_stream *s, bool offer)
{
	struct sa a = s->announced;
	int err;

	if (!s->webrtc)
		return 0;
	sa_set_port(&a, sa_port(rtp_local(s->rtp)));
	err = sdp_session_set_lattr(s->sdp, true, "ice-lite", NULL);
	err |= sdp_media_set_lattr(s->sdpm, true, "ice-ufrag", "%s", s->ice.ufrag);
	err |= sdp_media_set_lattr(s->sdpm, true, "ice-pwd", "%s", s->ice.pwd);
	/* RFC 8445 §5.1.2: a host candidate's priority, component 1 (RTP;
	 * with rtcp-mux there is no 2) */
	err |= sdp_media_set_lattr(s->sdpm, true, "candidate",
				   "1 1 UDP 2130706431 %j %u typ host", &a, sa_port(&a));
	err |= sdp_media_set_lattr(s->sdpm, true, "rtcp-mux", NULL);
	err |= sdp_media_set_lattr(s->sdpm, true, "fingerprint", "sha-256 %s",
				   media_dtls_fingerprint());
	/* RFC 5763 §5: we offer actpass and answer passive: the browser is
	 * the DTLS client either way */
	err |= sdp_media_set_lattr(s->sdpm, true, "setup", offer ? "actpass" : "passive");
	if (offer)
		err |= sdp_media_set_lattr(s->sdpm, true, "mid", "0");
	else {
		const char *mid = sdp_media_rattr(s->sdpm, "mid");

		if (mid)
			err |= sdp_media_set_lattr(s->sdpm, true, "mid", "%s", mid);
	}
	return err ? ENOMEM : 0;
}

int media__ice_proto(struct media_stream *s, struct mbuf **mbp)
{
	static const char want[] = "UDP/TLS/RTP/SAVPF";
	struct mbuf *mb = *mbp, *out;
	const char *buf = (const char *)mbuf_buf(mb);
	size_t len = mbuf_get_left(mb), at, end;
	struct pl port, proto;

	if (!s->webrtc)
		return 0;
	if (re_regex(buf, len, "m=audio [0-9]+ [^ ]+ ", &port, &proto))
		return 0;
	if (!pl_strcmp(&proto, want))
		return 0;
	at = (size_t)(proto.p - buf);
	end = at + proto.l;
	out = mbuf_alloc(len + sizeof(want));
	if (!out)
		return ENOMEM;
	(void)mbuf_write_mem(out, (const uint8_t *)buf, at);
	(void)mbuf_write_str(out, want);
	(void)mbuf_write_mem(out, (const uint8_t *)buf + end, len - end);
	out->pos = 0;
	mem_deref(mb);
	*mbp = out;
	return 0;
}

/* A check from src: answered on the stream's socket, past the helpers
 * (SRTP would protect the answer). */
static void stun_rx(struct media_stream *s, const struct sa *src, const uint8_t *buf,
		    size_t len)
{
	uint8_t out[256];
	struct mbuf rsp;
	bool nominate = false;
	int fd, err;

	mbuf_init(&rsp);
	rsp.buf = out;
	rsp.size = sizeof(out);
	err = media_ice_check(&s->ice, buf, len, src, &rsp, &nominate);
	if (err) {
		log_debug("media: ICE check refused port=%u: %s",
			  sa_port(rtp_local(s->rtp)), strerror(err));
		return;
	}
	fd = udp_sock_fd(rtp_sock(s->rtp), sa_af(src));
	if (fd < 0 || sendto(fd, out, rsp.end, 0, &src->u.sa, src->len) < 0)
		return;
	if (!nominate || (s->ice.nominated && sa_cmp(&s->raddr, src, SA_ALL)))
		return;
	/* RFC 8445 §7.3.1.5: the nominated pair: media goes there once
	 * DTLS has keyed SRTP (dtls.c), never in the clear */
	sa_cpy(&s->raddr, src);
	s->ice.nominated = true;
}

bool media__ice_rx(struct media_stream *s, const struct sa *src, const uint8_t *buf,
		   size_t len)
{
	if (!s->webrtc)
		return false;
	switch (media_pkt_kind(buf, len)) {
	case MEDIA_PKT_STUN:
		stun_rx(s, src, buf, len);
		return true;
	case MEDIA_PKT_RTP:
		/* RFC 8445 §7.3.1.5: media only from the nominated address,
		 * and only once SRTP is keyed */
		return !media__dtls_keyed(s) || !sa_cmp(src, &s->raddr, SA_ALL);
	case MEDIA_PKT_DTLS:
		media__dtls_rx(s, src, buf, len);
		return true;
	default:
		return true;
	}
}
