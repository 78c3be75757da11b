/*
 * test_srtp.c — SRTP on a media stream (src/media/srtp.c), against RFC
 * 3711's own figures: a reference transform written here with OpenSSL
 * (AES-CM key derivation and keystream, HMAC-SHA1 tag) is first checked
 * against the RFC's test vectors (B.2, B.3), then what a stream really
 * sends on loopback must be that transform byte for byte, and packets the
 * reference protects must be taken by the stream. Forged and replayed
 * packets are dropped and counted; two streams talk in every suite.
 */
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"
#include "test.h"
#include "test_audio.h"

static struct cfg_node node;
static unsigned threads = 1;

static void setup_node(void)
{
	memset(&node, 0, sizeof(node));
	node.media_threads = threads;
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = (uint16_t)(40000 + (getpid() % 2000) * 10);
	node.rtp_port_max = (uint16_t)(node.rtp_port_min + 9);
	node.rtp_timeout_ms = 0;
}

static void hex(uint8_t *out, const char *h)
{
	for (size_t i = 0; h[2 * i]; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* --- the reference transform (RFC 3711 §4.1.1, §4.2, §4.3) ------------- */

static int aes_ctr(const uint8_t *key, const uint8_t *iv, uint8_t *buf, size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, buf, &len, buf, (int)n);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : EIO;
}

/* §4.3.1 with key_derivation_rate 0: label's n bytes of session key. */
static int derive(const uint8_t *mkey, const uint8_t *msalt, uint8_t label, uint8_t *out,
		  size_t n)
{
	uint8_t iv[16] = {0};

	memcpy(iv, msalt, 14);
	iv[7] ^= label; /* key_id = label || index DIV kdr (0), under the salt */
	memset(out, 0, n);
	return aes_ctr(mkey, iv, out, n);
}

/* Protects an RTP packet (header of 12 bytes, ROC 0) in place: the
 * encrypted payload and an 80-bit tag after it; the new length. */
static size_t protect(const uint8_t *master, uint8_t *pkt, size_t len)
{
	uint8_t ke[16], ks[14], ka[20], iv[16] = {0}, md[20], auth[300];
	unsigned mdlen = 0;

	derive(master, master + 16, 0, ke, sizeof(ke));
	derive(master, master + 16, 1, ka, sizeof(ka));
	derive(master, master + 16, 2, ks, sizeof(ks));
	memcpy(iv, ks, 14);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= pkt[8 + i]; /* SSRC */
	iv[12] ^= pkt[2];		 /* index = ROC (0) || SEQ */
	iv[13] ^= pkt[3];
	aes_ctr(ke, iv, pkt + 12, len - 12);
	/* the authenticated portion and the ROC (0) after it */
	memcpy(auth, pkt, len);
	memset(auth + len, 0, 4);
	HMAC(EVP_sha1(), ka, sizeof(ka), auth, len + 4, md, &mdlen);
	memcpy(pkt + len, md, 10);
	return len + 10;
}

/* RFC 3711 B.3's master key and salt */
static const char *b3_master = "E1F97A0D3E018BE0D64FA32C06DE4139"
			       "0EC675AD498AFEEBB6960B3AABE6";

static int test_b2_keystream(void)
{
	uint8_t key[16], iv[16] = {0}, ks[48] = {0}, want[48];

	/* B.2: session key and salt, SSRC 0, index 0 */
	hex(key, "2B7E151628AED2A6ABF7158809CF4F3C");
	hex(iv, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
	hex(want, "E03EAD0935C95E80E166B16DD92B4EB4"
		  "D23513162B02D0F72A43A2FE4A5F97AB"
		  "41E95B3BB0A2E8DD477901E4FCA894C0");
	TEST_ERR(aes_ctr(key, iv, ks, sizeof(ks)));
	TEST_ASSERT(!memcmp(ks, want, sizeof(want)));
	return 0;
}

static int test_b3_key_derivation(void)
{
	uint8_t m[30], out[20], want[20];

	hex(m, b3_master);
	TEST_ERR(derive(m, m + 16, 0, out, 16));
	hex(want, "C61E7A93744F39EE10734AFE3FF7A087");
	TEST_ASSERT(!memcmp(out, want, 16));
	TEST_ERR(derive(m, m + 16, 2, out, 14));
	hex(want, "30CBBC08863D8C85D49DB34A9AE1");
	TEST_ASSERT(!memcmp(out, want, 14));
	TEST_ERR(derive(m, m + 16, 1, out, 20));
	hex(want, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
	TEST_ASSERT(!memcmp(out, want, 20));
	return 0;
}

/* --- a stream on loopback ---------------------------------------------- */

struct peer {
	struct udp_sock *us;
	struct sa addr;
	uint8_t first[256]; /* the first packet it got */
	size_t firstn, pkts;
};

static void peer_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	size_t n = mbuf_get_left(mb);

	(void)src;
	if (!p->pkts++ && n <= sizeof(p->first)) {
		memcpy(p->first, mbuf_buf(mb), n);
		p->firstn = n;
	}
}

static int peer_open(struct peer *p)
{
	memset(p, 0, sizeof(*p));
	sa_set_str(&p->addr, "127.0.0.1", 0);
	if (udp_listen(&p->us, &p->addr, peer_recv, p))
		return EADDRINUSE;
	return udp_local_get(p->us, &p->addr);
}

/* s answers an offer of PCMU at the peer's address. */
static int answer_peer(struct media_stream *s, const struct sa *peer)
{
	struct mbuf *offer = mbuf_alloc(512), *ans = NULL;
	int err;

	if (!offer)
		return ENOMEM;
	mbuf_printf(offer,
		    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		    "t=0 0\r\nm=audio %u RTP/AVP 0\r\n",
		    sa_port(peer));
	offer->pos = 0;
	err = media_stream_answer(s, offer, &ans);
	mem_deref(offer);
	mem_deref(ans);
	return err;
}

static int test_sent_is_rfc3711(void)
{
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct peer p;
	uint8_t key[30], rx[30] = {1}, pkt[256];
	size_t n;
	int r = 1;

	setup_node();
	hex(key, b3_master);
	TEST_ERR(peer_open(&p));
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&s, m, no_event, NULL));
	TEST_CHECK(!answer_peer(s, &p.addr));
	TEST_CHECK(!media_stream_srtp(s, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, key, rx));
	TEST_CHECK(media_stream_secure(s));
	run_ms(100);
	/* RTP header, 160 bytes of PCMU, an 80-bit tag */
	TEST_CHECK(p.pkts >= 2);
	TEST_CHECK(p.firstn == 12 + 160 + 10);
	/* the plain packet it must have been: silence in PCMU under the
	 * header it carries */
	memcpy(pkt, p.first, 12);
	memset(pkt + 12, 0xff, 160);
	n = protect(key, pkt, 12 + 160);
	TEST_CHECK(n == p.firstn);
	TEST_CHECK(!memcmp(pkt, p.first, n));
	r = 0;
out:
	mem_deref(s);
	mem_deref(m);
	mem_deref(p.us);
	return r;
}

