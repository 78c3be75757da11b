/*
 * acd.c — longest-idle routing over the tenant's queues. Owns each
 * agent's idle/busy flag and idle-since time; knows nothing of SIP.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "core/core.h"
#include "acd/acd.h"

struct acd_agent {
	const char *ext;
	bool busy;
	uint64_t idle_since;
	enum agent_presence presence;
	char reason[32];
	uint64_t since;
	uint64_t wrapup_until;
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
	for (size_t i = 0; i < a->agentc; i++) {
		a->agentv[i].ext = tenant->agentv[i].ext;
		a->agentv[i].presence = AGENT_AVAILABLE;
	}
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

int acd_pick(struct acd *a, const char *queue, uint64_t now, acd_usable_h *usable,
	     void *arg, const char **extp)
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

		if (!ag || ag->busy || ag->presence != AGENT_AVAILABLE ||
		    ag->wrapup_until > now)
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

static const char *const presence_names[] = {"logged_out", "available", "paused"};

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

static bool reason_known(const struct cfg_tenant *t, const char *reason)
{
	for (size_t i = 0; i < t->pause_reasonc; i++) {
		if (!strcmp(t->pause_reasons[i], reason))
			return true;
	}
	return false;
}

int acd_agent_set(struct acd *a, const char *ext, enum agent_presence p,
		  const char *reason, uint64_t now)
{
	struct acd_agent *ag = a && ext ? agent_find(a, ext) : NULL;
	char data[96];

	if (!ag)
		return ENOENT;
	if (p == AGENT_PAUSED) {
		if (ag->presence == AGENT_LOGGED_OUT)
			return EALREADY;
		if (!reason || !*reason)
			reason = a->tenant->pause_reasonc ? a->tenant->pause_reasons[0]
							  : "break";
		else if (!reason_known(a->tenant, reason))
			return EINVAL;
	} else {
		reason = "";
	}
	if (ag->presence == p && !strcmp(ag->reason, reason))
		return 0; /* nothing changes: no event */
	ag->presence = p;
	snprintf(ag->reason, sizeof(ag->reason), "%s", reason);
	ag->since = now;
	if (p == AGENT_AVAILABLE && !ag->busy)
		ag->idle_since = now;
	snprintf(data, sizeof(data), "{\"state\":\"%s\",\"reason\":\"%s\"}",
		 acd_presence_name(p), ag->reason);
	event_emitf("agent.state", NULL, ag->ext, NULL, "%s", data);
	log_info("acd: agent=%s state=%s%s%s", ag->ext, acd_presence_name(p),
		 *ag->reason ? " reason=" : "", ag->reason);
	return 0;
}

void acd_agent_wrapup(struct acd *a, const char *ext, uint64_t now, uint64_t until)
{
	struct acd_agent *ag = a && ext ? agent_find(a, ext) : NULL;

	if (!ag || until <= now)
		return;
	ag->wrapup_until = until;
	ag->idle_since = until;
	event_emitf("agent.state", NULL, ag->ext, NULL,
		    "{\"state\":\"wrapup\",\"ms\":%llu}",
		    (unsigned long long)(until - now));
}

void acd_sweep(struct acd *a, uint64_t now)
{
	for (size_t i = 0; a && i < a->agentc; i++) {
		struct acd_agent *ag = &a->agentv[i];

		if (!ag->wrapup_until || ag->wrapup_until > now)
			continue;
		ag->wrapup_until = 0;
		event_emitf("agent.state", NULL, ag->ext, NULL,
			    "{\"state\":\"%s\",\"reason\":\"%s\"}",
			    acd_presence_name(ag->presence), ag->reason);
	}
}

static void info_fill(const struct acd_agent *ag, struct acd_agent_info *info)
{
	info->ext = ag->ext;
	info->presence = ag->presence;
	info->reason = ag->reason;
	info->busy = ag->busy;
	info->since = ag->since;
	info->wrapup_until = ag->wrapup_until;
}

int acd_agent_info(const struct acd *a, const char *ext, struct acd_agent_info *info)
{
	struct acd_agent *ag = a && ext ? agent_find(a, ext) : NULL;

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
	info_fill(&a->agentv[i], info);
	return 0;
}
