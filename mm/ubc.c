/*
 * UBC (mm/ubc.h): windows of kernel virtual memory onto VM objects, in
 * the manner of NetBSD's sys/uvm/uvm_bio.c.
 *
 * The window range is one KVA extent of ubc.nwins windows of ubc.winsize
 * bytes.  A window (struct ubc_map) is attached to (object, offset of a
 * window-aligned chunk); attached windows are found in a hash by (object,
 * window index).  A window nobody uses sits on the LRU, still attached
 * and with whatever pages the faults entered still mapped: using it again
 * is a hit without faults.  ubc_alloc takes the least recently used idle
 * window when the chunk has none, removing the old mappings first.
 *
 * ubc_uiomove's two copy paths are in mm/ubc_uiomove.c; the state both
 * files share is in mm/ubc_var.h.
 *
 * The fault path (vm_fault -> ubc_fault): window, then object and offset,
 * then pgo_get for the faulting page and, unless the advice is random,
 * the rest of the window; the pages are entered and unbusied.
 *
 * Locking: ubc.lock (a sleep mutex) protects the windows (fields marked
 * (u)), the hash, the LRU and the statistics; fields marked (w) belong
 * to the window's writer.  It nests inside an object's vmobjlock
 * (ubc_flush from pgo_put), never the other way round: the paths here
 * drop ubc.lock before they call into the object.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include <mm/vm_fault.h>
#include <mm/vm_page.h>
#include <mm/ubc_var.h>
#include <machine/vmparam.h>

struct ubc_softc ubc;

/* ---------------------------------------------------------------- boot */

static int
ubc_parse_num(const char *name, const char *s, int lo, int hi, int *out,
    bool report)
{
	char *end;
	unsigned long long v;

	if (s == NULL)
		return (0);
	v = strtoull(s, &end, 0);
	if (end == s || *end != '\0' || v < (unsigned long long)lo ||
	    v > (unsigned long long)hi) {
		if (report)
			kprintf("ubc: %s=%s is not a number in %d..%d "
			    "(ignored)\n", name, s, lo, hi);
		return (1);
	}
	*out = (int)v;
	return (0);
}

/*
 * ubc_parse_options: apply the boot options' strings to *uc.
 * => returns the number of bad values; each is reported with report.
 */
int
ubc_parse_options(struct ubc_config *uc, const char *mode, const char *nwins,
    const char *winshift, bool report)
{
	int bad = 0;

	if (mode != NULL && strcmp(mode, "window") == 0)
		uc->uc_direct = false;
	else if (mode != NULL && strcmp(mode, "direct") == 0 &&
	    PMAP_HAS_DMAP)
		uc->uc_direct = true;
	else if (mode != NULL) {
		if (report)
			kprintf("ubc: ubc=%s: use ubc=window%s (ignored)\n",
			    mode, PMAP_HAS_DMAP ? " or ubc=direct" :
			    "; no direct map on this machine");
		bad++;
	}
	bad += ubc_parse_num("ubc_nwins", nwins, UBC_NWINS_MIN,
	    UBC_NWINS_MAX, &uc->uc_nwins, report);
	bad += ubc_parse_num("ubc_winshift", winshift, PAGE_SHIFT,
	    UBC_WINSHIFT_MAX, &uc->uc_winshift, report);
	return (bad);
}

/*
 * ubc_nwins_for: the default window count for a machine of pages pages
 * of RAM: UBC_NWINS_DEFAULT, but no more than one window per 8 pages
 * (at least UBC_NWINS_MIN).  Every window in use holds a page or more,
 * so on a small machine most of a 1024-window pool could never hold
 * data at once, and its KVA still costs page tables (x86_64: 32 pages,
 * 128 KiB of a 4 MiB machine).  NetBSD fixes ubc_nwins at compile time;
 * this follows FreeBSD, which sizes its buffer cache (nbuf) by RAM.
 * => 92 windows at 4 MiB (736 pages managed), 1024 from about 34 MiB.
 */
int
ubc_nwins_for(unsigned long pages)
{
	return ((int)MAX(MIN(pages / 8, (unsigned long)UBC_NWINS_DEFAULT),
	    (unsigned long)UBC_NWINS_MIN));
}

/*
 * ubc_init: carve the windows out of KVA, put them all on the LRU.
 * => boot, after malloc_init, cmdline_init and vm_page_startup; panics
 *    without the KVA.
 */
void
ubc_init(void)
{
	struct ubc_config uc = { ubc_nwins_for(vm_cnt.v_page_count),
	    UBC_WINSHIFT_DEFAULT, PMAP_HAS_DMAP };
	unsigned long nbuckets;
	int i;

	ubc_parse_options(&uc, cmdline_get("ubc"), cmdline_get("ubc_nwins"),
	    cmdline_get("ubc_winshift"), true);
	mtx_init(&ubc.lock, "ubc");
	ubc.nwins = uc.uc_nwins;
	ubc.winshift = uc.uc_winshift;
	ubc.winsize = (vsize_t)1 << ubc.winshift;
	ubc.winpages = (int)(ubc.winsize >> PAGE_SHIFT);
	ubc.direct = uc.uc_direct;
	ubc.umap = malloc(ubc.nwins * sizeof(struct ubc_map), M_ZERO);
	for (nbuckets = 1; nbuckets < (unsigned long)ubc.nwins; nbuckets <<= 1)
		;
	ubc.hash = malloc(nbuckets * sizeof(*ubc.hash), M_ZERO);
	ubc.hashmask = nbuckets - 1;
	TAILQ_INIT(&ubc.lru);
	for (i = 0; i < ubc.nwins; i++)
		TAILQ_INSERT_TAIL(&ubc.lru, &ubc.umap[i], um_lru);
	/* Last: ubc_contains() is false until the windows are ready. */
	if ((ubc.kva = kva_alloc((size_t)ubc.nwins << ubc.winshift)) == 0)
		panic("ubc_init: no KVA for %d windows of %lu KiB", ubc.nwins,
		    (unsigned long)(ubc.winsize >> 10));
	kprintf("ubc: %d windows of %lu KiB at %p, %s path\n", ubc.nwins,
	    (unsigned long)(ubc.winsize >> 10), (void *)ubc.kva,
	    ubc.direct ? "direct-map" : "window");
}

/* ubc_get_config: the windows and path in use. */
void
ubc_get_config(struct ubc_config *uc)
{
	uc->uc_nwins = ubc.nwins;
	uc->uc_winshift = ubc.winshift;
	uc->uc_direct = ubc.direct;
}

/* ubc_set_direct: choose ubc_uiomove's path; false without a direct map. */
bool
ubc_set_direct(bool direct)
{
	if (direct && !PMAP_HAS_DMAP)
		return (false);
	mtx_lock(&ubc.lock);
	ubc.direct = direct;
	mtx_unlock(&ubc.lock);
	return (true);
}

/* ubc_get_stats: a snapshot of the counters. */
void
ubc_get_stats(struct ubc_stats *st)
{
	mtx_lock(&ubc.lock);
	*st = ubc.stats;
	mtx_unlock(&ubc.lock);
}

/* ------------------------------------------------------------ windows */

static inline vaddr_t
ubc_winva(const struct ubc_map *umap)
{
	return (ubc.kva + ((vaddr_t)(umap - ubc.umap) << ubc.winshift));
}

/* ubc_contains: is va in the window range?  Any context, no lock. */
bool
ubc_contains(vaddr_t va)
{
	return (ubc.kva != 0 &&
	    va - ubc.kva < ((vaddr_t)ubc.nwins << ubc.winshift));
}

static struct ubc_map *
ubc_va_to_umap(vaddr_t va)
{
	KASSERT(ubc_contains(va), ("ubc: %p is not a window address",
	    (void *)va));
	return (&ubc.umap[(va - ubc.kva) >> ubc.winshift]);
}

static struct ubc_hashhead *
ubc_bucket(const struct uvm_object *uobj, voff_t offset)
{
	uintptr_t h = (uintptr_t)uobj / sizeof(*uobj) +
	    (uintptr_t)(offset >> ubc.winshift);

	return (&ubc.hash[h & ubc.hashmask]);
}

static struct ubc_map *
ubc_find(const struct uvm_object *uobj, voff_t offset)
{
	struct ubc_map *umap;

	LIST_FOREACH(umap, ubc_bucket(uobj, offset), um_hash)
		if (umap->um_uobj == uobj && umap->um_offset == offset)
			return (umap);
	return (NULL);
}

/* Remove an idle window's mappings (one shootdown for the window). */
static void
ubc_unmap_locked(struct ubc_map *umap)
{
	if ((umap->um_flags & UMAP_MAPPED) == 0)
		return;
	pmap_qremove(ubc_winva(umap), ubc.winpages);
	umap->um_flags &= ~UMAP_MAPPED;
	ubc.stats.us_unmaps++;
}

