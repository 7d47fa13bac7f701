/*
 * Interrupt handlers.  A handler is registered for one vector (numbers in
 * <machine/intr.h>) and runs on whichever CPU takes the interrupt, with
 * interrupts disabled, on the interrupted stack; the machine-dependent
 * dispatcher (kernel/x86/intr.c) acknowledges the interrupt controller
 * after the handler returns.  The same handler serves every CPU.
 *
 * Contract:
 *  - intr_register() panics (KASSERT) if the vector is not an interrupt
 *    vector or already has a handler; intr_unregister() frees it.
 *  - A handler must be short and must not sleep.
 *  - The argument is published before the handler, so a vector that
 *    fires while it is being registered finds no handler or both.
 *    Unregister a vector only once it can no longer fire.
 */
#ifndef _KERNEL_INTR_H_
#define _KERNEL_INTR_H_

#include <kernel/systm.h>
#include <machine/intr.h>

typedef void intr_handler_t(void *arg);

void	intr_register(int vector, intr_handler_t *fn, void *arg,
	    const char *name);
void	intr_unregister(int vector);
/* Interrupts taken on vector so far, on all CPUs (wraps on i386). */
unsigned long intr_count(int vector);

#endif /* !_KERNEL_INTR_H_ */
