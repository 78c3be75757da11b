/*
 * test.h — the unit test harness. Each test program lists its cases in
 * one table and ends with main() from TEST_MAIN. Every case is run with a
 * check that it leaked no libre memory (where libre keeps memory
 * statistics; Debian's build does not, and there LeakSanitizer in
 * `make asan` catches leaks at exit instead). Output is one line per case,
 * "ok - name" or "not ok - name: reason", which tests/run counts.
 */
#ifndef HOTLINE_TEST_H
#define HOTLINE_TEST_H

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

static inline int test_run_all(const struct test_case *tv, size_t n)
{
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct memstat before, after;
		mem_get_stat(&before);
		int r = tv[i].fn();
		mem_get_stat(&after);
		if (!r && after.blocks_cur != before.blocks_cur) {
			fprintf(stderr, "%s: leaked %zu blocks\n", tv[i].name,
				after.blocks_cur - before.blocks_cur);
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
