/*
 * chat.c — the web chat's HTTP glue (docs/CHAT.md): the visitor's routes
 * under /chat/v1 (CORS per the entry's origins, a bearer token of the
 * visitor's own), the visitor's WebSocket, and the agents' chat routes
 * under /api/v1/interactions/{id}. What a chat is and does is
 * src/channels/chat.c's; this file reads requests and writes answers.
 *
 * Every WebSocket call of the chat is in the "socket" section below
 * (accept, send, close, peer, tcp), as in stream.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "channels/chat.h"
#include "crm/crm.h"
#include "api/api.h"
#include "api/api_int.h"
#include "api/httpd.h"
#include "api/ws.h"

#define SEND_LIMIT    (256 * 1024) /* unsent bytes before a visitor is dropped */
#define CLOSE_WAIT_MS 2000
#define MAX_SOCKETS   20000

struct api_chat {
	struct api *api;
	struct chat_svc *svc;
	struct list socks;
	size_t sockc; /* in socks: libre's list_count walks the list */
};

/* --- the socket -------------------------------------------------------------- */

struct vsock {
	struct le le;
	struct api_chat *ac;
	struct ws_conn *wc;
	struct chat_visitor *v;
	struct tmr close_tmr;
	bool closing;
};

static void vsock_destructor(void *arg)
{
	struct vsock *vs = arg;

	if (vs->le.list)
		vs->ac->sockc--;
	list_unlink(&vs->le);
	tmr_cancel(&vs->close_tmr);
	chat_visitor_gone(vs->v);
	mem_deref(vs->wc);
}

static int vsock_send(void *conn, const char *text)
{
	struct vsock *vs = conn;
	struct tcp_conn *tc = ws_tcp(vs->wc);

	if (vs->closing)
		return 0;
	/* a visitor that stops reading is dropped, never waited for */
	if (tc && tcp_conn_txqsz(tc) > SEND_LIMIT)
		return ENOBUFS;
	return ws_send_text(vs->wc, WS_TEXT, text);
}

static void close_timeout(void *arg)
{
	mem_deref(arg);
}

static void vsock_close(void *conn, uint16_t code, const char *reason)
{
	struct vsock *vs = conn;

	if (vs->closing)
		return;
	vs->closing = true;
	/* the socket goes when the peer answers the close frame, or soon */
	if (ws_close(vs->wc, (enum ws_scode)code, "%s", reason)) {
		tmr_start(&vs->close_tmr, 0, close_timeout, vs);
		return;
	}
	tmr_start(&vs->close_tmr, CLOSE_WAIT_MS, close_timeout, vs);
}

static void vsock_recv(const struct ws_hdr *hdr, struct mbuf *mb, void *arg)
{
	struct vsock *vs = arg;

	if (vs->closing)
		return;
	chat_visitor_recv(vs->v, (const char *)mbuf_buf(mb), mbuf_get_left(mb),
			  hdr->opcode == WS_TEXT);
}

static void vsock_closed(int err, void *arg)
{
	struct vsock *vs = arg;

	log_debug("chat: visitor socket gone: %s", err ? strerror(err) : "closed");
	mem_deref(vs);
}

static int vsock_accept(struct api_chat *ac, struct httpd_conn *conn,
			const struct http_msg *msg, const char *addr, const char *origin)
{
	struct vsock *vs;
	struct tcp_conn *tc;
	int err;

	if (ac->sockc >= MAX_SOCKETS)
		return EMFILE;
	vs = mem_zalloc(sizeof(*vs), vsock_destructor);
	if (!vs)
		return ENOMEM;
	vs->ac = ac;
	tmr_init(&vs->close_tmr);
	err = chat_visitor_alloc(&vs->v, ac->svc, addr, origin, vsock_send, vsock_close,
				 vs);
	if (!err)
		err = ws_accept(&vs->wc, conn, msg, vsock_recv, vsock_closed, vs);
	if (err) {
		mem_deref(vs);
		return err;
	}
	/* pings find dead peers (ws.c pings every socket from one timer:
	 * 10,000 visitors' timers in libre's sorted list stalled the loop) */
	ws_set_limits(vs->wc, 0, ac->api->node->ws_ping_ms);
	tc = ws_tcp(vs->wc);
	if (tc)
		tcp_conn_txqsz_set(tc, SEND_LIMIT * 2);
	list_append(&ac->socks, &vs->le, vs);
	ac->sockc++;
	return 0;
}

static void api_chat_destructor(void *arg)
{
	struct api_chat *ac = arg;

	list_flush(&ac->socks);
}

