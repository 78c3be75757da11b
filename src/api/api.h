/*
 * api.h — the HTTP face: REST API under /api/v1 (JSON), /health, and the
 * routing, limits and errors libre's HTTP server lacks.
 */
#ifndef HOTLINE_API_H
#define HOTLINE_API_H

struct api;
struct store;
struct cfg_node;

/* Listens on node->http_listen. Requests under /api/v1 need
 * "Authorization: Bearer <node->api_token>". */
int api_alloc(struct api **ap, const struct cfg_node *node, struct store *st);

#endif
