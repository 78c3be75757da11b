/*
 * recorder.c — call recordings: stereo 8 kHz 16-bit WAV, left the caller,
 * right the agent, one frame of each per tick so the channels stay
 * aligned. Samples are buffered (one second); a full buffer goes to the
 * recorders' writer thread, which writes it into the page cache, so the
 * media tick never waits for a file (issue 16). There is no fsync. The
 * header is brought up to date with every write, so a crash loses at
 * most the buffered second; recorder_repair mends a file a crash left
 * older. Closing waits for the file's last buffers to be written, so a
 * recording is whole once its recorder is gone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
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
	int16_t *buf;	 /* BUF_FRAMES stereo frames (malloc: handed on) */
	size_t n;	 /* frames buffered */
	uint64_t total;	 /* frames written + buffered (read by the main loop) */
	unsigned queued; /* buffers with the writer (under writer.lock) */
	bool paused;	 /* silence instead of the audio (set by the main loop) */
};

/* One buffer for the writer. */
struct rec_job {
	struct rec_job *next;
	struct recorder *r;
	int16_t *buf;
	size_t n;
};

/* Written jobs kept with their buffers for the next flush, at most this
 * many. A buffer is filled on a media thread and written on the writer's:
 * freed there and malloc'd again on the media thread, glibc kept each
 * thread's arena grown (86 KB a call with two media threads against 56
 * with one); reused, the same buffers go round. */
#define POOL_MAX 256

/* The module's writer: one thread for every recorder, started with the
 * first one; buffers are written in the order they came. */
static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct rec_job *head, *tail;
	struct rec_job *pool; /* written jobs, buffers kept */
	unsigned pooled;
	bool up;
} writer = {PTHREAD_ONCE_INIT,
	    PTHREAD_MUTEX_INITIALIZER,
	    PTHREAD_COND_INITIALIZER,
	    PTHREAD_COND_INITIALIZER,
	    NULL,
	    NULL,
	    NULL,
	    0,
	    false};

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&writer.lock);
	for (;;) {
		struct rec_job *j;

		while (!writer.head)
			pthread_cond_wait(&writer.work, &writer.lock);
		j = writer.head;
		writer.head = j->next;
		if (!writer.head)
			writer.tail = NULL;
		/* the recorder waits for queued == 0 before it closes its
		 * file, so sf stays valid while we write without the lock */
		pthread_mutex_unlock(&writer.lock);
		sf_writef_short(j->r->sf, j->buf, (sf_count_t)j->n);
		pthread_mutex_lock(&writer.lock);
		j->r->queued--;
		pthread_cond_broadcast(&writer.done);
		if (writer.pooled < POOL_MAX) {
			j->next = writer.pool;
			writer.pool = j;
			writer.pooled++;
		} else {
			free(j->buf);
			free(j);
		}
	}
	return NULL;
}

static void writer_start(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, writer_main, NULL))
		return; /* recorders write themselves */
	pthread_detach(th);
	writer.up = true;
}

/* A written job with its buffer, or a new one; NULL: no writer or no
 * memory. */
static struct rec_job *job_get(void)
{
	struct rec_job *j;

	if (!writer.up)
		return NULL;
	pthread_mutex_lock(&writer.lock);
	j = writer.pool;
	if (j) {
		writer.pool = j->next;
		writer.pooled--;
	}
	pthread_mutex_unlock(&writer.lock);
	if (j)
		return j;
	j = malloc(sizeof(*j));
	if (j && !(j->buf = malloc(BUF_FRAMES * 2 * sizeof(int16_t)))) {
		free(j);
		j = NULL;
	}
	return j;
}

/* The buffer goes to the writer and the job's empty one takes its place;
 * written here when there is no writer or no memory. */
static void flush(struct recorder *r)
{
	struct rec_job *j;
	int16_t *full;

	if (!r->n || !r->sf) {
		r->n = 0;
		return;
	}
	j = job_get();
	if (!j) {
		sf_writef_short(r->sf, r->buf, (sf_count_t)r->n);
		r->n = 0;
		return;
	}
	full = r->buf;
	r->buf = j->buf;
	j->next = NULL;
	j->r = r;
	j->buf = full;
	j->n = r->n;
	r->n = 0;
	pthread_mutex_lock(&writer.lock);
	r->queued++;
	if (writer.tail)
		writer.tail->next = j;
	else
		writer.head = j;
	writer.tail = j;
	pthread_cond_signal(&writer.work);
	pthread_mutex_unlock(&writer.lock);
}

