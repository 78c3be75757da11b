/*
 * media.c — the queue music a supervisor may upload: a WAV file put into
 * the media folder (<data_dir>/media/moh, the only place a queue's moh
 * comes from), and the list of what is there to choose from; the prompts
 * an admin records (WAV, MP3, FLAC or Ogg, converted to 8 kHz mono WAV in
 * <data_dir>/media/prompts, where a flow's file: comes from), and their
 * list.
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
#include <sndfile.h>
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

/* What an upload is for: queue music, kept as sent once it plays, or a
 * flow's recorded prompt, kept as 8 kHz mono WAV whatever it came as. */
struct upload_kind {
	const char *dir;     /* under the data dir */
	const char *exts[5]; /* the names it takes end in one of these */
	bool convert;	     /* decoded and written again as NAME.wav */
	const char *what;    /* for messages */
};

static const struct upload_kind moh_kind = {CFG_MEDIA_MOH, {".wav"}, false, "music"};
static const struct upload_kind prompt_kind = {
    CFG_MEDIA_PROMPTS, {".wav", ".mp3", ".flac", ".ogg"}, true, "prompt"};

/* A prompt is a greeting or a menu, not a song: longer is a mistake. */
#define PROMPT_MAX_SECONDS 120

/* A file's name: 1-63 letters, digits, '.', '_' or '-', not starting with
 * '.', ending in one of k's extensions. */
