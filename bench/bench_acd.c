/*
 * bench_acd.c — the routing engine alone (src/acd, through acd.h only):
 * 10,000 agents, 200 queues, 50 skills, a working day of traffic on a
 * virtual clock, no I/O and no sleeping.
 *
 *   build/bench/bench_acd [DECISIONS=2000000]
 *
 * Every 10 ms of virtual time callers arrive (Poisson, random queue by
 * popularity, 2 % VIP at priority 10) and acd_route runs; acd_tick runs
 * every 100 ms. Phones answer an offer after 1-8 s, or let it ring out
 * (acd_miss after 15 s, 5 %); conversations last 30 s + an exponential
 * 150 s, then acd_done (wrap-up 0-5 s per queue); callers hang up after
 * their patience (acd_remove). The arrival rate follows the agents'
 * occupancy to hold ~82 % of them working, so that some queues have
 * callers waiting (hot queues, tiers not yet widened) while other agents
 * are free. The first 20 virtual minutes warm up and are not counted.
 *
 * A decision is one offer (one call of the offer handler). Only the time
 * spent inside acd_* calls is counted, with CLOCK_MONOTONIC around each.
 * One line per figure: "name: value", then a summary line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "core/core.h"
#include "acd/acd.h"

#define AGENTS	    10000
#define QUEUES	    200
#define SKILLS	    50
#define STEP_MS	    10
#define TICK_MS	    100
#define WARMUP_MS   (20 * 60 * 1000)
#define OCCUPANCY   0.82 /* agents ringing, talking or in wrap-up */
#define DAY_MS	    86400000ULL
#define START_MS    1795413600000ULL /* 2026-11-23 06:00 UTC */
#define MISS_PCT    5
#define VIP_PCT	    2
#define RING_OUT_MS 15000

/* The acd_* functions timed, for the breakdown. */
enum fn {
	F_ENQUEUE = 0,
	F_ROUTE,
	F_ANSWER,
	F_MISS,
	F_DONE,
	F_TICK,
	F_REMOVE,
	F_SET,
	F_COUNT
};
static const char *const fn_names[F_COUNT] = {"acd_enqueue", "acd_route",    "acd_answer",
					      "acd_miss",    "acd_done",     "acd_tick",
					      "acd_remove",  "acd_agent_set"};

struct fn_stat {
	uint64_t calls, ns, max_ns, offers;
};

/* One caller; its index (+1) is the item's arg. gen changes whenever the
 * record is released, so events and offers for an earlier caller in the
 * same record are recognised as stale. */
struct caller {
	struct acd_item *it;
	uint32_t gen;
	uint32_t next_free;
	int queue;
	bool live;
};

struct agent {
	uint64_t serial; /* the offer it is ringing for (0: none) */
	uint32_t ring_caller, ring_gen;
	bool talking;
	enum agent_state st; /* as last reported */
};

/* The offer handler's record of an (item, agent) pair, turned into a
 * phone's answer or ring-out once the acd_* call has returned. */
struct pending {
	uint32_t caller, gen;
	uint32_t agent;
};

enum ev_kind { EV_ANSWER = 0, EV_RINGOUT, EV_DONE, EV_ABANDON, EV_UNPAUSE };

struct event {
	uint64_t at;
	uint64_t serial;
	uint32_t kind, idx, gen, agent;
};

struct queue_plan {
	enum acd_strategy strategy;
	double popularity;
	int skill; /* required, -1: none */
	uint32_t wrapup_ms;
};

static struct bench {
	struct acd *a;
	uint64_t now;
	uint64_t rng;

	struct caller *callerv;
	uint32_t callerc, callersz, free_caller; /* free list, 0: empty */
	size_t waiting;				 /* live callers */

	struct agent agentv[AGENTS];
	size_t st_count[AGENT_ST_COUNT];
	size_t talking;
	uint64_t next_serial;

	struct pending *pendv;
	size_t pendc, pendsz;
	uint64_t offers; /* offer handler calls, ever */

	struct event *evv;
	size_t evc, evsz;

	struct queue_plan plan[QUEUES];
	double pop_cum[QUEUES];
	char queue_names[QUEUES][ACD_NAME];
	char agent_names[AGENTS][ACD_NAME];

