/*
 * chat.c — the web chat adapter (issue 13, docs/CHAT.md). It owns the
 * visitors' chats: their tokens (only a hash kept), the interaction of
 * each chat on the interaction core, the messages with their per-chat
 * sequence numbers (kept in memory while the chat lives and a day after,
 * written to the store), the visitor's socket protocol (hello, resume
 * from last_seq, cid dedupe, typing, read receipts, the place in line,
 * end, rating), and what agents do to a chat (accept, decline, messages
 * and internal notes, typing, read, transfer, end).
 *
 * Offers, ring-no-answer, auto-pause, capacities, queue rules, the CRM
 * match, wrap-up, the stored row and the core's events are the
 * interaction service's: this file only tells it what happened on the
 * channel (interaction_accept, interaction_missed, interaction_end).
 *
 * Not here: sockets and HTTP (src/api/chat.c owns the WebSocket; it hands
 * frames in and is handed frames out through chat_send_h/chat_close_h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums; interaction.h
 * includes it, so its guard is set once the headers it needs are in */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#define RE_H__
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "ticket/ticket.h"
#include "channels/chat.h"

#define KEEP_MS	       (24 * 3600 * 1000ULL) /* a chat after its end: transcript */
#define HELLO_MS       10000		     /* for the first frame */
#define TICK_MS	       1000		     /* place in line, expiry */
#define MAX_OFFERS     16		     /* agents offered one chat at once */
#define MAX_CID	       64
#define FLOOD_CLOSE    10 /* refused messages in a row before the socket goes */
#define AHT_DEFAULT_MS 180000
#define MAX_FRAME      65536

enum sender { FROM_VISITOR = 0, FROM_AGENT, FROM_SYSTEM };
static const char *const sender_names[] = {"visitor", "agent", "system"};

struct chat_msg {
	struct le le;
	uint32_t seq;
	enum sender from;
	bool internal;
	char name[64];
	char cid[MAX_CID + 1];
	char *text; /* mem string */
	uint64_t at;
	struct store_attachment *att; /* NULL: none */
};

struct offer {
	char agent[32];
	uint64_t at;
};

struct chat {
	struct interaction ia; /* first: the core's, ia.obj is this */
	struct le le;	       /* in s->chats */
	struct le he_id;       /* s->by_id */
	struct le he_tok;      /* s->by_token */
	struct chat_svc *s;
	char token_hash[65];
	char entry[CFG_NAME];
	char topic[64];
	char name[64];
	char email[128];
	char phone[32];
	char agent_name[64];
	struct list msgs;
	uint32_t seq;
	uint32_t acked; /* the visitor has up to this */
	struct offer offers[MAX_OFFERS];
	size_t offerc;
	struct chat_visitor *v; /* its socket now, NULL: none */
	uint64_t ended_at;	/* 0: live */
	size_t last_pos;	/* the place last told */
	bool rated;
};

struct chat_visitor {
	struct chat_svc *s;
	struct chat *c; /* after hello (referenced) */
	chat_send_h *sendh;
	chat_close_h *closeh;
	void *conn; /* NULL: gone */
	char addr[64];
	char origin[128];
	struct tmr hello_tmr;
	uint64_t win_start; /* the flood window */
	uint32_t win_count;
	uint32_t refused;
	bool closing;
};

struct desktop {
	struct le le;
	char agent[32];
	unsigned open;
};

struct addr_count {
	struct le le;
	char addr[64];
	uint64_t since;
	uint32_t n;
};

struct chat_svc {
	struct interaction_svc *ias;
	struct store *store;
	const struct cfg_tenant *tenant; /* referenced */
	struct tickets *tickets;
	char data_dir[CFG_PATH];
	struct list chats;
	struct hash *by_id, *by_token;
	struct list desktops;
	struct list addrs;
	struct tmr tmr;
	uint64_t (*now)(void);
};

static struct interaction_ops chat_ops;

/* --- small helpers -------------------------------------------------------- */

long chat_utf8_chars(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long n = 0;

	while (p < end) {
		unsigned c = *p;
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			n++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if ((size_t)(end - p) <= k)
			return -1;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates, past U+10FFFF (RFC 3629 §3) */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += k + 1;
		n++;
	}
	return n;
}

static void token_hash(const char *token, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct chat *c = le->data;
	return !strcmp(c->ia.row.id, arg);
}

static bool tok_cmp(struct le *le, void *arg)
{
	const struct chat *c = le->data;
	return !strcmp(c->token_hash, arg);
}

static struct chat *chat_find(const struct chat_svc *s, const char *id)
{
	if (!id)
		return NULL;
	return list_ledata(hash_lookup(s->by_id, hash_joaat_str(id), id_cmp, (void *)id));
}

static bool chat_live(const struct chat *c)
{
	return !c->ended_at;
}

static const char *agent_display(const struct chat_svc *s, const char *ext)
{
	const struct cfg_agent *a = cfg_agent_find(s->tenant, ext);
	return a && a->name[0] ? a->name : ext;
}

/* --- the one way chat events leave ------------------------------------------ */

/* "chat.<what>" about c, data (taken over) its details: every chat event
 * goes out here, built with jansson (text of any size and script). */
static void chat_event(struct chat *c, const char *what, const char *agent, json_t *data)
{
	char type[32];
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	struct hl_event ev = {0,
			      type,
			      c->ia.row.id,
			      agent && agent[0] ? agent : NULL,
			      c->ia.row.queue[0] ? c->ia.row.queue : NULL,
			      text};

	json_decref(data);
	snprintf(type, sizeof(type), "chat.%s", what);
	event_emit(&ev);
	free(text);
}

/* --- to the visitor ---------------------------------------------------------- */

static void visitor_close(struct chat_visitor *v, uint16_t code, const char *reason);

static void visitor_send(struct chat_visitor *v, json_t *o)
{
	char *text;

	if (!o)
		return;
	text = v && v->conn && !v->closing ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return;
	if (v->sendh(v->conn, text))
		visitor_close(v, 1011, "send failed");
	free(text);
}

static void visitor_error(struct chat_visitor *v, const char *code, const char *reason)
{
	visitor_send(v, json_pack("{s:s,s:s,s:s}", "type", "error", "code", code,
				  "reason", reason));
}

static void visitor_close(struct chat_visitor *v, uint16_t code, const char *reason)
{
	if (!v->conn || v->closing)
		return;
	v->closing = true;
	log_info("chat: visitor closed chat=%s peer=%s code=%u reason=%s",
		 v->c ? v->c->ia.row.id : "-", v->addr, code, reason);
	v->closeh(v->conn, code, reason);
}

