/*
 * call.c — the call controller: the voice channel's adapter of the
 * interaction service, from the INVITE to the last BYE.
 *
 * An inbound INVITE becomes a `call` (a struct interaction with SIP legs)
 * with a caller `leg`. A dialled number of the tenant runs its IVR flow;
 * a menu choice hands the call to the interaction service's queue, whose
 * offers ring an agent's phone as a second leg (voice_ops); when the agent
 * answers, both legs' media are bridged through the engine and recorded.
 * Dialling an agent's extension rings it directly. What every channel
 * shares (queue entry, priority, rules, customer, wrap-up, events, the
 * stored row) is the service's (src/interaction).
 *
 * Timing (IVR digit timeouts, ring timeouts, announcements) is driven by
 * one sweep timer for all calls, never a timer per call.
 *
 * Not here: REGISTER and digest auth (registrar.c), callbacks and
 * click-to-call (callback.c), transfers (transfer.c), feature codes
 * (feature.c), RTP and audio (media/), routing decisions (acd/).
 */
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "media/media.h"
#include "ivr/ivr.h"
#include "acd/acd.h"
#include "crm/crm.h"
#include "interaction/interaction.h"
#include "sip/sip.h"
#include "sip/call_int.h"
#include "sip/trunk.h"
#include "safe/safe.h"

#define SWEEP_MS       100
#define DIRECT_RING_MS 30000 /* an extension rung directly, not from a queue */
#define ALLOW	       CALL_ALLOW

static void ivr_do(struct call *call, const struct ivr_action *act);
static int leg_ring_agent(struct call *call, const char *ext);

/* --- prompts -------------------------------------------------------- */

/* Renders (TTS) in a voice or loads one prompt into the library. Start-up
 * and applying a tenant only. */
int call__prompt_add(struct callctl *ctl, const char *text, const char *file,
		     const char *voice)
{
	return media_library_prompt_add(ctl->library, text, file, voice);
}

const struct prompt *call__prompt_for(struct callctl *ctl, const struct ivr_action *act)
{
	return media_library_prompt(ctl->library, act->text, act->file, act->voice);
}

/* --- waiting: music and announcements ---------------------------------- */

#define ANNOUNCE_FIRST 3000 /* ms after entering, then every queue.announce */

static int announcements_prepare(struct callctl *ctl)
{
	char text[96];
	int err = 0;

	/* each announcing queue's language (rendered once: the cache keeps
	 * what an earlier queue in the same language made) */
	for (size_t i = 0; i < ctl->tenant->queuec; i++) {
		const struct cfg_queue *q = &ctl->tenant->queuev[i];
		if (!q->announce_ms)
			continue;
		for (size_t pos = 1; pos <= CALL_ANNOUNCE_MAX_POS + 1; pos++) {
			call__said_position(text, sizeof(text), pos, q->language);
			err |= call__prompt_add(ctl, text, NULL, q->language);
		}
		for (uint64_t min = 1; min <= CALL_ANNOUNCE_MAX_MIN + 1; min++) {
			call__said_wait(text, sizeof(text), min * 60000, q->language);
			err |= call__prompt_add(ctl, text, NULL, q->language);
		}
	}
	return err;
}

/* The music of the tenant's queues that is not loaded yet. */
static int playlists_prepare(struct callctl *ctl)
{
	const struct cfg_tenant *t = ctl->tenant;
	int err = 0;

	for (size_t i = 0; i < t->queuec && !err; i++)
		err = media_library_music_add(ctl->library, t->queuev[i].moh);
	return err;
}

/* What a flow's nodes say, in a language. */
static int flow_prompts_add(struct callctl *ctl, const struct cfg_flow *f,
			    const char *language)
{
	int err = 0;

	for (size_t j = 0; j < f->nodec; j++) {
		const struct cfg_ivr_node *n = &f->nodev[j];
		err |= call__prompt_add(ctl, n->text, n->file, language);
		err |= call__prompt_add(ctl, n->invalid_text, NULL, language);
		err |= call__prompt_add(ctl, n->noinput_text, NULL, language);
	}
	return err;
}

/* --- the recording-consent announcement (recording_notice) -------------- */

/* What a notice value says and in which voice: "default" the built-in
 * words in language, a WAV file, or a text. */
static void notice_what(const char *notice, const char *language, const char **text,
			const char **file)
{
	*text = *file = NULL;
	if (cfg_notice_is_file(notice))
		*file = notice;
	else if (!strcmp(notice, "default"))
		*text = call__said(SAID_RECORDING_NOTICE, language);
	else
		*text = notice;
}

/* A number's notice is said in its language, else its flow's, else the
 * tenant's; a queue's in the queue's (call__queue_language's rule). */
static const char *number_language(const struct cfg_tenant *t,
				   const struct cfg_number *nb)
{
	const struct cfg_flow *f = cfg_flow_find(t, nb->flow);

	if (nb->language[0])
		return nb->language;
	return f && f->language[0] ? f->language : t->language;
}

static const char *queue_language_of(const struct cfg_tenant *t,
				     const struct cfg_queue *q)
{
	return q->language[0] ? q->language : t->language;
}

static int notice_add(struct callctl *ctl, const char *notice, const char *language)
{
	const char *text, *file;

	if (!notice[0])
		return 0;
	notice_what(notice, language, &text, &file);
	return call__prompt_add(ctl, text, file, language);
}

static int notices_prepare(struct callctl *ctl)
{
	const struct cfg_tenant *t = ctl->tenant;
	int err = 0;

	for (size_t i = 0; i < t->queuec; i++)
		err |= notice_add(ctl, t->queuev[i].recording_notice,
				  queue_language_of(t, &t->queuev[i]));
	for (size_t i = 0; i < t->numberc; i++)
		err |= notice_add(ctl, t->numberv[i].recording_notice,
				  number_language(t, &t->numberv[i]));
	return err;
}

/*
 * Plays the notice to the caller unless it heard one already: true when
 * it plays (the call goes on at call_notice_done), false when the call
 * goes on now (none, heard, or not prepared: a caller is never held up
 * by a prompt that is missing).
 */
static bool call_notice(struct call *call, const char *notice, const char *language)
{
	const struct prompt *p;
	const char *text, *file;

	if (!notice[0] || call->notice_heard)
		return false;
	notice_what(notice, language, &text, &file);
	p = media_library_prompt(call->ctl->library, text, file, language);
	if (!p) {
		log_warn("call: recording notice not prepared call=%s", call->ia.row.id);
		return false;
	}
	call->notice_heard = true;
	call->notice_playing = true;
	media_stream_detect(call->caller->ms, false);
	media_stream_play(call->caller->ms, p, false);
	log_info("call: recording notice call=%s", call->ia.row.id);
	return true;
}

static void call_notice_done(struct call *call)
{
	struct ivr_action act = {0};

	call->notice_playing = false;
	if (call->notice_queue[0]) {
		char queue[CFG_NAME];

		util_copy(queue, sizeof(queue), call->notice_queue);
		call->notice_queue[0] = '\0';
		call__enter_queue(call, queue, call->notice_priority);
		interaction_route(call->ctl->ias);
		return;
	}
	ivr_start(call->ivr, clock_now_ms(), &act);
	ivr_do(call, &act);
}

/* What the tenant's flows say and its queues play, made or loaded where
 * not yet (a prompt is kept by its text until the controller ends). */
static int tenant_media_prepare(struct callctl *ctl)
{
	const struct cfg_tenant *t = ctl->tenant;
	int err = 0;

	for (size_t i = 0; i < t->flowc; i++)
		err |= flow_prompts_add(ctl, &t->flowv[i], t->flowv[i].language);
	/* a number in a language of its own says its flow in it as well */
	for (size_t i = 0; i < t->numberc; i++) {
		const struct cfg_flow *f = cfg_flow_find(t, t->numberv[i].flow);
		if (f && t->numberv[i].language[0])
			err |= flow_prompts_add(ctl, f, t->numberv[i].language);
	}
	err |= announcements_prepare(ctl);
	err |= playlists_prepare(ctl);
	err |= notices_prepare(ctl);
	return err;
}

static int prompts_prepare(struct callctl *ctl)
{
	char path[512];
	int err = tenant_media_prepare(ctl);

	err |= call__feature_prepare(ctl);
	err |= call__conference_prepare(ctl);
	err |= call__callback_prepare(ctl);
	if (err)
		return err;

	/* Music on hold: the project's own synthesised piece, made once. */
	snprintf(path, sizeof(path), "%s/moh", ctl->node->data_dir);
	err = util_mkdir(path);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/moh/hotline-demo.wav", ctl->node->data_dir);
	if (access(path, R_OK)) {
		err = moh_generate(path);
		if (err) {
			log_error("moh: cannot write file=%s: %s", path, strerror(err));
			return err;
		}
	}
	err = prompt_load(&ctl->moh, path);
	if (!err) {
		static const int16_t quiet[160];
		err = prompt_from_samples(&ctl->hush, quiet,
					  sizeof(quiet) / sizeof(quiet[0]));
	}
	return err;
}

/* --- helpers --------------------------------------------------------- */

static bool addr_trusted(const struct callctl *ctl, const struct sa *src)
{
	/* a browser's SIP comes from the loopback through its WebSocket's
	 * relay (ws_transport.c): its address is the browser's, never ours */
	if (sipws_peer(src, NULL))
		return false;
	for (size_t i = 0; i < ctl->trustedc; i++)
		if (safe_net_match(&ctl->trusted[i], src))
			return true;
	return false;
}

static int trusted_parse(struct callctl *ctl)
{
	for (size_t i = 0; i < ctl->node->trustedc && i < CFG_MAX_TRUSTED; i++) {
		const char *s = ctl->node->trusted[i];

		if (safe_net_parse(&ctl->trusted[ctl->trustedc], s)) {
			log_warn("sip: ignoring trusted network \"%s\"", s);
			continue;
		}
		ctl->trustedc++;
	}
	return 0;
}

