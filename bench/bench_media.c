/*
 * bench_media.c — the media engine alone: N bridged, recorded calls (2N
 * RTP streams) with RTP flowing both ways, served by the one 20 ms tick.
 *
 *   build/bench/bench_media [CALLS=500] [SECONDS=20]
 *
 * A child process plays every phone: it sends a 20 ms PCMU packet to
 * each stream and counts what comes back, so the figures printed for the
 * engine are the engine's own (CPU of this process only).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <time.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"

#define PEER_BASE 40000

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

/* The phones: one socket per stream, a packet each 20 ms, count echoes. */
static void phones(int n, const uint16_t *ports, int seconds, int outfd)
{
	int *fd = calloc((size_t)n, sizeof(int));
	uint8_t pkt[172], buf[2048];
	struct sockaddr_in a;
	struct timespec next;
	long sent = 0, recvd = 0;
	uint32_t maxgap = 0;
	uint64_t last = 0;
	char out[256];

	memset(pkt, 0xff, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 0; /* PCMU */
	for (int i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((uint16_t)(PEER_BASE + i));
		if (bind(fd[i], (struct sockaddr *)&a, sizeof(a)))
			perror("bind");
		fcntl(fd[i], F_SETFL, O_NONBLOCK);
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int tick = 0; tick < seconds * 50; tick++) {
		for (int i = 0; i < n; i++) {
			uint16_t seq = (uint16_t)tick;
			uint32_t ts = (uint32_t)tick * 160;
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
			if (sendto(fd[i], pkt, sizeof(pkt), 0, (struct sockaddr *)&a,
				   sizeof(a)) > 0)
				sent++;
			while (recv(fd[i], buf, sizeof(buf), 0) > 0) {
				recvd++;
				if (i == 0) {
					struct timespec t;
					clock_gettime(CLOCK_MONOTONIC, &t);
					uint64_t us = (uint64_t)t.tv_sec * 1000000 +
						      (uint64_t)t.tv_nsec / 1000;
					if (last && tick > 50 && us - last > maxgap)
						maxgap = (uint32_t)(us - last);
					last = us;
				}
			}
		}
		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	snprintf(out, sizeof(out), "%ld %ld %u %.3f\n", sent, recvd, maxgap,
		 cpu_s(RUSAGE_SELF));
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
	int samples;
};

static void sample(void *arg)
{
	struct run *r = arg;
	struct media_pacing p;

	media_pacing(r->m, &p);
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
	long rss0, rss1, sent = 0, recvd = 0;
	unsigned maxgap = 0;
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
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n"
			    "a=rtpmap:0 PCMU/8000\r\n",
			    PEER_BASE + i);
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
		media_bridge(sv[2 * c], sv[2 * c + 1], rv[c]);
		rv[c] = mem_deref(rv[c]);
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
	tmr_init(&r.tmr);
	tmr_start(&r.tmr, 1000, sample, &r);
	cpu0 = cpu_s(RUSAGE_SELF);
	t0 = (double)clock_mono_us() / 1e6;
	re_main(NULL);
	t1 = (double)clock_mono_us() / 1e6;
	cpu1 = cpu_s(RUSAGE_SELF);

	waitpid(pid, NULL, 0);
	memset(res, 0, sizeof(res));
	if (read(pipefd[0], res, sizeof(res) - 1) > 0)
		sscanf(res, "%ld %ld %u %lf", &sent, &recvd, &maxgap, &child_cpu);

	printf("calls: %d bridged and recorded (%d RTP streams)\n", calls, n);
	printf("duration: %.1f s\n", t1 - t0);
	printf("engine cpu: %.1f %% of one core\n", 100 * (cpu1 - cpu0) / (t1 - t0));
	printf("engine cpu per call: %.1f us per second\n",
	       1e6 * (cpu1 - cpu0) / (t1 - t0) / calls);
	printf("memory per call: %.1f KB (rss %ld KB -> %ld KB for %d calls)\n",
	       (double)(rss1 - rss0) / calls, rss0, rss1, calls);
	printf("tick deviation from the 20 ms grid, p50: %.0f us\n",
	       r.samples > 1 ? (double)r.p50_sum / (r.samples - 1) : 0);
	printf("tick deviation from the 20 ms grid, p99: %u us (worst second)\n",
	       r.p99_max);
	printf("tick deviation from the 20 ms grid, max: %u us\n", r.max_max);
	printf("packets to engine: %ld, from engine: %ld (%.1f %%)\n", sent, recvd,
	       sent ? 100.0 * recvd / sent : 0);
	printf("largest gap between packets seen by a phone: %.1f ms\n", maxgap / 1000.0);
	printf("phones process cpu: %.1f s (not counted above)\n", child_cpu);

	for (int i = 0; i < n; i++)
		mem_deref(sv[i]);
	mem_deref(r.m);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return 1;
	libre_close();
	return 0;
}
