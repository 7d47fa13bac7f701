/*
 * VM objects (mm/uvm_object.h): pages by offset, busy pages and the
 * sleep on them, the generic get (one read per run of missing pages)
 * and put that pagers build on, and the anonymous zero-fill object
 * (NetBSD's aobj, without swap).
 *
 * Lock order: an object's vmobjlock, then the UBC lock (uvm_obj_putpages
 * calls ubc_flush); never the other way round.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <mm/malloc.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include <mm/vm_page.h>

static inline int64_t
uvm_obj_index(const struct uvm_object *uobj, voff_t off)
{
	KASSERT((off & PAGE_MASK) == 0 && off >= 0 && off < uobj->uo_size,
	    ("uvm_object %p: offset %#llx not a page of the object (size "
	    "%#llx)", (const void *)uobj, (long long)off,
	    (long long)uobj->uo_size));
	return (off >> PAGE_SHIFT);
}

/*
 * uvm_obj_init: set up an object of size bytes with one reference.
 * => size: a positive multiple of PAGE_SIZE.  May sleep (malloc).
 */
void
uvm_obj_init(struct uvm_object *uobj, const struct uvm_pagerops *ops,
    voff_t size)
{
	KASSERT(size > 0 && (size & PAGE_MASK) == 0,
	    ("uvm_obj_init: size %#llx is not whole pages", (long long)size));
	mtx_init(&uobj->vmobjlock, "vmobjlock");
	uobj->pgops = ops;
	uobj->uo_size = size;
	uobj->uo_pages = malloc((size_t)(size >> PAGE_SHIFT) *
	    sizeof(struct vm_page *), M_WAITOK | M_ZERO);
	uobj->uo_npages = 0;
	uobj->uo_refs = 1;
	LIST_INIT(&uobj->uo_ubc);
	uobj->uo_pgin = uobj->uo_pgahead = uobj->uo_pgout = 0;
}

/*
 * uvm_obj_destroy: the end of a pager's pgo_destroy: drop every resident
 * page (data not yet written back dies with the object), detach its UBC
 * windows, free what uvm_obj_init allocated.  The pager frees the object.
 * => no window in use (ubc_purge's KASSERT); may sleep.
 */
void
uvm_obj_destroy(struct uvm_object *uobj)
{
	uvm_obj_flush(uobj, PGO_FREE);
	ubc_purge(uobj);
	KASSERT(uobj->uo_npages == 0, ("uvm_obj_destroy: %d pages left",
	    uobj->uo_npages));
	KASSERT(LIST_EMPTY(&uobj->uo_ubc), ("uvm_obj_destroy: UBC windows "
	    "still attached (ubc_purge first)"));
	free(uobj->uo_pages);
	uobj->uo_pages = NULL;
}

/* uvm_pagelookup: the resident page at off, or NULL.  => vmobjlock. */
struct vm_page *
uvm_pagelookup(struct uvm_object *uobj, voff_t off)
{
	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_pagelookup: unlocked"));
	return (uobj->uo_pages[uvm_obj_index(uobj, off)]);
}

/* uvm_pageinsert: m becomes the page at off.  => vmobjlock, off free. */
void
uvm_pageinsert(struct uvm_object *uobj, struct vm_page *m, voff_t off)
{
	int64_t i = uvm_obj_index(uobj, off);

	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_pageinsert: unlocked"));
	KASSERT(uobj->uo_pages[i] == NULL, ("uvm_pageinsert: offset %#llx "
	    "already has a page", (long long)off));
	KASSERT(m->object == NULL, ("uvm_pageinsert: page in an object"));
	m->object = uobj;
	m->pindex = (uint64_t)i;
	uobj->uo_pages[i] = m;
	uobj->uo_npages++;
}

/* uvm_pageremove: m leaves its object.  => vmobjlock. */
void
uvm_pageremove(struct uvm_object *uobj, struct vm_page *m)
{
	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_pageremove: unlocked"));
	KASSERT(m->object == uobj && uobj->uo_pages[m->pindex] == m,
	    ("uvm_pageremove: page %p is not in object %p", (void *)m,
	    (void *)uobj));
	uobj->uo_pages[m->pindex] = NULL;
	uobj->uo_npages--;
	m->object = NULL;
}

