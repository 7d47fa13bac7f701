/*
 * Suite "sched": kernel threads, the scheduler, locks and critical
 * sections (kernel/thread.h, kernel/lock.h).
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <machine/cpufunc.h>

#define	SPIN_TICKS	(2 * hz)	/* give up waiting after 2 s */

static void
return_arg(void *arg)
{
	thread_exit((intptr_t)arg * 2);
}

KTEST(sched, create_join_returns_value)
{
	struct thread *td[16];
	int i;

	for (i = 0; i < 16; i++) {
		td[i] = thread_create("ret", return_arg, (void *)(intptr_t)i);
		KT_ASSERT_NOTNULL(td[i]);
	}
	for (i = 0; i < 16; i++)
		KT_EXPECT_EQ(thread_join(td[i]), 2 * i);
}

struct where {
	int		cpu;
	volatile int	wrong;
};

static void
stay_on_cpu(void *arg)
{
	struct where *w = arg;
	int i;

	for (i = 0; i < 50; i++) {
		if (curcpu()->pc_cpuid != w->cpu)
			w->wrong++;
		thread_yield();
	}
}

/* A thread bound to a CPU runs there and only there, on every CPU. */
KTEST(sched, bound_thread_runs_on_its_cpu)
{
	struct where w[MAXCPU];
	struct thread *td[MAXCPU];
	int cpu;

	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		w[cpu].cpu = cpu;
		w[cpu].wrong = 0;
		td[cpu] = thread_create_on("bound", stay_on_cpu, &w[cpu], cpu);
		KT_ASSERT_NOTNULL(td[cpu]);
	}
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		thread_join(td[cpu]);
		KT_EXPECT_EQ(w[cpu].wrong, 0);
	}
}

static volatile int flag;

static void
spin_until_flag(void *arg __unused)
{
	uint64_t end = sched_ticks() + SPIN_TICKS;

	while (flag == 0 && sched_ticks() < end)
		cpu_spinwait();		/* never yields: only preemption helps */
	thread_exit(flag);
}

static void
set_flag(void *arg __unused)
{
	flag = 1;
}

/* A busy thread does not starve another on the same CPU. */
KTEST(sched, preemption_lets_others_run)
{
	int cpu = mp_ncpus - 1;
	struct thread *spinner, *setter;

	flag = 0;
	spinner = thread_create_on("spinner", spin_until_flag, NULL, cpu);
	setter = thread_create_on("setter", set_flag, NULL, cpu);
	KT_ASSERT_NOTNULL(spinner);
	KT_ASSERT_NOTNULL(setter);
	thread_join(setter);
	KT_EXPECT_EQ(thread_join(spinner), 1);
}

static volatile int in_critical, setter_queued, main_ran;

struct crit {
	volatile int	ran_inside;	/* the setter ran inside the section */
	volatile int	owed;		/* a preemption was owed at the end */
	volatile int	ran_after;	/* another thread ran at critical_exit */
};

/*
 * Spin in a critical section until a preemption is owed (on one CPU, the
 * tick ends the slice; with 2+ CPUs, the setter, created on this CPU from
 * another, is queued here and its IPI owes it); then leave it.  critical_exit must switch at once: right after it the
 * other thread has run (the setter; on one CPU, the test's own thread).
 */
static void
critical_spin(void *arg)
{
	struct crit *c = arg;
	struct thread *td = curthread;
	uint64_t end;

	critical_enter();
	in_critical = 1;
	end = sched_ticks() + SPIN_TICKS;
	while ((!td->td_owepreempt || (mp_ncpus > 1 && !setter_queued)) &&
	    sched_ticks() < end)
		cpu_spinwait();
	c->ran_inside = flag;
	c->owed = td->td_owepreempt;
	critical_exit();
	c->ran_after = mp_ncpus > 1 ? flag : main_ran;
}

KTEST(sched, critical_section_defers_preemption)
{
	struct crit c = { -1, 0, 0 };
	struct thread *a, *b = NULL;
	int cpu;

	/* Pinned, so that only the two test threads share cpu (2+ CPUs). */
	sched_pin();
	cpu = (curcpu()->pc_cpuid + 1) % mp_ncpus;
	flag = in_critical = setter_queued = main_ran = 0;
	a = thread_create_on("critical", critical_spin, &c, cpu);
	if (a != NULL) {
		while (in_critical == 0)	/* until it is inside */
			thread_yield();
		main_ran = 1;
		b = thread_create_on("setter", set_flag, NULL, cpu);
		setter_queued = 1;
		thread_join(a);
	}
	if (b != NULL)
		thread_join(b);
	sched_unpin();
	KT_ASSERT_NOTNULL(a);
	KT_ASSERT_NOTNULL(b);
	KT_EXPECT_EQ(c.ran_inside, 0);
	KT_EXPECT_TRUE(c.owed);
	KT_EXPECT_EQ(c.ran_after, 1);
	KT_EXPECT_EQ(flag, 1);
}

