/*
 * test_acd.c — the routing engine on a virtual clock: every strategy,
 * skills and tiers, caller priority, agents in several queues, capacity
 * per channel, overflow and exit rules, ring-no-answer and auto-pause,
 * wrap-up, presence, loading a tenant, and a long random day with every
 * invariant checked after each step.
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "core/core.h"
#include "acd/acd.h"
#include "test.h"

#define MAX_CALLS 4096

struct call {
	int id;
	struct acd_item *it;
	char agent[16]; /* offered to (the last one) */
	int offers;
	int exited; /* 1 + enum acd_exit */
};

struct sim {
	struct acd *a;
	struct call calls[MAX_CALLS];
	int ncalls;
	char offers[64][16]; /* agents offered in the last route, in order */
	int noffers;
	int agent_events;
	char last_agent[16];
	enum agent_state last_state;
	char last_reason[32];
	const char *unusable; /* an agent the usable handler refuses */
};

static void on_offer(struct acd_item *it, const char *agent, void *arg)
{
	struct sim *s = arg;
	struct call *c = acd_item_arg(it);

	util_copy(c->agent, sizeof(c->agent), agent);
	c->offers++;
	if (s->noffers < 64)
		util_copy(s->offers[s->noffers++], 16, agent);
}

static void on_exited(void *item_arg, const char *queue, enum acd_exit why, void *arg)
{
	struct call *c = item_arg;
	(void)queue;
	(void)arg;
	c->exited = 1 + (int)why;
	c->it = NULL;
}

static void on_agent(const char *agent, enum agent_state st, const char *reason,
		     uint64_t now, void *arg)
{
	struct sim *s = arg;
	(void)now;
	s->agent_events++;
	util_copy(s->last_agent, sizeof(s->last_agent), agent);
	s->last_state = st;
	util_copy(s->last_reason, sizeof(s->last_reason), reason);
}

static bool on_usable(struct acd_item *it, const char *agent, void *arg)
{
	struct sim *s = arg;
	(void)it;
	return !s->unusable || strcmp(agent, s->unusable);
}

static struct sim *sim_new(void)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct acd_handlers h = {on_offer, on_exited, on_agent, on_usable, NULL};

	if (!s)
		return NULL;
	h.arg = s;
	if (acd_alloc(&s->a, &h)) {
		free(s);
		return NULL;
	}
	return s;
}

static void sim_free(struct sim *s)
{
	if (!s)
		return;
	mem_deref(s->a);
	free(s);
}

static int queue_add(struct sim *s, const char *name, enum acd_strategy st, int prio)
{
	struct acd_queue_conf qc;

	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), name);
	qc.strategy = st;
	qc.priority = prio;
	qc.join_empty = true;
	return acd_queue_add(s->a, &qc);
}

static int agent_add(struct sim *s, const char *ext)
{
	return acd_agent_add(s->a, ext, NULL, 0, NULL);
}

/* A new caller in queue at now; routes. Returns its index or -1. */
static int call_in(struct sim *s, const char *queue, int prio, uint64_t now)
{
	struct call *c;

	if (s->ncalls >= MAX_CALLS)
		return -1;
	c = &s->calls[s->ncalls];
	memset(c, 0, sizeof(*c));
	c->id = s->ncalls;
	if (acd_enqueue(s->a, queue, prio, now, c, &c->it))
		return -1;
	s->noffers = 0;
	acd_route(s->a, now);
	return s->ncalls++;
}

static void route(struct sim *s, uint64_t now)
{
	s->noffers = 0;
	acd_route(s->a, now);
}

static void tick(struct sim *s, uint64_t now)
{
	s->noffers = 0;
	acd_tick(s->a, now);
}

/* The agent answers its offer of call c, then talks. */
static int answer(struct sim *s, int c, uint64_t now)
{
	int err = acd_answer(s->a, s->calls[c].it, s->calls[c].agent, now);
	if (!err)
		s->calls[c].it = NULL;
	return err;
}

#define CHECKED(s) TEST_EQ(acd_check((s)->a), 0)

/* --- strategies ----------------------------------------------------------- */

static int test_longest_idle(void)
{
	struct sim *s = sim_new();
	int c, r = 1;

	TEST_ASSERT(s);
	if (queue_add(s, "q", ACD_LONGEST_IDLE, 0) || agent_add(s, "a") ||
	    agent_add(s, "b") || agent_add(s, "c"))
		goto out;
	acd_member_add(s->a, "q", "a", 0, 1);
	acd_member_add(s->a, "q", "b", 0, 1);
	acd_member_add(s->a, "q", "c", 0, 1);
	/* idle since: b 1000, c 2000, a 3000 */
	acd_busy(s->a, "a", ACD_VOICE, false, 0);
	acd_busy(s->a, "b", ACD_VOICE, false, 0);
	acd_busy(s->a, "c", ACD_VOICE, false, 0);
	acd_done(s->a, "b", ACD_VOICE, NULL, 1000);
	acd_done(s->a, "c", ACD_VOICE, NULL, 2000);
	acd_done(s->a, "a", ACD_VOICE, NULL, 3000);
	c = call_in(s, "q", 0, 4000);
	if (acd_check(s->a) || strcmp(s->calls[c].agent, "b"))
		goto out;
	/* an unusable agent (phone not registered) is passed over */
	s->unusable = "c";
	c = call_in(s, "q", 0, 4001);
	if (acd_check(s->a) || strcmp(s->calls[c].agent, "a"))
		goto out;
	r = 0;
out:
	sim_free(s);
	return r;
}

/* Offers n calls in a row in a queue where each agent answers and is
 * done at once; writes who got each. */
static int serve_n(struct sim *s, const char *queue, int n, uint64_t *now, char got[][16])
{
	for (int i = 0; i < n; i++) {
		int c = call_in(s, queue, 0, ++*now);
		if (c < 0 || !s->calls[c].offers)
			return 1;
		util_copy(got[i], 16, s->calls[c].agent);
		if (answer(s, c, ++*now))
			return 1;
		acd_done(s->a, got[i], ACD_VOICE, queue, ++*now);
		route(s, *now);
		if (acd_check(s->a))
			return 1;
	}
	return 0;
}

