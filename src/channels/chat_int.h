/*
 * chat_int.h — what the files of the chat adapter share (src/channels/
 * chat*.c): a chat, its messages and offers, a visitor's socket, the
 * service, and the helpers one file uses of another (chat__ prefix).
 *
 * chat.c        the service, the core's operations, a chat's life, its
 *               messages and events, the visitor's HTTP side
 * chat_visitor.c  the visitor's socket protocol
 * chat_agent.c  what agents do to a chat
 * chat_files.c  attachments, typed by their content
 */
#ifndef HOTLINE_CHAT_INT_H
#define HOTLINE_CHAT_INT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums; interaction.h
 * includes it, so its guard is set once the headers it needs are in */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_tmr.h>
#define RE_H__
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "acd/acd.h"
#include "interaction/interaction.h"
#include "ticket/ticket.h"
#include "channels/chat.h"

#define KEEP_MS	    (24 * 3600 * 1000ULL) /* a chat after its end: transcript */
#define HELLO_MS    10000		  /* for the first frame */
#define TICK_MS	    1000		  /* place in line, expiry */
#define MAX_OFFERS  16			  /* agents offered one chat at once */
#define MAX_CID	    64
#define FLOOD_CLOSE 10 /* refused messages in a row before the socket goes */
#define MAX_FRAME   65536

enum sender { FROM_VISITOR = 0, FROM_AGENT, FROM_SYSTEM };
extern const char *const chat__sender_names[];

struct chat_msg {
	struct le le;
	uint32_t seq;
	enum sender from;
	bool internal;
	char name[64];
	char cid[MAX_CID + 1];
	char *text; /* mem string */
	uint64_t at;
	struct store_attachment *att; /* NULL: none */
};

struct offer {
	char agent[32];
	uint64_t at;
};

struct chat {
	struct interaction ia; /* first: the core's, ia.obj is this */
	struct le le;	       /* in s->chats */
	struct le he_id;       /* s->by_id */
	struct le he_tok;      /* s->by_token */
	struct chat_svc *s;
	char chat__token_hash[65];
	char entry[CFG_NAME];
	char topic[64];
	char name[64];
	char email[128];
	char phone[32];
	char agent_name[64];
	struct list msgs;
	uint32_t seq;
	uint32_t acked; /* the visitor has up to this */
	struct offer offers[MAX_OFFERS];
	size_t offerc;
	struct chat_visitor *v; /* its socket now, NULL: none */
	uint64_t ended_at;	/* 0: live */
	size_t last_pos;	/* the place last told */
	/* the flood window: the chat's, not the socket's, so that opening
	 * a new socket does not start it again */
	uint64_t win_start;
	uint32_t win_count;
	uint32_t refused;
	bool rated;
	bool replied; /* an agent has answered in words (first response) */
};

struct chat_visitor {
	struct chat_svc *s;
	struct chat *c; /* after hello (referenced) */
	chat_send_h *sendh;
	chat_close_h *closeh;
	void *conn; /* NULL: gone */
	char addr[64];
	char origin[128];
	struct tmr hello_tmr;
	bool closing;
};

struct desktop {
	struct le le;
	char agent[32];
	unsigned open;
};

struct addr_count {
	struct le le;
	char addr[64];
	uint64_t since;
	uint32_t n;
};

struct chat_svc {
	struct interaction_svc *ias;
	struct store *store;
	const struct cfg_tenant *tenant; /* referenced */
	struct tickets *tickets;
	char data_dir[CFG_PATH];
	struct list chats;
	struct hash *by_id, *by_token;
	struct list desktops;
	struct list addrs;
	struct tmr tmr;
	uint64_t (*now)(void);
};

/* --- shared by chat.c, chat_visitor.c, chat_agent.c, chat_files.c ----------- */

/* Hex SHA-256 of a token: how a chat's token is kept and found. */
void chat__token_hash(const char *token, char hex[65]);
/* The chat with this id (live or kept), NULL: none. */
struct chat *chat__find(const struct chat_svc *s, const char *id);
/* Not ended yet. */
bool chat__live(const struct chat *c);
/* An event of type about c, data (taken over) its details: every chat
 * event goes out here. */
void chat__event(struct chat *c, enum event_type type, const char *agent, json_t *data);
/* To c's visitor socket (v may be NULL: nobody there): a frame (taken
 * over), an error frame, a close with its code and reason. */
void chat__visitor_send(struct chat_visitor *v, json_t *o);
void chat__visitor_error(struct chat_visitor *v, const char *code, const char *reason);
void chat__visitor_close(struct chat_visitor *v, uint16_t code, const char *reason);
/* A message as the visitor gets it (for_agent: with internal, no cid). */
json_t *chat__msg_json(const struct chat_msg *m, bool for_agent);
/* "queued", "active" or "ended" */
const char *chat__state(const struct chat *c);
/* c's 1-based place in its queue (0: not waiting) and expected wait (s). */
void chat__queue_figures(struct chat *c, size_t *pos, uint64_t *ewt_s);
/* Tells the visitor its state; its place when it changed (or always). */
void chat__tell_state(struct chat *c);
void chat__tell_queue(struct chat *c, bool always);
/* A new message of c (seq next), stored and told to the agents (the
 * caller sends it to the visitor); NULL: out of memory. */
struct chat_msg *chat__msg_add(struct chat *c, enum sender from, const char *name,
			       const char *text, bool internal, const char *cid,
			       struct store_attachment *att);
/* The visitor's own message seq back to it once committed. */
void chat__echo_after_commit(struct chat *c, uint32_t seq);
/* The offer of c to agent is gone (when it was made in *at): false when
 * there was none. */
bool chat__offer_drop(struct chat *c, const char *agent, uint64_t *at);
/* c ends (side: visitor, agent, system) through the core. */
void chat__end(struct chat *c, const char *side, const char *reason);
/* Is agent's desktop open (arg: the service)? */
bool chat__reachable(const char *agent, void *arg);

#endif
