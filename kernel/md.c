/*
 * md, the RAM disk (kernel/md.h): a sparse array of wired physical pages
 * behind a strategy routine that moves data through a pbuf and quick
 * maps (or sf_bufs), as FreeBSD's md(4) does for its swap-backed disks
 * (mdstart_swap: vm pages, copied with sf_bufs or pmap_copy_pages).
 *
 * Locking.  md_lock serialises only the allocation of backing pages.
 * Once a slot of md_pages[] is set it never changes until md_destroy(),
 * so the copy loop reads it without a lock: a slot is published with a
 * release store after the page is zeroed, and read with an acquire load,
 * so a reader sees either NULL (reads zeros) or a zeroed page.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/md.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>

struct md_softc {
	uint64_t	 md_size;	/* bytes, a multiple of PAGE_SIZE */
	uint64_t	 md_npages;	/* md_size / PAGE_SIZE */
	vm_page_t	*md_pages;	/* [md_npages]: set once, md_lock */
	struct mtx	 md_lock;	/* allocation of backing pages */
	unsigned long	 md_resident;	/* pages allocated; under md_lock */
	int		 md_busy;	/* transfers in progress (atomic) */
	int		 md_copy;	/* MD_COPY_*; set while idle */
};

int md_pbuf_freecnt;

void
md_init(void)
{
	md_pbuf_freecnt = nswbuf / 2;
}

/*
 * md_create: see kernel/md.h.  The page index is allocated at once
 * (M_NOWAIT: a huge disk fails cleanly instead of waiting for memory);
 * the pages come with the writes.
 */
struct md_softc *
md_create(uint64_t size)
{
	struct md_softc *md;
	uint64_t npages = size / PAGE_SIZE + (size % PAGE_SIZE != 0);

	if (size == 0 || npages > SIZE_MAX / sizeof(vm_page_t))
		return (NULL);
	md = malloc(sizeof(*md), M_WAITOK | M_ZERO);
	md->md_pages = malloc(npages * sizeof(vm_page_t), M_NOWAIT | M_ZERO);
	if (md->md_pages == NULL) {
		free(md);
		return (NULL);
	}
	md->md_npages = npages;
	md->md_size = npages * PAGE_SIZE;
	mtx_init(&md->md_lock, "md");
	return (md);
}

void
md_destroy(struct md_softc *md)
{
	uint64_t i;

	KASSERT(__atomic_load_n(&md->md_busy, __ATOMIC_SEQ_CST) == 0,
	    ("md_destroy: %d transfers in progress", md->md_busy));
	for (i = 0; i < md->md_npages; i++) {
		if (md->md_pages[i] == NULL)
			continue;
		vm_page_unwire(md->md_pages[i]);
		vm_page_free(md->md_pages[i]);
	}
	free(md->md_pages);
	free(md);
}

uint64_t
md_mediasize(const struct md_softc *md)
{
	return (md->md_size);
}

vm_page_t
md_page(const struct md_softc *md, uint64_t pindex)
{
	KASSERT(pindex < md->md_npages, ("md_page: page %llu of %llu",
	    (unsigned long long)pindex, (unsigned long long)md->md_npages));
	return (__atomic_load_n(&md->md_pages[pindex], __ATOMIC_ACQUIRE));
}

unsigned long
md_resident(const struct md_softc *md)
{
	return (__atomic_load_n(&md->md_resident, __ATOMIC_RELAXED));
}

/* Check a request: 0, EINVAL or EIO. */
static int
md_check(const struct md_softc *md, int iocmd, uint64_t off, size_t len)
{
	if ((iocmd != BIO_READ && iocmd != BIO_WRITE) ||
	    off % MD_SECTORSIZE != 0 || len % MD_SECTORSIZE != 0)
		return (EINVAL);
	if (off > md->md_size || len > md->md_size - off)
		return (EIO);
	return (0);
}

/*
 * Give every disk page a checked write touches a backing page, so that
 * the copy cannot fail half-way.
 * => 0 or ENOSPC; pages allocated before an ENOSPC stay (zeroed: what
 *    the disk already read as).
 */
