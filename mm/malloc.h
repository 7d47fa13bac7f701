/*
 * Kernel memory: kmem_alloc() for wired, mapped, page-granular memory;
 * malloc() for small objects (power-of-two buckets from 16 bytes to half
 * a page, carved from kmem pages; larger requests get whole pages).
 *
 * Contract:
 *  - M_NOWAIT: return NULL rather than wait when memory is exhausted
 *    (without it, running out panics until the kernel can wait).
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
/* The usable size of an allocation (at least what was asked). */
size_t	 malloc_usable_size(const void *p);

#endif /* !_MM_MALLOC_H_ */