/* Sends a PCMU packet protected by the reference with key. */
static void send_protected(struct peer *p, const struct sa *dst, const uint8_t *key,
			   uint16_t seq, bool forge, uint8_t *keep, size_t *keepn)
{
	uint8_t pkt[256];
	struct mbuf mb;
	size_t n;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 0; /* PCMU */
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[7] = (uint8_t)seq; /* timestamp */
	pkt[11] = 0x42;	       /* SSRC */
	memset(pkt + 12, 0x80, 160);
	n = protect(key, pkt, 12 + 160);
	if (forge)
		pkt[40] ^= 1;
	if (keep) {
		memcpy(keep, pkt, n);
		*keepn = n;
	}
	mbuf_init(&mb);
	mb.buf = pkt;
	mb.size = mb.end = n;
	udp_send(p->us, dst, &mb);
}

static int test_received_forged_replayed(void)
{
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct peer p;
	uint8_t key[30], tx[30] = {2}, old[256];
	size_t oldn = 0;
	uint64_t before = 0;
	struct sa dst;
	struct mbuf mb;
	int r = 1;

	setup_node();
	hex(key, b3_master);
	TEST_ERR(peer_open(&p));
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&s, m, no_event, NULL));
	TEST_CHECK(!answer_peer(s, &p.addr));
	TEST_CHECK(!media_stream_srtp(s, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, tx, key));
	before = media_srtp_failures(m);
	sa_set_str(&dst, "127.0.0.1", sa_port(rtp_local(s->rtp)));
	for (uint16_t seq = 1; seq <= 5; seq++)
		send_protected(&p, &dst, key, seq, false, seq == 3 ? old : NULL, &oldn);
	run_ms(60);
	TEST_CHECK(s->rx_pkts == 5);
	TEST_CHECK(s->srtp_failures == 0);
	/* one bit changed in the payload: the tag no longer matches */
	send_protected(&p, &dst, key, 6, true, NULL, NULL);
	run_ms(60);
	TEST_CHECK(s->rx_pkts == 5);
	TEST_CHECK(s->srtp_failures == 1);
	/* packet 3 again, as sent: a replay */
	mbuf_init(&mb);
	mb.buf = old;
	mb.size = mb.end = oldn;
	udp_send(p.us, &dst, &mb);
	run_ms(60);
	TEST_CHECK(s->rx_pkts == 5);
	TEST_CHECK(s->srtp_failures == 2);
	TEST_CHECK(media_srtp_failures(m) == before + 2);
	/* plain RTP on a secure stream: no tag, dropped */
	mb.buf = old;
	old[1] = 0;
	mb.size = mb.end = 12 + 160;
	mb.pos = 0;
	old[3] = 9;
	udp_send(p.us, &dst, &mb);
	run_ms(60);
	TEST_CHECK(s->rx_pkts == 5);
	TEST_CHECK(s->srtp_failures == 3);
	/* packet 7 in order still passes */
	send_protected(&p, &dst, key, 7, false, NULL, NULL);
	run_ms(60);
	TEST_CHECK(s->rx_pkts == 6);
	r = 0;
