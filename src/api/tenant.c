/*
 * tenant.c — the tenant's configuration as text, for the admin page:
 * export it, check a changed version (every error with its line, as
 * `hotline check-config` gives them), and save it (checked first; the
 * file replaced atomically, the old one kept as .bak; audited) and have
 * it applied at once (src/app: queues, agents, members, flows, numbers,
 * hours, codes and ticket policies change without a restart). Callers in a flow finish it
 * as it was; what cannot change under live calls (a queue or agent taken
 * out, a queue's channel, the CRM hook's address) is listed in the reply
 * and waits for the next start.
 *
 * The admin page's forms change one part of the file the same way: a
 * queue's or an agent's keys, a new agent or calendar, the pause reasons
 * or dispositions are written into its text in place (core/cfg_edit:
 * comments and layout kept), then checked, saved, audited and applied as
 * a whole file. The tenant's skills, calendars and flows are served here
 * as lists.
 *
 * Not here: reading and checking YAML (core/cfg), applying a tenant
 * across the services (app/app.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "safe/safe.h"
#include "app/app.h"
#include "api/api.h"
#include "api/api_int.h"
#include "channels/chat.h"

/* The tenant file's text (malloc'd, NUL-ended); NULL after replying 503.
 * Read whole, whatever its size: the file was accepted when applied (a
 * tenant of 10,000 agents is over 1 MB). */
static char *tenant_read(struct req *rq, size_t *lenp)
{
	FILE *f = fopen(rq->api->tenant->file, "rb");
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	if (f && !fstat(fileno(f), &st) && st.st_size >= 0) {
		buf = malloc((size_t)st.st_size + 1);
		if (buf)
			len = fread(buf, 1, (size_t)st.st_size + 1, f);
	}
	if (f)
		fclose(f);
	if (!buf || len > (size_t)st.st_size) {
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
	api__reply(rq, 200, "OK",
		   "Content-Type: application/yaml; charset=utf-8\r\n"
		   "Content-Disposition: attachment; filename=\"tenant.yaml\"\r\n"
		   "Content-Length: %zu\r\n\r\n%b",
		   len, buf, len);
	free(buf);
}

/*
 * Checks the request's body as a tenant file. The errors, each with its
 * line, go into a JSON array (NULL when the text is good); the media it
 * names are looked up in the data directory's media folders only.
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
	if (!cfg_tenant_parse(&t, name, text, len, errs) &&
	    !cfg_tenant_media(t, rq->api->node->data_dir, errs)) {
		if (tp)
			*tp = t;
		else
			mem_deref(t);
		free(errs);
		return NULL;
	}
	mem_deref(t);
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

int api__tenant_applied(const struct cfg_tenant *t, bool applied, void *arg)
{
	struct api *a = arg;
	const struct cfg_tenant *old = a->tenant;

	/* the ticket engine borrows the tenant: it changes with the API's */
	if (!applied)
		return tickets_tenant_set(api__tickets_engine(a), t);
	a->tenant = mem_ref((void *)t);
	mem_deref((void *)old);
	/* the web chat's entries, limits and canned replies follow */
	chat_svc_tenant_set(api__chat_svc(a), t);
	return api__queues_changed(a);
}

/* POST /api/v1/tenant/reload: the file as it is on disk (edited by hand),
 * checked and applied; 422 with its errors changes nothing. */
void api__tenant_reload(struct req *rq)
{
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
	err = app_tenant_apply(rq->api->app, t, later_add, later, rq->who.user);
	mem_deref(t);
	/* the applied tenant has the same file (the old one is freed) */
	api__audit(rq->api, &rq->who, "tenant.reload", rq->api->tenant->file, "%s",
		   err ? strerror(err) : "applied");
	if (err) {
		json_decref(later);
		api__reply_error(rq, 503, "Service Unavailable", "not_applied",
				 "the tenant file could not be applied: %s",
				 strerror(err));
		return;
	}
	api__reply_committed(
	    rq, 200, "OK", NULL,
	    json_pack("{s:b,s:o}", "applied", true, "next_start", later));
}

int api_tenant_reload(struct api *a)
{
	struct api_who who = {.user = "signal", .role = ROLE_ADMIN, .addr = "SIGHUP"};
	int err = app_tenant_reload(a->app, who.user);

	api__audit(a, &who, "tenant.reload", a->tenant->file, "%s",
		   err ? strerror(err) : "applied");
	return err;
}

