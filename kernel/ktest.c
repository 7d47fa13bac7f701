/*
 * The self-test runner: selects tests with the "ktest=" filter (and
 * "ktest.after="), runs them suite by suite, prints KTAP version 1, and
 * exits QEMU with the pass or fail code.  A crash inside a test still
 * ends in a well-formed stream (ktest_crashed).  See kernel/ktest.h for
 * the contract with tests.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/trap.h>
#include <kernel/lock.h>
#include <kernel/machdep.h>
#include <kernel/setjmp.h>
#include <kernel/thread.h>
#include <lib/string.h>

#define	KTEST_MAX	1024

enum kt_result { KT_PASS, KT_FAIL, KT_SKIP };

struct kt_counts {
	int		 pass, fail, skip;
	const char	*skip_why;	/* the skip reason all share, or NULL */
};

extern const struct ktest ktests_start[], ktests_end[];

/*
 * Runner state.  Only the runner thread writes it; ktest_crashed() reads
 * it after crash() has stopped every other CPU.
 */
static const struct ktest *tests[KTEST_MAX];	/* in run order */
static int		 ntests;
static bool		 sel[KTEST_MAX];	/* tests[i] is to run */
static const struct ktest *cur;			/* running test */
static int		 cur_pos;		/* its index in tests[] */
static int		 cur_index;		/* its KTAP number */
static enum kt_result	 cur_result;
static const char	*cur_skip;
static jmp_buf		 cur_jb;
static bool		 cur_quiet;		/* a nested run: no diagnostics */
static struct {
	void		(*fn)(void *);
	void		*arg;
} defer[KTEST_DEFER_MAX];			/* ktest_defer's actions */
static int		 ndefer;		/* defer[0..ndefer) pending */
static struct {
	bool		 active;	/* between the plan and the end */
	int		 first, end;	/* the suite running: tests[first..end) */
	int		 suiteno;	/* its KTAP number */
	struct kt_counts c;		/* its results so far */
} run;
static struct kt_counts	 all;		/* closed suites' results */

int
ktest_strcmp(const char *a, const char *b)
{
	return (strcmp(a, b));
}

bool
ktest_running(void)
{
	return (cur != NULL);
}

