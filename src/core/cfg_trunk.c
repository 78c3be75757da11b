/*
 * cfg_trunk.c — the tenant's SIP trunks and outbound routes (issue 15),
 * parsed and checked here, once; src/sip/trunk.c registers, routes and
 * counts with them.
 *
 * They live in the tenant file, not in hotline.yaml: a trunk's DIDs run
 * the tenant's flows and queues, its routes are dialled under the
 * tenant's dialing classes, and the caller IDs name its agents and
 * queues, so the file that defines those checks every reference and a
 * tenant applied live brings its trunks with it.
 *
 *   trunks:
 *     - name: carrier
 *       proxy: sip.carrier.example:5060
 *       transport: udp            # or tcp, or tls (SIP over TLS)
 *       srtp: off                 # or optional, required (SDES, RFC 4568)
 *       ca_file: carrier-ca.pem   # tls: trusted for the carrier (see tls.c)
 *       username: "02150001000"
 *       auth_user: "02150001000"  # digest user (default username)
 *       password: "..."           # never a secret the repository publishes
 *       register: true
 *       expires: 10m
 *       from: [192.0.2.0/24]      # IP-authenticated instead of registered
 *       dids: {"02150001000": {flow: main}, "4008001000": {queue: support}}
 *       caller_id: "02150001000"
 *       codecs: [PCMA, PCMU]
 *       max_calls: 30
 *       classes: [emergency, local, national, mobile, toll-free]
 *   outbound:
 *     routes:
 *       - {match: ["0ZXXXXXXXXX", "1ZXXXXXXXXX"], trunks: [carrier, backup],
 *          format: e164}
 *     caller_id: {agents: {"1001": "02150001001"}, queues: {sales: "4008001000"}}
 */
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"
#include "safe/safe.h"
#include "safe/net.h"

const struct cfg_trunk *cfg_trunk_find(const struct cfg_tenant *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->trunkc; i++) {
		if (!strcmp(t->trunkv[i].name, name))
			return &t->trunkv[i];
	}
	return NULL;
}

const struct cfg_did *cfg_did_find(const struct cfg_trunk *tr, const char *number)
{
	for (size_t i = 0; tr && number && i < tr->didc; i++) {
		if (!strcmp(tr->didv[i].number, number))
			return &tr->didv[i];
	}
	return NULL;
}

/* A number as the tenant writes one: digits, with a leading '+'. */
static bool number_ok(const char *s)
{
	if (*s == '+')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* [a, b, c] of scalars into v (each < sz, at most max); false after an
 * error. */
static bool str_list(struct cfg_parse *cp, yaml_node_t *n, const char *key, char *v,
		     size_t sz, size_t max, size_t *np)
{
	*np = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key, "expected a list");
		return false;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(cp->doc, *it);

		if (*np == max) {
			cfg__error(cp->errs, cp->file, cfg__line(e), key, "at most %zu",
				   max);
			return false;
		}
		if (!cfg__str(cp, e, key, v + *np * sz, sz))
			return false;
		(*np)++;
	}
	return true;
}

static void dids_parse(struct cfg_parse *cp, const struct cfg_tenant *t,
		       struct cfg_trunk *tr, yaml_node_t *n)
{
	static const char *const keys[] = {"flow", "queue", NULL};

	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "trunks.dids",
			   "expected a map of number: {flow: name} or {queue: name}");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, p->value);
		struct cfg_did *d;

		if (tr->didc == CFG_MAX_DIDS) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "trunks.dids",
				   "at most %d numbers a trunk", CFG_MAX_DIDS);
			return;
		}
		d = &tr->didv[tr->didc];
		if (!cfg__str(cp, k, "trunks.dids", d->number, sizeof(d->number)) ||
		    !number_ok(d->number)) {
			cfg__error(cp->errs, cp->file, cfg__line(k), "trunks.dids",
				   "\"%s\" is not a number",
				   cfg__scalar(k) ? cfg__scalar(k) : "?");
			continue;
		}
		if (v->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "trunks.dids",
				   "expected {flow: name} or {queue: name}");
			continue;
		}
		cfg__check_keys(cp, v, "trunks.dids", keys);
		(void)cfg__str(cp, cfg__get(cp->doc, v, "flow"), "trunks.dids.flow",
			       d->flow, sizeof(d->flow));
		(void)cfg__str(cp, cfg__get(cp->doc, v, "queue"), "trunks.dids.queue",
			       d->queue, sizeof(d->queue));
		if (!d->flow[0] == !d->queue[0]) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "trunks.dids",
				   "%s: one of flow or queue", d->number);
			continue;
		}
		if (d->flow[0] && !cfg_flow_find(t, d->flow)) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "trunks.dids.flow",
				   "\"%s\" is not a flow of this tenant", d->flow);
			continue;
		}
		if (d->queue[0] && !cfg_queue_find(t, d->queue)) {
			cfg__error(cp->errs, cp->file, cfg__line(v), "trunks.dids.queue",
				   "\"%s\" is not a queue of this tenant", d->queue);
			continue;
		}
		tr->didc++;
	}
}