/*
 * A wakeup onto another, busy CPU preempts its thread at the IPI.
 *
 * The spinner, bound to that CPU, never yields and gives itself a slice
 * far longer than the test waits, so only the wakeup can let the sleeper
 * in.  The measure is the spinner's slice, counted down by its CPU's own
 * timer ticks and frozen while it is off CPU: the test reads it right
 * after wakeup() sent the IPI, the sleeper once it runs.  From that IPI
 * to the switch, the spinner may be charged one tick at most (a tick
 * being handled when it lands: its end switches), however long the host
 * leaves either vCPU unscheduled.  Without the preemption, the sleeper
 * would wait for the whole slice (in the test, until the spinner stops).
 *
 * Two variants: the spinner holds a spin lock (interrupts off) or is in a
 * critical section when the wakeup comes.  The sleeper must not run
 * inside, and must have run right after the spinner leaves: the IPI,
 * pending until interrupts come back, or the preemption it left owed.
 */
#define	LONG_SLICE	(30 * hz)	/* longer than the test ever waits */

enum probe_mode { PROBE_PLAIN, PROBE_SPINLOCK, PROBE_CRITICAL };

struct wakeprobe {
	enum probe_mode	 mode;
	struct thread	*spinner;
	volatile int	 spinning;	/* the spinner runs (inside) */
	volatile int	 sent;		/* the wakeup's IPI is on its way */
	volatile int	 stop;		/* the spinner may end */
	volatile int	 go;		/* the sleeper's condition */
	volatile int	 ran;		/* the sleeper ran after its wakeup */
	volatile int	 slice_then;	/* the spinner's slice at that time */
	int		 ran_inside;	/* ran, before the spinner left */
	int		 ran_after;	/* ran, right after it left */
	bool		 owed;		/* a preemption was owed in it */
};

static struct spinlock probe_sl = SPINLOCK_INITIALIZER("wake probe");

static void
probe_sleeper(void *arg)
{
	struct wakeprobe *w = arg;

	while (!w->go)		/* the timeout only if a wakeup came early */
		msleep(w, NULL, 0, "probe", hz);
	if (w->spinner != NULL)		/* off CPU now: its slice is frozen */
		w->slice_then = w->spinner->td_slice;
	w->ran = 1;
}

/* Inside a spin lock or critical section until the wakeup was sent. */
static void
probe_inside(struct wakeprobe *w)
{
	uint64_t end;

	if (w->mode == PROBE_SPINLOCK) {
		spinlock_acquire(&probe_sl);
		w->spinning = 1;
		while (!w->sent)	/* the test always sets it */
			cpu_spinwait();
		w->ran_inside = w->ran;
		spinlock_release(&probe_sl);
	} else {
		critical_enter();
		w->spinning = 1;
		end = sched_ticks() + SPIN_TICKS;
		while ((!w->sent || !curthread->td_owepreempt) &&
		    sched_ticks() < end)
			cpu_spinwait();
		w->ran_inside = w->ran;
		w->owed = curthread->td_owepreempt;
		critical_exit();
	}
	w->ran_after = w->ran;
}

static void
probe_spinner(void *arg)
{
	struct wakeprobe *w = arg;
	uint64_t end = sched_ticks() + 2 * LONG_SLICE;	/* nobody stops us */
	uintptr_t psl;

	psl = intr_disable();		/* td_slice: ours, interrupts off */
	curthread->td_slice = LONG_SLICE;
	intr_restore(psl);
	if (w->mode != PROBE_PLAIN)
		probe_inside(w);
	w->spinning = 1;
	while (!w->stop && sched_ticks() < end)
		cpu_spinwait();		/* never yields */
}

/* Wait (spinning, this CPU's ticks go on) up to SPIN_TICKS for *p. */
static bool
spin_for(volatile int *p)
{
	uint64_t end = sched_ticks() + SPIN_TICKS;

	while (*p == 0 && sched_ticks() < end)
		cpu_spinwait();
	return (*p != 0);
}

/*
 * Put a sleeper to sleep on another CPU, start the spinner there, wake
 * the sleeper; *w says what happened, *slice_sent the spinner's slice
 * right after the wakeup.
 */