/*
 * uvm_pagewait: sleep until busy page m is unbusied.
 * => vmobjlock held; released during the sleep and retaken, so the
 *    caller must look the page up again (it may be gone).  Returns true.
 */
bool
uvm_pagewait(struct uvm_object *uobj, struct vm_page *m)
{
	KASSERT(m->flags & PG_BUSY, ("uvm_pagewait: page not busy"));
	m->flags |= PG_WANTED;
	msleep(m, &uobj->vmobjlock, 0, "pgbusy", 0);
	return (true);
}

/* uvm_page_unbusy: clear PG_BUSY, wake waiters.  => vmobjlock. */
void
uvm_page_unbusy(struct uvm_object *uobj, struct vm_page **pps, int npages)
{
	int i;

	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_page_unbusy: unlocked"));
	for (i = 0; i < npages; i++) {
		struct vm_page *m = pps[i];

		KASSERT(m->flags & PG_BUSY, ("uvm_page_unbusy: page %p of "
		    "object %p is not busy", (void *)m, (void *)uobj));
		if (m->flags & PG_WANTED)
			wakeup(m);
		m->flags &= ~(PG_BUSY | PG_WANTED);
	}
}

/* A new page failed to come in: take it out, wake waiters, free it. */
static void
uvm_page_drop(struct uvm_object *uobj, struct vm_page *m)
{
	uvm_page_unbusy(uobj, &m, 1);
	uvm_pageremove(uobj, m);
	vm_page_free(m);
}

/*
 * Allocate, insert and busy the run of missing pages at off (at most
 * max, up to the next resident page) and, with io, read them in one
 * transfer.  Anonymous objects (io NULL) and overwrites get zero pages.
 * Returns how many leading pages of the run are in (busy in pps[]);
 * *errorp gets the read error that cut it short, if any.
 */
static int
uvm_obj_newrun(struct uvm_object *uobj, voff_t off, struct vm_page **pps,
    int max, int flags, uvm_pageio_t *io, int *errorp)
{
	bool read = io != NULL && (flags & PGO_OVERWRITE) == 0;
	int n, k, done, error;

	for (n = 0; n < max && off + (voff_t)n * PAGE_SIZE < uobj->uo_size &&
	    uvm_pagelookup(uobj, off + (voff_t)n * PAGE_SIZE) == NULL; n++) {
		pps[n] = vm_page_alloc(read ? VM_ALLOC_NORMAL : VM_ALLOC_ZERO);
		pps[n]->flags |= PG_BUSY;
		uvm_pageinsert(uobj, pps[n], off + (voff_t)n * PAGE_SIZE);
	}
	if (!read || n == 0)
		return (n);
	/* Busy: nobody touches the pages while the lock is dropped. */
	mtx_unlock(&uobj->vmobjlock);
	done = n;
	error = io(uobj, pps, n, off, UIO_READ, &done);
	mtx_lock(&uobj->vmobjlock);
	if (error == 0)
		done = n;
	for (k = done; k < n; k++)
		uvm_page_drop(uobj, pps[k]);
	uobj->uo_pgin += (unsigned long)done;
	if (error != 0)
		*errorp = error;
	return (done);
}

/*
 * Sequential advice: bring in the pages after a request that are not
 * resident yet, up to UVM_READAHEAD_PAGES, and leave them unbusy.  A
 * read error here is not the caller's: those pages are simply not kept.
 */
static void
uvm_obj_readahead(struct uvm_object *uobj, voff_t off, uvm_pageio_t *io)
{
	struct vm_page *ra[UVM_READAHEAD_PAGES];
	voff_t end = off + (voff_t)UVM_READAHEAD_PAGES * PAGE_SIZE;
	int n, error = 0;

	while (off < MIN(end, uobj->uo_size) && error == 0) {
		if (uvm_pagelookup(uobj, off) != NULL) {
			off += PAGE_SIZE;
			continue;
		}
		n = uvm_obj_newrun(uobj, off, ra, (int)((end - off) >>
		    PAGE_SHIFT), 0, io, &error);
		uobj->uo_pgahead += (unsigned long)n;
		uvm_page_unbusy(uobj, ra, n);
		off += (voff_t)n * PAGE_SIZE;
	}
}

