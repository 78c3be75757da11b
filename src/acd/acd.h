/*
 * acd.h — the automatic call distributor: which agent gets which waiting
 * interaction. A pure domain core: no I/O, no SIP, time passed in as UTC
 * milliseconds. The call controller (and later chat, mail, messaging)
 * puts interactions in, the engine offers them to agents through a
 * handler, and the controller reports what the agent did.
 *
 * Model:
 * - A queue has a channel, a strategy, a priority, tiers and rules (max
 *   wait, max length, what to do when nobody is logged in, an exit key).
 * - An agent has a presence (logged out, available, paused with a reason),
 *   skills with levels 1-10, a capacity per channel, and serves queues as
 *   a member at a tier (0 is tried first; tier k joins for callers who
 *   waited k x the queue's tier_wait).
 * - An item is one waiting interaction: priority (higher first), then
 *   first come first served.
 *
 * No decision scans all agents: each queue keeps, per tier, a heap of its
 * members who are ready, ordered by the queue's strategy, so a decision
 * is O(log members) plus the few memberships of an agent.
 *
 * Invariants (acd_check): an agent is never offered more than its
 * capacity; every offer ends in answer, miss or removal; an item is in
 * exactly one queue until it leaves.
 */
#ifndef HOTLINE_ACD_H
#define HOTLINE_ACD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acd;
struct acd_item;
struct cfg_tenant;

enum acd_channel { ACD_VOICE = 0, ACD_CHAT, ACD_MAIL, ACD_MESSAGE, ACD_CHANNELS };

enum acd_strategy {
	ACD_RING_ALL = 0,
	ACD_LONGEST_IDLE,
	ACD_LEAST_CALLS, /* fewest answered today, then longest idle */
	ACD_ROUND_ROBIN, /* members take turns; the queue remembers whose */
	ACD_LINEAR,	 /* always the first free member in listed order */
	ACD_RANDOM,
	ACD_WEIGHTED_RANDOM, /* by member weight */
	ACD_SKILLS,	     /* best skill match, then longest idle */
};

/* Agent presence as the agent sets it (phone feature codes, API). */
enum agent_presence { AGENT_LOGGED_OUT = 0, AGENT_AVAILABLE, AGENT_PAUSED };

/* What an agent is doing, derived from presence, offers and work; every
 * change is reported through acd_agent_h. */
enum agent_state {
	AGENT_ST_LOGGED_OUT = 0,
	AGENT_ST_AVAILABLE,
	AGENT_ST_PAUSED,
	AGENT_ST_RINGING,
	AGENT_ST_BUSY,
	AGENT_ST_WRAPUP,
	AGENT_ST_COUNT
};

/* Why an item leaves its queue by rule (not answered, not abandoned). */
enum acd_exit {
	ACD_EXIT_TIMEOUT = 0, /* waited max_wait */
	ACD_EXIT_FULL,	      /* queue at max_len on arrival */
	ACD_EXIT_EMPTY,	      /* nobody logged in (join_empty: overflow) */
	ACD_EXIT_KEY,	      /* the caller pressed the exit key */
};

#define ACD_MAX_TIERS	     8
#define ACD_MAX_SKILLS	     16 /* per agent and per queue */
#define ACD_NAME	     32
#define ACD_RETRY_MS_DEFAULT 2000 /* acd_queue_conf.retry_ms */

struct acd_skill {
	char name[ACD_NAME];
	uint8_t level; /* 1-10; for a queue, the minimum */
};

struct acd_queue_conf {
	char name[ACD_NAME];
	enum acd_channel channel;
	enum acd_strategy strategy;
	int priority;	       /* an agent in several queues serves higher first */
	uint32_t tier_wait_ms; /* tier k joins after k x this wait */
	uint32_t max_wait_ms;  /* 0: none */
	uint32_t max_len;      /* 0: none */
	bool join_empty;       /* join even when nobody is logged in */
	uint32_t wrapup_ms;    /* after-call work */
	uint32_t auto_pause;   /* pause an agent after so many misses in a row; 0 off */
	uint32_t retry_ms;     /* every ready member missed an item: the wait
				* before a new round (0: ACD_RETRY_MS_DEFAULT) */
	char exit_key;	       /* a key that takes the caller out; '\0' none */
	struct acd_skill skills[ACD_MAX_SKILLS]; /* required, with minimum levels */
	size_t skillc;
};

