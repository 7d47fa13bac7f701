/*
 * ktest: the in-kernel self-test framework.
 *
 * A test is a function registered with KTEST(suite, name) into the linker
 * section "ktests".  The runner (kernel/ktest.c) groups tests by suite in
 * link order (the order of the objects in the Makefile), orders the tests of
 * one file by source line, and prints KTAP version 1 on the console:
 *
 *	KTAP version 1
 *	1..<suites>
 *	    KTAP version 1
 *	    # Subtest: <suite>
 *	    1..<tests>
 *	    ok 1 <test>
 *	# <suite>: pass:P fail:F skip:S total:T
 *	ok 1 <suite>
 *
 * Contract for test bodies:
 *  - KT_EXPECT_* record a failure and go on; KT_ASSERT_* record it and end
 *    the test at once (a longjmp back into the runner, so a test must not
 *    hold a lock or a quick map across an assertion that may fail).
 *  - KT_EXPECT_PANIC(fn, arg, what) runs fn(arg) and records a failure
 *    unless it panics with a message containing what (ktest_expect_panic).
 *  - ktest_defer(fn, arg) has fn(arg) run when the test ends, however it
 *    ends (passed, failed, an assertion or KT_SKIP), last registered
 *    first: register a release right after the allocation or switch it
 *    undoes, so a failed test does not starve or misconfigure the next.
 *  - After each test the runner fails it if it left a trap catch armed,
 *    a spin lock held, or its thread pinned (sched_pin) or in a critical
 *    section; it undoes the latter two and names them.
 *  - KT_SKIP(reason) ends the test as skipped.  Skip only for a reason the
 *    configuration imposes (one CPU, too little memory), never to hide a bug.
 *  - ktest_diag() prints a "# " diagnostic line; never call kprintf() from a
 *    test, it would break the KTAP stream.
 *  - An exception or panic inside a test that the test did not arm a catch
 *    for (kernel/trap.h) prints "# crashed: REASON" and "not ok" for that
 *    test, closes the KTAP stream (later tests "# SKIP not run"), then
 *    "Bail out! SUITE.TEST crashed: REASON" and the crash report, and
 *    exits QEMU with the failure code.  Booting again with
 *    "ktest.after=SUITE.TEST" runs the tests after it (tests/run.py does).
 *
 * Selection: "ktest" runs every test; "ktest=ITEM,..." the tests each
 * item (SUITE, SUITE.TEST or all) names; "ktest.after=SUITE.TEST" drops
 * that test and every one before it in run order.  An item that matches
 * nothing, an empty item or any command-line problem runs nothing: the
 * stream is "1..0" and "Bail out!", and the exit code is the failure one.
 */
#ifndef _KERNEL_KTEST_H_
#define _KERNEL_KTEST_H_

#include <stdint.h>
#include <stdbool.h>

/*
 * Records are placed in the section 8-byte aligned, so the type must be
 * a multiple of 8 bytes too, or the section would not be an array.
 */
struct ktest {
	const char	*kt_suite;
	const char	*kt_name;
	const char	*kt_file;
	int		 kt_line;
	void		(*kt_fn)(void);
} __attribute__((aligned(8)));

#define	KTEST(suite, name)						\
	static void ktest_##suite##_##name(void);			\
	static const struct ktest ktest_rec_##suite##_##name		\
	    __attribute__((section("ktests"), used, aligned(8))) = {	\
		#suite, #name, __FILE__, __LINE__,			\
		ktest_##suite##_##name					\
	};								\
	static void ktest_##suite##_##name(void)

/* Failure reporting; called by the macros below. */
void	ktest_fail_int(const char *file, int line, const char *expr,
	    const char *op, uint64_t a, uint64_t b, bool fatal);
void	ktest_fail_str(const char *file, int line, const char *expr,
	    const char *a, const char *b, bool fatal);
void	ktest_fail_msg(const char *file, int line, const char *msg,
	    bool fatal);
void	ktest_skip(const char *reason) __attribute__((noreturn));
/*
 * ktest_expect_panic: run fn(arg) under a panic catch (kernel/trap.h),
 * expecting exactly one panic whose message contains what.
 * => returns true if so; otherwise prints the message it got (or
 *    "none") and records a non-fatal failure at file:line.
 * => fn's panic longjmps out of it: fn must hold no lock or quick map
 *    that it would have let go after the panicking call.
 * => KT_EXPECT_PANIC(fn, arg, what) calls it with the caller's line.
 */
bool	ktest_expect_panic(void (*fn)(void *), void *arg, const char *what,
	    const char *file, int line);
/*
 * ktest_defer: have fn(arg) run when the running test ends, as Linux
 * KUnit's kunit_add_action: whether it passed, failed, or was ended by a
 * KT_ASSERT_* or KT_SKIP; the actions run last registered first, before
 * the runner's checks (spin locks, pinning), in the test's thread.
 * => returns 0; EINVAL outside a test (nothing is registered).
 * => at most KTEST_DEFER_MAX pending per test: one more runs fn(arg) at
 *    once and ends the test failed ("more than N deferred actions").
 * => an action may fail an assertion: the rest still run.
 * => arg must outlive the test body: never a pointer into its stack
 *    frame, which is gone when an assertion ends it.
 */
