/*
 * Suite "pbuf": the pbuf pool (mm/pbuf.h) and credentials (kernel/ucred.h).
 *
 * Sizing against FreeBSD's formula; the counter semantics of pbuf(9) for
 * positive, zero, -1 and NULL counters; trypbuf's two NULL cases; that a
 * thread asleep on a zero counter and one asleep on an empty pool are
 * woken by releases from another CPU, each by its own kind of release and
 * exactly as many as can proceed, also when releases come in a row;
 * credential reference counts.
 *
 * Tests that need an empty or a small pool take the other buffers first
 * (drain) and give them back at the end.  The stress and the misuse
 * panics are in tests/pbuf_stress_test.c.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/ucred.h>
#include <lib/string.h>
#include <mm/pbuf.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include "pbuf_util.h"

struct buf *held[NSWBUF_MAX];

int
drain(int keep)
{
	int n = 0;

	while (pbuf_nfree() > keep)
		held[n++] = trypbuf(NULL);
	return (n);
}

void
undrain(int n)
{
	while (n > 0)
		relpbuf(held[--n], NULL);
}

/* Wait (sleeping) until td sleeps in getpbuf with wmesg; 5 s at most. */
static bool
wait_sleeping(struct thread *td, const char *wmesg)
{
	int i;

	for (i = 0; i < 5 * hz; i++) {
		if (td->td_state == TDS_SLEEPING && td->td_wmesg != NULL &&
		    strcmp(td->td_wmesg, wmesg) == 0)
			return (true);
		pause_ticks(1);
	}
	return (false);
}

static bool
wait_count(volatile int *v, int want)
{
	int i;

	for (i = 0; i < 5 * hz && *v < want; i++)
		pause_ticks(1);
	return (*v == want);
}

/* ------------------------------------------------------------ sizing */

KTEST(pbuf, nswbuf_follows_freebsd_formula)
{
	static const struct {
		uint64_t kib;
		int	 nbuf, nswbuf;
	} t[] = {
		{ 0, 50, 16 },			/* 50 / 4 = 12: the minimum */
		{ 4096, 50, 16 },		/* 4 MiB */
		{ 8192, 114, 28 },		/* + 4096 / 64 */
		{ 16384, 242, 60 },		/* 16 MiB */
		{ 32768, 498, 124 },
		{ 65536, 1010, 252 },		/* 64 MiB: 50 + 960 */
		{ 131072, 1483, 256 },		/* + 1024 (cap) + 65536 / 160 */
		{ 3145728, 20325, 256 },	/* 3 GiB: + 3080192 / 160 */
	};
	const char *opt;
	size_t i;
	int nbuf, n;

	for (i = 0; i < nitems(t); i++) {
		KT_EXPECT_EQ(pbuf_nswbuf_for(t[i].kib, &nbuf), t[i].nswbuf);
		KT_EXPECT_EQ(nbuf, t[i].nbuf);
	}
	/* The second term is capped at 32 GiB / 160 KiB, 104857 buffers. */
	pbuf_nswbuf_for(64ULL << 30, &nbuf);
	KT_EXPECT_EQ(nbuf, 50 + 1024 + 104857);
	/* This boot: the formula for its managed RAM, or what nswbuf= said. */
	n = pbuf_nswbuf_for((uint64_t)vm_cnt.v_page_count * (PAGE_SIZE / 1024),
	    NULL);
	if ((opt = cmdline_get("nswbuf")) != NULL)
		n = pbuf_nswbuf_option(opt, n, false);
	KT_EXPECT_EQ(nswbuf, n);
}

KTEST(pbuf, nswbuf_option_is_clamped)
{
	KT_EXPECT_EQ(pbuf_nswbuf_option("64", 100, false), 64);
	KT_EXPECT_EQ(pbuf_nswbuf_option("16", 100, false), 16);
	KT_EXPECT_EQ(pbuf_nswbuf_option("256", 100, false), 256);
	KT_EXPECT_EQ(pbuf_nswbuf_option("3", 100, false), NSWBUF_MIN);
	KT_EXPECT_EQ(pbuf_nswbuf_option("0", 100, false), NSWBUF_MIN);
	KT_EXPECT_EQ(pbuf_nswbuf_option("100000", 100, false), NSWBUF_MAX);
	KT_EXPECT_EQ(pbuf_nswbuf_option("99999999999999999999", 100, false),
	    NSWBUF_MAX);
	KT_EXPECT_EQ(pbuf_nswbuf_option("x", 100, false), 100);
	KT_EXPECT_EQ(pbuf_nswbuf_option("12k", 100, false), 100);
	KT_EXPECT_EQ(pbuf_nswbuf_option("-5", 100, false), 100);
}

