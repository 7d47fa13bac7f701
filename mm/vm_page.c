/*
 * Physical pages: the vm_page array, the boot-time allocator, and the
 * vm_page_* interface (mm/vm_page.h) but allocation, which is in
 * mm/vm_page_alloc.c, over the buddy allocator in mm/vm_phys.c.
 *
 * Boot, in three steps (kernel/main.c):
 *  1. vm_page_bootstrap(): one segment per usable RAM range of the
 *     sanitised memory map (above 1 MiB, below VM_MAX_PHYS), and the
 *     vm_page array for them, from vm_boot_alloc().
 *  2. pmap_bootstrap() builds the page tables, also with vm_boot_alloc().
 *  3. vm_page_startup() closes the boot allocator and frees every page
 *     that no reserved range (struct bootinfo) or boot allocation covers.
 *
 * vm_page_startup() frees pages into the buddy lists without vm_phys_lock:
 * only the boot CPU runs then.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <mm/vm_page.h>
#include <mm/vm_phys.h>
#include <lib/string.h>
#include <machine/vmparam.h>

#define	LOWMEM_END	0x100000

struct vm_counters vm_cnt;

static paddr_t	boot_alloc_start;	/* first byte after the kernel */
static paddr_t	boot_alloc_next;
static bool	boot_alloc_closed;


extern char kernel_end[];

/* Does [pa, pa + size) stay clear of every reserved range? */
static paddr_t
rsv_overlap_end(paddr_t pa, size_t size)
{
	int i;

	for (i = 0; i < bootinfo.bi_nrsv; i++) {
		const struct physrsv *r = &bootinfo.bi_rsv[i];

		if (pa < r->pr_end && r->pr_start < pa + size)
			return (round_page64(r->pr_end));
	}
	return (0);
}

static bool
in_available_ram(paddr_t pa, size_t size)
{
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *m = &bootinfo.bi_mem[i];

		if (m->ms_type == MEMSEG_AVAILABLE && m->ms_start <= pa &&
		    pa + size <= m->ms_end)
			return (true);
	}
	return (false);
}

/*
 * => the result is mapped at KERNBASE + pa by the boot page tables and,
 *    after pmap_bootstrap, by the kernel's (the kernel-linear region).
 * => reserved ranges (modules GRUB put after the kernel) are skipped.
 */
static vaddr_t
boot_alloc(size_t size, bool zero)
{
	paddr_t pa, skip;

	KASSERT(!boot_alloc_closed, ("vm_boot_alloc after vm_page_startup"));
	if (boot_alloc_next == 0)
		boot_alloc_start = boot_alloc_next = vm_boot_alloc_end();
	size = round_page(size);
	while ((skip = rsv_overlap_end(boot_alloc_next, size)) != 0)
		boot_alloc_next = skip;
	pa = boot_alloc_next;
	if (!in_available_ram(pa, size) || pa + size > KERNLINEAR_MAX)
		panic("vm_boot_alloc: no room for %zu bytes of RAM at %#llx, "
		    "after the kernel", size, (unsigned long long)pa);
	boot_alloc_next += size;
	if (zero)
		memset((void *)(uintptr_t)(KERNBASE + pa), 0, size);
	return ((vaddr_t)(KERNBASE + pa));
}

vaddr_t
vm_boot_alloc(size_t size)
{
	return (boot_alloc(size, true));
}

paddr_t
vm_boot_alloc_end(void)
{
	return (boot_alloc_next != 0 ? boot_alloc_next :
	    round_page64((uintptr_t)kernel_end - KERNBASE));
}

/* Add the usable part of one available range as a segment; its pages. */
static unsigned long
add_segment(uint64_t start, uint64_t end, uint64_t *ignored)
{
	start = round_page64(MAX(start, LOWMEM_END));
	end = trunc_page64(end);
	if (end > VM_MAX_PHYS) {
		*ignored += end - MAX(start, VM_MAX_PHYS);
		end = VM_MAX_PHYS;
	}
	if (end <= start)
		return (0);
	if (!vm_phys_add_seg(start, end)) {
		*ignored += end - start;
		return (0);
	}
	return ((end - start) >> PAGE_SHIFT);
}

/* Fill in a segment's pages; none is free until vm_page_startup(). */
static void
init_segment(int s, vm_page_t pages)
{
	struct vm_phys_seg *seg = &vm_phys_segs[s];
	unsigned long i, n = (seg->end - seg->start) >> PAGE_SHIFT;

	seg->first_page = pages;
	for (i = 0; i < n; i++) {
		pages[i].object = NULL;
		pages[i].pindex = 0;
		pages[i].phys_addr = seg->start + ((paddr_t)i << PAGE_SHIFT);
		pages[i].wire_count = 0;
		pages[i].flags = 0;
		pages[i].order = 0;
		pages[i].segind = s;
	}
}

