/*
 * bench_media.c — the media engine alone: N bridged, recorded calls (2N
 * RTP streams) with RTP flowing both ways, served by the one 20 ms tick.
 *
 *   build/bench/bench_media [CALLS=500] [SECONDS=20]
 *
 * BENCH_CODEC picks the phones' codec: pcmu (the default), opus (both
 * legs of every call Opus: each stream decodes and encodes Opus every
 * tick) or mixed (one leg Opus, the other PCMU: a transcoded call).
 *
 * A child process plays every phone: it sends a 20 ms PCMU packet to
 * each stream and timestamps what comes back, so the figures printed for
 * the engine are the engine's own (CPU of this process only) and the
 * jitter is what a phone would see. One line per figure: "name: value".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <math.h>
#include <time.h>
#include <opus/opus.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"

#define PEER_BASE 40000
#define OPUS_PT	  111

/* BENCH_CODEC: does stream i's phone speak Opus? (A call is streams 2c
 * and 2c+1.) */
static bool leg_opus(int i)
{
	const char *c = getenv("BENCH_CODEC");

	if (!c)
		return false;
	return !strcmp(c, "opus") || (!strcmp(c, "mixed") && i % 2 == 0);
}

/* 20 ms of a tone as a phone's Opus encoder sends it (48 kHz, 32 kbit/s):
 * the phones send this payload each time (decoding it costs the engine
 * what any frame would). Its length, 0 on failure. */
static size_t opus_frame(uint8_t *buf, size_t sz)
{
	int16_t pcm[960];
	OpusEncoder *enc;
	opus_int32 n = 0;
	int e;

	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &e);
	if (!enc)
		return 0;
	opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
	for (int k = 0; k < 10; k++) { /* past the encoder's start */
		for (int i = 0; i < 960; i++)
			pcm[i] = (int16_t)(8000 *
					   sin(2 * M_PI * 440 * (k * 960 + i) / 48000.0));
		n = opus_encode(enc, pcm, 960, buf, (opus_int32)sz);
	}
	opus_encoder_destroy(enc);
	return n > 0 ? (size_t)n : 0;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	}
	if (f)
		fclose(f);
	return kb;
}

