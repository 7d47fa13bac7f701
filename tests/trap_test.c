/*
 * Suite "trap": exceptions are taken, reported and survived through the
 * catch mechanism (kernel/trap.h), panics and KASSERTs can be caught by
 * tests that expect them, and crash reports can name functions.
 */
#include <kernel/systm.h>
#include <kernel/trap.h>
#include <kernel/ksyms.h>
#include <kernel/ktest.h>
#include <lib/string.h>
#include <machine/cpufunc.h>

void	kmain(uint32_t, uint32_t);

/* Read addr under a page-fault catch; kc says whether it faulted. */
static void __attribute__((noinline))
probe_read(volatile uintptr_t addr, struct kcatch *kc)
{
	kcatch_arm(kc, KCATCH_VEC(T_PAGEFLT));
	if (setjmp(kc->kc_jb) == 0)
		(void)*(volatile char *)addr;
	kcatch_disarm(kc);
}

KTEST(trap, breakpoint_resumes)
{
	struct kcatch kc;

	kcatch_arm_resume(&kc, KCATCH_VEC(T_BPTFLT));
	breakpoint();
	breakpoint();
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 2);
	KT_EXPECT_EQ(kc.kc_vector, T_BPTFLT);
	KT_EXPECT_FALSE(kcatch_armed());
}

KTEST(trap, null_read_faults)
{
	struct kcatch kc;
	volatile int v = 0;

	kcatch_arm(&kc, KCATCH_VEC(T_PAGEFLT));
	if (setjmp(kc.kc_jb) == 0) {
		v = *(volatile int *)0;
		KT_FAIL("read of NULL did not fault");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(v, 0);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_EQ(kc.kc_vector, T_PAGEFLT);
	KT_EXPECT_EQ(kc.kc_addr, 0);
	KT_EXPECT_EQ(kc.kc_err & (PGEX_P | PGEX_W | PGEX_U), 0);
	KT_EXPECT_FALSE(kcatch_armed());
}

KTEST(trap, write_fault_reports_address)
{
	struct kcatch kc;
	volatile uintptr_t bad = 0x1234;

	kcatch_arm(&kc, KCATCH_VEC(T_PAGEFLT));
	if (setjmp(kc.kc_jb) == 0) {
		*(volatile int *)bad = 1;
		KT_FAIL("write to an unmapped page did not fault");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_vector, T_PAGEFLT);
	KT_EXPECT_EQ(kc.kc_addr, 0x1234);
	KT_EXPECT_EQ(kc.kc_err & (PGEX_P | PGEX_W), PGEX_W);
}

KTEST(trap, divide_error_caught)
{
	struct kcatch kc;
	volatile int zero = 0, r = 7;

	kcatch_arm(&kc, KCATCH_VEC(T_DIVIDE));
	if (setjmp(kc.kc_jb) == 0) {
		r = r / zero;
		KT_FAIL("division by zero did not trap");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_vector, T_DIVIDE);
	KT_EXPECT_EQ(r, 7);
}

KTEST(trap, invalid_opcode_caught)
{
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_VEC(T_PRIVINFLT));
	if (setjmp(kc.kc_jb) == 0) {
		__asm__ volatile("ud2");
		KT_FAIL("ud2 did not trap");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_vector, T_PRIVINFLT);
	KT_EXPECT_NE(kc.kc_pc, 0);
}

/* Catching restores the interrupt flag of the setjmp caller. */
KTEST(trap, catch_restores_flags)
{
	struct kcatch kc;
	uintptr_t before = read_flags();

	probe_read(8, &kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_EQ(read_flags() & PSL_I, before & PSL_I);
}

KTEST(trap, panic_caught)
{
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		panic("expected panic %d", 42);
		KT_FAIL("panic returned");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_vector, -1);
	KT_EXPECT_STREQ(kc.kc_msg, "expected panic 42");
}

KTEST(trap, kassert_caught_with_location)
{
	struct kcatch kc;
	volatile int one = 1;
	const char *want = "assertion \"one == 2\" failed at ";

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		KASSERT(one == 2, ("one is %d", one));
		KT_FAIL("KASSERT did not fire");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(strncmp(kc.kc_msg, want, strlen(want)), 0);
	KT_EXPECT_NOTNULL(strchr(kc.kc_msg, ':'));
	KT_EXPECT_EQ(strcmp(kc.kc_msg + strlen(kc.kc_msg) - 8, "one is 1"), 0);
}

/* The innermost catch takes the event; the outer one stays armed. */
KTEST(trap, catches_nest)
{
	struct kcatch outer, inner;

	kcatch_arm(&outer, KCATCH_PANIC | KCATCH_VEC(T_PAGEFLT));
	if (setjmp(outer.kc_jb) == 0) {
		probe_read(16, &inner);
		KT_EXPECT_EQ(inner.kc_count, 1);
		KT_EXPECT_TRUE(kcatch_armed());
		panic("outer");
	}
	kcatch_disarm(&outer);
	KT_EXPECT_EQ(outer.kc_count, 1);
	KT_EXPECT_EQ(outer.kc_vector, -1);
	KT_EXPECT_FALSE(kcatch_armed());
}

KTEST(trap, ksyms_names_functions)
{
	uintptr_t off = 99;
	const char *name;

	name = ksyms_lookup((uintptr_t)kmain, &off);
	KT_ASSERT_NOTNULL(name);
	KT_EXPECT_STREQ(name, "kmain");
	KT_EXPECT_EQ(off, 0);
	name = ksyms_lookup((uintptr_t)kmain + 3, &off);
	KT_EXPECT_STREQ(name, "kmain");
	KT_EXPECT_EQ(off, 3);
	KT_EXPECT_NULL(ksyms_lookup(0x1000, &off));
}

static int __attribute__((noinline))
collect_here(uintptr_t *pcs, int max)
{
	int n = backtrace_collect((uintptr_t)__builtin_frame_address(0), pcs,
	    max);

	__asm__ volatile("" : : : "memory");	/* not a tail call */
	return (n);
}

/* The frame chain from a test reaches the runner and kmain. */
KTEST(trap, backtrace_walks_to_kmain)
{
	uintptr_t pcs[24], off;
	int i, n, runner = 0, top = 0;
	const char *name;

	n = collect_here(pcs, nitems(pcs));
	KT_ASSERT_GE(n, 3);
	name = ksyms_lookup(pcs[0], &off);
	KT_EXPECT_STREQ(name, "ktest_trap_backtrace_walks_to_kmain");
	for (i = 0; i < n; i++) {
		name = ksyms_lookup(pcs[i], &off);
		KT_ASSERT_NOTNULL(name);
		runner += (strcmp(name, "ktest_main") == 0);
		top += (strcmp(name, "kmain") == 0);
	}
	KT_EXPECT_EQ(runner, 1);
	KT_EXPECT_EQ(top, 1);
}
