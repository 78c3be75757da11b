/*
 * bench_webrtc.c — browsers' media streams alone (ice.c, dtls.c, srtp.c):
 * N WebRTC streams set up at once (a nominating ICE check, a DTLS
 * handshake, SRTP keyed from it), then SRTP both ways for a while.
 *
 *   build/bench/bench_webrtc [CALLS=100] [SECONDS=10] [MEDIA_THREADS=1]
 *
 * A forked child plays every browser (an OpenSSL DTLS client and SRTP
 * per call, one certificate for all, as Chromium does per page), so the
 * figures are this process's own: the set-up rate (all N offered at once,
 * until every one is keyed), the CPU that took, and the CPU per call with
 * 20 ms SRTP packets both ways. One line per figure: "name: value".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static int verify_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

/* The browsers' certificate and context; fp its SDP fingerprint. */
static SSL_CTX *client_ctx(char *fp, size_t sz)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	size_t o = 0;
	SSL_CTX *ctx = SSL_CTX_new(DTLS_client_method());

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const uint8_t *)"browser", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, key, EVP_sha256());
	X509_digest(x, EVP_sha256(), md, &n);
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(fp + o, sz - o, "%s%02X", i ? ":" : "", md[i]);
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL_CTX_set_tlsext_use_srtp(ctx, "SRTP_AES128_CM_SHA1_80");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

struct browser {
	int fd;
	struct sockaddr_in to;
	SSL *ssl;
	BIO *rbio, *wbio;
	bool done;
	struct srtp *tx;
	uint16_t seq;
};

/* The STUN check with USE-CANDIDATE the browser sends first. */
static void check_send(struct browser *b, const struct media_ice *ice)
{
	struct mbuf *mb = mbuf_alloc(256);
	char user[64];
	uint8_t tid[12], flag = 1;
	uint32_t prio = 1853824767;
	uint64_t tie = 42;

	rand_bytes(tid, sizeof(tid));
	snprintf(user, sizeof(user), "%s:brws", ice->ufrag);
	if (!stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid, NULL,
			     (const uint8_t *)ice->pwd, strlen(ice->pwd), true, 0x20, 4,
			     STUN_ATTR_USERNAME, user, STUN_ATTR_PRIORITY, &prio,
			     STUN_ATTR_CONTROLLING, &tie, STUN_ATTR_USE_CAND, &flag))
		(void)sendto(b->fd, mb->buf, mb->end, 0, (struct sockaddr *)&b->to,
			     sizeof(b->to));
	mem_deref(mb);
}

static void flush(struct browser *b)
{
	uint8_t buf[2048];
	int n;

	while ((n = BIO_read(b->wbio, buf, sizeof(buf))) > 0)
		(void)sendto(b->fd, buf, (size_t)n, 0, (struct sockaddr *)&b->to,
			     sizeof(b->to));
}

