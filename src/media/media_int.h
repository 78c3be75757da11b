/*
 * media_int.h — the engine's private structs, shared by engine.c and
 * stream.c only.
 */
#ifndef HOTLINE_MEDIA_INT_H
#define HOTLINE_MEDIA_INT_H

#include <pthread.h>
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
	struct list mixes;	       /* mix groups ticking here (mixer.c) */
	struct media_stream **pending; /* streams with events, per tick */
	size_t pendingc;

	/*
	 * media.threads > 1: the engine media_alloc returns (the top) runs
	 * no stream; its tick on the main loop only measures the loop's lag
	 * (admission control). Its shards are engines of their own, each
	 * ticking its streams on a thread of its own, under its lock: the
	 * tick (read, detect, record, encode, send) and the reading of its
	 * streams' sockets there, everything the main loop does to a stream
	 * (play, bridge, SDP, close) here. Events go back through mq; the
	 * handlers run on the main loop as with one thread. A stream lives
	 * on one shard with its socket; media_bridge moves the second
	 * stream (and its socket) to the first's shard, so a pair and its
	 * recorder tick together.
	 */
	struct media *top;     /* a shard's engine; NULL on the top */
	struct media **shardv; /* the top's shards */
	unsigned shardc, next_shard;
	/* streams on this shard, for placing new ones: counted and read
	 * by the main loop only (it alone adds, moves and frees streams) */
	size_t nstreams;
	struct mqueue *mq; /* the top's: shards hand events to the loop */
	bool threaded;	   /* a shard on a thread: lock, post events */
	bool lock_init, running;
	bool stop;	 /* read by the shard's thread: __atomic */
	bool posted;	 /* an mq message is on its way */
	size_t pendingn; /* threaded: streams in pending */
	pthread_mutex_t lock;
	pthread_t thread;
	struct media_fired *fired; /* the loop's copy of a shard's events */
	size_t firedc;
	/* A shard's sockets: its thread waits on epfd (and its next tick),
	 * reads what is ready with recvmmsg and hands it to the stream
	 * under the lock. byfd maps a socket to its stream, so an event
	 * for a socket closed meanwhile finds nothing (never a freed
	 * stream); locked. */
	int epfd;
	struct media_stream **byfd;
	size_t byfdc;
	size_t watched;		/* sockets in epfd */
	struct media_rx *rx;	/* the thread's receive buffers */
	uint64_t srtp_failures; /* the top's: every shard's, __atomic */
};

struct media_fired {
	struct media_stream *s;
	unsigned events;
	char digits[MEDIA_DIGITQ + 1];
};

static inline void media__lock(struct media *m)
{
	if (m->threaded)
		pthread_mutex_lock(&m->lock);
}

static inline void media__unlock(struct media *m)
{
	if (m->threaded)
		pthread_mutex_unlock(&m->lock);
}

struct media_stream {
	struct le le;
	struct media *m;
	struct rtp_sock *rtp;
	int fd, rtcp_fd; /* on a shard: its sockets, polled by its thread */
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

	/* a mix group's member (mixer.c): weak pointers, both ways */
	struct media_mix *mix;
	struct le mixle;
	enum media_mix_role role;
	struct media_stream *whisper_to;
	int16_t mixout[MEDIA_FRAME]; /* what it hears this tick */

	/* events for the handler, collected during the tick */
	unsigned events;
	char digitq[MEDIA_DIGITQ + 1];
	size_t digitc;
	bool closed; /* being destroyed: no more events */
	bool queued; /* threaded: in its shard's pending */
	uint64_t rx_pkts, tx_pkts;
	struct media_srtp *srtp; /* srtp.c; NULL: plain RTP */
	uint64_t srtp_failures;
	/* SDES (sdes.c): the policy, our key, the peer's key in use */
	enum media_srtp_policy srtp_policy;
	bool sdes_local_set, sdes_keyed;
	enum media_srtp_suite sdes_local_suite, sdes_remote_suite;
	uint8_t sdes_local[30], sdes_remote[30];
	/* WebRTC (ice.c): a browser's stream, ICE-lite and DTLS-SRTP */
	bool webrtc;
	struct media_ice ice;
	struct sa announced;	 /* the address our SDP names: the candidate's */
	struct udp_helper *iceh; /* one media thread: STUN and DTLS off the loop */
	struct media_dtls *dtls; /* dtls.c */
	uint64_t webrtc_since;	 /* silence clock at the remote SDP, 0: none */
	const char *webrtc_fail; /* why ICE or DTLS failed (a constant) */
};

