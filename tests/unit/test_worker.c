/*
 * test_worker.c — the worker thread helper: jobs run in the order they
 * came, off the main thread, and come back to the main loop in that
 * order; a job that asks to run again does so later while the others go
 * first; a full queue refuses; stopping frees the jobs not done, answered
 * or not.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/worker.h"
#include "test.h"

struct job {
	int n;
	int runs;     /* how often run (worker thread) */
	int again;    /* runs wanted before done */
	bool on_main; /* run on the main thread (must not be) */
	pthread_t ran_on;
};

struct seen {
	int order[16];
	size_t n;
	int freed;
	size_t want;
	pthread_t main;
};

static uint64_t run_h(void *job, void *arg)
{
	struct job *j = job;
	struct seen *s = arg;

	j->on_main = pthread_equal(pthread_self(), s->main);
	return ++j->runs < j->again ? 50 : 0;
}

static void done_h(void *job, void *arg)
{
	struct job *j = job;
	struct seen *s = arg;

	/* on the main thread, after its run */
	if (pthread_equal(pthread_self(), s->main) && !j->on_main && s->n < 16)
		s->order[s->n++] = j->n * 10 + j->runs;
	if (s->n == s->want)
		re_cancel();
}

static struct seen *freed_into;

static void free_h(void *job)
{
	if (freed_into)
		__atomic_add_fetch(&freed_into->freed, 1, __ATOMIC_RELAXED);
	free(job);
}

static void timeout_h(void *arg)
{
	(void)arg;
	re_cancel();
}

static struct job *job_new(int n, int again)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j) {
		j->n = n;
		j->again = again;
	}
	return j;
}

static int test_order_and_retry(void)
{
	struct seen s = {.main = pthread_self(), .want = 4};
	struct worker *w = NULL;
	struct tmr tmr;
	int r = 1;

	tmr_init(&tmr);
	freed_into = &s;
	TEST_CHECK(!worker_alloc(&w, "hl-test", 8, run_h, done_h, free_h, &s));
	/* job 1 runs three times (two retries 50 ms apart): 2, 3 and 4
	 * come back before it */
	TEST_CHECK(!worker_push(w, job_new(1, 3)));
	TEST_CHECK(!worker_push(w, job_new(2, 1)));
	TEST_CHECK(!worker_push(w, job_new(3, 1)));
	TEST_CHECK(!worker_push(w, job_new(4, 1)));
	tmr_start(&tmr, 5000, timeout_h, NULL);
	(void)re_main(NULL);
	tmr_cancel(&tmr);
	TEST_CHECK(s.n == 4);
	TEST_CHECK(s.order[0] == 21 && s.order[1] == 31 && s.order[2] == 41);
	TEST_CHECK(s.order[3] == 13);
	TEST_CHECK(s.freed == 4 && worker_pending(w) == 0);
	r = 0;
out:
	mem_deref(w);
	freed_into = NULL;
	return r;
}

/* A run that blocks until told: the queue behind it fills. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open, gate_entered;

static uint64_t gated_h(void *job, void *arg)
{
	(void)job;
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	gate_entered = true;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	return 0;
}

static int test_full_and_stop(void)
{
	struct seen s = {.main = pthread_self()};
	struct worker *w = NULL;
	struct job *j = NULL;
	int r = 1;

	freed_into = &s;
	gate_open = gate_entered = false;
	TEST_CHECK(worker_alloc(&w, "x", 0, gated_h, done_h, free_h, &s) == EINVAL);
	TEST_CHECK(!worker_alloc(&w, "hl-test", 3, gated_h, done_h, free_h, &s));
	TEST_CHECK(!worker_push(w, job_new(1, 1)));
	pthread_mutex_lock(&gate_lock);
	while (!gate_entered)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	TEST_CHECK(!worker_push(w, job_new(2, 1)));
	TEST_CHECK(!worker_push(w, job_new(3, 1)));
	j = job_new(4, 1);
	/* three not done: the fourth is refused and stays the caller's */
	TEST_CHECK(worker_push(w, j) == EBUSY);
	TEST_CHECK(worker_pending(w) == 3);
	free(j);
	j = NULL;
	/* stopping: the one running finishes, every job is freed, none
	 * answered */
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	w = mem_deref(w);
	TEST_CHECK(s.freed == 3 && s.n == 0);
	r = 0;
out:
	free(j);
	if (w) {
		pthread_mutex_lock(&gate_lock);
		gate_open = true;
		pthread_cond_broadcast(&gate_cond);
		pthread_mutex_unlock(&gate_lock);
		mem_deref(w);
	}
	freed_into = NULL;
	return r;
}

static const struct test_case tests[] = {
    {"jobs in order, off the main thread, back on it; a retry waits its turn",
     test_order_and_retry},
    {"a full queue refuses; stopping frees every job not done", test_full_and_stop},
};

TEST_MAIN(tests)
