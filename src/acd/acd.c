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

#define RETRY_ROUND_MS 2000 /* every member tried: wait, then a new round */
#define STASH_MAX      32   /* agents skipped at a heap top per decision */

/* --- small helpers ------------------------------------------------------ */

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
 * FNV-1a, never more than half full. Entries are only added (the engine
 * lives as long as the tenant), so no deletion. Every acd_* call by name
 * starts here, so it is kept lean.
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
		if (sl->h == h && !strcmp(sl->name, name))
			return sl->obj;
	}
}

static void names_insert(struct acd_name_slot *v, size_t mask, uint32_t h,
			 const char *name, void *obj)
{
	size_t i = h & mask;

	while (v[i].h)
		i = (i + 1) & mask;
	v[i].h = h;
	v[i].name = name;
	v[i].obj = obj;
}

/* name must live as long as the table (it is the object's own). */
static int names_put(struct acd_names *t, const char *name, void *obj)
{
	if ((t->n + 1) * 2 > (t->v ? t->mask + 1 : 0)) {
		size_t sz = t->v ? (t->mask + 1) * 2 : 64;
		struct acd_name_slot *nv = mem_zalloc(sz * sizeof(*nv), NULL);

		if (!nv)
			return ENOMEM;
		for (size_t i = 0; t->v && i <= t->mask; i++) {
			if (t->v[i].h)
				names_insert(nv, sz - 1, t->v[i].h, t->v[i].name,
					     t->v[i].obj);
		}
		mem_deref(t->v);
		t->v = nv;
		t->mask = sz - 1;
	}
	names_insert(t->v, t->mask, name_hash(name), name, obj);
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

static bool key_less(const struct acd_member *x, const struct acd_member *y)
{
	if (x->k1 != y->k1)
		return x->k1 < y->k1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2;
	return x->ag->idx < y->ag->idx;
}

static void heap_set(struct acd_heap *h, size_t i, struct acd_member *m)
{
	h->v[i] = m;
	m->pos = (ssize_t)i;
}

static void heap_up(struct acd_heap *h, size_t i)
{
	struct acd_member *m = h->v[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!key_less(m, h->v[p]))
			break;
		heap_set(h, i, h->v[p]);
		i = p;
	}
	heap_set(h, i, m);
}

static void heap_down(struct acd_heap *h, size_t i)
{
	struct acd_member *m = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && key_less(h->v[c + 1], h->v[c]))
			c++;
		if (!key_less(h->v[c], m))
			break;
		heap_set(h, i, h->v[c]);
		i = c;
	}
	heap_set(h, i, m);
}

static int heap_push(struct acd_heap *h, struct acd_member *m)
{
	int err = grow(&h->v, &h->sz, h->n + 1, sizeof(*h->v));

	if (err)
		return err;
	h->v[h->n] = m;
	m->pos = (ssize_t)h->n;
	h->n++;
	heap_up(h, h->n - 1);
	return 0;
}

static void heap_remove(struct acd_heap *h, struct acd_member *m)
{
	size_t i = (size_t)m->pos;
	struct acd_member *last;

	assert(m->pos >= 0 && i < h->n && h->v[i] == m);
	m->pos = -1;
	last = h->v[--h->n];
	if (last == m)
		return;
	heap_set(h, i, last);
	heap_up(h, i);
	heap_down(h, (size_t)last->pos);
}

/* The member's key under its queue's strategy, computed as it becomes
 * ready. */