static double cpu_s(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Arrival jitter as the phones see it: |gap - 20 ms| between two packets
 * of one stream, in 50 us buckets (the last bucket takes the rest). */
#define JIT_BUCKET_US 50
#define JIT_BUCKETS   2000
#define SLOTS	      20 /* send phases per 20 ms */

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* Wall clock: the kernel's receive stamps are CLOCK_REALTIME. */
static uint64_t now_rt_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static uint32_t jit_pct(const uint64_t *h, uint64_t total, double pct)
{
	uint64_t want = (uint64_t)(total * pct), acc = 0;

	for (int b = 0; b < JIT_BUCKETS; b++) {
		acc += h[b];
		if (acc > want)
			return (uint32_t)b * JIT_BUCKET_US;
	}
	return JIT_BUCKETS * JIT_BUCKET_US;
}

/* One datagram and the time the kernel took it in (SO_TIMESTAMPNS, the
 * same clock as the engine's send on loopback), so how soon this process
 * gets to read it does not count. *atp keeps its value without a stamp. */
static ssize_t recv_stamped(int fd, uint8_t *buf, size_t sz, uint64_t *atp)
{
	char ctl[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = {buf, sz};
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t r;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	r = recvmsg(fd, &msg, 0);
	if (r < 0)
		return r;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*atp =
			    (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		}
	}
	return r;
}

/* The phones: one socket per stream, a packet each 20 ms to the engine;
 * what comes back is timestamped on arrival (epoll) in this process while
 * a forked sender does the sending. Uses malloc, not mem_*: forked
 * children with no libre state of their own. */
static void phones(int n, const uint16_t *ports, int seconds, int outfd)
{
	int *fd = calloc((size_t)n, sizeof(int));
	uint64_t *last = calloc((size_t)n, sizeof(uint64_t));
	uint64_t *hist = calloc(JIT_BUCKETS, sizeof(uint64_t));
	uint8_t pkt160[172], opkt[12 + 400], buf[2048];
	size_t olen = 12 + opus_frame(opkt + 12, sizeof(opkt) - 12);
	struct sockaddr_in a;
	struct epoll_event ev, evs[256];
	uint64_t next, end, gaps = 0, maxjit = 0, warm;
	pid_t sender;
	int sp[2], one = 1;
	long sent = 0, recvd = 0;
	int ep = epoll_create1(0);
	char out[256];

	memset(pkt160, 0xff, sizeof(pkt160));
	pkt160[0] = 0x80;
	pkt160[1] = 0; /* PCMU */
	memcpy(opkt, pkt160, 12);
	opkt[1] = OPUS_PT;
	for (int i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((uint16_t)(PEER_BASE + i));
		if (bind(fd[i], (struct sockaddr *)&a, sizeof(a)))
			perror("bind");
		fcntl(fd[i], F_SETFL, O_NONBLOCK);
		setsockopt(fd[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev);
	}
	/* A second process sends, so a burst of sends never delays the
	 * timestamp of a packet that has arrived meanwhile. */
	next = now_us();
	warm = now_rt_us() + 1000000; /* the first second warms up */
	if (pipe(sp))
		_exit(1);
	sender = fork();
	if (sender == 0) {
		/* Real phones are not in step: each stream sends at its own
		 * phase of the 20 ms cycle, so the sends are spread over 20
		 * slots of 1 ms rather than one burst. */
		for (int slot = 0; slot < seconds * 50 * SLOTS; slot++) {
			int tick = slot / SLOTS, k = slot % SLOTS;
			struct timespec ts_next;

			for (int i = k; i < n; i += SLOTS) {
				bool op = leg_opus(i);
				uint8_t *pkt = op ? opkt : pkt160;
				uint16_t seq = (uint16_t)tick;
				uint32_t ts = (uint32_t)tick * (op ? 960 : 160);
				pkt[2] = (uint8_t)(seq >> 8);
				pkt[3] = (uint8_t)seq;
				pkt[4] = (uint8_t)(ts >> 24);
				pkt[5] = (uint8_t)(ts >> 16);
				pkt[6] = (uint8_t)(ts >> 8);
				pkt[7] = (uint8_t)ts;
				pkt[8] = (uint8_t)(i >> 8);
				pkt[11] = (uint8_t)i;
				memset(&a, 0, sizeof(a));
				a.sin_family = AF_INET;
				a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
				a.sin_port = htons(ports[i]);
				if (sendto(fd[i], pkt, op ? olen : sizeof(pkt160), 0,
					   (struct sockaddr *)&a, sizeof(a)) > 0)
					sent++;
			}
			next += 20000 / SLOTS;
			ts_next.tv_sec = (time_t)(next / 1000000);
			ts_next.tv_nsec = (long)(next % 1000000) * 1000;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts_next, NULL);
		}
		if (write(sp[1], &sent, sizeof(sent)) != sizeof(sent))
			_exit(1);
		_exit(0);
	}
	close(sp[1]);
	end = next + (uint64_t)seconds * 1000000;
	for (;;) {
		uint64_t t = now_us();
		int k;

		if (t >= end)
			break;
		k = epoll_wait(ep, evs, 256, (int)((end - t + 999) / 1000));
		t = now_rt_us();
		for (int e = 0; e < k; e++) {
			int i = (int)evs[e].data.u32;

			for (;;) {
				uint64_t at = t;

				if (recv_stamped(fd[i], buf, sizeof(buf), &at) < 0)
					break;
				recvd++;
				if (last[i] && at > warm) {
					uint64_t g = at > last[i] ? at - last[i] : 0;
					uint64_t j = g > 20000 ? g - 20000 : 20000 - g;
					uint64_t b = j / JIT_BUCKET_US;

					hist[b < JIT_BUCKETS ? b : JIT_BUCKETS - 1]++;
					gaps++;
					if (j > maxjit)
						maxjit = j;
				}
				last[i] = at;
			}
		}
	}
	waitpid(sender, NULL, 0);
	if (read(sp[0], &sent, sizeof(sent)) != sizeof(sent))
		sent = 0;
	snprintf(out, sizeof(out), "%ld %ld %u %u %u %llu %.3f\n", sent, recvd,
		 jit_pct(hist, gaps, 0.50), jit_pct(hist, gaps, 0.99), (unsigned)maxjit,
		 (unsigned long long)gaps, cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN));
	if (write(outfd, out, strlen(out)) < 0)
		perror("write");
	_exit(0);
}

