/*
 * trunk.h — SIP trunks to carriers (issue 15): registrations, which trunk
 * a request comes from, and which trunks carry a dialled number.
 */
#ifndef HOTLINE_TRUNK_H
#define HOTLINE_TRUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip;
struct sa;
struct cfg_tenant;
struct cfg_trunk;
struct trunks;
struct trunk;

enum trunk_state {
	TRUNK_UNREGISTERED = 0,
	TRUNK_REGISTERING,
	TRUNK_REGISTERED,
	TRUNK_FAILED
};

/* What GET /api/v1/trunks and /metrics tell of one trunk. */
struct trunk_info {
	const char *name;
	const char *state; /* unregistered, registering, registered, failed;
			    * "ip" for an IP-authenticated trunk */
	bool reg;	   /* it registers */
	char last_error[96];
	uint64_t next_try;	/* wall ms of the next REGISTER, 0: none */
	uint64_t registrations; /* REGISTERs answered 200 */
	uint64_t failures;	/* REGISTERs that failed */
	uint32_t calls;		/* calls through it now */
	uint32_t max_calls;	/* 0: no limit */
};

/* The trunks of tenant t on sip; those with register: true register at
 * once (sip NULL: none does, for tests). One per process, main thread
 * only. */
int trunks_alloc(struct trunks **tsp, struct sip *sip, const struct cfg_tenant *t);
/* A tenant applied live: trunks whose settings changed start again (a
 * call in progress keeps the trunk it went out on). */
int trunks_tenant_set(struct trunks *ts, const struct cfg_tenant *t);
int trunks_info_at(const struct trunks *ts, size_t i, struct trunk_info *ti);

/* The trunk a request from src comes from: a registered trunk's proxy
 * (address and port), or a network of an IP-authenticated one; NULL for
 * any other source. */
const struct cfg_trunk *trunks_from(const struct trunks *ts, const struct sa *src);

/*
 * Outbound: the next trunk of the route that matches number, from *ip on
 * (0 for the first try, then where the last try stopped), that has a call
 * free; *trp gets a reference the call keeps until it ends
 * (trunk_call_end). uri (sip:NUMBER@proxy) and from (sip:CALLER_ID@domain)
 * are what to send. ENOENT: no route matches or no trunk is left; EBUSY:
 * every trunk left is at its max_calls.
 */
int trunks_pick(struct trunks *ts, const char *number, const char *caller_id, size_t *ip,
		struct trunk **trp, char *uri, size_t urisz, char *from, size_t fromsz);
/* Is there a route for number at all? */
bool trunks_routed(const struct trunks *ts, const char *number);
/* A call in from trunk name takes one of its max_calls like one out:
 * *trp as from trunks_pick. EBUSY: it is full (answer 503); ENOENT: no
 * such trunk. */
int trunks_take(struct trunks *ts, const char *name, struct trunk **trp);
const char *trunk_name(const struct trunk *tr);
const struct cfg_trunk *trunk_cfg(const struct trunk *tr);
/*
 * The trunk's codecs (codecs: [PCMA, PCMU], opus too, by a=rtpmap's name)
 * in an SDP offer: the audio
 * formats of the m= line kept and ordered as the trunk lists them, the
 * others (telephone-event) kept after them, the rtpmap/fmtp lines of the
 * formats dropped removed. *sdpp is replaced by the new body; a trunk
 * without codecs changes nothing. ENOTSUP: none of its codecs is offered.
 */
int trunk_sdp_codecs(const struct trunk *tr, struct mbuf **sdpp);
/* The call that trunks_pick counted ended (or failed): the trunk's slot is
 * free again; drops the reference. NULL for tr is nothing. */
struct trunk *trunk_call_end(struct trunk *tr);
/* For sipsess_connect: the trunk's digest credentials (arg: the trunk). */
int trunk_auth_h(char **username, char **password, const char *realm, void *arg);
/* The caller ID a call for agent (or queue) presents: outbound.caller_id,
 * or "" (the trunk's own then). */
const char *trunks_caller_id(const struct trunks *ts, const char *agent,
			     const char *queue);

/*
 * Number forms (kept here, not in src/safe: the guard classifies what was
 * dialled, the trunk sends what the carrier wants): "e164" (+8621...),
 * "national" (021...), "dialled" (as it came, spaces and dashes gone),
 * from the tenant's numbering plan and calling code. EINVAL for a number
 * that is not one.
 */
int trunk_number_format(char *out, size_t sz, const char *format, int plan,
			const char *country, const char *number);
/* Does number match a route pattern (digits, X, Z, N, a last '.')? */
bool trunk_pattern_match(const char *pattern, const char *number);

#endif
