/*
 * Suite "pbuf", continued: a wakeup stress over every CPU, and the misuse
 * panics of mm/pbuf.h and kernel/ucred.h.
 *
 * The stress runs threads bound to every CPU, each holding its buffer
 * over a thread_yield(), through small counters (2, 1, -1 and NULL) and
 * a pool cut down to a few free buffers, so that many getpbuf() calls
 * sleep: on counters, on the pool, and on both in one run.  It checks that no
 * counter is ever exceeded, that no buffer is handed to two threads, and
 * that everything comes back.  A lost wakeup leaves a thread asleep with
 * what it waits for available: the test watches for that and for a
 * stall, says so, wakes everyone by hand so that the run goes on, and
 * fails.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/ucred.h>
#include <lib/string.h>
#include <mm/pbuf.h>
#include "pbuf_util.h"

#define	ST_PER_CPU	4		/* threads per CPU */
#define	ST_ITERS	200		/* getpbuf/relpbuf per thread */
#define	ST_NCNT		4		/* counters; the last is NULL */
#define	ST_STALL	(3 * hz)	/* stuck this long: lost wakeup */

static const int st_start[ST_NCNT - 1] = { 2, 1, -1 };
static int		st_cnt[ST_NCNT - 1];
static volatile int	st_inuse[ST_NCNT];	/* buffers held per counter */
static volatile int	st_pool_inuse;		/* buffers held in all */
static volatile int	st_bad, st_ops, st_null;
static volatile bool	st_go;		/* every worker has been created */
/* This run: the pool's free buffers, the counters the workers use. */
static int		st_pool;
static const int	*st_kinds;
static int		st_nkinds;

static void
st_check(bool ok)
{
	if (!ok)
		__atomic_add_fetch(&st_bad, 1, __ATOMIC_RELAXED);
}

/* Hold bp over a thread_yield() and check nobody else got it. */
static void
st_hold(struct buf *bp, int k, int id, int i)
{
	size_t mark = (size_t)id << 16 | (size_t)i;

	st_check(__atomic_add_fetch(&st_pool_inuse, 1, __ATOMIC_SEQ_CST) <=
	    st_pool);
	if (k < ST_NCNT - 1) {
		int n = __atomic_add_fetch(&st_inuse[k], 1, __ATOMIC_SEQ_CST);
		int c = __atomic_load_n(&st_cnt[k], __ATOMIC_SEQ_CST);

		/* Never more out than the start; never below 0 (or -1). */
		st_check(st_start[k] < 0 ? c <= -2 : n <= st_start[k] &&
		    c >= 0);
	}
	bp->b_bcount = mark;
	thread_yield();
	st_check(bp->b_bcount == mark);
	if (k < ST_NCNT - 1)
		__atomic_sub_fetch(&st_inuse[k], 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&st_pool_inuse, 1, __ATOMIC_SEQ_CST);
}

static void
st_worker(void *arg)
{
	int id = (int)(intptr_t)arg, i, k;
	struct buf *bp;
	int *p;

	/*
	 * Start together: a worker that ran alone to its end before the next
	 * was created would never find the pool or a counter empty (seen on
	 * a loaded host), and the run would prove nothing about wakeups.
	 */
	while (!__atomic_load_n(&st_go, __ATOMIC_ACQUIRE))
		pause_ticks(1);
	for (i = 0; i < ST_ITERS; i++) {
		k = st_kinds[(id + i) % st_nkinds];
		p = k < ST_NCNT - 1 ? &st_cnt[k] : NULL;
		bp = (i % 4 == 3) ? trypbuf(p) : getpbuf(p);
		if (bp == NULL) {
			__atomic_add_fetch(&st_null, 1, __ATOMIC_RELAXED);
			continue;
		}
		st_hold(bp, k, id, i);
		relpbuf(bp, p);
		__atomic_add_fetch(&st_ops, 1, __ATOMIC_RELAXED);
	}
}

/*
 * Is td asleep for something that is there?  On a counter above 0, or
 * on the pool with a buffer free.  Briefly true without a bug: a woken
 * thread may not have run yet to take the unit.
 */
static bool
st_starved(const struct thread *td)
{
	int k;

	if (td->td_state != TDS_SLEEPING || td->td_wmesg == NULL)
		return (false);
	if (strcmp(td->td_wmesg, "pbufpool") == 0)
		return (pbuf_nfree() > 0);
	for (k = 0; k < ST_NCNT - 1; k++)
		if (td->td_wchan == &st_cnt[k])
			return (st_cnt[k] != 0);
	return (false);
}

/*
 * Wait for the workers.  False on a lost wakeup: no progress for
 * ST_STALL ticks, or one thread asleep all that time while what it waits
 * for is available.
 */