/* Detach an idle window from its object. */
static void
ubc_detach_locked(struct ubc_map *umap)
{
	ubc_unmap_locked(umap);
	if (umap->um_uobj != NULL) {
		LIST_REMOVE(umap, um_hash);
		LIST_REMOVE(umap, um_list);
		umap->um_uobj = NULL;
	}
}

/*
 * The window for (uobj, offset), attached and referenced; sleeps for an
 * idle window when every window is in use.  => ubc.lock held.
 */
static struct ubc_map *
ubc_get_window(struct uvm_object *uobj, voff_t offset)
{
	struct ubc_map *umap;

	while ((umap = ubc_find(uobj, offset)) == NULL) {
		if ((umap = TAILQ_FIRST(&ubc.lru)) != NULL) {
			TAILQ_REMOVE(&ubc.lru, umap, um_lru);
			ubc_detach_locked(umap);
			umap->um_uobj = uobj;
			umap->um_offset = offset;
			LIST_INSERT_HEAD(ubc_bucket(uobj, offset), umap,
			    um_hash);
			LIST_INSERT_HEAD(&uobj->uo_ubc, umap, um_list);
			ubc.stats.us_misses++;
			umap->um_refcount = 1;
			return (umap);
		}
		/* NetBSD pauses a quarter second here; we sleep until woken. */
		ubc.waiters++;
		ubc.stats.us_waits++;
		msleep(&ubc.lru, &ubc.lock, 0, "ubcwin", 0);
		ubc.waiters--;
	}
	if (umap->um_refcount++ == 0)
		TAILQ_REMOVE(&ubc.lru, umap, um_lru);
	ubc.stats.us_hits++;
	/*
	 * Woken for a free window but found ours attached after all: pass
	 * the wakeup on, or the free window could sit idle while another
	 * thread sleeps for one.
	 */
	if (ubc.waiters > 0 && !TAILQ_EMPTY(&ubc.lru))
		wakeup_one(&ubc.lru);
	return (umap);
}

/*
 * UBC_FAULTBUSY: get the pages the write covers (new ones zeroed, none
 * read), enter them and keep them busy until ubc_release.
 */
static void
ubc_faultbusy(struct ubc_map *umap, struct uvm_object *uobj, int advice)
{
	struct vm_page *pgs[UBC_MAXWINPAGES];
	vsize_t first = trunc_page(umap->um_writeoff);
	vaddr_t va = ubc_winva(umap) + first;
	int i, npages;

	npages = (int)((round_page(umap->um_writeoff + umap->um_writelen) -
	    first) >> PAGE_SHIFT);
	KASSERT(umap->um_offset + (voff_t)first + (voff_t)npages * PAGE_SIZE
	    <= uobj->uo_size, ("ubc_alloc: UBC_FAULTBUSY past the end of "
	    "object %p", (void *)uobj));
	mtx_lock(&uobj->vmobjlock);
	if (uobj->pgops->pgo_get(uobj, umap->um_offset + (voff_t)first, pgs,
	    &npages, advice, PGO_OVERWRITE) != 0)
		panic("ubc_alloc: UBC_FAULTBUSY: pager %s failed without "
		    "reading", uobj->pgops->pgo_name);
	mtx_unlock(&uobj->vmobjlock);
	/* The PTEs are empty or map these very pages: no flush needed. */
	for (i = 0; i < npages; i++)
		pmap_kenter(va + (vaddr_t)i * PAGE_SIZE,
		    VM_PAGE_TO_PHYS(pgs[i]));
	umap->um_faultbusy = true;
}

/*
 * ubc_alloc: a window onto uobj at offset; *lenp clipped to its end.
 * => may sleep (no free window, FAULTBUSY pager); no spin lock held.
 * => panics on a second UBC_WRITE of a window being written.
 */
