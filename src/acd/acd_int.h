/*
 * acd_int.h — the routing engine's private structs (src/acd only).
 */
#ifndef HOTLINE_ACD_INT_H
#define HOTLINE_ACD_INT_H

#include <re.h>
#include "acd/acd.h"

struct acd_queue;

struct acd_name_slot {
	uint32_t h; /* 0: empty */
	void *obj;
};

struct acd_names {
	struct acd_name_slot *v;
	size_t mask, n;
	size_t name_off; /* where an object keeps its name */
};

/* An agent's membership of one queue; sits in the queue's heap for its
 * tier while the agent is ready for the queue's channel. Kept in the
 * agent's array (the queue points at it), so that an agent that becomes
 * ready or busy reads its memberships in one go. */
struct acd_member {
	/* what an agent's change of readiness reads first */
	struct acd_queue *q;
	uint32_t index; /* position in the queue's member list */
	uint8_t ch;	/* the queue's channel */
	uint8_t tier;
	bool ready; /* in its tier's heap */
	struct acd_agent *ag;
	uint32_t weight;
	uint32_t score; /* skill match (skills strategy) */
	uint64_t turn;	/* round-robin: when the queue last offered to it */
	uint64_t k1;	/* the first part of its last heap key */
};

/* A ready member in its queue's heap: the key travels with it, so that
 * the heap is ordered without reading the members. */
struct acd_hent {
	uint64_t k1, k2; /* smaller first */
	uint32_t tie;	 /* then the agent's index */
	uint32_t mi;	 /* the member's index in its queue */
};

struct acd_heap {
	struct acd_hent *v;
	uint32_t n, sz;
};

struct acd_queue {
	/* what decisions read, together at the start; the first five are
	 * copies of c's */
	enum acd_strategy strategy;
	enum acd_channel channel;
	int priority;
	uint32_t tier_wait_ms;
	uint32_t max_wait_ms;
	unsigned tiers; /* highest member tier + 1 */
	size_t readyc;	/* in the heaps, all tiers */
	size_t waitc;
	struct list wait; /* items, priority then arrival */
	/* the items of wait that no agent rings for, in the same order:
	 * all that an agent may take, but for ring-all */
	struct list open;
	struct acd_member **memberv;
	uint32_t *hpos; /* per member: its place in its tier's heap */
	struct acd_heap heaps[ACD_MAX_TIERS];
	uint64_t wake_at; /* route again at (tiers, new rounds); 0 = no need */
	double race;	  /* random strategies: key of the last winner */
	uint64_t rr_clock;
	size_t ti;	     /* in acd->timedv while timed */
	bool timed;	     /* in acd->timedv */
	bool dirty;	     /* in acd->dirty_queues */
	struct list wrapups; /* agents in after-call work for it, by end */
	struct list fifo;    /* items by arrival (max wait) */
	size_t logged_in;    /* members not logged out */
	struct le dle;
	size_t memberc, membersz, hpossz;
	size_t tier_members[ACD_MAX_TIERS]; /* the room each heap has */
	struct acd_queue_conf c;	    /* as configured */
};

struct acd_agent {
	/* what a call by name and a change of state read, together at the
	 * start: the name is compared first */
	char ext[ACD_NAME];
	enum agent_presence presence;
	enum agent_state state; /* last reported */
	/* after-call work per channel: a chat's wrap-up does not keep the
	 * agent from calls */
	uint64_t wrapup_until[ACD_CHANNELS];
	uint32_t load[ACD_CHANNELS];
	uint32_t cap[ACD_CHANNELS];
	/* a capacity lowered below the load (a tenant applied live): cap
	 * follows the load down to it as interactions end */
	uint32_t cap_next[ACD_CHANNELS];
	bool cap_lower;
	struct list offers;	    /* struct acd_offer, ringing */
	struct acd_member *members; /* its memberships, side by side */
	size_t memberc;
	uint64_t idle_since;
	uint32_t answered;
	uint32_t misses;
	uint64_t since;
	uint32_t direct_ringing[ACD_CHANNELS]; /* ringing outside queues (acd_busy) */
	unsigned ready_mask; /* bit per channel: in the heaps of that channel */
	size_t idx;
	bool resync; /* memberships changed: look at every one */
	bool dirty;
	struct le dle;		     /* in acd->dirty_agents */
	struct le wle[ACD_CHANNELS]; /* in a queue's wrapups while in after-call work */
	char reason[32];
	struct acd_skill *skills; /* skillc of them */
	size_t skillc;
	size_t membersz;
};

#define ACD_MAX_TRIED 16

struct acd_item {
	/* what a walk along its queue reads, together at the start */
	struct le ole;	    /* in its queue's open list while nobody rings */
	uint64_t retry_at;  /* a new round after every member missed it */
	struct list offers; /* ringing */
	uint64_t since;
	struct le wle; /* in its queue's wait list */
	int prio;
	bool hold; /* a callback: max wait does not apply */
	struct acd_queue *q;
	size_t triedc;
	struct le fle; /* in its queue's fifo */
	void *arg;
	struct acd_item *pool_next;		/* in acd->item_pool once freed */
	struct acd_agent *tried[ACD_MAX_TRIED]; /* last: see item_new */
};

struct acd_offer {
	struct le ile, ale, ple;
	struct acd_item *it;
	struct acd_agent *ag;
	struct acd_offer *pool_next; /* in acd->offer_pool once freed */
	bool live;
};

struct acd_timed {
	uint64_t due; /* acd_tick has nothing to do for q before then */
	struct acd_queue *q;
};

struct acd {
	struct acd_handlers h;
	struct acd_names agent_names;
	struct acd_names queue_names;
	struct acd_agent **agentv;
	size_t agentc, agentsz;
	struct acd_queue **queuev;
	size_t queuec, queuesz;
	struct list dirty_agents;
	struct list dirty_queues;
	/* queues with callers waiting or agents in wrap-up, in the order
	 * they came; dense so that acd_tick passes over the idle ones without
	 * reading them */
	struct acd_timed *timedv;
	size_t timedc, timedsz;
	struct list pending; /* offers made, handler not called yet */
	/* items and offers that ended, kept for the next ones: an item or
	 * offer per call is the engine's busiest allocation */
	struct acd_item *item_pool;
	struct acd_offer *offer_pool;
	char reasons[16][32];
	size_t reasonc;
	uint64_t rng;
	bool routing;
};

#endif
