/*
 * Quick-map and sf_buf benchmarks (kernel/kbench.h), all paths in one
 * boot: the benchmarks switch x86_64 between the direct map and the slot
 * (pmap_quick_use_slot) or the pool (sf_buf_use_map) themselves.
 *
 *  quick_floor        one PTE store + one invlpg of this CPU's slot: what
 *                     a slot quick map cannot do without
 *  quick_slot         pmap_quick_enter_page + pmap_quick_remove_page, slot
 *  quick_dmap         the same on the direct map (x86_64 only)
 *  sf_buf_dmap        sf_buf_alloc + sf_buf_free on the direct map
 *  sf_buf_hit[_priv]  the same on the pool, the page already mapped
 *                     (without, with SFB_CPUPRIVATE)
 *  sf_buf_miss[_priv] the pool, each allocation remapping an sf_buf whose
 *                     old mapping was used (so it must be flushed)
 *  sf_buf_ipis        shootdown IPIs per 100 operations of each kind
 *                     (reported; `make bench` runs it at -smp 4)
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <kernel/lock.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>

#define	MISS_PAGES	16	/* cycled through ... */
#define	MISS_FREE	8	/* ... this many free sf_bufs: all misses */

static bool		timed = true;	/* false: sf_buf_ipis counts */
static unsigned long	loop_ipis;	/* shootdown IPIs in the last loop */

static void
loop_start(void)
{
	struct sf_buf_stats st;

	sf_buf_stats(&st);
	loop_ipis = st.sfs_shootdown_ipis;
	if (timed)
		kbench_start();
}

static void
loop_stop(void)
{
	struct sf_buf_stats st;

	if (timed)
		kbench_stop();
	sf_buf_stats(&st);
	loop_ipis = st.sfs_shootdown_ipis - loop_ipis;
}

static vm_page_t
bench_page(void)
{
	vm_page_t m = vm_page_alloc(VM_ALLOC_WIRED);

	if (m == NULL)
		panic("sf_buf_bench: no page");
	return (m);
}

static void
bench_page_free(vm_page_t m)
{
	vm_page_unwire(m);
	vm_page_free(m);
}

KBENCH(quick_floor, 1000)
{
	vm_page_t m = bench_page();
	unsigned long i;

	critical_enter();		/* the slot is this CPU's */
	kbench_start();
	for (i = 0; i < nops; i++)
		pmap_quick_floor(m);
	kbench_stop();
	critical_exit();
	bench_page_free(m);
}

static void
quick_loop(unsigned long nops, bool slot)
{
	vm_page_t m = bench_page();
	bool old = pmap_quick_use_slot(slot);
	unsigned long i;

	kbench_start();
	for (i = 0; i < nops; i++)
		pmap_quick_remove_page(pmap_quick_enter_page(m));
	kbench_stop();
	pmap_quick_use_slot(old);
	bench_page_free(m);
}

KBENCH(quick_slot, 1000)
{
	quick_loop(nops, true);
}

KBENCH(quick_dmap, 1000)
{
	if (PMAP_HAS_DMAP)
		quick_loop(nops, false);
}

/* Alloc + free of one page, again and again: hits (or the direct map). */
static void
sf_hit_loop(unsigned long nops, bool map, int flags)
{
	vm_page_t m = bench_page();
	bool old = sf_buf_use_map(map);
	unsigned long i;

	sched_pin();
	sf_buf_free(sf_buf_alloc(m, flags));	/* mapped, valid */
	loop_start();
	for (i = 0; i < nops; i++)
		sf_buf_free(sf_buf_alloc(m, flags));
	loop_stop();
	sched_unpin();
	sf_buf_use_map(old);
	bench_page_free(m);
}

KBENCH(sf_buf_dmap, 1000)
{
	if (PMAP_HAS_DMAP)
		sf_hit_loop(nops, false, 0);
}

KBENCH(sf_buf_hit, 1000)
{
	sf_hit_loop(nops, true, 0);
}

KBENCH(sf_buf_hit_priv, 1000)
{
	sf_hit_loop(nops, true, SFB_CPUPRIVATE);
}

/*
 * Misses: hold all but MISS_FREE sf_bufs, cycle through MISS_PAGES
 * pages, and touch each mapping so that its Accessed bit is set.
 */
struct miss_env {
	vm_page_t	 pages[MISS_PAGES];
	struct sf_buf	**held;
	vm_page_t	*heldpg;
	int		 nheld;
	bool		 old;
};

static void
miss_setup(struct miss_env *e)
{
	struct sf_buf_stats st;
	int i;

	e->old = sf_buf_use_map(true);
	sf_buf_stats(&st);
	e->nheld = (int)(st.sfs_nbufs - st.sfs_inuse) - MISS_FREE;
	e->held = malloc(e->nheld * sizeof(*e->held), 0);
	e->heldpg = malloc(e->nheld * sizeof(*e->heldpg), 0);
	for (i = 0; i < e->nheld; i++) {
		e->heldpg[i] = bench_page();
		e->held[i] = sf_buf_alloc(e->heldpg[i], SFB_CPUPRIVATE);
	}
	for (i = 0; i < MISS_PAGES; i++)
		e->pages[i] = bench_page();
}

static void
miss_teardown(struct miss_env *e)
{
	int i;

	for (i = 0; i < e->nheld; i++) {
		sf_buf_free(e->held[i]);
		bench_page_free(e->heldpg[i]);
	}
	free(e->held);
	free(e->heldpg);
	for (i = 0; i < MISS_PAGES; i++)
		bench_page_free(e->pages[i]);
	sf_buf_use_map(e->old);
}

static void
miss_op(struct miss_env *e, unsigned long i, int flags)
{
	struct sf_buf *sf = sf_buf_alloc(e->pages[i % MISS_PAGES], flags);

	(void)*(volatile char *)sf_buf_kva(sf);
	sf_buf_free(sf);
}

static void
sf_miss_loop(unsigned long nops, int flags)
{
	struct miss_env e;
	unsigned long i;

	sched_pin();
	miss_setup(&e);
	for (i = 0; i < MISS_PAGES; i++)
		miss_op(&e, i, flags);
	loop_start();
	for (i = 0; i < nops; i++)
		miss_op(&e, i, flags);
	loop_stop();
	miss_teardown(&e);
	sched_unpin();
}

KBENCH(sf_buf_miss, 200)
{
	sf_miss_loop(nops, 0);
}

KBENCH(sf_buf_miss_priv, 1000)
{
	sf_miss_loop(nops, SFB_CPUPRIVATE);
}

/* IPIs per 100 operations of each kind, from the sf_buf counters. */
static unsigned long
ipis_per_100(void (*op)(unsigned long, int), int flags)
{
	timed = false;
	op(100, flags);
	timed = true;
	return (loop_ipis);
}

static void
hit_100(unsigned long n, int flags)
{
	sf_hit_loop(n, true, flags);
}

KBENCH(sf_buf_ipis, 1)
{
	kbench_report("sf_buf_ipis", "hit_per_100",
	    ipis_per_100(hit_100, 0));
	kbench_report("sf_buf_ipis", "hit_priv_per_100",
	    ipis_per_100(hit_100, SFB_CPUPRIVATE));
	kbench_report("sf_buf_ipis", "miss_per_100",
	    ipis_per_100(sf_miss_loop, 0));
	kbench_report("sf_buf_ipis", "miss_priv_per_100",
	    ipis_per_100(sf_miss_loop, SFB_CPUPRIVATE));
	kbench_report("sf_buf_ipis", "other_cpus", mp_ncpus - 1);
}
