/*
 * test_store.c — the SQLite store: migrations applied once, calls saved
 * and read back with filters, events, bindings with expiry, a burst of
 * writes committed in batches, data kept across close and reopen, a
 * full write queue refused with ENOSPC rather than growing, tickets'
 * custom fields (migration 9), users' languages (migration 10), the
 * channel of every interaction (11), commit notices: a handler on the
 * main loop once the writes before it are on the disk, and groups of
 * writes committed whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include <sqlite3.h>
#include "core/core.h"
#include "store/store.h"
#include "test.h"

static char dir[64];

static void mkdir_tmp(void)
{
	strcpy(dir, "/tmp/hotline-store-XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int count_h(const struct store_call *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static int first_h(const struct store_call *c, void *arg)
{
	*(struct store_call *)arg = *c;
	return 1;
}

static int ev_h(const struct hl_event *ev, void *arg)
{
	(void)ev;
	(*(int *)arg)++;
	return 0;
}

static int bind_h(const struct store_binding *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static int webhook_h(const struct store_webhook *w, void *arg)
{
	int *n = arg;
	if (!strcmp(w->id, "w2") && !strcmp(w->url, "http://a/1"))
		++*n;
	return 0;
}

static int test_calls_events_bindings(void)
{
	struct store *st = NULL;
	struct store_call c, got;
	struct store_call_filter f = {0};
	struct store_binding b;
	struct hl_event ev = {1000, EVENT_CALL_CREATED, NULL, "c1", NULL, NULL, NULL,
			      NULL};
	int n = 0, r = 1;

	mkdir_tmp();
	TEST_ERR(store_open(&st, dir));
	TEST_CHECK(!(store_schema_version(st) != 16));
	for (int i = 0; i < 10; i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.id, sizeof(c.id), "c%d", i);
		strcpy(c.queue, i % 2 ? "sales" : "support");
		strcpy(c.outcome, "answered");
		c.created = 1000 + (uint64_t)i;
		store_call_save(st, &c);
	}
	strcpy(c.outcome, "abandoned_queue"); /* c9 again: replaced */
	store_call_save(st, &c);
	ev.data = event_data_pack("{s:i}", "x", 1);
	store_event_append(st, &ev);
	ev.call = "c2";
	store_event_append(st, &ev);
	event_data_deref(ev.data);
	memset(&b, 0, sizeof(b));
	strcpy(b.aor, "1001");
	strcpy(b.contact, "sip:1001@127.0.0.1:5062");
	b.expires = 5000;
	store_binding_save(st, &b);
	strcpy(b.contact, "sip:1001@127.0.0.1:5064");
	b.expires = 9000;
	store_binding_save(st, &b);
	store_flush(st);

	TEST_CHECK(
	    !(store_call_get(st, "c9", &got) || strcmp(got.outcome, "abandoned_queue")));
	TEST_CHECK(!(store_call_get(st, "nope", &got) != ENOENT));
	f.queue = "sales";
	store_call_list(st, &f, count_h, &n);
	TEST_CHECK(!(n != 5));
	memset(&f, 0, sizeof(f));
	store_call_list(st, &f, first_h, &got); /* newest first */
	TEST_CHECK(!(strcmp(got.id, "c9")));
	f.from = 1003;
	f.to = 1005;
	n = 0;
	store_call_list(st, &f, count_h, &n);
	TEST_CHECK(!(n != 2));
	n = 0;
	store_event_list(st, 0, 0, "c1", ev_h, &n);
	TEST_CHECK(!(n != 1));
	n = 0;
	store_binding_list(st, 6000, bind_h, &n); /* one has expired */
	TEST_CHECK(!(n != 1));
	store_binding_delete(st, "1001", "sip:1001@127.0.0.1:5064");
	store_flush(st);
	n = 0;
	store_binding_list(st, 6000, bind_h, &n);
	TEST_CHECK(!(n != 0));

	/* webhooks: two saved, one removed */
	{
		struct store_webhook w = {"w1", "http://a/1", "call.", "s1", 1};
		store_webhook_save(st, &w);
		strcpy(w.id, "w2");
		w.created = 2;
		store_webhook_save(st, &w);
		store_webhook_delete(st, "w1");
	}
	store_flush(st);

	/* close, reopen: everything is still there, nothing reapplied */
	st = mem_deref(st);
	TEST_ERR(store_open(&st, dir));
	TEST_CHECK(!(store_schema_version(st) != 16 || store_call_get(st, "c3", &got)));
	n = 0;
	store_webhook_list(st, webhook_h, &n);
	TEST_CHECK(!(n != 1));
	r = 0;
out:
	mem_deref(st);
	rm_tmp();
	return r;
}

