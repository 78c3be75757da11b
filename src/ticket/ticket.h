/*
 * ticket.h — work orders (tickets): their life (new → open → pending →
 * resolved → closed, with reopen), who works on them (an agent of a group,
 * assigned round-robin or to the least loaded), and their SLA clocks
 * (first response and resolution, counted in the tenant's business hours,
 * stopped while pending), with a warning before a breach and an
 * escalation at it. Every change is an event and a line of the ticket's
 * history, a change of its custom fields too.
 *
 * The engine keeps the open tickets' clocks in memory and checks them
 * with ticket_check (time passed in); the records are in the store.
 */
#ifndef HOTLINE_TICKET_H
#define HOTLINE_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_hours;
struct cfg_tenant;
struct store;
struct acd;
struct store_ticket;

enum ticket_status {
	TICKET_NEW,
	TICKET_OPEN,
	TICKET_PENDING, /* waiting on the customer: SLA clocks stop */
	TICKET_RESOLVED,
	TICKET_CLOSED,
	TICKET_STATUSES
};

enum ticket_priority {
	TICKET_LOW,
	TICKET_NORMAL,
	TICKET_HIGH,
	TICKET_URGENT,
	TICKET_PRIORITIES
};

const char *ticket_status_name(enum ticket_status s);
int ticket_status_parse(enum ticket_status *sp, const char *name);
const char *ticket_priority_name(enum ticket_priority p);
int ticket_priority_parse(enum ticket_priority *pp, const char *name);
/* May a ticket go from one status to the other? (closed → pending: no) */
bool ticket_status_allowed(enum ticket_status from, enum ticket_status to);

/* --- business time (sla.c) ----------------------------------------------- */

/* The calendar's open time between from and to (ms; all of it when h is
 * NULL). */
uint64_t sla_business_ms(const struct cfg_hours *h, uint64_t from, uint64_t to);
/* When business_ms of the calendar's open time will have passed after
 * from. */
uint64_t sla_due(const struct cfg_hours *h, uint64_t from, uint64_t business_ms);

/* --- the engine --------------------------------------------------------- */

struct tickets;

/* acd: who is logged in, for assignment (may be NULL: nobody is). */
int tickets_alloc(struct tickets **tp, struct store *st, const struct cfg_tenant *t,
		  struct acd *acd, uint64_t now);
/* The tenant applied live: SLA policies, calendar, categories and agents
 * from t; open tickets keep their dues. ENOMEM: nothing changed. */
int tickets_tenant_set(struct tickets *tk, const struct cfg_tenant *t);
const struct cfg_tenant *tickets_tenant(const struct tickets *tk);

/* --- tickets interactions make (rules.c) ------------------------------------ */

struct ticket_rules;

/* A post-call survey gave call score (1-5): whoever keeps surveys stores
 * it (and on the call's ticket). */
typedef void(ticket_rated_h)(const char *call, int score, void *arg);

/* Watches the events for what makes tickets by itself: a known customer
 * who hung up waiting in a queue (a call-back ticket), a voicemail (a
 * ticket with the call), a survey's score (handed to rated). The tickets
 * are made by ticket_rules_run, none is dropped however many wait. */
int ticket_rules_alloc(struct ticket_rules **rp, struct tickets *tk,
		       ticket_rated_h *rated, void *arg);
void ticket_rules_run(struct ticket_rules *r, uint64_t now);
/* Requests waiting for the next run. */
size_t ticket_rules_pending(const struct ticket_rules *r);

/* What a new ticket or a change says; NULL/"" fields are left alone. */
struct ticket_change {
	const char *subject, *description, *category, *customer, *call, *tags;
	const char *assignee; /* "" unassigns */
	const char *group;    /* a queue */
	int priority;	      /* -1: leave */
	int status;	      /* -1: leave */
	int csat;	      /* the customer's score 1-5; 0: leave */
	/* custom fields: a JSON object, all of the ticket's (checked against
	 * tickets.fields by the caller); NULL: leave */
	const char *fields;
	const char *by; /* who: a user, or "system" */
};
#define TICKET_CHANGE_INIT                                                               \
	{                                                                                \
		.priority = -1, .status = -1                                             \
	}

/*
 * Creates a ticket (id written to out): status new, SLA dues from the
 * policy of its priority and category, assigned in its group when no
 * assignee is given. EINVAL with *why naming the field.
 */
int ticket_create(struct tickets *tk, const struct ticket_change *c, uint64_t now,
		  struct store_ticket *out, const char **why);
/*
 * Changes a ticket. EALREADY/EPERM: a status change that is not allowed
 * (*why says which); ENOENT: no such ticket; EINVAL: a bad field.
 */
int ticket_update(struct tickets *tk, const char *id, const struct ticket_change *c,
		  uint64_t now, struct store_ticket *out, const char **why);
/* A note (internal) or reply (public) by a user; a public reply by an
 * agent is the first response. */
int ticket_note(struct tickets *tk, const char *id, const char *by, const char *text,
		bool public_reply, uint64_t now);
/* Checks the SLA clocks at now: warnings, breaches, escalations (priority
 * up a step, the supervisor told by the event, reassigned in its group).
 * Returns how many tickets changed. */
size_t ticket_check(struct tickets *tk, uint64_t now);
/* "on_track", "at_risk" or "breached" for a ticket at now. */
const char *ticket_sla_state(const struct store_ticket *t, uint64_t warn_ms,
			     uint64_t now);

#endif
