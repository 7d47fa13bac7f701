/*
 * UBC internals shared by mm/ubc.c (windows, faults, purge) and
 * mm/ubc_uiomove.c (the copy paths).  Nothing else includes this.
 *
 * Locking: ubc.lock (a sleep mutex) protects the fields marked (u);
 * fields marked (w) belong to the window's writer.  See mm/ubc.c.
 */
#ifndef _MM_UBC_VAR_H_
#define _MM_UBC_VAR_H_

#include <kernel/systm.h>
#include <kernel/lock.h>
#include <lib/queue.h>
#include <mm/ubc.h>

#define	UMAP_MAPPED	0x1	/* pages entered: detaching must remove them */

struct ubc_map {
	struct uvm_object *um_uobj;	/* (u) attached object, or NULL */
	voff_t		 um_offset;	/* (u) window-aligned object offset */
	int		 um_refcount;	/* (u) ubc_alloc()s not released */
	int		 um_flags;	/* (u) UMAP_* */
	int		 um_advice;	/* (u) of the latest ubc_alloc */
	struct thread	*um_writer;	/* (u) the UBC_WRITE user, or NULL */
	vsize_t		 um_writeoff;	/* (w) its range in the window */
	vsize_t		 um_writelen;	/* (w) */
	bool		 um_faultbusy;	/* (w) its pages are entered, busy */
	LIST_ENTRY(ubc_map) um_hash;	/* (u) hash chain, when attached */
	LIST_ENTRY(ubc_map) um_list;	/* (u) the object's windows */
	TAILQ_ENTRY(ubc_map) um_lru;	/* (u) idle windows only */
};

LIST_HEAD(ubc_hashhead, ubc_map);

struct ubc_softc {
	struct mtx	 lock;
	vaddr_t		 kva;		/* first window; 0 before ubc_init */
	vsize_t		 winsize;
	int		 winshift;
	int		 winpages;
	int		 nwins;
	bool		 direct;	/* (u) ubc_uiomove's path */
	struct ubc_map	*umap;		/* the windows, by index */
	struct ubc_hashhead *hash;
	unsigned long	 hashmask;
	TAILQ_HEAD(, ubc_map) lru;	/* (u) idle windows, oldest first */
	int		 waiters;	/* (u) sleeping for a free window */
	struct ubc_stats stats;		/* (u) */
};
extern struct ubc_softc ubc;

#define	UBC_NWINS_MIN	16
#define	UBC_NWINS_MAX	65536
#define	UBC_WINSHIFT_MAX 18
/* Pages of the largest window: bounds the page arrays on the stack. */
#define	UBC_MAXWINPAGES	(1 << (UBC_WINSHIFT_MAX - PAGE_SHIFT))

#endif /* !_MM_UBC_VAR_H_ */
