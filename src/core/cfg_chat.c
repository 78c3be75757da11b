/*
 * cfg_chat.c — the tenant's chat section (issue 13): the web chat's entry
 * points (which pages may embed the widget, the topics that pick a chat
 * queue, the calendar and the offline form's ticket group), the limits a
 * visitor meets and the agents' canned replies. Parsed and checked here,
 * once; the chat adapter (src/channels/chat.c) applies it. docs/CHAT.md
 * describes it.
 */
#include <string.h>
#include <yaml.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"

/* "https://shop.example.com[:port]" as a browser sends it in Origin:
 * a scheme, "://", a host, no path; "*" is not an origin. */
static bool origin_valid(const char *s)
{
	const char *h;

	if (!strncmp(s, "https://", 8))
		h = s + 8;
	else if (!strncmp(s, "http://", 7))
		h = s + 7;
	else
		return false;
	if (!*h)
		return false;
	for (; *h; h++) {
		if (*h == '/' || *h == '*' || *h == ' ' || *h == ',' ||
		    (unsigned char)*h < 0x21)
			return false;
	}
	return true;
}

static void origins_parse(struct cfg_parse *cp, yaml_node_t *n, struct cfg_chat_entry *e)
{
	if (!n)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "chat.entries.origins",
			   "expected a list of origins ([\"https://shop.example.com\"])");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		char o[128] = "";

		if (e->originc >= CFG_MAX_CHAT_ORIGINS) {
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.origins", "at most %d origins",
				   CFG_MAX_CHAT_ORIGINS);
			return;
		}
		if (!cfg__str(cp, v, "chat.entries.origins", o, sizeof(o)))
			continue;
		if (!origin_valid(o)) {
			cfg__error(
			    cp->errs, cp->file, cfg__line(v), "chat.entries.origins",
			    "\"%s\" is not an origin: scheme://host[:port], exactly as "
			    "a browser sends it (\"*\" is not allowed)",
			    o);
			continue;
		}
		util_copy(e->origins[e->originc++], sizeof(e->origins[0]), o);
	}
}

static void topics_parse(struct cfg_parse *cp, const struct cfg_tenant *t, yaml_node_t *n,
			 struct cfg_chat_entry *e)
{
	static const char *const keys[] = {"label", "queue", NULL};

	if (!n || n->type != YAML_SEQUENCE_NODE || !n->data.sequence.items.top ||
	    n->data.sequence.items.top == n->data.sequence.items.start) {
		cfg__error(
		    cp->errs, cp->file, cfg__line(n ? n : NULL), "chat.entries.topics",
		    "entry \"%s\" needs a list of topics ({label, queue})", e->name);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		struct cfg_chat_topic *tp;
		const struct cfg_queue *q;

		if (e->topicc >= CFG_MAX_CHAT_TOPICS) {
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.topics", "at most %d topics",
				   CFG_MAX_CHAT_TOPICS);
			return;
		}
		if (!v || v->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.topics", "expected {label, queue}");
			continue;
		}
		cfg__check_keys(cp, v, "chat.entries.topics", keys);
		tp = &e->topics[e->topicc++];
		cfg__str(cp, cfg__get(cp->doc, v, "label"), "chat.entries.topics.label",
			 tp->label, sizeof(tp->label));
		cfg__str(cp, cfg__get(cp->doc, v, "queue"), "chat.entries.topics.queue",
			 tp->queue, sizeof(tp->queue));
		if (!tp->label[0])
			util_copy(tp->label, sizeof(tp->label), tp->queue);
		q = cfg_queue_find(t, tp->queue);
		if (!tp->queue[0])
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.topics.queue", "a topic needs a queue");
		else if (!q)
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.topics.queue",
				   "queue \"%s\" is not defined", tp->queue);
		else if (q->channel != CFG_CHAT)
			cfg__error(cp->errs, cp->file, cfg__line(v),
				   "chat.entries.topics.queue",
				   "queue \"%s\" is not a chat queue (channel: chat)",
				   tp->queue);
	}
}

