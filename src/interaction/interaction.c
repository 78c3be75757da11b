/*
 * interaction.c — the interaction service: what every channel shares,
 * done once. Queue entry with the customer's tier, the routing engine's
 * handlers (offers go to the adapter of the item's channel; "can this
 * agent take it" is the channel's), the queue rules that take an
 * interaction out (another queue here, any other target by the adapter),
 * the CRM match, the handling and wrap-up of an agent, the events and the
 * stored row.
 *
 * Not here: how an offer reaches an agent, how a conversation is
 * connected or ended on its channel (the adapters: sip/call.c for voice),
 * routing decisions (acd/).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "crm/crm.h"
#include "interaction/interaction.h"

#define TICK_MS	 100
#define CHECK_MS 10000 /* invariant check and repair of agent states */

struct channel {
	const struct interaction_ops *ops;
	void *arg;
};

/* A queue offer pending at an agent: ring-no-answer is timed here, for
 * every channel alike. */
struct offer {
	struct le le;  /* in ia->offers, by time */
	struct le rle; /* in the service's ringing, by due */
	struct interaction *ia;
	char agent[32];
	uint64_t at;
	uint64_t due; /* its ring timeout ends */
};

struct interaction_svc {
	struct acd *acd;
	struct acd_stats *stats;
	struct store *store;
	struct crm_hook *hook; /* the external CRM, NULL: none */
	const struct cfg_tenant *tenant;
	struct channel chv[ACD_CHANNELS];
	struct list live;    /* struct interaction, by creation */
	struct list ringing; /* struct offer of every live interaction, by
			      * due: the tick looks at those due only */
	struct tmr tick;
	uint64_t (*now)(void); /* the clock: clock_now_ms, a test's own */
	uint64_t checked_at;   /* last invariant check and repair */
	uint64_t day;	       /* UTC day of the last tick (acd_new_day) */
	bool closing;
};

static const char *const state_names[] = {"routing", "offered", "active", "wrap-up",
					  "ended"};

static const char *const exit_names[] = {"timeout", "full", "empty", "key"};
static const char *const exit_outcomes[] = {"exited_timeout", "exited_full",
					    "exited_empty", "exited_key"};
static const char *const exit_reasons[] = {"max wait", "queue full", "queue empty",
					   "exit key"};

const char *interaction_channel_name(enum acd_channel ch)
{
	return acd_channel_name(ch);
}

int interaction_channel_parse(enum acd_channel *chp, const char *name)
{
	for (int ch = 0; name && ch < ACD_CHANNELS; ch++) {
		if (!strcmp(name, acd_channel_name((enum acd_channel)ch))) {
			*chp = (enum acd_channel)ch;
			return 0;
		}
	}
	return EINVAL;
}

const char *interaction_state_name(enum interaction_state st)
{
	return st <= INTERACTION_ENDED ? state_names[st] : "?";
}

static const struct channel *channel_of(const struct interaction *ia)
{
	return &ia->svc->chv[ia->channel];
}

/* --- events and the row ------------------------------------------------------ */

void interaction_save(struct interaction *ia)
{
	if (ia->svc->store && !ia->quiet)
		store_call_save(ia->svc->store, &ia->row);
}

void interaction_event(struct interaction *ia, enum event_type type, const char *agent,
		       const char *fmt, ...)
{
	va_list ap;

	if (ia->quiet)
		return;
	va_start(ap, fmt);
	event_emit_vpack(type, ia->row.id, agent, ia->row.queue[0] ? ia->row.queue : NULL,
			 fmt, ap);
	va_end(ap);
}

/* Each channel's end has a type of its own: call.ended for voice. */
static enum event_type ended_type(const struct interaction *ia)
{
	static const enum event_type types[ACD_CHANNELS] = {
	    [ACD_VOICE] = EVENT_CALL_ENDED,
	    [ACD_CHAT] = EVENT_CHAT_ENDED,
	    [ACD_MAIL] = EVENT_MAIL_ENDED,
	    [ACD_MESSAGE] = EVENT_MESSAGE_ENDED,
	};

