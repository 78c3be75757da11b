/*
 * api.h — the HTTP face: REST API under /api/v1 (JSON), /health, and the
 * routing, limits and errors libre's HTTP server lacks.
 */
#ifndef HOTLINE_API_H
#define HOTLINE_API_H

struct api;
struct store;
struct cfg_node;
struct cfg_tenant;
struct acd;
struct acd_stats;
struct registrar;
struct callctl;
struct app;

/* Listens on node->http_listen. Requests under /api/v1 need
 * "Authorization: Bearer <node->api_token>". stats holds today's live
 * figures (fed by the event bus); calls places click-to-call calls; reg
 * and calls may be NULL. */
int api_alloc(struct api **ap, const struct cfg_node *node, struct app *app,
	      struct store *st, struct acd *acd, struct acd_stats *stats,
	      struct registrar *reg, struct callctl *calls);
/* Reads the tenant file again and applies it (SIGHUP; POST
 * /api/v1/tenant/reload does the same for the API). Errors are logged
 * with their lines and change nothing; audited as user "signal". */
int api_tenant_reload(struct api *a);
/* The web chat's routes and visitor socket serve svc. */
struct chat_svc;
int api_chat_set(struct api *a, struct chat_svc *svc);

/* GET /sip relays browsers' SIP over WebSocket through s (sip.h). */
struct sipws;
void api_sipws_set(struct api *a, struct sipws *s);

#endif
