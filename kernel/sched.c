/*
 * The scheduler: per-CPU run queues under one spin lock, round-robin with
 * a time slice, preemption at the end of interrupts, work stealing for
 * idle CPUs, and the thread life cycle (see kernel/thread.h).
 *
 * The context switch protocol (as in xv6): a thread calls sched_switch()
 * holding sched_lock; the thread switched to returns from its own
 * sched_switch() (or starts in thread_start()) and releases it.  So a
 * thread put back on a run queue cannot be taken by another CPU before
 * its registers are saved: that CPU would need sched_lock first.
 */
#include <kernel/systm.h>
#include <kernel/pcpu.h>
#include <kernel/sched_internal.h>
#include <kernel/smp.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <machine/cpufunc.h>

#define	SCHED_SLICE	4		/* ticks */
#define	KSTACK_PAGES	4

struct spinlock sched_lock = SPINLOCK_INITIALIZER("sched");
int hz = 100;

static TAILQ_HEAD(runq, thread) runq[MAXCPU];
static int		 runq_len[MAXCPU];
/*
 * need_resched[cpu]: switch threads at the end of cpu's next interrupt
 * (sched_ast).  Set by cpu's own timer tick, or under sched_lock by
 * sched_add on any CPU; cleared by cpu itself in sched_switch, under
 * sched_lock.  Read by cpu with interrupts off.
 */
static volatile bool	 need_resched[MAXCPU];
static struct thread	 thread0;	/* the boot CPU's first thread */
static volatile uint64_t ticks;
static int		 next_tid = 1;

static void	idle_loop(void *arg) __noreturn;

/* May the thread run on another CPU than td_cpu? */
static bool
thread_movable(const struct thread *td)
{
	return (!td->td_bound && td->td_pinned == 0);
}

static int
this_cpu(void)
{
	return (curcpu()->pc_cpuid);
}

/*
 * CPU for a thread becoming runnable: its own if pinned, else the one with
 * the fewest queued threads, ties to the thread's last CPU.  The running
 * thread is not counted, so a busy CPU and an idle one look alike: a new
 * thread may queue behind its creator, until an idle CPU steals it (at
 * that CPU's next tick at the latest: idle_loop looks at every queue).
 * FreeBSD's ULE counts the running thread too (tdq_load).  Either way no
 * CPU stays idle while threads wait, which is what
 * sched.unpinned_threads_use_every_cpu checks.
 */
static int
sched_pick_cpu(const struct thread *td)
{
	int cpu, best = td->td_cpu;

	if (!thread_movable(td))
		return (td->td_cpu);
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		if (CPU_ISSET(cpu, cpu_online) &&
		    runq_len[cpu] < runq_len[best])
			best = cpu;
	return (best);
}

/*
 * sched_add: queue td on a CPU and see that the CPU gets to it.
 *
 * => sched_lock held.
 * => another CPU is marked as needing a switch, then interrupted
 *    (IPI_RESCHED): the end of that interrupt (sched_ast) preempts
 *    whatever it runs, or, inside a critical section, owes the
 *    preemption to critical_exit; a CPU holding a spin lock has
 *    interrupts off and takes the IPI when it lets the last one go.
 *    Minnow has no priorities: a thread just made runnable counts as
 *    more urgent than one that kept its CPU, as 4BSD's kernel sleep
 *    priorities make it (FreeBSD: sched_add -> tdq_notify -> IPI_PREEMPT).
 *    Without the mark, a busy CPU would notice the thread only when its
 *    running thread's slice ran out.
 * => on this CPU, only an idle thread is preempted (at the end of the
 *    interrupt that woke td, or at once by idle_loop); a running thread
 *    that wakes another keeps its CPU for the rest of its slice.
 */
void
sched_add(struct thread *td)
{
	int cpu;

	KASSERT(spinlock_owned(&sched_lock), ("sched_add: no sched_lock"));
	cpu = sched_pick_cpu(td);
	td->td_state = TDS_RUNQ;
	td->td_cpu = cpu;
	TAILQ_INSERT_TAIL(&runq[cpu], td, td_runq);
	runq_len[cpu]++;
	if (cpu != this_cpu()) {
		/* Stored before the IPI is sent, so seen when it lands. */
		need_resched[cpu] = true;
		ipi_send(CPU_MASK(cpu), IPI_RESCHED);
	} else if (curthread->td_idle)
		need_resched[cpu] = true;
}

static struct thread *
runq_take(int cpu, bool unpinned_only)
{
	struct thread *td;

	TAILQ_FOREACH(td, &runq[cpu], td_runq)
		if (!unpinned_only || thread_movable(td))
			break;
	if (td != NULL) {
		TAILQ_REMOVE(&runq[cpu], td, td_runq);
		runq_len[cpu]--;
	}
	return (td);
}

/* This CPU's next thread: its own queue, else steal, else idle. */
static struct thread *
sched_choose(int cpu)
{
	struct thread *td;
	int other;

	if ((td = runq_take(cpu, false)) != NULL)
		return (td);
	for (other = 0; other < mp_ncpus; other++)
		if (other != cpu && (td = runq_take(other, true)) != NULL)
			return (td);
	return (pcpu_find(cpu)->pc_idlethread);
}

