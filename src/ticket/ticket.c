/*
 * ticket.c — the ticket engine: creating and changing tickets (status
 * rules, assignment in a group, SLA clocks in business hours that stop
 * while a ticket is pending), and checking the clocks (warning before a
 * breach, escalation at it). Every change is stored, written to the
 * ticket's history and emitted as an event (webhooks and the event
 * stream carry it).
 *
 * Open tickets' clocks are kept in memory (a small slot each) so that a
 * check never reads the store; a change reads the whole ticket.
 *
 * Custom fields are kept as the JSON object the caller gives (checked
 * against tickets.fields in api/, where the declarations are applied);
 * the engine stores it in one form (keys sorted) and says which keys a
 * change touched.
 *
 * Not here: business time (sla.c), the routes (api/tickets.c).
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
#include <re_list.h>
#include <re_hash.h>
#include <re_sys.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "acd/acd.h"
#include "ticket/ticket.h"

#define MAX_GROUPS 64

/* What the checks need of an open ticket. */
struct slot {
	struct le le;
	struct tickets *tk;
	int agent; /* index of the assignee in the tenant, counted in load[]; -1 */
	char id[32];
	char assignee[16];
	char group[32];
	enum ticket_status status;
	uint64_t fr_due, res_due, fr_at, paused_at, flags;
};

struct tickets {
	struct store *store;
	const struct cfg_tenant *tenant;
	const struct cfg_hours *hours; /* NULL: round the clock */
	struct acd *acd;
	struct hash *open; /* slots by id */
	uint32_t *load;	   /* open tickets per agent (tenant order) */
	struct {
		char group[32];
		size_t next;
	} rr[MAX_GROUPS]; /* round-robin positions */
	size_t rrc;
};

static const char *const statuses[TICKET_STATUSES] = {"new", "open", "pending",
						      "resolved", "closed"};
static const char *const priorities[TICKET_PRIORITIES] = {"low", "normal", "high",
							  "urgent"};

const char *ticket_status_name(enum ticket_status s)
{
	return s < TICKET_STATUSES ? statuses[s] : "?";
}

int ticket_status_parse(enum ticket_status *sp, const char *name)
{
	for (int i = 0; name && i < TICKET_STATUSES; i++) {
		if (!strcmp(name, statuses[i])) {
			*sp = (enum ticket_status)i;
			return 0;
		}
	}
	return EINVAL;
}

const char *ticket_priority_name(enum ticket_priority p)
{
	return p < TICKET_PRIORITIES ? priorities[p] : "?";
}

int ticket_priority_parse(enum ticket_priority *pp, const char *name)
{
	for (int i = 0; name && i < TICKET_PRIORITIES; i++) {
		if (!strcmp(name, priorities[i])) {
			*pp = (enum ticket_priority)i;
			return 0;
		}
	}
	return EINVAL;
}

bool ticket_status_allowed(enum ticket_status from, enum ticket_status to)
{
	/* rows: from; columns: new, open, pending, resolved, closed */
	static const bool allowed[TICKET_STATUSES][TICKET_STATUSES] = {
	    [TICKET_NEW] = {true, true, true, true, false},
	    [TICKET_OPEN] = {false, true, true, true, false},
	    [TICKET_PENDING] = {false, true, true, true, false},
	    [TICKET_RESOLVED] = {false, true, false, true, true}, /* reopen or close */
	    [TICKET_CLOSED] = {false, true, false, false, true},  /* reopen only */
	};
	return from < TICKET_STATUSES && to < TICKET_STATUSES && allowed[from][to];
}

const char *ticket_sla_state(const struct store_ticket *t, uint64_t warn_ms, uint64_t now)
{
	uint64_t dues[2] = {t->fr_at ? 0 : t->fr_due, t->resolved_at ? 0 : t->res_due};
	bool risk = false;

	if (t->sla_flags & (TICKET_FR_BREACHED | TICKET_RES_BREACHED))
		return "breached";
	for (int i = 0; i < 2; i++) {
		if (!dues[i] || t->paused_at)
			continue;
		if (now >= dues[i])
			return "breached";
		if (now + warn_ms >= dues[i])
			risk = true;
	}
	return risk ? "at_risk" : "on_track";
}