int api_chat_set(struct api *a, struct chat_svc *svc)
{
	struct api_chat *ac;

	if (!a || !svc)
		return EINVAL;
	ac = mem_zalloc(sizeof(*ac), api_chat_destructor);
	if (!ac)
		return ENOMEM;
	ac->api = a;
	ac->svc = svc;
	chat_svc_tickets_set(svc, api__tickets_engine(a));
	mem_deref(a->chat);
	a->chat = ac;
	return 0;
}

struct chat_svc *api__chat_svc(const struct api *a)
{
	return a && a->chat ? a->chat->svc : NULL;
}

/* --- the visitor's routes ----------------------------------------------------------- */

/* The request's Origin ("" none); false when it is too long to be one. */
static bool origin_get(const struct http_msg *msg, char *buf, size_t sz)
{
	const struct http_hdr *o = http_msg_xhdr(msg, "Origin");

	buf[0] = '\0';
	if (!o)
		return true;
	if (o->val.l >= sz)
		return false;
	pl_strcpy(&o->val, buf, sz);
	return true;
}

/* CORS for an origin that may (RFC 6454 origins, Fetch's CORS protocol):
 * the header lines, "" for none (a request of no browser). */
static void cors_hdrs(char *buf, size_t sz, const char *origin)
{
	if (!origin[0]) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, sz,
		 "Access-Control-Allow-Origin: %s\r\n"
		 "Vary: Origin\r\n",
		 origin);
}

struct vreq {
	struct req *rq;
	char origin[160];
	char cors[256];
};

static void verror(struct vreq *vr, uint16_t code, const char *reason,
		   const char *errcode, const char *msg)
{
	api__reply_json_hdrs(vr->rq, code, reason, vr->cors,
			     api__error_json(errcode, msg));
}

/* The Origin checked against entry e (NULL: any entry's); false after
 * answering 403. */
static bool vreq_begin(struct vreq *vr, struct req *rq, const struct cfg_chat_entry *e)
{
	struct chat_svc *s = api__chat_svc(rq->api);

	vr->rq = rq;
	vr->cors[0] = '\0';
	rq->nostore = true;
	if (!origin_get(rq->msg, vr->origin, sizeof(vr->origin)) ||
	    (e ? !chat_origin_allowed(e, vr->origin)
	       : !chat_origin_known(s, vr->origin))) {
		log_info("chat: origin refused origin=%.60s peer=%s", vr->origin,
			 rq->who.addr);
		verror(vr, 403, "Forbidden", "bad_origin",
		       "pages of this origin may not use this chat");
		return false;
	}
	cors_hdrs(vr->cors, sizeof(vr->cors), vr->origin);
	return true;
}

void api__chat_cors(const struct api *a, const struct http_msg *msg, char *buf, size_t sz)
{
	char origin[160];

	buf[0] = '\0';
	if (msg->path.l > 9 && !memcmp(msg->path.p, "/chat/v1/", 9) &&
	    origin_get(msg, origin, sizeof(origin)) &&
	    chat_origin_known(api__chat_svc(a), origin))
		cors_hdrs(buf, sz, origin);
}

/* The entry of the path; false after answering 404. */
static const struct cfg_chat_entry *entry_get(struct req *rq)
{
	const struct cfg_chat_entry *e = cfg_chat_entry_find(rq->api->tenant, rq->id);

	if (!e) {
		char cors[256] = "", origin[160];

		if (origin_get(rq->msg, origin, sizeof(origin)) &&
		    chat_origin_known(api__chat_svc(rq->api), origin))
			cors_hdrs(cors, sizeof(cors), origin);
		rq->nostore = true;
		api__reply_json_hdrs(rq, 404, "Not Found", cors,
				     api__error_json("not_found", "no such chat entry"));
	}
	return e;
}

/* OPTIONS of a visitor's route: the CORS preflight. */
void api__chat_preflight(struct req *rq)
{
	struct vreq vr;

	if (!vreq_begin(&vr, rq, NULL))
		return;
	api__reply(
	    rq, 204, "No Content",
	    "%s"
	    "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
	    "Access-Control-Allow-Headers: Content-Type, Authorization, X-Filename\r\n"
	    "Access-Control-Max-Age: 600\r\n"
	    "Content-Length: 0\r\n\r\n",
	    vr.cors);
}

