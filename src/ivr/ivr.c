/*
 * ivr.c — the IVR interpreter: walks one flow for one call. Pure: it is
 * told what happened (start, prompt done, digit, time) and answers with
 * the next action; it never plays, waits or routes by itself.
 *
 * Menus: the prompt can be interrupted by a digit (barge-in); digits
 * collect until they match an option or an extension unambiguously, '#'
 * ends entry, interdigit time ends it too; no input and invalid input
 * say their message and re-prompt, and after the retries the default
 * node is taken.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "ivr/ivr.h"

#define MAX_STEPS 50 /* nodes entered without input before giving up */

enum wait {
	WAIT_NONE,  /* nothing pending (playing, or finished) */
	WAIT_FIRST, /* menu: for the first digit */
	WAIT_NEXT,  /* menu: for another digit */
};

struct ivr_session {
	const struct cfg_flow *flow;
	const struct cfg_tenant *tenant;
	const struct cfg_ivr_node *node; /* current */
	const char *language;		 /* the prompts' (the flow's or a number's) */
	enum wait wait;
	uint64_t deadline;
	bool playing;
	bool menu_prompt;  /* the prompt playing is the menu's own */
	bool done;	   /* routed or hung up: ignore everything */
	uint32_t attempts; /* failed menu attempts */
	unsigned steps;
	char entry[16]; /* digits of the current menu attempt */
	char path[256];
	char digits[64];
};

static void enter(struct ivr_session *s, const char *id, uint64_t now,
		  struct ivr_action *act);

static void append(char *buf, size_t sz, const char *sep, const char *s)
{
	size_t n = strlen(buf);

	if (n + strlen(sep) + strlen(s) >= sz)
		return; /* full: the path is a record, not a control */
	if (n)
		strcat(buf, sep);
	strcat(buf, s);
}

static void session_destructor(void *arg)
{
	struct ivr_session *s = arg;

	mem_deref((void *)s->tenant);
}

void ivr_session_language(struct ivr_session *s, const char *language)
{
	if (s && language && *language)
		s->language = language;
}

int ivr_session_alloc(struct ivr_session **sp, const struct cfg_flow *flow,
		      const struct cfg_tenant *tenant)
{
	struct ivr_session *s;

	if (!sp || !flow)
		return EINVAL;
	s = mem_zalloc(sizeof(*s), session_destructor);
	if (!s)
		return ENOMEM;
	s->flow = flow;
	s->language = flow->language;
	/* the flow is the tenant's: a tenant applied while the caller is in
	 * the menu frees the old one only after this session */
	s->tenant = mem_ref((void *)tenant);
	*sp = s;
	return 0;
}

static void act_hangup(struct ivr_session *s, struct ivr_action *act)
{
	s->done = true;
	s->wait = WAIT_NONE;
	act->type = IVR_ACT_HANGUP;
}

static void act_play(struct ivr_session *s, const char *text, const char *file,
		     bool barge, struct ivr_action *act)
{
	s->playing = true;
	s->wait = WAIT_NONE;
	act->type = IVR_ACT_PLAY;
	act->text = text ? text : "";
	act->file = file ? file : "";
	act->voice = s->language;
	act->barge = barge;
}

static void menu_prompt(struct ivr_session *s, struct ivr_action *act)
{
	s->entry[0] = '\0';
	s->menu_prompt = true;
	act_play(s, s->node->text, s->node->file, true, act);
}

static void enter(struct ivr_session *s, const char *id, uint64_t now,
		  struct ivr_action *act)
{
	const struct cfg_ivr_node *n;
	const struct cfg_hours *h;

	if (!id || !*id) {
		act_hangup(s, act);
		return;
	}
	n = cfg_flow_node(s->flow, id);
	if (!n || ++s->steps > MAX_STEPS) {
		log_warn("ivr: flow=%s %s at node=%s, hanging up", s->flow->name,
			 n ? "loops without input" : "has no node", id);
		act_hangup(s, act);
		return;
	}
	s->node = n;
	s->attempts = 0;
	s->entry[0] = '\0';
	append(s->path, sizeof(s->path), ">", n->id);

	switch (n->type) {
	case IVR_NODE_SAY:
		s->menu_prompt = false;
		act_play(s, n->text, n->file, false, act);
		break;
	case IVR_NODE_MENU:
		menu_prompt(s, act);
		break;
	case IVR_NODE_QUEUE:
		s->done = true;
		act->type = IVR_ACT_QUEUE;
		act->target = n->queue;
		act->priority = n->priority;
		break;
	case IVR_NODE_TRANSFER:
		s->done = true;
		act->type = IVR_ACT_TRANSFER;
		act->target = n->target;
		break;
	case IVR_NODE_HOURS:
		h = cfg_hours_find(
		    s->tenant,
		    n->hours[0] ? n->hours : (s->tenant ? s->tenant->hours_default : ""));
		enter(s, cfg_hours_open(h, now) ? n->open : n->closed, now, act);
		break;
	case IVR_NODE_HANGUP:
		act_hangup(s, act);
		break;
	case IVR_NODE_VOICEMAIL:
		s->done = true;
		act->type = IVR_ACT_VOICEMAIL;
		act->text = n->text;
		act->file = n->file;
		act->voice = s->language;
		act->max_ms = n->max_ms;
		break;
	}
}

