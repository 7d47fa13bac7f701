/*
 * 32-bit helpers for the entry code of both kernels, run before paging:
 * only physical addresses, no stack assumptions beyond a few pushes.
 */
#include <machine/param.h>

#define	COM1		0x3f8
#define	LSR_THRE	0x20
#define	DEBUG_EXIT_PORT	0xf4		/* QEMU isa-debug-exit (kernel/x86/machine.c) */
#define	KEXIT_FAIL	0x11
#define	PSL_ID		0x00200000	/* EFLAGS.ID */

	.section .boot.text, "ax"
	.code32

/*
 * boot_puts: print the NUL-terminated string at physical %esi on COM1.
 * The UART is used as firmware left it: we only need bytes to come out.
 * Clobbers %eax, %ecx, %edx, %esi.
 */
	.globl	boot_puts
boot_puts:
1:	movb	(%esi), %cl
	testb	%cl, %cl
	jz	3f
	movw	$COM1 + 5, %dx
2:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	2b
	movw	$COM1, %dx
	movb	%cl, %al
	outb	%al, %dx
	incl	%esi
	jmp	1b
3:	ret

/*
 * boot_has_cpuid: %eax is non-zero if the CPU has CPUID, that is if
 * EFLAGS.ID (bit 21) can be toggled (a 486 or older may not).  Clobbers
 * %ecx.
 */
	.globl	boot_has_cpuid
boot_has_cpuid:
	pushfl
	popl	%eax
	movl	%eax, %ecx
	xorl	$PSL_ID, %eax
	pushl	%eax
	popfl
	pushfl
	popl	%eax
	pushl	%ecx			/* EFLAGS as they were */
	popfl
	xorl	%ecx, %eax
	andl	$PSL_ID, %eax
	ret

/*
 * boot_fail: the boot cannot go on (wrong loader, a CPU without a feature
 * the kernel needs).  Print the string at physical %esi, leave QEMU with
 * the kernel's failure code (KEXIT_FAIL, kernel/machdep.h; exit status
 * 35) so that a test harness sees a failure and not a hang, and halt
 * where there is no exit device.
 */
	.globl	boot_fail
boot_fail:
	call	boot_puts
	movw	$DEBUG_EXIT_PORT, %dx
	movl	$KEXIT_FAIL, %eax
	outl	%eax, %dx
4:	cli
	hlt
	jmp	4b

	.section .rodata
	.globl	boot_msg_magic
boot_msg_magic:
	.asciz	"Minnow: not started by a multiboot loader (bad magic in EAX); halting.\r\n"