/* Is there anything for this CPU to run besides its idle thread? */
static bool
sched_choose_peek(int cpu)
{
	struct thread *td;
	int other;

	if (!TAILQ_EMPTY(&runq[cpu]))
		return (true);
	for (other = 0; other < mp_ncpus; other++)
		TAILQ_FOREACH(td, &runq[other], td_runq)
			if (thread_movable(td))
				return (true);
	return (false);
}

void
sched_switch(void)
{
	struct thread *td = curthread, *next;
	int cpu = this_cpu();
	uintptr_t flags;

	KASSERT(spinlock_owned(&sched_lock) && spinlock_count() == 1,
	    ("sched_switch: must hold sched_lock and no other spin lock"));
	KASSERT(td->td_critnest == 0 || td->td_state != TDS_RUNQ,
	    ("sched_switch: preempted inside a critical section"));
	next = sched_choose(cpu);
	need_resched[cpu] = false;
	if (next == td) {
		td->td_state = TDS_RUNNING;
		return;
	}
	next->td_state = TDS_RUNNING;
	next->td_cpu = cpu;
	next->td_slice = SCHED_SLICE;
	curcpu()->pc_curthread = next;
	/* Trap catches belong to threads: carry them across the switch. */
	td->td_catch = curcpu()->pc_catch;
	curcpu()->pc_catch = next->td_catch;
	flags = spinlock_switch_save();
	cpu_switch(td, next);
	spinlock_switch_restore(flags);
}

/* Put the running thread back on a run queue and run another. */
static void
sched_yield_locked(void)
{
	struct thread *td = curthread;

	if (!td->td_idle) {
		td->td_state = TDS_RUNQ;
		TAILQ_INSERT_TAIL(&runq[td->td_cpu], td, td_runq);
		runq_len[td->td_cpu]++;
	}
	sched_switch();
}

void
thread_yield(void)
{
	spinlock_acquire(&sched_lock);
	sched_yield_locked();
	spinlock_release(&sched_lock);
}

/*
 * Timer tick, in interrupt context, on every CPU.  CPU 0 keeps the clock
 * and ends timed sleeps; every CPU charges the running thread's slice.
 */
void
sched_clock(void)
{
	struct thread *td = curthread;
	int cpu = this_cpu();

	if (td == NULL)
		return;
	if (cpu == 0) {
		ticks++;
		spinlock_acquire(&sched_lock);
		sleepq_tick(ticks);
		spinlock_release(&sched_lock);
	}
	if (td->td_idle ? runq_len[cpu] > 0 : --td->td_slice <= 0)
		need_resched[cpu] = true;
}

/*
 * End of an interrupt, interrupts still off: preempt if the tick or a
 * wakeup asked for it, unless the thread is in a critical section (then
 * critical_exit does it).
 */
void
sched_ast(void)
{
	struct thread *td = curthread;
	int cpu = this_cpu();

	if (td == NULL || !need_resched[cpu] || spinlock_count() != 0)
		return;
	if (td->td_critnest > 0) {
		td->td_owepreempt = true;
		return;
	}
	thread_yield();
}

uint64_t
sched_ticks(void)
{
	return (ticks);
}

/*
 * critical_exit_preempt: the slow path of critical_exit (kernel/thread.h),
 * the preemption an interrupt owed to this thread's critical section.
 * => called with td_owepreempt set; does nothing while still nested (an
 *    inner critical_exit), else switches: the outermost exit preempts.
 * => an interrupt between the caller's load and ours may already have
 *    preempted (td_critnest is 0 by then): one more yield is harmless.
 */
void
critical_exit_preempt(void)
{
	struct thread *td = curthread;

	if (td->td_critnest != 0)
		return;
	td->td_owepreempt = false;
	thread_yield();
}

/* A thread's CPU only changes while it is off-CPU, so no lock is needed. */
void
sched_pin(void)
{
	curthread->td_pinned++;
}

void
sched_unpin(void)
{
	KASSERT(curthread->td_pinned > 0, ("sched_unpin without sched_pin"));
	curthread->td_pinned--;
}

/* First code of every new thread: we hold sched_lock from the switch. */
void
thread_start(void)
{
	struct thread *td = curthread;

	spinlock_release(&sched_lock);
	intr_enable();
	td->td_fn(td->td_arg);
	thread_exit(0);
}

static struct thread *
thread_alloc(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *td;

	if ((td = malloc(sizeof(*td), M_ZERO | M_NOWAIT)) == NULL)
		return (NULL);
	td->td_kstack_size = KSTACK_PAGES * PAGE_SIZE;
	if ((td->td_kstack = kstack_alloc(td->td_kstack_size)) == 0) {
		free(td);
		return (NULL);
	}
	strlcpy(td->td_name, name, sizeof(td->td_name));
	td->td_fn = fn;
	td->td_arg = arg;
	td->td_state = TDS_NEW;
	td->td_cpu = this_cpu();
	cpu_thread_setup(td, td->td_kstack + td->td_kstack_size);
	return (td);
}

