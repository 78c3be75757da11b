/*
 * monitor.c — a supervisor on an agent's bridged call: listen (hears
 * both, heard by nobody), whisper (heard by the agent only), barge (all
 * three talk) and take-over (the agent's leg ends, the supervisor stays
 * with the customer). The supervisor's phone is called; when it answers,
 * the call's two legs and the supervisor's join one mix group (the
 * call's recording goes on as the group's mix). The mode can change
 * during the call. Who may monitor which call is the API's to decide
 * (the supervisor's queues, admins anywhere); it audits each use. From
 * the supervisor's phone: *1<ext> listens to the call agent ext is on,
 * *2<ext> whispers, *3<ext> barges (that phone's call is the leg; the
 * same check by the API's handler, audited here).
 *
 * The agent's own third party lives here too: an ad-hoc three-way
 * (callctl_conference), or first a consult (callctl_consult): the
 * customer hears music and is heard by nobody while the agent and the
 * target talk in the group, then join (the three-way) or cancel (the
 * target's leg ends, the customer is back).
 *
 * Not here: the mixing (media/mixer.c), legs and signalling (call.c).
 */
#include <stdio.h>
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

static const char *const mode_names[] = {"barge", "listen", "whisper"};

static const char *monitor_mode(const struct call *call)
{
	if (call->consult)
		return "consult";
	if (call->three_way)
		return "conference";
	return call->monitor_takeover ? "takeover" : mode_names[call->monitor_role];
}

/* Rings ext as the call's monitor leg (a supervisor or a third party).
 * An agent is busy for voice in the routing engine from now until its
 * leg goes (the leg's destructor gives it back), so it is never offered
 * a call while on this one; EBUSY when it is on another already. Not an
 * agent (a supervisor without a seat): ENOENT from the engine, rung all
 * the same. */
static int monitor_invite(struct call *call, const char *ext)
{
	struct acd *acd = call->ctl->acd;
	int busy = acd_busy(acd, ext, ACD_VOICE, true, clock_now_ms());
	int err;

	if (busy == EBUSY)
		return EBUSY;
	err = call__leg_invite(call, ext, LEG_MONITOR, &call->monitor);
	if (err) {
		if (!busy)
			acd_done(acd, ext, ACD_VOICE, NULL, clock_now_ms());
		return err;
	}
	call->monitor->held = !busy;
	return 0;
}

/* The agent's leg ends, the supervisor is the call's agent now. */
static void monitor_takeover(struct call *call)
{
	struct leg *sup = call->monitor, *agent = call->agent;

	log_info("call: taken over call=%s from=%s by=%s", call->ia.row.id, agent->ext,
		 sup->ext);
	interaction_release(&call->ia, sup->ext, "takeover");
	call->agent = NULL;
	mem_deref(agent); /* BYE to the agent; its stream leaves the group */
	call->monitor = NULL;
	/* the supervisor's place in the engine is the call's now: freed
	 * when the call ends (interaction_end), not when the leg goes */
	sup->held = false;
	sup->role = LEG_AGENT;
	call->agent = sup;
	call->monitor_takeover = false;
	call->ia.state = INTERACTION_ACTIVE;
	util_copy(call->ia.agent, sizeof(call->ia.agent), sup->ext);
	util_copy(call->ia.row.agent, sizeof(call->ia.row.agent), sup->ext);
	(void)media_mix_join(call->mix, sup->ms, MEDIA_MIX_NORMAL, NULL);
}

/* The supervisor's leg hears (and is heard) as its mode says. */
static int monitor_apply(struct call *call)
{
	struct leg *sup = call->monitor;
	int err;

	if (!call->mix) {
		err = media_mix_alloc(&call->mix, call->ctl->media);
		if (err)
			return err;
		/* the pair's bridge (and its recorder) becomes the group */
		err = media_mix_join(call->mix, call->caller->ms, MEDIA_MIX_NORMAL, NULL);
		if (!err)
			err = media_mix_join(call->mix, call->agent->ms, MEDIA_MIX_NORMAL,
					     NULL);
		if (err)
			return err;
		media_stream_silence(sup->ms);
	}
	if (call->monitor_takeover) {
		monitor_takeover(call);
		return 0;
	}
	return media_mix_join(call->mix, sup->ms, call->monitor_role,
			      call->monitor_role == MEDIA_MIX_WHISPER ? call->agent->ms
								      : NULL);
}

