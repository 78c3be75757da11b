/*
 * worker.c — a thread with a job queue, for the slow work of the modules
 * that must not block the main loop (password hashing, the CRM lookup
 * hook, webhook deliveries). It owns the thread, the queue, retries at a
 * later time and the way back to the main loop; what a job does and what
 * its answer means are the caller's.
 *
 * Only the main thread touches libre objects: jobs done go on a list and
 * one message on an mqueue wakes the main loop to take the whole list.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mqueue.h>
#include "core/core.h"
#include "core/worker.h"

struct wjob {
	struct wjob *next;
	void *job;
	uint64_t due; /* monotonic ms; 0: now */
};

struct worker {
	char name[16];
	worker_run_h *run;
	worker_done_h *done;
	worker_free_h *free_h;
	void *arg;
	size_t max;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;	    /* a job queued, or stop */
	bool stop;		    /* under lock */
	struct wjob *head, *tail;   /* waiting, in the order they came */
	struct wjob *dhead, *dtail; /* done, for the main loop */
	size_t pending;		    /* taken, not yet done */
	struct mqueue *mq;	    /* wakes the main loop for the done list */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void append(struct wjob **head, struct wjob **tail, struct wjob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

/* The first waiting job that is due (new jobs are due at once, so they
 * run in the order they came; a retry waits behind them), unlinked; NULL
 * with *wait_ms set to the nearest due time when none is due yet. One
 * step for the usual case: the first job is due. */
static struct wjob *take(struct worker *w, uint64_t now, uint64_t *wait_ms)
{
	struct wjob *prev = NULL;
	uint64_t next = UINT64_MAX;

	*wait_ms = 0;
	for (struct wjob **pp = &w->head; *pp; prev = *pp, pp = &(*pp)->next) {
		struct wjob *j = *pp;

		if (j->due > now) {
			if (j->due < next)
				next = j->due;
			continue;
		}
		*pp = j->next;
		if (w->tail == j)
			w->tail = prev;
		return j;
	}
	if (next != UINT64_MAX)
		*wait_ms = next - now;
	return NULL;
}

static void wait_ms(struct worker *w, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->cond, &w->lock, &ts);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		uint64_t later;
		struct wjob *j = take(w, mono_ms(), &later);

		if (!j) {
			if (later)
				wait_ms(w, later);
			else
				pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		later = w->run(j->job, w->arg);
		pthread_mutex_lock(&w->lock);
		if (later && !w->stop) {
			j->due = mono_ms() + later;
			append(&w->head, &w->tail, j);
		} else if (w->done) {
			bool wake = !w->dhead;

			append(&w->dhead, &w->dtail, j);
			/* one message for the whole list; a lost one is made
			 * up for by the next */
			if (wake && mqueue_push(w->mq, 0, NULL))
				log_error("worker: %s: main loop not woken", w->name);
		} else {
			w->pending--;
			pthread_mutex_unlock(&w->lock);
			w->free_h(j->job);
			free(j);
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* On the main loop: hands back every job done so far. */
static void mqueue_handler(int id, void *data, void *arg)
{
	struct worker *w = arg;
	struct wjob *list, *j;
	(void)id;
	(void)data;

	pthread_mutex_lock(&w->lock);
	list = w->dhead;
	w->dhead = w->dtail = NULL;
	pthread_mutex_unlock(&w->lock);
	while ((j = list)) {
		list = j->next;
		w->done(j->job, w->arg);
		w->free_h(j->job);
		free(j);
		pthread_mutex_lock(&w->lock);
		w->pending--;
		pthread_mutex_unlock(&w->lock);
	}
}

static void free_list(struct worker *w, struct wjob *j)
{
	while (j) {
		struct wjob *next = j->next;
		w->free_h(j->job);
		free(j);
		j = next;
	}
}

static void worker_destructor(void *arg)
{
	struct worker *w = arg;

	if (w->running) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	free_list(w, w->head);
	free_list(w, w->dhead);
	mem_deref(w->mq);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

int worker_alloc(struct worker **wp, const char *name, size_t max, worker_run_h *run,
		 worker_done_h *done, worker_free_h *free_h, void *arg)
{
	struct worker *w;
	pthread_condattr_t ca;
	int err;

	if (!wp || !run || !free_h || !max)
		return EINVAL;
	w = mem_zalloc(sizeof(*w), worker_destructor);
	if (!w)
		return ENOMEM;
	util_copy(w->name, sizeof(w->name), name ? name : "worker");
	w->run = run;
	w->done = done;
	w->free_h = free_h;
	w->arg = arg;
	w->max = max;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	err = done ? mqueue_alloc(&w->mq, mqueue_handler, w) : 0;
	if (!err) {
		err = pthread_create(&w->thread, NULL, worker_main, w);
		w->running = !err;
	}
	if (err) {
		mem_deref(w);
		return err;
	}
	(void)pthread_setname_np(w->thread, w->name);
	*wp = w;
	return 0;
}

int worker_push(struct worker *w, void *job)
{
	struct wjob *j;

	if (!w || !job)
		return EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->job = job;
	pthread_mutex_lock(&w->lock);
	if (w->pending >= w->max) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return EBUSY;
	}
	w->pending++;
	append(&w->head, &w->tail, j);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t worker_pending(struct worker *w)
{
	size_t n;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	n = w->pending;
	pthread_mutex_unlock(&w->lock);
	return n;
}