/* ICE-lite (ice.c), the shard locked. Our a= lines for an offer or an
 * answer, set before libre encodes it; its m= line's protocol given the
 * WebRTC name after. */
int media__ice_lattr(struct media_stream *s, bool offer);
int media__ice_proto(struct media_stream *s, struct mbuf **mbp);
/* A datagram on a WebRTC stream's port: STUN answered, DTLS handed on,
 * anything but RTP dropped. true: consumed (not RTP). */
bool media__ice_rx(struct media_stream *s, const struct sa *src, const uint8_t *buf,
		   size_t len);
/* DTLS-SRTP (dtls.c), the shard locked: the stream's DTLS server; the
 * browser's a=fingerprint ("sha-256 AB:..."); a DTLS datagram from src;
 * keyed: the handshake ended and SRTP is on. */
int media__dtls_alloc(struct media_stream *s);
void media__dtls_remote(struct media_stream *s, const char *fingerprint);
void media__dtls_rx(struct media_stream *s, const struct sa *src, const uint8_t *buf,
		    size_t len);
bool media__dtls_keyed(const struct media_stream *s);
/* Makes s a WebRTC stream (ICE credentials, the helper). Locked. */
int media__webrtc_on(struct media_stream *s);

void media__stream_pull(struct media_stream *s, uint64_t now_ms);
/* The engine a new stream ticks on: the top itself, or its emptiest shard. */
struct media *media__shard(struct media *m);
/* Drops s from its shard's pending events (it goes, or moves). Locked. */
void media__pending_drop(struct media *m, struct media_stream *s);
void media__stream_push(struct media_stream *s);
/* A datagram read from the stream's socket by its shard. Locked. */
void media__stream_rx(struct media_stream *s, const struct sa *src, uint8_t *buf,
		      size_t len);
/* s and its sockets to another shard; both locked (stream.c says more). */
int media__stream_move(struct media_stream *s, struct media *to);
/* The shard's thread polls s's socket from now / no more. Locked. */
int media__watch(struct media *m, struct media_stream *s);
void media__unwatch(struct media *m, struct media_stream *s);
/* s leaves its bridge (its recorder stops); its shard locked. */
void media__stream_unbridge(struct media_stream *s);
/* Both shards locked, in one order (by address). */
void media__lock_two(struct media *x, struct media *y);
void media__unlock_two(struct media *x, struct media *y);
/* Every group of m mixes this tick's frames (after every pull). */
void media__mix_tick(struct media *m);
/* s leaves its group; its shard locked. */
void media__mix_leave(struct media_stream *s);

/* Unprotects a datagram a shard read for s, in place (len shrinks);
 * true when s takes plain RTP or the packet passed. Locked. */
bool media__srtp_rx(struct media_stream *s, uint8_t *buf, size_t *len);

/* media_stream_srtp with the shard locked. */
int media__srtp_key(struct media_stream *s, enum media_srtp_suite suite,
		    const uint8_t *tx_key, const uint8_t *rx_key);
/* SDES (sdes.c), the shard locked: after an offer was decoded (ENOTSUP:
 * refuse it), before ours is encoded, after an answer was decoded
 * (ENOTSUP: refuse it); the offer's protocol made RTP/SAVP when SRTP is
 * required (*mbp replaced). */
int media__sdes_answer(struct media_stream *s);
int media__sdes_offer(struct media_stream *s);
int media__sdes_offer_proto(struct media_stream *s, struct mbuf **mbp);
int media__sdes_accept(struct media_stream *s);

/* One tick as if the monotonic clock read now_us: the timer's handler,
 * and tests on a virtual clock. */
void media__tick(struct media *m, uint64_t now_us);

#endif