static json_t *msg_json(const struct chat_msg *m, bool for_agent)
{
	char at[48];
	json_t *o;

	clock_iso(at, sizeof(at), m->at);
	o = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "type", "msg", "seq",
		      (json_int_t)m->seq, "from", sender_names[m->from], "name", m->name,
		      "text", m->text, "at", at);
	if (!o)
		return NULL;
	if (m->cid[0] && !for_agent)
		json_object_set_new(o, "cid", json_string(m->cid));
	if (for_agent)
		json_object_set_new(o, "internal", json_boolean(m->internal));
	if (m->att)
		json_object_set_new(o, "attachment",
				    json_pack("{s:s,s:s,s:s,s:I}", "id", m->att->id,
					      "name", m->att->name, "type", m->att->type,
					      "size", (json_int_t)m->att->size));
	return o;
}

static const char *state_of(const struct chat *c)
{
	if (!chat_live(c))
		return "ended";
	return c->ia.state == INTERACTION_ACTIVE ? "active" : "queued";
}

static void queue_figures(struct chat *c, size_t *pos, uint64_t *ewt_s)
{
	struct acd_queue_info qi;
	struct acd_queue_stats st;
	struct acd_stats *stats = interaction_svc_stats(c->s->ias);
	uint64_t aht = AHT_DEFAULT_MS, now = c->s->now();
	size_t staffed;

	*pos = interaction_position(&c->ia);
	*ewt_s = 0;
	if (!*pos || acd_queue_info(interaction_svc_acd(c->s->ias), c->ia.row.queue, &qi))
		return;
	/* as a caller's announcement reckons it: the place times the
	 * handling time, shared among the staffed agents (a chat agent
	 * holds several: that is in the handling time the figures show) */
	staffed = qi.agents[AGENT_ST_AVAILABLE] + qi.agents[AGENT_ST_RINGING] +
		  qi.agents[AGENT_ST_BUSY] + qi.agents[AGENT_ST_WRAPUP];
	if (stats && !acd_stats_queue(stats, c->ia.row.queue, now, &st) && st.aht_ms > 0)
		aht = (uint64_t)st.aht_ms;
	*ewt_s = staffed ? (*pos * aht / staffed + 999) / 1000 : 0;
}

static void tell_state(struct chat *c)
{
	json_t *o = json_pack("{s:s,s:s}", "type", "state", "state", state_of(c));

	if (o && c->ia.state == INTERACTION_ACTIVE && chat_live(c))
		json_object_set_new(o, "agent", json_string(c->agent_name));
	visitor_send(c->v, o);
}

static void tell_queue(struct chat *c, bool always)
{
	size_t pos;
	uint64_t ewt;

	if (!c->v || !chat_live(c) || c->ia.state == INTERACTION_ACTIVE)
		return;
	queue_figures(c, &pos, &ewt);
	if (!pos || (!always && pos == c->last_pos))
		return;
	c->last_pos = pos;
	visitor_send(c->v, json_pack("{s:s,s:I,s:I}", "type", "queue", "position",
				     (json_int_t)pos, "ewt", (json_int_t)ewt));
}

/* --- messages ------------------------------------------------------------------ */

static void msg_destructor(void *arg)
{
	struct chat_msg *m = arg;

	list_unlink(&m->le);
	mem_deref(m->text);
	mem_deref(m->att);
}

/* A new message of c, stored (queued write) and told: the visitor sees
 * it at once (not an internal note), the agents by the event. */
static struct chat_msg *msg_add(struct chat *c, enum sender from, const char *name,
				const char *text, bool internal, const char *cid,
				struct store_attachment *att)
{
	struct chat_msg *m = mem_zalloc(sizeof(*m), msg_destructor);
	struct store_message sm;
	json_t *ev;

	if (!m || str_dup(&m->text, text ? text : "")) {
		mem_deref(m);
		return NULL;
	}
	m->seq = ++c->seq;
	m->from = from;
	m->internal = internal;
	m->at = c->s->now();
	m->att = mem_ref(att);
	util_copy(m->name, sizeof(m->name), name ? name : "");
	util_copy(m->cid, sizeof(m->cid), cid ? cid : "");
	list_append(&c->msgs, &m->le, m);

	memset(&sm, 0, sizeof(sm));
	util_copy(sm.interaction, sizeof(sm.interaction), c->ia.row.id);
	sm.seq = m->seq;
	util_copy(sm.sender, sizeof(sm.sender), sender_names[from]);
	util_copy(sm.name, sizeof(sm.name), m->name);
	sm.text = m->text;
	sm.internal = internal;
	util_copy(sm.cid, sizeof(sm.cid), m->cid);
	if (att)
		util_copy(sm.attachment, sizeof(sm.attachment), att->id);
	sm.created = m->at;
	if (c->s->store && store_message_add(c->s->store, &sm))
		log_warn("chat: message not stored chat=%s seq=%u", c->ia.row.id, m->seq);

	ev = msg_json(m, true);
	if (ev) {
		json_object_del(ev, "type");
		chat_event(c, "message", c->ia.agent, ev);
	}
	return m;
}

/* The visitor's own message comes back (its seq, its cid) once it is
 * committed: a message the visitor saw acknowledged is on disk, and one
 * it did not is sent again with its cid after a reconnect. The agent sees
 * it at once (latency), before the commit. */
struct echo {
	struct chat *c;
	uint32_t seq;
};

static void echo_destructor(void *arg)
{
	struct echo *e = arg;
	mem_deref(e->c);
}

static void echo_send(struct chat *c, uint32_t seq)
{
	for (struct le *le = list_tail(&c->msgs); le; le = le->prev) {
		const struct chat_msg *m = le->data;
		if (m->seq == seq) {
			visitor_send(c->v, msg_json(m, false));
			return;
		}
	}
}

static void echo_h(int err, void *arg)
{
	struct echo *e = arg;

	if (err)
		log_warn("chat: message not committed chat=%s seq=%u", e->c->ia.row.id,
			 e->seq);
	echo_send(e->c, e->seq);
}

static void echo_after_commit(struct chat *c, uint32_t seq)
{
	struct echo *e;

	if (!c->s->store) {
		echo_send(c, seq);
		return;
	}
	e = mem_zalloc(sizeof(*e), echo_destructor);
	if (!e) {
		echo_send(c, seq);
		return;
	}
	e->c = mem_ref(c);
	e->seq = seq;
	if (store_commit_notify(c->s->store, echo_h, e))
		echo_send(c, seq);
	mem_deref(e);
}

/* --- a chat's life ---------------------------------------------------------------- */

static void chat_destructor(void *arg)
{
	struct chat *c = arg;

	/* still waiting (the service is going away): out of its queue */
	if (c->ia.item)
		interaction_unqueue(&c->ia, false);
	list_unlink(&c->le);
	hash_unlink(&c->he_id);
	hash_unlink(&c->he_tok);
	interaction_fini(&c->ia);
	list_flush(&c->msgs);
	if (c->v)
		c->v->c = NULL;
}