	/* measured (after the warm-up) */
	bool measuring;
	struct fn_stat fs[F_COUNT];
	uint32_t *latv; /* ns per decision, one per step that offered */
	size_t latc, latsz;
	uint32_t *tickv; /* ns per acd_tick */
	size_t tickc, ticksz;
	uint64_t arrivals, answered, missed, abandoned, ended, paused;
	uint64_t exits[4], answer_err, miss_err, enqueue_err, contract;
	uint64_t double_offers;
	double sum_working, sum_avail, sum_waiting;
	size_t max_waiting, min_avail, samples;
} B;

/* --- small helpers ---------------------------------------------------- */

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible runs */
	B.rng ^= B.rng >> 12;
	B.rng ^= B.rng << 25;
	B.rng ^= B.rng >> 27;
	return B.rng * 2685821657736338717ULL;
}

static unsigned rndu(unsigned n)
{
	return (unsigned)((rnd() >> 11) % n);
}

static double rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static unsigned poisson(double mean)
{
	double l = exp(-mean), p = 1;
	unsigned k = 0;

	for (;;) {
		p *= rndf();
		if (p <= l)
			return k;
		k++;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	}
	if (f)
		fclose(f);
	return kb;
}

static void *grow(void *v, size_t *szp, size_t elem)
{
	*szp = *szp ? *szp * 2 : 1024;
	v = realloc(v, *szp * elem);
	if (!v) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return v;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Nearest-rank percentile of a sorted array, in microseconds. */
static double pct_us(const uint32_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)ceil(p * (double)n);
	return (double)v[i ? i - 1 : 0] / 1e3;
}

/* --- the event heap (virtual time) ------------------------------------ */

static void ev_push(uint64_t at, enum ev_kind kind, uint32_t idx, uint32_t gen,
		    uint32_t agent, uint64_t serial)
{
	size_t i;

	if (B.evc == B.evsz)
		B.evv = grow(B.evv, &B.evsz, sizeof(*B.evv));
	i = B.evc++;
	while (i > 0 && B.evv[(i - 1) / 2].at > at) {
		B.evv[i] = B.evv[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	B.evv[i] = (struct event){at, serial, kind, idx, gen, agent};
}

static bool ev_pop(uint64_t until, struct event *e)
{
	struct event last;
	size_t i = 0;

	if (!B.evc || B.evv[0].at > until)
		return false;
	*e = B.evv[0];
	last = B.evv[--B.evc];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= B.evc)
			break;
		if (c + 1 < B.evc && B.evv[c + 1].at < B.evv[c].at)
			c++;
		if (B.evv[c].at >= last.at)
			break;
		B.evv[i] = B.evv[c];
		i = c;
	}
	if (B.evc)
		B.evv[i] = last;
	return true;
}

/* --- callers ---------------------------------------------------------- */

static uint32_t caller_new(int queue)
{
	uint32_t i;

	if (B.free_caller) {
		i = B.free_caller - 1;
		B.free_caller = B.callerv[i].next_free;
	} else {
		if (B.callerc == B.callersz) {
			size_t sz = B.callersz;

			B.callerv = grow(B.callerv, &sz, sizeof(*B.callerv));
			memset(B.callerv + B.callersz, 0,
			       (sz - B.callersz) * sizeof(*B.callerv));
			B.callersz = (uint32_t)sz;
		}
		i = B.callerc++;
	}
	B.callerv[i].it = NULL;
	B.callerv[i].queue = queue;
	B.callerv[i].live = true;
	B.waiting++;
	return i;
}

static void caller_release(uint32_t i)
{
	struct caller *c = &B.callerv[i];

	if (!c->live)
		return;
	c->live = false;
	c->it = NULL;
	c->gen++;
	c->next_free = B.free_caller;
	B.free_caller = i + 1;
	B.waiting--;
}

static bool caller_current(uint32_t i, uint32_t gen)
{
	return B.callerv[i].live && B.callerv[i].gen == gen;
}

/* --- handlers: record and count, nothing more ------------------------- */