/* --- slots ------------------------------------------------------------- */

/* The slot's count in its assignee's load: taken out, or put in for an
 * unfinished ticket (new, open, pending). */
static void load_count(struct slot *s, bool in)
{
	const struct cfg_tenant *t = s->tk->tenant;

	if (s->agent >= 0)
		s->tk->load[s->agent]--;
	s->agent = -1;
	if (!in || !s->assignee[0] || s->status > TICKET_PENDING)
		return;
	for (size_t i = 0; i < t->agentc; i++) {
		if (!strcmp(t->agentv[i].ext, s->assignee)) {
			s->agent = (int)i;
			s->tk->load[i]++;
			return;
		}
	}
}

static void slot_destructor(void *arg)
{
	struct slot *s = arg;

	load_count(s, false);
	list_unlink(&s->le);
}

static bool slot_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct slot *)le->data)->id, arg);
}

static struct slot *slot_find(struct tickets *tk, const char *id)
{
	struct le *le = hash_lookup(tk->open, hash_joaat_str(id), slot_cmp, (void *)id);
	return le ? le->data : NULL;
}

/* The slot follows the ticket: made, changed, or dropped once closed. */
static void slot_sync(struct tickets *tk, const struct store_ticket *t)
{
	struct slot *s = slot_find(tk, t->id);
	enum ticket_status st = TICKET_NEW;

	(void)ticket_status_parse(&st, t->status);
	if (st == TICKET_CLOSED) {
		mem_deref(s);
		return;
	}
	if (!s) {
		s = mem_zalloc(sizeof(*s), slot_destructor);
		if (!s)
			return;
		util_copy(s->id, sizeof(s->id), t->id);
		s->tk = tk;
		s->agent = -1;
		hash_append(tk->open, hash_joaat_str(s->id), &s->le, s);
	}
	util_copy(s->assignee, sizeof(s->assignee), t->assignee);
	util_copy(s->group, sizeof(s->group), t->group);
	s->status = st;
	s->fr_due = t->fr_due;
	s->res_due = t->res_due;
	s->fr_at = t->fr_at;
	s->paused_at = t->paused_at;
	s->flags = t->sla_flags;
	load_count(s, true);
}

/* --- history and events ---------------------------------------------------- */

static void entry_add(struct tickets *tk, struct store_ticket_entry *e,
		      const struct store_ticket *t, const char *by, const char *kind)
{
	util_copy(e->ticket, sizeof(e->ticket), t->id);
	e->ts = t->updated;
	util_copy(e->user, sizeof(e->user), by ? by : "system");
	util_copy(e->kind, sizeof(e->kind), kind);
	if (store_ticket_history_add(tk->store, e))
		log_error("ticket: history not stored ticket=%s", t->id);
}

/* A note or reply: the person's words, kept as typed. */
static void history_text(struct tickets *tk, const struct store_ticket *t, const char *by,
			 const char *kind, bool public_reply, const char *text)
{
	struct store_ticket_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	e->public_ = public_reply;
	util_copy(e->text, sizeof(e->text), text);
	entry_add(tk, e, t, by, kind);
	free(e);
}

/* A line the server writes: a message key and its arguments (msg.c's
 * table says which are our words), worded in each reader's language when
 * read, never stored in one language. */
static void history(struct tickets *tk, const struct store_ticket *t, const char *by,
		    const char *kind, const char *key, const char *const *args)
{
	struct store_ticket_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return;
	if (msg_make(e->msg, sizeof(e->msg), key, args))
		log_error("ticket: history line not made ticket=%s key=%s", t->id, key);
	else
		entry_add(tk, e, t, by, kind);
	free(e);
}

static void emit(const struct store_ticket *t, enum event_type type, const char *by,
		 const char *what)
{
	event_emit_pack(type, NULL, t->assignee[0] ? t->assignee : NULL,
			t->group[0] ? t->group : NULL, "{s:s,s:s,s:s,s:s,s:s,s:s}",
			"ticket", t->id, "status", t->status, "priority", t->priority,
			"customer", t->customer, "by", by ? by : "system", "what", what);
}

static int save(struct tickets *tk, struct store_ticket *t)
{
	int err = store_ticket_save(tk->store, t);

	if (!err)
		slot_sync(tk, t);
	return err;
}

