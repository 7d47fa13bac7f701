/*
 * Kernel memory: kmem_alloc() for wired, mapped, page-granular memory;
 * malloc() for small objects (power-of-two buckets from 16 bytes to half
 * a page, carved from kmem pages; larger requests get whole pages).
 *
 * Contract:
 *  - M_NOWAIT: return NULL rather than wait when memory is exhausted;
 *    never sleeps, callable with interrupts off.  Without it (M_WAITOK),
 *    malloc may sleep until pages are freed (vm_page_alloc), so the caller
 *    must be able to sleep; running out of kernel address space still
 *    panics (kmem_alloc).
 *  - M_ZERO: zero-filled.
 *  - free(NULL) does nothing.  free() of a pointer malloc() did not
 *    return, a double free, or a write past the end of the object (into
 *    its redzone) panics through KASSERT.  Freed memory is poisoned.
 */
#ifndef _MM_MALLOC_H_
#define _MM_MALLOC_H_

#include <kernel/systm.h>

#define	M_WAITOK	0x0
#define	M_NOWAIT	0x1
#define	M_ZERO		0x2

void	*kmem_alloc(size_t size, int flags);
void	 kmem_free(void *va, size_t size);

void	 malloc_init(void);
void	*malloc(size_t size, int flags);
void	 free(void *p);
/*
 * The usable size of an allocation (at least what was asked).  With
 * KASSERT on it is exactly what was asked: the redzone starts there.
 */
size_t	 malloc_usable_size(const void *p);

/* Every pointer malloc() returns is aligned to MALLOC_ALIGN bytes. */
#define	MALLOC_ALIGN	16
/* Chunks of 16 << i bytes, i < MALLOC_NBUCKETS: 16 .. PAGE_SIZE / 2. */
#define	MALLOC_NBUCKETS	(PAGE_SHIFT - 4)

struct malloc_bucket_stats {
	size_t		mbs_size;	/* chunk size, debug header included */
	size_t		mbs_maxreq;	/* largest request served; 0: none */
	unsigned long	mbs_nchunks;	/* chunks per slab */
	unsigned long	mbs_inuse;	/* chunks allocated */
	unsigned long	mbs_slabs;	/* slabs (one page each), spare too */
	unsigned long	mbs_spare;	/* empty slabs kept back (0 or 1) */
};
struct malloc_stats {
	struct malloc_bucket_stats ms_bucket[MALLOC_NBUCKETS];
	unsigned long	ms_large;	/* live allocations of whole pages */
	unsigned long	ms_large_pages;	/* pages they hold */
};
void	 malloc_get_stats(struct malloc_stats *st);
/* Give the empty slab each bucket keeps back to kmem. */
void	 malloc_drain(void);
/* Print the statistics on the console (not from a test: KTAP). */
void	 malloc_dump(void);

#endif /* !_MM_MALLOC_H_ */
