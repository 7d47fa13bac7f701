/*
 * Symbol lookup and frame-pointer backtraces for crash reports.
 * The kernel is built with -fno-omit-frame-pointer, so each frame starts
 * with the saved frame pointer, followed by the return address; the entry
 * code zeroes the first frame pointer, which ends the walk.
 */
#include <kernel/systm.h>
#include <kernel/ksyms.h>
#include <kernel/machdep.h>

struct ksym {
	uintptr_t	ks_addr;
	uint32_t	ks_name;	/* offset into ksyms_names */
};

extern const uint32_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern char kernel_start[], kernel_etext[];

#define	BACKTRACE_MAX	24

const char *
ksyms_lookup(uintptr_t pc, uintptr_t *offp)
{
	uint32_t lo = 0, hi = ksyms_count;

	if (pc < (uintptr_t)kernel_start || pc >= (uintptr_t)kernel_etext ||
	    hi == 0 || pc < ksyms_table[0].ks_addr)
		return (NULL);
	/* Find the last entry with ks_addr <= pc. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].ks_addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*offp = pc - ksyms_table[lo].ks_addr;
	return (&ksyms_names[ksyms_table[lo].ks_name]);
}

static void
backtrace_frame(int i, uintptr_t pc)
{
	uintptr_t off;
	const char *name = ksyms_lookup(pc, &off);

	if (name != NULL)
		kprintf("  #%-2d %p %s+%#lx\n", i, (void *)pc, name,
		    (unsigned long)off);
	else
		kprintf("  #%-2d %p ?\n", i, (void *)pc);
}

/*
 * Collect up to max return addresses (each minus 1, so it names the call
 * rather than what follows it) by walking frame pointers from fp.
 * => a bogus frame pointer (outside kernel space, misaligned, or not
 *    increasing) ends the walk rather than faulting inside a crash report.
 */
int
backtrace_collect(uintptr_t fp, uintptr_t *pcs, int max)
{
	int n = 0;

	while (n < max && fp != 0) {
		const uintptr_t *frame = (const uintptr_t *)fp;

		if (fp < machine_kva_min() || (fp & (sizeof(fp) - 1)) != 0 ||
		    frame[1] == 0)
			break;
		pcs[n++] = frame[1] - 1;
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	return (n);
}

void
backtrace_print(uintptr_t pc, uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX];
	int i, n;

	kprintf("backtrace:\n");
	backtrace_frame(0, pc);
	n = backtrace_collect(fp, pcs, BACKTRACE_MAX);
	for (i = 0; i < n; i++)
		backtrace_frame(i + 1, pcs[i]);
}