static void offers_clear(struct chat *c, const char *reason)
{
	for (size_t i = 0; i < c->offerc; i++)
		chat_event(c, "withdrawn", c->offers[i].agent,
			   json_pack("{s:s,s:s}", "agent", c->offers[i].agent, "reason",
				     reason));
	c->offerc = 0;
}

static bool offer_drop(struct chat *c, const char *agent, uint64_t *at)
{
	for (size_t i = 0; i < c->offerc; i++) {
		if (strcmp(c->offers[i].agent, agent))
			continue;
		if (at)
			*at = c->offers[i].at;
		c->offers[i] = c->offers[--c->offerc];
		return true;
	}
	return false;
}

/* c ends (side: visitor, agent, system): the core closes its interaction
 * (abandoned in a queue, completed and wrapped up by an agent). */
static void chat_end(struct chat *c, const char *side, const char *reason)
{
	struct chat_svc *s = c->s;

	if (!chat_live(c))
		return;
	mem_ref(c);
	if (c->ia.state == INTERACTION_ACTIVE || c->ia.agent[0])
		util_copy(c->ia.row.outcome, sizeof(c->ia.row.outcome), "answered");
	else if (c->ia.exit_outcome[0])
		util_copy(c->ia.row.outcome, sizeof(c->ia.row.outcome),
			  c->ia.exit_outcome);
	else if (!strcmp(side, "visitor"))
		util_copy(c->ia.row.outcome, sizeof(c->ia.row.outcome),
			  "abandoned_queue");
	else
		util_copy(c->ia.row.outcome, sizeof(c->ia.row.outcome), "failed");
	c->ended_at = s->now();
	offers_clear(c, "ended");
	log_info("chat: ended id=%s side=%s reason=%s outcome=%s", c->ia.row.id, side,
		 reason, c->ia.row.outcome);
	interaction_end(&c->ia, !strcmp(side, "visitor") ? "caller" : side, 0, reason);
	/* out of the core's live list: the chat is kept a day for its
	 * transcript, and the core has nothing more to do with it */
	interaction_fini(&c->ia);
	tell_state(c);
	interaction_route(s->ias);
	mem_deref(c);
}

/* --- the core's operations ---------------------------------------------------------- */

static int op_offer(struct interaction *ia, const char *agent, void *arg)
{
	struct chat *c = ia->obj;
	const struct cfg_queue *q = cfg_queue_find(c->s->tenant, ia->row.queue);
	(void)arg;

	if (c->offerc >= MAX_OFFERS)
		return ENOSPC;
	util_copy(c->offers[c->offerc].agent, sizeof(c->offers[0].agent), agent);
	c->offers[c->offerc++].at = c->s->now();
	log_info("chat: offered id=%s agent=%s", ia->row.id, agent);
	chat_event(c, "offered", agent,
		   json_pack("{s:s,s:I,s:s,s:s}", "agent", agent, "timeout",
			     (json_int_t)(q ? q->ring_timeout_ms : 0), "name", c->name,
			     "topic", c->topic));
	return 0;
}

static void op_withdraw(struct interaction *ia, void *arg)
{
	(void)arg;
	offers_clear(ia->obj, "taken");
}

static void op_retract(struct interaction *ia, const char *agent, void *arg)
{
	struct chat *c = ia->obj;
	(void)arg;

	if (offer_drop(c, agent, NULL))
		chat_event(c, "withdrawn", agent,
			   json_pack("{s:s,s:s}", "agent", agent, "reason", "timeout"));
}

static int op_connect(struct interaction *ia, const char *agent, void *arg)
{
	struct chat *c = ia->obj;
	(void)arg;

	util_copy(c->agent_name, sizeof(c->agent_name), agent_display(c->s, agent));
	interaction_save(ia);
	chat_event(c, "answered", agent,
		   json_pack("{s:s,s:s}", "agent", agent, "name", c->agent_name));
	tell_state(c);
	return 0;
}

static int op_divert(struct interaction *ia, const char *target, void *arg)
{
	(void)ia;
	(void)target;
	(void)arg;
	/* a chat has no phone, flow or call-back to go to: only queues,
	 * which the core follows itself */
	return ENOTSUP;
}

static void op_close(struct interaction *ia, const char *reason, void *arg)
{
	(void)arg;
	chat_end(ia->obj, "system", reason);
}

static bool op_reachable(const char *agent, void *arg)
{
	const struct chat_svc *s = arg;

	for (struct le *le = list_head(&s->desktops); le; le = le->next) {
		const struct desktop *d = le->data;
		if (!strcmp(d->agent, agent))
			return d->open > 0;
	}
	return false;
}

static bool op_holds(const char *agent, void *arg)
{
	const struct chat_svc *s = arg;

	for (struct le *le = list_head(&s->chats); le; le = le->next) {
		const struct chat *c = le->data;

		if (!chat_live(c))
			continue;
		if (!strcmp(c->ia.agent, agent))
			return true;
		for (size_t i = 0; i < c->offerc; i++) {
			if (!strcmp(c->offers[i].agent, agent))
				return true;
		}
	}
	return false;
}

static struct interaction_ops chat_ops = {
    .name = "chat",
    .offer = op_offer,
    .withdraw = op_withdraw,
    .retract = op_retract,
    .connect = op_connect,
    .divert = op_divert,
    .close = op_close,
    .reachable = op_reachable,
    .holds = op_holds,
};

/* --- the service -------------------------------------------------------------- */

static void tick(void *arg)
{
	struct chat_svc *s = arg;
	uint64_t now = s->now();
	struct le *le;

	tmr_start(&s->tmr, TICK_MS, tick, s);
	le = list_head(&s->chats);
	while (le) {
		struct chat *c = le->data;

		le = le->next;
		if (!chat_live(c)) {
			if (now >= c->ended_at + KEEP_MS && !c->v)
				mem_deref(c);
			continue;
		}
		tell_queue(c, false);
	}
	le = list_head(&s->addrs);
	while (le) {
		struct addr_count *a = le->data;

		le = le->next;
		if (now >= a->since + 3600000)
			mem_deref(a);
	}
}

static void addr_destructor(void *arg)
{
	struct addr_count *a = arg;
	list_unlink(&a->le);
}

static void desktop_destructor(void *arg)
{
	struct desktop *d = arg;
	list_unlink(&d->le);
}

static void svc_destructor(void *arg)
{
	struct chat_svc *s = arg;

	tmr_cancel(&s->tmr);
	if (s->ias)
		interaction_ops_set(s->ias, ACD_CHAT, NULL, NULL);
	list_flush(&s->chats);
	list_flush(&s->desktops);
	list_flush(&s->addrs);
	mem_deref(s->by_id);
	mem_deref(s->by_token);
	mem_deref((void *)s->tenant);
}