/* GET /chat/v1/entries/{id} */
void api__chat_entry(struct req *rq)
{
	const struct cfg_chat_entry *e = entry_get(rq);
	const struct cfg_chat *c = &rq->api->tenant->chat;
	struct vreq vr;
	json_t *o, *topics, *types;

	if (!e || !vreq_begin(&vr, rq, e))
		return;
	topics = json_array();
	for (size_t i = 0; topics && i < e->topicc; i++) {
		char id[24];

		snprintf(id, sizeof(id), "%zu", i);
		json_array_append_new(topics, json_pack("{s:s,s:s}", "id", id, "label",
							e->topics[i].label));
	}
	types = json_pack("[s,s,s,s,s,s]", "image/png", "image/jpeg", "image/gif",
			  "image/webp", "application/pdf", "text/plain");
	o = json_pack("{s:s,s:b,s:o,s:{s:I,s:I,s:o},s:s}", "entry", e->name, "open",
		      chat_entry_open(api__chat_svc(rq->api), e, SIZE_MAX), "topics",
		      topics, "limits", "message_chars", (json_int_t)c->message_chars,
		      "attachment_bytes", (json_int_t)c->attachment_bytes,
		      "attachment_types", types, "language",
		      e->language[0]		     ? e->language
		      : rq->api->tenant->language[0] ? rq->api->tenant->language
						     : "en");
	api__reply_json_hdrs(rq, 200, "OK", vr.cors, o);
}

/* The form's {name, email?, phone?, topic}; false after answering 400. */
static bool form_read(struct vreq *vr, json_t *body, const struct cfg_chat_entry *e,
		      size_t *topic, const char **name, const char **email,
		      const char **phone)
{
	const char *t = json_string_value(json_object_get(body, "topic"));
	char *end = NULL;
	unsigned long n = t ? strtoul(t, &end, 10) : 0;

	*name = json_string_value(json_object_get(body, "name"));
	*email = json_string_value(json_object_get(body, "email"));
	*phone = json_string_value(json_object_get(body, "phone"));
	if (!*name || !**name || strlen(*name) >= 64 ||
	    chat_utf8_chars(*name, strlen(*name)) < 0) {
		verror(vr, 400, "Bad Request", "bad_field",
		       "name: a text of 1 to 63 bytes is required");
		return false;
	}
	if ((json_object_get(body, "email") &&
	     (!*email || strlen(*email) >= 128 || (**email && !strchr(*email, '@')))) ||
	    (json_object_get(body, "phone") && (!*phone || strlen(*phone) >= 32))) {
		verror(vr, 400, "Bad Request", "bad_field",
		       "email: an address with @ (at most 127 bytes); phone: at most 31 "
		       "bytes");
		return false;
	}
	if (!t || !*t || *end || n >= e->topicc) {
		verror(vr, 400, "Bad Request", "bad_field",
		       "topic: the id of one of the entry's topics");
		return false;
	}
	*topic = n;
	return true;
}

/* POST /chat/v1/entries/{id}/chats */
void api__chat_start(struct req *rq)
{
	static const char *const fields[] = {"name", "email", "phone", "topic", NULL};
	const struct cfg_chat_entry *e = entry_get(rq);
	const char *name, *email, *phone;
	char id[32], token[48];
	struct vreq vr;
	size_t topic;
	json_t *body;
	int err;

	if (!e || !vreq_begin(&vr, rq, e))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	if (!form_read(&vr, body, e, &topic, &name, &email, &phone))
		goto out;
	err = chat_start(api__chat_svc(rq->api), e, topic, name, email, phone,
			 rq->who.addr, id, token);
	if (err == EAGAIN)
		verror(&vr, 409, "Conflict", "closed",
		       "nobody can chat now: leave a message with the offline form");
	else if (err == EUSERS)
		verror(&vr, 429, "Too Many Requests", "too_many_chats",
		       "too many chats from this address: try again later");
	else if (err)
		verror(&vr, 500, "Internal Server Error", "internal",
		       "the chat could not be started");
	else
		api__reply_json_hdrs(
		    rq, 201, "Created", vr.cors,
		    json_pack("{s:s,s:s}", "chat_id", id, "token", token));
out:
	json_decref(body);
}

