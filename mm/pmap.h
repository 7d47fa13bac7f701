/*
 * The pmap interface: the boundary between machine-independent memory
 * management (mm/) and the page tables of each architecture (mm/i386,
 * mm/x86_64).  Only kernel mappings exist in Minnow.
 *
 * Contract (as FreeBSD's pmap(9)):
 *  - pmap_kenter() maps one page read-write (and no-execute where the CPU
 *    has NX) and does NOT flush the TLB: a caller replacing a live mapping
 *    calls pmap_invalidate_page().  pmap_kremove() likewise.
 *  - pmap_qenter()/pmap_qremove() map or unmap a run of pages and do
 *    invalidate the range.
 *  - pmap_invalidate_*() flush every CPU's TLB (one IPI round per call)
 *    and wait for it; not to be called holding a spin lock.
 *  - pmap_extract() returns PMAP_NO_PA for an unmapped address.
 *  - None of these sleep.
 * Machine constants (direct map, KVA layout) are in <machine/vmparam.h>.
 */
#ifndef _MM_PMAP_H_
#define _MM_PMAP_H_

#include <kernel/systm.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>

#define	PMAP_NO_PA	((paddr_t)-1)

struct pcpu;

/* Build the kernel page tables, switch to them.  After vm_page_bootstrap. */
void	pmap_bootstrap(void);
void	pmap_kenter(vaddr_t va, paddr_t pa);
void	pmap_kremove(vaddr_t va);
paddr_t	pmap_extract(vaddr_t va);
void	pmap_qenter(vaddr_t va, vm_page_t *pages, int count);
void	pmap_qremove(vaddr_t va, int count);
void	pmap_invalidate_page(vaddr_t va);
void	pmap_invalidate_range(vaddr_t sva, vaddr_t eva);
void	pmap_invalidate_all(void);
/* This CPU only, for mappings no other CPU may hold (no shootdown). */
void	pmap_invalidate_page_local(vaddr_t va);
/*
 * Flush va on the CPUs of cpus (a cpuset_t) alone: for callers that know
 * no other CPU holds it (sf_buf's CPU masks), and benchmarks.
 */
void	pmap_invalidate_page_mask(vaddr_t va, uint64_t cpus);
/*
 * pmap_kenter (no flush), returning whether the mapping it replaced was
 * used: valid with its Accessed bit set, so that some TLB may hold it.
 * The new entry starts with Accessed clear.  (As FreeBSD's i386
 * sf_buf_map, which skips the shootdown for an unused mapping.)
 */
bool	pmap_kenter_swap(vaddr_t va, paddr_t pa);
/* The page's direct-map address; 0 where there is no direct map. */
vaddr_t	pmap_page_dmap(vm_page_t m);
/* Shootdown IPIs a CPU sent (one per target) and received. */
void	pmap_tlb_counts(int cpu, uint64_t *sent, uint64_t *received);
void	pmap_zero_page(vm_page_t m);
void	pmap_copy_page(vm_page_t src, vm_page_t dst);
/*
 * Quick maps (FreeBSD pmap_quick_enter_page(9)): one page mapped for a
 * moment, at an address only this CPU uses.
 *  - pmap_quick_enter_page() enters a critical section (no preemption, no
 *    migration) and returns the page's address: this CPU's slot on i386
 *    and on x86_64 booted with "quickmap=slot", the direct map otherwise.
 *    Never sleeps, never fails, sends no IPI (only this CPU ever uses
 *    its slot).  pmap_quick_remove_page(kva) ends it.
 *  - The page must stay wired (or otherwise kept) while it is mapped.
 *  - Asserted (KASSERT), on both paths: no nesting (one per CPU, the
 *    panic says "nested"); not from interrupt context; not with a spin
 *    lock held; remove only this CPU's current quick map; and msleep()
 *    panics while one is held.
 */
/*
 * vaddr_t pmap_quick_enter_page(vm_page_t m);
 * void    pmap_quick_remove_page(vaddr_t kva);
 * are inline, in <machine/pmap_quick.h> (included at the end).
 */
/* Boot: read the "quickmap=slot" option (after cmdline_init). */
void	pmap_quick_init(void);
/*
 * Tests and benchmarks: quick-map through the slots (true) or the direct
 * map (false, x86_64 only); returns the previous setting.  Only while no
 * CPU holds a quick map.
 */
bool	pmap_quick_use_slot(bool slot);
/* Benchmarks: the floor of a slot quick map, one PTE store + one invlpg. */
void	pmap_quick_floor(vm_page_t m);
/*
 * Give a CPU its private slots (quick map; on i386 also zero and copy):
 * the boot CPU's in pmap_bootstrap, each other's before it starts.
 */
void	pmap_pcpu_init(struct pcpu *pc);
/*
 * Map device memory (MMIO, firmware tables) uncached at a fresh KVA range;
 * returns the kernel address of pa (any alignment), or NULL when KVA is
 * exhausted.  pmap_unmapdev() undoes it.  (FreeBSD pmap_mapdev(9).)
 */
void	*pmap_mapdev(paddr_t pa, size_t size);
void	 pmap_unmapdev(void *va, size_t size);
/*
 * Make sure page tables exist for the KVA arena up to end, so that
 * pmap_kenter never needs memory.  False when a page-table page could not
 * be had (the arena then fails the allocation, as M_NOWAIT promises).
 * Called by the arena with its lock held.
 */
bool	pmap_growkernel(vaddr_t end);
/* The range of kernel virtual addresses handed to the KVA arena. */
void	pmap_kva_bounds(vaddr_t *start, vaddr_t *end);
/* Print the kernel's virtual memory layout at boot. */
void	pmap_print_layout(void);

/*
 * The direct-map address of page m, or NULL where there is no direct map
 * (i386): UBC's direct path copies through it (mm/ubc.c).
 */
static inline void *
pmap_page_direct(vm_page_t m)
{
#if PMAP_HAS_DMAP
	return ((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)));
#else
	(void)m;
	return (NULL);
#endif
}

/* The quick maps' inline fast path. */
#include <machine/pmap_quick.h>

#endif /* !_MM_PMAP_H_ */
