/*
 * test_audio.h — what the media tests share: SDP text for an offer, the
 * level of a tone in 8 kHz audio (Goertzel's filter), by which they check
 * who hears whom and what a codec kept, a stream event handler that
 * ignores them, and running the main loop for a while.
 */
#ifndef HOTLINE_TEST_AUDIO_H
#define HOTLINE_TEST_AUDIO_H

#include <math.h>
#include <stdarg.h>
#include <re.h>
#include "media/media.h"

/* A stream's events, not looked at. */
static inline void no_event(struct media_stream *s, enum media_evt evt, char d, void *arg)
{
	(void)s;
	(void)evt;
	(void)d;
	(void)arg;
}

static inline void run_ms_stop(void *arg)
{
	(void)arg;
	re_cancel();
}

/* The main loop for ms milliseconds. */
static inline void run_ms(uint32_t ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, run_ms_stop, NULL);
	re_main(NULL);
	tmr_cancel(&t);
}

/* SDP text from a format (an mbuf at its start). */
static inline struct mbuf *sdp_text(const char *fmt, ...)
{
	struct mbuf *mb = mbuf_alloc(512);
	va_list ap;

	va_start(ap, fmt);
	mbuf_vprintf(mb, fmt, ap);
	va_end(ap);
	mb->pos = 0;
	return mb;
}

/* The amplitude of f in x (n samples at 8 kHz), by Goertzel's filter. */
static inline double tone_level(const int16_t *x, size_t n, double f)
{
	double w = 2 * M_PI * f / MEDIA_SRATE, c = 2 * cos(w), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return 2 * sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) / (double)n;
}

#endif
