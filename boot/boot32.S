/*
 * 32-bit helpers for the entry code of both kernels, run before paging:
 * only physical addresses, no stack assumptions beyond a few pushes.
 */
#include <machine/param.h>

#define	COM1		0x3f8
#define	LSR_THRE	0x20

	.section .boot.text, "ax"
	.code32

/*
 * boot_fail: the boot cannot go on (wrong loader, CPU without long mode).
 * Print the NUL-terminated string at physical %esi on COM1 and halt.
 * The UART is used as firmware left it: we only need bytes to come out.
 */
	.globl	boot_fail
boot_fail:
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
3:	cli
	hlt
	jmp	3b

	.section .rodata
	.globl	boot_msg_magic
boot_msg_magic:
	.asciz	"Minnow: not started by a multiboot loader (bad magic in EAX); halting.\r\n"
