/*
 * calls.c — the routes of interactions (/api/v1/interactions, every
 * channel) and of calls (/api/v1/calls, the voice view of the same
 * rows): lists and one with its events, a call's recording,
 * click-to-call, and what an agent does to a call from the desktop: hang
 * up, transfer, wrap up with a disposition and notes. Agents see their
 * own, supervisors those of their queues (api__sees_*).
 *
 * Not here: how calls happen (sip/call.c), routing and replies (api.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "sip/sip.h"
#include "sip/trunk.h"
#include "api/api_int.h"
#include "channels/chat.h"
#include "ticket/ticket.h"
#include "safe/safe.h"

#define MAX_RECORDING	  (4LL * 1024 * 1024 * 1024)
#define DOWNLOAD_CHUNK	  (64 * 1024)
#define DOWNLOAD_WATCH_MS 1000

/* --- JSON of a call -------------------------------------------------------- */

json_t *api__time_json(uint64_t ms)
{
	char buf[32];
	return ms ? json_string(clock_iso(buf, sizeof(buf), ms)) : json_null();
}

static json_t *call_json(const struct store_call *c)
{
	json_t *o = json_object();
	char url[128];

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "caller", json_string(c->caller));
	json_object_set_new(o, "caller_name", json_string(c->caller_name));
	json_object_set_new(o, "called", json_string(c->called));
	json_object_set_new(o, "ivr_path", json_string(c->ivr_path));
	json_object_set_new(o, "digits", json_string(c->digits));
	json_object_set_new(o, "queue", json_string(c->queue));
	json_object_set_new(o, "agent", json_string(c->agent));
	json_object_set_new(o, "customer",
			    c->customer[0] ? json_string(c->customer) : json_null());
	json_object_set_new(o, "created", json_integer((json_int_t)c->created));
	json_object_set_new(o, "queued", json_integer((json_int_t)c->queued));
	json_object_set_new(o, "answered", json_integer((json_int_t)c->answered));
	json_object_set_new(o, "ended", json_integer((json_int_t)c->ended));
	json_object_set_new(o, "created_at", api__time_json(c->created));
	json_object_set_new(o, "queued_at", api__time_json(c->queued));
	json_object_set_new(o, "answered_at", api__time_json(c->answered));
	json_object_set_new(o, "ended_at", api__time_json(c->ended));
	json_object_set_new(o, "outcome", json_string(c->outcome));
	json_object_set_new(o, "hangup_side", json_string(c->hangup_side));
	json_object_set_new(o, "hangup_cause", json_integer(c->hangup_cause));
	json_object_set_new(o, "hangup_reason", json_string(c->hangup_reason));
	json_object_set_new(o, "channel",
			    json_string(c->channel[0] ? c->channel : "voice"));
	json_object_set_new(o, "direction",
			    json_string(c->direction[0] ? c->direction : "inbound"));
	/* how the legs were carried (issue 15); null: no such leg */
	json_object_set_new(o, "signalling",
			    c->signalling[0] ? json_string(c->signalling) : json_null());
	json_object_set_new(o, "media",
			    c->media[0] ? json_string(c->media) : json_null());
	json_object_set_new(o, "agent_signalling",
			    c->agent_signalling[0] ? json_string(c->agent_signalling)
						   : json_null());
	json_object_set_new(o, "agent_media",
			    c->agent_media[0] ? json_string(c->agent_media)
					      : json_null());
	if (c->recording[0]) {
		snprintf(url, sizeof(url), "/api/v1/calls/%s/recording", c->id);
		json_object_set_new(o, "recording", json_string(c->recording));
		json_object_set_new(o, "recording_url", json_string(url));
	} else {
		json_object_set_new(o, "recording", json_null());
		json_object_set_new(o, "recording_url", json_null());
	}
	return o;
}

/* The call's wrap-up, if the agent made one: "wrapup": {...} or null. */
static void wrapup_add(struct req *rq, json_t *o, const char *id)
{
	struct store_wrapup w;

	if (store_wrapup_get(rq->api->store, id, &w)) {
		json_object_set_new(o, "wrapup", json_null());
		return;
	}
	json_object_set_new(o, "wrapup",
			    json_pack("{s:s,s:s,s:s,s:o}", "agent", w.agent,
				      "disposition", w.disposition, "notes", w.notes,
				      "at", api__time_json(w.ts)));
}

static int list_one(const struct store_call *c, void *arg)
{
	json_array_append_new(arg, call_json(c));
	return 0;
}

static const char *const channels[] = {"voice", "chat", "mail", "message"};

/* Calls are the voice view of the interactions (voice true); the
 * interactions' list takes a channel. */
