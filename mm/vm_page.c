/*
 * Physical pages: the vm_page array, the boot-time allocator, and the
 * vm_page_* interface (mm/vm_page.h) over the buddy allocator in
 * mm/vm_phys.c.
 *
 * Boot, in three steps (kernel/main.c):
 *  1. vm_page_bootstrap(): one segment per usable RAM range of the
 *     sanitised memory map (above 1 MiB, below VM_MAX_PHYS), and the
 *     vm_page array for them, from vm_boot_alloc().
 *  2. pmap_bootstrap() builds the page tables, also with vm_boot_alloc().
 *  3. vm_page_startup() closes the boot allocator and frees every page
 *     that no reserved range (struct bootinfo) or boot allocation covers.
 *
 * A small per-CPU cache of single pages sits in front of the buddy lists
 * (as UMA's page caches do in FreeBSD): most vm_page_alloc/free pairs
 * never touch a free list.  Cached pages count as free.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/pcpu.h>
#include <kernel/lock.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <mm/vm_page.h>
#include <mm/vm_phys.h>
#include <mm/testhooks.h>
#include <mm/pmap.h>
#include <lib/string.h>
#include <machine/vmparam.h>
#include <machine/cpufunc.h>

#define	PG_RESERVED	0x0100		/* never handed to the allocator */
#define	LOWMEM_END	0x100000
#define	PCACHE_SIZE	((int)nitems(((struct pcpu *)0)->pc_vmcache))
#define	VM_ALLOC_RETRIES 4		/* page_alloc_slow: see there */

struct vm_counters vm_cnt;
static struct spinlock vm_phys_lock = SPINLOCK_INITIALIZER("vm_phys");

static paddr_t	boot_alloc_start;	/* first byte after the kernel */
static paddr_t	boot_alloc_next;
static bool	boot_alloc_closed;


extern char kernel_end[];

/* Does [pa, pa + size) stay clear of every reserved range? */
static paddr_t
rsv_overlap_end(paddr_t pa, size_t size)
{
	int i;

	for (i = 0; i < bootinfo.bi_nrsv; i++) {
		const struct physrsv *r = &bootinfo.bi_rsv[i];

		if (pa < r->pr_end && r->pr_start < pa + size)
			return (round_page64(r->pr_end));
	}
	return (0);
}

static bool
in_available_ram(paddr_t pa, size_t size)
{
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *m = &bootinfo.bi_mem[i];

		if (m->ms_type == MEMSEG_AVAILABLE && m->ms_start <= pa &&
		    pa + size <= m->ms_end)
			return (true);
	}
	return (false);
}

/*
 * => the result is mapped at KERNBASE + pa by the boot page tables and,
 *    after pmap_bootstrap, by the kernel's (the kernel-linear region).
 * => reserved ranges (modules GRUB put after the kernel) are skipped.
 */
static vaddr_t
boot_alloc(size_t size, bool zero)
{
	paddr_t pa, skip;

	KASSERT(!boot_alloc_closed, ("vm_boot_alloc after vm_page_startup"));
	if (boot_alloc_next == 0)
		boot_alloc_start = boot_alloc_next = vm_boot_alloc_end();
	size = round_page(size);
	while ((skip = rsv_overlap_end(boot_alloc_next, size)) != 0)
		boot_alloc_next = skip;
	pa = boot_alloc_next;
	if (!in_available_ram(pa, size) || pa + size > KERNLINEAR_MAX)
		panic("vm_boot_alloc: no room for %zu bytes of RAM at %#llx, "
		    "after the kernel", size, (unsigned long long)pa);
	boot_alloc_next += size;
	if (zero)
		memset((void *)(uintptr_t)(KERNBASE + pa), 0, size);
	return ((vaddr_t)(KERNBASE + pa));
}

vaddr_t
vm_boot_alloc(size_t size)
{
	return (boot_alloc(size, true));
}

paddr_t
vm_boot_alloc_end(void)
{
	return (boot_alloc_next != 0 ? boot_alloc_next :
	    round_page64((uintptr_t)kernel_end - KERNBASE));
}

/* Add the usable part of one available range as a segment; its pages. */
static unsigned long
add_segment(uint64_t start, uint64_t end, uint64_t *ignored)
{
	start = round_page64(MAX(start, LOWMEM_END));
	end = trunc_page64(end);
	if (end > VM_MAX_PHYS) {
		*ignored += end - MAX(start, VM_MAX_PHYS);
		end = VM_MAX_PHYS;
	}
	if (end <= start)
		return (0);
	if (!vm_phys_add_seg(start, end)) {
		*ignored += end - start;
		return (0);
	}
	return ((end - start) >> PAGE_SHIFT);
}

/* Fill in a segment's pages; none is free until vm_page_startup(). */
static void
init_segment(int s, vm_page_t pages)
{
	struct vm_phys_seg *seg = &vm_phys_segs[s];
	unsigned long i, n = (seg->end - seg->start) >> PAGE_SHIFT;

	seg->first_page = pages;
	for (i = 0; i < n; i++) {
		pages[i].object = NULL;
		pages[i].pindex = 0;
		pages[i].phys_addr = seg->start + ((paddr_t)i << PAGE_SHIFT);
		pages[i].wire_count = 0;
		pages[i].flags = 0;
		pages[i].order = 0;
		pages[i].segind = s;
	}
}

