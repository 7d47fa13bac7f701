/*
 * Suite "sf_buf" (mm/sf_buf.c), part one: the address maps the page on
 * each path, and agrees with quick maps (and the direct map); a hit
 * returns the same sf_buf, costs no remap and no flush; freed sf_bufs are
 * reused in LRU order; exhaustion with SFB_NOWAIT returns NULL and moves
 * no counter, while a hit still succeeds; every misuse panics.  The
 * sleeping, multi-CPU and stress tests are in tests/sf_buf_smp_test.c.
 *
 * The pool tests switch x86_64 to the pool for their duration
 * (sf_buf_use_map), so both paths run in every boot.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>
#include "sf_buf_test.h"

/* ------------------------------------------------------------ helpers */

bool
sfpages_alloc(struct sfpages *p, int n)
{
	int i;

	p->n = 0;
	if ((p->m = malloc(n * sizeof(*p->m), M_NOWAIT)) == NULL)
		return (false);
	for (i = 0; i < n; i++) {
		if ((p->m[i] = vm_page_alloc(VM_ALLOC_WIRED |
		    VM_ALLOC_NOWAIT)) == NULL) {
			sfpages_free(p);
			return (false);
		}
		p->n++;
	}
	return (true);
}

void
sfpages_free(struct sfpages *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		vm_page_unwire(p->m[i]);
		vm_page_free(p->m[i]);
	}
	free(p->m);
	p->n = 0;
	p->m = NULL;
}

bool
sfpool_fits(int extra)
{
	unsigned long need = sfpool_free_count() + (unsigned long)extra;

	return (vm_cnt.v_free_count >= need + need / 8 + 16);
}

unsigned long
sfpool_free_count(void)
{
	struct sf_buf_stats st;

	sf_buf_stats(&st);
	return (st.sfs_nbufs - st.sfs_inuse);
}

bool
sfpool_fill(struct sfheld *h, int leave)
{
	int want = (int)sfpool_free_count() - leave, i;

	h->n = 0;
	h->sf = NULL;
	if (want < 0 || !sfpages_alloc(&h->pages, want))
		return (false);
	if ((h->sf = malloc((want + 1) * sizeof(*h->sf), M_NOWAIT)) == NULL) {
		sfpages_free(&h->pages);
		return (false);
	}
	sched_pin();
	for (i = 0; i < want; i++) {
		h->sf[i] = sf_buf_alloc(h->pages.m[i], SFB_NOWAIT |
		    SFB_CPUPRIVATE);
		if (h->sf[i] == NULL)
			break;
		h->n++;
	}
	sched_unpin();
	return (h->n == want && sfpool_free_count() == (unsigned long)leave);
}

void
sfpool_release(struct sfheld *h)
{
	int i;

	for (i = 0; i < h->n; i++)
		sf_buf_free(h->sf[i]);
	free(h->sf);
	h->n = 0;
	sfpages_free(&h->pages);
}

#define	WORD(tag, i)	((tag) * 0x9e3779b1u ^ (uint32_t)(i))

void
sfpage_fill(vaddr_t va, uint32_t tag)
{
	uint32_t *p = (uint32_t *)va;
	int i;

	for (i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = WORD(tag, i);
}

int
sfpage_bad_words(vaddr_t va, uint32_t tag)
{
	volatile uint32_t *p = (uint32_t *)va;
	int i, bad = 0;

	for (i = 0; i < PAGE_SIZE / 4; i++)
		bad += p[i] != WORD(tag, i);
	return (bad);
}

static void
restore_map(void *map)
{
	(void)sf_buf_use_map(map != NULL);
}

static void
restore_slot(void *slot)
{
	(void)pmap_quick_use_slot(slot != NULL);
}

/* See tests/sf_buf_test.h. */
bool
sftest_use_map(bool map)
{
	bool old = sf_buf_use_map(map);

	if (ktest_defer(restore_map, old ? (void *)1 : NULL) != 0)
		KT_FAIL("sftest_use_map outside a test");
	return (old);
}

bool
sftest_use_slot(bool slot)
{
	bool old = pmap_quick_use_slot(slot);

	if (ktest_defer(restore_slot, old ? (void *)1 : NULL) != 0)
		KT_FAIL("sftest_use_slot outside a test");
	return (old);
}

static int
npaths(void)
{
	return (PMAP_HAS_DMAP ? 2 : 1);
}

/* ------------------------------------------------------------ mapping */

/* Path p: 0 the pool, 1 the direct map.  Returns the old setting. */
static bool
sf_path(int p)
{
	return (sftest_use_map(p == 0));
}

static void
content_one_path(vm_page_t m, int path)
{
	struct sf_buf *sf;
	vaddr_t q;

	KT_ASSERT_NOTNULL(sf = sf_buf_alloc(m, 0));
	KT_EXPECT_TRUE(sf_buf_page(sf) == m);
	KT_EXPECT_EQ(pmap_extract(sf_buf_kva(sf)), VM_PAGE_TO_PHYS(m));
#if PMAP_HAS_DMAP
	KT_EXPECT_EQ(sf_buf_kva(sf) == PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)),
	    path == 1);
