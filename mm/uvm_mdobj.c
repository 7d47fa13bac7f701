/*
 * The md-backed VM object (mm/uvm_mdobj.h): the generic clustered
 * get and put of mm/uvm_object.c over md_strategy().
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/md.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
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

/*
 * A run of pages to or from the disk, one md_strategy() call (md splits
 * it into MAXPHYS pieces, each through a pbuf).  md moves all or nothing;
 * an injected bad page in the run cuts it there.
 * => pages busy, no lock held; sleeps.
 */
static int
mdobj_io(struct uvm_object *uobj, struct vm_page **pgs, int npages,
    voff_t off, enum uio_rw rw, int *donep)
{
	struct mdobj *mo = mdobj(uobj);
	voff_t disk = (voff_t)md_mediasize(mo->mo_md);
	int n = npages, error, cut = 0;

	/* Past the end of the disk: EIO, as md says for a whole transfer. */
	if (off + (voff_t)n * PAGE_SIZE > disk) {
		n = off >= disk ? 0 : (int)((disk - off) >> PAGE_SHIFT);
		cut = EIO;
	}
	if (mo->mo_error != 0 && (int)rw == mo->mo_errrw &&
	    mo->mo_erroff >= off &&
	    mo->mo_erroff < off + (voff_t)n * PAGE_SIZE) {
		n = (int)((mo->mo_erroff - off) >> PAGE_SHIFT);
		cut = mo->mo_error;
	}
	error = n == 0 ? 0 : md_strategy(mo->mo_md, rw == UIO_READ ?
	    BIO_READ : BIO_WRITE, (uint64_t)off, pgs, 0,
	    (size_t)n * PAGE_SIZE);
	if (error == 0)
		__atomic_add_fetch(rw == UIO_READ ? &mo->mo_reads :
		    &mo->mo_writes, (unsigned long)n, __ATOMIC_RELAXED);
	*donep = error == 0 ? n : 0;
	return (error != 0 ? error : cut);
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
