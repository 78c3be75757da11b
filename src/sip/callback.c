/*
 * callback.c — virtual hold and click-to-call: a caller who asks (or a
 * queue rule) keeps its place in line and is hung up; at its turn the
 * agent's phone rings first, then the customer is called back and the
 * two are bridged. Click-to-call takes the same path from an agent.
 *
 * Not here: the queue itself (interaction/), legs and bridging (call.c).
 */
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "media/media.h"
#include "ivr/ivr.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "sip/sip.h"
#include "sip/call_int.h"
#include "sip/trunk.h"
#include "safe/safe.h"

/* What callbacks say is rendered at start-up. */
int call__callback_prepare(struct callctl *ctl)
{
	return call__said_prepare(ctl, SAID_CALLBACK) |
	       call__said_prepare(ctl, SAID_CALLBACK_AGENT) |
	       call__said_prepare(ctl, SAID_DIAL_AGENT);
}

/*
 * Virtual hold: the caller pressed the queue's callback key. It keeps its
 * place in line, hears a confirmation and is hung up; when its turn comes
 * the agent is rung first, then the customer is called back.
 */
bool call__callback_key(struct call *call, char digit)
{
	const struct cfg_queue *q = cfg_queue_find(call->ctl->tenant, call->ia.row.queue);
	struct ivr_action act = {.type = IVR_ACT_PLAY, .file = ""};
	const struct prompt *p;

	act.voice = call__queue_language(call);
	act.text = call__said(SAID_CALLBACK, act.voice);
	if (!q || !q->callback_key || digit != q->callback_key || call->callback)
		return false;
	if (!call->contact[0]) {
		log_warn("call: callback refused call=%s: no Contact to call back",
			 call->ia.row.id);
		return true;
	}
	call->callback = true;
	/* the place is kept until its turn: max wait no longer applies */
	acd_item_hold(call->ctl->acd, call->ia.item, 0);
	interaction_event(&call->ia, EVENT_QUEUE_CALLBACK, NULL, "{s:I}", "position",
			  (long long)acd_item_position(call->ia.item));
	log_info("call: callback requested call=%s position=%zu", call->ia.row.id,
		 acd_item_position(call->ia.item));
	p = call__prompt_for(call->ctl, &act);
	if (p)
		media_stream_play(call->caller->ms, p, false);
	else
		call__callback_hangup(call);
	return true;
}

/*
 * A queue rule sends the caller to "callback": it enters the line again
 * (a new offer, as any move into a queue) at the place its first entry
 * had, hears the confirmation and is hung up; at its turn the agent is
 * rung, then the customer.
 */
void call__callback_overflow(struct call *call, const char *queue)
{
	struct callctl *ctl = call->ctl;
	const struct cfg_queue *q = cfg_queue_find(ctl->tenant, queue);
	const char *lang = q ? q->language : ctl->tenant->language;
	struct ivr_action act = {.type = IVR_ACT_PLAY,
				 .text = call__said(SAID_CALLBACK, lang),
				 .file = "",
				 .voice = lang};
	const struct prompt *p = call__prompt_for(ctl, &act);
	struct acd_item *it = NULL;
	int err;

	call->callback = true; /* a second refusal hangs up */
	interaction_event(&call->ia, EVENT_QUEUE_ENTERED, NULL, "{s:i,s:s,s:b}",
			  "priority", call->ia.priority, "caller", call->ia.row.caller,
			  "callback", 1);
	mem_ref(call);
	err = acd_enqueue(ctl->acd, queue, call->ia.priority, clock_now_ms(), &call->ia,
			  &it);
	if (err) {
		call__end(call, "system", 500, "queue failed");
	} else if (it) {
		call->ia.item = it;
		acd_item_hold(ctl->acd, it, call->ia.row.queued);
		interaction_event(&call->ia, EVENT_QUEUE_CALLBACK, NULL, "{s:I}",
				  "position", (long long)acd_item_position(it));
		log_info("call: callback by rule call=%s queue=%s position=%zu",
			 call->ia.row.id, queue, acd_item_position(it));
		if (p)
			media_stream_play(call->caller->ms, p, false);
		else
			call__callback_hangup(call);
	}
	mem_deref(call);
}

