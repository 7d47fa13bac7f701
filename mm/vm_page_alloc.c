/*
 * Page allocation: vm_page_alloc/vm_page_free and the contiguous
 * variants (mm/vm_page.h), over the buddy allocator of mm/vm_phys.c.
 *
 * A small per-CPU cache of single pages sits in front of the buddy lists
 * (as UMA's page caches do in FreeBSD): most vm_page_alloc/free pairs
 * never touch a free list.  Cached pages count as free.  When the buddy
 * lists run dry, an allocation drains every CPU's cache before it gives
 * up (VM_ALLOC_NOWAIT) or sleeps until a page is freed (vm_wait).
 *
 * Locks, in the order they nest: a CPU's cache lock, vm_phys_lock (the
 * buddy lists); vm_wait_lock, then sched_lock (sleeping and waking).
 */
#include <kernel/systm.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <mm/vm_page.h>
#include <mm/vm_phys.h>
#include <mm/testhooks.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>

#define	PCACHE_SIZE	((int)nitems(((struct pcpu *)0)->pc_vmcache))
#define	VM_ALLOC_RETRIES 4		/* page_alloc_empty: see there */

static struct spinlock vm_phys_lock = SPINLOCK_INITIALIZER("vm_phys");

/*
 * The per-CPU page caches.
 *
 * Each cache has a lock of its own (pc_vmcache_lock), taken with
 * interrupts off: by its CPU on every vm_page_alloc/free, and by another
 * CPU only to drain it (cache_drain_all), when the buddy lists have run dry
 * or a test wants the allocator's exact shape.  The owner never waits
 * for it but in that rare case, so it costs one locked exchange.
 *
 * Why a lock and not an IPI (smp_rendezvous asking every CPU to spill its
 * own cache, as FreeBSD's UMA drains per-CPU buckets by binding a thread
 * to each CPU in turn): vm_page_alloc(VM_ALLOC_NOWAIT) is called with
 * spin locks held, pmap_growkernel under the KVA arena's for one.  A
 * rendezvous from there deadlocks if another CPU spins for that lock
 * with interrupts off: it never takes the IPI (kernel/smp.h).  A lock
 * per cache only ever waits for a few dozen instructions of the owner's.
 * Linux made the same choice for its per-CPU page lists in 5.19
 * ("protect PCP lists with a spinlock") to drain them without IPIs.
 *
 * The cache lock is a bare test-and-set word, not a struct spinlock: the
 * fast path cannot afford the bookkeeping, and witness need not see it
 * because nothing is taken inside it but vm_phys_lock, and no CPU holds
 * two cache locks at once.  Lock order: a cache lock, then vm_phys_lock.
 */
static void __attribute__((noinline))
cache_lock_wait(struct pcpu *pc)
{
	do {
		while (__atomic_load_n(&pc->pc_vmcache_lock, __ATOMIC_RELAXED) !=
		    0)
			cpu_spinwait();
	} while (__atomic_exchange_n(&pc->pc_vmcache_lock, 1,
	    __ATOMIC_ACQUIRE) != 0);
}

static inline bool
cache_trylock(struct pcpu *pc)
{
	return (__atomic_exchange_n(&pc->pc_vmcache_lock, 1,
	    __ATOMIC_ACQUIRE) == 0);
}

static inline void
cache_lock(struct pcpu *pc)
{
	if (__predict_false(!cache_trylock(pc)))
		cache_lock_wait(pc);
}

static inline void
cache_unlock(struct pcpu *pc)
{
	__atomic_store_n(&pc->pc_vmcache_lock, 0, __ATOMIC_RELEASE);
}

/*
 * Refills and spills move half a cache at a time, so vm_phys_lock is
 * taken once per many pages.
 * => interrupts off, pc's cache lock held.
 */
static void __attribute__((noinline))
cache_refill(struct pcpu *pc)
{
	vm_page_t m;

	spinlock_acquire(&vm_phys_lock);
	while (pc->pc_vmcache_n < PCACHE_SIZE / 2 &&
	    (m = vm_phys_alloc_pages(0)) != NULL)
		pc->pc_vmcache[pc->pc_vmcache_n++] = m;
	spinlock_release(&vm_phys_lock);
}

