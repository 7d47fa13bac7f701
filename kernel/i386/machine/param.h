/*
 * i386 machine parameters.  Safe to include from assembly.
 * The kernel runs in the top GiB: virtual KERNBASE + x is physical x for
 * the kernel image (and, during early boot only, for all of low memory).
 */
#ifndef _MACHINE_PARAM_H_
#define _MACHINE_PARAM_H_

#define	MACHINE_ARCH	"i386"
#define	KERNBASE	0xc0000000
#define	KERNLOAD	0x100000	/* physical load address */
#define	PAGE_SHIFT	12
#define	PAGE_SIZE	(1 << PAGE_SHIFT)
#define	PAGE_MASK	(PAGE_SIZE - 1)
#define	KSTACK_SIZE	(4 * PAGE_SIZE)
/* Boot allocations must end below this physical address (boot tables). */
#define	KERNLINEAR_MAX	0x20000000ULL

/* The boot page tables identity-map physical 0 .. BOOT_IDMAP_END. */
#define	BOOT_IDMAP_END	0xc0000000ULL

#endif /* !_MACHINE_PARAM_H_ */