void
vm_page_bootstrap(void)
{
	uint64_t ignored = 0;
	unsigned long npages = 0;
	vm_page_t array;
	char sz[24];
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++)
		if (bootinfo.bi_mem[i].ms_type == MEMSEG_AVAILABLE)
			npages += add_segment(bootinfo.bi_mem[i].ms_start,
			    bootinfo.bi_mem[i].ms_end, &ignored);
	if (ignored != 0) {
		format_size(sz, sizeof(sz), ignored);
		kprintf("vm_page: ignoring %s of RAM above %#llx\n", sz,
		    (unsigned long long)VM_MAX_PHYS);
	}
	if (npages == 0)
		panic("vm_page: no usable RAM above 1 MiB");
	/* Every field is set below: no need to zero megabytes first. */
	array = (vm_page_t)boot_alloc(npages * sizeof(struct vm_page), false);
	for (i = 0; i < vm_phys_nsegs; i++) {
		init_segment(i, array);
		array += (vm_phys_segs[i].end - vm_phys_segs[i].start) >>
		    PAGE_SHIFT;
	}
	vm_cnt.v_page_count = npages;
}

/* Mark the managed pages of [start, end) never to be handed out. */
static void
mark_reserved(paddr_t start, paddr_t end)
{
	paddr_t pa;
	vm_page_t m;

	for (pa = trunc_page64(start); pa < end; pa += PAGE_SIZE)
		if ((m = PHYS_TO_VM_PAGE(pa)) != NULL)
			m->flags = PG_RESERVED;
}

/* The first reserved byte in [pa, end), or end. */
static paddr_t
next_reserved(paddr_t pa, paddr_t end)
{
	int i;

	for (i = 0; i < bootinfo.bi_nrsv; i++) {
		const struct physrsv *r = &bootinfo.bi_rsv[i];

		if (r->pr_end > pa && r->pr_start < end)
			end = MAX(pa, trunc_page64(r->pr_start));
	}
	return (end);
}

/* Free what no reserved range covers in seg; returns the page count. */
static unsigned long
free_segment(const struct vm_phys_seg *seg)
{
	paddr_t pa = seg->start, end, skip;
	unsigned long n = 0;

	while (pa < seg->end) {
		if ((skip = rsv_overlap_end(pa, PAGE_SIZE)) != 0) {
			pa = skip;
			continue;
		}
		end = next_reserved(pa, seg->end);
		vm_phys_free_run(&seg->first_page[(pa - seg->start) >>
		    PAGE_SHIFT], (end - pa) >> PAGE_SHIFT);
		n += (end - pa) >> PAGE_SHIFT;
		pa = end;
	}
	return (n);
}

/*
 * => after pmap_bootstrap: nothing may come from vm_boot_alloc any more.
 */
void
vm_page_startup(void)
{
	int i;

	boot_alloc_closed = true;
	bootinfo_reserve(boot_alloc_start, vm_boot_alloc_end(),
	    "boot allocations");
	for (i = 0; i < bootinfo.bi_nrsv; i++)
		mark_reserved(bootinfo.bi_rsv[i].pr_start,
		    bootinfo.bi_rsv[i].pr_end);
	for (i = 0; i < vm_phys_nsegs; i++)
		vm_cnt.v_free_count += free_segment(&vm_phys_segs[i]);
}

vm_page_t
PHYS_TO_VM_PAGE(paddr_t pa)
{
	int i;

	for (i = 0; i < vm_phys_nsegs; i++) {
		const struct vm_phys_seg *seg = &vm_phys_segs[i];

		if (pa >= seg->start && pa < seg->end)
			return (&seg->first_page[(pa - seg->start) >>
			    PAGE_SHIFT]);
	}
	return (NULL);
}

/*
 * => the caller owns the page; wiring counts are not atomic per page
 *    (a page is wired and unwired by its owner), the global count is.
 */
void
vm_page_wire(vm_page_t m)
{
	KASSERT((m->flags & PG_INUSE) != 0, ("vm_page_wire: page %#llx is "
	    "free", (unsigned long long)m->phys_addr));
	if (m->wire_count++ == 0)
		__atomic_add_fetch(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
}

bool
vm_page_unwire(vm_page_t m)
{
	KASSERT(m->wire_count > 0, ("vm_page_unwire: page %#llx is not "
	    "wired", (unsigned long long)m->phys_addr));
	if (--m->wire_count > 0)
		return (false);
	__atomic_sub_fetch(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
	return (true);
}