static int test_strategies(void)
{
	struct sim *s = sim_new();
	char got[400][16];
	uint64_t now = 1000;
	int r = 1, count[4] = {0};

	TEST_ASSERT(s);
	if (queue_add(s, "linear", ACD_LINEAR, 0) ||
	    queue_add(s, "rr", ACD_ROUND_ROBIN, 0) ||
	    queue_add(s, "least", ACD_LEAST_CALLS, 0) ||
	    queue_add(s, "random", ACD_RANDOM, 0) ||
	    queue_add(s, "weighted", ACD_WEIGHTED_RANDOM, 0) ||
	    queue_add(s, "all", ACD_RING_ALL, 0))
		goto out;
	for (int i = 0; i < 4; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "%d", 100 + i);
		if (agent_add(s, ext))
			goto out;
		acd_member_add(s->a, "linear", ext, 0, 1);
		acd_member_add(s->a, "rr", ext, 0, 1);
		acd_member_add(s->a, "least", ext, 0, 1);
		acd_member_add(s->a, "random", ext, 0, 1);
		acd_member_add(s->a, "weighted", ext, 0, i == 3 ? 7 : 1);
		acd_member_add(s->a, "all", ext, 0, 1);
	}
	/* linear: always the first free member */
	if (serve_n(s, "linear", 3, &now, got) || strcmp(got[0], "100") ||
	    strcmp(got[1], "100") || strcmp(got[2], "100"))
		goto out;
	/* round-robin: members take turns */
	if (serve_n(s, "rr", 6, &now, got) || strcmp(got[0], "100") ||
	    strcmp(got[1], "101") || strcmp(got[2], "102") || strcmp(got[3], "103") ||
	    strcmp(got[4], "100") || strcmp(got[5], "101"))
		goto out;
	/* least-calls: 100 took 5 and 101 took 2 so far today: 102, 103 */
	if (serve_n(s, "least", 2, &now, got) || strcmp(got[0], "102") ||
	    strcmp(got[1], "103"))
		goto out;
	/* random: every member gets some of 400 */
	if (serve_n(s, "random", 400, &now, got))
		goto out;
	for (int i = 0; i < 400; i++)
		count[atoi(got[i]) - 100]++;
	for (int i = 0; i < 4; i++) {
		if (count[i] < 60) {
			fprintf(stderr, "random: member %d got %d of 400\n", i, count[i]);
			goto out;
		}
	}
	/* weighted random: weight 7 of 10 gets about 70% */
	memset(count, 0, sizeof(count));
	if (serve_n(s, "weighted", 400, &now, got))
		goto out;
	for (int i = 0; i < 400; i++)
		count[atoi(got[i]) - 100]++;
	if (count[3] < 240 || count[3] > 320) {
		fprintf(stderr, "weighted: heavy member got %d of 400\n", count[3]);
		goto out;
	}
	/* ring-all: every free member rings; the first to answer wins and
	 * the others are free again */
	{
		int c = call_in(s, "all", 0, ++now);
		if (c < 0 || s->noffers != 4 || s->calls[c].offers != 4)
			goto out;
		if (acd_answer(s->a, s->calls[c].it, "102", ++now) || acd_check(s->a))
			goto out;
		struct acd_agent_info in;
		if (acd_agent_info(s->a, "100", &in) || in.state != AGENT_ST_AVAILABLE ||
		    acd_agent_info(s->a, "102", &in) || in.state != AGENT_ST_BUSY)
			goto out;
	}
	r = 0;
out:
	sim_free(s);
	return r;
}

/* least-calls counts today's calls: a new day starts them again, and the
 * longest idle goes first. */
static int test_new_day(void)
{
	struct sim *s = sim_new();
	char got[4][16];
	uint64_t now = 1000;
	int c;

	TEST_ASSERT(s);
	TEST_ERR(queue_add(s, "q", ACD_LEAST_CALLS, 0));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(agent_add(s, "b"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	TEST_ERR(acd_member_add(s->a, "q", "b", 0, 1));
	/* b is busy: a takes three calls */
	TEST_ERR(acd_busy(s->a, "b", ACD_VOICE, false, now));
	TEST_EQ(serve_n(s, "q", 3, &now, got), 0);
	acd_done(s->a, "b", ACD_VOICE, NULL, ++now);
	/* b has taken none today: b, although a has been idle longer */
	c = call_in(s, "q", 0, ++now);
	TEST_STREQ(s->calls[c].agent, "b");
	acd_remove(s->a, s->calls[c].it, ++now);
	/* a new day: both at zero, a (idle longer) first */
	acd_new_day(s->a);
	c = call_in(s, "q", 0, ++now);
	TEST_STREQ(s->calls[c].agent, "a");
	CHECKED(s);
	acd_remove(s->a, s->calls[c].it, ++now);
	sim_free(s);
	return 0;
}

static int test_skills_tiers(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_skill bob[] = {{"billing", 4}}, carol[] = {{"billing", 9}},
			 dave[] = {{"english", 9}};
	int c, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "billing");
	qc.strategy = ACD_SKILLS;
	qc.join_empty = true;
	qc.tier_wait_ms = 30000;
	qc.skills[0] = (struct acd_skill){"billing", 3};
	qc.skillc = 1;
	if (acd_queue_add(s->a, &qc) || acd_agent_add(s->a, "bob", bob, 1, NULL) ||
	    acd_agent_add(s->a, "carol", carol, 1, NULL) ||
	    acd_agent_add(s->a, "dave", dave, 1, NULL) || agent_add(s, "erin"))
		goto out;
	/* a member must have the queue's skills */
	TEST_EQ(acd_member_add(s->a, "billing", "dave", 0, 1), EPERM);
	TEST_EQ(acd_member_add(s->a, "billing", "nobody", 0, 1), ENOENT);
	TEST_ERR(acd_member_add(s->a, "billing", "bob", 0, 1));
	TEST_ERR(acd_member_add(s->a, "billing", "carol", 1, 1));
	TEST_EQ(acd_member_add(s->a, "billing", "bob", 0, 1), EEXIST);
	/* best match among tier 0 only: bob (carol is tier 1) */
	c = call_in(s, "billing", 0, 1000);
	if (strcmp(s->calls[c].agent, "bob"))
		goto out;
	CHECKED(s);
	/* bob is busy: the next caller waits for tier 1 until 30 s */
	c = call_in(s, "billing", 0, 2000);
	if (s->calls[c].offers)
		goto out;
	tick(s, 31000);
	if (s->calls[c].offers)
		goto out;
	tick(s, 32000);
	if (strcmp(s->calls[c].agent, "carol"))
		goto out;
	CHECKED(s);
	r = 0;
out:
	sim_free(s);
	return r;
}

static int test_skills_best(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_skill lo[] = {{"fr", 3}}, hi[] = {{"fr", 8}};
	int c, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "fr");
	qc.strategy = ACD_SKILLS;
	qc.join_empty = true;
	qc.skills[0] = (struct acd_skill){"fr", 1};
	qc.skillc = 1;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(acd_agent_add(s->a, "lo", lo, 1, NULL));
	TEST_ERR(acd_agent_add(s->a, "hi", hi, 1, NULL));
	TEST_ERR(acd_member_add(s->a, "fr", "lo", 0, 1));
	TEST_ERR(acd_member_add(s->a, "fr", "hi", 0, 1));
	/* lo has been idle longer, hi matches better: hi */
	c = call_in(s, "fr", 0, 1000);
	if (strcmp(s->calls[c].agent, "hi"))
		goto out;
	CHECKED(s);
	r = 0;
out:
	sim_free(s);
	return r;
}

