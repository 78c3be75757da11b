/*
 * ws.h — WebSocket (RFC 6455) on our HTTP server (httpd.h): the server
 * side only. The calls mirror libre's websock (websock_accept -> ws_accept,
 * websock_send -> ws_send, ...) so a user of one moves to the other line
 * by line. A handler gets whole messages: fragments are put together,
 * pings answered, and a peer that breaks the protocol is closed with the
 * code RFC 6455 §7.4.1 gives (1002, 1007 for a text that is not UTF-8,
 * 1009 for a message over the limit).
 *
 * The frame reader (ws_frame_decode) works on a buffer alone, for the
 * tests and the fuzzer.
 */
#ifndef HOTLINE_WS_H
#define HOTLINE_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ws_conn;
struct httpd_conn;
struct http_msg;
struct mbuf;
struct sa;
struct tcp_conn;

enum ws_opcode {
	WS_CONT = 0x0,
	WS_TEXT = 0x1,
	WS_BIN = 0x2,
	WS_CLOSE = 0x8,
	WS_PING = 0x9,
	WS_PONG = 0xa,
};

enum ws_scode {
	WS_NORMAL = 1000,
	WS_GOING_AWAY = 1001,
	WS_PROTOCOL_ERROR = 1002,
	WS_INVALID_PAYLOAD = 1007,
	WS_POLICY_VIOLATION = 1008,
	WS_MESSAGE_TOO_BIG = 1009,
	WS_INTERNAL_ERROR = 1011,
};

struct ws_hdr {
	bool fin;
	enum ws_opcode opcode;
	bool mask;
	uint64_t len;
	uint8_t mkey[4];
};

#define WS_MAX_MSG_DEFAULT (64 * 1024)
#define WS_PING_MS_DEFAULT 30000

/* A whole message (WS_TEXT, valid UTF-8, or WS_BIN): mb its payload. */
typedef void(ws_recv_h)(const struct ws_hdr *hdr, struct mbuf *mb, void *arg);
/* The connection ended: the peer closed it (0), broke the protocol, went
 * silent or away (an errno). Not called after ws_close's handshake ends
 * from our side, nor once the ws_conn is dropped. */
typedef void(ws_close_h)(int err, void *arg);

/*
 * Takes over an HTTP connection whose request (msg) asks for a WebSocket
 * (RFC 6455 §4.2.1: Upgrade: websocket, Connection: Upgrade, a 16-byte
 * Sec-WebSocket-Key, version 13) and answers 101. EBADMSG: not such a
 * request, nothing sent (the caller answers it). *wcp is the caller's;
 * dropping it ends the connection.
 */
int ws_accept(struct ws_conn **wcp, struct httpd_conn *conn, const struct http_msg *msg,
	      ws_recv_h *recvh, ws_close_h *closeh, void *arg);
/* The same, answering the subprotocol proto (RFC 6455 §4.2.2
 * Sec-WebSocket-Protocol; the caller checked the client offered it). */
int ws_accept_proto(struct ws_conn **wcp, struct httpd_conn *conn,
		    const struct http_msg *msg, const char *proto, ws_recv_h *recvh,
		    ws_close_h *closeh, void *arg);
/* The largest message taken (1009 past it) and how often the peer is
 * pinged (one silent for three pings is gone). */
void ws_set_limits(struct ws_conn *wc, size_t max_msg, uint32_t ping_ms);
/* One unfragmented frame of opcode with the printed payload. */
int ws_send(struct ws_conn *wc, enum ws_opcode opcode, const char *fmt, ...);
/* ws_send of text as it is: the frame made with one allocation and one
 * copy (an event to every desktop, a chat message). */
int ws_send_text(struct ws_conn *wc, enum ws_opcode opcode, const char *text);
/* Sends a close frame (scode, the printed reason, cut at 123 bytes); the
 * connection ends when the peer answers it, or when wc is dropped. */
int ws_close(struct ws_conn *wc, enum ws_scode scode, const char *fmt, ...);
const struct sa *ws_peer(const struct ws_conn *wc);
/* NULL once the connection is gone. */
struct tcp_conn *ws_tcp(const struct ws_conn *wc);

/*
 * Reads one frame at mb->pos from a client. 0: *hdr is the frame, the
 * payload (hdr->len bytes, unmasked in place) is at mb->pos, after the
 * header; ENODATA: not all there yet (mb->pos unchanged); EBADMSG: not a
 * frame RFC 6455 §5 allows (reserved bits or opcode, a control frame
 * fragmented or over 125 bytes); EPROTO: not masked (§5.1: a client
 * masks every frame); EMSGSIZE: its payload is over max.
 */
int ws_frame_decode(struct ws_hdr *hdr, struct mbuf *mb, size_t max);
/* Is p valid UTF-8 (RFC 3629: no overlong forms, surrogates or code
 * points past U+10FFFF)? */
bool ws_utf8_valid(const uint8_t *p, size_t n);

#endif
