/*
 * store.c — the SQLite backend of the storage interface.
 *
 * One database file, WAL mode. Two connections: the writer's, used only
 * by the writer thread, which takes queued jobs and commits them in
 * batches (one transaction per batch, synchronous=FULL: a committed job
 * is on disk); and the reader's, used by the main thread for queries.
 * The main loop never waits for the disk, except in store_flush.
 *
 * Jobs cross threads as plain malloc'd structs. The one exception is a
 * commit notice (JOB_NOTIFY): the writer only moves it, committed, to the
 * done list; the main loop (woken through an mqueue) calls its handler
 * and releases its libre argument.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <re.h>
#include <re_mqueue.h>
#include "core/core.h"
#include "store/store.h"

#define QUEUE_MAX_DEFAULT 100000
#define BATCH_MAX	  2000

enum job_type {
	JOB_CALL,
	JOB_EVENT,
	JOB_BINDING_SAVE,
	JOB_BINDING_DEL,
	JOB_WEBHOOK_SAVE,
	JOB_WEBHOOK_DEL,
	JOB_ROW, /* one statement of row_sql[] with its parameters */
	JOB_TICKET,
	JOB_NOTIFY /* no statement: tells the main loop what came before committed */
};

/* The statements of JOB_ROW (users, tokens, sessions, audit). */
enum row_sql {
	ROW_USER_SAVE,
	ROW_USER_DEL,
	ROW_TOKEN_SAVE,
	ROW_TOKENS_DEL_USER,
	ROW_SESSION_SAVE,
	ROW_SESSION_DEL,
	ROW_SESSIONS_DEL_USER,
	ROW_AUDIT,
	ROW_WRAPUP_SAVE,
	ROW_MESSAGE_ADD,
	ROW_ATTACHMENT_ADD,
	ROW_CUSTOMER_SAVE,
	ROW_CUSTOMER_DEL,
	ROW_IDENT_ADD,
	ROW_IDENT_DEL_CUSTOMER,
	ROW_IDENT_MOVE,
	ROW_CALLS_MOVE,
	ROW_FTS_DEL,
	ROW_FTS_ADD,
	ROW_EVENTS_SCRUB,
	ROW_CALLS_FORGET,
	ROW_TICKET_HISTORY,
	ROW_SURVEY_SAVE,
	ROW_SQL_N
};

/* The writer's statements, one per job type and per row_sql: a job's slot */
#define WSTMT_N (JOB_NOTIFY + 1 + ROW_SQL_N)

static const char *const row_sql[] = {
    [ROW_USER_SAVE] = "INSERT OR REPLACE INTO users VALUES (?,?,?,?,?,?,?,?,?)",
    [ROW_USER_DEL] = "DELETE FROM users WHERE name=?",
    [ROW_TOKEN_SAVE] = "INSERT OR REPLACE INTO tokens VALUES (?,?,?,?,?,?)",
    [ROW_TOKENS_DEL_USER] = "DELETE FROM tokens WHERE user=?",
    [ROW_SESSION_SAVE] = "INSERT OR REPLACE INTO sessions VALUES (?,?,?,?)",
    [ROW_SESSION_DEL] = "DELETE FROM sessions WHERE hash=?",
    [ROW_SESSIONS_DEL_USER] = "DELETE FROM sessions WHERE user=? OR expires<?",
    [ROW_AUDIT] = ("INSERT INTO audit (ts,user,action,target,detail,addr)"
		   " VALUES (?,?,?,?,?,?)"),
    [ROW_WRAPUP_SAVE] = "INSERT OR REPLACE INTO wrapups VALUES (?,?,?,?,?)",
    /* a message is written once: a second write of its seq is a bug */
    [ROW_MESSAGE_ADD] = "INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?,?,?)",
    [ROW_ATTACHMENT_ADD] = "INSERT OR REPLACE INTO attachments VALUES (?,?,?,?,?,?,?,?)",
    [ROW_CUSTOMER_SAVE] = "INSERT OR REPLACE INTO customers VALUES (?,?,?,?,?,?,?,?,?)",
    [ROW_CUSTOMER_DEL] = "DELETE FROM customers WHERE id=?",
    [ROW_IDENT_ADD] = "INSERT OR REPLACE INTO identities VALUES (?,?,?)",
    [ROW_IDENT_DEL_CUSTOMER] = "DELETE FROM identities WHERE customer=?",
    [ROW_IDENT_MOVE] = "UPDATE identities SET customer=?2 WHERE customer=?1",
    [ROW_CALLS_MOVE] = "UPDATE calls SET customer=?2 WHERE customer=?1",
    [ROW_FTS_DEL] = "DELETE FROM customers_fts WHERE id=?",
    [ROW_FTS_ADD] = ("INSERT INTO customers_fts (id, name, company, tags, identities)"
		     " SELECT id, hl_cjk(name), hl_cjk(company), tags,"
		     " (SELECT group_concat(value, ' ')"
		     " FROM identities WHERE customer = c.id) FROM customers c"
		     " WHERE id=?"),
    /* the personal data in a forgotten customer's call events: the
     * caller number (the figures stay) */
    [ROW_EVENTS_SCRUB] = ("UPDATE events SET data = replace(data, ?2, 'forgotten')"
			  " WHERE call IN (SELECT id FROM calls WHERE customer=?1)"),
    [ROW_CALLS_FORGET] = ("UPDATE calls SET caller='forgotten', recording='',"
			  " customer=NULL WHERE customer=?"),
    [ROW_TICKET_HISTORY] = ("INSERT INTO ticket_history (ticket, ts, user, kind, text,"
			    " public, msg) VALUES (?,?,?,?,?,?,?)"),
    [ROW_SURVEY_SAVE] = "INSERT OR REPLACE INTO surveys VALUES (?,?,?,?,?,?,?,?)",
};

#define ROW_PARAMS 10

/* A parameter of a JOB_ROW: text (malloc'd, NULL = SQL NULL) or a number. */
struct row_param {
	char *text;
	int64_t num;
	bool is_num;
};

struct job {
	struct job *next;
	enum job_type type;
	bool joined; /* a batch may not end here: the next job is of its group */
	union {
		struct store_call call;
		struct store_binding binding;
		struct store_webhook webhook;
		struct store_ticket *ticket; /* malloc'd: a ticket is large */
		struct {
			uint64_t ts;
			char *type, *call, *agent, *queue, *data;
		} ev;
		struct {
			enum row_sql sql;
			size_t n;
			struct row_param p[ROW_PARAMS];
		} row;
		struct {
			store_commit_h *h;
			void *arg; /* referenced; released on the main thread */
			int err;
		} notify;
	} u;
};

struct store {
	sqlite3 *wdb; /* writer thread only */
	/* its statements, prepared on first use and kept: a statement
	 * parsed for every write was a third of the writer's time at 1,000
	 * chat messages a second (bench/chat.sh, perf) */
	sqlite3_stmt *wst[WSTMT_N];
	sqlite3 *rdb; /* main thread */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* jobs queued, or stop */
	pthread_cond_t idle; /* a batch committed */
	struct job *head, *tail;
	size_t queued;
	size_t queue_max;
	uint64_t enqueued, committed;
	bool stop;
	bool attached;
	uint64_t refused;     /* writes refused in this overload episode */
	struct job *inflight; /* the batch being committed (read-only) */
	/* a group being queued (main thread only; the writer sees it once
	 * it is whole) */
	unsigned group_depth;
	struct job *ghead, *gtail;
	size_t gcount;
	struct job *done; /* commit notices for the main loop, in order */
	struct job *done_tail;
	struct mqueue *mq; /* wakes the main loop for them (made on first use) */
};

/* --- schema ----------------------------------------------------------- */

