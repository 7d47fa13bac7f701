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

#define	PG_RESERVED	0x0100		/* never handed to the allocator */

/*
 * Is m a pointer to a struct vm_page of the array, and is it RAM?  A
 * pointer into the middle of an entry lies inside the array too: it must
 * also sit a whole number of entries from the segment's first page.
 */
static inline bool
vm_page_managed(vm_page_t m)
{
	const struct vm_phys_seg *seg;

	if (vm_phys_nsegs == 0 || m->segind >= vm_phys_nsegs)
		return (false);
	seg = &vm_phys_segs[m->segind];
	return (m >= seg->first_page &&
	    m < seg->first_page + ((seg->end - seg->start) >> PAGE_SHIFT) &&
	    ((uintptr_t)m - (uintptr_t)seg->first_page) % sizeof(*m) == 0 &&
	    (m->flags & PG_RESERVED) == 0);
}

#endif /* !_MM_VM_PHYS_H_ */
