/*
 * customers.c — the routes of customers: search (by name, company, tag,
 * number, e-mail), create, read, change, the timeline of a customer's
 * calls with their wrap-ups, export as JSON, merge two customers and
 * forget one (right to be forgotten). Identities are unique in the
 * tenant: a phone number or e-mail that belongs to someone else is a 409
 * naming them; a number that cannot be put in E.164 is a 422 with the
 * reason, and so are custom fields the tenant does not declare or of the
 * wrong type (crm.fields). Agents may find, create and change
 * customers; merging and forgetting is for supervisors and admins,
 * confirmed and audited. Also the declared custom fields themselves
 * (GET /fields), for the pages' forms.
 *
 * Not here: normalising and matching (crm/), the records (store).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
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
#include "store/store.h"
#include "crm/crm.h"
#include "sip/sip.h"
#include "ticket/ticket.h"
#include "api/api_int.h"

#define MAX_IDENTITIES 16
/* in characters (store.h keeps each in STORE_TEXT of it) */
#define CUSTOMER_NAME_MAX  127
#define CUSTOMER_NOTES_MAX 2047

struct identities_json {
	json_t *arr;
	const char *country; /* the tenant's, for how a number is shown */
};

static int identity_add_json(const struct store_identity *i, void *arg)
{
	struct identities_json *x = arg;
	char shown[64];

	if (strcmp(i->kind, "phone")) {
		json_array_append_new(
		    x->arr, json_pack("{s:s,s:s}", "kind", i->kind, "value", i->value));
		return 0;
	}
	crm_number_display(shown, sizeof(shown), i->value, x->country);
	json_array_append_new(x->arr, json_pack("{s:s,s:s,s:s}", "kind", i->kind, "value",
						i->value, "display", shown));
	return 0;
}

static json_t *customer_json(struct api *a, const struct store_customer *c)
{
	json_t *tags = api__words_json(c->tags), *ids = json_array(), *fields;

	struct identities_json x = {ids, a->tenant ? a->tenant->country : NULL};

	(void)store_identity_list(a->store, c->id, identity_add_json, &x);
	fields = c->fields[0] ? json_loads(c->fields, 0, NULL) : NULL;
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o}", "id", c->id, "name",
			 c->name, "company", c->company, "tier", c->tier, "tags", tags,
			 "notes", c->notes, "fields", fields ? fields : json_object(),
			 "identities", ids, "created", api__time_json(c->created),
			 "updated", api__time_json(c->updated));
}

/* A customer's JSON read back once its change is committed (arg: its id,
 * a libre string). */
static json_t *customer_built(struct api *a, void *arg)
{
	struct store_customer c;

	return store_customer_get(a->store, arg, &c) ? NULL : customer_json(a, &c);
}

static void reply_customer_committed(struct req *rq, uint16_t code, const char *reason,
				     const char *id)
{
	char *arg = NULL;

	if (str_dup(&arg, id)) {
		api__reply_error(rq, 500, "Internal Server Error", "no_memory",
				 "out of memory");
		return;
	}
	api__reply_committed_build(rq, code, reason, customer_built, arg);
	mem_deref(arg);
}

/* The customer of the path; false after replying 404. */
static bool customer_load(struct req *rq, struct store_customer *c)
{
	int err = store_customer_get(rq->api->store, rq->id, c);

	if (!err)
		return true;
	if (err == ENOENT)
		api__reply_error(rq, 404, "Not Found", "not_found", "no customer '%s'",
				 rq->id);
	else
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the customer could not be read");
	return false;
}

/* A text field (api__text) of at most maxc characters into dst (size
 * sz); false after 400. */
static bool text_field(struct req *rq, json_t *body, const char *key, size_t maxc,
		       unsigned flags, char *dst, size_t sz)
{
	const char *s = NULL;

	if (!api__text(rq, body, key, 0, maxc, flags, &s))
		return false;
	if (s && util_copy(dst, sz, s)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "%s: at most %zu bytes", key, sz - 1);
		return false;
	}
	return true;
}

/*
 * The fields of a customer from body into c (those present), and its
 * identities into idv (*idc; *given false when absent), each checked;
 * false after replying 400, 409 or 422 naming the field. create: a new
 * customer, which must have the required custom fields.
 */