/* The consult is over: the customer talks with the agent again (in the
 * group when the target had answered, else on their bridge). */
static void consult_back(struct call *call)
{
	call->consult = false;
	call->three_way = false;
	call->desk_hold = false;
	if (call->mix && call->caller)
		(void)media_mix_join(call->mix, call->caller->ms, MEDIA_MIX_NORMAL, NULL);
	if (call->caller)
		media_stream_silence(call->caller->ms);
	if (call->agent)
		media_stream_silence(call->agent->ms);
}

void call__monitor_answered(struct leg *leg)
{
	struct call *call = leg->call;

	if (call->state != CALL_BRIDGED || !call->agent || call->monitor != leg) {
		call->monitor = NULL;
		mem_deref(leg); /* the call moved on while it rang: BYE */
		return;
	}
	if (leg->held) /* ringing, now on the call */
		acd_connected(call->ctl->acd, leg->ext, clock_now_ms());
	log_info("call: monitor joined call=%s supervisor=%s mode=%s", call->ia.row.id,
		 leg->ext, monitor_mode(call));
	interaction_event(&call->ia, EVENT_CALL_MONITOR, leg->ext, "{s:s,s:s,s:s}",
			  "mode", monitor_mode(call), "supervisor", leg->ext, "state",
			  "joined");
	if (monitor_apply(call)) {
		log_warn("call: monitor could not join call=%s", call->ia.row.id);
		call->monitor = NULL;
		mem_deref(leg);
		if (call->consult)
			consult_back(call);
		return;
	}
	if (call->consult) {
		/* the customer stays on music, heard by nobody; the agent
		 * hears the target */
		(void)media_mix_join(call->mix, call->caller->ms, MEDIA_MIX_LISTEN, NULL);
		media_stream_silence(call->agent->ms);
	}
}

void call__monitor_gone(struct leg *leg, int code)
{
	struct call *call = leg->call;

	log_info("call: monitor left call=%s supervisor=%s code=%d", call->ia.row.id,
		 leg->ext, code);
	if (call->monitor == leg) {
		call->monitor = NULL;
		interaction_event(&call->ia, EVENT_CALL_MONITOR, leg->ext,
				  "{s:s,s:s,s:s}", "mode", monitor_mode(call),
				  "supervisor", leg->ext, "state",
				  leg->answered ? "left" : "not_answered");
		if (call->consult && call->state == CALL_BRIDGED)
			consult_back(call); /* the target hung up or never answered */
		call->consult = false;
		call->three_way = false;
	}
	/* caller and agent stay in the group: it hears as their bridge did */
	mem_deref(leg);
}

int callctl_monitor(struct callctl *ctl, const char *id, const char *ext,
		    const char *mode)
{
	struct call *call = ctl && id ? call__find(ctl, id) : NULL;
	enum media_mix_role role = MEDIA_MIX_NORMAL;
	bool takeover = false;
	int err;

	if (!mode || !ext)
		return EINVAL;
	if (!strcmp(mode, "listen"))
		role = MEDIA_MIX_LISTEN;
	else if (!strcmp(mode, "whisper"))
		role = MEDIA_MIX_WHISPER;
	else if (!strcmp(mode, "takeover"))
		takeover = true;
	else if (strcmp(mode, "barge"))
		return EINVAL;
	if (!call)
		return ENOENT;
	if (call->state != CALL_BRIDGED || !call->agent)
		return EALREADY;
	if (!strcmp(call->agent->ext, ext))
		return EPERM; /* an agent does not monitor its own call */
	if (call->monitor && strcmp(call->monitor->ext, ext))
		return EBUSY; /* one supervisor at a time */
	call->monitor_role = role;
	call->monitor_takeover = takeover;
	if (call->monitor) {
		/* a change of mode; applied when it answers if still ringing */
		if (call->monitor->answered) {
			const char *sup = call->monitor->ext;
			char who[CFG_EXT];

			util_copy(who, sizeof(who), sup);
			err = monitor_apply(call);
			if (err)
				return err;
			interaction_event(&call->ia, EVENT_CALL_MONITOR, who,
					  "{s:s,s:s,s:s}", "mode", mode, "supervisor",
					  who, "state", "changed");
		}
		return 0;
	}
	err = monitor_invite(call, ext);
	if (err)
		return err == ENOENT ? ENODEV : err;
	log_info("call: monitor ringing call=%s supervisor=%s mode=%s", call->ia.row.id,
		 ext, mode);
	interaction_event(&call->ia, EVENT_CALL_MONITOR, ext, "{s:s,s:s,s:s}", "mode",
			  mode, "supervisor", ext, "state", "ringing");
	return 0;
}

