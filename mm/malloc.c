/*
 * malloc(9) for Minnow (mm/malloc.h): power-of-two buckets of 16 bytes to
 * half a page, carved from one-page slabs that kmem_alloc() provides;
 * larger requests get whole pages of their own.
 *
 * Layout.  Every page malloc owns starts with a struct slab, so free()
 * finds the header of any pointer by masking it to its page:
 *
 *	small:	| slab | chunk | chunk | ... | chunk | (unused tail)
 *	large:	| slab | object ............................ |
 *
 * A bucket keeps the slabs that have free chunks on a list; a full slab
 * is on no list, and goes back on the list's head when a chunk of it is
 * freed.  A slab whose chunks are all free is released to kmem, except
 * that each bucket keeps one such slab back (b_spare) so that a loop of
 * malloc/free on an otherwise empty bucket does not map and unmap a page
 * every time.  malloc_drain() releases the spares.
 *
 * Debugging (whenever KASSERT is compiled in, i.e. by default): every
 * chunk starts with a struct mchunk holding a magic word (allocated or
 * free), the requested size and the caller; the bytes from the end of the
 * request to the end of the chunk (at least MALLOC_RZ of them) are a
 * redzone filled with RZ_BYTE.  free() checks the magic (a double free, or
 * a pointer malloc never returned, panics) and the redzone (a write past
 * the end panics), then poisons the chunk with 0xdeadbeef; malloc() checks
 * that the poison of the chunk it hands out is intact (a write after free
 * panics).  Chunk sizes include the header and the redzone: with them the
 * 16-byte bucket can hold nothing and is unused, and a request is served
 * by the smallest chunk with room for header + request + MALLOC_RZ.
 *
 * Locking: one spin lock (malloc_lock()) around every bucket list
 * change; a lock per bucket would scale better.  kmem_alloc/kmem_free
 * are called unlocked, and every panic is raised unlocked and before the
 * state changes, so a test that catches one can repair and go on.  (The
 * one exception is the last look slab_destroy() takes at an empty slab's
 * poison: the slab has left its bucket by then, and is leaked.)
 */
#include <kernel/systm.h>
#include <kernel/lock.h>
#include <lib/queue.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>

#ifdef NO_KASSERT
#define	MALLOC_DEBUG	0
#else
#define	MALLOC_DEBUG	1
#endif

#define	SLAB_MAGIC	0x51ab51abu	/* a page of small chunks */
#define	LARGE_MAGIC	0x1a46e1a4u	/* a run of pages for one object */
#define	MC_ALLOC	0xa110c8edu	/* chunk is allocated */
#define	MC_FREE		0xf4eef4eeu	/* chunk is free and poisoned */
#define	POISON		0xdeadbeefu
#define	RZ_BYTE		0xa5

/*
 * The debug header of a chunk.  A free chunk links to the next one
 * through mc_link; without debugging the header is not part of the chunk
 * but a free chunk still keeps its link in its first bytes.
 */
struct mchunk {
	union {
		SLIST_ENTRY(mchunk) mc_link;	/* free: next free chunk */
		uintptr_t	mc_caller;	/* allocated: malloc's caller */
	};
	uint32_t	mc_magic;	/* MC_ALLOC or MC_FREE */
	uint32_t	mc_size;	/* allocated: bytes requested */
} __aligned(MALLOC_ALIGN);

struct slab {
	uint32_t	sl_magic;	/* SLAB_MAGIC or LARGE_MAGIC */
	uint16_t	sl_bucket;	/* small: bucket index */
	uint16_t	sl_nfree;	/* small: free chunks */
	LIST_ENTRY(slab) sl_link;	/* small: bucket's list, if not full */
	SLIST_HEAD(, mchunk) sl_free;	/* small: free chunks, LIFO */
	size_t		sl_size;	/* large: bytes requested */
	size_t		sl_npages;	/* large: pages */
};