static const char *const migrations[] = {
    /* 1: calls, events, SIP bindings */
    "CREATE TABLE calls ("
    " id TEXT PRIMARY KEY, caller TEXT, called TEXT, ivr_path TEXT,"
    " digits TEXT, queue TEXT, agent TEXT, created INTEGER, queued INTEGER,"
    " answered INTEGER, ended INTEGER, outcome TEXT, hangup_side TEXT,"
    " hangup_cause INTEGER, hangup_reason TEXT, recording TEXT);"
    "CREATE INDEX calls_created ON calls(created);"
    "CREATE INDEX calls_queue ON calls(queue, created);"
    "CREATE INDEX calls_agent ON calls(agent, created);"
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL,"
    " type TEXT NOT NULL, call TEXT, agent TEXT, queue TEXT, data TEXT);"
    "CREATE INDEX events_ts ON events(ts);"
    "CREATE INDEX events_call ON events(call);"
    "CREATE TABLE bindings ("
    " aor TEXT NOT NULL, contact TEXT NOT NULL, transport TEXT,"
    " source TEXT, call_id TEXT, cseq INTEGER, expires INTEGER,"
    " PRIMARY KEY (aor, contact));",
    /* 2: outgoing webhooks */
    "CREATE TABLE webhooks ("
    " id TEXT PRIMARY KEY, url TEXT NOT NULL, types TEXT NOT NULL,"
    " secret TEXT NOT NULL, created INTEGER);",
    /* 3: users, API tokens, sign-in sessions, the audit log */
    "CREATE TABLE users ("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL, extension TEXT,"
    " queues TEXT, display TEXT, pw_hash TEXT NOT NULL, disabled INTEGER,"
    " created INTEGER);"
    "CREATE TABLE tokens ("
    " id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT,"
    " hash TEXT NOT NULL UNIQUE, created INTEGER, revoked INTEGER);"
    "CREATE TABLE sessions ("
    " hash TEXT PRIMARY KEY, user TEXT NOT NULL, created INTEGER,"
    " expires INTEGER);"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, user TEXT,"
    " action TEXT NOT NULL, target TEXT, detail TEXT, addr TEXT);"
    "CREATE INDEX audit_ts ON audit(ts);",
    /* 4: what the agent noted when wrapping a call up */
    "CREATE TABLE wrapups ("
    " call TEXT PRIMARY KEY, agent TEXT, disposition TEXT NOT NULL,"
    " notes TEXT, ts INTEGER);",
    /* 5: customers, their identities (unique in the tenant), search */
    "CREATE TABLE customers ("
    " id TEXT PRIMARY KEY, name TEXT, company TEXT, tier TEXT, tags TEXT,"
    " notes TEXT, fields TEXT, created INTEGER, updated INTEGER);"
    "CREATE TABLE identities ("
    " kind TEXT NOT NULL, value TEXT NOT NULL, customer TEXT NOT NULL,"
    " PRIMARY KEY (kind, value));"
    "CREATE INDEX identities_customer ON identities(customer);"
    "CREATE VIRTUAL TABLE customers_fts USING fts5("
    " id UNINDEXED, name, company, tags, identities);"
    "ALTER TABLE calls ADD COLUMN customer TEXT;"
    "CREATE INDEX calls_customer ON calls(customer, created);",
    /* 6: tickets and their history */
    "CREATE TABLE tickets ("
    " id TEXT PRIMARY KEY, subject TEXT, description TEXT, category TEXT,"
    " priority TEXT, status TEXT, assignee TEXT, grp TEXT, customer TEXT,"
    " calls TEXT, tags TEXT, creator TEXT, created INTEGER, updated INTEGER,"
    " fr_due INTEGER, res_due INTEGER, fr_at INTEGER, resolved_at INTEGER,"
    " paused_at INTEGER, sla_flags INTEGER, escalations INTEGER);"
    "CREATE INDEX tickets_status ON tickets(status, updated);"
    "CREATE INDEX tickets_assignee ON tickets(assignee, status);"
    "CREATE INDEX tickets_customer ON tickets(customer, created);"
    "CREATE TABLE ticket_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, ticket TEXT NOT NULL, ts INTEGER,"
    " user TEXT, kind TEXT, text TEXT, public INTEGER);"
    "CREATE INDEX ticket_history_ticket ON ticket_history(ticket, id);",
    /* 7: satisfaction surveys (a one-time link per resolved ticket) */
    "CREATE TABLE surveys ("
    " hash TEXT PRIMARY KEY, ticket TEXT, call TEXT, customer TEXT,"
    " created INTEGER, answered INTEGER, score INTEGER, comment TEXT);"
    "CREATE INDEX surveys_ticket ON surveys(ticket);"
    "ALTER TABLE tickets ADD COLUMN csat INTEGER;",
    /* 8: customer search with prefix indexes: "ann lee" as you type is a
     * lookup of 2- and 3-letter prefixes, not a scan of every term */
    "DROP TABLE customers_fts;"
    "CREATE VIRTUAL TABLE customers_fts USING fts5("
    " id UNINDEXED, name, company, tags, identities, prefix='2 3');"
    "INSERT INTO customers_fts (id, name, company, tags, identities)"
    " SELECT id, name, company, tags, (SELECT group_concat(value, ' ')"
    " FROM identities WHERE customer = c.id) FROM customers c;",
    /* 9: tickets' custom fields (tickets.fields), a JSON object */
    "ALTER TABLE tickets ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';",
    /* 10: the language a user reads the pages in (PATCH /api/v1/session) */
    "ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';",
    /* 11: interactions of every channel in one table (issue 13): each row
     * its channel and direction; the calls so far are voice, inbound but
     * for those placed by click-to-call (their call.created says so) */
    "ALTER TABLE calls ADD COLUMN channel TEXT NOT NULL DEFAULT 'voice';"
    "ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';"
    "UPDATE calls SET direction = 'outbound' WHERE id IN (SELECT call FROM events"
    " WHERE type = 'call.created' AND data LIKE '%\"direction\":\"outbound\"%');"
    "CREATE INDEX calls_channel ON calls(channel, created);",
    /* 12: the messages of chats (issue 13), in order by their per-chat
     * seq, and the files attached to them (kept under attachments/).
     * The text is searchable: FTS5's trigram tokenizer indexes every run
     * of three characters, so a part of a word is found as well as a
     * whole one, and Chinese, written without spaces, is found by any
     * three characters of it (unicode61 would take a whole sentence for
     * one token). Two-character queries (most Chinese words) match no
     * trigram: a search that short scans messages.text with LIKE instead
     * (DESIGN.md, Storage). The index follows the table by triggers. */
    "CREATE TABLE messages ("
    " interaction TEXT NOT NULL, seq INTEGER NOT NULL, sender TEXT NOT NULL,"
    " name TEXT NOT NULL, text TEXT NOT NULL, internal INTEGER NOT NULL,"
    " cid TEXT NOT NULL, attachment TEXT NOT NULL, created INTEGER NOT NULL,"
    " PRIMARY KEY (interaction, seq));"
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages',"
    " content_rowid='rowid', tokenize='trigram');"
    "CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text); END;"
    "CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_fts (messages_fts, rowid, text)"
    " VALUES ('delete', old.rowid, old.text); END;"
    "CREATE TABLE attachments ("
    " id TEXT PRIMARY KEY, interaction TEXT NOT NULL, name TEXT NOT NULL,"
    " type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " path TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE INDEX attachments_interaction ON attachments(interaction);",
    /* 13: search by any part of Chinese text (issue 14): names and
     * companies indexed with every CJK character a token (hl_cjk), so a
     * query's run of them is a phrase (util_fts_query); tickets'
     * subjects and descriptions likewise, kept by triggers by rowid (a
     * save is INSERT OR REPLACE: the old row's entry goes before) */
    "DROP TABLE customers_fts;"
    "CREATE VIRTUAL TABLE customers_fts USING fts5("
    " id UNINDEXED, name, company, tags, identities, prefix='2 3');"
    "INSERT INTO customers_fts (id, name, company, tags, identities)"
    " SELECT id, hl_cjk(name), hl_cjk(company), tags, (SELECT group_concat(value, ' ')"
    " FROM identities WHERE customer = c.id) FROM customers c;"
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, description, prefix='2 3');"
    "INSERT INTO tickets_fts (rowid, subject, description)"
    " SELECT rowid, hl_cjk(subject), hl_cjk(description) FROM tickets;"
    "CREATE TRIGGER tickets_fts_old BEFORE INSERT ON tickets BEGIN"
    " DELETE FROM tickets_fts WHERE rowid = (SELECT rowid FROM tickets WHERE id = "
    "new.id);"
    " END;"
    "CREATE TRIGGER tickets_fts_new AFTER INSERT ON tickets BEGIN"
    " INSERT INTO tickets_fts (rowid, subject, description)"
    " VALUES (new.rowid, hl_cjk(new.subject), hl_cjk(new.description)); END;"
    "CREATE TRIGGER tickets_fts_change AFTER UPDATE OF subject, description ON tickets"
    " BEGIN DELETE FROM tickets_fts WHERE rowid = old.rowid;"
    " INSERT INTO tickets_fts (rowid, subject, description)"
    " VALUES (new.rowid, hl_cjk(new.subject), hl_cjk(new.description)); END;"
    "CREATE TRIGGER tickets_fts_gone AFTER DELETE ON tickets BEGIN"
    " DELETE FROM tickets_fts WHERE rowid = old.rowid; END;",
    /* 14: the lines the server writes into a ticket's history kept as a
     * message key and its arguments (msg JSON, worded in the reader's
     * language when read), not as English text (issue 14). The English
     * lines written before are read back into a key where one of the known
     * formats reads them (hl_history_msg, msg_parse); a line none reads
     * stays text. Notes and replies are people's words: text as typed. */
    "ALTER TABLE ticket_history ADD COLUMN msg TEXT NOT NULL DEFAULT '';"
    "UPDATE ticket_history SET msg = hl_history_msg(kind, text)"
    " WHERE kind NOT IN ('note', 'reply');"
    "UPDATE ticket_history SET text = '' WHERE msg != '';"
    /* and the caller's display name (SIP From's) beside the number, kept
     * as sent now that nothing rewrites text (issue 14) */
    "ALTER TABLE calls ADD COLUMN caller_name TEXT NOT NULL DEFAULT '';",
    /* 15: how a call's legs were carried (issue 15): SIP over UDP, TCP or
     * TLS, RTP or SRTP, the caller's side and the agent's */
    "ALTER TABLE calls ADD COLUMN signalling TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE calls ADD COLUMN media TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE calls ADD COLUMN agent_signalling TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE calls ADD COLUMN agent_media TEXT NOT NULL DEFAULT '';",
    /* 16: chat messages searched as customers and tickets are (one way
     * to search Chinese): every CJK character a token (hl_cjk), so one
     * character and a two-character name (张伟) use the index as longer
     * text does, where trigram left them to a scan of messages.text.
     * The index keeps its own copy of the text as indexed (as
     * tickets_fts): an external-content table would read back the raw
     * text, not what was tokenized. Every stored message is indexed
     * again; a message is written once, so no update trigger. */
    "DROP TRIGGER messages_ai; DROP TRIGGER messages_ad; DROP TABLE messages_fts;"
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text);"
    "INSERT INTO messages_fts (rowid, text) SELECT rowid, hl_cjk(text) FROM messages;"
    "CREATE TRIGGER messages_fts_new AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, hl_cjk(new.text)); END;"
    "CREATE TRIGGER messages_fts_gone AFTER DELETE ON messages BEGIN"
    " DELETE FROM messages_fts WHERE rowid = old.rowid; END;",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int exec(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store: %s failed: %s", what, msg ? msg : "?");
		sqlite3_free(msg);
		return EIO;
	}
	return 0;
}

