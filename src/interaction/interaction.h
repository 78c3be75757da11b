/*
 * interaction.h — the channel-neutral interaction: one conversation on one
 * channel (a call, a chat, a mail thread, a message thread) from its
 * creation to its stored row.
 *
 * The interaction service does once, for every channel, what all of them
 * share: entering a queue, the priority from the customer's tier, the
 * queue's overflow, exit and max-wait rules, the CRM match by the
 * channel's identity, wrap-up, the events and the stored row. It owns the
 * routing engine's handlers and hands each decision to the adapter of the
 * interaction's channel through a small table of operations
 * (struct interaction_ops): the SIP call controller for voice today, the
 * chat WebSocket, the mail listener and messaging connectors later.
 *
 * An adapter embeds a struct interaction in its own object (a mem_*
 * object, named in interaction_init) so that the routing engine's items
 * point at the interaction and the adapter finds its object back without
 * a look-up. The service never frees it: the adapter's object lives until
 * the adapter drops it, after interaction_end.
 *
 * Not here: signalling and media (sip/, media/), routing decisions (acd/),
 * what is stored how (store/).
 */
#ifndef HOTLINE_INTERACTION_H
#define HOTLINE_INTERACTION_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "core/core.h"
#include "acd/acd.h"
#include "store/store.h"

struct cfg_tenant;
struct interaction_svc;

enum interaction_direction { INTERACTION_INBOUND = 0, INTERACTION_OUTBOUND };

/* Where an interaction is in its life. */
enum interaction_state {
	INTERACTION_ROUTING = 0, /* self-service (IVR) or waiting in a queue */
	INTERACTION_OFFERED,	 /* an agent is being offered it (ringing, shown) */
	INTERACTION_ACTIVE,	 /* an agent is handling it */
	INTERACTION_WRAPUP,	 /* the customer is gone, the agent wraps up */
	INTERACTION_ENDED,
};

struct interaction {
	struct le le; /* in the service's live interactions */
	struct interaction_svc *svc;
	void *obj; /* the adapter's mem object that holds this */
	enum acd_channel channel;
	enum interaction_direction direction;
	enum interaction_state state;
	struct acd_item *item;	 /* waiting in the routing engine, NULL: not */
	struct list offers;	 /* queue offers pending, oldest first (ring timeout) */
	int priority;		 /* in queues, before the tier's */
	int tier_priority;	 /* added to it: the customer's tier (crm.tiers) */
	char agent[32];		 /* the agent handling it now, "" none */
	bool from_queue;	 /* that agent took it from row.queue */
	bool quiet;		 /* not an interaction (a feature code): neither stored
				  * nor counted */
	char customer_name[128]; /* the customer behind it, "" unknown */
	char customer_tier[16];
	char customer_ext[32]; /* the external CRM's id, when it told us */
	char exit_outcome[32]; /* the outcome when a queue rule ends it */
	struct store_call row; /* what is stored; its id is the interaction's */
};

/*
 * What a channel adapter does for the service. The service calls these on
 * the main loop; an operation may end the interaction (interaction_end)
 * before it returns, and the service holds a reference to ia->obj around
 * every call. arg is the one given to interaction_ops_set.
 */
struct interaction_ops {
	/* the prefix of the channel's own events: "call" (call.created,
	 * call.answered, call.ended) */
	const char *name;
	/* Offers ia to agent (rings the phone, shows the chat). The agent's
	 * answer comes back as interaction_accept, or interaction_missed. An
	 * error: the offer could not be made (a miss for the engine). */
	int (*offer)(struct interaction *ia, const char *agent, void *arg);
	/* Every offer of ia still pending is void (another agent took it, it
	 * left its queue or ended): stop ringing, take the chat back. */
	void (*withdraw)(struct interaction *ia, void *arg);
	/* The offer to agent was not taken within the queue's ring timeout:
	 * stop offering it there (the service tells the engine of the miss,
	 * which offers it to the next agent). */
	void (*retract)(struct interaction *ia, const char *agent, void *arg);
	/* agent accepted ia: connect them (bridge the media, open the chat).
	 * An error ends the interaction. */
	int (*connect)(struct interaction *ia, const char *agent, void *arg);
	/* A queue rule sends ia to a target that is not a queue
	 * ("extension:1001", "flow:survey", "callback"): ENOTSUP when the
	 * channel cannot go there (the interaction is then closed). */
	int (*divert)(struct interaction *ia, const char *target, void *arg);
	/* The service ends ia (a queue rule without a target, an error):
	 * hang up, close the chat; the adapter calls interaction_end. */
	void (*close)(struct interaction *ia, const char *reason, void *arg);
	/* May agent be offered one more interaction of this channel now (a
	 * phone registered for voice, the desktop open for chat)? NULL:
	 * always. */
	bool (*reachable)(const char *agent, void *arg);
	/* Does the adapter hold an interaction of agent (handling it, or
	 * offering it)? The periodic repair frees an agent the engine counts
	 * as busy without one. NULL: no repair for the channel. */
	bool (*holds)(const char *agent, void *arg);
};

/* --- the service ---------------------------------------------------------- */

/*
 * The service over acd (it takes the engine's handlers), feeding figures
 * from stats (may be NULL), storing rows in st (may be NULL: nothing
 * stored) and asking the tenant's external CRM, if any. It runs the
 * engine's clock on a 100 ms timer of its own.
 */
int interaction_svc_alloc(struct interaction_svc **sp, struct acd *acd,
			  struct acd_stats *stats, struct store *st,
			  const struct cfg_tenant *tenant);
/* The clock the service reads (NULL: clock_now_ms); a test's own clock
 * also stops the service's timer: the test calls interaction_tick. */