static void entries_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *n)
{
	static const char *const keys[] = {"name",	    "origins",	"topics", "hours",
					   "offline_group", "language", NULL};
	struct cfg_chat *c = &t->chat;

	if (!n)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "chat.entries",
			   "expected a list of entries ({name, origins, topics})");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		struct cfg_chat_entry *e;

		if (c->entryc >= CFG_MAX_CHAT_ENTRIES) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "chat.entries",
				   "at most %d entries", CFG_MAX_CHAT_ENTRIES);
			return;
		}
		if (!v || v->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "chat.entries",
				   "expected {name, origins, topics}");
			continue;
		}
		cfg__check_keys(cp, v, "chat.entries", keys);
		e = &c->entries[c->entryc++];
		e->line = cfg__line(v);
		cfg__str(cp, cfg__get(cp->doc, v, "name"), "chat.entries.name", e->name,
			 sizeof(e->name));
		if (!e->name[0])
			cfg__error(cp->errs, cp->file, e->line, "chat.entries.name",
				   "an entry needs a name");
		for (size_t i = 0; i + 1 < c->entryc && e->name[0]; i++) {
			if (!strcmp(c->entries[i].name, e->name))
				cfg__error(cp->errs, cp->file, e->line,
					   "chat.entries.name",
					   "entry \"%s\" is defined twice", e->name);
		}
		origins_parse(cp, cfg__get(cp->doc, v, "origins"), e);
		topics_parse(cp, t, cfg__get(cp->doc, v, "topics"), e);
		cfg__str(cp, cfg__get(cp->doc, v, "hours"), "chat.entries.hours",
			 e->hours, sizeof(e->hours));
		if (e->hours[0] && !cfg_hours_find(t, e->hours))
			cfg__error(cp->errs, cp->file, e->line, "chat.entries.hours",
				   "calendar \"%s\" is not defined in hours", e->hours);
		cfg__str(cp, cfg__get(cp->doc, v, "offline_group"),
			 "chat.entries.offline_group", e->offline_group,
			 sizeof(e->offline_group));
		if (e->offline_group[0] && !cfg_queue_find(t, e->offline_group))
			cfg__error(cp->errs, cp->file, e->line,
				   "chat.entries.offline_group",
				   "group \"%s\" is not a queue", e->offline_group);
		cfg__str(cp, cfg__get(cp->doc, v, "language"), "chat.entries.language",
			 e->language, sizeof(e->language));
	}
}

static void canned_parse(struct cfg_parse *cp, struct cfg_chat *c, yaml_node_t *n)
{
	static const char *const keys[] = {"shortcut", "text", NULL};

	if (!n)
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "chat.canned",
			   "expected a list of {shortcut, text}");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		struct cfg_chat_canned *k;

		if (c->cannedc >= CFG_MAX_CANNED) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "chat.canned",
				   "at most %d canned replies", CFG_MAX_CANNED);
			return;
		}
		if (!v || v->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "chat.canned",
				   "expected {shortcut, text}");
			continue;
		}
		cfg__check_keys(cp, v, "chat.canned", keys);
		k = &c->canned[c->cannedc++];
		cfg__str(cp, cfg__get(cp->doc, v, "shortcut"), "chat.canned.shortcut",
			 k->shortcut, sizeof(k->shortcut));
		cfg__str(cp, cfg__get(cp->doc, v, "text"), "chat.canned.text", k->text,
			 sizeof(k->text));
		if (!k->text[0])
			cfg__error(cp->errs, cp->file, cfg__line(v), "chat.canned.text",
				   "a canned reply needs a text");
	}
}

void cfg__chat_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"entries", "limits", "canned", NULL};
	static const char *const lkeys[] = {"message_chars", "attachment_bytes",
					    "per_visitor_per_min",
					    "chats_per_address_per_hour", NULL};
	yaml_node_t *n = cfg__get(cp->doc, root, "chat"), *l;
	struct cfg_chat *c = &t->chat;

	c->message_chars = 2000;
	c->attachment_bytes = CFG_CHAT_ATTACH_DEFAULT;
	c->per_visitor_per_min = 30;
	c->chats_per_address_per_hour = 20;
	if (!n)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "chat", "expected a map");
		return;
	}
	cfg__check_keys(cp, n, "chat", keys);
	entries_parse(cp, t, cfg__get(cp->doc, n, "entries"));
	canned_parse(cp, c, cfg__get(cp->doc, n, "canned"));
	l = cfg__get(cp->doc, n, "limits");
	if (l && l->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(l), "chat.limits",
			   "expected a map");
		return;
	}
	if (!l)
		return;
	cfg__check_keys(cp, l, "chat.limits", lkeys);
	cfg__uint(cp, cfg__get(cp->doc, l, "message_chars"), "chat.limits.message_chars",
		  &c->message_chars, 1, 100000);
	/* the attachment routes' body limit (api.c): the whole file is
	 * held in memory while it is checked and written */
	cfg__uint(cp, cfg__get(cp->doc, l, "attachment_bytes"),
		  "chat.limits.attachment_bytes", &c->attachment_bytes, 1,
		  CFG_CHAT_MAX_ATTACH);
	cfg__uint(cp, cfg__get(cp->doc, l, "per_visitor_per_min"),
		  "chat.limits.per_visitor_per_min", &c->per_visitor_per_min, 1, 6000);
	cfg__uint(cp, cfg__get(cp->doc, l, "chats_per_address_per_hour"),
		  "chat.limits.chats_per_address_per_hour",
		  &c->chats_per_address_per_hour, 1, 100000);
}

const struct cfg_chat_entry *cfg_chat_entry_find(const struct cfg_tenant *t,
						 const char *name)
{
	for (size_t i = 0; t && name && i < t->chat.entryc; i++) {
		if (!strcmp(t->chat.entries[i].name, name))
			return &t->chat.entries[i];
	}
	return NULL;
}
