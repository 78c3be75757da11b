/*
 * event.c — the in-process event bus: the event types and their names,
 * the subscriber list, and the one encoder that turns an event into the
 * JSON text the store, the stream and webhooks keep or send. Subscribers
 * are called in order, synchronously, on the main thread; what they do
 * with an event (store it, count it, push it to a browser) is theirs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include "core/core.h"

/* The one name table: what the store, the stream, webhooks and
 * docs/openapi.yaml know each type by. */
static const char *const names[EVENT_TYPES] = {
    [EVENT_UNKNOWN] = "",
    [EVENT_CALL_CREATED] = "call.created",
    [EVENT_CALL_ANSWERED] = "call.answered",
    [EVENT_CALL_HELD] = "call.held",
    [EVENT_CALL_RESUMED] = "call.resumed",
    [EVENT_CALL_TRANSFERRED] = "call.transferred",
    [EVENT_CALL_VOICEMAIL] = "call.voicemail",
    [EVENT_CALL_RATED] = "call.rated",
    [EVENT_CALL_CALLBACK_DIALLED] = "call.callback_dialled",
    [EVENT_CALL_WRAPUP] = "call.wrapup",
    [EVENT_CALL_DIAL_REFUSED] = "call.dial_refused",
    [EVENT_CALL_DIAL_ALLOWED] = "call.dial_allowed",
    [EVENT_CALL_TRUNK] = "call.trunk",
    [EVENT_CALL_MONITOR] = "call.monitor",
    [EVENT_CALL_ENDED] = "call.ended",
    [EVENT_CONFERENCE_JOINED] = "conference.joined",
    [EVENT_CONFERENCE_LEFT] = "conference.left",
    [EVENT_CHAT_CREATED] = "chat.created",
    [EVENT_CHAT_OFFERED] = "chat.offered",
    [EVENT_CHAT_ANSWERED] = "chat.answered",
    [EVENT_CHAT_MESSAGE] = "chat.message",
    [EVENT_CHAT_TYPING] = "chat.typing",
    [EVENT_CHAT_READ] = "chat.read",
    [EVENT_CHAT_WITHDRAWN] = "chat.withdrawn",
    [EVENT_CHAT_RATED] = "chat.rated",
    [EVENT_CHAT_ENDED] = "chat.ended",
    [EVENT_MAIL_ENDED] = "mail.ended",
    [EVENT_MESSAGE_ENDED] = "message.ended",
    [EVENT_QUEUE_ENTERED] = "queue.entered",
    [EVENT_QUEUE_ANNOUNCED] = "queue.announced",
    [EVENT_QUEUE_CALLBACK] = "queue.callback",
    [EVENT_QUEUE_ANSWERED] = "queue.answered",
    [EVENT_QUEUE_ABANDONED] = "queue.abandoned",
    [EVENT_QUEUE_EXITED] = "queue.exited",
    [EVENT_QUEUE_TRANSFERRED] = "queue.transferred",
    [EVENT_QUEUE_COMPLETED] = "queue.completed",
    [EVENT_QUEUE_UPDATED] = "queue.updated",
    [EVENT_AGENT_STATE] = "agent.state",
    [EVENT_AGENT_RINGING] = "agent.ringing",
    [EVENT_AGENT_NOANSWER] = "agent.noanswer",
    [EVENT_AGENT_REGISTERED] = "agent.registered",
    [EVENT_AGENT_UNREGISTERED] = "agent.unregistered",
    [EVENT_AGENT_REGISTERED_FROM] = "agent.registered_from",
    [EVENT_AGENT_REGISTER_REFUSED] = "agent.register_refused",
    [EVENT_AGENT_UPDATED] = "agent.updated",
    [EVENT_CUSTOMER_CREATED] = "customer.created",
    [EVENT_CUSTOMER_UPDATED] = "customer.updated",
    [EVENT_CUSTOMER_MERGED] = "customer.merged",
    [EVENT_CUSTOMER_DELETED] = "customer.deleted",
    [EVENT_TICKET_CREATED] = "ticket.created",
    [EVENT_TICKET_UPDATED] = "ticket.updated",
    [EVENT_TICKET_SLA_WARNING] = "ticket.sla_warning",
    [EVENT_TICKET_SLA_BREACHED] = "ticket.sla_breached",
    [EVENT_TICKET_ESCALATED] = "ticket.escalated",
    [EVENT_TICKET_SURVEY] = "ticket.survey",
    [EVENT_TICKET_RATED] = "ticket.rated",
    [EVENT_SURVEY_LINK] = "survey.link",
    [EVENT_DIALING_CAP_WARNING] = "dialing.cap_warning",
    [EVENT_DIALING_CAP_REACHED] = "dialing.cap_reached",
    [EVENT_SIP_ADDRESS_BANNED] = "sip.address_banned",
    [EVENT_RECORDING_PAUSED] = "recording.paused",
    [EVENT_RECORDING_RESUMED] = "recording.resumed",
};

/* What event_emit keeps of one event while its subscribers run. */
struct event_text {
	char *data; /* the data's text, made on the first ask */
	char *json; /* the whole event's, made from it */
};

struct sub {
	struct le le;
	event_h *h;
	void *arg;
};

static struct list subs;

const char *event_name(enum event_type type)
{
	return (unsigned)type < EVENT_TYPES && names[type] ? names[type] : "";
}

