/*
 * dtmf.c — in-band DTMF: detection with spandsp's receiver (it applies
 * the twist, level and duration rules of ITU-T Q.24, so speech and music
 * do not pass for digits), and tone generation for tests and in-band
 * sending.
 */
#include <math.h>
#include <string.h>
#include <re.h>
#include <spandsp.h>
#include "media/media.h"

struct dtmf_det {
	dtmf_rx_state_t *rx;
	dtmf_det_h *h;
	void *arg;
};

static void dtmf_det_destructor(void *arg)
{
	struct dtmf_det *d = arg;
	if (d->rx)
		dtmf_rx_free(d->rx);
}

static void digits_handler(void *arg, const char *digits, int len)
{
	struct dtmf_det *d = arg;
	for (int i = 0; i < len; i++)
		d->h(digits[i], d->arg);
}

int dtmf_det_alloc(struct dtmf_det **dp, dtmf_det_h *h, void *arg)
{
	struct dtmf_det *d;

	if (!dp || !h)
		return EINVAL;
	d = mem_zalloc(sizeof(*d), dtmf_det_destructor);
	if (!d)
		return ENOMEM;
	d->h = h;
	d->arg = arg;
	d->rx = dtmf_rx_init(NULL, digits_handler, d);
	if (!d->rx) {
		mem_deref(d);
		return ENOMEM;
	}
	*dp = d;
	return 0;
}

void dtmf_det_feed(struct dtmf_det *d, const int16_t *s, size_t n)
{
	if (d && s && n)
		dtmf_rx(d->rx, s, (int)n);
}

size_t dtmf_gen(int16_t *s, size_t max, char digit, uint32_t ms)
{
	static const char keys[] = "123A456B789C*0#D";
	static const double rows[] = {697, 770, 852, 941};
	static const double cols[] = {1209, 1336, 1477, 1633};
	const char *k = strchr(keys, digit);
	size_t n = (size_t)ms * MEDIA_SRATE / 1000;
	double f1, f2;

	if (!k || !digit || !s)
		return 0;
	if (n > max)
		n = max;
	f1 = rows[(k - keys) / 4];
	f2 = cols[(k - keys) % 4];
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / MEDIA_SRATE;
		/* each tone at about -10 dBFS */
		s[i] = (int16_t)(10362.0 *
				 (sin(2 * M_PI * f1 * t) + sin(2 * M_PI * f2 * t)));
	}
	return n;
}