	return ia->channel < ACD_CHANNELS ? types[ia->channel] : EVENT_CALL_ENDED;
}

/* --- life ------------------------------------------------------------------ */

void interaction_init(struct interaction *ia, struct interaction_svc *s, void *obj,
		      enum acd_channel ch, enum interaction_direction dir)
{
	memset(ia, 0, sizeof(*ia));
	ia->svc = s;
	ia->obj = obj;
	ia->channel = ch < ACD_CHANNELS ? ch : ACD_VOICE;
	ia->direction = dir;
	ia->state = INTERACTION_ROUTING;
	id_new(ia->row.id);
	ia->row.created = s->now();
	util_copy(ia->row.outcome, sizeof(ia->row.outcome), "active");
	util_copy(ia->row.channel, sizeof(ia->row.channel),
		  acd_channel_name(ia->channel));
	util_copy(ia->row.direction, sizeof(ia->row.direction),
		  dir == INTERACTION_OUTBOUND ? "outbound" : "inbound");
	list_append(&s->live, &ia->le, ia);
}

void interaction_fini(struct interaction *ia)
{
	if (!ia)
		return;
	list_unlink(&ia->le);
	list_flush(&ia->offers);
}

static void offer_forget(struct interaction *ia, const char *agent)
{
	for (struct le *le = list_head(&ia->offers); le; le = le->next) {
		struct offer *o = le->data;
		if (!strcmp(o->agent, agent)) {
			mem_deref(o); /* its destructor unlinks it */
			return;
		}
	}
}

static void offer_destructor(void *arg)
{
	struct offer *o = arg;

	list_unlink(&o->le);
	list_unlink(&o->rle);
}

/* o in the service's ringing list at its due: from the end, where an
 * offer of the same ring timeout as the last goes at once. */
static void ringing_add(struct interaction_svc *s, struct offer *o)
{
	struct le *le;

	for (le = list_tail(&s->ringing); le; le = le->prev) {
		const struct offer *p = le->data;

		if (p->due <= o->due)
			break;
	}
	if (le)
		list_insert_after(&s->ringing, le, &o->rle, o);
	else
		list_prepend(&s->ringing, &o->rle, o);
}

struct interaction *interaction_find(const struct interaction_svc *s, const char *id)
{
	for (struct le *le = s && id ? list_head(&s->live) : NULL; le; le = le->next) {
		struct interaction *ia = le->data;
		if (!strcmp(ia->row.id, id))
			return ia;
	}
	return NULL;
}

size_t interaction_customer_count(const struct interaction_svc *s, const char *customer)
{
	size_t n = 0;

	for (struct le *le = s && customer ? list_head(&s->live) : NULL; le;
	     le = le->next) {
		const struct interaction *ia = le->data;
		n += !ia->quiet && !strcmp(ia->row.customer, customer);
	}
	return n;
}

void interaction_customer_merged(struct interaction_svc *s, const char *from,
				 const char *into, const char *name)
{
	for (struct le *le = s && from && into ? list_head(&s->live) : NULL; le;
	     le = le->next) {
		struct interaction *ia = le->data;

		if (ia->quiet || strcmp(ia->row.customer, from))
			continue;
		util_copy(ia->row.customer, sizeof(ia->row.customer), into);
		util_copy(ia->customer_name, sizeof(ia->customer_name), name);
		interaction_save(ia);
	}
}

/* --- the customer ---------------------------------------------------------- */

/* The name, tier and id are text the API or the CRM hook checked on the
 * way in (util_text_check) and events encode them with jansson: they are
 * kept as they are (a quote in O"Brien stays a quote). */
static void customer_set(struct interaction *ia, const struct crm_match *m)
{
	util_copy(ia->customer_name, sizeof(ia->customer_name), m->name);
	util_copy(ia->customer_tier, sizeof(ia->customer_tier), m->tier);
	ia->tier_priority = m->priority;
	log_info("interaction: customer id=%s customer=%s tier=%s priority=%+d",
		 ia->row.id, m->customer, m->tier, m->priority);
}

