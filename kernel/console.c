/*
 * Kernel console output: kprintf() on top of the one formatting engine in
 * lib/printf.c, sent character by character to the hardware console.
 *
 * Once several CPUs run, each kprintf() holds the console lock, so lines
 * from different CPUs do not interleave character by character.  The lock
 * is recursive (a fault inside kprintf may print its report) and a crash
 * takes it over (cons_break_lock), so the report is never stuck behind a
 * CPU that died holding it.
 */
#include <kernel/systm.h>
#include <kernel/console.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <lib/printf.h>
#include <machine/cpufunc.h>

static volatile int	cons_owner = -1;	/* CPU id, or -1 */
static int		cons_depth;

/* More than one CPU online: before that there is nothing to exclude. */
static bool
cons_shared(void)
{
	cpuset_t on = cpu_online;

	return ((on & (on - 1)) != 0);
}

static uintptr_t
cons_lock(void)
{
	uintptr_t flags = intr_disable();
	int me, free = -1;

	if (!cons_shared())
		return (flags);
	me = curcpu()->pc_cpuid;
	if (cons_owner != me)
		while (!__atomic_compare_exchange_n(&cons_owner, &free, me,
		    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			free = -1;
			cpu_spinwait();
		}
	cons_depth++;
	return (flags);
}

static void
cons_unlock(uintptr_t flags)
{
	if (cons_shared() && cons_owner == curcpu()->pc_cpuid &&
	    --cons_depth == 0)
		__atomic_store_n(&cons_owner, -1, __ATOMIC_RELEASE);
	intr_restore(flags);
}

void
cons_break_lock(void)
{
	cons_depth = 0;
	__atomic_store_n(&cons_owner, -1, __ATOMIC_RELEASE);
}

void
cons_init(void)
{
	cons_hw_init();
}

void
cons_putc(int c)
{
	if (c == '\n')
		cons_hw_putc('\r');
	cons_hw_putc(c);
}

void
cons_puts(const char *s)
{
	while (*s != '\0')
		cons_putc(*s++);
}

static void
kprintf_putc(int c, void *arg __unused)
{
	cons_putc(c);
}

int
vkprintf(const char *fmt, va_list ap)
{
	uintptr_t flags = cons_lock();
	int n;

	n = kvformat(kprintf_putc, NULL, fmt, ap);
	cons_unlock(flags);
	return (n);
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return (n);
}
