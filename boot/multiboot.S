/*
 * Multiboot headers, shared by both kernels (both are entered in 32-bit
 * protected mode, so the headers are identical).
 *
 * Multiboot 1 sets the "a.out kludge" flag (bit 16) and gives load
 * addresses itself: qemu -kernel refuses ELF64 multiboot images but honours
 * the kludge, and GRUB's "multiboot" command prefers the kludge too.  The
 * addresses are physical, hence "- KERNBASE".
 *
 * Multiboot 2 (GRUB's "multiboot2") loads the ELF by its physical program
 * headers; the entry-address tag overrides the virtual ELF entry point.
 */
#include <machine/param.h>

#define	MB1_MAGIC	0x1badb002
#define	MB1_FLAGS	0x00010003	/* kludge, memory info, aligned modules */
#define	MB2_MAGIC	0xe85250d6
#define	MB2_ARCH_I386	0

	.section .multiboot, "a"
	.p2align 3
mb1_header:
	.long	MB1_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_MAGIC + MB1_FLAGS)
	.long	mb1_header - KERNBASE		/* header_addr */
	.long	kernel_start - KERNBASE		/* load_addr */
	.long	kernel_edata - KERNBASE		/* load_end_addr */
	.long	kernel_end - KERNBASE		/* bss_end_addr */
	.long	_start - KERNBASE		/* entry_addr */

	.p2align 3
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_end - mb2_header
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + (mb2_end - mb2_header))
	/* Entry address tag: type 3, size 12, padded to 8. */
	.p2align 3
	.short	3, 0
	.long	12
	.long	_start - KERNBASE
	/* End tag. */
	.p2align 3
	.short	0, 0
	.long	8
mb2_end:
