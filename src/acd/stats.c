/*
 * stats.c — queue and agent figures computed from events alone, as
 * docs/METRICS.md defines them. The same code serves the live figures (fed by
 * the event bus) and reports (fed from the stored event log), so the two
 * always agree.
 *
 * Not here: live counts that are a snapshot rather than a sum (callers
 * waiting, agents by state now: acd_queue_info).
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "acd/acd.h"

#define DAY_MS	   86400000ULL
#define DEFAULT_SL 20000
#define STATS_NAME 32

struct qstat {
	char name[STATS_NAME];
	struct acd_queue_stats st;
};

struct astat {
	char ext[STATS_NAME];
	enum agent_state state;
	uint64_t since; /* of the current state */
	bool known;	/* a state event was seen */
	uint64_t time_ms[AGENT_ST_COUNT];
	uint32_t answered, noanswer;
	char queue[STATS_NAME]; /* the queue of its last conversation */
	uint64_t wrapup_from;
};

struct acd_stats {
	uint64_t day_start;
	uint32_t short_ms;
	struct qstat *qv;
	size_t qc, qsz;
	struct astat *av;
	size_t ac, asz;
};

static void stats_destructor(void *arg)
{
	struct acd_stats *s = arg;
	mem_deref(s->qv);
	mem_deref(s->av);
}

int acd_stats_alloc(struct acd_stats **sp, uint64_t day_start, uint32_t short_abandon_ms)
{
	struct acd_stats *s;

	if (!sp)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), stats_destructor);
	if (!s)
		return ENOMEM;
	s->day_start = day_start;
	s->short_ms = short_abandon_ms;
	*sp = s;
	return 0;
}

/* Grows v (elements of elem bytes) to hold n + 1, zeroing the new one. */
static void *slot_new(void **v, size_t *n, size_t *sz, size_t elem)
{
	if (*n == *sz) {
		size_t nsz = *sz ? *sz * 2 : 16;
		void *nv = *v ? mem_realloc(*v, nsz * elem) : mem_alloc(nsz * elem, NULL);
		if (!nv)
			return NULL;
		*v = nv;
		*sz = nsz;
	}
	memset((char *)*v + *n * elem, 0, elem);
	return (char *)*v + (*n)++ * elem;
}

static struct qstat *qstat_get(struct acd_stats *s, const char *name, bool create)
{
	struct qstat *q;

	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < s->qc; i++) {
		if (!strcmp(s->qv[i].name, name))
			return &s->qv[i];
	}
	if (!create)
		return NULL;
	q = slot_new((void **)&s->qv, &s->qc, &s->qsz, sizeof(*q));
	if (!q)
		return NULL;
	util_copy(q->name, sizeof(q->name), name);
	q->st.sl_threshold_ms = DEFAULT_SL;
	return q;
}

static struct astat *astat_get(struct acd_stats *s, const char *ext, bool create)
{
	struct astat *a;

	if (!ext || !*ext)
		return NULL;
	for (size_t i = 0; i < s->ac; i++) {
		if (!strcmp(s->av[i].ext, ext))
			return &s->av[i];
	}
	if (!create)
		return NULL;
	a = slot_new((void **)&s->av, &s->ac, &s->asz, sizeof(*a));
	if (!a)
		return NULL;
	util_copy(a->ext, sizeof(a->ext), ext);
	a->state = AGENT_ST_LOGGED_OUT;
	return a;
}

int acd_stats_threshold(struct acd_stats *s, const char *queue, uint32_t sl_ms)
{
	struct qstat *q = s ? qstat_get(s, queue, true) : NULL;

	if (!q)
		return ENOMEM;
	q->st.sl_threshold_ms = sl_ms ? sl_ms : DEFAULT_SL;
	return 0;
}