static bool
st_watch(struct thread **td, int n, int total)
{
	static int starved[ST_PER_CPU * MAXCPU];
	struct pbuf_stats ps;
	int last = -1, still = 0, i, worst = 0;

	memset(starved, 0, sizeof(starved));
	while (st_ops + st_null < total && worst < ST_STALL) {
		pause_ticks(1);
		for (i = 0, worst = 0; i < n; i++) {
			starved[i] = st_starved(td[i]) ? starved[i] + 1 : 0;
			worst = MAX(worst, starved[i]);
		}
		if (st_ops + st_null != last) {
			last = st_ops + st_null;
			still = 0;
		} else if (++still > worst)
			worst = still;
	}
	if (worst < ST_STALL)
		return (true);
	pbuf_get_stats(&ps);
	ktest_diag("lost wakeup at %d of %d (%s): pool %d free, %d pool and "
	    "%d counter waiters, counters %d %d %d", last, total,
	    still >= ST_STALL ? "stalled" : "a thread asleep with its "
	    "resource free", pbuf_nfree(), ps.ps_pool_waiters,
	    ps.ps_cnt_waiters, st_cnt[0], st_cnt[1], st_cnt[2]);
	return (false);
}

/*
 * After a stall: wake the counters' sleepers by hand, again and again,
 * so that the workers finish and the suite goes on.  (The pool's sleepers
 * were woken by giving the drained buffers back.)  False if they still
 * do not finish: then they are left asleep rather than joined.
 */
static bool
st_rescue(int total)
{
	int i, k;

	for (i = 0; i < 3 * ST_STALL && st_ops + st_null < total; i++) {
		for (k = 0; k < ST_NCNT - 1; k++)
			wakeup(&st_cnt[k]);
		pause_ticks(1);
	}
	return (st_ops + st_null == total);
}

/*
 * ST_PER_CPU threads bound to each CPU take and release through the
 * counters kinds[0 .. nkinds) with pool buffers free.  Returns the sleeps
 * on the pool and on counters it caused.
 */