/* POST /chat/v1/entries/{id}/offline */
void api__chat_offline(struct req *rq)
{
	static const char *const fields[] = {"name",  "email",	 "phone",
					     "topic", "message", NULL};
	const struct cfg_chat_entry *e = entry_get(rq);
	const char *name, *email, *phone, *message, *why = NULL;
	char ticket[32];
	struct vreq vr;
	size_t topic;
	json_t *body;
	int err;

	if (!e || !vreq_begin(&vr, rq, e))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	if (!form_read(&vr, body, e, &topic, &name, &email, &phone))
		goto out;
	message = json_string_value(json_object_get(body, "message"));
	if ((!email || !*email) && (!phone || !*phone)) {
		verror(&vr, 400, "Bad Request", "bad_field",
		       "email or phone: how to answer is required");
		goto out;
	}
	if (!message || !*message || chat_utf8_chars(message, strlen(message)) < 0 ||
	    (uint32_t)chat_utf8_chars(message, strlen(message)) >
		rq->api->tenant->chat.message_chars) {
		verror(&vr, 400, "Bad Request", "bad_field",
		       "message: a text up to the entry's message_chars is required");
		goto out;
	}
	err = chat_offline(api__chat_svc(rq->api), e, topic, name, email, phone, message,
			   ticket, &why);
	if (err == EINVAL) {
		verror(&vr, 400, "Bad Request", "bad_field", why ? why : "bad form");
		goto out;
	}
	if (err) {
		verror(&vr, 503, "Service Unavailable", "unavailable",
		       "the message could not be kept");
		goto out;
	}
	api__reply_committed(rq, 201, "Created", vr.cors,
			     json_pack("{s:s}", "ticket_id", ticket));
out:
	json_decref(body);
}

/* The chat of the path with the request's Bearer token; false after
 * answering 401/404. The token is the visitor's only key: a wrong one and
 * another chat's are the same 401. */
static bool visitor_auth(struct vreq *vr, struct req *rq, const char *id)
{
	const struct http_hdr *h = http_msg_hdr(rq->msg, HTTP_HDR_AUTHORIZATION);
	char token[64] = "";

	if (!vreq_begin(vr, rq, NULL))
		return false;
	if (h && h->val.l > 7 && h->val.l < 7 + sizeof(token) &&
	    !strncmp(h->val.p, "Bearer ", 7))
		pl_strcpy(&(struct pl){h->val.p + 7, h->val.l - 7}, token, sizeof(token));
	/* an unknown chat is 404 like any missing object (its id is random,
	 * not to be guessed); a known one without its token 401 */
	if (token[0] && !chat_exists(api__chat_svc(rq->api), id, NULL, NULL)) {
		verror(vr, 404, "Not Found", "not_found", "no such chat");
		return false;
	}
	if (!chat_token_valid(api__chat_svc(rq->api), id, token)) {
		verror(vr, 401, "Unauthorized", "unauthorized",
		       "send the chat's token: Authorization: Bearer TOKEN");
		return false;
	}
	return true;
}

/* GET /chat/v1/chats/{id}/transcript */
void api__chat_transcript(struct req *rq)
{
	struct vreq vr;
	char *text = NULL;

	if (!visitor_auth(&vr, rq, rq->id))
		return;
	if (chat_transcript(api__chat_svc(rq->api), rq->id, &text)) {
		verror(&vr, 404, "Not Found", "not_found", "no such chat");
		return;
	}
	api__reply(rq, 200, "OK",
		   "%sContent-Type: text/plain; charset=utf-8\r\n"
		   "Content-Disposition: attachment; filename=\"chat-%s.txt\"\r\n"
		   "Content-Length: %zu\r\n\r\n%s",
		   vr.cors, rq->id, strlen(text), text);
	free(text);
}

/* X-Filename percent-decoded: a header is ASCII, a file's name may be
 * 图.png (the widget sends encodeURIComponent's). A broken escape or a
 * control character leaves "file". */
static void filename_get(const struct http_msg *msg, char *name, size_t sz)
{
	const struct http_hdr *fn = http_msg_xhdr(msg, "X-Filename");
	size_t j = 0;

	util_copy(name, sz, "file");
	if (!fn || !fn->val.l)
		return;
	for (size_t i = 0; i < fn->val.l; i++) {
		unsigned c = (unsigned char)fn->val.p[i];

		if (c == '%') {
			char hex[3] = {0};

			if (i + 2 >= fn->val.l ||
			    !isxdigit((unsigned char)fn->val.p[i + 1]) ||
			    !isxdigit((unsigned char)fn->val.p[i + 2]))
				goto bad;
			hex[0] = fn->val.p[i + 1];
			hex[1] = fn->val.p[i + 2];
			c = (unsigned)strtoul(hex, NULL, 16);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || j + 1 >= sz)
			goto bad;
		name[j++] = (char)c;
	}
	name[j] = '\0';
	if (j && chat_utf8_chars(name, j) > 0)
		return;
bad:
	util_copy(name, sz, "file");
}