static int
md_alloc(struct md_softc *md, uint64_t off, size_t len)
{
	uint64_t p, last = (off + len - 1) / PAGE_SIZE;
	vm_page_t m;
	int error = 0;

	mtx_lock(&md->md_lock);
	for (p = off / PAGE_SIZE; p <= last; p++) {
		if (md->md_pages[p] != NULL)
			continue;
		m = vm_page_alloc(VM_ALLOC_NOWAIT | VM_ALLOC_ZERO |
		    VM_ALLOC_WIRED);
		if (m == NULL) {
			error = ENOSPC;
			break;
		}
		__atomic_store_n(&md->md_pages[p], m, __ATOMIC_RELEASE);
		md->md_resident++;
	}
	mtx_unlock(&md->md_lock);
	return (error);
}

/*
 * md_set_copy: reach md's pages through quick maps or sf_bufs.
 * => no I/O on md in progress.
 */
void
md_set_copy(struct md_softc *md, int how)
{
	KASSERT(how == MD_COPY_QUICK || how == MD_COPY_SFBUF,
	    ("md_set_copy: %d", how));
	md->md_copy = how;
}

/*
 * Map disk page m for a moment.  A quick map is the cheapest (no lock,
 * never a shootdown, the direct map on x86_64).  The sf_buf way is
 * FreeBSD md's (mdstart_swap): pinned, SFB_CPUPRIVATE, so that a miss
 * flushes this CPU only; on i386 a page read again may still be mapped.
 */
static vaddr_t
md_map(const struct md_softc *md, vm_page_t m, struct sf_buf **sfp)
{
	if (md->md_copy == MD_COPY_QUICK)
		return (pmap_quick_enter_page(m));
	sched_pin();
	*sfp = sf_buf_alloc(m, SFB_CPUPRIVATE);
	return (sf_buf_kva(*sfp));
}

static void
md_unmap(const struct md_softc *md, vaddr_t va, struct sf_buf *sf)
{
	if (md->md_copy == MD_COPY_QUICK) {
		pmap_quick_remove_page(va);
		return;
	}
	sf_buf_free(sf);
	sched_unpin();
}

/*
 * Copy between the data at bp->b_data (the caller's pages, mapped) and
 * the disk, one disk page at a time through a quick map or an sf_buf.
 * A read of a page never written is zeros.
 */
static void
md_copy(struct md_softc *md, struct buf *bp)
{
	uint64_t off = bp->b_offset;
	size_t resid = bp->b_bcount, pgoff, n;
	char *data = bp->b_data;
	struct sf_buf *sf = NULL;
	vm_page_t m;
	vaddr_t va;

	for (; resid > 0; off += n, data += n, resid -= n) {
		pgoff = off & PAGE_MASK;
		n = MIN(resid, PAGE_SIZE - pgoff);
		m = md_page(md, off / PAGE_SIZE);
		if (m == NULL) {
			KASSERT(bp->b_iocmd == BIO_READ, ("md: write to page "
			    "%llu with no backing", (unsigned long long)(off /
			    PAGE_SIZE)));
			memset(data, 0, n);
			continue;
		}
		va = md_map(md, m, &sf);
		if (bp->b_iocmd == BIO_READ)
			memcpy(data, (const char *)va + pgoff, n);
		else
			memcpy((char *)va + pgoff, data, n);
		md_unmap(md, va, sf);
	}
	bp->b_resid = 0;
}

/*
 * One piece of a transfer, at most MAXPHYS including pgoff: a pbuf, the
 * caller's pages mapped in its window, the copy, and back.
 */
static void
md_transfer(struct md_softc *md, int iocmd, uint64_t off, vm_page_t *pages,
    size_t pgoff, size_t len)
{
	int i, npages = howmany(pgoff + len, PAGE_SIZE);
	struct buf *bp;

	KASSERT(pgoff + len <= MAXPHYS, ("md_transfer: %zu + %zu bytes",
	    pgoff, len));
	bp = getpbuf(&md_pbuf_freecnt);
	bp->b_iocmd = iocmd;
	bp->b_offset = off;
	bp->b_bcount = len;
	bp->b_bufsize = (size_t)npages * PAGE_SIZE;
	bp->b_npages = npages;
	for (i = 0; i < npages; i++)
		bp->b_pages[i] = pages[i];
	pmap_qenter((vaddr_t)bp->b_kvabase, bp->b_pages, npages);
	bp->b_data = bp->b_kvabase + pgoff;
	md_copy(md, bp);
	pmap_qremove((vaddr_t)bp->b_kvabase, npages);
	relpbuf(bp, &md_pbuf_freecnt);
}