static int version_get(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = 0;

	if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_version", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(sqlite3 *db)
{
	int v, err;

	err = exec(db,
		   "CREATE TABLE IF NOT EXISTS schema_version ("
		   " version INTEGER PRIMARY KEY, applied INTEGER)",
		   "schema_version table");
	if (err)
		return err;
	v = version_get(db);
	for (size_t i = (size_t)v; i < NMIGRATIONS; i++) {
		char sql[128];

		err = exec(db, "BEGIN IMMEDIATE", "migration begin");
		if (err)
			return err;
		err = exec(db, migrations[i], "migration");
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_version VALUES (%zu, %llu)", i + 1,
			 (unsigned long long)clock_now_ms());
		if (!err)
			err = exec(db, sql, "migration record");
		if (err) {
			exec(db, "ROLLBACK", "migration rollback");
			log_error("store: migration %zu failed", i + 1);
			return err;
		}
		err = exec(db, "COMMIT", "migration commit");
		if (err)
			return err;
		log_info("store: applied migration %zu", i + 1);
	}
	return 0;
}

/* --- the writer -------------------------------------------------------- */

static void job_free(struct job *j)
{
	if (j->type == JOB_EVENT) {
		free(j->u.ev.type);
		free(j->u.ev.call);
		free(j->u.ev.agent);
		free(j->u.ev.queue);
		free(j->u.ev.data);
	}
	if (j->type == JOB_ROW) {
		for (size_t i = 0; i < j->u.row.n; i++)
			free(j->u.row.p[i].text);
	}
	if (j->type == JOB_TICKET)
		free(j->u.ticket);
	/* main thread only: the writer never frees a notice */
	if (j->type == JOB_NOTIFY)
		mem_deref(j->u.notify.arg);
	free(j);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int job_run(struct store *s, const struct job *j)
{
	sqlite3 *db = s->wdb;
	size_t slot;
	static const char *const sql[] = {
	    [JOB_CALL] = "INSERT OR REPLACE INTO calls VALUES"
			 " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    [JOB_EVENT] = "INSERT INTO events (ts,type,call,agent,queue,data)"
			  " VALUES (?,?,?,?,?,?)",
	    [JOB_BINDING_SAVE] = "INSERT OR REPLACE INTO bindings VALUES"
				 " (?,?,?,?,?,?,?)",
	    [JOB_BINDING_DEL] = "DELETE FROM bindings WHERE aor=? AND contact=?",
	    [JOB_WEBHOOK_SAVE] = "INSERT OR REPLACE INTO webhooks VALUES (?,?,?,?,?)",
	    [JOB_WEBHOOK_DEL] = "DELETE FROM webhooks WHERE id=?",
	    [JOB_ROW] = NULL,
	    [JOB_TICKET] = "INSERT OR REPLACE INTO tickets VALUES"
			   " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    [JOB_NOTIFY] = NULL,
	};
	sqlite3_stmt *st;
	int rc;

	if (j->type == JOB_NOTIFY)
		return 0;
	slot =
	    j->type == JOB_ROW ? JOB_NOTIFY + 1 + (size_t)j->u.row.sql : (size_t)j->type;
	st = s->wst[slot];
	if (!st && sqlite3_prepare_v3(
		       db, j->type == JOB_ROW ? row_sql[j->u.row.sql] : sql[j->type], -1,
		       SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("store: prepare failed: %s", sqlite3_errmsg(db));
		return EIO;
	}
	s->wst[slot] = st;
	switch (j->type) {
	case JOB_CALL: {
		const struct store_call *c = &j->u.call;
		bind_text(st, 1, c->id);
		bind_text(st, 2, c->caller);
		bind_text(st, 3, c->called);
		bind_text(st, 4, c->ivr_path);
		bind_text(st, 5, c->digits);
		bind_text(st, 6, c->queue);
		bind_text(st, 7, c->agent);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)c->created);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)c->queued);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)c->answered);
		sqlite3_bind_int64(st, 11, (sqlite3_int64)c->ended);
		bind_text(st, 12, c->outcome);
		bind_text(st, 13, c->hangup_side);
		sqlite3_bind_int(st, 14, c->hangup_cause);
		bind_text(st, 15, c->hangup_reason);
		bind_text(st, 16, c->recording);
		bind_text(st, 17, c->customer[0] ? c->customer : NULL);
		bind_text(st, 18, c->channel[0] ? c->channel : "voice");
		bind_text(st, 19, c->direction[0] ? c->direction : "inbound");
		bind_text(st, 20, c->caller_name);
		bind_text(st, 21, c->signalling);
		bind_text(st, 22, c->media);
		bind_text(st, 23, c->agent_signalling);
		bind_text(st, 24, c->agent_media);
		break;
	}
	case JOB_EVENT:
		sqlite3_bind_int64(st, 1, (sqlite3_int64)j->u.ev.ts);
		bind_text(st, 2, j->u.ev.type);
		bind_text(st, 3, j->u.ev.call);
		bind_text(st, 4, j->u.ev.agent);
		bind_text(st, 5, j->u.ev.queue);
		bind_text(st, 6, j->u.ev.data);
		break;
	case JOB_BINDING_SAVE: {
		const struct store_binding *b = &j->u.binding;
		bind_text(st, 1, b->aor);
		bind_text(st, 2, b->contact);
		bind_text(st, 3, b->transport);
		bind_text(st, 4, b->source);
		bind_text(st, 5, b->call_id);
		sqlite3_bind_int64(st, 6, b->cseq);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)b->expires);
		break;
	}
	case JOB_BINDING_DEL:
		bind_text(st, 1, j->u.binding.aor);
		bind_text(st, 2, j->u.binding.contact);
		break;
	case JOB_WEBHOOK_SAVE:
		bind_text(st, 1, j->u.webhook.id);
		bind_text(st, 2, j->u.webhook.url);
		bind_text(st, 3, j->u.webhook.types);
		bind_text(st, 4, j->u.webhook.secret);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)j->u.webhook.created);
		break;
	case JOB_WEBHOOK_DEL:
		bind_text(st, 1, j->u.webhook.id);
		break;
	case JOB_TICKET: {
		const struct store_ticket *t = j->u.ticket;
		const char *text[] = {t->id,	   t->subject,	t->description,
				      t->category, t->priority, t->status,
				      t->assignee, t->group,	t->customer,
				      t->calls,	   t->tags,	t->creator};
		const uint64_t num[] = {
		    t->created,	    t->updated,	  t->fr_due,	t->res_due,	t->fr_at,
		    t->resolved_at, t->paused_at, t->sla_flags, t->escalations, t->csat};
		for (int i = 0; i < 12; i++)
			bind_text(st, i + 1, text[i]);
		for (int i = 0; i < 10; i++)
			sqlite3_bind_int64(st, 13 + i, (sqlite3_int64)num[i]);
		bind_text(st, 23, t->fields[0] ? t->fields : "{}");
		break;
	}
	case JOB_ROW:
		for (size_t i = 0; i < j->u.row.n; i++) {
			const struct row_param *p = &j->u.row.p[i];
			if (p->is_num)
				sqlite3_bind_int64(st, (int)i + 1, p->num);
			else
				bind_text(st, (int)i + 1, p->text);
		}
		break;
	case JOB_NOTIFY:
		break;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		log_error("store: write failed: %s", sqlite3_errmsg(db));
	/* ready for the next job of its kind; no text of this one kept */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : EIO;
}

/* Appends the chain first..last to a list. */
static void jobs_append(struct job **head, struct job **tail, struct job *first,
			struct job *last)
{
	if (*tail)
		(*tail)->next = first;
	else
		*head = first;
	*tail = last;
}

