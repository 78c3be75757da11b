/*
 * wire.c — the last step of every HTTP answer src/api sends: what goes on
 * the wire for the request it answers. api_int.h turns every http_reply
 * and http_ereply of src/api into api__http_reply, so there is one place
 * that:
 * - answers HEAD as GET would, with the headers (Content-Length included)
 *   and no body (RFC 9110 §9.3.2);
 * - writes the API trace when HOTLINE_API_TRACE names a file: one JSON
 *   line per answer (method, path, query, status, content type, body), so
 *   the test harness can hold every answer to docs/openapi.yaml. It is a
 *   debugging aid: the file holds whatever the answers held (tokens that
 *   were issued, customers' data), is created 0600 and is never on by
 *   default;
 * - gives the lists clients poll (calls, tickets, customers, queues) an
 *   ETag, a hash of the answer, and answers a GET whose If-None-Match
 *   names it with 304 and no body (RFC 9110 §13.1.2): a poller that saw
 *   nothing change gets a few headers instead of the page.
 *
 * Which request an answer belongs to is kept with its connection from
 * api__wire_begin until its answer goes out (an answer may come later,
 * from a handler that waited for the store, on the same connection: the
 * server reads the next request only then).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <jansson.h>
#include <sodium.h>
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_hash.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_tcp.h>
#include <re_http.h>
#include "core/core.h"
#include "api/api_int.h"

#undef http_reply
#undef http_ereply

#define TRACE_BODY_MAX (256 * 1024)

struct pending {
	char method[8];
	char path[256];
	char query[512];
	char if_none_match[48];
};

/* The lists that carry an ETag. */
static const char *const etag_paths[] = {"/api/v1/calls", "/api/v1/interactions",
					 "/api/v1/tickets", "/api/v1/customers",
					 "/api/v1/queues"};

static FILE *trace;
static bool trace_tried;

static void copy_pl(char *dst, size_t sz, const struct pl *pl)
{
	size_t n = pl->l < sz - 1 ? pl->l : sz - 1;

	memcpy(dst, pl->p, n);
	dst[n] = '\0';
}

/* A token in the query (a browser's event stream) is not written down. */
static void redact_token(char *query)
{
	char *v = strstr(query, "access_token=");

	if (!v)
		return;
	v += strlen("access_token=");
	while (*v && *v != '&')
		*v++ = 'x';
}

void api__wire_begin(struct httpd_conn *conn, const struct http_msg *msg)
{
	struct pending *p = mem_zalloc(sizeof(*p), NULL);

	httpd_conn_set_data(conn, p);
	mem_deref(p); /* the connection's now */
	if (!p)
		return;
	copy_pl(p->method, sizeof(p->method), &msg->met);
	copy_pl(p->path, sizeof(p->path), &msg->path);
	copy_pl(p->query, sizeof(p->query), &msg->prm);
	redact_token(p->query);
	{
		const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_IF_NONE_MATCH);

		if (h)
			copy_pl(p->if_none_match, sizeof(p->if_none_match), &h->val);
		else
			p->if_none_match[0] = '\0';
	}
}

static bool etag_wanted(const struct pending *p, uint16_t scode)
{
	if (!p || scode != 200 || (strcmp(p->method, "GET") && strcmp(p->method, "HEAD")))
		return false;
	for (size_t i = 0; i < sizeof(etag_paths) / sizeof(etag_paths[0]); i++)
		if (!strcmp(p->path, etag_paths[i]))
			return true;
	return false;
}

/* "W/\"<16 hex>\"": weak, since the same JSON may be built again with
 * other whitespace one day. Of the body and the query that chose it. */
static void etag_make(char *tag, size_t sz, const struct pending *p, const char *body,
		      size_t blen)
{
	unsigned char h[8];
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)p->query, strlen(p->query));
	crypto_generichash_update(&st, (const unsigned char *)body, blen);
	crypto_generichash_final(&st, h, sizeof(h));
	snprintf(tag, sz, "W/\"%02x%02x%02x%02x%02x%02x%02x%02x\"", h[0], h[1], h[2],
		 h[3], h[4], h[5], h[6], h[7]);
}

void api__wire_close(void)
{
	if (trace) {
		fclose(trace);
		trace = NULL;
	}
	trace_tried = false;
}

static FILE *trace_file(void)
{
	const char *path;
	int fd;

	if (trace_tried)
		return trace;
	trace_tried = true;
	path = getenv("HOTLINE_API_TRACE");
	if (!path || !*path)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || !(trace = fdopen(fd, "a"))) {
		if (fd >= 0)
			close(fd);
		log_warn("api: cannot open the trace %s", path);
		return NULL;
	}
	log_warn("api: tracing every answer to %s (HOTLINE_API_TRACE)", path);
	return trace;
}