/* --- assignment ----------------------------------------------------------- */

/*
 * An agent of the group to take the ticket: those who serve the queue and
 * are logged in and available (not skip), least loaded first or in turn.
 * "" when nobody is.
 */
static void assign(struct tickets *tk, const char *group, const char *skip, char *out,
		   size_t sz)
{
	const struct cfg_tenant *t = tk->tenant;
	const char *cand[256];
	size_t idx[256];
	size_t n = 0, best = 0, *next = NULL;

	out[0] = '\0';
	if (!group || !group[0] || !tk->acd)
		return;
	for (size_t i = 0; i < t->agentc && n < 256; i++) {
		struct acd_agent_info in;
		const char *ext = t->agentv[i].ext;
		if ((skip && !strcmp(ext, skip)) || !cfg_agent_serves(t, group, ext) ||
		    acd_agent_info(tk->acd, ext, &in) || in.presence != AGENT_AVAILABLE)
			continue;
		idx[n] = i;
		cand[n++] = ext;
	}
	if (!n)
		return;
	if (!strcmp(t->ticket_assign, "round-robin")) {
		for (size_t i = 0; i < tk->rrc && !next; i++)
			next = strcmp(tk->rr[i].group, group) ? NULL : &tk->rr[i].next;
		if (!next && tk->rrc < MAX_GROUPS) {
			util_copy(tk->rr[tk->rrc].group, sizeof(tk->rr[0].group), group);
			next = &tk->rr[tk->rrc++].next;
		}
		best = next ? (*next)++ % n : 0;
	} else {
		size_t least = SIZE_MAX;
		for (size_t i = 0; i < n; i++) {
			size_t l = tk->load[idx[i]];
			if (l < least) {
				least = l;
				best = i;
			}
		}
	}
	util_copy(out, sz, cand[best]);
}

/* --- SLA ------------------------------------------------------------------ */

static const struct cfg_sla *policy(const struct cfg_tenant *t, const char *priority,
				    const char *category)
{
	for (size_t i = 0; i < t->slac; i++) {
		const struct cfg_sla *p = &t->slav[i];
		if (!strcmp(p->priority, priority) &&
		    (!p->category[0] || !strcmp(p->category, category)))
			return p;
	}
	return NULL;
}

/* Dues from the policy, counted from `from` (creation, or a change of
 * priority that changes the policy). */
static void dues_set(struct tickets *tk, struct store_ticket *t, uint64_t from)
{
	const struct cfg_sla *p = policy(tk->tenant, t->priority, t->category);

	t->fr_due = p && !t->fr_at ? sla_due(tk->hours, from, p->first_response_ms) : 0;
	t->res_due = p ? sla_due(tk->hours, from, p->resolution_ms) : 0;
	t->sla_flags &= ~(uint64_t)(TICKET_FR_WARNED | TICKET_RES_WARNED);
}

/* Clocks stopped at paused_at go on at now: what was left of each target
 * (in business time) is left again. */
static void clocks_resume(struct tickets *tk, struct store_ticket *t, uint64_t now)
{
	uint64_t *dues[2] = {t->fr_at ? NULL : &t->fr_due, &t->res_due};

	for (int i = 0; i < 2; i++) {
		uint64_t left;
		if (!dues[i] || !*dues[i])
			continue;
		left = *dues[i] > t->paused_at
			   ? sla_business_ms(tk->hours, t->paused_at, *dues[i])
			   : 0;
		*dues[i] = sla_due(tk->hours, now, left);
	}
	t->paused_at = 0;
}

/* --- changes ---------------------------------------------------------------- */

/* The custom fields text into t->fields in one form (compact, keys
 * sorted), so that the same fields are always the same text. */
static int custom_fields_set(struct store_ticket *t, const char *text, const char **why)
{
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	char *s = json_is_object(o) ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int err = 0;

	if (!json_is_object(o)) {
		*why = "fields: an object of the declared fields";
		err = EINVAL;
	} else if (!s) {
		err = ENOMEM;
	} else if (strlen(s) >= sizeof(t->fields)) {
		*why = "fields: at most 8191 bytes in all";
		err = EINVAL;
	} else {
		util_copy(t->fields, sizeof(t->fields), s);
	}
	free(s);
	json_decref(o);
	return err;
}

