/*
 * The kernel virtual address arena (mm/kva.h): a range allocator over
 * [start, end), in the spirit of vmem(9) but much smaller.
 *
 * Every extent of the arena, free or allocated, is described by one
 * boundary tag.  Free extents sit on a TAILQ sorted by address; allocated
 * extents sit in a small hash keyed by their start address, so kva_free()
 * finds its extent in O(1) and can insist that it gets back exactly what
 * kva_alloc() handed out.
 *
 * Fit policy: address-ordered first fit.  It is the simplest policy with
 * good fragmentation behaviour (the low end of the arena fills densely
 * and large free extents survive at the high end), and keeping live
 * allocations packed at low addresses means the x86_64 pmap keeps reusing
 * the page-table pages it already built for the KVA region rather than
 * growing new ones.  Its cost, a walk over the free extents, stays small
 * because the free list is fully coalesced.  (vmem's instant fit, with
 * power-of-two free lists, would be O(1) at the price of more code.)
 *
 * Tags cannot come from malloc(), which itself needs KVA: they come from
 * a static pool, and running out of it is a panic.  One tag per extent
 * means the pool bounds the number of extents; freeing never needs a new
 * tag (it only merges), so kva_free() cannot run out.
 *
 * Locking: one spin lock (kva_lock()/kva_unlock()) around every list
 * manipulation; it also keeps interrupts off, since an interrupt handler
 * may map a page.  Every panic a caller can provoke (misuse, running out
 * of tags) is raised after the lock is dropped and before any change to
 * the arena, so a test that catches one finds the arena intact; only the
 * KASSERTs of internal invariants fire with the lock held.
 */
#include <kernel/systm.h>
#include <kernel/lock.h>
#include <lib/queue.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>

#define	KVA_HASHSHIFT	6
#define	KVA_NHASH	(1 << KVA_HASHSHIFT)	/* allocated-extent hash */

struct kva_tag {
	TAILQ_ENTRY(kva_tag) bt_link;	/* sorted free list (free extents) */
	LIST_ENTRY(kva_tag)  bt_hlink;	/* hash chain, or the unused pool */
	vaddr_t		     bt_start;
	size_t		     bt_size;	/* bytes, a multiple of PAGE_SIZE */
};

TAILQ_HEAD(kva_taglist, kva_tag);
LIST_HEAD(kva_taghead, kva_tag);

static struct kva_tag	  kva_tags[KVA_NTAGS];
static struct kva_taghead kva_unused;		/* tags not describing anything */
static struct kva_taglist kva_freelist;		/* free extents, by address */
static struct kva_taghead kva_hash[KVA_NHASH];	/* allocated extents */
static vaddr_t		  kva_start, kva_end;
static struct kva_stats	  kva_st;
static int		  kva_nunused;

/*
 * One spin lock for the whole arena: the sections are short, and a
 * spin lock (interrupts off) keeps it usable from any context.  The
 * returned value is kept for the callers' symmetry; it carries nothing.
 */
static struct spinlock kva_spin = SPINLOCK_INITIALIZER("kva");

static uintptr_t
kva_lock(void)
{
	spinlock_acquire(&kva_spin);
	return (0);
}

static void
kva_unlock(uintptr_t psl __unused)
{
	spinlock_release(&kva_spin);
}

/* Fibonacci hashing of the page number: neighbours spread out. */
static struct kva_taghead *
kva_hashhead(vaddr_t va)
{
	uint32_t h = (uint32_t)(va >> PAGE_SHIFT) * 2654435761u;

	return (&kva_hash[h >> (32 - KVA_HASHSHIFT)]);
}

/*
 * Take a tag from the pool.
 * => caller holds the arena lock and has checked kva_nunused > 0.
 */
static struct kva_tag *
tag_get(vaddr_t start, size_t size)
{
	struct kva_tag *bt = LIST_FIRST(&kva_unused);

	KASSERT(bt != NULL, ("kva: tag pool empty though %d unused",
	    kva_nunused));
	LIST_REMOVE(bt, bt_hlink);
	kva_nunused--;
	bt->bt_start = start;
	bt->bt_size = size;
	return (bt);
}

