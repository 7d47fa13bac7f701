/*
 * x86 interrupt vector assignments (the IDT has 256 vectors; 0-31 are
 * exceptions).  The local APIC ranks vectors by priority class, the high
 * nibble: IPIs and the timer sit in the top classes so that they are not
 * held up behind device interrupts, which will use 0x20-0xdf.
 */
#ifndef _X86_INTR_MACHDEP_H_
#define _X86_INTR_MACHDEP_H_

#define	NIDT		256
#define	IDT_IO_FIRST	0x20		/* first interrupt (non-exception) */
#define	IDT_LEGACY_PIC	0x20		/* 8259 IRQs 0-15, remapped, masked */
#define	IDT_LAPIC_TIMER	0xe0		/* local APIC timer, every CPU */

/* Inter-processor interrupts: ipi_send() takes IPI_FIRST .. IPI_LAST. */
#define	IPI_FIRST	0xf0
#define	IPI_RENDEZVOUS	0xf0		/* smp_rendezvous(), TLB shootdowns too */
#define	IPI_RESCHED	0xf1		/* the scheduler: switch (sched_add) */
#define	IPI_STOP	0xf3		/* stop the other CPUs (crash report) */
#define	IPI_TEST	0xfd		/* free: the self-tests use it */
#define	IPI_LAST	0xfd

#define	IDT_LAPIC_ERROR	0xfe		/* local APIC error (ESR) */
#define	IDT_SPURIOUS	0xff		/* APIC spurious: no EOI, ignored */

#endif /* !_X86_INTR_MACHDEP_H_ */