/* --- priority and several queues ----------------------------------------- */

static int test_priority(void)
{
	struct sim *s = sim_new();
	int c1, c2, c3, c4, r = 1;

	TEST_ASSERT(s);
	if (queue_add(s, "low", ACD_LONGEST_IDLE, 0) ||
	    queue_add(s, "high", ACD_LONGEST_IDLE, 5) || agent_add(s, "a"))
		goto out;
	acd_member_add(s->a, "low", "a", 0, 1);
	acd_member_add(s->a, "high", "a", 0, 1);
	acd_agent_set(s->a, "a", AGENT_PAUSED, NULL, 0);
	c1 = call_in(s, "low", 0, 1000);  /* waits longest */
	c2 = call_in(s, "low", 10, 2000); /* VIP */
	c3 = call_in(s, "high", 0, 3000); /* higher-priority queue */
	c4 = call_in(s, "low", 10, 2500); /* VIP, after c2 */
	TEST_EQ(acd_item_position(s->calls[c2].it), 1);
	TEST_EQ(acd_item_position(s->calls[c4].it), 2);
	TEST_EQ(acd_item_position(s->calls[c1].it), 3);
	/* the agent serves the high queue first, then VIPs in order, then
	 * the rest */
	int order[] = {c3, c2, c4, c1};
	acd_agent_set(s->a, "a", AGENT_AVAILABLE, NULL, 4000);
	route(s, 4000);
	for (int i = 0; i < 4; i++) {
		int c = order[i];
		CHECKED(s);
		if (s->calls[c].offers != 1) {
			fprintf(stderr, "step %d: call %d not offered\n", i, c);
			goto out;
		}
		TEST_ERR(answer(s, c, 5000 + i));
		acd_done(s->a, "a", ACD_VOICE, NULL, 5000 + i);
		route(s, 5000 + i);
	}
	r = 0;
out:
	sim_free(s);
	return r;
}

static int test_capacity(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	uint32_t cap[ACD_CHANNELS] = {1, 3, 0, 0};
	int c[5], r = 1;
	struct acd_agent_info in;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "chat");
	qc.strategy = ACD_LONGEST_IDLE;
	qc.channel = ACD_CHAT;
	qc.join_empty = true;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(acd_agent_add(s->a, "a", NULL, 0, cap));
	TEST_ERR(acd_member_add(s->a, "chat", "a", 0, 1));
	for (int i = 0; i < 4; i++)
		c[i] = call_in(s, "chat", 0, 1000 + i);
	CHECKED(s);
	/* three chats at once, the fourth waits */
	TEST_EQ(s->calls[c[0]].offers + s->calls[c[1]].offers + s->calls[c[2]].offers, 3);
	TEST_EQ(s->calls[c[3]].offers, 0);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.load[ACD_CHAT], 3);
	/* a voice call does not use chat capacity */
	TEST_ERR(acd_busy(s->a, "a", ACD_VOICE, true, 1100));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_RINGING); /* an extension call rings */
	TEST_EQ(acd_busy(s->a, "a", ACD_VOICE, false, 1100), EBUSY);
	acd_connected(s->a, "a", 1150);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_RINGING); /* still three chats offered */
	TEST_ERR(answer(s, c[0], 1200));
	acd_done(s->a, "a", ACD_CHAT, "chat", 1300);
	route(s, 1300);
	CHECKED(s);
	TEST_EQ(s->calls[c[3]].offers, 1);
	c[4] = 0;
	r = 0;
	sim_free(s);
	return r;
}

/*
 * Calls and chats through the same agents: an agent on a call is offered
 * chats within its chat capacity, it is busy on a channel only when that
 * channel's capacity is used, and a chat's wrap-up keeps it from neither
 * calls nor the figures of the voice queue.
 */
static int test_mixed_channels(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_agent_info in;
	struct acd_queue_info qi;
	uint32_t cap[ACD_CHANNELS] = {1, 2, 0, 0};
	int v1, v2, c1, c2, c3, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "sales");
	qc.strategy = ACD_LONGEST_IDLE;
	qc.join_empty = true;
	qc.wrapup_ms = 5000;
	TEST_ERR(acd_queue_add(s->a, &qc));
	util_copy(qc.name, sizeof(qc.name), "web");
	qc.channel = ACD_CHAT;
	qc.wrapup_ms = 3000;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(acd_agent_add(s->a, "a", NULL, 0, cap));
	TEST_ERR(acd_member_add(s->a, "sales", "a", 0, 1));
	TEST_ERR(acd_member_add(s->a, "web", "a", 0, 1));

	/* on a call: busy on voice, still available for chats */
	v1 = call_in(s, "sales", 0, 1000);
	TEST_EQ(s->calls[v1].offers, 1);
	TEST_ERR(answer(s, v1, 1500));
	CHECKED(s);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_BUSY);
	TEST_EQ(in.states[ACD_VOICE], AGENT_ST_BUSY);
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_AVAILABLE);
	TEST_EQ(in.states[ACD_MAIL], AGENT_ST_LOGGED_OUT); /* no capacity there */
	TEST_ERR(acd_queue_info(s->a, "web", &qi));
	TEST_EQ(qi.agents[AGENT_ST_AVAILABLE], 1);
	TEST_ERR(acd_queue_info(s->a, "sales", &qi));
	TEST_EQ(qi.agents[AGENT_ST_BUSY], 1);

	/* two chats within the chat capacity while on the call */
	c1 = call_in(s, "web", 0, 2000);
	TEST_EQ(s->calls[c1].offers, 1);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_RINGING);
	TEST_EQ(in.states[ACD_VOICE], AGENT_ST_BUSY);
	TEST_ERR(answer(s, c1, 2100));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_AVAILABLE); /* one of two */
	c2 = call_in(s, "web", 0, 2200);
	TEST_EQ(s->calls[c2].offers, 1);
	TEST_ERR(answer(s, c2, 2300));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_BUSY); /* two of two */
	c3 = call_in(s, "web", 0, 2400);
	TEST_EQ(s->calls[c3].offers, 0);
	CHECKED(s);

	/* the call ends: voice wrap-up; the chats go on */
	acd_done(s->a, "a", ACD_VOICE, "sales", 3000);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_VOICE], AGENT_ST_WRAPUP);
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_BUSY);
	TEST_EQ(in.wrapup_until, 8000);
	/* a chat ends: chat wrap-up until 7000, the waiting chat waits */
	acd_done(s->a, "a", ACD_CHAT, "web", 4000);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_WRAPUP);
	tick(s, 6999);
	TEST_EQ(s->calls[c3].offers, 0);
	tick(s, 7000);
	TEST_EQ(s->calls[c3].offers, 1);
	CHECKED(s);
	/* the voice wrap-up ends at 8000; a call waiting is offered then,
	 * though the agent has chats */
	v2 = call_in(s, "sales", 0, 7500);
	TEST_EQ(s->calls[v2].offers, 0);
	tick(s, 8000);
	TEST_EQ(s->calls[v2].offers, 1);
	TEST_ERR(answer(s, v2, 8100));
	TEST_ERR(answer(s, c3, 8200));
	CHECKED(s);
	/* a chat's wrap-up does not keep a call from the agent */
	acd_done(s->a, "a", ACD_VOICE, NULL, 9000);
	acd_done(s->a, "a", ACD_CHAT, NULL, 9000);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_AVAILABLE); /* one left, of two */
	acd_done(s->a, "a", ACD_CHAT, "web", 9100);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.states[ACD_CHAT], AGENT_ST_WRAPUP);
	TEST_EQ(in.states[ACD_VOICE], AGENT_ST_AVAILABLE);
	v2 = call_in(s, "sales", 0, 9200);
	TEST_EQ(s->calls[v2].offers, 1);
	TEST_ERR(acd_queue_info(s->a, "sales", &qi));
	TEST_EQ(qi.agents[AGENT_ST_RINGING], 1);
	TEST_ERR(acd_queue_info(s->a, "web", &qi));
	TEST_EQ(qi.agents[AGENT_ST_WRAPUP], 1);
	CHECKED(s);
	r = 0;
	sim_free(s);
	return r;
}

