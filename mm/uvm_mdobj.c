/*
 * The md-backed VM object (mm/uvm_mdobj.h): the generic page-at-a-time
 * get and put of mm/uvm_object.c over md_strategy().
 */
#include <kernel/systm.h>
#include <kernel/md.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
#include <mm/ubc.h>
#include <mm/uvm_mdobj.h>
#include <mm/uvm_object.h>

struct mdobj {
	struct uvm_object mo_obj;	/* first: the object is the pager */
	struct md_softc	*mo_md;		/* (c) the disk */
	/* Injected failure (tests), read without a lock: set it quiet. */
	volatile voff_t	 mo_erroff;
	volatile int	 mo_errrw;
	volatile int	 mo_error;
	unsigned long	 mo_reads;	/* atomic */
	unsigned long	 mo_writes;	/* atomic */
};

static struct mdobj *
mdobj(struct uvm_object *uobj)
{
	return ((struct mdobj *)uobj);
}

/* One page to or from the disk.  => page busy, no lock held; sleeps. */
static int
mdobj_io(struct uvm_object *uobj, struct vm_page *m, voff_t off,
    enum uio_rw rw)
{
	struct mdobj *mo = mdobj(uobj);

	if (mo->mo_error != 0 && off == mo->mo_erroff &&
	    (int)rw == mo->mo_errrw)
		return (mo->mo_error);
	__atomic_add_fetch(rw == UIO_READ ? &mo->mo_reads : &mo->mo_writes, 1,
	    __ATOMIC_RELAXED);
	return (md_strategy(mo->mo_md, rw == UIO_READ ? BIO_READ : BIO_WRITE,
	    (uint64_t)off, &m, 0, PAGE_SIZE));
}

static int
mdobj_get(struct uvm_object *uobj, voff_t off, struct vm_page **pps,
    int *npagesp, int advice, int flags)
{
	return (uvm_obj_getpages(uobj, off, pps, npagesp, advice, flags,
	    mdobj_io));
}

static int
mdobj_put(struct uvm_object *uobj, voff_t start, voff_t end, int flags)
{
	return (uvm_obj_putpages(uobj, start, end, flags, mdobj_io));
}

static void
mdobj_destroy(struct uvm_object *uobj)
{
	uvm_obj_flush(uobj, PGO_FREE);
	ubc_purge(uobj);
	uvm_obj_destroy(uobj);
	free(uobj);
}

static const struct uvm_pagerops mdobj_pager = {
	.pgo_name = "md",
	.pgo_get = mdobj_get,
	.pgo_put = mdobj_put,
	.pgo_destroy = mdobj_destroy,
};

struct uvm_object *
mdobj_create(struct md_softc *md, voff_t size)
{
	struct mdobj *mo = malloc(sizeof(*mo), M_WAITOK | M_ZERO);

	KASSERT(md != NULL, ("mdobj_create: no disk"));
	uvm_obj_init(&mo->mo_obj, &mdobj_pager, round_page64(size));
	mo->mo_md = md;
	return (&mo->mo_obj);
}

void
mdobj_set_error(struct uvm_object *uobj, voff_t off, enum uio_rw rw,
    int error)
{
	struct mdobj *mo = mdobj(uobj);

	KASSERT(uobj->pgops == &mdobj_pager, ("mdobj_set_error: not md"));
	mo->mo_error = 0;
	mo->mo_erroff = trunc_page(off);
	mo->mo_errrw = (int)rw;
	mo->mo_error = error;
}

unsigned long
mdobj_reads(struct uvm_object *uobj)
{
	return (__atomic_load_n(&mdobj(uobj)->mo_reads, __ATOMIC_RELAXED));
}

unsigned long
mdobj_writes(struct uvm_object *uobj)
{
	return (__atomic_load_n(&mdobj(uobj)->mo_writes, __ATOMIC_RELAXED));
}