static void member_key(struct acd *a, struct acd_member *m)
{
	struct acd_agent *ag = m->ag;

	switch (m->q->c.strategy) {
	case ACD_RING_ALL:
	case ACD_LONGEST_IDLE:
		m->k1 = ag->idle_since;
		m->k2 = 0;
		break;
	case ACD_LEAST_CALLS:
		m->k1 = ag->answered;
		m->k2 = ag->idle_since;
		break;
	case ACD_ROUND_ROBIN:
		m->k1 = m->turn;
		m->k2 = m->index;
		break;
	case ACD_LINEAR:
		m->k1 = m->index;
		m->k2 = 0;
		break;
	case ACD_RANDOM:
		m->k1 = dbl_key(m->q->race + rng_exp(a, 1));
		m->k2 = 0;
		break;
	case ACD_WEIGHTED_RANDOM:
		m->k1 = dbl_key(m->q->race + rng_exp(a, m->weight));
		m->k2 = 0;
		break;
	case ACD_SKILLS:
		m->k1 = UINT64_MAX - m->score;
		m->k2 = ag->idle_since;
		break;
	}
}

/* --- agent state ---------------------------------------------------------- */

static bool agent_ready(const struct acd_agent *ag, enum acd_channel ch)
{
	return ag->presence == AGENT_AVAILABLE && !ag->wrapup_until &&
	       ag->load[ch] < ag->cap[ch];
}

static enum agent_state agent_state_of(const struct acd_agent *ag)
{
	uint32_t load = 0;

	for (int ch = 0; ch < ACD_CHANNELS; ch++)
		load += ag->load[ch];
	if (!list_isempty(&ag->offers) || ag->direct_ringing)
		return AGENT_ST_RINGING;
	if (load)
		return AGENT_ST_BUSY;
	if (ag->wrapup_until)
		return AGENT_ST_WRAPUP;
	if (ag->presence == AGENT_PAUSED)
		return AGENT_ST_PAUSED;
	if (ag->presence == AGENT_LOGGED_OUT)
		return AGENT_ST_LOGGED_OUT;
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
	for (le = list_tail(&a->dirty_queues); le; le = le->prev) {
		const struct acd_queue *o = le->data;
		if (o->c.priority >= q->c.priority)
			break;
	}
	if (le)
		list_insert_after(&a->dirty_queues, le, &q->dle, q);
	else
		list_prepend(&a->dirty_queues, &q->dle, q);
}

/* The queue has callers waiting or agents in wrap-up: acd_tick looks at
 * it until it has neither. */
static void timed_mark(struct acd *a, struct acd_queue *q)
{
	if (q->timed)
		return;
	q->timed = true;
	list_append(&a->timed, &q->tle, q);
}

/* Something about q's waiting items changes at t (a tier joins, a new
 * round may start): acd_tick routes it again then. */
static void queue_wake(struct acd_queue *q, uint64_t t)
{
	if (!q->wake_at || t < q->wake_at)
		q->wake_at = t;
}

