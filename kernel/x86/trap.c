/*
 * x86 trap dispatch, shared by i386 and x86_64: every vector's stub ends
 * in trap(tf).  A page fault is first offered to vm_fault() (pageable
 * kernel memory: UBC windows), which may sleep in a pager.  An exception
 * nobody resolved goes to the running kcopy's recovery point (page faults
 * only), then to an armed catch (kernel/trap.h); otherwise it is fatal
 * and crash() reports it, naming a kernel stack overflow (a fault on the
 * thread's guard page) or an unserved UBC fault as such.
 * Interrupt vectors (32 and up) go to their handlers (kernel/x86/intr.c).
 */
#include <kernel/systm.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/errno.h>
#include <kernel/trap.h>
#include <kernel/uio.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <machine/frame.h>
#include <mm/vm_fault.h>
#include <x86/cpufunc.h>
#include <x86/x86_var.h>

void	trap(struct trapframe *tf);

static const char *const trap_names[32] = {
	[T_DIVIDE] = "divide error (#DE)",
	[T_TRCTRAP] = "debug trap (#DB)",
	[T_NMI] = "non-maskable interrupt",
	[T_BPTFLT] = "breakpoint (#BP)",
	[T_OFLOW] = "overflow (#OF)",
	[T_BOUND] = "bound range exceeded (#BR)",
	[T_PRIVINFLT] = "invalid opcode (#UD)",
	[T_DNA] = "device not available (#NM)",
	[T_DOUBLEFLT] = "double fault (#DF)",
	[T_TSSFLT] = "invalid TSS (#TS)",
	[T_SEGNPFLT] = "segment not present (#NP)",
	[T_STKFLT] = "stack fault (#SS)",
	[T_PROTFLT] = "general protection fault (#GP)",
	[T_PAGEFLT] = "page fault (#PF)",
	[T_ARITHTRAP] = "x87 floating-point error (#MF)",
	[T_ALIGNFLT] = "alignment check (#AC)",
	[T_MCHK] = "machine check (#MC)",
	[T_XMMFLT] = "SIMD floating-point error (#XM)",
};

static const char *
trap_name(int vector)
{
	if (vector < 32 && trap_names[vector] != NULL)
		return (trap_names[vector]);
	return (vector < 32 ? "reserved exception" : "interrupt");
}

/* Describe a page fault the way a student needs to read it. */
static void
trap_describe_pf(char *buf, size_t len, uintptr_t err, uintptr_t addr)
{
	snprintf(buf, len, "page fault (#PF): %s %s %p (%s%s)",
	    (err & PGEX_I) ? "instruction fetch at" :
	    (err & PGEX_W) ? "write to" : "read from",
	    (err & PGEX_P) ? "protected page at" : "unmapped address",
	    (void *)addr, (err & PGEX_U) ? "user" : "kernel",
	    (err & PGEX_RSV) ? ", reserved bit set in a PTE" : "");
}

static void
trap_describe(char *buf, size_t len, const struct trapframe *tf,
    uintptr_t addr, uintptr_t sp)
{
	int vector = (int)tf->tf_trapno;

	if (vector == T_PAGEFLT)
		trap_describe_pf(buf, len, tf->tf_err, addr);
	else if (vector == T_DOUBLEFLT)
		snprintf(buf, len, "%s, stack pointer %p, CR2 %p",
		    trap_name(vector), (void *)sp, (void *)addr);
	else
		snprintf(buf, len, "%s, vector %d, error code %#lx",
		    trap_name(vector), vector, (unsigned long)tf->tf_err);
}

/*
 * Did the trap come from the running thread overflowing its stack into
 * the guard page?  Either the stack pointer is in the guard page, or the
 * fault address (CR2) is.  A #DF does not set CR2: it holds whatever the
 * last #PF left, maybe long ago.  So for a #DF trust it only with the
 * stack pointer in the lowest page of the stack (a push or call from
 * there faults on the guard page with the stack pointer just above it).
 */
