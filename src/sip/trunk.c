/*
 * trunk.c — SIP trunks to carriers (issue 15): each trunk of the tenant
 * with register: true keeps a registration with its carrier (libre's
 * sipreg, digest credentials from the tenant), re-registered before it
 * expires by sipreg and, after a failure, tried again here with a
 * backoff that doubles (2 s up to 5 min), so a carrier that refuses us is
 * not hammered and one that comes back is found again. It tells which
 * trunk a request comes from (inbound DIDs), and which trunks carry a
 * dialled number (outbound routes, in order, each at most max_calls at
 * once) and in what form the number goes.
 *
 * Not here: whether a number may be dialled at all (the dial guard,
 * src/safe/dialguard.c, asked first by the call controller), the calls'
 * legs and failover between the trunks a route names (call.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "safe/safe.h"
#include "safe/net.h"
#include "sip/trunk.h"

#define BACKOFF_FIRST_MS 2000
#define BACKOFF_MAX_MS	 (300 * 1000)

struct trunk {
	struct trunks *ts; /* NULL once the tenant dropped it */
	struct cfg_trunk cfg;
	struct sipreg *reg;
	struct tmr tmr; /* the next REGISTER after a failure */
	enum trunk_state state;
	char last_error[96];
	uint64_t next_try;
	uint32_t failc;
	uint64_t registrations, failures;
	uint32_t calls;
	struct sa proxy; /* the proxy's address when it is one (inbound) */
	struct safe_net from[4];
	size_t fromc;
};

struct trunks {
	struct sip *sip;
	const struct cfg_tenant *tenant;
	struct trunk *v[CFG_MAX_TRUNKS];
	size_t c;
};

/* The URI parameter that sends to the trunk over its transport. */
static const char *trunk_transport_param(const struct cfg_trunk *c)
{
	return c->tls ? ";transport=tls" : c->tcp ? ";transport=tcp" : "";
}

static void trunk_destructor(void *arg)
{
	struct trunk *tr = arg;

	tmr_cancel(&tr->tmr);
	mem_deref(tr->reg);
}

const char *trunk_name(const struct trunk *tr)
{
	return tr ? tr->cfg.name : "";
}

const struct cfg_trunk *trunk_cfg(const struct trunk *tr)
{
	return tr ? &tr->cfg : NULL;
}

/* The static payload type of a G.711 codec name; -1 for another. */
static int codec_pt(const char *name)
{
	if (!strcasecmp(name, "PCMU"))
		return 0;
	if (!strcasecmp(name, "PCMA"))
		return 8;
	return -1;
}

/* Is payload type pt (a G.711 one) among the trunk's codecs? */
static bool trunk_has_pt(const struct trunk *tr, int pt)
{
	for (size_t i = 0; i < tr->cfg.codecc; i++) {
		if (codec_pt(tr->cfg.codecs[i]) == pt)
			return true;
	}
	return false;
}

static bool starts(const struct pl *line, const char *prefix)
{
	size_t n = strlen(prefix);

	return line->l >= n && !strncasecmp(line->p, prefix, n);
}

/* "a=rtpmap:0 ..." or "a=fmtp:0 ...": the payload type it is of, or -1. */
static int attr_pt(const struct pl *line)
{
	struct pl name, pt;

	if (!starts(line, "a=rtpmap:") && !starts(line, "a=fmtp:"))
		return -1;
	if (re_regex(line->p, line->l, "a=[a-z]+:[0-9]+", &name, &pt))
		return -1;
	return (int)pl_u32(&pt);
}

/* The m=audio line with the trunk's G.711 codecs first, in its order, and
 * the formats that are not G.711 after them; false when none of the
 * trunk's is offered. */
