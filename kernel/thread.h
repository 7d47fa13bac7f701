/*
 * Kernel threads and the scheduler.
 *
 * A thread runs one function on its own kernel stack, which has an
 * unmapped guard page below it: overflowing the stack faults instead of
 * corrupting whatever lies below.  thread_create() makes it runnable;
 * thread_exit() (or returning from the function) ends it; thread_join()
 * waits for it, frees it and returns its exit value.  Every thread must
 * be joined exactly once.
 *
 * The scheduler is preemptive, round-robin, with one run queue per CPU.
 * A CPU whose queue is empty steals an unpinned thread from another
 * CPU's queue (migration); with nothing to run it halts in its idle
 * thread until an interrupt.  A thread made runnable on another CPU
 * preempts that CPU's running thread at once (an IPI); made runnable on
 * the running CPU, it waits for the end of the running thread's slice,
 * unless that is the idle thread (there are no priorities).  One
 * scheduler spin lock protects all run queues and every thread's state.
 *
 * Sleep and wakeup (FreeBSD msleep(9)):
 *  - msleep(chan, m, flags, wmesg, timo) releases the mutex m (if not
 *    NULL) and sleeps on chan, atomically with respect to wakeup(chan):
 *    a wakeup after the caller released m cannot be lost.  m is
 *    re-acquired before msleep returns.
 *  - returns 0 when woken, EWOULDBLOCK when timo ticks (> 0) passed,
 *    EINTR when flags has PCATCH and the thread has a signal pending
 *    (also at once, without sleeping, if one is already pending).
 *  - msleep_spin(chan, sl, wmesg, timo) is msleep with a spin lock sl
 *    instead of a mutex, and no flags (FreeBSD's msleep_spin(9)): for a
 *    sleeper whose wakers may run with interrupts off.  sl must be the
 *    only spin lock the caller holds (KASSERT).  Returns 0 or EWOULDBLOCK.
 *  - thread_signal(td) posts a signal; it stays pending until the thread
 *    calls thread_sigclear().  A sleep without PCATCH ignores it.
 */
#ifndef _KERNEL_THREAD_H_
#define _KERNEL_THREAD_H_

#include <kernel/systm.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <lib/queue.h>

struct kcatch;
struct onfault;

enum thread_state {
	TDS_NEW,		/* being created */
	TDS_RUNQ,		/* on a run queue */
	TDS_RUNNING,		/* on a CPU */
	TDS_SLEEPING,		/* on a sleep queue */
	TDS_DEAD,		/* exited, waiting to be joined */
};

/*
 * Lock keys of the fields (as in FreeBSD's sys/proc.h):
 *	(c) constant once thread_create has made the thread runnable
 *	(s) sched_lock
 *	(t) the thread itself (curthread), without a lock; the scheduler
 *	    reads it under (s) only while the thread is off CPU
 *	(i) the thread itself, or an interrupt handler on the CPU it runs
 *	    on, with interrupts off
 */
struct thread {
	uintptr_t	 td_sp;		/* (s) saved stack pointer: first
					   (swtch.S) */
	int		 td_tid;	/* (c) */
	char		 td_name[24];	/* (c) */
	enum thread_state td_state;	/* (s) */
	int		 td_cpu;	/* (s) CPU it runs or last ran on */
	int		 td_pinned;	/* (t) sched_pin nesting */
	bool		 td_bound;	/* (c) thread_create_on: never moves */
	int		 td_critnest;	/* (t) critical_enter nesting */
	bool		 td_owepreempt;	/* (i) preemption deferred by critnest */
	bool		 td_idle;	/* (c) a CPU's idle thread */
	int		 td_slice;	/* (i) ticks left before preemption;
					   reset by sched_switch (s) */
	vaddr_t		 td_kstack;	/* (c) lowest mapped byte of the stack */
	size_t		 td_kstack_size; /* (c) */
	struct kcatch	*td_catch;	/* (s) innermost armed trap catch,
					   saved while off CPU */
#ifdef WITNESS
	struct witness_stack td_witness; /* (t) mutexes held
					   (kernel/witness.h) */
#endif
	/* Sleep state. */
	const void	*td_wchan;	/* (s) */
	const char	*td_wmesg;	/* (s) */
	bool		 td_sigpending;	/* (s) */
	bool		 td_catchable;	/* (s) sleeping with PCATCH */
	int		 td_wakeresult;	/* (s) 0, EINTR or EWOULDBLOCK */
	uint64_t	 td_deadline;	/* (s) tick a timed sleep ends, or 0 */
	TAILQ_ENTRY(thread) td_runq;	/* (s) run queue or sleep queue */
	/* Exit and join. */
	void		(*td_fn)(void *); /* (c) */
	void		*td_arg;	/* (c) */
	intptr_t	 td_exitval;	/* (s) */
	bool		 td_joined;	/* (s) */
	/* Fault recovery (kernel/uio.h). */
	struct onfault	*td_onfault;	/* (t) innermost kcopy recovery point */
};

