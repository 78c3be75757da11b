/*
 * test_codec.c — the codecs (codec.c): Opus and G.711 keep a tone's
 * frequency through encode and decode (Goertzel), Opus conceals lost
 * packets, SDP with Opus (the answer keeps the offer's payload type and
 * says our fmtp, media.codecs limits what is offered and answered), and a
 * bridge of an Opus leg and a PCMU leg transcodes on the tick both ways.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <opus/opus.h>
#include <re.h>
#include <spandsp.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"
#include "test.h"
#include "test_audio.h"

#define FRAMES 50
#define AMP    8000.0

static struct cfg_node node;

static void setup_node(const char *codecs)
{
	memset(&node, 0, sizeof(node));
	node.media_threads = 1; /* the tick on this thread, on a virtual clock */
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = (uint16_t)(36000 + (getpid() % 1000) * 10);
	node.rtp_port_max = (uint16_t)(node.rtp_port_min + 9);
	util_copy(node.media_codecs, sizeof(node.media_codecs), codecs);
}

static void tone(int16_t *x, size_t n, double f, size_t phase)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)(AMP *
				 sin(2 * M_PI * f * (double)(phase + i) / MEDIA_SRATE));
}

/* Is f in x loud (at least half of AMP) and g nearly absent? */
static int has_tone(const int16_t *x, size_t n, double f, double g)
{
	double lf = tone_level(x, n, f), lg = tone_level(x, n, g);

	if (lf < AMP / 2 || lg > AMP / 20) {
		fprintf(stderr, "%g Hz at %.0f, %g Hz at %.0f\n", f, lf, g, lg);
		return 1;
	}
	return 0;
}

/* Encodes FRAMES frames of a 1 kHz tone and decodes them back. */
static int round_trip(enum media_codec codec)
{
	static int16_t in[FRAMES * MEDIA_FRAME], out[FRAMES * MEDIA_FRAME];
	struct media_codec_neg neg = {.codec = codec, .pt = 0, .opus_pt = -1};
	struct media_coder *c = NULL;
	size_t got = 0;
	int r = 1;

	if (codec == MEDIA_OPUS)
		neg.pt = neg.opus_pt = 109;
	else
		neg.pt = (int)codec;
	tone(in, FRAMES * MEDIA_FRAME, 1000, 0);
	TEST_ERR(media_coder_alloc(&c, &neg));
	TEST_CHECK(media_coder_ts_step(c) == (codec == MEDIA_OPUS ? 960u : 160u));
	for (size_t k = 0; k < FRAMES; k++) {
		uint8_t pkt[512];
		size_t len = 0;

		TEST_CHECK(
		    !media_coder_encode(c, in + k * MEDIA_FRAME, pkt, sizeof(pkt), &len));
		TEST_CHECK(len > 0 && len <= (codec == MEDIA_OPUS ? 200u : 160u));
		TEST_CHECK(media_coder_takes(c, (uint8_t)neg.pt));
		got += media_coder_decode(c, (uint8_t)neg.pt, pkt, len, 0, out + got,
					  FRAMES * MEDIA_FRAME - got);
	}
	TEST_CHECK(got == FRAMES * MEDIA_FRAME);
	/* past the codec's start (Opus's look-ahead and ramp-up) */
	TEST_CHECK(
	    !has_tone(out + 10 * MEDIA_FRAME, (FRAMES - 10) * MEDIA_FRAME, 1000, 1700));
	r = 0;
out:
	mem_deref(c);
	return r;
}

static int test_round_trip_keeps_tone(void)
{
	if (round_trip(MEDIA_OPUS) || round_trip(MEDIA_PCMU) || round_trip(MEDIA_PCMA))
		return 1;
	return 0;
}

/* Two packets lost: the next one decodes to three frames (concealment,
 * then FEC from the packet, then the packet), so the receive queue keeps
 * its timing; a payload type not agreed decodes to nothing. */
