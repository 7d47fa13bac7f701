/*
 * x86_64 context switch.  cpu_switch(from, to) saves the callee-saved
 * registers on from's stack, stores its stack pointer in from->td_sp
 * (offset 0 of struct thread), loads to's and pops to's registers: the
 * `ret` resumes to where it last called cpu_switch, or, for a new thread,
 * at thread_tramp with the frame cpu_thread_setup() built.
 */
	.text
	.globl	cpu_switch
cpu_switch:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/* First instructions of a new thread: a zero frame pointer ends backtraces. */
	.globl	thread_tramp
thread_tramp:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	thread_start
	ud2