/* The external CRM's answer: in time for the queues while the
 * interaction has not entered one; the screen pop takes it whenever it
 * comes. The hook holds a reference to ia->obj until then. */
static void hook_answer(int err, const struct crm_match *m, void *arg)
{
	struct interaction *ia = arg;

	if (err || ia->state == INTERACTION_ENDED || ia->customer_name[0])
		return;
	if (ia->row.queued)
		log_info("interaction: lookup answered after the queue id=%s: no "
			 "priority",
			 ia->row.id);
	util_copy(ia->customer_ext, sizeof(ia->customer_ext), m->customer);
	customer_set(ia, m);
	if (ia->row.queued)
		ia->tier_priority = 0;
}

/* What the hook keeps while it asks: the adapter's object (so that ia
 * stays) and where ia sits in it. */
struct hook_ask {
	struct interaction *ia;
	void *obj;
};

static void hook_answer_h(int err, const struct crm_match *m, void *arg)
{
	struct hook_ask *h = arg;

	hook_answer(err, m, h->ia);
}

static void hook_ask_destructor(void *arg)
{
	struct hook_ask *h = arg;

	mem_deref(h->obj);
}

void interaction_customer(struct interaction *ia, const char *identity)
{
	struct interaction_svc *s = ia->svc;
	struct crm_match m;
	struct hook_ask *h;
	char e164[32];

	enum crm_kind kind;

	if (!identity || !*identity)
		return;
	/* a phone number has no @ and an e-mail address must have one */
	kind = strchr(identity, '@') ? CRM_EMAIL : CRM_PHONE;
	if (!crm_match(s->store, s->tenant, kind, identity, &m)) {
		util_copy(ia->row.customer, sizeof(ia->row.customer), m.customer);
		customer_set(ia, &m);
		return;
	}
	/* the external CRM is asked by number only ({number} in its URL) */
	if (kind != CRM_PHONE || !s->hook ||
	    crm_e164(e164, sizeof(e164), identity, s->tenant->country, NULL))
		return;
	h = mem_zalloc(sizeof(*h), hook_ask_destructor);
	if (!h)
		return;
	h->ia = ia;
	h->obj = mem_ref(ia->obj);
	(void)crm_hook_ask(s->hook, e164, hook_answer_h, h);
	mem_deref(h); /* the hook keeps its own reference while it asks */
}

/* --- queues ------------------------------------------------------------------ */

int interaction_enqueue(struct interaction *ia, const char *queue, int priority)
{
	struct interaction_svc *s = ia->svc;
	struct acd_item *it = NULL;
	int err;

	ia->state = INTERACTION_ROUTING;
	ia->priority = priority;
	priority += ia->tier_priority;
	ia->exit_outcome[0] = '\0';
	util_copy(ia->row.queue, sizeof(ia->row.queue), queue);
	ia->row.queued = s->now();
	interaction_save(ia);
	interaction_event(ia, EVENT_QUEUE_ENTERED, NULL, "{s:i,s:s}", "priority",
			  priority, "caller", ia->row.caller);
	log_info("interaction: queued id=%s channel=%s queue=%s priority=%d", ia->row.id,
		 acd_channel_name(ia->channel), queue, priority);
	mem_ref(ia->obj);
	err = acd_enqueue(s->acd, queue, priority, ia->row.queued, ia, &it);
	if (err) {
		const struct channel *c = channel_of(ia);

		log_error("interaction: cannot queue id=%s queue=%s: %s", ia->row.id,
			  queue, strerror(err));
		if (c->ops && c->ops->close)
			c->ops->close(ia, "queue failed", c->arg);
	} else if (it) {
		ia->item = it;
	}
	mem_deref(ia->obj);
	return err;
}

void interaction_unqueue(struct interaction *ia, bool abandoned)
{
	if (!ia->item)
		return;
	if (abandoned)
		interaction_event(ia, EVENT_QUEUE_ABANDONED, NULL, "{s:I,s:I}", "wait_ms",
				  (long long)(ia->svc->now() - ia->row.queued),
				  "position", (long long)acd_item_position(ia->item));
	acd_remove(ia->svc->acd, ia->item, ia->svc->now());
	ia->item = NULL;
}

