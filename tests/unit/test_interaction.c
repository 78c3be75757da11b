/*
 * test_interaction.c — the interaction service on a virtual clock with two
 * made-up channel adapters (voice and chat) through the same queues and
 * agents: offers go to the adapter of the interaction's channel, "can
 * this agent take it" is the channel's, an agent on a call is offered a
 * chat within its chat capacity, queue rules move an interaction to
 * another queue in the core or hand other targets to the adapter (which
 * may refuse: the interaction is closed with the rule's outcome), an
 * offer not taken within the queue's ring timeout is retracted, the
 * agent's handling ends in the wrap-up of its channel only, and each step
 * is told as an event under the channel's name.
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "core/core.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "test.h"

static uint64_t vclock = 1000000;

static uint64_t vnow(void)
{
	return vclock;
}

/* What the made-up adapters saw. */
struct channel_log {
	int offers, withdrawals, retractions, connects, diverts, closes;
	char offered[16];
	char diverted[64];
	bool desktop_open; /* chat: may the agent take one */
};

/* One made-up conversation: an interaction in a mem object. */
struct conv {
	struct interaction ia;
};

static void conv_destructor(void *arg)
{
	struct conv *c = arg;

	interaction_fini(&c->ia);
}

static struct conv *conv_new(struct interaction_svc *s, enum acd_channel ch)
{
	struct conv *c = mem_zalloc(sizeof(*c), conv_destructor);

	if (c)
		interaction_init(&c->ia, s, c, ch, INTERACTION_INBOUND);
	return c;
}

static int fake_offer(struct interaction *ia, const char *agent, void *arg)
{
	struct channel_log *l = arg;
	(void)ia;
	l->offers++;
	util_copy(l->offered, sizeof(l->offered), agent);
	return 0;
}

static void fake_withdraw(struct interaction *ia, void *arg)
{
	struct channel_log *l = arg;
	(void)ia;
	l->withdrawals++;
}

static void fake_retract(struct interaction *ia, const char *agent, void *arg)
{
	struct channel_log *l = arg;
	(void)ia;
	(void)agent;
	l->retractions++;
}

static int fake_connect(struct interaction *ia, const char *agent, void *arg)
{
	struct channel_log *l = arg;
	(void)ia;
	(void)agent;
	l->connects++;
	return 0;
}

/* A chat cannot go to an extension or a flow. */
static int fake_divert(struct interaction *ia, const char *target, void *arg)
{
	struct channel_log *l = arg;
	(void)ia;
	l->diverts++;
	util_copy(l->diverted, sizeof(l->diverted), target);
	return ENOTSUP;
}

static void fake_close(struct interaction *ia, const char *reason, void *arg)
{
	struct channel_log *l = arg;

	l->closes++;
	util_copy(ia->row.outcome, sizeof(ia->row.outcome),
		  ia->exit_outcome[0] ? ia->exit_outcome : "failed");
	interaction_end(ia, "system", 0, reason);
}

static bool chat_reachable(const char *agent, void *arg)
{
	struct channel_log *l = arg;
	(void)agent;
	return l->desktop_open;
}

static const struct interaction_ops voice_ops = {
    .name = "call",
    .offer = fake_offer,
    .withdraw = fake_withdraw,
    .connect = fake_connect,
    .divert = fake_divert,
    .close = fake_close,
};

static const struct interaction_ops chat_ops = {
    .name = "chat",
    .offer = fake_offer,
    .withdraw = fake_withdraw,
    .retract = fake_retract,
    .connect = fake_connect,
    .divert = fake_divert,
    .close = fake_close,
    .reachable = chat_reachable,
};

/* The events told, "type@id;" in order. */
static char evlog[4096];

static void ev_h(const struct hl_event *ev, void *arg)
{
	(void)arg;
	if (strlen(evlog) + strlen(ev->name) + 40 >= sizeof(evlog))
		return;
	strcat(evlog, ev->name);
	if (ev->agent) {
		strcat(evlog, "/");
		strcat(evlog, ev->agent);
	}
	strcat(evlog, ";");
}

static const char *yaml = "name: t\n"
			  "agents:\n"
			  "  - {ext: \"1001\", name: A, password: a,"
			  " capacity: {voice: 1, chat: 1}}\n"
			  "  - {ext: \"1002\", name: B, password: b,"
			  " capacity: {voice: 1, chat: 1}}\n"
			  "queues:\n"
			  "  - name: sales\n"
			  "    strategy: longest-idle\n"
			  "    members: [\"1001\"]\n"
			  "    wrapup: 5s\n"
			  "  - name: web\n"
			  "    channel: chat\n"
			  "    strategy: longest-idle\n"
			  "    members: [\"1001\"]\n"
			  "    wrapup: 3s\n"
			  "    max_wait: 30s\n"
			  "    overflow: queue:web2\n"
			  "  - name: web2\n"
			  "    channel: chat\n"
			  "    strategy: longest-idle\n"
			  "    members: [\"1002\"]\n"
			  "    max_wait: 10s\n"
			  "    ring_timeout: 4s\n"
			  "    overflow: extension:1002\n";

static void tick(struct interaction_svc *s, uint64_t ms)
{
	vclock += ms;
	interaction_tick(s, vclock);
	interaction_route(s);
}

static int test_mixed(void)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct interaction_svc *s = NULL;
	struct channel_log vl = {0}, cl = {0};
	struct conv *call = NULL, *chat = NULL, *chat2 = NULL;
	struct acd_agent_info in;
	int r = 1;

	evlog[0] = '\0';
	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "t.yaml", yaml, strlen(yaml), &errs)) {
		fprintf(stderr, "%s\n", errs.msgv[0]);
		goto out;
	}
	TEST_CHECK(!acd_alloc(&acd, NULL) && !acd_load_tenant(acd, t));
	TEST_CHECK(!interaction_svc_alloc(&s, acd, NULL, NULL, t));
	interaction_svc_clock(s, vnow);
	interaction_ops_set(s, ACD_VOICE, &voice_ops, &vl);
	interaction_ops_set(s, ACD_CHAT, &chat_ops, &cl);
	TEST_CHECK(!event_subscribe(ev_h, NULL));

	/* a call: offered through the voice adapter, answered */
	call = conv_new(s, ACD_VOICE);
	chat = conv_new(s, ACD_CHAT);
	TEST_CHECK(call && chat);
	TEST_CHECK(!strcmp(call->ia.row.channel, "voice") &&
		   !strcmp(chat->ia.row.channel, "chat"));
	TEST_CHECK(!interaction_enqueue(&call->ia, "sales", 0));
	interaction_route(s);
	TEST_CHECK(vl.offers == 1 && !strcmp(vl.offered, "1001") && cl.offers == 0);
	TEST_CHECK(call->ia.state == INTERACTION_OFFERED);
	tick(s, 2000);
	TEST_CHECK(!interaction_accept(&call->ia, "1001", vclock - 2000));
	TEST_CHECK(vl.connects == 1 && call->ia.state == INTERACTION_ACTIVE &&
		   !strcmp(call->ia.row.agent, "1001") && call->ia.from_queue);

	/* a chat while 1001 is on the call: only once its desktop is open */
	TEST_CHECK(!interaction_enqueue(&chat->ia, "web", 0));
	interaction_route(s);
	TEST_CHECK(cl.offers == 0);
	/* the desktop opens (the adapter says so): the chat is offered to
	 * 1001, though it is on the call */
	cl.desktop_open = true;
	tick(s, 2000);
	TEST_CHECK(cl.offers == 0); /* the engine does not know by itself */
	interaction_agent_reachable(s, "1001");
	TEST_CHECK(cl.offers == 1 && !strcmp(cl.offered, "1001") && vl.offers == 1);
	TEST_CHECK(!acd_agent_info(acd, "1001", &in));
	TEST_CHECK(in.states[ACD_VOICE] == AGENT_ST_BUSY &&
		   in.states[ACD_CHAT] == AGENT_ST_RINGING);
	TEST_CHECK(!interaction_accept(&chat->ia, "1001", vclock));
	TEST_CHECK(cl.connects == 1 && cl.withdrawals >= 1);
	chat2 = conv_new(s, ACD_CHAT);
	TEST_CHECK(chat2 && !interaction_enqueue(&chat2->ia, "web", 0));

	/* the second chat: 1001 is at its chat capacity; after 30 s the rule
	 * moves it to web2 (in the core), then to an extension the chat
	 * adapter refuses: closed by rule */
	interaction_route(s);
	TEST_CHECK(cl.offers == 1 && chat2->ia.item);
	tick(s, 30000);
	TEST_CHECK(!strcmp(chat2->ia.row.queue, "web2") && chat2->ia.item &&
		   cl.diverts == 0);
	/* offered to 1002, who does not take it within web2's ring timeout:
	 * the adapter retracts it, the engine counts the miss; the rule then
	 * ends it */
	TEST_CHECK(cl.offers == 2 && !strcmp(cl.offered, "1002"));
	tick(s, 3900);
	TEST_CHECK(cl.retractions == 0);
	tick(s, 100);
	TEST_CHECK(cl.retractions == 1 && chat2->ia.state == INTERACTION_ROUTING);
	tick(s, 6000);
	TEST_CHECK(cl.diverts == 1 && !strcmp(cl.diverted, "extension:1002"));
	TEST_CHECK(cl.closes == 1 && chat2->ia.state == INTERACTION_ENDED &&
		   !strcmp(chat2->ia.row.outcome, "exited_timeout"));

	/* the chat ends: wrap-up on chat only, the call goes on */
	util_copy(chat->ia.row.outcome, sizeof(chat->ia.row.outcome), "answered");
	interaction_end(&chat->ia, "caller", 0, "closed");
	TEST_CHECK(!acd_agent_info(acd, "1001", &in));
	TEST_CHECK(in.states[ACD_CHAT] == AGENT_ST_WRAPUP &&
		   in.states[ACD_VOICE] == AGENT_ST_BUSY);
	util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome), "answered");
	interaction_end(&call->ia, "agent", 0, "BYE");
	TEST_CHECK(!acd_agent_info(acd, "1001", &in));
	TEST_CHECK(in.states[ACD_VOICE] == AGENT_ST_WRAPUP && in.load[ACD_VOICE] == 0);
	tick(s, 5000);
	TEST_CHECK(!acd_agent_info(acd, "1001", &in));
	TEST_CHECK(in.state == AGENT_ST_AVAILABLE);
	TEST_CHECK(interaction_find(s, chat2->ia.row.id) == &chat2->ia);
	TEST_CHECK(acd_check(acd) == 0);

	/* every step told, under each channel's own name */
	TEST_CHECK(!strncmp(evlog,
			    "queue.entered;agent.state/1001;agent.state/1001;"
			    "queue.answered/1001;queue.entered;agent.state/1001;"
			    "agent.state/1001;queue.answered/1001;queue.entered;",
			    150));
	TEST_CHECK(strstr(evlog, "queue.exited;queue.entered;agent.state/1002;"
				 "agent.noanswer/1002;agent.state/1002;queue.exited;"
				 "chat.ended;") != NULL);
	TEST_CHECK(strstr(evlog, "queue.completed/1001;chat.ended/1001;") != NULL);
	TEST_CHECK(
	    strstr(evlog, "queue.completed/1001;agent.state/1001;call.ended/1001;") !=
	    NULL);
	r = 0;
out:
	if (r)
		fprintf(stderr, "events: %s\n", evlog);
	event_unsubscribe(ev_h, NULL);
	mem_deref(chat2);
	mem_deref(chat);
	mem_deref(call);
	mem_deref(s);
	mem_deref(acd);
	mem_deref(t);
	return r;
}

static const struct test_case tests[] = {
    {"calls and chats through the same queues and agents, rules and wrap-up", test_mixed},
};

TEST_MAIN(tests)
