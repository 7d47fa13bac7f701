/*
 * The pbuf pool (mm/pbuf.h, pbuf(9)): nswbuf buffer headers with a KVA
 * window each, handed out against per-subsystem counters.
 *
 * FreeBSD 11 (vm/vm_pager.c) kept the free pbufs on a list under one
 * mutex and slept on two channels.  Minnow keeps the same contract but
 * takes the common case without any lock, because a lock here costs more
 * than the rest of getpbuf()+relpbuf() together (two spin-lock round
 * trips are ~80 instructions; the goal for the pair is 60):
 *
 *  - The pool is a bitmap, pbuf_freemap (bit set = buffer free), taken
 *    with an atomic test-and-clear of the lowest bit seen set (another
 *    CPU may have cleared it first: then look again) and given back with
 *    an atomic test-and-set (x86 lock btr/bts, <machine/cpufunc.h>).  A
 *    bitmap has no ABA problem (a lock-free list would), and the set's
 *    old value catches a double release for free.
 *  - A counter is decremented with a compare-and-swap loop that refuses
 *    to go from 0 to -1, and incremented with an atomic add.  Negative
 *    counters (-1: "limited only by the pool") never reach 0, so they
 *    never block, yet they go down and come back as pbuf(9) says.
 *
 * Sleeping.  A waiter on an empty pool and a waiter on a zero counter
 * sleep on different channels (&pbuf_pool_chan, and the counter's own
 * address, as FreeBSD), and a release wakes one sleeper of each kind it
 * made room for: freeing a buffer lets exactly one more thread have a
 * buffer, raising a counter lets exactly one more thread pass it.
 * (FreeBSD woke a counter's sleeper only when the counter went from 0 to
 * 1: two releases before the sleeper ran left a second sleeper asleep
 * with a unit free.  Minnow wakes one per release.)
 *
 * No wakeup is lost.  A waiter announces itself (waiter count + 1) and
 * then looks again, both as seq_cst atomics, with pbuf_mtx held until
 * msleep() has it on the sleep queue.  A releaser publishes the buffer or
 * the unit and then reads the waiter count, also seq_cst.  In the single
 * order of seq_cst operations one of the two comes first: either the
 * waiter's second look sees what was released, or the releaser sees the
 * waiter and takes pbuf_mtx to wake it -- which it can only get once the
 * waiter is asleep.  Without waiters the releaser never touches the lock.
 * All waiters are counted in one word (pbuf_waiting), those of every
 * counter together: a release to another counter then costs a useless
 * wakeup_one, never a lost one.
 *
 * The misuse checks are KASSERTs, as FreeBSD's, except the one that
 * costs nothing: the test-and-set that frees a buffer sees a double
 * release.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/ucred.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/pbuf.h>
#include <machine/cpufunc.h>

#define	PBUF_NWORDS	howmany(NSWBUF_MAX, 32)

int nswbuf;

/*
 * The headers: a static array (90 KiB on x86_64), so that a header's
 * address is a constant plus an offset on the fast paths.  pbufs[nswbuf
 * ..] are never used.
 */
static struct buf	 pbufs[NSWBUF_MAX];
static int		 pbuf_nwords;	/* words of pbuf_freemap in use */
/* Bit i of word i / 32: pbufs[i] is free.  Atomic ops only. */
static volatile uint32_t pbuf_freemap[PBUF_NWORDS];
/* Interlock for the two kinds of sleep; never held on the fast paths. */
static struct mtx	 pbuf_mtx;
/*
 * Threads between announcing a wait and leaving it, pool waiters in the
 * low half and counter waiters in the high half, so that a release looks
 * at one word.  &pbuf_pool_chan and the counter are the wait channels.
 * Atomic ops only.
 */
#define	WAIT_POOL	1u
#define	WAIT_CNT	0x10000u
static uint32_t		 pbuf_waiting;
static int		 pbuf_pool_chan;
/* Sleeps so far, for statistics; under pbuf_mtx. */
static unsigned long	 pbuf_pool_sleeps, pbuf_cnt_sleeps;

