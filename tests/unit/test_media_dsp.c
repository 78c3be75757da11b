/*
 * test_media_dsp.c — the audio pieces: in-band DTMF detected from
 * generated tones at two levels and never from hold music, speech or
 * noise; eSpeak NG prompts rendered once and cached; files of other rates
 * and channel counts resampled to 8 kHz mono; broken files refused; the
 * stereo recorder keeps its channels apart.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>
#include <re.h>
#include <sndfile.h>
#include "core/core.h"
#include "media/media.h"
#include "test.h"

static char got[64];
static size_t gotn;

static void on_digit(char d, void *arg)
{
	(void)arg;
	if (gotn + 1 < sizeof(got)) {
		got[gotn++] = d;
		got[gotn] = '\0';
	}
}

static void reset(void)
{
	gotn = 0;
	got[0] = '\0';
}

static void feed(struct dtmf_det *d, const int16_t *s, size_t n)
{
	for (size_t i = 0; i + MEDIA_FRAME <= n; i += MEDIA_FRAME)
		dtmf_det_feed(d, s + i, MEDIA_FRAME);
}

static int test_dtmf_all_digits(void)
{
	static const char digits[] = "0123456789*#ABCD";
	struct dtmf_det *d = NULL;
	int16_t *buf = calloc(8000 * 10, sizeof(int16_t));
	size_t n = 0;

	TEST_ASSERT(buf);
	for (int level = 0; level < 2; level++) {
		reset();
		n = 0;
		TEST_ERR(dtmf_det_alloc(&d, on_digit, NULL));
		for (size_t i = 0; i < strlen(digits); i++) {
			size_t k = dtmf_gen(buf + n, 8000, digits[i], 80);
			if (level) /* about -25 dBFS per tone */
				for (size_t j = n; j < n + k; j++)
					buf[j] = (int16_t)(buf[j] / 6);
			n += k + 400; /* 50 ms gap */
		}
		feed(d, buf, n + 800);
		d = mem_deref(d);
		if (strcmp(got, digits)) {
			fprintf(stderr, "level %d: got \"%s\"\n", level, got);
			free(buf);
			return 1;
		}
		memset(buf, 0, 8000 * 10 * sizeof(int16_t));
	}
	free(buf);
	return 0;
}

static int load_and_detect(const char *path, size_t *np)
{
	struct prompt *p = NULL;
	struct dtmf_det *d = NULL;
	int err;

	err = prompt_load(&p, path);
	if (err)
		return err;
	*np = p->n;
	reset();
	dtmf_det_alloc(&d, on_digit, NULL);
	feed(d, p->samples, p->n);
	mem_deref(d);
	mem_deref(p);
	return 0;
}