static void
wake_probe(struct wakeprobe *w, int *slice_sent)
{
	struct thread *sleeper, *spinner;
	bool asleep, spun, ran;
	uint64_t end;
	int cpu;

	sched_pin();			/* the wakeup must come from elsewhere */
	cpu = curcpu()->pc_cpuid == 1 ? 0 : 1;
	sleeper = thread_create_on("sleeper", probe_sleeper, w, cpu);
	if (sleeper == NULL) {
		sched_unpin();
		KT_ASSERT_NOTNULL(sleeper);
	}
	end = sched_ticks() + SPIN_TICKS;
	while (!(asleep = __atomic_load_n(&sleeper->td_state,
	    __ATOMIC_ACQUIRE) == TDS_SLEEPING) && sched_ticks() < end)
		cpu_spinwait();
	w->spinner = spinner = thread_create_on("spinner", probe_spinner, w,
	    cpu);
	spun = spinner != NULL && spin_for(&w->spinning);
	w->go = 1;
	wakeup(w);
	*slice_sent = spinner == NULL ? 0 :
	    __atomic_load_n(&spinner->td_slice, __ATOMIC_RELAXED);
	w->sent = 1;
	ran = spin_for(&w->ran);
	w->stop = 1;			/* lets the sleeper in if it was not */
	thread_join(sleeper);		/* first: it reads the spinner */
	if (spinner != NULL)
		thread_join(spinner);
	sched_unpin();
	KT_ASSERT_NOTNULL(spinner);
	KT_EXPECT_TRUE(asleep);
	KT_EXPECT_TRUE(spun);
	KT_EXPECT_TRUE(ran);
}

KTEST(sched, wakeup_preempts_busy_remote_cpu)
{
	struct wakeprobe w = { .mode = PROBE_PLAIN };
	int slice_sent;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	wake_probe(&w, &slice_sent);
	ktest_diag("spinner's slice: %d ticks when woken, %d when switched",
	    slice_sent, w.slice_then);
	KT_EXPECT_SLT(slice_sent - w.slice_then, 2);
}

KTEST(sched, wakeup_preempts_at_spinlock_release)
{
	struct wakeprobe w = { .mode = PROBE_SPINLOCK };
	int slice_sent;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	wake_probe(&w, &slice_sent);
	KT_EXPECT_EQ(w.ran_inside, 0);
	KT_EXPECT_EQ(w.ran_after, 1);
}

KTEST(sched, wakeup_preempts_at_critical_exit)
{
	struct wakeprobe w = { .mode = PROBE_CRITICAL };
	int slice_sent;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	wake_probe(&w, &slice_sent);
	KT_EXPECT_EQ(w.ran_inside, 0);
	KT_EXPECT_TRUE(w.owed);
	KT_EXPECT_EQ(w.ran_after, 1);
}

static void
pinned_yields(void *arg)
{
	struct where *w = arg;
	int i;

	sched_pin();
	w->cpu = curcpu()->pc_cpuid;
	for (i = 0; i < 50; i++) {
		thread_yield();
		if (curcpu()->pc_cpuid != w->cpu)
			w->wrong++;
	}
	sched_unpin();
}

KTEST(sched, sched_pin_keeps_thread_on_cpu)
{
	struct where w[8];
	struct thread *td[8];
	int i;

	for (i = 0; i < 8; i++) {
		w[i].wrong = 0;
		td[i] = thread_create("pinned", pinned_yields, &w[i]);
		KT_ASSERT_NOTNULL(td[i]);
	}
	for (i = 0; i < 8; i++) {
		thread_join(td[i]);
		KT_EXPECT_EQ(w[i].wrong, 0);
	}
}

static volatile int ran_on[MAXCPU];
static volatile int busy_stop;

/* Spin (never sleeping) until told to stop, noting each CPU we run on. */
static void
busy_record_cpu(void *arg __unused)
{
	uint64_t end = sched_ticks() + 10 * hz;	/* in case nobody stops us */

	while (!busy_stop && sched_ticks() < end) {
		ran_on[curcpu()->pc_cpuid] = 1;
		cpu_spinwait();
	}
}

static int
cpus_used(void)
{
	int i, used = 0;

	for (i = 0; i < MAXCPU; i++)
		used += ran_on[i];
	return (used);
}

