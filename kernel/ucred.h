/*
 * Credentials (FreeBSD ucred(9)), reference counted: what an I/O is done
 * on behalf of.  Minnow has no users yet; a struct buf carries a read and
 * a write credential (b_rcred, b_wcred) that relpbuf() drops.
 *
 * Contract:
 *  - crget() returns a zeroed credential with one reference (may sleep).
 *  - crhold(cr) adds a reference and returns cr; cr must be live (panic).
 *  - crfree(cr) drops one; the last one frees it.  Dropping a reference
 *    that is not there (count already 0 or below) panics, before anything
 *    is freed.
 *  - The count is atomic: any CPU may hold or free, without a lock.
 */
#ifndef _KERNEL_UCRED_H_
#define _KERNEL_UCRED_H_

#include <kernel/systm.h>

struct ucred {
	volatile int	cr_ref;		/* reference count (atomic ops) */
	uint32_t	cr_uid;		/* effective user ID (0: the kernel) */
	uint32_t	cr_gid;		/* effective group ID */
};

struct ucred	*crget(void);
struct ucred	*crhold(struct ucred *cr);
void		 crfree(struct ucred *cr);

#endif /* !_KERNEL_UCRED_H_ */
