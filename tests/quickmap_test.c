/*
 * Suite "quickmap": pmap_quick_enter_page/pmap_quick_remove_page
 * (mm/pmap.h).  Every CPU has its own slot; a quick map shows the page
 * (pmap_extract, and on x86_64 the direct map, both ways); all CPUs hold
 * one at once without disturbing each other or sending an IPI; and each
 * misuse the contract forbids panics: nesting, removing another address,
 * entering with a spin lock held or from an interrupt handler, sleeping
 * while holding one.  On x86_64 each test runs on both paths (direct map
 * and slot), whatever the boot option chose.
 */
#include <kernel/systm.h>
#include <kernel/intr.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>

#define	ROUNDS		200
#define	WAIT_TICKS	(5 * hz)
#define	PAT(cpu, r, i)	(0x51000000u ^ ((uint32_t)(cpu) << 20) ^ \
			    ((uint32_t)(r) << 10) ^ (uint32_t)(i))

static vm_page_t
wired_page(void)
{
	return (vm_page_alloc(VM_ALLOC_WIRED));
}

static void
page_release(vm_page_t m)
{
	vm_page_unwire(m);
	vm_page_free(m);
}

/* The paths this kernel has: the slot, and on x86_64 the direct map. */
static int
npaths(void)
{
	return (PMAP_HAS_DMAP ? 2 : 1);
}

static void
restore_slot(void *slot)
{
	(void)pmap_quick_use_slot(slot != NULL);
}

/*
 * pmap_quick_use_slot(slot) for the rest of the test: the path found is
 * put back when the test ends, however it ends (ktest_defer).
 */
static bool
use_slot(bool slot)
{
	bool old = pmap_quick_use_slot(slot);

	if (ktest_defer(restore_slot, old ? (void *)1 : NULL) != 0)
		KT_FAIL("use_slot outside a test");
	return (old);
}

/* Path p: 0 the slot, 1 the direct map. */
static bool
use_path(int p)
{
	return (use_slot(p == 0));
}

KTEST(quickmap, every_cpu_has_its_own_slot)
{
	int a, b;

	for (a = 0; a < mp_ncpus; a++) {
		struct pcpu *pa = pcpu_find(a);

		KT_EXPECT_NE(pa->pc_qmap_addr, 0);
		KT_EXPECT_EQ(pa->pc_qmap_addr & PAGE_MASK, 0);
		KT_EXPECT_EQ(pa->pc_qmap_held, 0);
		for (b = 0; b < a; b++)
			KT_EXPECT_NE(pa->pc_qmap_addr,
			    pcpu_find(b)->pc_qmap_addr);
	}
}

/* One path: the address, the critical section, the content. */
static void
check_one_path(vm_page_t m, bool slot)
{
	int crit = curthread->td_critnest;
	uint32_t *p;
	vaddr_t va;
	int i;

	va = pmap_quick_enter_page(m);
	KT_EXPECT_EQ(curthread->td_critnest, crit + 1);	/* no preemption */
	KT_EXPECT_EQ(curcpu()->pc_qmap_held, va);
	KT_EXPECT_EQ(pmap_extract(va), VM_PAGE_TO_PHYS(m));
	if (slot)
		KT_EXPECT_EQ(va, curcpu()->pc_qmap_addr);
	p = (uint32_t *)va;
	for (i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = PAT(slot, 1, i);
	pmap_quick_remove_page(va);
	KT_EXPECT_EQ(curthread->td_critnest, crit);
	KT_EXPECT_EQ(curcpu()->pc_qmap_held, 0);
	if (slot)	/* the slot's PTE is gone */
		KT_EXPECT_EQ(pmap_extract(curcpu()->pc_qmap_addr), PMAP_NO_PA);
	va = pmap_quick_enter_page(m);
	p = (uint32_t *)va;
	for (i = 0; i < PAGE_SIZE / 4; i++)
		if (p[i] != PAT(slot, 1, i))
			break;
	pmap_quick_remove_page(va);
	KT_EXPECT_EQ(i, PAGE_SIZE / 4);
}

KTEST(quickmap, enter_maps_the_page_on_each_path)
{
	vm_page_t m = wired_page();
	bool old;
	int p;

	sched_pin();
	for (p = 0; p < npaths(); p++) {
		old = use_path(p);
		check_one_path(m, p == 0);
		pmap_quick_use_slot(old);
	}
	sched_unpin();
	page_release(m);
}

#if PMAP_HAS_DMAP
/* Written through one path, read through the other, both ways. */
KTEST(quickmap, slot_and_direct_map_agree)
{
	vm_page_t m = wired_page();
	volatile uint32_t *d = (uint32_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
	bool old = use_slot(true);
	uint32_t *p;
	vaddr_t va;

	va = pmap_quick_enter_page(m);
	p = (uint32_t *)va;
	p[0] = 0xfeedf00d;
	p[1023] = 0x0ddba11;
	pmap_quick_remove_page(va);
	KT_EXPECT_EQ(d[0], 0xfeedf00d);
	KT_EXPECT_EQ(d[1023], 0x0ddba11);
	d[0] = 0x12345678;
	va = pmap_quick_enter_page(m);
	KT_EXPECT_EQ(*(volatile uint32_t *)va, 0x12345678);
	pmap_quick_remove_page(va);
	pmap_quick_use_slot(false);
	va = pmap_quick_enter_page(m);
	KT_EXPECT_EQ(va, PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)));
	pmap_quick_remove_page(va);
	pmap_quick_use_slot(old);
	page_release(m);
}
#endif

