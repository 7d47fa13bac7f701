/*
 * VM objects and their pagers (NetBSD uvm_object(9), uao_create(9)).
 *
 * A struct uvm_object owns a set of physical pages by offset: the pages
 * of a file, a disk, or anonymous memory that are in RAM right now.  Its
 * pager knows where the rest lives:
 *  - pgo_get brings pages in (reads the backing store, or zero-fills) and
 *    returns them busy; with UVM_ADV_SEQUENTIAL advice it also reads
 *    ahead, with UVM_ADV_RANDOM only what was asked;
 *  - pgo_put writes dirty pages back and, with PGO_FREE, frees them.
 * UBC (mm/ubc.h) maps an object's pages into kernel windows on demand.
 *
 * Pages: uvm_pagelookup/uvm_pageinsert/uvm_pageremove, under the
 * object's vmobjlock (a sleep mutex).  A page is PG_BUSY while someone
 * does I/O on it or maps it; others must not touch it, and wait with
 * uvm_pagewait() (which sleeps; no polling).  uvm_page_unbusy() wakes
 * them.  PG_DIRTY: newer than the backing store.
 *
 * Lifetime: uao_create() returns an object with one reference;
 * uao_reference() adds one; uao_detach() drops one, and the last one
 * frees the pages, detaches the object's UBC windows (ubc_purge) and the
 * object.  No window may be in use then (asserted).
 *
 * The page array: NetBSD keeps an object's pages in a radix tree (it
 * used a hash before); Minnow's objects have a fixed size, so a flat
 * array indexed by page number is enough and O(1).
 */
#ifndef _MM_UVM_OBJECT_H_
#define _MM_UVM_OBJECT_H_

#include <kernel/systm.h>
#include <kernel/lock.h>
#include <kernel/uio.h>
#include <lib/queue.h>
#include <mm/vm_page.h>

typedef off_t		voff_t;		/* offset in an object */
typedef vaddr_t		vsize_t;	/* size of a range of KVA */

/* Access advice (NetBSD's madvise values). */
#define	UVM_ADV_NORMAL		0	/* no hint */
#define	UVM_ADV_RANDOM		1	/* no read-ahead */
#define	UVM_ADV_SEQUENTIAL	2	/* read ahead */

/* pgo_get flags. */
#define	PGO_OVERWRITE	0x01	/* the caller overwrites the pages: do not
				   read new pages in, hand them out zeroed */
/* pgo_put flags. */
#define	PGO_CLEANIT	0x01	/* write dirty pages back */
#define	PGO_FREE	0x02	/* then free the pages */

/* How many pages past a request a sequential get reads ahead. */
#define	UVM_READAHEAD_PAGES	16

struct uvm_object;
struct ubc_map;

struct uvm_pagerops {
	const char	*pgo_name;
	/*
	 * Bring in the *npagesp pages from off (page aligned, inside the
	 * object).  => vmobjlock held, dropped and retaken around I/O.
	 * => returns 0 with every page resident and PG_BUSY in pps[], or
	 *    an error, *npagesp then saying how many leading pages were
	 *    brought in (busy) before the failing one.
	 */
	int		(*pgo_get)(struct uvm_object *uobj, voff_t off,
			    struct vm_page **pps, int *npagesp, int advice,
			    int flags);
	/*
	 * Write back dirty pages of [start, end) (PGO_CLEANIT), then free
	 * them (PGO_FREE).  => vmobjlock held (dropped around I/O).
	 * => returns 0 or the first write error (pages that failed stay
	 *    dirty and are not freed).
	 */
	int		(*pgo_put)(struct uvm_object *uobj, voff_t start,
			    voff_t end, int flags);
	/* Last reference gone: free the pager's state and the object. */
	void		(*pgo_destroy)(struct uvm_object *uobj);
};

/*
 * The object.  Locks: (o) vmobjlock, (u) the UBC lock (mm/ubc.c),
 * (c) constant after creation.
 */
struct uvm_object {
	struct mtx	 vmobjlock;
	const struct uvm_pagerops *pgops;	/* (c) */
	voff_t		 uo_size;		/* (c) bytes, whole pages */
	struct vm_page	**uo_pages;		/* (o) by page index */
	int		 uo_npages;		/* (o) resident pages */
	int		 uo_refs;		/* (o) references */
	LIST_HEAD(, ubc_map) uo_ubc;		/* (u) its UBC windows */
	/* Pager statistics, (o). */
	unsigned long	 uo_pgin;		/* pages brought in */
	unsigned long	 uo_pgahead;		/* ... of them read ahead */
	unsigned long	 uo_pgout;		/* pages written back */
};

/*
 * For pagers built on the generic get and put below: read or write the
 * npages consecutive pages pgs[] at object offset off, as one transfer
 * (NetBSD's genfs clusters the same way: one I/O per run of missing
 * pages, not one per page).  Called without the vmobjlock, the pages
 * busy; may sleep.  Returns 0, or an errno with *donep set to how many
 * leading pages were transferred before the failure.
 */
typedef int	uvm_pageio_t(struct uvm_object *uobj, struct vm_page **pgs,
		    int npages, voff_t off, enum uio_rw rw, int *donep);

void	uvm_obj_init(struct uvm_object *uobj,
	    const struct uvm_pagerops *ops, voff_t size);
void	uvm_obj_destroy(struct uvm_object *uobj);

struct vm_page *uvm_pagelookup(struct uvm_object *uobj, voff_t off);
void	uvm_pageinsert(struct uvm_object *uobj, struct vm_page *m,
	    voff_t off);
void	uvm_pageremove(struct uvm_object *uobj, struct vm_page *m);
bool	uvm_pagewait(struct uvm_object *uobj, struct vm_page *m);
void	uvm_page_unbusy(struct uvm_object *uobj, struct vm_page **pps,
	    int npages);

int	uvm_obj_getpages(struct uvm_object *uobj, voff_t off,
	    struct vm_page **pps, int *npagesp, int advice, int flags,
	    uvm_pageio_t *io);
int	uvm_obj_putpages(struct uvm_object *uobj, voff_t start, voff_t end,
	    int flags, uvm_pageio_t *io);
/* Write back and free every page (PGO_CLEANIT|PGO_FREE over all). */
int	uvm_obj_flush(struct uvm_object *uobj, int flags);

/* Anonymous, zero-fill objects (NetBSD uvm_aobj.c). */
#define	UAO_FLAG_NOSWAP	0x1	/* (no swap exists: the only behaviour) */
struct uvm_object *uao_create(voff_t size, int flags);
void	uao_reference(struct uvm_object *uobj);
void	uao_detach(struct uvm_object *uobj);

/* Drop a reference; the last one calls pgo_destroy (any pager). */
void	uvm_obj_detach(struct uvm_object *uobj);

#endif /* !_MM_UVM_OBJECT_H_ */
