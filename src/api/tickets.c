/*
 * tickets.c — the routes of tickets (list with filters and SLA state,
 * create, read with history, change, notes and replies), the clock that
 * checks the SLA targets every second and runs the rules that make
 * tickets from interactions (ticket/rules.c); a survey's score they hand
 * on is stored here.
 * Agents see tickets assigned to them or of the queues they serve,
 * supervisors those of their queues, admins all. A ticket's custom
 * fields are checked here against tickets.fields (422 naming the field):
 * a change merges the keys it gives into the stored ones, null removing
 * one.
 *
 * Not here: what a ticket may do (ticket/), the records (store), the
 * rules of a field's value (crm/fields.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "ticket/ticket.h"
#include "crm/crm.h"
#include "api/api_int.h"

#define CHECK_MS 1000

struct api_tickets {
	struct api *api;
	struct tickets *tk;
	struct ticket_rules *rules; /* tickets interactions make by themselves */
	struct tmr tmr;
};

static int rated_ticket(const struct store_ticket *t, void *arg)
{
	util_copy(arg, 32, t->id);
	return 1;
}

/* A call's post-call survey score: kept as a survey of the call, and on
 * the ticket the call is linked to, if any. */
static void rated_h(const char *call, int score, void *arg)
{
	struct api_tickets *at = arg;
	struct store_ticket_filter f = {.call = call, .limit = 1};
	struct store_survey v;

	memset(&v, 0, sizeof(v));
	snprintf(v.hash, sizeof(v.hash), "ivr:%s", call);
	util_copy(v.call, sizeof(v.call), call);
	v.created = v.answered = clock_now_ms();
	v.score = score;
	(void)store_ticket_list(at->api->store, &f, rated_ticket, v.ticket);
	if (api__survey_record(at->api, &v))
		log_warn("api: survey score not stored call=%s", call);
}

static void tmr_handler(void *arg)
{
	struct api_tickets *at = arg;

	tmr_start(&at->tmr, CHECK_MS, tmr_handler, at);
	ticket_rules_run(at->rules, clock_now_ms());
	(void)ticket_check(at->tk, clock_now_ms());
}

static void tickets_destructor(void *arg)
{
	struct api_tickets *at = arg;

	tmr_cancel(&at->tmr);
	mem_deref(at->rules);
	mem_deref(at->tk);
}

int api__tickets_alloc(struct api_tickets **tp, struct api *a)
{
	struct api_tickets *at = mem_zalloc(sizeof(*at), tickets_destructor);
	int err;

	if (!at)
		return ENOMEM;
	at->api = a;
	tmr_init(&at->tmr);
	err = tickets_alloc(&at->tk, a->store, a->tenant, a->acd, clock_now_ms());
	if (!err)
		err = ticket_rules_alloc(&at->rules, at->tk, rated_h, at);
	if (err) {
		mem_deref(at);
		return err;
	}
	tmr_start(&at->tmr, CHECK_MS, tmr_handler, at);
	*tp = at;
	return 0;
}

struct tickets *api__tickets_engine(struct api *a)
{
	return a->tickets->tk;
}

/* --- JSON and who sees what ------------------------------------------------- */

static json_t *ticket_json(struct api *a, const struct store_ticket *t)
{
	uint64_t now = clock_now_ms();
	json_t *o = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:{s:s,s:o,"
	    "s:o,s:o,s:i}}",
	    "id", t->id, "subject", t->subject, "description", t->description, "category",
	    t->category, "priority", t->priority, "status", t->status, "assignee",
	    t->assignee, "group", t->group, "customer", t->customer, "calls", t->calls,
	    "tags", api__words_json(t->tags), "creator", t->creator, "created",
	    api__time_json(t->created), "updated", api__time_json(t->updated), "sla",
	    "state", ticket_sla_state(t, a->tenant->ticket_warn_ms, now),
	    "first_response_due", api__time_json(t->fr_due), "first_response_at",
	    api__time_json(t->fr_at), "resolution_due", api__time_json(t->res_due),
	    "escalations", (int)t->escalations);

	json_t *fields = t->fields[0] ? json_loads(t->fields, 0, NULL) : NULL;

	json_object_set_new(o, "csat",
			    t->csat ? json_integer((json_int_t)t->csat) : json_null());
	json_object_set_new(o, "fields", json_is_object(fields) ? fields : json_object());
	if (fields && !json_is_object(fields))
		json_decref(fields);
	return o;
}

