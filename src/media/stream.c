/*
 * stream.c — one RTP stream: its socket, its SDP offer/answer, what it
 * received (decoded to linear audio) and what it sends (prompt, bridged
 * peer or silence), RFC 4733 events in and out.
 *
 * The stream never sends on its own: the engine's tick calls
 * media__stream_pull and media__stream_push once per frame.
 */
#include <string.h>
#include <re.h>
#include <spandsp.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

#define TE_PT 101

/* The stream's shard is locked for all of it: its thread may be in a
 * tick that reads this stream, its peer, or sends on its socket. */
static void stream_destructor(void *arg)
{
	struct media_stream *s = arg;
	struct media *m = s->m;

	if (m)
		media__lock(m);
	s->closed = true;
	log_debug("media: stream closed port=%u rx=%llu tx=%llu codec=%d ready=%d",
		  s->rtp ? sa_port(rtp_local(s->rtp)) : 0, (unsigned long long)s->rx_pkts,
		  (unsigned long long)s->tx_pkts, s->codec, s->ready);
	if (m) {
		media__pending_drop(m, s);
		media__unwatch(m, s); /* before its sockets close */
	}
	if (m) /* set when it was put on the shard's list */
		m->nstreams--;
	list_unlink(&s->le);
	if (s->peer)
		media__stream_unbridge(s);
	media__mix_leave(s);
	mem_deref(s->rec);
	mem_deref(s->srtp); /* its UDP helper before the socket */
	mem_deref(s->iceh);
	mem_deref(s->dtls);
	mem_deref(s->rtp);
	mem_deref(s->sdp);
	mem_deref(s->telev);
	mem_deref(s->dtmf);
	if (m)
		media__unlock(m);
}

void media_stream_close(struct media_stream *s)
{
	if (!s)
		return;
	media__lock(s->m);
	s->closed = true;
	media__unlock(s->m);
}

static void queue_digit(struct media_stream *s, char digit)
{
	if (s->digitc >= MEDIA_DIGITQ)
		return;
	s->digitq[s->digitc++] = digit;
	s->digitq[s->digitc] = '\0';
	s->events |= EV_DIGIT;
}

static void inband_digit(char digit, void *arg)
{
	queue_digit(arg, digit);
}

static void rx_audio(struct media_stream *s, uint8_t pt, const uint8_t *p, size_t n)
{
	if (n > MEDIA_RXQ)
		n = MEDIA_RXQ;
	if (s->rxn + n > MEDIA_RXQ) {
		/* Too much queued (sender faster than us, or a burst):
		 * drop the oldest audio to keep the delay bounded. */
		size_t drop = s->rxn + n - MEDIA_RXQ;
		memmove(s->rxq, s->rxq + drop, (s->rxn - drop) * sizeof(int16_t));
		s->rxn -= drop;
	}
	for (size_t i = 0; i < n; i++)
		s->rxq[s->rxn + i] =
		    pt == MEDIA_PCMA ? alaw_to_linear(p[i]) : ulaw_to_linear(p[i]);
	s->rxn += n;
}

static void rx_telev(struct media_stream *s, struct mbuf *mb)
{
	int event;
	bool end;

	if (telev_recv(s->telev, mb, &event, &end))
		return; /* duplicate or malformed */
	if (!end) {
		if (event != s->last_te_event) {
			int d = telev_code2digit(event);
			s->last_te_event = event;
			if (d > 0)
				queue_digit(s, (char)d);
		}
	} else {
		s->last_te_event = -1;
	}
	if (s->peer && s->peer->te_pt >= 0)
		telev_send(s->peer->telev, event, end);
}

static void rtp_take(struct media_stream *s, const struct sa *src,
		     const struct rtp_header *hdr, struct mbuf *mb);

/* With one media thread, RTP arrives on the main loop, where the tick
 * runs too (libre polls the socket). */
static void rtp_handler(const struct sa *src, const struct rtp_header *hdr,
			struct mbuf *mb, void *arg)
{
	struct media_stream *s = arg;

	if (s->ready)
		rtp_take(s, src, hdr, mb);
}