/*
 * Unpinned busy threads spread over every CPU: with twice as many of them
 * as CPUs, no CPU may stay idle while one waits in a run queue.
 *
 * The threads spin until the test stops them, and the test sleeps
 * meanwhile, so its own CPU has nothing else to run.  They used to stop
 * 20 ticks after they started: with 14 or more CPUs, creating them took
 * longer than that (56 ticks for 32 threads on 16 vCPUs), the other CPUs
 * took each thread as it came, and the CPU running the test, busy all
 * along, never had one to take.  No CPU was ever idle with work queued:
 * the scheduler was right and the test was wrong.
 */
KTEST(sched, unpinned_threads_use_every_cpu)
{
	struct thread *td[2 * MAXCPU];
	int i, n = 2 * mp_ncpus;
	uint64_t end;

	busy_stop = 0;
	for (i = 0; i < MAXCPU; i++)
		ran_on[i] = 0;
	for (i = 0; i < n; i++) {
		td[i] = thread_create("busy", busy_record_cpu, NULL);
		KT_ASSERT_NOTNULL(td[i]);
	}
	end = sched_ticks() + 5 * hz;
	while (cpus_used() < mp_ncpus && sched_ticks() < end)
		pause_ticks(1);
	busy_stop = 1;
	for (i = 0; i < n; i++)
		thread_join(td[i]);
	KT_EXPECT_EQ(cpus_used(), mp_ncpus);
}

static struct mtx counter_mtx;
static int counter;

static void
count_with_mutex(void *arg __unused)
{
	int i, v;

	for (i = 0; i < 200; i++) {
		mtx_lock(&counter_mtx);
		v = counter;
		if (i % 16 == 0)
			thread_yield();	/* hold it across a switch */
		counter = v + 1;
		mtx_unlock(&counter_mtx);
	}
}

KTEST(sched, mutex_excludes_across_cpus)
{
	struct thread *td[8];
	int i;

	mtx_init(&counter_mtx, "counter");
	counter = 0;
	for (i = 0; i < 8; i++) {
		td[i] = thread_create("counter", count_with_mutex, NULL);
		KT_ASSERT_NOTNULL(td[i]);
	}
	for (i = 0; i < 8; i++)
		thread_join(td[i]);
	KT_EXPECT_EQ(counter, 8 * 200);
}

KTEST(sched, lock_misuse_panics)
{
	static struct spinlock sl = SPINLOCK_INITIALIZER("test");
	struct kcatch kc;
	struct mtx m;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		spinlock_release(&sl);		/* not held */
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_EQ(spinlock_count(), 0);

	mtx_init(&m, "test");
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		mtx_unlock(&m);			/* not owned */
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_EQ(spinlock_count(), 0);
}

/*
 * A spin lock holder runs with interrupts off, from the first lock to the
 * last release, which restores the state the first lock found (on, or
 * off if the caller had them off).
 */
KTEST(sched, spinlock_disables_interrupts)
{
	static struct spinlock a = SPINLOCK_INITIALIZER("test a");
	static struct spinlock b = SPINLOCK_INITIALIZER("test b");
	bool on0, on1, on2, on3, on4, on5;
	uintptr_t psl;

	on0 = intr_enabled();
	spinlock_acquire(&a);
	on1 = intr_enabled();
	spinlock_acquire(&b);
	on2 = intr_enabled();
	spinlock_release(&b);
	on3 = intr_enabled();
	spinlock_release(&a);
	on4 = intr_enabled();
	psl = intr_disable();
	spinlock_acquire(&a);
	spinlock_release(&a);
	on5 = intr_enabled();
	intr_restore(psl);
	KT_EXPECT_TRUE(on0);		/* tests run with interrupts on */
	KT_EXPECT_FALSE(on1);
	KT_EXPECT_FALSE(on2);
	KT_EXPECT_FALSE(on3);		/* a is still held */
	KT_EXPECT_TRUE(on4);
	KT_EXPECT_FALSE(on5);
}

static void
unpin_unbalanced(void *arg)
{
	struct where *w = arg;
	struct kcatch kc;
	int i;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		sched_unpin();			/* never pinned: must panic */
	kcatch_disarm(&kc);
	w->wrong += (kc.kc_count != 1);
	for (i = 0; i < 20; i++) {		/* and stays bound */
		thread_yield();
		w->wrong += (curcpu()->pc_cpuid != w->cpu);
	}
}

/* sched_unpin without sched_pin panics, and cannot unbind a bound thread. */
KTEST(sched, unbalanced_unpin_panics)
{
	struct where w = { mp_ncpus - 1, 0 };
	struct thread *td;

	td = thread_create_on("unpin", unpin_unbalanced, &w, w.cpu);
	KT_ASSERT_NOTNULL(td);
	thread_join(td);
	KT_EXPECT_EQ(w.wrong, 0);
}
