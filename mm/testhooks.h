/*
 * Hooks into the memory subsystem for the self-tests and benchmarks
 * (tests/) only.  They expose internal state or bypass a rule the public
 * interfaces keep (a shootdown to a subset of the CPUs), so no kernel
 * file outside the one that defines a hook includes this header.
 */
#ifndef _MM_TESTHOOKS_H_
#define _MM_TESTHOOKS_H_

#include <kernel/systm.h>
#include <mm/vm_page.h>

/* Number of free buddy blocks of each order (mm/vm_phys.c). */
void	vm_phys_free_counts(unsigned long counts[VM_NFREEORDER]);
/*
 * Return every CPU's cached pages to the buddy lists, so that the buddy
 * shape is comparable (mm/vm_page.c).  The pages stay free.
 */
void	vm_page_drain_cache(void);
/*
 * A shootdown round for va to the CPUs of cpus (a cpuset_t) alone: any
 * other CPU may keep a stale translation (mm/x86/pmap_tlb.c).  For the
 * benchmarks, to measure one round against a chosen number of targets.
 */
void	pmap_invalidate_page_mask(vaddr_t va, uint64_t cpus);

#endif /* !_MM_TESTHOOKS_H_ */
