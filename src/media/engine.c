/*
 * engine.c — the media engine: every RTP stream of every call, served by
 * one 20 ms tick.
 *
 * Why one tick: libre keeps timers in a sorted list, so a timer per call
 * costs O(calls) per arm and collapses long before 1000 calls (docs/ARCHITECTURE.md).
 * Here a single timer is re-armed from an absolute deadline; each tick
 * reads one frame per stream from its receive queue, detects in-band
 * digits, records bridged pairs, then builds and sends one frame per
 * stream (a mix group's members hear their group's sum, mixer.c). Handlers (digit, prompt
 * end, RTP timeout) are called after the pass, holding a reference, because they may hang
 * up calls. How late the ticks run is the main loop's lag: admission control reads it
 * (media_lag_ms), and the RTP timeout does not count it as silence.
 *
 * What it does not own: SIP, call state, where audio files come from.
 * Stream SDP is in stream.c.
 */
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include <spandsp.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"

#define TICK_US	      (MEDIA_PTIME * 1000)
#define LATE_RESET_US (5 * TICK_US) /* further behind: restart the clock */
#define LAG_CREDIT_US (2 * TICK_US) /* the most one tick adds to silence */
#define LAG_STALL_US  1000000	    /* the most one tick adds to the lag */
#define RX_BATCH      16	    /* datagrams per recvmmsg */
#define RX_ROUNDS     4		    /* recvmmsg per socket and wake, at most */
#define RX_MAX	      1500	    /* larger RTP is not ours (no video) */
#define EV_BATCH      128	    /* sockets per wake */

/* A shard thread's receive buffers (about 25 KB, allocated once). */
struct media_rx {
	struct epoll_event ev[EV_BATCH];
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];
	uint8_t buf[RX_BATCH][RX_MAX];
};

static const int16_t silence[MEDIA_FRAME]; /* the other side of a voicemail */

static void engine_destructor(void *arg)
{
	struct media *m = arg;

	tmr_cancel(&m->tmr);
	for (unsigned i = 0; i < m->shardc; i++) {
		struct media *sh = m->shardv[i];
		if (sh && sh->running) {
			__atomic_store_n(&sh->stop, true, __ATOMIC_RELEASE);
			pthread_join(sh->thread, NULL);
			sh->running = false;
		}
	}
	for (unsigned i = 0; i < m->shardc; i++)
		mem_deref(m->shardv[i]);
	mem_deref(m->shardv);
	mem_deref(m->mq);
	list_clear(&m->streams);
	mem_deref(m->pending);
	mem_deref(m->fired);
	mem_deref(m->byfd);
	mem_deref(m->rx);
	if (m->top && m->epfd >= 0)
		close(m->epfd);
	if (m->lock_init)
		pthread_mutex_destroy(&m->lock);
}

static void stream_fire_events(struct media *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct media_stream *s = m->pending[i];
		unsigned ev = s->events;
		char digits[MEDIA_DIGITQ + 1];

		memcpy(digits, s->digitq, sizeof(digits));
		s->events = 0;
		s->digitc = 0;
		s->digitq[0] = '\0';

		for (char *d = digits; *d && !s->closed; d++)
			s->eh(s, MEDIA_EVT_DIGIT, *d, s->arg);
		if ((ev & EV_PLAY_END) && !s->closed)
			s->eh(s, MEDIA_EVT_PLAY_END, 0, s->arg);
		if ((ev & EV_RTP_TIMEOUT) && !s->closed)
			s->eh(s, MEDIA_EVT_RTP_TIMEOUT, 0, s->arg);
		mem_deref(s);
	}
}

/* Grows m->pending to hold one more; false when out of memory. */
static bool pending_room(struct media *m, size_t n)
{
	size_t c;
	struct media_stream **p;

	if (n < m->pendingc)
		return true;
	c = m->pendingc ? m->pendingc * 2 : 64;
	/* libre's mem_realloc does not take NULL */
	p = m->pending ? mem_realloc(m->pending, c * sizeof(*p))
		       : mem_zalloc(c * sizeof(*p), NULL);
	if (!p)
		return false;
	m->pending = p;
	m->pendingc = c;
	return true;
}