void callctl_monitor_auth_set(struct callctl *ctl, callctl_monitor_ok_h *h, void *arg)
{
	if (!ctl)
		return;
	ctl->monitor_ok = h;
	ctl->monitor_arg = arg;
}

/* The bridged call agent ext is on, or NULL. */
static struct call *call_of_agent(struct callctl *ctl, const char *ext)
{
	for (struct le *le = list_head(&ctl->calls); le; le = le->next) {
		struct call *c = le->data;
		if (c->state == CALL_BRIDGED && c->agent && !strcmp(c->agent->ext, ext))
			return c;
	}
	return NULL;
}

static void monitor_audit(struct callctl *ctl, const char *who, const struct call *call,
			  const char *mode)
{
	struct store_audit au;

	memset(&au, 0, sizeof(au));
	au.ts = clock_now_ms();
	util_copy(au.user, sizeof(au.user), who);
	util_copy(au.action, sizeof(au.action), "call.monitor");
	util_copy(au.target, sizeof(au.target), call->ia.row.id);
	snprintf(au.detail, sizeof(au.detail), "mode=%s device=%s by=feature_code", mode,
		 who);
	if (store_audit_append(interaction_svc_store(ctl->ias), &au))
		log_error("call: audit entry not stored call=%s", call->ia.row.id);
}

void call__monitor_code(struct callctl *ctl, const struct sip_msg *msg, const char *who,
			const char *code)
{
	static const enum media_mix_role roles[] = {MEDIA_MIX_LISTEN, MEDIA_MIX_WHISPER,
						    MEDIA_MIX_NORMAL};
	struct call *call = call_of_agent(ctl, code + 2);
	struct mbuf *answer = NULL;
	struct leg *leg = NULL;
	int err, busy;

	if (!call) {
		(void)sip_treply(NULL, ctl->sip, msg, 404, "No Call To Monitor");
		return;
	}
	if (!ctl->monitor_ok ||
	    !ctl->monitor_ok(who, call->ia.row.queue, ctl->monitor_arg) ||
	    !strcmp(who, call->agent->ext)) {
		log_info("call: monitor refused call=%s by=%s", call->ia.row.id, who);
		(void)sip_treply(NULL, ctl->sip, msg, 403, "Not Your Queue");
		return;
	}
	if (call->monitor) {
		(void)sip_treply(NULL, ctl->sip, msg, 486, "Monitored Already");
		return;
	}
	/* on this call, the supervisor (when an agent) is busy for the
	 * engine until its leg goes */
	busy = acd_busy(ctl->acd, who, ACD_VOICE, false, clock_now_ms());
	if (busy == EBUSY) {
		(void)sip_treply(NULL, ctl->sip, msg, 486, "Busy Here");
		return;
	}
	err = call__leg_alloc(&leg, call, LEG_MONITOR);
	if (!err)
		leg->held = !busy;
	else if (!busy)
		acd_done(ctl->acd, who, ACD_VOICE, NULL, clock_now_ms());
	if (err)
		goto out;
	util_copy(leg->ext, sizeof(leg->ext), who);
	call__leg_local(leg, &msg->dst, NULL, 0);
	err = mbuf_get_left(msg->mb) ? media_stream_answer(leg->ms, msg->mb, &answer)
				     : media_stream_offer(leg->ms, &answer);
	if (!err)
		err = sipsess_accept(
		    &leg->sess, ctl->sock, msg, 200, "OK", "hotline", "application/sdp",
		    answer, NULL, NULL, false, call__offer_handler, call__answer_handler,
		    call__estab_handler, call__info_handler, call__refer_handler,
		    call__close_handler, leg, "Allow: " CALL_ALLOW "\r\n");
out:
	mem_deref(answer);
	if (err) {
		bool refused = err == ENOTSUP || err == EPROTO;
		(void)sip_treply(NULL, ctl->sip, msg, refused ? 488 : 500,
				 refused ? "Not Acceptable Here" : "Error");
		mem_deref(leg);
		return;
	}
	call->monitor = leg;
	call->monitor_role = roles[code[1] - '1'];
	call->monitor_takeover = false;
	monitor_audit(ctl, who, call, monitor_mode(call));
	log_info("call: monitor by feature code call=%s supervisor=%s mode=%s",
		 call->ia.row.id, who, monitor_mode(call));
	/* it joins when the ACK comes (call__estab_handler) */
}

