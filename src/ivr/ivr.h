/*
 * ivr.h — the IVR interpreter: walks a flow (struct cfg_flow) for one
 * call. Pure: no I/O, time passed in, so tests run it on a virtual clock.
 *
 * The call controller feeds it what happened (start, prompt finished,
 * digit, time passing) and carries out the action it hands back.
 */
#ifndef HOTLINE_IVR_H
#define HOTLINE_IVR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_flow;
struct cfg_tenant;
struct ivr_session;

enum ivr_act {
	IVR_ACT_NONE = 0,  /* keep doing what you do (playing, waiting) */
	IVR_ACT_PLAY,	   /* play text/file; report ivr_prompt_done at its end */
	IVR_ACT_QUEUE,	   /* route the call to queue `target` */
	IVR_ACT_TRANSFER,  /* route the call to extension `target` */
	IVR_ACT_HANGUP,	   /* end the call */
	IVR_ACT_VOICEMAIL, /* play the greeting (text/file), then record up to max_ms */
};

struct ivr_action {
	enum ivr_act type;
	const char *text;   /* PLAY: text for TTS ("" if file) */
	const char *file;   /* PLAY: WAV path ("" if text) */
	const char *voice;  /* PLAY: the flow's language, which eSpeak NG voice
			     * says text ("": English) */
	bool barge;	    /* PLAY: a digit stops the prompt */
	const char *target; /* QUEUE, TRANSFER */
	int priority;	    /* QUEUE: the caller's priority (VIP higher) */
	uint32_t max_ms;    /* VOICEMAIL: longest message */
};

/* tenant (a mem object, flow one of its flows) is used for business hours
 * and extension look-ups; the session holds a reference to it, so that a
 * tenant applied live frees the old one after the last caller in it. */
int ivr_session_alloc(struct ivr_session **sp, const struct cfg_flow *flow,
		      const struct cfg_tenant *tenant);
/* The language the session's prompts are said in, instead of the flow's
 * (the number dialled has its own); a string of the session's tenant. */
void ivr_session_language(struct ivr_session *s, const char *language);
void ivr_start(struct ivr_session *s, uint64_t now, struct ivr_action *act);
void ivr_prompt_done(struct ivr_session *s, uint64_t now, struct ivr_action *act);
void ivr_digit(struct ivr_session *s, char digit, uint64_t now, struct ivr_action *act);
/* Call at least every 100 ms: fires digit timeouts. */
void ivr_tick(struct ivr_session *s, uint64_t now, struct ivr_action *act);
/* When the next timeout is due (UTC ms), 0 = none pending. */
uint64_t ivr_deadline(const struct ivr_session *s);
/* Node ids visited, joined by '>' ("check-hours>welcome>menu>sales"). */
const char *ivr_path(const struct ivr_session *s);
/* Whether a digit would mean anything now: a menu is the current node.
 * In-band DTMF detection costs CPU on every frame, so the caller runs it
 * only then. */
bool ivr_wants_digits(const struct ivr_session *s);
/* Digits entered so far, in order ("1", "1002"). */
const char *ivr_digits(const struct ivr_session *s);

#endif
