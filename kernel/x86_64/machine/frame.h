/*
 * x86_64 trap frame, as built by the vector stubs and alltraps in
 * trap_asm.S.  In long mode the CPU always pushes RSP and SS.
 */
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#include <stdint.h>

struct trapframe {
	uint64_t	tf_r15;		/* pushed by alltraps, last first */
	uint64_t	tf_r14;
	uint64_t	tf_r13;
	uint64_t	tf_r12;
	uint64_t	tf_r11;
	uint64_t	tf_r10;
	uint64_t	tf_r9;
	uint64_t	tf_r8;
	uint64_t	tf_rbp;
	uint64_t	tf_rdi;
	uint64_t	tf_rsi;
	uint64_t	tf_rdx;
	uint64_t	tf_rcx;
	uint64_t	tf_rbx;
	uint64_t	tf_rax;
	uint64_t	tf_trapno;	/* pushed by the vector stub */
	uint64_t	tf_err;		/* CPU's error code, or 0 */
	uint64_t	tf_rip;		/* pushed by the CPU */
	uint64_t	tf_cs;
	uint64_t	tf_rflags;
	uint64_t	tf_rsp;
	uint64_t	tf_ss;
};

#define	TF_PC(tf)	((tf)->tf_rip)
#define	TF_FP(tf)	((tf)->tf_rbp)
#define	TF_SP(tf)	((tf)->tf_rsp)
#define	TF_FLAGS(tf)	((tf)->tf_rflags)

/* Callee-saved registers cpu_switch (swtch.S) pushes. */
#define	SWITCH_NREGS	6	/* rbx rbp r12-r15 */

#endif /* !_MACHINE_FRAME_H_ */
