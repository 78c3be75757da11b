/*
 * acd.c — the routing engine: agents, queues, waiting items, offers and
 * the decisions between them. Pure: no I/O, time passed in.
 *
 * Each queue keeps, per tier, a heap of the members who are ready now
 * (available, not in wrap-up, with free capacity on the queue's channel),
 * keyed by the queue's strategy; the best agent for a waiting item is the
 * top of the lowest allowed tier. When an agent becomes ready it looks at
 * the head item of each of its queues and takes the best (queue priority,
 * caller priority, longest wait). Decisions are collected first and the
 * offer handler is called after, so a handler always sees a consistent
 * engine.
 *
 * Not here: configuration (acd_load.c), what an offer means on a phone
 * (sip/call.c), statistics (stats.c).
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/core.h"
#include "acd/acd_int.h"

#define STASH_MAX 32 /* agents skipped at a heap top per decision */

/* --- small helpers ------------------------------------------------------ */

/*
 * libre's list_append and list_unlink, inline: an offer sits in three
 * lists and an item in two, so a decision links and unlinks a dozen
 * elements. Same struct list and struct le, same behaviour, so libre's
 * other list functions apply to the same lists.
 */
static inline void elem_append(struct list *l, struct le *le, void *data)
{
	if (le->list)
		return;
	le->prev = l->tail;
	le->next = NULL;
	le->list = l;
	le->data = data;
	if (l->tail)
		l->tail->next = le;
	else
		l->head = le;
	l->tail = le;
}

static inline void elem_unlink(struct le *le)
{
	struct list *l = le->list;

	if (!l)
		return;
	if (le->prev)
		le->prev->next = le->next;
	else
		l->head = le->next;
	if (le->next)
		le->next->prev = le->prev;
	else
		l->tail = le->prev;
	le->next = NULL;
	le->prev = NULL;
	le->list = NULL;
}

static const char *const channel_names[] = {"voice", "chat", "mail", "message"};

static uint64_t rng_next(struct acd *a)
{
	/* xorshift64*: fast and good enough to spread offers */
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return a->rng * 2685821657736338717ULL;
}

static double rng_exp(struct acd *a, unsigned weight)
{
	double u = ((double)(rng_next(a) >> 11) + 1.0) / 9007199254740993.0;
	return -log(u) / (weight ? weight : 1);
}

static uint64_t dbl_key(double d)
{
	uint64_t k;
	memcpy(&k, &d, sizeof(k)); /* positive doubles order as integers */
	return k;
}

static int grow(void *vp, size_t *szp, size_t need, size_t elem)
{
	void **v = vp;
	size_t sz = *szp ? *szp : 4;
	void *nv;

	if (need <= *szp)
		return 0;
	while (sz < need)
		sz *= 2;
	nv = *v ? mem_realloc(*v, sz * elem) : mem_alloc(sz * elem, NULL);
	if (!nv)
		return ENOMEM;
	*v = nv;
	*szp = sz;
	return 0;
}

/*
 * Names to agents and queues: open addressing with linear probing,
 * FNV-1a, never more than half full. A slot holds the hash and
 * the object, whose own name is compared, so that a look-up reads the
 * slot and the object the caller wants anyway. Entries are only added
 * (the engine lives as long as the tenant), so no deletion. Every acd_*
 * call by name starts here, so it is kept lean.
 */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h ? h : 1; /* 0 marks an empty slot */
}

static void *names_get(const struct acd_names *t, const char *name)
{
	uint32_t h;

	if (!t->v || !name)
		return NULL;
	h = name_hash(name);
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct acd_name_slot *sl = &t->v[i];
		if (!sl->h)
			return NULL;
		if (sl->h == h && !strcmp((const char *)sl->obj + t->name_off, name))
			return sl->obj;
	}
}

static void names_insert(struct acd_name_slot *v, size_t mask, uint32_t h, void *obj)
{
	size_t i = h & mask;

	while (v[i].h)
		i = (i + 1) & mask;
	v[i].h = h;
	v[i].obj = obj;
}

/* obj keeps its name at t->name_off for as long as the table lives. */
static int names_put(struct acd_names *t, void *obj)
{
	const char *name = (const char *)obj + t->name_off;

	if ((t->n + 1) * 2 > (t->v ? t->mask + 1 : 0)) {
		size_t sz = t->v ? (t->mask + 1) * 2 : 64;
		struct acd_name_slot *nv = mem_zalloc(sz * sizeof(*nv), NULL);

		if (!nv)
			return ENOMEM;
		for (size_t i = 0; t->v && i <= t->mask; i++) {
			if (t->v[i].h)
				names_insert(nv, sz - 1, t->v[i].h, t->v[i].obj);
		}
		mem_deref(t->v);
		t->v = nv;
		t->mask = sz - 1;
	}
	names_insert(t->v, t->mask, name_hash(name), obj);
	t->n++;
	return 0;
}

static struct acd_agent *agent_find(const struct acd *a, const char *ext)
{
	return a ? names_get(&a->agent_names, ext) : NULL;
}

static struct acd_queue *queue_find(const struct acd *a, const char *name)
{
	return a ? names_get(&a->queue_names, name) : NULL;
}

/* --- heaps of ready members --------------------------------------------- */

static bool key_less(const struct acd_hent *x, const struct acd_hent *y)
{
	if (x->k1 != y->k1)
		return x->k1 < y->k1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2;
	return x->tie < y->tie;
}

/* Puts e at i, keeping q->hpos in step. */
static void heap_set(struct acd_queue *q, struct acd_heap *h, size_t i,
		     const struct acd_hent *e)
{
	h->v[i] = *e;
	q->hpos[e->mi] = (uint32_t)i;
}

/*
 * The heaps are 4-ary: half as deep as binary ones, and the four children
 * of an entry are side by side, so that a push or a removal reads fewer
 * lines.
 */
#define HEAP_D 4

/* Moves e from the hole at i towards the root to its place. */
static void heap_up(struct acd_queue *q, struct acd_heap *h, size_t i, struct acd_hent e)
{
	while (i > 0) {
		size_t p = (i - 1) / HEAP_D;
		if (!key_less(&e, &h->v[p]))
			break;
		heap_set(q, h, i, &h->v[p]);
		i = p;
	}
	heap_set(q, h, i, &e);
}

/* Moves e from the hole at i towards the leaves to its place. */
static void heap_down(struct acd_queue *q, struct acd_heap *h, size_t i,
		      struct acd_hent e)
{
	for (;;) {
		size_t c = HEAP_D * i + 1, end = c + HEAP_D;
		if (c >= h->n)
			break;
		if (end > h->n)
			end = h->n;
		for (size_t k = c + 1; k < end; k++) {
			if (key_less(&h->v[k], &h->v[c]))
				c = k;
		}
		if (!key_less(&h->v[c], &e))
			break;
		heap_set(q, h, i, &h->v[c]);
		i = c;
	}
	heap_set(q, h, i, &e);
}

static int heap_room(struct acd_heap *h, size_t need)
{
	size_t sz = h->sz;
	int err;

	if (need >= UINT32_MAX)
		return ENOMEM;
	err = grow(&h->v, &sz, need, sizeof(*h->v));
	h->sz = (uint32_t)sz;
	return err;
}

/* Room for every member of the tier is made as members are added. */
static void heap_push(struct acd_queue *q, struct acd_heap *h, const struct acd_hent *e)
{
	assert(h->n < h->sz);
	heap_up(q, h, h->n++, *e);
}

static void heap_remove_at(struct acd_queue *q, struct acd_heap *h, size_t i)
{
	struct acd_hent last;

	assert(i < h->n);
	last = h->v[--h->n];
	if (i == h->n)
		return;
	if (i > 0 && key_less(&last, &h->v[(i - 1) / HEAP_D]))
		heap_up(q, h, i, last);
	else
		heap_down(q, h, i, last);
}

/* The member's key under its queue's strategy, computed as it becomes
 * ready. */
static void member_key(struct acd *a, struct acd_member *m, struct acd_hent *e)
{
	struct acd_agent *ag = m->ag;

	e->k2 = 0;
	switch (m->q->strategy) {
	case ACD_RING_ALL:
	case ACD_LONGEST_IDLE:
		e->k1 = ag->idle_since;
		break;
	case ACD_LEAST_CALLS:
		e->k1 = ag->answered;
		e->k2 = ag->idle_since;
		break;
	case ACD_ROUND_ROBIN:
		e->k1 = m->turn;
		e->k2 = m->index;
		break;
	case ACD_LINEAR:
		e->k1 = m->index;
		break;
	case ACD_RANDOM:
		e->k1 = dbl_key(m->q->race + rng_exp(a, 1));
		break;
	case ACD_WEIGHTED_RANDOM:
		e->k1 = dbl_key(m->q->race + rng_exp(a, m->weight));
		break;
	case ACD_SKILLS:
		e->k1 = UINT64_MAX - m->score;
		e->k2 = ag->idle_since;
		break;
	}
	e->tie = (uint32_t)ag->idx;
	e->mi = m->index;
	m->k1 = e->k1;
}

