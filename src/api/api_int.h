/*
 * api_int.h — what the files of src/api share (api.c, stream.c).
 */
#ifndef HOTLINE_API_INT_H
#define HOTLINE_API_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct api;
struct api_stream;
struct http_conn;
struct http_msg;

/* The queue now (waiting, agents by state, today's figures) as JSON
 * text, malloc'd; NULL for an unknown queue. */
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
int api__stream_accept(struct api_stream *s, struct http_conn *conn,
		       const struct http_msg *msg, const char *types);

/*
 * Outgoing webhooks (webhook.c): loaded from the store, fed by the event
 * bus, delivered by a worker thread.
 */
struct api_webhooks;
struct store;
struct store_webhook;
int api__webhooks_alloc(struct api_webhooks **wp, struct store *st);
/* Registers a webhook (url and types already checked); a secret is made
 * when none is given. ENOSPC: too many. */
int api__webhook_add(struct api_webhooks *w, const char *url, const char *types,
		     const char *secret, struct store_webhook *out);
/* ENOENT: no such webhook. */
int api__webhook_del(struct api_webhooks *w, const char *id);
const struct store_webhook *api__webhook_at(const struct api_webhooks *w, size_t i);
void api__webhook_counts(struct api_webhooks *w, uint64_t *delivered, uint64_t *failed,
			 uint64_t *dropped, uint64_t *queued);

#endif
