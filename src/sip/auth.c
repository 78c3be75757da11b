/*
 * auth.c — digest arithmetic, nonces and the ban table (see auth.h).
 * No SIP I/O here; the registrar uses it for REGISTER and INVITE.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include <sodium.h>
#include "sip/auth.h"

/* --- header parsing ---------------------------------------------------- */

static void skip_ws(const char **p, const char *end)
{
	while (*p < end &&
	       (**p == ' ' || **p == '\t' || **p == ',' || **p == '\r' || **p == '\n'))
		(*p)++;
}

int sipauth_parse(struct sipauth_creds *c, const struct pl *hval)
{
	const char *p, *end;

	if (!c || !hval || !hval->p)
		return EINVAL;
	memset(c, 0, sizeof(*c));
	p = hval->p;
	end = hval->p + hval->l;
	skip_ws(&p, end);
	if (end - p < 7 || strncasecmp(p, "Digest", 6) || !isspace((unsigned char)p[6]))
		return EINVAL;
	p += 6;
	while (p < end) {
		struct pl key, val;

		skip_ws(&p, end);
		if (p >= end)
			break;
		key.p = p;
		while (p < end && *p != '=' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		key.l = (size_t)(p - key.p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p != '=')
			return EINVAL;
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && *p == '"') {
			p++;
			val.p = p;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p >= end)
				return EINVAL; /* unterminated quote */
			val.l = (size_t)(p - val.p);
			p++;
		} else {
			val.p = p;
			while (p < end && *p != ',' && !isspace((unsigned char)*p))
				p++;
			val.l = (size_t)(p - val.p);
		}
		if (!pl_strcasecmp(&key, "username"))
			c->username = val;
		else if (!pl_strcasecmp(&key, "realm"))
			c->realm = val;
		else if (!pl_strcasecmp(&key, "nonce"))
			c->nonce = val;
		else if (!pl_strcasecmp(&key, "uri"))
			c->uri = val;
		else if (!pl_strcasecmp(&key, "response"))
			c->response = val;
		else if (!pl_strcasecmp(&key, "algorithm"))
			c->algorithm = val;
		else if (!pl_strcasecmp(&key, "qop"))
			c->qop = val;
		else if (!pl_strcasecmp(&key, "nc"))
			c->nc = val;
		else if (!pl_strcasecmp(&key, "cnonce"))
			c->cnonce = val;
		else if (!pl_strcasecmp(&key, "opaque"))
			c->opaque = val;
	}
	if (!pl_isset(&c->username) || !pl_isset(&c->realm) || !pl_isset(&c->nonce) ||
	    !pl_isset(&c->uri) || !pl_isset(&c->response))
		return EINVAL;
	return 0;
}

int sipauth_alg(enum sipauth_alg *algp, const struct sipauth_creds *c)
{
	if (!pl_isset(&c->algorithm) || !pl_strcasecmp(&c->algorithm, "MD5"))
		*algp = SIPAUTH_MD5;
	else if (!pl_strcasecmp(&c->algorithm, "SHA-256"))
		*algp = SIPAUTH_SHA256;
	else
		return EINVAL;
	return 0;
}

/* --- digest --------------------------------------------------------------- */

struct hasher {
	enum sipauth_alg alg;
	crypto_hash_sha256_state sha;
	uint8_t buf[1024];
	size_t n;
	bool overflow;
};

static void h_init(struct hasher *h, enum sipauth_alg alg)
{
	h->alg = alg;
	h->n = 0;
	h->overflow = false;
	if (alg == SIPAUTH_SHA256)
		crypto_hash_sha256_init(&h->sha);
}

static void h_add(struct hasher *h, const void *p, size_t n)
{
	if (h->alg == SIPAUTH_SHA256) {
		crypto_hash_sha256_update(&h->sha, p, n);
		return;
	}
	/* libre's md5() takes the whole input at once */
	if (h->n + n > sizeof(h->buf)) {
		h->overflow = true;
		return;
	}
	memcpy(h->buf + h->n, p, n);
	h->n += n;
}

static void h_pl(struct hasher *h, const struct pl *pl)
{
	if (pl && pl->p)
		h_add(h, pl->p, pl->l);
}

static void h_str(struct hasher *h, const char *s)
{
	h_add(h, s, strlen(s));
}

/* Writes the hex digest (33 or 65 bytes with NUL). */
static int h_hex(struct hasher *h, char *hex, size_t sz)
{
	uint8_t d[crypto_hash_sha256_BYTES];
	size_t n;

	if (h->overflow)
		return E2BIG;
	if (h->alg == SIPAUTH_SHA256) {
		crypto_hash_sha256_final(&h->sha, d);
		n = crypto_hash_sha256_BYTES;
	} else {
		md5(h->buf, h->n, d);
		n = 16;
	}
	if (sz < 2 * n + 1)
		return E2BIG;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

static int response_ha1(char *out, size_t sz, enum sipauth_alg alg, const char *ha1,
			const struct pl *method, const struct pl *uri,
			const struct pl *nonce, const struct pl *nc,
			const struct pl *cnonce, const struct pl *qop);

int sipauth_ha1(char *out, size_t sz, enum sipauth_alg alg, const struct pl *user,
		const struct pl *realm, const char *password)
{
	struct hasher h;

	h_init(&h, alg);
	h_pl(&h, user);
	h_str(&h, ":");
	h_pl(&h, realm);
	h_str(&h, ":");
	h_str(&h, password);
	return h_hex(&h, out, sz);
}

int sipauth_response(char *out, size_t sz, enum sipauth_alg alg, const struct pl *user,
		     const struct pl *realm, const char *password,
		     const struct pl *method, const struct pl *uri,
		     const struct pl *nonce, const struct pl *nc, const struct pl *cnonce,
		     const struct pl *qop)
{
	char ha1[65];
	int err;

	err = sipauth_ha1(ha1, sizeof(ha1), alg, user, realm, password);
	if (!err)
		err =
		    response_ha1(out, sz, alg, ha1, method, uri, nonce, nc, cnonce, qop);
	sodium_memzero(ha1, sizeof(ha1));
	return err;
}

/* The response from HA1 (RFC 7616 §3.4.1): H(HA1:nonce[:nc:cnonce:qop]:HA2). */
static int response_ha1(char *out, size_t sz, enum sipauth_alg alg, const char *ha1,
			const struct pl *method, const struct pl *uri,
			const struct pl *nonce, const struct pl *nc,
			const struct pl *cnonce, const struct pl *qop)
{
	char ha2[65];
	struct hasher h;
	int err;

	h_init(&h, alg);
	h_pl(&h, method);
	h_str(&h, ":");
	h_pl(&h, uri);
	err = h_hex(&h, ha2, sizeof(ha2));
	if (err)
		return err;

	h_init(&h, alg);
	h_str(&h, ha1);
	h_str(&h, ":");
	h_pl(&h, nonce);
	h_str(&h, ":");
	if (qop && pl_isset(qop)) {
		h_pl(&h, nc);
		h_str(&h, ":");
		h_pl(&h, cnonce);
		h_str(&h, ":");
		h_pl(&h, qop);
		h_str(&h, ":");
	}
	h_str(&h, ha2);
	return h_hex(&h, out, sz);
}

int sipauth_verify(const struct sipauth_creds *c, const struct pl *method,
		   const char *password)
{
	enum sipauth_alg alg;
	char ha1[65];
	int err;

	err = sipauth_alg(&alg, c);
	if (!err)
		err =
		    sipauth_ha1(ha1, sizeof(ha1), alg, &c->username, &c->realm, password);
	if (!err)
		err = sipauth_verify_ha1(c, method, alg, ha1);
	sodium_memzero(ha1, sizeof(ha1));
	return err;
}

int sipauth_verify_ha1(const struct sipauth_creds *c, const struct pl *method,
		       enum sipauth_alg alg, const char *ha1)
{
	enum sipauth_alg named;
	char expect[65];
	int err;

	err = sipauth_alg(&named, c);
	if (err)
		return err;
	if (named != alg)
		return EINVAL; /* an HA1 of the other algorithm */
	if (pl_isset(&c->qop) && pl_strcasecmp(&c->qop, "auth"))
		return EINVAL; /* auth-int is not offered */
	err = response_ha1(expect, sizeof(expect), alg, ha1, method, &c->uri, &c->nonce,
			   &c->nc, &c->cnonce, &c->qop);
	if (err)
		return err;
	if (c->response.l != strlen(expect))
		return EACCES;
	/* constant time: the response must not leak by timing */
	for (size_t i = 0; i < c->response.l; i++) {
		if (tolower((unsigned char)c->response.p[i]) != c->response.p[i] &&
		    !isxdigit((unsigned char)c->response.p[i]))
			return EACCES;
	}
	{
		char got[65];
		for (size_t i = 0; i < c->response.l; i++)
			got[i] = (char)tolower((unsigned char)c->response.p[i]);
		if (sodium_memcmp(got, expect, c->response.l))
			return EACCES;
	}
	return 0;
}

/* --- nonces --------------------------------------------------------------- */

/* nonce = <16 hex of time> <32 hex of HMAC-SHA256(time | client)> */
static void nonce_mac(char *hex, const uint8_t *key, uint64_t t, const char *client)
{
	crypto_auth_hmacsha256_state st;
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	uint8_t tb[8];

	for (int i = 0; i < 8; i++)
		tb[i] = (uint8_t)(t >> (56 - 8 * i));
	crypto_auth_hmacsha256_init(&st, key, SIPAUTH_KEYLEN);
	crypto_auth_hmacsha256_update(&st, tb, sizeof(tb));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)client, strlen(client));
	crypto_auth_hmacsha256_final(&st, mac);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

int sipauth_nonce_make(char *out, size_t sz, const uint8_t *key, uint64_t now_s,
		       const char *client)
{
	char mac[33];

	if (sz < 16 + 32 + 1)
		return E2BIG;
	nonce_mac(mac, key, now_s, client);
	snprintf(out, sz, "%016llx%s", (unsigned long long)now_s, mac);
	return 0;
}

int sipauth_nonce_check(const struct pl *nonce, const uint8_t *key, uint64_t now_s,
			const char *client)
{
	char ts[17], mac[33];
	unsigned long long t;
	char *end;

	if (!nonce || nonce->l != 48)
		return EINVAL;
	memcpy(ts, nonce->p, 16);
	ts[16] = '\0';
	t = strtoull(ts, &end, 16);
	if (*end)
		return EINVAL;
	nonce_mac(mac, key, t, client);
	if (sodium_memcmp(mac, nonce->p + 16, 32))
		return EINVAL;
	if (t > now_s + 5 || now_s - t > SIPAUTH_NONCE_TTL)
		return ETIMEDOUT;
	return 0;
}

/* --- bans ------------------------------------------------------------------ */

struct ban_entry {
	char addr[64];
	uint64_t first; /* start of the counting window */
	uint32_t fails;
	uint64_t banned_until;
	uint64_t touched;
};

struct sipauth_bans {
	struct ban_entry *v;
	size_t n, max;
	uint32_t limit, window, ban;
};

static void bans_destructor(void *arg)
{
	struct sipauth_bans *b = arg;
	mem_deref(b->v);
}

int sipauth_bans_alloc(struct sipauth_bans **bp, size_t max, uint32_t limit,
		       uint32_t window, uint32_t ban)
{
	struct sipauth_bans *b;

	if (!bp || !max || !limit)
		return EINVAL;
	b = mem_zalloc(sizeof(*b), bans_destructor);
	if (!b)
		return ENOMEM;
	b->v = mem_zalloc(max * sizeof(*b->v), NULL);
	if (!b->v) {
		mem_deref(b);
		return ENOMEM;
	}
	b->max = max;
	b->limit = limit;
	b->window = window;
	b->ban = ban;
	*bp = b;
	return 0;
}

static struct ban_entry *ban_find(struct sipauth_bans *b, const char *addr)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!strcmp(b->v[i].addr, addr))
			return &b->v[i];
	}
	return NULL;
}

bool sipauth_fail(struct sipauth_bans *b, const char *addr, uint64_t now_s)
{
	struct ban_entry *e;

	if (!b || !addr)
		return false;
	e = ban_find(b, addr);
	if (!e) {
		if (b->n < b->max) {
			e = &b->v[b->n++];
		} else {
			/* full: reuse the entry touched longest ago, unless
			 * it is an active ban */
			size_t old = 0;
			for (size_t i = 1; i < b->n; i++) {
				bool ai = b->v[i].banned_until > now_s;
				bool ao = b->v[old].banned_until > now_s;
				if ((ao && !ai) ||
				    (ai == ao && b->v[i].touched < b->v[old].touched))
					old = i;
			}
			e = &b->v[old];
		}
		memset(e, 0, sizeof(*e));
		snprintf(e->addr, sizeof(e->addr), "%s", addr);
		e->first = now_s;
	}
	e->touched = now_s;
	if (now_s - e->first > b->window) {
		e->first = now_s;
		e->fails = 0;
	}
	if (++e->fails >= b->limit) {
		e->banned_until = now_s + b->ban;
		e->fails = 0;
		e->first = now_s;
		return true;
	}
	return false;
}

bool sipauth_banned(struct sipauth_bans *b, const char *addr, uint64_t now_s)
{
	struct ban_entry *e = b && addr ? ban_find(b, addr) : NULL;
	return e && e->banned_until > now_s;
}

size_t sipauth_bans_count(const struct sipauth_bans *b)
{
	return b ? b->n : 0;
}
