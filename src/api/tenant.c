/*
 * tenant.c — the tenant's configuration as text, for the admin page:
 * export it, check a changed version (every error with its line, as
 * `hotline check-config` gives them), and save it (checked first; the
 * file replaced atomically, the old one kept as .bak; audited) and apply
 * it at once: queues, agents, members, flows, numbers, hours, codes and
 * ticket policies change without a restart. Callers in a flow finish it
 * as it was; what cannot change under live calls (a queue or agent taken
 * out, a queue's channel, the CRM hook's address) is listed in the reply
 * and waits for the next start.
 *
 * Not here: reading and checking YAML (core/cfg).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_edit.h"
#include "acd/acd.h"
#include "sip/sip.h"
#include "ticket/ticket.h"
#include "api/api_int.h"

#define TENANT_MAX (512 * 1024)

/* The tenant file's text (malloc'd, NUL-ended); NULL after replying 503. */
static char *tenant_read(struct req *rq, size_t *lenp)
{
	char *buf = malloc(TENANT_MAX + 1);
	FILE *f = fopen(rq->api->tenant->file, "rb");
	size_t len = 0;

	if (f && buf)
		len = fread(buf, 1, TENANT_MAX + 1, f);
	if (f)
		fclose(f);
	if (!f || !buf || len > TENANT_MAX) {
		free(buf);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the tenant file could not be read");
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* GET /api/v1/tenant: the tenant file as text (YAML). */
void api__tenant_get(struct req *rq)
{
	size_t len;
	char *buf = tenant_read(rq, &len);

	if (!buf)
		return;
	http_reply(rq->conn, 200, "OK",
		   "Content-Type: application/yaml; charset=utf-8\r\n"
		   "Content-Disposition: attachment; filename=\"tenant.yaml\"\r\n"
		   "Content-Length: %zu\r\n\r\n%b",
		   len, buf, len);
	free(buf);
}

/*
 * Checks the request's body as a tenant file. The errors, each with its
 * line, go into a JSON array (NULL when the text is good); the text's
 * relative paths are taken from where the tenant file is.
 */
static json_t *tenant_check(struct req *rq, const char *text, size_t len,
			    struct cfg_tenant **tp)
{
	const char *name = rq->api->tenant->file;
	struct cfg_tenant *t = NULL;
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	json_t *arr;
	size_t nl = strlen(name);

	if (!errs)
		return json_array();
	if (!cfg_tenant_parse(&t, name, text, len, errs)) {
		if (tp)
			*tp = t;
		else
			mem_deref(t);
		free(errs);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < errs->msgc && i < 32; i++) {
		/* "file:line: key: message" */
		const char *m = errs->msgv[i], *key, *msg;
		long line = 0;

		if (!strncmp(m, name, nl) && m[nl] == ':') {
			line = strtol(m + nl + 1, (char **)&key, 10);
			key += *key == ':' ? 2 : 0;
		} else {
			key = m;
		}
		msg = strstr(key, ": ");
		json_array_append_new(
		    arr, json_pack("{s:i,s:s%,s:s}", "line", (int)line, "key", key,
				   msg ? (size_t)(msg - key) : strlen(key), "message",
				   msg ? msg + 2 : key));
	}
	if (!json_array_size(arr))
		json_array_append_new(arr,
				      json_pack("{s:i,s:s,s:s}", "line", 0, "key", "file",
						"message", "not a valid tenant file"));
	free(errs);
	return arr;
}

/* 422 with the tenant file's errors (each with its line). */
static void reply_invalid(struct req *rq, const char *message, json_t *errs)
{
	api__reply_json(rq, 422, "Unprocessable Entity",
			json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "invalid_tenant",
				  "message", message, "errors", errs));
}

/* The body as text; false after replying 400. */
static bool body_text(struct req *rq, const char **textp, size_t *lenp)
{
	if (!rq->msg->mb || !mbuf_get_left(rq->msg->mb)) {
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "the body must be the tenant file (YAML)");
		return false;
	}
	*textp = (const char *)mbuf_buf(rq->msg->mb);
	*lenp = mbuf_get_left(rq->msg->mb);
	return true;
}