/*
 * The keys whose values differ between two fields objects (JSON text),
 * as "a, b, c (removed)" into out; "" when none do.
 */
static void custom_fields_diff(const char *before, const char *after, char *out,
			       size_t sz, char *gone, size_t gsz)
{
	json_t *a = json_loads(before[0] ? before : "{}", 0, NULL);
	json_t *b = json_loads(after[0] ? after : "{}", 0, NULL);
	const char *key;
	json_t *v;
	size_t len = 0;

	out[0] = gone[0] = '\0';
	if (!json_is_object(a) || !json_is_object(b))
		goto out;
	/* in sorted order, the way they are stored */
	json_object_foreach(b, key, v)
	{
		if (json_equal(v, json_object_get(a, key)))
			continue;
		len +=
		    (size_t)snprintf(out + len, sz - len, "%s%s", len ? ", " : "", key);
		if (len >= sz)
			goto cut;
	}
	len = 0;
	json_object_foreach(a, key, v)
	{
		if (json_object_get(b, key))
			continue;
		len +=
		    (size_t)snprintf(gone + len, gsz - len, "%s%s", len ? ", " : "", key);
		if (len >= gsz) {
			out = gone;
			sz = gsz;
			goto cut;
		}
	}
	goto out;
cut:
	if (sz > 4)
		memcpy(out + sz - 4, "...", 4);
out:
	json_decref(a);
	json_decref(b);
}

static int fields_apply(struct tickets *tk, struct store_ticket *t,
			const struct ticket_change *c, uint64_t now, const char **why)
{
	const struct cfg_tenant *tn = tk->tenant;
	bool known = false;

	if (c->subject) {
		if (!c->subject[0] || strlen(c->subject) >= sizeof(t->subject)) {
			*why = "subject: text of 1-255 characters";
			return EINVAL;
		}
		util_copy(t->subject, sizeof(t->subject), c->subject);
	}
	if (c->description) {
		if (strlen(c->description) >= sizeof(t->description)) {
			*why = "description: at most 4095 characters";
			return EINVAL;
		}
		util_copy(t->description, sizeof(t->description), c->description);
	}
	if (c->category) {
		for (size_t i = 0; i < tn->ticket_categoryc && !known; i++)
			known = !strcmp(tn->ticket_categories[i], c->category);
		if (!known) {
			*why = "category: not one of the tenant's tickets.categories";
			return EINVAL;
		}
		util_copy(t->category, sizeof(t->category), c->category);
	}
	if (c->group) {
		if (c->group[0] && !cfg_queue_find(tn, c->group)) {
			*why = "group: not a queue of the tenant";
			return EINVAL;
		}
		util_copy(t->group, sizeof(t->group), c->group);
	}
	if (c->assignee) {
		if (c->assignee[0] && !cfg_agent_find(tn, c->assignee)) {
			*why = "assignee: not an agent of the tenant";
			return EINVAL;
		}
		util_copy(t->assignee, sizeof(t->assignee), c->assignee);
	}
	if (c->customer)
		util_copy(t->customer, sizeof(t->customer), c->customer);
	if (c->tags) {
		if (strlen(c->tags) >= sizeof(t->tags)) {
			*why = "tags: too many";
			return EINVAL;
		}
		util_copy(t->tags, sizeof(t->tags), c->tags);
	}
	if (c->call && c->call[0]) {
		if (strlen(t->calls) + strlen(c->call) + 2 > sizeof(t->calls)) {
			*why = "call: too many linked calls";
			return EINVAL;
		}
		if (!strstr(t->calls, c->call)) {
			if (t->calls[0])
				strcat(t->calls, ",");
			strcat(t->calls, c->call);
		}
	}
	if (c->priority >= TICKET_PRIORITIES) {
		*why = "priority: low, normal, high or urgent";
		return EINVAL;
	}
	if (c->priority >= 0)
		util_copy(t->priority, sizeof(t->priority),
			  ticket_priority_name((enum ticket_priority)c->priority));
	if (c->csat < 0 || c->csat > 5) {
		*why = "score: 1 to 5";
		return EINVAL;
	}
	if (c->csat)
		t->csat = (uint64_t)c->csat;
	if (c->fields) {
		int err = custom_fields_set(t, c->fields, why);
		if (err)
			return err;
	}
	(void)now;
	return 0;
}