size_t interaction_position(const struct interaction *ia)
{
	return ia->item ? acd_item_position(ia->item) : 0;
}

#define AHT_DEFAULT_MS 180000

uint64_t interaction_ewt_ms(const struct interaction *ia, uint64_t now)
{
	struct acd_queue_info qi;
	struct acd_queue_stats st;
	size_t pos = interaction_position(ia), staffed;
	uint64_t aht = AHT_DEFAULT_MS;

	if (!pos || acd_queue_info(ia->svc->acd, ia->row.queue, &qi))
		return 0;
	/* a chat agent holds several at once: that is in the handling time
	 * the figures show */
	staffed = qi.agents[AGENT_ST_AVAILABLE] + qi.agents[AGENT_ST_RINGING] +
		  qi.agents[AGENT_ST_BUSY] + qi.agents[AGENT_ST_WRAPUP];
	if (ia->svc->stats && !acd_stats_queue(ia->svc->stats, ia->row.queue, now, &st) &&
	    st.aht_ms > 0)
		aht = (uint64_t)st.aht_ms;
	return staffed ? pos * aht / staffed : 0;
}

static void withdraw(struct interaction *ia)
{
	const struct channel *c = channel_of(ia);

	list_flush(&ia->offers);
	if (c->ops && c->ops->withdraw)
		c->ops->withdraw(ia, c->arg);
}

void interaction_missed(struct interaction *ia, const char *agent, int code,
			uint64_t rang_at)
{
	uint64_t now = ia->svc->now();

	interaction_event(ia, EVENT_AGENT_NOANSWER, agent, "{s:i,s:I}", "code", code,
			  "ring_ms", (long long)(rang_at ? now - rang_at : 0));
	offer_forget(ia, agent);
	if (ia->item)
		(void)acd_miss(ia->svc->acd, ia->item, agent, now);
	if (ia->state == INTERACTION_OFFERED && ia->item)
		ia->state = INTERACTION_ROUTING;
}

int interaction_accept(struct interaction *ia, const char *agent, uint64_t rang_at)
{
	struct interaction_svc *s = ia->svc;
	const struct channel *c = channel_of(ia);
	int err = 0;

	ia->row.answered = s->now();
	/* The engine hands the item to this agent and frees the others
	 * who were offered it; their offers are withdrawn here. */
	if (ia->item) {
		if (acd_answer(s->acd, ia->item, agent, ia->row.answered))
			log_warn("interaction: answer without an offer id=%s agent=%s",
				 ia->row.id, agent);
		ia->item = NULL;
		ia->from_queue = true;
		interaction_event(ia, EVENT_QUEUE_ANSWERED, agent, "{s:I,s:I}", "wait_ms",
				  (long long)(ia->row.answered - ia->row.queued),
				  "ring_ms", (long long)(ia->row.answered - rang_at));
	}
	withdraw(ia);
	ia->state = INTERACTION_ACTIVE;
	util_copy(ia->agent, sizeof(ia->agent), agent);
	util_copy(ia->row.agent, sizeof(ia->row.agent), agent);
	if (c->ops && c->ops->connect)
		err = c->ops->connect(ia, agent, c->arg);
	return err;
}

/* The agent's handling of ia is over: after-call work per the queue it
 * took it from, then ready. */
static void handling_done(struct interaction *ia, uint64_t now)
{
	acd_done(ia->svc->acd, ia->agent, ia->channel,
		 ia->from_queue ? ia->row.queue : NULL, now);
	ia->agent[0] = '\0';
	ia->from_queue = false;
}

void interaction_release(struct interaction *ia, const char *to, const char *kind)
{
	uint64_t now = ia->svc->now();

	if (!ia->agent[0])
		return;
	if (ia->from_queue)
		interaction_event(ia, EVENT_QUEUE_TRANSFERRED, ia->agent,
				  "{s:s,s:s,s:I,s:I}", "to", to, "kind", kind, "talk_ms",
				  (long long)(now - ia->row.answered), "wait_ms",
				  (long long)(ia->row.answered - ia->row.queued));
	handling_done(ia, now);
	ia->state = INTERACTION_ROUTING;
}

