/*
 * users.c — who may use the API and the pages: users with a role
 * (agent, supervisor, admin), sign-in sessions (a cookie for the pages),
 * API tokens (bearer, made and revoked by admins), sign-in rate limits,
 * the audit log, and what each role may see.
 *
 * Users, tokens and sessions live in memory (looked up on every request)
 * and are written through to the store. Secrets are never kept: a token
 * or a session cookie is stored as its SHA-256, a password as an argon2id
 * string. argon2id is slow on purpose (~0.1 s and 64 MiB), so it runs on
 * a worker thread; the request waits for its answer, the main loop does
 * not.
 *
 * The node's own token (http.api_token) is a built-in admin for scripts
 * and first set-up; the first admin user comes from http.admin_password
 * when there is no user yet.
 *
 * Not here: routing and replies (api.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include "core/core.h"
#include "core/worker.h"
#include "core/cfg.h"
#include "store/store.h"
#include "api/api_int.h"

#define SESSION_MS	 (12 * 3600 * 1000ULL) /* a working day and a bit */
#define SESSION_COOKIE	 "hl_session"
#define PW_MIN		 8
#define PW_MAX		 256
#define PW_JOBS_MAX	 32 /* password jobs waiting; beyond: 503 */
#define USER_FAILS_MAX	 5  /* failed sign-ins per user and address per window */
#define USER_WINDOW_MS	 (15 * 60 * 1000ULL)
#define ADDR_TRIES_MAX	 20 /* sign-in attempts per address per window */
#define ADDR_WINDOW_MS	 (60 * 1000ULL)
#define MAX_ATTEMPT_KEYS 4096

struct user {
	struct le le;
	struct store_user u;
};

struct token {
	struct le le;
	struct store_token t;
};

struct session {
	struct le le;
	struct store_session s;
};

/* A rate-limit window: n attempts since start. */
struct attempt {
	struct le le;
	char key[128]; /* "user:NAME|IP" or "addr:IP" */
	uint64_t start;
	uint32_t n;
};

/* A password to hash or check, crossing to the worker and back. */
struct pw_job {
	struct api_users *u;
	char password[PW_MAX + 1];
	char hash[crypto_pwhash_STRBYTES]; /* in: to check; out: made */
	bool verify;
	bool ok; /* out: matched, or hashed */
	void (*h)(struct pw_job *j);
	void *arg; /* a mem object, referenced while the job lives */
};

struct api_users {
	struct api *api;
	struct hash *users;    /* by name */
	struct hash *tokens;   /* by hash */
	struct hash *sessions; /* by hash */
	struct hash *attempts; /* by key */
	size_t attemptc;       /* windows made; the table starts over past the cap */
	char dummy_hash[crypto_pwhash_STRBYTES]; /* checked for unknown users */
	struct worker *worker;			 /* hashes and checks passwords */
};

/* Users, tokens, sessions and attempts each start with their le: one
 * destructor takes any of them out of its table. */
static void entry_destructor(void *arg)
{
	list_unlink(arg);
}

static bool count_one(struct le *le, void *arg)
{
	(void)le;
	++*(uint32_t *)arg;
	return false;
}

static uint32_t table_count(const struct hash *h)
{
	uint32_t n = 0;

	hash_apply(h, count_one, &n);
	return n;
}

/* --- roles and what they see ------------------------------------------ */

const char *api__role_name(enum api_role r)
{
	switch (r) {
	case ROLE_AGENT:
		return "agent";
	case ROLE_SUPERVISOR:
		return "supervisor";
	case ROLE_ADMIN:
		return "admin";
	}
	return "?";
}

int api__role_parse(enum api_role *rp, const char *name)
{
	static const enum api_role all[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN};

	for (size_t i = 0; name && i < 3; i++) {
		if (!strcmp(name, api__role_name(all[i]))) {
			*rp = all[i];
			return 0;
		}
	}
	return EINVAL;
}

/* Is name one of the comma list's entries? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		if (len == n && !strncmp(list, name, n))
			return true;
		list = comma ? comma + 1 : NULL;
	}
	return false;
}

bool api__sees_queue(const struct api *a, const struct api_who *who, const char *queue)
{
	if (!queue)
		return false;
	switch (who->role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_SUPERVISOR:
		return list_has(who->queues, queue);
	case ROLE_AGENT:
		return who->extension[0] &&
		       cfg_agent_serves(a->tenant, queue, who->extension);
	}
	return false;
}

bool api__sees_agent(const struct api *a, const struct api_who *who, const char *ext)
{
	if (!ext)
		return false;
	switch (who->role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_AGENT:
		return !strcmp(who->extension, ext);
	case ROLE_SUPERVISOR: {
		/* its own queues only: this runs for every event and client */
		const char *q = who->queues;
		while (q && *q) {
			const char *comma = strchr(q, ',');
			char name[CFG_NAME];
			size_t len = comma ? (size_t)(comma - q) : strlen(q);
			if (len < sizeof(name)) {
				memcpy(name, q, len);
				name[len] = '\0';
				if (cfg_agent_serves(a->tenant, name, ext))
					return true;
			}
			q = comma ? comma + 1 : NULL;
		}
		return false;
	}
	}
	return false;
}

bool api__sees_event(const struct api *a, const struct api_who *who, const char *agent,
		     const char *queue)
{
	if (who->role == ROLE_ADMIN)
		return true;
	if (agent && api__sees_agent(a, who, agent))
		return true;
	/* an agent sees the queue side (waiting, figures) of its queues,
	 * not other agents' calls from them: an event of another agent is
	 * not looked up in the queue's members at all (every chat message
	 * asks this of every open desktop) */
	if (queue && (who->role == ROLE_SUPERVISOR || !agent))
		return api__sees_queue(a, who, queue);
	return false;
}

/* --- lookups ----------------------------------------------------------- */

static bool user_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct user *)le->data)->u.name, arg);
}

static struct user *user_find(struct api_users *u, const char *name)
{
	struct le *le =
	    hash_lookup(u->users, hash_joaat_str(name), user_cmp, (void *)name);
	return le ? le->data : NULL;
}

