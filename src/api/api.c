/*
 * api.c — the HTTP API on our server (httpd.c): a route table (method,
 * path pattern with {id}), bearer-token auth for /api/v1, JSON errors
 * with a stable code, the limits a request is read within, and the call
 * routes.
 *
 * Not here: what a call is (store), how calls happen (sip).
 */
#include <ctype.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tcp.h>
#include <re_http.h>
#include <re_md5.h>
#include "core/core.h"
#include "core/cfg.h"
#include "store/store.h"
#include "acd/acd.h"
#include "sip/sip.h"
#include "sip/trunk.h"
#include "app/app.h"
#include "api/api.h"
#include "api/api_int.h"

/* What a request may be, and how long it may take to come: a body over
 * its route's limit (MAX_BODY unless the route says otherwise), or a head
 * over MAX_HEAD, is answered (413, 431) as soon as it shows, never read
 * whole. */
#define MAX_BODY       (256 * 1024)
#define MAX_MEDIA_BODY (20 * 1024 * 1024) /* a prompt of ~20 min as 8 kHz WAV */
#define MAX_HEAD       (16 * 1024)
#define QUEUE_TEXT_MS  250

static const struct httpd_limits http_limits_default = {
    .max_head = MAX_HEAD,
    .max_body = MAX_BODY,
    .head_ms = 10000,	/* slowloris: a head sent a byte at a time */
    .body_ms = 30000,	/* 256 KiB at under 10 KB/s */
    .idle_ms = 75000,	/* a kept-alive connection with nothing to ask */
    .max_conns = 16384, /* http.max_connections sets it */
    .linger_ms = 2000,	/* after a refusal, for the rest of what was sent */
};

/* --- replies ------------------------------------------------------------ */

/*
 * Every reply to a request goes out here: fmt gives the header lines, the
 * blank line and the body, as for http_reply. An answer of the API is
 * private to whoever asked: no cache (a browser's or a proxy's) keeps it
 * for the next user of the machine (RFC 9111 §5.2.2.5).
 */
int api__reply(struct req *rq, uint16_t code, const char *reason, const char *fmt, ...)
{
	va_list ap;
	int err;

	/* %v: libre's printf of a format and its va_list, no copy made */
	va_start(ap, fmt);
	err = http_reply(rq->conn, code, reason, "%s%v",
			 rq->nostore ? "Cache-Control: no-store\r\n" : "", fmt, &ap);
	va_end(ap);
	return err;
}

/* Replies with a JSON body (taken over) and any extra header lines. */
void api__reply_json_hdrs(struct req *rq, uint16_t code, const char *reason,
			  const char *hdrs, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (!s) {
		http_ereply(rq->conn, 500, "Internal Server Error");
		return;
	}
	api__reply(rq, code, reason,
		   "%sContent-Type: application/json\r\n"
		   "Content-Length: %zu\r\n\r\n%s\n",
		   hdrs ? hdrs : "", strlen(s) + 1, s);
	free(s);
}

void api__reply_json(struct req *rq, uint16_t code, const char *reason, json_t *body)
{
	api__reply_json_hdrs(rq, code, reason, NULL, body);
}

json_t *api__words_json(const char *list)
{
	json_t *a = json_array();
	const char *p = list;

	while (a && p && *p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p = comma ? comma + 1 : NULL;
	}
	return a;
}

/* A reply waiting for the writes before it to be committed. */
struct committed {
	struct api *api;
	struct httpd_conn *conn;
	uint16_t code;
	bool nostore; /* the request's: an API answer */
	char reason[32];
	char *hdrs;	   /* extra header lines (a libre string) */
	json_t *body;	   /* NULL: built, or none */
	api_body_h *build; /* makes the body once committed */
	void *arg;	   /* build's, referenced */
};

static void committed_destructor(void *arg)
{
	struct committed *c = arg;

	json_decref(c->body);
	mem_deref(c->hdrs);
	mem_deref(c->arg);
	mem_deref(c->conn);
}

static void committed_h(int err, void *arg)
{
	struct committed *c = arg;
	struct req rq = {.api = c->api, .conn = c->conn, .nostore = c->nostore};
	json_t *body = c->body;

	/* a connection closed meanwhile has no socket: the reply is dropped */
	if (err) {
		api__reply_error(&rq, 503, "Service Unavailable", "store_error",
				 "the change could not be saved");
		return;
	}
	c->body = NULL;
	if (c->build && !(body = c->build(c->api, c->arg))) {
		api__reply_error(&rq, 500, "Internal Server Error", "store_error",
				 "the change was saved but cannot be read back");
		return;
	}
	if (body)
		api__reply_json_hdrs(&rq, c->code, c->reason, c->hdrs, body);
	else
		(void)api__reply(&rq, c->code, c->reason, "%sContent-Length: 0\r\n\r\n",
				 c->hdrs ? c->hdrs : "");
}

static void reply_committed(struct req *rq, uint16_t code, const char *reason,
			    const char *hdrs, json_t *body, api_body_h *build, void *arg)
{
	struct committed *c = mem_zalloc(sizeof(*c), committed_destructor);
	int err = c ? 0 : ENOMEM;

	if (c) {
		c->api = rq->api;
		c->conn = mem_ref(rq->conn);
		c->code = code;
		c->nostore = rq->nostore;
		util_copy(c->reason, sizeof(c->reason), reason);
		c->body = body;
		c->build = build;
		c->arg = mem_ref(arg);
		body = NULL;
		if (hdrs)
			err = str_dup(&c->hdrs, hdrs);
	}
	json_decref(body);
	if (!err)
		err = store_commit_notify(rq->api->store, committed_h, c);
	if (err)
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be saved: %s", strerror(err));
	mem_deref(c);
}

void api__reply_committed(struct req *rq, uint16_t code, const char *reason,
			  const char *hdrs, json_t *body)
{
	reply_committed(rq, code, reason, hdrs, body, NULL, NULL);
}

void api__reply_committed_build(struct req *rq, uint16_t code, const char *reason,
				api_body_h *build, void *arg)
{
	reply_committed(rq, code, reason, NULL, NULL, build, arg);
}

json_t *api__error_json(const char *errcode, const char *msg)
{
	return json_pack("{s:{s:s,s:s}}", "error", "code", errcode, "message", msg);
}

void api__locale(struct req *rq, char *out, size_t sz)
{
	const struct http_hdr *h;
	const char *l = rq->who.user[0] ? api__user_locale(rq->api, rq->who.user) : "";

	out[0] = '\0';
	if (l && *l) {
		util_copy(out, sz, l);
		return;
	}
	/* RFC 9110 §12.5.4: the first range is the one most wanted (a
	 * browser lists its own first); q-values are not weighed */
	h = rq->msg ? http_msg_hdr(rq->msg, HTTP_HDR_ACCEPT_LANGUAGE) : NULL;
	if (h) {
		size_t n = 0;
		while (n < h->val.l && h->val.p[n] != ',' && h->val.p[n] != ';' &&
		       h->val.p[n] != ' ')
			n++;
		if (n && n < sz) {
			memcpy(out, h->val.p, n);
			out[n] = '\0';
		}
	}
}

const char *api__words(struct req *rq, const char *english)
{
	char locale[32];

	api__locale(rq, locale, sizeof(locale));
	return msg_fmt(locale, english);
}

void api__reply_error(struct req *rq, uint16_t code, const char *reason,
		      const char *errcode, const char *fmt, ...)
{
	char msg[256], locale[32];
	va_list ap;

	/* in the asker's language when its catalog has this text: the same
	 * arguments, checked when the catalog was loaded */
	api__locale(rq, locale, sizeof(locale));
	va_start(ap, fmt);
	if (!strcmp(fmt, "%s")) {
		/* a reason passed whole (a module's why): itself the text the
		 * catalog translates */
		const char *why = va_arg(ap, const char *);

		util_copy(msg, sizeof(msg), why ? msg_fmt(locale, why) : "");
	} else {
		fmt = msg_fmt(locale, fmt);
		if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
			util_utf8_trim(msg); /* JSON text must stay UTF-8 */
	}
	va_end(ap);
	api__reply_json(rq, code, reason, api__error_json(errcode, msg));
}

void api__forbidden(struct req *rq, const char *what)
{
	api__reply_error(rq, 403, "Forbidden", "forbidden", "%s may not %s", rq->who.user,
			 api__words(rq, what));
}

/* --- query parameters ----------------------------------------------------- */

/* Finds name in the query string; writes its value (percent-decoded). */
bool api__query_get(const struct http_msg *msg, const char *name, char *val, size_t sz)
{
	struct pl q = msg->prm;
	size_t nlen = strlen(name);

	if (q.l && q.p[0] == '?') {
		q.p++;
		q.l--;
	}
	while (q.l) {
		const char *amp = memchr(q.p, '&', q.l);
		size_t len = amp ? (size_t)(amp - q.p) : q.l;

		if (len > nlen && !strncmp(q.p, name, nlen) && q.p[nlen] == '=') {
			size_t j = 0;
			for (size_t i = nlen + 1; i < len && j + 1 < sz; i++) {
				char c = q.p[i];
				if (c == '%' && i + 2 < len) {
					char hex[3] = {q.p[i + 1], q.p[i + 2], 0};
					c = (char)strtol(hex, NULL, 16);
					i += 2;
				} else if (c == '+') {
					c = ' ';
				}
				val[j++] = c;
			}
			val[j] = '\0';
			return true;
		}
		if (!amp)
			break;
		q.l -= len + 1;
		q.p += len + 1;
	}
	return false;
}

/* A time: UTC milliseconds, or ISO 8601 "2026-11-24T10:00:00Z". */
static int time_parse(const char *s, uint64_t *msp)
{
	struct tm tm;
	char *end;
	unsigned long long v;

	if (!*s)
		return EINVAL;
	v = strtoull(s, &end, 10);
	if (!*end) {
		*msp = v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z")))
		return EINVAL;
	*msp = (uint64_t)timegm(&tm) * 1000;
	return 0;
}

/* A numeric query parameter in [min, max]; false when it replied 400. */
bool api__query_uint(struct req *rq, const char *name, long min, long max, uint32_t *vp)
{
	char v[64], *end;
	long n;

	if (!api__query_get(rq->msg, name, v, sizeof(v)))
		return true;
	n = strtol(v, &end, 10);
	if (*end || !*v || n < min || n > max) {
		api__reply_error(rq, 400, "Bad Request", "bad_parameter",
				 "%s: \"%s\" is not a number from %ld to %ld", name, v,
				 min, max);
		return false;
	}
	*vp = (uint32_t)n;
	return true;
}

/* A time query parameter; false when it replied 400. */
bool api__query_time(struct req *rq, const char *name, uint64_t *msp)
{
	char v[64];

	if (!api__query_get(rq->msg, name, v, sizeof(v)) || !time_parse(v, msp))
		return true;
	api__reply_error(rq, 400, "Bad Request", "bad_parameter",
			 "%s: \"%s\" is not a time (UTC ms or ISO 8601)", name, v);
	return false;
}

/*
 * The field of the body text that the string holding byte pos belongs to,
 * as a path ("name", "fields.vip", "tags[2]"), for a body jansson refused
 * as text (invalid UTF-8, a lone surrogate escape): jansson says where,
 * not in which field. Not a JSON parser: it only follows the nesting up
 * to pos. false: pos is not in or just after a string.
 */
static bool body_path_at(const char *s, size_t len, size_t pos, char *path, size_t sz)
{
	struct {
		bool obj, want_key;
		char key[48];
		size_t index;
	} st[16];
	int depth = -1;
	bool found = false;

	for (size_t i = 0; i < len && i < pos; i++) {
		size_t start = i, n;

		if (s[i] == '{' || s[i] == '[') {
			if (++depth >= (int)(sizeof(st) / sizeof(st[0])))
				return found;
			st[depth].obj = s[i] == '{';
			st[depth].want_key = st[depth].obj;
			st[depth].key[0] = '\0';
			st[depth].index = 0;
			continue;
		}
		if (depth < 0)
			continue;
		if (s[i] == '}' || s[i] == ']') {
			depth--;
			continue;
		}
		if (s[i] == ',') {
			st[depth].index++;
			st[depth].want_key = st[depth].obj;
			continue;
		}
		if (s[i] != '"')
			continue;
		for (i++; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		n = i - start - 1 < sizeof(st[0].key) - 1 ? i - start - 1
							  : sizeof(st[0].key) - 1;
		if (st[depth].obj && st[depth].want_key) {
			memcpy(st[depth].key, s + start + 1, n);
			st[depth].key[n] = '\0';
			st[depth].want_key = false;
			/* a key that is not text is named by the key before */
			path[0] = '\0';
			found = true;
			continue;
		}
		/* this value's path, in case the error is in it */
		path[0] = '\0';
		for (int d = 0; d <= depth; d++) {
			size_t l = strlen(path);
			if (st[d].obj)
				snprintf(path + l, sz - l, "%s%s", l ? "." : "",
					 st[d].key);
			else
				snprintf(path + l, sz - l, "[%zu]", st[d].index);
		}
		found = true;
	}
	if (found && !path[0])
		util_copy(path, sz, "a field name");
	return found;
}

/* Every string of v (and every key) is text (util_text_check, several
 * lines allowed: the route asks for one line where it must); false with
 * the first that is not, its path in path. */
static bool body_text_ok(const json_t *v, char *path, size_t sz, const char **why)
{
	size_t l = strlen(path), i;
	const char *key;
	json_t *x;

	if (json_is_string(v))
		return !util_text_check(json_string_value(v), 0, UTIL_TEXT_MULTILINE,
					why);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			snprintf(path + l, sz - l, "[%zu]", i);
			if (!body_text_ok(x, path, sz, why))
				return false;
		}
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, x)
		{
			snprintf(path + l, sz - l, "%s%.48s", l ? "." : "", key);
			if (util_text_check(key, 0, 0, why) ||
			    !body_text_ok(x, path, sz, why))
				return false;
		}
	}
	path[l] = '\0';
	return true;
}

/*
 * The request's body as a JSON object with no fields but those listed;
 * NULL after replying 400 (not JSON, not an object, an unknown field,
 * a string that is not text: invalid UTF-8, an overlong form, a lone
 * surrogate escape, a control character but \n and \t, a bidi override;
 * bad_text naming the field). The caller owns the result.
 */
json_t *api__body_object(struct req *rq, const char *const fields[])
{
	json_error_t jerr;
	json_t *body, *v;
	const char *key, *why;
	char names[128] = "", path[128] = "";

	body = rq->msg->mb ? json_loadb((const char *)mbuf_buf(rq->msg->mb),
					mbuf_get_left(rq->msg->mb), 0, &jerr)
			   : NULL;
	if (!body && rq->msg->mb &&
	    (json_error_code(&jerr) == json_error_invalid_utf8 ||
	     strstr(jerr.text, "Unicode") || strstr(jerr.text, "control character") ||
	     strstr(jerr.text, "\\u0000")) &&
	    body_path_at((const char *)mbuf_buf(rq->msg->mb), mbuf_get_left(rq->msg->mb),
			 (size_t)jerr.position, path, sizeof(path))) {
		api__reply_error(rq, 400, "Bad Request", "bad_text", "%s: not text (%s)",
				 path, jerr.text);
		return NULL;
	}
	if (!body || !json_is_object(body)) {
		api__reply_error(rq, 400, "Bad Request", "bad_json",
				 "the body must be a JSON object%s%s", body ? "" : ": ",
				 body ? "" : jerr.text);
		json_decref(body);
		return NULL;
	}
	json_object_foreach(body, key, v)
	{
		size_t i;
		for (i = 0; fields[i] && strcmp(fields[i], key); i++)
			;
		if (fields[i])
			continue;
		for (i = 0; fields[i]; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", i ? ", " : "", fields[i]);
		api__reply_error(rq, 400, "Bad Request", "unknown_field",
				 "%s: unknown field (%s)", key, names);
		json_decref(body);
		return NULL;
	}
	if (!body_text_ok(body, path, sizeof(path), &why)) {
		api__reply_error(rq, 400, "Bad Request", "bad_text", "%s: %s", path,
				 api__words(rq, why));
		json_decref(body);
		return NULL;
	}
	return body;
}

bool api__text(struct req *rq, const json_t *body, const char *key, size_t minc,
	       size_t maxc, unsigned flags, const char **vp)
{
	json_t *v = json_object_get(body, key);
	const char *s = json_string_value(v), *why = NULL;
	int err;

	if (!v)
		return true;
	err = s ? util_text_check(s, maxc, flags, &why) : EINVAL;
	if (!err && util_utf8_len(s) < minc)
		err = E2BIG;
	if (err == EILSEQ) {
		api__reply_error(rq, 400, "Bad Request", "bad_text", "%s: %s", key,
				 api__words(rq, why));
		return false;
	}
	if (err) {
		if (minc)
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "%s: text of %zu-%zu characters", key, minc,
					 maxc);
		else
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "%s: text of at most %zu characters", key, maxc);
		return false;
	}
	*vp = s;
	return true;
}

/* --- routes ----------------------------------------------------------------- */

static void health(struct req *rq)
{
	api__reply_json(rq, 200, "OK", json_pack("{s:s}", "status", "ok"));
}

/* The tenant's codes: pause reasons, dispositions. */
static void codes_reply(struct req *rq, const char *key, const char (*codes)[32],
			size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(codes[i]));
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", key, arr));
}

static void pause_reasons(struct req *rq)
{
	codes_reply(rq, "pause_reasons", rq->api->tenant->pause_reasons,
		    rq->api->tenant->pause_reasonc);
}

static void dispositions(struct req *rq)
{
	codes_reply(rq, "dispositions", rq->api->tenant->dispositions,
		    rq->api->tenant->dispositionc);
}

/* --- agents ------------------------------------------------------------- */

/* The agent of the path, if it exists and rq's user may see it; false
 * after replying 404 or 403. */
static bool agent_visible(struct req *rq, struct acd_agent_info *in)
{
	if (acd_agent_info(rq->api->acd, rq->id, in)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no agent '%s'",
				 rq->id);
		return false;
	}
	if (!api__sees_agent(rq->api, &rq->who, rq->id)) {
		api__forbidden(rq, "see or change this agent");
		return false;
	}
	return true;
}

static json_t *agent_json(struct api *a, const struct acd_agent_info *in)
{
	const struct cfg_agent *ca = cfg_agent_find(a->tenant, in->ext);
	struct registrar_contact c;
	bool reg = a->reg && !registrar_contact(a->reg, in->ext, &c);
	json_t *o = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:I,s:o,s:I,s:i,s:i,s:{s:i,s:i,s:i,s:i}}",
	    "ext", in->ext, "name", ca ? ca->name : "", "state",
	    acd_state_name(in->state), "presence", acd_presence_name(in->presence),
	    "reason", in->reason, "busy",
	    in->state == AGENT_ST_RINGING || in->state == AGENT_ST_BUSY, "registered",
	    reg, "since", (json_int_t)in->since, "since_at", api__time_json(in->since),
	    "wrapup_until", (json_int_t)in->wrapup_until, "answered", (int)in->answered,
	    "misses", (int)in->misses, "load", "voice", (int)in->load[ACD_VOICE], "chat",
	    (int)in->load[ACD_CHAT], "mail", (int)in->load[ACD_MAIL], "message",
	    (int)in->load[ACD_MESSAGE]);

	/* skills and capacity from the tenant file, for the admin's table */
	if (o)
		json_object_update_new(o, api__agent_conf_json(a, in->ext));
	return o;
}

/* ?state= those in that state; ?limit= &offset= a page of them (all by
 * default); total counts every match. */
static void agents_list(struct req *rq)
{
	struct acd_agent_info in;
	uint32_t limit = UINT32_MAX, offset = 0, total = 0;
	char state[32];
	int want = -1;
	json_t *arr;

	if (!api__query_uint(rq, "limit", 1, 1000, &limit) ||
	    !api__query_uint(rq, "offset", 0, 1000000, &offset))
		return;
	if (api__query_get(rq->msg, "state", state, sizeof(state))) {
		for (int st = 0; st < AGENT_ST_COUNT; st++) {
			if (!strcmp(state, acd_state_name((enum agent_state)st)))
				want = st;
		}
		if (want < 0) {
			api__reply_error(rq, 400, "Bad Request", "bad_parameter",
					 "state: \"%s\" is not an agent state", state);
			return;
		}
	}
	arr = json_array();
	for (size_t i = 0; i < acd_agent_count(rq->api->acd); i++) {
		if (acd_agent_at(rq->api->acd, i, &in) ||
		    !api__sees_agent(rq->api, &rq->who, in.ext) ||
		    (want >= 0 && (int)in.state != want))
			continue;
		if (total++ >= offset && json_array_size(arr) < limit)
			json_array_append_new(arr, agent_json(rq->api, &in));
	}
	api__reply_json(rq, 200, "OK",
			json_pack("{s:o,s:i,s:i}", "agents", arr, "total", (int)total,
				  "offset", (int)offset));
}

static void agents_get(struct req *rq)
{
	struct acd_agent_info in;

	if (!agent_visible(rq, &in))
		return;
	api__reply_json(rq, 200, "OK", agent_json(rq->api, &in));
}

/*
 * The agent's SIP credentials for the desktop's own phone (web/phone.js):
 * its extension, the realm and the digest HA1s, so the browser registers
 * and answers challenges like a desk phone without the password. Only the
 * agent itself gets them: an admin or supervisor seeing the agent does not
 * become able to register as it. Never cached.
 */
static void ha1_hex(char *out, bool sha, const char *ext, const char *realm,
		    const char *pw)
{
	char in[256];
	uint8_t d[crypto_hash_sha256_BYTES];
	size_t n = sha ? sizeof(d) : MD5_SIZE;
	int len = snprintf(in, sizeof(in), "%s:%s:%s", ext, realm, pw);

	if (len < 0 || (size_t)len >= sizeof(in)) {
		out[0] = '\0';
		return;
	}
	if (sha)
		crypto_hash_sha256(d, (const unsigned char *)in, (size_t)len);
	else
		md5((const uint8_t *)in, (size_t)len, d);
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	sodium_memzero(in, sizeof(in));
}

static void agents_phone(struct req *rq)
{
	struct acd_agent_info in;
	const struct cfg_agent *ca;
	const char *realm = rq->api->node->realm;
	char md5h[33] = "", sha[65] = "";

	if (!agent_visible(rq, &in))
		return;
	if (rq->who.role != ROLE_AGENT || strcmp(rq->who.extension, rq->id)) {
		api__forbidden(rq, "take another's phone credentials");
		return;
	}
	ca = cfg_agent_find(rq->api->tenant, rq->id);
	if (!ca) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no agent '%s'",
				 rq->id);
		return;
	}
	/* the tenant's HA1s when it keeps those, else made from the password */
	if (ca->ha1_md5[0])
		str_ncpy(md5h, ca->ha1_md5, sizeof(md5h));
	else if (ca->password[0])
		ha1_hex(md5h, false, ca->ext, realm, ca->password);
	if (ca->ha1_sha256[0])
		str_ncpy(sha, ca->ha1_sha256, sizeof(sha));
	else if (ca->password[0])
		ha1_hex(sha, true, ca->ext, realm, ca->password);
	if (!md5h[0] && !sha[0]) {
		api__reply_error(rq, 409, "Conflict", "no_credentials",
				 "agent '%s' has no SIP password", rq->id);
		return;
	}
	api__reply_json(rq, 200, "OK",
			json_pack("{s:s,s:s,s:s,s:s}", "extension", ca->ext, "realm",
				  realm, "ha1", md5h, "ha1_sha256", sha));
}

/* POST {"state": "available" | "paused" | "logged_out", "reason": "lunch"} */
static void agents_state(struct req *rq)
{
	struct acd_agent_info in;
	enum agent_presence p;
	json_t *body, *v;
	const char *state, *reason = NULL;
	int err;

	if (!agent_visible(rq, &in))
		return;
	static const char *const fields[] = {"state", "reason", NULL};

	body = api__body_object(rq, fields);
	if (!body)
		return;
	state = json_string_value(json_object_get(body, "state"));
	if (!state || acd_presence_parse(&p, state)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "state: must be available, paused or logged_out");
		json_decref(body);
		return;
	}
	v = json_object_get(body, "reason");
	if (v && !json_is_string(v)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "reason: must be a string");
		json_decref(body);
		return;
	}
	reason = v ? json_string_value(v) : NULL;
	err = acd_agent_set(rq->api->acd, rq->id, p, reason, clock_now_ms());
	if (err == EINVAL)
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "reason: \"%s\" is not a configured pause reason",
				 reason);
	else if (err == EALREADY)
		api__reply_error(rq, 409, "Conflict", "conflict",
				 "agent '%s' is logged out: log in before pausing",
				 rq->id);
	else if (err)
		api__reply_error(rq, 500, "Internal Server Error", "error", "%s",
				 strerror(err));
	else if (!acd_agent_info(rq->api->acd, rq->id, &in))
		api__reply_json(rq, 200, "OK", agent_json(rq->api, &in));
	json_decref(body);
}

/* --- queues ------------------------------------------------------------ */

static json_t *ratio_json(double r)
{
	return r < 0 ? json_null() : json_real(r);
}

static json_t *stats_json(const struct acd_queue_stats *st)
{
	json_t *exits = json_object();

	for (int i = 0; i < ACD_EXITS; i++)
		json_object_set_new(exits, acd_exit_name((enum acd_exit)i),
				    json_integer(st->exits[i]));
	return json_pack(
	    "{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:"
	    "o,s:o,s:i,s:o}",
	    "offered", (int)st->offered, "answered", (int)st->answered,
	    "answered_within_threshold", (int)st->answered_in_sl, "abandoned",
	    (int)st->abandoned, "abandoned_within_threshold", (int)st->abandoned_in_sl,
	    "short_abandoned", (int)st->short_abandoned, "exited", (int)st->exited,
	    "exits", exits, "transferred", (int)st->transferred, "ring_no_answer",
	    (int)st->noanswer, "handled", (int)st->handled, "max_wait_ms",
	    (json_int_t)st->max_wait_ms, "talk_ms", (json_int_t)st->talk_ms, "wrapup_ms",
	    (json_int_t)st->wrapup_ms, "service_level_threshold_ms",
	    (json_int_t)st->sl_threshold_ms, "service_level",
	    ratio_json(st->service_level), "service_level_with_abandons",
	    ratio_json(st->service_level_abandons), "asa_ms", ratio_json(st->asa_ms),
	    "aht_ms", ratio_json(st->aht_ms), "abandon_rate",
	    ratio_json(st->abandon_rate), "first_responses", (int)st->first_responses,
	    "first_response_ms", ratio_json(st->first_response_ms));
}

/* What the queue looks like now: waiting callers, agents by state, and
 * today's figures. */
static json_t *queue_json(struct api *a, const struct acd_queue_info *qi)
{
	const struct cfg_queue *cq = cfg_queue_find(a->tenant, qi->name);
	uint64_t now = clock_now_ms();
	struct acd_queue_stats st;
	json_t *agents = json_object(), *exts = json_array(), *o;

	for (int i = 0; i < AGENT_ST_COUNT; i++)
		json_object_set_new(agents, acd_state_name((enum agent_state)i),
				    json_integer((json_int_t)qi->agents[i]));
	for (size_t i = 0; i < qi->members; i++)
		json_array_append_new(
		    exts, json_string(acd_queue_member_at(a->acd, qi->name, i)));
	(void)acd_stats_queue(a->stats, qi->name, now, &st);
	o = json_pack("{s:s,s:s,s:i,s:f,s:i,s:o,s:i,s:I,s:o,s:o}", "name", qi->name,
		      "strategy", acd_strategy_name(qi->strategy), "priority",
		      qi->conf->priority, "service_level_target",
		      (cq ? cq->sl_target_pct : 80) / 100.0, "members", (int)qi->members,
		      "member_agents", exts, "waiting", (int)qi->waiting,
		      "longest_wait_ms",
		      (json_int_t)(qi->oldest && now > qi->oldest ? now - qi->oldest : 0),
		      "agents", agents, "today", stats_json(&st));
	/* its figures and its members' states are of its channel */
	if (o)
		json_object_set_new(o, "channel",
				    json_string(acd_channel_name(qi->channel)));
	/* the settings the queue form shows (a queue out of the file has none) */
	if (o && cq) {
		json_t *skills = json_object();

		for (size_t i = 0; i < cq->skillc; i++)
			json_object_set_new(skills, cq->skills[i].name,
					    json_integer(cq->skills[i].level));
		json_object_set_new(
		    o, "settings",
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "ring_timeout_ms",
			      (json_int_t)cq->ring_timeout_ms, "max_wait_ms",
			      (json_int_t)cq->max_wait_ms, "max_len",
			      (json_int_t)cq->max_len, "wrapup_ms",
			      (json_int_t)cq->wrapup_ms, "service_level_ms",
			      (json_int_t)cq->sl_threshold_ms, "skills", skills));
	}
	return o;
}

/* The queue of the path, if it exists and rq's user may see it; false
 * after replying 404 or 403. */
static bool queue_visible(struct req *rq, struct acd_queue_info *qi)
{
	if (acd_queue_info(rq->api->acd, rq->id, qi)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no queue '%s'",
				 rq->id);
		return false;
	}
	if (!api__sees_queue(rq->api, &rq->who, rq->id)) {
		api__forbidden(rq, "see this queue");
		return false;
	}
	return true;
}

/* The i-th queue's JSON text, rebuilt when an event touched the queue or
 * it is QUEUE_TEXT_MS old: a wallboard's poll costs a copy, not a JSON
 * tree (that was three quarters of the request). NULL: no such queue. */
static const char *queue_text(struct api *a, size_t i)
{
	uint64_t now = clock_mono_ms();
	struct acd_queue_info qi;
	json_t *o;

	if (i >= a->qtextc || acd_queue_at(a->acd, i, &qi))
		return NULL;
	if (a->qtext[i].text && !a->qtext[i].dirty &&
	    now - a->qtext[i].built < QUEUE_TEXT_MS)
		return a->qtext[i].text;
	o = queue_json(a, &qi);
	free(a->qtext[i].text);
	a->qtext[i].text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	a->qtext[i].built = now;
	a->qtext[i].dirty = false;
	return a->qtext[i].text;
}

int api__queues_changed(struct api *a)
{
	size_t n = acd_queue_count(a->acd);

	if (n > a->qtextc) {
		void *v = realloc(a->qtext, (n + 1) * sizeof(*a->qtext));
		if (!v)
			return ENOMEM;
		a->qtext = v;
		memset(&a->qtext[a->qtextc], 0, (n + 1 - a->qtextc) * sizeof(*a->qtext));
		a->qtextc = n;
	}
	for (size_t i = 0; i < a->qtextc; i++)
		a->qtext[i].dirty = true;
	return 0;
}

/* An event touched queue (NULL: every queue). */
static void queue_text_dirty(struct api *a, const char *queue)
{
	struct acd_queue_info qi;

	for (size_t i = 0; i < a->qtextc; i++) {
		if (!queue || (!acd_queue_at(a->acd, i, &qi) && !strcmp(qi.name, queue)))
			a->qtext[i].dirty = true;
	}
}

static void queues_list(struct req *rq)
{
	struct api *a = rq->api;
	struct acd_queue_info qi;
	struct mbuf *mb = mbuf_alloc(4096);
	bool first = true;

	if (!mb) {
		http_ereply(rq->conn, 500, "Internal Server Error");
		return;
	}
	(void)mbuf_write_str(mb, "{\"queues\":[");
	for (size_t i = 0; i < acd_queue_count(a->acd); i++) {
		const char *text;
		if (acd_queue_at(a->acd, i, &qi) ||
		    !api__sees_queue(a, &rq->who, qi.name) || !(text = queue_text(a, i)))
			continue;
		if (!first)
			(void)mbuf_write_u8(mb, ',');
		(void)mbuf_write_str(mb, text);
		first = false;
	}
	(void)mbuf_write_str(mb, "]}\n");
	api__reply(rq, 200, "OK",
		   "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%b",
		   mb->end, mb->buf, mb->end);
	mem_deref(mb);
}

static void queues_get(struct req *rq)
{
	struct acd_queue_info qi;

	if (!queue_visible(rq, &qi))
		return;
	api__reply_json(rq, 200, "OK", queue_json(rq->api, &qi));
}

char *api__queue_snapshot(struct api *a, const char *queue)
{
	struct acd_queue_info qi;

	for (size_t i = 0; i < a->qtextc; i++) {
		if (!acd_queue_at(a->acd, i, &qi) && !strcmp(qi.name, queue)) {
			const char *text = queue_text(a, i);
			return text ? strdup(text) : NULL;
		}
	}
	return NULL;
}

const char *api__queue_name(struct api *a, size_t i)
{
	struct acd_queue_info qi;

	return acd_queue_at(a->acd, i, &qi) ? NULL : qi.name;
}

/* One origin of a comma list, spaces around it left out. */
static bool origin_listed(const char *list, const struct pl *origin)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		struct pl item = {p, n};

		while (item.l && *item.p == ' ') {
			item.p++;
			item.l--;
		}
		while (item.l && item.p[item.l - 1] == ' ')
			item.l--;
		if (item.l && !pl_casecmp(&item, origin))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

/*
 * May the page that opens the stream do so? Browsers send Origin with a
 * WebSocket and nothing stops another site's page from opening ours with
 * the user's cookie (cross-site WebSocket hijacking): only the server's
 * own pages (the Origin names the Host asked for) and the configured
 * origins may. A client without Origin is no browser; its token says who.
 */
static bool origin_allowed(const struct api *a, const struct http_msg *msg)
{
	const struct http_hdr *o = http_msg_xhdr(msg, "Origin");
	const struct http_hdr *host = http_msg_hdr(msg, HTTP_HDR_HOST);
	struct pl rest;

	if (!o)
		return true;
	rest = o->val;
	if (rest.l > 7 && !strncasecmp(rest.p, "http://", 7))
		pl_advance(&rest, 7);
	else if (rest.l > 8 && !strncasecmp(rest.p, "https://", 8))
		pl_advance(&rest, 8);
	else
		rest.l = 0;
	if (rest.l && host && !pl_casecmp(&rest, &host->val))
		return true;
	return origin_listed(a->node->stream_origins, &o->val);
}

/* Is the request a WebSocket's opening from a page that may open what?
 * Otherwise it is answered (426, 403). */
static bool ws_gate(struct req *rq, const char *what)
{
	if (!http_msg_hdr_has_value(rq->msg, HTTP_HDR_UPGRADE, "websocket")) {
		api__reply_error(rq, 426, "Upgrade Required", "upgrade_required",
				 "this route is a WebSocket: send Upgrade: websocket");
		return false;
	}
	if (!origin_allowed(rq->api, rq->msg)) {
		api__reply_error(rq, 403, "Forbidden", "bad_origin",
				 "pages of this origin may not open %s", what);
		return false;
	}
	return true;
}

/*
 * GET /api/v1/events, upgraded to a WebSocket: the live event stream,
 * what the user may see of it. Browsers cannot set headers on a
 * WebSocket: pages are signed in by their cookie, and a token may also
 * come as ?access_token=; ?types=agent.,queue. narrows what is sent.
 */
static void events_stream(struct req *rq)
{
	char types[128];
	int err;

	if (!ws_gate(rq, "the event stream"))
		return;
	if (!api__query_get(rq->msg, "types", types, sizeof(types)))
		types[0] = '\0';
	err = api__stream_accept(rq->api->stream, rq->conn, rq->msg, types, &rq->who);
	if (err == EUSERS)
		api__reply_error(rq, 429, "Too Many Requests", "too_many_streams",
				 "%s holds %u event streams already: close one",
				 rq->who.user, rq->api->node->streams_per_user);
	else if (err == EMFILE)
		api__reply_error(rq, 503, "Service Unavailable", "too_many_clients",
				 "too many event stream clients");
	else if (err)
		api__reply_error(rq, 400, "Bad Request", "bad_upgrade",
				 "the WebSocket handshake failed: %s", strerror(err));
}

void api_sipws_set(struct api *a, struct sipws *s)
{
	if (a)
		a->sipws = s;
}

/*
 * GET /sip, upgraded to a WebSocket with the subprotocol "sip" (RFC
 * 7118): the browser's phone. Its SIP is relayed to our SIP listener
 * (src/sip/ws_transport.c), where REGISTER's digest says who it is; the
 * page's Origin is checked as the event stream's, so another site's page
 * cannot use a signed-in agent's browser to place calls.
 */
static void sip_socket(struct req *rq)
{
	int err;

	if (!ws_gate(rq, "the SIP socket"))
		return;
	if (!rq->api->sipws) {
		api__reply_error(rq, 503, "Service Unavailable", "unavailable",
				 "SIP over WebSocket is not running");
		return;
	}
	err = sipws_accept(rq->api->sipws, rq->conn, rq->msg);
	if (err == EPROTONOSUPPORT)
		api__reply_error(rq, 400, "Bad Request", "bad_upgrade",
				 "ask for the WebSocket subprotocol sip "
				 "(Sec-WebSocket-Protocol: sip)");
	else if (err == EBADMSG)
		api__reply_error(rq, 400, "Bad Request", "bad_upgrade",
				 "the WebSocket handshake failed");
	else if (err)
		api__reply_error(rq, 503, "Service Unavailable", "unavailable",
				 "cannot reach the SIP listener: %s", strerror(err));
}

static json_t *agent_stats_json(const char *ext, const struct acd_agent_stats *st)
{
	json_t *t = json_object();

	for (int i = 0; i < AGENT_ST_COUNT; i++)
		json_object_set_new(t, acd_state_name((enum agent_state)i),
				    json_integer((json_int_t)st->time_ms[i]));
	return json_pack("{s:s,s:o,s:i,s:i,s:o,s:o}", "agent", ext, "time_ms", t,
			 "answered", (int)st->answered, "ring_no_answer",
			 (int)st->noanswer, "occupancy", ratio_json(st->occupancy),
			 "utilisation", ratio_json(st->utilisation));
}

static int stats_one(const struct hl_event *ev, void *arg);

/*
 * Statistics over [from, to) rebuilt from the stored event log (with the
 * tenant's service-level thresholds); NULL after replying the error. A
 * range needs at least one of from/to (the caller checks).
 */
static struct acd_stats *stats_range(struct req *rq, uint64_t from, uint64_t to)
{
	struct acd_stats *rs = NULL;

	if (to && from >= to) {
		api__reply_error(rq, 400, "Bad Request", "bad_query",
				 "from: must be before to");
		return NULL;
	}
	if (acd_stats_alloc(&rs, 0, 5000)) {
		api__reply_error(rq, 500, "Internal Server Error", "error",
				 "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < rq->api->tenant->queuec; i++)
		(void)acd_stats_threshold(rs, rq->api->tenant->queuev[i].name,
					  rq->api->tenant->queuev[i].sl_threshold_ms);
	if (store_event_list(rq->api->store, from, to, NULL, stats_one, rs)) {
		mem_deref(rs);
		api__reply_error(rq, 500, "Internal Server Error", "store_error",
				 "the event log could not be read");
		return NULL;
	}
	return rs;
}

/*
 * GET /api/v1/agents/{id}/stats: time in each state, answered, ring no
 * answer, occupancy and utilisation (docs/METRICS.md), today or, with
 * from/to, rebuilt from the stored event log.
 */
static void agents_stats(struct req *rq)
{
	struct acd_agent_info in;
	struct acd_agent_stats st;
	struct acd_stats *rs;
	uint64_t from = 0, to = 0, now = clock_now_ms();

	if (!agent_visible(rq, &in))
		return;
	if (!api__query_time(rq, "from", &from) || !api__query_time(rq, "to", &to))
		return;
	if (!from && !to) {
		(void)acd_stats_agent(rq->api->stats, rq->id, now, &st);
		api__reply_json(rq, 200, "OK", agent_stats_json(rq->id, &st));
		return;
	}
	rs = stats_range(rq, from, to);
	if (!rs)
		return;
	(void)acd_stats_agent(rs, rq->id, to ? to : now, &st);
	mem_deref(rs);
	api__reply_json(rq, 200, "OK", agent_stats_json(rq->id, &st));
}

static int stats_one(const struct hl_event *ev, void *arg)
{
	acd_stats_feed(arg, ev);
	return 0;
}

/*
 * GET /api/v1/queues/{id}/stats: today's live figures, or with from/to
 * the same figures rebuilt from the stored event log for that range.
 */
static void queues_stats(struct req *rq)
{
	struct acd_queue_info qi;
	struct acd_queue_stats st;
	struct acd_stats *rs;
	uint64_t from = 0, to = 0, now = clock_now_ms();

	if (!queue_visible(rq, &qi))
		return;
	if (!api__query_time(rq, "from", &from) || !api__query_time(rq, "to", &to))
		return;
	if (!from && !to) {
		(void)acd_stats_queue(rq->api->stats, rq->id, now, &st);
		api__reply_json(rq, 200, "OK",
				json_pack("{s:s,s:s,s:s,s:i,s:I,s:o}", "queue", rq->id,
					  "channel", acd_channel_name(qi.channel),
					  "range", "today", "waiting", (int)qi.waiting,
					  "longest_wait_ms",
					  (json_int_t)(qi.oldest ? now - qi.oldest : 0),
					  "stats", stats_json(&st)));
		return;
	}
	rs = stats_range(rq, from, to);
	if (!rs)
		return;
	(void)acd_stats_queue(rs, rq->id, to ? to : now, &st);
	mem_deref(rs);
	api__reply_json(rq, 200, "OK",
			json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "queue", rq->id, "channel",
				  acd_channel_name(qi.channel), "range", "events", "from",
				  (json_int_t)from, "to", (json_int_t)(to ? to : now),
				  "stats", stats_json(&st)));
}

/*
 * GET /api/v1/stats/hourly?hours=8: offered, answered and abandoned per
 * hour over the queues the user sees, for a wallboard's chart. One pass
 * over the stored events into one set of figures, read off at each hour's
 * end: the counts are the differences (a call that waits across the hour
 * counts where each of its events fell), the same figures as any report.
 */
struct hourly {
	struct req *rq;
	struct acd_stats *rs;
	uint64_t from;
	uint32_t hours, done;
	int channel; /* the queues of one channel (enum cfg_channel), -1 all */
	/* cumulative at each hour's end: offered, answered, abandoned, first
	 * responses and their summed time */
	uint64_t totals[49][5];
};

static void hourly_read(struct hourly *h, uint64_t at)
{
	const struct cfg_tenant *t = h->rq->api->tenant;
	uint64_t *tot = h->totals[h->done++];

	for (size_t i = 0; i < t->queuec; i++) {
		struct acd_queue_stats st;
		if (!api__sees_queue(h->rq->api, &h->rq->who, t->queuev[i].name) ||
		    (h->channel >= 0 && (int)t->queuev[i].channel != h->channel) ||
		    acd_stats_queue(h->rs, t->queuev[i].name, at, &st))
			continue;
		tot[0] += st.offered;
		tot[1] += st.answered;
		tot[2] += st.abandoned + st.short_abandoned;
		tot[3] += st.first_responses;
		tot[4] += st.first_response_total_ms;
	}
}

static int hourly_one(const struct hl_event *ev, void *arg)
{
	struct hourly *h = arg;

	while (h->done < h->hours && ev->ts >= h->from + (h->done + 1) * 3600000ULL)
		hourly_read(h, h->from + (h->done + 1) * 3600000ULL);
	acd_stats_feed(h->rs, ev);
	return 0;
}

static void stats_hourly(struct req *rq)
{
	struct hourly h = {.rq = rq, .hours = 8, .channel = -1};
	char channel[16];
	uint64_t now = clock_now_ms();
	json_t *arr;

	if (!api__query_uint(rq, "hours", 1, 48, &h.hours))
		return;
	if (api__query_get(rq->msg, "channel", channel, sizeof(channel))) {
		for (int ch = 0; ch < ACD_CHANNELS; ch++) {
			if (!strcmp(channel, acd_channel_name((enum acd_channel)ch)))
				h.channel = ch;
		}
		if (h.channel < 0) {
			api__reply_error(rq, 400, "Bad Request", "bad_parameter",
					 "channel: \"%s\" is not voice, chat, mail or "
					 "message",
					 channel);
			return;
		}
	}
	h.from = now - now % 3600000ULL - (h.hours - 1) * 3600000ULL;
	if (acd_stats_alloc(&h.rs, 0, 5000)) {
		api__reply_error(rq, 500, "Internal Server Error", "error",
				 "out of memory");
		return;
	}
	if (store_event_list(rq->api->store, h.from, 0, NULL, hourly_one, &h)) {
		mem_deref(h.rs);
		api__reply_error(rq, 500, "Internal Server Error", "store_error",
				 "the event log could not be read");
		return;
	}
	while (h.done < h.hours)
		hourly_read(
		    &h, h.done + 1 == h.hours ? now : h.from + (h.done + 1) * 3600000ULL);
	mem_deref(h.rs);
	arr = json_array();
	for (uint32_t i = 0; i < h.hours; i++) {
		const uint64_t *c = h.totals[i], *p = i ? h.totals[i - 1] : NULL;
		uint64_t d[5];
		for (int k = 0; k < 5; k++)
			d[k] = c[k] - (p ? p[k] : 0);
		/* the hour's first responses: those made in it (chats) */
		json_array_append_new(
		    arr,
		    json_pack("{s:o,s:i,s:i,s:i,s:i,s:o}", "start",
			      api__time_json(h.from + i * 3600000ULL), "offered",
			      (int)d[0], "answered", (int)d[1], "abandoned", (int)d[2],
			      "first_responses", (int)d[3], "first_response_ms",
			      d[3] ? json_integer((json_int_t)(d[4] / d[3]))
				   : json_null()));
	}
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "hours", arr));
}

/* --- /metrics ----------------------------------------------------------- */

static void count(struct api *a, const char *kind, const char *name)
{
	char key[32];

	snprintf(key, sizeof(key), "%s:%s", kind, name);
	for (size_t i = 0; i < a->countc; i++) {
		if (!strcmp(a->counts[i].name, key)) {
			a->counts[i].n++;
			return;
		}
	}
	if (a->countc < sizeof(a->counts) / sizeof(a->counts[0])) {
		util_copy(a->counts[a->countc].name, sizeof(a->counts[0].name), key);
		a->counts[a->countc++].n = 1;
	}
}

static void metrics_event_h(const struct hl_event *ev, void *arg)
{
	struct api *a = arg;
	const char *outcome;

	if (!ev->name)
		return;
	count(a, "event", ev->name);
	if (acd_stats_moves(ev))
		queue_text_dirty(a, ev->queue);
	else if (ev->type == EVENT_AGENT_STATE)
		queue_text_dirty(a, NULL);
	if (ev->type == EVENT_CALL_CREATED) {
		a->calls_active++;
	} else if (ev->type == EVENT_CALL_ENDED) {
		a->calls_active--;
		outcome = event_str(ev, "outcome");
		if (outcome)
			count(a, "outcome", outcome);
	}
}

/* Appends printf output to a growing buffer. */
static void out(struct mbuf *mb, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)mbuf_write_mem(mb, (const uint8_t *)line,
				     (size_t)n < sizeof(line) ? (size_t)n
							      : sizeof(line) - 1);
}

static void counts_out(struct mbuf *mb, const struct api *a, const char *kind,
		       const char *metric, const char *label)
{
	size_t kl = strlen(kind);

	for (size_t i = 0; i < a->countc; i++) {
		if (!strncmp(a->counts[i].name, kind, kl) && a->counts[i].name[kl] == ':')
			out(mb, "%s{%s=\"%s\"} %llu\n", metric, label,
			    a->counts[i].name + kl + 1,
			    (unsigned long long)a->counts[i].n);
	}
}

/* GET /api/v1/trunks: each SIP trunk's registration and calls. */
static void trunks_list(struct req *rq)
{
	struct trunks *ts = callctl_trunks(rq->api->calls);
	struct trunk_info ti;
	json_t *arr = json_array();

	for (size_t i = 0; !trunks_info_at(ts, i, &ti); i++)
		json_array_append_new(
		    arr, json_pack(
			     "{s:s,s:s,s:b,s:s,s:I,s:I,s:I,s:i,s:i,s:I}", "name", ti.name,
			     "state", ti.state, "register", ti.reg, "last_error",
			     ti.last_error, "next_try", (json_int_t)ti.next_try,
			     "registrations", (json_int_t)ti.registrations, "failures",
			     (json_int_t)ti.failures, "calls", (int)ti.calls, "max_calls",
			     (int)ti.max_calls, "timeout_ms", (json_int_t)ti.timeout_ms));
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "trunks", arr));
}

/* The trunks' lines of /metrics. */
static void trunks_metrics(struct mbuf *mb, const struct api *a)
{
	struct trunks *ts = callctl_trunks(a->calls);
	struct trunk_info ti;

	out(mb, "# HELP hotline_trunk_registered 1 while the trunk is registered "
		"with its carrier.\n# TYPE hotline_trunk_registered gauge\n");
	for (size_t i = 0; !trunks_info_at(ts, i, &ti); i++)
		out(mb, "hotline_trunk_registered{trunk=\"%s\"} %d\n", ti.name,
		    !strcmp(ti.state, "registered"));
	out(mb, "# HELP hotline_trunk_register_failures_total REGISTERs the carrier "
		"refused or never answered.\n"
		"# TYPE hotline_trunk_register_failures_total counter\n");
	for (size_t i = 0; !trunks_info_at(ts, i, &ti); i++)
		out(mb, "hotline_trunk_register_failures_total{trunk=\"%s\"} %llu\n",
		    ti.name, (unsigned long long)ti.failures);
	out(mb, "# HELP hotline_trunk_calls Calls through the trunk now.\n"
		"# TYPE hotline_trunk_calls gauge\n");
	for (size_t i = 0; !trunks_info_at(ts, i, &ti); i++)
		out(mb, "hotline_trunk_calls{trunk=\"%s\"} %u\n", ti.name, ti.calls);
}

/* GET /metrics: the Prometheus text format (version 0.0.4). */
static void metrics(struct req *rq)
{
	struct api *a = rq->api;
	struct mbuf *mb = mbuf_alloc(4096);
	size_t agents[AGENT_ST_COUNT] = {0};
	uint64_t now = clock_now_ms();
	struct acd_agent_info in;
	struct acd_queue_info qi;

	if (!mb) {
		http_ereply(rq->conn, 500, "Internal Server Error");
		return;
	}
	out(mb,
	    "# HELP hotline_calls_active Calls in progress (IVR, queued, ringing, "
	    "talking).\n# TYPE hotline_calls_active gauge\nhotline_calls_active %lld\n",
	    (long long)(a->calls_active > 0 ? a->calls_active : 0));
	out(mb, "# HELP hotline_calls_ended_total Calls ended since start, by "
		"outcome.\n# TYPE hotline_calls_ended_total counter\n");
	counts_out(mb, a, "outcome", "hotline_calls_ended_total", "outcome");
	out(mb, "# HELP hotline_calls_refused_total New calls answered 503 by "
		"admission control, by reason (calls: limits.max_calls, setup: "
		"limits.max_setup, lag: limits.max_lag).\n"
		"# TYPE hotline_calls_refused_total counter\n");
	for (int r = 0; r < CALLCTL_REFUSE_COUNT; r++)
		out(mb, "hotline_calls_refused_total{reason=\"%s\"} %llu\n",
		    callctl_refuse_name((enum callctl_refuse)r),
		    (unsigned long long)callctl_refused(a->calls,
							(enum callctl_refuse)r));
	out(mb,
	    "# HELP hotline_srtp_dropped_total SRTP packets dropped: failed "
	    "authentication or replayed.\n# TYPE hotline_srtp_dropped_total counter\n"
	    "hotline_srtp_dropped_total %llu\n",
	    (unsigned long long)callctl_srtp_failures(a->calls));
	trunks_metrics(mb, a);
	out(mb, "# HELP hotline_queue_waiting Callers waiting in the queue.\n"
		"# TYPE hotline_queue_waiting gauge\n");
	for (size_t i = 0; !acd_queue_at(a->acd, i, &qi); i++)
		out(mb, "hotline_queue_waiting{queue=\"%s\"} %zu\n", qi.name, qi.waiting);
	out(mb,
	    "# HELP hotline_queue_longest_wait_seconds The wait of the oldest "
	    "caller still waiting.\n# TYPE hotline_queue_longest_wait_seconds gauge\n");
	for (size_t i = 0; !acd_queue_at(a->acd, i, &qi); i++)
		out(mb, "hotline_queue_longest_wait_seconds{queue=\"%s\"} %.3f\n",
		    qi.name,
		    qi.oldest && now > qi.oldest ? (now - qi.oldest) / 1000.0 : 0.0);
	for (size_t i = 0; !acd_agent_at(a->acd, i, &in); i++)
		agents[in.state]++;
	out(mb, "# HELP hotline_agents Agents by state.\n# TYPE hotline_agents gauge\n");
	for (int st = 0; st < AGENT_ST_COUNT; st++)
		out(mb, "hotline_agents{state=\"%s\"} %zu\n",
		    acd_state_name((enum agent_state)st), agents[st]);
	out(mb,
	    "# HELP hotline_sip_registrations Phones registered now.\n"
	    "# TYPE hotline_sip_registrations gauge\nhotline_sip_registrations %zu\n",
	    a->reg ? registrar_count(a->reg) : (size_t)0);
	out(mb, "# HELP hotline_events_total Events since start, by type.\n"
		"# TYPE hotline_events_total counter\n");
	counts_out(mb, a, "event", "hotline_events_total", "type");
	{
		uint64_t d, f, dr, q;
		api__webhook_counts(a->webhooks, &d, &f, &dr, &q);
		out(mb,
		    "# HELP hotline_webhook_deliveries_total Webhook deliveries, by "
		    "result.\n# TYPE hotline_webhook_deliveries_total counter\n"
		    "hotline_webhook_deliveries_total{result=\"delivered\"} %llu\n"
		    "hotline_webhook_deliveries_total{result=\"failed\"} %llu\n"
		    "hotline_webhook_deliveries_total{result=\"dropped\"} %llu\n"
		    "# HELP hotline_webhook_queue Deliveries waiting to be sent.\n"
		    "# TYPE hotline_webhook_queue gauge\nhotline_webhook_queue %llu\n",
		    (unsigned long long)d, (unsigned long long)f, (unsigned long long)dr,
		    (unsigned long long)q);
	}
	out(mb,
	    "# HELP hotline_http_requests_total HTTP requests answered.\n"
	    "# TYPE hotline_http_requests_total counter\nhotline_http_requests_total "
	    "%llu\n",
	    (unsigned long long)a->requests);
	out(mb,
	    "# HELP hotline_http_request_duration_seconds Time spent handling "
	    "routed requests.\n# TYPE hotline_http_request_duration_seconds "
	    "summary\nhotline_http_request_duration_seconds_sum %.6f\n"
	    "hotline_http_request_duration_seconds_count %llu\n",
	    a->request_us / 1e6, (unsigned long long)a->requests);
	api__reply(rq, 200, "OK",
		   "Content-Type: text/plain; version=0.0.4\r\n"
		   "Content-Length: %zu\r\n\r\n%b",
		   mb->end, mb->buf, mb->end);
	mem_deref(mb);
}

/* --- webhooks ----------------------------------------------------------- */

static json_t *webhook_json(const struct store_webhook *h, bool with_secret)
{
	json_t *types = json_array();
	const char *p = h->types;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		json_array_append_new(types, json_stringn(p, n));
		if (!comma)
			break;
		p = comma + 1;
	}
	json_t *o = json_pack("{s:s,s:s,s:o,s:I}", "id", h->id, "url", h->url, "types",
			      types, "created", (json_int_t)h->created);

	/* the secret is shown once, when the webhook is made */
	if (o && with_secret)
		json_object_set_new(o, "secret", json_string(h->secret));
	return o;
}

static void webhooks_list(struct req *rq)
{
	const struct store_webhook *h;
	json_t *arr = json_array();

	for (size_t i = 0; (h = api__webhook_at(rq->api->webhooks, i)); i++)
		json_array_append_new(arr, webhook_json(h, false));
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "webhooks", arr));
}

/* Joins the type prefixes of a webhook into types ("call.,queue."); false
 * after replying what is wrong. */
static bool webhook_types(struct req *rq, json_t *v, char *types, size_t sz)
{
	if (!json_is_array(v) || !json_array_size(v)) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "types: must be a non-empty list of event type prefixes "
				 "(\"call.\", \"queue.\", \"agent.state\")");
		return false;
	}
	types[0] = '\0';
	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *t = json_string_value(json_array_get(v, i));
		if (!t || !*t || strlen(t) > 47 || strchr(t, ',') ||
		    strlen(types) + strlen(t) + 2 > sz) {
			api__reply_error(
			    rq, 400, "Bad Request", "bad_field",
			    "types[%zu]: must be a type prefix of 1-47 characters "
			    "without commas (255 in all)",
			    i);
			return false;
		}
		snprintf(types + strlen(types), sz - strlen(types), "%s%s",
			 *types ? "," : "", t);
	}
	return true;
}

/* POST {"url": "https://crm.example/hook", "types": ["call.", "queue."],
 *       "secret": "optional, 16-79 characters"} */
static void webhooks_add(struct req *rq)
{
	struct store_webhook h;
	json_t *body, *v;
	const char *url, *secret = NULL;
	char types[256];
	int err;

	static const char *const fields[] = {"url", "types", "secret", NULL};

	body = api__body_object(rq, fields);
	if (!body)
		return;
	url = json_string_value(json_object_get(body, "url"));
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
	    strlen(url) > 511 || strpbrk(url, " \r\n")) {
		api__reply_error(rq, 400, "Bad Request", "bad_field",
				 "url: must be an http:// or https:// URL of at most 511 "
				 "characters");
		goto out;
	}
	if (!webhook_types(rq, json_object_get(body, "types"), types, sizeof(types)))
		goto out;
	v = json_object_get(body, "secret");
	if (v) {
		secret = json_string_value(v);
		if (!secret || strlen(secret) < 16 || strlen(secret) > 79) {
			api__reply_error(rq, 400, "Bad Request", "bad_field",
					 "secret: must be a string of 16-79 characters");
			goto out;
		}
	}
	err = api__webhook_add(rq->api->webhooks, url, types, secret, &h);
	if (err == ENOSPC)
		api__reply_error(rq, 409, "Conflict", "too_many", "at most 64 webhooks");
	else if (err)
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the webhook could not be stored: %s", strerror(err));
	else {
		api__audit(rq->api, &rq->who, "webhook.create", h.id, "url=%s types=%s",
			   h.url, h.types);
		api__reply_committed(rq, 201, "Created", NULL, webhook_json(&h, true));
	}
out:
	json_decref(body);
}

static void webhooks_del(struct req *rq)
{
	int err = api__webhook_del(rq->api->webhooks, rq->id);

	if (err == ENOENT) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no webhook '%s'",
				 rq->id);
		return;
	}
	if (err) {
		api__reply_error(rq, 503, "Service Unavailable", "store_error",
				 "the change could not be stored: %s", strerror(err));
		return;
	}
	api__audit(rq->api, &rq->who, "webhook.delete", rq->id, "%s", "");
	api__reply_committed(rq, 204, "No Content", NULL, NULL);
}

#define ANY   ROLES_ANY
#define SUP   (ROLE_SUPERVISOR | ROLE_ADMIN)
#define ADMIN ROLE_ADMIN

/* Who may call what; within a route, agents and supervisors see only
 * their own agents, queues and calls (api__sees_*). */
static const struct route routes[] = {
    {"GET", "/health", 0, health},
    {"GET", "/metrics", 0, metrics},
    {"GET", "/", 0, api__web_page},
    {"GET", "/agent", 0, api__web_page},
    {"GET", "/wallboard", 0, api__web_page},
    {"GET", "/admin", 0, api__web_page},
    {"GET", "/survey", 0, api__web_page},
    {"GET", "/tickets", 0, api__web_page},
    {"POST", "/api/v1/surveys", 0, api__surveys_answer},
    {"GET", "/web/{id}", 0, api__web_file},
    {"GET", "/chat/{id}", 0, api__web_chat},
    {"POST", "/api/v1/session", 0, api__session_create},
    {"GET", "/api/v1/session", ANY, api__session_get},
    {"PATCH", "/api/v1/session", ANY, api__session_patch},
    {"DELETE", "/api/v1/session", ANY, api__session_delete},
    {"GET", "/api/v1/calls", ANY, api__calls_list},
    {"POST", "/api/v1/calls", ANY, api__calls_dial},
    {"GET", "/api/v1/calls/{id}", ANY, api__calls_get},
    {"GET", "/api/v1/calls/{id}/recording", ANY, api__calls_recording},
    {"POST", "/api/v1/calls/{id}/recording", ANY, api__calls_recording_pause},
    {"POST", "/api/v1/calls/{id}/hangup", ANY, api__calls_hangup},
    {"POST", "/api/v1/calls/{id}/hold", ANY, api__calls_hold},
    {"POST", "/api/v1/calls/{id}/transfer", ANY, api__calls_transfer},
    {"POST", "/api/v1/calls/{id}/monitor", SUP, api__calls_monitor},
    {"PATCH", "/api/v1/calls/{id}/monitor", SUP, api__calls_monitor},
    {"DELETE", "/api/v1/calls/{id}/monitor", SUP, api__calls_monitor_end},
    {"POST", "/api/v1/calls/{id}/consult", ANY, api__calls_consult},
    {"POST", "/api/v1/calls/{id}/consult/join", ANY, api__calls_consult_join},
    {"POST", "/api/v1/calls/{id}/consult/cancel", ANY, api__calls_consult_cancel},
    {"POST", "/api/v1/calls/{id}/conference", ANY, api__calls_conference},
    {"POST", "/api/v1/calls/{id}/wrapup", ANY, api__calls_wrapup},
    {"GET", "/api/v1/interactions", ANY, api__interactions_list},
    {"GET", "/api/v1/interactions/{id}", ANY, api__interactions_get},
    {"POST", "/api/v1/interactions/{id}/accept", ANY, api__chat_accept},
    {"POST", "/api/v1/interactions/{id}/decline", ANY, api__chat_decline},
    {"POST", "/api/v1/interactions/{id}/messages", ANY, api__chat_message},
    {"POST", "/api/v1/interactions/{id}/typing", ANY, api__chat_typing},
    {"POST", "/api/v1/interactions/{id}/read", ANY, api__chat_read},
    {"POST", "/api/v1/interactions/{id}/end", ANY, api__chat_end},
    {"POST", "/api/v1/interactions/{id}/transfer", ANY, api__chat_transfer},
    {"POST", "/api/v1/interactions/{id}/wrapup", ANY, api__calls_wrapup},
    {"POST", "/api/v1/interactions/{id}/attachments", ANY, api__chat_agent_attach,
     API_BODY_ATTACHMENT},
    {"GET", "/api/v1/interactions/{id}/attachments/{id}", ANY,
     api__chat_agent_attachment},
    {"POST", "/api/v1/interactions/{id}/customer", ANY, api__chat_customer},
    {"GET", "/api/v1/chat/canned", ANY, api__chat_canned},
    {"GET", "/chat/v1/entries/{id}", 0, api__chat_entry},
    {"OPTIONS", "/chat/v1/entries/{id}", 0, api__chat_preflight},
    {"POST", "/chat/v1/entries/{id}/chats", 0, api__chat_start},
    {"OPTIONS", "/chat/v1/entries/{id}/chats", 0, api__chat_preflight},
    {"POST", "/chat/v1/entries/{id}/offline", 0, api__chat_offline},
    {"OPTIONS", "/chat/v1/entries/{id}/offline", 0, api__chat_preflight},
    {"GET", "/chat/v1/ws", 0, api__chat_ws},
    {"GET", "/chat/v1/chats/{id}/transcript", 0, api__chat_transcript},
    {"OPTIONS", "/chat/v1/chats/{id}/transcript", 0, api__chat_preflight},
    {"POST", "/chat/v1/chats/{id}/attachments", 0, api__chat_attach, API_BODY_ATTACHMENT},
    {"OPTIONS", "/chat/v1/chats/{id}/attachments", 0, api__chat_preflight},
    {"GET", "/chat/v1/chats/{id}/attachments/{id}", 0, api__chat_attachment},
    {"OPTIONS", "/chat/v1/chats/{id}/attachments/{id}", 0, api__chat_preflight},
    {"GET", "/api/v1/pause-reasons", ANY, pause_reasons},
    {"PUT", "/api/v1/pause-reasons", ADMIN, api__pause_reasons_put},
    {"GET", "/api/v1/dispositions", ANY, dispositions},
    {"PUT", "/api/v1/dispositions", ADMIN, api__dispositions_put},
    {"GET", "/api/v1/agents", ANY, agents_list},
    {"POST", "/api/v1/agents", ADMIN, api__agents_add},
    {"GET", "/api/v1/agents/{id}", ANY, agents_get},
    {"PATCH", "/api/v1/agents/{id}", ADMIN, api__agents_patch},
    {"POST", "/api/v1/agents/{id}/state", ANY, agents_state},
    {"GET", "/api/v1/agents/{id}/stats", ANY, agents_stats},
    {"GET", "/api/v1/agents/{id}/phone", ANY, agents_phone},
    {"GET", "/api/v1/queues", ANY, queues_list},
    {"GET", "/api/v1/queues/{id}", ANY, queues_get},
    {"PUT", "/api/v1/queues/{id}", SUP, api__queue_put},
    {"GET", "/api/v1/media/moh", SUP, api__media_moh_list},
    {"POST", "/api/v1/media/moh", SUP, api__media_moh_add, API_BODY_MEDIA},
    {"GET", "/api/v1/media/prompts", ADMIN, api__media_prompt_list},
    {"POST", "/api/v1/media/prompts", ADMIN, api__media_prompt_add, API_BODY_MEDIA},
    {"GET", "/api/v1/queues/{id}/stats", ANY, queues_stats},
    {"GET", "/api/v1/stats/hourly", ANY, stats_hourly},
    {"GET", "/api/v1/events", ANY, events_stream},
    {"GET", "/sip", 0, sip_socket},
    {"GET", "/api/v1/webhooks", ADMIN, webhooks_list},
    {"POST", "/api/v1/webhooks", ADMIN, webhooks_add},
    {"DELETE", "/api/v1/webhooks/{id}", ADMIN, webhooks_del},
    {"GET", "/api/v1/customers", ANY, api__customers_list},
    {"POST", "/api/v1/customers", ANY, api__customers_add},
    {"GET", "/api/v1/customers/{id}", ANY, api__customers_get},
    {"PATCH", "/api/v1/customers/{id}", ANY, api__customers_patch},
    {"DELETE", "/api/v1/customers/{id}", SUP, api__customers_forget},
    {"GET", "/api/v1/customers/{id}/timeline", ANY, api__customers_timeline},
    {"GET", "/api/v1/customers/{id}/export", SUP, api__customers_export},
    {"POST", "/api/v1/customers/{id}/merge", SUP, api__customers_merge},
    {"GET", "/api/v1/fields", ANY, api__fields_get},
    {"GET", "/api/v1/tickets", ANY, api__tickets_list},
    {"POST", "/api/v1/tickets", ANY, api__tickets_add},
    {"GET", "/api/v1/tickets/{id}", ANY, api__tickets_get},
    {"PATCH", "/api/v1/tickets/{id}", ANY, api__tickets_patch},
    {"POST", "/api/v1/tickets/{id}/notes", ANY, api__tickets_note},
    {"GET", "/api/v1/users", ADMIN, api__users_list},
    {"POST", "/api/v1/users", ADMIN, api__users_add},
    {"GET", "/api/v1/users/{id}", ADMIN, api__users_get},
    {"PATCH", "/api/v1/users/{id}", ADMIN, api__users_patch},
    {"DELETE", "/api/v1/users/{id}", ADMIN, api__users_del},
    {"POST", "/api/v1/users/{id}/unlock", ADMIN, api__users_unlock},
    {"GET", "/api/v1/tokens", ADMIN, api__tokens_list},
    {"POST", "/api/v1/tokens", ADMIN, api__tokens_add},
    {"DELETE", "/api/v1/tokens/{id}", ADMIN, api__tokens_del},
    {"GET", "/api/v1/audit", ADMIN, api__audit_list},
    {"GET", "/api/v1/tenant", ADMIN, api__tenant_get},
    {"PUT", "/api/v1/tenant", ADMIN, api__tenant_put, API_BODY_TENANT},
    {"POST", "/api/v1/tenant/check", ADMIN, api__tenant_check, API_BODY_TENANT},
    {"POST", "/api/v1/tenant/reload", ADMIN, api__tenant_reload},
    {"GET", "/api/v1/skills", SUP, api__skills_list},
    {"GET", "/api/v1/trunks", SUP, trunks_list},
    {"GET", "/api/v1/hours", ANY, api__hours_list},
    {"POST", "/api/v1/hours", ADMIN, api__hours_add},
    {"PATCH", "/api/v1/hours/{id}", ADMIN, api__hours_patch},
    {"GET", "/api/v1/flows", SUP, api__flows_list},
    {"GET", "/api/v1/flows/{id}", SUP, api__flows_get},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Matches a path against a pattern; {id} takes one segment. */
/* A path segment percent-decoded: a queue named 销售 comes as
 * %E9%94%80%E5%94%AE from a browser. A control character or a '/' once
 * decoded, or a broken escape, matches nothing. */
static bool id_decode(const char *s, size_t len, char *id, size_t idsz)
{
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			char hex[3] = {0};
			if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return false;
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			c = (unsigned char)strtoul(hex, NULL, 16);
			if (c < 0x20 || c == 0x7f || c == '/')
				return false;
			i += 2;
		}
		if (j + 1 >= idsz)
			return false;
		id[j++] = (char)c;
	}
	id[j] = '\0';
	return j > 0;
}

static bool path_match(const char *pattern, const struct pl *path, char *id, size_t idsz)
{
	const char *p = path->p, *end = path->p + path->l;

	while (*pattern) {
		if (!strncmp(pattern, "{id}", 4)) {
			const char *seg = p;
			while (p < end && *p != '/')
				p++;
			if (p == seg || !id_decode(seg, (size_t)(p - seg), id, idsz))
				return false;
			pattern += 4;
			continue;
		}
		if (p >= end || *p != *pattern)
			return false;
		p++;
		pattern++;
	}
	return p == end;
}

/*
 * The body a request may have, by its route (httpd asks with the head,
 * before any of the body is read): a chat attachment what the tenant's
 * chat takes, an uploaded prompt or music MAX_MEDIA_BODY, a tenant file
 * what the server reads at start (CFG_TENANT_MAX), anything else
 * (an unknown route too) MAX_BODY.
 */
static size_t body_max(const struct http_msg *msg, void *arg)
{
	const struct api *a = arg;
	char id[64];

	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];

		if (r->body == API_BODY_JSON || pl_strcmp(&msg->met, r->method) ||
		    !path_match(r->pattern, &msg->path, id, sizeof(id)))
			continue;
		if (r->body == API_BODY_MEDIA)
			return MAX_MEDIA_BODY;
		if (r->body == API_BODY_TENANT)
			return CFG_TENANT_MAX;
		return a->tenant->chat.attachment_bytes;
	}
	return MAX_BODY;
}

static void request_handler(struct httpd_conn *conn, const struct http_msg *msg,
			    void *arg)
{
	struct api *a = arg;
	struct req rq = {.api = a, .conn = conn, .msg = msg};
	char allow[64] = "";
	bool path_known = false;
	uint64_t t0 = clock_mono_us();

	a->requests++;
	api__wire_begin(conn, msg);
	rq.nostore = msg->path.l >= 5 && !memcmp(msg->path.p, "/api/", 5);
	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];

		if (!path_match(r->pattern, &msg->path, rq.id, sizeof(rq.id)))
			continue;
		path_known = true;
		/* RFC 9110 §9.3.2: HEAD wherever GET is, answered without the
		 * body (wire.c leaves it out) */
		if (pl_strcmp(&msg->met, r->method) &&
		    (strcmp(r->method, "GET") || pl_strcmp(&msg->met, "HEAD"))) {
			if (!strstr(allow, r->method))
				snprintf(allow + strlen(allow),
					 sizeof(allow) - strlen(allow), "%s%s",
					 allow[0] ? ", " : "", r->method);
			if (!strcmp(r->method, "GET") && !strstr(allow, "HEAD"))
				snprintf(allow + strlen(allow),
					 sizeof(allow) - strlen(allow), ", HEAD");
			continue;
		}
		re_snprintf(rq.who.addr, sizeof(rq.who.addr), "%J",
			    httpd_conn_peer(conn));
		if (r->roles &&
		    !api__users_who(a->users, msg, r->h == events_stream, &rq.who)) {
			api__reply_json_hdrs(
			    &rq, 401, "Unauthorized",
			    "WWW-Authenticate: Bearer realm=\"hotline\"\r\n",
			    api__error_json("unauthorized", "sign in, or send a valid "
							    "bearer token"));
			return;
		}
		if (r->roles && !(r->roles & rq.who.role)) {
			/* two texts, not a phrase as an argument: each is
			 * translated whole */
			api__reply_error(&rq, 403, "Forbidden", "forbidden",
					 r->roles & ROLE_SUPERVISOR
					     ? "this route is for supervisors and "
					       "admins; %s is %s"
					     : "this route is for admins; %s is %s",
					 rq.who.user,
					 api__words(&rq, api__role_name(rq.who.role)));
			return;
		}
		r->h(&rq);
		a->request_us += clock_mono_us() - t0;
		log_debug("api: %.*s %.*s %lluus", (int)msg->met.l, msg->met.p,
			  (int)msg->path.l, msg->path.p,
			  (unsigned long long)(clock_mono_us() - t0));
		return;
	}
	if (path_known) {
		char hdr[96];

		snprintf(hdr, sizeof(hdr), "Allow: %s\r\n", allow);
		api__reply_json_hdrs(
		    &rq, 405, "Method Not Allowed", hdr,
		    api__error_json(
			"method_not_allowed",
			api__words(&rq, "this route does not take that method")));
		return;
	}
	api__reply_error(&rq, 404, "Not Found", "not_found", "no route %.*s",
			 (int)(msg->path.l > 100 ? 100 : msg->path.l), msg->path.p);
}

/*
 * A request httpd refused before any route: its framing in doubt (what
 * follows it could be read as a request of an attacker's making, smuggled
 * past a proxy that reads the length otherwise), its body or head over
 * the limit, another HTTP version. The connection closes after this.
 */
static void refuse_handler(struct httpd_conn *conn, const struct http_msg *msg,
			   uint16_t scode, void *arg)
{
	struct api *a = arg;
	struct req rq = {.api = a, .conn = conn, .msg = msg};

	a->requests++;
	if (msg) {
		api__wire_begin(conn, msg);
		rq.nostore = msg->path.l >= 5 && !memcmp(msg->path.p, "/api/", 5);
	}
	switch (scode) {
	case 413: {
		char cors[256] = "", why[64];

		/* a visitor's page reads the reason (the widget shows it) */
		if (msg)
			api__chat_cors(a, msg, cors, sizeof(cors));
		snprintf(why, sizeof(why), "request body over %zu bytes",
			 msg ? body_max(msg, a) : (size_t)MAX_BODY);
		api__reply_json_hdrs(&rq, 413, "Content Too Large", cors,
				     api__error_json("too_large", why));
		break;
	}
	case 431:
		api__reply_error(&rq, 431, "Request Header Fields Too Large",
				 "header_too_large",
				 "request line and headers over %d bytes", MAX_HEAD);
		break;
	case 505:
		api__reply_error(&rq, 505, "HTTP Version Not Supported", "bad_version",
				 "HTTP/1.1 (or 1.0) is spoken here");
		break;
	default:
		if (msg)
			api__reply_error(
			    &rq, 400, "Bad Request", "bad_framing",
			    "Transfer-Encoding may only be chunked, without a "
			    "Content-Length, and Content-Length must be one "
			    "number");
		else
			api__reply_error(&rq, 400, "Bad Request", "bad_request",
					 "the request could not be read as HTTP/1.1");
		break;
	}
}

static void api_destructor(void *arg)
{
	struct api *a = arg;
	callctl_monitor_auth_set(a->calls, NULL, NULL);
	event_unsubscribe(metrics_event_h, a);
	api__wire_close();
	api__calls_downloads_end();
	mem_deref(a->webhooks);
	a->chat = mem_deref(a->chat);
	mem_deref(a->stream);
	mem_deref(a->httpd);
	mem_deref(a->users);
	mem_deref(a->web);
	app_watch(a->app, NULL, NULL);
	mem_deref(a->tickets);
	for (size_t i = 0; i < a->qtextc; i++)
		free(a->qtext[i].text);
	free(a->qtext);
	mem_deref((void *)a->tenant);
}

int api_alloc(struct api **ap, const struct cfg_node *node, struct app *app,
	      struct store *st, struct acd *acd, struct acd_stats *stats,
	      struct registrar *reg, struct callctl *calls)
{
	const struct cfg_tenant *tenant = app_tenant(app);
	struct api *a;
	struct httpd_limits http_limits;
	struct rlimit rl;
	struct sa laddr;
	int err;

	if (!ap || !node || !tenant || !st || !acd || !stats)
		return EINVAL;
	err = sa_decode(&laddr, node->http_listen, strlen(node->http_listen));
	if (err)
		return err;
	a = mem_zalloc(sizeof(*a), api_destructor);
	if (!a)
		return ENOMEM;
	a->store = st;
	a->node = node;
	a->app = app;
	a->tenant = mem_ref((void *)tenant);
	a->acd = acd;
	a->stats = stats;
	a->reg = reg;
	a->calls = calls;
	callctl_monitor_auth_set(calls, api__monitor_ok, a);
	a->qtext = calloc(acd_queue_count(acd) + 1, sizeof(*a->qtext));
	if (!a->qtext) {
		mem_deref(a);
		return ENOMEM;
	}
	a->qtextc = acd_queue_count(acd);
	err = event_subscribe(metrics_event_h, a);
	if (!err)
		err = api__users_alloc(&a->users, a);
	if (!err)
		err = api__web_alloc(&a->web, node->web_dir);
	if (!err)
		err = api__tickets_alloc(&a->tickets, a);
	/* a tenant applied (a route, SIGHUP) reaches the API's copy */
	if (!err)
		app_watch(app, api__tenant_applied, a);
	if (!err)
		err = api__stream_alloc(&a->stream, a);
	if (!err)
		err = api__webhooks_alloc(&a->webhooks, st);
	/* each connection is a file: the limit takes the open files the
	 * process may have (main raised it to the hard limit) into account
	 * so a connection past it is refused by us, not lost to EMFILE */
	http_limits = http_limits_default;
	http_limits.body_maxh = body_max;
	http_limits.body_arg = a;
	http_limits.max_conns = node->http_max_conns;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)http_limits.max_conns + 1024) {
		http_limits.max_conns = rl.rlim_cur > 2048
					    ? (uint32_t)(rl.rlim_cur - 1024)
					    : (uint32_t)rl.rlim_cur / 2;
		log_warn(
		    "api: http.max_connections=%u lowered to %u: the process may open "
		    "%llu files",
		    node->http_max_conns, http_limits.max_conns,
		    (unsigned long long)rl.rlim_cur);
	}
	if (!err)
		err = httpd_alloc(&a->httpd, &laddr, &http_limits, request_handler,
				  refuse_handler, a);
	/* libre listens with a backlog of 5: a wallboard room reconnecting
	 * at once would see refused connections */
	if (!err)
		err = tcp_sock_listen(httpd_tcp_sock(a->httpd), SOMAXCONN);
	if (!err && node->http_tls_cert[0])
		err = httpd_tls(a->httpd, node->http_tls_cert, node->http_tls_key);
	if (err) {
		mem_deref(a);
		return err;
	}
	log_info("api: listening %s=%s", node->http_tls_cert[0] ? "https" : "http",
		 node->http_listen);
	*ap = a;
	return 0;
}