out:
	if (r && s)
		fprintf(stderr, "rx=%llu failures=%llu\n", (unsigned long long)s->rx_pkts,
			(unsigned long long)s->srtp_failures);
	mem_deref(s);
	mem_deref(m);
	mem_deref(p.us);
	return r;
}

/* Two streams send to each other, a's send key b's receive key and back. */
static int round_trip(enum media_srtp_suite suite, bool wrong_key)
{
	struct media *m = NULL;
	struct media_stream *a = NULL, *b = NULL;
	uint8_t ka[30], kb[30];
	struct sa pa, pb;
	int r = 1;

	setup_node();
	rand_bytes(ka, sizeof(ka));
	rand_bytes(kb, sizeof(kb));
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&a, m, no_event, NULL));
	TEST_CHECK(!media_stream_alloc(&b, m, no_event, NULL));
	sa_set_str(&pa, "127.0.0.1", sa_port(rtp_local(a->rtp)));
	sa_set_str(&pb, "127.0.0.1", sa_port(rtp_local(b->rtp)));
	TEST_CHECK(!answer_peer(a, &pb));
	TEST_CHECK(!answer_peer(b, &pa));
	TEST_CHECK(!media_stream_srtp(a, suite, ka, kb));
	if (wrong_key)
		kb[0] ^= 1;
	TEST_CHECK(!media_stream_srtp(b, suite, kb, ka));
	run_ms(200);
	if (wrong_key) {
		/* a drops all of b's, b takes all of a's */
		TEST_CHECK(a->rx_pkts == 0 && a->srtp_failures >= 5);
		TEST_CHECK(b->rx_pkts >= 5 && b->srtp_failures == 0);
	} else {
		TEST_CHECK(a->rx_pkts >= 5 && b->rx_pkts >= 5);
		TEST_CHECK(a->srtp_failures == 0 && b->srtp_failures == 0);
	}
	r = 0;
out:
	if (r && a && b)
		fprintf(
		    stderr, "a rx=%llu fail=%llu b rx=%llu fail=%llu\n",
		    (unsigned long long)a->rx_pkts, (unsigned long long)a->srtp_failures,
		    (unsigned long long)b->rx_pkts, (unsigned long long)b->srtp_failures);
	mem_deref(a);
	mem_deref(b);
	mem_deref(m);
	return r;
}

