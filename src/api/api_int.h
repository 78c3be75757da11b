/*
 * api_int.h — what the files of src/api share: the server object, a
 * request and how to reply (api.c), who is asking and what they may see
 * (users.c), the event stream (stream.c), webhooks (webhook.c).
 */
#ifndef HOTLINE_API_INT_H
#define HOTLINE_API_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "api/httpd.h"

struct api_stream;
struct api_users;
struct api_web;
struct api_tickets;
struct api_webhooks;
struct httpd_conn;
struct http_msg;
struct store;
struct cfg_node;
struct cfg_tenant;
struct acd;
struct acd_stats;
struct registrar;
struct callctl;
struct api_chat;
struct chat_svc;

struct api {
	struct httpd *httpd;
	struct store *store;
	const struct cfg_node *node;
	const struct cfg_tenant *tenant;
	struct acd *acd;
	struct acd_stats *stats;
	struct registrar *reg;
	struct callctl *calls;
	struct app *app; /* applies a tenant across the services */
	struct api_stream *stream;
	struct api_webhooks *webhooks;
	struct api_users *users;
	struct api_web *web;
	struct api_tickets *tickets;
	struct api_chat *chat; /* the web chat (chat.c), NULL: none */
	struct sipws *sipws;   /* SIP over WebSocket (GET /sip), NULL: none */
	/* each queue's JSON as GET /queues and queue.stats send it, rebuilt
	 * when an event touched the queue or after QUEUE_TEXT_MS */
	struct {
		char *text;
		uint64_t built;
		bool dirty;
	} * qtext;
	size_t qtextc;
	uint64_t requests;
	uint64_t request_us; /* summed handling time */
	/* counted from the event bus for /metrics */
	int64_t calls_active;
	struct {
		char name[32];
		uint64_t n;
	} counts[64]; /* "event:TYPE" and "outcome:OUTCOME" */
	size_t countc;
};

/* --- who is asking -------------------------------------------------------- */

enum api_role {
	ROLE_AGENT = 1,
	ROLE_SUPERVISOR = 2,
	ROLE_ADMIN = 4,
};
#define ROLES_ANY (ROLE_AGENT | ROLE_SUPERVISOR | ROLE_ADMIN)

/* The user behind a request (its bearer token or session cookie). */
struct api_who {
	char user[64];
	enum api_role role;
	char extension[16]; /* an agent's own extension */
	char queues[256];   /* a supervisor's queues, comma list */
	char addr[64];	    /* where the request came from, "ip:port" */
	/* what signed it in: the node's token, or a token or session by
	 * the hash it is kept by (for a stream, checked again later) */
	enum { CRED_NODE, CRED_TOKEN, CRED_SESSION } cred;
	char cred_hash[65];
};

const char *api__role_name(enum api_role r);
int api__role_parse(enum api_role *rp, const char *name);

/* Does who see this agent? An admin sees all, an agent itself, a
 * supervisor the agents who serve one of its queues. */
bool api__sees_agent(const struct api *a, const struct api_who *who, const char *ext);
/* Does who see this queue? An admin all, a supervisor its own, an agent
 * those it serves. */
bool api__sees_queue(const struct api *a, const struct api_who *who, const char *queue);
/* callctl_monitor_ok_h: the user of ext is a supervisor of queue, or an
 * admin (feature codes *1, *2, *3). */
bool api__monitor_ok(const char *ext, const char *queue, void *arg);
/* Does who see an event about this agent and queue (either NULL)? */
bool api__sees_event(const struct api *a, const struct api_who *who, const char *agent,
		     const char *queue);

/* --- a request and its reply ----------------------------------------------- */

struct req {
	struct api *api;
	struct httpd_conn *conn;
	const struct http_msg *msg;
	char id[64]; /* the {id} of the path, if any */
	struct api_who who;
	bool nostore; /* an API answer: Cache-Control: no-store */
};

struct store_call;
struct store_ticket;
/* Does the request's user see this call (and its wrap-up, events and
 * recording)? An admin all, a supervisor those of its queues, an agent
 * those it answered (also those it passed on). Every route that returns
 * calls asks this. */
