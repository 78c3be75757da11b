/*
 * mixer.c — mix groups: a conference room, or a call with a supervisor
 * listening, whispering or barged in.
 *
 * A group lives on one shard and is mixed by that shard's tick, between
 * reading every stream's frame and sending: no thread or timer per group
 * or member. Each member hears the sum of the normal members less its own
 * voice, plus whoever whispers to it; a listener is heard by nobody. The
 * sum is taken in 32 bits and a frame that would pass full scale is
 * scaled down as a whole, so a loud room gets quieter instead of
 * wrapping around into noise.
 *
 * What it does not own: who may join (the call controller), the streams
 * themselves (a group holds weak pointers; a stream's destructor leaves).
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "media/media.h"
#include "media/media_int.h"

struct media_mix {
	struct le le; /* in its shard's mixes */
	struct media *m;
	struct list members;
	struct recorder *rec;
};

static void mix_destructor(void *arg)
{
	struct media_mix *x = arg;
	struct le *le;

	media__lock(x->m);
	while ((le = list_head(&x->members))) {
		struct media_stream *s = le->data;
		media__mix_leave(s);
	}
	list_unlink(&x->le);
	mem_deref(x->rec);
	media__unlock(x->m);
}

int media_mix_alloc(struct media_mix **xp, struct media *m)
{
	struct media_mix *x;

	if (!xp || !m)
		return EINVAL;
	x = mem_zalloc(sizeof(*x), mix_destructor);
	if (!x)
		return ENOMEM;
	x->m = media__shard(m);
	media__lock(x->m);
	list_append(&x->m->mixes, &x->le, x);
	media__unlock(x->m);
	*xp = x;
	return 0;
}

void media__mix_leave(struct media_stream *s)
{
	struct le *le;

	if (!s->mix)
		return;
	/* whoever whispered to s is heard by nobody now */
	LIST_FOREACH(&s->mix->members, le)
	{
		struct media_stream *o = le->data;
		if (o->whisper_to == s)
			o->whisper_to = NULL;
	}
	list_unlink(&s->mixle);
	s->mix = NULL;
	s->whisper_to = NULL;
	s->role = MEDIA_MIX_NORMAL;
}

int media_mix_join(struct media_mix *x, struct media_stream *s, enum media_mix_role role,
		   struct media_stream *to)
{
	struct media *ms;
	int err = 0;

	if (!x || !s || (role == MEDIA_MIX_WHISPER && (!to || to == s)))
		return EINVAL;
	ms = s->m;
	media__lock_two(x->m, ms);
	if (role == MEDIA_MIX_WHISPER && to->mix != x) {
		err = EINVAL;
		goto out;
	}
	if (s->mix != x) {
		/* a bridge ends: the group is what s hears now; its
		 * recording goes on as the group's (a call a supervisor
		 * joins keeps its file) */
		err = media__stream_move(s, x->m); /* with its sockets */
		if (err)
			goto out;
		if (s->rec && !x->rec)
			x->rec = mem_ref(s->rec);
		media__stream_unbridge(s);
		media__mix_leave(s);
		memset(s->mixout, 0, sizeof(s->mixout));
		list_append(&x->members, &s->mixle, s);
		s->mix = x;
		/* digits are the member's own (a PIN, a feature code) */
	}
	s->role = role;
	s->whisper_to = role == MEDIA_MIX_WHISPER ? to : NULL;
out:
	media__unlock_two(x->m, ms);
	return err;
}

void media_mix_leave(struct media_stream *s)
{
	if (!s)
		return;
	media__lock(s->m);
	media__mix_leave(s);
	media__unlock(s->m);
}

size_t media_mix_count(const struct media_mix *x)
{
	size_t n;

	if (!x)
		return 0;
	media__lock(x->m);
	n = list_count(&x->members);
	media__unlock(x->m);
	return n;
}

void media_mix_record(struct media_mix *x, struct recorder *rec)
{
	if (!x)
		return;
	media__lock(x->m);
	mem_deref(x->rec);
	x->rec = mem_ref(rec);
	media__unlock(x->m);
}

/* out = acc limited to 16 bits: the whole frame scaled when its peak
 * passes full scale (no wrap-around, no hard-clipped square waves). */
static void mix_limit(int16_t *out, const int32_t *acc)
{
	int32_t peak = 0;

	for (size_t i = 0; i < MEDIA_FRAME; i++) {
		int32_t a = abs(acc[i]);
		if (a > peak)
			peak = a;
	}
	if (peak <= INT16_MAX) {
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			out[i] = (int16_t)acc[i];
		return;
	}
	for (size_t i = 0; i < MEDIA_FRAME; i++)
		out[i] = (int16_t)((int64_t)acc[i] * INT16_MAX / peak);
}

static void mix_one(struct media_mix *x)
{
	int32_t sum[MEDIA_FRAME] = {0}, acc[MEDIA_FRAME];
	size_t whisperers = 0;
	struct le *le;

	LIST_FOREACH(&x->members, le)
	{
		const struct media_stream *s = le->data;

		if (s->role == MEDIA_MIX_WHISPER)
			whisperers++;
		if (s->role != MEDIA_MIX_NORMAL)
			continue;
		for (size_t i = 0; i < MEDIA_FRAME; i++)
			sum[i] += s->cur[i];
	}
	if (x->rec) {
		int16_t rec[MEDIA_FRAME];
		mix_limit(rec, sum);
		recorder_write(x->rec, rec, rec, MEDIA_FRAME);
	}
	LIST_FOREACH(&x->members, le)
	{
		struct media_stream *s = le->data;

		memcpy(acc, sum, sizeof(acc));
		if (s->role == MEDIA_MIX_NORMAL)
			for (size_t i = 0; i < MEDIA_FRAME; i++)
				acc[i] -= s->cur[i];
		for (struct le *w = whisperers ? list_head(&x->members) : NULL; w;
		     w = w->next) {
			const struct media_stream *o = w->data;

			if (o->role != MEDIA_MIX_WHISPER || o->whisper_to != s)
				continue;
			for (size_t i = 0; i < MEDIA_FRAME; i++)
				acc[i] += o->cur[i];
		}
		mix_limit(s->mixout, acc);
	}
}

void media__mix_tick(struct media *m)
{
	struct le *le;

	LIST_FOREACH(&m->mixes, le)
	{
		mix_one(le->data);
	}
}
