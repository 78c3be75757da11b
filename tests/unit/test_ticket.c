/*
 * test_ticket.c — SLA clocks on a virtual clock (business hours across
 * nights, weekends, holidays and time zones; stopped while pending), the
 * status rules, assignment (least loaded, round robin, only available
 * agents of the group), escalation at a breach, and custom fields (one
 * stored form, the keys a change touched in the history), and the tickets
 * interactions make by themselves (rules.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "test.h"
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "acd/acd.h"
#include "ticket/ticket.h"

#define H  3600000ULL
#define MN 60000ULL

/* UTC ms of a date and time */
static uint64_t at(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi};
	return (uint64_t)timegm(&tm) * 1000;
}

static const char tenant_yaml[] =
    "name: T\n"
    "hours:\n"
    "  - name: office\n"
    "    timezone: UTC\n"
    "    week: {mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00,\n"
    "           fri: 09:00-17:00, sat: closed, sun: closed}\n"
    "    holidays: [\"2026-12-28\"]\n"
    "  - name: berlin\n"
    "    timezone: Europe/Berlin\n"
    "    week: {mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00,\n"
    "           fri: 09:00-17:00, sat: closed, sun: closed}\n"
    "agents:\n"
    "  - {ext: \"1001\", name: A, password: a-secret-1}\n"
    "  - {ext: \"1002\", name: B, password: b-secret-1}\n"
    "  - {ext: \"1003\", name: C, password: c-secret-1}\n"
    "queues:\n"
    "  - {name: support, strategy: longest-idle, members: [\"1001\", \"1002\", "
    "\"1003\"]}\n"
    "numbers: []\n"
    "flows: []\n"
    "tickets:\n"
    "  calendar: office\n"
    "  warn_before: 1h\n"
    "  sla:\n"
    "    - {priority: urgent, first_response: 1h, resolution: 4h}\n"
    "    - {priority: normal, category: billing, first_response: 2h, resolution: 16h}\n"
    "    - {priority: normal, first_response: 4h, resolution: 24h}\n";

static int test_business_time(void)
{
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h, *b;
	int r = 1;

	TEST_ERR(
	    cfg_tenant_parse(&t, "t.yaml", tenant_yaml, sizeof(tenant_yaml) - 1, NULL));
	h = cfg_hours_find(t, "office");
	b = cfg_hours_find(t, "berlin");
	/* Friday 2026-12-04 16:00 + 2 h → Monday 10:00 (over the weekend) */
	TEST_CHECK(sla_due(h, at(2026, 12, 4, 16, 0), 2 * H) == at(2026, 12, 7, 10, 0));
	TEST_CHECK(sla_business_ms(h, at(2026, 12, 4, 16, 0), at(2026, 12, 7, 10, 0)) ==
		   2 * H);
	/* Friday 2026-12-25 16:00 + 2 h → Tuesday 29th 10:00 (28th a holiday) */
	TEST_CHECK(sla_due(h, at(2026, 12, 25, 16, 0), 2 * H) == at(2026, 12, 29, 10, 0));
	/* overnight: Tuesday 18:00 + 1 h → Wednesday 10:00 */
	TEST_CHECK(sla_due(h, at(2026, 12, 1, 18, 0), H) == at(2026, 12, 2, 10, 0));
	/* a Saturday start: + 30 min → Monday 09:30 */
	TEST_CHECK(sla_due(h, at(2026, 12, 5, 12, 0), 30 * MN) == at(2026, 12, 7, 9, 30));
	/* within the day, from a second inside a minute */
	TEST_CHECK(sla_due(h, at(2026, 12, 1, 10, 0) + 20000, 30 * MN) ==
		   at(2026, 12, 1, 10, 31));
	/* 24 h of business time = 3 working days */
	TEST_CHECK(sla_due(h, at(2026, 12, 1, 9, 0), 24 * H) == at(2026, 12, 3, 17, 0));
	/* Berlin is UTC+1 in winter: opens at 08:00 UTC */
	TEST_CHECK(sla_due(b, at(2026, 12, 1, 7, 0), 30 * MN) == at(2026, 12, 1, 8, 30));
	/* Berlin in summer (UTC+2): 07:00 UTC */
	TEST_CHECK(sla_due(b, at(2026, 7, 1, 6, 0), 30 * MN) == at(2026, 7, 1, 7, 30));
	/* no calendar: wall time */
	TEST_CHECK(sla_due(NULL, 1000, 5000) == 6000);
	TEST_CHECK(sla_business_ms(h, at(2026, 12, 5, 0, 0), at(2026, 12, 6, 23, 0)) ==
		   0);
	r = 0;
out:
	mem_deref(t);
	return r;
}

/* The SLA clock over China's 2026 Spring Festival (Feb 15-23 off, Saturday
 * Feb 14 worked) and before Labour Day (Sunday Apr 26 worked), in Shanghai
 * (UTC+8: 09:00 there is 01:00 UTC). */
static int test_business_time_workdays(void)
{
	static const char y[] =
	    "hours:\n"
	    "  - name: cn\n"
	    "    timezone: Asia/Shanghai\n"
	    "    week: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00,\n"
	    "           thu: 09:00-18:00, fri: 09:00-18:00, sat: closed, sun: closed}\n"
	    "    holidays: [2026-02-15, 2026-02-16, 2026-02-17, 2026-02-18, 2026-02-19,\n"
	    "               2026-02-20, 2026-02-21, 2026-02-22, 2026-02-23]\n"
	    "    workdays: [2026-02-14, 2026-02-28, 2026-04-26]\n";
	struct cfg_tenant *t = NULL;
	const struct cfg_hours *h;
	int r = 1;

	TEST_ERR(cfg_tenant_parse(&t, "t.yaml", y, sizeof(y) - 1, NULL));
	h = cfg_hours_find(t, "cn");
	/* Friday Feb 13 17:00 + 2 h: one hour that day, one on the worked
	 * Saturday → Saturday 10:00 */
	TEST_CHECK(sla_due(h, at(2026, 2, 13, 9, 0), 2 * H) == at(2026, 2, 14, 2, 0));
	/* Saturday Feb 14 17:00 + 2 h: the festival week is skipped →
	 * Tuesday Feb 24 10:00 */
	TEST_CHECK(sla_due(h, at(2026, 2, 14, 9, 0), 2 * H) == at(2026, 2, 24, 2, 0));
	/* from Friday Feb 13 18:00 to Tuesday Feb 24 09:00: only the worked
	 * Saturday counts, 9 h */
	TEST_CHECK(sla_business_ms(h, at(2026, 2, 13, 10, 0), at(2026, 2, 24, 1, 0)) ==
		   9 * H);
	/* Friday Apr 24 17:00 + 2 h: Saturday closed, Sunday Apr 26 worked →
	 * Sunday 10:00 */
	TEST_CHECK(sla_due(h, at(2026, 4, 24, 9, 0), 2 * H) == at(2026, 4, 26, 2, 0));
	/* a normal weekend still is not: Friday Apr 17 17:00 + 2 h → Monday */
	TEST_CHECK(sla_due(h, at(2026, 4, 17, 9, 0), 2 * H) == at(2026, 4, 20, 2, 0));
	r = 0;
out:
	mem_deref(t);
	return r;
}