static int test_round_trip_80(void)
{
	return round_trip(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, false);
}

static int test_round_trip_32(void)
{
	return round_trip(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, false);
}

static int test_round_trip_gcm(void)
{
	return round_trip(MEDIA_SRTP_AEAD_AES_128_GCM, false);
}

static int test_wrong_key_dropped(void)
{
	return round_trip(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, true);
}

static int test_suites_and_bad_calls(void)
{
	struct pl name;
	enum media_srtp_suite su;
	uint8_t k[30] = {0};

	TEST_EQ(media_srtp_key_len(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80), 30);
	TEST_EQ(media_srtp_key_len(MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32), 30);
	TEST_EQ(media_srtp_key_len(MEDIA_SRTP_AEAD_AES_128_GCM), 28);
	pl_set_str(&name, "AES_CM_128_HMAC_SHA1_32");
	TEST_ERR(media_srtp_suite_find(&su, &name));
	TEST_EQ(su, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32);
	pl_set_str(&name, "F8_128_HMAC_SHA1_80");
	TEST_EQ(media_srtp_suite_find(&su, &name), ENOTSUP);
	TEST_EQ(media_stream_srtp(NULL, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, k, k),
		EINVAL);
	TEST_ASSERT(!media_stream_secure(NULL));
	return 0;
}

/* --- SDES (RFC 4568) ----------------------------------------------------- */

static int parse(const char *v, struct media_sdes *c)
{
	return media_sdes_parse(v, strlen(v), c);
}

