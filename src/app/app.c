/*
 * app.c — applying a tenant across the running services as one
 * operation: the HTTP routes (save, reload), SIGHUP and start-up all come
 * here instead of each knowing the services. It owns the tenant in force
 * and the order in which the services take a new one; what each service
 * does with it is the service's.
 *
 * Not here: parsing and checking a tenant file (core/cfg), editing its
 * text (core/cfg_edit), the routes and their answers (api/tenant.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "acd/acd.h"
#include "sip/sip.h"
#include "safe/safe.h"
#include "app/app.h"

struct app {
	struct app_services s;
	const struct cfg_tenant *tenant; /* in force, referenced */
	app_tenant_h *watch_h;
	void *watch_arg;
};

static void app_destructor(void *arg)
{
	struct app *a = arg;

	mem_deref((void *)a->tenant);
}

int app_alloc(struct app **ap, const struct app_services *s, const struct cfg_tenant *t)
{
	struct app *a;

	if (!ap || !s || !s->node || !s->acd || !s->stats || !t)
		return EINVAL;
	a = mem_zalloc(sizeof(*a), app_destructor);
	if (!a)
		return ENOMEM;
	a->s = *s;
	a->tenant = mem_ref((void *)t);
	*ap = a;
	return 0;
}

void app_watch(struct app *a, app_tenant_h *h, void *arg)
{
	if (!a)
		return;
	a->watch_h = h;
	a->watch_arg = arg;
}

const struct cfg_tenant *app_tenant(const struct app *a)
{
	return a ? a->tenant : NULL;
}

int app_tenant_load(struct cfg_tenant **tp, const char *file, const char *data_dir,
		    struct cfg_errors *errs)
{
	struct cfg_tenant *t = NULL;
	int err = cfg_tenant_load(&t, file, errs);

	if (!err)
		err = cfg_tenant_media(t, data_dir, errs);
	if (err) {
		mem_deref(t);
		return err;
	}
	*tp = t;
	return 0;
}

int app_tenant_prepare(struct app *a, const struct cfg_tenant *t)
{
	if (!a || !t)
		return EINVAL;
	return a->s.calls ? callctl_tenant_set(a->s.calls, t) : 0;
}

void app_tenant_unprepare(struct app *a)
{
	if (a && a->s.calls)
		(void)callctl_tenant_set(a->s.calls, a->tenant);
}

/* Has the queue's configuration changed from old (it is new, or any of
 * its settings is)? */
static bool queue_changed(const struct cfg_tenant *old, const struct cfg_queue *q)
{
	const struct cfg_queue *o = cfg_queue_find(old, q->name);
	struct cfg_queue *x;
	bool changed = true;

	if (!o)
		return true;
	x = malloc(2 * sizeof(*x));
	if (x) {
		memcpy(&x[0], o, sizeof(*x)); /* bytes, padding included */
		memcpy(&x[1], q, sizeof(*x));
		x[0].line = x[1].line = 0;
		changed = memcmp(&x[0], &x[1], sizeof(*x)) != 0;
		free(x);
	}
	return changed;
}

/* Is the agent new or changed from old (name, password, skills, capacity)? */
static bool agent_changed(const struct cfg_tenant *old, const struct cfg_agent *ag)
{
	const struct cfg_agent *o = cfg_agent_find(old, ag->ext);
	struct cfg_agent x, y;

	if (!o)
		return true;
	/* byte copies: both come zeroed from the parser, padding included */
	memcpy(&x, o, sizeof(x));
	memcpy(&y, ag, sizeof(y));
	x.line = y.line = 0;
	return memcmp(&x, &y, sizeof(x)) != 0;
}

static void later_none(const char *what, void *arg)
{
	(void)what;
	(void)arg;
}

int app_tenant_apply(struct app *a, struct cfg_tenant *t, app_later_h *later, void *arg,
		     const char *by)
{
	const struct cfg_tenant *old;
	int err;

	if (!a || !t)
		return EINVAL;
	if (!later)
		later = later_none;
	old = a->tenant;
	/* a published SIP password in the new file gets its generated one */
	err = safe_secrets_tenant(t);
	/* first what can fail without a trace: prompts and music */
	if (!err)
		err = app_tenant_prepare(a, t);
	if (!err)
		err = acd_apply_tenant(a->s.acd, t, clock_now_ms(), later, arg);
	/* the ticket engine borrows the tenant: it changes with the API's */
	if (!err && a->watch_h)
		err = a->watch_h(t, false, a->watch_arg);
	if (err)
		return err;
	if (a->s.reg)
		registrar_tenant_set(a->s.reg, t);
	(void)safe_dial_tenant(t);
	for (size_t i = 0; i < t->queuec; i++)
		(void)acd_stats_threshold(a->s.stats, t->queuev[i].name,
					  t->queuev[i].sl_threshold_ms);
	if (strcmp(old->crm_lookup_url, t->crm_lookup_url) ||
	    old->crm_lookup_timeout_ms != t->crm_lookup_timeout_ms ||
	    old->crm_lookup_cache_ms != t->crm_lookup_cache_ms)
		later("crm.lookup changes at the next start", arg);
	/* a wallboard shows a changed queue again (its figures follow) */
	for (size_t i = 0; i < t->queuec; i++) {
		if (queue_changed(old, &t->queuev[i]))
			event_emit_pack(EVENT_QUEUE_UPDATED, NULL, NULL,
					t->queuev[i].name, "{s:s}", "by", by);
	}
	for (size_t i = 0; i < t->agentc; i++) {
		if (agent_changed(old, &t->agentv[i]))
			event_emit_pack(EVENT_AGENT_UPDATED, NULL, t->agentv[i].ext, NULL,
					"{s:s}", "by", by);
	}
	a->tenant = mem_ref(t);
	err = a->watch_h ? a->watch_h(t, true, a->watch_arg) : 0;
	mem_deref((void *)old);
	return err;
}

static void later_log(const char *what, void *arg)
{
	(void)arg;
	log_warn("tenant: at the next start: %s", what);
}

int app_tenant_reload(struct app *a, const char *by)
{
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	struct cfg_tenant *t = NULL;
	char file[CFG_PATH];
	int err = errs ? 0 : ENOMEM;

	if (!a) {
		free(errs);
		return EINVAL;
	}
	/* the file's name, kept: applying frees the tenant it is in */
	util_copy(file, sizeof(file), a->tenant->file);
	if (!err)
		err = app_tenant_load(&t, file, a->s.node->data_dir, errs);
	for (size_t i = 0; errs && i < errs->msgc; i++)
		log_error("%s", errs->msgv[i]);
	if (!err)
		err = app_tenant_apply(a, t, later_log, NULL, by);
	mem_deref(t);
	if (err)
		log_error("tenant: not reloaded file=%s: %s; nothing changed", file,
			  strerror(err));
	else
		log_info("tenant: reloaded file=%s", file);
	free(errs);
	return err;
}