#define	CHUNK_HDR	(MALLOC_DEBUG ? sizeof(struct mchunk) : 0)
#define	MALLOC_RZ	(MALLOC_DEBUG ? 8 : 0)	/* redzone, at least */
#define	MALLOC_OVH	(CHUNK_HDR + MALLOC_RZ)
#define	SLAB_HDR	roundup2(sizeof(struct slab), MALLOC_ALIGN)

_Static_assert(sizeof(struct mchunk) == MALLOC_ALIGN,
    "the chunk header keeps the object aligned");
_Static_assert((16 << (MALLOC_NBUCKETS - 1)) == PAGE_SIZE / 2,
    "the largest bucket is half a page");

struct bucket {
	size_t		 b_size;	/* chunk size */
	unsigned	 b_nchunks;	/* chunks per slab */
	LIST_HEAD(, slab) b_slabs;	/* slabs with free chunks */
	struct slab	*b_spare;	/* an empty slab kept back, or NULL */
	unsigned long	 b_inuse;	/* chunks allocated */
	unsigned long	 b_nslabs;	/* slabs, the spare included */
};

static struct bucket	buckets[MALLOC_NBUCKETS];
static unsigned long	large_count, large_pages;
static bool		malloc_ready;

/*
 * One spin lock for the whole allocator: the sections are short, and a
 * spin lock (interrupts off) keeps it usable from any context.  The
 * returned value is kept for the callers' symmetry; it carries nothing.
 */
static struct spinlock malloc_spin = SPINLOCK_INITIALIZER("malloc");

static uintptr_t
malloc_lock(void)
{
	spinlock_acquire(&malloc_spin);
	return (0);
}

static void
malloc_unlock(uintptr_t psl __unused)
{
	spinlock_release(&malloc_spin);
}

static struct slab *
slab_of(const void *p)
{
	return ((struct slab *)trunc_page((uintptr_t)p));
}

static struct mchunk *
chunk_at(struct slab *sl, unsigned i)
{
	return ((struct mchunk *)((uintptr_t)sl + SLAB_HDR +
	    i * buckets[sl->sl_bucket].b_size));
}

/* The bucket for a request, or -1 if it needs whole pages. */
static int
bucket_index(size_t size)
{
	size_t need = size + MALLOC_OVH;
	int i;

	for (i = 0; i < MALLOC_NBUCKETS; i++)
		if (need <= buckets[i].b_size)
			return (i);
	return (-1);
}

void
malloc_init(void)
{
	struct bucket *b;
	int i;

	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		b = &buckets[i];
		b->b_size = (size_t)16 << i;
		b->b_nchunks = (PAGE_SIZE - SLAB_HDR) / b->b_size;
		KASSERT(b->b_nchunks >= 1 && b->b_nchunks <= UINT16_MAX,
		    ("malloc_init: %u chunks of %zu bytes in a slab",
		    b->b_nchunks, b->b_size));
		LIST_INIT(&b->b_slabs);
		b->b_spare = NULL;
		b->b_inuse = b->b_nslabs = 0;
	}
	large_count = large_pages = 0;
	malloc_ready = true;
}

/* ------------------------------------------------------ debug checks */

/* Offset of the first byte of p[0 .. len) that is not RZ_BYTE, or len. */
static size_t
redzone_bad(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != RZ_BYTE)
			return (i);
	return (len);
}

/* Offset of the first byte of p[0 .. len) that is not poison, or len. */
static size_t
poison_bad(const void *p, size_t len)
{
	const uint32_t *w = p;
	const uint32_t poison = POISON;
	size_t i, j;

	for (i = 0; i < len / 4; i++)
		if (w[i] != POISON)
			break;
	if (i == len / 4)
		return (len);
	for (j = 0; j < 3 && ((const uint8_t *)&w[i])[j] ==
	    ((const uint8_t *)&poison)[j]; j++)
		;
	return (i * 4 + j);
}

static void
poison_fill(void *p, size_t len)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = POISON;
}