static void trunk_parse(struct cfg_parse *cp, struct cfg_tenant *t, struct cfg_trunk *tr,
			yaml_node_t *n)
{
	static const char *const keys[] = {
	    "name",	"proxy",     "transport", "username",  "auth_user",
	    "password", "domain",    "register",  "expires",   "from",
	    "dids",	"caller_id", "codecs",	  "max_calls", "classes",
	    "timeout",	"srtp",	     "ca_file",	  NULL};
	char transport[8] = "udp";
	struct safe_net net;
	yaml_node_t *v;

	tr->line = cfg__line(n);
	tr->expires_ms = 3600 * 1000;
	tr->timeout_ms = 5000;
	cfg__check_keys(cp, n, "trunks", keys);
	if (!cfg__str(cp, cfg__get(cp->doc, n, "name"), "trunks.name", tr->name,
		      sizeof(tr->name)) ||
	    !tr->name[0])
		cfg__error(cp->errs, cp->file, tr->line, "trunks", "needs a name");
	for (size_t i = 0; tr->name[0] && i < (size_t)(tr - t->trunkv); i++) {
		if (!strcmp(t->trunkv[i].name, tr->name))
			cfg__error(cp->errs, cp->file, tr->line, "trunks.name",
				   "\"%s\" twice", tr->name);
	}
	(void)cfg__str(cp, cfg__get(cp->doc, n, "proxy"), "trunks.proxy", tr->proxy,
		       sizeof(tr->proxy));
	if (cfg__str(cp, cfg__get(cp->doc, n, "transport"), "trunks.transport", transport,
		     sizeof(transport)) &&
	    strcmp(transport, "udp") && strcmp(transport, "tcp") &&
	    strcmp(transport, "tls"))
		cfg__error(cp->errs, cp->file, tr->line, "trunks.transport",
			   "\"%s\" is not udp, tcp or tls", transport);
	tr->tcp = !strcmp(transport, "tcp");
	tr->tls = !strcmp(transport, "tls");
	if (cfg__str(cp, cfg__get(cp->doc, n, "srtp"), "trunks.srtp", tr->srtp,
		     sizeof(tr->srtp)) &&
	    !cfg__srtp_ok(tr->srtp))
		cfg__error(cp->errs, cp->file, tr->line, "trunks.srtp",
			   "\"%s\" is not off, optional or required", tr->srtp);
	if (cfg__str(cp, cfg__get(cp->doc, n, "ca_file"), "trunks.ca_file", tr->ca_file,
		     sizeof(tr->ca_file)))
		(void)cfg__tls_file(tr->ca_file, sizeof(tr->ca_file), cp->file,
				    "trunks.ca_file", false, cp->errs);
	(void)cfg__str(cp, cfg__get(cp->doc, n, "username"), "trunks.username",
		       tr->username, sizeof(tr->username));
	(void)cfg__str(cp, cfg__get(cp->doc, n, "auth_user"), "trunks.auth_user",
		       tr->auth_user, sizeof(tr->auth_user));
	if (!tr->auth_user[0])
		util_copy(tr->auth_user, sizeof(tr->auth_user), tr->username);
	v = cfg__get(cp->doc, n, "password");
	if (cfg__str(cp, v, "trunks.password", tr->password, sizeof(tr->password)) &&
	    safe_secret_published(tr->password)) {
		/* issue 18: a secret from the repository never dials out */
		cfg__error(cp->errs, cp->file, cfg__line(v), "trunks.password",
			   "a password published in the repository; set the "
			   "carrier's own");
		tr->password[0] = '\0';
	}
	(void)cfg__str(cp, cfg__get(cp->doc, n, "domain"), "trunks.domain", tr->domain,
		       sizeof(tr->domain));
	(void)cfg__bool(cp, cfg__get(cp->doc, n, "register"), "trunks.register",
			&tr->reg);
	(void)cfg__duration(cp, cfg__get(cp->doc, n, "expires"), "trunks.expires",
			    &tr->expires_ms, 60 * 1000, 24u * 3600 * 1000);
	v = cfg__get(cp->doc, n, "from");
	if (v && str_list(cp, v, "trunks.from", tr->from[0], sizeof(tr->from[0]), 4,
			  &tr->fromc)) {
		for (size_t i = 0; i < tr->fromc; i++) {
			if (safe_net_parse(&net, tr->from[i]))
				cfg__error(cp->errs, cp->file, cfg__line(v),
					   "trunks.from",
					   "\"%s\" is not a network (CIDR)", tr->from[i]);
		}
	}
	if (!tr->proxy[0] && !tr->fromc)
		cfg__error(cp->errs, cp->file, tr->line, "trunks",
			   "%s: needs a proxy (host:port), or from: [networks]",
			   tr->name);
	if (tr->reg && (!tr->proxy[0] || !tr->username[0]))
		cfg__error(cp->errs, cp->file, tr->line, "trunks.register",
			   "%s: registering needs a proxy and a username", tr->name);
	v = cfg__get(cp->doc, n, "dids");
	if (v)
		dids_parse(cp, t, tr, v);
	if (cfg__str(cp, cfg__get(cp->doc, n, "caller_id"), "trunks.caller_id",
		     tr->caller_id, sizeof(tr->caller_id)) &&
	    !number_ok(tr->caller_id))
		cfg__error(cp->errs, cp->file, tr->line, "trunks.caller_id",
			   "\"%s\" is not a number", tr->caller_id);
	v = cfg__get(cp->doc, n, "codecs");
	if (v && str_list(cp, v, "trunks.codecs", tr->codecs[0], sizeof(tr->codecs[0]), 4,
			  &tr->codecc)) {
		for (size_t i = 0; i < tr->codecc; i++) {
			if (strcasecmp(tr->codecs[i], "PCMU") &&
			    strcasecmp(tr->codecs[i], "PCMA") &&
			    strcasecmp(tr->codecs[i], "opus"))
				cfg__error(cp->errs, cp->file, cfg__line(v),
					   "trunks.codecs",
					   "\"%s\" is not a codec (opus, PCMU, PCMA)",
					   tr->codecs[i]);
		}
	}
	(void)cfg__uint(cp, cfg__get(cp->doc, n, "max_calls"), "trunks.max_calls",
			&tr->max_calls, 0, 100000);
	(void)cfg__duration(cp, cfg__get(cp->doc, n, "timeout"), "trunks.timeout",
			    &tr->timeout_ms, 500, 60 * 1000);
	v = cfg__get(cp->doc, n, "classes");
	if (v)
		(void)cfg__dial_classes(cp, v, "trunks.classes", &tr->classes);
}

/* A route's pattern: digits, X (any digit), Z (1-9), N (2-9), a '+'
 * first, and '.' last (one or more digits more). */
static bool pattern_ok(const char *s)
{
	if (*s == '+')
		s++;
	for (; *s; s++) {
		if (*s == '.' && !s[1])
			return true;
		if (!strchr("0123456789XZN", *s))
			return false;
	}
	return true;
}

static void routes_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *n)
{
	static const char *const keys[] = {"match", "trunks", "format", NULL};
	struct cfg_outbound *o = &t->outbound;

	if (n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "outbound.routes",
			   "expected a list of {match, trunks, format}");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(cp->doc, *it), *v;
		struct cfg_route *r;

		if (o->routec == CFG_MAX_ROUTES) {
			cfg__error(cp->errs, cp->file, cfg__line(e), "outbound.routes",
				   "at most %d routes", CFG_MAX_ROUTES);
			return;
		}
		r = &o->routev[o->routec];
		r->line = cfg__line(e);
		if (e->type != YAML_MAPPING_NODE) {
			cfg__error(cp->errs, cp->file, r->line, "outbound.routes",
				   "expected {match, trunks, format}");
			continue;
		}
		cfg__check_keys(cp, e, "outbound.routes", keys);
		v = cfg__get(cp->doc, e, "match");
		if (!v ||
		    !str_list(cp, v, "outbound.routes.match", r->match[0],
			      sizeof(r->match[0]), 8, &r->matchc) ||
		    !r->matchc) {
			cfg__error(cp->errs, cp->file, r->line, "outbound.routes.match",
				   "needs a list of patterns");
			continue;
		}
		for (size_t i = 0; i < r->matchc; i++) {
			if (!pattern_ok(r->match[i]))
				cfg__error(cp->errs, cp->file, cfg__line(v),
					   "outbound.routes.match",
					   "\"%s\" is not a pattern (digits, X, Z, N, "
					   "a last '.')",
					   r->match[i]);
		}
		v = cfg__get(cp->doc, e, "trunks");
		if (!v ||
		    !str_list(cp, v, "outbound.routes.trunks", r->trunks[0],
			      sizeof(r->trunks[0]), 4, &r->trunkc) ||
		    !r->trunkc) {
			cfg__error(cp->errs, cp->file, r->line, "outbound.routes.trunks",
				   "needs a list of trunks");
			continue;
		}
		for (size_t i = 0; i < r->trunkc; i++) {
			const struct cfg_trunk *tr = cfg_trunk_find(t, r->trunks[i]);
			if (!tr || !tr->proxy[0])
				cfg__error(cp->errs, cp->file, cfg__line(v),
					   "outbound.routes.trunks",
					   "\"%s\" is not a trunk with a proxy",
					   r->trunks[i]);
		}
		util_copy(r->format, sizeof(r->format), "dialled");
		if (cfg__str(cp, cfg__get(cp->doc, e, "format"), "outbound.routes.format",
			     r->format, sizeof(r->format)) &&
		    strcmp(r->format, "e164") && strcmp(r->format, "national") &&
		    strcmp(r->format, "dialled"))
			cfg__error(cp->errs, cp->file, r->line, "outbound.routes.format",
				   "\"%s\" is not e164, national or dialled", r->format);
		o->routec++;
	}
}

