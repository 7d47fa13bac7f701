/*
 * Lock-order checking, in the spirit of FreeBSD's WITNESS(4).
 *
 * Every lock belongs to a class named by its name string (two locks with
 * one name, such as per-object locks, are one class).  Whenever a lock of
 * class B is acquired while locks of classes A1..An are held, witness
 * records "Ai before B".  If B before Ai was recorded earlier, directly or
 * through other classes (the order table keeps its transitive closure),
 * the two paths can deadlock against each other, and the acquisition
 * panics, before it changes any lock state:
 *
 *	lock order reversal: "A" then "B"; earlier "B" then "A"
 *
 * A test can catch that panic with kcatch (kernel/trap.h) and finds the
 * lock not taken and witness as it was.
 *
 * What is held: spin locks per CPU (a CPU holding one cannot switch
 * threads, except for the scheduler's sched_lock hand-off, which stays on
 * one CPU), sleep mutexes per thread (struct thread's td_witness).  A
 * nested acquisition of the same class is not checked (no self-edges);
 * recursion on one lock is caught by the lock code itself.  mtx_trylock
 * never waits, so it cannot deadlock: it is not checked, but a mutex it
 * took is held like any other.  msleep() drops its mutex and re-takes it
 * with mtx_lock, which is checked again.
 *
 * Witness is compiled in with KASSERT; build with -DNO_WITNESS (or
 * -DNO_KASSERT) to leave it out.  Up to WITNESS_NCLASS classes are
 * tracked (locks of further classes are not checked, and the console
 * says so once); at most WITNESS_DEPTH spin locks per CPU and mutexes per
 * thread may be held at once (more panics).
 */
#ifndef _KERNEL_WITNESS_H_
#define _KERNEL_WITNESS_H_

#include <kernel/systm.h>

#if !defined(NO_WITNESS) && !defined(NO_KASSERT)
#define	WITNESS		1
#endif

#define	WITNESS_NCLASS	64
#define	WITNESS_DEPTH	8

struct spinlock;
struct mtx;

/* One held lock: which, and its class (-1: not tracked). */
struct witness_held {
	const void	*wh_lock;
	int		 wh_class;
};

/* The locks a CPU (spin) or a thread (mutexes) holds, oldest first. */
struct witness_stack {
	int			ws_depth;
	struct witness_held	ws_held[WITNESS_DEPTH];
};

#ifdef WITNESS
/* spinlock_acquire, interrupts off: check, then count the lock held. */
void	witness_spin_lock(struct spinlock *sl);
void	witness_spin_unlock(struct spinlock *sl);
/* mtx_lock before anything else (try: mtx_trylock, no order check). */
void	witness_mtx_check(struct mtx *m, bool try);
/* Once the mutex is owned; witness_mtx_unlock before it is let go. */
void	witness_mtx_lock(struct mtx *m);
void	witness_mtx_unlock(struct mtx *m);
/* Locks witness counts as held by this thread and its CPU (the tests). */
int	witness_held_count(void);

#define	WITNESS_SPIN_LOCK(sl)		witness_spin_lock(sl)
#define	WITNESS_SPIN_UNLOCK(sl)		witness_spin_unlock(sl)
#define	WITNESS_MTX_CHECK(m, try)	witness_mtx_check(m, try)
#define	WITNESS_MTX_LOCK(m)		witness_mtx_lock(m)
#define	WITNESS_MTX_UNLOCK(m)		witness_mtx_unlock(m)
#else
#define	WITNESS_SPIN_LOCK(sl)		do { } while (0)
#define	WITNESS_SPIN_UNLOCK(sl)		do { } while (0)
#define	WITNESS_MTX_CHECK(m, try)	do { } while (0)
#define	WITNESS_MTX_LOCK(m)		do { } while (0)
#define	WITNESS_MTX_UNLOCK(m)		do { } while (0)
#endif

#endif /* !_KERNEL_WITNESS_H_ */
