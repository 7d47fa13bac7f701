/*
 * Per-CPU data.  Until SMP arrives there is one CPU, and curcpu() is the
 * boot CPU's record; the SMP work replaces this with a segment-based
 * lookup without changing callers.
 */
#ifndef _KERNEL_PCPU_H_
#define _KERNEL_PCPU_H_

#include <kernel/systm.h>

#define	MAXCPU		64

struct kcatch;

struct pcpu {
	int		 pc_cpuid;
	struct kcatch	*pc_catch;	/* innermost armed trap catch */
	vaddr_t		 pc_qmap_addr;	/* quick-map slot (0: direct map) */
};

extern struct pcpu pcpu0;

static inline struct pcpu *
curcpu(void)
{
	return (&pcpu0);
}

#endif /* !_KERNEL_PCPU_H_ */
