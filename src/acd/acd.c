/*
 * acd.c — longest-idle routing over the tenant's queues. Owns each
 * agent's idle/busy flag and idle-since time; knows nothing of SIP.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "acd/acd.h"

struct acd_agent {
	const char *ext;
	bool busy;
	uint64_t idle_since;
};

struct acd {
	const struct cfg_tenant *tenant;
	struct acd_agent *agentv;
	size_t agentc;
};

static void acd_destructor(void *arg)
{
	struct acd *a = arg;
	mem_deref(a->agentv);
}

int acd_alloc(struct acd **ap, const struct cfg_tenant *tenant)
{
	struct acd *a;

	if (!ap || !tenant)
		return EINVAL;
	a = mem_zalloc(sizeof(*a), acd_destructor);
	if (!a)
		return ENOMEM;
	a->tenant = tenant;
	a->agentc = tenant->agentc;
	if (a->agentc) {
		a->agentv = mem_zalloc(a->agentc * sizeof(*a->agentv), NULL);
		if (!a->agentv) {
			mem_deref(a);
			return ENOMEM;
		}
	}
	for (size_t i = 0; i < a->agentc; i++)
		a->agentv[i].ext = tenant->agentv[i].ext;
	*ap = a;
	return 0;
}

static struct acd_agent *agent_find(const struct acd *a, const char *ext)
{
	for (size_t i = 0; i < a->agentc; i++) {
		if (!strcmp(a->agentv[i].ext, ext))
			return &a->agentv[i];
	}
	return NULL;
}

int acd_pick(struct acd *a, const char *queue, acd_usable_h *usable, void *arg,
	     const char **extp)
{
	const struct cfg_queue *q;
	struct acd_agent *best = NULL;

	if (!a || !queue || !extp)
		return EINVAL;
	q = cfg_queue_find(a->tenant, queue);
	if (!q)
		return ESRCH;
	for (size_t i = 0; i < q->memberc; i++) {
		struct acd_agent *ag = agent_find(a, q->members[i]);

		if (!ag || ag->busy)
			continue;
		if (usable && !usable(ag->ext, arg))
			continue;
		if (!best || ag->idle_since < best->idle_since)
			best = ag;
	}
	if (!best)
		return ENOENT;
	*extp = best->ext;
	return 0;
}

void acd_agent_busy(struct acd *a, const char *ext)
{
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	if (ag)
		ag->busy = true;
}

void acd_agent_idle(struct acd *a, const char *ext, uint64_t now)
{
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	if (ag) {
		ag->busy = false;
		ag->idle_since = now;
	}
}

bool acd_agent_is_idle(const struct acd *a, const char *ext)
{
	struct acd_agent *ag = a ? agent_find(a, ext) : NULL;
	return ag && !ag->busy;
}