/* The value of header name in the header block hdr (no trailing CRLF). */
static void header_value(const char *hdr, size_t hlen, const char *name, char *val,
			 size_t sz)
{
	size_t nlen = strlen(name);
	const char *p = hdr, *end = hdr + hlen;

	val[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (len > nlen + 1 && !strncasecmp(p, name, nlen) && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			size_t vl = len - nlen - 1;

			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			if (vl >= sz)
				vl = sz - 1;
			memcpy(val, v, vl);
			val[vl] = '\0';
			return;
		}
		p += len + 1;
	}
}

static void trace_write(const struct pending *p, uint16_t scode, const char *hdr,
			size_t hlen, const char *body, size_t blen)
{
	FILE *f = trace_file();
	char ctype[128];
	json_t *o, *b = NULL;
	char *line;

	if (!f)
		return;
	header_value(hdr, hlen, "Content-Type", ctype, sizeof(ctype));
	if (blen && blen <= TRACE_BODY_MAX)
		b = json_stringn(body, blen); /* NULL when not UTF-8 (audio) */
	o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:o*,s:I}", "method", p ? p->method : "?",
		      "path", p ? p->path : "?", "query", p ? p->query : "", "status",
		      (int)scode, "ctype", ctype, "body", b, "length", (json_int_t)blen);
	if (!o)
		return;
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (line) {
		fprintf(f, "%s\n", line);
		fflush(f);
		free(line);
	}
}

int api__http_reply(struct httpd_conn *conn, uint16_t scode, const char *reason,
		    const char *fmt, ...)
{
	struct pending *p = mem_ref(httpd_conn_data(conn));
	struct mbuf *mb = mbuf_alloc(1024);
	const char *text, *sep, *body;
	size_t hlen, blen, total;
	bool head;
	va_list ap;
	int err;

	if (!mb) {
		mem_deref(p);
		return ENOMEM;
	}
	va_start(ap, fmt);
	err = mbuf_vprintf(mb, fmt, ap);
	va_end(ap);
	if (!err)
		err = mbuf_write_u8(mb, 0); /* for the header search; not sent */
	if (err) {
		mem_deref(mb);
		mem_deref(p);
		return err;
	}
	text = (const char *)mb->buf;
	total = mb->end - 1; /* the body may hold NULs (%b of audio) */
	sep = strstr(text, "\r\n\r\n");
	hlen = sep ? (size_t)(sep - text) + 2 : total;
	body = sep ? sep + 4 : text + total;
	blen = total - (size_t)(body - text);
	head = p && !strcmp(p->method, "HEAD");
	if (etag_wanted(p, scode)) {
		char tag[32];

		etag_make(tag, sizeof(tag), p, body, blen);
		if (!strcmp(p->if_none_match, tag) ||
		    !strcmp(p->if_none_match, tag + 2)) {
			trace_write(p, 304, "", 0, NULL, 0);
			err = httpd_reply(conn, 304, "Not Modified",
					  "ETag: %s\r\nCache-Control: no-store\r\n\r\n",
					  tag);
			goto out;
		}
		/* the header goes in before the blank line */
		trace_write(p, scode, text, hlen, head ? NULL : body, head ? 0 : blen);
		err = httpd_reply(conn, scode, reason, "%bETag: %s\r\n%b", text, hlen,
				  tag, text + hlen, head ? 2 : total - hlen);
		goto out;
	}
	/* an answer to a request never read (its head too large) is no
	 * operation of the API: not traced */
	if (p && scode >= 200)
		trace_write(p, scode, text, hlen, head ? NULL : body, head ? 0 : blen);
	err = httpd_reply(conn, scode, reason, "%b", text, head ? total - blen : total);
out:
	mem_deref(mb);
	if (p && scode >= 200 && httpd_conn_data(conn) == p)
		httpd_conn_set_data(conn, NULL);
	mem_deref(p);
	return err;
}

int api__http_ereply(struct httpd_conn *conn, uint16_t scode, const char *reason)
{
	static const char body[] =
	    "{\"error\":{\"code\":\"internal\",\"message\":\"try again\"}}\n";

	return api__http_reply(conn, scode, reason,
			       "Content-Type: application/json\r\n"
			       "Content-Length: %zu\r\n\r\n%s",
			       sizeof(body) - 1, body);
}