void interaction_end(struct interaction *ia, const char *side, int cause,
		     const char *reason)
{
	if (ia->state == INTERACTION_ENDED)
		return;
	ia->row.ended = ia->row.ended ? ia->row.ended : ia->svc->now();
	util_copy(ia->row.hangup_side, sizeof(ia->row.hangup_side), side);
	ia->row.hangup_cause = cause;
	util_copy(ia->row.hangup_reason, sizeof(ia->row.hangup_reason), reason);
	interaction_unqueue(ia, !strcmp(side, "caller"));
	ia->state = INTERACTION_ENDED;
	if (ia->agent[0]) {
		if (ia->from_queue)
			interaction_event(ia, EVENT_QUEUE_COMPLETED, ia->agent,
					  "{s:s,s:I,s:I}", "by", side, "talk_ms",
					  (long long)(ia->row.ended - ia->row.answered),
					  "wait_ms",
					  (long long)(ia->row.answered - ia->row.queued));
	}
	/* the agent of the event is the one who handled it last */
	{
		char agent[sizeof(ia->agent)];

		util_copy(agent, sizeof(agent), ia->agent);
		if (agent[0])
			handling_done(ia, ia->row.ended);
		withdraw(ia);
		interaction_save(ia);
		interaction_event(ia, ended_type(ia), agent[0] ? agent : NULL,
				  "{s:s,s:s,s:i,s:s,s:s,s:s}", "outcome", ia->row.outcome,
				  "side", side, "cause", cause, "reason",
				  reason ? reason : "", "customer", ia->row.customer,
				  "caller", ia->row.caller);
	}
}

/* --- the routing engine's handlers -------------------------------------------- */

/* The engine offers a waiting interaction to an agent: through the
 * adapter of its channel. One it cannot make is a miss at once. */
static void offer_h(struct acd_item *it, const char *agent, void *arg)
{
	struct interaction *ia = acd_item_arg(it);
	const struct channel *c = channel_of(ia);
	(void)arg;

	if (c->ops && c->ops->offer && !c->ops->offer(ia, agent, c->arg)) {
		struct offer *o = mem_zalloc(sizeof(*o), offer_destructor);

		ia->state = INTERACTION_OFFERED;
		/* without a record its ring timeout would not run: the offer
		 * then ends with the interaction or another agent's answer */
		if (o) {
			const struct cfg_queue *q =
			    cfg_queue_find(ia->svc->tenant, ia->row.queue);

			util_copy(o->agent, sizeof(o->agent), agent);
			o->ia = ia;
			o->at = ia->svc->now();
			list_append(&ia->offers, &o->le, o);
			if (q) {
				o->due = o->at + q->ring_timeout_ms;
				ringing_add(ia->svc, o);
			}
		}
		return;
	}
	interaction_event(ia, EVENT_AGENT_NOANSWER, agent, "{s:i,s:i}", "code", 0,
			  "ring_ms", 0);
	(void)acd_miss(ia->svc->acd, it, agent, ia->svc->now());
}

/* Can agent take one more of this item's channel now: the channel says. */
static bool usable_h(struct acd_item *it, const char *agent, void *arg)
{
	const struct interaction *ia = acd_item_arg(it);
	const struct channel *c = channel_of(ia);
	(void)arg;

	if (!c->ops)
		return false;
	return !c->ops->reachable || c->ops->reachable(agent, c->arg);
}

/*
 * A queue rule took the interaction out (max wait, full, empty, exit
 * key): it goes where the queue says — another queue here, an IVR flow,
 * an extension or a callback by its adapter — or is closed ("hangup",
 * the default, or a target its channel cannot reach).
 */