void interaction_svc_clock(struct interaction_svc *s, uint64_t (*now)(void));
/* A channel's adapter; ops NULL takes it away. */
void interaction_ops_set(struct interaction_svc *s, enum acd_channel ch,
			 const struct interaction_ops *ops, void *arg);
/* The tenant applied live: queue rules and CRM tiers from t. */
void interaction_svc_tenant_set(struct interaction_svc *s, const struct cfg_tenant *t);
const struct cfg_tenant *interaction_svc_tenant(const struct interaction_svc *s);
struct acd *interaction_svc_acd(const struct interaction_svc *s);
struct acd_stats *interaction_svc_stats(const struct interaction_svc *s);
struct store *interaction_svc_store(const struct interaction_svc *s);
/* agent may be reachable on a channel now (its desktop opened, its
 * phone registered): the interactions waiting in its queues are looked
 * at again, and offered if they can be. */
void interaction_agent_reachable(struct interaction_svc *s, const char *agent);
/* Makes every offer that can be made now (not while shutting down). */
void interaction_route(struct interaction_svc *s);
/* The engine's clock: max wait, wrap-ups, tiers, a new day, the periodic
 * check of the engine and repair of agents stuck busy. The service's
 * timer calls it; tests call it with their own clock. */
void interaction_tick(struct interaction_svc *s, uint64_t now);
/* No more routing: the process is shutting down. */
void interaction_svc_closing(struct interaction_svc *s);

/* Live interactions of customer (a customer with one is not forgotten). */
size_t interaction_customer_count(const struct interaction_svc *s, const char *customer);
/* Customer from was merged into into (named name): live interactions of
 * from are into's from now on, and stored so. */
void interaction_customer_merged(struct interaction_svc *s, const char *from,
				 const char *into, const char *name);
/* The live interaction with this id, NULL: none. */
struct interaction *interaction_find(const struct interaction_svc *s, const char *id);

/* --- one interaction -------------------------------------------------------- */

/* A new interaction of channel ch held by obj (a mem object the adapter
 * owns, embedding ia): a fresh id, created now, outcome "active", in the
 * service's live list until interaction_end. */
void interaction_init(struct interaction *ia, struct interaction_svc *s, void *obj,
		      enum acd_channel ch, enum interaction_direction dir);
/* Leaves the live list (the adapter's object is being freed). */
void interaction_fini(struct interaction *ia);
const char *interaction_channel_name(enum acd_channel ch);
int interaction_channel_parse(enum acd_channel *chp, const char *name);
const char *interaction_state_name(enum interaction_state st);

/* Stores the row (queued write); nothing for a quiet one. */
void interaction_save(struct interaction *ia);
/* An event about ia, its call and queue filled in; fmt and what follows
 * make its data as event_emit_pack does (NULL: none). Nothing for a quiet
 * one. */
void interaction_event(struct interaction *ia, enum event_type type, const char *agent,
		       const char *fmt, ...);

/*
 * Who it is: the customer who has identity (a phone number, or an
 * e-mail address: one with an @) among the CRM's identities, whose tier
 * raises the priority in every queue ia enters and whose name the agent
 * sees; every channel calls this with what it knows of the customer, and
 * a match sets the stored row's customer. A phone number that is not ours
 * is asked of the external CRM, whose answer comes later (in time for the
 * queues while ia is not queued yet).
 */
void interaction_customer(struct interaction *ia, const char *identity);

/*
 * ia waits in queue with priority (the tier's is added). The engine may
 * refuse it at once by a rule (full, nobody logged in): then the rule's
 * target was followed, or ia was closed, before this returns. 0, or
 * ESRCH for a queue the engine does not have (ia is closed).
 */
int interaction_enqueue(struct interaction *ia, const char *queue, int priority);
/* ia leaves its queue without an answer (moved elsewhere, or the
 * customer left: abandoned true tells of it as queue.abandoned). */
void interaction_unqueue(struct interaction *ia, bool abandoned);
/* 1-based place in its queue, 0 when not waiting. */
size_t interaction_position(const struct interaction *ia);
/* Its expected wait (ms; 0 when not waiting or nobody is staffed): the
 * place times the queue's handling time (3 min until it has one), shared
 * among the staffed agents, as a caller's announcement and a chat's
 * visitor are told it. */
uint64_t interaction_ewt_ms(const struct interaction *ia, uint64_t now);

/* agent did not take the offer (code: the channel's reason, e.g. a SIP
 * status; 0 none): agent.noanswer, and ia waits for the next agent. */
void interaction_missed(struct interaction *ia, const char *agent, int code,
			uint64_t rang_at);
/*
 * agent took ia (rang_at: when the offer was made): it leaves its queue,
 * the other offers are withdrawn, the agent handles it
 * (queue.answered) and the adapter's connect runs. 0, or the connect's
 * error (ia has been closed).
 */
int interaction_accept(struct interaction *ia, const char *agent, uint64_t rang_at);
/* The agent hands ia on (a transfer to kind "blind" or "attended"): its
 * handling ends here (queue.transferred), after-call work per its
 * queue; ia has no agent until the next accept. */
void interaction_release(struct interaction *ia, const char *to, const char *kind);

/*
 * ia ends (side: "caller", "agent", "system"; cause: the channel's code
 * or 0; reason: a few words). The adapter has set row.outcome. The
 * customer leaving a queue is queue.abandoned; an agent's handling is
 * queue.completed, then its wrap-up per the queue; pending offers are
 * withdrawn; the row is stored; "<name>.ended" is told. Routing is the
 * caller's (interaction_route), once its own objects are in order.
 */
void interaction_end(struct interaction *ia, const char *side, int cause,
		     const char *reason);

#endif
