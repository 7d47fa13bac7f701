/*
 * Suite "malloc": kmem_alloc/kmem_free and malloc/free (mm/kmem.c,
 * mm/malloc.c).  Every bucket and the odd sizes around their edges give
 * aligned (MALLOC_ALIGN, 16 bytes), writable, disjoint memory of at
 * least the size; M_ZERO zeroes even a recycled dirty chunk; everything
 * comes back (pages, KVA, slabs); the debugging catches double frees,
 * foreign pointers, writes past the end and writes after free; M_NOWAIT
 * returns NULL when physical memory is exhausted, and leaks nothing.
 *
 * Accounting.  Each bucket keeps one empty slab back (its spare), so a
 * test that wants exact page counts calls malloc_drain() before it takes
 * its baseline and before it compares.  On x86_64 the pmap builds page
 * tables for the KVA region on demand and never frees them: a workload
 * that reaches fresh KVA takes page-table pages for good.  Tests that
 * compare page counts therefore run their workload once to warm up, and
 * measure a second run, which (first fit) reuses the same addresses.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <lib/printf.h>
#include <lib/queue.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>

#ifdef NO_KASSERT
#define	REQUIRE_KASSERT()	KT_SKIP("built with NO_KASSERT")
#else
#define	REQUIRE_KASSERT()	do { } while (0)
#endif

#define	NMANY		600

/* Allocations a test holds: too many for the kernel stack. */
static uint8_t	*many[NMANY];
static size_t	 manysz[NMANY];

static bool
aligned(const void *p)
{
	return (((uintptr_t)p & (MALLOC_ALIGN - 1)) == 0);
}

/* The byte allocation i holds at offset j: differs between neighbours. */
static uint8_t
pattern(int i, size_t j)
{
	return ((uint8_t)(i * 31 + j * 7 + (j >> 8)));
}

static void
fill(uint8_t *p, size_t len, int i)
{
	size_t j;

	for (j = 0; j < len; j++)
		p[j] = pattern(i, j);
}

static bool
check(const uint8_t *p, size_t len, int i)
{
	size_t j;

	for (j = 0; j < len; j++)
		if (p[j] != pattern(i, j))
			return (false);
	return (true);
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		if (p[j] != 0)
			return (false);
	return (true);
}

/* What "nothing leaked" compares: pages, KVA, and malloc's own counts. */
struct snapshot {
	unsigned long		free_pages;
	unsigned long		wired_pages;
	struct kva_stats	kva;
	struct malloc_stats	ms;
};

static void
snap(struct snapshot *s)
{
	malloc_drain();
	s->free_pages = vm_cnt.v_free_count;
	s->wired_pages = vm_cnt.v_wire_count;
	kva_get_stats(&s->kva);
	malloc_get_stats(&s->ms);
}

static void
expect_same(const struct snapshot *a)
{
	struct snapshot b;
	int i;

	snap(&b);
	KT_EXPECT_EQ(b.free_pages, a->free_pages);
	KT_EXPECT_EQ(b.wired_pages, a->wired_pages);
	KT_EXPECT_EQ(b.kva.ks_free, a->kva.ks_free);
	KT_EXPECT_EQ(b.kva.ks_nfree, a->kva.ks_nfree);
	KT_EXPECT_EQ(b.kva.ks_nalloc, a->kva.ks_nalloc);
	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		KT_EXPECT_EQ(b.ms.ms_bucket[i].mbs_inuse,
		    a->ms.ms_bucket[i].mbs_inuse);
		KT_EXPECT_EQ(b.ms.ms_bucket[i].mbs_slabs,
		    a->ms.ms_bucket[i].mbs_slabs);
	}
	KT_EXPECT_EQ(b.ms.ms_large, a->ms.ms_large);
	KT_EXPECT_EQ(b.ms.ms_large_pages, a->ms.ms_large_pages);
}

/* Allocate size bytes, check alignment and size, write them all. */
static uint8_t *
alloc_checked(size_t size, int i)
{
	uint8_t *p = malloc(size, M_WAITOK);

	KT_ASSERT_NOTNULL(p);
	KT_EXPECT_TRUE(aligned(p));
	KT_EXPECT_GE(malloc_usable_size(p), size);
	fill(p, malloc_usable_size(p), i);
	return (p);
}

/* ------------------------------------------------------ kmem */

