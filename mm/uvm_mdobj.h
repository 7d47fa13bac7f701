/*
 * The md-backed VM object: a file-like uvm_object whose backing store is
 * an md RAM disk (kernel/md.h), byte for byte from disk offset 0, the way
 * a vnode's object sits on its file system's disk.  Its pager reads and
 * writes through md_strategy(), so through md's pbufs, one call per run
 * of missing pages; it is what UBC caches when a test or a lab reads
 * "a file".
 *
 *	struct uvm_object *uobj = mdobj_create(md, size);
 *	error = ubc_uiomove(uobj, &uio, n, UVM_ADV_SEQUENTIAL, UBC_READ);
 *	uvm_obj_flush(uobj, PGO_CLEANIT);	(write dirty pages to md)
 *	uvm_obj_detach(uobj);
 *
 * Contract:
 *  - size (rounded up to pages) may exceed the disk: the pages past its
 *    end fail with md's EIO, like a read past the end of a device.
 *  - mdobj_set_error() makes I/O of one direction at one page offset
 *    fail with the given error (a bad sector, for tests), until cleared
 *    with error 0.  An injected read error leaves nothing behind; an
 *    injected write error leaves the page dirty (uvm_obj_putpages).
 *  - The disk must outlive the object; the object holds no reference.
 *  - The last uvm_obj_detach() frees the pages (dirty data not flushed
 *    is lost, as with an unmounted file system) and the object; no UBC
 *    window of it may be in use then.
 */
#ifndef _MM_UVM_MDOBJ_H_
#define _MM_UVM_MDOBJ_H_

#include <kernel/systm.h>
#include <mm/uvm_object.h>

struct md_softc;

/* => may sleep.  One reference; drop it with uvm_obj_detach(). */
struct uvm_object *mdobj_create(struct md_softc *md, voff_t size);
/* Inject error (0: none) for rw I/O of the page at offset off. */
void	mdobj_set_error(struct uvm_object *uobj, voff_t off, enum uio_rw rw,
	    int error);
/* Pages this object read from and wrote to the disk. */
unsigned long mdobj_reads(struct uvm_object *uobj);
unsigned long mdobj_writes(struct uvm_object *uobj);

#endif /* !_MM_UVM_MDOBJ_H_ */