/*
 * text as the new tenant file: checked (422 with the errors), written over
 * the file (the old one kept as .bak), audited as what, then applied; the
 * reply says what waits for the next start.
 */
static void tenant_save(struct req *rq, const char *text, size_t len, const char *what,
			bool created)
{
	char path[CFG_PATH], tmp[CFG_PATH + 8], bak[CFG_PATH + 8];
	struct cfg_tenant *t = NULL;
	json_t *errs, *later;
	FILE *f;
	bool ok;
	int fd, err;

	/* the file's name, kept: applying frees the tenant it is in */
	util_copy(path, sizeof(path), rq->api->tenant->file);
	errs = tenant_check(rq, text, len, &t);
	if (errs) {
		reply_invalid(rq, "the tenant file has errors; nothing saved", errs);
		return;
	}
	/* its prompts and music are made or loaded before anything is
	 * written: a tenant that cannot be applied is never saved (it would
	 * stop the next start) */
	if (app_tenant_prepare(rq->api->app, t)) {
		mem_deref(t);
		reply_invalid(
		    rq, "the tenant's prompts or music cannot be used; nothing saved",
		    json_pack("[{s:i,s:s,s:s}]", "line", 0, "key", "media", "message",
			      "a prompt or a queue's music is not a WAV file that can be "
			      "played, or a prompt could not be synthesised"));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	/* the file holds SIP passwords: created the service user's alone,
	 * and on the disk before it replaces the old one */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f && fd >= 0)
		close(fd);
	ok = f && fwrite(text, 1, len, f) == len && !fflush(f) && !fsync(fileno(f));
	ok = f && !fclose(f) && ok;
	(void)unlink(bak);
	ok = ok && (link(path, bak) == 0 || errno == ENOENT) && rename(tmp, path) == 0;
	/* the old file, kept as .bak, has the same passwords */
	ok = ok && (chmod(bak, 0600) == 0 || errno == ENOENT) && !util_fsync_dir(path);
	if (!ok) {
		err = errno;
		(void)unlink(tmp);
		/* the running calls go back to the tenant still in force */
		app_tenant_unprepare(rq->api->app);
		mem_deref(t);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the tenant file could not be written: %s",
				 strerror(err));
		return;
	}
	api__audit(rq->api, &rq->who, "tenant.save", path, "%s", what);
	later = json_array();
	err = app_tenant_apply(rq->api->app, t, later_add, later, rq->who.user);
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
	api__reply_committed(rq, created ? 201 : 200, created ? "Created" : "OK", NULL,
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
	tenant_save(rq, text, len, what, false);
}

/* --- forms: one part of the file changed, saved and applied ------------- */