/* --- legs ------------------------------------------------------------ */

static void leg_destructor(void *arg)
{
	struct leg *leg = arg;

	list_unlink(&leg->le);
	/* a leg that holds its agent (a direct ring, a supervisor's or a
	 * third party's leg) gives it back to the routing engine */
	if (leg->held)
		acd_done(leg->call->ctl->acd, leg->ext, ACD_VOICE, NULL, clock_now_ms());
	/* Dropping a live session hangs it up: BYE when established,
	 * CANCEL when still ringing out. */
	mem_deref(leg->sess);
	/* the engine may hold the stream a little longer (events of this
	 * tick): none of them may reach this freed leg */
	media_stream_close(leg->ms);
	mem_deref(leg->ms);
	mem_deref(leg->answer);
}

static void media_event(struct media_stream *s, enum media_evt evt, char digit,
			void *arg);

int call__leg_alloc(struct leg **legp, struct call *call, enum leg_role role)
{
	struct leg *leg = mem_zalloc(sizeof(*leg), leg_destructor);
	int err;

	if (!leg)
		return ENOMEM;
	leg->call = call;
	leg->role = role;
	err = media_stream_alloc(&leg->ms, call->ctl->media, media_event, leg);
	if (err) {
		mem_deref(leg);
		return err;
	}
	*legp = leg;
	return 0;
}

/* What carried msg: a browser's SIP comes over TCP from its WebSocket's
 * relay (ws_transport.c), which is "ws" to everyone else. */
static const char *msg_transp(const struct sip_msg *msg)
{
	return sipws_peer(&msg->src, NULL) ? "ws" : call__transp_name(msg->tp);
}

const char *call__transp_name(enum sip_transp tp)
{
	switch (tp) {
	case SIP_TRANSP_TLS:
		return "tls";
	case SIP_TRANSP_TCP:
		return "tcp";
	case SIP_TRANSP_WS:
		return "ws";
	case SIP_TRANSP_WSS:
		return "wss";
	default:
		return "udp";
	}
}

void call__leg_carried(struct leg *leg, const struct cfg_trunk *trunk,
		       const char *signalling, const char *phone)
{
	const struct callctl *ctl = leg->call->ctl;
	const struct cfg_node *node = ctl->node;
	const struct cfg_agent *a =
	    phone && ctl->tenant ? cfg_agent_find(ctl->tenant, phone) : NULL;
	enum media_srtp_policy p;

	util_copy(leg->signalling, sizeof(leg->signalling), signalling);
	if (!strncmp(signalling, "ws", 2))
		p = MEDIA_SRTP_OFF; /* a browser: DTLS-SRTP keys it, never SDES */
	else if (trunk)
		p = media_srtp_policy_of(trunk->srtp, NULL); /* "": off */
	else if (a && a->srtp[0])
		p = media_srtp_policy_of(a->srtp, NULL);
	else if (phone && node && node->sip_srtp[0])
		p = media_srtp_policy_of(node->sip_srtp, NULL);
	else
		p = !strcmp(signalling, "tls") ? MEDIA_SRTP_OPTIONAL : MEDIA_SRTP_OFF;
	media_stream_srtp_policy(leg->ms, p);
}

static void leg_row(const struct leg *leg, char *sig, size_t sigsz, char *media,
		    size_t mediasz)
{
	if (!leg || !leg->signalling[0])
		return; /* a leg gone keeps what the row said */
	util_copy(sig, sigsz, leg->signalling);
	util_copy(media, mediasz, media_stream_secure(leg->ms) ? "srtp" : "rtp");
}

void call__row_legs(struct call *call)
{
	struct store_call *r = &call->ia.row;

	leg_row(call->caller, r->signalling, sizeof(r->signalling), r->media,
		sizeof(r->media));
	leg_row(call->agent, r->agent_signalling, sizeof(r->agent_signalling),
		r->agent_media, sizeof(r->agent_media));
}

/*
 * Our address toward peer: the source the kernel's routing picks (a UDP
 * socket connected, never used to send). Phones on the network reach it;
 * it is the loopback only for a peer on the loopback.
 */
int call__local_toward(const struct sa *peer, struct sa *local)
{
	struct sa p = *peer;
	socklen_t len = sizeof(local->u);
	int fd, err = 0;

	if (!sa_isset(&p, SA_ADDR))
		return EINVAL;
	if (!sa_port(&p))
		sa_set_port(&p, 5060);
	fd = socket(sa_af(&p), SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;
	sa_init(local, sa_af(&p));
	if (connect(fd, &p.u.sa, p.len) || getsockname(fd, &local->u.sa, &len))
		err = errno;
	else
		local->len = len;
	close(fd);
	return err;
}

/*
 * Says where leg's media is reached (SDP) and writes our host for the
 * From URIs we send on it: media.address when set, else local (the
 * address the peer's signalling uses), else the default route's.
 */
void call__leg_local(struct leg *leg, const struct sa *local, char *host, size_t sz)
{
	struct sa a;

	if (!media_announced(leg->call->ctl->media, &a) && local &&
	    sa_isset(local, SA_ADDR) && !sa_is_any(local))
		a = *local;
	media_stream_announce(leg->ms, &a);
	if (host)
		(void)re_snprintf(host, sz, sa_af(&a) == AF_INET6 ? "[%j]" : "%j", &a);
}

/* --- call lifetime --------------------------------------------------- */

/* The caller's leg was answered (or the call ended before): no longer in
 * set-up. */
static void call_setup_done(struct call *call)
{
	if (!call->in_setup)
		return;
	call->in_setup = false;
	call->ctl->setup--;
}

static void call_destructor(void *arg)
{
	struct call *call = arg;

	call_setup_done(call);
	if (call->le.list)
		call->ctl->callc--;
	list_unlink(&call->le);
	interaction_fini(&call->ia);
	call->trunk = trunk_call_end(call->trunk);
	list_flush(&call->ringing);
	mem_deref(call->outside);
	mem_deref(call->monitor);
	mem_deref(call->mix);
	call__conference_left(call);
	mem_deref(call->agent);
	mem_deref(call->caller);
	mem_deref(call->ivr);
	mem_deref(call->rec);
}

/* An agent leg that never connected goes away: a direct ring gives the
 * agent back; a queue offer was already settled with the engine. */
static void leg_drop(struct leg *leg)
{
	mem_deref(leg); /* a held agent is given back by the destructor */
}

static void ringing_drop(struct call *call)
{
	struct le *le;

	while ((le = list_head(&call->ringing)))
		leg_drop(le->data);
}

void call__moh_start(struct media_stream *s, struct callctl *ctl)
{
	media_stream_play(s, ctl->moh, true);
}

/* The next piece of the call's queue music (or the built-in piece). */
static void call_moh_next(struct call *call)
{
	struct callctl *ctl = call->ctl;
	const struct cfg_queue *q = cfg_queue_find(ctl->tenant, call->ia.row.queue);
	const struct media_playlist *pl =
	    q && q->moh[0] ? media_library_music(ctl->library, q->moh) : NULL;

	if (call->callback)
		return; /* nobody on the line */
	if (!pl) {
		call__moh_start(call->caller->ms, ctl);
		return;
	}
	media_stream_play(call->caller->ms, pl->filev[call->moh_i++ % pl->filec],
			  pl->filec == 1);
}

/*
 * Tells a waiting caller its place in line and the estimated wait: the
 * wait is the place times the queue's average handle time today (3 min
 * before the first is known) divided by the agents staffing it now.
 */
/* The language the caller's queue announces in (the tenant's when the
 * queue is gone after a live change). */
const char *call__queue_language(const struct call *call)
{
	const struct cfg_queue *q = cfg_queue_find(call->ctl->tenant, call->ia.row.queue);

	return q ? q->language : call->ctl->tenant->language;
}

static void call_announce(struct call *call, uint64_t now)
{
	struct callctl *ctl = call->ctl;
	size_t pos = interaction_position(&call->ia);
	char text[96];
	const struct prompt *p;
	struct ivr_action act = {.type = IVR_ACT_PLAY, .file = ""};

	if (!pos)
		return;
	call->ewt_ms = interaction_ewt_ms(&call->ia, now);
	call__said_position(text, sizeof(text), pos, call__queue_language(call));
	act.text = text;
	act.voice = call__queue_language(call);
	p = call__prompt_for(ctl, &act);
	if (!p)
		return;
	call->announce_step = 1;
	media_stream_play(call->caller->ms, p, false);
	interaction_event(&call->ia, EVENT_QUEUE_ANNOUNCED, NULL, "{s:I,s:I}", "position",
			  (long long)pos, "ewt_ms", (long long)call->ewt_ms);
}

/* A prompt or a piece of music ended while the caller waits. */
static void call_queue_play_end(struct call *call)
{
	if (call->callback) {
		call__callback_hangup(call);
		return;
	}
	if (call->announce_step == 1 && call->ewt_ms) {
		char text[96];
		struct ivr_action act = {.type = IVR_ACT_PLAY, .file = "", .text = text};
		const struct prompt *p;

		act.voice = call__queue_language(call);
		call__said_wait(text, sizeof(text), call->ewt_ms, act.voice);
		p = call__prompt_for(call->ctl, &act);
		call->announce_step = 2;
		if (p) {
			media_stream_play(call->caller->ms, p, false);
			return;
		}
	}
	call->announce_step = 0;
	call_moh_next(call);
}

/* The agent leg answered: take the call from the queue, then connect
 * (or, for a callback, call the customer back first). */
void call__bridge(struct call *call, struct leg *agent)
{
	struct callctl *ctl = call->ctl;

	/* A direct call's caller was only told "ringing": answer now. */
	if (!call->caller->answered && !call->callback) {
		if (sipsess_answer(call->caller->sess, 200, "OK", call->caller->answer,
				   "Allow: " ALLOW "\r\n")) {
			call__end(call, "system", 500, "answer failed");
			return;
		}
		call->caller->answered = true;
		call->caller->answer = mem_deref(call->caller->answer);
	}
	list_unlink(&agent->le);
	call->agent = agent;
	if (agent->held) /* an extension call: ringing, now talking */
		acd_connected(ctl->acd, agent->ext, clock_now_ms());
	agent->held = false; /* its capacity is the call's now */
	/* the service takes it from the queue, withdraws the other offers
	 * (their legs stop here) and connects (voice_connect) */
	(void)interaction_accept(&call->ia, agent->ext, agent->rang_at);
}

/* The agent took the call: connect (or, for a callback, call the
 * customer back first). */
static int voice_connect(struct interaction *ia, const char *agent, void *arg)
{
	struct call *call = ia->obj;
	(void)agent;
	(void)arg;

	/* a call out beside another of the agent's: no handling of its own
	 * for the engine (no acd_done when it ends) */
	if (call->uncounted)
		ia->agent[0] = '\0';
	/* A callback: the agent is on the line first, now the customer is
	 * called back; both are connected when the customer answers. */
	if (call->callback) {
		call__dial_back(call);
		return 0;
	}
	call__connect(call);
	return 0;
}

/* The IVR path so far into the row: the flows an overflow started
 * follow the path of the first ("q>greet"). */
static void call_path_save(struct call *call)
{
	snprintf(call->ia.row.ivr_path, sizeof(call->ia.row.ivr_path), "%s%s",
		 call->path_base, ivr_path(call->ivr));
}

/* Opens the call's recording (recordings/YYYY/MM/DD/ID.wav under the
 * data dir) and notes it in the row; NULL when it cannot be written. */
static struct recorder *call_recorder(struct call *call)
{
	char rel[256], path[512], day[16];
	struct recorder *rec = NULL;
	time_t t = (time_t)(clock_now_ms() / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y/%m/%d", &tm);
	snprintf(rel, sizeof(rel), "recordings/%s/%s.wav", day, call->ia.row.id);
	snprintf(path, sizeof(path), "%s/%s", call->ctl->node->data_dir, rel);
	if (recorder_open(&rec, path)) {
		log_error("call: recording failed call=%s file=%s", call->ia.row.id,
			  path);
		return NULL;
	}
	util_copy(call->ia.row.recording, sizeof(call->ia.row.recording), rel);
	return rec;
}

/* Pauses or resumes the call's recording; the stored events are the
 * gaps' record (GET /calls/{id} and the download read them back). */
static int call_rec_pause(struct call *call, bool pause)
{
	uint64_t at;
	int err = recorder_pause(call->rec, pause, &at);

	if (err)
		return err;
	log_info("call: recording %s call=%s at_ms=%llu", pause ? "paused" : "resumed",
		 call->ia.row.id, (unsigned long long)at);
	interaction_event(&call->ia,
			  pause ? EVENT_RECORDING_PAUSED : EVENT_RECORDING_RESUMED,
			  call->agent ? call->agent->ext : NULL, "{s:I,s:s}", "at_ms",
			  (long long)at, "recording", call->ia.row.recording);
	return 0;
}

/* The call's hold on its recording ends (a gap still open ends with the
 * file), before a new bridge opens the same file again. */
static void call_rec_release(struct call *call)
{
	if (recorder_paused(call->rec))
		(void)call_rec_pause(call, false);
	call->rec = mem_deref(call->rec);
}

/* The greeting was said: the caller's message is recorded from now. */
static void call_voicemail_record(struct call *call)
{
	struct recorder *rec = call_recorder(call);

	if (!rec) {
		call__end(call, "system", 500, "voicemail failed");
		return;
	}
	call->vm_started = clock_now_ms();
	media_stream_record(call->caller->ms, rec);
	mem_deref(rec);
	interaction_save(&call->ia);
	log_info("call: recording voicemail call=%s", call->ia.row.id);
}

/* Caller and agent talk: both media bridged through the engine and
 * recorded (left the caller, right the agent). */
void call__connect(struct call *call)
{
	struct leg *agent = call->agent;
	struct recorder *rec;

	/* a phone that dialled out through a trunk was only told "ringing":
	 * the far end answered, so does the phone */
	if (agent->answer && !agent->answered && agent->sess) {
		if (sipsess_answer(agent->sess, 200, "OK", agent->answer,
				   "Allow: " ALLOW "\r\n")) {
			call__end(call, "system", 500, "answer failed");
			return;
		}
		agent->answered = true;
		agent->answer = mem_deref(agent->answer);
	}
	call->state = CALL_BRIDGED;
	call->desk_hold = false;
	util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome), "answered");

	/* a transfer's second bridge: the first recorder closes the file
	 * before this one opens it again */
	call_rec_release(call);
	rec = call_recorder(call);

	media_stream_silence(call->caller->ms);
	media_stream_silence(agent->ms);
	media_bridge(call->caller->ms, agent->ms, rec);
	call->rec = rec;
	call__row_legs(call);
	interaction_save(&call->ia);
	interaction_event(&call->ia, EVENT_CALL_ANSWERED, agent->ext, "{s:I}", "wait_ms",
			  (long long)(call->ia.from_queue
					  ? call->ia.row.answered - call->ia.row.queued
					  : 0));
	log_info("call: answered call=%s agent=%s", call->ia.row.id, agent->ext);
}