static bool customer_fields(struct req *rq, json_t *body, struct store_customer *c,
			    bool create, struct store_identity *idv, size_t *idc,
			    bool *given)
{
	const struct cfg_tenant *t = rq->api->tenant;
	char bad[256], locale[32];
	json_t *v, *x;
	size_t i;

	api__locale(rq, locale, sizeof(locale)); /* reasons in the reader's words */
	if (!text_field(rq, body, "name", CUSTOMER_NAME_MAX, 0, c->name,
			sizeof(c->name)) ||
	    !text_field(rq, body, "company", CUSTOMER_NAME_MAX, 0, c->company,
			sizeof(c->company)) ||
	    !text_field(rq, body, "notes", CUSTOMER_NOTES_MAX, UTIL_TEXT_MULTILINE,
			c->notes, sizeof(c->notes)) ||
	    !text_field(rq, body, "tier", sizeof(c->tier) - 1, 0, c->tier,
			sizeof(c->tier)))
		return false;
	if (!cfg_tier_find(t, c->tier)) {
		api__reply_error(
		    rq, 400, "Bad Request", "bad_field",
		    "tier: \"%s\" is not one of the tenant's tiers (crm.tiers)", c->tier);
		return false;
	}
	if ((v = json_object_get(body, "tags"))) {
		c->tags[0] = '\0';
		if (!json_is_array(v)) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "tags: a list of words");
			return false;
		}
		json_array_foreach(v, i, x)
		{
			const char *tag = json_string_value(x);
			if (!tag || !*tag || strlen(tag) > 32 ||
			    strspn(tag, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
				strlen(tag) ||
			    strlen(c->tags) + strlen(tag) + 2 > sizeof(c->tags)) {
				api__reply_error(
				    rq, 400, "Bad Request", "bad_field",
				    "tags[%zu]: lower-case letters, digits, - and _, "
				    "up to 32 (and 255 in all)",
				    i);
				return false;
			}
			if (c->tags[0])
				strcat(c->tags, ",");
			strcat(c->tags, tag);
		}
	}
	v = json_object_get(body, "fields");
	if (v && !json_is_object(v)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "fields: an object of text values");
		return false;
	}
	/* given fields replace the old ones, so they are checked whole */
	if ((v || create) && crm_fields_check(t->crm_fields, t->crm_fieldc, v, true,
					      locale, bad, sizeof(bad))) {
		api__reply_error(rq, 422, "Unprocessable Entity", "bad_custom_field",
				 "%s", bad);
		return false;
	}
	if (v && !t->crm_fieldc) {
		const char *key;
		/* none declared (crm.fields): any key, text values */
		json_object_foreach(v, key, x)
		{
			if (!json_is_string(x) || util_utf8_len(key) > 32 ||
			    util_utf8_len(json_string_value(x)) > 256) {
				api__reply_error(
				    rq, 400, "Bad Request", "bad_field",
				    "fields.%.32s: text of at most 256 characters", key);
				return false;
			}
		}
	}
	if (v) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

		if (!s || strlen(s) >= sizeof(c->fields)) {
			free(s);
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "fields: at most %zu bytes in all",
					 sizeof(c->fields) - 1);
			return false;
		}
		util_copy(c->fields, sizeof(c->fields), s);
		free(s);
	}
	*given = false;
	*idc = 0;
	if (!(v = json_object_get(body, "identities")))
		return true;
	*given = true;
	if (!json_is_array(v) || json_array_size(v) > MAX_IDENTITIES) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "identities: a list of at most %d {kind, value}",
				 MAX_IDENTITIES);
		return false;
	}
	json_array_foreach(v, i, x)
	{
		const char *kind = json_string_value(json_object_get(x, "kind"));
		const char *val = json_string_value(json_object_get(x, "value"));
		struct store_identity *id = &idv[*idc];
		const char *why = "";
		char owner[32];
		enum crm_kind k;

		if (!json_is_object(x) || crm_kind_parse(&k, kind) || !val) {
			api__reply_error(
			    rq, 400, "Bad Request", "bad_field",
			    "identities[%zu]: {\"kind\": phone|email|chat|messaging, "
			    "\"value\": text}",
			    i);
			return false;
		}
		if (crm_identity_norm(id->value, sizeof(id->value), k, val, t->country,
				      &why)) {
			api__reply_error(
			    rq, 422, "Unprocessable Entity", "bad_identity",
			    "identities[%zu].value: \"%.64s\" is not a valid %s: %s", i,
			    val, api__words(rq, kind), api__words(rq, why));
			return false;
		}
		util_copy(id->kind, sizeof(id->kind), kind);
		for (size_t j = 0; j < *idc; j++) {
			if (!strcmp(idv[j].kind, id->kind) &&
			    !strcmp(idv[j].value, id->value)) {
				api__reply_error(
				    rq, 400, "Bad Request", "bad_field",
				    "identities[%zu]: the same as identities[%zu]", i, j);
				return false;
			}
		}
		if (!store_identity_find(rq->api->store, id->kind, id->value, owner,
					 sizeof(owner)) &&
		    strcmp(owner, c->id)) {
			api__reply_json(
			    rq, 409, "Conflict",
			    json_pack(
				"{s:{s:s,s:s,s:s}}", "error", "code",
				"duplicate_identity", "message",
				"identities: this identity belongs to another customer",
				"customer", owner));
			return false;
		}
		++*idc;
	}
	return true;
}

