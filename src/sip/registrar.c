/*
 * registrar.c — agents' phones: REGISTER with digest auth (RFC 3261
 * §10.3), bindings with expiry kept in memory and in the store (so they
 * survive a restart), the check of credentials on INVITEs from phones,
 * out-of-dialog OPTIONS, and dropping everything from an address banned
 * for repeated auth failures (the scanners that knock on every PBX).
 *
 * One sweep timer expires all bindings; none per binding.
 */
#include <string.h>
#include <re.h>
#include <sodium.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "sip/sip.h"
#include "sip/auth.h"
#include "sip/input.h"
#include "safe/net.h"

#define MAX_CONTACTS 5
#define SWEEP_MS     10000
#define BAN_TABLE    10000
#define SEEN_MAX     4096 /* addresses remembered (agent, ip) */
#define ALLOW	     "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY, REGISTER"

struct binding {
	struct le le;
	struct store_binding b;
};

/* An address an agent's phone registered from (see seen_note). */
struct seen {
	struct le le;
	char ext[CFG_EXT];
	char ip[64];
};

struct registrar {
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct store *store;
	const struct cfg_node *node;
	const struct cfg_tenant *tenant;
	struct list bindings;
	struct list seen; /* struct seen, oldest first */
	size_t seenc;
	struct sipauth_bans *bans;
	struct sipinput *input;
	struct tmr sweep;
	uint8_t key[SIPAUTH_KEYLEN];
	/* changes of bindings not yet told (struct change) */
	registrar_change_h *change_h;
	void *change_arg;
	struct list changes;
	struct tmr tell;
};

struct change {
	struct le le;
	char ext[64]; /* as a binding's aor */
	bool registered;
};

/* Tells the watcher of the changes so far, in order: from a timer, so
 * the REGISTER's answer has gone out first. */
static void tell_handler(void *arg)
{
	struct registrar *r = arg;
	struct le *le;

	while ((le = list_head(&r->changes))) {
		struct change *c = le->data;

		list_unlink(&c->le);
		if (r->change_h)
			r->change_h(c->ext, c->registered, r->change_arg);
		mem_deref(c);
	}
}

static void change_add(struct registrar *r, const char *ext, bool registered)
{
	struct change *c;

	if (!r->change_h)
		return;
	c = mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return;
	util_copy(c->ext, sizeof(c->ext), ext);
	c->registered = registered;
	list_append(&r->changes, &c->le, c);
	if (!tmr_isrunning(&r->tell))
		tmr_start(&r->tell, 0, tell_handler, r);
}

void registrar_watch(struct registrar *r, registrar_change_h *h, void *arg)
{
	if (!r)
		return;
	r->change_h = h;
	r->change_arg = arg;
	if (!h) {
		tmr_cancel(&r->tell);
		list_flush(&r->changes);
	}
}

static uint64_t now_s(void)
{
	return clock_now_ms() / 1000;
}

/* Where msg comes from: for what a browser's WebSocket relay passes on
 * (ws_transport.c), the browser's address, so that bans and an agent's
 * register_from apply to it and not to the loopback every relay shares. */
static const struct sa *msg_src(const struct sip_msg *msg, struct sa *buf)
{
	return sipws_peer(&msg->src, buf) ? buf : &msg->src;
}

static void src_ip(char *buf, size_t sz, const struct sa *src)
{
	if (sa_ntop(src, buf, (int)sz))
		util_copy(buf, sz, "?");
}

static void binding_remove(struct registrar *r, struct binding *b, bool expired)
{
	log_info("registrar: %s ext=%s contact=%s", expired ? "expired" : "unregistered",
		 b->b.aor, b->b.contact);
	event_emit_pack(EVENT_AGENT_UNREGISTERED, NULL, b->b.aor, NULL, "{s:s,s:b}",
			"contact", b->b.contact, "expired", expired);
	if (r->store)
		store_binding_delete(r->store, b->b.aor, b->b.contact);
	change_add(r, b->b.aor, false);
	list_unlink(&b->le);
	mem_deref(b);
}