bool api__sees_call(struct req *rq, const struct store_call *c);
/* Does the request's user see this ticket (and its notes and replies)?
 * An admin all, a supervisor those of its groups, an agent those assigned
 * to it or of a group it serves. Every route that returns tickets or their
 * notes asks this. */
bool api__sees_ticket(struct req *rq, const struct store_ticket *t);

typedef void(route_h)(struct req *rq);

/* The body a route takes: most take a JSON object (the server's
 * default limit); files have their own. */
enum api_body {
	API_BODY_JSON = 0,
	API_BODY_ATTACHMENT, /* the tenant's chat.limits.attachment_bytes */
	API_BODY_MEDIA,	     /* an uploaded prompt or music: MAX_MEDIA_BODY */
	API_BODY_TENANT,     /* a tenant file: CFG_TENANT_MAX */
};

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/calls/{id}" */
	unsigned roles;	     /* ROLE_* that may call it; 0 = anyone, signed in or not */
	route_h *h;
	enum api_body body;
};

/*
 * Every answer of src/api goes on the wire through api__http_reply
 * (wire.c): it answers HEAD without the body and writes the API trace.
 * api__wire_begin notes which request a connection's next answer is for.
 */
int api__http_reply(struct httpd_conn *conn, uint16_t scode, const char *reason,
		    const char *fmt, ...);
int api__http_ereply(struct httpd_conn *conn, uint16_t scode, const char *reason);
void api__wire_begin(struct httpd_conn *conn, const struct http_msg *msg);
void api__wire_close(void);
#define http_reply  api__http_reply
#define http_ereply api__http_ereply

/* Replies as http_reply does (fmt: header lines, blank line, body),
 * adding Cache-Control: no-store to an answer of the API. */
int api__reply(struct req *rq, uint16_t code, const char *reason, const char *fmt, ...);
/* Replies with a JSON body (taken over) and any extra header lines. */
void api__reply_json_hdrs(struct req *rq, uint16_t code, const char *reason,
			  const char *hdrs, json_t *body);
void api__reply_json(struct req *rq, uint16_t code, const char *reason, json_t *body);
/* A stored comma list ("gold,renewal") as a JSON array of strings. */
json_t *api__words_json(const char *list);
/*
 * Replies as api__reply_json_hdrs does, once every write queued so far
 * (the route's own, its audit line) is committed: an acknowledged change
 * survives a crash. body NULL: no body (204). The main loop goes on
 * meanwhile; a connection closed before is not answered; writes that
 * could not be committed are answered 503.
 */
void api__reply_committed(struct req *rq, uint16_t code, const char *reason,
			  const char *hdrs, json_t *body);
/* The same, with the body made once committed, by build(arg) (arg a libre
 * object, referenced until then; build's NULL answers 500): for a body
 * read back from the store. */
typedef json_t *(api_body_h)(struct api *a, void *arg);
void api__reply_committed_build(struct req *rq, uint16_t code, const char *reason,
				api_body_h *build, void *arg);
