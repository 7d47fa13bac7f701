/*
 * Suite "crashdemo": planted crashes that show the runner's crash
 * containment.  NOT part of the normal build: tests/demo/crash-demo.sh
 * builds a kernel with this file linked after the boot suite, in its own
 * build directory, and boots it.  The runner must show each crashing test
 * as the one that failed, boot again after it, and every other test of
 * this suite and of the later suites must still run and pass.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <machine/cpufunc.h>

/* Unmapped in both kernels: below the higher half, above low memory. */
#define	DEMO_BAD_ADDR	0x40000000UL

KTEST(crashdemo, passes_before)
{
	KT_EXPECT_EQ(1 + 1, 2);
}

KTEST(crashdemo, page_fault)
{
	volatile int *p = (volatile int *)DEMO_BAD_ADDR;

	*p = 1;				/* fatal trap: page fault */
	KT_FAIL("the write to an unmapped address did not fault");
}

KTEST(crashdemo, passes_between)
{
	KT_EXPECT_EQ(2 + 2, 4);
}

KTEST(crashdemo, panics)
{
	panic("crashdemo: a planted panic");
}

KTEST(crashdemo, hangs)
{
	(void)intr_disable();
	for (;;)			/* the runner's timeout ends this */
		;
}

KTEST(crashdemo, passes_after)
{
	KT_EXPECT_EQ(3 + 3, 6);
}
