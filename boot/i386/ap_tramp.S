/*
 * i386 application processor trampoline.  kernel/x86/mp.c copies the
 * bytes from ap_tramp_start to ap_tramp_end to physical AP_TRAMP_PA, fills
 * in ap_tramp_params there, identity-maps that page, and sends INIT and
 * start-up IPIs.  The AP starts in real mode at CS:IP = AP_TRAMP_PA/16:0
 * with caches off, enters protected mode with a flat GDT of its own (at
 * its copy's address), turns on the kernel's paging (CR4 first: the
 * kernel page directory uses 4 MiB pages), takes its stack and calls the
 * kernel's ap_main(), which never returns.
 *
 * The code is assembled here but runs only from the copy: every address
 * is computed as TRAMP(label), the label's address in the copy.
 */
#include <x86/x86_var.h>

#define	TRAMP(x)	((x) - ap_tramp_start + AP_TRAMP_PA)
#define	CR0_PE		0x00000001
#define	CR0_CD_NW	0x60000000	/* caches disabled: so after INIT */
#define	CR0_PG_WP	0x80010000

	.section .rodata
	.p2align 4
	.globl	ap_tramp_start, ap_tramp_end, ap_tramp_params
ap_tramp_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tramp_gdt_desc - ap_tramp_start
	movl	%cr0, %eax
	andl	$~CR0_CD_NW, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $TRAMP(tramp32)

	.code32
tramp32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	TRAMP(ap_tramp_params) + TP_CR4, %eax
	movl	%eax, %cr4
	movl	TRAMP(ap_tramp_params) + TP_CR3, %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$CR0_PG_WP, %eax
	movl	%eax, %cr0
	/* Paging is on; this page is mapped at its own address. */
	movl	TRAMP(ap_tramp_params) + TP_STACK, %esp
	xorl	%ebp, %ebp		/* ends backtraces */
	movl	TRAMP(ap_tramp_params) + TP_ENTRY, %eax
	call	*%eax
1:	cli
	hlt
	jmp	1b

	.p2align 3
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB */
	.quad	0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
tramp_gdt_end:
tramp_gdt_desc:
	.short	tramp_gdt_end - tramp_gdt - 1
	.long	TRAMP(tramp_gdt)

	.p2align 3
ap_tramp_params:
	.space	TP_SIZE
ap_tramp_end:
