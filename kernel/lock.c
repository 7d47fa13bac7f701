/*
 * Spin locks (see kernel/lock.h for the rules).  Sleep mutexes live with
 * the sleep queues in kernel/sleepq.c, critical sections and pinning with
 * the scheduler in kernel/sched.c.
 */
#include <kernel/systm.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/sched_internal.h>
#include <machine/cpufunc.h>

/*
 * Per-CPU spin-lock nesting lives in struct pcpu (pc_spin_count,
 * pc_spin_flags): one load of the segment base reaches it, where an
 * array indexed by CPU id cost three.  Interrupts go off with the first
 * spin lock and come back, as they were, with the last; no other code
 * touches this CPU's fields while they are off, so they need no lock.
 */

void
spinlock_init(struct spinlock *sl, const char *name)
{
	sl->sl_locked = 0;
	sl->sl_owner = -1;
	sl->sl_name = name;
#ifdef WITNESS
	sl->sl_witness = 0;
#endif
}

void
spinlock_acquire(struct spinlock *sl)
{
	struct pcpu *pc;
	uintptr_t flags;

	/* Interrupts off first: until then the thread may change CPUs. */
	flags = intr_disable();
	pc = curcpu();
	/* Before any state changes, so a test can catch the panic. */
	KASSERT(sl->sl_owner != pc->pc_cpuid,
	    ("spin lock \"%s\" acquired recursively", sl->sl_name));
	WITNESS_SPIN_LOCK(sl);
	if (pc->pc_spin_count++ == 0)
		pc->pc_spin_flags = flags;
	while (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0)
		while (sl->sl_locked != 0)
			cpu_spinwait();
	sl->sl_owner = pc->pc_cpuid;
}

/* => sl held: interrupts are off, the thread stays on this CPU. */
void
spinlock_release(struct spinlock *sl)
{
	struct pcpu *pc = curcpu();

	KASSERT(sl->sl_owner == pc->pc_cpuid,
	    ("spin lock \"%s\" released by CPU %d, held by %d", sl->sl_name,
	    pc->pc_cpuid, sl->sl_owner));
	KASSERT(pc->pc_spin_count > 0, ("spin lock count underflow"));
	WITNESS_SPIN_UNLOCK(sl);
	sl->sl_owner = -1;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	if (--pc->pc_spin_count == 0)
		intr_restore(pc->pc_spin_flags);
}

bool
spinlock_owned(const struct spinlock *sl)
{
	return (sl->sl_owner == curcpu()->pc_cpuid);
}

int
spinlock_count(void)
{
	uintptr_t flags;
	int n;

	/* Interrupts off before reading this CPU's entry (see above). */
	flags = intr_disable();
	n = curcpu()->pc_spin_count;
	intr_restore(flags);
	return (n);
}

/*
 * The scheduler carries one CPU's spin state across a context switch:
 * the thread switched to restores what it had when it switched away.
 */
uintptr_t
spinlock_switch_save(void)
{
	return (curcpu()->pc_spin_flags);
}

void
spinlock_switch_restore(uintptr_t flags)
{
	curcpu()->pc_spin_flags = flags;
}