/* The member joins its tier's heap. */
static void member_push(struct acd *a, struct acd_member *m)
{
	struct acd_hent e;

	member_key(a, m, &e);
	heap_push(m->q, &m->q->heaps[m->tier], &e);
	m->q->readyc++;
	m->ready = true;
}

static void member_remove(struct acd_member *m)
{
	struct acd_queue *q = m->q;

	assert(m->ready);
	heap_remove_at(q, &q->heaps[m->tier], q->hpos[m->index]);
	q->readyc--;
	m->ready = false;
}

/* --- agent state ---------------------------------------------------------- */

static bool agent_ready(const struct acd_agent *ag, enum acd_channel ch)
{
	return ag->presence == AGENT_AVAILABLE && !ag->wrapup_until[ch] &&
	       ag->load[ch] < ag->cap[ch];
}

static uint32_t offers_on(const struct acd_agent *ag, enum acd_channel ch);

/* What the agent does, over all channels (agent.state events): ringing
 * anywhere, else busy anywhere, else in wrap-up anywhere. */
static enum agent_state agent_state_of(const struct acd_agent *ag)
{
	uint32_t load = 0, ringing = 0;
	bool wrapup = false;

	for (int ch = 0; ch < ACD_CHANNELS; ch++) {
		load += ag->load[ch];
		ringing += ag->direct_ringing[ch];
		wrapup |= ag->wrapup_until[ch] != 0;
	}
	if (!list_isempty(&ag->offers) || ringing)
		return AGENT_ST_RINGING;
	if (load)
		return AGENT_ST_BUSY;
	if (wrapup)
		return AGENT_ST_WRAPUP;
	if (ag->presence == AGENT_PAUSED)
		return AGENT_ST_PAUSED;
	if (ag->presence == AGENT_LOGGED_OUT)
		return AGENT_ST_LOGGED_OUT;
	return AGENT_ST_AVAILABLE;
}

/*
 * What the agent does on one channel: ringing there, busy only when its
 * capacity there is used (an agent on a call takes chats within its chat
 * capacity), in that channel's wrap-up, else its presence. A channel it
 * has no capacity for reads as logged out.
 */
static enum agent_state agent_channel_state(const struct acd_agent *ag,
					    enum acd_channel ch)
{
	if (offers_on(ag, ch) || ag->direct_ringing[ch])
		return AGENT_ST_RINGING;
	if (ag->load[ch] && ag->load[ch] >= ag->cap[ch])
		return AGENT_ST_BUSY;
	if (ag->wrapup_until[ch])
		return AGENT_ST_WRAPUP;
	if (ag->presence == AGENT_LOGGED_OUT || !ag->cap[ch])
		return AGENT_ST_LOGGED_OUT;
	if (ag->presence == AGENT_PAUSED)
		return AGENT_ST_PAUSED;
	return AGENT_ST_AVAILABLE;
}

/* The queue has work for acd_route; dirty queues are kept in order of
 * priority (highest first), so that routing serves them in that order. */
static void mark_queue(struct acd *a, struct acd_queue *q)
{
	struct le *le;

	if (q->dirty)
		return;
	q->dirty = true;
	for (le = a->dirty_queues.tail; le; le = le->prev) {
		const struct acd_queue *o = le->data;
		if (o->priority >= q->priority)
			break;
	}
	if (le)
		list_insert_after(&a->dirty_queues, le, &q->dle, q);
	else
		list_prepend(&a->dirty_queues, &q->dle, q);
}

/* acd_tick has something to do for q at t (a wrap-up ends, a caller
 * reaches max wait, a tier joins, the queue is empty and leaves the
 * timed ones): its due time is never later than the first such time, so
 * that the tick can pass over the queue until then. */
static void queue_due(struct acd *a, struct acd_queue *q, uint64_t t)
{
	struct acd_timed *tm;

	if (!q->timed)
		return;
	tm = &a->timedv[q->ti];
	if (t < tm->due)
		tm->due = t;
}

/* The queue has callers waiting or agents in wrap-up: acd_tick looks at
 * it until it has neither. Room for every queue is made as queues are
 * added, so this cannot fail. */
static void timed_mark(struct acd *a, struct acd_queue *q)
{
	if (q->timed)
		return;
	assert(a->timedc < a->timedsz);
	q->timed = true;
	q->ti = a->timedc++;
	a->timedv[q->ti].due = UINT64_MAX;
	a->timedv[q->ti].q = q;
}

/* Something about q's waiting items changes at t (a tier joins, a new
 * round may start): acd_tick routes it again then. */
static void queue_wake(struct acd *a, struct acd_queue *q, uint64_t t)
{
	if (!q->wake_at || t < q->wake_at)
		q->wake_at = t;
	queue_due(a, q, t);
}

/* q may have neither callers nor wrap-ups any more: the next tick takes
 * it off the timed ones. */
static void queue_idle_check(struct acd *a, struct acd_queue *q)
{
	if (!q->waitc && list_isempty(&q->wrapups))
		queue_due(a, q, 0);
}

/* Nobody rings for it any more: it joins q->open at its place in
 * q->wait, after the nearest open item before it there (near the tail for
 * a newcomer; a missed item is rarely far from the head). */
static void open_link(struct acd_queue *q, struct acd_item *it)
{
	struct le *le;

	for (le = it->wle.prev; le; le = le->prev) {
		struct acd_item *p = le->data;
		if (p->ole.list) {
			list_insert_after(&q->open, &p->ole, &it->ole, it);
			return;
		}
	}
	list_prepend(&q->open, &it->ole, it);
}

/* Offers ringing at the agent on channel ch. */
static uint32_t offers_on(const struct acd_agent *ag, enum acd_channel ch)
{
	uint32_t n = 0;
	struct le *le;

	for (le = ag->offers.head; le; le = le->next) {
		const struct acd_offer *o = le->data;
		n += o->it->q->channel == ch;
	}
	return n;
}

/*
 * Brings the agent's heap entries and reported state in line with what
 * it is doing now. Called after every change to an agent.
 */
static void agent_update(struct acd *a, struct acd_agent *ag, uint64_t now)
{
	bool became_ready = false;
	enum agent_state st;
	unsigned mask = 0;

	if (ag->cap_lower) {
		ag->cap_lower = false;
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			uint32_t c = ag->cap_next[ch] < ag->load[ch] ? ag->load[ch]
								     : ag->cap_next[ch];
			ag->cap[ch] = c;
			ag->cap_lower |= c > ag->cap_next[ch];
		}
	}
	/* The heaps change only when readiness on some channel does. */
	if (ag->presence == AGENT_AVAILABLE) {
		_Static_assert(ACD_CHANNELS == 4, "one line per channel");
		mask = (unsigned)(ag->load[0] < ag->cap[0] && !ag->wrapup_until[0]) |
		       (unsigned)(ag->load[1] < ag->cap[1] && !ag->wrapup_until[1]) << 1 |
		       (unsigned)(ag->load[2] < ag->cap[2] && !ag->wrapup_until[2]) << 2 |
		       (unsigned)(ag->load[3] < ag->cap[3] && !ag->wrapup_until[3]) << 3;
	}
	for (size_t i = 0; (mask != ag->ready_mask || ag->resync) && i < ag->memberc;
	     i++) {
		struct acd_member *m = &ag->members[i];
		bool want = mask & (1u << m->ch);

		if (want && !m->ready) {
			member_push(a, m);
			became_ready = true;
		} else if (!want && m->ready) {
			member_remove(m);
		}
	}
	ag->ready_mask = mask;
	ag->resync = false;
	if (became_ready && !ag->dirty) {
		ag->dirty = true;
		elem_append(&a->dirty_agents, &ag->dle, ag);
	}
	st = agent_state_of(ag);
	if (st != ag->state) {
		ag->state = st;
		ag->since = now;
		if (a->h.agent)
			a->h.agent(ag->ext, st, st == AGENT_ST_PAUSED ? ag->reason : "",
				   now, a->h.arg);
	}
}

/* --- set-up --------------------------------------------------------------- */

