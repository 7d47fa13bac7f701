/*
 * Machine-independent kernel page-fault handling (mm/vm_fault.h): find
 * who serves the faulting address and let it enter the mapping.  Today
 * that is UBC alone; a pageable kernel map would be the next client.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/uio.h>
#include <lib/printf.h>
#include <mm/vm_fault.h>
#include <mm/ubc.h>

bool
vm_fault_managed(vaddr_t va)
{
	return (ubc_contains(va));
}

/*
 * May the faulting thread sleep?  Only a thread (not early boot), with
 * interrupts on at the fault, outside a critical section: holding a spin
 * lock implies interrupts off.  FreeBSD's trap_pfault refuses the same
 * cases ("page fault with interrupts disabled / in critical section").
 */
static bool
vm_fault_cansleep(bool intr)
{
	struct thread *td = curthread;

	return (intr && td != NULL && !td->td_idle && td->td_critnest == 0 &&
	    spinlock_count() == 0);
}

int
vm_fault(vaddr_t va, int access, bool intr)
{
	struct thread *td = curthread;
	struct onfault *of;
	int error;

	if (!ubc_contains(va))
		return (VM_FAULT_UNMANAGED);
	if (!vm_fault_cansleep(intr))
		return (EDEADLK);
	/*
	 * The pager runs without the faulting kcopy's recovery point: a
	 * fault in the pager itself is a kernel bug to report, not an
	 * error to hand to kcopy (with the pager's locks still held).
	 */
	of = td->td_onfault;
	td->td_onfault = NULL;
	error = ubc_fault(va, access);
	td->td_onfault = of;
	return (error);
}

void
vm_fault_describe(vaddr_t va, char *buf, size_t len)
{
	if (ubc_contains(va))
		ubc_describe(va, buf, len);
	else
		snprintf(buf, len, "not pageable kernel memory");
}