static int test_sdes_parse(void)
{
	/* 30 bytes: 40 base64 characters */
	const char *k = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
	char line[200];
	struct media_sdes c;

	snprintf(line, sizeof(line), "1 AES_CM_128_HMAC_SHA1_80 inline:%s", k);
	TEST_ERR(parse(line, &c));
	TEST_EQ(c.tag, 1);
	TEST_EQ(c.suite, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
	TEST_EQ(c.key[0], 'Y');
	snprintf(line, sizeof(line), "12  AES_CM_128_HMAC_SHA1_32\tinline:%s|2^20", k);
	TEST_ERR(parse(line, &c));
	TEST_EQ(c.tag, 12);
	TEST_EQ(c.suite, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_32);
	/* an MKI, session parameters, several keys: not for us */
	snprintf(line, sizeof(line), "1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^20|1:4", k);
	TEST_EQ(parse(line, &c), ENOTSUP);
	snprintf(line, sizeof(line),
		 "1 AES_CM_128_HMAC_SHA1_80 inline:%s UNENCRYPTED_SRTP", k);
	TEST_EQ(parse(line, &c), ENOTSUP);
	snprintf(line, sizeof(line), "1 AES_CM_128_HMAC_SHA1_80 inline:%s;inline:%s", k,
		 k);
	TEST_EQ(parse(line, &c), ENOTSUP);
	snprintf(line, sizeof(line), "1 F8_128_HMAC_SHA1_80 inline:%s", k);
	TEST_EQ(parse(line, &c), ENOTSUP);
	/* broken lines */
	TEST_EQ(parse("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", &c), EBADMSG);
	TEST_EQ(parse("1 AES_CM_128_HMAC_SHA1_80 inline:", &c), EBADMSG);
	TEST_EQ(parse("1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", &c), EBADMSG);
	snprintf(line, sizeof(line), "x AES_CM_128_HMAC_SHA1_80 inline:%s", k);
	TEST_EQ(parse(line, &c), EBADMSG);
	snprintf(line, sizeof(line), "1234567890 AES_CM_128_HMAC_SHA1_80 inline:%s", k);
	TEST_EQ(parse(line, &c), EBADMSG);
	TEST_EQ(parse("1 AES_CM_128_HMAC_SHA1_80", &c), EBADMSG);
	TEST_EQ(parse("", &c), EBADMSG);
	TEST_EQ(parse("1 AES_CM_128_HMAC_SHA1_80 key:abc", &c), ENOTSUP);
	return 0;
}

static bool has(const struct mbuf *mb, const char *s)
{
	return memmem(mb->buf, mb->end, s, strlen(s)) != NULL;
}

/* a offers, b answers, a takes the answer */
static int exchange(struct media_stream *a, struct media_stream *b, struct mbuf **offerp,
		    struct mbuf **answerp)
{
	int err = media_stream_offer(a, offerp);

	if (err)
		return err;
	err = media_stream_answer(b, *offerp, answerp);
	if (err)
		return err;
	(*offerp)->pos = 0;
	(*answerp)->pos = 0;
	return media_stream_accept(a, *answerp);
}

static int test_sdes_offer_answer(void)
{
	struct media *m = NULL;
	struct media_stream *a = NULL, *b = NULL;
	struct mbuf *o = NULL, *an = NULL;
	struct media_srtp *kept;
	int r = 1;

	setup_node();
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&a, m, no_event, NULL));
	TEST_CHECK(!media_stream_alloc(&b, m, no_event, NULL));
	media_stream_srtp_policy(a, MEDIA_SRTP_OPTIONAL);
	media_stream_srtp_policy(b, MEDIA_SRTP_REQUIRED);
	TEST_CHECK(!exchange(a, b, &o, &an));
	/* best effort: crypto on RTP/AVP; the answer mirrors the offer */
	TEST_CHECK(has(o, " RTP/AVP "));
	TEST_CHECK(has(o, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	TEST_CHECK(has(an, " RTP/AVP "));
	TEST_CHECK(has(an, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	TEST_CHECK(media_stream_secure(a) && media_stream_secure(b));
	/* each one's send key is the other's receive key: they talk */
	run_ms(200);
	TEST_CHECK(a->rx_pkts >= 5 && b->rx_pkts >= 5);
	TEST_CHECK(!a->srtp_failures && !b->srtp_failures);
	/* a re-offer with the same keys (a hold) keeps the context */
	kept = a->srtp;
	o = mem_deref(o);
	an = mem_deref(an);
	TEST_CHECK(!exchange(b, a, &o, &an));
	TEST_CHECK(a->srtp == kept);
	/* b requires: its own offer says RTP/SAVP */
	TEST_CHECK(has(o, " RTP/SAVP "));
	TEST_CHECK(has(an, " RTP/SAVP "));
	run_ms(100);
	TEST_CHECK(!a->srtp_failures && !b->srtp_failures);
	r = 0;
out:
	mem_deref(o);
	mem_deref(an);
	mem_deref(a);
	mem_deref(b);
	mem_deref(m);
	return r;
}

static const char *plain_offer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 %s 0\r\n%s";

/* s's answer to an offer of proto with extra lines. */
static int answer_with(struct media_stream *s, const char *proto, const char *extra,
		       struct mbuf **ans)
{
	struct mbuf *o = mbuf_alloc(512);
	int err;

	if (!o)
		return ENOMEM;
	mbuf_printf(o, plain_offer, proto, extra);
	o->pos = 0;
	err = media_stream_answer(s, o, ans);
	mem_deref(o);
	return err;
}

static int test_sdes_policies(void)
{
	const char *crypto = "a=crypto:3 AES_CM_128_HMAC_SHA1_32 "
			     "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	const char *bad = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n";
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct mbuf *an = NULL;
	bool ok;
	int r = 1;

	TEST_EQ(media_srtp_policy_of("Required", &ok), MEDIA_SRTP_REQUIRED);
	TEST_ASSERT(ok);
	TEST_EQ(media_srtp_policy_of("optional", &ok), MEDIA_SRTP_OPTIONAL);
	TEST_EQ(media_srtp_policy_of("off", &ok), MEDIA_SRTP_OFF);
	TEST_ASSERT(ok);
	media_srtp_policy_of("maybe", &ok);
	TEST_ASSERT(!ok);
	setup_node();
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&s, m, no_event, NULL));
	/* off: plain as before; RTP/SAVP refused; crypto lines ignored */
	TEST_CHECK(answer_with(s, "RTP/SAVP", crypto, &an) == ENOTSUP);
	TEST_CHECK(!answer_with(s, "RTP/AVP", crypto, &an));
	TEST_CHECK(!has(an, "a=crypto") && !media_stream_secure(s));
	an = mem_deref(an);
	/* required: no crypto, or none usable, is 488 */
	media_stream_srtp_policy(s, MEDIA_SRTP_REQUIRED);
	TEST_CHECK(answer_with(s, "RTP/AVP", "", &an) == ENOTSUP);
	TEST_CHECK(answer_with(s, "RTP/SAVP", bad, &an) == ENOTSUP);
	/* the first usable line wins, its tag and suite answered */
	{
		char both[300];
		snprintf(both, sizeof(both), "%s%s", bad, crypto);
		TEST_CHECK(!answer_with(s, "RTP/SAVP", both, &an));
	}
	TEST_CHECK(has(an, " RTP/SAVP "));
	TEST_CHECK(has(an, "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:"));
	TEST_CHECK(media_stream_secure(s));
	an = mem_deref(an);
	/* optional: a plain re-offer turns SRTP off */
	media_stream_srtp_policy(s, MEDIA_SRTP_OPTIONAL);
	TEST_CHECK(!answer_with(s, "RTP/AVP", "", &an));
	TEST_CHECK(!has(an, "a=crypto") && !media_stream_secure(s));
	r = 0;
out:
	mem_deref(an);
	mem_deref(s);
	mem_deref(m);
	return r;
}

static int test_sdes_required_answer_without_crypto(void)
{
	struct media *m = NULL;
	struct media_stream *a = NULL, *b = NULL;
	struct mbuf *o = NULL, *an = NULL;
	int r = 1;

	setup_node();
	TEST_ERR(media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&a, m, no_event, NULL));
	TEST_CHECK(!media_stream_alloc(&b, m, no_event, NULL));
	media_stream_srtp_policy(a, MEDIA_SRTP_REQUIRED);
	media_stream_srtp_policy(b, MEDIA_SRTP_OPTIONAL);
	/* b answers RTP/SAVP with crypto: fine */
	TEST_CHECK(!exchange(a, b, &o, &an));
	TEST_CHECK(media_stream_secure(a));
	o = mem_deref(o);
	an = mem_deref(an);
	/* an answer that drops the crypto line is refused */
	TEST_CHECK(!media_stream_offer(a, &o));
	an = mbuf_alloc(512);
	mbuf_printf(an, plain_offer, "RTP/SAVP", "");
	an->pos = 0;
	TEST_CHECK(media_stream_accept(a, an) == ENOTSUP);
	r = 0;
out:
	mem_deref(o);
	mem_deref(an);
	mem_deref(a);
	mem_deref(b);
	mem_deref(m);
	return r;
}

