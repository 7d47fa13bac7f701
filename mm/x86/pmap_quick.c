/*
 * Quick maps, the part both x86 pmaps share: the choice between the
 * direct map and the per-CPU slot, and the checks of the contract in
 * mm/pmap.h.  The mapping itself (a PTE store and an invlpg, or the
 * direct-map address) is inline, in mm/x86/pmap_quick.h; each pmap.c
 * gives every CPU its slot's PTE (pmap_pcpu_init).
 *
 * Why a critical section even on the direct map (FreeBSD's amd64 enters
 * none there): code written on x86_64 must behave as it will on i386,
 * where the slot is per CPU.  Sleeping or nesting while holding a quick
 * map is a bug on both, and is caught on both.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>
#include <mm/x86/pmap_quick.h>

bool	qmap_slot = !PMAP_HAS_DMAP;

/*
 * => after cmdline_init, before any quick map.  "quickmap=slot" makes
 *    x86_64 use its slots; i386 has nothing else.
 */
void
pmap_quick_init(void)
{
	const char *opt = cmdline_get("quickmap");

	if (opt == NULL)
		return;
	if (strcmp(opt, "slot") == 0)
		qmap_slot = true;
	else if (strcmp(opt, "dmap") == 0 && PMAP_HAS_DMAP)
		qmap_slot = false;
	else
		kprintf("pmap: quickmap=%s not supported (slot%s), ignored\n",
		    opt, PMAP_HAS_DMAP ? " or dmap" : " only: no direct map");
	kprintf("pmap: quick maps through the %s\n",
	    qmap_slot ? "per-CPU slots" : "direct map");
}

bool
pmap_quick_use_slot(bool slot)
{
	bool old = qmap_slot;

	qmap_slot = slot || !PMAP_HAS_DMAP;
	return (old);
}

/*
 * With interrupts off, curcpu() is the CPU this thread runs on.  A
 * thread holding a quick map is in a critical section, so it is its CPU
 * whose pc_qmap_held is read; a thread holding none reads 0 there (the
 * holder of this CPU's quick map would not have let it run).
 */
void
qmap_check_enter(void)
{
	uintptr_t flags = intr_disable();
	struct pcpu *pc = curcpu();
	vaddr_t held = pc->pc_qmap_held;
	int intr = pc->pc_intr_nesting;

	intr_restore(flags);
	KASSERT(intr == 0, ("pmap_quick_enter_page: called from interrupt "
	    "context"));
	KASSERT(spinlock_count() == 0, ("pmap_quick_enter_page: called with "
	    "a spin lock held"));
	KASSERT(held == 0, ("pmap_quick_enter_page: nested: CPU %d already "
	    "holds the quick map %p", pc->pc_cpuid, (void *)held));
}

void
qmap_check_remove(vaddr_t kva)
{
	uintptr_t flags = intr_disable();
	struct pcpu *pc = curcpu();
	vaddr_t held = pc->pc_qmap_held;

	intr_restore(flags);
	KASSERT(held != 0 && kva == held, ("pmap_quick_remove_page: %p is not "
	    "this CPU's quick map (CPU %d holds %p)", (void *)kva,
	    pc->pc_cpuid, (void *)held));
}
