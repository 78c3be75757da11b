/*
 * worker.h — one thread with a job queue, for slow work the main loop
 * must not wait for (a password hash, an HTTP request to a CRM or a
 * webhook receiver). Jobs are the caller's; the worker runs them in the
 * order they came, one at a time, and hands each back to the main loop
 * (through a libre mqueue) to be answered and freed there.
 */
#ifndef HOTLINE_WORKER_H
#define HOTLINE_WORKER_H

#include <stddef.h>
#include <stdint.h>

struct worker;

/* On the worker thread: the job's slow part. Returns 0 when the job is
 * done, or after how many ms to run it again (a retry; jobs that are due
 * meanwhile run first). */
typedef uint64_t(worker_run_h)(void *job, void *arg);
/* On the main loop, for each job done, in the order they were done. */
typedef void(worker_done_h)(void *job, void *arg);
/* Frees a job: after done_h on the main loop; on the worker thread when
 * there is no done_h; on the main loop at shutdown for jobs not done. */
typedef void(worker_free_h)(void *job);

/*
 * A worker named name (its thread's name, logs) that holds at most max
 * jobs not yet done. done may be NULL (nothing to hand back). Freeing the
 * worker stops it: the job running finishes, the others are freed
 * without being run or answered.
 */
int worker_alloc(struct worker **wp, const char *name, size_t max, worker_run_h *run,
		 worker_done_h *done, worker_free_h *free_h, void *arg);
/* Queues job (the worker owns it from now on). EBUSY: max jobs are
 * waiting, the job is not taken (still the caller's). Main thread. */
int worker_push(struct worker *w, void *job);
/* Jobs taken and not yet done (waiting, running, waiting for a retry).
 * Thread-safe. */
size_t worker_pending(struct worker *w);

#endif