static int test_no_false_digits(void)
{
	char path[256];
	struct dtmf_det *d = NULL;
	int16_t noise[8000 * 2];
	size_t n;

	TEST_ERR(moh_generate("/tmp/hotline-test-moh.wav"));
	TEST_ERR(load_and_detect("/tmp/hotline-test-moh.wav", &n));
	TEST_ASSERT(n > 8000 * 25);
	TEST_STREQ(got, "");
	TEST_ERR(tts_render("Press 1 for sales, 2 for support, or dial an extension.", "",
			    "/tmp/hotline-test-tts", path, sizeof(path)));
	TEST_ERR(load_and_detect(path, &n));
	TEST_STREQ(got, "");
	for (size_t i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		noise[i] = (int16_t)((rand() % 16000) - 8000);
	reset();
	TEST_ERR(dtmf_det_alloc(&d, on_digit, NULL));
	feed(d, noise, sizeof(noise) / sizeof(noise[0]));
	mem_deref(d);
	TEST_STREQ(got, "");
	return 0;
}

static int test_tts_cached(void)
{
	char p1[256], p2[256];
	struct stat a, b;
	struct prompt *p = NULL;
	SF_INFO info;
	SNDFILE *sf;
	double sum = 0;

	TEST_ERR(tts_render("Welcome to the Hotline test.", "", "/tmp/hotline-test-tts",
			    p1, sizeof(p1)));
	TEST_ASSERT(!stat(p1, &a));
	TEST_ERR(tts_render("Welcome to the Hotline test.", "", "/tmp/hotline-test-tts",
			    p2, sizeof(p2)));
	TEST_STREQ(p1, p2);
	TEST_ASSERT(!stat(p2, &b));
	TEST_EQ(a.st_mtime, b.st_mtime);
	memset(&info, 0, sizeof(info));
	sf = sf_open(p1, SFM_READ, &info);
	TEST_ASSERT(sf);
	sf_close(sf);
	TEST_EQ(info.samplerate, 8000);
	TEST_EQ(info.channels, 1);
	TEST_ASSERT(info.frames > 8000 && info.frames < 8000 * 10);
	TEST_ERR(prompt_load(&p, p1));
	for (size_t i = 0; i < p->n; i++)
		sum += (double)p->samples[i] * p->samples[i];
	TEST_ASSERT(sqrt(sum / (double)p->n) > 300); /* not silence */
	mem_deref(p);
	return 0;
}

static int test_prompt_resampled(void)
{
	const char *path = "/tmp/hotline-test-44k.wav";
	SF_INFO info = {.samplerate = 44100,
			.channels = 2,
			.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	struct prompt *p = NULL;
	short fr[2];
	size_t crossings = 0;

	TEST_ASSERT(sf);
	for (int i = 0; i < 44100; i++) {
		fr[0] = fr[1] = (short)(8000 * sin(2 * M_PI * 1000 * i / 44100.0));
		sf_writef_short(sf, fr, 1);
	}
	sf_close(sf);
	TEST_ERR(prompt_load(&p, path));
	TEST_ASSERT(p->n > 7900 && p->n < 8100);
	for (size_t i = 101; i < p->n - 100; i++)
		crossings += (p->samples[i - 1] < 0) != (p->samples[i] < 0);
	mem_deref(p);
	/* 1 kHz: about 2000 crossings a second */
	TEST_ASSERT(crossings > 1900 && crossings < 2000);
	TEST_EQ(prompt_load(&p, "/tmp/hotline-no-such.wav"), ENOENT);
	{
		FILE *f = fopen("/tmp/hotline-test-bad.wav", "w");
		fputs("RIFF this is not audio at all", f);
		fclose(f);
	}
	TEST_EQ(prompt_load(&p, "/tmp/hotline-test-bad.wav"), EINVAL);
	return 0;
}

static int test_recorder_stereo(void)
{
	const char *path = "/tmp/hotline-test-rec/sub/rec.wav";
	struct recorder *r = NULL;
	int16_t l[MEDIA_FRAME], rr[MEDIA_FRAME];
	SF_INFO info;
	SNDFILE *sf;
	short fr[2];

	TEST_ERR(recorder_open(&r, path));
	for (int i = 0; i < MEDIA_FRAME; i++) {
		l[i] = 1000;
		rr[i] = -2000;
	}
	for (int k = 0; k < 100; k++) /* 2 s */
		recorder_write(r, l, rr, MEDIA_FRAME);
	TEST_EQ(recorder_samples(r), 16000);
	mem_deref(r);
	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	TEST_ASSERT(sf);
	TEST_EQ(info.channels, 2);
	TEST_EQ(info.samplerate, 8000);
	TEST_EQ(info.frames, 16000);
	sf_seek(sf, 5000, SEEK_SET);
	sf_readf_short(sf, fr, 1);
	sf_close(sf);
	TEST_EQ(fr[0], 1000);
	TEST_EQ(fr[1], -2000);
	return 0;
}

/* Full seconds go to the writer thread while the tick goes on; closing a
 * recorder waits for its last buffers, so every file is whole as soon as
 * its recorder is gone, however many were written at once. The writer's
 * buffers go round between recorders: each second of each file must be
 * that recorder's own, in order. */
static int test_recorder_writer(void)
{
	enum { N = 40 };
	struct recorder *rv[N] = {NULL};
	int16_t l[MEDIA_FRAME], rr[MEDIA_FRAME];
	char path[N][64];

	for (int c = 0; c < N; c++) {
		snprintf(path[c], sizeof(path[c]), "/tmp/hotline-test-rec/w%d.wav", c);
		TEST_ERR(recorder_open(&rv[c], path[c]));
	}
	for (int k = 0; k < 175; k++) /* 3.5 s each, frames interleaved */
		for (int c = 0; c < N; c++) {
			for (int i = 0; i < MEDIA_FRAME; i++) {
				l[i] = (int16_t)(100 * c + k / 50);
				rr[i] = (int16_t)-l[i];
			}
			recorder_write(rv[c], l, rr, MEDIA_FRAME);
		}
	for (int c = 0; c < N; c++) {
		SF_INFO info;
		SNDFILE *sf;
		short fr[2];

		rv[c] = mem_deref(rv[c]);
		memset(&info, 0, sizeof(info));
		sf = sf_open(path[c], SFM_READ, &info);
		TEST_ASSERT(sf);
		TEST_EQ(info.frames, 28000);
		for (int sec = 0; sec < 4; sec++) {
			sf_seek(sf, sec * 8000 + 3999, SEEK_SET);
			sf_readf_short(sf, fr, 1);
			TEST_EQ(fr[0], 100 * c + sec);
			TEST_EQ(fr[1], -(100 * c + sec));
		}
		sf_close(sf);
		unlink(path[c]);
	}
	return 0;
}

/* A paused recording writes silence in the paused frames and keeps its
 * length (the rest stays in step); the gap's edges are file positions;
 * pausing twice (or resuming a running one) is EALREADY. */
static int test_recorder_pause(void)
{
	const char *path = "/tmp/hotline-test-rec/pause.wav";
	struct recorder *r = NULL;
	int16_t l[MEDIA_FRAME], rr[MEDIA_FRAME];
	uint64_t at = 0;
	SF_INFO info;
	SNDFILE *sf;
	short fr[2];

	for (int i = 0; i < MEDIA_FRAME; i++) {
		l[i] = 700;
		rr[i] = -700;
	}
	TEST_ERR(recorder_open(&r, path));
	TEST_EQ(recorder_pause(r, false, &at), EALREADY);
	for (int k = 0; k < 50; k++) /* 1 s heard */
		recorder_write(r, l, rr, MEDIA_FRAME);
	TEST_ERR(recorder_pause(r, true, &at));
	TEST_EQ(at, 1000);
	TEST_ASSERT(recorder_paused(r));
	TEST_EQ(recorder_pause(r, true, NULL), EALREADY);
	for (int k = 0; k < 75; k++) /* 1.5 s of card number */
		recorder_write(r, l, rr, MEDIA_FRAME);
	TEST_ERR(recorder_pause(r, false, &at));
	TEST_EQ(at, 2500);
	TEST_ASSERT(!recorder_paused(r));
	for (int k = 0; k < 25; k++)
		recorder_write(r, l, rr, MEDIA_FRAME);
	mem_deref(r);
	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	TEST_ASSERT(sf);
	TEST_EQ(info.frames, 24000);
	sf_seek(sf, 7999, SEEK_SET);
	sf_readf_short(sf, fr, 1);
	TEST_EQ(fr[0], 700);
	sf_seek(sf, 8000, SEEK_SET);
	sf_readf_short(sf, fr, 1);
	TEST_EQ(fr[0], 0);
	TEST_EQ(fr[1], 0);
	sf_seek(sf, 19999, SEEK_SET);
	sf_readf_short(sf, fr, 1);
	TEST_EQ(fr[1], 0);
	sf_seek(sf, 20000, SEEK_SET);
	sf_readf_short(sf, fr, 1);
	sf_close(sf);
	TEST_EQ(fr[0], 700);
	TEST_EQ(fr[1], -700);
	unlink(path);
	return 0;
}

/* One text in two voices is two prompts: a Mandarin flow and an English
 * one saying the same words must not share the first one's file. */
static int test_tts_voice_in_key(void)
{
	char en[32], cmn[32], zh[32], def[32], pen[256], pcmn[256];
	const char *text = "400-800-1234";

	TEST_ERR(tts_cache_name("en-us", text, en, sizeof(en)));
	TEST_ERR(tts_cache_name("cmn", text, cmn, sizeof(cmn)));
	TEST_ERR(tts_cache_name("zh", text, zh, sizeof(zh)));
	TEST_ERR(tts_cache_name("", text, def, sizeof(def)));
	TEST_ASSERT(strcmp(en, cmn) != 0);
	TEST_STREQ(zh, cmn); /* zh is eSpeak's cmn */
	TEST_STREQ(def, en); /* no language: English */
	TEST_STREQ(tts_voice("zh-CN"), "cmn");
	TEST_STREQ(tts_voice("de"), "de");
	TEST_ERR(tts_render(text, "en", "/tmp/hotline-test-tts", pen, sizeof(pen)));
	TEST_ERR(tts_render(text, "cmn", "/tmp/hotline-test-tts", pcmn, sizeof(pcmn)));
	TEST_ASSERT(strcmp(pen, pcmn) != 0);
	TEST_ASSERT(!access(pcmn, R_OK));
	TEST_EQ(
	    tts_render(text, "no-such-voice", "/tmp/hotline-test-tts", pen, sizeof(pen)),
	    ENOENT);
	return 0;
}

static const struct test_case tests[] = {
    {"in-band DTMF: all 16 digits at -10 and -25 dBFS", test_dtmf_all_digits},
    {"no false digits in hold music, speech or noise", test_no_false_digits},
    {"TTS prompt rendered once, then served from the cache", test_tts_cached},
    {"TTS cache key differs per voice; unknown voice refused", test_tts_voice_in_key},
    {"44.1 kHz stereo file becomes 8 kHz mono; bad files refused", test_prompt_resampled},
    {"recorder: stereo, aligned, channels apart", test_recorder_stereo},
    {"recorder: seconds written by the writer, whole once closed", test_recorder_writer},
    {"recorder: paused frames are silence, the file keeps its length",
     test_recorder_pause},
};

TEST_MAIN(tests)
