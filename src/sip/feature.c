/*
 * feature.c — an agent's phone dials a feature code (*50 log in, *51
 * pause, *52 resume, *59 log out): answered, confirmed in words, hung up.
 * Not an interaction: nothing is stored for the call itself.
 *
 * Not here: presence (acd/), legs and prompts (call.c).
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

/* What the feature codes say is rendered at start-up. */
int call__feature_prepare(struct callctl *ctl)
{
	int err = 0;

	for (enum said w = SAID_LOGGED_OUT; w <= SAID_NOT_NOW; w++)
		err |= call__prompt_add(ctl, call__said(w, ctl->tenant->language), NULL,
					ctl->tenant->language);
	return err;
}

int call__answer_quiet(struct callctl *ctl, const struct sip_msg *msg,
		       struct call **callp)
{
	struct call *call = NULL;
	struct mbuf *answer = NULL;
	int err;

	if (call__alloc(&call, ctl, msg)) {
		(void)sip_treply(NULL, ctl->sip, msg, 503, "Service Unavailable");
		return ENOMEM;
	}
	call->ia.quiet = true;
	err = mbuf_get_left(msg->mb)
		  ? media_stream_answer(call->caller->ms, msg->mb, &answer)
		  : media_stream_offer(call->caller->ms, &answer);
	if (!err)
		err = call__accept(call, msg, 200, "OK", answer);
	mem_deref(answer);
	if (err) {
		bool refused = err == ENOTSUP || err == EPROTO;
		(void)sip_treply(NULL, ctl->sip, msg, refused ? 488 : 500,
				 refused ? "Not Acceptable Here" : "Error");
		call->state = CALL_ENDED;
		mem_deref(call);
		return err;
	}
	call->caller->answered = true;
	*callp = call;
	return 0;
}

/*
 * An agent's phone dials a feature code: *50 log in, *51 pause (with the
 * first reason code), *52 resume, *59 log out. The call is answered, a
 * short confirmation is spoken, and hotline hangs up. Not an interaction:
 * nothing is stored for the call itself; the state change is an event.
 */
void call__feature_code(struct callctl *ctl, const struct sip_msg *msg, const char *who,
			const char *code)
{
	const struct cfg_agent *agent = cfg_agent_find(ctl->tenant, who);
	enum agent_presence p;
	struct call *call = NULL;
	const char *said;
	int err;

	if (!strcmp(code, "*50") || !strcmp(code, "*52"))
		p = AGENT_AVAILABLE;
	else if (!strcmp(code, "*51"))
		p = AGENT_PAUSED;
	else if (!strcmp(code, "*59"))
		p = AGENT_LOGGED_OUT;
	else {
		(void)sip_treply(NULL, ctl->sip, msg, 404, "No Such Feature Code");
		return;
	}
	if (!agent) {
		(void)sip_treply(NULL, ctl->sip, msg, 403, "Not An Agent");
		return;
	}
	/* *52 resumes a paused agent; a logged-out one logs in with *50 */
	if (!strcmp(code, "*52")) {
		struct acd_agent_info info;
		if (!acd_agent_info(ctl->acd, agent->ext, &info) &&
		    info.presence == AGENT_LOGGED_OUT)
			err = EALREADY;
		else
			err =
			    acd_agent_set(ctl->acd, agent->ext, p, NULL, clock_now_ms());
	} else {
		err = acd_agent_set(ctl->acd, agent->ext, p, NULL, clock_now_ms());
	}
	said = call__said(err ? SAID_NOT_NOW : SAID_LOGGED_OUT + (int)p,
			  ctl->tenant->language);
	if (!err)
		interaction_route(ctl->ias);

	if (call__answer_quiet(ctl, msg, &call))
		return;
	call->state = CALL_FEATURE;
	{
		struct ivr_action act = {.type = IVR_ACT_PLAY,
					 .text = said,
					 .file = "",
					 .voice = ctl->tenant->language};
		const struct prompt *pr = call__prompt_for(ctl, &act);
		if (pr)
			media_stream_play(call->caller->ms, pr, false);
		else
			call__end(call, "system", 0, "feature code done");
	}
}