static void attach(struct req *rq, struct vreq *vr, const char *agent)
{
	char name[128], aid[32];
	uint32_t seq = 0;
	int err;

	filename_get(rq->msg, name, sizeof(name));
	if (!rq->msg->mb || !mbuf_get_left(rq->msg->mb)) {
		verror(vr, 400, "Bad Request", "bad_body",
		       "the file is the request's body");
		return;
	}
	err = chat_attach(api__chat_svc(rq->api), rq->id, agent, name,
			  mbuf_buf(rq->msg->mb), mbuf_get_left(rq->msg->mb), aid, &seq);
	if (err == EMSGSIZE) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the file is over %u bytes",
			 rq->api->tenant->chat.attachment_bytes);
		verror(vr, 413, "Payload Too Large", "too_large", msg);
	} else if (err == EPROTO) {
		verror(
		    vr, 415, "Unsupported Media Type", "bad_type",
		    "the file is not a PNG, JPEG, GIF, WebP, PDF or plain text (by its "
		    "content)");
	} else if (err == EALREADY) {
		verror(vr, 409, "Conflict", "ended", "the chat has ended");
	} else if (err == EPERM) {
		api__forbidden(rq, "send files in this chat");
	} else if (err == ENOENT) {
		verror(vr, 404, "Not Found", "not_found", "no such chat");
	} else if (err) {
		verror(vr, 503, "Service Unavailable", "unavailable",
		       "the file could not be kept");
	} else {
		api__reply_committed(
		    rq, 201, "Created", vr->cors,
		    json_pack("{s:s,s:I}", "id", aid, "seq", (json_int_t)seq));
	}
}

/* POST /chat/v1/chats/{id}/attachments */
void api__chat_attach(struct req *rq)
{
	struct vreq vr;

	if (visitor_auth(&vr, rq, rq->id))
		attach(rq, &vr, NULL);
}

/* Sends the file at path (small: within the attachment limit). */
static void file_send(struct req *rq, const char *cors, const char *path,
		      const char *type, const char *name)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	(void)name;
	if (fd < 0 || fstat(fd, &st) || st.st_size > CFG_CHAT_MAX_ATTACH) {
		if (fd >= 0)
			close(fd);
		api__reply_json_hdrs(rq, 404, "Not Found", cors,
				     api__error_json("not_found", "the file is gone"));
		return;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		api__reply_json_hdrs(
		    rq, 500, "Internal Server Error", cors,
		    api__error_json("internal", "the file could not be read"));
		return;
	}
	close(fd);
	/* the file is shown as what its content is, never as a page */
	api__reply(rq, 200, "OK",
		   "%sContent-Type: %s\r\nX-Content-Type-Options: nosniff\r\n"
		   "Content-Security-Policy: default-src 'none'; sandbox\r\n"
		   "Content-Length: %lld\r\n\r\n%b",
		   cors, type, (long long)st.st_size, buf, (size_t)st.st_size);
	free(buf);
}

/* "/chat/v1/chats/ID/attachments/AID" or "/api/v1/interactions/ID/
 * attachments/AID": ID and AID. */
static bool two_ids(const struct pl *path, const char *prefix, char *id, size_t idsz,
		    char *aid, size_t aidsz)
{
	size_t pl = strlen(prefix);
	const char *p, *slash, *end = path->p + path->l;

	if (path->l <= pl || strncmp(path->p, prefix, pl))
		return false;
	p = path->p + pl;
	slash = memchr(p, '/', (size_t)(end - p));
	if (!slash || slash == p || (size_t)(slash - p) >= idsz)
		return false;
	memcpy(id, p, (size_t)(slash - p));
	id[slash - p] = '\0';
	p = slash;
	if ((size_t)(end - p) <= 13 || strncmp(p, "/attachments/", 13))
		return false;
	p += 13;
	if (memchr(p, '/', (size_t)(end - p)) || (size_t)(end - p) >= aidsz)
		return false;
	memcpy(aid, p, (size_t)(end - p));
	aid[end - p] = '\0';
	return true;
}

/* GET /chat/v1/chats/{id}/attachments/{aid} */
void api__chat_attachment(struct req *rq)
{
	char id[32], aid[32], path[512], type[64], name[128];
	struct vreq vr;

	if (!two_ids(&rq->msg->path, "/chat/v1/chats/", id, sizeof(id), aid,
		     sizeof(aid))) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no such attachment");
		return;
	}
	if (!visitor_auth(&vr, rq, id))
		return;
	if (chat_attachment(api__chat_svc(rq->api), id, aid, path, sizeof(path), type,
			    name)) {
		verror(&vr, 404, "Not Found", "not_found", "no such attachment");
		return;
	}
	file_send(rq, vr.cors, path, type, name);
}

/* GET /chat/v1/ws: the visitor's WebSocket. The token comes in the first
 * frame, never in the URL (logs and Referer keep URLs). */