static void queue_destructor(void *arg)
{
	struct acd_queue *q = arg;

	elem_unlink(&q->dle);
	list_clear(&q->wrapups); /* the agents stay; they are freed apart */
	for (int t = 0; t < ACD_MAX_TIERS; t++)
		mem_deref(q->heaps[t].v);
	mem_deref(q->memberv); /* the members are their agents' */
	mem_deref(q->hpos);
}

static void agent_destructor(void *arg)
{
	struct acd_agent *ag = arg;

	elem_unlink(&ag->dle);
	for (int ch = 0; ch < ACD_CHANNELS; ch++)
		elem_unlink(&ag->wle[ch]);
	mem_deref(ag->members);
	mem_deref(ag->skills);
}

static void item_destructor(void *arg)
{
	struct acd_item *it = arg;

	elem_unlink(&it->ole);
	elem_unlink(&it->wle);
	elem_unlink(&it->fle);
}

static void offer_destructor(void *arg)
{
	struct acd_offer *o = arg;

	elem_unlink(&o->ile);
	elem_unlink(&o->ale);
	elem_unlink(&o->ple);
}

/*
 * An item per caller and an offer per ring are the engine's busiest
 * allocations, so they are kept on free lists when they end and used
 * again. Under AddressSanitizer they go back to the allocator at once, so
 * that a use after free is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ACD_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ACD_POOL 0
#endif
#endif
#ifndef ACD_POOL
#define ACD_POOL 1
#endif

static struct acd_item *item_new(struct acd *a)
{
	struct acd_item *it = a->item_pool;

	if (!it)
		return mem_zalloc(sizeof(*it), item_destructor);
	a->item_pool = it->pool_next;
	/* what it tried is read only up to triedc */
	memset(it, 0, offsetof(struct acd_item, tried));
	return it;
}

static struct acd_offer *offer_new(struct acd *a)
{
	struct acd_offer *o = a->offer_pool;

	if (!o)
		return mem_zalloc(sizeof(*o), offer_destructor);
	a->offer_pool = o->pool_next;
	memset(o, 0, sizeof(*o));
	return o;
}

/* The offer is in no list any more. */
static void offer_put(struct acd *a, struct acd_offer *o)
{
	if (!ACD_POOL) {
		mem_deref(o);
		return;
	}
	o->pool_next = a->offer_pool;
	a->offer_pool = o;
}

static void acd_destructor(void *arg)
{
	struct acd *a = arg;

	while (a->item_pool) {
		struct acd_item *it = a->item_pool;
		a->item_pool = it->pool_next;
		mem_deref(it);
	}
	while (a->offer_pool) {
		struct acd_offer *o = a->offer_pool;
		a->offer_pool = o->pool_next;
		mem_deref(o);
	}
	list_flush(&a->pending);
	for (size_t i = 0; i < a->queuec; i++) {
		struct acd_queue *q = a->queuev[i];
		struct le *le;

		while ((le = q->wait.head)) {
			struct acd_item *it = le->data;
			list_flush(&it->offers);
			mem_deref(it);
		}
	}
	for (size_t i = 0; i < a->queuec; i++)
		mem_deref(a->queuev[i]);
	for (size_t i = 0; i < a->agentc; i++)
		mem_deref(a->agentv[i]);
	mem_deref(a->queuev);
	mem_deref(a->timedv);
	mem_deref(a->agentv);
	mem_deref(a->agent_names.v);
	mem_deref(a->queue_names.v);
}

int acd_alloc(struct acd **ap, const struct acd_handlers *h)
{
	struct acd *a;

	if (!ap)
		return EINVAL;
	a = mem_zalloc(sizeof(*a), acd_destructor);
	if (!a)
		return ENOMEM;
	if (h)
		a->h = *h;
	a->rng = 0x9e3779b97f4a7c15ULL;
	a->agent_names.name_off = offsetof(struct acd_agent, ext);
	a->queue_names.name_off = offsetof(struct acd_queue, c.name);
	*ap = a;
	return 0;
}

void acd_handlers_set(struct acd *a, const struct acd_handlers *h)
{
	if (a && h)
		a->h = *h;
}

/* The queue's settings, and the copies decisions read. */
static void queue_conf_set(struct acd_queue *q, const struct acd_queue_conf *qc)
{
	q->c = *qc;
	q->c.name[sizeof(q->c.name) - 1] = '\0';
	q->strategy = qc->strategy;
	q->priority = qc->priority;
	q->tier_wait_ms = qc->tier_wait_ms;
	q->max_wait_ms = qc->max_wait_ms;
}

int acd_queue_add(struct acd *a, const struct acd_queue_conf *qc)
{
	struct acd_queue *q;
	int err;

	if (!a || !qc || !qc->name[0] || qc->channel >= ACD_CHANNELS ||
	    qc->strategy > ACD_SKILLS || qc->skillc > ACD_MAX_SKILLS)
		return EINVAL;
	if (queue_find(a, qc->name))
		return EEXIST;
	err = grow(&a->queuev, &a->queuesz, a->queuec + 1, sizeof(*a->queuev));
	if (!err)
		err = grow(&a->timedv, &a->timedsz, a->queuec + 1, sizeof(*a->timedv));
	if (err)
		return err;
	q = mem_zalloc(sizeof(*q), queue_destructor);
	if (!q)
		return ENOMEM;
	q->channel = qc->channel;
	queue_conf_set(q, qc);
	q->tiers = 1;
	/* the name lives in the queue; the table points at it */
	err = names_put(&a->queue_names, q);
	if (err) {
		mem_deref(q);
		return err;
	}
	a->queuev[a->queuec++] = q;
	return 0;
}

int acd_agent_add(struct acd *a, const char *ext, const struct acd_skill *skills,
		  size_t skillc, const uint32_t capacity[ACD_CHANNELS])
{
	struct acd_agent *ag;
	int err;

	if (!a || !ext || !*ext || strlen(ext) >= ACD_NAME || skillc > ACD_MAX_SKILLS)
		return EINVAL;
	if (agent_find(a, ext))
		return EEXIST;
	err = grow(&a->agentv, &a->agentsz, a->agentc + 1, sizeof(*a->agentv));
	if (err)
		return err;
	ag = mem_zalloc(sizeof(*ag), agent_destructor);
	if (!ag)
		return ENOMEM;
	util_copy(ag->ext, sizeof(ag->ext), ext);
	ag->idx = a->agentc;
	ag->presence = AGENT_AVAILABLE;
	ag->state = AGENT_ST_AVAILABLE;
	/* skills are read only when memberships are made: kept apart so
	 * the agent's hot fields stay small */
	if (skillc) {
		ag->skills = mem_alloc(skillc * sizeof(*ag->skills), NULL);
		if (!ag->skills) {
			mem_deref(ag);
			return ENOMEM;
		}
		memcpy(ag->skills, skills, skillc * sizeof(*ag->skills));
	}
	ag->skillc = skillc;
	for (int ch = 0; ch < ACD_CHANNELS; ch++)
		ag->cap_next[ch] = ag->cap[ch] =
		    capacity ? capacity[ch] : (ch == ACD_VOICE ? 1 : 0);
	err = names_put(&a->agent_names, ag);
	if (err) {
		mem_deref(ag);
		return err;
	}
	a->agentv[a->agentc++] = ag;
	return 0;
}

static int skill_level(const struct acd_agent *ag, const char *name)
{
	for (size_t i = 0; i < ag->skillc; i++) {
		if (!strcmp(ag->skills[i].name, name))
			return ag->skills[i].level;
	}
	return 0;
}

/* The agent's skill match for q, or -1 when it lacks a skill q requires. */
static int64_t member_score(const struct acd_queue *q, const struct acd_agent *ag)
{
	int64_t score = 0;

	for (size_t i = 0; i < q->c.skillc; i++) {
		int lvl = skill_level(ag, q->c.skills[i].name);
		if (lvl < q->c.skills[i].level)
			return -1;
		score += lvl;
	}
	return score;
}

