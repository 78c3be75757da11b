/*
 * cfg.c — reading hotline.yaml (the node) into struct cfg_node, and the
 * YAML helpers the tenant reader (cfg_tenant.c) shares.
 *
 * Node keys are declared once, in node_keys[] below: path, type, default,
 * bounds and help. Defaults, validation and `cfg_node_help` all come from
 * that table. Every problem is reported as "file:line: key: message" and
 * all of them are collected, not just the first.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_int.h"
#include "safe/net.h"

/* --- errors and YAML helpers ----------------------------------------- */

void cfg__error(struct cfg_errors *errs, const char *file, int line, const char *key,
		const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (!errs)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errs->msgc < 32)
		snprintf(errs->msgv[errs->msgc], sizeof(errs->msgv[0]), "%s:%d: %s: %s",
			 file, line, key, msg);
	errs->msgc++;
}

yaml_node_t *cfg__get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

int cfg__line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

const char *cfg__scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

/* Every key of map must be one of allowed (NULL-terminated). */
void cfg__check_keys(struct cfg_parse *cp, yaml_node_t *map, const char *where,
		     const char *const *allowed)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cp->doc, p->key);
		const char *name = cfg__scalar(k);
		bool ok = false;

		for (size_t i = 0; name && allowed[i]; i++)
			ok |= !strcmp(name, allowed[i]);
		if (!ok) {
			char valid[256] = "";
			for (size_t i = 0; allowed[i]; i++) {
				if (i)
					strncat(valid, ", ",
						sizeof(valid) - strlen(valid) - 1);
				strncat(valid, allowed[i],
					sizeof(valid) - strlen(valid) - 1);
			}
			cfg__error(cp->errs, cp->file, cfg__line(k), where,
				   "unknown key \"%s\" (valid: %s)", name ? name : "?",
				   valid);
		}
	}
}

/* Copies a scalar into a fixed field, or reports why it cannot. */
bool cfg__str(struct cfg_parse *cp, yaml_node_t *n, const char *key, char *dst, size_t sz)
{
	const char *s = cfg__scalar(n);

	if (!n)
		return false;
	if (!s) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "expected a single value, not a list or map");
		return false;
	}
	if (strlen(s) >= sz) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "too long (%zu characters, at most %zu)", strlen(s), sz - 1);
		return false;
	}
	util_copy(dst, sz, s);
	return true;
}

int cfg_duration_parse(uint32_t *msp, const char *s)
{
	char *end;
	unsigned long long v;
	uint64_t ms;

	if (!s || !isdigit((unsigned char)*s))
		return EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return EINVAL;
	if (!*end || !strcmp(end, "s"))
		ms = v * 1000;
	else if (!strcmp(end, "ms"))
		ms = v;
	else if (!strcmp(end, "m"))
		ms = v * 60000;
	else if (!strcmp(end, "h"))
		ms = v * 3600000;
	else
		return EINVAL;
	if (ms > UINT32_MAX)
		return ERANGE;
	*msp = (uint32_t)ms;
	return 0;
}

bool cfg__duration(struct cfg_parse *cp, yaml_node_t *n, const char *key, uint32_t *msp,
		   uint32_t min_ms, uint32_t max_ms)
{
	const char *s = cfg__scalar(n);
	uint32_t ms;

	if (!n)
		return false;
	if (!s || cfg_duration_parse(&ms, s)) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "\"%s\" is not a duration (use 500ms, 5s or 2m)",
			   s ? s : "(list)");
		return false;
	}
	if (ms < min_ms || ms > max_ms) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "%s is out of range (%ums to %ums)", s, min_ms, max_ms);
		return false;
	}
	*msp = ms;
	return true;
}

bool cfg__uint(struct cfg_parse *cp, yaml_node_t *n, const char *key, uint32_t *vp,
	       uint32_t min, uint32_t max)
{
	const char *s = cfg__scalar(n);
	char *end;
	unsigned long v;

	if (!n)
		return false;
	if (!s || !isdigit((unsigned char)*s)) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "\"%s\" is not a whole number", s ? s : "(list)");
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "%s is out of range (%u to %u)", s, min, max);
		return false;
	}
	*vp = (uint32_t)v;
	return true;
}

