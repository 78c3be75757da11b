/*
 * call_int.h — the call controller's private structs and the helpers its
 * files share (call.c, callback.c, transfer.c, feature.c; src/sip only).
 */
#ifndef HOTLINE_CALL_INT_H
#define HOTLINE_CALL_INT_H

#include "store/store.h"
#include "media/media.h"
#include "interaction/interaction.h"
#include "safe/safe.h"
#include "safe/net.h"

/* LEG_OUTSIDE: a number outside, a blind transfer's target through a
 * trunk (the call's agent leg once it answers); LEG_MONITOR: a supervisor
 * or a third party (monitor.c) */
enum leg_role { LEG_CALLER, LEG_AGENT, LEG_OUTSIDE, LEG_MONITOR };

enum call_state {
	CALL_IVR,	 /* the flow is running */
	CALL_QUEUED,	 /* waiting in a queue (maybe an agent is ringing) */
	CALL_DIRECT,	 /* ringing one extension */
	CALL_CALLBACK,	 /* the agent answered a callback: calling the customer */
	CALL_BRIDGED,	 /* talking to an agent */
	CALL_FEATURE,	 /* an agent's feature code: confirm, hang up */
	CALL_VOICEMAIL,	 /* greeting, then recording the caller's message */
	CALL_CONFERENCE, /* a conference room's caller (conference.c) */
	CALL_ENDED,
};

struct call;

struct leg {
	struct le le; /* in call->ringing while ringing */
	struct call *call;
	enum leg_role role;
	struct sipsess *sess;
	struct media_stream *ms;
	char ext[CFG_EXT]; /* agent legs */
	uint64_t rang_at;
	bool answered;
	bool closed;	     /* the session ended (close handler ran) */
	bool held;	     /* holds the agent (acd_busy): a direct ring, a
			      * supervisor's or third party's leg */
	bool progress;	     /* out: the far end answered something (1xx) */
	struct mbuf *answer; /* direct calls: SDP answer kept for the 200 */
	char source[64];     /* agent legs: the phone's binding's source */
	char signalling[4];  /* udp, tcp, tls, ws, wss: what carries its SIP */
};

struct call {
	struct interaction ia; /* what every channel shares: queue, customer, row */
	struct le le;	       /* in ctl->calls */
	struct callctl *ctl;
	enum call_state state;
	struct leg *caller;
	struct leg *agent;   /* the connected agent leg */
	struct list ringing; /* agent legs being offered */
	struct ivr_session *ivr;
	bool barge;	      /* the prompt playing stops on a digit */
	bool in_setup;	      /* counted in ctl->setup until answered or ended */
	char direct[CFG_EXT]; /* CALL_DIRECT: the extension */
	bool survey;	      /* in a post-call survey flow (flows.survey) */
	uint64_t announce_at; /* next position/wait announcement, 0 = none */
	int announce_step;    /* 0 music, 1 position, 2 wait being said */
	uint64_t ewt_ms;      /* estimated wait at the last announcement */
	size_t moh_i;	      /* next piece of the queue's music */
	bool callback;	      /* virtual hold: call the customer back */
	bool caller_gone;     /* callback: the caller's first leg has ended */
	bool outbound;	      /* placed by hotline (click-to-call) */
	bool uncounted;	      /* a phone's call out while its agent is on
			       * another: it holds no place in the engine */
	uint64_t callback_at; /* when the customer was called back */
	char contact[256];    /* the caller's Contact URI (callbacks) */
	struct sa local;      /* our address its INVITE came in on, unset: none */
	uint64_t vm_started;  /* voicemail: recording since (0: greeting) */
	uint32_t vm_max_ms;   /* voicemail: longest message */
	char path_base[192];  /* IVR path of the flows before this one */
	bool desk_hold;	      /* held from the desktop: music to the caller */
	/* the recording-consent announcement: playing (the queue to enter
	 * after it, or none: the number's flow starts), or heard once */
	bool notice_playing;
	bool notice_heard;
	char notice_queue[CFG_NAME];
	int notice_priority;
	/* the bridge's recording (the stream and a mix group hold it too):
	 * paused from the desktop for card numbers (callctl_recording) */
	struct recorder *rec;
	/* out through a trunk (issue 15): the number dialled, the trunk the
	 * leg went out on (counted in its max_calls) and the route's next */
	char dialled[48];
	char caller_id[32];
	struct trunk *trunk;
	size_t trunk_i;
	bool from_trunk;     /* it came in through a trunk */
	struct leg *outside; /* a transfer's outside leg while it rings */
	/* a supervisor on the call (monitor.c): its leg, the mode asked
	 * for, and the group that mixes the three (none until it answers) */
	struct leg *monitor;
	struct media_mix *mix;
	enum media_mix_role monitor_role;
	bool monitor_takeover;
	bool three_way; /* the monitor leg is a third party the agent added */
	bool consult;	/* ... who talks with the agent alone: the customer
			 * hears music until join or cancel */
	/* CALL_CONFERENCE: the room asked for, its PIN and size (copied: a
	 * tenant applied live may go), the digits so far, the room once in */
	char conf_number[CFG_EXT];
	char conf_pin[16];
	uint32_t conf_max;
	char conf_digits[16];
	int conf_tries;
	bool conf_full;
	struct conf_room *room;
	struct le room_le;
};

struct callctl {
	struct sip *sip;
	struct sipsess_sock *sock;
	struct registrar *reg;
	struct trunks *trunks; /* SIP trunks (trunk.c) */
	struct media *media;
	struct interaction_svc *ias; /* queues, customers, rows, events */
	struct acd *acd;	     /* its routing engine */
	const struct cfg_node *node;
	const struct cfg_tenant *tenant;
	struct list calls;
	uint32_t callc; /* the calls in it: libre's list_count walks the list,
			 * and every INVITE asks (limits.max_calls) */
	struct tmr sweep;
	/* prompts and queue music, made once and kept until the controller
	 * ends, so that a tenant applied live never frees what a caller
	 * hears */
	struct media_library *library;
	struct prompt *moh;
	struct prompt *hush; /* silence, for an agent whose caller is on hold */
	struct safe_net trusted[CFG_MAX_TRUSTED];
	size_t trustedc;
	bool closing;
	/* admission control: calls in set-up, what was refused and why, and
	 * the refusals not yet logged (one line a second at most) */
	uint32_t setup;
	uint64_t refused[CALLCTL_REFUSE_COUNT];
	uint64_t refused_unlogged;
	uint64_t refused_logged_ms;
	callctl_monitor_ok_h *monitor_ok; /* who may monitor (the API's) */
	void *monitor_arg;
	struct list rooms;	  /* conference rooms with someone in */
	struct prompt *conf_tone; /* joining and leaving */
};

int callctl__info_digit(const struct sip_msg *msg, char *digitp);

#define CALLBACK_RING_MS 30000 /* a customer called back who does not answer */

/* Shared by the controller's files (call.c, callback.c, transfer.c,
 * feature.c); see each one's comment there. */
int call__alloc(struct call **callp, struct callctl *ctl, const struct sip_msg *msg);
struct call *call__find(struct callctl *ctl, const char *id);
/* The call id (ENOENT: none) of agent, or of anyone when agent is NULL
 * (EPERM: another agent's). */
int call__of_agent(struct callctl *ctl, const char *id, const char *agent,
		   struct call **callp);
int call__accept(struct call *call, const struct sip_msg *msg, uint16_t code,
		 const char *reason, struct mbuf *desc);
void call__end(struct call *call, const char *side, int cause, const char *reason);
void call__connect(struct call *call);
void call__enter_queue(struct call *call, const char *queue, int priority);
void call__run_flow(struct call *call, const struct cfg_flow *flow, uint64_t now);
int call__ring_direct(struct call *call, const char *ext);
int call__leg_alloc(struct leg **legp, struct call *call, enum leg_role role);
int call__leg_invite(struct call *call, const char *ext, enum leg_role role,
		     struct leg **legp);
void call__monitor_answered(struct leg *leg);
void call__monitor_gone(struct leg *leg, int code);
/* A consult not joined ends (its target's leg: BYE or CANCEL) as the
 * agent hands the call on: the target was the agent's to talk to. */
void call__consult_drop(struct call *call);
int call__conference_prepare(struct callctl *ctl);
void call__conference_in(struct callctl *ctl, const struct sip_msg *msg,
			 const struct cfg_conference *conf);
void call__conference_digit(struct call *call, char digit);
void call__conference_played(struct call *call);
void call__conference_left(struct call *call);
void call__monitor_code(struct callctl *ctl, const struct sip_msg *msg, const char *who,
			const char *code);
void call__leg_local(struct leg *leg, const struct sa *local, char *host, size_t sz);
/* What carries leg's SIP (udp, tcp, tls, ws, wss) and so its SRTP
 * policy (none over WebSocket: a browser's is DTLS-SRTP): the
 * trunk's srtp when it goes through one; for phone (an agent's
 * extension: its phone registered or authenticated) the agent's srtp,
 * else sip.srtp; else optional over TLS and off otherwise (SDES keys are
 * in clear without TLS). Set before the leg's first offer or answer. */
void call__leg_carried(struct leg *leg, const struct cfg_trunk *trunk,
		       const char *signalling, const char *phone);
