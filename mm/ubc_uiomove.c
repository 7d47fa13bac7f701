/*
 * ubc_uiomove (mm/ubc.h): moving data between a VM object and a uio,
 * through UBC windows (faults bring the pages in) or, on machines with
 * a direct map, through it with the pages busy (NetBSD's ubc_direct).
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/uio.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <mm/ubc.h>
#include <mm/ubc_var.h>
#include <mm/uvm_object.h>

/*
 * Copy len bytes between window va and the uio a page at a time, so a
 * fault that fails leaves the uio counting exactly the pages before it.
 */
static int
ubc_copy(char *va, vsize_t len, struct uio *uio)
{
	vsize_t n;
	int error;

	for (; len > 0; va += n, len -= n) {
		n = MIN(len, PAGE_SIZE - ((vaddr_t)va & PAGE_MASK));
		if ((error = uiomove(va, n, uio)) != 0)
			return (error);
	}
	return (0);
}

static int
ubc_uiomove_window(struct uvm_object *uobj, struct uio *uio, vsize_t todo,
    int advice, int flags)
{
	const bool overwrite = (flags & UBC_FAULTBUSY) != 0;
	voff_t off = uio->uio_offset;
	size_t resid;
	int error = 0;

	while (todo > 0) {
		vsize_t bytelen = todo;
		char *win;

		win = ubc_alloc(uobj, off, &bytelen, advice, flags);
		resid = uio->uio_resid;
		if (error == 0)
			error = ubc_copy(win, bytelen, uio);
		/* FAULTBUSY pages are mapped: zero what was not written. */
		if (error != 0 && overwrite)
			memset(win + (resid - uio->uio_resid), 0,
			    bytelen - (resid - uio->uio_resid));
		ubc_release(win, flags);
		off += bytelen;
		todo -= bytelen;
		if (error != 0 && ((flags & UBC_PARTIALOK) || !overwrite))
			break;
	}
	return (error);
}

/*
 * Mark the pages a write went through dirty, and unbusy them all.
 * => vmobjlock held.
 */
static void
ubc_direct_done(struct uvm_object *uobj, struct vm_page **pgs, int npages,
    int written)
{
	int i;

	for (i = 0; i < written; i++)
		pgs[i]->flags |= PG_DIRTY;
	uvm_page_unbusy(uobj, pgs, npages);
}

/*
 * The direct path (NetBSD's ubc_uiomove_direct): no window, no fault.
 * Chunk by chunk (a window's worth, so both paths read ahead alike) the
 * pages are got busy from the pager, copied through the direct map a
 * page at a time, then unbusied.  Past the end of the object is EFAULT,
 * as a fault there would be on the window path.
 */
static int
ubc_uiomove_direct(struct uvm_object *uobj, struct uio *uio, vsize_t todo,
    int advice, int flags)
{
	struct vm_page *pgs[UBC_MAXWINPAGES];
	int gflags = (flags & UBC_FAULTBUSY) ? PGO_OVERWRITE : 0;
	voff_t cur = uio->uio_offset, end, pgoff, ps;
	int error = 0, e, i, npages, want;

	while (todo > 0 && error == 0) {
		end = cur + (voff_t)MIN(todo, ubc.winsize -
		    (vsize_t)(cur & (voff_t)(ubc.winsize - 1)));
		todo -= (vsize_t)(end - cur);
		pgoff = trunc_page(cur);
		want = (int)((round_page(end) - pgoff) >> PAGE_SHIFT);
		if (pgoff >= uobj->uo_size)
			return (EFAULT);
		npages = (int)MIN((voff_t)want,
		    (uobj->uo_size - pgoff) >> PAGE_SHIFT);
		if (npages < want)
			error = EFAULT;		/* past the end of the object */
		mtx_lock(&uobj->vmobjlock);
		if ((e = uobj->pgops->pgo_get(uobj, pgoff, pgs, &npages, advice,
		    gflags)) != 0)
			error = e;
		mtx_unlock(&uobj->vmobjlock);
		for (i = 0, ps = pgoff; i < npages; i++, ps += PAGE_SIZE) {
			vsize_t n = (vsize_t)(MIN(ps + PAGE_SIZE, end) - cur);

			if ((e = uiomove((char *)pmap_page_direct(pgs[i]) +
			    (cur - ps), n, uio)) != 0) {
				error = e;
				break;
			}
			cur += (voff_t)n;
		}
		mtx_lock(&uobj->vmobjlock);
		ubc_direct_done(uobj, pgs, npages, (flags & UBC_WRITE) ? i : 0);
		mtx_unlock(&uobj->vmobjlock);
	}
	return (error);
}

/*
 * ubc_uiomove: move todo bytes between uobj and uio (see mm/ubc.h).
 * => may sleep; returns 0 or the first error, the uio exact to the page.
 */
int
ubc_uiomove(struct uvm_object *uobj, struct uio *uio, vsize_t todo,
    int advice, int flags)
{
	KASSERT(todo <= uio->uio_resid, ("ubc_uiomove: todo %lu > resid %lu",
	    (unsigned long)todo, (unsigned long)uio->uio_resid));
	KASSERT(((flags & UBC_WRITE) != 0 && uio->uio_rw == UIO_WRITE) ||
	    ((flags & UBC_READ) != 0 && uio->uio_rw == UIO_READ),
	    ("ubc_uiomove: flags %#x do not match the uio's direction",
	    flags));
	/* Read unlocked: a path switch takes effect for later calls. */
	if (ubc.direct)
		return (ubc_uiomove_direct(uobj, uio, todo, advice, flags));
	return (ubc_uiomove_window(uobj, uio, todo, advice, flags));
}
