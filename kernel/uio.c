/*
 * uiomove and kcopy (kernel/uio.h): copies that return the error of a
 * page fault instead of crashing, through a per-thread recovery point.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/uio.h>
#include <lib/string.h>

/*
 * kcopy: memcpy that returns the error of a fault it cannot resolve.
 *
 * => called by a thread (the recovery point is per thread), no spin lock
 *    held: the fault handler may sleep in a pager.
 * => returns 0, or the error vm_fault() gave (EIO from a pager, EFAULT
 *    for an address nobody serves).  On error an unknown prefix of dst
 *    has been written.
 */
int
kcopy(const void *src, void *dst, size_t len)
{
	struct thread *td = curthread;
	struct onfault of;
	int error;

	KASSERT(td != NULL, ("kcopy before the scheduler started"));
	of.of_prev = td->td_onfault;
	/* setjmp also saves the interrupt flag: a longjmp restores it. */
	if ((error = setjmp(of.of_jb)) == 0) {
		td->td_onfault = &of;
		memcpy(dst, src, len);
	}
	td->td_onfault = of.of_prev;
	return (error);
}

void
onfault_recover(int error)
{
	struct thread *td = curthread;
	struct onfault *of;

	if (td == NULL || (of = td->td_onfault) == NULL)
		return;
	KASSERT(error != 0, ("onfault_recover: no error"));
	td->td_onfault = of->of_prev;
	longjmp(of->of_jb, error);
}

/*
 * uiomove: move up to n bytes between buf and the uio's segments.
 *
 * => the uio is advanced by the bytes moved; uio_resid bounds n.
 * => returns 0 or kcopy's error; segments copied before the failing one
 *    stay accounted, the failing one is not (NetBSD does the same).
 */
int
uiomove(void *buf, size_t n, struct uio *uio)
{
	struct iovec *iov;
	size_t cnt;
	int error;

	KASSERT(uio->uio_rw == UIO_READ || uio->uio_rw == UIO_WRITE,
	    ("uiomove: bad direction %d", uio->uio_rw));
	KASSERT(uio->uio_segflg == UIO_SYSSPACE,
	    ("uiomove: only kernel uios exist (UIO_SETUP_SYSSPACE)"));
	while (n > 0 && uio->uio_resid > 0) {
		KASSERT(uio->uio_iovcnt > 0, ("uiomove: resid %zu with no "
		    "iovec left", uio->uio_resid));
		iov = uio->uio_iov;
		if ((cnt = MIN(MIN(iov->iov_len, n), uio->uio_resid)) == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (uio->uio_rw == UIO_READ)
			error = kcopy(buf, iov->iov_base, cnt);
		else
			error = kcopy(iov->iov_base, buf, cnt);
		if (error != 0)
			return (error);
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += cnt;
		buf = (char *)buf + cnt;
		n -= cnt;
	}
	return (0);
}
