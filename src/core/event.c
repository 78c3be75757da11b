/*
 * event.c — the in-process event bus. Subscribers are called in order,
 * synchronously, on the main thread. It owns the subscriber list only;
 * what subscribers do with an event (store it, count it, push it to a
 * browser) is theirs.
 */
#include <stdio.h>
#include <re.h>
#include "core/core.h"

struct sub {
	struct le le;
	event_h *h;
	void *arg;
};

static struct list subs;

int event_subscribe(event_h *h, void *arg)
{
	struct sub *s = mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return ENOMEM;
	s->h = h;
	s->arg = arg;
	list_append(&subs, &s->le, s);
	return 0;
}

void event_unsubscribe(event_h *h, void *arg)
{
	struct le *le = list_head(&subs);
	while (le) {
		struct sub *s = le->data;
		le = le->next;
		if (s->h == h && s->arg == arg) {
			list_unlink(&s->le);
			mem_deref(s);
		}
	}
}

void event_emit(struct hl_event *ev)
{
	struct le *le;

	if (!ev->ts)
		ev->ts = clock_now_ms();
	le = list_head(&subs);
	while (le) {
		struct sub *s = le->data;
		le = le->next; /* a handler may unsubscribe itself */
		s->h(ev, s->arg);
	}
}

void event_emitf(const char *type, const char *call, const char *agent, const char *queue,
		 const char *fmt, ...)
{
	char data[1024];
	struct hl_event ev = {0, type, call, agent, queue, NULL};
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(data, sizeof(data), fmt, ap);
		va_end(ap);
		ev.data = data;
	}
	event_emit(&ev);
}

void event_close(void)
{
	list_flush(&subs);
}
