/*
 * prompt.c — audio files as prompts: any format libsndfile reads, mixed
 * to mono and resampled to 8 kHz with speexdsp. Loading happens at
 * start-up (or on a worker), never per call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include <sndfile.h>
#include <speex/speex_resampler.h>
#include "core/core.h"
#include "media/media.h"

#define MAX_SECONDS 600

static void prompt_destructor(void *arg)
{
	struct prompt *p = arg;
	mem_deref(p->samples);
}

int prompt_from_samples(struct prompt **pp, const int16_t *s, size_t n)
{
	struct prompt *p;

	if (!pp || (!s && n))
		return EINVAL;
	p = mem_zalloc(sizeof(*p), prompt_destructor);
	if (!p)
		return ENOMEM;
	p->samples = mem_alloc((n ? n : 1) * sizeof(int16_t), NULL);
	if (!p->samples) {
		mem_deref(p);
		return ENOMEM;
	}
	if (n)
		memcpy(p->samples, s, n * sizeof(int16_t));
	p->n = n;
	*pp = p;
	return 0;
}

/* Resamples mono 16-bit audio to 8 kHz; *outp is malloc'd. */
static int resample(const int16_t *in, size_t n, int rate, int16_t **outp, size_t *outn)
{
	SpeexResamplerState *rs;
	spx_uint32_t inlen = (spx_uint32_t)n, outlen;
	int16_t *out;
	int err = 0;

	outlen = (spx_uint32_t)((uint64_t)n * MEDIA_SRATE / (uint64_t)rate + 64);
	out = malloc(outlen * sizeof(int16_t));
	if (!out)
		return ENOMEM;
	rs = speex_resampler_init(1, (spx_uint32_t)rate, MEDIA_SRATE, 7, &err);
	if (!rs) {
		free(out);
		return EINVAL;
	}
	speex_resampler_skip_zeros(rs);
	speex_resampler_process_int(rs, 0, in, &inlen, out, &outlen);
	speex_resampler_destroy(rs);
	*outp = out;
	*outn = outlen;
	return 0;
}

int prompt_load(struct prompt **pp, const char *path)
{
	SF_INFO info;
	SNDFILE *sf;
	short *frames = NULL;
	int16_t *mono = NULL, *rs = NULL;
	size_t n, rsn = 0;
	int err = 0;

	if (!pp || !path)
		return EINVAL;
	if (access(path, R_OK)) {
		err = errno;
		log_warn("prompt: cannot open file=%s: %s", path, strerror(err));
		return err;
	}
	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	if (!sf) {
		log_warn("prompt: cannot read file=%s: %s", path, sf_strerror(NULL));
		return EINVAL;
	}
	if (info.channels < 1 || info.channels > 8 || info.samplerate < 4000 ||
	    info.samplerate > 192000) {
		log_warn("prompt: unsupported audio file=%s channels=%d rate=%d", path,
			 info.channels, info.samplerate);
		err = EINVAL;
		goto out;
	}
	if (info.frames > (sf_count_t)info.samplerate * MAX_SECONDS) {
		log_warn("prompt: file=%s is longer than %d s", path, MAX_SECONDS);
		err = EFBIG;
		goto out;
	}
	n = (size_t)info.frames;
	frames = malloc((n ? n : 1) * (size_t)info.channels * sizeof(short));
	mono = malloc((n ? n : 1) * sizeof(int16_t));
	if (!frames || !mono) {
		err = ENOMEM;
		goto out;
	}
	n = (size_t)sf_readf_short(sf, frames, (sf_count_t)n);
	for (size_t i = 0; i < n; i++) {
		int sum = 0;
		for (int c = 0; c < info.channels; c++)
			sum += frames[i * (size_t)info.channels + (size_t)c];
		mono[i] = (int16_t)(sum / info.channels);
	}
	if (info.samplerate != MEDIA_SRATE) {
		err = resample(mono, n, info.samplerate, &rs, &rsn);
		if (err)
			goto out;
		err = prompt_from_samples(pp, rs, rsn);
	} else {
		err = prompt_from_samples(pp, mono, n);
	}
out:
	sf_close(sf);
	free(frames);
	free(mono);
	free(rs);
	return err;
}