#endif
	/* sf_buf -> quick map */
	sfpage_fill(sf_buf_kva(sf), 100 + path);
	q = pmap_quick_enter_page(m);
	KT_EXPECT_EQ(sfpage_bad_words(q, 100 + path), 0);
	/* quick map -> sf_buf */
	sfpage_fill(q, 200 + path);
	pmap_quick_remove_page(q);
	KT_EXPECT_EQ(sfpage_bad_words(sf_buf_kva(sf), 200 + path), 0);
#if PMAP_HAS_DMAP
	/* direct map <-> sf_buf */
	KT_EXPECT_EQ(sfpage_bad_words(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)),
	    200 + path), 0);
	sfpage_fill(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), 300 + path);
	KT_EXPECT_EQ(sfpage_bad_words(sf_buf_kva(sf), 300 + path), 0);
#endif
	sf_buf_free(sf);
}

KTEST(sf_buf, maps_the_page_and_agrees_with_quick_maps)
{
	vm_page_t m = vm_page_alloc(VM_ALLOC_WIRED);
	bool oldq, olds;
	int p, q;

	for (q = 0; q < 1 + PMAP_HAS_DMAP; q++) {	/* quick: slot, dmap */
		oldq = sftest_use_slot(q == 0);
		for (p = 0; p < npaths(); p++) {
			olds = sf_path(p);
			content_one_path(m, p);
			sf_buf_use_map(olds);
		}
		pmap_quick_use_slot(oldq);
	}
	vm_page_unwire(m);
	vm_page_free(m);
}

KTEST(sf_buf, pool_sized_as_freebsd)
{
	const char *opt = cmdline_get("sfbuf"), *n = cmdline_get("nsfbufs");
	unsigned long maxusers = vm_cnt.v_page_count / 512, want;
	struct sf_buf_stats st;

	sf_buf_stats(&st);
	/* FreeBSD: 512 + 16 * maxusers, maxusers = RAM / 2 MiB in 32..384. */
	maxusers = MIN(MAX(maxusers, 32), 384);
	/* Minnow: at most one per 8 pages of RAM, at least 16. */
	want = MAX(MIN(512 + 16 * maxusers, vm_cnt.v_page_count / 8), 16);

	if (n == NULL)
		KT_EXPECT_EQ(st.sfs_nbufs, want);
	else
		KT_EXPECT_EQ(st.sfs_nbufs, strtoull(n, NULL, 10));
	KT_EXPECT_EQ(st.sfs_direct, PMAP_HAS_DMAP && (opt == NULL ||
	    strcmp(opt, "map") != 0));
}

/* ------------------------------------------------------------ pool */

