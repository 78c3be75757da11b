/*
 * dtls.c — DTLS-SRTP (RFC 5763, RFC 5764) for a browser's media stream:
 * one certificate per process (an ECDSA P-256 key made at the first
 * WebRTC stream, its SHA-256 fingerprint in every a=fingerprint), and per
 * stream an OpenSSL DTLS server on memory BIOs. We are always the DTLS
 * server (a=setup:passive answering, actpass offering: browsers answer
 * active). When the handshake ends, the browser's certificate must be
 * the one its SDP's fingerprint names; then the SRTP keys are exported
 * (RFC 5764 §4.2, "EXTRACTOR-dtls_srtp") and the stream is keyed with
 * media_stream_srtp's locked half (srtp.c).
 *
 * Where the handshake runs: on the stream's shard thread, in the read
 * that found the datagram (under the shard's lock, as every datagram of
 * the stream is handled). Its records are a few per call, and an ECDHE
 * P-256 step with an ECDSA signature costs well under a millisecond, so
 * the tick is not held up the way a hop to the main loop and back
 * (an mqueue message per record, the stream looked up again) would cost
 * more in code than it saves in time. We never retransmit on our own: as
 * the server, a lost flight of ours is asked for again by the client's
 * retransmission, which OpenSSL answers.
 *
 * Not here: ICE (ice.c), the SRTP transform (srtp.c).
 */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

#define DTLS_SRTP_KEY  16 /* AES_CM_128_HMAC_SHA1_80 (RFC 5764 §4.1.2) */
#define DTLS_SRTP_SALT 14

/* The process's certificate and context: made once, on the main loop
 * (the first WebRTC stream's SDP), kept until exit. */
static struct {
	SSL_CTX *ctx;
	char fp[3 * 32]; /* "AB:CD:..." of the certificate's SHA-256 */
	pthread_mutex_t lock;
} cert = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct media_dtls {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
	char remote_fp[3 * 64];
	bool done, failed;
};

/* RFC 5763 §5: the peer's certificate is self-signed; what vouches for
 * it is the fingerprint its SDP carried, checked when the handshake ends */
static int verify_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static int fp_of(X509 *x, char *out, size_t sz)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	size_t o = 0;

	if (!X509_digest(x, EVP_sha256(), md, &n) || sz < n * 3)
		return EINVAL;
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s%02X", i ? ":" : "", md[i]);
	return 0;
}

static int cert_make(void)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	SSL_CTX *ctx = NULL;
	int err = ENOMEM;

	key = EVP_EC_gen("P-256");
	x = X509_new();
	if (!key || !x)
		goto out;
	/* a random serial, valid a day before (clocks) to 30 days on */
	if (!ASN1_INTEGER_set(X509_get_serialNumber(x),
			      (long)(rand_u32() & 0x7fffffff)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) ||
	    !X509_set_pubkey(x, key))
		goto out;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const uint8_t *)"hotline", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_sign(x, key, EVP_sha256()))
		goto out;
	ctx = SSL_CTX_new(DTLS_method());
	if (!ctx || !SSL_CTX_use_certificate(ctx, x) || !SSL_CTX_use_PrivateKey(ctx, key))
		goto out;
	/* RFC 5764 §4.1.2: the profile libre's SRTP and srtp.c have */
	if (SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AES128_CM_SHA1_80"))
		goto out;
	SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
	/* RFC 5763 §5: the client must show its certificate */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			   verify_any);
	SSL_CTX_set_read_ahead(ctx, 1);
	if (fp_of(x, cert.fp, sizeof(cert.fp)))
		goto out;
	cert.ctx = ctx;
	ctx = NULL;
	err = 0;
	log_info("media: DTLS certificate made fingerprint=sha-256 %s", cert.fp);
out:
	if (err)
		log_warn("media: cannot make a DTLS certificate");
	SSL_CTX_free(ctx);
	X509_free(x);
	EVP_PKEY_free(key);
	return err;
}

const char *media_dtls_fingerprint(void)
{
	const char *fp = NULL;

	pthread_mutex_lock(&cert.lock);
	if (cert.ctx || !cert_make())
		fp = cert.fp;
	pthread_mutex_unlock(&cert.lock);
	return fp;
}

static void dtls_destructor(void *arg)
{
	struct media_dtls *d = arg;

	SSL_free(d->ssl); /* and its BIOs */
}

int media__dtls_alloc(struct media_stream *s)
{
	struct media_dtls *d;

	if (s->dtls)
		return 0;
	if (!media_dtls_fingerprint())
		return ENOSYS;
	d = mem_zalloc(sizeof(*d), dtls_destructor);
	if (!d)
		return ENOMEM;
	d->ssl = SSL_new(cert.ctx);
	d->rbio = BIO_new(BIO_s_mem());
	d->wbio = BIO_new(BIO_s_mem());
	if (!d->ssl || !d->rbio || !d->wbio) {
		BIO_free(d->rbio);
		BIO_free(d->wbio);
		mem_deref(d);
		return ENOMEM;
	}
	BIO_set_mem_eof_return(d->rbio, -1);
	SSL_set_bio(d->ssl, d->rbio, d->wbio);
	SSL_set_accept_state(d->ssl);
	/* a record per datagram within what the path surely carries */
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	DTLS_set_link_mtu(d->ssl, 1200);
	s->dtls = d;
	return 0;
}