/* The agent's third party (a three-way, or a consult first): target's
 * phone is called to talk with all in the group. */
static int third_party(struct callctl *ctl, const char *id, const char *agent,
		       const char *target, bool consult)
{
	struct call *call = ctl && id && target ? call__find(ctl, id) : NULL;
	int err;

	if (!call)
		return ENOENT;
	if (!call->agent || call->state != CALL_BRIDGED)
		return EALREADY;
	if (agent && strcmp(call->agent->ext, agent))
		return EPERM;
	if (!cfg_agent_find(ctl->tenant, target) || !strcmp(target, call->agent->ext))
		return EINVAL;
	if (call->monitor)
		return EBUSY;
	err = monitor_invite(call, target);
	if (err)
		return err == ENOENT ? ENODEV : err;
	call->monitor_role = MEDIA_MIX_NORMAL;
	call->monitor_takeover = false;
	call->three_way = true;
	call->consult = consult;
	if (consult) {
		/* held as from the desktop while the target rings: music to
		 * the customer, nothing to the agent */
		call->desk_hold = true;
		call__moh_start(call->caller->ms, ctl);
		media_stream_play(call->agent->ms, ctl->hush, true);
	}
	log_info("call: %s ringing call=%s agent=%s target=%s",
		 consult ? "consult" : "three-way", call->ia.row.id, call->agent->ext,
		 target);
	interaction_event(&call->ia, EVENT_CALL_MONITOR, target, "{s:s,s:s,s:s}", "mode",
			  monitor_mode(call), "supervisor", target, "state", "ringing");
	return 0;
}

int callctl_conference(struct callctl *ctl, const char *id, const char *agent,
		       const char *target)
{
	return third_party(ctl, id, agent, target, false);
}

int callctl_consult(struct callctl *ctl, const char *id, const char *agent,
		    const char *target)
{
	return third_party(ctl, id, agent, target, true);
}

int callctl_consult_end(struct callctl *ctl, const char *id, const char *agent, bool join)
{
	struct call *call;
	struct leg *leg;
	int err = call__of_agent(ctl, id, agent, &call);

	if (err)
		return err;
	if (call->state != CALL_BRIDGED || !call->consult || !call->monitor)
		return EALREADY;
	leg = call->monitor;
	if (join) {
		if (!leg->answered || !call->mix)
			return EAGAIN; /* the target is still ringing */
		call->consult = false;
		call->desk_hold = false;
		(void)media_mix_join(call->mix, call->caller->ms, MEDIA_MIX_NORMAL, NULL);
		media_stream_silence(call->caller->ms);
		log_info("call: consult joined call=%s agent=%s target=%s",
			 call->ia.row.id, call->agent->ext, leg->ext);
		interaction_event(&call->ia, EVENT_CALL_MONITOR, leg->ext,
				  "{s:s,s:s,s:s}", "mode", "conference", "supervisor",
				  leg->ext, "state", "changed");
		return 0;
	}
	log_info("call: consult cancelled call=%s agent=%s target=%s", call->ia.row.id,
		 call->agent->ext, leg->ext);
	call__monitor_gone(leg, 0); /* BYE or CANCEL; the customer is back */
	return 0;
}

void call__consult_drop(struct call *call)
{
	if (call->consult && call->monitor) {
		log_info("call: consult dropped call=%s target=%s", call->ia.row.id,
			 call->monitor->ext);
		call__monitor_gone(call->monitor, 0);
	}
}

int callctl_monitor_end(struct callctl *ctl, const char *id, const char *ext)
{
	struct call *call = ctl && id ? call__find(ctl, id) : NULL;

	if (!call)
		return ENOENT;
	if (!call->monitor || call->three_way)
		return EALREADY;
	if (ext && strcmp(call->monitor->ext, ext))
		return EPERM; /* another supervisor's */
	log_info("call: monitor ended call=%s supervisor=%s", call->ia.row.id,
		 call->monitor->ext);
	call__monitor_gone(call->monitor, 0);
	return 0;
}