/*
 * uvm_obj_getpages: the generic pgo_get (see struct uvm_pagerops) for
 * pagers that read with io, or zero-fill (io NULL).  Resident pages are
 * waited for if busy and busied; each run of missing ones is one read.
 */
int
uvm_obj_getpages(struct uvm_object *uobj, voff_t off, struct vm_page **pps,
    int *npagesp, int advice, int flags, uvm_pageio_t *io)
{
	struct vm_page *m;
	voff_t o;
	int i = 0, error = 0;

	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_obj_getpages: unlocked"));
	KASSERT(off + (voff_t)*npagesp * PAGE_SIZE <= uobj->uo_size,
	    ("uvm_obj_getpages: past the end of the object"));
	while (i < *npagesp && error == 0) {
		o = off + (voff_t)i * PAGE_SIZE;
		if ((m = uvm_pagelookup(uobj, o)) == NULL) {
			i += uvm_obj_newrun(uobj, o, &pps[i], *npagesp - i,
			    flags, io, &error);
		} else if (m->flags & PG_BUSY) {
			uvm_pagewait(uobj, m);	/* then look again */
		} else {
			m->flags |= PG_BUSY;
			pps[i++] = m;
		}
	}
	if (error == 0 && io != NULL && advice == UVM_ADV_SEQUENTIAL)
		uvm_obj_readahead(uobj, off + (voff_t)i * PAGE_SIZE, io);
	*npagesp = i;
	return (error);
}

/* The longest run of dirty pages uvm_obj_putpages writes in one I/O. */
#define	UVM_PUT_RUN	32

/*
 * Write back the run of dirty, unbusy pages that starts with m at off
 * (up to end), in one I/O; the pages the I/O did not reach stay dirty.
 * With PGO_FREE the clean ones are freed.  Returns the run's length in
 * pages and the write error in *errorp (0 if none).
 */
static int
uvm_obj_cleanrun(struct uvm_object *uobj, struct vm_page *m, voff_t off,
    voff_t end, int flags, uvm_pageio_t *io, int *errorp)
{
	struct vm_page *run[UVM_PUT_RUN];
	int n, k, done;

	for (n = 0; m != NULL && (m->flags & (PG_BUSY | PG_DIRTY)) == PG_DIRTY;
	    n++) {
		m->flags |= PG_BUSY;
		run[n] = m;
		if (n + 1 == UVM_PUT_RUN ||
		    off + (voff_t)(n + 1) * PAGE_SIZE >= end)
			m = NULL;
		else
			m = uvm_pagelookup(uobj, off + (voff_t)(n + 1) *
			    PAGE_SIZE);
	}
	/* Busy: nobody touches the pages while the lock is dropped. */
	mtx_unlock(&uobj->vmobjlock);
	done = n;
	*errorp = io(uobj, run, n, off, UIO_WRITE, &done);
	mtx_lock(&uobj->vmobjlock);
	if (*errorp == 0)
		done = n;
	uvm_page_unbusy(uobj, run, n);
	for (k = 0; k < done; k++)
		run[k]->flags &= ~PG_DIRTY;
	uobj->uo_pgout += (unsigned long)done;
	for (k = 0; k < n && (flags & PGO_FREE); k++)
		if ((run[k]->flags & PG_DIRTY) == 0) {
			uvm_pageremove(uobj, run[k]);
			vm_page_free(run[k]);
		}
	return (n);
}

/*
 * uvm_obj_putpages: the generic pgo_put; each run of consecutive dirty
 * pages is one write.  Anonymous objects (io NULL) have no backing store
 * (no swap): freeing their pages loses the data, and a later read of
 * those offsets sees zeros, as in NetBSD's aobj.
 * => vmobjlock held; no UBC window over the range may be in use when
 *    pages are freed (ubc_flush asserts it).
 */
