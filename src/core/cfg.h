/*
 * cfg.h — configuration: the node file (hotline.yaml) and the tenant
 * file (demo.yaml), parsed once with libyaml into the plain structs
 * below and validated. Every error names the file, the line and the key.
 *
 * The structs are allocated with mem_zalloc and freed with mem_deref.
 */
#ifndef HOTLINE_CFG_H
#define HOTLINE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_NAME	 32  /* ids: queue, flow, node, calendar names */
#define CFG_EXT		 16  /* extensions and short numbers */
#define CFG_TEXT	 512 /* prompt text */
#define CFG_PATH	 256
#define CFG_TENANT_MAX	 (4 * 1024 * 1024) /* a tenant file's bytes at most */
#define CFG_MAX_TRUSTED	 16
#define CFG_MAX_REGFROM	 8 /* agents.register_from */
#define CFG_MAX_OPTIONS	 12
#define CFG_MAX_HOLIDAYS 10000 /* dates in one list: a bound on a runaway file */

#define CFG_MAX_TIERS 8
#define CFG_MAX_SLA   16

/* An SLA policy for tickets (tickets.sla): targets in business time. */
struct cfg_sla {
	char priority[8];	    /* low, normal, high, urgent */
	char category[32];	    /* "" = any */
	uint32_t first_response_ms; /* of the calendar's open time */
	uint32_t resolution_ms;
	int line;
};

/* A customer tier and the queue priority it gives (crm.tiers). */
struct cfg_tier {
	char name[16];
	int priority;
};

#define CFG_MAX_FIELDS	      32
#define CFG_MAX_FIELD_OPTIONS 16

/* The type of a custom field's value. */
enum cfg_field_type {
	CFG_FIELD_TEXT = 0, /* a JSON string, up to 256 characters */
	CFG_FIELD_NUMBER,   /* a JSON number */
	CFG_FIELD_DATE,	    /* a JSON string YYYY-MM-DD, a real day */
	CFG_FIELD_CHOICE,   /* a JSON string, one of options */
	CFG_FIELD_BOOL,	    /* true or false */
};

/* A custom field the admin declared for customers (crm.fields) or
 * tickets (tickets.fields). */
struct cfg_field {
	char name[32];	/* the key in a record's fields: [a-z][a-z0-9_]* */
	char label[64]; /* what a form shows; the name when not given */
	enum cfg_field_type type;
	char options[CFG_MAX_FIELD_OPTIONS][32]; /* choice: the values allowed */
	size_t optionc;
	bool required; /* a new record must have it */
	int line;
};