void api__chat_ws(struct req *rq)
{
	struct vreq vr;
	int err;

	if (!vreq_begin(&vr, rq, NULL))
		return;
	if (!http_msg_hdr_has_value(rq->msg, HTTP_HDR_UPGRADE, "websocket")) {
		verror(&vr, 426, "Upgrade Required", "upgrade_required",
		       "this route is a WebSocket: send Upgrade: websocket");
		return;
	}
	if (!rq->api->chat) {
		verror(&vr, 503, "Service Unavailable", "unavailable", "no chat here");
		return;
	}
	err = vsock_accept(rq->api->chat, rq->conn, rq->msg, rq->who.addr, vr.origin);
	if (err == EMFILE)
		verror(&vr, 503, "Service Unavailable", "too_many_clients",
		       "too many chat visitors");
	else if (err)
		verror(&vr, 400, "Bad Request", "bad_upgrade",
		       "the WebSocket upgrade failed");
}

/* --- the agents' routes ----------------------------------------------------------------
 */

/* The chat of the path, which the user may act on: its handling or
 * offered agent (admins too, when handling is false). false after
 * answering. */
static bool agent_chat(struct req *rq, bool offered)
{
	struct chat_svc *s = api__chat_svc(rq->api);
	char queue[32], agent[32];

	if (!chat_exists(s, rq->id, queue, agent)) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "no live chat with id '%s'", rq->id);
		return false;
	}
	if (!rq->who.extension[0]) {
		api__forbidden(rq, "take part in chats (no extension)");
		return false;
	}
	if (offered ? !chat_offered_to(s, rq->id, rq->who.extension)
		    : strcmp(agent, rq->who.extension)) {
		if (!offered && !agent[0]) {
			api__reply_error(rq, 409, "Conflict", "not_active",
					 "the chat is not being handled now");
			return false;
		}
		api__reply_error(
		    rq, 409, "Conflict", offered ? "not_offered" : "not_yours",
		    offered ? "the chat is not offered to %s (taken, timed out)"
			    : "%s is not handling this chat",
		    rq->who.extension);
		return false;
	}
	return true;
}

static void agent_err(struct req *rq, int err)
{
	switch (err) {
	case 0:
		break;
	case ENOENT:
		api__reply_error(rq, 404, "Not Found", "not_found", "no such chat");
		break;
	case EALREADY:
		api__reply_error(rq, 409, "Conflict", "ended", "the chat has ended");
		break;
	case EPERM:
		api__reply_error(rq, 409, "Conflict", "not_yours",
				 "the chat is not %s's now", rq->who.extension);
		break;
	case EMSGSIZE:
		api__reply_error(rq, 422, "Unprocessable Entity", "too_long",
				 "text: at most %u characters",
				 rq->api->tenant->chat.message_chars);
		break;
	case EILSEQ:
		api__reply_error(rq, 400, "Bad Request", "bad_utf8", "text: not UTF-8");
		break;
	case ESRCH:
		api__reply_error(rq, 422, "Unprocessable Entity", "bad_target",
				 "no such chat queue or agent");
		break;
	case EBUSY:
		api__reply_error(rq, 409, "Conflict", "agent_busy",
				 "that agent cannot take a chat now");
		break;
	case ERANGE:
		api__reply_error(rq, 422, "Unprocessable Entity", "bad_seq",
				 "seq: not a message of this chat");
		break;
	default:
		api__reply_error(rq, 500, "Internal Server Error", "internal", "%s",
				 strerror(err));
		break;
	}
}

/* POST /api/v1/interactions/{id}/accept */
void api__chat_accept(struct req *rq)
{
	int err;

	if (!agent_chat(rq, true))
		return;
	err = chat_accept(api__chat_svc(rq->api), rq->id, rq->who.extension);
	if (err)
		agent_err(rq, err);
	else
		api__reply_json(rq, 200, "OK",
				json_pack("{s:s,s:s}", "id", rq->id, "state", "active"));
}

/* POST /api/v1/interactions/{id}/decline */
void api__chat_decline(struct req *rq)
{
	int err;

	if (!agent_chat(rq, true))
		return;
	err = chat_decline(api__chat_svc(rq->api), rq->id, rq->who.extension);
	if (err)
		agent_err(rq, err);
	else
		api__reply(rq, 204, "No Content", "Content-Length: 0\r\n\r\n");
}

