/*
 * api_int.h — what the files of src/api share (api.c, stream.c).
 */
#ifndef HOTLINE_API_INT_H
#define HOTLINE_API_INT_H

#include <stdbool.h>
#include <stddef.h>

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
size_t api__stream_clients(const struct api_stream *s);

#endif
