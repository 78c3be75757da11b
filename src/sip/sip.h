/*
 * sip.h — the SIP face of Hotline: the registrar (agents' phones, digest
 * auth, scanner blocking) and the call controller (inbound calls, IVR,
 * queue, agent legs, bridging, transfer).
 */
#ifndef HOTLINE_SIP_H
#define HOTLINE_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip;
struct sip_msg;
struct sa;
struct store;
struct cfg_node;
struct cfg_tenant;

/* --- registrar -------------------------------------------------------- */

struct registrar;

struct registrar_contact {
	char uri[256];	   /* Contact URI to send the INVITE to */
	char transport[8]; /* "udp", "tcp" */
	char source[64];   /* "ip:port" the REGISTER came from */
	uint64_t expires;  /* UTC ms */
};

/*
 * Starts answering REGISTER (digest MD5 and SHA-256, RFC 8760) for the
 * tenant's agents, loads unexpired bindings from the store and saves
 * every change to it. Also drops every request from an address that is
 * banned for repeated auth failures. Must be allocated before the
 * sipsess socket, so that its listener sees requests first.
 */
/* SIP over TLS (tls.c): the listener of sip.tls_listen with the node's
 * certificate, and the client side of trunks with transport: tls (their
 * ca_file trusted). Nothing when neither is configured; an error, logged,
 * stops the start. */
int sip_tls_start(struct sip *sip, const struct cfg_node *node,
		  const struct cfg_tenant *tenant);
int registrar_alloc(struct registrar **rp, struct sip *sip, struct store *st,
		    const struct cfg_node *node, const struct cfg_tenant *tenant);
/* The tenant applied live: agents and their passwords from t. */
void registrar_tenant_set(struct registrar *r, const struct cfg_tenant *t);
/* The freshest binding of ext; ENOENT when it has none. */
int registrar_contact(struct registrar *r, const char *ext, struct registrar_contact *c);
/* The connection a phone registered over is gone (a browser's WebSocket
 * closed: source is its relay's "ip:port"): its bindings end as an
 * unregister does. Returns how many. */
size_t registrar_source_gone(struct registrar *r, const char *source);
/* Number of live bindings. */
size_t registrar_count(const struct registrar *r);
/* An agent's phone registered (a binding made or refreshed) or a binding
 * of it ended (unregistered, expired). Told after the REGISTER's answer
 * is sent, so that a call offered at once reaches the phone after it. */
typedef void(registrar_change_h)(const char *ext, bool registered, void *arg);
/* Whom to tell of every change (one; NULL: nobody). */
void registrar_watch(struct registrar *r, registrar_change_h *h, void *arg);
/*
 * Checks the credentials on a request from a phone (INVITE, ...).
 * Returns 0 and writes the agent's extension when valid. Otherwise it
 * has already replied (407 with a fresh challenge, or 403) and returns
 * EAUTH (no or stale credentials) or EACCES (wrong, or banned address).
 */
int registrar_auth(struct registrar *r, const struct sip_msg *msg, char *ext, size_t sz);
bool registrar_banned(struct registrar *r, const struct sa *src);

/* Sends a probe request to our own UDP transport at laddr, so that the
 * input checks (input.c) watch its socket before any phone's packet. */
int sipinput_probe(const struct sa *laddr);

/* --- call controller -------------------------------------------------- */

struct callctl;
struct media;
struct interaction_svc;

/* The voice channel's adapter of the interaction service ias (its queues,
 * customers, rows and events; its statistics give the estimated wait its
 * handle time). */
int callctl_alloc(struct callctl **cp, struct sip *sip, struct registrar *reg,
		  struct media *media, struct interaction_svc *ias,
		  const struct cfg_node *node, const struct cfg_tenant *tenant);
/* The tenant applied live: calls from now on follow t (its flows, queues
 * and numbers); new prompts are made and new music loaded first (the main
 * loop waits for that). A caller in a flow finishes it in the old tenant,
 * which its IVR session holds. On an error nothing changes. */
int callctl_tenant_set(struct callctl *ctl, const struct cfg_tenant *t);
/* The SIP trunks (src/sip/trunk.h) the controller dials out through. */
struct trunks;
struct trunks *callctl_trunks(const struct callctl *ctl);
size_t callctl_active(const struct callctl *c);
/*
 * Admission control: why a new call was answered 503 (limits.max_calls,
 * limits.max_setup, limits.max_lag). Calls already in progress are never
 * dropped for it.
 */