void call__end(struct call *call, const char *side, int cause, const char *reason)
{
	struct callctl *ctl = call->ctl;

	if (call->state == CALL_ENDED)
		return;
	call->ia.row.ended = clock_now_ms();
	switch (call->state) {
	case CALL_IVR:
		/* an answered call that went on into a flow (a survey) stays
		 * answered */
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  call->ia.row.answered	    ? "answered"
			  : !strcmp(side, "caller") ? "abandoned_ivr"
						    : "ivr_hangup");
		break;
	case CALL_QUEUED:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  !strcmp(side, "caller")    ? "abandoned_queue"
			  : call->ia.exit_outcome[0] ? call->ia.exit_outcome
						     : "failed");
		break;
	case CALL_DIRECT:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  !strcmp(side, "caller") ? "abandoned" : "failed");
		break;
	case CALL_BRIDGED:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome), "answered");
		break;
	case CALL_CALLBACK:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  call->outbound ? "dial_failed" : "callback_failed");
		break;
	case CALL_FEATURE:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome), "feature");
		break;
	case CALL_VOICEMAIL:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  call->vm_started ? "voicemail" : "abandoned_ivr");
		if (call->vm_started)
			interaction_event(
			    &call->ia, EVENT_CALL_VOICEMAIL, NULL, "{s:I,s:s}", "ms",
			    (long long)(call->ia.row.ended - call->vm_started),
			    "recording", call->ia.row.recording);
		break;
	case CALL_CONFERENCE:
		util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
			  "conference");
		call__conference_left(call); /* told before call.ended */
		break;
	case CALL_ENDED:
		break;
	}
	if (call->survey && call->ivr) {
		/* the post-call survey's answer: the first key 1-5 pressed */
		const char *d = ivr_digits(call->ivr);
		while (*d && (*d < '1' || *d > '5'))
			d++;
		if (*d)
			interaction_event(&call->ia, EVENT_CALL_RATED, NULL, "{s:i,s:s}",
					  "score", *d - '0', "by", "ivr");
	}
	if (call->ivr) {
		call_path_save(call);
		if (!call->survey) /* the survey's key is its score, not a choice */
			util_copy(call->ia.row.digits, sizeof(call->ia.row.digits),
				  ivr_digits(call->ivr));
	}
	call__row_legs(call);
	if (recorder_paused(call->rec)) /* the gap ends with the file */
		(void)call_rec_pause(call, false);
	call->state = CALL_ENDED;
	if (call->monitor) /* the supervisor goes with the call (BYE) */
		call__monitor_gone(call->monitor, 0);
	if (call->agent)
		media_unbridge(call->caller->ms);
	/* queue.abandoned or queue.completed and wrap-up, agents still
	 * ringing freed (their legs cancelled), the row, call.ended */
	interaction_end(&call->ia, side, cause, reason);
	log_info("call: ended call=%s outcome=%s side=%s reason=%s", call->ia.row.id,
		 call->ia.row.outcome, side, reason);

	/* Unanswered caller leg: reject before dropping it. */
	if (call->caller && call->caller->sess && !call->caller->answered &&
	    !call->caller->closed)
		sipsess_reject(call->caller->sess, cause >= 400 ? (uint16_t)cause : 480,
			       cause >= 400 ? reason : "Temporarily Unavailable", NULL);
	mem_deref(call);
	/* An agent may be free now. */
	interaction_route(ctl->ias);
}

/* --- SIP handlers ---------------------------------------------------- */

/* RFC 2976 INFO with a digit: "application/dtmf-relay" (Signal=5) or
 * "application/dtmf" (the digit alone). ENOENT when it carries none. */
int callctl__info_digit(const struct sip_msg *msg, char *digitp)
{
	const char *body, *p, *end;
	char d = 0;

	if (!msg || !msg->mb || !mbuf_get_left(msg->mb))
		return ENOENT;
	body = (const char *)mbuf_buf(msg->mb);
	end = body + mbuf_get_left(msg->mb);
	if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
		/* "Signal=5" on a line of its own, any case */
		for (p = body; p + 7 <= end; p++) {
			if ((p == body || p[-1] == '\n') &&
			    !strncasecmp(p, "Signal=", 7)) {
				p += 7;
				while (p < end && *p == ' ')
					p++;
				if (p < end)
					d = *p;
				break;
			}
		}
	} else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
		for (p = body; p < end && (*p == ' ' || *p == '\r' || *p == '\n'); p++)
			;
		if (p < end)
			d = *p;
	}
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	if (!d || !strchr("0123456789*#ABCD", d))
		return ENOENT;
	*digitp = d;
	return 0;
}