static void *writer_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct job *batch, *j;
		size_t n = 0;

		while (!s->head && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (!s->head && s->stop)
			break;
		/* take up to BATCH_MAX jobs, and a group whole */
		batch = s->head;
		j = batch;
		for (n = 1; j->next && (n < BATCH_MAX || j->joined); n++)
			j = j->next;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		j->next = NULL;
		s->queued -= n;
		s->inflight = batch;
		pthread_mutex_unlock(&s->lock);

		int err = exec(s->wdb, "BEGIN", "batch begin");
		for (j = batch; j; j = j->next)
			err |= job_run(s, j);
		if (exec(s->wdb, "COMMIT", "batch commit")) {
			exec(s->wdb, "ROLLBACK", "batch rollback");
			err = EIO;
		}
		bool noted = false;
		/* readers find the batch in the database from now on */
		pthread_mutex_lock(&s->lock);
		s->inflight = NULL;
		while (batch) {
			j = batch->next;
			if (batch->type == JOB_NOTIFY) {
				/* the main loop calls it (and frees it) */
				batch->u.notify.err = err ? EIO : 0;
				batch->next = NULL;
				jobs_append(&s->done, &s->done_tail, batch, batch);
				noted = true;
			} else
				job_free(batch);
			batch = j;
		}
		s->committed += n;
		pthread_cond_broadcast(&s->idle);
		/* one message on a pipe: the main loop takes the list */
		if (noted && mqueue_push(s->mq, 0, NULL))
			log_error("store: commit notices not signalled");
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int enqueue(struct store *s, struct job *j)
{
	pthread_mutex_lock(&s->lock);
	if (s->queued >= s->queue_max || s->stop) {
		/* Overload: one line when it starts, one when it ends. */
		bool first = s->refused++ == 0;
		pthread_mutex_unlock(&s->lock);
		if (first)
			log_error("store: write queue full (%zu jobs), refusing "
				  "writes",
				  s->queue_max);
		job_free(j);
		return ENOSPC;
	}
	if (s->refused) {
		log_warn("store: accepting writes again after refusing %llu",
			 (unsigned long long)s->refused);
		s->refused = 0;
	}
	s->queued++;
	if (s->group_depth) {
		/* held back until the group is whole */
		if (s->gtail)
			s->gtail->joined = true;
		jobs_append(&s->ghead, &s->gtail, j, j);
		s->gcount++;
	} else {
		jobs_append(&s->head, &s->tail, j, j);
		s->enqueued++;
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void store_group_begin(struct store *s)
{
	if (s)
		s->group_depth++;
}

void store_group_end(struct store *s)
{
	if (!s || !s->group_depth || --s->group_depth || !s->ghead)
		return;
	pthread_mutex_lock(&s->lock);
	jobs_append(&s->head, &s->tail, s->ghead, s->gtail);
	s->enqueued += s->gcount;
	s->ghead = s->gtail = NULL;
	s->gcount = 0;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int store_flush(struct store *s)
{
	uint64_t target;

	if (!s)
		return EINVAL;
	pthread_mutex_lock(&s->lock);
	target = s->enqueued;
	while (s->committed < target && s->running)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* On the main loop: calls the handlers of the notices committed so far. */
static void done_handler(int id, void *data, void *arg)
{
	struct store *s = arg;
	struct job *list, *j;

	(void)id;
	(void)data;
	pthread_mutex_lock(&s->lock);
	list = s->done;
	s->done = s->done_tail = NULL;
	pthread_mutex_unlock(&s->lock);
	while (list) {
		j = list;
		list = j->next;
		j->u.notify.h(j->u.notify.err, j->u.notify.arg);
		job_free(j);
	}
}

int store_commit_notify(struct store *s, store_commit_h *h, void *arg)
{
	struct job *j;
	int err;

	if (!s || !h)
		return EINVAL;
	if (!s->mq) {
		err = mqueue_alloc(&s->mq, done_handler, s);
		if (err)
			return err;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_NOTIFY;
	j->u.notify.h = h;
	j->u.notify.arg = mem_ref(arg);
	return enqueue(s, j);
}

void store_set_queue_max(struct store *s, size_t max)
{
	if (s)
		s->queue_max = max;
}

static void store_destructor(void *arg)
{
	struct store *s = arg;

	if (s->attached)
		event_unsubscribe(store_event_append_h, s);
	if (s->running) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	while (s->head) {
		struct job *j = s->head;
		s->head = j->next;
		job_free(j);
	}
	while (s->ghead) { /* a group never ended */
		struct job *j = s->ghead;
		s->ghead = j->next;
		job_free(j);
	}
	/* notices committed but not yet handed to the main loop: their
	 * handlers' objects may be gone; only the references are dropped */
	while (s->done) {
		struct job *j = s->done;
		s->done = j->next;
		job_free(j);
	}
	mem_deref(s->mq);
	for (size_t i = 0; i < WSTMT_N; i++)
		sqlite3_finalize(s->wst[i]);
	if (s->wdb)
		sqlite3_close(s->wdb);
	if (s->rdb)
		sqlite3_close(s->rdb);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->idle);
}

/* hl_cjk(text): the text with every CJK character a word of its own, for
 * the search indexes (util_cjk_spaced); NULL stays NULL. */
static void sql_cjk(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	size_t sz;
	char *out;

	(void)argc;
	if (!in) {
		sqlite3_result_null(ctx);
		return;
	}
	sz = 2 * strlen(in) + 2; /* at most a space before every character */
	out = sqlite3_malloc64(sz);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	util_cjk_spaced(out, sz, in);
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

/* hl_history_msg(kind, text): a history line written in English before
 * migration 14 as its message key and arguments (msg_parse), '' when no
 * known format reads it. */
static void sql_history_msg(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *m = msg_parse((const char *)sqlite3_value_text(argv[0]),
			    (const char *)sqlite3_value_text(argv[1]));

	(void)argc;
	sqlite3_result_text(ctx, m ? m : "", -1, SQLITE_TRANSIENT);
	free(m);
}

int store_sql_functions(sqlite3 *db)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	return sqlite3_create_function(db, "hl_cjk", 1, flags, NULL, sql_cjk, NULL,
				       NULL) == SQLITE_OK &&
		       sqlite3_create_function(db, "hl_history_msg", 2, flags, NULL,
					       sql_history_msg, NULL, NULL) == SQLITE_OK
		   ? 0
		   : ENOMEM;
}

static int db_open(sqlite3 **dbp, const char *path)
{
	if (sqlite3_open_v2(path, dbp,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_error("store: cannot open file=%s: %s", path,
			  *dbp ? sqlite3_errmsg(*dbp) : "out of memory");
		return EIO;
	}
	sqlite3_busy_timeout(*dbp, 5000);
	return store_sql_functions(*dbp);
}

int store_open(struct store **stp, const char *dir)
{
	struct store *s;
	char path[512];
	int err;

	if (!stp || !dir)
		return EINVAL;
	err = util_mkdir(dir);
	if (err) {
		log_error("store: cannot create dir=%s: %s", dir, strerror(err));
		return err;
	}
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	s = mem_zalloc(sizeof(*s), store_destructor);
	if (!s)
		return ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->queue_max = QUEUE_MAX_DEFAULT;

	err = db_open(&s->wdb, path);
	if (err)
		goto out;
	err = exec(s->wdb,
		   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		   "PRAGMA foreign_keys=ON",
		   "pragmas");
	if (err)
		goto out;
	err = migrate(s->wdb);
	if (err)
		goto out;
	err = db_open(&s->rdb, path);
	if (err)
		goto out;
	if (pthread_create(&s->thread, NULL, writer_main, s)) {
		err = EAGAIN;
		goto out;
	}
	s->running = true;
	log_info("store: open file=%s schema=%d", path, version_get(s->rdb));
out:
	if (err)
		mem_deref(s);
	else
		*stp = s;
	return err;
}

int store_schema_version(struct store *s)
{
	return s ? version_get(s->rdb) : 0;
}

/* --- writes ------------------------------------------------------------ */

int store_call_save(struct store *s, const struct store_call *c)
{
	struct job *j;

	if (!s || !c)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_CALL;
	j->u.call = *c;
	return enqueue(s, j);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

int store_event_append(struct store *s, const struct hl_event *ev)
{
	struct job *j;
	bool oom = false;

	const char *name = ev && ev->name ? ev->name : ev ? event_name(ev->type) : NULL;

	if (!s || !name || !*name)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_EVENT;
	j->u.ev.ts = ev->ts ? ev->ts : clock_now_ms();
	j->u.ev.type = dup_or_null(name, &oom);
	j->u.ev.call = dup_or_null(ev->call, &oom);
	j->u.ev.agent = dup_or_null(ev->agent, &oom);
	j->u.ev.queue = dup_or_null(ev->queue, &oom);
	/* the one text of the data, made here and owned by the job */
	j->u.ev.data = event_data_text(ev);
	if (ev->data && !j->u.ev.data)
		oom = true;
	if (oom) {
		job_free(j);
		return ENOMEM;
	}
	return enqueue(s, j);
}

void store_event_append_h(const struct hl_event *ev, void *arg)
{
	(void)store_event_append(arg, ev);
}

int store_events_attach(struct store *s)
{
	int err;

	if (!s)
		return EINVAL;
	err = event_subscribe(store_event_append_h, s);
	if (!err)
		s->attached = true;
	return err;
}

int store_binding_save(struct store *s, const struct store_binding *b)
{
	struct job *j;

	if (!s || !b)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_BINDING_SAVE;
	j->u.binding = *b;
	return enqueue(s, j);
}

int store_binding_delete(struct store *s, const char *aor, const char *contact)
{
	struct job *j;

	if (!s || !aor || !contact)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_BINDING_DEL;
	util_copy(j->u.binding.aor, sizeof(j->u.binding.aor), aor);
	util_copy(j->u.binding.contact, sizeof(j->u.binding.contact), contact);
	return enqueue(s, j);
}

/* --- reads -------------------------------------------------------------- */

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t sz)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	util_copy(dst, sz, t ? (const char *)t : "");
}

static void row_call(sqlite3_stmt *st, struct store_call *c)
{
	memset(c, 0, sizeof(*c));
	col_text(st, 0, c->id, sizeof(c->id));
	col_text(st, 1, c->caller, sizeof(c->caller));
	col_text(st, 2, c->called, sizeof(c->called));
	col_text(st, 3, c->ivr_path, sizeof(c->ivr_path));
	col_text(st, 4, c->digits, sizeof(c->digits));
	col_text(st, 5, c->queue, sizeof(c->queue));
	col_text(st, 6, c->agent, sizeof(c->agent));
	c->created = (uint64_t)sqlite3_column_int64(st, 7);
	c->queued = (uint64_t)sqlite3_column_int64(st, 8);
	c->answered = (uint64_t)sqlite3_column_int64(st, 9);
	c->ended = (uint64_t)sqlite3_column_int64(st, 10);
	col_text(st, 11, c->outcome, sizeof(c->outcome));
	col_text(st, 12, c->hangup_side, sizeof(c->hangup_side));
	c->hangup_cause = sqlite3_column_int(st, 13);
	col_text(st, 14, c->hangup_reason, sizeof(c->hangup_reason));
	col_text(st, 15, c->recording, sizeof(c->recording));
	col_text(st, 16, c->customer, sizeof(c->customer));
	col_text(st, 17, c->channel, sizeof(c->channel));
	col_text(st, 18, c->direction, sizeof(c->direction));
	col_text(st, 19, c->caller_name, sizeof(c->caller_name));
	col_text(st, 20, c->signalling, sizeof(c->signalling));
	col_text(st, 21, c->media, sizeof(c->media));
	col_text(st, 22, c->agent_signalling, sizeof(c->agent_signalling));
	col_text(st, 23, c->agent_media, sizeof(c->agent_media));
}

int store_call_get(struct store *s, const char *id, struct store_call *c)
{
	sqlite3_stmt *st;
	int err = ENOENT;

	if (!s || !id || !c)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb, "SELECT * FROM calls WHERE id=?", -1, &st, NULL) !=
	    SQLITE_OK) {
		log_error("store: call query failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		row_call(st, c);
		err = 0;
	}
	sqlite3_finalize(st);
	return err;
}

int store_calls_recover(struct store *s, store_call_h *h, void *arg, size_t *np)
{
	static const char *sql =
	    "SELECT c.*, (SELECT MAX(ts) FROM events e WHERE e.call = c.id)"
	    " FROM calls c WHERE c.ended = 0 OR c.ended IS NULL";
	sqlite3_stmt *st;
	size_t n = 0;
	int rc, err = 0;

	if (!s)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: live calls query failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the column after c.*: counted, as calls gains columns */
		uint64_t last =
		    (uint64_t)sqlite3_column_int64(st, sqlite3_column_count(st) - 1);
		struct store_call c;

		row_call(st, &c);
		if (last < c.created)
			last = c.created;
		if (last < c.queued)
			last = c.queued;
		if (last < c.answered)
			last = c.answered;
		c.ended = last;
		util_copy(c.outcome, sizeof(c.outcome), "failed");
		util_copy(c.hangup_side, sizeof(c.hangup_side), "system");
		util_copy(c.hangup_reason, sizeof(c.hangup_reason), "interrupted");
		c.hangup_cause = 0;
		if (h)
			(void)h(&c, arg);
		struct hl_event ev = {c.ended,
				      EVENT_CALL_ENDED,
				      NULL,
				      c.id,
				      c.agent[0] ? c.agent : NULL,
				      c.queue[0] ? c.queue : NULL,
				      NULL,
				      NULL};
		ev.data =
		    event_data_pack("{s:s,s:s,s:i,s:s,s:s,s:s}", "outcome", "failed",
				    "side", "system", "cause", 0, "reason", "interrupted",
				    "customer", c.customer, "caller", c.caller);
		store_group_begin(s);
		err = store_call_save(s, &c);
		if (!err)
			err = store_event_append(s, &ev);
		store_group_end(s);
		event_data_deref(ev.data);
		if (!err) {
			n++;
			log_warn(
			    "store: call=%s was live at a crash; closed as interrupted "
			    "at %llu",
			    c.id, (unsigned long long)c.ended);
		}
	}
	sqlite3_finalize(st);
	if (!err)
		err = store_flush(s);
	if (np)
		*np = n;
	return err;
}

int store_call_list(struct store *s, const struct store_call_filter *f, store_call_h *h,
		    void *arg)
{
	/* Only the filters given are in the statement: "?x IS NULL OR"
	 * would keep SQLite off the indexes (a customer's or an agent's
	 * calls among millions). Numbered parameters stay the same. */
	char sql[768] = "SELECT * FROM calls WHERE created >= ?1 AND created < ?2";
	sqlite3_stmt *st;
	struct store_call c;
	int rc;

	if (!s || !f || !h)
		return EINVAL;
	if (f->queue)
		strcat(sql, " AND queue = ?3");
	if (f->agent)
		strcat(sql, " AND agent = ?4");
	if (f->outcome)
		strcat(sql, " AND outcome = ?5");
	if (f->queues)
		strcat(sql,
		       f->rooms
			   ? " AND (instr(',' || ?8 || ',', ',' || queue || ',') > 0"
			     " OR (queue = '' AND outcome = 'conference'))"
			   : " AND instr(',' || ?8 || ',', ',' || queue || ',') > 0");
	if (f->customer)
		strcat(sql, " AND customer = ?9");
	if (f->channel)
		strcat(sql, " AND channel = ?10");
	if (f->match)
		strcat(sql,
		       " AND id IN (SELECT m.interaction FROM messages m WHERE m.rowid IN"
		       " (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?11))");
	strcat(sql, " ORDER BY created DESC, id DESC LIMIT ?6 OFFSET ?7");
	if (sqlite3_prepare_v2(s->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: call list failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->from);
	sqlite3_bind_int64(st, 2, f->to ? (sqlite3_int64)f->to : INT64_MAX);
	if (f->queue)
		bind_text(st, 3, f->queue);
	if (f->agent)
		bind_text(st, 4, f->agent);
	if (f->outcome)
		bind_text(st, 5, f->outcome);
	sqlite3_bind_int(st, 6, f->limit ? (int)f->limit : 100);
	sqlite3_bind_int(st, 7, (int)f->offset);
	if (f->queues)
		bind_text(st, 8, f->queues);
	if (f->customer)
		bind_text(st, 9, f->customer);
	if (f->channel)
		bind_text(st, 10, f->channel);
	if (f->match)
		bind_text(st, 11, f->match);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_call(st, &c);
		if (h(&c, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : EIO;
}

int store_event_list(struct store *s, uint64_t from, uint64_t to, const char *call,
		     store_event_h *h, void *arg)
{
	static const char *sql =
	    "SELECT ts, type, call, agent, queue, data FROM events"
	    " WHERE ts >= ?1 AND ts < ?2 AND (?3 IS NULL OR call = ?3)"
	    " ORDER BY id";
	sqlite3_stmt *st;
	int rc;

	if (!s || !h)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: event list failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, to ? (sqlite3_int64)to : INT64_MAX);
	bind_text(st, 3, call);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *data = (const char *)sqlite3_column_text(st, 5);
		struct hl_event ev = {
		    .ts = (uint64_t)sqlite3_column_int64(st, 0),
		    .name = (const char *)sqlite3_column_text(st, 1),
		    .call = (const char *)sqlite3_column_text(st, 2),
		    .agent = (const char *)sqlite3_column_text(st, 3),
		    .queue = (const char *)sqlite3_column_text(st, 4),
		};
		bool stop;

		/* a type this version has no name for is kept by its name */
		(void)event_type_parse(&ev.type, ev.name);
		ev.data = data ? event_data_parse(data) : NULL;
		stop = h(&ev, arg);
		event_data_deref(ev.data);
		if (stop)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : EIO;
}

int store_binding_list(struct store *s, uint64_t now, store_binding_h *h, void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if (!s || !h)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb,
			       "SELECT * FROM bindings WHERE expires > ?"
			       " ORDER BY aor, expires",
			       -1, &st, NULL) != SQLITE_OK) {
		log_error("store: binding list failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_binding b;
		memset(&b, 0, sizeof(b));
		col_text(st, 0, b.aor, sizeof(b.aor));
		col_text(st, 1, b.contact, sizeof(b.contact));
		col_text(st, 2, b.transport, sizeof(b.transport));
		col_text(st, 3, b.source, sizeof(b.source));
		col_text(st, 4, b.call_id, sizeof(b.call_id));
		b.cseq = (uint32_t)sqlite3_column_int64(st, 5);
		b.expires = (uint64_t)sqlite3_column_int64(st, 6);
		if (h(&b, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : EIO;
}

/* --- webhooks ---------------------------------------------------------- */

static int webhook_job(struct store *s, enum job_type type, const struct store_webhook *w)
{
	struct job *j;

	if (!s || !w)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = type;
	j->u.webhook = *w;
	return enqueue(s, j);
}

int store_webhook_save(struct store *s, const struct store_webhook *w)
{
	return webhook_job(s, JOB_WEBHOOK_SAVE, w);
}

int store_webhook_delete(struct store *s, const char *id)
{
	struct store_webhook w;

	memset(&w, 0, sizeof(w));
	util_copy(w.id, sizeof(w.id), id ? id : "");
	return webhook_job(s, JOB_WEBHOOK_DEL, &w);
}

int store_webhook_list(struct store *s, store_webhook_h *h, void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if (!s || !h)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb,
			       "SELECT id, url, types, secret, created FROM webhooks"
			       " ORDER BY created",
			       -1, &st, NULL) != SQLITE_OK) {
		log_error("store: webhook list failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_webhook w;

		memset(&w, 0, sizeof(w));
		util_copy(w.id, sizeof(w.id), (const char *)sqlite3_column_text(st, 0));
		util_copy(w.url, sizeof(w.url), (const char *)sqlite3_column_text(st, 1));
		util_copy(w.types, sizeof(w.types),
			  (const char *)sqlite3_column_text(st, 2));
		util_copy(w.secret, sizeof(w.secret),
			  (const char *)sqlite3_column_text(st, 3));
		w.created = (uint64_t)sqlite3_column_int64(st, 4);
		if (h(&w, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : EIO;
}

/* --- users, tokens, sessions, audit ------------------------------------ */

/*
 * The newest write not yet readable on the reader's connection (queued, or
 * in the batch being committed) that match accepts; the caller holds the
 * lock while it copies it out. What a route queued counts at once: a read
 * right after (is this identity someone's? was this survey answered?
 * what is the ticket now?) needs no store_flush.
 */
typedef bool(job_match_h)(const struct job *j, const void *key);
static const struct job *pending_find(struct store *s, job_match_h *match,
				      const void *key)
{
	const struct job *found = NULL;

	const struct job *lists[] = {s->inflight, s->head, s->ghead};

	for (size_t l = 0; l < 3; l++) {
		for (const struct job *j = lists[l]; j; j = j->next) {
			if (match(j, key))
				found = j;
		}
	}
	return found;
}

/* A row write of a statement whose first parameters are given. */
struct row_key {
	enum row_sql sql;
	const char *const *v;
	size_t n;
};

static bool row_match(const struct job *j, const void *arg)
{
	const struct row_key *k = arg;

	if (j->type != JOB_ROW || j->u.row.sql != k->sql || j->u.row.n < k->n)
		return false;
	for (size_t i = 0; i < k->n; i++) {
		if (!j->u.row.p[i].text || strcmp(j->u.row.p[i].text, k->v[i]))
			return false;
	}
	return true;
}

typedef void(pending_h)(const struct row_param *p, size_t n, void *arg);
static bool pending_row(struct store *s, enum row_sql sql, const char *const key[],
			size_t nkey, pending_h *h, void *arg)
{
	const struct row_key k = {sql, key, nkey};
	const struct job *j;

	pthread_mutex_lock(&s->lock);
	j = pending_find(s, row_match, &k);
	if (j)
		h(j->u.row.p, j->u.row.n, arg);
	pthread_mutex_unlock(&s->lock);
	return j != NULL;
}

/*
 * Queues one row statement. fmt has one letter per parameter: 's' a
 * string (const char *, NULL for SQL NULL), 'i' a number (uint64_t).
 */
static int row_job(struct store *s, enum row_sql sql, const char *fmt, ...)
{
	struct job *j;
	va_list ap;
	int err = 0;

	if (!s || strlen(fmt) > ROW_PARAMS)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_ROW;
	j->u.row.sql = sql;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		struct row_param *p = &j->u.row.p[j->u.row.n++];
		if (*fmt == 'i') {
			p->is_num = true;
			p->num = (int64_t)va_arg(ap, uint64_t);
			continue;
		}
		const char *v = va_arg(ap, const char *);
		if (v && !(p->text = strdup(v)))
			err = ENOMEM;
	}
	va_end(ap);
	if (err) {
		job_free(j);
		return err;
	}
	return enqueue(s, j);
}

int store_user_save(struct store *s, const struct store_user *u)
{
	if (!u)
		return EINVAL;
	return row_job(s, ROW_USER_SAVE, "ssssssiis", u->name, u->role, u->extension,
		       u->queues, u->display, u->pw_hash, (uint64_t)u->disabled,
		       u->created, u->locale);
}

int store_user_delete(struct store *s, const char *name)
{
	int err;

	if (!name)
		return EINVAL;
	store_group_begin(s);
	err = row_job(s, ROW_TOKENS_DEL_USER, "s", name);
	if (!err)
		err = row_job(s, ROW_SESSIONS_DEL_USER, "si", name, (uint64_t)0);
	if (!err)
		err = row_job(s, ROW_USER_DEL, "s", name);
	store_group_end(s);
	return err;
}

int store_token_save(struct store *s, const struct store_token *t)
{
	if (!t)
		return EINVAL;
	return row_job(s, ROW_TOKEN_SAVE, "ssssii", t->id, t->user, t->name, t->hash,
		       t->created, t->revoked);
}

int store_session_save(struct store *s, const struct store_session *se)
{
	if (!se)
		return EINVAL;
	return row_job(s, ROW_SESSION_SAVE, "ssii", se->hash, se->user, se->created,
		       se->expires);
}

int store_session_delete(struct store *s, const char *hash)
{
	return hash ? row_job(s, ROW_SESSION_DEL, "s", hash) : EINVAL;
}

int store_sessions_expire(struct store *s, const char *user, uint64_t now)
{
	return row_job(s, ROW_SESSIONS_DEL_USER, "si", user, now);
}

int store_audit_append(struct store *s, const struct store_audit *a)
{
	if (!a)
		return EINVAL;
	return row_job(s, ROW_AUDIT, "isssss", a->ts, a->user, a->action, a->target,
		       a->detail, a->addr);
}

/* Runs a read on the reader connection: binds (fmt as row_job) and
 * calls row for every result row until it returns non-zero. */
typedef int(read_row_h)(sqlite3_stmt *st, void *h, void *arg);

static int read_rows(struct store *s, const char *sql, read_row_h *row, void *h,
		     void *arg, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc, i = 1;

	if (!s || !h)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: read failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	va_start(ap, fmt);
	for (; *fmt; fmt++, i++) {
		if (*fmt == 'i')
			sqlite3_bind_int64(st, i, (sqlite3_int64)va_arg(ap, uint64_t));
		else
			bind_text(st, i, va_arg(ap, const char *));
	}
	va_end(ap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row(st, h, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : EIO;
}

static int user_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_user u;

	memset(&u, 0, sizeof(u));
	col_text(st, 0, u.name, sizeof(u.name));
	col_text(st, 1, u.role, sizeof(u.role));
	col_text(st, 2, u.extension, sizeof(u.extension));
	col_text(st, 3, u.queues, sizeof(u.queues));
	col_text(st, 4, u.display, sizeof(u.display));
	col_text(st, 5, u.pw_hash, sizeof(u.pw_hash));
	u.disabled = sqlite3_column_int(st, 6) != 0;
	u.created = (uint64_t)sqlite3_column_int64(st, 7);
	col_text(st, 8, u.locale, sizeof(u.locale));
	return ((store_user_h *)h)(&u, arg);
}

int store_user_list(struct store *s, store_user_h *h, void *arg)
{
	return read_rows(s, "SELECT * FROM users ORDER BY name", user_row, (void *)h, arg,
			 "");
}

static int token_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_token t;

	memset(&t, 0, sizeof(t));
	col_text(st, 0, t.id, sizeof(t.id));
	col_text(st, 1, t.user, sizeof(t.user));
	col_text(st, 2, t.name, sizeof(t.name));
	col_text(st, 3, t.hash, sizeof(t.hash));
	t.created = (uint64_t)sqlite3_column_int64(st, 4);
	t.revoked = (uint64_t)sqlite3_column_int64(st, 5);
	return ((store_token_h *)h)(&t, arg);
}

int store_token_list(struct store *s, store_token_h *h, void *arg)
{
	return read_rows(s, "SELECT * FROM tokens ORDER BY created", token_row, (void *)h,
			 arg, "");
}

static int session_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_session se;

	memset(&se, 0, sizeof(se));
	col_text(st, 0, se.hash, sizeof(se.hash));
	col_text(st, 1, se.user, sizeof(se.user));
	se.created = (uint64_t)sqlite3_column_int64(st, 2);
	se.expires = (uint64_t)sqlite3_column_int64(st, 3);
	return ((store_session_h *)h)(&se, arg);
}

int store_session_list(struct store *s, uint64_t now, store_session_h *h, void *arg)
{
	return read_rows(s, "SELECT * FROM sessions WHERE expires > ?", session_row,
			 (void *)h, arg, "i", now);
}

static int audit_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_audit a;

	memset(&a, 0, sizeof(a));
	a.ts = (uint64_t)sqlite3_column_int64(st, 0);
	col_text(st, 1, a.user, sizeof(a.user));
	col_text(st, 2, a.action, sizeof(a.action));
	col_text(st, 3, a.target, sizeof(a.target));
	col_text(st, 4, a.detail, sizeof(a.detail));
	col_text(st, 5, a.addr, sizeof(a.addr));
	return ((store_audit_h *)h)(&a, arg);
}

int store_audit_list(struct store *s, const struct store_audit_filter *f,
		     store_audit_h *h, void *arg)
{
	if (!f)
		return EINVAL;
	return read_rows(s,
			 "SELECT ts, user, action, target, detail, addr FROM audit"
			 " WHERE ts >= ?1 AND ts < ?2 AND (?3 IS NULL OR user = ?3)"
			 " AND (?4 IS NULL OR action = ?4)"
			 " ORDER BY id DESC LIMIT ?5 OFFSET ?6",
			 audit_row, (void *)h, arg, "iissii", f->from,
			 f->to ? f->to : (uint64_t)INT64_MAX, f->user, f->action,
			 (uint64_t)(f->limit ? f->limit : 100), (uint64_t)f->offset);
}

int store_wrapup_save(struct store *s, const struct store_wrapup *w)
{
	if (!w)
		return EINVAL;
	return row_job(s, ROW_WRAPUP_SAVE, "ssssi", w->call, w->agent, w->disposition,
		       w->notes, w->ts);
}

static int wrapup_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_wrapup *w = arg;

	(void)h;
	col_text(st, 0, w->call, sizeof(w->call));
	col_text(st, 1, w->agent, sizeof(w->agent));
	col_text(st, 2, w->disposition, sizeof(w->disposition));
	col_text(st, 3, w->notes, sizeof(w->notes));
	w->ts = (uint64_t)sqlite3_column_int64(st, 4);
	return 1;
}

int store_wrapup_get(struct store *s, const char *call, struct store_wrapup *w)
{
	int err;

	if (!call || !w)
		return EINVAL;
	memset(w, 0, sizeof(*w));
	err = read_rows(s, "SELECT * FROM wrapups WHERE call=?", wrapup_row, w, w, "s",
			call);
	return err ? err : (w->call[0] ? 0 : ENOENT);
}

/* --- chat messages and attachments ------------------------------------------- */

int store_message_add(struct store *s, const struct store_message *m)
{
	if (!m || !m->text)
		return EINVAL;
	return row_job(s, ROW_MESSAGE_ADD, "sisssissi", m->interaction, (uint64_t)m->seq,
		       m->sender, m->name, m->text, (uint64_t)m->internal, m->cid,
		       m->attachment, m->created);
}

static int message_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_message m;

	memset(&m, 0, sizeof(m));
	col_text(st, 0, m.interaction, sizeof(m.interaction));
	m.seq = (uint32_t)sqlite3_column_int64(st, 1);
	col_text(st, 2, m.sender, sizeof(m.sender));
	col_text(st, 3, m.name, sizeof(m.name));
	m.text = (const char *)sqlite3_column_text(st, 4);
	m.text = m.text ? m.text : "";
	m.internal = sqlite3_column_int(st, 5) != 0;
	col_text(st, 6, m.cid, sizeof(m.cid));
	col_text(st, 7, m.attachment, sizeof(m.attachment));
	m.created = (uint64_t)sqlite3_column_int64(st, 8);
	return ((store_message_h *)h)(&m, arg);
}

int store_message_list(struct store *s, const char *interaction, store_message_h *h,
		       void *arg)
{
	return read_rows(s, "SELECT * FROM messages WHERE interaction=? ORDER BY seq",
			 message_row, (void *)h, arg, "s", interaction);
}

int store_message_search(struct store *s, const char *match, uint32_t limit,
			 store_message_h *h, void *arg)
{
	if (!match || !*match)
		return EINVAL;
	return read_rows(
	    s,
	    "SELECT m.* FROM messages_fts f JOIN messages m ON m.rowid = f.rowid"
	    " WHERE messages_fts MATCH ? ORDER BY m.created DESC, m.seq DESC"
	    " LIMIT ?",
	    message_row, (void *)h, arg, "si", match, (uint64_t)(limit ? limit : 100));
}

int store_attachment_add(struct store *s, const struct store_attachment *a)
{
	if (!a)
		return EINVAL;
	return row_job(s, ROW_ATTACHMENT_ADD, "ssssissi", a->id, a->interaction, a->name,
		       a->type, a->size, a->sha256, a->path, a->created);
}

static int attachment_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_attachment *a = arg;

	(void)h;
	col_text(st, 0, a->id, sizeof(a->id));
	col_text(st, 1, a->interaction, sizeof(a->interaction));
	col_text(st, 2, a->name, sizeof(a->name));
	col_text(st, 3, a->type, sizeof(a->type));
	a->size = (uint64_t)sqlite3_column_int64(st, 4);
	col_text(st, 5, a->sha256, sizeof(a->sha256));
	col_text(st, 6, a->path, sizeof(a->path));
	a->created = (uint64_t)sqlite3_column_int64(st, 7);
	return 1;
}

int store_attachment_get(struct store *s, const char *id, struct store_attachment *a)
{
	int err;

	if (!id || !a)
		return EINVAL;
	memset(a, 0, sizeof(*a));
	err = read_rows(s, "SELECT * FROM attachments WHERE id=?", attachment_row, a, a,
			"s", id);
	return err ? err : (a->id[0] ? 0 : ENOENT);
}

/* --- customers ----------------------------------------------------------- */

/* The search row of a customer follows its record and identities. */
static int fts_refresh(struct store *s, const char *id)
{
	int err = row_job(s, ROW_FTS_DEL, "s", id);
	return err ? err : row_job(s, ROW_FTS_ADD, "s", id);
}

int store_customer_save(struct store *s, const struct store_customer *c)
{
	int err;

	if (!c)
		return EINVAL;
	store_group_begin(s);
	err = row_job(s, ROW_CUSTOMER_SAVE, "sssssssii", c->id, c->name, c->company,
		      c->tier, c->tags, c->notes, c->fields, c->created, c->updated);
	if (!err)
		err = fts_refresh(s, c->id);
	store_group_end(s);
	return err;
}

int store_identities_set(struct store *s, const char *customer,
			 const struct store_identity *v, size_t n)
{
	int err;

	if (!customer || (n && !v))
		return EINVAL;
	store_group_begin(s);
	err = row_job(s, ROW_IDENT_DEL_CUSTOMER, "s", customer);
	for (size_t i = 0; !err && i < n; i++)
		err = row_job(s, ROW_IDENT_ADD, "sss", v[i].kind, v[i].value, customer);
	if (!err)
		err = fts_refresh(s, customer);
	store_group_end(s);
	return err;
}

int store_customer_merge(struct store *s, const char *from, const char *into)
{
	int err;

	if (!from || !into)
		return EINVAL;
	store_group_begin(s);
	err = row_job(s, ROW_IDENT_MOVE, "ss", from, into);
	if (!err)
		err = row_job(s, ROW_CALLS_MOVE, "ss", from, into);
	if (!err)
		err = row_job(s, ROW_CUSTOMER_DEL, "s", from);
	if (!err)
		err = row_job(s, ROW_FTS_DEL, "s", from);
	if (!err)
		err = fts_refresh(s, into);
	store_group_end(s);
	return err;
}

int store_customer_forget(struct store *s, const char *id, const char *const *numbers,
			  size_t n)
{
	int err = 0;

	if (!id)
		return EINVAL;
	store_group_begin(s);
	for (size_t i = 0; !err && i < n; i++)
		err = row_job(s, ROW_EVENTS_SCRUB, "ss", id, numbers[i]);
	if (!err)
		err = row_job(s, ROW_CALLS_FORGET, "s", id);
	if (!err)
		err = row_job(s, ROW_IDENT_DEL_CUSTOMER, "s", id);
	if (!err)
		err = row_job(s, ROW_FTS_DEL, "s", id);
	if (!err)
		err = row_job(s, ROW_CUSTOMER_DEL, "s", id);
	store_group_end(s);
	return err;
}

static int customer_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_customer c;

	memset(&c, 0, sizeof(c));
	col_text(st, 0, c.id, sizeof(c.id));
	col_text(st, 1, c.name, sizeof(c.name));
	col_text(st, 2, c.company, sizeof(c.company));
	col_text(st, 3, c.tier, sizeof(c.tier));
	col_text(st, 4, c.tags, sizeof(c.tags));
	col_text(st, 5, c.notes, sizeof(c.notes));
	col_text(st, 6, c.fields, sizeof(c.fields));
	c.created = (uint64_t)sqlite3_column_int64(st, 7);
	c.updated = (uint64_t)sqlite3_column_int64(st, 8);
	return ((store_customer_h *)h)(&c, arg);
}

static int customer_copy(const struct store_customer *c, void *arg)
{
	*(struct store_customer *)arg = *c;
	return 1;
}

int store_customer_get(struct store *s, const char *id, struct store_customer *c)
{
	int err;

	if (!id || !c)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	err = read_rows(s, "SELECT * FROM customers WHERE id=?", customer_row,
			(void *)customer_copy, c, "s", id);
	return err ? err : (c->id[0] ? 0 : ENOENT);
}

int store_customer_list(struct store *s, const char *match, uint32_t limit,
			uint32_t offset, store_customer_h *h, void *arg)
{
	if (match)
		return read_rows(s,
				 "SELECT c.* FROM customers_fts f JOIN customers c"
				 " ON c.id = f.id WHERE customers_fts MATCH ?"
				 " LIMIT ? OFFSET ?",
				 customer_row, (void *)h, arg, "sii", match,
				 (uint64_t)(limit ? limit : 50), (uint64_t)offset);
	return read_rows(
	    s, "SELECT * FROM customers ORDER BY created DESC, id LIMIT ? OFFSET ?",
	    customer_row, (void *)h, arg, "ii", (uint64_t)(limit ? limit : 50),
	    (uint64_t)offset);
}

static int identity_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_identity i;

	memset(&i, 0, sizeof(i));
	col_text(st, 0, i.kind, sizeof(i.kind));
	col_text(st, 1, i.value, sizeof(i.value));
	col_text(st, 2, i.customer, sizeof(i.customer));
	return ((store_identity_h *)h)(&i, arg);
}

static int identity_copy(const struct store_identity *i, void *arg)
{
	*(struct store_identity *)arg = *i;
	return 1;
}

static void identity_pending(const struct row_param *p, size_t n, void *arg)
{
	struct store_identity *i = arg;

	if (n >= 3)
		util_copy(i->customer, sizeof(i->customer), p[2].text);
}

int store_identity_find(struct store *s, const char *kind, const char *value,
			char *customer, size_t sz)
{
	struct store_identity i;
	int err;

	if (!s || !kind || !value || !customer)
		return EINVAL;
	memset(&i, 0, sizeof(i));
	/* queued and not yet committed: the newest owner counts (a pending
	 * removal is not looked for: the answer errs on "taken") */
	if (pending_row(s, ROW_IDENT_ADD, (const char *const[]){kind, value}, 2,
			identity_pending, &i)) {
		util_copy(customer, sz, i.customer);
		return 0;
	}
	err = read_rows(s, "SELECT * FROM identities WHERE kind=? AND value=?",
			identity_row, (void *)identity_copy, &i, "ss", kind, value);
	if (err)
		return err;
	if (!i.customer[0])
		return ENOENT;
	util_copy(customer, sz, i.customer);
	return 0;
}

int store_identity_list(struct store *s, const char *customer, store_identity_h *h,
			void *arg)
{
	return read_rows(s,
			 "SELECT * FROM identities WHERE customer=? ORDER BY kind, value",
			 identity_row, (void *)h, arg, "s", customer);
}

/* --- tickets ------------------------------------------------------------------ */

int store_ticket_save(struct store *s, const struct store_ticket *t)
{
	struct job *j;

	if (!s || !t)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_TICKET;
	j->u.ticket = malloc(sizeof(*t));
	if (!j->u.ticket) {
		free(j);
		return ENOMEM;
	}
	*j->u.ticket = *t;
	return enqueue(s, j);
}

int store_ticket_history_add(struct store *s, const struct store_ticket_entry *e)
{
	if (!e)
		return EINVAL;
	return row_job(s, ROW_TICKET_HISTORY, "sisssis", e->ticket, e->ts, e->user,
		       e->kind, e->text, (uint64_t)e->public_, e->msg);
}

static int ticket_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_ticket *t = malloc(sizeof(*t));
	char *text[] = {
	    t ? t->id : NULL,	    t ? t->subject : NULL,  t ? t->description : NULL,
	    t ? t->category : NULL, t ? t->priority : NULL, t ? t->status : NULL,
	    t ? t->assignee : NULL, t ? t->group : NULL,    t ? t->customer : NULL,
	    t ? t->calls : NULL,    t ? t->tags : NULL,	    t ? t->creator : NULL};
	size_t sizes[] = {
	    sizeof(t->id),	 sizeof(t->subject),  sizeof(t->description),
	    sizeof(t->category), sizeof(t->priority), sizeof(t->status),
	    sizeof(t->assignee), sizeof(t->group),    sizeof(t->customer),
	    sizeof(t->calls),	 sizeof(t->tags),     sizeof(t->creator)};
	uint64_t *num[10];
	int r;

	if (!t)
		return ENOMEM;
	memset(t, 0, sizeof(*t));
	num[0] = &t->created;
	num[1] = &t->updated;
	num[2] = &t->fr_due;
	num[3] = &t->res_due;
	num[4] = &t->fr_at;
	num[5] = &t->resolved_at;
	num[6] = &t->paused_at;
	num[7] = &t->sla_flags;
	num[8] = &t->escalations;
	num[9] = &t->csat;
	for (int i = 0; i < 12; i++)
		col_text(st, i, text[i], sizes[i]);
	for (int i = 0; i < 10; i++)
		*num[i] = (uint64_t)sqlite3_column_int64(st, 12 + i);
	col_text(st, 22, t->fields, sizeof(t->fields));
	r = ((store_ticket_h *)h)(t, arg);
	free(t);
	return r;
}