static int m_line(const struct trunk *tr, const struct pl *line, struct mbuf *out,
		  bool *any)
{
	struct pl port, proto, fmts, v;
	int ptv[32];
	size_t n = 0;
	int err;

	if (re_regex(line->p, line->l, "m=audio [0-9]+ [^ ]+ [^\r\n]+", &port, &proto,
		     &fmts))
		return EPROTO;
	while (n < 32 && !re_regex(fmts.p, fmts.l, "[0-9]+", &v)) {
		ptv[n++] = (int)pl_u32(&v);
		pl_advance(&fmts, (size_t)(v.p + v.l - fmts.p));
	}
	err = mbuf_printf(out, "m=audio %r %r", &port, &proto);
	for (size_t i = 0; !err && i < tr->cfg.codecc; i++) {
		int want = codec_pt(tr->cfg.codecs[i]);

		for (size_t k = 0; !err && k < n; k++) {
			if (ptv[k] == want) {
				err = mbuf_printf(out, " %d", want);
				*any = true;
			}
		}
	}
	for (size_t k = 0; !err && k < n; k++) {
		if (ptv[k] != 0 && ptv[k] != 8)
			err = mbuf_printf(out, " %d", ptv[k]);
	}
	return err ? err : mbuf_write_str(out, "\r\n");
}

int trunk_sdp_codecs(const struct trunk *tr, struct mbuf **sdpp)
{
	struct mbuf *in, *out;
	struct pl text, line;
	bool any = false;
	int err = 0;

	if (!tr || !sdpp || !*sdpp)
		return EINVAL;
	if (!tr->cfg.codecc)
		return 0;
	in = *sdpp;
	out = mbuf_alloc(mbuf_get_left(in) + 16);
	if (!out)
		return ENOMEM;
	text.p = (const char *)mbuf_buf(in);
	text.l = mbuf_get_left(in);
	while (text.l && !err) {
		const char *nl = pl_strchr(&text, '\n');
		size_t n = nl ? (size_t)(nl - text.p) + 1 : text.l;
		int pt;

		line.p = text.p;
		line.l = n;
		pl_advance(&text, n);
		if (starts(&line, "m=audio ")) {
			err = m_line(tr, &line, out, &any);
			continue;
		}
		pt = attr_pt(&line);
		if ((pt == 0 || pt == 8) && !trunk_has_pt(tr, pt))
			continue;
		err = mbuf_write_mem(out, (const uint8_t *)line.p, line.l);
	}
	if (!err && !any)
		err = ENOTSUP;
	if (err) {
		mem_deref(out);
		return err;
	}
	out->pos = 0;
	mem_deref(in);
	*sdpp = out;
	return 0;
}

int trunk_auth_h(char **username, char **password, const char *realm, void *arg)
{
	struct trunk *tr = arg;
	int err;

	(void)realm;
	if (!tr->cfg.password[0])
		return EAUTH; /* no credentials: the challenge stands */
	err = str_dup(username, tr->cfg.auth_user);
	if (!err)
		err = str_dup(password, tr->cfg.password);
	return err;
}

/* The host of the proxy (host:port), for the account's domain. */
static void proxy_host(const struct trunk *tr, char *out, size_t sz)
{
	const char *p = tr->cfg.proxy, *c;

	if (*p == '[') { /* [v6]:port */
		c = strchr(p, ']');
		(void)re_snprintf(out, sz, "%b", p, c ? (size_t)(c - p + 1) : strlen(p));
		return;
	}
	c = strrchr(p, ':');
	(void)re_snprintf(out, sz, "%b", p, c ? (size_t)(c - p) : strlen(p));
}

static void trunk_domain(const struct trunk *tr, char *out, size_t sz)
{
	if (tr->cfg.domain[0])
		util_copy(out, sz, tr->cfg.domain);
	else
		proxy_host(tr, out, sz);
}

static void reg_start(struct trunk *tr);

static void retry_handler(void *arg)
{
	reg_start(arg);
}

/* A REGISTER failed: the registration goes (sipreg would retry on its
 * own clock) and the next try comes after the backoff. Called from a
 * timer, outside sipreg's handler. */
static void reg_failed(void *arg)
{
	struct trunk *tr = arg;
	uint64_t wait = BACKOFF_FIRST_MS;

	tr->reg = mem_deref(tr->reg);
	for (uint32_t i = 1; i < tr->failc && wait < BACKOFF_MAX_MS; i++)
		wait *= 2;
	if (wait > BACKOFF_MAX_MS)
		wait = BACKOFF_MAX_MS;
	tr->next_try = clock_now_ms() + wait;
	tmr_start(&tr->tmr, wait, retry_handler, tr);
	log_warn("trunk: registration failed trunk=%s error=\"%s\" retry_in=%llums",
		 tr->cfg.name, tr->last_error, (unsigned long long)wait);
}

