/*
 * Suite "sf_buf", part two: waiting and waking (a sleeper is woken by a
 * free on another CPU, one waiter per free; SFB_CATCH returns NULL on a
 * signal, a plain sleeper does not), CPUPRIVATE allocations send no IPI
 * but a later shared hit makes the mapping valid everywhere, the stale
 * TLB test on every CPU.  The stress test is in tests/sf_buf_stress_test.c.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>
#include "sf_buf_test.h"

#define	WAIT_TICKS	(5 * hz)
#define	MAGIC(i)	(0x5fb00000u | (uint32_t)(i))

static unsigned long
stat_waits(void)
{
	struct sf_buf_stats s;

	sf_buf_stats(&s);
	return (s.sfs_waits);
}

/* Wait until n allocations have slept, or WAIT_TICKS pass. */
static bool
wait_waits(unsigned long n)
{
	uint64_t end = sched_ticks() + WAIT_TICKS;

	while (stat_waits() < n)
		if (sched_ticks() > end)
			return (false);
		else
			pause_ticks(1);
	return (true);
}

/* ------------------------------------------------------- sleeping */

struct sleeper {
	vm_page_t	 m;
	int		 flags;
	struct sf_buf	*sf;
	volatile int	 done;
	volatile int	 release;	/* may free its sf_buf now */
	struct thread	*td;
};

static void
sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	uint64_t end;

	s->sf = sf_buf_alloc(s->m, s->flags);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	end = sched_ticks() + WAIT_TICKS;
	while (!s->release && sched_ticks() <= end)
		pause_ticks(1);
	if (s->sf != NULL)
		sf_buf_free(s->sf);
}

static bool
sleeper_start(struct sleeper *s, vm_page_t m, int flags, int cpu)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->flags = flags;
	s->td = thread_create_on("sfsleeper", sleeper_main, s, cpu);
	return (s->td != NULL);
}

/* Wait until n of the two sleepers have their sf_buf, or WAIT_TICKS. */
static bool
wait_done(struct sleeper *a, struct sleeper *b, int n)
{
	uint64_t end = sched_ticks() + WAIT_TICKS;

	while (a->done + b->done < n)
		if (sched_ticks() > end)
			return (false);
		else
			pause_ticks(1);
	return (true);
}

static int
other_cpu(void)
{
	return (mp_ncpus > 1 ? 1 : 0);
}

/*
 * Two sleepers on another CPU, a full pool; each free on this CPU wakes
 * exactly one of them, and each slept once (a wakeup of all would make
 * the loser sleep again, a second wait).
 */
KTEST(sf_buf, free_wakes_one_sleeper_on_another_cpu)
{
	struct sleeper a, b;
	struct sfpages pg;
	struct sfheld h;
	unsigned long w0;
	bool old;

	SFPOOL_REQUIRE(2);
	old = sftest_use_map(true);

	KT_ASSERT_TRUE(sfpages_alloc(&pg, 2));
	KT_ASSERT_TRUE(sfpool_fill(&h, 0));
	w0 = stat_waits();
	KT_ASSERT_TRUE(sleeper_start(&a, pg.m[0], 0, other_cpu()));
	KT_ASSERT_TRUE(sleeper_start(&b, pg.m[1], 0, other_cpu()));
	KT_EXPECT_TRUE(wait_waits(w0 + 2));
	KT_EXPECT_EQ(a.done + b.done, 0);
	sf_buf_free(h.sf[--h.n]);
	KT_EXPECT_TRUE(wait_done(&a, &b, 1));
	pause_ticks(10);			/* time for a second to wake */
	KT_EXPECT_EQ(a.done + b.done, 1);
	sf_buf_free(h.sf[--h.n]);
	KT_EXPECT_TRUE(wait_done(&a, &b, 2));
	a.release = b.release = 1;
	thread_join(a.td);
	thread_join(b.td);
	KT_EXPECT_TRUE(a.sf != NULL && b.sf != NULL);
	KT_EXPECT_EQ(stat_waits(), w0 + 2);
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&pg);
}