/*
 * => returns NULL when memory for the thread or its stack is exhausted.
 * => cpu >= 0 binds the thread to that CPU for its whole life.
 */
static struct thread *
thread_create_common(const char *name, void (*fn)(void *), void *arg,
    int cpu)
{
	struct thread *td = thread_alloc(name, fn, arg);

	if (td == NULL)
		return (NULL);
	spinlock_acquire(&sched_lock);
	td->td_tid = next_tid++;
	if (cpu >= 0) {
		td->td_cpu = cpu;
		td->td_bound = true;
	}
	sched_add(td);
	spinlock_release(&sched_lock);
	return (td);
}

struct thread *
thread_create(const char *name, void (*fn)(void *), void *arg)
{
	return (thread_create_common(name, fn, arg, -1));
}

struct thread *
thread_create_on(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	KASSERT(cpu >= 0 && cpu < mp_ncpus && CPU_ISSET(cpu, cpu_online),
	    ("thread_create_on: CPU %d is not online", cpu));
	return (thread_create_common(name, fn, arg, cpu));
}

void
thread_exit(intptr_t value)
{
	struct thread *td = curthread;

	KASSERT(td != &thread0 && !td->td_idle, ("thread_exit: %s may not "
	    "exit", td->td_name));
	KASSERT(td->td_critnest == 0 && td->td_pinned == 0,
	    ("thread_exit in a critical section or pinned"));
	spinlock_acquire(&sched_lock);
	td->td_exitval = value;
	td->td_state = TDS_DEAD;
	wakeup_locked(td, false);
	sched_switch();
	panic("thread_exit: dead thread %s ran again", td->td_name);
}

/*
 * => td was made by thread_create and is joined only once.
 * => its stack is freed here, never by the thread itself, which runs on it.
 */
intptr_t
thread_join(struct thread *td)
{
	intptr_t value;

	KASSERT(td != curthread, ("thread_join: a thread cannot join itself"));
	spinlock_acquire(&sched_lock);
	KASSERT(!td->td_joined, ("thread_join: %s joined twice", td->td_name));
	td->td_joined = true;
	while (td->td_state != TDS_DEAD)
		sleep_locked(td, 0, "join", 0);
	spinlock_release(&sched_lock);
	value = td->td_exitval;
	kstack_free(td->td_kstack, td->td_kstack_size);
	free(td);
	return (value);
}

bool
thread_stack_guard_hit(uintptr_t addr)
{
	struct thread *td = curthread;
	vaddr_t guard;

	/* Only stacks from kstack_alloc have a guard page below them. */
	if (td == NULL || td == &thread0 || td->td_kstack == 0)
		return (false);
	guard = td->td_kstack - PAGE_SIZE;
	return (addr >= guard && addr < td->td_kstack);
}

static void
idle_loop(void *arg __unused)
{
	int cpu = this_cpu();

	for (;;) {
		intr_disable();
		spinlock_acquire(&sched_lock);
		if (sched_choose_peek(cpu)) {
			sched_yield_locked();
			spinlock_release(&sched_lock);
			continue;
		}
		spinlock_release(&sched_lock);
		cpu_idle_wait();	/* interrupts on again */
	}
}

static struct thread *
idle_thread_make(int cpu)
{
	struct thread *td = malloc(sizeof(*td), M_ZERO | M_NOWAIT);

	if (td == NULL)
		panic("sched: no memory for CPU %d's idle thread", cpu);
	snprintf(td->td_name, sizeof(td->td_name), "idle/%d", cpu);
	td->td_idle = true;
	td->td_bound = true;
	td->td_cpu = cpu;
	td->td_state = TDS_RUNNING;
	return (td);
}

/*
 * => on the boot CPU, before any other thread exists and before the APs
 *    start.  The code running now becomes thread0.
 */
void
sched_init(void)
{
	extern char boot_stack[];
	struct thread *idle;
	int cpu;

	for (cpu = 0; cpu < MAXCPU; cpu++)
		TAILQ_INIT(&runq[cpu]);
	sleepq_init();
	strlcpy(thread0.td_name, "thread0", sizeof(thread0.td_name));
	thread0.td_state = TDS_RUNNING;
	thread0.td_kstack = (vaddr_t)boot_stack;
	thread0.td_kstack_size = KSTACK_SIZE;
	thread0.td_slice = SCHED_SLICE;
	curcpu()->pc_curthread = &thread0;
	/* CPU 0's idle thread needs a stack of its own to switch to. */
	if ((idle = thread_alloc("idle/0", idle_loop, NULL)) == NULL)
		panic("sched: no memory for CPU 0's idle thread");
	idle->td_idle = true;
	idle->td_bound = true;
	idle->td_cpu = 0;
	curcpu()->pc_idlethread = idle;
}

/* An application processor is up: its boot context becomes its idle thread. */
void
sched_ap_main(void)
{
	int cpu = this_cpu();

	curcpu()->pc_idlethread = idle_thread_make(cpu);
	curcpu()->pc_curthread = curcpu()->pc_idlethread;
	idle_loop(NULL);
}
