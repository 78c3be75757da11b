/*
 * chat_visitor.c — the visitor's socket protocol (docs/CHAT.md): the
 * hello with the chat's token (one socket per chat: a second takes over),
 * what it missed from last_seq, messages with their cid (a resend kept
 * once), typing, read receipts and acks, the end, the rating; and the
 * refusals: no hello, a bad token or origin, frames that are not JSON
 * objects, binary, invalid UTF-8 or too big, a message too long, a flood.
 *
 * Not here: the socket itself (src/api/chat.c hands frames in and takes
 * frames out through chat_send_h and chat_close_h).
 */
#include "channels/chat_int.h"

static bool tok_cmp(struct le *le, void *arg)
{
	const struct chat *c = le->data;
	return !strcmp(c->chat__token_hash, arg);
}

/* --- the visitor's socket ------------------------------------------------------------
 */

static void visitor_destructor(void *arg)
{
	struct chat_visitor *v = arg;

	tmr_cancel(&v->hello_tmr);
	if (v->c && v->c->v == v)
		v->c->v = NULL;
	mem_deref(v->c);
}

static void hello_timeout(void *arg)
{
	struct chat_visitor *v = arg;

	chat__visitor_error(v, "bad_hello", "no hello within 10 s");
	chat__visitor_close(v, 1008, "no hello");
}

int chat_visitor_alloc(struct chat_visitor **vp, struct chat_svc *s, const char *addr,
		       const char *origin, chat_send_h *sendh, chat_close_h *closeh,
		       void *conn)
{
	struct chat_visitor *v;

	if (!vp || !s || !sendh || !closeh)
		return EINVAL;
	v = mem_zalloc(sizeof(*v), visitor_destructor);
	if (!v)
		return ENOMEM;
	v->s = s;
	v->sendh = sendh;
	v->closeh = closeh;
	v->conn = conn;
	util_copy(v->addr, sizeof(v->addr), addr ? addr : "");
	util_copy(v->origin, sizeof(v->origin), origin ? origin : "");
	tmr_init(&v->hello_tmr);
	tmr_start(&v->hello_tmr, HELLO_MS, hello_timeout, v);
	*vp = v;
	return 0;
}

void chat_visitor_gone(struct chat_visitor *v)
{
	if (!v)
		return;
	v->conn = NULL;
	mem_deref(v);
}

static void hello(struct chat_visitor *v, json_t *o)
{
	struct chat_svc *s = v->s;
	const char *token = json_string_value(json_object_get(o, "token"));
	json_t *ls = json_object_get(o, "last_seq");
	json_int_t last = 0;
	struct chat *c;
	char h[65];
	json_t *w;

	if (ls && (!json_is_integer(ls) || (last = json_integer_value(ls)) < 0)) {
		chat__visitor_error(v, "bad_hello", "last_seq: a whole number from 0");
		chat__visitor_close(v, 1008, "bad hello");
		return;
	}
	if (!token || strlen(token) != 43) {
		chat__visitor_error(v, "bad_token", "token: unknown or expired");
		chat__visitor_close(v, 1008, "unknown or expired token");
		return;
	}
	chat__token_hash(token, h);
	c = list_ledata(hash_lookup(s->by_token, hash_joaat_str(h), tok_cmp, h));
	if (!c) {
		log_info("chat: unknown token peer=%s", v->addr);
		chat__visitor_error(v, "bad_token", "token: unknown or expired");
		chat__visitor_close(v, 1008, "unknown or expired token");
		return;
	}
	if (!chat_origin_allowed(cfg_chat_entry_find(s->tenant, c->entry), v->origin)) {
		chat__visitor_error(v, "bad_origin",
				    "this page's origin may not use this chat");
		chat__visitor_close(v, 1008, "origin not allowed");
		return;
	}
	tmr_cancel(&v->hello_tmr);
	/* one socket per chat: a second tab or a reconnect before the old
	 * socket noticed takes over */
	if (c->v && c->v != v) {
		struct chat_visitor *old = c->v;

		c->v = NULL;
		chat__visitor_error(old, "replaced", "the chat was opened elsewhere");
		chat__visitor_close(old, 1008, "replaced");
	}
	v->c = mem_ref(c);
	c->v = v;
	if ((uint64_t)last > c->acked && (uint64_t)last <= c->seq)
		c->acked = (uint32_t)last;
	w = json_pack("{s:s,s:s,s:s}", "type", "welcome", "chat_id", c->ia.row.id,
		      "state", chat__state(c));
	if (w && c->ia.state == INTERACTION_ACTIVE && chat__live(c))
		json_object_set_new(w, "agent", json_string(c->agent_name));
	if (w && chat__live(c) && c->ia.state != INTERACTION_ACTIVE) {
		size_t pos;
		uint64_t ewt;

		chat__queue_figures(c, &pos, &ewt);
		if (pos) {
			json_object_set_new(w, "position", json_integer((json_int_t)pos));
			json_object_set_new(w, "ewt", json_integer((json_int_t)ewt));
			c->last_pos = pos;
		}
	}
	chat__visitor_send(v, w);
	/* what it missed, once, in order; notes stay with the agents */
	for (struct le *le = list_head(&c->msgs); le; le = le->next) {
		const struct chat_msg *m = le->data;

		if (m->seq > (uint64_t)last && !m->internal)
			chat__visitor_send(v, chat__msg_json(m, false));
	}
	log_info("chat: visitor joined id=%s last_seq=%lld peer=%s", c->ia.row.id,
		 (long long)last, v->addr);
}

/* A message is refused past per_visitor_per_min in a minute; a visitor
 * that keeps on is closed. */
static bool flood_ok(struct chat_visitor *v)
{
	uint64_t now = v->s->now();
	struct chat *c = v->c;

	if (now >= c->win_start + 60000) {
		c->win_start = now;
		c->win_count = 0;
	}
	if (c->win_count >= v->s->tenant->chat.per_visitor_per_min) {
		if (++c->refused >= FLOOD_CLOSE) {
			chat__visitor_error(v, "flood", "too many messages: closed");
			chat__visitor_close(v, 1008, "too many messages");
		} else {
			chat__visitor_error(v, "flood",
					    "too many messages: wait a minute");
		}
		return false;
	}
	c->win_count++;
	c->refused = 0;
	return true;
}

static void visitor_msg(struct chat_visitor *v, json_t *o)
{
	struct chat *c = v->c;
	const char *text = json_string_value(json_object_get(o, "text"));
	const char *cid = json_string_value(json_object_get(o, "cid"));
	const struct cfg_chat *lim = &v->s->tenant->chat;
	struct chat_msg *m;
	long n;

	if (!chat__live(c)) {
		chat__visitor_error(v, "ended", "the chat has ended");
		return;
	}
	if (!text || (cid && strlen(cid) > MAX_CID) ||
	    (json_object_get(o, "cid") && !cid)) {
		chat__visitor_error(v, "bad_frame",
				    "msg: {cid, text} with text a string and cid "
				    "of at most 64 characters");
		return;
	}
	n = chat_utf8_chars(text, strlen(text));
	if (n <= 0) {
		chat__visitor_error(v, "bad_frame", "text: empty");
		return;
	}
	if ((uint32_t)n > lim->message_chars) {
		char why[96];

		snprintf(why, sizeof(why), "text: %ld characters, at most %u", n,
			 lim->message_chars);
		chat__visitor_error(v, "too_long", why);
		return;
	}
	/* a resend of a message it has (the echo was lost with the socket):
	 * the stored one again, not a second */
	for (struct le *le = cid && cid[0] ? list_tail(&c->msgs) : NULL; le;
	     le = le->prev) {
		const struct chat_msg *k = le->data;

		if (k->from == FROM_VISITOR && !strcmp(k->cid, cid)) {
			chat__visitor_send(v, chat__msg_json(k, false));
			return;
		}
	}
	if (!flood_ok(v))
		return;
	m = chat__msg_add(c, FROM_VISITOR, c->name, text, false, cid, NULL);
	if (!m) {
		chat__visitor_error(v, "internal", "the message could not be kept");
		return;
	}
	chat__echo_after_commit(c, m->seq);
}

void chat_visitor_recv(struct chat_visitor *v, const char *data, size_t len, bool text)
{
	json_error_t jerr;
	const char *type;
	struct chat *c;
	json_t *o;

	if (!v || !v->conn || v->closing)
		return;
	if (!text) {
		chat__visitor_error(v, "bad_frame", "only text frames of JSON are taken");
		chat__visitor_close(v, 1003, "binary frame");
		return;
	}
	if (len > MAX_FRAME) {
		chat__visitor_error(v, "too_big", "frame over 64 KiB");
		chat__visitor_close(v, 1009, "frame too big");
		return;
	}
	/* RFC 6455 §8.1: text frames are UTF-8; a broken one ends the
	 * connection (1007) */
	if (chat_utf8_chars(data, len) < 0) {
		chat__visitor_error(v, "bad_utf8", "the frame is not valid UTF-8");
		chat__visitor_close(v, 1007, "invalid UTF-8");
		return;
	}
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o) ||
	    !(type = json_string_value(json_object_get(o, "type")))) {
		json_decref(o);
		chat__visitor_error(v, "bad_json",
				    "a frame is a JSON object with a type");
		if (!v->c)
			chat__visitor_close(v, 1008, "bad hello");
		return;
	}
	mem_ref(v);
	if (!v->c) {
		if (strcmp(type, "hello")) {
			chat__visitor_error(v, "bad_hello",
					    "the first frame must be hello");
			chat__visitor_close(v, 1008, "no hello");
		} else {
			hello(v, o);
		}
		goto out;
	}
	c = v->c;
	if (!strcmp(type, "msg")) {
		visitor_msg(v, o);
	} else if (!strcmp(type, "typing")) {
		json_t *on = json_object_get(o, "on");

		if (!json_is_boolean(on))
			chat__visitor_error(v, "bad_frame", "typing: {on: true|false}");
		else if (chat__live(c) && flood_ok(v))
			chat__event(c, EVENT_CHAT_TYPING, c->ia.agent,
				    json_pack("{s:s,s:b}", "from", "visitor", "on",
					      json_is_true(on)));
	} else if (!strcmp(type, "read") || !strcmp(type, "ack")) {
		json_t *sq = json_object_get(o, "seq");
		json_int_t n = json_is_integer(sq) ? json_integer_value(sq) : -1;

		if (n < 0 || n > (json_int_t)c->seq)
			chat__visitor_error(v, "bad_frame",
					    "seq: a number of a message sent");
		else if (!strcmp(type, "ack"))
			c->acked = (uint32_t)n > c->acked ? (uint32_t)n : c->acked;
		else if (chat__live(c))
			chat__event(c, EVENT_CHAT_READ, c->ia.agent,
				    json_pack("{s:s,s:I}", "from", "visitor", "seq", n));
	} else if (!strcmp(type, "end")) {
		chat__end(c, "visitor", "visitor ended");
	} else if (!strcmp(type, "rate")) {
		json_t *sc = json_object_get(o, "score");
		const char *comment = json_string_value(json_object_get(o, "comment"));
		json_int_t n = json_is_integer(sc) ? json_integer_value(sc) : 0;

		if (n < 1 || n > 5) {
			chat__visitor_error(v, "bad_score", "score: 1 to 5");
		} else if (c->rated) {
			chat__visitor_error(v, "bad_score", "the chat is rated already");
		} else {
			struct store_survey sv;

			/* kept as a call's survey is: a row with its score,
			 * found by the interaction */
			memset(&sv, 0, sizeof(sv));
			chat__token_hash(c->ia.row.id, sv.hash);
			util_copy(sv.call, sizeof(sv.call), c->ia.row.id);
			util_copy(sv.customer, sizeof(sv.customer), c->ia.row.customer);
			sv.created = sv.answered = v->s->now();
			sv.score = (int)n;
			util_copy(sv.comment, sizeof(sv.comment), comment ? comment : "");
			if (v->s->store)
				(void)store_survey_save(v->s->store, &sv);
			c->rated = true;
			chat__event(c, EVENT_CHAT_RATED, c->ia.agent,
				    json_pack("{s:I,s:s}", "score", n, "comment",
					      comment ? comment : ""));
		}
	} else if (!strcmp(type, "hello")) {
		chat__visitor_error(v, "bad_frame", "hello was sent already");
	} else {
		chat__visitor_error(v, "bad_frame", "unknown type");
	}
out:
	json_decref(o);
	mem_deref(v);
}