/* hotline.yaml: how this node runs. */
struct cfg_node {
	char sip_listen[64];   /* sip.listen, "0.0.0.0:5060": UDP and TCP */
	char media_addr[64];   /* media.address: IP for RTP and in SDP */
	uint16_t rtp_port_min; /* media.rtp_ports: "20000-29999" */
	uint16_t rtp_port_max;
	uint32_t rtp_timeout_ms;    /* media.rtp_timeout: hang up after silence of RTP */
	uint32_t media_threads;	    /* media.threads: 0 = one per core */
	char media_codecs[32];	    /* media.codecs: "opus,PCMU,PCMA", what
				     * calls may use, our offers' order */
	char http_listen[64];	    /* http.listen, "127.0.0.1:8080" */
	char api_token[128];	    /* http.api_token (or HOTLINE_API_TOKEN) */
	char web_dir[CFG_PATH];	    /* http.web_dir: the pages' folder */
	char admin_password[128];   /* http.admin_password: user admin's, made
				     * when there is no user yet */
	uint32_t streams_per_user;  /* http.streams_per_user: 429 beyond */
	uint32_t http_max_conns;    /* http.max_connections: closed at once beyond */
	uint32_t ws_ping_ms;	    /* http.ws_ping: WebSockets pinged this often */
	char stream_origins[512];   /* http.stream_origins: comma list of the
				     * browser origins the stream takes */
	char data_dir[CFG_PATH];    /* data_dir: database, recordings, prompt cache */
	char tenant_file[CFG_PATH]; /* tenant: path of the tenant YAML; relative
				     * to the directory of hotline.yaml */
	char log_level[16];	    /* log_level: debug, info, warn, error */
	char realm[64];		    /* sip.realm for digest auth */
	uint32_t reg_min_expires;   /* sip.register.min_expires (s) */
	uint32_t reg_max_expires;   /* sip.register.max_expires (s) */
	uint32_t auth_fail_limit;   /* sip.auth.fail_limit: failures before ban */
	uint32_t auth_fail_window;  /* sip.auth.fail_window (s) */
	uint32_t auth_ban_time;	    /* sip.auth.ban_time (s) */
	char auth_algorithms[32];   /* sip.auth.algorithms: "MD5,SHA-256", the
				     * order of the challenges */
	char trusted[CFG_MAX_TRUSTED][64]; /* sip.trusted: CIDRs that may call
					    * numbers without auth (trunks) */
	size_t trustedc;
	uint32_t max_calls;	     /* limits.max_calls: 503 beyond */
	uint32_t max_setup;	     /* limits.max_setup: calls in set-up, 503 beyond */
	uint32_t max_lag_ms;	     /* limits.max_lag: loop lag, 503 beyond */
	uint32_t retry_after;	     /* limits.retry_after: of the 503 (s) */
	char sip_tls_listen[64];     /* sip.tls_listen: SIP over TLS ("" none) */
	char sip_tls_cert[CFG_PATH]; /* sip.tls_cert: PEM certificate chain */
	char sip_tls_key[CFG_PATH];  /* sip.tls_key: PEM private key, not
				      * world-readable */
	char sip_tls_ca[CFG_PATH];   /* sip.tls_ca: CAs trusted for phones' TLS */
	char sip_srtp[12];	     /* sip.srtp: phones' SRTP; "" by transport */
	char file[CFG_PATH];	     /* where it was read from */
	/* http.tls_cert, http.tls_key: PEM files; HTTPS (and wss) when set */
	char http_tls_cert[CFG_PATH];
	char http_tls_key[CFG_PATH];
};

/* dialing: who may dial what (issue 18). A class is a set of
 * destination kinds, bit 1 << enum safe_dial_class (src/safe/safe.h). */
#define CFG_MAX_DIAL_RULES 64
#define CFG_DIAL_CLASSES   8
enum cfg_dial_kind {
	CFG_DIAL_AGENT = 0,
	CFG_DIAL_QUEUE,
	CFG_DIAL_FLOW,
	CFG_DIAL_TRUSTED
};
struct cfg_dial_rule {
	enum cfg_dial_kind kind;
	char name[48]; /* the agent's ext, queue, flow, or a CIDR */
	uint32_t allow;
	int line;
};
struct cfg_dialing {
	char plan[16];	/* dialing.plan: nanp, cn, generic; "" from crm.country */
	uint32_t allow; /* dialing.allow: the default class */
	struct cfg_dial_rule rulev[CFG_MAX_DIAL_RULES]; /* agents, queues, flows,
							 * trusted */
	size_t rulec;
	uint32_t agent_calls;	      /* limits.agent_calls: outbound at once (0: none) */
	uint32_t tenant_calls;	      /* limits.tenant_calls */
	uint32_t attempts_per_minute; /* limits.attempts_per_minute, per source */
	uint32_t minutes_per_day[CFG_DIAL_CLASSES]; /* limits.minutes_per_day: ms
						     * a day per class (0: none) */
};

/* trunks: SIP trunks to carriers (issue 15), in the tenant file: the
 * numbers they bring in (DIDs) and the flow or queue each runs; outbound:
 * which trunks carry which dialled numbers, in what form, with what
 * caller ID. */