static bool upload_name_ok(const struct upload_kind *k, const char *name)
{
	size_t n = strlen(name);
	bool ext = false;

	for (size_t i = 0; k->exts[i]; i++)
		ext = ext || (n > strlen(k->exts[i]) &&
			      !strcasecmp(name + n - strlen(k->exts[i]), k->exts[i]));
	if (!ext || n > 63 || name[0] == '.')
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

/* p as a 16-bit 8 kHz mono WAV file at path, private (0600). */
static int wav_write(const char *path, const struct prompt *p)
{
	SF_INFO info = {.samplerate = MEDIA_SRATE,
			.channels = 1,
			.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	SNDFILE *sf;
	int err = 0;

	if (fd < 0)
		return errno;
	sf = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
	if (!sf) {
		close(fd);
		return EIO;
	}
	if (sf_write_short(sf, p->samples, (sf_count_t)p->n) != (sf_count_t)p->n)
		err = EIO;
	if (sf_close(sf) && !err)
		err = EIO;
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/*
 * POST /api/v1/media/moh?name=calm.wav, /api/v1/media/prompts?name=
 * hello.mp3: the body as that file of kind k; 201 new, 200 replaced, 422
 * (with the reason) when it is not audio the media engine plays, or a
 * prompt longer than PROMPT_MAX_SECONDS. It is written beside its final
 * name and renamed over it; nothing is kept of what is refused.
 */
static void upload(struct req *rq, const struct upload_kind *k)
{
	char dir[CFG_PATH + 16], path[CFG_PATH + 96], tmp[CFG_PATH + 112], name[64];
	char conv[CFG_PATH + 112];
	struct prompt *p = NULL;
	struct stat st;
	size_t len;
	bool existed;
	int err;

	if (!api__query_get(rq->msg, "name", name, sizeof(name)) ||
	    !upload_name_ok(k, name)) {
		char exts[64] = "";
		for (size_t i = 0; k->exts[i]; i++)
			snprintf(exts + strlen(exts), sizeof(exts) - strlen(exts), "%s%s",
				 i ? (k->exts[i + 1] ? ", " : " or ") : "", k->exts[i]);
		api__reply_error(rq, 400, "Bad Request", "bad_name",
				 "name: a file name of 1-63 letters, digits, '.', '_' or "
				 "'-' ending in %s",
				 exts);
		return;
	}
	if (!rq->msg->mb || !mbuf_get_left(rq->msg->mb)) {
		api__reply_error(rq, 400, "Bad Request", "empty",
				 "the body must be the audio file");
		return;
	}
	len = mbuf_get_left(rq->msg->mb);
	snprintf(dir, sizeof(dir), "%s/%s", rq->api->node->data_dir, k->dir);
	snprintf(tmp, sizeof(tmp), "%s/.upload-%s", dir, name);
	/* a prompt is kept as NAME.wav, whatever it came as */
	if (k->convert)
		snprintf(strrchr(name, '.'), 5, ".wav");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(conv, sizeof(conv), "%s/.convert-%s", dir, name);
	err = cfg_media_dirs_make(rq->api->node->data_dir);
	if (!err)
		err = file_write(tmp, mbuf_buf(rq->msg->mb), len);
	if (err) {
		(void)unlink(tmp);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the %s could not be written: %s", k->what,
				 strerror(err));
		return;
	}
	/* played as a queue or a flow would play it, or not kept */
	err = prompt_load(&p, tmp);
	if (err) {
		(void)unlink(tmp);
		mem_deref(p);
		api__reply_error(rq, 422, "Unprocessable Entity", "not_playable",
				 "%s: not audio that can be played as %s (%s)", name,
				 api__words(rq, k->what),
				 api__words(rq, err == EFBIG
						    ? "longer than 10 minutes"
						    : "not WAV, MP3, FLAC or Ogg audio"));
		return;
	}
	if (k->convert && p->n > (size_t)MEDIA_SRATE * PROMPT_MAX_SECONDS) {
		(void)unlink(tmp);
		api__reply_error(rq, 422, "Unprocessable Entity", "too_long",
				 "%s: %.1f s long; a prompt is at most %d s", name,
				 (double)p->n / MEDIA_SRATE, PROMPT_MAX_SECONDS);
		mem_deref(p);
		return;
	}
	if (k->convert) {
		err = wav_write(conv, p);
		(void)unlink(tmp);
		if (err) {
			(void)unlink(conv);
			mem_deref(p);
			api__reply_error(rq, 503, "Service Unavailable", "io_error",
					 "the %s could not be written: %s", k->what,
					 strerror(err));
			return;
		}
		util_copy(tmp, sizeof(tmp), conv);
	}
	existed = !lstat(path, &st);
	if (rename(tmp, path)) {
		err = errno;
		(void)unlink(tmp);
		mem_deref(p);
		api__reply_error(rq, 503, "Service Unavailable", "io_error",
				 "the %s could not be written: %s", k->what,
				 strerror(err));
		return;
	}
	api__audit(rq->api, &rq->who, "media.upload", name, "%zu bytes", len);
	api__reply_committed(rq, existed ? 200 : 201, existed ? "OK" : "Created", NULL,
			     json_pack("{s:s,s:I,s:I}", "name", name, "bytes",
				       (json_int_t)len, "ms",
				       (json_int_t)(p->n * 1000 / MEDIA_SRATE)));
	mem_deref(p);
}

void api__media_moh_add(struct req *rq)
{
	upload(rq, &moh_kind);
}

/* POST /api/v1/media/prompts?name=hello.wav: a recorded prompt (WAV or
 * MP3, any rate and channels), kept as 8 kHz mono hello.wav for a flow's
 * say or menu node (file: hello.wav). */
void api__media_prompt_add(struct req *rq)
{
	upload(rq, &prompt_kind);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* The names in the media folder sub, files and folders, sorted, as
 * {key: [...]}. */
static void media_list(struct req *rq, const char *sub, const char *key)
{
	char dir[CFG_PATH + 16];
	json_t *arr = json_array(), *v[512];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", rq->api->node->data_dir, sub);
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
	api__reply_json(rq, 200, "OK", json_pack("{s:o}", key, arr));
}

/* GET /api/v1/media/moh: the names a queue's moh may take. */
void api__media_moh_list(struct req *rq)
{
	media_list(rq, CFG_MEDIA_MOH, "moh");
}

/* GET /api/v1/media/prompts: the names a flow node's file may take. */
void api__media_prompt_list(struct req *rq)
{
	media_list(rq, CFG_MEDIA_PROMPTS, "prompts");
}