/* --- rules ---------------------------------------------------------------- */

static int test_exits(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	int c1, c2, c3, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "q");
	qc.strategy = ACD_LONGEST_IDLE;
	qc.join_empty = false;
	qc.max_wait_ms = 60000;
	qc.max_len = 2;
	qc.exit_key = '0';
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	/* nobody logged in and join_empty false: out on arrival */
	acd_agent_set(s->a, "a", AGENT_LOGGED_OUT, NULL, 0);
	c1 = call_in(s, "q", 0, 1000);
	TEST_EQ(s->calls[c1].exited, 1 + ACD_EXIT_EMPTY);
	TEST_ASSERT(!s->calls[c1].it);
	/* paused counts as logged in: callers wait */
	acd_agent_set(s->a, "a", AGENT_AVAILABLE, NULL, 1000);
	acd_agent_set(s->a, "a", AGENT_PAUSED, "lunch", 1000);
	c1 = call_in(s, "q", 0, 2000);
	c2 = call_in(s, "q", 0, 3000);
	c3 = call_in(s, "q", 0, 4000); /* max_len 2: full */
	TEST_EQ(s->calls[c1].exited, 0);
	TEST_EQ(s->calls[c3].exited, 1 + ACD_EXIT_FULL);
	/* the exit key takes c2 out; another key does nothing */
	TEST_ASSERT(!acd_key(s->a, s->calls[c2].it, '5', 5000));
	TEST_ASSERT(acd_key(s->a, s->calls[c2].it, '0', 5000));
	TEST_EQ(s->calls[c2].exited, 1 + ACD_EXIT_KEY);
	CHECKED(s);
	/* max wait: c1 leaves at 62 s, not before */
	tick(s, 61999);
	TEST_EQ(s->calls[c1].exited, 0);
	tick(s, 62000);
	TEST_EQ(s->calls[c1].exited, 1 + ACD_EXIT_TIMEOUT);
	CHECKED(s);
	/* everyone logs out while a caller waits: it leaves */
	c1 = call_in(s, "q", 0, 70000);
	acd_agent_set(s->a, "a", AGENT_LOGGED_OUT, NULL, 71000);
	tick(s, 71100);
	TEST_EQ(s->calls[c1].exited, 1 + ACD_EXIT_EMPTY);
	CHECKED(s);
	r = 0;
	sim_free(s);
	return r;
}

/* A callback keeps its place and is never timed out by max wait. */
static int test_hold(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	int c1, c2, c3;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "q");
	qc.strategy = ACD_LINEAR;
	qc.join_empty = true;
	qc.max_wait_ms = 60000;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_PAUSED, NULL, 0));
	c1 = call_in(s, "q", 0, 1000);
	c2 = call_in(s, "q", 0, 2000);
	/* c3 comes back as a callback for a caller who entered at 500 */
	c3 = call_in(s, "q", 0, 3000);
	TEST_EQ(acd_item_position(s->calls[c3].it), 3);
	acd_item_hold(s->a, s->calls[c3].it, 500);
	TEST_EQ(acd_item_position(s->calls[c3].it), 1);
	CHECKED(s);
	/* max wait: c1 and c2 leave at 61 s and 62 s, the callback stays */
	tick(s, 62000);
	TEST_EQ(s->calls[c1].exited, 1 + ACD_EXIT_TIMEOUT);
	TEST_EQ(s->calls[c2].exited, 1 + ACD_EXIT_TIMEOUT);
	TEST_EQ(s->calls[c3].exited, 0);
	/* and it is the one offered when the agent is back */
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_AVAILABLE, NULL, 70000));
	route(s, 70000);
	TEST_EQ(s->calls[c3].offers, 1);
	CHECKED(s);
	TEST_ERR(answer(s, c3, 71000));
	sim_free(s);
	return 0;
}

/* Found by fuzz_acd: acd_done on a channel where the agent only has an
 * offer ringing must not take the offer's capacity away. */
static int test_done_without_conversation(void)
{
	struct sim *s = sim_new();
	struct acd_agent_info in;
	int c;

	TEST_ASSERT(s);
	TEST_ERR(queue_add(s, "q", ACD_LINEAR, 0));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	c = call_in(s, "q", 0, 1000);
	TEST_EQ(s->calls[c].offers, 1);
	acd_done(s->a, "a", ACD_VOICE, "q", 1100);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.load[ACD_VOICE], 1);
	TEST_EQ(in.state, AGENT_ST_RINGING);
	CHECKED(s);
	TEST_ERR(answer(s, c, 1200));
	acd_done(s->a, "a", ACD_VOICE, "q", 1300);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.load[ACD_VOICE], 0);
	CHECKED(s);
	sim_free(s);
	return 0;
}

/* An extension call: ringing, then busy once connected, then free; an
 * unanswered one frees the agent too. */
static int test_extension_call(void)
{
	struct sim *s = sim_new();
	struct acd_agent_info in;

	TEST_ASSERT(s);
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_busy(s->a, "a", ACD_VOICE, true, 100));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_RINGING);
	acd_connected(s->a, "a", 200);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_BUSY);
	acd_done(s->a, "a", ACD_VOICE, NULL, 300);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_AVAILABLE);
	TEST_ERR(acd_busy(s->a, "a", ACD_VOICE, true, 400));
	acd_done(s->a, "a", ACD_VOICE, NULL, 500);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_AVAILABLE);
	TEST_EQ(in.load[ACD_VOICE], 0);
	CHECKED(s);
	sim_free(s);
	return 0;
}