static int test_status_rules(void)
{
	TEST_ASSERT(ticket_status_allowed(TICKET_NEW, TICKET_OPEN));
	TEST_ASSERT(ticket_status_allowed(TICKET_OPEN, TICKET_PENDING));
	TEST_ASSERT(ticket_status_allowed(TICKET_PENDING, TICKET_OPEN));
	TEST_ASSERT(ticket_status_allowed(TICKET_RESOLVED, TICKET_CLOSED));
	TEST_ASSERT(ticket_status_allowed(TICKET_CLOSED, TICKET_OPEN)); /* reopen */
	TEST_ASSERT(!ticket_status_allowed(TICKET_CLOSED, TICKET_PENDING));
	TEST_ASSERT(!ticket_status_allowed(TICKET_CLOSED, TICKET_RESOLVED));
	TEST_ASSERT(!ticket_status_allowed(TICKET_OPEN, TICKET_NEW));
	TEST_ASSERT(!ticket_status_allowed(TICKET_NEW, TICKET_CLOSED));
	return 0;
}

static int test_bad_policy(void)
{
	static const char y[] =
	    "name: T\nagents: []\nqueues: []\nnumbers: []\nflows: []\n"
	    "tickets:\n  sla:\n"
	    "    - {priority: high, first_response: 4h, resolution: 1h}\n";
	struct cfg_tenant *t = NULL;
	struct cfg_errors errs;

	memset(&errs, 0, sizeof(errs));
	TEST_ASSERT(cfg_tenant_parse(&t, "t.yaml", y, sizeof(y) - 1, &errs) == EINVAL);
	TEST_ASSERT(errs.msgc >= 1 &&
		    strstr(errs.msgv[0], "t.yaml:8: tickets.sla.resolution"));
	return 0;
}

static void no_offer(struct acd_item *it, const char *agent, void *arg)
{
	(void)it;
	(void)agent;
	(void)arg;
}