/* The engine tells its user about decisions and changes through these;
 * they run inside the acd_* call that caused them and must not call
 * acd_route or acd_tick (the other acd_* functions are fine). */
struct acd_handlers {
	/* Offer item to agent (ring the phone, show the chat): answer with
	 * acd_answer or acd_miss later. */
	void (*offer)(struct acd_item *it, const char *agent, void *arg);
	/* The item left its queue by rule; it is no longer in the engine
	 * (arg is the item's own arg). */
	void (*exited)(void *item_arg, const char *queue, enum acd_exit why, void *arg);
	/* An agent's state changed (reason: pause reason, or ""). */
	void (*agent)(const char *agent, enum agent_state st, const char *reason,
		      uint64_t now, void *arg);
	/* May this agent be offered item now (its phone is registered, ...)?
	 * NULL: always. */
	bool (*usable)(struct acd_item *it, const char *agent, void *arg);
	void *arg;
};

/* --- set-up ----------------------------------------------------------- */

int acd_alloc(struct acd **ap, const struct acd_handlers *h);
/* Replaces the handlers (the call controller sets them once it exists). */
void acd_handlers_set(struct acd *a, const struct acd_handlers *h);
/* Adds a queue; EEXIST when the name is taken, EINVAL for bad values. */
int acd_queue_add(struct acd *a, const struct acd_queue_conf *qc);
/* Adds an agent (logged in and available, as static members start);
 * capacity per channel (0 = cannot take that channel). */
int acd_agent_add(struct acd *a, const char *ext, const struct acd_skill *skills,
		  size_t skillc, const uint32_t capacity[ACD_CHANNELS]);
/* Makes agent a member of queue at tier with weight (weighted random).
 * EPERM: the agent lacks a skill the queue requires; ENOENT: no such
 * agent or queue; EEXIST: already a member. */
int acd_member_add(struct acd *a, const char *queue, const char *ext, unsigned tier,
		   unsigned weight);
/* Builds queues, agents and memberships from a validated tenant. */
int acd_load_tenant(struct acd *a, const struct cfg_tenant *t);

/* --- changes while running (a tenant file applied live) ------------------ */

/* A queue's settings change (not its name or channel: ENOTSUP for a new
 * channel); callers keep their places, ready members are ordered by the
 * new strategy. ENOENT: no such queue. */
int acd_queue_update(struct acd *a, const struct acd_queue_conf *qc, uint64_t now);
/* A member's tier or weight changes. ENOENT: not a member. */
int acd_member_set(struct acd *a, const char *queue, const char *ext, unsigned tier,
		   unsigned weight);
/* The agent no longer serves queue; an offer ringing now goes on to its
 * answer or miss. ENOENT: not a member. */
int acd_member_remove(struct acd *a, const char *queue, const char *ext, uint64_t now);
/* An agent's skills and capacity change. ENOENT: no such agent. */
int acd_agent_update(struct acd *a, const char *ext, const struct acd_skill *skills,
		     size_t skillc, const uint32_t capacity[ACD_CHANNELS], uint64_t now);
/* Is ext a member of queue (its tier and weight)? */
bool acd_member_is(const struct acd *a, const char *queue, const char *ext,
		   unsigned *tier, unsigned *weight);
size_t acd_queue_member_count(const struct acd *a, const char *queue);
const char *acd_queue_member_at(const struct acd *a, const char *queue, size_t i);
/*
 * Brings the engine in line with a changed tenant: new agents and queues
 * are added, settings, skills, capacities and memberships change. What
 * cannot change under live interactions (a queue or agent taken out of
 * the file, a queue's channel) stays as it is until the next start: each
 * such thing is told to later(what, arg). 0, or the first error.
 */
int acd_apply_tenant(struct acd *a, const struct cfg_tenant *t, uint64_t now,
		     void (*later)(const char *what, void *arg), void *arg);
int acd_strategy_parse(enum acd_strategy *sp, const char *name);
/* "voice", "chat", "mail", "message" */
const char *acd_channel_name(enum acd_channel ch);
const char *acd_strategy_name(enum acd_strategy s);

/* --- interactions ----------------------------------------------------- */

/*
 * Puts an interaction in a queue at now. arg is the caller's (the call).
 * ESRCH: no such queue. When a rule refuses it (queue full, nobody logged
 * in), returns 0 with *itp NULL and the exited handler has been called.
 */
