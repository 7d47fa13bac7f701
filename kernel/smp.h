/*
 * Symmetric multiprocessing: which CPUs exist and are running, and how one
 * CPU makes others do something (inter-processor interrupts and
 * rendezvous).  Machine-independent declarations; the x86 implementation
 * is kernel/x86/mp.c, the vector numbers are in <machine/intr.h>.
 *
 * CPUs are numbered 0 .. mp_ncpus - 1 (cpuid, struct pcpu's pc_cpuid); the
 * boot CPU is 0.  A CPU's bit is set in cpu_online once it takes
 * interrupts (its timer runs); bits are never cleared.
 *
 * Contract:
 *  - ipi_send(mask, vector) raises vector on every online CPU in mask (the
 *    caller too, if it is in mask) and returns once every interrupt is
 *    handed to the APIC bus; it does not wait for the handlers.
 *  - ipi_broadcast(vector) is ipi_send to every online CPU but the caller.
 *  - smp_rendezvous(mask, fn, arg) runs fn(arg) once on every online CPU
 *    in mask, with interrupts disabled, and returns when all have
 *    finished.  Concurrent callers are serialised; a caller waiting its
 *    turn still serves the rendezvous in progress, so it may be called
 *    with interrupts disabled or from an interrupt handler.  It must not
 *    be called while holding a spin lock another CPU may spin on with
 *    interrupts disabled (that CPU could never run fn).
 */
#ifndef _KERNEL_SMP_H_
#define _KERNEL_SMP_H_

#include <kernel/systm.h>
#include <kernel/pcpu.h>
#include <machine/intr.h>

typedef uint64_t cpuset_t;		/* bit n: CPU n (MAXCPU is 64) */

#define	CPU_MASK(cpu)		((cpuset_t)1 << (cpu))
#define	CPU_ZERO(setp)		(*(setp) = 0)
#define	CPU_SET(cpu, setp)	(*(setp) |= CPU_MASK(cpu))
#define	CPU_CLR(cpu, setp)	(*(setp) &= ~CPU_MASK(cpu))
#define	CPU_ISSET(cpu, set)	((((cpuset_t)(set)) >> (cpu)) & 1)
#define	CPU_COUNT(set)		cpuset_count(set)
#define	CPU_EMPTY(set)		((cpuset_t)(set) == 0)
/* Lowest CPU in a non-empty set. */
#define	CPU_FFS(set)		__builtin_ctzll((cpuset_t)(set))

/* No __builtin_popcountll: without POPCNT it calls libgcc. */
static inline int
cpuset_count(cpuset_t set)
{
	int n;

	for (n = 0; set != 0; set &= set - 1)
		n++;
	return (n);
}

/*
 * Set a bit that other CPUs may set concurrently.  A 32-bit locked OR on
 * the word holding the bit: i386 has no 64-bit atomic OR without libatomic.
 */
#define	CPU_SET_ATOMIC(cpu, setp)	cpuset_set_atomic((cpu), (setp))

static inline void
cpuset_set_atomic(int cpu, volatile cpuset_t *setp)
{
	volatile uint32_t *w = (volatile uint32_t *)setp + (cpu >> 5);

	__atomic_fetch_or(w, 1u << (cpu & 31), __ATOMIC_SEQ_CST);
}

extern int		 mp_ncpus;	/* CPUs running (online) */
extern int		 mp_ncpus_listed; /* enabled CPUs the firmware lists */
extern volatile cpuset_t cpu_online;	/* CPUs taking interrupts */

/*
 * Boot: find the CPUs (ACPI), start the boot CPU's local APIC and timer,
 * start the other CPUs and wait for them.  Returns with interrupts enabled
 * on the boot CPU.  After malloc_init().
 */
void	mp_start(void);

void	ipi_send(cpuset_t mask, int vector);
/* Halt every other CPU (a crash report is about to print). */
void	mp_stop_others(void);
void	ipi_broadcast(int vector);
void	smp_rendezvous(cpuset_t mask, void (*fn)(void *), void *arg);

/* This CPU's hardware ID (x86: local APIC ID), read from the hardware. */
uint32_t cpu_hwid(void);

#endif /* !_KERNEL_SMP_H_ */