bool api__sees_ticket(struct req *rq, const struct store_ticket *t)
{
	const struct api_who *w = &rq->who;

	switch (w->role) {
	case ROLE_ADMIN:
		return true;
	case ROLE_AGENT:
		return (t->assignee[0] && !strcmp(t->assignee, w->extension)) ||
		       (t->group[0] && api__sees_queue(rq->api, w, t->group));
	case ROLE_SUPERVISOR:
		return t->group[0] && api__sees_queue(rq->api, w, t->group);
	}
	return false;
}

/* The ticket of the path, seen by the user; false after 404/403. */
static bool ticket_load(struct req *rq, struct store_ticket *t)
{
	if (store_ticket_get(rq->api->store, rq->id, t)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no ticket '%s'",
				 rq->id);
		return false;
	}
	if (!api__sees_ticket(rq, t)) {
		api__forbidden(rq, "see this ticket");
		return false;
	}
	return true;
}

/* --- routes ------------------------------------------------------------------ */

/* Rows read from the store per query while a list is filtered after
 * reading (who sees what, the SLA state). */
#define LIST_CHUNK 500

struct list_ctx {
	struct req *rq;
	json_t *arr;
	const char *sla; /* on_track, at_risk, breached; NULL any */
	uint32_t skip;	 /* matches still to pass over (the offset) */
	uint32_t want;	 /* matches still to return (the limit) */
	uint32_t read;	 /* rows read by the current query */
};

static int list_one(const struct store_ticket *t, void *arg)
{
	struct list_ctx *x = arg;

	x->read++;
	if (!api__sees_ticket(x->rq, t))
		return 0;
	if (x->sla && strcmp(ticket_sla_state(t, x->rq->api->tenant->ticket_warn_ms,
					      clock_now_ms()),
			     x->sla))
		return 0;
	if (x->skip) {
		x->skip--;
		return 0;
	}
	json_array_append_new(x->arr, ticket_json(x->rq->api, t));
	return --x->want == 0;
}

/*
 * GET /api/v1/tickets?status=open,pending&assignee=1001&group=support&
 * customer=cu_..&sla=at_risk&mine=1&q=退款&limit=50&offset=50
 *
 * q: words of the subject or description, each as a prefix, any part of
 * Chinese text (util_fts_query).
 *
 * limit and offset count the tickets of the answer, after who sees what
 * and the SLA state are applied: the store is then read in chunks until
 * the page is full, so that the next page starts where this one ended.
 */
void api__tickets_list(struct req *rq)
{
	struct store_ticket_filter f = {.limit = 100};
	char status[64], assignee[16], group[64], customer[32], sla[16], mine[4], q[256],
	    match[512];
	struct list_ctx x = {rq, NULL, NULL, 0, 0, 0};
	bool filtered;
	int err;

	if (!api__query_uint(rq, "limit", 1, 1000, &f.limit) ||
	    !api__query_uint(rq, "offset", 0, 1000000, &f.offset))
		return;
	if (api__query_get(rq->msg, "status", status, sizeof(status)))
		f.statuses = status;
	if (api__query_get(rq->msg, "assignee", assignee, sizeof(assignee)))
		f.assignee = assignee;
	if (api__query_get(rq->msg, "group", group, sizeof(group)))
		f.groups = group;
	if (api__query_get(rq->msg, "customer", customer, sizeof(customer)))
		f.customer = customer;
	if (api__query_get(rq->msg, "q", q, sizeof(q))) {
		util_fts_query(match, sizeof(match), q);
		if (match[0])
			f.match = match;
	}
	if (api__query_get(rq->msg, "mine", mine, sizeof(mine)) && rq->who.extension[0])
		f.assignee = rq->who.extension;
	if (api__query_get(rq->msg, "sla", sla, sizeof(sla))) {
		if (strcmp(sla, "on_track") && strcmp(sla, "at_risk") &&
		    strcmp(sla, "breached")) {
			api__reply_error(rq, 400, "Bad Request", "bad_parameter",
					 "sla: on_track, at_risk or breached");
			return;
		}
		x.sla = sla;
	}
	x.want = f.limit;
	filtered = x.sla || rq->who.role != ROLE_ADMIN;
	if (filtered) {
		x.skip = f.offset;
		f.offset = 0;
		f.limit = LIST_CHUNK;
	}
	x.arr = json_array();
	for (;;) {
		x.read = 0;
		err = store_ticket_list(rq->api->store, &f, list_one, &x);
		if (err || !filtered || !x.want || x.read < f.limit)
			break;
		f.offset += f.limit;
	}
	if (err) {
		json_decref(x.arr);
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the tickets could not be read");
		return;
	}
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "tickets", x.arr));
}

