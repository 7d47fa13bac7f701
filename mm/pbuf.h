/*
 * Physical buffers (pbufs), FreeBSD pbuf(9): a pool of buffer headers,
 * each with its own window of kernel virtual addresses, set aside at
 * start-up for subsystems that must not depend on the general buffer
 * cache to do I/O (swap and vnode pagers, raw device I/O, the md RAM
 * disk).  A pbuf owns no memory: the user maps the pages of a transfer
 * into its window (b_kvabase, MAXPHYS bytes) with pmap_qenter(), does
 * the I/O through b_data, and unmaps them with pmap_qremove() before
 * relpbuf().
 *
 * Contract (pbuf(9); where the page is silent, FreeBSD 11's vm_pager.c):
 *  - nswbuf buffers exist, between NSWBUF_MIN and NSWBUF_MAX: by default
 *    min(nbuf / 4, 256) with nbuf derived from the RAM size as FreeBSD
 *    sizes its buffer cache (pbuf_nswbuf_for() below), or the boot option
 *    "nswbuf=N", clamped to that range.
 *  - Each subsystem keeps its own counter of the pbufs it may still take
 *    (usually started at nswbuf / 2) and passes its address:
 *      getpbuf(p)  sleeps while *p == 0 and while the pool is empty, then
 *                  decrements *p and returns a buffer (never NULL).
 *      trypbuf(p)  never sleeps: NULL when *p == 0 or the pool is empty,
 *                  and *p is then left unchanged.
 *      relpbuf(bp, p)  crfree()s b_rcred and b_wcred if set, clears the
 *                  buffer, returns it to the pool, increments *p, and
 *                  wakes the sleepers that can now proceed.
 *    p == NULL, or a counter started at -1, means "limited only by the
 *    pool"; a -1 counter is still decremented (to -2 ...) and comes back.
 *  - Misuse panics (KASSERT, as FreeBSD's INVARIANTS; two racing releases
 *    of one buffer panic in every kernel): relpbuf() of a buffer that is
 *    not a pbuf or is already free; releasing to another counter than the
 *    one the buffer came from; a counter that would rise above its start
 *    (above nswbuf, or from -1 to 0); getpbuf() where the caller may not
 *    sleep (spin lock held, critical section, idle thread).
 *  - relpbuf() and trypbuf() do not sleep, except to take the pool's
 *    sleep mutex when threads wait in getpbuf() (FreeBSD's take theirs
 *    always): call them where a mutex may be taken.
 */
#ifndef _MM_PBUF_H_
#define _MM_PBUF_H_

#include <kernel/systm.h>
#include <mm/vm_page.h>

struct ucred;

/* Largest transfer: the KVA window of every pbuf (FreeBSD's MAXPHYS). */
#define	MAXPHYS		(128 * 1024)
#define	NSWBUF_MIN	16
#define	NSWBUF_MAX	256

/* b_iocmd */
#define	BIO_READ	0x01
#define	BIO_WRITE	0x02

struct buf {
	/* Fixed at start-up. */
	char		*b_kvabase;	/* the buffer's KVA window */
	size_t		 b_kvasize;	/* MAXPHYS */
	int		 b_index;	/* position in the pool */
	/* The holder's, from getpbuf() to relpbuf(); cleared by relpbuf(). */
	char		*b_data;	/* start of the data in the window */
	size_t		 b_bufsize;	/* bytes of KVA in use */
	size_t		 b_bcount;	/* bytes to transfer */
	size_t		 b_resid;	/* bytes not transferred */
	uint64_t	 b_offset;	/* byte offset on the device */
	struct ucred	*b_rcred;	/* read credential; relpbuf crfree()s */
	struct ucred	*b_wcred;	/* write credential, likewise */
	int		 b_iocmd;	/* BIO_READ or BIO_WRITE */
	int		 b_error;	/* 0 or an errno */
	int		 b_npages;	/* pages in b_pages[] */
	vm_page_t	 b_pages[MAXPHYS / PAGE_SIZE];
	/* The pool's: the counter it was taken with (KASSERT kernels). */
	int		*b_pfreecnt;
};

extern int nswbuf;

struct buf	*getpbuf(int *pfreecnt);
struct buf	*trypbuf(int *pfreecnt);
void		 relpbuf(struct buf *bp, int *pfreecnt);

/*
 * Start-up: size the pool (reading "nswbuf=N"), reserve its KVA, print
 * the figures.  After kva_init() and cmdline_init().
 */
void		 pbuf_init(void);
/*
 * The default pool size for physmem_kib KiB of RAM, FreeBSD's formula
 * (kern/vfs_bio.c, kern_vfs_bio_buffer_alloc, with BKVASIZE 16 KiB):
 *	nbuf   = 50 + min((kib - 4096) / 64, 1024)       (if kib > 4096)
 *	            + min((kib - 65536) / 160, 104857)   (if kib > 65536)
 *	nswbuf = max(min(nbuf / 4, NSWBUF_MAX), NSWBUF_MIN)
 * that is, buffers of 16 KiB for a quarter of the first 64 MiB and a
 * tenth of the rest.  *nbufp, if not NULL, gets nbuf.
 */
int		 pbuf_nswbuf_for(uint64_t physmem_kib, int *nbufp);
/*
 * The value of "nswbuf=N" clamped to [NSWBUF_MIN, NSWBUF_MAX], or dflt
 * when val is not a number.  With report, says so on the console when
 * it clamps or ignores the value.
 */
int		 pbuf_nswbuf_option(const char *val, int dflt, bool report);
/* Buffers in the pool now (racy: for tests and statistics). */
int		 pbuf_nfree(void);
struct pbuf_stats {
	int		ps_pool_waiters;	/* waiting for the pool */
	int		ps_cnt_waiters;		/* ... for a counter */
	unsigned long	ps_pool_sleeps;		/* msleeps on the pool */
	unsigned long	ps_cnt_sleeps;		/* ... on counters */
};
void		 pbuf_get_stats(struct pbuf_stats *st);

#endif /* !_MM_PBUF_H_ */
