/*
 * i386 trap frame, as built by the vector stubs and alltraps in trap_asm.S.
 * The kernel runs only in ring 0, so the CPU pushes no ESP/SS: the stack
 * pointer at the time of the trap is the address just past tf_eflags.
 */
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#include <stdint.h>

struct trapframe {
	uint32_t	tf_edi;		/* pushal, lowest address first */
	uint32_t	tf_esi;
	uint32_t	tf_ebp;
	uint32_t	tf_isp;		/* pushal's copy of ESP: ignored */
	uint32_t	tf_ebx;
	uint32_t	tf_edx;
	uint32_t	tf_ecx;
	uint32_t	tf_eax;
	uint32_t	tf_trapno;	/* pushed by the vector stub */
	uint32_t	tf_err;		/* CPU's error code, or 0 */
	uint32_t	tf_eip;		/* pushed by the CPU */
	uint32_t	tf_cs;
	uint32_t	tf_eflags;
};

#define	TF_PC(tf)	((tf)->tf_eip)
#define	TF_FP(tf)	((tf)->tf_ebp)
#define	TF_SP(tf)	((uintptr_t)&(tf)->tf_eflags + sizeof(uint32_t))
#define	TF_FLAGS(tf)	((tf)->tf_eflags)

/* Callee-saved registers cpu_switch (swtch.S) pushes. */
#define	SWITCH_NREGS	4	/* ebx esi edi ebp */

#endif /* !_MACHINE_FRAME_H_ */