static bool token_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct token *)le->data)->t.hash, arg);
}

static bool session_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct session *)le->data)->s.hash, arg);
}

/* Hex SHA-256 of a secret: how tokens and cookies are kept. */
void api__secret_hash(const char *secret, size_t len, char hex[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)secret, len);
	sodium_bin2hex(hex, 65, d, sizeof(d));
}

/* A new random secret, URL-safe base64 of 32 bytes, after prefix. */
static void secret_make(char *buf, size_t sz, const char *prefix)
{
	unsigned char r[32];
	size_t pl = strlen(prefix);

	randombytes_buf(r, sizeof(r));
	util_copy(buf, sz, prefix);
	sodium_bin2base64(buf + pl, sz - pl, r, sizeof(r),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void who_fill(struct api_who *who, const struct store_user *su)
{
	util_copy(who->user, sizeof(who->user), su->name);
	api__role_parse(&who->role, su->role);
	util_copy(who->extension, sizeof(who->extension), su->extension);
	util_copy(who->queues, sizeof(who->queues), su->queues);
}

bool api__cookie_get(const struct http_msg *msg, const char *name, char *val, size_t sz)
{
	const struct http_hdr *h = http_msg_xhdr(msg, "Cookie");
	size_t nl = strlen(name);
	const char *p, *end;

	if (!h)
		return false;
	p = h->val.p;
	end = p + h->val.l;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		while (p < stop && *p == ' ')
			p++;
		if ((size_t)(stop - p) > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			size_t len = (size_t)(stop - p) - nl - 1;
			if (len >= sz)
				return false;
			memcpy(val, p + nl + 1, len);
			val[len] = '\0';
			return true;
		}
		p = stop + 1;
	}
	return false;
}

static bool by_secret(struct api_users *u, const char *secret, size_t len,
		      struct api_who *who)
{
	const struct cfg_node *node = u->api->node;
	size_t nl = strlen(node->api_token);
	char hex[65];
	struct le *le;

	if (nl && len == nl && !sodium_memcmp(secret, node->api_token, nl)) {
		util_copy(who->user, sizeof(who->user), "node");
		who->role = ROLE_ADMIN;
		return true;
	}
	api__secret_hash(secret, len, hex);
	le = hash_lookup(u->tokens, hash_joaat_str(hex), token_cmp, hex);
	if (le) {
		const struct token *t = le->data;
		const struct user *us = user_find(u, t->t.user);
		if (t->t.revoked || !us || us->u.disabled)
			return false;
		who_fill(who, &us->u);
		who->cred = CRED_TOKEN;
		util_copy(who->cred_hash, sizeof(who->cred_hash), hex);
		return true;
	}
	return false;
}

bool api__users_who(struct api_users *u, const struct http_msg *msg, bool query,
		    struct api_who *who)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);
	char val[160], hex[65];
	struct le *le;

	char addr[sizeof(who->addr)];

	util_copy(addr, sizeof(addr), who->addr); /* the caller filled it in */
	memset(who, 0, sizeof(*who));
	util_copy(who->addr, sizeof(who->addr), addr);
	if (h && h->val.l > 7 && !strncasecmp(h->val.p, "Bearer ", 7))
		return by_secret(u, h->val.p + 7, h->val.l - 7, who);
	if (query && api__query_get(msg, "access_token", val, sizeof(val)))
		return by_secret(u, val, strlen(val), who);
	if (!api__cookie_get(msg, SESSION_COOKIE, val, sizeof(val)))
		return false;
	api__secret_hash(val, strlen(val), hex);
	le = hash_lookup(u->sessions, hash_joaat_str(hex), session_cmp, hex);
	if (le) {
		struct session *se = le->data;
		const struct user *us = user_find(u, se->s.user);
		if (se->s.expires <= clock_now_ms() || !us || us->u.disabled) {
			store_session_delete(u->api->store, se->s.hash);
			mem_deref(se);
			return false;
		}
		who_fill(who, &us->u);
		who->cred = CRED_SESSION;
		util_copy(who->cred_hash, sizeof(who->cred_hash), hex);
		return true;
	}
	return false;
}

bool api__users_valid(struct api_users *u, const struct api_who *who)
{
	const struct user *us;
	struct api_who now;
	struct le *le;

	if (who->cred == CRED_NODE)
		return true; /* the node's token lasts as long as its config */
	us = user_find(u, who->user);
	if (!us || us->u.disabled)
		return false;
	memset(&now, 0, sizeof(now));
	who_fill(&now, &us->u);
	if (now.role != who->role || strcmp(now.extension, who->extension) ||
	    strcmp(now.queues, who->queues))
		return false; /* what it may see changed: it asks again */
	if (who->cred == CRED_TOKEN) {
		le = hash_lookup(u->tokens, hash_joaat_str(who->cred_hash), token_cmp,
				 (void *)who->cred_hash);
		return le && !((const struct token *)le->data)->t.revoked;
	}
	le = hash_lookup(u->sessions, hash_joaat_str(who->cred_hash), session_cmp,
			 (void *)who->cred_hash);
	return le && ((const struct session *)le->data)->s.expires > clock_now_ms();
}

/* --- audit ------------------------------------------------------------- */

void api__audit(struct api *a, const struct api_who *who, const char *action,
		const char *target, const char *fmt, ...)
{
	struct store_audit au;
	va_list ap;

	memset(&au, 0, sizeof(au));
	au.ts = clock_now_ms();
	util_copy(au.user, sizeof(au.user), who ? who->user : "");
	util_copy(au.action, sizeof(au.action), action);
	util_copy(au.target, sizeof(au.target), target ? target : "");
	util_copy(au.addr, sizeof(au.addr), who ? who->addr : "");
	va_start(ap, fmt);
	vsnprintf(au.detail, sizeof(au.detail), fmt, ap);
	va_end(ap);
	/* kept as written (quotes, 张伟): what the routes took is text
	 * already; a cut character is dropped. What is still not text (from
	 * somewhere unchecked) is not kept, and said so: never rewritten */
	util_utf8_trim(au.target);
	util_utf8_trim(au.detail);
	if (util_text_check(au.target, 0, 0, NULL))
		util_copy(au.target, sizeof(au.target), "(not text)");
	if (util_text_check(au.detail, 0, UTIL_TEXT_MULTILINE, NULL))
		util_copy(au.detail, sizeof(au.detail), "(not text)");
	if (store_audit_append(a->store, &au))
		log_error("api: audit entry not stored action=%s user=%s", action,
			  au.user);
}

