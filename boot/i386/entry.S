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
 *
 * First, cpu_check makes sure the CPU has what the kernel uses before it
 * uses it: this code needs PSE, and gcc -march=i686 may put cmov in any
 * C function.  On a 486 or a Pentium it names what is missing and stops.
 */
#include <machine/param.h>

#define	V2P(x)		((x) - KERNBASE)
#define	MB1_BOOT_MAGIC	0x2badb002
#define	MB2_BOOT_MAGIC	0x36d76289
#define	PDE_PSW		0x83		/* present, writable, 4 MiB page */
#define	CR0_PG_WP	0x80010000
#define	CR4_PSE		0x10
#define	KPDE_FIRST	(KERNBASE >> 22)	/* 768 */

/* CPUID leaf 1 EDX bits the kernel needs (an i686 has them all). */
#define	CPUID_PSE	(1 << 3)	/* 4 MiB pages: the boot page directory */
#define	CPUID_TSC	(1 << 4)	/* rdtsc: cpu_ticks(), the benchmarks */
#define	CPUID_MSR	(1 << 5)	/* rdmsr: the local APIC's base */
#define	CPUID_CMOV	(1 << 15)	/* gcc -march=i686 emits cmov anywhere */
#define	CPUID_NEED	(CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CMOV)

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
	call	cpu_check

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

/*
 * Return if the CPU has CPUID and every CPUID_NEED feature; else print
 * the missing ones on COM1 and stop (boot_fail).  Clobbers all but %esp.
 */
cpu_check:
	call	boot_has_cpuid
	testl	%eax, %eax
	jz	no_cpuid
	xorl	%eax, %eax
	cpuid
	xorl	%edx, %edx		/* no leaf 1: nothing is there */
	testl	%eax, %eax
	jz	1f
	movl	$1, %eax
	cpuid
1:	andl	$CPUID_NEED, %edx
	cmpl	$CPUID_NEED, %edx
	jne	2f
	ret
2:	movl	%edx, %ebx		/* boot_puts keeps %ebx and %edi */
	movl	$V2P(msg_lacks), %esi
	call	boot_puts
	movl	$V2P(feature_names), %edi
3:	movl	(%edi), %eax		/* { mask, name } pairs, 0-ended */
	testl	%eax, %eax
	jz	4f
	testl	%eax, %ebx
	jnz	5f
	movl	4(%edi), %esi
	call	boot_puts
5:	addl	$8, %edi
	jmp	3b
4:	movl	$V2P(msg_needs), %esi
	jmp	boot_fail
no_cpuid:
	movl	$V2P(msg_no_cpuid), %esi
	jmp	boot_fail

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

	.section .rodata
msg_no_cpuid:
	.asciz	"Minnow: this CPU has no CPUID instruction (a 486 or older); the i386 kernel needs an i686 (Pentium Pro) or later. Halting.\r\n"
msg_lacks:
	.asciz	"Minnow: this CPU lacks"
msg_needs:
	.asciz	"; the i386 kernel needs an i686 (Pentium Pro) or later. Halting.\r\n"
name_pse:	.asciz	" PSE"
name_tsc:	.asciz	" TSC"
name_msr:	.asciz	" MSR"
name_cmov:	.asciz	" CMOV"
	.p2align 2
feature_names:
	.long	CPUID_PSE, V2P(name_pse)
	.long	CPUID_TSC, V2P(name_tsc)
	.long	CPUID_MSR, V2P(name_msr)
	.long	CPUID_CMOV, V2P(name_cmov)
	.long	0, 0

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
