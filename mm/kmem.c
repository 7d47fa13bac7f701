/*
 * kmem_alloc()/kmem_free() (mm/malloc.h): wired kernel memory in whole
 * pages, each a fresh physical page mapped at a range of the KVA arena.
 * The pages need not be physically contiguous; only the virtual range is.
 *
 * kmem_alloc() takes every page before it maps any of them: a failure
 * (M_NOWAIT) is then undone by freeing pages and the range, with no
 * mapping to tear down, and nothing leaks.
 */
#include <kernel/systm.h>
#include <lib/queue.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>

TAILQ_HEAD(kmem_pglist, vm_page);

/* Unwire and free the pages of pgl (which become nobody's). */
static void
kmem_free_pages(struct kmem_pglist *pgl)
{
	vm_page_t m;

	while ((m = TAILQ_FIRST(pgl)) != NULL) {
		TAILQ_REMOVE(pgl, m, plinks);
		if (vm_page_unwire(m))
			vm_page_free(m);
	}
}

/*
 * Allocate npages wired pages onto pgl; false if one is missing (then pgl
 * holds the ones obtained, for the caller to free).
 * => without M_NOWAIT, vm_page_alloc sleeps until pages are freed.
 */
static bool
kmem_get_pages(struct kmem_pglist *pgl, size_t npages, int flags)
{
	int pflags = VM_ALLOC_WIRED;
	vm_page_t m;
	size_t i;

	if (flags & M_ZERO)
		pflags |= VM_ALLOC_ZERO;
	if (flags & M_NOWAIT)
		pflags |= VM_ALLOC_NOWAIT;
	for (i = 0; i < npages; i++) {
		if ((m = vm_page_alloc(pflags)) == NULL)
			return (false);
		TAILQ_INSERT_TAIL(pgl, m, plinks);
	}
	return (true);
}

/*
 * => size > 0; it is rounded up to whole pages.
 * => returns NULL only with M_NOWAIT.  Without it, kmem_alloc sleeps
 *    until enough pages are free; running out of KVA, or of pages for
 *    the page tables that map the range (kva_alloc grows them with
 *    pmap_growkernel under the arena's spin lock, where nobody may
 *    sleep), still panics.
 * => with M_NOWAIT it never sleeps and may be called with interrupts off;
 *    without it the caller must be able to sleep (see vm_page_alloc).
 */
void *
kmem_alloc(size_t size, int flags)
{
	struct kmem_pglist pgl;
	vaddr_t va, off;
	vm_page_t m;

	KASSERT(size != 0, ("kmem_alloc: size 0"));
	size = round_page(size);
	if (size == 0 || (va = kva_alloc(size)) == 0) {
		if (flags & M_NOWAIT)
			return (NULL);
		panic("kmem_alloc: no kernel virtual address range of %zu "
		    "bytes (or no page for its page tables)", size);
	}
	TAILQ_INIT(&pgl);
	if (!kmem_get_pages(&pgl, size / PAGE_SIZE, flags)) {
		kmem_free_pages(&pgl);
		kva_free(va, size);
		return (NULL);
	}
	/* The pages leave the list as they are mapped: plinks is free. */
	for (off = 0; (m = TAILQ_FIRST(&pgl)) != NULL; off += PAGE_SIZE) {
		TAILQ_REMOVE(&pgl, m, plinks);
		pmap_kenter(va + off, VM_PAGE_TO_PHYS(m));
	}
	pmap_invalidate_range(va, va + size);
	return ((void *)va);
}

/*
 * The wired page mapped at va.
 * => va is in a range from kmem_alloc().
 */
static vm_page_t
kmem_page(vaddr_t va)
{
	paddr_t pa = pmap_extract(va);
	vm_page_t m;

	KASSERT(pa != PMAP_NO_PA, ("kmem_free: %p is not mapped",
	    (void *)va));
	m = PHYS_TO_VM_PAGE(pa);
	KASSERT(m != NULL && m->wire_count > 0, ("kmem_free: %p maps %#llx, "
	    "not a wired page", (void *)va, (unsigned long long)pa));
	return (m);
}

/*
 * => [p, p + size) is exactly a range kmem_alloc() returned (size as
 *    given to it).  Every page is checked before the first is unmapped;
 *    only a wrong size that still covers mapped pages gets past that, to
 *    kva_free's panic.
 * => the TLB is flushed before any page is freed: a stale translation
 *    must never reach a page that has a new owner.
 */
void
kmem_free(void *p, size_t size)
{
	struct kmem_pglist pgl;
	vaddr_t va = (vaddr_t)p, off;

	KASSERT((va & PAGE_MASK) == 0 && size != 0,
	    ("kmem_free: bad range %p, %zu bytes", p, size));
	size = round_page(size);
	TAILQ_INIT(&pgl);
	for (off = 0; off < size; off += PAGE_SIZE)
		TAILQ_INSERT_TAIL(&pgl, kmem_page(va + off), plinks);
	for (off = 0; off < size; off += PAGE_SIZE)
		pmap_kremove(va + off);
	pmap_invalidate_range(va, va + size);
	kmem_free_pages(&pgl);
	kva_free(va, size);
}