static void cids_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *map,
		       bool queue)
{
	const char *key =
	    queue ? "outbound.caller_id.queues" : "outbound.caller_id.agents";
	struct cfg_outbound *o = &t->outbound;
	yaml_node_t *n = cfg__get(cp->doc, map, queue ? "queues" : "agents");

	if (!n)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a map of name: number");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cp->doc, p->value);
		struct cfg_caller_id *c;

		if (o->cidc == CFG_MAX_CIDS) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key, "at most %d",
				   CFG_MAX_CIDS);
			return;
		}
		c = &o->cidv[o->cidc];
		c->queue = queue;
		if (!cfg__str(cp, k, key, c->name, sizeof(c->name)) ||
		    !(queue ? cfg_queue_find(t, c->name) != NULL
			    : cfg_agent_find(t, c->name) != NULL)) {
			cfg__error(cp->errs, cp->file, cfg__line(k), key,
				   "\"%s\" is not %s of this tenant",
				   cfg__scalar(k) ? cfg__scalar(k) : "?",
				   queue ? "a queue" : "an agent");
			continue;
		}
		if (!cfg__str(cp, v, key, c->number, sizeof(c->number)) ||
		    !number_ok(c->number)) {
			cfg__error(cp->errs, cp->file, cfg__line(v), key,
				   "\"%s\" is not a number",
				   cfg__scalar(v) ? cfg__scalar(v) : "?");
			continue;
		}
		o->cidc++;
	}
}

void cfg__trunks_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root)
{
	static const char *const okeys[] = {"routes", "caller_id", NULL};
	yaml_node_t *n = cfg__get(cp->doc, root, "trunks"), *o, *v;

	if (n && n->type != YAML_SEQUENCE_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(n), "trunks",
			   "expected a list of trunks");
	} else if (n) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(cp->doc, *it);

			if (t->trunkc == CFG_MAX_TRUNKS) {
				cfg__error(cp->errs, cp->file, cfg__line(e), "trunks",
					   "at most %d trunks", CFG_MAX_TRUNKS);
				break;
			}
			if (e->type != YAML_MAPPING_NODE) {
				cfg__error(cp->errs, cp->file, cfg__line(e), "trunks",
					   "expected a map (name, proxy, ...)");
				continue;
			}
			trunk_parse(cp, t, &t->trunkv[t->trunkc++], e);
		}
	}
	/* a DID is one trunk's, and none is also a tenant number */
	for (size_t i = 0; i < t->trunkc; i++) {
		for (size_t j = 0; j < t->trunkv[i].didc; j++) {
			const char *num = t->trunkv[i].didv[j].number;

			if (cfg_number_find(t, num))
				cfg__error(cp->errs, cp->file, t->trunkv[i].line,
					   "trunks.dids",
					   "%s is a number of the tenant already", num);
			for (size_t k = 0; k < i; k++) {
				if (cfg_did_find(&t->trunkv[k], num))
					cfg__error(cp->errs, cp->file, t->trunkv[i].line,
						   "trunks.dids",
						   "%s is a DID of %s already", num,
						   t->trunkv[k].name);
			}
		}
	}
	o = cfg__get(cp->doc, root, "outbound");
	if (!o)
		return;
	if (o->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(o), "outbound",
			   "expected a map (routes, caller_id)");
		return;
	}
	cfg__check_keys(cp, o, "outbound", okeys);
	v = cfg__get(cp->doc, o, "routes");
	if (v)
		routes_parse(cp, t, v);
	v = cfg__get(cp->doc, o, "caller_id");
	if (v && v->type != YAML_MAPPING_NODE) {
		cfg__error(cp->errs, cp->file, cfg__line(v), "outbound.caller_id",
			   "expected {agents: {...}, queues: {...}}");
	} else if (v) {
		static const char *const ckeys[] = {"agents", "queues", NULL};
		cfg__check_keys(cp, v, "outbound.caller_id", ckeys);
		cids_parse(cp, t, v, false);
		cids_parse(cp, t, v, true);
	}
}
