/*
 * srtp.c — SRTP (RFC 3711) on a media stream: every RTP packet the
 * stream sends is protected with the send key, every one it receives is
 * authenticated (and checked against the replay window) with the receive
 * key before the stream sees it. Packets that fail are dropped and
 * counted. Whoever negotiated the keys (SDES in SDP, DTLS-SRTP) hands
 * them in with media_stream_srtp; this file knows nothing of signalling.
 *
 * The cipher work is libre's (re_srtp.h: AES-CM and AES-GCM with the
 * RFC 3711 key derivation, HMAC-SHA1 tags, a 64-packet replay window),
 * already linked, built on the libcrypto we link too: no second SRTP
 * library to carry. Sending goes through a UDP helper on the stream's RTP
 * socket, so every path that sends (audio, RFC 4733 events) is protected
 * without knowing it; receiving goes through the same helper when libre
 * reads the socket (one media thread) and through media__srtp_rx when a
 * shard's thread read it.
 *
 * We send no RTCP (engine.c says why), so there is nothing to protect on
 * that side; SRTCP that a peer multiplexes on the RTP port (RFC 5761) is
 * dropped unread.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

/* Below any other helper (none today): we see what goes on the wire. */
#define SRTP_LAYER -100

struct media_srtp {
	struct srtp *tx, *rx;
	struct udp_helper *uh;
	enum media_srtp_suite suite;
	struct media_stream *s; /* weak: s owns us */
};

size_t media_srtp_key_len(enum media_srtp_suite suite)
{
	switch (suite) {
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
		return 30; /* 128-bit master key, 112-bit salt */
	case MEDIA_SRTP_AEAD_AES_128_GCM:
		return 28; /* RFC 7714 §12: 128-bit key, 96-bit salt */
	}
	return 0;
}

const char *media_srtp_suite_name(enum media_srtp_suite suite)
{
	switch (suite) {
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
		return "AES_CM_128_HMAC_SHA1_80";
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
		return "AES_CM_128_HMAC_SHA1_32";
	case MEDIA_SRTP_AEAD_AES_128_GCM:
		return "AEAD_AES_128_GCM";
	}
	return "?";
}

int media_srtp_suite_find(enum media_srtp_suite *suite, const struct pl *name)
{
	static const enum media_srtp_suite all[] = {
	    MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	    MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	    MEDIA_SRTP_AEAD_AES_128_GCM,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!pl_strcmp(name, media_srtp_suite_name(all[i]))) {
			*suite = all[i];
			return 0;
		}
	}
	return ENOTSUP;
}

static enum srtp_suite re_suite(enum media_srtp_suite suite)
{
	switch (suite) {
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
		return SRTP_AES_CM_128_HMAC_SHA1_32;
	case MEDIA_SRTP_AEAD_AES_128_GCM:
		return SRTP_AES_128_GCM;
	case MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
	default:
		return SRTP_AES_CM_128_HMAC_SHA1_80;
	}
}

static void srtp_destructor(void *arg)
{
	struct media_srtp *x = arg;

	mem_deref(x->uh); /* unlinks it from the socket */
	mem_deref(x->tx);
	mem_deref(x->rx);
}

/* RFC 5761 §4: RTCP's packet types 192-223 in the second byte. */
static bool is_rtcp(const uint8_t *p, size_t n)
{
	return n >= 2 && p[1] >= 192 && p[1] <= 223;
}

static void count_failure(struct media_stream *s)
{
	struct media *top = s->m->top ? s->m->top : s->m;

	s->srtp_failures++;
	/* shards' threads count into the top's one figure */
	__atomic_fetch_add(&top->srtp_failures, 1, __ATOMIC_RELAXED);
}

/* Unprotects the packet in mb (its whole length); false: drop it. */
static bool unprotect(struct media_stream *s, struct mbuf *mb)
{
	int err;

	if (is_rtcp(mbuf_buf(mb), mbuf_get_left(mb)))
		return false; /* we read no RTCP, secure or not */
	err = srtp_decrypt(s->srtp->rx, mb);
	if (err) {
		/* EALREADY: a replay (or a duplicate); anything else
		 * failed authentication or is no SRTP at all */
		count_failure(s);
		if (s->srtp_failures == 1 || !(s->srtp_failures % 1000))
			log_info("media: SRTP packet dropped port=%u: %s failures=%llu",
				 sa_port(rtp_local(s->rtp)),
				 err == EALREADY ? "replayed" : "authentication failed",
				 (unsigned long long)s->srtp_failures);
		return false;
	}
	return true;
}

