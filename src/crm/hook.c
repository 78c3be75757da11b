/*
 * hook.c — the customer lookup hook, for sites whose CRM lives elsewhere:
 * Hotline asks an HTTP endpoint (crm.lookup.url, the number in place of
 * {number}) who is behind a caller number, and the answer ({"id",
 * "name", "tier"}; 404 for nobody) does what a local customer does: the
 * tier's priority in the queues, the name in the screen pop.
 *
 * The main loop never waits: a worker (core/worker.h) asks with libcurl (a
 * short timeout) on its thread, answers come back to the main loop and are kept for
 * crm.lookup.cache (nobody-found too), so a caller who rings again is not
 * asked about twice. An answer that comes after the timeout is dropped.
 *
 * Not here: local customers (crm.c, the store).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_mem.h>
#include <re_list.h>
#include <re_hash.h>
#include "core/core.h"
#include "core/worker.h"
#include "core/cfg.h"
#include "crm/crm.h"

#define ASKS_MAX  256 /* waiting for the worker; beyond: not asked */
#define CACHE_MAX 100000

struct ask {
	struct crm_hook *h;
	char number[32];
	int err; /* 0: found; ENOENT: nobody; else failed */
	struct crm_match m;
};

struct cached {
	struct le le;
	char number[32];
	int err;
	struct crm_match m;
	uint64_t expires;
};

/* A caller waiting for an answer about number. */
struct waiter {
	struct le le;
	char number[32];
	crm_hook_h *cb;
	void *arg; /* referenced */
};

struct crm_hook {
	const struct cfg_tenant *t;
	char url[256];
	uint32_t timeout_ms, cache_ms;
	struct hash *cache;
	size_t cachec; /* entries made; the cache starts over at CACHE_MAX */
	struct list waiters;
	struct worker *worker;
	CURL *curl; /* the worker's */
};

struct body {
	char buf[4096];
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n;

	if (b->len + len >= sizeof(b->buf))
		return 0; /* too big: the transfer fails */
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	return len;
}

/* On the worker: the request and its answer. */
static uint64_t ask_run(void *job, void *arg)
{
	struct ask *a = job;
	struct crm_hook *h = arg;
	char url[512], *num;
	const char *at = strstr(h->url, "{number}");
	struct body b = {.len = 0};
	json_error_t jerr;
	json_t *o;
	long code = 0;
	CURLcode rc;

	num = curl_easy_escape(h->curl, a->number, 0);
	if (at)
		snprintf(url, sizeof(url), "%.*s%s%s", (int)(at - h->url), h->url,
			 num ? num : "", at + 8);
	else
		snprintf(url, sizeof(url), "%s", h->url);
	curl_free(num);
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "hotline-lookup/1");
	rc = curl_easy_perform(h->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK || (code != 200 && code != 404)) {
		log_warn("crm: lookup failed: %s",
			 rc != CURLE_OK ? curl_easy_strerror(rc) : "not 200 or 404");
		a->err = EIO;
		return 0;
	}
	if (code == 404) {
		a->err = ENOENT;
		return 0;
	}
	b.buf[b.len] = '\0';
	o = json_loads(b.buf, 0, &jerr);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "name"))) {
		log_warn("crm: lookup answer is not {\"id\",\"name\",\"tier\"}");
		json_decref(o);
		a->err = EIO;
		return 0;
	}
	/* text as any sender's (util_text_check): an answer with a field
	 * that is not is refused, never rewritten (jansson already refused
	 * what is not UTF-8) */
	for (size_t i = 0; i < 3; i++) {
		static const char *const keys[] = {"id", "name", "tier"};
		const char *v = json_string_value(json_object_get(o, keys[i])), *why;

		if (v && util_text_check(v, 0, 0, &why)) {
			log_warn("crm: lookup answer refused: %s: %s", keys[i], why);
			json_decref(o);
			a->err = EIO;
			return 0;
		}
	}
	util_copy(a->m.customer, sizeof(a->m.customer),
		  json_string_value(json_object_get(o, "id")) ?: "");
	util_copy(a->m.name, sizeof(a->m.name),
		  json_string_value(json_object_get(o, "name")));
	util_copy(a->m.tier, sizeof(a->m.tier),
		  json_string_value(json_object_get(o, "tier")) ?: "");
	json_decref(o);
	a->err = 0;
	return 0;
}

static bool cached_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct cached *)le->data)->number, arg);
}

static void cached_destructor(void *arg)
{
	list_unlink(&((struct cached *)arg)->le);
}

static void waiter_destructor(void *arg)
{
	struct waiter *w = arg;

	list_unlink(&w->le);
	mem_deref(w->arg);
}