void media__pending_drop(struct media *m, struct media_stream *s)
{
	if (!s->queued)
		return;
	for (size_t i = 0; i < m->pendingn; i++)
		if (m->pending[i] == s)
			m->pending[i] = NULL;
	s->queued = false;
}

/* A shard's tick: the streams with events wait for the main loop (no
 * reference taken here: references are the main loop's alone; a stream
 * that goes first is dropped from pending by its destructor). */
static void shard_collect(struct media *m)
{
	struct le *le;

	LIST_FOREACH(&m->streams, le)
	{
		struct media_stream *s = le->data;

		if (!s->events || s->queued)
			continue;
		if (!pending_room(m, m->pendingn))
			break; /* events stay flagged: next tick */
		m->pending[m->pendingn++] = s;
		s->queued = true;
	}
}

/* One frame for every stream. */
static void engine_tick(struct media *m, uint64_t now_ms)
{
	struct le *le;
	size_t n = 0;

	/* Pass 1: what each stream received in this frame time. */
	LIST_FOREACH(&m->streams, le)
	{
		struct media_stream *s = le->data;
		media__stream_pull(s, now_ms);
	}
	media__mix_tick(m); /* groups hear this tick's frames */

	/* Pass 2: record, then send. */
	LIST_FOREACH(&m->streams, le)
	{
		struct media_stream *s = le->data;

		if (s->rec && s->peer)
			recorder_write(s->rec, s->cur, s->peer->cur, MEDIA_FRAME);
		else if (s->rec) /* a voicemail: the caller alone */
			recorder_write(s->rec, s->cur, silence, MEDIA_FRAME);
		media__stream_push(s);
	}

	/* Pass 3: hand out what happened. */
	if (m->threaded) {
		shard_collect(m);
		return;
	}
	LIST_FOREACH(&m->streams, le)
	{
		struct media_stream *s = le->data;

		if (!s->events)
			continue;
		if (!pending_room(m, n))
			break; /* events stay flagged: next tick */
		m->pending[n++] = mem_ref(s);
	}
	stream_fire_events(m, n);
}

/*
 * The main loop takes a shard's events: under the shard's lock it copies
 * each stream's events and digits and takes a reference (only the main
 * loop counts references), then calls the handlers without the lock, as
 * the one-thread engine does after its tick.
 */
static void shard_events(int id, void *data, void *arg)
{
	struct media *sh = data;
	size_t n = 0;

	(void)id;
	(void)arg;
	pthread_mutex_lock(&sh->lock);
	sh->posted = false;
	if (sh->pendingn > sh->firedc) {
		size_t c = sh->pendingn * 2;
		struct media_fired *f = sh->fired ? mem_realloc(sh->fired, c * sizeof(*f))
						  : mem_zalloc(c * sizeof(*f), NULL);
		if (!f) {
			pthread_mutex_unlock(&sh->lock);
			return; /* the next tick posts again */
		}
		sh->fired = f;
		sh->firedc = c;
	}
	for (size_t i = 0; i < sh->pendingn; i++) {
		struct media_stream *s = sh->pending[i];
		struct media_fired *f = &sh->fired[n];

		if (!s)
			continue;
		s->queued = false;
		f->s = mem_ref(s);
		f->events = s->events;
		memcpy(f->digits, s->digitq, sizeof(f->digits));
		s->events = 0;
		s->digitc = 0;
		s->digitq[0] = '\0';
		n++;
	}
	sh->pendingn = 0;
	pthread_mutex_unlock(&sh->lock);

	for (size_t i = 0; i < n; i++) {
		struct media_fired *f = &sh->fired[i];
		struct media_stream *s = f->s;

		for (char *d = f->digits; *d && !s->closed; d++)
			s->eh(s, MEDIA_EVT_DIGIT, *d, s->arg);
		if ((f->events & EV_PLAY_END) && !s->closed)
			s->eh(s, MEDIA_EVT_PLAY_END, 0, s->arg);
		if ((f->events & EV_RTP_TIMEOUT) && !s->closed)
			s->eh(s, MEDIA_EVT_RTP_TIMEOUT, 0, s->arg);
		f->s = NULL;
		mem_deref(s);
	}
}