/* ------------------------------------------------------------ sizing */

/*
 * pbuf_nswbuf_for: FreeBSD's pool size for kib KiB of RAM (mm/pbuf.h).
 * => pure arithmetic: any context.
 */
int
pbuf_nswbuf_for(uint64_t kib, int *nbufp)
{
	uint64_t nbuf = 50;

	if (kib > 4096)
		nbuf += MIN((kib - 4096) / 64, 65536 / 64);
	if (kib > 65536)
		nbuf += MIN((kib - 65536) * 2 / 320, 32 * 1024 * 1024 / 320);
	if (nbufp != NULL)
		*nbufp = (int)nbuf;
	return ((int)MAX(MIN(nbuf / 4, NSWBUF_MAX), NSWBUF_MIN));
}

/*
 * pbuf_nswbuf_option: the pool size "nswbuf=val" asks for, clamped.
 * => dflt when val is not a decimal number; prints only with report.
 */
int
pbuf_nswbuf_option(const char *val, int dflt, bool report)
{
	unsigned long long v;
	char *end;
	int n;

	v = strtoull(val, &end, 10);
	if (end == val || *end != '\0') {
		if (report)
			kprintf("pbuf: nswbuf=%s is not a number, using %d\n",
			    val, dflt);
		return (dflt);
	}
	n = (int)MIN(MAX(v, NSWBUF_MIN), NSWBUF_MAX);
	if (report && (unsigned long long)n != v)
		kprintf("pbuf: nswbuf=%s clamped to %d (%d .. %d)\n", val, n,
		    NSWBUF_MIN, NSWBUF_MAX);
	return (n);
}

/*
 * pbuf_init: size the pool, reserve nswbuf * MAXPHYS of KVA in one piece
 *	(FreeBSD's swapbkva), set up every header and mark it free.
 * => after kva_init(), malloc_init() and cmdline_init(); may sleep.
 */
void
pbuf_init(void)
{
	uint64_t kib = (uint64_t)vm_cnt.v_page_count * (PAGE_SIZE / 1024);
	const char *opt;
	vaddr_t kva;
	int i, nbuf;

	nswbuf = pbuf_nswbuf_for(kib, &nbuf);
	if ((opt = cmdline_get("nswbuf")) != NULL)
		nswbuf = pbuf_nswbuf_option(opt, nswbuf, true);
	kva = kva_alloc((size_t)nswbuf * MAXPHYS);
	if (kva == 0)
		panic("pbuf_init: no KVA for %d buffers of %d KiB", nswbuf,
		    MAXPHYS / 1024);
	for (i = 0; i < nswbuf; i++) {
		pbufs[i].b_kvabase = (char *)(kva + (vaddr_t)i * MAXPHYS);
		pbufs[i].b_kvasize = MAXPHYS;
		pbufs[i].b_index = i;
		pbufs[i].b_data = pbufs[i].b_kvabase;
		pbuf_freemap[i / 32] |= 1u << (i % 32);
	}
	pbuf_nwords = howmany(nswbuf, 32);
	mtx_init(&pbuf_mtx, "pbuf");
	kprintf("pbuf: nswbuf %d (nbuf %d for %llu MiB of RAM), %d KiB of KVA "
	    "each\n", nswbuf, nbuf, (unsigned long long)(kib / 1024),
	    MAXPHYS / 1024);
}

/* ------------------------------------------------------------ the pool */

/*
 * Take the lowest free buffer of word i, or NULL.  The load is seq_cst:
 * it is the waiter's second look in the proof at the top.  The bit is
 * claimed with a locked test-and-clear (a full barrier, so at least an
 * acquire); if another CPU claimed it first, look at the word again.
 */