/* The tier's priority, from the tenant (0 for a tier it does not have). */
static void priority_set(const struct crm_hook *h, struct crm_match *m)
{
	const struct cfg_tier *tier = cfg_tier_find(h->t, m->tier);
	m->priority = tier ? tier->priority : 0;
}

/* On the main loop: keep the answer, tell whoever waits for it. */
static void answer_h(void *job, void *arg)
{
	struct crm_hook *h = arg;
	struct ask *a = job;
	struct cached *c;
	struct le *le;

	if (!a->err)
		priority_set(h, &a->m);
	le = hash_lookup(h->cache, hash_joaat_str(a->number), cached_cmp, a->number);
	c = le ? le->data : NULL;
	if (!c && a->err != EIO) {
		if (++h->cachec > CACHE_MAX) {
			hash_flush(h->cache);
			h->cachec = 1;
		}
		c = mem_zalloc(sizeof(*c), cached_destructor);
		if (c) {
			util_copy(c->number, sizeof(c->number), a->number);
			hash_append(h->cache, hash_joaat_str(c->number), &c->le, c);
		}
	}
	if (c) {
		c->err = a->err;
		c->m = a->m;
		c->expires = clock_mono_ms() + h->cache_ms;
	}
	le = list_head(&h->waiters);
	while (le) {
		struct waiter *w = le->data;
		le = le->next;
		if (strcmp(w->number, a->number))
			continue;
		w->cb(a->err, a->err ? NULL : &a->m, w->arg);
		mem_deref(w);
	}
}

int crm_hook_ask(struct crm_hook *h, const char *number, crm_hook_h *cb, void *arg)
{
	struct waiter *w;
	struct ask *a;
	struct le *le;
	bool asking = false;

	if (!h || !number || !cb)
		return EINVAL;
	le = hash_lookup(h->cache, hash_joaat_str(number), cached_cmp, (void *)number);
	if (le) {
		struct cached *c = le->data;
		if (c->expires > clock_mono_ms()) {
			cb(c->err, c->err ? NULL : &c->m, arg);
			return 0;
		}
		mem_deref(c);
	}
	for (le = list_head(&h->waiters); le && !asking; le = le->next)
		asking = !strcmp(((struct waiter *)le->data)->number, number);
	w = mem_zalloc(sizeof(*w), waiter_destructor);
	if (!w)
		return ENOMEM;
	util_copy(w->number, sizeof(w->number), number);
	w->cb = cb;
	w->arg = mem_ref(arg);
	if (!asking) {
		int err;

		a = calloc(1, sizeof(*a));
		if (!a) {
			mem_deref(w);
			return ENOMEM;
		}
		a->h = h;
		util_copy(a->number, sizeof(a->number), number);
		err = worker_push(h->worker, a);
		if (err) {
			free(a);
			mem_deref(w);
			return err; /* EBUSY: ASKS_MAX waiting */
		}
	}
	list_append(&h->waiters, &w->le, w);
	return 0;
}

static void hook_destructor(void *arg)
{
	struct crm_hook *h = arg;

	/* stops its thread (which uses curl); answers not handed back are
	 * lost with it */
	h->worker = mem_deref(h->worker);
	list_flush(&h->waiters);
	hash_flush(h->cache);
	mem_deref(h->cache);
	if (h->curl)
		curl_easy_cleanup(h->curl);
}

void crm_hook_tenant_set(struct crm_hook *h, const struct cfg_tenant *t)
{
	if (h && t)
		h->t = t;
}

int crm_hook_alloc(struct crm_hook **hp, const struct cfg_tenant *t)
{
	struct crm_hook *h;
	int err;

	if (!hp || !t)
		return EINVAL;
	*hp = NULL;
	if (!t->crm_lookup_url[0])
		return 0;
	h = mem_zalloc(sizeof(*h), hook_destructor);
	if (!h)
		return ENOMEM;
	h->t = t;
	util_copy(h->url, sizeof(h->url), t->crm_lookup_url);
	h->timeout_ms = t->crm_lookup_timeout_ms;
	h->cache_ms = t->crm_lookup_cache_ms;
	list_init(&h->waiters);
	h->curl = curl_easy_init();
	err = h->curl ? hash_alloc(&h->cache, 1024) : ENOMEM;
	if (!err)
		err = worker_alloc(&h->worker, "hl-crm", ASKS_MAX, ask_run, answer_h,
				   free, h);
	if (err) {
		mem_deref(h);
		return err;
	}
	log_info("crm: lookup hook url=%s timeout=%ums", h->url, h->timeout_ms);
	*hp = h;
	return 0;
}
