/*
 * tts.c — prompts from text with eSpeak NG, rendered once into a cache
 * folder as 8 kHz WAV files named by a hash of voice, rate and text (the
 * same text in two voices is two prompts).
 * eSpeak NG is a process-wide singleton synthesising at 22050 Hz: a lock
 * serialises it, speexdsp resamples. Blocking: start-up or a worker only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <espeak-ng/speak_lib.h>
#include <sndfile.h>
#include <sodium.h>
#include <speex/speex_resampler.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"

#define VOICE_DEFAULT "en-us"
#define RATE_WPM      160

static pthread_mutex_t tts_lock = PTHREAD_MUTEX_INITIALIZER;
static int tts_rate; /* eSpeak's output rate, 0 until initialised */

struct pcm {
	int16_t *s;
	size_t n, cap;
	bool oom;
};

static int synth_cb(short *wav, int n, espeak_EVENT *ev)
{
	struct pcm *p = ev ? ev->user_data : NULL;

	if (!p || !wav || n <= 0)
		return 0;
	if (p->n + (size_t)n > p->cap) {
		size_t cap = (p->cap ? p->cap * 2 : 65536) + (size_t)n;
		int16_t *s = realloc(p->s, cap * sizeof(int16_t));
		if (!s) {
			p->oom = true;
			return 1; /* stop */
		}
		p->s = s;
		p->cap = cap;
	}
	memcpy(p->s + p->n, wav, (size_t)n * sizeof(int16_t));
	p->n += (size_t)n;
	return 0;
}

static int tts_init(void)
{
	if (tts_rate > 0)
		return 0;
	tts_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);
	if (tts_rate <= 0) {
		log_error("tts: eSpeak NG did not start (espeak-ng-data missing?)");
		tts_rate = 0;
		return ENOSYS;
	}
	espeak_SetSynthCallback(synth_cb);
	return 0;
}

const char *tts_voice(const char *language)
{
	if (!language || !*language || !strcmp(language, "en"))
		return VOICE_DEFAULT;
	/* the pages' tags for Chinese name eSpeak NG's Mandarin voice */
	if (!strcmp(language, "zh") || !strcmp(language, "zh-CN") ||
	    !strcmp(language, "zh-Hans"))
		return "cmn";
	return language;
}

int tts_cache_name(const char *voice, const char *text, char *name, size_t sz)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	char hex[17], rate[16];

	voice = tts_voice(voice);
	snprintf(rate, sizeof(rate), "%d", RATE_WPM);
	crypto_hash_sha256_init(&st);
	/* the voice and the rate are each ended by a NUL: "en" + "1..." never
	 * hashes as "en1" + "..." */
	crypto_hash_sha256_update(&st, (const unsigned char *)voice, strlen(voice) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)rate, strlen(rate) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)text, strlen(text));
	crypto_hash_sha256_final(&st, hash);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	if ((size_t)snprintf(name, sz, "tts-%s.wav", hex) >= sz)
		return ENAMETOOLONG;
	return 0;
}

static int write_wav(const char *path, const int16_t *s, size_t n)
{
	char tmp[600];
	SF_INFO info;
	SNDFILE *sf;

	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	memset(&info, 0, sizeof(info));
	info.samplerate = MEDIA_SRATE;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	sf = sf_open(tmp, SFM_WRITE, &info);
	if (!sf)
		return EIO;
	if (sf_writef_short(sf, s, (sf_count_t)n) != (sf_count_t)n) {
		sf_close(sf);
		unlink(tmp);
		return EIO;
	}
	sf_close(sf);
	/* rename: a crash never leaves half a prompt under the real name */
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

int tts_render(const char *text, const char *voice, const char *cache_dir, char *path,
	       size_t sz)
{
	char name[32];
	struct pcm pcm = {0};
	SpeexResamplerState *rs = NULL;
	int16_t *out = NULL;
	spx_uint32_t inlen, outlen;
	size_t pad = MEDIA_SRATE / 10;
	int err;

	if (!text || !*text || !cache_dir || !path)
		return EINVAL;
	voice = tts_voice(voice);
	err = tts_cache_name(voice, text, name, sizeof(name));
	if (err)
		return err;
	if ((size_t)snprintf(path, sz, "%s/%s", cache_dir, name) >= sz)
		return ENAMETOOLONG;
	if (!access(path, R_OK))
		return 0; /* cached */

	err = util_mkdir(cache_dir);
	if (err)
		return err;

	pthread_mutex_lock(&tts_lock);
	err = tts_init();
	/* the voice is eSpeak's state, set for each prompt under the lock */
	if (!err && espeak_SetVoiceByName(voice) != EE_OK) {
		log_error("tts: no eSpeak NG voice \"%s\"", voice);
		err = ENOENT;
	}
	if (!err)
		espeak_SetParameter(espeakRATE, RATE_WPM, 0);
	if (!err && espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
				 espeakCHARS_UTF8, NULL, &pcm) != EE_OK)
		err = EIO;
	pthread_mutex_unlock(&tts_lock);
	if (!err && pcm.oom)
		err = ENOMEM;
	if (!err && !pcm.n)
		err = EIO;
	if (err)
		goto out;

	/* 22050 Hz -> 8 kHz, with a little silence before and after */
	outlen = (spx_uint32_t)((uint64_t)pcm.n * MEDIA_SRATE / (uint64_t)tts_rate + 64);
	out = calloc(outlen + 2 * pad, sizeof(int16_t));
	if (!out) {
		err = ENOMEM;
		goto out;
	}
	rs = speex_resampler_init(1, (spx_uint32_t)tts_rate, MEDIA_SRATE, 7, &err);
	if (!rs) {
		err = EINVAL;
		goto out;
	}
	speex_resampler_skip_zeros(rs);
	inlen = (spx_uint32_t)pcm.n;
	speex_resampler_process_int(rs, 0, pcm.s, &inlen, out + pad, &outlen);
	err = write_wav(path, out, outlen + 2 * pad);
	if (!err)
		log_info("tts: rendered file=%s samples=%u", path, (unsigned)outlen);
out:
	if (err)
		log_error("tts: cannot render \"%.40s\": %s", text, strerror(err));
	if (rs)
		speex_resampler_destroy(rs);
	free(out);
	free(pcm.s);
	return err;
}