static void customer_event(enum event_type type, const struct req *rq, const char *id)
{
	event_emit_pack(type, NULL, rq->who.extension[0] ? rq->who.extension : NULL, NULL,
			"{s:s,s:s}", "customer", id, "by", rq->who.user);
}

/* Stores c (and its identities when given); replies with it. */
static void customer_commit(struct req *rq, struct store_customer *c,
			    const struct store_identity *idv, size_t idc, bool given,
			    bool create)
{
	int err;

	c->updated = clock_now_ms();
	err = store_customer_save(rq->api->store, c);
	if (!err && given)
		err = store_identities_set(rq->api->store, c->id, idv, idc);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the customer could not be stored: %s", strerror(err));
		return;
	}
	customer_event(create ? EVENT_CUSTOMER_CREATED : EVENT_CUSTOMER_UPDATED, rq,
		       c->id);
	reply_customer_committed(rq, create ? 201 : 200, create ? "Created" : "OK",
				 c->id);
}

static const char *const customer_keys[] = {"name",  "company", "tier",	      "tags",
					    "notes", "fields",	"identities", NULL};

/* POST /api/v1/customers */
void api__customers_add(struct req *rq)
{
	struct store_identity idv[MAX_IDENTITIES];
	struct store_customer c;
	json_t *body = api__body_object(rq, customer_keys);
	unsigned char r[8];
	size_t idc;
	bool given;

	if (!body)
		return;
	memset(&c, 0, sizeof(c));
	randombytes_buf(r, sizeof(r));
	memcpy(c.id, "cu_", 3);
	sodium_bin2hex(c.id + 3, sizeof(c.id) - 3, r, sizeof(r));
	util_copy(c.tier, sizeof(c.tier),
		  rq->api->tenant->tierc ? rq->api->tenant->tiers[0].name : "normal");
	c.created = clock_now_ms();
	if (customer_fields(rq, body, &c, true, idv, &idc, &given))
		customer_commit(rq, &c, idv, idc, given, true);
	json_decref(body);
}

void api__customers_get(struct req *rq)
{
	struct store_customer c;

	if (customer_load(rq, &c))
		api__reply_json(rq, 200, "OK", customer_json(rq->api, &c));
}

/* PATCH /api/v1/customers/{id}: identities, when given, replace all. */
void api__customers_patch(struct req *rq)
{
	struct store_identity idv[MAX_IDENTITIES];
	struct store_customer c;
	size_t idc;
	bool given;
	json_t *body;

	if (!customer_load(rq, &c))
		return;
	body = api__body_object(rq, customer_keys);
	if (body && customer_fields(rq, body, &c, false, idv, &idc, &given))
		customer_commit(rq, &c, idv, idc, given, false);
	json_decref(body);
}

