/*
 * Scheduler and SMP benchmarks (kernel/kbench.h): a context switch, an
 * uncontended spin lock, a sleep/wakeup round trip on one CPU and across
 * two, and a TLB shootdown round to one and to three other CPUs; last,
 * the shootdown IPIs each CPU sent and took since boot.
 *
 * The thread benchmarks bind their threads to CPU 0 (and 1); the runner
 * sleeps in thread_join meanwhile, so nothing else competes.
 * A benchmark that needs more CPUs than are online reports nothing
 * (`make bench` boots with -smp 4 for them).
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/printf.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/testhooks.h>

/* Two threads on the CPU, each yielding to the other. */
static void
yield_timed(void *arg)
{
	unsigned long i, n = (unsigned long)arg;

	kbench_start();
	for (i = 0; i < n; i++)
		thread_yield();
	kbench_stop();
}

static void
yield_untimed(void *arg)
{
	unsigned long i, n = (unsigned long)arg;

	for (i = 0; i < n; i++)
		thread_yield();
}

/* Two threads on cpu; the first is timed; both must be created. */
static void
run_pair(void (*timed)(void *), void (*other)(void *), void *arg,
    int cpu_timed, int cpu_other)
{
	struct thread *a, *b;

	a = thread_create_on("bench a", timed, arg, cpu_timed);
	b = thread_create_on("bench b", other, arg, cpu_other);
	if (a == NULL || b == NULL)
		panic("smp_bench: no memory for two threads");
	thread_join(a);
	thread_join(b);
}

/*
 * Per switch: each of n/2 yields of the timed thread switches to the
 * other thread and back, so the timed interval holds n switches.
 */
KBENCH(ctx_switch_yield, 1000)
{
	run_pair(yield_timed, yield_untimed, (void *)(nops / 2), 0, 0);
}

KBENCH(spinlock_uncontended, 1000)
{
	static struct spinlock sl = SPINLOCK_INITIALIZER("bench");
	unsigned long i;

	kbench_start();
	for (i = 0; i < nops; i++) {
		spinlock_acquire(&sl);
		spinlock_release(&sl);
	}
	kbench_stop();
}

/* Ping-pong: the turn goes back and forth under a sleep mutex. */
static struct pingpong {
	struct mtx	 m;
	int		 turn;		/* 0: the timed thread, 1: the other */
	unsigned long	 n;
} pp;

static void
pingpong_wait(int me)
{
	while (pp.turn != me)
		msleep(&pp.turn, &pp.m, 0, "pingpong", 0);
}

static void
pingpong_pass(int to)
{
	pp.turn = to;
	wakeup(&pp.turn);
}

/* Per round trip: two wakeups, two sleeps, two switches. */
static void
pingpong_timed(void *arg __unused)
{
	unsigned long i;

	mtx_lock(&pp.m);
	kbench_start();
	for (i = 0; i < pp.n; i++) {
		pingpong_pass(1);
		pingpong_wait(0);
	}
	kbench_stop();
	mtx_unlock(&pp.m);
}

static void
pingpong_other(void *arg __unused)
{
	unsigned long i;

	mtx_lock(&pp.m);
	for (i = 0; i < pp.n; i++) {
		pingpong_wait(1);
		pingpong_pass(0);
	}
	mtx_unlock(&pp.m);
}

static void
pingpong(unsigned long n, int cpu_other)
{
	mtx_init(&pp.m, "pingpong");
	pp.turn = 0;
	pp.n = n;
	run_pair(pingpong_timed, pingpong_other, NULL, 0, cpu_other);
}

KBENCH(sleep_wakeup_roundtrip, 500)
{
	pingpong(nops, 0);
}

/* The other thread on CPU 1: the wakeup is an IPI to a halted CPU. */
KBENCH(sleep_wakeup_2cpu, 200)
{
	if (mp_ncpus < 2)
		return;
	pingpong(nops, 1);
}

/* Shootdown rounds from this CPU to ntargets others, all idle. */
static void
shootdown(unsigned long nops, int ntargets)
{
	cpuset_t targets = 0;
	unsigned long i;
	vaddr_t va;
	int cpu;

	if (mp_ncpus < ntargets + 1)
		return;
	if ((va = kva_alloc(PAGE_SIZE)) == 0)
		panic("smp_bench: no KVA");
	sched_pin();		/* thread0 migrates like any thread */
	for (cpu = 0; CPU_COUNT(targets) < ntargets; cpu++)
		if (cpu != curcpu()->pc_cpuid)
			CPU_SET(cpu, &targets);
	kbench_start();
	for (i = 0; i < nops; i++)
		pmap_invalidate_page_mask(va, targets);
	kbench_stop();
	sched_unpin();
	kva_free(va, PAGE_SIZE);
}

KBENCH(shootdown_1, 200)
{
	shootdown(nops, 1);
}

KBENCH(shootdown_3, 200)
{
	shootdown(nops, 3);
}

/* Not timed: each CPU's shootdown IPIs since boot, once. */
KBENCH(shootdown_ipis, 1)
{
	uint64_t sent, received;
	char what[24];
	int cpu;

	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		pmap_tlb_counts(cpu, &sent, &received);
		snprintf(what, sizeof(what), "cpu%d.sent", cpu);
		kbench_report("shootdown_ipis", what, sent);
		snprintf(what, sizeof(what), "cpu%d.received", cpu);
		kbench_report("shootdown_ipis", what, received);
	}
}