static void sweep_handler(void *arg)
{
	struct registrar *r = arg;
	uint64_t now = clock_now_ms();
	struct le *le = list_head(&r->bindings);

	while (le) {
		struct binding *b = le->data;
		le = le->next;
		if (b->b.expires <= now)
			binding_remove(r, b, true);
	}
	tmr_start(&r->sweep, SWEEP_MS, sweep_handler, r);
}

static struct binding *binding_find(struct registrar *r, const char *aor,
				    const char *contact)
{
	struct le *le;

	LIST_FOREACH(&r->bindings, le)
	{
		struct binding *b = le->data;
		if (!strcmp(b->b.aor, aor) && !strcmp(b->b.contact, contact))
			return b;
	}
	return NULL;
}

static size_t binding_count(struct registrar *r, const char *aor)
{
	size_t n = 0;
	struct le *le;

	LIST_FOREACH(&r->bindings, le)
	{
		struct binding *b = le->data;
		n += !strcmp(b->b.aor, aor);
	}
	return n;
}

int registrar_contact(struct registrar *r, const char *ext, struct registrar_contact *c)
{
	struct binding *best = NULL;
	uint64_t now = clock_now_ms();
	struct le *le;

	if (!r || !ext || !c)
		return EINVAL;
	LIST_FOREACH(&r->bindings, le)
	{
		struct binding *b = le->data;
		if (strcmp(b->b.aor, ext) || b->b.expires <= now)
			continue;
		if (!best || b->b.expires > best->b.expires)
			best = b;
	}
	if (!best)
		return ENOENT;
	util_copy(c->uri, sizeof(c->uri), best->b.contact);
	util_copy(c->transport, sizeof(c->transport), best->b.transport);
	util_copy(c->source, sizeof(c->source), best->b.source);
	c->expires = best->b.expires;
	return 0;
}

size_t registrar_source_gone(struct registrar *r, const char *source)
{
	struct le *le;
	size_t n = 0;

	if (!r || !source)
		return 0;
	le = list_head(&r->bindings);
	while (le) {
		struct binding *b = le->data;

		le = le->next;
		if (!strcmp(b->b.source, source)) {
			binding_remove(r, b, false);
			n++;
		}
	}
	return n;
}

size_t registrar_count(const struct registrar *r)
{
	return r ? list_count(&r->bindings) : 0;
}

bool registrar_banned(struct registrar *r, const struct sa *src)
{
	char ip[64];

	if (!r || !src)
		return false;
	src_ip(ip, sizeof(ip), src);
	return sipauth_banned(r->bans, ip, now_s());
}

/* 401/407 with a challenge per configured algorithm, in the configured
 * order (RFC 8760 §2.4: the UAC takes the topmost it supports). The
 * default is MD5 alone: many deployed phones read only the first
 * challenge, and some (libre 1.1, so baresip 1.0) refuse to register when
 * any SHA-256 challenge is present. Sites whose phones speak SHA-256 list
 * it first. */
static void challenge(struct registrar *r, const struct sip_msg *msg, bool proxy,
		      bool stale)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	char nonce[64], ip[64], algs[32], *tok, *save = NULL;
	const char *hdr = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
	struct mbuf *mb = mbuf_alloc(512);

	if (!mb)
		return;
	src_ip(ip, sizeof(ip), msg_src(msg, &srcb));
	sipauth_nonce_make(nonce, sizeof(nonce), r->key, now_s(), ip);
	util_copy(algs, sizeof(algs), r->node->auth_algorithms);
	for (tok = strtok_r(algs, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		(void)mbuf_printf(mb,
				  "%s: Digest realm=\"%s\", nonce=\"%s\", "
				  "algorithm=%s, qop=\"auth\"%s\r\n",
				  hdr, r->node->realm, nonce, tok,
				  stale ? ", stale=true" : "");
	(void)sip_treplyf(NULL, NULL, r->sip, msg, false, proxy ? 407 : 401,
			  proxy ? "Proxy Authentication Required" : "Unauthorized",
			  "%bContent-Length: 0\r\n\r\n", mb->buf, mb->end);
	mem_deref(mb);
}

static void audit(struct registrar *r, const char *ext, const char *action,
		  const char *ip, const char *detail);

static void auth_failed(struct registrar *r, const struct sip_msg *msg, const char *user,
			const char *why)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	char ip[64];

	src_ip(ip, sizeof(ip), msg_src(msg, &srcb));
	log_warn("registrar: auth failed user=%s from=%s: %s", user, ip, why);
	if (sipauth_fail(r->bans, ip, now_s())) {
		char detail[64];

		log_warn("registrar: banning address=%s for %us after %u failures", ip,
			 r->node->auth_ban_time, r->node->auth_fail_limit);
		/* a scanner guessing passwords: the admins see it, webhooks
		 * can page someone */
		event_emit_pack(EVENT_SIP_ADDRESS_BANNED, NULL, NULL, NULL,
				"{s:s,s:I,s:I}", "address", ip, "ban_s",
				(long long)r->node->auth_ban_time, "failures",
				(long long)r->node->auth_fail_limit);
		snprintf(detail, sizeof(detail), "%u failures, banned %us",
			 r->node->auth_fail_limit, r->node->auth_ban_time);
		audit(r, "", "sip.address_banned", ip, detail);
	}
	(void)sip_treply(NULL, r->sip, msg, 403, "Forbidden");
}

static void audit(struct registrar *r, const char *ext, const char *action,
		  const char *ip, const char *detail)
{
	struct store_audit au;

	if (!r->store)
		return;
	memset(&au, 0, sizeof(au));
	au.ts = clock_now_ms();
	util_copy(au.user, sizeof(au.user), ext);
	util_copy(au.action, sizeof(au.action), action);
	util_copy(au.target, sizeof(au.target), ext);
	util_copy(au.addr, sizeof(au.addr), ip);
	util_copy(au.detail, sizeof(au.detail), detail);
	if (store_audit_append(r->store, &au))
		log_error("registrar: audit entry not stored action=%s ext=%s", action,
			  ext);
}

/* May the agent's phone register from src (its register_from networks;
 * none: anywhere)? */
static bool from_allowed(const struct cfg_agent *a, const struct sa *src)
{
	for (size_t i = 0; i < a->register_fromc; i++) {
		struct safe_net n;

		if (!safe_net_parse(&n, a->register_from[i]) && safe_net_match(&n, src))
			return true;
	}
	return a->register_fromc == 0;
}

/* Refuses a request with the agent's right credentials from outside its
 * register_from (403): logged, an event and an audit line. */
static void address_refused(struct registrar *r, const struct sip_msg *msg,
			    const char *ext, const char *what)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	char ip[64], detail[64];

	src_ip(ip, sizeof(ip), msg_src(msg, &srcb));
	log_warn("registrar: ext=%s %s refused from address=%s: not in its register_from",
		 ext, what, ip);
	event_emit_pack(EVENT_AGENT_REGISTER_REFUSED, NULL, ext, NULL, "{s:s,s:s,s:s}",
			"address", ip, "request", what, "reason", "register_from");
	snprintf(detail, sizeof(detail), "%s; not in register_from", what);
	audit(r, ext, "agent.register_refused", ip, detail);
	(void)sip_treply(NULL, r->sip, msg, 403, "Forbidden (Address)");
}

/* An agent's credentials by the HA1 the tenant gives for the algorithm
 * the phone used, else by its password. */