int ticket_create(struct tickets *tk, const struct ticket_change *c, uint64_t now,
		  struct store_ticket *out, const char **why)
{
	struct store_ticket *t;
	const char *dummy;
	int err;

	if (!why)
		why = &dummy;
	if (!tk || !c || !c->subject) {
		*why = "subject: required";
		return EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	store_group_begin(tk->store); /* the ticket with its history, or nothing */
	/* random, not from the time: two tickets in one millisecond differ */
	snprintf(t->id, sizeof(t->id), "tk_%016llx", (unsigned long long)rand_u64());
	util_copy(t->status, sizeof(t->status), "new");
	util_copy(t->priority, sizeof(t->priority), "normal");
	util_copy(t->category, sizeof(t->category),
		  tk->tenant->ticket_categoryc ? tk->tenant->ticket_categories[0]
					       : "general");
	util_copy(t->creator, sizeof(t->creator), c->by ? c->by : "system");
	t->created = t->updated = now;
	err = fields_apply(tk, t, c, now, why);
	if (err)
		goto out;
	if (!t->assignee[0])
		assign(tk, t->group, NULL, t->assignee, sizeof(t->assignee));
	dues_set(tk, t, now);
	err = save(tk, t);
	if (err)
		goto out;
	history(tk, t, c->by, "created",
		t->assignee[0] ? "ticket.created.assigned" : "ticket.created",
		(const char *const[]){t->subject, t->priority, t->category, t->assignee});
	emit(t, EVENT_TICKET_CREATED, c->by, "created");
	log_info("ticket: created ticket=%s priority=%s group=%s assignee=%s", t->id,
		 t->priority, t->group, t->assignee);
	if (out)
		*out = *t;
out:
	store_group_end(tk->store);
	free(t);
	return err;
}

int ticket_update(struct tickets *tk, const char *id, const struct ticket_change *c,
		  uint64_t now, struct store_ticket *out, const char **why)
{
	struct store_ticket *t, before;
	enum ticket_status from = TICKET_NEW, to;
	const char *dummy;
	char what[160] = "", keys[256], gone[256];
	int err;

	if (!why)
		why = &dummy;
	if (!tk || !id || !c)
		return EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	store_group_begin(tk->store);
	err = store_ticket_get(tk->store, id, t);
	if (err)
		goto out;
	before = *t;
	(void)ticket_status_parse(&from, t->status);
	to = c->status >= 0 ? (enum ticket_status)c->status : from;
	if (c->status >= TICKET_STATUSES) {
		*why = "status: new, open, pending, resolved or closed";
		err = EINVAL;
		goto out;
	}
	if (to != from && !ticket_status_allowed(from, to)) {
		*why = "status: this change is not allowed";
		err = EPERM;
		goto out;
	}
	err = fields_apply(tk, t, c, now, why);
	if (err)
		goto out;
	t->updated = now;
	if (to != from) {
		util_copy(t->status, sizeof(t->status), ticket_status_name(to));
		if (from == TICKET_PENDING && t->paused_at)
			clocks_resume(tk, t, now);
		if (to == TICKET_PENDING)
			t->paused_at = now;
		if (to == TICKET_RESOLVED) {
			t->resolved_at = now;
			if (!t->fr_at)
				t->fr_at = now;
		}
		if (to == TICKET_OPEN &&
		    (from == TICKET_RESOLVED || from == TICKET_CLOSED))
			t->resolved_at = 0; /* reopened: its clock runs again */
		history(tk, t, c->by, "status", "ticket.status",
			(const char *const[]){ticket_status_name(from),
					      ticket_status_name(to)});
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "status ");
	}
	if (strcmp(before.priority, t->priority)) {
		if (!t->paused_at)
			dues_set(tk, t, before.created); /* the new priority's policy */
		history(tk, t, c->by, "priority", "ticket.priority",
			(const char *const[]){before.priority, t->priority});
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "priority ");
	}
	if (strcmp(before.group, t->group) && !c->assignee) {
		assign(tk, t->group, NULL, t->assignee, sizeof(t->assignee));
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "group ");
	}
	if (before.csat != t->csat) {
		char n[24];

		snprintf(n, sizeof(n), "%llu", (unsigned long long)t->csat);
		history(tk, t, c->by, "rated", "ticket.rated", (const char *const[]){n});
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "csat ");
	}
	custom_fields_diff(before.fields, t->fields, keys, sizeof(keys), gone,
			   sizeof(gone));
	if (keys[0] || gone[0]) {
		history(tk, t, c->by, "fields",
			!gone[0]  ? "ticket.fields"
			: keys[0] ? "ticket.fields.both"
				  : "ticket.fields.removed",
			keys[0] ? (const char *const[]){keys, gone}
				: (const char *const[]){gone});
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "fields ");
	}
	if (strcmp(before.assignee, t->assignee)) {
		history(tk, t, c->by, "assign", "ticket.assign",
			(const char *const[]){before.assignee, t->assignee});
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "assignee ");
	}
	err = save(tk, t);
	if (err)
		goto out;
	emit(t, EVENT_TICKET_UPDATED, c->by, what[0] ? what : "fields ");
	if (out)
		*out = *t;