static int test_noanswer(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_agent_info in;
	int c, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "q");
	qc.strategy = ACD_LINEAR;
	qc.join_empty = true;
	qc.auto_pause = 2;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(agent_add(s, "b"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	TEST_ERR(acd_member_add(s->a, "q", "b", 0, 1));
	c = call_in(s, "q", 0, 1000);
	TEST_STREQ(s->calls[c].agent, "a");
	/* a does not answer: b rings next */
	TEST_ERR(acd_miss(s->a, s->calls[c].it, "a", 16000));
	route(s, 16000);
	TEST_STREQ(s->calls[c].agent, "b");
	/* b misses too: everyone was tried, a new round after a pause */
	TEST_ERR(acd_miss(s->a, s->calls[c].it, "b", 31000));
	route(s, 31000);
	TEST_EQ(s->calls[c].offers, 2);
	tick(s, 33100);
	TEST_EQ(s->calls[c].offers, 3);
	TEST_STREQ(s->calls[c].agent, "a");
	/* a misses a second time in a row: paused automatically */
	TEST_ERR(acd_miss(s->a, s->calls[c].it, "a", 48000));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.presence, AGENT_PAUSED);
	TEST_STREQ(in.reason, "missed");
	TEST_EQ(s->last_state, AGENT_ST_PAUSED);
	CHECKED(s);
	/* an answer resets the misses; an unknown offer is refused */
	route(s, 48000);
	TEST_STREQ(s->calls[c].agent, "b");
	TEST_EQ(acd_answer(s->a, s->calls[c].it, "a", 49000), ENOENT);
	TEST_ERR(answer(s, c, 49000));
	TEST_ERR(acd_agent_info(s->a, "b", &in));
	TEST_EQ(in.misses, 0);
	TEST_EQ(in.state, AGENT_ST_BUSY);
	CHECKED(s);
	r = 0;
	sim_free(s);
	return r;
}

static int test_wrapup(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_agent_info in;
	int c, r = 1;

	TEST_ASSERT(s);
	memset(&qc, 0, sizeof(qc));
	util_copy(qc.name, sizeof(qc.name), "q");
	qc.strategy = ACD_LONGEST_IDLE;
	qc.join_empty = true;
	qc.wrapup_ms = 5000;
	TEST_ERR(acd_queue_add(s->a, &qc));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	c = call_in(s, "q", 0, 1000);
	TEST_ERR(answer(s, c, 2000));
	acd_done(s->a, "a", ACD_VOICE, "q", 10000);
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.state, AGENT_ST_WRAPUP);
	TEST_EQ(in.wrapup_until, 15000);
	c = call_in(s, "q", 0, 11000);
	tick(s, 14999);
	TEST_EQ(s->calls[c].offers, 0);
	tick(s, 15000);
	TEST_EQ(s->calls[c].offers, 1);
	CHECKED(s);
	r = 0;
	sim_free(s);
	return r;
}

static int test_presence(void)
{
	struct sim *s = sim_new();
	struct acd_agent_info in;
	const char reasons[2][32] = {"break", "lunch"};
	int c, r = 1;

	TEST_ASSERT(s);
	TEST_ERR(queue_add(s, "q", ACD_LONGEST_IDLE, 0));
	TEST_ERR(agent_add(s, "a"));
	TEST_ERR(acd_member_add(s->a, "q", "a", 0, 1));
	TEST_ERR(acd_reasons_set(s->a, reasons, 2));
	TEST_ERR(acd_agent_info(s->a, "a", &in));
	TEST_EQ(in.presence, AGENT_AVAILABLE);
	/* paused with the first reason by default; not offered */
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_PAUSED, NULL, 10));
	TEST_STREQ(s->last_reason, "break");
	TEST_EQ(acd_agent_set(s->a, "a", AGENT_PAUSED, "nap", 11), EINVAL);
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_PAUSED, "lunch", 12));
	TEST_STREQ(s->last_reason, "lunch");
	c = call_in(s, "q", 0, 20);
	TEST_EQ(s->calls[c].offers, 0);
	/* logged out: cannot be paused */
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_LOGGED_OUT, NULL, 30));
	TEST_EQ(acd_agent_set(s->a, "a", AGENT_PAUSED, NULL, 31), EALREADY);
	TEST_EQ(acd_agent_set(s->a, "zz", AGENT_AVAILABLE, NULL, 32), ENOENT);
	TEST_ERR(acd_agent_set(s->a, "a", AGENT_AVAILABLE, NULL, 40));
	route(s, 40);
	TEST_EQ(s->calls[c].offers, 1);
	TEST_EQ(s->last_state, AGENT_ST_RINGING);
	CHECKED(s);
	/* an abandon frees the ringing agent */
	acd_remove(s->a, s->calls[c].it, 50);
	TEST_EQ(s->last_state, AGENT_ST_AVAILABLE);
	CHECKED(s);
	r = 0;
	sim_free(s);
	return r;
}

/* --- a tenant file --------------------------------------------------------- */

static const char *yaml = "name: t\n"
			  "agents:\n"
			  "  - {ext: \"1001\", name: A, password: a, skills: {fr: 5}}\n"
			  "  - {ext: \"1002\", name: B, password: b, skills: {fr: 9}}\n"
			  "  - {ext: \"1003\", name: C, password: c}\n"
			  "pause_reasons: [lunch]\n"
			  "queues:\n"
			  "  - name: sales\n"
			  "    strategy: linear\n"
			  "    members: [\"1003\", {agent: \"1001\", tier: 1}]\n"
			  "  - name: french\n"
			  "    strategy: skills\n"
			  "    skills: {fr: 3}\n";

static int test_tenant(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct sim *s = sim_new();
	struct acd_queue_info qi;
	int c, r = 1;

	TEST_ASSERT(s);
	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs)) {
		fprintf(stderr, "%s\n", errs.msgv[0]);
		goto out;
	}
	if (acd_load_tenant(s->a, t))
		goto out;
	TEST_EQ(acd_queue_count(s->a), 2);
	TEST_EQ(acd_agent_count(s->a), 3);
	/* french has no member list: every agent with the skill serves */
	if (acd_queue_info(s->a, "french", &qi) || qi.members != 2 ||
	    qi.strategy != ACD_SKILLS)
		goto out;
	if (acd_queue_info(s->a, "sales", &qi) || qi.members != 2)
		goto out;
	c = call_in(s, "french", 0, 1000);
	if (strcmp(s->calls[c].agent, "1002"))
		goto out;
	if (acd_agent_set(s->a, "1001", AGENT_PAUSED, "lunch", 1000))
		goto out;
	TEST_EQ(acd_enqueue(s->a, "nope", 0, 1000, NULL, &s->calls[0].it), ESRCH);
	CHECKED(s);
	r = 0;
