/*
 * Suite "vm_page": the physical page allocator (mm/vm_page.c over the
 * buddy allocator of mm/vm_phys.c) against its contract in mm/vm_page.h:
 * exhaustion and exact recovery of the free count and of the buddy
 * shape, zero-filled and contiguous allocations, wiring, the KASSERTs
 * that guard vm_page_free(), and which physical pages may be handed out
 * at all.
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
#include <machine/vmparam.h>

#define	MIB		(1024ULL * 1024)
#define	GIB		(1024 * MIB)
#define	LOWMEM_END	MIB
#define	PG_MARK		0x5ca1ab1e00000000ULL	/* in pindex: "ours" */
#define	NDIRTY		64			/* pages in alloc_zero_fills */
#define	HIGH_STRIDE	64			/* pages in ram_above_4g */
#define	MAXBLOCK	(1UL << (VM_NFREEORDER - 1))	/* pages */

TAILQ_HEAD(pglist, vm_page);

extern char kernel_start[];

/* The allocator's state, as the tests compare it. */
struct vm_snap {
	unsigned long	free;
	unsigned long	wire;
	unsigned long	counts[VM_NFREEORDER];
};

/*
 * Drain the per-CPU cache first: cached pages are single free pages
 * outside the buddy lists, and where they sit is not part of the shape.
 */
static void
snap_take(struct vm_snap *s)
{
	vm_page_drain_cache();
	s->free = vm_cnt.v_free_count;
	s->wire = vm_cnt.v_wire_count;
	vm_phys_free_counts(s->counts);
}

/* The allocator is back exactly where s saw it. */
static void
snap_check(const struct vm_snap *s)
{
	unsigned long now[VM_NFREEORDER];
	int i, bad = 0;

	vm_page_drain_cache();
	KT_EXPECT_EQ(vm_cnt.v_free_count, s->free);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, s->wire);
	vm_phys_free_counts(now);
	for (i = 0; i < VM_NFREEORDER; i++) {
		if (now[i] != s->counts[i])
			ktest_diag("order %d: %lu free blocks, %lu at the "
			    "start", i, now[i], s->counts[i]);
		bad += (now[i] != s->counts[i]);
	}
	KT_EXPECT_EQ(bad, 0);
}

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

/* Bytes of available RAM in [lo, hi) (the map is sanitised: no overlaps). */
static uint64_t
ram_between(uint64_t lo, uint64_t hi)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *ms = &bootinfo.bi_mem[i];

		if (ms->ms_type == MEMSEG_AVAILABLE && ms->ms_end > lo &&
		    ms->ms_start < hi)
			total += MIN(ms->ms_end, hi) - MAX(ms->ms_start, lo);
	}
	return (total);
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

static bool
has_substr(const char *s, const char *what)
{
	size_t len = strlen(what);

	for (; *s != '\0'; s++)
		if (strncmp(s, what, len) == 0)
			return (true);
	return (false);
}

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
	if (kc.kc_count == 1 && has_substr(kc.kc_msg, what))
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
 * show.  Returns the pages wrong.  (The stride still reaches every 2 MiB
 * of the direct map; every page would cost seconds under TCG, which is
 * slow to fill its TLB from 1 GiB mappings.)
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