/* => interrupts off, pc's cache lock held. */
static void __attribute__((noinline))
cache_spill(struct pcpu *pc, int keep)
{
	spinlock_acquire(&vm_phys_lock);
	while (pc->pc_vmcache_n > keep) {
		vm_page_t m = pc->pc_vmcache[--pc->pc_vmcache_n];

		m->flags = 0;
		vm_phys_free_pages(m, 0);
	}
	spinlock_release(&vm_phys_lock);
}

/*
 * Return every CPU's cached pages to the buddy lists (any CPU's cache,
 * under its lock: see above).  The pages stay counted as free.
 */
static void
cache_drain_all(void)
{
	uintptr_t psl = intr_disable();
	struct pcpu *pc;
	int cpu;

	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		pc = pcpu_find(cpu);
		/*
		 * An unlocked peek, only a hint: a cache refilled after
		 * it was read is not drained, which the callers allow for.
		 */
		if (__atomic_load_n(&pc->pc_vmcache_n, __ATOMIC_RELAXED) == 0)
			continue;
		cache_lock(pc);
		cache_spill(pc, 0);
		cache_unlock(pc);
	}
	intr_restore(psl);
}

/* Set up a page just taken from the allocator for its new owner. */
static vm_page_t
page_prepare(vm_page_t m, int flags)
{
	m->flags = PG_INUSE;
	if (flags & VM_ALLOC_WIRED) {
		m->wire_count = 1;
		__atomic_add_fetch(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
	}
	if (flags & VM_ALLOC_ZERO)
		pmap_zero_page(m);
	return (m);
}

/* One page from this CPU's cache, refilled from the buddy lists; or NULL. */
static vm_page_t
cache_alloc(void)
{
	uintptr_t psl;
	struct pcpu *pc;
	vm_page_t m;
	unsigned int n;

	/*
	 * Interrupts off before curcpu(): the thread must not move to
	 * another CPU between reading its pcpu pointer and using its cache.
	 */
	psl = intr_disable();
	pc = curcpu();
	cache_lock(pc);
	n = pc->pc_vmcache_n;
	if (__predict_false(n == 0)) {
		cache_refill(pc);
		if ((n = pc->pc_vmcache_n) == 0) {
			cache_unlock(pc);
			intr_restore(psl);
			return (NULL);
		}
	}
	m = pc->pc_vmcache[--n];
	pc->pc_vmcache_n = n;
	__atomic_sub_fetch(&vm_cnt.v_free_count, 1, __ATOMIC_SEQ_CST);
	cache_unlock(pc);
	intr_restore(psl);
	return (m);
}

/* ------------------------------------------------- waiting for memory */

/*
 * A thread out of pages sleeps on &vm_pages_needed until a page is freed
 * (FreeBSD's vm_wait()/vm_domain_freecnt_inc()).  vm_pages_needed says
 * that someone sleeps: the free path looks at it without a lock, so a
 * free costs one load while nobody waits.
 *
 * No lost wakeup: a waiter sets vm_pages_needed, then reads the free
 * count; a freer adds to the free count, then reads vm_pages_needed
 * (both sequentially consistent).  One of the two sees the other's
 * write: either the waiter sees the page and does not sleep, or the freer
 * sees the flag and calls wakeup() under vm_wait_lock, which it can only
 * take once the waiter is on the sleep queue (msleep_spin releases the
 * lock atomically with going to sleep).
 */
static struct spinlock vm_wait_lock = SPINLOCK_INITIALIZER("vm_wait");
static int vm_pages_needed;	/* written under vm_wait_lock */

/* Can the running thread sleep here?  If not, why (for the panic). */
static const char *
vm_wait_forbidden(void)
{
	struct thread *td = curthread;

	if (td == NULL)
		return ("before the scheduler starts");
	if (td->td_idle)
		return ("in an idle thread");
	if (spinlock_count() != 0)
		return ("with a spin lock held");
	if (td->td_critnest != 0)
		return ("in a critical section");
	if (!intr_enabled())
		return ("with interrupts off");
	return (NULL);
}

/*
 * Sleep until a page may have been freed.
 * => may sleep; panics when the caller cannot (it asked to wait, so NULL
 *    is not an answer, and waiting there would never end).
 */
static void
vm_wait(void)
{
	const char *why;

	if ((why = vm_wait_forbidden()) != NULL)
		panic("vm_page_alloc: out of physical memory (%lu pages, none "
		    "free) and cannot wait %s", vm_cnt.v_page_count, why);
	spinlock_acquire(&vm_wait_lock);
	__atomic_store_n(&vm_pages_needed, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm_cnt.v_free_count, __ATOMIC_SEQ_CST) == 0)
		msleep_spin(&vm_pages_needed, &vm_wait_lock, "vmwait", 0);
	spinlock_release(&vm_wait_lock);
}