/* A list of declared fields as the pages render them. */
static json_t *fields_json(const struct cfg_field *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "name", v[i].name, "label",
				      v[i].label, "type", cfg_field_type_name(v[i].type),
				      "required", v[i].required);
		if (v[i].type == CFG_FIELD_CHOICE) {
			json_t *opts = json_array();
			for (size_t k = 0; k < v[i].optionc; k++)
				json_array_append_new(opts, json_string(v[i].options[k]));
			json_object_set_new(o, "options", opts);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* GET /api/v1/fields: the custom fields the tenant declares for customers
 * (crm.fields) and tickets (tickets.fields), for the pages' forms; an
 * empty list means any keys with text values. */
void api__fields_get(struct req *rq)
{
	const struct cfg_tenant *t = rq->api->tenant;

	api__reply_json(rq, 200, "OK",
			json_pack("{s:o,s:o}", "customer",
				  fields_json(t->crm_fields, t->crm_fieldc), "ticket",
				  fields_json(t->ticket_fields, t->ticket_fieldc)));
}

static int customer_add_json(const struct store_customer *c, void *arg)
{
	struct req *rq = ((void **)arg)[0];
	json_array_append_new(((void **)arg)[1], customer_json(rq->api, c));
	return 0;
}

/*
 * GET /api/v1/customers?q=...: a phone number or e-mail address finds its
 * customer; other words search names, companies, tags and identities
 * (every word as a prefix, any part of a Chinese one: util_fts_query); no
 * q lists the newest.
 */
void api__customers_list(struct req *rq)
{
	struct store_customer c;
	char q[256], match[512], norm[128], id[32];
	json_t *arr = json_array();
	void *ctx[2] = {rq, arr};
	uint32_t limit = 50, offset = 0;
	int err = 0;

	if (!api__query_uint(rq, "limit", 1, 500, &limit) ||
	    !api__query_uint(rq, "offset", 0, 1000000, &offset)) {
		json_decref(arr);
		return;
	}
	if (!api__query_get(rq->msg, "q", q, sizeof(q)))
		q[0] = '\0';
	if (q[0] && !crm_e164(norm, sizeof(norm), q, rq->api->tenant->country, NULL) &&
	    !store_identity_find(rq->api->store, "phone", norm, id, sizeof(id))) {
		if (!store_customer_get(rq->api->store, id, &c))
			customer_add_json(&c, ctx);
	} else if (strchr(q, '@')) {
		if (!crm_identity_norm(norm, sizeof(norm), CRM_EMAIL, q, "", NULL) &&
		    !store_identity_find(rq->api->store, "email", norm, id, sizeof(id)) &&
		    !store_customer_get(rq->api->store, id, &c))
			customer_add_json(&c, ctx);
	} else {
		util_fts_query(match, sizeof(match), q);
		err = store_customer_list(rq->api->store, match[0] ? match : NULL, limit,
					  offset, customer_add_json, ctx);
	}
	if (err) {
		json_decref(arr);
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the customers could not be read");
		return;
	}
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "customers", arr));
}

/* The customer's timeline as it is gathered: items with their times, put
 * newest first at the end. */
struct timeline {
	struct req *rq;
	struct tl_item {
		uint64_t at;
		json_t *o;
	} * v;
	size_t n, sz;
	uint32_t rows; /* rows the store gave the last page */
};

static void tl_add(struct timeline *tl, uint64_t at, json_t *o)
{
	if (!o)
		return;
	if (tl->n == tl->sz) {
		size_t sz = tl->sz ? 2 * tl->sz : 64;
		void *v = realloc(tl->v, sz * sizeof(*tl->v));
		if (!v) {
			json_decref(o);
			return;
		}
		tl->v = v;
		tl->sz = sz;
	}
	tl->v[tl->n].at = at;
	tl->v[tl->n++].o = o;
}

static int tl_cmp(const void *a, const void *b)
{
	const struct tl_item *x = a, *y = b;
	return x->at < y->at ? 1 : x->at > y->at ? -1 : 0;
}

static int timeline_call(const struct store_call *c, void *arg)
{
	struct timeline *tl = arg;
	struct store_wrapup w;
	json_t *o;
	bool voice;

	tl->rows++;
	/* the calls the user may open on their own route, no other */
	if (!api__sees_call(tl->rq, c))
		return 0;
	/* each with its real channel: a call, or a chat, mail or message
	 * (kind "interaction") */
	voice = !c->channel[0] || !strcmp(c->channel, "voice");
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "kind",
		      voice ? "call" : "interaction", "channel",
		      voice ? "voice" : c->channel, "id", c->id, "caller", c->caller,
		      "queue", c->queue, "agent", c->agent, "outcome", c->outcome, "at",
		      api__time_json(c->created), "answered_at",
		      api__time_json(c->answered), "ended_at", api__time_json(c->ended));
	if (!o)
		return 0;
	if (c->recording[0]) {
		char url[96];

		snprintf(url, sizeof(url), "/api/v1/calls/%s/recording", c->id);
		json_object_set_new(o, "recording_url", json_string(url));
	}
	if (!store_wrapup_get(tl->rq->api->store, c->id, &w))
		json_object_set_new(o, "wrapup",
				    json_pack("{s:s,s:s}", "disposition", w.disposition,
					      "notes", w.notes));
	tl_add(tl, c->created, o);
	return 0;
}

