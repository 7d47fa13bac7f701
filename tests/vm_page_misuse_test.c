/*
 * Suite "vm_page", continued: the KASSERTs that guard vm_page_free() and
 * vm_page_wire(), PHYS_TO_VM_PAGE's bounds, and RAM above 4 GiB.  Each
 * misuse must panic and leave the allocator exactly as it was.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <mm/testhooks.h>
#include <machine/vmparam.h>
#include "vm_snap.h"

#define	HIGH_STRIDE	MAXBLOCK		/* pages in ram_above_4g */
#define	MAXBLOCK	(1UL << (VM_NFREEORDER - 1))	/* pages */

enum page_op { OP_FREE, OP_FREE8, OP_WIRE, OP_UNWIRE };

static void
page_op(enum page_op op, vm_page_t m)
{
	switch (op) {
	case OP_FREE:
		vm_page_free(m);
		break;
	case OP_FREE8:
		vm_page_free_contig(m, 8);
		break;
	case OP_WIRE:
		vm_page_wire(m);
		break;
	case OP_UNWIRE:
		(void)vm_page_unwire(m);
		break;
	}
}

/*
 * Apply op to m expecting a KASSERT whose message contains what; the
 * free count must not move.  A failure is reported at the caller's line.
 */
static void
op_panics_at(enum page_op op, vm_page_t m, const char *what, int line)
{
	unsigned long free0 = vm_cnt.v_free_count;
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		page_op(op, m);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(vm_cnt.v_free_count, free0);
	if (kc.kc_count == 1 && strstr(kc.kc_msg, what))
		return;
	ktest_diag("page %p: expected a panic with \"%s\", got: %s",
	    (void *)m, what, kc.kc_count != 0 ? kc.kc_msg : "none");
	ktest_fail_msg(__FILE__, line, "expected a KASSERT", false);
}
#define	EXPECT_PANIC(op, m, what) op_panics_at(op, m, what, __LINE__)

#define	FREED		"already free"
#define	NOT_MANAGED	"not a page of managed RAM"

/*
 * A page freed twice: while in the per-CPU cache, as the head of a free
 * block, and merged into the middle of a larger free block (where it
 * carries no flag of its own); a contiguous run freed twice.
 */
KTEST(vm_page, double_free_panics)
{
	struct vm_snap s;
	vm_page_t m;

	snap_take(&s);
	m = vm_page_alloc(VM_ALLOC_NOWAIT);
	KT_ASSERT_NOTNULL(m);
	vm_page_free(m);
	EXPECT_PANIC(OP_FREE, m, FREED);
	vm_page_drain_cache();
	EXPECT_PANIC(OP_FREE, m, FREED);
	m = vm_page_alloc_contig(8, 8 * PAGE_SIZE, VM_ALLOC_NOWAIT);
	KT_ASSERT_NOTNULL(m);
	vm_page_free_contig(m, 8);
	EXPECT_PANIC(OP_FREE, &m[0], FREED);
	EXPECT_PANIC(OP_FREE, &m[1], FREED);
	EXPECT_PANIC(OP_FREE, &m[7], FREED);
	EXPECT_PANIC(OP_FREE8, m, FREED);
	snap_check(&s);
}

/*
 * Pages of the kernel image and of the boot allocations have a struct
 * vm_page (segments start at 1 MiB, where the kernel is loaded) but are
 * reserved: freeing one would hand the kernel out.
 */
KTEST(vm_page, free_reserved_panics)
{
	paddr_t pa[2] = {
		(uintptr_t)kernel_start - KERNBASE,
		vm_boot_alloc_end() - PAGE_SIZE,
	};
	struct vm_snap s;
	vm_page_t m;
	uint16_t flags;
	int i;

	snap_take(&s);
	for (i = 0; i < 2; i++) {
		m = PHYS_TO_VM_PAGE(pa[i]);
		KT_ASSERT_NOTNULL(m);
		KT_EXPECT_EQ(VM_PAGE_TO_PHYS(m), pa[i]);
		flags = m->flags;
		EXPECT_PANIC(OP_FREE, m, NOT_MANAGED);
		KT_EXPECT_EQ(m->flags, flags);
	}
	snap_check(&s);
}

/*
 * Not a struct vm_page of the array: garbage on the stack, an exact copy
 * of a real one on the stack, and pointers into the middle of one.
 */
KTEST(vm_page, free_foreign_panics)
{
	struct vm_page fake;
	struct vm_snap s;
	vm_page_t m;

	snap_take(&s);
	memset(&fake, 0xa5, sizeof(fake));
	EXPECT_PANIC(OP_FREE, &fake, NOT_MANAGED);
	m = vm_page_alloc(VM_ALLOC_NOWAIT);
	KT_ASSERT_NOTNULL(m);
	fake = *m;
	EXPECT_PANIC(OP_FREE, &fake, NOT_MANAGED);
	EXPECT_PANIC(OP_FREE, (vm_page_t)((char *)m + 4), NOT_MANAGED);
	EXPECT_PANIC(OP_FREE, (vm_page_t)((char *)m + sizeof(*m) / 2),
	    NOT_MANAGED);
	vm_page_free(m);
	snap_check(&s);
}

