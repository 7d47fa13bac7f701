/*
 * x86_64 page tables (4 levels: PML4, PDPT, PD, PT).
 *
 * pmap_bootstrap() replaces the boot tables of boot/x86_64/entry.S with
 * the kernel's own (layout in machine/vmparam.h):
 *   - the kernel image with real permissions: text read-only and
 *     executable, rodata read-only, data, bss and boot allocations
 *     read-write; everything but text no-execute;
 *   - a direct map of all physical memory, NX, with 1 GiB pages where the
 *     CPU has them (CPUID 0x80000001 EDX bit 26) and 2 MiB pages otherwise;
 *   - an empty KVA region whose page tables are allocated on demand;
 *   - one quick-map slot per CPU after it, its page table made at boot.
 * Page-table pages are reached through the direct map once it exists.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <lib/string.h>
#include <machine/vmparam.h>
#include <x86/cpufunc.h>
#include <x86/x86_var.h>
#include <mm/x86/pmap_quick.h>

#define	PG_V		0x001ULL
#define	PG_RW		0x002ULL
#define	PG_PWT		0x008ULL
#define	PG_PCD		0x010ULL
#define	PG_A		0x020ULL
#define	PG_M		0x040ULL
#define	PG_PS		0x080ULL
#define	PG_NX		(1ULL << 63)
#define	PG_FRAME	0x000ffffffffff000ULL
#define	NBPDR		(1ULL << 21)		/* bytes mapped by a PD entry */
#define	NBPDP		(1ULL << 30)		/* bytes mapped by a PDPT entry */
#define	PML4_DMAP	256
#define	PML4_KVA	508
#define	PML4_KERN	511

typedef uint64_t pt_entry_t;

static pt_entry_t *kernel_pml4;
static pt_entry_t  pg_nx;		/* PG_NX if the CPU has NX, else 0 */
static bool	   dmap_ready;
static bool	   has_1gpage;
static uint64_t	   dmap_size;

/* CPU 0's quick-map PTE; CPU n's is n entries on (one table). */
static pt_entry_t *qmap_pte0;
uintptr_t	   qmap_pte_bits;	/* mm/x86/pmap_quick.h */
_Static_assert(sizeof(pt_entry_t) == sizeof(uintptr_t),
    "slot PTEs are written as uintptr_t (mm/x86/pmap_quick.h)");

extern char kernel_start[], kernel_etext[], kernel_erodata[];

/* The kernel address of a page-table page: direct map, or boot linear. */
static pt_entry_t *
pt_page(pt_entry_t e)
{
	paddr_t pa = e & PG_FRAME;

	return ((pt_entry_t *)(dmap_ready ? PHYS_TO_DMAP(pa) : KERNBASE + pa));
}

/* A zeroed page-table page, or 0 when memory is exhausted. */
static paddr_t
pt_alloc(void)
{
	vm_page_t m;

	if (!dmap_ready)
		return (vm_boot_alloc(PAGE_SIZE) - KERNBASE);
	m = vm_page_alloc(VM_ALLOC_ZERO | VM_ALLOC_NOWAIT | VM_ALLOC_WIRED);
	return (m != NULL ? VM_PAGE_TO_PHYS(m) : 0);
}

/*
 * The next-level table under entry i of tbl, creating it if needed;
 * NULL when there is no memory for it.
 */
static pt_entry_t *
pt_next(pt_entry_t *tbl, int i)
{
	paddr_t pa;

	if ((tbl[i] & PG_V) == 0) {
		if ((pa = pt_alloc()) == 0)
			return (NULL);
		tbl[i] = pa | PG_V | PG_RW;
	}
	KASSERT((tbl[i] & PG_PS) == 0, ("pmap: large page in the way"));
	return (pt_page(tbl[i]));
}

/*
 * The 4 KiB PTE for va, creating missing tables if create, else NULL.
 * => va is not inside a large-page mapping (the direct map).
 */
static pt_entry_t *
pmap_pte(vaddr_t va, bool create)
{
	pt_entry_t *t = kernel_pml4;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		int i = (va >> shift) & 511;

		if ((t[i] & PG_V) == 0 && !create)
			return (NULL);
		if ((t = pt_next(t, i)) == NULL)
			return (NULL);
	}
	return (&t[(va >> 12) & 511]);
}

/* Protection of a kernel-linear address, from the image's sections. */
static pt_entry_t
kernel_prot(vaddr_t va)
{
	if (va < (vaddr_t)kernel_etext)
		return (PG_V);
	if (va < (vaddr_t)kernel_erodata)
		return (PG_V | pg_nx);
	return (PG_V | PG_RW | pg_nx);
}

/*
 * => the loop bound is re-read each time: page tables allocated while
 *    mapping the region lengthen it, and must be mapped too.
 */
static void
map_kernel_linear(void)
{
	vaddr_t va;

	for (va = (vaddr_t)kernel_start;
	    va < KERNBASE + vm_boot_alloc_end(); va += PAGE_SIZE)
		*pmap_pte(va, true) = (va - KERNBASE) | kernel_prot(va);
}

/*
 * End of RAM (and ACPI tables) in whole GiB, at least 4 GiB so the low
 * firmware areas are covered.  Reserved ranges far above RAM, like the
 * HyperTransport hole QEMU reports at 1 TiB, are left out.
 */
static uint64_t
dmap_extent(void)
{
	uint64_t end = 4ULL << 30;
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++)
		if (bootinfo.bi_mem[i].ms_type != MEMSEG_RESERVED)
			end = MAX(end, bootinfo.bi_mem[i].ms_end);
	return (MIN(roundup2(end, NBPDP), DMAP_MAX_SIZE));
}

static void
map_dmap(void)
{
	const pt_entry_t bits = PG_V | PG_RW | PG_PS | pg_nx;
	pt_entry_t *pdpt, *pd;
	uint64_t pa;
	int i;

	dmap_size = dmap_extent();
	pdpt = pt_next(kernel_pml4, PML4_DMAP);
	for (pa = 0; pa < dmap_size; pa += NBPDP) {
		if (has_1gpage) {
			pdpt[pa / NBPDP] = pa | bits;
			continue;
		}
		pd = pt_next(pdpt, pa / NBPDP);
		for (i = 0; i < 512; i++)
			pd[i] = (pa + i * NBPDR) | bits;
	}
}

void
pmap_bootstrap(void)
{
	uint32_t r[4];

	cpuid_count(0x80000001, 0, r);
	has_1gpage = (r[3] >> 26) & 1;
	pg_nx = ((r[3] >> 20) & 1) ? PG_NX : 0;
	qmap_pte_bits = PG_V | PG_RW | PG_A | PG_M | pg_nx;
	kernel_pml4 = (pt_entry_t *)vm_boot_alloc(PAGE_SIZE);
	map_dmap();
	/* The KVA slot's PDPT exists from the start, like the others. */
	(void)pt_next(kernel_pml4, PML4_KVA);
	/* The slots' page table, before the linear map that must cover it. */
	qmap_pte0 = pmap_pte(QMAP_MIN_ADDRESS, true);
	map_kernel_linear();
	lcr3((vaddr_t)kernel_pml4 - KERNBASE);
	dmap_ready = true;
	pmap_pcpu_init(curcpu());
}

/*
 * => the slots' page table was made at boot: the PTEs of all MAXCPU
 *    slots are consecutive in it (QMAP_MIN_ADDRESS is 2 MiB aligned).
 */
void
pmap_pcpu_init(struct pcpu *pc)
{
	int cpu = pc->pc_cpuid;

	KASSERT(cpu >= 0 && cpu < MAXCPU, ("pmap_pcpu_init: cpu %d", cpu));
	pc->pc_qmap_pte = (uintptr_t *)(qmap_pte0 + cpu);
	pc->pc_qmap_addr = QMAP_MIN_ADDRESS + cpu * PAGE_SIZE;
	pc->pc_qmap_held = 0;
}

