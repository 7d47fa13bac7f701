/*
 * i386 kernel entry.  A multiboot loader jumps here in 32-bit protected
 * mode with paging off, EAX = loader magic, EBX = physical address of the
 * multiboot information.
 *
 * We build one boot page directory of 4 MiB (PSE) pages that maps
 *   - virtual 0 .. 3 GiB to physical 0 .. 3 GiB (identity), so that the
 *     multiboot information can be read wherever the loader put it, and
 *   - virtual KERNBASE .. 4 GiB to physical 0 .. 1 GiB, the kernel's home,
 * then jump to the higher half and call kmain(magic, info).  pmap takes
 * the identity part away once boot information has been copied.
 */
#include <machine/param.h>

#define	V2P(x)		((x) - KERNBASE)
#define	MB1_BOOT_MAGIC	0x2badb002
#define	MB2_BOOT_MAGIC	0x36d76289
#define	PDE_PSW		0x83		/* present, writable, 4 MiB page */
#define	CR0_PG_WP	0x80010000
#define	CR4_PSE		0x10
#define	KPDE_FIRST	(KERNBASE >> 22)	/* 768 */

	.section .boot.text, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	$V2P(boot_stack_top), %esp
	cmpl	$MB1_BOOT_MAGIC, %eax
	je	1f
	cmpl	$MB2_BOOT_MAGIC, %eax
	je	1f
	movl	$V2P(boot_msg_magic), %esi
	jmp	boot_fail
1:	movl	%eax, V2P(boot_magic)
	movl	%ebx, V2P(boot_info_pa)

	/* PDE[i] maps i * 4 MiB below KERNBASE, (i - 768) * 4 MiB above. */
	movl	$V2P(boot_pgdir), %edi
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	cmpl	$KPDE_FIRST, %eax
	jb	3f
	subl	$KPDE_FIRST, %eax
3:	shll	$22, %eax
	orl	$PDE_PSW, %eax
	movl	%eax, (%edi, %ecx, 4)
	incl	%ecx
	cmpl	$1024, %ecx
	jb	2b

	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4
	movl	%edi, %cr3
	movl	%cr0, %eax
	orl	$CR0_PG_WP, %eax
	movl	%eax, %cr0
	movl	$high, %eax
	jmp	*%eax

	.text
high:
	movl	$boot_stack_top, %esp
	xorl	%ebp, %ebp		/* ends backtraces */
	pushl	boot_info_pa
	pushl	boot_magic
	call	kmain
4:	cli
	hlt
	jmp	4b

	.data
	.p2align 2
boot_magic:	.long 0
boot_info_pa:	.long 0

	.bss
	.p2align 12
	.globl	boot_pgdir
boot_pgdir:
	.space	PAGE_SIZE
	.globl	boot_stack, boot_stack_top
boot_stack:
	.space	KSTACK_SIZE
boot_stack_top:
