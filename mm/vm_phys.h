/*
 * Internal interface of the physical page allocator (mm/vm_phys.c):
 * segments of contiguous RAM, each with its slice of the vm_page array,
 * and the buddy free lists over them.  Only mm/vm_page.c and
 * mm/vm_page_alloc.c use this.
 *
 * => the caller holds vm_phys_lock (mm/vm_page_alloc.c) around every
 *    vm_phys_* call but vm_phys_add_seg and those vm_page_startup makes
 *    while only the boot CPU runs.
 */
#ifndef _MM_VM_PHYS_H_
#define _MM_VM_PHYS_H_

#include <mm/vm_page.h>

#define	VM_PHYSSEG_MAX	32

struct vm_phys_seg {
	paddr_t		start;		/* page aligned */
	paddr_t		end;
	vm_page_t	first_page;
};

extern struct vm_phys_seg vm_phys_segs[VM_PHYSSEG_MAX];
extern int vm_phys_nsegs;

/* Record [start, end) as RAM; false if the table is full. */
bool		vm_phys_add_seg(paddr_t start, paddr_t end);
vm_page_t	vm_phys_alloc_pages(int order);
void		vm_phys_free_pages(vm_page_t m, int order);
/* Free a run of pages as the largest aligned blocks that fit. */
void		vm_phys_free_run(vm_page_t m, unsigned long npages);
vm_page_t	vm_phys_alloc_contig(unsigned long npages, unsigned long align);

/*
 * Is m a struct vm_page of the array, and a page the allocator may hand
 * out (not reserved)?  (mm/vm_page.c)
 */
bool		vm_page_managed(vm_page_t m);

#endif /* !_MM_VM_PHYS_H_ */
