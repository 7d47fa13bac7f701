/*
 * Memory-management benchmarks (kernel/kbench.h): the cost of the
 * allocators' common paths, in ticks (guest instructions under
 * `make bench`) per operation.
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/vm_page.h>

/* One page in, one page out: the per-CPU cache path. */
KBENCH(vm_page_alloc_free, 1000)
{
	vm_page_t m;
	unsigned long i;

	kbench_start();
	for (i = 0; i < nops; i++) {
		m = vm_page_alloc(VM_ALLOC_NOWAIT);
		vm_page_free(m);
	}
	kbench_stop();
}

/* 64 pages at once: the cache empties and the buddy lists work. */
KBENCH(vm_page_alloc64_free64, 64)
{
	vm_page_t pages[64];
	unsigned long i;

	kbench_start();
	for (i = 0; i < nops; i++)
		pages[i] = vm_page_alloc(VM_ALLOC_NOWAIT);
	for (i = 0; i < nops; i++)
		vm_page_free(pages[i]);
	kbench_stop();
}

/* 16 contiguous pages aligned to 64 KiB, and back. */
KBENCH(vm_page_contig16, 200)
{
	vm_page_t m;
	unsigned long i;

	kbench_start();
	for (i = 0; i < nops; i++) {
		m = vm_page_alloc_contig(16, 16 * PAGE_SIZE, VM_ALLOC_NOWAIT);
		vm_page_free_contig(m, 16);
	}
	kbench_stop();
}

KBENCH(malloc_free_64, 1000)
{
	unsigned long i;
	void *p;

	kbench_start();
	for (i = 0; i < nops; i++) {
		p = malloc(64, M_WAITOK);
		free(p);
	}
	kbench_stop();
}

KBENCH(kva_alloc_free, 1000)
{
	unsigned long i;
	vaddr_t va;

	kbench_start();
	for (i = 0; i < nops; i++) {
		va = kva_alloc(PAGE_SIZE);
		kva_free(va, PAGE_SIZE);
	}
	kbench_stop();
}