int acd_member_add(struct acd *a, const char *queue, const char *ext, unsigned tier,
		   unsigned weight)
{
	struct acd_queue *q = queue_find(a, queue);
	struct acd_agent *ag = agent_find(a, ext);
	struct acd_member *m;
	int64_t score;
	size_t oldsz;
	int err;

	if (!q || !ag)
		return ENOENT;
	if (tier >= ACD_MAX_TIERS)
		return EINVAL;
	if (q->memberc >= UINT32_MAX)
		return ENOMEM; /* heap entries hold 32-bit indices */
	for (size_t i = 0; i < ag->memberc; i++) {
		if (ag->members[i].q == q)
			return EEXIST;
	}
	score = member_score(q, ag);
	if (score < 0)
		return EPERM;
	err = grow(&q->memberv, &q->membersz, q->memberc + 1, sizeof(*q->memberv));
	if (!err)
		err = grow(&q->hpos, &q->hpossz, q->memberc + 1, sizeof(*q->hpos));
	if (!err)
		err = heap_room(&q->heaps[tier], q->tier_members[tier] + 1);
	if (err)
		return err;
	oldsz = ag->membersz;
	err = grow(&ag->members, &ag->membersz, ag->memberc + 1, sizeof(*ag->members));
	if (err)
		return err;
	/* the agent's memberships moved: their queues point at them (the
	 * heaps hold indices) */
	for (size_t i = 0; oldsz != ag->membersz && i < ag->memberc; i++) {
		m = &ag->members[i];
		m->q->memberv[m->index] = m;
	}
	m = &ag->members[ag->memberc++];
	memset(m, 0, sizeof(*m));
	m->ag = ag;
	m->q = q;
	m->ch = (uint8_t)q->channel;
	m->tier = (uint8_t)tier;
	m->weight = weight ? weight : 1;
	m->index = (uint32_t)q->memberc;
	m->score = (uint32_t)score;
	q->memberv[q->memberc++] = m;
	q->tier_members[tier]++;
	if (tier + 1 > q->tiers)
		q->tiers = tier + 1;
	if (ag->presence != AGENT_LOGGED_OUT)
		q->logged_in++;
	ag->resync = true;
	agent_update(a, ag, ag->since);
	return 0;
}

/* --- changes while running ------------------------------------------------ */

/* Every ready member of q takes its place in its heap again: its key under
 * the queue's strategy, its index in the list, may have changed. */
static void queue_rekey(struct acd *a, struct acd_queue *q)
{
	for (size_t i = 0; i < q->memberc; i++) {
		struct acd_member *m = q->memberv[i];

		if (m->ready) {
			member_remove(m);
			member_push(a, m);
		}
	}
}

static void queue_tiers_count(struct acd_queue *q)
{
	q->tiers = 1;
	for (size_t i = 0; i < q->memberc; i++) {
		if (q->memberv[i]->tier + 1u > q->tiers)
			q->tiers = q->memberv[i]->tier + 1u;
	}
}

int acd_queue_update(struct acd *a, const struct acd_queue_conf *qc, uint64_t now)
{
	struct acd_queue *q = a && qc ? queue_find(a, qc->name) : NULL;

	if (!q)
		return ENOENT;
	if (qc->channel != q->channel)
		return ENOTSUP; /* its members' loads count on that channel */
	if (qc->strategy > ACD_SKILLS || qc->skillc > ACD_MAX_SKILLS)
		return EINVAL;
	queue_conf_set(q, qc);
	/* members keep their place even when they lack a new requirement;
	 * the tenant's member list says who serves */
	for (size_t i = 0; i < q->memberc; i++) {
		int64_t s = member_score(q, q->memberv[i]->ag);
		q->memberv[i]->score = s > 0 ? (uint32_t)s : 0;
	}
	queue_rekey(a, q);
	/* routed again in the order of the new priority */
	if (q->dirty) {
		elem_unlink(&q->dle);
		q->dirty = false;
	}
	mark_queue(a, q);
	if (q->timed)
		queue_due(a, q, now);
	return 0;
}

static struct acd_member *member_of(struct acd_agent *ag, const struct acd_queue *q)
{
	for (size_t i = 0; i < ag->memberc; i++) {
		if (ag->members[i].q == q)
			return &ag->members[i];
	}
	return NULL;
}

int acd_member_set(struct acd *a, const char *queue, const char *ext, unsigned tier,
		   unsigned weight)
{
	struct acd_queue *q = a ? queue_find(a, queue) : NULL;
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	struct acd_member *m = q && ag ? member_of(ag, q) : NULL;
	bool ready;
	int err;

	if (!m)
		return ENOENT;
	if (tier >= ACD_MAX_TIERS)
		return EINVAL;
	err = heap_room(&q->heaps[tier], q->tier_members[tier] + 1);
	if (err)
		return err;
	ready = m->ready;
	if (ready)
		member_remove(m);
	q->tier_members[m->tier]--;
	q->tier_members[tier]++;
	m->tier = (uint8_t)tier;
	m->weight = weight ? weight : 1;
	queue_tiers_count(q);
	if (ready)
		member_push(a, m);
	mark_queue(a, q);
	return 0;
}

int acd_member_remove(struct acd *a, const char *queue, const char *ext, uint64_t now)
{
	struct acd_queue *q = a ? queue_find(a, queue) : NULL;
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	struct acd_member *m = q && ag ? member_of(ag, q) : NULL;
	size_t k;

	if (!m)
		return ENOENT;
	/* out of the heaps while the indices move; back in below */
	for (size_t i = 0; i < q->memberc; i++) {
		if (q->memberv[i]->ready) {
			member_remove(q->memberv[i]);
			q->memberv[i]->ag->resync = true;
		}
	}
	/* the queue's list keeps its order (linear, round-robin) */
	for (size_t i = m->index + 1; i < q->memberc; i++) {
		q->memberv[i - 1] = q->memberv[i];
		q->memberv[i - 1]->index = (uint32_t)(i - 1);
	}
	q->memberc--;
	q->tier_members[m->tier]--;
	if (ag->presence != AGENT_LOGGED_OUT)
		q->logged_in--;
	/* the agent's memberships close up: their queues point at them */
	k = (size_t)(m - ag->members);
	memmove(m, m + 1, (ag->memberc - k - 1) * sizeof(*m));
	ag->memberc--;
	for (size_t i = k; i < ag->memberc; i++)
		ag->members[i].q->memberv[ag->members[i].index] = &ag->members[i];
	queue_tiers_count(q);
	ag->resync = true;
	agent_update(a, ag, now);
	for (size_t i = 0; i < q->memberc; i++) {
		struct acd_agent *o = q->memberv[i]->ag;
		if (o->resync)
			agent_update(a, o, now);
	}
	mark_queue(a, q);
	return 0;
}

int acd_agent_update(struct acd *a, const char *ext, const struct acd_skill *skills,
		     size_t skillc, const uint32_t capacity[ACD_CHANNELS], uint64_t now)
{
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	struct acd_skill *sv = NULL;

	if (!ag)
		return ENOENT;
	if (skillc > ACD_MAX_SKILLS)
		return EINVAL;
	if (skillc) {
		sv = mem_alloc(skillc * sizeof(*sv), NULL);
		if (!sv)
			return ENOMEM;
		memcpy(sv, skills, skillc * sizeof(*sv));
	}
	mem_deref(ag->skills);
	ag->skills = sv;
	ag->skillc = skillc;
	ag->cap_lower = false;
	for (int ch = 0; ch < ACD_CHANNELS; ch++) {
		uint32_t c = capacity ? capacity[ch] : (ch == ACD_VOICE ? 1 : 0);

		ag->cap_next[ch] = c;
		/* what it has now goes on; fewer offers as it ends */
		ag->cap[ch] = c < ag->load[ch] ? ag->load[ch] : c;
		ag->cap_lower |= c < ag->load[ch];
	}
	for (size_t i = 0; i < ag->memberc; i++) {
		struct acd_member *m = &ag->members[i];
		int64_t s = member_score(m->q, ag);

		m->score = s > 0 ? (uint32_t)s : 0;
		if (m->ready) {
			member_remove(m);
			member_push(a, m);
		}
	}
	/* a capacity changed: the agent may be ready on a channel now */
	ag->resync = true;
	agent_update(a, ag, now);
	return 0;
}

bool acd_member_is(const struct acd *a, const char *queue, const char *ext,
		   unsigned *tier, unsigned *weight)
{
	struct acd_queue *q = a ? queue_find(a, queue) : NULL;
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	struct acd_member *m = q && ag ? member_of(ag, q) : NULL;

	if (m && tier)
		*tier = m->tier;
	if (m && weight)
		*weight = m->weight;
	return m != NULL;
}

size_t acd_queue_member_count(const struct acd *a, const char *queue)
{
	const struct acd_queue *q = a ? queue_find(a, queue) : NULL;
	return q ? q->memberc : 0;
}

const char *acd_queue_member_at(const struct acd *a, const char *queue, size_t i)
{
	const struct acd_queue *q = a ? queue_find(a, queue) : NULL;
	return q && i < q->memberc ? q->memberv[i]->ag->ext : NULL;
}

/* --- offers --------------------------------------------------------------- */

static bool tried(const struct acd_item *it, const struct acd_agent *ag)
{
	for (size_t i = 0; i < it->triedc; i++) {
		if (it->tried[i] == ag)
			return true;
	}
	return false;
}

