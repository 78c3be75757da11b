/*
 * media_int.h — the engine's private structs, shared by engine.c and
 * stream.c only.
 */
#ifndef HOTLINE_MEDIA_INT_H
#define HOTLINE_MEDIA_INT_H

#include "media/media.h"

#define MEDIA_PACE_SAMPLES 4096
#define MEDIA_RXQ	   (MEDIA_FRAME * 8) /* at most 160 ms queued */
#define MEDIA_DIGITQ	   15

enum {
	EV_PLAY_END = 1 << 0,
	EV_RTP_TIMEOUT = 1 << 1,
	EV_DIGIT = 1 << 2,
};

struct media {
	struct list streams;
	struct tmr tmr;
	struct sa laddr;    /* RTP is bound here (0.0.0.0: every address) */
	struct sa announce; /* written in SDP until a call says where */
	bool fixed;	    /* media.address set: always announce laddr */
	uint16_t port_min, port_max;
	uint32_t rtp_timeout_ms;
	uint64_t next_us;      /* absolute deadline of the next tick */
	uint64_t last_tick_us; /* when the previous tick ran */
	/* The silence clock: advanced by each tick, but never by more than
	 * LAG_CREDIT_US, so a loop that ran late does not count as silence
	 * of the peers (their packets wait in the sockets meanwhile). */
	uint64_t silence_ms;
	uint32_t lag_us; /* how late the ticks run, moving average */
	uint64_t ticks;
	uint64_t late_resets;
	uint32_t pace[MEDIA_PACE_SAMPLES]; /* lateness of each tick, µs */
	size_t pace_n;
	struct media_stream **pending; /* streams with events, per tick */
	size_t pendingc;
};

struct media_stream {
	struct le le;
	struct media *m;
	struct rtp_sock *rtp;
	struct sdp_session *sdp;
	struct sdp_media *sdpm;
	struct telev *telev;
	struct dtmf_det *dtmf;
	media_evt_h *eh;
	void *arg;

	/* negotiated */
	bool ready; /* remote address and codec known */
	struct sa raddr;
	enum media_codec codec;
	int te_pt; /* remote telephone-event pt, -1 none */
	bool held;

	/* receive side */
	int16_t rxq[MEDIA_RXQ];
	size_t rxn;
	int16_t cur[MEDIA_FRAME]; /* this tick's received frame */
	uint64_t last_rx_ms;	  /* on the silence clock (media->silence_ms) */
	bool timed_out;
	bool detect;
	int last_te_event; /* to report each RFC 4733 event once */

	/* send side */
	uint32_t ts;
	uint32_t te_ts; /* start of the RFC 4733 event being sent */
	bool marker;
	const struct prompt *prompt;
	size_t pos;
	bool loop;
	struct media_stream *peer;
	struct recorder *rec; /* set on the left stream of a bridge */

	/* events for the handler, collected during the tick */
	unsigned events;
	char digitq[MEDIA_DIGITQ + 1];
	size_t digitc;
	bool closed; /* being destroyed: no more events */
	uint64_t rx_pkts, tx_pkts;
};

void media__stream_pull(struct media_stream *s, uint64_t now_ms);
void media__stream_push(struct media_stream *s);

/* One tick as if the monotonic clock read now_us: the timer's handler,
 * and tests on a virtual clock. */
void media__tick(struct media *m, uint64_t now_us);

#endif