int chat_svc_alloc(struct chat_svc **sp, struct interaction_svc *ias, struct store *st,
		   const struct cfg_tenant *t, const char *data_dir)
{
	struct chat_svc *s;
	int err;

	if (!sp || !ias || !t)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), svc_destructor);
	if (!s)
		return ENOMEM;
	s->ias = ias;
	s->store = st;
	s->tenant = mem_ref((void *)t);
	s->now = clock_now_ms;
	util_copy(s->data_dir, sizeof(s->data_dir), data_dir ? data_dir : "");
	tmr_init(&s->tmr);
	err = hash_alloc(&s->by_id, 4096);
	if (!err)
		err = hash_alloc(&s->by_token, 4096);
	if (err) {
		mem_deref(s);
		return err;
	}
	interaction_ops_set(ias, ACD_CHAT, &chat_ops, s);
	tmr_start(&s->tmr, TICK_MS, tick, s);
	*sp = s;
	return 0;
}

void chat_svc_tenant_set(struct chat_svc *s, const struct cfg_tenant *t)
{
	if (!s || !t)
		return;
	mem_deref((void *)s->tenant);
	s->tenant = mem_ref((void *)t);
}

void chat_svc_tickets_set(struct chat_svc *s, struct tickets *tk)
{
	if (s)
		s->tickets = tk;
}

void chat_svc_clock(struct chat_svc *s, uint64_t (*now)(void))
{
	if (!s)
		return;
	s->now = now ? now : clock_now_ms;
	if (now)
		tmr_cancel(&s->tmr);
}

size_t chat_svc_count(const struct chat_svc *s, size_t *kept)
{
	size_t live = 0;

	if (kept)
		*kept = s ? list_count(&s->chats) : 0;
	for (struct le *le = s ? list_head(&s->chats) : NULL; le; le = le->next)
		live += chat_live(le->data);
	return live;
}

void chat_agent_desktop(struct chat_svc *s, const char *agent, bool open)
{
	struct desktop *d = NULL;

	if (!s || !agent || !agent[0])
		return;
	for (struct le *le = list_head(&s->desktops); le; le = le->next) {
		if (!strcmp(((struct desktop *)le->data)->agent, agent)) {
			d = le->data;
			break;
		}
	}
	if (!d && open) {
		d = mem_zalloc(sizeof(*d), desktop_destructor);
		if (!d)
			return;
		util_copy(d->agent, sizeof(d->agent), agent);
		list_append(&s->desktops, &d->le, d);
	}
	if (!d)
		return;
	if (open) {
		if (d->open++ == 0) {
			log_info("chat: desktop open agent=%s", agent);
			interaction_agent_reachable(s->ias, agent);
		}
	} else if (d->open && --d->open == 0) {
		log_info("chat: desktop closed agent=%s", agent);
		mem_deref(d);
	}
}

/* --- the visitor's HTTP side ------------------------------------------------------ */

bool chat_origin_allowed(const struct cfg_chat_entry *e, const char *origin)
{
	if (!origin || !origin[0])
		return true;
	for (size_t i = 0; e && i < e->originc; i++) {
		if (!strcmp(e->origins[i], origin))
			return true;
	}
	return false;
}

bool chat_origin_known(const struct chat_svc *s, const char *origin)
{
	if (!origin || !origin[0])
		return true;
	for (size_t i = 0; s && i < s->tenant->chat.entryc; i++) {
		if (chat_origin_allowed(&s->tenant->chat.entries[i], origin))
			return true;
	}
	return false;
}

/* Is an agent of queue there for a chat: logged in, at an open desktop?
 * A chat nobody can be offered would wait for nothing: the visitor gets
 * the offline form instead. */
static bool queue_staffed(struct chat_svc *s, const char *queue)
{
	for (struct le *le = list_head(&s->desktops); le; le = le->next) {
		const struct desktop *d = le->data;
		struct acd_agent_info ai;

		if (d->open && cfg_agent_serves(s->tenant, queue, d->agent) &&
		    !acd_agent_info(interaction_svc_acd(s->ias), d->agent, &ai) &&
		    ai.presence != AGENT_LOGGED_OUT)
			return true;
	}
	return false;
}

bool chat_entry_open(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic)
{
	const struct cfg_hours *h;

	if (!s || !e)
		return false;
	h = e->hours[0] ? cfg_hours_find(s->tenant, e->hours) : NULL;
	if (h && !cfg_hours_open(h, s->now()))
		return false;
	if (topic != SIZE_MAX)
		return topic < e->topicc && queue_staffed(s, e->topics[topic].queue);
	for (size_t i = 0; i < e->topicc; i++) {
		if (queue_staffed(s, e->topics[i].queue))
			return true;
	}
	return false;
}

/* One more chat from addr this hour, unless it has had its share. */
static bool addr_take(struct chat_svc *s, const char *addr)
{
	struct addr_count *a = NULL;
	uint64_t now = s->now();
	char host[64];
	char *colon;

	/* the address without its port: every connection of a machine */
	util_copy(host, sizeof(host), addr ? addr : "");
	colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	for (struct le *le = list_head(&s->addrs); le; le = le->next) {
		if (!strcmp(((struct addr_count *)le->data)->addr, host)) {
			a = le->data;
			break;
		}
	}
	if (a && now >= a->since + 3600000) {
		a->since = now;
		a->n = 0;
	}
	if (!a) {
		a = mem_zalloc(sizeof(*a), addr_destructor);
		if (!a)
			return false;
		util_copy(a->addr, sizeof(a->addr), host);
		a->since = now;
		list_append(&s->addrs, &a->le, a);
	}
	if (a->n >= s->tenant->chat.chats_per_address_per_hour)
		return false;
	a->n++;
	return true;
}

