/*
 * fuzz_acd.c — the routing engine driven by any sequence of operations
 * (a tenant applied live among them: members out, in and moved, a queue's
 * strategy, an agent's capacity):
 * the input bytes choose what happens next (a caller arrives, an offer is
 * answered or missed, a caller hangs up, an agent finishes, pauses, logs
 * out, presses a key, time passes) over 4 queues of three channels (voice,
 * chat, mail) with different rules and 6 agents who take several
 * channels at once. After every step every invariant must hold
 * (acd_check), and the engine counts at least the interactions the agent
 * handles on each channel; at the end, once everyone has hung up and
 * finished, no agent may be left ringing, busy or in wrap-up on any
 * channel.
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "acd/acd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCALLS	64
#define NAGENTS 6
#define NQUEUES 4

struct fcall {
	struct acd_item *it;
	char agent[8];
	bool offered;
	int q; /* the queue it waits in */
};

struct fsim {
	struct fcall calls[NCALLS];
	int talking[NAGENTS][ACD_CHANNELS];
};

static const char *const agents[NAGENTS] = {"a0", "a1", "a2", "a3", "a4", "a5"};
static const char *const queues[NQUEUES] = {"q0", "q1", "q2", "q3"};
static const enum acd_channel qchannel[NQUEUES] = {ACD_VOICE, ACD_VOICE, ACD_CHAT,
						   ACD_MAIL};

static void on_offer(struct acd_item *it, const char *agent, void *arg)
{
	struct fcall *c = acd_item_arg(it);
	(void)arg;
	util_copy(c->agent, sizeof(c->agent), agent);
	c->offered = true;
}

static void on_exited(void *item_arg, const char *queue, enum acd_exit why, void *arg)
{
	struct fcall *c = item_arg;
	(void)queue;
	(void)why;
	(void)arg;
	c->it = NULL;
	c->offered = false;
}

static int agent_index(const char *ext)
{
	for (int i = 0; i < NAGENTS; i++) {
		if (!strcmp(agents[i], ext))
			return i;
	}
	return 0;
}

static struct acd *setup(struct fsim *fs)
{
	static const enum acd_strategy strat[NQUEUES] = {
	    ACD_RING_ALL, ACD_SKILLS, ACD_ROUND_ROBIN, ACD_LONGEST_IDLE};
	struct acd_handlers h = {on_offer, on_exited, NULL, NULL, fs};
	struct acd_skill sk[1] = {{"x", 5}};
	uint32_t cap[ACD_CHANNELS] = {1, 2, 3, 0};
	struct acd *a = NULL;

	if (acd_alloc(&a, &h))
		return NULL;
	for (int q = 0; q < NQUEUES; q++) {
		struct acd_queue_conf qc;
		memset(&qc, 0, sizeof(qc));
		util_copy(qc.name, sizeof(qc.name), queues[q]);
		qc.strategy = strat[q];
		qc.channel = qchannel[q];
		qc.priority = q;
		qc.join_empty = q != 1;
		qc.max_wait_ms = q == 0 ? 20000 : 0;
		qc.max_len = q == 1 ? 4 : 0;
		qc.tier_wait_ms = 5000;
		qc.wrapup_ms = (uint32_t)q * 1000;
		qc.auto_pause = q == 0 ? 2 : 0;
		qc.exit_key = q == 0 ? '0' : '\0';
		if (acd_queue_add(a, &qc))
			goto fail;
	}
	for (int i = 0; i < NAGENTS; i++) {
		if (acd_agent_add(a, agents[i], sk, 1, cap))
			goto fail;
		for (int q = 0; q < NQUEUES; q++) {
			if ((i + q) % 2 == 0 || q == 1 || q == 3)
				(void)acd_member_add(a, queues[q], agents[i],
						     (unsigned)(i % 3), 1);
		}
	}
	return a;
fail:
	mem_deref(a);
	return NULL;
}

/* A tenant applied live: a member out, in or moved to another tier, a
 * queue's strategy, an agent's capacity. */
