/*
 * test_chat.c — the web chat adapter (src/channels/chat.c) on the
 * interaction core and a virtual clock, with a made-up visitor socket:
 * an entry is closed until an agent's desktop opens; chats and a call
 * share the agent (a call takes the voice capacity, chats the chat
 * capacity); an offer not taken within the queue's ring timeout goes
 * again, to the same lone agent only after the queue's retry or not at
 * all once auto_pause paused it; the visitor's hello, messages both ways with a per-chat
 * seq, an internal note the visitor never gets, a resend by cid kept once, a reconnect
 * with last_seq that sends what was missed once; the end; and the protocol's refusals (no
 * hello, bad token, invalid UTF-8, too long).
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "core/core.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "channels/chat.h"
#include "test.h"

static uint64_t vclock = 1796000000000ULL;

static uint64_t vnow(void)
{
	return vclock;
}

/* A made-up visitor socket: the frames it was sent, its close. */
struct sock {
	char frames[8192];
	int closed; /* the close code, 0: open */
};

static int sock_send(void *conn, const char *text)
{
	struct sock *k = conn;

	if (strlen(k->frames) + strlen(text) + 2 < sizeof(k->frames)) {
		strcat(k->frames, text);
		strcat(k->frames, "\n");
	}
	return 0;
}

static void sock_close(void *conn, uint16_t code, const char *reason)
{
	struct sock *k = conn;
	(void)reason;
	k->closed = code;
}

static char evlog[4096];

static void ev_h(const struct hl_event *ev, void *arg)
{
	(void)arg;
	if (strncmp(ev->name, "chat.", 5) ||
	    strlen(evlog) + strlen(ev->name) + 40 >= sizeof(evlog))
		return;
	strcat(evlog, ev->name);
	if (ev->agent) {
		strcat(evlog, "/");
		strcat(evlog, ev->agent);
	}
	strcat(evlog, ";");
}

static const char *yaml =
    "name: t\n"
    "agents:\n"
    "  - {ext: \"1001\", name: 张伟, password: a,"
    " capacity: {voice: 1, chat: 2}}\n"
    "queues:\n"
    "  - {name: sales, strategy: linear, members: [\"1001\"]}\n"
    "  - {name: web, channel: chat, strategy: linear, ring_timeout: 5s,"
    " members: [\"1001\"]}\n"
    "chat:\n"
    "  entries:\n"
    "    - {name: web, origins: [\"https://shop.example\"],"
    " topics: [{label: Sales, queue: web}]}\n"
    "  limits: {message_chars: 10}\n";

static void tick(struct interaction_svc *s, uint64_t ms)
{
	vclock += ms;
	interaction_tick(s, vclock);
	interaction_route(s);
}

static void hello(struct chat_visitor *v, const char *token, int last)
{
	char f[128];

	snprintf(f, sizeof(f), "{\"type\":\"hello\",\"token\":\"%s\",\"last_seq\":%d}",
		 token, last);
	chat_visitor_recv(v, f, strlen(f), true);
}

static void say(struct chat_visitor *v, const char *frame)
{
	chat_visitor_recv(v, frame, strlen(frame), true);
}

/* The tenant of yaml, its engine, interaction core and chat service on
 * the virtual clock, events logged, agent 1001 available. */
static int world(const char *y, struct cfg_tenant **t, struct acd **acd,
		 struct interaction_svc **ias, struct chat_svc **cs)
{
	struct cfg_errors errs;

	evlog[0] = '\0';
	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(t, "t.yaml", y, strlen(y), &errs)) {
		fprintf(stderr, "%s\n", errs.msgv[0]);
		return EINVAL;
	}
	if (acd_alloc(acd, NULL) || acd_load_tenant(*acd, *t) ||
	    interaction_svc_alloc(ias, *acd, NULL, NULL, *t))
		return EINVAL;
	interaction_svc_clock(*ias, vnow);
	if (chat_svc_alloc(cs, *ias, NULL, *t, "/nonexistent"))
		return EINVAL;
	chat_svc_clock(*cs, vnow);
	if (event_subscribe(ev_h, NULL) ||
	    acd_agent_set(*acd, "1001", AGENT_AVAILABLE, NULL, vclock))
		return EINVAL;
	return 0;
}

static void world_free(struct cfg_tenant *t, struct acd *acd, struct interaction_svc *ias,
		       struct chat_svc *cs)
{
	event_unsubscribe(ev_h, NULL);
	mem_deref(cs);
	mem_deref(ias);
	mem_deref(acd);
	mem_deref(t);
}

static int test_chat_adapter(void)
{
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct interaction_svc *ias = NULL;
	struct chat_svc *cs = NULL;
	struct chat_visitor *v = NULL, *v2 = NULL, *bad = NULL;
	struct sock k = {0}, k2 = {0}, kb = {0};
	const struct cfg_chat_entry *e;
	char id[3][32], tok[3][48];
	struct acd_agent_info ai;
	uint32_t seq = 0;
	char *msgs = NULL;
	int r = 1;

	TEST_CHECK(!world(yaml, &t, &acd, &ias, &cs));
	e = cfg_chat_entry_find(t, "web");
	TEST_CHECK(e != NULL);

	/* nobody at a desktop: closed, no chat */
	TEST_CHECK(!chat_entry_open(cs, e, SIZE_MAX));
	TEST_CHECK(chat_start(cs, e, 0, "Zoë", "", "", "127.0.0.1:1", id[0], tok[0]) ==
		   EAGAIN);
	chat_agent_desktop(cs, "1001", true);
	TEST_CHECK(chat_entry_open(cs, e, 0));
	TEST_CHECK(chat_start(cs, e, 1, "x", "", "", "127.0.0.1:1", id[0], tok[0]) ==
		   EINVAL);

	/* the agent is on a call: chats still come, two at once */
	TEST_CHECK(!acd_busy(acd, "1001", ACD_VOICE, false, vclock));
	for (int i = 0; i < 3; i++)
		TEST_CHECK(!chat_start(cs, e, 0, "Zoë", "z@example.com", "",
				       "127.0.0.1:1", id[i], tok[i]));
	TEST_CHECK(strlen(tok[0]) == 43 && strcmp(tok[0], tok[1]));
	TEST_CHECK(chat_offered_to(cs, id[0], "1001") &&
		   chat_offered_to(cs, id[1], "1001"));
	TEST_CHECK(!chat_offered_to(cs, id[2], "1001"));
	/* the third waits: its visitor is told its place in the queue (the
	 * two offered are still in it, ahead) and the expected wait */
	TEST_CHECK(
	    !chat_visitor_alloc(&v2, cs, "127.0.0.1:3", "", sock_send, sock_close, &k2));
	hello(v2, tok[2], 0);
	TEST_CHECK(strstr(k2.frames, "\"state\":\"queued\"") &&
		   strstr(k2.frames, "\"position\":3,\"ewt\":540"));
	chat_visitor_gone(v2);
	v2 = NULL;
	memset(&k2, 0, sizeof(k2));
	TEST_CHECK(!acd_agent_info(acd, "1001", &ai) && ai.load[ACD_VOICE] == 1 &&
		   ai.load[ACD_CHAT] == 2);

	/* the visitor: hello, then queued with its place */
	TEST_CHECK(!chat_visitor_alloc(&v, cs, "127.0.0.1:2", "https://shop.example",
				       sock_send, sock_close, &k));
	hello(v, tok[0], 0);
	TEST_CHECK(strstr(k.frames, "\"type\":\"welcome\"") &&
		   strstr(k.frames, "\"state\":\"queued\""));
	TEST_CHECK(!chat_accept(cs, id[0], "1001"));
	TEST_CHECK(chat_accept(cs, id[0], "1001") == EPERM);
	TEST_CHECK(strstr(k.frames, "{\"type\":\"state\",\"state\":\"active\",\"agent\":"
				    "\"张伟\"}"));

	/* the second offer is not taken: past the ring timeout it is
	 * withdrawn (a miss) and the agent's room goes to the next chat */
	tick(ias, 5100);
	TEST_CHECK(strstr(evlog, "chat.withdrawn/1001;"));
	TEST_CHECK(!chat_offered_to(cs, id[1], "1001") &&
		   chat_offered_to(cs, id[2], "1001"));
	TEST_CHECK(chat_accept(cs, id[1], "1001") == EPERM);

	/* messages both ways */
	k.frames[0] = '\0';
	say(v, "{\"type\":\"msg\",\"cid\":\"a\",\"text\":\"你好 <b>\"}");
	TEST_CHECK(strstr(k.frames, "\"seq\":1") && strstr(k.frames, "\"cid\":\"a\"") &&
		   strstr(k.frames, "你好 <b>"));
	TEST_CHECK(!chat_agent_message(cs, id[0], "1001", "在的", false, &seq) &&
		   seq == 2);
	TEST_CHECK(!chat_agent_message(cs, id[0], "1001", "note", true, &seq) &&
		   seq == 3);
	TEST_CHECK(chat_agent_message(cs, id[0], "1001", "12345678901", false, &seq) ==
		   EMSGSIZE);
	TEST_CHECK(
	    !chat_agent_message(cs, id[0], "1001", "一二三四五六七八九十", false, &seq) &&
	    seq == 4);
	TEST_CHECK(chat_agent_message(cs, id[0], "1002", "x", false, &seq) == EPERM);
	TEST_CHECK(strstr(k.frames, "在的") && !strstr(k.frames, "note"));
	/* the same cid again: the stored one, not a second */
	k.frames[0] = '\0';
	say(v, "{\"type\":\"msg\",\"cid\":\"a\",\"text\":\"你好 <b>\"}");
	TEST_CHECK(strstr(k.frames, "\"seq\":1,") && !strstr(k.frames, "\"seq\":5"));
	say(v, "{\"type\":\"msg\",\"cid\":\"b\",\"text\":\"12345678901\"}");
	TEST_CHECK(strstr(k.frames, "\"code\":\"too_long\""));

	/* a second socket takes over; it gets what it missed, once */
	TEST_CHECK(
	    !chat_visitor_alloc(&v2, cs, "127.0.0.1:3", "", sock_send, sock_close, &k2));
	hello(v2, tok[0], 2);
	TEST_CHECK(k.closed == 1008);
	TEST_CHECK(strstr(k2.frames, "\"seq\":4") && !strstr(k2.frames, "\"seq\":3") &&
		   !strstr(k2.frames, "\"seq\":2,"));
	msgs = chat_messages_json(cs, id[0]);
	TEST_CHECK(msgs && strstr(msgs, "\"internal\":true") &&
		   strstr(msgs, "\"seq\":4"));

	/* refusals */
	TEST_CHECK(
	    !chat_visitor_alloc(&bad, cs, "127.0.0.1:4", "", sock_send, sock_close, &kb));
	say(bad, "{\"type\":\"msg\",\"text\":\"x\"}");
	TEST_CHECK(kb.closed == 1008 && strstr(kb.frames, "bad_hello"));
	bad = mem_deref(bad), memset(&kb, 0, sizeof(kb));
	TEST_CHECK(
	    !chat_visitor_alloc(&bad, cs, "127.0.0.1:4", "", sock_send, sock_close, &kb));
	hello(bad, "0123456789012345678901234567890123456789012", 0);
	TEST_CHECK(kb.closed == 1008 && strstr(kb.frames, "bad_token"));
	bad = mem_deref(bad), memset(&kb, 0, sizeof(kb));
	TEST_CHECK(!chat_visitor_alloc(&bad, cs, "127.0.0.1:4", "https://evil.example",
				       sock_send, sock_close, &kb));
	hello(bad, tok[1], 0);
	TEST_CHECK(kb.closed == 1008 && strstr(kb.frames, "bad_origin"));
	bad = mem_deref(bad), memset(&kb, 0, sizeof(kb));
	k2.frames[0] = '\0';
	chat_visitor_recv(v2, "{\"type\":\"msg\",\"text\":\"\xc3\x28\"}", 27, true);
	TEST_CHECK(k2.closed == 1007 && strstr(k2.frames, "bad_utf8"));
	TEST_CHECK(chat_utf8_chars("\xed\xa0\x80", 3) < 0); /* a surrogate */
	TEST_CHECK(chat_utf8_chars("\xc0\xaf", 2) < 0);	    /* overlong '/' */
	TEST_CHECK(chat_utf8_chars("张伟a", 7) == 3);

	/* the agent ends it: the chat is kept, no longer live; the agent's
	 * chat load drops */
	TEST_CHECK(!chat_agent_end(cs, id[0], "1001"));
	TEST_CHECK(chat_agent_end(cs, id[0], "1001") == EALREADY);
	TEST_CHECK(strstr(evlog, "chat.ended/1001;"));
	TEST_CHECK(chat_transfer(cs, id[0], "1001", "web", NULL) == EALREADY);
	{
		size_t kept = 0, live = chat_svc_count(cs, &kept);
		TEST_CHECK(kept == 3 && live == 2);
	}
	r = 0;
out:
	free(msgs);
	event_unsubscribe(ev_h, NULL);
	mem_deref(bad);
	chat_visitor_gone(v);
	chat_visitor_gone(v2);
	mem_deref(cs);
	mem_deref(ias);
	mem_deref(acd);
	mem_deref(t);
	return r;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* One agent, one chat queue (qextra: its further settings): a chat the
 * agent never takes, for secs seconds; out says how often it was offered
 * and withdrawn and the agent's presence at the end. */
static int one_agent(const char *qextra, int secs, char *out, size_t outsz)
{
	char y[1024];
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct interaction_svc *ias = NULL;
	struct chat_svc *cs = NULL;
	const struct cfg_chat_entry *e;
	struct acd_agent_info ai;
	char id[32], tok[48];
	int r = 1;

	snprintf(y, sizeof(y),
		 "name: t\n"
		 "agents:\n"
		 "  - {ext: \"1001\", name: a, password: a}\n"
		 "queues:\n"
		 "  - {name: web, channel: chat, strategy: linear, ring_timeout: 5s,%s"
		 " members: [\"1001\"]}\n"
		 "chat:\n"
		 "  entries:\n"
		 "    - {name: web, topics: [{label: Sales, queue: web}]}\n",
		 qextra);
	TEST_CHECK(!world(y, &t, &acd, &ias, &cs));
	chat_agent_desktop(cs, "1001", true);
	e = cfg_chat_entry_find(t, "web");
	TEST_CHECK(e && !chat_start(cs, e, 0, "Zoë", "", "", "127.0.0.1:1", id, tok));
	for (int i = 0; i < secs * 10; i++)
		tick(ias, 100);
	TEST_CHECK(!acd_agent_info(acd, "1001", &ai));
	snprintf(out, outsz, "offered=%d withdrawn=%d presence=%s",
		 count(evlog, "chat.offered/1001;"), count(evlog, "chat.withdrawn/1001;"),
		 acd_presence_name(ai.presence));
	r = 0;
out:
	world_free(t, acd, ias, cs);
	return r;
}

/*
 * With one agent, a chat not taken is not offered to it again at every
 * ring timeout: as a call, it waits the queue's retry once every member
 * missed it (the engine's rule, acd.c), or the agent is paused after
 * auto_pause misses and the chat waits for someone.
 */
static int test_chat_one_agent(void)
{
	char got[128];
	int r = 1;

	/* ring 5 s, then 2 s (the default retry): offered at 0, 7, ..., 56 */
	TEST_CHECK(!one_agent("", 60, got, sizeof(got)));
	TEST_CHECK(!strcmp(got, "offered=9 withdrawn=8 presence=available"));
	/* retry 20 s: offered at 0, 25 and 50, each withdrawn after 5 s */
	TEST_CHECK(!one_agent(" retry: 20s,", 60, got, sizeof(got)));
	TEST_CHECK(!strcmp(got, "offered=3 withdrawn=3 presence=available"));
	/* two misses in a row pause the agent (reason missed): no more offers */
	TEST_CHECK(!one_agent(" auto_pause: 2,", 60, got, sizeof(got)));
	TEST_CHECK(!strcmp(got, "offered=2 withdrawn=2 presence=paused"));
	r = 0;
out:
	if (r)
		fprintf(stderr, "got: %s\n", got);
	return r;
}

/*
 * Ring timeouts of queues of different lengths: the offers wait in the
 * order they are due, so a chat of a 5 s queue offered after one of a
 * 20 s queue is withdrawn at its 5 s, not when the other's time is up.
 */
static int test_chat_ring_order(void)
{
	static const char *y =
	    "name: t\n"
	    "agents:\n"
	    "  - {ext: \"1001\", name: a, password: a, capacity: {chat: 2}}\n"
	    "queues:\n"
	    "  - {name: slow, channel: chat, strategy: linear, ring_timeout: 20s, "
	    "members: [\"1001\"]}\n"
	    "  - {name: fast, channel: chat, strategy: linear, ring_timeout: 5s, "
	    "members: [\"1001\"]}\n"
	    "chat:\n"
	    "  entries:\n"
	    "    - {name: web, topics: [{label: S, queue: slow}, {label: F, queue: "
	    "fast}]}\n";
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct interaction_svc *ias = NULL;
	struct chat_svc *cs = NULL;
	const struct cfg_chat_entry *e;
	char id[2][32], tok[2][48];
	int r = 1;

	TEST_CHECK(!world(y, &t, &acd, &ias, &cs));
	chat_agent_desktop(cs, "1001", true);
	e = cfg_chat_entry_find(t, "web");
	TEST_CHECK(e && !chat_start(cs, e, 0, "s", "", "", "127.0.0.1:1", id[0], tok[0]));
	tick(ias, 1000);
	TEST_CHECK(!chat_start(cs, e, 1, "f", "", "", "127.0.0.1:1", id[1], tok[1]));
	TEST_CHECK(chat_offered_to(cs, id[0], "1001") &&
		   chat_offered_to(cs, id[1], "1001"));
	for (int i = 0; i < 49; i++) /* to 5.9 s: the fast one's 5 s not up */
		tick(ias, 100);
	TEST_CHECK(chat_offered_to(cs, id[1], "1001") && !strstr(evlog, "withdrawn"));
	for (int i = 0; i < 3; i++) /* to 6.2 s: it is, the slow one's not */
		tick(ias, 100);
	TEST_CHECK(chat_offered_to(cs, id[0], "1001") &&
		   !chat_offered_to(cs, id[1], "1001"));
	for (int i = 0; i < 137; i++) /* to 19.9 s */
		tick(ias, 100);
	TEST_CHECK(chat_offered_to(cs, id[0], "1001"));
	for (int i = 0; i < 3; i++) /* to 20.2 s */
		tick(ias, 100);
	TEST_CHECK(!chat_offered_to(cs, id[0], "1001"));
	r = 0;
out:
	world_free(t, acd, ias, cs);
	return r;
}

static const struct test_case tests[] = {
    {"chat adapter: desktops, calls and chats on one agent, offers, messages, resume, "
     "refusals",
     test_chat_adapter},
    {"one agent: a chat not taken waits the queue's retry, or the agent is "
     "auto-paused, as a call does",
     test_chat_one_agent},
    {"ring timeouts of a short queue and a long one, each at its time",
     test_chat_ring_order},
};

TEST_MAIN(tests)