int chat_start(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic,
	       const char *name, const char *email, const char *phone, const char *addr,
	       char id[32], char token[48])
{
	unsigned char raw[32];
	struct chat *c;
	json_t *ev;

	if (!s || !e || !name || !id || !token)
		return EINVAL;
	if (topic >= e->topicc)
		return EINVAL;
	if (!chat_entry_open(s, e, topic))
		return EAGAIN;
	if (!addr_take(s, addr))
		return EUSERS;
	c = mem_zalloc(sizeof(*c), chat_destructor);
	if (!c)
		return ENOMEM;
	c->s = s;
	interaction_init(&c->ia, s->ias, c, ACD_CHAT, INTERACTION_INBOUND);
	util_copy(c->entry, sizeof(c->entry), e->name);
	util_copy(c->topic, sizeof(c->topic), e->topics[topic].label);
	util_copy(c->name, sizeof(c->name), name);
	util_copy(c->email, sizeof(c->email), email ? email : "");
	util_copy(c->phone, sizeof(c->phone), phone ? phone : "");
	/* what the calls list shows as the caller: how to reach the visitor */
	util_copy(c->ia.row.caller, sizeof(c->ia.row.caller),
		  c->email[0] ? c->email : (c->phone[0] ? c->phone : c->name));
	util_copy(c->ia.row.called, sizeof(c->ia.row.called), e->name);

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, 48, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, c->token_hash);
	list_append(&s->chats, &c->le, c);
	hash_append(s->by_id, hash_joaat_str(c->ia.row.id), &c->he_id, c);
	hash_append(s->by_token, hash_joaat_str(c->token_hash), &c->he_tok, c);
	util_copy(id, 32, c->ia.row.id);

	interaction_customer(&c->ia, c->phone[0] ? c->phone : c->email);
	if (!c->phone[0] && c->email[0] && !c->ia.row.customer[0])
		interaction_customer(&c->ia, c->email);
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "entry", c->entry, "topic", c->topic,
		       "name", c->name, "email", c->email, "phone", c->phone, "customer",
		       c->ia.row.customer);
	chat_event(c, "created", NULL, ev);
	log_info("chat: created id=%s entry=%s queue=%s", c->ia.row.id, e->name,
		 e->topics[topic].queue);
	/* the queue's rules may end it at once (nobody there, full): the
	 * visitor then finds it ended when it connects */
	mem_ref(c);
	(void)interaction_enqueue(&c->ia, e->topics[topic].queue, 0);
	interaction_route(s->ias);
	mem_deref(c);
	return 0;
}

int chat_offline(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic,
		 const char *name, const char *email, const char *phone,
		 const char *message, char ticket[32], const char **why)
{
	struct ticket_change tc = TICKET_CHANGE_INIT;
	struct store_ticket t;
	char subject[160], *desc;
	int err;

	if (!s || !e || !ticket)
		return EINVAL;
	if (!s->tickets)
		return ENOTSUP;
	if (topic >= e->topicc) {
		*why = "topic: not a topic of this entry";
		return EINVAL;
	}
	snprintf(subject, sizeof(subject), "Chat offline: %s (%s)", name,
		 e->topics[topic].label);
	desc = NULL;
	if (re_sdprintf(&desc, "%s\n\n%s%s%s%s%s", message, "From: ", name,
			email && email[0] ? " <" : "", email && email[0] ? email : "",
			email && email[0] ? ">" : "") ||
	    !desc)
		return ENOMEM;
	if (phone && phone[0]) {
		char *d2 = NULL;
		if (!re_sdprintf(&d2, "%s, phone %s", desc, phone)) {
			mem_deref(desc);
			desc = d2;
		}
	}
	tc.subject = subject;
	tc.description = desc;
	tc.group = e->offline_group[0] ? e->offline_group : e->topics[topic].queue;
	tc.by = "system";
	err = ticket_create(s->tickets, &tc, s->now(), &t, why);
	mem_deref(desc);
	if (!err) {
		util_copy(ticket, 32, t.id);
		log_info("chat: offline form ticket=%s entry=%s", t.id, e->name);
	}
	return err;
}

bool chat_token_valid(struct chat_svc *s, const char *id, const char *token)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	char h[65];

	if (!c || !token || strlen(token) != 43)
		return false;
	token_hash(token, h);
	return !sodium_memcmp(h, c->token_hash, 64);
}

int chat_transcript(struct chat_svc *s, const char *id, char **textp)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	struct mbuf *mb;
	char at[48];
	int err = 0;

	if (!c)
		return ENOENT;
	mb = mbuf_alloc(1024);
	if (!mb)
		return ENOMEM;
	clock_iso(at, sizeof(at), c->ia.row.created);
	err = mbuf_printf(mb, "Chat %s (%s), %s\n\n", c->ia.row.id, c->topic, at);
	for (struct le *le = list_head(&c->msgs); le && !err; le = le->next) {
		const struct chat_msg *m = le->data;

		if (m->internal)
			continue;
		clock_iso(at, sizeof(at), m->at);
		err = mbuf_printf(mb, "[%s] %s: %s%s%s\n", at, m->name[0] ? m->name : "-",
				  m->text, m->att ? " [file: " : "",
				  m->att ? m->att->name : "");
		if (!err && m->att)
			err = mbuf_printf(mb, "]");
	}
	if (!err) {
		*textp = malloc(mb->end + 1);
		if (!*textp)
			err = ENOMEM;
		else {
			memcpy(*textp, mb->buf, mb->end);
			(*textp)[mb->end] = '\0';
		}
	}
	mem_deref(mb);
	return err;
}

/* --- attachments ------------------------------------------------------------------- */

/* The type the content is, by its first bytes; NULL: not one we take. */
static const char *magic_type(const uint8_t *d, size_t n)
{
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && !memcmp(d, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(d, "%PDF-", 5))
		return "application/pdf";
	/* plain text: valid UTF-8 without control characters but tab and
	 * line ends (a binary of another kind is not) */
	if (n && chat_utf8_chars((const char *)d, n) >= 0) {
		for (size_t i = 0; i < n; i++) {
			if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
				return NULL;
		}
		return "text/plain";
	}
	return NULL;
}

int chat_attach(struct chat_svc *s, const char *id, const char *agent, const char *name,
		const uint8_t *data, size_t len, char aid[32], uint32_t *seq)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	struct store_attachment *a;
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *type;
	char path[CFG_PATH + 160];
	struct chat_msg *m;
	int fd, err = 0;

	if (!c)
		return ENOENT;
	if (!chat_live(c))
		return EALREADY;
	if (agent && strcmp(c->ia.agent, agent))
		return EPERM;
	if (!len || len > s->tenant->chat.attachment_bytes)
		return EMSGSIZE;
	type = magic_type(data, len);
	if (!type)
		return EPROTO;
	a = mem_zalloc(sizeof(*a), NULL);
	if (!a)
		return ENOMEM;
	id_new(a->id);
	util_copy(a->interaction, sizeof(a->interaction), c->ia.row.id);
	util_copy(a->name, sizeof(a->name), name && name[0] ? name : "file");
	util_copy(a->type, sizeof(a->type), type);
	a->size = len;
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(a->sha256, sizeof(a->sha256), h, sizeof(h));
	snprintf(a->path, sizeof(a->path), "attachments/%s", a->id);
	a->created = s->now();
	snprintf(path, sizeof(path), "%s/attachments", s->data_dir);
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s", s->data_dir, a->path);
	/* a visitor's file is personal data: the owner only */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, data, len) != (ssize_t)len)
			err = EIO;
		if (close(fd) && !err)
			err = EIO;
	}
	if (!err && s->store)
		err = store_attachment_add(s->store, a);
	if (err) {
		log_warn("chat: attachment not kept chat=%s: %s", id, strerror(err));
		(void)unlink(path);
		mem_deref(a);
		return err;
	}
	m = msg_add(c, agent ? FROM_AGENT : FROM_VISITOR, agent ? c->agent_name : c->name,
		    "", false, NULL, a);
	if (m) {
		visitor_send(c->v, msg_json(m, false));
		*seq = m->seq;
	}
	util_copy(aid, 32, a->id);
	mem_deref(a);
	return m ? 0 : ENOMEM;
}

