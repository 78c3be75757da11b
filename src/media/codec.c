/*
 * codec.c — the one place that knows every audio codec we speak: its
 * payload type, RTP clock, a=rtpmap and a=fmtp, and the encoding and
 * decoding of a 20 ms frame to and from the engine's 8 kHz linear audio.
 *
 * G.711 (PCMU, PCMA) has no state. Opus (RFC 7587) keeps an encoder and
 * a decoder per stream, made when a stream's SDP settles on it. libopus
 * encodes and decodes at 8 kHz itself (opus_encoder_create(8000, ...)),
 * so no resampler sits between the engine and the codec: only the RTP
 * timestamp runs at Opus's 48 kHz clock (960 a 20 ms frame), which RFC
 * 7587 §4.1 fixes whatever rate the audio has.
 *
 * Not here: which codec a call uses (stream.c takes the SDP exchange's
 * pick from media_codec_pick), sockets, timing.
 */
#include <string.h>
#include <opus/opus.h>
#include <re.h>
#include <spandsp.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

#define OPUS_PT_OFFER 111 /* the dynamic type our offers give Opus */
#define OPUS_MAX_PKT  400 /* bytes; a narrowband frame is far smaller */
#define OPUS_BITRATE  20000
/* libopus's default (10) took 126 us to encode one narrowband frame here,
 * 5 takes 60 us (bench/README.md): on the tick of a shard that serves a
 * few hundred legs the difference is the shard's whole budget, and at
 * 8 kHz the higher searches buy little. */
#define OPUS_COMPLEXITY 5
/* the loss the encoder's FEC is sized for, when the peer wants FEC */
#define OPUS_LOSS_PERC 10
/* frames made up after a gap; a longer one just resumes */
#define LOST_MAX 5

/*
 * What our SDP says of Opus (RFC 7587 §6.1): we play and capture 8 kHz
 * (so the peer may save its bits on a wider band), in mono, and want the
 * in-band FEC that lets us rebuild a lost frame from the next packet.
 */
#define OPUS_FMTP                                                                        \
	"maxplaybackrate=8000;sprop-maxcapturerate=8000;stereo=0;sprop-stereo=0;"        \
	"useinbandfec=1"

static const struct media_codec_def defs[] = {
    {MEDIA_PCMU, "PCMU", 0, 8000, 1, NULL},
    {MEDIA_PCMA, "PCMA", 8, 8000, 1, NULL},
    {MEDIA_OPUS, "opus", OPUS_PT_OFFER, 48000, 2, OPUS_FMTP},
};

const struct media_codec_def *media_codec_def(enum media_codec c)
{
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		if (defs[i].codec == c)
			return &defs[i];
	}
	return NULL;
}

const struct media_codec_def *media_codec_by_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(defs); i++) {
		if (!str_casecmp(defs[i].name, name))
			return &defs[i];
	}
	return NULL;
}

int media_codec_sdp_add(struct sdp_media *m, const enum media_codec *v, size_t n)
{
	int err = 0;

	if (!m || (n && !v))
		return EINVAL;
	for (size_t i = 0; i < n && !err; i++) {
		const struct media_codec_def *d = media_codec_def(v[i]);
		char id[8];

		if (!d)
			return EINVAL;
		re_snprintf(id, sizeof(id), "%d", d->pt);
		err = sdp_format_add(NULL, m, false, id, d->name, d->clock, d->channels,
				     NULL, NULL, NULL, false, d->fmtp);
	}
	return err;
}

/* Is name=1 among a=fmtp's parameters ("a=1;b=0", spaces allowed)? */
static bool fmtp_flag(const char *params, const char *name)
{
	struct pl pl, val;

	if (!params)
		return false;
	pl_set_str(&pl, params);
	if (fmt_param_get(&pl, name, &val))
		return pl_u32(&val) == 1;
	return false;
}

int media_codec_pick(const struct sdp_media *m, struct media_codec_neg *neg)
{
	const struct list *fl;
	struct le *le;
	bool found = false;

	if (!m || !neg)
		return EINVAL;
	memset(neg, 0, sizeof(*neg));
	neg->opus_pt = -1;
	/* The peer's formats in its order (RFC 3264 §6.1: the offerer's
	 * preference); libre marked those we have as sup, so only the
	 * codecs the configuration allows are among them. */
	fl = sdp_media_format_lst(m, false);
	LIST_FOREACH(fl, le)
	{
		const struct sdp_format *f = le->data;
		const struct media_codec_def *d;
		const char *name = f->name;

		if (!f->sup)
			continue;
		/* RFC 3551 §6: the static payload types need no a=rtpmap
		 * (libre matched them by number); an rtpmap that names
		 * another codec for them wins */
		if (!name && f->pt == MEDIA_PCMU)
			name = "PCMU";
		else if (!name && f->pt == MEDIA_PCMA)
			name = "PCMA";
		d = media_codec_by_name(name);
		/* RFC 7587 §7: Opus has a dynamic type (96-127); one of the
		 * static numbers named opus is matched to the codec we gave
		 * that number, which it is not */
		if (!d || (d->codec == MEDIA_OPUS && f->pt < 96))
			continue;
		if (d->codec == MEDIA_OPUS) {
			neg->opus_pt = f->pt;
			/* RFC 7587 §6.1: the receiver's useinbandfec=1
			 * asks us to send FEC. Its maxplaybackrate and
			 * stereo ask nothing of us: we send narrowband
			 * mono, which every Opus receiver takes. */
			neg->fec = fmtp_flag(f->params, "useinbandfec");
		}
		if (!found) {
			neg->codec = d->codec;
			neg->pt = f->pt;
			found = true;
		}
	}
	return found ? 0 : ENOTSUP;
}

/* A stream's coder: its codec and, for Opus, libopus's two states. */
struct media_coder {
	enum media_codec codec;
	int pt;
	int opus_pt; /* the peer's Opus packets, -1: not agreed */
	bool fec;
	OpusEncoder *enc;
	OpusDecoder *dec;
};

static void coder_destructor(void *arg)
{
	struct media_coder *c = arg;

	if (c->enc)
		opus_encoder_destroy(c->enc);
	if (c->dec)
		opus_decoder_destroy(c->dec);
}

static int opus_err(int e)
{
	return e == OPUS_ALLOC_FAIL ? ENOMEM : EINVAL;
}

int media_coder_alloc(struct media_coder **cp, const struct media_codec_neg *neg)
{
	struct media_coder *c;
	int e, err = 0;

	if (!cp || !neg || !media_codec_def(neg->codec))
		return EINVAL;
	c = mem_zalloc(sizeof(*c), coder_destructor);
	if (!c)
		return ENOMEM;
	c->codec = neg->codec;
	c->pt = neg->pt;
	c->opus_pt = neg->opus_pt;
	c->fec = neg->fec;
	if (neg->codec == MEDIA_OPUS) {
		/* 8 kHz in, narrowband out: see the file comment */
		c->enc = opus_encoder_create(MEDIA_SRATE, 1, OPUS_APPLICATION_VOIP, &e);
		if (!c->enc) {
			err = opus_err(e);
			goto out;
		}
		opus_encoder_ctl(c->enc, OPUS_SET_BITRATE(OPUS_BITRATE));
		opus_encoder_ctl(c->enc, OPUS_SET_COMPLEXITY(OPUS_COMPLEXITY));
		opus_encoder_ctl(c->enc, OPUS_SET_INBAND_FEC(neg->fec ? 1 : 0));
		opus_encoder_ctl(
		    c->enc, OPUS_SET_PACKET_LOSS_PERC(neg->fec ? OPUS_LOSS_PERC : 0));
	}
	if (neg->opus_pt >= 0) {
		/* a peer may send Opus whenever the answer lists it, even
		 * when we send G.711 */
		c->dec = opus_decoder_create(MEDIA_SRATE, 1, &e);
		if (!c->dec) {
			err = opus_err(e);
			goto out;
		}
	}
out:
	if (err)
		mem_deref(c);
	else
		*cp = c;
	return err;
}

