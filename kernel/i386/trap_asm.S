/*
 * i386 interrupt and exception entry.  One 16-byte stub per vector pushes
 * a 0 error code (for vectors where the CPU pushes none) and the vector
 * number, then joins alltraps, which saves the registers as a struct
 * trapframe (machine/frame.h) and calls trap(tf).  The IDT points vector
 * v at trap_stubs + 16 * v.
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
	pushl	$0
	.endif
	pushl	$vector
	jmp	alltraps
	vector = vector + 1
	.endr

alltraps:
	pushal
	cld
	pushl	%esp			/* struct trapframe * */
	call	trap
	addl	$4, %esp
	popal
	addl	$8, %esp		/* vector and error code */
	iret

/*
 * The double-fault task (machdep.c): the task gate of vector 8 switches
 * here, on the #DF TSS's own stack, with the error code (always 0) pushed.
 * The handler reports, or longjmps to a catch; it never returns.
 */
	.globl	dblfault_task
dblfault_task:
	xorl	%ebp, %ebp		/* ends backtraces */
	call	dblfault_handler
1:	cli
	hlt
	jmp	1b