static const struct test_case tests[] = {
    {"RFC 3711 B.2: the reference AES-CM keystream", test_b2_keystream},
    {"RFC 3711 B.3: the reference key derivation", test_b3_key_derivation},
    {"suites: names, key lengths, bad calls", test_suites_and_bad_calls},
    {"a secure stream sends the RFC 3711 transform of its packets", test_sent_is_rfc3711},
    {"a secure stream takes SRTP, drops forged, replayed and plain packets",
     test_received_forged_replayed},
    {"two streams talk in AES_CM_128_HMAC_SHA1_80", test_round_trip_80},
    {"two streams talk in AES_CM_128_HMAC_SHA1_32", test_round_trip_32},
    {"two streams talk in AEAD_AES_128_GCM", test_round_trip_gcm},
    {"a wrong key: every packet dropped and counted", test_wrong_key_dropped},
    {"SDES: crypto lines parsed, bad and unusable ones told apart", test_sdes_parse},
    {"SDES: offer and answer key both streams, a re-offer keeps the keys",
     test_sdes_offer_answer},
    {"SDES: off, optional and required answer as they should", test_sdes_policies},
    {"SDES: required refuses an answer without crypto",
     test_sdes_required_answer_without_crypto},
};

int main(void)
{
	enum { N = sizeof(tests) / sizeof(tests[0]) };
	static char names[N][160];
	struct test_case threaded[N];
	int r;

	if (libre_init())
		return 2;
	r = test_run_all(tests, N);
	threads = 3;
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "%s (3 media threads)",
			 tests[i].name);
		threaded[i] = tests[i];
		threaded[i].name = names[i];
	}
	r |= test_run_all(threaded, N);
	libre_close();
	return r;
}
