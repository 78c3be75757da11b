/*
 * moh.c — the demo's music on hold, synthesised here so it is ours to
 * ship: a slow I–vi–IV–V progression of soft chords with a gentle
 * arpeggio, about 32 s, faded at both ends so it loops. Chord tones are
 * kept off the DTMF pairs (a detector must never hear digits in it).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include <sndfile.h>
#include "core/core.h"
#include "media/media.h"

#define BAR_SECONDS 4
#define BARS	    8

static double note(int semitones_from_a4)
{
	return 440.0 * pow(2.0, semitones_from_a4 / 12.0);
}

/* Soft tone: a sine with a little second harmonic. */
static double voice(double f, double t)
{
	return sin(2 * M_PI * f * t) + 0.15 * sin(4 * M_PI * f * t);
}

int moh_generate(const char *path)
{
	/* C major: C E G / A C E / F A C / G B D, low register (semitones
	 * from A4); well below the 697 Hz of the lowest DTMF row. */
	static const int chords[4][3] = {
	    {-21, -17, -14}, /* C3 E3 G3 */
	    {-24, -21, -17}, /* A2 C3 E3 */
	    {-16, -12, -9},  /* F3 A3 C4 */
	    {-14, -10, -7},  /* G3 B3 D4 */
	};
	const size_t bar = BAR_SECONDS * MEDIA_SRATE;
	const size_t n = bar * BARS;
	int16_t *s = malloc(n * sizeof(int16_t));
	SF_INFO info;
	SNDFILE *sf;
	int err = 0;

	if (!s)
		return ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t b = i / bar;
		double t = (double)i / MEDIA_SRATE;
		double tb = (double)(i % bar) / MEDIA_SRATE;
		const int *c = chords[b % 4];
		/* chord: slow attack, long release within the bar */
		double env = fmin(1.0, tb / 0.4) * exp(-tb / 3.0);
		double v = 0;
		for (int k = 0; k < 3; k++)
			v += voice(note(c[k]), t);
		v *= env * 0.25;
		/* arpeggio: a chord tone an octave up every half second */
		{
			double ta = fmod(tb, 0.5);
			int k = (int)(tb / 0.5) % 3;
			v += 0.18 * voice(note(c[k] + 12), t) * exp(-ta / 0.25) *
			     fmin(1.0, ta / 0.02);
		}
		/* fade in and out: the loop point is silent */
		v *= fmin(1.0, fmin(t / 1.0, (double)(n - i) / MEDIA_SRATE / 1.5));
		s[i] = (int16_t)(v * 0.25 * 32767);
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = MEDIA_SRATE;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	sf = sf_open(path, SFM_WRITE, &info);
	if (!sf) {
		err = EIO;
	} else {
		if (sf_writef_short(sf, s, (sf_count_t)n) != (sf_count_t)n)
			err = EIO;
		sf_close(sf);
	}
	free(s);
	return err;
}
