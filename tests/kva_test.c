/*
 * Suite "kva": the kernel virtual address arena (mm/kva.c).  Ranges are
 * page-aligned, inside the bounds pmap gave, disjoint; freed ranges are
 * reused and coalesce so the arena's shape (its statistics) comes back
 * exactly whatever order they are freed in; exhaustion returns 0; and a
 * bad kva_free() panics before it changes anything.
 *
 * The arena is the live one, shared with kmem: every test gives back
 * all it takes, and compares the statistics with those it started from.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <mm/testhooks.h>
#include <machine/vmparam.h>

#define	NPIECES		8
#define	MAXHELD		(KVA_NTAGS + 16)	/* more than the tags */

/* Ranges a test holds: too many for the kernel stack. */
static vaddr_t	held[MAXHELD];
static size_t	heldsz[MAXHELD];

/* The checks of kva_free are KASSERTs: without them, nothing to test. */
#ifdef NO_KASSERT
#define	REQUIRE_KASSERT()	KT_SKIP("built with NO_KASSERT")
#else
#define	REQUIRE_KASSERT()	do { } while (0)
#endif

static void
expect_stats(const struct kva_stats *want)
{
	struct kva_stats st;

	kva_get_stats(&st);
	KT_EXPECT_EQ(st.ks_total, want->ks_total);
	KT_EXPECT_EQ(st.ks_free, want->ks_free);
	KT_EXPECT_EQ(st.ks_nfree, want->ks_nfree);
	KT_EXPECT_EQ(st.ks_nalloc, want->ks_nalloc);
}

static TAILQ_HEAD(, vm_page) hoard = TAILQ_HEAD_INITIALIZER(hoard);

/* Take every free page (a no-wait caller's worst case); returns how many. */
static unsigned long
hoard_all_pages(void)
{
	unsigned long n = 0;
	vm_page_t m;

	vm_page_drain_cache();
	while ((m = vm_page_alloc(VM_ALLOC_NOWAIT)) != NULL) {
		TAILQ_INSERT_TAIL(&hoard, m, plinks);
		n++;
	}
	return (n);
}

static void
release_hoard(void)
{
	vm_page_t m;

	while ((m = TAILQ_FIRST(&hoard)) != NULL) {
		TAILQ_REMOVE(&hoard, m, plinks);
		vm_page_free(m);
	}
}

/*
 * Page tables for a new KVA range are made by kva_alloc (pmap_growkernel),
 * never by pmap_kenter: with no memory left, an allocation that needs a
 * new page table fails cleanly instead of panicking later in pmap_kenter.
 * (i386 has every kernel page table from boot: it always succeeds.)
 * First in the suite: later tests take the whole arena, which builds
 * every page table of it.
 */
KTEST(kva, growth_without_memory_fails_cleanly)
{
	struct kva_stats before, after;
	size_t big;
	vaddr_t va;

	kva_get_stats(&before);
	/* Beyond the tables built so far; the arena is RAM-sized on x86_64. */
	big = MIN(64UL << 20, trunc_page(before.ks_free / 2));
	KT_ASSERT_GT(hoard_all_pages(), 0);
	va = kva_alloc(big);
	release_hoard();
	if (va != 0) {
		KT_EXPECT_EQ(PMAP_HAS_DMAP, 0);	/* only i386 may succeed */
		kva_free(va, big);
	}
	kva_get_stats(&after);
	KT_EXPECT_EQ(after.ks_free, before.ks_free);
	KT_EXPECT_EQ(after.ks_nalloc, before.ks_nalloc);
	va = kva_alloc(big);			/* memory is back */
	KT_ASSERT_NE(va, 0);
	kva_free(va, big);
}

KTEST(kva, alloc_aligned_in_bounds)
{
	static const size_t sizes[] = { 1, PAGE_SIZE, PAGE_SIZE + 1,
	    5 * PAGE_SIZE, 1 << 20 };
	vaddr_t start, end, va[nitems(sizes)];
	struct kva_stats st0, st;
	size_t i, used = 0;

	pmap_kva_bounds(&start, &end);
	kva_get_stats(&st0);
	KT_EXPECT_EQ(st0.ks_total, end - start);
	for (i = 0; i < nitems(sizes); i++) {
		va[i] = kva_alloc(sizes[i]);
		KT_ASSERT_NE(va[i], 0);
		KT_EXPECT_EQ(va[i] & PAGE_MASK, 0);
		KT_EXPECT_GE(va[i], start);
		KT_EXPECT_LE(va[i] + round_page(sizes[i]), end);
		used += round_page(sizes[i]);
	}
	kva_get_stats(&st);
	KT_EXPECT_EQ(st.ks_free, st0.ks_free - used);
	KT_EXPECT_EQ(st.ks_nalloc, st0.ks_nalloc + (int)nitems(sizes));
	for (i = 0; i < nitems(sizes); i++)
		kva_free(va[i], sizes[i]);	/* rounded the same way */
	expect_stats(&st0);
}