int chat_attachment(struct chat_svc *s, const char *id, const char *aid, char *path,
		    size_t pathsz, char type[64], char name[128])
{
	struct store_attachment a;

	if (!s || !s->store || store_attachment_get(s->store, aid, &a) ||
	    strcmp(a.interaction, id))
		return ENOENT;
	snprintf(path, pathsz, "%s/%s", s->data_dir, a.path);
	util_copy(type, 64, a.type);
	util_copy(name, 128, a.name);
	return 0;
}

/* --- the visitor's socket ------------------------------------------------------------
 */

static void visitor_destructor(void *arg)
{
	struct chat_visitor *v = arg;

	tmr_cancel(&v->hello_tmr);
	if (v->c && v->c->v == v)
		v->c->v = NULL;
	mem_deref(v->c);
}

static void hello_timeout(void *arg)
{
	struct chat_visitor *v = arg;

	visitor_error(v, "bad_hello", "no hello within 10 s");
	visitor_close(v, 1008, "no hello");
}

int chat_visitor_alloc(struct chat_visitor **vp, struct chat_svc *s, const char *addr,
		       const char *origin, chat_send_h *sendh, chat_close_h *closeh,
		       void *conn)
{
	struct chat_visitor *v;

	if (!vp || !s || !sendh || !closeh)
		return EINVAL;
	v = mem_zalloc(sizeof(*v), visitor_destructor);
	if (!v)
		return ENOMEM;
	v->s = s;
	v->sendh = sendh;
	v->closeh = closeh;
	v->conn = conn;
	util_copy(v->addr, sizeof(v->addr), addr ? addr : "");
	util_copy(v->origin, sizeof(v->origin), origin ? origin : "");
	tmr_init(&v->hello_tmr);
	tmr_start(&v->hello_tmr, HELLO_MS, hello_timeout, v);
	*vp = v;
	return 0;
}

void chat_visitor_gone(struct chat_visitor *v)
{
	if (!v)
		return;
	v->conn = NULL;
	mem_deref(v);
}

static void hello(struct chat_visitor *v, json_t *o)
{
	struct chat_svc *s = v->s;
	const char *token = json_string_value(json_object_get(o, "token"));
	json_t *ls = json_object_get(o, "last_seq");
	json_int_t last = 0;
	struct chat *c;
	char h[65];
	json_t *w;

	if (ls && (!json_is_integer(ls) || (last = json_integer_value(ls)) < 0)) {
		visitor_error(v, "bad_hello", "last_seq: a whole number from 0");
		visitor_close(v, 1008, "bad hello");
		return;
	}
	if (!token || strlen(token) != 43) {
		visitor_error(v, "bad_token", "token: unknown or expired");
		visitor_close(v, 1008, "unknown or expired token");
		return;
	}
	token_hash(token, h);
	c = list_ledata(hash_lookup(s->by_token, hash_joaat_str(h), tok_cmp, h));
	if (!c) {
		log_info("chat: unknown token peer=%s", v->addr);
		visitor_error(v, "bad_token", "token: unknown or expired");
		visitor_close(v, 1008, "unknown or expired token");
		return;
	}
	if (!chat_origin_allowed(cfg_chat_entry_find(s->tenant, c->entry), v->origin)) {
		visitor_error(v, "bad_origin",
			      "this page's origin may not use this chat");
		visitor_close(v, 1008, "origin not allowed");
		return;
	}
	tmr_cancel(&v->hello_tmr);
	/* one socket per chat: a second tab or a reconnect before the old
	 * socket noticed takes over */
	if (c->v && c->v != v) {
		struct chat_visitor *old = c->v;

		c->v = NULL;
		visitor_error(old, "replaced", "the chat was opened elsewhere");
		visitor_close(old, 1008, "replaced");
	}
	v->c = mem_ref(c);
	c->v = v;
	if ((uint64_t)last > c->acked && (uint64_t)last <= c->seq)
		c->acked = (uint32_t)last;
	w = json_pack("{s:s,s:s,s:s}", "type", "welcome", "chat_id", c->ia.row.id,
		      "state", state_of(c));
	if (w && c->ia.state == INTERACTION_ACTIVE && chat_live(c))
		json_object_set_new(w, "agent", json_string(c->agent_name));
	if (w && chat_live(c) && c->ia.state != INTERACTION_ACTIVE) {
		size_t pos;
		uint64_t ewt;

		queue_figures(c, &pos, &ewt);
		if (pos) {
			json_object_set_new(w, "position", json_integer((json_int_t)pos));
			json_object_set_new(w, "ewt", json_integer((json_int_t)ewt));
			c->last_pos = pos;
		}
	}
	visitor_send(v, w);
	/* what it missed, once, in order; notes stay with the agents */
	for (struct le *le = list_head(&c->msgs); le; le = le->next) {
		const struct chat_msg *m = le->data;

		if (m->seq > (uint64_t)last && !m->internal)
			visitor_send(v, msg_json(m, false));
	}
	log_info("chat: visitor joined id=%s last_seq=%lld peer=%s", c->ia.row.id,
		 (long long)last, v->addr);
}

/* A message is refused past per_visitor_per_min in a minute; a visitor
 * that keeps on is closed. */
static bool flood_ok(struct chat_visitor *v)
{
	uint64_t now = v->s->now();

	if (now >= v->win_start + 60000) {
		v->win_start = now;
		v->win_count = 0;
	}
	if (v->win_count >= v->s->tenant->chat.per_visitor_per_min) {
		if (++v->refused >= FLOOD_CLOSE) {
			visitor_error(v, "flood", "too many messages: closed");
			visitor_close(v, 1008, "too many messages");
		} else {
			visitor_error(v, "flood", "too many messages: wait a minute");
		}
		return false;
	}
	v->win_count++;
	v->refused = 0;
	return true;
}