static void
kmem_round(void)
{
	uint8_t *p;
	paddr_t pa;
	vm_page_t m;
	int i;

	p = kmem_alloc(3 * PAGE_SIZE, M_ZERO);
	KT_ASSERT_NOTNULL(p);
	KT_EXPECT_EQ((uintptr_t)p & PAGE_MASK, 0);
	KT_EXPECT_TRUE(all_zero(p, 3 * PAGE_SIZE));
	for (i = 0; i < 3; i++) {
		pa = pmap_extract((vaddr_t)p + i * PAGE_SIZE);
		KT_ASSERT_NE(pa, PMAP_NO_PA);
		m = PHYS_TO_VM_PAGE(pa);
		KT_ASSERT_NOTNULL(m);
		KT_EXPECT_EQ(m->wire_count, 1);
	}
	fill(p, 3 * PAGE_SIZE, 1);
	KT_EXPECT_TRUE(check(p, 3 * PAGE_SIZE, 1));
	kmem_free(p, 3 * PAGE_SIZE);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)p), PMAP_NO_PA);
}

KTEST(malloc, kmem_maps_wired_pages)
{
	struct snapshot s0;

	kmem_round();			/* warm up: page tables (x86_64) */
	snap(&s0);
	kmem_round();
	expect_same(&s0);
}

/* ------------------------------------------------------ sizes */

/*
 * Each bucket that can serve anything serves requests from just above
 * the previous bucket's largest up to its own largest (mbs_maxreq).
 */
KTEST(malloc, every_bucket)
{
	struct malloc_stats st0, st;
	size_t lo = 0, sz[2];
	uint8_t *p;
	int b, k, used = 0;

	malloc_get_stats(&st0);
	for (b = 0; b < MALLOC_NBUCKETS; b++) {
		if (st0.ms_bucket[b].mbs_maxreq == 0)
			continue;	/* the debug header fills it */
		sz[0] = lo;
		sz[1] = st0.ms_bucket[b].mbs_maxreq;
		lo = sz[1] + 1;
		used++;
		for (k = 0; k < 2; k++) {
			p = alloc_checked(sz[k], b);
			malloc_get_stats(&st);
			KT_EXPECT_EQ(st.ms_bucket[b].mbs_inuse,
			    st0.ms_bucket[b].mbs_inuse + 1);
			free(p);
		}
	}
	KT_EXPECT_GE(used, MALLOC_NBUCKETS - 1);
	KT_EXPECT_EQ(lo - 1, st0.ms_bucket[MALLOC_NBUCKETS - 1].mbs_maxreq);
}

KTEST(malloc, odd_sizes)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 31, 33, 2047, 2048,
	    2049, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1,
	    3 * PAGE_SIZE + 5, 64 * 1024 };
	uint8_t *p[nitems(sizes)];
	struct snapshot s0;
	size_t i;

	snap(&s0);
	for (i = 0; i < nitems(sizes); i++)
		p[i] = alloc_checked(sizes[i], (int)i);
	for (i = 0; i < nitems(sizes); i++) {
		KT_EXPECT_TRUE(check(p[i], malloc_usable_size(p[i]), (int)i));
		free(p[i]);
	}
	expect_same(&s0);
}

KTEST(malloc, zero_size_is_unique)
{
	void *a = malloc(0, M_WAITOK), *b = malloc(0, M_WAITOK);

	KT_ASSERT_NOTNULL(a);
	KT_ASSERT_NOTNULL(b);
	KT_EXPECT_NE((uintptr_t)a, (uintptr_t)b);
	KT_EXPECT_TRUE(aligned(a));
	free(a);
	free(b);
}

KTEST(malloc, large_takes_whole_pages)
{
	struct malloc_stats st0, st;
	uint8_t *p;

	malloc_get_stats(&st0);
	p = alloc_checked(3 * PAGE_SIZE + 5, 3);
	malloc_get_stats(&st);
	KT_EXPECT_EQ(st.ms_large, st0.ms_large + 1);
	/* Header, object and redzone: four pages. */
	KT_EXPECT_EQ(st.ms_large_pages, st0.ms_large_pages + 4);
	free(p);
	malloc_get_stats(&st);
	KT_EXPECT_EQ(st.ms_large, st0.ms_large);
	KT_EXPECT_EQ(st.ms_large_pages, st0.ms_large_pages);
}

/* ------------------------------------------------------ M_ZERO */