/*
 * The fields of a change from the body into c; false after a 400 naming
 * the field. Strings stay owned by body.
 */
static bool change_fields(struct req *rq, json_t *body, struct ticket_change *c,
			  char *tags, size_t tagsz)
{
	static const char *const texts[] = {"subject", "description", "category",
					    "group",   "assignee",    "customer",
					    "call",    NULL};
	/* in characters; the store keeps subject and description in
	 * STORE_TEXT of theirs, the others are names and ids */
	static const size_t maxc[] = {255, 4095, 31, 31, 15, 31, 31};
	const char **dst[] = {&c->subject,  &c->description, &c->category, &c->group,
			      &c->assignee, &c->customer,    &c->call};
	json_t *v;

	for (size_t i = 0; texts[i]; i++)
		if (!api__text(rq, body, texts[i], 0, maxc[i],
			       i == 1 ? UTIL_TEXT_MULTILINE : 0, dst[i]))
			return false;
	if ((v = json_object_get(body, "priority"))) {
		enum ticket_priority p;
		if (ticket_priority_parse(&p, json_string_value(v))) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "priority: low, normal, high or urgent");
			return false;
		}
		c->priority = (int)p;
	}
	if ((v = json_object_get(body, "status"))) {
		enum ticket_status s;
		if (ticket_status_parse(&s, json_string_value(v))) {
			api__reply_error(
			    rq, 400, "Bad Request", "bad_field",
			    "status: new, open, pending, resolved or closed");
			return false;
		}
		c->status = (int)s;
	}
	if ((v = json_object_get(body, "tags"))) {
		size_t i;
		json_t *x;
		tags[0] = '\0';
		if (!json_is_array(v)) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "tags: a list");
			return false;
		}
		json_array_foreach(v, i, x)
		{
			const char *t = json_string_value(x);
			if (!t || !*t || strchr(t, ',') ||
			    strlen(tags) + strlen(t) + 2 > tagsz) {
				api__reply_error(
				    rq, 400, "Bad Request", "bad_field",
				    "tags[%zu]: a word (255 characters in all)", i);
				return false;
			}
			if (tags[0])
				strcat(tags, ",");
			strcat(tags, t);
		}
		c->tags = tags;
	}
	if (c->customer && c->customer[0]) {
		struct store_customer cu;
		if (store_customer_get(rq->api->store, c->customer, &cu)) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "customer: no customer '%.32s'", c->customer);
			return false;
		}
	}
	c->by = rq->who.user;
	return true;
}

static const char *const ticket_keys[] = {
    "subject",	"description", "category", "priority", "group",	 "assignee",
    "customer", "call",	       "tags",	   "status",   "fields", NULL};

static const struct cfg_field *field_declared(const struct cfg_tenant *t, const char *key)
{
	for (size_t i = 0; i < t->ticket_fieldc; i++) {
		if (!strcmp(t->ticket_fields[i].name, key))
			return &t->ticket_fields[i];
	}
	return NULL;
}

