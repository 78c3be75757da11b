/*
 * test_library.c — the media library: a prompt is made or loaded once
 * and found again by what it is (a file by its path, a text by its voice
 * and words: one text in two languages is two prompts); a queue's music
 * is its file or its folder's WAV files in name order; a folder without
 * music is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sndfile.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"
#include "test.h"

static char dir[] = "/tmp/hotline-library-XXXXXX";

/* A second of a tone at 8 kHz into path. */
static int tone(const char *path, int hz)
{
	SF_INFO info = {.samplerate = 8000,
			.channels = 1,
			.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	short s[8000];

	if (!sf)
		return EIO;
	for (int i = 0; i < 8000; i++)
		s[i] = (short)((i * hz / 4000) % 2 ? 4000 : -4000);
	sf_writef_short(sf, s, 8000);
	sf_close(sf);
	return 0;
}

static size_t crossings(const struct prompt *p)
{
	size_t n = 0;

	for (size_t i = 1; i < p->n; i++)
		n += (p->samples[i - 1] < 0) != (p->samples[i] < 0);
	return n;
}

static int test_library(void)
{
	struct media_library *l = NULL;
	const struct media_playlist *pl;
	const struct prompt *p, *q;
	char path[256], music[256], empty[256];
	int r = 1;

	snprintf(path, sizeof(path), "%s/hello.wav", dir);
	snprintf(music, sizeof(music), "%s/music", dir);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	TEST_CHECK(!mkdir(music, 0700) && !mkdir(empty, 0700));
	TEST_CHECK(!tone(path, 300));
	snprintf(path, sizeof(path), "%s/music/b.wav", dir);
	TEST_CHECK(!tone(path, 500));
	snprintf(path, sizeof(path), "%s/music/a.wav", dir);
	TEST_CHECK(!tone(path, 300));
	snprintf(path, sizeof(path), "%s/hello.wav", dir);

	TEST_CHECK(!media_library_alloc(&l, dir));
	/* a file, once */
	TEST_CHECK(!media_library_prompt_add(l, NULL, path, NULL));
	p = media_library_prompt(l, NULL, path, NULL);
	TEST_CHECK(p && p->n == 8000);
	TEST_CHECK(!media_library_prompt_add(l, "ignored", path, "zh"));
	TEST_CHECK(media_library_prompt(l, NULL, path, "zh") == p);
	TEST_CHECK(media_library_prompt_add(l, NULL, "/tmp/hotline-no-such.wav", NULL));
	/* nothing to say: nothing made */
	TEST_CHECK(!media_library_prompt_add(l, "", NULL, NULL));
	/* one text in two voices: two prompts, each found by its voice */
	TEST_CHECK(!media_library_prompt_add(l, "Thank you.", NULL, "en"));
	TEST_CHECK(!media_library_prompt_add(l, "Thank you.", NULL, "zh"));
	p = media_library_prompt(l, "Thank you.", NULL, "en");
	q = media_library_prompt(l, "Thank you.", NULL, "zh");
	TEST_CHECK(p && q && p != q);
	TEST_CHECK(media_library_prompt(l, "Thank you.", NULL, "") == p); /* en-us */
	TEST_CHECK(!media_library_prompt(l, "Not made.", NULL, "en"));

	/* a folder's music in name order; a file alone; none in a folder */
	TEST_CHECK(!media_library_music_add(l, music));
	TEST_CHECK(!media_library_music_add(l, music)); /* kept, not loaded again */
	pl = media_library_music(l, music);
	TEST_CHECK(pl && pl->filec == 2 && !strcmp(pl->path, music));
	TEST_CHECK(crossings(pl->filev[0]) < crossings(pl->filev[1])); /* a, then b */
	TEST_CHECK(!media_library_music_add(l, path));
	pl = media_library_music(l, path);
	TEST_CHECK(pl && pl->filec == 1);
	TEST_CHECK(media_library_music_add(l, empty) == ENOENT);
	TEST_CHECK(!media_library_music(l, empty));
	TEST_CHECK(!media_library_music_add(l, "")); /* no music: nothing to do */
	r = 0;
out:
	mem_deref(l);
	return r;
}

static int run(void)
{
	char cmd[64];
	int r;

	if (!mkdtemp(dir))
		return 1;
	r = test_library();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
	}
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	return r;
}

static const struct test_case tests[] = {
    {"prompts kept by file or by voice and text; music from a file or a folder", run},
};

TEST_MAIN(tests)