void ivr_start(struct ivr_session *s, uint64_t now, struct ivr_action *act)
{
	memset(act, 0, sizeof(*act));
	if (!s || s->node || s->done)
		return;
	enter(s, s->flow->start, now, act);
}

/* A failed menu attempt: say why, re-prompt, or give up. */
static void menu_retry(struct ivr_session *s, bool noinput, uint64_t now,
		       struct ivr_action *act)
{
	const struct cfg_ivr_node *n = s->node;
	const char *msg = noinput ? n->noinput_text : n->invalid_text;

	s->entry[0] = '\0';
	s->wait = WAIT_NONE;
	if (++s->attempts > n->retries) {
		if (n->default_next[0])
			enter(s, n->default_next, now, act);
		else
			act_hangup(s, act);
		return;
	}
	if (msg[0]) {
		/* the message first, then the menu again (prompt_done) */
		s->menu_prompt = false;
		act_play(s, msg, NULL, true, act);
		return;
	}
	menu_prompt(s, act);
}

void ivr_prompt_done(struct ivr_session *s, uint64_t now, struct ivr_action *act)
{
	memset(act, 0, sizeof(*act));
	if (!s || s->done || !s->node || !s->playing)
		return;
	s->playing = false;
	if (s->node->type == IVR_NODE_SAY) {
		enter(s, s->node->next, now, act);
		return;
	}
	if (s->node->type != IVR_NODE_MENU)
		return;
	if (!s->menu_prompt) {
		/* an invalid/no-input message ended: the menu again */
		menu_prompt(s, act);
		return;
	}
	s->wait = WAIT_FIRST;
	s->deadline = now + s->node->timeout_ms;
}

static bool is_extension(const struct ivr_session *s, const char *d)
{
	return s->node->extensions && cfg_agent_find(s->tenant, d);
}

/* Could more digits still make a match? */
static bool could_grow(const struct ivr_session *s, const char *d)
{
	size_t n = strlen(d);

	for (size_t i = 0; i < s->node->optionc; i++) {
		const char *o = s->node->options[i].digits;
		if (strlen(o) > n && !strncmp(o, d, n))
			return true;
	}
	if (s->node->extensions && s->tenant) {
		for (size_t i = 0; i < s->tenant->agentc; i++) {
			const char *e = s->tenant->agentv[i].ext;
			if (strlen(e) > n && !strncmp(e, d, n))
				return true;
		}
	}
	return false;
}

static const struct cfg_ivr_option *option_find(const struct ivr_session *s,
						const char *d)
{
	for (size_t i = 0; i < s->node->optionc; i++) {
		if (!strcmp(s->node->options[i].digits, d))
			return &s->node->options[i];
	}
	return NULL;
}

/* The entry is complete: take what it matches. */
static void menu_decide(struct ivr_session *s, uint64_t now, struct ivr_action *act)
{
	const struct cfg_ivr_option *o = option_find(s, s->entry);

	s->wait = WAIT_NONE;
	if (o) {
		enter(s, o->next, now, act);
		return;
	}
	if (is_extension(s, s->entry)) {
		s->done = true;
		act->type = IVR_ACT_TRANSFER;
		act->target = cfg_agent_find(s->tenant, s->entry)->ext;
		return;
	}
	menu_retry(s, s->entry[0] == '\0', now, act);
}

void ivr_digit(struct ivr_session *s, char digit, uint64_t now, struct ivr_action *act)
{
	char d[2] = {digit, '\0'};
	size_t n;

	memset(act, 0, sizeof(*act));
	if (!s || s->done || !s->node || s->node->type != IVR_NODE_MENU)
		return; /* digits only mean something in a menu */
	append(s->digits, sizeof(s->digits), "", d);
	s->steps = 0;
	s->playing = false; /* barge-in: the caller has stopped the prompt */

	if (digit == '#') {
		menu_decide(s, now, act);
		return;
	}
	n = strlen(s->entry);
	if (n + 1 >= sizeof(s->entry)) {
		menu_decide(s, now, act);
		return;
	}
	s->entry[n] = digit;
	s->entry[n + 1] = '\0';

	if (could_grow(s, s->entry)) {
		s->wait = WAIT_NEXT;
		s->deadline = now + s->node->interdigit_ms;
		return;
	}
	menu_decide(s, now, act);
}

void ivr_tick(struct ivr_session *s, uint64_t now, struct ivr_action *act)
{
	memset(act, 0, sizeof(*act));
	if (!s || s->done || s->wait == WAIT_NONE || now < s->deadline)
		return;
	if (s->wait == WAIT_FIRST) {
		s->wait = WAIT_NONE;
		menu_retry(s, true, now, act);
		return;
	}
	menu_decide(s, now, act);
}

bool ivr_wants_digits(const struct ivr_session *s)
{
	return s && !s->done && s->node && s->node->type == IVR_NODE_MENU;
}

uint64_t ivr_deadline(const struct ivr_session *s)
{
	return s && !s->done && s->wait != WAIT_NONE ? s->deadline : 0;
}

const char *ivr_path(const struct ivr_session *s)
{
	return s ? s->path : "";
}

const char *ivr_digits(const struct ivr_session *s)
{
	return s ? s->digits : "";
}