static void exited_h(void *item_arg, const char *queue, enum acd_exit why, void *arg)
{
	struct interaction *ia = item_arg;
	struct interaction_svc *s = arg;
	const struct channel *c = channel_of(ia);
	const struct cfg_queue *q = cfg_queue_find(s->tenant, queue);
	const char *to = !q ? "" : why == ACD_EXIT_KEY ? q->exit_to : q->overflow;
	uint64_t now = s->now();

	ia->item = NULL;
	/* the engine already freed the agents offered it */
	withdraw(ia);
	interaction_event(ia, EVENT_QUEUE_EXITED, NULL, "{s:s,s:I,s:s,s:s#}", "reason",
			  exit_names[why], "wait_ms", (long long)(now - ia->row.queued),
			  "to", to, "key", why == ACD_EXIT_KEY && q ? &q->exit_key : "-",
			  1);
	log_info("interaction: left queue id=%s queue=%s reason=%s to=%s", ia->row.id,
		 queue, exit_names[why], to[0] ? to : "hangup");
	mem_ref(ia->obj);
	if (!strncmp(to, "queue:", 6)) {
		(void)interaction_enqueue(ia, to + 6, ia->priority);
	} else if (!to[0] || !strcmp(to, "hangup") || !c->ops || !c->ops->divert ||
		   c->ops->divert(ia, to, c->arg)) {
		util_copy(ia->exit_outcome, sizeof(ia->exit_outcome), exit_outcomes[why]);
		if (c->ops && c->ops->close)
			c->ops->close(ia, exit_reasons[why], c->arg);
	}
	mem_deref(ia->obj);
}

/* Every change of an agent's state is an event (reports sum the time in
 * each state from them). */
static void agent_h(const char *agent, enum agent_state st, const char *reason,
		    uint64_t now, void *arg)
{
	struct hl_event ev = {now, EVENT_AGENT_STATE, NULL, NULL, agent, NULL, NULL,
			      NULL};
	(void)arg;

	ev.data = event_data_pack("{s:s,s:s}", "state", acd_state_name(st), "reason",
				  reason ? reason : "");
	event_emit(&ev);
	event_data_deref(ev.data);
}

/*
 * The periodic check against stuck states: the engine's invariants are
 * checked, and an agent the engine counts as busy on a channel without an
 * interaction there (one that vanished without its handler) is freed,
 * logged.
 */
static void agents_repair(struct interaction_svc *s, uint64_t now)
{
	(void)acd_check(s->acd); /* logs what is broken */
	for (size_t i = 0; i < acd_agent_count(s->acd); i++) {
		struct acd_agent_info in;

		if (acd_agent_at(s->acd, i, &in) || in.state == AGENT_ST_RINGING)
			continue;
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			const struct channel *c = &s->chv[ch];

			if (!in.load[ch] || !c->ops || !c->ops->holds ||
			    c->ops->holds(in.ext, c->arg))
				continue;
			log_warn("interaction: repair agent=%s busy on %s without an "
				 "interaction, freed",
				 in.ext, acd_channel_name((enum acd_channel)ch));
			acd_done(s->acd, in.ext, (enum acd_channel)ch, NULL, now);
		}
	}
}

/* Queue offers not taken within the queue's ring timeout are retracted
 * (the adapter stops ringing) and missed (the engine tries the next
 * agent, counts the miss for auto-pause). Only the offers due are looked
 * at, in the order they are due: the 100 ms tick does not walk every
 * live interaction (10,000 open chats, all answered, have none). */
static void ring_timeouts(struct interaction_svc *s, uint64_t now)
{
	struct offer *o;

	while ((o = list_ledata(list_head(&s->ringing))) && o->due <= now) {
		struct interaction *ia = o->ia;
		const struct channel *c = channel_of(ia);
		char agent[sizeof(o->agent)];
		uint64_t at = o->at;

		/* an offer outliving its queue item (taken, moved) ends with
		 * the interaction or another agent's answer, untimed */
		list_unlink(&o->rle);
		if (!ia->item)
			continue;
		util_copy(agent, sizeof(agent), o->agent);
		mem_ref(ia->obj);
		mem_deref(o);
		log_info("interaction: ring timeout id=%s agent=%s", ia->row.id, agent);
		if (c->ops && c->ops->retract)
			c->ops->retract(ia, agent, c->arg);
		interaction_missed(ia, agent, 408, at);
		mem_deref(ia->obj);
	}
}