void
ktest_diag(const char *fmt, ...)
{
	va_list ap;

	if (cur_quiet)
		return;
	kprintf("    # ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

static void
ktest_failed(bool fatal)
{
	cur_result = KT_FAIL;
	if (fatal)
		longjmp(cur_jb, 1);
}

void
ktest_fail_int(const char *file, int line, const char *expr, const char *op,
    uint64_t a, uint64_t b, bool fatal)
{
	ktest_diag("%s:%d: expected %s", file, line, expr);
	ktest_diag("    left  = %llu (%#llx, signed %lld)", (unsigned long long)a,
	    (unsigned long long)a, (long long)a);
	ktest_diag("    right = %llu (%#llx, signed %lld)", (unsigned long long)b,
	    (unsigned long long)b, (long long)b);
	(void)op;
	ktest_failed(fatal);
}

void
ktest_fail_str(const char *file, int line, const char *expr, const char *a,
    const char *b, bool fatal)
{
	ktest_diag("%s:%d: expected %s", file, line, expr);
	ktest_diag("    left  = \"%s\"", a != NULL ? a : "(null)");
	ktest_diag("    right = \"%s\"", b != NULL ? b : "(null)");
	ktest_failed(fatal);
}

void
ktest_fail_msg(const char *file, int line, const char *msg, bool fatal)
{
	ktest_diag("%s:%d: %s", file, line, msg);
	ktest_failed(fatal);
}

/*
 * ktest_expect_panic: run fn(arg) expecting one panic whose message
 * contains what; see kernel/ktest.h.
 * => failure is recorded, never fatal: the test goes on.
 */
bool
ktest_expect_panic(void (*fn)(void *), void *arg, const char *what,
    const char *file, int line)
{
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		fn(arg);
	kcatch_disarm(&kc);
	if (kc.kc_count == 1 && strstr(kc.kc_msg, what) != NULL)
		return (true);
	ktest_diag("expected a panic with \"%s\", got: %s", what,
	    kc.kc_count != 0 ? kc.kc_msg : "none");
	ktest_fail_msg(file, line, "expected a panic", false);
	return (false);
}

void
ktest_skip(const char *reason)
{
	if (cur_result != KT_FAIL)
		cur_result = KT_SKIP;
	cur_skip = reason;
	longjmp(cur_jb, 1);
}

/*
 * ktest_defer: run fn(arg) when the running test ends; see kernel/ktest.h.
 * A full table must not leak what the caller meant to release: fn(arg)
 * runs at once and the test ends failed, so its body never uses arg again.
 */
int
ktest_defer(void (*fn)(void *), void *arg)
{
	if (cur == NULL)
		return (EINVAL);
	if (ndefer == KTEST_DEFER_MAX) {
		ktest_diag("ktest_defer: more than %d deferred actions; ran "
		    "this one now", KTEST_DEFER_MAX);
		fn(arg);
		ktest_failed(true);
	}
	defer[ndefer].fn = fn;
	defer[ndefer].arg = arg;
	ndefer++;
	return (0);
}

/*
 * Run the deferred actions above base, last registered first.  Each is
 * popped before it runs: an action that fails an assertion longjmps to
 * cur_jb, whose setjmp caller calls this again for the rest.
 */
static void
run_deferred(int base)
{
	while (ndefer > base) {
		ndefer--;
		defer[ndefer].fn(defer[ndefer].arg);
	}
}

/* What the test thread had when the test began (check_thread). */
struct kt_thread_state {
	int		 pinned, critnest;
};

static void
save_thread(struct kt_thread_state *ts)
{
	ts->pinned = curthread->td_pinned;
	ts->critnest = curthread->td_critnest;
}

/*
 * A test must leave its thread as it found it: undo a leaked sched_pin
 * or critical_enter, or every later test would run pinned or without
 * preemption (and one that sleeps would panic).  Undoing is safe: the
 * test has ended, nothing of it relies on the CPU any more, and no spin
 * lock is held (checked first by the caller; a held one keeps the leaked
 * section, the spin lock check fails the test).
 */
static void
check_thread(const struct kt_thread_state *ts)
{
	struct thread *td = curthread;

	if (td->td_pinned > ts->pinned) {
		ktest_diag("test returned pinned: sched_pin nesting %d, was "
		    "%d; unpinned", td->td_pinned, ts->pinned);
		td->td_pinned = ts->pinned;
		cur_result = KT_FAIL;
	}
	if (td->td_critnest > ts->critnest && spinlock_count() == 0) {
		ktest_diag("test returned in a critical section: nesting %d, "
		    "was %d; left it", td->td_critnest, ts->critnest);
		while (td->td_critnest > ts->critnest)
			critical_exit();	/* takes an owed preemption */
		cur_result = KT_FAIL;
	}
}

/*
 * ktest_run_nested: run fn as a test of its own inside the running one,
 * quietly; see kernel/ktest.h.  The outer test's state is saved around
 * it, and its deferred actions stay pending below base.
 */
int
ktest_run_nested(void (*fn)(void))
{
	jmp_buf outer_jb;
	enum kt_result outer_result = cur_result, r;
	const char *outer_skip = cur_skip;
	bool outer_quiet = cur_quiet;
	struct kt_thread_state ts;
	int base = ndefer;

	KASSERT(cur != NULL, ("ktest_run_nested outside a test"));
	memcpy(&outer_jb, &cur_jb, sizeof(jmp_buf));
	save_thread(&ts);
	cur_result = KT_PASS;
	cur_quiet = true;
	if (setjmp(cur_jb) == 0)
		fn();
	run_deferred(base);
	check_thread(&ts);
	r = cur_result;
	memcpy(&cur_jb, &outer_jb, sizeof(jmp_buf));
	cur_result = outer_result;
	cur_skip = outer_skip;
	cur_quiet = outer_quiet;
	return (r == KT_PASS ? KTEST_PASSED : r == KT_FAIL ? KTEST_FAILED :
	    KTEST_SKIPPED);
}

/* Position of the first registered test whose field equals t's. */
static int
first_rank(const struct ktest *t, bool by_suite)
{
	const struct ktest *r;

	for (r = ktests_start; r < t; r++) {
		if (by_suite ? strcmp(r->kt_suite, t->kt_suite) == 0 :
		    strcmp(r->kt_file, t->kt_file) == 0)
			break;
	}
	return ((int)(r - ktests_start));
}

/* Suites in link order; a file's tests in source-line order. */
static bool
runs_before(const struct ktest *a, const struct ktest *b)
{
	int sa = first_rank(a, true), sb = first_rank(b, true);
	int fa = first_rank(a, false), fb = first_rank(b, false);

	if (sa != sb)
		return (sa < sb);
	if (fa != fb)
		return (fa < fb);
	return (a->kt_line < b->kt_line);
}

static void
collect_tests(void)
{
	const struct ktest *t;
	int i;

	for (t = ktests_start; t < ktests_end && ntests < KTEST_MAX; t++) {
		for (i = ntests; i > 0 && runs_before(t, tests[i - 1]); i--)
			tests[i] = tests[i - 1];
		tests[i] = t;
		ntests++;
	}
	if (t < ktests_end)
		panic("ktest: more than %d tests registered", KTEST_MAX);
}

/* Does filter item (SUITE or SUITE.TEST, length len) select t? */
static bool
item_selects(const char *item, size_t len, const struct ktest *t)
{
	size_t sl = strlen(t->kt_suite);

	if (len == 3 && strncmp(item, "all", 3) == 0)
		return (true);
	if (len < sl || strncmp(item, t->kt_suite, sl) != 0)
		return (false);
	if (len == sl)
		return (true);
	return (item[sl] == '.' && len - sl - 1 == strlen(t->kt_name) &&
	    strncmp(item + sl + 1, t->kt_name, len - sl - 1) == 0);
}

/* "# ktest: WHAT "ITEM"" with the item's control bytes escaped. */
static int
bad_item(bool report, const char *what, const char *item, size_t len)
{
	if (!report)
		return (1);
	kprintf("# ktest: %s \"", what);
	cmdline_putvis(item, len);
	kprintf("\"\n");
	return (1);
}

/*
 * Mark the tests the filter selects.  An item that selects nothing is a
 * typo that would otherwise pass silently, and an empty item ("lib,,boot")
 * is one too: report each; the caller then runs nothing.
 */
static int
select_tests(const char *filter, bool *s, bool report)
{
	const char *item, *end;
	int i, bad = 0;
	bool hit;

	for (i = 0; i < ntests; i++)
		s[i] = (*filter == '\0');
	for (item = filter; *item != '\0'; item = *end ? end + 1 : end) {
		end = strchr(item, ',');
		if (end == NULL)
			end = item + strlen(item);
		for (i = 0, hit = false; i < ntests && item != end; i++) {
			if (item_selects(item, end - item, tests[i]))
				s[i] = hit = true;
		}
		if (item == end)
			bad += bad_item(report, "empty item in filter", filter,
			    strlen(filter));
		else if (!hit)
			bad += bad_item(report, "no test matches", item,
			    end - item);
	}
	if (*filter != '\0' && filter[strlen(filter) - 1] == ',')
		bad += bad_item(report, "empty item in filter", filter,
		    strlen(filter));
	return (bad);
}

/*
 * ktest.after=SUITE.TEST: deselect every test up to and including that
 * one in run order, whatever the filter says, so that a harness can boot
 * again past a test that crashed the kernel.  Returns 1 if no test has
 * that name, reported; the name must be exact, a suite is not enough.
 */
static int
select_after(const char *after, bool *s, bool report)
{
	int i, j;

	for (i = 0; i < ntests && strchr(after, '.') != NULL; i++)
		if (item_selects(after, strlen(after), tests[i]))
			break;
	if (i == ntests || strchr(after, '.') == NULL)
		return (bad_item(report, "ktest.after names no test:", after,
		    strlen(after)));
	for (j = 0; j <= i; j++)
		s[j] = false;
	return (0);
}

int
ktest_count_selected(const char *filter, const char *after)
{
	static bool scratch[KTEST_MAX];
	int i, n = 0;

	if (select_tests(filter, scratch, false) != 0 ||
	    (after != NULL && select_after(after, scratch, false) != 0))
		return (-1);
	for (i = 0; i < ntests; i++)
		n += scratch[i];
	return (n);
}

static void
print_result(enum kt_result r, int n, const char *name, const char *skip)
{
	kprintf("    %s %d %s", r == KT_FAIL ? "not ok" : "ok", n, name);
	if (r == KT_SKIP)
		kprintf(" # SKIP %s", skip != NULL ? skip : "");
	kprintf("\n");
}

static void
count_result(struct kt_counts *c, enum kt_result r, const char *skip)
{
	switch (r) {
	case KT_PASS: c->pass++; break;
	case KT_FAIL: c->fail++; break;
	case KT_SKIP:
		if (c->skip++ == 0)
			c->skip_why = skip;
		else if (c->skip_why != NULL && (skip == NULL ||
		    strcmp(c->skip_why, skip) != 0))
			c->skip_why = NULL;	/* reasons differ */
		break;
	}
}

static void
run_one(int i, int n)
{
	const struct ktest *t = tests[i];
	struct kt_thread_state ts;

	debugcon_puts("start ");
	debugcon_puts(t->kt_suite);
	debugcon_puts(".");
	debugcon_puts(t->kt_name);
	debugcon_puts("\n");
	cur_pos = i;
	cur_index = n;
	cur_result = KT_PASS;
	cur_skip = NULL;
	cur = t;
	save_thread(&ts);
	if (setjmp(cur_jb) == 0)
		t->kt_fn();
	/* Before the deferred actions: a panic in one must not land here. */
	if (kcatch_armed()) {
		ktest_diag("test returned with a trap catch still armed");
		cur_result = KT_FAIL;
		kcatch_reset();
	}
	/* Passed, failed or skipped; an assertion in one comes back above. */
	run_deferred(0);
	/* A test that leaks a spin lock would wedge every later one. */
	if (spinlock_count() != 0) {
		ktest_diag("test returned holding %d spin lock(s)",
		    spinlock_count());
		cur_result = KT_FAIL;
	}
	check_thread(&ts);
	cur = NULL;
	print_result(cur_result, n, t->kt_name, cur_skip);
	count_result(&run.c, cur_result, cur_skip);
}

/* Index just past the suite starting at tests[i]; *nsel: its selected. */
static int
suite_end(int i, int *nsel)
{
	int j;

	*nsel = 0;
	for (j = i; j < ntests &&
	    strcmp(tests[j]->kt_suite, tests[i]->kt_suite) == 0; j++)
		*nsel += sel[j];
	return (j);
}

/*
 * The suite's summary and top-level result.  A suite whose tests were
 * all skipped is itself skipped, with their reason if they share one,
 * as KUnit reports it.
 */
static void
close_suite(void)
{
	const char *suite = tests[run.first]->kt_suite;
	struct kt_counts *c = &run.c;

	kprintf("# %s: pass:%d fail:%d skip:%d total:%d\n", suite, c->pass,
	    c->fail, c->skip, c->pass + c->fail + c->skip);
	kprintf("%s %d %s", c->fail ? "not ok" : "ok", run.suiteno, suite);
	if (c->skip > 0 && c->pass + c->fail == 0)
		kprintf(" # SKIP %s", c->skip_why != NULL ? c->skip_why :
		    "every test skipped");
	kprintf("\n");
	all.pass += c->pass;
	all.fail += c->fail;
	all.skip += c->skip;
}

/* Run the selected tests of the suite that starts at tests[first]. */
static void
run_suite(int first, int end)
{
	int i, n;

	suite_end(first, &n);
	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n",
	    tests[first]->kt_suite, n);
	run.first = first;
	run.end = end;
	run.suiteno++;
	run.c = (struct kt_counts){ 0, 0, 0, NULL };
	for (i = first, n = 0; i < end; i++)
		if (sel[i])
			run_one(i, ++n);
	close_suite();
}

static int
count_suites(int *nselp)
{
	int i, end, n, nsuites = 0;

	*nselp = 0;
	for (i = 0; i < ntests; i = end) {
		end = suite_end(i, &n);
		nsuites += (n > 0);
		*nselp += n;
	}
	return (nsuites);
}

/*
 * ktest_crashed: the crash report is about to end the kernel.  Name the
 * test as failed with the reason as its diagnostic, then keep the KTAP
 * stream well formed for kunit.py and prove: the rest of its suite and
 * every later suite are reported as skipped (not run), and the suite
 * closes "not ok", as KUnit closes a suite after a crashed case.  The
 * final "Bail out!" names the test for harnesses (tests/run.py boots
 * again with ktest.after=SUITE.TEST) and precedes the crash report.
 */
void
ktest_crashed(const char *why)
{
	const struct ktest *t = cur;
	int i, end, n, m;

	if (t == NULL) {
		if (run.active)
			kprintf("Bail out! crashed between tests: %s\n", why);
		return;
	}
	cur = NULL;
	run.active = false;
	ktest_diag("crashed: %s", why);
	kprintf("    not ok %d %s\n", cur_index, t->kt_name);
	count_result(&run.c, KT_FAIL, NULL);
	for (i = cur_pos + 1, n = cur_index; i < run.end; i++)
		if (sel[i]) {
			kprintf("    ok %d %s # SKIP not run: the kernel crashed "
			    "in %s.%s\n", ++n, tests[i]->kt_name, t->kt_suite,
			    t->kt_name);
			count_result(&run.c, KT_SKIP, NULL);
		}
	close_suite();
	for (i = run.end, m = 0; i < ntests; i = end) {
		end = suite_end(i, &n);
		if (n == 0)
			continue;
		kprintf("ok %d %s # SKIP not run: the kernel crashed in %s.%s\n",
		    ++run.suiteno, tests[i]->kt_suite, t->kt_suite, t->kt_name);
		m += n;
	}
	kprintf("# ktest: %d passed, %d failed, %d skipped; %d in later "
	    "suites not run\n", all.pass, all.fail, all.skip, m);
	kprintf("Bail out! %s.%s crashed: %s\n", t->kt_suite, t->kt_name, why);
}

/* Report a bad selection as KTAP that every consumer sees fail. */
static void __noreturn
refuse(int bad)
{
	kprintf("1..0\nBail out! ktest: nothing run: %d problem(s) with the "
	    "command line (see above)\n", bad);
	machine_exit(KEXIT_FAIL);
}

void
ktest_main(const char *filter)
{
	const char *after = cmdline_get("ktest.after");
	int i, end, n, bad, nsel, nsuites;

	collect_tests();
	kprintf("KTAP version 1\n");
	/*
	 * Problems go between the version line and the plan: there kunit.py
	 * shows them ("0 tests run!" after them), and the "Bail out!" after
	 * the plan fails prove, which would take "1..0" alone for a pass.
	 */
	bad = select_tests(filter, sel, true);
	if (after != NULL)
		bad += select_after(after, sel, true);
	if (cmdline_problems() != 0)
		kprintf("# ktest: the command line has %d problem(s), see the "
		    "\"cmdline:\" lines above\n", cmdline_problems());
	if (bad + cmdline_problems() != 0)
		refuse(bad + cmdline_problems());
	nsuites = count_suites(&nsel);
	if (nsuites == 0) {		/* ktest.after the last selected test */
		kprintf("1..0 # SKIP no test selected after %s\n", after);
		machine_exit(KEXIT_PASS);
	}
	kprintf("1..%d\n", nsuites);
	if (after != NULL)
		kprintf("# ktest: starting after %s\n", after);
	run.active = true;
	for (i = 0; i < ntests; i = end) {
		end = suite_end(i, &n);
		if (n > 0)
			run_suite(i, end);
	}
	run.active = false;
	/* Every selected test must have run exactly once. */
	if (all.pass + all.fail + all.skip != nsel) {
		kprintf("# ktest: %d tests selected but %d ran\n", nsel,
		    all.pass + all.fail + all.skip);
		bad++;
	}
	kprintf("# ktest: %d passed, %d failed, %d skipped\n", all.pass,
	    all.fail, all.skip);
	machine_exit(all.fail + bad == 0 ? KEXIT_PASS : KEXIT_FAIL);
}