static void on_offer(struct acd_item *it, const char *agent, void *arg)
{
	uint32_t ci = (uint32_t)((uintptr_t)acd_item_arg(it) - 1);
	long ai = strtol(agent + 1, NULL, 10);
	struct pending *p;

	(void)arg;
	B.offers++;
	if (ai < 0 || ai >= AGENTS || ci >= B.callerc) {
		B.contract++;
		return;
	}
	B.callerv[ci].it = it; /* an offer made inside acd_enqueue */
	if (B.pendc == B.pendsz)
		B.pendv = grow(B.pendv, &B.pendsz, sizeof(*B.pendv));
	p = &B.pendv[B.pendc++];
	p->caller = ci;
	p->gen = B.callerv[ci].gen;
	p->agent = (uint32_t)ai;
}

static void on_exited(void *item_arg, const char *queue, enum acd_exit why, void *arg)
{
	(void)queue;
	(void)arg;
	if ((unsigned)why < 4)
		B.exits[why]++;
	caller_release((uint32_t)((uintptr_t)item_arg - 1));
}

static void on_agent(const char *agent, enum agent_state st, const char *reason,
		     uint64_t now, void *arg)
{
	long ai = strtol(agent + 1, NULL, 10);
	struct agent *ag;

	(void)reason;
	(void)arg;
	if (ai < 0 || ai >= AGENTS || (unsigned)st >= AGENT_ST_COUNT) {
		B.contract++;
		return;
	}
	ag = &B.agentv[ai];
	B.st_count[ag->st]--;
	B.st_count[st]++;
	if (st == AGENT_ST_PAUSED && ag->st != AGENT_ST_PAUSED) {
		/* auto-paused after missed offers: back after a 30-120 s break */
		B.paused++;
		ev_push(now + 30000 + rndu(90000), EV_UNPAUSE, 0, 0, (uint32_t)ai, 0);
	}
	ag->st = st;
}

/* --- timing ----------------------------------------------------------- */

struct mark {
	uint64_t t;
	uint64_t offers;
};

static struct mark mark(void)
{
	return (struct mark){now_ns(), B.offers};
}

/* Accounts one acd_* call begun at m; returns its nanoseconds. */
static uint64_t account(enum fn f, struct mark m)
{
	uint64_t ns = now_ns() - m.t;
	struct fn_stat *s = &B.fs[f];

	if (B.measuring) {
		s->calls++;
		s->ns += ns;
		s->offers += B.offers - m.offers;
		if (ns > s->max_ns)
			s->max_ns = ns;
	}
	return ns;
}

/* The phones react to the offers just made: most answer after 1-8 s,
 * MISS_PCT % ring out. */
static void phones(void)
{
	for (size_t k = 0; k < B.pendc; k++) {
		struct pending *p = &B.pendv[k];
		struct agent *ag = &B.agentv[p->agent];

		if (!caller_current(p->caller, p->gen))
			continue; /* left inside the same call */
		/* capacity 1: talking, or still ringing for a caller who is
		 * waiting, means one offer too many */
		if (ag->talking ||
		    (ag->serial && caller_current(ag->ring_caller, ag->ring_gen)))
			B.double_offers++;
		ag->serial = ++B.next_serial;
		ag->ring_caller = p->caller;
		ag->ring_gen = p->gen;
		if (rndu(100) < MISS_PCT)
			ev_push(B.now + RING_OUT_MS, EV_RINGOUT, p->caller, p->gen,
				p->agent, ag->serial);
		else
			ev_push(B.now + 1000 + rndu(7000), EV_ANSWER, p->caller, p->gen,
				p->agent, ag->serial);
	}
	B.pendc = 0;
}

/* --- what happens at a point of virtual time --------------------------- */

static uint64_t handle_ms(void)
{
	double h = 30000 - 150000 * log(1 - rndf());

	return h > 1800000 ? 1800000 : (uint64_t)h;
}

