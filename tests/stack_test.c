/*
 * Suite "stack": a thread that overflows its kernel stack runs into the
 * unmapped guard page below it (kernel/kstack.c) and the kernel says so,
 * instead of corrupting memory silently.
 *
 * The #PF on the guard page cannot push its frame (the stack pointer is
 * in the guard page too), so the CPU raises a #DF, which runs on a stack
 * of its own (x86_64: IST1; i386: the #DF task).  The tests recurse until
 * that happens, on every CPU, and catch it twice in a row: once as the
 * trap (kcatch on T_DOUBLEFLT) and once as the panic the fatal-trap
 * report turns it into ("kernel stack overflow in thread NAME (guard page
 * at ADDR)").  The catch longjmps back to the thread's setjmp, far above
 * the guard page; the thread must then still schedule, take interrupts,
 * exit and be joined.
 *
 * The recursion runs with interrupts off: an interrupt delivered while
 * the stack pointer is in the guard page would fault the same way, and
 * as it never reached its handler, the local APIC would never get its
 * EOI and would block that priority class from then on.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>

#define	ROUNDS		2	/* the second proves the #DF path was reset */
#define	EXIT_VALUE	0x5ac
#define	TICK_WAIT_MS	2000

enum ovf_how {
	OVF_TRAP,		/* catch the #DF (and #PF, panic) */
	OVF_PANIC,		/* catch only panics: the fatal report's */
};

/* What one overflow looked like, recorded by the thread. */
struct ovf_round {
	int		 caught;	/* the catch took it */
	bool		 ran_past;	/* recursed below the guard, no fault */
	int		 vector;	/* kc_vector */
	uintptr_t	 addr;		/* kc_addr */
	char		 msg[160];	/* kc_msg */
	uintptr_t	 sp_after;	/* a local, after the longjmp */
	bool		 intr_after;	/* interrupts back on */
	int		 spins_after;	/* spin locks held afterwards */
	int		 cpu_after;
};

struct ovf {
	enum ovf_how	 how;
	int		 cpu;		/* the thread is bound to it */
	vaddr_t		 guard;		/* its guard page */
	vaddr_t		 stack_top;
	paddr_t		 guard_pa;	/* pmap_extract(guard) */
	bool		 ticks_after;	/* its CPU's timer still ticks */
	struct ovf_round r[ROUNDS];
};

/*
 * Recurse until the guard page stops us; returns only if it does not.
 * The frame is read after the call returns (a separate statement, so
 * sequenced after it): the compiler cannot turn this into a loop.
 */
static int __attribute__((noinline))
recurse(vaddr_t guard, int depth)
{
	volatile char frame[64];
	int r;

	/* Below the guard page without a fault: it is mapped. */
	if ((vaddr_t)frame < guard)
		return (-1);
	frame[0] = (char)depth;
	r = recurse(guard, depth + 1);
	return (r < 0 ? r : r + frame[0]);
}

static uint32_t
ovf_mask(enum ovf_how how)
{
	if (how == OVF_PANIC)
		return (KCATCH_PANIC);
	return (KCATCH_VEC(T_DOUBLEFLT) | KCATCH_VEC(T_PAGEFLT) |
	    KCATCH_PANIC);
}

/* One overflow, caught; record what the catch saw and the state after. */
static void __attribute__((noinline))
ovf_round(struct ovf *o, struct ovf_round *r)
{
	struct kcatch kc;
	uintptr_t flags;
	char here;

	kcatch_arm(&kc, ovf_mask(o->how));
	if (setjmp(kc.kc_jb) == 0) {
		flags = intr_disable();
		r->ran_past = recurse(o->guard, 0) < 0;
		intr_restore(flags);
	}
	kcatch_disarm(&kc);
	r->caught = kc.kc_count;
	r->vector = kc.kc_vector;
	r->addr = kc.kc_addr;
	strlcpy(r->msg, kc.kc_msg, sizeof(r->msg));
	r->sp_after = (uintptr_t)&here;
	r->intr_after = (read_flags() & PSL_I) != 0;
	r->spins_after = spinlock_count();
	r->cpu_after = curcpu()->pc_cpuid;
}

/* Does this CPU still take timer interrupts? */
static bool
timer_ticks_here(void)
{
	uint64_t t0 = curcpu()->pc_ticks;
	int ms;

	for (ms = 0; ms < TICK_WAIT_MS; ms++) {
		if (curcpu()->pc_ticks > t0)
			return (true);
		DELAY(1000);
	}
	return (false);
}