static int test_opus_loss_concealed(void)
{
	static int16_t in[MEDIA_FRAME], out[8 * MEDIA_FRAME];
	struct media_codec_neg neg = {
	    .codec = MEDIA_OPUS, .pt = 96, .opus_pt = 96, .fec = true};
	struct media_coder *c = NULL;
	uint8_t pkt[512];
	size_t len = 0;
	int r = 1;

	tone(in, MEDIA_FRAME, 1000, 0);
	TEST_ERR(media_coder_alloc(&c, &neg));
	for (int k = 0; k < 5; k++) {
		TEST_CHECK(!media_coder_encode(c, in, pkt, sizeof(pkt), &len));
		TEST_CHECK(media_coder_decode(c, 96, pkt, len, 0, out, 8 * MEDIA_FRAME) ==
			   MEDIA_FRAME);
	}
	TEST_CHECK(media_coder_decode(c, 96, pkt, len, 2, out, 8 * MEDIA_FRAME) ==
		   3 * MEDIA_FRAME);
	/* a long gap is made up to 100 ms at most */
	TEST_CHECK(media_coder_decode(c, 96, pkt, len, 40, out, 8 * MEDIA_FRAME) ==
		   6 * MEDIA_FRAME);
	TEST_CHECK(!media_coder_takes(c, 97));
	TEST_CHECK(media_coder_decode(c, 97, pkt, len, 0, out, 8 * MEDIA_FRAME) == 0);
	/* junk is not a crash */
	memset(pkt, 0xff, sizeof(pkt));
	(void)media_coder_decode(c, 96, pkt, 300, 1, out, 8 * MEDIA_FRAME);
	r = 0;
out:
	mem_deref(c);
	return r;
}

static const char *offer_fmt =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio %u RTP/AVP %s\r\n%s";

static const char *opus_attrs = "a=rtpmap:109 opus/48000/2\r\n"
				"a=fmtp:109 maxplaybackrate=48000; useinbandfec=1\r\n"
				"a=rtpmap:101 telephone-event/8000\r\n";

/* The answer to an offer of fmts: its text in ans (NUL-terminated), the
 * codec chosen; or the error. */
static int answer_of(const char *codecs, const char *fmts, const char *attrs, char *ans,
		     size_t sz, enum media_codec *codec)
{
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct mbuf *offer = sdp_text(offer_fmt, 40000, fmts, attrs ? attrs : opus_attrs),
		    *a = NULL;
	int err;

	setup_node(codecs);
	err = media_alloc(&m, &node);
	if (!err)
		err = media_stream_alloc(&s, m, no_event, NULL);
	if (!err)
		err = media_stream_answer(s, offer, &a);
	if (!err) {
		*codec = media_stream_codec(s);
		re_snprintf(ans, sz, "%b", a->buf, a->end);
	}
	mem_deref(a);
	mem_deref(offer);
	mem_deref(s);
	mem_deref(m);
	return err;
}

static int test_sdp_opus_answer(void)
{
	char ans[1024];
	enum media_codec c = MEDIA_PCMU;

	/* a phone with Opus only: the answer keeps its payload type 109 */
	TEST_ERR(answer_of("", "109 101", NULL, ans, sizeof(ans), &c));
	TEST_EQ(c, MEDIA_OPUS);
	if (!strstr(ans, "m=audio") || !strstr(ans, " RTP/AVP 109 101\r\n") ||
	    !strstr(ans, "a=rtpmap:109 opus/48000/2\r\n") ||
	    !strstr(ans, "a=fmtp:109 maxplaybackrate=8000;") ||
	    !strstr(ans, "stereo=0") || !strstr(ans, "useinbandfec=1")) {
		fprintf(stderr, "answer: %s\n", ans);
		return 1;
	}
	/* the phone's order wins: PCMU first, Opus kept beside it */
	TEST_ERR(answer_of("", "0 109 101", NULL, ans, sizeof(ans), &c));
	TEST_EQ(c, MEDIA_PCMU);
	TEST_ASSERT(strstr(ans, " RTP/AVP 0 109 101\r\n"));
	/* media.codecs without Opus: an Opus-only phone gets 488 */
	TEST_EQ(answer_of("PCMU, PCMA", "109 101", NULL, ans, sizeof(ans), &c), ENOTSUP);
	TEST_ERR(answer_of("PCMA,PCMU", "109 0 101", NULL, ans, sizeof(ans), &c));
	TEST_EQ(c, MEDIA_PCMU);
	TEST_ASSERT(!strstr(ans, "opus"));
	return 0;
}

/* Payload types named against RFC 3551 and RFC 7587: Opus on a static
 * number is not Opus (that number is the codec we gave it); PCMU on a
 * dynamic number is PCMU, answered and decoded at that number. */
static int test_sdp_odd_numbers(void)
{
	struct media_codec_neg neg = {.codec = MEDIA_PCMU, .pt = 97, .opus_pt = -1};
	struct media_coder *c = NULL;
	enum media_codec codec = MEDIA_PCMA;
	uint8_t ulaw[MEDIA_FRAME];
	int16_t pcm[MEDIA_FRAME];
	char ans[1024];
	int r = 1;

	TEST_CHECK(answer_of("", "0", "a=rtpmap:0 opus/48000/2\r\n", ans, sizeof(ans),
			     &codec) == ENOTSUP);
	TEST_CHECK(!answer_of("", "0 8", "a=rtpmap:0 opus/48000/2\r\n", ans, sizeof(ans),
			      &codec));
	TEST_CHECK(codec == MEDIA_PCMA);
	TEST_CHECK(
	    !answer_of("", "97", "a=rtpmap:97 PCMU/8000\r\n", ans, sizeof(ans), &codec));
	TEST_CHECK(codec == MEDIA_PCMU && strstr(ans, "a=rtpmap:97 PCMU/8000"));
	TEST_CHECK(!media_coder_alloc(&c, &neg));
	memset(ulaw, linear_to_ulaw(4000), sizeof(ulaw));
	TEST_CHECK(media_coder_takes(c, 97) && media_coder_pt(c) == 97);
	TEST_CHECK(media_coder_decode(c, 97, ulaw, MEDIA_FRAME, 0, pcm, MEDIA_FRAME) ==
		   MEDIA_FRAME);
	TEST_CHECK(pcm[0] > 3800 && pcm[0] < 4200);
	TEST_CHECK(!media_coder_takes(c, 98));
	r = 0;
out:
	mem_deref(c);
	return r;
}

/* Our offer lists the codecs of media.codecs in its order, Opus first
 * by default, with our fmtp; without Opus in it, no Opus. */
static int offer_of(const char *codecs, char *text, size_t sz)
{
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct mbuf *o = NULL;
	int err;

	setup_node(codecs);
	err = media_alloc(&m, &node);
	if (!err)
		err = media_stream_alloc(&s, m, no_event, NULL);
	if (!err)
		err = media_stream_offer(s, &o);
	if (!err)
		re_snprintf(text, sz, "%b", o->buf, o->end);
	mem_deref(o);
	mem_deref(s);
	mem_deref(m);
	return err;
}

static int test_sdp_our_offer(void)
{
	char o[1024];

	TEST_ERR(offer_of("", o, sizeof(o)));
	if (!strstr(o, " RTP/AVP 111 0 8 101\r\n") ||
	    !strstr(o, "a=rtpmap:111 opus/48000/2\r\n") ||
	    !strstr(o, "a=fmtp:111 maxplaybackrate=8000;")) {
		fprintf(stderr, "offer: %s\n", o);
		return 1;
	}
	TEST_ERR(offer_of("PCMA, opus", o, sizeof(o)));
	TEST_ASSERT(strstr(o, " RTP/AVP 8 111 101\r\n"));
	TEST_ERR(offer_of("pcmu", o, sizeof(o)));
	TEST_ASSERT(strstr(o, " RTP/AVP 0 101\r\n") && !strstr(o, "opus"));
	{
		struct media *m = NULL;

		setup_node("G729");
		TEST_EQ(media_alloc(&m, &node), EINVAL);
	}
	return 0;
}

/* --- a bridge of an Opus leg and a PCMU leg, on a virtual clock ------- */

struct leg {
	int fd; /* the phone's socket */
	struct sa addr;
	struct media_stream *s;
	struct sa ours; /* the stream's port */
};

static int leg_open(struct leg *l, struct media *m, const char *fmts, const char *attrs)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	struct mbuf *offer = NULL, *ans = NULL;
	struct pl port;
	int err;

	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(l->fd, (struct sockaddr *)&sin, &sl))
		return errno;
	sa_set_sa(&l->addr, (struct sockaddr *)&sin);
	err = media_stream_alloc(&l->s, m, no_event, NULL);
	if (err)
		return err;
	offer = sdp_text(offer_fmt, sa_port(&l->addr), fmts, attrs);
	err = media_stream_answer(l->s, offer, &ans);
	if (!err && re_regex((char *)ans->buf, ans->end, "m=audio [0-9]+", &port))
		err = EPROTO;
	if (!err)
		sa_set_str(&l->ours, "127.0.0.1", (uint16_t)pl_u32(&port));
	mem_deref(offer);
	mem_deref(ans);
	return err;
}

/* One RTP packet as from the leg's phone, handed to its stream. */
static void leg_send(struct leg *l, uint8_t pt, uint16_t seq, uint32_t ts,
		     const uint8_t *p, size_t n)
{
	uint8_t buf[RTP_HEADER_SIZE + 512];
	struct mbuf mb;
	struct rtp_header h;

	memset(&h, 0, sizeof(h));
	h.ver = RTP_VERSION;
	h.pt = pt;
	h.seq = seq;
	h.ts = ts;
	h.ssrc = 0x5678;
	mbuf_init(&mb);
	mb.buf = buf;
	mb.size = sizeof(buf);
	rtp_hdr_encode(&mb, &h);
	mbuf_write_mem(&mb, p, n);
	media__stream_rx(l->s, &l->addr, buf, mb.end);
}

/* What the leg's phone was sent: every packet's payload type, timestamp
 * and payload, in order; returns how many. */
struct got {
	uint8_t pt[FRAMES * 2];
	uint32_t ts[FRAMES * 2];
	uint8_t pay[FRAMES * 2][512];
	size_t len[FRAMES * 2];
	size_t n;
};

static void leg_read(struct leg *l, struct got *g)
{
	uint8_t buf[RTP_HEADER_SIZE + 512];
	ssize_t r;

	while (g->n < FRAMES * 2 && (r = recv(l->fd, buf, sizeof(buf), 0)) > 0) {
		struct mbuf mb;
		struct rtp_header h;

		mbuf_init(&mb);
		mb.buf = buf;
		mb.size = mb.end = (size_t)r;
		if (rtp_hdr_decode(&h, &mb))
			continue;
		g->pt[g->n] = h.pt;
		g->ts[g->n] = h.ts;
		g->len[g->n] = mbuf_get_left(&mb);
		memcpy(g->pay[g->n], mbuf_buf(&mb), g->len[g->n]);
		g->n++;
	}
}

static int test_bridge_transcodes_opus_and_pcmu(void)
{
	static struct got ga, gb;
	static int16_t heard_a[FRAMES * 2 * MEDIA_FRAME],
	    heard_b[FRAMES * 2 * MEDIA_FRAME];
	struct leg a = {.fd = -1}, b = {.fd = -1};
	struct media *m = NULL;
	OpusEncoder *enc = NULL;
	OpusDecoder *dec = NULL;
	size_t na = 0, nb = 0;
	uint64_t t;
	int e, r = 1;

	memset(&ga, 0, sizeof(ga));
	memset(&gb, 0, sizeof(gb));
	setup_node("");
	TEST_CHECK(!media_alloc(&m, &node));
	/* a: a phone with Opus only (as a browser or baresip offers it) */
	TEST_CHECK(!leg_open(&a, m, "109 101", opus_attrs));
	TEST_CHECK(!leg_open(&b, m, "0", ""));
	TEST_CHECK(media_stream_codec(a.s) == MEDIA_OPUS);
	TEST_CHECK(media_stream_codec(b.s) == MEDIA_PCMU);
	media_bridge(a.s, b.s, NULL);
	/* a's phone encodes at 48 kHz, as phones do: the decoder at 8 kHz
	 * takes it all the same */
	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &e);
	dec = opus_decoder_create(8000, 1, &e);
	TEST_CHECK(enc && dec);
	t = m->next_us;
	for (size_t k = 0; k < FRAMES; k++) {
		int16_t pcm48[960], pcm8[MEDIA_FRAME];
		uint8_t pkt[512];
		opus_int32 n;

		for (size_t i = 0; i < 960; i++) /* a: 1 kHz */
			pcm48[i] = (int16_t)(AMP * sin(2 * M_PI * 1000 *
						       (double)(k * 960 + i) / 48000));
		n = opus_encode(enc, pcm48, 960, pkt, sizeof(pkt));
		TEST_CHECK(n > 0);
		leg_send(&a, 109, (uint16_t)k, (uint32_t)(k * 960), pkt, (size_t)n);
		tone(pcm8, MEDIA_FRAME, 600, k * MEDIA_FRAME); /* b: 600 Hz */
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			pkt[i] = linear_to_ulaw(pcm8[i]);
		leg_send(&b, 0, (uint16_t)k, (uint32_t)(k * MEDIA_FRAME), pkt,
			 MEDIA_FRAME);
		media__tick(m, t);
		t += 20000;
		leg_read(&a, &ga);
		leg_read(&b, &gb);
	}
	usleep(20000);
	leg_read(&a, &ga);
	leg_read(&b, &gb);
	TEST_CHECK(ga.n >= FRAMES - 2 && gb.n >= FRAMES - 2);
	/* a is sent Opus with its payload type on the 48 kHz clock */
	for (size_t k = 0; k < ga.n; k++) {
		int got;

		TEST_CHECK(ga.pt[k] == 109);
		TEST_CHECK(!k || ga.ts[k] - ga.ts[k - 1] == 960);
		got = opus_decode(dec, ga.pay[k], (opus_int32)ga.len[k], heard_a + na,
				  MEDIA_FRAME, 0);
		TEST_CHECK(got == MEDIA_FRAME);
		na += (size_t)got;
	}
	/* b is sent PCMU on the 8 kHz clock */
	for (size_t k = 0; k < gb.n; k++) {
		TEST_CHECK(gb.pt[k] == 0 && gb.len[k] == MEDIA_FRAME);
		TEST_CHECK(!k || gb.ts[k] - gb.ts[k - 1] == MEDIA_FRAME);
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			heard_b[nb++] = ulaw_to_linear(gb.pay[k][i]);
	}
	/* each hears the other's tone, past the first frames */
	TEST_CHECK(
	    !has_tone(heard_a + 10 * MEDIA_FRAME, na - 10 * MEDIA_FRAME, 600, 1000));
	TEST_CHECK(
	    !has_tone(heard_b + 10 * MEDIA_FRAME, nb - 10 * MEDIA_FRAME, 1000, 600));
	r = 0;