void interaction_tick(struct interaction_svc *s, uint64_t now)
{
	if (!s || s->closing)
		return;
	ring_timeouts(s, now);
	/* max wait, wrap-ups, wider tiers, then routing */
	acd_tick(s->acd, now);
	/* least-calls counts the interactions answered today: a new UTC
	 * day starts them again */
	if (now / 86400000ULL != s->day) {
		if (s->day)
			acd_new_day(s->acd);
		s->day = now / 86400000ULL;
	}
	if (now >= s->checked_at + CHECK_MS) {
		s->checked_at = now;
		agents_repair(s, now);
	}
}

static void tick_handler(void *arg)
{
	struct interaction_svc *s = arg;

	tmr_start(&s->tick, TICK_MS, tick_handler, s);
	interaction_tick(s, s->now());
}

void interaction_agent_reachable(struct interaction_svc *s, const char *agent)
{
	if (s && !acd_agent_poke(s->acd, agent))
		interaction_route(s);
}

void interaction_route(struct interaction_svc *s)
{
	if (s && !s->closing)
		acd_route(s->acd, s->now());
}

void interaction_svc_closing(struct interaction_svc *s)
{
	if (!s)
		return;
	s->closing = true;
	tmr_cancel(&s->tick);
}

/* --- the service --------------------------------------------------------------- */

static void svc_destructor(void *arg)
{
	struct interaction_svc *s = arg;

	tmr_cancel(&s->tick);
	acd_handlers_set(s->acd, &(struct acd_handlers){0});
	list_clear(&s->live); /* the adapters own them */
	list_clear(&s->ringing);
	mem_deref(s->hook);
	mem_deref((void *)s->tenant);
}

int interaction_svc_alloc(struct interaction_svc **sp, struct acd *acd,
			  struct acd_stats *stats, struct store *st,
			  const struct cfg_tenant *tenant)
{
	struct interaction_svc *s;
	int err;

	if (!sp || !acd || !tenant)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), svc_destructor);
	if (!s)
		return ENOMEM;
	s->acd = acd;
	s->stats = stats;
	s->store = st;
	s->tenant = mem_ref((void *)tenant);
	s->now = clock_now_ms;
	tmr_init(&s->tick);
	err = crm_hook_alloc(&s->hook, tenant);
	if (err) {
		mem_deref(s);
		return err;
	}
	{
		struct acd_handlers h = {offer_h, exited_h, agent_h, usable_h, s};
		acd_handlers_set(acd, &h);
	}
	tmr_start(&s->tick, TICK_MS, tick_handler, s);
	*sp = s;
	return 0;
}

void interaction_svc_clock(struct interaction_svc *s, uint64_t (*now)(void))
{
	if (!s)
		return;
	s->now = now ? now : clock_now_ms;
	tmr_cancel(&s->tick); /* a test ticks the engine on its own clock */
}

void interaction_ops_set(struct interaction_svc *s, enum acd_channel ch,
			 const struct interaction_ops *ops, void *arg)
{
	if (!s || ch >= ACD_CHANNELS)
		return;
	s->chv[ch].ops = ops;
	s->chv[ch].arg = arg;
}

void interaction_svc_tenant_set(struct interaction_svc *s, const struct cfg_tenant *t)
{
	if (!s || !t || t == s->tenant)
		return;
	crm_hook_tenant_set(s->hook, t);
	mem_ref((void *)t);
	mem_deref((void *)s->tenant);
	s->tenant = t;
}

const struct cfg_tenant *interaction_svc_tenant(const struct interaction_svc *s)
{
	return s ? s->tenant : NULL;
}

struct acd *interaction_svc_acd(const struct interaction_svc *s)
{
	return s ? s->acd : NULL;
}

struct acd_stats *interaction_svc_stats(const struct interaction_svc *s)
{
	return s ? s->stats : NULL;
}

struct store *interaction_svc_store(const struct interaction_svc *s)
{
	return s ? s->store : NULL;
}
