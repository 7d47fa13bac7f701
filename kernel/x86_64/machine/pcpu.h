/*
 * x86_64 per-CPU data: the machine-dependent fields of struct pcpu (each
 * CPU's own GDT and TSS) and the load behind curcpu().
 *
 * Each CPU's GS base (MSR_GS_BASE) holds the address of its struct pcpu,
 * whose first field, pc_self, points at itself: one %gs-relative load
 * gives the pointer, and the rest is ordinary C.  The kernel never runs
 * user code, so GS never needs swapgs.
 */
#ifndef _MACHINE_PCPU_H_
#define _MACHINE_PCPU_H_

#include <stdint.h>

/* The 64-bit TSS holds no task state, only stack pointers (SDM 7.7). */
struct x86_64_tss {
	uint32_t	tss_rsvd0;
	uint64_t	tss_rsp[3];	/* stacks for rings 0-2: unused */
	uint64_t	tss_rsvd1;
	uint64_t	tss_ist[7];	/* interrupt stack table, IST1 first */
	uint64_t	tss_rsvd2;
	uint16_t	tss_rsvd3;
	uint16_t	tss_iobase;	/* past the limit: no I/O bitmap */
} __attribute__((packed));

#define	NGDT		5	/* null, code, data, TSS (two slots) */

#define	PCPU_MD_FIELDS							\
	uint64_t	 pc_gdt[NGDT];	/* this CPU's GDT */		\
	struct x86_64_tss pc_tss;	/* its IST stacks */		\
	uintptr_t	 pc_dfstack;	/* top of the #DF stack (IST1) */ \
	uintptr_t	 pc_nmistack	/* top of the NMI stack (IST2) */

struct pcpu;

/* Volatile: after a thread switch the same code may run on another CPU. */
static inline struct pcpu *
__curcpu(void)
{
	struct pcpu *pc;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(pc));
	return (pc);
}

/* __PCPU_GET and __PCPU_SET: one gs-relative movq (kernel/x86). */
#define	__PCPU_SEG	"gs"
#define	__PCPU_MOV	"movq"
#define	__PCPU_IMM	"er"		/* a register, or an immediate */
#include <x86/pcpu_access.h>

#endif /* !_MACHINE_PCPU_H_ */