void call__info_handler(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;

	char d;

	(void)sip_reply(sip, msg, 200, "OK");
	if (!callctl__info_digit(msg, &d))
		media_event(leg->ms, MEDIA_EVT_DIGIT, d, leg);
}

int call__offer_handler(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *call = leg->call;
	struct leg *other;
	bool was_held = media_stream_held(leg->ms);
	int err;

	err = media_stream_answer(leg->ms, msg->mb, descp);
	if (err)
		return err;
	/* Hold (RFC 3264 §8.4): the other side hears music meanwhile. */
	other = leg == call->caller ? call->agent : call->caller;
	if (call->state == CALL_BRIDGED && other &&
	    was_held != media_stream_held(leg->ms)) {
		bool held = media_stream_held(leg->ms);
		if (held)
			call__moh_start(other->ms, call->ctl);
		else if (!call->desk_hold)
			media_stream_silence(other->ms);
		interaction_event(&call->ia, held ? EVENT_CALL_HELD : EVENT_CALL_RESUMED,
				  call->agent ? call->agent->ext : NULL, "{s:s}", "by",
				  leg == call->caller ? "caller" : "agent");
	}
	return 0;
}

int call__answer_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	return media_stream_accept(leg->ms, msg->mb);
}

void call__estab_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *call = leg->call;

	leg->answered = true;
	if (leg->role == LEG_MONITOR) {
		call__monitor_answered(leg);
		return;
	}
	if (leg->role == LEG_CALLER)
		call_setup_done(call);
	if (leg->role == LEG_AGENT && call->agent != leg)
		call__bridge(call, leg);
	else if (leg->role == LEG_OUTSIDE)
		call__outside_answered(call, leg);
	else if (leg->role == LEG_CALLER && call->state == CALL_CALLBACK) {
		log_info("call: callback answered call=%s", call->ia.row.id);
		call__connect(call);
	}
}

void call__progress_handler(const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;

	(void)msg;
	leg->progress = true;
}

/*
 * The caller goes (on) into a flow: an overflow, or a transfer to a
 * post-call survey. The IVR path goes on from where it was.
 */
void call__run_flow(struct call *call, const struct cfg_flow *flow, uint64_t now)
{
	struct ivr_action act = {0};

	if (call->ia.row.ivr_path[0])
		snprintf(call->path_base, sizeof(call->path_base), "%.190s>",
			 call->ia.row.ivr_path);
	call->ivr = mem_deref(call->ivr);
	if (!flow || ivr_session_alloc(&call->ivr, flow, call->ctl->tenant)) {
		call__end(call, "system", 500, "flow failed");
		return;
	}
	call->state = CALL_IVR;
	call->survey = flow->survey;
	media_stream_silence(call->caller->ms);
	ivr_start(call->ivr, now, &act);
	ivr_do(call, &act);
}

/* A ringing agent did not take the call (rejected, failed, timed out):
 * a miss for the ACD (next agent, auto-pause), and the leg goes. */
static void leg_missed(struct leg *leg, int code)
{
	interaction_missed(&leg->call->ia, leg->ext, code, leg->rang_at);
	leg_drop(leg);
}

void call__close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *call = leg->call;
	int code = msg ? msg->scode : 0;

	leg->closed = true;
	if (leg->role == LEG_CALLER && !leg->answered && call->dialled[0] &&
	    call->state == CALL_CALLBACK) {
		/* out through a trunk: the next one, or the call fails */
		call__trunk_failed(call, code, err);
		return;
	}
	if (leg->role == LEG_OUTSIDE && leg == call->outside) {
		/* a transfer's outside leg, before it answered */
		call__trunk_failed(call, code, err);
		return;
	}
	if (leg->role == LEG_MONITOR) {
		call__monitor_gone(leg, code);
		return;
	}
	if (leg->role == LEG_CALLER && err == ETIMEDOUT && !msg) {
		/* RFC 3261 §13.3.1.4: our 2xx was never ACKed in 64*T1;
		 * libre sends the BYE. Not the caller's hang-up. */
		call__end(call, "system", 408, "no ACK");
		return;
	}
	if (leg->role == LEG_CALLER) {
		/* BYE before or after answer, or CANCEL while ringing */
		call__end(call, "caller", leg->answered ? 0 : 487,
			  leg->answered ? "BYE" : "CANCEL");
		return;
	}

	if (leg == call->agent) {
		call__end(call, "agent", code, code ? "error" : "BYE");
		return;
	}

	/* A ringing agent leg failed: busy, unavailable, declined, timeout. */
	log_info("call: agent did not take call=%s agent=%s code=%d err=%s",
		 call->ia.row.id, leg->ext, code, err ? strerror(err) : "");
	leg_missed(leg, code);
	if (call->state == CALL_DIRECT) {
		call__end(call, "agent", code ? code : 480,
			  code == 486 ? "Busy Here" : "no answer");
		return;
	}
	interaction_route(call->ctl->ias);
}

/* --- media events ---------------------------------------------------- */

static void media_event(struct media_stream *s, enum media_evt evt, char digit, void *arg)
{
	struct leg *leg = arg;
	struct call *call = leg->call;
	struct ivr_action act = {0};

	/* the recording notice plays whole: no key cuts it short */
	if (call->notice_playing && leg->role == LEG_CALLER &&
	    evt != MEDIA_EVT_RTP_TIMEOUT) {
		if (evt == MEDIA_EVT_PLAY_END)
			call_notice_done(call);
		return;
	}
	if (call->state == CALL_CONFERENCE && leg->role == LEG_CALLER &&
	    evt != MEDIA_EVT_RTP_TIMEOUT) {
		if (evt == MEDIA_EVT_DIGIT)
			call__conference_digit(call, digit);
		else
			call__conference_played(call);
		return;
	}
	switch (evt) {
	case MEDIA_EVT_DIGIT:
		/* the queue's exit key, while waiting */
		if (leg->role == LEG_CALLER && call->state == CALL_QUEUED &&
		    call->ia.item) {
			log_debug("call: digit in queue call=%s digit=%c",
				  call->ia.row.id, digit);
			struct callctl *ctl = call->ctl;

			if (call__callback_key(call, digit))
				return;
			/* the exit may end the call: only ctl is used after */
			if (acd_key(ctl->acd, call->ia.item, digit, clock_now_ms()))
				interaction_route(ctl->ias);
			return;
		}
		/* # ends a voicemail message */
		if (leg->role == LEG_CALLER && call->state == CALL_VOICEMAIL) {
			if (call->vm_started && digit == '#')
				call__end(call, "caller", 0, "voicemail done");
			return;
		}
		if (leg->role != LEG_CALLER || call->state != CALL_IVR)
			return;
		log_debug("call: digit call=%s digit=%c", call->ia.row.id, digit);
		if (call->barge)
			media_stream_silence(leg->ms);
		ivr_digit(call->ivr, digit, clock_now_ms(), &act);
		ivr_do(call, &act);
		break;
	case MEDIA_EVT_PLAY_END:
		if (call->state == CALL_FEATURE) {
			call__end(call, "system", 0, "feature code done");
			return;
		}
		if (leg->role == LEG_CALLER && call->state == CALL_QUEUED) {
			call_queue_play_end(call);
			return;
		}
		if (leg->role == LEG_CALLER && call->state == CALL_VOICEMAIL) {
			if (!call->vm_started)
				call_voicemail_record(call);
			return;
		}
		if (leg->role != LEG_CALLER || call->state != CALL_IVR)
			return;
		ivr_prompt_done(call->ivr, clock_now_ms(), &act);
		ivr_do(call, &act);
		break;
	case MEDIA_EVT_RTP_TIMEOUT:
		if (leg->role == LEG_MONITOR) { /* the supervisor's phone went */
			call__monitor_gone(leg, 408);
			return;
		}
		if (media_stream_failure(leg->ms)) {
			/* a browser's ICE or DTLS (the agent is freed) */
			log_warn(
			    "call: WebRTC media failed call=%s leg=%s: %s, hanging up",
			    call->ia.row.id, leg->role == LEG_CALLER ? "caller" : "agent",
			    media_stream_failure(leg->ms));
			call__end(call, "system", 408, media_stream_failure(leg->ms));
			break;
		}
		log_warn("call: no RTP call=%s leg=%s, hanging up", call->ia.row.id,
			 leg->role == LEG_CALLER ? "caller" : "agent");
		call__end(call, "system", 408, "rtp timeout");
		break;
	}
}

/* --- IVR and routing -------------------------------------------------- */

/*
 * The call waits in queue with priority: music or the queue's
 * announcements, the keys it listens for, then the service's queue
 * entry. A rule may refuse it at once (full, nobody logged in): then the
 * rule's target was followed, or the call ended, before this returns.
 * Routing is left to the caller (interaction_route).
 */
void call__enter_queue(struct call *call, const char *queue, int priority)
{
	struct callctl *ctl = call->ctl;
	const struct cfg_queue *q = cfg_queue_find(ctl->tenant, queue);

	/* the recording-consent announcement before the caller waits */
	if (q && call->caller && !call->callback &&
	    call_notice(call, q->recording_notice, queue_language_of(ctl->tenant, q))) {
		util_copy(call->notice_queue, sizeof(call->notice_queue), queue);
		call->notice_priority = priority;
		return;
	}
	call->state = CALL_QUEUED;
	util_copy(call->ia.row.queue, sizeof(call->ia.row.queue), queue);
	call->announce_step = 0;
	call->announce_at = q && q->announce_ms ? clock_now_ms() + ANNOUNCE_FIRST : 0;
	call_moh_next(call);
	/* digits matter while waiting only for an exit key */
	media_stream_detect(call->caller->ms, q && (q->exit_key || q->callback_key));
	(void)interaction_enqueue(&call->ia, queue, priority);
}