static void __attribute__((noinline))
vm_wakeup_waiters(void)
{
	spinlock_acquire(&vm_wait_lock);
	if (vm_pages_needed != 0) {
		vm_pages_needed = 0;
		wakeup(&vm_pages_needed);
	}
	spinlock_release(&vm_wait_lock);
}

/*
 * After pages went back to the allocator (and into the free count).
 * => any context but under sched_lock: wakeup() takes it.
 */
static inline void
vm_wakeup(void)
{
	if (__predict_false(__atomic_load_n(&vm_pages_needed,
	    __ATOMIC_SEQ_CST) != 0))
		vm_wakeup_waiters();
}

/*
 * This CPU's cache and the buddy lists are empty: drain the other CPUs'
 * caches and try again, and without VM_ALLOC_NOWAIT sleep until pages
 * are freed.  With NOWAIT, NULL means that no page was free anywhere at
 * some moment of the call: a page freed into a cache after the drain
 * passed it shows in the free count, and is looked for once more.
 */
static vm_page_t
page_alloc_empty(int flags)
{
	vm_page_t m;
	int tries = 0;

	for (;;) {
		cache_drain_all();
		if ((m = cache_alloc()) != NULL)
			return (m);
		if (__atomic_load_n(&vm_cnt.v_free_count, __ATOMIC_SEQ_CST) !=
		    0 && tries++ < VM_ALLOC_RETRIES)
			continue;
		if (flags & VM_ALLOC_NOWAIT)
			return (NULL);
		vm_wait();
		tries = 0;
	}
}

/*
 * vm_page_alloc when the fast path cannot serve it: the cache lock is
 * contended, or the cache is empty (refill it, or drain and wait).
 */
static vm_page_t __attribute__((noinline))
page_alloc_slow(int flags)
{
	vm_page_t m;

	if ((m = cache_alloc()) == NULL && (m = page_alloc_empty(flags)) ==
	    NULL)
		return (NULL);
	return (page_prepare(m, flags));
}

/*
 * => with VM_ALLOC_NOWAIT: never sleeps; callable with interrupts off
 *    and spin locks held; NULL only when no page is free on any CPU.
 * => without it: may sleep until a page is freed (vm_wait); the caller
 *    must be a thread that can sleep, or running out panics.
 *
 * The fast path takes a page from this CPU's cache.  Everything else is
 * in page_alloc_slow, called in tail position like page_prepare's work,
 * so that the fast path has no call to save registers around.
 */
vm_page_t
vm_page_alloc(int flags)
{
	struct pcpu *pc;
	uintptr_t psl;
	vm_page_t m;
	int n;

	/*
	 * Interrupts off before curcpu(): the thread must not move to
	 * another CPU between reading its pcpu pointer and using its cache.
	 */
	psl = intr_disable();
	pc = curcpu();
	if (__predict_false(!cache_trylock(pc))) {
		intr_restore(psl);
		return (page_alloc_slow(flags));
	}
	if (__predict_false((n = pc->pc_vmcache_n) == 0)) {
		cache_unlock(pc);
		intr_restore(psl);
		return (page_alloc_slow(flags));
	}
	m = pc->pc_vmcache[--n];
	pc->pc_vmcache_n = n;
	__atomic_sub_fetch(&vm_cnt.v_free_count, 1, __ATOMIC_SEQ_CST);
	cache_unlock(pc);
	intr_restore(psl);
	if (__predict_false((flags & (VM_ALLOC_WIRED | VM_ALLOC_ZERO)) != 0))
		return (page_prepare(m, flags));
	m->flags = PG_INUSE;
	return (m);
}

/*
 * PG_INUSE is set from allocation to free, on every page of a contig
 * run too, so a second free of any page is caught in O(1).
 */