/*
 * The custom fields of a new ticket or a change, checked against the
 * tenant's tickets.fields: body's "fields" merged into stored (a JSON
 * object; "{}" for a new ticket), a null removing a key. The keys given
 * must be declared and of their type (a stale key, no longer declared,
 * may be removed with null); the result must have the required ones,
 * so a new ticket must have them even when it gives no fields. *out is
 * the whole object as JSON text (free it), NULL when the change leaves
 * the fields alone. false after replying 400 or 422 naming the field.
 */
static bool custom_fields(struct req *rq, json_t *body, const char *stored, bool create,
			  char **out)
{
	const struct cfg_tenant *t = rq->api->tenant;
	json_t *given = json_object_get(body, "fields"), *merged = NULL, *check = NULL;
	json_t *x;
	const char *key;
	char bad[256], locale[32];
	void *tmp;
	bool ok = false;

	*out = NULL;
	if (!given && !create)
		return true;
	api__locale(rq, locale, sizeof(locale)); /* the reason in the reader's words */
	if (given && !json_is_object(given)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "fields: an object of the declared fields");
		return false;
	}
	merged = json_loads(stored && stored[0] ? stored : "{}", 0, NULL);
	if (!json_is_object(merged)) {
		json_decref(merged);
		merged = json_object();
	}
	/* the given keys: a stale one may go; otherwise declared, of the type */
	check = given ? json_deep_copy(given) : json_object();
	if (!merged || !check)
		goto nomem;
	json_object_foreach_safe(check, tmp, key, x)
	{
		const struct cfg_field *f = field_declared(t, key);

		if (!json_is_null(x))
			continue;
		if (f && f->required) {
			api__reply_error(rq, 422, "Unprocessable Entity",
					 "bad_custom_field", "fields.%s: required",
					 f->name);
			goto out;
		}
		if (!f && t->ticket_fieldc && json_object_get(merged, key))
			json_object_del(check, key); /* no longer declared: it goes */
	}
	if (crm_fields_check(t->ticket_fields, t->ticket_fieldc, check, false, locale,
			     bad, sizeof(bad))) {
		api__reply_error(rq, 422, "Unprocessable Entity", "bad_custom_field",
				 "%s", bad);
		goto out;
	}
	if (!t->ticket_fieldc) {
		/* none declared (tickets.fields): any key, text values, as customers */
		json_object_foreach(check, key, x)
		{
			const char *v = json_string_value(x);
			if (util_utf8_len(key) > 32 ||
			    (!json_is_null(x) && (!v || util_utf8_len(v) > 256))) {
				api__reply_error(
				    rq, 400, "Bad Request", "bad_field",
				    "fields.%.32s: text of at most 256 characters", key);
				goto out;
			}
		}
	}
	json_object_foreach(given, key, x)
	{
		if (json_is_null(x))
			json_object_del(merged, key);
		else if (json_object_set(merged, key, x))
			goto nomem;
	}
	/* the whole: every required field there (stale keys are not checked) */
	json_decref(check);
	check = json_object();
	if (!check)
		goto nomem;
	json_object_foreach(merged, key, x)
	{
		if (field_declared(t, key) && json_object_set(check, key, x))
			goto nomem;
	}
	if (crm_fields_check(t->ticket_fields, t->ticket_fieldc, check, true, locale, bad,
			     sizeof(bad))) {
		api__reply_error(rq, 422, "Unprocessable Entity", "bad_custom_field",
				 "%s", bad);
		goto out;
	}
	*out = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
	if (!*out)
		goto nomem;
	ok = true;
	goto out;
nomem:
	api__reply_error(rq, 503, "Service Unavailable", "store_error",
			 "the ticket could not be stored: %s", strerror(ENOMEM));
out:
	json_decref(check);
	json_decref(merged);
	return ok;
}