static void
st_run(int pool, const int *kinds, int nkinds, unsigned long *psleeps,
    unsigned long *csleeps)
{
	struct thread *td[ST_PER_CPU * MAXCPU];
	int i, k, n, nthreads = ST_PER_CPU * mp_ncpus;
	struct pbuf_stats ps0, ps;
	bool ok;

	pbuf_get_stats(&ps0);
	n = drain(pool);
	for (k = 0; k < ST_NCNT - 1; k++)
		st_cnt[k] = st_start[k];
	st_bad = st_ops = st_null = st_pool_inuse = 0;
	st_pool = pool;
	st_kinds = kinds;
	st_nkinds = nkinds;
	st_go = false;
	for (i = 0; i < nthreads; i++)
		KT_ASSERT_NOTNULL(td[i] = thread_create_on("pbuf stress",
		    st_worker, (void *)(intptr_t)i, i % mp_ncpus));
	__atomic_store_n(&st_go, true, __ATOMIC_RELEASE);
	ok = st_watch(td, nthreads, nthreads * ST_ITERS);
	if (!ok) {
		undrain(n);		/* wakes pool sleepers, if wakeups work */
		KT_ASSERT_TRUE(st_rescue(nthreads * ST_ITERS));
	}
	for (i = 0; i < nthreads; i++)
		thread_join(td[i]);
	KT_EXPECT_TRUE(ok);
	KT_EXPECT_EQ(st_bad, 0);
	for (k = 0; k < ST_NCNT - 1; k++)
		KT_EXPECT_SEQ(st_cnt[k], st_start[k]);
	KT_EXPECT_EQ(st_ops + st_null, nthreads * ST_ITERS);
	KT_EXPECT_GT(st_ops, nthreads * ST_ITERS / 2);
	pbuf_get_stats(&ps);
	KT_EXPECT_EQ(ps.ps_pool_waiters, 0);
	KT_EXPECT_EQ(ps.ps_cnt_waiters, 0);
	*psleeps = ps.ps_pool_sleeps - ps0.ps_pool_sleeps;
	*csleeps = ps.ps_cnt_sleeps - ps0.ps_cnt_sleeps;
	ktest_diag("%d threads, pool %d: %d buffers taken, %d trypbuf NULL, "
	    "%lu sleeps on the pool, %lu on counters", nthreads, pool, st_ops,
	    st_null, *psleeps, *csleeps);
	if (ok)
		undrain(n);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

/* Counters 2 and 1, a full pool: the counters are what threads wait for. */
KTEST(pbuf, stress_counters_lose_no_wakeup)
{
	static const int kinds[] = { 0, 1 };
	unsigned long ps, cs;

	st_run(nswbuf, kinds, nitems(kinds), &ps, &cs);
	KT_EXPECT_GT(cs, 0);
}

/* A pool of 2 buffers, counters -1 and NULL: the pool is waited for. */
KTEST(pbuf, stress_pool_loses_no_wakeup)
{
	static const int kinds[] = { 2, 3 };
	unsigned long ps, cs;

	st_run(2, kinds, nitems(kinds), &ps, &cs);
	KT_EXPECT_GT(ps, 0);
	KT_EXPECT_EQ(cs, 0);
}

/* Everything at once: counters 2, 1, -1, NULL over a pool of 3. */
KTEST(pbuf, stress_mixed_loses_no_wakeup)
{
	static const int kinds[] = { 0, 1, 2, 3 };
	unsigned long ps, cs;

	st_run(3, kinds, nitems(kinds), &ps, &cs);
	KT_EXPECT_GT(ps + cs, 0);
}

/* ------------------------------------------------------------ misuse */

struct rel_args {
	struct buf	*bp;
	int		*cnt;
};

static void
do_relpbuf(void *arg)
{
	struct rel_args *a = arg;

	relpbuf(a->bp, a->cnt);
}

KTEST(pbuf, release_of_a_non_pbuf_panics)
{
	struct buf fake;
	struct buf *bp = getpbuf(NULL);
	struct rel_args a = { &fake, NULL };
	int nfree = pbuf_nfree();

	memset(&fake, 0, sizeof(fake));
	KT_EXPECT_PANIC(do_relpbuf, &a, "is not a pbuf");
	/* Inside the pool's array, but not at the start of a header. */
	a.bp = (struct buf *)((char *)bp + sizeof(void *));
	KT_EXPECT_PANIC(do_relpbuf, &a, "is not a pbuf");
	a.bp = NULL;
	KT_EXPECT_PANIC(do_relpbuf, &a, "is not a pbuf");
	KT_EXPECT_EQ(pbuf_nfree(), nfree);
	relpbuf(bp, NULL);
}

/* A second release panics before it touches anything. */
KTEST(pbuf, double_release_panics)
{
	struct ucred *cr = crget();
	struct rel_args a;
	int c = 1;

	a.bp = getpbuf(&c);
	a.cnt = &c;
	relpbuf(a.bp, &c);
	a.bp->b_rcred = cr;		/* would be freed by a second release */
	KT_EXPECT_PANIC(do_relpbuf, &a, "already free");
	KT_EXPECT_EQ(c, 1);
	KT_EXPECT_EQ(cr->cr_ref, 1);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
	a.bp->b_rcred = NULL;
	crfree(cr);
}

KTEST(pbuf, release_to_another_counter_panics)
{
	struct rel_args a;
	int c = 2, d = 2;

	a.bp = getpbuf(&c);
	a.cnt = &d;
	KT_EXPECT_PANIC(do_relpbuf, &a, "was taken with counter");
	a.cnt = NULL;
	KT_EXPECT_PANIC(do_relpbuf, &a, "was taken with counter");
	KT_EXPECT_EQ(c, 1);
	KT_EXPECT_EQ(d, 2);
	relpbuf(a.bp, &c);
	KT_EXPECT_EQ(c, 2);
}

/* A counter the holder raised by hand would pass its start: caught. */
KTEST(pbuf, counter_rising_above_start_panics)
{
	struct rel_args a;
	int c = -1, p = nswbuf;

	a.bp = getpbuf(&c);
	a.cnt = &c;
	KT_EXPECT_SEQ(c, -2);
	c = -1;					/* -1 would become 0 */
	KT_EXPECT_PANIC(do_relpbuf, &a, "would rise above its start");
	c = -2;
	relpbuf(a.bp, &c);
	KT_EXPECT_SEQ(c, -1);
	a.bp = getpbuf(&p);
	a.cnt = &p;
	p = nswbuf;				/* would become nswbuf + 1 */
	KT_EXPECT_PANIC(do_relpbuf, &a, "would rise above its start");
	p = nswbuf - 1;
	relpbuf(a.bp, &p);
	KT_EXPECT_EQ(p, nswbuf);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

static volatile bool in_critical;
static struct spinlock test_sl = SPINLOCK_INITIALIZER("pbuf test");

static void
getpbuf_in_critical(void *arg)
{
	struct buf *bp;

	critical_enter();
	in_critical = true;
	bp = getpbuf(arg);
	in_critical = false;
	critical_exit();
	relpbuf(bp, arg);
}

static void
getpbuf_spinning(void *arg)
{
	struct buf *bp;

	spinlock_acquire(&test_sl);
	bp = getpbuf(arg);
	spinlock_release(&test_sl);
	relpbuf(bp, arg);
}

/* Even when a buffer is free: the caller could not sleep if none were. */
KTEST(pbuf, getpbuf_where_sleep_is_forbidden_panics)
{
	int c = 1;

	KT_EXPECT_PANIC(getpbuf_in_critical, &c, "may sleep");
	if (in_critical) {
		in_critical = false;
		critical_exit();
	}
	KT_EXPECT_PANIC(getpbuf_spinning, &c, "may sleep");
	if (spinlock_owned(&test_sl))
		spinlock_release(&test_sl);
	KT_EXPECT_EQ(c, 1);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
}

static void
do_crfree(void *arg)
{
	crfree(arg);
}

static void
do_crhold(void *arg)
{
	crhold(arg);
}

/* A credential with no reference left: free and hold both panic. */
KTEST(pbuf, ucred_free_below_zero_panics)
{
	struct ucred dead;

	memset(&dead, 0, sizeof(dead));
	KT_EXPECT_PANIC(do_crfree, &dead, "drops below 0");
	dead.cr_ref = 0;
	KT_EXPECT_PANIC(do_crhold, &dead, "reference count 0");
}
