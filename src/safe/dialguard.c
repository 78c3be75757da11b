/*
 * dialguard.c — the dial guard (issue 18): every path that dials out asks
 * it first. It owns the outbound calls in flight (for the concurrency
 * limits), the attempts per source in the current minute, and today's
 * outbound time per class (for the daily caps); it does not place calls
 * (the call controller does) nor answer requests (the API and the call
 * controller turn a refusal into 403). One per process, for the tenant
 * applied; main thread only.
 *
 * Emergency numbers are never refused by a limit: a cap must not stop a
 * call for help. Internal numbers cost nothing and skip the limits too.
 * Today's time per class is counted from dialling to hang-up, so ringing
 * counts (a cap errs on the side of the bill); it starts again at 00:00
 * UTC, and a restart reads today's back from the stored events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "safe/safe.h"
#include "safe/net.h"

#define MAX_SOURCES 4096 /* attempt counters kept (a spray stays bounded) */

struct outcall {
	struct le le;
	char id[48];
	char agent[CFG_EXT];
	enum safe_dial_class cls;
	uint64_t started;
};

struct source {
	struct le le;
	char name[96];
	uint64_t minute;
	uint32_t n;
};

static struct {
	const struct cfg_tenant *t;
	enum safe_plan plan;
	struct list calls; /* struct outcall */
	size_t callc;
	struct list sources; /* struct source, oldest first */
	size_t sourcec;
	uint64_t day;
	uint64_t used_ms[SAFE_DIAL_CLASSES];
	uint8_t alerted[SAFE_DIAL_CLASSES]; /* 0, 80 or 100: what was said */
	bool subscribed;
	bool restoring; /* safe_dial_restore: the alerts were said before */
} g;

static void on_event(const struct hl_event *ev, void *arg)
{
	(void)arg;
	if (ev->call && ev->type == EVENT_CALL_ENDED)
		safe_dial_ended(ev->call, ev->ts ? ev->ts : clock_now_ms());
}

int safe_dial_tenant(const struct cfg_tenant *t)
{
	int err;

	if (!t)
		return EINVAL;
	if (!g.subscribed) {
		err = event_subscribe(on_event, NULL);
		if (err)
			return err;
		g.subscribed = true;
	}
	mem_deref((void *)g.t);
	g.t = mem_ref((void *)t);
	if (!t->dialing.plan[0] || safe_plan_parse(&g.plan, t->dialing.plan))
		g.plan = safe_plan_for_country(t->country);
	return 0;
}

void safe_dial_close(void)
{
	if (g.subscribed)
		event_unsubscribe(on_event, NULL);
	list_flush(&g.calls);
	list_flush(&g.sources);
	g.t = mem_deref((void *)g.t);
	memset(&g, 0, sizeof(g));
}

/* The class of the one who asked: its agent's, else its queue's, else
 * its flow's, else its trusted network's, else the tenant's default. */
static uint32_t allowed(const struct cfg_dialing *d, const struct safe_dial_req *rq,
			const char **who)
{
	static const enum cfg_dial_kind order[] = {CFG_DIAL_AGENT, CFG_DIAL_QUEUE,
						   CFG_DIAL_FLOW, CFG_DIAL_TRUSTED};
	const char *names[] = {rq->agent, rq->queue, rq->flow, rq->addr};
	struct sa sa;

	for (size_t k = 0; k < 4; k++) {
		if (!names[k] || !names[k][0])
			continue;
		for (size_t i = 0; i < d->rulec; i++) {
			const struct cfg_dial_rule *r = &d->rulev[i];
			struct safe_net net;

			if (r->kind != order[k])
				continue;
			if (r->kind == CFG_DIAL_TRUSTED
				? !sa_set_str(&sa, names[k], 0) &&
				      !safe_net_parse(&net, r->name) &&
				      safe_net_match(&net, &sa)
				: !strcmp(r->name, names[k])) {
				*who = r->name;
				return r->allow;
			}
		}
	}
	/* a trusted address without a class of its own is trusted for
	 * inbound calls (a carrier): it can never dial out */
	if (rq->addr && rq->addr[0] && !rq->agent) {
		*who = "a trusted address (inbound only)";
		return SAFE_DIAL_BIT(SAFE_DIAL_INTERNAL);
	}
	*who = "the tenant's default";
	return d->allow;
}

static void class_list(char *buf, size_t sz, uint32_t allow)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < SAFE_DIAL_CLASSES; c++) {
		if (allow & SAFE_DIAL_BIT(c))
			n += (size_t)snprintf(buf + n, n < sz ? sz - n : 0, "%s%s",
					      n ? ", " : "", safe_dial_class_name(c));
	}
}

static void new_day(uint64_t now)
{
	uint64_t day = now / 86400000ULL;

	if (day == g.day)
		return;
	g.day = day;
	memset(g.used_ms, 0, sizeof(g.used_ms));
	memset(g.alerted, 0, sizeof(g.alerted));
}