static inline struct buf *
pool_take_word(int i)
{
	uint32_t w;
	unsigned int bit;

	while ((w = __atomic_load_n(&pbuf_freemap[i], __ATOMIC_SEQ_CST)) != 0) {
		bit = __builtin_ctz(w);
		if (atomic_testandclear_bitmap(&pbuf_freemap[i], bit))
			return (&pbufs[i * 32 + bit]);
	}
	return (NULL);
}

/* Any free buffer, lowest first, or NULL. */
static struct buf *
pool_take(void)
{
	struct buf *bp;
	int i;

	for (i = 0; i < pbuf_nwords; i++)
		if ((bp = pool_take_word(i)) != NULL)
			return (bp);
	return (NULL);
}

static bool
pool_is_free(int i)
{
	return ((pbuf_freemap[i / 32] & (1u << (i % 32))) != 0);
}

/*
 * Wait until ready(arg) is true, sleeping on chan between looks: the slow
 * path of both kinds of wait.  way is WAIT_POOL or WAIT_CNT.
 */
static void
pbuf_wait(uint32_t way, const void *chan, const char *wmesg,
    bool (*ready)(void *), void *arg)
{
	mtx_lock(&pbuf_mtx);
	__atomic_add_fetch(&pbuf_waiting, way, __ATOMIC_SEQ_CST);
	while (!ready(arg)) {
		if (way == WAIT_POOL)
			pbuf_pool_sleeps++;
		else
			pbuf_cnt_sleeps++;
		msleep(chan, &pbuf_mtx, 0, wmesg, 0);
	}
	__atomic_sub_fetch(&pbuf_waiting, way, __ATOMIC_SEQ_CST);
	mtx_unlock(&pbuf_mtx);
}

static bool
pool_ready(void *arg)
{
	struct buf **bpp = arg;

	return ((*bpp = pool_take()) != NULL);
}

/* Sleep until a buffer can be taken; take it. */
static struct buf *
pool_wait(void)
{
	struct buf *bp;

	pbuf_wait(WAIT_POOL, &pbuf_pool_chan, "pbufpool", pool_ready, &bp);
	return (bp);
}

/* ------------------------------------------------------------ counters */