enum callctl_refuse {
	CALLCTL_REFUSE_CALLS, /* at max_calls */
	CALLCTL_REFUSE_SETUP, /* at max_setup calls in set-up */
	CALLCTL_REFUSE_LAG,   /* the main loop lags past max_lag */
	CALLCTL_REFUSE_COUNT
};
const char *callctl_refuse_name(enum callctl_refuse r);
/* New calls refused for r since start. */
uint64_t callctl_refused(const struct callctl *c, enum callctl_refuse r);
/* SRTP packets dropped since start: failed authentication or replayed. */
uint64_t callctl_srtp_failures(const struct callctl *c);
/*
 * Click-to-call: rings agent's phone, then calls target (a sip: URI) and
 * bridges and records them. Writes the new call's id. EINVAL: target is
 * not a sip: URI; ENOENT: no such agent; ENODEV: its phone is not
 * registered; EBUSY: it is on a call; EAGAIN: at the call limit.
 */
int callctl_dial(struct callctl *ctl, const char *agent, const char *target, char *id,
		 size_t idsz);
/* Ends an active call (the agent's side hangs up). agent: when given, the
 * call must be bridged to that agent (EPERM otherwise). ENOENT: no such
 * active call. */
int callctl_hangup(struct callctl *ctl, const char *id, const char *agent);
/* Live calls whose caller is customer (a customer on a call is not
 * forgotten: its call would store the number again as it ends). */
size_t callctl_customer_calls(const struct callctl *ctl, const char *customer);
/* Customer from was merged into into (named name): live calls of from
 * are into's from now on, and stored so. */
void callctl_customer_merged(struct callctl *ctl, const char *from, const char *into,
			     const char *name);
/* Holds (hold true) or resumes a bridged call from the desktop: the
 * caller hears music on hold, the agent silence; call.held and
 * call.resumed events with "by":"desktop". agent as for hang-up. ENOENT:
 * no such call; EPERM: not agent's; EINVAL: not bridged; EALREADY:
 * already so. */
int callctl_hold(struct callctl *ctl, const char *id, const char *agent, bool hold);
/* Blind transfer of a bridged call to an extension, a queue, a flow or a
 * number outside (through a trunk), as a REFER from the agent's phone
 * would. EPERM: not bridged (to agent, when given); EINVAL: target is
 * none of those; EACCES: the agent's dialing class or a limit refuses
 * the number (v, when given, says why). */
struct safe_dial_verdict;
/* Pauses (pause true) or resumes the recording of a bridged call (an
 * agent: only its own, EPERM otherwise); the file gets silence while
 * paused; recording.paused / recording.resumed events say where in the
 * file (at_ms). EINVAL: not bridged or not recorded; EALREADY: paused
 * (or running) already; ENOENT: no such call in progress. */
int callctl_recording(struct callctl *ctl, const char *id, const char *agent, bool pause);
int callctl_transfer(struct callctl *ctl, const char *id, const char *agent,
		     const char *target, struct safe_dial_verdict *v);
/* A supervisor on a bridged call (monitor.c): ext's phone is called and
 * joins in mode ("listen", "whisper", "barge", "takeover"); asked again
 * while it rings or talks, the mode changes. EINVAL: no such mode;
 * ENOENT: no such call; EALREADY: not bridged; EPERM: ext is the call's
 * agent; EBUSY: another supervisor is on it; ENODEV: ext's phone is not
 * registered. call.monitor events (state ringing, joined, changed, left). */
int callctl_monitor(struct callctl *ctl, const char *id, const char *ext,
		    const char *mode);
/* Ad-hoc three-way: target's phone (an agent's extension) is called and
 * joins the call's customer and agent when it answers (call.monitor
 * events with mode "conference"). agent as for hang-up. ENOENT: no such
 * call; EALREADY: not bridged; EPERM: not agent's; EINVAL: target is no
 * other agent; EBUSY: a third party or supervisor is on it; ENODEV:
 * target's phone is not registered. */
int callctl_conference(struct callctl *ctl, const char *id, const char *agent,
		       const char *target);