static void visitor_msg(struct chat_visitor *v, json_t *o)
{
	struct chat *c = v->c;
	const char *text = json_string_value(json_object_get(o, "text"));
	const char *cid = json_string_value(json_object_get(o, "cid"));
	const struct cfg_chat *lim = &v->s->tenant->chat;
	struct chat_msg *m;
	long n;

	if (!chat_live(c)) {
		visitor_error(v, "ended", "the chat has ended");
		return;
	}
	if (!text || (cid && strlen(cid) > MAX_CID) ||
	    (json_object_get(o, "cid") && !cid)) {
		visitor_error(v, "bad_frame",
			      "msg: {cid, text} with text a string and cid "
			      "of at most 64 characters");
		return;
	}
	n = chat_utf8_chars(text, strlen(text));
	if (n <= 0) {
		visitor_error(v, "bad_frame", "text: empty");
		return;
	}
	if ((uint32_t)n > lim->message_chars) {
		char why[96];

		snprintf(why, sizeof(why), "text: %ld characters, at most %u", n,
			 lim->message_chars);
		visitor_error(v, "too_long", why);
		return;
	}
	/* a resend of a message it has (the echo was lost with the socket):
	 * the stored one again, not a second */
	for (struct le *le = cid && cid[0] ? list_tail(&c->msgs) : NULL; le;
	     le = le->prev) {
		const struct chat_msg *k = le->data;

		if (k->from == FROM_VISITOR && !strcmp(k->cid, cid)) {
			visitor_send(v, msg_json(k, false));
			return;
		}
	}
	if (!flood_ok(v))
		return;
	m = msg_add(c, FROM_VISITOR, c->name, text, false, cid, NULL);
	if (!m) {
		visitor_error(v, "internal", "the message could not be kept");
		return;
	}
	echo_after_commit(c, m->seq);
}

void chat_visitor_recv(struct chat_visitor *v, const char *data, size_t len, bool text)
{
	json_error_t jerr;
	const char *type;
	struct chat *c;
	json_t *o;

	if (!v || !v->conn || v->closing)
		return;
	if (!text) {
		visitor_error(v, "bad_frame", "only text frames of JSON are taken");
		visitor_close(v, 1003, "binary frame");
		return;
	}
	if (len > MAX_FRAME) {
		visitor_error(v, "too_big", "frame over 64 KiB");
		visitor_close(v, 1009, "frame too big");
		return;
	}
	/* RFC 6455 §8.1: text frames are UTF-8; a broken one ends the
	 * connection (1007) */
	if (chat_utf8_chars(data, len) < 0) {
		visitor_error(v, "bad_utf8", "the frame is not valid UTF-8");
		visitor_close(v, 1007, "invalid UTF-8");
		return;
	}
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o) ||
	    !(type = json_string_value(json_object_get(o, "type")))) {
		json_decref(o);
		visitor_error(v, "bad_json", "a frame is a JSON object with a type");
		if (!v->c)
			visitor_close(v, 1008, "bad hello");
		return;
	}
	mem_ref(v);
	if (!v->c) {
		if (strcmp(type, "hello")) {
			visitor_error(v, "bad_hello", "the first frame must be hello");
			visitor_close(v, 1008, "no hello");
		} else {
			hello(v, o);
		}
		goto out;
	}
	c = v->c;
	if (!strcmp(type, "msg")) {
		visitor_msg(v, o);
	} else if (!strcmp(type, "typing")) {
		json_t *on = json_object_get(o, "on");

		if (!json_is_boolean(on))
			visitor_error(v, "bad_frame", "typing: {on: true|false}");
		else if (chat_live(c) && flood_ok(v))
			chat_event(c, "typing", c->ia.agent,
				   json_pack("{s:s,s:b}", "from", "visitor", "on",
					     json_is_true(on)));
	} else if (!strcmp(type, "read") || !strcmp(type, "ack")) {
		json_t *sq = json_object_get(o, "seq");
		json_int_t n = json_is_integer(sq) ? json_integer_value(sq) : -1;

		if (n < 0 || n > (json_int_t)c->seq)
			visitor_error(v, "bad_frame", "seq: a number of a message sent");
		else if (!strcmp(type, "ack"))
			c->acked = (uint32_t)n > c->acked ? (uint32_t)n : c->acked;
		else if (chat_live(c))
			chat_event(c, "read", c->ia.agent,
				   json_pack("{s:s,s:I}", "from", "visitor", "seq", n));
	} else if (!strcmp(type, "end")) {
		chat_end(c, "visitor", "visitor ended");
	} else if (!strcmp(type, "rate")) {
		json_t *sc = json_object_get(o, "score");
		const char *comment = json_string_value(json_object_get(o, "comment"));
		json_int_t n = json_is_integer(sc) ? json_integer_value(sc) : 0;

		if (n < 1 || n > 5) {
			visitor_error(v, "bad_score", "score: 1 to 5");
		} else if (c->rated) {
			visitor_error(v, "bad_score", "the chat is rated already");
		} else {
			struct store_survey sv;

			/* kept as a call's survey is: a row with its score,
			 * found by the interaction */
			memset(&sv, 0, sizeof(sv));
			token_hash(c->ia.row.id, sv.hash);
			util_copy(sv.call, sizeof(sv.call), c->ia.row.id);
			util_copy(sv.customer, sizeof(sv.customer), c->ia.row.customer);
			sv.created = sv.answered = v->s->now();
			sv.score = (int)n;
			util_copy(sv.comment, sizeof(sv.comment), comment ? comment : "");
			if (v->s->store)
				(void)store_survey_save(v->s->store, &sv);
			c->rated = true;
			chat_event(c, "rated", c->ia.agent,
				   json_pack("{s:I,s:s}", "score", n, "comment",
					     comment ? comment : ""));
		}
	} else if (!strcmp(type, "hello")) {
		visitor_error(v, "bad_frame", "hello was sent already");
	} else {
		visitor_error(v, "bad_frame", "unknown type");
	}
out:
	json_decref(o);
	mem_deref(v);
}

/* --- what agents do -------------------------------------------------------------------
 */

bool chat_exists(struct chat_svc *s, const char *id, char queue[32], char agent[32])
{
	struct chat *c = s ? chat_find(s, id) : NULL;

	if (!c)
		return false;
	if (queue)
		util_copy(queue, 32, c->ia.row.queue);
	if (agent)
		util_copy(agent, 32, chat_live(c) ? c->ia.agent : "");
	return true;
}

bool chat_offered_to(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat_find(s, id) : NULL;

	for (size_t i = 0; c && chat_live(c) && i < c->offerc; i++) {
		if (!strcmp(c->offers[i].agent, agent))
			return true;
	}
	return false;
}

int chat_accept(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	uint64_t at = 0;
	int err;

	if (!c)
		return ENOENT;
	if (!chat_live(c) || !offer_drop(c, agent, &at))
		return EPERM;
	mem_ref(c);
	log_info("chat: accepted id=%s agent=%s", c->ia.row.id, agent);
	err = interaction_accept(&c->ia, agent, at);
	interaction_route(s->ias);
	mem_deref(c);
	return err;
}