/* The confirmation was said: the caller's leg ends (BYE), a fresh leg
 * waits to call the customer back. */
void call__callback_hangup(struct call *call)
{
	struct leg *old = call->caller;

	if (call->caller_gone)
		return;
	if (call__leg_alloc(&call->caller, call, LEG_CALLER)) {
		call->caller = old;
		call__end(call, "system", 500, "callback failed");
		return;
	}
	call->caller_gone = true;
	mem_deref(old); /* sends BYE */
	/* nobody on the trunk while it waits for its turn */
	call->trunk = trunk_call_end(call->trunk);
}

/*
 * A callback dials where the caller said it can be reached (its Contact,
 * which the caller chose): the queue's dialing class and the limits
 * decide, as for any number dialled out (issue 18). A click-to-call was
 * asked of the guard by the API already.
 */
static bool callback_allowed(struct call *call)
{
	struct safe_dial_verdict v;
	char number[64], source[96];
	struct safe_dial_req dr = {.queue = call->ia.row.queue,
				   .agent = NULL,
				   .number = number,
				   .source = source};

	if (call->outbound)
		return true;
	if (call->dialled[0])
		util_copy(number, sizeof(number), call->dialled);
	else if (safe_dial_number(number, sizeof(number), call->contact))
		number[0] = '\0'; /* too long to be a number: refused */
	snprintf(source, sizeof(source), "caller:%s", call->ia.row.caller);
	if (!safe_dial_check(&dr, clock_now_ms(), &v)) {
		safe_dial_started(call->ia.row.id, call->agent->ext, v.cls,
				  clock_now_ms());
		return true;
	}
	safe_dial_audit(interaction_svc_store(call->ctl->ias), source, call->ia.row.id,
			&v);
	return false;
}

/* The agent took the callback: call the customer where its phone said
 * it can be reached, from the number it had dialled. */
void call__dial_back(struct call *call)
{
	struct callctl *ctl = call->ctl;
	const char *lang = call__queue_language(call);
	struct ivr_action act = {
	    .type = IVR_ACT_PLAY,
	    .text =
		call__said(call->outbound ? SAID_DIAL_AGENT : SAID_CALLBACK_AGENT, lang),
	    .file = "",
	    .voice = lang};
	const struct prompt *p = call__prompt_for(ctl, &act);
	struct mbuf *offer = NULL;
	char from[192], host[64];
	struct sa local = call->local, peer;
	struct uri uri;
	struct pl cpl;
	int err;

	/* the customer's phone may sit elsewhere than where it called from
	 * (or, click-to-call, than the agent): the address toward its
	 * Contact when it is an IP address */
	pl_set_str(&cpl, call->contact);
	if (!uri_decode(&uri, &cpl) && !sa_set(&peer, &uri.host, uri.port))
		(void)call__local_toward(&peer, &local);
	call__leg_local(call->caller, &local, host, sizeof(host));
	/* a caller that came in through a trunk is called back through the
	 * trunks, at its number (its Contact is the carrier's side), from the
	 * queue's caller ID or the number it dialled */
	if (!call->outbound && call->from_trunk && !call->dialled[0] &&
	    trunks_routed(ctl->trunks, call->ia.row.caller)) {
		const char *cid = trunks_caller_id(ctl->trunks, NULL, call->ia.row.queue);

		util_copy(call->dialled, sizeof(call->dialled), call->ia.row.caller);
		util_copy(call->caller_id, sizeof(call->caller_id),
			  *cid ? cid : call->ia.row.called);
		call->trunk_i = 0;
	}
	if (!callback_allowed(call)) {
		call__end(call, "system", 403, "callback refused");
		return;
	}
	call->state = CALL_CALLBACK;
	call->callback_at = clock_now_ms();
	if (p)
		media_stream_play(call->agent->ms, p, false);
	/* a callback comes from the number the customer dialled; a
	 * click-to-call from the agent's extension */
	snprintf(from, sizeof(from), "sip:%s@%s",
		 call->outbound		  ? call->ia.row.caller
		 : call->ia.row.called[0] ? call->ia.row.called
					  : "hotline",
		 host);
	if (call->dialled[0]) {
		/* a plain number: out through a trunk (outbound.c) */
		interaction_event(&call->ia, EVENT_CALL_CALLBACK_DIALLED,
				  call->agent->ext, NULL);
		if (call__trunk_connect(call, call->caller, &local))
			call__trunk_failed(call, 503, 0);
		else
			call->caller_gone = false;
		return;
	}
	err = media_stream_offer(call->caller->ms, &offer);
	if (!err)
		err = sipsess_connect(
		    &call->caller->sess, ctl->sock, call->contact, NULL, from, "hotline",
		    NULL, 0, "application/sdp", offer, NULL, NULL, false,
		    call__offer_handler, call__answer_handler, call__progress_handler,
		    call__estab_handler, call__info_handler, call__refer_handler,
		    call__close_handler, call->caller, "Allow: " CALL_ALLOW "\r\n");
	mem_deref(offer);
	interaction_event(&call->ia, EVENT_CALL_CALLBACK_DIALLED, call->agent->ext, NULL);
	if (err) {
		log_warn("call: cannot call back call=%s: %s", call->ia.row.id,
			 strerror(err));
		call__end(call, "system", 500, "callback failed");
		return;
	}
	call->caller_gone = false;
	log_info("call: calling back call=%s agent=%s", call->ia.row.id,
		 call->agent->ext);
}

