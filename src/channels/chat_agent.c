/*
 * chat_agent.c — what agents do to a chat (docs/CHAT.md): accept or
 * decline an offer, write (an internal note never reaches the visitor),
 * type, read, hand the chat on to a chat queue or an agent, end it; the
 * visitor's details and the customer for the CRM; the messages for GET
 * /api/v1/interactions/{id}. The agent's own rights are the HTTP layer's
 * to check; here, only whether the chat is that agent's now.
 */
#include "channels/chat_int.h"

/* --- what agents do -------------------------------------------------------------------
 */

bool chat_exists(struct chat_svc *s, const char *id, char queue[32], char agent[32])
{
	struct chat *c = s ? chat__find(s, id) : NULL;

	if (!c)
		return false;
	if (queue)
		util_copy(queue, 32, c->ia.row.queue);
	if (agent)
		util_copy(agent, 32, chat__live(c) ? c->ia.agent : "");
	return true;
}

bool chat_offered_to(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat__find(s, id) : NULL;

	for (size_t i = 0; c && chat__live(c) && i < c->offerc; i++) {
		if (!strcmp(c->offers[i].agent, agent))
			return true;
	}
	return false;
}

int chat_accept(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat__find(s, id) : NULL;
	uint64_t at = 0;
	int err;

	if (!c)
		return ENOENT;
	if (!chat__live(c) || !chat__offer_drop(c, agent, &at))
		return EPERM;
	mem_ref(c);
	log_info("chat: accepted id=%s agent=%s", c->ia.row.id, agent);
	err = interaction_accept(&c->ia, agent, at);
	interaction_route(s->ias);
	mem_deref(c);
	return err;
}

int chat_decline(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c = s ? chat__find(s, id) : NULL;
	uint64_t at = 0;

	if (!c)
		return ENOENT;
	if (!chat__live(c) || !chat__offer_drop(c, agent, &at))
		return EPERM;
	mem_ref(c);
	log_info("chat: declined id=%s agent=%s", c->ia.row.id, agent);
	chat__event(c, EVENT_CHAT_WITHDRAWN, agent,
		    json_pack("{s:s,s:s}", "agent", agent, "reason", "declined"));
	/* a decline is a miss: the next agent, and auto-pause counts it */
	interaction_missed(&c->ia, agent, 603, at);
	interaction_route(s->ias);
	mem_deref(c);
	return 0;
}

/* The chat of agent (handling it), or an error. */
static int handled(struct chat_svc *s, const char *id, const char *agent,
		   struct chat **cp)
{
	struct chat *c = s ? chat__find(s, id) : NULL;

	if (!c)
		return ENOENT;
	if (!chat__live(c))
		return EALREADY;
	if (!agent || strcmp(c->ia.agent, agent))
		return EPERM;
	*cp = c;
	return 0;
}

int chat_agent_message(struct chat_svc *s, const char *id, const char *agent,
		       const char *text, bool internal, uint32_t *seq)
{
	struct chat *c;
	struct chat_msg *m;
	long n;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	n = text ? chat_utf8_chars(text, strlen(text)) : -1;
	if (n < 0)
		return EILSEQ;
	if (n == 0)
		return EINVAL;
	if ((uint32_t)n > s->tenant->chat.message_chars)
		return EMSGSIZE;
	m = chat__msg_add(c, FROM_AGENT, c->agent_name, text, internal, NULL, NULL);
	if (!m)
		return ENOMEM;
	if (!internal)
		chat__visitor_send(c->v, chat__msg_json(m, false));
	*seq = m->seq;
	return 0;
}

int chat_agent_typing(struct chat_svc *s, const char *id, const char *agent, bool on)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	chat__visitor_send(c->v, json_pack("{s:s,s:b}", "type", "typing", "on", on));
	chat__event(c, EVENT_CHAT_TYPING, agent,
		    json_pack("{s:s,s:b}", "from", "agent", "on", on));
	return 0;
}

int chat_agent_read(struct chat_svc *s, const char *id, const char *agent, uint32_t seq)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	if (seq > c->seq)
		return ERANGE;
	chat__visitor_send(
	    c->v, json_pack("{s:s,s:I}", "type", "read", "seq", (json_int_t)seq));
	chat__event(c, EVENT_CHAT_READ, agent,
		    json_pack("{s:s,s:I}", "from", "agent", "seq", (json_int_t)seq));
	return 0;
}

