/*
 * cfg_dialing.c — the tenant's dialing section (issue 18): the numbering
 * plan, the class of destinations each agent, queue, flow and trusted
 * network may dial, and the limits that stop a fraud burst. Parsed and
 * checked here, once; the dial guard (src/safe/dialguard.c) applies it.
 *
 *   dialing:
 *     plan: cn                       # nanp, cn, generic; default from crm.country
 *     allow: [internal, emergency, national, mobile]   # everyone else
 *     agents: {"1001": [internal, emergency, national, mobile, international]}
 *     queues: {support: [internal, emergency, local, national, mobile]}
 *     flows: {main: [internal, emergency]}
 *     trusted: {"192.0.2.0/24": [internal, emergency]}
 *     limits:
 *       agent_calls: 2               # outbound calls at once per agent
 *       tenant_calls: 20             # ... for the whole tenant
 *       attempts_per_minute: 10      # per source (a user, a caller)
 *       minutes_per_day: {international: 60m, national: 10h}
 */
#include <string.h>
#include <yaml.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"
#include "safe/safe.h"
#include "safe/net.h"

bool cfg__dial_classes(struct cfg_parse *cp, yaml_node_t *n, const char *key,
		       uint32_t *out)
{
	*out = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(
		    cp->errs, cp->file, cfg__line(n), key,
		    "expected a list of classes ([internal, emergency, national])");
		return false;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cp->doc, *it);
		const char *name = cfg__scalar(v);
		enum safe_dial_class c;

		if (safe_dial_class_parse(&c, name)) {
			cfg__error(
			    cp->errs, cp->file, cfg__line(v), key,
			    "\"%s\" is not a class (internal, emergency, local, "
			    "national, mobile, toll-free, international, premium-rate)",
			    name ? name : "?");
			return false;
		}
		*out |= SAFE_DIAL_BIT(c);
	}
	return true;
}

static bool rule_name_ok(const struct cfg_tenant *t, enum cfg_dial_kind kind,
			 const char *name)
{
	struct safe_net net;

	switch (kind) {
	case CFG_DIAL_AGENT:
		return cfg_agent_find(t, name) != NULL;
	case CFG_DIAL_QUEUE:
		return cfg_queue_find(t, name) != NULL;
	case CFG_DIAL_FLOW:
		return cfg_flow_find(t, name) != NULL;
	default:
		return !safe_net_parse(&net, name);
	}
}

static void rules(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *map,
		  const char *section, enum cfg_dial_kind kind)
{
	static const char *const what[] = {"an agent", "a queue", "a flow",
					   "a network (CIDR)"};
	struct cfg_dialing *d = &t->dialing;
	yaml_node_t *n = cfg__get(cp->doc, map, section);
	char key[32];

	if (!n)
		return;
	snprintf(key, sizeof(key), "dialing.%s", section);
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a map of %s: [classes]", section);
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, p->value);
		const char *name = cfg__scalar(k);
		struct cfg_dial_rule *r;

		if (d->rulec == CFG_MAX_DIAL_RULES) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "at most %d rules", CFG_MAX_DIAL_RULES);
			return;
		}
		r = &d->rulev[d->rulec];
		if (!name || util_copy(r->name, sizeof(r->name), name) ||
		    !rule_name_ok(t, kind, name)) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "\"%s\" is not %s of this tenant", name ? name : "?",
				   what[kind]);
			continue;
		}
		if (!cfg__dial_classes(cp, v, key, &r->allow))
			continue;
		r->kind = kind;
		r->line = cfg__line(k);
		d->rulec++;
	}
}

static void limits(struct cfg_parse *cp, struct cfg_dialing *d, yaml_node_t *n)
{
	static const char *const keys[] = {"agent_calls", "tenant_calls",
					   "attempts_per_minute", "minutes_per_day",
					   NULL};
	yaml_node_t *m;

	if (!n)
		return;
	cfg__check_keys(cp, n, "dialing.limits", keys);
	cfg__uint(cp, cfg__get(cp->doc, n, "agent_calls"), "dialing.limits.agent_calls",
		  &d->agent_calls, 0, 1000);
	cfg__uint(cp, cfg__get(cp->doc, n, "tenant_calls"), "dialing.limits.tenant_calls",
		  &d->tenant_calls, 0, 100000);
	cfg__uint(cp, cfg__get(cp->doc, n, "attempts_per_minute"),
		  "dialing.limits.attempts_per_minute", &d->attempts_per_minute, 0,
		  10000);
	m = cfg__get(cp->doc, n, "minutes_per_day");
	if (!m)
		return;
	if (m->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(m),
			   "dialing.limits.minutes_per_day",
			   "expected a map of class: time (international: 60m)");
		return;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		enum safe_dial_class c;

		if (safe_dial_class_parse(&c, cfg__scalar(k))) {
			cfg__error(cp->errs, cp->file, cfg__line(k),
				   "dialing.limits.minutes_per_day",
				   "\"%s\" is not a class",
				   cfg__scalar(k) ? cfg__scalar(k) : "?");
			continue;
		}
		/* a duration (60m, 10h); up to 1000 hours a day */
		cfg__duration(cp, yaml_document_get_node(cp->doc, p->value),
			      "dialing.limits.minutes_per_day", &d->minutes_per_day[c],
			      1000, 1000u * 3600 * 1000);
	}
}

void cfg__dialing_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const keys[] = {"plan",  "allow",   "agents", "queues",
					   "flows", "trusted", "limits", NULL};
	struct cfg_dialing *d = &t->dialing;
	yaml_node_t *n = cfg__get(cp->doc, root, "dialing"), *v;
	enum safe_plan plan;

	d->allow = SAFE_DIAL_DEFAULT;
	if (!n)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "dialing",
			   "expected a map (plan, allow, agents, queues, flows, trusted, "
			   "limits)");
		return;
	}
	cfg__check_keys(cp, n, "dialing", keys);
	v = cfg__get(cp->doc, n, "plan");
	if (v && cfg__str(cp, v, "dialing.plan", d->plan, sizeof(d->plan)) &&
	    safe_plan_parse(&plan, d->plan))
		cfg__error(cp->errs, cp->file, cfg__line(v), "dialing.plan",
			   "\"%s\" is not a plan (nanp, cn, generic)", d->plan);
	v = cfg__get(cp->doc, n, "allow");
	if (v)
		(void)cfg__dial_classes(cp, v, "dialing.allow", &d->allow);
	rules(cp, t, n, "agents", CFG_DIAL_AGENT);
	rules(cp, t, n, "queues", CFG_DIAL_QUEUE);
	rules(cp, t, n, "flows", CFG_DIAL_FLOW);
	rules(cp, t, n, "trusted", CFG_DIAL_TRUSTED);
	limits(cp, d, cfg__get(cp->doc, n, "limits"));
}
