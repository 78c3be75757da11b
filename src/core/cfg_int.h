/*
 * cfg_int.h — YAML helpers shared by cfg.c (node) and cfg_tenant.c.
 */
#ifndef HOTLINE_CFG_INT_H
#define HOTLINE_CFG_INT_H

#include <stdio.h>
#include <yaml.h>
#include "core/cfg.h"

struct cfg_parse {
	const char *file;
	struct cfg_errors *errs;
	yaml_document_t *doc;
};

void cfg__error(struct cfg_errors *errs, const char *file, int line, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
yaml_node_t *cfg__get(yaml_document_t *doc, yaml_node_t *map, const char *key);
int cfg__line(const yaml_node_t *n);
const char *cfg__scalar(const yaml_node_t *n);
void cfg__check_keys(struct cfg_parse *cp, yaml_node_t *map, const char *where,
		     const char *const *allowed);
/* The days the VEVENTs of an iCalendar file cover, appended to v (at most
 * max); a malformed file: an error, why naming its line. */
int cfg_ics_dates(const char *path, char (**v)[11], size_t *n, char *why, size_t whysz);
/* Appends date to the list *v of *n (malloc'd, grown as needed). ENOMEM,
 * or E2BIG past CFG_MAX_HOLIDAYS. */
int cfg__date_add(char (**v)[11], size_t *n, const char *date);
bool cfg__str(struct cfg_parse *cp, yaml_node_t *n, const char *key, char *dst,
	      size_t sz);
bool cfg__duration(struct cfg_parse *cp, yaml_node_t *n, const char *key, uint32_t *msp,
		   uint32_t min_ms, uint32_t max_ms);
bool cfg__uint(struct cfg_parse *cp, yaml_node_t *n, const char *key, uint32_t *vp,
	       uint32_t min, uint32_t max);
bool cfg__int(struct cfg_parse *cp, yaml_node_t *n, const char *key, int *vp, int min,
	      int max);
bool cfg__bool(struct cfg_parse *cp, yaml_node_t *n, const char *key, bool *vp);
int cfg__load(struct cfg_parse *cp, const char *yaml, size_t len);
int cfg__read_file(const char *path, char **bufp, size_t *lenp, struct cfg_errors *errs);
/* SIP over TLS and SRTP settings (cfg_tls.c): "", off, optional or
 * required; the node's keys checked; a certificate or key file made
 * relative to file's folder and checked readable (secret: and not by
 * everyone), its error reported under key. */
bool cfg__srtp_ok(const char *v);
void cfg__tls_check(const struct cfg_node *nd, struct cfg_errors *errs);
int cfg__tls_paths(struct cfg_node *nd, const char *file, struct cfg_errors *errs);
int cfg__tls_file(char *path, size_t sz, const char *file, const char *key, bool secret,
		  struct cfg_errors *errs);
extern const char *const cfg__tenant_keys[];

/* dialing: who may dial what (cfg_dialing.c). */
void cfg__dialing_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root);
/* [internal, national, ...] into a bit set of enum safe_dial_class; false
 * after an error (cfg_dialing.c). */
bool cfg__dial_classes(struct cfg_parse *cp, yaml_node_t *n, const char *key,
		       uint32_t *out);
/* trunks and outbound routes (cfg_trunk.c), after the queues, flows and
 * agents they name. */
void cfg__trunks_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root);

/* chat: the web chat's entries, limits, canned replies (cfg_chat.c);
 * after the hours and queues. */
void cfg__chat_parse(struct cfg_parse *cp, struct cfg_tenant *t, yaml_node_t *root);

#endif
