/*
 * web.c — the pages (/agent, /wallboard, /admin) and their scripts and
 * styles, served from memory: the files of the web folder are read once
 * at start, so a request never touches the disk. The pages are plain
 * HTML, CSS and JS modules that talk to the API with the session cookie.
 *
 * The chat widget's files (web/chat/: widget.js and its catalogs) are
 * served at /chat/{name} to any origin: the widget runs in a customer's
 * web site and reads its catalog from there; they hold nothing private.
 *
 * Not here: what the pages do (the scripts in web/), sign-in (users.c).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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

#define WEB_FILES_MAX 64
#define WEB_FILE_MAX  (1024 * 1024)

struct web_file {
	char name[64];
	const char *type;
	char *data;
	size_t len;
};

struct api_web {
	struct web_file files[WEB_FILES_MAX];
	size_t filec;
	char dir[PATH_MAX];
};

static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".ico", "image/x-icon"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	}
	return NULL;
}

static int file_load(struct web_file *f, const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return errno;
	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || n > WEB_FILE_MAX ||
	    fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		return EFBIG;
	}
	f->data = malloc((size_t)n + 1);
	if (!f->data || fread(f->data, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(f->data);
		f->data = NULL;
		return EIO;
	}
	fclose(fp);
	f->len = (size_t)n;
	util_copy(f->name, sizeof(f->name), name);
	f->type = content_type(name);
	return 0;
}

static void web_destructor(void *arg)
{
	struct api_web *w = arg;

	for (size_t i = 0; i < w->filec; i++)
		free(w->files[i].data);
}

/* The web folder: http.web_dir, or web/ beside the folder of the program
 * (build/hotline → web/). */
static void web_dir(char *buf, size_t sz, const char *configured)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (configured && configured[0]) {
		util_copy(buf, sz, configured);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		util_copy(buf, sz, "web");
		return;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(buf, sz, "%s/../web", exe) >= (int)sz)
		util_copy(buf, sz, "web");
}

/* Loads the files of dir with a known type, named prefix + file name. */
static void web_load_dir(struct api_web *w, const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		log_warn("api: no web folder dir=%s: the pages are not served", dir);
		return;
	}
	while ((de = readdir(d)) && w->filec < WEB_FILES_MAX) {
		char name[sizeof(w->files[0].name)];
		int err;
		if (de->d_name[0] == '.' || !content_type(de->d_name) ||
		    snprintf(name, sizeof(name), "%s%s", prefix, de->d_name) >=
			(int)sizeof(name))
			continue;
		err = file_load(&w->files[w->filec], dir, de->d_name);
		if (err) {
			log_warn("api: web file not served name=%s: %s", name,
				 strerror(err));
			continue;
		}
		util_copy(w->files[w->filec].name, sizeof(w->files[0].name), name);
		w->filec++;
	}
	closedir(d);
}

int api__web_alloc(struct api_web **wp, const char *configured)
{
	char chat[PATH_MAX];
	struct api_web *w;

	w = mem_zalloc(sizeof(*w), web_destructor);
	if (!w)
		return ENOMEM;
	web_dir(w->dir, sizeof(w->dir), configured);
	/* the server's own texts in other languages, from web/server/ */
	(void)msg_load(w->dir);
	web_load_dir(w, w->dir, "");
	if (snprintf(chat, sizeof(chat), "%s/chat", w->dir) < (int)sizeof(chat))
		web_load_dir(w, chat, "chat/");
	log_info("api: web pages dir=%s files=%zu", w->dir, w->filec);
	*wp = w;
	return 0;
}

/* extra: more header lines, each ending in CRLF */
static void serve(struct req *rq, const char *name, const char *extra)
{
	const struct api_web *w = rq->api->web;

	for (size_t i = 0; w && i < w->filec; i++) {
		const struct web_file *f = &w->files[i];
		if (strcmp(f->name, name))
			continue;
		http_reply(rq->conn, 200, "OK",
			   "Content-Type: %s\r\n"
			   "Content-Length: %zu\r\n"
			   "Cache-Control: no-cache\r\n"
			   "X-Content-Type-Options: nosniff\r\n"
			   "Referrer-Policy: same-origin\r\n"
			   "Content-Security-Policy: default-src 'self'; img-src 'self' "
			   "data:; frame-ancestors 'none'\r\n"
			   "%s"
			   "\r\n%b",
			   f->type, f->len, extra, f->data, f->len);
		return;
	}
	api__reply_error(rq, 404, "Not Found", "not_found", "no page or file '%s'", name);
}

/* GET /, /agent, /wallboard, /admin */
void api__web_page(struct req *rq)
{
	char name[64];
	size_t l = rq->msg->path.l;

	if (l <= 1) {
		serve(rq, "index.html", "");
		return;
	}
	snprintf(name, sizeof(name), "%.*s.html", (int)(l - 1), rq->msg->path.p + 1);
	serve(rq, name, "");
}

/* GET /web/{id}: a script, style or picture of the pages. */
void api__web_file(struct req *rq)
{
	serve(rq, rq->id, "");
}

/* GET /chat/{id}: the chat widget's script and catalogs, to any page. */
void api__web_chat(struct req *rq)
{
	char name[64];

	if (snprintf(name, sizeof(name), "chat/%s", rq->id) >= (int)sizeof(name)) {
		api__reply_error(rq, 404, "Not Found", "not_found", "no file '%s'",
				 rq->id);
		return;
	}
	serve(rq, name, "Access-Control-Allow-Origin: *\r\n");
}