/* Take one unit of *p unless it is 0; NULL is unlimited. */
static inline bool
cnt_take(int *p)
{
	int c;

	if (p == NULL)
		return (true);
	c = __atomic_load_n(p, __ATOMIC_RELAXED);
	do {
		if (c == 0)
			return (false);
	} while (!__atomic_compare_exchange_n(p, &c, c - 1, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return (true);
}

static bool
cnt_ready(void *arg)
{
	return (__atomic_load_n((int *)arg, __ATOMIC_SEQ_CST) != 0);
}

/* Sleep until *p is not 0 (someone else may still take it first). */
static void
cnt_wait(int *p)
{
	pbuf_wait(WAIT_CNT, p, "pfreecnt", cnt_ready, p);
}

/*
 * A release published a buffer (pool) and/or a unit of *p, and saw
 * waiters: wake one sleeper of each kind that may now proceed.  Taking
 * pbuf_mtx waits out any waiter between its second look and its sleep.
 */
static void __attribute__((noinline))
pbuf_wakeup(uint32_t waiting, bool pool, int *p)
{
	mtx_lock(&pbuf_mtx);
	if (pool && (waiting & (WAIT_CNT - 1)) != 0)
		wakeup_one(&pbuf_pool_chan);
	if (p != NULL && waiting >= WAIT_CNT)
		wakeup_one(p);
	mtx_unlock(&pbuf_mtx);
}

static void __attribute__((noinline, noreturn))
pbuf_double_release(struct buf *bp)
{
	panic("relpbuf: pbuf %p is already free", bp);
}

/* Give back a unit of *p (not NULL) and wake a waiter for it. */
static void
cnt_give(int *p)
{
	uint32_t waiting;

	__atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
	waiting = __atomic_load_n(&pbuf_waiting, __ATOMIC_SEQ_CST);
	if (__predict_false(waiting != 0))
		pbuf_wakeup(waiting, false, p);
}

/* ------------------------------------------------------------ interface */

/* getpbuf() has its unit of the counter: a buffer, waiting if need be. */
static struct buf * __attribute__((noinline))
getpbuf_nobuf(void)
{
	struct buf *bp;

	if ((bp = pool_take()) == NULL)
		bp = pool_wait();
	return (bp);
}

/* getpbuf() found *pfreecnt at 0: wait for a unit, then a buffer. */
static struct buf * __attribute__((noinline))
getpbuf_nounit(int *pfreecnt)
{
	do
		cnt_wait(pfreecnt);
	while (!cnt_take(pfreecnt));
	return (getpbuf_nobuf());
}

/*
 * getpbuf: a free pbuf, charged to *pfreecnt.
 * => may sleep: not with a spin lock held, in a critical section, or in
 *    the idle thread (KASSERT; Minnow cannot tell an interrupt handler
 *    apart, which holds no thread-sleep right either: do not).
 * => sleeps while *pfreecnt == 0, then while the pool is empty; the unit
 *    of the counter is kept while it waits for the pool, as the buffer
 *    it will get is already charged to the subsystem.
 * => never returns NULL.
 */
struct buf *
getpbuf(int *pfreecnt)
{
	struct buf *bp;

	KASSERT(curthread != NULL && !curthread->td_idle &&
	    curthread->td_critnest == 0 && spinlock_count() == 0,
	    ("getpbuf: may sleep, but called where sleeping is not allowed"
	    " (spin lock held, critical section or idle thread)"));
	KASSERT(pfreecnt == NULL || *pfreecnt <= nswbuf,
	    ("getpbuf: counter %p is %d, more than nswbuf %d", pfreecnt,
	    *pfreecnt, nswbuf));
	/* The common case inline: a unit, and a buffer of the first word. */
	if (__predict_false(!cnt_take(pfreecnt)))
		bp = getpbuf_nounit(pfreecnt);
	else if (__predict_false((bp = pool_take_word(0)) == NULL))
		bp = getpbuf_nobuf();
#ifndef NO_KASSERT
	bp->b_pfreecnt = pfreecnt;
#endif
	return (bp);
}

/*
 * trypbuf: like getpbuf, but NULL instead of sleeping.
 * => never waits for a buffer.  When threads are asleep in getpbuf() it
 *    may take pbuf_mtx briefly to wake one (FreeBSD's trypbuf takes its
 *    pool mutex every time): not with a spin lock held.
 * => NULL when *pfreecnt is 0 or the pool is empty; *pfreecnt is then as
 *    it was.  (Under contention the counter is decremented and put back
 *    while the pool is looked at.)
 */
struct buf *
trypbuf(int *pfreecnt)
{
	struct buf *bp;

	KASSERT(pfreecnt == NULL || *pfreecnt <= nswbuf,
	    ("trypbuf: counter %p is %d, more than nswbuf %d", pfreecnt,
	    *pfreecnt, nswbuf));
	if (!cnt_take(pfreecnt))
		return (NULL);
	if ((bp = pool_take()) == NULL) {
		if (pfreecnt != NULL)
			cnt_give(pfreecnt);
		return (NULL);
	}
#ifndef NO_KASSERT
	bp->b_pfreecnt = pfreecnt;
#endif
	return (bp);
}

/*
 * The second half of relpbuf(): clear bp, publish it, then the unit of
 * *pfreecnt, then look for waiters.
 */
static inline void
relpbuf_finish(struct buf *bp, int *pfreecnt)
{
	uint32_t waiting;

	bp->b_data = bp->b_kvabase;
	bp->b_bufsize = bp->b_bcount = bp->b_resid = 0;
	bp->b_offset = 0;
	bp->b_iocmd = bp->b_error = bp->b_npages = 0;
#ifndef NO_KASSERT
	bp->b_pfreecnt = NULL;
#endif
	/* Sequentially consistent (a locked instruction), as the others. */
	if (__predict_false(atomic_testandset_bitmap(pbuf_freemap,
	    bp->b_index)))
		pbuf_double_release(bp);
	if (pfreecnt != NULL)
		__atomic_add_fetch(pfreecnt, 1, __ATOMIC_SEQ_CST);
	waiting = __atomic_load_n(&pbuf_waiting, __ATOMIC_SEQ_CST);
	if (__predict_false(waiting != 0))
		pbuf_wakeup(waiting, true, pfreecnt);
}

/* relpbuf() of a buffer that carries credentials. */
static void __attribute__((noinline))
relpbuf_cred(struct buf *bp, int *pfreecnt)
{
	if (bp->b_rcred != NULL)
		crfree(bp->b_rcred);
	if (bp->b_wcred != NULL)
		crfree(bp->b_wcred);
	bp->b_rcred = bp->b_wcred = NULL;
	relpbuf_finish(bp, pfreecnt);
}

/*
 * relpbuf: give bp back and *pfreecnt a unit back.
 * => bp must be a pbuf in use, pfreecnt the counter it was taken with,
 *    and the counter may not rise above its start: above nswbuf, or from
 *    -1 to 0 (KASSERT, before anything changes).  Two racing releases of
 *    one buffer panic even without KASSERT.
 * => crfree()s b_rcred and b_wcred; the pages the caller mapped into
 *    b_kvabase must already be unmapped (pmap_qremove).
 * => does not sleep unless threads wait in getpbuf(): then it takes
 *    pbuf_mtx to wake them (as FreeBSD's, whose pbuf_mtx is a sleep
 *    mutex): not with a spin lock held.
 */
void
relpbuf(struct buf *bp, int *pfreecnt)
{
	KASSERT(bp >= pbufs && bp < pbufs + nswbuf &&
	    &pbufs[bp->b_index] == bp, ("relpbuf: %p is not a pbuf", bp));
	KASSERT(!pool_is_free(bp->b_index), ("relpbuf: pbuf %p is already "
	    "free", bp));
	KASSERT(bp->b_pfreecnt == pfreecnt, ("relpbuf: pbuf %p was taken "
	    "with counter %p, released with %p", bp, bp->b_pfreecnt,
	    pfreecnt));
	KASSERT(pfreecnt == NULL || (*pfreecnt != -1 && *pfreecnt < nswbuf),
	    ("relpbuf: counter %p at %d would rise above its start",
	    pfreecnt, *pfreecnt));
	/* One test for both credentials: they are rare on the fast path. */
	if (__predict_false(((uintptr_t)bp->b_rcred |
	    (uintptr_t)bp->b_wcred) != 0))
		relpbuf_cred(bp, pfreecnt);
	else
		relpbuf_finish(bp, pfreecnt);
}

/* ------------------------------------------------------------ statistics */

/*
 * pbuf_nfree: buffers in the pool now.
 * => a snapshot: other CPUs may take and give while it counts.
 */
int
pbuf_nfree(void)
{
	uint32_t w;
	int i, n = 0;

	/* No __builtin_popcount: without POPCNT it calls libgcc. */
	for (i = 0; i < pbuf_nwords; i++)
		for (w = pbuf_freemap[i]; w != 0; w &= w - 1)
			n++;
	return (n);
}

/*
 * pbuf_get_stats: waiters now, sleeps since boot.
 * => takes pbuf_mtx: may sleep.
 */
void
pbuf_get_stats(struct pbuf_stats *st)
{
	uint32_t waiting;

	mtx_lock(&pbuf_mtx);
	waiting = __atomic_load_n(&pbuf_waiting, __ATOMIC_RELAXED);
	st->ps_pool_waiters = waiting % WAIT_CNT;
	st->ps_cnt_waiters = waiting / WAIT_CNT;
	st->ps_pool_sleeps = pbuf_pool_sleeps;
	st->ps_cnt_sleeps = pbuf_cnt_sleeps;
	mtx_unlock(&pbuf_mtx);
}
