/*
 * transfer.c — transfers of a bridged call: blind (a REFER from the
 * agent's phone, RFC 3515, or the desktop) to an extension, a queue or a
 * flow, and attended (REFER with Replaces, RFC 3891) joining the caller
 * with the agent's consultation call.
 *
 * Not here: the agent's handling and wrap-up (interaction/), legs (call.c).
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

/*
 * Blind transfer by the bridged agent leg: the caller goes on to the
 * extension, queue or flow target, or a number outside through a trunk
 * (outbound.c), the agent leg ends. EPERM: leg is not the call's bridged
 * agent; ENOENT: no such extension, queue or flow, nor a route for it;
 * EACCES: the agent may not dial that number (v says why).
 */
static int call_transfer(struct call *call, struct leg *leg, const char *target,
			 struct safe_dial_verdict *v)
{
	struct callctl *ctl = call->ctl;

	if (leg != call->agent || call->state != CALL_BRIDGED)
		return EPERM;
	if (!cfg_agent_find(ctl->tenant, target) &&
	    !cfg_queue_find(ctl->tenant, target) && !cfg_flow_find(ctl->tenant, target))
		return call__transfer_out(call, leg, target, v); /* a number outside */
	log_info("call: blind transfer call=%s from=%s to=%s", call->ia.row.id, leg->ext,
		 target);
	call__consult_drop(call);
	interaction_event(&call->ia, EVENT_CALL_TRANSFERRED, leg->ext, "{s:s,s:s}", "to",
			  target, "kind", "blind");

	/* The transferring agent is done: its talk time ends here (the
	 * queue's wrap-up follows), the caller goes on. */
	media_unbridge(call->caller->ms);
	interaction_release(&call->ia, target, "blind");
	call->agent = NULL;
	mem_deref(leg);
	call__moh_start(call->caller->ms, ctl);

	if (cfg_agent_find(ctl->tenant, target)) {
		call->state = CALL_DIRECT;
		util_copy(call->direct, sizeof(call->direct), target);
		if (call__ring_direct(call, target))
			call__end(call, "system", 480, "transfer target unavailable");
	} else if (cfg_queue_find(ctl->tenant, target)) {
		call__enter_queue(call, target, call->ia.priority);
	} else {
		call__run_flow(call, cfg_flow_find(ctl->tenant, target), clock_now_ms());
	}
	interaction_route(ctl->ias);
	return 0;
}

/*
 * Attended transfer: the agent talked to the target first on a second
 * call (y, from the agent's phone to the target's extension) and now
 * joins the caller and the target. The target's leg moves from y to this
 * call, the agent's legs on both end, y ends.
 */
static void call_transfer_attended(struct call *call, struct leg *leg, struct call *y)
{
	struct leg *target = y->agent;
	uint64_t now = clock_now_ms();

	log_info("call: attended transfer call=%s from=%s to=%s via=%s", call->ia.row.id,
		 leg->ext, target->ext, y->ia.row.id);
	interaction_event(&call->ia, EVENT_CALL_TRANSFERRED, leg->ext, "{s:s,s:s,s:s}",
			  "to", target->ext, "kind", "attended", "consult", y->ia.row.id);
	call__consult_drop(call);
	media_unbridge(call->caller->ms);
	interaction_release(&call->ia, target->ext, "attended");
	call->agent = NULL;
	mem_deref(leg); /* BYE to the agent on this call */

	/* the target stays busy: its call is this one now */
	media_unbridge(y->caller->ms);
	y->agent = NULL;
	y->ia.agent[0] = '\0';
	y->ia.from_queue = false;
	target->call = call;
	call__end(y, "agent", 0,
		  "attended transfer"); /* BYE to the agent's consult leg */

	call->agent = target;
	call->ia.row.answered = now;
	call->ia.state = INTERACTION_ACTIVE;
	util_copy(call->ia.agent, sizeof(call->ia.agent), target->ext);
	util_copy(call->ia.row.agent, sizeof(call->ia.row.agent), target->ext);
	call__connect(call);
}

