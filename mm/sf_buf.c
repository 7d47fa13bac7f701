/*
 * sf_buf(9): temporary kernel mappings of physical pages, after FreeBSD's
 * sys/kern/subr_sfbuf.c with the i386 machine-dependent parts.
 *
 * Contract (FreeBSD sf_buf(9), and where it is silent FreeBSD's code):
 *  - sf_buf_alloc(m, flags) returns an sf_buf whose sf_buf_kva() maps m
 *    until sf_buf_free().  m must be wired (KASSERT): sf_buf_alloc does
 *    not keep the page, the caller does.
 *  - One sf_buf per page: allocating a page that has one returns the same
 *    sf_buf (and address) with one more reference.  Such a hit succeeds
 *    even when no sf_buf is free.
 *  - With none free: SFB_NOWAIT returns NULL at once and changes nothing;
 *    otherwise the caller sleeps until one is freed, interruptibly with
 *    SFB_CATCH (a signal makes it return NULL).
 *  - SFB_CPUPRIVATE: the mapping is made valid on this CPU only, no IPI
 *    is sent; the caller must be pinned or bound (KASSERT) and use the
 *    address on this CPU only.  Without it the address is valid on every
 *    CPU when sf_buf_alloc returns.
 *  - Never from an interrupt handler or with a spin lock held: even with
 *    SFB_NOWAIT it may wait for another CPU's shootdown (as FreeBSD's may
 *    block on its mutex).
 *  - sf_buf_free() drops one reference.  A free to no references wakes
 *    one waiter (FreeBSD wakes them all, and all but one sleep again).
 *    It panics on a double free and on a pointer sf_buf_alloc did not
 *    return; on the direct map, where nothing records which pages have
 *    an sf_buf, only on a free of more than were allocated, and on a
 *    pointer that is not a vm_page (KASSERT).
 *  - sf_buf_free() may block briefly when a thread waits for an sf_buf:
 *    not from an interrupt handler, no spin lock held.
 *
 * Two paths, chosen at boot:
 *  - The direct map (x86_64 by default): the "sf_buf" is the vm_page
 *    itself, its address the direct map (FreeBSD's
 *    SFBUF_OPTIONAL_DIRECT_MAP).  Nothing to map, never blocks.
 *  - The pool (i386; x86_64 booted with "sfbuf=map"): nsfbufs sf_bufs,
 *    each owning one page of KVA.  An sf_buf with references is in the
 *    hash, by page.  Freed to no references it goes to the tail of an
 *    LRU free list and STAYS mapped and hashed, so that allocating the
 *    same page again costs no PTE write and no flush.  A miss takes the
 *    LRU head, unhashes its old page and maps the new one.
 *
 *	sf_hash[]   (by page)              sf_freelist (LRU: head reused first)
 *	 [0] -> sf3(pgA,ref 2)             head -> sf7(pgQ) -> sf1(pgR) -> ...
 *	 [1] -> sf7(pgQ,ref 0) -> sf5(pgB,ref 1)            (ref 0, mapped,
 *	 [2] -> sf1(pgR,ref 0)                               still hashed)
 *
 * TLB consistency (FreeBSD i386): each sf_buf keeps sf_cpumask, the CPUs
 * whose TLB is known to hold no stale translation of its address.  A
 * remap clears it only if the old PTE was used (Accessed set): an unused
 * mapping was cached by no CPU.  Then a CPUPRIVATE allocation flushes
 * this CPU if it is not in the mask; any other flushes, with one
 * shootdown round, every online CPU not in the mask (a CPUPRIVATE sf_buf
 * hit later without the flag is made valid everywhere that way).
 *
 * Locking: sf_lock, a spin lock, protects the pool: the hash, the free
 * list, every field of a pool sf_buf but sf_kva, the waiter count and the
 * counters of the pool path.  (FreeBSD uses a sleep mutex and sends its
 * shootdowns holding it; a spin lock is cheaper on the hit path, but a
 * shootdown must not be sent holding one: another CPU may be spinning
 * for it with interrupts off.)  So a shootdown is sent after sf_lock is
 * dropped, the sf_buf marked sf_busy meanwhile: an allocation that finds
 * it busy waits for the flush to end, because the mask already names
 * CPUs that are not flushed yet.  The sender is in a critical section,
 * so the wait is one shootdown round.  Sleeping for a free sf_buf uses a
 * sleep mutex, sf_wait_mtx, held from the last look at the free list
 * until msleep releases it; sf_buf_free takes it to wake one waiter, so
 * no wakeup is lost.  The direct-map path counts with atomics, apart.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/queue.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>

#define	SFB_ALLFLAGS	(SFB_CATCH | SFB_NOWAIT | SFB_CPUPRIVATE)
#define	NSFBUFS_MIN	16
#define	NSFBUFS_MAX	65536

struct sf_buf {
	LIST_ENTRY(sf_buf) sf_hash;	/* hash chain, while it maps a page */
	TAILQ_ENTRY(sf_buf) sf_free;	/* LRU free list, while sf_ref is 0 */
	struct vm_page	*sf_page;	/* page mapped, NULL: never used */
	vaddr_t		 sf_kva;	/* its KVA page (fixed at boot) */
	int		 sf_ref;	/* references */
	bool		 sf_busy;	/* shootdown under way: wait */
	cpuset_t	 sf_cpumask;	/* CPUs with no stale TLB entry */
};

