/*
 * chat.h — the web chat channel (issue 13, docs/CHAT.md): visitors, their
 * tokens, one interaction per chat on the interaction core, the messages
 * (per-chat sequence numbers, stored), the visitor's socket protocol and
 * what agents do to a chat.
 *
 * The adapter never touches a socket: the HTTP layer (src/api/chat.c)
 * owns the WebSocket and hands each text frame to chat_visitor_recv; the
 * adapter answers through the send and close functions it was given.
 */
#ifndef HOTLINE_CHAT_H
#define HOTLINE_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chat_svc;
struct chat_visitor;
struct interaction_svc;
struct store;
struct cfg_tenant;
struct cfg_chat_entry;
struct tickets;

/* The adapter over ias (it takes the chat channel's operations), storing
 * messages in st and attachments under data_dir/attachments. */
int chat_svc_alloc(struct chat_svc **sp, struct interaction_svc *ias, struct store *st,
		   const struct cfg_tenant *t, const char *data_dir);
/* The tenant applied live: entries, limits, canned replies. */
void chat_svc_tenant_set(struct chat_svc *s, const struct cfg_tenant *t);
/* Offline forms become tickets through tk (NULL: refused). */
void chat_svc_tickets_set(struct chat_svc *s, struct tickets *tk);
/* A clock of a test's own (NULL: clock_now_ms). */
void chat_svc_clock(struct chat_svc *s, uint64_t (*now)(void));
/* Live chats (queued, offered, active), and every chat kept. */
size_t chat_svc_count(const struct chat_svc *s, size_t *kept);

/* agent's desktop opened (open) or closed: an agent is reachable for
 * chats while one desktop of its is open. */
void chat_agent_desktop(struct chat_svc *s, const char *agent, bool open);

/* --- the visitor's HTTP routes ---------------------------------------------- */

/* May the page of origin ("" none) use entry? A request without Origin is
 * not a browser's and may. */
bool chat_origin_allowed(const struct cfg_chat_entry *e, const char *origin);
/* Does any entry take origin? */
bool chat_origin_known(const struct chat_svc *s, const char *origin);
/* Is entry open for topic (SIZE_MAX: any topic) now: inside its hours,
 * and an agent of the topic's queue logged in for chat? */
bool chat_entry_open(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic);
/*
 * A visitor from addr starts a chat on entry's topic: the chat's id and
 * its token (43 characters) are written out. EAGAIN: the entry is closed
 * (the offline form instead); EUSERS: too many chats from addr this hour;
 * EINVAL: no such topic.
 */
int chat_start(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic,
	       const char *name, const char *email, const char *phone, const char *addr,
	       char id[32], char token[48]);
/* The offline form as a ticket of the entry's group: its id written out.
 * ENOTSUP: no ticket engine; EINVAL: why says the field. */
int chat_offline(struct chat_svc *s, const struct cfg_chat_entry *e, size_t topic,
		 const char *name, const char *email, const char *phone,
		 const char *message, char ticket[32], const char **why);
/* Is token the chat id's (kept, not expired)? */
bool chat_token_valid(struct chat_svc *s, const char *id, const char *token);
/* The chat's transcript as UTF-8 text (malloc'd), internal notes left
 * out. ENOENT: no such chat. */
int chat_transcript(struct chat_svc *s, const char *id, char **textp);
/* An attachment of the visitor (agent NULL) or of agent: the type is what
 * the content is (PNG, JPEG, GIF, WebP, PDF, plain text); EMSGSIZE over
 * the limit, EPROTO a type not taken or not the content's; *seq the
 * message that carries it. */
int chat_attach(struct chat_svc *s, const char *id, const char *agent, const char *name,
		const uint8_t *data, size_t len, char aid[32], uint32_t *seq);
/* The attachment aid of chat id: its file's path, type, name. ENOENT. */
int chat_attachment(struct chat_svc *s, const char *id, const char *aid, char *path,
		    size_t pathsz, char type[64], char name[128]);

/* --- the visitor's socket ---------------------------------------------------- */

/* What the adapter may do to the socket: send one text frame, close it
 * with a code (RFC 6455 §7.4.1) and a reason. conn is the socket's. */
typedef int(chat_send_h)(void *conn, const char *text);
typedef void(chat_close_h)(void *conn, uint16_t code, const char *reason);

/* A visitor's socket has opened from addr with origin ("" none); the
 * first frame must be hello. */
int chat_visitor_alloc(struct chat_visitor **vp, struct chat_svc *s, const char *addr,
		       const char *origin, chat_send_h *sendh, chat_close_h *closeh,
		       void *conn);
/* One text frame (binary: false; too big: the HTTP layer said so). */
void chat_visitor_recv(struct chat_visitor *v, const char *data, size_t len, bool text);
/* The socket is gone: nothing more is sent to conn. Drops the reference. */
void chat_visitor_gone(struct chat_visitor *v);

/* --- what agents do ---------------------------------------------------------- */

/* Does chat id exist (live or kept)? Its queue and handling agent ("" none)
 * written out when wanted. */
bool chat_exists(struct chat_svc *s, const char *id, char queue[32], char agent[32]);
/* Is agent offered chat id now? */
bool chat_offered_to(struct chat_svc *s, const char *id, const char *agent);
/* ENOENT: no such chat; EPERM: not offered to agent (or taken). */
int chat_accept(struct chat_svc *s, const char *id, const char *agent);
int chat_decline(struct chat_svc *s, const char *id, const char *agent);
/* A message of agent (an internal note: never sent to the visitor); *seq
 * its number. EINVAL: empty, EMSGSIZE: longer than the limit (characters),
 * EILSEQ: not UTF-8, EPERM: agent is not handling it, EALREADY: ended. */
int chat_agent_message(struct chat_svc *s, const char *id, const char *agent,
		       const char *text, bool internal, uint32_t *seq);
int chat_agent_typing(struct chat_svc *s, const char *id, const char *agent, bool on);
int chat_agent_read(struct chat_svc *s, const char *id, const char *agent, uint32_t seq);
/* The agent ends the chat (then wraps it up). */
int chat_agent_end(struct chat_svc *s, const char *id, const char *agent);
/* Hands the chat on to queue (a chat queue) or to agent (reachable, with
 * room). ESRCH: no such queue or agent; EBUSY: the agent has no room. */
int chat_transfer(struct chat_svc *s, const char *id, const char *agent,
		  const char *to_queue, const char *to_agent);
/* What the visitor gave (name, email, phone) for a customer record. */
int chat_visitor_info(struct chat_svc *s, const char *id, char name[64], char email[128],
		      char phone[32]);
/* The chat's customer is now customer (named name). */
int chat_customer_set(struct chat_svc *s, const char *id, const char *customer,
		      const char *name);

/* The messages of chat id as a JSON array text (malloc'd), internal notes
 * with them: from memory for a chat kept, else from the store. */
char *chat_messages_json(struct chat_svc *s, const char *id);

/* Counts characters of UTF-8 text; -1 when it is not valid UTF-8. */
long chat_utf8_chars(const char *s, size_t len);

#endif
