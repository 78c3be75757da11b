/*
 * store.c — the SQLite backend of the storage interface.
 *
 * One database file, WAL mode. Two connections: the writer's, used only
 * by the writer thread, which takes queued jobs and commits them in
 * batches (one transaction per batch, synchronous=FULL: a committed job
 * is on disk); and the reader's, used by the main thread for queries.
 * The main loop never waits for the disk, except in store_flush.
 *
 * Jobs cross threads as plain malloc'd structs (no libre objects).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <re.h>
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
	JOB_WEBHOOK_DEL
};

struct job {
	struct job *next;
	enum job_type type;
	union {
		struct store_call call;
		struct store_binding binding;
		struct store_webhook webhook;
		struct {
			uint64_t ts;
			char *type, *call, *agent, *queue, *data;
		} ev;
	} u;
};

struct store {
	sqlite3 *wdb; /* writer thread only */
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
	uint64_t refused; /* writes refused in this overload episode */
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
	free(j);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int job_run(sqlite3 *db, const struct job *j)
{
	static const char *const sql[] = {
	    [JOB_CALL] = "INSERT OR REPLACE INTO calls VALUES"
			 " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    [JOB_EVENT] = "INSERT INTO events (ts,type,call,agent,queue,data)"
			  " VALUES (?,?,?,?,?,?)",
	    [JOB_BINDING_SAVE] = "INSERT OR REPLACE INTO bindings VALUES"
				 " (?,?,?,?,?,?,?)",
	    [JOB_BINDING_DEL] = "DELETE FROM bindings WHERE aor=? AND contact=?",
	    [JOB_WEBHOOK_SAVE] = "INSERT OR REPLACE INTO webhooks VALUES (?,?,?,?,?)",
	    [JOB_WEBHOOK_DEL] = "DELETE FROM webhooks WHERE id=?",
	};
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql[j->type], -1, &st, NULL) != SQLITE_OK) {
		log_error("store: prepare failed: %s", sqlite3_errmsg(db));
		return EIO;
	}
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
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		log_error("store: write failed: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : EIO;
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
		/* take up to BATCH_MAX jobs */
		batch = s->head;
		j = batch;
		for (n = 1; j->next && n < BATCH_MAX; n++)
			j = j->next;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		j->next = NULL;
		s->queued -= n;
		pthread_mutex_unlock(&s->lock);

		exec(s->wdb, "BEGIN", "batch begin");
		for (j = batch; j; j = j->next)
			job_run(s->wdb, j);
		if (exec(s->wdb, "COMMIT", "batch commit"))
			exec(s->wdb, "ROLLBACK", "batch rollback");
		while (batch) {
			j = batch->next;
			job_free(batch);
			batch = j;
		}

		pthread_mutex_lock(&s->lock);
		s->committed += n;
		pthread_cond_broadcast(&s->idle);
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
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->queued++;
	s->enqueued++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
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
	if (s->wdb)
		sqlite3_close(s->wdb);
	if (s->rdb)
		sqlite3_close(s->rdb);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	pthread_cond_destroy(&s->idle);
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
	return 0;
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

	if (!s || !ev || !ev->type)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->type = JOB_EVENT;
	j->u.ev.ts = ev->ts ? ev->ts : clock_now_ms();
	j->u.ev.type = dup_or_null(ev->type, &oom);
	j->u.ev.call = dup_or_null(ev->call, &oom);
	j->u.ev.agent = dup_or_null(ev->agent, &oom);
	j->u.ev.queue = dup_or_null(ev->queue, &oom);
	j->u.ev.data = dup_or_null(ev->data, &oom);
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

int store_call_list(struct store *s, const struct store_call_filter *f, store_call_h *h,
		    void *arg)
{
	static const char *sql =
	    "SELECT * FROM calls WHERE created >= ?1 AND created < ?2"
	    " AND (?3 IS NULL OR queue = ?3) AND (?4 IS NULL OR agent = ?4)"
	    " AND (?5 IS NULL OR outcome = ?5)"
	    " ORDER BY created DESC, id DESC LIMIT ?6 OFFSET ?7";
	sqlite3_stmt *st;
	struct store_call c;
	int rc;

	if (!s || !f || !h)
		return EINVAL;
	if (sqlite3_prepare_v2(s->rdb, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: call list failed: %s", sqlite3_errmsg(s->rdb));
		return EIO;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->from);
	sqlite3_bind_int64(st, 2, f->to ? (sqlite3_int64)f->to : INT64_MAX);
	bind_text(st, 3, f->queue);
	bind_text(st, 4, f->agent);
	bind_text(st, 5, f->outcome);
	sqlite3_bind_int(st, 6, f->limit ? (int)f->limit : 100);
	sqlite3_bind_int(st, 7, (int)f->offset);
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
		struct hl_event ev = {
		    .ts = (uint64_t)sqlite3_column_int64(st, 0),
		    .type = (const char *)sqlite3_column_text(st, 1),
		    .call = (const char *)sqlite3_column_text(st, 2),
		    .agent = (const char *)sqlite3_column_text(st, 3),
		    .queue = (const char *)sqlite3_column_text(st, 4),
		    .data = (const char *)sqlite3_column_text(st, 5),
		};
		if (h(&ev, arg))
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