#define	KTEST_DEFER_MAX	32
int	ktest_defer(void (*fn)(void *), void *arg);
/*
 * ktest_run_nested: run fn as a test inside the running one, for tests
 * of the framework itself (a test meant to fail cannot be in the run).
 * => returns KTEST_PASSED, KTEST_FAILED or KTEST_SKIPPED; fn's failures
 *    are not the caller's and its diagnostics are not printed.
 * => fn's deferred actions and the thread checks run before it returns.
 */
#define	KTEST_PASSED	0
#define	KTEST_FAILED	1
#define	KTEST_SKIPPED	2
int	ktest_run_nested(void (*fn)(void));
void	ktest_diag(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* True while a test body runs. */
bool	ktest_running(void);
/*
 * A crash is about to end the kernel: if a test is running, print its
 * "not ok" line, close the stream and "Bail out!" so that the KTAP says
 * which test died.  Called by crash() once the other CPUs are stopped.
 */
void	ktest_crashed(const char *why);
/*
 * ktest_count_selected: how many tests "ktest=filter" (and, unless NULL,
 * "ktest.after=after") select, or -1 when the selection is refused.
 * => for tests of the selection rules; prints nothing.
 */
int	ktest_count_selected(const char *filter, const char *after);
/*
 * ktest_main: run the tests selected by "ktest=filter" and
 * "ktest.after=", print KTAP and exit QEMU; does not return.
 */
void	ktest_main(const char *filter) __attribute__((noreturn));

#define	KT__CMP(a, op, b, fatal) do {					\
	uint64_t _ka = (uint64_t)(a), _kb = (uint64_t)(b);		\
	if (!(_ka op _kb))						\
		ktest_fail_int(__FILE__, __LINE__, #a " " #op " " #b,	\
		    #op, _ka, _kb, fatal);				\
} while (0)
/* Signed comparison: both sides are converted to int64_t. */
#define	KT__SCMP(a, op, b, fatal) do {					\
	int64_t _ka = (int64_t)(a), _kb = (int64_t)(b);			\
	if (!(_ka op _kb))						\
		ktest_fail_int(__FILE__, __LINE__, #a " " #op " " #b,	\
		    #op, (uint64_t)_ka, (uint64_t)_kb, fatal);		\
} while (0)
#define	KT__TRUE(c, fatal) do {						\
	if (!(c))							\
		ktest_fail_msg(__FILE__, __LINE__, "expected " #c,	\
		    fatal);						\
} while (0)
#define	KT__STREQ(a, b, fatal) do {					\
	const char *_ka = (a), *_kb = (b);				\
	if (_ka == 0 || _kb == 0 || ktest_strcmp(_ka, _kb) != 0)	\
		ktest_fail_str(__FILE__, __LINE__, #a " == " #b,	\
		    _ka, _kb, fatal);					\
} while (0)
int	ktest_strcmp(const char *, const char *);

#define	KT_EXPECT_EQ(a, b)	KT__CMP(a, ==, b, false)
#define	KT_EXPECT_NE(a, b)	KT__CMP(a, !=, b, false)
#define	KT_EXPECT_LT(a, b)	KT__CMP(a, <, b, false)
#define	KT_EXPECT_LE(a, b)	KT__CMP(a, <=, b, false)
#define	KT_EXPECT_GT(a, b)	KT__CMP(a, >, b, false)
#define	KT_EXPECT_GE(a, b)	KT__CMP(a, >=, b, false)
#define	KT_EXPECT_SEQ(a, b)	KT__SCMP(a, ==, b, false)
#define	KT_EXPECT_SLT(a, b)	KT__SCMP(a, <, b, false)
#define	KT_EXPECT_TRUE(c)	KT__TRUE(c, false)
#define	KT_EXPECT_FALSE(c)	KT__TRUE(!(c), false)
#define	KT_EXPECT_NULL(p)	KT__TRUE((p) == 0, false)
#define	KT_EXPECT_NOTNULL(p)	KT__TRUE((p) != 0, false)
#define	KT_EXPECT_STREQ(a, b)	KT__STREQ(a, b, false)

#define	KT_ASSERT_EQ(a, b)	KT__CMP(a, ==, b, true)
#define	KT_ASSERT_NE(a, b)	KT__CMP(a, !=, b, true)
#define	KT_ASSERT_LT(a, b)	KT__CMP(a, <, b, true)
#define	KT_ASSERT_LE(a, b)	KT__CMP(a, <=, b, true)
#define	KT_ASSERT_GT(a, b)	KT__CMP(a, >, b, true)
#define	KT_ASSERT_GE(a, b)	KT__CMP(a, >=, b, true)
#define	KT_ASSERT_SEQ(a, b)	KT__SCMP(a, ==, b, true)
#define	KT_ASSERT_TRUE(c)	KT__TRUE(c, true)
#define	KT_ASSERT_FALSE(c)	KT__TRUE(!(c), true)
#define	KT_ASSERT_NULL(p)	KT__TRUE((p) == 0, true)
#define	KT_ASSERT_NOTNULL(p)	KT__TRUE((p) != 0, true)
#define	KT_ASSERT_STREQ(a, b)	KT__STREQ(a, b, true)

#define	KT_EXPECT_PANIC(fn, arg, what)					\
	((void)ktest_expect_panic(fn, arg, what, __FILE__, __LINE__))

#define	KT_FAIL(msg)		ktest_fail_msg(__FILE__, __LINE__, msg, true)
#define	KT_SKIP(reason)		ktest_skip(reason)

#endif /* !_KERNEL_KTEST_H_ */