void *
ubc_alloc(struct uvm_object *uobj, voff_t offset, vsize_t *lenp, int advice,
    int flags)
{
	voff_t woff = offset & ~(voff_t)(ubc.winsize - 1);
	vsize_t slot = (vsize_t)(offset - woff);
	struct ubc_map *umap;

	KASSERT(ubc.kva != 0, ("ubc_alloc before ubc_init"));
	KASSERT(uobj != NULL && offset >= 0 && *lenp > 0,
	    ("ubc_alloc: bad arguments"));
	KASSERT((flags & (UBC_READ | UBC_WRITE)) != 0,
	    ("ubc_alloc: neither UBC_READ nor UBC_WRITE"));
	KASSERT((flags & UBC_FAULTBUSY) == 0 || (flags & UBC_WRITE) != 0,
	    ("ubc_alloc: UBC_FAULTBUSY without UBC_WRITE"));
	*lenp = MIN(*lenp, ubc.winsize - slot);
	mtx_lock(&ubc.lock);
	umap = ubc_get_window(uobj, woff);
	umap->um_advice = advice;
	if (flags & UBC_WRITE) {
		if (__predict_false(umap->um_writer != NULL)) {
			umap->um_refcount--;	/* leave the window sane */
			mtx_unlock(&ubc.lock);
			panic("ubc_alloc: second writer on the window of "
			    "object %p offset %#llx (one writer at a time)",
			    (void *)uobj, (long long)woff);
		}
		umap->um_writer = curthread;
		umap->um_writeoff = slot;
		umap->um_writelen = *lenp;
		umap->um_faultbusy = false;
		if (flags & UBC_FAULTBUSY)
			umap->um_flags |= UMAP_MAPPED;
	}
	mtx_unlock(&ubc.lock);
	if (flags & UBC_FAULTBUSY)
		ubc_faultbusy(umap, uobj, advice);
	return ((void *)(ubc_winva(umap) + slot));
}

/*
 * The writer lets go: the pages it may have written become dirty, and
 * the pages UBC_FAULTBUSY kept busy are released.
 */
static void
ubc_release_write(struct ubc_map *umap, struct uvm_object *uobj)
{
	vsize_t first = trunc_page(umap->um_writeoff);
	vsize_t end = round_page(umap->um_writeoff + umap->um_writelen);
	struct vm_page *m;
	vsize_t o;

	mtx_lock(&uobj->vmobjlock);
	for (o = first; o < end; o += PAGE_SIZE) {
		if (umap->um_offset + (voff_t)o >= uobj->uo_size ||
		    (m = uvm_pagelookup(uobj, umap->um_offset + (voff_t)o)) ==
		    NULL)
			continue;
		m->flags |= PG_DIRTY;
		if (umap->um_faultbusy)
			uvm_page_unbusy(uobj, &m, 1);
	}
	mtx_unlock(&uobj->vmobjlock);
	umap->um_faultbusy = false;
}

/*
 * ubc_release: done with the window at va (an address ubc_alloc gave).
 * => the writer's pages become dirty and FAULTBUSY pages unbusy; the
 *    window goes on the LRU with its mappings, or without (UBC_UNMAP).
 * => may sleep (mutexes, a TLB shootdown for UBC_UNMAP).
 */
void
ubc_release(void *va, int flags)
{
	struct ubc_map *umap = ubc_va_to_umap((vaddr_t)va);
	struct uvm_object *uobj = umap->um_uobj;

	KASSERT(umap->um_refcount > 0 && uobj != NULL,
	    ("ubc_release: window at %p is not in use", va));
	if (umap->um_writer == curthread)
		ubc_release_write(umap, uobj);
	mtx_lock(&ubc.lock);
	if (umap->um_writer == curthread)
		umap->um_writer = NULL;
	if (--umap->um_refcount == 0) {
		if (flags & UBC_UNMAP) {
			ubc_detach_locked(umap);
			TAILQ_INSERT_HEAD(&ubc.lru, umap, um_lru);
		} else
			TAILQ_INSERT_TAIL(&ubc.lru, umap, um_lru);
		if (ubc.waiters > 0)
			wakeup_one(&ubc.lru);
	}
	mtx_unlock(&ubc.lock);
}

/* ------------------------------------------------------------- faults */

/*
 * ubc_fault: enter the page of the window at va (and, unless the advice
 * is random, the rest of the window after it).
 * => called by vm_fault() with interrupts on, no locks; sleeps.
 * => returns 0, EFAULT (no window in use there, or past the end of the
 *    object) or the pager's error for the faulting page.
 */