static bool offered(const struct acd_item *it, const struct acd_agent *ag)
{
	struct le *le;

	if (list_isempty(&it->offers))
		return false;
	/* the agent's list: an agent rings for a few items at most, a
	 * ring-all item at many agents */
	for (le = ag->offers.head; le; le = le->next) {
		const struct acd_offer *o = le->data;
		if (o->it == it)
			return true;
	}
	return false;
}

/* Highest tier a caller who waited since `since` may be offered to. */
static unsigned tier_allowed(const struct acd_queue *q, uint64_t since, uint64_t now)
{
	uint64_t k;

	if (!q->tier_wait_ms || q->tiers == 1)
		return q->tiers - 1;
	k = now > since ? (now - since) / q->tier_wait_ms : 0;
	return k >= q->tiers ? q->tiers - 1 : (unsigned)k;
}

static bool usable(struct acd *a, struct acd_item *it, struct acd_agent *ag)
{
	return !a->h.usable || a->h.usable(it, ag->ext, a->h.arg);
}

static int offer_make(struct acd *a, struct acd_item *it, struct acd_member *m,
		      uint64_t now)
{
	struct acd_agent *ag = m->ag;
	struct acd_queue *q = it->q;
	struct acd_offer *o = offer_new(a);

	if (!o)
		return ENOMEM;
	o->it = it;
	o->ag = ag;
	o->live = true;
	elem_unlink(&it->ole); /* rung for now */
	elem_append(&it->offers, &o->ile, o);
	elem_append(&ag->offers, &o->ale, o);
	elem_append(&a->pending, &o->ple, o);
	ag->load[q->channel]++;
	/* the strategies that remember who was picked */
	if (q->strategy == ACD_ROUND_ROBIN || q->strategy == ACD_RANDOM ||
	    q->strategy == ACD_WEIGHTED_RANDOM) {
		if (q->strategy == ACD_ROUND_ROBIN)
			m->turn = ++q->rr_clock;
		else
			memcpy(&q->race, &m->k1, sizeof(q->race));
		if (m->ready) {
			member_remove(m);
			member_push(a, m);
		}
	}
	agent_update(a, ag, now);
	return 0;
}

/* Frees an offer and gives the agent its capacity back. */
static void offer_release(struct acd *a, struct acd_offer *o, uint64_t now)
{
	struct acd_agent *ag = o->ag;
	enum acd_channel ch = o->it->q->channel;

	o->live = false;
	if (ag->load[ch])
		ag->load[ch]--;
	elem_unlink(&o->ile);
	elem_unlink(&o->ale);
	if (!o->ple.list)
		offer_put(a, o);
	/* still pending: acd_route drops it unseen */
	agent_update(a, ag, now);
}

static void item_release_offers(struct acd *a, struct acd_item *it,
				struct acd_agent *keep, uint64_t now)
{
	struct le *le = it->offers.head;

	while (le) {
		struct acd_offer *o = le->data;
		le = le->next;
		if (o->ag != keep)
			offer_release(a, o, now);
	}
}

/* The item leaves its queue; its offers are released already. */
static void item_free(struct acd *a, struct acd_item *it)
{
	struct acd_queue *q = it->q;

	assert(list_isempty(&it->offers));
	elem_unlink(&it->ole);
	elem_unlink(&it->wle);
	elem_unlink(&it->fle);
	if (q->waitc)
		q->waitc--;
	queue_idle_check(a, q);
	if (!ACD_POOL) {
		mem_deref(it);
		return;
	}
	it->pool_next = a->item_pool;
	a->item_pool = it;
}

/*
 * The best ready member of q for item: the top of the lowest tier up to
 * maxt (tier_allowed), skipping agents already tried for it or not
 * usable. Sets *only_tried when ready members exist but all were tried.
 */
static struct acd_member *pick(struct acd *a, struct acd_item *it, unsigned maxt,
			       bool *only_tried)
{
	struct acd_queue *q = it->q;
	struct acd_hent stash[STASH_MAX];
	struct acd_member *best = NULL;

	*only_tried = false;
	for (unsigned t = 0; t <= maxt && !best; t++) {
		struct acd_heap *h = &q->heaps[t];
		size_t n = 0;

		while (h->n && n < STASH_MAX) {
			struct acd_member *m = q->memberv[h->v[0].mi];
			if (!tried(it, m->ag) && !offered(it, m->ag) &&
			    usable(a, it, m->ag)) {
				best = m;
				break;
			}
			if (tried(it, m->ag))
				*only_tried = true;
			stash[n++] = h->v[0];
			heap_remove_at(q, h, 0);
		}
		while (n)
			heap_push(q, h, &stash[--n]);
	}
	if (best)
		*only_tried = false;
	return best;
}

/* Offers q's waiting items to its ready members, in queue order. */
static void queue_drain(struct acd *a, struct acd_queue *q, uint64_t now)
{
	/* ring-all rings more agents for an item that rings already */
	struct le *le = q->strategy == ACD_RING_ALL ? q->wait.head : q->open.head;

	q->wake_at = 0;
	while (le && q->readyc) {
		struct acd_item *it = le->data;
		struct acd_member *m;
		bool only_tried;
		unsigned maxt;

		le = le->next;
		if (it->retry_at > now) {
			queue_wake(a, q, it->retry_at);
			continue;
		}
		if (!list_isempty(&it->offers) && q->strategy != ACD_RING_ALL)
			continue;
		maxt = tier_allowed(q, it->since, now);
		m = pick(a, it, maxt, &only_tried);
		if (!m) {
			if (only_tried && list_isempty(&it->offers)) {
				/* every ready member missed it: a new
				 * round after a pause, as queues do */
				it->triedc = 0;
				it->retry_at =
				    now + (q->c.retry_ms ? q->c.retry_ms
							 : ACD_RETRY_MS_DEFAULT);
				queue_wake(a, q, it->retry_at);
			} else if (q->tier_wait_ms && maxt + 1 < q->tiers) {
				queue_wake(a, q,
					   it->since +
					       (uint64_t)(maxt + 1) * q->tier_wait_ms);
			}
			continue;
		}
		if (offer_make(a, it, m, now))
			return;
		/* ring-all: every other ready member rings too */
		while (q->strategy == ACD_RING_ALL &&
		       (m = pick(a, it, maxt, &only_tried)))
			if (offer_make(a, it, m, now))
				return;
	}
}

/* Is item a candidate for member m now? */
static bool item_fits(struct acd *a, struct acd_item *it, struct acd_member *m,
		      uint64_t now)
{
	if (it->retry_at > now) {
		queue_wake(a, it->q, it->retry_at);
		return false;
	}
	/* ringing already (only ring-all rings more than one): decided
	 * without reading its offers */
	if (!list_isempty(&it->offers) && it->q->strategy != ACD_RING_ALL)
		return false;
	if (tried(it, m->ag) || offered(it, m->ag))
		return false;
	if (m->tier > tier_allowed(it->q, it->since, now)) {
		queue_wake(a, it->q, it->since + (uint64_t)m->tier * it->q->tier_wait_ms);
		return false;
	}
	return usable(a, it, m->ag);
}

/* The first item of q that m could take. Only a few items are looked at:
 * the head ones are the ones being offered. Items rung for already are
 * not candidates, but with ring-all. */
static struct acd_item *queue_head_for(struct acd *a, struct acd_queue *q,
				       struct acd_member *m, uint64_t now)
{
	struct le *le;
	size_t n = 0;

	le = q->strategy == ACD_RING_ALL ? q->wait.head : q->open.head;
	for (; le && n < STASH_MAX; le = le->next, n++) {
		struct acd_item *it = le->data;
		if (item_fits(a, it, m, now))
			return it;
	}
	return NULL;
}

static bool item_better(const struct acd_item *x, const struct acd_item *y)
{
	if (!y)
		return true;
	if (x->q->priority != y->q->priority)
		return x->q->priority > y->q->priority;
	if (x->prio != y->prio)
		return x->prio > y->prio;
	return x->since < y->since;
}

/* An agent became ready: it takes the best head item of its queues
 * (queue priority, then caller priority, then longest wait). */
static void agent_take(struct acd *a, struct acd_agent *ag, uint64_t now)
{
	for (;;) {
		struct acd_item *best = NULL;
		struct acd_member *bm = NULL;

		for (size_t i = 0; i < ag->memberc; i++) {
			struct acd_member *m = &ag->members[i];
			struct acd_item *it;

			if (!m->ready || !m->q->waitc)
				continue;
			it = queue_head_for(a, m->q, m, now);
			if (it && item_better(it, best)) {
				best = it;
				bm = m;
			}
		}
		if (!best || offer_make(a, best, bm, now))
			return;
	}
}