/* Every pbuf: free, clean, its own MAXPHYS window, nothing mapped there. */
KTEST(pbuf, pool_starts_full_and_clean)
{
	vaddr_t lo = ~(vaddr_t)0, hi = 0, va;
	int i, n;

	KT_ASSERT_EQ(pbuf_nfree(), nswbuf);
	n = drain(0);
	KT_EXPECT_EQ(n, nswbuf);
	KT_EXPECT_NULL(trypbuf(NULL));
	for (i = 0; i < n; i++) {
		va = (vaddr_t)held[i]->b_kvabase;
		KT_EXPECT_EQ(held[i]->b_kvasize, MAXPHYS);
		KT_EXPECT_TRUE(held[i]->b_data == held[i]->b_kvabase);
		KT_EXPECT_EQ(va & PAGE_MASK, 0);
		KT_EXPECT_EQ(held[i]->b_bcount + held[i]->b_bufsize +
		    held[i]->b_resid + held[i]->b_npages + held[i]->b_error, 0);
		KT_EXPECT_NULL(held[i]->b_rcred);
		KT_EXPECT_NULL(held[i]->b_wcred);
		KT_EXPECT_EQ(pmap_extract(va), PMAP_NO_PA);
		KT_EXPECT_EQ(pmap_extract(va + MAXPHYS - 1), PMAP_NO_PA);
		lo = MIN(lo, va);
		hi = MAX(hi, va + MAXPHYS);
	}
	/* n disjoint windows of MAXPHYS filling [lo, hi) exactly. */
	KT_EXPECT_EQ(hi - lo, (vaddr_t)n * MAXPHYS);
	for (i = 0; i < n; i++)
		KT_EXPECT_EQ(((vaddr_t)held[i]->b_kvabase - lo) % MAXPHYS, 0);
	undrain(n);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

/* ------------------------------------------------------------ counters */

KTEST(pbuf, positive_counter_counts_down_and_up)
{
	struct buf *a, *b;
	int c = 2, nfree = pbuf_nfree();

	KT_ASSERT_NOTNULL(a = getpbuf(&c));
	KT_EXPECT_EQ(c, 1);
	KT_ASSERT_NOTNULL(b = trypbuf(&c));
	KT_EXPECT_EQ(c, 0);
	KT_EXPECT_TRUE(a != b);
	KT_EXPECT_EQ(pbuf_nfree(), nfree - 2);
	KT_EXPECT_NULL(trypbuf(&c));		/* counter 0: NULL ... */
	KT_EXPECT_EQ(c, 0);			/* ... and unchanged */
	KT_EXPECT_EQ(pbuf_nfree(), nfree - 2);
	relpbuf(a, &c);
	KT_EXPECT_EQ(c, 1);
	relpbuf(b, &c);
	KT_EXPECT_EQ(c, 2);
	KT_EXPECT_EQ(pbuf_nfree(), nfree);
}

/* -1: limited only by the pool; decremented all the same, and back. */
KTEST(pbuf, minus_one_counter_goes_down_and_back)
{
	struct buf *bp[3];
	int c = -1, i;

	for (i = 0; i < 3; i++) {
		KT_ASSERT_NOTNULL(bp[i] = (i == 1 ? trypbuf(&c) : getpbuf(&c)));
		KT_EXPECT_SEQ(c, -2 - i);
	}
	for (i = 0; i < 3; i++) {
		relpbuf(bp[i], &c);
		KT_EXPECT_SEQ(c, -4 + i + 1);
	}
	KT_EXPECT_SEQ(c, -1);
	/* A -1 counter never stops anyone short of the pool. */
	i = drain(0);
	KT_EXPECT_EQ(i, nswbuf);
	undrain(i);
	KT_EXPECT_SEQ(c, -1);
}

KTEST(pbuf, null_counter_takes_from_the_pool)
{
	struct buf *a, *b;
	int nfree = pbuf_nfree();

	KT_ASSERT_NOTNULL(a = getpbuf(NULL));
	KT_ASSERT_NOTNULL(b = trypbuf(NULL));
	KT_EXPECT_EQ(pbuf_nfree(), nfree - 2);
	relpbuf(b, NULL);
	relpbuf(a, NULL);
	KT_EXPECT_EQ(pbuf_nfree(), nfree);
}

KTEST(pbuf, trypbuf_zero_counter_is_null)
{
	int c = 0, nfree = pbuf_nfree();

	KT_EXPECT_NULL(trypbuf(&c));
	KT_EXPECT_EQ(c, 0);
	KT_EXPECT_EQ(pbuf_nfree(), nfree);
}

/* Pool empty: NULL whatever the counter says, and the counter stays. */
KTEST(pbuf, trypbuf_empty_pool_is_null)
{
	int c = 5, m = -1, n;

	n = drain(0);
	KT_EXPECT_NULL(trypbuf(&c));
	KT_EXPECT_EQ(c, 5);
	KT_EXPECT_NULL(trypbuf(&m));
	KT_EXPECT_SEQ(m, -1);
	KT_EXPECT_NULL(trypbuf(NULL));
	undrain(n);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

/* What a holder wrote is cleared; the credentials lose their reference. */
KTEST(pbuf, relpbuf_clears_and_drops_credentials)
{
	struct ucred *cr = crget(), *cw = crget();
	struct buf *bp;
	int c = 1;

	KT_EXPECT_EQ(cr->cr_ref, 1);
	bp = getpbuf(&c);
	bp->b_rcred = crhold(cr);
	bp->b_wcred = crhold(cw);
	crhold(cw);
	KT_EXPECT_EQ(cr->cr_ref, 2);
	KT_EXPECT_EQ(cw->cr_ref, 3);
	bp->b_data = bp->b_kvabase + 512;
	bp->b_bcount = bp->b_bufsize = 4096;
	bp->b_resid = 100;
	bp->b_iocmd = BIO_WRITE;
	bp->b_error = 5;
	bp->b_npages = 1;
	bp->b_offset = 12345;
	relpbuf(bp, &c);
	KT_EXPECT_EQ(cr->cr_ref, 1);
	KT_EXPECT_EQ(cw->cr_ref, 2);
	/* Every field the holder set is back as getpbuf() hands it out. */
	KT_EXPECT_NULL(bp->b_rcred);
	KT_EXPECT_NULL(bp->b_wcred);
	KT_EXPECT_TRUE(bp->b_data == bp->b_kvabase);
	KT_EXPECT_EQ(bp->b_bcount + bp->b_bufsize + bp->b_resid +
	    bp->b_npages + bp->b_offset, 0);
	KT_EXPECT_EQ(bp->b_iocmd + bp->b_error, 0);
	crfree(cr);
	crfree(cw);
	crfree(cw);
}

/* The window takes MAXPHYS of pages: what is written through it lands. */
KTEST(pbuf, kva_window_maps_pages)
{
	vm_page_t m[MAXPHYS / PAGE_SIZE];
	struct buf *bp = getpbuf(NULL);
	int i, n = MAXPHYS / PAGE_SIZE;

	for (i = 0; i < n; i++)
		KT_ASSERT_NOTNULL(m[i] = vm_page_alloc(VM_ALLOC_NOWAIT));
	pmap_qenter((vaddr_t)bp->b_kvabase, m, n);
	for (i = 0; i < n; i++)
		*(volatile uint32_t *)(bp->b_kvabase + i * PAGE_SIZE +
		    PAGE_SIZE - 4) = 0xabc00000 + i;
	for (i = 0; i < n; i++)
		KT_EXPECT_EQ(pmap_extract((vaddr_t)bp->b_kvabase +
		    i * PAGE_SIZE), VM_PAGE_TO_PHYS(m[i]));
	pmap_qremove((vaddr_t)bp->b_kvabase, n);
	/* Seen again through another window: the data is in the pages. */
	pmap_qenter((vaddr_t)bp->b_kvabase, &m[1], 1);
	KT_EXPECT_EQ(*(volatile uint32_t *)(bp->b_kvabase + PAGE_SIZE - 4),
	    0xabc00001);
	pmap_qremove((vaddr_t)bp->b_kvabase, 1);
	relpbuf(bp, NULL);
	for (i = 0; i < n; i++)
		vm_page_free(m[i]);
}

KTEST(pbuf, ucred_counts_references)
{
	struct ucred *cr = crget();

	KT_EXPECT_EQ(cr->cr_ref, 1);
	KT_EXPECT_EQ(cr->cr_uid, 0);
	KT_EXPECT_TRUE(crhold(cr) == cr);
	KT_EXPECT_EQ(cr->cr_ref, 2);
	crfree(cr);
	KT_EXPECT_EQ(cr->cr_ref, 1);
	crfree(cr);				/* freed: not touched again */
}

/* ------------------------------------------------------------ sleeping */

struct sleeper {
	int		*cnt;
	struct buf	*bp;
	struct thread	*td;
};
static volatile int sleepers_done;

static void
sleeper(void *arg)
{
	struct sleeper *s = arg;

	s->bp = getpbuf(s->cnt);
	__atomic_add_fetch(&sleepers_done, 1, __ATOMIC_SEQ_CST);
}

struct releaser {
	struct buf	*bp;
	int		*cnt;
};

static void
releaser(void *arg)
{
	struct releaser *r = arg;

	relpbuf(r->bp, r->cnt);
}

/* Release bp to cnt from another CPU (the last one) when there is one. */
static void
release_elsewhere(struct buf *bp, int *cnt)
{
	struct releaser r = { bp, cnt };
	struct thread *td;

	td = thread_create_on("pbuf rel", releaser, &r, mp_ncpus - 1);
	KT_ASSERT_NOTNULL(td);
	thread_join(td);
}

static void
start_sleepers(struct sleeper *s, int n, int *cnt, const char *wmesg)
{
	int i;

	sleepers_done = 0;
	for (i = 0; i < n; i++) {
		s[i].cnt = cnt;
		s[i].bp = NULL;
		s[i].td = thread_create_on("pbuf sleeper", sleeper, &s[i],
		    i % mp_ncpus);
		KT_ASSERT_NOTNULL(s[i].td);
	}
	for (i = 0; i < n; i++)
		KT_ASSERT_TRUE(wait_sleeping(s[i].td, wmesg));
	KT_EXPECT_EQ(sleepers_done, 0);
}

/* Join the sleepers and give back what they got. */
static void
finish_sleepers(struct sleeper *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		thread_join(s[i].td);
		KT_EXPECT_NOTNULL(s[i].bp);
		if (s[i].bp != NULL)
			relpbuf(s[i].bp, s[i].cnt);
	}
}

/* How many of s[0..n) still sleep with wmesg. */
static int
count_sleeping(struct sleeper *s, int n, const char *wmesg)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (s[i].bp == NULL && s[i].td->td_state == TDS_SLEEPING &&
		    strcmp(s[i].td->td_wmesg, wmesg) == 0)
			k++;
	return (k);
}