static void ivr_do(struct call *call, const struct ivr_action *act)
{
	struct callctl *ctl = call->ctl;
	const struct prompt *p;

	switch (act->type) {
	case IVR_ACT_NONE:
		/* in-band DTMF is detected only while a menu listens */
		media_stream_detect(call->caller->ms, ivr_wants_digits(call->ivr));
		break;
	case IVR_ACT_PLAY:
		media_stream_detect(call->caller->ms, ivr_wants_digits(call->ivr));
		p = call__prompt_for(ctl, act);
		call->barge = act->barge;
		if (!p) {
			/* Not prepared at start-up: skip it rather than stall. */
			struct ivr_action next = {0};
			log_warn("ivr: no prompt for \"%.40s\" call=%s",
				 act->text ? act->text : act->file, call->ia.row.id);
			ivr_prompt_done(call->ivr, clock_now_ms(), &next);
			ivr_do(call, &next);
			return;
		}
		media_stream_play(call->caller->ms, p, false);
		break;
	case IVR_ACT_QUEUE:
		call_path_save(call);
		util_copy(call->ia.row.digits, sizeof(call->ia.row.digits),
			  ivr_digits(call->ivr));
		call__enter_queue(call, act->target, act->priority);
		interaction_route(ctl->ias);
		break;
	case IVR_ACT_TRANSFER:
		call_path_save(call);
		util_copy(call->ia.row.digits, sizeof(call->ia.row.digits),
			  ivr_digits(call->ivr));
		call->state = CALL_DIRECT;
		util_copy(call->direct, sizeof(call->direct), act->target);
		call__moh_start(call->caller->ms, ctl);
		media_stream_detect(call->caller->ms, false);
		if (call__ring_direct(call, act->target))
			call__end(call, "system", 480, "extension unavailable");
		break;
	case IVR_ACT_HANGUP:
		call__end(call, "system", 0, "ivr hangup");
		break;
	case IVR_ACT_VOICEMAIL:
		call_path_save(call);
		util_copy(call->ia.row.digits, sizeof(call->ia.row.digits),
			  ivr_digits(call->ivr));
		call->state = CALL_VOICEMAIL;
		call->vm_started = 0;
		call->vm_max_ms = act->max_ms;
		media_stream_detect(call->caller->ms, true);
		p = call__prompt_for(ctl, act);
		if (p)
			media_stream_play(call->caller->ms, p, false);
		else
			call_voicemail_record(call);
		break;
	}
}

/* s as the inside of a quoted-string (RFC 3261 §25.1): '"' and '\\' as
 * quoted-pairs, so a name with quotes is sent as it is. */
static void quoted(char *out, size_t sz, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 2 < sz; s++) {
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
	util_utf8_trim(out);
}

/* Rings one agent's phone for call: a new leg offering our media. */
/*
 * Calls ext's registered phone for call with a new leg of role (its
 * From the caller's name, else number). The leg is the caller's on success; the
 * session's handlers are the controller's.
 */
int call__leg_invite(struct call *call, const char *ext, enum leg_role role,
		     struct leg **legp)
{
	struct callctl *ctl = call->ctl;
	struct registrar_contact c;
	struct leg *leg = NULL;
	struct mbuf *offer = NULL;
	char from[192], name[2 * sizeof(call->ia.row.caller_name)], host[64];
	struct sa src, local, peer;
	int err;

	err = registrar_contact(ctl->reg, ext, &c);
	if (err) {
		log_info("call: agent not registered call=%s agent=%s", call->ia.row.id,
			 ext);
		return err;
	}
	err = call__leg_alloc(&leg, call, role);
	if (err)
		return err;
	util_copy(leg->ext, sizeof(leg->ext), ext);
	util_copy(leg->source, sizeof(leg->source), c.source);
	sa_init(&src, AF_UNSPEC);
	/* over what the phone registered on: SRTP offered to it over TLS */
	call__leg_carried(leg, NULL, c.transport[0] ? c.transport : "udp", ext);
	/* the phone reaches us where its REGISTER's source routes from (a
	 * browser's own address, not its WebSocket relay's loopback) */
	if (sa_decode(&src, c.source, strlen(c.source)) ||
	    call__local_toward(sipws_peer(&src, &peer) ? &peer : &src, &local))
		sa_init(&local, AF_UNSPEC);
	call__leg_local(leg, &local, host, sizeof(host));
	if (!sa_isset(&call->local, SA_ADDR))
		call->local = local; /* click-to-call: its callee's fallback */
	/* a browser's phone (SIP over WebSocket) takes WebRTC media only */
	if (sa_isset(&src, SA_ADDR) && sipws_peer(&src, NULL)) {
		call__leg_carried(leg, NULL, "ws", ext);
		err = media_stream_webrtc(leg->ms);
	}
	if (!err)
		err = media_stream_offer(leg->ms, &offer);
	if (err)
		goto out;
	snprintf(from, sizeof(from), "sip:%s@%s",
		 call->ia.row.caller[0] ? call->ia.row.caller : "anonymous", host);
	/* the agent's phone shows the caller's own name when it sent one */
	quoted(name, sizeof(name),
	       call->ia.row.caller_name[0] ? call->ia.row.caller_name
					   : call->ia.row.caller);
	err = sipsess_connect(&leg->sess, ctl->sock, c.uri, name, from, "hotline", NULL,
			      0, "application/sdp", offer, NULL, NULL, false,
			      call__offer_handler, call__answer_handler,
			      call__progress_handler, call__estab_handler,
			      call__info_handler, call__refer_handler,
			      call__close_handler, leg, "Allow: " ALLOW "\r\n");
	if (err)
		log_warn("call: cannot ring agent=%s uri=%s: %s", ext, c.uri,
			 strerror(err));
out:
	mem_deref(offer);
	if (err)
		mem_deref(leg);
	else
		*legp = leg;
	return err;
}

static int leg_ring_agent(struct call *call, const char *ext)
{
	struct leg *leg = NULL;
	int err;

	err = call__leg_invite(call, ext, LEG_AGENT, &leg);
	if (err)
		return err;
	leg->rang_at = clock_now_ms();
	list_append(&call->ringing, &leg->le, leg);
	{
		/* what the agent's desktop shows while it rings */
		interaction_event(
		    &call->ia, EVENT_AGENT_RINGING, ext,
		    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "caller", call->ia.row.caller,
		    "caller_name", call->ia.row.caller_name, "called",
		    call->ia.row.called, "ivr_path", call->ia.row.ivr_path, "customer",
		    call->ia.row.customer, "customer_name", call->ia.customer_name,
		    "customer_tier", call->ia.customer_tier, "customer_ext",
		    call->ia.customer_ext);
	}
	log_info("call: ringing call=%s agent=%s", call->ia.row.id, ext);
	return 0;
}

/* Rings an extension directly (not through a queue): the agent is busy
 * for the ACD while it rings. EBUSY: it is on a call already. */
int call__ring_direct(struct call *call, const char *ext)
{
	struct callctl *ctl = call->ctl;
	struct leg *leg;
	int err;

	err = acd_busy(ctl->acd, ext, ACD_VOICE, true, clock_now_ms());
	if (err) {
		log_info("call: extension busy call=%s agent=%s", call->ia.row.id, ext);
		return err;
	}
	err = leg_ring_agent(call, ext);
	if (err) {
		acd_done(ctl->acd, ext, ACD_VOICE, NULL, clock_now_ms());
		return err;
	}
	leg = list_tail(&call->ringing)->data;
	leg->held = true;
	return 0;
}

/* --- the ACD's handlers ----------------------------------------------- */

/* The service offers a waiting call to an agent: ring its phone. */
static int voice_offer(struct interaction *ia, const char *agent, void *arg)
{
	(void)arg;
	return leg_ring_agent(ia->obj, agent);
}

/* The offers are void: the legs still ringing are cancelled. */
static void voice_withdraw(struct interaction *ia, void *arg)
{
	(void)arg;
	ringing_drop(ia->obj);
}

/* The queue's ring timeout passed at agent: its leg is cancelled (the
 * service counts the miss). */
static void voice_retract(struct interaction *ia, const char *agent, void *arg)
{
	struct call *call = ia->obj;
	(void)arg;

	for (struct le *le = list_head(&call->ringing); le; le = le->next) {
		struct leg *leg = le->data;

		if (!strcmp(leg->ext, agent)) {
			log_info("call: ring timeout call=%s agent=%s", ia->row.id,
				 agent);
			leg_drop(leg); /* sends CANCEL */
			return;
		}
	}
}

/* An agent's phone registered, or one of its bindings ended: a call
 * waiting for it is offered now, not at the next arrival or change. */
static void phone_changed(const char *ext, bool registered, void *arg)
{
	struct callctl *ctl = arg;
	(void)registered;

	if (!ctl->closing)
		interaction_agent_reachable(ctl->ias, ext);
}

/* A phone is registered for the agent. */
static bool voice_reachable(const char *agent, void *arg)
{
	struct callctl *ctl = arg;
	struct registrar_contact c;

	return !registrar_contact(ctl->reg, agent, &c);
}