static void
ovf_thread(void *arg)
{
	struct ovf *o = arg;
	struct thread *td = curthread;
	int i;

	o->guard = td->td_kstack - PAGE_SIZE;
	o->stack_top = td->td_kstack + td->td_kstack_size;
	o->guard_pa = pmap_extract(o->guard);
	for (i = 0; i < ROUNDS; i++) {
		ovf_round(o, &o->r[i]);
		thread_yield();		/* the scheduler still works */
	}
	o->ticks_after = timer_ticks_here();
	thread_exit(EXIT_VALUE);
}

/* Overflow a thread bound to each CPU in turn; each is joined normally. */
static void
ovf_on_every_cpu(struct ovf *o, enum ovf_how how)
{
	struct thread *td;
	int cpu;

	memset(o, 0, MAXCPU * sizeof(*o));
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		o[cpu].how = how;
		o[cpu].cpu = cpu;
		td = thread_create_on("overflow", ovf_thread, &o[cpu], cpu);
		KT_ASSERT_NOTNULL(td);
		KT_EXPECT_EQ(thread_join(td), EXIT_VALUE);
	}
}

/* Checks common to both ways of catching it. */
static void
expect_recovered(const struct ovf *o, const struct ovf_round *r)
{
	KT_EXPECT_EQ(r->caught, 1);
	KT_EXPECT_FALSE(r->ran_past);
	/* The longjmp went back up, well above the guard page. */
	KT_EXPECT_GE(r->sp_after, o->guard + 2 * PAGE_SIZE);
	KT_EXPECT_LT(r->sp_after, o->stack_top);
	KT_EXPECT_TRUE(r->intr_after);
	KT_EXPECT_EQ(r->spins_after, 0);
	KT_EXPECT_EQ(r->cpu_after, o->cpu);
}

static struct ovf ovf[MAXCPU];

KTEST(stack, overflow_caught_as_double_fault)
{
	int cpu, i;

	ovf_on_every_cpu(ovf, OVF_TRAP);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_EQ(ovf[cpu].guard_pa, PMAP_NO_PA);
		KT_EXPECT_TRUE(ovf[cpu].ticks_after);
		for (i = 0; i < ROUNDS; i++) {
			expect_recovered(&ovf[cpu], &ovf[cpu].r[i]);
			KT_EXPECT_EQ(ovf[cpu].r[i].vector, T_DOUBLEFLT);
			/* CR2: the #PF behind it hit the guard page. */
			KT_EXPECT_GE(ovf[cpu].r[i].addr, ovf[cpu].guard);
			KT_EXPECT_LT(ovf[cpu].r[i].addr,
			    ovf[cpu].guard + PAGE_SIZE);
		}
	}
}

KTEST(stack, overflow_reported_as_stack_overflow)
{
	char want[96];
	int cpu, i;

	ovf_on_every_cpu(ovf, OVF_PANIC);
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		KT_EXPECT_TRUE(ovf[cpu].ticks_after);
		snprintf(want, sizeof(want), "kernel stack overflow in thread "
		    "overflow (guard page at %p): ", (void *)ovf[cpu].guard);
		for (i = 0; i < ROUNDS; i++) {
			expect_recovered(&ovf[cpu], &ovf[cpu].r[i]);
			KT_EXPECT_SEQ(ovf[cpu].r[i].vector, -1);
			KT_EXPECT_EQ(strncmp(ovf[cpu].r[i].msg, want,
			    strlen(want)), 0);
			KT_EXPECT_TRUE(strstr(ovf[cpu].r[i].msg,
			    "double fault (#DF)"));
			if (cpu == 0 && i == 0)
				ktest_diag("%s", ovf[cpu].r[i].msg);
		}
	}
}

/* thread_stack_guard_hit(): exactly the guard page of the running thread. */
static void
guard_bounds(void *arg)
{
	volatile int *ok = arg;
	vaddr_t stack = curthread->td_kstack;

	*ok = thread_stack_guard_hit(stack - PAGE_SIZE) &&
	    thread_stack_guard_hit(stack - 1) &&
	    !thread_stack_guard_hit(stack - PAGE_SIZE - 1) &&
	    !thread_stack_guard_hit(stack) &&
	    !thread_stack_guard_hit((uintptr_t)&stack);
}

KTEST(stack, guard_hit_is_the_running_threads_guard)
{
	volatile int ok = -1;
	struct thread *td;
	char here;

	td = thread_create("guard", guard_bounds, (void *)&ok);
	KT_ASSERT_NOTNULL(td);
	thread_join(td);
	KT_EXPECT_SEQ(ok, 1);
	/* thread0 runs on the boot stack, which has no guard page. */
	KT_EXPECT_FALSE(thread_stack_guard_hit((uintptr_t)&here));
	KT_EXPECT_FALSE(thread_stack_guard_hit(curthread->td_kstack - 1));
}