#define CFG_MAX_TRUNKS 8
#define CFG_MAX_DIDS   16
#define CFG_MAX_ROUTES 16
#define CFG_MAX_CIDS   32
struct cfg_did {
	char number[CFG_EXT];
	char flow[CFG_NAME];  /* what it runs: a flow ... */
	char queue[CFG_NAME]; /* ... or a queue */
};
struct cfg_trunk {
	char name[CFG_NAME];
	char proxy[128];     /* proxy: the carrier's registrar and proxy, host:port */
	bool tcp;	     /* transport: udp (default) or tcp */
	char username[64];   /* username: the account (From, To, Contact) */
	char auth_user[64];  /* auth_user: the digest user (default username) */
	char password[128];  /* password: the digest password ("" none) */
	char domain[128];    /* domain: of the account (default the proxy's host) */
	bool reg;	     /* register: keep a registration with the proxy */
	uint32_t expires_ms; /* expires: of the registration (default 1h) */
	char from[4][64];    /* from: IP-authenticated, the networks it calls from */
	size_t fromc;
	struct cfg_did didv[CFG_MAX_DIDS]; /* dids */
	size_t didc;
	char caller_id[32]; /* caller_id: presented when nothing more precise */
	char codecs[4][8];  /* codecs: opus, PCMU, PCMA (default: media.codecs) */
	size_t codecc;
	uint32_t max_calls;  /* max_calls: at once through it (0: no limit) */
	uint32_t timeout_ms; /* timeout: an INVITE it says nothing to is given
			      * up after this (default 5 s) */
	uint32_t classes;    /* classes: the kinds of number it carries (bits of
			      * enum safe_dial_class; 0: any) */
	int line;
	bool tls;		/* transport: tls (SIP over TLS, port 5061) */
	char srtp[12];		/* srtp: off (default), optional, required */
	char ca_file[CFG_PATH]; /* ca_file: PEM trusted for the carrier (tls;
				 * relative to the tenant file; libre 1.1 does
				 * not verify yet: ARCHITECTURE.md) */
};
struct cfg_route {
	char match[8][32]; /* match: patterns (X any digit, Z 1-9, N 2-9, . the rest) */
	size_t matchc;
	char trunks[4][CFG_NAME]; /* trunks: tried in turn (failover) */
	size_t trunkc;
	char format[16]; /* format: e164, national, dialled (default dialled) */
	int line;
};
struct cfg_caller_id {
	bool queue; /* a queue's (else an agent's) */
	char name[48];
	char number[32];
};
struct cfg_outbound {
	struct cfg_route routev[CFG_MAX_ROUTES]; /* outbound.routes */
	size_t routec;
	struct cfg_caller_id cidv[CFG_MAX_CIDS]; /* outbound.caller_id */
	size_t cidc;
};

/* Business hours: a weekly calendar with holidays and extra working days
 * (a closed weekday worked, as China's 调休 moves days), in a time zone. */
struct cfg_hours {
	char name[CFG_NAME];
	char tz[64]; /* IANA name, "Europe/Berlin"; "UTC" default */
	/* minutes since midnight, [open, close); open == close == 0: closed */
	struct {
		uint16_t open, close;
	} week[7]; /* 0 = Monday ... 6 = Sunday */
	/* as many as the file gives (malloc'd, the tenant's): "2026-12-25" */
	char (*holidays)[11];
	size_t holidayc;
	char (*workdays)[11]; /* dates worked although their weekday is closed */
	size_t workdayc;
	/* workday_hours: a workday's; unset (0, 0), the first open of
	 * Monday-Friday's */
	struct {
		uint16_t open, close;
	} workday_hours;
	int line;
};

#define CFG_MAX_SKILLS	16
#define CFG_MAX_MEMBERS 1024

/* A skill with a level 1-10 (an agent's), or a minimum level (a
 * queue's requirement). */
struct cfg_skill {
	char name[CFG_NAME];
	uint8_t level;
};

/* Channels, in the order of enum acd_channel. */
enum cfg_channel { CFG_VOICE = 0, CFG_CHAT, CFG_MAIL, CFG_MESSAGE, CFG_CHANNELS };

struct cfg_agent {
	char ext[CFG_EXT]; /* "1001" */
	char name[64];
	char password[64]; /* SIP digest password */
	/* ha1_md5, ha1_sha256: the digest's HA1, H(ext:realm:password) in
	 * lower-case hex (RFC 8760), so the file need not hold the password */
	char ha1_md5[33];
	char ha1_sha256[65];
	/* register_from: the networks its phone may register from (CIDR);
	 * none: anywhere */
	char register_from[CFG_MAX_REGFROM][48];
	size_t register_fromc;
	struct cfg_skill skills[CFG_MAX_SKILLS]; /* skills: {english: 7} */
	size_t skillc;
	/* capacity: {voice: 1, chat: 3}: interactions at once per channel;
	 * defaults voice 1, chat 3, mail 3, message 3 */
	uint32_t capacity[CFG_CHANNELS];
	int line;
	char srtp[12]; /* srtp: its phone's SRTP (off, optional, required);
			* "" as sip.srtp says */
};

/* A queue member: "1001", or {agent: "1001", tier: 1, weight: 2}. */
struct cfg_member {
	char ext[CFG_EXT];
	uint8_t tier;	 /* 0-7: tier 0 is offered first */
	uint16_t weight; /* 1-100, weighted-random; default 1 */
};

struct cfg_queue {
	char name[CFG_NAME];
	char strategy[CFG_NAME];  /* ring-all, longest-idle, least-calls,
				   * round-robin, linear, random,
				   * weighted-random, skills */
	enum cfg_channel channel; /* channel: voice (default), chat, mail, message */
	int priority;		  /* priority: -100..100, default 0 */
	uint32_t ring_timeout_ms; /* ring_timeout: per agent offer */
	uint32_t max_wait_ms;	  /* 0: no limit */
	uint32_t max_len;	  /* max_len: callers waiting at most; 0 none */
	bool join_empty;	  /* join_empty: default true; false = overflow
				   * when no member is logged in */
	uint32_t tier_wait_ms;	  /* tier_wait: tier k joins after k x this */
	uint32_t auto_pause;	  /* auto_pause: misses in a row; 0 off */
	uint32_t retry_ms;	  /* retry: every member missed it, the wait
				   * before it is offered to them again */
	uint32_t sl_threshold_ms; /* service level threshold */
	uint32_t sl_target_pct;	  /* service_level_target: the goal, % answered
				   * within the threshold (default 80) */
	uint32_t wrapup_ms;	  /* after-call work before the next offer */
	char moh[CFG_PATH];	  /* moh: a WAV file or a folder of them, played in
				   * turn, named within CFG_MEDIA_MOH (the real path
				   * once cfg_tenant_media ran); "" = the built-in
				   * piece */
	uint32_t announce_ms;	  /* announce: position and estimated wait every
				   * so often while waiting; 0 = never */
	char language[CFG_NAME];  /* language: of the announcements; the
				   * tenant's when not set */
	/* recording_notice: what callers hear before they wait (the
	 * recording-consent announcement): "default" (the built-in words in
	 * the queue's language), a WAV named within CFG_MEDIA_PROMPTS (the
	 * real path once cfg_tenant_media ran) or a text said in the
	 * queue's language; "" none */
	char recording_notice[CFG_PATH];
	/* overflow: where callers go at max_wait, max_len or an empty
	 * queue: "queue:NAME", "flow:NAME", "extension:EXT", "callback"
	 * (the caller keeps its place and is called back) or "hangup" (the
	 * default: the call ends) */
	char overflow[64];
	char exit_key;	   /* exit_key: a digit, * or # ('\0': none) */
	char exit_to[64];  /* exit_to: target as overflow; default overflow */
	char callback_key; /* callback_key: a key for "call me back" (virtual
			    * hold); '\0': none */
	struct cfg_skill skills[CFG_MAX_SKILLS]; /* skills: {billing: 5} */
	size_t skillc;
	/* members, in order; a queue with skills and no members list is
	 * served by every agent who has them */
	struct cfg_member members[CFG_MAX_MEMBERS];
	size_t memberc;
	int line;
};

enum cfg_ivr_type {
	IVR_NODE_SAY = 0,  /* play text/file, then go to next */
	IVR_NODE_MENU,	   /* play prompt, collect digits, branch */
	IVR_NODE_QUEUE,	   /* route to a queue */
	IVR_NODE_TRANSFER, /* route to an extension */
	IVR_NODE_HOURS,	   /* branch on business hours */
	IVR_NODE_HANGUP,
	IVR_NODE_VOICEMAIL, /* greeting, then record the caller's message */
};

struct cfg_ivr_option {
	char digits[8];	     /* "1" */
	char next[CFG_NAME]; /* node id */
};

struct cfg_ivr_node {
	char id[CFG_NAME];
	enum cfg_ivr_type type;
	char text[CFG_TEXT];   /* say/menu: spoken with TTS */
	char file[CFG_PATH];   /* say/menu: a WAV file instead of text, named
				* within CFG_MEDIA_PROMPTS (cfg_tenant_media) */
	char next[CFG_NAME];   /* say: node after the prompt; "" = hang up */
	char queue[CFG_NAME];  /* queue: queue name */
	int priority;	       /* queue: caller priority, 0-100 (VIP higher) */
	char target[CFG_EXT];  /* transfer: extension */
	char hours[CFG_NAME];  /* hours: calendar name */
	char open[CFG_NAME];   /* hours: node when open */
	char closed[CFG_NAME]; /* hours: node when closed */
	/* menu */
	struct cfg_ivr_option options[CFG_MAX_OPTIONS];
	size_t optionc;
	bool extensions;	     /* menu: dialling an extension routes to it */
	uint32_t timeout_ms;	     /* menu: wait for the first digit */
	uint32_t interdigit_ms;	     /* menu: wait between digits */
	uint32_t retries;	     /* menu: re-prompts on no/invalid input */
	char invalid_text[CFG_TEXT]; /* menu: said on invalid input */
	char noinput_text[CFG_TEXT]; /* menu: said on no input */
	char default_next[CFG_NAME]; /* menu: node after the retries */
	uint32_t max_ms;	     /* voicemail: longest message (max, 2m) */
	int line;
};

struct cfg_flow {
	char name[CFG_NAME];
	char start[CFG_NAME]; /* first node id */
	struct cfg_ivr_node *nodev;
	size_t nodec;
	bool survey;		 /* survey: a post-call survey; the first digit 1-5 the
				  * caller presses is the call's satisfaction score */
	char language[CFG_NAME]; /* language: its prompts' (eSpeak NG voice or
				  * zh/en); the tenant's when not set */
	int line;
};

/* A number callers dial (a DID or an internal short number) and the
 * flow that answers it. */
struct cfg_number {
	char number[CFG_EXT];
	char flow[CFG_NAME];
	char language[CFG_NAME];	 /* language: its callers hear the flow in
					  * ("": the flow's own) */
	char recording_notice[CFG_PATH]; /* as a queue's, before the flow */
	int line;
};

/* Is a recording_notice value a WAV file (else a text, or "default")? */
bool cfg_notice_is_file(const char *notice);

/* chat: the web chat's entry points, limits and canned replies
 * (cfg_chat.c; docs/CHAT.md). */
#define CFG_MAX_CHAT_ENTRIES	8
#define CFG_MAX_CHAT_TOPICS	8
#define CFG_MAX_CHAT_ORIGINS	8
#define CFG_MAX_CANNED		64
#define CFG_CHAT_MAX_ATTACH	(20 * 1024 * 1024) /* attachment_bytes at most */
#define CFG_CHAT_ATTACH_DEFAULT (5 * 1024 * 1024)
struct cfg_chat_topic {
	char label[64];
	char queue[CFG_NAME]; /* a queue of channel chat */
};
struct cfg_chat_entry {
	char name[CFG_NAME];			 /* named in the script tag */
	char origins[CFG_MAX_CHAT_ORIGINS][128]; /* exact scheme://host[:port] */
	size_t originc;
	struct cfg_chat_topic topics[CFG_MAX_CHAT_TOPICS];
	size_t topicc;
	char hours[CFG_NAME];	      /* calendar; "": always open */
	char offline_group[CFG_NAME]; /* the offline form's ticket group (a queue) */
	char language[CFG_NAME];      /* the widget's; "": the tenant's */
	int line;
};
struct cfg_chat_canned {
	char shortcut[32];
	char text[CFG_TEXT];
};
struct cfg_chat {
	struct cfg_chat_entry entries[CFG_MAX_CHAT_ENTRIES];
	size_t entryc;
	uint32_t message_chars;		     /* limits.message_chars (characters) */
	uint32_t attachment_bytes;	     /* limits.attachment_bytes */
	uint32_t per_visitor_per_min;	     /* limits.per_visitor_per_min: messages */
	uint32_t chats_per_address_per_hour; /* limits.chats_per_address_per_hour */
	struct cfg_chat_canned canned[CFG_MAX_CANNED];
	size_t cannedc;
};
struct cfg_tenant;
const struct cfg_chat_entry *cfg_chat_entry_find(const struct cfg_tenant *t,
						 const char *name);
/* A conference room: callers to its number who key its PIN (digits, then
 * #; none: no PIN asked) talk together, at most max of them (2 to 32). */
#define CFG_CONF_MAX 32
struct cfg_conference {
	char number[CFG_EXT];
	char pin[16];
	uint32_t max;
	int line;
};

/* The tenant file: the contact center's own set-up. */
struct cfg_tenant {
	char name[64];
	char hours_default[CFG_NAME]; /* calendar used when a node names none */
	char language[CFG_NAME];      /* language: what the IVR, announcements and
				       * feature codes speak ("": English) */
	struct cfg_agent *agentv;
	size_t agentc;
	const struct cfg_agent **agent_sorted; /* agentv by ext: cfg_agent_find */
	struct cfg_queue *queuev;
	size_t queuec;
	struct cfg_flow *flowv;
	size_t flowc;
	struct cfg_number *numberv;
	size_t numberc;
	struct cfg_conference *conferencev;
	size_t conferencec;
	struct cfg_hours *hoursv;
	size_t hoursc;
	char pause_reasons[16][32]; /* pause_reasons: codes agents pause with */
	size_t pause_reasonc;
	char dispositions[16][32]; /* dispositions: codes a call's wrap-up ends with */
	size_t dispositionc;
	char country[4];	  /* crm.country: calling code for numbers without one */
	char crm_lookup_url[256]; /* crm.lookup.url: an external CRM, {number} */
	uint32_t crm_lookup_timeout_ms;	      /* crm.lookup.timeout (default 1 s) */
	uint32_t crm_lookup_cache_ms;	      /* crm.lookup.cache (default 5 min) */
	struct cfg_tier tiers[CFG_MAX_TIERS]; /* crm.tiers */
	size_t tierc;
	/* crm.fields: the custom fields of customers; none declared = any
	 * keys with text values */
	struct cfg_field crm_fields[CFG_MAX_FIELDS];
	size_t crm_fieldc;
	char ticket_hours[CFG_NAME];	/* tickets.calendar: SLA clocks count its
					 * open time; "" = round the clock */
	char ticket_assign[16];		/* tickets.assign: least-loaded, round-robin */
	uint32_t ticket_warn_ms;	/* tickets.warn_before: warn this long before */
	char ticket_categories[16][32]; /* tickets.categories */
	size_t ticket_categoryc;
	struct cfg_sla slav[CFG_MAX_SLA]; /* tickets.sla */
	size_t slac;
	struct cfg_field ticket_fields[CFG_MAX_FIELDS]; /* tickets.fields */
	size_t ticket_fieldc;
	/* dialing: who may dial what */
	struct cfg_dialing dialing;
	/* trunks and outbound routes (cfg_trunk.c) */
	struct cfg_trunk trunkv[CFG_MAX_TRUNKS];
	size_t trunkc;
	struct cfg_outbound outbound;
	struct cfg_chat chat; /* chat: the web chat */
	char file[CFG_PATH];
};

/*
 * Error list: every problem found, each "file:line: key: message".
 * cfg_* functions append to it and return EINVAL when any was found.
 */
struct cfg_errors {
	char msgv[32][256];
	size_t msgc; /* may exceed 32: only the first 32 are kept */
};

/* The two kinds of configuration file. */
enum cfg_kind { CFG_NODE, CFG_TENANT };

/* Which kind text is, told by its top-level keys (more of a tenant's than
 * of a node's: a tenant file; else a node file). EINVAL when it is not
 * YAML. */
int cfg_file_kind(enum cfg_kind *kp, const char *yaml, size_t len);
/* Same, of the file at path (an unreadable one is in errs). */
int cfg_file_kind_load(enum cfg_kind *kp, const char *path, struct cfg_errors *errs);

/* Reads and validates hotline.yaml. Missing keys take their defaults. */
int cfg_node_load(struct cfg_node **np, const char *path, struct cfg_errors *errs);
/* The defaults alone (used when no file is given). */
int cfg_node_defaults(struct cfg_node **np);
/* Reads and validates a tenant file, including flows (every node
 * reference must resolve; every queue member must be an agent). */
int cfg_tenant_load(struct cfg_tenant **tp, const char *path, struct cfg_errors *errs);
/* Same, from a string in memory (fuzzing, tests); name is used in errors. */
int cfg_tenant_parse(struct cfg_tenant **tp, const char *name, const char *yaml,
		     size_t len, struct cfg_errors *errs);
/*
 * The media folders under the data directory: the only places a tenant's
 * queue music (moh) and recorded prompts (a flow node's file) come from.
 */
#define CFG_MEDIA_MOH	  "media/moh"
#define CFG_MEDIA_PROMPTS "media/prompts"
/*
 * Resolves the tenant's media names (queues' moh, flow nodes' file) within
 * the media folders under data_dir, in place, to the real path of a
 * readable file (or, for music, a folder). A path out of the folder (from
 * "/", with "..", or by a symbolic link) is refused; missing, unreadable
 * and outside give the same error. Every tenant that is started, checked,
 * saved or reloaded goes through this after cfg_tenant_load/parse. EINVAL
 * with the errors in errs (file:line: key: message).
 */
int cfg_tenant_media(struct cfg_tenant *t, const char *data_dir, struct cfg_errors *errs);
/* Makes the media folders under data_dir (at the start, so an admin finds
 * where music and prompts go). */
int cfg_media_dirs_make(const char *data_dir);
int cfg_node_parse(struct cfg_node **np, const char *name, const char *yaml, size_t len,
		   struct cfg_errors *errs);

/* Look-ups; NULL when absent. */
const struct cfg_agent *cfg_agent_find(const struct cfg_tenant *t, const char *ext);
const struct cfg_queue *cfg_queue_find(const struct cfg_tenant *t, const char *name);
const struct cfg_tier *cfg_tier_find(const struct cfg_tenant *t, const char *name);
/* "text", "number", "date", "choice", "bool". */
const char *cfg_field_type_name(enum cfg_field_type type);
/* Does the agent serve the queue? A member, or, for a queue with skills
 * and no member list, an agent with every skill at its level. */
bool cfg_agent_serves(const struct cfg_tenant *t, const char *queue, const char *ext);
const struct cfg_flow *cfg_flow_find(const struct cfg_tenant *t, const char *name);
const struct cfg_hours *cfg_hours_find(const struct cfg_tenant *t, const char *name);
const struct cfg_ivr_node *cfg_flow_node(const struct cfg_flow *f, const char *id);
const struct cfg_number *cfg_number_find(const struct cfg_tenant *t, const char *number);
const struct cfg_trunk *cfg_trunk_find(const struct cfg_tenant *t, const char *name);
const struct cfg_did *cfg_did_find(const struct cfg_trunk *tr, const char *number);
const struct cfg_conference *cfg_conference_find(const struct cfg_tenant *t,
						 const char *number);

/* "500ms", "5s", "2m", "1h" or bare seconds, into ms. */
int cfg_duration_parse(uint32_t *msp, const char *s);
/* Prints the node keys with defaults and help (documentation). */
void cfg_node_help(FILE *f);

/* Is the calendar open at utc_ms? (local time in the calendar's zone,
 * holidays closed) */
bool cfg_hours_open(const struct cfg_hours *h, uint64_t utc_ms);
struct tm;
/* utc_ms as the calendar's local time (UTC when h is NULL). */
void cfg_hours_local(const struct cfg_hours *h, uint64_t utc_ms, struct tm *tm);
/* A local day's open interval [open, close) in minutes (0, 0: closed): a
 * holiday is closed, a workday has the workday hours, any other day its
 * weekday's. */
void cfg_hours_day(const struct cfg_hours *h, const struct tm *tm, int *open, int *close);

#endif