out:
	mem_deref(t);
	sim_free(s);
	return r;
}

/* The same tenant edited while running: sales hunts in a new order with
 * 1003 gone from it, french asks for more, a new agent and queue come,
 * and a queue left out of the file stays until the next start. */
static const char *yaml2 = "name: t\n"
			   "agents:\n"
			   "  - {ext: \"1001\", name: A, password: a, skills: {fr: 5}}\n"
			   "  - {ext: \"1002\", name: B, password: b, skills: {fr: 9}}\n"
			   "  - {ext: \"1003\", name: C, password: c}\n"
			   "  - {ext: \"1004\", name: D, password: d, skills: {fr: 7}}\n"
			   "pause_reasons: [lunch, training]\n"
			   "queues:\n"
			   "  - name: sales\n"
			   "    strategy: linear\n"
			   "    priority: 5\n"
			   "    members: [\"1002\", \"1001\"]\n"
			   "  - name: french\n"
			   "    strategy: skills\n"
			   "    skills: {fr: 6}\n";

static void later_count(const char *what, void *arg)
{
	(void)what;
	(*(int *)arg)++;
}

static int test_tenant_live(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL, *t2 = NULL;
	struct sim *s = sim_new();
	struct acd_queue_info qi;
	unsigned tier = 9, weight = 0;
	int c, later = 0, r = 1;

	TEST_ASSERT(s);
	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs) ||
	    cfg_tenant_parse(&t2, "t.yaml", yaml2, strlen(yaml2), &errs) ||
	    acd_load_tenant(s->a, t) || queue_add(s, "old", ACD_RING_ALL, 0))
		goto out;
	/* a caller waits in sales while nobody is free: 1003 is ringing */
	c = call_in(s, "sales", 0, 1000);
	if (strcmp(s->calls[c].agent, "1003"))
		goto out;
	TEST_EQ(acd_apply_tenant(s->a, t2, 2000, later_count, &later), 0);
	CHECKED(s);
	TEST_EQ(later, 1); /* "old" */
	TEST_EQ(acd_agent_count(s->a), 4);
	/* sales: 1002 then 1001, both at tier 0; 1003 is out */
	TEST_ASSERT(!acd_member_is(s->a, "sales", "1003", NULL, NULL));
	TEST_ASSERT(acd_member_is(s->a, "sales", "1001", &tier, &weight));
	TEST_EQ(tier, 0);
	TEST_EQ(weight, 1);
	TEST_EQ(strcmp(acd_queue_member_at(s->a, "sales", 0), "1002"), 0);
	if (acd_queue_info(s->a, "sales", &qi) || qi.members != 2 ||
	    qi.conf->priority != 5)
		goto out;
	/* french: 1001 (fr 5) no longer qualifies, 1004 (fr 7) does */
	TEST_ASSERT(!acd_member_is(s->a, "french", "1001", NULL, NULL));
	TEST_ASSERT(acd_member_is(s->a, "french", "1004", NULL, NULL));
	/* the ringing offer goes on: 1003 misses it, 1002 gets it next */
	TEST_EQ(acd_miss(s->a, s->calls[c].it, "1003", 3000), 0);
	route(s, 3000);
	TEST_EQ(strcmp(s->calls[c].agent, "1002"), 0);
	TEST_EQ(answer(s, c, 3100), 0);
	/* the next sales caller goes to 1001, the next in the new order */
	c = call_in(s, "sales", 0, 3200);
	TEST_EQ(strcmp(s->calls[c].agent, "1001"), 0);
	TEST_EQ(acd_agent_set(s->a, "1004", AGENT_PAUSED, "training", 3300), 0);
	CHECKED(s);
	/* 1002's voice capacity taken to 0 while it talks: the call goes on,
	 * and once it ends 1002 is offered nothing */
	{
		const uint32_t none[ACD_CHANNELS] = {0, 0, 0, 0};
		struct acd_agent_info ai;

		TEST_EQ(acd_agent_update(s->a, "1002", NULL, 0, none, 3400), 0);
		CHECKED(s);
		acd_done(s->a, "1002", ACD_VOICE, "sales", 3500);
		CHECKED(s);
		TEST_EQ(acd_agent_info(s->a, "1002", &ai), 0);
		TEST_EQ(ai.load[ACD_VOICE], 0);
		c = call_in(s, "french", 0, 3600);
		TEST_ASSERT(strcmp(s->calls[c].agent, "1002") != 0);
		CHECKED(s);
	}
	r = 0;
out:
	mem_deref(t);
	mem_deref(t2);
	sim_free(s);
	return r;
}

/* --- a long random day ---------------------------------------------------- */

/*
 * Random arrivals, answers, misses, abandons, ends, pauses and exits
 * over 3 queues and 12 agents for 20,000 steps, with every invariant
 * checked after each step; at the end nothing is left reserved.
 */
