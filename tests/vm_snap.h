/*
 * Helpers shared by the vm_page suite's files (tests/vm_page_test.c,
 * tests/vm_page_misuse_test.c): a snapshot of the allocator's state that
 * a test takes before and compares after, and the RAM in a range.
 */
#ifndef _TESTS_VM_SNAP_H_
#define _TESTS_VM_SNAP_H_

#include <kernel/systm.h>
#include <mm/vm_page.h>

#define	MIB		(1024ULL * 1024)
#define	GIB		(1024 * MIB)
#define	LOWMEM_END	MIB
#define	PG_MARK		0x5ca1ab1e00000000ULL	/* in pindex: "ours" */

TAILQ_HEAD(pglist, vm_page);

extern char kernel_start[];

struct vm_snap {
	unsigned long	free;
	unsigned long	wire;
	unsigned long	counts[VM_NFREEORDER];
};

/* Record the free and wired counts and the buddy shape. */
void	 snap_take(struct vm_snap *s);
/* Expect (KT_EXPECT) the allocator back exactly where s saw it. */
void	 snap_check(const struct vm_snap *s);
/* Bytes of available RAM in [lo, hi). */
uint64_t ram_between(uint64_t lo, uint64_t hi);

#endif /* !_TESTS_VM_SNAP_H_ */