/* Counts an attempt of source in this minute; the count so far. */
static uint32_t attempt(const char *name, uint64_t now)
{
	uint64_t minute = now / 60000;
	struct source *s;
	struct le *le;

	LIST_FOREACH(&g.sources, le)
	{
		s = le->data;
		if (!strcmp(s->name, name)) {
			if (s->minute != minute) {
				s->minute = minute;
				s->n = 0;
			}
			return ++s->n;
		}
	}
	if (g.sourcec >= MAX_SOURCES) {
		s = list_ledata(list_head(&g.sources));
		list_unlink(&s->le);
		mem_deref(s);
		g.sourcec--;
	}
	s = mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return 1;
	util_copy(s->name, sizeof(s->name), name);
	s->minute = minute;
	s->n = 1;
	list_append(&g.sources, &s->le, s);
	g.sourcec++;
	return 1;
}

static size_t agent_calls(const char *agent)
{
	size_t n = 0;
	struct le *le;

	LIST_FOREACH(&g.calls, le)
	{
		const struct outcall *c = le->data;
		n += agent && !strcmp(c->agent, agent);
	}
	return n;
}

static int refuse(const struct safe_dial_req *rq, struct safe_dial_verdict *v,
		  const char *code)
{
	char masked[40], reason[sizeof(v->reason)];

	v->code = code;
	util_copy(reason, sizeof(reason), v->reason);
	log_warn("dial: refused number=%s class=%s agent=%s queue=%s code=%s",
		 log_mask(masked, sizeof(masked), rq->number),
		 safe_dial_class_name(v->cls), rq->agent ? rq->agent : "-",
		 rq->queue ? rq->queue : "-", code);
	event_emit_pack(EVENT_CALL_DIAL_REFUSED, NULL, rq->agent, rq->queue,
			"{s:s,s:s,s:s}", "class", safe_dial_class_name(v->cls), "code",
			code, "reason", reason);
	return EPERM;
}

int safe_dial_check(const struct safe_dial_req *rq, uint64_t now_ms,
		    struct safe_dial_verdict *v)
{
	const struct cfg_dialing *d;
	char classes[128];
	const char *who = "";
	uint32_t allow, cap, tries = 0;

	if (!rq || !rq->number || !v)
		return EINVAL;
	memset(v, 0, sizeof(*v));
	if (!g.t)
		return 0; /* no tenant applied (tests of other modules) */
	d = &g.t->dialing;
	new_day(now_ms);
	v->cls = safe_dial_classify(g.plan, g.t->country, rq->number);
	if (v->cls == SAFE_DIAL_EMERGENCY)
		return 0;
	/* every attempt counts, the refused ones too: a phone dialling
	 * premium numbers in a loop is stopped for the minute */
	if (v->cls != SAFE_DIAL_INTERNAL && d->attempts_per_minute && rq->source)
		tries = attempt(rq->source, now_ms);
	allow = allowed(d, rq, &who);
	if (!(allow & SAFE_DIAL_BIT(v->cls))) {
		class_list(classes, sizeof(classes), allow);
		snprintf(v->reason, sizeof(v->reason),
			 "%s numbers may not be dialled by %s (allowed: %s)",
			 safe_dial_class_name(v->cls), who, classes);
		return refuse(rq, v, "dial_class");
	}
	if (v->cls == SAFE_DIAL_INTERNAL)
		return 0;
	if (d->attempts_per_minute && tries > d->attempts_per_minute) {
		snprintf(v->reason, sizeof(v->reason),
			 "more than %u outbound attempts in a minute",
			 d->attempts_per_minute);
		return refuse(rq, v, "attempts");
	}
	if (d->agent_calls && rq->agent && agent_calls(rq->agent) >= d->agent_calls) {
		snprintf(v->reason, sizeof(v->reason),
			 "agent %s already has %u outbound calls", rq->agent,
			 d->agent_calls);
		return refuse(rq, v, "agent_calls");
	}
	if (d->tenant_calls && g.callc >= d->tenant_calls) {
		snprintf(v->reason, sizeof(v->reason),
			 "the contact center already has %u outbound calls",
			 d->tenant_calls);
		return refuse(rq, v, "tenant_calls");
	}
	cap = d->minutes_per_day[v->cls];
	if (cap && g.used_ms[v->cls] >= cap) {
		snprintf(v->reason, sizeof(v->reason),
			 "today's %s outbound time (%u min) is used up",
			 safe_dial_class_name(v->cls), (unsigned)((cap + 59999) / 60000));
		return refuse(rq, v, "minutes_cap");
	}
	return 0;
}