/* => caller holds the arena lock; bt is on no list any more. */
static void
tag_put(struct kva_tag *bt)
{
	bt->bt_start = 0;
	bt->bt_size = 0;
	LIST_INSERT_HEAD(&kva_unused, bt, bt_hlink);
	kva_nunused++;
}

void
kva_init(vaddr_t start, vaddr_t end)
{
	struct kva_tag *bt;
	int i;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0 &&
	    start < end, ("kva_init: bad arena [%p, %p)", (void *)start,
	    (void *)end));
	LIST_INIT(&kva_unused);
	TAILQ_INIT(&kva_freelist);
	for (i = 0; i < KVA_NHASH; i++)
		LIST_INIT(&kva_hash[i]);
	kva_nunused = 0;
	for (i = KVA_NTAGS - 1; i >= 0; i--)
		tag_put(&kva_tags[i]);
	kva_start = start;
	kva_end = end;
	bt = tag_get(start, end - start);
	TAILQ_INSERT_HEAD(&kva_freelist, bt, bt_link);
	kva_st.ks_total = end - start;
	kva_st.ks_free = end - start;
	kva_st.ks_nfree = 1;
	kva_st.ks_nalloc = 0;
}

/*
 * First fit: the lowest free extent of at least size bytes, or NULL.
 * => caller holds the arena lock.
 */
static struct kva_tag *
kva_find_fit(size_t size)
{
	struct kva_tag *bt;

	TAILQ_FOREACH(bt, &kva_freelist, bt_link)
		if (bt->bt_size >= size)
			return (bt);
	return (NULL);
}

/*
 * Carve size bytes off the front of the free extent bt; returns the tag
 * of the new allocated extent.  An exact fit moves bt itself over, so
 * only a split costs a tag.
 * => caller holds the arena lock; a split has a tag available.
 */
static struct kva_tag *
kva_carve(struct kva_tag *bt, size_t size)
{
	struct kva_tag *abt;

	if (bt->bt_size == size) {
		TAILQ_REMOVE(&kva_freelist, bt, bt_link);
		kva_st.ks_nfree--;
		abt = bt;
	} else {
		abt = tag_get(bt->bt_start, size);
		bt->bt_start += size;
		bt->bt_size -= size;
	}
	LIST_INSERT_HEAD(kva_hashhead(abt->bt_start), abt, bt_hlink);
	kva_st.ks_free -= size;
	kva_st.ks_nalloc++;
	return (abt);
}

vaddr_t
kva_alloc(size_t size)
{
	struct kva_tag *bt;
	uintptr_t psl;
	size_t rsize;

	KASSERT(size != 0, ("kva_alloc: size 0"));
	rsize = round_page(size);
	if (rsize < size)		/* wrapped: larger than any arena */
		return (0);
	psl = kva_lock();
	if ((bt = kva_find_fit(rsize)) == NULL) {
		kva_unlock(psl);
		return (0);
	}
	if (bt->bt_size != rsize && kva_nunused == 0) {
		kva_unlock(psl);
		panic("kva_alloc: all %d boundary tags in use (%d free and "
		    "%d allocated extents): raise KVA_NTAGS", KVA_NTAGS,
		    kva_st.ks_nfree, kva_st.ks_nalloc);
	}
	/*
	 * Page tables for the range exist before anyone maps into it, so
	 * pmap_kenter never allocates; growing under the arena lock also
	 * keeps two CPUs from building the same table.  (FreeBSD's
	 * pmap_growkernel, called as the kernel map grows.)
	 */
	if (!pmap_growkernel(bt->bt_start + rsize)) {
		kva_unlock(psl);
		return (0);
	}
	bt = kva_carve(bt, rsize);
	kva_unlock(psl);
	return (bt->bt_start);
}

/*
 * The allocated extent starting at va, or NULL.
 * => caller holds the arena lock.
 */
static struct kva_tag *
kva_lookup(vaddr_t va)
{
	struct kva_tag *bt;

	LIST_FOREACH(bt, kva_hashhead(va), bt_hlink)
		if (bt->bt_start == va)
			return (bt);
	return (NULL);
}