struct run {
	int seconds;
	int ticks_left;
	struct tmr tmr;
	struct media *m;
	uint32_t p99_max, p50_sum, max_max;
	uint64_t late_resets, late_base;
	int samples;
	/* bridging, spread over the first second */
	struct tmr btmr;
	struct media_stream **sv;
	struct recorder **rv;
	int calls, bridged;
};

/* Real calls start at different times, so their recorders fill their one
 * second buffers at different ticks; bridging all pairs in one tick would
 * make every recorder flush in the same tick each second. BENCH_SYNC=1
 * does exactly that, to show the worst case. */
static void bridge_some(void *arg)
{
	struct run *r = arg;
	int per_tick = getenv("BENCH_SYNC") ? r->calls : (r->calls + 49) / 50;

	for (int k = 0; k < per_tick && r->bridged < r->calls; k++, r->bridged++) {
		int c = r->bridged;

		media_bridge(r->sv[2 * c], r->sv[2 * c + 1], r->rv[c]);
		r->rv[c] = mem_deref(r->rv[c]);
	}
	if (r->bridged < r->calls)
		tmr_start(&r->btmr, MEDIA_PTIME, bridge_some, r);
}

static void sample(void *arg)
{
	struct run *r = arg;
	struct media_pacing p;

	media_pacing(r->m, &p);
	if (r->samples == 0)
		r->late_base = p.late_resets; /* set-up blocked the loop */
	r->late_resets = p.late_resets - r->late_base;
	if (getenv("BENCH_VERBOSE"))
		fprintf(stderr, "second %d: ticks %llu p50 %u p99 %u max %u us\n",
			r->samples, (unsigned long long)p.ticks, p.p50_us, p.p99_us,
			p.max_us);
	if (r->samples++ > 0) { /* the first second warms up */
		if (p.p99_us > r->p99_max)
			r->p99_max = p.p99_us;
		if (p.max_us > r->max_max)
			r->max_max = p.max_us;
		r->p50_sum += p.p50_us;
	}
	if (--r->ticks_left <= 0) {
		re_cancel();
		return;
	}
	tmr_start(&r->tmr, 1000, sample, r);
}

static void no_event(struct media_stream *s, enum media_evt e, char d, void *a)
{
	(void)s;
	(void)e;
	(void)d;
	(void)a;
}