void safe_dial_started(const char *call_id, const char *agent, enum safe_dial_class cls,
		       uint64_t now_ms)
{
	struct outcall *c;

	if (!call_id || cls == SAFE_DIAL_INTERNAL || cls >= SAFE_DIAL_CLASSES)
		return;
	c = mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return;
	util_copy(c->id, sizeof(c->id), call_id);
	util_copy(c->agent, sizeof(c->agent), agent ? agent : "");
	c->cls = cls;
	c->started = now_ms;
	list_append(&g.calls, &c->le, c);
	g.callc++;
	/* stored with the others, so a restart counts today's time again */
	event_emit_pack(EVENT_CALL_DIAL_ALLOWED, call_id, agent, NULL, "{s:s}", "class",
			safe_dial_class_name(cls));
}

/* Rebuilding today's time: call.dial_allowed starts a call, its
 * call.ended adds the time in between. */
static int restore_one(const struct hl_event *ev, void *arg)
{
	const char *name = event_str(ev, "class");
	enum safe_dial_class cls;

	(void)arg;
	if (!ev->call)
		return 0;
	if (ev->type == EVENT_CALL_DIAL_ALLOWED && name &&
	    !safe_dial_class_parse(&cls, name)) {
		struct outcall *c = mem_zalloc(sizeof(*c), NULL);

		if (!c)
			return ENOMEM;
		util_copy(c->id, sizeof(c->id), ev->call);
		util_copy(c->agent, sizeof(c->agent), ev->agent ? ev->agent : "");
		c->cls = cls;
		c->started = ev->ts;
		list_append(&g.calls, &c->le, c);
		g.callc++;
	} else if (ev->type == EVENT_CALL_ENDED) {
		safe_dial_ended(ev->call, ev->ts);
	}
	return 0;
}

int safe_dial_restore(struct store *st, uint64_t now_ms)
{
	uint64_t midnight = now_ms - now_ms % 86400000ULL;
	struct le *le;
	int err;

	if (!st || !g.t)
		return EINVAL;
	new_day(now_ms);
	g.restoring = true;
	err = store_event_list(st, midnight, 0, NULL, restore_one, NULL);
	g.restoring = false;
	/* a call that never ended was cut by a crash: nothing in flight */
	le = list_head(&g.calls);
	while (le) {
		struct outcall *c = le->data;

		le = le->next;
		list_unlink(&c->le);
		mem_deref(c);
	}
	g.callc = 0;
	for (unsigned c = 0; c < SAFE_DIAL_CLASSES; c++) {
		if (g.used_ms[c])
			log_info("dial: today's %s outbound time so far %llu s",
				 safe_dial_class_name(c),
				 (unsigned long long)(g.used_ms[c] / 1000));
	}
	return err;
}

/* 80% of a class's daily time: an alert; 100%: said once more (new calls
 * of the class are refused from now on). Both are events, so webhooks
 * subscribed to "dialing." carry them. */
static void cap_alert(enum safe_dial_class cls)
{
	uint32_t cap = g.t ? g.t->dialing.minutes_per_day[cls] : 0;
	uint64_t pct;
	uint8_t level;

	if (!cap)
		return;
	pct = g.used_ms[cls] * 100 / cap;
	/* one call may cross both marks: the warning is said first */
	for (level = 80; level <= 100; level += 20) {
		if (pct < level || g.alerted[cls] >= level)
			continue;
		g.alerted[cls] = level;
		if (g.restoring)
			continue;
		log_warn("dial: %s outbound time at %u%% of today's cap",
			 safe_dial_class_name(cls), (unsigned)pct);
		event_emit_pack(
		    level == 100 ? EVENT_DIALING_CAP_REACHED : EVENT_DIALING_CAP_WARNING,
		    NULL, NULL, NULL, "{s:s,s:I,s:I,s:I}", "class",
		    safe_dial_class_name(cls), "used_ms", (long long)g.used_ms[cls],
		    "cap_ms", (long long)cap, "percent", (long long)pct);
	}
}

void safe_dial_ended(const char *call_id, uint64_t now_ms)
{
	struct le *le;

	if (!call_id)
		return;
	LIST_FOREACH(&g.calls, le)
	{
		struct outcall *c = le->data;
		enum safe_dial_class cls = c->cls;

		if (strcmp(c->id, call_id))
			continue;
		new_day(now_ms);
		if (now_ms > c->started)
			g.used_ms[cls] += now_ms - c->started;
		list_unlink(&c->le);
		mem_deref(c);
		g.callc--;
		cap_alert(cls);
		return;
	}
}

void safe_dial_audit(struct store *st, const char *user, const char *target,
		     const struct safe_dial_verdict *v)
{
	struct store_audit au;

	if (!st || !v)
		return;
	memset(&au, 0, sizeof(au));
	au.ts = clock_now_ms();
	util_copy(au.user, sizeof(au.user), user ? user : "");
	util_copy(au.action, sizeof(au.action), "call.dial_refused");
	util_copy(au.target, sizeof(au.target), target ? target : "");
	snprintf(au.detail, sizeof(au.detail), "class=%s code=%s",
		 safe_dial_class_name(v->cls), v->code ? v->code : "");
	if (store_audit_append(st, &au))
		log_error("dial: audit entry not stored target=%s", au.target);
}