/* A change's error: 400 with the field, 409 for a status not allowed. */
static void change_error(struct req *rq, int err, const char *why)
{
	if (err == EPERM)
		api__reply_error(rq, 409, "Conflict", "status_not_allowed", "%s", why);
	else if (err == ENOENT)
		api__reply_error(rq, 404, "Not Found", "not_found", "no ticket '%s'",
				 rq->id);
	else if (err == EINVAL)
		api__reply_error(rq, 400, "Bad Request", "bad_field", "%s", why);
	else
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the ticket could not be stored: %s", strerror(err));
}

/* POST /api/v1/tickets: from the desktop during or after a call, in one
 * step (the call and the customer linked). */
void api__tickets_add(struct req *rq)
{
	struct ticket_change c = TICKET_CHANGE_INIT;
	struct store_ticket *t = NULL;
	json_t *body = api__body_object(rq, ticket_keys);
	const char *why = "";
	char tags[256], *fields = NULL;
	int err;

	if (!body)
		return;
	if (!change_fields(rq, body, &c, tags, sizeof(tags)))
		goto out;
	if (c.status >= 0) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "status: a new ticket is new");
		goto out;
	}
	if (!c.subject) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "subject: required");
		goto out;
	}
	if (rq->who.role != ROLE_ADMIN && c.group && c.group[0] &&
	    !api__sees_queue(rq->api, &rq->who, c.group)) {
		api__forbidden(rq, "make tickets for that group");
		goto out;
	}
	if (!custom_fields(rq, body, NULL, true, &fields))
		goto out;
	c.fields = fields;
	t = malloc(sizeof(*t));
	if (!t) {
		change_error(rq, ENOMEM, "");
		goto out;
	}
	err = ticket_create(rq->api->tickets->tk, &c, clock_now_ms(), t, &why);
	if (err)
		change_error(rq, err, why);
	else
		api__reply_committed(rq, 201, "Created", NULL, ticket_json(rq->api, t));
out:
	free(fields);
	free(t);
	json_decref(body);
}

/* The history as the reader reads it: the lines the server wrote (kept
 * as a message key and its arguments) worded in the reader's language,
 * text in English beside it (what a page reads); notes and replies, and
 * old lines no key reads, as stored. */
struct history_ctx {
	json_t *arr;
	char locale[32];
};

static int history_one(const struct store_ticket_entry *e, void *arg)
{
	struct history_ctx *x = arg;
	char *text = malloc(2 * STORE_TEXT(2047));
	char *shown = text ? text + STORE_TEXT(2047) : NULL;
	json_t *h, *m;

	if (!text)
		return ENOMEM;
	if (!e->msg[0] || !msg_show(NULL, e->msg, text, STORE_TEXT(2047)) ||
	    !msg_show(x->locale, e->msg, shown, STORE_TEXT(2047))) {
		util_copy(text, STORE_TEXT(2047), e->text);
		util_copy(shown, STORE_TEXT(2047), e->text);
	}
	h = json_pack("{s:o,s:s,s:s,s:s,s:s,s:b}", "at", api__time_json(e->ts), "user",
		      e->user, "kind", e->kind, "text", text, "shown", shown, "public",
		      e->public_);
	/* the key and its arguments, for a client that words them itself */
	m = e->msg[0] ? json_loads(e->msg, 0, NULL) : NULL;
	if (h && json_is_object(m)) {
		json_object_set(h, "key", json_object_get(m, "key"));
		json_object_set(h, "args", json_object_get(m, "args"));
	}
	json_decref(m);
	json_array_append_new(x->arr, h);
	free(text);
	return 0;
}

/* The statuses the ticket may go to from where it is (the rules of
 * ticket_status_allowed), for the buttons of a page. */
static json_t *transitions_json(const struct store_ticket *t)
{
	enum ticket_status from, to;
	json_t *arr = json_array();

	if (ticket_status_parse(&from, t->status))
		return arr;
	for (to = 0; to < TICKET_STATUSES; to++) {
		if (to != from && ticket_status_allowed(from, to))
			json_array_append_new(arr, json_string(ticket_status_name(to)));
	}
	return arr;
}

/* Whom the ticket may be given to, for a page's select: the agents who
 * serve its group; without a group, the agents the user sees. */