static int agent_verify(const struct cfg_agent *agent, const struct sipauth_creds *cr,
			const struct pl *method)
{
	enum sipauth_alg alg;

	if (sipauth_alg(&alg, cr))
		return EINVAL;
	if (alg == SIPAUTH_MD5 && agent->ha1_md5[0])
		return sipauth_verify_ha1(cr, method, alg, agent->ha1_md5);
	if (alg == SIPAUTH_SHA256 && agent->ha1_sha256[0])
		return sipauth_verify_ha1(cr, method, alg, agent->ha1_sha256);
	if (!agent->password[0])
		return EINVAL; /* only an HA1 of the other algorithm */
	return sipauth_verify(cr, method, agent->password);
}

/*
 * Checks the credentials in hdr_id (Authorization or Proxy-Authorization).
 * 0 with the agent's extension in ext; otherwise it has replied.
 */
static int check(struct registrar *r, const struct sip_msg *msg, enum sip_hdrid hdr_id,
		 bool proxy, char *ext, size_t sz)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	const struct sip_hdr *h = sip_msg_hdr(msg, hdr_id);
	struct sipauth_creds cr;
	const struct cfg_agent *agent;
	char user[64], ip[64];
	int err;

	if (!h) {
		challenge(r, msg, proxy, false);
		return EAUTH;
	}
	if (sipauth_parse(&cr, &h->val) || cr.username.l >= sizeof(user)) {
		log_warn("registrar: malformed credentials");
		(void)sip_treply(NULL, r->sip, msg, 400, "Bad Authorization");
		return EACCES;
	}
	pl_strcpy(&cr.username, user, sizeof(user));
	/* a scanner's name goes to the log: nothing that could forge a line */
	util_sanitize(user);
	if (pl_strcmp(&cr.realm, r->node->realm)) {
		challenge(r, msg, proxy, false);
		return EAUTH;
	}
	src_ip(ip, sizeof(ip), msg_src(msg, &srcb));
	err = sipauth_nonce_check(&cr.nonce, r->key, now_s(), ip);
	if (err == ETIMEDOUT) {
		challenge(r, msg, proxy, true);
		return EAUTH;
	}
	if (err) {
		/* not our nonce (a restart, or forged): a fresh challenge */
		challenge(r, msg, proxy, false);
		return EAUTH;
	}
	agent = cfg_agent_find(r->tenant, user);
	if (!agent) {
		auth_failed(r, msg, user, "unknown user");
		return EACCES;
	}
	err = agent_verify(agent, &cr, &msg->met);
	if (err) {
		auth_failed(r, msg, user,
			    err == EACCES ? "wrong password" : "unsupported digest");
		return EACCES;
	}
	util_copy(ext, sz, agent->ext);
	return 0;
}

int registrar_auth(struct registrar *r, const struct sip_msg *msg, char *ext, size_t sz)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	const struct cfg_agent *agent;
	const struct sip_hdr *h;
	int err;

	if (!r || !msg || !ext)
		return EINVAL;
	if (registrar_banned(r, msg_src(msg, &srcb)))
		return EACCES; /* silently ignored */
	h = sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
	err = check(r, msg,
		    h ? SIP_HDR_PROXY_AUTHORIZATION
		      : (sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION)
			     ? SIP_HDR_AUTHORIZATION
			     : SIP_HDR_PROXY_AUTHORIZATION),
		    true, ext, sz);
	if (err)
		return err;
	/* a call with the agent's password from outside its register_from
	 * is the same stolen credential as a registration from there */
	agent = cfg_agent_find(r->tenant, ext);
	if (agent && !from_allowed(agent, msg_src(msg, &srcb))) {
		address_refused(r, msg, ext, "call");
		return EACCES;
	}
	return 0;
}

struct reg_ctx {
	struct registrar *r;
	const struct sip_msg *msg;
	const char *aor;
	uint32_t def_expires;
	int err; /* 0, or the SIP status to answer */
	bool star;
};

static uint32_t contact_expires(const struct reg_ctx *c, const struct sip_addr *a)
{
	struct pl v;

	if (!msg_param_decode(&a->params, "expires", &v))
		return pl_u32(&v);
	return c->def_expires;
}

static bool contact_handler(const struct sip_hdr *hdr, const struct sip_msg *msg,
			    void *arg)
{
	struct reg_ctx *c = arg;
	struct registrar *r = c->r;
	struct sip_addr addr;
	struct binding *b;
	char contact[256];
	uint32_t exp;

	if (!pl_strcmp(&hdr->val, "*")) {
		c->star = true;
		return false;
	}
	if (sip_addr_decode(&addr, &hdr->val)) {
		c->err = 400;
		return true;
	}
	if (addr.auri.l >= sizeof(contact)) {
		c->err = 400;
		return true;
	}
	pl_strcpy(&addr.auri, contact, sizeof(contact));
	exp = contact_expires(c, &addr);
	b = binding_find(r, c->aor, contact);

	if (exp == 0) {
		if (b)
			binding_remove(r, b, false);
		return false;
	}
	if (exp < r->node->reg_min_expires) {
		c->err = 423;
		return true;
	}
	if (exp > r->node->reg_max_expires)
		exp = r->node->reg_max_expires;

	if (b) {
		/* RFC 3261 §10.3 step 7: an older CSeq of the same Call-ID
		 * is out of order. */
		if (!pl_strcmp(&msg->callid, b->b.call_id) && msg->cseq.num < b->b.cseq) {
			c->err = 500;
			return true;
		}
	} else {
		if (binding_count(r, c->aor) >= MAX_CONTACTS) {
			c->err = 403;
			return true;
		}
		b = mem_zalloc(sizeof(*b), NULL);
		if (!b) {
			c->err = 500;
			return true;
		}
		util_copy(b->b.aor, sizeof(b->b.aor), c->aor);
		util_copy(b->b.contact, sizeof(b->b.contact), contact);
		list_append(&r->bindings, &b->le, b);
	}
	util_copy(b->b.transport, sizeof(b->b.transport),
		  msg->tp == SIP_TRANSP_TCP   ? "tcp"
		  : msg->tp == SIP_TRANSP_TLS ? "tls"
					      : "udp");
	(void)re_snprintf(b->b.source, sizeof(b->b.source), "%J", &msg->src);
	pl_strcpy(&msg->callid, b->b.call_id, sizeof(b->b.call_id));
	b->b.cseq = msg->cseq.num;
	b->b.expires = clock_now_ms() + (uint64_t)exp * 1000;
	if (r->store)
		store_binding_save(r->store, &b->b);
	log_info("registrar: registered ext=%s contact=%s transport=%s expires=%u",
		 c->aor, contact, b->b.transport, exp);
	event_emit_pack(EVENT_AGENT_REGISTERED, NULL, c->aor, NULL, "{s:s,s:s,s:I}",
			"contact", contact, "transport", b->b.transport, "expires",
			(long long)exp);
	change_add(r, c->aor, true);
	return false;
}

/* Remembers an address ext registered from; quiet when known. */
static bool seen_add(struct registrar *r, const char *ext, const char *ip)
{
	struct seen *s;
	struct le *le;

	LIST_FOREACH(&r->seen, le)
	{
		s = le->data;
		if (!strcmp(s->ext, ext) && !strcmp(s->ip, ip))
			return false;
	}
	if (r->seenc >= SEEN_MAX) {
		/* a spray of addresses stays bounded: the oldest goes */
		s = list_ledata(list_head(&r->seen));
		list_unlink(&s->le);
		mem_deref(s);
		r->seenc--;
	}
	s = mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return false;
	util_copy(s->ext, sizeof(s->ext), ext);
	util_copy(s->ip, sizeof(s->ip), ip);
	list_append(&r->seen, &s->le, s);
	r->seenc++;
	return true;
}

