/*
 * test_ice.c — ICE-lite's STUN check (ice.c) and the first-byte demux
 * (RFC 7983): a browser's Binding request answered with a response it
 * can check (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY with our password,
 * FINGERPRINT); a request with another ufrag, a wrong integrity, a
 * missing or wrong fingerprint refused with nothing written; each first
 * byte sorted as STUN, DTLS, RTP or other.
 */
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <re.h>
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"
#include "test.h"
#include "test_audio.h"

static struct cfg_node node;
static unsigned threads = 1;

static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* A browser's check: USERNAME ours:theirs, PRIORITY, ICE-CONTROLLING,
 * USE-CANDIDATE when nominate, keyed with pwd, FINGERPRINT when fp. */
static struct mbuf *check_req(const char *user, const char *pwd, bool nominate, bool fp)
{
	struct mbuf *mb = mbuf_alloc(256);
	uint32_t prio = 1853824767;
	uint64_t tiebrk = 0x1122334455667788ULL;
	uint8_t flag = 1; /* USE-CANDIDATE has no value; libre skips a NULL one */
	int err;

	if (!mb)
		return NULL;
	if (nominate)
		err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid,
				      NULL, (const uint8_t *)pwd, strlen(pwd), fp, 0x20,
				      4, STUN_ATTR_USERNAME, user, STUN_ATTR_PRIORITY,
				      &prio, STUN_ATTR_CONTROLLING, &tiebrk,
				      STUN_ATTR_USE_CAND, &flag);
	else
		err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid,
				      NULL, (const uint8_t *)pwd, strlen(pwd), fp, 0x20,
				      3, STUN_ATTR_USERNAME, user, STUN_ATTR_PRIORITY,
				      &prio, STUN_ATTR_CONTROLLING, &tiebrk);
	if (err)
		return mem_deref(mb);
	mb->pos = 0;
	return mb;
}

static int test_good(void)
{
	struct media_ice ice;
	struct mbuf *req = NULL, *rsp = mbuf_alloc(256);
	struct stun_msg *msg = NULL;
	struct stun_attr *xa;
	char user[64];
	struct sa src;
	bool nom = false;
	int r = 1;

	TEST_CHECK(rsp);
	media_ice_init(&ice);
	TEST_CHECK(strlen(ice.ufrag) == 8 && strlen(ice.pwd) == 24);
	(void)sa_set_str(&src, "192.0.2.7", 50123);
	snprintf(user, sizeof(user), "%s:browser1", ice.ufrag);
	req = check_req(user, ice.pwd, true, true);
	TEST_CHECK(req);
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == 0);
	TEST_CHECK(nom);
	/* the browser checks our answer as we checked its request */
	rsp->pos = 0;
	TEST_CHECK(!stun_msg_decode(&msg, rsp, NULL));
	TEST_CHECK(stun_msg_class(msg) == STUN_CLASS_SUCCESS_RESP);
	TEST_CHECK(!memcmp(stun_msg_tid(msg), tid, 12));
	TEST_CHECK(!stun_msg_chk_mi(msg, (const uint8_t *)ice.pwd, strlen(ice.pwd)));
	TEST_CHECK(!stun_msg_chk_fingerprint(msg));
	xa = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
	TEST_CHECK(xa && sa_cmp(&xa->v.xor_mapped_addr, &src, SA_ALL));
	/* without USE-CANDIDATE: answered, not nominated */
	msg = mem_deref(msg);
	req = mem_deref(req);
	req = check_req(user, ice.pwd, false, true);
	TEST_CHECK(req);
	mbuf_reset(rsp);
	nom = true;
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == 0);
	TEST_CHECK(!nom && rsp->end > 20);
	r = 0;
out:
	mem_deref(msg);
	mem_deref(req);
	mem_deref(rsp);
	return r;
}

static int test_refused(void)
{
	struct media_ice ice;
	struct mbuf *req = NULL, *rsp = mbuf_alloc(256);
	char user[64];
	struct sa src;
	bool nom = false;
	int r = 1;

	TEST_CHECK(rsp);
	media_ice_init(&ice);
	(void)sa_set_str(&src, "127.0.0.1", 5000);
	/* another agent's ufrag */
	req = check_req("nobody12:browser1", ice.pwd, true, true);
	TEST_CHECK(req);
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == EACCES);
	req = mem_deref(req);
	/* keyed with another password: MESSAGE-INTEGRITY fails */
	snprintf(user, sizeof(user), "%s:browser1", ice.ufrag);
	req = check_req(user, "not-our-password-at-all!", true, true);
	TEST_CHECK(req);
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == EAUTH);
	req = mem_deref(req);
	/* no FINGERPRINT */
	req = check_req(user, ice.pwd, true, false);
	TEST_CHECK(req);
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == EPROTO);
	req = mem_deref(req);
	/* a FINGERPRINT that does not match (its last byte changed) */
	req = check_req(user, ice.pwd, true, true);
	TEST_CHECK(req);
	req->buf[req->end - 1] ^= 0x5a;
	TEST_CHECK(media_ice_check(&ice, mbuf_buf(req), mbuf_get_left(req), &src, rsp,
				   &nom) == EPROTO);
	/* no STUN at all, and a response instead of a request */
	{
		static const uint8_t junk[] = {0x00, 0x01, 0x00, 0x04, 0x21, 0x12};

		TEST_CHECK(media_ice_check(&ice, junk, sizeof(junk), &src, rsp, &nom) ==
			   EBADMSG);
	}
	TEST_CHECK(rsp->end == 0 && !nom);
	r = 0;