void media__tick(struct media *m, uint64_t now_us)
{
	uint64_t gap = m->last_tick_us ? now_us - m->last_tick_us : TICK_US;
	uint32_t late = now_us > m->next_us ? (uint32_t)(now_us - m->next_us) : 0;

	/* Silence is what the peers did not send while we listened: a tick
	 * that comes late (the loop busy, the process not scheduled) adds
	 * at most LAG_CREDIT_US, so our own lag never hangs up a call. */
	m->silence_ms += (gap < LAG_CREDIT_US ? gap : LAG_CREDIT_US) / 1000;
	m->last_tick_us = now_us;

	/* The loop's lag, for admission control: a moving average over the
	 * last ticks (1/8 each), a tick counting 1 s at most. A loop that
	 * keeps running late shows its lag; a single stall (a tenant applied,
	 * prompts rendered at start) reads 125 ms at most and fades in a
	 * few ticks. */
	if (late > LAG_STALL_US)
		late = LAG_STALL_US;
	m->lag_us = m->lag_us - m->lag_us / 8 + late / 8;

	if (now_us > m->next_us + LATE_RESET_US) {
		m->late_resets++;
		m->next_us = now_us;
	}
	/* how far from the 20 ms grid this tick ran, early or late */
	if (m->pace_n < MEDIA_PACE_SAMPLES)
		m->pace[m->pace_n++] =
		    (uint32_t)(now_us > m->next_us ? now_us - m->next_us
						   : m->next_us - now_us);

	engine_tick(m, m->silence_ms);
	m->ticks++;
	m->next_us += TICK_US;
}

static void tick_handler(void *arg)
{
	struct media *m = arg;
	uint64_t now = clock_mono_us();

	if (now + 500 < m->next_us) {
		/* woke early (ms timer resolution): sleep the rest */
		tmr_start(&m->tmr, (m->next_us - now + 999) / 1000, tick_handler, m);
		return;
	}
	media__tick(m, now);
	now = clock_mono_us();
	tmr_start(&m->tmr, m->next_us > now ? (m->next_us - now) / 1000 : 0, tick_handler,
		  m);
}

static int watch_fd(struct media *m, int fd, struct media_stream *s)
{
	struct epoll_event ev;

	if (fd < 0)
		return 0;
	if ((size_t)fd >= m->byfdc) {
		size_t c = m->byfdc ? m->byfdc : 256;
		struct media_stream **p;

		while (c <= (size_t)fd)
			c *= 2;
		/* libre's mem_realloc does not take NULL, nor zero */
		p = m->byfd ? mem_realloc(m->byfd, c * sizeof(*p))
			    : mem_zalloc(c * sizeof(*p), NULL);
		if (!p)
			return ENOMEM;
		memset(p + m->byfdc, 0, (c - m->byfdc) * sizeof(*p));
		m->byfd = p;
		m->byfdc = c;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev))
		return errno;
	m->byfd[fd] = s;
	m->watched++;
	return 0;
}

static void unwatch_fd(struct media *m, int fd, struct media_stream *s)
{
	if (fd < 0 || (size_t)fd >= m->byfdc || m->byfd[fd] != s)
		return;
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
	m->byfd[fd] = NULL;
	m->watched--;
}

/* Both of a stream's sockets: RTP, and RTCP only to be emptied (we send
 * none and read none, but a socket nobody reads would keep every report
 * a phone sends in kernel memory). */