/* The browsers: checks, handshakes, then SRTP each 20 ms until killed. */
static void browsers(int n, struct browser *bv, const struct media_ice *icev,
		     SSL_CTX *ctx)
{
	int left = n;
	uint8_t buf[2048];

	for (int i = 0; i < n; i++) {
		check_send(&bv[i], &icev[i]);
		bv[i].ssl = SSL_new(ctx);
		bv[i].rbio = BIO_new(BIO_s_mem());
		bv[i].wbio = BIO_new(BIO_s_mem());
		BIO_set_mem_eof_return(bv[i].rbio, -1);
		SSL_set_bio(bv[i].ssl, bv[i].rbio, bv[i].wbio);
		SSL_set_connect_state(bv[i].ssl);
	}
	usleep(20000); /* the checks answered */
	for (int i = 0; i < n; i++) {
		(void)SSL_do_handshake(bv[i].ssl);
		flush(&bv[i]);
	}
	while (left) {
		for (int i = 0; i < n; i++) {
			ssize_t r;

			while ((r = recv(bv[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
				if (bv[i].done ||
				    media_pkt_kind(buf, (size_t)r) != MEDIA_PKT_DTLS)
					continue;
				BIO_write(bv[i].rbio, buf, (int)r);
				if (SSL_do_handshake(bv[i].ssl) == 1) {
					uint8_t km[60], k[30];

					bv[i].done = true;
					left--;
					SSL_export_keying_material(
					    bv[i].ssl, km, sizeof(km),
					    "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0);
					memcpy(k, km, 16);
					memcpy(k + 16, km + 32, 14);
					(void)srtp_alloc(&bv[i].tx,
							 SRTP_AES_CM_128_HMAC_SHA1_80, k,
							 30, 0);
				}
				flush(&bv[i]);
			}
		}
		usleep(1000);
	}
	/* SRTP each 20 ms (what comes back is read and dropped) */
	for (uint64_t next = now_us();; next += 20000) {
		for (int i = 0; i < n; i++) {
			struct mbuf *mb = mbuf_alloc(200);
			uint8_t hdr[12] = {0x80, 0};

			hdr[2] = (uint8_t)(bv[i].seq >> 8);
			hdr[3] = (uint8_t)bv[i].seq++;
			hdr[11] = (uint8_t)i;
			mbuf_write_mem(mb, hdr, 12);
			mbuf_fill(mb, 0xff, 160);
			mb->pos = 0;
			if (bv[i].tx && !srtp_encrypt(bv[i].tx, mb))
				(void)sendto(bv[i].fd, mb->buf, mb->end, 0,
					     (struct sockaddr *)&bv[i].to,
					     sizeof(bv[i].to));
			mem_deref(mb);
			while (recv(bv[i].fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		}
		uint64_t t = now_us();
		if (next > t)
			usleep((useconds_t)(next - t));
	}
}

static void no_event(struct media_stream *s, enum media_evt evt, char d, void *arg)
{
	(void)s;
	(void)evt;
	(void)d;
	(void)arg;
}

static void stop(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run_ms(uint32_t ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, stop, NULL);
	re_main(NULL);
	tmr_cancel(&t);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, secs = argc > 2 ? atoi(argv[2]) : 10;
	struct cfg_node node;
	struct media *m = NULL;
	struct media_stream **sv = calloc((size_t)n, sizeof(*sv));
	struct browser *bv = calloc((size_t)n, sizeof(*bv));
	struct media_ice *icev = calloc((size_t)n, sizeof(*icev));
	SSL_CTX *ctx;
	char fp[128];
	double c0, c1, c2;
	uint64_t t0, t1 = 0;
	int keyed = 0;
	pid_t child;

	if (libre_init() || !sv || !bv || !icev)
		return 1;
	log_set_level(LOG_WARN);
	memset(&node, 0, sizeof(node));
	node.media_threads = argc > 3 ? (uint32_t)atoi(argv[3]) : 1;
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = 30000;
	node.rtp_port_max = (uint16_t)(30000 + 2 * n + 100);
	if (media_alloc(&m, &node))
		return 1;
	ctx = client_ctx(fp, sizeof(fp));
	(void)media_dtls_fingerprint(); /* the certificate, made before timing */
	for (int i = 0; i < n; i++) {
		struct mbuf *offer = NULL, *ans = mbuf_alloc(1024);
		struct sockaddr_in a = {.sin_family = AF_INET};

		if (media_stream_alloc(&sv[i], m, no_event, NULL) ||
		    media_stream_webrtc(sv[i]) || media_stream_offer(sv[i], &offer))
			return 1;
		mbuf_printf(ans,
			    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
			    "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n"
			    "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=rtcp-mux\r\n"
			    "a=rtpmap:0 PCMU/8000\r\n",
			    fp);
		ans->pos = 0;
		if (media_stream_accept(sv[i], ans))
			return 1;
		mem_deref(offer);
		mem_deref(ans);
		icev[i] = sv[i]->ice;
		bv[i].fd = socket(AF_INET, SOCK_DGRAM, 0);
		a.sin_addr.s_addr = htonl(0x7f000001);
		(void)bind(bv[i].fd, (struct sockaddr *)&a, sizeof(a));
		bv[i].to = a;
		bv[i].to.sin_port = htons(sa_port(rtp_local(sv[i]->rtp)));
	}
	c0 = cpu_s();
	t0 = now_us();
	child = fork();
	if (!child) {
		browsers(n, bv, icev, ctx);
		_exit(0);
	}
	while (keyed < n && now_us() - t0 < 30000000) {
		run_ms(5);
		keyed = 0;
		for (int i = 0; i < n; i++)
			keyed += media_stream_secure(sv[i]) && sv[i]->ready;
		if (keyed == n)
			t1 = now_us();
	}
	c1 = cpu_s();
	printf("calls: %d\n", n);
	printf("media_threads: %u\n", node.media_threads);
	printf("keyed: %d\n", keyed);
	if (t1) {
		printf("setup_all_ms: %.1f\n", (t1 - t0) / 1000.0);
		printf("setups_per_s: %.0f\n", n / ((t1 - t0) / 1e6));
		printf("setup_cpu_ms_per_call: %.3f\n", (c1 - c0) * 1000.0 / n);
	}
	run_ms(1000); /* SRTP settles */
	c1 = cpu_s();
	run_ms((uint32_t)secs * 1000);
	c2 = cpu_s();
	printf("steady_cpu_pct: %.1f\n", (c2 - c1) * 100.0 / secs);
	printf("steady_cpu_pct_per_call: %.3f\n", (c2 - c1) * 100.0 / secs / n);
	{
		uint64_t rx = 0, tx = 0;

		for (int i = 0; i < n; i++) {
			rx += sv[i]->rx_pkts;
			tx += sv[i]->tx_pkts;
		}
		printf("rtp_in: %llu\nrtp_out: %llu\nsrtp_dropped: %llu\n",
		       (unsigned long long)rx, (unsigned long long)tx,
		       (unsigned long long)media_srtp_failures(m));
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	for (int i = 0; i < n; i++)
		mem_deref(sv[i]);
	mem_deref(m);
	SSL_CTX_free(ctx);
	libre_close();
	return 0;
}