KTEST(kva, ranges_distinct)
{
	vaddr_t va[16];
	size_t sz[16];
	struct kva_stats st0;
	int i, j;

	kva_get_stats(&st0);
	for (i = 0; i < 16; i++) {
		sz[i] = (size_t)(1 + (i * 7) % 5) * PAGE_SIZE;
		va[i] = kva_alloc(sz[i]);
		KT_ASSERT_NE(va[i], 0);
	}
	for (i = 0; i < 16; i++)
		for (j = i + 1; j < 16; j++)
			KT_EXPECT_TRUE(va[i] + sz[i] <= va[j] ||
			    va[j] + sz[j] <= va[i]);
	for (i = 0; i < 16; i++)
		kva_free(va[i], sz[i]);
	expect_stats(&st0);
}

/* First fit: a freed range is the first candidate for the next request. */
KTEST(kva, free_then_alloc_reuses)
{
	vaddr_t a, b, c;
	struct kva_stats st0;

	kva_get_stats(&st0);
	a = kva_alloc(3 * PAGE_SIZE);
	b = kva_alloc(PAGE_SIZE);	/* keeps a from merging upwards */
	KT_ASSERT_NE(a, 0);
	KT_ASSERT_NE(b, 0);
	kva_free(a, 3 * PAGE_SIZE);
	c = kva_alloc(3 * PAGE_SIZE);
	KT_EXPECT_EQ(c, a);
	kva_free(c, 3 * PAGE_SIZE);
	c = kva_alloc(PAGE_SIZE);	/* a smaller request fits there too */
	KT_EXPECT_EQ(c, a);
	kva_free(c, PAGE_SIZE);
	kva_free(b, PAGE_SIZE);
	expect_stats(&st0);
}

/*
 * Allocate a guard, NPIECES pieces and a guard, back to back, so that
 * every piece's neighbours are known: the guards stay allocated, so the
 * number of free extents after each kva_free is exactly predictable.
 * Then free the pieces in the given order, and the guards.
 * => pieces of 16 pages or more: only a free hole that large below the
 *    frontier of the arena could break the chain.
 */
static void
coalesce_run(const int order[NPIECES])
{
	vaddr_t va[NPIECES + 2];
	size_t sz[NPIECES + 2];
	bool freed[NPIECES + 2] = { false };
	struct kva_stats st0, st, prev;
	int i, k;

	kva_get_stats(&st0);
	for (i = 0; i < NPIECES + 2; i++) {
		sz[i] = (size_t)(16 + i) * PAGE_SIZE;
		va[i] = kva_alloc(sz[i]);
		KT_ASSERT_NE(va[i], 0);
		if (i > 0)
			KT_ASSERT_EQ(va[i], va[i - 1] + sz[i - 1]);
	}
	for (k = 0; k < NPIECES; k++) {
		i = order[k] + 1;
		kva_get_stats(&prev);
		kva_free(va[i], sz[i]);
		freed[i] = true;
		kva_get_stats(&st);
		/* A new extent, less one per free neighbour it merged with. */
		KT_EXPECT_SEQ(st.ks_nfree, prev.ks_nfree + 1 - freed[i - 1] -
		    freed[i + 1]);
		KT_EXPECT_EQ(st.ks_free, prev.ks_free + sz[i]);
		KT_EXPECT_SEQ(st.ks_nalloc, prev.ks_nalloc - 1);
	}
	/* The pieces are one free extent between the guards now. */
	KT_EXPECT_SEQ(st.ks_nfree, st0.ks_nfree + 1);
	kva_free(va[0], sz[0]);
	kva_free(va[NPIECES + 1], sz[NPIECES + 1]);
	expect_stats(&st0);
}

KTEST(kva, coalesce_lifo)
{
	static const int order[NPIECES] = { 7, 6, 5, 4, 3, 2, 1, 0 };

	coalesce_run(order);
}

KTEST(kva, coalesce_fifo)
{
	static const int order[NPIECES] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	coalesce_run(order);
}

/* Odd pieces first (isolated holes), then even: merges on both sides. */
KTEST(kva, coalesce_interleaved)
{
	static const int order[NPIECES] = { 1, 3, 5, 7, 0, 2, 6, 4 };

	coalesce_run(order);
}

/*
 * Take the whole arena in big chunks (largest power of two first, halving
 * on failure), check that nothing more is to be had, and give it back.
 */
KTEST(kva, exhaustion_returns_zero)
{
	struct kva_stats st0, st;
	size_t size;
	int i, n = 0;

	kva_get_stats(&st0);
	for (size = PAGE_SIZE; size <= st0.ks_free / 2; size *= 2)
		;
	while (size >= PAGE_SIZE) {
		if ((held[n] = kva_alloc(size)) == 0) {
			size /= 2;
			continue;
		}
		heldsz[n] = size;
		KT_ASSERT_LT(++n, MAXHELD);
	}
	kva_get_stats(&st);
	KT_EXPECT_EQ(st.ks_free, 0);
	KT_EXPECT_EQ(st.ks_nfree, 0);
	KT_EXPECT_EQ(kva_alloc(PAGE_SIZE), 0);
	KT_EXPECT_EQ(kva_alloc(1), 0);
	ktest_diag("arena of %zu MiB taken in %d ranges", st0.ks_total >> 20,
	    n);
	/* Give back half, out of order, then the rest. */
	for (i = 0; i < n; i += 2)
		kva_free(held[i], heldsz[i]);
	for (i = 1; i < n; i += 2)
		kva_free(held[i], heldsz[i]);
	expect_stats(&st0);
}

