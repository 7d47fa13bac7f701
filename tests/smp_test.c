/*
 * Suite "smp": every CPU the firmware lists came up, each finds its own
 * per-CPU data, IPIs reach exactly the CPUs they are sent to, rendezvous
 * run once on every CPU asked (also with several callers at once), the
 * local APIC timer ticks on every CPU with a period of 1/hz, and a double
 * fault runs on a stack of its own.
 *
 * The kernel cannot know QEMU's -smp; the runner passes it as "ncpus=N"
 * on the command line, and the count is also checked against the MADT.
 * Handlers run on other CPUs: what they record is atomic, and the boot
 * CPU waits for it with a timeout, so a lost IPI fails instead of hanging.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/intr.h>
#include <kernel/ktest.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <machine/cpufunc.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <x86/x86_var.h>

#define	WAIT_MS		3000		/* for other CPUs to react */
#define	CONCURRENT_RUNS	20

static volatile int hits[MAXCPU];
static volatile int flags_seen[MAXCPU];
static volatile int finished;

static void
hits_clear(void)
{
	memset((void *)hits, 0, sizeof(hits));
	memset((void *)flags_seen, 0, sizeof(flags_seen));
	finished = 0;
}

static void
hit(void *arg __unused)
{
	__atomic_fetch_add(&hits[curcpu()->pc_cpuid], 1, __ATOMIC_RELAXED);
}

/* Wait up to ms milliseconds for *p >= v. */
static bool
wait_for(volatile int *p, int v, int ms)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v && ms-- > 0)
		DELAY(1000);
	return (*p >= v);
}

static cpuset_t
all_cpus(void)
{
	return (cpu_online);
}

static int
self(void)
{
	return (curcpu()->pc_cpuid);
}

KTEST(smp, ncpus_matches_firmware_and_hint)
{
	const char *hint = cmdline_get("ncpus");
	unsigned long long n;

	KT_EXPECT_EQ(mp_ncpus, mp_ncpus_listed);
	KT_EXPECT_EQ(CPU_COUNT(cpu_online), mp_ncpus);
	/* Dense ids: CPUs 0 .. mp_ncpus - 1 and no other. */
	KT_EXPECT_EQ(cpu_online, (cpuset_t)-1 >> (64 - mp_ncpus));
	if (hint == NULL) {
		ktest_diag("no ncpus= on the command line: QEMU -smp unknown");
		return;
	}
	/* More than MAXCPU: the kernel runs on the first MAXCPU (README). */
	n = MIN(strtoull(hint, NULL, 10), (unsigned long long)MAXCPU);
	KT_EXPECT_EQ(mp_ncpus, n);
	KT_EXPECT_EQ(mp_ncpus_listed, n);
}

KTEST(smp, pcpu_records_and_apic_ids_distinct)
{
	struct pcpu *pc, *other;
	int cpu, j;

	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		pc = pcpu_find(cpu);
		KT_EXPECT_EQ(pc->pc_cpuid, cpu);
		KT_EXPECT_TRUE(pc->pc_self == pc);
		for (j = 0; j < cpu; j++) {
			other = pcpu_find(j);
			KT_EXPECT_NE(pc->pc_apic_id, other->pc_apic_id);
		}
	}
	KT_EXPECT_EQ(self(), 0);
	KT_EXPECT_EQ(curcpu()->pc_apic_id, cpu_hwid());
}

/* On each CPU: curcpu() is this CPU's own record, found through the segment. */
static void
check_curcpu(void *arg __unused)
{
	struct pcpu *pc = curcpu();
	int ok = 1;

	ok &= pc->pc_self == pc;
	ok &= pc == pcpu_find(pc->pc_cpuid);
	ok &= pc->pc_apic_id == cpu_hwid();
	flags_seen[pc->pc_cpuid] = ok ? 1 : -1;
	__atomic_fetch_add(&hits[pc->pc_cpuid], 1, __ATOMIC_RELAXED);
}

KTEST(smp, curcpu_is_own_pcpu_everywhere)
{
	int cpu;

	hits_clear();
	smp_rendezvous(all_cpus(), check_curcpu, NULL);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(hits[cpu], 1);
		KT_EXPECT_SEQ(flags_seen[cpu], 1);
	}
}

/* Check that exactly the CPUs of mask ran hit(), once. */
static void
expect_hits(cpuset_t mask)
{
	int cpu;

	for (cpu = 0; cpu < MAXCPU; cpu++)
		KT_EXPECT_EQ(hits[cpu], CPU_ISSET(cpu, mask) ? 1 : 0);
}

KTEST(smp, rendezvous_runs_once_on_each_cpu)
{
	hits_clear();
	smp_rendezvous(all_cpus(), hit, NULL);
	expect_hits(all_cpus());
	hits_clear();
	smp_rendezvous(CPU_MASK(self()), hit, NULL);
	expect_hits(CPU_MASK(self()));
	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	hits_clear();
	smp_rendezvous(all_cpus() & ~CPU_MASK(self()), hit, NULL);
	expect_hits(all_cpus() & ~CPU_MASK(self()));
}