/* POST /api/v1/interactions/{id}/messages {text, internal?} */
void api__chat_message(struct req *rq)
{
	static const char *const fields[] = {"text", "internal", NULL};
	json_t *body, *in;
	const char *text;
	uint32_t seq = 0;
	int err;

	if (!agent_chat(rq, false))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	text = json_string_value(json_object_get(body, "text"));
	in = json_object_get(body, "internal");
	if (!text || !*text || (in && !json_is_boolean(in))) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "text: a non-empty string; internal: true or false");
		goto out;
	}
	err = chat_agent_message(api__chat_svc(rq->api), rq->id, rq->who.extension, text,
				 json_is_true(in), &seq);
	if (err)
		agent_err(rq, err);
	else
		api__reply_committed(rq, 201, "Created", NULL,
				     json_pack("{s:I}", "seq", (json_int_t)seq));
out:
	json_decref(body);
}

/* POST /api/v1/interactions/{id}/typing {on} */
void api__chat_typing(struct req *rq)
{
	static const char *const fields[] = {"on", NULL};
	json_t *body, *on;
	int err;

	if (!agent_chat(rq, false))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	on = json_object_get(body, "on");
	if (!json_is_boolean(on))
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "on: true or false");
	else if ((err = chat_agent_typing(api__chat_svc(rq->api), rq->id,
					  rq->who.extension, json_is_true(on))))
		agent_err(rq, err);
	else
		api__reply(rq, 204, "No Content", "Content-Length: 0\r\n\r\n");
	json_decref(body);
}

/* POST /api/v1/interactions/{id}/read {seq} */
void api__chat_read(struct req *rq)
{
	static const char *const fields[] = {"seq", NULL};
	json_t *body, *seq;
	int err;

	if (!agent_chat(rq, false))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	seq = json_object_get(body, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 0 ||
	    json_integer_value(seq) > UINT32_MAX)
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "seq: a whole number");
	else if ((err = chat_agent_read(api__chat_svc(rq->api), rq->id, rq->who.extension,
					(uint32_t)json_integer_value(seq))))
		agent_err(rq, err);
	else
		api__reply(rq, 204, "No Content", "Content-Length: 0\r\n\r\n");
	json_decref(body);
}

/* POST /api/v1/interactions/{id}/end */
void api__chat_end(struct req *rq)
{
	int err;

	if (!agent_chat(rq, false))
		return;
	err = chat_agent_end(api__chat_svc(rq->api), rq->id, rq->who.extension);
	if (err)
		agent_err(rq, err);
	else
		api__reply_committed(
		    rq, 200, "OK", NULL,
		    json_pack("{s:s,s:s}", "id", rq->id, "state", "ended"));
}

/* POST /api/v1/interactions/{id}/transfer {agent} | {queue} */
void api__chat_transfer(struct req *rq)
{
	static const char *const fields[] = {"agent", "queue", NULL};
	const char *to_agent, *to_queue;
	json_t *body;
	int err;

	if (!agent_chat(rq, false))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	to_agent = json_string_value(json_object_get(body, "agent"));
	to_queue = json_string_value(json_object_get(body, "queue"));
	if (!to_agent == !to_queue) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "one of agent or queue is required");
		goto out;
	}
	err = chat_transfer(api__chat_svc(rq->api), rq->id, rq->who.extension, to_queue,
			    to_agent);
	if (err)
		agent_err(rq, err);
	else
		api__reply_json(rq, 202, "Accepted",
				json_pack("{s:s,s:s}", "id", rq->id, "to",
					  to_queue ? to_queue : to_agent));
out:
	json_decref(body);
}

/* POST /api/v1/interactions/{id}/attachments */
void api__chat_agent_attach(struct req *rq)
{
	struct vreq vr = {.rq = rq};

	if (agent_chat(rq, false))
		attach(rq, &vr, rq->who.extension);
}

/* GET /api/v1/interactions/{id}/attachments/{aid} */
void api__chat_agent_attachment(struct req *rq)
{
	char id[32], aid[32], path[512], type[64], name[128];
	struct store_call c;

	if (!two_ids(&rq->msg->path, "/api/v1/interactions/", id, sizeof(id), aid,
		     sizeof(aid)) ||
	    store_call_get(rq->api->store, id, &c)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no such attachment");
		return;
	}
	if (!api__sees_call(rq, &c)) {
		api__forbidden(rq, "see this chat");
		return;
	}
	if (chat_attachment(api__chat_svc(rq->api), id, aid, path, sizeof(path), type,
			    name)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no such attachment");
		return;
	}
	file_send(rq, "", path, type, name);
}

/* GET /api/v1/chat/canned */
void api__chat_canned(struct req *rq)
{
	const struct cfg_chat *c = &rq->api->tenant->chat;
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->cannedc; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "shortcut",
						   c->canned[i].shortcut, "text",
						   c->canned[i].text));
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "canned", a));
}

