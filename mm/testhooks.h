/*
 * Hooks into the memory subsystem for the self-tests and benchmarks
 * (tests/) only.  They expose internal state the public interfaces hide,
 * so no kernel file outside the one that defines a hook includes this
 * header.
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

#endif /* !_MM_TESTHOOKS_H_ */