static int test_engine(void)
{
	struct acd_handlers hd = {.offer = no_offer};
	struct cfg_tenant *t = NULL;
	struct store *st = NULL;
	struct acd *acd = NULL;
	struct tickets *tk = NULL;
	struct store_ticket tt, t2;
	struct ticket_change c = TICKET_CHANGE_INIT;
	const char *why = NULL;
	char dir[] = "/tmp/hotline-ticket-XXXXXX", cmd[64], id2[32] = "";
	uint64_t mon = at(2026, 12, 7, 9, 0); /* a Monday morning */
	int r = 1;

	TEST_ASSERT(mkdtemp(dir));
	TEST_ERR(
	    cfg_tenant_parse(&t, "t.yaml", tenant_yaml, sizeof(tenant_yaml) - 1, NULL));
	TEST_ERR(store_open(&st, dir));
	TEST_ERR(acd_alloc(&acd, &hd));
	TEST_ERR(acd_load_tenant(acd, t));
	acd_agent_set(acd, "1003", AGENT_LOGGED_OUT, NULL, mon);
	TEST_ERR(tickets_alloc(&tk, st, t, acd, mon));

	/* least loaded among the available: 1001 first, then 1002, never 1003 */
	c.subject = "Invoice wrong";
	c.category = "billing";
	c.group = "support";
	c.by = "alice";
	TEST_CHECK(!ticket_create(tk, &c, mon, &tt, &why) &&
		   !strcmp(tt.assignee, "1001"));
	/* billing/normal policy: 2 h first response, 16 h resolution (2 days) */
	TEST_CHECK(tt.fr_due == mon + 2 * H && tt.res_due == at(2026, 12, 8, 17, 0));
	c.category = NULL;
	TEST_CHECK(!ticket_create(tk, &c, mon, &t2, &why) &&
		   !strcmp(t2.assignee, "1002"));
	TEST_CHECK(t2.fr_due == mon + 4 * H);
	c.subject = "";
	TEST_CHECK(ticket_create(tk, &c, mon, &t2, &why) == EINVAL &&
		   !strncmp(why, "subject", 7));
	c.subject = "x";
	c.category = "gossip";
	TEST_CHECK(ticket_create(tk, &c, mon, &t2, &why) == EINVAL &&
		   !strncmp(why, "category", 8));

	/* pending stops the clocks: 1 h used, pending over the night, the
	 * remaining hour runs from the reopening */
	struct ticket_change ch = TICKET_CHANGE_INIT;
	ch.status = TICKET_PENDING;
	ch.by = "alice";
	TEST_CHECK(!ticket_update(tk, tt.id, &ch, mon + H, &tt, &why) &&
		   tt.paused_at == mon + H);
	/* paused: never late, whatever the time */
	TEST_CHECK(!strcmp(ticket_sla_state(&tt, H, mon + 30 * H), "on_track"));
	ch.status = TICKET_OPEN;
	TEST_CHECK(!ticket_update(tk, tt.id, &ch, at(2026, 12, 8, 9, 0), &tt, &why));
	TEST_CHECK(tt.fr_due == at(2026, 12, 8, 10, 0) && !tt.paused_at);
	/* closed → pending is refused, nothing changes */
	ch.status = TICKET_RESOLVED;
	TEST_CHECK(!ticket_update(tk, tt.id, &ch, at(2026, 12, 8, 9, 10), &tt, &why));
	TEST_CHECK(tt.fr_at == at(2026, 12, 8, 9, 10));
	ch.status = TICKET_CLOSED;
	TEST_CHECK(!ticket_update(tk, tt.id, &ch, at(2026, 12, 8, 9, 20), &tt, &why));
	ch.status = TICKET_PENDING;
	TEST_CHECK(ticket_update(tk, tt.id, &ch, at(2026, 12, 8, 9, 30), &tt, &why) ==
		   EPERM);
	{
		char id[32];
		util_copy(id, sizeof(id), tt.id);
		TEST_CHECK(!store_ticket_get(st, id, &tt) &&
			   !strcmp(tt.status, "closed"));
	}

	util_copy(id2, sizeof(id2), t2.id);
	/* the other ticket (1002's): warned an hour before its first
	 * response target, escalated at it: priority up, to 1001 */
	TEST_CHECK(ticket_check(tk, mon + 2 * H + 30 * MN) == 0);
	TEST_CHECK(ticket_check(tk, mon + 3 * H) == 1);
	store_flush(st);
	TEST_CHECK(!store_ticket_get(st, id2, &t2) && (t2.sla_flags & TICKET_FR_WARNED) &&
		   !strcmp(t2.assignee, "1002"));
	TEST_CHECK(!strcmp(ticket_sla_state(&t2, H, mon + 3 * H), "at_risk"));
	TEST_CHECK(ticket_check(tk, mon + 4 * H) == 1);
	store_flush(st);
	TEST_CHECK(!store_ticket_get(st, id2, &t2) &&
		   (t2.sla_flags & TICKET_FR_BREACHED) && !strcmp(t2.priority, "high") &&
		   !strcmp(t2.assignee, "1001") && t2.escalations == 1);
	TEST_CHECK(!strcmp(ticket_sla_state(&t2, H, mon + 4 * H), "breached"));
	TEST_CHECK(ticket_check(tk, mon + 4 * H + MN) == 0); /* once */
	/* a public reply is the first response */
	TEST_CHECK(!ticket_note(tk, t2.id, "alice", "We are on it.", true, mon + 5 * H));
	store_flush(st);
	TEST_CHECK(!store_ticket_get(st, id2, &t2) && t2.fr_at == mon + 5 * H);
	r = 0;
out:
	mem_deref(tk);
	mem_deref(acd);
	mem_deref(st);
	mem_deref(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}

static int history_h(const struct store_ticket_entry *e, void *arg)
{
	char *buf = arg;

	char line[256];

	/* a line the server wrote, as an English reader reads it */
	if (!msg_show(NULL, e->msg, line, sizeof(line)))
		util_copy(line, sizeof(line), e->text);
	snprintf(buf + strlen(buf), 512 - strlen(buf), "%s:%s|", e->kind, line);
	return 0;
}

/* Custom fields: kept in one form (keys sorted), left alone by a change
 * that does not give them, a change names the keys it touched in the
 * history (and only then); a text that is not an object changes nothing. */
static int test_custom_fields(void)
{
	struct cfg_tenant *t = NULL;
	struct store *st = NULL;
	struct tickets *tk = NULL;
	struct store_ticket tt;
	struct ticket_change c = TICKET_CHANGE_INIT, ch = TICKET_CHANGE_INIT;
	const char *why = NULL;
	char dir[] = "/tmp/hotline-ticket-XXXXXX", cmd[64], hist[512] = "", id[32];
	uint64_t mon = at(2026, 12, 7, 9, 0);
	int r = 1;

	TEST_ASSERT(mkdtemp(dir));
	TEST_ERR(
	    cfg_tenant_parse(&t, "t.yaml", tenant_yaml, sizeof(tenant_yaml) - 1, NULL));
	TEST_ERR(store_open(&st, dir));
	TEST_ERR(tickets_alloc(&tk, st, t, NULL, mon));

	c.subject = "Refund";
	c.fields = "{\"refund\": true, \"order_no\": \"A-1\"}";
	c.by = "alice";
	TEST_CHECK(!ticket_create(tk, &c, mon, &tt, &why));
	TEST_CHECK(!strcmp(tt.fields, "{\"order_no\":\"A-1\",\"refund\":true}"));
	util_copy(id, sizeof(id), tt.id);
	c.fields = NULL;
	c.subject = "No fields";
	TEST_CHECK(!ticket_create(tk, &c, mon, &tt, &why) && !strcmp(tt.fields, ""));

	/* a change without fields leaves them; the same fields are no change */
	ch.by = "bob";
	ch.priority = TICKET_HIGH;
	TEST_CHECK(!ticket_update(tk, id, &ch, mon + MN, &tt, &why) &&
		   !strcmp(tt.fields, "{\"order_no\":\"A-1\",\"refund\":true}"));
	ch.priority = -1;
	ch.fields = "{\"refund\":true,\"order_no\":\"A-1\"}";
	TEST_CHECK(!ticket_update(tk, id, &ch, mon + 2 * MN, &tt, &why));
	/* order_no changed, gift added, refund removed */
	ch.fields = "{\"order_no\":\"A-2\",\"gift\":false}";
	TEST_CHECK(!ticket_update(tk, id, &ch, mon + 3 * MN, &tt, &why) &&
		   !strcmp(tt.fields, "{\"gift\":false,\"order_no\":\"A-2\"}"));
	ch.fields = "[1]";
	TEST_CHECK(ticket_update(tk, id, &ch, mon + 4 * MN, &tt, &why) == EINVAL &&
		   !strncmp(why, "fields", 6));
	ch.fields = "{\"a\":1,\"a\":2}";
	TEST_CHECK(ticket_update(tk, id, &ch, mon + 4 * MN, &tt, &why) == EINVAL);
	store_flush(st);
	TEST_CHECK(!store_ticket_get(st, id, &tt) &&
		   !strcmp(tt.fields, "{\"gift\":false,\"order_no\":\"A-2\"}"));
	TEST_CHECK(!store_ticket_history(st, id, history_h, hist));
	/* one line for the change of fields, none for the same fields again */
	TEST_CHECK(!strcmp(hist, "created:Refund; normal, general|priority:normal → high|"
				 "fields:gift, order_no; removed: refund|"));
	r = 0;
out:
	mem_deref(tk);
	mem_deref(st);
	mem_deref(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}

struct rated {
	int n;
	char call[32];
	int score;
};

static void rated_h(const char *call, int score, void *arg)
{
	struct rated *rt = arg;

	rt->n++;
	util_copy(rt->call, sizeof(rt->call), call);
	rt->score = score;
}

static int rated_first_h(const struct store_ticket *t, void *arg)
{
	*(struct store_ticket *)arg = *t;
	return 1;
}

static int count_h(const struct store_ticket *t, void *arg)
{
	(void)t;
	++*(int *)arg;
	return 0;
}

/* The tickets interactions make: 100 abandoned calls of known customers
 * at once (the old fixed list of 64 dropped the rest), a voicemail with
 * its queue as group, a survey's score handed on; other endings none. */
static int test_rules(void)
{
	struct cfg_tenant *t = NULL;
	struct store *st = NULL;
	struct tickets *tk = NULL;
	struct ticket_rules *ru = NULL;
	struct store_ticket_filter f = {.limit = 1000};
	struct store_ticket tt;
	struct rated rt = {0};
	char dir[] = "/tmp/hotline-ticket-XXXXXX", cmd[64], id[32], customer[16],
	     caller[24];
	uint64_t mon = at(2026, 12, 7, 9, 0);
	int n = 0, r = 1;

	TEST_ASSERT(mkdtemp(dir));
	TEST_ERR(
	    cfg_tenant_parse(&t, "t.yaml", tenant_yaml, sizeof(tenant_yaml) - 1, NULL));
	TEST_ERR(store_open(&st, dir));
	TEST_ERR(tickets_alloc(&tk, st, t, NULL, mon));
	TEST_CHECK(!ticket_rules_alloc(&ru, tk, rated_h, &rt));
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(customer, sizeof(customer), "cu%d", i);
		snprintf(caller, sizeof(caller), "+4930%d", i);
		event_emit_pack(EVENT_CALL_ENDED, id, NULL, "support", "{s:s,s:s,s:s}",
				"outcome", "abandoned_queue", "customer", customer,
				"caller", caller);
	}
	/* not a customer we know; answered; not an end: no ticket */
	event_emit_pack(EVENT_CALL_ENDED, "x1", NULL, "support", "{s:s,s:s}", "outcome",
			"abandoned_queue", "customer", "");
	event_emit_pack(EVENT_CALL_ENDED, "x2", NULL, "support", "{s:s,s:s}", "outcome",
			"answered", "customer", "cu1");
	event_emit_pack(EVENT_QUEUE_ABANDONED, "x3", NULL, "support", "{}");
	event_emit_pack(EVENT_CALL_ENDED, "vm1", NULL, "support", "{s:s,s:s,s:s}",
			"outcome", "voicemail", "customer", "", "caller", "+4930999");
	event_emit_pack(EVENT_CALL_RATED, "c7", NULL, NULL, "{s:i}", "score", 4);
	event_emit_pack(EVENT_CALL_RATED, "c8", NULL, NULL, "{s:i}", "score", 9);
	TEST_CHECK(ticket_rules_pending(ru) == 102);
	ticket_rules_run(ru, mon);
	TEST_CHECK(ticket_rules_pending(ru) == 0);
	store_flush(st);
	TEST_CHECK(!store_ticket_list(st, &f, count_h, &n) && n == 101);
	f.call = "vm1";
	f.limit = 1;
	TEST_CHECK(!store_ticket_list(st, &f, rated_first_h, &tt));
	TEST_CHECK(!strcmp(tt.category, "voicemail") && !strcmp(tt.group, "support") &&
		   !strcmp(tt.subject, "Voicemail from +4930999"));
	TEST_CHECK(rt.n == 1 && !strcmp(rt.call, "c7") && rt.score == 4);
	r = 0;
out:
	mem_deref(ru);
	mem_deref(tk);
	mem_deref(st);
	mem_deref(t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}

static const struct test_case tests[] = {
    {"business time across nights, weekends, holidays, time zones", test_business_time},
    {"business time over the Spring Festival with make-up workdays (调休)",
     test_business_time_workdays},
    {"status rules: reopen yes, closed to pending no", test_status_rules},
    {"an SLA resolution shorter than first response is refused", test_bad_policy},
    {"engine: dues by policy, pending stops the clock, assignment, escalation",
     test_engine},
    {"engine: custom fields kept in one form, a change names its keys",
     test_custom_fields},
    {"rules: tickets from abandoned calls and voicemail, none dropped; scores handed on",
     test_rules},
};

TEST_MAIN(tests)
