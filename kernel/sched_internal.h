/*
 * Between the scheduler (kernel/sched.c), the sleep queues
 * (kernel/sleepq.c), the spin locks (kernel/lock.c), the kernel stacks
 * (kernel/kstack.c) and the machine-dependent thread code only (and the
 * sleep suite, which watches sched_lock's owner).  The run
 * and sleep queue operations run with sched_lock held; the stack and
 * machine-dependent start-up functions at the end do not need it.
 */
#ifndef _KERNEL_SCHED_INTERNAL_H_
#define _KERNEL_SCHED_INTERNAL_H_

#include <kernel/thread.h>

extern struct spinlock sched_lock;

/* Make td runnable on a CPU's run queue, and nudge that CPU. */
void	sched_add(struct thread *td);
/*
 * Give this CPU to the next thread.  curthread's state is already set
 * (TDS_RUNQ and queued, TDS_SLEEPING, or TDS_DEAD); returns when it runs
 * again, possibly on another CPU.
 */
void	sched_switch(void);
/* Sleep queue operations (kernel/sleepq.c). */
int	sleep_locked(const void *chan, int flags, const char *wmesg, int timo);
void	wakeup_locked(const void *chan, bool one);
void	sleepq_tick(uint64_t now);
void	sleepq_init(void);

/*
 * One CPU's spin-lock interrupt state, carried across a context switch
 * by sched_switch (kernel/lock.c).
 */
uintptr_t spinlock_switch_save(void);
void	spinlock_switch_restore(uintptr_t flags);

/* Machine-dependent thread start-up and switch (kernel/<arch>/). */
void	cpu_switch(struct thread *from, struct thread *to);
void	cpu_thread_setup(struct thread *td, vaddr_t stack_top);
void	thread_start(void);

/* Kernel stacks with a guard page (kernel/kstack.c). */
vaddr_t	kstack_alloc(size_t size);
void	kstack_free(vaddr_t stack, size_t size);

#endif /* !_KERNEL_SCHED_INTERNAL_H_ */
