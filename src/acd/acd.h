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
int acd_pick(struct acd *a, const char *queue, acd_usable_h *usable, void *arg,
	     const char **extp);
/* The agent is ringing or talking: not idle. */
void acd_agent_busy(struct acd *a, const char *ext);
/* The agent is idle again since now (UTC ms). */
void acd_agent_idle(struct acd *a, const char *ext, uint64_t now);
bool acd_agent_is_idle(const struct acd *a, const char *ext);

#endif
