/*
 * sf_buf(9): a kernel address for a physical page, for as long as the
 * caller needs it, shared by everyone who maps the same page.  (FreeBSD
 * sys/sf_buf.h; the contract is in mm/sf_buf.c.)
 */
#ifndef _MM_SF_BUF_H_
#define _MM_SF_BUF_H_

#include <kernel/systm.h>

struct sf_buf;
struct vm_page;

/* sf_buf_alloc flags (0: may sleep, not interruptible, valid on every CPU). */
#define	SFB_CATCH	0x1	/* a signal ends the wait: returns NULL */
#define	SFB_NOWAIT	0x2	/* none free: return NULL, do not wait */
#define	SFB_CPUPRIVATE	0x4	/* valid on this CPU only; caller pinned */

struct sf_buf	*sf_buf_alloc(struct vm_page *m, int flags);
void		 sf_buf_free(struct sf_buf *sf);
vaddr_t		 sf_buf_kva(struct sf_buf *sf);
struct vm_page	*sf_buf_page(struct sf_buf *sf);

/* Counters since boot (the pool's figures stay 0 on the direct map). */
struct sf_buf_stats {
	unsigned long	sfs_nbufs;	/* size of the pool */
	unsigned long	sfs_inuse;	/* sf_bufs with references */
	unsigned long	sfs_peak;	/* most in use at once */
	unsigned long	sfs_waits;	/* allocations that slept */
	unsigned long	sfs_hits;	/* page already had its sf_buf */
	unsigned long	sfs_misses;	/* an sf_buf remapped to the page */
	unsigned long	sfs_flush_local; /* this-CPU-only invalidations */
	unsigned long	sfs_shootdown_ipis; /* IPIs sent to flush others */
	bool		sfs_direct;	/* allocations use the direct map */
};
void	sf_buf_stats(struct sf_buf_stats *st);

/* Boot: size the pool, read "sfbuf=" and "nsfbufs=" (after cmdline_init). */
void	sf_buf_init(void);
/*
 * Tests and benchmarks: allocate through the pool (true) or the direct
 * map (false; only where there is one); returns the previous setting.
 * sf_bufs already allocated stay valid: each is freed by its own path.
 */
bool	sf_buf_use_map(bool map);

#endif /* !_MM_SF_BUF_H_ */
