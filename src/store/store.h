/*
 * store.h — the storage interface. One SQLite file under the data dir
 * (WAL mode), schema created and upgraded by numbered migrations.
 *
 * Writes are queued to one writer thread so the main loop never waits on
 * the disk; reads run on the calling thread on their own connection (WAL
 * lets them proceed beside the writer). store_commit_notify tells the
 * main loop when the writes queued so far are committed; store_flush
 * waits for it (start-up, shutdown and tests only). The PostgreSQL backend will sit
 * behind this same interface.
 */
#ifndef HOTLINE_STORE_H
#define HOTLINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct hl_event;

/* Opens (creating if needed) dir/hotline.db and runs pending migrations. */
int store_open(struct store **stp, const char *dir);
/* Waits until every queued write is committed. It blocks: never on the
 * main loop while serving (store_commit_notify instead). */
int store_flush(struct store *st);
/*
 * Called on the main loop once every write queued before it has been
 * committed (err 0) or has failed (EIO: the batch holding it did not
 * commit, or one of its writes failed). This is how an answer waits for
 * its writes without the main loop waiting for the disk.
 */
typedef void(store_commit_h)(int err, void *arg);
/* Queues h behind every write queued so far; arg (a libre object or NULL)
 * is referenced until then. When it returns an error h is never called;
 * when the store is freed first, h is not called and arg is released. */
int store_commit_notify(struct store *st, store_commit_h *h, void *arg);
/*
 * The writes queued between store_group_begin and store_group_end are
 * committed in one transaction: after a crash all of them are there or
 * none (a ticket and its history line, a customer and its identities).
 * Main thread only; groups nest (the outermost end releases them).
 */
void store_group_begin(struct store *st);
void store_group_end(struct store *st);
/* Caps the write queue (default 100,000 jobs); beyond it writes get
 * ENOSPC. For tests of overload. */
void store_set_queue_max(struct store *st, size_t max);
/* Current schema version. */
int store_schema_version(struct store *st);

/* --- interactions (calls, for now) ------------------------------------ */

struct store_call {
	char id[32];
	char caller[64];    /* From user (caller number) */
	char called[64];    /* Request-URI user (dialled number) */
	char ivr_path[256]; /* node ids visited, "check-hours>welcome>menu>sales" */
	char digits[64];    /* digits the caller entered in the IVR */
	char queue[32];
	char agent[16];	   /* extension of the agent who answered */
	uint64_t created;  /* UTC ms */
	uint64_t queued;   /* 0 = never */
	uint64_t answered; /* by an agent; 0 = never */
	uint64_t ended;
	char outcome[32];	/* active, answered, abandoned_queue,
				 * abandoned_ivr, abandoned (extension call),
				 * exited_timeout, exited_full, exited_empty,
				 * exited_key, voicemail, callback_failed,
				 * ivr_hangup, failed */
	char hangup_side[16];	/* caller, agent, system */
	int hangup_cause;	/* SIP status or 0 */
	char hangup_reason[64]; /* "BYE", "CANCEL", "rtp timeout", ... */
	char recording[256];	/* path relative to the data dir, "" = none */
	char customer[32];	/* the customer the caller is, "" = unknown */
	char channel[16];	/* voice, chat, mail, message ("" reads as voice) */
	char direction[16];	/* inbound, outbound ("" reads as inbound) */
	/* the display name of SIP From as sent, 63 characters at most
	 * ("张伟 \"VIP\""); "" none */
	char caller_name[256];
	/* how each side's leg was carried (issue 15): signalling udp, tcp,
	 * tls, ws or wss; media rtp or srtp; "" none (yet) */
	char signalling[8];
	char media[8];
	char agent_signalling[8];
	char agent_media[8];
};

typedef int(store_call_h)(const struct store_call *c, void *arg);

/* Inserts or replaces the row with this id (queued write). */
int store_call_save(struct store *st, const struct store_call *c);
/* Reads one row; ENOENT when absent. */
int store_call_get(struct store *st, const char *id, struct store_call *c);
/*
 * At start, after a crash: every interaction left live (no end time) is
 * closed as failed, reason "interrupted", ended at its last known
 * activity (its latest event, or its start), with a call.ended event. h
 * (may be NULL) sees each closed row before it is saved (to mend its
 * recording). Waits until it is committed: for start-up only. *np: how
 * many were closed.
 */
int store_calls_recover(struct store *st, store_call_h *h, void *arg, size_t *np);

