/*
 * Locks.
 *
 * Spin locks (spinlock_*): for short sections that may run in interrupt
 * handlers.  Taking one disables interrupts on this CPU until the last
 * spin lock this CPU holds is released; the holder must not sleep.
 * Recursion, and releasing a lock this CPU does not hold, panic.
 *
 * Sleep mutexes (mtx_*): a contended mtx_lock() sleeps until the owner
 * releases it.  Owned by a thread; recursion and unlocking a mutex not
 * held panic.  Not for interrupt handlers.  (FreeBSD's MTX_DEF.)  Their
 * state is protected by the scheduler lock, which also protects the sleep
 * queues: that is what makes msleep() atomic with respect to wakeup().
 * (FreeBSD gives each lock its own turnstile; one lock is simpler.)
 *
 * critical_enter/critical_exit: no preemption on this CPU in between
 * (nests); an interrupt that wants to preempt is deferred to the
 * outermost critical_exit.  sched_pin/sched_unpin: the thread may be
 * preempted but stays on this CPU (nests).  critical_enter/critical_exit
 * are inline functions in kernel/thread.h (they need struct thread).
 */
#ifndef _KERNEL_LOCK_H_
#define _KERNEL_LOCK_H_

#include <kernel/systm.h>
#include <kernel/witness.h>

struct thread;

struct spinlock {
	volatile uint32_t sl_locked;
	int		  sl_owner;	/* CPU id, -1 when free */
	const char	 *sl_name;
#ifdef WITNESS
	int		  sl_witness;	/* its class + 1; 0: not looked up */
#endif
};

#define	SPINLOCK_INITIALIZER(name)					\
	{ .sl_locked = 0, .sl_owner = -1, .sl_name = (name) }

void	spinlock_init(struct spinlock *sl, const char *name);
void	spinlock_acquire(struct spinlock *sl);
void	spinlock_release(struct spinlock *sl);
bool	spinlock_owned(const struct spinlock *sl);
/* Spin locks this CPU holds (0 means interrupts are as the thread had them). */
int	spinlock_count(void);

struct mtx {
	struct thread	*mtx_owner;
	int		 mtx_waiters;
	const char	*mtx_name;
#ifdef WITNESS
	int		 mtx_witness;	/* its class + 1; 0: not looked up */
#endif
};

void	mtx_init(struct mtx *m, const char *name);
void	mtx_lock(struct mtx *m);
bool	mtx_trylock(struct mtx *m);
void	mtx_unlock(struct mtx *m);
bool	mtx_owned(const struct mtx *m);

/* critical_enter() and critical_exit() are inline, in kernel/thread.h. */
void	sched_pin(void);
void	sched_unpin(void);

#endif /* !_KERNEL_LOCK_H_ */