static void event_run(const struct event *e)
{
	struct agent *ag = &B.agentv[e->agent];
	struct caller *c = &B.callerv[e->idx];
	const char *ext = B.agent_names[e->agent];
	struct mark m;
	int err, q;

	switch (e->kind) {
	case EV_ANSWER:
	case EV_RINGOUT:
		if (ag->serial != e->serial)
			break;
		ag->serial = 0;
		/* a ring-all item another agent took, or a caller who left:
		 * the engine has freed this agent already */
		if (!caller_current(e->idx, e->gen))
			break;
		if (e->kind == EV_RINGOUT) {
			m = mark();
			err = acd_miss(B.a, c->it, ext, B.now);
			account(F_MISS, m);
			if (B.measuring) {
				B.missed++;
				B.miss_err += err != 0;
			}
			phones();
			break;
		}
		q = c->queue;
		m = mark();
		err = acd_answer(B.a, c->it, ext, B.now);
		account(F_ANSWER, m);
		if (err) {
			B.answer_err++;
			phones();
			break;
		}
		caller_release(e->idx);
		ag->talking = true;
		B.talking++;
		if (B.measuring)
			B.answered++;
		ev_push(B.now + handle_ms(), EV_DONE, (uint32_t)q, 0, e->agent, 0);
		phones();
		break;
	case EV_DONE:
		ag->talking = false;
		B.talking--;
		m = mark();
		acd_done(B.a, ext, ACD_VOICE, B.queue_names[e->idx], B.now);
		account(F_DONE, m);
		if (B.measuring)
			B.ended++;
		phones();
		break;
	case EV_ABANDON:
		if (!caller_current(e->idx, e->gen))
			break;
		m = mark();
		acd_remove(B.a, c->it, B.now);
		account(F_REMOVE, m);
		caller_release(e->idx);
		if (B.measuring)
			B.abandoned++;
		phones();
		break;
	case EV_UNPAUSE:
		m = mark();
		err = acd_agent_set(B.a, ext, AGENT_AVAILABLE, NULL, B.now);
		account(F_SET, m);
		if (err)
			B.contract++;
		phones();
		break;
	}
}