/*
 * Every CPU at once: one thread bound to each, each with its own page.
 * In each round all of them hold a quick map at the same moment (they
 * meet while holding it), write a pattern naming CPU and round, and read
 * it back; no CPU sends a shootdown meanwhile.
 */
static struct qm_run {
	vm_page_t	 pages[MAXCPU];
	volatile int	 holding;	/* threads holding a quick map now */
	volatile int	 maxholding;
	volatile int	 bad[MAXCPU];
	volatile int	 wrong_va[MAXCPU];
	volatile uint64_t ipis[MAXCPU];
	volatile bool	 timed_out;
	bool		 slot;
} qm;

static void
atomic_max(volatile int *p, int v)
{
	int cur = __atomic_load_n(p, __ATOMIC_ACQUIRE);

	while (cur < v && !__atomic_compare_exchange_n(p, &cur, v, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

static void
all_at_once_thread(void *arg __unused)
{
	int cpu = curcpu()->pc_cpuid, r, i, n;
	uint64_t sent0, sent1, recv;
	uint64_t end = sched_ticks() + WAIT_TICKS;
	uint32_t *p;
	vaddr_t va;

	pmap_tlb_counts(cpu, &sent0, &recv);
	for (r = 0; r < ROUNDS && !qm.timed_out; r++) {
		va = pmap_quick_enter_page(qm.pages[cpu]);
		if (qm.slot && va != curcpu()->pc_qmap_addr)
			qm.wrong_va[cpu]++;
		n = __atomic_add_fetch(&qm.holding, 1, __ATOMIC_ACQ_REL);
		atomic_max(&qm.maxholding, n);
		/* Wait (still holding) until all hold one, in round 0. */
		while (r == 0 && qm.maxholding < mp_ncpus && !qm.timed_out)
			if (sched_ticks() > end)
				qm.timed_out = true;
		p = (uint32_t *)va;
		for (i = 0; i < PAGE_SIZE / 4; i += 61)
			p[i] = PAT(cpu, r, i);
		for (i = 0; i < PAGE_SIZE / 4; i += 61)
			if (((volatile uint32_t *)p)[i] != PAT(cpu, r, i))
				qm.bad[cpu]++;
		__atomic_sub_fetch(&qm.holding, 1, __ATOMIC_ACQ_REL);
		pmap_quick_remove_page(va);
	}
	pmap_tlb_counts(cpu, &sent1, &recv);
	qm.ipis[cpu] = sent1 - sent0;
}

static void
all_at_once(bool slot)
{
	struct thread *td[MAXCPU];
	bool old = use_slot(slot);
	uint32_t *p;
	vaddr_t va;
	int cpu, i, bad;

	memset(&qm, 0, sizeof(qm));
	qm.slot = slot;
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_ASSERT_NOTNULL(qm.pages[cpu] = wired_page());
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_ASSERT_NOTNULL(td[cpu] = thread_create_on("qmap",
		    all_at_once_thread, NULL, cpu));
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		thread_join(td[cpu]);
	pmap_quick_use_slot(old);
	KT_EXPECT_FALSE(qm.timed_out);
	KT_EXPECT_EQ(qm.maxholding, mp_ncpus);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(qm.bad[cpu], 0);
		KT_EXPECT_EQ(qm.wrong_va[cpu], 0);
		KT_EXPECT_EQ(qm.ipis[cpu], 0);
		/* Its page holds its last round, nobody else's. */
		va = pmap_quick_enter_page(qm.pages[cpu]);
		p = (uint32_t *)va;
		for (bad = 0, i = 0; i < PAGE_SIZE / 4; i += 61)
			bad += p[i] != PAT(cpu, ROUNDS - 1, i);
		pmap_quick_remove_page(va);
		KT_EXPECT_EQ(bad, 0);
		page_release(qm.pages[cpu]);
	}
}

KTEST(quickmap, every_cpu_at_once_no_ipi)
{
	int p;

	for (p = 0; p < npaths(); p++)
		all_at_once(p == 0);
}

/* ---------------------------------------------------------- misuse */

static void
do_enter(void *arg)
{
	(void)pmap_quick_enter_page(arg);
}

static void
do_remove(void *arg)
{
	pmap_quick_remove_page((vaddr_t)arg);
}

static void
do_msleep(void *arg)
{
	(void)msleep(arg, NULL, 0, "qmsleep", 1);
}

/* Nesting and removing the wrong address panic and change nothing. */
static void
misuse_one_path(vm_page_t a, vm_page_t b)
{
	int crit = curthread->td_critnest;
	vaddr_t va;

	va = pmap_quick_enter_page(a);
	KT_EXPECT_PANIC(do_enter, b, "nested");
	KT_EXPECT_EQ(curcpu()->pc_qmap_held, va);
	KT_EXPECT_EQ(curthread->td_critnest, crit + 1);
	KT_EXPECT_PANIC(do_remove, (void *)(va + PAGE_SIZE),
	    "is not this CPU's quick map");
	KT_EXPECT_PANIC(do_msleep, &crit, "while holding the quick map");
	KT_EXPECT_EQ(curcpu()->pc_qmap_held, va);
	KT_EXPECT_EQ(pmap_extract(va), VM_PAGE_TO_PHYS(a));
	pmap_quick_remove_page(va);
	KT_EXPECT_EQ(curthread->td_critnest, crit);
	/* Removing with nothing held. */
	KT_EXPECT_PANIC(do_remove, (void *)va, "is not this CPU's quick map");
	KT_EXPECT_EQ(curthread->td_critnest, crit);
}

KTEST(quickmap, nesting_wrong_address_and_sleeping_panic)
{
	vm_page_t a = wired_page(), b = wired_page();
	bool old;
	int p;

	for (p = 0; p < npaths(); p++) {
		old = use_path(p);
		misuse_one_path(a, b);
		pmap_quick_use_slot(old);
	}
	page_release(a);
	page_release(b);
}

KTEST(quickmap, spin_lock_held_panics)
{
	static struct spinlock sl = SPINLOCK_INITIALIZER("qmap test");
	vm_page_t m = wired_page();
	int crit = curthread->td_critnest;

	spinlock_acquire(&sl);
	KT_EXPECT_PANIC(do_enter, m, "spin lock held");
	KT_EXPECT_EQ(curcpu()->pc_qmap_held, 0);
	spinlock_release(&sl);
	KT_EXPECT_EQ(curthread->td_critnest, crit);
	page_release(m);
}

/*
 * A real interrupt: an IPI to this CPU whose handler tries a quick map
 * under its own catch; the panic is caught inside the handler, which
 * then returns normally.
 */
static struct {
	vm_page_t	 m;
	volatile int	 done;
	int		 nesting;
	int		 caught;
	char		 msg[256];
} irq;

static void
quick_from_interrupt(void *arg __unused)
{
	struct kcatch kc;

	irq.nesting = curcpu()->pc_intr_nesting;
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		(void)pmap_quick_enter_page(irq.m);
	kcatch_disarm(&kc);
	irq.caught = kc.kc_count;
	strlcpy(irq.msg, kc.kc_msg, sizeof(irq.msg));
	__atomic_store_n(&irq.done, 1, __ATOMIC_RELEASE);
}

KTEST(quickmap, interrupt_context_panics)
{
	uint64_t end = sched_ticks() + WAIT_TICKS;

	memset(&irq, 0, sizeof(irq));
	KT_ASSERT_NOTNULL(irq.m = wired_page());
	intr_register(IPI_TEST, quick_from_interrupt, NULL, "qmap test");
	sched_pin();
	ipi_send(CPU_MASK(curcpu()->pc_cpuid), IPI_TEST);
	while (!__atomic_load_n(&irq.done, __ATOMIC_ACQUIRE) &&
	    sched_ticks() <= end)
		cpu_spinwait();
	sched_unpin();
	intr_unregister(IPI_TEST);
	KT_EXPECT_TRUE(irq.done);
	KT_EXPECT_EQ(irq.nesting, 1);
	KT_EXPECT_EQ(irq.caught, 1);
	if (strstr(irq.msg, "interrupt context") == NULL)
		KT_FAIL("no \"interrupt context\" panic from the handler");
	KT_EXPECT_EQ(curcpu()->pc_intr_nesting, 0);
	page_release(irq.m);
}
