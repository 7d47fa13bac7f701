/*
 * A file-like test pager for the ubc suite and benchmarks: an object
 * whose backing store is a private array of pages (a hole reads as
 * zeros), read (a run of missing pages per call) and written through
 * the generic uvm_obj_getpages/putpages, with an injectable I/O error
 * at one page and counters of the I/O done.  Unlike md it needs no
 * pbufs, so it can yield inside its I/O to make threads race.
 */
#ifndef _TESTS_UBC_TPAGER_H_
#define _TESTS_UBC_TPAGER_H_

#include <kernel/systm.h>
#include <mm/uvm_object.h>

struct uvm_object *tpager_create(voff_t size);
/* I/O on page index page fails with EIO (rw: UIO_READ/UIO_WRITE); -1: none. */
void	tpager_set_error(struct uvm_object *uobj, int64_t page, enum uio_rw rw);
/* Make each page read yield the CPU first, so others race with it. */
void	tpager_set_slow(struct uvm_object *uobj, bool slow);
unsigned long tpager_reads(struct uvm_object *uobj);
unsigned long tpager_writes(struct uvm_object *uobj);
/* Calls of the pager's I/O routine: one per run of pages. */
unsigned long tpager_ios(struct uvm_object *uobj);
/* The backing-store page at index page, or NULL for a hole. */
struct vm_page *tpager_store(struct uvm_object *uobj, int64_t page);

#endif /* !_TESTS_UBC_TPAGER_H_ */