KTEST(kva, too_large_returns_zero)
{
	struct kva_stats st0;

	kva_get_stats(&st0);
	KT_EXPECT_EQ(kva_alloc(st0.ks_total + PAGE_SIZE), 0);
	KT_EXPECT_EQ(kva_alloc(SIZE_MAX), 0);	/* rounding would wrap */
	KT_EXPECT_EQ(kva_alloc(SIZE_MAX - PAGE_SIZE + 2), 0);
	expect_stats(&st0);
}

/*
 * kva_free(va, size) under a panic catch: true if it panicked, with the
 * message in kc.  The arena must be as it was: a caught panic changed
 * nothing.
 */
static bool
free_panics(vaddr_t va, size_t size, struct kcatch *kc)
{
	struct kva_stats st0;

	kva_get_stats(&st0);
	kcatch_arm(kc, KCATCH_PANIC);
	if (setjmp(kc->kc_jb) == 0)
		kva_free(va, size);
	kcatch_disarm(kc);
	expect_stats(&st0);
	return (kc->kc_count == 1);
}

KTEST(kva, free_wrong_size_panics)
{
	struct kva_stats st0;
	struct kcatch kc;
	vaddr_t va;

	REQUIRE_KASSERT();
	kva_get_stats(&st0);
	va = kva_alloc(2 * PAGE_SIZE);
	KT_ASSERT_NE(va, 0);
	KT_EXPECT_TRUE(free_panics(va, PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "kva_free"));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "was allocated"));
	KT_EXPECT_TRUE(free_panics(va, 3 * PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "was allocated"));
	/* The range is still whole: the right size frees it. */
	kva_free(va, 2 * PAGE_SIZE);
	expect_stats(&st0);
}

KTEST(kva, double_free_panics)
{
	struct kva_stats st0;
	struct kcatch kc;
	vaddr_t va, guard;

	REQUIRE_KASSERT();
	kva_get_stats(&st0);
	va = kva_alloc(PAGE_SIZE);
	guard = kva_alloc(PAGE_SIZE);
	KT_ASSERT_NE(va, 0);
	KT_ASSERT_NE(guard, 0);
	kva_free(va, PAGE_SIZE);
	KT_EXPECT_TRUE(free_panics(va, PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "double free"));
	kva_free(guard, PAGE_SIZE);
	expect_stats(&st0);
}

KTEST(kva, free_of_foreign_range_panics)
{
	struct kva_stats st0;
	struct kcatch kc;
	vaddr_t va, start, end;

	REQUIRE_KASSERT();
	pmap_kva_bounds(&start, &end);
	kva_get_stats(&st0);
	va = kva_alloc(4 * PAGE_SIZE);
	KT_ASSERT_NE(va, 0);
	KT_EXPECT_TRUE(free_panics(va + PAGE_SIZE, PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "inside an allocated range"));
	KT_EXPECT_TRUE(free_panics(start - PAGE_SIZE, PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "outside the arena"));
	kva_free(va, 4 * PAGE_SIZE);
	expect_stats(&st0);
}

KTEST(kva, zero_size_panics)
{
	struct kva_stats st0;
	struct kcatch kc;
	volatile vaddr_t va = 1;

	REQUIRE_KASSERT();
	kva_get_stats(&st0);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		va = kva_alloc(0);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_EQ(va, 1);
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "size 0"));
	expect_stats(&st0);
}

/*
 * Single pages carved off the big free extent each cost a boundary tag:
 * take them until the pool runs dry.  That panics, cleanly: the arena is
 * intact and everything goes back.
 */
KTEST(kva, tag_pool_exhaustion_panics)
{
	struct kva_stats st0, st1;
	struct kcatch kc;
	volatile int n = 0;
	int i;

	kva_get_stats(&st0);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		while (n < MAXHELD) {
			held[n] = kva_alloc(PAGE_SIZE);
			n = n + 1;
		}
	}
	kcatch_disarm(&kc);
	KT_ASSERT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "boundary tags"));
	kva_get_stats(&st1);
	/* Every tag the arena did not use went to one page (or more). */
	KT_EXPECT_FALSE(n < KVA_NTAGS - st0.ks_nfree - st0.ks_nalloc);
	/* The failed call assigned nothing: held[0 .. n) are all good. */
	KT_EXPECT_SEQ(st1.ks_nalloc, st0.ks_nalloc + n);
	KT_EXPECT_EQ(st1.ks_free, st0.ks_free - (size_t)n * PAGE_SIZE);
	/* Freeing never needs a tag: it moves or merges the range's own. */
	for (i = 0; i < n; i++)
		kva_free(held[i], PAGE_SIZE);
	expect_stats(&st0);
}
