/*
 * Suite "vm_page": the physical page allocator (mm/vm_page.c and
 * mm/vm_page_alloc.c over the buddy allocator of mm/vm_phys.c) against
 * its contract in mm/vm_page.h: exhaustion and exact recovery of the
 * free count and of the buddy shape, zero-filled and contiguous
 * allocations, wiring, the KASSERTs that guard vm_page_free(), and which
 * physical pages may be handed out at all.
 *
 * The exhaustion tests take every free page, 1.5 million of them on a
 * 6 GiB machine under TCG, so the work per page is kept to a few
 * comparisons and nothing is zeroed or mapped there.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <mm/testhooks.h>
#include <machine/vmparam.h>
#include "vm_snap.h"

#define	NDIRTY		64			/* pages in alloc_zero_fills */

/*
 * Allocate every free page onto list; returns how many, and in *dups how
 * many were handed out twice.  Each page is marked in pindex (the owner's
 * field) with a mark no earlier run used, so a second hand-out shows.
 */
static unsigned long
exhaust(struct pglist *list, unsigned long *dups)
{
	static uint64_t gen;
	uint64_t mark = PG_MARK | ++gen;
	unsigned long n = 0;
	vm_page_t m;

	TAILQ_INIT(list);
	*dups = 0;
	while ((m = vm_page_alloc(VM_ALLOC_NOWAIT)) != NULL) {
		*dups += (m->pindex == mark);
		m->pindex = mark;
		TAILQ_INSERT_TAIL(list, m, plinks);
		n++;
	}
	return (n);
}

static void
release(struct pglist *list, vm_page_t m)
{
	TAILQ_REMOVE(list, m, plinks);
	m->pindex = 0;
	vm_page_free(m);
}

static bool
overlaps_reserved(paddr_t pa)
{
	int i;

	for (i = 0; i < bootinfo.bi_nrsv; i++)
		if (pa < bootinfo.bi_rsv[i].pr_end &&
		    bootinfo.bi_rsv[i].pr_start < pa + PAGE_SIZE)
			return (true);
	return (false);
}

/* NULL if m may be handed out, else why not. */
static const char *
page_fault_reason(vm_page_t m)
{
	paddr_t pa = VM_PAGE_TO_PHYS(m);

	if (pa < LOWMEM_END)
		return ("below 1 MiB");
	if (pa + PAGE_SIZE > VM_MAX_PHYS)
		return ("above VM_MAX_PHYS");
	if (overlaps_reserved(pa))
		return ("overlaps a reserved range");
	if (ram_between(pa, pa + PAGE_SIZE) != PAGE_SIZE)
		return ("not available RAM");
	if (PHYS_TO_VM_PAGE(pa) != m)
		return ("PHYS_TO_VM_PAGE does not give it back");
	if ((m->flags & (PG_FREE | PG_CACHED)) != 0 || m->wire_count != 0)
		return ("still flagged free, or wired");
	return (NULL);
}

/*
 * Every page of the list may be handed out, and every managed page at or
 * above 4 GiB (x86_64; none on i386) that was free is among them.
 */
static void
check_pages(const struct pglist *list, const struct vm_snap *s)
{
	unsigned long bad = 0, high = 0;
	uint64_t want = ram_between(4 * GIB, VM_MAX_PHYS) / PAGE_SIZE;
	const char *why;
	vm_page_t m;

	TAILQ_FOREACH(m, list, plinks) {
		high += (VM_PAGE_TO_PHYS(m) >= 4 * GIB);
		if ((why = page_fault_reason(m)) == NULL)
			continue;
		if (bad++ < 4)
			ktest_diag("page %#llx: %s",
			    (unsigned long long)VM_PAGE_TO_PHYS(m), why);
	}
	KT_EXPECT_EQ(bad, 0);
	KT_EXPECT_LE(high, want);
	KT_EXPECT_GE(high + (vm_cnt.v_page_count - s->free), want);
}

enum free_order { FREE_FORWARD, FREE_REVERSE, FREE_INTERLEAVED };

/*
 * Interleaved: every other page first (no buddy can merge yet), then the
 * rest from the tail, each of which completes a pair.
 */