void media__stream_rx(struct media_stream *s, const struct sa *src, uint8_t *buf,
		      size_t len)
{
	struct rtp_header hdr;
	struct mbuf mb;

	if (media__ice_rx(s, src, buf, len) || !s->ready || !media__srtp_rx(s, buf, &len))
		return;
	mbuf_init(&mb);
	mb.buf = buf;
	mb.size = mb.end = len;
	memset(&hdr, 0, sizeof(hdr));
	if (rtp_hdr_decode(&hdr, &mb) || hdr.ver != RTP_VERSION)
		return;
	rtp_take(s, src, &hdr, &mb);
}

static void rtp_take(struct media_stream *s, const struct sa *src,
		     const struct rtp_header *hdr, struct mbuf *mb)
{
	s->rx_pkts++;
	/* Symmetric RTP: answer where the audio really comes from, so
	 * phones behind NAT hear us. */
	if (!sa_cmp(src, &s->raddr, SA_ALL))
		sa_cpy(&s->raddr, src);
	s->last_rx_ms = s->m->silence_ms;

	if (hdr->pt == MEDIA_PCMU || hdr->pt == MEDIA_PCMA)
		rx_audio(s, hdr->pt, mbuf_buf(mb), mbuf_get_left(mb));
	else if ((int)hdr->pt == s->te_pt || hdr->pt == TE_PT)
		rx_telev(s, mb);
	/* anything else (comfort noise, ...) is ignored */
}

int media_stream_alloc(struct media_stream **sp, struct media *m, media_evt_h *eh,
		       void *arg)
{
	struct media_stream *s;
	int err;

	if (!sp || !m || !eh)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), stream_destructor);
	if (!s)
		return ENOMEM;
	m = media__shard(m);
	s->eh = eh;
	s->arg = arg;
	s->te_pt = -1;
	s->last_te_event = -1;
	s->fd = -1;
	s->rtcp_fd = -1;
	/* off until the call controller needs digits (an IVR menu, a
	 * queue's exit key, voicemail): dtmf_rx on every frame of every
	 * stream was 7.5 % of a set-up burst (bench/README.md) */
	s->marker = true;
	s->ts = rand_u32();

	/* No RTCP: libre runs a timer per socket for it (see engine.c). */
	err = rtp_listen(&s->rtp, IPPROTO_UDP, &m->laddr, m->port_min, m->port_max, false,
			 rtp_handler, NULL, s);
	if (err) {
		log_warn("media: no RTP port free in %u-%u: %s", m->port_min, m->port_max,
			 strerror(err));
		goto out;
	}
	if (m->threaded) {
		/* Its shard's thread reads its sockets: off the main loop
		 * (one of the two exists, the address's family). */
		udp_thread_detach(rtp_sock(s->rtp));
		udp_thread_detach(rtcp_sock(s->rtp));
		s->fd = udp_sock_fd(rtp_sock(s->rtp), AF_INET6);
		s->rtcp_fd = udp_sock_fd(rtcp_sock(s->rtp), AF_INET6);
	}
	err = sdp_session_alloc(&s->sdp, &m->announce);
	err |= sdp_media_add(&s->sdpm, s->sdp, "audio", sa_port(rtp_local(s->rtp)),
			     "RTP/AVP");
	/* SDES answers an offer of RTP/SAVP too (sdes.c) */
	err |= sdp_media_set_alt_protos(s->sdpm, 3, sdp_proto_rtpavp, sdp_proto_rtpsavp,
					"UDP/TLS/RTP/SAVPF");
	if (err)
		goto out;
	err = sdp_format_add(NULL, s->sdpm, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL,
			     false, NULL);
	err |= sdp_format_add(NULL, s->sdpm, false, "8", "PCMA", 8000, 1, NULL, NULL,
			      NULL, false, NULL);
	err |= sdp_format_add(NULL, s->sdpm, false, "101", "telephone-event", 8000, 1,
			      NULL, NULL, NULL, false, "0-15");
	if (err)
		goto out;
	err = telev_alloc(&s->telev, MEDIA_PTIME);
	if (err)
		goto out;
	err = dtmf_det_alloc(&s->dtmf, inband_digit, s);
	if (err)
		goto out;
	media__lock(m);
	s->m = m;
	s->announced = m->announce;
	s->last_rx_ms = m->silence_ms;
	list_append(&m->streams, &s->le, s);
	m->nstreams++;
	err = media__watch(m, s);
	media__unlock(m);
	if (err)
		log_warn("media: cannot poll an RTP socket: %s", strerror(err));
