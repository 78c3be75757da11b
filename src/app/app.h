/*
 * app.h — the running services of one hotline, tied together: what
 * touches them all at once lives here, above the services and below the
 * adapters that ask for it (the HTTP routes, SIGHUP, start-up). Today
 * that is applying a tenant.
 *
 * Not in src/core: the core is the innermost layer (logging, clocks,
 * events, configuration) and depends on no service; applying a tenant
 * depends on every one.
 */
#ifndef HOTLINE_APP_H
#define HOTLINE_APP_H

#include <stdbool.h>

struct cfg_node;
struct cfg_tenant;
struct cfg_errors;
struct store;
struct registrar;
struct acd;
struct acd_stats;
struct callctl;
struct app;

/* The services a tenant is applied to (calls and reg may be NULL). */
struct app_services {
	const struct cfg_node *node;
	struct store *store;
	struct registrar *reg;
	struct acd *acd;
	struct acd_stats *stats;
	struct callctl *calls;
};

/* What cannot change under live calls, for the next start. */
typedef void(app_later_h)(const char *what, void *arg);

/*
 * A part of another layer that keeps the tenant too (the API: its copy
 * and caches, the ticket engine it owns). Called twice per apply: with
 * applied false before the tenant takes effect (non-zero: the apply
 * stops with that error), with applied true after it did.
 */
typedef int(app_tenant_h)(const struct cfg_tenant *t, bool applied, void *arg);

int app_alloc(struct app **ap, const struct app_services *s, const struct cfg_tenant *t);
/* One watcher (NULL: none). */
void app_watch(struct app *a, app_tenant_h *h, void *arg);
/* The tenant in force. */
const struct cfg_tenant *app_tenant(const struct app *a);

/*
 * Reads and checks a tenant file, the media it names looked up under the
 * node's data directory: what start-up and a reload both do. Errors, with
 * their lines, go into errs.
 */
int app_tenant_load(struct cfg_tenant **tp, const char *file, const char *data_dir,
		    struct cfg_errors *errs);
/*
 * Makes or loads t's prompts and music for the calls, the part that can
 * fail without a trace: a file whose media cannot be used is refused
 * before it is saved. app_tenant_unprepare goes back to the tenant in
 * force.
 */
int app_tenant_prepare(struct app *a, const struct cfg_tenant *t);
void app_tenant_unprepare(struct app *a);
/*
 * Applies t across the services at once: its published SIP passwords
 * replaced, prompts and music, the routing engine (queues, agents,
 * members), the watcher, the registrar, the dial guard, the service-level
 * thresholds; queue.updated and agent.updated for each changed one (by:
 * who). What waits for the next start is told to later. 0, or the first
 * error (the tenant in force stays).
 */
int app_tenant_apply(struct app *a, struct cfg_tenant *t, app_later_h *later, void *arg,
		     const char *by);
/* The tenant file read again (app_tenant_load) and applied; errors are
 * logged with their lines and change nothing. */
int app_tenant_reload(struct app *a, const char *by);

#endif