struct store_call_filter {
	uint64_t from, to; /* created in [from, to), 0 = open */
	const char *queue; /* NULL = any */
	const char *agent;
	const char *outcome;
	const char *queues; /* comma list: in one of them; NULL = any */
	bool rooms;	    /* with queues: conference rooms' calls too (no
			     * queue, outcome conference) */
	const char *customer;
	const char *channel; /* voice, chat, mail, message; NULL = any */
	const char *match;   /* an FTS5 query (util_fts_query) one of its
			      * messages matches; NULL = any */
	uint32_t limit;	     /* 0 = 100 */
	uint32_t offset;
};
/* Calls h for each matching row, newest first; stops early when h
 * returns non-zero. */
int store_call_list(struct store *st, const struct store_call_filter *f, store_call_h *h,
		    void *arg);

/* --- chat messages and attachments (issue 13) -------------------------------- */

/* One message of a chat, in order by seq within its interaction. */
struct store_message {
	char interaction[32];
	uint32_t seq;	     /* 1, 2, ... per chat */
	char sender[16];     /* visitor, agent, system */
	char name[64];	     /* the sender's display name */
	const char *text;    /* UTF-8; a read's is valid during the handler */
	bool internal;	     /* an agent's note, never shown to the visitor */
	char cid[65];	     /* the visitor's client id, "" none */
	char attachment[32]; /* attachment id, "" none */
	uint64_t created;    /* UTC ms */
};
typedef int(store_message_h)(const struct store_message *m, void *arg);
/* Appends one message (queued write). */
int store_message_add(struct store *st, const struct store_message *m);
/* The messages of one interaction in seq order. */
int store_message_list(struct store *st, const char *interaction, store_message_h *h,
		       void *arg);
/* The messages whose text matches match, an FTS5 query (util_fts_query:
 * any part of Chinese text, Latin words as prefixes), newest first, at
 * most limit (0 = 100). EINVAL for an empty query. */
int store_message_search(struct store *st, const char *match, uint32_t limit,
			 store_message_h *h, void *arg);

/* A file attached to a chat, kept at path (relative to the data dir). */
struct store_attachment {
	char id[32];
	char interaction[32];
	char name[128];
	char type[64]; /* the type its content shows (image/png ...) */
	uint64_t size;
	char sha256[65];
	char path[128];
	uint64_t created;
};
int store_attachment_add(struct store *st, const struct store_attachment *a);
/* ENOENT: none. */
int store_attachment_get(struct store *st, const char *id, struct store_attachment *a);

/* --- events ------------------------------------------------------------ */

/* Appends one event (queued write). */
int store_event_append(struct store *st, const struct hl_event *ev);
/* An event_h that appends (arg is the store). */
void store_event_append_h(const struct hl_event *ev, void *arg);
/* Subscribes the store to the event bus: every event is appended. */
int store_events_attach(struct store *st);
typedef int(store_event_h)(const struct hl_event *ev, void *arg);
int store_event_list(struct store *st, uint64_t from, uint64_t to, const char *call,
		     store_event_h *h, void *arg);

/* --- SIP registrations (survive a restart) ---------------------------- */

struct store_binding {
	char aor[64];	   /* extension */
	char contact[256]; /* Contact URI */
	char transport[8]; /* udp, tcp */
	char source[64];   /* "ip:port" the REGISTER came from */
	char call_id[128];
	uint32_t cseq;
	uint64_t expires; /* UTC ms */
};
int store_binding_save(struct store *st, const struct store_binding *b);
int store_binding_delete(struct store *st, const char *aor, const char *contact);
typedef int(store_binding_h)(const struct store_binding *b, void *arg);
/* Every binding not expired at now. */
int store_binding_list(struct store *st, uint64_t now, store_binding_h *h, void *arg);

/* --- outgoing webhooks ------------------------------------------------- */

struct store_webhook {
	char id[32];
	char url[512];
	char types[256]; /* comma list of event type prefixes */
	char secret[80];
	uint64_t created;
};
int store_webhook_save(struct store *st, const struct store_webhook *w);
int store_webhook_delete(struct store *st, const char *id);
typedef int(store_webhook_h)(const struct store_webhook *w, void *arg);
/* Every webhook, oldest first (read on the calling thread). */
int store_webhook_list(struct store *st, store_webhook_h *h, void *arg);

/* --- wrap-up: what the agent noted about a call ------------------------ */

/* Text a person types is limited in characters (issue 14), each up to 4
 * bytes of UTF-8: a field of n characters is kept in STORE_TEXT(n). */
#define STORE_TEXT(n) ((n)*4 + 4)

