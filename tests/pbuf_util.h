/* Helpers shared by the pbuf suite's files (tests/pbuf_test.c). */
#ifndef _TESTS_PBUF_UTIL_H_
#define _TESTS_PBUF_UTIL_H_

#include <mm/pbuf.h>

/* Buffers drain() took, held[0 .. n). */
extern struct buf *held[NSWBUF_MAX];

/* Take free buffers (NULL counter) until keep are left; returns how many. */
int	drain(int keep);
/* Give back the n buffers drain() took. */
void	undrain(int n);

#endif /* !_TESTS_PBUF_UTIL_H_ */