KTEST(sf_buf, catch_sleeper_returns_null_on_signal_plain_does_not)
{
	struct sleeper c, p;
	struct sfpages pg;
	struct sfheld h;
	unsigned long w0;
	bool old;

	SFPOOL_REQUIRE(2);
	old = sftest_use_map(true);

	KT_ASSERT_TRUE(sfpages_alloc(&pg, 2));
	KT_ASSERT_TRUE(sfpool_fill(&h, 0));
	w0 = stat_waits();
	KT_ASSERT_TRUE(sleeper_start(&c, pg.m[0], SFB_CATCH, other_cpu()));
	KT_ASSERT_TRUE(sleeper_start(&p, pg.m[1], 0, other_cpu()));
	KT_EXPECT_TRUE(wait_waits(w0 + 2));
	KT_EXPECT_EQ(stat_waits(), w0 + 2);
	thread_signal(c.td);
	thread_signal(p.td);
	c.release = 1;
	thread_join(c.td);			/* returns at once */
	KT_EXPECT_TRUE(c.done && c.sf == NULL);
	pause_ticks(10);
	KT_EXPECT_EQ(p.done, 0);		/* still asleep */
	sf_buf_free(h.sf[--h.n]);
	p.release = 1;
	thread_join(p.td);
	KT_EXPECT_TRUE(p.done && p.sf != NULL);
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&pg);
}

/* ------------------------------------------------------- IPIs */

KTEST(sf_buf, cpuprivate_sends_no_ipi_shared_hit_flushes_the_rest)
{
	struct sf_buf_stats a, b;
	uint64_t sent0, sent1, recv;
	struct sfpages pg;
	struct sf_buf *sf, *s2;
	struct sfheld h;
	bool old;
	int i, me;

	SFPOOL_REQUIRE(16);
	old = sftest_use_map(true);

	KT_ASSERT_TRUE(sfpages_alloc(&pg, 16));
	sched_pin();
	me = curcpu()->pc_cpuid;
	KT_ASSERT_TRUE(sfpool_fill(&h, 4));	/* 16 pages, 4 sf_bufs */
	sf_buf_stats(&a);
	pmap_tlb_counts(me, &sent0, &recv);
	for (i = 0; i < 400; i++) {
		sf = sf_buf_alloc(pg.m[(i * 7) % 16], SFB_CPUPRIVATE);
		*(volatile uint32_t *)sf_buf_kva(sf) = i;	/* used */
		sf_buf_free(sf);
	}
	sf_buf_stats(&b);
	pmap_tlb_counts(me, &sent1, &recv);
	KT_EXPECT_GT(b.sfs_misses - a.sfs_misses, 300);
	KT_EXPECT_EQ(b.sfs_shootdown_ipis, a.sfs_shootdown_ipis);
	KT_EXPECT_EQ(sent1, sent0);
	/* A used mapping, replaced privately: valid here only. */
	sf = sf_buf_alloc(pg.m[1], SFB_CPUPRIVATE);
	*(volatile uint32_t *)sf_buf_kva(sf) = 1;
	sf_buf_free(sf);
	sf = sf_buf_alloc(pg.m[2], SFB_CPUPRIVATE);	/* same, remapped */
	sf_buf_stats(&a);
	s2 = sf_buf_alloc(pg.m[2], 0);			/* a shared hit */
	sf_buf_stats(&b);
	KT_EXPECT_TRUE(s2 == sf);
	KT_EXPECT_EQ(b.sfs_shootdown_ipis - a.sfs_shootdown_ipis,
	    (unsigned long)(mp_ncpus - 1));
	sf_buf_free(s2);
	s2 = sf_buf_alloc(pg.m[2], 0);			/* now valid everywhere */
	sf_buf_stats(&a);
	KT_EXPECT_EQ(a.sfs_shootdown_ipis, b.sfs_shootdown_ipis);
	sf_buf_free(s2);
	sf_buf_free(sf);
	sched_unpin();
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&pg);
}

/* ------------------------------------------------------- stale TLB */

/*
 * One thread bound to each CPU.  Round r: one free sf_buf X is left.
 * All CPUs allocate page A (the first a miss onto X, the rest hits) and
 * read it, loading their TLBs, then free it.  CPU 0 allocates page B,
 * which must reuse X; then every CPU allocates B (hits) and reads it
 * through X's address: A's contents would be a stale TLB entry.  Odd
 * rounds do it all with SFB_CPUPRIVATE (each CPU flushes only itself).
 */