/* --- routing -------------------------------------------------------------- */

void acd_route(struct acd *a, uint64_t now)
{
	struct le *le;

	if (!a || a->routing)
		return;
	a->routing = true;
	for (int round = 0; round < 1000; round++) {
		if (list_isempty(&a->dirty_agents) && list_isempty(&a->dirty_queues) &&
		    list_isempty(&a->pending))
			break;
		/* Waiting items first, so that each queue's strategy picks
		 * among the agents that became ready together; the queue of
		 * the highest priority first. */
		while ((le = a->dirty_queues.head)) {
			struct acd_queue *q = le->data;
			elem_unlink(&q->dle);
			q->dirty = false;
			queue_drain(a, q, now);
		}
		/* Agents that became ready while items were waiting. */
		while ((le = a->dirty_agents.head)) {
			struct acd_agent *ag = le->data;
			elem_unlink(le);
			ag->dirty = false;
			agent_take(a, ag, now);
		}
		/* Decisions are made; now tell the user, who may answer,
		 * miss or remove as it goes. */
		while ((le = a->pending.head)) {
			struct acd_offer *o = le->data;
			elem_unlink(le);
			if (!o->live) {
				offer_put(a, o);
				continue;
			}
			if (a->h.offer)
				a->h.offer(o->it, o->ag->ext, a->h.arg);
		}
	}
	a->routing = false;
}

static void item_exit(struct acd *a, struct acd_item *it, enum acd_exit why, uint64_t now)
{
	void *arg = it->arg;
	struct acd_queue *q = it->q;

	item_release_offers(a, it, NULL, now);
	item_free(a, it);
	if (a->h.exited)
		a->h.exited(arg, q->c.name, why, a->h.arg);
}

/* When acd_tick next has something to do for q, seen at now. */
static uint64_t queue_next_due(const struct acd_queue *q, uint64_t now)
{
	uint64_t due = UINT64_MAX;
	struct le *le;

	if (q->wrapups.head)
		due = ((const struct acd_agent *)q->wrapups.head->data)
			  ->wrapup_until[q->channel];
	if (q->waitc && q->wake_at && q->wake_at < due)
		due = q->wake_at;
	if (q->waitc && !q->c.join_empty && !q->logged_in)
		return 0;
	/* the first caller to reach max wait; callbacks past it stay */
	for (le = q->max_wait_ms ? q->fifo.head : NULL; le; le = le->next) {
		const struct acd_item *it = le->data;
		uint64_t t = it->since + q->max_wait_ms;

		if (t > now || !it->hold) {
			if (t < due)
				due = t;
			break;
		}
	}
	return due;
}

void acd_tick(struct acd *a, uint64_t now)
{
	struct le *le;
	size_t gone = SIZE_MAX; /* the first place given up */

	if (!a)
		return;
	/* Only the queues with something timed (callers waiting or agents in
	 * wrap-up), and of those only the ones with something due. A handler
	 * may add queues at the end, so the count is read again after each. */
	for (size_t r = 0;; r++) {
		const struct acd_timed *v = a->timedv;
		size_t n = a->timedc;
		struct acd_queue *q;

		while (r < n && v[r].due > now)
			r++;
		if (r >= n)
			break;
		q = v[r].q;
		/* wrap-ups that are over: a queue's list is in order of their
		 * end, its wrap-up time being the same for all */
		while ((le = q->wrapups.head)) {
			struct acd_agent *ag = le->data;
			if (ag->wrapup_until[q->channel] > now)
				break;
			elem_unlink(&ag->wle[q->channel]);
			ag->idle_since = ag->wrapup_until[q->channel];
			ag->wrapup_until[q->channel] = 0;
			agent_update(a, ag, now);
		}
		/* nobody logged in any more: leave when the queue says so */
		if (q->waitc && !q->c.join_empty && !q->logged_in) {
			while ((le = q->fifo.head))
				item_exit(a, le->data, ACD_EXIT_EMPTY, now);
		}
		/* max wait, oldest first (callbacks wait for their turn) */
		le = q->max_wait_ms ? q->fifo.head : NULL;
		while (le) {
			struct acd_item *it = le->data;
			le = le->next;
			if (it->since + q->max_wait_ms > now)
				break;
			if (!it->hold)
				item_exit(a, it, ACD_EXIT_TIMEOUT, now);
		}
		/* wider tiers and new rounds come with time */
		if (q->waitc && q->wake_at && now >= q->wake_at) {
			q->wake_at = 0;
			mark_queue(a, q);
		}
		if (!q->waitc && list_isempty(&q->wrapups)) {
			/* not timed any more: its place is closed up below */
			q->timed = false;
			a->timedv[r].q = NULL;
			a->timedv[r].due = UINT64_MAX;
			if (gone == SIZE_MAX)
				gone = r;
		} else {
			a->timedv[r].due = queue_next_due(q, now);
		}
	}
	if (gone != SIZE_MAX) {
		size_t w = gone;

		for (size_t r = gone; r < a->timedc; r++) {
			if (!a->timedv[r].q)
				continue;
			if (w != r) {
				a->timedv[w] = a->timedv[r];
				a->timedv[w].q->ti = w;
			}
			w++;
		}
		a->timedc = w;
	}
	acd_route(a, now);
}

/* --- interactions --------------------------------------------------------- */

int acd_enqueue(struct acd *a, const char *queue, int priority, uint64_t now, void *arg,
		struct acd_item **itp)
{
	struct acd_queue *q = queue_find(a, queue);
	struct acd_item *it;
	struct le *le;

	if (!q || !itp)
		return q ? EINVAL : ESRCH;
	*itp = NULL;
	if (!q->c.join_empty && !q->logged_in) {
		if (a->h.exited)
			a->h.exited(arg, q->c.name, ACD_EXIT_EMPTY, a->h.arg);
		return 0;
	}
	if (q->c.max_len && q->waitc >= q->c.max_len) {
		if (a->h.exited)
			a->h.exited(arg, q->c.name, ACD_EXIT_FULL, a->h.arg);
		return 0;
	}
	it = item_new(a);
	if (!it)
		return ENOMEM;
	it->q = q;
	it->prio = priority;
	it->since = now;
	it->arg = arg;
	/* behind everyone of the same or a higher priority */
	for (le = q->wait.tail; le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->prio >= priority)
			break;
	}
	if (le)
		list_insert_after(&q->wait, le, &it->wle, it);
	else
		list_prepend(&q->wait, &it->wle, it);
	open_link(q, it);
	elem_append(&q->fifo, &it->fle, it);
	q->waitc++;
	mark_queue(a, q);
	timed_mark(a, q);
	if (q->max_wait_ms)
		queue_due(a, q, now + q->max_wait_ms);
	*itp = it;
	return 0;
}

/* Puts it back into both lists at the place since gives it. */
static void item_place(struct acd_queue *q, struct acd_item *it)
{
	struct le *le;

	elem_unlink(&it->wle);
	elem_unlink(&it->fle);
	for (le = q->wait.tail; le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->prio > it->prio || (o->prio == it->prio && o->since <= it->since))
			break;
	}
	if (le)
		list_insert_after(&q->wait, le, &it->wle, it);
	else
		list_prepend(&q->wait, &it->wle, it);
	for (le = q->fifo.tail; le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->since <= it->since)
			break;
	}
	if (le)
		list_insert_after(&q->fifo, le, &it->fle, it);
	else
		list_prepend(&q->fifo, &it->fle, it);
	if (it->ole.list) {
		elem_unlink(&it->ole);
		open_link(q, it);
	}
}

void acd_item_hold(struct acd *a, struct acd_item *it, uint64_t since)
{
	if (!a || !it)
		return;
	it->hold = true;
	if (since && since < it->since) {
		it->since = since;
		item_place(it->q, it);
		mark_queue(a, it->q);
	}
}

void acd_remove(struct acd *a, struct acd_item *it, uint64_t now)
{
	if (!a || !it)
		return;
	item_release_offers(a, it, NULL, now);
	item_free(a, it);
}

bool acd_key(struct acd *a, struct acd_item *it, char key, uint64_t now)
{
	if (!a || !it || !it->q->c.exit_key || key != it->q->c.exit_key)
		return false;
	item_exit(a, it, ACD_EXIT_KEY, now);
	return true;
}

static struct acd_offer *offer_find(struct acd_item *it, const struct acd_agent *ag)
{
	struct le *le;

	for (le = it->offers.head; le; le = le->next) {
		struct acd_offer *o = le->data;
		if (o->ag == ag)
			return o;
	}
	return NULL;
}