KTEST(malloc, zero_flag_on_recycled_chunk)
{
	static const size_t sizes[] = { 8, 100, 1000, 2020, 2 * PAGE_SIZE };
	uint8_t *p, *q;
	size_t i;

	for (i = 0; i < nitems(sizes); i++) {
		p = malloc(sizes[i], M_WAITOK);
		KT_ASSERT_NOTNULL(p);
		memset(p, 0xff, sizes[i]);
		free(p);
		q = malloc(sizes[i], M_ZERO);
		KT_ASSERT_NOTNULL(q);
		if (sizes[i] <= PAGE_SIZE / 2)	/* LIFO free list */
			KT_EXPECT_EQ((uintptr_t)q, (uintptr_t)p);
		KT_EXPECT_TRUE(all_zero(q, malloc_usable_size(q)));
		free(q);
	}
}

/* ------------------------------------------------------ many objects */

static size_t
many_size(int i)
{
	if (i % 97 == 0)
		return (PAGE_SIZE + (size_t)i);	/* a few large ones */
	return ((size_t)(i * 37) % 700 + 1);
}

/* Allocate NMANY objects of mixed sizes, each filled with its pattern. */
static void
many_alloc(void)
{
	int i;

	for (i = 0; i < NMANY; i++) {
		manysz[i] = many_size(i);
		many[i] = malloc(manysz[i], M_WAITOK);
		KT_ASSERT_NOTNULL(many[i]);
		KT_ASSERT_TRUE(aligned(many[i]));
		fill(many[i], manysz[i], i);
	}
}

static void
many_free(void)
{
	int i;

	/* Every other one first: slabs go partial before they empty. */
	for (i = 0; i < NMANY; i += 2)
		free(many[i]);
	for (i = 1; i < NMANY; i += 2)
		free(many[i]);
}

KTEST(malloc, many_distinct)
{
	int i, j, bad = 0, overlap = 0;

	many_alloc();
	for (i = 0; i < NMANY; i++)
		bad += !check(many[i], manysz[i], i);
	for (i = 0; i < NMANY; i++)
		for (j = i + 1; j < NMANY; j++)
			overlap += many[i] < many[j] + manysz[j] &&
			    many[j] < many[i] + manysz[i];
	KT_EXPECT_EQ(bad, 0);
	KT_EXPECT_EQ(overlap, 0);
	many_free();
}

/*
 * Free everything and all comes back: physical pages, wirings, KVA (and
 * its shape), slabs.  Without a drain, only the spares remain.
 */
KTEST(malloc, free_returns_everything)
{
	struct snapshot s0;
	struct malloc_stats st;
	unsigned long slabs = 0;
	int b;

	many_alloc();			/* warm up: page tables (x86_64) */
	many_free();
	snap(&s0);
	many_alloc();
	many_free();
	malloc_get_stats(&st);
	for (b = 0; b < MALLOC_NBUCKETS; b++) {
		KT_EXPECT_EQ(st.ms_bucket[b].mbs_inuse,
		    s0.ms.ms_bucket[b].mbs_inuse);
		KT_EXPECT_LE(st.ms_bucket[b].mbs_spare, 1);
		slabs += st.ms_bucket[b].mbs_slabs -
		    s0.ms.ms_bucket[b].mbs_slabs;
	}
	/* The spares are the only pages still held. */
	KT_EXPECT_EQ(vm_cnt.v_free_count, s0.free_pages - slabs);
	expect_same(&s0);
}

/*
 * Allocate from bucket b until none of its slabs has a free chunk (and
 * it has no spare); the objects go to many[].  Returns their number.
 */
static int
bucket_fill(int b)
{
	struct malloc_bucket_stats *bs;
	struct malloc_stats st;
	int n = 0;

	for (;;) {
		malloc_get_stats(&st);
		bs = &st.ms_bucket[b];
		if (bs->mbs_inuse == bs->mbs_slabs * bs->mbs_nchunks)
			return (n);
		KT_ASSERT_LT(n, NMANY);
		many[n++] = malloc(bs->mbs_maxreq, M_WAITOK);
	}
}

static void
bucket_unfill(int n)
{
	while (n > 0)
		free(many[--n]);
}

/*
 * A bucket's spare slab serves the next request without a new page, and
 * malloc_drain() gives it back.
 */