/* POST /api/v1/tenant/check: 200 {"ok":true}, or 422 with the errors. */
void api__tenant_check(struct req *rq)
{
	const char *text;
	size_t len;
	json_t *errs;

	if (!body_text(rq, &text, &len))
		return;
	errs = tenant_check(rq, text, len, NULL);
	if (!errs)
		api__reply_json(rq, 200, "OK", json_pack("{s:b}", "ok", true));
	else
		reply_invalid(rq, "the tenant file has errors", errs);
}

static void later_add(const char *what, void *arg)
{
	json_array_append_new(arg, json_string(what));
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
		x[0] = *o;
		x[1] = *q;
		x[0].line = x[1].line = 0;
		changed = memcmp(&x[0], &x[1], sizeof(*x)) != 0;
		free(x);
	}
	return changed;
}

int api__tenant_apply(struct api *a, struct cfg_tenant *t, json_t *later, const char *by)
{
	const struct cfg_tenant *old = a->tenant;
	int err = 0;

	/* first what can fail without a trace: prompts and music */
	if (a->calls)
		err = callctl_tenant_set(a->calls, t);
	if (!err)
		err = acd_apply_tenant(a->acd, t, clock_now_ms(), later_add, later);
	/* the ticket engine borrows the tenant: it changes with the API's */
	if (!err)
		err = tickets_tenant_set(api__tickets_engine(a), t);
	if (err)
		return err;
	if (a->reg)
		registrar_tenant_set(a->reg, t);
	for (size_t i = 0; i < t->queuec; i++)
		(void)acd_stats_threshold(a->stats, t->queuev[i].name,
					  t->queuev[i].sl_threshold_ms);
	if (strcmp(old->crm_lookup_url, t->crm_lookup_url) ||
	    old->crm_lookup_timeout_ms != t->crm_lookup_timeout_ms ||
	    old->crm_lookup_cache_ms != t->crm_lookup_cache_ms)
		later_add("crm.lookup changes at the next start", later);
	/* a wallboard shows a changed queue again (its figures follow) */
	for (size_t i = 0; i < t->queuec; i++) {
		if (queue_changed(old, &t->queuev[i]))
			event_emitf("queue.updated", NULL, NULL, t->queuev[i].name,
				    "{\"by\":\"%s\"}", by);
	}
	a->tenant = mem_ref(t);
	mem_deref((void *)old);
	return api__queues_changed(a);
}

/* POST /api/v1/tenant/reload: the file as it is on disk (edited by hand),
 * checked and applied; 422 with its errors changes nothing. */
void api__tenant_reload(struct req *rq)
{
	const char *path = rq->api->tenant->file;
	struct cfg_tenant *t = NULL;
	json_t *errs, *later;
	size_t len;
	char *buf = tenant_read(rq, &len);
	int err;

	if (!buf)
		return;
	errs = tenant_check(rq, buf, len, &t);
	free(buf);
	if (errs) {
		reply_invalid(rq, "the tenant file has errors; nothing changed", errs);
		return;
	}
	later = json_array();
	err = api__tenant_apply(rq->api, t, later, rq->who.user);
	mem_deref(t);
	api__audit(rq->api, &rq->who, "tenant.reload", path, "%s",
		   err ? strerror(err) : "applied");
	if (err) {
		json_decref(later);
		api__reply_error(rq, 503, "Service Unavailable", "not_applied",
				 "the tenant file could not be applied: %s",
				 strerror(err));
		return;
	}
	api__reply_json(rq, 200, "OK",
			json_pack("{s:b,s:o}", "applied", true, "next_start", later));
}

/*
 * text as the new tenant file: checked (422 with the errors), written over
 * the file (the old one kept as .bak), audited as what, then applied; the
 * reply says what waits for the next start.
 */
