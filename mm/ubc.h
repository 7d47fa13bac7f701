/*
 * UBC, the unified buffer cache (NetBSD ubc(9), sys/uvm/uvm_bio.c; Chuck
 * Silvers, "UBC: An Efficient Unified I/O and Memory Caching Subsystem
 * for NetBSD", FREENIX 2000): kernel access to the pages of a VM object
 * through windows of kernel virtual memory.
 *
 *	va = ubc_alloc(uobj, off, &len, advice, UBC_READ);
 *	error = kcopy(va, buf, len);	   (faults bring the pages in)
 *	ubc_release(va, 0);
 *
 * ubc_alloc() gives a window of KVA onto the object at off and clips
 * *lenp to the end of the window.  No page is mapped yet: an access
 * faults, trap() calls vm_fault() (mm/vm_fault.h), which finds the
 * window, calls the object's pgo_get and enters the pages.  So only code
 * that survives a fault the pager cannot serve may touch a window:
 * kcopy() and uiomove() (kernel/uio.h) return its error.  ubc_release()
 * puts the window on an LRU of idle windows, its mappings still entered,
 * so the next ubc_alloc of the same range is a hit that takes no fault;
 * UBC_UNMAP removes the mappings instead.
 *
 * Contract (the spec, and NetBSD where it is silent):
 *  - flags: UBC_READ and/or UBC_WRITE (at least one); one writer per
 *    window at a time (a second UBC_WRITE alloc of a window in use for
 *    writing panics); UBC_FAULTBUSY (with UBC_WRITE): enter and busy the
 *    pages now, new pages zeroed and not read from the backing store
 *    (the caller overwrites them), released by ubc_release.
 *  - advice: UVM_ADV_NORMAL (a fault maps the rest of the window),
 *    UVM_ADV_RANDOM (one page per fault, no read-ahead),
 *    UVM_ADV_SEQUENTIAL (and the pager reads ahead).
 *  - ubc_alloc sleeps when every window is in use (woken by a release,
 *    never polling); all four may sleep, none may be called holding a
 *    spin lock.
 *  - ubc_uiomove moves todo bytes (<= uio_resid) between the object at
 *    uio_offset and the uio, window by window, page by page, so the uio
 *    is exact to the page when a fault fails.  It returns the first
 *    error; with UBC_PARTIALOK it stops there.  Without it a FAULTBUSY
 *    transfer goes on through the remaining windows without copying, so
 *    that every page it busied is zeroed, as NetBSD does; other
 *    transfers stop too (going on would only cost).  Either way the uio
 *    counts exactly the bytes moved.
 *  - ubc_purge: the object has no pages left; detaches every window from
 *    it; a window of it still in use panics.
 *  - Direct path: on machines with a direct map ubc_uiomove copies
 *    through it, page by page, with the pages busy, instead of through
 *    windows (NetBSD's ubc_direct, off by default there; on here, boot
 *    with ubc=window to use windows).
 *
 * Boot options: ubc=window|direct, ubc_nwins=N (16..65536 windows),
 * ubc_winshift=S (window of 1 << S bytes, PAGE_SHIFT..18).  Defaults in
 * <machine/vmparam.h>: NetBSD uses 8 KiB x 1024 windows generically and
 * 64 KiB x 4096 on amd64; Minnow takes 8 KiB x 1024 on i386 (8 MiB of a
 * 1 GiB kernel address space) and 64 KiB x 1024 on x86_64 (64 MiB: its
 * page tables are built at boot, 32 pages of them); on a machine of less
 * than about 34 MiB fewer, one per 8 pages (ubc_nwins_for: 92 at 4 MiB).
 */
#ifndef _MM_UBC_H_
#define _MM_UBC_H_

#include <kernel/systm.h>
#include <kernel/uio.h>
#include <mm/uvm_object.h>

#define	UBC_READ	0x001
#define	UBC_WRITE	0x002
#define	UBC_FAULTBUSY	0x004
#define	UBC_UNMAP	0x010
#define	UBC_PARTIALOK	0x100

void	*ubc_alloc(struct uvm_object *uobj, voff_t offset, vsize_t *lenp,
	    int advice, int flags);
void	 ubc_release(void *va, int flags);
int	 ubc_uiomove(struct uvm_object *uobj, struct uio *uio, vsize_t todo,
	    int advice, int flags);
void	 ubc_purge(struct uvm_object *uobj);

/* ---- Minnow's own: boot, the fault path, tests and statistics. */

struct ubc_config {
	int	uc_nwins;	/* windows */
	int	uc_winshift;	/* window size is 1 << uc_winshift */
	bool	uc_direct;	/* ubc_uiomove copies through the direct map */
};
/*
 * Parse the boot options (each NULL when absent) over the defaults in
 * *uc; returns the number of bad values (reported with report, and the
 * default kept).  ubc=direct without a direct map counts as bad.
 */
int	ubc_parse_options(struct ubc_config *uc, const char *mode,
	    const char *nwins, const char *winshift, bool report);
/*
 * The default window count for pages managed pages of RAM:
 * UBC_NWINS_DEFAULT, at most one window per 8 pages, at least
 * UBC_NWINS_MIN (a 4 MiB machine: 92).
 */
int	ubc_nwins_for(unsigned long pages);
/* Boot: carve the windows out of KVA.  After malloc_init, cmdline_init. */
void	ubc_init(void);
void	ubc_get_config(struct ubc_config *uc);
/* Tests and benchmarks: choose the path; false if direct is impossible. */
bool	ubc_set_direct(bool direct);

/* The fault path (mm/vm_fault.c). */
bool	ubc_contains(vaddr_t va);
int	ubc_fault(vaddr_t va, int access);
void	ubc_describe(vaddr_t va, char *buf, size_t len);
/*
 * Remove the cached mappings of the object's idle windows over
 * [start, end), before its pages there are freed.  A window over the
 * range still in use panics.  => any locks but the UBC lock.
 */
void	ubc_flush(struct uvm_object *uobj, voff_t start, voff_t end);

struct ubc_stats {
	unsigned long	us_hits;	/* ubc_alloc found the window */
	unsigned long	us_misses;	/* ... took an idle one */
	unsigned long	us_faults;	/* faults served */
	unsigned long	us_fault_pages;	/* pages they entered */
	unsigned long	us_waits;	/* sleeps for a free window */
	unsigned long	us_unmaps;	/* windows whose mappings went away */
};
void	ubc_get_stats(struct ubc_stats *st);

#endif /* !_MM_UBC_H_ */