out:
	mem_deref(req);
	mem_deref(rsp);
	return r;
}

static int test_demux(void)
{
	static const struct {
		uint8_t b;
		enum media_pkt k;
	} cases[] = {
	    {0, MEDIA_PKT_STUN},    {1, MEDIA_PKT_STUN},    {3, MEDIA_PKT_STUN},
	    {4, MEDIA_PKT_OTHER},   {19, MEDIA_PKT_OTHER},  {20, MEDIA_PKT_DTLS},
	    {22, MEDIA_PKT_DTLS},   {63, MEDIA_PKT_DTLS},   {64, MEDIA_PKT_OTHER},
	    {127, MEDIA_PKT_OTHER}, {128, MEDIA_PKT_RTP},   {0x80, MEDIA_PKT_RTP},
	    {191, MEDIA_PKT_RTP},   {192, MEDIA_PKT_OTHER}, {255, MEDIA_PKT_OTHER},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TEST_EQ(media_pkt_kind(&cases[i].b, 1), cases[i].k);
	TEST_EQ(media_pkt_kind((const uint8_t *)"", 0), MEDIA_PKT_OTHER);
	return 0;
}

/* --- a stream: SDP, then a browser's check and the media after it ---- */

struct peer {
	struct udp_sock *us;
	struct sa addr;
	uint8_t first[256]; /* the first datagram it got */
	size_t firstn, pkts, rtp;
	uint8_t last_rtp[256]; /* the last RTP packet */
	size_t last_rtpn;
	BIO *rbio; /* the DTLS client's, when there is one */
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
	if (n && media_pkt_kind(mbuf_buf(mb), n) == MEDIA_PKT_RTP) {
		p->rtp++;
		if (n <= sizeof(p->last_rtp)) {
			memcpy(p->last_rtp, mbuf_buf(mb), n);
			p->last_rtpn = n;
		}
	}
	if (p->rbio && n && media_pkt_kind(mbuf_buf(mb), n) == MEDIA_PKT_DTLS)
		BIO_write(p->rbio, mbuf_buf(mb), (int)n);
}

/* --- a browser's DTLS client, made with OpenSSL here ------------------- */

struct client {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	char fp[128];
};

static int verify_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static void client_free(struct client *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	memset(c, 0, sizeof(*c));
}

static int client_make(struct client *c)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	size_t o = 0;
	int err = ENOMEM;

	memset(c, 0, sizeof(*c));
	if (!key || !x)
		goto out;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const uint8_t *)"browser", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (!X509_sign(x, key, EVP_sha256()) || !X509_digest(x, EVP_sha256(), md, &n))
		goto out;
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(c->fp + o, sizeof(c->fp) - o, "%s%02X",
				      i ? ":" : "", md[i]);
	c->ctx = SSL_CTX_new(DTLS_client_method());
	if (!c->ctx || !SSL_CTX_use_certificate(c->ctx, x) ||
	    !SSL_CTX_use_PrivateKey(c->ctx, key) ||
	    SSL_CTX_set_tlsext_use_srtp(c->ctx, "SRTP_AES128_CM_SHA1_80"))
		goto out;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, verify_any);
	c->ssl = SSL_new(c->ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (!c->ssl || !c->rbio || !c->wbio)
		goto out;
	BIO_set_mem_eof_return(c->rbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_connect_state(c->ssl);
	err = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return err;
}

/* Runs the client's handshake against the stream at dst through p's
 * socket; 0 when it ended. */
static int client_handshake(struct client *c, struct peer *p, const struct sa *dst)
{
	p->rbio = c->rbio;
	for (int i = 0; i < 30; i++) {
		uint8_t buf[2048];
		int r = SSL_do_handshake(c->ssl), n;

		while ((n = BIO_read(c->wbio, buf, sizeof(buf))) > 0) {
			struct mbuf *mb = mbuf_alloc((size_t)n);

			if (!mb)
				return ENOMEM;
			mbuf_write_mem(mb, buf, (size_t)n);
			mb->pos = 0;
			udp_send(p->us, dst, mb);
			mem_deref(mb);
		}
		if (r == 1)
			return 0;
		run_ms(30);
	}
	return ETIMEDOUT;
}

static bool has(const struct mbuf *mb, const char *str)
{
	return memmem(mb->buf, mb->end, str, strlen(str)) != NULL;
}

/* A browser's side of a call: ICE check, DTLS client, SRTP. good: its
 * SDP names its certificate (else another one's). */
static int webrtc_call(bool good)
{
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct mbuf *offer = NULL, *ans = mbuf_alloc(1024), *req = NULL, *pkt = NULL;
	struct srtp *srtp = NULL;
	struct client c;
	struct peer p;
	char line[160], user[64];
	uint8_t km[60], skey[30];
	struct sa dst;
	int r = 1;

	memset(&node, 0, sizeof(node));
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	node.media_threads = threads;
	strcpy(node.media_addr, "127.0.0.1");
	strcpy(node.media_codecs, "PCMU,PCMA"); /* what the test's client reads */
	node.rtp_port_min = (uint16_t)(42000 + (getpid() % 2000) * 10);
	node.rtp_port_max = (uint16_t)(node.rtp_port_min + 9);
	TEST_CHECK(ans && !client_make(&c));
	(void)sa_set_str(&p.addr, "127.0.0.1", 0);
	TEST_CHECK(!udp_listen(&p.us, &p.addr, peer_recv, &p));
	TEST_CHECK(!udp_local_get(p.us, &p.addr));
	TEST_CHECK(!media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&s, m, no_event, NULL));
	TEST_CHECK(!media_stream_webrtc(s) && media_stream_is_webrtc(s));
	TEST_CHECK(!media_stream_offer(s, &offer));
	dst = *rtp_local(s->rtp);
	(void)sa_set_str(&dst, "127.0.0.1", sa_port(&dst));
	TEST_CHECK(has(offer, " UDP/TLS/RTP/SAVPF 0 8 101\r\n"));
	TEST_CHECK(has(offer, "a=ice-lite\r\n") && has(offer, "a=rtcp-mux\r\n") &&
		   has(offer, "a=setup:actpass\r\n") && !has(offer, "a=crypto"));
	snprintf(line, sizeof(line), "a=fingerprint:sha-256 %s\r\n",
		 media_dtls_fingerprint());
	TEST_CHECK(has(offer, line));
	snprintf(line, sizeof(line), "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", s->ice.ufrag,
		 s->ice.pwd);
	TEST_CHECK(has(offer, line));
	snprintf(line, sizeof(line),
		 "a=candidate:1 1 UDP 2130706431 127.0.0.1 %u typ host\r\n",
		 sa_port(&dst));
	TEST_CHECK(has(offer, line));
	/* Chrome's answer says nothing of its address: ICE will */
	mbuf_printf(ans,
		    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		    "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n"
		    "a=ice-ufrag:brws\r\na=ice-pwd:browserpasswordbrowserpw\r\n"
		    "a=fingerprint:sha-256 %s\r\n"
		    "a=setup:active\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
		    "a=rtpmap:0 PCMU/8000\r\n",
		    good ? c.fp : media_dtls_fingerprint());
	ans->pos = 0;
	TEST_CHECK(!media_stream_accept(s, ans));
	run_ms(100);
	TEST_CHECK(p.pkts == 0); /* nowhere to send yet */
	/* the browser's nominating check from its candidate */
	snprintf(user, sizeof(user), "%s:brws", s->ice.ufrag);
	req = check_req(user, s->ice.pwd, true, true);
	TEST_CHECK(req);
	TEST_CHECK(!udp_send(p.us, &dst, req));
	run_ms(100);
	TEST_CHECK(p.pkts == 1 && media_pkt_kind(p.first, p.firstn) == MEDIA_PKT_STUN &&
		   p.first[0] == 0x01 && p.first[1] == 0x01); /* a Binding success */
	TEST_CHECK(p.rtp == 0);				      /* never in the clear */
	TEST_CHECK(!client_handshake(&c, &p, &dst));
	run_ms(100);
	if (!good) {
		/* the certificate is not the SDP's: no media, a reason */
		TEST_CHECK(p.rtp == 0);
		TEST_CHECK(media_stream_failure(s) != NULL);
		r = 0;
		goto out;
	}
	TEST_CHECK(p.rtp >= 2 && media_stream_secure(s) && !media_stream_failure(s));
	/* RFC 5764 §4.2: what we send is keyed by the server's half */
	TEST_CHECK(SSL_export_keying_material(c.ssl, km, sizeof(km),
					      "EXTRACTOR-dtls_srtp", 19, NULL, 0,
					      0) == 1);
	memcpy(skey, km + 16, 16);
	memcpy(skey + 16, km + 32 + 14, 14);
	TEST_CHECK(!srtp_alloc(&srtp, SRTP_AES_CM_128_HMAC_SHA1_80, skey, 30, 0));
	pkt = mbuf_alloc(p.last_rtpn);
	TEST_CHECK(pkt);
	mbuf_write_mem(pkt, p.last_rtp, p.last_rtpn);
	pkt->pos = 0;
	TEST_CHECK(!srtp_decrypt(srtp, pkt));
	TEST_CHECK(pkt->end == 12 + 160); /* the tag checked and gone */
	r = 0;
out:
	p.rbio = NULL;
	client_free(&c);
	mem_deref(s);
	mem_deref(m);
	mem_deref(p.us);
	mem_deref(offer);
	mem_deref(ans);
	mem_deref(req);
	mem_deref(pkt);
	mem_deref(srtp);
	return r;
}

