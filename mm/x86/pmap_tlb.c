/*
 * TLB invalidation, shared by both x86 pmaps.  Local to this CPU for now:
 * the SMP work turns these into shootdowns to every CPU.  Above a small
 * number of pages one full flush (reloading CR3) is cheaper than a run
 * of invlpg.
 */
#include <kernel/systm.h>
#include <mm/pmap.h>
#include <x86/cpufunc.h>

#define	INVLPG_MAX	32

void
pmap_invalidate_page(vaddr_t va)
{
	invlpg(va);
}

void
pmap_invalidate_range(vaddr_t sva, vaddr_t eva)
{
	vaddr_t va;

	if ((eva - sva) / PAGE_SIZE > INVLPG_MAX) {
		pmap_invalidate_all();
		return;
	}
	for (va = sva; va < eva; va += PAGE_SIZE)
		invlpg(va);
}

/* Without global pages, reloading CR3 flushes every translation. */
void
pmap_invalidate_all(void)
{
	lcr3(rcr3());
}