/* A JSON value as YAML flow text (JSON is YAML's flow style), malloc'd. */
static char *yaml_of(const json_t *v)
{
	return json_dumps(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
}

/* 422 naming one field, in the shape of the tenant check's errors (line 0:
 * the request's, not the file's). */
static void reply_field(struct req *rq, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply_field(struct req *rq, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_invalid(
	    rq, msg, json_pack("[{s:i,s:s,s:s}]", "line", 0, "key", key, "message", msg));
}

/* 422: an edit the file's layout does not allow (err from cfg_edit). */
static void reply_not_editable(struct req *rq, const char *key, int err)
{
	api__reply_error(
	    rq, 422, "Unprocessable Entity", "not_editable",
	    "%s: the tenant file cannot be changed here (%s); edit it as text", key,
	    strerror(err));
}

/* The body with at least one of fields; NULL after replying 400. */
static json_t *body_changes(struct req *rq, const char *const fields[])
{
	json_t *body = api__body_object(rq, fields);

	if (body && !json_object_size(body)) {
		json_decref(body);
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "name at least one setting to change");
		return NULL;
	}
	return body;
}

/*
 * Each key of body written in turn into the item of the top-level list
 * whose name_key is name (replaced, or added), then the file saved and
 * applied; what (the audit's words) gets the keys' names.
 */
static void item_save(struct req *rq, json_t *body, const char *list,
		      const char *name_key, const char *name, char *what, size_t wsz)
{
	json_t *v;
	const char *key;
	size_t len;
	char *text = tenant_read(rq, &len);
	int err = 0;

	if (!text)
		return;
	json_object_foreach(body, key, v)
	{
		char *out = NULL, *yv = yaml_of(v);

		err = yv ? cfg_edit_item(&out, text, len, list, name_key, name, key, yv)
			 : ENOMEM;
		free(yv);
		if (err) {
			reply_not_editable(rq, key, err);
			break;
		}
		free(text);
		text = out;
		len = strlen(out);
		snprintf(what + strlen(what), wsz - strlen(what), " %s", key);
	}
	if (!err)
		tenant_save(rq, text, len, what, false);
	free(text);
}

/* body's fields that are there, in the order of fields (the file's item
 * reads in a steady order). */
static json_t *ordered(const json_t *body, const char *const fields[])
{
	json_t *o = json_object();

	for (size_t i = 0; o && fields[i]; i++) {
		json_t *v = json_object_get(body, fields[i]);
		if (v)
			json_object_set(o, fields[i], v);
	}
	return o;
}

/* body's fields, in the order of fields, appended as an item to the
 * top-level list, saved and applied (201). */
static void list_append_save(struct req *rq, const char *list, const json_t *body,
			     const char *const fields[], const char *what)
{
	size_t len;
	char *text = tenant_read(rq, &len), *out = NULL, *yv = NULL;
	json_t *item;
	int err;

	if (!text)
		return;
	item = ordered(body, fields);
	yv = item ? yaml_of(item) : NULL;
	json_decref(item);
	err = yv ? cfg_edit_append(&out, text, len, list, yv) : ENOMEM;
	free(yv);
	free(text);
	if (err) {
		reply_not_editable(rq, list, err);
		return;
	}
	tenant_save(rq, out, strlen(out), what, true);
	free(out);
}

/* The agent's skills and capacity from the tenant, for GET /agents. */
json_t *api__agent_conf_json(const struct api *a, const char *ext)
{
	static const char *const channels[] = {"voice", "chat", "mail", "message"};
	const struct cfg_agent *ca = cfg_agent_find(a->tenant, ext);
	json_t *skills = json_object(), *cap = json_object();

	for (size_t i = 0; ca && i < ca->skillc; i++)
		json_object_set_new(skills, ca->skills[i].name,
				    json_integer(ca->skills[i].level));
	for (int c = 0; ca && c < CFG_CHANNELS; c++)
		json_object_set_new(cap, channels[c], json_integer(ca->capacity[c]));
	return json_pack("{s:o,s:o}", "skills", skills, "capacity", cap);
}

/* A SIP password the repository publishes would be replaced by a
 * generated one at once (src/safe): refused, so the admin is not misled. */
static bool password_published(struct req *rq, json_t *body)
{
	if (!safe_secret_published(json_string_value(json_object_get(body, "password"))))
		return false;
	reply_field(rq, "password",
		    "published in the repository, anyone can read it: choose another");
	return true;
}

/*
 * POST /api/v1/agents: {ext, name, password, skills: {english: 7},
 * capacity: {voice: 1, chat: 3}} appended to the file's agents, saved and
 * applied: the phone can register with the password at once. 409 when the
 * extension is an agent already.
 */
void api__agents_add(struct req *rq)
{
	static const char *const fields[] = {"ext",    "name",	   "password",
					     "skills", "capacity", NULL};
	json_t *body = api__body_object(rq, fields);
	const char *ext;
	char what[64];

	if (!body)
		return;
	ext = json_string_value(json_object_get(body, "ext"));
	if (!ext || !*ext)
		reply_field(rq, "ext", "required: the agent's extension, 2 to 15 digits");
	else if (!json_object_get(body, "password"))
		reply_field(rq, "password",
			    "required: the SIP password of the agent's phone");
	else if (password_published(rq, body))
		;
	else if (cfg_agent_find(rq->api->tenant, ext))
		api__reply_error(rq, 409, "Conflict", "conflict",
				 "ext: extension %s is an agent already", ext);
	else {
		snprintf(what, sizeof(what), "agent %s added", ext);
		list_append_save(rq, "agents", body, fields, what);
	}
	json_decref(body);
}

/* PATCH /api/v1/agents/{ext}: name, password, skills, capacity changed in
 * the agent's item of the file (the password only when given). */
void api__agents_patch(struct req *rq)
{
	static const char *const fields[] = {"name", "password", "skills", "capacity",
					     NULL};
	json_t *body;
	char what[160] = "agent ";

	if (!cfg_agent_find(rq->api->tenant, rq->id)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no agent '%s'",
				 rq->id);
		return;
	}
	body = body_changes(rq, fields);
	if (!body)
		return;
	if (password_published(rq, body)) {
		json_decref(body);
		return;
	}
	strncat(what, rq->id, sizeof(what) - strlen(what) - 1);
	item_save(rq, body, "agents", "ext", rq->id, what, sizeof(what));
	json_decref(body);
}