/* Cut a prepared transfer into pieces that fit a pbuf's window. */
static void
md_transfer_all(struct md_softc *md, int iocmd, uint64_t off,
    vm_page_t *pages, size_t pgoff, size_t len)
{
	size_t n;

	for (; len > 0; off += n, len -= n) {
		n = MIN(len, MAXPHYS - pgoff);
		md_transfer(md, iocmd, off, pages, pgoff, n);
		pages += (pgoff + n) / PAGE_SIZE;
		pgoff = (pgoff + n) % PAGE_SIZE;
	}
}

/*
 * Every transfer may sleep (getpbuf, md_lock): say so at the door, before
 * md_busy counts it, rather than deep inside getpbuf (same test).
 */
static inline void
md_assert_sleepable(void)
{
	KASSERT(curthread != NULL && !curthread->td_idle &&
	    curthread->td_critnest == 0 && spinlock_count() == 0,
	    ("md: I/O may sleep, but called where sleeping is not allowed"));
}

/* Transfers in progress on md, for md_destroy's check. */
static void
md_busy(struct md_softc *md, int delta)
{
	__atomic_add_fetch(&md->md_busy, delta, __ATOMIC_SEQ_CST);
}

/*
 * md_strategy: see kernel/md.h.
 * => may sleep (getpbuf, md_lock).
 */
int
md_strategy(struct md_softc *md, int iocmd, uint64_t off, vm_page_t *pages,
    size_t pgoff, size_t len)
{
	int error;

	md_assert_sleepable();
	if (pgoff >= PAGE_SIZE)
		return (EINVAL);
	if ((error = md_check(md, iocmd, off, len)) != 0 || len == 0)
		return (error);
	md_busy(md, 1);
	if (iocmd == BIO_WRITE)
		error = md_alloc(md, off, len);
	if (error == 0)
		md_transfer_all(md, iocmd, off, pages, pgoff, len);
	md_busy(md, -1);
	return (error);
}

/*
 * A kernel buffer's pages, at most MAXPHYS / PAGE_SIZE + 1 of them, for
 * md_rw: false if one of them is not mapped RAM with a struct vm_page.
 */
static bool
md_buf_pages(vaddr_t va, size_t len, vm_page_t *pages)
{
	vaddr_t end = va + len, p;
	paddr_t pa;
	int i = 0;

	for (p = trunc_page(va); p < end; p += PAGE_SIZE) {
		if ((pa = pmap_extract(p)) == PMAP_NO_PA ||
		    (pages[i++] = PHYS_TO_VM_PAGE(trunc_page64(pa))) == NULL)
			return (false);
	}
	return (true);
}

/*
 * md_read/md_write: the kernel buffer's pages are found first (EFAULT
 * before anything moves), then the transfer goes MAXPHYS at a time.
 */
static int
md_rw(struct md_softc *md, int iocmd, uint64_t off, vaddr_t va, size_t len)
{
	vm_page_t pages[MAXPHYS / PAGE_SIZE + 1];
	size_t pgoff, n, done;
	int error;

	md_assert_sleepable();
	if ((error = md_check(md, iocmd, off, len)) != 0 || len == 0)
		return (error);
	if (va + len - 1 < va)
		return (EFAULT);
	for (done = 0; done < len; done += n) {
		pgoff = (va + done) & PAGE_MASK;
		n = MIN(len - done, MAXPHYS - pgoff);
		if (!md_buf_pages(va + done, n, pages))
			return (EFAULT);
	}
	md_busy(md, 1);
	if (iocmd == BIO_WRITE)
		error = md_alloc(md, off, len);
	for (done = 0; error == 0 && done < len; done += n) {
		pgoff = (va + done) & PAGE_MASK;
		n = MIN(len - done, MAXPHYS - pgoff);
		md_buf_pages(va + done, n, pages);
		md_transfer_all(md, iocmd, off + done, pages, pgoff, n);
	}
	md_busy(md, -1);
	return (error);
}

int
md_read(struct md_softc *md, uint64_t off, void *buf, size_t len)
{
	return (md_rw(md, BIO_READ, off, (vaddr_t)buf, len));
}

int
md_write(struct md_softc *md, uint64_t off, const void *buf, size_t len)
{
	return (md_rw(md, BIO_WRITE, off, (vaddr_t)buf, len));
}