const char *call__transp_name(enum sip_transp tp);
/* The row says how the caller's and the agent's legs are carried. */
void call__row_legs(struct call *call);
int call__local_toward(const struct sa *peer, struct sa *local);
int call__prompt_add(struct callctl *ctl, const char *text, const char *file,
		     const char *voice);
int call__feature_prepare(struct callctl *ctl);
/* Answers an INVITE with a call that is no interaction (nothing stored:
 * feature codes; a conference room's caller is made one after); on an
 * error it has replied. */
int call__answer_quiet(struct callctl *ctl, const struct sip_msg *msg,
		       struct call **callp);
int call__callback_prepare(struct callctl *ctl);
const struct prompt *call__prompt_for(struct callctl *ctl, const struct ivr_action *act);

/* What the voice side says in its own words, by language (said.c). */
enum said {
	SAID_CALLBACK,	     /* the callback's confirmation to the caller */
	SAID_CALLBACK_AGENT, /* to the agent, as the customer is called back */
	SAID_DIAL_AGENT,     /* to the agent, as an outbound call is placed */
	SAID_LOGGED_OUT,     /* feature codes: in the order of enum agent_presence */
	SAID_AVAILABLE,
	SAID_PAUSED,
	SAID_NOT_NOW, /* a feature code refused */
	SAID_CONF_PIN,
	SAID_CONF_BAD_PIN,
	SAID_CONF_FULL,
	SAID_NEXT,	       /* first in line */
	SAID_MANY_AHEAD,       /* beyond CALL_ANNOUNCE_MAX_POS */
	SAID_WAIT_SHORT,       /* under a minute */
	SAID_WAIT_LONG,	       /* beyond CALL_ANNOUNCE_MAX_MIN */
	SAID_RECORDING_NOTICE, /* recording_notice: default */
	SAID_COUNT,
};
#define CALL_ANNOUNCE_MAX_POS 20
#define CALL_ANNOUNCE_MAX_MIN 30
const char *call__said(enum said w, const char *language);
void call__said_position(char *buf, size_t sz, size_t pos, const char *language);
void call__said_wait(char *buf, size_t sz, uint64_t ewt_ms, const char *language);
/* Renders w in the tenant's language and each queue's. */
int call__said_prepare(struct callctl *ctl, enum said w);
/* The language the caller's queue speaks (the tenant's when the queue is
 * gone after a live change). */
const char *call__queue_language(const struct call *call);
void call__moh_start(struct media_stream *s, struct callctl *ctl);
bool call__callback_key(struct call *call, char digit);
void call__callback_overflow(struct call *call, const char *queue);
void call__callback_hangup(struct call *call);
void call__dial_back(struct call *call);
/* A trunk's leg failed before answer (503, 408, no answer): the next
 * trunk of the route is tried; false when none is left. */
void call__trunk_failed(struct call *call, int code, int err);
/* Sends leg (the customer's: call->caller, or a transfer's outside leg)
 * through the next trunk of the route for call->dialled; ENOENT/EBUSY: no
 * trunk (left, or free). */
int call__trunk_connect(struct call *call, struct leg *leg, const struct sa *local);
/* A blind transfer of a bridged call to a number outside: the guard
 * decides with the transferring agent's class (EACCES with v filled when
 * it refuses); the agent's leg ends, the caller hears music until the
 * outside leg answers through a trunk. ENOENT: no route takes number. */
int call__transfer_out(struct call *call, struct leg *leg, const char *number,
		       struct safe_dial_verdict *v);
/* The outside leg answered (connect) or failed before (next trunk, or
 * the call ends). */
void call__outside_answered(struct call *call, struct leg *leg);
/* The sweep: a trunk that answered nothing, not even 100 Trying, within
 * TRUNK_SILENT_MS is given up for the next one; true when it was (the
 * call may be gone). */
bool call__trunk_silent(struct call *call, uint64_t now);
/* A phone (authenticated as ext) dials number, which the guard allowed:
 * out through a trunk. */
void call__phone_out(struct callctl *ctl, const struct sip_msg *msg, const char *ext,
		     const char *number, enum safe_dial_class cls);
void call__bridge(struct call *call, struct leg *agent);
void call__feature_code(struct callctl *ctl, const struct sip_msg *msg, const char *who,
			const char *code);
int call__offer_handler(struct mbuf **descp, const struct sip_msg *msg, void *arg);
int call__answer_handler(const struct sip_msg *msg, void *arg);
void call__progress_handler(const struct sip_msg *msg, void *arg);
void call__estab_handler(const struct sip_msg *msg, void *arg);
void call__info_handler(struct sip *sip, const struct sip_msg *msg, void *arg);
void call__refer_handler(struct sip *sip, const struct sip_msg *msg, void *arg);
void call__close_handler(int err, const struct sip_msg *msg, void *arg);

#define CALL_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY"

#endif
