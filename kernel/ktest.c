/*
 * The self-test runner: selects tests with the "ktest=" filter, runs
 * them suite by suite, prints KTAP version 1, and exits QEMU with the
 * pass or fail code.  See kernel/ktest.h for the contract with tests.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <kernel/lock.h>
#include <kernel/machdep.h>
#include <kernel/setjmp.h>
#include <lib/string.h>

#define	KTEST_MAX	1024
#define	FILTER_MAX	32

enum kt_result { KT_PASS, KT_FAIL, KT_SKIP };

extern const struct ktest ktests_start[], ktests_end[];

static const struct ktest *tests[KTEST_MAX];	/* in run order */
static int		 ntests;
static const struct ktest *cur;			/* running test */
static int		 cur_index;		/* its KTAP number */
static enum kt_result	 cur_result;
static const char	*cur_skip;
static jmp_buf		 cur_jb;

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

void
ktest_skip(const char *reason)
{
	if (cur_result != KT_FAIL)
		cur_result = KT_SKIP;
	cur_skip = reason;
	longjmp(cur_jb, 1);
}

void
ktest_crashed(const char *why)
{
	if (cur == NULL)
		return;
	kprintf("    not ok %d %s\n", cur_index, cur->kt_name);
	kprintf("Bail out! %s.%s crashed: %s\n", cur->kt_suite, cur->kt_name,
	    why);
	cur = NULL;
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

/*
 * Mark the tests the filter selects.  An item that selects nothing is a
 * typo that would otherwise pass silently: report it and count it failed.
 */
static int
select_tests(const char *filter, bool *sel)
{
	const char *item, *end;
	int i, bad = 0;
	bool hit;

	for (i = 0; i < ntests; i++)
		sel[i] = (*filter == '\0');
	for (item = filter; *item != '\0'; item = *end ? end + 1 : end) {
		end = strchr(item, ',');
		if (end == NULL)
			end = item + strlen(item);
		for (i = 0, hit = false; i < ntests; i++) {
			if (item_selects(item, end - item, tests[i]))
				sel[i] = hit = true;
		}
		if (!hit) {
			kprintf("# ktest: no test matches \"%.*s\"\n",
			    (int)(end - item), item);
			bad++;
		}
	}
	return (bad);
}

static void
print_result(enum kt_result r, int n, const char *name, const char *skip)
{
	kprintf("    %s %d %s", r == KT_FAIL ? "not ok" : "ok", n, name);
	if (r == KT_SKIP)
		kprintf(" # SKIP %s", skip != NULL ? skip : "");
	kprintf("\n");
}

static enum kt_result
run_one(const struct ktest *t, int n)
{
	debugcon_puts("start ");
	debugcon_puts(t->kt_suite);
	debugcon_puts(".");
	debugcon_puts(t->kt_name);
	debugcon_puts("\n");
	cur = t;
	cur_index = n;
	cur_result = KT_PASS;
	cur_skip = NULL;
	if (setjmp(cur_jb) == 0)
		t->kt_fn();
	if (kcatch_armed()) {
		ktest_diag("test returned with a trap catch still armed");
		cur_result = KT_FAIL;
		kcatch_reset();
	}
	/* A test that leaks a spin lock would wedge every later one. */
	if (spinlock_count() != 0) {
		ktest_diag("test returned holding %d spin lock(s)",
		    spinlock_count());
		cur_result = KT_FAIL;
	}
	cur = NULL;
	print_result(cur_result, n, t->kt_name, cur_skip);
	return (cur_result);
}

struct kt_counts {
	int	pass, fail, skip;
};

/* Index just past the suite starting at tests[i]; *nsel: its selected. */
static int
suite_end(int i, const bool *sel, int *nsel)
{
	int j;

	*nsel = 0;
	for (j = i; j < ntests &&
	    strcmp(tests[j]->kt_suite, tests[i]->kt_suite) == 0; j++)
		*nsel += sel[j];
	return (j);
}

/* Run the selected tests of the suite that starts at tests[first]. */
static void
run_suite(int first, int end, const bool *sel, int suiteno,
    struct kt_counts *all)
{
	const char *suite = tests[first]->kt_suite;
	struct kt_counts c = { 0, 0, 0 };
	int i, n;

	suite_end(first, sel, &n);
	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", suite, n);
	for (i = first, n = 0; i < end; i++) {
		if (!sel[i])
			continue;
		switch (run_one(tests[i], ++n)) {
		case KT_PASS: c.pass++; break;
		case KT_FAIL: c.fail++; break;
		case KT_SKIP: c.skip++; break;
		}
	}
	kprintf("# %s: pass:%d fail:%d skip:%d total:%d\n", suite, c.pass,
	    c.fail, c.skip, n);
	kprintf("%s %d %s\n", c.fail ? "not ok" : "ok", suiteno, suite);
	all->pass += c.pass;
	all->fail += c.fail;
	all->skip += c.skip;
}

static int
count_suites(const bool *sel, int *nselp)
{
	int i, end, n, nsuites = 0;

	*nselp = 0;
	for (i = 0; i < ntests; i = end) {
		end = suite_end(i, sel, &n);
		nsuites += (n > 0);
		*nselp += n;
	}
	return (nsuites);
}

void
ktest_main(const char *filter)
{
	static bool sel[KTEST_MAX];
	struct kt_counts all = { 0, 0, 0 };
	int i, end, n, bad, nsel, suiteno = 0;

	collect_tests();
	kprintf("KTAP version 1\n");
	bad = select_tests(filter, sel);
	kprintf("1..%d\n", count_suites(sel, &nsel));
	for (i = 0; i < ntests; i = end) {
		end = suite_end(i, sel, &n);
		if (n > 0)
			run_suite(i, end, sel, ++suiteno, &all);
	}
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