static int ticket_copy(const struct store_ticket *t, void *arg)
{
	*(struct store_ticket *)arg = *t;
	return 1;
}

static bool ticket_match(const struct job *j, const void *id)
{
	return j->type == JOB_TICKET && !strcmp(j->u.ticket->id, id);
}

int store_ticket_get(struct store *s, const char *id, struct store_ticket *t)
{
	const struct job *found;
	int err;

	if (!s || !id || !t)
		return EINVAL;
	memset(t, 0, sizeof(*t));
	/* the latest change counts, committed or not (a change reads the
	 * ticket, changes it and queues it again) */
	pthread_mutex_lock(&s->lock);
	found = pending_find(s, ticket_match, id);
	if (found)
		*t = *found->u.ticket;
	pthread_mutex_unlock(&s->lock);
	if (found)
		return 0;
	err =
	    read_rows(s,
		      "SELECT id, subject, description, category, priority, status,"
		      " assignee, grp, customer, calls, tags, creator, created, updated,"
		      " fr_due, res_due, fr_at, resolved_at, paused_at, sla_flags,"
		      " escalations, csat, fields FROM tickets WHERE id=?",
		      ticket_row, (void *)ticket_copy, t, "s", id);
	return err ? err : (t->id[0] ? 0 : ENOENT);
}

