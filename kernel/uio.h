/*
 * I/O vectors and safe kernel copies (NetBSD uiomove(9), kcopy(9)).
 *
 * A struct uio describes a transfer between a kernel buffer and a list of
 * memory segments (the iovecs): uiomove(buf, n, uio) moves up to n bytes
 * between buf and the segments, in the direction uio_rw gives, and
 * advances the uio (iov_base, iov_len, uio_offset, uio_resid) by what it
 * moved.  UIO_READ means "read into the iovecs": the data goes from buf
 * to the segments; UIO_WRITE takes it from the segments into buf.
 *
 * kcopy(src, dst, len) is memcpy that survives a page fault it cannot
 * resolve: instead of crashing it returns the error of the fault (the
 * pager's EIO, or EFAULT).  How: it arms a per-thread recovery point
 * (td_onfault, like FreeBSD's pcb_onfault and NetBSD's pcb_onfault /
 * onfault_set); trap() runs vm_fault() first, and when that fails it
 * longjmps to the recovery point with the error instead of reporting a
 * crash.  A fault on an address nobody pages (NULL, an unmapped kernel
 * address) gives EFAULT, as NetBSD's kcopy does.  The pager that
 * vm_fault() calls runs without the recovery point: a fault in the pager
 * itself is a bug and is reported as one.  Only kcopy (and uiomove,
 * which copies with kcopy) may touch a UBC window: every other access
 * to one that cannot be served crashes.
 *
 * Contract:
 *  - uiomove returns 0, or the error of the first copy that faulted; the
 *    uio is then advanced only by the segments copied before the fault
 *    (a segment that faulted half-way is not counted: callers wanting
 *    byte accuracy move page-sized pieces, as ubc_uiomove does).
 *  - Both may sleep (the fault handler calls the pager), so neither may
 *    be called with a spin lock held or in a critical section.
 *  - Minnow has no user space: every uio is a kernel one.
 *    UIO_SETUP_SYSSPACE(uio) says so, as in NetBSD.
 */
#ifndef _KERNEL_UIO_H_
#define _KERNEL_UIO_H_

#include <kernel/systm.h>
#include <kernel/setjmp.h>

#ifndef _OFF_T_DECLARED
#define	_OFF_T_DECLARED
typedef int64_t		off_t;		/* file offsets: 64 bits everywhere */
#endif

struct iovec {
	void		*iov_base;	/* segment start */
	size_t		 iov_len;	/* bytes left in it */
};

enum uio_rw {
	UIO_READ,			/* buffer -> iovecs */
	UIO_WRITE,			/* iovecs -> buffer */
};

enum uio_seg {
	UIO_USERSPACE,			/* (no user space yet) */
	UIO_SYSSPACE,			/* kernel addresses */
};

struct uio {
	struct iovec	*uio_iov;	/* the segments */
	int		 uio_iovcnt;	/* how many */
	off_t		 uio_offset;	/* offset in the object */
	size_t		 uio_resid;	/* bytes still to move */
	enum uio_seg	 uio_segflg;	/* address space of the segments */
	enum uio_rw	 uio_rw;	/* direction */
};

#define	UIO_SETUP_SYSSPACE(uio)	((uio)->uio_segflg = UIO_SYSSPACE)

/*
 * A recovery point armed by kcopy: trap() longjmps to of_jb with the
 * error of a fault it could not resolve.  Nests (of_prev).
 */
struct onfault {
	jmp_buf		 of_jb;
	struct onfault	*of_prev;
};

int	uiomove(void *buf, size_t n, struct uio *uio);
int	kcopy(const void *src, void *dst, size_t len);

/*
 * For trap(): if the running thread armed a recovery point, longjmp to it
 * with error (never returns); otherwise return.
 */
void	onfault_recover(int error);

#endif /* !_KERNEL_UIO_H_ */