/* A ticket's notes and public replies on its customer's timeline. */
static int timeline_note(const struct store_ticket_entry *e, void *arg)
{
	struct timeline *tl = arg;

	if (strcmp(e->kind, "note") && strcmp(e->kind, "reply"))
		return 0;
	tl_add(tl, e->ts,
	       json_pack("{s:s,s:o,s:s,s:s,s:s}", "kind", e->kind, "at",
			 api__time_json(e->ts), "ticket", e->ticket, "user", e->user,
			 "text", e->text));
	return 0;
}

static int timeline_ticket(const struct store_ticket *t, void *arg)
{
	struct timeline *tl = arg;
	const char *sla =
	    ticket_sla_state(t, tl->rq->api->tenant->ticket_warn_ms, clock_now_ms());

	tl->rows++;
	/* the tickets (and so the notes) the user may open on their own
	 * route, no other */
	if (!api__sees_ticket(tl->rq, t))
		return 0;
	tl_add(tl, t->created,
	       json_pack("{s:s,s:o,s:{s:s,s:s,s:s,s:s,s:s,s:{s:s}}}", "kind", "ticket",
			 "at", api__time_json(t->created), "ticket", "id", t->id,
			 "subject", t->subject, "status", t->status, "priority",
			 t->priority, "assignee", t->assignee, "sla", "state", sla));
	(void)store_ticket_history(tl->rq->api->store, t->id, timeline_note, tl);
	return 0;
}

/* The customer's calls (with wrap-ups and recordings), tickets and the
 * notes and replies on them, newest first, at most limit of them. The
 * store pages on until limit items the user may see are in or it has no
 * more: a page of calls from queues the user does not serve must not hide
 * older ones it does. */
static json_t *timeline_of(struct req *rq, const char *id, uint32_t limit)
{
	struct timeline tl = {.rq = rq};
	struct store_call_filter cf = {.customer = id, .limit = limit};
	struct store_ticket_filter tf = {.customer = id, .limit = limit};
	json_t *arr = json_array();
	size_t had = 0;

	do {
		tl.rows = 0;
		(void)store_call_list(rq->api->store, &cf, timeline_call, &tl);
		cf.offset += limit;
	} while (tl.rows == limit && tl.n - had < limit);
	had = tl.n;
	do {
		tl.rows = 0;
		(void)store_ticket_list(rq->api->store, &tf, timeline_ticket, &tl);
		tf.offset += limit;
	} while (tl.rows == limit && tl.n - had < limit);
	if (tl.n) /* qsort wants an array, even of none */
		qsort(tl.v, tl.n, sizeof(*tl.v), tl_cmp);
	for (size_t i = 0; i < tl.n; i++) {
		if (i < limit)
			json_array_append_new(arr, tl.v[i].o);
		else
			json_decref(tl.v[i].o);
	}
	free(tl.v);
	return arr;
}

/* GET /api/v1/customers/{id}/timeline: timeline_of, limit items (100). */
void api__customers_timeline(struct req *rq)
{
	struct store_customer c;
	uint32_t limit = 100;

	if (!api__query_uint(rq, "limit", 1, 1000, &limit) || !customer_load(rq, &c))
		return;
	api__reply_json(rq, 200, "OK",
			json_pack("{s:s,s:o}", "customer", c.id, "timeline",
				  timeline_of(rq, c.id, limit)));
}

/* GET /api/v1/customers/{id}/export: all we hold about the customer. */
void api__customers_export(struct req *rq)
{
	struct store_customer c;
	json_t *o;

	if (!customer_load(rq, &c))
		return;
	o = customer_json(rq->api, &c);
	json_object_set_new(o, "interactions", timeline_of(rq, c.id, 1000));
	api__audit(rq->api, &rq->who, "customer.export", c.id, "%s", "");
	api__reply_json_hdrs(
	    rq, 200, "OK",
	    "Content-Disposition: attachment; filename=\"customer.json\"\r\n", o);
}

/* POST /api/v1/customers/{id}/merge {"from": "cu_..."}: from's identities
 * and history move to {id}; from is gone. */
