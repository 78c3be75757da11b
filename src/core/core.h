/*
 * core.h — the small things every subsystem uses: logging, clocks,
 * identifiers and the in-process event bus.
 *
 * Everything here is for the main thread unless a function says it is
 * thread-safe (log_* is).
 */
#ifndef HOTLINE_CORE_H
#define HOTLINE_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- logging ---------------------------------------------------------- */

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* One line per event, key=value fields. Thread-safe. */
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_set_level(enum log_level lvl);
int log_level_parse(enum log_level *lvlp, const char *name);
/* Writes a phone number masked as the logs show it above debug. */
const char *log_mask(char *buf, size_t sz, const char *number);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* --- clocks ----------------------------------------------------------- */

/* Wall clock, UTC milliseconds since the epoch. */
uint64_t clock_now_ms(void);
/* Monotonic milliseconds; only differences mean something. */
uint64_t clock_mono_ms(void);
/* Monotonic microseconds. */
uint64_t clock_mono_us(void);
/* Formats UTC ms as ISO 8601 ("2026-11-24T10:00:00.123Z"). */
const char *clock_iso(char *buf, size_t sz, uint64_t utc_ms);
/*
 * Local time in an IANA zone ("Europe/Berlin"; "UTC" or "" for UTC), from
 * the zone's file under /usr/share/zoneinfo (read once), never through the
 * process's TZ: safe from any thread. ENOENT: no such zone (tm is UTC).
 */
struct tm;
int clock_local(const char *zone, uint64_t utc_ms, struct tm *tm);

/* --- identifiers ------------------------------------------------------ */

/* A new random identifier: 26 characters of lower-case base32 (sortable
 * by creation time: 10 of time, 16 of randomness) plus NUL. */
#define ID_LEN 27
void id_new(char id[ID_LEN]);

/* --- event bus -------------------------------------------------------- */

/*
 * Every state change is published as an event of one of these types; the
 * name table in event.c gives each its name ("call.created"), which is
 * what the store, the stream, webhooks and docs/openapi.yaml know it by.
 * A new type is added here and there, at the end of its group.
 */
enum event_type {
	EVENT_UNKNOWN = 0, /* a stored type this version has no name for */
	EVENT_CALL_CREATED,
	EVENT_CALL_ANSWERED,
	EVENT_CALL_HELD,
	EVENT_CALL_RESUMED,
	EVENT_CALL_TRANSFERRED,
	EVENT_CALL_VOICEMAIL,
	EVENT_CALL_RATED,
	EVENT_CALL_CALLBACK_DIALLED,
	EVENT_CALL_WRAPUP,
	EVENT_CALL_DIAL_REFUSED,
	EVENT_CALL_DIAL_ALLOWED,
	EVENT_CALL_TRUNK,   /* out through a trunk */
	EVENT_CALL_MONITOR, /* a supervisor listens, whispers, barges, takes over */
	EVENT_CALL_ENDED,
	/* a conference room's callers (sip/conference.c) */
	EVENT_CONFERENCE_JOINED,
	EVENT_CONFERENCE_LEFT,
	/* the web chat channel's */
	EVENT_CHAT_CREATED,
	EVENT_CHAT_OFFERED,
	EVENT_CHAT_ANSWERED,
	EVENT_CHAT_MESSAGE,
	EVENT_CHAT_TYPING,
	EVENT_CHAT_READ,
	EVENT_CHAT_WITHDRAWN,
	EVENT_CHAT_RATED,
	EVENT_CHAT_ENDED,
	EVENT_MAIL_ENDED,
	EVENT_MESSAGE_ENDED,
	EVENT_QUEUE_ENTERED,
	EVENT_QUEUE_ANNOUNCED,
	EVENT_QUEUE_CALLBACK,
	EVENT_QUEUE_ANSWERED,
	EVENT_QUEUE_ABANDONED,
	EVENT_QUEUE_EXITED,
	EVENT_QUEUE_TRANSFERRED,
	EVENT_QUEUE_COMPLETED,
	EVENT_QUEUE_UPDATED,
	EVENT_AGENT_STATE,
	EVENT_AGENT_RINGING,
	EVENT_AGENT_NOANSWER,
	EVENT_AGENT_REGISTERED,
	EVENT_AGENT_UNREGISTERED,
	EVENT_AGENT_REGISTERED_FROM,
	EVENT_AGENT_REGISTER_REFUSED,
	EVENT_AGENT_UPDATED,
	EVENT_CUSTOMER_CREATED,
	EVENT_CUSTOMER_UPDATED,
	EVENT_CUSTOMER_MERGED,
	EVENT_CUSTOMER_DELETED,
	EVENT_TICKET_CREATED,
	EVENT_TICKET_UPDATED,
	EVENT_TICKET_SLA_WARNING,
	EVENT_TICKET_SLA_BREACHED,
	EVENT_TICKET_ESCALATED,
	EVENT_TICKET_SURVEY,
	EVENT_TICKET_RATED,
	EVENT_SURVEY_LINK,
	EVENT_DIALING_CAP_WARNING,
	EVENT_DIALING_CAP_REACHED,
	EVENT_SIP_ADDRESS_BANNED,
	EVENT_RECORDING_PAUSED, /* for card numbers: the file gets silence */
	EVENT_RECORDING_RESUMED,
	EVENT_TYPES /* count, not a type */
};

/* The type's name ("call.created"); "" for EVENT_UNKNOWN. */
const char *event_name(enum event_type type);
/* The type named name; EVENT_UNKNOWN (and ENOENT) when none is. */
int event_type_parse(enum event_type *typep, const char *name);

struct json_t;
struct event_text;

/*
 * Subscribers (the store, live statistics, the WebSocket stream,
 * webhooks) are called in the order they subscribed, on the main thread,
 * before event_emit returns. An event, its strings and its data live only
 * for the duration of the call: a subscriber that keeps something copies
 * it (or takes a reference to data). Fields are read from data, a JSON
 * object (event_str, event_num); the text of an event, for those that
 * send or store it, is made once per event (event_json).
 */
struct hl_event {
	uint64_t ts;		 /* UTC ms; event_emit fills it in when 0 */
	enum event_type type;	 /* EVENT_UNKNOWN: see name */
	const char *name;	 /* the type's name; event_emit fills it in */
	const char *call;	 /* interaction id, or NULL */
	const char *agent;	 /* agent extension, or NULL */
	const char *queue;	 /* queue name, or NULL */
	struct json_t *data;	 /* JSON object with details (borrowed), or NULL */
	struct event_text *text; /* event_emit's encodings, made on demand */
};

typedef void(event_h)(const struct hl_event *ev, void *arg);

int event_subscribe(event_h *h, void *arg);
void event_unsubscribe(event_h *h, void *arg);
void event_emit(struct hl_event *ev);
/*
 * Emits an event whose data json_pack builds from fmt and what follows
 * ("{s:s,s:I}", "reason", why, "wait_ms", (json_int_t)ms; NULL: no
 * data), so strings are escaped as JSON asks whatever they hold:
 *   event_emit_pack(EVENT_CALL_WRAPUP, id, agent, queue, "{s:s}", "disposition", d);
 * Data that cannot be packed (a NULL string, text that is not UTF-8) is
 * logged and the event goes out without it.
 */
void event_emit_pack(enum event_type type, const char *call, const char *agent,
		     const char *queue, const char *fmt, ...);
/* The same with a va_list, for wrappers that add the call and queue. */
void event_emit_vpack(enum event_type type, const char *call, const char *agent,
		      const char *queue, const char *fmt, va_list ap);
/*
 * Data for an event emitted or stored by hand (event_emit), for files that
 * cannot include <jansson.h> beside <re.h> (both declare JSON_NULL):
 * built as event_emit_pack builds it, or parsed from stored text (NULL
 * when it is not JSON). Numbers for "I" are passed as (long long), which
 * is jansson's json_int_t. Released with event_data_deref.
 */
struct json_t *event_data_pack(const char *fmt, ...);
struct json_t *event_data_parse(const char *text);
void event_data_deref(struct json_t *data);
/* Emits an event with data, taking the caller's reference to it. */
void event_emit_data(enum event_type type, const char *call, const char *agent,
		     const char *queue, struct json_t *data);
void event_close(void);

/* A string field of the data; NULL when absent or not a string. */
const char *event_str(const struct hl_event *ev, const char *key);
/* An integer field of the data; 0 when absent or not an integer. */
uint64_t event_num(const struct hl_event *ev, const char *key);
/*
 * The encoder. event_json: the whole event as the stream and webhooks
 * send it ({"ts","type","call","agent","queue","data"}), made once per
 * emitted event and kept until event_emit returns, its data the same text
 * event_data_text gives the store (the data is encoded once); an event
 * that was not emitted is encoded on each call into a buffer of the
 * caller's (free it). NULL: out of memory.
 */
const char *event_json(const struct hl_event *ev, char **own);
/* The data object's text (malloc'd, the caller's), NULL when there is
 * none or out of memory. */
char *event_data_text(const struct hl_event *ev);

/* --- small helpers ---------------------------------------------------- */

/* Copies src into dst (size sz), always NUL-terminated; returns E2BIG
 * when it had to cut, which it does before a UTF-8 character, never
 * inside one. */
int util_copy(char *dst, size_t sz, const char *src);
/* Creates a directory and its parents (mode 0700: what the service keeps
 * is private to the service user). */
int util_mkdir(const char *path);
/* Makes a tree private to the service user: folders 0700, files 0600
 * (symbolic links are not followed). Fixes data written by an older
 * version, or under a looser umask. */
int util_private(const char *path);
/* Syncs the folder holding path, so that a file renamed into it stays
 * there after a crash. */
int util_fsync_dir(const char *path);
/*
 * Text a person or a system sends (issue 14): is s well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
 * without control characters (C0 and C1, DEL; \n and \t only with
 * UTIL_TEXT_MULTILINE) or explicit bidi embeddings, overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069: an unclosed one reorders what
 * the page shows after the text), of at most maxc characters (0: any)?
 * Right-to-left marks (U+200E, U+200F, U+061C), joiners and mixed
 * scripts are text and pass. 0, EILSEQ or E2BIG, with why (static) the
 * reason in a few words.
 */
#define UTIL_TEXT_MULTILINE 1u
int util_text_check(const char *s, size_t maxc, unsigned flags, const char **why);
/* Drops a character cut in half at the end of s (what snprintf leaves
 * when it cuts). */
void util_utf8_trim(char *s);
/* The number of characters (code points) of well-formed UTF-8 s. */
size_t util_utf8_len(const char *s);
/*
 * Search (issue 14): Chinese, Japanese and Korean are written without
 * spaces, so a word tokenizer takes 张伟 for one word and finds no part
 * of it. Text for the index goes through util_cjk_spaced, which puts a
 * space around every CJK character (each its own token); a query
 * (util_fts_query) asks for a run of CJK characters as a phrase of
 * those tokens, so any part of a name, company or text is found, one
 * character as well as five. dst of sz bytes (a cut before a character);
 * E2BIG when cut.
 */
int util_cjk_spaced(char *dst, size_t sz, const char *src);
/* The words of q (letters, digits, CJK) as an FTS5 query, all of them
 * required: a word of letters or digits as a prefix ("ann"*), a run of
 * CJK characters as a phrase of them ("张 伟"). "" when q has none. */
void util_fts_query(char *out, size_t sz, const char *q);
/*
 * The server's texts in a person's language (msg.c): catalogs
 * <dir>/server/<tag>.json map an English printf format to its
 * translation, which must take the same arguments (checked at load).
 * msg_fmt gives the format for a locale (a BCP 47 tag; its language
 * alone also matches), the English one when there is none.
 */
int msg_load(const char *dir);
void msg_close(void);
const char *msg_fmt(const char *locale, const char *fmt);
bool msg_has(const char *locale);
/* Do two printf formats take the same arguments in the same order? */
bool msg_same_args(const char *a, const char *b);
/*
 * A server line kept as JSON {"key", "args"} (msg.c's table of keys) and
 * worded when read, in the reader's language. msg_make: that JSON from a
 * key and its arguments (as many as the key takes; "" for nobody where a
 * name goes) into out, EINVAL for a key not known, E2BIG when it does not
 * fit; msg_parse: the same from a line written in English before (kind:
 * the history entry's), malloc'd, NULL when no key's format reads it;
 * msg_show: the line in a locale (NULL or a locale without a catalog:
 * English), false when m is not a known key's JSON. msg_key_english: a
 * key's English format, or NULL.
 */
int msg_make(char *out, size_t sz, const char *key, const char *const *args);
char *msg_parse(const char *kind, const char *text);
bool msg_show(const char *locale, const char *m, char *out, size_t sz);
const char *msg_key_english(const char *key);
/* Does s start with one of the comma-separated prefixes of list
 * ("agent.,queue.")? An empty list takes everything. */
bool util_prefix_match(const char *list, const char *s);

#endif
