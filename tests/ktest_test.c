/*
 * Tests of the test framework's deferred actions (ktest_defer) and of the
 * runner's thread checks.  A test that is meant to fail cannot be in the
 * run, so each case runs its body with ktest_run_nested and checks the
 * result and what the deferred actions did.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/thread.h>

/* What the actions did, in the order they ran. */
static int	log_v[KTEST_DEFER_MAX + 2];
static int	log_n;
static bool	reached;		/* the body went past its end point */

static void
log_reset(void)
{
	log_n = 0;
	reached = false;
}

static void
log_action(void *arg)
{
	if (log_n < (int)(sizeof(log_v) / sizeof(log_v[0])))
		log_v[log_n] = (int)(uintptr_t)arg;
	log_n++;
}

/* Expect the actions to have run as 3, 2, 1. */
static void
expect_reverse_3(void)
{
	KT_ASSERT_EQ(log_n, 3);
	KT_EXPECT_EQ(log_v[0], 3);
	KT_EXPECT_EQ(log_v[1], 2);
	KT_EXPECT_EQ(log_v[2], 1);
}

static void
defer_three(void)
{
	uintptr_t i;

	for (i = 1; i <= 3; i++)
		KT_ASSERT_EQ(ktest_defer(log_action, (void *)i), 0);
}

static void
body_passes(void)
{
	defer_three();
	KT_EXPECT_EQ(log_n, 0);		/* nothing runs before the end */
	reached = true;
}

static void
body_asserts(void)
{
	defer_three();
	KT_ASSERT_EQ(1, 2);
	reached = true;
}

static void
body_skips(void)
{
	defer_three();
	KT_SKIP("on purpose");
	reached = true;
}

static void
body_expect_fails(void)
{
	defer_three();
	KT_EXPECT_EQ(1, 2);		/* not fatal: the body goes on */
	reached = true;
}

KTEST(ktest, defer_runs_in_reverse_after_a_pass)
{
	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_passes), KTEST_PASSED);
	KT_EXPECT_TRUE(reached);
	expect_reverse_3();
}

KTEST(ktest, defer_runs_in_reverse_after_a_failed_assertion)
{
	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_asserts), KTEST_FAILED);
	KT_EXPECT_FALSE(reached);
	expect_reverse_3();
}

KTEST(ktest, defer_runs_after_a_failed_expectation)
{
	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_expect_fails), KTEST_FAILED);
	KT_EXPECT_TRUE(reached);
	expect_reverse_3();
}

KTEST(ktest, defer_runs_after_a_skip)
{
	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_skips), KTEST_SKIPPED);
	KT_EXPECT_FALSE(reached);
	expect_reverse_3();
}

/* An action that fails an assertion: the earlier ones still run. */
static void
failing_action(void *arg)
{
	log_action(arg);
	KT_ASSERT_EQ(1, 2);
	log_action((void *)99);		/* never */
}

static void
body_action_fails(void)
{
	KT_ASSERT_EQ(ktest_defer(log_action, (void *)1), 0);
	KT_ASSERT_EQ(ktest_defer(failing_action, (void *)2), 0);
	KT_ASSERT_EQ(ktest_defer(log_action, (void *)3), 0);
	reached = true;
}

KTEST(ktest, defer_goes_on_after_an_action_fails)
{
	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_action_fails), KTEST_FAILED);
	KT_EXPECT_TRUE(reached);
	expect_reverse_3();
}

/* One action too many runs at once and ends the test failed. */
static void
body_overflows(void)
{
	uintptr_t i;

	for (i = 1; i <= KTEST_DEFER_MAX + 1; i++)
		(void)ktest_defer(log_action, (void *)i);
	reached = true;
}

KTEST(ktest, defer_overflow_fails_and_runs_every_action)
{
	int i;

	log_reset();
	KT_EXPECT_EQ(ktest_run_nested(body_overflows), KTEST_FAILED);
	KT_EXPECT_FALSE(reached);
	KT_ASSERT_EQ(log_n, KTEST_DEFER_MAX + 1);
	/* The extra one at once, then the table from its top. */
	for (i = 0; i <= KTEST_DEFER_MAX; i++)
		KT_EXPECT_EQ(log_v[i], KTEST_DEFER_MAX + 1 - i);
}

/* Nested actions are the nested test's: the outer ones stay pending. */
static void
body_nested_defers(void)
{
	KT_ASSERT_EQ(ktest_defer(log_action, (void *)2), 0);
}

static void
outer_action_check(void *arg)
{
	(void)arg;
	/* The runner runs this after the test: it must be the last entry. */
	if (log_n != 1 || log_v[0] != 2)
		KT_FAIL("the nested test ran the outer test's action");
}

KTEST(ktest, defer_nested_leaves_the_outer_actions)
{
	log_reset();
	KT_ASSERT_EQ(ktest_defer(outer_action_check, NULL), 0);
	KT_EXPECT_EQ(ktest_run_nested(body_nested_defers), KTEST_PASSED);
	KT_EXPECT_EQ(log_n, 1);
}

/* A test that leaves its thread pinned fails, and is unpinned. */
static void
body_pins(void)
{
	sched_pin();
	sched_pin();
}

KTEST(ktest, leaked_pin_fails_and_is_undone)
{
	int pinned = curthread->td_pinned;

	KT_EXPECT_EQ(ktest_run_nested(body_pins), KTEST_FAILED);
	KT_EXPECT_EQ(curthread->td_pinned, pinned);
}

static void
body_enters_critical(void)
{
	critical_enter();
}

KTEST(ktest, leaked_critical_section_fails_and_is_left)
{
	int critnest = curthread->td_critnest;

	KT_EXPECT_EQ(ktest_run_nested(body_enters_critical), KTEST_FAILED);
	KT_EXPECT_EQ(curthread->td_critnest, critnest);
}

/* A pin the test undoes in a deferred action is no leak. */
static void
unpin_action(void *arg)
{
	(void)arg;
	sched_unpin();
}

static void
body_pins_and_defers_unpin(void)
{
	sched_pin();
	KT_ASSERT_EQ(ktest_defer(unpin_action, NULL), 0);
}

KTEST(ktest, deferred_unpin_is_no_leak)
{
	int pinned = curthread->td_pinned;

	/* The action runs before the thread check, which finds nothing. */
	KT_EXPECT_EQ(ktest_run_nested(body_pins_and_defers_unpin),
	    KTEST_PASSED);
	KT_EXPECT_EQ(curthread->td_pinned, pinned);
}