int acd_answer(struct acd *a, struct acd_item *it, const char *agent, uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);
	struct acd_offer *o;

	if (!it || !ag)
		return ENOENT;
	o = offer_find(it, ag);
	if (!o)
		return ENOENT;
	/* the capacity the offer took is now the interaction's */
	o->live = false;
	elem_unlink(&o->ile);
	elem_unlink(&o->ale);
	if (!o->ple.list)
		offer_put(a, o);
	item_release_offers(a, it, NULL, now);
	ag->answered++;
	ag->misses = 0;
	item_free(a, it);
	agent_update(a, ag, now);
	return 0;
}

int acd_miss(struct acd *a, struct acd_item *it, const char *agent, uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);
	struct acd_offer *o;
	struct acd_queue *q;

	if (!it || !ag)
		return ENOENT;
	o = offer_find(it, ag);
	if (!o)
		return ENOENT;
	q = it->q;
	if (it->triedc < ACD_MAX_TRIED)
		it->tried[it->triedc++] = ag;
	ag->misses++;
	/* paused before the offer ends, so the agent goes from ringing
	 * straight to paused */
	if (q->c.auto_pause && ag->misses >= q->c.auto_pause &&
	    ag->presence == AGENT_AVAILABLE) {
		log_info("acd: auto-pause agent=%s misses=%u queue=%s", ag->ext,
			 ag->misses, q->c.name);
		ag->presence = AGENT_PAUSED;
		util_copy(ag->reason, sizeof(ag->reason), "missed");
		ag->misses = 0;
	}
	offer_release(a, o, now);
	if (list_isempty(&it->offers))
		open_link(q, it);
	mark_queue(a, q);
	return 0;
}

void acd_done(struct acd *a, const char *agent, enum acd_channel ch, const char *queue,
	      uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);
	struct acd_queue *q = queue ? queue_find(a, queue) : NULL;

	if (!ag || ch >= ACD_CHANNELS)
		return;
	/* a conversation ends only where one is going on: what is only
	 * ringing is not the caller's to end */
	if (ag->load[ch] <= offers_on(ag, ch)) {
		log_warn("acd: agent=%s done on %s without a conversation", ag->ext,
			 channel_names[ch]);
		return;
	}
	ag->load[ch]--;
	/* an extension call that rang and ended unanswered */
	if (ag->direct_ringing[ch] && ag->load[ch] < ag->direct_ringing[ch])
		ag->direct_ringing[ch] = ag->load[ch];
	/* a queue of another channel than the interaction's has no say in
	 * its wrap-up */
	if (q && q->c.wrapup_ms && q->channel == ch) {
		struct le *le;

		ag->wrapup_until[ch] = now + q->c.wrapup_ms;
		if (ag->wle[ch].list) {
			/* from the wrap-up of another queue */
			struct acd_queue *oq =
			    (void *)((char *)ag->wle[ch].list -
				     offsetof(struct acd_queue, wrapups));
			elem_unlink(&ag->wle[ch]);
			queue_idle_check(a, oq);
		}
		/* in order of the end: with one wrap-up time per queue and
		 * time going forward, at the tail */
		for (le = q->wrapups.tail; le; le = le->prev) {
			const struct acd_agent *o = le->data;
			if (o->wrapup_until[ch] <= ag->wrapup_until[ch])
				break;
		}
		if (le)
			list_insert_after(&q->wrapups, le, &ag->wle[ch], ag);
		else
			list_prepend(&q->wrapups, &ag->wle[ch], ag);
		timed_mark(a, q);
		queue_due(a, q, ag->wrapup_until[ch]);
	} else if (!ag->wrapup_until[ch]) {
		ag->idle_since = now;
	}
	agent_update(a, ag, now);
}

int acd_busy(struct acd *a, const char *agent, enum acd_channel ch, bool ringing,
	     uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);

	if (!ag || ch >= ACD_CHANNELS)
		return ENOENT;
	if (ag->load[ch] >= (ag->cap[ch] ? ag->cap[ch] : 1))
		return EBUSY;
	ag->load[ch]++;
	if (ringing)
		ag->direct_ringing[ch]++;
	agent_update(a, ag, now);
	return 0;
}

void acd_connected(struct acd *a, const char *agent, uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);

	int ch = 0;

	while (ag && ch < ACD_CHANNELS - 1 && !ag->direct_ringing[ch])
		ch++;
	if (!ag || !ag->direct_ringing[ch])
		return;
	ag->direct_ringing[ch]--;
	agent_update(a, ag, now);
}

void *acd_item_arg(const struct acd_item *it)
{
	return it ? it->arg : NULL;
}

size_t acd_item_position(const struct acd_item *it)
{
	size_t n = 1;
	struct le *le;

	if (!it)
		return 0;
	for (le = it->wle.prev; le; le = le->prev)
		n++;
	return n;
}

/* --- presence ------------------------------------------------------------- */

static bool reason_known(const struct acd *a, const char *reason)
{
	for (size_t i = 0; i < a->reasonc; i++) {
		if (!strcmp(a->reasons[i], reason))
			return true;
	}
	return false;
}

int acd_agent_poke(struct acd *a, const char *ext)
{
	struct acd_agent *ag = agent_find(a, ext);

	if (!ag)
		return ENOENT;
	if (!ag->dirty) {
		ag->dirty = true;
		elem_append(&a->dirty_agents, &ag->dle, ag);
	}
	return 0;
}

int acd_reasons_set(struct acd *a, const char (*reasons)[32], size_t n)
{
	if (!a || n > 16)
		return EINVAL;
	for (size_t i = 0; i < n; i++)
		util_copy(a->reasons[i], sizeof(a->reasons[i]), reasons[i]);
	a->reasonc = n;
	return 0;
}

int acd_agent_set(struct acd *a, const char *ext, enum agent_presence p,
		  const char *reason, uint64_t now)
{
	struct acd_agent *ag = agent_find(a, ext);
	enum agent_presence old;

	if (!ag)
		return ENOENT;
	if (p > AGENT_PAUSED)
		return EINVAL;
	if (p == AGENT_PAUSED) {
		if (ag->presence == AGENT_LOGGED_OUT)
			return EALREADY;
		if (!reason || !*reason)
			reason = a->reasonc ? a->reasons[0] : "break";
		else if (!reason_known(a, reason))
			return EINVAL;
	} else {
		reason = "";
	}
	if (ag->presence == p && !strcmp(ag->reason, reason))
		return 0; /* nothing changes */
	old = ag->presence;
	ag->presence = p;
	util_copy(ag->reason, sizeof(ag->reason), reason);
	if (p == AGENT_AVAILABLE) {
		ag->misses = 0;
		ag->idle_since = now;
	}
	if ((old == AGENT_LOGGED_OUT) != (p == AGENT_LOGGED_OUT)) {
		for (size_t i = 0; i < ag->memberc; i++) {
			struct acd_queue *q = ag->members[i].q;
			if (p == AGENT_LOGGED_OUT) {
				/* the tick sends its callers away when the
				 * queue says so */
				if (!--q->logged_in)
					queue_due(a, q, 0);
			} else
				q->logged_in++;
		}
	}
	/* a paused agent's state is reported again when only the reason
	 * changes */
	if (ag->state == AGENT_ST_PAUSED && p == AGENT_PAUSED)
		ag->state = AGENT_ST_COUNT;
	agent_update(a, ag, now);
	log_debug("acd: agent=%s presence=%s%s%s", ag->ext, acd_presence_name(p),
		  *ag->reason ? " reason=" : "", ag->reason);
	return 0;
}

static void info_fill(const struct acd_agent *ag, struct acd_agent_info *info)
{
	memset(info, 0, sizeof(*info));
	info->ext = ag->ext;
	info->presence = ag->presence;
	info->state = ag->state;
	info->reason = ag->reason;
	info->since = ag->since;
	for (int ch = 0; ch < ACD_CHANNELS; ch++) {
		if (ag->wrapup_until[ch] > info->wrapup_until)
			info->wrapup_until = ag->wrapup_until[ch];
		info->states[ch] = agent_channel_state(ag, (enum acd_channel)ch);
		info->cap[ch] = ag->cap[ch];
	}
	memcpy(info->load, ag->load, sizeof(info->load));
	info->answered = ag->answered;
	info->misses = ag->misses;
}

int acd_agent_info(const struct acd *a, const char *ext, struct acd_agent_info *info)
{
	const struct acd_agent *ag = agent_find(a, ext);

	if (!ag || !info)
		return ENOENT;
	info_fill(ag, info);
	return 0;
}

size_t acd_agent_count(const struct acd *a)
{
	return a ? a->agentc : 0;
}