out:
	store_group_end(tk->store);
	free(t);
	return err;
}

int ticket_note(struct tickets *tk, const char *id, const char *by, const char *text,
		bool public_reply, uint64_t now)
{
	struct store_ticket *t;
	int err;

	if (!tk || !id || !text || !*text)
		return EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	store_group_begin(tk->store);
	err = store_ticket_get(tk->store, id, t);
	if (err)
		goto out;
	t->updated = now;
	if (public_reply && !t->fr_at)
		t->fr_at = now; /* the first response */
	history_text(tk, t, by, public_reply ? "reply" : "note", public_reply, text);
	err = save(tk, t);
	if (!err)
		emit(t, EVENT_TICKET_UPDATED, by, public_reply ? "reply" : "note");
out:
	store_group_end(tk->store);
	free(t);
	return err;
}

/* --- checks ------------------------------------------------------------------ */

/* A warning or a breach of one clock: stored, in the history, an event;
 * a breach escalates. */
static void sla_hit(struct tickets *tk, const struct slot *s, uint64_t flag, uint64_t now)
{
	struct store_ticket *t = calloc(1, sizeof(*t));
	bool breach = flag & (TICKET_FR_BREACHED | TICKET_RES_BREACHED);
	const char *clock = flag & (TICKET_FR_WARNED | TICKET_FR_BREACHED)
				? "first response"
				: "resolution";
	enum ticket_priority p = TICKET_NORMAL;
	char from[16];

	if (!t)
		return;
	if (store_ticket_get(tk->store, s->id, t)) {
		free(t);
		return;
	}
	t->sla_flags |= flag;
	t->updated = now;
	history(tk, t, "system", "sla",
		breach ? "ticket.sla.breached" : "ticket.sla.near",
		(const char *const[]){clock});
	emit(t, breach ? EVENT_TICKET_SLA_BREACHED : EVENT_TICKET_SLA_WARNING, "system",
	     clock);
	if (breach) {
		/* escalation: a step up in priority, another agent of the group,
		 * the supervisors told (the event reaches their wallboards and
		 * the webhooks) */
		(void)ticket_priority_parse(&p, t->priority);
		if (p < TICKET_URGENT)
			util_copy(t->priority, sizeof(t->priority),
				  ticket_priority_name((enum ticket_priority)(p + 1)));
		util_copy(from, sizeof(from), t->assignee);
		assign(tk, t->group, from[0] ? from : NULL, t->assignee,
		       sizeof(t->assignee));
		if (!t->assignee[0])
			util_copy(t->assignee, sizeof(t->assignee), from);
		t->escalations++;
		if (strcmp(from, t->assignee))
			history(tk, t, "system", "escalated", "ticket.escalated",
				(const char *const[]){t->priority, from, t->assignee});
		else
			history(tk, t, "system", "escalated", "ticket.escalated.kept",
				(const char *const[]){t->priority, from, t->group});
		emit(t, EVENT_TICKET_ESCALATED, "system", clock);
		log_info("ticket: escalated ticket=%s clock=%s priority=%s assignee=%s",
			 t->id, clock, t->priority, t->assignee);
	}
	if (save(tk, t))
		log_error("ticket: SLA change not stored ticket=%s", t->id);
	free(t);
}