static int queue_pick(void)
{
	double x = rndf() * B.pop_cum[QUEUES - 1];
	int lo = 0, hi = QUEUES - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (B.pop_cum[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One caller arrives; returns the nanoseconds spent in acd_enqueue. */
static uint64_t arrive(void)
{
	int q = queue_pick();
	uint32_t ci = caller_new(q);
	struct acd_item *it = NULL;
	uint64_t ns;
	struct mark m;
	int err;

	m = mark();
	err = acd_enqueue(B.a, B.queue_names[q], rndu(100) < VIP_PCT ? 10 : 0, B.now,
			  (void *)(uintptr_t)(ci + 1), &it);
	ns = account(F_ENQUEUE, m);
	if (B.measuring)
		B.arrivals++;
	if (err || !it) {
		if (err)
			B.enqueue_err++;
		else if (B.callerv[ci].live)
			B.contract++; /* refused without the exited handler */
		caller_release(ci);
	} else {
		uint64_t patience;

		B.callerv[ci].it = it;
		/* four in ten are impatient (10-120 s), the rest hang up
		 * after 5-15 minutes */
		patience = rndu(10) < 4 ? 10000 + rndu(110000) : 300000 + rndu(600000);
		ev_push(B.now + patience, EV_ABANDON, ci, B.callerv[ci].gen, 0, 0);
	}
	phones();
	return ns;
}

/* --- set-up ----------------------------------------------------------- */

static void plan_queues(void)
{
	/* weighted towards longest-idle and skills; ring-all is rare, as
	 * it rings every free member at once */
	static const struct {
		enum acd_strategy s;
		int n;
	} mix[] = {{ACD_LONGEST_IDLE, 60},    {ACD_SKILLS, 60}, {ACD_LEAST_CALLS, 20},
		   {ACD_ROUND_ROBIN, 16},     {ACD_LINEAR, 14}, {ACD_RANDOM, 10},
		   {ACD_WEIGHTED_RANDOM, 14}, {ACD_RING_ALL, 6}};
	enum acd_strategy sv[QUEUES] = {ACD_LONGEST_IDLE};
	int n = 0;
	double cum = 0;

	for (size_t k = 0; k < sizeof(mix) / sizeof(mix[0]); k++)
		for (int j = 0; j < mix[k].n; j++)
			sv[n++] = mix[k].s;
	for (int i = QUEUES - 1; i > 0; i--) {
		int j = (int)rndu((unsigned)i + 1);
		enum acd_strategy t = sv[i];

		sv[i] = sv[j];
		sv[j] = t;
	}
	for (int q = 0; q < QUEUES; q++) {
		struct queue_plan *p = &B.plan[q];

		p->strategy = sv[q];
		/* a few hot queues, a long tail (Zipf-like, exponent 0.6) */
		p->popularity = 1 / pow(1 + rndu(QUEUES), 0.6);
		/* 85 % need one skill (skills queues always); skill q % 50
		 * spreads them 3-4 queues per skill */
		p->skill = p->strategy == ACD_SKILLS || rndu(100) < 85 ? q % SKILLS : -1;
		p->wrapup_ms = rndu(6) * 1000;
		cum += p->popularity;
		B.pop_cum[q] = cum;
		snprintf(B.queue_names[q], ACD_NAME, "q%03d", q);
	}
}

static int add_queues(void)
{
	for (int q = 0; q < QUEUES; q++) {
		const struct queue_plan *p = &B.plan[q];
		struct acd_queue_conf qc;
		int err;

		memset(&qc, 0, sizeof(qc));
		snprintf(qc.name, sizeof(qc.name), "%s", B.queue_names[q]);
		qc.channel = ACD_VOICE;
		qc.strategy = p->strategy;
		qc.priority = rndu(10) < 7 ? 0 : 1 + (int)rndu(5);
		qc.tier_wait_ms = 5000 + rndu(4) * 5000;
		qc.max_wait_ms = rndu(3) ? 300000 + rndu(7) * 100000 : 0;
		qc.max_len = rndu(4) ? 0 : 60;
		qc.join_empty = rndu(10) != 0;
		qc.wrapup_ms = p->wrapup_ms;
		qc.auto_pause = rndu(2) ? 3 : 0;
		if (p->skill >= 0) {
			snprintf(qc.skills[0].name, ACD_NAME, "s%02d", p->skill);
			/* one queue in five wants some experience */
			qc.skills[0].level = q % 5 ? 1 : 3;
			qc.skillc = 1;
		}
		err = acd_queue_add(B.a, &qc);
		if (err) {
			fprintf(stderr, "acd_queue_add %s: %s\n", qc.name, strerror(err));
			return err;
		}
	}
	return 0;
}

/* Agents with 2-4 random skills (levels 1-10), each a member of 3-5
 * queues drawn by popularity among the queues it may serve (those
 * needing one of its skills, and those needing none). */
static int add_agents(size_t *membersp, size_t *epermp)
{
	static const uint32_t cap[ACD_CHANNELS] = {1, 0, 0, 0};
	size_t members = 0, eperm = 0;

	for (int i = 0; i < AGENTS; i++) {
		struct acd_skill sk[4];
		bool has[SKILLS] = {false};
		int cand[QUEUES], candc = 0, skc = 2 + (int)rndu(3);
		int want = 3 + (int)rndu(3), got = 0, err;
		double candw[QUEUES], total = 0;

		snprintf(B.agent_names[i], ACD_NAME, "a%05d", i);
		memset(sk, 0, sizeof(sk));
		for (int k = 0; k < skc; k++) {
			int s;

			do
				s = (int)rndu(SKILLS);
			while (has[s]);
			has[s] = true;
			snprintf(sk[k].name, ACD_NAME, "s%02d", s);
			sk[k].level = (uint8_t)(1 + rndu(10));
		}
		err = acd_agent_add(B.a, B.agent_names[i], sk, (size_t)skc, cap);
		if (err) {
			fprintf(stderr, "acd_agent_add %s: %s\n", B.agent_names[i],
				strerror(err));
			return err;
		}
		for (int q = 0; q < QUEUES; q++) {
			if (B.plan[q].skill < 0 || has[B.plan[q].skill]) {
				cand[candc] = q;
				candw[candc++] = B.plan[q].popularity;
				total += B.plan[q].popularity;
			}
		}
		for (int tries = 0; got < want && tries < 40 && total > 0; tries++) {
			double x = rndf() * total;
			int k = 0;
			unsigned r = rndu(100), tier = r < 60 ? 0 : r < 85 ? 1 : 2;

			while (k < candc - 1 && x >= candw[k])
				x -= candw[k++];
			err = acd_member_add(B.a, B.queue_names[cand[k]],
					     B.agent_names[i], tier, 1 + rndu(5));
			if (!err) {
				got++;
				members++;
			} else if (err == EPERM) {
				eperm++; /* level below the queue's minimum */
			} else if (err != EEXIST) {
				fprintf(stderr, "acd_member_add %s %s: %s\n",
					B.queue_names[cand[k]], B.agent_names[i],
					strerror(err));
				return err;
			}
			if (err) {
				/* do not draw it again */
				total -= candw[k];
				candw[k] = 0;
			}
		}
	}
	*membersp = members;
	*epermp = eperm;
	return 0;
}

/* --- the run ---------------------------------------------------------- */

static void sample(void)
{
	size_t working = B.st_count[AGENT_ST_RINGING] + B.st_count[AGENT_ST_BUSY] +
			 B.st_count[AGENT_ST_WRAPUP];
	size_t avail = B.st_count[AGENT_ST_AVAILABLE];

	B.sum_working += (double)working;
	B.sum_avail += (double)avail;
	B.sum_waiting += (double)B.waiting;
	if (B.waiting > B.max_waiting)
		B.max_waiting = B.waiting;
	if (!B.samples || avail < B.min_avail)
		B.min_avail = avail;
	B.samples++;
}

/* Arrivals per second that hold the agents at OCCUPANCY: an answered
 * call keeps an agent ~187 s (ring 4.5 s, talk 180 s, wrap-up 2.5 s);
 * corrected by how far the occupancy is from the target. */
static double arrival_rate(void)
{
	double working =
	    (double)(B.st_count[AGENT_ST_RINGING] + B.st_count[AGENT_ST_BUSY] +
		     B.st_count[AGENT_ST_WRAPUP]);
	double f = 1 + 4 * (OCCUPANCY - working / AGENTS);

	if (f < 0.3)
		f = 0.3;
	if (f > 2)
		f = 2;
	return AGENTS * OCCUPANCY / 187.0 * f;
}

static void start_measuring(void)
{
	B.measuring = true;
	memset(B.fs, 0, sizeof(B.fs));
	memset(B.exits, 0, sizeof(B.exits));
	B.paused = 0;
	B.answer_err = B.miss_err = B.enqueue_err = 0;
	B.double_offers = 0;
}

int main(int argc, char *argv[])
{
	uint64_t target = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	struct acd_handlers h = {on_offer, on_exited, on_agent, NULL, NULL};
	static const char reasons[3][32] = {"break", "lunch", "training"};
	uint64_t t0, setup_ns, offers0 = 0, vstart = 0, wall0, engine_ns = 0,
			       brief_ns = 0;
	uint64_t decisions, check_ns, day;
	size_t members = 0, eperm = 0, engine_st[AGENT_ST_COUNT] = {0};
	long rss0, rss1, rss2;
	struct event e;
	int err, check;

	if (!target)
		return 2;
	B.rng = getenv("BENCH_SEED") ? strtoull(getenv("BENCH_SEED"), NULL, 10) | 1
				     : 0x9e3779b97f4a7c15ULL;
	if (libre_init())
		return 1;
	log_set_level(LOG_WARN);
	B.st_count[AGENT_ST_AVAILABLE] = AGENTS; /* agents start available */
	for (int i = 0; i < AGENTS; i++)
		B.agentv[i].st = AGENT_ST_AVAILABLE;
	plan_queues();
	rss0 = rss_kb();

	t0 = now_ns();
	err = acd_alloc(&B.a, &h);
	if (!err)
		err = acd_reasons_set(B.a, reasons, 3);
	if (!err)
		err = add_queues();
	if (!err)
		err = add_agents(&members, &eperm);
	setup_ns = now_ns() - t0;
	if (err) {
		fprintf(stderr, "set-up failed: %s\n", strerror(err));
		return 1;
	}
	rss1 = rss_kb();

	B.now = START_MS;
	day = B.now / DAY_MS;
	wall0 = now_ns();
	for (;;) {
		uint64_t step_ns = 0, step_offers, ns;
		unsigned n;
		struct mark m;

		if (!B.measuring && B.now - START_MS >= WARMUP_MS) {
			start_measuring();
			offers0 = B.offers;
			vstart = B.now;
		}
		if (B.measuring && B.offers - offers0 >= target)
			break;
		B.now += STEP_MS;
		if (B.now / DAY_MS != day) {
			day = B.now / DAY_MS;
			acd_new_day(B.a);
		}
		while (ev_pop(B.now, &e))
			event_run(&e);

		/* arrivals, then route: the latency of a decision is this
		 * step's acd_enqueue + acd_route time over its offers */
		step_offers = B.offers;
		n = poisson(arrival_rate() * STEP_MS / 1000.0);
		for (unsigned k = 0; k < n; k++)
			step_ns += arrive();
		m = mark();
		acd_route(B.a, B.now);
		step_ns += account(F_ROUTE, m);
		phones();
		step_offers = B.offers - step_offers;
		if (B.measuring && step_offers) {
			if (B.latc == B.latsz)
				B.latv = grow(B.latv, &B.latsz, sizeof(*B.latv));
			ns = step_ns / step_offers;
			B.latv[B.latc++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
		}

		if (B.now % TICK_MS == 0) {
			m = mark();
			acd_tick(B.a, B.now);
			ns = account(F_TICK, m);
			phones();
			if (B.measuring) {
				if (B.tickc == B.ticksz)
					B.tickv =
					    grow(B.tickv, &B.ticksz, sizeof(*B.tickv));
				B.tickv[B.tickc++] =
				    ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
				sample();
			}
		}
	}
	wall0 = now_ns() - wall0;
	decisions = B.offers - offers0;
	rss2 = rss_kb();

	t0 = now_ns();
	check = acd_check(B.a);
	check_ns = now_ns() - t0;
	for (size_t i = 0; i < acd_agent_count(B.a); i++) {
		struct acd_agent_info in;

		if (!acd_agent_at(B.a, i, &in) && (unsigned)in.state < AGENT_ST_COUNT)
			engine_st[in.state]++;
	}

	for (int f = 0; f < F_COUNT; f++) {
		engine_ns += B.fs[f].ns;
		if (f <= F_TICK)
			brief_ns += B.fs[f].ns;
	}
	qsort(B.latv, B.latc, sizeof(*B.latv), cmp_u32);
	qsort(B.tickv, B.tickc, sizeof(*B.tickv), cmp_u32);

	printf("agents: %d (2-4 skills each, voice capacity 1)\n", AGENTS);
	printf("queues: %d (", QUEUES);
	for (int s = ACD_RING_ALL; s <= ACD_SKILLS; s++) {
		int c = 0;

		for (int q = 0; q < QUEUES; q++)
			c += B.plan[q].strategy == (enum acd_strategy)s;
		printf("%s%s %d", s ? ", " : "", acd_strategy_name((enum acd_strategy)s),
		       c);
	}
	printf(")\n");
	printf("skills: %d\n", SKILLS);
	printf("memberships: %zu (%.1f per agent; %zu refused with EPERM)\n", members,
	       (double)members / AGENTS, eperm);
	printf("set-up: %.1f ms\n", setup_ns / 1e6);
	printf("rss before set-up: %ld KB\n", rss0);
	printf("rss after set-up: %ld KB\n", rss1);
	printf("rss at the end: %ld KB\n", rss2);
	printf("virtual time measured: %.0f s (after %d s of warm-up)\n",
	       (double)(B.now - vstart) / 1000, WARMUP_MS / 1000);
	printf("wall time of the run: %.1f s\n", wall0 / 1e9);
	printf("arrivals: %llu\n", (unsigned long long)B.arrivals);
	printf("answered: %llu\n", (unsigned long long)B.answered);
	printf("missed (rang out): %llu\n", (unsigned long long)B.missed);
	printf("abandoned: %llu\n", (unsigned long long)B.abandoned);
	printf("exited by rule: timeout %llu, full %llu, empty %llu\n",
	       (unsigned long long)B.exits[ACD_EXIT_TIMEOUT],
	       (unsigned long long)B.exits[ACD_EXIT_FULL],
	       (unsigned long long)B.exits[ACD_EXIT_EMPTY]);
	printf("conversations ended: %llu\n", (unsigned long long)B.ended);
	printf("auto-pauses: %llu\n", (unsigned long long)B.paused);
	printf("agents working (ringing, talking, wrap-up), mean: %.1f %%\n",
	       B.samples ? 100 * B.sum_working / (double)B.samples / AGENTS : 0);
	printf("agents available, mean: %.0f (min %zu)\n",
	       B.samples ? B.sum_avail / (double)B.samples : 0, B.min_avail);
	printf("callers waiting or ringing, mean: %.0f (max %zu)\n",
	       B.samples ? B.sum_waiting / (double)B.samples : 0, B.max_waiting);
	printf("decisions: %llu\n", (unsigned long long)decisions);
	printf("engine time: %.3f s\n", engine_ns / 1e9);
	printf("decisions/s: %.0f\n", engine_ns ? decisions / (engine_ns / 1e9) : 0);
	printf("decisions/s (enqueue, route, answer, miss, done, tick only): %.0f\n",
	       brief_ns ? (double)(B.offers - offers0 - B.fs[F_REMOVE].offers -
				   B.fs[F_SET].offers) /
			      (brief_ns / 1e9)
			: 0);
	printf("decision latency samples: %zu\n", B.latc);
	printf("decision latency p50: %.2f us\n", pct_us(B.latv, B.latc, 0.50));
	printf("decision latency p99: %.2f us\n", pct_us(B.latv, B.latc, 0.99));
	printf("decision latency p99.9: %.2f us\n", pct_us(B.latv, B.latc, 0.999));
	printf("decision latency max: %.2f us\n", B.latc ? B.latv[B.latc - 1] / 1e3 : 0);
	printf("acd_tick p50: %.2f us\n", pct_us(B.tickv, B.tickc, 0.50));
	printf("acd_tick p99: %.2f us\n", pct_us(B.tickv, B.tickc, 0.99));
	printf("acd_tick max: %.2f us\n", B.tickc ? B.tickv[B.tickc - 1] / 1e3 : 0);
	for (int f = 0; f < F_COUNT; f++) {
		const struct fn_stat *s = &B.fs[f];

		printf("%s: %llu calls, %.3f s, mean %.2f us, max %.1f us, %llu offers\n",
		       fn_names[f], (unsigned long long)s->calls, s->ns / 1e9,
		       s->calls ? s->ns / 1e3 / (double)s->calls : 0, s->max_ns / 1e3,
		       (unsigned long long)s->offers);
	}
	printf("errors: acd_answer %llu, acd_miss %llu, acd_enqueue %llu, "
	       "contract %llu, offers beyond capacity %llu\n",
	       (unsigned long long)B.answer_err, (unsigned long long)B.miss_err,
	       (unsigned long long)B.enqueue_err, (unsigned long long)B.contract,
	       (unsigned long long)B.double_offers);
	printf("agent states reported match the engine's: %s\n",
	       memcmp(engine_st, B.st_count, sizeof(engine_st)) ? "no" : "yes");
	printf("acd_check: %d (%s, %.1f ms)\n", check, check ? "BROKEN" : "ok",
	       check_ns / 1e6);
	printf(
	    "summary: %llu decisions, %.0f decisions/s, latency p50 %.2f us p99 %.2f us "
	    "p99.9 %.2f us max %.1f us, set-up %.0f ms, rss %ld KB, acd_check %s\n",
	    (unsigned long long)decisions, engine_ns ? decisions / (engine_ns / 1e9) : 0,
	    pct_us(B.latv, B.latc, 0.50), pct_us(B.latv, B.latc, 0.99),
	    pct_us(B.latv, B.latc, 0.999), B.latc ? B.latv[B.latc - 1] / 1e3 : 0,
	    setup_ns / 1e6, rss2, check ? "BROKEN" : "ok");

	B.a = mem_deref(B.a);
	free(B.callerv);
	free(B.pendv);
	free(B.evv);
	free(B.latv);
	free(B.tickv);
	libre_close();
	return check ? 1 : 0;
}