int
ubc_fault(vaddr_t va, int access)
{
	struct ubc_map *umap = ubc_va_to_umap(va);
	struct vm_page *pgs[UBC_MAXWINPAGES];
	struct uvm_object *uobj;
	vaddr_t slot = trunc_page(va - ubc_winva(umap));
	voff_t off;
	int advice, error, i, npages;

	mtx_lock(&ubc.lock);
	if ((uobj = umap->um_uobj) == NULL || umap->um_refcount == 0) {
		mtx_unlock(&ubc.lock);
		return (EFAULT);	/* a stale or wild pointer */
	}
	off = umap->um_offset + (voff_t)slot;
	advice = umap->um_advice;
	umap->um_flags |= UMAP_MAPPED;
	ubc.stats.us_faults++;
	mtx_unlock(&ubc.lock);
	if (off >= uobj->uo_size)
		return (EFAULT);
	npages = advice == UVM_ADV_RANDOM ? 1 : (int)MIN(
	    (ubc.winsize - slot) >> PAGE_SHIFT,
	    (uint64_t)(uobj->uo_size - off) >> PAGE_SHIFT);
	mtx_lock(&uobj->vmobjlock);
	error = uobj->pgops->pgo_get(uobj, off, pgs, &npages, advice, 0);
	mtx_unlock(&uobj->vmobjlock);
	/* Empty PTEs, or the same pages again: no TLB flush needed. */
	for (i = 0; i < npages; i++)
		pmap_kenter(ubc_winva(umap) + slot + (vaddr_t)i * PAGE_SIZE,
		    VM_PAGE_TO_PHYS(pgs[i]));
	mtx_lock(&uobj->vmobjlock);
	uvm_page_unbusy(uobj, pgs, npages);
	mtx_unlock(&uobj->vmobjlock);
	mtx_lock(&ubc.lock);
	ubc.stats.us_fault_pages += npages;
	mtx_unlock(&ubc.lock);
	(void)access;	/* windows are mapped read-write (pmap_kenter) */
	return (npages > 0 ? 0 : error);
}

/* ubc_describe: what the window at va maps, for a crash report. */
void
ubc_describe(vaddr_t va, char *buf, size_t len)
{
	struct ubc_map *umap = ubc_va_to_umap(va);
	int idx = (int)(umap - ubc.umap);
	struct uvm_object *uobj = umap->um_uobj;
	voff_t off;

	if (uobj == NULL || umap->um_refcount == 0) {
		snprintf(buf, len, "in the UBC window range, window %d (%p), "
		    "which is not in use (released or never allocated)", idx,
		    (void *)ubc_winva(umap));
		return;
	}
	off = umap->um_offset + (voff_t)(va - ubc_winva(umap));
	snprintf(buf, len, "in UBC window %d of object %p (pager %s, size "
	    "%#llx) at offset %#llx%s", idx, (void *)uobj,
	    uobj->pgops->pgo_name, (long long)uobj->uo_size, (long long)off,
	    off >= uobj->uo_size ? ", past the end of the object" : "");
}

/* ------------------------------------------------------ flush, purge */

/* ubc_flush: see mm/ubc.h.  => may sleep (shootdowns); panics as said. */
void
ubc_flush(struct uvm_object *uobj, voff_t start, voff_t end)
{
	struct ubc_map *umap;

	mtx_lock(&ubc.lock);
	LIST_FOREACH(umap, &uobj->uo_ubc, um_list) {
		if (umap->um_offset + (voff_t)ubc.winsize <= start ||
		    umap->um_offset >= end)
			continue;
		if (__predict_false(umap->um_refcount > 0)) {
			mtx_unlock(&ubc.lock);
			panic("ubc_flush: pages of object %p at %#llx are "
			    "freed while UBC window %d maps them",
			    (void *)uobj, (long long)umap->um_offset,
			    (int)(umap - ubc.umap));
		}
		ubc_unmap_locked(umap);
	}
	mtx_unlock(&ubc.lock);
}

/*
 * ubc_purge: detach every window from uobj.
 * => uobj has no pages (KASSERT); a window of it in use panics.
 */
void
ubc_purge(struct uvm_object *uobj)
{
	struct ubc_map *umap;

	KASSERT(uobj->uo_npages == 0, ("ubc_purge: object %p still has %d "
	    "pages", (void *)uobj, uobj->uo_npages));
	mtx_lock(&ubc.lock);
	while ((umap = LIST_FIRST(&uobj->uo_ubc)) != NULL) {
		if (__predict_false(umap->um_refcount > 0)) {
			mtx_unlock(&ubc.lock);
			panic("ubc_purge: UBC window %d of object %p (offset "
			    "%#llx) is in use", (int)(umap - ubc.umap),
			    (void *)uobj, (long long)umap->um_offset);
		}
		ubc_detach_locked(umap);
		/* Detached windows are the first to be reused. */
		TAILQ_REMOVE(&ubc.lru, umap, um_lru);
		TAILQ_INSERT_HEAD(&ubc.lru, umap, um_lru);
	}
	mtx_unlock(&ubc.lock);
}
