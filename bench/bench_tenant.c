/*
 * bench_tenant.c — what applying a tenant file live costs the main loop,
 * for a large contact center: AGENTS agents with skills, QUEUES queues of
 * MEMBERS members each, a flow and a number per queue.
 *   - parse and check the file (what PUT /api/v1/tenant does first);
 *   - cfg_edit_item: one queue's key changed in the text (the queue form);
 *   - acd_apply_tenant: the engine brought in line with an edited file (a
 *     queue re-ordered with a member swapped, another's strategy changed),
 *     with a caller waiting in every queue;
 *   - the same with nothing changed (a reload of the same file).
 * Each is the median of RUNS runs. Not included: prompts for new flow
 * texts (rendered once per new text) and queue music (loaded once per
 * new path), which only a change that adds them pays.
 *
 *   build/bench/bench_tenant [AGENTS] [QUEUES] [MEMBERS]   (default 2000 200 50)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "bench.h"
#include "core/core.h"
#include "core/cfg.h"
#include "core/cfg_edit.h"
#include "acd/acd.h"

#define RUNS 7

static double median(double *v, size_t n)
{
	sort_d(v, n);
	return v[n / 2];
}

/* The tenant as YAML: agents 10000.., queues q0.., each queue's members
 * the agents i*step .. (mod agents); swap exchanges the first two members
 * of queue 0 and drops the third. */
static char *tenant_text(int agents, int queues, int members, bool swap)
{
	size_t sz = (size_t)agents * 128 + (size_t)queues * (members * 10 + 400) + 1024;
	char *s = malloc(sz), *p = s;
	int step = agents / queues ? agents / queues : 1;

	if (!s)
		return NULL;
	p += sprintf(p, "name: Bench\nagents:\n");
	for (int i = 0; i < agents; i++)
		p += sprintf(p,
			     "  - {ext: \"%d\", name: Agent %d, password: pw-%d, skills: "
			     "{s%d: %d}}\n",
			     10000 + i, i, i, i % 20, 1 + i % 10);
	p += sprintf(p, "queues:\n");
	for (int q = 0; q < queues; q++) {
		p += sprintf(p, "  - {name: q%d, strategy: %s, members: [", q,
			     q % 2 ? "longest-idle" : "linear");
		for (int m = 0; m < members; m++) {
			int k = m;

			if (swap && q == 0 && m < 2)
				k = 1 - m;
			if (swap && q == 0 && m == 2)
				continue;
			p += sprintf(p, "%s\"%d\"", m ? ", " : "",
				     10000 + (q * step + k) % agents);
		}
		p += sprintf(p, "]}\n");
	}
	p += sprintf(p, "numbers:\n");
	for (int q = 0; q < queues; q++)
		p += sprintf(p, "  - {number: \"%d\", flow: f%d}\n", 50000 + q, q);
	p += sprintf(p, "flows:\n");
	for (int q = 0; q < queues; q++)
		p += sprintf(
		    p,
		    "  - name: f%d\n    start: a\n    nodes:\n"
		    "      - {id: a, type: say, text: Welcome to line %d., next: b}\n"
		    "      - {id: b, type: queue, queue: q%d}\n",
		    q, q, q);
	return s;
}

static struct cfg_tenant *parse(const char *text)
{
	struct cfg_errors errs;
	struct cfg_tenant *t = NULL;

	memset(&errs, 0, sizeof(errs));
	if (cfg_tenant_parse(&t, "bench.yaml", text, strlen(text), &errs)) {
		fprintf(stderr, "bench_tenant: %s\n",
			errs.msgc ? errs.msgv[0] : "bad file");
		return NULL;
	}
	return t;
}

int main(int argc, char **argv)
{
	int agents = argc > 1 ? atoi(argv[1]) : 2000;
	int queues = argc > 2 ? atoi(argv[2]) : 200;
	int members = argc > 3 ? atoi(argv[3]) : 50;
	char *text = tenant_text(agents, queues, members, false);
	char *text2 = tenant_text(agents, queues, members, true);
	double tp[RUNS], te[RUNS], ta[RUNS], tn[RUNS];
	struct cfg_tenant *t = NULL, *t2 = NULL;
	struct acd_handlers h = {0};
	static int items[4096];
	int err = 1;

	if (!text || !text2 || members > agents || queues > 4096) {
		fprintf(stderr,
			"usage: bench_tenant [AGENTS] [QUEUES] [MEMBERS<=AGENTS]\n");
		return 2;
	}
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_us();

		mem_deref(t);
		t = parse(text);
		tp[r] = now_us() - t0;
		if (!t)
			goto out;
	}
	t2 = parse(text2);
	if (!t2)
		goto out;
	for (int r = 0; r < RUNS; r++) {
		char *out = NULL;
		double t0 = now_us();

		if (cfg_edit_item(&out, text, strlen(text), "queues", "name", "q0",
				  "strategy", "\"ring-all\""))
			goto out;
		te[r] = now_us() - t0;
		free(out);
	}
	for (int r = 0; r < RUNS; r++) {
		struct acd *a = NULL;
		struct acd_item *it;

		if (acd_alloc(&a, &h) || acd_load_tenant(a, t))
			goto out;
		for (int q = 0; q < queues; q++) {
			char name[16];

			snprintf(name, sizeof(name), "q%d", q);
			(void)acd_enqueue(a, name, 0, 1000, &items[q], &it);
		}
		{
			double t0 = now_us();

			if (acd_apply_tenant(a, t2, 2000, NULL, NULL))
				goto out;
			ta[r] = now_us() - t0;
			t0 = now_us();
			if (acd_apply_tenant(a, t2, 3000, NULL, NULL))
				goto out;
			tn[r] = now_us() - t0;
		}
		if (acd_check(a)) {
			mem_deref(a);
			goto out;
		}
		mem_deref(a);
	}
	printf(
	    "tenant: %d agents, %d queues of %d members, %d flows; %zu bytes of YAML\n",
	    agents, queues, members, queues, strlen(text));
	printf("parse and check:           %8.2f ms\n", median(tp, RUNS) / 1000);
	printf("cfg_edit_item (one key):   %8.2f ms\n", median(te, RUNS) / 1000);
	printf("acd_apply_tenant (edited): %8.2f ms\n", median(ta, RUNS) / 1000);
	printf("acd_apply_tenant (same):   %8.2f ms\n", median(tn, RUNS) / 1000);
	err = 0;
out:
	if (err)
		fprintf(stderr, "bench_tenant: failed\n");
	mem_deref(t);
	mem_deref(t2);
	free(text);
	free(text2);
	return err;
}
