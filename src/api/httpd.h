/*
 * httpd.h — Hotline's HTTP/1.1 server (RFC 9112) on libre's TCP: it reads
 * one request at a time per connection, refuses a request whose framing
 * is in doubt or whose body or head is over the limit before reading it,
 * and hands whole requests (head decoded by libre's http_msg_decode, body
 * de-chunked) to one handler. The next request on a connection is read
 * only once the previous one is answered, so answers keep the order of
 * the requests even when one waits (for the store, a worker thread).
 *
 * The reader (httpd_parse) works on a buffer alone, for the tests and the
 * fuzzer. Not here: routes, auth, what an answer says (api.c, wire.c).
 */
#ifndef HOTLINE_HTTPD_H
#define HOTLINE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct httpd;
struct httpd_conn;
struct http_msg;
struct mbuf;
struct sa;
struct tcp_conn;

/* The body a request may have by its head (its route's limit), bytes; 0
 * for the default max_body. */
typedef size_t(httpd_body_max_h)(const struct http_msg *msg, void *arg);

struct httpd_limits {
	size_t max_head;	     /* request line and headers, bytes: 431 past it */
	size_t max_body;	     /* body (de-chunked), bytes: 413 past it, unless */
	httpd_body_max_h *body_maxh; /* says otherwise for the request */
	void *body_arg;
	uint32_t head_ms;   /* a request's head must come within (slowloris) */
	uint32_t body_ms;   /* and its body within, after the head */
	uint32_t idle_ms;   /* a kept-alive connection with no request ends */
	uint32_t max_conns; /* connections past it are refused at accept */
	uint32_t linger_ms; /* after a refusal, what the peer still sends is
			     * read and dropped this long, so the answer is
			     * not lost to a reset */
};

/* What httpd_parse found at the start of a buffer. */
enum httpd_parse {
	HTTPD_MORE = 0, /* no whole request yet: nothing consumed */
	HTTPD_REQUEST,	/* *msgp: a request, its body in msg->mb */
	HTTPD_REFUSED,	/* *scodep says why (400, 413, 431, 505); *msgp is
			 * the head when it could be read (a 413), else NULL */
};

/*
 * Reads the request at mb->pos: its head (within lim->max_head), then
 * its body by Content-Length or chunked (RFC 9112 §6, §7.1), never
 * more than lim->max_body of it (or what lim->body_maxh says for this
 * head: a route's own limit). A Transfer-Encoding other than chunked
 * alone, one with a Content-Length, differing or malformed lengths are
 * refused (400): what follows such a request could be read as a request
 * an attacker made. On HTTPD_REQUEST mb->pos is past the request; *msgp
 * is the caller's, with msg->clen the body's length. *expect100 tells
 * that the head (the body still to come) asked for 100 Continue.
 */
enum httpd_parse httpd_parse(struct mbuf *mb, const struct httpd_limits *lim,
			     struct http_msg **msgp, uint16_t *scodep, bool *expect100);

/* A request, whole: the handler answers it with httpd_reply, now or later
 * (referencing conn until then). */
typedef void(httpd_req_h)(struct httpd_conn *conn, const struct http_msg *msg, void *arg);
/* A request refused before the handler: answer it (scode 400, 413, 431
 * or 505, msg the head or NULL); the connection closes after the
 * answer. */
typedef void(httpd_refuse_h)(struct httpd_conn *conn, const struct http_msg *msg,
			     uint16_t scode, void *arg);

int httpd_alloc(struct httpd **hp, const struct sa *laddr, const struct httpd_limits *lim,
		httpd_req_h *reqh, httpd_refuse_h *refuseh, void *arg);
struct tcp_sock *httpd_tcp_sock(const struct httpd *h);
/* HTTPS from now on with the PEM files cert (its chain after it) and key
 * (readable by its owner only, else EPERM); errors logged (see httpd.c). */
int httpd_tls(struct httpd *h, const char *cert, const char *key);
/* The connections open now. */
uint32_t httpd_conn_count(const struct httpd *h);

/*
 * Sends "HTTP/1.1 scode reason", then fmt (header lines, the blank line,
 * the body). A final answer (scode >= 200) ends the request: the next is
 * read then, or the connection closes once the answer is sent (the
 * request asked so, HTTP/1.0, the answer says Connection: close, or it
 * was refused). ENOTCONN: the connection is gone, nothing sent.
 */
int httpd_reply(struct httpd_conn *c, uint16_t scode, const char *reason, const char *fmt,
		...);
/* Raw bytes on the connection (a streamed body, WebSocket frames). */
int httpd_send(struct httpd_conn *c, struct mbuf *mb);
/* Ends the connection once what was sent has gone out. */
void httpd_conn_close(struct httpd_conn *c);
/* NULL once the connection is closed. */
struct tcp_conn *httpd_conn_tcp(const struct httpd_conn *c);
const struct sa *httpd_conn_peer(const struct httpd_conn *c);

/*
 * A body that follows the answer a piece at a time: send_h is called
 * whenever the connection's queue has emptied, until the caller sends
 * the last piece and calls httpd_conn_close.
 * Call before the reply.
 */
typedef void(httpd_send_h)(void *arg);
int httpd_conn_stream(struct httpd_conn *c, httpd_send_h *sendh, void *arg);

/*
 * The connection leaves HTTP (a WebSocket): the bytes after the request
 * and all that come later go to recvh, its end to closeh (once).
 */
typedef void(httpd_recv_h)(struct mbuf *mb, void *arg);
typedef void(httpd_close_h)(int err, void *arg);
int httpd_conn_upgrade(struct httpd_conn *c, httpd_recv_h *recvh, httpd_close_h *closeh,
		       void *arg);

/* One object (a libre one, referenced) kept with the connection for its
 * user: which request the next answer is for (wire.c). */
void httpd_conn_set_data(struct httpd_conn *c, void *data);
void *httpd_conn_data(const struct httpd_conn *c);

#endif