static void recorder_destructor(void *arg)
{
	struct recorder *r = arg;

	flush(r);
	pthread_mutex_lock(&writer.lock);
	while (r->queued)
		pthread_cond_wait(&writer.done, &writer.lock);
	pthread_mutex_unlock(&writer.lock);
	if (r->sf)
		sf_close(r->sf);
	free(r->buf);
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
	pthread_once(&writer.once, writer_start);
	r = mem_zalloc(sizeof(*r), recorder_destructor);
	if (!r)
		return ENOMEM;
	r->buf = malloc(BUF_FRAMES * 2 * sizeof(int16_t));
	if (!r->buf) {
		mem_deref(r);
		return ENOMEM;
	}
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
	/* the sizes in the header follow every write: a crash leaves a file
	 * that plays up to the last second buffered */
	sf_command(r->sf, SFC_SET_UPDATE_HEADER_AUTO, NULL, SF_TRUE);
	*rp = r;
	return 0;
}

void recorder_write(struct recorder *r, const int16_t *left, const int16_t *right,
		    size_t n)
{
	bool paused;

	if (!r)
		return;
	/* paused: the frames are written as silence, so the file keeps
	 * the call's timeline and what follows stays in step with it */
	paused = __atomic_load_n(&r->paused, __ATOMIC_RELAXED);
	if (paused)
		left = right = NULL;
	for (size_t i = 0; i < n; i++) {
		if (r->n == BUF_FRAMES)
			flush(r);
		r->buf[r->n * 2] = left ? left[i] : 0;
		r->buf[r->n * 2 + 1] = right ? right[i] : 0;
		r->n++;
	}
	__atomic_store_n(&r->total, r->total + n, __ATOMIC_RELAXED);
}

uint64_t recorder_samples(const struct recorder *r)
{
	return r ? __atomic_load_n(&r->total, __ATOMIC_RELAXED) : 0;
}

int recorder_pause(struct recorder *r, bool pause, uint64_t *at_ms)
{
	if (!r)
		return EINVAL;
	if (__atomic_load_n(&r->paused, __ATOMIC_RELAXED) == pause)
		return EALREADY;
	/* the media tick takes it up from its next frame: the gap's edge
	 * is exact to a frame (20 ms) */
	__atomic_store_n(&r->paused, pause, __ATOMIC_RELAXED);
	if (at_ms)
		*at_ms = recorder_samples(r) * 1000 / MEDIA_SRATE;
	return 0;
}

bool recorder_paused(const struct recorder *r)
{
	return r && __atomic_load_n(&r->paused, __ATOMIC_RELAXED);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void le32_put(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static int put32(int fd, off_t at, uint32_t v)
{
	unsigned char b[4];

	le32_put(b, v);
	return pwrite(fd, b, 4, at) == 4 ? 0 : errno;
}

int recorder_repair(const char *path, bool *fixed)
{
	unsigned char hdr[12], ck[8];
	uint32_t block = 4; /* stereo 16-bit unless fmt says otherwise */
	off_t pos = 12, size, data_at = 0, data_len;
	struct stat sb;
	int fd, err = 0;

	if (!path || !fixed)
		return EINVAL;
	*fixed = false;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &sb) || pread(fd, hdr, 12, 0) != 12 || memcmp(hdr, "RIFF", 4) ||
	    memcmp(hdr + 8, "WAVE", 4)) {
		err = EINVAL;
		goto out;
	}
	size = sb.st_size;
	/* RIFF chunks up to "data"; the data chunk runs to the end */
	while (pos + 8 <= size && pread(fd, ck, 8, pos) == 8) {
		uint32_t len = le32(ck + 4);

		if (!memcmp(ck, "data", 4)) {
			data_at = pos + 8;
			break;
		}
		if (!memcmp(ck, "fmt ", 4) && len >= 16) {
			unsigned char f[16];
			if (pread(fd, f, 16, pos + 8) == 16 && (f[12] | f[13] << 8))
				block = (uint32_t)(f[12] | f[13] << 8);
		}
		pos += 8 + (off_t)len + (len & 1);
	}
	if (!data_at) {
		err = EINVAL;
		goto out;
	}
	data_len = size - data_at;
	data_len -= data_len % block;
	if (data_len > UINT32_MAX - 64) {
		err = EFBIG;
		goto out;
	}
	if (data_at + data_len != size) {
		if (ftruncate(fd, data_at + data_len)) {
			err = errno;
			goto out;
		}
		*fixed = true;
	}
	if (le32(hdr + 4) != (uint32_t)(data_at + data_len - 8)) {
		err = put32(fd, 4, (uint32_t)(data_at + data_len - 8));
		*fixed = true;
	}
	if (!err && le32(ck + 4) != (uint32_t)data_len) {
		err = put32(fd, data_at - 4, (uint32_t)data_len);
		*fixed = true;
	}
	if (!err && *fixed && fsync(fd))
		err = errno;
out:
	close(fd);
	return err;
}
