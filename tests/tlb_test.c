/*
 * Suite "tlb": TLB shootdowns (mm/x86/pmap_tlb.c).  Kernel mappings are
 * shared by every CPU, so a remapped kernel address must read the new
 * page on every CPU at once, although each may have cached the old
 * translation; and a whole range costs one shootdown round, one IPI per
 * other CPU, however many pages it has.
 *
 * The remapping tests run one thread bound to each CPU.  Each round they
 * all read through a window (loading every TLB with its translation),
 * meet at a barrier, one CPU (a different one each round) remaps the
 * window to other pages, and after another barrier all read again: a
 * CPU that still sees the old page missed its shootdown.  QEMU keeps
 * stale translations like real hardware, so a missing flush shows.  The
 * threads wait for each other either spinning (the IPI interrupts a busy
 * thread) or sleeping (it wakes a halted, idle CPU).
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>

#define	NPAGES_FEW	4
#define	NPAGES_MANY	40	/* more than pmap_tlb.c's INVLPG_MAX (32) */
#define	WAIT_TICKS	(5 * hz)	/* a barrier gives up after 5 s */
#define	PATTERN(set, i)	(0x7a000000u | ((uint32_t)(set) << 16) | (i))

enum remap_how {
	REMAP_KENTER,		/* pmap_kenter + pmap_invalidate_page */
	REMAP_QENTER,		/* pmap_qenter: pmap_invalidate_range */
};

struct tlb_run {
	enum remap_how	 how;
	bool		 sleepy;	/* barriers: sleep, not spin */
	int		 npages;
	int		 rounds;
	vaddr_t		 va;		/* the window every CPU reads */
	vm_page_t	 pages[2][NPAGES_MANY];	/* two sets, mapped in turn */
	/* Barrier. */
	volatile int	 arrived;
	volatile int	 gen;
	volatile bool	 timed_out;
	/* Per CPU: reads of the expected page, the old one, neither. */
	volatile int	 good[MAXCPU];
	volatile int	 stale[MAXCPU];
	volatile int	 wrong[MAXCPU];
};

static struct tlb_run run;

/* Wait until every thread arrives; false after WAIT_TICKS. */
static bool
barrier(struct tlb_run *t)
{
	int gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	uint64_t end = sched_ticks() + WAIT_TICKS;

	if (__atomic_add_fetch(&t->arrived, 1, __ATOMIC_ACQ_REL) ==
	    mp_ncpus) {
		t->arrived = 0;
		__atomic_store_n(&t->gen, gen + 1, __ATOMIC_RELEASE);
		if (t->sleepy)
			wakeup(t);
		return (true);
	}
	while (__atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) == gen) {
		if (t->timed_out || sched_ticks() > end) {
			t->timed_out = true;
			return (false);
		}
		/* A wakeup between the test and the sleep: the tick ends it. */
		if (t->sleepy)
			msleep(t, NULL, 0, "tlbbar", 1);
		else
			ia32_pause();
	}
	return (true);
}

/* Read the first word of each page of the window; count what set it was. */
static void
read_window(struct tlb_run *t, int expect, int old, int cpu)
{
	uint32_t v;
	int i;

	for (i = 0; i < t->npages; i++) {
		v = *(volatile uint32_t *)(t->va + i * PAGE_SIZE);
		if (v == PATTERN(expect, i))
			t->good[cpu]++;
		else if (old >= 0 && v == PATTERN(old, i))
			t->stale[cpu]++;
		else
			t->wrong[cpu]++;
	}
}

static void
remap_window(struct tlb_run *t, int set)
{
	if (t->how == REMAP_QENTER) {
		pmap_qenter(t->va, t->pages[set], t->npages);
		return;
	}
	pmap_kenter(t->va, VM_PAGE_TO_PHYS(t->pages[set][0]));
	pmap_invalidate_page(t->va);
}

/*
 * Sleepy runs: before remapping, wait until the others are at the
 * barrier, then a little more, so that they sleep and their CPUs halt.
 */
static void
wait_others_asleep(struct tlb_run *t)
{
	uint64_t end = sched_ticks() + WAIT_TICKS;

	while (__atomic_load_n(&t->arrived, __ATOMIC_ACQUIRE) < mp_ncpus - 1 &&
	    sched_ticks() <= end)
		ia32_pause();
	DELAY(500);
}

/* Round r: the window shows set r % 2 and CPU r % ncpus flips it. */
static void
tlb_reader(void *arg)
{
	struct tlb_run *t = arg;
	int cpu = curcpu()->pc_cpuid, r, cur;

	for (r = 0; r < t->rounds; r++) {
		cur = r % 2;
		if (!barrier(t))
			return;
		read_window(t, cur, -1, cpu);	/* caches the translation */
		if (!barrier(t))
			return;
		if (cpu == r % mp_ncpus) {
			if (t->sleepy)
				wait_others_asleep(t);
			remap_window(t, 1 - cur);
		}
		if (!barrier(t))
			return;
		read_window(t, 1 - cur, cur, cpu);
	}
}

/* Fill a page with a pattern through a scratch mapping (i386: no DMAP). */
static void
fill_page(vaddr_t scratch, vm_page_t m, uint32_t v)
{
	uint32_t *p = (uint32_t *)scratch;
	size_t i;

	pmap_kenter(scratch, VM_PAGE_TO_PHYS(m));
	pmap_invalidate_page(scratch);
	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = v;
	pmap_kremove(scratch);
	pmap_invalidate_page(scratch);
}

