/*
 * recorder.c — call recordings: stereo 8 kHz 16-bit WAV, left the caller,
 * right the agent, one frame of each per tick so the channels stay
 * aligned. Samples are buffered (one second) and written into the page
 * cache; there is no fsync on the main loop. Moving the writes to the
 * store's writer thread is the next step when disks are slow.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <re.h>
#include <sndfile.h>
#include "core/core.h"
#include "media/media.h"

#define BUF_FRAMES MEDIA_SRATE

struct recorder {
	SNDFILE *sf;
	int16_t buf[BUF_FRAMES * 2];
	size_t n;	/* frames buffered */
	uint64_t total; /* frames written + buffered */
};

static void flush(struct recorder *r)
{
	if (r->n && r->sf)
		sf_writef_short(r->sf, r->buf, (sf_count_t)r->n);
	r->n = 0;
}

static void recorder_destructor(void *arg)
{
	struct recorder *r = arg;

	flush(r);
	if (r->sf)
		sf_close(r->sf);
}

int recorder_open(struct recorder **rp, const char *path)
{
	struct recorder *r;
	SF_INFO info;
	char dir[512];
	char *slash;
	int fd, err;

	if (!rp || !path)
		return EINVAL;
	util_copy(dir, sizeof(dir), path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		err = util_mkdir(dir);
		if (err)
			return err;
	}
	r = mem_zalloc(sizeof(*r), recorder_destructor);
	if (!r)
		return ENOMEM;
	memset(&info, 0, sizeof(info));
	info.samplerate = MEDIA_SRATE;
	info.channels = 2;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	/* a call is personal data: the service user's alone, whatever the
	 * umask */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* (sf_open_fd closes fd when it fails) */
	r->sf = fd < 0 ? NULL : sf_open_fd(fd, SFM_WRITE, &info, 1);
	if (!r->sf) {
		log_error("recorder: cannot create file=%s: %s", path, sf_strerror(NULL));
		mem_deref(r);
		return EIO;
	}
	*rp = r;
	return 0;
}

void recorder_write(struct recorder *r, const int16_t *left, const int16_t *right,
		    size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		if (r->n == BUF_FRAMES)
			flush(r);
		r->buf[r->n * 2] = left ? left[i] : 0;
		r->buf[r->n * 2 + 1] = right ? right[i] : 0;
		r->n++;
	}
	r->total += n;
}

uint64_t recorder_samples(const struct recorder *r)
{
	return r ? r->total : 0;
}