int acd_agent_at(const struct acd *a, size_t i, struct acd_agent_info *info)
{
	if (!a || i >= a->agentc || !info)
		return ENOENT;
	info_fill(a->agentv[i], info);
	return 0;
}

/* --- queues --------------------------------------------------------------- */

static void queue_info_fill(const struct acd_queue *q, struct acd_queue_info *info)
{
	struct le *le = q->fifo.head;

	memset(info, 0, sizeof(*info));
	info->name = q->c.name;
	info->channel = q->channel;
	info->strategy = q->strategy;
	info->waiting = q->waitc;
	info->oldest = le ? ((const struct acd_item *)le->data)->since : 0;
	info->members = q->memberc;
	for (size_t i = 0; i < q->memberc; i++)
		info->agents[agent_channel_state(q->memberv[i]->ag, q->channel)]++;
	info->conf = &q->c;
}

int acd_queue_info(const struct acd *a, const char *name, struct acd_queue_info *info)
{
	const struct acd_queue *q = queue_find(a, name);

	if (!q || !info)
		return ENOENT;
	queue_info_fill(q, info);
	return 0;
}

size_t acd_queue_count(const struct acd *a)
{
	return a ? a->queuec : 0;
}

int acd_queue_at(const struct acd *a, size_t i, struct acd_queue_info *info)
{
	if (!a || i >= a->queuec || !info)
		return ENOENT;
	queue_info_fill(a->queuev[i], info);
	return 0;
}

void acd_new_day(struct acd *a)
{
	for (size_t i = 0; a && i < a->agentc; i++)
		a->agentv[i]->answered = 0;
	/* least-calls keys changed: re-key the ready members */
	for (size_t i = 0; a && i < a->queuec; i++) {
		struct acd_queue *q = a->queuev[i];
		if (q->strategy != ACD_LEAST_CALLS)
			continue;
		for (unsigned t = 0; t < q->tiers; t++) {
			struct acd_heap *h = &q->heaps[t];
			for (size_t j = 0; j < h->n; j++)
				member_key(a, q->memberv[h->v[j].mi], &h->v[j]);
			for (size_t j = h->n / HEAP_D + 1; j-- > 0;)
				if (j < h->n)
					heap_down(q, h, j, h->v[j]);
		}
	}
}

/* --- invariants ----------------------------------------------------------- */

#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			log_error("acd: invariant broken: " __VA_ARGS__);                \
			return EPROTO;                                                   \
		}                                                                        \
	} while (0)

int acd_check(const struct acd *a)
{
	if (!a)
		return EINVAL;
	for (size_t i = 0; i < a->agentc; i++) {
		const struct acd_agent *ag = a->agentv[i];
		uint32_t ringing[ACD_CHANNELS] = {0};
		struct le *le;

		for (le = ag->offers.head; le; le = le->next) {
			const struct acd_offer *o = le->data;
			CHECK(o->ag == ag && o->live, "agent=%s offer not its own",
			      ag->ext);
			CHECK(o->ile.list == &o->it->offers,
			      "agent=%s offer without its item", ag->ext);
			ringing[o->it->q->channel]++;
		}
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			CHECK(ringing[ch] <= ag->load[ch],
			      "agent=%s rings more than its load", ag->ext);
			CHECK(ringing[ch] <= ag->cap[ch],
			      "agent=%s offered over its capacity (%u > %u)", ag->ext,
			      ringing[ch], ag->cap[ch]);
		}
		CHECK(ag->state == agent_state_of(ag), "agent=%s state %s, should be %s",
		      ag->ext, acd_state_name(ag->state),
		      acd_state_name(agent_state_of(ag)));
		for (int ch = 0; ch < ACD_CHANNELS; ch++)
			CHECK(!ag->wrapup_until[ch] || ag->wle[ch].list,
			      "agent=%s in wrap-up on %s without an end", ag->ext,
			      channel_names[ch]);
		for (size_t j = 0; j < ag->memberc; j++) {
			const struct acd_member *m = &ag->members[j];
			bool ready = agent_ready(ag, m->q->channel);
			CHECK(ready == m->ready, "agent=%s queue=%s ready=%d in heap=%d",
			      ag->ext, m->q->c.name, ready, m->ready);
		}
	}
	for (size_t i = 0; i < a->queuec; i++) {
		const struct acd_queue *q = a->queuev[i];
		size_t n = 0, logged = 0, ready = 0;
		struct le *le, *op;

		op = q->open.head;
		for (le = q->wait.head; le; le = le->next) {
			const struct acd_item *it = le->data;
			struct le *ole;
			CHECK(it->q == q && it->fle.list == &q->fifo,
			      "queue=%s item in the wrong lists", q->c.name);
			/* open: the items nobody rings for, in the same order */
			if (list_isempty(&it->offers)) {
				CHECK(op == &it->ole, "queue=%s open list out of step",
				      q->c.name);
				op = op->next;
			} else {
				CHECK(!it->ole.list,
				      "queue=%s rung item in the open list", q->c.name);
			}
			CHECK(!le->prev ||
				  ((const struct acd_item *)le->prev->data)->prio >=
				      it->prio,
			      "queue=%s items out of priority order", q->c.name);
			for (ole = it->offers.head; ole; ole = ole->next) {
				const struct acd_offer *o = ole->data;
				CHECK(o->ale.list == &o->ag->offers,
				      "queue=%s offer without its agent", q->c.name);
			}
			n++;
		}
		CHECK(!op, "queue=%s open list holds more", q->c.name);
		CHECK(n == q->waitc && list_count(&q->fifo) == n,
		      "queue=%s counts %zu waiting, lists hold %zu", q->c.name, q->waitc,
		      n);
		for (size_t j = 0; j < q->memberc; j++)
			logged += q->memberv[j]->ag->presence != AGENT_LOGGED_OUT;
		CHECK(logged == q->logged_in, "queue=%s logged in %zu, counted %zu",
		      q->c.name, logged, q->logged_in);
		CHECK(q->timed || (!q->waitc && list_isempty(&q->wrapups)),
		      "queue=%s has timed work but is not timed", q->c.name);
		CHECK(!q->timed || (q->ti < a->timedc && a->timedv[q->ti].q == q),
		      "queue=%s not where the timed ones say", q->c.name);
		for (unsigned t = 0; t < ACD_MAX_TIERS; t++)
			ready += q->heaps[t].n;
		CHECK(ready == q->readyc, "queue=%s counts %zu ready, heaps hold %zu",
		      q->c.name, q->readyc, ready);
		for (unsigned t = 0; t < ACD_MAX_TIERS; t++) {
			const struct acd_heap *h = &q->heaps[t];
			for (size_t j = 0; j < h->n; j++) {
				const struct acd_hent *e = &h->v[j];
				const struct acd_member *m;
				CHECK(e->mi < q->memberc, "queue=%s heap entry",
				      q->c.name);
				m = q->memberv[e->mi];
				CHECK(m->ready && q->hpos[e->mi] == j && m->tier == t &&
					  e->tie == m->ag->idx && e->k1 == m->k1,
				      "queue=%s heap position", q->c.name);
				CHECK(!j || !key_less(e, &h->v[(j - 1) / HEAP_D]),
				      "queue=%s heap order", q->c.name);
			}
		}
	}
	return 0;
}

/* --- names ---------------------------------------------------------------- */

static const char *const presence_names[] = {"logged_out", "available", "paused"};
static const char *const state_names[] = {"logged_out", "available", "paused",
					  "ringing",	"busy",	     "wrapup"};
static const char *const strategy_names[] = {
    "ring-all", "longest-idle", "least-calls",	   "round-robin",
    "linear",	"random",	"weighted-random", "skills"};
const char *acd_presence_name(enum agent_presence p)
{
	return p <= AGENT_PAUSED ? presence_names[p] : "?";
}

int acd_presence_parse(enum agent_presence *pp, const char *name)
{
	for (int i = 0; i <= AGENT_PAUSED; i++) {
		if (name && !strcmp(name, presence_names[i])) {
			*pp = (enum agent_presence)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *acd_channel_name(enum acd_channel ch)
{
	return ch < ACD_CHANNELS ? channel_names[ch] : "?";
}

const char *acd_state_name(enum agent_state s)
{
	return s < AGENT_ST_COUNT ? state_names[s] : "?";
}

const char *acd_strategy_name(enum acd_strategy s)
{
	return s <= ACD_SKILLS ? strategy_names[s] : "?";
}

int acd_strategy_parse(enum acd_strategy *sp, const char *name)
{
	for (int i = 0; i <= ACD_SKILLS; i++) {
		if (name && !strcmp(name, strategy_names[i])) {
			*sp = (enum acd_strategy)i;
			return 0;
		}
	}
	return EINVAL;
}
