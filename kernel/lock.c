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
 * Per-CPU spin-lock nesting.  Interrupts go off with the first spin lock
 * and come back, as they were, with the last; no other code touches this
 * CPU's entry while they are off, so it needs no lock.
 */
static struct spin_state {
	int		count;
	uintptr_t	flags;
} spin_state[MAXCPU];

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
	struct spin_state *ss;
	uintptr_t flags;

	/* Interrupts off first: until then the thread may change CPUs. */
	flags = intr_disable();
	ss = &spin_state[curcpu()->pc_cpuid];
	/* Before any state changes, so a test can catch the panic. */
	KASSERT(sl->sl_owner != curcpu()->pc_cpuid,
	    ("spin lock \"%s\" acquired recursively", sl->sl_name));
	WITNESS_SPIN_LOCK(sl);
	if (ss->count++ == 0)
		ss->flags = flags;
	while (__atomic_exchange_n(&sl->sl_locked, 1, __ATOMIC_ACQUIRE) != 0)
		while (sl->sl_locked != 0)
			cpu_spinwait();
	sl->sl_owner = curcpu()->pc_cpuid;
}

/* => sl held: interrupts are off, the thread stays on this CPU. */
void
spinlock_release(struct spinlock *sl)
{
	struct spin_state *ss = &spin_state[curcpu()->pc_cpuid];

	KASSERT(sl->sl_owner == curcpu()->pc_cpuid,
	    ("spin lock \"%s\" released by CPU %d, held by %d", sl->sl_name,
	    curcpu()->pc_cpuid, sl->sl_owner));
	KASSERT(ss->count > 0, ("spin lock count underflow"));
	WITNESS_SPIN_UNLOCK(sl);
	sl->sl_owner = -1;
	__atomic_store_n(&sl->sl_locked, 0, __ATOMIC_RELEASE);
	if (--ss->count == 0)
		intr_restore(ss->flags);
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
	n = spin_state[curcpu()->pc_cpuid].count;
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
	return (spin_state[curcpu()->pc_cpuid].flags);
}

void
spinlock_switch_restore(uintptr_t flags)
{
	spin_state[curcpu()->pc_cpuid].flags = flags;
}