size_t ticket_check(struct tickets *tk, uint64_t now)
{
	uint64_t warn = tk ? tk->tenant->ticket_warn_ms : 0;
	struct {
		char id[32];
		uint64_t flag;
	} hits[64];
	size_t n = 0;

	if (!tk)
		return 0;
	/* collect first: a hit changes the table */
	for (uint32_t b = 0; b < hash_bsize(tk->open) && n < 64; b++) {
		struct le *le = list_head(hash_list(tk->open, b));
		for (; le && n < 64; le = le->next) {
			const struct slot *s = le->data;
			uint64_t f = 0;
			if (s->paused_at || s->status >= TICKET_RESOLVED)
				continue;
			if (s->fr_due && !s->fr_at) {
				if (now >= s->fr_due && !(s->flags & TICKET_FR_BREACHED))
					f = TICKET_FR_BREACHED;
				else if (now + warn >= s->fr_due &&
					 !(s->flags &
					   (TICKET_FR_WARNED | TICKET_FR_BREACHED)))
					f = TICKET_FR_WARNED;
			}
			if (!f && s->res_due) {
				if (now >= s->res_due &&
				    !(s->flags & TICKET_RES_BREACHED))
					f = TICKET_RES_BREACHED;
				else if (now + warn >= s->res_due &&
					 !(s->flags &
					   (TICKET_RES_WARNED | TICKET_RES_BREACHED)))
					f = TICKET_RES_WARNED;
			}
			if (f) {
				util_copy(hits[n].id, sizeof(hits[n].id), s->id);
				hits[n++].flag = f;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = slot_find(tk, hits[i].id);
		if (s)
			sla_hit(tk, s, hits[i].flag, now);
	}
	return n;
}

/* --- set-up ----------------------------------------------------------------- */

static int load_one(const struct store_ticket *t, void *arg)
{
	slot_sync(arg, t);
	return 0;
}

/* The slot counts in its assignee's load again (agents' places change
 * with a new tenant). */
static bool recount(struct le *le, void *arg)
{
	struct slot *s = le->data;
	(void)arg;

	s->agent = -1;
	load_count(s, true);
	return false;
}

const struct cfg_tenant *tickets_tenant(const struct tickets *tk)
{
	return tk ? tk->tenant : NULL;
}

int tickets_tenant_set(struct tickets *tk, const struct cfg_tenant *t)
{
	uint32_t *load;

	if (!tk || !t)
		return EINVAL;
	load = calloc(t->agentc + 1, sizeof(*load));
	if (!load)
		return ENOMEM;
	free(tk->load);
	tk->load = load;
	tk->tenant = t;
	tk->hours = t->ticket_hours[0] ? cfg_hours_find(t, t->ticket_hours) : NULL;
	hash_apply(tk->open, recount, NULL);
	return 0;
}

static void tickets_destructor(void *arg)
{
	struct tickets *tk = arg;

	hash_flush(tk->open);
	mem_deref(tk->open);
	free(tk->load);
}

int tickets_alloc(struct tickets **tp, struct store *st, const struct cfg_tenant *t,
		  struct acd *acd, uint64_t now)
{
	struct store_ticket_filter f = {.statuses = "new,open,pending,resolved",
					.limit = 1000000};
	struct tickets *tk;
	int err;

	if (!tp || !st || !t)
		return EINVAL;
	tk = mem_zalloc(sizeof(*tk), tickets_destructor);
	if (!tk)
		return ENOMEM;
	tk->store = st;
	tk->tenant = t;
	tk->acd = acd;
	tk->hours = t->ticket_hours[0] ? cfg_hours_find(t, t->ticket_hours) : NULL;
	tk->load = calloc(t->agentc + 1, sizeof(*tk->load));
	err = tk->load ? hash_alloc(&tk->open, 1024) : ENOMEM;
	if (!err)
		err = store_ticket_list(st, &f, load_one, tk);
	if (err) {
		mem_deref(tk);
		return err;
	}
	(void)now;
	*tp = tk;
	return 0;
}