static void
release_all(struct pglist *list, unsigned long n, enum free_order how)
{
	vm_page_t m, next;

	if (how == FREE_INTERLEAVED) {
		for (m = TAILQ_FIRST(list); m != NULL; m = next) {
			next = TAILQ_NEXT(m, plinks);
			if (next != NULL)
				next = TAILQ_NEXT(next, plinks);
			release(list, m);
		}
		KT_EXPECT_EQ(vm_cnt.v_free_count, (n + 1) / 2);
	}
	while ((m = how == FREE_FORWARD ? TAILQ_FIRST(list) :
	    TAILQ_LAST(list, pglist)) != NULL)
		release(list, m);
}

/*
 * Take every free page (after which nothing more can be had), check them
 * all if asked, then free them in the given order: the free count and
 * the buddy shape come back exactly.
 */
static void
exhaust_cycle(enum free_order how, bool check)
{
	struct vm_snap s;
	struct pglist list;
	unsigned long n, dups;

	snap_take(&s);
	n = exhaust(&list, &dups);
	KT_EXPECT_EQ(n, s.free);
	KT_EXPECT_EQ(dups, 0);
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	KT_EXPECT_NULL(vm_page_alloc(VM_ALLOC_NOWAIT | VM_ALLOC_ZERO |
	    VM_ALLOC_WIRED));
	KT_EXPECT_NULL(vm_page_alloc_contig(1, PAGE_SIZE, VM_ALLOC_NOWAIT));
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	if (check)
		check_pages(&list, &s);
	release_all(&list, n, how);
	snap_check(&s);
}

/* While every page is out, none is one that must never be handed out. */
KTEST(vm_page, exhaust_free_in_order)
{
	exhaust_cycle(FREE_FORWARD, true);
}

KTEST(vm_page, exhaust_free_reverse)
{
	exhaust_cycle(FREE_REVERSE, false);
}

KTEST(vm_page, exhaust_free_interleaved)
{
	exhaust_cycle(FREE_INTERLEAVED, false);
}

/*
 * A window: one KVA page through which the tests look at pages (both
 * architectures have KVA; only x86_64 has a direct map).  Opened before
 * the allocator's state is recorded: the first mapping at an address may
 * allocate page-table pages, and those stay.  The entry made to build
 * them is removed before anything could use it.
 */
static vaddr_t
win_open(void)
{
	vaddr_t va = kva_alloc(PAGE_SIZE);

	KT_ASSERT_NE(va, 0);
	pmap_kenter(va, KERNLOAD);
	pmap_kremove(va);
	pmap_invalidate_page(va);
	return (va);
}

static void
win_close(vaddr_t va)
{
	pmap_kremove(va);
	pmap_invalidate_page(va);
	kva_free(va, PAGE_SIZE);
}

/* Show m in the window; replaces whatever it showed, no need to clear. */
static void *
win_map(vaddr_t va, vm_page_t m)
{
	pmap_kenter(va, VM_PAGE_TO_PHYS(m));
	pmap_invalidate_page(va);
	return ((void *)va);
}