/*
 * Why va is not the start of an allocated extent, for the panic message:
 * inside a free extent (a double free, most likely) or inside an
 * allocated one.  Slow, but only the error path uses it.
 * => caller holds the arena lock.
 */
static const char *
kva_describe(vaddr_t va)
{
	struct kva_tag *bt;
	int i;

	if (va < kva_start || va >= kva_end)
		return ("is outside the arena");
	TAILQ_FOREACH(bt, &kva_freelist, bt_link)
		if (va >= bt->bt_start && va - bt->bt_start < bt->bt_size)
			return ("is free: double free?");
	for (i = 0; i < KVA_NHASH; i++)
		LIST_FOREACH(bt, &kva_hash[i], bt_hlink)
			if (va > bt->bt_start && va - bt->bt_start < bt->bt_size)
				return ("is inside an allocated range");
	return ("was never allocated");
}

/*
 * Insert the extent bt (already off the hash) into the sorted free list,
 * merging it with the free extents just before and just after it.
 * => caller holds the arena lock.
 */
static void
kva_insert_free(struct kva_tag *bt)
{
	struct kva_tag *next, *prev;

	TAILQ_FOREACH(next, &kva_freelist, bt_link)
		if (next->bt_start > bt->bt_start)
			break;
	prev = next != NULL ? TAILQ_PREV(next, kva_taglist, bt_link) :
	    TAILQ_LAST(&kva_freelist, kva_taglist);
	KASSERT((prev == NULL ||
	    prev->bt_start + prev->bt_size <= bt->bt_start) &&
	    (next == NULL || bt->bt_start + bt->bt_size <= next->bt_start),
	    ("kva: freed [%p, +%#zx) overlaps a free extent",
	    (void *)bt->bt_start, bt->bt_size));
	if (prev != NULL && prev->bt_start + prev->bt_size == bt->bt_start) {
		prev->bt_size += bt->bt_size;
		tag_put(bt);
		bt = prev;
	} else {
		if (next != NULL)
			TAILQ_INSERT_BEFORE(next, bt, bt_link);
		else
			TAILQ_INSERT_TAIL(&kva_freelist, bt, bt_link);
		kva_st.ks_nfree++;
	}
	if (next != NULL && bt->bt_start + bt->bt_size == next->bt_start) {
		bt->bt_size += next->bt_size;
		TAILQ_REMOVE(&kva_freelist, next, bt_link);
		tag_put(next);
		kva_st.ks_nfree--;
	}
}

/*
 * kva_free() got a range that is not exactly an allocated extent: say
 * what is wrong with it.
 * => caller holds the arena lock (passed as psl), and changed nothing;
 *    the lock is dropped before the panic, so a caught panic (a test)
 *    leaves a usable arena.
 */
static void
kva_free_botch(uintptr_t psl, vaddr_t va, size_t size,
    const struct kva_tag *bt)
{
	const char *why = bt == NULL ? kva_describe(va) : "";
	size_t asize = bt != NULL ? bt->bt_size : 0;

	kva_unlock(psl);
	KASSERT(bt != NULL, ("kva_free: %p %s", (void *)va, why));
	KASSERT(asize == size, ("kva_free: %p: size %#zx, but %#zx was "
	    "allocated", (void *)va, size, asize));
	(void)why;			/* only the KASSERTs use them */
	(void)asize;
}

void
kva_free(vaddr_t va, size_t size)
{
	struct kva_tag *bt;
	uintptr_t psl;

	size = round_page(size);
	psl = kva_lock();
	bt = kva_lookup(va);
	if (__predict_false(bt == NULL || bt->bt_size != size)) {
		kva_free_botch(psl, va, size, bt);
		return;			/* NO_KASSERT: leak rather than corrupt */
	}
	LIST_REMOVE(bt, bt_hlink);
	kva_st.ks_free += size;
	kva_st.ks_nalloc--;
	kva_insert_free(bt);
	kva_unlock(psl);
}

void
kva_get_stats(struct kva_stats *st)
{
	uintptr_t psl = kva_lock();

	*st = kva_st;
	kva_unlock(psl);
}