static json_t *assignees_json(struct req *rq, const struct store_ticket *t)
{
	const struct cfg_tenant *tn = rq->api->tenant;
	json_t *arr = json_array();

	for (size_t i = 0; i < tn->agentc; i++) {
		const struct cfg_agent *ag = &tn->agentv[i];
		if (t->group[0] ? !cfg_agent_serves(tn, t->group, ag->ext)
				: !api__sees_agent(rq->api, &rq->who, ag->ext))
			continue;
		json_array_append_new(
		    arr, json_pack("{s:s,s:s}", "ext", ag->ext, "name", ag->name));
	}
	return arr;
}

/* GET /api/v1/tickets/{id}: the ticket with its history, the statuses it
 * may go to and whom it may be given to. */
void api__tickets_get(struct req *rq)
{
	struct store_ticket *t = malloc(sizeof(*t));
	json_t *o;

	if (!t) {
		change_error(rq, ENOMEM, "");
		return;
	}
	if (ticket_load(rq, t)) {
		o = ticket_json(rq->api, t);
		struct history_ctx x = {json_array(), ""};

		api__locale(rq, x.locale, sizeof(x.locale));
		(void)store_ticket_history(rq->api->store, t->id, history_one, &x);
		json_object_set_new(o, "history", x.arr);
		json_object_set_new(o, "transitions", transitions_json(t));
		json_object_set_new(o, "assignees", assignees_json(rq, t));
		api__reply_json(rq, 200, "OK", o);
	}
	free(t);
}

/* PATCH /api/v1/tickets/{id} */
void api__tickets_patch(struct req *rq)
{
	struct ticket_change c = TICKET_CHANGE_INIT;
	struct store_ticket *t = malloc(sizeof(*t));
	json_t *body = NULL;
	const char *why = "";
	char tags[256], *fields = NULL;
	int err;

	if (!t || !ticket_load(rq, t))
		goto out;
	body = api__body_object(rq, ticket_keys);
	if (!body || !change_fields(rq, body, &c, tags, sizeof(tags)) ||
	    !custom_fields(rq, body, t->fields, false, &fields))
		goto out;
	c.fields = fields;
	{
		bool was_resolved = !strcmp(t->status, "resolved");
		err = ticket_update(rq->api->tickets->tk, t->id, &c, clock_now_ms(), t,
				    &why);
		if (!err && !was_resolved && !strcmp(t->status, "resolved"))
			api__survey_send(rq->api, t); /* how did we do? */
	}
	if (err)
		change_error(rq, err, why);
	else
		api__reply_committed(rq, 200, "OK", NULL, ticket_json(rq->api, t));
out:
	if (!t)
		change_error(rq, ENOMEM, "");
	free(fields);
	free(t);
	json_decref(body);
}

/* POST /api/v1/tickets/{id}/notes {"text": "...", "public": false}: an
 * internal note, or a public reply (the first is the first response). */
void api__tickets_note(struct req *rq)
{
	static const char *const fields[] = {"text", "public", NULL};
	struct store_ticket *t = malloc(sizeof(*t));
	json_t *body = NULL, *pub;
	const char *text;
	int err;

	if (!t || !ticket_load(rq, t))
		goto out;
	body = api__body_object(rq, fields);
	if (!body)
		goto out;
	text = NULL;
	pub = json_object_get(body, "public");
	if (!api__text(rq, body, "text", 1, 2000, UTIL_TEXT_MULTILINE, &text))
		goto out;
	if (!text) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "text: 1-2000 characters");
		goto out;
	}
	if (pub && !json_is_boolean(pub)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "public: true or false");
		goto out;
	}
	err = ticket_note(rq->api->tickets->tk, t->id, rq->who.user, text,
			  json_is_true(pub), clock_now_ms());
	if (err)
		change_error(rq, err, "");
	else
		api__reply_committed(rq, 204, "No Content", NULL, NULL);
out:
	if (!t)
		change_error(rq, ENOMEM, "");
	free(t);
	json_decref(body);
}