/* --- the password worker ------------------------------------------------ */

/* On the worker: the slow hash (crypto_pwhash is meant to be slow). */
static uint64_t pw_run(void *job, void *arg)
{
	struct pw_job *j = job;
	(void)arg;

	if (j->verify) {
		j->ok =
		    !crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password));
	} else {
		j->ok = !crypto_pwhash_str(j->hash, j->password, strlen(j->password),
					   crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	}
	sodium_memzero(j->password, sizeof(j->password));
	return 0;
}

static void pw_free(void *job)
{
	struct pw_job *j = job;

	mem_deref(j->arg);
	sodium_memzero(j, sizeof(*j));
	free(j);
}

static void pw_done(void *job, void *arg)
{
	struct pw_job *j = job;
	(void)arg;

	j->h(j);
}

/*
 * Hands a password to the worker: checks it against hash (hash given) or
 * makes a hash. h runs on the main loop with the job; arg (a mem object)
 * is referenced until then. EBUSY: too many waiting.
 */
static int pw_submit(struct api_users *u, const char *password, const char *hash,
		     void (*h)(struct pw_job *j), void *arg)
{
	struct pw_job *j;
	int err;

	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->u = u;
	util_copy(j->password, sizeof(j->password), password);
	if (hash) {
		util_copy(j->hash, sizeof(j->hash), hash);
		j->verify = true;
	}
	j->h = h;
	j->arg = mem_ref(arg);
	err = worker_push(u->worker, j);
	if (err)
		pw_free(j); /* EBUSY: PW_JOBS_MAX not yet answered */
	return err;
}

/* --- a request waiting for the worker ------------------------------------ */

/* What a route keeps while its password job runs: the connection (to
 * reply on, if it is still open) and what it needs to finish. */
struct pending {
	struct req rq;
	struct httpd_conn *conn;
	struct store_user user; /* to create / change */
	char password[PW_MAX + 1];
	char fail_key[128]; /* sign-in: the window a failure counts in */
	bool create;
};

static void pending_destructor(void *arg)
{
	struct pending *p = arg;

	sodium_memzero(p->password, sizeof(p->password));
	mem_deref(p->conn);
}

static struct pending *pending_alloc(struct req *rq)
{
	struct pending *p = mem_zalloc(sizeof(*p), pending_destructor);

	if (!p)
		return NULL;
	p->rq = *rq;
	p->rq.msg = NULL; /* gone when the handler returns */
	p->conn = mem_ref(rq->conn);
	return p;
}

static void reply_busy(struct req *rq, int err)
{
	if (err == EBUSY)
		api__reply_json_hdrs(rq, 503, "Service Unavailable", "Retry-After: 1\r\n",
				     api__error_json("busy", "too many sign-ins at once; "
							     "try again in a second"));
	else
		api__reply_error(rq, 500, "Internal Server Error", "internal", "%s",
				 strerror(err));
}

/* --- sign-in rate limits --------------------------------------------------- */

static bool attempt_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct attempt *)le->data)->key, arg);
}

/* The window of key, started afresh when older than window_ms. */
static struct attempt *attempt_get(struct api_users *u, const char *key, uint64_t now,
				   uint64_t window_ms)
{
	struct le *le =
	    hash_lookup(u->attempts, hash_joaat_str(key), attempt_cmp, (void *)key);
	struct attempt *at = le ? le->data : NULL;

	if (at && now - at->start >= window_ms) {
		at->start = now;
		at->n = 0;
	}
	if (at)
		return at;
	if (++u->attemptc > MAX_ATTEMPT_KEYS) {
		hash_flush(u->attempts); /* forget old windows rather than grow */
		u->attemptc = 1;
	}
	at = mem_zalloc(sizeof(*at), entry_destructor);
	if (!at)
		return NULL;
	util_copy(at->key, sizeof(at->key), key);
	at->start = now;
	hash_append(u->attempts, hash_joaat_str(at->key), &at->le, at);
	return at;
}

/* The window of failed sign-ins of one user from one address. */
static void user_key(char *key, size_t sz, const char *name, const char *ip)
{
	snprintf(key, sz, "user:%s|%s", name, ip);
}

/* false after replying 429 when key has used its window. */
static bool attempt_allowed(struct req *rq, struct attempt *at, uint32_t max,
			    uint64_t window_ms, uint64_t now)
{
	char hdr[64];

	if (!at || at->n < max)
		return true;
	snprintf(hdr, sizeof(hdr), "Retry-After: %llu\r\n",
		 (unsigned long long)((at->start + window_ms - now) / 1000 + 1));
	api__reply_json_hdrs(
	    rq, 429, "Too Many Requests", hdr,
	    api__error_json("rate_limited",
			    "too many sign-in attempts; try again later"));
	return false;
}

/* --- session routes ------------------------------------------------------ */

static json_t *who_json(const struct api_who *who)
{
	json_t *o =
	    json_pack("{s:s,s:s}", "user", who->user, "role", api__role_name(who->role));

	if (who->extension[0])
		json_object_set_new(o, "extension", json_string(who->extension));
	if (who->role == ROLE_SUPERVISOR) {
		json_t *qs = json_array();
		char buf[256], *save = NULL;
		util_copy(buf, sizeof(buf), who->queues);
		for (char *q = strtok_r(buf, ",", &save); q;
		     q = strtok_r(NULL, ",", &save))
			json_array_append_new(qs, json_string(q));
		json_object_set_new(o, "queues", qs);
	}
	return o;
}

