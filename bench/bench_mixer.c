/*
 * bench_mixer.c — the mixer's cost: ROOMS rooms of SIZE members (default
 * 30 of 5) mixed by the media tick, against the same streams not in a
 * room, on a virtual clock on this thread (no RTP is sent: what is
 * measured is the mixing, not the sockets). The mixing is also timed
 * alone: the tick's mix pass run once more after each tick.
 *
 *   build/bench/bench_mixer [ROOMS=30] [SIZE=5] [TICKS=5000]
 *
 * Every member says a tone each tick, as if it had arrived by RTP. One
 * line per figure: "name: value".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"
#include "bench.h"

static void no_event(struct media_stream *s, enum media_evt evt, char d, void *arg)
{
	(void)s;
	(void)evt;
	(void)d;
	(void)arg;
}

/* Runs ticks frames; the µs each took on average, and in *mix the µs of
 * the mixing alone (the tick's mix pass done once more, timed: it only
 * reads this tick's frames, so twice gives the same frames). */
static double run(struct media *m, struct media_stream **sv, size_t n, unsigned ticks,
		  const int16_t *tone, double *mix)
{
	uint64_t t = m->next_us;
	double t0, spent = 0, mixing = 0;

	for (unsigned k = 0; k < ticks; k++, t += 20000) {
		for (size_t i = 0; i < n; i++) {
			memcpy(sv[i]->rxq, tone + (i % 8) * MEDIA_FRAME,
			       MEDIA_FRAME * sizeof(int16_t));
			sv[i]->rxn = MEDIA_FRAME;
		}
		t0 = now_us();
		media__tick(m, t);
		spent += now_us() - t0;
		t0 = now_us();
		media__mix_tick(m);
		mixing += now_us() - t0;
	}
	*mix = mixing / ticks;
	return spent / ticks;
}

int main(int argc, char **argv)
{
	unsigned rooms = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
	unsigned size = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
	unsigned ticks = argc > 3 ? (unsigned)atoi(argv[3]) : 5000;
	size_t n = (size_t)rooms * size;
	static int16_t tone[8 * MEDIA_FRAME];
	struct cfg_node node;
	struct media *m = NULL;
	struct media_mix **xv;
	struct media_stream **sv;
	double plain, mixed, mix;
	int err;

	if (!rooms || !size || !ticks || libre_init())
		return 2;
	log_set_level(LOG_WARN);
	for (size_t i = 0; i < 8; i++)
		for (size_t j = 0; j < MEDIA_FRAME; j++)
			tone[i * MEDIA_FRAME + j] =
			    (int16_t)(6000 *
				      sin(2 * M_PI * (300 + 200 * i) * j / 8000.0));
	memset(&node, 0, sizeof(node));
	node.media_threads = 1;
	strcpy(node.media_addr, "127.0.0.1");
	node.rtp_port_min = 20000;
	node.rtp_port_max = (uint16_t)(20000 + n * 2 + 100);
	xv = calloc(rooms, sizeof(*xv));
	sv = calloc(n, sizeof(*sv));
	err = !xv || !sv ? ENOMEM : media_alloc(&m, &node);
	for (size_t i = 0; !err && i < n; i++)
		err = media_stream_alloc(&sv[i], m, no_event, NULL);
	if (err) {
		fprintf(stderr, "bench_mixer: %s\n", strerror(err));
		return 1;
	}
	run(m, sv, n, ticks / 4 + 1, tone, &mix); /* warm up */
	plain = run(m, sv, n, ticks, tone, &mix);
	for (unsigned r = 0; !err && r < rooms; r++) {
		err = media_mix_alloc(&xv[r], m);
		for (unsigned i = 0; !err && i < size; i++)
			err = media_mix_join(xv[r], sv[r * size + i], MEDIA_MIX_NORMAL,
					     NULL);
	}
	if (err) {
		fprintf(stderr, "bench_mixer: %s\n", strerror(err));
		return 1;
	}
	mixed = run(m, sv, n, ticks, tone, &mix);

	printf("rooms: %u\n", rooms);
	printf("members per room: %u\n", size);
	printf("ticks: %u\n", ticks);
	printf("tick without rooms (us): %.1f\n", plain);
	printf("tick with rooms (us): %.1f\n", mixed);
	printf("mixing per tick, all rooms (us): %.1f\n", mix);
	printf("mixer per participant (us per tick): %.3f\n", mix / (double)n);
	printf("mixer per participant (%% of a core): %.4f\n",
	       mix / (double)n / 20000.0 * 100);
	printf("mixer, all rooms (%% of a core): %.3f\n", mix / 20000.0 * 100);

	for (unsigned r = 0; r < rooms; r++)
		mem_deref(xv[r]);
	for (size_t i = 0; i < n; i++)
		mem_deref(sv[i]);
	mem_deref(m);
	free(xv);
	free(sv);
	libre_close();
	return 0;
}
