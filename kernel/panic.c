/*
 * panic(), KASSERT failures and the fatal-trap report.  All three end in
 * crash(): tell the test framework (so the KTAP stream gets its "not ok"
 * and "Bail out!"), print what happened, the registers if there is a trap
 * frame, a symbolic backtrace, and exit QEMU with the failure code.
 */
#include <kernel/systm.h>
#include <kernel/trap.h>
#include <kernel/ktest.h>
#include <kernel/ksyms.h>
#include <kernel/console.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/machdep.h>
#include <lib/printf.h>
#include <machine/cpufunc.h>

static const char	*kassert_expr;
static const char	*kassert_file;
static int		 kassert_line;
static volatile int	 crash_cpu = -1;	/* the CPU reporting a crash */

/* Called by KASSERT just before panic(), so the report can say where. */
void
kassert_where(const char *expr, const char *file, int line)
{
	kassert_expr = expr;
	kassert_file = file;
	kassert_line = line;
}

void
panic(const char *fmt, ...)
{
	char msg[256];
	size_t n = 0;
	va_list ap;

	if (kassert_expr != NULL) {
		n = snprintf(msg, sizeof(msg), "assertion \"%s\" failed at "
		    "%s:%d: ", kassert_expr, kassert_file, kassert_line);
		kassert_expr = NULL;
		if (n >= sizeof(msg))
			n = sizeof(msg) - 1;
	}
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	kcatch_panic(msg);		/* returns only if nobody catches it */
	crash(msg, NULL, (uintptr_t)__builtin_return_address(0),
	    (uintptr_t)__builtin_frame_address(0));
}

void
crash(const char *what, const struct trapframe *tf, uintptr_t pc,
    uintptr_t fp)
{
	int me, first = -1;

	(void)intr_disable();		/* before curcpu(): stay on this CPU */
	me = curcpu()->pc_cpuid;
	if (!__atomic_compare_exchange_n(&crash_cpu, &first, me, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (first != me)	/* another CPU is reporting: let it */
			machine_halt();
		/* A fault inside the report: say so and stop digging. */
		kprintf("\nnested crash: %s\n", what);
		machine_exit(KEXIT_FAIL);
	}
	mp_stop_others();	/* a frozen machine to report on */
	cons_break_lock();
	ktest_crashed(what);
	kprintf("\n%s: %s\n", tf != NULL ? "fatal trap" : "panic", what);
	if (tf != NULL)
		trap_dump_regs(tf);
	backtrace_print(pc, fp);
	kprintf("minnow: stopped by a %s\n", tf != NULL ? "fatal trap" :
	    "panic");
	machine_exit(KEXIT_FAIL);
}