int store_ticket_list(struct store *s, const struct store_ticket_filter *f,
		      store_ticket_h *h, void *arg)
{
	if (!f)
		return EINVAL;
	return read_rows(
	    s,
	    "SELECT id, subject, description, category, priority, status,"
	    " assignee, grp, customer, calls, tags, creator, created, updated,"
	    " fr_due, res_due, fr_at, resolved_at, paused_at, sla_flags,"
	    " escalations, csat, fields FROM tickets WHERE (?1 IS NULL OR instr(',' || "
	    "?1 || ',',"
	    " ',' || status || ',') > 0) AND (?2 IS NULL OR assignee = ?2)"
	    " AND (?3 IS NULL OR instr(',' || ?3 || ',', ',' || grp || ',') > 0)"
	    " AND (?4 IS NULL OR customer = ?4)"
	    " AND (?7 IS NULL OR instr(',' || calls || ',', ',' || ?7 || ',') > 0)"
	    " AND (?8 IS NULL OR rowid IN"
	    " (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?8))"
	    " ORDER BY updated DESC, id LIMIT ?5 OFFSET ?6",
	    ticket_row, (void *)h, arg, "ssssiiss", f->statuses, f->assignee, f->groups,
	    f->customer, (uint64_t)(f->limit ? f->limit : 100), (uint64_t)f->offset,
	    f->call, f->match);
}