static void
free_checks(vm_page_t m)
{
	KASSERT(vm_page_managed(m), ("vm_page_free: %p is not a page of "
	    "managed RAM", (void *)m));
	KASSERT((m->flags & PG_INUSE) != 0,
	    ("vm_page_free: page %#llx is already free",
	    (unsigned long long)m->phys_addr));
	KASSERT(m->wire_count == 0, ("vm_page_free: page %#llx is wired "
	    "(%u)", (unsigned long long)m->phys_addr, m->wire_count));
	KASSERT(m->object == NULL, ("vm_page_free: page %#llx still "
	    "belongs to an object", (unsigned long long)m->phys_addr));
}

/* Store m in pc's cache.  => interrupts off, pc's cache lock held. */
static inline void
cache_put(struct pcpu *pc, int n, vm_page_t m)
{
	/* A store past the array would land in the next pcpu field. */
	KASSERT(n < PCACHE_SIZE, ("vm_page_free: CPU %d's page cache "
	    "overflows (%d of %d)", pc->pc_cpuid, n, PCACHE_SIZE));
	pc->pc_vmcache[n] = m;
	pc->pc_vmcache_n = n + 1;
}

/* vm_page_free when the cache lock is contended or the cache is full. */
static void __attribute__((noinline))
page_free_slow(vm_page_t m)
{
	struct pcpu *pc;
	uintptr_t psl;

	psl = intr_disable();		/* before curcpu(), as always */
	pc = curcpu();
	cache_lock(pc);
	if (pc->pc_vmcache_n == PCACHE_SIZE)
		cache_spill(pc, PCACHE_SIZE / 2);
	cache_put(pc, pc->pc_vmcache_n, m);
	cache_unlock(pc);
	__atomic_add_fetch(&vm_cnt.v_free_count, 1, __ATOMIC_SEQ_CST);
	intr_restore(psl);
	vm_wakeup();
}

/*
 * => any context (interrupts off, spin locks held) but under sched_lock
 *    while a thread waits for memory (vm_wakeup).
 *
 * The fast path stores into this CPU's cache; as in vm_page_alloc, every
 * call it makes is in tail position.
 */
void
vm_page_free(vm_page_t m)
{
	struct pcpu *pc;
	uintptr_t psl;
	int n;

	free_checks(m);
	m->flags = PG_CACHED;
	psl = intr_disable();		/* before curcpu(), as in alloc */
	pc = curcpu();
	if (__predict_false(!cache_trylock(pc))) {
		intr_restore(psl);
		page_free_slow(m);
		return;
	}
	if (__predict_false((n = pc->pc_vmcache_n) == PCACHE_SIZE)) {
		cache_unlock(pc);
		intr_restore(psl);
		page_free_slow(m);
		return;
	}
	cache_put(pc, n, m);
	cache_unlock(pc);
	__atomic_add_fetch(&vm_cnt.v_free_count, 1, __ATOMIC_SEQ_CST);
	intr_restore(psl);
	vm_wakeup();
}

vm_page_t
vm_page_alloc_contig(unsigned long npages, unsigned long align, int flags)
{
	unsigned long i;
	vm_page_t m;

	KASSERT(npages > 0 && powerof2(align) && align >= PAGE_SIZE,
	    ("vm_page_alloc_contig: %lu pages, align %#lx", npages, align));
	spinlock_acquire(&vm_phys_lock);
	m = vm_phys_alloc_contig(npages, align);
	spinlock_release(&vm_phys_lock);
	if (m == NULL)
		return (NULL);
	__atomic_sub_fetch(&vm_cnt.v_free_count, npages, __ATOMIC_RELAXED);
	for (i = 0; i < npages; i++)
		(void)page_prepare(&m[i], flags);
	return (m);
}

void
vm_page_free_contig(vm_page_t m, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		free_checks(&m[i]);
	for (i = 0; i < npages; i++)
		m[i].flags = 0;
	spinlock_acquire(&vm_phys_lock);
	vm_phys_free_run(m, npages);
	spinlock_release(&vm_phys_lock);
	__atomic_add_fetch(&vm_cnt.v_free_count, npages, __ATOMIC_SEQ_CST);
	vm_wakeup();
}

void
vm_page_drain_cache(void)
{
	cache_drain_all();
}