KTEST(sf_buf, hit_returns_same_sf_buf_without_remap)
{
	vm_page_t m = vm_page_alloc(VM_ALLOC_WIRED);
	struct sf_buf_stats a, b;
	struct sf_buf *s1, *s2, *s3;
	bool old = sftest_use_map(true);

	sched_pin();
	KT_ASSERT_NOTNULL(s1 = sf_buf_alloc(m, SFB_CPUPRIVATE));
	sf_buf_stats(&a);
	KT_ASSERT_NOTNULL(s2 = sf_buf_alloc(m, SFB_CPUPRIVATE));
	sf_buf_stats(&b);
	KT_EXPECT_TRUE(s1 == s2);
	KT_EXPECT_EQ(b.sfs_hits, a.sfs_hits + 1);
	KT_EXPECT_EQ(b.sfs_inuse, a.sfs_inuse);		/* one sf_buf */
	sf_buf_free(s2);
	sf_buf_free(s1);
	/* Freed to no references, it still maps m: a hit, no work. */
	sf_buf_stats(&a);
	KT_EXPECT_EQ(a.sfs_inuse, b.sfs_inuse - 1);
	KT_ASSERT_NOTNULL(s3 = sf_buf_alloc(m, SFB_CPUPRIVATE));
	sf_buf_stats(&b);
	KT_EXPECT_TRUE(s3 == s1);
	KT_EXPECT_EQ(sf_buf_kva(s3), sf_buf_kva(s1));
	KT_EXPECT_EQ(b.sfs_hits, a.sfs_hits + 1);
	KT_EXPECT_EQ(b.sfs_misses, a.sfs_misses);
	KT_EXPECT_EQ(b.sfs_flush_local, a.sfs_flush_local);
	KT_EXPECT_EQ(b.sfs_shootdown_ipis, a.sfs_shootdown_ipis);
	sf_buf_free(s3);
	sched_unpin();
	sf_buf_use_map(old);
	vm_page_unwire(m);
	vm_page_free(m);
}

/*
 * Free three sf_bufs in the order B, A, C; take every other free one;
 * the next three misses must reuse B, A, C in that order.  Then the pool
 * is empty: SFB_NOWAIT returns NULL and changes no counter, and a hit on
 * a page that has an sf_buf still succeeds.
 */
KTEST(sf_buf, lru_order_exhaustion_and_hit_on_full_pool)
{
	struct sfpages abc, next;
	struct sf_buf *sf[3], *got[3], *hit;
	struct sf_buf_stats s0, s1;
	struct sfheld h;
	vm_page_t extra;
	bool old;
	int i;

	SFPOOL_REQUIRE(7);
	old = sftest_use_map(true);
	extra = vm_page_alloc(VM_ALLOC_WIRED);

	KT_ASSERT_TRUE(sfpages_alloc(&abc, 3));
	KT_ASSERT_TRUE(sfpages_alloc(&next, 3));
	sched_pin();
	for (i = 0; i < 3; i++)
		KT_ASSERT_NOTNULL(sf[i] = sf_buf_alloc(abc.m[i],
		    SFB_CPUPRIVATE));
	sf_buf_free(sf[1]);
	sf_buf_free(sf[0]);
	sf_buf_free(sf[2]);
	KT_ASSERT_TRUE(sfpool_fill(&h, 3));
	for (i = 0; i < 3; i++)
		got[i] = sf_buf_alloc(next.m[i], SFB_NOWAIT | SFB_CPUPRIVATE);
	KT_EXPECT_TRUE(got[0] == sf[1]);
	KT_EXPECT_TRUE(got[1] == sf[0]);
	KT_EXPECT_TRUE(got[2] == sf[2]);
	/* The old pages lost their sf_bufs; the new ones have them. */
	for (i = 0; i < 3; i++)
		KT_EXPECT_TRUE(got[i] != NULL &&
		    sf_buf_page(got[i]) == next.m[i]);
	sf_buf_stats(&s0);
	KT_EXPECT_NULL(sf_buf_alloc(extra, SFB_NOWAIT));
	KT_EXPECT_NULL(sf_buf_alloc(extra, SFB_NOWAIT | SFB_CPUPRIVATE));
	sf_buf_stats(&s1);
	KT_EXPECT_EQ(memcmp(&s0, &s1, sizeof(s0)), 0);
	KT_EXPECT_EQ(s1.sfs_inuse, s1.sfs_nbufs);
	hit = sf_buf_alloc(next.m[1], SFB_NOWAIT | SFB_CPUPRIVATE);
	KT_EXPECT_TRUE(hit == got[1]);
	if (hit != NULL)
		sf_buf_free(hit);
	for (i = 0; i < 3; i++)
		if (got[i] != NULL)
			sf_buf_free(got[i]);
	sched_unpin();
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&abc);
	sfpages_free(&next);
	vm_page_unwire(extra);
	vm_page_free(extra);
}

/*
 * Remapping an sf_buf whose old mapping no CPU ever touched needs no
 * flush at all (its Accessed bit is clear); one that was read needs one.
 */