/* Is m zero-filled?  (Through the window: the same code on both archs.) */
static bool
page_is_zero(vaddr_t win, vm_page_t m)
{
	const unsigned long *p = win_map(win, m);
	unsigned long i, acc = 0;

	for (i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		acc |= p[i];
	return (acc == 0);
}

/*
 * Pages dirtied and freed come back zero-filled with VM_ALLOC_ZERO.  The
 * allocator reuses what was just freed (the per-CPU cache is LIFO, the
 * free lists too): unless some dirty page comes back, nothing is proved.
 */
KTEST(vm_page, alloc_zero_fills)
{
	vm_page_t dirty[NDIRTY], clean[NDIRTY];
	vaddr_t win = win_open();
	struct vm_snap s;
	int i, j, nonzero = 0, reused = 0;

	snap_take(&s);
	for (i = 0; i < NDIRTY; i++) {
		dirty[i] = vm_page_alloc(VM_ALLOC_NOWAIT);
		KT_ASSERT_NOTNULL(dirty[i]);
		memset(win_map(win, dirty[i]), 0xa5, PAGE_SIZE);
	}
	for (i = NDIRTY - 1; i >= 0; i--)
		vm_page_free(dirty[i]);
	for (i = 0; i < NDIRTY; i++) {
		clean[i] = vm_page_alloc(VM_ALLOC_NOWAIT | VM_ALLOC_ZERO);
		KT_ASSERT_NOTNULL(clean[i]);
		nonzero += !page_is_zero(win, clean[i]);
		for (j = 0; j < NDIRTY; j++)
			reused += (clean[i] == dirty[j]);
	}
	KT_EXPECT_EQ(nonzero, 0);
	KT_EXPECT_GT(reused, 0);
	for (i = 0; i < NDIRTY; i++)
		vm_page_free(clean[i]);
	snap_check(&s);
	win_close(win);
}

/*
 * The same for a contiguous run, which comes from the buddy lists.  The
 * dirty run's buddy stays allocated, so it cannot merge; freed blocks go
 * to the head of their list, so it is the run handed out next.
 */
KTEST(vm_page, alloc_contig_zero_fills)
{
	vaddr_t win = win_open();
	struct vm_snap s;
	vm_page_t m, z;
	int i, nonzero = 0;

	snap_take(&s);
	m = vm_page_alloc_contig(16, 16 * PAGE_SIZE, VM_ALLOC_NOWAIT);
	KT_ASSERT_NOTNULL(m);
	for (i = 8; i < 16; i++)
		memset(win_map(win, &m[i]), 0x5a, PAGE_SIZE);
	vm_page_free_contig(&m[8], 8);
	z = vm_page_alloc_contig(8, 8 * PAGE_SIZE, VM_ALLOC_NOWAIT |
	    VM_ALLOC_ZERO);
	KT_ASSERT_NOTNULL(z);
	KT_EXPECT_EQ(VM_PAGE_TO_PHYS(z), VM_PAGE_TO_PHYS(&m[8]));
	for (i = 0; i < 8; i++)
		nonzero += !page_is_zero(win, &z[i]);
	KT_EXPECT_EQ(nonzero, 0);
	vm_page_free_contig(z, 8);
	vm_page_free_contig(m, 8);
	snap_check(&s);
	win_close(win);
}

/* The buddy order a contiguous request needs; VM_NFREEORDER: too big. */
static int
contig_order(unsigned long npages, unsigned long align)
{
	int order = 0;

	while (order < VM_NFREEORDER && ((1UL << order) < npages ||
	    ((unsigned long)PAGE_SIZE << order) < align))
		order++;
	return (order);
}

/* Is a free block of at least this order in s? */
static bool
block_free(const struct vm_snap *s, int order)
{
	for (; order < VM_NFREEORDER; order++)
		if (s->counts[order] != 0)
			return (true);
	return (false);
}

/*
 * One request: it must succeed exactly when a free block of the order it
 * needs exists; then check the run's layout and wiring.
 */
static void
contig_one(unsigned long npages, unsigned long align, int flags)
{
	unsigned int wired = (flags & VM_ALLOC_WIRED) ? 1 : 0;
	unsigned long i, bad = 0;
	struct vm_snap s;
	vm_page_t m;

	snap_take(&s);
	m = vm_page_alloc_contig(npages, align, flags | VM_ALLOC_NOWAIT);
	if (!block_free(&s, contig_order(npages, align))) {
		KT_EXPECT_NULL(m);
		snap_check(&s);
		return;
	}
	KT_ASSERT_NOTNULL(m);
	KT_EXPECT_EQ(VM_PAGE_TO_PHYS(m) & (align - 1), 0);
	KT_EXPECT_EQ(vm_cnt.v_free_count, s.free - npages);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, s.wire + wired * npages);
	for (i = 0; i < npages; i++) {
		bad += (VM_PAGE_TO_PHYS(&m[i]) != VM_PAGE_TO_PHYS(m) +
		    i * PAGE_SIZE || m[i].wire_count != wired ||
		    (m[i].flags & (PG_FREE | PG_CACHED)) != 0);
		if (wired)
			bad += !vm_page_unwire(&m[i]);
	}
	KT_EXPECT_EQ(bad, 0);
	vm_page_free_contig(m, npages);
	snap_check(&s);
}