KTEST(malloc, spare_slab_is_reused)
{
	struct malloc_stats st0, st;
	unsigned long pages;
	const int b = 5;	/* 512-byte chunks */
	void *p;
	int n;

	malloc_drain();
	n = bucket_fill(b);
	malloc_get_stats(&st0);
	p = malloc(st0.ms_bucket[b].mbs_maxreq, M_WAITOK);	/* new slab */
	free(p);
	malloc_get_stats(&st);
	KT_EXPECT_EQ(st.ms_bucket[b].mbs_slabs, st0.ms_bucket[b].mbs_slabs + 1);
	KT_EXPECT_EQ(st.ms_bucket[b].mbs_spare, 1);
	pages = vm_cnt.v_free_count;
	p = malloc(st0.ms_bucket[b].mbs_maxreq, M_WAITOK);	/* the spare */
	KT_EXPECT_EQ(vm_cnt.v_free_count, pages);
	free(p);
	malloc_drain();
	malloc_get_stats(&st);
	KT_EXPECT_EQ(st.ms_bucket[b].mbs_slabs, st0.ms_bucket[b].mbs_slabs);
	KT_EXPECT_EQ(st.ms_bucket[b].mbs_spare, 0);
	KT_EXPECT_EQ(vm_cnt.v_free_count, pages + 1);
	bucket_unfill(n);
	malloc_drain();
}

KTEST(malloc, free_null_is_noop)
{
	struct snapshot s0;

	snap(&s0);
	free(NULL);
	expect_same(&s0);
}

/* ------------------------------------------------------ debugging */

/* free(p) under a panic catch: true if it panicked (message in kc). */
static bool
free_panics(void *p, struct kcatch *kc)
{
	kcatch_arm(kc, KCATCH_PANIC);
	if (setjmp(kc->kc_jb) == 0)
		free(p);
	kcatch_disarm(kc);
	return (kc->kc_count == 1);
}

KTEST(malloc, double_free_panics)
{
	struct malloc_stats st0, st;
	struct kcatch kc;
	uint8_t *p;

	REQUIRE_KASSERT();
	p = malloc(40, M_WAITOK);
	KT_ASSERT_NOTNULL(p);
	free(p);
	malloc_get_stats(&st0);
	KT_EXPECT_TRUE(free_panics(p, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "double free"));
	malloc_get_stats(&st);
	KT_EXPECT_EQ(st.ms_bucket[2].mbs_inuse, st0.ms_bucket[2].mbs_inuse);
	/* A large object's pages are gone: its header cannot be read. */
	p = malloc(2 * PAGE_SIZE, M_WAITOK);
	KT_ASSERT_NOTNULL(p);
	free(p);
	KT_EXPECT_TRUE(free_panics(p, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
}

KTEST(malloc, free_of_foreign_pointer_panics)
{
	static uint8_t global[64];
	struct snapshot s0;
	struct kcatch kc;
	uint8_t *p, *q;
	int local;

	REQUIRE_KASSERT();
	snap(&s0);
	p = malloc(64, M_WAITOK);
	q = malloc(3 * PAGE_SIZE, M_ZERO);
	KT_ASSERT_NOTNULL(p);
	KT_ASSERT_NOTNULL(q);
	KT_EXPECT_TRUE(free_panics(p + 16, &kc));	/* inside a chunk */
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics(p + 1, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics(q + 16, &kc));	/* inside a large one */
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics(q + PAGE_SIZE, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics(&local, &kc));	/* the stack */
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics(global, &kc));	/* the kernel image */
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	KT_EXPECT_TRUE(free_panics((void *)0x1000, &kc));	/* unmapped */
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "not allocated"));
	/* Nothing was harmed: both still free normally. */
	free(p);
	free(q);
	expect_same(&s0);
}

/*
 * Write one byte past the end (and one further into the redzone): free()
 * panics naming the size and the offset, and changes nothing, so the
 * object frees normally once the byte is put back.
 */
static void
overflow_caught(size_t size, size_t off)
{
	char want[48];
	struct kcatch kc;
	uint8_t *p, save;

	p = malloc(size, M_WAITOK);
	KT_ASSERT_NOTNULL(p);
	save = p[off];
	p[off] = (uint8_t)~save;
	KT_EXPECT_TRUE(free_panics(p, &kc));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "write past the end"));
	snprintf(want, sizeof(want), "(%zu bytes", size);
	KT_EXPECT_TRUE(strstr(kc.kc_msg, want));
	snprintf(want, sizeof(want), "at offset %zu ", off);
	KT_EXPECT_TRUE(strstr(kc.kc_msg, want));
	p[off] = save;
	free(p);
}

KTEST(malloc, write_past_end_panics_at_free)
{
	struct snapshot s0;

	REQUIRE_KASSERT();
	snap(&s0);
	overflow_caught(13, 13);
	overflow_caught(13, 20);
	overflow_caught(2000, 2000);
	overflow_caught(PAGE_SIZE + 10, PAGE_SIZE + 10);
	overflow_caught(3 * PAGE_SIZE + 5, 3 * PAGE_SIZE + 5);
	expect_same(&s0);
}