/* PUT {"codes": [...]}: the top-level list key replaced. */
static void codes_put(struct req *rq, const char *key, bool need_one)
{
	static const char *const fields[] = {"codes", NULL};
	json_t *body = api__body_object(rq, fields), *codes, *v;
	size_t i, len;
	char *text = NULL, *out = NULL, *yv = NULL, what[64];
	int err;

	if (!body)
		return;
	codes = json_object_get(body, "codes");
	if (!json_is_array(codes)) {
		reply_field(rq, "codes",
			    "required: a list of codes ([\"lunch\", \"break\"])");
		goto out;
	}
	if (need_one && !json_array_size(codes)) {
		reply_field(rq, key,
			    "at least one code: agents pause from the phone with "
			    "the first");
		goto out;
	}
	json_array_foreach(codes, i, v)
	{
		for (size_t j = 0; j < i; j++) {
			if (json_equal(v, json_array_get(codes, j))) {
				reply_field(rq, key, "\"%s\" is in the list twice",
					    json_string_value(v) ? json_string_value(v)
								 : "?");
				goto out;
			}
		}
	}
	text = tenant_read(rq, &len);
	if (!text)
		goto out;
	yv = yaml_of(codes);
	err = yv ? cfg_edit_set(&out, text, len, key, yv) : ENOMEM;
	if (err) {
		reply_not_editable(rq, key, err);
		goto out;
	}
	snprintf(what, sizeof(what), "%s replaced", key);
	tenant_save(rq, out, strlen(out), what, false);
out:
	free(out);
	free(yv);
	free(text);
	json_decref(body);
}

/* PUT /api/v1/pause-reasons, PUT /api/v1/dispositions. */
void api__pause_reasons_put(struct req *rq)
{
	codes_put(rq, "pause_reasons", true);
}

void api__dispositions_put(struct req *rq)
{
	codes_put(rq, "dispositions", false);
}

/*
 * POST /api/v1/hours: a calendar {name, timezone, week: {mon:
 * "09:00-17:00", ..., sun: "closed"}, holidays: ["2026-12-25"], workdays:
 * ["2026-02-14"], workday_hours: "09:00-17:00"} appended
 * to the file's hours; 409 when the name is taken. A day not in week is
 * closed.
 */
void api__hours_add(struct req *rq)
{
	static const char *const fields[] = {
	    "name", "timezone", "week", "holidays", "workdays", "workday_hours", NULL};
	json_t *body = api__body_object(rq, fields);
	const char *name;
	char what[64];

	if (!body)
		return;
	name = json_string_value(json_object_get(body, "name"));
	if (!name || !*name)
		reply_field(rq, "name", "required: the calendar's name");
	else if (cfg_hours_find(rq->api->tenant, name))
		api__reply_error(rq, 409, "Conflict", "conflict",
				 "name: there is a calendar '%s' already", name);
	else {
		snprintf(what, sizeof(what), "hours %.40s added", name);
		list_append_save(rq, "hours", body, fields, what);
	}
	json_decref(body);
}

/* PATCH /api/v1/hours/{name}: timezone, week (all of it), holidays,
 * workdays (调休: closed weekdays worked), workday_hours. */
void api__hours_patch(struct req *rq)
{
	static const char *const fields[] = {"timezone", "week",	  "holidays",
					     "workdays", "workday_hours", NULL};
	json_t *body;
	char what[160] = "hours ";

	if (!cfg_hours_find(rq->api->tenant, rq->id)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no calendar '%s'",
				 rq->id);
		return;
	}
	body = body_changes(rq, fields);
	if (!body)
		return;
	strncat(what, rq->id, sizeof(what) - strlen(what) - 1);
	item_save(rq, body, "hours", "name", rq->id, what, sizeof(what));
	json_decref(body);
}