static void reg_resp_h(int err, const struct sip_msg *msg, void *arg)
{
	struct trunk *tr = arg;

	if (!err && msg && msg->scode < 200)
		return;
	if (!err && msg && msg->scode < 300) {
		uint32_t ex = sipreg_proxy_expires(tr->reg);

		if (tr->state != TRUNK_REGISTERED)
			log_info("trunk: registered trunk=%s expires=%us", tr->cfg.name,
				 ex);
		tr->state = TRUNK_REGISTERED;
		tr->failc = 0;
		tr->registrations++;
		tr->last_error[0] = '\0';
		/* sipreg refreshes before it expires */
		tr->next_try = ex ? clock_now_ms() + (uint64_t)ex * 900 : 0;
		return;
	}
	if (err)
		util_copy(tr->last_error, sizeof(tr->last_error), strerror(err));
	else
		(void)re_snprintf(tr->last_error, sizeof(tr->last_error), "%u %r",
				  msg->scode, &msg->reason);
	util_sanitize(tr->last_error);
	tr->state = TRUNK_FAILED;
	tr->failc++;
	tr->failures++;
	tmr_start(&tr->tmr, 0, reg_failed, tr);
}

static void reg_start(struct trunk *tr)
{
	char reg_uri[192], aor[256], domain[128];
	int err;

	trunk_domain(tr, domain, sizeof(domain));
	(void)re_snprintf(reg_uri, sizeof(reg_uri), "sip:%s%s", tr->cfg.proxy,
			  trunk_transport_param(&tr->cfg));
	(void)re_snprintf(aor, sizeof(aor), "sip:%s@%s", tr->cfg.username, domain);
	tr->state = TRUNK_REGISTERING;
	tr->next_try = 0;
	err = sipreg_register(&tr->reg, tr->ts->sip, reg_uri, aor, NULL, aor,
			      tr->cfg.expires_ms / 1000, tr->cfg.username, NULL, 0, 0,
			      trunk_auth_h, tr, false, reg_resp_h, tr, NULL, NULL);
	if (err) {
		util_copy(tr->last_error, sizeof(tr->last_error), strerror(err));
		tr->state = TRUNK_FAILED;
		tr->failc++;
		tr->failures++;
		tmr_start(&tr->tmr, 0, reg_failed, tr);
	}
}

static int trunk_alloc(struct trunk **trp, struct trunks *ts, const struct cfg_trunk *c)
{
	struct trunk *tr = mem_zalloc(sizeof(*tr), trunk_destructor);
	char host[128];
	const char *colon;

	if (!tr)
		return ENOMEM;
	tr->ts = ts;
	tr->cfg = *c;
	tmr_init(&tr->tmr);
	/* a proxy given as an address is how its requests are known */
	colon = strrchr(c->proxy, ':');
	proxy_host(tr, host, sizeof(host));
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	if (c->proxy[0] && sa_set_str(&tr->proxy, host,
				      colon && colon[1] && !strchr(colon, ']')
					  ? (uint16_t)atoi(colon + 1)
					  : 5060))
		sa_init(&tr->proxy, AF_UNSPEC);
	for (size_t i = 0; i < c->fromc; i++) {
		if (!safe_net_parse(&tr->from[tr->fromc], c->from[i]))
			tr->fromc++;
	}
	*trp = tr;
	return 0;
}

static void trunks_destructor(void *arg)
{
	struct trunks *ts = arg;

	for (size_t i = 0; i < ts->c; i++) {
		ts->v[i]->ts = NULL;
		tmr_cancel(&ts->v[i]->tmr);
		ts->v[i]->reg = mem_deref(ts->v[i]->reg); /* unregisters */
		mem_deref(ts->v[i]);
	}
	mem_deref((void *)ts->tenant);
}

int trunks_tenant_set(struct trunks *ts, const struct cfg_tenant *t)
{
	struct trunk *nv[CFG_MAX_TRUNKS] = {0};
	size_t nc = 0;
	int err = 0;

	if (!ts || !t)
		return EINVAL;
	for (size_t i = 0; i < t->trunkc; i++) {
		const struct cfg_trunk *c = &t->trunkv[i];
		struct trunk *same = NULL;

		for (size_t j = 0; j < ts->c; j++) {
			if (ts->v[j] && !memcmp(&ts->v[j]->cfg, c, sizeof(*c))) {
				same = ts->v[j];
				ts->v[j] = NULL;
				break;
			}
		}
		if (same) {
			nv[nc++] = same;
			continue;
		}
		err = trunk_alloc(&nv[nc], ts, c);
		if (err)
			break;
		nc++;
	}
	if (err) {
		for (size_t i = 0; i < nc; i++)
			mem_deref(nv[i]);
		return err;
	}
	/* the trunks gone or changed: unregistered; calls keep theirs */
	for (size_t j = 0; j < ts->c; j++) {
		if (!ts->v[j])
			continue;
		ts->v[j]->ts = NULL;
		tmr_cancel(&ts->v[j]->tmr);
		ts->v[j]->reg = mem_deref(ts->v[j]->reg);
		mem_deref(ts->v[j]);
	}
	memcpy(ts->v, nv, sizeof(nv));
	ts->c = nc;
	mem_ref((void *)t);
	mem_deref((void *)ts->tenant);
	ts->tenant = t;
	for (size_t i = 0; i < ts->c; i++) {
		struct trunk *tr = ts->v[i];
		if (ts->sip && tr->cfg.reg && !tr->reg && !tmr_isrunning(&tr->tmr) &&
		    tr->state == TRUNK_UNREGISTERED)
			reg_start(tr);
	}
	return 0;
}

int trunks_alloc(struct trunks **tsp, struct sip *sip, const struct cfg_tenant *t)
{
	struct trunks *ts;
	int err;

	if (!tsp || !t)
		return EINVAL;
	ts = mem_zalloc(sizeof(*ts), trunks_destructor);
	if (!ts)
		return ENOMEM;
	ts->sip = sip;
	err = trunks_tenant_set(ts, t);
	if (err) {
		mem_deref(ts);
		return err;
	}
	*tsp = ts;
	return 0;
}

static const char *state_name(const struct trunk *tr)
{
	static const char *const names[] = {"unregistered", "registering", "registered",
					    "failed"};

	if (!tr->cfg.reg)
		return tr->fromc ? "ip" : "unregistered";
	return names[tr->state];
}

int trunks_info_at(const struct trunks *ts, size_t i, struct trunk_info *ti)
{
	const struct trunk *tr;

	if (!ts || !ti || i >= ts->c)
		return ENOENT;
	tr = ts->v[i];
	memset(ti, 0, sizeof(*ti));
	ti->name = tr->cfg.name;
	ti->state = state_name(tr);
	ti->reg = tr->cfg.reg;
	util_copy(ti->last_error, sizeof(ti->last_error), tr->last_error);
	ti->next_try = tr->next_try;
	ti->registrations = tr->registrations;
	ti->failures = tr->failures;
	ti->calls = tr->calls;
	ti->max_calls = tr->cfg.max_calls;
	return 0;
}

const struct cfg_trunk *trunks_from(const struct trunks *ts, const struct sa *src)
{
	for (size_t i = 0; ts && src && i < ts->c; i++) {
		const struct trunk *tr = ts->v[i];

		if (sa_isset(&tr->proxy, SA_ALL) && sa_cmp(&tr->proxy, src, SA_ALL))
			return &ts->v[i]->cfg;
		for (size_t k = 0; k < tr->fromc; k++) {
			if (safe_net_match(&tr->from[k], src))
				return &ts->v[i]->cfg;
		}
	}
	return NULL;
}

/* --- outbound ---------------------------------------------------------- */

