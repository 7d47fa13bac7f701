/*
 * x86_64 kernel entry.  A multiboot loader jumps to _start in 32-bit
 * protected mode with paging off, EAX = loader magic, EBX = physical
 * address of the multiboot information.  We check for long mode, build
 * boot page tables of 2 MiB pages that map
 *   - virtual 0 .. 4 GiB to physical 0 .. 4 GiB (identity), so the
 *     multiboot information can be read wherever the loader put it, and
 *   - virtual KERNBASE .. KERNBASE + 2 GiB to physical 0 .. 2 GiB
 *     (the top 2 GiB, where -mcmodel=kernel code must live),
 * enable PAE, long mode and NX (when the CPU has it), load a 64-bit GDT,
 * and jump to kmain(magic, info) in the higher half.  pmap replaces these
 * tables once boot information has been copied.
 */
#include <machine/param.h>

#define	V2P(x)		((x) - KERNBASE)
#define	MB1_BOOT_MAGIC	0x2badb002
#define	MB2_BOOT_MAGIC	0x36d76289
#define	PG_PW		0x03		/* present, writable */
#define	PG_PWPS		0x83		/* present, writable, large page */
#define	CR0_PG_WP	0x80010000
#define	CR4_PAE		0x20
#define	MSR_EFER	0xc0000080
#define	EFER_LME	0x100
#define	EFER_NXE	0x800

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

	/* Long mode is CPUID 0x80000001 EDX bit 29; NX is bit 20. */
	call	boot_has_cpuid
	testl	%eax, %eax
	jz	no_long_mode
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode
	movl	$EFER_LME, %edi
	btl	$20, %edx
	jnc	2f
	orl	$EFER_NXE, %edi
2:	call	build_boot_tables

	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$V2P(boot_pml4), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	%edi, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG_WP, %eax
	movl	%eax, %cr0
	lgdt	V2P(boot_gdt_desc)
	ljmp	$0x08, $V2P(start64)

no_long_mode:
	movl	$V2P(msg_no_lm), %esi
	jmp	boot_fail

/*
 * Four page directories of 2 MiB pages cover 0 .. 4 GiB; the low PDPT
 * points at all four, the high PDPT's last two slots at the first two.
 */
build_boot_tables:
	movl	$V2P(boot_pd), %ebx
	xorl	%ecx, %ecx
3:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$PG_PWPS, %eax
	movl	%eax, (%ebx, %ecx, 8)
	movl	$0, 4(%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	3b
	xorl	%ecx, %ecx
4:	movl	%ecx, %eax
	shll	$12, %eax
	leal	PG_PW(%ebx, %eax), %eax
	movl	%eax, V2P(boot_pdpt_lo)(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	4b
	leal	PG_PW(%ebx), %eax
	movl	%eax, V2P(boot_pdpt_hi) + 510 * 8
	addl	$PAGE_SIZE, %eax
	movl	%eax, V2P(boot_pdpt_hi) + 511 * 8
	movl	$V2P(boot_pdpt_lo) + PG_PW, V2P(boot_pml4)
	movl	$V2P(boot_pdpt_hi) + PG_PW, V2P(boot_pml4) + 511 * 8
	ret

	.code64
start64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$high, %rax
	jmp	*%rax

	.text
high:
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp		/* ends backtraces */
	movl	boot_magic(%rip), %edi
	movl	boot_info_pa(%rip), %esi
	call	kmain
5:	cli
	hlt
	jmp	5b

	.section .rodata
msg_no_lm:
	.asciz	"Minnow: this CPU has no long mode; boot the i386 kernel instead. Halting.\r\n"
	.p2align 3
boot_gdt:
	.quad	0
	.quad	0x00209a0000000000	/* 0x08: 64-bit code */
	.quad	0x0000920000000000	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.short	boot_gdt_end - boot_gdt - 1
	.long	V2P(boot_gdt)

	.data
	.p2align 2
boot_magic:	.long 0
boot_info_pa:	.long 0

	.bss
	.p2align 12
	.globl	boot_pml4, boot_pdpt_lo, boot_pdpt_hi, boot_pd
boot_pml4:	.space PAGE_SIZE
boot_pdpt_lo:	.space PAGE_SIZE
boot_pdpt_hi:	.space PAGE_SIZE
boot_pd:	.space 4 * PAGE_SIZE
	.globl	boot_stack, boot_stack_top
boot_stack:	.space KSTACK_SIZE
boot_stack_top:
