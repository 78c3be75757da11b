/*
 * fuzz_chat.c — the web chat visitor's socket protocol (src/channels/
 * chat_visitor.c) fed any frames: the input is split on newlines into
 * frames, the first byte choosing whether a valid hello goes first (so
 * what follows reaches the protocol after it) and whether a frame is
 * text or binary. A chat answered by an agent waits on the other side,
 * whose messages come in between. Whatever comes, every frame the adapter
 * sends must be a JSON object with a type, the socket closed at most
 * with a code of RFC 6455 §7.4.1, and nothing leaked (the whole adapter
 * is made and freed per input).
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_main.h>
#define RE_H__
#include "core/core.h"
#include "core/cfg.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "channels/chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char yaml[] = "name: f\n"
			   "agents: [{ext: \"1001\", name: 张伟, password: x}]\n"
			   "queues: [{name: web, channel: chat, strategy: linear,"
			   " members: [\"1001\"]}]\n"
			   "chat:\n"
			   "  entries: [{name: web, topics: [{label: a, queue: web}]}]\n"
			   "  limits: {message_chars: 20, per_visitor_per_min: 5}\n";

struct fsock {
	int closed;
};

static int fsend(void *conn, const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	(void)conn;

	if (!json_is_object(o) || !json_is_string(json_object_get(o, "type")))
		__builtin_trap();
	json_decref(o);
	return 0;
}

static void fclose_h(void *conn, uint16_t code, const char *reason)
{
	struct fsock *k = conn;

	if (k->closed ||
	    (code != 1003 && code != 1007 && code != 1008 && code != 1009 &&
	     code != 1011) ||
	    !reason)
		__builtin_trap();
	k->closed = code;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct cfg_tenant *t = NULL;
	struct acd *acd = NULL;
	struct interaction_svc *ias = NULL;
	struct chat_svc *cs = NULL;
	struct chat_visitor *v = NULL;
	struct fsock k = {0};
	char id[32], tok[48], hello[128];
	uint32_t seq;
	size_t i = 1;

	if (!init) {
		libre_init();
		log_set_level(LOG_ERROR);
		init = true;
	}
	if (!size || cfg_tenant_parse(&t, "f.yaml", yaml, strlen(yaml), NULL) ||
	    acd_alloc(&acd, NULL) || acd_load_tenant(acd, t) ||
	    interaction_svc_alloc(&ias, acd, NULL, NULL, t) ||
	    chat_svc_alloc(&cs, ias, NULL, t, "/nonexistent"))
		goto out;
	(void)acd_agent_set(acd, "1001", AGENT_AVAILABLE, NULL, clock_now_ms());
	chat_agent_desktop(cs, "1001", true);
	if (chat_start(cs, cfg_chat_entry_find(t, "web"), 0, "v", "", "", "127.0.0.1:1",
		       id, tok) ||
	    chat_accept(cs, id, "1001") ||
	    chat_visitor_alloc(&v, cs, "127.0.0.1:2", "", fsend, fclose_h, &k))
		goto out;
	if (data[0] & 1) {
		snprintf(hello, sizeof(hello), "{\"type\":\"hello\",\"token\":\"%s\"}",
			 tok);
		chat_visitor_recv(v, hello, strlen(hello), true);
	}
	while (i < size && !k.closed) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;

		chat_visitor_recv(v, (const char *)data + i, n, !(data[0] & 2) || n % 7);
		(void)chat_agent_message(cs, id, "1001", "好", (data[0] & 4) != 0, &seq);
		i += n + 1;
	}
out:
	chat_visitor_gone(v);
	mem_deref(cs);
	mem_deref(ias);
	mem_deref(acd);
	mem_deref(t);
	return 0;
}
