/*
 * queue_log.c — Hotline's queue and agent events as Asterisk's queue_log:
 * ENTERQUEUE, CONNECT, COMPLETECALLER, COMPLETEAGENT, ABANDON,
 * EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY, RINGNOANSWER, BLINDTRANSFER,
 * ATTENDEDTRANSFER, PAUSE, UNPAUSE, AGENTLOGIN, AGENTLOGOFF. Times in the data fields are
 * whole seconds, as Asterisk writes them (RINGNOANSWER: milliseconds).
 *
 * Not here: reading events (store), what they mean (acd/stats.c).
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "store/store.h"
#include "report/report.h"

/* What an agent was last, so that presence changes become the verbs. */
struct agent_last {
	char ext[32];
	char state[16];
};

struct qlog {
	FILE *out;
	size_t lines;
	struct agent_last *av;
	size_t ac, asz;
};

/* A string field of the event's data, safe to put between the
 * separators. */
static void str(const struct hl_event *ev, const char *key, char *buf, size_t sz)
{
	util_copy(buf, sz, event_str(ev, key));
	for (char *c = buf; *c; c++)
		if (*c == '|' || *c == '\n')
			*c = '_';
}

static void line(struct qlog *q, const struct hl_event *ev, const char *queue,
		 const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(q->out, "%llu|%s|%s|%s|%s|", (unsigned long long)(ev->ts / 1000),
		ev->call && *ev->call ? ev->call : "NONE",
		queue ? queue : (ev->queue && *ev->queue ? ev->queue : "NONE"),
		ev->agent && *ev->agent ? ev->agent : "NONE", verb);
	va_start(ap, fmt);
	vfprintf(q->out, fmt, ap);
	va_end(ap);
	fputc('\n', q->out);
	q->lines++;
}

static struct agent_last *agent_last(struct qlog *q, const char *ext)
{
	struct agent_last *a;

	for (size_t i = 0; i < q->ac; i++) {
		if (!strcmp(q->av[i].ext, ext))
			return &q->av[i];
	}
	if (q->ac == q->asz) {
		size_t nsz = q->asz ? q->asz * 2 : 32;
		void *nv = q->av ? mem_realloc(q->av, nsz * sizeof(*a))
				 : mem_alloc(nsz * sizeof(*a), NULL);
		if (!nv)
			return NULL;
		q->av = nv;
		q->asz = nsz;
	}
	a = &q->av[q->ac++];
	memset(a, 0, sizeof(*a));
	util_copy(a->ext, sizeof(a->ext), ext);
	util_copy(a->state, sizeof(a->state), "available"); /* agents start in */
	return a;
}

static void agent_state(struct qlog *q, const struct hl_event *ev)
{
	struct agent_last *a;
	char st[16], reason[32];

	if (!ev->agent || !(a = agent_last(q, ev->agent)))
		return;
	str(ev, "state", st, sizeof(st));
	str(ev, "reason", reason, sizeof(reason));
	if (!strcmp(st, "paused"))
		line(q, ev, "NONE", "PAUSE", "%s", reason);
	else if (!strcmp(st, "logged_out"))
		line(q, ev, "NONE", "AGENTLOGOFF", "");
	else if (!strcmp(a->state, "paused"))
		line(q, ev, "NONE", "UNPAUSE", "");
	else if (!strcmp(a->state, "logged_out"))
		line(q, ev, "NONE", "AGENTLOGIN", "");
	util_copy(a->state, sizeof(a->state), st);
}

static int event_one(const struct hl_event *ev, void *arg)
{
	struct qlog *q = arg;
	enum event_type t = ev->type;
	char buf[64];

	if (t == EVENT_QUEUE_ENTERED) {
		str(ev, "caller", buf, sizeof(buf));
		line(q, ev, NULL, "ENTERQUEUE", "|%s|1", buf);
	} else if (t == EVENT_QUEUE_ANSWERED) {
		line(q, ev, NULL, "CONNECT", "%llu|%s|%llu",
		     (unsigned long long)(event_num(ev, "wait_ms") / 1000),
		     ev->call ? ev->call : "",
		     (unsigned long long)(event_num(ev, "ring_ms") / 1000));
	} else if (t == EVENT_QUEUE_COMPLETED) {
		str(ev, "by", buf, sizeof(buf));
		line(q, ev, NULL,
		     strcmp(buf, "caller") ? "COMPLETEAGENT" : "COMPLETECALLER",
		     "%llu|%llu|1", (unsigned long long)(event_num(ev, "wait_ms") / 1000),
		     (unsigned long long)(event_num(ev, "talk_ms") / 1000));
	} else if (t == EVENT_QUEUE_TRANSFERRED) {
		char kind[16] = "";
		str(ev, "to", buf, sizeof(buf));
		str(ev, "kind", kind, sizeof(kind));
		if (!strcmp(kind, "attended")) /* joined with the target: a bridge */
			line(q, ev, NULL, "ATTENDEDTRANSFER", "BRIDGE|%s|%llu|%llu|1",
			     buf, (unsigned long long)(event_num(ev, "wait_ms") / 1000),
			     (unsigned long long)(event_num(ev, "talk_ms") / 1000));
		else
			line(q, ev, NULL, "BLINDTRANSFER", "%s|default|%llu|%llu|1", buf,
			     (unsigned long long)(event_num(ev, "wait_ms") / 1000),
			     (unsigned long long)(event_num(ev, "talk_ms") / 1000));
	} else if (t == EVENT_QUEUE_ABANDONED) {
		uint64_t pos = event_num(ev, "position");
		line(q, ev, NULL, "ABANDON", "%llu|1|%llu",
		     (unsigned long long)(pos ? pos : 1),
		     (unsigned long long)(event_num(ev, "wait_ms") / 1000));
	} else if (t == EVENT_QUEUE_EXITED) {
		unsigned long long w =
		    (unsigned long long)(event_num(ev, "wait_ms") / 1000);
		str(ev, "reason", buf, sizeof(buf));
		if (!strcmp(buf, "timeout"))
			line(q, ev, NULL, "EXITWITHTIMEOUT", "1|1|%llu", w);
		else if (!strcmp(buf, "key")) {
			str(ev, "key", buf, sizeof(buf));
			line(q, ev, NULL, "EXITWITHKEY", "%s|1|1|%llu", buf, w);
		} else if (!strcmp(buf, "empty"))
			line(q, ev, NULL, "EXITEMPTY", "1|1|%llu", w);
		else
			line(q, ev, NULL, "FULL", "");
	} else if (t == EVENT_AGENT_NOANSWER) {
		line(q, ev, NULL, "RINGNOANSWER", "%llu",
		     (unsigned long long)event_num(ev, "ring_ms"));
	} else if (t == EVENT_AGENT_STATE) {
		agent_state(q, ev);
	}
	return ferror(q->out) ? EIO : 0;
}

int report_queue_log(struct store *st, uint64_t from, uint64_t to, FILE *out,
		     size_t *linesp)
{
	struct qlog q = {.out = out};
	int err;

	if (!st || !out)
		return EINVAL;
	err = store_event_list(st, from, to, NULL, event_one, &q);
	mem_deref(q.av);
	if (!err && ferror(out))
		err = EIO;
	if (linesp)
		*linesp = q.lines;
	return err;
}