out:
	if (enc)
		opus_encoder_destroy(enc);
	if (dec)
		opus_decoder_destroy(dec);
	mem_deref(a.s);
	mem_deref(b.s);
	mem_deref(m);
	if (a.fd >= 0)
		close(a.fd);
	if (b.fd >= 0)
		close(b.fd);
	return r;
}

/* A stream counts Opus packets by sequence: two lost, the next makes up
 * two frames; a late one is decoded without loss; a far jump (a new
 * start) makes up nothing. */
static int test_stream_loss_by_sequence(void)
{
	struct leg a = {.fd = -1};
	struct media *m = NULL;
	struct media_codec_neg neg = {.codec = MEDIA_OPUS, .pt = 109, .opus_pt = 109};
	struct media_coder *enc = NULL;
	int16_t pcm[MEDIA_FRAME];
	uint8_t pkt[512];
	size_t len = 0;
	int r = 1;

	setup_node("");
	tone(pcm, MEDIA_FRAME, 1000, 0);
	TEST_CHECK(!media_alloc(&m, &node));
	TEST_CHECK(!leg_open(&a, m, "109 101", opus_attrs));
	TEST_CHECK(!media_coder_alloc(&enc, &neg));
	TEST_CHECK(!media_coder_encode(enc, pcm, pkt, sizeof(pkt), &len));
	leg_send(&a, 109, 10, 0, pkt, len);
	TEST_CHECK(a.s->rxn == MEDIA_FRAME);
	leg_send(&a, 109, 13, 0, pkt, len); /* 11 and 12 lost */
	TEST_CHECK(a.s->rxn == 4 * MEDIA_FRAME);
	leg_send(&a, 109, 12, 0, pkt, len); /* late after all */
	TEST_CHECK(a.s->rxn == 5 * MEDIA_FRAME);
	leg_send(&a, 109, 14, 0, pkt, len);
	TEST_CHECK(a.s->rxn == 6 * MEDIA_FRAME);
	leg_send(&a, 109, 9000, 0, pkt, len); /* a new start */
	TEST_CHECK(a.s->rxn == 7 * MEDIA_FRAME);
	r = 0;
out:
	mem_deref(enc);
	mem_deref(a.s);
	mem_deref(m);
	if (a.fd >= 0)
		close(a.fd);
	return r;
}

static const struct test_case tests[] = {
    {"a tone keeps its frequency through Opus, PCMU and PCMA",
     test_round_trip_keeps_tone},
    {"Opus: lost packets concealed (PLC, FEC), other payload types not taken",
     test_opus_loss_concealed},
    {"sdp: the answer keeps the offer's Opus payload type, says our fmtp; "
     "media.codecs limits it",
     test_sdp_opus_answer},
    {"sdp: Opus on a static number is not Opus; PCMU on a dynamic one is PCMU",
     test_sdp_odd_numbers},
    {"sdp: our offer lists media.codecs in order, Opus first by default",
     test_sdp_our_offer},
    {"a stream makes up lost Opus frames by sequence; late and far packets make up none",
     test_stream_loss_by_sequence},
    {"a bridge of an Opus leg and a PCMU leg transcodes on the tick both ways",
     test_bridge_transcodes_opus_and_pcmu},
};

TEST_MAIN(tests)
