/*
 * Physical pages: one struct vm_page for every page of usable RAM, and
 * the allocator that hands them out (a buddy allocator in the manner of
 * FreeBSD's vm_phys, in mm/vm_phys.c, behind the vm_page_* interface).
 *
 * Contract:
 *  - vm_page_alloc() returns one page.  With VM_ALLOC_NOWAIT it never
 *    sleeps, may be called with interrupts off or spin locks held, and
 *    returns NULL only when no page is free anywhere (it drains the other
 *    CPUs' page caches first).  Without NOWAIT it sleeps until a page is
 *    freed (FreeBSD's vm_wait()); a caller that cannot sleep (before the
 *    scheduler starts, holding a spin lock, in a critical section, with
 *    interrupts off) panics when memory runs out.  VM_ALLOC_ZERO:
 *    zero-filled.  VM_ALLOC_WIRED: returned with wire_count 1.
 *  - vm_page_alloc_contig() returns npages physically contiguous pages,
 *    aligned to alignment bytes (a power of two, at least PAGE_SIZE), or
 *    NULL; runs longer than the largest buddy block are not supported.
 *    It never sleeps and never drains the per-CPU caches.
 *  - vm_page_free() panics (KASSERT) on a page that is already free, still
 *    wired, or not a managed RAM page.  It never sleeps, and wakes the
 *    threads waiting for memory; it may be called in any context but
 *    with sched_lock held.
 */
#ifndef _MM_VM_PAGE_H_
#define _MM_VM_PAGE_H_

#include <kernel/systm.h>
#include <lib/queue.h>

struct uvm_object;

/*
 * A page is in one of three states, and who may touch its fields follows
 * the state (as in FreeBSD's vm/vm_page.h, the key of each field says
 * which lock protects it):
 *	(c) constant after vm_page_bootstrap()
 *	(f) vm_phys_lock, while the page heads a free buddy block (PG_FREE)
 *	(p) the per-CPU cache lock of the CPU whose cache holds the page
 *	    (PG_CACHED; struct pcpu's pc_vmcache_lock)
 *	(o) the page's owner, without a lock, while it is allocated
 *	    (PG_INUSE): one thread owns a page at a time, and hands it to
 *	    the allocator with vm_page_free
 * A free page inside a buddy block (not its head) has no flag and is
 * touched by no one.  flags is written in every state by whoever holds
 * the page then; the buddy merge reads a neighbour's flags and order
 * under (f) whatever state the neighbour is in, which is safe because
 * PG_FREE is set and cleared only under (f).
 */
struct vm_page {
	TAILQ_ENTRY(vm_page) plinks;	/* (f) free list, or (o) the owner's
					   queue */
	struct uvm_object *object;	/* (o) owning object
					   (mm/uvm_object.h), or NULL */
	uint64_t	 pindex;	/* (o) page offset in object */
	paddr_t		 phys_addr;	/* (c) */
	uint32_t	 wire_count;	/* (o) wirings; vm_cnt's is atomic */
	uint16_t	 flags;		/* (f,p,o) PG_* */
	uint8_t		 order;		/* (f) buddy order, valid with PG_FREE */
	uint8_t		 segind;	/* (c) index of its vm_phys segment */
};
typedef struct vm_page *vm_page_t;

#define	PG_FREE		0x0001		/* head of a free buddy block */
#define	PG_CACHED	0x0002		/* free, in the per-CPU page cache */
#define	PG_INUSE	0x0008		/* allocated, not yet freed */
/* Owned by the page's object, under its vmobjlock (mm/uvm_object.h). */
#define	PG_BUSY		0x0010		/* I/O or a mapping in progress */
#define	PG_WANTED	0x0020		/* someone sleeps until it is unbusy */
#define	PG_DIRTY	0x0040		/* newer than the backing store */

#define	VM_ALLOC_NORMAL	0x0
#define	VM_ALLOC_ZERO	0x1
#define	VM_ALLOC_NOWAIT	0x2
#define	VM_ALLOC_WIRED	0x4

#define	VM_NFREEORDER	13		/* blocks of 1 .. 4096 pages */

/* (a): atomic; (c): constant after vm_page_bootstrap(). */
struct vm_counters {
	unsigned long	v_page_count;	/* (c) managed pages */
	unsigned long	v_free_count;	/* (a) free, in the buddy lists or a
					   per-CPU cache */
	unsigned long	v_wire_count;	/* (a) pages with wire_count > 0 */
};
extern struct vm_counters vm_cnt;

vm_page_t	vm_page_alloc(int flags);
vm_page_t	vm_page_alloc_contig(unsigned long npages, unsigned long align,
		    int flags);
void		vm_page_free(vm_page_t m);
void		vm_page_free_contig(vm_page_t m, unsigned long npages);
void		vm_page_wire(vm_page_t m);
/* Returns true when the last wiring went away. */
bool		vm_page_unwire(vm_page_t m);

/* The page for a physical address, or NULL if it is not managed RAM. */
vm_page_t	PHYS_TO_VM_PAGE(paddr_t pa);
#define	VM_PAGE_TO_PHYS(m)	((m)->phys_addr)

/*
 * Boot: vm_page_bootstrap() sizes and allocates the page array;
 * vm_page_startup(), after pmap_bootstrap(), frees every usable page that
 * is neither reserved (struct bootinfo) nor taken by vm_boot_alloc().
 */
void		vm_page_bootstrap(void);
void		vm_page_startup(void);
/*
 * Boot-time allocator: zeroed, page-aligned memory just after the kernel
 * image, permanently mapped at KERNBASE + physical address.  Only before
 * vm_page_startup().  Returns the kernel virtual address.
 */
vaddr_t		vm_boot_alloc(size_t size);
/* Physical end of the boot allocations (the kernel-linear region). */
paddr_t		vm_boot_alloc_end(void);

#endif /* !_MM_VM_PAGE_H_ */
