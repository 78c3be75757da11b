/*
 * acd_load.c — builds the engine's queues, agents and memberships from
 * a validated tenant file. The only part of src/acd that knows cfg.h.
 */
#include <stdio.h>
#include <string.h>
#include "core/cfg.h"
#include "core/core.h"
#include "acd/acd_int.h"

static void skills_copy(struct acd_skill *dst, const struct cfg_skill *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		util_copy(dst[i].name, sizeof(dst[i].name), src[i].name);
		dst[i].level = src[i].level;
	}
}

/* The engine's settings of a tenant queue; EINVAL for a strategy the
 * engine lacks. */
static int queue_conf(struct acd_queue_conf *qc, const struct cfg_queue *cq)
{
	memset(qc, 0, sizeof(*qc));
	util_copy(qc->name, sizeof(qc->name), cq->name);
	if (acd_strategy_parse(&qc->strategy, cq->strategy)) {
		log_error("acd: queue=%s strategy=%s is not a strategy", cq->name,
			  cq->strategy);
		return EINVAL;
	}
	qc->channel = (enum acd_channel)cq->channel;
	qc->priority = cq->priority;
	qc->tier_wait_ms = cq->tier_wait_ms;
	qc->max_wait_ms = cq->max_wait_ms;
	qc->max_len = cq->max_len;
	qc->join_empty = cq->join_empty;
	qc->wrapup_ms = cq->wrapup_ms;
	qc->auto_pause = cq->auto_pause;
	qc->retry_ms = cq->retry_ms;
	qc->exit_key = cq->exit_key;
	qc->skillc = cq->skillc < ACD_MAX_SKILLS ? cq->skillc : ACD_MAX_SKILLS;
	skills_copy(qc->skills, cq->skills, qc->skillc);
	return 0;
}

static int queue_load(struct acd *a, const struct cfg_queue *cq)
{
	struct acd_queue_conf qc;
	int err = queue_conf(&qc, cq);

	if (!err)
		err = acd_queue_add(a, &qc);
	if (err)
		log_error("acd: cannot add queue=%s: %s", cq->name, strerror(err));
	return err;
}

/* An agent's skills and capacities as the engine takes them. */
static size_t agent_conf(const struct cfg_agent *ca, struct acd_skill *skills,
			 uint32_t cap[ACD_CHANNELS])
{
	size_t n = ca->skillc < ACD_MAX_SKILLS ? ca->skillc : ACD_MAX_SKILLS;

	skills_copy(skills, ca->skills, n);
	for (int ch = 0; ch < ACD_CHANNELS; ch++)
		cap[ch] = ca->capacity[ch];
	return n;
}

/* Does the tenant make ca a member of cq (at which tier and weight)? A
 * queue with skills and no list is served by every agent who has them. */
static bool member_wanted(const struct cfg_queue *cq, const struct cfg_agent *ca,
			  unsigned *tier, unsigned *weight)
{
	*tier = 0;
	*weight = 1;
	for (size_t j = 0; j < cq->memberc; j++) {
		if (!strcmp(cq->members[j].ext, ca->ext)) {
			*tier = cq->members[j].tier;
			*weight = cq->members[j].weight;
			return true;
		}
	}
	if (cq->memberc || !cq->skillc)
		return false;
	for (size_t i = 0; i < cq->skillc; i++) {
		size_t k = 0;

		while (k < ca->skillc && strcmp(ca->skills[k].name, cq->skills[i].name))
			k++;
		if (k == ca->skillc || ca->skills[k].level < cq->skills[i].level)
			return false;
	}
	return true;
}

static void tell(void (*later)(const char *, void *), void *arg, const char *fmt,
		 const char *name)
{
	char what[160];

	snprintf(what, sizeof(what), fmt, name);
	log_info("acd: %s", what);
	if (later)
		later(what, arg);
}

/* The memberships of one queue as the tenant has them: new ones made,
 * changed ones changed, dropped ones removed. */
/* The agent the tenant lists k-th for cq (in the list's order, which
 * linear hunts in; every agent for a queue without a list); NULL when
 * that one does not serve it. */
static const struct cfg_agent *wanted_at(const struct cfg_tenant *t,
					 const struct cfg_queue *cq, size_t k,
					 unsigned *tier, unsigned *weight)
{
	const struct cfg_agent *ca =
	    cq->memberc ? cfg_agent_find(t, cq->members[k].ext) : &t->agentv[k];

	return ca && member_wanted(cq, ca, tier, weight) ? ca : NULL;
}