int media__watch(struct media *m, struct media_stream *s)
{
	int err;

	if (!m->top)
		return 0; /* one thread: libre's main loop polls it */
	err = watch_fd(m, s->fd, s);
	if (!err)
		err = watch_fd(m, s->rtcp_fd, s);
	if (err)
		unwatch_fd(m, s->fd, s);
	return err;
}

void media__unwatch(struct media *m, struct media_stream *s)
{
	if (!m->top)
		return;
	unwatch_fd(m, s->fd, s);
	unwatch_fd(m, s->rtcp_fd, s);
}

/*
 * What the shard's epoll found ready, read under the lock: every
 * datagram waiting on a socket in a few recvmmsg (a phone's packet every
 * 20 ms, so mostly one), handed to its stream. The socket is looked up
 * now: one closed or moved to another shard since the wait finds no
 * stream here.
 */
static void shard_read(struct media *sh, int n)
{
	struct media_rx *rx = sh->rx;

	for (int i = 0; i < n; i++) {
		int fd = rx->ev[i].data.fd;
		struct media_stream *s;

		if (fd < 0 || (size_t)fd >= sh->byfdc || !(s = sh->byfd[fd]))
			continue;
		for (int round = 0; round < RX_ROUNDS; round++) {
			int got;

			for (int k = 0; k < RX_BATCH; k++) {
				struct msghdr *h = &rx->msg[k].msg_hdr;

				rx->iov[k].iov_base = rx->buf[k];
				rx->iov[k].iov_len = RX_MAX;
				memset(h, 0, sizeof(*h));
				h->msg_name = &rx->from[k];
				h->msg_namelen = sizeof(rx->from[k]);
				h->msg_iov = &rx->iov[k];
				h->msg_iovlen = 1;
			}
			got = recvmmsg(fd, rx->msg, RX_BATCH, MSG_DONTWAIT, NULL);
			if (got <= 0)
				break;
			for (int k = 0; k < got && fd == s->fd; k++) {
				struct sa src;

				if (sa_set_sa(&src, (struct sockaddr *)&rx->from[k]))
					continue;
				media__stream_rx(s, &src, rx->buf[k], rx->msg[k].msg_len);
			}
			if (got < RX_BATCH)
				break;
		}
	}
}

/*
 * Everything the shard's sockets hold, read just before its tick: one
 * epoll_wait per tick (not a wake per datagram), and the tick takes the
 * same audio as if each datagram had been read when it came (a frame
 * that arrives after this waits for the next tick either way). Locked.
 */
static void shard_read_all(struct media *sh)
{
	/* each socket once: one that a flood keeps ready comes back
	 * (epoll takes them in turn) but cannot hold the tick */
	size_t rounds = sh->watched / EV_BATCH + 1;
	int n;

	do {
		n = epoll_wait(sh->epfd, sh->rx->ev, EV_BATCH, 0);
		if (n > 0)
			shard_read(sh, n);
	} while (n == EV_BATCH && --rounds);
}

/* A shard's thread: on the 20 ms grid its sockets read and its tick run,
 * then its events posted to the main loop (one message until the loop
 * has taken them). */
static void *shard_main(void *arg)
{
	struct media *sh = arg;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = clock_mono_us();
		bool post;

		if (now + 100 < sh->next_us) {
			uint64_t d = sh->next_us - now;
			struct timespec ts = {(time_t)(d / 1000000),
					      (long)(d % 1000000) * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		pthread_mutex_lock(&sh->lock);
		shard_read_all(sh);
		media__tick(sh, now);
		post = sh->pendingn && !sh->posted;
		if (post)
			sh->posted = true;
		pthread_mutex_unlock(&sh->lock);
		if (post && mqueue_push(sh->top->mq, 0, sh)) {
			pthread_mutex_lock(&sh->lock);
			sh->posted = false; /* the next tick tries again */
			pthread_mutex_unlock(&sh->lock);
		}
	}
	return NULL;
}

/* media.codecs into m's list, in its order; all of them when unset. */
static int codecs_set(struct media *m, const char *list)
{
	char buf[64], *tok, *save = NULL;

	m->codecc = 0;
	if (!list || !list[0])
		list = "opus,PCMU,PCMA";
	util_copy(buf, sizeof(buf), list);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		const struct media_codec_def *d = media_codec_by_name(tok);
		bool dup = false;

		if (!d)
			return EINVAL;
		for (size_t i = 0; i < m->codecc; i++)
			dup |= m->codecv[i] == d->codec;
		if (!dup && m->codecc < MEDIA_CODECS_MAX)
			m->codecv[m->codecc++] = d->codec;
	}
	return m->codecc ? 0 : EINVAL;
}

