/*
 * Leaving the machine: QEMU's isa-debug-exit device (iobase 0xf4) turns a
 * write of v into QEMU's exit code (v << 1) | 1; and QEMU's debug console
 * on port 0xe9, which the test runner reads to learn which test started
 * last (it stays out of the KTAP stream on COM1).
 */
#include <kernel/systm.h>
#include <kernel/console.h>
#include <kernel/machdep.h>
#include <x86/cpufunc.h>

#define	DEBUG_EXIT_PORT	0xf4
#define	DEBUGCON_PORT	0xe9

void
machine_halt(void)
{
	for (;;) {
		disable_intr();
		halt();
	}
}

void
machine_exit(int code)
{
	cons_hw_drain();
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	/* Still here: no exit device (GRUB on real hardware, Bochs). */
	kprintf("minnow: exit code %#x; no isa-debug-exit device, halting\n",
	    code);
	cons_hw_drain();
	machine_halt();
}

void
debugcon_puts(const char *s)
{
	while (*s != '\0')
		outb(DEBUGCON_PORT, (uint8_t)*s++);
}
