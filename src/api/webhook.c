/*
 * webhook.c — outgoing webhooks: an integrator registers a URL and the
 * event types it wants; every such event is POSTed to it as JSON, signed
 * with HMAC-SHA256 of its secret (X-Hotline-Signature: sha256=HEX), and
 * retried with backoff (1, 2, 4, 8, 16 s) until it is taken (2xx).
 *
 * The main loop only queues deliveries; a worker (core/worker.h) sends
 * them with libcurl, so a slow or dead receiver never stalls anything. The
 * queue is bounded: beyond it new deliveries are dropped, counted and
 * logged once per episode.
 *
 * Not here: the routes and their validation messages (api.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_mem.h>
#include "core/core.h"
#include "core/worker.h"
#include "store/store.h"
#include "api/api_int.h"

#define QUEUE_MAX    10000
#define ATTEMPTS     6 /* the first and five retries */
#define TIMEOUT_MS   5000
#define MAX_WEBHOOKS 64

struct delivery {
	char id[ID_LEN];
	char url[512];
	char secret[80];
	char type[48];
	char *body;
	unsigned attempt;
};

struct api_webhooks {
	struct store *store;
	struct store_webhook hooks[MAX_WEBHOOKS];
	size_t hookc;
	struct worker *worker; /* sends them */
	CURL *curl;	       /* the worker's */
	bool full_logged;
	pthread_mutex_t lock; /* the counters */
	uint64_t delivered, failed, dropped, retried;
};

static void delivery_free(struct delivery *d)
{
	free(d->body);
	free(d);
}

/* HMAC-SHA256 of body with secret, as lower-case hex. */
static void sign(const char *secret, const char *body, char hex[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One POST; 0 when the receiver took it (2xx). Worker thread. */
static int post(CURL *c, const struct delivery *d)
{
	struct curl_slist *h = NULL;
	char line[160], sig[65];
	long code = 0;
	CURLcode rc;

	sign(d->secret, d->body, sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Hotline-Signature: sha256=%s", sig);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Hotline-Event: %s", d->type);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Hotline-Delivery: %s", d->id);
	h = curl_slist_append(h, line);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, d->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hotline-webhook/1");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		log_info("webhook: delivery=%s to=%s attempt=%u failed: %s", d->id,
			 d->url, d->attempt + 1, curl_easy_strerror(rc));
		return EIO;
	}
	if (code < 200 || code > 299) {
		log_info("webhook: delivery=%s to=%s attempt=%u got %ld", d->id, d->url,
			 d->attempt + 1, code);
		return EIO;
	}
	return 0;
}

/* On the worker: one attempt; a failed one again after 1, 2, 4, 8, 16 s. */
static uint64_t delivery_run(void *job, void *arg)
{
	struct api_webhooks *w = arg;
	struct delivery *d = job;
	int err;

	if (!w->curl)
		w->curl = curl_easy_init(); /* the worker's own */
	err = w->curl ? post(w->curl, d) : ENOMEM;
	pthread_mutex_lock(&w->lock);
	if (!err) {
		w->delivered++;
	} else if (++d->attempt < ATTEMPTS) {
		w->retried++;
		pthread_mutex_unlock(&w->lock);
		return 1000ULL << (d->attempt - 1);
	} else {
		log_warn("webhook: delivery=%s to=%s type=%s given up after %u "
			 "attempts",
			 d->id, d->url, d->type, d->attempt);
		w->failed++;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static void delivery_free_h(void *job)
{
	delivery_free(job);
}

/* The event's text with the delivery's id first: {"id":"...","ts":...}.
 * The event is encoded once for every hook and the stream; the id, our
 * own base32, needs no escaping. */
static char *event_body(const struct hl_event *ev, const char *id)
{
	char *own, *s = NULL;
	const char *text = event_json(ev, &own);
	size_t n;

	if (text && *text == '{') {
		n = strlen(id) + strlen(text) + 16;
		s = malloc(n);
		if (s)
			snprintf(s, n, "{\"id\":\"%s\",%s", id, text + 1);
	}
	free(own);
	return s;
}

static void event_handler(const struct hl_event *ev, void *arg)
{
	api__webhooks_deliver(arg, ev);
}

void api__webhooks_deliver(struct api_webhooks *w, const struct hl_event *ev)
{
	if (!w || !ev->name)
		return;
	for (size_t i = 0; i < w->hookc; i++) {
		struct delivery *d;

		if (!util_prefix_match(w->hooks[i].types, ev->name))
			continue;
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		id_new(d->id);
		util_copy(d->url, sizeof(d->url), w->hooks[i].url);
		util_copy(d->secret, sizeof(d->secret), w->hooks[i].secret);
		util_copy(d->type, sizeof(d->type), ev->name);
		d->body = event_body(ev, d->id);
		if (!d->body) {
			free(d);
			return;
		}
		if (worker_push(w->worker, d)) {
			pthread_mutex_lock(&w->lock);
			w->dropped++;
			pthread_mutex_unlock(&w->lock);
			if (!w->full_logged)
				log_warn(
				    "webhook: %d deliveries waiting, dropping new ones",
				    QUEUE_MAX);
			w->full_logged = true;
			delivery_free(d);
			continue;
		}
		w->full_logged = false;
	}
}

static int load_one(const struct store_webhook *h, void *arg)
{
	struct api_webhooks *w = arg;

	if (w->hookc < MAX_WEBHOOKS)
		w->hooks[w->hookc++] = *h;
	return 0;
}

static void webhooks_destructor(void *arg)
{
	struct api_webhooks *w = arg;
	size_t queued = worker_pending(w->worker);

	event_unsubscribe(event_handler, w);
	if (queued)
		log_info("webhook: %zu deliveries not sent at shutdown", queued);
	w->worker = mem_deref(w->worker); /* the one being sent finishes */
	if (w->curl)
		curl_easy_cleanup(w->curl);
	pthread_mutex_destroy(&w->lock);
}

int api__webhooks_alloc(struct api_webhooks **wp, struct store *st)
{
	struct api_webhooks *w = mem_zalloc(sizeof(*w), webhooks_destructor);
	int err;

	if (!w)
		return ENOMEM;
	w->store = st;
	/* once, on the main thread, before any worker uses curl */
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		mem_deref(w);
		return EIO;
	}
	pthread_mutex_init(&w->lock, NULL);
	err = store_webhook_list(st, load_one, w);
	if (!err)
		err = worker_alloc(&w->worker, "hl-webhook", QUEUE_MAX, delivery_run,
				   NULL, delivery_free_h, w);
	if (!err)
		err = event_subscribe(event_handler, w);
	if (err) {
		mem_deref(w);
		return err;
	}
	log_info("webhook: %zu registered", w->hookc);
	*wp = w;
	return 0;
}

int api__webhook_add(struct api_webhooks *w, const char *url, const char *types,
		     const char *secret, struct store_webhook *out)
{
	struct store_webhook h;
	unsigned char raw[16];
	char id[ID_LEN];
	int err;

	if (w->hookc >= MAX_WEBHOOKS)
		return ENOSPC;
	memset(&h, 0, sizeof(h));
	id_new(id);
	util_copy(h.id, sizeof(h.id), id);
	util_copy(h.url, sizeof(h.url), url);
	util_copy(h.types, sizeof(h.types), types);
	if (secret && *secret) {
		util_copy(h.secret, sizeof(h.secret), secret);
	} else {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(h.secret, sizeof(h.secret), raw, sizeof(raw));
	}
	h.created = clock_now_ms();
	err = store_webhook_save(w->store, &h);
	if (err)
		return err;
	w->hooks[w->hookc++] = h;
	if (out)
		*out = h;
	log_info("webhook: added id=%s url=%s types=%s", h.id, h.url, h.types);
	return 0;
}

int api__webhook_del(struct api_webhooks *w, const char *id)
{
	for (size_t i = 0; i < w->hookc; i++) {
		if (strcmp(w->hooks[i].id, id))
			continue;
		memmove(&w->hooks[i], &w->hooks[i + 1],
			(w->hookc - i - 1) * sizeof(w->hooks[0]));
		w->hookc--;
		log_info("webhook: removed id=%s", id);
		return store_webhook_delete(w->store, id);
	}
	return ENOENT;
}

const struct store_webhook *api__webhook_at(const struct api_webhooks *w, size_t i)
{
	return w && i < w->hookc ? &w->hooks[i] : NULL;
}

void api__webhook_counts(struct api_webhooks *w, uint64_t *delivered, uint64_t *failed,
			 uint64_t *dropped, uint64_t *queued)
{
	pthread_mutex_lock(&w->lock);
	*delivered = w->delivered;
	*failed = w->failed;
	*dropped = w->dropped;
	pthread_mutex_unlock(&w->lock);
	*queued = worker_pending(w->worker);
}
