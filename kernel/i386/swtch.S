/*
 * i386 context switch.  cpu_switch(from, to) saves the callee-saved
 * registers on from's stack, stores its stack pointer in from->td_sp
 * (offset 0 of struct thread), loads to's and pops to's registers: the
 * `ret` resumes to where it last called cpu_switch, or, for a new thread,
 * at thread_tramp with the frame cpu_thread_setup() built.
 */
	.text
	.globl	cpu_switch
cpu_switch:
	movl	4(%esp), %eax		/* from */
	movl	8(%esp), %edx		/* to */
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	pushl	%ebp
	movl	%esp, (%eax)
	movl	(%edx), %esp
	popl	%ebp
	popl	%edi
	popl	%esi
	popl	%ebx
	ret

/* First instructions of a new thread: a zero frame pointer ends backtraces. */
	.globl	thread_tramp
thread_tramp:
	xorl	%ebp, %ebp
	call	thread_start
	ud2