/*
 * Runs that fit in a buddy block when one is free (on 16 MiB, the large
 * ones may not), then runs larger or more aligned than the largest
 * block, which are always refused.  Nothing leaks either way.
 */
KTEST(vm_page, alloc_contig_shapes)
{
	static const struct {
		unsigned long	npages, align;
		int		flags;
	} req[] = {
		{ 1, PAGE_SIZE, 0 }, { 2, PAGE_SIZE, 0 }, { 3, PAGE_SIZE, 0 },
		{ 5, 32 * 1024, 0 }, { 16, 64 * 1024, 0 },
		{ 17, PAGE_SIZE, VM_ALLOC_WIRED }, { 1, 2 * MIB, 0 },
		{ 100, PAGE_SIZE, 0 }, { 256, MIB, VM_ALLOC_WIRED },
		{ 1000, 4 * MIB, 0 }, { 4096, PAGE_SIZE, 0 },
		{ 1, 16 * MIB, 0 }, { 4097, PAGE_SIZE, 0 },
		{ 1UL << 20, PAGE_SIZE, 0 }, { 1, 32 * MIB, 0 },
		{ 4096, 32 * MIB, 0 },
	};
	unsigned int i;

	for (i = 0; i < nitems(req); i++)
		contig_one(req[i].npages, req[i].align, req[i].flags);
}

/*
 * 16-page runs until none is left: exactly the blocks of order 4 and up
 * are used up, the smaller ones are untouched, and all comes back.
 */
KTEST(vm_page, alloc_contig_until_exhausted)
{
	struct vm_snap s;
	struct pglist list;
	unsigned long n = 0, want = 0, now[VM_NFREEORDER];
	vm_page_t m;
	int o;

	snap_take(&s);
	for (o = 4; o < VM_NFREEORDER; o++)
		want += s.counts[o] << (o - 4);
	TAILQ_INIT(&list);
	while ((m = vm_page_alloc_contig(16, PAGE_SIZE, VM_ALLOC_NOWAIT)) !=
	    NULL) {
		TAILQ_INSERT_TAIL(&list, m, plinks);
		n++;
	}
	KT_EXPECT_EQ(n, want);
	KT_EXPECT_EQ(vm_cnt.v_free_count, s.free - 16 * n);
	vm_phys_free_counts(now);
	for (o = 0; o < VM_NFREEORDER; o++)
		KT_EXPECT_EQ(now[o], o < 4 ? s.counts[o] : 0);
	while ((m = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, m, plinks);
		vm_page_free_contig(m, 16);
	}
	snap_check(&s);
}

KTEST(vm_page, wiring_counts)
{
	unsigned long w0 = vm_cnt.v_wire_count;
	vm_page_t m, u;

	m = vm_page_alloc(VM_ALLOC_NOWAIT | VM_ALLOC_WIRED);
	KT_ASSERT_NOTNULL(m);
	KT_EXPECT_EQ(m->wire_count, 1);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, w0 + 1);
	vm_page_wire(m);
	vm_page_wire(m);
	KT_EXPECT_EQ(m->wire_count, 3);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, w0 + 1);	/* pages, not wirings */
	KT_EXPECT_FALSE(vm_page_unwire(m));
	KT_EXPECT_FALSE(vm_page_unwire(m));
	KT_EXPECT_EQ(m->wire_count, 1);
	KT_EXPECT_TRUE(vm_page_unwire(m));
	KT_EXPECT_EQ(m->wire_count, 0);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, w0);
	u = vm_page_alloc(VM_ALLOC_NOWAIT);
	KT_ASSERT_NOTNULL(u);
	KT_EXPECT_EQ(u->wire_count, 0);
	vm_page_wire(u);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, w0 + 1);
	KT_EXPECT_TRUE(vm_page_unwire(u));
	vm_page_free(u);
	vm_page_free(m);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, w0);
}