/* The phone at source ("ip:port" its REGISTER came from) is gone for good
 * (a browser's WebSocket closed): its bindings end, its bridged calls end
 * as if it hung up (the agent is freed), its ringing legs count as not
 * taken. */
void callctl_phone_gone(struct callctl *ctl, const char *source);
/* May the user of extension ext monitor a call of queue? (the API's
 * users and their queues; asked for feature codes *1, *2, *3 <ext>) */
/* The agent's consult before a three-way: the customer of a bridged call
 * hears music and is heard by nobody while target's phone is called and
 * talks with the agent; errors as callctl_conference's. */
int callctl_consult(struct callctl *ctl, const char *id, const char *agent,
		    const char *target);
/* Ends the consult: join (all three talk: the three-way; EAGAIN while
 * the target still rings) or cancel (the target's leg ends, the customer
 * talks with the agent again). EALREADY: no consult going on; EPERM: an
 * agent not on the call. */
int callctl_consult_end(struct callctl *ctl, const char *id, const char *agent,
			bool join);
/* The supervisor's monitor leg ends (BYE, or CANCEL while it rings);
 * ext, when given, must be the monitoring one (EPERM). EALREADY: nobody
 * monitors the call. */
int callctl_monitor_end(struct callctl *ctl, const char *id, const char *ext);
typedef bool(callctl_monitor_ok_h)(const char *ext, const char *queue, void *arg);
void callctl_monitor_auth_set(struct callctl *ctl, callctl_monitor_ok_h *h, void *arg);

/* --- SIP over WebSocket (ws_transport.c, RFC 7118) ----------------------- */

struct sipws;
struct httpd_conn;
struct http_msg;
struct mbuf;

#define SIPWS_URI_MAX 256
#define SIPWS_MAP_MAX 4

/* What one WebSocket's relay rewrote, to give back on the way out: the
 * browser's Via transport and its Contact URIs (ours -> theirs). */
struct sipws_map {
	char tp[4]; /* "WS", "WSS"; empty: none seen yet */
	struct {
		char ours[SIPWS_URI_MAX];
		char theirs[SIPWS_URI_MAX];
	} v[SIPWS_MAP_MAX];
	size_t n;
};

/* A browser's message (one frame) for our TCP listener: top Via of a
 * request WS/WSS -> TCP, Contact URIs -> sip:user@local;transport=tcp
 * (noted in map), Content-Length the body's. *mbp is the caller's.
 * EBADMSG: no header block ending in an empty line. */
int sipws_inbound(struct mbuf **mbp, const uint8_t *p, size_t n, const char *local,
		  struct sipws_map *map);
/* One framed message from our listener for the browser: a response's top
 * Via and a request's URI given back as map says. */
int sipws_outbound(struct mbuf **mbp, const uint8_t *p, size_t n,
		   const struct sipws_map *map);
/* The next message of a SIP byte stream (RFC 3261 §18.3): *skip CRLF
 * keep-alives, then *len bytes. ENODATA: not all there yet; EBADMSG: no
 * SIP framing (a header block over 16 KiB, a bad Content-Length). */
int sipws_frame(const uint8_t *p, size_t n, size_t *skip, size_t *len);

/* Relays to the SIP TCP listener at sip_listen (sip.listen; an
 * unspecified address is reached on the loopback). */
int sipws_alloc(struct sipws **sp, const char *sip_listen);
/* Takes over an HTTP connection asking for a WebSocket with the
 * subprotocol "sip" (the caller checked its Origin). EPROTONOSUPPORT:
 * the subprotocol was not offered; EBADMSG: no WebSocket handshake;
 * nothing was sent then. */
int sipws_accept(struct sipws *s, struct httpd_conn *conn, const struct http_msg *msg);
/* Is src (a SIP message's source) a relay's connection? Then *peer (when
 * given) is its browser's address. */
bool sipws_peer(const struct sa *src, struct sa *peer);
size_t sipws_count(const struct sipws *s);
/* A browser's WebSocket ended: source is the "ip:port" its relay's SIP
 * messages came from (a binding's source). */
typedef void(sipws_gone_h)(const char *source, void *arg);
void sipws_watch(struct sipws *s, sipws_gone_h *h, void *arg);

#endif