/* {"error":{"code":errcode,"message":msg}} */
json_t *api__error_json(const char *errcode, const char *msg);
void api__reply_error(struct req *rq, uint16_t code, const char *reason,
		      const char *errcode, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* 403 with a JSON error. */
void api__forbidden(struct req *rq, const char *what);
/* The value of one cookie of the Cookie header (false: absent, or longer
 * than sz - 1). */
bool api__cookie_get(const struct http_msg *msg, const char *name, char *val, size_t sz);
/* Finds name in the query string; writes its value (percent-decoded). */
bool api__query_get(const struct http_msg *msg, const char *name, char *val, size_t sz);
/* A number / time query parameter; false when it replied 400. */
bool api__query_uint(struct req *rq, const char *name, long min, long max, uint32_t *vp);
bool api__query_time(struct req *rq, const char *name, uint64_t *msp);
/*
 * The request's body as a JSON object with no fields but those listed;
 * NULL after replying 400 (not JSON, not an object, an unknown field,
 * bad_text for a string that is not text: util_text_check with several
 * lines allowed, the field named). The caller owns the result.
 */
json_t *api__body_object(struct req *rq, const char *const fields[]);
/*
 * The text field key of body (*vp, owned by body; untouched when absent):
 * minc-maxc characters, not bytes, one line unless flags has
 * UTIL_TEXT_MULTILINE (util_text_check). false after replying 400 naming
 * the field: bad_text for what is not text, bad_field for its length or
 * a value that is not a string.
 */
bool api__text(struct req *rq, const json_t *body, const char *key, size_t minc,
	       size_t maxc, unsigned flags, const char **vp);
json_t *api__time_json(uint64_t ms);

/* The queue now (waiting, agents by state, today's figures) as JSON
 * text, malloc'd; NULL for an unknown queue. At most QUEUE_TEXT_MS old
 * (the longest wait moves with the clock); an event about the queue
 * makes it new. */
char *api__queue_snapshot(struct api *a, const char *queue);
/* Every queue's name, one at a time (NULL past the end). */
const char *api__queue_name(struct api *a, size_t i);

/*
 * The live event stream (/api/v1/events): every event as a JSON text
 * frame, and "queue.stats" frames with a queue's figures whenever they
 * change (at most every 500 ms per queue). A client whose unsent data
 * passes a limit is dropped, never waited for.
 */
int api__stream_alloc(struct api_stream **sp, struct api *a);
/* Takes over the HTTP connection as a WebSocket client. types: a comma
 * list of event type prefixes to send ("agent.,queue."), NULL for all. */
int api__stream_accept(struct api_stream *s, struct httpd_conn *conn,
		       const struct http_msg *msg, const char *types,
		       const struct api_who *who);
/* Closes (WebSocket close 1008, the reason given) every stream whose
 * credentials no longer stand (api__users_valid): called where users are
 * changed or deleted, tokens revoked and sessions ended, and every few
 * seconds for sessions that expire. */
void api__stream_recheck(struct api_stream *s, const char *why);

/*
 * Outgoing webhooks (webhook.c): loaded from the store, fed by the event
 * bus, delivered by a worker thread.
 */
struct store_webhook;
int api__webhooks_alloc(struct api_webhooks **wp, struct store *st);
/* ev to the webhooks whose types take it, as if it were an event; for what
 * only the integrator may have (it is not stored nor streamed). */
struct hl_event;
void api__webhooks_deliver(struct api_webhooks *w, const struct hl_event *ev);
/* Registers a webhook (url and types already checked); a secret is made
 * when none is given. ENOSPC: too many. */
int api__webhook_add(struct api_webhooks *w, const char *url, const char *types,
		     const char *secret, struct store_webhook *out);
/* ENOENT: no such webhook. */
int api__webhook_del(struct api_webhooks *w, const char *id);
const struct store_webhook *api__webhook_at(const struct api_webhooks *w, size_t i);
void api__webhook_counts(struct api_webhooks *w, uint64_t *delivered, uint64_t *failed,
			 uint64_t *dropped, uint64_t *queued);

/*
 * Users, API tokens, sign-in sessions, the audit log (users.c). Users,
 * tokens and sessions are loaded from the store at start and kept in
 * memory; every change is written through. Passwords are hashed and
 * checked with argon2id on a worker thread, never on the main loop.
 */
int api__users_alloc(struct api_users **up, struct api *a);
/* Who sent this request (bearer token, ?access_token= when query is
 * true, or the session cookie); false when nobody valid. who->addr is
 * the caller's to fill in, and kept. */
bool api__users_who(struct api_users *u, const struct http_msg *msg, bool query,
		    struct api_who *who);
/* Do who's credentials still stand as they were when it signed in: its
 * token not revoked, its session not ended or expired, its user there,
 * enabled and with the same role, extension and queues? */
bool api__users_valid(struct api_users *u, const struct api_who *who);
/* The language user reads the pages in ("" for the browser's). */
const char *api__user_locale(struct api *a, const char *user);
/* The language to answer rq in: its user's, else the first of the
 * browser's Accept-Language, else "" (English). */
void api__locale(struct req *rq, char *out, size_t sz);
/* A few words of the server's (a reason passed into a message) in rq's
 * language, from the same catalogs; english itself when none. */
const char *api__words(struct req *rq, const char *english);
/* Hex SHA-256 of a secret (token, cookie, survey link): how they are kept. */
void api__secret_hash(const char *secret, size_t len, char hex[65]);
/* Appends to the audit log: who did action to target, with detail. */
void api__audit(struct api *a, const struct api_who *who, const char *action,
		const char *target, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The pages and their files (web.c), read into memory from the web
 * folder (configured, or web/ beside the program's folder). */
int api__web_alloc(struct api_web **wp, const char *dir);
route_h api__web_page, api__web_file, api__web_chat;

/* The routes of calls.c. */
route_h api__calls_list, api__calls_dial, api__calls_get, api__calls_recording,
    api__calls_hangup, api__calls_hold, api__calls_monitor, api__calls_conference,
    api__calls_transfer, api__calls_wrapup, api__calls_recording_pause,
    api__calls_consult, api__calls_consult_join, api__calls_consult_cancel,
    api__calls_monitor_end, api__interactions_list, api__interactions_get;
/* Ends the recording downloads under way (the server stops). */
void api__calls_downloads_end(void);

/* The routes of customers.c. */
route_h api__customers_list, api__customers_add, api__customers_get, api__customers_patch,
    api__customers_forget, api__customers_timeline, api__customers_export,
    api__customers_merge, api__fields_get;

/* Tickets (tickets.c): the engine, its SLA check every second, the rules
 * that make tickets from abandoned calls and voicemails, the routes. */
int api__tickets_alloc(struct api_tickets **tp, struct api *a);
route_h api__tickets_list, api__tickets_add, api__tickets_get, api__tickets_patch,
    api__tickets_note;
struct tickets *api__tickets_engine(struct api *a);

/* Satisfaction surveys (surveys.c): a one-time link on the ticket.survey
 * event when a ticket is resolved; the page posts the score once. */
struct store_ticket;
void api__survey_send(struct api *a, const struct store_ticket *t);
/* Stores an answered survey (score set) and puts its score on its
 * ticket, when it has one. */
struct store_survey;
int api__survey_record(struct api *a, const struct store_survey *v);
route_h api__surveys_answer;

/* The tenant's configuration as text (tenant.c), and the forms that
 * change one part of it: queues, agents, codes, business hours; the
 * tenant's skills, calendars and flows as lists. */
route_h api__tenant_get, api__tenant_check, api__tenant_put, api__tenant_reload,
    api__queue_put;
/* Queue music uploaded into the media folder, and listed; recorded
 * prompts likewise, converted to 8 kHz mono (media.c). */
route_h api__media_moh_add, api__media_moh_list, api__media_prompt_add,
    api__media_prompt_list;
route_h api__agents_add, api__agents_patch, api__pause_reasons_put, api__dispositions_put,
    api__hours_add, api__hours_patch, api__skills_list, api__hours_list, api__flows_list,
    api__flows_get;
/* {"skills": {name: level}, "capacity": {channel: n}} of an agent of the
 * tenant (empty for one not in it). */
json_t *api__agent_conf_json(const struct api *a, const char *ext);
/* The app's watcher: the ticket engine takes t (applied false), then the
 * API's copy and queue caches (applied true). */
int api__tenant_applied(const struct cfg_tenant *t, bool applied, void *arg);
/* Queues were added or changed: their cached JSON is made again. */
int api__queues_changed(struct api *a);

/* The web chat (chat.c): the visitor's routes and socket, the agents'
 * chat routes. */
struct chat_svc *api__chat_svc(const struct api *a);
/* The CORS header lines (into buf) of an answer to a visitor's route
 * from a page of a chat entry's origins, "" otherwise: for an answer made
 * before any route ran (a body over the limit). */
void api__chat_cors(const struct api *a, const struct http_msg *msg, char *buf,
		    size_t sz);
route_h api__chat_preflight, api__chat_entry, api__chat_start, api__chat_offline,
    api__chat_transcript, api__chat_attach, api__chat_attachment, api__chat_ws,
    api__chat_accept, api__chat_decline, api__chat_message, api__chat_typing,
    api__chat_read, api__chat_end, api__chat_transfer, api__chat_agent_attach,
    api__chat_agent_attachment, api__chat_canned, api__chat_customer;

/* The routes of users.c. */
route_h api__session_create, api__session_get, api__session_patch, api__session_delete;
route_h api__users_list, api__users_add, api__users_get, api__users_patch, api__users_del,
    api__users_unlock;
route_h api__tokens_list, api__tokens_add, api__tokens_del;
route_h api__audit_list;

#endif