static void signin_done(struct pw_job *j)
{
	struct pending *p = j->arg;
	struct api_users *u = j->u;
	struct req *rq = &p->rq;
	const struct user *us = user_find(u, p->user.name);
	struct api_who who = rq->who;
	char cookie[64], hdr[256];
	struct session *se;

	if (!j->ok || !us || us->u.disabled) {
		struct attempt *at;

		at = attempt_get(u, p->fail_key, clock_now_ms(), USER_WINDOW_MS);
		if (at)
			at->n++;
		api__audit(u->api, &who, "signin_failed", p->user.name, "%s",
			   us ? (us->u.disabled ? "disabled" : "wrong password")
			      : "unknown user");
		api__reply_error(rq, 401, "Unauthorized", "bad_credentials",
				 "wrong user name or password");
		return;
	}
	se = mem_zalloc(sizeof(*se), entry_destructor);
	if (!se) {
		reply_busy(rq, ENOMEM);
		return;
	}
	secret_make(cookie, sizeof(cookie), "");
	api__secret_hash(cookie, strlen(cookie), se->s.hash);
	util_copy(se->s.user, sizeof(se->s.user), us->u.name);
	se->s.created = clock_now_ms();
	se->s.expires = se->s.created + SESSION_MS;
	hash_append(u->sessions, hash_joaat_str(se->s.hash), &se->le, se);
	store_session_save(u->api->store, &se->s);
	who_fill(&who, &us->u);
	api__audit(u->api, &who, "signin", us->u.name, "session until %llu",
		   (unsigned long long)se->s.expires);
	snprintf(hdr, sizeof(hdr),
		 "Set-Cookie: " SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
		 "Max-Age=%llu\r\n",
		 cookie, (unsigned long long)(SESSION_MS / 1000));
	sodium_memzero(cookie, sizeof(cookie));
	json_t *o = who_json(&who);
	json_object_set_new(o, "expires", api__time_json(se->s.expires));
	api__reply_committed(rq, 200, "OK", hdr, o);
}

/* POST /api/v1/session {"user","password"}: signs in, sets the cookie. */
void api__session_create(struct req *rq)
{
	static const char *const fields[] = {"user", "password", NULL};
	struct api_users *u = rq->api->users;
	uint64_t now = clock_now_ms();
	json_t *body = api__body_object(rq, fields);
	const char *name, *pw;
	const struct user *us;
	struct pending *p;
	char key[128], ip[64];
	struct attempt *at;
	int err;

	if (!body)
		return;
	name = json_string_value(json_object_get(body, "user"));
	pw = json_string_value(json_object_get(body, "password"));
	if (!name || !*name || strlen(name) >= sizeof(p->user.name)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "user: a user name (text, 1-63 characters) is required");
		goto out;
	}
	if (!pw || strlen(pw) > PW_MAX) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "password: text of at most %d characters is required",
				 PW_MAX);
		goto out;
	}
	re_snprintf(ip, sizeof(ip), "%j", httpd_conn_peer(rq->conn));
	snprintf(key, sizeof(key), "addr:%s", ip);
	at = attempt_get(u, key, now, ADDR_WINDOW_MS);
	if (!attempt_allowed(rq, at, ADDR_TRIES_MAX, ADDR_WINDOW_MS, now))
		goto out;
	if (at)
		at->n++;
	/* failures count per user and address: guessing from one address
	 * slows that address down, never the user's own sign-in elsewhere
	 * (a lock per user would let anyone lock out admin) */
	user_key(key, sizeof(key), name, ip);
	at = attempt_get(u, key, now, USER_WINDOW_MS);
	if (!attempt_allowed(rq, at, USER_FAILS_MAX, USER_WINDOW_MS, now)) {
		api__audit(rq->api, &rq->who, "signin_refused", name,
			   "too many failed attempts from %s", ip);
		goto out;
	}
	p = pending_alloc(rq);
	if (!p) {
		reply_busy(rq, ENOMEM);
		goto out;
	}
	util_copy(p->fail_key, sizeof(p->fail_key), key);
	util_copy(p->user.name, sizeof(p->user.name), name);
	us = user_find(u, name);
	/* an unknown user costs the same time as a known one */
	err = pw_submit(u, pw, us ? us->u.pw_hash : u->dummy_hash, signin_done, p);
	if (err)
		reply_busy(rq, err);
	mem_deref(p);
out:
	json_decref(body);
}

/* Who the credentials belong to, with the user's own settings ("" when
 * none is stored, or the caller is not a stored user). */
static json_t *session_json(struct req *rq)
{
	const struct user *us = user_find(rq->api->users, rq->who.user);
	json_t *o = who_json(&rq->who);

	json_object_set_new(o, "locale", json_string(us ? us->u.locale : ""));
	/* how the pages show numbers (web/number.js, as crm_number_display) */
	json_object_set_new(o, "country",
			    json_string(rq->api->tenant ? rq->api->tenant->country : ""));
	return o;
}

const char *api__user_locale(struct api *a, const char *user)
{
	const struct user *us = user && user[0] ? user_find(a->users, user) : NULL;

	return us ? us->u.locale : "";
}

/* GET /api/v1/session: who am I. */
void api__session_get(struct req *rq)
{
	api__reply_json(rq, 200, "OK", session_json(rq));
}

/* A language tag of the shape BCP 47 gives the ones the pages are asked
 * for: a language of 2-3 letters, then parts of 2-8 letters or digits
 * ("zh-CN", "zh-Hans-CN"). The pages take the nearest catalog they have. */