/* Slow on the other CPUs: smp_rendezvous must still wait for them. */
static void
slow_hit(void *arg __unused)
{
	if (curcpu()->pc_cpuid != 0)
		DELAY(5000);
	hit(NULL);
}

KTEST(smp, rendezvous_waits_for_every_cpu)
{
	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	hits_clear();
	smp_rendezvous(all_cpus(), slow_hit, NULL);
	expect_hits(all_cpus());
}

/* IPI_TEST handler: record which CPU took it. */
static void
ipi_test_hit(void *arg __unused)
{
	hit(NULL);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

/* Send to mask, wait for it to be taken, then check nobody else did. */
static void
ipi_check(cpuset_t mask)
{
	uint64_t sent = curcpu()->pc_ipi_sent;

	hits_clear();
	ipi_send(mask, IPI_TEST);
	KT_EXPECT_EQ(curcpu()->pc_ipi_sent - sent, CPU_COUNT(mask));
	KT_EXPECT_TRUE(wait_for(&finished, CPU_COUNT(mask), WAIT_MS));
	DELAY(20000);			/* time for a stray one to land */
	expect_hits(mask);
}

KTEST(smp, ipi_send_reaches_only_its_targets)
{
	cpuset_t odd = 0;
	uint64_t recv[MAXCPU];
	int cpu;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	for (cpu = 1; cpu < mp_ncpus; cpu += 2)
		CPU_SET(cpu, &odd);
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		recv[cpu] = pcpu_find(cpu)->pc_ipi_recv;
	intr_register(IPI_TEST, ipi_test_hit, NULL, "smp test");
	ipi_check(odd);
	ipi_check(CPU_MASK(self()));		/* an IPI to oneself */
	ipi_check(odd | CPU_MASK(self()));
	intr_unregister(IPI_TEST);
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_EXPECT_EQ(pcpu_find(cpu)->pc_ipi_recv - recv[cpu],
		    CPU_ISSET(cpu, odd) ? 2 : cpu == self() ? 2 : 0);
}

KTEST(smp, ipi_broadcast_reaches_all_others)
{
	cpuset_t others = all_cpus() & ~CPU_MASK(self());

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	hits_clear();
	intr_register(IPI_TEST, ipi_test_hit, NULL, "smp test");
	ipi_broadcast(IPI_TEST);
	KT_EXPECT_TRUE(wait_for(&finished, CPU_COUNT(others), WAIT_MS));
	DELAY(20000);
	intr_unregister(IPI_TEST);
	expect_hits(others);
}

/*
 * Every other CPU, from an interrupt handler (interrupts off), and this
 * one from a thread, call smp_rendezvous at the same time, repeatedly.
 */
static void
rendezvous_storm(void *arg __unused)
{
	int i;

	for (i = 0; i < CONCURRENT_RUNS; i++)
		smp_rendezvous(all_cpus(), hit, NULL);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

KTEST(smp, rendezvous_concurrent_callers)
{
	int cpu, total = 0;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	hits_clear();
	intr_register(IPI_TEST, rendezvous_storm, NULL, "smp test");
	ipi_broadcast(IPI_TEST);
	rendezvous_storm(NULL);
	KT_EXPECT_TRUE(wait_for(&finished, mp_ncpus, WAIT_MS));
	intr_unregister(IPI_TEST);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(hits[cpu], mp_ncpus * CONCURRENT_RUNS);
		total += hits[cpu];
	}
	KT_EXPECT_EQ(total, mp_ncpus * mp_ncpus * CONCURRENT_RUNS);
}

/*
 * The timer's rate, against the PIT, measured with the timer's own
 * counter, which runs whether or not its interrupts are taken.  Counting
 * the interrupts taken during a delay would measure the host instead: an
 * emulator that leaves a vCPU (or its timer thread) unscheduled for a
 * while then delivers one tick for all it missed.  Each window is shorter
 * than a tick, interrupts off, the counter read between two PIT reads at
 * each end; a window is thrown away if an end's reads were not back to
 * back or a poll of the PIT took long (the host took the CPU away,
 * possibly for whole PIT or timer wraps, which nothing would count).
 */
#define	RATE_WINDOW	(PIT_HZ / 500)		/* 2 ms, in PIT counts */
#define	RATE_END_GAP	(PIT_HZ / 20000)	/* 50 us */
#define	RATE_STALL	(PIT_HZ / 1000)		/* 1 ms */
#define	RATE_TRIES	200
#define	RATE_SAMPLES	3

/* Timer counts per 1000 PIT counts in one window; 0 if disturbed. */
static uint64_t
timer_rate_sample(void)
{
	uint32_t init, c0, c1;
	uint64_t pit = 0, counts;
	unsigned int d, g0, g1, worst = 0;
	uint16_t last;
	uintptr_t flags;

	flags = intr_disable();
	pit_mark(&last);
	lapic_timer_read(&init, &c0);
	g0 = pit_ticks(&last);
	while (pit < RATE_WINDOW) {
		d = pit_ticks(&last);
		worst = MAX(worst, d);
		pit += d;
	}
	lapic_timer_read(&init, &c1);
	g1 = pit_ticks(&last);
	intr_restore(flags);
	if (g0 > RATE_END_GAP || g1 > RATE_END_GAP || worst > RATE_STALL)
		return (0);
	pit += (g0 + g1) / 2;		/* the counter was read mid-gap */
	/* It counts down from init to 0, then reloads: one wrap at most. */
	counts = c1 <= c0 ? c0 - c1 : (uint64_t)c0 + init + 1 - c1;
	return (counts * 1000 / pit);
}

/*
 * The ratio of this CPU's tick period to 1/hz, in thousandths: the
 * median of RATE_SAMPLES undisturbed windows; 0 if too few were.
 */
static uint64_t
timer_period_ratio(void)
{
	uint64_t r[RATE_SAMPLES], t, expect;
	uint32_t init, cur;
	int i, j, n;

	lapic_timer_read(&init, &cur);
	/* Counts per 1000 PIT counts if init counts last 1/hz. */
	expect = (uint64_t)init * hz * 1000 / PIT_HZ;
	for (i = n = 0; i < RATE_TRIES && n < RATE_SAMPLES; i++)
		if ((t = timer_rate_sample()) != 0)
			r[n++] = t;
	if (n < RATE_SAMPLES || expect == 0)
		return (0);
	for (i = 1; i < n; i++)			/* insertion sort */
		for (j = i; j > 0 && r[j - 1] > r[j]; j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	return (expect * 1000 / r[n / 2]);
}

KTEST(smp, timer_ticks_on_every_cpu)
{
	uint64_t start[MAXCPU], t0, n, ratio;
	int cpu, ms;
	bool all;

	/* Every CPU takes ticks: a lost timer fails; a slow host only waits. */
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		start[cpu] = pcpu_find(cpu)->pc_ticks;
	for (ms = 0, all = false; !all && ms < WAIT_MS; ms += 10) {
		DELAY(10000);
		all = true;
		for (cpu = 0; cpu < mp_ncpus; cpu++)
			all &= pcpu_find(cpu)->pc_ticks >= start[cpu] + 3;
	}
	for (cpu = 0; cpu < mp_ncpus; cpu++)
		KT_EXPECT_GE(pcpu_find(cpu)->pc_ticks, start[cpu] + 3);
	/*
	 * 100 Hz: 20 ticks in 200 ms.  An emulator drops ticks while it does
	 * not run the vCPU, never adds any: more than 30 is too fast.  Pinned:
	 * both counts must be the same CPU's.
	 */
	sched_pin();
	t0 = curcpu()->pc_ticks;
	DELAY(200000);
	n = curcpu()->pc_ticks - t0;
	ratio = timer_period_ratio();
	sched_unpin();
	KT_EXPECT_LE(n, 30);
	/* Too slow or too fast, whatever the host: the period is 1/hz. */
	ktest_diag("tick period: %llu/1000 of 1/hz (PIT)",
	    (unsigned long long)ratio);
	KT_EXPECT_GE(ratio, 900);
	KT_EXPECT_LE(ratio, 1100);
}

/* Point the stack pointer at sp and push: never returns. */
static void __attribute__((noinline, noreturn))
push_below(vaddr_t sp)
{
#ifdef __x86_64__
	__asm__ volatile("cli; movq %0, %%rsp; pushq $0; ud2" : : "r"(sp));
#else
	__asm__ volatile("cli; movl %0, %%esp; pushl $0; ud2" : : "r"(sp));
#endif
	__builtin_unreachable();
}

/*
 * A stack whose page below is unmapped, as a thread's guard page: the
 * push faults, the #PF cannot push its own frame, so a #DF, which must
 * run on its own stack to be caught at all.  Twice: the second proves the
 * #DF path is ready again (i386 resets its task state).
 */
KTEST(smp, double_fault_runs_on_its_own_stack)
{
	volatile int round;
	struct kcatch kc;
	vm_page_t m;
	vaddr_t va;

	va = kva_alloc(2 * PAGE_SIZE);
	KT_ASSERT_NE(va, 0);
	m = vm_page_alloc(VM_ALLOC_WIRED);
	KT_ASSERT_NOTNULL(m);
	pmap_kenter(va + PAGE_SIZE, VM_PAGE_TO_PHYS(m));
	pmap_invalidate_page(va + PAGE_SIZE);
	for (round = 0; round < 2; round++) {
		kcatch_arm(&kc, KCATCH_VEC(T_DOUBLEFLT));
		if (setjmp(kc.kc_jb) == 0)
			push_below(va + PAGE_SIZE);
		kcatch_disarm(&kc);
		KT_EXPECT_EQ(kc.kc_count, 1);
		KT_EXPECT_EQ(kc.kc_vector, T_DOUBLEFLT);
	}
	pmap_kremove(va + PAGE_SIZE);
	pmap_invalidate_page(va + PAGE_SIZE);
	vm_page_unwire(m);
	vm_page_free(m);
	kva_free(va, 2 * PAGE_SIZE);
}
