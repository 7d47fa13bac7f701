/*
 * i386 page tables: two levels, 4 KiB pages, no PAE (so no NX and no
 * physical memory above 4 GiB).
 *
 * pmap_bootstrap() replaces the boot page directory of boot/i386/entry.S.
 * All kernel page tables, for KERNBASE .. 4 GiB (256 of them, 1 MiB), are
 * allocated at boot, contiguously, in the kernel-linear region: as in
 * FreeBSD/i386, a page-table page must itself be mapped to be edited, and
 * with no direct map only boot allocations are permanently mapped.  So
 * kernel_ptab[] is one array of PTEs indexed by (va - KERNBASE) / 4 KiB.
 *
 * Mapped permanently: the kernel image (text and rodata read-only, the
 * rest read-write) and the boot allocations after it.  Everything else is
 * reached through temporary mappings: the KVA arena, and a few private
 * per-CPU slots above KVA_MAX_ADDRESS (machine/vmparam.h): zeroing,
 * copying, and the quick map (pmap_quick_enter_page).
 */
#include <kernel/systm.h>
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

#define	PG_V		0x001
#define	PG_RW		0x002
#define	PG_PWT		0x008
#define	PG_PCD		0x010
#define	PG_A		0x020
#define	PG_M		0x040
#define	PG_FRAME	0xfffff000u
#define	KPDI		(KERNBASE >> 22)	/* first kernel PDE: 768 */
#define	NKPT		((int)(1024 - KPDI))	/* kernel page tables: 256 */

/* Private per-CPU slots: zeroing, copying (two), and the quick map. */
#define	SLOT_ZERO	0
#define	SLOT_COPY_SRC	1
#define	SLOT_COPY_DST	2
#define	SLOT_QMAP	3
#define	NSLOTS		4
#define	PMAP_SLOT(cpu, n) \
	(KVA_MAX_ADDRESS + ((cpu) * NSLOTS + (n)) * PAGE_SIZE)

typedef uint32_t pt_entry_t;
_Static_assert(sizeof(pt_entry_t) == sizeof(uintptr_t),
    "slot PTEs are written as uintptr_t (mm/x86/pmap_quick.h)");
/* A quick map's PTE bits: no NX without PAE (mm/x86/pmap_quick.h). */
uintptr_t	qmap_pte_bits = PG_V | PG_RW | PG_A | PG_M;

static pt_entry_t *kernel_pgdir;
static pt_entry_t *kernel_ptab;
static vaddr_t	   kva_start;

extern char kernel_start[], kernel_erodata[];

static pt_entry_t *
vtopte(vaddr_t va)
{
	KASSERT(va >= KERNBASE, ("pmap: %p is below KERNBASE", (void *)va));
	return (&kernel_ptab[(va - KERNBASE) >> PAGE_SHIFT]);
}

/*
 * => the loop bound is re-read: nothing is allocated inside it today, but
 *    this keeps the region and its mapping in step if that changes.
 */
static void
map_kernel_linear(void)
{
	vaddr_t va;

	for (va = (vaddr_t)kernel_start;
	    va < KERNBASE + vm_boot_alloc_end(); va += PAGE_SIZE)
		*vtopte(va) = (va - KERNBASE) |
		    (va < (vaddr_t)kernel_erodata ? PG_V : PG_V | PG_RW);
}

void
pmap_bootstrap(void)
{
	paddr_t ptab_pa;
	int i;

	kernel_pgdir = (pt_entry_t *)vm_boot_alloc(PAGE_SIZE);
	kernel_ptab = (pt_entry_t *)vm_boot_alloc(NKPT * PAGE_SIZE);
	ptab_pa = (vaddr_t)kernel_ptab - KERNBASE;
	for (i = 0; i < NKPT; i++)
		kernel_pgdir[KPDI + i] = (ptab_pa + i * PAGE_SIZE) | PG_V | PG_RW;
	map_kernel_linear();
	lcr3((vaddr_t)kernel_pgdir - KERNBASE);
	kva_start = KERNBASE + round_page(vm_boot_alloc_end());
	pmap_pcpu_init(curcpu());
}

/* The slots' page table exists from boot: only the address to note. */
void
pmap_pcpu_init(struct pcpu *pc)
{
	KASSERT(pc->pc_cpuid >= 0 && pc->pc_cpuid < MAXCPU,
	    ("pmap_pcpu_init: cpu %d", pc->pc_cpuid));
	pc->pc_qmap_addr = PMAP_SLOT(pc->pc_cpuid, SLOT_QMAP);
	pc->pc_qmap_pte = (uintptr_t *)vtopte(pc->pc_qmap_addr);
	pc->pc_qmap_held = 0;
}

static void
kva_check(vaddr_t va)
{
	KASSERT(va >= kva_start && va < KVA_MAX_ADDRESS &&
	    (va & PAGE_MASK) == 0,
	    ("pmap: %p is not a KVA page", (void *)va));
}

void
pmap_kenter(vaddr_t va, paddr_t pa)
{
	kva_check(va);
	KASSERT((pa & PAGE_MASK) == 0 && pa < VM_MAX_PHYS,
	    ("pmap_kenter: bad pa %#llx", (unsigned long long)pa));
	*vtopte(va) = (pt_entry_t)pa | PG_V | PG_RW;
}

