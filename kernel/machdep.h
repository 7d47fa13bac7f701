/*
 * The machine-dependent services machine-independent kernel code calls.
 * Each architecture (kernel/i386, kernel/x86_64, shared kernel/x86)
 * implements all of them.
 */
#ifndef _KERNEL_MACHDEP_H_
#define _KERNEL_MACHDEP_H_

#include <kernel/systm.h>

struct trapframe;

/* isa-debug-exit values: QEMU exits with (v << 1) | 1, i.e. 33 and 35. */
#define	KEXIT_PASS	0x10
#define	KEXIT_FAIL	0x11

/* Load the GDT and IDT of the boot CPU; traps work afterwards. */
void	cpu_init(void);
/* Print the registers of a trap frame, a few lines. */
void	trap_dump_regs(const struct trapframe *tf);
/* Flush the console, then leave QEMU with code (or halt elsewhere). */
void	machine_exit(int code) __noreturn;
/* Halt this CPU forever with interrupts off. */
void	machine_halt(void) __noreturn;
/* Write a string to QEMU's debug console (port 0xe9); no-op elsewhere. */
void	debugcon_puts(const char *s);
/* Lowest kernel virtual address: frame pointers below it are bogus. */
uintptr_t machine_kva_min(void);
/* Busy-wait at least usec microseconds (x86: the PIT); any CPU. */
void	DELAY(unsigned int usec);

#endif /* !_KERNEL_MACHDEP_H_ */