int
uvm_obj_putpages(struct uvm_object *uobj, voff_t start, voff_t end,
    int flags, uvm_pageio_t *io)
{
	struct vm_page *m;
	voff_t off;
	int e, error = 0;

	KASSERT(mtx_owned(&uobj->vmobjlock), ("uvm_obj_putpages: unlocked"));
	end = MIN(end, uobj->uo_size);
	if (flags & PGO_FREE)
		ubc_flush(uobj, start, end);
	for (off = start; off < end;) {
		if ((m = uvm_pagelookup(uobj, off)) == NULL) {
			off += PAGE_SIZE;
		} else if (m->flags & PG_BUSY) {
			uvm_pagewait(uobj, m);		/* then look again */
		} else if ((flags & PGO_CLEANIT) && (m->flags & PG_DIRTY) &&
		    io != NULL) {
			off += (voff_t)uvm_obj_cleanrun(uobj, m, off, end,
			    flags, io, &e) * PAGE_SIZE;
			error = error != 0 ? error : e;
		} else {
			if (flags & PGO_FREE) {
				uvm_pageremove(uobj, m);
				vm_page_free(m);
			}
			off += PAGE_SIZE;
		}
	}
	return (error);
}

/* uvm_obj_flush: pgo_put over the whole object.  => vmobjlock not held. */
int
uvm_obj_flush(struct uvm_object *uobj, int flags)
{
	int error;

	mtx_lock(&uobj->vmobjlock);
	error = uobj->pgops->pgo_put(uobj, 0, uobj->uo_size, flags);
	mtx_unlock(&uobj->vmobjlock);
	return (error);
}

/* uvm_obj_detach: drop a reference; the last calls pgo_destroy. */
void
uvm_obj_detach(struct uvm_object *uobj)
{
	int refs;

	mtx_lock(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0, ("uvm_obj_detach: object %p has no "
	    "references", (void *)uobj));
	refs = --uobj->uo_refs;
	mtx_unlock(&uobj->vmobjlock);
	if (refs == 0)
		uobj->pgops->pgo_destroy(uobj);
}

/* ---------------------------------------------------------------- aobj */

static int
uao_get(struct uvm_object *uobj, voff_t off, struct vm_page **pps,
    int *npagesp, int advice, int flags)
{
	return (uvm_obj_getpages(uobj, off, pps, npagesp, advice, flags,
	    NULL));
}

static int
uao_put(struct uvm_object *uobj, voff_t start, voff_t end, int flags)
{
	return (uvm_obj_putpages(uobj, start, end, flags, NULL));
}

static void
uao_destroy(struct uvm_object *uobj)
{
	uvm_obj_destroy(uobj);
	free(uobj);
}

static const struct uvm_pagerops aobj_pager = {
	.pgo_name = "aobj",
	.pgo_get = uao_get,
	.pgo_put = uao_put,
	.pgo_destroy = uao_destroy,
};

/*
 * uao_create: an anonymous object of size bytes (rounded up to pages),
 * every page zero until written.  => may sleep; flags: UAO_FLAG_*.
 */
struct uvm_object *
uao_create(voff_t size, int flags)
{
	struct uvm_object *uobj;

	KASSERT((flags & ~UAO_FLAG_NOSWAP) == 0, ("uao_create: flags %#x",
	    flags));
	uobj = malloc(sizeof(*uobj), M_WAITOK | M_ZERO);
	uvm_obj_init(uobj, &aobj_pager, round_page64(size));
	return (uobj);
}

void
uao_reference(struct uvm_object *uobj)
{
	mtx_lock(&uobj->vmobjlock);
	KASSERT(uobj->uo_refs > 0, ("uao_reference: dead object"));
	uobj->uo_refs++;
	mtx_unlock(&uobj->vmobjlock);
}

/*
 * uao_detach: drop a reference; the last frees the pages, detaches the
 * object's UBC windows and frees the object.
 * => no UBC window of the object may be in use (ubc_purge asserts).
 */
void
uao_detach(struct uvm_object *uobj)
{
	uvm_obj_detach(uobj);
}
