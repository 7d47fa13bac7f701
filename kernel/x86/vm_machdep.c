/*
 * Machine-dependent part of thread creation: the initial frame that
 * cpu_switch (swtch.S) pops when it first switches to a new thread.
 */
#include <kernel/systm.h>
#include <kernel/sched_internal.h>
#include <machine/frame.h>

extern char thread_tramp[];

/*
 * Lay out, from stack_top down: a zero return address (the end of a
 * backtrace), thread_tramp for cpu_switch's ret, and zeroed callee-saved
 * registers (SWITCH_NREGS of them, as <arch>/swtch.S pushes).
 */
void
cpu_thread_setup(struct thread *td, vaddr_t stack_top)
{
	uintptr_t *sp = (uintptr_t *)(stack_top & ~(vaddr_t)15);
	int i;

	*--sp = 0;
	*--sp = (uintptr_t)thread_tramp;
	for (i = 0; i < SWITCH_NREGS; i++)
		*--sp = 0;
	td->td_sp = (uintptr_t)sp;
}
