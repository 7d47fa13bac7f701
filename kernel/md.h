/*
 * md: a RAM disk (after FreeBSD's md(4) in its swap/malloc style).  The
 * disk is a sparse array of physical pages, one per PAGE_SIZE of disk,
 * allocated on first write and never permanently mapped (on i386 most of
 * them cannot be): every transfer reaches them through quick maps.
 *
 * The block interface:
 *
 *	struct md_softc *md = md_create(4 * 1024 * 1024);
 *	error = md_strategy(md, BIO_WRITE, off, pages, pgoff, len);
 *	error = md_read(md, off, buf, len);	(or md_write)
 *	md_destroy(md);
 *
 * md_strategy() is the driver's strategy routine: the caller's memory is
 * a run of pages (pages[0 .. n), the data starting pgoff bytes into the
 * first), as a pager or the UBC has it.  md_read()/md_write() take a
 * kernel virtual address instead, bread/bwrite style, and look its pages
 * up.  Each MAXPHYS piece of a transfer takes a pbuf from md's own
 * counter (md_pbuf_freecnt, started at nswbuf / 2 as FreeBSD's
 * subsystems do), maps the caller's pages at the pbuf's KVA with
 * pmap_qenter(), copies to or from the disk's pages through
 * pmap_quick_enter_page() (or sf_bufs, md_set_copy()), unmaps, and
 * releases the pbuf.
 *
 * Contract:
 *  - Offsets and lengths are bytes, multiples of MD_SECTORSIZE; pgoff is
 *    below PAGE_SIZE.  Otherwise EINVAL.  A length of 0 does nothing.
 *  - A transfer that does not lie wholly inside the disk fails with EIO
 *    and transfers nothing (FreeBSD's GEOM would truncate it; a teaching
 *    disk refuses).
 *  - Reading a block never written returns zeros and allocates nothing.
 *  - A write that cannot get the pages it needs fails with ENOSPC before
 *    any byte is written.  md_read/md_write of memory that is not mapped
 *    RAM fail with EFAULT before any byte is moved.
 *  - All calls may sleep (getpbuf, mutexes): not with a spin lock held,
 *    in a critical section or an interrupt handler.  Any number of
 *    threads may do I/O on one disk at once; transfers that overlap on
 *    the disk see each other's bytes in no particular order, as with a
 *    real disk.  md_destroy() must not race with I/O on that disk (KASSERT).
 */
#ifndef _KERNEL_MD_H_
#define _KERNEL_MD_H_

#include <kernel/systm.h>
#include <mm/pbuf.h>
#include <mm/vm_page.h>

#define	MD_SECTORSIZE	512

struct md_softc;

/* pbufs md may still take: nswbuf / 2 when idle. */
extern int md_pbuf_freecnt;

/*
 * md_create: a disk of size bytes (rounded up to a page), all zeros.
 * => may sleep; NULL when size is 0 or the page index cannot be had.
 */
struct md_softc	*md_create(uint64_t size);
/* md_destroy: free the disk and its pages.  No I/O may be in progress. */
void		 md_destroy(struct md_softc *md);
/* The disk's size in bytes. */
uint64_t	 md_mediasize(const struct md_softc *md);

/*
 * md_strategy: read (BIO_READ) or write (BIO_WRITE) len bytes at disk
 * offset off, from or to pages[0 ..], starting pgoff bytes into pages[0].
 * => returns 0, EINVAL, EIO or ENOSPC as above; may sleep.
 * => the pages must stay allocated until it returns.
 */
int		 md_strategy(struct md_softc *md, int iocmd, uint64_t off,
		    vm_page_t *pages, size_t pgoff, size_t len);
/*
 * The same for a kernel buffer (bread/bwrite style); also EFAULT.  The
 * buffer is reached through its physical pages, so it must be ordinary
 * writable memory (malloc, kmem, a stack): md_read() does not see that a
 * mapping is read-only.
 */
int		 md_read(struct md_softc *md, uint64_t off, void *buf,
		    size_t len);
int		 md_write(struct md_softc *md, uint64_t off, const void *buf,
		    size_t len);

/*
 * How the disk's pages are reached: quick maps (the default and the
 * cheapest) or sf_bufs (FreeBSD md's way).  Only while no I/O runs.
 */
#define	MD_COPY_QUICK	0
#define	MD_COPY_SFBUF	1
void		 md_set_copy(struct md_softc *md, int how);

/*
 * For tests and statistics: the page backing disk page pindex, or NULL
 * while it was never written; pages allocated in all.
 */
vm_page_t	 md_page(const struct md_softc *md, uint64_t pindex);
unsigned long	 md_resident(const struct md_softc *md);

/* Boot: set md_pbuf_freecnt.  After pbuf_init(). */
void		 md_init(void);

#endif /* !_KERNEL_MD_H_ */
