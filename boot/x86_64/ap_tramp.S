/*
 * x86_64 application processor trampoline.  kernel/x86/mp.c copies the
 * bytes from ap_tramp_start to ap_tramp_end to physical AP_TRAMP_PA, fills
 * in ap_tramp_params there, identity-maps that page, and sends INIT and
 * start-up IPIs.  The AP starts in real mode at CS:IP = AP_TRAMP_PA/16:0
 * with caches off and goes to long mode the way boot/x86_64/entry.S does:
 * protected mode with a GDT of its own (at its copy's address), PAE (the
 * boot CPU's CR4), the kernel PML4 in CR3 (it lives below 4 GiB), LME and
 * NXE in EFER (the kernel's page tables use NX), paging; then a far jump
 * to 64-bit code, its stack, and a call to the kernel's ap_main(), which
 * never returns.
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
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	TRAMP(ap_tramp_params) + TP_EFER, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG_WP, %eax
	movl	%eax, %cr0
	/* Long mode, compatibility mode; this page is mapped at its address. */
	ljmp	$0x18, $TRAMP(tramp64)

	.code64
tramp64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	TRAMP(ap_tramp_params) + TP_STACK, %rsp
	xorl	%ebp, %ebp		/* ends backtraces */
	movq	TRAMP(ap_tramp_params) + TP_ENTRY, %rax
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.p2align 3
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code, base 0, 4 GiB */
	.quad	0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
	.quad	0x00209a0000000000	/* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_desc:
	.short	tramp_gdt_end - tramp_gdt - 1
	.long	TRAMP(tramp_gdt)

	.p2align 3
ap_tramp_params:
	.space	TP_SIZE
ap_tramp_end:
