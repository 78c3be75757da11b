/*
 * safe.h — safe by default (issue 18): no secret published in the
 * repository opens a running Hotline, and what the configuration says
 * about secrets and trusted networks is checked. Owns the one list of
 * published secrets and the private file the generated ones live in; it
 * does not own users, tokens or the registrar (they are handed the
 * secrets to use).
 */
#ifndef HOTLINE_SAFE_H
#define HOTLINE_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_node;
struct cfg_tenant;

/* The file, under the data directory, that holds the generated secrets
 * (mode 0600). */
#define SAFE_SECRETS_FILE "initial-secrets"

/* Is secret one of the values the repository publishes (conf/hotline.yaml,
 * conf/demo.yaml, the built-in defaults)? Compared in constant time. */
bool safe_secret_published(const char *secret);

/*
 * At start (serve): every secret of node and tenant that is missing or
 * published — http.api_token, http.admin_password, the agents' SIP
 * passwords — is replaced by a generated one, kept in
 * <data_dir>/initial-secrets (0600) and reused at the next start; the
 * console says once where it is (never the secret). With
 * HOTLINE_KEEP_DEMO_SECRETS=1 in the environment nothing is replaced (the
 * test suite on the loopback). The generated secrets stay in memory for
 * safe_secrets_tenant until safe_secrets_close.
 */
int safe_secrets_start(const char *data_dir, struct cfg_node *node, struct cfg_tenant *t);
/* The same for a tenant loaded again (reload, an edit): agents whose SIP
 * password is published get their generated one (new agents a new one,
 * written to the file). */
int safe_secrets_tenant(struct cfg_tenant *t);
void safe_secrets_close(void);
/* An admin made with the published admin password (by a Hotline before
 * this rule) gets node's admin_password instead, said on the console.
 * After safe_secrets_start, before the users are loaded. */
struct store;
int safe_secrets_users(struct store *st, const struct cfg_node *node);

/*
 * check-config's warnings: a published or weak secret, a SIP password
 * shorter than SAFE_SIP_MIN or equal to the extension, trusted networks
 * wider than the loopback. Each warning is one line "file: key: problem"
 * given to h; returns how many there were.
 */
#define SAFE_SIP_MIN 12
typedef void(safe_warn_h)(const char *line, void *arg);
size_t safe_check(const struct cfg_node *node, const struct cfg_tenant *t, safe_warn_h *h,
		  void *arg);

/* --- who may dial what -------------------------------------------------- */

/* The kinds of destination a number is; an admin allows a set of them
 * (bit 1 << class) per agent, queue, flow and trusted network. */
enum safe_dial_class {
	SAFE_DIAL_INTERNAL = 0,
	SAFE_DIAL_EMERGENCY,
	SAFE_DIAL_LOCAL,
	SAFE_DIAL_NATIONAL,
	SAFE_DIAL_MOBILE,
	SAFE_DIAL_TOLLFREE,
	SAFE_DIAL_INTERNATIONAL,
	SAFE_DIAL_PREMIUM,
	SAFE_DIAL_CLASSES
};
#define SAFE_DIAL_BIT(c) (1u << (c))
/* The class allowed when the tenant says nothing: never international or
 * premium-rate until an admin allows it. */
#define SAFE_DIAL_DEFAULT                                                                \
	(SAFE_DIAL_BIT(SAFE_DIAL_INTERNAL) | SAFE_DIAL_BIT(SAFE_DIAL_EMERGENCY) |        \
	 SAFE_DIAL_BIT(SAFE_DIAL_NATIONAL) | SAFE_DIAL_BIT(SAFE_DIAL_MOBILE))

/* Numbering plans: NANP (+1), China (+86), generic (any other). */
enum safe_plan { SAFE_PLAN_GENERIC = 0, SAFE_PLAN_NANP, SAFE_PLAN_CN };

const char *safe_dial_class_name(enum safe_dial_class c);
int safe_dial_class_parse(enum safe_dial_class *cp, const char *name);
int safe_plan_parse(enum safe_plan *pp, const char *name);
/* The plan of a calling code (crm.country): "1" NANP, "86" China. */
enum safe_plan safe_plan_for_country(const char *cc);
/* The class of a dialled number ("+8613800138000", "011 44 20 ...",
 * "1001"); country is the tenant's own calling code. A number that
 * cannot be placed is international: never cheaper than it may be. */
enum safe_dial_class safe_dial_classify(enum safe_plan plan, const char *country,
					const char *number);
/* The number a sip:/tel: URI dials (its user part, unescaped); "sip" for
 * a SIP address without a user (a name, internal). */
int safe_dial_number(char *out, size_t sz, const char *uri);

/*
 * The dial guard: every path that dials out asks it first (click-to-call,
 * a callback, later trunks). It applies the tenant's dialing section:
 * the class of the one who asked, concurrent outbound calls per agent
 * and per tenant, attempts per minute per source, and a daily cap of
 * outbound minutes per class (an alert event at 80%, refusal at 100%).
 * One per process (the tenant's); main thread only.
 */
struct safe_dial_req {
	const char *agent;  /* the agent the call is placed for, or NULL */
	const char *queue;  /* the queue a callback is for, or NULL */
	const char *flow;   /* the IVR flow that dials, or NULL */
	const char *source; /* who asks: "user:alice", "caller:0301..." */
	const char *addr;   /* the address it came from (trusted rules), or NULL */
	const char *number; /* what is dialled */
};
struct safe_dial_verdict {
	enum safe_dial_class cls;
	const char *code; /* dial_class, agent_calls, tenant_calls, attempts,
			   * minutes_cap */
	char reason[192]; /* for the agent's desktop */
};
/* Applies a tenant (at start and on every change); keeps a reference. */
int safe_dial_tenant(const struct cfg_tenant *t);
/* 0: allowed (v->cls set); EPERM: refused, with v's code and reason, a
 * call.dial_refused event and a log line already made. */
int safe_dial_check(const struct safe_dial_req *rq, uint64_t now_ms,
		    struct safe_dial_verdict *v);
/* A call the guard allowed was placed (counts toward the limits until
 * safe_dial_ended). */
void safe_dial_started(const char *call_id, const char *agent, enum safe_dial_class cls,
		       uint64_t now_ms);
/* It ended: its minutes count toward its class's daily cap. The guard
 * calls it itself on call.ended events. */
void safe_dial_ended(const char *call_id, uint64_t now_ms);
void safe_dial_close(void);
struct store;
/* Today's outbound time per class again, from the stored events (each
 * allowed call is a call.dial_allowed event): a restart does not reset
 * the daily caps (the alerts given before are not given again). */
int safe_dial_restore(struct store *st, uint64_t now_ms);
/* An audit line for a refusal outside the API (a callback): user is who
 * asked ("caller:..."), target the call. */
void safe_dial_audit(struct store *st, const char *user, const char *target,
		     const struct safe_dial_verdict *v);

#endif
