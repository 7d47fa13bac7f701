/*
 * i386 per-CPU data: the machine-dependent fields of struct pcpu (each
 * CPU's own GDT and TSSs) and the load behind curcpu().
 *
 * Each CPU's GDT has a data segment whose base is its struct pcpu, loaded
 * in %fs; the first field, pc_self, points at the struct itself, so one
 * %fs-relative load gives the pointer, and the rest is ordinary C.
 *
 * A double fault is handled by a task switch to pc_dftss, which has its
 * own stack: the state at the fault is saved in pc_tss.  Each TSS is 128-
 * byte aligned so that it never straddles a page (SDM 7.2.1 asks for it).
 */
#ifndef _MACHINE_PCPU_H_
#define _MACHINE_PCPU_H_

#include <stdint.h>

struct i386_tss {
	uint32_t	tss_link;	/* previous task, after a task switch */
	uint32_t	tss_esp0, tss_ss0;
	uint32_t	tss_esp1, tss_ss1;
	uint32_t	tss_esp2, tss_ss2;
	uint32_t	tss_cr3;
	uint32_t	tss_eip;
	uint32_t	tss_eflags;
	uint32_t	tss_eax, tss_ecx, tss_edx, tss_ebx;
	uint32_t	tss_esp, tss_ebp, tss_esi, tss_edi;
	uint32_t	tss_es, tss_cs, tss_ss, tss_ds, tss_fs, tss_gs;
	uint32_t	tss_ldt;
	uint16_t	tss_trap;
	uint16_t	tss_iobase;	/* past the limit: no I/O bitmap */
};

/* null, code, data, pcpu (%fs), TSS, #DF TSS */
#define	NGDT		6

#define	PCPU_MD_FIELDS							\
	uint64_t	 pc_gdt[NGDT];	/* this CPU's GDT */		\
	struct i386_tss	 pc_tss __attribute__((aligned(128)));		\
	struct i386_tss	 pc_dftss __attribute__((aligned(128)));	\
	uintptr_t	 pc_dfstack;	/* top of the #DF task's stack */ \
	uintptr_t	 pc_nmistack	/* unused: NMIs use the current stack */

struct pcpu;

/* Volatile: after a thread switch the same code may run on another CPU. */
static inline struct pcpu *
__curcpu(void)
{
	struct pcpu *pc;

	__asm__ volatile("movl %%fs:0, %0" : "=r"(pc));
	return (pc);
}

/* __PCPU_GET and __PCPU_SET: one fs-relative movl (kernel/x86). */
#define	__PCPU_SEG	"fs"
#define	__PCPU_MOV	"movl"
#define	__PCPU_IMM	"ir"		/* a register, or an immediate */
#include <x86/pcpu_access.h>

#endif /* !_MACHINE_PCPU_H_ */