/* The memberships of one queue as the tenant has them: dropped ones
 * removed, changed ones changed, new ones made. When the members who stay
 * are in another order than the list's, all are made again in its order. */
static int members_apply(struct acd *a, const struct cfg_tenant *t,
			 const struct cfg_queue *cq, uint64_t now)
{
	size_t n = cq->memberc ? cq->memberc : t->agentc, pos = 0;
	unsigned tier, weight, ht, hw;
	bool in_order = true, fresh = false;
	int err = 0;

	for (size_t k = acd_queue_member_count(a, cq->name); k-- > 0 && !err;) {
		const char *ext = acd_queue_member_at(a, cq->name, k);
		const struct cfg_agent *ca = cfg_agent_find(t, ext);

		if (!ca || !member_wanted(cq, ca, &tier, &weight))
			err = acd_member_remove(a, cq->name, ext, now);
	}
	/* the members who stay, then the new ones: is that the list's order? */
	for (size_t k = 0; k < n && in_order; k++) {
		const struct cfg_agent *ca = wanted_at(t, cq, k, &tier, &weight);

		if (!ca)
			continue;
		if (!acd_member_is(a, cq->name, ca->ext, NULL, NULL))
			fresh = true;
		else
			in_order =
			    !fresh &&
			    !strcmp(acd_queue_member_at(a, cq->name, pos++), ca->ext);
	}
	for (size_t k = acd_queue_member_count(a, cq->name);
	     !in_order && k-- > 0 && !err;)
		err = acd_member_remove(a, cq->name, acd_queue_member_at(a, cq->name, k),
					now);
	for (size_t k = 0; k < n && !err; k++) {
		const struct cfg_agent *ca = wanted_at(t, cq, k, &tier, &weight);

		if (!ca)
			continue;
		if (!acd_member_is(a, cq->name, ca->ext, &ht, &hw))
			err = acd_member_add(a, cq->name, ca->ext, tier, weight);
		else if (ht != tier || hw != weight)
			err = acd_member_set(a, cq->name, ca->ext, tier, weight);
		if (err)
			log_error("acd: queue=%s member=%s: %s", cq->name, ca->ext,
				  strerror(err));
	}
	return err;
}

int acd_apply_tenant(struct acd *a, const struct cfg_tenant *t, uint64_t now,
		     void (*later)(const char *what, void *arg), void *arg)
{
	struct acd_agent_info ai;
	struct acd_queue_info qi;
	int err = 0;

	if (!a || !t)
		return EINVAL;
	for (size_t i = 0; i < t->agentc && !err; i++) {
		struct acd_skill skills[ACD_MAX_SKILLS];
		uint32_t cap[ACD_CHANNELS];
		size_t n = agent_conf(&t->agentv[i], skills, cap);

		err = acd_agent_update(a, t->agentv[i].ext, skills, n, cap, now);
		if (err == ENOENT)
			err = acd_agent_add(a, t->agentv[i].ext, skills, n, cap);
	}
	for (size_t i = 0; i < acd_agent_count(a); i++) {
		if (!acd_agent_at(a, i, &ai) && !cfg_agent_find(t, ai.ext))
			tell(later, arg,
			     "agent %s is no longer in the file: it serves no queue "
			     "and is gone at the next start",
			     ai.ext);
	}
	for (size_t i = 0; i < t->queuec && !err; i++) {
		const struct cfg_queue *cq = &t->queuev[i];
		struct acd_queue_conf qc;

		if (acd_queue_info(a, cq->name, &qi)) {
			err = queue_load(a, cq);
			continue;
		}
		err = queue_conf(&qc, cq);
		if (!err && qc.channel != qi.channel) {
			tell(later, arg, "queue %s changes its channel at the next start",
			     cq->name);
			qc.channel = qi.channel;
		}
		if (!err)
			err = acd_queue_update(a, &qc, now);
	}
	for (size_t i = 0; i < t->queuec && !err; i++)
		err = members_apply(a, t, &t->queuev[i], now);
	for (size_t i = 0; i < acd_queue_count(a); i++) {
		if (!acd_queue_at(a, i, &qi) && !cfg_queue_find(t, qi.name))
			tell(later, arg,
			     "queue %s is no longer in the file: its callers stay "
			     "until they are served, and it is gone at the next start",
			     qi.name);
	}
	if (!err)
		err = acd_reasons_set(a, (const char(*)[32])t->pause_reasons,
				      t->pause_reasonc);
	return err;
}

int acd_load_tenant(struct acd *a, const struct cfg_tenant *t)
{
	return acd_apply_tenant(a, t, 0, NULL, NULL);
}