void
vm_page_bootstrap(void)
{
	uint64_t ignored = 0;
	unsigned long npages = 0;
	vm_page_t array;
	char sz[24];
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++)
		if (bootinfo.bi_mem[i].ms_type == MEMSEG_AVAILABLE)
			npages += add_segment(bootinfo.bi_mem[i].ms_start,
			    bootinfo.bi_mem[i].ms_end, &ignored);
	if (ignored != 0) {
		format_size(sz, sizeof(sz), ignored);
		kprintf("vm_page: ignoring %s of RAM above %#llx\n", sz,
		    (unsigned long long)VM_MAX_PHYS);
	}
	if (npages == 0)
		panic("vm_page: no usable RAM above 1 MiB");
	/* Every field is set below: no need to zero megabytes first. */
	array = (vm_page_t)boot_alloc(npages * sizeof(struct vm_page), false);
	for (i = 0; i < vm_phys_nsegs; i++) {
		init_segment(i, array);
		array += (vm_phys_segs[i].end - vm_phys_segs[i].start) >>
		    PAGE_SHIFT;
	}
	vm_cnt.v_page_count = npages;
}

/* Mark the managed pages of [start, end) never to be handed out. */
static void
mark_reserved(paddr_t start, paddr_t end)
{
	paddr_t pa;
	vm_page_t m;

	for (pa = trunc_page64(start); pa < end; pa += PAGE_SIZE)
		if ((m = PHYS_TO_VM_PAGE(pa)) != NULL)
			m->flags = PG_RESERVED;
}

/* The first reserved byte in [pa, end), or end. */
static paddr_t
next_reserved(paddr_t pa, paddr_t end)
{
	int i;

	for (i = 0; i < bootinfo.bi_nrsv; i++) {
		const struct physrsv *r = &bootinfo.bi_rsv[i];

		if (r->pr_end > pa && r->pr_start < end)
			end = MAX(pa, trunc_page64(r->pr_start));
	}
	return (end);
}

/* Free what no reserved range covers in seg; returns the page count. */
static unsigned long
free_segment(const struct vm_phys_seg *seg)
{
	paddr_t pa = seg->start, end, skip;
	unsigned long n = 0;

	while (pa < seg->end) {
		if ((skip = rsv_overlap_end(pa, PAGE_SIZE)) != 0) {
			pa = skip;
			continue;
		}
		end = next_reserved(pa, seg->end);
		vm_phys_free_run(&seg->first_page[(pa - seg->start) >>
		    PAGE_SHIFT], (end - pa) >> PAGE_SHIFT);
		n += (end - pa) >> PAGE_SHIFT;
		pa = end;
	}
	return (n);
}

/*
 * => after pmap_bootstrap: nothing may come from vm_boot_alloc any more.
 */
void
vm_page_startup(void)
{
	int i;

	boot_alloc_closed = true;
	bootinfo_reserve(boot_alloc_start, vm_boot_alloc_end(),
	    "boot allocations");
	for (i = 0; i < bootinfo.bi_nrsv; i++)
		mark_reserved(bootinfo.bi_rsv[i].pr_start,
		    bootinfo.bi_rsv[i].pr_end);
	for (i = 0; i < vm_phys_nsegs; i++)
		vm_cnt.v_free_count += free_segment(&vm_phys_segs[i]);
}

vm_page_t
PHYS_TO_VM_PAGE(paddr_t pa)
{
	int i;

	for (i = 0; i < vm_phys_nsegs; i++) {
		const struct vm_phys_seg *seg = &vm_phys_segs[i];

		if (pa >= seg->start && pa < seg->end)
			return (&seg->first_page[(pa - seg->start) >>
			    PAGE_SHIFT]);
	}
	return (NULL);
}

/*
 * Is m a pointer to a struct vm_page of the array, and is it RAM?  A
 * pointer into the middle of an entry lies inside the array too: it must
 * also sit a whole number of entries from the segment's first page.
 */
static bool
vm_page_managed(vm_page_t m)
{
	const struct vm_phys_seg *seg;

	if (vm_phys_nsegs == 0 || m->segind >= vm_phys_nsegs)
		return (false);
	seg = &vm_phys_segs[m->segind];
	return (m >= seg->first_page &&
	    m < seg->first_page + ((seg->end - seg->start) >> PAGE_SHIFT) &&
	    ((uintptr_t)m - (uintptr_t)seg->first_page) % sizeof(*m) == 0 &&
	    (m->flags & PG_RESERVED) == 0);
}

/*
 * The per-CPU page caches.
 *
 * Each cache has a lock of its own (pc_vmcache_lock), taken with
 * interrupts off: by its CPU on every vm_page_alloc/free, and by another
 * CPU only to drain it (cache_drain), when the buddy lists have run dry
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

/*
 * => any context (interrupts off, spin locks held) but under sched_lock
 *    while a thread waits for memory (vm_wakeup).
 */
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

/*
 * => the caller owns the page; wiring counts are not atomic per page
 *    (a page is wired and unwired by its owner), the global count is.
 */
void
vm_page_wire(vm_page_t m)
{
	KASSERT((m->flags & PG_INUSE) != 0, ("vm_page_wire: page %#llx is "
	    "free", (unsigned long long)m->phys_addr));
	if (m->wire_count++ == 0)
		__atomic_add_fetch(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
}

bool
vm_page_unwire(vm_page_t m)
{
	KASSERT(m->wire_count > 0, ("vm_page_unwire: page %#llx is not "
	    "wired", (unsigned long long)m->phys_addr));
	if (--m->wire_count > 0)
		return (false);
	__atomic_sub_fetch(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
	return (true);
}