int main(int argc, char *argv[])
{
	int calls = argc > 1 ? atoi(argv[1]) : 500;
	int seconds = argc > 2 ? atoi(argv[2]) : 20;
	int n = calls * 2, pipefd[2];
	struct media_stream **sv;
	struct recorder **rv;
	uint16_t *ports;
	struct cfg_node node;
	struct run r;
	char dir[] = "/tmp/hotline-bench-XXXXXX", path[128], res[256];
	long rss0, rss1, rss2, sent = 0, recvd = 0;
	unsigned jit50 = 0, jit99 = 0, jitmax = 0;
	unsigned long long gaps = 0;
	double cpu0, cpu1, child_cpu = 0, t0, t1;
	pid_t pid;

	if (calls < 1 || seconds < 3 || !mkdtemp(dir))
		return 2;
	libre_init();
	fd_setsize(65536);
	log_set_level(LOG_WARN);
	memset(&node, 0, sizeof(node));
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = 20000;
	node.rtp_port_max = 39999;
	/* media.threads: MEDIA_THREADS (default 1, the one-core figure) */
	node.media_threads =
	    getenv("MEDIA_THREADS") ? (uint32_t)atoi(getenv("MEDIA_THREADS")) : 1;
	printf("media threads: %u (MEDIA_THREADS; 0 = one per core)\n",
	       node.media_threads);
	printf("codec: %s (BENCH_CODEC: pcmu, opus, mixed)\n",
	       getenv("BENCH_CODEC") ? getenv("BENCH_CODEC") : "pcmu");
	sv = calloc((size_t)n, sizeof(*sv));
	rv = calloc((size_t)calls, sizeof(*rv));
	ports = calloc((size_t)n, sizeof(*ports));
	memset(&r, 0, sizeof(r));
	if (media_alloc(&r.m, &node))
		return 1;

	rss0 = rss_kb();
	for (int i = 0; i < n; i++) {
		struct mbuf *offer = mbuf_alloc(512), *ans = NULL;
		struct pl port;

		mbuf_printf(offer,
			    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP %s\r\n%s",
			    PEER_BASE + i, leg_opus(i) ? "111" : "0",
			    leg_opus(i) ? "a=rtpmap:111 opus/48000/2\r\n"
					  "a=fmtp:111 useinbandfec=1\r\n"
					: "a=rtpmap:0 PCMU/8000\r\n");
		offer->pos = 0;
		if (media_stream_alloc(&sv[i], r.m, no_event, NULL) ||
		    media_stream_answer(sv[i], offer, &ans) ||
		    re_regex((char *)ans->buf, ans->end, "m=audio [0-9]+", &port)) {
			fprintf(stderr, "stream %d failed\n", i);
			return 1;
		}
		ports[i] = (uint16_t)pl_u32(&port);
		mem_deref(offer);
		mem_deref(ans);
	}
	for (int c = 0; c < calls; c++) {
		snprintf(path, sizeof(path), "%s/call-%d.wav", dir, c);
		if (recorder_open(&rv[c], path))
			return 1;
	}
	rss1 = rss_kb();

	if (pipe(pipefd))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		phones(n, ports, seconds, pipefd[1]);
	}
	close(pipefd[1]);

	r.ticks_left = seconds;
	r.sv = sv;
	r.rv = rv;
	r.calls = calls;
	tmr_init(&r.btmr);
	tmr_start(&r.btmr, 0, bridge_some, &r);
	tmr_init(&r.tmr);
	tmr_start(&r.tmr, 1000, sample, &r);
	cpu0 = cpu_s(RUSAGE_SELF);
	t0 = (double)clock_mono_us() / 1e6;
	re_main(NULL);
	t1 = (double)clock_mono_us() / 1e6;
	cpu1 = cpu_s(RUSAGE_SELF);
	rss2 = rss_kb();

	waitpid(pid, NULL, 0);
	memset(res, 0, sizeof(res));
	if (read(pipefd[0], res, sizeof(res) - 1) > 0)
		sscanf(res, "%ld %ld %u %u %u %llu %lf", &sent, &recvd, &jit50, &jit99,
		       &jitmax, &gaps, &child_cpu);

	printf("calls: %d bridged and recorded (%d RTP streams)\n", calls, n);
	printf("duration: %.1f s\n", t1 - t0);
	printf("engine cpu: %.1f %% of one core\n", 100 * (cpu1 - cpu0) / (t1 - t0));
	printf("engine cpu per call: %.1f us per second\n",
	       1e6 * (cpu1 - cpu0) / (t1 - t0) / calls);
	/* what a frame costs, whatever share of them a busy machine let
	 * the tick send: the figure that compares codecs */
	printf("engine cpu per frame sent: %.1f us (one leg, 20 ms)\n",
	       recvd ? 1e6 * (cpu1 - cpu0) / (double)recvd : 0);
	printf("rss before calls: %ld KB\n", rss0);
	printf("rss with calls set up: %ld KB\n", rss1);
	printf("rss after the run: %ld KB\n", rss2);
	printf("memory per call: %.1f KB\n", (double)(rss2 - rss0) / calls);
	printf("tick deviation from the 20 ms grid, p50: %.0f us\n",
	       r.samples > 1 ? (double)r.p50_sum / (r.samples - 1) : 0);
	printf("tick deviation from the 20 ms grid, p99: %u us (worst second)\n",
	       r.p99_max);
	printf("tick deviation from the 20 ms grid, max: %u us\n", r.max_max);
	printf("late resets of the tick clock (> 100 ms behind): %llu\n",
	       (unsigned long long)r.late_resets);
	printf("packets sent to the engine: %ld packets\n", sent);
	printf("packets received from the engine: %ld packets (%.1f %%)\n", recvd,
	       sent ? 100.0 * recvd / sent : 0);
	printf("arrival jitter |gap - 20 ms| at the phones, p50: %u us\n", jit50);
	printf("arrival jitter |gap - 20 ms| at the phones, p99: %u us\n", jit99);
	printf("arrival jitter |gap - 20 ms| at the phones, max: %u us (%llu gaps)\n",
	       jitmax, gaps);
	printf("phones process cpu: %.1f %% of one core (not counted above)\n",
	       100 * child_cpu / (t1 - t0));

	tmr_cancel(&r.btmr);
	for (int c = 0; c < calls; c++)
		mem_deref(rv[c]); /* those never bridged */
	for (int i = 0; i < n; i++)
		mem_deref(sv[i]);
	mem_deref(r.m);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return 1;
	libre_close();
	return 0;
}