static int test_burst_and_overload(void)
{
	struct store *st = NULL;
	struct hl_event ev = {0, EVENT_AGENT_STATE, NULL, NULL, "1001", NULL, NULL, NULL};
	uint64_t t0;
	int n = 0, refused = 0, r = 1;

	ev.data = event_data_pack("{}");
	mkdir_tmp();
	TEST_ERR(store_open(&st, dir));
	t0 = clock_mono_us();
	for (int i = 0; i < 50000; i++) {
		ev.ts = 1 + (uint64_t)i;
		store_event_append(st, &ev);
	}
	store_flush(st);
	fprintf(stderr, "50000 events committed in %llu ms\n",
		(unsigned long long)(clock_mono_us() - t0) / 1000);
	store_event_list(st, 0, 0, NULL, ev_h, &n);
	TEST_CHECK(!(n != 50000));

	/* a full queue refuses politely */
	store_set_queue_max(st, 10);
	for (int i = 0; i < 5000; i++)
		refused += store_event_append(st, &ev) == ENOSPC;
	store_flush(st);
	TEST_CHECK(!(!refused));
	r = 0;
out:
	mem_deref(st);
	event_data_deref(ev.data);
	rm_tmp();
	return r;
}

static int user_h(const struct store_user *u, void *arg)
{
	char *names = arg;

	strcat(names, u->name);
	strcat(names, u->disabled ? "-" : "+");
	if (u->locale[0]) {
		strcat(names, "@");
		strcat(names, u->locale);
	}
	return 0;
}

static int token_h(const struct store_token *t, void *arg)
{
	(void)t;
	++*(int *)arg;
	return 0;
}

static int session_h(const struct store_session *se, void *arg)
{
	char *users = arg;

	strcat(users, se->user);
	return 0;
}

static int audit_h(const struct store_audit *a, void *arg)
{
	char *acts = arg;

	strcat(acts, a->action);
	strcat(acts, ";");
	return 0;
}

/* Users, tokens, sessions and the audit log: saved, read back, a user's
 * deletion takes its tokens and sessions, expired sessions go, the audit
 * filter works; the queries refuse nothing else. */
static int test_users_tokens_sessions_audit(void)
{
	struct store *st = NULL;
	struct store_user u = {0};
	struct store_token t = {0};
	struct store_session se = {0};
	struct store_audit au = {0};
	struct store_audit_filter f = {0};
	char buf[256] = "";
	int n = 0, r = 1;

	mkdir_tmp();
	TEST_ERR(store_open(&st, dir));
	strcpy(u.name, "alice");
	strcpy(u.role, "agent");
	strcpy(u.extension, "1001");
	strcpy(u.pw_hash, "$argon2id$x");
	store_user_save(st, &u);
	strcpy(u.name, "bob");
	u.disabled = true;
	strcpy(u.locale, "zh-CN");
	store_user_save(st, &u);
	strcpy(t.id, "t1");
	strcpy(t.user, "alice");
	strcpy(t.hash, "aa");
	store_token_save(st, &t);
	strcpy(t.id, "t2");
	strcpy(t.user, "bob");
	strcpy(t.hash, "bb");
	store_token_save(st, &t);
	strcpy(se.hash, "s1");
	strcpy(se.user, "alice");
	se.expires = 5000;
	store_session_save(st, &se);
	strcpy(se.hash, "s2");
	strcpy(se.user, "bob");
	se.expires = 9000;
	store_session_save(st, &se);
	strcpy(se.hash, "s3");
	strcpy(se.user, "alice");
	se.expires = 1000;
	store_session_save(st, &se);
	for (int i = 0; i < 5; i++) {
		au.ts = 100 + (uint64_t)i;
		strcpy(au.user, i % 2 ? "alice" : "admin");
		strcpy(au.action, i % 2 ? "signin" : "user.create");
		store_audit_append(st, &au);
	}
	store_flush(st);

	TEST_CHECK(!store_user_list(st, user_h, buf) && !strcmp(buf, "alice+bob-@zh-CN"));
	TEST_CHECK(!store_token_list(st, token_h, &n) && n == 2);
	buf[0] = '\0';
	TEST_CHECK(!store_session_list(st, 2000, session_h, buf) &&
		   !strcmp(buf, "alicebob"));
	buf[0] = '\0';
	f.user = "alice";
	TEST_CHECK(!store_audit_list(st, &f, audit_h, buf) &&
		   !strcmp(buf, "signin;signin;"));
	buf[0] = '\0';
	f.user = NULL;
	f.from = 102;
	f.limit = 2;
	TEST_CHECK(!store_audit_list(st, &f, audit_h, buf) &&
		   !strcmp(buf, "user.create;signin;"));

	/* bob goes with his token and session; an expired session goes */
	store_user_delete(st, "bob");
	store_sessions_expire(st, NULL, 2000);
	store_flush(st);
	buf[0] = '\0';
	TEST_CHECK(!store_user_list(st, user_h, buf) && !strcmp(buf, "alice+"));
	n = 0;
	TEST_CHECK(!store_token_list(st, token_h, &n) && n == 1);
	buf[0] = '\0';
	TEST_CHECK(!store_session_list(st, 0, session_h, buf) && !strcmp(buf, "alice"));
	r = 0;
out:
	mem_deref(st);
	rm_tmp();
	return r;
}