static bool locale_ok(const char *s)
{
	size_t n = 0, k;

	while (s[n] >= 'a' && s[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return false;
	while (s[n] == '-') {
		for (k = 0, n++; isalnum((unsigned char)s[n]); n++)
			k++;
		if (k < 2 || k > 8)
			return false;
	}
	return s[n] == '\0';
}

/* PATCH /api/v1/session {"locale"}: the signed-in user changes its own
 * settings; the language the pages are shown in ("" for the browser's). */
void api__session_patch(struct req *rq)
{
	static const char *const fields[] = {"locale", NULL};
	struct user *us;
	struct store_user su;
	json_t *body, *v;
	const char *locale = NULL;
	int err;

	body = api__body_object(rq, fields);
	if (!body)
		return;
	/* what was sent is checked before who sent it */
	if ((v = json_object_get(body, "locale"))) {
		locale = json_string_value(v);
		if (!locale || strlen(locale) >= sizeof(su.locale) ||
		    (*locale && !locale_ok(locale))) {
			api__reply_error(
			    rq, 400, "Bad Request", "bad_field",
			    "locale: a language tag such as zh-CN or en (at most "
			    "%zu characters), or \"\" for the browser's",
			    sizeof(su.locale) - 1);
			goto out;
		}
	}
	us = user_find(rq->api->users, rq->who.user);
	if (!us) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "'%s' is not a stored user: it has no settings",
				 rq->who.user);
		goto out;
	}
	su = us->u;
	if (locale)
		util_copy(su.locale, sizeof(su.locale), locale);
	err = store_user_save(rq->api->store, &su);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be stored: %s", strerror(err));
		goto out;
	}
	us->u = su;
	api__audit(rq->api, &rq->who, "session.update", su.name, "locale=%s", su.locale);
	api__reply_json(rq, 200, "OK", session_json(rq));
out:
	json_decref(body);
}

/* DELETE /api/v1/session: signs out (the cookie's session ends). */
void api__session_delete(struct req *rq)
{
	struct api_users *u = rq->api->users;
	char val[160], hex[65];
	struct le *le;

	if (api__cookie_get(rq->msg, SESSION_COOKIE, val, sizeof(val))) {
		api__secret_hash(val, strlen(val), hex);
		le = hash_lookup(u->sessions, hash_joaat_str(hex), session_cmp, hex);
		if (le) {
			store_session_delete(rq->api->store, hex);
			mem_deref(le->data);
		}
	}
	api__stream_recheck(rq->api->stream, "signed out");
	api__audit(rq->api, &rq->who, "signout", rq->who.user, "%s", "");
	api__reply_committed(rq, 204, "No Content",
			     "Set-Cookie: " SESSION_COOKIE "=; Path=/; HttpOnly; "
			     "SameSite=Strict; Max-Age=0\r\n",
			     NULL);
}

/* --- users routes (admin) ------------------------------------------------- */

static json_t *user_json(const struct store_user *su)
{
	struct api_who who;
	json_t *o;

	memset(&who, 0, sizeof(who));
	who_fill(&who, su);
	o = who_json(&who);
	json_object_set_new(o, "display", json_string(su->display));
	json_object_set_new(o, "disabled", json_boolean(su->disabled));
	json_object_set_new(o, "created", api__time_json(su->created));
	return o;
}

static bool user_add_json(struct le *le, void *arr)
{
	json_array_append_new(arr, user_json(&((struct user *)le->data)->u));
	return false;
}

void api__users_list(struct req *rq)
{
	json_t *arr = json_array();

	hash_apply(rq->api->users->users, user_add_json, arr);
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "users", arr));
}

static struct user *user_of_path(struct req *rq)
{
	struct user *us = user_find(rq->api->users, rq->id);

	if (!us)
		api__reply_error(rq, 404, "Not Found", "not_found", "no user '%s'",
				 rq->id);
	return us;
}

void api__users_get(struct req *rq)
{
	struct user *us = user_of_path(rq);

	if (us)
		api__reply_json(rq, 200, "OK", user_json(&us->u));
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-' || *s == '@'))
			return false;
	}
	return true;
}

/* Is le another user than arg with the same extension? */
static bool other_with_ext(struct le *le, void *arg)
{
	const struct user *o = le->data;
	const struct store_user *su = arg;

	return strcmp(o->u.name, su->name) && !strcmp(o->u.extension, su->extension);
}

/*
 * Reads the fields of a user from body into su (those present), checking
 * each; false after replying 400/409. Checks that bind fields together
 * (an agent needs an extension) are made on the result.
 */
static bool user_fields(struct req *rq, json_t *body, struct store_user *su,
			const char **password)
{
	const struct cfg_tenant *t = rq->api->tenant;
	json_t *v;

	if ((v = json_object_get(body, "role"))) {
		enum api_role r;
		if (api__role_parse(&r, json_string_value(v))) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "role: one of agent, supervisor, admin");
			return false;
		}
		util_copy(su->role, sizeof(su->role), json_string_value(v));
	}
	if ((v = json_object_get(body, "extension"))) {
		const char *ext = json_is_null(v) ? "" : json_string_value(v);
		bool known = ext && !*ext;
		for (size_t i = 0; ext && i < t->agentc && !known; i++)
			known = !strcmp(t->agentv[i].ext, ext);
		if (!known) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "extension: not an agent of the tenant");
			return false;
		}
		util_copy(su->extension, sizeof(su->extension), ext);
	}
	if ((v = json_object_get(body, "queues"))) {
		size_t i;
		json_t *q;
		su->queues[0] = '\0';
		if (!json_is_array(v)) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "queues: a list of queue names");
			return false;
		}
		json_array_foreach(v, i, q)
		{
			const char *name = json_string_value(q);
			bool known = false;
			for (size_t k = 0; name && k < t->queuec && !known; k++)
				known = !strcmp(t->queuev[k].name, name);
			if (!known) {
				api__reply_error(rq, 400, "Bad Request", "bad_field",
						 "queues[%zu]: not a queue of the tenant",
						 i);
				return false;
			}
			if (strlen(su->queues) + strlen(name) + 2 > sizeof(su->queues)) {
				api__reply_error(rq, 400, "Bad Request", "bad_field",
						 "queues: too many");
				return false;
			}
			if (su->queues[0])
				strcat(su->queues, ",");
			strcat(su->queues, name);
		}
	}
	if ((v = json_object_get(body, "display"))) {
		const char *d = NULL;
		/* a person's name as written (张伟, Zoë), one line, 127 characters */
		if (!api__text(rq, body, "display", 0, 127, 0, &d))
			return false;
		util_copy(su->display, sizeof(su->display), d);
	}
	if ((v = json_object_get(body, "disabled"))) {
		if (!json_is_boolean(v)) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "disabled: true or false");
			return false;
		}
		su->disabled = json_is_true(v);
	}
	*password = NULL;
	if ((v = json_object_get(body, "password"))) {
		const char *pw = json_string_value(v);
		if (!pw || strlen(pw) < PW_MIN || strlen(pw) > PW_MAX) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "password: text of %d to %d characters", PW_MIN,
					 PW_MAX);
			return false;
		}
		*password = pw;
	}
	if (!strcmp(su->role, "agent") && !su->extension[0]) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "extension: an agent user needs its SIP extension");
		return false;
	}
	/* one user per extension: the desktop and the phone are one agent */
	struct le *le = su->extension[0]
			    ? hash_apply(rq->api->users->users, other_with_ext, su)
			    : NULL;
	if (le) {
		api__reply_error(rq, 409, "Conflict", "conflict",
				 "extension: %s already belongs to user %s",
				 su->extension, ((struct user *)le->data)->u.name);
		return false;
	}
	return true;
}

