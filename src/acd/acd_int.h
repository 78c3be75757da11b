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
	const char *name;
	void *obj;
};

struct acd_names {
	struct acd_name_slot *v;
	size_t mask, n;
};

/* An agent's membership of one queue; sits in the queue's heap for its
 * tier while the agent is ready for the queue's channel. */
struct acd_member {
	struct acd_agent *ag;
	struct acd_queue *q;
	enum acd_channel ch; /* the queue's */
	unsigned tier;
	unsigned weight;
	size_t index;	 /* position in the queue's member list */
	uint32_t score;	 /* skill match (skills strategy) */
	uint64_t turn;	 /* round-robin: when the queue last offered to it */
	uint64_t k1, k2; /* heap key, smaller first */
	ssize_t pos;	 /* index in the heap, -1 when not in it */
};

struct acd_heap {
	struct acd_member **v;
	size_t n, sz;
};

struct acd_queue {
	struct le dle; /* in acd->dirty_queues */
	struct le tle; /* in acd->timed while it has timed work */
	struct acd_queue_conf c;
	struct acd_member **memberv;
	size_t memberc, membersz;
	struct acd_heap heaps[ACD_MAX_TIERS];
	unsigned tiers;	     /* highest member tier + 1 */
	struct list wait;    /* items, priority then arrival */
	struct list fifo;    /* items by arrival (max wait) */
	struct list wrapups; /* agents in after-call work for it, by end */
	size_t waitc;
	size_t logged_in; /* members not logged out */
	uint64_t rr_clock;
	double race;	  /* random strategies: key of the last winner */
	uint64_t wake_at; /* route again at (tiers, new rounds); 0 = no need */
	bool timed;	  /* in acd->timed */
	bool dirty;
};

struct acd_agent {
	struct le dle; /* in acd->dirty_agents */
	struct le wle; /* in its queue's wrapups while in after-call work */
	char ext[ACD_NAME];
	size_t idx;
	enum agent_presence presence;
	enum agent_state state; /* last reported */
	char reason[32];
	uint64_t since;
	uint64_t idle_since;
	uint64_t wrapup_until;
	uint32_t cap[ACD_CHANNELS];
	uint32_t load[ACD_CHANNELS];
	uint32_t answered;
	uint32_t misses;
	uint32_t direct_ringing;  /* extension calls ringing (acd_busy) */
	struct list offers;	  /* struct acd_offer, ringing */
	struct acd_skill *skills; /* skillc of them */
	size_t skillc;
	struct acd_member **memberv;
	size_t memberc, membersz;
	unsigned ready_mask; /* bit per channel: in the heaps of that channel */
	bool resync;	     /* memberships changed: look at every one */
	bool dirty;
};

#define ACD_MAX_TRIED 16

struct acd_item {
	struct le wle, fle;
	struct acd_queue *q;
	int prio;
	uint64_t since;
	void *arg;
	struct list offers;
	struct acd_agent *tried[ACD_MAX_TRIED];
	size_t triedc;
	uint64_t retry_at;
	bool hold; /* a callback: max wait does not apply */
};

struct acd_offer {
	struct le ile, ale, ple;
	struct acd_item *it;
	struct acd_agent *ag;
	bool live;
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
	struct list timed;   /* queues with callers waiting or agents in wrap-up */
	struct list pending; /* offers made, handler not called yet */
	char reasons[16][32];
	size_t reasonc;
	uint64_t rng;
	bool routing;
};

#endif