/* The Call-ID in a Refer-To's Replaces header (RFC 3891), if any:
 * "sip:1003@host?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2". */
static bool replaces_callid(const struct pl *headers, char *out, size_t sz)
{
	const char *p = headers->p, *end = headers->p + headers->l;
	size_t n = 0;

	for (; p + 9 <= end; p++) {
		if (!strncasecmp(p, "Replaces=", 9) &&
		    (p == headers->p || p[-1] == '&' || p[-1] == '?'))
			break;
	}
	if (p + 9 > end)
		return false;
	for (p += 9; p < end && *p != '&' && n + 1 < sz; p++) {
		char c = *p;
		if (c == '%' && p + 2 < end) {
			char hex[3] = {p[1], p[2], 0};
			c = (char)strtol(hex, NULL, 16);
			p += 2;
		}
		if (c == ';')
			break;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0;
}

/* The call whose caller leg is the SIP dialog with this Call-ID. */
static struct call *call_by_callid(struct callctl *ctl, const char *callid)
{
	for (struct le *le = list_head(&ctl->calls); le; le = le->next) {
		struct call *c = le->data;
		const struct sip_dialog *d =
		    c->caller && c->caller->sess ? sipsess_dialog(c->caller->sess) : NULL;
		if (d && !strcmp(sip_dialog_callid(d), callid))
			return c;
	}
	return NULL;
}

/* Blind transfer (RFC 3515) from the agent's phone; with Replaces in the
 * Refer-To, an attended one (RFC 3891). */
void call__refer_handler(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *call = leg->call;
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
	struct sip_addr addr;
	char target[64];

	if (!hdr || sip_addr_decode(&addr, &hdr->val)) {
		(void)sip_reply(sip, msg, 400, "Bad Refer-To");
		return;
	}
	pl_strcpy(&addr.uri.user, target, sizeof(target));
	if (util_text_check(target, 0, 0, NULL)) { /* refused, not rewritten */
		(void)sip_reply(sip, msg, 400, "Bad Refer-To (Not Text)");
		return;
	}
	if (leg != call->agent || call->state != CALL_BRIDGED) {
		(void)sip_reply(sip, msg, 403, "Not Bridged");
		return;
	}
	{
		char callid[128];
		struct call *y;

		if (replaces_callid(&addr.uri.headers, callid, sizeof(callid))) {
			y = call_by_callid(call->ctl, callid);
			if (!y || y == call || y->state != CALL_BRIDGED || !y->agent) {
				(void)sip_reply(sip, msg, 481, "Replaced Call Not Found");
				return;
			}
			(void)sip_reply(sip, msg, 202, "Accepted");
			call_transfer_attended(call, leg, y);
			return;
		}
	}
	if (!cfg_agent_find(call->ctl->tenant, target) &&
	    !cfg_queue_find(call->ctl->tenant, target) &&
	    !cfg_flow_find(call->ctl->tenant, target)) {
		/* a number outside: through a trunk, if the guard allows */
		switch (call__transfer_out(call, leg, target, NULL)) {
		case 0:
			(void)sip_reply(sip, msg, 202, "Accepted");
			break;
		case EACCES:
			(void)sip_reply(sip, msg, 403, "Forbidden (Dialing Class)");
			break;
		default:
			(void)sip_reply(sip, msg, 404, "Unknown Transfer Target");
		}
		return;
	}
	(void)sip_reply(sip, msg, 202, "Accepted");
	(void)call_transfer(call, leg, target, NULL);
}

int callctl_transfer(struct callctl *ctl, const char *id, const char *agent,
		     const char *target, struct safe_dial_verdict *v)
{
	struct call *call = ctl && id && target ? call__find(ctl, id) : NULL;
	int err;

	if (!call)
		return ENOENT;
	if (!call->agent || (agent && strcmp(call->agent->ext, agent)))
		return EPERM;
	err = call_transfer(call, call->agent, target, v);
	return err == ENOENT ? EINVAL : err;
}