struct drop_ctx {
	const char *user;
	const char *keep; /* the hash of the session that made the change */
	struct store *st;
};

static bool session_drop_other(struct le *le, void *arg)
{
	struct session *se = le->data;
	const struct drop_ctx *d = arg;

	if (!strcmp(se->s.user, d->user) && strcmp(se->s.hash, d->keep)) {
		store_session_delete(d->st, se->s.hash);
		mem_deref(se);
	}
	return false;
}

/* Stores su (new or changed) and replies with it. A new password ends
 * the user's sessions but the one that set it: whoever knew the old
 * password is signed out. */
static void user_commit(struct req *rq, const struct store_user *su, bool create,
			bool new_password)
{
	struct api_users *u = rq->api->users;
	struct user *us = user_find(u, su->name);
	int err;

	if (create && us) {
		api__reply_error(rq, 409, "Conflict", "conflict", "user '%s' exists",
				 su->name);
		return;
	}
	if (!create && !us) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no user '%s'",
				 su->name);
		return;
	}
	err = store_user_save(rq->api->store, su);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be stored: %s", strerror(err));
		return;
	}
	if (!us) {
		us = mem_zalloc(sizeof(*us), entry_destructor);
		if (!us) {
			reply_busy(rq, ENOMEM);
			return;
		}
		hash_append(u->users, hash_joaat_str(su->name), &us->le, us);
	}
	us->u = *su;
	if (su->disabled)
		store_sessions_expire(rq->api->store, su->name, clock_now_ms());
	if (new_password && !create) {
		struct drop_ctx d = {
		    su->name, rq->who.cred == CRED_SESSION ? rq->who.cred_hash : "",
		    rq->api->store};
		hash_apply(u->sessions, session_drop_other, &d);
	}
	api__stream_recheck(rq->api->stream, "the user changed");
	api__audit(rq->api, &rq->who, create ? "user.create" : "user.update", su->name,
		   "role=%s extension=%s queues=%s disabled=%d", su->role, su->extension,
		   su->queues, su->disabled);
	api__reply_committed(rq, create ? 201 : 200, create ? "Created" : "OK", NULL,
			     user_json(su));
}

static void user_hashed(struct pw_job *j)
{
	struct pending *p = j->arg;

	if (!j->ok) {
		api__reply_error(&p->rq, 500, "Internal Server Error", "internal",
				 "the password could not be hashed");
		return;
	}
	util_copy(p->user.pw_hash, sizeof(p->user.pw_hash), j->hash);
	/* the user may have changed while the worker ran: keep that */
	if (!p->create) {
		const struct user *now = user_find(j->u, p->user.name);
		if (now) {
			char hash[sizeof(p->user.pw_hash)];
			util_copy(hash, sizeof(hash), p->user.pw_hash);
			p->user = now->u;
			util_copy(p->user.pw_hash, sizeof(p->user.pw_hash), hash);
		}
	}
	user_commit(&p->rq, &p->user, p->create, true);
}

/* Hashes password on the worker, then commits su; or commits at once. */
static void user_save(struct req *rq, const struct store_user *su, const char *password,
		      bool create)
{
	struct pending *p;
	int err;

	if (!password) {
		user_commit(rq, su, create, false);
		return;
	}
	p = pending_alloc(rq);
	if (!p) {
		reply_busy(rq, ENOMEM);
		return;
	}
	p->user = *su;
	p->create = create;
	err = pw_submit(rq->api->users, password, NULL, user_hashed, p);
	if (err)
		reply_busy(rq, err);
	mem_deref(p);
}

/* POST /api/v1/users */
void api__users_add(struct req *rq)
{
	static const char *const fields[] = {"name",	"role",	    "extension", "queues",
					     "display", "password", "disabled",	 NULL};
	json_t *body = api__body_object(rq, fields);
	const char *name, *password;
	struct store_user su;

	if (!body)
		return;
	memset(&su, 0, sizeof(su));
	name = json_string_value(json_object_get(body, "name"));
	if (!name || !name_ok(name)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "name: 1-63 of a-z 0-9 . _ - @ is required");
		goto out;
	}
	util_copy(su.name, sizeof(su.name), name);
	if (!json_object_get(body, "role") || !json_object_get(body, "password")) {
		api__reply_error(rq, 400, "Bad Request", "bad_field", "%s: required",
				 json_object_get(body, "role") ? "password" : "role");
		goto out;
	}
	if (!user_fields(rq, body, &su, &password))
		goto out;
	if (user_find(rq->api->users, su.name)) {
		api__reply_error(rq, 409, "Conflict", "conflict", "user '%s' exists",
				 su.name);
		goto out;
	}
	su.created = clock_now_ms();
	user_save(rq, &su, password, true);
out:
	json_decref(body);
}

/* PATCH /api/v1/users/{id}: any of role, extension, queues, display,
 * password, disabled. */
void api__users_patch(struct req *rq)
{
	static const char *const fields[] = {"role",	 "extension", "queues", "display",
					     "password", "disabled",  NULL};
	struct user *us = user_of_path(rq);
	const char *password;
	struct store_user su;
	json_t *body;

	if (!us)
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	su = us->u;
	if (user_fields(rq, body, &su, &password)) {
		if (!strcmp(us->u.role, "admin") && strcmp(su.role, "admin") &&
		    !strcmp(rq->who.user, su.name))
			api__reply_error(rq, 409, "Conflict", "conflict",
					 "role: an admin cannot take away its own role");
		else
			user_save(rq, &su, password, false);
	}
	json_decref(body);
}