static int test_random_day(void)
{
	struct sim *s = sim_new();
	struct acd_queue_conf qc;
	struct acd_skill sk[] = {{"x", 5}};
	const char *queues[] = {"q0", "q1", "q2"};
	enum acd_strategy strat[] = {ACD_RING_ALL, ACD_SKILLS, ACD_ROUND_ROBIN};
	int talking[12];
	uint64_t now = 1000;
	int r = 1;

	TEST_ASSERT(s);
	for (int i = 0; i < 3; i++) {
		memset(&qc, 0, sizeof(qc));
		util_copy(qc.name, sizeof(qc.name), queues[i]);
		qc.strategy = strat[i];
		qc.priority = i;
		qc.join_empty = true;
		qc.max_wait_ms = 120000;
		qc.wrapup_ms = i * 2000;
		qc.tier_wait_ms = 10000;
		qc.auto_pause = 3;
		TEST_ERR(acd_queue_add(s->a, &qc));
	}
	for (int i = 0; i < 12; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "%d", 200 + i);
		TEST_ERR(acd_agent_add(s->a, ext, sk, 1, NULL));
		for (int j = 0; j < 3; j++)
			if ((i + j) % 2 == 0 || j == 1)
				TEST_ERR(acd_member_add(s->a, queues[j], ext,
							(unsigned)(i % 3), 1));
		talking[i] = 0;
	}
	srand(7);
	for (int step = 0; step < 20000; step++) {
		int op = rand() % 100;

		now += (uint64_t)(rand() % 800);
		if (op < 20 && s->ncalls < MAX_CALLS) {
			(void)call_in(s, queues[rand() % 3], rand() % 4 == 0 ? 10 : 0,
				      now);
		} else if (op < 60 && s->ncalls) {
			/* an offered call: answer, miss or abandon */
			int c = rand() % s->ncalls;
			struct call *cl = &s->calls[c];
			int k = rand() % 10;
			if (!cl->it || !cl->offers)
				goto next;
			if (k < 6) {
				if (!acd_answer(s->a, cl->it, cl->agent, now)) {
					cl->it = NULL;
					talking[atoi(cl->agent) - 200]++;
				}
			} else if (k < 9) {
				(void)acd_miss(s->a, cl->it, cl->agent, now);
			} else {
				acd_remove(s->a, cl->it, now);
				cl->it = NULL;
			}
		} else if (op < 85) {
			int i = rand() % 12;
			char ext[16];
			snprintf(ext, sizeof(ext), "%d", 200 + i);
			if (talking[i]) {
				talking[i]--;
				acd_done(s->a, ext, ACD_VOICE, queues[rand() % 3], now);
			}
		} else if (op < 95) {
			tick(s, now);
		} else {
			int i = rand() % 12;
			char ext[16];
			snprintf(ext, sizeof(ext), "%d", 200 + i);
			(void)acd_agent_set(s->a, ext, (enum agent_presence)(rand() % 3),
					    NULL, now);
		}
	next:
		route(s, now);
		if (acd_check(s->a)) {
			fprintf(stderr, "invariant broken at step %d\n", step);
			goto out;
		}
	}
	/* everyone hangs up and finishes: nothing stays reserved */
	for (int c = 0; c < s->ncalls; c++) {
		if (s->calls[c].it)
			acd_remove(s->a, s->calls[c].it, now);
	}
	for (int i = 0; i < 12; i++) {
		char ext[16];
		snprintf(ext, sizeof(ext), "%d", 200 + i);
		while (talking[i]--)
			acd_done(s->a, ext, ACD_VOICE, NULL, now);
	}
	tick(s, now + 10000);
	CHECKED(s);
	for (int i = 0; i < 12; i++) {
		struct acd_agent_info in;
		TEST_ERR(acd_agent_at(s->a, (size_t)i, &in));
		for (int ch = 0; ch < ACD_CHANNELS; ch++)
			TEST_EQ(in.load[ch], 0);
		if (in.state == AGENT_ST_RINGING || in.state == AGENT_ST_BUSY ||
		    in.state == AGENT_ST_WRAPUP)
			TEST_FAIL("agent %s left %s", in.ext, acd_state_name(in.state));
	}
	r = 0;
out:
	sim_free(s);
	return r;
}

/* --- statistics ------------------------------------------------------------ */

static void ev(struct acd_stats *st, uint64_t ts_s, const char *type, const char *call,
	       const char *agent, const char *data)
{
	struct hl_event e = {ts_s * 1000, EVENT_UNKNOWN, type, call,
			     agent,	  "q",		 NULL, NULL};

	(void)event_type_parse(&e.type, type);
	e.data = data ? event_data_parse(data) : NULL;
	acd_stats_feed(st, &e);
	event_data_deref(e.data);
}

static int near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/*
 * A scripted day in one queue (threshold 20 s, short abandons 5 s),
 * computed by hand:
 *   c1 answered after 10 s, talks 60 s, 5 s wrap-up
 *   c2 abandons after 3 s (short)
 *   c3 abandons after 30 s
 *   c4 answered after 30 s, talks 120 s, transferred
 *   c5 exits at max wait after 60 s
 *   c6 abandons after 12 s
 * offered 6, answered 2 (1 within 20 s), abandoned 2 (1 within 20 s),
 * short 1, exited 1: service level 1/2, with abandons 2/4, ASA 20 s,
 * abandon rate 2 / (6 - 1 - 1), AHT (60 + 120 + 5) / 2 s.
 */
static int test_stats_day(void)
{
	struct acd_stats *st = NULL;
	struct acd_queue_stats q;
	struct acd_agent_stats ag;
	int r = 1;

	TEST_ERR(acd_stats_alloc(&st, 0, 5000));
	if (acd_stats_threshold(st, "q", 20000))
		goto out;
	ev(st, 0, "agent.state", NULL, "a", "{\"state\":\"available\",\"reason\":\"\"}");
	ev(st, 0, "queue.entered", "c1", NULL, "{\"priority\":0}");
	ev(st, 9, "agent.state", NULL, "a", "{\"state\":\"ringing\",\"reason\":\"\"}");
	ev(st, 10, "queue.answered", "c1", "a", "{\"wait_ms\":10000,\"ring_ms\":1000}");
	ev(st, 10, "agent.state", NULL, "a", "{\"state\":\"busy\",\"reason\":\"\"}");
	ev(st, 70, "queue.completed", "c1", "a", "{\"by\":\"caller\",\"talk_ms\":60000}");
	ev(st, 70, "agent.state", NULL, "a", "{\"state\":\"wrapup\",\"reason\":\"\"}");
	ev(st, 75, "agent.state", NULL, "a", "{\"state\":\"available\",\"reason\":\"\"}");
	ev(st, 100, "queue.entered", "c2", NULL, NULL);
	ev(st, 103, "queue.abandoned", "c2", NULL, "{\"wait_ms\":3000}");
	ev(st, 200, "queue.entered", "c3", NULL, NULL);
	ev(st, 230, "queue.abandoned", "c3", NULL, "{\"wait_ms\":30000}");
	ev(st, 300, "queue.entered", "c4", NULL, NULL);
	ev(st, 310, "agent.noanswer", "c4", "b", "{\"code\":408,\"ring_ms\":15000}");
	ev(st, 330, "queue.answered", "c4", "b", "{\"wait_ms\":30000}");
	ev(st, 450, "queue.transferred", "c4", "b", "{\"to\":\"x\",\"talk_ms\":120000}");
	ev(st, 400, "queue.entered", "c5", NULL, NULL);
	ev(st, 460, "queue.exited", "c5", NULL,
	   "{\"reason\":\"timeout\",\"wait_ms\":60000}");
	ev(st, 500, "queue.entered", "c6", NULL, NULL);
	ev(st, 512, "queue.abandoned", "c6", NULL, "{\"wait_ms\":12000}");

	TEST_ERR(acd_stats_queue(st, "q", 600000, &q));
	TEST_EQ(q.offered, 6);
	TEST_EQ(q.answered, 2);
	TEST_EQ(q.answered_in_sl, 1);
	TEST_EQ(q.abandoned, 2);
	TEST_EQ(q.abandoned_in_sl, 1);
	TEST_EQ(q.short_abandoned, 1);
	TEST_EQ(q.exited, 1);
	TEST_EQ(q.exits[ACD_EXIT_TIMEOUT], 1);
	TEST_EQ(q.transferred, 1);
	TEST_EQ(q.noanswer, 1);
	TEST_EQ(q.handled, 2);
	TEST_EQ(q.max_wait_ms, 30000);
	TEST_ASSERT(near(q.service_level, 0.5));
	TEST_ASSERT(near(q.service_level_abandons, 0.5));
	TEST_ASSERT(near(q.asa_ms, 20000));
	TEST_ASSERT(near(q.abandon_rate, 0.5));
	TEST_ASSERT(near(q.aht_ms, 92500));
	/* agent a at 100 s: available 34 s, ringing 1, busy 60, wrap-up 5 */
	TEST_ERR(acd_stats_agent(st, "a", 100000, &ag));
	TEST_EQ(ag.time_ms[AGENT_ST_AVAILABLE], 34000);
	TEST_EQ(ag.time_ms[AGENT_ST_RINGING], 1000);
	TEST_EQ(ag.time_ms[AGENT_ST_BUSY], 60000);
	TEST_EQ(ag.time_ms[AGENT_ST_WRAPUP], 5000);
	TEST_EQ(ag.answered, 1);
	TEST_ASSERT(near(ag.occupancy, 0.65));
	TEST_ASSERT(near(ag.utilisation, 0.65));
	/* a queue never seen has zeros and no ratios */
	TEST_EQ(acd_stats_queue(st, "other", 600000, &q), ENOENT);
	TEST_EQ(q.offered, 0);
	TEST_ASSERT(q.service_level < 0);
	r = 0;
out:
	mem_deref(st);
	return r;
}