static void
run_setup(struct tlb_run *t, enum remap_how how, int npages, bool sleepy)
{
	vaddr_t scratch;
	int set, i;

	memset(t, 0, sizeof(*t));
	t->how = how;
	t->npages = npages;
	t->sleepy = sleepy;
	t->rounds = 2 * mp_ncpus + 2;	/* every CPU remaps twice or more */
	KT_ASSERT_NE(t->va = kva_alloc(npages * PAGE_SIZE), 0);
	KT_ASSERT_NE(scratch = kva_alloc(PAGE_SIZE), 0);
	for (set = 0; set < 2; set++)
		for (i = 0; i < npages; i++) {
			t->pages[set][i] = vm_page_alloc(VM_ALLOC_WIRED);
			KT_ASSERT_NOTNULL(t->pages[set][i]);
			fill_page(scratch, t->pages[set][i], PATTERN(set, i));
		}
	kva_free(scratch, PAGE_SIZE);
	pmap_qenter(t->va, t->pages[0], npages);
}

static void
run_teardown(struct tlb_run *t)
{
	int set, i;

	pmap_qremove(t->va, t->npages);
	kva_free(t->va, t->npages * PAGE_SIZE);
	for (set = 0; set < 2; set++)
		for (i = 0; i < t->npages; i++) {
			vm_page_unwire(t->pages[set][i]);
			vm_page_free(t->pages[set][i]);
		}
}

/* Run the rounds on every CPU; every read must have seen the right page. */
static void
remap_everywhere(enum remap_how how, int npages, bool sleepy)
{
	struct thread *td[MAXCPU];
	struct tlb_run *t = &run;
	int cpu;

	run_setup(t, how, npages, sleepy);
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_ASSERT_NOTNULL(td[cpu] = thread_create_on("tlb", tlb_reader,
		    t, cpu));
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		thread_join(td[cpu]);
	KT_EXPECT_FALSE(t->timed_out);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		if (t->stale[cpu] != 0 || t->wrong[cpu] != 0)
			ktest_diag("CPU %d: %d stale reads, %d wrong", cpu,
			    t->stale[cpu], t->wrong[cpu]);
		KT_EXPECT_EQ(t->good[cpu], 2 * t->rounds * npages);
		KT_EXPECT_EQ(t->stale[cpu], 0);
		KT_EXPECT_EQ(t->wrong[cpu], 0);
	}
	run_teardown(t);
}

KTEST(tlb, kenter_remap_seen_by_busy_cpus)
{
	remap_everywhere(REMAP_KENTER, 1, false);
}

/* The others sleep: the shootdown IPI wakes their halted CPUs. */
KTEST(tlb, kenter_remap_seen_by_idle_cpus)
{
	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	remap_everywhere(REMAP_KENTER, 1, true);
}

KTEST(tlb, qenter_range_remap_seen_by_every_cpu)
{
	remap_everywhere(REMAP_QENTER, NPAGES_FEW, false);
}

/* Past INVLPG_MAX pages the shootdown reloads CR3 instead. */
KTEST(tlb, qenter_full_flush_remap_seen_by_every_cpu)
{
	remap_everywhere(REMAP_QENTER, NPAGES_MANY, true);
}

/* Shootdown counts of every CPU, and the IPIs this one sent. */
struct tlb_counts {
	uint64_t	sent[MAXCPU];
	uint64_t	recv[MAXCPU];
	uint64_t	ipis;
};

static void
counts_take(struct tlb_counts *c)
{
	int cpu;

	for (cpu = 0; cpu < mp_ncpus; cpu++)
		pmap_tlb_counts(cpu, &c->sent[cpu], &c->recv[cpu]);
	c->ipis = curcpu()->pc_ipi_sent;
}

/*
 * Since *before: this CPU sent one shootdown IPI to each other CPU and
 * took none; each other CPU took exactly one and sent none.
 */
static void
expect_one_round(const struct tlb_counts *before)
{
	struct tlb_counts after;
	int cpu, me = curcpu()->pc_cpuid;

	counts_take(&after);
	KT_EXPECT_EQ(after.sent[me] - before->sent[me], mp_ncpus - 1);
	KT_EXPECT_EQ(after.ipis - before->ipis, mp_ncpus - 1);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(after.recv[cpu] - before->recv[cpu],
		    cpu == me ? 0 : 1);
		if (cpu != me)
			KT_EXPECT_EQ(after.sent[cpu], before->sent[cpu]);
	}
}

/* Batching: a range of N pages is one round, not N. */
KTEST(tlb, one_shootdown_round_per_call)
{
	struct tlb_counts c;
	vm_page_t pages[NPAGES_MANY];
	vaddr_t va;
	int i;

	KT_ASSERT_NE(va = kva_alloc(NPAGES_MANY * PAGE_SIZE), 0);
	for (i = 0; i < NPAGES_MANY; i++)
		KT_ASSERT_NOTNULL(pages[i] = vm_page_alloc(VM_ALLOC_NOWAIT));
	sched_pin();
	counts_take(&c);
	pmap_invalidate_page(va);
	expect_one_round(&c);
	counts_take(&c);
	pmap_invalidate_range(va, va + NPAGES_FEW * PAGE_SIZE);
	expect_one_round(&c);
	counts_take(&c);
	pmap_invalidate_range(va, va + NPAGES_MANY * PAGE_SIZE);
	expect_one_round(&c);
	counts_take(&c);
	pmap_qenter(va, pages, NPAGES_MANY);
	expect_one_round(&c);
	counts_take(&c);
	pmap_invalidate_all();
	expect_one_round(&c);
	sched_unpin();
	pmap_qremove(va, NPAGES_MANY);
	kva_free(va, NPAGES_MANY * PAGE_SIZE);
	for (i = 0; i < NPAGES_MANY; i++)
		vm_page_free(pages[i]);
}