/* A queue rule sends the call on: a callback, an extension, a flow. */
static int voice_divert(struct interaction *ia, const char *to, void *arg)
{
	struct call *call = ia->obj;
	struct callctl *ctl = arg;

	if (!strcmp(to, "callback")) {
		if (!call->contact[0] || call->callback)
			return ENOTSUP;
		call__callback_overflow(call, ia->row.queue);
	} else if (!strncmp(to, "extension:", 10)) {
		call->state = CALL_DIRECT;
		util_copy(call->direct, sizeof(call->direct), to + 10);
		media_stream_detect(call->caller->ms, false);
		if (call__ring_direct(call, to + 10))
			call__end(call, "system", 480, "overflow extension unavailable");
	} else if (!strncmp(to, "flow:", 5)) {
		call__run_flow(call, cfg_flow_find(ctl->tenant, to + 5), clock_now_ms());
	} else {
		return ENOTSUP;
	}
	return 0;
}

static void voice_close(struct interaction *ia, const char *reason, void *arg)
{
	(void)arg;
	call__end(ia->obj, "system", ia->exit_outcome[0] ? 0 : 500, reason);
}

/* Does the controller hold a call for agent ext (talking or ringing)? */
static bool voice_holds(const char *ext, void *arg)
{
	const struct callctl *ctl = arg;
	struct le *le, *rle;

	LIST_FOREACH(&ctl->calls, le)
	{
		const struct call *call = le->data;
		if (call->agent && !strcmp(call->agent->ext, ext))
			return true;
		if (call->monitor && call->monitor->held &&
		    !strcmp(call->monitor->ext, ext))
			return true;
		LIST_FOREACH(&call->ringing, rle)
		{
			const struct leg *leg = rle->data;
			if (!strcmp(leg->ext, ext))
				return true;
		}
	}
	return false;
}

static const struct interaction_ops voice_ops = {
    .name = "call",
    .offer = voice_offer,
    .withdraw = voice_withdraw,
    .retract = voice_retract,
    .connect = voice_connect,
    .divert = voice_divert,
    .close = voice_close,
    .reachable = voice_reachable,
    .holds = voice_holds,
};

/* The one timer for every call: IVR timeouts, ring timeouts, dispatch. */
static void sweep_handler(void *arg)
{
	struct callctl *ctl = arg;
	uint64_t now = clock_now_ms();
	struct le *le;

	tmr_start(&ctl->sweep, SWEEP_MS, sweep_handler, ctl);

	le = list_head(&ctl->calls);
	while (le) {
		struct call *call = le->data;
		struct le *rle;

		le = le->next;
		if (call->state == CALL_IVR && call->ivr) {
			uint64_t dl = ivr_deadline(call->ivr);
			if (dl && now >= dl) {
				struct ivr_action act = {0};
				ivr_tick(call->ivr, now, &act);
				ivr_do(call, &act);
				continue; /* call may be gone */
			}
		}
		/* A voicemail message at its longest. */
		if (call->state == CALL_VOICEMAIL && call->vm_started &&
		    now >= call->vm_started + call->vm_max_ms) {
			call__end(call, "system", 0, "voicemail full");
			continue;
		}
		/* A trunk that stays silent: the next one. */
		if (call__trunk_silent(call, now))
			continue;
		/* A customer called back who does not answer. */
		if (call->state == CALL_CALLBACK &&
		    now > call->callback_at + CALLBACK_RING_MS) {
			call__end(call, "system", 408, "callback no answer");
			continue;
		}
		/* Time to tell the caller where it stands. */
		if (call->state == CALL_QUEUED && call->ia.item && call->announce_at &&
		    now >= call->announce_at && !call->announce_step && !call->callback) {
			const struct cfg_queue *q =
			    cfg_queue_find(ctl->tenant, call->ia.row.queue);
			call->announce_at =
			    q && q->announce_ms ? now + q->announce_ms : 0;
			call_announce(call, now);
		}
		/* Ring timeout of an extension ringing directly (a queue's
		 * offers time out in the interaction service) */
		rle = call->state == CALL_QUEUED ? NULL : list_head(&call->ringing);
		while (rle) {
			struct leg *leg = rle->data;

			rle = rle->next;
			if (now < leg->rang_at + DIRECT_RING_MS)
				continue;
			log_info("call: ring timeout call=%s agent=%s", call->ia.row.id,
				 leg->ext);
			leg_missed(leg, 408); /* sends CANCEL */
			if (call->state == CALL_DIRECT) {
				call__end(call, "system", 408, "no answer");
				break;
			}
		}
	}
}

/* --- inbound INVITE -------------------------------------------------- */

/* The display name of From (RFC 3261 §25.1: a quoted-string with its
 * quoted-pairs undone, or the tokens before '<'), "" when there is none
 * or it is not text of at most 63 characters: then it is left out (and
 * logged), never rewritten. */
static void from_name(const struct sip_msg *msg, char *out, size_t sz)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_FROM);
	const char *p, *end, *lt, *why;
	size_t o = 0;

	out[0] = '\0';
	if (!h)
		return;
	p = h->val.p;
	end = p + h->val.l;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"' && o + 1 < sz; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			out[o++] = *p;
		}
		if (p >= end || *p != '"')
			o = 0; /* not closed, or too long */
	} else {
		lt = memchr(p, '<', (size_t)(end - p));
		while (lt && lt > p && (lt[-1] == ' ' || lt[-1] == '\t'))
			lt--;
		if (lt && (size_t)(lt - p) < sz) {
			memcpy(out, p, (size_t)(lt - p));
			o = (size_t)(lt - p);
		}
	}
	out[o] = '\0';
	if (o && util_text_check(out, 63, 0, &why)) {
		log_warn("call: the caller's display name left out: %s", why);
		out[0] = '\0';
	}
}

/* A number from the network (a URI's user part) is text and nothing that
 * would break the From we write with it (quotes, brackets, spaces): else
 * the INVITE is refused (400), never rewritten. */
static bool number_ok(const char *n, const char *what, const struct sip_msg *msg,
		      struct callctl *ctl)
{
	const char *why = "a quote, bracket or space";

	if (!util_text_check(n, 0, 0, &why) && !strpbrk(n, "\"\\<> "))
		return true;
	log_warn("call: refused: the %s number is not text: %s", what, why);
	(void)sip_treply(NULL, ctl->sip, msg, 400, "Bad Request (Number Not Text)");
	return false;
}

/* A new call; msg is the INVITE that starts it, or NULL for one that
 * hotline places itself (click-to-call). */
int call__alloc(struct call **callp, struct callctl *ctl, const struct sip_msg *msg)
{
	struct call *call = mem_zalloc(sizeof(*call), call_destructor);
	int err;

	if (!call)
		return ENOMEM;
	call->ctl = ctl;
	interaction_init(&call->ia, ctl->ias, call, ACD_VOICE,
			 msg ? INTERACTION_INBOUND : INTERACTION_OUTBOUND);
	if (!msg)
		goto legs;
	pl_strcpy(&msg->from.uri.user, call->ia.row.caller, sizeof(call->ia.row.caller));
	pl_strcpy(&msg->uri.user, call->ia.row.called, sizeof(call->ia.row.called));
	/* checked as text by conn_handler (events are JSON through jansson:
	 * nothing is rewritten) */
	from_name(msg, call->ia.row.caller_name, sizeof(call->ia.row.caller_name));
	{
		const struct sip_hdr *ch = sip_msg_hdr(msg, SIP_HDR_CONTACT);
		struct sip_addr addr;
		if (ch && !sip_addr_decode(&addr, &ch->val))
			pl_strcpy(&addr.auri, call->contact, sizeof(call->contact));
	}
	call->local = msg->dst;
legs:
	err = call__leg_alloc(&call->caller, call, LEG_CALLER);
	if (err) {
		mem_deref(call);
		return err;
	}
	call__leg_local(call->caller, &call->local, NULL, 0);
	if (msg)
		call__leg_carried(call->caller, NULL, msg_transp(msg), NULL);
	list_append(&ctl->calls, &call->le, call);
	ctl->callc++;
	*callp = call;
	return 0;
}

/* Answers (200 with desc) or starts ringing (180) the caller's INVITE:
 * one place for the session handlers every caller leg uses. */
int call__accept(struct call *call, const struct sip_msg *msg, uint16_t code,
		 const char *reason, struct mbuf *desc)
{
	return sipsess_accept(&call->caller->sess, call->ctl->sock, msg, code, reason,
			      "hotline", "application/sdp", desc, NULL, NULL, false,
			      call__offer_handler, call__answer_handler,
			      call__estab_handler, call__info_handler,
			      call__refer_handler, call__close_handler, call->caller,
			      "Allow: " ALLOW "\r\n");
}

static const char *const refuse_names[CALLCTL_REFUSE_COUNT] = {"calls", "setup", "lag"};

const char *callctl_refuse_name(enum callctl_refuse r)
{
	return (unsigned)r < CALLCTL_REFUSE_COUNT ? refuse_names[r] : "?";
}

uint64_t callctl_refused(const struct callctl *ctl, enum callctl_refuse r)
{
	return ctl && (unsigned)r < CALLCTL_REFUSE_COUNT ? ctl->refused[r] : 0;
}

uint64_t callctl_srtp_failures(const struct callctl *ctl)
{
	return ctl ? media_srtp_failures(ctl->media) : 0;
}

/*
 * Admission control: a new INVITE is refused with 503 and Retry-After
 * (RFC 3261 §21.5.4, §20.33) when we are at max_calls, when max_setup
 * calls are still being set up, or when the main loop lags past max_lag.
 * Taking it anyway would only slow the calls in progress: their
 * retransmissions and timers would wait behind it, and fail. The caller
 * (a trunk, a proxy) retries later or elsewhere. One log line a second
 * at most; every refusal counts in the metrics. False after the 503.
 */
