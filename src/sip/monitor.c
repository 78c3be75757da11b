/*
 * monitor.c — a supervisor on an agent's bridged call: listen (hears
 * both, heard by nobody), whisper (heard by the agent only), barge (all
 * three talk) and take-over (the agent's leg ends, the supervisor stays
 * with the customer). The supervisor's phone is called; when it answers,
 * the call's two legs and the supervisor's join one mix group (the
 * call's recording goes on as the group's mix). The mode can change
 * during the call. Who may monitor which call is the API's to decide
 * (the supervisor's queues, admins anywhere); it audits each use.
 *
 * Not here: the mixing (media/mixer.c), legs and signalling (call.c).
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

static const char *const mode_names[] = {"barge", "listen", "whisper"};

static const char *monitor_mode(const struct call *call)
{
	return call->monitor_takeover ? "takeover" : mode_names[call->monitor_role];
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

void call__monitor_answered(struct leg *leg)
{
	struct call *call = leg->call;

	if (call->state != CALL_BRIDGED || !call->agent || call->monitor != leg) {
		call->monitor = NULL;
		mem_deref(leg); /* the call moved on while it rang: BYE */
		return;
	}
	log_info("call: monitor joined call=%s supervisor=%s mode=%s", call->ia.row.id,
		 leg->ext, monitor_mode(call));
	interaction_event(&call->ia, EVENT_CALL_MONITOR, leg->ext, "{s:s,s:s,s:s}",
			  "mode", monitor_mode(call), "supervisor", leg->ext, "state",
			  "joined");
	if (monitor_apply(call)) {
		log_warn("call: monitor could not join call=%s", call->ia.row.id);
		call->monitor = NULL;
		mem_deref(leg);
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
	err = call__leg_invite(call, ext, LEG_MONITOR, &call->monitor);
	if (err)
		return err == ENOENT ? ENODEV : err;
	log_info("call: monitor ringing call=%s supervisor=%s mode=%s", call->ia.row.id,
		 ext, mode);
	interaction_event(&call->ia, EVENT_CALL_MONITOR, ext, "{s:s,s:s,s:s}", "mode",
			  mode, "supervisor", ext, "state", "ringing");
	return 0;
}