int acd_enqueue(struct acd *a, const char *queue, int priority, uint64_t now, void *arg,
		struct acd_item **itp);
/*
 * A callback: the item takes the place of one that entered at since and
 * is never timed out by max wait (it waits for its turn to be called
 * back).
 */
void acd_item_hold(struct acd *a, struct acd_item *it, uint64_t since);
/* The customer left (hung up, closed the chat) or the caller moved the
 * interaction elsewhere: it leaves its queue; agents ringing for it are
 * free again. The item is freed. */
void acd_remove(struct acd *a, struct acd_item *it, uint64_t now);
/* The caller pressed a key while waiting: when it is the queue's exit key
 * the item leaves (exited handler, ACD_EXIT_KEY) and true is returned. */
bool acd_key(struct acd *a, struct acd_item *it, char key, uint64_t now);
/* agent took the item: it leaves the queue, other agents ringing for it
 * are free again, and agent is busy until acd_done. The item is freed. */
int acd_answer(struct acd *a, struct acd_item *it, const char *agent, uint64_t now);
/* agent did not take the offer (no answer, busy, declined): the agent is
 * free again, counts a miss (auto-pause), and the item waits for the
 * next agent. */
int acd_miss(struct acd *a, struct acd_item *it, const char *agent, uint64_t now);
/* agent finished an interaction of channel ch from queue (NULL: not from
 * a queue): wrap-up per the queue, then ready again. */
void acd_done(struct acd *a, const char *agent, enum acd_channel ch, const char *queue,
	      uint64_t now);
/* Marks agent busy on ch outside the queues (an extension call); with
 * ringing its state shows ringing until acd_connected. EBUSY: at its
 * capacity already. */
int acd_busy(struct acd *a, const char *agent, enum acd_channel ch, bool ringing,
	     uint64_t now);
/* The extension call that was ringing at agent is answered. */
void acd_connected(struct acd *a, const char *agent, uint64_t now);

void *acd_item_arg(const struct acd_item *it);
/* 1-based position in its queue (priority, then arrival). */
size_t acd_item_position(const struct acd_item *it);

/* --- time and routing ------------------------------------------------- */

/* Makes every offer that can be made now (calls the offer handler). */
void acd_route(struct acd *a, uint64_t now);
/* Ends wrap-ups that are over, applies max wait, widens tiers, then
 * routes. Call it every 100 ms or so. */
void acd_tick(struct acd *a, uint64_t now);
/* Checks every invariant; returns 0 or EPROTO and logs what is wrong.
 * Repairs nothing. */
int acd_check(const struct acd *a);

/* --- agents ----------------------------------------------------------- */

/* ENOENT: no such agent; EINVAL: a reason code not listed (see
 * acd_reasons_set); EALREADY: pausing a logged-out agent. */
int acd_agent_set(struct acd *a, const char *ext, enum agent_presence p,
		  const char *reason, uint64_t now);
/* Something outside the engine changed whether agent may be offered
 * interactions (its phone registered, its desktop opened: the usable
 * handler would now say yes): the next acd_route looks at the waiting
 * items of its queues again. ENOENT: no such agent. */
int acd_agent_poke(struct acd *a, const char *ext);
/* The pause reason codes agents may use; the first is the default. */
int acd_reasons_set(struct acd *a, const char (*reasons)[32], size_t n);

struct acd_agent_info {
	const char *ext;
	enum agent_presence presence;
	enum agent_state state; /* over all channels (agent.state events) */
	/* per channel: busy only when the capacity there is used; a channel
	 * without capacity reads as logged out */
	enum agent_state states[ACD_CHANNELS];
	const char *reason;	     /* paused: the reason code */
	uint64_t since;		     /* UTC ms of the last state change */
	uint64_t wrapup_until;	     /* in after-call work until then (the
				      * latest of its channels) */
	uint32_t load[ACD_CHANNELS]; /* interactions offered or in progress */
	uint32_t cap[ACD_CHANNELS];  /* capacity per channel */
	uint32_t answered;	     /* taken today (least-calls) */
	uint32_t misses;	     /* missed offers in a row */
};
int acd_agent_info(const struct acd *a, const char *ext, struct acd_agent_info *info);
size_t acd_agent_count(const struct acd *a);
int acd_agent_at(const struct acd *a, size_t i, struct acd_agent_info *info);