int chat_agent_end(struct chat_svc *s, const char *id, const char *agent)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	chat__end(c, "agent", "agent ended");
	return 0;
}

int chat_transfer(struct chat_svc *s, const char *id, const char *agent,
		  const char *to_queue, const char *to_agent)
{
	struct chat *c;
	int err = handled(s, id, agent, &c);

	if (err)
		return err;
	if (to_queue) {
		const struct cfg_queue *q = cfg_queue_find(s->tenant, to_queue);

		if (!q || q->channel != CFG_CHAT)
			return ESRCH;
		mem_ref(c);
		log_info("chat: transfer id=%s from=%s queue=%s", c->ia.row.id, agent,
			 to_queue);
		chat__msg_add(c, FROM_SYSTEM, "", "transferred", true, NULL, NULL);
		interaction_release(&c->ia, to_queue, "blind");
		c->agent_name[0] = '\0';
		c->last_pos = 0;
		err = interaction_enqueue(&c->ia, to_queue, c->ia.priority);
		if (chat__live(c)) {
			chat__tell_state(c);
			chat__tell_queue(c, true);
		}
		interaction_route(s->ias);
		mem_deref(c);
		return err;
	}
	if (!to_agent || !cfg_agent_find(s->tenant, to_agent))
		return ESRCH;
	if (!strcmp(to_agent, agent) || !chat__reachable(to_agent, s))
		return EBUSY;
	/* straight to that agent, as an extension call is: busy outside the
	 * queues, within its chat capacity */
	err = acd_busy(interaction_svc_acd(s->ias), to_agent, ACD_CHAT, false, s->now());
	if (err)
		return EBUSY;
	mem_ref(c);
	log_info("chat: transfer id=%s from=%s agent=%s", c->ia.row.id, agent, to_agent);
	interaction_release(&c->ia, to_agent, "blind");
	err = interaction_accept(&c->ia, to_agent, s->now());
	interaction_route(s->ias);
	mem_deref(c);
	return err;
}

int chat_visitor_info(struct chat_svc *s, const char *id, char name[64], char email[128],
		      char phone[32])
{
	struct chat *c = s ? chat__find(s, id) : NULL;

	if (!c)
		return ENOENT;
	util_copy(name, 64, c->name);
	util_copy(email, 128, c->email);
	util_copy(phone, 32, c->phone);
	return 0;
}

int chat_customer_set(struct chat_svc *s, const char *id, const char *customer,
		      const char *name)
{
	struct chat *c = s ? chat__find(s, id) : NULL;

	if (!c)
		return ENOENT;
	util_copy(c->ia.row.customer, sizeof(c->ia.row.customer), customer);
	util_copy(c->ia.customer_name, sizeof(c->ia.customer_name), name ? name : "");
	interaction_save(&c->ia);
	return 0;
}

struct msgs_read {
	json_t *a;
};

static int stored_msg_h(const struct store_message *m, void *arg)
{
	struct msgs_read *r = arg;
	struct chat_msg cm;

	memset(&cm, 0, sizeof(cm));
	cm.seq = m->seq;
	cm.from = !strcmp(m->sender, "agent")	 ? FROM_AGENT
		  : !strcmp(m->sender, "system") ? FROM_SYSTEM
						 : FROM_VISITOR;
	cm.internal = m->internal;
	util_copy(cm.name, sizeof(cm.name), m->name);
	cm.text = (char *)m->text;
	cm.at = m->created;
	json_t *o = chat__msg_json(&cm, true);
	if (o) {
		json_object_del(o, "type");
		if (m->attachment[0])
			json_object_set_new(o, "attachment",
					    json_pack("{s:s}", "id", m->attachment));
		json_array_append_new(r->a, o);
	}
	return 0;
}

char *chat_messages_json(struct chat_svc *s, const char *id)
{
	struct chat *c = s ? chat__find(s, id) : NULL;
	struct msgs_read r = {json_array()};
	char *text;

	if (!r.a)
		return NULL;
	if (c) {
		for (struct le *le = list_head(&c->msgs); le; le = le->next) {
			json_t *o = chat__msg_json(le->data, true);
			if (o) {
				json_object_del(o, "type");
				json_array_append_new(r.a, o);
			}
		}
	} else if (s && s->store) {
		(void)store_message_list(s->store, id, stored_msg_h, &r);
	}
	text = json_dumps(r.a, JSON_COMPACT);
	json_decref(r.a);
	return text;
}
