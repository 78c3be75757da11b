/*
 * outbound.c — calls out through the SIP trunks (issue 15): an agent's
 * phone dialling a number that is none of ours, a click-to-call or a
 * callback to a plain number. The customer's leg goes to the first trunk
 * of the number's route with a call free; a trunk that answers 503 or
 * 408, or never answers, hands the call to the next one; the carrier's
 * digest challenge is answered with the trunk's credentials.
 *
 * The dial guard has decided before anything here runs: the phone's
 * INVITE in call.c (outbound_allowed), the click-to-call in the API, a
 * callback in callback.c.
 *
 * Not here: which trunk and in what form (trunk.c), the legs, bridging
 * and ending (call.c), the agent-first path shared with click-to-call
 * (callback.c).
 */
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

/* A carrier answers an INVITE with 100 Trying at once; one that has said
 * nothing after the retransmissions of this long is not there (libre's
 * own transaction timeout, 32 s, is longer than any caller waits). */
#define TRUNK_SILENT_MS 5000

int call__trunk_connect(struct call *call, struct leg *leg, const struct sa *local)
{
	struct callctl *ctl = call->ctl;
	struct mbuf *offer = NULL;
	char uri[256], from[256];
	int err;

	call->trunk = trunk_call_end(call->trunk);
	err = trunks_pick(ctl->trunks, call->dialled, call->caller_id, &call->trunk_i,
			  &call->trunk, uri, sizeof(uri), from, sizeof(from));
	if (err)
		return err;
	call__leg_local(leg, local, NULL, 0);
	{
		const struct cfg_trunk *tc = trunk_cfg(call->trunk);
		call__leg_carried(leg, tc,
				  tc && tc->tls	  ? "tls"
				  : tc && tc->tcp ? "tcp"
						  : "udp",
				  NULL);
	}
	err = media_stream_offer(leg->ms, &offer);
	if (!err)
		err = trunk_sdp_codecs(call->trunk, &offer);
	if (!err)
		err = sipsess_connect(
		    &leg->sess, ctl->sock, uri, NULL, from, "hotline", NULL, 0,
		    "application/sdp", offer, trunk_auth_h, call->trunk, true,
		    call__offer_handler, call__answer_handler, call__progress_handler,
		    call__estab_handler, call__info_handler, call__refer_handler,
		    call__close_handler, leg, "Allow: " CALL_ALLOW "\r\n");
	mem_deref(offer);
	if (err) {
		log_warn("call: cannot call out call=%s trunk=%s: %s", call->ia.row.id,
			 trunk_name(call->trunk), strerror(err));
		return err;
	}
	leg->rang_at = clock_now_ms();
	leg->progress = false;
	log_info("call: out through trunk call=%s trunk=%s", call->ia.row.id,
		 trunk_name(call->trunk));
	interaction_event(&call->ia, EVENT_CALL_TRUNK,
			  call->agent ? call->agent->ext : NULL, "{s:s}", "trunk",
			  trunk_name(call->trunk));
	return 0;
}

/* The trunk's leg failed before answer: 503 (the carrier cannot take
 * it), 408 or a transaction that timed out (nobody there) try the next
 * trunk; any other answer (busy, not found, declined) is the callee's and
 * ends the call. */
void call__trunk_failed(struct call *call, int code, int err)
{
	bool outside = call->outside != NULL;
	struct leg **lp = outside ? &call->outside : &call->caller;
	struct leg *old = *lp;
	struct leg *agent = call->agent;
	struct sa local;
	int e = ENOENT;

	log_info("call: trunk failed call=%s trunk=%s code=%d err=%s", call->ia.row.id,
		 trunk_name(call->trunk), code, err ? strerror(err) : "");
	if (code == 503 || code == 408 || (!code && err)) {
		sa_init(&local, AF_UNSPEC);
		if (!call__leg_alloc(lp, call, old->role)) {
			mem_deref(old);
			e = call__trunk_connect(call, *lp, &local);
			if (!e)
				return;
		} else {
			*lp = old;
		}
	}
	if (outside) {
		/* the caller transferred out hears no more: the call ends */
		if (!code)
			code = e == EBUSY ? 503 : 408;
		call__end(call, "system", code, "transfer failed");
		return;
	}
	if (!code)
		code = e == EBUSY ? 503 : 408;
	/* the phone that dialled hears why */
	if (agent && agent->sess && !agent->answered && !agent->closed)
		sipsess_reject(agent->sess, (uint16_t)(code >= 400 ? code : 503),
			       code == 486 ? "Busy Here" : "Call Failed", NULL);
	if (agent)
		agent->closed = true;
	call__end(call, "system", code, "trunk failed");
}

