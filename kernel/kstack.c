/*
 * Kernel thread stacks: wired pages mapped in KVA above one page that is
 * left unmapped.  A thread that overflows its stack touches the guard
 * page and faults, instead of silently corrupting the memory below.
 */
#include <kernel/systm.h>
#include <kernel/sched_internal.h>
#include <lib/queue.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>

/*
 * Unmap npages pages at va and free them.  Unmap, invalidate, then free
 * (the rule of mm/kmem.c): a page freed while another CPU's TLB still
 * maps it could be handed out and written through the stale entry.
 */
static void
unmap_pages(vaddr_t va, size_t npages)
{
	TAILQ_HEAD(, vm_page) pgl = TAILQ_HEAD_INITIALIZER(pgl);
	vm_page_t m;
	size_t i;

	/* The pages are wired and ours: plinks is free to list them. */
	for (i = 0; i < npages; i++) {
		m = PHYS_TO_VM_PAGE(pmap_extract(va + i * PAGE_SIZE));
		KASSERT(m != NULL, ("kstack: %p maps no managed page",
		    (void *)(va + i * PAGE_SIZE)));
		TAILQ_INSERT_TAIL(&pgl, m, plinks);
		pmap_kremove(va + i * PAGE_SIZE);
	}
	pmap_invalidate_range(va, va + npages * PAGE_SIZE);
	while ((m = TAILQ_FIRST(&pgl)) != NULL) {
		TAILQ_REMOVE(&pgl, m, plinks);
		vm_page_unwire(m);
		vm_page_free(m);
	}
}

/* Returns the lowest address of the usable stack, or 0 without memory. */
vaddr_t
kstack_alloc(size_t size)
{
	size_t npages = round_page(size) / PAGE_SIZE, i;
	vaddr_t va;
	vm_page_t m;

	if ((va = kva_alloc((npages + 1) * PAGE_SIZE)) == 0)
		return (0);
	for (i = 0; i < npages; i++) {
		m = vm_page_alloc(VM_ALLOC_WIRED | VM_ALLOC_NOWAIT);
		if (m == NULL) {
			unmap_pages(va + PAGE_SIZE, i);
			kva_free(va, (npages + 1) * PAGE_SIZE);
			return (0);
		}
		pmap_kenter(va + (i + 1) * PAGE_SIZE, VM_PAGE_TO_PHYS(m));
	}
	pmap_invalidate_range(va, va + (npages + 1) * PAGE_SIZE);
	return (va + PAGE_SIZE);
}

/*
 * => stack and size are what kstack_alloc returned and was given; the
 *    guard page below stack goes back to the arena with the rest.
 */
void
kstack_free(vaddr_t stack, size_t size)
{
	size_t npages = round_page(size) / PAGE_SIZE;

	unmap_pages(stack, npages);
	kva_free(stack - PAGE_SIZE, (npages + 1) * PAGE_SIZE);
}