/* --- the tenant as lists: skills, calendars, flows --------------------- */

/* limit and offset of a list; false after replying 400. */
static bool paging(struct req *rq, uint32_t *limit, uint32_t *offset)
{
	*limit = 100;
	*offset = 0;
	return api__query_uint(rq, "limit", 1, 1000, limit) &&
	       api__query_uint(rq, "offset", 0, 1000000, offset);
}

/* Adds item to arr when it is on the page (the count so far in *total). */
static void page_add(json_t *arr, json_t *item, uint32_t *total, uint32_t limit,
		     uint32_t offset)
{
	if ((*total)++ >= offset && json_array_size(arr) < limit)
		json_array_append_new(arr, item);
	else
		json_decref(item);
}

static void page_reply(struct req *rq, const char *key, json_t *arr, uint32_t total,
		       uint32_t limit, uint32_t offset)
{
	api__reply_json(rq, 200, "OK",
			json_pack("{s:o,s:i,s:i,s:i}", key, arr, "total", (int)total,
				  "limit", (int)limit, "offset", (int)offset));
}

static const struct cfg_skill *skill_of(const struct cfg_skill *v, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name))
			return &v[i];
	}
	return NULL;
}

/* A skill: the agents who have it (with their levels) and the queues that
 * need it (with the least level), as far as who sees them; NULL when who
 * sees none. */
static json_t *skill_json(struct req *rq, const char *name)
{
	const struct cfg_tenant *t = rq->api->tenant;
	json_t *agents = json_array(), *queues = json_array();

	for (size_t i = 0; i < t->agentc; i++) {
		const struct cfg_agent *ca = &t->agentv[i];
		const struct cfg_skill *sk = skill_of(ca->skills, ca->skillc, name);
		if (sk && api__sees_agent(rq->api, &rq->who, ca->ext))
			json_array_append_new(agents, json_pack("{s:s,s:s,s:i}", "ext",
								ca->ext, "name", ca->name,
								"level", sk->level));
	}
	for (size_t i = 0; i < t->queuec; i++) {
		const struct cfg_queue *cq = &t->queuev[i];
		const struct cfg_skill *sk = skill_of(cq->skills, cq->skillc, name);
		if (sk && api__sees_queue(rq->api, &rq->who, cq->name))
			json_array_append_new(
			    queues,
			    json_pack("{s:s,s:i}", "name", cq->name, "level", sk->level));
	}
	if (!json_array_size(agents) && !json_array_size(queues) &&
	    rq->who.role != ROLE_ADMIN) {
		json_decref(agents);
		json_decref(queues);
		return NULL;
	}
	return json_pack("{s:s,s:o,s:o}", "name", name, "agents", agents, "queues",
			 queues);
}

/*
 * GET /api/v1/skills: every skill agents have or queues need, in the
 * order they first appear (the agents' by extension, then the queues'),
 * with its agents and queues; ?agent=EXT only that agent's; paged.
 */
void api__skills_list(struct req *rq)
{
	const struct cfg_tenant *t = rq->api->tenant;
	const struct cfg_agent *only = NULL;
	json_t *seen = json_object(), *arr = json_array();
	uint32_t limit, offset, total = 0;
	char agent[CFG_EXT + 16] = "";

	if (!paging(rq, &limit, &offset)) {
		json_decref(seen);
		json_decref(arr);
		return;
	}
	if (api__query_get(rq->msg, "agent", agent, sizeof(agent)))
		only = cfg_agent_find(t, agent);
	for (size_t n = 0; n < t->agentc + t->queuec; n++) {
		const struct cfg_skill *v =
		    n < t->agentc ? t->agentv[n].skills : t->queuev[n - t->agentc].skills;
		size_t c =
		    n < t->agentc ? t->agentv[n].skillc : t->queuev[n - t->agentc].skillc;

		for (size_t i = 0; i < c; i++) {
			json_t *o;
			if (json_object_get(seen, v[i].name))
				continue;
			json_object_set_new(seen, v[i].name, json_true());
			if (agent[0] &&
			    (!only || !skill_of(only->skills, only->skillc, v[i].name)))
				continue;
			o = skill_json(rq, v[i].name);
			if (o)
				page_add(arr, o, &total, limit, offset);
		}
	}
	json_decref(seen);
	page_reply(rq, "skills", arr, total, limit, offset);
}