out:
	if (err)
		mem_deref(s);
	else
		*sp = s;
	return err;
}

/* Takes what the last SDP exchange agreed. ENOTSUP: no common codec. */
static int stream_apply(struct media_stream *s)
{
	const struct list *fl = sdp_media_format_lst(s->sdpm, false);
	const struct sa *ra;
	bool codec = false;
	struct le *le;
	enum sdp_dir rdir;

	s->te_pt = -1;
	LIST_FOREACH(fl, le)
	{
		const struct sdp_format *f = le->data;
		const char *name = f->name;

		if (!f->sup)
			continue;
		/* RFC 3551 §6: the static payload types need no a=rtpmap
		 * (libre matched them by number); an rtpmap that names
		 * another codec for them wins */
		if (!name && f->pt == MEDIA_PCMU)
			name = "PCMU";
		else if (!name && f->pt == MEDIA_PCMA)
			name = "PCMA";
		if (!codec && !str_casecmp(name, "PCMU")) {
			s->codec = MEDIA_PCMU;
			codec = true;
		} else if (!codec && !str_casecmp(name, "PCMA")) {
			s->codec = MEDIA_PCMA;
			codec = true;
		} else if (!str_casecmp(name, "telephone-event")) {
			s->te_pt = f->pt;
		}
	}
	if (!codec)
		return ENOTSUP;

	ra = sdp_media_raddr(s->sdpm);
	rdir = sdp_media_rdir(s->sdpm);
	/* RFC 3264 §8.4: the peer's sendonly or inactive puts us on hold;
	 * so does the older RFC 2543 way, a connection address of 0.0.0.0.
	 * libre keeps the remote direction as seen from our side, so the
	 * peer's sendonly reads as recvonly here. */
	s->held = rdir == SDP_RECVONLY || rdir == SDP_INACTIVE || !sa_isset(ra, SA_ADDR);
	if (s->webrtc) {
		/* RFC 8445: the address is ICE's (a check nominates it); the
		 * c= line of a browser says nothing (0.0.0.0, port 9) */
		s->held = rdir == SDP_RECVONLY || rdir == SDP_INACTIVE;
		s->ready = media__dtls_keyed(s);
		s->timed_out = false;
		media__dtls_remote(
		    s, sdp_media_session_rattr(s->sdpm, s->sdp, "fingerprint"));
		if (!s->webrtc_since)
			s->webrtc_since = s->m->silence_ms ? s->m->silence_ms : 1;
		return 0;
	}
	if (!s->held || !s->ready)
		sa_cpy(&s->raddr, ra);
	if (!s->ready)
		s->last_rx_ms = s->m->silence_ms;
	s->ready = sa_isset(&s->raddr, SA_ALL);
	s->timed_out = false;
	return 0;
}

/* The next line of text (without its CR LF); false at the end. */
static bool sdp_line(struct pl *text, struct pl *line)
{
	const char *nl;

	if (!text->l)
		return false;
	nl = memchr(text->p, '\n', text->l);
	line->p = text->p;
	line->l = nl ? (size_t)(nl - text->p) : text->l;
	pl_advance(text, nl ? line->l + 1 : line->l);
	if (line->l && line->p[line->l - 1] == '\r')
		line->l--;
	return true;
}

/*
 * What libre's SDP decoder lets through and we must not take (RFC 4566
 * §5.7, §5.14): a media port over 65535 or not a number (libre keeps its
 * low 16 bits: RTP would go to another port) and a connection address
 * that is not an IP address of the type it names (libre leaves it unset,
 * which reads as hold; we resolve no names). EPROTO, logged: 488.
 */
