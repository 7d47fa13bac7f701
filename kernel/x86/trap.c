/*
 * x86 trap dispatch, shared by i386 and x86_64: every vector's stub ends
 * in trap(tf).  An exception is first offered to an armed catch
 * (kernel/trap.h); otherwise it is fatal and crash() reports it, naming
 * a kernel stack overflow (a fault on the thread's guard page) as such.
 * Interrupt vectors (32 and up) go to their handlers (kernel/x86/intr.c).
 */
#include <kernel/systm.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <machine/frame.h>
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

void
trap(struct trapframe *tf)
{
	int vector = (int)tf->tf_trapno;
	uintptr_t addr = 0;

	if (vector >= 32) {
		intr_dispatch(tf);
		return;
	}
	/* A #DF from a stack overflow is a #PF that could not be delivered. */
	if (vector == T_PAGEFLT || vector == T_DOUBLEFLT)
		addr = rcr2();
	if (kcatch_trap(tf, vector, addr))
		return;
	trap_fatal(tf, addr, TF_SP(tf));
}