/* Is the free chunk c (of a bucket of csize) intact: magic and poison? */
static bool
chunk_intact(const struct mchunk *c, size_t csize)
{
	return (!MALLOC_DEBUG || (c->mc_magic == MC_FREE &&
	    poison_bad(c + 1, csize - CHUNK_HDR) == csize - CHUNK_HDR));
}

/*
 * Panic about a free chunk that chunk_intact() rejected.
 * => called unlocked, with c still on its free list: nothing changed.
 */
static void
chunk_free_botch(const struct mchunk *c, size_t csize)
{
	size_t bad = poison_bad(c + 1, csize - CHUNK_HDR);

	KASSERT(c->mc_magic == MC_FREE, ("malloc: free chunk %p of %zu bytes "
	    "has a bad header (magic %#x): free list corrupt",
	    (const void *)(c + 1), csize, c->mc_magic));
	KASSERT(bad == csize - CHUNK_HDR, ("malloc: write after free: chunk "
	    "%p of %zu bytes modified at offset %zu (%#x)",
	    (const void *)(c + 1), csize, bad,
	    ((const uint8_t *)(c + 1))[bad]));
	(void)bad;
}

/* Make the chunk c, of a bucket of csize, a live object of size bytes. */
static void
chunk_setup(struct mchunk *c, size_t csize, size_t size, uintptr_t caller)
{
	if (!MALLOC_DEBUG)
		return;
	c->mc_caller = caller;
	c->mc_magic = MC_ALLOC;
	c->mc_size = (uint32_t)size;
	memset((uint8_t *)(c + 1) + size, RZ_BYTE, csize - CHUNK_HDR - size);
}

/* ------------------------------------------------------ small objects */

/*
 * A fresh slab for bucket bi, all its chunks free (and poisoned), or NULL
 * (only with M_NOWAIT).
 * => called unlocked: without M_NOWAIT, kmem_alloc may sleep.
 */
static struct slab *
slab_create(int bi, int flags)
{
	struct bucket *b = &buckets[bi];
	struct mchunk *c;
	struct slab *sl;
	unsigned i;

	if ((sl = kmem_alloc(PAGE_SIZE, flags & M_NOWAIT)) == NULL)
		return (NULL);
	sl->sl_magic = SLAB_MAGIC;
	sl->sl_bucket = bi;
	sl->sl_nfree = b->b_nchunks;
	SLIST_INIT(&sl->sl_free);
	sl->sl_size = sl->sl_npages = 0;
	/* Pushed from the top, so the lowest chunk is handed out first. */
	for (i = b->b_nchunks; i-- > 0;) {
		c = chunk_at(sl, i);
		if (MALLOC_DEBUG) {
			c->mc_magic = MC_FREE;
			c->mc_size = 0;
			poison_fill(c + 1, b->b_size - CHUNK_HDR);
		}
		SLIST_INSERT_HEAD(&sl->sl_free, c, mc_link);
	}
	return (sl);
}

/*
 * Give an empty slab back to kmem.  Its chunks are checked one last time:
 * a write after free into them would otherwise go unseen.
 * => sl is on no list; called unlocked.
 */
static void
slab_destroy(struct slab *sl)
{
	struct bucket *b = &buckets[sl->sl_bucket];
	struct mchunk *c;

	KASSERT(sl->sl_nfree == b->b_nchunks, ("malloc: destroying slab %p "
	    "with %u of %u chunks free", (void *)sl, sl->sl_nfree,
	    b->b_nchunks));
	SLIST_FOREACH(c, &sl->sl_free, mc_link)
		if (!chunk_intact(c, b->b_size))
			chunk_free_botch(c, b->b_size);
	sl->sl_magic = 0;	/* stale pointers into it are not malloc's */
	kmem_free(sl, PAGE_SIZE);
}

/*
 * A slab of bucket b with a free chunk, the spare if need be, or NULL:
 * the caller must create one.
 * => caller holds the lock.
 */