static void tenant_save(struct req *rq, const char *text, size_t len, const char *what)
{
	const char *path = rq->api->tenant->file;
	char tmp[CFG_PATH + 8], bak[CFG_PATH + 8];
	struct cfg_tenant *t = NULL;
	json_t *errs, *later;
	FILE *f;
	bool ok;
	int err;

	errs = tenant_check(rq, text, len, &t);
	if (errs) {
		reply_invalid(rq, "the tenant file has errors; nothing saved", errs);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	f = fopen(tmp, "wb");
	ok = f && fwrite(text, 1, len, f) == len;
	ok = f && !fclose(f) && ok;
	(void)unlink(bak);
	ok = ok && (link(path, bak) == 0 || errno == ENOENT) && rename(tmp, path) == 0;
	if (!ok) {
		(void)unlink(tmp);
		mem_deref(t);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the tenant file could not be written: %s",
				 strerror(errno));
		return;
	}
	api__audit(rq->api, &rq->who, "tenant.save", path, "%s", what);
	later = json_array();
	err = api__tenant_apply(rq->api, t, later, rq->who.user);
	mem_deref(t);
	log_info("api: tenant file saved by=%s file=%s (%s) applied=%s", rq->who.user,
		 path, what, err ? strerror(err) : "yes");
	if (err) {
		json_decref(later);
		api__reply_error(
		    rq, 503, "Service Unavailable", "not_applied",
		    "the tenant file is saved but could not be applied (%s); "
		    "it applies at the next start",
		    strerror(err));
		return;
	}
	api__reply_json(rq, 200, "OK",
			json_pack("{s:b,s:b,s:o}", "saved", true, "applied", true,
				  "next_start", later));
}

/* PUT /api/v1/tenant: the whole file, saved and applied. */
void api__tenant_put(struct req *rq)
{
	const char *text;
	char what[32];
	size_t len;

	if (!body_text(rq, &text, &len))
		return;
	snprintf(what, sizeof(what), "%zu bytes", len);
	tenant_save(rq, text, len, what);
}

/*
 * PUT /api/v1/queues/{name}: a queue's settings, as the tenant file's keys
 * of that queue ({"strategy": "ring-all", "members": ["1001"]}), written
 * into the file in place (the rest of it as it was), then saved and
 * applied like the whole file. For an admin, or a supervisor of the queue.
 */
void api__queue_put(struct req *rq)
{
	static const char *const fields[] = {"strategy",      "priority",
					     "ring_timeout",  "max_wait",
					     "max_len",	      "join_empty",
					     "tier_wait",     "auto_pause",
					     "service_level", "service_level_target",
					     "wrapup",	      "moh",
					     "announce",      "callback_key",
					     "skills",	      "members",
					     "overflow",      "exit_key",
					     "exit_to",	      NULL};
	json_t *body, *v;
	const char *key;
	char *text, *yv, what[160] = "queue ";
	size_t len;
	int err = 0;

	if (!cfg_queue_find(rq->api->tenant, rq->id)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no queue '%s'",
				 rq->id);
		return;
	}
	if (!api__sees_queue(rq->api, &rq->who, rq->id)) {
		api__forbidden(rq, "change this queue");
		return;
	}
	body = api__body_object(rq, fields);
	if (!body)
		return;
	if (!json_object_size(body)) {
		json_decref(body);
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "name at least one setting to change");
		return;
	}
	text = tenant_read(rq, &len);
	strncat(what, rq->id, sizeof(what) - strlen(what) - 1);
	json_object_foreach(body, key, v)
	{
		char *out = NULL;

		if (!text)
			break;
		/* JSON is YAML's flow style */
		yv = json_dumps(v, JSON_ENCODE_ANY);
		err =
		    yv ? cfg_edit_item(&out, text, len, "queues", "name", rq->id, key, yv)
		       : ENOMEM;
		free(yv);
		free(text);
		text = out;
		len = out ? strlen(out) : 0;
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", key);
		if (err) {
			api__reply_error(
			    rq, 422, "Unprocessable Entity", "not_editable",
			    "%s: the tenant file cannot be changed here (%s); "
			    "edit it as text",
			    key, strerror(err));
			break;
		}
	}
	if (text && !err)
		tenant_save(rq, text, len, what);
	free(text);
	json_decref(body);
}