static int sdp_check(const struct mbuf *mb)
{
	struct pl text, line, ver, addr, port;

	pl_set_mbuf(&text, mb);
	while (sdp_line(&text, &line)) {
		if (line.l >= 2 && !memcmp(line.p, "m=", 2)) {
			if (re_regex(line.p, line.l, "m=[^ ]+ [0-9]+[/0-9]* ", NULL,
				     &port, NULL) ||
			    port.l > 5 || pl_u32(&port) > 65535) {
				log_info(
				    "media: offer refused: bad media port in \"%.*s\"",
				    (int)(line.l > 64 ? 64 : line.l), line.p);
				return EPROTO;
			}
		} else if (line.l >= 2 && !memcmp(line.p, "c=", 2)) {
			struct sa sa;

			if (re_regex(line.p, line.l, "c=IN IP[46]1 [^ ]+", &ver, &addr) ||
			    (size_t)(addr.p + addr.l - line.p) != line.l ||
			    sa_set(&sa, &addr, 0) ||
			    sa_af(&sa) != (ver.p[0] == '4' ? AF_INET : AF_INET6)) {
				log_info(
				    "media: offer refused: bad connection address in "
				    "\"%.*s\"",
				    (int)(line.l > 64 ? 64 : line.l), line.p);
				return EPROTO;
			}
		}
	}
	return 0;
}

/* Is the offer a browser's (RFC 8827: UDP/TLS/RTP/SAVPF)? */
static bool offers_webrtc(const struct mbuf *offer)
{
	struct pl text, line;

	pl_set_mbuf(&text, offer);
	while (sdp_line(&text, &line))
		if (!re_regex(line.p, line.l, "m=audio [0-9]+ UDP/TLS/RTP/SAVPF ", NULL))
			return true;
	return false;
}

int media_stream_answer(struct media_stream *s, struct mbuf *offer, struct mbuf **answerp)
{
	int err;

	if (!s || !offer || !answerp)
		return EINVAL;
	err = sdp_check(offer);
	if (err)
		return err;
	media__lock(s->m);
	/* a browser's offer makes a WebRTC stream (ice.c) */
	err = offers_webrtc(offer) ? media__webrtc_on(s) : 0;
	/* keys first: the stream may send as soon as it is applied (a
	 * WebRTC stream's come from DTLS) */
	if (!err)
		err = sdp_decode(s->sdp, offer, true) ? EBADMSG
		      : s->webrtc		      ? 0
						      : media__sdes_answer(s);
	if (!err)
		err = stream_apply(s);
	if (!err)
		err = media__ice_lattr(s, false);
	if (!err)
		err = sdp_encode(answerp, s->sdp, false);
	if (!err)
		err = media__ice_proto(s, answerp);
	media__unlock(s->m);
	return err;
}

int media_stream_offer(struct media_stream *s, struct mbuf **offerp)
{
	int err;

	if (!s || !offerp)
		return EINVAL;
	media__lock(s->m);
	err = s->webrtc ? media__ice_lattr(s, true) : media__sdes_offer(s);
	if (!err)
		err = sdp_encode(offerp, s->sdp, true);
	if (!err)
		err = s->webrtc ? media__ice_proto(s, offerp)
				: media__sdes_offer_proto(s, offerp);
	media__unlock(s->m);
	return err;
}

int media_stream_accept(struct media_stream *s, struct mbuf *answer)
{
	int err;

	if (!s || !answer)
		return EINVAL;
	err = sdp_check(answer);
	if (err)
		return err;
	media__lock(s->m);
	err = sdp_decode(s->sdp, answer, false) ? EBADMSG
	      : s->webrtc			? 0
						: media__sdes_accept(s);
	if (!err)
		err = stream_apply(s);
	media__unlock(s->m);
	return err;
}

void media_stream_announce(struct media_stream *s, const struct sa *local)
{
	struct sa a;

	if (!s || !local || s->m->fixed || !sa_isset(local, SA_ADDR) || sa_is_any(local))
		return;
	sa_cpy(&a, local);
	sa_set_port(&a, 0);
	media__lock(s->m);
	s->announced = a;
	sdp_session_set_laddr(s->sdp, &a);
	media__unlock(s->m);
}

bool media_announced(const struct media *m, struct sa *addr)
{
	if (addr)
		*addr = m->announce;
	return m->fixed;
}

