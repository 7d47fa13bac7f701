/*
 * Helpers shared by the vm_page suite's files (see tests/vm_snap.h).
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <mm/vm_page.h>
#include <mm/testhooks.h>
#include "vm_snap.h"

/*
 * Drain the per-CPU cache first: cached pages are single free pages
 * outside the buddy lists, and where they sit is not part of the shape.
 */
void
snap_take(struct vm_snap *s)
{
	vm_page_drain_cache();
	s->free = vm_cnt.v_free_count;
	s->wire = vm_cnt.v_wire_count;
	vm_phys_free_counts(s->counts);
}

/* The allocator is back exactly where s saw it. */
void
snap_check(const struct vm_snap *s)
{
	unsigned long now[VM_NFREEORDER];
	int i, bad = 0;

	vm_page_drain_cache();
	KT_EXPECT_EQ(vm_cnt.v_free_count, s->free);
	KT_EXPECT_EQ(vm_cnt.v_wire_count, s->wire);
	vm_phys_free_counts(now);
	for (i = 0; i < VM_NFREEORDER; i++) {
		if (now[i] != s->counts[i])
			ktest_diag("order %d: %lu free blocks, %lu at the "
			    "start", i, now[i], s->counts[i]);
		bad += (now[i] != s->counts[i]);
	}
	KT_EXPECT_EQ(bad, 0);
}

/* Bytes of available RAM in [lo, hi) (the map is sanitised: no overlaps). */
uint64_t
ram_between(uint64_t lo, uint64_t hi)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *ms = &bootinfo.bi_mem[i];

		if (ms->ms_type == MEMSEG_AVAILABLE && ms->ms_end > lo &&
		    ms->ms_start < hi)
			total += MIN(ms->ms_end, hi) - MAX(ms->ms_start, lo);
	}
	return (total);
}