struct store_wrapup {
	char call[32];
	char agent[16];
	char disposition[32]; /* one of the tenant's dispositions */
	char notes[STORE_TEXT(2047)];
	uint64_t ts;
};
/* Inserts or replaces the call's wrap-up (queued write). */
int store_wrapup_save(struct store *st, const struct store_wrapup *w);
/* ENOENT: none. */
int store_wrapup_get(struct store *st, const char *call, struct store_wrapup *w);

/* --- customers and their identities ---------------------------------- */

struct store_customer {
	char id[32];
	char name[STORE_TEXT(127)];
	char company[STORE_TEXT(127)];
	char tier[16];	/* one of the tenant's crm.tiers */
	char tags[256]; /* comma list */
	char notes[STORE_TEXT(2047)];
	char fields[8192]; /* custom fields, a JSON object */
	uint64_t created, updated;
};

struct store_identity {
	char kind[16];	 /* phone, email, chat, messaging */
	char value[128]; /* normalised (crm_identity_norm) */
	char customer[32];
};

/* The SQL functions the store's schema uses (hl_cjk: text for the search
 * indexes), for another connection to the store's file (a tool, a
 * benchmark filling it directly). 0 or ENOMEM. */
struct sqlite3;
int store_sql_functions(struct sqlite3 *db);
/* Inserts or replaces (queued write; search follows). */
int store_customer_save(struct store *st, const struct store_customer *c);
/* Replaces the customer's identities with v (queued). Uniqueness is the
 * caller's to check first (store_identity_find after store_flush). */
int store_identities_set(struct store *st, const char *customer,
			 const struct store_identity *v, size_t n);
/* Moves from's identities and calls to into, then deletes from (queued). */
int store_customer_merge(struct store *st, const char *from, const char *into);
/* Right to be forgotten (queued): the customer, its identities and search
 * row go; its calls keep their figures but lose the caller number, the
 * recording and the link; numbers are scrubbed from the calls' events. */
int store_customer_forget(struct store *st, const char *id, const char *const *numbers,
			  size_t n);
/* ENOENT: none. */
int store_customer_get(struct store *st, const char *id, struct store_customer *c);
typedef int(store_customer_h)(const struct store_customer *c, void *arg);
/* match: an FTS5 query over name, company, tags and identities (in the
 * order of the index, so that a common prefix stops at limit instead of
 * ranking every match), or NULL for the newest first. */
int store_customer_list(struct store *st, const char *match, uint32_t limit,
			uint32_t offset, store_customer_h *h, void *arg);
/* The customer id an identity belongs to; ENOENT: nobody's. */
int store_identity_find(struct store *st, const char *kind, const char *value,
			char *customer, size_t sz);
typedef int(store_identity_h)(const struct store_identity *i, void *arg);
int store_identity_list(struct store *st, const char *customer, store_identity_h *h,
			void *arg);

/* --- tickets ---------------------------------------------------------- */

/* SLA flags of a ticket */
#define TICKET_FR_WARNED    1
#define TICKET_FR_BREACHED  2
#define TICKET_RES_WARNED   4
#define TICKET_RES_BREACHED 8

struct store_ticket {
	char id[32];
	char subject[STORE_TEXT(255)];
	char description[STORE_TEXT(4095)];
	char category[32];
	char priority[8];  /* low, normal, high, urgent */
	char status[12];   /* new, open, pending, resolved, closed */
	char assignee[16]; /* agent extension, "" = nobody */
	char group[32];	   /* a queue */
	char customer[32];
	char calls[256]; /* linked interactions, comma list */
	char tags[256];
	char creator[64];
	uint64_t created, updated;
	uint64_t fr_due, res_due; /* UTC ms; 0 = no SLA */
	uint64_t fr_at;		  /* first response, 0 = none yet */
	uint64_t resolved_at;
	uint64_t paused_at; /* pending since (clocks stopped), 0 = running */
	uint64_t sla_flags; /* TICKET_*_WARNED / _BREACHED */
	uint64_t escalations;
	uint64_t csat;	   /* the customer's score 1-5 from the survey, 0 = none */
	char fields[8192]; /* custom fields (tickets.fields), a JSON object */
};
/* Inserts or replaces (queued write). */
int store_ticket_save(struct store *st, const struct store_ticket *t);
int store_ticket_get(struct store *st, const char *id, struct store_ticket *t);
struct store_ticket_filter {
	const char *statuses; /* comma list; NULL = any */
	const char *assignee;
	const char *groups; /* comma list */
	const char *customer;
	const char *call;  /* linked to this call */
	const char *match; /* an FTS5 query over subject and description
			    * (util_fts_query); NULL = any */
	uint32_t limit;	   /* 0 = 100 */
	uint32_t offset;
};
typedef int(store_ticket_h)(const struct store_ticket *t, void *arg);
/* Most recently changed first. */
int store_ticket_list(struct store *st, const struct store_ticket_filter *f,
		      store_ticket_h *h, void *arg);