void api__customers_merge(struct req *rq)
{
	static const char *const fields[] = {"from", NULL};
	struct store_customer into, from;
	json_t *body;
	const char *fid;
	int err;

	if (!customer_load(rq, &into))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	fid = json_string_value(json_object_get(body, "from"));
	if (!fid || !strcmp(fid, into.id)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "from: another customer's id is required");
		goto out;
	}
	if (store_customer_get(rq->api->store, fid, &from)) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "from: no customer '%s'", fid);
		goto out;
	}
	err = store_customer_merge(rq->api->store, from.id, into.id);
	/* a call going on now is into's as well (its row is saved again) */
	if (!err && rq->api->calls)
		callctl_customer_merged(rq->api->calls, from.id, into.id, into.name);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the merge could not be stored: %s", strerror(err));
		goto out;
	}
	api__audit(rq->api, &rq->who, "customer.merge", into.id, "from=%s (%s)", from.id,
		   from.name);
	event_emit_pack(EVENT_CUSTOMER_MERGED, NULL, NULL, NULL, "{s:s,s:s,s:s}",
			"customer", into.id, "from", from.id, "by", rq->who.user);
	reply_customer_committed(rq, 200, "OK", into.id);
out:
	json_decref(body);
}

/* What forgetting a customer removes besides its record: its numbers
 * (as identities and as its calls' callers wrote them) and recordings. */
struct forget {
	struct req *rq;
	char v[64][128];
	size_t n;
};

static void forget_number(struct forget *fg, const char *num)
{
	for (size_t i = 0; i < fg->n; i++) {
		if (!strcmp(fg->v[i], num))
			return;
	}
	if (fg->n < 64 && num[0])
		util_copy(fg->v[fg->n++], sizeof(fg->v[0]), num);
}

static int forget_identity(const struct store_identity *i, void *arg)
{
	if (!strcmp(i->kind, "phone") || !strcmp(i->kind, "email"))
		forget_number(arg, i->value);
	return 0;
}

static int forget_call(const struct store_call *c, void *arg)
{
	struct forget *fg = arg;
	char path[600];

	forget_number(fg, c->caller);
	if (!c->recording[0] || strstr(c->recording, "..") || c->recording[0] == '/')
		return 0;
	snprintf(path, sizeof(path), "%s/%s", fg->rq->api->node->data_dir, c->recording);
	if (remove(path))
		log_warn("api: recording not removed call=%s", c->id);
	return 0;
}

/*
 * DELETE /api/v1/customers/{id}?confirm={id}: right to be forgotten. The
 * customer, its identities and its recordings go; its calls stay in the
 * figures with the caller number gone. Confirmed by repeating the id.
 */
void api__customers_forget(struct req *rq)
{
	struct store_call_filter f = {.customer = rq->id, .limit = 1000000};
	struct store_customer c;
	struct forget *fg;
	const char *numv[64];
	char confirm[64];
	int err;

	if (!customer_load(rq, &c))
		return;
	if (!api__query_get(rq->msg, "confirm", confirm, sizeof(confirm)) ||
	    strcmp(confirm, c.id)) {
		api__reply_error(
		    rq, 409, "Conflict", "confirm",
		    "confirm: repeat the customer's id (?confirm=%s) to forget "
		    "it; this cannot be undone",
		    c.id);
		return;
	}
	if (rq->api->calls && callctl_customer_calls(rq->api->calls, c.id)) {
		api__reply_error(rq, 409, "Conflict", "on_a_call",
				 "the customer is on a call now; forget it once the call "
				 "has ended");
		return;
	}
	fg = calloc(1, sizeof(*fg));
	if (!fg) {
		api__reply_error(rq, 503, "Service Unavailable", "no_memory",
				 "out of memory");
		return;
	}
	fg->rq = rq;
	(void)store_identity_list(rq->api->store, c.id, forget_identity, fg);
	(void)store_call_list(rq->api->store, &f, forget_call, fg);
	for (size_t i = 0; i < fg->n; i++)
		numv[i] = fg->v[i];
	err = store_customer_forget(rq->api->store, c.id, numv, fg->n);
	free(fg);
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the customer could not be forgotten: %s",
				 strerror(err));
		return;
	}
	api__audit(rq->api, &rq->who, "customer.forget", c.id, "%s",
		   "personal data removed");
	event_emit_pack(EVENT_CUSTOMER_DELETED, NULL, NULL, NULL, "{s:s,s:s}", "customer",
			c.id, "by", rq->who.user);
	api__reply_committed(rq, 204, "No Content", NULL, NULL);
}