/* Every new address an agent's phone registers from is an event (its
 * supervisors see it) and an audit line: a stolen password in use shows
 * up as a phone registering from somewhere new. */
static void seen_note(struct registrar *r, const char *ext, const struct sip_msg *msg)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	const char *tp = msg->tp == SIP_TRANSP_TCP   ? "tcp"
			 : msg->tp == SIP_TRANSP_TLS ? "tls"
						     : "udp";
	char ip[64], detail[64];

	src_ip(ip, sizeof(ip), msg_src(msg, &srcb));
	if (!seen_add(r, ext, ip))
		return;
	log_info("registrar: ext=%s registers from a new address=%s", ext, ip);
	event_emit_pack(EVENT_AGENT_REGISTERED_FROM, NULL, ext, NULL, "{s:s,s:s}",
			"address", ip, "transport", tp);
	snprintf(detail, sizeof(detail), "new address, %s", tp);
	audit(r, ext, "agent.registered_from", ip, detail);
}

static void handle_register(struct registrar *r, const struct sip_msg *msg)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	struct reg_ctx c = {.r = r, .msg = msg};
	const struct cfg_agent *agent;
	char ext[CFG_EXT], aor[64];
	struct mbuf *mb;
	struct le *le;
	uint64_t now;

	if (check(r, msg, SIP_HDR_AUTHORIZATION, false, ext, sizeof(ext)))
		return;
	pl_strcpy(&msg->to.uri.user, aor, sizeof(aor));
	if (strcmp(aor, ext)) {
		auth_failed(r, msg, ext, "registering someone else's extension");
		return;
	}
	agent = cfg_agent_find(r->tenant, ext);
	if (agent && !from_allowed(agent, msg_src(msg, &srcb))) {
		/* the password was right: a phone elsewhere holds it */
		address_refused(r, msg, ext, "register");
		return;
	}
	c.aor = ext;
	c.def_expires = pl_isset(&msg->expires) ? pl_u32(&msg->expires) : 3600;
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler, &c);

	if (c.star) {
		/* "Contact: *" with Expires: 0 removes every binding */
		if (!pl_isset(&msg->expires) || pl_u32(&msg->expires) != 0) {
			(void)sip_treply(NULL, r->sip, msg, 400, "Bad Contact *");
			return;
		}
		le = list_head(&r->bindings);
		while (le) {
			struct binding *b = le->data;
			le = le->next;
			if (!strcmp(b->b.aor, ext))
				binding_remove(r, b, false);
		}
	}
	if (c.err == 423) {
		(void)sip_treplyf(NULL, NULL, r->sip, msg, false, 423,
				  "Interval Too Brief",
				  "Min-Expires: %u\r\nContent-Length: 0\r\n\r\n",
				  r->node->reg_min_expires);
		return;
	}
	if (c.err) {
		(void)sip_treply(NULL, r->sip, msg, (uint16_t)c.err,
				 c.err == 400	? "Bad Contact"
				 : c.err == 403 ? "Too Many Contacts"
						: "Out Of Order");
		return;
	}

	seen_note(r, ext, msg);

	/* 200 OK lists every current binding with its time left. */
	mb = mbuf_alloc(512);
	if (!mb)
		return;
	now = clock_now_ms();
	LIST_FOREACH(&r->bindings, le)
	{
		struct binding *b = le->data;
		if (strcmp(b->b.aor, ext) || b->b.expires <= now)
			continue;
		(void)mbuf_printf(
		    mb, "Contact: <%s>;expires=%llu\r\n", b->b.contact,
		    (unsigned long long)((b->b.expires - now + 999) / 1000));
	}
	(void)sip_treplyf(NULL, NULL, r->sip, msg, false, 200, "OK",
			  "%bAllow: " ALLOW "\r\nContent-Length: 0\r\n\r\n", mb->buf,
			  mb->end);
	mem_deref(mb);
}

/* The first listener: drops banned addresses, answers or drops what RFC
 * 3261 refuses (input.c), answers REGISTER and out-of-dialog OPTIONS;
 * everything else goes on to the call controller. */
static bool request_handler(const struct sip_msg *msg, void *arg)
{
	struct sa srcb; /* the browser, for a WebSocket relay's */
	struct registrar *r = arg;

	if (registrar_banned(r, msg_src(msg, &srcb)))
		return true;
	if (sipinput_reject(r->input, msg))
		return true;
	if (!pl_strcmp(&msg->met, "REGISTER")) {
		handle_register(r, msg);
		return true;
	}
	if (!pl_strcmp(&msg->met, "OPTIONS") && !pl_isset(&msg->to.tag)) {
		(void)sip_treplyf(NULL, NULL, r->sip, msg, false, 200, "OK",
				  "Allow: " ALLOW "\r\n"
				  "Accept: application/sdp\r\n"
				  "Content-Length: 0\r\n\r\n");
		return true;
	}
	return false;
}

static int load_binding(const struct store_binding *sb, void *arg)
{
	struct registrar *r = arg;
	struct binding *b;

	if (!cfg_agent_find(r->tenant, sb->aor))
		return 0; /* the agent is gone from the tenant */
	b = mem_zalloc(sizeof(*b), NULL);
	if (!b)
		return ENOMEM;
	b->b = *sb;
	list_append(&r->bindings, &b->le, b);
	{
		/* the phones known before a restart are not new */
		char ip[64];
		struct sa sa;

		if (!sa_decode(&sa, sb->source, strlen(sb->source)) &&
		    !sa_ntop(&sa, ip, sizeof(ip)))
			(void)seen_add(r, sb->aor, ip);
	}
	return 0;
}

static void registrar_destructor(void *arg)
{
	struct registrar *r = arg;

	tmr_cancel(&r->sweep);
	tmr_cancel(&r->tell);
	list_flush(&r->changes);
	mem_deref(r->lsnr);
	list_flush(&r->bindings);
	list_flush(&r->seen);
	mem_deref(r->bans);
	mem_deref(r->input);
	mem_deref((void *)r->tenant);
	sodium_memzero(r->key, sizeof(r->key));
}

void registrar_tenant_set(struct registrar *r, const struct cfg_tenant *t)
{
	if (!r || !t)
		return;
	mem_deref((void *)r->tenant);
	r->tenant = mem_ref((void *)t);
}

int registrar_alloc(struct registrar **rp, struct sip *sip, struct store *st,
		    const struct cfg_node *node, const struct cfg_tenant *tenant)
{
	struct registrar *r;
	int err;

	if (!rp || !sip || !node || !tenant)
		return EINVAL;
	r = mem_zalloc(sizeof(*r), registrar_destructor);
	if (!r)
		return ENOMEM;
	r->sip = sip;
	r->store = st;
	r->node = node;
	r->tenant = mem_ref((void *)tenant);
	tmr_init(&r->sweep);
	tmr_init(&r->tell);
	randombytes_buf(r->key, sizeof(r->key));
	err = sipauth_bans_alloc(&r->bans, BAN_TABLE, node->auth_fail_limit,
				 node->auth_fail_window, node->auth_ban_time);
	if (!err)
		err = sipinput_alloc(&r->input, sip);
	if (err)
		goto out;
	if (st) {
		err = store_binding_list(st, clock_now_ms(), load_binding, r);
		if (err)
			goto out;
		if (list_count(&r->bindings))
			log_info("registrar: restored %u bindings",
				 list_count(&r->bindings));
	}
	err = sip_listen(&r->lsnr, sip, true, request_handler, r);
	if (err)
		goto out;
	tmr_start(&r->sweep, SWEEP_MS, sweep_handler, r);
out:
	if (err)
		mem_deref(r);
	else
		*rp = r;
	return err;
}