/* A new day: sums start again; what agents are doing carries over. */
static void stats_roll(struct acd_stats *s, uint64_t ts)
{
	uint64_t start;

	if (!s->day_start || ts < s->day_start + DAY_MS)
		return;
	start = s->day_start + (ts - s->day_start) / DAY_MS * DAY_MS;
	for (size_t i = 0; i < s->qc; i++) {
		uint32_t sl = s->qv[i].st.sl_threshold_ms;
		memset(&s->qv[i].st, 0, sizeof(s->qv[i].st));
		s->qv[i].st.sl_threshold_ms = sl;
	}
	for (size_t i = 0; i < s->ac; i++) {
		struct astat *a = &s->av[i];
		memset(a->time_ms, 0, sizeof(a->time_ms));
		a->answered = a->noanswer = 0;
		if (a->known)
			a->since = start;
		if (a->wrapup_from)
			a->wrapup_from = start;
	}
	s->day_start = start;
}

static const char *const exit_names[ACD_EXITS] = {"timeout", "full", "empty", "key"};

const char *acd_exit_name(enum acd_exit e)
{
	return (unsigned)e < ACD_EXITS ? exit_names[e] : "?";
}

static void agent_state_event(struct acd_stats *s, const struct hl_event *ev)
{
	struct astat *a = astat_get(s, ev->agent, true);
	const char *name = event_str(ev, "state");
	int st;

	if (!a || !name)
		return;
	for (st = 0; st < AGENT_ST_COUNT; st++) {
		if (!strcmp(acd_state_name((enum agent_state)st), name))
			break;
	}
	if (st == AGENT_ST_COUNT)
		return;
	if (a->known && ev->ts > a->since)
		a->time_ms[a->state] += ev->ts - a->since;
	/* wrap-up time belongs to the queue of the conversation before */
	if (a->state == AGENT_ST_WRAPUP && st != AGENT_ST_WRAPUP) {
		struct qstat *q = qstat_get(s, a->queue, false);
		if (q && a->wrapup_from && ev->ts > a->wrapup_from)
			q->st.wrapup_ms += ev->ts - a->wrapup_from;
		a->wrapup_from = 0;
	}
	if (st == AGENT_ST_WRAPUP && a->state != AGENT_ST_WRAPUP)
		a->wrapup_from = ev->ts;
	a->state = (enum agent_state)st;
	a->since = ev->ts;
	a->known = true;
}

/* The chat adapter marks the agent's first reply of a chat ("reply":
 * "first") with the time since the chat began (first_response_ms); a
 * figure of the chat's queue at that moment, like the answer. The mark and
 * not the number says it is one: a reply in the same millisecond is 0. */
static void first_response_event(struct acd_stats *s, const struct hl_event *ev)
{
	const char *reply = event_str(ev, "reply");
	struct qstat *q;

	if (!reply || strcmp(reply, "first"))
		return;
	q = qstat_get(s, ev->queue, true);
	if (!q)
		return;
	q->st.first_responses++;
	q->st.first_response_total_ms += event_num(ev, "first_response_ms");
}

bool acd_stats_moves(const struct hl_event *ev)
{
	const char *reply;

	if (!ev || !ev->name)
		return false;
	if (!strncmp(ev->name, "queue.", 6)) /* without a queue: all of them */
		return true;
	if (!ev->queue)
		return false;
	if (ev->type == EVENT_AGENT_NOANSWER)
		return true;
	reply = ev->type == EVENT_CHAT_MESSAGE ? event_str(ev, "reply") : NULL;
	return reply && !strcmp(reply, "first");
}