/* The visitor's e-mail address and phone number as identities; a known
 * one names its customer in owner. */
static size_t visitor_identities(struct api *a, const char *email, const char *phone,
				 struct store_identity idv[2], char owner[32])
{
	const char *val[2] = {email, phone};
	enum crm_kind kind[2] = {CRM_EMAIL, CRM_PHONE};
	size_t n = 0;

	owner[0] = '\0';
	for (size_t i = 0; i < 2; i++) {
		const char *why;

		if (!val[i][0] ||
		    crm_identity_norm(idv[n].value, sizeof(idv[n].value), kind[i], val[i],
				      a->tenant->country, &why))
			continue;
		util_copy(idv[n].kind, sizeof(idv[n].kind), crm_kind_name(kind[i]));
		if (!owner[0])
			(void)store_identity_find(a->store, idv[n].kind, idv[n].value,
						  owner, 32);
		n++;
	}
	return n;
}

/*
 * POST /api/v1/interactions/{id}/customer: the chat's customer is
 * customer_id, or, with create, the one the visitor's e-mail address or
 * phone number already belongs to, else a new customer made from what
 * the visitor gave (name, identities). Answered once stored.
 */
void api__chat_customer(struct req *rq)
{
	static const char *const fields[] = {"customer_id", "create", NULL};
	struct store_identity idv[2];
	struct store_customer cu;
	struct store_call c;
	char name[64], email[128], phone[32], owner[32];
	const char *cid;
	bool made = false;
	json_t *body;
	size_t idc;
	int err;

	err = store_call_get(rq->api->store, rq->id, &c);
	if (err || strcmp(c.channel, "chat") ||
	    chat_visitor_info(api__chat_svc(rq->api), rq->id, name, email, phone)) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "no chat with id '%s'", rq->id);
		return;
	}
	if (!api__sees_call(rq, &c)) {
		api__forbidden(rq, "change this chat");
		return;
	}
	body = api__body_object(rq, fields);
	if (!body)
		return;
	cid = json_string_value(json_object_get(body, "customer_id"));
	if (!cid == !json_is_true(json_object_get(body, "create"))) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "customer_id, or create: true, is required");
		goto out;
	}
	memset(&cu, 0, sizeof(cu));
	if (cid) {
		if (store_customer_get(rq->api->store, cid, &cu)) {
			api__reply_error(rq, 422, "Unprocessable Entity", "bad_customer",
					 "customer_id: no such customer");
			goto out;
		}
	} else if ((idc = visitor_identities(rq->api, email, phone, idv, owner)),
		   owner[0]) {
		/* the visitor is known by what it gave: that customer */
		if (store_customer_get(rq->api->store, owner, &cu)) {
			api__reply_error(rq, 500, "Internal Server Error", "store_error",
					 "the customer could not be read");
			goto out;
		}
	} else {
		unsigned char r[8];

		memcpy(cu.id, "cu_", 3);
		randombytes_buf(r, sizeof(r));
		sodium_bin2hex(cu.id + 3, sizeof(cu.id) - 3, r, sizeof(r));
		util_copy(cu.name, sizeof(cu.name), name);
		util_copy(cu.tier, sizeof(cu.tier),
			  rq->api->tenant->tierc ? rq->api->tenant->tiers[0].name
						 : "normal");
		util_copy(cu.fields, sizeof(cu.fields), "{}");
		cu.created = cu.updated = clock_now_ms();
		store_group_begin(rq->api->store);
		err = store_customer_save(rq->api->store, &cu);
		if (!err && idc)
			err = store_identities_set(rq->api->store, cu.id, idv, idc);
		store_group_end(rq->api->store);
		if (err) {
			api__reply_error(rq, 503, "Service Unavailable", "store_error",
					 "the customer could not be stored");
			goto out;
		}
		made = true;
		event_emit_pack(EVENT_CUSTOMER_CREATED, NULL,
				rq->who.extension[0] ? rq->who.extension : NULL, NULL,
				"{s:s,s:s}", "customer", cu.id, "by", rq->who.user);
	}
	if (chat_customer_set(api__chat_svc(rq->api), rq->id, cu.id, cu.name)) {
		util_copy(c.customer, sizeof(c.customer), cu.id);
		(void)store_call_save(rq->api->store, &c);
	}
	api__reply_committed(rq, 200, "OK", NULL,
			     json_pack("{s:s,s:s,s:b}", "id", rq->id, "customer_id",
				       cu.id, "created", made));
out:
	json_decref(body);
}
