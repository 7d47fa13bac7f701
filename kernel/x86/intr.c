/*
 * Interrupt dispatch (kernel/intr.h): trap() hands every vector from 32 up
 * to intr_dispatch(), which counts it, calls the registered handler, and
 * acknowledges the local APIC (EOI) afterwards, so that the APIC does not
 * deliver another interrupt of this priority class to the CPU while the
 * handler still runs (interrupt gates keep IF clear anyway).
 *
 * The APIC spurious vector gets no EOI (SDM 11.9: it sets no in-service
 * bit) and no handler.  Vectors without a handler are reported, then
 * acknowledged: an unacknowledged vector would block its priority class.
 * Last, sched_ast() may switch threads; the EOI must come before that.
 */
#include <kernel/systm.h>
#include <kernel/intr.h>
#include <kernel/pcpu.h>
#include <machine/frame.h>
#include <x86/x86_var.h>

struct intrhand {
	intr_handler_t	*ih_fn;
	void		*ih_arg;
	const char	*ih_name;
	unsigned long	 ih_count;
};

static struct intrhand intr_table[NIDT];

/* Weak: the scheduler (kernel/sched.c) provides the real one. */
__attribute__((weak)) void
sched_ast(void)
{
}

void
intr_register(int vector, intr_handler_t *fn, void *arg, const char *name)
{
	struct intrhand *ih = &intr_table[vector];

	KASSERT(vector >= IDT_IO_FIRST && vector < IDT_SPURIOUS && fn != NULL,
	    ("intr_register: bad vector %d or handler", vector));
	KASSERT(ih->ih_fn == NULL, ("intr_register: vector %#x has %s",
	    vector, ih->ih_name));
	ih->ih_arg = arg;
	ih->ih_name = name;
	__atomic_store_n(&ih->ih_fn, fn, __ATOMIC_RELEASE);
}

void
intr_unregister(int vector)
{
	KASSERT(vector >= IDT_IO_FIRST && vector < IDT_SPURIOUS,
	    ("intr_unregister: bad vector %d", vector));
	KASSERT(intr_table[vector].ih_fn != NULL,
	    ("intr_unregister: vector %#x has no handler", vector));
	__atomic_store_n(&intr_table[vector].ih_fn, NULL, __ATOMIC_RELEASE);
}

unsigned long
intr_count(int vector)
{
	KASSERT(vector >= 0 && vector < NIDT, ("intr_count: %d", vector));
	return (__atomic_load_n(&intr_table[vector].ih_count,
	    __ATOMIC_RELAXED));
}

void
intr_dispatch(struct trapframe *tf)
{
	int vector = (int)tf->tf_trapno;
	struct intrhand *ih = &intr_table[vector];
	intr_handler_t *fn;

	KASSERT(vector >= IDT_IO_FIRST && vector < NIDT,
	    ("intr_dispatch: vector %d", vector));
	if (vector == IDT_SPURIOUS)
		return;
	__atomic_fetch_add(&ih->ih_count, 1, __ATOMIC_RELAXED);
	if (vector >= IPI_FIRST && vector <= IPI_LAST)
		curcpu()->pc_ipi_recv++;
	if ((fn = __atomic_load_n(&ih->ih_fn, __ATOMIC_ACQUIRE)) != NULL) {
		/* Interrupt context: what may not sleep or quick-map asks. */
		curcpu()->pc_intr_nesting++;
		fn(ih->ih_arg);
		curcpu()->pc_intr_nesting--;
	} else
		kprintf("intr: CPU %d: stray interrupt, vector %#x\n",
		    curcpu()->pc_cpuid, vector);
	lapic_eoi();
	sched_ast();
}
