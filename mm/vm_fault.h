/*
 * Kernel page faults on pageable kernel memory (FreeBSD vm_fault(9),
 * NetBSD uvm_fault(9)).  The only pageable kernel memory Minnow has is
 * the UBC window range (mm/ubc.h): a window's pages are entered lazily,
 * by the fault an access to them takes.
 *
 * trap() calls vm_fault() for every kernel page fault before anything
 * else (before a test's catch), with interrupts back on when the faulting
 * code had them on, because the pager may sleep.  The outcome:
 *  - 0: the mapping is in place; trap() returns and the access restarts;
 *  - VM_FAULT_UNMANAGED: the address is not pageable memory; trap() goes
 *    on as before (a test's catch, else the crash report);
 *  - an errno (EIO from the pager, EFAULT for a window address that maps
 *    nothing, EDEADLK when the faulting code may not sleep): trap() hands
 *    it to the thread's recovery point (kcopy, kernel/uio.h), else to a
 *    test's catch, else crashes with vm_fault_describe()'s words.
 */
#ifndef _MM_VM_FAULT_H_
#define _MM_VM_FAULT_H_

#include <kernel/systm.h>

#define	VM_PROT_READ		0x1
#define	VM_PROT_WRITE		0x2

#define	VM_FAULT_UNMANAGED	(-1)

/*
 * vm_fault: resolve a kernel page fault at va.
 * => access: VM_PROT_READ or VM_PROT_WRITE.
 * => intr: the faulting code ran with interrupts on (trap() has turned
 *    them back on); only then may the pager sleep.
 * => returns 0, VM_FAULT_UNMANAGED or an errno, as above.
 */
int	vm_fault(vaddr_t va, int access, bool intr);
/* Is va pageable kernel memory (so vm_fault may want interrupts on)? */
bool	vm_fault_managed(vaddr_t va);
/* Words for a crash report about a fault at va that vm_fault refused. */
void	vm_fault_describe(vaddr_t va, char *buf, size_t len);

#endif /* !_MM_VM_FAULT_H_ */