/*
 * Click-to-call: the agent's phone rings first; when the agent answers,
 * the customer at target (a SIP URI) is called, and the two are bridged
 * and recorded like any call (the callback's path). Writes the call's id.
 */
int callctl_dial(struct callctl *ctl, const char *agent, const char *target, char *id,
		 size_t idsz)
{
	struct registrar_contact rc;
	struct sip_addr addr;
	struct pl pl;
	struct call *call = NULL;
	bool number = false;
	int err;

	if (!ctl || !agent || !target)
		return EINVAL;
	pl_set_str(&pl, target);
	if (strncmp(target, "sip:", 4)) {
		/* a plain number: out through a trunk (outbound.c) */
		if (strlen(target) >= sizeof(call->dialled) ||
		    !trunks_routed(ctl->trunks, target))
			return EINVAL;
		number = true;
	} else if (strlen(target) >= sizeof(call->contact) ||
		   uri_decode(&addr.uri, &pl)) {
		return EINVAL;
	}
	if (!cfg_agent_find(ctl->tenant, agent))
		return ENOENT;
	if (registrar_contact(ctl->reg, agent, &rc))
		return ENODEV;
	if (ctl->callc >= ctl->node->max_calls)
		return EAGAIN;
	err = call__alloc(&call, ctl, NULL);
	if (err)
		return err;
	call->outbound = true;
	call->callback = true; /* the agent first, then the customer */
	call->caller_gone = true;
	util_copy(call->ia.row.caller, sizeof(call->ia.row.caller), agent);
	if (number) {
		util_copy(call->ia.row.called, sizeof(call->ia.row.called), target);
		util_copy(call->dialled, sizeof(call->dialled), target);
		util_copy(call->caller_id, sizeof(call->caller_id),
			  trunks_caller_id(ctl->trunks, agent, NULL));
	} else {
		pl_strcpy(&addr.uri.user, call->ia.row.called,
			  sizeof(call->ia.row.called));
		util_copy(call->contact, sizeof(call->contact), target);
	}
	util_copy(call->direct, sizeof(call->direct), agent);
	call->state = CALL_DIRECT;
	interaction_save(&call->ia);
	interaction_event(&call->ia, EVENT_CALL_CREATED, NULL, "{s:s,s:s,s:s}", "caller",
			  call->ia.row.caller, "called", call->ia.row.called, "direction",
			  "outbound");
	err = call__ring_direct(call, agent);
	if (err) {
		call__end(call, "system", err == EBUSY ? 486 : 480,
			  err == EBUSY ? "agent busy" : "agent unavailable");
		return err == EBUSY ? EBUSY : ENODEV;
	}
	util_copy(id, idsz, call->ia.row.id);
	log_info("call: click-to-call call=%s agent=%s", call->ia.row.id, agent);
	return 0;
}
