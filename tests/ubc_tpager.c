/*
 * The ubc suite's file-like pager (tests/ubc_tpager.h): backing store in
 * pages of RAM, copied with pmap_copy_page so it works without a direct
 * map (i386 at 3 GiB) too.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include "tests/ubc_tpager.h"

struct tpager {
	struct uvm_object tp_obj;	/* first: the object is the pager */
	struct vm_page	**tp_store;	/* backing pages by index; NULL: hole */
	volatile int64_t tp_errpage;	/* I/O there fails; -1: none */
	volatile int	 tp_errrw;
	volatile bool	 tp_slow;
	unsigned long	 tp_reads;	/* atomic */
	unsigned long	 tp_writes;	/* atomic */
	unsigned long	 tp_ios;	/* atomic: io calls (runs) */
};

static struct tpager *
tp(struct uvm_object *uobj)
{
	return ((struct tpager *)uobj);
}

/* One page of I/O; the page is busy, so nobody else does I/O on it. */
static int
tpager_io1(struct tpager *t, struct vm_page *m, int64_t i, enum uio_rw rw)
{
	if (i == t->tp_errpage && (int)rw == t->tp_errrw)
		return (EIO);
	if (rw == UIO_READ) {
		__atomic_add_fetch(&t->tp_reads, 1, __ATOMIC_RELAXED);
		if (t->tp_store[i] == NULL)
			pmap_zero_page(m);
		else
			pmap_copy_page(t->tp_store[i], m);
		return (0);
	}
	__atomic_add_fetch(&t->tp_writes, 1, __ATOMIC_RELAXED);
	if (t->tp_store[i] == NULL)
		t->tp_store[i] = vm_page_alloc(VM_ALLOC_NORMAL);
	pmap_copy_page(m, t->tp_store[i]);
	return (0);
}

/* A run of pages, in order, stopping at the first failure. */
static int
tpager_io(struct uvm_object *uobj, struct vm_page **pgs, int npages,
    voff_t off, enum uio_rw rw, int *donep)
{
	struct tpager *t = tp(uobj);
	int k, error = 0;

	__atomic_add_fetch(&t->tp_ios, 1, __ATOMIC_RELAXED);
	if (t->tp_slow)
		thread_yield();
	for (k = 0; k < npages && error == 0; k++)
		if ((error = tpager_io1(t, pgs[k], (off >> PAGE_SHIFT) + k,
		    rw)) != 0)
			break;
	*donep = k;
	return (error);
}

static int
tpager_get(struct uvm_object *uobj, voff_t off, struct vm_page **pps,
    int *npagesp, int advice, int flags)
{
	return (uvm_obj_getpages(uobj, off, pps, npagesp, advice, flags,
	    tpager_io));
}

static int
tpager_put(struct uvm_object *uobj, voff_t start, voff_t end, int flags)
{
	return (uvm_obj_putpages(uobj, start, end, flags, tpager_io));
}

static void
tpager_destroy(struct uvm_object *uobj)
{
	struct tpager *t = tp(uobj);
	int64_t i;

	uvm_obj_destroy(uobj);		/* the data dies with the object */
	for (i = 0; i < uobj->uo_size >> PAGE_SHIFT; i++)
		if (t->tp_store[i] != NULL)
			vm_page_free(t->tp_store[i]);
	free(t->tp_store);
	free(t);
}

static const struct uvm_pagerops tpager_ops = {
	.pgo_name = "tpager",
	.pgo_get = tpager_get,
	.pgo_put = tpager_put,
	.pgo_destroy = tpager_destroy,
};

struct uvm_object *
tpager_create(voff_t size)
{
	struct tpager *t = malloc(sizeof(*t), M_ZERO);

	uvm_obj_init(&t->tp_obj, &tpager_ops, round_page64(size));
	t->tp_store = malloc((size_t)(t->tp_obj.uo_size >> PAGE_SHIFT) *
	    sizeof(struct vm_page *), M_ZERO);
	t->tp_errpage = -1;
	return (&t->tp_obj);
}

void
tpager_set_error(struct uvm_object *uobj, int64_t page, enum uio_rw rw)
{
	tp(uobj)->tp_errrw = (int)rw;
	tp(uobj)->tp_errpage = page;
}

void
tpager_set_slow(struct uvm_object *uobj, bool slow)
{
	tp(uobj)->tp_slow = slow;
}

unsigned long
tpager_reads(struct uvm_object *uobj)
{
	return (__atomic_load_n(&tp(uobj)->tp_reads, __ATOMIC_RELAXED));
}

unsigned long
tpager_writes(struct uvm_object *uobj)
{
	return (__atomic_load_n(&tp(uobj)->tp_writes, __ATOMIC_RELAXED));
}

struct vm_page *
tpager_store(struct uvm_object *uobj, int64_t page)
{
	return (tp(uobj)->tp_store[page]);
}

unsigned long
tpager_ios(struct uvm_object *uobj)
{
	return (__atomic_load_n(&tp(uobj)->tp_ios, __ATOMIC_RELAXED));
}