static void live_change(struct acd *a, uint8_t arg, uint64_t now)
{
	const char *q = queues[arg % NQUEUES], *ag = agents[(arg >> 2) % NAGENTS];
	struct acd_queue_info qi;
	struct acd_queue_conf qc;
	uint32_t cap[ACD_CHANNELS] = {(arg >> 5) % 3, 1 + (arg >> 6) % 2, 3, 0};
	struct acd_skill sk[1] = {{"x", 5}};

	switch ((arg >> 6) % 4) {
	case 0:
		(void)acd_member_remove(a, q, ag, now);
		break;
	case 1:
		if (acd_member_add(a, q, ag, (arg >> 4) % 3, 1) == EEXIST)
			(void)acd_member_set(a, q, ag, (arg >> 4) % 3, 1 + arg % 4);
		break;
	case 2:
		if (!acd_queue_info(a, q, &qi)) {
			qc = *qi.conf;
			qc.strategy = (enum acd_strategy)((arg >> 2) % 8);
			qc.priority = (arg >> 5) % 4;
			(void)acd_queue_update(a, &qc, now);
		}
		break;
	default:
		(void)acd_agent_update(a, ag, sk, 1, cap, now);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct fsim fs;
	struct acd *a;
	uint64_t now = 1000;

	if (!init) {
		libre_init();
		log_set_level(LOG_ERROR);
		init = true;
	}
	memset(&fs, 0, sizeof(fs));
	a = setup(&fs);
	if (!a)
		return 0;
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i] % 11, arg = data[i + 1];
		struct fcall *c = &fs.calls[arg % NCALLS];
		int ag = arg % NAGENTS;

		switch (op) {
		case 0: /* a caller arrives */
			if (!c->it) {
				c->q = (arg >> 1) % NQUEUES;
				(void)acd_enqueue(a, queues[c->q], arg & 0x80 ? 10 : 0,
						  now, c, &c->it);
			}
			break;
		case 1: /* the offered agent answers */
			if (c->it && c->offered && !acd_answer(a, c->it, c->agent, now)) {
				fs.talking[agent_index(c->agent)][qchannel[c->q]]++;
				c->it = NULL;
				c->offered = false;
			}
			break;
		case 2: /* it misses */
			if (c->it && c->offered) {
				(void)acd_miss(a, c->it, c->agent, now);
				c->offered = false;
			}
			break;
		case 3: /* the caller hangs up */
			if (c->it) {
				acd_remove(a, c->it, now);
				c->it = NULL;
				c->offered = false;
			}
			break;
		case 4: /* an agent finishes on one of its channels, after
			 * work per some queue (of that channel or not) */
			for (int k = 0; k < 3; k++) {
				int ch = ((arg >> 3) + k) % 3;

				if (!fs.talking[ag][ch])
					continue;
				fs.talking[ag][ch]--;
				acd_done(a, agents[ag], (enum acd_channel)ch,
					 queues[(arg >> 5) % NQUEUES], now);
				break;
			}
			break;
		case 5:
			(void)acd_agent_set(a, agents[ag],
					    (enum agent_presence)((arg >> 3) % 3), NULL,
					    now);
			break;
		case 6:
			if (c->it &&
			    acd_key(a, c->it, (char)('0' + (arg >> 4) % 3), now)) {
				c->it = NULL;
				c->offered = false;
			}
			break;
		case 7:
			if (c->it)
				acd_item_hold(a, c->it, now > 500 ? now - 500 : 0);
			break;
		case 8: /* the tenant changes while it all goes on */
			live_change(a, arg, now);
			break;
		default: /* time passes */
			now += (uint64_t)arg * 100;
			acd_tick(a, now);
			break;
		}
		acd_route(a, now);
		if (acd_check(a))
			abort();
		/* the engine counts every interaction an agent handles, on
		 * its own channel */
		for (int k = 0; k < NAGENTS; k++) {
			struct acd_agent_info in;

			if (acd_agent_info(a, agents[k], &in))
				abort();
			for (int ch = 0; ch < ACD_CHANNELS; ch++) {
				if (in.load[ch] < (uint32_t)fs.talking[k][ch])
					abort();
				if (in.states[ch] == AGENT_ST_BUSY &&
				    in.load[ch] < in.cap[ch])
					abort();
			}
		}
	}
	/* everyone hangs up and finishes: nothing stays reserved */
	for (int i = 0; i < NCALLS; i++) {
		if (fs.calls[i].it)
			acd_remove(a, fs.calls[i].it, now);
	}
	for (int i = 0; i < NAGENTS; i++) {
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			while (fs.talking[i][ch]-- > 0)
				acd_done(a, agents[i], (enum acd_channel)ch, NULL, now);
		}
	}
	acd_tick(a, now + 100000);
	if (acd_check(a))
		abort();
	for (size_t i = 0; i < acd_agent_count(a); i++) {
		struct acd_agent_info in;
		if (acd_agent_at(a, i, &in) || in.state == AGENT_ST_RINGING ||
		    in.state == AGENT_ST_WRAPUP || in.state == AGENT_ST_BUSY)
			abort();
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			if (in.states[ch] == AGENT_ST_RINGING ||
			    in.states[ch] == AGENT_ST_BUSY ||
			    in.states[ch] == AGENT_ST_WRAPUP)
				abort();
		}
	}
	mem_deref(a);
	return 0;
}