static struct slab *
bucket_slab(struct bucket *b)
{
	struct slab *sl;

	if ((sl = LIST_FIRST(&b->b_slabs)) != NULL)
		return (sl);
	if ((sl = b->b_spare) != NULL) {
		b->b_spare = NULL;
		LIST_INSERT_HEAD(&b->b_slabs, sl, sl_link);
	}
	return (sl);
}

static void *
malloc_small(int bi, size_t size, int flags, uintptr_t caller)
{
	struct bucket *b = &buckets[bi];
	struct slab *sl;
	struct mchunk *c;
	uintptr_t psl;

	psl = malloc_lock();
	while ((sl = bucket_slab(b)) == NULL) {
		malloc_unlock(psl);
		if ((sl = slab_create(bi, flags)) == NULL)
			return (NULL);
		psl = malloc_lock();
		LIST_INSERT_HEAD(&b->b_slabs, sl, sl_link);
		b->b_nslabs++;
	}
	c = SLIST_FIRST(&sl->sl_free);
	if (__predict_false(!chunk_intact(c, b->b_size))) {
		malloc_unlock(psl);
		chunk_free_botch(c, b->b_size);
		return (NULL);		/* not reached */
	}
	SLIST_REMOVE_HEAD(&sl->sl_free, mc_link);
	if (--sl->sl_nfree == 0)
		LIST_REMOVE(sl, sl_link);	/* full: on no list */
	b->b_inuse++;
	malloc_unlock(psl);
	chunk_setup(c, b->b_size, size, caller);
	if (flags & M_ZERO)
		memset((uint8_t *)c + CHUNK_HDR, 0,
		    MALLOC_DEBUG ? size : b->b_size);
	return ((uint8_t *)c + CHUNK_HDR);
}

/*
 * Check that p is a live chunk of the slab sl: the start of a chunk, with
 * the allocated magic and an intact redzone.  Nothing is changed.
 */
static struct mchunk *
chunk_lookup(struct slab *sl, const void *p, const char *fn)
{
	struct bucket *b = &buckets[sl->sl_bucket];
	uintptr_t off = (uintptr_t)p - CHUNK_HDR - ((uintptr_t)sl + SLAB_HDR);
	struct mchunk *c = (struct mchunk *)((uintptr_t)p - CHUNK_HDR);
	size_t rz, bad;
	bool chunk;

	chunk = sl->sl_bucket < MALLOC_NBUCKETS && off % b->b_size == 0 &&
	    off / b->b_size < b->b_nchunks;
	KASSERT(chunk, ("%s: %p not allocated (not the start of a chunk)",
	    fn, p));
	(void)chunk;
	if (!MALLOC_DEBUG)
		return (c);
	KASSERT(c->mc_magic != MC_FREE, ("%s: %p: double free (the chunk is "
	    "free)", fn, p));
	KASSERT(c->mc_magic == MC_ALLOC && c->mc_size <= b->b_size -
	    MALLOC_OVH, ("%s: %p not allocated (bad chunk header: magic %#x)",
	    fn, p, c->mc_magic));
	rz = b->b_size - CHUNK_HDR - c->mc_size;
	bad = redzone_bad((const uint8_t *)p + c->mc_size, rz);
	KASSERT(bad == rz, ("%s: %p (%u bytes, from %p): write past the end "
	    "at offset %zu (%#x)", fn, p, c->mc_size, (void *)c->mc_caller,
	    c->mc_size + bad, ((const uint8_t *)p)[c->mc_size + bad]));
	(void)bad;
	return (c);
}

/*
 * Put the chunk c back on its slab; returns the slab if it is now to be
 * destroyed (the bucket has a spare already), else NULL.
 * => caller holds the lock.
 */
static struct slab *
slab_put(struct slab *sl, struct mchunk *c)
{
	struct bucket *b = &buckets[sl->sl_bucket];
	bool was_full = sl->sl_nfree == 0;

	SLIST_INSERT_HEAD(&sl->sl_free, c, mc_link);
	sl->sl_nfree++;
	b->b_inuse--;
	if (sl->sl_nfree < b->b_nchunks) {
		if (was_full)
			LIST_INSERT_HEAD(&b->b_slabs, sl, sl_link);
		return (NULL);
	}
	if (!was_full)
		LIST_REMOVE(sl, sl_link);
	if (b->b_spare == NULL) {
		b->b_spare = sl;
		return (NULL);
	}
	b->b_nslabs--;
	return (sl);
}