enum media_codec media_stream_codec(const struct media_stream *s)
{
	return s->codec;
}

bool media_stream_held(const struct media_stream *s)
{
	return s && s->held;
}

void media_stream_play(struct media_stream *s, const struct prompt *p, bool loop)
{
	if (!s)
		return;
	media__lock(s->m);
	s->prompt = p;
	s->pos = 0;
	s->loop = loop;
	s->events &= ~EV_PLAY_END;
	media__unlock(s->m);
}

void media_stream_silence(struct media_stream *s)
{
	if (!s)
		return;
	media__lock(s->m);
	s->prompt = NULL;
	s->pos = 0;
	s->events &= ~EV_PLAY_END;
	media__unlock(s->m);
}

void media__lock_two(struct media *x, struct media *y)
{
	if (x == y) {
		media__lock(x);
	} else if (x < y) {
		media__lock(x);
		media__lock(y);
	} else {
		media__lock(y);
		media__lock(x);
	}
}

void media__unlock_two(struct media *x, struct media *y)
{
	media__unlock(x);
	if (x != y)
		media__unlock(y);
}

/*
 * s moves to shard `to` with its sockets (to's thread polls them from
 * now: with both locks held neither thread is reading them). Its events
 * not yet handed out go with it; its silence is counted on its new
 * shard's clock from now. Both shards locked; ENOMEM: it stays where it
 * is.
 */
int media__stream_move(struct media_stream *s, struct media *to)
{
	struct media *from = s->m;
	int err;

	if (from == to)
		return 0;
	err = media__watch(to, s);
	if (err)
		return err;
	media__unwatch(from, s);
	media__pending_drop(from, s);
	list_unlink(&s->le);
	list_append(&to->streams, &s->le, s);
	from->nstreams--;
	to->nstreams++;
	s->m = to;
	s->last_rx_ms = to->silence_ms;
	return 0;
}

void media_bridge(struct media_stream *a, struct media_stream *b, struct recorder *rec)
{
	struct media *ma, *mb;

	if (!a || !b || a == b)
		return;
	ma = a->m;
	mb = b->m;
	media__lock_two(ma, mb);
	/* One moves to the other's shard: a pair ticks together (each
	 * sends the other's frame of this tick, the recorder takes both).
	 * The one on the fuller shard moves, so pairs whose legs were
	 * placed on alternate shards do not all gather on one. */
	if (ma->nstreams > mb->nstreams ? media__stream_move(a, mb)
					: media__stream_move(b, ma)) {
		/* no memory for a's shard to poll b's sockets: b stays
		 * where it is, unbridged */
		log_error("media: cannot move a stream to its peer's shard");
		media__unlock_two(ma, mb);
		return;
	}
	media__stream_unbridge(a);
	media__stream_unbridge(b);
	media__mix_leave(a);
	media__mix_leave(b);
	a->peer = b;
	b->peer = a;
	a->rec = mem_ref(rec);
	/* Digits now go to the other side by RFC 4733; in-band tones pass
	 * in the audio itself. */
	a->detect = false;
	b->detect = false;
	media__unlock_two(ma, mb);
}

void media_stream_record(struct media_stream *s, struct recorder *rec)
{
	if (!s)
		return;
	media__lock(s->m);
	media__stream_unbridge(s);
	mem_deref(s->rec);
	s->rec = mem_ref(rec);
	media__unlock(s->m);
}

void media__stream_unbridge(struct media_stream *s)
{
	struct media_stream *p;

	if (!s->peer) {
		s->rec = mem_deref(s->rec); /* a voicemail ends */
		return;
	}
	p = s->peer;
	p->peer = NULL;
	p->rec = mem_deref(p->rec);
	s->peer = NULL;
	s->rec = mem_deref(s->rec);
}

void media_unbridge(struct media_stream *s)
{
	if (!s)
		return;
	media__lock(s->m);
	media__stream_unbridge(s);
	media__mix_leave(s); /* nor a group's */
	media__unlock(s->m);
}

void media_stream_detect(struct media_stream *s, bool on)
{
	if (!s)
		return;
	media__lock(s->m);
	s->detect = on;
	media__unlock(s->m);
}