KTEST(sf_buf, unused_old_mapping_skips_the_flush)
{
	struct sfpages pg;
	struct sf_buf_stats a, b;
	struct sf_buf *sf;
	struct sfheld h;
	bool old;

	SFPOOL_REQUIRE(3);
	old = sftest_use_map(true);

	KT_ASSERT_TRUE(sfpages_alloc(&pg, 3));
	sched_pin();
	KT_ASSERT_TRUE(sfpool_fill(&h, 1));
	/* The one free sf_buf: map pg 0 and never touch it. */
	KT_ASSERT_NOTNULL(sf = sf_buf_alloc(pg.m[0], SFB_NOWAIT));
	sf_buf_free(sf);
	sf_buf_stats(&a);
	KT_ASSERT_NOTNULL(sf = sf_buf_alloc(pg.m[1], SFB_NOWAIT));
	sf_buf_stats(&b);
	KT_EXPECT_EQ(b.sfs_misses, a.sfs_misses + 1);
	KT_EXPECT_EQ(b.sfs_flush_local, a.sfs_flush_local);
	KT_EXPECT_EQ(b.sfs_shootdown_ipis, a.sfs_shootdown_ipis);
	(void)*(volatile uint32_t *)sf_buf_kva(sf);	/* now it is used */
	sf_buf_free(sf);
	KT_ASSERT_NOTNULL(sf = sf_buf_alloc(pg.m[2], SFB_NOWAIT));
	sf_buf_stats(&a);
	KT_EXPECT_EQ(a.sfs_flush_local, b.sfs_flush_local + 1);
	KT_EXPECT_EQ(a.sfs_shootdown_ipis, b.sfs_shootdown_ipis +
	    (unsigned long)(mp_ncpus - 1));
	sf_buf_free(sf);
	sched_unpin();
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&pg);
}

/* ------------------------------------------------------------ misuse */

/* KT_EXPECT_PANIC, and a caught misuse must leave every counter alone. */
static void
expect_panic_at(void (*fn)(void *), void *arg, const char *what, int line)
{
	struct sf_buf_stats a, b;

	sf_buf_stats(&a);
	(void)ktest_expect_panic(fn, arg, what, __FILE__, line);
	sf_buf_stats(&b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		ktest_fail_msg(__FILE__, line, "a misuse changed a counter",
		    false);
}
#define	EXPECT_PANIC(fn, arg, what) expect_panic_at(fn, arg, what, __LINE__)

static void
do_free(void *arg)
{
	sf_buf_free(arg);
}

static void
do_alloc(void *arg)
{
	(void)sf_buf_alloc(arg, SFB_NOWAIT);
}

static void
do_alloc_private(void *arg)
{
	(void)sf_buf_alloc(arg, SFB_NOWAIT | SFB_CPUPRIVATE);
}

static void
misuse_one_path(int path)
{
	vm_page_t m = vm_page_alloc(VM_ALLOC_WIRED);
	vm_page_t unwired = vm_page_alloc(0);
	struct sf_buf *sf;
	int junk[16];

	memset(junk, 0, sizeof(junk));
	EXPECT_PANIC(do_alloc, unwired, "is not wired");
	KT_EXPECT_EQ(curthread->td_pinned, 0);
	EXPECT_PANIC(do_alloc_private, m, "not pinned");
	EXPECT_PANIC(do_free, junk, "is not an sf_buf");
	if (path == 0) {	/* an sf_buf pointer off by a few bytes */
		KT_ASSERT_NOTNULL(sf = sf_buf_alloc(m, 0));
		EXPECT_PANIC(do_free, (char *)sf + 8, "is not an sf_buf");
		/* Where there is a direct map, a vm_page is its sf_buf. */
		if (!PMAP_HAS_DMAP)
			EXPECT_PANIC(do_free, m, "is not an sf_buf");
		sf_buf_free(sf);
	}
	/*
	 * On the direct map a double free shows when it frees more than
	 * were allocated: true here, nothing else uses that path now.
	 */
	KT_ASSERT_NOTNULL(sf = sf_buf_alloc(m, 0));
	sf_buf_free(sf);
	EXPECT_PANIC(do_free, sf, "double free");
	vm_page_unwire(m);
	vm_page_free(m);
	vm_page_free(unwired);
}

KTEST(sf_buf, misuse_panics)
{
	bool old;
	int p;

	for (p = 0; p < npaths(); p++) {
		old = sf_path(p);
		misuse_one_path(p);
		sf_buf_use_map(old);
	}
}
