/*
 * pbuf benchmarks (kernel/kbench.h): the uncontended getpbuf + relpbuf
 * pair (goal: 60 instructions without KASSERT), with a subsystem's
 * counter as FreeBSD's callers use it, and with trypbuf.
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <mm/pbuf.h>

KBENCH(getpbuf_relpbuf, 1000)
{
	int cnt = nswbuf / 2;
	unsigned long i;
	struct buf *bp;

	kbench_start();
	for (i = 0; i < nops; i++) {
		bp = getpbuf(&cnt);
		relpbuf(bp, &cnt);
	}
	kbench_stop();
}

KBENCH(trypbuf_relpbuf, 1000)
{
	int cnt = nswbuf / 2;
	unsigned long i;
	struct buf *bp;

	kbench_start();
	for (i = 0; i < nops; i++) {
		bp = trypbuf(&cnt);
		relpbuf(bp, &cnt);
	}
	kbench_stop();
}