int chat_decline(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	uint64_t at = 0;

	if (!c)
		return ENOENT;
	if (!chat_live(c) || !offer_drop(c, agent, &at))
		return EPERM;
	mem_ref(c);
	log_info("chat: declined id=%s agent=%s", c->ia.row.id, agent);
	chat_event(c, "withdrawn", agent,
		   json_pack("{s:s,s:s}", "agent", agent, "reason", "declined"));
	/* a decline is a miss: the next agent, and auto-pause counts it */
	interaction_missed(&c->ia, agent, 603, at);
	interaction_route(s->ias);
	mem_deref(c);
	return 0;
}

/* The chat of agent (handling it), or an error. */
static int handled(struct chat_svc *s, const char *id, const char *agent,
		   struct chat **cp)
{
	struct chat *c = s ? chat_find(s, id) : NULL;

	if (!c)
		return ENOENT;
	if (!chat_live(c))
		return EALREADY;
	if (!agent || strcmp(c->ia.agent, agent))
		return EPERM;
	*cp = c;
	return 0;
}

int chat_agent_message(struct chat_svc *s, const char *id, const char *agent,
		       const char *text, bool internal, uint32_t *seq)
{
	struct chat *c;
	struct chat_msg *m;
	long n;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	n = text ? chat_utf8_chars(text, strlen(text)) : -1;
	if (n < 0)
		return EILSEQ;
	if (n == 0)
		return EINVAL;
	if ((uint32_t)n > s->tenant->chat.message_chars)
		return EMSGSIZE;
	m = msg_add(c, FROM_AGENT, c->agent_name, text, internal, NULL, NULL);
	if (!m)
		return ENOMEM;
	if (!internal)
		visitor_send(c->v, msg_json(m, false));
	*seq = m->seq;
	return 0;
}

int chat_agent_typing(struct chat_svc *s, const char *id, const char *agent, bool on)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	visitor_send(c->v, json_pack("{s:s,s:b}", "type", "typing", "on", on));
	chat_event(c, "typing", agent, json_pack("{s:s,s:b}", "from", "agent", "on", on));
	return 0;
}

int chat_agent_read(struct chat_svc *s, const char *id, const char *agent, uint32_t seq)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	if (seq > c->seq)
		return ERANGE;
	visitor_send(c->v,
		     json_pack("{s:s,s:I}", "type", "read", "seq", (json_int_t)seq));
	chat_event(c, "read", agent,
		   json_pack("{s:s,s:I}", "from", "agent", "seq", (json_int_t)seq));
	return 0;
}

int chat_agent_end(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	chat_end(c, "agent", "agent ended");
	return 0;
}

int chat_transfer(struct chat_svc *s, const char *id, const char *agent,
		  const char *to_queue, const char *to_agent)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	if (to_queue) {
		const struct cfg_queue *q = cfg_queue_find(s->tenant, to_queue);

		if (!q || q->channel != CFG_CHAT)
			return ESRCH;
		mem_ref(c);
		log_info("chat: transfer id=%s from=%s queue=%s", c->ia.row.id, agent,
			 to_queue);
		msg_add(c, FROM_SYSTEM, "", "transferred", true, NULL, NULL);
		interaction_release(&c->ia, to_queue, "blind");
		c->agent_name[0] = '\0';
		c->last_pos = 0;
		err = interaction_enqueue(&c->ia, to_queue, c->ia.priority);
		if (chat_live(c)) {
			tell_state(c);
			tell_queue(c, true);
		}
		interaction_route(s->ias);
		mem_deref(c);
		return err;
	}
	if (!to_agent || !cfg_agent_find(s->tenant, to_agent))
		return ESRCH;
	if (!strcmp(to_agent, agent) || !op_reachable(to_agent, s))
		return EBUSY;
	/* straight to that agent, as an extension call is: busy outside the
	 * queues, within its chat capacity */
	err = acd_busy(interaction_svc_acd(s->ias), to_agent, ACD_CHAT, false, s->now());
	if (err)
		return EBUSY;
	mem_ref(c);
	log_info("chat: transfer id=%s from=%s agent=%s", c->ia.row.id, agent, to_agent);
	interaction_release(&c->ia, to_agent, "blind");
	err = interaction_accept(&c->ia, to_agent, s->now());
	interaction_route(s->ias);
	mem_deref(c);
	return err;
}

int chat_visitor_info(struct chat_svc *s, const char *id, char name[64], char email[128],
		      char phone[32])
{
	struct chat *c = s ? chat_find(s, id) : NULL;

	if (!c)
		return ENOENT;
	util_copy(name, 64, c->name);
	util_copy(email, 128, c->email);
	util_copy(phone, 32, c->phone);
	return 0;
}

int chat_customer_set(struct chat_svc *s, const char *id, const char *customer,
		      const char *name)
{
	struct chat *c = s ? chat_find(s, id) : NULL;

	if (!c)
		return ENOENT;
	util_copy(c->ia.row.customer, sizeof(c->ia.row.customer), customer);
	util_copy(c->ia.customer_name, sizeof(c->ia.customer_name), name ? name : "");
	interaction_save(&c->ia);
	return 0;
}

struct msgs_read {
	json_t *a;
};

static int stored_msg_h(const struct store_message *m, void *arg)
{
	struct msgs_read *r = arg;
	struct chat_msg cm;

	memset(&cm, 0, sizeof(cm));
	cm.seq = m->seq;
	cm.from = !strcmp(m->sender, "agent")	 ? FROM_AGENT
		  : !strcmp(m->sender, "system") ? FROM_SYSTEM
						 : FROM_VISITOR;
	cm.internal = m->internal;
	util_copy(cm.name, sizeof(cm.name), m->name);
	cm.text = (char *)m->text;
	cm.at = m->created;
	json_t *o = msg_json(&cm, true);
	if (o) {
		json_object_del(o, "type");
		if (m->attachment[0])
			json_object_set_new(o, "attachment",
					    json_pack("{s:s}", "id", m->attachment));
		json_array_append_new(r->a, o);
	}
	return 0;
}

char *chat_messages_json(struct chat_svc *s, const char *id)
{
	struct chat *c = s ? chat_find(s, id) : NULL;
	struct msgs_read r = {json_array()};
	char *text;

	if (!r.a)
		return NULL;
	if (c) {
		for (struct le *le = list_head(&c->msgs); le; le = le->next) {
			json_t *o = msg_json(le->data, true);
			if (o) {
				json_object_del(o, "type");
				json_array_append_new(r.a, o);
			}
		}
	} else if (s && s->store) {
		(void)store_message_list(s->store, id, stored_msg_h, &r);
	}
	text = json_dumps(r.a, JSON_COMPACT);
	json_decref(r.a);
	return text;
}
