/*
 * Device mappings for both x86 pmaps: a KVA range from the arena, each
 * page entered with pmap_kenter and then marked cache-disabled
 * (PCD | PWT selects the uncached PAT entry with the reset PAT), as MMIO
 * registers must not be cached or combined.
 */
#include <kernel/systm.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <x86/x86_var.h>


void *
pmap_mapdev(paddr_t pa, size_t size)
{
	paddr_t base = trunc_page64(pa);
	size_t len = round_page64(pa + size) - base, off;
	vaddr_t va;

	if ((va = kva_alloc(len)) == 0)
		return (NULL);
	for (off = 0; off < len; off += PAGE_SIZE)
		pmap_kenter_nocache(va + off, base + off);
	pmap_invalidate_range(va, va + len);
	return ((void *)(va + (vaddr_t)(pa - base)));
}

void
pmap_unmapdev(void *p, size_t size)
{
	vaddr_t va = trunc_page((vaddr_t)p);
	size_t len = round_page((vaddr_t)p + size) - va, off;

	for (off = 0; off < len; off += PAGE_SIZE)
		pmap_kremove(va + off);
	pmap_invalidate_range(va, va + len);
	kva_free(va, len);
}