/* "Today" starts again after 24 h; what an agent does carries over. */
static int test_stats_roll(void)
{
	struct acd_stats *st = NULL;
	struct acd_queue_stats q;
	struct acd_agent_stats ag;
	int r = 1;

	TEST_ERR(acd_stats_alloc(&st, 1000000, 5000));
	ev(st, 1000, "queue.entered", "c1", NULL, NULL);
	ev(st, 1000, "agent.state", NULL, "a",
	   "{\"state\":\"paused\",\"reason\":\"lunch\"}");
	TEST_ERR(acd_stats_queue(st, "q", 1000000 + 1000, &q));
	TEST_EQ(q.offered, 1);
	TEST_ERR(acd_stats_queue(st, "q", 1000000 + 86400000 + 5, &q));
	TEST_EQ(q.offered, 0);
	TEST_ERR(acd_stats_agent(st, "a", 1000000 + 86400000 + 60000, &ag));
	TEST_EQ(ag.time_ms[AGENT_ST_PAUSED], 60000);
	r = 0;
	mem_deref(st);
	return r;
}

/*
 * First response of chats (docs/METRICS.md): the chat's start to the
 * agent's first reply, counted once per chat from the mark the chat adapter
 * puts on that message; later replies, visitor messages and a reply in the
 * same millisecond (0 ms, still a response) are handled right. k1 replied
 * 40 s after its start, k2 at once: mean 20 s over 2.
 */
static int test_stats_first_response(void)
{
	struct acd_stats *st = NULL;
	struct acd_queue_stats q;
	int r = 1;

	TEST_ERR(acd_stats_alloc(&st, 0, 5000));
	TEST_EQ(acd_stats_queue(st, "q", 1000, &q), ENOENT);
	TEST_ASSERT(q.first_response_ms < 0);
	ev(st, 0, "queue.entered", "k1", NULL, NULL);
	ev(st, 10, "queue.answered", "k1", "a", "{\"wait_ms\":10000}");
	ev(st, 20, "chat.message", "k1", NULL, "{\"from\":\"visitor\",\"text\":\"hi\"}");
	TEST_ERR(acd_stats_queue(st, "q", 30000, &q));
	TEST_EQ(q.first_responses, 0);
	TEST_ASSERT(q.first_response_ms < 0);
	ev(st, 40, "chat.message", "k1", "a",
	   "{\"from\":\"agent\",\"reply\":\"first\",\"first_response_ms\":40000}");
	ev(st, 50, "chat.message", "k1", "a", "{\"from\":\"agent\",\"text\":\"more\"}");
	ev(st, 60, "chat.message", "k2", "a",
	   "{\"from\":\"agent\",\"reply\":\"first\",\"first_response_ms\":0}");
	TEST_ERR(acd_stats_queue(st, "q", 70000, &q));
	TEST_EQ(q.first_responses, 2);
	TEST_EQ(q.first_response_total_ms, 40000);
	TEST_ASSERT(near(q.first_response_ms, 20000));
	/* a cached view of the queue is stale after the first reply, not
	 * after other messages */
	{
		struct hl_event e = {
		    1, EVENT_CHAT_MESSAGE, "chat.message", "k3", "a", "q", NULL, NULL};
		e.data =
		    event_data_parse("{\"reply\":\"first\",\"first_response_ms\":5}");
		TEST_ASSERT(acd_stats_moves(&e));
		event_data_deref(e.data);
		e.data = event_data_parse("{\"text\":\"more\"}");
		TEST_ASSERT(!acd_stats_moves(&e));
		event_data_deref(e.data);
		e.type = EVENT_QUEUE_ENTERED;
		e.name = "queue.entered";
		e.queue = NULL;
		TEST_ASSERT(acd_stats_moves(&e));
	}
	/* the other figures are not touched by messages */
	TEST_EQ(q.offered, 1);
	TEST_EQ(q.answered, 1);
	r = 0;
	mem_deref(st);
	return r;
}

static const struct test_case tests[] = {
    {"longest idle, unusable agents passed over", test_longest_idle},
    {"linear, round-robin, least-calls, random, weighted random, ring-all",
     test_strategies},
    {"least-calls starts again with a new day", test_new_day},
    {"skills: members need them; tiers join after their wait", test_skills_tiers},
    {"skills: the best match wins over the longest idle", test_skills_best},
    {"priority: queue priority, then VIP callers, then longest wait", test_priority},
    {"capacity per channel: three chats at once", test_capacity},
    {"mixed channels: chats while on a call, busy and wrap-up per channel",
     test_mixed_channels},
    {"exits: empty, full, exit key, max wait, everyone logged out", test_exits},
    {"ring no answer: next agent, new round, auto-pause", test_noanswer},
    {"a callback keeps its place and outlasts max wait", test_hold},
    {"done without a conversation leaves a ringing offer alone",
     test_done_without_conversation},
    {"an extension call rings, connects and ends", test_extension_call},
    {"wrap-up: no offer before it ends", test_wrapup},
    {"presence: reasons, logged out, abandon frees the agent", test_presence},
    {"tenant: queues, members, tiers and skills from YAML", test_tenant},
    {"tenant applied live: members, order, skills, priority; what waits for a start",
     test_tenant_live},
    {"a random day keeps every invariant and leaves nothing reserved", test_random_day},
    {"statistics of a scripted day match hand-computed values", test_stats_day},
    {"statistics: today starts again after 24 hours", test_stats_roll},
    {"statistics: first response of chats, once per chat", test_stats_first_response},
};

TEST_MAIN(tests)
