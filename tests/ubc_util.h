/* Helpers shared by the ubc suite's files and its benchmarks. */
#ifndef _TESTS_UBC_UTIL_H_
#define _TESTS_UBC_UTIL_H_

#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/uio.h>
#include <mm/ubc.h>

/* The byte a pattern with seed puts at object offset off. */
static inline uint8_t
ubc_pat(voff_t off, int seed)
{
	return ((uint8_t)(off * 7 + (off >> 12) * 13 + seed));
}

static inline void
ubc_fill(uint8_t *buf, size_t len, voff_t off, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = ubc_pat(off + (voff_t)i, seed);
}

/* Index of the first byte that is not the pattern, or -1. */
static inline long
ubc_check(const uint8_t *buf, size_t len, voff_t off, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ubc_pat(off + (voff_t)i, seed))
			return ((long)i);
	return (-1);
}

/*
 * ubc_uiomove of len bytes at off between buf and uobj (one iovec);
 * *donep gets the bytes the uio says were moved.
 */
static inline int
ubc_rw(struct uvm_object *uobj, void *buf, size_t len, voff_t off,
    enum uio_rw rw, int advice, int flags, size_t *donep)
{
	struct iovec iov = { buf, len };
	struct uio uio = { &iov, 1, off, len, UIO_SYSSPACE, rw };
	int error;

	UIO_SETUP_SYSSPACE(&uio);
	error = ubc_uiomove(uobj, &uio, len, advice, flags |
	    (rw == UIO_READ ? UBC_READ : UBC_WRITE));
	if (donep != NULL)
		*donep = len - uio.uio_resid;
	return (error);
}

static inline vsize_t
ubc_winsize(void)
{
	struct ubc_config uc;

	ubc_get_config(&uc);
	return ((vsize_t)1 << uc.uc_winshift);
}

static inline void
ubc_restore_direct(void *direct)
{
	(void)ubc_set_direct(direct != NULL);
}

/*
 * The test is about to switch the path (ubc_set_direct): have the one
 * in use now put back when it ends, however it ends (ktest_defer), so a
 * failed assertion does not leave later tests on the wrong path.
 */
static inline void
ubc_keep_path(void)
{
	struct ubc_config uc;

	ubc_get_config(&uc);
	if (ktest_defer(ubc_restore_direct, uc.uc_direct ? (void *)1 :
	    NULL) != 0)
		KT_FAIL("ubc_keep_path outside a test");
}

#endif /* !_TESTS_UBC_UTIL_H_ */