/* Offers ringing at the agent on channel ch. */
static uint32_t offers_on(const struct acd_agent *ag, enum acd_channel ch)
{
	uint32_t n = 0;
	struct le *le;

	LIST_FOREACH(&ag->offers, le)
	{
		const struct acd_offer *o = le->data;
		n += o->it->q->c.channel == ch;
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

	/* The heaps change only when readiness on some channel does. */
	for (int ch = 0; ch < ACD_CHANNELS; ch++)
		mask |= agent_ready(ag, (enum acd_channel)ch) ? 1u << ch : 0;
	for (size_t i = 0; (mask != ag->ready_mask || ag->resync) && i < ag->memberc;
	     i++) {
		struct acd_member *m = ag->memberv[i];
		struct acd_heap *h = &m->q->heaps[m->tier];
		bool want = mask & (1u << m->ch);

		if (want && m->pos < 0) {
			member_key(a, m);
			if (heap_push(h, m))
				log_error("acd: out of memory queue=%s agent=%s",
					  m->q->c.name, ag->ext);
			else
				became_ready = true;
		} else if (!want && m->pos >= 0) {
			heap_remove(h, m);
		}
	}
	ag->ready_mask = mask;
	ag->resync = false;
	if (became_ready && !ag->dirty) {
		ag->dirty = true;
		list_append(&a->dirty_agents, &ag->dle, ag);
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

	list_unlink(&q->dle);
	list_unlink(&q->tle);
	list_clear(&q->wrapups); /* the agents stay; they are freed apart */
	for (int t = 0; t < ACD_MAX_TIERS; t++)
		mem_deref(q->heaps[t].v);
	for (size_t i = 0; i < q->memberc; i++)
		mem_deref(q->memberv[i]);
	mem_deref(q->memberv);
}

static void agent_destructor(void *arg)
{
	struct acd_agent *ag = arg;

	list_unlink(&ag->dle);
	list_unlink(&ag->wle);
	mem_deref(ag->memberv);
	mem_deref(ag->skills);
}

static void item_destructor(void *arg)
{
	struct acd_item *it = arg;

	list_unlink(&it->wle);
	list_unlink(&it->fle);
}

static void offer_destructor(void *arg)
{
	struct acd_offer *o = arg;

	list_unlink(&o->ile);
	list_unlink(&o->ale);
	list_unlink(&o->ple);
}

static void acd_destructor(void *arg)
{
	struct acd *a = arg;

	list_flush(&a->pending);
	for (size_t i = 0; i < a->queuec; i++) {
		struct acd_queue *q = a->queuev[i];
		struct le *le;

		while ((le = list_head(&q->wait))) {
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
	*ap = a;
	return 0;
}

void acd_handlers_set(struct acd *a, const struct acd_handlers *h)
{
	if (a && h)
		a->h = *h;
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
	if (err)
		return err;
	q = mem_zalloc(sizeof(*q), queue_destructor);
	if (!q)
		return ENOMEM;
	q->c = *qc;
	q->c.name[sizeof(q->c.name) - 1] = '\0';
	q->tiers = 1;
	/* the name lives in the queue; the table points at it */
	err = names_put(&a->queue_names, q->c.name, q);
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
		ag->cap[ch] = capacity ? capacity[ch] : (ch == ACD_VOICE ? 1 : 0);
	err = names_put(&a->agent_names, ag->ext, ag);
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

int acd_member_add(struct acd *a, const char *queue, const char *ext, unsigned tier,
		   unsigned weight)
{
	struct acd_queue *q = queue_find(a, queue);
	struct acd_agent *ag = agent_find(a, ext);
	struct acd_member *m;
	uint32_t score = 0;
	int err;

	if (!q || !ag)
		return ENOENT;
	if (tier >= ACD_MAX_TIERS)
		return EINVAL;
	for (size_t i = 0; i < ag->memberc; i++) {
		if (ag->memberv[i]->q == q)
			return EEXIST;
	}
	for (size_t i = 0; i < q->c.skillc; i++) {
		int lvl = skill_level(ag, q->c.skills[i].name);
		if (lvl < q->c.skills[i].level)
			return EPERM;
		score += (uint32_t)lvl;
	}
	err = grow(&q->memberv, &q->membersz, q->memberc + 1, sizeof(*q->memberv));
	if (!err)
		err = grow(&ag->memberv, &ag->membersz, ag->memberc + 1,
			   sizeof(*ag->memberv));
	if (err)
		return err;
	m = mem_zalloc(sizeof(*m), NULL);
	if (!m)
		return ENOMEM;
	m->ag = ag;
	m->q = q;
	m->ch = q->c.channel;
	m->tier = tier;
	m->weight = weight ? weight : 1;
	m->index = q->memberc;
	m->score = score;
	m->pos = -1;
	q->memberv[q->memberc++] = m;
	ag->memberv[ag->memberc++] = m;
	if (tier + 1 > q->tiers)
		q->tiers = tier + 1;
	if (ag->presence != AGENT_LOGGED_OUT)
		q->logged_in++;
	ag->resync = true;
	agent_update(a, ag, ag->since);
	return 0;
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

	LIST_FOREACH(&it->offers, le)
	{
		const struct acd_offer *o = le->data;
		if (o->ag == ag)
			return true;
	}
	return false;
}

/* Highest tier a caller who waited since `since` may be offered to. */
static unsigned tier_allowed(const struct acd_queue *q, uint64_t since, uint64_t now)
{
	uint64_t k;

	if (!q->c.tier_wait_ms)
		return q->tiers - 1;
	k = now > since ? (now - since) / q->c.tier_wait_ms : 0;
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
	struct acd_offer *o = mem_zalloc(sizeof(*o), offer_destructor);

	if (!o)
		return ENOMEM;
	o->it = it;
	o->ag = ag;
	o->live = true;
	list_append(&it->offers, &o->ile, o);
	list_append(&ag->offers, &o->ale, o);
	list_append(&a->pending, &o->ple, o);
	ag->load[q->c.channel]++;
	/* the strategies that remember who was picked */
	if (q->c.strategy == ACD_ROUND_ROBIN || q->c.strategy == ACD_RANDOM ||
	    q->c.strategy == ACD_WEIGHTED_RANDOM) {
		if (q->c.strategy == ACD_ROUND_ROBIN)
			m->turn = ++q->rr_clock;
		else
			memcpy(&q->race, &m->k1, sizeof(q->race));
		if (m->pos >= 0) {
			heap_remove(&q->heaps[m->tier], m);
			member_key(a, m);
			(void)heap_push(&q->heaps[m->tier], m);
		}
	}
	agent_update(a, ag, now);
	return 0;
}

/* Frees an offer and gives the agent its capacity back. */
static void offer_release(struct acd *a, struct acd_offer *o, uint64_t now)
{
	struct acd_agent *ag = o->ag;
	enum acd_channel ch = o->it->q->c.channel;

	o->live = false;
	if (ag->load[ch])
		ag->load[ch]--;
	list_unlink(&o->ile);
	list_unlink(&o->ale);
	if (!o->ple.list)
		mem_deref(o);
	/* still pending: acd_route drops it unseen */
	agent_update(a, ag, now);
}

static void item_release_offers(struct acd *a, struct acd_item *it,
				struct acd_agent *keep, uint64_t now)
{
	struct le *le = list_head(&it->offers);

	while (le) {
		struct acd_offer *o = le->data;
		le = le->next;
		if (o->ag != keep)
			offer_release(a, o, now);
	}
}

static void item_free(struct acd_item *it)
{
	struct acd_queue *q = it->q;

	list_unlink(&it->wle);
	list_unlink(&it->fle);
	if (q->waitc)
		q->waitc--;
	mem_deref(it);
}

/*
 * The best ready member of q for item: the top of the lowest allowed
 * tier, skipping agents already tried for it or not usable. Sets *only_tried
 * when ready members exist but all were tried.
 */
static struct acd_member *pick(struct acd *a, struct acd_item *it, uint64_t now,
			       bool *only_tried)
{
	struct acd_queue *q = it->q;
	unsigned maxt = tier_allowed(q, it->since, now);
	struct acd_member *stash[STASH_MAX];
	struct acd_member *best = NULL;

	*only_tried = false;
	for (unsigned t = 0; t <= maxt && !best; t++) {
		struct acd_heap *h = &q->heaps[t];
		size_t n = 0;

		while (h->n && n < STASH_MAX) {
			struct acd_member *m = h->v[0];
			if (!tried(it, m->ag) && !offered(it, m->ag) &&
			    usable(a, it, m->ag)) {
				best = m;
				break;
			}
			if (tried(it, m->ag))
				*only_tried = true;
			heap_remove(h, m);
			stash[n++] = m;
		}
		while (n)
			(void)heap_push(h, stash[--n]);
	}
	if (best)
		*only_tried = false;
	return best;
}

static bool queue_has_ready(const struct acd_queue *q)
{
	for (unsigned t = 0; t < q->tiers; t++) {
		if (q->heaps[t].n)
			return true;
	}
	return false;
}

/* Offers q's waiting items to its ready members, in queue order. */
static void queue_drain(struct acd *a, struct acd_queue *q, uint64_t now)
{
	struct le *le = list_head(&q->wait);

	q->wake_at = 0;
	while (le && queue_has_ready(q)) {
		struct acd_item *it = le->data;
		struct acd_member *m;
		bool only_tried;

		le = le->next;
		if (it->retry_at > now) {
			queue_wake(q, it->retry_at);
			continue;
		}
		if (!list_isempty(&it->offers) && q->c.strategy != ACD_RING_ALL)
			continue;
		m = pick(a, it, now, &only_tried);
		if (!m) {
			unsigned maxt = tier_allowed(q, it->since, now);

			if (only_tried && list_isempty(&it->offers)) {
				/* every ready member missed it: a new
				 * round after a pause, as queues do */
				it->triedc = 0;
				it->retry_at = now + RETRY_ROUND_MS;
				queue_wake(q, it->retry_at);
			} else if (q->c.tier_wait_ms && maxt + 1 < q->tiers) {
				queue_wake(q, it->since + (uint64_t)(maxt + 1) *
							      q->c.tier_wait_ms);
			}
			continue;
		}
		if (offer_make(a, it, m, now))
			return;
		/* ring-all: every other ready member rings too */
		while (q->c.strategy == ACD_RING_ALL &&
		       (m = pick(a, it, now, &only_tried)))
			if (offer_make(a, it, m, now))
				return;
	}
}

/* Is item a candidate for member m now? */
static bool item_fits(struct acd *a, struct acd_item *it, struct acd_member *m,
		      uint64_t now)
{
	if (it->retry_at > now) {
		queue_wake(it->q, it->retry_at);
		return false;
	}
	if (tried(it, m->ag) || offered(it, m->ag))
		return false;
	if (!list_isempty(&it->offers) && it->q->c.strategy != ACD_RING_ALL)
		return false;
	if (m->tier > tier_allowed(it->q, it->since, now)) {
		queue_wake(it->q, it->since + (uint64_t)m->tier * it->q->c.tier_wait_ms);
		return false;
	}
	return usable(a, it, m->ag);
}

/* The first item of q that m could take. Only a few items are looked at:
 * the head ones are the ones being offered. */
static struct acd_item *queue_head_for(struct acd *a, struct acd_queue *q,
				       struct acd_member *m, uint64_t now)
{
	struct le *le;
	size_t n = 0;

	for (le = list_head(&q->wait); le && n < STASH_MAX; le = le->next, n++) {
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
	if (x->q->c.priority != y->q->c.priority)
		return x->q->c.priority > y->q->c.priority;
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
			struct acd_member *m = ag->memberv[i];
			struct acd_item *it;

			if (m->pos < 0 || !m->q->waitc)
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
		while ((le = list_head(&a->dirty_queues))) {
			struct acd_queue *q = le->data;
			list_unlink(&q->dle);
			q->dirty = false;
			queue_drain(a, q, now);
		}
		/* Agents that became ready while items were waiting. */
		while ((le = list_head(&a->dirty_agents))) {
			struct acd_agent *ag = le->data;
			list_unlink(le);
			ag->dirty = false;
			agent_take(a, ag, now);
		}
		/* Decisions are made; now tell the user, who may answer,
		 * miss or remove as it goes. */
		while ((le = list_head(&a->pending))) {
			struct acd_offer *o = le->data;
			list_unlink(le);
			if (!o->live) {
				mem_deref(o);
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
	item_free(it);
	if (a->h.exited)
		a->h.exited(arg, q->c.name, why, a->h.arg);
}

void acd_tick(struct acd *a, uint64_t now)
{
	struct le *le, *qle;

	if (!a)
		return;
	/* Only the queues with something timed: callers waiting or agents
	 * in wrap-up for them. */
	qle = list_head(&a->timed);
	while (qle) {
		struct acd_queue *q = qle->data;

		qle = qle->next;
		/* wrap-ups that are over: a queue's list is in order of their
		 * end, its wrap-up time being the same for all */
		while ((le = list_head(&q->wrapups))) {
			struct acd_agent *ag = le->data;
			if (ag->wrapup_until > now)
				break;
			list_unlink(&ag->wle);
			ag->idle_since = ag->wrapup_until;
			ag->wrapup_until = 0;
			agent_update(a, ag, now);
		}
		/* nobody logged in any more: leave when the queue says so */
		if (q->waitc && !q->c.join_empty && !q->logged_in) {
			while ((le = list_head(&q->fifo)))
				item_exit(a, le->data, ACD_EXIT_EMPTY, now);
		}
		/* max wait, oldest first (callbacks wait for their turn) */
		le = q->c.max_wait_ms ? list_head(&q->fifo) : NULL;
		while (le) {
			struct acd_item *it = le->data;
			le = le->next;
			if (it->since + q->c.max_wait_ms > now)
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
			list_unlink(&q->tle);
			q->timed = false;
		}
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
	it = mem_zalloc(sizeof(*it), item_destructor);
	if (!it)
		return ENOMEM;
	it->q = q;
	it->prio = priority;
	it->since = now;
	it->arg = arg;
	/* behind everyone of the same or a higher priority */
	for (le = list_tail(&q->wait); le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->prio >= priority)
			break;
	}
	if (le)
		list_insert_after(&q->wait, le, &it->wle, it);
	else
		list_prepend(&q->wait, &it->wle, it);
	list_append(&q->fifo, &it->fle, it);
	q->waitc++;
	mark_queue(a, q);
	timed_mark(a, q);
	*itp = it;
	return 0;
}

/* Puts it back into both lists at the place since gives it. */
static void item_place(struct acd_queue *q, struct acd_item *it)
{
	struct le *le;

	list_unlink(&it->wle);
	list_unlink(&it->fle);
	for (le = list_tail(&q->wait); le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->prio > it->prio || (o->prio == it->prio && o->since <= it->since))
			break;
	}
	if (le)
		list_insert_after(&q->wait, le, &it->wle, it);
	else
		list_prepend(&q->wait, &it->wle, it);
	for (le = list_tail(&q->fifo); le; le = le->prev) {
		const struct acd_item *o = le->data;
		if (o->since <= it->since)
			break;
	}
	if (le)
		list_insert_after(&q->fifo, le, &it->fle, it);
	else
		list_prepend(&q->fifo, &it->fle, it);
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
	item_free(it);
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

	LIST_FOREACH(&it->offers, le)
	{
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
	list_unlink(&o->ile);
	list_unlink(&o->ale);
	if (!o->ple.list)
		mem_deref(o);
	item_release_offers(a, it, NULL, now);
	ag->answered++;
	ag->misses = 0;
	item_free(it);
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
	if (ag->direct_ringing && ag->load[ch] < ag->direct_ringing)
		ag->direct_ringing = ag->load[ch];
	if (q && q->c.wrapup_ms) {
		struct le *le;

		ag->wrapup_until = now + q->c.wrapup_ms;
		list_unlink(&ag->wle);
		/* in order of the end: with one wrap-up time per queue and
		 * time going forward, at the tail */
		for (le = list_tail(&q->wrapups); le; le = le->prev) {
			const struct acd_agent *o = le->data;
			if (o->wrapup_until <= ag->wrapup_until)
				break;
		}
		if (le)
			list_insert_after(&q->wrapups, le, &ag->wle, ag);
		else
			list_prepend(&q->wrapups, &ag->wle, ag);
		timed_mark(a, q);
	} else if (!ag->wrapup_until) {
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
		ag->direct_ringing++;
	agent_update(a, ag, now);
	return 0;
}

void acd_connected(struct acd *a, const char *agent, uint64_t now)
{
	struct acd_agent *ag = agent_find(a, agent);

	if (!ag || !ag->direct_ringing)
		return;
	ag->direct_ringing--;
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
			struct acd_queue *q = ag->memberv[i]->q;
			if (p == AGENT_LOGGED_OUT)
				q->logged_in--;
			else
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
	info->wrapup_until = ag->wrapup_until;
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
	struct le *le = list_head(&q->fifo);

	memset(info, 0, sizeof(*info));
	info->name = q->c.name;
	info->channel = q->c.channel;
	info->strategy = q->c.strategy;
	info->waiting = q->waitc;
	info->oldest = le ? ((const struct acd_item *)le->data)->since : 0;
	info->members = q->memberc;
	for (size_t i = 0; i < q->memberc; i++)
		info->agents[q->memberv[i]->ag->state]++;
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
		if (q->c.strategy != ACD_LEAST_CALLS)
			continue;
		for (unsigned t = 0; t < q->tiers; t++) {
			struct acd_heap *h = &q->heaps[t];
			for (size_t j = 0; j < h->n; j++)
				member_key(a, h->v[j]);
			for (size_t j = h->n / 2 + 1; j-- > 0;)
				if (j < h->n)
					heap_down(h, j);
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

		LIST_FOREACH(&ag->offers, le)
		{
			const struct acd_offer *o = le->data;
			CHECK(o->ag == ag && o->live, "agent=%s offer not its own",
			      ag->ext);
			CHECK(o->ile.list == &o->it->offers,
			      "agent=%s offer without its item", ag->ext);
			ringing[o->it->q->c.channel]++;
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
		CHECK(!ag->wrapup_until || ag->wle.list,
		      "agent=%s in wrap-up without an end", ag->ext);
		for (size_t j = 0; j < ag->memberc; j++) {
			const struct acd_member *m = ag->memberv[j];
			bool ready = agent_ready(ag, m->q->c.channel);
			CHECK(ready == (m->pos >= 0),
			      "agent=%s queue=%s ready=%d in heap=%d", ag->ext,
			      m->q->c.name, ready, m->pos >= 0);
		}
	}
	for (size_t i = 0; i < a->queuec; i++) {
		const struct acd_queue *q = a->queuev[i];
		size_t n = 0, logged = 0;
		struct le *le;

		LIST_FOREACH(&q->wait, le)
		{
			const struct acd_item *it = le->data;
			struct le *ole;
			CHECK(it->q == q && it->fle.list == &q->fifo,
			      "queue=%s item in the wrong lists", q->c.name);
			CHECK(!le->prev ||
				  ((const struct acd_item *)le->prev->data)->prio >=
				      it->prio,
			      "queue=%s items out of priority order", q->c.name);
			LIST_FOREACH(&it->offers, ole)
			{
				const struct acd_offer *o = ole->data;
				CHECK(o->ale.list == &o->ag->offers,
				      "queue=%s offer without its agent", q->c.name);
			}
			n++;
		}
		CHECK(n == q->waitc && list_count(&q->fifo) == n,
		      "queue=%s counts %zu waiting, lists hold %zu", q->c.name, q->waitc,
		      n);
		for (size_t j = 0; j < q->memberc; j++)
			logged += q->memberv[j]->ag->presence != AGENT_LOGGED_OUT;
		CHECK(logged == q->logged_in, "queue=%s logged in %zu, counted %zu",
		      q->c.name, logged, q->logged_in);
		for (unsigned t = 0; t < ACD_MAX_TIERS; t++) {
			const struct acd_heap *h = &q->heaps[t];
			for (size_t j = 0; j < h->n; j++) {
				CHECK(h->v[j]->pos == (ssize_t)j && h->v[j]->tier == t,
				      "queue=%s heap position", q->c.name);
				CHECK(!j || !key_less(h->v[j], h->v[(j - 1) / 2]),
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