static void
free_small(struct slab *sl, void *p)
{
	struct bucket *b = &buckets[sl->sl_bucket];
	struct mchunk *c = chunk_lookup(sl, p, "free");
	struct slab *dead;
	uintptr_t psl;

	if (MALLOC_DEBUG) {
		c->mc_magic = MC_FREE;
		c->mc_size = 0;
		poison_fill(c + 1, b->b_size - CHUNK_HDR);
	}
	psl = malloc_lock();
	dead = slab_put(sl, c);
	malloc_unlock(psl);
	if (dead != NULL)
		slab_destroy(dead);
}

/* ------------------------------------------------------ large objects */

static void *
malloc_large(size_t size, int flags)
{
	struct slab *sl;
	size_t npages, len;
	uintptr_t psl;

	if (size > SIZE_MAX - SLAB_HDR - MALLOC_RZ - PAGE_SIZE)
		npages = 0;		/* cannot be: let kmem say no */
	else
		npages = howmany(SLAB_HDR + size + MALLOC_RZ, PAGE_SIZE);
	len = npages * PAGE_SIZE;
	if (npages == 0 || (sl = kmem_alloc(len, flags)) == NULL) {
		KASSERT(flags & M_NOWAIT, ("malloc: no memory for %zu bytes",
		    size));
		return (NULL);
	}
	sl->sl_magic = LARGE_MAGIC;
	sl->sl_size = size;
	sl->sl_npages = npages;
	if (MALLOC_DEBUG)
		memset((uint8_t *)sl + SLAB_HDR + size, RZ_BYTE,
		    len - SLAB_HDR - size);
	psl = malloc_lock();
	large_count++;
	large_pages += npages;
	malloc_unlock(psl);
	return ((uint8_t *)sl + SLAB_HDR);
}

/* Check a large object like chunk_lookup() a small one. */
static void
large_check(struct slab *sl, const void *p, const char *fn)
{
	size_t len, bad;

	KASSERT((uintptr_t)p == (uintptr_t)sl + SLAB_HDR, ("%s: %p not "
	    "allocated (inside a large object)", fn, p));
	if (!MALLOC_DEBUG)
		return;
	len = sl->sl_npages * PAGE_SIZE - SLAB_HDR - sl->sl_size;
	bad = redzone_bad((const uint8_t *)p + sl->sl_size, len);
	KASSERT(bad == len, ("%s: %p (%zu bytes): write past the end at "
	    "offset %zu (%#x)", fn, p, sl->sl_size, sl->sl_size + bad,
	    ((const uint8_t *)p)[sl->sl_size + bad]));
	(void)bad;
}

static void
free_large(struct slab *sl, void *p)
{
	uintptr_t psl;

	large_check(sl, p, "free");
	psl = malloc_lock();
	large_count--;
	large_pages -= sl->sl_npages;
	malloc_unlock(psl);
	sl->sl_magic = 0;
	kmem_free(sl, sl->sl_npages * PAGE_SIZE);
}

/* ------------------------------------------------------ interface */

/*
 * => M_NOWAIT: NULL when memory (pages or KVA) runs out, never sleeps.
 *    Without it: sleeps until pages are free; running out of KVA panics.
 * => the result is aligned to MALLOC_ALIGN; malloc(0) returns a unique
 *    pointer that may not be dereferenced.
 */
void *
malloc(size_t size, int flags)
{
	int bi;

	KASSERT(malloc_ready, ("malloc before malloc_init"));
	KASSERT((flags & ~(M_NOWAIT | M_ZERO)) == 0, ("malloc: flags %#x",
	    flags));
	if (size <= PAGE_SIZE && (bi = bucket_index(size)) >= 0)
		return (malloc_small(bi, size, flags,
		    (uintptr_t)__builtin_return_address(0)));
	return (malloc_large(size, flags));
}