static int ticket_fields_h(const struct store_ticket *t, void *arg)
{
	strcat(arg, t->id);
	strcat(arg, "=");
	strcat(arg, t->fields);
	strcat(arg, ";");
	return 0;
}

/* Tickets keep their custom fields (a JSON object, "{}" when none), by id
 * and in lists; a database of schema 8 is upgraded with "{}" on the
 * tickets it has and no language ("") on its users. */
static int test_ticket_fields(void)
{
	struct store *st = NULL;
	struct store_ticket *t = calloc(1, sizeof(*t));
	struct store_ticket_filter f = {0};
	char buf[256] = "", path[128];
	sqlite3 *db = NULL;
	int r = 1;

	mkdir_tmp();
	TEST_CHECK(t);
	TEST_CHECK(!store_open(&st, dir));
	strcpy(t->id, "tk1");
	strcpy(t->status, "new");
	strcpy(t->fields, "{\"order_no\":\"A-1\",\"refund\":true}");
	t->updated = 2;
	store_ticket_save(st, t);
	strcpy(t->id, "tk2");
	t->fields[0] = '\0'; /* none: stored as {} */
	t->updated = 1;
	store_ticket_save(st, t);
	store_flush(st);
	TEST_CHECK(!store_ticket_get(st, "tk1", t) &&
		   !strcmp(t->fields, "{\"order_no\":\"A-1\",\"refund\":true}"));
	TEST_CHECK(!store_ticket_list(st, &f, ticket_fields_h, buf) &&
		   !strcmp(buf, "tk1={\"order_no\":\"A-1\",\"refund\":true};tk2={};"));

	/* back to schema 8 with a ticket of its time, then reopened */
	st = mem_deref(st);
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	TEST_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	TEST_CHECK(
	    sqlite3_exec(
		db,
		"ALTER TABLE ticket_history DROP COLUMN msg;"
		"ALTER TABLE calls DROP COLUMN caller_name;"
		"DROP TRIGGER tickets_fts_old; DROP TRIGGER tickets_fts_new;"
		"DROP TRIGGER tickets_fts_change; DROP TRIGGER tickets_fts_gone;"
		"DROP TABLE tickets_fts;"
		"ALTER TABLE tickets DROP COLUMN fields;"
		"ALTER TABLE users DROP COLUMN locale;"
		"DROP INDEX calls_channel;"
		"ALTER TABLE calls DROP COLUMN channel;"
		"ALTER TABLE calls DROP COLUMN direction;"
		"DROP TABLE messages_fts;"
		"DROP TABLE messages;"
		"DROP TABLE attachments;"
		"ALTER TABLE calls DROP COLUMN signalling; ALTER TABLE calls DROP COLUMN "
		"media;"
		"ALTER TABLE calls DROP COLUMN agent_signalling;"
		"ALTER TABLE calls DROP COLUMN agent_media;"
		"DELETE FROM schema_version WHERE version >= 9;"
		"INSERT INTO tickets (id, status, updated) VALUES ('tk3', 'new', 0);"
		"INSERT INTO users VALUES ('carol', 'agent', '1003', '', '', 'h', 0, 0);",
		NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	db = NULL;
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	TEST_CHECK(!store_ticket_get(st, "tk3", t) && !strcmp(t->fields, "{}"));
	buf[0] = '\0';
	TEST_CHECK(!store_user_list(st, user_h, buf) && !strcmp(buf, "carol+"));
	r = 0;
out:
	if (db)
		sqlite3_close(db);
	mem_deref(st);
	free(t);
	rm_tmp();
	return r;
}

/* What a commit notice saw: the rows another connection found on the
 * disk when the handler ran. */
struct notice {
	int calls;
	int tokens;
	int err;
	int called;
};

static int count_rows(const char *sql)
{
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int n = -1;

	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

static void notice_h(int err, void *arg)
{
	struct notice *nt = arg;

	nt->called++;
	nt->err = err;
	nt->calls = count_rows("SELECT count(*) FROM calls");
	nt->tokens = count_rows("SELECT count(*) FROM tokens WHERE revoked > 0");
	re_cancel();
}

static void notice_timeout(void *arg)
{
	(void)arg;
	re_cancel();
}

static int test_commit_notice(void)
{
	struct store *st = NULL;
	struct notice *nt = mem_zalloc(sizeof(*nt), NULL), *gone = NULL;
	struct store_token t = {"t1", "admin", "crm", "ab", 1, 0};
	struct tmr tmr;
	int r = 1;

	tmr_init(&tmr);
	mkdir_tmp();
	TEST_CHECK(nt && !store_open(&st, dir));
	for (int i = 0; i < 300; i++) {
		struct store_call c = {0};
		snprintf(c.id, sizeof(c.id), "n%d", i);
		c.created = 1000 + (uint64_t)i;
		TEST_CHECK(!store_call_save(st, &c));
	}
	TEST_CHECK(!store_token_save(st, &t));
	t.revoked = 2;
	TEST_CHECK(!store_token_save(st, &t));
	/* what is queued reads back before it is committed */
	{
		struct store_ticket *tk = calloc(2, sizeof(*tk));
		struct store_identity id = {"phone", "+15550100", ""};
		char owner[32] = "";
		TEST_CHECK(tk);
		strcpy(tk[0].id, "k1");
		strcpy(tk[0].subject, "queued");
		int e =
		    store_ticket_save(st, &tk[0]) || store_ticket_get(st, "k1", &tk[1]) ||
		    store_identities_set(st, "cu1", &id, 1) ||
		    store_identity_find(st, "phone", "+15550100", owner, sizeof(owner));
		e = e || strcmp(tk[1].subject, "queued") || strcmp(owner, "cu1");
		free(tk);
		TEST_CHECK(!e);
	}
	TEST_CHECK(!store_commit_notify(st, notice_h, nt));
	TEST_CHECK(store_commit_notify(NULL, notice_h, nt) == EINVAL);
	tmr_start(&tmr, 5000, notice_timeout, NULL);
	(void)re_main(NULL);
	/* called once, on this thread, after the writes were on the disk */
	TEST_CHECK(nt->called == 1 && nt->err == 0);
	TEST_CHECK(nt->calls == 300 && nt->tokens == 1);

	/* a store freed before the main loop ran: the handler is not called
	 * and its object is released (the leak check sees it) */
	gone = mem_zalloc(sizeof(*gone), NULL);
	TEST_CHECK(gone && !store_commit_notify(st, notice_h, gone));
	store_flush(st);
	st = mem_deref(st);
	TEST_CHECK(gone->called == 0);
	r = 0;
out:
	tmr_cancel(&tmr);
	mem_deref(gone);
	mem_deref(st);
	mem_deref(nt);
	rm_tmp();
	return r;
}

/* A group is held back until it is whole, then committed in one batch
 * (past BATCH_MAX, 2000): a crash keeps all of it or none. */
static int test_group(void)
{
	struct store *st = NULL;
	int r = 1;

	mkdir_tmp();
	TEST_CHECK(!store_open(&st, dir));
	store_group_begin(st);
	store_group_begin(st); /* nested: the outer end releases */
	for (int i = 0; i < 2500; i++) {
		struct store_call c = {0};
		snprintf(c.id, sizeof(c.id), "g%d", i);
		TEST_CHECK(!store_call_save(st, &c));
	}
	store_group_end(st);
	store_flush(st);
	TEST_CHECK(count_rows("SELECT count(*) FROM calls") == 0);
	/* what the group holds reads back already */
	{
		struct store_ticket *tk = calloc(2, sizeof(*tk));
		int e = !tk;
		if (tk) {
			strcpy(tk[0].id, "k2");
			e = store_ticket_save(st, &tk[0]) ||
			    store_ticket_get(st, "k2", &tk[1]);
		}
		free(tk);
		TEST_CHECK(!e);
	}
	store_group_end(st);
	store_flush(st);
	TEST_CHECK(count_rows("SELECT count(*) FROM calls") == 2500);
	TEST_CHECK(count_rows("SELECT count(*) FROM tickets") == 1);
	r = 0;
out:
	mem_deref(st);
	rm_tmp();
	return r;
}

static int channel_h(const struct store_call *c, void *arg)
{
	strcat(arg, c->id);
	strcat(arg, "=");
	strcat(arg, c->channel);
	strcat(arg, "/");
	strcat(arg, c->direction);
	strcat(arg, ";");
	return 0;
}

/* Interactions carry their channel and direction, and are listed by
 * channel; a database of schema 10 keeps its calls as voice (outbound for
 * those click-to-call placed) and their events. */
static int test_interaction_channels(void)
{
	struct store *st = NULL;
	struct store_call c;
	struct store_call_filter f = {0};
	char buf[256] = "", path[128];
	sqlite3 *db = NULL;
	int n = 0, r = 1;

	mkdir_tmp();
	TEST_CHECK(!store_open(&st, dir));
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "v1");
	c.created = 1;
	store_call_save(st, &c); /* no channel given: voice, inbound */
	strcpy(c.id, "ch1");
	strcpy(c.channel, "chat");
	c.created = 2;
	store_call_save(st, &c);
	/* how the legs were carried (migration 14) */
	strcpy(c.id, "tls1");
	strcpy(c.channel, "voice");
	strcpy(c.signalling, "tls");
	strcpy(c.media, "srtp");
	strcpy(c.agent_signalling, "udp");
	strcpy(c.agent_media, "rtp");
	c.created = 0;
	store_call_save(st, &c);
	store_flush(st);
	{
		struct store_call got;
		TEST_CHECK(!store_call_get(st, "tls1", &got));
		TEST_CHECK(!strcmp(got.signalling, "tls") && !strcmp(got.media, "srtp") &&
			   !strcmp(got.agent_signalling, "udp") &&
			   !strcmp(got.agent_media, "rtp"));
	}
	f.from = 1;
	TEST_CHECK(!store_call_list(st, &f, channel_h, buf) &&
		   !strcmp(buf, "ch1=chat/inbound;v1=voice/inbound;"));
	f.channel = "chat";
	buf[0] = '\0';
	TEST_CHECK(!store_call_list(st, &f, channel_h, buf) &&
		   !strcmp(buf, "ch1=chat/inbound;"));

	/* back to schema 10: two calls and their events, one placed by
	 * click-to-call */
	st = mem_deref(st);
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	TEST_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	TEST_CHECK(
	    sqlite3_exec(db,
			 "DELETE FROM calls;"
			 "ALTER TABLE ticket_history DROP COLUMN msg;"
			 "ALTER TABLE calls DROP COLUMN caller_name;"
			 "DROP TRIGGER tickets_fts_old; DROP TRIGGER tickets_fts_new;"
			 "DROP TRIGGER tickets_fts_change; DROP TRIGGER tickets_fts_gone;"
			 "DROP TABLE tickets_fts;"
			 "DROP INDEX calls_channel;"
			 "ALTER TABLE calls DROP COLUMN channel;"
			 "ALTER TABLE calls DROP COLUMN direction;"
			 "DROP TABLE messages_fts;"
			 "DROP TABLE messages;"
			 "DROP TABLE attachments;"
			 "ALTER TABLE calls DROP COLUMN signalling; ALTER TABLE calls "
			 "DROP COLUMN media;"
			 "ALTER TABLE calls DROP COLUMN agent_signalling;"
			 "ALTER TABLE calls DROP COLUMN agent_media;"
			 "DELETE FROM schema_version WHERE version >= 11;"
			 "INSERT INTO calls (id, created) VALUES ('in1', 1), ('out1', 2);"
			 "INSERT INTO events (ts, type, call, data) VALUES"
			 " (1, 'call.created', 'in1', '{\"caller\":\"100\"}'),"
			 " (2, 'call.created', 'out1', '{\"direction\":\"outbound\"}'),"
			 " (3, 'call.ended', 'out1', '{}');",
			 NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	db = NULL;
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	memset(&f, 0, sizeof(f));
	buf[0] = '\0';
	TEST_CHECK(!store_call_list(st, &f, channel_h, buf) &&
		   !strcmp(buf, "out1=voice/outbound;in1=voice/inbound;"));
	store_event_list(st, 0, 0, "out1", ev_h, &n);
	TEST_CHECK(n == 2);
	r = 0;
out:
	if (db)
		sqlite3_close(db);
	mem_deref(st);
	rm_tmp();
	return r;
}

static int names_h(const struct store_customer *c, void *arg)
{
	strcat(arg, c->name);
	strcat(arg, ";");
	return 0;
}

static int subjects_h(const struct store_ticket *t, void *arg)
{
	strcat(arg, t->subject);
	strcat(arg, ";");
	return 0;
}

/* The names (or subjects) found by q, as the routes ask (util_fts_query). */
static const char *found(struct store *st, const char *q, bool tickets)
{
	static char buf[512];
	char match[256];

	buf[0] = '\0';
	util_fts_query(match, sizeof(match), q);
	if (tickets) {
		struct store_ticket_filter f = {.match = match};
		store_ticket_list(st, &f, subjects_h, buf);
	} else {
		store_customer_list(st, match, 0, 0, names_h, buf);
	}
	return buf;
}

/*
 * Search by any part of Chinese text (migration 13): a customer by one
 * character of the name, the given name, the whole name, a part of the
 * company, English prefixes as before; a ticket by a part of its subject
 * or description, also after it was saved again (the old entry gone);
 * customers of a schema-11 database indexed on upgrade.
 */
static int test_search_cjk(void)
{
	struct store *st = NULL;
	struct store_customer c;
	struct store_ticket *t = calloc(1, sizeof(*t));
	char path[128];
	sqlite3 *db = NULL;
	int r = 1;

	mkdir_tmp();
	TEST_CHECK(t && !store_open(&st, dir));
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "cu1");
	strcpy(c.name, "张伟");
	strcpy(c.company, "上海浦东发展银行");
	store_customer_save(st, &c);
	strcpy(c.id, "cu2");
	strcpy(c.name, "Ann Lee");
	strcpy(c.company, "Acme");
	store_customer_save(st, &c);
	strcpy(c.id, "cu3");
	strcpy(c.name, "王伟");
	strcpy(c.company, "Acme 北京");
	store_customer_save(st, &c);
	strcpy(t->id, "tk1");
	strcpy(t->subject, "退款申请");
	strcpy(t->description, "客户要求退还订单费用");
	t->updated = 1;
	store_ticket_save(st, t);
	store_flush(st);
	TEST_CHECK(!strcmp(found(st, "张", false), "张伟;"));
	TEST_CHECK(!strcmp(found(st, "伟", false), "张伟;王伟;"));
	TEST_CHECK(!strcmp(found(st, "张伟", false), "张伟;"));
	TEST_CHECK(!strcmp(found(st, "伟张", false), ""));
	TEST_CHECK(!strcmp(found(st, "浦东", false), "张伟;"));
	TEST_CHECK(!strcmp(found(st, "acme 北京", false), "王伟;"));
	TEST_CHECK(!strcmp(found(st, "an le", false), "Ann Lee;"));
	TEST_CHECK(!strcmp(found(st, "退款", true), "退款申请;"));
	TEST_CHECK(!strcmp(found(st, "订单", true), "退款申请;"));
	strcpy(t->subject, "发票问题");
	t->updated = 2;
	store_ticket_save(st, t);
	store_flush(st);
	TEST_CHECK(!strcmp(found(st, "退款", true), ""));
	TEST_CHECK(!strcmp(found(st, "发票", true), "发票问题;"));

	/* back to schema 11, where 张伟 was one word, then reopened */
	st = mem_deref(st);
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	TEST_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	TEST_CHECK(
	    sqlite3_exec(db,
			 "ALTER TABLE ticket_history DROP COLUMN msg;"
			 "ALTER TABLE calls DROP COLUMN caller_name;"
			 "DROP TRIGGER tickets_fts_old; DROP TRIGGER tickets_fts_new;"
			 "DROP TRIGGER tickets_fts_change; DROP TRIGGER tickets_fts_gone;"
			 "DROP TABLE tickets_fts; DELETE FROM customers_fts;"
			 "INSERT INTO customers_fts (id, name) VALUES ('cu1', '张伟');"
			 "DROP TABLE messages_fts;"
			 "DROP TABLE messages;"
			 "DROP TABLE attachments;"
			 "ALTER TABLE calls DROP COLUMN signalling; ALTER TABLE calls "
			 "DROP COLUMN media;"
			 "ALTER TABLE calls DROP COLUMN agent_signalling;"
			 "ALTER TABLE calls DROP COLUMN agent_media;"
			 "DELETE FROM schema_version WHERE version >= 12;",
			 NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	db = NULL;
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	TEST_CHECK(!strcmp(found(st, "伟", false), "张伟;王伟;"));
	TEST_CHECK(!strcmp(found(st, "发票", true), "发票问题;"));
	r = 0;
out:
	if (db)
		sqlite3_close(db);
	mem_deref(st);
	free(t);
	rm_tmp();
	return r;
}

static int msg_h(const struct store_message *m, void *arg)
{
	char *buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "%u:%s:%s:%d;", m->seq, m->sender,
		 m->text, m->internal);
	return 0;
}

static int seq_h(const struct store_message *m, void *arg)
{
	char *buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "%s/%u;", m->interaction, m->seq);
	return 0;
}

static int fts_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* Migration 16 undone: the messages' trigram index of schema 13-15. */
#define UNDO_16                                                                          \
	"DROP TRIGGER messages_fts_new; DROP TRIGGER messages_fts_gone;"                 \
	"DROP TABLE messages_fts;"                                                       \
	"CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages',"         \
	" content_rowid='rowid', tokenize='trigram');"                                   \
	"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"                    \
	"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"                      \
	" INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text); END;"     \
	"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"                      \
	" INSERT INTO messages_fts (messages_fts, rowid, text)"                          \
	" VALUES ('delete', old.rowid, old.text); END;"

static int old_lines_h(const struct store_ticket_entry *e, void *arg)
{
	snprintf((char *)arg + strlen(arg), 1024 - strlen(arg), "%s[%s][%s]|", e->kind,
		 e->text, e->msg);
	return 0;
}

/* Migration 14: the history lines written in English before are read
 * back into a message key and its arguments where a known format reads
 * them; a note stays as typed (even one that reads like a status line),
 * a line no format reads stays text. */
static int test_history_keys(void)
{
	struct store *st = NULL;
	char path[128], buf[1024] = "";
	sqlite3 *db = NULL;
	int r = -1;

	mkdir_tmp();
	TEST_CHECK(!store_open(&st, dir));
	st = mem_deref(st);
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	TEST_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	TEST_CHECK(
	    sqlite3_exec(
		db,
		UNDO_16
		"ALTER TABLE ticket_history DROP COLUMN msg;"
		"ALTER TABLE calls DROP COLUMN signalling; ALTER TABLE calls DROP COLUMN "
		"media;"
		"ALTER TABLE calls DROP COLUMN agent_signalling;"
		"ALTER TABLE calls DROP COLUMN agent_media;"
		"ALTER TABLE calls DROP COLUMN caller_name;"
		"DELETE FROM schema_version WHERE version >= 14;"
		"INSERT INTO ticket_history (ticket, ts, user, kind, text, public) VALUES"
		" ('tk2', 1, '1001', 'created', '退款; high, billing, assigned to 张伟', "
		"0),"
		" ('tk2', 2, '1001', 'status', 'new → open', 0),"
		" ('tk2', 3, '1001', 'note', 'open → closed, as typed', 0),"
		" ('tk2', 4, 'system', 'escalated', 'priority urgent, assignee 张伟 → "
		"nobody',"
		" 0),"
		" ('tk2', 5, 'system', 'sla', 'an old wording of ours', 0);",
		NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	db = NULL;
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	TEST_CHECK(!store_ticket_history(st, "tk2", old_lines_h, buf));
	TEST_CHECK(
	    !strcmp(buf, "created[][{\"key\":\"ticket.created.assigned\",\"args\":["
			 "\"退款\",{\"w\":\"high\"},\"billing\",\"张伟\"]}]|"
			 "status[][{\"key\":\"ticket.status\",\"args\":[{\"w\":\"new\"},"
			 "{\"w\":\"open\"}]}]|"
			 "note[open → closed, as typed][]|"
			 "escalated[][{\"key\":\"ticket.escalated\",\"args\":[{\"w\":"
			 "\"urgent\"},\"张伟\",{\"w\":\"nobody\"}]}]|"
			 "sla[an old wording of ours][]|"));
	r = 0;
out:
	if (r)
		fprintf(stderr, "history: %s\n", buf);
	if (db)
		sqlite3_close(db);
	mem_deref(st);
	rm_tmp();
	return r;
}

/* Chat messages (migration 12): kept in order with their UTF-8, written
 * once per seq, and found by any three characters, Chinese too. */

/* The seqs of the messages store_message_search finds for q (as typed). */
static const char *msg_found(struct store *st, const char *q)
{
	static char buf[256];
	char match[256];

	buf[0] = '\0';
	util_fts_query(match, sizeof(match), q);
	if (store_message_search(st, match, 0, seq_h, buf))
		return "error";
	return buf;
}

/* Chat messages (migrations 12 and 16): kept in order with their UTF-8,
 * written once per seq, and found through the index as customers and
 * tickets are (hl_cjk): by one Chinese character, a two-character name,
 * a Latin word or its start; a database of the trigram index keeps
 * every message and finds it so once upgraded. */
static int test_messages(void)
{
	struct store *st = NULL;
	struct store_message m;
	struct store_attachment a = {"a1", "ch1", "张伟.png",	    "image/png",
				     10,   "ab",  "attachments/a1", 5},
				got;
	char buf[256] = "", path[128];
	sqlite3 *db = NULL;
	int r = 1;

	mkdir_tmp();
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	memset(&m, 0, sizeof(m));
	strcpy(m.interaction, "ch1");
	m.seq = 2;
	strcpy(m.sender, "agent");
	m.text = "您好，请问有什么可以帮您？";
	m.created = 2;
	TEST_CHECK(!store_message_add(st, &m));
	m.seq = 1;
	strcpy(m.sender, "visitor");
	m.text = "<img src=x onerror=alert(1)>";
	TEST_CHECK(!store_message_add(st, &m));
	m.text = "a second write of seq 1";
	TEST_CHECK(!store_message_add(st, &m));
	m.seq = 3;
	m.internal = true;
	m.text = "note";
	TEST_CHECK(!store_message_add(st, &m));
	TEST_CHECK(!store_attachment_add(st, &a));
	store_flush(st);
	TEST_CHECK(!store_message_list(st, "ch1", msg_h, buf));
	TEST_CHECK(!strcmp(buf,
			   "1:visitor:<img src=x onerror=alert(1)>:0;"
			   "2:agent:您好，请问有什么可以帮您？:0;3:visitor:note:1;"));
	TEST_CHECK(!store_attachment_get(st, "a1", &got) &&
		   !strcmp(got.name, "张伟.png") && got.size == 10);
	TEST_CHECK(store_attachment_get(st, "a2", &got) == ENOENT);
	m.seq = 4;
	m.internal = false;
	m.text = "我是张伟, my refund please";
	m.created = 4;
	TEST_CHECK(!store_message_add(st, &m));
	store_flush(st);
	TEST_CHECK(!strcmp(msg_found(st, "张"), "ch1/4;"));
	TEST_CHECK(!strcmp(msg_found(st, "张伟"), "ch1/4;"));
	TEST_CHECK(!strcmp(msg_found(st, "伟张"), ""));
	TEST_CHECK(!strcmp(msg_found(st, "refund"), "ch1/4;"));
	TEST_CHECK(!strcmp(msg_found(st, "ref"), "ch1/4;"));
	TEST_CHECK(!strcmp(msg_found(st, "有什么"), "ch1/2;"));
	TEST_CHECK(!strcmp(msg_found(st, "您"), "ch1/2;"));
	TEST_CHECK(!strcmp(msg_found(st, "onerror"), "ch1/1;"));

	/* back to schema 13, its trigram index and a message of its time,
	 * then reopened: every message kept, all found by the new index */
	st = mem_deref(st);
	snprintf(path, sizeof(path), "%s/hotline.db", dir);
	TEST_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	TEST_CHECK(
	    sqlite3_exec(
		db,
		UNDO_16
		"INSERT INTO messages VALUES ('ch2', 1, 'visitor', '李', '张伟的订单', "
		"0, '', '',"
		" 9);"
		"DELETE FROM schema_version WHERE version >= 16;",
		NULL, NULL, NULL) == SQLITE_OK);
	TEST_CHECK(fts_count(db, "SELECT count(*) FROM messages_fts WHERE messages_fts "
				 "MATCH '张伟的'") == 1);
	sqlite3_close(db);
	db = NULL;
	TEST_CHECK(!store_open(&st, dir) && store_schema_version(st) == 16);
	TEST_CHECK(!strcmp(msg_found(st, "张"), "ch2/1;ch1/4;"));
	TEST_CHECK(!strcmp(msg_found(st, "订单"), "ch2/1;"));
	TEST_CHECK(!strcmp(msg_found(st, "refund"), "ch1/4;"));
	buf[0] = '\0';
	TEST_CHECK(!store_message_list(st, "ch1", msg_h, buf));
	TEST_CHECK(!strcmp(buf, "1:visitor:<img src=x onerror=alert(1)>:0;"
				"2:agent:您好，请问有什么可以帮您？:0;3:visitor:note:1;"
				"4:visitor:我是张伟, my refund please:0;"));
	r = 0;
out:
	if (db)
		sqlite3_close(db);
	mem_deref(st);
	rm_tmp();
	return r;
}

static const struct test_case tests[] = {
    {"chat messages in order, once per seq, found by one Chinese character or a "
     "word (hl_cjk); schema 13's trigram index upgraded keeping every message",
     test_messages},
    {"ticket history: old English lines become keys (migration 14), notes stay",
     test_history_keys},
    {"users, tokens, sessions and the audit log", test_users_tokens_sessions_audit},
    {"calls, events and bindings saved, filtered, kept across reopen",
     test_calls_events_bindings},
    {"50,000 writes batched; a full queue answers ENOSPC", test_burst_and_overload},
    {"tickets keep custom fields, users a language; schema 8 upgraded",
     test_ticket_fields},
    {"a commit notice runs on the main loop after its writes are on the disk",
     test_commit_notice},
    {"a group of writes is held back until whole, then committed at once", test_group},
    {"interactions carry their channel; schema 10 upgraded keeping calls and "
     "events",
     test_interaction_channels},
    {"customers and tickets found by any part of Chinese text; schema 11 upgraded",
     test_search_cjk},
};

TEST_MAIN(tests)