static void
kva_check(vaddr_t va)
{
	KASSERT(va >= KVA_MIN_ADDRESS && va - KVA_MIN_ADDRESS < KVA_SIZE &&
	    (va & PAGE_MASK) == 0, ("pmap: %p is not a KVA page", (void *)va));
}

/*
 * The PTE of a KVA page.  kva_alloc grew the page tables over the range
 * (pmap_growkernel), so they exist and nothing is allocated here.
 */
static pt_entry_t *
kva_pte(vaddr_t va)
{
	pt_entry_t *pte;

	kva_check(va);
	pte = pmap_pte(va, false);
	KASSERT(pte != NULL, ("pmap: no page table for %p: not from kva_alloc?",
	    (void *)va));
	return (pte);
}

static vaddr_t kva_grown = KVA_MIN_ADDRESS;	/* tables exist below */

/*
 * => the KVA arena's lock is held, so one CPU at a time grows the tables.
 */
bool
pmap_growkernel(vaddr_t end)
{
	KASSERT(end <= KVA_MIN_ADDRESS + KVA_SIZE, ("pmap_growkernel: %p",
	    (void *)end));
	while (kva_grown < end) {
		if (pmap_pte(kva_grown, true) == NULL)
			return (false);
		kva_grown = rounddown2(kva_grown + NBPDR, NBPDR);
	}
	return (true);
}

void
pmap_kenter(vaddr_t va, paddr_t pa)
{
	KASSERT((pa & PAGE_MASK) == 0, ("pmap_kenter: pa %#llx unaligned",
	    (unsigned long long)pa));
	*kva_pte(va) = pa | PG_V | PG_RW | pg_nx;
}

void
pmap_kenter_nocache(vaddr_t va, paddr_t pa)
{
	pmap_kenter(va, pa);
	*pmap_pte(va, false) |= PG_PCD | PG_PWT;
}

bool
pmap_kenter_swap(vaddr_t va, paddr_t pa)
{
	pt_entry_t old;

	KASSERT((pa & PAGE_MASK) == 0, ("pmap_kenter_swap: pa %#llx "
	    "unaligned", (unsigned long long)pa));
	/* One exchange: a page walk cannot set Accessed unseen in between. */
	old = __atomic_exchange_n(kva_pte(va), pa | PG_V | PG_RW | pg_nx,
	    __ATOMIC_SEQ_CST);
	return ((old & (PG_V | PG_A)) == (PG_V | PG_A));
}

vaddr_t
pmap_page_dmap(vm_page_t m)
{
	return (PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)));
}

void
pmap_kremove(vaddr_t va)
{
	pt_entry_t *pte;

	kva_check(va);
	if ((pte = pmap_pte(va, false)) != NULL)
		*pte = 0;
}

paddr_t
pmap_extract(vaddr_t va)
{
	pt_entry_t *t = kernel_pml4, e;
	int shift;

	for (shift = 39;; shift -= 9) {
		uint64_t mask = (1ULL << shift) - 1;

		e = t[(va >> shift) & 511];
		if ((e & PG_V) == 0)
			return (PMAP_NO_PA);
		if (shift == 12 || (e & PG_PS) != 0)
			return ((e & PG_FRAME & ~mask) | (va & mask));
		t = pt_page(e);
	}
}

void
pmap_qenter(vaddr_t va, vm_page_t *pages, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		*kva_pte(va + i * PAGE_SIZE) =
		    VM_PAGE_TO_PHYS(pages[i]) | PG_V | PG_RW | pg_nx;
	}
	pmap_invalidate_range(va, va + count * PAGE_SIZE);
}