void call__phone_out(struct callctl *ctl, const struct sip_msg *msg, const char *ext,
		     const char *number, enum safe_dial_class cls)
{
	struct call *call = NULL;
	struct mbuf *answer = NULL;
	struct leg *phone;
	int err;

	if (!trunks_routed(ctl->trunks, number)) {
		log_info("call: no route out for a number agent=%s", ext);
		(void)sip_treply(NULL, ctl->sip, msg, 404, "Not Found");
		return;
	}
	if (!mbuf_get_left(msg->mb)) {
		/* the far end's offer would have to reach the phone in the
		 * 200: not done, phones offer first */
		(void)sip_treply(NULL, ctl->sip, msg, 488, "Not Acceptable Here");
		return;
	}
	err = call__alloc(&call, ctl, msg);
	if (err) {
		(void)sip_treply(NULL, ctl->sip, msg, 503, "Service Unavailable");
		return;
	}
	call->ia.direction = INTERACTION_OUTBOUND;
	util_copy(call->ia.row.direction, sizeof(call->ia.row.direction), "outbound");
	util_copy(call->ia.row.caller, sizeof(call->ia.row.caller), ext);
	call__leg_carried(call->caller, NULL, call__transp_name(msg->tp), ext);
	err = media_stream_answer(call->caller->ms, msg->mb, &answer);
	if (err) {
		(void)sip_treply(NULL, ctl->sip, msg, 488, "Not Acceptable Here");
		call->state = CALL_ENDED;
		mem_deref(call);
		return;
	}
	err = call__accept(call, msg, 180, "Ringing", NULL);
	if (err) {
		(void)sip_treply(NULL, ctl->sip, msg, 500, "Server Internal Error");
		call->state = CALL_ENDED;
		mem_deref(answer);
		mem_deref(call);
		return;
	}
	/* the phone's leg is the agent's; the customer's goes out */
	phone = call->caller;
	phone->role = LEG_AGENT;
	phone->answer = answer;
	util_copy(phone->ext, sizeof(phone->ext), ext);
	phone->rang_at = clock_now_ms();
	err = call__leg_alloc(&call->caller, call, LEG_CALLER);
	if (err) {
		call->caller = phone;
		call__end(call, "system", 500, "Server Internal Error");
		return;
	}
	call->outbound = true;
	call->callback = true; /* the agent is there first, then the customer */
	call->caller_gone = true;
	util_copy(call->dialled, sizeof(call->dialled), number);
	util_copy(call->caller_id, sizeof(call->caller_id),
		  trunks_caller_id(ctl->trunks, ext, NULL));
	util_copy(call->direct, sizeof(call->direct), ext);
	call->state = CALL_DIRECT;
	if (!acd_busy(ctl->acd, ext, ACD_VOICE, true, clock_now_ms()))
		phone->held = true;
	interaction_save(&call->ia);
	interaction_event(&call->ia, EVENT_CALL_CREATED, NULL, "{s:s,s:s,s:s}", "caller",
			  call->ia.row.caller, "called", call->ia.row.called, "direction",
			  "outbound");
	log_info("call: phone dials out call=%s agent=%s", call->ia.row.id, ext);
	safe_dial_started(call->ia.row.id, ext, cls, clock_now_ms());
	/* taken by the agent at once: the service connects, which (a
	 * callback's path) calls the customer */
	call__bridge(call, phone);
}

int call__transfer_out(struct call *call, struct leg *leg, const char *number,
		       struct safe_dial_verdict *v)
{
	struct callctl *ctl = call->ctl;
	struct safe_dial_verdict local_v;
	char source[64], tel[64];
	struct safe_dial_req dr = {.agent = leg->ext, .number = tel, .source = source};
	struct sa local;
	int err;

	if (!v)
		v = &local_v;
	if (!trunks_routed(ctl->trunks, number) ||
	    strlen(number) >= sizeof(call->dialled))
		return ENOENT;
	/* issue 18: a transfer out dials as its agent would */
	snprintf(source, sizeof(source), "agent:%s", leg->ext);
	snprintf(tel, sizeof(tel), "%s", number);
	if (safe_dial_check(&dr, clock_now_ms(), v)) {
		safe_dial_audit(interaction_svc_store(ctl->ias), source, call->ia.row.id,
				v);
		return EACCES;
	}
	log_info("call: blind transfer out call=%s from=%s", call->ia.row.id, leg->ext);
	interaction_event(&call->ia, EVENT_CALL_TRANSFERRED, leg->ext, "{s:s,s:s,s:b}",
			  "to", number, "kind", "blind", "outside", 1);
	safe_dial_started(call->ia.row.id, leg->ext, v->cls, clock_now_ms());
	util_copy(call->dialled, sizeof(call->dialled), number);
	util_copy(call->caller_id, sizeof(call->caller_id),
		  trunks_caller_id(ctl->trunks, leg->ext, call->ia.row.queue));
	call->trunk_i = 0;

	media_unbridge(call->caller->ms);
	interaction_release(&call->ia, number, "blind");
	call->agent = NULL;
	mem_deref(leg); /* BYE to the agent */
	call__moh_start(call->caller->ms, ctl);
	call->state = CALL_DIRECT;
	call->direct[0] = '\0';

	err = call__leg_alloc(&call->outside, call, LEG_OUTSIDE);
	if (!err) {
		sa_init(&local, AF_UNSPEC);
		err = call__trunk_connect(call, call->outside, &local);
	}
	if (err)
		call__trunk_failed(call, 503, 0);
	return 0;
}

void call__outside_answered(struct call *call, struct leg *leg)
{
	if (leg != call->outside)
		return;
	call->outside = NULL;
	call->agent = leg;
	log_info("call: transferred out answered call=%s trunk=%s", call->ia.row.id,
		 trunk_name(call->trunk));
	call__connect(call);
}

bool call__trunk_silent(struct call *call, uint64_t now)
{
	struct leg *leg = call->outside;

	if (!leg && call->dialled[0] && call->state == CALL_CALLBACK)
		leg = call->caller;
	if (!leg || leg->answered || leg->progress || !leg->rang_at ||
	    now < leg->rang_at + TRUNK_SILENT_MS)
		return false;
	log_info("call: trunk silent call=%s trunk=%s", call->ia.row.id,
		 trunk_name(call->trunk));
	call__trunk_failed(call, 0, ETIMEDOUT);
	return true;
}