static struct spinlock	 sf_lock = SPINLOCK_INITIALIZER("sf_buf");
static struct mtx	 sf_wait_mtx;	/* sleeping for a free sf_buf */
static struct sf_buf	*sf_bufs;	/* the pool */
static int		 nsfbufs;
static LIST_HEAD(sf_head, sf_buf) *sf_hashtbl;
static unsigned long	 sf_hashmask;
static TAILQ_HEAD(, sf_buf) sf_freelist = TAILQ_HEAD_INITIALIZER(sf_freelist);
static int		 sf_waiters;	/* threads asleep for a free sf_buf */
static bool		 sf_direct;	/* allocate on the direct map */
static struct sf_buf_stats sf_st;	/* the pool's, under sf_lock */
static unsigned long	 sf_direct_inuse; /* atomic */
static unsigned long	 sf_direct_peak;	/* atomic */

#define	SF_HASH(m)	(&sf_hashtbl[(VM_PAGE_TO_PHYS(m) >> PAGE_SHIFT) & \
			    sf_hashmask])

/*
 * FreeBSD: nsfbufs = 512 + 16 * maxusers, maxusers = RAM / 2 MiB clamped
 * to 32 .. 384; "nsfbufs=N" overrides it.  Minnow's own cap: at most one
 * sf_buf per 8 pages of RAM (at least NSFBUFS_MIN).  FreeBSD's floor of
 * 32 maxusers gives 1024 sf_bufs even to a 4 MiB machine of 736 pages,
 * more mappings than there are pages to map, each costing KVA and a
 * struct; the cap binds only below about 34 MiB (92 sf_bufs at 4 MiB).
 */
static int
sf_buf_size(void)
{
	unsigned long maxusers = vm_cnt.v_page_count / (2 * 1024 * 1024 /
	    PAGE_SIZE);
	const char *opt = cmdline_get("nsfbufs");
	unsigned long long n;
	char *end;

	maxusers = MIN(MAX(maxusers, 32), 384);
	if (opt != NULL) {
		n = strtoull(opt, &end, 10);
		if (*end == '\0' && n >= NSFBUFS_MIN && n <= NSFBUFS_MAX)
			return ((int)n);
		kprintf("sf_buf: nsfbufs=%s out of %d..%d, ignored\n", opt,
		    NSFBUFS_MIN, NSFBUFS_MAX);
	}
	return ((int)MAX(MIN(512 + 16 * maxusers, vm_cnt.v_page_count / 8),
	    NSFBUFS_MIN));
}

/* "sfbuf=map" forces the pool where there is a direct map. */
static bool
sf_buf_want_direct(void)
{
	const char *opt = cmdline_get("sfbuf");

	if (opt == NULL)
		return (PMAP_HAS_DMAP);
	if (strcmp(opt, "map") == 0)
		return (false);
	if (strcmp(opt, "dmap") == 0 && PMAP_HAS_DMAP)
		return (true);
	kprintf("sf_buf: sfbuf=%s not supported, ignored\n", opt);
	return (PMAP_HAS_DMAP);
}

/*
 * => after cmdline_init and mp_start: every CPU is online, so an unused
 *    KVA page is known clean on all of them (sf_cpumask all ones).
 */
void
sf_buf_init(void)
{
	unsigned long nhash;
	vaddr_t kva;
	int i;

	mtx_init(&sf_wait_mtx, "sf_buf wait");
	nsfbufs = sf_buf_size();
	for (nhash = 1; nhash * 2 <= (unsigned long)nsfbufs; nhash *= 2)
		;
	sf_hashmask = nhash - 1;
	sf_bufs = kmem_alloc(nsfbufs * sizeof(*sf_bufs), M_ZERO);
	sf_hashtbl = kmem_alloc(nhash * sizeof(*sf_hashtbl), M_ZERO);
	kva = kva_alloc((size_t)nsfbufs * PAGE_SIZE);
	if (sf_bufs == NULL || sf_hashtbl == NULL || kva == 0)
		panic("sf_buf_init: no memory for %d sf_bufs", nsfbufs);
	for (i = 0; i < nsfbufs; i++) {
		sf_bufs[i].sf_kva = kva + (vaddr_t)i * PAGE_SIZE;
		sf_bufs[i].sf_cpumask = (cpuset_t)-1;
		TAILQ_INSERT_TAIL(&sf_freelist, &sf_bufs[i], sf_free);
	}
	sf_st.sfs_nbufs = nsfbufs;
	sf_direct = sf_buf_want_direct();
	kprintf("sf_buf: %d sf_bufs, %lu hash chains; allocating on the %s\n",
	    nsfbufs, nhash, sf_direct ? "direct map" : "pool");
}

bool
sf_buf_use_map(bool map)
{
	bool old = !sf_direct;

	sf_direct = !map && PMAP_HAS_DMAP;
	return (old);
}

/* Is sf one of the pool's sf_bufs (else it may be a direct-map page)? */
static bool
sf_in_pool(const struct sf_buf *sf)
{
	uintptr_t off = (uintptr_t)sf - (uintptr_t)sf_bufs;

	return (off < (uintptr_t)nsfbufs * sizeof(*sf) &&
	    off % sizeof(*sf) == 0);
}

