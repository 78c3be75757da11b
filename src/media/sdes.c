/*
 * sdes.c — SRTP keys in SDP (SDES, RFC 4568): the a=crypto lines of a
 * stream's offers and answers, and the keys they agree handed to srtp.c.
 *
 * A stream's policy says what it does: off (no crypto lines; an offer of
 * RTP/SAVP is refused), optional (crypto offered on RTP/AVP, the way most
 * phones do "best effort" SRTP, and taken when the peer offers it; plain
 * RTP otherwise) or required (RTP/SAVP offered; an offer or answer without
 * a usable crypto line is refused: 488). Our key is random from the OS,
 * one per stream, kept across re-offers so that a hold does not re-key.
 *
 * Keys travel in the SDP in clear: only signalling over TLS keeps them
 * secret, which is why the call controller's default is SRTP on TLS only.
 */
#include <string.h>
#include <re.h>
#include <sodium.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

#define SDES_OFFER_TAG 1

/* RFC 4568 §9.1: "1*9DIGIT" */
static bool tag_ok(const struct pl *tag)
{
	if (!tag->l || tag->l > 9)
		return false;
	for (size_t i = 0; i < tag->l; i++)
		if (tag->p[i] < '0' || tag->p[i] > '9')
			return false;
	return true;
}

/* The next run of non-blank characters in *pl (advanced past it). */
static bool next_word(struct pl *pl, struct pl *w)
{
	while (pl->l && (*pl->p == ' ' || *pl->p == '\t'))
		pl_advance(pl, 1);
	w->p = pl->p;
	w->l = 0;
	while (w->l < pl->l && w->p[w->l] != ' ' && w->p[w->l] != '\t')
		w->l++;
	pl_advance(pl, w->l);
	return w->l > 0;
}

int media_sdes_parse(const char *val, size_t len, struct media_sdes *c)
{
	struct pl rest, tag, suite, params, extra, b64;
	const char *bar;
	size_t klen, n;
	uint8_t key[64];

	if (!val || !c)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	rest.p = val;
	rest.l = len;
	if (!next_word(&rest, &tag) || !next_word(&rest, &suite) ||
	    !next_word(&rest, &params) || !tag_ok(&tag))
		return EBADMSG;
	if (media_srtp_suite_find(&c->suite, &suite))
		return ENOTSUP;
	/* session parameters (UNENCRYPTED_SRTP, KDR, ...) change the
	 * transform: we do none of them, so such a line is not for us */
	if (next_word(&rest, &extra))
		return ENOTSUP;
	/* one key (several, separated by ';', are for MKIs: none here) */
	if (params.l < 7 || memcmp(params.p, "inline:", 7) ||
	    memchr(params.p, ';', params.l))
		return ENOTSUP;
	pl_advance(&params, 7);
	bar = memchr(params.p, '|', params.l);
	b64.p = params.p;
	b64.l = bar ? (size_t)(bar - params.p) : params.l;
	if (bar) {
		/* a lifetime is fine (we never send 2^31 packets); an MKI
		 * ("n:len", with a colon) is not */
		struct pl more = {bar + 1, params.l - b64.l - 1};
		if (memchr(more.p, ':', more.l))
			return ENOTSUP;
	}
	klen = media_srtp_key_len(c->suite);
	n = sizeof(key);
	if (b64.l > 2 * sizeof(key) || base64_decode(b64.p, b64.l, key, &n) || n != klen)
		return EBADMSG;
	c->tag = pl_u32(&tag);
	memcpy(c->key, key, klen);
	return 0;
}

void media_stream_srtp_policy(struct media_stream *s, enum media_srtp_policy p)
{
	if (!s)
		return;
	media__lock(s->m);
	s->srtp_policy = p;
	media__unlock(s->m);
}

enum media_srtp_policy media_srtp_policy_of(const char *name, bool *ok)
{
	bool found = true;
	enum media_srtp_policy p = MEDIA_SRTP_OFF;

	if (!str_casecmp(name, "required"))
		p = MEDIA_SRTP_REQUIRED;
	else if (!str_casecmp(name, "optional"))
		p = MEDIA_SRTP_OPTIONAL;
	else if (str_casecmp(name, "off"))
		found = false;
	if (ok)
		*ok = found;
	return p;
}

/* Our key for suite, made on first use. */
static const uint8_t *local_key(struct media_stream *s, enum media_srtp_suite suite)
{
	if (!s->sdes_local_set || s->sdes_local_suite != suite) {
		randombytes_buf(s->sdes_local, sizeof(s->sdes_local));
		s->sdes_local_suite = suite;
		s->sdes_local_set = true;
	}
	return s->sdes_local;
}

static int set_crypto_attr(struct media_stream *s, unsigned tag,
			   enum media_srtp_suite suite)
{
	char b64[64];
	size_t n = sizeof(b64) - 1;
	int err;

	err = base64_encode(local_key(s, suite), media_srtp_key_len(suite), b64, &n);
	if (err)
		return err;
	b64[n] = '\0';
	return sdp_media_set_lattr(s->sdpm, false, "crypto", "%u %s inline:%s", tag,
				   media_srtp_suite_name(suite), b64);
}