static bool call_admit(struct callctl *ctl, const struct sip_msg *msg)
{
	const struct cfg_node *node = ctl->node;
	uint32_t lag = media_lag_ms(ctl->media);
	enum callctl_refuse why;
	uint64_t now;

	if (ctl->callc >= node->max_calls)
		why = CALLCTL_REFUSE_CALLS;
	else if (node->max_setup && ctl->setup >= node->max_setup)
		why = CALLCTL_REFUSE_SETUP;
	else if (node->max_lag_ms && lag > node->max_lag_ms)
		why = CALLCTL_REFUSE_LAG;
	else
		return true;

	ctl->refused[why]++;
	ctl->refused_unlogged++;
	(void)sip_treplyf(NULL, NULL, ctl->sip, msg, false, 503, "Service Unavailable",
			  "Retry-After: %u\r\nContent-Length: 0\r\n\r\n",
			  node->retry_after);
	now = clock_mono_ms();
	if (now >= ctl->refused_logged_ms + 1000) {
		log_warn("call: refusing new calls reason=%s calls=%u setup=%u lag=%ums "
			 "refused=%llu retry_after=%us",
			 refuse_names[why], ctl->callc, ctl->setup, lag,
			 (unsigned long long)ctl->refused_unlogged, node->retry_after);
		ctl->refused_unlogged = 0;
		ctl->refused_logged_ms = now;
	}
	return false;
}

/*
 * A phone or a trusted address dialling a number that is none of ours is
 * dialling out (a trunk will carry it, issue 15): the dial guard decides
 * first, with the agent's class, or the trusted network's (a network
 * without one is trusted for inbound calls only). False after a 403.
 */
static bool outbound_allowed(struct callctl *ctl, const struct sip_msg *msg,
			     const char *ext, const char *called,
			     enum safe_dial_class *cls)
{
	struct safe_dial_verdict v;
	char ip[64], source[96];
	struct safe_dial_req dr = {.agent = ext[0] ? ext : NULL,
				   .addr = ext[0] ? NULL : ip,
				   .number = called,
				   .source = source};

	if (sa_ntop(&msg->src, ip, sizeof(ip)))
		util_copy(ip, sizeof(ip), "?");
	snprintf(source, sizeof(source), "%s:%s", ext[0] ? "agent" : "address",
		 ext[0] ? ext : ip);
	if (!safe_dial_check(&dr, clock_now_ms(), &v)) {
		*cls = v.cls;
		return true;
	}
	safe_dial_audit(interaction_svc_store(ctl->ias), source, ext[0] ? ext : ip, &v);
	(void)sip_treply(NULL, ctl->sip, msg, 403, "Forbidden (Dialing Class)");
	return false;
}

static void conn_handler(const struct sip_msg *msg, void *arg)
{
	struct callctl *ctl = arg;
	char called[64], caller[64], masked[32], ext[CFG_EXT] = "";
	const struct cfg_number *num = NULL;
	const struct cfg_agent *agent;
	const struct cfg_trunk *trunk;
	struct cfg_number did_num;
	const char *did_queue = NULL;
	struct trunk *in_trunk = NULL;
	struct call *call = NULL;
	struct mbuf *answer = NULL;
	bool has_offer = mbuf_get_left(msg->mb) > 0;
	int err;

	pl_strcpy(&msg->uri.user, called, sizeof(called));
	pl_strcpy(&msg->from.uri.user, caller, sizeof(caller));
	if (!number_ok(called, "called", msg, ctl) ||
	    !number_ok(caller, "caller", msg, ctl))
		return;

	if (!call_admit(ctl, msg))
		return;

	/* A carrier's trunk (its proxy, or its networks) calls its DIDs and
	 * the tenant's numbers, never out; trusted networks call numbers
	 * freely; phones prove who they are with digest auth (RFC 3261
	 * §22.3). */
	trunk = trunks_from(ctl->trunks, &msg->src);
	/* a carrier calling the Contact we registered says the DID in To */
	if (trunk && trunk->username[0] && !strcmp(called, trunk->username)) {
		pl_strcpy(&msg->to.uri.user, called, sizeof(called));
		if (!number_ok(called, "called (To)", msg, ctl))
			return;
	}
	if (trunk) {
		const struct cfg_did *did = cfg_did_find(trunk, called);

		if (did && did->flow[0]) {
			memset(&did_num, 0, sizeof(did_num));
			util_copy(did_num.number, sizeof(did_num.number), did->number);
			util_copy(did_num.flow, sizeof(did_num.flow), did->flow);
			num = &did_num;
		} else if (did) {
			did_queue = did->queue;
		} else if (!cfg_number_find(ctl->tenant, called)) {
			log_info("call: not a DID of trunk=%s called=%s", trunk->name,
				 log_mask(masked, sizeof(masked), called));
			(void)sip_treply(NULL, ctl->sip, msg, 404, "Not Found");
			return;
		}
	} else if (!addr_trusted(ctl, &msg->src)) {
		if (registrar_auth(ctl->reg, msg, ext, sizeof(ext)))
			return; /* it answered 407/403 */
	}

	if (called[0] == '*' && called[1] >= '1' && called[1] <= '3' && called[2]) {
		/* *1 listen, *2 whisper, *3 barge, then the agent's extension */
		call__monitor_code(ctl, msg, ext[0] ? ext : caller, called);
		return;
	}
	if (called[0] == '*') {
		call__feature_code(ctl, msg, ext[0] ? ext : caller, called);
		return;
	}

	if (!num && !did_queue)
		num = cfg_number_find(ctl->tenant, called);
	if (!num && !did_queue && cfg_conference_find(ctl->tenant, called)) {
		call__conference_in(ctl, msg, cfg_conference_find(ctl->tenant, called));
		return;
	}
	agent = num || did_queue ? NULL : cfg_agent_find(ctl->tenant, called);
	if (!num && !agent && !did_queue) {
		enum safe_dial_class cls;

		if (!outbound_allowed(ctl, msg, ext, called, &cls))
			return;
		if (ext[0]) {
			/* an agent's phone: out through a trunk (outbound.c) */
			call__phone_out(ctl, msg, ext, called, cls);
			return;
		}
		log_info("call: unknown number called=%s from=%s", called,
			 log_mask(masked, sizeof(masked), caller));
		(void)sip_treply(NULL, ctl->sip, msg, 404, "Not Found");
		return;
	}

	/* a call in from a trunk counts toward its max_calls */
	if (trunk && trunks_take(ctl->trunks, trunk->name, &in_trunk)) {
		(void)sip_treply(NULL, ctl->sip, msg, 503, "Service Unavailable");
		return;
	}
	err = call__alloc(&call, ctl, msg);
	if (err) {
		trunk_call_end(in_trunk);
		(void)sip_treply(NULL, ctl->sip, msg, 503, "Service Unavailable");
		return;
	}
	call->trunk = in_trunk;
	call->from_trunk = in_trunk != NULL;
	/* the carrier's SRTP setting, or the phones' for a phone that
	 * proved who it is; a trusted network's caller goes by transport */
	if (trunk || ext[0])
		call__leg_carried(call->caller, trunk, msg_transp(msg),
				  trunk ? NULL : ext);
	if (in_trunk) /* the DID, wherever the carrier said it */
		util_copy(call->ia.row.called, sizeof(call->ia.row.called), called);
	call->in_setup = true;
	ctl->setup++;
	if (has_offer) {
		err = media_stream_answer(call->caller->ms, msg->mb, &answer);
		if (err) {
			/* EPROTO: a port or an address stream.c logged */
			int code = err == ENOTSUP || err == EPROTO ? 488 : 400;
			const char *why = err == ENOTSUP  ? "no common codec or SRTP"
					  : err == EPROTO ? "bad media port or address"
							  : "bad SDP";
			log_info("call: offer refused call=%s: %s", call->ia.row.id, why);
			(void)sip_treply(NULL, ctl->sip, msg, (uint16_t)code,
					 code == 488 ? "Not Acceptable Here" : "Bad SDP");
			util_copy(call->ia.row.outcome, sizeof(call->ia.row.outcome),
				  "failed");
			call->ia.row.hangup_cause = code;
			call->ia.row.ended = clock_now_ms();
			util_copy(call->ia.row.hangup_side,
				  sizeof(call->ia.row.hangup_side), "system");
			util_copy(call->ia.row.hangup_reason,
				  sizeof(call->ia.row.hangup_reason), why);
			call->state = CALL_ENDED;
			interaction_save(&call->ia);
			mem_deref(call);
			return;
		}
	} else {
		/* Late offer: we offer in the 200, the answer is in the ACK. */
		err = media_stream_offer(call->caller->ms, &answer);
		if (err)
			goto fail;
	}

	interaction_customer(&call->ia, call->ia.row.caller);
	call__row_legs(call);
	interaction_save(&call->ia);
	interaction_event(&call->ia, EVENT_CALL_CREATED, NULL, "{s:s,s:s,s:s,s:s}",
			  "caller", call->ia.row.caller, "caller_name",
			  call->ia.row.caller_name, "called", call->ia.row.called,
			  "customer", call->ia.row.customer);

	if (num) {
		const struct cfg_flow *flow = cfg_flow_find(ctl->tenant, num->flow);
		struct ivr_action act = {0};

		err = call__accept(call, msg, 200, "OK", answer);
		if (err)
			goto fail;
		call->caller->answered = true;
		call->state = CALL_IVR;
		err = ivr_session_alloc(&call->ivr, flow, ctl->tenant);
		if (err)
			goto fail;
		ivr_session_language(call->ivr, num->language);
		log_info("call: IVR call=%s from=%s number=%s flow=%s", call->ia.row.id,
			 log_mask(masked, sizeof(masked), caller), called, num->flow);
		/* the number's recording notice first, then its flow */
		if (!call_notice(call, num->recording_notice,
				 number_language(ctl->tenant, num))) {
			ivr_start(call->ivr, clock_now_ms(), &act);
			ivr_do(call, &act);
		}
	} else if (did_queue) {
		/* a trunk's DID that runs a queue: answered, waiting at once */
		err = call__accept(call, msg, 200, "OK", answer);
		if (err)
			goto fail;
		call->caller->answered = true;
		log_info("call: DID call=%s from=%s number=%s queue=%s", call->ia.row.id,
			 log_mask(masked, sizeof(masked), caller), called, did_queue);
		call__enter_queue(call, did_queue, call->ia.priority);
		interaction_route(ctl->ias);
	} else {
		/* An extension: ring that agent, answer the caller when the
		 * agent answers. */
		err = call__accept(call, msg, 180, "Ringing", NULL);
		if (err)
			goto fail;
		call->caller->answer = mem_ref(answer);
		call->state = CALL_DIRECT;
		util_copy(call->direct, sizeof(call->direct), agent->ext);
		log_info("call: direct call=%s from=%s to=%s", call->ia.row.id,
			 log_mask(masked, sizeof(masked), caller), agent->ext);
		err = call__ring_direct(call, agent->ext);
		if (err) {
			mem_deref(answer);
			if (err == EBUSY)
				call__end(call, "system", 486, "Busy Here");
			else
				call__end(call, "system", 480, "Temporarily Unavailable");
			return;
		}
	}
	mem_deref(answer);
	return;

fail:
	log_error("call: set-up failed call=%s: %s", call->ia.row.id, strerror(err));
	mem_deref(answer);
	if (call->caller->sess)
		call__end(call, "system", 500, "Server Internal Error");
	else {
		(void)sip_treply(NULL, ctl->sip, msg, 500, "Server Internal Error");
		call->state = CALL_ENDED;
		mem_deref(call);
	}
}