void acd_stats_feed(struct acd_stats *s, const struct hl_event *ev)
{
	struct qstat *q;
	struct acd_queue_stats *st;
	const char *reason;
	uint64_t wait;

	if (!s || !ev || !ev->name)
		return;
	stats_roll(s, ev->ts);
	if (ev->type == EVENT_AGENT_STATE) {
		agent_state_event(s, ev);
		return;
	}
	if (ev->type == EVENT_CHAT_MESSAGE) {
		first_response_event(s, ev);
		return;
	}
	if (strncmp(ev->name, "queue.", 6) && ev->type != EVENT_AGENT_NOANSWER)
		return;
	q = qstat_get(s, ev->queue, true);
	if (!q)
		return;
	st = &q->st;
	wait = event_num(ev, "wait_ms");
	if (ev->type == EVENT_QUEUE_ENTERED) {
		st->offered++;
	} else if (ev->type == EVENT_QUEUE_ANSWERED) {
		struct astat *a = astat_get(s, ev->agent, true);
		st->answered++;
		st->wait_answered_ms += wait;
		if (wait > st->max_wait_ms)
			st->max_wait_ms = wait;
		if (wait <= st->sl_threshold_ms)
			st->answered_in_sl++;
		if (a)
			a->answered++;
	} else if (ev->type == EVENT_QUEUE_ABANDONED) {
		if (wait < s->short_ms) {
			st->short_abandoned++;
		} else {
			st->abandoned++;
			if (wait <= st->sl_threshold_ms)
				st->abandoned_in_sl++;
		}
	} else if (ev->type == EVENT_QUEUE_EXITED) {
		st->exited++;
		reason = event_str(ev, "reason");
		if (reason) {
			for (int i = 0; i < ACD_EXITS; i++) {
				if (!strcmp(reason, exit_names[i]))
					st->exits[i]++;
			}
		}
	} else if (ev->type == EVENT_QUEUE_COMPLETED ||
		   ev->type == EVENT_QUEUE_TRANSFERRED) {
		struct astat *a = astat_get(s, ev->agent, true);
		st->handled++;
		st->talk_ms += event_num(ev, "talk_ms");
		if (ev->type == EVENT_QUEUE_TRANSFERRED)
			st->transferred++;
		if (a)
			util_copy(a->queue, sizeof(a->queue), q->name);
	} else if (ev->type == EVENT_AGENT_NOANSWER) {
		struct astat *a = astat_get(s, ev->agent, true);
		st->noanswer++;
		if (a)
			a->noanswer++;
	}
}

void acd_stats_feed_h(const struct hl_event *ev, void *arg)
{
	acd_stats_feed(arg, ev);
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : -1;
}

int acd_stats_queue(struct acd_stats *s, const char *queue, uint64_t now,
		    struct acd_queue_stats *out)
{
	struct qstat *q;
	struct acd_queue_stats *st;
	uint32_t base;

	if (!s || !out)
		return EINVAL;
	stats_roll(s, now);
	q = qstat_get(s, queue, false);
	memset(out, 0, sizeof(*out));
	out->sl_threshold_ms = DEFAULT_SL;
	if (q)
		*out = q->st;
	st = out;
	st->service_level = ratio(st->answered_in_sl, st->answered);
	st->service_level_abandons =
	    ratio(st->answered_in_sl + st->abandoned_in_sl, st->answered + st->abandoned);
	st->asa_ms = ratio((double)st->wait_answered_ms, st->answered);
	st->aht_ms = ratio((double)(st->talk_ms + st->wrapup_ms), st->handled);
	st->first_response_ms =
	    ratio((double)st->first_response_total_ms, st->first_responses);
	base = st->offered - st->short_abandoned - st->exited;
	st->abandon_rate = st->offered >= st->short_abandoned + st->exited
			       ? ratio(st->abandoned, base)
			       : -1;
	return q ? 0 : ENOENT;
}

int acd_stats_agent(struct acd_stats *s, const char *agent, uint64_t now,
		    struct acd_agent_stats *out)
{
	struct astat *a;
	uint64_t *t, work, ready, logged;

	if (!s || !out)
		return EINVAL;
	stats_roll(s, now);
	memset(out, 0, sizeof(*out));
	a = astat_get(s, agent, false);
	if (a) {
		memcpy(out->time_ms, a->time_ms, sizeof(out->time_ms));
		if (a->known && now > a->since)
			out->time_ms[a->state] += now - a->since;
		out->answered = a->answered;
		out->noanswer = a->noanswer;
	}
	t = out->time_ms;
	work = t[AGENT_ST_BUSY] + t[AGENT_ST_WRAPUP];
	ready = t[AGENT_ST_AVAILABLE] + t[AGENT_ST_RINGING] + work;
	logged = ready + t[AGENT_ST_PAUSED];
	out->occupancy = ratio((double)work, (double)ready);
	out->utilisation = ratio((double)work, (double)logged);
	return a ? 0 : ENOENT;
}