/* Keys the stream with what SDES agreed, unless it already has just
 * those keys (a re-offer: the replay window and rollover go on). */
static int sdes_key(struct media_stream *s, const struct media_sdes *c)
{
	const uint8_t *tx = local_key(s, c->suite);
	size_t klen = media_srtp_key_len(c->suite);
	int err;

	if (s->srtp && s->sdes_keyed && s->sdes_remote_suite == c->suite &&
	    !memcmp(s->sdes_remote, c->key, klen))
		return 0;
	err = media__srtp_key(s, c->suite, tx, c->key);
	if (err)
		return err;
	s->sdes_keyed = true;
	s->sdes_remote_suite = c->suite;
	memcpy(s->sdes_remote, c->key, klen);
	return 0;
}

static void sdes_plain(struct media_stream *s)
{
	if (!s->sdes_keyed)
		return; /* keys from elsewhere (DTLS-SRTP) stay */
	s->srtp = mem_deref(s->srtp);
	s->sdes_keyed = false;
}

struct pick {
	struct media_sdes c;
	bool found;
	unsigned want_tag; /* an answer: the tag we offered; 0 any */
	unsigned bad;
};

static bool pick_crypto(const char *name, const char *value, void *arg)
{
	struct pick *p = arg;
	struct media_sdes c;

	(void)name;
	if (!value || media_sdes_parse(value, strlen(value), &c)) {
		p->bad++;
		return false;
	}
	if (p->want_tag && c.tag != p->want_tag)
		return false;
	p->c = c;
	p->found = true;
	return true; /* the first we can do: RFC 4568 §7.1.1 ranks them */
}

static bool savp(const struct media_stream *s)
{
	return !str_casecmp(sdp_media_proto(s->sdpm), sdp_proto_rtpsavp);
}

int media__sdes_answer(struct media_stream *s)
{
	struct pick p;

	memset(&p, 0, sizeof(p));
	sdp_media_del_lattr(s->sdpm, "crypto");
	if (s->srtp_policy == MEDIA_SRTP_OFF) {
		if (savp(s)) {
			log_info("media: offer refused: RTP/SAVP and SRTP is off");
			return ENOTSUP;
		}
		return 0;
	}
	(void)sdp_media_rattr_apply(s->sdpm, "crypto", pick_crypto, &p);
	if (p.found) {
		int err = set_crypto_attr(s, p.c.tag, p.c.suite);
		return err ? err : sdes_key(s, &p.c);
	}
	if (s->srtp_policy == MEDIA_SRTP_REQUIRED || savp(s)) {
		log_info("media: offer refused: SRTP required and no usable crypto "
			 "line (%u unusable)",
			 p.bad);
		return ENOTSUP;
	}
	sdes_plain(s);
	return 0;
}

int media__sdes_offer(struct media_stream *s)
{
	sdp_media_del_lattr(s->sdpm, "crypto");
	if (s->srtp_policy == MEDIA_SRTP_OFF)
		return 0;
	return set_crypto_attr(s, SDES_OFFER_TAG, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
}

int media__sdes_offer_proto(struct media_stream *s, struct mbuf **mbp)
{
	struct mbuf *mb = *mbp, *out;
	const char *buf = (const char *)mbuf_buf(mb);
	size_t len = mbuf_get_left(mb), at;
	struct pl port;

	if (s->srtp_policy != MEDIA_SRTP_REQUIRED || savp(s))
		return 0;
	/* libre writes the media line's own protocol; ours says RTP/AVP
	 * (it answers both): a required offer says RTP/SAVP (RFC 4568 §7.1) */
	if (re_regex(buf, len, "m=audio [0-9]+ RTP/AVP ", &port))
		return 0;
	at = (size_t)(port.p + port.l - buf) + 1 + 4; /* after "RTP/" */
	out = mbuf_alloc(len + 1);
	if (!out)
		return ENOMEM;
	(void)mbuf_write_mem(out, (const uint8_t *)buf, at);
	(void)mbuf_write_str(out, "S");
	(void)mbuf_write_mem(out, (const uint8_t *)buf + at, len - at);
	out->pos = 0;
	mem_deref(mb);
	*mbp = out;
	return 0;
}

int media__sdes_accept(struct media_stream *s)
{
	struct pick p;

	if (s->srtp_policy == MEDIA_SRTP_OFF)
		return 0;
	memset(&p, 0, sizeof(p));
	p.want_tag = SDES_OFFER_TAG;
	(void)sdp_media_rattr_apply(s->sdpm, "crypto", pick_crypto, &p);
	if (p.found && p.c.suite == s->sdes_local_suite)
		return sdes_key(s, &p.c);
	if (s->srtp_policy == MEDIA_SRTP_REQUIRED) {
		log_info("media: answer refused: SRTP required and no crypto line "
			 "for our offer");
		return ENOTSUP;
	}
	sdes_plain(s);
	return 0;
}