static bool helper_send(int *err, struct sa *dst, struct mbuf *mb, void *arg)
{
	struct media_srtp *x = arg;
	size_t pos = mb->pos;

	(void)dst;
	/* In place: the tag goes after the payload (our send buffers keep
	 * room for it, see media__stream_push). */
	*err = srtp_encrypt(x->tx, mb);
	mb->pos = pos;
	return *err != 0; /* true: handled, i.e. not sent */
}

/* One media thread: libre read the socket; true consumes the packet. */
static bool helper_recv(struct sa *src, struct mbuf *mb, void *arg)
{
	struct media_srtp *x = arg;

	(void)src;
	return !unprotect(x->s, mb);
}

bool media__srtp_rx(struct media_stream *s, uint8_t *buf, size_t *len)
{
	struct mbuf mb;

	if (!s->srtp)
		return true;
	mbuf_init(&mb);
	mb.buf = buf;
	mb.size = mb.end = *len;
	if (!unprotect(s, &mb))
		return false;
	*len = mb.end;
	return true;
}

/* Swaps x in as s's SRTP (x NULL: plain RTP again). Locked. */
static int install(struct media_stream *s, struct media_srtp *x)
{
	int err = 0;

	/* a re-key (a new offer) replaces the old keys at once */
	s->srtp = mem_deref(s->srtp);
	if (x) {
		err = udp_register_helper(&x->uh, rtp_sock(s->rtp), SRTP_LAYER,
					  helper_send, helper_recv, x);
		if (!err)
			s->srtp = x;
	}
	return err;
}

static int srtp_make(struct media_srtp **xp, struct media_stream *s,
		     enum media_srtp_suite suite, const uint8_t *tx_key,
		     const uint8_t *rx_key)
{
	struct media_srtp *x;
	size_t klen = media_srtp_key_len(suite);
	int err;

	if (!s || !klen || !tx_key || !rx_key)
		return EINVAL;
	x = mem_zalloc(sizeof(*x), srtp_destructor);
	if (!x)
		return ENOMEM;
	x->suite = suite;
	x->s = s;
	err = srtp_alloc(&x->tx, re_suite(suite), tx_key, klen, 0);
	if (!err)
		err = srtp_alloc(&x->rx, re_suite(suite), rx_key, klen, 0);
	if (err)
		mem_deref(x);
	else
		*xp = x;
	return err;
}

int media__srtp_key(struct media_stream *s, enum media_srtp_suite suite,
		    const uint8_t *tx_key, const uint8_t *rx_key)
{
	struct media_srtp *x = NULL;
	int err;

	err = srtp_make(&x, s, suite, tx_key, rx_key);
	if (!err)
		err = install(s, x);
	if (err) {
		log_warn("media: cannot set SRTP up (%s): %s",
			 media_srtp_suite_name(suite), strerror(err));
		mem_deref(x);
	}
	return err;
}

int media_stream_srtp(struct media_stream *s, enum media_srtp_suite suite,
		      const uint8_t *tx_key, const uint8_t *rx_key)
{
	int err;

	if (!s)
		return EINVAL;
	media__lock(s->m);
	err = media__srtp_key(s, suite, tx_key, rx_key);
	media__unlock(s->m);
	return err;
}

void media_stream_srtp_off(struct media_stream *s)
{
	if (!s)
		return;
	media__lock(s->m);
	s->srtp = mem_deref(s->srtp);
	media__unlock(s->m);
}

bool media_stream_secure(const struct media_stream *s)
{
	return s && s->srtp;
}

uint64_t media_srtp_failures(const struct media *m)
{
	return m ? __atomic_load_n(&m->srtp_failures, __ATOMIC_RELAXED) : 0;
}