/* A whole number that may be negative ("-20"), within [min, max]. */
bool cfg__int(struct cfg_parse *cp, yaml_node_t *n, const char *key, int *vp, int min,
	      int max)
{
	const char *s = cfg__scalar(n);
	const char *d = s && (*s == '-' || *s == '+') ? s + 1 : s;
	char *end;
	long v;

	if (!n)
		return false;
	if (!d || !isdigit((unsigned char)*d)) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "\"%s\" is not a whole number", s ? s : "(list)");
		return false;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		cfg__error(cp->errs, cp->file, cfg__line(n), key,
			   "%s is out of range (%d to %d)", s, min, max);
		return false;
	}
	*vp = (int)v;
	return true;
}

bool cfg__bool(struct cfg_parse *cp, yaml_node_t *n, const char *key, bool *vp)
{
	const char *s = cfg__scalar(n);

	if (!n)
		return false;
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) {
		*vp = true;
		return true;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) {
		*vp = false;
		return true;
	}
	cfg__error(cp->errs, cp->file, cfg__line(n), key, "\"%s\" is not true or false",
		   s ? s : "(list)");
	return false;
}

/* Reads YAML text into a document; a syntax error is reported with its
 * line. */
int cfg__load(struct cfg_parse *cp, const char *yaml, size_t len)
{
	yaml_parser_t parser;
	int err = 0;

	if (!yaml_parser_initialize(&parser))
		return ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, cp->doc)) {
		cfg__error(cp->errs, cp->file, (int)parser.problem_mark.line + 1, "yaml",
			   "%s%s%s", parser.problem ? parser.problem : "syntax error",
			   parser.context ? " " : "",
			   parser.context ? parser.context : "");
		err = EINVAL;
	}
	yaml_parser_delete(&parser);
	return err;
}

int cfg__read_file(const char *path, char **bufp, size_t *lenp, struct cfg_errors *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f) {
		int e = errno;
		cfg__error(errs, path, 0, "file", "cannot open: %s", strerror(e));
		return e;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > CFG_TENANT_MAX ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		cfg__error(errs, path, 0, "file", "unreadable or over 4 MiB");
		return EINVAL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		cfg__error(errs, path, 0, "file", "read error");
		return EIO;
	}
	buf[n] = '\0';
	fclose(f);
	*bufp = buf;
	*lenp = (size_t)n;
	return 0;
}

/* --- the node file ---------------------------------------------------- */

enum key_type {
	K_ALGS,
	K_CODECS,
	K_STR,
	K_ADDR,
	K_IP,
	K_U32,
	K_DUR,
	K_SECS,
	K_PORTS,
	K_CIDRS,
	K_LEVEL
};

struct node_key {
	const char *path;
	enum key_type type;
	size_t off, size;
	const char *def;
	uint32_t min, max;
	const char *help;
};

#define NKEYS (sizeof(node_keys) / sizeof(node_keys[0]))
#define F(m)  offsetof(struct cfg_node, m), sizeof(((struct cfg_node *)0)->m)

static const struct node_key node_keys[] = {
    {"data_dir", K_STR, F(data_dir), "var", 0, 0,
     "database, recordings and prompt cache"},
    {"tenant", K_STR, F(tenant_file), "demo.yaml", 0, 0,
     "the tenant file, relative to this file"},
    {"log_level", K_LEVEL, F(log_level), "info", 0, 0, "debug, info, warn or error"},
    {"sip.listen", K_ADDR, F(sip_listen), "0.0.0.0:5060", 0, 0, "SIP over UDP and TCP"},
    {"sip.realm", K_STR, F(realm), "hotline", 0, 0, "digest auth realm"},
    {"sip.tls_listen", K_STR, F(sip_tls_listen), "", 0, 0,
     "SIP over TLS (sips:), e.g. 0.0.0.0:5061; empty: none"},
    {"sip.tls_cert", K_STR, F(sip_tls_cert), "", 0, 0,
     "PEM certificate (chain) of the TLS listener, relative to this file"},
    {"sip.tls_key", K_STR, F(sip_tls_key), "", 0, 0,
     "PEM private key of the TLS listener (not world-readable)"},
    {"sip.tls_ca", K_STR, F(sip_tls_ca), "", 0, 0,
     "PEM CA certificates trusted for phones' TLS (besides the system's)"},
    {"sip.srtp", K_STR, F(sip_srtp), "", 0, 0,
     "phones' SRTP (SDES): off, optional, required; empty: optional over TLS, "
     "off otherwise"},
    {"sip.register.min_expires", K_U32, F(reg_min_expires), "60", 10, 86400,
     "shortest registration accepted (s)"},
    {"sip.register.max_expires", K_U32, F(reg_max_expires), "3600", 60, 604800,
     "longest registration granted (s)"},
    {"sip.auth.fail_limit", K_U32, F(auth_fail_limit), "5", 1, 1000,
     "failed digest attempts from one address before a ban"},
    {"sip.auth.fail_window", K_U32, F(auth_fail_window), "60", 1, 86400,
     "window for counting failures (s)"},
    {"sip.auth.ban_time", K_U32, F(auth_ban_time), "600", 1, 604800,
     "how long a banned address is ignored (s)"},
    {"sip.auth.algorithms", K_ALGS, F(auth_algorithms), "MD5", 0, 0,
     "digest algorithms offered, in this order (MD5, SHA-256)"},
    {"sip.trusted", K_CIDRS, F(trusted), "127.0.0.0/8", 0, 0,
     "networks that may call numbers without auth (trunks)"},
    {"media.address", K_IP, F(media_addr), "", 0, 0,
     "IP for RTP, written in SDP (unset: every address, SDP names the call's)"},
    {"media.rtp_ports", K_PORTS, 0, 0, "20000-29999", 0, 0, "RTP port range"},
    {"media.rtp_timeout", K_DUR, F(rtp_timeout_ms), "30s", 0, 3600000,
     "hang up a call whose RTP stopped this long (0 = never)"},
    {"media.threads", K_U32, F(media_threads), "0", 0, 64,
     "threads running the media tick, each for a share of the calls (0 = one "
     "per core, 1 = all on the main loop)"},
    {"media.codecs", K_CODECS, F(media_codecs), "opus, PCMU, PCMA", 0, 0,
     "codecs calls may use (opus, PCMU, PCMA), in the order our offers list them; "
     "an answer takes the first of the phone's that is here"},
    {"http.listen", K_ADDR, F(http_listen), "127.0.0.1:8080", 0, 0,
     "REST API and web pages"},
    {"http.api_token", K_STR, F(api_token), "demo-token", 0, 0,
     "bearer token for /api/v1 (or HOTLINE_API_TOKEN)"},
    {"http.web_dir", K_STR, F(web_dir), "", 0, 0,
     "folder of the pages (default: web/ beside the program's folder)"},
    {"http.tls_cert", K_STR, F(http_tls_cert), "", 0, 0,
     "certificate file (PEM, with its chain) for HTTPS and wss on http.listen; "
     "relative to this file"},
    {"http.tls_key", K_STR, F(http_tls_key), "", 0, 0,
     "the certificate's private key file (PEM, not world-readable); both or "
     "neither"},
    {"http.admin_password", K_STR, F(admin_password), "", 0, 0,
     "password of user admin, made when there is no user (or HOTLINE_ADMIN_PASSWORD)"},
    {"http.streams_per_user", K_U32, F(streams_per_user), "8", 1, 4096,
     "live event streams (WebSockets) one user may hold at once; more get 429"},
    {"http.max_connections", K_U32, F(http_max_conns), "16384", 16, 1000000,
     "open HTTP and WebSocket connections (pages, event streams, chat visitors); "
     "past it a new one is closed at once"},
    {"http.ws_ping", K_DUR, F(ws_ping_ms), "30s", 1000, 3600000,
     "WebSockets (event streams, chat visitors) are pinged this often; a peer silent "
     "for three pings is closed"},
    {"http.stream_origins", K_STR, F(stream_origins), "", 0, 0,
     "comma list of page origins (https://crm.example) that may open the event "
     "stream besides the server's own"},
    {"limits.max_calls", K_U32, F(max_calls), "2000", 1, 100000,
     "concurrent calls; more get 503 + Retry-After"},
    {"limits.max_setup", K_U32, F(max_setup), "200", 0, 100000,
     "calls in set-up (INVITE taken, not yet answered) before new ones get 503 (0 = "
     "no limit)"},
    {"limits.max_lag", K_DUR, F(max_lag_ms), "250ms", 0, 60000,
     "main loop lag (how late the 20 ms media tick runs) past which new calls get "
     "503 (0 = never)"},
    {"limits.retry_after", K_U32, F(retry_after), "5", 1, 3600,
     "seconds a refused caller is told to wait (Retry-After of the 503)"},
};

void cfg_node_help(FILE *f)
{
	for (size_t i = 0; i < NKEYS; i++)
		fprintf(f, "  %-26s %-14s %s\n", node_keys[i].path, node_keys[i].def,
			node_keys[i].help);
}

static bool cidr_valid(const char *s)
{
	struct safe_net n;

	return !safe_net_parse(&n, s);
}

/* Sets one key from a string (a default or a scalar of the file). */
static bool node_set(struct cfg_parse *cp, struct cfg_node *nd, const struct node_key *k,
		     const char *val, int line)
{
	char *field = (char *)nd + k->off;
	struct sa sa;
	uint32_t v;
	enum log_level lvl;

	switch (k->type) {
	case K_ALGS: {
		/* a comma list, or a YAML list flattened by node_walk */
		char buf[64], *tok, *save = NULL;
		util_copy(buf, sizeof(buf), val);
		for (tok = strtok_r(buf, ", ", &save); tok;
		     tok = strtok_r(NULL, ", ", &save)) {
			if (strcmp(tok, "MD5") && strcmp(tok, "SHA-256")) {
				cfg__error(cp->errs, cp->file, line, k->path,
					   "\"%s\" is not MD5 or SHA-256", tok);
				return false;
			}
		}
		if (strlen(val) >= k->size || !strpbrk(val, "MS")) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "name MD5, SHA-256 or both");
			return false;
		}
		util_copy(field, k->size, val);
		return true;
	}
	case K_CODECS: {
		/* a comma list, or a YAML list flattened by node_walk */
		char buf[64], *tok, *save = NULL;
		size_t n = 0;

		util_copy(buf, sizeof(buf), val);
		for (tok = strtok_r(buf, ", ", &save); tok;
		     tok = strtok_r(NULL, ", ", &save), n++) {
			if (strcasecmp(tok, "opus") && strcasecmp(tok, "PCMU") &&
			    strcasecmp(tok, "PCMA")) {
				cfg__error(cp->errs, cp->file, line, k->path,
					   "\"%s\" is not a codec (opus, PCMU, PCMA)",
					   tok);
				return false;
			}
		}
		if (strlen(val) >= k->size || !n) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "name one or more of opus, PCMU, PCMA");
			return false;
		}
		util_copy(field, k->size, val);
		return true;
	}
	case K_STR:
	case K_ADDR:
	case K_IP:
	case K_LEVEL:
		if (strlen(val) >= k->size) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "too long (at most %zu characters)", k->size - 1);
			return false;
		}
		if (k->type == K_ADDR && sa_decode(&sa, val, strlen(val))) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not IP:PORT (e.g. 0.0.0.0:5060)", val);
			return false;
		}
		if (k->type == K_IP && *val && sa_set_str(&sa, val, 0)) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not an IP address", val);
			return false;
		}
		if (k->type == K_LEVEL && log_level_parse(&lvl, val)) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not a level (debug, info, warn, error)",
				   val);
			return false;
		}
		util_copy(field, k->size, val);
		return true;
	case K_U32:
		if (!isdigit((unsigned char)*val))
			goto bad_number;
		{
			char *end;
			unsigned long n;
			errno = 0;
			n = strtoul(val, &end, 10);
			if (errno || *end)
				goto bad_number;
			if (n < k->min || n > k->max) {
				cfg__error(cp->errs, cp->file, line, k->path,
					   "%s is out of range (%u to %u)", val, k->min,
					   k->max);
				return false;
			}
			*(uint32_t *)(void *)field = (uint32_t)n;
		}
		return true;
	case K_SECS:
	case K_DUR:
		if (cfg_duration_parse(&v, val)) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not a duration (use 500ms, 5s or 2m)", val);
			return false;
		}
		if (v < k->min || v > k->max) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "%s is out of range", val);
			return false;
		}
		*(uint32_t *)(void *)field = v;
		return true;
	case K_PORTS: {
		unsigned a, b;
		char tail;
		if (sscanf(val, "%u-%u%c", &a, &b, &tail) != 2 || a < 1024 || b > 65535 ||
		    a >= b) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not a port range like 20000-29999 "
				   "(1024..65535, first < last)",
				   val);
			return false;
		}
		nd->rtp_port_min = (uint16_t)a;
		nd->rtp_port_max = (uint16_t)b;
		return true;
	}
	case K_CIDRS:
		if (!cidr_valid(val)) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "\"%s\" is not a network like 10.0.0.0/8", val);
			return false;
		}
		if (nd->trustedc >= CFG_MAX_TRUSTED) {
			cfg__error(cp->errs, cp->file, line, k->path,
				   "at most %d networks", CFG_MAX_TRUSTED);
			return false;
		}
		util_copy(nd->trusted[nd->trustedc++], sizeof(nd->trusted[0]), val);
		return true;
	}
	return false;
bad_number:
	cfg__error(cp->errs, cp->file, line, k->path, "\"%s\" is not a whole number",
		   val);
	return false;
}

static const struct node_key *node_key_find(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (!strcmp(node_keys[i].path, path))
			return &node_keys[i];
	}
	return NULL;
}

static bool node_prefix_known(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < NKEYS; i++) {
		if (!strncmp(node_keys[i].path, path, n) && node_keys[i].path[n] == '.')
			return true;
	}
	return false;
}

static void node_walk(struct cfg_parse *cp, struct cfg_node *nd, yaml_node_t *map,
		      const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(cp->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(cp->doc, p->value);
		const char *name = cfg__scalar(kn);
		const struct node_key *k;
		char path[128];

		if (!name || !vn)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", name);
		k = node_key_find(path);
		if (!k) {
			if (vn->type == YAML_MAPPING_NODE && node_prefix_known(path))
				node_walk(cp, nd, vn, path);
			else
				cfg__error(cp->errs, cp->file, cfg__line(kn), path,
					   "unknown key");
			continue;
		}
		if (k->type == K_CIDRS) {
			if (vn->type != YAML_SEQUENCE_NODE) {
				cfg__error(cp->errs, cp->file, cfg__line(vn), path,
					   "expected a list of networks");
				continue;
			}
			nd->trustedc = 0;
			for (yaml_node_item_t *it = vn->data.sequence.items.start;
			     it < vn->data.sequence.items.top; it++) {
				yaml_node_t *in = yaml_document_get_node(cp->doc, *it);
				const char *s = cfg__scalar(in);
				if (!s)
					cfg__error(cp->errs, cp->file, cfg__line(in),
						   path, "expected a network");
				else
					node_set(cp, nd, k, s, cfg__line(in));
			}
			continue;
		}
		if (k->type == K_CODECS && vn->type == YAML_SEQUENCE_NODE) {
			/* [opus, PCMU]: the items as one comma list */
			char list[64] = "";
			bool ok = true;

			for (yaml_node_item_t *it = vn->data.sequence.items.start;
			     ok && it < vn->data.sequence.items.top; it++) {
				yaml_node_t *in = yaml_document_get_node(cp->doc, *it);
				const char *s = cfg__scalar(in);

				ok = s && strlen(list) + strlen(s) + 2 < sizeof(list);
				if (ok)
					strcat(strcat(list, *list ? "," : ""), s);
			}
			if (ok)
				node_set(cp, nd, k, list, cfg__line(vn));
			else
				cfg__error(cp->errs, cp->file, cfg__line(vn), path,
					   "expected a list of codecs");
			continue;
		}
		if (!cfg__scalar(vn)) {
			cfg__error(cp->errs, cp->file, cfg__line(vn), path,
				   "expected a single value");
			continue;
		}
		node_set(cp, nd, k, cfg__scalar(vn), cfg__line(vn));
	}
}

static int node_defaults(struct cfg_node *nd)
{
	struct cfg_parse cp = {.file = "defaults"};

	for (size_t i = 0; i < NKEYS; i++) {
		if (!node_set(&cp, nd, &node_keys[i], node_keys[i].def, 0))
			return EINVAL;
	}
	return 0;
}

int cfg_node_defaults(struct cfg_node **np)
{
	struct cfg_node *nd;
	const char *tok;

	if (!np)
		return EINVAL;
	nd = mem_zalloc(sizeof(*nd), NULL);
	if (!nd)
		return ENOMEM;
	if (node_defaults(nd)) {
		mem_deref(nd);
		return EINVAL;
	}
	tok = getenv("HOTLINE_API_TOKEN");
	if (tok && *tok)
		util_copy(nd->api_token, sizeof(nd->api_token), tok);
	tok = getenv("HOTLINE_ADMIN_PASSWORD");
	if (tok && *tok)
		util_copy(nd->admin_password, sizeof(nd->admin_password), tok);
	util_copy(nd->file, sizeof(nd->file), "defaults");
	*np = nd;
	return 0;
}

int cfg_node_parse(struct cfg_node **np, const char *name, const char *yaml, size_t len,
		   struct cfg_errors *errs)
{
	yaml_document_t doc;
	struct cfg_parse cp = {.file = name, .errs = errs, .doc = &doc};
	struct cfg_node *nd = NULL;
	size_t before = errs ? errs->msgc : 0;
	yaml_node_t *root;
	const char *tok;
	int err;

	if (!np || !name || (!yaml && len))
		return EINVAL;
	err = cfg_node_defaults(&nd);
	if (err)
		return err;
	util_copy(nd->file, sizeof(nd->file), name);
	err = cfg__load(&cp, yaml ? yaml : "", len);
	if (err) {
		mem_deref(nd);
		return err;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		node_walk(&cp, nd, root, "");
	else if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
		cfg__error(errs, name, cfg__line(root), "file",
			   "expected a map of settings");
	yaml_document_delete(&doc);

	tok = getenv("HOTLINE_API_TOKEN");
	if (tok && *tok)
		util_copy(nd->api_token, sizeof(nd->api_token), tok);
	tok = getenv("HOTLINE_ADMIN_PASSWORD");
	if (tok && *tok)
		util_copy(nd->admin_password, sizeof(nd->admin_password), tok);
	if (nd->reg_min_expires > nd->reg_max_expires)
		cfg__error(errs, name, 0, "sip.register.min_expires",
			   "larger than max_expires");
	cfg__tls_check(nd, errs);
	if (errs && errs->msgc > before) {
		mem_deref(nd);
		return EINVAL;
	}
	*np = nd;
	return 0;
}

/*
 * Which kind of file the text is, by its top-level keys: a tenant's
 * (agents, queues, ...) or a node's (data_dir, sip, http, ...). Whichever
 * kind more of them belong to wins; an empty file, a tie or none known is
 * a node file (the default of check-config).
 */
int cfg_file_kind(enum cfg_kind *kp, const char *yaml, size_t len)
{
	yaml_document_t doc;
	struct cfg_parse cp = {.file = "", .doc = &doc};
	yaml_node_t *root;
	size_t node = 0, tenant = 0;
	int err;

	if (!kp || (!yaml && len))
		return EINVAL;
	err = cfg__load(&cp, yaml ? yaml : "", len);
	if (err)
		return err;
	root = yaml_document_get_root_node(&doc);
	for (yaml_node_pair_t *p = root && root->type == YAML_MAPPING_NODE
				       ? root->data.mapping.pairs.start
				       : NULL;
	     p && p < root->data.mapping.pairs.top; p++) {
		const char *name = cfg__scalar(yaml_document_get_node(&doc, p->key));

		if (!name)
			continue;
		node += node_key_find(name) || node_prefix_known(name);
		for (size_t i = 0; cfg__tenant_keys[i]; i++)
			tenant += !strcmp(name, cfg__tenant_keys[i]);
	}
	yaml_document_delete(&doc);
	*kp = tenant > node ? CFG_TENANT : CFG_NODE;
	return 0;
}

int cfg_file_kind_load(enum cfg_kind *kp, const char *path, struct cfg_errors *errs)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = cfg__read_file(path, &buf, &len, errs);
	if (err)
		return err;
	err = cfg_file_kind(kp, buf, len);
	free(buf);
	return err;
}

int cfg_node_load(struct cfg_node **np, const char *path, struct cfg_errors *errs)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = cfg__read_file(path, &buf, &len, errs);
	if (err)
		return err;
	err = cfg_node_parse(np, path, buf, len, errs);
	free(buf);
	if (err)
		return err;
	/* Relative paths are relative to this file's folder. */
	if (cfg__tls_paths(*np, path, errs)) {
		*np = mem_deref(*np);
		return EINVAL;
	}
	if ((*np)->tenant_file[0] != '/') {
		const char *slash = strrchr(path, '/');
		if (slash) {
			char full[CFG_PATH * 2];
			snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - path), path,
				 (*np)->tenant_file);
			if (util_copy((*np)->tenant_file, sizeof((*np)->tenant_file),
				      full)) {
				cfg__error(errs, path, 0, "tenant", "path too long");
				*np = mem_deref(*np);
				return EINVAL;
			}
		}
	}
	return 0;
}
