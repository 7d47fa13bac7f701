/*
 * TLB invalidation, shared by both x86 pmaps.
 *
 * Kernel mappings are shared by every CPU, so changing one must flush it
 * from every TLB that may hold it: this CPU with invlpg, the others with
 * one shootdown round (an IPI through smp_rendezvous, which waits until
 * every target has run the flush).  One round covers a whole range:
 * callers batch (pmap_qenter, kmem) rather than flushing page by page.
 * Above INVLPG_MAX pages a full flush (reloading CR3) is cheaper.
 *
 * => not with a spin lock held: the round waits for other CPUs, which may
 *    be spinning for that lock with interrupts off.  (smp_rendezvous
 *    itself copes with concurrent callers.)
 */
#include <kernel/systm.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <mm/pmap.h>
#include <mm/testhooks.h>
#include <machine/cpufunc.h>

#define	INVLPG_MAX	32
#define	CPUSET_ALL	((cpuset_t)-1)

struct tlb_range {
	vaddr_t	sva;
	vaddr_t	eva;		/* 0: everything */
};

static volatile uint64_t tlb_sent[MAXCPU];	/* shootdown IPIs sent */
static volatile uint64_t tlb_recv[MAXCPU];	/* and taken */

static void
tlb_flush_local(vaddr_t sva, vaddr_t eva)
{
	vaddr_t va;

	if (eva == 0 || (eva - sva) / PAGE_SIZE > INVLPG_MAX) {
		lcr3(rcr3());	/* no global pages: flushes everything */
		return;
	}
	for (va = sva; va < eva; va += PAGE_SIZE)
		invlpg(va);
}

/* Runs on each target CPU, interrupts off, from the rendezvous IPI. */
static void
tlb_flush_ipi(void *arg)
{
	const struct tlb_range *r = arg;

	tlb_flush_local(r->sva, r->eva);
	tlb_recv[curcpu()->pc_cpuid]++;
}

/* Flush [sva, eva) on the CPUs of targets, this one too if it is there. */
static void
tlb_shootdown(vaddr_t sva, vaddr_t eva, cpuset_t targets)
{
	struct tlb_range r = { sva, eva };
	cpuset_t others;
	uintptr_t flags;
	int me;

	/* Interrupts off before curcpu(): stay on this CPU until done. */
	flags = intr_disable();
	me = curcpu()->pc_cpuid;
	others = targets & cpu_online & ~CPU_MASK(me);

	if (CPU_ISSET(me, targets))
		tlb_flush_local(sva, eva);
	if (!CPU_EMPTY(others)) {
		tlb_sent[me] += CPU_COUNT(others);
		smp_rendezvous(others, tlb_flush_ipi, &r);
	}
	intr_restore(flags);
}

void
pmap_invalidate_page(vaddr_t va)
{
	tlb_shootdown(va, va + PAGE_SIZE, CPUSET_ALL);
}

void
pmap_invalidate_range(vaddr_t sva, vaddr_t eva)
{
	tlb_shootdown(sva, eva, CPUSET_ALL);
}

void
pmap_invalidate_all(void)
{
	tlb_shootdown(0, 0, CPUSET_ALL);
}

/*
 * A shootdown round to the CPUs of cpus (a cpuset_t) only: for sf_buf,
 * which tracks which CPUs may hold va, and benchmarks.  Any other CPU
 * may keep a stale translation of va.
 */
void
pmap_invalidate_page_mask(vaddr_t va, uint64_t cpus)
{
	tlb_shootdown(va, va + PAGE_SIZE, cpus);
}

/* Only this CPU's TLB: for mappings no other CPU may use (SFB_CPUPRIVATE). */
void
pmap_invalidate_page_local(vaddr_t va)
{
	invlpg(va);
}

void
pmap_tlb_counts(int cpu, uint64_t *sent, uint64_t *received)
{
	*sent = tlb_sent[cpu];
	*received = tlb_recv[cpu];
}