/*
 * Scribble on a freed chunk: the malloc() that would hand it out again
 * panics and leaves it on its free list; with the byte put back, the
 * next malloc() returns it.
 */
KTEST(malloc, write_after_free_panics_at_malloc)
{
	struct kcatch kc;
	uint8_t *p, save;
	volatile int n = 0;
	void *volatile q = NULL;
	int i;

	REQUIRE_KASSERT();
	p = malloc(48, M_WAITOK);
	KT_ASSERT_NOTNULL(p);
	free(p);
	save = p[3];
	p[3] = 0x42;
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		/* Other free chunks may come first; p's turn comes. */
		while (n < NMANY) {
			q = malloc(48, M_WAITOK);
			many[n] = q;
			n = n + 1;
		}
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "write after free"));
	KT_EXPECT_TRUE(strstr(kc.kc_msg, "at offset 3 "));
	p[3] = save;
	q = malloc(48, M_WAITOK);
	KT_EXPECT_EQ((uintptr_t)q, (uintptr_t)p);
	free(q);
	for (i = 0; i < n; i++)
		free(many[i]);
}

/* ------------------------------------------------------ exhaustion */

/* Every free page, taken as the largest buddy blocks first. */
struct hog {
	TAILQ_HEAD(, vm_page) h_runs[VM_NFREEORDER];
	unsigned long	h_pages;
};

static void
hog_all(struct hog *h)
{
	vm_page_t m;
	int o;

	h->h_pages = 0;
	for (o = VM_NFREEORDER - 1; o >= 0; o--) {
		TAILQ_INIT(&h->h_runs[o]);
		while ((m = o > 0 ? vm_page_alloc_contig(1UL << o, PAGE_SIZE,
		    VM_ALLOC_NOWAIT) : vm_page_alloc(VM_ALLOC_NOWAIT)) != NULL) {
			TAILQ_INSERT_TAIL(&h->h_runs[o], m, plinks);
			h->h_pages += 1UL << o;
		}
	}
}

/* Give back up to n single pages; the number given. */
static unsigned long
hog_release_some(struct hog *h, unsigned long n)
{
	unsigned long i;
	vm_page_t m;

	for (i = 0; i < n && (m = TAILQ_FIRST(&h->h_runs[0])) != NULL; i++) {
		TAILQ_REMOVE(&h->h_runs[0], m, plinks);
		vm_page_free(m);
		h->h_pages--;
	}
	return (i);
}

static void
hog_release(struct hog *h)
{
	vm_page_t m;
	int o;

	hog_release_some(h, h->h_pages);
	for (o = 1; o < VM_NFREEORDER; o++)
		while ((m = TAILQ_FIRST(&h->h_runs[o])) != NULL) {
			TAILQ_REMOVE(&h->h_runs[o], m, plinks);
			vm_page_free_contig(m, 1UL << o);
		}
}

/*
 * With every physical page taken, M_NOWAIT requests that need a page
 * return NULL, small (a bucket with no free chunk) and large alike, and
 * a kmem_alloc that gets some of its pages undoes itself.  Nothing
 * leaks: the counts come back once the pages are returned.
 */
KTEST(malloc, nowait_exhaustion_returns_null)
{
	const int b = 6;	/* 1024-byte chunks */
	struct snapshot s0, s1;
	struct hog h;
	size_t req;
	int n;

	n = bucket_fill(b);	/* warm up: page tables (x86_64) */
	bucket_unfill(n);
	snap(&s0);
	n = bucket_fill(b);
	req = s0.ms.ms_bucket[b].mbs_maxreq;
	snap(&s1);
	hog_all(&h);
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	ktest_diag("took %lu pages", h.h_pages);
	KT_EXPECT_NULL(malloc(req, M_NOWAIT));
	KT_EXPECT_NULL(malloc(3 * PAGE_SIZE, M_NOWAIT | M_ZERO));
	KT_EXPECT_NULL(kmem_alloc(PAGE_SIZE, M_NOWAIT));
	/* Two pages for a request of four: it fails midway, and undoes. */
	KT_EXPECT_EQ(hog_release_some(&h, 2), 2);
	KT_EXPECT_NULL(kmem_alloc(4 * PAGE_SIZE, M_NOWAIT));
	KT_EXPECT_EQ(vm_cnt.v_free_count, 2);
	hog_release(&h);
	expect_same(&s1);
	bucket_unfill(n);
	expect_same(&s0);
}