/* Freeing a wired page, unwiring an unwired one, wiring a free one. */
KTEST(vm_page, wiring_misuse_panics)
{
	struct vm_snap s;
	vm_page_t m;

	snap_take(&s);
	m = vm_page_alloc(VM_ALLOC_NOWAIT | VM_ALLOC_WIRED);
	KT_ASSERT_NOTNULL(m);
	EXPECT_PANIC(OP_FREE, m, "wired");
	KT_EXPECT_EQ(m->wire_count, 1);
	KT_EXPECT_TRUE(vm_page_unwire(m));
	EXPECT_PANIC(OP_UNWIRE, m, "not wired");
	KT_EXPECT_EQ(m->wire_count, 0);
	vm_page_free(m);
	EXPECT_PANIC(OP_WIRE, m, "is free");
	KT_EXPECT_EQ(m->wire_count, 0);
	snap_check(&s);
}

/* Expect PHYS_TO_VM_PAGE(pa) to be the page of pa if managed, else NULL. */
static void
check_lookup(paddr_t pa, bool managed)
{
	vm_page_t m = PHYS_TO_VM_PAGE(pa);

	if (managed != (m != NULL))
		ktest_diag("pa %#llx: managed %d", (unsigned long long)pa,
		    managed);
	KT_EXPECT_EQ(m != NULL, managed);
	if (m != NULL)
		KT_EXPECT_EQ(VM_PAGE_TO_PHYS(m), pa);
}

/*
 * Managed: available RAM from 1 MiB up to VM_MAX_PHYS.  Probe both ends
 * of every range of the map, and addresses no RAM has.
 */
KTEST(vm_page, phys_to_vm_page_bounds)
{
	paddr_t first, last;
	int i;

	check_lookup(0, false);
	check_lookup(LOWMEM_END - PAGE_SIZE, false);
	check_lookup(1ULL << 40, false);
	check_lookup(~(paddr_t)PAGE_MASK, false);
	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *ms = &bootinfo.bi_mem[i];
		bool avail = (ms->ms_type == MEMSEG_AVAILABLE);

		first = round_page64(ms->ms_start);
		last = trunc_page64(ms->ms_end) - PAGE_SIZE;
		if (last < first)
			continue;
		check_lookup(first, avail && first >= LOWMEM_END &&
		    first < VM_MAX_PHYS);
		check_lookup(last, avail && last >= LOWMEM_END &&
		    last < VM_MAX_PHYS);
		if (avail && i + 1 < bootinfo.bi_nmem &&
		    bootinfo.bi_mem[i + 1].ms_start > ms->ms_end)
			check_lookup(last + PAGE_SIZE, false);
	}
	/* Past the end of the last range. */
	check_lookup(round_page64(bootinfo.bi_mem[bootinfo.bi_nmem - 1].ms_end),
	    false);
}

#if PMAP_HAS_DMAP
/*
 * Stamp every HIGH_STRIDE-th page of the blocks above 4 GiB with its
 * address through the direct map, then read them all back: all are
 * written before any is read, so two pages aliasing one frame would
 * show.  Returns the pages wrong.  (One page per largest block, 16 MiB:
 * every block above 4 GiB is written.  Each first touch of a guest page
 * costs QEMU a host page fault and a TLB fill from a 1 GiB mapping;
 * a page per 256 KiB took 8 s of the 6 GiB row, this takes under 2.)
 */
static unsigned long
stamp_blocks(const struct pglist *list, bool check)
{
	unsigned long i, bad = 0;
	volatile uint64_t *p;
	paddr_t pa;
	vm_page_t m;

	TAILQ_FOREACH(m, list, plinks) {
		for (i = 0; i < MAXBLOCK; i += HIGH_STRIDE) {
			if ((pa = VM_PAGE_TO_PHYS(&m[i])) < 4 * GIB)
				break;
			p = (volatile uint64_t *)PHYS_TO_DMAP(pa);
			if (!check) {
				p[0] = pa ^ PG_MARK;
				p[PAGE_SIZE / 8 - 1] = ~pa;
			} else
				bad += (p[0] != (pa ^ PG_MARK) ||
				    p[PAGE_SIZE / 8 - 1] != ~pa);
		}
	}
	return (bad);
}
#endif

/*
 * x86_64: RAM above 4 GiB is handed out, and usable through the direct
 * map.  Taking every largest block is quick and reaches nearly all of it
 * (exhaust_free_in_order counts the single pages).  i386 without PAE
 * cannot address that RAM: no block may lie there.
 */
KTEST(vm_page, ram_above_4g)
{
	struct vm_snap s;
	struct pglist list;
	unsigned long high = 0;
	vm_page_t m;

	if (ram_between(4 * GIB, UINT64_MAX) == 0)
		KT_SKIP("no RAM above 4 GiB");
	snap_take(&s);
	TAILQ_INIT(&list);
	while ((m = vm_page_alloc_contig(MAXBLOCK, PAGE_SIZE,
	    VM_ALLOC_NOWAIT)) != NULL) {
		TAILQ_INSERT_TAIL(&list, m, plinks);
		high += (VM_PAGE_TO_PHYS(m) >= 4 * GIB);
	}
#if PMAP_HAS_DMAP
	KT_EXPECT_GT(high, 0);
	stamp_blocks(&list, false);
	KT_EXPECT_EQ(stamp_blocks(&list, true), 0);
#else
	KT_EXPECT_EQ(high, 0);
	KT_EXPECT_NULL(PHYS_TO_VM_PAGE(4 * GIB));
#endif
	while ((m = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, m, plinks);
		vm_page_free_contig(m, MAXBLOCK);
	}
	snap_check(&s);
}
