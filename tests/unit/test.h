/*
 * test.h — the unit test harness. Each test program lists its cases in
 * one table and ends with main() from TEST_MAIN. Every case is run with a
 * check that it leaked no libre objects: Debian's libre keeps no memory
 * statistics (mem_get_stat answers ENOSYS), so the harness counts them
 * itself, standing in for mem_alloc and mem_deref (libre calls its own
 * through the PLT, so its internal objects are counted too). A case whose
 * count does not come back is run once more: what it keeps the first time
 * only (a libre table made on first use) is not a leak, what it loses on
 * every run is. Output is one line per case, "ok - name" or
 * "not ok - name: reason", which tests/run counts.
 */
#ifndef HOTLINE_TEST_H
#define HOTLINE_TEST_H

#include <dlfcn.h>
#include <re.h>
#include <stdio.h>
#include <string.h>

#define TEST_FAIL(...)                                                                   \
	do {                                                                             \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                          \
		fprintf(stderr, __VA_ARGS__);                                            \
		fprintf(stderr, "\n");                                                   \
		return 1;                                                                \
	} while (0)
#define TEST_ASSERT(c)                                                                   \
	do {                                                                             \
		if (!(c))                                                                \
			TEST_FAIL("assertion failed: %s", #c);                           \
	} while (0)
#define TEST_EQ(a, b)                                                                    \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                      \
		if (_a != _b)                                                            \
			TEST_FAIL("%s == %lld, expected %s == %lld", #a, _a, #b, _b);    \
	} while (0)
#define TEST_STREQ(a, b)                                                                 \
	do {                                                                             \
		const char *_a = (a), *_b = (b);                                         \
		if (!_a || !_b || strcmp(_a, _b))                                        \
			TEST_FAIL("%s == \"%s\", expected \"%s\"", #a,                   \
				  _a ? _a : "(null)", _b ? _b : "(null)");               \
	} while (0)
#define TEST_ERR(e)                                                                      \
	do {                                                                             \
		int _e = (e);                                                            \
		if (_e)                                                                  \
			TEST_FAIL("%s failed: %s (%d)", #e, strerror(_e), _e);           \
	} while (0)

/* Checks c; when it fails, says where and jumps to the case's out: label,
 * where what the case holds is freed (the case returns r = 1 there). */
#define TEST_CHECK(c)                                                                    \
	do {                                                                             \
		if (!(c)) {                                                              \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#c);                                                     \
			goto out;                                                        \
		}                                                                        \
	} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};

/* libre objects alive now (this program's own count; one test program is
 * one file, so these definitions exist once). */
size_t test_mem_live;

void *mem_alloc(size_t size, mem_destroy_h *dh)
{
	static void *(*real)(size_t, mem_destroy_h *);
	void *p;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mem_alloc");
	p = real(size, dh);
	if (p)
		__atomic_add_fetch(&test_mem_live, 1, __ATOMIC_RELAXED);
	return p;
}

void *mem_deref(void *data)
{
	static void *(*real)(void *);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mem_deref");
	/* the last reference: the object goes */
	if (data && mem_nrefs(data) == 1)
		__atomic_sub_fetch(&test_mem_live, 1, __ATOMIC_RELAXED);
	return real(data);
}

/* How many libre objects one run of fn left behind (r: its result). */
static inline long test_leaked(int (*fn)(void), int *r)
{
	size_t before = __atomic_load_n(&test_mem_live, __ATOMIC_RELAXED);

	*r = fn();
	return (long)(__atomic_load_n(&test_mem_live, __ATOMIC_RELAXED) - before);
}

static inline int test_run_all(const struct test_case *tv, size_t n)
{
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		int r;
		long leaked = test_leaked(tv[i].fn, &r);

		if (!r && leaked)
			leaked = test_leaked(tv[i].fn, &r);
		if (!r && leaked) {
			fprintf(stderr, "%s: leaked %ld libre objects\n", tv[i].name,
				leaked);
			r = 1;
		}
		printf("%s - %s\n", r ? "not ok" : "ok", tv[i].name);
		fflush(stdout);
		failed += r != 0;
	}
	return failed ? 1 : 0;
}

#define TEST_MAIN(table)                                                                 \
	int main(void)                                                                   \
	{                                                                                \
		int r;                                                                   \
		if (libre_init())                                                        \
			return 2;                                                        \
		r = test_run_all(table, sizeof(table) / sizeof((table)[0]));             \
		libre_close();                                                           \
		return r;                                                                \
	}

#endif
