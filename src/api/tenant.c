/*
 * tenant.c — the tenant's configuration as text, for the admin page:
 * export it, check a changed version (every error with its line, as
 * `hotline check-config` gives them), and save it (checked first; the
 * file replaced atomically, the old one kept as .bak; audited). A saved
 * file applies at the next start: the running agents, queues and flows
 * are not swapped under live calls.
 *
 * Not here: reading and checking YAML (core/cfg).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
/* not <re.h>: its re_json.h clashes with jansson's enums */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include "core/core.h"
#include "core/cfg.h"
#include "api/api_int.h"

#define TENANT_MAX (512 * 1024)

/* GET /api/v1/tenant: the tenant file as text (YAML). */
void api__tenant_get(struct req *rq)
{
	const char *path = rq->api->tenant->file;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb");

	if (f) {
		buf = malloc(TENANT_MAX + 1);
		len = buf ? fread(buf, 1, TENANT_MAX + 1, f) : 0;
		fclose(f);
	}
	if (!buf || len > TENANT_MAX) {
		free(buf);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the tenant file could not be read");
		return;
	}
	http_reply(rq->conn, 200, "OK",
		   "Content-Type: application/yaml; charset=utf-8\r\n"
		   "Content-Disposition: attachment; filename=\"tenant.yaml\"\r\n"
		   "Content-Length: %zu\r\n\r\n%b",
		   len, buf, len);
	free(buf);
}

/*
 * Checks the request's body as a tenant file. The errors, each with its
 * line, go into a JSON array (NULL when the text is good); the text's
 * relative paths are taken from where the tenant file is.
 */
static json_t *tenant_check(struct req *rq, const char *text, size_t len)
{
	const char *name = rq->api->tenant->file;
	struct cfg_tenant *t = NULL;
	struct cfg_errors *errs = calloc(1, sizeof(*errs));
	json_t *arr;
	size_t nl = strlen(name);

	if (!errs)
		return json_array();
	if (!cfg_tenant_parse(&t, name, text, len, errs)) {
		mem_deref(t);
		free(errs);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < errs->msgc && i < 32; i++) {
		/* "file:line: key: message" */
		const char *m = errs->msgv[i], *key, *msg;
		long line = 0;

		if (!strncmp(m, name, nl) && m[nl] == ':') {
			line = strtol(m + nl + 1, (char **)&key, 10);
			key += *key == ':' ? 2 : 0;
		} else {
			key = m;
		}
		msg = strstr(key, ": ");
		json_array_append_new(
		    arr, json_pack("{s:i,s:s%,s:s}", "line", (int)line, "key", key,
				   msg ? (size_t)(msg - key) : strlen(key), "message",
				   msg ? msg + 2 : key));
	}
	if (!json_array_size(arr))
		json_array_append_new(arr,
				      json_pack("{s:i,s:s,s:s}", "line", 0, "key", "file",
						"message", "not a valid tenant file"));
	free(errs);
	return arr;
}

/* The body as text; false after replying 400. */
static bool body_text(struct req *rq, const char **textp, size_t *lenp)
{
	if (!rq->msg->mb || !mbuf_get_left(rq->msg->mb)) {
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "the body must be the tenant file (YAML)");
		return false;
	}
	*textp = (const char *)mbuf_buf(rq->msg->mb);
	*lenp = mbuf_get_left(rq->msg->mb);
	return true;
}

/* POST /api/v1/tenant/check: 200 {"ok":true}, or 422 with the errors. */
void api__tenant_check(struct req *rq)
{
	const char *text;
	size_t len;
	json_t *errs;

	if (!body_text(rq, &text, &len))
		return;
	errs = tenant_check(rq, text, len);
	if (!errs)
		api__reply_json(rq, 200, "OK", json_pack("{s:b}", "ok", true));
	else
		api__reply_json(rq, 422, "Unprocessable Entity",
				json_pack("{s:{s:s,s:s,s:o}}", "error", "code",
					  "invalid_tenant", "message",
					  "the tenant file has errors", "errors", errs));
}

/* PUT /api/v1/tenant: checked, then written over the tenant file (the old
 * one kept as .bak); applies at the next start. */
void api__tenant_put(struct req *rq)
{
	const char *path = rq->api->tenant->file, *text;
	char tmp[CFG_PATH + 8], bak[CFG_PATH + 8];
	size_t len;
	json_t *errs;
	FILE *f;
	bool ok;

	if (!body_text(rq, &text, &len))
		return;
	errs = tenant_check(rq, text, len);
	if (errs) {
		api__reply_json(rq, 422, "Unprocessable Entity",
				json_pack("{s:{s:s,s:s,s:o}}", "error", "code",
					  "invalid_tenant", "message",
					  "the tenant file has errors; nothing saved",
					  "errors", errs));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	f = fopen(tmp, "wb");
	ok = f && fwrite(text, 1, len, f) == len;
	ok = f && !fclose(f) && ok;
	(void)unlink(bak);
	ok = ok && (link(path, bak) == 0 || errno == ENOENT) && rename(tmp, path) == 0;
	if (!ok) {
		(void)unlink(tmp);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the tenant file could not be written: %s",
				 strerror(errno));
		return;
	}
	api__audit(rq->api, &rq->who, "tenant.save", path, "%zu bytes", len);
	log_info("api: tenant file saved by=%s file=%s; applies at the next start",
		 rq->who.user, path);
	api__reply_json(
	    rq, 200, "OK",
	    json_pack("{s:b,s:s}", "saved", true, "applies", "at the next start"));
}
