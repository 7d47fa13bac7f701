/*
 * Kernel virtual address arena: a range allocator (in the spirit of
 * vmem(9)) over the kernel VA range pmap sets aside.  kmem, kernel
 * stacks and pmap_mapdev carve their ranges from it (and so will the
 * sf_buf, pbuf and UBC windows).
 *
 * Contract: sizes are rounded up to whole pages; kva_alloc() returns 0
 * when no range is large enough, or when pmap_growkernel finds no page
 * for the page tables of the range (it never sleeps, and may be called
 * with interrupts off); kva_free() must get exactly a range kva_alloc()
 * returned (KASSERT).  Freed ranges coalesce with free neighbours.  Only
 * address space: no pages are mapped, but the page tables that will map
 * the range exist when kva_alloc() returns.
 */
#ifndef _MM_KVA_H_
#define _MM_KVA_H_

#include <kernel/systm.h>

/*
 * Boundary tags come from a static pool (malloc needs KVA itself): the
 * arena holds at most KVA_NTAGS extents, free and allocated together, and
 * kva_alloc() panics when a split would need one more.
 */
#define	KVA_NTAGS	1024

void	kva_init(vaddr_t start, vaddr_t end);
vaddr_t	kva_alloc(size_t size);
void	kva_free(vaddr_t va, size_t size);

struct kva_stats {
	size_t	ks_total;	/* bytes in the arena */
	size_t	ks_free;	/* bytes free */
	int	ks_nfree;	/* number of free extents */
	int	ks_nalloc;	/* number of allocated extents */
};
void	kva_get_stats(struct kva_stats *st);

#endif /* !_MM_KVA_H_ */