void media__stream_pull(struct media_stream *s, uint64_t now_ms)
{
	if (s->rxn >= MEDIA_FRAME) {
		memcpy(s->cur, s->rxq, sizeof(s->cur));
		s->rxn -= MEDIA_FRAME;
		memmove(s->rxq, s->rxq + MEDIA_FRAME, s->rxn * sizeof(int16_t));
	} else {
		/* Nothing (or too little) arrived: silence, and keep the
		 * rest for the next frame. */
		memset(s->cur, 0, sizeof(s->cur));
	}
	if (s->detect && s->dtmf)
		dtmf_det_feed(s->dtmf, s->cur, MEDIA_FRAME);

	if (s->ready && !s->held && !s->timed_out && s->m->rtp_timeout_ms &&
	    now_ms > s->last_rx_ms + s->m->rtp_timeout_ms) {
		s->timed_out = true;
		s->events |= EV_RTP_TIMEOUT;
	}
	/* a browser's stream that ICE and DTLS did not key in time, or
	 * whose handshake failed, ends its call with the reason */
	if (s->webrtc && !s->ready && !s->timed_out && s->webrtc_since &&
	    (s->webrtc_fail || now_ms > s->webrtc_since + MEDIA_WEBRTC_SETUP_MS)) {
		if (!s->webrtc_fail)
			s->webrtc_fail = s->ice.nominated ? "DTLS did not complete"
							  : "ICE did not complete";
		s->timed_out = true;
		s->events |= EV_RTP_TIMEOUT;
	}
}

static void next_frame(struct media_stream *s, int16_t *out)
{
	if (s->prompt) {
		size_t left = s->prompt->n - s->pos;
		size_t n = left < MEDIA_FRAME ? left : MEDIA_FRAME;

		memcpy(out, s->prompt->samples + s->pos, n * sizeof(int16_t));
		memset(out + n, 0, (MEDIA_FRAME - n) * sizeof(int16_t));
		s->pos += n;
		if (s->pos >= s->prompt->n) {
			if (s->loop && s->prompt->n) {
				s->pos = 0;
			} else {
				s->prompt = NULL;
				s->events |= EV_PLAY_END;
			}
		}
	} else if (s->mix) {
		memcpy(out, s->mixout, MEDIA_FRAME * sizeof(int16_t));
	} else if (s->peer) {
		memcpy(out, s->peer->cur, MEDIA_FRAME * sizeof(int16_t));
	} else {
		memset(out, 0, MEDIA_FRAME * sizeof(int16_t));
	}
}

void media__stream_push(struct media_stream *s)
{
	uint8_t buf[RTP_HEADER_SIZE + 512];
	struct mbuf mb;
	int16_t out[MEDIA_FRAME];
	bool marker = false;

	next_frame(s, out); /* prompts advance even when not sent */
	if (!s->ready || s->held)
		goto out;

	mbuf_init(&mb);
	mb.buf = buf;
	mb.size = sizeof(buf);
	mb.pos = mb.end = RTP_HEADER_SIZE;

	if (s->te_pt >= 0 && !telev_poll(s->telev, &marker, &mb) &&
	    mb.end > RTP_HEADER_SIZE) {
		/* An RFC 4733 event is being sent: it replaces audio. */
		if (marker)
			s->te_ts = s->ts;
		mb.pos = RTP_HEADER_SIZE;
		rtp_send(s->rtp, &s->raddr, false, marker, (uint8_t)s->te_pt, s->te_ts,
			 &mb);
		goto out;
	}

	for (size_t i = 0; i < MEDIA_FRAME; i++)
		buf[RTP_HEADER_SIZE + i] = s->codec == MEDIA_PCMA
					       ? linear_to_alaw(out[i])
					       : linear_to_ulaw(out[i]);
	mb.pos = RTP_HEADER_SIZE;
	mb.end = RTP_HEADER_SIZE + MEDIA_FRAME;
	rtp_send(s->rtp, &s->raddr, false, s->marker, (uint8_t)s->codec, s->ts, &mb);
	s->tx_pkts++;
	s->marker = false;
out:
	s->ts += MEDIA_FRAME;
}
