/*
 * stream.c — the live event stream over WebSocket (RFC 6455, ws.c):
 * every event on the bus goes to every client that asked for its type,
 * and the figures of a queue are pushed ("queue.stats") when an event
 * touched it, at most every 500 ms per queue, so a wallboard needs no
 * polling. Clients only listen; what they send is ignored.
 *
 * A slow client is dropped once its unsent data passes SEND_LIMIT: the
 * main loop never waits for a client.
 *
 * Each client gets only what its user may see (api__sees_event), for as
 * long as the credentials it came with stand: a stream whose token is
 * revoked, whose session ends or whose user is disabled, deleted or given
 * other rights is closed (1008), and one user holds only a few streams.
 *
 * Not here: routes and auth (api.c), the figures themselves (acd/stats.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "acd/acd.h"
#include "api/api_int.h"
#include "api/httpd.h"
#include "api/ws.h"
#include "channels/chat.h"

#define SEND_LIMIT    (256 * 1024) /* unsent bytes before a client is dropped */
#define SOCKET_SNDBUF (64 * 1024)
#define STATS_MS      500
#define MAX_CLIENTS   4096
#define MAX_QUEUES    256
#define CLOSE_WAIT_MS 2000 /* for the peer's close frame, then the socket goes */
#define RECHECK_TICKS 10   /* credentials checked every 5 s (expiry) */
#define MAX_MSG	      4096 /* clients only listen: nothing big comes from them */

struct client {
	struct le le;
	struct api_stream *s;
	struct ws_conn *wc;
	char types[128];    /* "agent.,queue." or "" for all */
	struct api_who who; /* what it may see */
	struct tmr close_tmr;
	bool closing; /* close frame sent: nothing more goes out */
	bool desktop; /* an agent's: it makes the agent reachable for chats */
};

struct api_stream {
	struct api *api;
	struct list clients;
	struct tmr tmr;
	char dirty[MAX_QUEUES][32]; /* queues whose figures changed */
	size_t dirtyc;
	bool all_dirty;
	unsigned ticks;
	uint64_t sent, dropped;
};

static void client_destructor(void *arg)
{
	struct client *c = arg;

	list_unlink(&c->le);
	tmr_cancel(&c->close_tmr);
	mem_deref(c->wc);
	if (c->desktop)
		chat_agent_desktop(api__chat_svc(c->s->api), c->who.extension, false);
}

static void close_timeout(void *arg)
{
	mem_deref(arg);
}

/* Ends a client with a close frame (RFC 6455 §7.4.1: 1008, the
 * credentials no longer hold); the socket goes when the peer answers it
 * or after CLOSE_WAIT_MS. */
static void client_close(struct client *c, const char *why)
{
	char addr[64] = "";

	if (c->closing)
		return;
	re_snprintf(addr, sizeof(addr), "%J", ws_peer(c->wc));
	log_info("api: event stream closed user=%s peer=%s reason=%s", c->who.user, addr,
		 why);
	c->closing = true;
	if (ws_close(c->wc, WS_POLICY_VIOLATION, "%s", why)) {
		mem_deref(c);
		return;
	}
	tmr_start(&c->close_tmr, CLOSE_WAIT_MS, close_timeout, c);
}

void api__stream_recheck(struct api_stream *s, const char *why)
{
	struct le *le;

	if (!s)
		return;
	le = list_head(&s->clients);
	while (le) {
		struct client *c = le->data;

		le = le->next;
		if (!c->closing && !api__users_valid(s->api->users, &c->who))
			client_close(c, why);
	}
}

static void client_drop(struct client *c, const char *why)
{
	char addr[64] = "";

	if (c->wc)
		re_snprintf(addr, sizeof(addr), "%J", ws_peer(c->wc));
	log_info("api: event stream client dropped peer=%s reason=%s", addr, why);
	c->s->dropped++;
	mem_deref(c);
}

/* Sends text to every client that wants type and may see an event about
 * agent and queue; drops the slow ones. */
static void broadcast(struct api_stream *s, const char *type, const char *agent,
		      const char *queue, const char *text)
{
	struct le *le = list_head(&s->clients);

	while (le) {
		struct client *c = le->data;
		struct tcp_conn *tc;

		le = le->next;
		if (c->closing || !util_prefix_match(c->types, type) ||
		    !api__sees_event(s->api, &c->who, agent, queue))
			continue;
		tc = ws_tcp(c->wc);
		if (tc && tcp_conn_txqsz(tc) > SEND_LIMIT) {
			client_drop(c, "too slow");
			continue;
		}
		if (ws_send_text(c->wc, WS_TEXT, text)) {
			client_drop(c, "send failed");
			continue;
		}
		s->sent++;
	}
}

static void mark_dirty(struct api_stream *s, const char *queue)
{
	if (!queue) {
		s->all_dirty = true;
	} else if (!s->all_dirty) {
		for (size_t i = 0; i < s->dirtyc; i++) {
			if (!strcmp(s->dirty[i], queue))
				return;
		}
		if (s->dirtyc < MAX_QUEUES)
			util_copy(s->dirty[s->dirtyc++], sizeof(s->dirty[0]), queue);
		else
			s->all_dirty = true;
	}
}

