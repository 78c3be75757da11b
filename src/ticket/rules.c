/*
 * rules.c — the tickets that interactions make by themselves: a known
 * customer who hung up waiting in a queue gets a call-back ticket, a
 * voicemail gets a ticket with the recording's call, and a post-call
 * survey's score is handed on (to the call's ticket and its survey) by
 * whoever keeps surveys. The events ask for them; the tickets are made at
 * the next ticket_rules_run, never inside the event that asked (a ticket
 * is an event itself). Every request waits, however many come at once.
 *
 * Not here: what a ticket may do (ticket.c), surveys (api/surveys.c).
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "ticket/ticket.h"

/* A ticket (or a score) the rules will make at the next run. */
struct todo {
	struct le le;
	char call[32], customer[32], queue[32], caller[64];
	bool voicemail;
	int score; /* a post-call survey's answer (the call's tickets get it) */
};

struct ticket_rules {
	struct tickets *tk;
	ticket_rated_h *rated;
	void *arg;
	struct list todo;
};

/* call.ended: an abandoned call of a known customer, or a voicemail;
 * call.rated: a survey's score. */
static void event_handler(const struct hl_event *ev, void *arg)
{
	struct ticket_rules *r = arg;
	char outcome[32] = "", customer[32] = "";
	struct todo *td;
	bool vm = false;
	int score = 0;

	if (!ev->call)
		return;
	if (ev->type == EVENT_CALL_RATED) {
		score = (int)event_num(ev, "score");
		if (score < 1 || score > 5)
			return;
	} else if (ev->type == EVENT_CALL_ENDED) {
		util_copy(outcome, sizeof(outcome), event_str(ev, "outcome"));
		util_copy(customer, sizeof(customer), event_str(ev, "customer"));
		vm = !strcmp(outcome, "voicemail");
		if (!vm && !(!strcmp(outcome, "abandoned_queue") && customer[0]))
			return;
	} else {
		return;
	}
	td = mem_zalloc(sizeof(*td), NULL);
	if (!td) {
		log_error("ticket: out of memory, call=%s has no rule ticket", ev->call);
		return;
	}
	util_copy(td->call, sizeof(td->call), ev->call);
	td->score = score;
	td->voicemail = vm;
	util_copy(td->customer, sizeof(td->customer), customer);
	util_copy(td->queue, sizeof(td->queue), ev->queue ? ev->queue : "");
	if (!score)
		util_copy(td->caller, sizeof(td->caller), event_str(ev, "caller"));
	list_append(&r->todo, &td->le, td);
}

void ticket_rules_run(struct ticket_rules *r, uint64_t now)
{
	struct le *le;

	while (r && (le = list_head(&r->todo))) {
		struct todo *td = le->data;
		struct ticket_change c = TICKET_CHANGE_INIT;
		const struct cfg_tenant *t = tickets_tenant(r->tk);
		char subject[128];
		const char *why = "";

		list_unlink(&td->le);
		if (td->score) {
			if (r->rated)
				r->rated(td->call, td->score, r->arg);
			mem_deref(td);
			continue;
		}
		snprintf(subject, sizeof(subject), "%s from %s",
			 td->voicemail ? "Voicemail" : "Call back: abandoned call",
			 td->caller);
		c.subject = subject;
		c.category = td->voicemail ? "voicemail" : "callback";
		c.customer = td->customer;
		c.call = td->call;
		c.group =
		    td->queue[0] && t && cfg_queue_find(t, td->queue) ? td->queue : NULL;
		c.by = "system";
		if (ticket_create(r->tk, &c, now, NULL, &why))
			log_warn("ticket: rule ticket not made call=%s: %s", td->call,
				 why);
		mem_deref(td);
	}
}

size_t ticket_rules_pending(const struct ticket_rules *r)
{
	return r ? list_count(&r->todo) : 0;
}

static void rules_destructor(void *arg)
{
	struct ticket_rules *r = arg;

	event_unsubscribe(event_handler, r);
	list_flush(&r->todo);
}

int ticket_rules_alloc(struct ticket_rules **rp, struct tickets *tk,
		       ticket_rated_h *rated, void *arg)
{
	struct ticket_rules *r;
	int err;

	if (!rp || !tk)
		return EINVAL;
	r = mem_zalloc(sizeof(*r), rules_destructor);
	if (!r)
		return ENOMEM;
	r->tk = tk;
	r->rated = rated;
	r->arg = arg;
	err = event_subscribe(event_handler, r);
	if (err) {
		mem_deref(r);
		return err;
	}
	*rp = r;
	return 0;
}