static int entry_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_ticket_entry e;

	memset(&e, 0, sizeof(e));
	col_text(st, 0, e.ticket, sizeof(e.ticket));
	e.ts = (uint64_t)sqlite3_column_int64(st, 1);
	col_text(st, 2, e.user, sizeof(e.user));
	col_text(st, 3, e.kind, sizeof(e.kind));
	col_text(st, 4, e.text, sizeof(e.text));
	e.public_ = sqlite3_column_int(st, 5) != 0;
	col_text(st, 6, e.msg, sizeof(e.msg));
	return ((store_ticket_entry_h *)h)(&e, arg);
}

int store_ticket_history(struct store *s, const char *ticket, store_ticket_entry_h *h,
			 void *arg)
{
	return read_rows(
	    s,
	    "SELECT ticket, ts, user, kind, text, public, msg FROM ticket_history"
	    " WHERE ticket=? ORDER BY id",
	    entry_row, (void *)h, arg, "s", ticket);
}

/* --- satisfaction surveys ------------------------------------------------- */

int store_survey_save(struct store *s, const struct store_survey *v)
{
	if (!v)
		return EINVAL;
	return row_job(s, ROW_SURVEY_SAVE, "ssssiiis", v->hash, v->ticket, v->call,
		       v->customer, v->created, v->answered, (uint64_t)v->score,
		       v->comment);
}