const char *acd_presence_name(enum agent_presence p);
int acd_presence_parse(enum agent_presence *pp, const char *name);
const char *acd_state_name(enum agent_state s);

/* --- queues ----------------------------------------------------------- */

struct acd_queue_info {
	const char *name;
	enum acd_channel channel;
	enum acd_strategy strategy;
	size_t waiting;
	uint64_t oldest; /* entry time of the longest waiting, 0 = none */
	size_t members;
	size_t agents[AGENT_ST_COUNT]; /* members by their state on the
					* queue's channel */
	const struct acd_queue_conf *conf;
};
int acd_queue_info(const struct acd *a, const char *name, struct acd_queue_info *info);
size_t acd_queue_count(const struct acd *a);
int acd_queue_at(const struct acd *a, size_t i, struct acd_queue_info *info);

/* Resets per-day counters (answered today) at the day's start. */
void acd_new_day(struct acd *a);

/* --- statistics from events ------------------------------------------- */

/*
 * Queue and agent figures as docs/METRICS.md defines them, computed only from
 * events (queue.entered, queue.answered, queue.abandoned, queue.exited,
 * queue.completed, queue.transferred, agent.noanswer, agent.state, and
 * chat.message for the first response of chats), so
 * that live figures and a report rebuilt from the stored event log agree.
 * Pure: feed it events in time order, ask at a time.
 */
struct acd_stats;
struct hl_event;

/* day_start: UTC ms where "today" begins (the figures reset each 24 h
 * after it); 0 for a fixed report range that never resets. */
int acd_stats_alloc(struct acd_stats **sp, uint64_t day_start, uint32_t short_abandon_ms);
/* The service-level threshold of a queue (default 20 s). */
int acd_stats_threshold(struct acd_stats *s, const char *queue, uint32_t sl_ms);
void acd_stats_feed(struct acd_stats *s, const struct hl_event *ev);
/* An event_h for the event bus (arg is the stats). */
void acd_stats_feed_h(const struct hl_event *ev, void *arg);
/* Whether ev changes the figures of its queue (ev->queue; a queue event
 * without one: of every queue): what a cached view of the figures must be
 * built again after. */
bool acd_stats_moves(const struct hl_event *ev);

#define ACD_EXITS 4 /* enum acd_exit */

struct acd_queue_stats {
	uint32_t offered; /* queue entries */
	uint32_t answered;
	uint32_t answered_in_sl;  /* within the threshold */
	uint32_t abandoned;	  /* without short abandons */
	uint32_t abandoned_in_sl; /* within the threshold, not short */
	uint32_t short_abandoned;
	uint32_t exited; /* by rule, all reasons */
	uint32_t exits[ACD_EXITS];
	uint32_t transferred;
	uint32_t noanswer;	     /* ring no answer */
	uint32_t handled;	     /* conversations ended (completed or transferred) */
	uint64_t wait_answered_ms;   /* summed */
	uint64_t max_wait_ms;	     /* of the answered */
	uint64_t talk_ms, wrapup_ms; /* summed over handled */
	uint32_t sl_threshold_ms;
	uint32_t first_responses;	  /* chats with an agent's first reply */
	uint64_t first_response_total_ms; /* summed: chat start to that reply */
	/* derived; -1 when the divisor is 0 */
	double service_level;	       /* answered within T / answered */
	double service_level_abandons; /* (answered + abandoned within T) / (answered +
					  abandoned) */
	double asa_ms;
	double aht_ms;		  /* (talk + wrap-up) / handled */
	double abandon_rate;	  /* abandoned / (offered - short - exited) */
	double first_response_ms; /* chats: first_response_total / first_responses */
};
/* ENOENT: no event for that queue yet (the figures are then all 0). */
int acd_stats_queue(struct acd_stats *s, const char *queue, uint64_t now,
		    struct acd_queue_stats *out);

struct acd_agent_stats {
	uint64_t time_ms[AGENT_ST_COUNT]; /* in each state */
	uint32_t answered, noanswer;
	double occupancy; /* (busy + wrap-up) / (available + ringing + busy + wrap-up) */
	double utilisation; /* (busy + wrap-up) / logged-in time */
};
int acd_stats_agent(struct acd_stats *s, const char *agent, uint64_t now,
		    struct acd_agent_stats *out);
const char *acd_exit_name(enum acd_exit e);

#endif
