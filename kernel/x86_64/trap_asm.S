/*
 * x86_64 interrupt and exception entry.  One 16-byte stub per vector
 * pushes a 0 error code (for vectors where the CPU pushes none) and the
 * vector number, then joins alltraps, which saves the registers as a
 * struct trapframe (machine/frame.h) and calls trap(tf).  The IDT points
 * vector v at trap_stubs + 16 * v.  The CPU aligns RSP to 16 before it
 * pushes the frame, and the frame is 176 bytes, so the call is aligned.
 */
	.text
	.p2align 4
	.globl	trap_stubs
trap_stubs:
	vector = 0
	.rept	256
	.p2align 4
	/* The CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30. */
	.if !(vector == 8 || (vector >= 10 && vector <= 14) || \
	    vector == 17 || vector == 21 || vector == 29 || vector == 30)
	pushq	$0
	.endif
	pushq	$vector
	jmp	alltraps
	vector = vector + 1
	.endr

alltraps:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi		/* struct trapframe * */
	call	trap
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq
