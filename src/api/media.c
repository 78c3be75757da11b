/*
 * media.c — the queue music a supervisor may upload: a WAV file put into
 * the media folder (<data_dir>/media/moh, the only place a queue's moh
 * comes from), and the list of what is there to choose from.
 *
 * An upload is refused unless the media engine can play it (decoded in
 * full, as a queue would), so a name a queue may then be given always
 * works; it is written beside its final name and renamed over it, private
 * to the service (0600). Names are plain file names: no folder, no path.
 *
 * Not here: which names a tenant may use (core/cfg_media.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
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
#include "media/media.h"
#include "api/api_int.h"

/* A music file's name: 1-63 letters, digits, '.', '_' or '-', not
 * starting with '.', ending in .wav. */
static bool moh_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 5 || n > 63 || name[0] == '.' || strcasecmp(name + n - 4, ".wav"))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Writes len bytes of buf to a new file at path, private (0600). */
static int file_write(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int err = 0;

	if (fd < 0)
		return errno;
	while (!err && len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			buf += w, len -= (size_t)w;
	}
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* POST /api/v1/media/moh?name=calm.wav: the body (a WAV file) as that
 * music file; 201 new, 200 replaced, 422 when it cannot be played. */
void api__media_moh_add(struct req *rq)
{
	char dir[CFG_PATH + 16], path[CFG_PATH + 96], tmp[CFG_PATH + 112], name[64];
	struct prompt *p = NULL;
	struct stat st;
	size_t len;
	bool existed;
	int err;

	if (!api__query_get(rq->msg, "name", name, sizeof(name)) || !moh_name_ok(name)) {
		api__reply_error(rq, 400, "Bad Request", "bad_name",
				 "name: a file name of 1-63 letters, digits, '.', '_' or "
				 "'-' ending in .wav");
		return;
	}
	if (!rq->msg->mb || !mbuf_get_left(rq->msg->mb)) {
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "the body must be the WAV file");
		return;
	}
	len = mbuf_get_left(rq->msg->mb);
	snprintf(dir, sizeof(dir), "%s/%s", rq->api->node->data_dir, CFG_MEDIA_MOH);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.upload-%s", dir, name);
	err = cfg_media_dirs_make(rq->api->node->data_dir);
	if (!err)
		err = file_write(tmp, mbuf_buf(rq->msg->mb), len);
	if (err) {
		(void)unlink(tmp);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the music could not be written: %s", strerror(err));
		return;
	}
	/* played as a queue would play it, or not kept */
	err = prompt_load(&p, tmp);
	mem_deref(p);
	if (err) {
		(void)unlink(tmp);
		api__reply_error(rq, 422, "Unprocessable Entity", "not_playable",
				 "%s: not a WAV file that can be played as music (%s)",
				 name, strerror(err));
		return;
	}
	existed = !lstat(path, &st);
	if (rename(tmp, path)) {
		err = errno;
		(void)unlink(tmp);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the music could not be written: %s", strerror(err));
		return;
	}
	api__audit(rq->api, &rq->who, "media.upload", name, "%zu bytes", len);
	api__reply_committed(
	    rq, existed ? 200 : 201, existed ? "OK" : "Created", NULL,
	    json_pack("{s:s,s:I}", "name", name, "bytes", (json_int_t)len));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* GET /api/v1/media/moh: the names a queue's moh may take, files and
 * folders, sorted. */
void api__media_moh_list(struct req *rq)
{
	char dir[CFG_PATH + 16];
	json_t *arr = json_array(), *v[512];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", rq->api->node->data_dir, CFG_MEDIA_MOH);
	d = opendir(dir);
	while (d && (de = readdir(d)) && n < sizeof(v) / sizeof(v[0])) {
		if (de->d_name[0] == '.')
			continue;
		v[n] = json_string(de->d_name);
		if (v[n])
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(v[0]), name_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", "moh", arr));
}
