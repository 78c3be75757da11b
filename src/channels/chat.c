/*
 * chat.c — the web chat adapter (issue 13, docs/CHAT.md): the service, the
 * interaction core's operations for the chat channel, a chat's life (its
 * token, only a hash kept; its interaction; its end), its messages with
 * their per-chat sequence numbers (kept in memory while the chat lives
 * and a day after, written to the store) and the one function its events
 * leave by, and the visitor's HTTP side (whether an entry is open, a chat
 * started, the offline form as a ticket, the transcript).
 *
 * Offers, ring-no-answer, auto-pause, capacities, queue rules, the CRM
 * match, wrap-up, the stored row and the core's events are the
 * interaction service's: the adapter only tells it what happened on the
 * channel (interaction_accept, interaction_missed, interaction_end).
 *
 * Not here: the visitor's socket protocol (chat_visitor.c), what agents
 * do (chat_agent.c), attachments (chat_files.c), sockets and HTTP
 * (src/api/chat.c, which hands frames in and takes frames out through
 * chat_send_h and chat_close_h).
 */
#include "channels/chat_int.h"

static struct interaction_ops chat_ops;

const char *const chat__sender_names[] = {"visitor", "agent", "system"};

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

void chat__token_hash(const char *token, char hex[65])
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

struct chat *chat__find(const struct chat_svc *s, const char *id)
{
	if (!id)
		return NULL;
	return list_ledata(hash_lookup(s->by_id, hash_joaat_str(id), id_cmp, (void *)id));
}

bool chat__live(const struct chat *c)
{
	return !c->ended_at;
}

static const char *agent_display(const struct chat_svc *s, const char *ext)
{
	const struct cfg_agent *a = cfg_agent_find(s->tenant, ext);
	return a && a->name[0] ? a->name : ext;
}

/* --- the one way chat events leave ------------------------------------------ */

/* An event of type about c, data (taken over) its details: every chat
 * event goes out here, its data built with jansson (text of any size and
 * script). */
void chat__event(struct chat *c, enum event_type type, const char *agent, json_t *data)
{
	event_emit_data(type, c->ia.row.id, agent && agent[0] ? agent : NULL,
			c->ia.row.queue[0] ? c->ia.row.queue : NULL, data);
}

/* --- to the visitor ---------------------------------------------------------- */

void chat__visitor_send(struct chat_visitor *v, json_t *o)
{
	char *text;

	if (!o)
		return;
	text = v && v->conn && !v->closing ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return;
	if (v->sendh(v->conn, text))
		chat__visitor_close(v, 1011, "send failed");
	free(text);
}

void chat__visitor_error(struct chat_visitor *v, const char *code, const char *reason)
{
	chat__visitor_send(v, json_pack("{s:s,s:s,s:s}", "type", "error", "code", code,
					"reason", reason));
}

void chat__visitor_close(struct chat_visitor *v, uint16_t code, const char *reason)
{
	if (!v->conn || v->closing)
		return;
	v->closing = true;
	log_info("chat: visitor closed chat=%s peer=%s code=%u reason=%s",
		 v->c ? v->c->ia.row.id : "-", v->addr, code, reason);
	v->closeh(v->conn, code, reason);
}

json_t *chat__msg_json(const struct chat_msg *m, bool for_agent)
{
	char at[48];
	json_t *o;

	clock_iso(at, sizeof(at), m->at);
	o = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "type", "msg", "seq",
		      (json_int_t)m->seq, "from", chat__sender_names[m->from], "name",
		      m->name, "text", m->text, "at", at);
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

const char *chat__state(const struct chat *c)
{
	if (!chat__live(c))
		return "ended";
	return c->ia.state == INTERACTION_ACTIVE ? "active" : "queued";
}

void chat__queue_figures(struct chat *c, size_t *pos, uint64_t *ewt_s)
{
	*pos = interaction_position(&c->ia);
	*ewt_s = (interaction_ewt_ms(&c->ia, c->s->now()) + 999) / 1000;
}

void chat__tell_state(struct chat *c)
{
	json_t *o = json_pack("{s:s,s:s}", "type", "state", "state", chat__state(c));

	if (o && c->ia.state == INTERACTION_ACTIVE && chat__live(c))
		json_object_set_new(o, "agent", json_string(c->agent_name));
	chat__visitor_send(c->v, o);
}