#define	NSLEEPERS	4

/*
 * NSLEEPERS threads asleep on a zero counter (the pool has plenty); each
 * release to the counter, from another CPU, lets exactly one through.
 */
KTEST(pbuf, zero_counter_wakes_exactly_one_per_release)
{
	struct sleeper s[NSLEEPERS];
	struct buf *bp[NSLEEPERS];
	int c = NSLEEPERS, i;

	for (i = 0; i < NSLEEPERS; i++)
		bp[i] = getpbuf(&c);
	KT_ASSERT_EQ(c, 0);
	start_sleepers(s, NSLEEPERS, &c, "pfreecnt");
	for (i = 0; i < NSLEEPERS; i++) {
		release_elsewhere(bp[i], &c);
		KT_EXPECT_TRUE(wait_count(&sleepers_done, i + 1));
		pause_ticks(3);
		KT_EXPECT_EQ(sleepers_done, i + 1);
		KT_EXPECT_EQ(count_sleeping(s, NSLEEPERS, "pfreecnt"),
		    NSLEEPERS - i - 1);
		KT_EXPECT_EQ(c, 0);
	}
	finish_sleepers(s, NSLEEPERS);
	KT_EXPECT_EQ(c, NSLEEPERS);
}

/* The same on an empty pool, NULL counters. */
KTEST(pbuf, empty_pool_wakes_exactly_one_per_release)
{
	struct sleeper s[NSLEEPERS];
	int n, i;

	n = drain(0);
	start_sleepers(s, NSLEEPERS, NULL, "pbufpool");
	for (i = 0; i < NSLEEPERS; i++) {
		release_elsewhere(held[--n], NULL);
		KT_EXPECT_TRUE(wait_count(&sleepers_done, i + 1));
		pause_ticks(3);
		KT_EXPECT_EQ(sleepers_done, i + 1);
		KT_EXPECT_EQ(count_sleeping(s, NSLEEPERS, "pbufpool"),
		    NSLEEPERS - i - 1);
		KT_EXPECT_EQ(pbuf_nfree(), 0);
	}
	finish_sleepers(s, NSLEEPERS);
	undrain(n);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

struct releaser2 {
	struct buf	*bp[2];
	int		*cnt;
};

static void
releaser2(void *arg)
{
	struct releaser2 *r = arg;

	relpbuf(r->bp[0], r->cnt);
	relpbuf(r->bp[1], r->cnt);
}

/*
 * Two sleepers, then two releases in a row from another CPU, before
 * either sleeper runs: both must get through.  (FreeBSD 11 woke a
 * counter's sleeper only on its 0 -> 1 step, and would leave the second
 * asleep with the counter at 1.)  cnt is NULL for the pool's sleepers.
 */
static void
two_releases_wake_two(struct buf *a, struct buf *b, int *cnt,
    const char *wmesg)
{
	struct releaser2 r = { { a, b }, cnt };
	struct sleeper s[2];
	struct thread *td;
	bool ok;

	start_sleepers(s, 2, cnt, wmesg);
	KT_ASSERT_NOTNULL(td = thread_create_on("pbuf rel2", releaser2, &r,
	    mp_ncpus - 1));
	thread_join(td);
	ok = wait_count(&sleepers_done, 2);
	if (!ok && cnt != NULL)
		wakeup(cnt);		/* let the lost sleeper go, and fail */
	KT_EXPECT_TRUE(ok);
	finish_sleepers(s, 2);
}

KTEST(pbuf, two_releases_wake_two_sleepers)
{
	int c = 2, n;
	struct buf *a, *b;

	a = getpbuf(&c);
	b = getpbuf(&c);
	two_releases_wake_two(a, b, &c, "pfreecnt");
	KT_EXPECT_EQ(c, 2);
	n = drain(0);
	two_releases_wake_two(held[n - 1], held[n - 2], NULL, "pbufpool");
	undrain(n - 2);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

/*
 * One thread asleep on a zero counter, one on the empty pool: a buffer
 * freed to the pool (NULL counter) wakes only the pool's sleeper; a
 * release to the counter then wakes the other, which also needs that
 * release's buffer.
 */
KTEST(pbuf, counter_and_pool_sleeps_are_separate)
{
	struct sleeper sc[1], sp[1];
	struct buf *cbp;
	int c = 1, n;

	cbp = getpbuf(&c);
	n = drain(0);
	start_sleepers(sc, 1, &c, "pfreecnt");
	sp[0].cnt = NULL;
	sp[0].bp = NULL;
	KT_ASSERT_NOTNULL(sp[0].td = thread_create_on("pbuf sleeper", sleeper,
	    &sp[0], mp_ncpus - 1));
	KT_ASSERT_TRUE(wait_sleeping(sp[0].td, "pbufpool"));
	release_elsewhere(held[--n], NULL);
	KT_EXPECT_TRUE(wait_count(&sleepers_done, 1));
	KT_EXPECT_NOTNULL(sp[0].bp);
	pause_ticks(3);
	KT_EXPECT_EQ(count_sleeping(sc, 1, "pfreecnt"), 1);
	release_elsewhere(cbp, &c);
	KT_EXPECT_TRUE(wait_count(&sleepers_done, 2));
	KT_EXPECT_EQ(c, 0);
	finish_sleepers(sp, 1);
	finish_sleepers(sc, 1);
	KT_EXPECT_EQ(c, 1);
	undrain(n);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}