void media__dtls_remote(struct media_stream *s, const char *fingerprint)
{
	struct pl hash, fp;

	if (!s->dtls || !fingerprint)
		return;
	/* "sha-256 AB:CD:..." (RFC 8122 §5) */
	if (re_regex(fingerprint, strlen(fingerprint), "[^ ]+ [0-9A-Fa-f:]+", &hash,
		     &fp) ||
	    pl_strcasecmp(&hash, "sha-256"))
		return;
	pl_strcpy(&fp, s->dtls->remote_fp, sizeof(s->dtls->remote_fp));
}

/* Sends what OpenSSL wrote, a datagram per record flight piece. */
static void flush(struct media_stream *s, const struct sa *dst)
{
	uint8_t buf[2048];
	int fd = udp_sock_fd(rtp_sock(s->rtp), sa_af(dst)), n;

	while ((n = BIO_read(s->dtls->wbio, buf, sizeof(buf))) > 0)
		if (fd >= 0)
			(void)sendto(fd, buf, (size_t)n, 0, &dst->u.sa, dst->len);
}

static void fail(struct media_stream *s, const char *why)
{
	s->dtls->failed = true;
	log_info("media: DTLS failed port=%u: %s", sa_port(rtp_local(s->rtp)), why);
	s->webrtc_fail = why;
}

/* The handshake ended: the peer is who its SDP said, the keys go in. */
static void done(struct media_stream *s)
{
	struct media_dtls *d = s->dtls;
	uint8_t km[2 * (DTLS_SRTP_KEY + DTLS_SRTP_SALT)], tx[30], rx[30];
	X509 *peer = SSL_get1_peer_certificate(d->ssl);
	char fp[3 * 64];
	int e;

	d->done = true;
	e = peer ? fp_of(peer, fp, sizeof(fp)) : EINVAL;
	X509_free(peer);
	if (e || !d->remote_fp[0] || strcasecmp(fp, d->remote_fp)) {
		fail(s, "the certificate is not the one the SDP's fingerprint names");
		return;
	}
	if (!SSL_get_selected_srtp_profile(d->ssl) ||
	    SSL_export_keying_material(d->ssl, km, sizeof(km), "EXTRACTOR-dtls_srtp", 19,
				       NULL, 0, 0) != 1) {
		fail(s, "no SRTP profile agreed");
		return;
	}
	/* RFC 5764 §4.2: client key, server key, client salt, server salt;
	 * we are the server */
	memcpy(rx, km, DTLS_SRTP_KEY);
	memcpy(tx, km + DTLS_SRTP_KEY, DTLS_SRTP_KEY);
	memcpy(rx + DTLS_SRTP_KEY, km + 2 * DTLS_SRTP_KEY, DTLS_SRTP_SALT);
	memcpy(tx + DTLS_SRTP_KEY, km + 2 * DTLS_SRTP_KEY + DTLS_SRTP_SALT,
	       DTLS_SRTP_SALT);
	if (media__srtp_key(s, MEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, tx, rx)) {
		fail(s, "cannot key SRTP");
		return;
	}
	log_debug("media: DTLS-SRTP keyed port=%u", sa_port(rtp_local(s->rtp)));
	/* now, and only now, media flows (ice.c nominated where to) */
	s->ready = true;
	s->last_rx_ms = s->m->silence_ms;
}

void media__dtls_rx(struct media_stream *s, const struct sa *src, const uint8_t *buf,
		    size_t len)
{
	struct media_dtls *d = s->dtls;
	int r;

	if (!d || d->failed)
		return;
	/* RFC 8842 §4: DTLS with the address ICE chose */
	if (!s->ice.nominated || !sa_cmp(src, &s->raddr, SA_ALL))
		return;
	if (BIO_write(d->rbio, buf, (int)len) != (int)len)
		return;
	if (!d->done) {
		r = SSL_do_handshake(d->ssl);
		flush(s, src);
		if (r == 1) {
			done(s);
		} else if (SSL_get_error(d->ssl, r) != SSL_ERROR_WANT_READ) {
			ERR_clear_error();
			fail(s, "handshake refused");
		}
		return;
	}
	/* after the handshake: a retransmitted Finished answered, alerts read */
	{
		uint8_t junk[2048];

		r = SSL_read(d->ssl, junk, sizeof(junk));
		flush(s, src);
		if (r <= 0 && SSL_get_error(d->ssl, r) == SSL_ERROR_ZERO_RETURN)
			log_debug("media: DTLS closed by the peer port=%u",
				  sa_port(rtp_local(s->rtp)));
		ERR_clear_error();
	}
}

bool media__dtls_keyed(const struct media_stream *s)
{
	return s->dtls && s->dtls->done && !s->dtls->failed;
}