/* list_apply may take out the element it is at: it has the next one. */
static bool session_drop_user(struct le *le, void *name)
{
	struct session *se = le->data;

	if (!strcmp(se->s.user, name))
		mem_deref(se);
	return false;
}

static bool token_drop_user(struct le *le, void *name)
{
	struct token *t = le->data;

	if (!strcmp(t->t.user, name))
		mem_deref(t);
	return false;
}

/* DELETE /api/v1/users/{id} */
void api__users_del(struct req *rq)
{
	struct api_users *u = rq->api->users;
	struct user *us = user_of_path(rq);
	int err;

	if (!us)
		return;
	if (!strcmp(rq->who.user, us->u.name)) {
		api__reply_error(rq, 409, "Conflict", "conflict",
				 "a user cannot delete itself");
		return;
	}
	err = store_user_delete(rq->api->store, us->u.name);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be stored: %s", strerror(err));
		return;
	}
	/* its sessions and tokens go with it */
	hash_apply(u->sessions, session_drop_user, us->u.name);
	hash_apply(u->tokens, token_drop_user, us->u.name);
	api__audit(rq->api, &rq->who, "user.delete", us->u.name, "%s", "");
	mem_deref(us);
	api__stream_recheck(rq->api->stream, "the user was deleted");
	api__reply_committed(rq, 204, "No Content", NULL, NULL);
}

struct unlock {
	char prefix[80]; /* "user:NAME|" */
	size_t n;
};

static bool attempt_drop_user(struct le *le, void *arg)
{
	struct unlock *ul = arg;
	struct attempt *at = le->data;

	if (!strncmp(at->key, ul->prefix, strlen(ul->prefix))) {
		ul->n += at->n;
		mem_deref(at);
	}
	return false;
}

/* POST /api/v1/users/{id}/unlock: forgets the user's failed sign-ins from
 * every address, so an address slowed down may try again at once. */
void api__users_unlock(struct req *rq)
{
	struct user *us = user_of_path(rq);
	struct unlock ul = {.n = 0};

	if (!us)
		return;
	snprintf(ul.prefix, sizeof(ul.prefix), "user:%s|", us->u.name);
	hash_apply(rq->api->users->attempts, attempt_drop_user, &ul);
	api__audit(rq->api, &rq->who, "user.unlock", us->u.name, "%zu failures forgotten",
		   ul.n);
	api__reply_committed(
	    rq, 200, "OK", NULL,
	    json_pack("{s:s,s:i}", "user", us->u.name, "failures_forgotten", (int)ul.n));
}

/* --- token routes (admin) -------------------------------------------------- */

static json_t *token_json(const struct store_token *t)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", t->id, "user", t->user, "name",
			 t->name, "created", api__time_json(t->created), "revoked",
			 api__time_json(t->revoked));
}

static bool token_add_json(struct le *le, void *arr)
{
	json_array_append_new(arr, token_json(&((struct token *)le->data)->t));
	return false;
}

void api__tokens_list(struct req *rq)
{
	json_t *arr = json_array();

	hash_apply(rq->api->users->tokens, token_add_json, arr);
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "tokens", arr));
}

/* POST /api/v1/tokens {"user","name"}: the token is in the reply, once. */
void api__tokens_add(struct req *rq)
{
	static const char *const fields[] = {"user", "name", NULL};
	struct api_users *u = rq->api->users;
	json_t *body = api__body_object(rq, fields), *o;
	const char *user, *name;
	struct token *t;
	char secret[64];
	int err;

	if (!body)
		return;
	user = json_string_value(json_object_get(body, "user"));
	name = json_string_value(json_object_get(body, "name"));
	if (!user || !user_find(u, user)) {
		api__reply_error(rq, user ? 404 : 400, user ? "Not Found" : "Bad Request",
				 user ? "not_found" : "bad_field",
				 user ? "user: no such user" : "user: required");
		goto out;
	}
	if (json_object_get(body, "name") && (!name || strlen(name) > 63)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "name: text of at most 63 characters");
		goto out;
	}
	t = mem_zalloc(sizeof(*t), entry_destructor);
	if (!t) {
		reply_busy(rq, ENOMEM);
		goto out;
	}
	secret_make(secret, sizeof(secret), "hl_");
	api__secret_hash(secret, strlen(secret), t->t.hash);
	memcpy(t->t.id, "t_", 2);
	memcpy(t->t.id + 2, t->t.hash, 16);
	util_copy(t->t.user, sizeof(t->t.user), user);
	util_copy(t->t.name, sizeof(t->t.name), name ? name : "");
	t->t.created = clock_now_ms();
	err = store_token_save(rq->api->store, &t->t);
	if (err) {
		mem_deref(t);
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be stored: %s", strerror(err));
		goto out;
	}
	hash_append(u->tokens, hash_joaat_str(t->t.hash), &t->le, t);
	api__audit(rq->api, &rq->who, "token.create", t->t.id, "user=%s name=%s", user,
		   t->t.name);
	o = token_json(&t->t);
	json_object_set_new(o, "token", json_string(secret));
	sodium_memzero(secret, sizeof(secret));
	api__reply_committed(rq, 201, "Created", NULL, o);
out:
	json_decref(body);
}

/* DELETE /api/v1/tokens/{id}: revokes (kept, marked, for the record). */
static bool token_has_id(struct le *le, void *id)
{
	return !strcmp(((struct token *)le->data)->t.id, id);
}

void api__tokens_del(struct req *rq)
{
	struct le *le = hash_apply(rq->api->users->tokens, token_has_id, rq->id);
	struct token *t = le ? le->data : NULL;

	if (t) {
		if (!t->t.revoked) {
			t->t.revoked = clock_now_ms();
			store_token_save(rq->api->store, &t->t);
			api__audit(rq->api, &rq->who, "token.revoke", t->t.id, "user=%s",
				   t->t.user);
			api__stream_recheck(rq->api->stream, "the token was revoked");
		}
		api__reply_committed(rq, 204, "No Content", NULL, NULL);
		return;
	}
	api__reply_error(rq, 404, "Not Found", "not_found", "no token '%s'", rq->id);
}