bool media_coder_same(const struct media_coder *c, const struct media_codec_neg *neg)
{
	return c && neg && c->codec == neg->codec && c->pt == neg->pt &&
	       c->opus_pt == neg->opus_pt && c->fec == neg->fec;
}

enum media_codec media_coder_codec(const struct media_coder *c)
{
	return c ? c->codec : MEDIA_PCMU;
}

int media_coder_pt(const struct media_coder *c)
{
	return c ? c->pt : MEDIA_PCMU;
}

uint32_t media_coder_ts_step(const struct media_coder *c)
{
	const struct media_codec_def *d = media_codec_def(media_coder_codec(c));

	return MEDIA_FRAME * (d->clock / MEDIA_SRATE);
}

int media_coder_encode(struct media_coder *c, const int16_t *pcm, uint8_t *buf, size_t sz,
		       size_t *lenp)
{
	enum media_codec codec = media_coder_codec(c);
	opus_int32 n;

	if (!pcm || !buf || !lenp)
		return EINVAL;
	if (codec != MEDIA_OPUS) {
		if (sz < MEDIA_FRAME)
			return ENOSPC;
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			buf[i] = codec == MEDIA_PCMA ? linear_to_alaw(pcm[i])
						     : linear_to_ulaw(pcm[i]);
		*lenp = MEDIA_FRAME;
		return 0;
	}
	n = opus_encode(c->enc, pcm, MEDIA_FRAME, buf,
			(opus_int32)(sz < OPUS_MAX_PKT ? sz : OPUS_MAX_PKT));
	if (n < 0)
		return EINVAL;
	*lenp = (size_t)n;
	return 0;
}

/* The G.711 law of payload type pt: 0 and 8 as RFC 3551 has them, or
 * the dynamic number the exchange gave the codec we send; -1 none. */
static int g711_of(const struct media_coder *c, uint8_t pt)
{
	if (c && (int)pt == c->pt && c->codec != MEDIA_OPUS)
		return c->codec;
	if (pt == MEDIA_PCMU || pt == MEDIA_PCMA)
		return pt;
	return -1;
}

bool media_coder_takes(const struct media_coder *c, uint8_t pt)
{
	return g711_of(c, pt) >= 0 || (c && c->dec && (int)pt == c->opus_pt);
}

/* Opus: the frames lost before this packet made up (concealment, the
 * last from the packet's FEC when it carries one: libopus falls back to
 * concealment when not), then the packet itself. */
static size_t opus_rx(struct media_coder *c, const uint8_t *p, size_t n, unsigned lost,
		      int16_t *pcm, size_t max)
{
	size_t got = 0;
	int r;

	if (lost > LOST_MAX)
		lost = LOST_MAX;
	for (unsigned i = 0; i < lost && got + MEDIA_FRAME <= max; i++) {
		bool fec = i + 1 == lost;

		r = opus_decode(c->dec, fec ? p : NULL, fec ? (opus_int32)n : 0,
				pcm + got, MEDIA_FRAME, fec ? 1 : 0);
		if (r > 0)
			got += (size_t)r;
	}
	r = opus_decode(c->dec, p, (opus_int32)n, pcm + got, (int)(max - got), 0);
	if (r > 0)
		got += (size_t)r;
	return got;
}

size_t media_coder_decode(struct media_coder *c, uint8_t pt, const uint8_t *p, size_t n,
			  unsigned lost, int16_t *pcm, size_t max)
{
	int law;

	if (!p || !pcm)
		return 0;
	law = g711_of(c, pt);
	if (law >= 0) {
		if (n > max)
			n = max;
		for (size_t i = 0; i < n; i++)
			pcm[i] = law == MEDIA_PCMA ? alaw_to_linear(p[i])
						   : ulaw_to_linear(p[i]);
		return n;
	}
	if (c && c->dec && (int)pt == c->opus_pt && n)
		return opus_rx(c, p, n, lost, pcm, max);
	return 0;
}
