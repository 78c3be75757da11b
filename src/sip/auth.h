/*
 * auth.h — digest authentication for SIP (RFC 3261 §22, RFC 7616 with
 * RFC 8760's SHA-256 for SIP), stateless nonces, and the table that bans
 * addresses after repeated failures. Pure functions: no I/O, time passed
 * in. Private to src/sip/ (and its tests).
 */
#ifndef HOTLINE_SIP_AUTH_H
#define HOTLINE_SIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

enum sipauth_alg { SIPAUTH_MD5 = 0, SIPAUTH_SHA256 };

/* The fields of an Authorization / Proxy-Authorization header; views
 * into the header text. */
struct sipauth_creds {
	struct pl username, realm, nonce, uri, response, algorithm, qop, nc, cnonce,
	    opaque;
};

/* Parses "Digest k=v, k="v", ...". EINVAL when it is not a digest
 * header or lacks username, realm, nonce, uri or response. */
int sipauth_parse(struct sipauth_creds *c, const struct pl *hval);
/* The algorithm the credentials name (MD5 when absent); EINVAL for
 * others. */
int sipauth_alg(enum sipauth_alg *algp, const struct sipauth_creds *c);

/* The expected response, lower-case hex, for qop=auth (nc, cnonce set)
 * or the RFC 2069 form (qop empty). */
int sipauth_response(char *out, size_t sz, enum sipauth_alg alg, const struct pl *user,
		     const struct pl *realm, const char *password,
		     const struct pl *method, const struct pl *uri,
		     const struct pl *nonce, const struct pl *nc, const struct pl *cnonce,
		     const struct pl *qop);
/* Checks credentials against password: 0 when the response is right. */
int sipauth_verify(const struct sipauth_creds *c, const struct pl *method,
		   const char *password);
/* HA1 = H(user:realm:password), lower-case hex (RFC 8760 §2). */
int sipauth_ha1(char *out, size_t sz, enum sipauth_alg alg, const struct pl *user,
		const struct pl *realm, const char *password);
/* Checks credentials against a stored HA1 of algorithm alg (the tenant's
 * ha1_md5 or ha1_sha256): 0 when right, EACCES when wrong, EINVAL when
 * the credentials use another algorithm. Compared in constant time. */
int sipauth_verify_ha1(const struct sipauth_creds *c, const struct pl *method,
		       enum sipauth_alg alg, const char *ha1);

/* Nonces carry their creation time and an HMAC over it and the client's
 * address, so nothing is kept per challenge. */
#define SIPAUTH_KEYLEN	  32
#define SIPAUTH_NONCE_TTL 300 /* seconds */
int sipauth_nonce_make(char *out, size_t sz, const uint8_t *key, uint64_t now_s,
		       const char *client);
/* 0: valid; ETIMEDOUT: authentic but old (reply stale=true); EINVAL:
 * not ours. */
int sipauth_nonce_check(const struct pl *nonce, const uint8_t *key, uint64_t now_s,
			const char *client);

/* Failed attempts per address: after `limit` failures within `window`
 * seconds the address is banned for `ban` seconds. Bounded in size (the
 * oldest entry makes room), so a scanner on many addresses cannot grow
 * it without end. */
struct sipauth_bans;
int sipauth_bans_alloc(struct sipauth_bans **bp, size_t max, uint32_t limit,
		       uint32_t window, uint32_t ban);
/* Counts a failure; true when the address is now banned. */
bool sipauth_fail(struct sipauth_bans *b, const char *addr, uint64_t now_s);
bool sipauth_banned(struct sipauth_bans *b, const char *addr, uint64_t now_s);
size_t sipauth_bans_count(const struct sipauth_bans *b);

#endif
