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

/*
 * One pointer-sized field of this CPU's struct pcpu, in one %gs-relative
 * load that an interrupt cannot split (FreeBSD's __PCPU_GET).  curthread
 * needs it: curcpu()->pc_curthread is two loads, and a thread preempted
 * and moved to another CPU between them reads the old CPU's thread.
 */
#define	__PCPU_GET(field) __extension__ ({				\
	__typeof__(((struct pcpu *)0)->field) __res;			\
									\
	_Static_assert(sizeof(__res) == sizeof(void *),			\
	    "__PCPU_GET reads pointer-sized fields");			\
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(__res)		\
	    : "i"(__builtin_offsetof(struct pcpu, field)));		\
	__res;								\
})

/* Store to one pointer-sized field of this CPU's struct pcpu, likewise. */
#define	__PCPU_SET(field, val) do {					\
	__typeof__(((struct pcpu *)0)->field) __val = (val);		\
									\
	_Static_assert(sizeof(__val) == sizeof(void *),			\
	    "__PCPU_SET writes pointer-sized fields");			\
	__asm__ volatile("movq %0, %%gs:%c1" : : "er"(__val),		\
	    "i"(__builtin_offsetof(struct pcpu, field)) : "memory");	\
} while (0)

#endif /* !_MACHINE_PCPU_H_ */
