/*
 * acd_load.c — builds the engine's queues, agents and memberships from
 * a validated tenant file. The only part of src/acd that knows cfg.h.
 */
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

static int queue_load(struct acd *a, const struct cfg_queue *cq)
{
	struct acd_queue_conf qc;
	int err;

	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), cq->name);
	if (acd_strategy_parse(&qc.strategy, cq->strategy)) {
		log_error("acd: queue=%s strategy=%s is not a strategy", cq->name,
			  cq->strategy);
		return EINVAL;
	}
	qc.channel = (enum acd_channel)cq->channel;
	qc.priority = cq->priority;
	qc.tier_wait_ms = cq->tier_wait_ms;
	qc.max_wait_ms = cq->max_wait_ms;
	qc.max_len = cq->max_len;
	qc.join_empty = cq->join_empty;
	qc.wrapup_ms = cq->wrapup_ms;
	qc.auto_pause = cq->auto_pause;
	qc.exit_key = cq->exit_key;
	qc.skillc = cq->skillc < ACD_MAX_SKILLS ? cq->skillc : ACD_MAX_SKILLS;
	skills_copy(qc.skills, cq->skills, qc.skillc);
	err = acd_queue_add(a, &qc);
	if (err)
		log_error("acd: cannot add queue=%s: %s", cq->name, strerror(err));
	return err;
}

int acd_load_tenant(struct acd *a, const struct cfg_tenant *t)
{
	int err = 0;

	if (!a || !t)
		return EINVAL;
	for (size_t i = 0; i < t->agentc && !err; i++) {
		const struct cfg_agent *ca = &t->agentv[i];
		struct acd_skill skills[ACD_MAX_SKILLS];
		uint32_t cap[ACD_CHANNELS];
		size_t n = ca->skillc < ACD_MAX_SKILLS ? ca->skillc : ACD_MAX_SKILLS;

		skills_copy(skills, ca->skills, n);
		for (int ch = 0; ch < ACD_CHANNELS; ch++)
			cap[ch] = ca->capacity[ch];
		err = acd_agent_add(a, ca->ext, skills, n, cap);
	}
	for (size_t i = 0; i < t->queuec && !err; i++)
		err = queue_load(a, &t->queuev[i]);
	for (size_t i = 0; i < t->queuec && !err; i++) {
		const struct cfg_queue *cq = &t->queuev[i];

		for (size_t j = 0; j < cq->memberc && !err; j++) {
			err = acd_member_add(a, cq->name, cq->members[j].ext,
					     cq->members[j].tier, cq->members[j].weight);
			if (err)
				log_error("acd: queue=%s member=%s: %s", cq->name,
					  cq->members[j].ext, strerror(err));
		}
		/* skills and no list: every agent who has them serves */
		if (!cq->memberc && cq->skillc) {
			for (size_t k = 0; k < t->agentc && !err; k++) {
				err = acd_member_add(a, cq->name, t->agentv[k].ext, 0, 1);
				if (err == EPERM)
					err = 0;
			}
		}
	}
	if (!err)
		err = acd_reasons_set(a, (const char(*)[32])t->pause_reasons,
				      t->pause_reasonc);
	return err;
}