#define	PCATCH		0x100	/* msleep: a signal interrupts the sleep */

/* One load, safe against preemption (<machine/pcpu.h>). */
#define	curthread	(__PCPU_GET(pc_curthread))

struct thread	*thread_create(const char *name, void (*fn)(void *), void *arg);
/* Like thread_create, but the thread runs only on cpu. */
struct thread	*thread_create_on(const char *name, void (*fn)(void *),
		    void *arg, int cpu);
void		 thread_exit(intptr_t value) __noreturn;
intptr_t	 thread_join(struct thread *td);
void		 thread_yield(void);
void		 thread_signal(struct thread *td);
void		 thread_sigclear(void);
/*
 * Does addr lie in the running thread's stack guard page?  For the fatal
 * trap report, so a stack overflow is named as one.  False for threads
 * without a guard page (thread0 and the APs' idle threads run on boot
 * stacks) and before the scheduler starts.
 */
bool		 thread_stack_guard_hit(uintptr_t addr);

int	msleep(const void *chan, struct mtx *m, int flags, const char *wmesg,
	    int timo);
int	msleep_spin(const void *chan, struct spinlock *sl, const char *wmesg,
	    int timo);
void	wakeup(const void *chan);
void	wakeup_one(const void *chan);
/* Sleep for the given number of ticks. */
void	pause_ticks(int ticks);

/* Scheduler hooks for the machine-dependent layer. */
void	sched_init(void);		/* the boot CPU, before any thread */
void	sched_ap_main(void) __noreturn;	/* an AP, once it is up */
void	sched_clock(void);		/* every timer tick, every CPU */
void	sched_ast(void);		/* at the end of an interrupt */
uint64_t sched_ticks(void);		/* ticks since boot (CPU 0's clock) */
extern int hz;

/*
 * critical_enter/critical_exit (declared with the locks in kernel/lock.h):
 * inline, as FreeBSD's sys/systm.h has them, because quick maps and every
 * other short per-CPU section pay for them on each use.  curthread is one
 * %gs/%fs-relative load, and the counter is the thread's own: only this
 * CPU touches it, from the thread or from an interrupt on top of it.
 *
 * critical_exit decrements, then looks at td_owepreempt (the order
 * matters: the compiler barrier keeps the load after the store).  An
 * interrupt that lands before the store sees td_critnest > 0 and sets
 * td_owepreempt, which the load then sees; one that lands after it sees
 * td_critnest == 0 and preempts at once (sched_ast).  Either way no
 * preemption is lost.  The owed switch itself is out of line
 * (critical_exit_preempt), as FreeBSD's critical_exit_preempt.
 */
void	critical_exit_preempt(void);

static inline void
critical_enter(void)
{
	curthread->td_critnest++;
	__asm__ volatile("" : : : "memory");
}

static inline void
critical_exit(void)
{
	struct thread *td = curthread;

	__asm__ volatile("" : : : "memory");
	KASSERT(td->td_critnest > 0, ("critical_exit without critical_enter"));
	td->td_critnest--;
	__asm__ volatile("" : : : "memory");
	if (__predict_false(td->td_owepreempt))
		critical_exit_preempt();
}

#endif /* !_KERNEL_THREAD_H_ */
