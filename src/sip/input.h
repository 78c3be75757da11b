/*
 * input.h — the checks every SIP request passes before any handler sees
 * it (RFC 3261 §8.2 and §18.3): mandatory headers, CSeq against the
 * method, Content-Length against the body, the protocol version. Private
 * to src/sip/ (and its tests).
 */
#ifndef HOTLINE_SIP_INPUT_H
#define HOTLINE_SIP_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

/* The Call-ID of the request sipinput_probe sends to our own transport;
 * it is swallowed unanswered. */
#define SIPINPUT_PROBE_CALLID "hotline-input-probe"

struct sipinput;

/* What to do with a request libre decoded: 0 take it, 400 answer that
 * (reason says why), -1 drop it (no Via: a reply could go nowhere).
 * body: the bytes after the header (a UDP datagram's rest). */
int sipinput_verdict(const struct sip_msg *msg, size_t body, const char **reason);

/* The start line of raw datagram bytes: 505 for a request of another SIP
 * version, 0 otherwise (responses, SIP/2.0 requests, what is not SIP,
 * which libre drops). A request whose version differs from "SIP/2.0" only
 * in case (RFC 3261 §7.1: it is case-insensitive) is upper-cased in
 * place. */
int sipinput_version(uint8_t *p, size_t n);

/* Checks msg before any handler: true when it was answered (400) or
 * dropped. A UDP request's socket is watched from then on for requests
 * of other SIP versions, which libre cannot decode (505). */
int sipinput_alloc(struct sipinput **inp, struct sip *sip);
bool sipinput_reject(struct sipinput *in, const struct sip_msg *msg);

#endif