/* m's codecs as a comma list into text (sz bytes), for the log. */
static const char *codecs_text(const struct media *m, char *text, size_t sz)
{
	size_t len = 0;

	text[0] = '\0';
	for (size_t i = 0; i < m->codecc; i++) {
		int n = re_snprintf(text + len, sz - len, "%s%s", i ? "," : "",
				    media_codec_def(m->codecv[i])->name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return text;
}

static int shards_start(struct media *m, unsigned n)
{
	int err;

	err = mqueue_alloc(&m->mq, shard_events, m);
	if (err)
		return err;
	m->shardv = mem_zalloc(n * sizeof(*m->shardv), NULL);
	if (!m->shardv)
		return ENOMEM;
	m->shardc = n;
	for (unsigned i = 0; i < n; i++) {
		struct media *sh = mem_zalloc(sizeof(*sh), engine_destructor);

		if (!sh)
			return ENOMEM;
		m->shardv[i] = sh;
		sh->top = m;
		sh->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (sh->epfd < 0)
			return errno;
		sh->rx = mem_zalloc(sizeof(*sh->rx), NULL);
		if (!sh->rx)
			return ENOMEM;
		sh->laddr = m->laddr;
		sh->announce = m->announce;
		sh->fixed = m->fixed;
		sh->port_min = m->port_min;
		sh->port_max = m->port_max;
		sh->rtp_timeout_ms = m->rtp_timeout_ms;
		memcpy(sh->codecv, m->codecv, sizeof(sh->codecv));
		sh->codecc = m->codecc;
		sh->threaded = true;
		if (pthread_mutex_init(&sh->lock, NULL))
			return ENOMEM;
		sh->lock_init = true;
		sh->next_us = clock_mono_us() + TICK_US;
		err = pthread_create(&sh->thread, NULL, shard_main, sh);
		if (err)
			return err;
		sh->running = true;
	}
	return 0;
}

uint32_t media_lag_ms(const struct media *m)
{
	if (!m)
		return 0;
	return m->lag_us / 1000;
}

int media_alloc(struct media **mp, const struct cfg_node *node)
{
	struct media *m;
	unsigned threads;
	char codecs[32];
	int err;

	if (!mp || !node)
		return EINVAL;
	m = mem_zalloc(sizeof(*m), engine_destructor);
	if (!m)
		return ENOMEM;

	/* Without media.address RTP listens on every address and each
	 * call's SDP names the address its signalling uses
	 * (media_stream_announce); the default route's is the fallback. */
	m->fixed = node->media_addr[0] != '\0';
	if (m->fixed) {
		err = sa_set_str(&m->laddr, node->media_addr, 0);
	} else {
		/* the family SIP listens in: [::] calls come over IPv6 */
		struct sa sip;
		bool v6 = !sa_decode(&sip, node->sip_listen, strlen(node->sip_listen)) &&
			  sa_af(&sip) == AF_INET6;
		err = sa_set_str(&m->laddr, v6 ? "::" : "0.0.0.0", 0);
	}
	if (err) {
		log_error("media: bad address addr=%s", node->media_addr);
		goto out;
	}
	m->announce = m->laddr;
	if (!m->fixed && net_default_source_addr_get(sa_af(&m->laddr), &m->announce))
		sa_set_str(&m->announce,
			   sa_af(&m->laddr) == AF_INET6 ? "::1" : "127.0.0.1", 0);
	m->port_min = node->rtp_port_min;
	m->port_max = node->rtp_port_max;
	m->rtp_timeout_ms = node->rtp_timeout_ms;
	err = codecs_set(m, node->media_codecs);
	if (err) {
		log_error("media: bad codecs codecs=%s", node->media_codecs);
		goto out;
	}
	tmr_init(&m->tmr);
	m->next_us = clock_mono_us() + TICK_US;
	tmr_start(&m->tmr, MEDIA_PTIME, tick_handler, m);
	threads = node->media_threads;
	if (!threads) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 1 ? (unsigned)(cores > 64 ? 64 : cores) : 1;
	}
	if (threads > 1) {
		err = shards_start(m, threads);
		if (err) {
			log_error("media: cannot start %u media threads: %s", threads,
				  strerror(err));
			goto out;
		}
	}
	log_info("media: engine up addr=%s ports=%u-%u tick=%ums threads=%u codecs=%s",
		 m->fixed ? node->media_addr : "any", m->port_min, m->port_max,
		 MEDIA_PTIME, threads, codecs_text(m, codecs, sizeof(codecs)));
out:
	if (err)
		mem_deref(m);
	else
		*mp = m;
	return err;
}

size_t media_stream_count(const struct media *m)
{
	size_t n;

	if (!m)
		return 0;
	n = list_count(&m->streams);
	for (unsigned i = 0; i < m->shardc; i++) {
		struct media *sh = m->shardv[i];
		pthread_mutex_lock(&sh->lock);
		n += list_count(&sh->streams);
		pthread_mutex_unlock(&sh->lock);
	}
	return n;
}

/* The shard with the fewest streams (ties taken in turn). Not simply in
 * turn: calls allocate their two legs one after the other and the bridge
 * moves the second to the first's shard, so with two shards every pair
 * ended up on the first. */
struct media *media__shard(struct media *m)
{
	struct media *best = NULL;

	if (!m->shardc)
		return m;
	for (unsigned i = 0; i < m->shardc; i++) {
		struct media *sh = m->shardv[(m->next_shard + i) % m->shardc];

		if (!best || sh->nstreams < best->nstreams)
			best = sh;
	}
	m->next_shard++;
	return best;
}

void media_pacing(struct media *m, struct media_pacing *p)
{
	uint32_t sorted[MEDIA_PACE_SAMPLES];
	size_t n = m->pace_n;

	memset(p, 0, sizeof(*p));
	if (m->shardc) {
		/* the shards' ticks, not the top's (the main loop's) */
		n = 0;
		for (unsigned i = 0; i < m->shardc; i++) {
			struct media *sh = m->shardv[i];
			size_t k;

			pthread_mutex_lock(&sh->lock);
			k = sh->pace_n < MEDIA_PACE_SAMPLES - n ? sh->pace_n
								: MEDIA_PACE_SAMPLES - n;
			memcpy(sorted + n, sh->pace, k * sizeof(uint32_t));
			n += k;
			p->ticks += sh->ticks;
			p->late_resets += sh->late_resets;
			sh->pace_n = 0;
			pthread_mutex_unlock(&sh->lock);
		}
	} else {
		p->ticks = m->ticks;
		p->late_resets = m->late_resets;
		memcpy(sorted, m->pace, n * sizeof(uint32_t));
	}
	if (!n)
		return;
	/* insertion sort: called rarely, by benchmarks */
	for (size_t i = 1; i < n; i++) {
		uint32_t v = sorted[i];
		size_t j = i;
		while (j > 0 && sorted[j - 1] > v) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = v;
	}
	p->p50_us = sorted[n / 2];
	p->p99_us = sorted[(n * 99) / 100];
	p->max_us = sorted[n - 1];
	m->pace_n = 0;
}