void
pmap_qremove(vaddr_t va, int count)
{
	int i;

	for (i = 0; i < count; i++)
		pmap_kremove(va + i * PAGE_SIZE);
	pmap_invalidate_range(va, va + count * PAGE_SIZE);
}

void
pmap_zero_page(vm_page_t m)
{
	memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), 0, PAGE_SIZE);
}

void
pmap_copy_page(vm_page_t src, vm_page_t dst)
{
	memcpy((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(dst)),
	    (const void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(src)), PAGE_SIZE);
}

/* Benchmarks: what a slot quick map cannot do without (mm/pmap.h). */
void
pmap_quick_floor(vm_page_t m)
{
	*__PCPU_GET(pc_qmap_pte) = (uintptr_t)VM_PAGE_TO_PHYS(m) |
	    qmap_pte_bits;
	invlpg(__PCPU_GET(pc_qmap_addr));
}

/*
 * Identity mappings of low pages, for the AP trampoline (kernel/x86/mp.c):
 * an AP turns paging on while it runs there.  Nothing else lives below
 * the direct map, so PML4 slot 0 holds only these.  The page tables stay
 * when the last page goes (three pages, ready for the next time): other
 * CPUs may still cache them until the caller flushes their TLBs.
 */
void
pmap_identity_enter(paddr_t pa)
{
	pt_entry_t *pte;

	KASSERT((pa & PAGE_MASK) == 0 && pa != 0 && pa < NBPDR,
	    ("pmap_identity_enter: pa %#llx", (unsigned long long)pa));
	if ((pte = pmap_pte(pa, true)) == NULL)
		panic("pmap_identity_enter: no memory for a page table");
	KASSERT(*pte == 0, ("pmap_identity_enter: %#llx mapped",
	    (unsigned long long)pa));
	*pte = pa | PG_V | PG_RW;		/* executable */
	invlpg(pa);
}

void
pmap_identity_remove(paddr_t pa)
{
	pt_entry_t *pte = pmap_pte(pa, false);

	KASSERT(pte != NULL && *pte != 0, ("pmap_identity_remove: %#llx "
	    "not mapped", (unsigned long long)pa));
	*pte = 0;
	invlpg(pa);
}

/*
 * The arena is KVA_SIZE, or KVA_PER_RAM times the managed RAM if that is
 * less.  Its page tables are built as it is used (pmap_growkernel) and,
 * as in FreeBSD, never freed: one page per 2 MiB, so a used-up 4 GiB arena
 * holds 8 MiB of them, more than a small machine has; at 32 times the RAM
 * they stay under 1/16 of it.  (FreeBSD sizes its kmem arena from the RAM
 * too: VM_KMEM_SIZE_SCALE.)  Nothing runs out of KVA before it runs out of
 * RAM to put behind it.
 * => after vm_page_startup(): it counts the managed pages.
 */
#define	KVA_PER_RAM	32

static vaddr_t kva_end;

void
pmap_kva_bounds(vaddr_t *start, vaddr_t *end)
{
	uint64_t size = (uint64_t)vm_cnt.v_page_count * PAGE_SIZE *
	    KVA_PER_RAM;

	size = roundup2(MIN(size, KVA_SIZE), NBPDR);
	kva_end = KVA_MIN_ADDRESS + size;
	*start = KVA_MIN_ADDRESS;
	*end = kva_end;
}

void
pmap_print_layout(void)
{
	char sz[24];

	format_size(sz, sizeof(sz), dmap_size);
	kprintf("pmap: direct map %p, %s in %s pages; NX %s\n",
	    (void *)DMAP_MIN_ADDRESS, sz, has_1gpage ? "1 GiB" : "2 MiB",
	    pg_nx ? "on" : "not supported");
	kprintf("pmap: kernel %p-%p, KVA %p-%p\n", (void *)kernel_start,
	    (void *)(KERNBASE + vm_boot_alloc_end()), (void *)KVA_MIN_ADDRESS,
	    (void *)kva_end);
}