/* --- the audit log (admin) --------------------------------------------------- */

static int audit_one(const struct store_audit *au, void *arg)
{
	json_array_append_new(arg, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s}", "ts",
					     api__time_json(au->ts), "user", au->user,
					     "action", au->action, "target", au->target,
					     "detail", au->detail, "addr", au->addr));
	return 0;
}

/* GET /api/v1/audit?from&to&user&action&limit&offset */
void api__audit_list(struct req *rq)
{
	struct store_audit_filter f;
	char user[64], action[32];
	json_t *arr;

	memset(&f, 0, sizeof(f));
	if (!api__query_time(rq, "from", &f.from) || !api__query_time(rq, "to", &f.to) ||
	    !api__query_uint(rq, "limit", 1, 1000, &f.limit) ||
	    !api__query_uint(rq, "offset", 0, 1000000000, &f.offset))
		return;
	if (api__query_get(rq->msg, "user", user, sizeof(user)))
		f.user = user;
	if (api__query_get(rq->msg, "action", action, sizeof(action)))
		f.action = action;
	arr = json_array();
	if (store_audit_list(rq->api->store, &f, audit_one, arr)) {
		json_decref(arr);
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the audit log could not be read");
		return;
	}
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "entries", arr));
}

/* --- set-up ------------------------------------------------------------- */

static int load_user(const struct store_user *su, void *arg)
{
	struct api_users *u = arg;
	struct user *us = mem_zalloc(sizeof(*us), entry_destructor);

	if (!us)
		return ENOMEM;
	us->u = *su;
	hash_append(u->users, hash_joaat_str(us->u.name), &us->le, us);
	return 0;
}

static int load_token(const struct store_token *st, void *arg)
{
	struct api_users *u = arg;
	struct token *t = mem_zalloc(sizeof(*t), entry_destructor);

	if (!t)
		return ENOMEM;
	t->t = *st;
	hash_append(u->tokens, hash_joaat_str(t->t.hash), &t->le, t);
	return 0;
}

static int load_session(const struct store_session *ss, void *arg)
{
	struct api_users *u = arg;
	struct session *se = mem_zalloc(sizeof(*se), entry_destructor);

	if (!se)
		return ENOMEM;
	se->s = *ss;
	hash_append(u->sessions, hash_joaat_str(se->s.hash), &se->le, se);
	return 0;
}

/* The first admin, when there is no user: "admin" with the node's
 * admin_password (hashed here, once, before the loop runs). */
static int first_admin(struct api_users *u)
{
	const char *pw = u->api->node->admin_password;
	struct store_user su;

	if (table_count(u->users) || !pw[0])
		return 0;
	memset(&su, 0, sizeof(su));
	util_copy(su.name, sizeof(su.name), "admin");
	util_copy(su.role, sizeof(su.role), "admin");
	util_copy(su.display, sizeof(su.display), "Administrator");
	su.created = clock_now_ms();
	if (crypto_pwhash_str(su.pw_hash, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return ENOMEM;
	log_info("api: created the first user name=admin role=admin");
	return load_user(&su, u) ? ENOMEM : store_user_save(u->api->store, &su);
}

static void users_destructor(void *arg)
{
	struct api_users *u = arg;

	u->worker = mem_deref(u->worker); /* jobs not answered: freed */
	hash_flush(u->users);
	hash_flush(u->tokens);
	hash_flush(u->sessions);
	hash_flush(u->attempts);
	mem_deref(u->users);
	mem_deref(u->tokens);
	mem_deref(u->sessions);
	mem_deref(u->attempts);
}

int api__users_alloc(struct api_users **up, struct api *a)
{
	struct api_users *u;
	int err;

	if (sodium_init() < 0)
		return ENOSYS;
	u = mem_zalloc(sizeof(*u), users_destructor);
	if (!u)
		return ENOMEM;
	u->api = a;
	err = hash_alloc(&u->users, 256);
	err |= hash_alloc(&u->tokens, 256);
	err |= hash_alloc(&u->sessions, 1024);
	err |= hash_alloc(&u->attempts, 256);
	if (err) {
		err = ENOMEM;
		goto out;
	}
	/* a real hash of a random password: checking it takes as long as
	 * checking a user's */
	{
		char pw[48];
		secret_make(pw, sizeof(pw), "");
		if (crypto_pwhash_str(u->dummy_hash, pw, strlen(pw),
				      crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
			err = ENOMEM;
			goto out;
		}
	}
	err = store_user_list(a->store, load_user, u);
	if (!err)
		err = store_token_list(a->store, load_token, u);
	if (!err)
		err = store_session_list(a->store, clock_now_ms(), load_session, u);
	if (!err)
		err = store_sessions_expire(a->store, NULL, clock_now_ms());
	if (!err)
		err = first_admin(u);
	if (!err)
		err = worker_alloc(&u->worker, "hl-password", PW_JOBS_MAX, pw_run,
				   pw_done, pw_free, u);
out:
	if (err) {
		mem_deref(u);
		return err;
	}
	log_info("api: users=%u tokens=%u sessions=%u", table_count(u->users),
		 table_count(u->tokens), table_count(u->sessions));
	*up = u;
	return 0;
}

struct ext_user {
	const char *ext;
	const struct user *u;
};

static bool user_has_ext(struct le *le, void *arg)
{
	const struct user *o = le->data;
	struct ext_user *f = arg;

	if (strcmp(o->u.extension, f->ext))
		return false;
	f->u = o;
	return true;
}

bool api__monitor_ok(const char *ext, const char *queue, void *arg)
{
	struct api *a = arg;
	struct ext_user f = {ext, NULL};
	struct api_who who;

	if (!ext || !*ext || !a->users)
		return false;
	(void)hash_apply(a->users->users, user_has_ext, &f);
	if (!f.u)
		return false;
	memset(&who, 0, sizeof(who));
	who_fill(&who, &f.u->u);
	return who.role != ROLE_AGENT && api__sees_queue(a, &who, queue);
}
