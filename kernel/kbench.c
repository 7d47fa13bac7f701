/*
 * The benchmark runner (see kernel/kbench.h): each benchmark runs one
 * warm-up round and KBENCH_ROUNDS measured rounds; the median per-op
 * figure is the one to quote, min and max show the spread.
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <kernel/cmdline.h>
#include <kernel/machdep.h>
#include <lib/string.h>
#include <machine/cpufunc.h>

#define	KBENCH_ROUNDS	7
#define	KBENCH_MAX	64

extern const struct kbench kbenches_start[], kbenches_end[];

static uint64_t	t_start, t_total;
static bool	timed;		/* the body called kbench_start */

void
kbench_start(void)
{
	timed = true;
	t_start = cpu_ticks();
}

void
kbench_stop(void)
{
	t_total += cpu_ticks() - t_start;
}

void
kbench_report(const char *name, const char *what, uint64_t value)
{
	kprintf("bench: %s.%s %llu\n", name, what, (unsigned long long)value);
}

static void
sort_u64(uint64_t *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void
kbench_run(const struct kbench *b)
{
	uint64_t per_op[KBENCH_ROUNDS];
	int r;

	t_total = 0;
	timed = false;
	b->kb_fn(b->kb_ops);		/* warm up caches and allocators */
	if (!timed)
		return;			/* skipped, or only reports */
	for (r = 0; r < KBENCH_ROUNDS; r++) {
		t_total = 0;
		b->kb_fn(b->kb_ops);
		per_op[r] = t_total / b->kb_ops;
	}
	sort_u64(per_op, KBENCH_ROUNDS);
	kprintf("bench: %s %llu %llu %llu\n", b->kb_name,
	    (unsigned long long)per_op[KBENCH_ROUNDS / 2],
	    (unsigned long long)per_op[0],
	    (unsigned long long)per_op[KBENCH_ROUNDS - 1]);
}

/* Does filter item p[0..len) name b? */
static bool
item_names(const char *p, size_t len, const struct kbench *b)
{
	return (strlen(b->kb_name) == len && strncmp(p, b->kb_name, len) == 0);
}

/* Is b one of the comma-separated items of filter ("" = all)? */
static bool
selected(const char *filter, const struct kbench *b)
{
	const char *p, *end;

	if (*filter == '\0')
		return (true);
	for (p = filter; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if (item_names(p, end - p, b))
			return (true);
	}
	return (false);
}

static void
bad_item(const char *what, const char *item, size_t len, const char *filter)
{
	kprintf("bench: %s \"", what);
	cmdline_putvis(len > 0 ? item : filter, len > 0 ? len :
	    strlen(filter));
	kprintf("\"\n");
}

/*
 * Check every filter item before running anything: an empty item or a
 * name no benchmark has is a typo that would otherwise measure nothing
 * and pass.  Returns the number of bad items, each reported.
 */
static int
check_filter(const char *filter, const struct kbench **order, int n)
{
	const char *p, *end;
	int i, bad = 0;

	for (p = filter; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		/* "boot": only the figures kmain reports for every run. */
		if (end - p == 4 && strncmp(p, "boot", 4) == 0)
			continue;
		for (i = 0; i < n && !item_names(p, end - p, order[i]); i++)
			;
		if (p == end || i == n) {
			bad_item(p == end ? "empty item in" : "no benchmark "
			    "matches", p, end - p, filter);
			bad++;
		}
	}
	/* "bench=x," : the empty last item the loop cannot see. */
	if (*filter != '\0' && filter[strlen(filter) - 1] == ',') {
		bad_item("empty item in", "", 0, filter);
		bad++;
	}
	return (bad);
}

/*
 * The compiler may emit a file's records in any order: order them by
 * line.  One file's records are contiguous in the section, in link order.
 */
static bool
runs_before(const struct kbench *a, const struct kbench *b)
{
	if (strcmp(a->kb_file, b->kb_file) != 0)
		return (a < b);
	return (a->kb_line < b->kb_line);
}

void
kbench_main(const char *filter)
{
	static const struct kbench *order[KBENCH_MAX];
	const struct kbench *b;
	int i, n = 0;

	for (b = kbenches_start; b < kbenches_end; b++, n++) {
		if (n == KBENCH_MAX)
			panic("kbench: more than %d benchmarks", KBENCH_MAX);
		for (i = n; i > 0 && runs_before(b, order[i - 1]); i--)
			order[i] = order[i - 1];
		order[i] = b;
	}
	if (check_filter(filter, order, n) + cmdline_problems() != 0) {
		kprintf("bench: nothing run: fix the command line (see above)\n");
		machine_exit(KEXIT_FAIL);
	}
	kprintf("bench: begin (rdtsc ticks per operation: median min max)\n");
	for (i = 0; i < n; i++)
		if (selected(filter, order[i]))
			kbench_run(order[i]);
	kprintf("bench: end\n");
	machine_exit(KEXIT_PASS);
}