/* "09:00-17:30", or "closed". */
static json_t *day_json(unsigned open, unsigned close)
{
	char s[16];

	if (open == close)
		return json_string("closed");
	snprintf(s, sizeof(s), "%02u:%02u-%02u:%02u", open / 60, open % 60, close / 60,
		 close % 60);
	return json_string(s);
}

static json_t *hours_json(const struct cfg_tenant *t, const struct cfg_hours *h,
			  uint64_t now)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu",
					   "fri", "sat", "sun"};
	json_t *week = json_object(), *hol = json_array(), *work = json_array();

	for (int d = 0; d < 7; d++)
		json_object_set_new(week, days[d],
				    day_json(h->week[d].open, h->week[d].close));
	for (size_t i = 0; i < h->holidayc; i++)
		json_array_append_new(hol, json_string(h->holidays[i]));
	for (size_t i = 0; i < h->workdayc; i++)
		json_array_append_new(work, json_string(h->workdays[i]));
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:b,s:b}", "name", h->name, "timezone",
			 h->tz, "week", week, "holidays", hol, "workdays", work,
			 "open_now", cfg_hours_open(h, now), "default",
			 !strcmp(t->hours_default, h->name));
}

/* GET /api/v1/hours: the calendars, each with whether it is open now. */
void api__hours_list(struct req *rq)
{
	const struct cfg_tenant *t = rq->api->tenant;
	uint64_t now = clock_now_ms();
	uint32_t limit, offset, total = 0;
	json_t *arr;

	if (!paging(rq, &limit, &offset))
		return;
	arr = json_array();
	for (size_t i = 0; i < t->hoursc; i++)
		page_add(arr, hours_json(t, &t->hoursv[i], now), &total, limit, offset);
	page_reply(rq, "hours", arr, total, limit, offset);
}

/* In the order of enum cfg_ivr_type. */
static const char *const node_types[] = {"say",	  "menu",   "queue",	"transfer",
					 "hours", "hangup", "voicemail"};

static void next_add(json_t *next, const char *id)
{
	size_t i;
	json_t *v;

	if (!id[0])
		return;
	json_array_foreach(next, i, v)
	{
		if (!strcmp(json_string_value(v), id))
			return;
	}
	json_array_append_new(next, json_string(id));
}

/* A node: its id, type, the nodes it can go to, and what it routes to. */
static json_t *node_json(const struct cfg_ivr_node *nd)
{
	json_t *next = json_array(), *o;

	next_add(next, nd->next);
	for (size_t i = 0; i < nd->optionc; i++)
		next_add(next, nd->options[i].next);
	next_add(next, nd->default_next);
	next_add(next, nd->open);
	next_add(next, nd->closed);
	o = json_pack("{s:s,s:s,s:o}", "id", nd->id, "type",
		      (unsigned)nd->type < sizeof(node_types) / sizeof(node_types[0])
			  ? node_types[nd->type]
			  : "?",
		      "next", next);
	if (o && nd->type == IVR_NODE_QUEUE)
		json_object_set_new(o, "queue", json_string(nd->queue));
	if (o && nd->type == IVR_NODE_TRANSFER)
		json_object_set_new(o, "target", json_string(nd->target));
	if (o && nd->type == IVR_NODE_HOURS)
		json_object_set_new(o, "hours", json_string(nd->hours));
	if (o && nd->type == IVR_NODE_MENU) {
		json_t *opts = json_object();
		for (size_t i = 0; i < nd->optionc; i++)
			json_object_set_new(opts, nd->options[i].digits,
					    json_string(nd->options[i].next));
		json_object_set_new(o, "options", opts);
	}
	return o;
}

