/*
 * check.c — what `hotline check-config` warns about (issue 18): a secret
 * anyone can read or guess, and networks trusted wider than they should
 * be. Warnings, not errors: the node still starts (published secrets are
 * replaced there), but the admin learns before an attacker does.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "safe/safe.h"
#include "safe/net.h"

/* Shorter than this, a token or an admin password is weak. */
#define SAFE_TOKEN_MIN 16

struct warn_ctx {
	safe_warn_h *h;
	void *arg;
	size_t n;
};

static void warn(struct warn_ctx *w, const char *file, int line, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void warn(struct warn_ctx *w, const char *file, int line, const char *key,
		 const char *fmt, ...)
{
	char msg[384], full[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s: warning: %s", file, line, key,
			 msg);
	else
		snprintf(full, sizeof(full), "%s: %s: warning: %s", file, key, msg);
	w->n++;
	if (w->h)
		w->h(full, w->arg);
}

/* A node secret: unset, published or short. Never says the secret. */
static void node_secret(struct warn_ctx *w, const char *file, const char *key,
			const char *val, size_t min)
{
	if (!val[0])
		warn(w, file, 0, key,
		     "not set: hotline generates one at start "
		     "(see <data_dir>/" SAFE_SECRETS_FILE ")");
	else if (safe_secret_published(val))
		warn(w, file, 0, key,
		     "is a value published in the repository: hotline "
		     "replaces it at start; set your own");
	else if (strlen(val) < min)
		warn(w, file, 0, key, "weak: shorter than %zu characters", min);
}

static void agents(struct warn_ctx *w, const struct cfg_tenant *t)
{
	for (size_t i = 0; i < t->agentc; i++) {
		const struct cfg_agent *a = &t->agentv[i];
		char key[48];

		if (!a->password[0])
			continue; /* HA1 only: nothing to judge */
		snprintf(key, sizeof(key), "agents[%zu].password", i);
		if (safe_secret_published(a->password))
			warn(w, t->file, a->line, key,
			     "agent %s: a password published in the repository: "
			     "hotline replaces it at start; set your own",
			     a->ext);
		else if (!strcmp(a->password, a->ext))
			warn(w, t->file, a->line, key,
			     "agent %s: the password is the extension", a->ext);
		else if (strlen(a->password) < SAFE_SIP_MIN)
			warn(w, t->file, a->line, key,
			     "agent %s: weak: shorter than %d characters (scanners "
			     "guess short SIP passwords in hours)",
			     a->ext, SAFE_SIP_MIN);
	}
}

/* sip.trusted: every address in it may call without authentication, so a
 * network (not a single host, not the loopback) is a warning. */
static void trusted(struct warn_ctx *w, const struct cfg_node *node)
{
	for (size_t i = 0; i < node->trustedc; i++) {
		struct safe_net n;

		if (safe_net_parse(&n, node->trusted[i]) || safe_net_loopback(&n))
			continue;
		if (n.bits < (sa_af(&n.net) == AF_INET ? 32u : 128u))
			warn(w, node->file, 0, "sip.trusted",
			     "%s is wider than the loopback and one host: every address "
			     "in it may call without authentication; list only your "
			     "trunks' addresses",
			     node->trusted[i]);
	}
}

/* The default class reaching the numbers toll fraud calls: every agent,
 * queue and trusted address without a class of its own may dial them. */
static void dialing(struct warn_ctx *w, const struct cfg_tenant *t)
{
	static const enum safe_dial_class costly[] = {SAFE_DIAL_INTERNATIONAL,
						      SAFE_DIAL_PREMIUM};

	for (size_t i = 0; i < 2; i++) {
		if (t->dialing.allow & SAFE_DIAL_BIT(costly[i]))
			warn(w, t->file, 0, "dialing.allow",
			     "the default class reaches %s numbers: everyone without a "
			     "class of their own may dial them; allow them per agent",
			     safe_dial_class_name(costly[i]));
	}
}

/* Trunks: a weak password lets anyone who guesses it register as us and
 * take our calls (or dial on our account); an IP-authenticated trunk's
 * networks may send calls to its DIDs without any password. */
static void trunks(struct warn_ctx *w, const struct cfg_tenant *t)
{
	for (size_t i = 0; i < t->trunkc; i++) {
		const struct cfg_trunk *tr = &t->trunkv[i];
		char key[48];

		snprintf(key, sizeof(key), "trunks[%zu].password", i);
		if (tr->reg && !tr->password[0])
			warn(w, t->file, tr->line, key,
			     "trunk %s registers without a password", tr->name);
		else if (tr->password[0] && strlen(tr->password) < SAFE_SIP_MIN)
			warn(w, t->file, tr->line, key,
			     "trunk %s: weak: shorter than %d characters", tr->name,
			     SAFE_SIP_MIN);
		for (size_t k = 0; k < tr->fromc; k++) {
			struct safe_net n;

			snprintf(key, sizeof(key), "trunks[%zu].from", i);
			if (safe_net_parse(&n, tr->from[k]) || safe_net_loopback(&n))
				continue;
			if (n.bits < (sa_af(&n.net) == AF_INET ? 24u : 64u))
				warn(w, t->file, tr->line, key,
				     "trunk %s: %s is wider than a carrier's addresses: "
				     "every address in it may call the trunk's numbers",
				     tr->name, tr->from[k]);
		}
	}
}

size_t safe_check(const struct cfg_node *node, const struct cfg_tenant *t, safe_warn_h *h,
		  void *arg)
{
	struct warn_ctx w = {.h = h, .arg = arg};

	if (node) {
		node_secret(&w, node->file, "http.api_token", node->api_token,
			    SAFE_TOKEN_MIN);
		node_secret(&w, node->file, "http.admin_password", node->admin_password,
			    SAFE_SIP_MIN);
		trusted(&w, node);
	}
	if (t) {
		agents(&w, t);
		dialing(&w, t);
		trunks(&w, t);
	}
	return w.n;
}