bool trunk_pattern_match(const char *pat, const char *num)
{
	if (*pat == '+') {
		if (*num != '+')
			return false;
		pat++;
		num++;
	} else if (*num == '+') {
		return false;
	}
	for (; *pat; pat++, num++) {
		if (*pat == '.')
			return isdigit((unsigned char)*num) &&
			       strspn(num, "0123456789") == strlen(num);
		if (!isdigit((unsigned char)*num))
			return false;
		if (*pat == 'X')
			continue;
		if (*pat == 'Z' && *num >= '1')
			continue;
		if (*pat == 'N' && *num >= '2')
			continue;
		if (*pat != *num)
			return false;
	}
	return *num == '\0';
}

/* number without spaces, dashes, dots and brackets; EINVAL when what
 * is left is not digits with an optional leading '+'. */
static int digits_only(char *out, size_t sz, const char *number)
{
	size_t n = 0;

	for (const char *p = number; *p; p++) {
		if (strchr(" -.()", *p))
			continue;
		if (!(isdigit((unsigned char)*p) || (*p == '+' && !n)))
			return EINVAL;
		if (n + 1 >= sz)
			return E2BIG;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n && strcmp(out, "+") ? 0 : EINVAL;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

int trunk_number_format(char *out, size_t sz, const char *format, int plan,
			const char *country, const char *number)
{
	char d[40], e[48];
	const char *cc = country && *country	  ? country
			 : plan == SAFE_PLAN_NANP ? "1"
			 : plan == SAFE_PLAN_CN	  ? "86"
						  : "";
	size_t n;
	int err;

	if (!out || !sz || !format || !number)
		return EINVAL;
	err = digits_only(d, sizeof(d), number);
	if (err)
		return err;
	if (!strcmp(format, "dialled"))
		return util_copy(out, sz, d) ? E2BIG : 0;
	n = strlen(d);
	/* first E.164, from the plan's prefixes */
	if (d[0] == '+')
		util_copy(e, sizeof(e), d);
	else if (plan == SAFE_PLAN_NANP && has_prefix(d, "011"))
		(void)re_snprintf(e, sizeof(e), "+%s", d + 3);
	else if (plan == SAFE_PLAN_NANP && n == 11 && d[0] == '1')
		(void)re_snprintf(e, sizeof(e), "+%s", d);
	else if (plan == SAFE_PLAN_NANP && n == 10)
		(void)re_snprintf(e, sizeof(e), "+1%s", d);
	else if (plan != SAFE_PLAN_NANP && has_prefix(d, "00"))
		(void)re_snprintf(e, sizeof(e), "+%s", d + 2);
	else if (plan != SAFE_PLAN_NANP && d[0] == '0' && *cc)
		(void)re_snprintf(e, sizeof(e), "+%s%s", cc, d + 1);
	else if (*cc)
		(void)re_snprintf(e, sizeof(e), "+%s%s", cc, d);
	else
		return EINVAL; /* no calling code to place it with */
	if (!strcmp(format, "e164"))
		return util_copy(out, sz, e) ? E2BIG : 0;
	/* national: the own country's numbers without the code, the others
	 * with the plan's international prefix */
	if (*cc && has_prefix(e + 1, cc)) {
		const char *rest = e + 1 + strlen(cc);

		if (plan == SAFE_PLAN_NANP)
			return util_copy(out, sz, rest) ? E2BIG : 0;
		/* China's mobiles (1[3-9]) go without the trunk prefix 0 */
		if (plan == SAFE_PLAN_CN && rest[0] == '1')
			return util_copy(out, sz, rest) ? E2BIG : 0;
		return re_snprintf(out, sz, "0%s", rest) < 0 ? E2BIG : 0;
	}
	return re_snprintf(out, sz, "%s%s", plan == SAFE_PLAN_NANP ? "011" : "00",
			   e + 1) < 0
		   ? E2BIG
		   : 0;
}

static const struct cfg_route *route_find(const struct cfg_tenant *t, const char *d)
{
	for (size_t i = 0; i < t->outbound.routec; i++) {
		const struct cfg_route *r = &t->outbound.routev[i];
		for (size_t k = 0; k < r->matchc; k++) {
			if (trunk_pattern_match(r->match[k], d))
				return r;
		}
	}
	return NULL;
}

bool trunks_routed(const struct trunks *ts, const char *number)
{
	char d[40];

	return ts && number && !digits_only(d, sizeof(d), number) &&
	       route_find(ts->tenant, d) != NULL;
}

static struct trunk *trunk_by_name(const struct trunks *ts, const char *name)
{
	for (size_t i = 0; i < ts->c; i++) {
		if (!strcmp(ts->v[i]->cfg.name, name))
			return ts->v[i];
	}
	return NULL;
}

static int tenant_plan(const struct cfg_tenant *t)
{
	enum safe_plan plan;

	if (t->dialing.plan[0] && !safe_plan_parse(&plan, t->dialing.plan))
		return plan;
	return safe_plan_for_country(t->country);
}

int trunks_pick(struct trunks *ts, const char *number, const char *caller_id, size_t *ip,
		struct trunk **trp, char *uri, size_t urisz, char *from, size_t fromsz)
{
	const struct cfg_route *r;
	enum safe_dial_class cls;
	char d[40], out[48], domain[128];
	bool full = false;
	int err;

	if (!ts || !number || !ip || !trp)
		return EINVAL;
	if (digits_only(d, sizeof(d), number))
		return ENOENT;
	r = route_find(ts->tenant, d);
	if (!r)
		return ENOENT;
	cls = safe_dial_classify(tenant_plan(ts->tenant), ts->tenant->country, d);
	for (; *ip < r->trunkc; (*ip)++) {
		struct trunk *tr = trunk_by_name(ts, r->trunks[*ip]);

		if (!tr)
			continue;
		/* a trunk only for some kinds of number (a carrier for the
		 * international ones, another for the rest) */
		if (tr->cfg.classes && !(tr->cfg.classes & SAFE_DIAL_BIT(cls)))
			continue;
		if (tr->cfg.max_calls && tr->calls >= tr->cfg.max_calls) {
			log_info("trunk: full trunk=%s calls=%u", tr->cfg.name,
				 tr->calls);
			full = true;
			continue;
		}
		err =
		    trunk_number_format(out, sizeof(out), r->format,
					tenant_plan(ts->tenant), ts->tenant->country, d);
		if (err)
			return err;
		trunk_domain(tr, domain, sizeof(domain));
		(void)re_snprintf(uri, urisz, "sip:%s@%s%s", out, tr->cfg.proxy,
				  trunk_transport_param(&tr->cfg));
		(void)re_snprintf(from, fromsz, "sip:%s@%s",
				  caller_id && *caller_id ? caller_id
				  : tr->cfg.caller_id[0]  ? tr->cfg.caller_id
				  : tr->cfg.username[0]	  ? tr->cfg.username
							  : "anonymous",
				  domain);
		tr->calls++;
		(*ip)++;
		*trp = mem_ref(tr);
		return 0;
	}
	return full ? EBUSY : ENOENT;
}

int trunks_take(struct trunks *ts, const char *name, struct trunk **trp)
{
	struct trunk *tr = ts && name ? trunk_by_name(ts, name) : NULL;

	if (!tr || !trp)
		return ENOENT;
	if (tr->cfg.max_calls && tr->calls >= tr->cfg.max_calls) {
		log_info("trunk: full, a call in refused trunk=%s calls=%u", tr->cfg.name,
			 tr->calls);
		return EBUSY;
	}
	tr->calls++;
	*trp = mem_ref(tr);
	return 0;
}

struct trunk *trunk_call_end(struct trunk *tr)
{
	if (!tr)
		return NULL;
	if (tr->calls)
		tr->calls--;
	return mem_deref(tr);
}

const char *trunks_caller_id(const struct trunks *ts, const char *agent,
			     const char *queue)
{
	const struct cfg_outbound *o = ts ? &ts->tenant->outbound : NULL;

	for (size_t pass = 0; o && pass < 2; pass++) {
		/* the queue's first (a callback for it), then the agent's */
		const char *name = pass ? agent : queue;

		for (size_t i = 0; name && *name && i < o->cidc; i++) {
			if (o->cidv[i].queue == !pass && !strcmp(o->cidv[i].name, name))
				return o->cidv[i].number;
		}
	}
	return "";
}