static void list(struct req *rq, bool voice)
{
	struct store_call_filter f = {0};
	char queue[64], agent[64], outcome[64], channel[16], q[128], match[512];
	json_t *arr;
	int err;

	if (!api__query_time(rq, "from", &f.from) || !api__query_time(rq, "to", &f.to))
		return;
	if (voice) {
		f.channel = "voice";
	} else if (api__query_get(rq->msg, "channel", channel, sizeof(channel))) {
		for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
			if (!strcmp(channel, channels[i]))
				f.channel = channels[i];
		}
		if (!f.channel) {
			api__reply_error(rq, 400, "Bad Request", "bad_parameter",
					 "channel: \"%s\" is not voice, chat, mail or "
					 "message",
					 channel);
			return;
		}
	}
	f.limit = 100;
	if (!api__query_uint(rq, "limit", 1, 1000, &f.limit) ||
	    !api__query_uint(rq, "offset", 0, 10000000, &f.offset))
		return;
	if (api__query_get(rq->msg, "queue", queue, sizeof(queue)))
		f.queue = queue;
	if (api__query_get(rq->msg, "agent", agent, sizeof(agent)))
		f.agent = agent;
	if (api__query_get(rq->msg, "outcome", outcome, sizeof(outcome)))
		f.outcome = outcome;
	/* the chats whose messages have the words (any part of Chinese
	 * text: util_fts_query), through the messages' index */
	if (!voice && api__query_get(rq->msg, "q", q, sizeof(q))) {
		util_fts_query(match, sizeof(match), q);
		if (match[0])
			f.match = match;
	}
	/* an agent lists its own calls, a supervisor those of its queues */
	if (rq->who.role == ROLE_AGENT) {
		if (f.agent && strcmp(f.agent, rq->who.extension)) {
			api__forbidden(rq, "list another agent's calls");
			return;
		}
		f.agent = rq->who.extension;
	} else if (rq->who.role == ROLE_SUPERVISOR) {
		if (f.queue && !api__sees_queue(rq->api, &rq->who, f.queue)) {
			api__forbidden(rq, "list the calls of that queue");
			return;
		}
		f.queues = rq->who.queues;
		f.rooms = true; /* a room is no queue's: every supervisor's */
	}

	arr = json_array();
	err = store_call_list(rq->api->store, &f, list_one, arr);
	if (err) {
		json_decref(arr);
		api__reply_error(rq, 500, "Internal Server Error", "store_error",
				 "the database could not be read");
		return;
	}
	api__reply_json(rq, 200, "OK",
			json_pack("{s:o,s:i,s:i}", voice ? "calls" : "interactions", arr,
				  "limit", f.limit, "offset", f.offset));
}

void api__calls_list(struct req *rq)
{
	list(rq, true);
}

void api__interactions_list(struct req *rq)
{
	list(rq, false);
}

static int event_one(const struct hl_event *ev, void *arg)
{
	json_t *o = json_object();

	json_object_set_new(o, "ts", json_integer((json_int_t)ev->ts));
	json_object_set_new(o, "type", json_string(ev->name ? ev->name : ""));
	json_object_set_new(o, "agent", ev->agent ? json_string(ev->agent) : json_null());
	json_object_set_new(o, "queue", ev->queue ? json_string(ev->queue) : json_null());
	json_object_set(o, "data", ev->data ? ev->data : json_null());
	json_array_append_new(arg, o);
	return 0;
}

struct took_part {
	const char *ext;
	bool yes;
};

static int took_part_h(const struct hl_event *ev, void *arg)
{
	struct took_part *p = arg;

	p->yes =
	    ev->agent && ev->type == EVENT_CALL_ANSWERED && !strcmp(ev->agent, p->ext);
	return p->yes;
}

/* Did the request's agent answer the call (the last one to, or one who
 * transferred it on)? */
static bool took_part(struct req *rq, const struct store_call *c)
{
	struct took_part p = {rq->who.extension, false};

	if (!rq->who.extension[0])
		return false;
	if (!strcmp(c->agent, rq->who.extension))
		return true;
	(void)store_event_list(rq->api->store, 0, 0, c->id, took_part_h, &p);
	return p.yes;
}

bool api__sees_call(struct req *rq, const struct store_call *c)
{
	/* an agent sees the calls it took (also those it passed on), a
	 * supervisor those of its queues */
	return rq->who.role == ROLE_ADMIN ||
	       (rq->who.role == ROLE_AGENT && took_part(rq, c)) ||
	       (rq->who.role == ROLE_SUPERVISOR &&
		(api__sees_queue(rq->api, &rq->who, c->queue) ||
		 (!c->queue[0] && !strcmp(c->outcome, "conference"))));
}

static bool call_load(struct req *rq, struct store_call *c)
{
	int err = store_call_get(rq->api->store, rq->id, c);

	if (err == ENOENT) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "no call with id '%s'", rq->id);
		return false;
	}
	if (err) {
		api__reply_error(rq, 500, "Internal Server Error", "store_error",
				 "the database could not be read");
		return false;
	}
	if (api__sees_call(rq, c))
		return true;
	api__forbidden(rq, "see this call");
	return false;
}

/* The recording's gaps (paused for card numbers) from the call's
 * recording.paused / recording.resumed events: [{start_ms, end_ms}],
 * positions in the file; end_ms null while still paused. */
static int gap_one(const struct hl_event *ev, void *arg)
{
	json_t *gaps = arg, *last = json_array_get(gaps, json_array_size(gaps) - 1);
	json_int_t at = json_integer_value(json_object_get(ev->data, "at_ms"));

	if (ev->type == EVENT_RECORDING_PAUSED)
		json_array_append_new(gaps,
				      json_pack("{s:I,s:n}", "start_ms", at, "end_ms"));
	else if (ev->type == EVENT_RECORDING_RESUMED && last &&
		 json_is_null(json_object_get(last, "end_ms")))
		json_object_set_new(last, "end_ms", json_integer(at));
	return 0;
}

static json_t *recording_gaps(struct req *rq, const char *id)
{
	json_t *gaps = json_array();

	(void)store_event_list(rq->api->store, 0, 0, id, gap_one, gaps);
	return gaps;
}

/* One with its wrap-up and events; a call (voice true) is a voice
 * interaction. */
static void get(struct req *rq, bool voice)
{
	struct store_call c;
	json_t *o, *events;

	if (!call_load(rq, &c))
		return;
	if (voice && c.channel[0] && strcmp(c.channel, "voice")) {
		api__reply_error(rq, 404, "Not Found", "not_found",
				 "no call with id '%s' (it is a %s interaction)", rq->id,
				 c.channel);
		return;
	}
	o = call_json(&c);
	wrapup_add(rq, o, c.id);
	events = json_array();
	store_event_list(rq->api->store, 0, 0, c.id, event_one, events);
	json_object_set_new(o, "events", events);
	if (c.recording[0])
		json_object_set_new(o, "recording_gaps", recording_gaps(rq, c.id));
	if (!strcmp(c.channel, "chat")) {
		char *m = chat_messages_json(api__chat_svc(rq->api), c.id);
		json_t *msgs = m ? json_loads(m, 0, NULL) : NULL;

		free(m);
		json_object_set_new(o, "messages", msgs ? msgs : json_array());
	}
	api__reply_json(rq, 200, "OK", o);
}

void api__calls_get(struct req *rq)
{
	get(rq, true);
}

void api__interactions_get(struct req *rq)
{
	get(rq, false);
}

/*
 * A recording on its way out: the file is sent a chunk at a time, each
 * when the connection has sent the last (httpd_conn_stream), so a large
 * file neither sits in memory nor holds up the main loop, and a slow
 * client only slows itself. The send handler gets the HTTP connection as
 * its argument: the downloads under way are found by it in this file's
 * own list.
 */
struct download {
	struct le le;
	struct httpd_conn *conn; /* referenced: httpd drops its own on close */
	struct tmr watch;	 /* finds a connection the peer closed */
	int fd;
	int64_t pos, end; /* bytes [pos, end) of the file still to send */
};

static struct list downloads;

static void download_destructor(void *arg)
{
	struct download *d = arg;

	list_unlink(&d->le);
	tmr_cancel(&d->watch);
	(void)httpd_conn_stream(d->conn, NULL, NULL);
	if (d->fd >= 0)
		close(d->fd);
	mem_deref(d->conn);
}

static bool download_of(struct le *le, void *conn)
{
	return ((struct download *)le->data)->conn == conn;
}

/* The last chunk is out of our queue: the connection ends (the reply said
 * Connection: close, so nothing was sent behind it). */
static void download_done(struct download *d)
{
	httpd_conn_close(d->conn);
	mem_deref(d);
}

static void download_send(void *arg)
{
	struct le *le = list_apply(&downloads, true, download_of, arg);
	struct download *d = le ? le->data : NULL;
	struct tcp_conn *tc;
	struct mbuf *mb;
	ssize_t n;
	size_t want;

	if (!d)
		return;
	tc = httpd_conn_tcp(d->conn);
	if (!tc) {
		mem_deref(d);
		return;
	}
	if (d->pos >= d->end) {
		download_done(d);
		return;
	}
	want =
	    (size_t)(d->end - d->pos < DOWNLOAD_CHUNK ? d->end - d->pos : DOWNLOAD_CHUNK);
	mb = mbuf_alloc(want);
	if (!mb) {
		download_done(d);
		return;
	}
	n = pread(d->fd, mb->buf, want, (off_t)d->pos);
	if (n <= 0) {
		/* the file shrank or failed under us: the client sees a short
		 * body against its Content-Length, never made-up bytes */
		log_warn("api: recording read failed at %lld: %s", (long long)d->pos,
			 n < 0 ? strerror(errno) : "end of file");
		mem_deref(mb);
		download_done(d);
		return;
	}
	mb->end = (size_t)n;
	d->pos += n;
	if (tcp_send(tc, mb)) {
		mem_deref(mb);
		download_done(d);
		return;
	}
	mem_deref(mb);
}

static void download_watch(void *arg)
{
	struct download *d = arg;

	if (!httpd_conn_tcp(d->conn)) {
		mem_deref(d); /* the peer went away */
		return;
	}
	tmr_start(&d->watch, DOWNLOAD_WATCH_MS, download_watch, d);
}

/*
 * Range: bytes=FIRST-LAST, FIRST- or -SUFFIX, one range (RFC 9110 §14.2);
 * [*first, *last] within size. 0: the whole file (no Range, or one we do
 * not take, which RFC 9110 lets us ignore); 1: a range; -1: unsatisfiable.
 */
static int range_parse(const struct http_msg *msg, int64_t size, int64_t *first,
		       int64_t *last)
{
	const struct http_hdr *h = http_msg_xhdr(msg, "Range");
	char v[64], *p, *end;
	long long a = -1, b = -1;

	if (!h || h->val.l >= sizeof(v) || h->val.l < 7 || strncmp(h->val.p, "bytes=", 6))
		return 0;
	memcpy(v, h->val.p + 6, h->val.l - 6);
	v[h->val.l - 6] = '\0';
	if (strchr(v, ','))
		return 0; /* several ranges: the whole file */
	p = v;
	if (*p != '-') {
		a = strtoll(p, &end, 10);
		if (end == p || *end != '-')
			return 0;
		p = end;
	}
	p++; /* the '-' */
	if (*p) {
		b = strtoll(p, &end, 10);
		if (*end || b < 0)
			return 0;
	}
	if (a < 0 && b < 0)
		return 0;
	if (a < 0) { /* the last b bytes */
		if (b == 0 || size == 0)
			return -1;
		*first = b > size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (a >= size || (b >= 0 && b < a))
		return -1;
	*first = a;
	*last = b < 0 || b >= size ? size - 1 : b;
	return 1;
}

/* "X-Recording-Gaps: 1000-2500,8000-\r\n" (ms in the file; an open end
 * while still paused), or "" without gaps: the download says where the
 * silence is without a second file beside the recording (which
 * retention and deletion would have to know about) and without
 * reading the JSON of the call first. */
static void gaps_header(struct req *rq, const char *id, char *buf, size_t sz)
{
	json_t *gaps = recording_gaps(rq, id), *g;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(gaps, i, g)
	{
		json_t *end = json_object_get(g, "end_ms");
		char one[48];
		int k;

		if (json_is_integer(end))
			snprintf(
			    one, sizeof(one), "%lld-%lld",
			    (long long)json_integer_value(json_object_get(g, "start_ms")),
			    (long long)json_integer_value(end));
		else
			snprintf(one, sizeof(one), "%lld-",
				 (long long)json_integer_value(
				     json_object_get(g, "start_ms")));
		k = snprintf(buf + n, sz - n, "%s%s",
			     n ? "," : "X-Recording-Gaps: ", one);
		if (k < 0 || (size_t)k + 3 >= sz - n) {
			buf[n] = '\0';
			break; /* the JSON of the call has them all */
		}
		n += (size_t)k;
	}
	if (n)
		snprintf(buf + n, sz - n, "\r\n");
	json_decref(gaps);
}

void api__calls_recording(struct req *rq)
{
	struct store_call c;
	struct download *d;
	struct stat sb;
	char path[600], range[96] = "", gaps[512];
	int64_t first = 0, last = 0;
	int fd, r;

	if (!call_load(rq, &c))
		return;
	if (!c.recording[0] || strstr(c.recording, "..") || c.recording[0] == '/') {
		api__reply_error(rq, 404, "Not Found", "no_recording",
				 "call '%s' has no recording", rq->id);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", rq->api->node->data_dir, c.recording);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		api__reply_error(rq, 404, "Not Found", "no_recording",
				 "the recording of call '%s' is missing", rq->id);
		return;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > MAX_RECORDING) {
		close(fd);
		api__reply_error(rq, 500, "Internal Server Error", "io_error",
				 "the recording could not be read");
		return;
	}
	gaps_header(rq, c.id, gaps, sizeof(gaps));
	r = range_parse(rq->msg, sb.st_size, &first, &last);
	if (r < 0) {
		char hdr[64];

		close(fd);
		snprintf(hdr, sizeof(hdr), "Content-Range: bytes */%lld\r\n",
			 (long long)sb.st_size);
		api__reply_json_hdrs(
		    rq, 416, "Range Not Satisfiable", hdr,
		    api__error_json("bad_range", "the range is outside the recording"));
		return;
	}
	if (r == 0) {
		first = 0;
		last = sb.st_size - 1;
	} else {
		snprintf(range, sizeof(range), "Content-Range: bytes %lld-%lld/%lld\r\n",
			 (long long)first, (long long)last, (long long)sb.st_size);
	}
	if (!pl_strcmp(&rq->msg->met, "HEAD")) {
		/* RFC 9110 §9.3.2: the headers a GET would get, no body */
		close(fd);
		api__reply(rq, r ? 206 : 200, r ? "Partial Content" : "OK",
			   "Content-Type: audio/wav\r\n"
			   "Accept-Ranges: bytes\r\n%s%s"
			   "Content-Length: %lld\r\n\r\n",
			   range, gaps, (long long)(last + 1 - first));
		return;
	}
	d = mem_zalloc(sizeof(*d), download_destructor);
	if (!d) {
		close(fd);
		api__reply_error(rq, 500, "Internal Server Error", "internal",
				 "out of memory");
		return;
	}
	d->fd = fd;
	d->pos = first;
	d->end = last + 1;
	d->conn = mem_ref(rq->conn);
	tmr_init(&d->watch);
	api__audit(rq->api, &rq->who, "recording.download", c.id, "%lld bytes%s",
		   (long long)(d->end - d->pos), r ? " (a range)" : "");
	/* the body follows as the connection drains (download_send); set
	 * before the answer, which would otherwise end the connection once
	 * its head is out (Connection: close) */
	if (httpd_conn_stream(rq->conn, download_send, rq->conn)) {
		mem_deref(d);
		return;
	}
	if (api__reply(rq, r ? 206 : 200, r ? "Partial Content" : "OK",
		       "Content-Type: audio/wav\r\n"
		       "Content-Disposition: attachment; filename=\"%s.wav\"\r\n"
		       "Accept-Ranges: bytes\r\n%s%s"
		       "Connection: close\r\n"
		       "Content-Length: %lld\r\n\r\n",
		       c.id, range, gaps, (long long)(d->end - d->pos)) ||
	    !httpd_conn_tcp(rq->conn)) {
		mem_deref(d);
		return;
	}
	list_append(&downloads, &d->le, d);
	tmr_start(&d->watch, DOWNLOAD_WATCH_MS, download_watch, d);
}

void api__calls_downloads_end(void)
{
	list_flush(&downloads);
}

/* Asks the dial guard whether agent may dial to (its class, the limits);
 * a refusal is a 403 with the reason the desktop shows, an audit line
 * (the guard made the event and the log line). */
static int dial_allowed(struct req *rq, const char *agent, const char *to,
			struct safe_dial_verdict *v)
{
	char number[64], source[80];
	struct safe_dial_req dr = {.agent = agent, .number = number, .source = source};

	if (safe_dial_number(number, sizeof(number), to)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "to: the number is too long");
		return EINVAL;
	}
	snprintf(source, sizeof(source), "user:%s", rq->who.user);
	if (!safe_dial_check(&dr, clock_now_ms(), v))
		return 0;
	api__audit(rq->api, &rq->who, "call.dial_refused", agent, "class=%s code=%s",
		   safe_dial_class_name(v->cls), v->code);
	api__reply_error(rq, 403, "Forbidden", v->code, "%s", v->reason);
	return EPERM;
}

/* POST /api/v1/calls {"agent": "1001", "to": "sip:0301234567@trunk.example"}:
 * click-to-call; 201 with the new call's id. 403 when the agent may not
 * dial the number (its dialing class) or a limit is reached. */
void api__calls_dial(struct req *rq)
{
	struct safe_dial_verdict v;
	json_t *body;
	const char *agent, *to;
	char id[32], guard_to[96];
	int err;

	if (!rq->api->calls) {
		api__reply_error(rq, 503, "Service Unavailable", "unavailable",
				 "calls cannot be placed now");
		return;
	}
	static const char *const fields[] = {"agent", "to", NULL};

	body = api__body_object(rq, fields);
	if (!body)
		return;
	agent = json_string_value(json_object_get(body, "agent"));
	to = json_string_value(json_object_get(body, "to"));
	if (!agent || !*agent) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "agent: must be an agent's extension");
		goto out;
	}
	if (rq->who.role == ROLE_AGENT && strcmp(agent, rq->who.extension)) {
		api__forbidden(rq, "place calls for another agent");
		goto out;
	}
	if (!to || (strncmp(to, "sip:", 4) &&
		    !trunks_routed(callctl_trunks(rq->api->calls), to))) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "to: must be a sip: URI or a number an outbound route "
				 "takes");
		goto out;
	}
	/* a plain number is what the guard classifies (tel:) */
	snprintf(guard_to, sizeof(guard_to), "%s%s", strncmp(to, "sip:", 4) ? "tel:" : "",
		 to);
	err = dial_allowed(rq, agent, guard_to, &v);
	if (err)
		goto out;
	err = callctl_dial(rq->api->calls, agent, to, id, sizeof(id));
	switch (err) {
	case 0:
		safe_dial_started(id, agent, v.cls, clock_now_ms());
		api__reply_json(rq, 201, "Created", json_pack("{s:s}", "id", id));
		break;
	case EINVAL:
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "to: \"%s\" is not a SIP URI", to);
		break;
	case ENOENT:
		api__reply_error(rq, 404, "Not Found", "not_found", "no agent '%s'",
				 agent);
		break;
	case ENODEV:
		api__reply_error(rq, 409, "Conflict", "agent_unreachable",
				 "agent '%s' has no phone registered", agent);
		break;
	case EBUSY:
		api__reply_error(rq, 409, "Conflict", "agent_busy",
				 "agent '%s' is on a call", agent);
		break;
	case EAGAIN:
		api__reply_json_hdrs(rq, 503, "Service Unavailable", "Retry-After: 5\r\n",
				     api__error_json("overloaded", "at the call limit"));
		break;
	default:
		api__reply_error(rq, 500, "Internal Server Error", "error", "%s",
				 strerror(err));
		break;
	}
out:
	json_decref(body);
}

/* POST /api/v1/calls/{id}/hangup: ends an active call (an agent: only its
 * own). */
void api__calls_hangup(struct req *rq)
{
	struct store_call c;
	int err;

	if (!call_load(rq, &c))
		return;
	err = rq->api->calls
		  ? callctl_hangup(rq->api->calls, c.id,
				   rq->who.role == ROLE_AGENT ? rq->who.extension : NULL)
		  : ENOENT;
	if (err == EPERM)
		api__forbidden(rq, "hang up a call it is not on");
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_active",
				 "call '%s' is not in progress", c.id);
	else
		api__reply(rq, 204, "No Content", "Content-Length: 0\r\n\r\n");
}

/* POST /api/v1/calls/{id}/hold {"hold": true | false}: holds or resumes a
 * bridged call from the desktop (an agent: only its own). */
void api__calls_hold(struct req *rq)
{
	static const char *const fields[] = {"hold", NULL};
	struct store_call c;
	json_t *body, *h;
	int err;

	if (!call_load(rq, &c))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	h = json_object_get(body, "hold");
	if (!json_is_boolean(h)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "hold: true (hold) or false (resume) is required");
		goto out;
	}
	err = rq->api->calls
		  ? callctl_hold(rq->api->calls, c.id,
				 rq->who.role == ROLE_AGENT ? rq->who.extension : NULL,
				 json_is_true(h))
		  : ENOENT;
	if (err == EPERM)
		api__forbidden(rq, "hold a call it is not on");
	else if (err == EALREADY)
		api__reply_error(rq, 409, "Conflict", "already",
				 json_is_true(h)
				     ? "hold: call '%s' is on hold already"
				     : "hold: call '%s' is not on hold already",
				 c.id);
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_bridged",
				 "call '%s' is not bridged to an agent", c.id);
	else
		api__reply_json(
		    rq, 200, "OK",
		    json_pack("{s:s,s:b}", "id", c.id, "hold", json_is_true(h)));
out:
	json_decref(body);
}

/* The opening a call's action routes share: the call, the body with its
 * known fields, and one field that must be a non-empty string (why: the
 * error's text). NULL when it answered already (404, 400). */
static json_t *call_body_name(struct req *rq, struct store_call *c,
			      const char *const fields[], const char *name,
			      const char *why, const char **valp)
{
	json_t *body;

	if (!call_load(rq, c))
		return NULL;
	body = api__body_object(rq, fields);
	if (!body)
		return NULL;
	*valp = json_string_value(json_object_get(body, name));
	if (!*valp || !**valp) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "%s: %s is required", name, api__words(rq, why));
		json_decref(body);
		return NULL;
	}
	return body;
}

/* POST /api/v1/calls/{id}/recording {"action": "pause" | "resume"}: the
 * recording of a bridged call pauses (silence in the file, for card
 * numbers) or goes on; by its agent or a supervisor of its queue.
 * Audited; recording.paused / resumed events keep the gaps. */
void api__calls_recording_pause(struct req *rq)
{
	static const char *const fields[] = {"action", NULL};
	struct store_call c;
	const char *action;
	json_t *body;
	bool pause;
	int err;

	body = call_body_name(rq, &c, fields, "action", "pause or resume", &action);
	if (!body)
		return;
	if (strcmp(action, "pause") && strcmp(action, "resume")) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "action: pause or resume is required");
		goto out;
	}
	pause = !strcmp(action, "pause");
	err = rq->api->calls
		  ? callctl_recording(
			rq->api->calls, c.id,
			rq->who.role == ROLE_AGENT ? rq->who.extension : NULL, pause)
		  : ENOENT;
	if (err == EPERM)
		api__forbidden(rq, "pause the recording of a call it is not on");
	else if (err == EALREADY)
		api__reply_error(rq, 409, "Conflict", "already",
				 pause ? "the recording of call '%s' is paused already"
				       : "the recording of call '%s' is running already",
				 c.id);
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_recording",
				 "call '%s' is not being recorded (not bridged)", c.id);
	else {
		api__audit(rq->api, &rq->who,
			   pause ? "recording.pause" : "recording.resume", c.id,
			   "action=%s", action);
		api__reply_committed(rq, 200, "OK", NULL,
				     json_pack("{s:s,s:b}", "id", c.id, "paused", pause));
	}
out:
	json_decref(body);
}

/* POST /api/v1/calls/{id}/transfer {"to": "1002" | "support"}: a blind
 * transfer of a bridged call to an extension or a queue. */
void api__calls_transfer(struct req *rq)
{
	static const char *const fields[] = {"to", NULL};
	struct safe_dial_verdict v;
	struct store_call c;
	const char *to;
	json_t *body;
	int err;

	body = call_body_name(rq, &c, fields, "to", "an extension or a queue", &to);
	if (!body)
		return;
	err = rq->api->calls
		  ? callctl_transfer(
			rq->api->calls, c.id,
			rq->who.role == ROLE_AGENT ? rq->who.extension : NULL, to, &v)
		  : ENOENT;
	if (err == EINVAL)
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "to: \"%s\" is neither an extension, a queue nor a "
				 "number an outbound route takes",
				 to);
	else if (err == EACCES) {
		api__audit(rq->api, &rq->who, "call.dial_refused", c.id,
			   "class=%s code=%s", safe_dial_class_name(v.cls), v.code);
		api__reply_error(rq, 403, "Forbidden", v.code, "%s", v.reason);
	} else if (err == EPERM && rq->who.role == ROLE_AGENT)
		api__forbidden(rq, "transfer a call it is not on");
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_bridged",
				 "call '%s' is not bridged to an agent", c.id);
	else
		api__reply_json(rq, 202, "Accepted",
				json_pack("{s:s,s:s}", "id", c.id, "to", to));
	json_decref(body);
}

/* POST /api/v1/calls/{id}/wrapup {"disposition": "sale", "notes": "..."}:
 * what the agent noted; a call.wrapup event. */
void api__calls_wrapup(struct req *rq)
{
	static const char *const fields[] = {"disposition", "notes", "ticket", NULL};
	const struct cfg_tenant *t = rq->api->tenant;
	struct ticket_change tc = TICKET_CHANGE_INIT;
	struct store_ticket tk;
	struct store_wrapup w;
	struct store_call c;
	const char *disp, *notes, *why = NULL;
	bool known = false;
	json_t *body, *tj, *answer;
	int err;

	if (!call_load(rq, &c))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	disp = json_string_value(json_object_get(body, "disposition"));
	for (size_t i = 0; disp && i < t->dispositionc && !known; i++)
		known = !strcmp(t->dispositions[i], disp);
	if (!known) {
		api__reply_error(
		    rq, 400, "Bad Request", "bad_field",
		    "disposition: one of the tenant's dispositions is required");
		goto out;
	}
	notes = "";
	if (!api__text(rq, body, "notes", 0, 2047, UTIL_TEXT_MULTILINE, &notes))
		goto out;
	/* a ticket from the interaction in the same step: {subject,
	 * priority?}, its description the notes, linked to it and its
	 * customer, in its queue's group */
	tj = json_object_get(body, "ticket");
	if (tj) {
		enum ticket_priority pr;
		const char *prio = json_string_value(json_object_get(tj, "priority"));

		tc.subject = json_string_value(json_object_get(tj, "subject"));
		if (!json_is_object(tj) || !tc.subject || !*tc.subject ||
		    json_object_size(tj) >
			(size_t)(1 + !!json_object_get(tj, "priority")) ||
		    (json_object_get(tj, "priority") &&
		     (!prio || ticket_priority_parse(&pr, prio)))) {
			api__reply_error(
			    rq, 400, "Bad Request", "bad_field",
			    "ticket: {subject, priority?: low|normal|high|urgent}");
			goto out;
		}
		if (prio)
			tc.priority = (int)pr;
		tc.description = notes;
		tc.call = c.id;
		tc.customer = c.customer[0] ? c.customer : NULL;
		tc.group = c.queue[0] ? c.queue : NULL;
		tc.by = rq->who.user;
	}
	memset(&w, 0, sizeof(w));
	util_copy(w.call, sizeof(w.call), c.id);
	util_copy(w.agent, sizeof(w.agent),
		  rq->who.extension[0] ? rq->who.extension : c.agent);
	util_copy(w.disposition, sizeof(w.disposition), disp);
	util_copy(w.notes, sizeof(w.notes), notes);
	w.ts = clock_now_ms();
	/* the wrap-up and its ticket are stored together or not at all */
	store_group_begin(rq->api->store);
	/* the ticket first: a ticket refused (EINVAL) leaves nothing behind */
	err = tj ? ticket_create(api__tickets_engine(rq->api), &tc, w.ts, &tk, &why) : 0;
	if (!err)
		err = store_wrapup_save(rq->api->store, &w);
	store_group_end(rq->api->store);
	if (err == EINVAL) {
		api__reply_error(rq, 400, "Bad Request", "bad_field", "ticket.%s",
				 api__words(rq, why ? why : "invalid"));
		goto out;
	}
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the wrap-up could not be stored: %s", strerror(err));
		goto out;
	}
	event_emit_pack(EVENT_CALL_WRAPUP, c.id, w.agent[0] ? w.agent : NULL,
			c.queue[0] ? c.queue : NULL, "{s:s}", "disposition", disp);
	answer =
	    json_pack("{s:s,s:s,s:s}", "id", c.id, "disposition", disp, "notes", notes);
	if (answer && tj)
		json_object_set_new(answer, "ticket_id", json_string(tk.id));
	api__reply_committed(rq, 200, "OK", NULL, answer);
out:
	json_decref(body);
}

/* POST or PATCH /api/v1/calls/{id}/monitor {"mode": "listen" | "whisper" |
 * "barge" | "takeover", "device": "1009"}: the supervisor's phone (its
 * own extension unless device names one) is called and joins the call in
 * that mode; asked again, the mode changes. Audited. */
void api__calls_monitor(struct req *rq)
{
	static const char *const fields[] = {"mode", "device", NULL};
	struct store_call c;
	const char *mode, *device;
	json_t *body;
	int err;

	if (!call_load(rq, &c))
		return;
	body = api__body_object(rq, fields);
	if (!body)
		return;
	mode = json_string_value(json_object_get(body, "mode"));
	device = json_string_value(json_object_get(body, "device"));
	if (!mode || (strcmp(mode, "listen") && strcmp(mode, "whisper") &&
		      strcmp(mode, "barge") && strcmp(mode, "takeover"))) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "mode: listen, whisper, barge or takeover is required");
		goto out;
	}
	if (json_object_get(body, "device") && (!device || !*device)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "device: an extension is required");
		goto out;
	}
	if (!device)
		device = rq->who.extension;
	if (!*device) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "device: the user has no extension; name one");
		goto out;
	}
	err =
	    rq->api->calls ? callctl_monitor(rq->api->calls, c.id, device, mode) : ENOENT;
	if (err == ENODEV)
		api__reply_error(rq, 409, "Conflict", "not_registered",
				 "device: extension '%s' has no registered phone",
				 device);
	else if (err == EBUSY)
		api__reply_error(rq, 409, "Conflict", "busy",
				 "call '%s' is monitored by another supervisor", c.id);
	else if (err == EPERM)
		api__reply_error(rq, 409, "Conflict", "own_call",
				 "extension '%s' is the call's agent", device);
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_bridged",
				 "call '%s' is not bridged to an agent", c.id);
	else {
		api__audit(rq->api, &rq->who, "call.monitor", c.id, "mode=%s device=%s",
			   mode, device);
		api__reply_json(rq, 202, "Accepted",
				json_pack("{s:s,s:s,s:s}", "id", c.id, "mode", mode,
					  "device", device));
	}
out:
	json_decref(body);
}

/* The agent's third party: an ad-hoc three-way (conference) or a consult
 * first, the target an agent's extension (an agent only on its own
 * call). */
static void third_party(struct req *rq, bool consult)
{
	static const char *const fields[] = {"target", NULL};
	struct store_call c;
	const char *target;
	json_t *body;
	int err;

	body = call_body_name(rq, &c, fields, "target", "an agent's extension", &target);
	if (!body)
		return;
	err = !rq->api->calls ? ENOENT
	      : consult
		  ? callctl_consult(rq->api->calls, c.id,
				    rq->who.role == ROLE_AGENT ? rq->who.extension : NULL,
				    target)
		  : callctl_conference(
			rq->api->calls, c.id,
			rq->who.role == ROLE_AGENT ? rq->who.extension : NULL, target);
	if (err == EINVAL)
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "target: \"%s\" is not another agent's extension",
				 target);
	else if (err == EPERM)
		api__forbidden(rq, "add to a call it is not on");
	else if (err == ENODEV)
		api__reply_error(rq, 409, "Conflict", "not_registered",
				 "target: extension '%s' has no registered phone",
				 target);
	else if (err == EBUSY)
		api__reply_error(rq, 409, "Conflict", "busy",
				 "call '%s' has a third party already", c.id);
	else if (err)
		api__reply_error(rq, 409, "Conflict", "not_bridged",
				 "call '%s' is not bridged to an agent", c.id);
	else
		api__reply_json(rq, 202, "Accepted",
				json_pack("{s:s,s:s}", "id", c.id, "target", target));
	json_decref(body);
}

/* POST /api/v1/calls/{id}/conference {"target": "1003"}: an ad-hoc
 * three-way call: the target's phone is called and joins the customer
 * and the agent. */
void api__calls_conference(struct req *rq)
{
	third_party(rq, false);
}

/* POST /api/v1/calls/{id}/consult {"target": "1003"}: the customer hears
 * music while the target's phone is called and talks with the agent
 * alone; then consult/join or consult/cancel. */
void api__calls_consult(struct req *rq)
{
	third_party(rq, true);
}

static void consult_end(struct req *rq, bool join)
{
	struct store_call c;
	int err;

	if (!call_load(rq, &c))
		return;
	err = rq->api->calls
		  ? callctl_consult_end(
			rq->api->calls, c.id,
			rq->who.role == ROLE_AGENT ? rq->who.extension : NULL, join)
		  : ENOENT;
	if (err == EPERM)
		api__forbidden(rq, "end a consult on a call it is not on");
	else if (err == EAGAIN)
		api__reply_error(rq, 409, "Conflict", "ringing",
				 "the consult's target has not answered yet");
	else if (err)
		api__reply_error(rq, 409, "Conflict", "no_consult",
				 "call '%s' has no consult going on", c.id);
	else
		api__reply_json(rq, 200, "OK",
				json_pack("{s:s,s:s}", "id", c.id, "consult",
					  join ? "joined" : "cancelled"));
}

/* POST /api/v1/calls/{id}/consult/join: the customer joins the agent and
 * the target (the three-way). */
void api__calls_consult_join(struct req *rq)
{
	consult_end(rq, true);
}

/* POST /api/v1/calls/{id}/consult/cancel: the target's leg ends, the
 * customer is back with the agent. */
void api__calls_consult_cancel(struct req *rq)
{
	consult_end(rq, false);
}

/* DELETE /api/v1/calls/{id}/monitor: the supervisor's phone leaves the
 * call; any supervisor of the call's queue may end it (the phone that
 * listens may be a device other than the user's own extension). */
void api__calls_monitor_end(struct req *rq)
{
	struct store_call c;
	int err;

	if (!call_load(rq, &c))
		return;
	err = rq->api->calls ? callctl_monitor_end(rq->api->calls, c.id, NULL) : ENOENT;
	if (err)
		api__reply_error(rq, 409, "Conflict", "not_monitored",
				 "call '%s' is not monitored", c.id);
	else {
		api__audit(rq->api, &rq->who, "call.monitor", c.id, "mode=end");
		api__reply(rq, 204, "No Content", "Content-Length: 0\r\n\r\n");
	}
}
