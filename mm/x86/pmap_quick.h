/*
 * Quick maps on x86 (both pmaps): the inline fast path of
 * pmap_quick_enter_page/pmap_quick_remove_page (contract in mm/pmap.h,
 * reached through <machine/pmap_quick.h>), and what it shares with the
 * out-of-line parts in mm/x86/pmap_quick.c and mm/<arch>/pmap.c.
 *
 * Why inline: a quick map is a handful of instructions (on the direct map
 * an addition; on the slot one PTE store and one invlpg), and the call,
 * the return and reloading the per-CPU base cost as much again.  Every
 * per-CPU field is read or written with one %gs/%fs-relative instruction
 * (__PCPU_GET/__PCPU_SET): safe, because from critical_enter() to
 * critical_exit() the thread cannot leave this CPU.
 *
 * Slot PTEs are pointer-sized on both pmaps (x86_64: 64-bit; i386: 32-bit,
 * no PAE), so pc_qmap_pte is a uintptr_t * and qmap_pte_bits a uintptr_t
 * (each pmap.c checks it with a _Static_assert).
 */
#ifndef _MM_X86_PMAP_QUICK_H_
#define _MM_X86_PMAP_QUICK_H_

#include <kernel/systm.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>

/* Quick-map through this CPU's slot (else the direct map; x86_64 only). */
extern bool	qmap_slot;
/* The bits of a slot PTE besides the frame: valid, writable, accessed,
 * dirty (preset: no write back on first use), no-execute where the CPU
 * has it.  Set by pmap_bootstrap. */
extern uintptr_t qmap_pte_bits;

/*
 * The contract checks (KASSERT builds), made before any state changes so
 * that a test catching the panic finds the CPU as it was.
 */
void	qmap_check_enter(void);
void	qmap_check_remove(vaddr_t kva);

#ifndef NO_KASSERT
#define	QMAP_CHECK_ENTER()	qmap_check_enter()
#define	QMAP_CHECK_REMOVE(kva)	qmap_check_remove(kva)
#else
#define	QMAP_CHECK_ENTER()	do { } while (0)
#define	QMAP_CHECK_REMOVE(kva)	do { } while (0)
#endif

/*
 * pmap_quick_enter_page: map m for a moment (see mm/pmap.h).
 * => not from interrupts, no spin lock held, no quick map held (KASSERT).
 * => enters a critical section; returns the direct-map address, or on
 *    i386 and x86_64 booted with "quickmap=slot" this CPU's slot.  Only
 *    this CPU maps its slot, so its own invlpg is the only flush.
 */
static inline vaddr_t
pmap_quick_enter_page(vm_page_t m)
{
	vaddr_t va;

	QMAP_CHECK_ENTER();
	critical_enter();
#if PMAP_HAS_DMAP
	if (__predict_true(!qmap_slot))
		va = PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
	else
#endif
	{
		va = __PCPU_GET(pc_qmap_addr);
		*__PCPU_GET(pc_qmap_pte) = (uintptr_t)VM_PAGE_TO_PHYS(m) |
		    qmap_pte_bits;
		invlpg(va);
	}
	__PCPU_SET(pc_qmap_held, va);
	return (va);
}

/*
 * pmap_quick_remove_page: end the quick map kva (see mm/pmap.h).
 * => kva is this CPU's current quick map (KASSERT).
 * => a slot's PTE is cleared, not flushed (as FreeBSD's i386): the next
 *    enter flushes before any use.  (A use after the remove is a bug the
 *    contract forbids; it may still reach the old page through the TLB.)
 * => leaves the critical section (the owed preemption, if any, happens).
 */
static inline void
pmap_quick_remove_page(vaddr_t kva)
{
	QMAP_CHECK_REMOVE(kva);
	if (kva == __PCPU_GET(pc_qmap_addr))
		*__PCPU_GET(pc_qmap_pte) = 0;
	__PCPU_SET(pc_qmap_held, 0);
	critical_exit();
}

#endif /* !_MM_X86_PMAP_QUICK_H_ */