static void
stat_peak(unsigned long *peak, unsigned long cur)
{
	unsigned long old = __atomic_load_n(peak, __ATOMIC_RELAXED);

	while (cur > old && !__atomic_compare_exchange_n(peak, &old, cur,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * Make sf's address valid where flags says (see the top of the file).
 * This CPU is flushed at once; returns the other CPUs still to flush
 * (then sf is busy until sf_flush_others has done it), or none.
 * => sf_lock held (interrupts off: this CPU cannot change).
 */
static cpuset_t
sf_buf_shootdown(struct sf_buf *sf, int flags)
{
	int me = curcpu()->pc_cpuid;
	cpuset_t targets;

	if (flags & SFB_CPUPRIVATE)
		targets = CPU_MASK(me) & ~sf->sf_cpumask;
	else
		targets = cpu_online & ~sf->sf_cpumask;
	sf->sf_cpumask |= targets;
	if (CPU_ISSET(me, targets)) {
		pmap_invalidate_page_local(sf->sf_kva);
		sf_st.sfs_flush_local++;
		CPU_CLR(me, &targets);
	}
	if (!CPU_EMPTY(targets)) {
		sf_st.sfs_shootdown_ipis += CPU_COUNT(targets);
		sf->sf_busy = true;
	}
	return (targets);
}

/*
 * One shootdown round to targets, outside sf_lock (a spin lock).
 * => sf_lock held on entry, released on return; sf is busy.
 */
static void
sf_flush_others(struct sf_buf *sf, cpuset_t targets)
{
	critical_enter();	/* waiters spin until we are done: be quick */
	spinlock_release(&sf_lock);
	pmap_invalidate_page_mask(sf->sf_kva, targets);
	spinlock_acquire(&sf_lock);
	sf->sf_busy = false;
	spinlock_release(&sf_lock);
	critical_exit();
}

/* m's sf_buf, if it has one.  => sf_lock held. */
static struct sf_buf *
sf_lookup(struct vm_page *m)
{
	struct sf_buf *sf;

	LIST_FOREACH(sf, SF_HASH(m), sf_hash)
		if (sf->sf_page == m)
			return (sf);
	return (NULL);
}

/* A hit: one more reference; off the free list if it was free. */
static void
sf_hit(struct sf_buf *sf)
{
	if (sf->sf_ref++ == 0) {
		TAILQ_REMOVE(&sf_freelist, sf, sf_free);
		sf_st.sfs_inuse++;
		stat_peak(&sf_st.sfs_peak, sf_st.sfs_inuse);
	}
	sf_st.sfs_hits++;
}

/*
 * A miss: the LRU head forgets its page and maps m.
 * => sf_lock held, the free list not empty.
 */
static struct sf_buf *
sf_remap(struct vm_page *m)
{
	struct sf_buf *sf = TAILQ_FIRST(&sf_freelist);

	TAILQ_REMOVE(&sf_freelist, sf, sf_free);
	if (sf->sf_page != NULL)
		LIST_REMOVE(sf, sf_hash);
	sf->sf_page = m;
	sf->sf_ref = 1;
	LIST_INSERT_HEAD(SF_HASH(m), sf, sf_hash);
	if (pmap_kenter_swap(sf->sf_kva, VM_PAGE_TO_PHYS(m)))
		CPU_ZERO(&sf->sf_cpumask);	/* any TLB may hold the old */
	sf_st.sfs_misses++;
	sf_st.sfs_inuse++;
	stat_peak(&sf_st.sfs_peak, sf_st.sfs_inuse);
	return (sf);
}

/* The direct map: nothing to map; the vm_page stands for the sf_buf. */
static struct sf_buf *
sf_direct_alloc(struct vm_page *m)
{
	stat_peak(&sf_direct_peak, __atomic_add_fetch(&sf_direct_inuse, 1,
	    __ATOMIC_RELAXED));
	return ((struct sf_buf *)m);
}

/*
 * Sleep until an sf_buf is freed, unless one is free now.  Returns 0, or
 * EINTR when SFB_CATCH and a signal ended the sleep.
 * => sf_lock not held.
 */
static int
sf_wait(int flags)
{
	int error = 0;

	mtx_lock(&sf_wait_mtx);
	spinlock_acquire(&sf_lock);
	if (TAILQ_EMPTY(&sf_freelist)) {
		sf_st.sfs_waits++;
		sf_waiters++;
		spinlock_release(&sf_lock);
		error = msleep(&sf_freelist, &sf_wait_mtx, (flags & SFB_CATCH) ?
		    PCATCH : 0, "sfbufa", 0);
		spinlock_acquire(&sf_lock);
		sf_waiters--;
	}
	spinlock_release(&sf_lock);
	mtx_unlock(&sf_wait_mtx);
	return (error);
}

/*
 * A free wakes one waiter.  If that one did not take the free sf_buf (it
 * hit, or a signal ended its wait), it passes the wakeup on.
 */
static void
sf_wakeup_passon(void)
{
	bool pass;

	mtx_lock(&sf_wait_mtx);
	spinlock_acquire(&sf_lock);
	pass = sf_waiters > 0 && !TAILQ_EMPTY(&sf_freelist);
	spinlock_release(&sf_lock);
	if (pass)
		wakeup_one(&sf_freelist);
	mtx_unlock(&sf_wait_mtx);
}

/*
 * m's sf_buf, a hit or a miss, or NULL when none is free.
 * => sf_lock held; returns with it held.
 */
static struct sf_buf *
sf_get(struct vm_page *m)
{
	struct sf_buf *sf;

	for (;;) {
		sf = sf_lookup(m);
		if (sf == NULL)
			break;
		if (!sf->sf_busy) {
			sf_hit(sf);
			return (sf);
		}
		/* Another CPU is flushing it: its mask is not true yet. */
		spinlock_release(&sf_lock);
		cpu_spinwait();
		spinlock_acquire(&sf_lock);
	}
	if (TAILQ_EMPTY(&sf_freelist))
		return (NULL);
	return (sf_remap(m));
}

/*
 * Everything but the common hit: a miss, a wait for a free sf_buf, a
 * busy sf_buf, a flush.  Out of line, so that the hit path in
 * sf_buf_alloc stays short.
 * => sf_lock held on entry; released on return.
 */
static struct sf_buf * __attribute__((noinline))
sf_buf_alloc_slow(struct vm_page *m, int flags)
{
	struct sf_buf *sf;
	bool waited = false;
	cpuset_t others;

	while ((sf = sf_get(m)) == NULL && !(flags & SFB_NOWAIT)) {
		spinlock_release(&sf_lock);
		waited = true;
		if (sf_wait(flags) != 0) {
			sf_wakeup_passon();
			return (NULL);
		}
		spinlock_acquire(&sf_lock);
	}
	others = sf != NULL ? sf_buf_shootdown(sf, flags) : 0;
	if (!CPU_EMPTY(others))
		sf_flush_others(sf, others);
	else
		spinlock_release(&sf_lock);
	if (waited)
		sf_wakeup_passon();
	return (sf);
}

/*
 * sf_buf_alloc: map the wired page m (see the contract above).
 * => may sleep unless SFB_NOWAIT; not from interrupts, no spin lock held.
 * => SFB_CPUPRIVATE: the caller is pinned or bound.
 * => returns NULL only with SFB_NOWAIT (none free) or SFB_CATCH (signal).
 */
struct sf_buf *
sf_buf_alloc(struct vm_page *m, int flags)
{
	struct sf_buf *sf;
	cpuset_t need;

	KASSERT((flags & ~SFB_ALLFLAGS) == 0, ("sf_buf_alloc: flags %#x",
	    flags));
	KASSERT(m->wire_count > 0, ("sf_buf_alloc: page %p is not wired",
	    (void *)m));
	KASSERT(!(flags & SFB_CPUPRIVATE) || curthread->td_pinned > 0 ||
	    curthread->td_bound, ("sf_buf_alloc: SFB_CPUPRIVATE by a thread "
	    "that is not pinned"));
	if (sf_direct)
		return (sf_direct_alloc(m));
	spinlock_acquire(&sf_lock);
	/*
	 * The common hit: m has its sf_buf, no flush under way, and no CPU
	 * that flags needs is missing from its mask, so sf_buf_shootdown
	 * would change nothing.  (sf_lock, interrupts off: this CPU stays.)
	 */
	sf = sf_lookup(m);
	if (__predict_true(sf != NULL && !sf->sf_busy)) {
		need = (flags & SFB_CPUPRIVATE) ?
		    CPU_MASK(curcpu()->pc_cpuid) : cpu_online;
		if (__predict_true((need & ~sf->sf_cpumask) == 0)) {
			sf_hit(sf);
			spinlock_release(&sf_lock);
			return (sf);
		}
	}
	return (sf_buf_alloc_slow(m, flags));
}

static void
sf_direct_free(struct sf_buf *sf)
{
	struct vm_page *m = (struct vm_page *)sf;

	KASSERT(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(m)) == m,
	    ("sf_buf_free: %p is not an sf_buf", (void *)sf));
	/*
	 * Nothing records which pages have one: a double free shows only
	 * when it would free more than were allocated.
	 */
	if (__atomic_sub_fetch(&sf_direct_inuse, 1, __ATOMIC_RELAXED) ==
	    (unsigned long)-1) {
		__atomic_add_fetch(&sf_direct_inuse, 1, __ATOMIC_RELAXED);
		panic("sf_buf_free: double free of sf_buf %p", (void *)sf);
	}
}

/*
 * sf_buf_free: drop one reference; at none the sf_buf goes to the tail
 * of the LRU free list, still mapping its page, and one waiter wakes.
 * => panics on a double free or a pointer that is not an sf_buf.
 * => may block briefly (sf_wait_mtx) when someone waits: not from
 *    interrupts, no spin lock held.
 */
void
sf_buf_free(struct sf_buf *sf)
{
	bool wake = false;

	if (!sf_in_pool(sf)) {
		if (!PMAP_HAS_DMAP || sf == NULL)
			panic("sf_buf_free: %p is not an sf_buf", (void *)sf);
		sf_direct_free(sf);
		return;
	}
	spinlock_acquire(&sf_lock);
	if (sf->sf_ref <= 0) {
		spinlock_release(&sf_lock);	/* so a test can go on */
		panic("sf_buf_free: double free of sf_buf %p (page %p)",
		    (void *)sf, (void *)sf->sf_page);
	}
	if (--sf->sf_ref == 0) {
		TAILQ_INSERT_TAIL(&sf_freelist, sf, sf_free);
		sf_st.sfs_inuse--;
		wake = sf_waiters > 0;
	}
	spinlock_release(&sf_lock);
	if (wake) {
		/* With sf_wait_mtx: the waiter counted is asleep by now. */
		mtx_lock(&sf_wait_mtx);
		wakeup_one(&sf_freelist);
		mtx_unlock(&sf_wait_mtx);
	}
}

vaddr_t
sf_buf_kva(struct sf_buf *sf)
{
	if (sf_in_pool(sf))
		return (sf->sf_kva);
	return (pmap_page_dmap((struct vm_page *)sf));
}

struct vm_page *
sf_buf_page(struct sf_buf *sf)
{
	if (sf_in_pool(sf))
		return (sf->sf_page);
	return ((struct vm_page *)sf);
}

void
sf_buf_stats(struct sf_buf_stats *st)
{
	spinlock_acquire(&sf_lock);
	*st = sf_st;
	st->sfs_inuse += __atomic_load_n(&sf_direct_inuse, __ATOMIC_RELAXED);
	st->sfs_peak = MAX(st->sfs_peak, sf_direct_peak);
	st->sfs_direct = sf_direct;
	spinlock_release(&sf_lock);
}