static void callctl_destructor(void *arg)
{
	struct callctl *ctl = arg;

	tmr_cancel(&ctl->sweep);
	registrar_watch(ctl->reg, NULL, NULL);
	/* Shutting down: end every call properly, so its row is stored. */
	ctl->closing = true;
	interaction_svc_closing(ctl->ias);
	while (!list_isempty(&ctl->calls)) {
		struct call *call = list_head(&ctl->calls)->data;
		call__end(call, "system", 503, "shutdown");
	}
	interaction_ops_set(ctl->ias, ACD_VOICE, NULL, NULL);
	mem_deref(ctl->sock);
	mem_deref(ctl->trunks);
	mem_deref(ctl->library);
	mem_deref(ctl->moh);
	mem_deref(ctl->hush);
	mem_deref(ctl->conf_tone);
	mem_deref((void *)ctl->tenant);
	mem_deref(ctl->ias);
}

int callctl_alloc(struct callctl **cp, struct sip *sip, struct registrar *reg,
		  struct media *media, struct interaction_svc *ias,
		  const struct cfg_node *node, const struct cfg_tenant *tenant)
{
	struct callctl *ctl;
	int err;

	if (!cp || !sip || !media || !ias || !node || !tenant)
		return EINVAL;
	ctl = mem_zalloc(sizeof(*ctl), callctl_destructor);
	if (!ctl)
		return ENOMEM;
	ctl->sip = sip;
	ctl->reg = reg;
	ctl->media = media;
	ctl->ias = mem_ref(ias);
	ctl->acd = interaction_svc_acd(ias);
	ctl->node = node;
	ctl->tenant = mem_ref((void *)tenant);
	tmr_init(&ctl->sweep);
	trusted_parse(ctl);

	err = trunks_alloc(&ctl->trunks, sip, tenant);
	if (err)
		goto out;
	{
		char dir[CFG_PATH + 16];

		snprintf(dir, sizeof(dir), "%s/prompts", node->data_dir);
		err = media_library_alloc(&ctl->library, dir);
	}
	if (err)
		goto out;
	err = prompts_prepare(ctl);
	if (err)
		goto out;
	interaction_ops_set(ias, ACD_VOICE, &voice_ops, ctl);
	registrar_watch(reg, phone_changed, ctl);
	err = sipsess_listen(&ctl->sock, sip, 256, conn_handler, ctl);
	if (err)
		goto out;
	tmr_start(&ctl->sweep, SWEEP_MS, sweep_handler, ctl);
out:
	if (err)
		mem_deref(ctl);
	else
		*cp = ctl;
	return err;
}

int callctl_tenant_set(struct callctl *ctl, const struct cfg_tenant *t)
{
	const struct cfg_tenant *old;
	int err;

	if (!ctl || !t)
		return EINVAL;
	old = ctl->tenant;
	ctl->tenant = t;
	err = tenant_media_prepare(ctl);
	if (err) {
		ctl->tenant = old;
		return err;
	}
	interaction_svc_tenant_set(ctl->ias, t);
	if (trunks_tenant_set(ctl->trunks, t))
		log_warn("call: trunks not changed: out of memory");
	mem_ref((void *)t);
	mem_deref((void *)old);
	return 0;
}

struct trunks *callctl_trunks(const struct callctl *ctl)
{
	return ctl ? ctl->trunks : NULL;
}

size_t callctl_active(const struct callctl *ctl)
{
	return ctl ? ctl->callc : 0;
}

struct call *call__find(struct callctl *ctl, const char *id)
{
	for (struct le *le = list_head(&ctl->calls); le; le = le->next) {
		struct call *call = le->data;
		if (!strcmp(call->ia.row.id, id))
			return call;
	}
	return NULL;
}

/* Is leg a live one to the phone at source? */
static bool leg_at(const struct leg *leg, const char *source)
{
	return leg && !leg->closed && leg->source[0] && !strcmp(leg->source, source);
}

/* A leg of call ringing the phone at source, NULL: none. */
static struct leg *ringing_at(struct call *call, const char *source)
{
	struct le *le;

	LIST_FOREACH(&call->ringing, le)
	{
		struct leg *leg = le->data;

		if (leg != call->agent && leg_at(leg, source))
			return leg;
	}
	return NULL;
}

#define PHONE_CALLS_MAX 64 /* a phone's calls at once, far above any */

void callctl_phone_gone(struct callctl *ctl, const char *source)
{
	struct call *v[PHONE_CALLS_MAX];
	size_t n = 0;
	struct le *le;

	if (!ctl || !source || !source[0])
		return;
	/* first the bindings: a call routed on from here must not ring the
	 * phone that is gone */
	(void)registrar_source_gone(ctl->reg, source);
	/* ending a call routes others: the calls are held while it runs */
	LIST_FOREACH(&ctl->calls, le)
	{
		struct call *call = le->data;

		if (n < PHONE_CALLS_MAX && call->state != CALL_ENDED &&
		    (leg_at(call->agent, source) || leg_at(call->monitor, source) ||
		     ringing_at(call, source)))
			v[n++] = mem_ref(call);
	}
	for (size_t i = 0; i < n; i++) {
		struct call *call = v[i];
		struct leg *leg;

		if (call->state != CALL_ENDED && leg_at(call->agent, source)) {
			log_info("call: agent's phone gone call=%s agent=%s source=%s",
				 call->ia.row.id, call->agent->ext, source);
			call__end(call, "agent", 0, "phone gone");
		}
		if (call->state != CALL_ENDED && leg_at(call->monitor, source))
			call__close_handler(ENOTCONN, NULL, call->monitor);
		/* the close handler marks the leg closed: each is done once */
		while (call->state != CALL_ENDED && (leg = ringing_at(call, source)))
			call__close_handler(ENOTCONN, NULL, leg);
		mem_deref(call);
	}
}

int call__of_agent(struct callctl *ctl, const char *id, const char *agent,
		   struct call **callp)
{
	struct call *call = ctl && id ? call__find(ctl, id) : NULL;

	if (!call)
		return ENOENT;
	if (agent && (!call->agent || strcmp(call->agent->ext, agent)))
		return EPERM;
	*callp = call;
	return 0;
}

int callctl_hangup(struct callctl *ctl, const char *id, const char *agent)
{
	struct call *call;
	int err = call__of_agent(ctl, id, agent, &call);

	if (err)
		return err;
	log_info("call: hung up from the API call=%s", call->ia.row.id);
	call__end(call, "agent", 0, "API");
	return 0;
}

size_t callctl_customer_calls(const struct callctl *ctl, const char *customer)
{
	return ctl ? interaction_customer_count(ctl->ias, customer) : 0;
}

void callctl_customer_merged(struct callctl *ctl, const char *from, const char *into,
			     const char *name)
{
	if (ctl)
		interaction_customer_merged(ctl->ias, from, into, name);
}

int callctl_recording(struct callctl *ctl, const char *id, const char *agent, bool pause)
{
	struct call *call;
	int err = call__of_agent(ctl, id, agent, &call);

	if (err)
		return err;
	if (call->state != CALL_BRIDGED || !call->rec)
		return EINVAL;
	return call_rec_pause(call, pause);
}

int callctl_hold(struct callctl *ctl, const char *id, const char *agent, bool hold)
{
	struct call *call;
	int err = call__of_agent(ctl, id, agent, &call);

	if (err)
		return err;
	if (call->state != CALL_BRIDGED || !call->agent)
		return EINVAL;
	if (call->desk_hold == hold)
		return EALREADY;
	call->desk_hold = hold;
	if (hold) {
		/* the caller hears music, the agent nothing; neither hears the
		 * other (the recording keeps what each says) */
		call__moh_start(call->caller->ms, ctl);
		media_stream_play(call->agent->ms, ctl->hush, true);
	} else {
		media_stream_silence(call->caller->ms);
		media_stream_silence(call->agent->ms);
	}
	log_info("call: %s from the desktop call=%s agent=%s", hold ? "held" : "resumed",
		 call->ia.row.id, call->agent->ext);
	interaction_event(&call->ia, hold ? EVENT_CALL_HELD : EVENT_CALL_RESUMED,
			  call->agent->ext, "{s:s}", "by", "desktop");
	return 0;
}
