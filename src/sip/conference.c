/*
 * conference.c — conference rooms by number (the tenant's conferences:
 * number, PIN, at most max callers up to 32). A caller to a room's
 * number is answered and asked for the PIN (digits, then #; three
 * tries); then it joins the room's mix group, and everyone in the room
 * hears a short tone as someone joins or leaves. A room at its limit
 * says so and hangs up. The room lives while someone is in it.
 *
 * A room's caller is an interaction like any call (channel voice, stored
 * row with outcome "conference", its times, called: the room's number,
 * call.created and call.ended) with conference.joined and
 * conference.left as it goes in and out of the room.
 *
 * Not here: the mixing (media/mixer.c), legs and signalling (call.c).
 */
#include <math.h>
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

#define PIN_TRIES 3

struct conf_room {
	struct le le; /* in ctl->rooms */
	char number[CFG_EXT];
	struct media_mix *mix;
	struct list calls; /* its members' calls */
};

int call__conference_prepare(struct callctl *ctl)
{
	int16_t beep[MEDIA_SRATE / 5]; /* 200 ms of 880 Hz */
	int err = 0;

	for (enum said w = SAID_CONF_PIN; w <= SAID_CONF_FULL; w++)
		err |= call__prompt_add(ctl, call__said(w, ctl->tenant->language), NULL,
					ctl->tenant->language);
	if (err || ctl->conf_tone)
		return err;
	for (size_t i = 0; i < sizeof(beep) / sizeof(beep[0]); i++)
		beep[i] = (int16_t)(6000 * sin(2 * M_PI * 880 * (double)i / MEDIA_SRATE));
	return prompt_from_samples(&ctl->conf_tone, beep, sizeof(beep) / sizeof(beep[0]));
}

static void conf_say(struct call *call, enum said w)
{
	struct ivr_action act = {.type = IVR_ACT_PLAY,
				 .text = call__said(w, call->ctl->tenant->language),
				 .file = "",
				 .voice = call->ctl->tenant->language};
	const struct prompt *p = call__prompt_for(call->ctl, &act);

	if (p)
		media_stream_play(call->caller->ms, p, false);
	else if (w == SAID_CONF_FULL)
		call__end(call, "system", 486, "conference full");
}

static void room_destructor(void *arg)
{
	struct conf_room *r = arg;

	list_unlink(&r->le);
	mem_deref(r->mix);
}

/* Everyone in the room but call hears the tone. */
static void room_tone(struct conf_room *r, const struct call *call)
{
	for (struct le *le = list_head(&r->calls); le; le = le->next) {
		struct call *c = le->data;
		if (c != call) /* over the room: whoever talks goes on */
			media_stream_play_over(c->caller->ms, c->ctl->conf_tone);
	}
}

void call__conference_left(struct call *call)
{
	struct conf_room *r = call->room;

	if (!r)
		return;
	list_unlink(&call->room_le);
	media_mix_leave(call->caller->ms);
	room_tone(r, call);
	interaction_event(&call->ia, EVENT_CONFERENCE_LEFT, NULL, "{s:s,s:I}", "room",
			  r->number, "members", (long long)list_count(&r->calls));
	log_info("conference: left room=%s call=%s members=%u", r->number,
		 call->ia.row.id, list_count(&r->calls));
	call->room = mem_deref(r);
}

static void conf_join(struct call *call)
{
	struct callctl *ctl = call->ctl;
	struct conf_room *r = NULL;
	int err;

	for (struct le *le = list_head(&ctl->rooms); le; le = le->next) {
		struct conf_room *o = le->data;
		if (!strcmp(o->number, call->conf_number))
			r = o;
	}
	if (r && list_count(&r->calls) >= call->conf_max) {
		log_info("conference: full room=%s call=%s max=%u", r->number,
			 call->ia.row.id, call->conf_max);
		call->conf_full = true;
		conf_say(call, SAID_CONF_FULL);
		return;
	}
	if (!r) {
		r = mem_zalloc(sizeof(*r), room_destructor);
		if (!r || media_mix_alloc(&r->mix, ctl->media)) {
			mem_deref(r);
			call__end(call, "system", 500, "no room");
			return;
		}
		util_copy(r->number, sizeof(r->number), call->conf_number);
		list_append(&ctl->rooms, &r->le, r);
	} else {
		mem_ref(r);
	}
	err = media_mix_join(r->mix, call->caller->ms, MEDIA_MIX_NORMAL, NULL);
	if (err) {
		mem_deref(r);
		call__end(call, "system", 500, "no room");
		return;
	}
	call->room = r;
	list_append(&r->calls, &call->room_le, call);
	media_stream_detect(call->caller->ms, false);
	/* the newcomer hears the tone too: it is in */
	media_stream_play_over(call->caller->ms, ctl->conf_tone);
	room_tone(r, call);
	interaction_event(&call->ia, EVENT_CONFERENCE_JOINED, NULL, "{s:s,s:I}", "room",
			  r->number, "members", (long long)list_count(&r->calls));
	log_info("conference: joined room=%s call=%s members=%u", r->number,
		 call->ia.row.id, list_count(&r->calls));
}

void call__conference_digit(struct call *call, char digit)
{
	size_t n = strlen(call->conf_digits);

	if (call->room || call->conf_full || !call->conf_pin[0])
		return;
	if (digit != '#') {
		if (n + 1 < sizeof(call->conf_digits)) {
			call->conf_digits[n] = digit;
			call->conf_digits[n + 1] = '\0';
		}
		return;
	}
	if (!strcmp(call->conf_digits, call->conf_pin)) {
		conf_join(call);
		return;
	}
	call->conf_digits[0] = '\0';
	log_info("conference: wrong PIN room=%s call=%s try=%d", call->conf_number,
		 call->ia.row.id, call->conf_tries + 1);
	if (++call->conf_tries >= PIN_TRIES) {
		call__end(call, "system", 403, "wrong PIN");
		return;
	}
	conf_say(call, SAID_CONF_BAD_PIN);
}

void call__conference_played(struct call *call)
{
	if (call->conf_full) {
		call__end(call, "system", 486, "conference full");
		return;
	}
	if (!call->room && call->conf_tries && call->conf_pin[0])
		conf_say(call, SAID_CONF_PIN); /* after "not right": ask again */
}

void call__conference_in(struct callctl *ctl, const struct sip_msg *msg,
			 const struct cfg_conference *conf)
{
	struct call *call = NULL;

	if (call__answer_quiet(ctl, msg, &call))
		return;
	/* an interaction: stored and told like other calls */
	call->ia.quiet = false;
	util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome), "conference");
	interaction_customer(&call->ia, call->ia.row.caller);
	interaction_save(&call->ia);
	interaction_event(&call->ia, EVENT_CALL_CREATED, NULL, "{s:s,s:s,s:s}", "caller",
			  call->ia.row.caller, "called", call->ia.row.called, "customer",
			  call->ia.row.customer);
	call->state = CALL_CONFERENCE;
	util_copy(call->conf_number, sizeof(call->conf_number), conf->number);
	util_copy(call->conf_pin, sizeof(call->conf_pin), conf->pin);
	call->conf_max = conf->max;
	log_info("conference: caller in room=%s call=%s", conf->number, call->ia.row.id);
	if (!conf->pin[0]) {
		conf_join(call);
		return;
	}
	media_stream_detect(call->caller->ms, true);
	conf_say(call, SAID_CONF_PIN);
}
