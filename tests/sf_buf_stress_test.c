/*
 * Suite "sf_buf", part three: the stress test.  A thread bound to each
 * CPU allocates random pages, many more pages than there are free
 * sf_bufs (the rest of the pool is held, so sf_bufs are remapped all
 * the time and allocations sleep), most of them SFB_CPUPRIVATE; the
 * shared ones use a few hot pages, so that CPUs hit sf_bufs that other
 * CPUs just remapped (a missed shootdown shows there).  Each
 * operation checks that the page seen through the sf_buf names itself,
 * writes a pattern naming page, CPU and generation, reads it back
 * through a quick map, writes another through the quick map and reads
 * that back through the sf_buf.  Any difference is a mismatch.
 *
 * "sfstress=N" sets the total of operations over all CPUs (`make
 * stress` runs a million); without it a short run (STRESS_OPS).  The
 * pool path runs always; the direct map too where there is one.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/ktest.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>
#include "sf_buf_test.h"

#define	STRESS_OPS	1200		/* default total, all CPUs */
#define	STRESS_PAGES	96		/* pages cycled through ... */
#define	STRESS_FREE	3		/* ... this many free sf_bufs (fewer
				   than CPUs: allocations wait) */
#define	STRESS_HOT	4		/* shared operations use these */
/*
 * Shared (not CPUPRIVATE) operations remap with a shootdown round, which
 * under TCG on a busy host can take milliseconds: one in 16 is shared,
 * and at most STRESS_SHARED_MAX in a run, so a long run stays minutes.
 */
#define	STRESS_SHARED_EVERY 16
#define	STRESS_SHARED_MAX 2000
#define	MAGIC(i)	(0x5eed0000u | (uint32_t)(i))
#define	PAT(i, cpu, g)	(((uint32_t)(i) << 24) ^ ((uint32_t)(cpu) << 20) ^ \
			    (uint32_t)(g))

static struct stress_run {
	struct sfpages	 pg;
	unsigned long	 ops_per_cpu;
	unsigned long	 shared_every;	/* one op in this many is shared */
	volatile unsigned long ops[MAXCPU];
	volatile unsigned long mismatches[MAXCPU];
} sr;

static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* One operation on page i; returns the mismatches it saw. */
static int
stress_op(int i, int flags, int cpu, uint32_t gen)
{
	vm_page_t m = sr.pg.m[i];
	struct sf_buf *sf = sf_buf_alloc(m, flags);
	volatile uint32_t *w = (uint32_t *)sf_buf_kva(sf), *q;
	uint32_t v = PAT(i, cpu, gen);
	int bad = 0;

	bad += w[0] != MAGIC(i);
	w[8 + cpu] = v;
	q = (uint32_t *)pmap_quick_enter_page(m);
	bad += q[0] != MAGIC(i);
	bad += q[8 + cpu] != v;
	q[512 + cpu] = ~v;
	pmap_quick_remove_page((vaddr_t)q);
	bad += w[512 + cpu] != ~v;
	bad += sf_buf_page(sf) != m;
	sf_buf_free(sf);
	return (bad);
}

static void
stress_thread(void *arg __unused)
{
	int cpu = curcpu()->pc_cpuid;
	uint32_t seed = 0x9e3779b9u * (cpu + 1), r, i;
	unsigned long n;

	for (n = 0; n < sr.ops_per_cpu; n++) {
		r = xorshift(&seed);
		if ((r >> 16) % sr.shared_every != 0)
			i = r % STRESS_PAGES;
		else	/* a few hot pages: hits on sf_bufs just remapped */
			i = r % STRESS_HOT;
		sr.mismatches[cpu] += stress_op(i, (r >> 16) % sr.shared_every ?
		    SFB_CPUPRIVATE : 0, cpu, (uint32_t)n);
		sr.ops[cpu]++;
	}
}

static void
stress_path(bool map, unsigned long total)
{
	struct thread *td[MAXCPU];
	struct sf_buf_stats a, b;
	unsigned long ops = 0, bad = 0;
	struct sfheld h;
	vaddr_t q;
	bool old;
	int cpu, i;

	if (map)
		SFPOOL_REQUIRE(STRESS_PAGES);
	old = sftest_use_map(map);
	memset(&sr, 0, sizeof(sr));
	sr.ops_per_cpu = total / mp_ncpus;
	sr.shared_every = MAX(STRESS_SHARED_EVERY, total / STRESS_SHARED_MAX);
	KT_ASSERT_TRUE(sfpages_alloc(&sr.pg, STRESS_PAGES));
	for (i = 0; i < STRESS_PAGES; i++) {
		q = pmap_quick_enter_page(sr.pg.m[i]);
		*(uint32_t *)q = MAGIC(i);
		pmap_quick_remove_page(q);
	}
	KT_ASSERT_TRUE(!map || sfpool_fill(&h, STRESS_FREE));
	sf_buf_stats(&a);
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_ASSERT_NOTNULL(td[cpu] = thread_create_on("sfstress",
		    stress_thread, NULL, cpu));
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		thread_join(td[cpu]);
	sf_buf_stats(&b);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		ops += sr.ops[cpu];
		bad += sr.mismatches[cpu];
	}
	kprintf("sf_buf stress (%s): %lu operations on %d CPUs (1 in %lu "
	    "shared), %lu mismatches; %lu hits, %lu misses, %lu waits, %lu local flushes, "
	    "%lu shootdown IPIs\n", map ? "pool" : "direct map", ops,
	    mp_ncpus, sr.shared_every, bad, b.sfs_hits - a.sfs_hits, b.sfs_misses - a.sfs_misses,
	    b.sfs_waits - a.sfs_waits, b.sfs_flush_local - a.sfs_flush_local,
	    b.sfs_shootdown_ipis - a.sfs_shootdown_ipis);
	KT_EXPECT_EQ(ops, sr.ops_per_cpu * mp_ncpus);
	KT_EXPECT_EQ(bad, 0);
	if (map) {
		/* Small pool, many pages: most allocations remapped. */
		KT_EXPECT_GT(b.sfs_misses - a.sfs_misses, ops / 2);
		sfpool_release(&h);
	}
	sf_buf_use_map(old);
	sfpages_free(&sr.pg);
}

KTEST(sf_buf, stress)
{
	const char *opt = cmdline_get("sfstress");
	unsigned long total = STRESS_OPS;

	if (opt != NULL && strtoull(opt, NULL, 10) > 0)
		total = strtoull(opt, NULL, 10);
	stress_path(true, total);
	if (PMAP_HAS_DMAP)
		stress_path(false, total / 4);
}
