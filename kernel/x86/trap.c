/*
 * x86 trap dispatch, shared by i386 and x86_64: every vector's stub ends
 * in trap(tf).  An exception is first offered to an armed catch
 * (kernel/trap.h); otherwise it is fatal and crash() reports it.
 * Interrupt vectors (32 and up) go to their handlers (kernel/x86/intr.c).
 */
#include <kernel/systm.h>
#include <kernel/trap.h>
#include <lib/printf.h>
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

static void __noreturn
trap_fatal(struct trapframe *tf, uintptr_t addr)
{
	char what[160];
	int vector = (int)tf->tf_trapno;

	if (vector == T_PAGEFLT)
		trap_describe_pf(what, sizeof(what), tf->tf_err, addr);
	else
		snprintf(what, sizeof(what), "%s, vector %d, error code %#lx",
		    trap_name(vector), vector, (unsigned long)tf->tf_err);
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
	if (vector == T_PAGEFLT)
		addr = rcr2();
	if (kcatch_trap(tf, vector, addr))
		return;
	trap_fatal(tf, addr);
}