/*
 * The slab header of p, after checking (with debugging) that there is
 * one: an unmapped page is never malloc's.
 */
static struct slab *
malloc_slab(const void *p, const char *fn)
{
	struct slab *sl = slab_of(p);

	KASSERT(pmap_extract((vaddr_t)sl) != PMAP_NO_PA, ("%s: %p not "
	    "allocated (unmapped: freed already?)", fn, p));
	KASSERT(sl->sl_magic == SLAB_MAGIC || sl->sl_magic == LARGE_MAGIC,
	    ("%s: %p not allocated (no malloc page)", fn, p));
	return (sl);
}

void
free(void *p)
{
	struct slab *sl;

	if (p == NULL)
		return;
	sl = malloc_slab(p, "free");
	if (sl->sl_magic == LARGE_MAGIC)
		free_large(sl, p);
	else
		free_small(sl, p);
}

size_t
malloc_usable_size(const void *p)
{
	struct slab *sl;
	struct mchunk *c;

	sl = malloc_slab(p, "malloc_usable_size");
	if (sl->sl_magic == LARGE_MAGIC) {
		large_check(sl, p, "malloc_usable_size");
		return (MALLOC_DEBUG ? sl->sl_size :
		    sl->sl_npages * PAGE_SIZE - SLAB_HDR);
	}
	c = chunk_lookup(sl, p, "malloc_usable_size");
	return (MALLOC_DEBUG ? c->mc_size :
	    buckets[sl->sl_bucket].b_size);
}

void
malloc_drain(void)
{
	struct slab *spare[MALLOC_NBUCKETS];
	uintptr_t psl;
	int i;

	psl = malloc_lock();
	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		spare[i] = buckets[i].b_spare;
		buckets[i].b_spare = NULL;
		if (spare[i] != NULL)
			buckets[i].b_nslabs--;
	}
	malloc_unlock(psl);
	for (i = 0; i < MALLOC_NBUCKETS; i++)
		if (spare[i] != NULL)
			slab_destroy(spare[i]);
}

void
malloc_get_stats(struct malloc_stats *st)
{
	struct malloc_bucket_stats *bs;
	struct bucket *b;
	uintptr_t psl;
	int i;

	psl = malloc_lock();
	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		b = &buckets[i];
		bs = &st->ms_bucket[i];
		bs->mbs_size = b->b_size;
		bs->mbs_maxreq = MAX(b->b_size, (size_t)MALLOC_OVH) -
		    MALLOC_OVH;
		bs->mbs_nchunks = b->b_nchunks;
		bs->mbs_inuse = b->b_inuse;
		bs->mbs_slabs = b->b_nslabs;
		bs->mbs_spare = b->b_spare != NULL;
	}
	st->ms_large = large_count;
	st->ms_large_pages = large_pages;
	malloc_unlock(psl);
}

void
malloc_dump(void)
{
	struct malloc_stats st;
	struct malloc_bucket_stats *bs;
	int i;

	malloc_get_stats(&st);
	kprintf("malloc: %s, chunk overhead %zu bytes\n", MALLOC_DEBUG ?
	    "debugging on" : "debugging off", (size_t)MALLOC_OVH);
	kprintf("  %5s %7s %6s %6s %6s %6s\n", "size", "maxreq", "per", "inuse",
	    "slabs", "spare");
	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		bs = &st.ms_bucket[i];
		kprintf("  %5zu %7zu %6lu %6lu %6lu %6lu\n", bs->mbs_size,
		    bs->mbs_maxreq, bs->mbs_nchunks, bs->mbs_inuse,
		    bs->mbs_slabs, bs->mbs_spare);
	}
	kprintf("  large: %lu objects, %lu pages\n", st.ms_large,
	    st.ms_large_pages);
}