static json_t *flow_json(const struct cfg_tenant *t, const struct cfg_flow *f)
{
	json_t *numbers = json_array(), *nodes = json_array();

	for (size_t i = 0; i < t->numberc; i++) {
		if (!strcmp(t->numberv[i].flow, f->name))
			json_array_append_new(numbers, json_string(t->numberv[i].number));
	}
	for (size_t i = 0; i < f->nodec; i++)
		json_array_append_new(nodes, node_json(&f->nodev[i]));
	return json_pack("{s:s,s:s,s:b,s:o,s:o}", "name", f->name, "start", f->start,
			 "survey", f->survey, "numbers", numbers, "nodes", nodes);
}

/* GET /api/v1/flows: the IVR flows with the numbers that reach each;
 * ?number= the flow that number runs; paged. */
void api__flows_list(struct req *rq)
{
	const struct cfg_tenant *t = rq->api->tenant;
	const struct cfg_number *num = NULL;
	uint32_t limit, offset, total = 0;
	char number[CFG_EXT + 16];
	bool by_number;
	json_t *arr;

	if (!paging(rq, &limit, &offset))
		return;
	by_number = api__query_get(rq->msg, "number", number, sizeof(number));
	if (by_number)
		num = cfg_number_find(t, number);
	arr = json_array();
	for (size_t i = 0; i < t->flowc; i++) {
		if (by_number && (!num || strcmp(num->flow, t->flowv[i].name)))
			continue;
		page_add(arr, flow_json(t, &t->flowv[i]), &total, limit, offset);
	}
	page_reply(rq, "flows", arr, total, limit, offset);
}

/* GET /api/v1/flows/{name} */
void api__flows_get(struct req *rq)
{
	const struct cfg_flow *f = cfg_flow_find(rq->api->tenant, rq->id);

	if (!f) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no flow '%s'",
				 rq->id);
		return;
	}
	api__reply_json(rq, 200, "OK", flow_json(rq->api->tenant, f));
}

/*
 * May the request's user make these the queue's members? A member is an
 * agent the user can then see and control, so a supervisor may list only
 * agents that serve one of its queues already; bringing in anyone else
 * takes an admin. An extension that is no agent is left to the tenant
 * check (422). false after replying 403.
 */
static bool members_allowed(struct req *rq, const json_t *members)
{
	const json_t *m;
	size_t i;

	if (rq->who.role == ROLE_ADMIN || !json_is_array(members))
		return true;
	json_array_foreach(members, i, m)
	{
		const char *ext = json_is_object(m)
				      ? json_string_value(json_object_get(m, "agent"))
				      : json_string_value(m);

		if (!ext || !cfg_agent_find(rq->api->tenant, ext) ||
		    api__sees_agent(rq->api, &rq->who, ext))
			continue;
		api__reply_error(rq, 403, "Forbidden", "forbidden",
				 "members: agent %s serves none of %s's queues; only an "
				 "admin may add it to queue %s",
				 ext, rq->who.user, rq->id);
		return false;
	}
	return true;
}

/*
 * PUT /api/v1/queues/{name}: a queue's settings, as the tenant file's keys
 * of that queue ({"strategy": "ring-all", "members": ["1001"]}), written
 * into the file in place (the rest of it as it was), then saved and
 * applied like the whole file. For an admin, or a supervisor of the queue.
 */
void api__queue_put(struct req *rq)
{
	static const char *const fields[] = {"strategy",
					     "priority",
					     "ring_timeout",
					     "max_wait",
					     "max_len",
					     "join_empty",
					     "tier_wait",
					     "auto_pause",
					     "retry",
					     "service_level",
					     "service_level_target",
					     "wrapup",
					     "moh",
					     "announce",
					     "callback_key",
					     "skills",
					     "members",
					     "overflow",
					     "exit_key",
					     "exit_to",
					     NULL};
	json_t *body;
	char what[160] = "queue ";

	if (!cfg_queue_find(rq->api->tenant, rq->id)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no queue '%s'",
				 rq->id);
		return;
	}
	if (!api__sees_queue(rq->api, &rq->who, rq->id)) {
		api__forbidden(rq, "change this queue");
		return;
	}
	body = body_changes(rq, fields);
	if (!body)
		return;
	if (!members_allowed(rq, json_object_get(body, "members"))) {
		json_decref(body);
		return;
	}
	strncat(what, rq->id, sizeof(what) - strlen(what) - 1);
	item_save(rq, body, "queues", "name", rq->id, what, sizeof(what));
	json_decref(body);
}
