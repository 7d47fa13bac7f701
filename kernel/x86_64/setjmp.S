/* x86_64 setjmp/longjmp; see kernel/setjmp.h.  Buffer layout in setjmp.h. */
	.text
	.globl	setjmp
setjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax		/* RSP as it will be after ret */
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax
	movq	%rax, 56(%rdi)
	pushfq
	popq	64(%rdi)
	xorl	%eax, %eax
	ret

	.globl	longjmp
longjmp:
	movl	%esi, %eax
	testl	%eax, %eax		/* longjmp(jb, 0) returns 1, as in C */
	jnz	1f
	incl	%eax
1:	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	pushq	64(%rdi)
	popfq
	jmp	*56(%rdi)