void
pmap_kenter_nocache(vaddr_t va, paddr_t pa)
{
	pmap_kenter(va, pa);
	*vtopte(va) |= PG_PCD | PG_PWT;
}

bool
pmap_kenter_swap(vaddr_t va, paddr_t pa)
{
	pt_entry_t old;

	kva_check(va);
	KASSERT((pa & PAGE_MASK) == 0 && pa < VM_MAX_PHYS,
	    ("pmap_kenter_swap: bad pa %#llx", (unsigned long long)pa));
	/* One exchange: a page walk cannot set Accessed unseen in between. */
	old = __atomic_exchange_n(vtopte(va), (pt_entry_t)pa | PG_V | PG_RW,
	    __ATOMIC_SEQ_CST);
	return ((old & (PG_V | PG_A)) == (PG_V | PG_A));
}

/* No direct map on i386. */
vaddr_t
pmap_page_dmap(vm_page_t m __unused)
{
	return (0);
}

void
pmap_kremove(vaddr_t va)
{
	kva_check(va);
	*vtopte(va) = 0;
}

paddr_t
pmap_extract(vaddr_t va)
{
	pt_entry_t pte;

	if (va < KERNBASE)
		return (PMAP_NO_PA);
	pte = *vtopte(va);
	if ((pte & PG_V) == 0)
		return (PMAP_NO_PA);
	return ((pte & PG_FRAME) | (va & PAGE_MASK));
}

void
pmap_qenter(vaddr_t va, vm_page_t *pages, int count)
{
	int i;

	for (i = 0; i < count; i++)
		pmap_kenter(va + i * PAGE_SIZE, VM_PAGE_TO_PHYS(pages[i]));
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

/*
 * Map m at this CPU's private slot n.  Interrupts stay off while the slot
 * is in use: nothing else on this CPU may take it over, and the thread
 * cannot move to another CPU.  (Unlike the quick map, so that these may
 * run while a quick map is held.)
 */
static vaddr_t
slot_enter(int n, vm_page_t m)
{
	vaddr_t va = PMAP_SLOT(curcpu()->pc_cpuid, n);

	*vtopte(va) = (pt_entry_t)VM_PAGE_TO_PHYS(m) | PG_V | PG_RW;
	invlpg(va);
	return (va);
}

static void
slot_remove(vaddr_t va)
{
	*vtopte(va) = 0;
	invlpg(va);
}

void
pmap_zero_page(vm_page_t m)
{
	uintptr_t flags = read_flags();
	vaddr_t va;

	disable_intr();
	va = slot_enter(SLOT_ZERO, m);
	memset((void *)va, 0, PAGE_SIZE);
	slot_remove(va);
	write_flags(flags);
}

void
pmap_copy_page(vm_page_t src, vm_page_t dst)
{
	uintptr_t flags = read_flags();
	vaddr_t s, d;

	disable_intr();
	s = slot_enter(SLOT_COPY_SRC, src);
	d = slot_enter(SLOT_COPY_DST, dst);
	memcpy((void *)d, (const void *)s, PAGE_SIZE);
	slot_remove(s);
	slot_remove(d);
	write_flags(flags);
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
 * an AP turns paging on while it runs there.  The kernel maps nothing
 * below KERNBASE, so PDE 0 gets a page table of its own, in the kernel
 * image because a page table must be mapped to be edited.  Callers flush
 * other CPUs' TLBs themselves after pmap_identity_remove().
 */
static pt_entry_t identity_pt[PAGE_SIZE / sizeof(pt_entry_t)]
    __aligned(PAGE_SIZE);
static int	   identity_count;

void
pmap_identity_enter(paddr_t pa)
{
	KASSERT((pa & PAGE_MASK) == 0 && pa != 0 && pa < (1u << 22),
	    ("pmap_identity_enter: pa %#llx", (unsigned long long)pa));
	KASSERT(identity_pt[pa >> PAGE_SHIFT] == 0,
	    ("pmap_identity_enter: %#llx mapped", (unsigned long long)pa));
	identity_pt[pa >> PAGE_SHIFT] = (pt_entry_t)pa | PG_V | PG_RW;
	kernel_pgdir[0] = ((vaddr_t)identity_pt - KERNBASE) | PG_V | PG_RW;
	identity_count++;
	invlpg(pa);
}

void
pmap_identity_remove(paddr_t pa)
{
	KASSERT(pa < (1u << 22) && identity_pt[pa >> PAGE_SHIFT] != 0,
	    ("pmap_identity_remove: %#llx not mapped",
	    (unsigned long long)pa));
	identity_pt[pa >> PAGE_SHIFT] = 0;
	if (--identity_count == 0)
		kernel_pgdir[0] = 0;
	invlpg(pa);
}

/* Every kernel page table exists from boot on: nothing to grow. */
bool
pmap_growkernel(vaddr_t end __unused)
{
	return (true);
}

void
pmap_kva_bounds(vaddr_t *start, vaddr_t *end)
{
	*start = kva_start;
	*end = KVA_MAX_ADDRESS;
}

void
pmap_print_layout(void)
{
	kprintf("pmap: no direct map; kernel-linear %p-%p, KVA %p-%p\n",
	    (void *)kernel_start, (void *)kva_start, (void *)kva_start,
	    (void *)KVA_MAX_ADDRESS);
}