#define	STALE_ROUNDS	6

static struct stale_run {
	struct sfpages	 pg;		/* A, B of each round */
	volatile int	 arrived, gen;
	volatile bool	 timed_out;
	volatile int	 good[MAXCPU], stale[MAXCPU], wrong[MAXCPU];
	volatile int	 reused;	/* rounds where B took X */
	vaddr_t		 x;
} st;

static void
stale_barrier(void)
{
	int gen = __atomic_load_n(&st.gen, __ATOMIC_ACQUIRE);
	uint64_t end = sched_ticks() + WAIT_TICKS;

	if (__atomic_add_fetch(&st.arrived, 1, __ATOMIC_ACQ_REL) == mp_ncpus) {
		st.arrived = 0;
		__atomic_store_n(&st.gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&st.gen, __ATOMIC_ACQUIRE) == gen)
		if (st.timed_out || sched_ticks() > end) {
			st.timed_out = true;
			return;
		} else
			cpu_spinwait();
}

static void
stale_read(vm_page_t m, int flags, uint32_t want, uint32_t old, int cpu)
{
	struct sf_buf *sf = sf_buf_alloc(m, flags);
	uint32_t v = *(volatile uint32_t *)sf_buf_kva(sf);

	if (v == want)
		st.good[cpu]++;
	else if (v == old)
		st.stale[cpu]++;
	else
		st.wrong[cpu]++;
	if (cpu == 0 && old == ~0u)	/* page A: X, the one free */
		st.x = sf_buf_kva(sf);
	sf_buf_free(sf);
}

static void
stale_thread(void *arg __unused)
{
	int cpu = curcpu()->pc_cpuid, r, fl;
	struct sf_buf *b;
	vm_page_t pa, pb;

	for (r = 0; r < STALE_ROUNDS && !st.timed_out; r++) {
		pa = st.pg.m[2 * r];
		pb = st.pg.m[2 * r + 1];
		fl = (r & 1) ? SFB_CPUPRIVATE : 0;
		stale_barrier();
		stale_read(pa, fl, MAGIC(2 * r), ~0u, cpu);
		stale_barrier();
		if (cpu == 0) {
			b = sf_buf_alloc(pb, fl | SFB_NOWAIT);
			if (b != NULL && sf_buf_kva(b) == st.x)
				st.reused++;
			if (b != NULL)
				sf_buf_free(b);
		}
		stale_barrier();
		stale_read(pb, fl, MAGIC(2 * r + 1), MAGIC(2 * r), cpu);
		stale_barrier();
	}
}

/* Tag each page's first word with MAGIC(its index), through a quick map. */
static void
tag_pages(struct sfpages *pg, uint32_t base)
{
	vaddr_t q;
	int i;

	for (i = 0; i < pg->n; i++) {
		q = pmap_quick_enter_page(pg->m[i]);
		*(uint32_t *)q = MAGIC(base + i);
		pmap_quick_remove_page(q);
	}
}

KTEST(sf_buf, stale_tlb_every_cpu_reads_the_new_page)
{
	struct thread *td[MAXCPU];
	struct sfheld h;
	bool old;
	int cpu;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	SFPOOL_REQUIRE(2 * STALE_ROUNDS);
	old = sftest_use_map(true);
	memset(&st, 0, sizeof(st));
	KT_ASSERT_TRUE(sfpages_alloc(&st.pg, 2 * STALE_ROUNDS));
	tag_pages(&st.pg, 0);
	KT_ASSERT_TRUE(sfpool_fill(&h, 1));
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_ASSERT_NOTNULL(td[cpu] = thread_create_on("sfstale",
		    stale_thread, NULL, cpu));
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		thread_join(td[cpu]);
	KT_EXPECT_FALSE(st.timed_out);
	KT_EXPECT_EQ(st.reused, STALE_ROUNDS);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(st.good[cpu], 2 * STALE_ROUNDS);
		KT_EXPECT_EQ(st.stale[cpu], 0);
		KT_EXPECT_EQ(st.wrong[cpu], 0);
	}
	sfpool_release(&h);
	sf_buf_use_map(old);
	sfpages_free(&st.pg);
}