/* A line of a ticket's history: a change, an internal note, a reply. */
struct store_ticket_entry {
	char ticket[32];
	uint64_t ts;
	char user[64];
	/* created, status, assign, priority, fields, note, reply, sla, escalated,
	 * rated */
	char kind[16];
	char text[STORE_TEXT(2047)]; /* what a person typed; "" when msg */
	bool public_;
	/* a line the server wrote: {"key", "args"} JSON, worded when read
	 * (msg_show); "" for notes, replies and old lines no key reads */
	char msg[STORE_TEXT(2047)];
};
int store_ticket_history_add(struct store *st, const struct store_ticket_entry *e);
typedef int(store_ticket_entry_h)(const struct store_ticket_entry *e, void *arg);
int store_ticket_history(struct store *st, const char *ticket, store_ticket_entry_h *h,
			 void *arg);

/* --- satisfaction surveys ----------------------------------------------- */

struct store_survey {
	char hash[65]; /* hex SHA-256 of the one-time token */
	char ticket[32];
	char call[32];
	char customer[32];
	uint64_t created, answered; /* answered 0: not yet */
	int score;		    /* 1-5 */
	char comment[STORE_TEXT(511)];
};
int store_survey_save(struct store *st, const struct store_survey *v);
/* ENOENT: no such survey. */
int store_survey_get(struct store *st, const char *hash, struct store_survey *v);

/* --- users, API tokens, sign-in sessions, audit log -------------------- */

struct store_user {
	char name[64];	    /* sign-in name, the key */
	char role[16];	    /* agent, supervisor, admin */
	char extension[16]; /* an agent's SIP extension */
	char queues[256];   /* comma list: the queues a supervisor supervises */
	char display[STORE_TEXT(127)];
	char pw_hash[128]; /* argon2id, libsodium's crypto_pwhash_str form */
	bool disabled;
	uint64_t created;
	char locale[16]; /* the pages' language (BCP 47: zh-CN); "": the browser's */
};
/* Inserts or replaces (queued write). */
int store_user_save(struct store *st, const struct store_user *u);
/* Deletes the user with its tokens and sessions (queued writes). */
int store_user_delete(struct store *st, const char *name);
typedef int(store_user_h)(const struct store_user *u, void *arg);
int store_user_list(struct store *st, store_user_h *h, void *arg);

struct store_token {
	char id[32];
	char user[64];
	char name[64]; /* what it is for, "crm-sync" */
	char hash[65]; /* hex SHA-256 of the token; the token is never stored */
	uint64_t created;
	uint64_t revoked; /* 0 = valid */
};
int store_token_save(struct store *st, const struct store_token *t);
typedef int(store_token_h)(const struct store_token *t, void *arg);
int store_token_list(struct store *st, store_token_h *h, void *arg);

struct store_session {
	char hash[65]; /* hex SHA-256 of the cookie value */
	char user[64];
	uint64_t created, expires;
};
int store_session_save(struct store *st, const struct store_session *se);
int store_session_delete(struct store *st, const char *hash);
/* Deletes the user's sessions (user NULL: none) and every one expired
 * at now. */
int store_sessions_expire(struct store *st, const char *user, uint64_t now);
typedef int(store_session_h)(const struct store_session *se, void *arg);
/* Every session not expired at now. */
int store_session_list(struct store *st, uint64_t now, store_session_h *h, void *arg);

struct store_audit {
	uint64_t ts;
	char user[64]; /* who ("" when unknown: a failed sign-in's name is the target) */
	char action[32]; /* signin, signin_failed, user.create, recording.download, ... */
	char target[128]; /* what it was done to */
	char detail[256];
	char addr[64]; /* from where ("ip:port") */
};
int store_audit_append(struct store *st, const struct store_audit *a);
struct store_audit_filter {
	uint64_t from, to; /* 0 = open */
	const char *user;  /* NULL = any */
	const char *action;
	uint32_t limit; /* 0 = 100 */
	uint32_t offset;
};
typedef int(store_audit_h)(const struct store_audit *a, void *arg);
/* Newest first. */
int store_audit_list(struct store *st, const struct store_audit_filter *f,
		     store_audit_h *h, void *arg);

#endif