static int survey_row(sqlite3_stmt *st, void *h, void *arg)
{
	struct store_survey *v = arg;

	(void)h;
	col_text(st, 0, v->hash, sizeof(v->hash));
	col_text(st, 1, v->ticket, sizeof(v->ticket));
	col_text(st, 2, v->call, sizeof(v->call));
	col_text(st, 3, v->customer, sizeof(v->customer));
	v->created = (uint64_t)sqlite3_column_int64(st, 4);
	v->answered = (uint64_t)sqlite3_column_int64(st, 5);
	v->score = sqlite3_column_int(st, 6);
	col_text(st, 7, v->comment, sizeof(v->comment));
	return 1;
}

static void survey_pending(const struct row_param *p, size_t n, void *arg)
{
	struct store_survey *v = arg;

	if (n < 8)
		return;
	util_copy(v->hash, sizeof(v->hash), p[0].text);
	util_copy(v->ticket, sizeof(v->ticket), p[1].text);
	util_copy(v->call, sizeof(v->call), p[2].text);
	util_copy(v->customer, sizeof(v->customer), p[3].text);
	v->created = (uint64_t)p[4].num;
	v->answered = (uint64_t)p[5].num;
	v->score = (int)p[6].num;
	util_copy(v->comment, sizeof(v->comment), p[7].text);
}

int store_survey_get(struct store *s, const char *hash, struct store_survey *v)
{
	int err;

	if (!s || !hash || !v)
		return EINVAL;
	memset(v, 0, sizeof(*v));
	/* a survey answered a moment ago is answered, committed or not */
	if (pending_row(s, ROW_SURVEY_SAVE, (const char *const[]){hash}, 1,
			survey_pending, v))
		return 0;
	err = read_rows(s, "SELECT * FROM surveys WHERE hash=?", survey_row, v, v, "s",
			hash);
	return err ? err : (v->hash[0] ? 0 : ENOENT);
}