int event_type_parse(enum event_type *typep, const char *name)
{
	*typep = EVENT_UNKNOWN;
	if (!name || !*name)
		return ENOENT;
	for (int t = EVENT_UNKNOWN + 1; t < EVENT_TYPES; t++) {
		if (!strcmp(names[t], name)) {
			*typep = (enum event_type)t;
			return 0;
		}
	}
	return ENOENT;
}

int event_subscribe(event_h *h, void *arg)
{
	struct sub *s = mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return ENOMEM;
	s->h = h;
	s->arg = arg;
	list_append(&subs, &s->le, s);
	return 0;
}

void event_unsubscribe(event_h *h, void *arg)
{
	struct le *le = list_head(&subs);
	while (le) {
		struct sub *s = le->data;
		le = le->next;
		if (s->h == h && s->arg == arg) {
			list_unlink(&s->le);
			mem_deref(s);
		}
	}
}

void event_emit(struct hl_event *ev)
{
	struct event_text text = {NULL};
	struct event_text *outer = ev->text;
	struct le *le;

	if (!ev->ts)
		ev->ts = clock_now_ms();
	if (!ev->name)
		ev->name = event_name(ev->type);
	ev->text = &text;
	le = list_head(&subs);
	while (le) {
		struct sub *s = le->data;
		le = le->next; /* a handler may unsubscribe itself */
		s->h(ev, s->arg);
	}
	free(text.data);
	free(text.json);
	ev->text = outer;
}

void event_emit_data(enum event_type type, const char *call, const char *agent,
		     const char *queue, struct json_t *data)
{
	struct hl_event ev = {0, type, NULL, call, agent, queue, data, NULL};

	event_emit(&ev);
	json_decref(data);
}

void event_emit_vpack(enum event_type type, const char *call, const char *agent,
		      const char *queue, const char *fmt, va_list ap)
{
	json_t *data = NULL;
	json_error_t err;

	if (fmt) {
		data = json_vpack_ex(&err, 0, fmt, ap);
		if (!data)
			log_error("event: %s without its data (%s: %s)", event_name(type),
				  fmt, err.text);
	}
	event_emit_data(type, call, agent, queue, data);
}

void event_emit_pack(enum event_type type, const char *call, const char *agent,
		     const char *queue, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	event_emit_vpack(type, call, agent, queue, fmt, ap);
	va_end(ap);
}

struct json_t *event_data_pack(const char *fmt, ...)
{
	json_error_t err;
	json_t *data;
	va_list ap;

	va_start(ap, fmt);
	data = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (!data)
		log_error("event: data not packed (%s: %s)", fmt, err.text);
	return data;
}

struct json_t *event_data_parse(const char *text)
{
	return json_loads(text, 0, NULL);
}

void event_data_deref(struct json_t *data)
{
	json_decref(data);
}

/* json_pack's "I" reads a json_int_t; callers without <jansson.h> pass a
 * long long (core.h). */
_Static_assert(sizeof(json_int_t) == sizeof(long long), "json_int_t is long long");

void event_close(void)
{
	list_flush(&subs);
}

const char *event_str(const struct hl_event *ev, const char *key)
{
	return ev && ev->data ? json_string_value(json_object_get(ev->data, key)) : NULL;
}

uint64_t event_num(const struct hl_event *ev, const char *key)
{
	json_t *v = ev && ev->data ? json_object_get(ev->data, key) : NULL;

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

/* The data's text: made once for an emitted event (kept in its text),
 * on each call for another (*own, the caller's). NULL: no data. */
static const char *data_text(const struct hl_event *ev, char **own)
{
	*own = NULL;
	if (!ev->data)
		return NULL;
	if (!ev->text)
		return *own = json_dumps(ev->data, JSON_COMPACT);
	if (!ev->text->data)
		ev->text->data = json_dumps(ev->data, JSON_COMPACT);
	return ev->text->data;
}

/*
 * The whole event: its own fields encoded, the data's text (the one the
 * store keeps) put in as it is, so the data is encoded once whoever asks.
 */
static char *encode(const struct hl_event *ev)
{
	const char *name = ev->name ? ev->name : event_name(ev->type);
	json_t *o =
	    json_pack("{s:I,s:s,s:s?,s:s?,s:s?}", "ts", (json_int_t)ev->ts, "type", name,
		      "call", ev->call, "agent", ev->agent, "queue", ev->queue);
	char *head = o ? json_dumps(o, JSON_COMPACT) : NULL, *own, *s = NULL;
	const char *data = data_text(ev, &own);
	size_t hn, n;

	json_decref(o);
	if (head && (data || !ev->data)) {
		/* head is {...}: its closing brace gives way to the data */
		hn = strlen(head) - 1;
		n = hn + strlen(",\"data\":}") + (data ? strlen(data) : 4) + 1;
		s = malloc(n);
		if (s)
			snprintf(s, n, "%.*s,\"data\":%s}", (int)hn, head,
				 data ? data : "null");
	}
	free(head);
	free(own);
	return s;
}

const char *event_json(const struct hl_event *ev, char **own)
{
	*own = NULL;
	if (!ev->text)
		return *own = encode(ev);
	if (!ev->text->json)
		ev->text->json = encode(ev);
	return ev->text->json;
}

char *event_data_text(const struct hl_event *ev)
{
	char *own;
	const char *t = data_text(ev, &own);

	return own ? own : t ? strdup(t) : NULL;
}