static int test_stream(void)
{
	return webrtc_call(true);
}

static int test_stream_bad_cert(void)
{
	return webrtc_call(false);
}

/* A browser's own offer (an agent dialling from the desktop): answered
 * as WebRTC, passive, with its mid. */
static int test_answer_browser_offer(void)
{
	static const char offer[] =
	    "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	    "a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\n"
	    "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Xk3a\r\n"
	    "a=ice-pwd:8hd7Ahsk29dKs8dk2Ls93kdS\r\na=ice-options:trickle\r\n"
	    "a=fingerprint:sha-256 "
	    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
	    "33:44:55:"
	    "66:77:88:99\r\n"
	    "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
	    "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 "
	    "PCMA/8000\r\n"
	    "a=rtpmap:126 telephone-event/8000\r\n";
	struct media *m = NULL;
	struct media_stream *s = NULL;
	struct mbuf *o = mbuf_alloc(sizeof(offer)), *ans = NULL;
	int r = 1;

	memset(&node, 0, sizeof(node));
	node.media_threads = 1;
	strcpy(node.media_addr, "127.0.0.1");
	strcpy(node.media_codecs, "PCMU,PCMA"); /* G.711 picked from the offer */
	node.rtp_port_min = (uint16_t)(44000 + (getpid() % 2000) * 10);
	node.rtp_port_max = (uint16_t)(node.rtp_port_min + 9);
	TEST_CHECK(o);
	mbuf_write_str(o, offer);
	o->pos = 0;
	TEST_CHECK(!media_alloc(&m, &node));
	TEST_CHECK(!media_stream_alloc(&s, m, no_event, NULL));
	TEST_CHECK(!media_stream_answer(s, o, &ans));
	TEST_CHECK(media_stream_is_webrtc(s));
	TEST_CHECK(has(ans, " UDP/TLS/RTP/SAVPF 0"));
	TEST_CHECK(has(ans, "a=setup:passive\r\n") && has(ans, "a=mid:0\r\n") &&
		   has(ans, "a=ice-lite\r\n") && has(ans, "a=rtcp-mux\r\n") &&
		   has(ans, "a=fingerprint:sha-256 ") && has(ans, "typ host\r\n") &&
		   !has(ans, "a=crypto"));
	r = 0;
out:
	mem_deref(s);
	mem_deref(m);
	mem_deref(o);
	mem_deref(ans);
	return r;
}

static const struct test_case tests[] = {
    {"a browser's check answered: integrity, fingerprint, mapped address, nomination",
     test_good},
    {"refused: another ufrag, bad integrity, no or bad fingerprint, no STUN",
     test_refused},
    {"RFC 7983 demux by the first byte", test_demux},
    {"a WebRTC stream: ICE-lite SDP, a nominating check, DTLS-SRTP keys a client's "
     "export names",
     test_stream},
    {"a DTLS client whose certificate is not its SDP's: no media, a reason",
     test_stream_bad_cert},
    {"a browser's own offer answered as WebRTC: passive, its mid, ICE-lite",
     test_answer_browser_offer},
};

int main(void)
{
	int r;

	if (libre_init())
		return 2;
	r = test_run_all(tests, sizeof(tests) / sizeof(tests[0]));
	{
		static const struct test_case t3[] = {
		    {"the WebRTC stream again, on 3 media threads", test_stream},
		    {"the bad certificate again, on 3 media threads",
		     test_stream_bad_cert}};

		threads = 3;
		r |= test_run_all(t3, 2);
	}
	libre_close();
	return r;
}
