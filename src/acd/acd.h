/*
 * acd.h — the routing interface: which agent gets which waiting
 * interaction. For now one strategy (longest idle); the full ACD (skills,
 * tiers, priorities, every strategy, live statistics) fills this same
 * interface.
 */
#ifndef HOTLINE_ACD_H
#define HOTLINE_ACD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acd;
struct cfg_tenant;

/* Tells whether an agent can be offered this interaction right now (the
 * phone is registered, it was not tried already, ...). */
typedef bool(acd_usable_h)(const char *ext, void *arg);

int acd_alloc(struct acd **ap, const struct cfg_tenant *tenant);
/*
 * Picks the agent for an interaction waiting in queue: among the
 * queue's members who are idle and usable, the one idle longest.
 * Writes a pointer to its extension (valid while the tenant lives).
 * ENOENT: no member can take it now. ESRCH: no such queue.
 */
int acd_pick(struct acd *a, const char *queue, uint64_t now, acd_usable_h *usable,
	     void *arg, const char **extp);
/* The agent is ringing or talking: not idle. */
void acd_agent_busy(struct acd *a, const char *ext);
/* The agent is idle again since now (UTC ms). */
void acd_agent_idle(struct acd *a, const char *ext, uint64_t now);
bool acd_agent_is_idle(const struct acd *a, const char *ext);
/* After-call work: the agent is not offered anything before `until`
 * (UTC ms); idle time counts from then. */
void acd_agent_wrapup(struct acd *a, const char *ext, uint64_t now, uint64_t until);
/* Ends the wrap-ups that are over at now (an agent.state event each). */
void acd_sweep(struct acd *a, uint64_t now);

/*
 * Agent presence, as the agent sets it (phone feature codes, API): logged
 * out, available, or paused with a reason code. Ringing and busy come
 * from calls (acd_agent_busy/idle). Agents start logged in (static queue
 * members), as in Asterisk.
 */
enum agent_presence { AGENT_LOGGED_OUT = 0, AGENT_AVAILABLE, AGENT_PAUSED };

/* ENOENT: no such agent; EINVAL: a reason code the tenant does not list;
 * EALREADY: pausing (or resuming) a logged-out agent makes no sense. */
int acd_agent_set(struct acd *a, const char *ext, enum agent_presence p,
		  const char *reason, uint64_t now);
struct acd_agent_info {
	const char *ext;
	enum agent_presence presence;
	const char *reason;    /* paused: the reason code */
	bool busy;	       /* ringing or on a call */
	uint64_t since;	       /* UTC ms of the last presence change */
	uint64_t wrapup_until; /* in after-call work until then (UTC ms) */
};
int acd_agent_info(const struct acd *a, const char *ext, struct acd_agent_info *info);
size_t acd_agent_count(const struct acd *a);
/* The i-th agent of the tenant (0 <= i < count). */
int acd_agent_at(const struct acd *a, size_t i, struct acd_agent_info *info);
const char *acd_presence_name(enum agent_presence p);
int acd_presence_parse(enum agent_presence *pp, const char *name);

#endif
