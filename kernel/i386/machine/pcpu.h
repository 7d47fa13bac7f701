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

/*
 * One pointer-sized field of this CPU's struct pcpu, in one %fs-relative
 * load that an interrupt cannot split (FreeBSD's __PCPU_GET).  curthread
 * needs it: curcpu()->pc_curthread is two loads, and a thread preempted
 * and moved to another CPU between them reads the old CPU's thread.
 */
#define	__PCPU_GET(field) __extension__ ({				\
	__typeof__(((struct pcpu *)0)->field) __res;			\
									\
	_Static_assert(sizeof(__res) == sizeof(void *),			\
	    "__PCPU_GET reads pointer-sized fields");			\
	__asm__ volatile("movl %%fs:%c1, %0" : "=r"(__res)		\
	    : "i"(__builtin_offsetof(struct pcpu, field)));		\
	__res;								\
})

/* Store to one pointer-sized field of this CPU's struct pcpu, likewise. */
#define	__PCPU_SET(field, val) do {					\
	__typeof__(((struct pcpu *)0)->field) __val = (val);		\
									\
	_Static_assert(sizeof(__val) == sizeof(void *),			\
	    "__PCPU_SET writes pointer-sized fields");			\
	__asm__ volatile("movl %0, %%fs:%c1" : : "ir"(__val),		\
	    "i"(__builtin_offsetof(struct pcpu, field)) : "memory");	\
} while (0)

#endif /* !_MACHINE_PCPU_H_ */
