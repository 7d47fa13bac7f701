/*
 * Kernel console output: kprintf() on top of the one formatting engine in
 * lib/printf.c, sent character by character to the hardware console.
 */
#include <kernel/systm.h>
#include <kernel/console.h>
#include <lib/printf.h>

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
	return (kvformat(kprintf_putc, NULL, fmt, ap));
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