static bool
trap_stack_overflow(const struct trapframe *tf, uintptr_t addr, uintptr_t sp)
{
	if (thread_stack_guard_hit(sp))
		return (true);
	if (tf->tf_trapno == T_PAGEFLT)
		return (thread_stack_guard_hit(addr));
	return (tf->tf_trapno == T_DOUBLEFLT && thread_stack_guard_hit(addr) &&
	    thread_stack_guard_hit(sp - PAGE_SIZE));
}

/*
 * => addr: CR2 for a #PF or #DF; sp: the stack pointer at the trap (the
 *    i386 #DF task rebuilds its frame, so TF_SP cannot find it).
 * A stack overflow is said so first, and offered to panic catches like a
 * panic (tests provoke one on purpose).
 */
void
trap_fatal(struct trapframe *tf, uintptr_t addr, uintptr_t sp)
{
	struct thread *td = curthread;
	char desc[160], what[256];

	trap_describe(desc, sizeof(desc), tf, addr, sp);
	if (trap_stack_overflow(tf, addr, sp)) {
		snprintf(what, sizeof(what), "kernel stack overflow in thread "
		    "%s (guard page at %p): %s", td->td_name,
		    (void *)(td->td_kstack - PAGE_SIZE), desc);
		kcatch_panic(what);
	} else
		strlcpy(what, desc, sizeof(what));
	crash(what, tf, TF_PC(tf), TF_FP(tf));
}

/*
 * A kernel page fault, as FreeBSD's trap_pfault: every gate enters with
 * interrupts off, but the pager may sleep (busy pages, mutexes, I/O), so
 * turn them back on when the faulting code had them on.  They go off
 * again before trap() continues, so a catch or a crash report sees the
 * state it always did.  A fault on an address nobody pages is left to
 * the rest of trap() with interrupts still off.
 */
static int
trap_pfault(struct trapframe *tf, uintptr_t addr)
{
	bool intr = (TF_FLAGS(tf) & PSL_I) != 0;
	int error;

	if (!vm_fault_managed(addr)) {
		/* kcopy of a bad address: EFAULT, as NetBSD's kcopy. */
		onfault_recover(EFAULT);
		return (VM_FAULT_UNMANAGED);
	}
	if (intr)
		enable_intr();
	error = vm_fault(addr, (tf->tf_err & PGEX_W) ? VM_PROT_WRITE :
	    VM_PROT_READ, intr);
	if (error != 0)
		onfault_recover(error);	/* kcopy running: longjmp there */
	disable_intr();
	return (error);
}

/* A fault vm_fault() refused: say where (window, object, offset) and why. */
static void __noreturn
trap_pfault_fatal(struct trapframe *tf, uintptr_t addr, int error)
{
	char desc[160], where[200], what[400];

	trap_describe_pf(desc, sizeof(desc), tf->tf_err, addr);
	vm_fault_describe(addr, where, sizeof(where));
	snprintf(what, sizeof(what), "%s: %s; vm_fault error %d%s", desc,
	    where, error, error == EDEADLK ? " (interrupts off or in a "
	    "critical section: the pager cannot sleep)" : "");
	kcatch_panic(what);	/* tests provoke this on purpose */
	crash(what, tf, TF_PC(tf), TF_FP(tf));
}

void
trap(struct trapframe *tf)
{
	int vector = (int)tf->tf_trapno;
	int pferror = VM_FAULT_UNMANAGED;
	uintptr_t addr = 0;

	if (vector >= 32) {
		intr_dispatch(tf);
		return;
	}
	/* A #DF from a stack overflow is a #PF that could not be delivered. */
	if (vector == T_PAGEFLT || vector == T_DOUBLEFLT)
		addr = rcr2();
	if (vector == T_PAGEFLT && (tf->tf_err & PGEX_U) == 0 &&
	    (pferror = trap_pfault(tf, addr)) == 0)
		return;
	if (kcatch_trap(tf, vector, addr))
		return;
	if (pferror != VM_FAULT_UNMANAGED)
		trap_pfault_fatal(tf, addr, pferror);
	trap_fatal(tf, addr, TF_SP(tf));
}