static void stats_push(struct api_stream *s, const char *queue)
{
	char *snap = api__queue_snapshot(s->api, queue);
	char *msg;
	size_t n;

	if (!snap)
		return;
	n = strlen(snap) + 64;
	msg = malloc(n);
	if (msg) {
		snprintf(msg, n, "{\"type\":\"queue.stats\",\"queue\":%s}", snap);
		broadcast(s, "queue.stats", NULL, queue, msg);
		free(msg);
	}
	free(snap);
}

static void tmr_handler(void *arg)
{
	struct api_stream *s = arg;

	tmr_start(&s->tmr, STATS_MS, tmr_handler, s);
	/* sessions end by time too */
	if (++s->ticks % RECHECK_TICKS == 0)
		api__stream_recheck(s, "the session expired");
	if (list_isempty(&s->clients)) {
		s->dirtyc = 0;
		s->all_dirty = false;
		return;
	}
	if (s->all_dirty) {
		const char *q;
		for (size_t i = 0; (q = api__queue_name(s->api, i)); i++)
			stats_push(s, q);
	} else {
		for (size_t i = 0; i < s->dirtyc; i++)
			stats_push(s, s->dirty[i]);
	}
	s->dirtyc = 0;
	s->all_dirty = false;
}

static void event_handler(const struct hl_event *ev, void *arg)
{
	struct api_stream *s = arg;
	const char *text;
	char *own;

	if (list_isempty(&s->clients) || !ev->name)
		return;
	/* queue figures change with the events they are counted from (a
	 * chat's first response too); agents by state with any agent's
	 * state */
	if (acd_stats_moves(ev))
		mark_dirty(s, ev->queue);
	else if (ev->type == EVENT_AGENT_STATE)
		mark_dirty(s, NULL);
	text = event_json(ev, &own);
	if (text)
		broadcast(s, ev->name, ev->agent, ev->queue, text);
	free(own);
}

static void recv_handler(const struct ws_hdr *hdr, struct mbuf *mb, void *arg)
{
	(void)hdr;
	(void)mb;
	(void)arg; /* listeners only */
}

static void close_handler(int err, void *arg)
{
	struct client *c = arg;

	log_debug("api: event stream client left: %s", err ? strerror(err) : "closed");
	mem_deref(c);
}

static void stream_destructor(void *arg)
{
	struct api_stream *s = arg;

	event_unsubscribe(event_handler, s);
	tmr_cancel(&s->tmr);
	list_flush(&s->clients);
}

int api__stream_alloc(struct api_stream **sp, struct api *a)
{
	struct api_stream *s = mem_zalloc(sizeof(*s), stream_destructor);
	int err;

	if (!s)
		return ENOMEM;
	s->api = a;
	tmr_init(&s->tmr);
	err = event_subscribe(event_handler, s);
	if (err) {
		mem_deref(s);
		return err;
	}
	tmr_start(&s->tmr, STATS_MS, tmr_handler, s);
	*sp = s;
	return 0;
}

int api__stream_accept(struct api_stream *s, struct httpd_conn *conn,
		       const struct http_msg *msg, const char *types,
		       const struct api_who *who)
{
	struct client *c;
	struct tcp_conn *tc;
	struct le *le;
	uint32_t mine = 0;
	int err;

	if (list_count(&s->clients) >= MAX_CLIENTS)
		return EMFILE;
	/* one user (one token, one page left open in many tabs) cannot take
	 * every slot from the others; the node's token is not a user */
	for (le = list_head(&s->clients); le && who->cred != CRED_NODE; le = le->next) {
		const struct client *o = le->data;
		if (!o->closing && !strcmp(o->who.user, who->user))
			mine++;
	}
	if (mine >= s->api->node->streams_per_user)
		return EUSERS;
	c = mem_zalloc(sizeof(*c), client_destructor);
	if (!c)
		return ENOMEM;
	c->s = s;
	tmr_init(&c->close_tmr);
	util_copy(c->types, sizeof(c->types), types ? types : "");
	c->who = *who;
	err = ws_accept(&c->wc, conn, msg, recv_handler, close_handler, c);
	if (err) {
		mem_deref(c);
		return err;
	}
	/* pings find dead peers (one timer for all sockets: ws.c) */
	ws_set_limits(c->wc, MAX_MSG, s->api->node->ws_ping_ms);
	tc = ws_tcp(c->wc);
	if (tc) {
		/* a small kernel buffer, so that a client that stops reading
		 * shows in our own queue soon and is dropped there */
		int sndbuf = SOCKET_SNDBUF;
		(void)setsockopt(tcp_conn_fd(tc), SOL_SOCKET, SO_SNDBUF, &sndbuf,
				 sizeof(sndbuf));
		tcp_conn_txqsz_set(tc, SEND_LIMIT * 2);
	}
	list_append(&s->clients, &c->le, c);
	/* an agent's open stream is its desktop: chats may be offered to it
	 * (interaction_agent_reachable), and no longer once the last closes */
	if (who->extension[0] && api__chat_svc(s->api)) {
		c->desktop = true;
		chat_agent_desktop(api__chat_svc(s->api), who->extension, true);
	}
	log_info("api: event stream client joined types=%s clients=%u",
		 c->types[0] ? c->types : "all", list_count(&s->clients));
	/* the figures of every queue at once, so a wallboard starts full */
	mark_dirty(s, NULL);
	return 0;
}