void chat__tell_queue(struct chat *c, bool always)
{
	size_t pos;
	uint64_t ewt;

	if (!c->v || !chat__live(c) || c->ia.state == INTERACTION_ACTIVE)
		return;
	chat__queue_figures(c, &pos, &ewt);
	if (!pos || (!always && pos == c->last_pos))
		return;
	c->last_pos = pos;
	chat__visitor_send(c->v, json_pack("{s:s,s:I,s:I}", "type", "queue", "position",
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
struct chat_msg *chat__msg_add(struct chat *c, enum sender from, const char *name,
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
	util_copy(sm.sender, sizeof(sm.sender), chat__sender_names[from]);
	util_copy(sm.name, sizeof(sm.name), m->name);
	sm.text = m->text;
	sm.internal = internal;
	util_copy(sm.cid, sizeof(sm.cid), m->cid);
	if (att)
		util_copy(sm.attachment, sizeof(sm.attachment), att->id);
	sm.created = m->at;
	if (c->s->store && store_message_add(c->s->store, &sm))
		log_warn("chat: message not stored chat=%s seq=%u", c->ia.row.id, m->seq);

	ev = chat__msg_json(m, true);
	if (ev) {
		json_object_del(ev, "type");
		/* the agent's first reply: its time from the chat's start is the
		 * chat's first response (docs/METRICS.md), counted from this
		 * event by live figures and reports alike */
		if (from == FROM_AGENT && !internal && !c->replied) {
			c->replied = true;
			json_object_set_new(ev, "reply", json_string("first"));
			json_object_set_new(
			    ev, "first_response_ms",
			    json_integer((json_int_t)(m->at > c->ia.row.created
							  ? m->at - c->ia.row.created
							  : 0)));
		}
		chat__event(c, EVENT_CHAT_MESSAGE, c->ia.agent, ev);
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
			chat__visitor_send(c->v, chat__msg_json(m, false));
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

void chat__echo_after_commit(struct chat *c, uint32_t seq)
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
		chat__event(c, EVENT_CHAT_WITHDRAWN, c->offers[i].agent,
			    json_pack("{s:s,s:s}", "agent", c->offers[i].agent, "reason",
				      reason));
	c->offerc = 0;
}

bool chat__offer_drop(struct chat *c, const char *agent, uint64_t *at)
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
void chat__end(struct chat *c, const char *side, const char *reason)
{
	struct chat_svc *s = c->s;

	if (!chat__live(c))
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
	chat__tell_state(c);
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
	chat__event(c, EVENT_CHAT_OFFERED, agent,
		    json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "agent", agent,
			      "timeout", (json_int_t)(q ? q->ring_timeout_ms : 0), "name",
			      c->name, "topic", c->topic, "customer", ia->row.customer,
			      "customer_name", ia->customer_name, "customer_tier",
			      ia->customer_tier, "customer_ext", ia->customer_ext));
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

	if (chat__offer_drop(c, agent, NULL))
		chat__event(c, EVENT_CHAT_WITHDRAWN, agent,
			    json_pack("{s:s,s:s}", "agent", agent, "reason", "timeout"));
}

static int op_connect(struct interaction *ia, const char *agent, void *arg)
{
	struct chat *c = ia->obj;
	(void)arg;

	util_copy(c->agent_name, sizeof(c->agent_name), agent_display(c->s, agent));
	interaction_save(ia);
	chat__event(c, EVENT_CHAT_ANSWERED, agent,
		    json_pack("{s:s,s:s}", "agent", agent, "name", c->agent_name));
	chat__tell_state(c);
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
	chat__end(ia->obj, "system", reason);
}

bool chat__reachable(const char *agent, void *arg)
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

		if (!chat__live(c))
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
    .reachable = chat__reachable,
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
		if (!chat__live(c)) {
			if (now >= c->ended_at + KEEP_MS && !c->v)
				mem_deref(c);
			continue;
		}
		chat__tell_queue(c, false);
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
		live += chat__live(le->data);
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
	chat__token_hash(token, c->chat__token_hash);
	list_append(&s->chats, &c->le, c);
	hash_append(s->by_id, hash_joaat_str(c->ia.row.id), &c->he_id, c);
	hash_append(s->by_token, hash_joaat_str(c->chat__token_hash), &c->he_tok, c);
	util_copy(id, 32, c->ia.row.id);

	interaction_customer(&c->ia, c->phone[0] ? c->phone : c->email);
	if (!c->phone[0] && c->email[0] && !c->ia.row.customer[0])
		interaction_customer(&c->ia, c->email);
	/* the queue it is for, on chat.created already: the event is what
	 * tells that queue's agents (they see their queues' events), and
	 * enqueueing comes after it */
	util_copy(c->ia.row.queue, sizeof(c->ia.row.queue), e->topics[topic].queue);
	ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "entry", c->entry, "topic", c->topic,
		       "name", c->name, "email", c->email, "phone", c->phone, "customer",
		       c->ia.row.customer);
	chat__event(c, EVENT_CHAT_CREATED, NULL, ev);
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
	struct chat *c = s ? chat__find(s, id) : NULL;
	char h[65];

	if (!c || !token || strlen(token) != 43)
		return false;
	chat__token_hash(token, h);
	return !sodium_memcmp(h, c->chat__token_hash, 64);
}

int chat_transcript(struct chat_svc *s, const char *id, char **textp)
{
	struct chat *c = s ? chat__find(s, id) : NULL;
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
